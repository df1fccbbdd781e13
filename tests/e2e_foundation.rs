//! The foundation's user-visible behaviours, through the real binary: a closed stdout is a
//! quiet exit 0, assumed-role credentials are fetched again when they expire, version-1
//! inventories still load, and every ERROR finding names its cause by kind.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::{Emulator, Findings, TempDir, read_json, stderr};
use serde_json::Value;

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_else(|| panic!("seed output has no string at {path:?}"))
}

/// Run the binary with stdout connected to a pipe whose reading end is already closed, so
/// the first write fails with EPIPE (as in `trailwarden checks | head -1`).
fn run_into_closed_pipe(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("create a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_trailwarden"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run trailwarden")
}

#[test]
fn closed_stdout_is_a_quiet_exit_0() {
    for args in [&["checks"][..], &["checks", "--format", "json"][..], &["explain", "CT201"][..], &["schema"][..], &["iam-policy"][..]] {
        let out = run_into_closed_pipe(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: nothing on stderr, got: {}", stderr(&out));
    }
}

#[test]
fn closed_stdout_during_a_scan_summary_is_a_quiet_exit_with_the_scan_status() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("pipe-scan");
    let inventory = dir.str("inventory.json");
    let out = emulator.scan(&["--save-inventory", &inventory]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run_into_closed_pipe(&["scan", "--inventory", &inventory]);
    assert_eq!(out.status.code(), Some(0), "the reader went away: nothing more to say: {}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    // The streamed reports too (`-o json=-`, `-o html=-`: written while rendered).
    for format in ["json", "html"] {
        let target = format!("{format}=-");
        let out = run_into_closed_pipe(&["scan", "--inventory", &inventory, "-o", &target]);
        assert_eq!(out.status.code(), Some(0), "-o {target} into a closed pipe: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "-o {target}: nothing on stderr, got: {}", stderr(&out));
    }
}

/// GET /_trailwarden/requests from the launcher (`--count-requests`): counts per operation.
fn request_counts(url: &str) -> Value {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
    write!(stream, "GET /_trailwarden/requests HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).expect("an HTTP body");
    serde_json::from_str(body).expect("JSON counts")
}

#[test]
fn assumed_role_credentials_are_fetched_again_when_they_expire() {
    // The emulator hands out AssumeRole credentials that expire one second after they are
    // issued: a scanner that kept the first ones would read with expired credentials.
    let emulator = Emulator::start_with(&["--sts-expiration-seconds", "1", "--count-requests"]);
    let seed = emulator.seed("org");
    let member = s(&seed, &["accounts", "member-a", "id"]).to_string();
    let dir = TempDir::new("refresh");
    request_counts(&emulator.url); // reset what seeding counted
    let report_path = dir.str("report.json");
    let out = emulator.scan(&["--accounts", &member, "--select", "CT1,CT2", "-o", &format!("json={report_path}")]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let counts = request_counts(&emulator.url);
    let assumed = counts["sts:AssumeRole"].as_u64().unwrap_or(0);
    assert!(assumed >= 2, "credentials expiring within the SDK's refresh buffer are fetched again (AssumeRole calls: {assumed}; counts: {counts})");
    let report = read_json(&dir.path("report.json"));
    let account = &report["scan"]["accounts"][0];
    assert_eq!(account["status"], "scanned", "{account}");
    let errors: Vec<_> = Findings::of(&report).0.into_iter().filter(|f| f["status"] == "ERROR").collect();
    assert!(errors.is_empty(), "nothing was read with expired credentials: {errors:#?}");
}

#[test]
fn an_organization_scan_assumes_each_member_role_exactly_once() {
    // Credentials valid for the whole scan: one AssumeRole enters each member and serves every
    // client built for it (the SDK's identity cache asked again for about one session in five
    // when the first credentials could be handed out only once).
    let emulator = Emulator::start_with(&["--count-requests"]);
    emulator.seed("org");
    let dir = TempDir::new("assume-once");
    request_counts(&emulator.url);
    let report_path = dir.str("report.json");
    let out = emulator.scan(&["--org", "-o", &format!("json={report_path}")]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let counts = request_counts(&emulator.url);
    let report = read_json(&dir.path("report.json"));
    let caller = report["scan"]["caller"]["account_id"].as_str().unwrap().to_string();
    let members = report["scan"]["accounts"].as_array().unwrap().iter().filter(|a| a["id"] != caller.as_str()).count();
    assert!(members >= 3, "the org scenario has members: {}", report["scan"]["accounts"]);
    assert_eq!(counts["sts:AssumeRole"].as_u64(), Some(members as u64), "one AssumeRole per member (counts: {counts})");
}

/// A version-2 inventory written as version 1 did: reasons as plain strings, no notes.
fn as_version_1(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("unavailable", Value::Object(reason)) => {
                        out.insert(k.clone(), reason["message"].clone());
                    }
                    ("notes", _) => {}
                    ("inventory_version", _) => {
                        out.insert(k.clone(), Value::from(1));
                    }
                    _ => {
                        out.insert(k.clone(), as_version_1(v));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(as_version_1).collect()),
        other => other.clone(),
    }
}

fn ids_and_statuses(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        report["findings"].as_array().unwrap().iter().map(|f| (f["id"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string())).collect();
    v.sort();
    v
}

#[test]
fn version_1_inventories_load_and_error_findings_name_their_cause() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("v1-inventory");
    let inventory = dir.str("v2.json");
    let live_path = dir.str("live.json");
    let out = emulator.scan(&["--org", "--save-inventory", &inventory, "-o", &format!("json={live_path}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let live = read_json(&dir.path("live.json"));
    let saved = read_json(&dir.path("v2.json"));
    assert_eq!(saved["inventory_version"], 2);

    // Causes by kind: the account whose role cannot be assumed.
    let norole = s(&seed, &["accounts", "member-norole", "id"]);
    let f = Findings::of(&live);
    let ct101 = f.get("CT101", norole);
    assert_eq!(ct101["status"], "ERROR");
    assert_eq!(ct101["cause"]["kind"], "access_denied", "{ct101}");
    assert_eq!(ct101["cause"]["action"], "sts:AssumeRole", "{ct101}");
    let message = ct101["message"].as_str().unwrap();
    assert!(message.contains("AccessDenied") && message.len() < 400 && !message.contains("ErrorMetadata"), "one readable line, not the SDK's error dump: {message}");
    let errors: Vec<_> = f.0.iter().filter(|x| x["status"] == "ERROR").collect();
    assert!(!errors.is_empty());
    for e in &errors {
        assert!(e["cause"]["kind"].is_string() && e["cause"]["message"].is_string(), "every ERROR names its cause: {e}");
    }
    for ok in f.0.iter().filter(|x| x["status"] != "ERROR") {
        assert!(ok["cause"].is_null(), "only ERROR findings carry a cause: {ok}");
    }

    // The same evidence written as version 1 evaluates to the same findings.
    std::fs::write(dir.path("v1.json"), serde_json::to_vec_pretty(&as_version_1(&saved)).unwrap()).unwrap();
    drop(emulator);
    let offline_path = dir.str("offline.json");
    let out = common::trailwarden(&["scan", "--inventory", &dir.str("v1.json"), "-o", &format!("json={offline_path}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let offline = read_json(&dir.path("offline.json"));
    assert_eq!(ids_and_statuses(&live), ids_and_statuses(&offline));
    let ct101 = Findings::of(&offline).get("CT101", norole).clone();
    assert_eq!(ct101["cause"]["kind"], "access_denied", "a version-1 reason's kind is inferred from its text: {ct101}");
}

#[test]
fn a_bucket_owned_outside_the_scan_is_an_error_of_that_kind() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("outside-kind");
    let path = dir.str("report.json");
    let out = emulator.scan(&["--select", "CT3", "-o", &format!("json={path}")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = read_json(&dir.path("report.json"));
    let bucket = format!("arn:aws:s3:::{}", s(&seed, &["trails", "org-trail", "bucket"]));
    let finding = Findings::of(&report).get("CT304", &bucket).clone();
    assert_eq!(finding["cause"]["kind"], "owner_outside_scan", "{finding}");
}
