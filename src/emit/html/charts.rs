//! SVG geometry of the report's charts: the status bar, the severity × status bars, the
//! score histogram and the per-region coverage bars.
//!
//! Why it exists: the templates draw `<rect>`s at coordinates computed here, so the charts
//! need no script and print as they are; the sections hand over counts, this module turns
//! them into positions, widths and percentage labels (rounded to 0.01 for stable bytes).
//!
//! What it must not do: count or classify outcomes. It lays out the numbers it is given and
//! never looks at a finding.

use serde::Serialize;

use super::outcome::Counts;

/// Width of the overview's status bar.
const BAR_W: f64 = 560.0;
/// Width of the severity bars at their longest.
const SEVERITY_W: f64 = 420.0;
/// Width of a region's coverage bar.
const REGION_W: f64 = 360.0;

/// One coloured part of a bar.
#[derive(Serialize)]
pub(super) struct Segment {
    label: &'static str,
    class: &'static str,
    count: usize,
    x: f64,
    w: f64,
    pct: String,
}

/// Parts `(label, class, count)` side by side over `width` (a non-empty part is at least
/// 0.5 wide); empty parts are left out.
fn segments(parts: &[(&'static str, &'static str, usize)], total: usize, width: f64) -> Vec<Segment> {
    let mut x = 0.0;
    let mut out = Vec::new();
    for (label, class, count) in parts {
        if *count == 0 {
            continue;
        }
        let w = if total == 0 { 0.0 } else { width * *count as f64 / total as f64 };
        let pct = if total == 0 { "0".into() } else { format!("{:.1}", 100.0 * *count as f64 / total as f64) };
        out.push(Segment { label, class, count: *count, x: round2(x), w: round2(w.max(0.5)), pct });
        x += w;
    }
    out
}

pub(super) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The overview's bar of all outcomes by status.
pub(super) fn status_bar(totals: &Counts) -> Vec<Segment> {
    segments(&[("PASS", "s-pass", totals.pass), ("FAIL", "s-fail", totals.fail), ("ERROR", "s-error", totals.error), ("N/A", "s-na", totals.na)], totals.total, BAR_W)
}

#[derive(Serialize)]
pub(super) struct SeverityChart {
    rows: Vec<SeverityRow>,
    height: usize,
}

#[derive(Serialize)]
struct SeverityRow {
    severity: &'static str,
    y: usize,
    fail: usize,
    error: usize,
    pass: usize,
    na: usize,
    suppressed: usize,
    /// x of the value label, after the bar.
    end: f64,
    segs: Vec<Segment>,
}

/// One bar per severity, `(severity, its counts)` in order; the longest spans the width.
pub(super) fn severity_chart(by_severity: &[(&'static str, Counts)]) -> SeverityChart {
    let max = by_severity.iter().map(|(_, c)| c.total).max().unwrap_or(0).max(1);
    let rows: Vec<SeverityRow> = by_severity
        .iter()
        .enumerate()
        .map(|(i, (severity, c))| {
            let width = SEVERITY_W * c.total as f64 / max as f64;
            SeverityRow {
                severity,
                y: i * 28,
                end: round2(80.0 + width + 8.0),
                segs: segments(&[("FAIL", "s-fail", c.fail), ("ERROR", "s-error", c.error), ("PASS", "s-pass", c.pass), ("N/A", "s-na", c.na)], c.total, width),
                fail: c.fail,
                error: c.error,
                pass: c.pass,
                na: c.na,
                suppressed: c.suppressed,
            }
        })
        .collect();
    SeverityChart { height: rows.len() * 28, rows }
}

#[derive(Serialize)]
pub(super) struct Histogram {
    bars: Vec<Bar>,
    unscored: usize,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: usize,
    x: f64,
    y: f64,
    h: f64,
    class: &'static str,
}

/// Ten score bands (0–9 … 90–100), the tallest 120 high, coloured by the score's band.
pub(super) fn score_histogram(buckets: &[usize; 10], unscored: usize) -> Histogram {
    let max = buckets.iter().copied().max().unwrap_or(0).max(1);
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let h = 120.0 * *n as f64 / max as f64;
            Bar {
                label: if i == 9 { "90–100".into() } else { format!("{}–{}", i * 10, i * 10 + 9) },
                count: *n,
                x: (i * 56) as f64,
                y: round2(130.0 - h),
                h: round2(h),
                class: if i >= 9 { "sc-good" } else if i >= 7 { "sc-fair" } else { "sc-poor" },
            }
        })
        .collect();
    Histogram { bars, unscored }
}

#[derive(Serialize)]
pub(super) struct RegionChart {
    rows: Vec<RegionRow>,
    height: usize,
}

#[derive(Serialize)]
struct RegionRow {
    region: String,
    y: usize,
    logged: usize,
    not_logged: usize,
    unreadable: usize,
    total: usize,
    pct: String,
    segs: Vec<Segment>,
}

/// How many accounts a region is logged, not logged and unreadable in.
pub(super) struct RegionCounts {
    pub(super) region: String,
    pub(super) logged: usize,
    pub(super) not_logged: usize,
    pub(super) unreadable: usize,
}

/// One bar per region: the share of accounts whose region is logged.
pub(super) fn region_chart(regions: Vec<RegionCounts>) -> RegionChart {
    let rows: Vec<RegionRow> = regions
        .into_iter()
        .enumerate()
        .map(|(i, RegionCounts { region, logged, not_logged, unreadable })| {
            let total = logged + not_logged + unreadable;
            RegionRow {
                region,
                y: i * 22,
                logged,
                not_logged,
                unreadable,
                total,
                pct: if total == 0 { "—".into() } else { format!("{}%", (100.0 * logged as f64 / total as f64).floor()) },
                segs: segments(&[("logged", "s-pass", logged), ("not logged", "s-fail", not_logged), ("could not be read", "s-error", unreadable)], total, REGION_W),
            }
        })
        .collect();
    RegionChart { height: rows.len() * 22, rows }
}

/// Width and height of the history chart's plot area.
const HISTORY_W: f64 = 560.0;
const HISTORY_H: f64 = 120.0;

#[derive(Serialize)]
pub(super) struct HistoryChart {
    bars: Vec<HistoryBar>,
    /// The tallest bar's total (the top of the scale).
    max: usize,
    width: f64,
}

#[derive(Serialize)]
struct HistoryBar {
    label: String,
    total: usize,
    x: f64,
    w: f64,
    /// y of the total's label, above the bar.
    top: f64,
    current: bool,
    segs: Vec<HistorySeg>,
}

#[derive(Serialize)]
struct HistorySeg {
    severity: &'static str,
    fill: &'static str,
    count: usize,
    y: f64,
    h: f64,
}

/// The fill of a severity's part of a bar (the colours of the page's severity badges).
fn severity_fill(severity: &str) -> &'static str {
    match severity {
        "critical" => "#5c0f16",
        "high" => "#9b1c1c",
        "medium" => "#a36a00",
        "low" => "#5277b0",
        _ => "#9aa3ae",
    }
}

/// One stacked bar per scan, `(label, is the current scan, [(severity, count)] most severe
/// first)`, oldest left; the most severe part sits at the bottom, the tallest bar spans the
/// height.
pub(super) fn history_chart(points: &[(String, bool, Vec<(&'static str, usize)>)]) -> HistoryChart {
    let max = points.iter().map(|(_, _, c)| c.iter().map(|(_, n)| n).sum::<usize>()).max().unwrap_or(0);
    let slot = HISTORY_W / points.len().max(1) as f64;
    let w = (slot * 0.7).min(48.0);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (label, current, counts))| {
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            let mut y = HISTORY_H + 10.0;
            let segs = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(severity, n)| {
                    let h = HISTORY_H * *n as f64 / max.max(1) as f64;
                    y -= h;
                    HistorySeg { severity, fill: severity_fill(severity), count: *n, y: round2(y), h: round2(h.max(0.5)) }
                })
                .collect();
            HistoryBar { label: label.clone(), total, x: round2(i as f64 * slot + (slot - w) / 2.0), w: round2(w), top: round2(y - 3.0), current: *current, segs }
        })
        .collect();
    HistoryChart { bars, max, width: HISTORY_W }
}
