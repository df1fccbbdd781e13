//! `-o csv=PATH`: one row per finding (every status), for spreadsheets and ad-hoc analysis.
//!
//! Columns: [`HEADER`]. `account` is the id behind a `'` (see [`account_as_text`]) and
//! `account_name` its name in the organization (empty outside one). `suppressed` is `true`/`false`; `region` is
//! `global` for an account-wide finding; `suppression_*` and `baseline` are empty when there is none; `evidence` is compact JSON; `fix_cli` and `fix_terraform` are
//! the report's fix for the finding's resource (FAIL only, else empty). Quoting (commas, quotes, newlines)
//! is the `csv` crate's, RFC 4180 style, UTF-8 without a byte-order mark.
//!
//! Formula injection (OWASP "CSV injection"): a spreadsheet runs a cell that starts with `=`,
//! `+`, `-` or `@` as a formula, and tab or carriage return can smuggle one in. Trail, bucket
//! and key names, messages and evidence are AWS-supplied, so every cell that starts with one of
//! those characters gets a leading `'`, which spreadsheets treat as "text" and do not display.
//! Programs that read the CSV as data see the `'`: strip it there, or use the JSON report.

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Report};
use crate::checks::metadata;

pub struct Csv;

pub const HEADER: [&str; 18] = [
    "id",
    "check",
    "name",
    "title",
    "status",
    "severity",
    "account",
    "region",
    "resource",
    "message",
    "suppressed",
    "suppression_reason",
    "suppression_expires",
    "baseline",
    "evidence",
    "fix_cli",
    "fix_terraform",
    "account_name",
];

/// An account id as text: a spreadsheet reads `012345678901` as the number 12345678901 (and
/// shows long ones in scientific notation), so the id gets the same leading `'` as a guarded
/// formula cell: shown as the 12 digits, kept as text.
pub fn account_as_text(id: &str) -> String {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) { format!("'{id}") } else { id.to_string() }
}

/// Neutralise spreadsheet formula injection: prefix `'` to a cell starting with `=`, `+`, `-`,
/// `@`, tab or carriage return.
pub fn cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

impl Renderer for Csv {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER).map_err(|e| RenderError::new("CSV", e.to_string()))?;
        for f in &report.findings {
            let (name, title) = match report.checks.iter().find(|c| c.code == f.check) {
                Some(c) => (c.name.clone(), c.title.clone()),
                None => metadata::get(&f.check).map(|m| (m.name.clone(), m.title.clone())).unwrap_or_default(),
            };
            let record = [
                f.id.clone(),
                f.check.clone(),
                name,
                title,
                f.status.as_str().to_string(),
                f.severity.as_str().to_string(),
                account_as_text(&f.account),
                f.region_label().to_string(),
                f.resource.clone(),
                f.message.clone(),
                f.suppression.is_some().to_string(),
                f.suppression.as_ref().map(|s| s.reason.clone()).unwrap_or_default(),
                f.suppression.as_ref().and_then(|s| s.expires.clone()).unwrap_or_default(),
                f.baseline.map(|b| b.as_str().to_string()).unwrap_or_default(),
                serde_json::to_string(&*f.evidence).map_err(|e| RenderError::new("CSV", e.to_string()))?,
                f.remediation.as_ref().map(|r| r.cli.clone()).unwrap_or_default(),
                f.remediation.as_ref().and_then(|r| r.terraform.clone()).unwrap_or_default(),
                report.scan.accounts.iter().find(|a| a.id == f.account).and_then(|a| a.name.clone()).unwrap_or_default(),
            ];
            writer.write_record(record.iter().map(|v| cell(v))).map_err(|e| RenderError::new("CSV", e.to_string()))?;
        }
        writer.into_inner().map_err(|e| RenderError::new("CSV", e.to_string()))
    }
}
