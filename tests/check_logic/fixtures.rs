//! Builders of inventories, outcomes helpers and shared constants for the check-logic tests.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use trailwarden::checks::{EvalParams, Outcome, Status, evaluate};
use trailwarden::inventory::*;

// ---------------------------------------------------------------------------------------
// Fixture builders.

pub const ACCT: &str = "111111111111";
pub const MGMT: &str = "999999999999";
pub const MEMBER: &str = "222222222222";
pub const LOG_ARCHIVE: &str = "333333333333";
pub const DENIED: &str = "AccessDenied: User is not authorized to perform this action";

pub fn started_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

pub fn hours_ago(h: i64) -> Option<DateTime<Utc>> {
    Some(started_at() - Duration::hours(h))
}

pub fn unavailable<T>(reason: &str) -> Fact<T> {
    Fact::Unavailable(Unavailable::new(UnavailableKind::guess_from_text(reason), reason.split(": ").next(), reason))
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A readable account with two enabled regions, no trails listed, no account-level PAB.
pub fn account(id: &str) -> Account {
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

pub fn unscannable_account(id: &str) -> Account {
    Account {
        access: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        regions: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        listed_trails: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        public_access_block: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        owned_buckets: unavailable("sts:AssumeRole denied for role OrganizationAccountAccessRole"),
        ..account(id)
    }
}

pub fn pab(block_acls: bool, ignore_acls: bool, block_policy: bool, restrict: bool) -> PublicAccessBlock {
    PublicAccessBlock { block_public_acls: block_acls, ignore_public_acls: ignore_acls, block_public_policy: block_policy, restrict_public_buckets: restrict }
}

pub fn trail_arn(name: &str, account: &str, region: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}

/// A trail: logging, single-region, global service events on, validation on, delivering to
/// bucket `logs` within the last hour, default selectors (management All), no KMS, no SNS,
/// no CloudWatch Logs, no insights.
pub struct TrailBuilder {
    pub trail: Trail,
}

pub fn trail(name: &str, account: &str, region: &str) -> TrailBuilder {
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
    pub fn arn(&self) -> String {
        self.trail.arn.clone()
    }
    pub fn cfg(mut self, f: impl FnOnce(&mut TrailConfig)) -> Self {
        match &mut self.trail.config {
            Fact::Present(c) => f(c),
            _ => panic!("fixture: configuring a trail whose config is not present"),
        }
        self
    }
    pub fn st(mut self, f: impl FnOnce(&mut TrailStatus)) -> Self {
        match &mut self.trail.status {
            Fact::Present(s) => f(s),
            _ => panic!("fixture: setting status of a trail whose status is not present"),
        }
        self
    }
    pub fn logging(self, on: bool) -> Self {
        self.st(|s| s.is_logging = on)
    }
    pub fn multi_region(self) -> Self {
        self.cfg(|c| c.is_multi_region_trail = true)
    }
    pub fn org_trail(self) -> Self {
        self.cfg(|c| c.is_organization_trail = true)
    }
    pub fn global_events(self, on: bool) -> Self {
        self.cfg(|c| c.include_global_service_events = on)
    }
    pub fn validation(self, on: bool) -> Self {
        self.cfg(|c| c.log_file_validation_enabled = on)
    }
    pub fn bucket(self, name: &str) -> Self {
        let name = name.to_string();
        self.cfg(|c| c.s3_bucket_name = Some(name))
    }
    pub fn no_bucket(self) -> Self {
        self.cfg(|c| c.s3_bucket_name = None)
    }
    pub fn key_prefix(self, prefix: &str) -> Self {
        let prefix = prefix.to_string();
        self.cfg(|c| c.s3_key_prefix = Some(prefix))
    }
    pub fn kms(self, key: &str) -> Self {
        let key = key.to_string();
        self.cfg(|c| c.kms_key_id = Some(key))
    }
    pub fn sns(self, topic: &str) -> Self {
        let topic = topic.to_string();
        self.cfg(|c| c.sns_topic_arn = Some(topic))
    }
    pub fn cloudwatch(self, group: Option<&str>, role: Option<&str>) -> Self {
        let (group, role) = (group.map(str::to_string), role.map(str::to_string));
        self.cfg(|c| {
            c.cloud_watch_logs_log_group_arn = group;
            c.cloud_watch_logs_role_arn = role;
        })
    }
    pub fn cw_delivered(self, at: Option<DateTime<Utc>>) -> Self {
        self.st(|s| s.latest_cloud_watch_logs_delivery_time = at)
    }
    pub fn cw_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_cloud_watch_logs_delivery_error = Some(err))
    }
    pub fn delivered(self, at: Option<DateTime<Utc>>) -> Self {
        self.st(|s| s.latest_delivery_time = at)
    }
    pub fn delivery_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_delivery_error = Some(err))
    }
    pub fn digest_error(self, err: &str) -> Self {
        let err = err.to_string();
        self.st(|s| s.latest_digest_delivery_error = Some(err))
    }
    pub fn stopped(self, at: DateTime<Utc>) -> Self {
        self.st(|s| {
            s.is_logging = false;
            s.stop_logging_time = Some(at);
        })
    }
    pub fn classic(mut self, selectors: Vec<ClassicEventSelector>) -> Self {
        self.trail.event_selectors = Fact::Present(EventSelectors { classic: selectors, advanced: vec![] });
        self.cfg(|c| c.has_custom_event_selectors = true)
    }
    pub fn advanced(mut self, selectors: Vec<AdvancedEventSelector>) -> Self {
        self.trail.event_selectors = Fact::Present(EventSelectors { classic: vec![], advanced: selectors });
        self.cfg(|c| c.has_custom_event_selectors = true)
    }
    pub fn insights(mut self, types: &[&str]) -> Self {
        self.trail.insight_selectors = Fact::Present(strings(types));
        self.cfg(|c| c.has_insight_selectors = true)
    }
    pub fn unreadable_config(mut self, reason: &str) -> Self {
        self.trail.config = unavailable(reason);
        self
    }
    pub fn unreadable_status(mut self, reason: &str) -> Self {
        self.trail.status = unavailable(reason);
        self
    }
    pub fn unreadable_selectors(mut self, reason: &str) -> Self {
        self.trail.event_selectors = unavailable(reason);
        self
    }
    pub fn unreadable_insights(mut self, reason: &str) -> Self {
        self.trail.insight_selectors = unavailable(reason);
        self
    }
    pub fn trail_ref(&self) -> TrailRef {
        TrailRef { arn: self.trail.arn.clone(), name: self.trail.name.clone(), home_region: self.trail.home_region.clone() }
    }
}

// Classic selectors.
pub fn classic(read_write: &str, management: bool) -> ClassicEventSelector {
    ClassicEventSelector { read_write_type: read_write.into(), include_management_events: management, data_resources: vec![], exclude_management_event_sources: vec![] }
}

pub fn classic_excluding(sources: &[&str]) -> ClassicEventSelector {
    ClassicEventSelector { exclude_management_event_sources: strings(sources), ..classic("All", true) }
}

pub fn classic_s3(read_write: &str, values: &[&str]) -> ClassicEventSelector {
    ClassicEventSelector {
        data_resources: vec![DataResource { resource_type: "AWS::S3::Object".into(), values: strings(values) }],
        ..classic(read_write, true)
    }
}

// Advanced selectors.
pub fn eq(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), equals: strings(values), ..Default::default() }
}

pub fn not_eq(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), not_equals: strings(values), ..Default::default() }
}

pub fn starts(field: &str, values: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.into(), starts_with: strings(values), ..Default::default() }
}

pub fn adv(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector { name: Some("selector".into()), field_selectors: fields }
}

pub fn adv_management(extra: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    let mut fields = vec![eq("eventCategory", &["Management"])];
    fields.extend(extra);
    adv(fields)
}

pub fn adv_s3(extra: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    let mut fields = vec![eq("eventCategory", &["Data"]), eq("resources.type", &["AWS::S3::Object"])];
    fields.extend(extra);
    adv(fields)
}

pub fn tls_deny_statement(resource: serde_json::Value) -> serde_json::Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

pub fn cloudtrail_write_statement(bucket: &str) -> serde_json::Value {
    json!({
        "Sid": "AWSCloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/*"),
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    })
}

pub fn policy(statements: Vec<serde_json::Value>) -> Fact<String> {
    Fact::Present(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

pub fn owner_grant(owner: &str) -> AclGrant {
    AclGrant { grantee_type: "CanonicalUser".into(), grantee: format!("canonical-id-of-{owner}"), permission: "FULL_CONTROL".into() }
}

pub fn all_users_grant() -> AclGrant {
    AclGrant { grantee_type: "Group".into(), grantee: "http://acs.amazonaws.com/groups/global/AllUsers".into(), permission: "READ".into() }
}

pub fn authenticated_users_grant() -> AclGrant {
    AclGrant { grantee_type: "Group".into(), grantee: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers".into(), permission: "READ".into() }
}

/// A log bucket compliant with every CT3xx check.
pub fn bucket(name: &str, owner: &str) -> Bucket {
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

pub fn missing_bucket(name: &str) -> Bucket {
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

pub fn lifecycle(id: &str, enabled: bool, prefix: Option<&str>, days: i32) -> LifecycleRule {
    LifecycleRule { id: Some(id.into()), enabled, prefix: prefix.map(str::to_string), has_tag_filter: false, expiration_days: Some(days), expiration_date: None }
}

pub fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:us-east-1:{ACCT}:key/{id}")
}

pub fn key(reference: &str, state: &str, rotation: Fact<bool>) -> Key {
    Key {
        reference: reference.to_string(),
        account_id: ACCT.into(),
        region: "us-east-1".into(),
        metadata: Fact::Present(KeyMetadata { arn: reference.to_string(), key_state: state.into(), key_manager: "CUSTOMER".into() }),
        rotation_enabled: rotation,
    }
}

pub fn topic(arn: &str, attributes: Fact<TopicAttributes>) -> Topic {
    Topic { arn: arn.to_string(), attributes, subscriptions: Fact::Present(Vec::new()) }
}

pub fn inventory(accounts: Vec<Account>, trails: Vec<TrailBuilder>, buckets: Vec<Bucket>, keys: Vec<Key>, topics: Vec<Topic>) -> Inventory {
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
        metric_alarms: BTreeMap::new(),
        integrity: None,
        shard: None,
        merged: None,
    }
}

/// The same inventory, scanned as an organization whose management account is `MGMT`.
pub fn in_org(mut inv: Inventory) -> Inventory {
    inv.scan.mode = ScanMode::Organization;
    inv.scan.caller.account_id = MGMT.into();
    inv.organization = Some(Organization { id: "o-abc123def4".into(), management_account_id: MGMT.into(), units: None });
    inv
}

/// One account (`ACCT`) with these trails, all listed by its ListTrails, and bucket `logs`.
pub fn account_with(trails: Vec<TrailBuilder>) -> Inventory {
    let listed = trails.iter().map(|t| t.trail_ref()).collect();
    inventory(vec![Account { listed_trails: Fact::Present(listed), ..account(ACCT) }], trails, vec![bucket("logs", ACCT)], vec![], vec![])
}

/// One account owning bucket `logs` (as given) with one default trail delivering there.
pub fn with_bucket(b: Bucket) -> Inventory {
    inventory(vec![account(ACCT)], vec![trail("main", ACCT, "us-east-1")], vec![b], vec![], vec![])
}

pub fn with_bucket_and_account_pab(b: Bucket, account_pab: Fact<PublicAccessBlock>) -> Inventory {
    inventory(vec![Account { public_access_block: account_pab, ..account(ACCT) }], vec![trail("main", ACCT, "us-east-1")], vec![b], vec![], vec![])
}

// ---------------------------------------------------------------------------------------
// Running checks and asserting on outcomes.

pub fn run_with(inv: &Inventory, params: &EvalParams, code: &str) -> Vec<Outcome> {
    let out: Vec<Outcome> = evaluate(inv, params, Some(&[code])).collect();
    assert!(out.iter().all(|o| o.check == code), "evaluate returned outcomes of other checks than {code}");
    out
}

pub fn run(inv: &Inventory, code: &str) -> Vec<Outcome> {
    run_with(inv, &EvalParams::default(), code)
}

#[track_caller]
pub fn only(inv: &Inventory, code: &str) -> Outcome {
    only_with(inv, &EvalParams::default(), code)
}

#[track_caller]
pub fn only_with(inv: &Inventory, params: &EvalParams, code: &str) -> Outcome {
    let mut out = run_with(inv, params, code);
    assert_eq!(out.len(), 1, "{code}: expected exactly one outcome, got {out:#?}");
    out.remove(0)
}

#[track_caller]
pub fn for_resource<'a>(outcomes: &'a [Outcome], resource: &str) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes.iter().filter(|o| o.resource == resource).collect();
    assert_eq!(found.len(), 1, "expected one outcome on {resource}, got {outcomes:#?}");
    found[0]
}

#[track_caller]
pub fn for_account<'a>(outcomes: &'a [Outcome], account: &str) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes.iter().filter(|o| o.account == account).collect();
    assert_eq!(found.len(), 1, "expected one outcome for account {account}, got {outcomes:#?}");
    found[0]
}

#[track_caller]
pub fn expect(o: &Outcome, status: Status, words: &[&str]) {
    assert_eq!(o.status, status, "{} on {}: expected {}, got {}: {}", o.check, o.resource, status.as_str(), o.status.as_str(), o.message);
    for w in words {
        assert!(o.message.contains(w), "{} on {} ({}): message lacks {w:?}: {}", o.check, o.resource, o.status.as_str(), o.message);
    }
}

/// ERROR that names why (the reason text appears in the message).
#[track_caller]
pub fn expect_error(o: &Outcome, reason_fragment: &str) {
    expect(o, Status::Error, &[reason_fragment]);
}
