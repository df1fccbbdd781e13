//! The human summary printed to stdout: what was scanned, every failure and error (most
//! severe first), what could not be scanned, and the counts.

use std::fmt::Write;

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Report};
use crate::model::{AccountStatus, ScanMode, Status};

pub struct Summary;

impl Renderer for Summary {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut out = String::new();
        let scope = match &report.scan.organization_id {
            Some(org) if report.scan.mode == ScanMode::Organization => format!("organization {org}"),
            _ => "account".to_string(),
        };
        let _ = writeln!(
            out,
            "{} {}: {} scan, {} account(s), {} region(s), by {}",
            report.tool.name,
            report.tool.version,
            scope,
            report.scan.accounts.len(),
            report.scan.regions.len(),
            report.scan.caller.arn
        );
        let _ = writeln!(out, "started {}  finished {}", report.scan.started_at.to_rfc3339(), report.scan.finished_at.to_rfc3339());

        // Accounts that could not be scanned get one line under "Not scanned" instead of one
        // ERROR line per check (the JSON report keeps every outcome).
        let not_scanned: Vec<_> = report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).collect();
        let unscanned = |account: &str| not_scanned.iter().any(|a| a.id == account);
        let mut notable: Vec<_> = report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .filter(|f| !(f.status == Status::Error && unscanned(&f.account)))
            .collect();
        notable.sort_by(|a, b| (a.status, std::cmp::Reverse(a.severity), &a.check, &a.account, &a.resource).cmp(&(b.status, std::cmp::Reverse(b.severity), &b.check, &b.account, &b.resource)));
        if !notable.is_empty() {
            let _ = writeln!(out);
        }
        for f in notable {
            let suppressed = if f.suppression.is_some() { " (suppressed)" } else { "" };
            let region = f.region_label();
            let _ = writeln!(out, "{:<5} {:<8} {} {} {} {}: {}{}", f.status.as_str(), f.severity.as_str(), f.check, f.account, region, f.resource, f.message, suppressed);
        }

        if !not_scanned.is_empty() {
            let _ = writeln!(out, "\nNot scanned (every check of these accounts is ERROR):");
            for a in &not_scanned {
                let name = a.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                let errors = report.findings.iter().filter(|f| f.account == a.id && f.status == Status::Error).count();
                let outcomes = if errors == 0 { "no outcome of the selected checks, still unread".to_string() } else { format!("{errors} ERROR outcomes") };
                let _ = writeln!(out, "  {}{}: {} [{outcomes}]", a.id, name, a.reason.as_deref().unwrap_or("unknown reason"));
            }
        }

        let causes = report.errors_by_cause();
        if !causes.is_empty() {
            let parts: Vec<String> = causes.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let _ = writeln!(out, "\nCould not be read, by cause: {}", parts.join(", "));
        }
        if !report.scan.notes.is_empty() {
            let _ = writeln!(out, "\nScope notes:");
            for note in &report.scan.notes {
                let _ = writeln!(out, "  {note}");
            }
        }

        let count = |s: Status| report.summary.by_status.get(s.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "\n{} PASS, {} FAIL, {} ERROR, {} NOT_APPLICABLE ({} suppressed)",
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Error),
            count(Status::NotApplicable),
            report.summary.suppressed
        );
        let failing: Vec<String> = crate::checks::metadata::Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = report.summary.by_severity.get(sev.as_str()).and_then(|m| m.get("FAIL")).copied().unwrap_or(0);
                (n > 0).then(|| format!("{} {n}", sev.as_str()))
            })
            .collect();
        if !failing.is_empty() {
            let _ = writeln!(out, "failures by severity: {}", failing.join(", "));
        }
        Ok(out.into_bytes())
    }
}
