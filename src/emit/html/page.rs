//! The page model handed to the template, and its assembly: the header (scan
//! identification), the filter bar's options, and one part per section built by its module.
//!
//! Why it exists: tera renders one serialisable value. [`Page`] is that value; each section's
//! part is flattened into it (`#[serde(flatten)]`), so the template sees one flat set of names
//! while each module owns only its own fields. Building the parts in a fixed order keeps the
//! island's evidence and string indices, and so the page's bytes, deterministic.
//!
//! What it must not do: compute a section's content itself (that is the section modules'
//! job), re-judge anything, or read anything beyond the report and the render context.

use std::collections::BTreeSet;

use serde::Serialize;

use super::accounts::{self, AccountsSection};
use super::checks::{self, ChecksSection, CheckView};
use super::coverage::{self, CoverageSection};
use super::integrity::{self, IntegritySection};
use super::history::{self, HistorySection};
use super::escape::{content_security_policy, css_string};
use super::evidence::Island;
use super::frameworks::{self, FrameworkView};
use super::lists::{self, Lists};
use super::outcome::{RowMaker, is_attention};
use super::overview::{self, Overview};
use super::units::{self, UnitsSection};
use super::{HtmlOptions, SCRIPT, STYLE};
use crate::emit::RenderContext;
use crate::model::{AccountStatus, ScanMode};
use crate::report::Report;

#[derive(Serialize)]
pub(super) struct Page {
    #[serde(flatten)]
    header: Header,
    #[serde(flatten)]
    framework: FrameworkView,
    #[serde(flatten)]
    overview: Overview,
    #[serde(flatten)]
    coverage: CoverageSection,
    #[serde(flatten)]
    integrity: IntegritySection,
    #[serde(flatten)]
    accounts: AccountsSection,
    #[serde(flatten)]
    units: UnitsSection,
    #[serde(flatten)]
    lists: Lists,
    #[serde(flatten)]
    history: HistorySection,
    #[serde(flatten)]
    checks: ChecksSection,
    #[serde(flatten)]
    filters: Filters,
    /// The stylesheet: `templates/report.css` and the print header of this report.
    style: String,
    script: &'static str,
    csp: String,
    island: String,
}

/// Scan identification: everything an auditor cites.
#[derive(Serialize)]
struct Header {
    title: String,
    /// "organization o-…" or "account …": what the scan covered.
    scope: String,
    tool: String,
    version: String,
    schema_version: String,
    started: Stamp,
    finished: Stamp,
    duration: String,
    caller_arn: String,
    caller_account: String,
    organization_id: Option<String>,
    mode: String,
    accounts_total: usize,
    accounts_scanned: usize,
    accounts_not_scanned: usize,
    regions: Vec<String>,
    checks_run: usize,
    json_sha256: Option<String>,
    inventory_sha256: Option<String>,
    config_path: Option<String>,
    baseline: Option<BaselineView>,
    /// The effective selection and parameters of the run (`scan.parameters`), one item each.
    run_parameters: Vec<String>,
    /// What the run found, by kind: how many, in how many accounts and regions.
    found: Vec<String>,
}

/// A time as machine-readable (`datetime`) and as shown.
#[derive(Serialize)]
struct Stamp {
    iso: String,
    text: String,
}

impl Stamp {
    fn of(t: &chrono::DateTime<chrono::Utc>) -> Stamp {
        Stamp { iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), text: t.format("%Y-%m-%d %H:%M:%S UTC").to_string() }
    }
}

#[derive(Serialize)]
struct BaselineView {
    path: String,
    started: Stamp,
    counts: Vec<(String, usize)>,
    gone: usize,
}

/// The filter bar's choices.
#[derive(Serialize)]
struct Filters {
    filter_accounts: Vec<FilterOption>,
    filter_regions: Vec<String>,
    filter_checks: Vec<FilterOption>,
}

#[derive(Serialize)]
struct FilterOption {
    value: String,
    label: String,
}

pub(super) fn build_page(report: &Report, ctx: &RenderContext, opts: &HtmlOptions) -> Page {
    let rows = RowMaker::new(report);
    let lazy = report.findings.iter().filter(|f| !is_attention(f)).count() > opts.inline_passing_limit;
    let codes = checks::codes(report);
    let mut island = Island::default();
    let checks = checks::build(report, &codes, &rows, &mut island, lazy);
    let header = header(report, ctx);
    let style = format!("{STYLE}{}", print_header_css(&header));
    let framework = frameworks::chosen_framework(report, &ctx.framework);
    Page {
        csp: content_security_policy(&style, SCRIPT),
        style,
        header,
        framework: frameworks::build(report, &ctx.framework, &checks.checks),
        overview: overview::build(report, &framework),
        coverage: coverage::build(report, &codes),
        integrity: integrity::build(report),
        accounts: accounts::build(report),
        units: units::build(report),
        lists: lists::build(report, &rows),
        history: history::build(report),
        filters: filters(report, &checks.checks),
        checks,
        script: SCRIPT,
        island: island.finish(report, units::scope_data(report, &framework)),
    }
}

fn header(report: &Report, ctx: &RenderContext) -> Header {
    let scan = &report.scan;
    let duration = (scan.finished_at - scan.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let scope = match &scan.organization_id {
        Some(org) if scan.mode == ScanMode::Organization => format!("organization {org}"),
        _ => format!("account {}", scan.accounts.first().map(|a| a.id.as_str()).unwrap_or(&scan.caller.account_id)),
    };
    let scanned = scan.accounts.iter().filter(|a| a.status == AccountStatus::Scanned).count();
    Header {
        title: format!("CloudTrail compliance report: {scope}"),
        scope,
        tool: report.tool.name.clone(),
        version: report.tool.version.clone(),
        schema_version: report.schema_version.clone(),
        started: Stamp::of(&scan.started_at),
        finished: Stamp::of(&scan.finished_at),
        duration: format!("{duration:.1} s"),
        caller_arn: scan.caller.arn.clone(),
        caller_account: scan.caller.account_id.clone(),
        organization_id: scan.organization_id.clone(),
        mode: scan.mode.as_str().to_string(),
        accounts_total: scan.accounts.len(),
        accounts_scanned: scanned,
        accounts_not_scanned: scan.accounts.len() - scanned,
        regions: scan.regions.clone(),
        checks_run: report.checks.len(),
        json_sha256: ctx.json_sha256.clone(),
        inventory_sha256: ctx.inventory_sha256.clone(),
        config_path: ctx.config_path.clone(),
        baseline: report.baseline.as_ref().map(|b| BaselineView { path: b.path.clone(), started: Stamp::of(&b.started_at), counts: b.counts.iter().map(|(k, v)| (k.as_str().to_string(), *v)).collect(), gone: b.gone.len() }),
        run_parameters: run_parameters(report),
        found: found(report),
    }
}

/// `scan.parameters` as an auditor reads them: what was left out, and every threshold used.
fn run_parameters(report: &Report) -> Vec<String> {
    let Some(p) = &report.scan.parameters else { return Vec::new() };
    let mut out = Vec::new();
    let ignored: Vec<&str> = crate::checks::REGISTRY.iter().map(|c| c.code).filter(|c| !p.selected_checks.iter().any(|s| s == c)).collect();
    out.push(match ignored.len() {
        0 => format!("all {} checks selected", p.selected_checks.len()),
        _ => format!("{} checks selected; not run: {}", p.selected_checks.len(), ignored.join(", ")),
    });
    if !p.accounts.is_empty() {
        out.push(format!("only accounts {}", p.accounts.join(", ")));
    }
    if !p.excluded_accounts.is_empty() {
        out.push(format!("excluded accounts {}", p.excluded_accounts.join(", ")));
    }
    out.push(match &p.regions {
        Some(regions) => format!("regions {}", regions.join(", ")),
        None => "regions: every region enabled in each account".to_string(),
    });
    out.push(format!("log objects kept at least {} days (CT307)", p.min_retention_days));
    out.push(format!("log group retention at least {} days (CT516)", p.min_log_group_retention_days));
    out.push(match &p.central_bucket {
        Some(bucket) => format!("central bucket {bucket} (CT209)"),
        None => "no central bucket given (CT209 not applicable)".to_string(),
    });
    if let Some(regions) = &p.allowed_regions {
        out.push(format!("allowed regions {} (CT517)", regions.join(", ")));
    }
    if let Some(version) = &p.cis_version {
        out.push(format!("metric filters judged by the CIS {version} samples"));
    }
    out.push(match &p.integrity_window {
        Some(w) => format!("digest chains verified from {} to {} (CT601/CT602)", w.from.format("%Y-%m-%d %H:%M:%SZ"), w.to.format("%Y-%m-%d %H:%M:%SZ")),
        None => "digest chains not verified (no --verify-integrity: CT601/CT602 not run)".to_string(),
    });
    out.push(format!("fails on {} and above", p.fail_on.as_str()));
    out
}

/// Trails, log buckets, KMS keys and log groups the run judged, each counted once with the
/// accounts and regions it lives in: the resources of the checks that judge each kind.
fn found(report: &Report) -> Vec<String> {
    [("trail", "CT201"), ("log bucket", "CT304"), ("KMS key", "CT401"), ("log group", "CT516")]
        .into_iter()
        .map(|(kind, check)| {
            let of: Vec<&crate::report::Finding> = report.findings.iter().filter(|f| f.check == check).collect();
            let resources: BTreeSet<&str> = of.iter().map(|f| f.resource.as_str()).collect();
            let accounts: BTreeSet<&str> = of.iter().map(|f| f.account.as_str()).collect();
            let regions: BTreeSet<&str> = of.iter().filter_map(|f| f.region.as_deref()).collect();
            let plural = if resources.len() == 1 { "" } else { "s" };
            format!("{} {kind}{plural} in {} account(s), {} region(s)", resources.len(), accounts.len(), regions.len())
        })
        .collect()
}

/// The running header of every printed page, in the page's top margin boxes: tool and
/// version, organization (or account), scan start, and the SHA-256 of the JSON report the
/// page was rendered from. Values go in as CSS strings ([`css_string`]); the style element's
/// CSP hash covers them.
fn print_header_css(h: &Header) -> String {
    let left = format!("{} {} \u{b7} {} \u{b7} scan {}", h.tool, h.version, h.scope, h.started.text);
    let right = match &h.json_sha256 {
        Some(hash) => format!("JSON report SHA-256 {hash}"),
        None => "JSON report SHA-256 not recorded".to_string(),
    };
    format!("\n@media print {{ @page {{ @top-left {{ content: {}; }} @top-right {{ content: {}; }} }} }}\n", css_string(&left), css_string(&right))
}

/// Accounts (id and name), every region the scan or an outcome names, and the checks.
fn filters(report: &Report, checks: &[CheckView]) -> Filters {
    let mut regions: BTreeSet<String> = report.scan.regions.iter().cloned().collect();
    regions.extend(report.findings.iter().filter_map(|f| f.region.clone()));
    let account = |id: &str, name: &Option<String>| FilterOption {
        value: id.to_string(),
        label: match name {
            Some(n) => format!("{id} ({n})"),
            None => id.to_string(),
        },
    };
    Filters {
        filter_accounts: report.scan.accounts.iter().map(|a| account(&a.id, &a.name)).collect(),
        filter_regions: regions.into_iter().collect(),
        filter_checks: checks.iter().map(|c| FilterOption { value: c.code.clone(), label: format!("{} {}", c.code, c.name) }).collect(),
    }
}
