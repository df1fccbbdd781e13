//! The trend section (`--history DIR`): failures by severity per scan, as a stacked bar chart
//! and the same numbers as a table, then the failures of this scan by when they were first
//! seen and the failures of the history that no longer fail.
//!
//! Why it exists: the history is computed in the report (`history`); this module only turns
//! it into rows and hands the counts to `charts` for the geometry. It never re-judges: what
//! failed when, and since when, is the report's.

use serde::Serialize;

use super::charts::{self, HistoryChart};
use crate::model::Severity;
use crate::report::Report;

#[derive(Serialize)]
pub(super) struct HistorySection {
    history: Option<HistoryView>,
}

#[derive(Serialize)]
struct HistoryView {
    dir: String,
    reports: usize,
    severities: Vec<&'static str>,
    chart: HistoryChart,
    points: Vec<PointRow>,
    first_seen: Vec<FindingRow>,
    no_longer_failing: Vec<FindingRow>,
}

#[derive(Serialize)]
struct PointRow {
    iso: String,
    text: String,
    path: Option<String>,
    failures: Vec<usize>,
    total: usize,
    errors: usize,
    accounts: usize,
}

#[derive(Serialize)]
struct FindingRow {
    check: String,
    severity: &'static str,
    account: String,
    region: Option<String>,
    resource: String,
    first_iso: String,
    first_text: String,
    last_iso: Option<String>,
    last_text: Option<String>,
    /// How many scans it failed in (first seen) / its status now (no longer failing).
    detail: String,
    suppressed: bool,
}

fn iso(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn text(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(super) fn build(report: &Report) -> HistorySection {
    let Some(h) = &report.history else { return HistorySection { history: None } };
    let severities: Vec<&'static str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let counts = |p: &crate::report::HistoryPoint| -> Vec<(&'static str, usize)> { Severity::ALL.iter().map(|s| (s.as_str(), p.failures.get(s).copied().unwrap_or(0))).collect() };
    let chart = charts::history_chart(&h.points.iter().map(|p| (p.started_at.format("%m-%d").to_string(), p.path.is_none(), counts(p))).collect::<Vec<_>>());
    let points = h
        .points
        .iter()
        .map(|p| {
            let failures: Vec<usize> = counts(p).into_iter().map(|(_, n)| n).collect();
            PointRow { iso: iso(&p.started_at), text: text(&p.started_at), path: p.path.clone(), total: failures.iter().sum(), failures, errors: p.errors, accounts: p.accounts }
        })
        .collect();
    let first_seen = h
        .first_seen
        .iter()
        .map(|f| FindingRow {
            check: f.check.clone(),
            severity: f.severity.as_str(),
            account: f.account.clone(),
            region: f.region.clone(),
            resource: f.resource.clone(),
            first_iso: iso(&f.first_seen),
            first_text: text(&f.first_seen),
            last_iso: None,
            last_text: None,
            detail: format!("{} of {} scans", f.failed_in, h.points.len()),
            suppressed: f.suppressed,
        })
        .collect();
    let no_longer_failing = h
        .no_longer_failing
        .iter()
        .map(|f| FindingRow {
            check: f.check.clone(),
            severity: f.severity.as_str(),
            account: f.account.clone(),
            region: f.region.clone(),
            resource: f.resource.clone(),
            first_iso: iso(&f.first_seen),
            first_text: text(&f.first_seen),
            last_iso: Some(iso(&f.last_seen)),
            last_text: Some(text(&f.last_seen)),
            detail: match f.now {
                Some(s) => s.as_str().to_string(),
                None => "absent from this scan".to_string(),
            },
            suppressed: false,
        })
        .collect();
    HistorySection { history: Some(HistoryView { dir: h.dir.clone(), reports: h.points.len() - 1, severities, chart, points, first_seen, no_longer_failing }) }
}
