//! Sharded scans and checkpoints, through the real binary against the emulator (seed `org`:
//! a management account owning the organization trail, a log-archive account owning its
//! bucket, two members, one member whose role was removed).
//!
//! - `scan --shard I/N` ×3 + `merge` gives exactly the findings (ids, statuses) of one
//!   unsharded scan, whichever shard holds the trail's owner and its bucket's owner;
//! - `merge` refuses a missing shard, a duplicated shard, shards of different scans, a
//!   corrupt inventory and an unsharded one: exit 2, one line naming the files, no report,
//!   inputs untouched;
//! - `--checkpoint`: a scan killed (SIGKILL) after some accounts, run again with the same
//!   flags, re-uses the finished accounts (fewer ListTrails/ListBuckets/AssumeRole calls,
//!   counted by the launcher's `--count-requests`) and reports what an uninterrupted scan
//!   reports; a checkpoint of other flags is refused.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{Emulator, TempDir, read_json, repo_root, stderr};
use serde_json::Value;

fn ids_and_statuses(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        report["findings"].as_array().unwrap().iter().map(|f| (f["id"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string())).collect();
    v.sort();
    v
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// The regions the seed uses: a faster scan, the same in every run of a test.
const REGIONS: &str = "us-east-1,us-west-2";

/// Three shard inventories of scan `scan_id` in `dir` (inv-1.json …).
fn scan_shards(emulator: &Emulator, dir: &TempDir, scan_id: &str, prefix: &str) -> Vec<String> {
    (1..=3)
        .map(|i| {
            let path = dir.str(&format!("{prefix}-{i}.json"));
            let shard = format!("{i}/3");
            let out = emulator.scan(&["--org", "--regions", REGIONS, "--shard", &shard, "--scan-id", scan_id, "--save-inventory", &path]);
            assert_eq!(out.status.code(), Some(0), "shard {shard}: {}", stderr(&out));
            assert!(stderr(&out).contains(&format!("shard {shard} of scan {scan_id}")), "{}", stderr(&out));
            path
        })
        .collect()
}

#[test]
fn three_shards_merged_give_the_findings_of_one_unsharded_scan() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("shards-equal");
    let full = dir.str("full.json");
    let out = emulator.scan(&["--org", "--regions", REGIONS, "-o", &format!("json={full}")]);
    let full_code = out.status.code();
    assert!(matches!(full_code, Some(1) | Some(3)), "{}", stderr(&out));

    let shards = scan_shards(&emulator, &dir, "nightly-42", "inv");
    // Every shard knows the whole scope and which shard owns each account; it holds exactly its own.
    let all: Vec<Value> = shards.iter().map(|p| read_json(Path::new(p))).collect();
    let scope = all[0]["shard"]["accounts"].as_array().unwrap().clone();
    assert_eq!(scope.len(), 5, "{scope:?}");
    let mut held = Vec::new();
    for (i, inv) in all.iter().enumerate() {
        assert_eq!(inv["shard"]["accounts"].as_array().unwrap(), &scope);
        assert_eq!((inv["shard"]["index"].as_u64(), inv["shard"]["count"].as_u64(), inv["shard"]["scan_id"].as_str()), (Some(i as u64 + 1), Some(3), Some("nightly-42")));
        let mine: Vec<&str> = scope.iter().filter(|a| a["shard"] == i as u64 + 1).map(|a| a["id"].as_str().unwrap()).collect();
        let got: Vec<&str> = inv["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(got, mine, "shard {} holds exactly its accounts", i + 1);
        held.extend(got.into_iter().map(str::to_string));
    }
    held.sort();
    assert_eq!(held.len(), 5);
    // Which shard holds the trail's owner and which the bucket's owner, for the record.
    let management = seed["accounts"]["management"]["id"].as_str().unwrap_or("123456789012");
    let log_archive = seed["accounts"]["log-archive"]["id"].as_str().unwrap();
    let owner_shard = |id: &str| scope.iter().find(|a| a["id"] == id).map(|a| a["shard"].clone());
    eprintln!("management account in shard {:?}, log-archive in shard {:?}", owner_shard(management), owner_shard(log_archive));

    let before: Vec<Vec<u8>> = shards.iter().map(|p| sha(Path::new(p))).collect();
    let merged = dir.str("merged.json");
    let merged_inventory = dir.str("merged-inventory.json");
    let out = common::trailwarden(&["merge", &shards[2], &shards[0], &shards[1], "-o", &format!("json={merged}"), "--save-inventory", &merged_inventory]);
    assert_eq!(out.status.code(), full_code, "merge gates as the unsharded scan: {}", stderr(&out));
    let (full_report, merged_report) = (read_json(Path::new(&full)), read_json(Path::new(&merged)));
    assert_eq!(ids_and_statuses(&merged_report), ids_and_statuses(&full_report), "the merge evaluates once, over every account");
    assert_eq!(merged_report["scan"]["accounts"], full_report["scan"]["accounts"]);
    // Every shard read the OU tree; the merge keeps one, the same as the unsharded scan's.
    for inv in &all {
        assert_eq!(inv["organization"]["units"], all[0]["organization"]["units"], "every shard reads the same tree");
    }
    assert!(full_report["scan"]["organization_tree"]["units"].as_array().is_some_and(|u| u.len() == 4), "{}", full_report["scan"]["organization_tree"]);
    assert_eq!(merged_report["scan"]["organization_tree"], full_report["scan"]["organization_tree"]);
    assert_eq!(merged_report["scores"]["units"], full_report["scores"]["units"]);
    let after: Vec<Vec<u8>> = shards.iter().map(|p| sha(Path::new(p))).collect();
    assert_eq!(before, after, "merge never modifies its inputs");

    // The merged inventory is a whole inventory: `scan --inventory` evaluates it the same.
    let again = dir.str("again.json");
    let out = common::trailwarden(&["scan", "--inventory", &merged_inventory, "-o", &format!("json={again}")]);
    assert_eq!(out.status.code(), full_code, "{}", stderr(&out));
    assert_eq!(ids_and_statuses(&read_json(Path::new(&again))), ids_and_statuses(&full_report));
}

#[test]
fn merge_refuses_missing_duplicated_foreign_and_corrupt_shards_naming_them() {
    let emulator = Emulator::start();
    emulator.seed("org");
    let dir = TempDir::new("shards-refused");
    let inv = scan_shards(&emulator, &dir, "run-1", "inv");
    let other = scan_shards(&emulator, &dir, "run-2", "other");
    let whole = dir.str("whole.json");
    let out = emulator.scan(&["--org", "--regions", REGIONS, "--select", "CT1", "--save-inventory", &whole]);
    assert!(matches!(out.status.code(), Some(1) | Some(3)), "{}", stderr(&out));
    std::fs::copy(&inv[1], dir.path("copy-2.json")).unwrap();
    let copy2 = dir.str("copy-2.json");
    let text = std::fs::read_to_string(&inv[2]).unwrap();
    std::fs::write(dir.path("corrupt-3.json"), &text[..text.len() / 2]).unwrap();
    let corrupt3 = dir.str("corrupt-3.json");
    // Shard 3 saw another tree (an account moved between the shards' scans).
    let mut moved: Value = read_json(Path::new(&inv[2]));
    let units = moved["organization"]["units"]["present"].as_array_mut().expect("the shard read the tree");
    let account = units[0]["accounts"].as_array_mut().unwrap().pop().expect("the root holds an account");
    units[1]["accounts"].as_array_mut().unwrap().push(account);
    std::fs::write(dir.path("moved-3.json"), serde_json::to_vec(&moved).unwrap()).unwrap();
    let moved3 = dir.str("moved-3.json");

    let report = dir.path("report.json");
    let name = |p: &str| p.to_string();
    let cases: Vec<(Vec<String>, String)> = vec![
        (vec![inv[0].clone(), inv[2].clone()], format!("shard 2/3 is missing: got {} (1/3), {} (3/3)", name(&inv[0]), name(&inv[2]))),
        (vec![inv[0].clone(), inv[1].clone(), copy2.clone(), inv[2].clone()], format!("{} and {copy2} are both shard 2/3", name(&inv[1]))),
        (vec![inv[0].clone(), other[1].clone(), inv[2].clone()], format!("{} is from scan run-2, the others from scan run-1", name(&other[1]))),
        (vec![inv[0].clone(), inv[1].clone(), corrupt3.clone()], format!("inventory {corrupt3}: line")),
        (vec![inv[0].clone(), whole.clone()], format!("{whole} is not a shard inventory")),
        (vec![inv[0].clone(), inv[1].clone(), moved3.clone()], format!("{moved3} and {} disagree about the organization's OU tree", name(&inv[0]))),
    ];
    let all_inputs: Vec<String> = inv.iter().chain(&other).cloned().chain([whole.clone(), copy2.clone(), corrupt3.clone(), moved3.clone()]).collect();
    let before: Vec<Vec<u8>> = all_inputs.iter().map(|p| sha(Path::new(p))).collect();
    for (files, needle) in cases {
        let mut args = vec!["merge".to_string()];
        args.extend(files.iter().cloned());
        args.extend(["-o".to_string(), format!("json={}", report.display())]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::trailwarden(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{files:?}: {err}");
        assert!(err.contains(&needle), "{files:?}: expected `{needle}` in: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(!report.exists(), "no report is written on exit 2");
    }
    let after: Vec<Vec<u8>> = all_inputs.iter().map(|p| sha(Path::new(p))).collect();
    assert_eq!(before, after, "inputs untouched");

    // The shard flags themselves.
    for (flags, needle) in [
        (&["--shard", "4/3", "--scan-id", "x"][..], "--shard 4/3: expected I/N"),
        (&["--shard", "1/3", "--scan-id", "x", "-o", "json=r.json"][..], "-o: not with --shard"),
        (&["--shard", "1/3"][..], "--scan-id"),
    ] {
        let mut args = vec!["--org", "--save-inventory", "/tmp/trailwarden-never-written.json"];
        args.extend_from_slice(flags);
        let out = emulator.scan(&args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{flags:?}: {}", stderr(&out));
    }
}

/// GET /_trailwarden/requests from the launcher (`--count-requests`): counts per operation, reset.
fn request_counts(url: &str) -> Value {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
    write!(stream, "GET /_trailwarden/requests HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    serde_json::from_str(text.split("\r\n\r\n").nth(1).expect("an HTTP body")).expect("JSON counts")
}

fn count(counts: &Value, operation: &str) -> u64 {
    counts[operation].as_u64().unwrap_or(0)
}

/// The fault proxy in front of the emulator, delaying every call so that a scan at
/// `--concurrency 1` takes long enough to be killed between two accounts.
struct Proxy {
    child: Child,
    url: String,
}

impl Proxy {
    fn start(upstream: &str, delay_ms: &str) -> Proxy {
        let mut child = Command::new(repo_root().join(".venv/bin/python"))
            .arg(repo_root().join("tests/harness/fault_proxy.py"))
            .args(["--upstream", upstream, "--port", "0", "--watch-stdin", "--delay-ms", delay_ms])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the fault proxy");
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("the proxy printed {line:?}")).to_string();
        std::thread::spawn(move || for _ in reader.lines() {});
        Proxy { child, url }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scan_via(url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailwarden"));
    cmd.arg("scan")
        .args(["--endpoint-url", url])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn finished_accounts(checkpoint: &Path) -> usize {
    let text = std::fs::read_to_string(checkpoint).unwrap_or_default();
    text.split_inclusive('\n').filter(|l| l.ends_with('\n')).count().saturating_sub(1)
}

#[test]
fn a_killed_scan_resumed_from_its_checkpoint_reads_only_the_unfinished_accounts() {
    let emulator = Emulator::start_with(&["--count-requests"]);
    emulator.seed("org");
    let proxy = Proxy::start(&emulator.url, "40");
    let dir = TempDir::new("checkpoint");
    let flags = ["--org", "--regions", REGIONS, "--concurrency", "1"];

    // The reference: one uninterrupted scan, and what it cost.
    request_counts(&emulator.url);
    let reference = dir.str("reference.json");
    let out = scan_via(&proxy.url, &[&flags[..], &["-o", &format!("json={reference}")]].concat()).output().unwrap();
    let reference_code = out.status.code();
    assert!(matches!(reference_code, Some(1) | Some(3)), "{}", stderr(&out));
    let full = request_counts(&emulator.url);

    // Killed (SIGKILL) once the checkpoint holds at least one finished account.
    let checkpoint = dir.path("scan.checkpoint");
    let checkpoint_s = checkpoint.display().to_string();
    let mut child = scan_via(&proxy.url, &[&flags[..], &["--checkpoint", &checkpoint_s, "-o", &format!("json={}", dir.str("never.json"))]].concat()).spawn().unwrap();
    let started = std::time::Instant::now();
    while finished_accounts(&checkpoint) < 1 {
        assert!(child.try_wait().unwrap().is_none(), "the scan ended before it could be interrupted");
        assert!(started.elapsed().as_secs() < 120, "no account was checkpointed");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.path("never.json").exists(), "the killed scan wrote no report");
    let restored = finished_accounts(&checkpoint);
    assert!((1..4).contains(&restored), "killed part-way: {restored} accounts finished");

    // A checkpoint of other flags is refused, and left as it was.
    let kept = sha(&checkpoint);
    let out = scan_via(&proxy.url, &["--org", "--regions", "us-east-1", "--checkpoint", &checkpoint_s]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("written by a scan with other flags (differs in: --regions)"), "{}", stderr(&out));
    assert_eq!(sha(&checkpoint), kept);

    // Resumed with the same flags: the finished accounts are not read again.
    request_counts(&emulator.url);
    let resumed = dir.str("resumed.json");
    let out = scan_via(&proxy.url, &[&flags[..], &["--checkpoint", &checkpoint_s, "-o", &format!("json={resumed}")]].concat()).output().unwrap();
    assert_eq!(out.status.code(), reference_code, "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{restored} of 5 accounts finished by an earlier run")), "{}", stderr(&out));
    let resumed_counts = request_counts(&emulator.url);
    assert_eq!(ids_and_statuses(&read_json(Path::new(&resumed))), ids_and_statuses(&read_json(Path::new(&reference))), "the same report as an uninterrupted scan");
    let r = restored as u64;
    // s3:ListBuckets is named `s3:GET service` by the launcher (a GET of `/`).
    for operation in ["cloudtrail:ListTrails", "s3:GET service"] {
        assert!(count(&full, operation) >= 4, "{operation}: read in every enterable account ({full})");
        assert_eq!(count(&resumed_counts, operation) + r, count(&full, operation), "{operation}: each restored account is not listed again (full {full}, resumed {resumed_counts})");
    }
    let (calls_full, calls_resumed): (u64, u64) = (full.as_object().unwrap().values().filter_map(Value::as_u64).sum(), resumed_counts.as_object().unwrap().values().filter_map(Value::as_u64).sum());
    eprintln!(
        "calls: uninterrupted {calls_full}, resumed after {restored} accounts {calls_resumed}; sts:AssumeRole {} vs {}",
        count(&full, "sts:AssumeRole"),
        count(&resumed_counts, "sts:AssumeRole")
    );
    assert!(calls_resumed < calls_full);
    assert!(!checkpoint.exists(), "a completed scan removes its checkpoint, so the next scan starts afresh");
}
