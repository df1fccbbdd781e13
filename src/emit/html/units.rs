//! The organization's OU tree on the page, and the precomputed numbers of every scope (the
//! organization, each root and OU, each account) that the script shows when a scope is chosen.
//!
//! Why it exists: in an organization the question after "where" is "whose": an OU owner
//! reads their subtree's score and controls, and a link to that view (`#ou=…`) must show
//! exactly what the JSON report says of it. The tree is a table (one row per OU, indented
//! by depth, its own accounts inline) so it reads without the script and prints in a few
//! lines; the scope data travels in the JSON island for the script to select from.
//!
//! What it must not do: score, or guess a tree. Every score, grade and control status is the
//! report's (`scores.organization`, `scores.units`, `scores.accounts`), formatted by
//! `score`; when the report says the tree could not be read the page says so and shows no
//! tree, and when the report has no tree (a single-account scan, an older inventory) there
//! is no OU view at all.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::score::{grade_class, grade_text, score_text};
use crate::report::{Grade, Report, ScopeFrameworkScore};

/// The tree's part of the page.
#[derive(Serialize)]
pub(super) struct UnitsSection {
    /// The units in tree order (depth first, siblings by name), with their depth.
    ou_rows: Vec<UnitRow>,
    /// Why the tree could not be read, when it could not.
    ou_unavailable: Option<String>,
    /// The scope selector's options: `(id, label)`, indented by depth.
    filter_units: Vec<(String, String)>,
}

#[derive(Serialize)]
struct UnitRow {
    id: String,
    name: String,
    /// The unit it is shown under (none for a root, or a unit whose parent is not in the
    /// tree): the script highlights a chosen account's OU path with it.
    parent: Option<String>,
    /// 0 for the root; capped at 6 for the indentation classes.
    depth: usize,
    score: String,
    grade: &'static str,
    grade_class: &'static str,
    capped: bool,
    /// Accounts in scope in the subtree.
    accounts: usize,
    unscanned: usize,
    /// The accounts directly in this unit, with their score (`—` when not in scope).
    own: Vec<AccountChip>,
}

#[derive(Serialize)]
struct AccountChip {
    id: String,
    name: Option<String>,
    score: String,
    grade_class: &'static str,
    in_scope: bool,
    scanned: bool,
}

pub(super) fn build(report: &Report) -> UnitsSection {
    let Some(tree) = &report.scan.organization_tree else {
        return UnitsSection { ou_rows: Vec::new(), ou_unavailable: None, filter_units: Vec::new() };
    };
    if let Some(reason) = &tree.unavailable {
        return UnitsSection { ou_rows: Vec::new(), ou_unavailable: Some(reason.message.clone()), filter_units: Vec::new() };
    }
    let mut children: BTreeMap<Option<&str>, Vec<&crate::report::UnitInfo>> = BTreeMap::new();
    for u in &tree.units {
        children.entry(u.parent.as_deref()).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    // Depth first from the roots (a unit whose parent is not in the tree is shown as a root).
    let known: std::collections::BTreeSet<&str> = tree.units.iter().map(|u| u.id.as_str()).collect();
    let mut stack: Vec<(&crate::report::UnitInfo, usize)> = tree.units.iter().filter(|u| u.parent.as_deref().is_none_or(|p| !known.contains(p))).rev().map(|u| (u, 0)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut rows = Vec::new();
    while let Some((unit, depth)) = stack.pop() {
        if !seen.insert(unit.id.as_str()) {
            continue;
        }
        let score = report.scores.unit(&unit.id);
        let own = unit
            .accounts
            .iter()
            .map(|id| {
                let info = report.scan.accounts.iter().find(|a| &a.id == id);
                let s = report.scores.account(id);
                AccountChip {
                    id: id.clone(),
                    name: info.and_then(|a| a.name.clone()),
                    score: score_text(s.and_then(|s| s.score)),
                    grade_class: grade_class(s.and_then(|s| s.grade)),
                    in_scope: info.is_some(),
                    scanned: s.is_none_or(|s| s.scanned),
                }
            })
            .collect();
        rows.push(UnitRow {
            id: unit.id.clone(),
            name: unit.name.clone(),
            parent: unit.parent.clone().filter(|p| known.contains(p.as_str())),
            depth: depth.min(6),
            score: score_text(score.and_then(|s| s.score)),
            grade: grade_text(score.and_then(|s| s.grade)),
            grade_class: grade_class(score.and_then(|s| s.grade)),
            capped: score.is_some_and(|s| !s.capped_by.is_empty()),
            accounts: score.map(|s| s.accounts.len()).unwrap_or(0),
            unscanned: score.map(|s| s.unscanned_accounts.len()).unwrap_or(0),
            own,
        });
        for child in children.get(&Some(unit.id.as_str())).into_iter().flatten().rev() {
            stack.push((child, depth + 1));
        }
    }
    let filter_units = rows.iter().map(|r| (r.id.clone(), format!("{}{} ({})", "\u{a0}\u{a0}".repeat(r.depth), r.name, r.id))).collect();
    UnitsSection { ou_rows: rows, ou_unavailable: None, filter_units }
}

/// One scope's numbers as the page shows them.
#[allow(clippy::too_many_arguments)]
fn scope(label: String, score: Option<f64>, grade: Option<Grade>, capped: usize, passed: usize, failed: usize, unknown: usize, framework: Option<&ScopeFrameworkScore>) -> Value {
    json!({
        "label": label,
        "score": score_text(score),
        "grade": grade_text(grade),
        "gc": grade_class(grade),
        "capped": capped,
        "p": passed,
        "f": failed,
        "u": unknown,
        "fw": framework.map(|f| json!({"score": score_text(f.score), "controls": f.controls})),
    })
}

/// The island's `scopes`: every account's and unit's precomputed numbers (the chosen
/// framework's controls only), and each unit's accounts, for the script to select from.
pub(super) fn scope_data(report: &Report, framework: &str) -> Value {
    let s = &report.scores;
    let accounts: serde_json::Map<String, Value> = s
        .accounts
        .iter()
        .map(|a| {
            let name = report.scan.accounts.iter().find(|i| i.id == a.id).and_then(|i| i.name.clone());
            let label = match name {
                Some(n) => format!("account {} ({n})", a.id),
                None => format!("account {}", a.id),
            };
            (a.id.clone(), scope(label, a.score, a.grade, a.capped_by.len(), a.passed, a.failed, a.unknown, a.frameworks.get(framework)))
        })
        .collect();
    let units: serde_json::Map<String, Value> = s
        .units
        .iter()
        .map(|u| {
            let kind = if u.parent.is_none() { "root" } else { "OU" };
            let mut v = scope(format!("{kind} {} ({})", u.name, u.id), u.score, u.grade, u.capped_by.len(), u.passed, u.failed, u.unknown, u.frameworks.get(framework));
            v["accounts"] = json!(u.accounts);
            (u.id.clone(), v)
        })
        .collect();
    json!({ "accounts": accounts, "units": units })
}
