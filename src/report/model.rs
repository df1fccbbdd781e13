//! The report's types: the JSON contract of `architecture.md` (add fields, never rename).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{AccountStatus, BaselineClass, ScanMode, Scope, Severity, Status, Unavailable};

pub const SCHEMA_VERSION: &str = "1.0";

/// The JSON report written by `trailwarden scan -o json=PATH`. Stable contract: fields are added, never renamed or removed, within a schema_version major.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "trailwarden JSON report", extend("$id" = "https://github.com/trailwarden/trailwarden/report.schema.json"))]
pub struct Report {
    /// `1.MINOR`: the major changes only when a field is renamed or removed.
    #[schemars(pattern(r"^1\.[0-9]+$"))]
    pub schema_version: String,
    pub tool: Tool,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub checks: Vec<CheckInfo>,
    pub findings: Vec<Finding>,
    /// Present when `--baseline` was given.
    // Optional in the schema, as it always was: serde reads a missing `Option` as None.
    #[schemars(default)]
    pub baseline: Option<BaselineInfo>,
    /// The scores, computed from the findings as policy left them (see the README's
    /// "Scores"): per organization, account and framework control. A report written before
    /// the field existed reads as all-empty scores.
    #[serde(default)]
    pub scores: super::score::Scores,
    /// With `--history DIR`: failures over time and when each failure was first and last
    /// seen, from the JSON reports kept in DIR; null without it.
    #[serde(default)]
    pub history: Option<History>,
}

/// The trend over the reports of `--history DIR` and this scan (see the README's "Trend").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct History {
    /// The directory as given.
    pub dir: String,
    /// One point per report read, ordered by `scan.started_at` (ties by file name), then this
    /// scan as the last point.
    pub points: Vec<HistoryPoint>,
    /// This scan's failing findings (FAIL, suppressed or not) with the first scan that saw
    /// each fail; oldest first (then by check, account, resource).
    pub first_seen: Vec<FirstSeen>,
    /// Findings that failed in some report of the history and do not fail now (PASS, ERROR,
    /// NOT_APPLICABLE, or absent from this scan); most recently seen failing first.
    pub no_longer_failing: Vec<NoLongerFailing>,
}

/// One scan of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryPoint {
    /// When that scan started.
    pub started_at: DateTime<Utc>,
    /// The report file it was read from; null for this scan.
    pub path: Option<String>,
    /// Unsuppressed FAIL findings per severity (every severity present, 0 included).
    #[schemars(with = "super::CountsBy<Severity>")]
    pub failures: BTreeMap<Severity, usize>,
    /// ERROR findings (suppressed or not).
    pub errors: usize,
    /// Accounts in that scan's scope (`scan.accounts`, scanned or not).
    pub accounts: usize,
}

/// A failing finding of this scan, and since when it fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FirstSeen {
    /// The stable finding id.
    #[schemars(pattern(r"^[0-9a-f]{32}$"))]
    pub id: String,
    pub check: String,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    pub resource: String,
    /// Whether the failure is suppressed now.
    pub suppressed: bool,
    /// `started_at` of the earliest scan (of the history, or this one) in which this id was
    /// FAIL, continuously or not: a scan in between where it passed does not reset it.
    pub first_seen: DateTime<Utc>,
    /// In how many of the points (this scan included) it was FAIL.
    pub failed_in: usize,
}

/// A finding that failed in the history and does not fail in this scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoLongerFailing {
    #[schemars(pattern(r"^[0-9a-f]{32}$"))]
    pub id: String,
    /// Check, severity, account, region and resource as the last failing report had them.
    pub check: String,
    pub severity: Severity,
    pub account: String,
    pub region: Option<String>,
    pub resource: String,
    /// `started_at` of the earliest scan in which it was FAIL.
    pub first_seen: DateTime<Utc>,
    /// `started_at` of the latest scan in which it was FAIL.
    pub last_seen: DateTime<Utc>,
    /// Its status in this scan; null when this scan has no such finding (its resource is
    /// gone, or the account or check is outside this run).
    pub now: Option<Status>,
}

/// The baseline report a scan was compared with (`--baseline`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BaselineInfo {
    /// The baseline report's path as given.
    pub path: String,
    /// When the baseline scan started.
    pub started_at: DateTime<Utc>,
    /// Counts of findings per classification (`new`, `unchanged`, `fixed`).
    #[schemars(with = "super::CountsBy<BaselineClass>")]
    pub counts: BTreeMap<BaselineClass, usize>,
    /// Findings that failed in the baseline and are absent from this scan (resource gone).
    pub gone: Vec<Finding>,
}

/// The program that wrote the report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// What was scanned, when, and by whom.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ScanInfo {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub caller: Caller,
    /// The organization's id (`o-…`), or null when no organization was found.
    pub organization_id: Option<String>,
    pub mode: ScanMode,
    pub accounts: Vec<AccountInfo>,
    /// Every region evaluated in at least one account.
    pub regions: Vec<String>,
    /// What the collector decided about scope: accounts not ACTIVE, excluded, not found.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The run's effective selection and parameters, as settled from flags and the config.
    #[serde(default)]
    pub parameters: Option<RunParameters>,
    /// Organization scans: the organization's roots and OUs with their direct accounts, or
    /// why they could not be read. Null for a single-account scan and for a report of an
    /// inventory written before the tree was read.
    #[serde(default)]
    pub organization_tree: Option<OrganizationTree>,
}

/// The organization's tree as AWS Organizations lists it (`ListRoots`,
/// `ListOrganizationalUnitsForParent`, `ListAccountsForParent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationTree {
    /// The root first, then the OUs breadth first (siblings by name); empty when the tree
    /// could not be read.
    pub units: Vec<UnitInfo>,
    /// Why the tree could not be read (null when it was). Never a partial tree: without the
    /// whole tree there are no per-OU scores.
    pub unavailable: Option<Unavailable>,
}

/// One root (`r-…`) or organizational unit (`ou-…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitInfo {
    pub id: String,
    pub name: String,
    /// The parent root or OU; null for the root.
    pub parent: Option<String>,
    /// The accounts directly in it (not in its child OUs), in scope or not.
    pub accounts: Vec<String>,
}

/// What a run was asked to do, so a report says under which rules its verdicts were made.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunParameters {
    /// The checks that ran (after `select`/`ignore` of the config and the command line).
    pub selected_checks: Vec<String>,
    /// `--accounts` (empty: every account in scope).
    pub accounts: Vec<String>,
    /// `--exclude-accounts`.
    pub excluded_accounts: Vec<String>,
    /// `--regions` (null: the regions enabled in each account).
    pub regions: Option<Vec<String>>,
    /// CT307's minimum retention of log objects, in days.
    pub min_retention_days: u32,
    /// CT516's minimum retention of the trail log group, in days.
    pub min_log_group_retention_days: u32,
    /// CT209's central bucket (null: not checked).
    pub central_bucket: Option<String>,
    /// CT517's allowed regions (null: not checked).
    pub allowed_regions: Option<Vec<String>>,
    /// The CIS version whose samples judged metric filters (CT5xx).
    pub cis_version: Option<String>,
    /// `--fail-on`.
    pub fail_on: Severity,
    /// `--verify-integrity`: the window whose digest chains and log files were verified
    /// (CT601/CT602); null when the scan did not verify them (those checks then report nothing).
    #[serde(default)]
    pub integrity_window: Option<IntegrityWindow>,
}

/// The span `--verify-integrity` covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IntegrityWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The identity the scan ran as (STS GetCallerIdentity).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
}

/// One account in scope.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AccountInfo {
    pub id: String,
    pub name: Option<String>,
    pub status: AccountStatus,
    /// Why the account could not be scanned.
    pub reason: Option<String>,
    pub regions: Vec<String>,
}

/// Counts of the findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Findings per status (suppressed findings included, and counted again under `suppressed`).
    #[schemars(with = "super::CountsBy<Status>")]
    pub by_status: BTreeMap<String, usize>,
    /// Per severity: findings per status.
    #[schemars(with = "BTreeMap<Severity, super::CountsBy<Status>>")]
    pub by_severity: BTreeMap<String, BTreeMap<String, usize>>,
    pub suppressed: usize,
}

/// One check that was run.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CheckInfo {
    #[schemars(pattern(r"^CT[0-9]{3}$"))]
    pub code: String,
    /// The kebab-case name (`log-file-validation-disabled`).
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    /// Framework key (cis-3.0, cis-4.0, cis-5.0, cis-6.0, securityhub, aws-config, nist-800-53-r5, pci-dss-4.0, soc2) to control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
}

/// The verdict of one check on one resource.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable fingerprint of check + account + region + resource.
    #[schemars(pattern(r"^[0-9a-f]{32}$"))]
    pub id: String,
    /// The check's code.
    #[schemars(pattern(r"^CT[0-9]{3}$"))]
    pub check: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    /// The region judged, or null for an account-wide finding (the other formats write
    /// `global`).
    pub region: Option<String>,
    /// ARN or name of what was judged.
    pub resource: String,
    pub message: String,
    /// The observed values that led to the verdict (free-form JSON).
    // Shared: findings with equal evidence (every member judged on the one organization
    // trail) hold one copy; at 1,000 accounts 26,896 findings have 1,430 distinct values.
    #[schemars(with = "serde_json::Value")]
    #[serde(with = "shared_evidence")]
    pub evidence: Evidence,
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
    /// For FAIL: the fix for this resource — the CLI commands and Terraform with the
    /// finding's resource, account and region filled in (`<…>` marks what is still yours to
    /// choose). Null otherwise, and for checks whose fix has no resource to name (the
    /// check's documentation keeps the generic fix).
    #[serde(default)]
    pub remediation: Option<Remediation>,
}

/// A finding's evidence, shared between findings whose evidence is equal.
pub type Evidence = std::sync::Arc<serde_json::Value>;

/// (De)serialises [`Evidence`] as the plain JSON value it shares (serde's own `Arc` support
/// is behind its `rc` feature, which would rebuild every crate that uses serde).
mod shared_evidence {
    pub fn serialize<S: serde::Serializer>(value: &super::Evidence, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&**value, serializer)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<super::Evidence, D::Error> {
        <serde_json::Value as serde::Deserialize>::deserialize(deserializer).map(super::Evidence::new)
    }
}

/// What every format other than JSON shows as the region of an account-wide finding (JSON
/// has `null`): one value, so a CSV, SARIF or OCSF row groups with the HTML's and Markdown's.
/// `global` because that is what AWS calls resources with no region (IAM, CloudFront).
pub const ACCOUNT_WIDE_REGION: &str = "global";

#[cfg(test)]
impl Finding {
    /// A judged finding with nothing attached (no message, evidence, suppression, baseline,
    /// cause or fix), for the report's unit tests.
    pub(crate) fn bare(check: &str, status: Status, severity: Severity, account: &str, region: Option<&str>, resource: &str) -> Finding {
        Finding {
            id: super::finding_id(check, account, region, resource),
            check: check.into(),
            status,
            severity,
            account: account.into(),
            region: region.map(str::to_string),
            resource: resource.into(),
            message: String::new(),
            evidence: Default::default(),
            suppression: None,
            expired_suppression: None,
            baseline: None,
            cause: None,
            remediation: None,
        }
    }
}

impl Finding {
    /// The region as every format but JSON shows it.
    pub fn region_label(&self) -> &str {
        self.region.as_deref().unwrap_or(ACCOUNT_WIDE_REGION)
    }
}

/// The fix of one failing finding, for its actual resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Remediation {
    /// What the change is made on (a trail, bucket, key or log group ARN, or the account id):
    /// findings with the same check and target are fixed by the same change.
    pub target: String,
    /// The account the change is made in.
    pub account: String,
    /// The region the change is made in (null for a global resource).
    pub region: Option<String>,
    /// AWS CLI commands.
    pub cli: String,
    /// The Terraform attribute or resource that fixes it (null when the check has none).
    pub terraform: Option<String>,
}

/// A `[[suppress]]` entry of the config file that matched a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Suppression {
    pub reason: String,
    /// The date it expires (`YYYY-MM-DD`), or null for never.
    pub expires: Option<String>,
}

