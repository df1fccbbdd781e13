//! Section 1 and the verdict at the top of the page: the organization's grade and score, what
//! fails by severity, the top failing findings grouped by the change that fixes them, the
//! accounts that could not be scanned; then the totals by status and the severity chart.
//!
//! Why it exists: the first screen (and the first printed page) must answer "how bad, where,
//! what first". This module gathers those numbers for the page.
//!
//! What it must not do: hide, re-judge or score. Scores and grades are the report's (`scores`);
//! every outcome is counted under the status the check gave it (suppressed ones too). The fix
//! groups key on the report's own `remediation.target` (the resource the change is made on):
//! findings of one check that share a target are fixed by one change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::charts::{self, Segment, SeverityChart};
use super::outcome::Counts;
use super::score::{grade_class, grade_text, score_text};
use crate::model::{AccountStatus, Severity, Status};
use crate::report::{FAIR_FROM, Finding, GOOD_FROM, Report};

/// How many fix groups the verdict lists.
const TOP_GROUPS: usize = 8;

#[derive(Serialize)]
pub(super) struct Overview {
    pub(super) totals: Counts,
    org_score: String,
    org_grade: &'static str,
    org_grade_class: &'static str,
    org_capped: usize,
    org_passed: usize,
    org_failed: usize,
    org_unknown: usize,
    good_from: f64,
    fair_from: f64,
    framework_score: String,
    failing_controls: Vec<ControlView>,
    failing_by_severity: Vec<SeverityGroup>,
    fix_groups: Vec<FixGroup>,
    fix_groups_more: usize,
    unscanned: Vec<UnscannedView>,
    status_bar: Vec<Segment>,
    severity_chart: SeverityChart,
}

#[derive(Serialize)]
struct ControlView {
    id: String,
    severity: &'static str,
    checks: String,
}

#[derive(Serialize)]
struct SeverityGroup {
    severity: &'static str,
    checks: Vec<FailingCheck>,
}

#[derive(Serialize)]
struct FailingCheck {
    code: String,
    title: String,
    findings: usize,
    accounts: usize,
}

#[derive(Serialize)]
struct FixGroup {
    check: String,
    title: String,
    severity: &'static str,
    target: String,
    findings: usize,
    accounts: usize,
    /// The accounts of its findings, space-separated (the script hides a group outside the
    /// chosen scope).
    account_ids: String,
    /// The fix command, when the report carries one.
    cli: Option<String>,
    fix_account: Option<String>,
    fix_region: Option<String>,
}

#[derive(Serialize)]
struct UnscannedView {
    id: String,
    name: Option<String>,
    reason: Option<String>,
}

pub(super) fn build(report: &Report, framework: &str) -> Overview {
    let scores = &report.scores;
    let totals = Counts::of(&report.findings);
    let by_severity: Vec<(&'static str, Counts)> = Severity::ALL.iter().map(|sev| (sev.as_str(), Counts::of(report.findings.iter().filter(|f| f.severity == *sev)))).collect();
    let title = |code: &str| report.checks.iter().find(|c| c.code == code).map(|c| c.title.clone()).unwrap_or_default();

    let failing: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Fail).collect();
    // Most severe first (`Severity::ALL` runs from critical to info).
    let mut failing_by_severity = Vec::new();
    for sev in Severity::ALL {
        let mut per_check: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
        for f in failing.iter().filter(|f| f.severity == *sev) {
            let e = per_check.entry(f.check.as_str()).or_default();
            e.0 += 1;
            e.1.insert(f.account.as_str());
        }
        if !per_check.is_empty() {
            let checks = per_check.into_iter().map(|(code, (n, accounts))| FailingCheck { code: code.to_string(), title: title(code), findings: n, accounts: accounts.len() }).collect();
            failing_by_severity.push(SeverityGroup { severity: sev.as_str(), checks });
        }
    }

    // Unsuppressed failures, grouped by (check, what the change is made on).
    let mut groups: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in failing.iter().filter(|f| f.suppression.is_none()) {
        let target = f.remediation.as_ref().map(|r| r.target.as_str()).unwrap_or(f.resource.as_str());
        groups.entry((f.check.as_str(), target)).or_default().push(f);
    }
    let mut fix_groups: Vec<FixGroup> = groups
        .into_iter()
        .map(|((check, target), fs)| {
            let fix = fs.iter().find_map(|f| f.remediation.as_ref());
            FixGroup {
                check: check.to_string(),
                title: title(check),
                severity: fs[0].severity.as_str(),
                target: target.to_string(),
                findings: fs.len(),
                accounts: fs.iter().map(|f| f.account.as_str()).collect::<BTreeSet<_>>().len(),
                account_ids: fs.iter().map(|f| f.account.as_str()).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(" "),
                cli: fix.map(|r| r.cli.clone()),
                fix_account: fix.map(|r| r.account.clone()),
                fix_region: fix.and_then(|r| r.region.clone()),
            }
        })
        .collect();
    let rank = |s: &str| Severity::ALL.iter().position(|v| v.as_str() == s).unwrap_or(0);
    fix_groups.sort_by(|a, b| rank(a.severity).cmp(&rank(b.severity)).then(b.findings.cmp(&a.findings)).then(a.check.cmp(&b.check)).then(a.target.cmp(&b.target)));
    let fix_groups_more = fix_groups.len().saturating_sub(TOP_GROUPS);
    fix_groups.truncate(TOP_GROUPS);

    let framework_scores = scores.frameworks.get(framework);
    let mut failing_controls: Vec<ControlView> = framework_scores
        .map(|fw| {
            fw.controls.iter().filter(|c| c.status == Status::Fail).map(|c| ControlView { id: c.id.clone(), severity: c.severity.as_str(), checks: c.failing_checks.join(", ") }).collect()
        })
        .unwrap_or_default();
    failing_controls.sort_by_key(|c| rank(c.severity));

    Overview {
        org_score: score_text(scores.organization.score),
        org_grade: grade_text(scores.organization.grade),
        org_grade_class: grade_class(scores.organization.grade),
        org_capped: scores.organization.capped_by.len(),
        org_passed: scores.organization.passed,
        org_failed: scores.organization.failed,
        org_unknown: scores.organization.unknown,
        good_from: GOOD_FROM,
        fair_from: FAIR_FROM,
        framework_score: score_text(framework_scores.and_then(|f| f.score)),
        failing_controls,
        failing_by_severity,
        fix_groups,
        fix_groups_more,
        unscanned: report
            .scan
            .accounts
            .iter()
            .filter(|a| a.status == AccountStatus::NotScanned)
            .map(|a| UnscannedView { id: a.id.clone(), name: a.name.clone(), reason: a.reason.clone() })
            .collect(),
        status_bar: charts::status_bar(&totals),
        severity_chart: charts::severity_chart(&by_severity),
        totals,
    }
}
