//! Section 6, findings by check: for each check its title, verdict, counts, framework
//! mappings and documentation (what, why, decisions, fixes, references), then every outcome,
//! those needing attention first and the passing ones grouped below.
//!
//! Why it exists: this is the evidence behind every number elsewhere on the page. It decides
//! only layout: which rows are HTML and which travel in the JSON island (large reports), and
//! whether evidence is inline or drawn on demand.
//!
//! What it must not do: re-judge or re-word. Rows show each finding's status, message and
//! evidence as the check wrote them; the check's documentation comes from its catalog entry,
//! and its plain-text markup (`code` spans, "- " lists) is split into blocks, never into HTML.

use std::collections::BTreeMap;

use serde::Serialize;

use super::evidence::Island;
use super::frameworks::framework_label;
use super::outcome::{Counts, Row, RowMaker, Verdict, is_attention, verdict};
use crate::checks::Status;
use crate::checks::metadata::{self, CheckMeta};
use crate::model::Severity;
use crate::report::{CheckInfo, Finding, Report};

#[derive(Serialize)]
pub(super) struct ChecksSection {
    pub(super) checks: Vec<CheckView>,
    lazy: bool,
    passing_total: usize,
}

#[derive(Serialize)]
pub(super) struct CheckView {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) title: String,
    pub(super) severity: &'static str,
    scope: String,
    frameworks: Vec<(String, String)>,
    doc: Option<DocView>,
    pub(super) counts: Counts,
    pub(super) verdict: Verdict,
    attention: Vec<Row>,
    passing: Vec<Row>,
    passing_count: usize,
    fix_open: bool,
    /// Some FAIL outcome carries no fix of its own (`remediation`): the check's generic fix
    /// is printed. Otherwise paper shows only the per-resource fixes.
    print_fix: bool,
}

#[derive(Debug, Clone, Serialize)]
struct DocView {
    what: Vec<Block>,
    why: Vec<Block>,
    decisions: Vec<Block>,
    fix_cli: String,
    fix_terraform: String,
    references: Vec<Reference>,
}

#[derive(Debug, Clone, Serialize)]
struct Reference {
    text: String,
    link: bool,
}

/// A run of documentation text, `code` or not.
#[derive(Debug, Clone, Serialize)]
struct Span {
    t: String,
    code: bool,
}

/// A paragraph (one item) or a "- " list (one item per entry).
#[derive(Debug, Clone, Serialize)]
struct Block {
    list: bool,
    items: Vec<Vec<Span>>,
}

fn spans(text: &str) -> Vec<Span> {
    text.split('`').enumerate().filter(|(_, t)| !t.is_empty()).map(|(i, t)| Span { t: t.to_string(), code: i % 2 == 1 }).collect()
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<&str> = para.lines().map(str::trim).collect();
        if lines.first().is_some_and(|l| l.starts_with("- ")) {
            let mut items: Vec<String> = Vec::new();
            for line in lines {
                match line.strip_prefix("- ") {
                    Some(item) => items.push(item.to_string()),
                    None => {
                        if let Some(last) = items.last_mut() {
                            last.push(' ');
                            last.push_str(line);
                        }
                    }
                }
            }
            out.push(Block { list: true, items: items.iter().map(|i| spans(i)).collect() });
        } else {
            out.push(Block { list: false, items: vec![spans(&lines.join(" "))] });
        }
    }
    out
}

fn doc_view(m: &CheckMeta) -> DocView {
    DocView {
        what: blocks(&m.doc.what),
        why: blocks(&m.doc.why),
        decisions: m.doc.decisions.as_deref().map(blocks).unwrap_or_default(),
        fix_cli: m.doc.fix_cli.trim_end().to_string(),
        fix_terraform: m.doc.fix_terraform.trim_end().to_string(),
        references: m.doc.references.iter().map(|r| Reference { text: r.clone(), link: r.starts_with("https://") }).collect(),
    }
}

/// The codes of the checks the report lists, then of any other check an outcome names.
pub(super) fn codes(report: &Report) -> Vec<String> {
    let mut codes: Vec<String> = report.checks.iter().map(|c| c.code.clone()).collect();
    let named: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.check.as_str()).collect();
    for code in named {
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_string());
        }
    }
    codes
}

/// Every check's section, in `codes` order. Passing rows go to the island when `lazy`.
pub(super) fn build(report: &Report, codes: &[String], rows: &RowMaker, island: &mut Island, lazy: bool) -> ChecksSection {
    let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_check.entry(f.check.as_str()).or_default().push(f);
    }
    let passing_total = report.findings.iter().filter(|f| !is_attention(f)).count();
    let checks = codes.iter().map(|code| check_view(report, code, by_check.get(code.as_str()).map(Vec::as_slice).unwrap_or_default(), rows, island, lazy)).collect();
    ChecksSection { checks, lazy, passing_total }
}

/// A check's outcomes as rows: counted, attention rows first, passing rows (or island rows).
struct Outcomes {
    counts: Counts,
    attention: Vec<Row>,
    passing: Vec<Row>,
    passing_count: usize,
}

impl Outcomes {
    fn collect(code: &str, findings: &[&Finding], rows: &RowMaker, island: &mut Island, lazy: bool) -> Outcomes {
        let mut out = Outcomes { counts: Counts::default(), attention: Vec::new(), passing: Vec::new(), passing_count: 0 };
        let mut sorted = findings.to_vec();
        sorted.sort_by(|a, b| (a.status, std::cmp::Reverse(a.suppression.is_none()), &a.account, &a.region, &a.resource).cmp(&(b.status, std::cmp::Reverse(b.suppression.is_none()), &b.account, &b.region, &b.resource)));
        for f in sorted {
            out.counts.add(f);
            if is_attention(f) {
                // Inline evidence reads without JavaScript and prints; a large report keeps it
                // as data too (drawn when opened, and before printing).
                if lazy {
                    let ei = island.evidence(&f.evidence);
                    out.attention.push(rows.row(f, false, Some(ei)));
                } else {
                    out.attention.push(rows.row(f, true, None));
                }
            } else {
                out.passing_count += 1;
                let ei = island.evidence(&f.evidence);
                if lazy {
                    island.passing_row(code, f, ei);
                } else {
                    out.passing.push(rows.row(f, false, Some(ei)));
                }
            }
        }
        out
    }
}

fn check_view(report: &Report, code: &str, findings: &[&Finding], rows: &RowMaker, island: &mut Island, lazy: bool) -> CheckView {
    let info: Option<&CheckInfo> = report.checks.iter().find(|c| c.code == code);
    let meta = metadata::get(code);
    let Outcomes { counts, mut attention, passing, passing_count } = Outcomes::collect(code, findings, rows, island, lazy);
    // On paper a fix repeated word for word by the next row is printed once.
    for i in 1..attention.len() {
        attention[i].fx_same = attention[i].fx.is_some() && attention[i].fx == attention[i - 1].fx;
    }
    let severity = info.map(|c| c.severity).or(meta.map(|m| m.severity)).or(findings.first().map(|f| f.severity)).unwrap_or(Severity::Medium);
    let frameworks: BTreeMap<String, Vec<String>> = info.map(|c| c.frameworks.clone()).or(meta.map(|m| m.frameworks.clone())).unwrap_or_default();
    let evaluated = info.is_some() || !findings.is_empty();
    CheckView {
        code: code.to_string(),
        name: info.map(|c| c.name.clone()).or(meta.map(|m| m.name.clone())).unwrap_or_default(),
        title: info.map(|c| c.title.clone()).or(meta.map(|m| m.title.clone())).unwrap_or_else(|| code.to_string()),
        severity: severity.as_str(),
        scope: info.map(|c| c.scope).or(meta.map(|m| m.scope)).map(|s| s.as_str().to_string()).unwrap_or_default(),
        frameworks: frameworks.iter().map(|(k, v)| (framework_label(k), v.join(", "))).collect(),
        doc: meta.map(doc_view),
        fix_open: counts.fail > 0,
        print_fix: findings.iter().any(|f| f.status == Status::Fail && f.remediation.is_none()),
        verdict: verdict(&counts, evaluated),
        counts,
        attention,
        passing,
        passing_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_blocks_keep_lists_and_code() {
        let b = blocks("Para with `code` here.\n\n- one\n  continued\n- two");
        assert_eq!(b.len(), 2);
        assert!(!b[0].list && b[0].items[0][1].code && b[0].items[0][1].t == "code");
        assert!(b[1].list && b[1].items.len() == 2 && b[1].items[0][0].t == "one continued");
    }
}
