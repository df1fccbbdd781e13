//! The check registry and the types every check shares.
//!
//! Each check is one pure function from the inventory to outcomes, registered once in
//! [`REGISTRY`] with its code, name and scope. Its prose, severity and framework mappings
//! live in `checks/CTnnn.toml` (see [`metadata`]); a test holds the two together.
//!
//! Checks never call AWS, never read configuration files and never decide severity or
//! suppression: that is `policy`'s job. A check never turns missing evidence into PASS or
//! FAIL: when a fact it needs is `Unavailable`, the outcome is ERROR naming what and why.

pub mod bucket;
pub mod coverage;
pub mod integrity;
pub mod key;
pub mod metadata;
pub mod monitoring;
pub mod selectors;
pub mod trail_config;

use serde::{Deserialize, Serialize};

pub use crate::model::{Scope, Severity, Status};
pub(crate) use crate::model::{Arn, Partition, Unavailable, UnavailableKind};
use crate::inventory::{Account, Fact, Inventory, Trail, TrailConfig, TrailStatus};

/// Parameters of evaluation that come from the command line or config, not from AWS.
#[derive(Debug, Clone)]
pub struct EvalParams {
    /// CT209: the bucket every trail should deliver to.
    pub central_bucket: Option<String>,
    /// CT307: the shortest acceptable lifecycle expiration of log objects.
    pub min_retention_days: u32,
    /// CT516: the shortest acceptable retention of a trail's CloudWatch Logs log group.
    pub min_log_group_retention_days: u32,
    /// CT517: the regions the organization uses; activity elsewhere must raise an alarm.
    /// None: not configured (CT517 is NOT_APPLICABLE).
    pub allowed_regions: Option<Vec<String>>,
    /// CT5xx: the CIS version (`6.0`, `5.0`, …) whose sample events judge metric filters;
    /// None: the newest.
    pub cis_version: Option<String>,
}

/// CT307's default when neither the command line nor the config sets `min_retention_days`.
pub const DEFAULT_MIN_RETENTION_DAYS: u32 = 365;
/// CT516's default for `min_log_group_retention_days`.
pub const DEFAULT_MIN_LOG_GROUP_RETENTION_DAYS: u32 = 365;

impl Default for EvalParams {
    fn default() -> Self {
        EvalParams {
            central_bucket: None,
            min_retention_days: DEFAULT_MIN_RETENTION_DAYS,
            min_log_group_retention_days: DEFAULT_MIN_LOG_GROUP_RETENTION_DAYS,
            allowed_regions: None,
            cis_version: None,
        }
    }
}

/// What a check function sees: the inventory, the parameters, and its own code (from the
/// registry, so no check spells its code a second time).
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub params: &'a EvalParams,
    pub code: &'static str,
}

/// One verdict of one check on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub check: String,
    pub status: Status,
    pub account: String,
    pub region: Option<String>,
    /// ARN or name of what was judged.
    pub resource: String,
    pub message: String,
    /// The observed values that led to the verdict.
    pub evidence: serde_json::Value,
    /// For ERROR: why the evidence could not be read (kind, IAM action, message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Unavailable>,
}

pub struct CheckDef {
    pub code: &'static str,
    pub name: &'static str,
    pub scope: Scope,
    pub evaluate: fn(&Context) -> Vec<Outcome>,
}

/// Every check, in code order. The single table of what trailwarden checks.
pub static REGISTRY: &[CheckDef] = &[
    CheckDef { code: "CT101", name: "no-logging-trail", scope: Scope::Account, evaluate: coverage::ct101_no_logging_trail },
    CheckDef { code: "CT102", name: "no-multi-region-management-trail", scope: Scope::Account, evaluate: coverage::ct102_no_multi_region_management_trail },
    CheckDef { code: "CT103", name: "region-not-logged", scope: Scope::Region, evaluate: coverage::ct103_region_not_logged },
    CheckDef { code: "CT104", name: "global-service-events-not-logged", scope: Scope::Account, evaluate: coverage::ct104_global_service_events_not_logged },
    CheckDef { code: "CT105", name: "global-service-events-duplicated", scope: Scope::Account, evaluate: coverage::ct105_global_service_events_duplicated },
    CheckDef { code: "CT106", name: "management-event-sources-excluded", scope: Scope::Trail, evaluate: coverage::ct106_management_event_sources_excluded },
    CheckDef { code: "CT107", name: "no-organization-trail", scope: Scope::Org, evaluate: coverage::ct107_no_organization_trail },
    CheckDef { code: "CT108", name: "trail-not-logging", scope: Scope::Trail, evaluate: coverage::ct108_trail_not_logging },
    CheckDef { code: "CT201", name: "log-file-validation-disabled", scope: Scope::Trail, evaluate: trail_config::ct201_log_file_validation_disabled },
    CheckDef { code: "CT202", name: "logs-not-kms-encrypted", scope: Scope::Trail, evaluate: trail_config::ct202_logs_not_kms_encrypted },
    CheckDef { code: "CT203", name: "cloudwatch-logs-not-integrated", scope: Scope::Trail, evaluate: trail_config::ct203_cloudwatch_logs_not_integrated },
    CheckDef { code: "CT204", name: "log-delivery-failing", scope: Scope::Trail, evaluate: trail_config::ct204_log_delivery_failing },
    CheckDef { code: "CT205", name: "s3-write-data-events-not-logged", scope: Scope::Account, evaluate: trail_config::ct205_s3_write_data_events_not_logged },
    CheckDef { code: "CT206", name: "s3-read-data-events-not-logged", scope: Scope::Account, evaluate: trail_config::ct206_s3_read_data_events_not_logged },
    CheckDef { code: "CT207", name: "insights-not-enabled", scope: Scope::Trail, evaluate: trail_config::ct207_insights_not_enabled },
    CheckDef { code: "CT208", name: "notification-topic-missing", scope: Scope::Trail, evaluate: trail_config::ct208_notification_topic_missing },
    CheckDef { code: "CT209", name: "not-delivering-to-central-bucket", scope: Scope::Trail, evaluate: trail_config::ct209_not_delivering_to_central_bucket },
    CheckDef { code: "CT301", name: "log-bucket-publicly-accessible", scope: Scope::Bucket, evaluate: bucket::ct301_log_bucket_publicly_accessible },
    CheckDef { code: "CT302", name: "log-bucket-access-logging-disabled", scope: Scope::Bucket, evaluate: bucket::ct302_log_bucket_access_logging_disabled },
    CheckDef { code: "CT303", name: "log-bucket-mfa-delete-disabled", scope: Scope::Bucket, evaluate: bucket::ct303_log_bucket_mfa_delete_disabled },
    CheckDef { code: "CT304", name: "log-bucket-versioning-disabled", scope: Scope::Bucket, evaluate: bucket::ct304_log_bucket_versioning_disabled },
    CheckDef { code: "CT305", name: "log-bucket-object-lock-disabled", scope: Scope::Bucket, evaluate: bucket::ct305_log_bucket_object_lock_disabled },
    CheckDef { code: "CT306", name: "log-bucket-allows-insecure-transport", scope: Scope::Bucket, evaluate: bucket::ct306_log_bucket_allows_insecure_transport },
    CheckDef { code: "CT307", name: "log-bucket-retention-too-short", scope: Scope::Bucket, evaluate: bucket::ct307_log_bucket_retention_too_short },
    CheckDef { code: "CT308", name: "log-bucket-missing", scope: Scope::Trail, evaluate: bucket::ct308_log_bucket_missing },
    CheckDef { code: "CT309", name: "log-bucket-public-access-block-incomplete", scope: Scope::Bucket, evaluate: bucket::ct309_log_bucket_public_access_block_incomplete },
    CheckDef { code: "CT401", name: "kms-key-rotation-disabled", scope: Scope::Key, evaluate: key::ct401_kms_key_rotation_disabled },
    CheckDef { code: "CT402", name: "kms-key-unusable", scope: Scope::Key, evaluate: key::ct402_kms_key_unusable },
    CheckDef { code: "CT501", name: "unauthorized-api-calls-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT502", name: "console-signin-without-mfa-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT503", name: "root-usage-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT504", name: "iam-policy-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT505", name: "cloudtrail-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT506", name: "console-auth-failures-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT507", name: "cmk-disable-or-deletion-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT508", name: "s3-bucket-policy-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT509", name: "config-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT510", name: "security-group-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT511", name: "nacl-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT512", name: "network-gateway-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT513", name: "route-table-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT514", name: "vpc-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT515", name: "organizations-changes-not-monitored", scope: Scope::Account, evaluate: monitoring::event_class_monitored },
    CheckDef { code: "CT516", name: "log-group-retention-too-short", scope: Scope::LogGroup, evaluate: monitoring::ct516_log_group_retention_too_short },
    CheckDef { code: "CT517", name: "unused-region-activity-not-monitored", scope: Scope::Account, evaluate: monitoring::ct517_unused_region_activity_not_monitored },
    CheckDef { code: "CT601", name: "digest-chain-broken", scope: Scope::Trail, evaluate: integrity::ct601_digest_chain_broken },
    CheckDef { code: "CT602", name: "log-file-altered-or-missing", scope: Scope::Trail, evaluate: integrity::ct602_log_file_altered_or_missing },
];

pub fn find(code: &str) -> Option<&'static CheckDef> {
    REGISTRY.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// Run the selected checks (all when `selected` is None) over the inventory.
/// Every ERROR outcome carries its cause: the first reason found in its evidence, else one
/// made from its message.
///
/// Lazy, one check at a time: the report takes each check's outcomes as they come, so an
/// organization's outcomes are never all held with their evidence trees at once.
pub fn evaluate<'a>(inventory: &'a Inventory, params: &'a EvalParams, selected: Option<&'a [&'a str]>) -> impl Iterator<Item = Outcome> + 'a {
    REGISTRY
        .iter()
        .filter(move |c| selected.is_none_or(|s| s.contains(&c.code)))
        .flat_map(move |c| {
            let ctx = Context { inventory, params, code: c.code };
            let mut outcomes = (c.evaluate)(&ctx);
            for o in &mut outcomes {
                debug_assert_eq!(o.check, c.code);
                if o.status == Status::Error && o.cause.is_none() {
                    o.cause = Some(cause_in(&o.evidence).unwrap_or_else(|| Unavailable::new(UnavailableKind::guess_from_text(&o.message), None, o.message.clone())));
                }
            }
            outcomes
        })
}

/// The first typed reason (`{kind, action, message}`) in an outcome's evidence.
fn cause_in(evidence: &serde_json::Value) -> Option<Unavailable> {
    match evidence {
        serde_json::Value::Object(map) if map.contains_key("kind") && map.contains_key("message") => serde_json::from_value(evidence.clone()).ok(),
        serde_json::Value::Object(map) => map.values().find_map(cause_in),
        serde_json::Value::Array(items) => items.iter().find_map(cause_in),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the check areas.

pub(crate) fn outcome(
    check: &str,
    status: Status,
    account: &str,
    region: Option<&str>,
    resource: &str,
    message: impl Into<String>,
    evidence: serde_json::Value,
) -> Outcome {
    Outcome {
        check: check.to_string(),
        status,
        account: account.to_string(),
        region: region.map(str::to_string),
        resource: resource.to_string(),
        message: message.into(),
        evidence,
        cause: None,
    }
}

/// The config, status and selectors of a trail, or why they could not be read.
pub(crate) struct TrailFacts<'a> {
    pub config: &'a TrailConfig,
    pub status: &'a TrailStatus,
    pub selectors: &'a crate::inventory::EventSelectors,
}

fn fact_ref<'a, T>(what: &str, fact: &'a Fact<T>) -> Result<&'a T, Unavailable> {
    match fact {
        Fact::Present(v) => Ok(v),
        Fact::Absent => Err(Unavailable::new(UnavailableKind::NotFound, None, format!("{what}: AWS returned nothing"))),
        Fact::Unavailable(reason) => Err(reason.clone()),
    }
}

pub(crate) fn trail_config(trail: &Trail) -> Result<&TrailConfig, Unavailable> {
    fact_ref("trail configuration", &trail.config)
}

pub(crate) fn trail_status(trail: &Trail) -> Result<&TrailStatus, Unavailable> {
    fact_ref("trail status", &trail.status)
}

pub(crate) fn trail_facts(trail: &Trail) -> Result<TrailFacts<'_>, Unavailable> {
    Ok(TrailFacts {
        config: trail_config(trail)?,
        status: trail_status(trail)?,
        selectors: fact_ref("event selectors", &trail.event_selectors)?,
    })
}

/// Trails that apply to an account: its own, those its ListTrails returned, and the
/// organization trails of its organization's management account.
pub(crate) fn trails_applying_to<'a>(inventory: &'a Inventory, account: &Account) -> Vec<&'a Trail> {
    let listed: Vec<&str> = account.listed_trails.present().map(|l| l.iter().map(|t| t.arn.as_str()).collect()).unwrap_or_default();
    let management = inventory.organization.as_ref().map(|o| o.management_account_id.as_str());
    inventory
        .trails
        .values()
        .filter(|t| {
            t.account_id == account.id
                || listed.contains(&t.arn.as_str())
                || (Some(t.account_id.as_str()) == management && t.config.present().is_some_and(|c| c.is_organization_trail))
        })
        .collect()
}

/// The outcome of looking for a trail with some property among several.
pub(crate) enum Search<'a> {
    Found(&'a Trail),
    NotFound,
    /// No trail is known to have it, and these could not be judged: (trail ARN, reason).
    Unknown(Vec<(String, Unavailable)>),
}

pub(crate) fn find_trail<'a>(trails: &[&'a Trail], mut predicate: impl FnMut(&'a Trail) -> Result<bool, Unavailable>) -> Search<'a> {
    let mut unknown = Vec::new();
    for trail in trails {
        match predicate(trail) {
            Ok(true) => return Search::Found(trail),
            Ok(false) => {}
            Err(reason) => unknown.push((trail.arn.clone(), reason)),
        }
    }
    if unknown.is_empty() { Search::NotFound } else { Search::Unknown(unknown) }
}

pub(crate) fn describe_unknown(unknown: &[(String, Unavailable)]) -> String {
    unknown.iter().map(|(arn, reason)| format!("{arn}: {reason}")).collect::<Vec<_>>().join("; ")
}

/// A short description of a trail for evidence lists.
pub(crate) fn trail_summary(trail: &Trail) -> serde_json::Value {
    match trail_facts(trail) {
        Ok(f) => {
            let mgmt = selectors::management_events(f.selectors);
            serde_json::json!({
                "arn": trail.arn,
                "home_region": trail.home_region,
                "is_logging": f.status.is_logging,
                "is_multi_region_trail": f.config.is_multi_region_trail,
                "is_organization_trail": f.config.is_organization_trail,
                "include_global_service_events": f.config.include_global_service_events,
                "management_events": mgmt.describe(),
                "excluded_management_event_sources": mgmt.excluded_sources,
            })
        }
        Err(reason) => serde_json::json!({ "arn": trail.arn, "unreadable": reason }),
    }
}

/// Account-scoped checks share this: ERROR for accounts that could not be read at all.
pub(crate) fn per_account(ctx: &Context, code: &str, mut judge: impl FnMut(&Account, Vec<&Trail>) -> Outcome) -> Vec<Outcome> {
    ctx.inventory
        .accounts
        .iter()
        .map(|account| match (&account.access, &account.listed_trails) {
            (Fact::Unavailable(reason), _) => outcome(code, Status::Error, &account.id, None, &account.id, format!("account could not be scanned: {reason}"), serde_json::json!({"access": reason})),
            (_, Fact::Unavailable(reason)) => outcome(code, Status::Error, &account.id, None, &account.id, format!("the account's trails could not be listed: {reason}"), serde_json::json!({"listed_trails": reason})),
            _ => judge(account, trails_applying_to(ctx.inventory, account)),
        })
        .collect()
}

/// For bucket- and key-scope checks: a trail whose configuration could not be read names a
/// bucket and maybe a key nobody can see. Each such trail keeps one ERROR per check, so the
/// resource it depends on never silently drops out of counts (resource: `TRAIL-ARN#what`).
pub(crate) fn unknown_trail_resources<'a>(ctx: &'a Context, code: &'a str, what: &'a str) -> impl Iterator<Item = Outcome> + 'a {
    ctx.inventory.trails.values().filter_map(move |t| {
        let reason = t.config.unavailable()?;
        let resource = format!("{}#{}", t.arn, what.replace(' ', "-").to_ascii_lowercase());
        let mut o = outcome(
            code,
            Status::Error,
            &t.account_id,
            Some(&t.home_region),
            &resource,
            format!("the {what} of trail {} is unknown: its configuration could not be read: {reason}", t.arn),
            serde_json::json!({ "trail": t.arn, "config": reason }),
        );
        o.cause = Some(reason.clone());
        Some(o)
    })
}
