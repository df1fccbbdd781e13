//! Unit tests of the check logic (CT1xx–CT4xx) against hand-built inventories.
//!
//! No AWS, no emulator: each test builds an [`Inventory`] with the small builders below and
//! asserts the exact status (and, where it matters, key words of the message) of the
//! outcomes `checks::evaluate` gives. The contract is `design/checks.md`: in particular a
//! fact that is `Unavailable` must give ERROR, never PASS or FAIL.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use trailwarden::checks::{EvalParams, Outcome, Status, evaluate};
use trailwarden::inventory::*;

// ---------------------------------------------------------------------------------------
// Fixture builders.

const ACCT: &str = "111111111111";
const MGMT: &str = "999999999999";
const MEMBER: &str = "222222222222";
const LOG_ARCHIVE: &str = "333333333333";
const DENIED: &str = "AccessDenied: User is not authorized to perform this action";

fn started_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn hours_ago(h: i64) -> Option<DateTime<Utc>> {
    Some(started_at() - Duration::hours(h))
}

fn unavailable<T>(reason: &str) -> Fact<T> {
    Fact::Unavailable(Unavailable::new(UnavailableKind::guess_from_text(reason), reason.split(": ").next(), reason))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A readable account with two enabled regions, no trails listed, no account-level PAB.
fn account(id: &str) -> Account {
    Account {
        id: id.to_string(),
        name: Some(format!("account-{id}")),
        access: Fact::Present(AccountAccess { via: "caller".into() }),
        regions: Fact::Present(strings(&["us-east-1", "eu-west-1"])),
        listed_trails: Fact::Present(vec![]),
        public_access_block: Fact::Absent,
        owned_buckets: Fact::Present(vec![]),
    }
}

fn unscannable_account(id: &str) -> Account {
    Account {
        access: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        regions: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        listed_trails: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        public_access_block: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        owned_buckets: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        ..account(id)
    }
}

fn pab(block_acls: bool, ignore_acls: bool, block_policy: bool, restrict: bool) -> PublicAccessBlock {
    PublicAccessBlock { block_public_acls: block_acls, ignore_public_acls: ignore_acls, block_public_policy: block_policy, restrict_public_buckets: restrict }
}

fn trail_arn(name: &str, account: &str, region: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}

/// A trail: logging, single-region, global service events on, validation on, delivering to
/// bucket `logs` within the last hour, default selectors (management All), no KMS, no SNS,
/// no CloudWatch Logs, no insights.
struct TrailBuilder {
    trail: Trail,
}

fn trail(name: &str, account: &str, region: &str) -> TrailBuilder {
    TrailBuilder {
        trail: Trail {
            arn: trail_arn(name, account, region),
            name: name.to_string(),
            home_region: region.to_string(),
            account_id: account.to_string(),
            config: Fact::Present(TrailConfig {
                s3_bucket_name: Some("logs".into()),
                include_global_service_events: true,
                log_file_validation_enabled: true,
                ..Default::default()
            }),
            status: Fact::Present(TrailStatus {
                is_logging: true,
                latest_delivery_time: hours_ago(1),
                latest_digest_delivery_time: hours_ago(1),
                start_logging_time: Some(started_at() - Duration::days(100)),
                ..Default::default()
            }),
            event_selectors: Fact::Present(EventSelectors::default()),
            insight_selectors: Fact::Absent,
        },
    }
}

impl TrailBuilder {
    fn arn(&self) -> String {
        self.trail.arn.clone()
    }
    fn cfg(mut self, f: impl FnOnce(&mut TrailConfig)) -> Self {
        match &mut self.trail.config {
            Fact::Present(c) => f(c),
            _ => panic!("fixture: configuring a trail whose config is not present"),
        }
        self
    }
    fn st(mut self, f: impl FnOnce(&mut TrailStatus)) -> Self {
        match &mut self.trail.status {
            Fact::Present(s) => f(s),
            _ => panic!("fixture: setting status of a trail whose status is not present"),
        }
        self
    }
    fn logging(self, on: bool) -> Self {
        self.st(|s| s.is_logging = on)
    }
    fn multi_region(self) -> Self {
        self.cfg(|c| c.is_multi_region_trail = true)
    }
    fn org_trail(self) -> Self {
        self.cfg(|c| c.is_organization_trail = true)
    }
    fn global_events(self, on: bool) -> Self {
        self.cfg(|c| c.include_global_service_events = on)
    }
    fn validation(self, on: bool) -> Self {
        self.cfg(|c| c.log_file_validation_enabled = on)
    }
    fn bucket(self, name: &str) -> Self {
        let name = name.to_string();
        self.cfg(|c| c.s3_bucket_name = Some(name))
    }
    fn no_bucket(self) -> Self {
        self.cfg(|c| c.s3_bucket_name = None)
    }
    fn key_prefix(self, prefix: &str) -> Self {
        let prefix = prefix.to_string();
        self.cfg(|c| c.s3_key_prefix = Some(prefix))
    }
    fn kms(self, key: &str) -> Self {
        let key = key.to_string();
        self.cfg(|c| c.kms_key_id = Some(key))
    }
    fn sns(self, topic: &str) -> Self {
        let topic = topic.to_string();
        self.cfg(|c| c.sns_topic_arn = Some(topic))
    }
    fn cloudwatch(self, group: Option<&str>, role: Option<&str>) -> Self {
        let (group, role) = (group.map(str::to_string), role.map(str::to_string));
        self.cfg(|c| {
            c.cloud_watch_logs_log_group_arn = group;
            c.cloud_watch_logs_role_arn = role;
        })
    }
    fn cw_delivered(self, at: Option<DateTime<Utc>>) -> Self {
        self.st(|s| s.latest_cloud_watch_logs_delivery_time = at)
    }
    fn cw_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_cloud_watch_logs_delivery_error = Some(err))
    }
    fn delivered(self, at: Option<DateTime<Utc>>) -> Self {
        self.st(|s| s.latest_delivery_time = at)
    }
    fn delivery_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_delivery_error = Some(err))
    }
    fn digest_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_digest_delivery_error = Some(err))
    }
    fn stopped(self, at: DateTime<Utc>) -> Self {
        self.st(|s| {
            s.is_logging = false;
            s.stop_logging_time = Some(at);
        })
    }
    fn classic(mut self, selectors: Vec<ClassicEventSelector>) -> Self {
        self.trail.event_selectors = Fact::Present(EventSelectors { classic: selectors, advanced: vec![] });
        self.cfg(|c| c.has_custom_event_selectors = true)
    }
    fn advanced(mut self, selectors: Vec<AdvancedEventSelector>) -> Self {
        self.trail.event_selectors = Fact::Present(EventSelectors { classic: vec![], advanced: selectors });
        self.cfg(|c| c.has_custom_event_selectors = true)
    }
    fn insights(mut self, types: &[&str]) -> Self {
        self.trail.insight_selectors = Fact::Present(strings(types));
        self.cfg(|c| c.has_insight_selectors = true)
    }
    fn unreadable_config(mut self, reason: &str) -> Self {
        self.trail.config = unavailable(reason);
        self
    }
    fn unreadable_status(mut self, reason: &str) -> Self {
        self.trail.status = unavailable(reason);
        self
    }
    fn unreadable_selectors(mut self, reason: &str) -> Self {
        self.trail.event_selectors = unavailable(reason);
        self
    }
    fn unreadable_insights(mut self, reason: &str) -> Self {
        self.trail.insight_selectors = unavailable(reason);
        self
    }
    fn trail_ref(&self) -> TrailRef {
        TrailRef { arn: self.trail.arn.clone(), name: self.trail.name.clone(), home_region: self.trail.home_region.clone() }
    }
}

// Classic selectors.
fn classic(read_write: &str, management: bool) -> ClassicEventSelector {
    ClassicEventSelector { read_write_type: read_write.into(), include_management_events: management, data_resources: vec![], exclude_management_event_sources: vec![] }
}

fn classic_excluding(sources: &[&str]) -> ClassicEventSelector {
    ClassicEventSelector { exclude_management_event_sources: strings(sources), ..classic("All", true) }
}

fn classic_s3(read_write: &str, values: &[&str]) -> ClassicEventSelector {
    ClassicEventSelector {
        data_resources: vec![DataResource { resource_type: "AWS::S3::Object".into(), values: strings(values) }],
        ..classic(read_write, true)
    }
}

// Advanced selectors.
fn eq(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), equals: strings(values), ..Default::default() }
}

fn not_eq(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), not_equals: strings(values), ..Default::default() }
}

fn starts(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), starts_with: strings(values), ..Default::default() }
}

fn adv(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector { name: Some("selector".into()), field_selectors: fields }
}

fn adv_management(extra: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    let mut fields = vec![eq("eventCategory", &["Management"])];
    fields.extend(extra);
    adv(fields)
}

fn adv_s3(extra: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    let mut fields = vec![eq("eventCategory", &["Data"]), eq("resources.type", &["AWS::S3::Object"])];
    fields.extend(extra);
    adv(fields)
}

fn tls_deny_statement(resource: serde_json::Value) -> serde_json::Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

fn cloudtrail_write_statement(bucket: &str) -> serde_json::Value {
    json!({
        "Sid": "AWSCloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/*"),
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    })
}

fn policy(statements: Vec<serde_json::Value>) -> Fact<String> {
    Fact::Present(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

fn owner_grant(owner: &str) -> AclGrant {
    AclGrant { grantee_type: "CanonicalUser".into(), grantee: format!("canonical-id-of-{owner}"), permission: "FULL_CONTROL".into() }
}

fn all_users_grant() -> AclGrant {
    AclGrant { grantee_type: "Group".into(), grantee: "http://acs.amazonaws.com/groups/global/AllUsers".into(), permission: "READ".into() }
}

fn authenticated_users_grant() -> AclGrant {
    AclGrant { grantee_type: "Group".into(), grantee: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers".into(), permission: "READ".into() }
}

/// A log bucket compliant with every CT3xx check.
fn bucket(name: &str, owner: &str) -> Bucket {
    Bucket {
        name: name.to_string(),
        owner: Fact::Present(BucketOwner { account_id: owner.to_string(), region: "us-east-1".into(), region_known: true }),
        policy: policy(vec![cloudtrail_write_statement(name), tls_deny_statement(json!([format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")]))]),
        policy_is_public: Fact::Present(false),
        acl_grants: Fact::Present(vec![owner_grant(owner)]),
        public_access_block: Fact::Present(pab(true, true, true, true)),
        logging: Fact::Present(BucketLogging { target_bucket: "access-logs".into(), target_prefix: format!("{name}/") }),
        versioning: Fact::Present(Versioning { status: Some("Enabled".into()), mfa_delete: Some("Enabled".into()) }),
        object_lock: Fact::Present(ObjectLock { enabled: true, default_retention_mode: Some("GOVERNANCE".into()), default_retention_days: Some(365), default_retention_years: None }),
        lifecycle_rules: Fact::Absent,
    }
}

fn missing_bucket(name: &str) -> Bucket {
    Bucket {
        owner: Fact::Absent,
        policy: unavailable("NoSuchBucket"),
        policy_is_public: unavailable("NoSuchBucket"),
        acl_grants: unavailable("NoSuchBucket"),
        public_access_block: unavailable("NoSuchBucket"),
        logging: unavailable("NoSuchBucket"),
        versioning: unavailable("NoSuchBucket"),
        object_lock: unavailable("NoSuchBucket"),
        lifecycle_rules: unavailable("NoSuchBucket"),
        ..bucket(name, ACCT)
    }
}

fn lifecycle(id: &str, enabled: bool, prefix: Option<&str>, days: i32) -> LifecycleRule {
    LifecycleRule { id: Some(id.into()), enabled, prefix: prefix.map(str::to_string), has_tag_filter: false, expiration_days: Some(days), expiration_date: None }
}

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:us-east-1:{ACCT}:key/{id}")
}

fn key(reference: &str, state: &str, rotation: Fact<bool>) -> Key {
    Key {
        reference: reference.to_string(),
        account_id: ACCT.into(),
        region: "us-east-1".into(),
        metadata: Fact::Present(KeyMetadata { arn: reference.to_string(), key_state: state.into(), key_manager: "CUSTOMER".into() }),
        rotation_enabled: rotation,
    }
}

fn topic(arn: &str, attributes: Fact<TopicAttributes>) -> Topic {
    Topic { arn: arn.to_string(), attributes }
}

fn inventory(accounts: Vec<Account>, trails: Vec<TrailBuilder>, buckets: Vec<Bucket>, keys: Vec<Key>, topics: Vec<Topic>) -> Inventory {
    Inventory {
        inventory_version: INVENTORY_VERSION,
        scan: ScanMetadata {
            tool_name: "trailwarden".into(),
            tool_version: "test".into(),
            started_at: started_at(),
            finished_at: started_at() + Duration::minutes(2),
            caller: Caller { account_id: ACCT.into(), arn: format!("arn:aws:iam::{ACCT}:role/auditor"), user_id: "AROAEXAMPLE".into() },
            mode: ScanMode::Account,
            requested_regions: None,
            notes: Vec::new(),
        },
        organization: None,
        accounts,
        trails: trails.into_iter().map(|t| (t.trail.arn.clone(), t.trail)).collect(),
        buckets: buckets.into_iter().map(|b| (b.name.clone(), b)).collect(),
        keys: keys.into_iter().map(|k| (k.reference.clone(), k)).collect(),
        topics: topics.into_iter().map(|t| (t.arn.clone(), t)).collect(),
        log_groups: BTreeMap::new(),
    }
}

/// The same inventory, scanned as an organization whose management account is `MGMT`.
fn in_org(mut inv: Inventory) -> Inventory {
    inv.scan.mode = ScanMode::Organization;
    inv.scan.caller.account_id = MGMT.into();
    inv.organization = Some(Organization { id: "o-abc123def4".into(), management_account_id: MGMT.into() });
    inv
}

/// One account (`ACCT`) with these trails, all listed by its ListTrails, and bucket `logs`.
fn account_with(trails: Vec<TrailBuilder>) -> Inventory {
    let listed = trails.iter().map(|t| t.trail_ref()).collect();
    inventory(vec![Account { listed_trails: Fact::Present(listed), ..account(ACCT) }], trails, vec![bucket("logs", ACCT)], vec![], vec![])
}

/// One account owning bucket `logs` (as given) with one default trail delivering there.
fn with_bucket(b: Bucket) -> Inventory {
    inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1")], vec![b], vec![], vec![])
}

fn with_bucket_and_account_pab(b: Bucket, account_pab: Fact<PublicAccessBlock>) -> Inventory {
    inventory(vec![Account { public_access_block: account_pab, ..account(ACCT) }], vec![trail("main", ACCT, "us-east-1")], vec![b], vec![], vec![])
}

// ---------------------------------------------------------------------------------------
// Running checks and asserting on outcomes.

fn run_with(inv: &Inventory, params: &EvalParams, code: &str) -> Vec<Outcome> {
    let out = evaluate(inv, params, Some(&[code]));
    assert!(out.iter().all(|o| o.check == code), "evaluate returned outcomes of other checks than {code}");
    out
}

fn run(inv: &Inventory, code: &str) -> Vec<Outcome> {
    run_with(inv, &EvalParams::default(), code)
}

#[track_caller]
fn only(inv: &Inventory, code: &str) -> Outcome {
    only_with(inv, &EvalParams::default(), code)
}

#[track_caller]
fn only_with(inv: &Inventory, params: &EvalParams, code: &str) -> Outcome {
    let mut out = run_with(inv, params, code);
    assert_eq!(out.len(), 1, "{code}: expected exactly one outcome, got {out:#?}");
    out.remove(0)
}

#[track_caller]
fn for_resource<'a>(outcomes: &'a [Outcome], resource: &str) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes.iter().filter(|o| o.resource == resource).collect();
    assert_eq!(found.len(), 1, "expected one outcome on {resource}, got {outcomes:#?}");
    found[0]
}

#[track_caller]
fn for_account<'a>(outcomes: &'a [Outcome], account: &str) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes.iter().filter(|o| o.account == account).collect();
    assert_eq!(found.len(), 1, "expected one outcome for account {account}, got {outcomes:#?}");
    found[0]
}

#[track_caller]
fn expect(o: &Outcome, status: Status, words: &[&str]) {
    assert_eq!(o.status, status, "{} on {}: expected {}, got {}: {}", o.check, o.resource, status.as_str(), o.status.as_str(), o.message);
    for w in words {
        assert!(o.message.contains(w), "{} on {} ({}): message lacks {w:?}: {}", o.check, o.resource, o.status.as_str(), o.message);
    }
}

/// ERROR that names why (the reason text appears in the message).
#[track_caller]
fn expect_error(o: &Outcome, reason_fragment: &str) {
    expect(o, Status::Error, &[reason_fragment]);
}

// =======================================================================================
// CT101 — no-logging-trail

#[test]
fn ct101_pass_when_own_trail_is_logging() {
    let t = trail("main", ACCT, "us-east-1");
    let arn = t.arn();
    let o = only(&account_with(vec![t]), "CT101");
    expect(&o, Status::Pass, &[&arn]);
    assert_eq!(o.account, ACCT);
}

#[test]
fn ct101_fail_when_no_trail_at_all() {
    let inv = inventory(vec![account(ACCT)], vec![], vec![], vec![], vec![]);
    expect(&only(&inv, "CT101"), Status::Fail, &[]);
}

#[test]
fn ct101_fail_when_only_trail_is_not_logging() {
    let inv = account_with(vec![trail("stopped", ACCT, "us-east-1").logging(false)]);
    expect(&only(&inv, "CT101"), Status::Fail, &[]);
}

#[test]
fn ct101_error_when_trail_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT101"), "AccessDenied");
}

#[test]
fn ct101_pass_when_one_trail_logs_even_if_another_is_unreadable() {
    let good = trail("good", ACCT, "us-east-1");
    let inv = account_with(vec![good, trail("other", ACCT, "eu-west-1").unreadable_status(DENIED)]);
    expect(&only(&inv, "CT101"), Status::Pass, &[]);
}

#[test]
fn ct101_error_when_trails_cannot_be_listed() {
    let inv = inventory(vec![Account { listed_trails: unavailable("ThrottlingException: Rate exceeded"), ..account(ACCT) }], vec![], vec![], vec![], vec![]);
    expect_error(&only(&inv, "CT101"), "ThrottlingException");
}

#[test]
fn ct101_org_trail_of_management_account_covers_member_without_trails() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    // The member's own ListTrails returned nothing: only the organization rule attributes the trail.
    let member = Account { listed_trails: Fact::Present(vec![]), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail], vec![bucket("logs", MGMT)], vec![], vec![]));
    let out = run(&inv, "CT101");
    assert_eq!(out.len(), 2);
    expect(for_account(&out, MEMBER), Status::Pass, &["trail/org"]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
    // Same for CT102.
    let out = run(&inv, "CT102");
    expect(for_account(&out, MEMBER), Status::Pass, &[]);
}

#[test]
fn ct101_non_org_trail_of_management_account_does_not_cover_member() {
    let mgmt_trail = trail("mgmt-only", MGMT, "us-east-1").multi_region();
    let mgmt = Account { listed_trails: Fact::Present(vec![mgmt_trail.trail_ref()]), ..account(MGMT) };
    let inv = in_org(inventory(vec![mgmt, account(MEMBER)], vec![mgmt_trail], vec![], vec![], vec![]));
    let out = run(&inv, "CT101");
    expect(for_account(&out, MEMBER), Status::Fail, &[]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
}

#[test]
fn account_scoped_checks_error_when_account_access_unavailable() {
    let inv = inventory(vec![unscannable_account(MEMBER), account(ACCT)], vec![trail("main", ACCT, "us-east-1").multi_region()], vec![bucket("logs", ACCT)], vec![], vec![]);
    for code in ["CT101", "CT102", "CT104", "CT105", "CT205", "CT206"] {
        let out = run(&inv, code);
        assert_eq!(out.len(), 2, "{code}: one outcome per account");
        expect_error(for_account(&out, MEMBER), "AssumeRole");
    }
    // CT103 (region scope) cannot list the regions either: still an ERROR, never PASS/FAIL.
    let out = run(&inv, "CT103");
    let member: Vec<&Outcome> = out.iter().filter(|o| o.account == MEMBER).collect();
    assert!(!member.is_empty(), "CT103 must report the unscannable account");
    for o in member {
        expect_error(o, "AssumeRole");
    }
}

// =======================================================================================
// CT102 — no-multi-region-management-trail

#[test]
fn ct102_pass_default_selectors_are_management_all() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT102"), Status::Pass, &["trail/main"]);
}

#[test]
fn ct102_pass_classic_all() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("All", true)])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_pass_classic_read_only_plus_write_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_fail_classic_read_only_alone() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("ReadOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_write_only_alone() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_without_management_events() {
    let sel = ClassicEventSelector { include_management_events: false, ..classic_s3("All", &["arn:aws:s3"]) };
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![sel])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_pass_advanced_management_without_read_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![])])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_pass_advanced_management_read_only_true_plus_false() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")
        .multi_region()
        .advanced(vec![adv_management(vec![eq("readOnly", &["true"])]), adv_management(vec![eq("readOnly", &["false"])])])]);
    expect(&only(&inv, "CT102"), Status::Pass, &[]);
}

#[test]
fn ct102_fail_advanced_management_read_only_true_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![eq("readOnly", &["true"])])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_advanced_data_only() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_s3(vec![])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_classic_excluded_management_sources() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().classic(vec![classic_excluding(&["kms.amazonaws.com"])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_advanced_event_source_not_equals() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![not_eq("eventSource", &["rdsdata.amazonaws.com"])])])]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_single_region_trail() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_fail_multi_region_but_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().logging(false)]);
    expect(&only(&inv, "CT102"), Status::Fail, &[]);
}

#[test]
fn ct102_error_when_selectors_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_selectors(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

#[test]
fn ct102_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

#[test]
fn ct102_error_when_config_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT102"), "AccessDenied");
}

// =======================================================================================
// CT103 — region-not-logged

fn three_regions() -> Fact<Vec<String>> {
    Fact::Present(strings(&["us-east-1", "eu-west-1", "ap-southeast-2"]))
}

#[test]
fn ct103_one_outcome_per_enabled_region_with_multi_region_trail() {
    let t = trail("main", ACCT, "us-east-1").multi_region();
    let inv = inventory(vec![Account { regions: three_regions(), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }], vec![t], vec![], vec![], vec![]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 3, "{out:#?}");
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let o = for_resource(&out, region);
        expect(o, Status::Pass, &[region]);
        assert_eq!(o.region.as_deref(), Some(region));
        assert_eq!(o.account, ACCT);
    }
}

#[test]
fn ct103_single_region_trail_covers_only_its_home_region() {
    let t = trail("home", ACCT, "us-east-1");
    let inv = inventory(vec![Account { regions: three_regions(), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }], vec![t], vec![], vec![], vec![]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 3);
    expect(for_resource(&out, "us-east-1"), Status::Pass, &[]);
    expect(for_resource(&out, "eu-west-1"), Status::Fail, &["eu-west-1"]);
    expect(for_resource(&out, "ap-southeast-2"), Status::Fail, &["ap-southeast-2"]);
}

#[test]
fn ct103_single_region_trail_in_other_region_leaves_region_uncovered() {
    let t = trail("elsewhere", ACCT, "eu-west-1");
    let inv = inventory(
        vec![Account { regions: Fact::Present(strings(&["us-east-1"])), listed_trails: Fact::Present(vec![t.trail_ref()]), ..account(ACCT) }],
        vec![t],
        vec![],
        vec![],
        vec![],
    );
    expect(&only(&inv, "CT103"), Status::Fail, &["us-east-1"]);
}

#[test]
fn ct103_fail_when_trail_records_no_management_events() {
    let inv = account_with(vec![trail("data", ACCT, "us-east-1").multi_region().advanced(vec![adv_s3(vec![])])]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o.status == Status::Fail), "{out:#?}");
}

#[test]
fn ct103_fail_when_multi_region_trail_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().logging(false)]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o.status == Status::Fail), "{out:#?}");
}

#[test]
fn ct103_classic_and_advanced_management_selectors_count() {
    for t in [
        trail("c", ACCT, "us-east-1").multi_region().classic(vec![classic("All", true)]),
        trail("a", ACCT, "us-east-1").multi_region().advanced(vec![adv_management(vec![])]),
    ] {
        let out = run(&account_with(vec![t]), "CT103");
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|o| o.status == Status::Pass), "{out:#?}");
    }
}

#[test]
fn ct103_error_per_region_when_only_trail_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().unreadable_status(DENIED)]);
    let out = run(&inv, "CT103");
    assert_eq!(out.len(), 2);
    for o in &out {
        expect_error(o, "AccessDenied");
    }
}

#[test]
fn ct103_error_when_regions_unreadable() {
    let inv = inventory(
        vec![Account { regions: unavailable("account:ListRegions AccessDenied"), ..account(ACCT) }],
        vec![trail("main", ACCT, "us-east-1").multi_region()],
        vec![],
        vec![],
        vec![],
    );
    let out = run(&inv, "CT103");
    assert!(!out.is_empty());
    for o in &out {
        expect_error(o, "ListRegions");
    }
}

#[test]
fn ct103_org_trail_covers_member_regions() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    let member = Account { regions: three_regions(), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail], vec![], vec![], vec![]));
    let out: Vec<Outcome> = run(&inv, "CT103").into_iter().filter(|o| o.account == MEMBER).collect();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:#?}");
}

// =======================================================================================
// CT104 — global-service-events-not-logged

#[test]
fn ct104_pass_when_logging_trail_includes_global_events() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true)]);
    expect(&only(&inv, "CT104"), Status::Pass, &["trail/main"]);
}

#[test]
fn ct104_fail_when_no_trail_includes_global_events() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region().global_events(false)]);
    expect(&only(&inv, "CT104"), Status::Fail, &[]);
}

#[test]
fn ct104_fail_when_global_trail_is_not_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true).logging(false), trail("other", ACCT, "us-east-1").global_events(false)]);
    expect(&only(&inv, "CT104"), Status::Fail, &[]);
}

#[test]
fn ct104_error_when_config_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT104"), "AccessDenied");
}

#[test]
fn ct104_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT104"), "AccessDenied");
}

// =======================================================================================
// CT105 — global-service-events-duplicated

#[test]
fn ct105_pass_with_one_global_trail() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").global_events(true), trail("regional", ACCT, "eu-west-1").global_events(false)]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_pass_with_no_trail() {
    let inv = inventory(vec![account(ACCT)], vec![], vec![], vec![], vec![]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_fail_with_two_logging_global_trails() {
    let a = trail("a", ACCT, "us-east-1").multi_region().global_events(true);
    let b = trail("b", ACCT, "eu-west-1").global_events(true);
    let (arn_a, arn_b) = (a.arn(), b.arn());
    let inv = account_with(vec![a, b]);
    expect(&only(&inv, "CT105"), Status::Fail, &["2", &arn_a, &arn_b]);
}

#[test]
fn ct105_pass_when_second_global_trail_is_not_logging() {
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), trail("b", ACCT, "eu-west-1").global_events(true).logging(false)]);
    expect(&only(&inv, "CT105"), Status::Pass, &[]);
}

#[test]
fn ct105_fail_when_member_has_own_global_trail_besides_org_trail() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail().global_events(true);
    let own = trail("own", MEMBER, "us-east-1").global_events(true);
    let mgmt = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref()]), ..account(MGMT) };
    let member = Account { listed_trails: Fact::Present(vec![org_trail.trail_ref(), own.trail_ref()]), ..account(MEMBER) };
    let inv = in_org(inventory(vec![mgmt, member], vec![org_trail, own], vec![], vec![], vec![]));
    let out = run(&inv, "CT105");
    expect(for_account(&out, MEMBER), Status::Fail, &[]);
    expect(for_account(&out, MGMT), Status::Pass, &[]);
}

#[test]
fn ct105_error_when_one_global_trail_and_another_unreadable() {
    let inv = account_with(vec![trail("a", ACCT, "us-east-1").global_events(true), trail("b", ACCT, "eu-west-1").unreadable_config(DENIED)]);
    expect_error(&only(&inv, "CT105"), "AccessDenied");
}

// =======================================================================================
// CT106 — management-event-sources-excluded

#[test]
fn ct106_pass_default_selectors() {
    let t = trail("main", ACCT, "us-east-1");
    let arn = t.arn();
    let o = only(&account_with(vec![t]), "CT106");
    expect(&o, Status::Pass, &[]);
    assert_eq!(o.resource, arn);
}

#[test]
fn ct106_pass_classic_and_advanced_without_exclusions() {
    let inv = account_with(vec![
        trail("c", ACCT, "us-east-1").classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)]),
        trail("a", ACCT, "us-east-1").advanced(vec![adv_management(vec![]), adv_s3(vec![])]),
    ]);
    let out = run(&inv, "CT106");
    assert_eq!(out.len(), 2);
    for o in &out {
        expect(o, Status::Pass, &[]);
    }
}

#[test]
fn ct106_fail_classic_exclude_management_event_sources() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").classic(vec![classic_excluding(&["kms.amazonaws.com", "rdsdata.amazonaws.com"])])]);
    expect(&only(&inv, "CT106"), Status::Fail, &["kms.amazonaws.com", "rdsdata.amazonaws.com"]);
}

#[test]
fn ct106_fail_advanced_event_source_not_equals() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").advanced(vec![adv_management(vec![not_eq("eventSource", &["kms.amazonaws.com"])])])]);
    expect(&only(&inv, "CT106"), Status::Fail, &["kms.amazonaws.com"]);
}

#[test]
fn ct106_error_when_selectors_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_selectors(DENIED)]);
    expect_error(&only(&inv, "CT106"), "AccessDenied");
}

#[test]
fn ct106_one_outcome_per_trail_even_when_listed_by_several_accounts() {
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail();
    let listed = Fact::Present(vec![org_trail.trail_ref()]);
    let inv = in_org(inventory(
        vec![Account { listed_trails: listed.clone(), ..account(MGMT) }, Account { listed_trails: listed, ..account(MEMBER) }],
        vec![org_trail],
        vec![],
        vec![],
        vec![],
    ));
    let o = only(&inv, "CT106");
    assert_eq!(o.account, MGMT);
}

// =======================================================================================
// CT107 — no-organization-trail

fn org_with(trails: Vec<TrailBuilder>) -> Inventory {
    let mgmt = Account { listed_trails: Fact::Present(trails.iter().map(|t| t.trail_ref()).collect()), ..account(MGMT) };
    in_org(inventory(vec![mgmt, account(MEMBER)], trails, vec![], vec![], vec![]))
}

#[test]
fn ct107_not_applicable_outside_organization_mode() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT107"), Status::NotApplicable, &["--org"]);
    // Organization known, but scanning one account: still not judged.
    let mut inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail()]);
    inv.scan.mode = ScanMode::Account;
    expect(&only(&inv, "CT107"), Status::NotApplicable, &[]);
}

#[test]
fn ct107_pass_logging_multi_region_org_trail() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail()]);
    let o = only(&inv, "CT107");
    expect(&o, Status::Pass, &["trail/org"]);
    assert_eq!(o.resource, "o-abc123def4");
}

#[test]
fn ct107_pass_classic_read_only_plus_write_only() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().classic(vec![classic("ReadOnly", true), classic("WriteOnly", true)])]);
    expect(&only(&inv, "CT107"), Status::Pass, &[]);
}

#[test]
fn ct107_pass_advanced_management() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().advanced(vec![adv_management(vec![])])]);
    expect(&only(&inv, "CT107"), Status::Pass, &[]);
}

#[test]
fn ct107_fail_advanced_management_read_only_true() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().advanced(vec![adv_management(vec![eq("readOnly", &["true"])])])]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_classic_read_only() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().classic(vec![classic("ReadOnly", true)])]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_single_region_org_trail() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").org_trail()]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_org_trail_not_logging() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().logging(false)]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_fail_multi_region_trail_that_is_not_an_org_trail() {
    let inv = org_with(vec![trail("mgmt", MGMT, "us-east-1").multi_region()]);
    expect(&only(&inv, "CT107"), Status::Fail, &[]);
}

#[test]
fn ct107_error_when_org_trail_status_unreadable() {
    let inv = org_with(vec![trail("org", MGMT, "us-east-1").multi_region().org_trail().unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT107"), "AccessDenied");
}

#[test]
fn ct107_error_when_management_trails_cannot_be_listed() {
    let mgmt = Account { listed_trails: unavailable("ThrottlingException: Rate exceeded"), ..account(MGMT) };
    let inv = in_org(inventory(vec![mgmt, account(MEMBER)], vec![], vec![], vec![], vec![]));
    expect_error(&only(&inv, "CT107"), "ThrottlingException");
}

#[test]
fn ct107_error_when_management_account_not_scanned() {
    let inv = in_org(inventory(vec![account(MEMBER)], vec![], vec![], vec![], vec![]));
    expect(&only(&inv, "CT107"), Status::Error, &[MGMT]);
}

// =======================================================================================
// CT108 — trail-not-logging

#[test]
fn ct108_pass_when_logging() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1")]);
    let o = only(&inv, "CT108");
    expect(&o, Status::Pass, &[]);
    assert_eq!(o.region.as_deref(), Some("us-east-1"));
}

#[test]
fn ct108_fail_names_when_logging_stopped() {
    let stopped = Utc.with_ymd_and_hms(2025, 5, 20, 8, 30, 0).unwrap();
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").stopped(stopped)]);
    expect(&only(&inv, "CT108"), Status::Fail, &["2025-05-20"]);
}

#[test]
fn ct108_fail_without_stop_time() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").logging(false)]);
    expect(&only(&inv, "CT108"), Status::Fail, &[]);
}

#[test]
fn ct108_error_when_status_unreadable() {
    let inv = account_with(vec![trail("main", ACCT, "us-east-1").unreadable_status(DENIED)]);
    expect_error(&only(&inv, "CT108"), "AccessDenied");
}

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

const TOPIC: &str = "arn:aws:sns:us-east-1:111111111111:cloudtrail-notifications";

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

fn central(name: &str) -> EvalParams {
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
    // CT105: nothing is known to log global events twice, and nothing is known not to.
    expect_error(&only(&inv, "CT105"), "AccessDenied");
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
