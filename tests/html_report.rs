//! The HTML report (`-o html=PATH`): sections, escaping of hostile AWS strings, the framework
//! view, suppressions, what could not be read, scale, and a real headless Chromium loading the
//! demo organization's report (console errors, payloads, filters, screenshot).

mod common;

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::process::Command;

use chrono::{TimeZone, Utc};
use serde_json::json;
use trailwarden::model::{AccountStatus, ScanMode};
use trailwarden::checks::Status;
use trailwarden::checks::metadata::Severity;
use trailwarden::emit::html::{Html, HtmlOptions, script_json};
use trailwarden::emit::{RenderContext, Renderer, sha256_hex};
use trailwarden::report::{AccountInfo, Caller, CheckInfo, Finding, OrganizationTree, Report, ScanInfo, Summary, Suppression, Tool, UnitInfo, finding_id};

// ------------------------------------------------------------------------------------------
// A report full of hostile strings
// ------------------------------------------------------------------------------------------

const SCRIPT_NAME: &str = "<script>window.__pwned='name'</script>";
const IMG_NAME: &str = "\"><img src=x onerror=\"window.__pwned='img'\">";
const SVG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/<svg onload=window.__pwned='trail'>";
const CLOSE_SCRIPT: &str = "</script><script>window.__pwned='island'</script><!--";
const QUOTE_TAG: &str = "' onmouseover='window.__pwned=\"tag\"' x='";
const IFRAME_REASON: &str = "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>";
const STYLE_MSG: &str = "</style><style>body{display:none}</style><b>bold</b> &amp; {{ tera }} {% raw %}";
const LINE_SEP: &str = "line\u{2028}separator\u{2029}end";
const JS_URL: &str = "javascript:window.__pwned='href'";

/// Substrings that must never appear raw in the page.
const RAW_PAYLOADS: &[&str] = &[
    "<script>window",
    "<img",
    "<svg onload",
    "<iframe",
    "onerror=\"",
    "' onmouseover='",
    "</style><style>",
    "<b>bold</b>",
    "</script><script>window.__pwned='island'",
    "<!--",
];

#[allow(clippy::too_many_arguments)]
fn finding(check: &str, status: Status, severity: Severity, account: &str, region: Option<&str>, resource: &str, message: &str, evidence: serde_json::Value) -> Finding {
    Finding {
        id: finding_id(check, account, region, resource),
        check: check.into(),
        status,
        severity,
        account: account.into(),
        region: region.map(str::to_string),
        resource: resource.into(),
        message: message.into(),
        evidence: evidence.into(),
        suppression: None,
        expired_suppression: None,
        baseline: None,
        cause: None,
        remediation: None,
    }
}

fn check(code: &str, title: &str, severity: Severity, scope: &str, frameworks: &[(&str, &[&str])]) -> CheckInfo {
    CheckInfo {
        code: code.into(),
        name: format!("name-of-{code}"),
        title: title.into(),
        severity,
        scope: scope.parse().unwrap(),
        frameworks: frameworks.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect(),
    }
}

/// Three accounts (one not scanned), two regions, hostile strings everywhere AWS supplies them.
fn hostile_report() -> Report {
    let (a1, a2, a3) = ("111111111111", "222222222222", "333333333333");
    let regions = vec!["eu-west-1".to_string(), "us-east-1".to_string()];
    let trail = json!({"arn": SVG_TRAIL, "home_region": "us-east-1", "is_logging": true, "is_multi_region_trail": true, "management_events": "read+write", "tags": {"Owner": QUOTE_TAG, "Note": CLOSE_SCRIPT, "Sep": LINE_SEP}});
    let unreadable = format!("cannot assume role: AccessDenied {IFRAME_REASON}");
    let mut findings = vec![
        finding("CT103", Status::Pass, Severity::High, a1, Some("us-east-1"), "us-east-1", &format!("management events in us-east-1 are recorded by trail {SVG_TRAIL}"), json!({"region": "us-east-1", "recording_trail": SVG_TRAIL, "trails": [trail.clone()]})),
        finding("CT103", Status::Pass, Severity::High, a1, Some("eu-west-1"), "eu-west-1", &format!("management events in eu-west-1 are recorded by trail {SVG_TRAIL}"), json!({"region": "eu-west-1", "recording_trail": SVG_TRAIL, "trails": [trail.clone()]})),
        finding("CT103", Status::Fail, Severity::High, a2, Some("eu-west-1"), "eu-west-1", "no logging trail records management events in eu-west-1", json!({"region": "eu-west-1", "trails": [trail.clone()]})),
        finding("CT103", Status::Error, Severity::High, a2, Some("us-east-1"), "us-east-1", &format!("no trail is known to record us-east-1 and some could not be read: {STYLE_MSG}"), json!({"region": "us-east-1", "trails": [{"arn": SVG_TRAIL, "unreadable": CLOSE_SCRIPT}]})),
        finding("CT103", Status::Error, Severity::High, a3, None, a3, &format!("account could not be scanned: {unreadable}"), json!({"access": unreadable})),
        finding("CT201", Status::Fail, Severity::Medium, a1, Some("us-east-1"), SVG_TRAIL, &format!("log file validation is disabled {STYLE_MSG}"), json!({"trail": SVG_TRAIL, "policy": CLOSE_SCRIPT, "tags": {QUOTE_TAG: IMG_NAME}})),
        finding("CT201", Status::Pass, Severity::Medium, a2, Some("us-east-1"), JS_URL, &format!("validation on {LINE_SEP}"), json!({"trail": JS_URL, "note": CLOSE_SCRIPT, "\u{0}": "nul key", "__proto__": {"polluted": true}})),
        finding("CT201", Status::Error, Severity::Medium, a3, None, a3, &format!("account could not be scanned: {unreadable}"), json!({"access": unreadable})),
        finding("CT301", Status::Fail, Severity::Critical, a2, Some("eu-west-1"), "arn:aws:s3:::bucket-<b>x</b>", "the log bucket is public", json!({"bucket_policy": format!("{{\"Statement\":[{{\"Principal\":\"*\",\"Sid\":\"{CLOSE_SCRIPT}\"}}]}}")})),
        finding("CT301", Status::NotApplicable, Severity::Critical, a1, Some("us-east-1"), "arn:aws:s3:::quiet-bucket", "no trail delivers here", json!({})),
    ];
    // A suppressed FAIL with a hostile reason and an expiry; an expired suppression.
    findings[5].suppression = Some(Suppression { reason: format!("accepted by {SCRIPT_NAME} until migration"), expires: Some("2027-01-31".into()) });
    findings[8].expired_suppression = Some(Suppression { reason: format!("temporary {IMG_NAME}"), expires: Some("2025-12-31".into()) });
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
    let mut report = Report {
        schema_version: "1.0".into(),
        tool: Tool { name: "trailwarden".into(), version: "0.1.0".into() },
        scan: ScanInfo {
            started_at: start,
            finished_at: start + chrono::Duration::seconds(42),
            caller: Caller { account_id: a1.into(), arn: format!("arn:aws:sts::{a1}:assumed-role/{SCRIPT_NAME}/x") },
            organization_id: Some("o-<i>hostile</i>".into()),
            mode: ScanMode::Organization,
            accounts: vec![
                AccountInfo { id: a1.into(), name: Some(SCRIPT_NAME.into()), status: AccountStatus::Scanned, reason: None, regions: regions.clone() },
                AccountInfo { id: a2.into(), name: Some(IMG_NAME.into()), status: AccountStatus::Scanned, reason: None, regions: regions.clone() },
                AccountInfo { id: a3.into(), name: Some(format!("legacy {QUOTE_TAG}")), status: AccountStatus::NotScanned, reason: Some(unreadable.clone()), regions: vec![] },
            ],
            regions,
            notes: Vec::new(),
            parameters: None,
            // Root (a1) → "Workloads <img…>" (a2) → "</script>…" (a3, not scanned). OU names
            // come from the organization and may be hostile too.
            organization_tree: Some(OrganizationTree {
                units: vec![
                    UnitInfo { id: "r-ab12".into(), name: "Root".into(), parent: None, accounts: vec![a1.into()] },
                    UnitInfo { id: "ou-ab12-work".into(), name: format!("Workloads {IMG_NAME}"), parent: Some("r-ab12".into()), accounts: vec![a2.into()] },
                    UnitInfo { id: "ou-ab12-legacy".into(), name: CLOSE_SCRIPT.into(), parent: Some("ou-ab12-work".into()), accounts: vec![a3.into()] },
                ],
                unavailable: None,
            }),
        },
        summary: Summary::default(),
        checks: vec![
            check("CT103", "Management events in an enabled Region are not recorded", Severity::High, "region", &[("cis-5.0", &["3.1"]), ("cis-6.0", &["4.1"]), ("nist-800-53-r5", &["AU-2", "AU-12"])]),
            check("CT201", "Log file integrity validation is disabled", Severity::Medium, "trail", &[("cis-5.0", &["3.2"]), ("cis-6.0", &["4.2"])]),
            check("CT301", "The log bucket is publicly accessible", Severity::Critical, "bucket", &[("cis-5.0", &["3.3"]), ("securityhub", &["CloudTrail.6"])]),
        ],
        findings,
        baseline: None,
        scores: Default::default(),
        history: None,
    };
    report.recount();
    report
}

fn render(report: &Report, framework: &str, opts: &HtmlOptions) -> String {
    let ctx = RenderContext { framework: framework.into(), json_sha256: Some("ab".repeat(32)), inventory_sha256: Some("cd".repeat(32)), ..Default::default() };
    String::from_utf8(Html::render_with(report, &ctx, opts).expect("render")).expect("UTF-8")
}

fn lazy() -> HtmlOptions {
    HtmlOptions { inline_passing_limit: 0 }
}

/// The JSON island's text, between its tags.
fn island(html: &str) -> &str {
    let start = html.find("<script type=\"application/json\" id=\"tw-data\">").expect("island") + "<script type=\"application/json\" id=\"tw-data\">".len();
    let end = start + html[start..].find("</script>").expect("island end");
    &html[start..end]
}

/// The page without its island and script: what the HTML parser sees as markup.
fn markup(html: &str) -> String {
    let start = html.find("<script type=\"application/json\"").unwrap();
    html[..start].to_string()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

// ------------------------------------------------------------------------------------------
// Escaping and structure
// ------------------------------------------------------------------------------------------

#[test]
fn hostile_strings_are_escaped_everywhere_and_the_page_structure_is_intact() {
    let report = hostile_report();
    for opts in [HtmlOptions::default(), lazy()] {
        let html = render(&report, "cis-5.0", &opts);
        let body = markup(&html);
        for raw in RAW_PAYLOADS {
            assert!(!body.contains(raw), "raw payload {raw:?} in the markup (inline limit {})", opts.inline_passing_limit);
        }
        // The escaped forms are there: the strings are shown, as text.
        for shown in ["&lt;script&gt;window.__pwned=&#39;name&#39;&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=&quot;", "trail/&lt;svg onload=window.__pwned=&#39;trail&#39;&gt;", "&lt;iframe srcdoc=", "&lt;b&gt;bold&lt;/b&gt; &amp;amp; {{ tera }} {% raw %}", "o-&lt;i&gt;hostile&lt;/i&gt;"] {
            assert!(body.contains(shown), "escaped form {shown:?} missing");
        }
        // Exactly the page's own two script elements and one style element, nothing else active.
        assert_eq!(count(&html, "<script"), 2, "script elements");
        assert_eq!(count(&html, "</script>"), 2, "script end tags");
        assert_eq!(count(&html, "<style>"), 1);
        assert_eq!(count(&html, "</style>"), 1);
        for tag in ["<img", "<iframe", "<object", "<embed", "<link", "<base", "href=\"javascript:"] {
            assert!(!body.contains(tag), "{tag} in the markup");
        }
        // No tag carries an event handler attribute (escaped text has no raw `<`, so every
        // `<…>` here is markup the page wrote).
        for tag in body.split('<').skip(1).map(|t| &t[..t.find('>').unwrap_or(t.len())]) {
            let lower = tag.to_ascii_lowercase();
            assert!(!lower.split(|c: char| c.is_whitespace() || c == '/').any(|attr| attr.starts_with("on") && attr.contains('=')), "event handler in <{tag}>");
        }
        // Balanced structure: every section, table, row and details closes.
        for (open, close) in [("<section", "</section>"), ("<table", "</table>"), ("<tr", "</tr>"), ("<details", "</details>"), ("<article", "</article>"), ("<svg", "</svg>"), ("<ul", "</ul>"), ("<dl", "</dl>")] {
            assert_eq!(count(&body, open), count(&body, close), "{open} vs {close}");
        }
        assert_eq!(count(&body, "<main"), 1);
        for id in ["overview", "coverage", "accounts", "framework", "unreadable", "checks", "suppressions", "about"] {
            assert!(body.contains(&format!("<section id=\"{id}\"")), "section {id}");
        }
        assert_eq!(count(&body, "<article class=\"chk"), 3);
        // The island is JSON that cannot end its element, and keeps every hostile string intact.
        let text = island(&html);
        for bad in ["<", ">", "\u{2028}", "\u{2029}"] {
            assert!(!text.contains(bad), "{bad:?} raw in the island");
        }
        let value: serde_json::Value = serde_json::from_str(text).expect("island is JSON");
        let all = value.to_string();
        assert!(all.contains(CLOSE_SCRIPT) && all.contains(LINE_SEP), "the island lost hostile strings");
    }
}

#[test]
fn script_json_escapes_what_could_close_the_element() {
    let v = json!({"k": CLOSE_SCRIPT, "sep": LINE_SEP, "amp": "a&b"});
    let s = script_json(&v);
    assert!(!s.contains('<') && !s.contains('>') && !s.contains('&') && !s.contains('\u{2028}') && !s.contains('\u{2029}'));
    assert!(s.contains("\\u003c/script\\u003e") && s.contains("\\u2028") && s.contains("\\u0026"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
}

#[test]
fn no_external_resources_only_reference_links() {
    let report = synthetic::report(3);
    let html = render(&report, "", &HtmlOptions::default());
    let body = markup(&html);
    assert!(!body.contains(" src="), "no src attribute at all");
    assert!(!html.contains("@import") && !html.contains("url("), "no CSS imports or urls");
    // Every absolute URL in an attribute is a check reference link in a references list.
    let mut pos = 0;
    let mut links = 0;
    while let Some(i) = body[pos..].find("href=\"").map(|i| pos + i) {
        let after = &body[i + 6..];
        let url = &after[..after.find('"').unwrap()];
        if !url.starts_with('#') {
            assert!(url.starts_with("https://"), "non-fragment href {url:?}");
            let before = &body[..i];
            let ul = before.rfind("<ul class=\"refs\">").unwrap_or_else(|| panic!("link {url} outside a references list"));
            assert!(!before[ul..].contains("</ul>"), "link {url} outside a references list");
            links += 1;
        }
        pos = i + 6;
    }
    assert!(links > 0, "the catalog's references are links");
    // The page pins its own style and script in its content security policy.
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;sha256-"));
}

#[test]
fn rendering_is_deterministic() {
    let report = hostile_report();
    assert_eq!(render(&report, "cis-6.0", &HtmlOptions::default()), render(&report, "cis-6.0", &HtmlOptions::default()));
    assert_eq!(render(&report, "cis-6.0", &lazy()), render(&report, "cis-6.0", &lazy()));
}

// ------------------------------------------------------------------------------------------
// Content
// ------------------------------------------------------------------------------------------

#[test]
fn header_cites_tool_time_caller_scope_frameworks_and_hashes() {
    let html = render(&hostile_report(), "cis-5.0", &HtmlOptions::default());
    for expected in [
        "trailwarden 0.1.0",
        "2026-11-20 09:30:00 UTC",
        "2026-11-20 09:30:42 UTC",
        "arn:aws:sts::111111111111:assumed-role/&lt;script&gt;",
        "Organization <span class=\"mono\">o-&lt;i&gt;hostile&lt;/i&gt;</span>",
        "3 accounts (2 scanned, <strong>1 not scanned</strong>)",
        "eu-west-1, us-east-1",
        "CIS AWS Foundations Benchmark v5.0 <span class=\"mono\">(cis-5.0)</span>",
        "NIST SP 800-53 Rev. 5",
        "AWS Security Hub controls",
        &"ab".repeat(32),
        &"cd".repeat(32),
    ] {
        assert!(html.contains(expected), "header lacks {expected:?}");
    }
}

#[test]
fn header_says_what_the_run_covered_and_found() {
    let mut report = hostile_report();
    report.scan.parameters = Some(trailwarden::report::RunParameters {
        selected_checks: vec!["CT103".into(), "CT201".into(), "CT301".into()],
        accounts: Vec::new(),
        excluded_accounts: vec!["999999999999".into()],
        regions: Some(vec!["eu-west-1".into(), "us-east-1".into()]),
        min_retention_days: 400,
        min_log_group_retention_days: 365,
        central_bucket: Some("central-logs".into()),
        allowed_regions: None,
        cis_version: Some("5.0".into()),
        fail_on: Severity::High,
        integrity_window: None,
    });
    let html = render(&report, "cis-5.0", &HtmlOptions::default());
    for expected in [
        "3 checks selected; not run: CT101,",
        "excluded accounts 999999999999",
        "regions eu-west-1, us-east-1",
        "log objects kept at least 400 days (CT307)",
        "central bucket central-logs (CT209)",
        "digest chains not verified",
        "fails on high and above",
        "trails in",
    ] {
        assert!(html.contains(expected), "the header lacks {expected:?}");
    }
}

/// The `<tr>` of control `id` in the framework table.
fn control_row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<th scope=\"row\" class=\"ctl\">{id}</th>")).unwrap_or_else(|| panic!("control {id} missing"));
    &html[start..start + html[start..].find("</tr>").unwrap()]
}

#[test]
fn framework_view_follows_the_chosen_cis_version() {
    let report = hostile_report();
    let v5 = render(&report, "cis-5.0", &HtmlOptions::default());
    let row = control_row(&v5, "3.1");
    assert!(row.contains("href=\"#c-CT103\"") && row.contains("<span class=\"st s-fail\">FAIL</span>"), "CIS 5.0 3.1 is CT103 and fails: {row}");
    assert!(control_row(&v5, "3.2").contains("#c-CT201") && control_row(&v5, "3.3").contains("#c-CT301"));
    assert!(!v5.contains("class=\"ctl\">4.1<"), "no CIS 6.0 numbering in the CIS 5.0 view");

    let v6 = render(&report, "cis-6.0", &HtmlOptions::default());
    assert!(control_row(&v6, "4.1").contains("#c-CT103") && control_row(&v6, "4.2").contains("#c-CT201"));
    assert!(!v6.contains("class=\"ctl\">3.1<"));
    assert!(v6.contains("Checks not mapped to CIS AWS Foundations Benchmark v6.0: <a href=\"#c-CT301\">CT301</a>"));

    // No framework asked: the newest CIS version the checks map to.
    let newest = render(&report, "", &HtmlOptions::default());
    assert!(newest.contains("<span class=\"mono\">(cis-6.0)</span>") && newest.contains("class=\"ctl\">4.1<"));

    // Natural order of control ids, and non-CIS frameworks.
    let nist = render(&report, "nist-800-53-r5", &HtmlOptions::default());
    assert!(nist.find("class=\"ctl\">AU-2<").unwrap() < nist.find("class=\"ctl\">AU-12<").unwrap());

    let unknown = render(&report, "cis-9.9", &HtmlOptions::default());
    assert!(unknown.contains("No check in this report is mapped to <span class=\"mono\">cis-9.9</span>"));
}

#[test]
fn suppressed_and_expired_outcomes_show_reason_and_expiry() {
    let html = render(&hostile_report(), "cis-5.0", &HtmlOptions::default());
    let sup = &html[html.find("<section id=\"suppressions\"").unwrap()..html.find("<section id=\"about\"").unwrap()];
    assert!(sup.contains("Suppressed outcomes (1)"));
    assert!(sup.contains("accepted by &lt;script&gt;window.__pwned=&#39;name&#39;&lt;/script&gt; until migration</td><td>2027-01-31</td>"));
    assert!(sup.contains("Expired suppressions: these outcomes fail again (1)"));
    assert!(sup.contains("temporary &quot;&gt;&lt;img src=x onerror=") && sup.contains("2025-12-31"));
    // In the check's own rows too, with data-sup for the filter.
    let ct201 = &html[html.find("id=\"c-CT201\"").unwrap()..html.find("id=\"c-CT301\"").unwrap()];
    assert!(ct201.contains("data-sup=\"1\"") && ct201.contains("<strong>Suppressed:</strong> accepted by") && ct201.contains("(expires 2027-01-31)"));
    let ct301 = &html[html.find("id=\"c-CT301\"").unwrap()..html.find("<section id=\"suppressions\"").unwrap()];
    assert!(ct301.contains("Suppression expired 2025-12-31:"));
}

#[test]
fn unreadable_section_lists_error_outcomes_and_accounts_not_scanned() {
    let html = render(&hostile_report(), "cis-5.0", &HtmlOptions::default());
    let sec = &html[html.find("<section id=\"unreadable\"").unwrap()..html.find("<section id=\"checks\"").unwrap()];
    assert!(sec.contains("Accounts that could not be scanned (1)"));
    assert!(sec.contains("333333333333") && sec.contains("cannot assume role: AccessDenied &lt;iframe srcdoc="));
    assert!(sec.contains("<td>2: <span class=\"small\">CT103, CT201</span></td>"), "ERROR outcomes of the account: {sec}");
    assert!(sec.contains("Outcomes that could not be evaluated in scanned accounts (1)"));
    assert!(sec.contains("<a href=\"#c-CT103\">CT103</a>") && sec.contains("222222222222") && sec.contains("no trail is known to record us-east-1"));
    // Never hidden: the overview says so too.
    assert!(html.contains("<p class=\"callout warn ov-incomplete\" role=\"note\" data-ns=\"1\" data-err=\"3\"><strong>Incomplete evidence.</strong> <span class=\"ie-t\">1 account could not be scanned; 3 outcomes could not be evaluated (ERROR).</span>"), "the organization's numbers without the script (the script narrows them to a scope)");
}

#[test]
fn coverage_matrix_names_the_trail_and_marks_unlogged_and_unreadable() {
    let html = render(&hostile_report(), "cis-5.0", &HtmlOptions::default());
    let cov = &html[html.find("<section id=\"coverage\"").unwrap()..html.find("<section id=\"accounts\"").unwrap()];
    // Account 1: both regions by T1; account 2: eu-west-1 not logged, us-east-1 unreadable; 3: unreadable.
    assert!(cov.contains("<tr data-a=\"111111111111\"><th scope=\"row\">111111111111 <span class=\"an\">&lt;script&gt;") && cov.contains("<td class=\"ok\">T1</td><td class=\"ok\">T1</td></tr>"));
    assert!(cov.contains("<td class=\"no\">✗</td><td class=\"err\">?</td></tr>"));
    assert!(cov.contains("<tr data-a=\"333333333333\">") && cov.contains("<td class=\"err\">?</td><td class=\"err\">?</td></tr>"));
    assert!(cov.contains("<strong>&lt;svg onload=window.__pwned=&#39;trail&#39;&gt;</strong>"), "trail legend shows the (escaped) trail name");
    // The organization's legend and per-region chart, marked for the script to count a scope's cells.
    assert!(cov.contains("— <span data-lg=\"ok\">2</span> cells") && cov.contains("— <span data-lg=\"no\">1</span>") && cov.contains("— <span data-lg=\"err\">3</span>"), "{cov}");
    assert!(cov.contains("<tr data-key=\"T1\"><th scope=\"row\"><span class=\"hm ok\">T1</span>"), "{cov}");
    assert_eq!(count(cov, "<g class=\"reg-row\" "), 2, "one bar per region: {cov}");
    assert!(cov.contains("<text class=\"val\" x=\"490\" y=\"14\">33% of 3</text>"), "eu-west-1 is logged in 1 of 3 accounts: {cov}");
}

#[test]
fn the_page_shows_the_reports_scores_and_defines_them() {
    let report = hostile_report();
    let html = render(&report, "cis-5.0", &HtmlOptions::default());
    let scores = &report.scores;
    // Account 1: CT103 PASS, CT201 FAIL (suppressed: still a FAIL), CT301 N/A -> 1/2 = 50.
    // Account 2: CT103 FAIL, CT201 PASS, CT301 FAIL (critical) -> 1/3 = 33.3, capped.
    // Account 3 (not scanned): unknown on all 3 checks -> 0. Organization: (50 + 33.3 + 0) / 3.
    assert_eq!(scores.account("111111111111").unwrap().score, Some(50.0));
    assert_eq!(scores.account("222222222222").unwrap().score, Some(33.3));
    assert_eq!(scores.account("333333333333").unwrap().score, Some(0.0));
    assert_eq!(scores.organization.score, Some(27.7));
    let acc = &html[html.find("<section id=\"accounts\"").unwrap()..html.find("<section id=\"framework\"").unwrap()];
    for a in &scores.accounts {
        let shown = format!("<tr data-a=\"{}\">", a.id);
        let row = &acc[acc.find(&shown).unwrap_or_else(|| panic!("{shown} in {acc}"))..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{:.1}</span>", a.score.unwrap())), "the HTML shows the JSON's score: {row}");
        assert!(row.contains(&format!("{}/{}/{}", a.passed, a.failed, a.unknown)), "{row}");
    }
    let verdict = &html[html.find("<section id=\"verdict\"").unwrap()..html.find("<section class=\"citation\"").unwrap()];
    assert!(verdict.contains("<span class=\"big\" data-k=\"grade\">poor</span>") && verdict.contains("<strong class=\"org-score\">27.7</strong>"), "{verdict}");
    assert!(verdict.contains("capped at poor by 1 unsuppressed CRITICAL failure"), "{verdict}");
    assert!(verdict.contains("<strong>Not scanned (1):</strong> <span class=\"v-nsl\"><span class=\"v-ns\" data-a=\"333333333333\"><span class=\"mono\">333333333333</span>"), "{verdict}");
    // Failing checks by severity: the most severe first.
    let sevl = &verdict[verdict.find("<span class=\"v-sevl\">").expect("the failing checks by severity")..];
    assert!(sevl.starts_with("<span class=\"v-sevl\"><span class=\"v-sg\" data-sev=\"critical\">"), "{sevl}");
    // The suppressed CT201 failure is an accepted risk: not in the fix groups; CT301 and CT103 are.
    assert!(verdict.contains("#c-CT301") && verdict.contains("#c-CT103") && !verdict.contains("<a href=\"#c-CT201\">CT201</a> Log"), "{verdict}");
    // The histogram of the organization's accounts (50, 33.3, 0), each band named for the script.
    let hist = &acc[acc.find("<figure class=\"chart\" id=\"tw-ch-hist\">").expect("the histogram")..];
    let hist = &hist[..hist.find("</figure>").unwrap()];
    assert_eq!(count(hist, "<g class=\"hb\" data-label=\""), 10, "{hist}");
    for band in ["0–9", "30–39", "50–59"] {
        let bar = &hist[hist.find(&format!("data-label=\"{band}\"")).unwrap()..];
        assert!(bar[..bar.find("</g>").unwrap()].contains(&format!("<title>score {band}: 1 accounts</title>")), "{bar}");
    }
    assert!(html.contains("id=\"score-def\"") && html.contains("each check counts once per account"));
}

/// The island's `scopes`, parsed.
fn scopes(html: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(island(html)).unwrap()["scopes"].clone()
}

#[test]
fn the_ou_tree_shows_the_reports_unit_scores_and_the_scopes_carry_them() {
    let report = hostile_report();
    let html = render(&report, "cis-5.0", &HtmlOptions::default());
    let s = &report.scores;
    // Root: (50 + 33.3 + 0) / 3 = the organization; Workloads: (33.3 + 0) / 2; legacy: 0.
    assert_eq!(s.unit("r-ab12").unwrap().score, s.organization.score);
    assert_eq!(s.unit("ou-ab12-work").unwrap().score, Some(16.6));
    assert_eq!(s.unit("ou-ab12-legacy").unwrap().score, Some(0.0));
    let acc = &html[html.find("<section id=\"accounts\"").unwrap()..html.find("<section id=\"framework\"").unwrap()];
    let tree = &acc[acc.find("<table class=\"data compact ou-tree\">").expect("the OU table")..];
    let tree = &tree[..tree.find("</table>").unwrap()];
    let rows: Vec<&str> = tree.split("<tr class=\"ou\" ").skip(1).collect();
    assert_eq!(rows.len(), 3, "{tree}");
    for (row, (id, depth)) in rows.iter().zip([("r-ab12", 0), ("ou-ab12-work", 1), ("ou-ab12-legacy", 2)]) {
        let u = s.unit(id).unwrap();
        assert!(row.starts_with(&format!("data-ou=\"{id}\"><th scope=\"row\" class=\"lv{depth}\"")), "depth-first, indented: {row}");
        assert!(row.contains(&format!("<span class=\"score sc-poor\">{:.1}</span>", u.score.unwrap())), "the JSON's score for {id}: {row}");
        assert!(row.contains(&format!("href=\"#ou={id}\"")), "a link to the OU's view: {row}");
    }
    assert!(rows[1].contains("Workloads &quot;&gt;&lt;img src=x onerror=&quot;"), "OU names escaped: {}", rows[1]);
    assert!(rows[2].contains("&lt;/script&gt;&lt;script&gt;window.__pwned=&#39;island&#39;&lt;/script&gt;&lt;!--"), "OU names escaped: {}", rows[2]);
    assert!(rows[2].contains("NOT SCANNED") && rows[2].contains("(1 not scanned)"), "{}", rows[2]);
    // Each unit names the one it is shown under (the script marks a chosen account's OU path).
    assert!(rows[0].starts_with("data-ou=\"r-ab12\"><th scope=\"row\" class=\"lv0\">"), "a root has no parent: {}", rows[0]);
    assert!(rows[1].starts_with("data-ou=\"ou-ab12-work\"><th scope=\"row\" class=\"lv1\" data-parent=\"r-ab12\">"), "{}", rows[1]);
    assert!(rows[2].starts_with("data-ou=\"ou-ab12-legacy\"><th scope=\"row\" class=\"lv2\" data-parent=\"ou-ab12-work\">"), "{}", rows[2]);
    // The scope selector lists every unit; the island carries each scope's numbers as shown.
    assert!(html.contains("<select name=\"ou\"><option value=\"\">Whole organization</option><option value=\"r-ab12\">"));
    let sc = scopes(&html);
    for u in &s.units {
        let v = &sc["units"][&u.id];
        assert_eq!(v["score"], format!("{:.1}", u.score.unwrap()), "{}", u.id);
        assert_eq!(v["grade"], u.grade.unwrap().as_str());
        assert_eq!(v["accounts"], json!(u.accounts));
        assert_eq!((v["p"].as_u64(), v["f"].as_u64(), v["u"].as_u64()), (Some(u.passed as u64), Some(u.failed as u64), Some(u.unknown as u64)));
        assert_eq!(v["fw"]["controls"], json!(u.frameworks["cis-5.0"].controls), "the chosen framework's controls, as the JSON has them");
    }
    for a in &s.accounts {
        assert_eq!(sc["accounts"][&a.id]["score"], format!("{:.1}", a.score.unwrap()));
        assert_eq!(sc["accounts"][&a.id]["fw"]["controls"], json!(a.frameworks["cis-5.0"].controls));
    }
    // Every control row can take a scope's verdict.
    assert_eq!(count(&html, "<tr data-ctl=\""), 3);
}

#[test]
fn a_tree_that_could_not_be_read_is_said_and_no_tree_is_guessed() {
    let mut report = hostile_report();
    report.scan.organization_tree = Some(OrganizationTree {
        units: vec![],
        unavailable: Some(trailwarden::model::Unavailable::new(trailwarden::model::UnavailableKind::AccessDenied, Some("organizations:ListOrganizationalUnitsForParent"), "organizations:ListOrganizationalUnitsForParent: AccessDenied (HTTP 400)")),
    });
    report.recount();
    assert!(report.scores.units.is_empty());
    let html = render(&report, "cis-5.0", &HtmlOptions::default());
    assert!(!html.contains("<table class=\"data compact ou-tree\">") && !html.contains("<select name=\"ou\">"));
    assert_eq!(count(&html, "The organization's OU tree could not be read:</strong> organizations:ListOrganizationalUnitsForParent: AccessDenied"), 2, "in the accounts section and in What could not be read");
    // Without a tree (a single-account scan, an older report) there is no OU view at all.
    report.scan.organization_tree = None;
    report.recount();
    let html = render(&report, "cis-5.0", &HtmlOptions::default());
    assert!(!html.contains("<table class=\"data compact ou-tree\">") && !html.contains("OU tree could not be read:</strong>") && !html.contains("<select name=\"ou\">"));
    assert_eq!(scopes(&html)["units"], json!({}));
}

#[test]
fn check_sections_show_doc_fixes_evidence_and_every_resource() {
    let report = synthetic::report(4);
    let html = render(&report, "", &HtmlOptions::default());
    let meta = trailwarden::checks::metadata::get("CT103").unwrap();
    let sec = &html[html.find("id=\"c-CT103\"").unwrap()..];
    let sec = &sec[..sec.find("</article>").unwrap()];
    assert!(sec.contains("<h4>What it checks</h4>") && sec.contains("<h4>Why it matters</h4>"));
    assert!(sec.contains("<h4>AWS CLI</h4>") && sec.contains("<h4>Terraform</h4>"));
    let cli_first_line = meta.doc.fix_cli.lines().next().unwrap().replace('<', "&lt;").replace('>', "&gt;");
    assert!(sec.contains(&cli_first_line), "fix CLI from the check's metadata");
    // Every CT103 outcome has a row: 4 accounts, one not scanned -> 3 × 17 + 1.
    let ct103 = report.findings.iter().filter(|f| f.check == "CT103").count();
    assert_eq!(count(sec, "<tr class=\"f\""), ct103);
    // Attention rows carry their evidence inline; passing rows on demand from the island.
    assert!(sec.contains("<details class=\"evd ev-inline\"><summary>Evidence</summary><p class=\"fid\">Finding id "));
    assert!(sec.contains("<details class=\"evd\" data-e=\""));
}

#[test]
fn large_reports_keep_passing_rows_as_data() {
    let report = hostile_report();
    let html = render(&report, "cis-5.0", &lazy());
    let passing = report.findings.iter().filter(|f| matches!(f.status, Status::Pass | Status::NotApplicable) && f.suppression.is_none() && f.expired_suppression.is_none()).count();
    let attention = report.findings.len() - passing;
    assert_eq!(count(&markup(&html), "<tr class=\"f\""), attention, "only attention rows are HTML");
    let island: serde_json::Value = serde_json::from_str(island(&html)).unwrap();
    let rows: usize = island["rows"].as_object().unwrap().values().map(|v| v.as_array().unwrap().len()).sum();
    assert_eq!(rows, passing);
    assert!(html.contains("data-lazy=\"1\""));
}

#[test]
fn a_thousand_account_report_stays_small() {
    let report = synthetic::report(1000);
    let t = std::time::Instant::now();
    let html = Html.render(&report, &RenderContext::default()).unwrap();
    let elapsed = t.elapsed();
    eprintln!("1000 accounts, {} outcomes: {} bytes in {:?} (debug build)", report.findings.len(), html.len(), elapsed);
    if let Some(path) = std::env::var_os("TW_HTML_1000") {
        std::fs::write(path, &html).unwrap();
    }
    assert!(report.findings.len() > 40_000);
    assert!(html.len() < 16 * 1024 * 1024, "{} bytes", html.len());
}

// ------------------------------------------------------------------------------------------
// In a real browser
// ------------------------------------------------------------------------------------------

fn setup_browser() {
    let out = Command::new("bash").arg(common::repo_root().join("scripts/setup-browser.sh")).output().expect("run scripts/setup-browser.sh");
    assert!(out.status.success(), "scripts/setup-browser.sh failed (it installs Debian's chromium and websocket-client):\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn drive(report: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(common::repo_root().join(".venv/bin/python"))
        .arg(common::repo_root().join("tests/browser/check_report.py"))
        .arg("--report")
        .arg(report)
        .args(args)
        .output()
        .expect("run tests/browser/check_report.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("the driver printed no JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr)))
}

fn assert_clean(result: &serde_json::Value) {
    assert_eq!(result["ok"], true, "browser check failed: {:#}", result);
    assert_eq!(result["console_errors"], json!([]), "console errors: {:#}", result);
    assert_eq!(result["structure"]["pwned"], serde_json::Value::Null);
}

#[test]
fn demo_report_in_headless_chromium() {
    setup_browser();
    let emulator = common::Emulator::start();
    emulator.seed("demo");
    let dir = common::TempDir::new("html-demo");
    let (json_path, html_path, inventory_path) = (dir.str("report.json"), dir.path("report.html"), dir.str("inventory.json"));
    let out = emulator.scan(&["--org", "-o", &format!("json={json_path}"), "-o", &format!("html={}", html_path.display()), "--save-inventory", &inventory_path, "--framework", "cis-5.0"]);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "scan failed: {}", common::stderr(&out));
    let bytes = std::fs::read(&json_path).unwrap();
    let report: Report = serde_json::from_slice(&bytes).expect("the JSON report is a Report");
    // The page written by `-o html=` cites the JSON report and inventory written beside it.
    let html = std::fs::read_to_string(&html_path).expect("-o html= wrote the page");
    assert!(html.contains(&sha256_hex(&bytes)), "the HTML header cites the JSON report's SHA-256");
    assert!(html.contains(&sha256_hex(&std::fs::read(&inventory_path).unwrap())), "and the inventory's");
    assert!(html.contains("<span class=\"mono\">(cis-5.0)</span>"), "--framework chooses the framework view");

    let fails = report.findings.iter().filter(|f| f.status == Status::Fail).count();
    // The HTML shows the JSON's scores.
    let org = &report.scores.organization;
    let org_score = format!("{:.1}", org.score.expect("the demo organization has a score"));
    let grade = org.grade.expect("and a grade").as_str();
    assert!(html.contains(&format!("<strong class=\"org-score\">{org_score}</strong>")), "the verdict shows the JSON's organization score {org_score}");
    assert_eq!(grade, "poor", "a world-readable trail bucket (CT301, critical) caps the grade");
    let critical = report.findings.iter().find(|f| f.check == "CT301" && f.status == Status::Fail).expect("the demo's critical finding");

    // The OU tree as the harness seeded it: Root → Security, Workloads → (Prod, Non-prod), Sandbox.
    let tree = report.scan.organization_tree.as_ref().expect("an organization scan carries the OU tree");
    assert_eq!(tree.unavailable, None);
    let names: Vec<&str> = tree.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Root", "Sandbox", "Security", "Workloads", "Non-prod", "Prod"], "root first, then breadth first, siblings by name");
    let unit = |name: &str| report.scores.units.iter().find(|u| u.name == name).unwrap_or_else(|| panic!("a score for {name}"));
    let (workloads, prod, nonprod) = (unit("Workloads"), unit("Prod"), unit("Non-prod"));
    assert_eq!(tree.units.iter().find(|u| u.name == "Prod").unwrap().parent.as_deref(), Some(workloads.id.as_str()));
    let mut nested = [prod.accounts.clone(), nonprod.accounts.clone()].concat();
    nested.sort();
    assert_eq!(workloads.accounts, nested, "Workloads' subtree is Prod's and Non-prod's accounts");
    assert_eq!(nonprod.unscanned_accounts.len(), 1, "legacy-analytics (not scanned) is in Non-prod");
    assert!(workloads.score < prod.score, "the unscanned account lowers its parent: {:?} vs {:?}", workloads.score, prod.score);
    assert_eq!(unit("Root").score, org.score, "the root's subtree is the organization");
    assert!(html.contains("<table class=\"data compact ou-tree\">"));
    let text = |score: Option<f64>| score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into());
    let sandbox = report.scan.accounts.iter().find(|a| a.name.as_deref() == Some("dev-sandbox")).unwrap().id.clone();
    let sandbox_score = text(report.scores.account(&sandbox).unwrap().score);
    let ou_scores: Vec<String> = report.scores.units.iter().flat_map(|u| ["--expect-ou-score".to_string(), format!("{}={}", u.id, text(u.score))]).collect();
    let scope_ou = format!("ou={}={}", workloads.id, text(workloads.score));
    let scope_account = format!("a={sandbox}={sandbox_score}");
    // Non-prod holds the unscanned account; Security holds none.
    let security = unit("Security");
    assert!(security.unscanned_accounts.is_empty());
    let scope_nonprod = format!("ou={}={}", nonprod.id, text(nonprod.score));
    let scope_security = format!("ou={}={}", security.id, text(security.score));
    let fragment = format!("a={sandbox}&r=us-west-2&s=FAIL");
    let shot = dir.path("report.png");
    let pdf = dir.path("report.pdf");
    let result = drive(
        &html_path,
        &[
            "--filter-status", "FAIL", "--expect-status-count", &fails.to_string(), "--search", "sandbox-debug-trail", "--screenshot", shot.to_str().unwrap(), "--shot-height", "2200", "--pdf", pdf.to_str().unwrap(),
            // The first screen (1280 × 800, unscrolled) answers "how bad, what first".
            "--height", "800", "--first-screen-text", grade, "--first-screen-text", &org_score, "--first-screen-text", "CT301", "--first-screen-text", &critical.resource,
            // Scopes: an OU (clicked in the OU table) and an account show their JSON score and
            // narrow the count tiles; a region narrows the tiles, not the score; a fragment
            // restores the filters; the OU table shows every unit's JSON score.
            "--scope", &scope_ou, "--scope", &scope_account, "--region", "us-west-2", "--fragment", &fragment,
            // Each scope's verdict block (not scanned, failing checks), framework table counts,
            // score table and heat map match the JSON findings of its accounts.
            "--json", &json_path, "--scope", &scope_nonprod, "--scope", &scope_security,
        ]
        .into_iter()
        .chain(ou_scores.iter().map(String::as_str))
        .collect::<Vec<_>>(),
    );
    assert_clean(&result);
    assert_eq!(result["fragment"]["form"]["a"], sandbox.as_str());
    assert_eq!(result["fragment"]["tiles"]["pass"], 0, "#…&s=FAIL: only failures are counted");
    assert!(result["scopes"][&scope_ou]["tiles"]["error"].as_u64().unwrap() > 0, "Workloads holds the unscanned account's ERRORs");
    assert_eq!(result["first_screen"]["missing"], json!([]));
    // The scope's view (the driver compared it with the JSON findings; here: that it narrows).
    let view = |spec: &str| &result["scopes"][spec]["view"];
    let legacy = &nonprod.unscanned_accounts[0];
    assert_eq!(view(&scope_nonprod)["unscanned"], json!([legacy]), "Non-prod's callout names its unscanned account");
    assert_eq!(view(&scope_ou)["unscanned"], json!([legacy]), "and so does its parent's, Workloads");
    assert_eq!(view(&scope_security)["unscanned"], json!([]), "Security's names none");
    assert!(view(&scope_security)["unscanned_text"].as_str().unwrap().contains("none of the selected accounts"), "{}", view(&scope_security));
    assert_eq!(result["unfiltered_view"]["unscanned"], json!([legacy]));
    let unfiltered_view = &result["unfiltered_view"];
    for spec in [&scope_ou, &scope_account, &scope_nonprod, &scope_security] {
        assert_ne!(view(spec)["failing"], unfiltered_view["failing"], "{spec}: the failing checks by severity follow the scope");
        assert_ne!(view(spec)["checks"], unfiltered_view["checks"], "{spec}: the framework table's counts follow the scope");
    }
    assert_eq!(view(&scope_nonprod)["failing"], json!({}), "the unscanned account fails nothing (it is ERROR)");
    let mut rows: Vec<String> = serde_json::from_value(view(&scope_ou)["score_rows"].clone()).unwrap();
    rows.sort();
    assert_eq!(rows, workloads.accounts, "the score table shows Workloads' accounts only");
    assert_eq!(view(&scope_account)["score_rows"], json!([sandbox]));
    // Outside the verdict block: the incomplete-evidence callout, the coverage legend and
    // per-region chart and the score histogram are the scope's accounts' (the driver compared
    // each with the JSON's CT103 findings and `scores.accounts` for them), so they differ from
    // the organization's; the OU tree marks the scope and hides nothing.
    let extras = |spec: &str| &result["scopes"][spec]["extras"];
    let org_extras = &result["unfiltered_extras"];
    let incomplete = |e: &serde_json::Value| (e["incomplete"]["not_scanned"].as_u64().unwrap(), e["incomplete"]["error"].as_u64().unwrap());
    assert_eq!(incomplete(org_extras).0, report.scan.accounts.iter().filter(|a| a.status != AccountStatus::Scanned).count() as u64);
    assert_eq!(incomplete(org_extras).1, report.findings.iter().filter(|f| f.status == Status::Error).count() as u64);
    assert_eq!(incomplete(extras(&scope_nonprod)).0, 1, "Non-prod holds the unscanned account: {}", extras(&scope_nonprod));
    assert_eq!(incomplete(extras(&scope_security)).0, 0, "Security holds none: {}", extras(&scope_security));
    assert_ne!(incomplete(extras(&scope_security)), incomplete(org_extras));
    assert_ne!(incomplete(extras(&scope_account)), incomplete(org_extras));
    for spec in [&scope_ou, &scope_account, &scope_nonprod, &scope_security] {
        assert_ne!(extras(spec)["legend"], org_extras["legend"], "{spec}: the coverage legend counts the scope's cells");
        assert_ne!(extras(spec)["regions"], org_extras["regions"], "{spec}: the per-region chart is the scope's accounts'");
        assert_ne!(extras(spec)["hist"], org_extras["hist"], "{spec}: the histogram counts the scope's accounts");
        assert_eq!(extras(spec)["tree"]["hidden"], 0, "{spec}: the OU tree is marked, not hidden");
        assert_eq!(extras(spec)["tree"]["rows"], org_extras["tree"]["rows"]);
    }
    let band_total = |e: &serde_json::Value| e["hist"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum::<u64>();
    assert_eq!(band_total(extras(&scope_ou)), workloads.accounts.len() as u64, "Workloads' accounts, each in its band");
    assert_eq!(band_total(extras(&scope_account)), 1);
    assert_eq!(extras(&scope_nonprod)["tree"]["sel"], json!([nonprod.id]), "the chosen OU is marked");
    assert!(extras(&scope_nonprod)["tree"]["path"].as_array().unwrap().contains(&json!(workloads.id)), "and the units above it: {}", extras(&scope_nonprod)["tree"]);
    assert_eq!(extras(&scope_account)["tree"]["chips"], json!([sandbox]), "the chosen account is marked");
    assert!(extras(&scope_account)["tree"]["path"].as_array().unwrap().contains(&json!(unit("Root").id)), "with its OU path up to the root: {}", extras(&scope_account)["tree"]);
    assert_eq!(result["region"]["extras"]["legend"], org_extras["legend"], "a region filter leaves the coverage legend to the scope");

    // One region or all of them: the same scores (CT103 counts once per account).
    let one_region_json = dir.str("one-region.json");
    let out = emulator.scan(&["--org", "--regions", "us-east-1", "-o", &format!("json={one_region_json}")]);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "scan failed: {}", common::stderr(&out));
    let one: Report = serde_json::from_slice(&std::fs::read(&one_region_json).unwrap()).unwrap();
    assert!(report.scan.regions.len() > 1 && one.scan.regions == ["us-east-1"]);
    let pairs = |r: &Report| r.scores.accounts.iter().map(|a| (a.id.clone(), a.score, a.grade)).collect::<Vec<_>>();
    assert_eq!((one.scores.organization.score, pairs(&one)), (org.score, pairs(&report)), "{} regions vs one", report.scan.regions.len());
    assert!(fails > 0, "the demo organization has failures");
    assert_eq!(result["structure"]["checks"].as_u64().unwrap() as usize, report.checks.len());
    assert_eq!(result["structure"]["sections"], json!(["overview", "coverage", "accounts", "framework", "unreadable", "checks", "suppressions", "about"]));
    assert!(result["search"]["visible_rows"].as_u64().unwrap() > 0);
    assert_eq!(result["evidence"]["parsed"], true);
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000, "a real screenshot");
    assert!(result["pdf"]["pages"].as_u64().unwrap() >= 6, "print: the findings fill several pages: {}", result["pdf"]);
    if let Some(keep) = std::env::var_os("TW_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

/// Pages of a PDF: the page objects (`/Type /Page`, not `/Pages`) and the `/Count` of the
/// page tree's root (the `/Pages` node without a `/Parent`). Chromium writes both
/// uncompressed; only the content streams are compressed.
fn pdf_pages(pdf: &[u8]) -> (usize, Option<usize>) {
    let text = String::from_utf8_lossy(pdf);
    let mut leaves = 0;
    let mut root = None;
    let mut at = 0;
    while let Some(i) = text[at..].find("/Type /Page").map(|i| at + i) {
        let rest = &text[i + "/Type /Page".len()..];
        if rest.starts_with('s') {
            let dict = &text[i..i + text[i..].find("endobj").unwrap_or(text.len() - i)];
            if !dict.contains("/Parent") {
                let count = &dict[dict.find("/Count ").expect("the page tree has a /Count") + 7..];
                root = count.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok());
            }
        } else if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            leaves += 1;
        }
        at = i + 1;
    }
    (leaves, root)
}

/// The bound: the demo (scanned as `scripts/demo.sh` scans it, digest chains verified)
/// prints in at most 12 A4 pages, numbered and headed with the organization, the scan time,
/// the tool version and the JSON report's hash, and its first page answers "how bad, where,
/// what first": the grade and the critical finding (CT301, the public trail bucket).
#[test]
fn demo_report_prints_in_at_most_12_a4_pages() {
    setup_browser();
    let emulator = common::Emulator::start();
    emulator.seed("demo");
    let dir = common::TempDir::new("html-print");
    let (json_path, html_path, inventory_path) = (dir.str("report.json"), dir.path("report.html"), dir.str("inventory.json"));
    let out = emulator.scan(&["--org", "--verify-integrity", "-o", &format!("json={json_path}"), "-o", &format!("html={}", html_path.display()), "--save-inventory", &inventory_path]);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "scan failed: {}", common::stderr(&out));
    let bytes = std::fs::read(&json_path).unwrap();
    let report: Report = serde_json::from_slice(&bytes).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let org = report.scan.organization_id.clone().expect("the demo is an organization");
    let grade = report.scores.organization.grade.expect("a grade").as_str();
    let critical = report.findings.iter().find(|f| f.check == "CT301" && f.status == Status::Fail).expect("the demo's critical finding");

    // The running header and the page numbers are the page's own margin boxes.
    let started = report.scan.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    assert!(html.contains(&format!("@top-left {{ content: \"trailwarden {} \\0000b7 organization {org} \\0000b7 scan {started}\"; }}", report.tool.version)), "running header: tool, organization, scan time");
    assert!(html.contains(&format!("@top-right {{ content: \"JSON report SHA-256 {}\"; }}", sha256_hex(&bytes))), "running header: the JSON report's hash");
    assert!(html.contains("@bottom-right { content: \"page \" counter(page) \" / \" counter(pages);"));

    let pdf = dir.path("report.pdf");
    let result = drive(
        &html_path,
        &[
            "--pdf", pdf.to_str().unwrap(),
            "--pdf-first-page-text", grade, "--pdf-first-page-text", "CT301", "--pdf-first-page-text", &critical.resource,
            "--pdf-first-page-text", &org, "--pdf-first-page-text", &started, "--pdf-first-page-text", &sha256_hex(&bytes), "--pdf-first-page-text", "page 1 / ",
            "--print-first-page-text", grade, "--print-first-page-text", "CT301", "--print-first-page-text", &critical.resource,
        ],
    );
    assert_clean(&result);
    let (pages, count) = pdf_pages(&std::fs::read(&pdf).unwrap());
    eprintln!("the demo prints in {pages} A4 pages; first page: {}", result["print_first_page"]);
    assert_eq!(Some(pages), count, "page objects vs the page tree's /Count");
    assert_eq!(result["pdf"]["pages"].as_u64(), Some(pages as u64));
    assert!((2..=12).contains(&pages), "the demo prints in {pages} pages: at most 12");
    assert_eq!(result["pdf"]["first_page_missing"], json!([]), "{:#}", result["pdf"]);
    assert_eq!(result["print_first_page"]["missing"], json!([]));
}

#[test]
fn an_unscanned_account_lowers_the_grade_shown_in_headless_chromium() {
    setup_browser();
    let dir = common::TempDir::new("html-unscanned");
    let with = hostile_report();
    let mut without = hostile_report();
    without.scan.accounts.retain(|a| a.status == AccountStatus::Scanned);
    without.findings.retain(|f| f.account != "333333333333");
    without.recount();
    let (a, b) = (with.scores.organization.score.unwrap(), without.scores.organization.score.unwrap());
    assert!(a < b, "{a} with the unscanned account, {b} without");
    for (name, report, score) in [("with", &with, a), ("without", &without, b)] {
        let path = dir.path(&format!("{name}.html"));
        std::fs::write(&path, render(report, "cis-5.0", &HtmlOptions::default())).unwrap();
        let shown = format!("{score:.1}");
        let mut args = vec!["--filter-status", "FAIL", "--height", "800", "--first-screen-text", shown.as_str()];
        if name == "with" {
            args.extend(["--first-screen-text", "Not scanned (1):", "--first-screen-text", "333333333333"]);
        }
        let result = drive(&path, &args);
        assert_clean(&result);
    }
}

#[test]
fn hostile_report_in_headless_chromium_runs_nothing() {
    setup_browser();
    let dir = common::TempDir::new("html-hostile");
    let report = hostile_report();
    for (name, opts) in [("static", HtmlOptions::default()), ("lazy", lazy())] {
        let path = dir.path(&format!("hostile-{name}.html"));
        std::fs::write(&path, render(&report, "cis-5.0", &opts)).unwrap();
        let ou_name = format!("Workloads {IMG_NAME}");
        let mut args = vec!["--filter-status", "FAIL", "--expect-status-count", "3", "--search", "bold", "--expect-text", SCRIPT_NAME, "--expect-text", IMG_NAME, "--expect-text", "trail/<svg onload=window.__pwned='trail'>", "--expect-text", "<iframe srcdoc=", "--expect-text", &ou_name];
        if name == "static" {
            // The hostile OU chosen as the scope (every row is in the page to count).
            args.extend(["--scope", "ou=ou-ab12-work=16.6", "--expect-ou-score", "ou-ab12-work=16.6", "--expect-ou-score", "ou-ab12-legacy=0.0"]);
        }
        let result = drive(&path, &args);
        assert_clean(&result);
        // Passing evidence drawn on demand holds the hostile strings as text, not markup.
        assert_eq!(result["evidence"]["parsed"], true, "{name}");
    }
}
