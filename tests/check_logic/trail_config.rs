use trailwarden::checks::{EvalParams, Outcome, Status};
use trailwarden::inventory::*;

use super::fixtures::*;

// =======================================================================================
// CT201 — log-file-validation-disabled

#[test]
fn ct201_pass_fail_error() {
    let inv = account_with(vec![trail("on", ACCT, "us-east-1").validation(true), trail("off", ACCT, "us-east-1").validation(false), trail("unknown", ACCT, "us-east-1").unreadable_config(DENIED)]);
    let out = run(&inv, "CT201");
    assert_eq!(out.len(), 3);
    expect(for_resource(&out, &trail_arn("on", ACCT, "us-east-1")), Status::Pass, &[]);
    expect(for_resource(&out, &trail_arn("off", ACCT, "us-east-1")), Status::Fail, &["disabled"]);
    expect_error(for_resource(&out, &trail_arn("unknown", ACCT, "us-east-1")), "AccessDenied");
}

// =======================================================================================
// CT202 — logs-not-kms-encrypted

#[test]
fn ct202_pass_fail_error() {
    let k = key_arn("k1");
    let inv = account_with(vec![trail("kms", ACCT, "us-east-1").kms(&k), trail("sse", ACCT, "us-east-1"), trail("unknown", ACCT, "us-east-1").unreadable_config(DENIED)]);
    let out = run(&inv, "CT202");
    assert_eq!(out.len(), 3);
    expect(for_resource(&out, &trail_arn("kms", ACCT, "us-east-1")), Status::Pass, &[&k]);
    expect(for_resource(&out, &trail_arn("sse", ACCT, "us-east-1")), Status::Fail, &[]);
    expect_error(for_resource(&out, &trail_arn("unknown", ACCT, "us-east-1")), "AccessDenied");
}

// =======================================================================================
// CT203 — cloudwatch-logs-not-integrated

const LOG_GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:*";
const CW_ROLE: &str = "arn:aws:iam::111111111111:role/CloudTrailToCloudWatch";

fn cw_trail() -> TrailBuilder {
    trail("main", ACCT, "us-east-1").cloudwatch(Some(LOG_GROUP), Some(CW_ROLE)).cw_delivered(hours_ago(1))
}

#[test]
fn ct203_pass_when_integrated_and_recent() {
    expect(&only(&account_with(vec![cw_trail()]), "CT203"), Status::Pass, &[]);
}

#[test]
fn ct203_fail_without_log_group() {
    expect(&only(&account_with(vec![trail("main", ACCT, "us-east-1")]), "CT203"), Status::Fail, &["CloudWatch Logs"]);
}

#[test]
fn ct203_fail_without_role() {
    let t = trail("main", ACCT, "us-east-1").cloudwatch(Some(LOG_GROUP), None).cw_delivered(hours_ago(1));
    expect(&only(&account_with(vec![t]), "CT203"), Status::Fail, &[]);
}

#[test]
fn ct203_fail_on_delivery_error() {
    let t = cw_trail().cw_error("AccessDeniedException: role cannot write");
    expect(&only(&account_with(vec![t]), "CT203"), Status::Fail, &["AccessDeniedException"]);
}

#[test]
fn ct203_fail_when_last_delivery_older_than_24h() {
    let t = cw_trail().cw_delivered(hours_ago(25));
    expect(&only(&account_with(vec![t]), "CT203"), Status::Fail, &["24"]);
}

#[test]
fn ct203_fail_when_never_delivered() {
    let t = cw_trail().cw_delivered(None);
    expect(&only(&account_with(vec![t]), "CT203"), Status::Fail, &[]);
}

#[test]
fn ct203_window_is_relative_to_scan_start() {
    // 23 h before the scan started is recent, whatever the wall clock says now.
    let t = cw_trail().cw_delivered(hours_ago(23));
    expect(&only(&account_with(vec![t]), "CT203"), Status::Pass, &[]);
}

#[test]
fn ct203_error_when_status_unreadable() {
    let t = trail("main", ACCT, "us-east-1").cloudwatch(Some(LOG_GROUP), Some(CW_ROLE)).unreadable_status(DENIED);
    expect_error(&only(&account_with(vec![t]), "CT203"), "AccessDenied");
}

#[test]
fn ct203_fail_without_log_group_even_when_status_unreadable() {
    // No log group: nothing reaches CloudWatch Logs whatever GetTrailStatus would say.
    let t = trail("main", ACCT, "us-east-1").unreadable_status(DENIED);
    let o = only(&account_with(vec![t]), "CT203");
    expect(&o, Status::Fail, &["no log group or no role", "status could not be read"]);
    assert!(o.evidence["not_read"]["trail_status"].to_string().contains("AccessDenied"), "evidence names what was not read: {}", o.evidence);
    assert!(o.cause.is_none(), "a FAIL has no cause: {:?}", o.cause);
}

#[test]
fn ct203_fail_without_role_even_when_status_unreadable() {
    let t = trail("main", ACCT, "us-east-1").cloudwatch(Some(LOG_GROUP), None).unreadable_status(DENIED);
    let o = only(&account_with(vec![t]), "CT203");
    expect(&o, Status::Fail, &[]);
    assert!(o.evidence.get("not_read").is_some(), "{}", o.evidence);
}

#[test]
fn ct203_no_not_read_when_everything_was_read() {
    let o = only(&account_with(vec![trail("main", ACCT, "us-east-1")]), "CT203");
    expect(&o, Status::Fail, &[]);
    assert!(o.evidence.get("not_read").is_none(), "{}", o.evidence);
}

#[test]
fn ct203_error_when_config_unreadable() {
    let t = trail("main", ACCT, "us-east-1").unreadable_config(DENIED);
    expect_error(&only(&account_with(vec![t]), "CT203"), "AccessDenied");
}

// =======================================================================================
// CT204 — log-delivery-failing

#[test]
fn ct204_pass_when_delivered_recently_without_errors() {
    expect(&only(&account_with(vec![trail("main", ACCT, "us-east-1").delivered(hours_ago(2))]), "CT204"), Status::Pass, &[]);
}

#[test]
fn ct204_fail_on_delivery_error() {
    let t = trail("main", ACCT, "us-east-1").delivery_error("AccessDenied");
    expect(&only(&account_with(vec![t]), "CT204"), Status::Fail, &["AccessDenied"]);
}

#[test]
fn ct204_fail_on_digest_delivery_error() {
    let t = trail("main", ACCT, "us-east-1").digest_error("NoSuchBucket");
    expect(&only(&account_with(vec![t]), "CT204"), Status::Fail, &["NoSuchBucket", "digest"]);
}

#[test]
fn ct204_fail_when_last_delivery_older_than_24h() {
    let t = trail("main", ACCT, "us-east-1").delivered(hours_ago(30));
    expect(&only(&account_with(vec![t]), "CT204"), Status::Fail, &["24"]);
}

#[test]
fn ct204_fail_when_never_delivered() {
    let t = trail("main", ACCT, "us-east-1").delivered(None);
    expect(&only(&account_with(vec![t]), "CT204"), Status::Fail, &[]);
}

#[test]
fn ct204_not_applicable_when_not_logging() {
    let t = trail("main", ACCT, "us-east-1").logging(false).delivered(hours_ago(500)).delivery_error("old error");
    expect(&only(&account_with(vec![t]), "CT204"), Status::NotApplicable, &[]);
}

#[test]
fn ct204_error_when_status_unreadable() {
    let t = trail("main", ACCT, "us-east-1").unreadable_status(DENIED);
    expect_error(&only(&account_with(vec![t]), "CT204"), "AccessDenied");
}

// =======================================================================================
// CT205 / CT206 — S3 data events (write / read)

fn s3_statuses(t: TrailBuilder) -> (Outcome, Outcome) {
    let inv = account_with(vec![t]);
    (only(&inv, "CT205"), only(&inv, "CT206"))
}

#[test]
fn ct205_ct206_fail_with_default_selectors() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").multi_region());
    expect(&w, Status::Fail, &["write"]);
    expect(&r, Status::Fail, &["read"]);
}

#[test]
fn ct205_ct206_classic_all_buckets_all_types() {
    for value in ["arn:aws:s3", "arn:aws:s3:::"] {
        let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("All", &[value])]));
        expect(&w, Status::Pass, &["trail/main"]);
        expect(&r, Status::Pass, &["trail/main"]);
    }
}

#[test]
fn ct205_ct206_classic_write_only_all_buckets() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("WriteOnly", &["arn:aws:s3"])]));
    expect(&w, Status::Pass, &[]);
    expect(&r, Status::Fail, &[]);
}

#[test]
fn ct205_ct206_classic_read_only_all_buckets() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("ReadOnly", &["arn:aws:s3"])]));
    expect(&w, Status::Fail, &[]);
    expect(&r, Status::Pass, &[]);
}

#[test]
fn ct205_ct206_classic_read_only_plus_write_only_selectors() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("ReadOnly", &["arn:aws:s3"]), classic_s3("WriteOnly", &["arn:aws:s3"])]));
    expect(&w, Status::Pass, &[]);
    expect(&r, Status::Pass, &[]);
}

#[test]
fn ct205_fail_lists_the_single_covered_bucket() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("All", &["arn:aws:s3:::payments/"])]));
    expect(&w, Status::Fail, &["arn:aws:s3:::payments/"]);
    expect(&r, Status::Fail, &["arn:aws:s3:::payments/"]);
}

#[test]
fn ct205_classic_non_s3_data_resource_does_not_count() {
    let sel = ClassicEventSelector {
        data_resources: vec![DataResource { resource_type: "AWS::Lambda::Function".into(), values: strings(&["arn:aws:lambda"]) }],
        ..classic("All", true)
    };
    let (w, _) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![sel]));
    expect(&w, Status::Fail, &[]);
}

#[test]
fn ct205_ct206_advanced_all_buckets_without_read_only() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![adv_management(vec![]), adv_s3(vec![])]));
    expect(&w, Status::Pass, &[]);
    expect(&r, Status::Pass, &[]);
}

#[test]
fn ct205_ct206_advanced_read_only_false_is_write() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![adv_s3(vec![eq("readOnly", &["false"])])]));
    expect(&w, Status::Pass, &[]);
    expect(&r, Status::Fail, &[]);
}

#[test]
fn ct205_ct206_advanced_read_only_true_is_read() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![adv_s3(vec![eq("readOnly", &["true"])])]));
    expect(&w, Status::Fail, &[]);
    expect(&r, Status::Pass, &[]);
}

#[test]
fn ct205_advanced_with_resources_arn_is_partial() {
    let sel = adv_s3(vec![starts("resources.ARN", &["arn:aws:s3:::payments/"])]);
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![sel]));
    expect(&w, Status::Fail, &["arn:aws:s3:::payments/"]);
    expect(&r, Status::Fail, &["arn:aws:s3:::payments/"]);
}

#[test]
fn ct205_advanced_with_resources_arn_and_read_only_false() {
    let sel = adv_s3(vec![eq("readOnly", &["false"]), eq("resources.ARN", &["arn:aws:s3:::payments/invoice.pdf"])]);
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![sel]));
    expect(&w, Status::Fail, &["payments"]);
    expect(&r, Status::Fail, &[]);
    assert!(!r.message.contains("payments"), "read coverage must not list a write-only selector: {}", r.message);
}

#[test]
fn ct205_advanced_data_selector_for_other_resource_type_does_not_count() {
    let sel = adv(vec![eq("eventCategory", &["Data"]), eq("resources.type", &["AWS::DynamoDB::Table"])]);
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").advanced(vec![sel]));
    expect(&w, Status::Fail, &[]);
    expect(&r, Status::Fail, &[]);
}

#[test]
fn ct205_fail_when_recording_trail_is_not_logging() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").logging(false).classic(vec![classic_s3("All", &["arn:aws:s3"])]));
    expect(&w, Status::Fail, &[]);
    expect(&r, Status::Fail, &[]);
}

#[test]
fn ct205_pass_via_second_trail() {
    let inv = account_with(vec![trail("mgmt", ACCT, "us-east-1").multi_region(), trail("data", ACCT, "us-east-1").advanced(vec![adv_s3(vec![])])]);
    expect(&only(&inv, "CT205"), Status::Pass, &["trail/data"]);
    expect(&only(&inv, "CT206"), Status::Pass, &["trail/data"]);
}

#[test]
fn ct205_ct206_pass_via_org_trail_for_member() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail().advanced(vec![adv_management(vec![]), adv_s3(vec![])]);
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    let inv = in_org(inventory(vec![mgmt, account(MEMBER)], vec![org_trail], vec![], vec![], vec![]));
    expect(for_account(&run(&inv, "CT205"), MEMBER), Status::Pass, &[]);
    expect(for_account(&run(&inv, "CT206"), MEMBER), Status::Pass, &[]);
}

#[test]
fn ct205_ct206_error_when_selectors_unreadable() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").unreadable_selectors(DENIED));
    expect_error(&w, "AccessDenied");
    expect_error(&r, "AccessDenied");
}

#[test]
fn ct205_ct206_error_when_status_unreadable() {
    let (w, r) = s3_statuses(trail("main", ACCT, "us-east-1").classic(vec![classic_s3("All", &["arn:aws:s3"])]).unreadable_status(DENIED));
    expect_error(&w, "AccessDenied");
    expect_error(&r, "AccessDenied");
}

// =======================================================================================
// CT207 — insights-not-enabled

#[test]
fn ct207_pass_multi_region_logging_with_insights() {
    let t = trail("main", ACCT, "us-east-1").multi_region().insights(&["ApiCallRateInsight", "ApiErrorRateInsight"]);
    expect(&only(&account_with(vec![t]), "CT207"), Status::Pass, &["ApiCallRateInsight"]);
}

#[test]
fn ct207_pass_with_only_error_rate_insight() {
    let t = trail("main", ACCT, "us-east-1").multi_region().insights(&["ApiErrorRateInsight"]);
    expect(&only(&account_with(vec![t]), "CT207"), Status::Pass, &[]);
}

#[test]
fn ct207_fail_multi_region_logging_without_insights() {
    let t = trail("main", ACCT, "us-east-1").multi_region();
    expect(&only(&account_with(vec![t]), "CT207"), Status::Fail, &["Insights"]);
}

#[test]
fn ct207_fail_when_insight_list_is_empty() {
    // Present but empty is "no insight selectors", not "Insights enabled".
    let t = trail("main", ACCT, "us-east-1").multi_region().insights(&[]);
    expect(&only(&account_with(vec![t]), "CT207"), Status::Fail, &[]);
}

#[test]
fn ct207_not_applicable_on_single_region_trail() {
    let t = trail("main", ACCT, "us-east-1");
    expect(&only(&account_with(vec![t]), "CT207"), Status::NotApplicable, &[]);
}

#[test]
fn ct207_not_applicable_on_non_logging_trail() {
    let t = trail("main", ACCT, "us-east-1").multi_region().logging(false);
    expect(&only(&account_with(vec![t]), "CT207"), Status::NotApplicable, &[]);
}

#[test]
fn ct207_error_when_insight_selectors_unreadable() {
    let t = trail("main", ACCT, "us-east-1").multi_region().unreadable_insights(DENIED);
    expect_error(&only(&account_with(vec![t]), "CT207"), "AccessDenied");
}

#[test]
fn ct207_error_when_status_unreadable() {
    let t = trail("main", ACCT, "us-east-1").multi_region().unreadable_status(DENIED);
    expect_error(&only(&account_with(vec![t]), "CT207"), "AccessDenied");
}

// =======================================================================================
// CT208 — notification-topic-missing

pub const TOPIC: &str = "arn:aws:sns:us-east-1:111111111111:cloudtrail-notifications";

fn with_topic(t: TrailBuilder, topics: Vec<Topic>) -> Inventory {
    let listed = vec![t.trail_ref()];
    inventory(vec![Account { listed_trails: Fact::Present(listed), ..account(ACCT) }], vec![t], vec![bucket("logs", ACCT)], vec![], topics)
}

#[test]
fn ct208_not_applicable_without_topic() {
    expect(&only(&with_topic(trail("main", ACCT, "us-east-1"), vec![]), "CT208"), Status::NotApplicable, &[]);
}

#[test]
fn ct208_pass_when_topic_exists() {
    let inv = with_topic(trail("main", ACCT, "us-east-1").sns(TOPIC), vec![topic(TOPIC, Fact::Present(TopicAttributes { subscriptions_confirmed: Some(1) }))]);
    expect(&only(&inv, "CT208"), Status::Pass, &[TOPIC]);
}

#[test]
fn ct208_fail_when_topic_does_not_exist() {
    let inv = with_topic(trail("main", ACCT, "us-east-1").sns(TOPIC), vec![topic(TOPIC, Fact::Absent)]);
    expect(&only(&inv, "CT208"), Status::Fail, &[TOPIC]);
}

#[test]
fn ct208_error_when_topic_unreadable() {
    let inv = with_topic(trail("main", ACCT, "us-east-1").sns(TOPIC), vec![topic(TOPIC, unavailable("AuthorizationError: sns:GetTopicAttributes"))]);
    expect_error(&only(&inv, "CT208"), "AuthorizationError");
}

#[test]
fn ct208_error_when_topic_not_collected() {
    let inv = with_topic(trail("main", ACCT, "us-east-1").sns(TOPIC), vec![]);
    expect(&only(&inv, "CT208"), Status::Error, &[TOPIC]);
}

#[test]
fn ct208_error_when_config_unreadable() {
    let inv = with_topic(trail("main", ACCT, "us-east-1").unreadable_config(DENIED), vec![]);
    expect_error(&only(&inv, "CT208"), "AccessDenied");
}

// =======================================================================================
// CT209 — not-delivering-to-central-bucket

pub fn central(name: &str) -> EvalParams {
    EvalParams { central_bucket: Some(name.into()), ..EvalParams::default() }
}

#[test]
fn ct209_not_applicable_without_central_bucket() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").bucket("anything")]);
    expect(&only(&inv, "CT209"), Status::NotApplicable, &[]);
}

#[test]
fn ct209_pass_when_delivering_to_central_bucket() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").bucket("org-central-logs")]);
    expect(&only_with(&inv, &central("org-central-logs"), "CT209"), Status::Pass, &["org-central-logs"]);
}

#[test]
fn ct209_fail_when_delivering_elsewhere() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").bucket("local-logs")]);
    expect(&only_with(&inv, &central("org-central-logs"), "CT209"), Status::Fail, &["local-logs", "org-central-logs"]);
}

#[test]
fn ct209_error_when_config_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect_error(&only_with(&inv, &central("org-central-logs"), "CT209"), "AccessDenied");
}

#[test]
fn ct209_not_applicable_without_central_bucket_even_if_config_unreadable() {
    // Nothing needs to be read when no central bucket is configured.
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect(&only(&inv, "CT209"), Status::NotApplicable, &[]);
}
