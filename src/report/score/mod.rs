//! The scores: the one place they are computed, from the findings as policy left them.
//!
//! Why it exists: a score must not flatter. The old HTML posture score weighed every outcome,
//! so a check judged per account × region (CT103) added one PASS per enabled region and an
//! organization looked better the more regions it had; an account that could not be scanned
//! was left out of the average. Here every number is counted per *check*, not per outcome,
//! and what could not be read counts against the grade. The numbers travel in the JSON report
//! (`scores`); every emitter only shows them.
//!
//! Definitions (the README and the HTML page print the same):
//!
//! - **Per account, per check** (each check counts once per account, however many regions or
//!   resources it judged there): FAIL if any of its outcomes in the account fails, else
//!   unknown if any is ERROR, else PASS if any passes, else not applicable (left out). An
//!   account that could not be scanned is unknown on every selected check.
//! - **Account score** = passed ÷ (passed + failed + unknown) × 100, rounded *down* to one
//!   decimal (so a shown 90.0 is never really 89.96).
//! - **Organization score** = the mean of the account scores: every account weighs the same,
//!   whatever number of checks applies to it (the management account, which owns the
//!   organization trail and its bucket, has more applicable checks than a member account; a
//!   mean over (account, check) pairs would let it dominate). An account that could not be
//!   scanned scores 0 and stays in the mean.
//! - **Grade**: `good` from 90, `fair` from 70, else `poor`; none when nothing was assessed.
//!   Any unsuppressed CRITICAL failure caps the grade at `poor` (for its account and for the
//!   organization), and `capped_by` lists the finding ids that did it.
//! - **Per framework control** (the control ids of `checks/CTnnn.toml`): FAIL if a mapped check
//!   fails in any account; else unknown (ERROR) if some of its evidence could not be read, or
//!   an account could not be scanned; else PASS if a mapped check passed; else not applicable.
//!   **Framework score** = controls passed ÷ controls evaluated (PASS + FAIL + unknown) × 100,
//!   as AWS Security Hub reports a standard's score, except that unknown counts as not passed.
//!
//! - **Per OU** (organization scans whose OU tree was read): the mean of the account scores
//!   of every account in scope in the OU's subtree (its own accounts and those of every OU
//!   below it), an account that could not be scanned counting 0 as for the organization; the
//!   grade and the CRITICAL cap as for the organization, over the subtree's findings. An OU
//!   with no account in scope has no score.
//! - **Framework verdicts per account and per OU**: the organization's rule, over the
//!   findings of the scope's accounts only (a control fails in a scope when a mapped check
//!   fails in any of its accounts; unknown when none fails but evidence is missing or one of
//!   its accounts could not be scanned). Carried compactly (control id → status).
//!
//! Suppressions: a suppressed FAIL still counts as FAIL (and a suppressed ERROR as unknown).
//! A suppression records an accepted risk, not a fixed one, so writing suppressions can never
//! raise a score. It does lift the CRITICAL cap: the cap is for *unmitigated* critical
//! failures, and a suppressed one has been looked at and accepted (with a reason, and
//! perhaps an expiry). An expired suppression no longer applies: its finding caps again.
//! (Security Hub leaves suppressed findings out of a control's status; trailwarden does not.)

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{Finding, Report};
use crate::model::{AccountStatus, Severity, Status};

mod frameworks;
mod units;

pub use frameworks::{ControlId, ControlScore, FrameworkScore, ScopeFrameworkScore};
pub use units::UnitScore;

use frameworks::Mapping;

/// Good from this score.
pub const GOOD_FROM: f64 = 90.0;
/// Fair from this score (below: poor).
pub const FAIR_FROM: f64 = 70.0;

/// A score's band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Poor,
    Fair,
    Good,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Fair => "fair",
            Grade::Poor => "poor",
        }
    }

    /// The band of a score (before any cap).
    pub fn of(score: f64) -> Grade {
        if score >= GOOD_FROM {
            Grade::Good
        } else if score >= FAIR_FROM {
            Grade::Fair
        } else {
            Grade::Poor
        }
    }
}

/// Every score of the report (`scores` in the JSON report). See the module documentation
/// of `report::score` (and the README) for the definitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scores {
    pub organization: OrganizationScore,
    /// One per account in scope (and per account that owns a judged resource outside it).
    pub accounts: Vec<AccountScore>,
    /// Framework key (`cis-6.0`, `securityhub`, …) → its controls' statuses and score.
    pub frameworks: BTreeMap<String, FrameworkScore>,
    /// Organization scans whose OU tree was read: one per root and OU, in the order of
    /// `scan.organization_tree.units`. Empty otherwise.
    #[serde(default)]
    pub units: Vec<UnitScore>,
}

/// The organization's (or the single account's) score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationScore {
    /// Mean of the account scores (0–100, rounded down to one decimal); null when no account
    /// has a score.
    pub score: Option<f64>,
    /// `good` (≥ 90), `fair` (≥ 70) or `poor`, after the CRITICAL cap; null without a score.
    pub grade: Option<Grade>,
    /// Ids of the unsuppressed CRITICAL failures that capped the grade at `poor` (empty: no cap).
    pub capped_by: Vec<String>,
    /// Sums over the accounts of (account, check) pairs passed, failed and unknown.
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Accounts that could not be scanned (each scored 0, in the mean).
    pub unscanned_accounts: Vec<String>,
}

/// One account's score: each selected check counted once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountScore {
    pub id: String,
    /// passed ÷ (passed + failed + unknown) × 100, rounded down to one decimal; null when no
    /// check applied.
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    /// Ids of this account's unsuppressed CRITICAL failures (they cap its grade at `poor`).
    pub capped_by: Vec<String>,
    /// Checks that passed, failed, and whose evidence could not be read (all of them when
    /// the account could not be scanned).
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// False when the account could not be scanned.
    pub scanned: bool,
    /// Framework key → the controls' statuses over this account's findings alone.
    #[serde(default)]
    pub frameworks: BTreeMap<String, ScopeFrameworkScore>,
}

/// The status of one check over a set of outcomes: FAIL over ERROR over PASS; None when
/// nothing was assessed (no outcome, or only NOT_APPLICABLE).
fn combine<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<Status> {
    let (mut fail, mut error, mut pass) = (false, false, false);
    for f in findings {
        match f.status {
            Status::Fail => fail = true,
            Status::Error => error = true,
            Status::Pass => pass = true,
            Status::NotApplicable => {}
        }
    }
    if fail {
        Some(Status::Fail)
    } else if error {
        Some(Status::Error)
    } else if pass {
        Some(Status::Pass)
    } else {
        None
    }
}

/// `100 × part ÷ whole`, rounded down to one decimal; None when `whole` is 0.
fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| ((1000 * part / whole) as f64) / 10.0)
}

fn grade(score: Option<f64>, capped: bool) -> Option<Grade> {
    score.map(|s| if capped { Grade::Poor } else { Grade::of(s) })
}

fn is_unmitigated_critical(f: &Finding) -> bool {
    f.status == Status::Fail && f.severity == Severity::Critical && f.suppression.is_none()
}

/// The mean of account scores, rounded down to one decimal; None when there is none.
fn mean(scores: &[f64]) -> Option<f64> {
    (!scores.is_empty()).then(|| (scores.iter().sum::<f64>() / scores.len() as f64 * 10.0).floor() / 10.0)
}

impl Scores {
    /// Compute every score from the report's accounts, checks, findings and OU tree.
    pub fn compute(report: &Report) -> Scores {
        let codes: Vec<&str> = report.checks.iter().map(|c| c.code.as_str()).collect();
        let unscanned: BTreeSet<&str> = report.scan.accounts.iter().filter(|a| a.status == AccountStatus::NotScanned).map(|a| a.id.as_str()).collect();
        let mut by_account: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        let mut by_account_check: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_account.entry(f.account.as_str()).or_default().push(f);
            by_account_check.entry((f.account.as_str(), f.check.as_str())).or_default().push(f);
        }
        let mut account_ids: Vec<&str> = report.scan.accounts.iter().map(|a| a.id.as_str()).collect();
        for f in &report.findings {
            if !account_ids.contains(&f.account.as_str()) {
                account_ids.push(f.account.as_str());
            }
        }
        let mapping = Mapping::of(report);
        let no_findings: Vec<&Finding> = Vec::new();

        let mut accounts = Vec::new();
        for id in account_ids {
            let scanned = !unscanned.contains(id);
            let (mut passed, mut failed, mut unknown) = (0, 0, 0);
            for code in &codes {
                let status = if scanned { by_account_check.get(&(id, *code)).and_then(|fs| combine(fs.iter().copied())) } else { Some(Status::Error) };
                match status {
                    Some(Status::Pass) => passed += 1,
                    Some(Status::Fail) => failed += 1,
                    Some(Status::Error) => unknown += 1,
                    _ => {}
                }
            }
            let own = by_account.get(id).unwrap_or(&no_findings);
            let capped_by: Vec<String> = own.iter().filter(|f| is_unmitigated_critical(f)).map(|f| f.id.clone()).collect();
            let score = percent(passed, passed + failed + unknown);
            let frameworks = mapping.scope_frameworks(own, !scanned);
            accounts.push(AccountScore { id: id.to_string(), score, grade: grade(score, !capped_by.is_empty()), capped_by, passed, failed, unknown, scanned, frameworks });
        }

        let scored: Vec<f64> = accounts.iter().filter_map(|a| a.score).collect();
        let org_score = mean(&scored);
        let capped_by: Vec<String> = report.findings.iter().filter(|f| is_unmitigated_critical(f)).map(|f| f.id.clone()).collect();
        let organization = OrganizationScore {
            score: org_score,
            grade: grade(org_score, !capped_by.is_empty()),
            capped_by,
            passed: accounts.iter().map(|a| a.passed).sum(),
            failed: accounts.iter().map(|a| a.failed).sum(),
            unknown: accounts.iter().map(|a| a.unknown).sum(),
            unscanned_accounts: unscanned.iter().map(|s| s.to_string()).collect(),
        };
        let all: Vec<&Finding> = report.findings.iter().collect();
        let frameworks = mapping.frameworks(&all, !unscanned.is_empty());
        let units = units::unit_scores(report, &accounts, &by_account, &mapping);
        Scores { organization, accounts, frameworks, units }
    }

    /// The score of one account, if it is in the report.
    pub fn account(&self, id: &str) -> Option<&AccountScore> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The score of one root or OU, if the report has the organization's tree.
    pub fn unit(&self, id: &str) -> Option<&UnitScore> {
        self.units.iter().find(|u| u.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::frameworks::natural_key;
    use super::*;
    use crate::model::{ScanMode, Scope};
    use crate::report::{AccountInfo, Caller, CheckInfo, OrganizationTree, ScanInfo, Summary, Suppression, Tool, UnitInfo};

    fn check(code: &str, severity: Severity, scope: Scope, cis: &str) -> CheckInfo {
        CheckInfo {
            code: code.into(),
            name: code.to_lowercase(),
            title: code.into(),
            severity,
            scope,
            frameworks: BTreeMap::from([("cis-6.0".to_string(), vec![cis.to_string()])]),
        }
    }

    fn finding(check: &str, status: Status, severity: Severity, account: &str, region: Option<&str>, resource: &str) -> Finding {
        Finding::bare(check, status, severity, account, region, resource)
    }

    fn report(accounts: &[(&str, bool)], checks: Vec<CheckInfo>, findings: Vec<Finding>) -> Report {
        let now = chrono::Utc::now();
        Report {
            schema_version: "1.0".into(),
            tool: Tool { name: "trailwarden".into(), version: "test".into() },
            scan: ScanInfo {
                started_at: now,
                finished_at: now,
                caller: Caller { account_id: "111111111111".into(), arn: "arn:aws:iam::111111111111:root".into() },
                organization_id: None,
                mode: ScanMode::Organization,
                accounts: accounts
                    .iter()
                    .map(|(id, scanned)| AccountInfo {
                        id: id.to_string(),
                        name: None,
                        status: if *scanned { AccountStatus::Scanned } else { AccountStatus::NotScanned },
                        reason: None,
                        regions: vec![],
                    })
                    .collect(),
                regions: vec![],
                notes: vec![],
                parameters: None,
                organization_tree: None,
            },
            summary: Summary::default(),
            checks,
            findings,
            baseline: None,
            scores: Scores::default(),
            history: None,
        }
    }

    const REGIONS: [&str; 18] = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
        "sa-east-1", "eu-south-1",
    ];

    /// Two accounts: CT103 passes in every region, a trail check fails, a bucket check passes;
    /// account B also has a failing critical bucket check.
    fn organization(regions: &[&str]) -> Report {
        let checks = vec![
            check("CT103", Severity::High, Scope::Region, "4.1"),
            check("CT201", Severity::Medium, Scope::Trail, "4.2"),
            check("CT301", Severity::Critical, Scope::Bucket, "3.3"),
            check("CT304", Severity::Medium, Scope::Bucket, "3.4"),
        ];
        let mut findings = Vec::new();
        for account in ["111111111111", "222222222222"] {
            for r in regions {
                findings.push(finding("CT103", Status::Pass, Severity::High, account, Some(r), account));
            }
            findings.push(finding("CT201", Status::Fail, Severity::Medium, account, Some("us-east-1"), &format!("arn:aws:cloudtrail:us-east-1:{account}:trail/t")));
            findings.push(finding("CT304", Status::Pass, Severity::Medium, account, Some("us-east-1"), &format!("arn:aws:s3:::logs-{account}")));
        }
        findings.push(finding("CT301", Status::Pass, Severity::Critical, "111111111111", Some("us-east-1"), "arn:aws:s3:::logs-111111111111"));
        findings.push(finding("CT301", Status::Fail, Severity::Critical, "222222222222", Some("us-east-1"), "arn:aws:s3:::logs-222222222222"));
        report(&[("111111111111", true), ("222222222222", true)], checks, findings)
    }

    #[test]
    fn one_region_and_eighteen_regions_give_the_same_scores() {
        let one = Scores::compute(&organization(&REGIONS[..1]));
        let eighteen = Scores::compute(&organization(&REGIONS));
        assert_eq!(one, eighteen);
        // A: CT103 pass, CT201 fail, CT301 pass, CT304 pass → 3/4. B: CT301 fails too → 2/4.
        assert_eq!(one.account("111111111111").unwrap().score, Some(75.0));
        assert_eq!(one.account("222222222222").unwrap().score, Some(50.0));
        assert_eq!(one.organization.score, Some(62.5));
        assert_eq!((one.organization.passed, one.organization.failed, one.organization.unknown), (5, 3, 0));
    }

    #[test]
    fn an_unscanned_account_is_unknown_on_every_check_and_lowers_the_organization() {
        let scanned = organization(&REGIONS[..3]);
        let mut with_unscanned = scanned.clone();
        with_unscanned.scan.accounts.push(AccountInfo { id: "333333333333".into(), name: None, status: AccountStatus::NotScanned, reason: Some("AccessDenied".into()), regions: vec![] });
        let before = Scores::compute(&scanned);
        let after = Scores::compute(&with_unscanned);
        let c = after.account("333333333333").unwrap();
        assert_eq!((c.passed, c.failed, c.unknown, c.score, c.scanned), (0, 0, 4, Some(0.0), false));
        assert_eq!(after.organization.score, Some(41.6), "(75 + 50 + 0) / 3, rounded down");
        assert!(after.organization.score < before.organization.score);
        assert_eq!(after.organization.unscanned_accounts, vec!["333333333333".to_string()]);
        // No control can pass for the organization while an account was not read.
        assert!(after.frameworks["cis-6.0"].controls.iter().all(|c| c.status != Status::Pass));
    }

    #[test]
    fn an_unsuppressed_critical_failure_caps_the_grade() {
        let mut r = organization(&REGIONS[..1]);
        // Make every other check pass: A scores 100, B 75 with its critical failure.
        for f in r.findings.iter_mut().filter(|f| f.check == "CT201") {
            f.status = Status::Pass;
        }
        let s = Scores::compute(&r);
        let a = s.account("111111111111").unwrap();
        let b = s.account("222222222222").unwrap();
        assert_eq!((a.score, a.grade), (Some(100.0), Some(Grade::Good)));
        assert_eq!((b.score, b.grade), (Some(75.0), Some(Grade::Poor)), "fair by score, capped");
        assert_eq!(b.capped_by.len(), 1);
        assert_eq!(s.organization.score, Some(87.5));
        assert_eq!(s.organization.grade, Some(Grade::Poor));
        assert_eq!(s.organization.capped_by, b.capped_by);
    }

    #[test]
    fn a_suppressed_failure_still_fails_but_no_longer_caps() {
        let mut r = organization(&REGIONS[..1]);
        for f in r.findings.iter_mut().filter(|f| f.check == "CT201") {
            f.status = Status::Pass;
        }
        let before = Scores::compute(&r);
        for f in r.findings.iter_mut().filter(|f| f.check == "CT301" && f.status == Status::Fail) {
            f.suppression = Some(Suppression { reason: "accepted".into(), expires: None });
        }
        let after = Scores::compute(&r);
        assert_eq!(after.organization.score, before.organization.score, "a suppression never raises a score");
        assert_eq!(after.account("222222222222").unwrap().failed, 1);
        assert!(after.organization.capped_by.is_empty());
        assert_eq!(after.organization.grade, Some(Grade::Fair));
        // An expired suppression is no suppression: the cap is back.
        for f in r.findings.iter_mut().filter(|f| f.suppression.is_some()) {
            f.expired_suppression = f.suppression.take();
        }
        assert_eq!(Scores::compute(&r).organization.grade, Some(Grade::Poor));
    }

    #[test]
    fn a_check_fails_over_error_over_pass_and_not_applicable_is_left_out() {
        let checks = vec![check("CT103", Severity::High, Scope::Region, "4.1"), check("CT207", Severity::Low, Scope::Trail, "4.9")];
        let findings = vec![
            finding("CT103", Status::Pass, Severity::High, "111111111111", Some("us-east-1"), "a"),
            finding("CT103", Status::Error, Severity::High, "111111111111", Some("us-west-2"), "a"),
            finding("CT207", Status::NotApplicable, Severity::Low, "111111111111", Some("us-east-1"), "t"),
        ];
        let s = Scores::compute(&report(&[("111111111111", true)], checks, findings));
        let a = s.account("111111111111").unwrap();
        assert_eq!((a.passed, a.failed, a.unknown, a.score), (0, 0, 1, Some(0.0)));
        let cis = &s.frameworks["cis-6.0"];
        assert_eq!(cis.controls.iter().map(|c| (c.id.as_str(), c.status)).collect::<Vec<_>>(), vec![("4.1", Status::Error), ("4.9", Status::NotApplicable)]);
        assert_eq!((cis.passed, cis.failed, cis.unknown, cis.score), (0, 0, 1, Some(0.0)));
    }

    #[test]
    fn framework_controls_fail_when_a_mapped_check_fails_anywhere() {
        let s = Scores::compute(&organization(&REGIONS[..2]));
        let cis = &s.frameworks["cis-6.0"];
        let status = |id: &str| cis.controls.iter().find(|c| c.id == id).unwrap().status;
        assert_eq!((status("3.3"), status("3.4"), status("4.1"), status("4.2")), (Status::Fail, Status::Pass, Status::Pass, Status::Fail));
        assert_eq!(cis.score, Some(50.0));
        assert!(natural_key("4.10") > natural_key("4.2"));
    }

    /// `(id, parent, direct accounts)` as the report's OU tree.
    fn with_tree(mut r: Report, units: &[(&str, Option<&str>, &[&str])]) -> Report {
        r.scan.organization_tree = Some(OrganizationTree {
            units: units
                .iter()
                .map(|(id, parent, accounts)| UnitInfo { id: id.to_string(), name: id.to_uppercase(), parent: parent.map(str::to_string), accounts: accounts.iter().map(|a| a.to_string()).collect() })
                .collect(),
            unavailable: None,
        });
        r
    }

    #[test]
    fn an_ou_with_an_unscanned_account_scores_lower() {
        let mut r = organization(&REGIONS[..1]);
        r.scan.accounts.push(AccountInfo { id: "333333333333".into(), name: None, status: AccountStatus::NotScanned, reason: Some("AccessDenied".into()), regions: vec![] });
        // Root holds A; OU x holds B; OU y holds B and the unscanned C (an account in two OUs
        // cannot happen in AWS, but keeps the comparison to one variable).
        let r = with_tree(r, &[("r-root", None, &["111111111111"]), ("ou-x", Some("r-root"), &["222222222222"]), ("ou-y", Some("r-root"), &["222222222222", "333333333333"])]);
        let s = Scores::compute(&r);
        let (x, y) = (s.unit("ou-x").unwrap(), s.unit("ou-y").unwrap());
        assert_eq!((x.score, x.accounts.len()), (Some(50.0), 1));
        assert_eq!((y.score, y.unscanned_accounts.clone()), (Some(25.0), vec!["333333333333".to_string()]), "(50 + 0) / 2: the unscanned account stays in the mean");
        assert!(y.score < x.score);
        assert_eq!((y.passed, y.failed, y.unknown), (2, 2, 4));
        // No control passes in an OU one of whose accounts was not read.
        assert!(y.frameworks["cis-6.0"].controls.values().all(|st| *st != Status::Pass));
        assert_eq!(x.frameworks["cis-6.0"].controls["3.4"], Status::Pass);
    }

    #[test]
    fn a_nested_ou_aggregates_its_children() {
        let mut r = organization(&REGIONS[..1]);
        for f in r.findings.iter_mut().filter(|f| f.check == "CT201" && f.account == "111111111111") {
            f.status = Status::Pass;
        }
        let r = with_tree(r, &[("r-root", None, &[]), ("ou-work", Some("r-root"), &[]), ("ou-prod", Some("ou-work"), &["111111111111"]), ("ou-dev", Some("ou-work"), &["222222222222"]), ("ou-empty", Some("r-root"), &[])]);
        let s = Scores::compute(&r);
        let (prod, dev, work, root) = (s.unit("ou-prod").unwrap(), s.unit("ou-dev").unwrap(), s.unit("ou-work").unwrap(), s.unit("r-root").unwrap());
        assert_eq!((prod.score, prod.grade), (Some(100.0), Some(Grade::Good)));
        assert_eq!((dev.score, dev.grade), (Some(50.0), Some(Grade::Poor)));
        assert_eq!(work.accounts, vec!["111111111111".to_string(), "222222222222".to_string()]);
        assert_eq!(work.score, Some(75.0), "the mean of its children's accounts");
        assert_eq!(work.grade, Some(Grade::Poor), "B's critical failure caps the parent too");
        assert_eq!(work.capped_by, dev.capped_by);
        assert!(prod.capped_by.is_empty());
        assert_eq!((root.score, root.grade), (s.organization.score, s.organization.grade), "the root is the organization");
        let empty = s.unit("ou-empty").unwrap();
        assert_eq!((empty.score, empty.grade, empty.accounts.len()), (None, None, 0));
        assert_eq!(s.units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), vec!["r-root", "ou-work", "ou-prod", "ou-dev", "ou-empty"], "the tree's order");
        // Framework verdicts roll up the same way: 3.3 (CT301) fails in dev and so in work.
        assert_eq!(prod.frameworks["cis-6.0"].controls["3.3"], Status::Pass);
        assert_eq!(dev.frameworks["cis-6.0"].controls["3.3"], Status::Fail);
        assert_eq!(work.frameworks["cis-6.0"].controls["3.3"], Status::Fail);
        // Without a tree there are no unit scores.
        assert!(Scores::compute(&organization(&REGIONS[..1])).units.is_empty());
    }

    #[test]
    fn framework_verdicts_per_account() {
        let mut r = organization(&REGIONS[..2]);
        r.findings.push(finding("CT304", Status::Error, Severity::Medium, "111111111111", Some("us-east-1"), "arn:aws:s3:::other"));
        r.scan.accounts.push(AccountInfo { id: "333333333333".into(), name: None, status: AccountStatus::NotScanned, reason: None, regions: vec![] });
        let s = Scores::compute(&r);
        let a = &s.account("111111111111").unwrap().frameworks["cis-6.0"];
        let b = &s.account("222222222222").unwrap().frameworks["cis-6.0"];
        let c = &s.account("333333333333").unwrap().frameworks["cis-6.0"];
        assert_eq!(a.controls, BTreeMap::from([("3.3".into(), Status::Pass), ("3.4".into(), Status::Error), ("4.1".into(), Status::Pass), ("4.2".into(), Status::Fail)]));
        assert_eq!((a.passed, a.failed, a.unknown, a.score), (2, 1, 1, Some(50.0)));
        assert_eq!(b.controls["3.3"], Status::Fail, "B's own critical failure");
        assert_eq!(b.controls["3.4"], Status::Pass, "A's ERROR is not B's");
        assert!(c.controls.values().all(|st| *st == Status::Error), "an unscanned account is unknown on every control: {:?}", c.controls);
        // The organization's verdict is the worst over its accounts.
        let org = &s.frameworks["cis-6.0"];
        assert_eq!(org.controls.iter().find(|c| c.id == "3.4").unwrap().status, Status::Error);
        assert_eq!(org.controls.iter().find(|c| c.id == "3.3").unwrap().status, Status::Fail);
    }
}
