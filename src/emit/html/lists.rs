//! Sections 5 and 7, the lists that cut across checks: what could not be read (accounts not
//! scanned, ERROR outcomes in scanned accounts) and the suppressions (suppressed outcomes,
//! expired suppressions).
//!
//! Why it exists: an auditor must see every gap in the evidence and every accepted risk in
//! one place, never only inside the check sections; these lists are never hidden, and the
//! page says so when they are empty.
//!
//! What it must not do: filter by judgement. Every account the scan did not scan and every
//! ERROR, suppressed and expired outcome is listed with the reason the report recorded.

use std::collections::BTreeSet;

use serde::Serialize;

use super::outcome::{Row, RowMaker};
use crate::model::{AccountStatus, Status};
use crate::report::{Finding, Report};

#[derive(Serialize)]
pub(super) struct Lists {
    pub(super) not_scanned: Vec<NotScanned>,
    error_rows: Vec<Row>,
    suppressed_rows: Vec<Row>,
    expired_rows: Vec<Row>,
    /// ERROR outcomes per cause kind (access_denied, owner_outside_scan, …), most first.
    error_causes: Vec<(String, usize)>,
    /// What the collector decided about scope (accounts not ACTIVE, excluded, not found).
    scope_notes: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct NotScanned {
    id: String,
    name: Option<String>,
    reason: String,
    errors: usize,
    checks: String,
}

pub(super) fn build(report: &Report, rows: &RowMaker) -> Lists {
    let not_scanned_ids: BTreeSet<&str> = report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).map(|a| a.id.as_str()).collect();
    let not_scanned: Vec<NotScanned> = report
        .scan
        .accounts
        .iter()
        .filter(|a| a.status != AccountStatus::Scanned)
        .map(|a| {
            let errs: Vec<&Finding> = report.findings.iter().filter(|f| f.account == a.id && f.status == Status::Error).collect();
            let codes: BTreeSet<&str> = errs.iter().map(|f| f.check.as_str()).collect();
            NotScanned { id: a.id.clone(), name: a.name.clone(), reason: a.reason.clone().unwrap_or_else(|| "no reason recorded".into()), errors: errs.len(), checks: codes.into_iter().collect::<Vec<_>>().join(", ") }
        })
        .collect();
    let plain = |keep: &dyn Fn(&Finding) -> bool| -> Vec<Row> { report.findings.iter().filter(|f| keep(f)).map(|f| rows.row(f, false, None)).collect() };
    let mut error_rows = plain(&|f| f.status == Status::Error && !not_scanned_ids.contains(f.account.as_str()));
    error_rows.sort_by(|a, b| (&a.check, &a.a, &a.r, &a.res).cmp(&(&b.check, &b.a, &b.r, &b.res)));
    let error_causes: Vec<(String, usize)> = report.errors_by_cause().into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    Lists {
        not_scanned,
        error_rows,
        suppressed_rows: plain(&|f| f.suppression.is_some()),
        expired_rows: plain(&|f| f.expired_suppression.is_some()),
        error_causes,
        scope_notes: report.scan.notes.clone(),
    }
}
