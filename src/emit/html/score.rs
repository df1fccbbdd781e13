//! How scores are shown: the band's class and the number's text.
//!
//! Why it exists: the scores themselves are computed once, in the report (`scores` of the JSON
//! report, defined in the README and on the page); this module only turns them into what the
//! page prints, so the HTML and the JSON cannot disagree.
//!
//! What it must not do: compute or adjust a score.

use crate::report::Grade;

/// The CSS class of a grade; `sc-none` without one.
pub(super) fn grade_class(grade: Option<Grade>) -> &'static str {
    match grade {
        None => "sc-none",
        Some(Grade::Good) => "sc-good",
        Some(Grade::Fair) => "sc-fair",
        Some(Grade::Poor) => "sc-poor",
    }
}

/// A grade as shown: `good`, `fair`, `poor`, or `no grade`.
pub(super) fn grade_text(grade: Option<Grade>) -> &'static str {
    grade.map(Grade::as_str).unwrap_or("no grade")
}

/// A score as the JSON report carries it (one decimal, already rounded down); `—` without one.
pub(super) fn score_text(score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{s:.1}"),
        None => "—".into(),
    }
}
