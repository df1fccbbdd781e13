//! Log buckets: each bucket once, from the account that owns it.
//!
//! The owner is the scanned account whose ListBuckets lists the bucket. When no scanned
//! account owns it, a HeadBucket from a referring account tells "does not exist" (404) from
//! "exists but belongs to someone outside the scan" (200/403); the bucket is then not read,
//! and its facts say why.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::progress::Progress;
use super::read::{Limit, fact};
use super::trails::to_chrono;
use crate::aws::{Session, error_code, unavailable};
use crate::inventory::*;

pub async fn collect_buckets(
    trails: &BTreeMap<String, Trail>,
    accounts: &[Account],
    sessions: &BTreeMap<String, Session>,
    concurrency: usize,
    limit: &Limit,
    progress: &Progress,
) -> BTreeMap<String, Bucket> {
    // Bucket name -> an account that references it (to ask HeadBucket when no scanned account owns it).
    let mut referenced: BTreeMap<String, String> = BTreeMap::new();
    for trail in trails.values() {
        if let Some(name) = trail.config.present().and_then(|c| c.s3_bucket_name.clone()) {
            referenced.entry(name).or_insert_with(|| trail.account_id.clone());
        }
    }
    let total = referenced.len();
    let mut done = 0;
    let mut out = BTreeMap::new();
    let mut stream = futures::stream::iter(referenced)
        .map(|(name, referrer)| limit.run(async move {
            let owner = accounts.iter().find(|a| a.owned_buckets.present().is_some_and(|b| b.binary_search(&name).is_ok()));
            match owner.and_then(|a| sessions.get(&a.id)) {
                Some(session) => read_bucket(session, name).await,
                None => {
                    let session = sessions.get(&referrer).or_else(|| sessions.values().next());
                    unowned_bucket(session, name, accounts).await
                }
            }
        }))
        .buffer_unordered(concurrency.max(1));
    while let Some(bucket) = stream.next().await {
        done += 1;
        progress.update("buckets", done, total);
        out.insert(bucket.name.clone(), bucket);
    }
    out
}

fn not_read(name: String, owner: Fact<BucketOwner>, reason: &Unavailable) -> Bucket {
    fn r<T>(reason: &Unavailable) -> Fact<T> {
        Fact::Unavailable(reason.clone())
    }
    Bucket {
        name,
        owner,
        policy: r(reason),
        policy_is_public: r(reason),
        acl_grants: r(reason),
        public_access_block: r(reason),
        logging: r(reason),
        versioning: r(reason),
        object_lock: r(reason),
        lifecycle_rules: r(reason),
    }
}

async fn unowned_bucket(session: Option<&Session>, name: String, accounts: &[Account]) -> Bucket {
    let Some(session) = session else {
        let reason = Unavailable::new(UnavailableKind::NotScanned, None, "no scanned account could be used to look the bucket up");
        return not_read(name, Fact::Unavailable(reason.clone()), &reason.context("bucket not read: "));
    };
    let unlisted: Vec<&str> = accounts.iter().filter(|a| a.owned_buckets.present().is_none()).map(|a| a.id.as_str()).collect();
    let head = session.s3(&session.default_region()).head_bucket().bucket(&name).send().await;
    let outside = if unlisted.is_empty() {
        format!("bucket {name} is owned by an account outside the scan; scan its owner (--org, or --accounts) to evaluate it")
    } else {
        format!(
            "bucket {name} is not owned by any account whose buckets could be listed (could not list: {}); its owner may be outside the scan",
            unlisted.join(", ")
        )
    };
    let outside = Unavailable::new(UnavailableKind::OwnerOutsideScan, None, outside);
    match head {
        Ok(_) => not_read(name, Fact::Unavailable(outside.clone()), &outside),
        Err(err) => match error_code(&err).as_deref() {
            Some("NotFound") | Some("NoSuchBucket") => not_read(name, Fact::Absent, &does_not_exist()),
            Some("AccessDenied") | Some("Forbidden") | Some("PermanentRedirect") => not_read(name, Fact::Unavailable(outside.clone()), &outside),
            _ => {
                let reason = unavailable("s3:ListBucket", &err);
                not_read(name, Fact::Unavailable(reason.clone()), &reason)
            }
        },
    }
}

fn does_not_exist() -> Unavailable {
    Unavailable::new(UnavailableKind::NotFound, None, "bucket does not exist")
}

async fn read_bucket(session: &Session, name: String) -> Bucket {
    let location = session.s3(&session.default_region()).get_bucket_location().bucket(&name).send().await;
    // The owner's ListBuckets already proved the bucket exists; a refused GetBucketLocation
    // only costs us the region, so read the rest from the default region (AWS redirects with
    // PermanentRedirect when that is wrong, which is then reported as the reason).
    let region = match fact("s3:GetBucketLocation", location, &["NoSuchBucket"]) {
        Fact::Present(out) => Some(location_region(&out)),
        Fact::Absent => return not_read(name, Fact::Absent, &does_not_exist()),
        Fact::Unavailable(_) => None,
    };
    let region_known = region.is_some();
    let region = region.unwrap_or_else(|| session.default_region());
    let s3 = session.s3(&region);
    let (policy, policy_status, acl, pab, logging, versioning, lock, lifecycle) = tokio::join!(
        s3.get_bucket_policy().bucket(&name).send(),
        s3.get_bucket_policy_status().bucket(&name).send(),
        s3.get_bucket_acl().bucket(&name).send(),
        s3.get_public_access_block().bucket(&name).send(),
        s3.get_bucket_logging().bucket(&name).send(),
        s3.get_bucket_versioning().bucket(&name).send(),
        s3.get_object_lock_configuration().bucket(&name).send(),
        s3.get_bucket_lifecycle_configuration().bucket(&name).send(),
    );
    Bucket {
        owner: Fact::Present(BucketOwner { account_id: session.account_id.clone(), region, region_known }),
        policy: match fact("s3:GetBucketPolicy", policy, &["NoSuchBucketPolicy"]) {
            Fact::Present(out) => out.policy().map(|p| Fact::Present(p.to_string())).unwrap_or(Fact::Absent),
            other => other.map(|_| String::new()),
        },
        policy_is_public: fact("s3:GetBucketPolicyStatus", policy_status, &["NoSuchBucketPolicy"])
            .map(|out| out.policy_status().and_then(|s| s.is_public()).unwrap_or(false)),
        acl_grants: fact("s3:GetBucketAcl", acl, &[]).map(|out| {
            out.grants()
                .iter()
                .map(|g| {
                    let grantee = g.grantee();
                    AclGrant {
                        grantee_type: grantee.map(|g| g.r#type().as_str().to_string()).unwrap_or_default(),
                        grantee: grantee
                            .and_then(|g| g.uri().or(g.id()).or(g.email_address()))
                            .unwrap_or_default()
                            .to_string(),
                        permission: g.permission().map(|p| p.as_str().to_string()).unwrap_or_default(),
                    }
                })
                .collect()
        }),
        public_access_block: fact("s3:GetBucketPublicAccessBlock", pab, &["NoSuchPublicAccessBlockConfiguration"]).map(|out| {
            let c = out.public_access_block_configuration();
            PublicAccessBlock {
                block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                restrict_public_buckets: c.and_then(|c| c.restrict_public_buckets()).unwrap_or(false),
            }
        }),
        logging: match fact("s3:GetBucketLogging", logging, &[]) {
            Fact::Present(out) => match out.logging_enabled() {
                Some(l) => Fact::Present(BucketLogging { target_bucket: l.target_bucket().to_string(), target_prefix: l.target_prefix().to_string() }),
                None => Fact::Absent,
            },
            Fact::Absent => Fact::Absent,
            Fact::Unavailable(r) => Fact::Unavailable(r),
        },
        versioning: fact("s3:GetBucketVersioning", versioning, &[]).map(|out| Versioning {
            status: out.status().map(|s| s.as_str().to_string()),
            mfa_delete: out.mfa_delete().map(|s| s.as_str().to_string()),
        }),
        object_lock: fact("s3:GetBucketObjectLockConfiguration", lock, &["ObjectLockConfigurationNotFoundError"]).map(|out| {
            let c = out.object_lock_configuration();
            let retention = c.and_then(|c| c.rule()).and_then(|r| r.default_retention());
            ObjectLock {
                enabled: c.and_then(|c| c.object_lock_enabled()).is_some_and(|e| e.as_str() == "Enabled"),
                default_retention_mode: retention.and_then(|r| r.mode()).map(|m| m.as_str().to_string()),
                default_retention_days: retention.and_then(|r| r.days()),
                default_retention_years: retention.and_then(|r| r.years()),
            }
        }),
        lifecycle_rules: fact("s3:GetLifecycleConfiguration", lifecycle, &["NoSuchLifecycleConfiguration"]).map(|out| {
            out.rules()
                .iter()
                .map(|rule| {
                    let filter = rule.filter();
                    // The top-level `Prefix` is deprecated but still returned for old rules.
                    #[allow(deprecated)]
                    let prefix = filter
                        .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
                        .or(rule.prefix())
                        .map(str::to_string);
                    let has_tag_filter = filter.is_some_and(|f| f.tag().is_some() || f.and().is_some_and(|a| !a.tags().is_empty()));
                    LifecycleRule {
                        id: rule.id().map(str::to_string),
                        enabled: rule.status().as_str() == "Enabled",
                        prefix,
                        has_tag_filter,
                        expiration_days: rule.expiration().and_then(|e| e.days()),
                        expiration_date: rule.expiration().and_then(|e| e.date()).and_then(to_chrono),
                    }
                })
                .collect()
        }),
        name,
    }
}

/// The region GetBucketLocation names: an empty constraint is us-east-1, legacy `EU` is eu-west-1.
pub(super) fn location_region(out: &aws_sdk_s3::operation::get_bucket_location::GetBucketLocationOutput) -> String {
    match out.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(c) => c.to_string(),
    }
}
