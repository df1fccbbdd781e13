use serde_json::json;
use trailwarden::checks::Status;
use trailwarden::inventory::*;

use super::fixtures::*;

// =======================================================================================
// CT401 — kms-key-rotation-disabled

fn with_key(k: Key) -> Inventory {
    let reference = k.reference.clone();
    inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").kms(&reference)], vec![bucket("logs", ACCT)], vec![k], vec![])
}

#[test]
fn ct401_pass_rotation_enabled() {
    let o = only(&with_key(key(&key_arn("k1"), "Enabled", Fact::Present(true))), "CT401");
    expect(&o, Status::Pass, &[]);
    assert_eq!(o.resource, key_arn("k1"));
    assert_eq!(o.evidence["trails"], json!([trail_arn("main", ACCT, "us-east-1")]));
}

#[test]
fn ct401_fail_rotation_disabled() {
    expect(&only(&with_key(key(&key_arn("k1"), "Enabled", Fact::Present(false))), "CT401"), Status::Fail, &["rotation"]);
}

#[test]
fn ct401_error_rotation_unreadable() {
    expect_error(&only(&with_key(key(&key_arn("k1"), "Enabled", unavailable(DENIED))), "CT401"), "AccessDenied");
}

#[test]
fn ct401_error_metadata_unreadable() {
    let k = Key { metadata: unavailable(DENIED), ..key(&key_arn("k1"), "Enabled", unavailable(DENIED)) };
    expect_error(&only(&with_key(k), "CT401"), "AccessDenied");
}

#[test]
fn ct401_missing_key_is_not_judged_on_rotation() {
    let k = Key { metadata: Fact::Absent, ..key(&key_arn("gone"), "Enabled", Fact::Absent) };
    let o = only(&with_key(k), "CT401");
    assert!(!matches!(o.status, Status::Pass | Status::Fail), "a missing key is reported by CT402, not judged on rotation: {o:#?}");
}

#[test]
fn key_evaluated_once_for_several_trails() {
    let k = key_arn("shared");
    let inv = inventory(
        vec![account(ACCT)],
        vec![trail("a", ACCT, "us-east-1").kms(&k), trail("b", ACCT, "us-east-1").kms(&k)],
        vec![bucket("logs", ACCT)],
        vec![key(&k, "Enabled", Fact::Present(true))],
        vec![],
    );
    for code in ["CT401", "CT402"] {
        let o = only(&inv, code);
        assert_eq!(o.evidence["trails"].as_array().map(|a| a.len()), Some(2), "{code}: {}", o.evidence);
    }
}

// =======================================================================================
// CT402 — kms-key-unusable

#[test]
fn ct402_pass_enabled() {
    expect(&only(&with_key(key(&key_arn("k1"), "Enabled", Fact::Present(true))), "CT402"), Status::Pass, &[]);
}

#[test]
fn ct402_fail_unusable_states() {
    for state in ["Disabled", "PendingDeletion", "PendingImport"] {
        expect(&only(&with_key(key(&key_arn("k1"), state, Fact::Present(true))), "CT402"), Status::Fail, &[state]);
    }
}

#[test]
fn ct402_fail_key_absent() {
    let k = Key { metadata: Fact::Absent, ..key(&key_arn("gone"), "Enabled", Fact::Absent) };
    expect(&only(&with_key(k), "CT402"), Status::Fail, &["does not exist"]);
}

#[test]
fn ct402_error_metadata_unreadable() {
    let k = Key { metadata: unavailable(DENIED), ..key(&key_arn("k1"), "Enabled", unavailable(DENIED)) };
    expect_error(&only(&with_key(k), "CT402"), "AccessDenied");
}
