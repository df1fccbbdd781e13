//! The machine-readable outputs (SARIF, JUnit, Markdown, CSV, OCSF), checked against their
//! consumers' rules, from a hand-made report full of hostile strings and from a real scan:
//!
//! - SARIF against the official OASIS SARIF 2.1.0 JSON schema, plus GitHub code scanning's
//!   own rules (a physical location on every result, security-severity, fingerprints);
//! - JUnit against the xUnit-plugin JUnit XSD (junit-10.xsd, via the `xmlschema` validator)
//!   and parsed back with a real JUnit parser (`junitparser`);
//! - OCSF against the JSON Schema of OCSF 1.1.0 Detection Finding (cloud profile);
//! - CSV read back with the `csv` crate, Markdown read as GitHub would split its tables.
//!
//! The schemas and Python validators are installed by `scripts/setup-validators.sh` into
//! `.venv` (see that script for where each comes from); when they are missing the tests fail
//! and say so.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Emulator, TempDir, repo_root, stderr};
use serde_json::{Value, json};
use trailwarden::model::BaselineClass;
use trailwarden::emit::{self, RenderContext, Renderer};
use trailwarden::report::{Report, finding_id};

const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "210987654321";
/// Everything that breaks a careless renderer: formula start, HTML, table pipe, quotes,
/// backticks, Markdown, a mention, math, a newline and a control character.
const HOSTILE: &str = "=HYPERLINK(\"http://x\",'y') | <script>alert(1)</script> & `rm -rf` *bold* [link](x) @octocat $x$\nnext\u{7}";

// ---------------------------------------------------------------------------------------------
// Validators from scripts/setup-validators.sh

fn validator(file: &str) -> PathBuf {
    let path = repo_root().join(".venv/share/trailwarden").join(file);
    assert!(path.is_file(), "{} is missing: run `bash scripts/setup-validators.sh` (after scripts/setup-emulator.sh)", path.display());
    path
}

/// Run a Python snippet in the project's .venv; it prints one JSON document.
fn python(script: &str, args: &[&std::path::Path]) -> Value {
    let py = repo_root().join(".venv/bin/python");
    assert!(py.is_file(), "{} is missing: run `bash scripts/setup-emulator.sh` then `bash scripts/setup-validators.sh`", py.display());
    let out = Command::new(py).arg("-c").arg(script).args(args).output().unwrap();
    assert!(out.status.success(), "python validator failed (run `bash scripts/setup-validators.sh`?):\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("validator printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn json_validator(file: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(validator(file)).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap_or_else(|e| panic!("{file} does not compile: {e}"))
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// The published pattern of `run.language` and `toolComponent.language`: a stray `]` makes
/// it an invalid ECMA-262 regex, which a validator that checks `format` (as this one does, to
/// hold our URIs and timestamps to their formats) refuses in the schema itself.
const SARIF_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(validator("sarif-schema-2.1.0.json")).unwrap()).unwrap();
    assert_eq!(schema["$id"], "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json");
    assert_eq!(schema["title"], "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    // The one change to the official schema: the two `language` patterns get the intended regex
    // ("en" or "en-US"). trailwarden emits no `language`, so nothing it writes is judged by a
    // rule other than the published one.
    let mut fixed = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(pattern, SARIF_LANGUAGE_PATTERN, "the schema's known defect moved; re-check this workaround");
        *pattern = json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        fixed += 1;
    }
    assert_eq!(fixed, 2);
    assert!(!serde_json::to_string(&schema).unwrap().contains("]?$"), "no other copy of the defect");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF 2.1.0 schema compiles")
}

fn validate_sarif(sarif: &Value) {
    let errors = schema_errors(&sarif_validator(), sarif);
    assert!(errors.is_empty(), "SARIF does not match the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
}

fn validate_ocsf(events: &Value) {
    let validator = json_validator("ocsf-1.1.0-detection_finding.schema.json");
    let mut errors = Vec::new();
    for (i, event) in events.as_array().expect("a JSON array").iter().enumerate() {
        errors.extend(schema_errors(&validator, event).into_iter().map(|e| format!("event {i}: {e}")));
    }
    assert!(errors.is_empty(), "OCSF does not match OCSF 1.1.0 Detection Finding:\n{}", errors.join("\n"));
}

const JUNIT_CHECK: &str = r#"
import json, sys, xmlschema
from junitparser import JUnitXml, Failure, Error, Skipped
schema = xmlschema.XMLSchema(sys.argv[1])
errors = [str(e) for e in schema.iter_errors(sys.argv[2])]
xml = JUnitXml.fromfile(sys.argv[2])
suites = []
for suite in xml:
    cases = []
    for case in suite:
        results = [{"kind": type(r).__name__, "message": r.message, "type": r.type, "text": r.text} for r in case.result]
        cases.append({"classname": case.classname, "name": case.name, "results": results})
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures, "errors": suite.errors, "skipped": suite.skipped, "cases": cases})
print(json.dumps({"schema_errors": errors, "tests": xml.tests, "failures": xml.failures, "errors": xml.errors, "suites": suites}))
"#;

/// Validate JUnit XML against junit-10.xsd and parse it with junitparser.
fn parse_junit(xml: &[u8], dir: &TempDir, file: &str) -> Value {
    let path = dir.path(file);
    std::fs::write(&path, xml).unwrap();
    python(JUNIT_CHECK, &[&validator("junit-10.xsd"), &path])
}

fn check_junit(xml: &[u8], dir: &TempDir) -> Value {
    let parsed = parse_junit(xml, dir, "report.xml");
    assert_eq!(parsed["schema_errors"], json!([]), "JUnit XML does not match junit-10.xsd");
    parsed
}

// ---------------------------------------------------------------------------------------------
// The hand-made report

fn finding(check: &str, status: &str, severity: &str, account: &str, region: Option<&str>, resource: &str, message: &str) -> Value {
    json!({
        "id": finding_id(check, account, region, resource),
        "check": check, "status": status, "severity": severity, "account": account, "region": region,
        "resource": resource, "message": message, "evidence": {"observed": message, "n": 1},
        "suppression": null, "expired_suppression": null, "baseline": null,
    })
}

fn hostile_trail() -> String {
    format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{HOSTILE}")
}

/// Ten findings over five checks (every severity, every status, suppressed FAIL and ERROR, an
/// expired suppression, new / unchanged / fixed baseline states), two accounts of which one
/// was not scanned, and a baseline with a finding whose resource is gone.
fn fixture() -> Report {
    let check = |code: &str, severity: &str| {
        let m = trailwarden::checks::metadata::get(code).unwrap_or_else(|| panic!("{code} has no metadata"));
        json!({"code": code, "name": m.name, "title": m.title, "severity": severity, "scope": m.scope, "frameworks": m.frameworks})
    };
    let bucket = format!("arn:aws:s3:::trail-logs-{ACCOUNT}");
    let mut findings = vec![
        finding("CT102", "FAIL", "critical", ACCOUNT, None, ACCOUNT, "no multi-region trail records management events"),
        finding("CT103", "FAIL", "high", ACCOUNT, Some("eu-west-1"), "eu-west-1", "no logging trail records management events in eu-west-1"),
        finding("CT103", "NOT_APPLICABLE", "high", ACCOUNT, Some("ap-south-1"), "ap-south-1", "-region disabled\tin this account"),
        finding("CT201", "FAIL", "medium", ACCOUNT, Some("us-east-1"), &hostile_trail(), &format!("trail {HOSTILE} has log file validation disabled")),
        finding("CT201", "FAIL", "medium", ACCOUNT, Some("us-east-1"), &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/plain"), "+log file validation is disabled"),
        finding("CT201", "PASS", "medium", ACCOUNT, Some("us-east-1"), &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/good"), "log file validation is enabled"),
        finding("CT305", "FAIL", "low", ACCOUNT, Some("us-east-1"), &bucket, "@object lock is not enabled"),
        finding("CT305", "ERROR", "low", ACCOUNT, Some("eu-west-1"), "arn:aws:s3:::unreadable-bucket", "object lock configuration could not be read: AccessDenied <x>"),
        finding("CT305", "ERROR", "low", ACCOUNT, Some("eu-west-1"), "arn:aws:s3:::other-unreadable", "\robject lock configuration could not be read: timeout"),
        finding("CT207", "FAIL", "info", ACCOUNT, Some("us-east-1"), &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/plain"), "Insights are not enabled"),
    ];
    let set = |f: &mut Value, key: &str, value: Value| f[key] = value;
    set(&mut findings[0], "baseline", json!("new"));
    set(&mut findings[1], "baseline", json!("unchanged"));
    set(&mut findings[3], "baseline", json!("new"));
    set(&mut findings[4], "baseline", json!("unchanged"));
    set(&mut findings[4], "expired_suppression", json!({"reason": "waiting for | vendor", "expires": "2020-01-01"}));
    set(&mut findings[5], "baseline", json!("fixed"));
    set(&mut findings[6], "baseline", json!("unchanged"));
    set(&mut findings[6], "suppression", json!({"reason": "tracked in SEC-1 <b>&</b> | @security-team", "expires": "2999-01-01"}));
    set(&mut findings[8], "suppression", json!({"reason": "=known flaky bucket", "expires": null}));
    set(&mut findings[9], "baseline", json!("unchanged"));
    findings[3]["evidence"] = json!({"trail": HOSTILE, "LogFileValidationEnabled": false});
    let gone = finding("CT301", "FAIL", "critical", ACCOUNT, Some("us-east-1"), "arn:aws:s3:::deleted-bucket", "bucket is public");
    let value = json!({
        "schema_version": "1.0",
        "tool": {"name": "trailwarden", "version": "0.1.0"},
        "scan": {
            "started_at": "2026-11-23T08:12:40.517Z",
            "finished_at": "2026-11-23T08:13:41.440Z",
            "caller": {"account_id": ACCOUNT, "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/audit/ci")},
            "organization_id": "o-abcdef1234",
            "mode": "organization",
            "accounts": [
                {"id": ACCOUNT, "name": format!("prod {HOSTILE}"), "status": "scanned", "reason": null, "regions": ["ap-south-1", "eu-west-1", "us-east-1"]},
                {"id": OTHER_ACCOUNT, "name": null, "status": "not_scanned", "reason": "AccessDenied: cannot assume <role>|audit", "regions": []}
            ],
            "regions": ["ap-south-1", "eu-west-1", "us-east-1"]
        },
        "summary": {"by_status": {}, "by_severity": {}, "suppressed": 0},
        "checks": [check("CT102", "critical"), check("CT103", "high"), check("CT201", "medium"), check("CT305", "low"), check("CT207", "info")],
        "findings": findings,
        "baseline": {"path": "before.json", "started_at": "2026-11-16T08:00:00Z", "counts": {"new": 2, "fixed": 1, "unchanged": 4}, "gone": [gone]},
    });
    let mut report: Report = serde_json::from_value(value).expect("the fixture matches the report contract");
    report.recount();
    report
}

fn render(renderer: &dyn Renderer, report: &Report, ctx: &RenderContext) -> Vec<u8> {
    renderer.render(report, ctx).expect("renders")
}

fn render_json(renderer: &dyn Renderer, report: &Report) -> Value {
    serde_json::from_slice(&render(renderer, report, &RenderContext::default())).expect("valid JSON")
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_matches_the_official_schema_and_github_code_scanning_rules() {
    let report = fixture();
    let sarif = render_json(&emit::sarif::Sarif, &report);
    validate_sarif(&sarif);

    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "trailwarden");
    assert_eq!(driver["version"], "0.1.0");
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));

    // Rules: one per check, from the metadata, with GitHub's properties.
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["CT102", "CT103", "CT201", "CT305", "CT207"]);
    let expected_severity = [("CT102", "9.5", "error"), ("CT103", "8.0", "error"), ("CT201", "5.5", "warning"), ("CT305", "3.0", "note"), ("CT207", "0.0", "note")];
    for (rule, (code, security_severity, level)) in rules.iter().zip(expected_severity) {
        let meta = trailwarden::checks::metadata::get(code).unwrap();
        assert_eq!(rule["name"], meta.name.as_str(), "{code}: kebab name");
        assert_eq!(rule["shortDescription"]["text"], meta.title.as_str());
        assert_eq!(rule["fullDescription"]["text"], meta.doc.what.trim());
        assert_eq!(rule["helpUri"], meta.doc.references[0].as_str());
        assert_eq!(rule["properties"]["security-severity"], security_severity, "{code}");
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{code}");
        assert_eq!(rule["properties"]["precision"], "very-high");
        let tags: Vec<&str> = rule["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(tags.starts_with(&["security", "cloudtrail"]) && tags.len() <= 10, "{code}: tags {tags:?}");
        for help in [&rule["help"]["text"], &rule["help"]["markdown"]] {
            let help = help.as_str().unwrap();
            assert!(help.contains(meta.doc.why.trim()) && help.contains(meta.doc.fix_cli.trim()) && help.contains(meta.doc.fix_terraform.trim()), "{code}: help has why, CLI and Terraform");
        }
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("```hcl\n"));
    }

    // Results: FAIL and ERROR only (suppressed included), each fully located.
    let results = run["results"].as_array().unwrap();
    let failing: Vec<_> = report.findings.iter().filter(|f| matches!(f.status.as_str(), "FAIL" | "ERROR")).collect();
    assert_eq!(results.len(), failing.len(), "one result per FAIL/ERROR finding");
    assert_eq!(results.len(), 8);
    for (result, f) in results.iter().zip(&failing) {
        assert_eq!(result["ruleId"], f.check.as_str());
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], result["ruleId"]);
        let location = &result["locations"][0];
        assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], "trailwarden.toml");
        assert_eq!(location["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], f.resource.as_str());
        assert_eq!(location["logicalLocations"][0]["kind"], "resource");
        assert_eq!(result["partialFingerprints"]["trailwardenFindingId/v1"], f.id.as_str());
        assert_eq!(f.id.len(), 32);
        let text = result["message"]["text"].as_str().unwrap();
        assert!(text.contains(&f.message) && text.contains(&f.account) && text.contains(&f.resource), "message names account, region, resource: {text}");
        assert!(text.contains(f.region.as_deref().unwrap_or("global")));
        assert_eq!(result["properties"]["account"], f.account.as_str());
        assert_eq!(result["properties"]["status"], f.status.as_str());
        assert_eq!(result["properties"]["region"], json!(f.region.as_deref().unwrap_or("global")));
        assert_eq!(result["properties"]["baseline"], json!(f.baseline));
        if f.status.as_str() == "ERROR" {
            assert_eq!(result["level"], "warning");
            assert!(text.starts_with("Evidence could not be read: "), "{text}");
        } else {
            let level = expected_severity.iter().find(|(c, _, _)| *c == f.check).unwrap().2;
            assert_eq!(result["level"], level, "{}", f.check);
        }
        match &f.suppression {
            Some(s) => {
                let sup = &result["suppressions"];
                assert_eq!(sup.as_array().unwrap().len(), 1);
                assert_eq!(sup[0]["kind"], "external");
                assert!(sup[0]["justification"].as_str().unwrap().starts_with(&s.reason));
            }
            None => assert!(result.get("suppressions").is_none()),
        }
        match f.baseline.map(|b| b.as_str()) {
            Some(b @ ("new" | "unchanged")) => assert_eq!(result["baselineState"], b),
            _ => assert!(result.get("baselineState").is_none()),
        }
    }
    assert!(results[2]["message"]["text"].as_str().unwrap().contains("<script>"), "JSON keeps text verbatim; consumers escape it");
    // The validator is not a rubber stamp: a result without a message, with a level SARIF does
    // not know, or a location URI that is not a URI reference, is refused.
    let sarif_schema = sarif_validator();
    for (pointer, value) in [
        ("/runs/0/results/0/level", json!("critical")),
        ("/runs/0/results/0/message", json!("not an object")),
        ("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri", json!("a b:c\\d")),
        ("/runs/0/tool/driver/informationUri", json!("not a uri")),
    ] {
        let mut broken = sarif.clone();
        *broken.pointer_mut(pointer).unwrap() = value;
        assert!(!schema_errors(&sarif_schema, &broken).is_empty(), "the SARIF schema accepted a broken {pointer}");
    }
    // The account that could not be scanned is reported, not silently dropped.
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["message"]["text"].as_str().unwrap().contains(OTHER_ACCOUNT));
}

#[test]
fn sarif_location_is_the_sarif_artifact_then_the_config_file() {
    let report = fixture();
    let uri = |ctx: RenderContext| {
        let sarif: Value = serde_json::from_slice(&render(&emit::sarif::Sarif, &report, &ctx)).unwrap();
        validate_sarif(&sarif);
        let uris: Vec<Value> = sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone()).collect();
        assert!(uris.windows(2).all(|w| w[0] == w[1]));
        uris[0].as_str().unwrap().to_string()
    };
    assert_eq!(uri(RenderContext::default()), "trailwarden.toml");
    assert_eq!(uri(RenderContext { config_path: Some("./ci/trailwarden.toml".into()), ..Default::default() }), "ci/trailwarden.toml");
    assert_eq!(
        uri(RenderContext { config_path: Some("ci/trailwarden.toml".into()), sarif_artifact: Some("infra/cloudtrail.tf".into()), ..Default::default() }),
        "infra/cloudtrail.tf"
    );
    assert_eq!(uri(RenderContext { config_path: Some("/work/repo/my config.toml".into()), ..Default::default() }), "file:///work/repo/my%20config.toml");
}

#[test]
fn sarif_with_nothing_failing_is_an_empty_valid_run() {
    let mut report = fixture();
    report.findings.retain(|f| f.status.as_str() == "PASS" || f.status.as_str() == "NOT_APPLICABLE");
    report.scan.accounts.truncate(1);
    report.baseline = None;
    report.recount();
    let sarif = render_json(&emit::sarif::Sarif, &report);
    validate_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"], json!([]));
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(), 5, "rules are listed even without results");
    assert!(sarif["runs"][0]["invocations"][0].get("toolExecutionNotifications").is_none());
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_matches_the_junit_xsd_and_parses_back_with_junitparser() {
    let report = fixture();
    let xml = render(&emit::junit::Junit, &report, &RenderContext::default());
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(!text.contains("<script>") && text.contains("&lt;script&gt;"), "markup is escaped");
    assert!(!text.contains('\u{7}'), "characters XML 1.0 cannot carry are replaced");
    let dir = TempDir::new("junit-fixture");
    let parsed = check_junit(&xml, &dir);
    // The XSD is not a rubber stamp: attributes junit-10.xsd does not know are refused.
    let broken = text.replacen("<testsuites name=", "<testsuites skipped=\"1\" name=", 1).replacen("<testcase classname=", "<testcase severity=\"x\" classname=", 1);
    let refused = parse_junit(broken.as_bytes(), &dir, "broken.xml");
    assert_eq!(refused["schema_errors"].as_array().unwrap().len(), 2, "{refused}");

    // (suite, tests, failures, errors, skipped)
    let expected = [
        ("CT102 no-multi-region-management-trail", 1, 1, 0, 0),
        ("CT103 region-not-logged", 2, 1, 0, 1),
        ("CT201 log-file-validation-disabled", 3, 2, 0, 0),
        ("CT305 log-bucket-object-lock-disabled", 3, 0, 1, 2),
        ("CT207 insights-not-enabled", 1, 1, 0, 0),
    ];
    let suites = parsed["suites"].as_array().unwrap();
    assert_eq!(suites.len(), expected.len(), "one suite per check");
    for (suite, (name, tests, failures, errors, skipped)) in suites.iter().zip(expected) {
        assert_eq!(suite["name"], name);
        assert_eq!([&suite["tests"], &suite["failures"], &suite["errors"], &suite["skipped"]], [&json!(tests), &json!(failures), &json!(errors), &json!(skipped)], "{name}");
        let cases = suite["cases"].as_array().unwrap();
        assert_eq!(cases.len(), tests);
        let kinds = |k: &str| cases.iter().flat_map(|c| c["results"].as_array().unwrap()).filter(|r| r["kind"] == k).count();
        assert_eq!((kinds("Failure"), kinds("Error"), kinds("Skipped")), (failures, errors, skipped), "{name}: elements agree with the counts");
        assert!(cases.iter().all(|c| c["classname"] == name));
    }
    assert_eq!((&parsed["tests"], &parsed["failures"], &parsed["errors"]), (&json!(10), &json!(5), &json!(1)));

    let all_cases: Vec<&Value> = suites.iter().flat_map(|s| s["cases"].as_array().unwrap()).collect();
    // The hostile trail's case: its name survives escaping exactly (newlines folded, BEL replaced).
    let hostile_name = format!("{ACCOUNT} / us-east-1 / {}", hostile_trail()).replace('\n', " ").replace('\u{7}', "\u{FFFD}");
    let case = all_cases.iter().find(|c| c["name"] == hostile_name.as_str()).unwrap_or_else(|| panic!("no case named {hostile_name:?}"));
    let failure = &case["results"][0];
    assert_eq!(failure["kind"], "Failure");
    assert_eq!(failure["type"], "medium", "failure type is the severity");
    let text = failure["text"].as_str().unwrap();
    assert!(text.contains("<script>alert(1)</script>") && text.contains("evidence: {") && text.contains("LogFileValidationEnabled"), "message and evidence round-trip: {text}");
    // Suppressed FAIL and ERROR are skipped with their reasons.
    let skipped: Vec<&str> = all_cases.iter().flat_map(|c| c["results"].as_array().unwrap()).filter(|r| r["kind"] == "Skipped").map(|r| r["message"].as_str().unwrap()).collect();
    assert!(skipped.contains(&"suppressed: tracked in SEC-1 <b>&</b> | @security-team (expires 2999-01-01)"), "{skipped:?}");
    assert!(skipped.contains(&"suppressed: =known flaky bucket"), "{skipped:?}");
    assert!(skipped.iter().any(|m| m.starts_with("not applicable: -region disabled in this account")), "{skipped:?}");
    let error = all_cases.iter().flat_map(|c| c["results"].as_array().unwrap()).find(|r| r["kind"] == "Error").unwrap();
    assert_eq!(error["type"], "evidence-unreadable");
    assert_eq!(error["message"], "evidence could not be read: object lock configuration could not be read: AccessDenied <x>");
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Cells of a Markdown table row as GitHub splits them: on `|` not escaped by a backslash.
fn cells(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.trim().trim_matches('|').chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
    }
    n + 1
}

#[test]
fn markdown_puts_new_failures_first_and_escapes_aws_strings() {
    let report = fixture();
    let md = String::from_utf8(render(&emit::markdown::Markdown, &report, &RenderContext::default())).unwrap();

    // Headline counts: 5 failing (2 new), 1 unreadable, 1 passed, 1 not applicable, 2 suppressed.
    assert!(md.contains("**5 failing** (2 new) · **1 could not be read** · 1 passed · 1 not applicable · 2 suppressed"), "{md}");
    let order = [
        "### ⚠️ Accounts not scanned (1)",
        "### New failures (2)",
        "### Other failures (3)",
        "### Could not be read (1)",
        "<details><summary>Suppressed (2)</summary>",
        "<details><summary>Fixed since the baseline (2)</summary>",
        "<details><summary>Passed (1) and not applicable (1), per check</summary>",
    ];
    let positions: Vec<usize> = order.iter().map(|h| md.find(h).unwrap_or_else(|| panic!("missing {h:?} in\n{md}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sections out of order: {positions:?}\n{md}");
    let section = |i: usize| &md[positions[i]..positions[i + 1]];
    assert!(section(1).contains("| critical | CT102 |") && section(1).contains("| medium | CT201 |"), "new failures: {}", section(1));
    let other = section(2);
    let (high, medium, info) = (other.find("| high |").unwrap(), other.find("| medium |").unwrap(), other.find("| info |").unwrap());
    assert!(high < medium && medium < info, "other failures by severity: {other}");
    assert!(other.contains("suppression expired 2020-01-01"), "an expired suppression is visible: {other}");
    assert!(!other.contains("trail-logs-"), "the suppressed failure is not among the failures: {other}");
    assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());

    // Escaping: no live HTML, no extra table cells, no mention, no formatting.
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"));
    assert!(md.contains("tracked in SEC-1 &lt;b&gt;&amp;&lt;/b&gt; \\| @&#8203;security-team"), "reason escaped: {md}");
    assert!(!md.contains("@octocat") && md.contains("@&#8203;octocat"));
    assert!(md.contains("\\`rm -rf\\`") && md.contains("\\*bold\\*") && md.contains("\\[link\\]") && md.contains("\\$x\\$"));
    assert!(!md.contains('\u{7}'));
    let mut header_cells = 0;
    for line in md.lines() {
        if line.starts_with("| ") && !line.starts_with("|---") {
            if header_cells == 0 {
                header_cells = cells(line);
            } else {
                assert_eq!(cells(line), header_cells, "a hostile `|` must not add table columns: {line}");
            }
        } else if !line.starts_with("|---") {
            header_cells = 0;
        }
        assert!(!line.contains("next") || line.starts_with("| "), "a hostile newline must not break out of the table: {line}");
    }
}

#[test]
fn markdown_without_baseline_lists_failures_by_severity() {
    let mut report = fixture();
    report.baseline = None;
    for f in &mut report.findings {
        f.baseline = None;
    }
    let md = String::from_utf8(render(&emit::markdown::Markdown, &report, &RenderContext::default())).unwrap();
    assert!(!md.contains("New failures") && !md.contains("baseline"), "{md}");
    let failures = md.find("### Failures (5)").expect("one failures section");
    let rows: Vec<&str> = md[failures..].lines().filter(|l| l.starts_with("| ") && !l.starts_with("| severity")).take(5).collect();
    let severities: Vec<&str> = rows.iter().map(|r| r.split(" | ").next().unwrap().trim_start_matches("| ")).collect();
    assert_eq!(severities, ["critical", "high", "medium", "medium", "info"]);
}

#[test]
fn markdown_stays_under_githubs_limits_when_findings_are_many() {
    let mut report = fixture();
    let template = report.findings[3].clone();
    report.findings = (0..12_000)
        .map(|i| {
            let mut f = template.clone();
            f.resource = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t{i}");
            f.message = format!("{i}: {}", "x".repeat(100));
            f
        })
        .collect();
    report.recount();
    let md = emit::markdown::Markdown.render(&report, &RenderContext::default()).unwrap();
    assert!(md.len() <= emit::markdown::STEP_SUMMARY_LIMIT, "{} bytes", md.len());
    let text = String::from_utf8(md).unwrap();
    assert!(text.contains("row(s) left out to stay under the 1024 KiB limit"), "a truncation note");
    assert_eq!(text.matches("<details>").count(), text.matches("</details>").count());
    let comment = emit::markdown::render_within(&report, emit::markdown::PR_COMMENT_LIMIT);
    assert!(comment.chars().count() <= emit::markdown::PR_COMMENT_LIMIT && comment.contains("left out"));
}

// ---------------------------------------------------------------------------------------------
// CSV

#[test]
fn csv_has_a_row_per_finding_and_guards_against_formula_injection() {
    let report = fixture();
    let bytes = render(&emit::csv::Csv, &report, &RenderContext::default());
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "id", "check", "name", "title", "status", "severity", "account", "region", "resource", "message", "suppressed", "suppression_reason",
            "suppression_expires", "baseline", "evidence",
            "fix_cli",
            "fix_terraform",
            "account_name"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("well-formed CSV")).collect();
    assert_eq!(rows.len(), report.findings.len(), "one row per finding, every status");
    for (row, f) in rows.iter().zip(&report.findings) {
        assert_eq!(row.len(), 18);
        assert_eq!(&row[6], format!("'{}", f.account), "the account id stays text in a spreadsheet");
        let name = report.scan.accounts.iter().find(|a| a.id == f.account).and_then(|a| a.name.clone()).unwrap_or_default();
        assert_eq!(&row[17], name);
        assert_eq!(&row[0], f.id);
        assert_eq!(&row[1], f.check);
        assert_eq!(&row[2], report.checks.iter().find(|c| c.code == f.check).unwrap().name);
        assert_eq!(&row[4], f.status.as_str());
        assert_eq!(&row[5], f.severity.as_str());
        assert_eq!(&row[7], f.region.as_deref().unwrap_or("global"));
        assert_eq!(&row[10], if f.suppression.is_some() { "true" } else { "false" });
        assert_eq!(&row[13], f.baseline.map(|b| b.as_str()).unwrap_or(""));
        // Every cell is the value, or the value behind a `'` when it starts like a formula.
        let message = &row[9];
        match f.message.chars().next() {
            Some('=' | '+' | '-' | '@' | '\t' | '\r') => assert_eq!(message, format!("'{}", f.message)),
            _ => assert_eq!(message, f.message),
        }
        let evidence: Value = serde_json::from_str(&row[14]).expect("evidence is compact JSON");
        assert_eq!(evidence, *f.evidence);
        assert!(!row[14].contains('\n'), "compact");
    }
    // The hostile cases, one by one.
    let by_resource = |r: &str| rows.iter().find(|row| &row[8] == r).unwrap();
    assert_eq!(&by_resource(&format!("arn:aws:s3:::trail-logs-{ACCOUNT}"))[9], "'@object lock is not enabled");
    assert_eq!(&by_resource(&format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/plain"))[9], "'+log file validation is disabled");
    assert_eq!(&by_resource("ap-south-1")[9], "'-region disabled\tin this account");
    let suppressed = by_resource("arn:aws:s3:::other-unreadable");
    assert_eq!((&suppressed[9][..2], &suppressed[11], &suppressed[12]), ("'\r", "'=known flaky bucket", ""));
    let hostile = by_resource(&hostile_trail());
    assert!(hostile[9].contains("<script>") && hostile[9].contains('\n'), "quoting keeps newlines and markup intact");
    let bucket = by_resource(&format!("arn:aws:s3:::trail-logs-{ACCOUNT}"));
    assert_eq!((&bucket[10], &bucket[12]), ("true", "2999-01-01"));
    for value in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(emit::csv::cell(value), format!("'{value}"));
    }
    assert_eq!(emit::csv::cell("a=1"), "a=1");
}

// ---------------------------------------------------------------------------------------------
// OCSF

#[test]
fn ocsf_detection_findings_match_the_ocsf_1_1_schema() {
    let report = fixture();
    let events = render_json(&emit::ocsf::Ocsf, &report);
    validate_ocsf(&events);
    // The schema is not a rubber stamp: null where OCSF wants a string, an unknown attribute, a
    // severity_id OCSF does not define, or a missing required attribute are refused.
    let ocsf_validator = json_validator("ocsf-1.1.0-detection_finding.schema.json");
    for (pointer, value) in [("/0/cloud/region", Value::Null), ("/0/finding_info/severity", json!("high")), ("/0/severity_id", json!(7)), ("/0/finding_info", json!({"uid": "x"}))] {
        let mut broken = events.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        broken.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_string(), value);
        assert!(!schema_errors(&ocsf_validator, &broken[0]).is_empty(), "the OCSF schema accepted a broken {pointer}");
    }

    // The schema's own list of required attributes, each present with its OCSF type.
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(validator("ocsf-1.1.0-detection_finding.schema.json")).unwrap()).unwrap();
    let mut required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    required.sort();
    assert_eq!(required, ["activity_id", "category_uid", "class_uid", "cloud", "finding_info", "metadata", "severity_id", "time", "type_uid"]);

    let events = events.as_array().unwrap();
    let fails: Vec<_> = report.findings.iter().filter(|f| matches!(f.status.as_str(), "FAIL" | "ERROR")).collect();
    assert_eq!(events.len(), fails.len(), "one event per FAIL finding, suppressed included, and per ERROR");
    for (e, f) in events.iter().zip(&fails) {
        for (key, is_type) in [
            ("activity_id", Value::is_u64 as fn(&Value) -> bool),
            ("category_uid", Value::is_u64),
            ("class_uid", Value::is_u64),
            ("type_uid", Value::is_u64),
            ("severity_id", Value::is_u64),
            ("time", Value::is_i64),
            ("status_id", Value::is_u64),
            ("finding_info", Value::is_object),
            ("metadata", Value::is_object),
            ("cloud", Value::is_object),
            ("resources", Value::is_array),
            ("remediation", Value::is_object),
            ("unmapped", Value::is_object),
        ] {
            assert!(is_type(&e[key]), "{key} missing or mistyped: {e}");
        }
        assert_eq!((&e["class_uid"], &e["category_uid"], &e["activity_id"], &e["type_uid"]), (&json!(2004), &json!(2), &json!(1), &json!(200401)));
        let severity = ["info", "low", "medium", "high", "critical"].iter().position(|s| *s == f.severity.as_str()).unwrap() + 1;
        assert_eq!(e["severity_id"], severity);
        assert_eq!(e["time"], report.scan.finished_at.timestamp_millis());
        assert_eq!(e["finding_info"]["uid"], f.id.as_str());
        assert_eq!(e["finding_info"]["title"], report.checks.iter().find(|c| c.code == f.check).unwrap().title.as_str());
        assert!(e["finding_info"]["desc"].as_str().unwrap().len() > 20 && e["finding_info"]["types"].is_array());
        assert_eq!(e["finding_info"]["created_time"], e["time"]);
        assert_eq!(e["metadata"]["version"], "1.1.0");
        assert_eq!(e["metadata"]["event_code"], f.check.as_str());
        assert_eq!(e["metadata"]["product"]["name"], "trailwarden");
        assert_eq!(e["metadata"]["product"]["vendor_name"], "trailwarden");
        assert_eq!(e["metadata"]["product"]["version"], "0.1.0");
        assert_eq!(e["cloud"]["provider"], "AWS");
        assert_eq!(e["cloud"]["account"]["uid"], f.account.as_str());
        assert_eq!(e["cloud"]["region"].as_str(), Some(f.region.as_deref().unwrap_or("global")), "region, or `global` for an account-wide finding");
        assert_eq!(e["resources"][0]["uid"], f.resource.as_str());
        assert!(e["remediation"]["desc"].as_str().unwrap().contains("aws "));
        assert_eq!(e["unmapped"]["evidence"], *f.evidence);
        let (status_id, status) = match (f.status.as_str(), f.suppression.is_some()) {
            ("ERROR", _) => (0, "Unknown"),
            (_, true) => (3, "Suppressed"),
            _ => (1, "New"),
        };
        assert_eq!((&e["status_id"], &e["status"]), (&json!(status_id), &json!(status)));
        assert_eq!(e["unmapped"]["check_status"], f.status.as_str());
    }
    // An ERROR is an event a SIEM sees, with why it could not be judged.
    let unknown = events.iter().find(|e| e["status"] == "Unknown").expect("the fixture has an ERROR outcome");
    assert!(unknown["status_detail"].as_str().unwrap().starts_with("could not be evaluated"), "{unknown}");
    let suppressed = events.iter().find(|e| e["status"] == "Suppressed").unwrap();
    assert!(suppressed["status_detail"].as_str().unwrap().contains("tracked in SEC-1"));
    let types: Vec<&str> = events.iter().map(|e| e["resources"][0]["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["AWS::::Account", "AWS::Region", "AWS::CloudTrail::Trail", "AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::S3::Bucket", "AWS::S3::Bucket", "AWS::CloudTrail::Trail"]);
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The hand-made report, with a cause on an ERROR, as JSON against the published JSON Schema
/// (derived from the report's types); and the schema refuses what the contract does not allow.
#[test]
fn json_report_matches_the_published_json_schema() {
    let mut report = fixture();
    let error = report.findings.iter_mut().find(|f| f.status.as_str() == "ERROR").unwrap();
    error.cause = Some(trailwarden::model::Unavailable::new(trailwarden::model::UnavailableKind::AccessDenied, Some("s3:GetObjectLockConfiguration"), "denied"));
    let json = render_json(&emit::json::Json, &report);
    let schema: Value = serde_json::from_str(trailwarden::report::JSON_SCHEMA).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("the report schema compiles");
    let errors = schema_errors(&validator, &json);
    assert!(errors.is_empty(), "the JSON report does not match report.schema.json:\n{}", errors.join("\n"));
    // Fields added after 1.0 may be missing (an older report still validates).
    let mut older = json.clone();
    older.as_object_mut().unwrap().remove("baseline");
    older["scan"].as_object_mut().unwrap().remove("notes");
    for f in older["findings"].as_array_mut().unwrap() {
        for key in ["expired_suppression", "baseline", "cause"] {
            f.as_object_mut().unwrap().remove(key);
        }
    }
    assert_eq!(schema_errors(&validator, &older), Vec::<String>::new(), "a report without the fields added after 1.0");
    // Not a rubber stamp: unknown enum names, a missing required (if null) field, a count keyed
    // by something other than a status, a malformed id or code.
    for (pointer, value) in [
        ("/findings/0/status", Some(json!("MAYBE"))),
        ("/findings/0/severity", Some(json!("severe"))),
        ("/findings/0/baseline", Some(json!("gone"))),
        ("/findings/0/region", None),
        ("/findings/0/suppression", None),
        ("/findings/0/id", Some(json!("not-a-fingerprint"))),
        ("/checks/0/code", Some(json!("XX1"))),
        ("/checks/0/scope", Some(json!("planet"))),
        ("/scan/organization_id", None),
        ("/scan/mode", Some(json!("galaxy"))),
        ("/scan/accounts/1/status", Some(json!("skipped"))),
        ("/summary/by_status/MAYBE", Some(json!(1))),
        ("/summary/by_severity/severe", Some(json!({}))),
        ("/summary/by_severity/high/MAYBE", Some(json!(1))),
        ("/schema_version", Some(json!("2.0"))),
    ] {
        let mut broken = json.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let object = broken.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(v) => object.insert(key.to_string(), v),
            None => object.remove(key),
        };
        assert!(!schema_errors(&validator, &broken).is_empty(), "the report schema accepted a broken {pointer}");
    }
}

// ---------------------------------------------------------------------------------------------
// From a real scan

/// A scan of the emulator's `failing` scenario, with a suppression and a baseline, loaded from
/// its JSON report into `Report` and rendered by every renderer; each output is validated, and
/// the binary's own `-o FORMAT=PATH` files are the same bytes.
#[test]
fn a_real_scan_renders_valid_output_in_every_format() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("formats-real");
    std::fs::write(
        dir.path("trailwarden.toml"),
        "[[suppress]]\ncheck = \"CT305\"\nresource = \"arn:aws:s3:::failing-trail-*\"\nreason = \"tracked in SEC-1 <b>&</b>\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let out = emulator.scan_in(&dir.0, &["-o", "json=before.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    emulator.change("break-excluding-trail");
    let formats = [("sarif", "report.sarif"), ("junit", "report.xml"), ("markdown", "report.md"), ("csv", "report.csv"), ("ocsf", "report.ocsf.json")];
    let mut args = vec!["--baseline".to_string(), "before.json".into(), "-o".into(), "json=report.json".into()];
    for (format, file) in formats {
        args.extend(["-o".to_string(), format!("{format}={file}")]);
    }
    let out = emulator.scan_in(&dir.0, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let report: Report = serde_json::from_str(&std::fs::read_to_string(dir.path("report.json")).unwrap()).expect("the JSON report loads into Report");
    let ctx = RenderContext { config_path: Some("trailwarden.toml".into()), ..Default::default() };
    let renderers: [(&str, &dyn Renderer); 5] = [
        ("report.sarif", &emit::sarif::Sarif),
        ("report.xml", &emit::junit::Junit),
        ("report.md", &emit::markdown::Markdown),
        ("report.csv", &emit::csv::Csv),
        ("report.ocsf.json", &emit::ocsf::Ocsf),
    ];
    let mut rendered = std::collections::HashMap::new();
    for (file, renderer) in renderers {
        let bytes = render(renderer, &report, &ctx);
        assert!(std::fs::read(dir.path(file)).unwrap() == bytes, "{file}: the binary's output differs from rendering its JSON report");
        rendered.insert(file, bytes);
    }
    let fails = report.findings.iter().filter(|f| f.status.as_str() == "FAIL").count();
    let new = report.findings.iter().filter(|f| f.baseline == Some(BaselineClass::New)).count();
    assert!(fails > 0 && new == 1, "the scenario fails, with one new failure");

    let sarif: Value = serde_json::from_slice(&rendered["report.sarif"]).unwrap();
    validate_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.iter().filter(|f| matches!(f.status.as_str(), "FAIL" | "ERROR")).count());
    assert!(results.iter().all(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "trailwarden.toml"));
    assert!(results.iter().any(|r| r["baselineState"] == "new"));
    let suppressed: Vec<_> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert!(!suppressed.is_empty() && suppressed.iter().all(|r| r["ruleId"] == "CT305"));

    let junit = check_junit(&rendered["report.xml"], &dir);
    assert_eq!(junit["suites"].as_array().unwrap().len(), report.checks.len());
    assert_eq!(junit["tests"], report.findings.len());
    assert_eq!(junit["failures"], report.findings.iter().filter(|f| f.status.as_str() == "FAIL" && f.suppression.is_none()).count());

    let md = String::from_utf8(rendered["report.md"].clone()).unwrap();
    let (new_at, other_at) = (md.find("### New failures (1)").expect("new failures"), md.find("### Other failures").expect("other failures"));
    assert!(new_at < other_at, "{md}");
    assert!(md[new_at..other_at].contains("CT201") && md[new_at..other_at].contains("excluding-trail"), "{md}");
    assert!(md.contains("tracked in SEC-1 &lt;b&gt;&amp;&lt;/b&gt;"));

    let mut reader = csv::Reader::from_reader(rendered["report.csv"].as_slice());
    assert_eq!(reader.records().count(), report.findings.len());

    let ocsf: Value = serde_json::from_slice(&rendered["report.ocsf.json"]).unwrap();
    validate_ocsf(&ocsf);
    assert_eq!(ocsf.as_array().unwrap().len(), fails);
    assert!(ocsf.as_array().unwrap().iter().any(|e| e["status"] == "Suppressed"));
}


// ---------------------------------------------------------------------------------------------
// The per-finding fix (the report's `remediation`) in every format that lists failures.

#[test]
fn every_format_shows_the_fix_for_the_failing_resource() {
    let mut report = fixture();
    let trail = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/plain");
    let cli = format!("aws cloudtrail update-trail --name {trail} --region us-east-1 --enable-log-file-validation");
    let f = report.findings.iter_mut().find(|f| f.check == "CT201" && f.status == trailwarden::model::Status::Fail && f.resource == trail).expect("the plain trail's failure");
    f.remediation = Some(trailwarden::report::Remediation { target: trail.clone(), account: ACCOUNT.into(), region: Some("us-east-1".into()), cli: cli.clone(), terraform: Some("enable_log_file_validation = true".into()) });

    let json = render_json(&emit::json::Json, &report);
    let schema: Value = serde_json::from_str(trailwarden::report::JSON_SCHEMA).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("the report schema compiles");
    assert_eq!(schema_errors(&validator, &json), Vec::<String>::new());
    let with_fix: Vec<&Value> = json["findings"].as_array().unwrap().iter().filter(|f| !f["remediation"].is_null()).collect();
    assert_eq!(with_fix.len(), 1);
    assert_eq!(with_fix[0]["remediation"]["cli"], cli.as_str());

    // (sarif_matches_the_official_schema… validates the SARIF; a property bag is open.)
    let sarif = render_json(&emit::sarif::Sarif, &report);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["properties"]["remediation"]["cli"] == cli.as_str()), "SARIF carries the fix as a result property");

    let csv = String::from_utf8(render(&emit::csv::Csv, &report, &RenderContext::default())).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",evidence,fix_cli,fix_terraform,account_name"));
    assert!(csv.contains(&cli) && csv.contains("enable_log_file_validation = true"));

    let md = String::from_utf8(render(&emit::markdown::Markdown, &report, &RenderContext::default())).unwrap();
    assert!(md.contains(&format!("<code>{}</code>", trailwarden::emit::markdown::escape(&cli))), "{md}");
}

// ---------------------------------------------------------------------------------------------
// One region value for account-wide findings

#[test]
fn an_account_wide_finding_has_one_region_value_in_every_format_but_json() {
    let report = fixture();
    let global = report.findings.iter().find(|f| f.region.is_none()).expect("the fixture has an account-wide finding (CT102)");
    assert_eq!(global.region_label(), trailwarden::report::ACCOUNT_WIDE_REGION);
    assert_eq!(trailwarden::report::ACCOUNT_WIDE_REGION, "global");

    let json = render_json(&emit::json::Json, &report);
    let in_json = json["findings"].as_array().unwrap().iter().find(|f| f["id"] == global.id.as_str()).unwrap();
    assert_eq!(in_json["region"], Value::Null, "JSON keeps null: the contract's typed absence");

    let sarif = render_json(&emit::sarif::Sarif, &report);
    let result = sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "CT102").unwrap();
    assert_eq!(result["properties"]["region"], "global");
    assert!(result["message"]["text"].as_str().unwrap().contains("region global"));

    let ocsf = render_json(&emit::ocsf::Ocsf, &report);
    let event = ocsf.as_array().unwrap().iter().find(|e| e["metadata"]["event_code"] == "CT102").unwrap();
    assert_eq!(event["cloud"]["region"], "global");
    assert_eq!(event["resources"][0]["region"], "global");

    let csv = String::from_utf8(render(&emit::csv::Csv, &report, &RenderContext::default())).unwrap();
    let row = csv.lines().find(|l| l.starts_with(&global.id)).unwrap();
    assert!(row.split(',').any(|cell| cell == "global"), "{row}");

    let markdown = String::from_utf8(render(&emit::markdown::Markdown, &report, &RenderContext::default())).unwrap();
    assert!(markdown.lines().any(|l| l.contains("| CT102 |") && l.contains("| global |")), "{markdown}");

    let junit = String::from_utf8(render(&emit::junit::Junit, &report, &RenderContext::default())).unwrap();
    assert!(junit.contains(&format!("{} / global / {}", global.account, global.resource)), "{junit}");

    let html = String::from_utf8(render(&emit::html::Html, &report, &RenderContext::default())).unwrap();
    assert!(html.contains(r#"data-r="global""#) && html.contains(r#"<option value="global">global (account-wide)</option>"#), "the HTML's rows and region filter say global too");
    assert!(!html.contains(r#"data-r="-""#));

    let summary = String::from_utf8(render(&emit::summary::Summary, &report, &RenderContext::default())).unwrap();
    assert!(summary.lines().any(|l| l.contains(&format!("CT102 {} global ", global.account))), "{summary}");
}
