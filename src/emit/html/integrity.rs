//! Section 2, log integrity: each trail's digest-chain verdict (CT601) and log-file verdict
//! (CT602) side by side, with the figures of its chains, when the scan ran with
//! `--verify-integrity`.
//!
//! Why it exists: "are the logs intact?" is a per-trail question an auditor asks next to
//! "is every region logged?", and the answer is spread over two checks' outcomes.
//!
//! What it must not do: judge. Verdicts are the outcomes' statuses; the figures are the
//! chain evidence CT601 recorded (`evidence.chains`), summed, never recomputed from messages.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::Status;
use crate::report::{Finding, Report};

#[derive(Serialize)]
pub(super) struct IntegritySection {
    integrity: Option<Integrity>,
}

#[derive(Serialize)]
struct Integrity {
    window: String,
    rows: Vec<IntegrityRow>,
}

#[derive(Serialize, Default)]
struct IntegrityRow {
    trail: String,
    account: String,
    chains: usize,
    digests: String,
    logs: String,
    chain_status: String,
    chain_class: String,
    logs_status: String,
    logs_class: String,
    /// The outcome's message of the worse of the two (what to look at first).
    note: String,
}

pub(super) fn build(report: &Report) -> IntegritySection {
    let mut rows: BTreeMap<String, IntegrityRow> = BTreeMap::new();
    let mut window = String::new();
    for f in report.findings.iter().filter(|f| f.check == "CT601") {
        let row = rows.entry(f.resource.clone()).or_default();
        row.trail = f.resource.clone();
        row.account = f.account.clone();
        let chains = f.evidence.get("chains").and_then(Value::as_array).cloned().unwrap_or_default();
        row.chains = chains.len();
        row.digests = ratio(&chains, "digests_valid", "digests_checked");
        row.logs = ratio(&chains, "logs_valid", "logs_checked");
        (row.chain_status, row.chain_class) = status(f);
        if f.status != Status::Pass {
            row.note = f.message.clone();
        }
        if window.is_empty() {
            window = window_text(f);
        }
    }
    for f in report.findings.iter().filter(|f| f.check == "CT602") {
        let row = rows.entry(f.resource.clone()).or_default();
        row.trail = f.resource.clone();
        row.account = f.account.clone();
        (row.logs_status, row.logs_class) = status(f);
        if row.note.is_empty() && f.status != Status::Pass {
            row.note = f.message.clone();
        }
    }
    let integrity = (!rows.is_empty()).then(|| Integrity { window, rows: rows.into_values().collect() });
    IntegritySection { integrity }
}

fn status(f: &Finding) -> (String, String) {
    let class = match f.status {
        Status::Pass => "s-pass",
        Status::Fail => "s-fail",
        Status::Error => "s-error",
        Status::NotApplicable => "s-na",
    };
    (f.status.to_string(), class.to_string())
}

fn ratio(chains: &[Value], valid: &str, checked: &str) -> String {
    let sum = |key: &str| chains.iter().filter_map(|c| c.get(key).and_then(Value::as_u64)).sum::<u64>();
    if chains.iter().all(|c| c.get(checked).is_none()) {
        return "—".into();
    }
    format!("{}/{}", sum(valid), sum(checked))
}

fn window_text(f: &Finding) -> String {
    let at = |key: &str| f.evidence.pointer(&format!("/window/{key}")).and_then(Value::as_str).unwrap_or("?").to_string();
    format!("{} to {}", at("from"), at("to"))
}
