//! End-to-end scans through the real binary against the emulator, one scenario per test,
//! asserting exact statuses per check and resource. Scenarios are seeded through the AWS
//! APIs by `tests/harness/seed.py` (see tests/harness/README.md for what each contains).

mod common;

use common::{Emulator, Findings, TempDir, read_json, stderr, stdout};
use serde_json::Value;

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_else(|| panic!("seed output has no string at {path:?}"))
}

fn bucket_arn(name: &str) -> String {
    format!("arn:aws:s3:::{name}")
}

/// Scan and return (exit code, report JSON).
fn scan_json(emulator: &Emulator, dir: &TempDir, name: &str, args: &[&str]) -> (i32, Value) {
    let path = dir.str(&format!("{name}.json"));
    let output = format!("json={path}");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", &output]);
    let out = emulator.scan(&all);
    let code = out.status.code().unwrap_or(-1);
    assert!(code != 2, "scan failed: {}", stderr(&out));
    (code, read_json(&dir.path(&format!("{name}.json"))))
}

fn validate_against_schema(report: &Value) {
    let schema: Value = serde_json::from_str(trailwarden::report::JSON_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(report).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "report does not match its JSON Schema:\n{}", errors.join("\n"));
}

const TRAIL_CHECKS: [&str; 9] = ["CT106", "CT108", "CT201", "CT202", "CT203", "CT204", "CT207", "CT208", "CT308"];
const BUCKET_CHECKS: [&str; 8] = ["CT301", "CT302", "CT303", "CT304", "CT305", "CT306", "CT307", "CT309"];
const ACCOUNT_CHECKS: [&str; 6] = ["CT101", "CT102", "CT104", "CT105", "CT205", "CT206"];

fn assert_compliant(seed: &Value, findings: &Findings) {
    let account = s(seed, &["account_id"]);
    let trail = s(seed, &["trails", "main-trail", "arn"]);
    let bucket = bucket_arn("compliant-trail-logs-123456789012");
    let key = s(seed, &["kms_keys", "trail", "arn"]);
    let mut expected: Vec<(&str, &str, &str)> = Vec::new();
    for c in ACCOUNT_CHECKS {
        expected.push((c, account, "PASS"));
    }
    for c in TRAIL_CHECKS {
        expected.push((c, trail, "PASS"));
    }
    expected.push(("CT209", trail, "NOT_APPLICABLE"));
    for c in BUCKET_CHECKS {
        expected.push((c, &bucket, "PASS"));
    }
    expected.push(("CT401", key, "PASS"));
    expected.push(("CT402", key, "PASS"));
    findings.assert_statuses(&expected);
    let regions = findings.for_check("CT103");
    assert_eq!(regions.len(), 17, "one CT103 outcome per enabled region");
    assert!(regions.iter().all(|f| f["status"] == "PASS"));
    let ct107 = findings.for_check("CT107");
    assert!(ct107.len() == 1 && ct107[0]["status"] == "NOT_APPLICABLE", "CT107 is judged only for organization scans");
    let ct517 = findings.for_check("CT517");
    assert!(ct517.len() == 1 && ct517[0]["status"] == "NOT_APPLICABLE", "CT517 is judged only with allowed_regions");
    let not_pass: Vec<_> = findings.0.iter().filter(|f| f["status"] != "PASS" && !matches!(f["check"].as_str(), Some("CT209" | "CT107" | "CT517"))).collect();
    assert!(not_pass.is_empty(), "a compliant account has only PASS: {not_pass:#?}");
}

#[test]
fn compliant_account_with_classic_selectors_passes_everything() {
    let emulator = Emulator::start();
    let seed = emulator.seed("compliant");
    let dir = TempDir::new("compliant");
    let (code, report) = scan_json(&emulator, &dir, "report", &[]);
    assert_eq!(code, 0);
    validate_against_schema(&report);
    assert_compliant(&seed, &Findings::of(&report));
    assert_eq!(report["scan"]["caller"]["account_id"], "123456789012");
    assert_eq!(report["scan"]["mode"], "account");

    // The configured central bucket turns CT209 into a verdict.
    let (code, report) = scan_json(&emulator, &dir, "central", &["--central-bucket", "compliant-trail-logs-123456789012", "--select", "CT209"]);
    assert_eq!(code, 0);
    Findings::of(&report).assert_statuses(&[("CT209", s(&seed, &["trails", "main-trail", "arn"]), "PASS")]);
    let (code, report) = scan_json(&emulator, &dir, "elsewhere", &["--central-bucket", "org-central-logs", "--select", "CT209"]);
    assert_eq!(code, 1);
    let f = Findings::of(&report);
    let finding = f.get("CT209", s(&seed, &["trails", "main-trail", "arn"]));
    assert_eq!(finding["status"], "FAIL");
    assert!(finding["message"].as_str().unwrap().contains("org-central-logs"));
}

#[test]
fn compliant_account_with_advanced_selectors_passes_everything() {
    let emulator = Emulator::start();
    let seed = emulator.seed("compliant-advanced");
    let dir = TempDir::new("compliant-advanced");
    let (code, report) = scan_json(&emulator, &dir, "report", &[]);
    assert_eq!(code, 0, "{:#?}", report["findings"].as_array().unwrap().iter().filter(|f| f["status"] != "PASS").collect::<Vec<_>>());
    let findings = Findings::of(&report);
    assert_compliant(&seed, &findings);
    let evidence = &findings.get("CT106", s(&seed, &["trails", "main-trail", "arn"]))["evidence"];
    assert!(!evidence["event_selectors"]["advanced"].as_array().unwrap().is_empty(), "the trail really uses advanced selectors");
}

#[test]
fn failing_account_reports_each_kind_of_failure() {
    let emulator = Emulator::start();
    let seed = emulator.seed("failing");
    let dir = TempDir::new("failing");
    let (code, report) = scan_json(&emulator, &dir, "report", &[]);
    assert_eq!(code, 1);
    validate_against_schema(&report);
    let f = Findings::of(&report);
    let account = "123456789012";
    let bad = s(&seed, &["trails", "bad-trail", "arn"]);
    let excluding = s(&seed, &["trails", "excluding-trail", "arn"]);
    let orphan = s(&seed, &["trails", "orphan-trail", "arn"]);
    let failing_bucket = bucket_arn("failing-trail-logs-123456789012");
    let orphan_bucket = bucket_arn("orphan-trail-logs-123456789012");
    let key = s(&seed, &["kms_keys", "excluding-trail", "arn"]);
    f.assert_statuses(&[
        ("CT101", account, "PASS"),
        ("CT102", account, "FAIL"),
        ("CT104", account, "PASS"),
        ("CT105", account, "FAIL"),
        ("CT205", account, "FAIL"),
        ("CT206", account, "FAIL"),
        ("CT106", excluding, "FAIL"),
        ("CT106", bad, "PASS"),
        ("CT108", bad, "FAIL"),
        ("CT108", excluding, "PASS"),
        ("CT201", bad, "FAIL"),
        ("CT201", excluding, "PASS"),
        ("CT202", bad, "FAIL"),
        ("CT202", excluding, "PASS"),
        ("CT203", bad, "FAIL"),
        ("CT204", bad, "NOT_APPLICABLE"),
        ("CT204", excluding, "FAIL"),
        ("CT204", orphan, "FAIL"),
        ("CT207", excluding, "FAIL"),
        ("CT207", bad, "NOT_APPLICABLE"),
        ("CT208", bad, "FAIL"),
        ("CT208", excluding, "NOT_APPLICABLE"),
        ("CT308", bad, "PASS"),
        ("CT308", orphan, "FAIL"),
        ("CT301", &failing_bucket, "FAIL"),
        ("CT302", &failing_bucket, "FAIL"),
        ("CT303", &failing_bucket, "FAIL"),
        ("CT304", &failing_bucket, "FAIL"),
        ("CT305", &failing_bucket, "FAIL"),
        ("CT306", &failing_bucket, "FAIL"),
        ("CT307", &failing_bucket, "FAIL"),
        ("CT309", &failing_bucket, "FAIL"),
        ("CT301", &orphan_bucket, "NOT_APPLICABLE"),
        ("CT401", key, "FAIL"),
        ("CT402", key, "FAIL"),
    ]);
    let msg = |c: &str, r: &str| f.get(c, r)["message"].as_str().unwrap().to_string();
    assert!(msg("CT108", bad).contains("logging stopped at"), "{}", msg("CT108", bad));
    assert!(msg("CT106", excluding).contains("kms.amazonaws.com"));
    assert!(msg("CT204", orphan).contains("NoSuchBucket"));
    assert!(msg("CT307", &failing_bucket).contains("30 days"));
    assert!(msg("CT402", key).contains("Disabled"));
    // CT103 is judged per region: the multi-region trail records every enabled region.
    assert!(f.for_check("CT103").iter().all(|x| x["status"] == "PASS"));
    // Evidence shows every layer for CT301.
    let evidence = &f.get("CT301", &failing_bucket)["evidence"];
    assert!(evidence["public_acl_grants"].as_array().unwrap().iter().any(|g| g["grantee"].as_str().unwrap().ends_with("AllUsers")));
    assert!(evidence.get("account_public_access_block").is_some() && evidence.get("bucket_public_access_block").is_some());

    // The summary on stdout names the failures; --fail-on raises the bar.
    let out = emulator.scan(&["--select", "CT201", "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(0), "CT201 is medium, below --fail-on high: {}", stderr(&out));
    assert!(stdout(&out).contains("FAIL  medium   CT201"), "{}", stdout(&out));
    let out = emulator.scan(&["--select", "CT201", "--fail-on", "medium"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn organization_scan_covers_members_through_the_organization_trail() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("org");
    let (code, report) = scan_json(&emulator, &dir, "report", &["--org"]);
    assert_eq!(code, 1);
    validate_against_schema(&report);
    let f = Findings::of(&report);
    let id = |name: &str| s(&seed, &["accounts", name, "id"]).to_string();
    let (management, archive, member_a, member_b, norole) = (id("management"), id("log-archive"), id("member-a"), id("member-b"), id("member-norole"));
    let org_trail = s(&seed, &["trails", "org-trail", "arn"]);
    let org_bucket = bucket_arn(s(&seed, &["trails", "org-trail", "bucket"]));
    let org_id = s(&seed, &["organization", "id"]);

    assert_eq!(report["scan"]["organization_id"], org_id);
    assert_eq!(report["scan"]["accounts"].as_array().unwrap().len(), 5);
    f.assert_statuses(&[
        ("CT107", org_id, "PASS"),
        ("CT101", &management, "PASS"),
        ("CT101", &member_a, "PASS"),
        ("CT102", &member_a, "PASS"),
        ("CT104", &member_a, "PASS"),
        ("CT101", &archive, "PASS"),
        ("CT105", &member_a, "PASS"),
        ("CT105", &member_b, "FAIL"),
        ("CT101", &norole, "ERROR"),
        ("CT102", &norole, "ERROR"),
        ("CT103", &norole, "ERROR"),
        ("CT108", org_trail, "PASS"),
        ("CT201", org_trail, "PASS"),
        ("CT202", org_trail, "PASS"),
        ("CT308", org_trail, "PASS"),
        ("CT304", &org_bucket, "PASS"),
    ]);
    // The organization trail is one trail, evaluated once, in the management account.
    let org_trail_findings: Vec<_> = f.0.iter().filter(|x| x["resource"] == org_trail).collect();
    assert!(org_trail_findings.iter().all(|x| x["account"] == management.as_str()));
    assert_eq!(f.for_check("CT201").iter().filter(|x| x["resource"] == org_trail).count(), 1);
    // The log bucket is read once, from the log-archive account that owns it.
    let bucket_findings = f.for_check("CT304");
    let org_bucket_finding = bucket_findings.iter().find(|x| x["resource"] == org_bucket.as_str()).unwrap();
    assert_eq!(org_bucket_finding["account"], archive.as_str());
    assert_eq!(org_bucket_finding["evidence"]["delivering_trails"][0], org_trail);
    // Members inherit coverage of every region from the organization trail.
    assert!(f.for_check("CT103").iter().filter(|x| x["account"] == member_a.as_str()).all(|x| x["status"] == "PASS"));
    // The account whose role cannot be assumed is reported with the reason, and the rest were scanned.
    let norole_finding = f.get("CT101", &norole);
    assert!(norole_finding["message"].as_str().unwrap().contains("AccessDenied"), "{norole_finding}");
    let not_scanned: Vec<_> = report["scan"]["accounts"].as_array().unwrap().iter().filter(|a| a["status"] == "not_scanned").collect();
    assert_eq!(not_scanned.len(), 1);
    assert_eq!(not_scanned[0]["id"], norole.as_str());
    assert!(not_scanned[0]["reason"].as_str().unwrap().contains("sts:AssumeRole"));

    // Excluding the broken account makes the scan complete; --accounts narrows it.
    let (_, report) = scan_json(&emulator, &dir, "narrow", &["--org", "--accounts", &member_a, "--select", "CT101"]);
    let accounts: Vec<_> = report["scan"]["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(accounts, vec![member_a.clone()]);
    let (code, _) = scan_json(&emulator, &dir, "excluded", &["--org", "--exclude-accounts", &norole, "--select", "CT101,CT107"]);
    assert_eq!(code, 0);
}

#[test]
fn bucket_owned_outside_the_scan_is_an_error_not_a_verdict() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let dir = TempDir::new("outside");
    // Only the management account: the organization trail's bucket lives in log-archive.
    let (code, report) = scan_json(&emulator, &dir, "report", &["--select", "CT3"]);
    assert_eq!(code, 3, "only ERROR outcomes: the scan is incomplete");
    let f = Findings::of(&report);
    let org_bucket = bucket_arn(s(&seed, &["trails", "org-trail", "bucket"]));
    for check in BUCKET_CHECKS {
        let finding = f.get(check, &org_bucket);
        assert_eq!(finding["status"], "ERROR", "{check}: {finding}");
        assert!(finding["message"].as_str().unwrap().contains("outside the scan"), "{check}: {finding}");
    }
    f.assert_statuses(&[("CT308", s(&seed, &["trails", "org-trail", "arn"]), "ERROR")]);
    let out = emulator.scan(&["--select", "CT3", "--allow-incomplete"]);
    assert_eq!(out.status.code(), Some(0), "--allow-incomplete accepts ERROR outcomes");
}

#[test]
fn bucket_the_scan_may_not_read_is_an_error_naming_the_denied_action() {
    let emulator = Emulator::start();
    let seed = emulator.seed("unreadable-bucket");
    let dir = TempDir::new("unreadable");
    let (code, report) = scan_json(&emulator, &dir, "report", &["--select", "CT3"]);
    assert_eq!(code, 1, "CT306 fails; a failure outranks incompleteness");
    let f = Findings::of(&report);
    let trail = s(&seed, &["trails", "locked-trail", "arn"]);
    let bucket = bucket_arn("locked-trail-logs-123456789012");
    // The owner account's root may always read the bucket policy (AWS's lock-out protection),
    // so CT306 is judged; every other bucket fact is refused by the policy's explicit Deny.
    for check in BUCKET_CHECKS.iter().filter(|c| **c != "CT306") {
        let finding = f.get(check, &bucket);
        assert_eq!(finding["status"], "ERROR", "{check}: {finding}");
        assert!(finding["message"].as_str().unwrap().contains("AccessDenied"), "{check}: {finding}");
    }
    f.assert_statuses(&[("CT306", &bucket, "FAIL")]);
    let finding = f.get("CT304", &bucket);
    assert!(finding["message"].as_str().unwrap().contains("s3:GetBucketVersioning"), "the message names the refused IAM action: {finding}");
    let out = emulator.scan(&["--select", "CT30", "--ignore", "CT306"]);
    assert_eq!(out.status.code(), Some(3), "only ERROR outcomes: exit 3 (incomplete)");
    // The owner's ListBuckets proves the bucket exists, whatever its policy refuses.
    f.assert_statuses(&[("CT308", trail, "PASS")]);
}

#[test]
fn saved_inventory_re_evaluates_offline_to_the_same_findings() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("inventory");
    let inventory = dir.str("inventory.json");
    let (code, live) = scan_json(&emulator, &dir, "live", &["--save-inventory", &inventory]);
    assert_eq!(code, 1);
    drop(emulator); // offline: no emulator any more
    let out = common::trailwarden(&["scan", "--inventory", &inventory, "-o", &format!("json={}", dir.str("offline.json"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let offline = read_json(&dir.path("offline.json"));
    let key = |r: &Value| {
        let mut v: Vec<(String, String)> = r["findings"].as_array().unwrap().iter().map(|f| (f["id"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string())).collect();
        v.sort();
        v
    };
    assert_eq!(key(&live), key(&offline));
    assert_eq!(live["scan"], offline["scan"]);
}

#[test]
fn regions_flag_limits_per_region_outcomes() {
    let emulator = Emulator::start();
    emulator.seed("failing");
    let dir = TempDir::new("regions");
    let (_, report) = scan_json(&emulator, &dir, "report", &["--regions", "us-east-1,eu-west-1", "--select", "CT103"]);
    let regions: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["region"].as_str().unwrap()).collect();
    assert_eq!(regions, vec!["eu-west-1", "us-east-1"]);
    assert_eq!(report["scan"]["regions"], serde_json::json!(["eu-west-1", "us-east-1"]));
}

#[test]
fn enabled_regions_fall_back_to_ec2_when_the_account_api_is_not_answered() {
    // moto has no account:ListRegions; the launcher leaves it missing with this flag.
    let emulator = Emulator::start_with(&["--without-account-api"]);
    emulator.seed("failing");
    let dir = TempDir::new("ec2-regions");
    let (_, report) = scan_json(&emulator, &dir, "report", &["--select", "CT103"]);
    let regions: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["region"].as_str().unwrap()).collect();
    assert!(regions.contains(&"us-east-1") && regions.contains(&"eu-west-1"), "{regions:?}");
    assert!(regions.iter().all(|r| !r.starts_with("cn-") && !r.starts_with("us-gov-")), "only the caller's partition: {regions:?}");
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["status"] == "PASS"));
}
