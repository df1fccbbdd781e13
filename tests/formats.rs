//! The machine-readable outputs, rendered from a real scan through the binary and checked
//! against their consumers' rules: SARIF against the official SARIF 2.1.0 schema, JUnit with
//! a real JUnit parser (junitparser), CSV with formula-injection guards, Markdown escaping,
//! OCSF Detection Finding required attributes. Validators come from scripts/setup-validators.sh.

mod common;

use std::process::Command;

use common::{Emulator, TempDir, read_json, repo_root, stderr};
use serde_json::Value;

const HOSTILE: &str = "=HYPERLINK(\"http://x\") | <script>alert(1)</script> & `rm -rf` *bold* [link](x)\nnext";

/// One scan of the `failing` scenario with a suppression, a baseline and every format.
struct Rendered {
    dir: TempDir,
    _emulator: Emulator,
}

fn render_all(name: &str) -> Rendered {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new(name);
    std::fs::write(
        dir.path("trailwarden.toml"),
        "[[suppress]]\ncheck = \"CT305\"\nresource = \"arn:aws:s3:::failing-trail-*\"\nreason = \"tracked in SEC-1 <b>&</b>\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let out = emulator.scan_in(&dir.0, &["-o", "json=before.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    emulator.change("break-excluding-trail");
    let args = [
        "--baseline", "before.json", "-o", "json=report.json", "-o", "sarif=report.sarif", "-o", "junit=report.xml",
        "-o", "markdown=report.md", "-o", "csv=report.csv", "-o", "ocsf=report.ocsf.json",
    ];
    let out = emulator.scan_in(&dir.0, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    Rendered { dir, _emulator: emulator }
}

fn validators() -> std::path::PathBuf {
    let schema = repo_root().join(".venv/share/trailwarden/sarif-2.1.0-rtm.5.json");
    assert!(schema.exists(), "the SARIF schema is not installed: run `bash scripts/setup-validators.sh`");
    schema
}

#[test]
fn sarif_validates_against_the_official_schema_and_suits_github() {
    let r = render_all("sarif");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(validators()).unwrap()).unwrap();
    // The published SARIF 2.1.0 schema has a malformed regex (a stray `]` in the `language`
    // patterns) that strict validators refuse to compile. Replace it with the intended pattern;
    // trailwarden never emits a `language`, so this does not relax what our output is held to.
    fn fix_language_patterns(v: &mut Value) -> usize {
        match v {
            Value::Object(map) => {
                let mut n = 0;
                for (k, child) in map.iter_mut() {
                    if k == "pattern" && child == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                        *child = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                        n += 1;
                    } else {
                        n += fix_language_patterns(child);
                    }
                }
                n
            }
            Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
            _ => 0,
        }
    }
    assert!(fix_language_patterns(&mut schema) > 0, "the known schema defect moved; re-check this workaround");
    let sarif = read_json(&r.dir.path("report.sarif"));
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not match the SARIF 2.1.0 schema:\n{}", errors.join("\n"));

    let report = read_json(&r.dir.path("report.json"));
    let run = &sarif["runs"][0];
    let failing = report["findings"].as_array().unwrap().iter().filter(|f| f["status"] == "FAIL" || f["status"] == "ERROR").count();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), failing, "one result per FAIL/ERROR finding");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report["checks"].as_array().unwrap().len());
    for rule in rules {
        let sev: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
        assert!((0.0..=10.0).contains(&sev));
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("Terraform"));
    }
    for result in results {
        let loc = &result["locations"][0];
        assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], "trailwarden.toml", "the config file is every result's location");
        assert!(loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().len() > 3);
        assert_eq!(result["partialFingerprints"]["trailwardenFindingId/v1"].as_str().unwrap().len(), 32);
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], result["ruleId"]);
    }
    let suppressed: Vec<_> = results.iter().filter(|x| x.get("suppressions").is_some()).collect();
    assert!(!suppressed.is_empty() && suppressed.iter().all(|x| x["ruleId"] == "CT305"));
    assert!(results.iter().any(|x| x["baselineState"] == "new"));
}

#[test]
fn junit_parses_with_a_real_junit_parser_and_counts_match() {
    let r = render_all("junit");
    validators();
    let script = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = {"suites": 0, "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "names": []}
for suite in xml:
    out["suites"] += 1
    for case in suite:
        out["tests"] += 1
        out["names"].append(case.name)
        for r in case.result:
            if isinstance(r, Failure): out["failures"] += 1
            elif isinstance(r, Error): out["errors"] += 1
            elif isinstance(r, Skipped): out["skipped"] += 1
print(json.dumps(out))
"#;
    let out = Command::new(repo_root().join(".venv/bin/python")).args(["-c", script]).arg(r.dir.path("report.xml")).output().unwrap();
    assert!(out.status.success(), "junitparser rejected the XML: {}", String::from_utf8_lossy(&out.stderr));
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = read_json(&r.dir.path("report.json"));
    let findings = report["findings"].as_array().unwrap();
    let count = |pred: &dyn Fn(&Value) -> bool| findings.iter().filter(|f| pred(f)).count() as u64;
    assert_eq!(parsed["suites"], report["checks"].as_array().unwrap().len() as u64);
    assert_eq!(parsed["tests"], findings.len() as u64);
    assert_eq!(parsed["failures"], count(&|f| f["status"] == "FAIL" && f["suppression"].is_null()));
    assert_eq!(parsed["errors"], count(&|f| f["status"] == "ERROR" && f["suppression"].is_null()));
    assert_eq!(parsed["skipped"], count(&|f| f["status"] == "NOT_APPLICABLE" || !f["suppression"].is_null()));
}

#[test]
fn markdown_lists_new_failures_first() {
    let r = render_all("markdown");
    let md = std::fs::read_to_string(r.dir.path("report.md")).unwrap();
    let new = md.find("### New failures (1)").expect("a new-failures section");
    let other = md.find("### Other failures").expect("then the other failures");
    assert!(new < other);
    assert!(md[new..other].contains("CT201") && md[new..other].contains("excluding-trail"));
    assert!(md.contains("<details><summary>Suppressed (1)</summary>"));
    assert!(md.contains("tracked in SEC-1 &lt;b&gt;&amp;&lt;/b&gt;"), "reasons are escaped");
}

#[test]
fn csv_has_one_row_per_finding() {
    let r = render_all("csv");
    let mut reader = csv::Reader::from_path(r.dir.path("report.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let report = read_json(&r.dir.path("report.json"));
    assert_eq!(rows.len(), report["findings"].as_array().unwrap().len());
    let suppressed = rows.iter().find(|r| &r[1] == "CT305" && &r[10] == "true").expect("a suppressed row");
    assert_eq!(&suppressed[12], "2999-01-01");
}

#[test]
fn ocsf_detection_findings_carry_the_required_attributes() {
    let r = render_all("ocsf");
    let ocsf = read_json(&r.dir.path("report.ocsf.json"));
    let findings = ocsf.as_array().unwrap();
    let report = read_json(&r.dir.path("report.json"));
    assert_eq!(findings.len(), report["findings"].as_array().unwrap().iter().filter(|f| f["status"] == "FAIL").count());
    for f in findings {
        for (key, kind) in [("activity_id", "n"), ("category_uid", "n"), ("class_uid", "n"), ("type_uid", "n"), ("severity_id", "n"), ("time", "n"), ("status_id", "n"), ("finding_info", "o"), ("metadata", "o"), ("cloud", "o"), ("resources", "a")] {
            let v = &f[key];
            assert!(match kind { "n" => v.is_u64() || v.is_i64(), "o" => v.is_object(), _ => v.is_array() }, "{key} missing or mistyped: {f}");
        }
        assert_eq!(f["class_uid"], 2004);
        assert_eq!(f["type_uid"], 200401);
        assert!((1..=5).contains(&f["severity_id"].as_u64().unwrap()));
        assert!(f["finding_info"]["uid"].is_string() && f["finding_info"]["title"].is_string());
        assert!(f["metadata"]["version"].is_string() && f["metadata"]["product"]["name"].is_string());
        assert_eq!(f["cloud"]["provider"], "AWS");
    }
    assert!(findings.iter().any(|f| f["status"] == "Suppressed"));
}

/// Escaping and injection guards on hostile strings, renderer by renderer, without AWS.
#[test]
fn hostile_strings_are_escaped_in_every_format() {
    use trailwarden::report::{RenderContext, Renderer, Report};
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/report-minimal.json")).unwrap();
    let mut report: Report = serde_json::from_str(&text).unwrap();
    for f in &mut report.findings {
        f.message = HOSTILE.to_string();
        f.resource = format!("arn:aws:s3:::{HOSTILE}");
    }
    let ctx = RenderContext::default();
    let md = String::from_utf8(trailwarden::report::markdown::Markdown.render(&report, &ctx).unwrap()).unwrap();
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"));
    for line in md.lines().filter(|l| l.starts_with("| ") && l.contains("HYPERLINK")) {
        assert_eq!(line.matches(" | ").count(), 5, "a hostile `|` must not add table columns: {line}");
    }
    let csv_text = String::from_utf8(trailwarden::report::csv::Csv.render(&report, &ctx).unwrap()).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for row in reader.records() {
        let row = row.unwrap();
        assert!(row[9].starts_with("'="), "formula injection guarded: {}", &row[9]);
    }
    let xml = String::from_utf8(trailwarden::report::junit::Junit.render(&report, &ctx).unwrap()).unwrap();
    assert!(!xml.contains("<script>") && xml.contains("&lt;script&gt;"));
    let sarif: Value = serde_json::from_slice(&trailwarden::report::sarif::Sarif.render(&report, &ctx).unwrap()).unwrap();
    assert!(sarif["runs"][0]["results"][0]["message"]["text"].as_str().unwrap().contains("<script>"), "JSON keeps text verbatim; consumers escape");
}
