//! The baseline comparison: every finding classified against a previous JSON report by its
//! stable id.

use std::collections::BTreeMap;

use crate::model::{BaselineClass, Status};
use crate::report::{BaselineInfo, Finding, Report, SCHEMA_VERSION};

/// A baseline file that cannot be compared; the message names the file and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BaselineError(String);

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
pub fn apply_baseline(report: &mut Report, path: &str, text: &str) -> Result<(), BaselineError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        BaselineError(format!("baseline {path}: line {} column {}: not valid JSON ({e}); give a JSON report written by `trailwarden scan -o json=PATH`", e.line(), e.column()))
    })?;
    let version = value.get("schema_version").and_then(|v| v.as_str()).ok_or_else(|| {
        BaselineError(format!("baseline {path}: no `schema_version`: this is not a trailwarden JSON report (write one with `trailwarden scan -o json=PATH`)"))
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
    if major(version) != major(SCHEMA_VERSION) {
        return Err(BaselineError(format!(
            "baseline {path}: schema_version {version} cannot be compared with this trailwarden's {SCHEMA_VERSION}; re-create the baseline with this version"
        )));
    }
    let baseline: BaselineReport = serde_json::from_value(value).map_err(|e| BaselineError(format!("baseline {path}: {e}; the file is not a complete trailwarden JSON report")))?;
    let _ = baseline.schema_version;
    let before: BTreeMap<&str, &Finding> = baseline.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut counts: BTreeMap<BaselineClass, usize> = BaselineClass::ALL.iter().map(|k| (*k, 0)).collect();
    for finding in &mut report.findings {
        let was_failing = before.get(finding.id.as_str()).is_some_and(|b| b.status == Status::Fail);
        let failing = finding.status == Status::Fail;
        let class = match (was_failing, failing) {
            (false, true) => BaselineClass::New,
            (true, false) => BaselineClass::Fixed,
            _ => BaselineClass::Unchanged,
        };
        finding.baseline = Some(class);
        *counts.entry(class).or_default() += 1;
    }
    let current: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let gone: Vec<Finding> = baseline
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && !current.contains(f.id.as_str()))
        .cloned()
        .map(|mut f| {
            f.baseline = Some(BaselineClass::Fixed);
            f
        })
        .collect();
    *counts.entry(BaselineClass::Fixed).or_default() += gone.len();
    report.baseline = Some(BaselineInfo { path: path.to_string(), started_at: baseline.scan.started_at, counts, gone });
    Ok(())
}

