//! Assembling the report from the inventory and the outcomes; the summary counts.

use sha2::{Digest, Sha256};

use super::model::*;
use crate::checks::{Outcome, metadata};
use crate::inventory::{Fact, Inventory};
use crate::model::{AccountStatus, Severity, Status};

/// The OU tree of an organization scan, as the inventory recorded it.
fn organization_tree(inventory: &Inventory) -> Option<OrganizationTree> {
    let units = inventory.organization.as_ref()?.units.as_ref()?;
    Some(match units {
        Fact::Present(units) => OrganizationTree {
            units: units.iter().map(|u| UnitInfo { id: u.id.clone(), name: u.name.clone(), parent: u.parent_id.clone(), accounts: u.accounts.clone() }).collect(),
            unavailable: None,
        },
        Fact::Unavailable(reason) => OrganizationTree { units: Vec::new(), unavailable: Some(reason.clone()) },
        Fact::Absent => OrganizationTree { units: Vec::new(), unavailable: None },
    })
}

/// `sha256(check | account | region | resource)`, first 16 bytes in hex.
pub fn finding_id(check: &str, account: &str, region: Option<&str>, resource: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [check, account, region.unwrap_or(""), resource] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// Equal evidence values, kept once: keyed by their (canonical: object keys are sorted)
/// JSON text.
#[derive(Default)]
struct SharedEvidence(std::collections::HashMap<String, Evidence>);

impl SharedEvidence {
    fn intern(&mut self, value: serde_json::Value) -> Evidence {
        let key = value.to_string();
        self.0.entry(key).or_insert_with(|| Evidence::new(value)).clone()
    }
}

impl Report {
    /// Assemble the report. `severity_of` lets policy override a check's default severity.
    pub fn build(inventory: &Inventory, outcomes: impl IntoIterator<Item = Outcome>, selected_checks: &[&str], severity_of: impl Fn(&str) -> Severity) -> Report {
        let checks: Vec<CheckInfo> = metadata::all()
            .iter()
            .filter(|m| selected_checks.contains(&m.code.as_str()))
            .map(|m| CheckInfo {
                code: m.code.clone(),
                name: m.name.clone(),
                title: m.title.clone(),
                severity: severity_of(&m.code),
                scope: m.scope,
                frameworks: m.frameworks.clone(),
            })
            .collect();
        let mut shared = SharedEvidence::default();
        let mut findings: Vec<Finding> = outcomes
            .into_iter()
            .map(|o| Finding {
                id: finding_id(&o.check, &o.account, o.region.as_deref(), &o.resource),
                severity: severity_of(&o.check),
                check: o.check,
                status: o.status,
                account: o.account,
                region: o.region,
                resource: o.resource,
                message: o.message,
                evidence: shared.intern(o.evidence),
                suppression: None,
                expired_suppression: None,
                baseline: None,
                cause: o.cause,
                remediation: None,
            })
            .collect();
        for finding in &mut findings {
            if let Some(meta) = metadata::get(&finding.check) {
                finding.remediation = super::fix::remediation(meta, finding, inventory);
            }
        }
        let mut regions: Vec<String> = inventory.accounts.iter().filter_map(|a| a.regions.present()).flatten().cloned().collect();
        regions.sort();
        regions.dedup();
        let mut notes = inventory.scan.notes.clone();
        if let Some(reason) = inventory.organization.as_ref().and_then(|o| o.units.as_ref()).and_then(|u| u.unavailable()) {
            notes.push(format!("the organization's OU tree could not be read ({}): the report has no per-OU scores or view", reason.message));
        }
        let mut report = Report {
            schema_version: SCHEMA_VERSION.to_string(),
            tool: Tool { name: inventory.scan.tool_name.clone(), version: inventory.scan.tool_version.clone() },
            scan: ScanInfo {
                started_at: inventory.scan.started_at,
                finished_at: inventory.scan.finished_at,
                caller: Caller { account_id: inventory.scan.caller.account_id.clone(), arn: inventory.scan.caller.arn.clone() },
                organization_id: inventory.organization.as_ref().map(|o| o.id.clone()),
                mode: inventory.scan.mode,
                accounts: inventory
                    .accounts
                    .iter()
                    .map(|a| AccountInfo {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        status: if matches!(a.access, Fact::Present(_)) { AccountStatus::Scanned } else { AccountStatus::NotScanned },
                        reason: a.access.unavailable_reason().map(str::to_string),
                        regions: a.regions.present().cloned().unwrap_or_default(),
                    })
                    .collect(),
                regions,
                notes,
                parameters: None,
                organization_tree: organization_tree(inventory),
            },
            summary: Summary::default(),
            checks,
            findings,
            baseline: None,
            scores: Default::default(),
            history: None,
        };
        report.recount();
        report
    }

    /// ERROR findings per cause kind (`unknown` when a finding carries none), most first:
    /// how every output groups what could not be read.
    pub fn errors_by_cause(&self) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = std::collections::BTreeMap::new();
        for f in self.findings.iter().filter(|f| f.status == Status::Error) {
            *counts.entry(f.cause.as_ref().map(|c| c.kind.as_str()).unwrap_or("unknown")).or_default() += 1;
        }
        let mut out: Vec<(&'static str, usize)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }

    /// Recompute the summary and the scores from the findings (after policy changed
    /// severities or suppressions).
    pub fn recount(&mut self) {
        let mut summary = Summary::default();
        for status in Status::ALL {
            summary.by_status.insert(status.as_str().to_string(), 0);
        }
        for f in &self.findings {
            *summary.by_status.entry(f.status.as_str().to_string()).or_default() += 1;
            *summary.by_severity.entry(f.severity.as_str().to_string()).or_default().entry(f.status.as_str().to_string()).or_default() += 1;
            if f.suppression.is_some() {
                summary.suppressed += 1;
            }
        }
        self.summary = summary;
        self.scores = super::score::Scores::compute(self);
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_evidence_is_kept_once_and_unequal_evidence_apart() {
        let mut shared = SharedEvidence::default();
        let a = shared.intern(serde_json::json!({"trail": "org", "regions": ["us-east-1", "eu-west-1"]}));
        // Equal value built in another order of keys: serde_json's maps are sorted.
        let b = shared.intern(serde_json::json!({"regions": ["us-east-1", "eu-west-1"], "trail": "org"}));
        let c = shared.intern(serde_json::json!({"trail": "org", "regions": ["eu-west-1", "us-east-1"]}));
        assert!(Evidence::ptr_eq(&a, &b), "equal evidence shares one value");
        assert!(!Evidence::ptr_eq(&a, &c), "array order is part of the value");
        assert_eq!(*c, serde_json::json!({"trail": "org", "regions": ["eu-west-1", "us-east-1"]}));
        assert_eq!(shared.0.len(), 2);
    }
}
