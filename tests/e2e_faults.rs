//! Scans through the fault proxy (`tests/harness/fault_proxy.py`, see the "fault proxy"
//! section of tests/harness/README.md): the real binary, the emulator behind the proxy,
//! throttling, hangs, 500s, resets and AccessDenied injected per operation and account.
//!
//! What is held: a fault the retries absorb changes no verdict and costs little time; a fault
//! they cannot absorb turns exactly the outcomes that depended on the failed call into ERROR,
//! naming the IAM action, and nothing else; a scan ends within a bounded time whatever the
//! faults. Timings are asserted only against generous bounds (the machine is shared); the
//! measured figures are printed (`cargo nextest run --test e2e_faults --no-capture`).

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Emulator, FaultProxy, TempDir, read_json, stderr};
use serde_json::{Value, json};

/// One scan through the proxy: exit code, report, wall time.
struct Run {
    code: i32,
    report: Value,
    elapsed: Duration,
    stderr: String,
}

fn scan(proxy: &FaultProxy, dir: &TempDir, name: &str, args: &[&str]) -> Run {
    let path = dir.str(&format!("{name}.json"));
    let output = format!("json={path}");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", &output]);
    let started = Instant::now();
    let out = proxy.scan_in(&dir.0, &all);
    let elapsed = started.elapsed();
    let code = out.status.code().unwrap_or(-1);
    assert!(code != 2, "scan {name} failed (exit 2): {}", stderr(&out));
    Run { code, report: read_json(&dir.path(&format!("{name}.json"))), elapsed, stderr: stderr(&out) }
}

/// Every finding by its fingerprint (check + account + region + resource).
fn outcomes(report: &Value) -> BTreeMap<String, Value> {
    report["findings"].as_array().expect("findings").iter().map(|f| (f["id"].as_str().unwrap().to_string(), f.clone())).collect()
}

fn label(f: &Value) -> String {
    format!("{} {} {} {}", f["check"].as_str().unwrap_or("?"), f["account"].as_str().unwrap_or("?"), f["region"].as_str().unwrap_or("-"), f["resource"].as_str().unwrap_or("?"))
}

/// The same findings with the same statuses.
fn assert_same_verdicts(expected: &Value, got: &Value, what: &str) {
    let (expected, got) = (outcomes(expected), outcomes(got));
    let mut wrong = Vec::new();
    for (id, f) in &expected {
        match got.get(id) {
            None => wrong.push(format!("missing: {}", label(f))),
            Some(g) if g["status"] != f["status"] => wrong.push(format!("{}: {} without faults, {} with ({})", label(f), f["status"], g["status"], g["message"])),
            Some(_) => {}
        }
    }
    for (id, g) in &got {
        if !expected.contains_key(id) {
            wrong.push(format!("new: {} {}", label(g), g["status"]));
        }
    }
    assert!(wrong.is_empty(), "{what}: verdicts differ from the fault-free scan:\n{}", wrong.join("\n"));
}

fn fault_count(stats: &Value, kind: &str) -> u64 {
    stats["faults"][kind].as_u64().unwrap_or(0)
}

fn no_faults() -> Value {
    json!({"faults": []})
}

// =======================================================================================
// (a) 20 % throttling: same verdicts, not much slower.

#[test]
fn throttling_at_20_percent_changes_no_verdict_and_costs_little_time() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let proxy = FaultProxy::start(&emulator, &no_faults());
    let dir = TempDir::new("faults-throttle");

    scan(&proxy, &dir, "warm-up", &[]);
    let clean = scan(&proxy, &dir, "clean", &[]);
    let requests = proxy.stats(true)["requests"].as_u64().unwrap() / 2;

    proxy.set_config(&json!({"seed": 7, "faults": [{"kind": "throttle", "rate": 0.2}]}));
    let throttled = scan(&proxy, &dir, "throttled", &[]);
    let stats = proxy.stats(true);
    println!(
        "throttling 20 %: fault-free {:.2} s ({requests} requests), throttled {:.2} s ({} requests, {} throttled)",
        clean.elapsed.as_secs_f64(),
        throttled.elapsed.as_secs_f64(),
        stats["requests"],
        fault_count(&stats, "throttle")
    );
    assert!(fault_count(&stats, "throttle") >= 5, "the proxy throttled too little to prove anything: {stats}");
    assert_eq!(throttled.code, clean.code, "exit code changed under throttling");
    assert_same_verdicts(&clean.report, &throttled.report, "20 % throttling");
    // At most 3× the fault-free time, plus a constant for a shared machine: proves the
    // 17–134 s of adaptive mode are gone without asserting tight timings.
    let bound = clean.elapsed * 3 + Duration::from_secs(10);
    assert!(throttled.elapsed <= bound, "throttled scan took {:?}, fault-free {:?} (bound {bound:?})", throttled.elapsed, clean.elapsed);

    // `-v` shows each retry the SDK makes, with what it retried on, and no progress bar.
    let logged = scan(&proxy, &dir, "throttled-verbose", &["-v"]);
    assert_same_verdicts(&clean.report, &logged.report, "20 % throttling with -v");
    let retries: Vec<&str> = logged.stderr.lines().filter(|l| l.contains("aws_smithy_runtime::client::retries") && l.contains("ThrottlingError")).collect();
    assert!(!retries.is_empty(), "-v logs no throttling retry: {}", &logged.stderr[..logged.stderr.len().min(3000)]);
    assert!(
        logged.stderr.lines().all(|l| !l.contains("NoActionIndicated, not retrying") && !l.contains("no client rate limiter configured")),
        "-v leaves out the two routine lines of every attempt that needs no retry"
    );
    assert!(throttled.stderr.lines().all(|l| !l.contains("aws_smithy_runtime")), "without -v the SDK logs nothing");
}

// =======================================================================================
// (b) 3 % of requests hang 30 s: each is cut by the attempt timeout and retried.

#[test]
fn hung_requests_are_cut_and_retried() {
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let proxy = FaultProxy::start(&emulator, &no_faults());
    let dir = TempDir::new("faults-hang");

    scan(&proxy, &dir, "warm-up", &[]);
    let clean = scan(&proxy, &dir, "clean", &[]);
    proxy.stats(true);

    // Seed 2 is a harsh draw: 4 of the scan's ~42 requests hang (ListTrails, GetTrailStatus,
    // GetBucketPolicyStatus and a DescribeAlarmsForMetric whose retry hangs too), several of
    // them on one chain of dependent reads.
    proxy.set_config(&json!({"seed": 2, "faults": [{"kind": "hang", "rate": 0.03, "seconds": 30}]}));
    let hung = scan(&proxy, &dir, "hung", &[]);
    let stats = proxy.stats(true);
    println!("hangs 3 % × 30 s: fault-free {:.2} s, with hangs {:.2} s ({} requests, {} hung)", clean.elapsed.as_secs_f64(), hung.elapsed.as_secs_f64(), stats["requests"], fault_count(&stats, "hang"));
    assert!(fault_count(&stats, "hang") >= 1, "no request hung, the test proves nothing: {stats}");
    assert!(hung.elapsed < Duration::from_secs(20), "a one-account scan with 3 % hangs took {:?}", hung.elapsed);
    assert_eq!(hung.code, clean.code);
    assert_same_verdicts(&clean.report, &hung.report, "3 % hangs");
}

// =======================================================================================
// (c) Faults past the retries: ERROR naming the action, nothing else changes, bounded time.

/// (proxy operation glob, fault, the IAM action the scanner names for it).
const PERSISTENT_FAULTS: &[(&str, &str, &str)] = &[
    ("cloudtrail:GetInsightSelectors", "error500", "cloudtrail:GetInsightSelectors"),
    ("kms:GetKeyRotationStatus", "reset", "kms:GetKeyRotationStatus"),
    ("s3:GET bucket?versioning", "deny", "s3:GetBucketVersioning"),
    ("sns:GetTopicAttributes", "deny", "sns:GetTopicAttributes"),
    ("logs:DescribeMetricFilters", "hang", "logs:DescribeMetricFilters"),
];

#[test]
fn persistent_faults_turn_exactly_the_dependent_outcomes_into_errors() {
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let proxy = FaultProxy::start(&emulator, &no_faults());
    let dir = TempDir::new("faults-persistent");
    // `--fail-on critical`: a FAIL of the scenario must not hide exit 3 behind exit 1.
    let args = ["--fail-on", "critical"];

    let clean = scan(&proxy, &dir, "clean", &args);
    let baseline_ops = proxy.stats(true)["operations"].clone();
    for (op, _, _) in PERSISTENT_FAULTS {
        assert!(baseline_ops.get(*op).is_some(), "the fault-free scan never calls {op}, so faulting it proves nothing: {baseline_ops}");
    }
    assert_eq!(clean.code, 0, "fault-free scan: {:?}", clean.report["summary"]);

    let faults: Vec<Value> = PERSISTENT_FAULTS
        .iter()
        .map(|(op, kind, _)| if *kind == "hang" { json!({"kind": kind, "operations": [op], "seconds": 60}) } else { json!({"kind": kind, "operations": [op]}) })
        .collect();
    proxy.set_config(&json!({"seed": 1, "faults": faults}));
    let faulted = scan(&proxy, &dir, "faulted", &args);
    let stats = proxy.stats(true);
    println!("persistent 500s/resets/AccessDenied/hangs: fault-free {:.2} s, faulted {:.2} s; faults {}", clean.elapsed.as_secs_f64(), faulted.elapsed.as_secs_f64(), stats["faults"]);
    assert_eq!(faulted.code, 3, "evidence was lost: exit 3");
    // The bound: each call ends within the 30 s operation timeout (a hang is cut at 3 s per
    // attempt, retried until then); the hung reads here run side by side.
    assert!(faulted.elapsed < Duration::from_secs(90), "the faulted scan took {:?}", faulted.elapsed);

    let (before, after) = (outcomes(&clean.report), outcomes(&faulted.report));
    let mut wrong = Vec::new();
    let mut errors_by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, a) in &after {
        if !before.contains_key(id) {
            wrong.push(format!("new: {} {} ({})", label(a), a["status"], a["message"]));
        }
    }
    for (id, b) in &before {
        let Some(a) = after.get(id) else {
            wrong.push(format!("missing: {} {} ({})", label(b), b["status"], b["message"]));
            continue;
        };
        if a["status"] == b["status"] {
            continue;
        }
        if a["status"] != "ERROR" {
            wrong.push(format!("{}: {} without faults, {} with faults ({})", label(b), b["status"], a["status"], a["message"]));
            continue;
        }
        let action = a["cause"]["action"].as_str().unwrap_or("");
        match PERSISTENT_FAULTS.iter().find(|(_, _, iam)| *iam == action) {
            Some((_, _, iam)) => {
                *errors_by_action.entry(iam).or_default() += 1;
                if !a["message"].as_str().unwrap_or("").contains(iam) {
                    wrong.push(format!("{}: ERROR whose message does not name {iam}: {}", label(a), a["message"]));
                }
            }
            None => wrong.push(format!("{}: ERROR caused by {:?}, not one of the faulted calls: {}", label(a), a["cause"], a["message"])),
        }
    }
    assert!(wrong.is_empty(), "outcomes that are neither unchanged nor an ERROR of a faulted call:\n{}", wrong.join("\n"));
    println!("ERRORs per faulted action: {errors_by_action:?}");
    for (_, _, iam) in PERSISTENT_FAULTS {
        assert!(errors_by_action.contains_key(iam), "no outcome became an ERROR for {iam}: {errors_by_action:?}");
    }
    // The cause says what happened, per fault.
    let cause_of = |iam: &str| after.values().find(|f| f["cause"]["action"] == iam).map(|f| f["cause"].clone()).unwrap();
    assert_eq!(cause_of("s3:GetBucketVersioning")["kind"], "access_denied");
    assert_eq!(cause_of("sns:GetTopicAttributes")["kind"], "access_denied");
    assert_eq!(cause_of("logs:DescribeMetricFilters")["kind"], "timed_out");
    assert!(cause_of("cloudtrail:GetInsightSelectors")["message"].as_str().unwrap().contains("500"), "{}", cause_of("cloudtrail:GetInsightSelectors"));
}

// =======================================================================================
// (d) One member account denied everything: every other account's outcomes unchanged.

#[test]
fn access_denied_in_one_account_leaves_the_others_unchanged() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let member_a = seed["accounts"]["member-a"]["id"].as_str().unwrap().to_string();
    let proxy = FaultProxy::start(&emulator, &no_faults());
    let dir = TempDir::new("faults-org");

    let clean = scan(&proxy, &dir, "clean", &["--org"]);
    proxy.stats(true);
    proxy.set_config(&json!({"seed": 1, "faults": [{"kind": "deny", "accounts": [member_a]}]}));
    let denied = scan(&proxy, &dir, "denied", &["--org"]);
    let stats = proxy.stats(true);
    println!("org, every call of {member_a} denied: fault-free {:.2} s, denied {:.2} s ({} denied)", clean.elapsed.as_secs_f64(), denied.elapsed.as_secs_f64(), fault_count(&stats, "deny"));
    assert!(fault_count(&stats, "deny") >= 1, "{stats}");

    let (before, after) = (outcomes(&clean.report), outcomes(&denied.report));
    let mut wrong = Vec::new();
    let mut member_errors = 0;
    for (id, b) in &before {
        let Some(a) = after.get(id) else {
            if b["account"] != member_a.as_str() {
                wrong.push(format!("missing: {}", label(b)));
            }
            continue;
        };
        if b["account"] == member_a.as_str() {
            if a["status"] == "ERROR" {
                member_errors += 1;
                let text = format!("{} {}", a["message"], a["cause"]);
                if !text.contains("AccessDenied") {
                    wrong.push(format!("{}: ERROR without AccessDenied: {text}", label(a)));
                }
            } else if a["status"] != b["status"] {
                wrong.push(format!("{}: {} → {} in the denied account", label(b), b["status"], a["status"]));
            }
        } else if a["status"] != b["status"] {
            wrong.push(format!("{}: {} → {} ({}), in an account nothing was denied to", label(b), b["status"], a["status"], a["message"]));
        }
    }
    for (id, a) in &after {
        if !before.contains_key(id) && (a["account"] != member_a.as_str() || a["status"] != "ERROR") {
            wrong.push(format!("new: {} {}", label(a), a["status"]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(member_errors >= 1, "the denied account has no ERROR");
    // Exit 1 (a FAIL) wins over 3 (lost evidence); without a FAIL, lost evidence is 3.
    let expected = if clean.code == 1 { 1 } else { 3 };
    assert_eq!(denied.code, expected, "exit code with one account denied");
}

// =======================================================================================
// (e) The role of one member cannot be assumed (AccessDenied on sts:AssumeRole into it):
// that account is not scanned, stays in the report, and no other account's outcome changes.

#[test]
fn a_member_whose_role_cannot_be_assumed_leaves_the_others_unchanged() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let member_a = seed["accounts"]["member-a"]["id"].as_str().unwrap().to_string();
    let proxy = FaultProxy::start(&emulator, &no_faults());
    let dir = TempDir::new("faults-assume");

    let clean = scan(&proxy, &dir, "clean", &["--org"]);
    proxy.set_config(&json!({"seed": 1, "faults": [{"kind": "deny", "accounts": [member_a], "operations": ["sts:AssumeRole"]}]}));
    proxy.stats(true);
    let denied = scan(&proxy, &dir, "denied", &["--org"]);
    let stats = proxy.stats(true);
    assert_eq!(stats["faults_by_operation"]["sts:AssumeRole"]["deny"], 1, "one AssumeRole into the member, denied and not retried: {stats}");
    assert!(stats["accounts_operations"][member_a.as_str()].as_object().unwrap().keys().all(|op| op == "sts:AssumeRole"), "nothing else is asked of the member: {stats}");

    let account = denied.report["scan"]["accounts"].as_array().unwrap().iter().find(|a| a["id"] == member_a.as_str()).expect("the member stays in the report").clone();
    assert_eq!(account["status"], "not_scanned", "{account}");
    let reason = account["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("sts:AssumeRole") && reason.contains("AccessDenied"), "{account}");

    let (before, after) = (outcomes(&clean.report), outcomes(&denied.report));
    for (id, b) in &before {
        if b["account"] == member_a.as_str() {
            // Per-region outcomes need the member's regions, which were not read: they give way
            // to account-wide ERRORs (checked below). An outcome that stays is ERROR, or NOT
            // APPLICABLE as before when no evidence decides it (CT517 without --allowed-regions).
            if let Some(a) = after.get(id) {
                let kept_not_applicable = a["status"] == "NOT_APPLICABLE" && b["status"] == "NOT_APPLICABLE";
                assert!(a["status"] == "ERROR" || kept_not_applicable, "{}: {} → {} in the account not entered", label(b), b["status"], a["status"]);
            }
        } else {
            let a = after.get(id).unwrap_or_else(|| panic!("missing: {}", label(b)));
            assert_eq!(a["status"], b["status"], "{}: changed in an account nothing was denied to", label(b));
        }
    }
    let member_after: Vec<&Value> = after.values().filter(|f| f["account"] == member_a.as_str() && f["status"] != "NOT_APPLICABLE").collect();
    assert!(!member_after.is_empty() && member_after.iter().all(|f| f["status"] == "ERROR" && f["cause"]["action"] == "sts:AssumeRole"), "every outcome of the member is ERROR naming sts:AssumeRole: {member_after:#?}");
    let expected = if clean.code == 1 { 1 } else { 3 };
    assert_eq!(denied.code, expected, "exit code with one member not entered");
}
