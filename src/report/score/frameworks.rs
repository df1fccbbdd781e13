//! Framework controls: which selected checks map to which control (from the checks'
//! `frameworks`), and each control's verdict over the findings of one scope — the
//! organization, an account or an OU. Part of `report::score`, whose module documentation
//! defines the rule; like it, pure, and the only place control verdicts are computed.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{combine, percent};
use crate::model::{Severity, Status};
use crate::report::model::{Finding, Report};

/// One framework's controls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkScore {
    /// Controls passed ÷ controls evaluated × 100 (rounded down to one decimal); null when no
    /// control was evaluated.
    pub score: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    pub controls: Vec<ControlScore>,
}

/// One framework control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ControlScore {
    /// The control id (`4.2`, `CloudTrail.4`).
    pub id: String,
    /// PASS, FAIL, ERROR (unknown: evidence missing) or NOT_APPLICABLE (left out of the score).
    pub status: Status,
    /// The highest severity among the mapped checks.
    pub severity: Severity,
    /// The checks mapped to it.
    pub checks: Vec<String>,
    /// Of those, the ones that fail somewhere.
    pub failing_checks: Vec<String>,
}

/// A framework's controls within one account or OU: the organization's rule over the
/// scope's findings, carried as control id → status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScopeFrameworkScore {
    /// Controls passed ÷ controls evaluated × 100 (rounded down to one decimal); null when
    /// no control was evaluated in the scope.
    pub score: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Control id → PASS, FAIL, ERROR (unknown) or NOT_APPLICABLE.
    #[schemars(with = "BTreeMap<String, Status>")]
    pub controls: BTreeMap<ControlId, Status>,
}

/// A framework control's id, shared by every account and OU that carries it: at 1,000
/// accounts the per-scope verdicts hold about 540,000 entries of some 250 distinct ids, and
/// one string each was 31 MB of a 57 MB peak.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlId(std::sync::Arc<str>);

impl ControlId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ControlId {
    fn from(id: &str) -> ControlId {
        ControlId(id.into())
    }
}

impl std::borrow::Borrow<str> for ControlId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for ControlId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ControlId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ControlId, D::Error> {
        String::deserialize(deserializer).map(|s| ControlId(s.into()))
    }
}

/// framework → control → mapped checks (selected checks only), and each check's severity.
pub(super) struct Mapping<'a> {
    controls: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>,
    severity: BTreeMap<&'a str, Severity>,
    /// Every control id once, for the per-scope verdicts.
    ids: BTreeMap<&'a str, ControlId>,
}

/// One control's verdict over the findings of a scope.
struct ControlVerdict<'m> {
    id: &'m str,
    status: Status,
    checks: &'m [&'m str],
    failing: Vec<&'m str>,
}

impl<'a> Mapping<'a> {
    pub(super) fn of(report: &'a Report) -> Mapping<'a> {
        let mut controls: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        for check in &report.checks {
            for (framework, ids) in &check.frameworks {
                for control in ids {
                    controls.entry(framework.as_str()).or_default().entry(control.as_str()).or_default().push(check.code.as_str());
                }
            }
        }
        let ids = controls.values().flat_map(|c| c.keys()).map(|id| (*id, ControlId((*id).into()))).collect();
        Mapping { controls, severity: report.checks.iter().map(|c| (c.code.as_str(), c.severity)).collect(), ids }
    }

    /// Every framework's control verdicts over `findings` (the findings of one scope): FAIL
    /// when a mapped check fails in them, else unknown when one of them is ERROR or
    /// `incomplete` (an account of the scope could not be scanned), else PASS when one
    /// passed, else N/A.
    fn verdicts(&self, findings: &[&Finding], incomplete: bool) -> Vec<(&str, Vec<ControlVerdict<'_>>)> {
        let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            by_check.entry(f.check.as_str()).or_default().push(f);
        }
        let check_status = |code: &str| combine(by_check.get(code).into_iter().flatten().copied());
        self.controls
            .iter()
            .map(|(framework, controls)| {
                let verdicts = controls
                    .iter()
                    .map(|(id, checks)| {
                        let statuses: Vec<Option<Status>> = checks.iter().map(|c| check_status(c)).collect();
                        let failing: Vec<&str> = checks.iter().zip(&statuses).filter(|(_, s)| **s == Some(Status::Fail)).map(|(c, _)| *c).collect();
                        let status = if !failing.is_empty() {
                            Status::Fail
                        } else if incomplete || statuses.contains(&Some(Status::Error)) {
                            Status::Error
                        } else if statuses.contains(&Some(Status::Pass)) {
                            Status::Pass
                        } else {
                            Status::NotApplicable
                        };
                        ControlVerdict { id, status, checks, failing }
                    })
                    .collect();
                (*framework, verdicts)
            })
            .collect()
    }

    /// Every framework's controls in full (the organization's view).
    pub(super) fn frameworks(&self, findings: &[&Finding], incomplete: bool) -> BTreeMap<String, FrameworkScore> {
        self.verdicts(findings, incomplete)
            .into_iter()
            .map(|(framework, verdicts)| {
                let (score, passed, failed, unknown) = tally(&verdicts);
                let mut controls: Vec<ControlScore> = verdicts
                    .iter()
                    .map(|v| ControlScore {
                        id: v.id.to_string(),
                        status: v.status,
                        severity: v.checks.iter().map(|c| self.severity.get(c).copied().unwrap_or(Severity::Info)).max().unwrap_or(Severity::Info),
                        checks: v.checks.iter().map(|c| c.to_string()).collect(),
                        failing_checks: v.failing.iter().map(|c| c.to_string()).collect(),
                    })
                    .collect();
                controls.sort_by_key(|c| natural_key(&c.id));
                (framework.to_string(), FrameworkScore { score, passed, failed, unknown, controls })
            })
            .collect()
    }

    /// The same verdicts, carried compactly for an account or an OU (control id → status).
    pub(super) fn scope_frameworks(&self, findings: &[&Finding], incomplete: bool) -> BTreeMap<String, ScopeFrameworkScore> {
        self.verdicts(findings, incomplete)
            .into_iter()
            .map(|(framework, verdicts)| {
                let (score, passed, failed, unknown) = tally(&verdicts);
                let controls = verdicts.iter().map(|v| (self.ids.get(v.id).cloned().unwrap_or_else(|| v.id.into()), v.status)).collect();
                (framework.to_string(), ScopeFrameworkScore { score, passed, failed, unknown, controls })
            })
            .collect()
    }
}

/// (score, passed, failed, unknown) of a framework's verdicts.
fn tally(verdicts: &[ControlVerdict]) -> (Option<f64>, usize, usize, usize) {
    let count = |s: Status| verdicts.iter().filter(|v| v.status == s).count();
    let (passed, failed, unknown) = (count(Status::Pass), count(Status::Fail), count(Status::Error));
    (percent(passed, passed + failed + unknown), passed, failed, unknown)
}

/// Control ids in reading order: `4.2` before `4.10`, `CloudTrail.4` before `CloudTrail.10`.
pub(super) fn natural_key(id: &str) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut number = String::new();
    for c in id.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else {
            if !number.is_empty() {
                parts.push((std::mem::take(&mut text), number.parse().unwrap_or(u64::MAX)));
                number.clear();
            }
            text.push(c);
        }
    }
    parts.push((text, number.parse().unwrap_or(0)));
    parts
}
