//! `-o html=PATH`: the auditor's report, one self-contained HTML file.
//!
//! Rendered with tera from `templates/` (embedded with `include_str!`, registered under
//! names ending in `.html`, so autoescaping is on for every value). Nothing the page shows
//! is marked safe except the page's own constants (CSS, script) and the evidence JSON
//! island, which [`script_json`] encodes so that nothing inside can close the `<script>`.
//! The page loads nothing: a Content-Security-Policy allows only the embedded style and
//! script (by SHA-256), so even a missed escape could not run injected code.
//!
//! Everything is computed here (counts, scores, verdicts, chart geometry); the templates only
//! lay it out. Rendering is deterministic: the same report and context give the same bytes.
//!
//! Scale: FAIL, ERROR and suppressed outcomes are always written as table rows. PASS and
//! NOT_APPLICABLE outcomes are written as rows too while there are at most
//! [`HtmlOptions::inline_passing_limit`] of them ("static" report: everything readable and
//! printable without JavaScript except the evidence of passing outcomes). Above that limit
//! ("large" report) passing outcomes travel in the JSON island (strings and evidence
//! sub-trees de-duplicated) and the script draws them when their group is opened, and the
//! evidence of outcomes needing attention is kept in the island as well (drawn when opened
//! and before printing) instead of inline. Evidence of passing outcomes is always drawn on
//! demand from the island.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::LazyLock;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Finding, Report, Suppression};
use crate::model::Status;
use crate::checks::metadata;
use crate::model::{AccountStatus, ScanMode, Severity};

const PAGE: &str = include_str!("../../templates/report.html");
const MACROS: &str = include_str!("../../templates/macros.html");
const STYLE: &str = include_str!("../../templates/report.css");
const SCRIPT: &str = include_str!("../../templates/report.js");

/// Severity weights of the posture score (info weighs nothing).
pub const SCORE_WEIGHTS: [(Severity, u32); 5] = [(Severity::Critical, 10), (Severity::High, 5), (Severity::Medium, 3), (Severity::Low, 1), (Severity::Info, 0)];

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

static TERA: LazyLock<Result<tera::Tera, String>> = LazyLock::new(|| {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(vec![("macros.html", MACROS), ("report.html", PAGE)]).map_err(|e| format!("HTML templates: {}", error_chain(&e)))?;
    Ok(tera)
});

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let _ = write!(s, ": {inner}");
        cur = inner.source();
    }
    s
}

/// HTML escaping for element content and double- or single-quoted attribute values.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text that is safe inside `<script type="application/json">`: `<`, `>`, `&`, U+2028
/// and U+2029 are written as `\uXXXX` escapes (still the same JSON value), so no `</script>`,
/// `<!--` or line separator can appear in the raw text.
pub fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Small shared vocabulary
// ---------------------------------------------------------------------------------------

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "s-pass",
        Status::Fail => "s-fail",
        Status::Error => "s-error",
        Status::NotApplicable => "s-na",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
    }
}

fn weight(sev: Severity) -> u32 {
    SCORE_WEIGHTS.iter().find(|(s, _)| *s == sev).map(|(_, w)| *w).unwrap_or(0)
}

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

/// Per-status counts of a set of outcomes.
#[derive(Debug, Default, Clone, Serialize)]
struct Counts {
    pass: usize,
    fail: usize,
    error: usize,
    na: usize,
    suppressed: usize,
    total: usize,
}

impl Counts {
    fn add(&mut self, f: &Finding) {
        match f.status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::NotApplicable => self.na += 1,
        }
        if f.suppression.is_some() {
            self.suppressed += 1;
        }
        self.total += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
struct Verdict {
    label: &'static str,
    class: &'static str,
    note: String,
}

/// FAIL when anything fails (suppressed or not: suppression never changes a verdict), else
/// ERROR when anything could not be read, else PASS when something passed, else N/A.
fn verdict(c: &Counts, evaluated: bool) -> Verdict {
    let (label, class) = if !evaluated {
        ("NOT RUN", "s-none")
    } else if c.fail > 0 {
        ("FAIL", "s-fail")
    } else if c.error > 0 {
        ("ERROR", "s-error")
    } else if c.pass > 0 {
        ("PASS", "s-pass")
    } else if c.na > 0 {
        ("N/A", "s-na")
    } else {
        ("NO OUTCOMES", "s-none")
    };
    let note = if c.suppressed > 0 { format!("{} suppressed", c.suppressed) } else { String::new() };
    Verdict { label, class, note }
}

// ---------------------------------------------------------------------------------------
// Posture score
// ---------------------------------------------------------------------------------------

/// The posture score of a set of outcomes: 100 × (weighted PASS) / (weighted PASS + FAIL +
/// ERROR), weights by severity from [`SCORE_WEIGHTS`]. NOT_APPLICABLE is left out; ERROR
/// counts as not passing (unverified is not compliant); suppressed outcomes keep their
/// status (a suppressed FAIL still counts as FAIL). `None` when nothing weighed was assessed.
pub fn posture_score<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<f64> {
    let (mut passed, mut assessed) = (0u64, 0u64);
    for f in findings {
        let w = weight(f.severity) as u64;
        match f.status {
            Status::Pass => {
                passed += w;
                assessed += w;
            }
            Status::Fail | Status::Error => assessed += w,
            Status::NotApplicable => {}
        }
    }
    (assessed > 0).then(|| 100.0 * passed as f64 / assessed as f64)
}

fn score_class(score: Option<f64>) -> &'static str {
    match score {
        None => "sc-none",
        Some(s) if s >= 90.0 => "sc-good",
        Some(s) if s >= 70.0 => "sc-fair",
        Some(_) => "sc-poor",
    }
}

fn score_text(score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{}", s.floor() as u32),
        None => "—".into(),
    }
}

// ---------------------------------------------------------------------------------------
// Check documentation: plain text with `code` spans and "- " lists, as structured blocks
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
struct Span {
    t: String,
    code: bool,
}

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

// ---------------------------------------------------------------------------------------
// Evidence store: de-duplicated strings and evidence sub-trees for the JSON island
// ---------------------------------------------------------------------------------------

/// Sub-trees whose compact JSON is at least this long and that occur more than once are
/// stored once in the island's shared table and referenced.
const SHARE_MIN_LEN: usize = 40;
/// Key of a reference object `{"\u0000": n}`; original keys starting with NUL get one more.
const REF_KEY: &str = "\u{0}";

#[derive(Default)]
struct EvidenceStore {
    values: Vec<Value>,
    counts: HashMap<String, usize>,
}

impl EvidenceStore {
    fn push(&mut self, v: &Value) -> usize {
        Self::count(v, &mut self.counts);
        self.values.push(v.clone());
        self.values.len() - 1
    }

    /// Counts every object/array sub-tree by its compact JSON; returns this tree's JSON.
    fn count(v: &Value, counts: &mut HashMap<String, usize>) -> String {
        let text = match v {
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().map(|i| Self::count(i, counts)).collect();
                format!("[{}]", parts.join(","))
            }
            Value::Object(map) => {
                let parts: Vec<String> = map.iter().map(|(k, i)| format!("{}:{}", Value::String(k.clone()), Self::count(i, counts))).collect();
                format!("{{{}}}", parts.join(","))
            }
            other => return other.to_string(),
        };
        if text.len() >= SHARE_MIN_LEN {
            *counts.entry(text.clone()).or_default() += 1;
        }
        text
    }

    /// `(evidence, shared)`: every evidence value with repeated sub-trees replaced by
    /// references into `shared`.
    fn encode(self) -> (Vec<Value>, Vec<Value>) {
        let mut shared: Vec<Value> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let counts = self.counts;
        let evidence = self.values.iter().map(|v| Self::encode_value(v, &counts, &mut index, &mut shared).0).collect();
        (evidence, shared)
    }

    fn encode_value(v: &Value, counts: &HashMap<String, usize>, index: &mut HashMap<String, usize>, shared: &mut Vec<Value>) -> (Value, String) {
        let (encoded, text) = match v {
            Value::Array(items) => {
                let (enc, texts): (Vec<Value>, Vec<String>) = items.iter().map(|i| Self::encode_value(i, counts, index, shared)).unzip();
                (Value::Array(enc), format!("[{}]", texts.join(",")))
            }
            Value::Object(map) => {
                let mut enc = serde_json::Map::new();
                let mut texts = Vec::new();
                for (k, i) in map {
                    let (e, t) = Self::encode_value(i, counts, index, shared);
                    texts.push(format!("{}:{}", Value::String(k.clone()), t));
                    let key = if k.starts_with(REF_KEY) { format!("{REF_KEY}{k}") } else { k.clone() };
                    enc.insert(key, e);
                }
                (Value::Object(enc), format!("{{{}}}", texts.join(",")))
            }
            other => return (other.clone(), other.to_string()),
        };
        if counts.get(&text).copied().unwrap_or(0) > 1 {
            let n = match index.get(&text) {
                Some(n) => *n,
                None => {
                    shared.push(encoded);
                    index.insert(text.clone(), shared.len() - 1);
                    shared.len() - 1
                }
            };
            let mut reference = serde_json::Map::new();
            reference.insert(REF_KEY.into(), Value::from(n));
            return (Value::Object(reference), text);
        }
        (encoded, text)
    }
}

/// Interned strings of the island (accounts, regions, resources, messages of passing rows).
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Strings {
    fn id(&mut self, s: &str) -> usize {
        if let Some(n) = self.index.get(s) {
            return *n;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

// ---------------------------------------------------------------------------------------
// The page model handed to the template
// ---------------------------------------------------------------------------------------

#[derive(Serialize)]
struct Page {
    title: String,
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
    framework: String,
    framework_label: String,
    frameworks: Vec<FrameworkRef>,
    checks_run: usize,
    json_sha256: Option<String>,
    inventory_sha256: Option<String>,
    config_path: Option<String>,
    baseline: Option<BaselineView>,

    totals: Counts,
    org_score: String,
    org_score_class: &'static str,
    status_bar: Vec<Segment>,
    severity_chart: SeverityChart,
    score_hist: Histogram,
    region_chart: RegionChart,

    weights: Vec<WeightView>,
    accounts: Vec<AccountView>,
    coverage: Option<Coverage>,
    controls: Vec<ControlView>,
    unmapped_checks: Vec<CheckRef>,
    framework_known: bool,
    checks: Vec<CheckView>,
    not_scanned: Vec<NotScanned>,
    error_rows: Vec<Row>,
    suppressed_rows: Vec<Row>,
    expired_rows: Vec<Row>,

    filter_accounts: Vec<Option2>,
    filter_regions: Vec<String>,
    filter_checks: Vec<Option2>,
    lazy: bool,
    passing_total: usize,

    style: &'static str,
    script: &'static str,
    csp: String,
    island: String,
}

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
struct FrameworkRef {
    key: String,
    label: String,
    checks: usize,
    chosen: bool,
}

#[derive(Serialize)]
struct BaselineView {
    path: String,
    started: Stamp,
    counts: Vec<(String, usize)>,
    gone: usize,
}

#[derive(Serialize)]
struct WeightView {
    severity: &'static str,
    weight: u32,
}

#[derive(Serialize)]
struct Option2 {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct Segment {
    label: &'static str,
    class: &'static str,
    count: usize,
    x: f64,
    w: f64,
    pct: String,
}

#[derive(Serialize)]
struct SeverityChart {
    rows: Vec<SeverityRow>,
    height: usize,
}

#[derive(Serialize)]
struct SeverityRow {
    severity: &'static str,
    y: usize,
    fail: usize,
    error: usize,
    pass: usize,
    na: usize,
    suppressed: usize,
    /// x of the value label, after the bar.
    end: f64,
    segs: Vec<Segment>,
}

#[derive(Serialize)]
struct Histogram {
    bars: Vec<Bar>,
    unscored: usize,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: usize,
    x: f64,
    y: f64,
    h: f64,
    class: &'static str,
}

#[derive(Serialize)]
struct RegionChart {
    rows: Vec<RegionRow>,
    height: usize,
}

#[derive(Serialize)]
struct RegionRow {
    region: String,
    y: usize,
    logged: usize,
    not_logged: usize,
    unreadable: usize,
    total: usize,
    pct: String,
    segs: Vec<Segment>,
}

#[derive(Serialize)]
struct AccountView {
    id: String,
    name: Option<String>,
    scanned: bool,
    reason: Option<String>,
    score: String,
    score_class: &'static str,
    bar: f64,
    counts: Counts,
    regions: usize,
}

#[derive(Serialize)]
struct Coverage {
    regions: Vec<String>,
    rows: Vec<CoverageRow>,
    trails: Vec<TrailKey>,
    logged: usize,
    not_logged: usize,
    unreadable: usize,
    not_enabled: usize,
}

#[derive(Serialize)]
struct CoverageRow {
    id: String,
    name: Option<String>,
    cells: Vec<Cell>,
}

#[derive(Serialize, Clone)]
struct Cell {
    k: &'static str,
    t: String,
}

#[derive(Serialize)]
struct TrailKey {
    key: String,
    arn: String,
    name: String,
    cells: usize,
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

#[derive(Serialize)]
struct CheckView {
    code: String,
    name: String,
    title: String,
    severity: &'static str,
    scope: String,
    frameworks: Vec<(String, String)>,
    doc: Option<DocView>,
    counts: Counts,
    verdict: Verdict,
    attention: Vec<Row>,
    passing: Vec<Row>,
    passing_count: usize,
    fix_open: bool,
}

#[derive(Serialize, Clone)]
struct Row {
    check: String,
    s: &'static str,
    sl: &'static str,
    sc: &'static str,
    a: String,
    an: Option<String>,
    r: Option<String>,
    res: String,
    msg: String,
    id: String,
    /// Pretty evidence, inline (attention rows).
    ev: Option<String>,
    /// Index of the evidence in the island (passing rows).
    ei: Option<usize>,
    sup: Option<Suppression>,
    exp: Option<Suppression>,
    bl: Option<String>,
}

#[derive(Serialize)]
struct NotScanned {
    id: String,
    name: Option<String>,
    reason: String,
    errors: usize,
    checks: String,
}

// ---------------------------------------------------------------------------------------
// Building the page
// ---------------------------------------------------------------------------------------

const BAR_W: f64 = 560.0;

fn segments(parts: &[(&'static str, &'static str, usize)], total: usize, width: f64) -> Vec<Segment> {
    let mut x = 0.0;
    let mut out = Vec::new();
    for (label, class, count) in parts {
        if *count == 0 {
            continue;
        }
        let w = if total == 0 { 0.0 } else { width * *count as f64 / total as f64 };
        let pct = if total == 0 { "0".into() } else { format!("{:.1}", 100.0 * *count as f64 / total as f64) };
        out.push(Segment { label, class, count: *count, x: round2(x), w: round2(w.max(0.5)), pct });
        x += w;
    }
    out
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn is_attention(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::Error) || f.suppression.is_some() || f.expired_suppression.is_some()
}

impl Html {
    /// Render with explicit options (tests and the benchmark use a different inline limit).
    pub fn render_with(report: &Report, ctx: &RenderContext, opts: &HtmlOptions) -> Result<Vec<u8>, RenderError> {
        let tera = TERA.as_ref().map_err(|e| RenderError::new("HTML", e.clone()))?;
        let page = build_page(report, ctx, opts);
        let context = tera::Context::from_serialize(&page).map_err(|e| RenderError::new("HTML", error_chain(&e)))?;
        let html = tera.render("report.html", &context).map_err(|e| RenderError::new("HTML", error_chain(&e)))?;
        Ok(html.into_bytes())
    }
}

fn build_page(report: &Report, ctx: &RenderContext, opts: &HtmlOptions) -> Page {
    let names: HashMap<&str, Option<&str>> = report.scan.accounts.iter().map(|a| (a.id.as_str(), a.name.as_deref())).collect();
    let name_of = |id: &str| names.get(id).copied().flatten().map(str::to_string);
    let not_scanned_ids: BTreeSet<&str> = report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).map(|a| a.id.as_str()).collect();

    // Findings grouped by check, in check order; checks the report lists first.
    let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_check.entry(f.check.as_str()).or_default().push(f);
    }
    let passing_total = report.findings.iter().filter(|f| !is_attention(f)).count();
    let lazy = passing_total > opts.inline_passing_limit;

    let mut store = EvidenceStore::default();
    let mut strings = Strings::default();
    let mut lazy_rows: BTreeMap<String, Vec<Value>> = BTreeMap::new();

    let row = |f: &Finding, inline_evidence: bool, ei: Option<usize>| Row {
        check: f.check.clone(),
        s: f.status.as_str(),
        sl: status_label(f.status),
        sc: status_class(f.status),
        a: f.account.clone(),
        an: name_of(&f.account),
        r: f.region.clone(),
        res: f.resource.clone(),
        msg: f.message.clone(),
        id: f.id.clone(),
        ev: inline_evidence.then(|| serde_json::to_string_pretty(&f.evidence).unwrap_or_default()),
        ei,
        sup: f.suppression.clone(),
        exp: f.expired_suppression.clone(),
        bl: f.baseline.map(|b| b.as_str().to_string()),
    };

    // Check sections.
    let mut codes: Vec<String> = report.checks.iter().map(|c| c.code.clone()).collect();
    for code in by_check.keys() {
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_string());
        }
    }
    let mut checks = Vec::new();
    let mut check_counts: HashMap<String, Counts> = HashMap::new();
    for code in &codes {
        let info = report.checks.iter().find(|c| &c.code == code);
        let meta = metadata::get(code);
        let findings = by_check.get(code.as_str()).cloned().unwrap_or_default();
        let mut counts = Counts::default();
        let mut attention = Vec::new();
        let mut passing = Vec::new();
        let mut passing_count = 0;
        let mut sorted = findings.clone();
        sorted.sort_by(|a, b| (a.status, std::cmp::Reverse(a.suppression.is_none()), &a.account, &a.region, &a.resource).cmp(&(b.status, std::cmp::Reverse(b.suppression.is_none()), &b.account, &b.region, &b.resource)));
        for f in sorted {
            counts.add(f);
            if is_attention(f) {
                // Inline evidence reads without JavaScript and prints; a large report keeps it
                // as data too (drawn when opened, and before printing).
                if lazy {
                    let ei = store.push(&f.evidence);
                    attention.push(row(f, false, Some(ei)));
                } else {
                    attention.push(row(f, true, None));
                }
            } else {
                passing_count += 1;
                let ei = store.push(&f.evidence);
                if lazy {
                    let region = f.region.as_deref().map(|r| strings.id(r) as i64).unwrap_or(-1);
                    let status = match f.status {
                        Status::NotApplicable => 3,
                        _ => 0,
                    };
                    let r = serde_json::json!([strings.id(&f.account), region, strings.id(&f.resource), strings.id(&f.message), status, ei]);
                    lazy_rows.entry(code.clone()).or_default().push(r);
                } else {
                    passing.push(row(f, false, Some(ei)));
                }
            }
        }
        let severity = info.map(|c| c.severity).or(meta.map(|m| m.severity)).or(findings.first().map(|f| f.severity)).unwrap_or(Severity::Medium);
        let frameworks: BTreeMap<String, Vec<String>> = info.map(|c| c.frameworks.clone()).or(meta.map(|m| m.frameworks.clone())).unwrap_or_default();
        let doc = meta.map(|m| DocView {
            what: blocks(&m.doc.what),
            why: blocks(&m.doc.why),
            decisions: m.doc.decisions.as_deref().map(blocks).unwrap_or_default(),
            fix_cli: m.doc.fix_cli.trim_end().to_string(),
            fix_terraform: m.doc.fix_terraform.trim_end().to_string(),
            references: m.doc.references.iter().map(|r| Reference { text: r.clone(), link: r.starts_with("https://") }).collect(),
        });
        let evaluated = info.is_some() || !findings.is_empty();
        check_counts.insert(code.clone(), counts.clone());
        checks.push(CheckView {
            code: code.clone(),
            name: info.map(|c| c.name.clone()).or(meta.map(|m| m.name.clone())).unwrap_or_default(),
            title: info.map(|c| c.title.clone()).or(meta.map(|m| m.title.clone())).unwrap_or_else(|| code.clone()),
            severity: severity.as_str(),
            scope: info.map(|c| c.scope).or(meta.map(|m| m.scope)).map(|s| s.as_str().to_string()).unwrap_or_default(),
            frameworks: frameworks.iter().map(|(k, v)| (framework_label(k), v.join(", "))).collect(),
            doc,
            fix_open: counts.fail > 0,
            verdict: verdict(&counts, evaluated),
            counts,
            attention,
            passing,
            passing_count,
        });
    }

    // Framework view.
    let framework = chosen_framework(report, &ctx.framework);
    let mut controls: BTreeMap<String, Vec<CheckRef>> = BTreeMap::new();
    let mut unmapped_checks = Vec::new();
    let mut fw_counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in &checks {
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
    let framework_known = fw_counts.contains_key(&framework);
    let mut controls: Vec<ControlView> = controls
        .into_iter()
        .map(|(id, checks)| {
            let mut c = Counts::default();
            for r in &checks {
                c.pass += r.counts.pass;
                c.fail += r.counts.fail;
                c.error += r.counts.error;
                c.na += r.counts.na;
                c.suppressed += r.counts.suppressed;
                c.total += r.counts.total;
            }
            ControlView { verdict: verdict(&c, true), id, checks }
        })
        .collect();
    controls.sort_by_key(|c| natural_key(&c.id));
    let frameworks: Vec<FrameworkRef> = fw_counts.iter().map(|(k, n)| FrameworkRef { key: k.clone(), label: framework_label(k), checks: *n, chosen: *k == framework }).collect();

    // Totals and charts.
    let mut totals = Counts::default();
    for f in &report.findings {
        totals.add(f);
    }
    let status_bar = segments(&[("PASS", "s-pass", totals.pass), ("FAIL", "s-fail", totals.fail), ("ERROR", "s-error", totals.error), ("N/A", "s-na", totals.na)], totals.total, BAR_W);
    let mut sev_rows = Vec::new();
    let sev_max = Severity::ALL.iter().map(|s| report.findings.iter().filter(|f| f.severity == *s).count()).max().unwrap_or(0).max(1);
    for (i, sev) in Severity::ALL.iter().enumerate() {
        let mut c = Counts::default();
        for f in report.findings.iter().filter(|f| f.severity == *sev) {
            c.add(f);
        }
        let width = 420.0 * c.total as f64 / sev_max as f64;
        sev_rows.push(SeverityRow {
            severity: sev.as_str(),
            y: i * 28,
            end: round2(80.0 + width + 8.0),
            segs: segments(&[("FAIL", "s-fail", c.fail), ("ERROR", "s-error", c.error), ("PASS", "s-pass", c.pass), ("N/A", "s-na", c.na)], c.total, width),
            fail: c.fail,
            error: c.error,
            pass: c.pass,
            na: c.na,
            suppressed: c.suppressed,
        });
    }
    let severity_chart = SeverityChart { height: sev_rows.len() * 28, rows: sev_rows };

    // Accounts and scores.
    let mut by_account: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_account.entry(f.account.as_str()).or_default().push(f);
    }
    let mut account_ids: Vec<&str> = report.scan.accounts.iter().map(|a| a.id.as_str()).collect();
    for id in by_account.keys() {
        if !account_ids.contains(id) {
            account_ids.push(id);
        }
    }
    let mut accounts: Vec<AccountView> = account_ids
        .iter()
        .map(|id| {
            let info = report.scan.accounts.iter().find(|a| a.id == *id);
            let findings = by_account.get(id).cloned().unwrap_or_default();
            let mut counts = Counts::default();
            for f in &findings {
                counts.add(f);
            }
            let scanned = info.is_none_or(|a| a.status == AccountStatus::Scanned);
            let score = if scanned { posture_score(findings.iter().copied()) } else { None };
            AccountView {
                id: id.to_string(),
                name: info.and_then(|a| a.name.clone()),
                scanned,
                reason: info.and_then(|a| a.reason.clone()),
                score: if scanned { score_text(score) } else { "not scanned".into() },
                score_class: score_class(score),
                bar: round2(score.unwrap_or(0.0)),
                counts,
                regions: info.map(|a| a.regions.len()).unwrap_or(0),
            }
        })
        .collect();
    accounts.sort_by(|a, b| {
        let key = |v: &AccountView| (v.scanned, v.bar, v.id.clone());
        key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal)
    });
    let org_score = posture_score(report.findings.iter().filter(|f| !not_scanned_ids.contains(f.account.as_str())));
    let mut buckets = [0usize; 10];
    let mut unscored = 0;
    for a in &accounts {
        if !a.scanned || a.score_class == "sc-none" {
            unscored += 1;
        } else {
            buckets[((a.bar / 10.0).floor() as usize).min(9)] += 1;
        }
    }
    let hmax = buckets.iter().copied().max().unwrap_or(0).max(1);
    let score_hist = Histogram {
        bars: buckets
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let h = 120.0 * *n as f64 / hmax as f64;
                Bar {
                    label: if i == 9 { "90–100".into() } else { format!("{}–{}", i * 10, i * 10 + 9) },
                    count: *n,
                    x: (i * 56) as f64,
                    y: round2(130.0 - h),
                    h: round2(h),
                    class: if i >= 9 { "sc-good" } else if i >= 7 { "sc-fair" } else { "sc-poor" },
                }
            })
            .collect(),
        unscored,
    };

    // Coverage heat map (CT103).
    let coverage = build_coverage(report, &codes);
    let region_chart = match &coverage {
        Some(cov) => {
            let rows: Vec<RegionRow> = cov
                .regions
                .iter()
                .enumerate()
                .map(|(i, region)| {
                    let (mut logged, mut not_logged, mut unreadable) = (0, 0, 0);
                    for row in &cov.rows {
                        match row.cells[i].k {
                            "ok" => logged += 1,
                            "no" | "nos" => not_logged += 1,
                            "err" => unreadable += 1,
                            _ => {}
                        }
                    }
                    let total = logged + not_logged + unreadable;
                    RegionRow {
                        region: region.clone(),
                        y: i * 22,
                        logged,
                        not_logged,
                        unreadable,
                        total,
                        pct: if total == 0 { "—".into() } else { format!("{}%", (100.0 * logged as f64 / total as f64).floor()) },
                        segs: segments(&[("logged", "s-pass", logged), ("not logged", "s-fail", not_logged), ("could not be read", "s-error", unreadable)], total, 360.0),
                    }
                })
                .collect();
            RegionChart { height: rows.len() * 22, rows }
        }
        None => RegionChart { rows: Vec::new(), height: 0 },
    };

    // What could not be read.
    let not_scanned: Vec<NotScanned> = report
        .scan
        .accounts
        .iter()
        .filter(|a| a.status != AccountStatus::Scanned)
        .map(|a| {
            let errs: Vec<&Finding> = report.findings.iter().filter(|f| f.account == a.id && f.status == Status::Error).collect();
            let codes: BTreeSet<&str> = errs.iter().map(|f| f.check.as_str()).collect();
            NotScanned { id: a.id.clone(), name: a.name.clone(), reason: a.reason.clone().unwrap_or_else(|| "no reason recorded".into()), errors: errs.len(), checks: codes.into_iter().collect::<Vec<_>>().join(", ") }
        })
        .collect();
    let mut error_rows: Vec<Row> = report.findings.iter().filter(|f| f.status == Status::Error && !not_scanned_ids.contains(f.account.as_str())).map(|f| row(f, false, None)).collect();
    error_rows.sort_by(|a, b| (&a.check, &a.a, &a.r, &a.res).cmp(&(&b.check, &b.a, &b.r, &b.res)));
    let suppressed_rows: Vec<Row> = report.findings.iter().filter(|f| f.suppression.is_some()).map(|f| row(f, false, None)).collect();
    let expired_rows: Vec<Row> = report.findings.iter().filter(|f| f.expired_suppression.is_some()).map(|f| row(f, false, None)).collect();

    // The island.
    let (evidence, shared) = store.encode();
    let account_names: serde_json::Map<String, Value> = report.scan.accounts.iter().filter_map(|a| a.name.as_ref().map(|n| (a.id.clone(), Value::String(n.clone())))).collect();
    let island = serde_json::json!({
        "v": 1,
        "names": account_names,
        "strings": strings.list,
        "rows": lazy_rows,
        "evidence": evidence,
        "shared": shared,
    });

    let mut regions_all: BTreeSet<String> = report.scan.regions.iter().cloned().collect();
    regions_all.extend(report.findings.iter().filter_map(|f| f.region.clone()));
    let duration = (report.scan.finished_at - report.scan.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let scope = match &report.scan.organization_id {
        Some(org) if report.scan.mode == ScanMode::Organization => format!("organization {org}"),
        _ => format!("account {}", report.scan.accounts.first().map(|a| a.id.as_str()).unwrap_or(&report.scan.caller.account_id)),
    };

    Page {
        title: format!("CloudTrail compliance report: {scope}"),
        tool: report.tool.name.clone(),
        version: report.tool.version.clone(),
        schema_version: report.schema_version.clone(),
        started: Stamp::of(&report.scan.started_at),
        finished: Stamp::of(&report.scan.finished_at),
        duration: format!("{duration:.1} s"),
        caller_arn: report.scan.caller.arn.clone(),
        caller_account: report.scan.caller.account_id.clone(),
        organization_id: report.scan.organization_id.clone(),
        mode: report.scan.mode.as_str().to_string(),
        accounts_total: report.scan.accounts.len(),
        accounts_scanned: report.scan.accounts.iter().filter(|a| a.status == AccountStatus::Scanned).count(),
        accounts_not_scanned: not_scanned.len(),
        regions: report.scan.regions.clone(),
        framework_label: framework_label(&framework),
        framework,
        frameworks,
        checks_run: report.checks.len(),
        json_sha256: ctx.json_sha256.clone(),
        inventory_sha256: ctx.inventory_sha256.clone(),
        config_path: ctx.config_path.clone(),
        baseline: report.baseline.as_ref().map(|b| BaselineView { path: b.path.clone(), started: Stamp::of(&b.started_at), counts: b.counts.iter().map(|(k, v)| (k.as_str().to_string(), *v)).collect(), gone: b.gone.len() }),
        org_score: score_text(org_score),
        org_score_class: score_class(org_score),
        status_bar,
        severity_chart,
        score_hist,
        region_chart,
        weights: SCORE_WEIGHTS.iter().map(|(s, w)| WeightView { severity: s.as_str(), weight: *w }).collect(),
        filter_accounts: report.scan.accounts.iter().map(|a| Option2 { value: a.id.clone(), label: match &a.name { Some(n) => format!("{} ({n})", a.id), None => a.id.clone() } }).collect(),
        filter_regions: regions_all.into_iter().collect(),
        filter_checks: checks.iter().map(|c| Option2 { value: c.code.clone(), label: format!("{} {}", c.code, c.name) }).collect(),
        totals,
        accounts,
        coverage,
        controls,
        unmapped_checks,
        framework_known,
        checks,
        not_scanned,
        error_rows,
        suppressed_rows,
        expired_rows,
        lazy,
        passing_total,
        style: STYLE,
        script: SCRIPT,
        csp: format!("default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'", csp_hash(STYLE), csp_hash(SCRIPT)),
        island: script_json(&island),
    }
}

/// The trail named by a CT103 PASS: from its message (`… recorded by trail ARN`), else the
/// first trail in its evidence that is logging, records management events and covers the region.
fn logging_trail(f: &Finding) -> Option<String> {
    if let Some((_, arn)) = f.message.rsplit_once(" by trail ") {
        return Some(arn.trim().to_string());
    }
    let region = f.region.as_deref()?;
    f.evidence.get("trails")?.as_array()?.iter().find_map(|t| {
        let logging = t.get("is_logging")?.as_bool()?;
        let mgmt = t.get("management_events").and_then(Value::as_str).unwrap_or("none") != "none";
        let covers = t.get("is_multi_region_trail").and_then(Value::as_bool).unwrap_or(false) || t.get("home_region").and_then(Value::as_str) == Some(region);
        (logging && mgmt && covers).then(|| t.get("arn").and_then(Value::as_str).map(str::to_string)).flatten()
    })
}

fn build_coverage(report: &Report, codes: &[String]) -> Option<Coverage> {
    if !codes.iter().any(|c| c == "CT103") {
        return None;
    }
    let mut regions: BTreeSet<String> = report.scan.regions.iter().cloned().collect();
    regions.extend(report.findings.iter().filter(|f| f.check == "CT103").filter_map(|f| f.region.clone()));
    let regions: Vec<String> = regions.into_iter().collect();
    let col: HashMap<&str, usize> = regions.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect();
    let mut account_ids: Vec<&str> = report.scan.accounts.iter().map(|a| a.id.as_str()).collect();
    for f in report.findings.iter().filter(|f| f.check == "CT103") {
        if !account_ids.contains(&f.account.as_str()) {
            account_ids.push(&f.account);
        }
    }
    let row_of: HashMap<&str, usize> = account_ids.iter().enumerate().map(|(i, a)| (*a, i)).collect();
    let blank = Cell { k: "ne", t: String::new() };
    let mut grid: Vec<Vec<Cell>> = vec![vec![blank; regions.len()]; account_ids.len()];
    let mut trail_cells: BTreeMap<String, usize> = BTreeMap::new();
    let mut pass_trail: Vec<(usize, usize, String)> = Vec::new();
    for f in report.findings.iter().filter(|f| f.check == "CT103") {
        let r = row_of[f.account.as_str()];
        match f.region.as_deref() {
            None => {
                if f.status == Status::Error {
                    for cell in &mut grid[r] {
                        *cell = Cell { k: "err", t: "?".into() };
                    }
                }
            }
            Some(region) => {
                let c = col[region];
                grid[r][c] = match f.status {
                    Status::Pass => {
                        let arn = logging_trail(f).unwrap_or_else(|| "unknown trail".into());
                        *trail_cells.entry(arn.clone()).or_default() += 1;
                        pass_trail.push((r, c, arn));
                        Cell { k: "ok", t: String::new() }
                    }
                    Status::Fail if f.suppression.is_some() => Cell { k: "nos", t: "(✗)".into() },
                    Status::Fail => Cell { k: "no", t: "✗".into() },
                    Status::Error => Cell { k: "err", t: "?".into() },
                    Status::NotApplicable => Cell { k: "ne", t: "·".into() },
                };
            }
        }
    }
    // Not-scanned accounts without any CT103 outcome are still shown as unreadable.
    for a in report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned) {
        let r = row_of[a.id.as_str()];
        if grid[r].iter().all(|c| c.k == "ne") {
            for cell in &mut grid[r] {
                *cell = Cell { k: "err", t: "?".into() };
            }
        }
    }
    let mut trails: Vec<(String, usize)> = trail_cells.into_iter().collect();
    trails.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let keys: HashMap<String, String> = trails.iter().enumerate().map(|(i, (arn, _))| (arn.clone(), format!("T{}", i + 1))).collect();
    for (r, c, arn) in pass_trail {
        grid[r][c].t = keys[&arn].clone();
    }
    let count = |k: &[&str]| grid.iter().flatten().filter(|c| k.contains(&c.k)).count();
    let (logged, not_logged, unreadable, not_enabled) = (count(&["ok"]), count(&["no", "nos"]), count(&["err"]), count(&["ne"]));
    let names: HashMap<&str, Option<String>> = report.scan.accounts.iter().map(|a| (a.id.as_str(), a.name.clone())).collect();
    Some(Coverage {
        rows: account_ids.iter().zip(grid).map(|(id, cells)| CoverageRow { id: id.to_string(), name: names.get(id).cloned().flatten(), cells }).collect(),
        trails: trails
            .into_iter()
            .map(|(arn, cells)| TrailKey { key: keys[&arn].clone(), name: arn.rsplit_once(":trail/").map(|(_, n)| n.to_string()).unwrap_or_else(|| arn.clone()), arn, cells })
            .collect(),
        regions,
        logged,
        not_logged,
        unreadable,
        not_enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = serde_json::json!({"a": "</script><script>alert(1)</script>", "b": "<!-- & \u{2028}\u{2029} -->"});
        let s = script_json(&v);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!s.contains(bad), "{bad:?} left in {s}");
        }
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn evidence_store_round_trips_with_shared_subtrees() {
        let trail = serde_json::json!({"arn": "arn:aws:cloudtrail:us-east-1:1:trail/org", "is_logging": true, "home_region": "us-east-1"});
        let mut store = EvidenceStore::default();
        let inputs = vec![
            serde_json::json!({"region": "us-east-1", "trails": [trail.clone()]}),
            serde_json::json!({"region": "eu-west-1", "trails": [trail.clone()]}),
            serde_json::json!({"\u{0}": 3, "\u{0}x": {"\u{0}": 1}}),
        ];
        for v in &inputs {
            store.push(v);
        }
        let (evidence, shared) = store.encode();
        assert_eq!(shared.len(), 2, "the trail and the one-trail list are shared: {shared:?}");
        fn decode(v: &Value, shared: &[Value]) -> Value {
            match v {
                Value::Object(m) if m.len() == 1 && m.contains_key(REF_KEY) => decode(&shared[m[REF_KEY].as_u64().unwrap() as usize], shared),
                Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.strip_prefix(REF_KEY).unwrap_or(k).to_string(), decode(v, shared))).collect()),
                Value::Array(a) => Value::Array(a.iter().map(|v| decode(v, shared)).collect()),
                other => other.clone(),
            }
        }
        for (enc, orig) in evidence.iter().zip(&inputs) {
            assert_eq!(&decode(enc, &shared), orig);
        }
    }

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec!["3.10", "3.2", "AU-12", "AU-2", "10.2.1", "3.1"];
        ids.sort_by_key(|s| natural_key(s));
        assert_eq!(ids, vec!["3.1", "3.2", "3.10", "10.2.1", "AU-2", "AU-12"]);
    }

    #[test]
    fn doc_blocks_keep_lists_and_code() {
        let b = blocks("Para with `code` here.\n\n- one\n  continued\n- two");
        assert_eq!(b.len(), 2);
        assert!(!b[0].list && b[0].items[0][1].code && b[0].items[0][1].t == "code");
        assert!(b[1].list && b[1].items.len() == 2 && b[1].items[0][0].t == "one continued");
    }
}
