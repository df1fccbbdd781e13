//! `-o csv=PATH`: one row per finding, for spreadsheets.
//!
//! Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
//! carriage return) get a leading `'`, so an AWS-supplied name cannot inject a formula.

use super::{RenderContext, Renderer, Report};
use crate::checks::metadata;

pub struct Csv;

const HEADER: [&str; 15] = [
    "id", "check", "name", "title", "status", "severity", "account", "region", "resource", "message", "suppressed",
    "suppression_reason", "suppression_expires", "baseline", "evidence",
];

/// Neutralise spreadsheet formula injection (OWASP CSV injection).
pub fn cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

impl Renderer for Csv {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER).map_err(|e| e.to_string())?;
        for f in &report.findings {
            let meta = metadata::get(&f.check);
            let record = [
                f.id.clone(),
                f.check.clone(),
                meta.map(|m| m.name.clone()).unwrap_or_default(),
                meta.map(|m| m.title.clone()).unwrap_or_default(),
                f.status.as_str().to_string(),
                f.severity.as_str().to_string(),
                f.account.clone(),
                f.region.clone().unwrap_or_default(),
                f.resource.clone(),
                f.message.clone(),
                f.suppression.is_some().to_string(),
                f.suppression.as_ref().map(|s| s.reason.clone()).unwrap_or_default(),
                f.suppression.as_ref().and_then(|s| s.expires.clone()).unwrap_or_default(),
                f.baseline.clone().unwrap_or_default(),
                serde_json::to_string(&f.evidence).unwrap_or_default(),
            ];
            writer.write_record(record.iter().map(|v| cell(v))).map_err(|e| e.to_string())?;
        }
        writer.into_inner().map_err(|e| e.to_string())
    }
}
