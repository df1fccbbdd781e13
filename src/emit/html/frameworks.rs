//! Section 4, the framework view: every control of one framework (CIS, Security Hub, NIST…)
//! that the checks map to, in natural order, with its checks and a rolled-up verdict; and the
//! human names of framework keys.
//!
//! Why it exists: auditors work from a control list, not from check codes. The chosen
//! framework is the one asked for (`--framework`, in the render context), else the newest CIS
//! version the report's checks map to.
//!
//! What it must not do: map checks itself or re-judge a control. The mapping comes from the
//! report's check list; a control's verdict is only the roll-up of its checks' counts (FAIL
//! wins, suppressed or not), and it says nothing of what the checks do not verify. (With an
//! account or OU chosen as the scope, the script shows instead that scope's control statuses
//! from the report's `scores`, carried by `units`, and each check's counts over the scope's
//! outcome rows, `li[data-kc]`.)

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::checks::CheckView;
use super::outcome::{Counts, Verdict, verdict};
use crate::report::Report;

/// A human name for a framework key.
pub fn framework_label(key: &str) -> String {
    if let Some(v) = key.strip_prefix("cis-") {
        return format!("CIS AWS Foundations Benchmark v{v}");
    }
    match key {
        "securityhub" => "AWS Security Hub controls".into(),
        "aws-config" => "AWS Config managed rules".into(),
        "nist-800-53-r5" => "NIST SP 800-53 Rev. 5".into(),
        "pci-dss-4.0" => "PCI DSS v4.0".into(),
        "soc2" => "SOC 2 (Trust Services Criteria)".into(),
        other => other.to_string(),
    }
}

fn cis_version(key: &str) -> Option<Vec<u64>> {
    key.strip_prefix("cis-").map(|v| v.split('.').map(|p| p.parse().unwrap_or(0)).collect())
}

/// The framework of the framework view: the one asked for, else the newest CIS version the
/// report's checks are mapped to (else the first framework key, else `cis`).
pub fn chosen_framework(report: &Report, asked: &str) -> String {
    if !asked.trim().is_empty() {
        return asked.trim().to_string();
    }
    let keys: BTreeSet<&str> = report.checks.iter().flat_map(|c| c.frameworks.keys().map(String::as_str)).collect();
    keys.iter().filter_map(|k| cis_version(k).map(|v| (v, *k))).max().map(|(_, k)| k.to_string()).or_else(|| keys.iter().next().map(|k| k.to_string())).unwrap_or_else(|| "cis".into())
}

/// Natural order of control ids: `3.2` before `3.10`, `AU-2` before `AU-12`.
fn natural_key(s: &str) -> Vec<(u8, u64, String)> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                out.push((1, 0, std::mem::take(&mut text).to_lowercase()));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((0, digits.parse().unwrap_or(u64::MAX), std::mem::take(&mut digits)));
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        out.push((0, digits.parse().unwrap_or(u64::MAX), digits));
    }
    if !text.is_empty() {
        out.push((1, 0, text.to_lowercase()));
    }
    out
}

/// The framework view's part of the page (the header shows `framework_label` and `frameworks`).
#[derive(Serialize)]
pub(super) struct FrameworkView {
    framework: String,
    framework_label: String,
    frameworks: Vec<FrameworkRef>,
    controls: Vec<ControlView>,
    unmapped_checks: Vec<CheckRef>,
    framework_known: bool,
}

/// A framework the checks map to, with how many checks.
#[derive(Serialize)]
struct FrameworkRef {
    key: String,
    label: String,
    checks: usize,
    chosen: bool,
}

#[derive(Serialize)]
struct ControlView {
    id: String,
    verdict: Verdict,
    checks: Vec<CheckRef>,
}

#[derive(Serialize, Clone)]
struct CheckRef {
    code: String,
    title: String,
    severity: &'static str,
    verdict: Verdict,
    counts: Counts,
}

pub(super) fn build(report: &Report, asked: &str, checks: &[CheckView]) -> FrameworkView {
    let framework = chosen_framework(report, asked);
    let mut controls: BTreeMap<String, Vec<CheckRef>> = BTreeMap::new();
    let mut unmapped_checks = Vec::new();
    let mut fw_counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in checks {
        let check_ref = CheckRef { code: c.code.clone(), title: c.title.clone(), severity: c.severity, verdict: c.verdict.clone(), counts: c.counts.clone() };
        let fws = report.checks.iter().find(|i| i.code == c.code).map(|i| &i.frameworks);
        for key in fws.into_iter().flat_map(|m| m.keys()) {
            *fw_counts.entry(key.clone()).or_default() += 1;
        }
        match fws.and_then(|m| m.get(&framework)) {
            Some(ids) if !ids.is_empty() => {
                for id in ids {
                    controls.entry(id.clone()).or_default().push(check_ref.clone());
                }
            }
            _ => unmapped_checks.push(check_ref),
        }
    }
    let mut controls: Vec<ControlView> = controls.into_iter().map(|(id, checks)| control(id, checks)).collect();
    controls.sort_by_key(|c| natural_key(&c.id));
    FrameworkView {
        framework_label: framework_label(&framework),
        frameworks: fw_counts.iter().map(|(k, n)| FrameworkRef { key: k.clone(), label: framework_label(k), checks: *n, chosen: *k == framework }).collect(),
        framework_known: fw_counts.contains_key(&framework),
        framework,
        controls,
        unmapped_checks,
    }
}

/// A control and its verdict over all its checks' outcomes.
fn control(id: String, checks: Vec<CheckRef>) -> ControlView {
    let mut c = Counts::default();
    for r in &checks {
        c.absorb(&r.counts);
    }
    ControlView { verdict: verdict(&c, true), id, checks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec!["3.10", "3.2", "AU-12", "AU-2", "10.2.1", "3.1"];
        ids.sort_by_key(|s| natural_key(s));
        assert_eq!(ids, vec!["3.1", "3.2", "3.10", "10.2.1", "AU-2", "AU-12"]);
    }

    #[test]
    fn framework_labels_name_cis_versions_and_known_keys() {
        assert_eq!(framework_label("cis-6.0"), "CIS AWS Foundations Benchmark v6.0");
        assert_eq!(framework_label("nist-800-53-r5"), "NIST SP 800-53 Rev. 5");
        assert_eq!(framework_label("custom"), "custom");
    }
}
