//! The inventory: every fact the scan collected, as plain serde types.
//!
//! This module exists so that evaluation never needs AWS: `collect` fills an [`Inventory`],
//! `--save-inventory` writes it, `--inventory` reads it back, and the checks read only it.
//! It must not call AWS, read configuration, or judge anything: it records what AWS said.
//!
//! Every collected fact is a [`Fact`]: `Present(value)`, `Absent` (AWS says there is none,
//! e.g. `NoSuchBucketPolicy`) or `Unavailable(reason)` (access denied, throttled past
//! retries, timeout, owner account not scanned). Absent and Unavailable are never confused.
//!
//! The wire format is versioned by [`INVENTORY_VERSION`]; a file of another version is
//! refused with a clear error rather than misread.

mod fact;
mod integrity;
mod monitoring;
pub mod shard;

pub use fact::Fact;
pub use integrity::{ChainEvidence, ChainFindings, ChainGap, IntegrityVerification, ObjectProblem};
pub use monitoring::{Alarm, MetricAlarms, MetricFilter, MetricTransformation, Subscription};
pub use crate::model::{ScanMode, Unavailable, UnavailableKind};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bumped whenever a field changes meaning or is removed (adding optional fields is fine).
/// Version 2: `Unavailable` carries a kind and the IAM action; version 1 files still load.
pub const INVENTORY_VERSION: u32 = 2;

/// Versions [`Inventory::from_json`] reads.
pub const READABLE_VERSIONS: &[u32] = &[1, 2];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inventory {
    pub inventory_version: u32,
    pub scan: ScanMetadata,
    pub organization: Option<Organization>,
    pub accounts: Vec<Account>,
    /// Keyed by trail ARN; each trail appears once however many accounts list it.
    pub trails: BTreeMap<String, Trail>,
    /// Keyed by bucket name.
    pub buckets: BTreeMap<String, Bucket>,
    /// Keyed by the key reference exactly as the trail names it (`KmsKeyId`).
    pub keys: BTreeMap<String, Key>,
    /// Keyed by topic ARN.
    pub topics: BTreeMap<String, Topic>,
    /// Keyed by the log group ARN exactly as the trail names it.
    pub log_groups: BTreeMap<String, LogGroup>,
    /// Alarms per metric that a log group's metric filter publishes, keyed by
    /// [`MetricAlarms::key`].
    #[serde(default)]
    pub metric_alarms: BTreeMap<String, MetricAlarms>,
    /// `scan --verify-integrity`: each trail's digest chains as walked. None when the scan
    /// did not verify (CT601/CT602 then have nothing to judge and report nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<IntegrityVerification>,
    /// `scan --shard I/N`: this inventory holds one shard's accounts; `trailwarden merge`
    /// takes all N. None for a whole scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<shard::ShardInfo>,
    /// Written by `trailwarden merge`: the scan id and shard count it merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<shard::MergedShards>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanMetadata {
    pub tool_name: String,
    pub tool_version: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub caller: Caller,
    /// `organization` when `--org` was given, else `account`.
    pub mode: ScanMode,
    /// The regions asked for with `--regions`, or `None` for "the regions enabled in each account".
    pub requested_regions: Option<Vec<String>>,
    /// What the collector decided about scope, for every report: accounts not ACTIVE,
    /// accounts asked for that are not in the organization, excluded accounts.
    #[serde(default)]
    pub notes: Vec<String>,
}


#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    /// Organization scans (`--org`): the OU tree, root included, as `organizations:ListRoots`,
    /// `ListOrganizationalUnitsForParent` and `ListAccountsForParent` gave it (root first,
    /// then breadth first). Unavailable when any of those calls failed: the tree is then not
    /// known at all (a partial tree would put accounts in the wrong OU's score). None when
    /// it was not read: a single-account scan, or an inventory written before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Fact<Vec<OrganizationalUnit>>>,
}

/// One node of the organization's tree: the root (`r-…`, no parent) or an OU (`ou-…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    pub id: String,
    pub name: String,
    /// The parent root or OU; None for the root.
    pub parent_id: Option<String>,
    /// The accounts directly in this node (not those of its child OUs), sorted.
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
    /// Whether credentials for the account could be had (own credentials or AssumeRole).
    /// When this is Unavailable, every other fact of the account is too.
    pub access: Fact<AccountAccess>,
    /// Regions to evaluate: enabled regions (account:ListRegions), or `--regions`.
    pub regions: Fact<Vec<String>>,
    /// ARNs that `cloudtrail:ListTrails` returned in this account (its own trails and the
    /// organization trails that apply to it).
    pub listed_trails: Fact<Vec<TrailRef>>,
    /// Account-level S3 Block Public Access (s3control GetPublicAccessBlock).
    pub public_access_block: Fact<PublicAccessBlock>,
    /// Buckets the account owns (s3 ListBuckets): how the owner of a log bucket is found.
    pub owned_buckets: Fact<Vec<String>>,
}

/// One entry of ListTrails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailRef {
    pub arn: String,
    pub name: String,
    pub home_region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountAccess {
    /// `caller` (the scan's own credentials) or the role ARN that was assumed.
    pub via: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail (from its ARN).
    pub account_id: String,
    pub config: Fact<TrailConfig>,
    pub status: Fact<TrailStatus>,
    pub event_selectors: Fact<EventSelectors>,
    /// Insight types (`ApiCallRateInsight`, `ApiErrorRateInsight`); Absent when none are set.
    pub insight_selectors: Fact<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrailConfig {
    pub s3_bucket_name: Option<String>,
    pub s3_key_prefix: Option<String>,
    pub sns_topic_arn: Option<String>,
    pub include_global_service_events: bool,
    pub is_multi_region_trail: bool,
    pub is_organization_trail: bool,
    pub log_file_validation_enabled: bool,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub has_custom_event_selectors: bool,
    pub has_insight_selectors: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
    pub latest_notification_error: Option<String>,
    pub latest_delivery_time: Option<DateTime<Utc>>,
    pub start_logging_time: Option<DateTime<Utc>>,
    pub stop_logging_time: Option<DateTime<Utc>>,
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    pub latest_cloud_watch_logs_delivery_time: Option<DateTime<Utc>>,
    pub latest_digest_delivery_time: Option<DateTime<Utc>>,
    pub latest_digest_delivery_error: Option<String>,
}

/// A trail uses either classic or advanced event selectors (AWS allows one style at a time);
/// both are kept so the checks can read whichever is there.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EventSelectors {
    pub classic: Vec<ClassicEventSelector>,
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClassicEventSelector {
    /// `All`, `ReadOnly` or `WriteOnly` (AWS default: All).
    pub read_write_type: String,
    /// AWS default: true.
    pub include_management_events: bool,
    pub data_resources: Vec<DataResource>,
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataResource {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdvancedFieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// Absent: no account has this bucket (NoSuchBucket). Unavailable: it exists (or may)
    /// but its owner is not among the scanned accounts or could not be told.
    pub owner: Fact<BucketOwner>,
    /// Bucket policy text; Absent on NoSuchBucketPolicy.
    pub policy: Fact<String>,
    /// GetBucketPolicyStatus.IsPublic; Absent when the bucket has no policy.
    pub policy_is_public: Fact<bool>,
    pub acl_grants: Fact<Vec<AclGrant>>,
    /// Bucket-level Block Public Access; Absent on NoSuchPublicAccessBlockConfiguration.
    pub public_access_block: Fact<PublicAccessBlock>,
    /// Server access logging target; Absent when logging is not enabled.
    pub logging: Fact<BucketLogging>,
    pub versioning: Fact<Versioning>,
    /// Absent on ObjectLockConfigurationNotFoundError.
    pub object_lock: Fact<ObjectLock>,
    /// Absent on NoSuchLifecycleConfiguration.
    pub lifecycle_rules: Fact<Vec<LifecycleRule>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketOwner {
    pub account_id: String,
    pub region: String,
    /// False when GetBucketLocation was refused and `region` is the scan's default region.
    #[serde(default = "yes")]
    pub region_known: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    pub grantee: String,
    pub permission: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketLogging {
    pub target_bucket: String,
    pub target_prefix: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Versioning {
    /// `Enabled`, `Suspended`, or None when versioning was never enabled.
    pub status: Option<String>,
    /// `Enabled`, `Disabled`, or None when never configured.
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ObjectLock {
    pub enabled: bool,
    pub default_retention_mode: Option<String>,
    pub default_retention_days: Option<i32>,
    pub default_retention_years: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LifecycleRule {
    pub id: Option<String>,
    pub enabled: bool,
    /// Object key prefix the rule is limited to (`Filter.Prefix`, `Filter.And.Prefix` or the
    /// legacy `Prefix`); None or empty means every object.
    pub prefix: Option<String>,
    /// The rule is limited to objects carrying tags (CloudTrail log files carry none).
    pub has_tag_filter: bool,
    pub expiration_days: Option<i32>,
    pub expiration_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Key {
    /// The reference as the trail gives it (usually a key ARN, possibly an alias ARN).
    pub reference: String,
    /// Account and region taken from the reference.
    pub account_id: String,
    pub region: String,
    /// DescribeKey; Absent on NotFoundException.
    pub metadata: Fact<KeyMetadata>,
    /// GetKeyRotationStatus.
    pub rotation_enabled: Fact<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyMetadata {
    pub arn: String,
    pub key_state: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Topic {
    pub arn: String,
    /// GetTopicAttributes; Absent on NotFound. The value is the number of confirmed subscriptions, when given.
    pub attributes: Fact<TopicAttributes>,
    /// ListSubscriptionsByTopic; read for topics an alarm notifies.
    #[serde(default = "monitoring::not_collected")]
    pub subscriptions: Fact<Vec<Subscription>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicAttributes {
    pub subscriptions_confirmed: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogGroup {
    pub arn: String,
    pub name: String,
    pub account_id: String,
    pub region: String,
    /// DescribeLogGroups with the exact name; Absent when no such group exists.
    pub details: Fact<LogGroupDetails>,
    /// DescribeMetricFilters of this log group.
    #[serde(default = "monitoring::not_collected")]
    pub metric_filters: Fact<Vec<MetricFilter>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogGroupDetails {
    pub retention_in_days: Option<i32>,
}

impl Inventory {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Parse a saved inventory (version 1 or 2), refusing others with an error that says what to do.
    pub fn from_json(path: &str, text: &str) -> Result<Inventory, InventoryError> {
        let recreate = format!("re-create it with `trailwarden scan --save-inventory {path}`");
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| InventoryError {
            message: format!("inventory {path}: line {} column {}: not valid JSON ({e}); {recreate}", e.line(), e.column()),
        })?;
        match value.get("inventory_version").and_then(|v| v.as_u64()) {
            Some(v) if READABLE_VERSIONS.iter().any(|r| u64::from(*r) == v) => {}
            Some(v) => {
                return Err(InventoryError {
                    message: format!(
                        "inventory {path}: inventory_version {v} is not supported (this trailwarden reads versions 1 and {INVENTORY_VERSION}); re-create it with this version's `scan --save-inventory`"
                    ),
                });
            }
            None => {
                return Err(InventoryError {
                    message: format!(
                        "inventory {path}: no `inventory_version` field: this is not a trailwarden inventory (write one with `trailwarden scan --save-inventory {path}`)"
                    ),
                });
            }
        }
        let mut inventory: Inventory = serde_json::from_str(text)
            .map_err(|e| InventoryError { message: format!("inventory {path}: line {} column {}: {e}; {recreate}", e.line(), e.column()) })?;
        inventory.inventory_version = INVENTORY_VERSION;
        Ok(inventory)
    }
}

/// A saved inventory that cannot be used; the message names the file, the place and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct InventoryError {
    message: String,
}

impl InventoryError {
    pub fn new(message: impl Into<String>) -> InventoryError {
        InventoryError { message: message.into() }
    }
}
