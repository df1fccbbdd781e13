//! The posture score: one number per account and for the organization, with its weights and
//! how it is shown (banded class, rounded-down text).
//!
//! Why it exists: the score is defined once, here, and printed in the report's *About* section
//! from [`SCORE_WEIGHTS`], so the definition on the page and the arithmetic cannot drift.
//!
//! What it must not do: re-judge an outcome. It weighs statuses as the checks set them:
//! ERROR counts as not passing, NOT_APPLICABLE is left out, and a suppressed FAIL is a FAIL.

use serde::Serialize;

use crate::model::{Severity, Status};
use crate::report::Finding;

/// Severity weights of the posture score (info weighs nothing).
pub const SCORE_WEIGHTS: [(Severity, u32); 5] = [(Severity::Critical, 10), (Severity::High, 5), (Severity::Medium, 3), (Severity::Low, 1), (Severity::Info, 0)];

fn weight(sev: Severity) -> u32 {
    SCORE_WEIGHTS.iter().find(|(s, _)| *s == sev).map(|(_, w)| *w).unwrap_or(0)
}

/// The posture score of a set of outcomes: 100 × (weighted PASS) / (weighted PASS + FAIL +
/// ERROR), weights by severity from [`SCORE_WEIGHTS`]. NOT_APPLICABLE is left out; ERROR
/// counts as not passing (unverified is not compliant); suppressed outcomes keep their
/// status (a suppressed FAIL still counts as FAIL). `None` when nothing weighed was assessed.
pub fn posture_score<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<f64> {
    let (mut passed, mut assessed) = (0u64, 0u64);
    for f in findings {
        let w = weight(f.severity) as u64;
        match f.status {
            Status::Pass => {
                passed += w;
                assessed += w;
            }
            Status::Fail | Status::Error => assessed += w,
            Status::NotApplicable => {}
        }
    }
    (assessed > 0).then(|| 100.0 * passed as f64 / assessed as f64)
}

/// The band of a score: good from 90, fair from 70, else poor; `sc-none` without a score.
pub(super) fn score_class(score: Option<f64>) -> &'static str {
    match score {
        None => "sc-none",
        Some(s) if s >= 90.0 => "sc-good",
        Some(s) if s >= 70.0 => "sc-fair",
        Some(_) => "sc-poor",
    }
}

/// A score as shown: rounded down, `—` without one.
pub(super) fn score_text(score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{}", s.floor() as u32),
        None => "—".into(),
    }
}

/// One weight of the definition printed in *About this report*.
#[derive(Serialize)]
pub(super) struct WeightView {
    severity: &'static str,
    weight: u32,
}

pub(super) fn weights() -> Vec<WeightView> {
    SCORE_WEIGHTS.iter().map(|(s, w)| WeightView { severity: s.as_str(), weight: *w }).collect()
}
