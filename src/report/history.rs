//! `--history DIR`: the trend over previous JSON reports and this scan, computed once here.
//!
//! Definitions (the README's "Trend" repeats them):
//! - the points are the reports read, ordered by `scan.started_at` (ties by path), then this
//!   scan, always last;
//! - a point's `failures` are its unsuppressed FAIL findings per severity, `errors` its ERROR
//!   findings, `accounts` the accounts in its scope;
//! - a finding is matched across scans by its stable `id` (check + account + region +
//!   resource), and it "failed" in a scan when its status there was FAIL, suppressed or not;
//! - `first_seen` of a finding failing now is the `started_at` of the earliest point in
//!   which it failed, continuously or not (passing in between does not reset it);
//! - `no_longer_failing` lists the ids that failed in some report of the history and are
//!   not FAIL now, with `last_seen`, the latest report in which they failed.
//!
//! Pure: the caller reads the files ([`super::read_previous`]) and hands over their content.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::model::{FirstSeen, History, HistoryPoint, NoLongerFailing, Report};
use super::previous::PreviousReport;
use crate::model::{Severity, Status};

/// One report of the history directory, read.
#[derive(Debug, Clone)]
pub struct PastReport {
    pub path: String,
    pub report: PreviousReport,
}

/// The history of `report` over `past` (in any order); `dir` as given.
pub fn history(dir: &str, mut past: Vec<PastReport>, report: &Report) -> History {
    past.sort_by(|a, b| a.report.scan.started_at.cmp(&b.report.scan.started_at).then_with(|| a.path.cmp(&b.path)));
    let mut points: Vec<HistoryPoint> = past
        .iter()
        .map(|p| point(p.report.scan.started_at, Some(p.path.clone()), &p.report.findings, p.report.scan.accounts.len()))
        .collect();
    points.push(point(report.scan.started_at, None, &report.findings, report.scan.accounts.len()));

    // Per id: the first and last past scan it failed in, how often, and the finding as it
    // last failed (the past is in order, so later failures overwrite).
    struct Seen<'a> {
        first: DateTime<Utc>,
        last: DateTime<Utc>,
        count: usize,
        finding: &'a super::model::Finding,
    }
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    for p in &past {
        let at = p.report.scan.started_at;
        for f in p.report.findings.iter().filter(|f| f.status == Status::Fail) {
            seen.entry(f.id.as_str())
                .and_modify(|s| {
                    s.last = at;
                    s.count += 1;
                    s.finding = f;
                })
                .or_insert(Seen { first: at, last: at, count: 1, finding: f });
        }
    }

    let mut first_seen: Vec<FirstSeen> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            let before = seen.get(f.id.as_str());
            FirstSeen {
                id: f.id.clone(),
                check: f.check.clone(),
                severity: f.severity,
                account: f.account.clone(),
                region: f.region.clone(),
                resource: f.resource.clone(),
                suppressed: f.suppression.is_some(),
                first_seen: before.map_or(report.scan.started_at, |s| s.first.min(report.scan.started_at)),
                failed_in: before.map_or(0, |s| s.count) + 1,
            }
        })
        .collect();
    first_seen.sort_by(|a, b| (a.first_seen, &a.check, &a.account, &a.resource, &a.id).cmp(&(b.first_seen, &b.check, &b.account, &b.resource, &b.id)));

    let now: BTreeMap<&str, Status> = report.findings.iter().map(|f| (f.id.as_str(), f.status)).collect();
    let mut no_longer_failing: Vec<NoLongerFailing> = seen
        .iter()
        .filter(|(id, _)| now.get(*id) != Some(&Status::Fail))
        .map(|(id, s)| NoLongerFailing {
            id: id.to_string(),
            check: s.finding.check.clone(),
            severity: s.finding.severity,
            account: s.finding.account.clone(),
            region: s.finding.region.clone(),
            resource: s.finding.resource.clone(),
            first_seen: s.first,
            last_seen: s.last,
            now: now.get(*id).copied(),
        })
        .collect();
    no_longer_failing.sort_by(|a, b| (std::cmp::Reverse(a.last_seen), &a.check, &a.account, &a.resource, &a.id).cmp(&(std::cmp::Reverse(b.last_seen), &b.check, &b.account, &b.resource, &b.id)));

    History { dir: dir.to_string(), points, first_seen, no_longer_failing }
}

fn point(started_at: DateTime<Utc>, path: Option<String>, findings: &[super::model::Finding], accounts: usize) -> HistoryPoint {
    let mut failures: BTreeMap<Severity, usize> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
    for f in findings.iter().filter(|f| f.status == Status::Fail && f.suppression.is_none()) {
        *failures.entry(f.severity).or_default() += 1;
    }
    let errors = findings.iter().filter(|f| f.status == Status::Error).count();
    HistoryPoint { started_at, path, failures, errors, accounts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Caller, Finding, PreviousScan, ScanInfo, Summary, Suppression, Tool};

    fn at(day: u32) -> DateTime<Utc> {
        format!("2026-03-{day:02}T06:00:00Z").parse().unwrap()
    }

    fn finding(resource: &str, status: Status, severity: Severity) -> Finding {
        Finding { id: format!("{:0>32}", resource.len()) + resource, ..Finding::bare("CT201", status, severity, "123456789012", Some("us-east-1"), resource) }
    }

    fn past(path: &str, day: u32, findings: Vec<Finding>) -> PastReport {
        PastReport { path: path.into(), report: PreviousReport { scan: PreviousScan { started_at: at(day), accounts: Vec::new() }, findings } }
    }

    fn current(day: u32, findings: Vec<Finding>) -> Report {
        Report {
            schema_version: "1.0".into(),
            tool: Tool { name: "trailwarden".into(), version: "0".into() },
            scan: ScanInfo {
                started_at: at(day),
                finished_at: at(day),
                caller: Caller { account_id: "123456789012".into(), arn: "arn".into() },
                organization_id: None,
                mode: crate::model::ScanMode::Account,
                accounts: Vec::new(),
                regions: Vec::new(),
                notes: Vec::new(),
                parameters: None,
                organization_tree: None,
            },
            summary: Summary::default(),
            checks: Vec::new(),
            findings,
            baseline: None,
            scores: Default::default(),
            history: None,
        }
    }

    use Severity::*;
    use Status::*;

    #[test]
    fn points_are_ordered_by_scan_start_whatever_the_file_order_and_the_current_scan_is_last() {
        let a = past("b-oldest.json", 1, vec![finding("x", Fail, High), finding("y", Fail, Low)]);
        let b = past("a-middle.json", 2, vec![finding("x", Fail, High)]);
        let mut suppressed = finding("z", Fail, Critical);
        suppressed.suppression = Some(Suppression { reason: "r".into(), expires: None });
        let c = past("c-newest.json", 3, vec![finding("x", Error, High), suppressed]);
        let h = history("dir", vec![c, a, b], &current(4, vec![finding("x", Fail, High)]));
        let paths: Vec<Option<&str>> = h.points.iter().map(|p| p.path.as_deref()).collect();
        assert_eq!(paths, [Some("b-oldest.json"), Some("a-middle.json"), Some("c-newest.json"), None]);
        assert_eq!(h.points.iter().map(|p| p.started_at).collect::<Vec<_>>(), [at(1), at(2), at(3), at(4)]);
        assert_eq!((h.points[0].failures[&High], h.points[0].failures[&Low], h.points[0].failures[&Critical]), (1, 1, 0));
        assert_eq!((h.points[2].failures[&Critical], h.points[2].errors), (0, 1), "a suppressed FAIL is not counted; an ERROR is");
        assert_eq!(h.points[0].failures.len(), Severity::ALL.len(), "every severity, 0 included");
    }

    #[test]
    fn first_seen_is_the_earliest_failure_even_across_a_gap() {
        let h = history(
            "dir",
            vec![past("1.json", 1, vec![finding("gap", Fail, High)]), past("2.json", 2, vec![finding("gap", Pass, High), finding("late", Pass, Low)]), past("3.json", 3, vec![finding("gap", Fail, High), finding("late", Fail, Low)])],
            &current(4, vec![finding("gap", Fail, High), finding("late", Fail, Low), finding("new", Fail, Medium)]),
        );
        let seen: Vec<(&str, DateTime<Utc>, usize)> = h.first_seen.iter().map(|f| (f.resource.as_str(), f.first_seen, f.failed_in)).collect();
        assert_eq!(seen, [("gap", at(1), 3), ("late", at(3), 2), ("new", at(4), 1)], "oldest first; passing in between does not reset it");
        assert!(h.no_longer_failing.is_empty());
    }

    #[test]
    fn a_fixed_or_gone_failure_is_listed_with_its_last_failure() {
        let h = history(
            "dir",
            vec![
                past("1.json", 1, vec![finding("fixed", Fail, High), finding("gone", Fail, Low), finding("unreadable", Fail, Medium)]),
                past("2.json", 2, vec![finding("fixed", Fail, Critical), finding("gone", Pass, Low), finding("unreadable", Fail, Medium)]),
            ],
            &current(3, vec![finding("fixed", Pass, Critical), finding("unreadable", Error, Medium), finding("never", Pass, Low)]),
        );
        let listed: Vec<(&str, DateTime<Utc>, DateTime<Utc>, Option<Status>, Severity)> = h.no_longer_failing.iter().map(|f| (f.resource.as_str(), f.first_seen, f.last_seen, f.now, f.severity)).collect();
        assert_eq!(
            listed,
            [("fixed", at(1), at(2), Some(Pass), Critical), ("unreadable", at(1), at(2), Some(Error), Medium), ("gone", at(1), at(1), None, Low)],
            "most recently failing first; as the last failing report had it"
        );
        assert!(h.first_seen.is_empty());
        assert_eq!(h.points.len(), 3);
    }

    #[test]
    fn without_past_reports_the_current_scan_is_the_only_point() {
        let h = history("empty", Vec::new(), &current(5, vec![finding("x", Fail, High)]));
        assert_eq!((h.points.len(), h.first_seen[0].first_seen, h.first_seen[0].failed_in), (1, at(5), 1));
    }
}
