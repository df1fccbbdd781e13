//! Scores per root and OU: over every account in scope in the unit's subtree, with the
//! organization's rules (see `report::score`). Pure; only read from the report's OU tree.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::frameworks::Mapping;
use super::{AccountScore, Grade, ScopeFrameworkScore, grade, is_unmitigated_critical, mean};
use crate::report::model::{Finding, Report};

/// One root's or OU's score: over every account in scope in its subtree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitScore {
    /// The root or OU id (`r-…`, `ou-…`).
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    /// The accounts in scope in its subtree (its own and those of the OUs below it), sorted.
    pub accounts: Vec<String>,
    /// Mean of those accounts' scores (rounded down to one decimal); null when none has one.
    pub score: Option<f64>,
    /// As for the organization, after the CRITICAL cap; null without a score.
    pub grade: Option<Grade>,
    /// Ids of the subtree's unsuppressed CRITICAL failures (they cap its grade at `poor`).
    pub capped_by: Vec<String>,
    /// Sums over its accounts of (account, check) pairs passed, failed and unknown.
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Its accounts that could not be scanned (each scored 0, in the mean).
    pub unscanned_accounts: Vec<String>,
    /// Framework key → the controls' statuses over the subtree's accounts.
    pub frameworks: BTreeMap<String, ScopeFrameworkScore>,
}

/// Every root's and OU's score, when the report carries the organization's tree.
pub(super) fn unit_scores(report: &Report, accounts: &[AccountScore], by_account: &BTreeMap<&str, Vec<&Finding>>, mapping: &Mapping) -> Vec<UnitScore> {
    let Some(tree) = &report.scan.organization_tree else { return Vec::new() };
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in &tree.units {
        if let Some(parent) = &u.parent {
            children.entry(parent.as_str()).or_default().push(u.id.as_str());
        }
    }
    let direct: BTreeMap<&str, &Vec<String>> = tree.units.iter().map(|u| (u.id.as_str(), &u.accounts)).collect();
    tree.units
        .iter()
        .map(|unit| {
            // The subtree's accounts (each node once, whatever the tree says).
            let mut in_subtree: BTreeSet<&str> = BTreeSet::new();
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut stack = vec![unit.id.as_str()];
            while let Some(node) = stack.pop() {
                if !seen.insert(node) {
                    continue;
                }
                in_subtree.extend(direct.get(node).into_iter().flat_map(|a| a.iter().map(String::as_str)));
                stack.extend(children.get(node).into_iter().flatten().copied());
            }
            let members: Vec<&AccountScore> = accounts.iter().filter(|a| in_subtree.contains(a.id.as_str())).collect();
            let findings: Vec<&Finding> = members.iter().flat_map(|a| by_account.get(a.id.as_str()).into_iter().flatten().copied()).collect();
            let capped_by: Vec<String> = findings.iter().filter(|f| is_unmitigated_critical(f)).map(|f| f.id.clone()).collect();
            let unscanned_accounts: Vec<String> = members.iter().filter(|a| !a.scanned).map(|a| a.id.clone()).collect();
            let score = mean(&members.iter().filter_map(|a| a.score).collect::<Vec<_>>());
            let mut ids: Vec<String> = members.iter().map(|a| a.id.clone()).collect();
            ids.sort();
            UnitScore {
                id: unit.id.clone(),
                name: unit.name.clone(),
                parent: unit.parent.clone(),
                accounts: ids,
                score,
                grade: grade(score, !capped_by.is_empty()),
                capped_by,
                passed: members.iter().map(|a| a.passed).sum(),
                failed: members.iter().map(|a| a.failed).sum(),
                unknown: members.iter().map(|a| a.unknown).sum(),
                frameworks: mapping.scope_frameworks(&findings, !unscanned_accounts.is_empty()),
                unscanned_accounts,
            }
        })
        .collect()
}
