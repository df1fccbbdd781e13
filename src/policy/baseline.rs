//! The baseline comparison: every finding classified against a previous JSON report by its
//! stable id.

use std::collections::BTreeMap;

use crate::model::{AccountStatus, BaselineClass, Status};
use crate::report::{BaselineInfo, Finding, Report, read_previous};

/// A baseline file that cannot be compared; the message names the file and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BaselineError(String);

/// Classify every finding against a previous JSON report. A report of another schema major
/// version, or a file that is not a trailwarden report, is an error, never a silent pass.
pub fn apply_baseline(report: &mut Report, path: &str, text: &str) -> Result<(), BaselineError> {
    let baseline = read_previous("baseline", path, text).map_err(|e| BaselineError(e.message().to_string()))?;
    let before: BTreeMap<&str, &Finding> = baseline.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut counts: BTreeMap<BaselineClass, usize> = BaselineClass::ALL.iter().map(|k| (*k, 0)).collect();
    for finding in &mut report.findings {
        let class = classify(before.get(finding.id.as_str()).map(|b| b.status), finding.status);
        finding.baseline = Some(class);
        *counts.entry(class).or_default() += 1;
    }
    // A failure of the baseline that has no finding now is fixed only when its resource is
    // gone from an account this run scanned, with its check selected; otherwise this run did
    // not look, and it cannot be compared.
    let current: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let scanned: std::collections::BTreeSet<&str> = report.scan.accounts.iter().filter(|a| a.status == AccountStatus::Scanned).map(|a| a.id.as_str()).collect();
    let selected: std::collections::BTreeSet<&str> = report.checks.iter().map(|c| c.code.as_str()).collect();
    let gone: Vec<Finding> = baseline
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && !current.contains(f.id.as_str()))
        .cloned()
        .map(|mut f| {
            let looked = scanned.contains(f.account.as_str()) && selected.contains(f.check.as_str());
            f.baseline = Some(if looked { BaselineClass::Fixed } else { BaselineClass::NotCompared });
            f
        })
        .collect();
    for f in &gone {
        *counts.entry(f.baseline.unwrap_or(BaselineClass::NotCompared)).or_default() += 1;
    }
    report.baseline = Some(BaselineInfo { path: path.to_string(), started_at: baseline.scan.started_at, counts, gone });
    Ok(())
}

/// The class of one finding, from its status in the baseline (None: no such finding then)
/// and now. Only a real PASS is "fixed"; what cannot be judged now is "not compared".
pub fn classify(before: Option<Status>, now: Status) -> BaselineClass {
    match (before, now) {
        (_, Status::Error) => BaselineClass::NotCompared,
        (Some(Status::Fail), Status::Fail) => BaselineClass::Unchanged,
        (_, Status::Fail) => BaselineClass::New,
        (Some(Status::Fail), Status::Pass) => BaselineClass::Fixed,
        (Some(Status::Fail), Status::NotApplicable) => BaselineClass::NotCompared,
        _ => BaselineClass::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_real_pass_is_fixed_and_unreadable_is_not_compared() {
        use Status::*;
        assert_eq!(classify(Some(Fail), Pass), BaselineClass::Fixed);
        assert_eq!(classify(Some(Fail), Error), BaselineClass::NotCompared);
        assert_eq!(classify(Some(Pass), Error), BaselineClass::NotCompared);
        assert_eq!(classify(Some(Fail), NotApplicable), BaselineClass::NotCompared);
        assert_eq!(classify(Some(Fail), Fail), BaselineClass::Unchanged);
        assert_eq!(classify(Some(Pass), Fail), BaselineClass::New);
        assert_eq!(classify(Some(Error), Fail), BaselineClass::New);
        assert_eq!(classify(None, Fail), BaselineClass::New);
        assert_eq!(classify(None, Pass), BaselineClass::Unchanged);
    }
}
