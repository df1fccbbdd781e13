//! Never fail open: the gate, the baseline and the user's files, through the real binary.
//! Each case asserts the exit code, the one-line message, and that inputs are untouched.

mod common;

use common::{Emulator, Findings, TempDir, read_json, stderr, trailwarden, trailwarden_in};
use serde_json::Value;

fn assert_refused(out: &std::process::Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, stderr: {err}");
    assert!(err.contains(needle), "stderr should mention {needle:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

/// An `org` scan's inventory: one of its accounts could not be entered.
fn org_inventory(dir: &TempDir) -> (String, Value) {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let path = dir.str("org-inventory.json");
    let out = emulator.scan(&["--org", "--save-inventory", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    (path, seed)
}

#[test]
fn an_account_that_could_not_be_scanned_keeps_the_exit_code_at_3_whatever_is_selected() {
    let dir = TempDir::new("gate-unscanned");
    let (inventory, _) = org_inventory(&dir);
    let out = trailwarden(&["scan", "--inventory", &inventory, "--select", "CT4"]);
    assert_eq!(out.status.code(), Some(3), "CT4 has no outcome for the unscanned account, but it is still unread: {}", stderr(&out));
    let out = trailwarden(&["scan", "--inventory", &inventory, "--select", "CT4", "--allow-incomplete"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_empty_selection_or_scope_is_an_error_not_a_clean_pass() {
    let dir = TempDir::new("gate-empty");
    let (inventory, _) = org_inventory(&dir);
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--select", "CT1", "--ignore", "CT1"]), "leave no check to run");
    std::fs::write(dir.path("trailwarden.toml"), "ignore = [\"CT\"]\n").unwrap();
    assert_refused(&trailwarden_in(&dir.0, &["scan", "--inventory", &inventory]), "leave no check to run");
    std::fs::remove_file(dir.path("trailwarden.toml")).unwrap();

    let emulator = Emulator::start();
    emulator.seed("org");
    let report = dir.str("zero.json");
    assert_refused(&emulator.scan(&["--org", "--accounts", "999999999999", "-o", &format!("json={report}")]), "no account is in scope");
    assert!(!dir.path("zero.json").exists(), "no report after a fatal error");
}

#[test]
fn config_and_command_line_lists_merge_by_the_written_rule() {
    let dir = TempDir::new("gate-merge");
    let (inventory, _) = org_inventory(&dir);
    std::fs::write(dir.path("trailwarden.toml"), "ignore = [\"CT305\"]\n").unwrap();
    let path = dir.str("merged.json");
    let out = trailwarden_in(&dir.0, &["scan", "--inventory", &inventory, "--select", "CT30", "--ignore", "CT306", "-o", &format!("json={path}")]);
    assert!(matches!(out.status.code(), Some(1 | 3)), "{}", stderr(&out));
    let checks: Vec<String> = read_json(&dir.path("merged.json"))["checks"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(checks, ["CT301", "CT302", "CT303", "CT304", "CT307", "CT308", "CT309"], "--ignore adds to the config's ignore; --select narrows");
    let parameters = &read_json(&dir.path("merged.json"))["scan"]["parameters"];
    assert_eq!(parameters["selected_checks"], serde_json::json!(checks), "the report records the effective selection");
    assert_eq!((parameters["min_retention_days"].as_u64(), parameters["fail_on"].as_str()), (Some(365), Some("low")), "{parameters}");
}

#[test]
fn no_output_replaces_an_input_or_another_output() {
    let dir = TempDir::new("gate-files");
    let (inventory, _) = org_inventory(&dir);
    let before = std::fs::read(&inventory).unwrap();
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "-o", &format!("json={inventory}")]), "is also the --inventory file");
    let other = dir.str("x.json");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--save-inventory", &other, "-o", &format!("json={other}")]), "give each output its own path");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "-o", "json=-", "-o", "sarif=-"]), "more than one report to stdout");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "-o", &format!("json={other}"), "-o", &format!("sarif={other}")]), "give each output its own path");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--baseline", &inventory, "-o", &format!("json={inventory}")]), "is also the");
    assert_eq!(std::fs::read(&inventory).unwrap(), before, "the inventory is byte-identical");
    assert!(!dir.path("x.json").exists());
}

#[test]
fn scope_flags_with_an_inventory_and_unknown_frameworks_are_refused() {
    let dir = TempDir::new("gate-flags");
    let (inventory, seed) = org_inventory(&dir);
    let member = seed["accounts"]["member-a"]["id"].as_str().unwrap();
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--accounts", member]), "--accounts: not with --inventory");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--regions", "us-east-1"]), "--regions: not with --inventory");
    assert_refused(&trailwarden(&["scan", "--inventory", &inventory, "--framework", "cis-9"]), "`cis-9` is not a framework");
    let out = trailwarden(&["scan", "--inventory", &inventory, "--framework", "cis-5.0", "--allow-incomplete"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Rewrite an inventory: make one fact unreadable, or drop an account.
fn edit_inventory(path: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut value);
    let out = format!("{path}.edited.json");
    std::fs::write(&out, serde_json::to_vec(&value).unwrap()).unwrap();
    out
}

#[test]
fn only_a_real_pass_is_fixed() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("gate-baseline");
    let inventory = dir.str("inventory.json");
    let baseline = dir.str("baseline.json");
    let out = emulator.scan(&["--save-inventory", &inventory, "-o", &format!("json={baseline}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    drop(emulator);
    let bucket = "failing-trail-logs-123456789012";
    let base = Findings::of(&read_json(std::path::Path::new(&baseline)));
    assert_eq!(base.status("CT304", &format!("arn:aws:s3:::{bucket}")), "FAIL", "the baseline fails versioning");

    // The versioning of the bucket can no longer be read: FAIL → ERROR is not "fixed".
    let unreadable = edit_inventory(&inventory, |v| {
        v["buckets"][bucket]["versioning"] = serde_json::json!({"unavailable": {"kind": "access_denied", "action": "s3:GetBucketVersioning", "message": "s3:GetBucketVersioning: AccessDenied (HTTP 403)"}});
    });
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let now = dir.str("now.json");
    let out = trailwarden(&["scan", "--inventory", &unreadable, "--baseline", &baseline, "-o", &format!("json={now}"), "-o", &format!("markdown={}", dir.str("now.md"))]);
    assert!(matches!(out.status.code(), Some(1 | 3)), "{}", stderr(&out));
    let report = read_json(std::path::Path::new(&now));
    let f = Findings::of(&report);
    let x = f.get("CT304", &format!("arn:aws:s3:::{bucket}"));
    assert_eq!((x["status"].as_str(), x["baseline"].as_str()), (Some("ERROR"), Some("not_compared")), "{x:#}");
    assert!(report["baseline"]["counts"]["not_compared"].as_u64().unwrap() >= 1);
    let md = std::fs::read_to_string(dir.path("now.md")).unwrap();
    assert!(md.contains("could not be compared"), "{md}");
    assert!(!md.contains("CT304") || !md.split("Fixed since the baseline").nth(1).unwrap_or("").contains(bucket), "an unreadable bucket is not listed as fixed");
}

#[test]
fn an_account_that_could_not_be_entered_keeps_an_error_for_every_region_in_scope() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("gate-regions");
    let norole = seed["accounts"]["member-norole"]["id"].as_str().unwrap();
    let path = dir.str("report.json");
    let out = emulator.scan(&["--org", "--regions", "us-east-1,eu-west-1", "--select", "CT103", "-o", &format!("json={path}")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = read_json(&dir.path("report.json"));
    let mut regions: Vec<String> = Findings::of(&report).0.iter().filter(|f| f["account"] == norole).map(|f| {
        assert_eq!(f["status"], "ERROR", "{f}");
        assert_eq!(f["cause"]["action"], "sts:AssumeRole", "{f}");
        f["region"].as_str().unwrap_or("none").to_string()
    }).collect();
    regions.sort();
    assert_eq!(regions, ["eu-west-1", "us-east-1"], "one ERROR per region in scope, none silently absent");
}

#[test]
fn profile_means_that_profile_whatever_the_environment_holds() {
    let emulator = Emulator::start();
    emulator.seed("compliant");
    let dir = TempDir::new("gate-profile");
    // An IAM user of the emulator, whose key goes into the profile `audit`.
    let script = "import boto3,sys\niam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='testing',aws_secret_access_key='testing')\niam.create_user(UserName='auditor')\nk=iam.create_access_key(UserName='auditor')['AccessKey']\nprint(k['AccessKeyId'], k['SecretAccessKey'])";
    let out = std::process::Command::new(common::repo_root().join(".venv/bin/python")).args(["-c", script, &emulator.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let (key, secret) = text.trim().split_once(' ').unwrap();
    std::fs::write(dir.path("config"), "[profile audit]\nregion = us-east-1\n").unwrap();
    std::fs::write(dir.path("credentials"), format!("[audit]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")).unwrap();
    let run = |profile: &str, report: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trailwarden"))
            .args(["scan", "--endpoint-url", &emulator.url, "--profile", profile, "--select", "CT101", "-o", &format!("json={report}")])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", dir.path("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.path("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    let report = dir.str("report.json");
    let out = run("audit", &report);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(read_json(&dir.path("report.json"))["scan"]["caller"]["arn"], "arn:aws:iam::123456789012:user/auditor", "the profile's identity, not the environment's");
    let out = run("nosuchprofile", &dir.str("none.json"));
    assert_refused(&out, "--profile nosuchprofile: no such profile");
    assert!(stderr(&out).contains("profiles there: audit"), "{}", stderr(&out));
}

#[test]
fn missing_credentials_and_an_unreachable_endpoint_are_one_line_each() {
    let base = |envs: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_trailwarden"));
        c.args(["scan", "--endpoint-url", "http://127.0.0.1:9"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = base(&[]);
    assert_refused(&out, "no AWS credentials found");
    assert!(stderr(&out).contains("--profile") && stderr(&out).len() < 600, "{}", stderr(&out));
    let started = std::time::Instant::now();
    let out = base(&[("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "y")]);
    assert_refused(&out, "cannot reach http://127.0.0.1:9");
    assert!(!stderr(&out).contains("check your credentials") && !stderr(&out).contains("ConnectorError"), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "a bounded wait, not minutes of retries: {:?}", started.elapsed());
}

/// The files of a directory and their bytes, to prove a run left it untouched.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect();
    files.sort();
    files
}

#[test]
fn history_draws_three_scans_and_this_one_and_dates_each_failure() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("gate-history");
    let reports = dir.path("reports");
    std::fs::create_dir(&reports).unwrap();
    let report_in = |name: &str| reports.join(name).display().to_string();
    // Named against their order in time: the history orders by scan.started_at, not by name.
    // Scan times are to the second, and scheduled runs are hours apart: keep these a second
    // apart, so the order in time is not a tie broken by file name.
    let scan = |name: &str| {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let out = emulator.scan(&["-o", &format!("json={}", report_in(name))]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        read_json(&reports.join(name))["scan"]["started_at"].as_str().unwrap().to_string()
    };
    let first = scan("z-first.json");
    emulator.change("fix-bad-trail");
    let second = scan("m-second.json");
    emulator.change("break-excluding-trail");
    let third = scan("a-third.json");
    std::fs::write(reports.join("inventory.json"), "{\"inventory_version\": 2}").unwrap();
    let before = snapshot(&reports);

    let now = dir.str("now.json");
    let html = dir.str("now.html");
    let history = reports.display().to_string();
    let out = emulator.scan(&["--history", &history, "-o", &format!("json={now}"), "-o", &format!("html={html}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().filter(|l| l.contains("inventory.json") && l.contains("not a trailwarden JSON report") && l.contains("skipped")).count(), 1, "{err}");
    assert_eq!(snapshot(&reports), before, "the history directory is only read");

    let report = read_json(&dir.path("now.json"));
    let h = &report["history"];
    let points: Vec<(&str, Option<&str>)> = h["points"].as_array().unwrap().iter().map(|p| (p["started_at"].as_str().unwrap(), p["path"].as_str())).collect();
    let (a, b, c) = (report_in("z-first.json"), report_in("m-second.json"), report_in("a-third.json"));
    assert_eq!(points, [(first.as_str(), Some(a.as_str())), (second.as_str(), Some(b.as_str())), (third.as_str(), Some(c.as_str())), (report["scan"]["started_at"].as_str().unwrap(), None)], "{h:#}");
    let p0 = &h["points"][0];
    assert!(p0["failures"]["high"].as_u64().is_some() && p0["accounts"] == 1 && p0["errors"].is_u64(), "{p0}");

    let bucket = "arn:aws:s3:::failing-trail-logs-123456789012";
    let always = h["first_seen"].as_array().unwrap().iter().find(|f| f["check"] == "CT304" && f["resource"] == bucket).expect("CT304 fails in every scan");
    assert_eq!((always["first_seen"].as_str(), always["failed_in"].as_u64()), (Some(first.as_str()), Some(4)), "{always}");
    let broken = h["first_seen"].as_array().unwrap().iter().find(|f| f["check"] == "CT201" && f["resource"].as_str().unwrap().contains("excluding-trail")).expect("broken before the third scan");
    assert_eq!(broken["first_seen"].as_str(), Some(third.as_str()), "{broken}");
    let seen: Vec<&str> = h["first_seen"].as_array().unwrap().iter().map(|f| f["first_seen"].as_str().unwrap()).collect();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "oldest first: {seen:?}");
    let fixed = h["no_longer_failing"].as_array().unwrap().iter().find(|f| f["check"] == "CT201" && f["resource"].as_str().unwrap().contains("bad-trail")).expect("fixed after the first scan");
    assert_eq!((fixed["first_seen"].as_str(), fixed["last_seen"].as_str(), fixed["now"].as_str()), (Some(first.as_str()), Some(first.as_str()), Some("PASS")), "{fixed}");

    let page = std::fs::read_to_string(dir.path("now.html")).unwrap();
    for needle in ["<section id=\"history\"", "class=\"svg-hist\"", "First seen: this scan", "No longer failing", "this scan</td>"] {
        assert!(page.contains(needle), "the HTML has {needle:?}");
    }

    // No output may replace a report of the history.
    assert_refused(&emulator.scan(&["--history", &history, "-o", &format!("json={a}")]), "is also the --history file");
    // A corrupt report is a fatal error naming it, and nothing is written.
    // Named to sort after inventory.json: its error is still the only line on stderr.
    std::fs::write(reports.join("zz-broken.json"), "{\"schema_version\": \"1.0\", \"findings\": [").unwrap();
    let before = snapshot(&reports);
    let again = dir.str("again.json");
    let out = emulator.scan(&["--history", &history, "-o", &format!("json={again}")]);
    assert_refused(&out, "zz-broken.json");
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    assert!(!dir.path("again.json").exists(), "no report after a fatal error");
    assert_eq!(snapshot(&reports), before);
}
