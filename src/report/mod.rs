//! The report: the stable, documented view of a scan that every output format renders.
//!
//! [`Report`] is the JSON contract of `architecture.md` (keep it stable: add fields, never
//! rename). It is built once from the inventory, the outcomes and the policy, then handed to
//! one [`Renderer`] per requested format. Renderers only format; they never re-judge.
//! Files are written atomically (temp file + rename) so a crash never leaves a half report.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
pub mod summary;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checks::metadata::{self, Severity};
use crate::checks::{Outcome, Status};
use crate::inventory::{Fact, Inventory, ScanMode};

pub const SCHEMA_VERSION: &str = "1.0";

/// The JSON Schema of [`Report`], published in the repository and by `trailwarden schema`.
pub const JSON_SCHEMA: &str = include_str!("report.schema.json");

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
    pub counts: BTreeMap<String, usize>,
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
    /// `organization` or `account`.
    pub mode: String,
    pub accounts: Vec<AccountInfo>,
    /// Every region evaluated in at least one account.
    pub regions: Vec<String>,
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
    /// `scanned` or `not_scanned`.
    pub status: String,
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
    pub scope: String,
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
    pub baseline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub reason: String,
    pub expires: Option<String>,
}

/// `sha256(check | account | region | resource)`, first 16 bytes in hex.
pub fn finding_id(check: &str, account: &str, region: Option<&str>, resource: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [check, account, region.unwrap_or(""), resource] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl Report {
    /// Assemble the report. `severity_of` lets policy override a check's default severity.
    pub fn build(inventory: &Inventory, outcomes: Vec<Outcome>, selected_checks: &[&str], severity_of: impl Fn(&str) -> Severity) -> Report {
        let checks: Vec<CheckInfo> = metadata::all()
            .iter()
            .filter(|m| selected_checks.contains(&m.code.as_str()))
            .map(|m| CheckInfo {
                code: m.code.clone(),
                name: m.name.clone(),
                title: m.title.clone(),
                severity: severity_of(&m.code),
                scope: m.scope.clone(),
                frameworks: m.frameworks.clone(),
            })
            .collect();
        let findings: Vec<Finding> = outcomes
            .into_iter()
            .map(|o| Finding {
                id: finding_id(&o.check, &o.account, o.region.as_deref(), &o.resource),
                severity: severity_of(&o.check),
                check: o.check,
                status: o.status,
                account: o.account,
                region: o.region,
                resource: o.resource,
                message: o.message,
                evidence: o.evidence,
                suppression: None,
                expired_suppression: None,
                baseline: None,
            })
            .collect();
        let mut regions: Vec<String> = inventory.accounts.iter().filter_map(|a| a.regions.present()).flatten().cloned().collect();
        regions.sort();
        regions.dedup();
        let mut report = Report {
            schema_version: SCHEMA_VERSION.to_string(),
            tool: Tool { name: inventory.scan.tool_name.clone(), version: inventory.scan.tool_version.clone() },
            scan: ScanInfo {
                started_at: inventory.scan.started_at,
                finished_at: inventory.scan.finished_at,
                caller: Caller { account_id: inventory.scan.caller.account_id.clone(), arn: inventory.scan.caller.arn.clone() },
                organization_id: inventory.organization.as_ref().map(|o| o.id.clone()),
                mode: match inventory.scan.mode {
                    ScanMode::Organization => "organization".into(),
                    ScanMode::Account => "account".into(),
                },
                accounts: inventory
                    .accounts
                    .iter()
                    .map(|a| AccountInfo {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        status: if matches!(a.access, Fact::Present(_)) { "scanned".into() } else { "not_scanned".into() },
                        reason: a.access.unavailable_reason().map(str::to_string),
                        regions: a.regions.present().cloned().unwrap_or_default(),
                    })
                    .collect(),
                regions,
            },
            summary: Summary::default(),
            checks,
            findings,
            baseline: None,
        };
        report.recount();
        report
    }

    /// Recompute the summary from the findings (after policy changed severities or suppressions).
    pub fn recount(&mut self) {
        let mut summary = Summary::default();
        for status in Status::ALL {
            summary.by_status.insert(status.as_str().to_string(), 0);
        }
        for f in &self.findings {
            *summary.by_status.entry(f.status.as_str().to_string()).or_default() += 1;
            *summary.by_severity.entry(f.severity.as_str().to_string()).or_default().entry(f.status.as_str().to_string()).or_default() += 1;
            if f.suppression.is_some() {
                summary.suppressed += 1;
            }
        }
        self.summary = summary;
    }
}

/// What renderers may need beyond the report itself.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    /// The config file in use (`--config` or ./trailwarden.toml), if any.
    pub config_path: Option<String>,
    /// SARIF: the file every result is located in (`--sarif-artifact`; default the config file, else `trailwarden.toml`).
    pub sarif_artifact: Option<String>,
    /// HTML framework view: a framework key such as `cis-5.0` (`--framework`).
    pub framework: String,
    /// SHA-256 (hex) of the JSON report rendered from the same report, for the HTML header.
    pub json_sha256: Option<String>,
    /// SHA-256 (hex) of the inventory file the report was evaluated from, when there is one.
    pub inventory_sha256: Option<String>,
}

/// One output format.
pub trait Renderer {
    fn render(&self, report: &Report, ctx: &RenderContext) -> Result<Vec<u8>, String>;
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, then rename.
/// `-` writes to stdout.
pub fn write_atomic(path: &str, bytes: &[u8]) -> Result<(), String> {
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| format!("cannot write to stdout: {e}"));
    }
    let target = Path::new(path);
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = target.file_name().ok_or_else(|| format!("{path}: not a file path"))?.to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {path}: {e}")
    })
}

/// Check before a long scan that `path` can be written (its directory exists and is writable),
/// without leaving anything behind.
pub fn check_writable(path: &str) -> Result<(), String> {
    if path == "-" {
        return Ok(());
    }
    let target = Path::new(path);
    if target.is_dir() {
        return Err(format!("{path}: is a directory; give a file path"));
    }
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(format!("{path}: directory {} does not exist; create it first", dir.display()));
    }
    let probe = dir.join(format!(".trailwarden-probe.{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|e| format!("{path}: cannot write in {}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
