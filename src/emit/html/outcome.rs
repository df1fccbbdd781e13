//! The shared vocabulary of the HTML report: per-status counts, verdict badges and outcome
//! rows, used by every section.
//!
//! Why it exists: the overview, the check sections, the framework view and the lists all show
//! the same three things the same way; one definition keeps their labels and CSS classes in
//! step with the template's macros (`row`, `verdict`, `counts`).
//!
//! What it must not do: judge. A verdict here is only the roll-up of statuses the checks
//! already decided (FAIL wins, then ERROR, then PASS); suppression never changes a status,
//! and a row shows a finding's fields as they are, never a re-worded message.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{AccountStatus, Status};
use crate::report::{Finding, Report, Suppression};

pub(super) fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "s-pass",
        Status::Fail => "s-fail",
        Status::Error => "s-error",
        Status::NotApplicable => "s-na",
    }
}

pub(super) fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
    }
}

/// FAIL, ERROR, suppressed or with an expired suppression: shown as a row with its evidence.
pub(super) fn is_attention(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::Error) || f.suppression.is_some() || f.expired_suppression.is_some()
}

/// Per-status counts of a set of outcomes.
#[derive(Debug, Default, Clone, Serialize)]
pub(super) struct Counts {
    pub(super) pass: usize,
    pub(super) fail: usize,
    pub(super) error: usize,
    pub(super) na: usize,
    pub(super) suppressed: usize,
    pub(super) total: usize,
}

impl Counts {
    pub(super) fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.add(f);
        }
        c
    }

    pub(super) fn add(&mut self, f: &Finding) {
        match f.status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::NotApplicable => self.na += 1,
        }
        if f.suppression.is_some() {
            self.suppressed += 1;
        }
        self.total += 1;
    }

    /// Adds another set's counts to these.
    pub(super) fn absorb(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.na += other.na;
        self.suppressed += other.suppressed;
        self.total += other.total;
    }
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Verdict {
    label: &'static str,
    class: &'static str,
    note: String,
}

/// FAIL when anything fails (suppressed or not: suppression never changes a verdict), else
/// ERROR when anything could not be read, else PASS when something passed, else N/A.
pub(super) fn verdict(c: &Counts, evaluated: bool) -> Verdict {
    let (label, class) = if !evaluated {
        ("NOT RUN", "s-none")
    } else if c.fail > 0 {
        ("FAIL", "s-fail")
    } else if c.error > 0 {
        ("ERROR", "s-error")
    } else if c.pass > 0 {
        ("PASS", "s-pass")
    } else if c.na > 0 {
        ("N/A", "s-na")
    } else {
        ("NO OUTCOMES", "s-none")
    };
    let note = if c.suppressed > 0 { format!("{} suppressed", c.suppressed) } else { String::new() };
    Verdict { label, class, note }
}

/// One outcome as a table row (short field names: the template's `row` macro and the
/// script's lazy rows read the same names).
#[derive(Serialize, Clone)]
pub(super) struct Row {
    pub(super) check: String,
    s: &'static str,
    sl: &'static str,
    sc: &'static str,
    pub(super) a: String,
    an: Option<String>,
    pub(super) r: Option<String>,
    pub(super) res: String,
    msg: String,
    id: String,
    /// Pretty evidence, inline (attention rows).
    ev: Option<String>,
    /// Index of the evidence in the island (passing rows).
    ei: Option<usize>,
    sup: Option<Suppression>,
    exp: Option<Suppression>,
    bl: Option<String>,
    /// The report's fix for this resource (FAIL only): CLI and Terraform.
    pub(super) fx: Option<(String, Option<String>)>,
    /// The same fix as the row before it in its check: printed once (see `checks`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) fx_same: bool,
    /// The outcome's account could not be scanned: on paper its reason is printed once, in
    /// "What could not be read", and the row points there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    ns: bool,
}

/// Makes [`Row`]s, naming each outcome's account from the scan's account list.
pub(super) struct RowMaker<'a> {
    names: HashMap<&'a str, Option<&'a str>>,
    not_scanned: HashSet<&'a str>,
}

impl<'a> RowMaker<'a> {
    pub(super) fn new(report: &'a Report) -> RowMaker<'a> {
        RowMaker {
            names: report.scan.accounts.iter().map(|a| (a.id.as_str(), a.name.as_deref())).collect(),
            not_scanned: report.scan.accounts.iter().filter(|a| a.status == AccountStatus::NotScanned).map(|a| a.id.as_str()).collect(),
        }
    }

    /// A row of `f`: its evidence pretty-printed inline, or by index `ei` into the island.
    pub(super) fn row(&self, f: &Finding, inline_evidence: bool, ei: Option<usize>) -> Row {
        Row {
            check: f.check.clone(),
            s: f.status.as_str(),
            sl: status_label(f.status),
            sc: status_class(f.status),
            a: f.account.clone(),
            an: self.names.get(f.account.as_str()).copied().flatten().map(str::to_string),
            r: f.region.clone(),
            res: f.resource.clone(),
            msg: f.message.clone(),
            id: f.id.clone(),
            ev: inline_evidence.then(|| serde_json::to_string_pretty(&*f.evidence).unwrap_or_default()),
            ei,
            sup: f.suppression.clone(),
            exp: f.expired_suppression.clone(),
            bl: f.baseline.map(|b| b.as_str().to_string()),
            fx: f.remediation.as_ref().map(|r| (r.cli.clone(), r.terraform.clone())),
            fx_same: false,
            ns: self.not_scanned.contains(f.account.as_str()),
        }
    }
}
