use serde_json::json;
use trailwarden::checks::Status;
use trailwarden::inventory::*;

use super::fixtures::*;
use super::trail_config::{TOPIC, central};

// =======================================================================================
// Cross-cutting: an Unavailable fact never becomes PASS or FAIL.

#[test]
fn fully_unreadable_trail_gives_only_errors_or_not_applicable() {
    let t = trail("main", ACCT, "us-east-1")
        .sns(TOPIC)
        .unreadable_config(DENIED)
        .unreadable_status(DENIED)
        .unreadable_selectors(DENIED)
        .unreadable_insights(DENIED);
    let inv = account_with(vec![t]);
    let params = central("org-central-logs");
    let codes = ["CT101", "CT102", "CT103", "CT104", "CT106", "CT108", "CT201", "CT202", "CT203", "CT204", "CT205", "CT206", "CT207", "CT208", "CT209", "CT308"];
    for code in codes {
        let out = run_with(&inv, &params, code);
        assert!(!out.is_empty(), "{code}: no outcome");
        for o in &out {
            expect_error(o, "AccessDenied");
        }
    }
    // CT105: one trail cannot log global events twice, whatever its unread facts say: PASS,
    // with what was not read in the evidence.
    let o = only(&inv, "CT105");
    expect(&o, Status::Pass, &["at most 1", "AccessDenied"]);
    assert!(o.evidence["not_read"].is_object(), "{}", o.evidence);
}

// =======================================================================================
// Partitions: ARNs are built and matched in the scanned account's partition, never `arn:aws:`.

#[test]
fn bucket_arns_and_the_tls_policy_match_follow_the_partition() {
    for partition in ["aws-cn", "aws-us-gov"] {
        let deny = tls_deny_statement(json!([format!("arn:{partition}:s3:::logs"), format!("arn:{partition}:s3:::logs/*")]));
        let b = Bucket { policy: policy(vec![deny]), ..bucket("logs", ACCT) };
        let mut inv = with_bucket(b);
        inv.scan.caller.arn = format!("arn:{partition}:iam::{ACCT}:role/auditor");
        let o = only(&inv, "CT306");
        expect(&o, Status::Pass, &[]);
        assert_eq!(o.resource, format!("arn:{partition}:s3:::logs"));
    }
}

#[test]
fn error_outcomes_carry_a_typed_cause() {
    let b = Bucket { versioning: Fact::Unavailable(Unavailable::new(UnavailableKind::Throttled, Some("s3:GetBucketVersioning"), "s3:GetBucketVersioning: SlowDown (HTTP 503)")), ..bucket("logs", ACCT) };
    let o = only(&with_bucket(b), "CT304");
    expect(&o, Status::Error, &["SlowDown"]);
    let cause = o.cause.expect("an ERROR outcome names its cause");
    assert_eq!((cause.kind, cause.action.as_deref()), (UnavailableKind::Throttled, Some("s3:GetBucketVersioning")));
    assert!(only(&with_bucket(bucket("logs", ACCT)), "CT304").cause.is_none(), "a PASS has no cause");
}

#[test]
fn a_trail_whose_configuration_is_unreadable_keeps_an_error_for_its_bucket_and_key() {
    let mut t = trail("main", ACCT, "us-east-1");
    t.trail.config = unavailable(DENIED);
    let inv = inventory(vec![account(ACCT)], vec![t], vec![], vec![], vec![]);
    let arn = trail_arn("main", ACCT, "us-east-1");
    for (code, resource) in [("CT304", format!("{arn}#log-bucket")), ("CT401", format!("{arn}#kms-key"))] {
        let o = only(&inv, code);
        expect_error(&o, "AccessDenied");
        assert_eq!(o.resource, resource, "{code}");
        assert!(o.cause.is_some(), "{code}");
    }
}
