//! A previous JSON report read back: the one reader `--baseline` (policy) and `--history`
//! (app, then [`super::history`]) share, so both accept and refuse the same files.
//!
//! It checks the file is JSON, that it is a trailwarden report (a top-level string
//! `schema_version`), that its schema major version is this trailwarden's, and that it holds
//! the parts a comparison needs (`scan.started_at`, `scan.accounts`, `findings`). It reads
//! only the text it is handed: the caller reads the file.

use chrono::{DateTime, Utc};

use super::model::{AccountInfo, Finding, SCHEMA_VERSION};

/// The parts of a previous JSON report that a comparison needs.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PreviousReport {
    pub scan: PreviousScan,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct PreviousScan {
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub accounts: Vec<AccountInfo>,
}

/// Why a file is not a previous report this trailwarden can compare with. Each message
/// starts with `{what} {path}:` and ends with the fix.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviousError {
    /// Not valid JSON.
    Corrupt(String),
    /// Valid JSON, but no `schema_version`: some other file, not a trailwarden report.
    NotAReport(String),
    /// A trailwarden report of another schema major version.
    OtherVersion(String),
    /// It says it is a report, but parts a comparison needs are missing or malformed.
    Incomplete(String),
}

impl PreviousError {
    pub fn message(&self) -> &str {
        match self {
            PreviousError::Corrupt(m) | PreviousError::NotAReport(m) | PreviousError::OtherVersion(m) | PreviousError::Incomplete(m) => m,
        }
    }
}

impl std::fmt::Display for PreviousError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Read `text`, the content of `path`, as a previous JSON report; `what` names the input in
/// messages (`baseline`, `--history`).
pub fn read_previous(what: &str, path: &str, text: &str) -> Result<PreviousReport, PreviousError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        PreviousError::Corrupt(format!("{what} {path}: line {} column {}: not valid JSON ({e}); give a JSON report written by `trailwarden scan -o json=PATH`", e.line(), e.column()))
    })?;
    let version = value.get("schema_version").and_then(|v| v.as_str()).ok_or_else(|| {
        PreviousError::NotAReport(format!("{what} {path}: no `schema_version`: this is not a trailwarden JSON report (write one with `trailwarden scan -o json=PATH`)"))
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
    if major(version) != major(SCHEMA_VERSION) {
        return Err(PreviousError::OtherVersion(format!(
            "{what} {path}: schema_version {version} cannot be compared with this trailwarden's {SCHEMA_VERSION}; re-create the {what} file with this version"
        )));
    }
    serde_json::from_value(value).map_err(|e| PreviousError::Incomplete(format!("{what} {path}: {e}; the file is not a complete trailwarden JSON report")))
}
