//! The deployment templates in `deploy/cloudformation/`: they lint clean (cfn-lint, pinned by
//! scripts/setup-emulator.sh), hold exactly the action lists `trailwarden iam-policy` prints,
//! and, deployed into a member account through the emulator's CloudFormation (as a StackSet
//! instance would be), create a role trailwarden can scan through — only with the external id.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{Emulator, TempDir, read_json, repo_root, stderr, stdout, trailwarden};
use serde_json::Value;

fn template(name: &str) -> Value {
    read_json(&repo_root().join("deploy/cloudformation").join(name))
}

fn actions(statement: &Value) -> BTreeSet<String> {
    match &statement["Action"] {
        Value::Array(list) => list.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
        Value::String(one) => [one.clone()].into(),
        other => panic!("no actions: {other}"),
    }
}

fn printed_policy(args: &[&str]) -> Value {
    let out = trailwarden(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_templates_lint_clean() {
    let lint = repo_root().join(".venv/bin/cfn-lint");
    assert!(lint.exists(), "cfn-lint is not installed: run `bash scripts/setup-emulator.sh`");
    let out = Command::new(lint).args(["deploy/cloudformation/member-role.json", "deploy/cloudformation/scanner-role.json"]).current_dir(repo_root()).output().unwrap();
    assert!(out.status.success(), "cfn-lint: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// Each printed statement (by Sid) is in the template with the same actions, and no other.
fn assert_same_statements(template: &Value, printed: &Value, what: &str) {
    let by_sid = |list: &Value| -> std::collections::BTreeMap<String, BTreeSet<String>> {
        list.as_array().unwrap().iter().map(|s| (s["Sid"].as_str().unwrap().to_string(), actions(s))).collect()
    };
    assert_eq!(by_sid(template), by_sid(&printed["Statement"]), "{what} and `trailwarden iam-policy` disagree: update the template");
}

#[test]
fn the_templates_hold_exactly_the_printed_action_lists() {
    let member = template("member-role.json");
    let statements = &member["Resources"]["AuditRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert_same_statements(statements, &printed_policy(&["iam-policy", "--for", "member"]), "member-role.json");
    assert!(statements.as_array().unwrap().iter().flat_map(actions).all(|a| !a.starts_with("organizations:") && !a.starts_with("sts:")));
    assert_eq!(member["Parameters"]["RoleName"]["Default"], "TrailwardenAudit");

    let scanner = template("scanner-role.json");
    let statements = &scanner["Resources"]["ScannerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert_same_statements(statements, &printed_policy(&["iam-policy", "--for", "scanner"]), "scanner-role.json");
    assert_eq!(actions(&statements[1]), ["sts:AssumeRole".to_string()].into());
}

#[test]
fn the_member_role_deployed_through_cloudformation_lets_trailwarden_scan_only_with_the_external_id() {
    let emulator = Emulator::start();
    let seed = emulator.seed("org");
    let member = seed["accounts"]["member-a"]["id"].as_str().unwrap();
    let out = Command::new(repo_root().join(".venv/bin/python"))
        .arg(repo_root().join("tests/harness/deploy_stack.py"))
        .args(["--endpoint", &emulator.url, "--account", member, "--template"])
        .arg(repo_root().join("deploy/cloudformation/member-role.json"))
        // The seeded organization already holds the default TrailwardenAudit (as if the StackSet
        // had run): this instance gets its own name.
        .args(["--param", "ScannerPrincipalArn=arn:aws:iam::123456789012:root", "--param", "ExternalId=audit-7f3a", "--param", "RoleName=TrailwardenAuditCfn"])
        .output()
        .unwrap();
    assert!(out.status.success(), "deploy: {}", String::from_utf8_lossy(&out.stderr));
    let deployed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(deployed["status"], "CREATE_COMPLETE", "{deployed}");
    let role = &deployed["role"];
    assert_eq!(role["name"], "TrailwardenAuditCfn");
    assert_eq!(role["trust"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], "audit-7f3a", "{role}");
    let policy = &role["policies"]["TrailwardenMemberReadOnly"]["Statement"][0];
    assert_eq!(actions(policy), actions(&printed_policy(&["iam-policy", "--for", "member"])["Statement"][0]), "the deployed role holds exactly the member policy");

    let dir = TempDir::new("deploy-scan");
    let path = dir.str("r.json");
    let out = emulator.scan(&["--accounts", member, "--role-name", "TrailwardenAuditCfn", "--external-id", "audit-7f3a", "--select", "CT101", "-o", &format!("json={path}")]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(read_json(&dir.path("r.json"))["scan"]["accounts"][0]["status"], "scanned");
    let out = emulator.scan(&["--accounts", member, "--role-name", "TrailwardenAuditCfn", "--select", "CT101", "-o", &format!("json={path}")]);
    assert_eq!(out.status.code(), Some(3), "without the external id the role cannot be assumed: {}", stderr(&out));
    assert_eq!(read_json(&dir.path("r.json"))["scan"]["accounts"][0]["status"], "not_scanned");
}
