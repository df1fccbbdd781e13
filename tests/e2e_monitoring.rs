//! CIS monitoring (CT501–CT517) end to end: the real binary against the emulator, seeded with
//! the `cis-monitoring` scenario (one account, a multi-region trail sending to a log group,
//! the 15 CIS v6.0 metric filters, an alarm on each, one topic with one confirmed e-mail
//! subscriber), then faulted through the AWS APIs by `tests/harness/change.py`.

mod common;

use common::{Emulator, Findings, TempDir, read_json, stderr, stdout, trailwarden};
use serde_json::Value;

const ACCOUNT: &str = "123456789012";
const CLASSES: [&str; 15] = ["CT501", "CT502", "CT503", "CT504", "CT505", "CT506", "CT507", "CT508", "CT509", "CT510", "CT511", "CT512", "CT513", "CT514", "CT515"];

fn scan(emulator: &Emulator, dir: &TempDir, name: &str, extra: &[&str]) -> Findings {
    let path = dir.str(&format!("{name}.json"));
    let output = format!("json={path}");
    let mut args = vec!["--select", "CT5", "-o", &output];
    args.extend_from_slice(extra);
    let out = emulator.scan(&args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {}", stderr(&out));
    Findings::of(&read_json(&dir.path(&format!("{name}.json"))))
}

/// The first object in `value` that has `key`.
fn find_key<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) if map.contains_key(key) => Some(value),
        Value::Object(map) => map.values().find_map(|v| find_key(v, key)),
        Value::Array(items) => items.iter().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

fn finding<'a>(f: &'a Findings, code: &str) -> &'a Value {
    f.get(code, ACCOUNT)
}

/// FAIL, naming the broken link in the message and the evidence.
fn assert_broken(f: &Findings, code: &str, link: &str, words: &str) {
    let x = finding(f, code);
    assert_eq!(x["status"], "FAIL", "{code}: {x:#}");
    assert_eq!(x["evidence"]["furthest_link"], link, "{code}: {x:#}");
    assert!(x["message"].as_str().unwrap().contains(words), "{code}: message should say {words:?}: {}", x["message"]);
}

#[test]
fn the_cis_patterns_with_an_alarm_and_a_confirmed_subscriber_pass() {
    let emulator = Emulator::start();
    let seed = emulator.seed("cis-monitoring");
    let dir = TempDir::new("cis-pass");
    let f = scan(&emulator, &dir, "pass", &[]);
    for code in CLASSES {
        let x = finding(&f, code);
        assert_eq!(x["status"], "PASS", "{code}: {x:#}");
        assert_eq!(x["evidence"]["furthest_link"], "complete");
    }
    let log_group = seed["monitoring_chains"]["cis"]["log_group_arn"].as_str().unwrap();
    assert_eq!(f.status("CT516", log_group), "PASS");
    assert_eq!(finding(&f, "CT517")["status"], "NOT_APPLICABLE", "no allowed_regions configured");

    // The same CIS patterns written differently still catch every sample.
    emulator.change("rewrite-filters");
    let f = scan(&emulator, &dir, "rewritten", &[]);
    for code in ["CT502", "CT507", "CT508"] {
        assert_eq!(finding(&f, code)["status"], "PASS", "{code} rewritten: {:#}", finding(&f, code));
    }
}

#[test]
fn each_broken_link_of_the_chain_is_named() {
    let emulator = Emulator::start();
    emulator.seed("cis-monitoring");
    let dir = TempDir::new("cis-links");
    for change in ["break-iam-filter", "alarm-without-action", "alarm-in-other-region", "alarm-in-other-namespace"] {
        emulator.change(change);
    }
    let f = scan(&emulator, &dir, "broken", &[]);
    assert_broken(&f, "CT504", "metric_filter", "no metric filter");
    let filters = &finding(&f, "CT504")["evidence"]["chains"][0]["metric_filters"];
    let iam = filters.as_array().unwrap().iter().find(|x| x["name"] == "cis-iam-policy-changes").unwrap();
    assert_eq!(iam["missed_samples"], serde_json::json!(["DeleteGroupPolicy"]), "the evidence names the missed event: {iam:#}");
    assert_broken(&f, "CT503", "alarm_action", "SNS");
    assert_broken(&f, "CT505", "alarm", "no CloudWatch alarm");
    assert_broken(&f, "CT506", "alarm", "no CloudWatch alarm");
    for code in ["CT501", "CT502", "CT507", "CT515"] {
        assert_eq!(finding(&f, code)["status"], "PASS", "{code} is untouched");
    }
}

#[test]
fn a_trail_that_does_not_record_everything_starts_no_chain() {
    let emulator = Emulator::start();
    emulator.seed("cis-monitoring");
    let dir = TempDir::new("cis-trail");
    for (name, change, undo) in [
        ("stopped", "stop-trail", "start-trail"),
        ("single-region", "single-region-trail", "multi-region-trail"),
        ("write-only", "write-only-trail", ""),
        ("data-only", "data-only-trail", ""),
    ] {
        emulator.change(change);
        let f = scan(&emulator, &dir, name, &[]);
        for code in CLASSES {
            assert_broken(&f, code, "trail", "no multi-region, logging trail");
        }
        if !undo.is_empty() {
            emulator.change(undo);
        }
    }
}

#[test]
fn only_a_confirmed_subscriber_of_an_existing_topic_counts() {
    let emulator = Emulator::start();
    emulator.seed("cis-monitoring");
    let dir = TempDir::new("cis-subscriber");
    emulator.change("pending-subscriber");
    let f = scan(&emulator, &dir, "pending", &[]);
    for code in CLASSES {
        assert_broken(&f, code, "subscriber", "confirmed subscription");
    }
    let topic = find_key(&finding(&f, "CT503")["evidence"], "pending_subscriptions").expect("the evidence shows the topic examined").clone();
    assert_eq!((topic["exists"].as_bool(), topic["pending_subscriptions"].as_u64()), (Some(true), Some(1)), "{topic:#}");

    emulator.change("delete-topic");
    let f = scan(&emulator, &dir, "deleted", &[]);
    for code in CLASSES {
        assert_broken(&f, code, "subscriber", "exists");
    }
}

#[test]
fn activity_outside_the_allowed_regions_needs_its_own_filter() {
    let emulator = Emulator::start();
    emulator.seed("cis-monitoring");
    let dir = TempDir::new("cis-regions");
    let f = scan(&emulator, &dir, "regions", &["--allowed-regions", "us-east-1,eu-west-1"]);
    assert_broken(&f, "CT517", "metric_filter", "no metric filter");
    assert_eq!(finding(&f, "CT517")["evidence"]["allowed_regions"], serde_json::json!(["eu-west-1", "us-east-1"]));
}

#[test]
fn explain_filter_shows_what_a_pattern_catches_and_misses() {
    let out = trailwarden(&["explain-filter", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }", "--class", "CT505"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("CT505  does not catch") && text.contains("misses: ") && text.contains("DeleteTrail"), "{text}");
    let cis = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";
    let text = stdout(&trailwarden(&["explain-filter", cis, "--class", "ct505"]));
    assert!(text.contains("CT505  CATCHES"), "{text}");

    let out = trailwarden(&["explain-filter", "{ $.eventName = }"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("column") && err.trim().lines().count() == 1, "one line naming the column: {err}");
    let out = trailwarden(&["explain-filter", "{ $.a = 1 }", "--class", "CT999"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn the_html_framework_view_agrees_with_the_json_counts_per_cis_control() {
    let emulator = Emulator::start();
    emulator.seed("cis-monitoring");
    emulator.change("break-iam-filter");
    emulator.change("alarm-in-other-region");
    let dir = TempDir::new("cis-html");
    let (json_path, html_path) = (dir.str("r.json"), dir.str("r.html"));
    let out = emulator.scan(&["-o", &format!("json={json_path}"), "-o", &format!("html={html_path}"), "--framework", "cis-6.0"]);
    assert!(matches!(out.status.code(), Some(1 | 3)), "{}", stderr(&out));
    let report = read_json(&dir.path("r.json"));
    let html = std::fs::read_to_string(dir.path("r.html")).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let mut compared = 0;
    for control in (1..=15).map(|n| format!("5.{n}")) {
        let codes: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["frameworks"]["cis-6.0"].as_array().is_some_and(|ids| ids.iter().any(|id| id == control.as_str())))
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        let statuses: Vec<&str> = findings.iter().filter(|f| codes.contains(&f["check"].as_str().unwrap())).map(|f| f["status"].as_str().unwrap()).collect();
        let expected = if statuses.contains(&"FAIL") { "FAIL" } else if statuses.contains(&"ERROR") { "ERROR" } else { "PASS" };
        let row = format!("<th scope=\"row\" class=\"ctl\">{control}</th><td class=\"ctl-v\">");
        let at = html.find(&row).unwrap_or_else(|| panic!("the framework view has no row for CIS 6.0 {control}"));
        let cell = &html[at + row.len()..at + row.len() + 80];
        assert!(cell.contains(&format!(">{expected}<")), "CIS {control}: JSON says {expected} ({statuses:?}), HTML shows {cell}");
        compared += 1;
    }
    assert_eq!(compared, 15);
    assert!(html.contains("<th scope=\"row\" class=\"ctl\">5.4</th><td class=\"ctl-v\"><span class=\"st"), "the broken IAM filter's control is listed");
}
