//! CT5xx — CIS monitoring, understood rather than pattern-matched: for each class of event
//! the benchmark wants an alarm on, follow the chain trail → log group → metric filter →
//! alarm → SNS action → confirmed subscriber, and judge each filter by evaluating its pattern
//! against sample CloudTrail events of the class (`logs_pattern`), never by comparing text.
//!
//! Organization trails: a member account covered by the organization trail is judged by the
//! chain of that trail, which lives in the management account (the trail delivers every
//! member's events to one log group there, so a metric filter on it alarms on members'
//! events too). The account's own trails are candidates as well; any complete chain passes.

mod chain;

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::logs_pattern::{self, CisVersion};
use chain::{Link, Walk, sends_to_cloudwatch, walk};

/// The CIS version whose samples judge a filter: the one `--framework` names, else the newest.
fn cis_version(ctx: &Context) -> CisVersion {
    ctx.params.cis_version.as_deref().and_then(CisVersion::from_name).unwrap_or(CisVersion::V6_0_0)
}

/// One outcome per account from a chain walk.
fn judge_walk(ctx: &Context, account: &Account, walk: Walk, what: &str, extra: serde_json::Value) -> Outcome {
    let code = ctx.code;
    let mut evidence = json!({ "chains": walk.evidence, "furthest_link": walk.reached.key() });
    if let serde_json::Value::Object(extra) = extra {
        for (k, v) in extra {
            evidence[k] = v;
        }
    }
    if walk.reached == Link::Complete {
        let trail = walk.trail.unwrap_or_default();
        return outcome(code, Status::Pass, &account.id, None, &account.id, format!("{what}: monitored (trail {trail} → log group → metric filter → alarm → SNS → confirmed subscriber)"), evidence);
    }
    if let Some(first) = walk.unknown.first() {
        let mut o = outcome(
            code,
            Status::Error,
            &account.id,
            None,
            &account.id,
            format!("{what}: no complete monitoring chain is known and part of one could not be read: {first}"),
            evidence,
        );
        o.cause = Some(first.clone());
        return o;
    }
    outcome(code, Status::Fail, &account.id, None, &account.id, format!("{what}: not monitored: {}", walk.reached.describe()), evidence)
}

/// CT501–CT515: the class with the check's own code.
pub fn event_class_monitored(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    let version = cis_version(ctx);
    let Some(class) = logs_pattern::class(code) else {
        return ctx.inventory.accounts.iter().map(|a| outcome(code, Status::Error, &a.id, None, &a.id, format!("{code}: no sample events are built in for this class"), json!({}))).collect();
    };
    let what = class.title().to_string();
    per_account(ctx, code, |account, trails| {
        let judge = |p: &logs_pattern::Pattern| logs_pattern::covers(p, class, version);
        let w = walk(ctx.inventory, &trails, &judge);
        let extra = json!({ "cis_version": version.as_str(), "recommendation": class.recommendation(version), "cis_pattern": class.cis_pattern(version) });
        judge_walk(ctx, account, w, &what, extra)
    })
}

/// CT517: activity in regions outside `allowed_regions` is monitored.
pub fn ct517_unused_region_activity_not_monitored(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    let Some(allowed) = &ctx.params.allowed_regions else {
        return ctx
            .inventory
            .accounts
            .iter()
            .map(|a| outcome(code, Status::NotApplicable, &a.id, None, &a.id, "no allowed_regions are configured (config `allowed_regions`, or --allowed-regions)", json!({"allowed_regions": null})))
            .collect();
    };
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    per_account(ctx, code, |account, trails| {
        let judge = |p: &logs_pattern::Pattern| logs_pattern::covers_regions(p, &allowed);
        let w = walk(ctx.inventory, &trails, &judge);
        let extra = json!({ "allowed_regions": allowed, "example_pattern": logs_pattern::region_pattern(&allowed) });
        judge_walk(ctx, account, w, "API calls in regions outside the allowed list", extra)
    })
}

/// CT516: each log group a qualifying trail sends to keeps events long enough.
pub fn ct516_log_group_retention_too_short(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    let min = ctx.params.min_log_group_retention_days;
    // The groups of trails that send to CloudWatch Logs, and those of trails that might (their
    // configuration names a group, but whether they qualify could not be read): a group of
    // the second kind only is an ERROR naming why, so it never silently drops out.
    let mut groups: BTreeMap<&str, Option<Unavailable>> = BTreeMap::new();
    for t in ctx.inventory.trails.values() {
        let Some(arn) = t.config.present().and_then(|c| c.cloud_watch_logs_log_group_arn.as_deref()) else { continue };
        match find_trail(&[t], sends_to_cloudwatch) {
            Search::Found(_) => {
                groups.insert(arn, None);
            }
            Search::NotFound => {}
            Search::Unknown(u) => {
                groups.entry(arn).or_insert_with(|| u.into_iter().next().map(|(_, r)| r));
            }
        }
    }
    groups
        .into_iter()
        .map(|(arn, unknown)| {
            if let Some(reason) = unknown {
                // Account and region from the ARN, as the group's own outcome would have them.
                let (account, region) = Arn::parse(arn).map(|a| (a.account, Some(a.region).filter(|r| !r.is_empty()))).unwrap_or_default();
                let mut o = outcome(code, Status::Error, account, region, arn, format!("whether a trail sends its events to this log group could not be read: {reason}"), json!({"log_group": arn, "trail": reason}));
                o.cause = Some(reason);
                return o;
            }
            let Some(group) = ctx.inventory.log_groups.get(arn) else {
                let account = Arn::parse(arn).map(|a| a.account).unwrap_or_default();
                return outcome(code, Status::Error, account, None, arn, "the log group was not collected", json!({"log_group": arn}));
            };
            let region = Some(group.region.as_str());
            let evidence = |retention: serde_json::Value| json!({"log_group": arn, "retention_in_days": retention, "min_log_group_retention_days": min});
            match &group.details {
                Fact::Present(d) => match d.retention_in_days {
                    None => outcome(code, Status::Pass, &group.account_id, region, arn, "events never expire", evidence(json!(null))),
                    Some(days) if days >= 0 && days as u32 >= min => outcome(code, Status::Pass, &group.account_id, region, arn, format!("events are kept {days} days (at least {min})"), evidence(json!(days))),
                    Some(days) => outcome(code, Status::Fail, &group.account_id, region, arn, format!("events are kept only {days} days; at least {min} are required"), evidence(json!(days))),
                },
                Fact::Absent => outcome(code, Status::NotApplicable, &group.account_id, region, arn, "the log group does not exist (the CT5xx chain checks fail at it)", evidence(json!(null))),
                Fact::Unavailable(u) => outcome(code, Status::Error, &group.account_id, region, arn, format!("the log group could not be read: {u}"), json!({"log_group": arn, "details": u})),
            }
        })
        .collect()
}
