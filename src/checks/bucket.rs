//! CT3xx — the log bucket, evaluated once per bucket from the account that owns it, and
//! attributed (in evidence) to every trail that delivers there.

use serde_json::json;

use super::*;
use crate::inventory::{Bucket, BucketOwner, PublicAccessBlock};

/// Three-valued truth: `None` is "could not be read".
type Tri = Option<bool>;

fn or3(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn and3(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// A Block Public Access setting at one layer: absent configuration means the setting is off.
fn pab_setting(layer: &Fact<PublicAccessBlock>, setting: fn(&PublicAccessBlock) -> bool) -> Tri {
    match layer {
        Fact::Present(p) => Some(setting(p)),
        Fact::Absent => Some(false),
        Fact::Unavailable(_) => None,
    }
}

/// The bucket's ARN in the partition of the account that owns it (or of the scan's caller).
fn bucket_arn(ctx: &Context, bucket: &Bucket) -> String {
    let owner_arn = bucket.owner.present().and_then(|o| ctx.inventory.account(&o.account_id)).and_then(|a| a.access.present()).map(|a| a.via.as_str());
    let partition = match owner_arn {
        Some(arn) if arn.starts_with("arn:") => Partition::of_arn(arn),
        _ => Partition::of_arn(&ctx.inventory.scan.caller.arn),
    };
    partition.bucket_arn(&bucket.name)
}

fn delivering_trails<'a>(ctx: &'a Context, bucket: &str) -> Vec<&'a Trail> {
    ctx.inventory.trails.values().filter(|t| t.config.present().and_then(|c| c.s3_bucket_name.as_deref()) == Some(bucket)).collect()
}

fn account_public_access_block<'a>(ctx: &'a Context, owner: &BucketOwner) -> &'a Fact<PublicAccessBlock> {
    static NOT_SCANNED: std::sync::LazyLock<Fact<PublicAccessBlock>> =
        std::sync::LazyLock::new(|| Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, None, "the owner account was not scanned")));
    ctx.inventory.account(&owner.account_id).map(|a| &a.public_access_block).unwrap_or(&NOT_SCANNED)
}

/// Run `judge` on every log bucket whose owner was read; a missing bucket is NOT_APPLICABLE
/// (CT308 reports it), an unreadable one is ERROR.
fn bucket_check(ctx: &Context, code: &str, judge: impl Fn(&Bucket, &BucketOwner) -> (Status, String, serde_json::Value)) -> Vec<Outcome> {
    ctx.inventory
        .buckets
        .values()
        .map(|bucket| {
            let trails = delivering_trails(ctx, &bucket.name);
            let trail_arns: Vec<&str> = trails.iter().map(|t| t.arn.as_str()).collect();
            let referrer = trails.first().map(|t| t.account_id.as_str()).unwrap_or_default();
            let arn = bucket_arn(ctx, bucket);
            match &bucket.owner {
                Fact::Present(owner) => {
                    let (status, message, mut evidence) = judge(bucket, owner);
                    evidence["delivering_trails"] = json!(trail_arns);
                    outcome(code, status, &owner.account_id, Some(&owner.region), &arn, message, evidence)
                }
                Fact::Absent => outcome(code, Status::NotApplicable, referrer, None, &arn, format!("bucket {} does not exist (see CT308)", bucket.name), json!({"delivering_trails": trail_arns, "bucket_exists": false})),
                Fact::Unavailable(r) => outcome(code, Status::Error, referrer, None, &arn, format!("bucket {} could not be evaluated: {r}", bucket.name), json!({"delivering_trails": trail_arns, "owner": r})),
            }
        })
        .chain(unknown_trail_resources(ctx, code, "log bucket"))
        .collect()
}

/// ERROR tuple for a single unreadable fact.
fn unreadable(what: &str, reason: &Unavailable) -> (Status, String, serde_json::Value) {
    (Status::Error, format!("{what} could not be read: {reason}"), json!({ what: reason }))
}

pub fn ct301_log_bucket_publicly_accessible(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, owner| {
        let account_pab = account_public_access_block(ctx, owner);
        let policy_public: Tri = match &b.policy_is_public {
            Fact::Present(p) => Some(*p),
            Fact::Absent => Some(false),
            Fact::Unavailable(_) => None,
        };
        let public_grants: Option<Vec<&crate::inventory::AclGrant>> = b
            .acl_grants
            .present()
            .map(|grants| grants.iter().filter(|g| g.grantee.ends_with("/global/AllUsers") || g.grantee.ends_with("/global/AuthenticatedUsers")).collect());
        let acl_public: Tri = public_grants.as_ref().map(|g| !g.is_empty());
        let restrict = or3(pab_setting(&b.public_access_block, |p| p.restrict_public_buckets), pab_setting(account_pab, |p| p.restrict_public_buckets));
        let ignore = or3(pab_setting(&b.public_access_block, |p| p.ignore_public_acls), pab_setting(account_pab, |p| p.ignore_public_acls));
        let policy_exposes = and3(policy_public, restrict.map(|r| !r));
        let acl_exposes = and3(acl_public, ignore.map(|i| !i));
        let evidence = json!({
            "policy_is_public": b.policy_is_public,
            "public_acl_grants": public_grants,
            "bucket_public_access_block": b.public_access_block,
            "account_public_access_block": account_pab,
            "restrict_public_buckets_in_force": restrict,
            "ignore_public_acls_in_force": ignore,
        });
        match or3(policy_exposes, acl_exposes) {
            Some(false) => (Status::Pass, "no public access is in force (policy and ACL are not public, or are neutralised by Block Public Access)".into(), evidence),
            Some(true) => {
                let mut why = Vec::new();
                if policy_exposes == Some(true) {
                    why.push("the bucket policy is public and RestrictPublicBuckets is off at bucket and account level");
                }
                if acl_exposes == Some(true) {
                    why.push("the ACL grants access to AllUsers/AuthenticatedUsers and IgnorePublicAcls is off at bucket and account level");
                }
                (Status::Fail, format!("the log bucket is publicly accessible: {}", why.join("; ")), evidence)
            }
            None => {
                let reasons: Vec<&str> = [b.policy_is_public.unavailable_reason(), b.acl_grants.unavailable_reason(), b.public_access_block.unavailable_reason(), account_pab.unavailable_reason()]
                    .into_iter()
                    .flatten()
                    .collect();
                (Status::Error, format!("public access could not be determined: {}", reasons.join("; ")), evidence)
            }
        }
    })
}

pub fn ct302_log_bucket_access_logging_disabled(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, _| match &b.logging {
        Fact::Present(l) if l.target_bucket != b.name => (Status::Pass, format!("server access logging goes to bucket {}", l.target_bucket), json!({"logging": l})),
        Fact::Present(l) => (Status::Fail, "server access logging targets the log bucket itself; it must go to a different bucket".into(), json!({"logging": l})),
        Fact::Absent => (Status::Fail, "server access logging is disabled".into(), json!({"logging": null})),
        Fact::Unavailable(r) => unreadable("logging", r),
    })
}

pub fn ct303_log_bucket_mfa_delete_disabled(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, _| match &b.versioning {
        Fact::Present(v) if v.mfa_delete.as_deref() == Some("Enabled") => (Status::Pass, "MFA Delete is enabled".into(), json!({"versioning": v})),
        Fact::Present(v) => (Status::Fail, format!("MFA Delete is {}", v.mfa_delete.as_deref().unwrap_or("not configured")), json!({"versioning": v})),
        Fact::Absent => (Status::Fail, "versioning (and so MFA Delete) is not configured".into(), json!({"versioning": null})),
        Fact::Unavailable(r) => unreadable("versioning", r),
    })
}

pub fn ct304_log_bucket_versioning_disabled(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, _| match &b.versioning {
        Fact::Present(v) if v.status.as_deref() == Some("Enabled") => (Status::Pass, "versioning is enabled".into(), json!({"versioning": v})),
        Fact::Present(v) => (Status::Fail, format!("versioning is {}", v.status.as_deref().unwrap_or("never enabled")), json!({"versioning": v})),
        Fact::Absent => (Status::Fail, "versioning is never enabled".into(), json!({"versioning": null})),
        Fact::Unavailable(r) => unreadable("versioning", r),
    })
}

pub fn ct305_log_bucket_object_lock_disabled(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, _| match &b.object_lock {
        Fact::Present(l) if l.enabled && (l.default_retention_days.is_some() || l.default_retention_years.is_some()) => {
            let period = l.default_retention_days.map(|d| format!("{d} days")).or(l.default_retention_years.map(|y| format!("{y} years"))).unwrap_or_default();
            (Status::Pass, format!("Object Lock is enabled with a default retention of {period} ({})", l.default_retention_mode.as_deref().unwrap_or("mode not given")), json!({"object_lock": l}))
        }
        Fact::Present(l) if l.enabled => (Status::Fail, "Object Lock is enabled but has no default retention, so new log files are not locked".into(), json!({"object_lock": l})),
        Fact::Present(l) => (Status::Fail, "Object Lock is not enabled".into(), json!({"object_lock": l})),
        Fact::Absent => (Status::Fail, "Object Lock is not enabled".into(), json!({"object_lock": null})),
        Fact::Unavailable(r) => unreadable("object_lock", r),
    })
}

fn as_list(value: Option<&serde_json::Value>) -> Vec<&serde_json::Value> {
    match value {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    }
}

fn str_list(value: Option<&serde_json::Value>) -> Vec<String> {
    as_list(value).into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
}

/// Does this policy statement deny every S3 action on the bucket's objects to every principal
/// when `aws:SecureTransport` is false?
fn denies_insecure_transport(statement: &serde_json::Value, bucket: &str) -> bool {
    let effect_deny = statement.get("Effect").and_then(|e| e.as_str()) == Some("Deny");
    let principal_all = match statement.get("Principal") {
        Some(serde_json::Value::String(s)) => s == "*",
        Some(p) => str_list(p.get("AWS")).iter().any(|a| a == "*"),
        None => false,
    };
    let actions = str_list(statement.get("Action"));
    let all_actions = actions.iter().any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"));
    let resources = str_list(statement.get("Resource"));
    // `arn:PARTITION:s3:::BUCKET/*` (or a wildcard covering it) in any partition.
    let covers_objects = resources.iter().any(|r| {
        r == "*"
            || Arn::parse(r).is_some_and(|arn| {
                arn.service == "s3" && arn.region.is_empty() && arn.account.is_empty() && (arn.resource == "*" || arn.resource == format!("{bucket}/*") || arn.resource == format!("{bucket}*"))
            })
    });
    let insecure_condition = statement.get("Condition").and_then(|c| c.as_object()).is_some_and(|conditions| {
        conditions.iter().any(|(operator, block)| {
            (operator.eq_ignore_ascii_case("Bool") || operator.eq_ignore_ascii_case("BoolIfExists"))
                && block.as_object().is_some_and(|keys| {
                    keys.iter().any(|(key, value)| {
                        key.eq_ignore_ascii_case("aws:SecureTransport")
                            && as_list(Some(value)).iter().any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false")) || v.as_bool() == Some(false))
                    })
                })
        })
    });
    effect_deny && principal_all && all_actions && covers_objects && insecure_condition
}

pub fn ct306_log_bucket_allows_insecure_transport(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, _| match &b.policy {
        Fact::Present(text) => {
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(text);
            let Ok(policy) = parsed else {
                return (Status::Error, "the bucket policy is not valid JSON".into(), json!({"policy": text}));
            };
            let statements = as_list(policy.get("Statement"));
            let denying: Vec<&serde_json::Value> = statements.iter().copied().filter(|s| denies_insecure_transport(s, &b.name)).collect();
            if denying.is_empty() {
                (Status::Fail, "the bucket policy does not deny requests made without TLS (aws:SecureTransport = false) for all principals and actions".into(), json!({"policy": policy}))
            } else {
                (Status::Pass, "the bucket policy denies every request made without TLS (aws:SecureTransport = false)".into(), json!({"denying_statements": denying}))
            }
        }
        Fact::Absent => (Status::Fail, "the bucket has no policy, so requests without TLS are not denied".into(), json!({"policy": null})),
        Fact::Unavailable(r) => unreadable("policy", r),
    })
}

pub fn ct307_log_bucket_retention_too_short(ctx: &Context) -> Vec<Outcome> {
    let min_days = ctx.params.min_retention_days;
    bucket_check(ctx, ctx.code, |b, _| {
        // Where the trails delivering here write: `<S3KeyPrefix>/AWSLogs/` or `AWSLogs/`.
        let log_prefixes: Vec<String> = delivering_trails(ctx, &b.name)
            .iter()
            .filter_map(|t| t.config.present())
            .map(|c| match &c.s3_key_prefix {
                Some(p) => format!("{}/AWSLogs/", p.trim_end_matches('/')),
                None => "AWSLogs/".to_string(),
            })
            .collect();
        let rules = match &b.lifecycle_rules {
            Fact::Present(rules) => rules,
            Fact::Absent => return (Status::Pass, "no lifecycle rule expires log objects".into(), json!({"lifecycle_rules": null, "min_retention_days": min_days})),
            Fact::Unavailable(r) => return unreadable("lifecycle_rules", r),
        };
        let applies_to_logs = |prefix: &Option<String>| {
            let p = prefix.as_deref().unwrap_or("");
            log_prefixes.is_empty() || log_prefixes.iter().any(|log| log.starts_with(p) || p.starts_with(log.as_str()))
        };
        let offending: Vec<String> = rules
            .iter()
            .filter(|r| r.enabled && !r.has_tag_filter && applies_to_logs(&r.prefix))
            .filter_map(|r| {
                let id = r.id.as_deref().unwrap_or("(unnamed)");
                match (r.expiration_days, r.expiration_date) {
                    (Some(days), _) if days < min_days as i32 => Some(format!("rule {id} expires log objects after {days} days")),
                    (_, Some(date)) => Some(format!("rule {id} expires every matching log object on {}", date.date_naive())),
                    _ => None,
                }
            })
            .collect();
        let evidence = json!({"lifecycle_rules": rules, "log_prefixes": log_prefixes, "min_retention_days": min_days});
        if offending.is_empty() {
            (Status::Pass, format!("no enabled lifecycle rule expires log objects sooner than {min_days} days"), evidence)
        } else {
            (Status::Fail, format!("log objects are deleted sooner than {min_days} days: {}", offending.join("; ")), evidence)
        }
    })
}

pub fn ct308_log_bucket_missing(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    super::coverage::each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        let name = match trail_config(t) {
            Ok(c) => c.s3_bucket_name.clone(),
            Err(r) => return outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail configuration could not be read: {r}"), json!({"config": r})),
        };
        let Some(name) = name else {
            return outcome(code, Status::Fail, &t.account_id, region, &t.arn, "the trail names no S3 bucket", json!({"s3_bucket_name": null}));
        };
        match ctx.inventory.buckets.get(&name).map(|b| &b.owner) {
            Some(Fact::Present(owner)) => outcome(code, Status::Pass, &t.account_id, region, &t.arn, format!("bucket {name} exists (owner {})", owner.account_id), json!({"s3_bucket_name": name, "owner": owner})),
            Some(Fact::Absent) => outcome(code, Status::Fail, &t.account_id, region, &t.arn, format!("bucket {name} does not exist: the trail cannot deliver logs"), json!({"s3_bucket_name": name, "bucket_exists": false})),
            Some(Fact::Unavailable(r)) => outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("whether bucket {name} exists could not be told: {r}"), json!({"s3_bucket_name": name, "owner": r})),
            None => outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("bucket {name} was not collected"), json!({"s3_bucket_name": name})),
        }
    })
}

pub fn ct309_log_bucket_public_access_block_incomplete(ctx: &Context) -> Vec<Outcome> {
    bucket_check(ctx, ctx.code, |b, owner| {
        let account_pab = account_public_access_block(ctx, owner);
        let settings: [(&str, fn(&PublicAccessBlock) -> bool); 4] = [
            ("BlockPublicAcls", |p| p.block_public_acls),
            ("IgnorePublicAcls", |p| p.ignore_public_acls),
            ("BlockPublicPolicy", |p| p.block_public_policy),
            ("RestrictPublicBuckets", |p| p.restrict_public_buckets),
        ];
        let in_force: Vec<(&str, Tri)> = settings.iter().map(|(n, s)| (*n, or3(pab_setting(&b.public_access_block, *s), pab_setting(account_pab, *s)))).collect();
        let off: Vec<&str> = in_force.iter().filter(|(_, v)| *v == Some(false)).map(|(n, _)| *n).collect();
        let unknown = in_force.iter().any(|(_, v)| v.is_none());
        let evidence = json!({
            "bucket_public_access_block": b.public_access_block,
            "account_public_access_block": account_pab,
            "in_force": in_force.iter().map(|(n, v)| (n.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        });
        if !off.is_empty() {
            (Status::Fail, format!("Block Public Access settings off at both bucket and account level: {}", off.join(", ")), evidence)
        } else if unknown {
            let reasons: Vec<&str> = [b.public_access_block.unavailable_reason(), account_pab.unavailable_reason()].into_iter().flatten().collect();
            (Status::Error, format!("Block Public Access could not be read: {}", reasons.join("; ")), evidence)
        } else {
            (Status::Pass, "all four Block Public Access settings are on (bucket or account level)".into(), evidence)
        }
    })
}
