//! Section 2, coverage: the accounts × regions heat map of check CT103 (management events
//! recorded in every enabled region), its trail legend and the per-region bar chart.
//!
//! Why it exists: per-region logging is the finding auditors ask about first, and a grid shows
//! gaps a list of outcomes hides. Each cell names the trail that records the region (`T1`,
//! `T2`… keyed in the legend), or says why none does.
//!
//! What it must not do: decide which trail records a region, or parse a message. The trail of
//! a cell is the one CT103 put in its evidence as `recording_trail`; the cell's kind follows
//! the outcome's status as the check set it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::charts::{self, RegionChart, RegionCounts};
use crate::model::{AccountStatus, Status};
use crate::report::{Finding, Report};

/// The check the heat map shows.
const CHECK: &str = "CT103";

#[derive(Serialize)]
pub(super) struct CoverageSection {
    coverage: Option<Coverage>,
    region_chart: RegionChart,
}

#[derive(Serialize)]
struct Coverage {
    regions: Vec<String>,
    rows: Vec<CoverageRow>,
    trails: Vec<TrailKey>,
    logged: usize,
    not_logged: usize,
    unreadable: usize,
    not_enabled: usize,
}

#[derive(Serialize)]
struct CoverageRow {
    id: String,
    name: Option<String>,
    cells: Vec<Cell>,
}

/// A cell: its kind `k` (`ok`, `no`, `nos` suppressed, `err`, `ne` not enabled) and text.
#[derive(Serialize, Clone)]
struct Cell {
    k: &'static str,
    t: String,
}

impl Cell {
    fn unreadable() -> Cell {
        Cell { k: "err", t: "?".into() }
    }
}

#[derive(Serialize)]
struct TrailKey {
    key: String,
    arn: String,
    name: String,
    cells: usize,
}

/// The heat map and its chart, when CT103 is among the report's checks (`codes`).
pub(super) fn build(report: &Report, codes: &[String]) -> CoverageSection {
    let coverage = codes.iter().any(|c| c == CHECK).then(|| coverage(report));
    let region_chart = charts::region_chart(coverage.as_ref().map(region_counts).unwrap_or_default());
    CoverageSection { coverage, region_chart }
}

/// The trail that records a CT103 PASS's region, as the check recorded it in its evidence.
fn recording_trail(f: &Finding) -> Option<&str> {
    f.evidence.get("recording_trail").and_then(Value::as_str)
}

/// Cells by account (rows) and region (columns), filled from CT103 outcomes in report order.
struct Grid<'a> {
    col: HashMap<&'a str, usize>,
    row: HashMap<&'a str, usize>,
    cells: Vec<Vec<Cell>>,
    /// Logged cells per trail ARN, and each logged cell's trail (its key is set at the end).
    trail_cells: BTreeMap<String, usize>,
    logged_by: Vec<(usize, usize, String)>,
}

impl<'a> Grid<'a> {
    fn new(regions: &'a [String], accounts: &[&'a str]) -> Grid<'a> {
        let blank = Cell { k: "ne", t: String::new() };
        Grid {
            col: regions.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect(),
            row: accounts.iter().enumerate().map(|(i, a)| (*a, i)).collect(),
            cells: vec![vec![blank; regions.len()]; accounts.len()],
            trail_cells: BTreeMap::new(),
            logged_by: Vec::new(),
        }
    }

    fn record(&mut self, f: &Finding) {
        let r = self.row[f.account.as_str()];
        let Some(region) = f.region.as_deref() else {
            // An account-wide ERROR (the account or its regions could not be read).
            if f.status == Status::Error {
                self.cells[r].fill(Cell::unreadable());
            }
            return;
        };
        let c = self.col[region];
        self.cells[r][c] = match f.status {
            Status::Pass => {
                let arn = recording_trail(f).unwrap_or("unknown trail").to_string();
                *self.trail_cells.entry(arn.clone()).or_default() += 1;
                self.logged_by.push((r, c, arn));
                Cell { k: "ok", t: String::new() }
            }
            Status::Fail if f.suppression.is_some() => Cell { k: "nos", t: "(✗)".into() },
            Status::Fail => Cell { k: "no", t: "✗".into() },
            Status::Error => Cell::unreadable(),
            Status::NotApplicable => Cell { k: "ne", t: "·".into() },
        };
    }

    /// Not-scanned accounts without any CT103 outcome are still shown as unreadable.
    fn mark_not_scanned(&mut self, report: &Report) {
        for a in report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned) {
            let cells = &mut self.cells[self.row[a.id.as_str()]];
            if cells.iter().all(|c| c.k == "ne") {
                cells.fill(Cell::unreadable());
            }
        }
    }

    /// Keys the trails `T1`, `T2`… by how many cells they log (then by ARN), writes each
    /// logged cell's key, and returns the legend.
    fn key_trails(&mut self) -> Vec<TrailKey> {
        let mut trails: Vec<(String, usize)> = std::mem::take(&mut self.trail_cells).into_iter().collect();
        trails.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let keys: HashMap<String, String> = trails.iter().enumerate().map(|(i, (arn, _))| (arn.clone(), format!("T{}", i + 1))).collect();
        for (r, c, arn) in std::mem::take(&mut self.logged_by) {
            self.cells[r][c].t = keys[&arn].clone();
        }
        trails
            .into_iter()
            .map(|(arn, cells)| TrailKey { key: keys[&arn].clone(), name: arn.rsplit_once(":trail/").map(|(_, n)| n.to_string()).unwrap_or_else(|| arn.clone()), arn, cells })
            .collect()
    }

    fn count(&self, kinds: &[&str]) -> usize {
        self.cells.iter().flatten().filter(|c| kinds.contains(&c.k)).count()
    }
}

fn coverage(report: &Report) -> Coverage {
    let outcomes: Vec<&Finding> = report.findings.iter().filter(|f| f.check == CHECK).collect();
    let mut regions: BTreeSet<String> = report.scan.regions.iter().cloned().collect();
    regions.extend(outcomes.iter().filter_map(|f| f.region.clone()));
    let regions: Vec<String> = regions.into_iter().collect();
    let mut accounts: Vec<&str> = report.scan.accounts.iter().map(|a| a.id.as_str()).collect();
    for f in &outcomes {
        if !accounts.contains(&f.account.as_str()) {
            accounts.push(&f.account);
        }
    }
    let mut grid = Grid::new(&regions, &accounts);
    for f in &outcomes {
        grid.record(f);
    }
    grid.mark_not_scanned(report);
    let trails = grid.key_trails();
    let (logged, not_logged, unreadable, not_enabled) = (grid.count(&["ok"]), grid.count(&["no", "nos"]), grid.count(&["err"]), grid.count(&["ne"]));
    let names: HashMap<&str, Option<String>> = report.scan.accounts.iter().map(|a| (a.id.as_str(), a.name.clone())).collect();
    let rows = accounts.iter().zip(grid.cells).map(|(id, cells)| CoverageRow { id: id.to_string(), name: names.get(id).cloned().flatten(), cells }).collect();
    Coverage { regions, rows, trails, logged, not_logged, unreadable, not_enabled }
}

/// Per region, how many accounts are logged, not logged (suppressed or not) and unreadable.
fn region_counts(cov: &Coverage) -> Vec<RegionCounts> {
    cov.regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let mut counts = RegionCounts { region: region.clone(), logged: 0, not_logged: 0, unreadable: 0 };
            for row in &cov.rows {
                match row.cells[i].k {
                    "ok" => counts.logged += 1,
                    "no" | "nos" => counts.not_logged += 1,
                    "err" => counts.unreadable += 1,
                    _ => {}
                }
            }
            counts
        })
        .collect()
}
