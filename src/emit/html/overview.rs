//! Section 1, the overview: totals by status, the organization's posture score, the status
//! bar and the severity × status chart (also the weights printed with the score definition).
//!
//! Why it exists: the first thing an auditor reads is how much passed, failed and could not be
//! read, and how complete the evidence is; this module gathers those numbers for the page.
//!
//! What it must not do: hide or re-judge. Every outcome is counted under the status the check
//! gave it (suppressed ones too, and counted again as suppressed); the organization score
//! leaves out only accounts that could not be scanned, which the page lists separately.

use std::collections::BTreeSet;

use serde::Serialize;

use super::charts::{self, Segment, SeverityChart};
use super::outcome::Counts;
use super::score::{self, WeightView, posture_score};
use crate::model::{AccountStatus, Severity};
use crate::report::Report;

#[derive(Serialize)]
pub(super) struct Overview {
    pub(super) totals: Counts,
    org_score: String,
    org_score_class: &'static str,
    status_bar: Vec<Segment>,
    severity_chart: SeverityChart,
    weights: Vec<WeightView>,
}

pub(super) fn build(report: &Report) -> Overview {
    let not_scanned: BTreeSet<&str> = report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).map(|a| a.id.as_str()).collect();
    let org_score = posture_score(report.findings.iter().filter(|f| !not_scanned.contains(f.account.as_str())));
    let totals = Counts::of(&report.findings);
    let by_severity: Vec<(&'static str, Counts)> = Severity::ALL.iter().map(|sev| (sev.as_str(), Counts::of(report.findings.iter().filter(|f| f.severity == *sev)))).collect();
    Overview {
        org_score: score::score_text(org_score),
        org_score_class: score::score_class(org_score),
        status_bar: charts::status_bar(&totals),
        severity_chart: charts::severity_chart(&by_severity),
        weights: score::weights(),
        totals,
    }
}
