//! `-o html=PATH`: the auditor's report, one self-contained HTML file.
//!
//! Why this module exists: it is the emitter itself, the [`Html`] renderer and its
//! [`HtmlOptions`], and the tera set-up. Rendered with tera from `templates/` (embedded with
//! `include_str!`, registered under names ending in `.html`, so autoescaping is on for every
//! value). Nothing the page shows is marked safe except the page's own constants (CSS,
//! script) and the evidence JSON island, which [`script_json`] encodes so that nothing inside
//! can close the `<script>`. The page loads nothing: a Content-Security-Policy allows only the
//! embedded style and script (by SHA-256), so even a missed escape could not run injected code.
//!
//! Everything is computed in Rust (counts, verdicts, chart geometry; the scores come computed
//! in the report) by the modules
//! below, one per job; the templates only lay it out. With filters set, the script counts the
//! matching rows and lays the overview's charts out again the same way (`charts`' geometry),
//! and for a chosen scope (OU, account) it selects that scope's numbers from the island
//! (`units`): it never computes a score or a control verdict. What it does for a scope is
//! count: the verdict block's unscanned accounts, failing checks and coverage line, each
//! check's counts (with the badge, `outcome::verdict`'s roll-up of those counts), the
//! incomplete-evidence callout, the coverage legend and per-region chart (the heat map's
//! cells), and the score histogram (the scope's accounts' selected scores, bucketed), from
//! the rows of the scope's accounts; it marks the scope in the OU tree (`units` writes each
//! unit's parent) (docs/html-report.md, *Scope*). Rendering is deterministic:
//! the same report and context give the same bytes.
//!
//! - `page`: the page model handed to the template, the header, and the assembly of the rest;
//! - `outcome`: the shared vocabulary (per-status counts, verdicts, outcome rows);
//! - `overview`: the verdict (grade, failures by severity, fix groups, unscanned accounts) and
//!   the totals; `score`: how the report's scores are shown (they are computed in the report);
//! - `charts`: SVG geometry of the bar charts and the histogram;
//! - `accounts`: the per-account score table; `coverage`: the accounts × regions heat map;
//!   `integrity`: each trail's digest-chain and log-file verdicts (`--verify-integrity`);
//!   `history`: the trend over previous reports (`--history`);
//! - `units`: the organization's OU tree and every scope's precomputed numbers (for the
//!   script's scope selection: organization, OU, account);
//! - `frameworks`: the control view; `checks`: the per-check sections;
//! - `lists`: what could not be read and the suppressions;
//! - `evidence`: the de-duplicated evidence store and JSON island; `escape`: escaping, CSP.
//!
//! What no module here may do: an emitter only formats. It never re-judges a verdict (a
//! status, a recording trail, a suppression come from the report as they are), never parses
//! a finding's message text, never calls AWS and never reads configuration; what it needs
//! beyond the report comes in the [`RenderContext`].
//!
//! Scale: FAIL, ERROR and suppressed outcomes are always written as table rows. PASS and
//! NOT_APPLICABLE outcomes are written as rows too while there are at most
//! [`HtmlOptions::inline_passing_limit`] of them ("static" report: everything readable and
//! printable without JavaScript except the evidence of passing outcomes). Above that limit
//! ("large" report) passing outcomes travel in the JSON island (strings and evidence
//! sub-trees de-duplicated) and the script draws them when their group is opened, and the
//! evidence of outcomes needing attention is kept in the island as well (drawn when opened;
//! not printed) instead of inline. Evidence of passing outcomes is always drawn on demand
//! from the island.
//!
//! Print (A4, `templates/report.css` `@media print`): the running header of every page (tool,
//! scope, scan time, the JSON report's SHA-256) is this report's own `@page` margin-box CSS,
//! appended to the stylesheet by `page` (values as CSS strings, covered by the style's CSP
//! hash), with page numbers. Paper keeps the verdict, the identification, the totals, the
//! coverage map, the scores, the controls, what could not be read, every attention row with
//! its fix, the suppressions and one line of counts per check; it leaves out the evidence
//! JSON, the passing rows, the checks' documentation and the Terraform fixes (the demo
//! prints in 11 pages; `tests/html_report.rs` holds it to 12).

mod accounts;
mod charts;
mod checks;
mod coverage;
mod escape;
mod evidence;
mod frameworks;
mod history;
mod integrity;
mod lists;
mod outcome;
mod overview;
mod page;
mod score;
mod units;

use std::fmt::Write as _;
use std::sync::LazyLock;

use super::{RenderContext, RenderError, Renderer};
use crate::report::Report;

pub use escape::{escape_html, script_json};
pub use frameworks::{chosen_framework, framework_label};

const PAGE: &str = include_str!("../../../templates/report.html");
const MACROS: &str = include_str!("../../../templates/macros.html");
const STYLE: &str = include_str!("../../../templates/report.css");
const SCRIPT: &str = include_str!("../../../templates/report.js");

pub struct Html;

#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// Above this many PASS + NOT_APPLICABLE outcomes, passing rows are drawn on demand from
    /// the JSON island instead of being written as HTML rows.
    pub inline_passing_limit: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions { inline_passing_limit: 5_000 }
    }
}

impl Renderer for Html {
    fn render(&self, report: &Report, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        Html::render_with(report, ctx, &HtmlOptions::default())
    }
}

impl Html {
    /// Render with explicit options (tests and the benchmark use a different inline limit).
    pub fn render_with(report: &Report, ctx: &RenderContext, opts: &HtmlOptions) -> Result<Vec<u8>, RenderError> {
        let page = Html::prepare(report, ctx, opts)?;
        let mut bytes = Vec::new();
        page.write(&mut bytes).map_err(|e| RenderError::new("HTML", e.to_string()))?;
        Ok(bytes)
    }

    /// The page's template context, with the page model it came from already dropped: at
    /// 1,000 accounts the model, the context and the page text held at once peaked at 137 MB.
    pub fn prepare(report: &Report, ctx: &RenderContext, opts: &HtmlOptions) -> Result<PreparedPage, RenderError> {
        let context = {
            let page = page::build_page(report, ctx, opts);
            tera::Context::from_serialize(&page).map_err(|e| RenderError::new("HTML", error_chain(&e)))?
        };
        Ok(PreparedPage { context })
    }
}

/// An HTML report ready to be streamed to its file (see [`Html::prepare`]).
pub struct PreparedPage {
    context: tera::Context,
}

impl PreparedPage {
    /// Stream the page to `out`. The templates are fixed and tested, so what can fail here is
    /// the writing: an I/O error keeps its kind (a closed pipe stays a quiet exit).
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let tera = TERA.as_ref().map_err(|e| std::io::Error::other(format!("cannot render the HTML report: {e}")))?;
        tera.render_to("report.html", &self.context, out).map_err(|e| match io_kind(&e) {
            Some(kind) => std::io::Error::new(kind, error_chain(&e)),
            None => std::io::Error::other(format!("cannot render the HTML report: {}", error_chain(&e))),
        })
    }
}

/// The kind of the I/O error somewhere in tera's error chain ("Failed to render …" wraps it).
fn io_kind(e: &tera::Error) -> Option<std::io::ErrorKind> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if let Some(tera::Error { kind: tera::ErrorKind::Io(kind), .. }) = err.downcast_ref::<tera::Error>() {
            return Some(*kind);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = err.source();
    }
    None
}

static TERA: LazyLock<Result<tera::Tera, String>> = LazyLock::new(|| {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(vec![("macros.html", MACROS), ("report.html", PAGE)]).map_err(|e| format!("HTML templates: {}", error_chain(&e)))?;
    Ok(tera)
});

/// A tera error with its causes (tera puts the useful part in the source chain).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let _ = write!(s, ": {inner}");
        cur = inner.source();
    }
    s
}
