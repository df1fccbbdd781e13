//! `-o markdown=PATH`: a summary for `$GITHUB_STEP_SUMMARY` and pull-request comments.
//!
//! Order of reading: a headline with the counts, accounts that could not be scanned, then the
//! new failures (with `--baseline`), the other failures by severity, what could not be read
//! (ERROR), and, collapsed in `<details>`, the suppressed findings, what was fixed since the
//! baseline, and the passing / not applicable counts per check.
//!
//! Every AWS-supplied string (account, region, resource, message, suppression reason) goes
//! through [`escape`]: no raw HTML, no table breaks, no Markdown formatting, no math, and no
//! `@mention` pings (a zero-width space after `@`, as Dependabot does in its pull requests).
//!
//! GitHub caps a step summary at 1 MiB; the output stays under [`STEP_SUMMARY_LIMIT`] by
//! leaving out rows once the budget is spent, and says how many it left out.
//! [`render_within`] renders for a smaller budget, e.g. [`PR_COMMENT_LIMIT`] for a
//! pull-request comment.

use std::fmt::Write;

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Finding, Report};
use crate::model::{AccountStatus, BaselineClass, ScanMode, Status};

pub struct Markdown;

/// GitHub's limit for one step's `$GITHUB_STEP_SUMMARY` (1 MiB).
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;
/// GitHub's limit for the body of an issue or pull-request comment (65,536 characters).
pub const PR_COMMENT_LIMIT: usize = 65_536;
/// Kept free at the end for closing tags and the truncation note.
const RESERVE: usize = 2048;

/// Escape text for a Markdown table cell or paragraph: no HTML, no table breaks, no inline
/// formatting, no math, no mentions. Newlines become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("\\|"),
            '@' => out.push_str("@&#8203;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '$' | '!' | '^' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes sections into a byte budget, counting the rows it had to leave out.
struct Doc {
    out: String,
    budget: usize,
    omitted: usize,
}

impl Doc {
    /// Room for `n` more bytes before the reserve?
    fn fits(&self, n: usize) -> bool {
        self.out.len() + n + RESERVE <= self.budget
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// A table under a heading: rows are added while they fit; the rest are counted.
    fn table(&mut self, heading: &str, header: &[&str], rows: Vec<String>) {
        if rows.is_empty() {
            return;
        }
        let heading = if heading.is_empty() { String::new() } else { format!("{heading}\n\n") };
        let head = format!("{heading}| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
        if !self.fits(head.len()) {
            self.omitted += rows.len();
            return;
        }
        self.push(&head);
        let total = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            if !self.fits(row.len() + 1) {
                self.omitted += total - i;
                break;
            }
            self.out.push_str(&row);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    /// A collapsed block; `body` writes into the same budget.
    fn details(&mut self, summary: &str, body: impl FnOnce(&mut Doc)) {
        self.push(&format!("<details><summary>{summary}</summary>\n\n"));
        body(self);
        self.push("</details>\n\n");
    }
}

fn region(f: &Finding) -> String {
    escape(f.region_label())
}

fn failure_row(f: &Finding) -> String {
    let mut message = escape(&f.message);
    if let Some(s) = &f.expired_suppression {
        let _ = write!(message, " _(suppression expired {}: {})_", escape(s.expires.as_deref().unwrap_or("?")), escape(&s.reason));
    }
    // The report's fix for this resource, commands only (comment lines are in `explain`).
    let fix = match &f.remediation {
        Some(r) => {
            let lines: Vec<String> = r.cli.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(escape).collect();
            format!("<code>{}</code>", lines.join("<br>"))
        }
        None => String::new(),
    };
    format!("| {} | {} | {} | {} | {} | {} | {} |", f.severity.as_str(), escape(&f.check), escape(&f.account), region(f), escape(&f.resource), message, fix)
}

fn by_severity(items: &mut [&Finding]) {
    items.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), &a.check, &a.account, &a.region, &a.resource).cmp(&(std::cmp::Reverse(b.severity), &b.check, &b.account, &b.region, &b.resource))
    });
}

const FAILURE_HEADER: [&str; 7] = ["severity", "check", "account", "region", "resource", "message", "fix"];

/// Render within `limit` bytes (at least a few KiB).
pub fn render_within(report: &Report, limit: usize) -> String {
    let mut doc = Doc { out: String::new(), budget: limit.max(RESERVE * 4), omitted: 0 };
    let active = |s: Status| report.findings.iter().filter(move |f| f.status == s && f.suppression.is_none());
    let mut failing: Vec<&Finding> = active(Status::Fail).collect();
    by_severity(&mut failing);
    let mut errors: Vec<&Finding> = active(Status::Error).collect();
    by_severity(&mut errors);
    let suppressed: Vec<&Finding> = report.findings.iter().filter(|f| f.suppression.is_some()).collect();
    let passed = active(Status::Pass).count();
    let not_applicable = active(Status::NotApplicable).count();
    let with_baseline = report.baseline.is_some();
    let (new, old): (Vec<&Finding>, Vec<&Finding>) = failing.iter().copied().partition(|f| with_baseline && f.baseline == Some(BaselineClass::New));

    let not_scanned: Vec<_> = report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).collect();
    doc.push("## trailwarden: CloudTrail posture\n\n");
    let verdict = if !failing.is_empty() {
        "❌"
    } else if !errors.is_empty() || !not_scanned.is_empty() {
        "⚠️"
    } else {
        "✅"
    };
    let new_note = if with_baseline { format!(" ({} new)", new.len()) } else { String::new() };
    doc.push(&format!(
        "{verdict} **{} failing**{new_note} · **{} could not be read** · {passed} passed · {not_applicable} not applicable · {} suppressed\n\n",
        failing.len(),
        errors.len(),
        suppressed.len()
    ));
    let scope = match (&report.scan.organization_id, report.scan.mode) {
        (Some(org), ScanMode::Organization) => format!("organization {}", escape(org)),
        _ => "account".to_string(),
    };
    doc.push(&format!(
        "{} {} · {scope} · {} account(s) scanned of {} · {} region(s) · {} checks · started {}\n\n",
        escape(&report.tool.name),
        escape(&report.tool.version),
        report.scan.accounts.len() - not_scanned.len(),
        report.scan.accounts.len(),
        report.scan.regions.len(),
        report.checks.len(),
        report.scan.started_at.format("%Y-%m-%d %H:%M UTC")
    ));
    if let Some(b) = &report.baseline {
        let c = |k: BaselineClass| b.counts.get(&k).copied().unwrap_or(0);
        doc.push(&format!(
            "Compared with the baseline scan of {}: **{} new**, {} fixed, {} unchanged, {} could not be compared, {} gone.\n\n",
            b.started_at.format("%Y-%m-%d %H:%M UTC"),
            c(BaselineClass::New),
            c(BaselineClass::Fixed),
            c(BaselineClass::Unchanged),
            c(BaselineClass::NotCompared),
            b.gone.len()
        ));
    }

    let rows: Vec<String> = not_scanned.iter().map(|a| format!("| {} | {} |", escape(&a.id), escape(a.reason.as_deref().unwrap_or("no reason given")))).collect();
    doc.table(&format!("### ⚠️ Accounts not scanned ({})", rows.len()), &["account", "reason"], rows);
    if with_baseline {
        doc.table(&format!("### New failures ({})", new.len()), &FAILURE_HEADER, new.iter().map(|f| failure_row(f)).collect());
        doc.table(&format!("### Other failures ({})", old.len()), &FAILURE_HEADER, old.iter().map(|f| failure_row(f)).collect());
    } else {
        doc.table(&format!("### Failures ({})", old.len()), &FAILURE_HEADER, old.iter().map(|f| failure_row(f)).collect());
    }
    let cause = |f: &Finding| f.cause.as_ref().map(|c| c.kind.as_str()).unwrap_or("unknown");
    let rows = errors.iter().map(|f| format!("| {} | {} | {} | {} | {} | {} |", escape(&f.check), escape(&f.account), region(f), escape(&f.resource), cause(f), escape(&f.message))).collect();
    doc.table(&format!("### Could not be read ({})", errors.len()), &["check", "account", "region", "resource", "cause", "what could not be read"], rows);
    if !report.scan.notes.is_empty() {
        doc.push(&format!("Scope notes: {}\n\n", report.scan.notes.iter().map(|n| escape(n)).collect::<Vec<_>>().join("; ")));
    }

    if !suppressed.is_empty() {
        doc.details(&format!("Suppressed ({})", suppressed.len()), |doc| {
            let rows = suppressed
                .iter()
                .map(|f| {
                    let s = f.suppression.as_ref().expect("filtered on suppression");
                    format!(
                        "| {} | {} | {} | {} | {} | {} | {} |",
                        f.status.as_str(),
                        escape(&f.check),
                        escape(&f.account),
                        region(f),
                        escape(&f.resource),
                        escape(&s.reason),
                        escape(s.expires.as_deref().unwrap_or("never"))
                    )
                })
                .collect();
            doc.table("", &["status", "check", "account", "region", "resource", "reason", "expires"], rows);
        });
    }
    if let Some(b) = &report.baseline {
        // Gone findings are fixed unless the comparison could not look at them.
        let fixed: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.baseline == Some(BaselineClass::Fixed))
            .chain(b.gone.iter().filter(|f| f.baseline != Some(BaselineClass::NotCompared)))
            .collect();
        if !fixed.is_empty() {
            doc.details(&format!("Fixed since the baseline ({})", fixed.len()), |doc| {
                let rows = fixed
                    .iter()
                    .map(|f| {
                        let how = if report.findings.iter().any(|now| now.id == f.id) { "passes now" } else { "resource gone" };
                        format!("| {} | {} | {} | {} | {how} |", escape(&f.check), escape(&f.account), region(f), escape(&f.resource))
                    })
                    .collect();
                doc.table("", &["check", "account", "region", "resource", "how"], rows);
            });
        }
    }
    if passed + not_applicable > 0 {
        doc.details(&format!("Passed ({passed}) and not applicable ({not_applicable}), per check"), |doc| {
            let rows = report
                .checks
                .iter()
                .filter_map(|c| {
                    let of = |s: Status| report.findings.iter().filter(|f| f.check == c.code && f.status == s && f.suppression.is_none()).count();
                    let (p, n) = (of(Status::Pass), of(Status::NotApplicable));
                    (p + n > 0).then(|| format!("| {} | {} | {p} | {n} |", escape(&c.code), escape(&c.name)))
                })
                .collect();
            doc.table("", &["check", "name", "passed", "not applicable"], rows);
        });
    }
    if doc.omitted > 0 {
        let _ = writeln!(
            doc.out,
            "_{} row(s) left out to stay under the {} KiB limit of this summary; the JSON report has every finding._",
            doc.omitted,
            doc.budget / 1024
        );
    }
    doc.out
}

impl Renderer for Markdown {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        Ok(render_within(report, STEP_SUMMARY_LIMIT).into_bytes())
    }
}
