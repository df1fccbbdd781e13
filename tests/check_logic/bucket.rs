use chrono::{TimeZone, Utc};
use serde_json::json;
use trailwarden::checks::{EvalParams, Status};
use trailwarden::inventory::*;

use super::fixtures::*;

// =======================================================================================
// CT3xx — bucket scope basics

const BUCKET_SCOPED: [&str; 8] = ["CT301", "CT302", "CT303", "CT304", "CT305", "CT306", "CT307", "CT309"];

#[test]
fn bucket_checks_pass_on_compliant_bucket() {
    let inv = with_bucket(bucket("logs", ACCT));
    for code in BUCKET_SCOPED {
        let o = only(&inv, code);
        expect(&o, Status::Pass, &[]);
        assert_eq!(o.resource, "arn:aws:s3:::logs", "{code}");
        assert_eq!(o.account, ACCT, "{code}: attributed to the owner");
    }
}

#[test]
fn bucket_checks_not_applicable_when_bucket_does_not_exist() {
    let inv = with_bucket(missing_bucket("logs"));
    for code in BUCKET_SCOPED {
        expect(&only(&inv, code), Status::NotApplicable, &[]);
    }
    expect(&only(&inv, "CT308"), Status::Fail, &["logs"]);
}

#[test]
fn bucket_checks_error_when_owner_unknown() {
    let reason = "bucket owner 444444444444 is not among the scanned accounts";
    let b = Bucket { owner: unavailable(reason), ..bucket("logs", ACCT) };
    let inv = with_bucket(b);
    for code in BUCKET_SCOPED {
        expect_error(&only(&inv, code), "not among the scanned accounts");
    }
    expect_error(&only(&inv, "CT308"), "not among the scanned accounts");
}

#[test]
fn bucket_evaluated_once_and_attributed_to_every_delivering_trail() {
    let a = trail("a", MEMBER, "us-east-1").bucket("central");
    let b = trail("b", ACCT, "eu-west-1").bucket("central");
    let (arn_a, arn_b) = (a.arn(), b.arn());
    let inv = inventory(vec![account(ACCT), account(MEMBER), account(LOG_ARCHIVE)], vec![a, b], vec![bucket("central", LOG_ARCHIVE)], vec![], vec![]);
    for code in BUCKET_SCOPED {
        let o = only(&inv, code);
        assert_eq!(o.account, LOG_ARCHIVE, "{code}: evaluated from the owning account");
        let trails = o.evidence["delivering_trails"].as_array().unwrap_or_else(|| panic!("{code}: evidence lacks delivering_trails: {}", o.evidence));
        assert!(trails.contains(&json!(arn_a)) && trails.contains(&json!(arn_b)), "{code}: {trails:?}");
    }
}

// =======================================================================================
// CT301 — log-bucket-publicly-accessible

#[test]
fn ct301_pass_public_acl_neutralised_by_account_ignore_public_acls() {
    let b = Bucket { acl_grants: Fact::Present(vec![owner_grant(ACCT), all_users_grant()]), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    let inv = with_bucket_and_account_pab(b, Fact::Present(pab(false, true, false, false)));
    let o = only(&inv, "CT301");
    expect(&o, Status::Pass, &[]);
    assert!(o.evidence.get("bucket_public_access_block").is_some() && o.evidence.get("account_public_access_block").is_some(), "evidence shows every layer: {}", o.evidence);
}

#[test]
fn ct301_pass_bucket_pab_unreadable_but_account_pab_all_true() {
    let b = Bucket {
        acl_grants: Fact::Present(vec![all_users_grant()]),
        policy_is_public: Fact::Present(true),
        public_access_block: unavailable(DENIED),
        ..bucket("logs", ACCT)
    };
    let inv = with_bucket_and_account_pab(b, Fact::Present(pab(true, true, true, true)));
    expect(&only(&inv, "CT301"), Status::Pass, &[]);
}

#[test]
fn ct301_pass_public_policy_neutralised_by_bucket_restrict_public_buckets() {
    let b = Bucket { policy_is_public: Fact::Present(true), public_access_block: Fact::Present(pab(false, false, false, true)), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT301"), Status::Pass, &[]);
}

#[test]
fn ct301_fail_public_policy_with_restrict_off_at_both_layers() {
    let b = Bucket { policy_is_public: Fact::Present(true), public_access_block: Fact::Present(pab(true, true, true, false)), ..bucket("logs", ACCT) };
    let inv = with_bucket_and_account_pab(b, Fact::Present(pab(true, true, true, false)));
    expect(&only(&inv, "CT301"), Status::Fail, &["RestrictPublicBuckets"]);
}

#[test]
fn ct301_fail_public_policy_without_any_pab() {
    let b = Bucket { policy_is_public: Fact::Present(true), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), Status::Fail, &["policy"]);
}

#[test]
fn ct301_fail_all_users_acl_with_ignore_off() {
    let b = Bucket { acl_grants: Fact::Present(vec![owner_grant(ACCT), all_users_grant()]), public_access_block: Fact::Present(pab(true, false, true, true)), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), Status::Fail, &["IgnorePublicAcls"]);
}

#[test]
fn ct301_fail_authenticated_users_acl_with_ignore_off() {
    let b = Bucket { acl_grants: Fact::Present(vec![authenticated_users_grant()]), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), Status::Fail, &["AuthenticatedUsers"]);
}

#[test]
fn ct301_error_when_acl_unreadable_and_ignore_not_known_on() {
    let b = Bucket { acl_grants: unavailable(DENIED), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), "AccessDenied");
}

#[test]
fn ct301_error_when_policy_status_unreadable_and_restrict_not_known_on() {
    let b = Bucket { policy_is_public: unavailable(DENIED), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), "AccessDenied");
}

#[test]
fn ct301_error_when_both_pab_layers_unreadable_and_acl_public() {
    let b = Bucket { acl_grants: Fact::Present(vec![all_users_grant()]), public_access_block: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket_and_account_pab(b, unavailable("s3control:GetPublicAccessBlock throttled")), "CT301"), "AccessDenied");
}

#[test]
fn ct301_fail_when_one_exposure_is_known_even_if_other_unreadable() {
    // A public ACL with IgnorePublicAcls off is public whatever the unreadable policy status says.
    let b = Bucket { acl_grants: Fact::Present(vec![all_users_grant()]), policy_is_public: unavailable(DENIED), public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT301"), Status::Fail, &[]);
}

// =======================================================================================
// CT302 — log-bucket-access-logging-disabled

#[test]
fn ct302_pass_logging_to_another_bucket() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT302"), Status::Pass, &["access-logs"]);
}

#[test]
fn ct302_fail_when_logging_disabled() {
    let b = Bucket { logging: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT302"), Status::Fail, &[]);
}

#[test]
fn ct302_fail_when_logging_to_itself() {
    let b = Bucket { logging: Fact::Present(BucketLogging { target_bucket: "logs".into(), target_prefix: "self/".into() }), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT302"), Status::Fail, &[]);
}

#[test]
fn ct302_error_when_logging_unreadable() {
    let b = Bucket { logging: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(b), "CT302"), "AccessDenied");
}

// =======================================================================================
// CT303 — log-bucket-mfa-delete-disabled

#[test]
fn ct303_pass_fail_error() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT303"), Status::Pass, &[]);
    let disabled = Bucket { versioning: Fact::Present(Versioning { status: Some("Enabled".into()), mfa_delete: Some("Disabled".into()) }), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(disabled), "CT303"), Status::Fail, &["Disabled"]);
    let never = Bucket { versioning: Fact::Present(Versioning { status: None, mfa_delete: None }), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(never), "CT303"), Status::Fail, &[]);
    let unknown = Bucket { versioning: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(unknown), "CT303"), "AccessDenied");
}

// =======================================================================================
// CT304 — log-bucket-versioning-disabled

#[test]
fn ct304_pass_fail_error() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT304"), Status::Pass, &[]);
    let suspended = Bucket { versioning: Fact::Present(Versioning { status: Some("Suspended".into()), mfa_delete: None }), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(suspended), "CT304"), Status::Fail, &["Suspended"]);
    let never = Bucket { versioning: Fact::Present(Versioning::default()), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(never), "CT304"), Status::Fail, &[]);
    let unknown = Bucket { versioning: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(unknown), "CT304"), "AccessDenied");
}

// =======================================================================================
// CT305 — log-bucket-object-lock-disabled

#[test]
fn ct305_pass_with_default_retention_in_days_or_years() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT305"), Status::Pass, &["365"]);
    let years = Bucket {
        object_lock: Fact::Present(ObjectLock { enabled: true, default_retention_mode: Some("COMPLIANCE".into()), default_retention_days: None, default_retention_years: Some(7) }),
        ..bucket("logs", ACCT)
    };
    expect(&only(&with_bucket(years), "CT305"), Status::Pass, &["7"]);
}

#[test]
fn ct305_fail_when_not_enabled() {
    let b = Bucket { object_lock: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT305"), Status::Fail, &[]);
}

#[test]
fn ct305_fail_when_enabled_without_default_retention() {
    let b = Bucket { object_lock: Fact::Present(ObjectLock { enabled: true, ..Default::default() }), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT305"), Status::Fail, &["retention"]);
}

#[test]
fn ct305_error_when_unreadable() {
    let b = Bucket { object_lock: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(b), "CT305"), "AccessDenied");
}

// =======================================================================================
// CT306 — log-bucket-allows-insecure-transport

#[test]
fn ct306_pass_standard_deny_on_objects() {
    let b = Bucket { policy: policy(vec![cloudtrail_write_statement("b"), tls_deny_statement(json!("arn:aws:s3:::b/*"))]), ..bucket("b", ACCT) };
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").bucket("b")], vec![b], vec![], vec![]);
    expect(&only(&inv, "CT306"), Status::Pass, &[]);
}

#[test]
fn ct306_pass_with_aws_star_principal_and_boolean_false() {
    let statement = json!({
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
        "Condition": {"Bool": {"aws:SecureTransport": false}}
    });
    let b = Bucket { policy: policy(vec![statement]), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Pass, &[]);
}

#[test]
fn ct306_fail_without_tls_deny() {
    let b = Bucket { policy: policy(vec![cloudtrail_write_statement("b")]), ..bucket("b", ACCT) };
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").bucket("b")], vec![b], vec![], vec![]);
    expect(&only(&inv, "CT306"), Status::Fail, &["SecureTransport"]);
}

#[test]
fn ct306_fail_without_policy() {
    let b = Bucket { policy: Fact::Absent, policy_is_public: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Fail, &[]);
}

#[test]
fn ct306_fail_when_deny_is_for_one_principal_only() {
    let mut statement = tls_deny_statement(json!("arn:aws:s3:::logs/*"));
    statement["Principal"] = json!({"AWS": "arn:aws:iam::111111111111:root"});
    let b = Bucket { policy: policy(vec![statement]), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Fail, &[]);
}

#[test]
fn ct306_fail_when_deny_is_an_allow() {
    let mut statement = tls_deny_statement(json!("arn:aws:s3:::logs/*"));
    statement["Effect"] = json!("Allow");
    let b = Bucket { policy: policy(vec![statement]), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Fail, &[]);
}

#[test]
fn ct306_fail_when_condition_is_secure_transport_true() {
    let mut statement = tls_deny_statement(json!("arn:aws:s3:::logs/*"));
    statement["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
    let b = Bucket { policy: policy(vec![statement]), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Fail, &[]);
}

#[test]
fn ct306_fail_when_deny_covers_another_bucket() {
    let b = Bucket { policy: policy(vec![tls_deny_statement(json!("arn:aws:s3:::other-bucket/*"))]), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket(b), "CT306"), Status::Fail, &[]);
}

#[test]
fn ct306_error_when_policy_unreadable() {
    let b = Bucket { policy: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(b), "CT306"), "AccessDenied");
}

// =======================================================================================
// CT307 — log-bucket-retention-too-short

fn with_rules(rules: Vec<LifecycleRule>) -> Inventory {
    with_bucket(Bucket { lifecycle_rules: Fact::Present(rules), ..bucket("logs", ACCT) })
}

fn min_days(days: u32) -> EvalParams {
    EvalParams { min_retention_days: days, ..EvalParams::default() }
}

#[test]
fn ct307_fail_rule_expiring_at_30_days() {
    expect(&only(&with_rules(vec![lifecycle("short", true, None, 30)]), "CT307"), Status::Fail, &["short", "30"]);
}

#[test]
fn ct307_pass_rule_expiring_at_400_days() {
    expect(&only(&with_rules(vec![lifecycle("long", true, None, 400)]), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_pass_rule_expiring_exactly_at_minimum() {
    expect(&only(&with_rules(vec![lifecycle("exact", true, None, 365)]), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_pass_disabled_30_day_rule() {
    expect(&only(&with_rules(vec![lifecycle("off", false, None, 30)]), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_pass_30_day_rule_on_prefix_outside_awslogs() {
    expect(&only(&with_rules(vec![lifecycle("tmp", true, Some("tmp/"), 30)]), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_fail_30_day_rule_on_awslogs_prefix() {
    expect(&only(&with_rules(vec![lifecycle("logs", true, Some("AWSLogs/"), 30)]), "CT307"), Status::Fail, &[]);
    expect(&only(&with_rules(vec![lifecycle("acct", true, Some(&format!("AWSLogs/{ACCT}/")), 30)]), "CT307"), Status::Fail, &[]);
    expect(&only(&with_rules(vec![lifecycle("aws", true, Some("AWS"), 30)]), "CT307"), Status::Fail, &[]);
}

#[test]
fn ct307_respects_trail_key_prefix() {
    let b = Bucket { lifecycle_rules: Fact::Present(vec![lifecycle("root-awslogs", true, Some("AWSLogs/"), 30)]), ..bucket("logs", ACCT) };
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").key_prefix("cloudtrail")], vec![b], vec![], vec![]);
    expect(&only(&inv, "CT307"), Status::Pass, &[]);
    let b = Bucket { lifecycle_rules: Fact::Present(vec![lifecycle("ct", true, Some("cloudtrail/"), 30)]), ..bucket("logs", ACCT) };
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").key_prefix("cloudtrail")], vec![b], vec![], vec![]);
    expect(&only(&inv, "CT307"), Status::Fail, &[]);
}

#[test]
fn ct307_pass_rule_with_tag_filter() {
    let rule = LifecycleRule { has_tag_filter: true, ..lifecycle("tagged", true, None, 30) };
    expect(&only(&with_rules(vec![rule]), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_fail_rule_with_expiration_date() {
    let rule = LifecycleRule { expiration_days: None, expiration_date: Some(Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap()), ..lifecycle("dated", true, None, 0) };
    expect(&only(&with_rules(vec![rule]), "CT307"), Status::Fail, &["dated"]);
}

#[test]
fn ct307_pass_without_lifecycle_configuration() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_min_retention_days_from_params() {
    let inv = with_rules(vec![lifecycle("short", true, None, 30)]);
    expect(&only_with(&inv, &min_days(20), "CT307"), Status::Pass, &[]);
    expect(&only_with(&inv, &min_days(31), "CT307"), Status::Fail, &["31"]);
    let inv = with_rules(vec![lifecycle("long", true, None, 400)]);
    expect(&only_with(&inv, &min_days(500), "CT307"), Status::Fail, &["500"]);
    expect(&only_with(&inv, &min_days(400), "CT307"), Status::Pass, &[]);
}

#[test]
fn ct307_error_when_lifecycle_unreadable() {
    let b = Bucket { lifecycle_rules: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(b), "CT307"), "AccessDenied");
}

// =======================================================================================
// CT308 — log-bucket-missing

#[test]
fn ct308_pass_when_bucket_exists() {
    expect(&only(&with_bucket(bucket("logs", ACCT)), "CT308"), Status::Pass, &["logs"]);
}

#[test]
fn ct308_pass_when_bucket_owned_by_log_archive_account() {
    let inv = inventory(vec![account(ACCT), account(LOG_ARCHIVE)], vec![trail("main", ACCT, "us-east-1").bucket("central")], vec![bucket("central", LOG_ARCHIVE)], vec![], vec![]);
    let o = only(&inv, "CT308");
    expect(&o, Status::Pass, &[LOG_ARCHIVE]);
    assert_eq!(o.resource, trail_arn("main", ACCT, "us-east-1"), "trail scope");
}

#[test]
fn ct308_fail_when_bucket_absent() {
    expect(&only(&with_bucket(missing_bucket("logs")), "CT308"), Status::Fail, &["logs", "does not exist"]);
}

#[test]
fn ct308_error_when_owner_unavailable() {
    let b = Bucket { owner: unavailable("s3:GetBucketAcl AccessDenied (bucket in another account)"), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket(b), "CT308"), "AccessDenied");
}

#[test]
fn ct308_error_when_trail_config_unreadable() {
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)], vec![], vec![], vec![]);
    expect_error(&only(&inv, "CT308"), "AccessDenied");
}

#[test]
fn ct308_error_when_bucket_not_collected() {
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").bucket("never-looked-at")], vec![], vec![], vec![]);
    expect(&only(&inv, "CT308"), Status::Error, &["never-looked-at"]);
}

#[test]
fn ct308_fail_when_trail_names_no_bucket() {
    let inv = inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1").no_bucket()], vec![], vec![], vec![]);
    expect(&only(&inv, "CT308"), Status::Fail, &[]);
}

// =======================================================================================
// CT309 — log-bucket-public-access-block-incomplete

#[test]
fn ct309_pass_all_true_at_bucket_level() {
    expect(&only(&with_bucket_and_account_pab(bucket("logs", ACCT), Fact::Absent), "CT309"), Status::Pass, &[]);
}

#[test]
fn ct309_pass_all_true_at_account_level() {
    let b = Bucket { public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Present(pab(true, true, true, true))), "CT309"), Status::Pass, &[]);
}

#[test]
fn ct309_pass_settings_split_across_layers() {
    let b = Bucket { public_access_block: Fact::Present(pab(true, true, false, false)), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Present(pab(false, false, true, true))), "CT309"), Status::Pass, &[]);
}

#[test]
fn ct309_fail_names_settings_off_at_both_layers() {
    let b = Bucket { public_access_block: Fact::Present(pab(true, false, true, false)), ..bucket("logs", ACCT) };
    let o = only(&with_bucket_and_account_pab(b, Fact::Present(pab(false, false, true, false))), "CT309");
    expect(&o, Status::Fail, &["IgnorePublicAcls", "RestrictPublicBuckets"]);
    assert!(!o.message.contains("BlockPublicAcls") && !o.message.contains("BlockPublicPolicy"), "{}", o.message);
}

#[test]
fn ct309_fail_when_no_configuration_anywhere() {
    let b = Bucket { public_access_block: Fact::Absent, ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Absent), "CT309"), Status::Fail, &["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]);
}

#[test]
fn ct309_pass_bucket_unreadable_but_account_all_true() {
    let b = Bucket { public_access_block: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect(&only(&with_bucket_and_account_pab(b, Fact::Present(pab(true, true, true, true))), "CT309"), Status::Pass, &[]);
}

#[test]
fn ct309_error_when_bucket_unreadable_and_account_incomplete() {
    let b = Bucket { public_access_block: unavailable(DENIED), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket_and_account_pab(b, Fact::Present(pab(true, true, false, true))), "CT309"), "AccessDenied");
}

#[test]
fn ct309_error_when_account_unreadable_and_bucket_incomplete() {
    let b = Bucket { public_access_block: Fact::Present(pab(true, true, true, false)), ..bucket("logs", ACCT) };
    expect_error(&only(&with_bucket_and_account_pab(b, unavailable("s3control:GetPublicAccessBlock AccessDenied")), "CT309"), "AccessDenied");
}
