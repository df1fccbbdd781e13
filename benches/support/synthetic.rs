//! A synthetic organization report for the HTML benchmark (`benches/html_report.rs`) and the
//! scale test (`tests/html_report.rs`): N accounts × 17 regions of CT103 plus about 30
//! outcomes per account across the other checks of the catalog, with evidence shaped like
//! the scanner's, a few percent failing, every 50th account not scanned, a few suppressions.
//! Deterministic: the same N gives the same report.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::json;
use trailwarden::model::{AccountStatus, ScanMode, Scope};
use trailwarden::checks::Status;
use trailwarden::checks::metadata;
use trailwarden::report::{AccountInfo, Caller, CheckInfo, Finding, Report, ScanInfo, Suppression, Summary, Tool, finding_id};

pub const REGIONS: [&str; 17] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

const MANAGEMENT: &str = "123456789012";
const ORG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";

/// A small deterministic hash in [0, 1000).
fn roll(a: usize, b: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325 ^ a as u64;
    for byte in b.bytes() {
        h ^= byte as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h ^= h >> 29;
    h % 1000
}

fn account_id(i: usize) -> String {
    if i == 0 { MANAGEMENT.to_string() } else { format!("{:012}", 200_000_000_000u64 + i as u64 * 7919) }
}

fn org_trail_summary() -> serde_json::Value {
    json!({
        "arn": ORG_TRAIL,
        "excluded_management_event_sources": [],
        "home_region": "us-east-1",
        "include_global_service_events": true,
        "is_logging": true,
        "is_multi_region_trail": true,
        "is_organization_trail": true,
        "management_events": "read+write"
    })
}

fn bucket_evidence(account: &str, bucket: &str, public: bool) -> serde_json::Value {
    let pab = json!({"present": {"block_public_acls": !public, "block_public_policy": !public, "ignore_public_acls": !public, "restrict_public_buckets": !public}});
    json!({
        "bucket": format!("arn:aws:s3:::{bucket}"),
        "account": account,
        "account_public_access_block": pab,
        "bucket_public_access_block": pab,
        "delivering_trails": [ORG_TRAIL],
        "ignore_public_acls_in_force": !public,
        "policy_is_public": {"present": public},
        "public_acl_grants": if public { json!([{"grantee": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]) } else { json!([]) },
        "restrict_public_buckets_in_force": !public,
        "versioning": {"present": if public { "Suspended" } else { "Enabled" }},
        "lifecycle_expiration_days": {"present": 400}
    })
}

/// The synthetic report of an organization of `accounts` accounts.
pub fn report(accounts: usize) -> Report {
    let checks: Vec<CheckInfo> = metadata::all()
        .iter()
        .map(|m| CheckInfo { code: m.code.clone(), name: m.name.clone(), title: m.title.clone(), severity: m.severity, scope: m.scope, frameworks: m.frameworks.clone() })
        .collect();
    let mut infos = Vec::new();
    let mut findings = Vec::new();
    let mut push = |check: &CheckInfo, status: Status, account: &str, region: Option<&str>, resource: &str, message: String, evidence: serde_json::Value, suppression: Option<Suppression>| {
        findings.push(Finding {
            id: finding_id(&check.code, account, region, resource),
            check: check.code.clone(),
            status,
            severity: check.severity,
            account: account.to_string(),
            region: region.map(str::to_string),
            resource: resource.to_string(),
            message,
            evidence: evidence.into(),
            suppression,
            expired_suppression: None,
            baseline: None,
            cause: None,
            remediation: None,
        });
    };
    for i in 0..accounts {
        let id = account_id(i);
        let scanned = i % 50 != 49;
        let reason = (!scanned).then(|| format!("cannot assume role arn:aws:iam::{id}:role/OrganizationAccountAccessRole: sts:AssumeRole: AccessDenied (HTTP 403)"));
        infos.push(AccountInfo {
            id: id.clone(),
            name: Some(if i == 0 { "management".to_string() } else { format!("workload-{i:04}") }),
            status: if scanned { AccountStatus::Scanned } else { AccountStatus::NotScanned },
            reason: reason.clone(),
            regions: if scanned { REGIONS.iter().map(|r| r.to_string()).collect() } else { Vec::new() },
        });
        for check in &checks {
            if check.scope == Scope::Org && i != 0 {
                continue;
            }
            if !scanned {
                if check.scope == Scope::Account || check.scope == Scope::Region {
                    let r = reason.clone().unwrap();
                    push(check, Status::Error, &id, None, &id, format!("account could not be scanned: {r}"), json!({"access": r}), None);
                }
                continue;
            }
            if check.code == "CT103" {
                for region in REGIONS {
                    let x = roll(i, region);
                    let (status, message) = if i % 10 == 3 && x < 120 {
                        (Status::Fail, format!("no logging trail records management events in {region}"))
                    } else if i % 97 == 5 && region == "ap-south-1" {
                        (Status::Error, format!("no trail is known to record {region} and some could not be read: trail arn:aws:cloudtrail:{region}:{id}:trail/local: cloudtrail:GetTrailStatus: AccessDenied"))
                    } else {
                        (Status::Pass, format!("management events in {region} are recorded by trail {ORG_TRAIL}"))
                    };
                    let recording = if status == Status::Pass { json!(ORG_TRAIL) } else { json!(null) };
                    push(check, status, &id, Some(region), region, message, json!({"region": region, "recording_trail": recording, "trails": [org_trail_summary()]}), None);
                }
                continue;
            }
            let x = roll(i, &check.code);
            let status = if x < 110 {
                Status::Fail
            } else if x < 150 {
                Status::NotApplicable
            } else if x < 156 {
                Status::Error
            } else {
                Status::Pass
            };
            let suppression = (status == Status::Fail && i % 100 == 7).then(|| Suppression { reason: format!("accepted by the security board, ticket SEC-{i}"), expires: Some("2027-06-30".into()) });
            let (resources, region): (Vec<String>, Option<&str>) = match check.scope.as_str() {
                "account" => (vec![id.clone()], None),
                "org" => (vec![format!("o-synthetic{accounts}")], None),
                "trail" => (vec![ORG_TRAIL.to_string()], Some("us-east-1")),
                "bucket" => {
                    let mut b = vec![format!("arn:aws:s3:::trail-logs-{id}")];
                    if i % 2 == 0 {
                        b.push(format!("arn:aws:s3:::access-logs-{id}"));
                    }
                    (b, Some("us-east-1"))
                }
                "key" => (vec![format!("arn:aws:kms:us-east-1:{id}:key/{:08x}-1111-2222-3333-444455556666", i)], Some("us-east-1")),
                _ => (vec![format!("arn:aws:logs:us-east-1:{id}:log-group:aws-cloudtrail-logs-{id}")], Some("us-east-1")),
            };
            for resource in resources {
                let message = match status {
                    Status::Pass => format!("{} holds for {resource}", check.name),
                    Status::Fail => format!("{}: {}", check.title, resource),
                    Status::Error => format!("could not be read: {resource}: AccessDenied"),
                    Status::NotApplicable => "not applicable: no logging trail delivers here".to_string(),
                };
                let evidence = if check.scope == Scope::Bucket {
                    bucket_evidence(&id, resource.trim_start_matches("arn:aws:s3:::"), status == Status::Fail)
                } else {
                    json!({"resource": resource, "trails": [org_trail_summary()], "observed": {"setting": status != Status::Fail}})
                };
                push(check, status, &id, region, &resource, message, evidence, suppression.clone());
            }
        }
    }
    let start = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let mut report = Report {
        schema_version: trailwarden::report::SCHEMA_VERSION.to_string(),
        tool: Tool { name: "trailwarden".into(), version: env!("CARGO_PKG_VERSION").into() },
        scan: ScanInfo {
            started_at: start,
            finished_at: start + chrono::Duration::seconds(754),
            caller: Caller { account_id: MANAGEMENT.into(), arn: format!("arn:aws:sts::{MANAGEMENT}:assumed-role/Auditor/session") },
            organization_id: Some(format!("o-synthetic{accounts}")),
            mode: ScanMode::Organization,
            accounts: infos,
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
            notes: Vec::new(),
            parameters: None,
            organization_tree: None,
        },
        summary: Summary { by_status: BTreeMap::new(), by_severity: BTreeMap::new(), suppressed: 0 },
        checks,
        findings,
        baseline: None,
        scores: Default::default(),
        history: None,
    };
    report.recount();
    report
}
