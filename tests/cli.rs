//! The command line without AWS: bad input is one clear line and exit code 2, listing
//! commands work, and nothing is left behind on error.

mod common;

use common::{TempDir, stderr, stdout, trailwarden};

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = trailwarden(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: expected exit 2, stderr: {err}");
    assert!(err.contains(needle), "{args:?}: stderr should mention {needle:?}, got: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{args:?}: the error should be one line, got: {err}");
}

#[test]
fn explain_prints_the_check_and_rejects_unknown_codes() {
    let out = trailwarden(&["explain", "CT201"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for section in ["CT201 log-file-validation-disabled", "What it checks", "Why it matters", "Fix with the AWS CLI", "Fix with Terraform"] {
        assert!(text.contains(section), "explain CT201 lacks {section:?}:\n{text}");
    }
    assert_usage_error(&["explain", "CT999"], "unknown check code `CT999`");
}

#[test]
fn checks_lists_every_registered_check() {
    let out = trailwarden(&["checks", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    let registry: Vec<&str> = trailwarden::checks::REGISTRY.iter().map(|c| c.code).collect();
    assert_eq!(codes, registry);
    let md = stdout(&trailwarden(&["checks", "--format", "markdown"]));
    assert!(md.contains("| CT301 | log-bucket-publicly-accessible | critical |"), "{md}");
}

#[test]
fn iam_policy_is_valid_json_with_only_read_actions() {
    let out = trailwarden(&["iam-policy"]);
    assert_eq!(out.status.code(), Some(0));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions = policy["Statement"][0]["Action"].as_array().unwrap();
    assert!(actions.iter().any(|a| a == "cloudtrail:GetTrailStatus"));
    assert!(actions.iter().all(|a| { let v = a.as_str().unwrap().split(':').nth(1).unwrap(); v.starts_with("Get") || v.starts_with("List") || v.starts_with("Describe") }));
    assert_eq!(policy["Statement"][1]["Action"], "sts:AssumeRole");
}

#[test]
fn bad_scan_arguments_are_one_line_errors_with_exit_2() {
    assert_usage_error(&["scan", "--regions", "us-east-1,moon-base-1"], "`moon-base-1` is not an AWS region");
    assert_usage_error(&["scan", "--region", "us-esat-1"], "`us-esat-1` is not an AWS region");
    assert_usage_error(&["scan", "--select", "CT999"], "`CT999` matches no check code");
    assert_usage_error(&["scan", "--ignore", "XX1"], "`XX1` matches no check code");
    assert_usage_error(&["scan", "--fail-on", "severe"], "`severe` is not a severity");
    assert_usage_error(&["scan", "--accounts", "12345"], "`12345` is not an AWS account id");
    assert_usage_error(&["scan", "-o", "pdf=out.pdf"], "unknown format `pdf`");
    assert_usage_error(&["scan", "-o", "report.json"], "expected FORMAT=PATH");
    assert_usage_error(&["scan", "-o", "json=/nonexistent-dir/x/report.json"], "does not exist");
}

#[test]
fn corrupt_or_foreign_inventory_is_refused_and_no_report_is_written() {
    let dir = TempDir::new("corrupt-inventory");
    let report = dir.str("report.json");

    std::fs::write(dir.path("broken.json"), "{\"inventory_version\": 1, \"scan\": ").unwrap();
    let broken = dir.str("broken.json");
    assert_usage_error(&["scan", "--inventory", &broken, "-o", &format!("json={report}")], "line 1 column");

    std::fs::write(dir.path("future.json"), "{\"inventory_version\": 99}").unwrap();
    let future = dir.str("future.json");
    assert_usage_error(&["scan", "--inventory", &future, "-o", &format!("json={report}")], "inventory_version 99 is not supported");

    std::fs::write(dir.path("other.json"), "{\"findings\": []}").unwrap();
    let other = dir.str("other.json");
    assert_usage_error(&["scan", "--inventory", &other], "not a trailwarden inventory");

    assert_usage_error(&["scan", "--inventory", &dir.str("missing.json")], "cannot read");
    assert!(!dir.path("report.json").exists(), "no report may be written after a fatal error");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).filter(|n| n.to_string_lossy().contains("tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn published_json_schema_is_valid_and_printed() {
    let out = trailwarden(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(jsonschema::meta::is_valid(&schema));
    assert!(out.stdout == trailwarden::report::JSON_SCHEMA.as_bytes(), "`trailwarden schema` prints src/report/report.schema.json");
}

#[test]
fn readme_check_table_matches_the_catalog() {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let start = readme.find("<!-- checks-table:start -->\n").expect("README has the checks-table markers") + "<!-- checks-table:start -->\n".len();
    let end = readme.find("<!-- checks-table:end -->").unwrap();
    let table = stdout(&trailwarden(&["checks", "--format", "markdown"]));
    assert_eq!(&readme[start..end], table, "README's check table is stale: paste `trailwarden checks --format markdown` between the markers");
}
