//! The report's types: the JSON contract of `architecture.md` (add fields, never rename).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{AccountStatus, BaselineClass, ScanMode, Scope, Severity, Status, Unavailable};

pub const SCHEMA_VERSION: &str = "1.0";


#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub checks: Vec<CheckInfo>,
    pub findings: Vec<Finding>,
    /// Present when `--baseline` was given.
    pub baseline: Option<BaselineInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineInfo {
    /// The baseline report's path as given.
    pub path: String,
    /// When the baseline scan started.
    pub started_at: DateTime<Utc>,
    /// Counts of findings per classification (`new`, `unchanged`, `fixed`).
    pub counts: BTreeMap<BaselineClass, usize>,
    /// Findings that failed in the baseline and are absent from this scan (resource gone).
    pub gone: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanInfo {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub caller: Caller,
    pub organization_id: Option<String>,
    pub mode: ScanMode,
    pub accounts: Vec<AccountInfo>,
    /// Every region evaluated in at least one account.
    pub regions: Vec<String>,
    /// What the collector decided about scope: accounts not ACTIVE, excluded, not found.
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: String,
    pub name: Option<String>,
    pub status: AccountStatus,
    /// Why the account could not be scanned.
    pub reason: Option<String>,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Findings per status (suppressed findings included, and counted again under `suppressed`).
    pub by_status: BTreeMap<String, usize>,
    /// Per severity: findings per status.
    pub by_severity: BTreeMap<String, BTreeMap<String, usize>>,
    pub suppressed: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckInfo {
    pub code: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    pub frameworks: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// Stable fingerprint of check + account + region + resource.
    pub id: String,
    pub check: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    pub resource: String,
    pub message: String,
    pub evidence: serde_json::Value,
    /// The suppression in force, or null.
    pub suppression: Option<Suppression>,
    /// A suppression that matched but has expired, so no longer applies (null when none).
    #[serde(default)]
    pub expired_suppression: Option<Suppression>,
    /// With `--baseline`: `new` (fails now, did not before), `fixed` (failed before, does not
    /// now) or `unchanged`; null without a baseline.
    #[serde(default)]
    pub baseline: Option<BaselineClass>,
    /// For ERROR: why the evidence could not be read — `kind` (access_denied, not_found,
    /// owner_outside_scan, throttled, timed_out, service_error, not_scanned), the IAM
    /// `action`, and the `message`. Null otherwise.
    #[serde(default)]
    pub cause: Option<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub reason: String,
    pub expires: Option<String>,
}

