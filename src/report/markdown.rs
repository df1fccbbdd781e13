//! `-o markdown=PATH`: a summary for `$GITHUB_STEP_SUMMARY` and pull-request comments.
//!
//! New failures (against `--baseline`) first, then the other failures by severity, then what
//! could not be read; the rest collapsed. AWS-supplied strings are escaped so they cannot
//! break the table or inject HTML. Output stays under GitHub's 1 MiB step-summary limit.

use std::fmt::Write;

use super::{Finding, RenderContext, Renderer, Report};
use crate::checks::Status;

pub struct Markdown;

/// GitHub's step summary limit is 1 MiB; stay well under it.
const MAX_BYTES: usize = 900 * 1024;

/// Escape text for a Markdown table cell: no HTML, no table breaks, no formatting.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        f.severity.as_str(),
        f.check,
        f.account,
        escape(f.region.as_deref().unwrap_or("-")),
        escape(&f.resource),
        escape(&f.message)
    );
}

const HEADER: &str = "| severity | check | account | region | resource | message |\n|---|---|---|---|---|---|\n";

impl Renderer for Markdown {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let mut out = String::new();
        let n = |s: &str| report.summary.by_status.get(s).copied().unwrap_or(0);
        let _ = writeln!(out, "## trailwarden: CloudTrail posture\n");
        let scope = report.scan.organization_id.as_deref().filter(|_| report.scan.mode == "organization").map(|o| format!("organization `{o}`")).unwrap_or_else(|| "account".into());
        let _ = writeln!(
            out,
            "{} {} · {} · {} account(s) · {} region(s) · {}\n",
            report.tool.name,
            report.tool.version,
            scope,
            report.scan.accounts.len(),
            report.scan.regions.len(),
            report.scan.started_at.format("%Y-%m-%d %H:%M UTC")
        );
        let _ = writeln!(out, "| PASS | FAIL | ERROR | NOT_APPLICABLE | suppressed |\n|---|---|---|---|---|\n| {} | {} | {} | {} | {} |\n", n("PASS"), n("FAIL"), n("ERROR"), n("NOT_APPLICABLE"), report.summary.suppressed);

        let mut failing: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Fail && f.suppression.is_none()).collect();
        failing.sort_by(|a, b| (std::cmp::Reverse(a.severity), &a.check, &a.resource).cmp(&(std::cmp::Reverse(b.severity), &b.check, &b.resource)));
        let (new, old): (Vec<&Finding>, Vec<&Finding>) = failing.into_iter().partition(|f| f.baseline.as_deref() == Some("new"));
        let mut truncated = false;
        let mut section = |out: &mut String, title: &str, items: &[&Finding]| {
            if items.is_empty() {
                return;
            }
            let _ = writeln!(out, "### {title} ({})\n", items.len());
            out.push_str(HEADER);
            for f in items {
                if out.len() > MAX_BYTES {
                    truncated = true;
                    break;
                }
                row(out, f);
            }
            out.push('\n');
        };
        if let Some(b) = &report.baseline {
            let c = |k: &str| b.counts.get(k).copied().unwrap_or(0);
            let _ = writeln!(out, "Compared with the baseline of {}: **{} new**, {} fixed, {} unchanged.\n", b.started_at.format("%Y-%m-%d %H:%M UTC"), c("new"), c("fixed"), c("unchanged"));
            section(&mut out, "New failures", &new);
            section(&mut out, "Other failures", &old);
        } else {
            section(&mut out, "Failures", &old);
        }
        let errors: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Error && f.suppression.is_none()).collect();
        section(&mut out, "Could not be read", &errors);
        let suppressed: Vec<&Finding> = report.findings.iter().filter(|f| f.suppression.is_some()).collect();
        if !suppressed.is_empty() {
            let _ = writeln!(out, "<details><summary>Suppressed ({})</summary>\n", suppressed.len());
            out.push_str("| check | resource | reason | expires |\n|---|---|---|---|\n");
            for f in suppressed {
                if out.len() > MAX_BYTES {
                    truncated = true;
                    break;
                }
                let s = f.suppression.as_ref().unwrap();
                let _ = writeln!(out, "| {} | {} | {} | {} |", f.check, escape(&f.resource), escape(&s.reason), s.expires.as_deref().unwrap_or("never"));
            }
            out.push_str("\n</details>\n");
        }
        if truncated {
            out.push_str("\n_Truncated to stay under the 1 MiB step-summary limit; the JSON report has every finding._\n");
        }
        Ok(out.into_bytes())
    }
}
