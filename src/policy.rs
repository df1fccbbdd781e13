//! Policy: what the team decided, applied to a finished report.
//!
//! Runs after evaluation and before rendering: suppressions (each with a reason; expired ones
//! stop applying and say so; unmatched ones are warned about), the baseline comparison
//! (new / unchanged / fixed by stable finding id), and the exit code. It never changes a
//! verdict: a suppressed FAIL is still a FAIL, flagged with its reason.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::checks::Status;
use crate::checks::metadata::Severity;
use crate::config::Suppression as Rule;
use crate::report::{BaselineInfo, Finding, Report, SCHEMA_VERSION, Suppression};

/// Apply suppressions to FAIL and ERROR findings. Returns warnings for stderr: expired
/// suppressions that matched, and suppressions that matched no failing finding.
pub fn apply_suppressions(report: &mut Report, rules: &[Rule], today: NaiveDate) -> Vec<String> {
    let mut matched = vec![false; rules.len()];
    let mut warnings = Vec::new();
    for finding in report.findings.iter_mut().filter(|f| matches!(f.status, Status::Fail | Status::Error)) {
        for (i, rule) in rules.iter().enumerate() {
            if !rule_matches(rule, finding) {
                continue;
            }
            matched[i] = true;
            let as_reported = Suppression { reason: rule.reason.clone(), expires: rule.expires.map(|d| d.to_string()) };
            match rule.expires {
                Some(expires) if today > expires => {
                    if finding.suppression.is_none() && finding.expired_suppression.is_none() {
                        finding.expired_suppression = Some(as_reported);
                        warnings.push(format!(
                            "{}: suppression expired on {expires}; {} {} fails again",
                            rule.location, finding.check, finding.resource
                        ));
                    }
                }
                _ => {
                    if finding.suppression.is_none() {
                        finding.suppression = Some(as_reported);
                        finding.expired_suppression = None;
                    }
                }
            }
        }
    }
    for (rule, used) in rules.iter().zip(matched) {
        if !used {
            warnings.push(format!("{}: suppression for {} matched no failing finding; remove it if the risk is gone", rule.location, rule.check));
        }
    }
    report.recount();
    warnings
}

fn rule_matches(rule: &Rule, finding: &Finding) -> bool {
    let field = |matcher: &Option<globset::GlobMatcher>, value: &str| matcher.as_ref().is_none_or(|m| m.is_match(value));
    finding.check.starts_with(&rule.check)
        && field(&rule.account, &finding.account)
        && field(&rule.region, finding.region.as_deref().unwrap_or(""))
        && field(&rule.resource, &finding.resource)
}

/// The parts of a previous JSON report the baseline comparison needs.
#[derive(Debug, serde::Deserialize)]
struct BaselineReport {
    schema_version: String,
    scan: BaselineScan,
    findings: Vec<Finding>,
}

#[derive(Debug, serde::Deserialize)]
struct BaselineScan {
    started_at: chrono::DateTime<chrono::Utc>,
}

/// Classify every finding against a previous JSON report. A report of another schema major
/// version, or a file that is not a trailwarden report, is an error, never a silent pass.
pub fn apply_baseline(report: &mut Report, path: &str, text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!("baseline {path}: line {} column {}: not valid JSON ({e}); give a JSON report written by `trailwarden scan -o json=PATH`", e.line(), e.column())
    })?;
    let version = value.get("schema_version").and_then(|v| v.as_str()).ok_or_else(|| {
        format!("baseline {path}: no `schema_version`: this is not a trailwarden JSON report (write one with `trailwarden scan -o json=PATH`)")
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
    if major(version) != major(SCHEMA_VERSION) {
        return Err(format!(
            "baseline {path}: schema_version {version} cannot be compared with this trailwarden's {SCHEMA_VERSION}; re-create the baseline with this version"
        ));
    }
    let baseline: BaselineReport = serde_json::from_value(value).map_err(|e| format!("baseline {path}: {e}; the file is not a complete trailwarden JSON report"))?;
    let _ = baseline.schema_version;
    let before: BTreeMap<&str, &Finding> = baseline.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut counts: BTreeMap<String, usize> = ["new", "unchanged", "fixed"].iter().map(|k| (k.to_string(), 0)).collect();
    for finding in &mut report.findings {
        let was_failing = before.get(finding.id.as_str()).is_some_and(|b| b.status == Status::Fail);
        let failing = finding.status == Status::Fail;
        let class = match (was_failing, failing) {
            (false, true) => "new",
            (true, false) => "fixed",
            _ => "unchanged",
        };
        finding.baseline = Some(class.to_string());
        *counts.entry(class.to_string()).or_default() += 1;
    }
    let current: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let gone: Vec<Finding> = baseline
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && !current.contains(f.id.as_str()))
        .cloned()
        .map(|mut f| {
            f.baseline = Some("fixed".to_string());
            f
        })
        .collect();
    *counts.entry("fixed".to_string()).or_default() += gone.len();
    report.baseline = Some(BaselineInfo { path: path.to_string(), started_at: baseline.scan.started_at, counts, gone });
    Ok(())
}

/// 1 when an unsuppressed failure is at or above `fail_on` (only new ones with `only_new`);
/// else 3 when evidence is missing (unless allowed); else 0. A failure outranks incompleteness.
pub fn exit_code(report: &Report, fail_on: Severity, only_new: bool, allow_incomplete: bool) -> u8 {
    let active = || report.findings.iter().filter(|f| f.suppression.is_none());
    let counts = |f: &&Finding| !only_new || f.baseline.as_deref() == Some("new");
    if active().filter(counts).any(|f| f.status == Status::Fail && f.severity >= fail_on) {
        crate::cli::EXIT_FAILURES
    } else if !allow_incomplete && active().any(|f| f.status == Status::Error) {
        crate::cli::EXIT_INCOMPLETE
    } else {
        crate::cli::EXIT_OK
    }
}
