//! CI gates end to end: config file, suppressions (with and without expiry), baseline
//! comparison across two scans with a change in between, and their exit codes and errors.

mod common;

use common::{Emulator, Findings, TempDir, read_json, stderr, trailwarden_in};

const BAD_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/bad-trail";
const EXCLUDING_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/excluding-trail";
const FAILING_BUCKET: &str = "arn:aws:s3:::failing-trail-logs-123456789012";

#[test]
fn baseline_classifies_new_fixed_unchanged_and_gates_on_new_failures() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("baseline");
    let before = dir.str("before.json");
    let out = emulator.scan(&["-o", &format!("json={before}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // Same state again: nothing is new, so --fail-on-new passes while plain gating fails.
    let again = dir.str("again.json");
    let out = emulator.scan(&["--baseline", &before, "--fail-on-new", "-o", &format!("json={again}")]);
    assert_eq!(out.status.code(), Some(0), "no new failures: {}", stderr(&out));
    let report = read_json(&dir.path("again.json"));
    assert_eq!(report["baseline"]["counts"]["new"], 0);
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["baseline"] == "unchanged"));

    // An operator fixes bad-trail and breaks excluding-trail's validation.
    emulator.change("fix-bad-trail");
    emulator.change("break-excluding-trail");
    let after = dir.str("after.json");
    let out = emulator.scan(&["--baseline", &before, "--fail-on-new", "-o", &format!("json={after}")]);
    assert_eq!(out.status.code(), Some(1), "a new failure fails the gate: {}", stderr(&out));
    let report = read_json(&dir.path("after.json"));
    let f = Findings::of(&report);
    let class = |check: &str, resource: &str| f.get(check, resource)["baseline"].as_str().unwrap().to_string();
    assert_eq!(class("CT201", EXCLUDING_TRAIL), "new");
    assert_eq!(class("CT201", BAD_TRAIL), "fixed");
    assert_eq!(class("CT108", BAD_TRAIL), "fixed");
    assert_eq!(class("CT202", BAD_TRAIL), "unchanged");
    assert_eq!(class("CT304", FAILING_BUCKET), "unchanged");
    assert_eq!(report["baseline"]["counts"]["new"], 1);
    assert!(report["baseline"]["counts"]["fixed"].as_u64().unwrap() >= 2);

    // Gating only on new failures above the bar: CT201 is medium.
    let out = emulator.scan(&["--baseline", &before, "--fail-on-new", "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn corrupt_or_foreign_baseline_is_an_error_not_a_pass() {
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let dir = TempDir::new("bad-baseline");
    std::fs::write(dir.path("corrupt.json"), "{\"schema_version\": \"1.0\", \"findings\": [").unwrap();
    std::fs::write(dir.path("v2.json"), "{\"schema_version\": \"2.0\", \"findings\": []}").unwrap();
    std::fs::write(dir.path("other.json"), "[1, 2, 3]").unwrap();
    for (file, needle) in [("corrupt.json", "line 1 column"), ("v2.json", "schema_version 2.0 cannot be compared"), ("other.json", "not a trailwarden JSON report"), ("missing.json", "cannot read")] {
        let out = emulator.scan(&["--baseline", &dir.str(file), "--fail-on-new", "-o", &format!("json={}", dir.str("report.json"))]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(needle) && err.contains(file), "{file}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!dir.path("report.json").exists(), "no report after a fatal error");
    }
}

#[test]
fn suppressions_keep_findings_with_their_reason_and_expire() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("suppress");
    std::fs::write(
        dir.path("trailwarden.toml"),
        format!(
            r#"select = ["CT305", "CT304", "CT201"]
[severity]
CT201 = "high"

[[suppress]]
check = "CT305"
resource = "arn:aws:s3:::failing-trail-*"
reason = "Object Lock cannot be enabled on this bucket; replacement tracked in SEC-1"
expires = "2999-12-31"

[[suppress]]
check = "CT304"
resource = "{FAILING_BUCKET}"
reason = "was accepted last year"
expires = "2001-01-01"

[[suppress]]
check = "CT2"
account = "999999999999"
reason = "an account that is not scanned"
"#
        ),
    )
    .unwrap();
    let out = emulator.scan_in(&dir.0, &["-o", "json=report.json", "--fail-on", "high"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "CT201 raised to high still fails: {err}");
    assert!(err.contains("trailwarden.toml:11:1: suppression expired on 2001-01-01"), "{err}");
    assert!(err.contains("matched no failing finding"), "{err}");
    let report = read_json(&dir.path("report.json"));
    let f = Findings::of(&report);
    let lock = f.get("CT305", FAILING_BUCKET);
    assert_eq!(lock["status"], "FAIL", "a suppressed finding keeps its verdict");
    assert_eq!(lock["suppression"]["reason"], "Object Lock cannot be enabled on this bucket; replacement tracked in SEC-1");
    assert_eq!(lock["suppression"]["expires"], "2999-12-31");
    let versioning = f.get("CT304", FAILING_BUCKET);
    assert!(versioning["suppression"].is_null(), "an expired suppression no longer applies");
    assert_eq!(versioning["expired_suppression"]["expires"], "2001-01-01");
    assert_eq!(f.get("CT201", BAD_TRAIL)["severity"], "high", "severity override from the config");
    assert_eq!(report["summary"]["suppressed"], 1);

    // When every failure is suppressed the gate passes; without the suppression it fails.
    std::fs::write(dir.path("all-locks.toml"), "[[suppress]]\ncheck = \"CT305\"\nresource = \"arn:aws:s3:::*\"\nreason = \"Object Lock rollout planned\"\n").unwrap();
    let out = emulator.scan_in(&dir.0, &["--config", "all-locks.toml", "--select", "CT305"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(common::stdout(&out).contains("(suppressed)"), "the summary still shows suppressed failures");
    std::fs::write(dir.path("empty.toml"), "").unwrap();
    let out = emulator.scan_in(&dir.0, &["--config", "empty.toml", "--select", "CT305"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn config_file_errors_name_file_line_and_column() {
    let dir = TempDir::new("config-errors");
    let cases = [
        ("select = [\"CT2\"]\nfail_onn = \"high\"\n", "trailwarden.toml:2:1:"),
        ("fail_on = \"severe\"\n", "trailwarden.toml:1:11:"),
        ("regions = [\"us-east-1\", \"atlantis-1\"]\n", "`atlantis-1` is not an AWS region"),
        ("[[suppress]]\ncheck = \"CT305\"\n", "reason"),
        ("select = [\"CT2\"\n", "trailwarden.toml:"),
    ];
    for (text, needle) in cases {
        std::fs::write(dir.path("trailwarden.toml"), text).unwrap();
        let out = trailwarden_in(&dir.0, &["scan", "--endpoint-url", "http://127.0.0.1:9", "-o", "json=report.json"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(needle), "{text}: expected {needle:?} in {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!dir.path("report.json").exists());
    }
    let out = trailwarden_in(&dir.0, &["scan", "--config", "nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml: cannot read the config file"));
}

#[test]
fn init_writes_a_template_that_parses_and_refuses_to_overwrite() {
    let dir = TempDir::new("init");
    let out = trailwarden_in(&dir.0, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path("trailwarden.toml")).unwrap();
    for option in ["select", "ignore", "fail_on", "min_retention_days", "central_bucket", "role_name", "regions", "[severity]", "[[suppress]]"] {
        assert!(text.contains(option), "template lacks {option}");
    }
    trailwarden::config::parse("trailwarden.toml", &text).unwrap();
    let out = trailwarden_in(&dir.0, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists; pass --force"));
    assert_eq!(trailwarden_in(&dir.0, &["init", "--force"]).status.code(), Some(0));
}
