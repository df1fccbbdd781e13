//! Section 3, accounts and scores: one row per account (lowest score first) with its score and
//! grade from the report (`scores.accounts`), its outcome counts, and the histogram of accounts
//! by score band.
//!
//! Why it exists: in an organization the question after "how bad" is "where".
//!
//! What it must not do: score. The score, grade and checks passed/failed/unknown are the
//! report's; an account that could not be scanned shows the score the report gives it (0:
//! unknown on every check), marked NOT SCANNED, and no status is changed on the way.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{self, Histogram, round2};
use super::outcome::Counts;
use super::score::{grade_class, grade_text, score_text};
use crate::model::AccountStatus;
use crate::report::{Finding, Report};

#[derive(Serialize)]
pub(super) struct AccountsSection {
    accounts: Vec<AccountView>,
    score_hist: Histogram,
}

#[derive(Serialize)]
struct AccountView {
    id: String,
    name: Option<String>,
    scanned: bool,
    reason: Option<String>,
    score: String,
    score_class: &'static str,
    grade: &'static str,
    capped: bool,
    checks_passed: usize,
    checks_failed: usize,
    checks_unknown: usize,
    bar: f64,
    counts: Counts,
    regions: usize,
}

pub(super) fn build(report: &Report) -> AccountsSection {
    let mut by_account: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_account.entry(f.account.as_str()).or_default().push(f);
    }
    // The scan's accounts first, then any other account an outcome names.
    let mut account_ids: Vec<&str> = report.scan.accounts.iter().map(|a| a.id.as_str()).collect();
    for id in by_account.keys() {
        if !account_ids.contains(id) {
            account_ids.push(id);
        }
    }
    let mut accounts: Vec<AccountView> = account_ids.iter().map(|id| account_view(report, id, by_account.get(id).map(Vec::as_slice).unwrap_or_default())).collect();
    accounts.sort_by(|a, b| {
        let key = |v: &AccountView| (v.scanned, v.bar, v.id.clone());
        key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal)
    });
    let score_hist = histogram(&accounts);
    AccountsSection { accounts, score_hist }
}

fn account_view(report: &Report, id: &str, findings: &[&Finding]) -> AccountView {
    let info = report.scan.accounts.iter().find(|a| a.id == id);
    let scanned = info.is_none_or(|a| a.status == AccountStatus::Scanned);
    let computed = report.scores.account(id);
    let score = computed.and_then(|s| s.score);
    let grade = computed.and_then(|s| s.grade);
    AccountView {
        id: id.to_string(),
        name: info.and_then(|a| a.name.clone()),
        scanned,
        reason: info.and_then(|a| a.reason.clone()),
        score: score_text(score),
        score_class: grade_class(grade),
        grade: grade_text(grade),
        capped: computed.is_some_and(|s| !s.capped_by.is_empty()),
        checks_passed: computed.map(|s| s.passed).unwrap_or(0),
        checks_failed: computed.map(|s| s.failed).unwrap_or(0),
        checks_unknown: computed.map(|s| s.unknown).unwrap_or(0),
        bar: round2(score.unwrap_or(0.0)),
        counts: Counts::of(findings.iter().copied()),
        regions: info.map(|a| a.regions.len()).unwrap_or(0),
    }
}

/// Accounts per score band of ten points; those without a score are counted apart.
fn histogram(accounts: &[AccountView]) -> Histogram {
    let mut buckets = [0usize; 10];
    let mut unscored = 0;
    for a in accounts {
        if a.score_class == "sc-none" {
            unscored += 1;
        } else {
            buckets[((a.bar / 10.0).floor() as usize).min(9)] += 1;
        }
    }
    charts::score_histogram(&buckets, unscored)
}
