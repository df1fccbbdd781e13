//! CT2xx — trail configuration: validation, encryption, CloudWatch Logs, delivery, data
//! events, insights, notifications and the central bucket.

use chrono::Duration;
use serde_json::json;

use super::coverage::each_trail;
use super::selectors::{s3_data_events, S3DataEvents};
use super::*;

/// "Recent" for delivery times: within 24 hours of when the scan started (not of now, so that
/// re-evaluating a saved inventory gives the same verdicts).
const DELIVERY_WINDOW_HOURS: i64 = 24;

/// A per-trail check that needs only the trail's configuration.
fn config_check(ctx: &Context, code: &str, judge: impl Fn(&Trail, &TrailConfig) -> (Status, String, serde_json::Value)) -> Vec<Outcome> {
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        match trail_config(t) {
            Ok(c) => {
                let (status, message, evidence) = judge(t, c);
                outcome(code, status, &t.account_id, region, &t.arn, message, evidence)
            }
            Err(reason) => outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail configuration could not be read: {reason}"), json!({"config": reason})),
        }
    })
}

pub fn ct201_log_file_validation_disabled(ctx: &Context) -> Vec<Outcome> {
    config_check(ctx, ctx.code, |_, c| {
        let evidence = json!({"log_file_validation_enabled": c.log_file_validation_enabled});
        if c.log_file_validation_enabled {
            (Status::Pass, "log file integrity validation is enabled".into(), evidence)
        } else {
            (Status::Fail, "log file integrity validation is disabled: altered or deleted log files cannot be detected".into(), evidence)
        }
    })
}

pub fn ct202_logs_not_kms_encrypted(ctx: &Context) -> Vec<Outcome> {
    config_check(ctx, ctx.code, |_, c| {
        let evidence = json!({"kms_key_id": c.kms_key_id});
        match &c.kms_key_id {
            Some(key) => (Status::Pass, format!("log files are encrypted with KMS key {key}"), evidence),
            None => (Status::Fail, "log files are not encrypted with a customer managed KMS key (SSE-S3 only)".into(), evidence),
        }
    })
}

fn within_window(ctx: &Context, time: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    time.is_some_and(|t| ctx.inventory.scan.started_at - t <= Duration::hours(DELIVERY_WINDOW_HOURS))
}

pub fn ct203_cloudwatch_logs_not_integrated(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        let c = match trail_config(t) {
            Ok(c) => c,
            Err(r) => return outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail could not be read: {r}"), json!({"unreadable": r})),
        };
        // Without a log group or a role nothing reaches CloudWatch Logs, whatever the status
        // would say: that FAIL needs only the configuration.
        if c.cloud_watch_logs_log_group_arn.is_none() || c.cloud_watch_logs_role_arn.is_none() {
            let mut evidence = json!({
                "cloud_watch_logs_log_group_arn": c.cloud_watch_logs_log_group_arn,
                "cloud_watch_logs_role_arn": c.cloud_watch_logs_role_arn,
                "scan_started_at": ctx.inventory.scan.started_at,
            });
            let mut message = "the trail does not send events to CloudWatch Logs (no log group or no role)".to_string();
            if let Err(r) = trail_status(t) {
                evidence["not_read"] = json!({ "trail_status": r });
                message.push_str("; its status could not be read, and is not needed for this verdict");
            }
            return outcome(code, Status::Fail, &t.account_id, region, &t.arn, message, evidence);
        }
        let s = match trail_status(t) {
            Ok(s) => s,
            Err(r) => return outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail status could not be read: {r}"), json!({"unreadable": r})),
        };
        let evidence = json!({
            "cloud_watch_logs_log_group_arn": c.cloud_watch_logs_log_group_arn,
            "cloud_watch_logs_role_arn": c.cloud_watch_logs_role_arn,
            "latest_cloud_watch_logs_delivery_time": s.latest_cloud_watch_logs_delivery_time,
            "latest_cloud_watch_logs_delivery_error": s.latest_cloud_watch_logs_delivery_error,
            "scan_started_at": ctx.inventory.scan.started_at,
        });
        let (status, message) = if let Some(err) = &s.latest_cloud_watch_logs_delivery_error {
            (Status::Fail, format!("CloudWatch Logs delivery is failing: {err}"))
        } else if !within_window(ctx, s.latest_cloud_watch_logs_delivery_time) {
            let last = s.latest_cloud_watch_logs_delivery_time.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
            (Status::Fail, format!("no CloudWatch Logs delivery within {DELIVERY_WINDOW_HOURS} h of the scan (last: {last})"))
        } else {
            (Status::Pass, "events reach CloudWatch Logs (delivered within 24 h, no delivery error)".to_string())
        };
        outcome(code, status, &t.account_id, region, &t.arn, message, evidence)
    })
}

pub fn ct204_log_delivery_failing(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        let s = match trail_status(t) {
            Ok(s) => s,
            Err(r) => return outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail status could not be read: {r}"), json!({"status": r})),
        };
        let evidence = json!({
            "is_logging": s.is_logging,
            "latest_delivery_time": s.latest_delivery_time,
            "latest_delivery_error": s.latest_delivery_error,
            "latest_digest_delivery_time": s.latest_digest_delivery_time,
            "latest_digest_delivery_error": s.latest_digest_delivery_error,
            "scan_started_at": ctx.inventory.scan.started_at,
        });
        let (status, message) = if !s.is_logging {
            (Status::NotApplicable, "the trail is not logging, so it delivers nothing (see CT108)".to_string())
        } else if let Some(err) = &s.latest_delivery_error {
            (Status::Fail, format!("log delivery to S3 is failing: {err}"))
        } else if let Some(err) = &s.latest_digest_delivery_error {
            (Status::Fail, format!("digest delivery to S3 is failing: {err}"))
        } else if !within_window(ctx, s.latest_delivery_time) {
            let last = s.latest_delivery_time.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
            (Status::Fail, format!("no log file delivered to S3 within {DELIVERY_WINDOW_HOURS} h of the scan (last: {last})"))
        } else {
            (Status::Pass, "log files are delivered to S3 (within 24 h, no delivery error)".to_string())
        };
        outcome(code, status, &t.account_id, region, &t.arn, message, evidence)
    })
}

/// CT205 / CT206: does a covering trail record S3 object-level events of one kind for all buckets?
fn s3_data_events_check(ctx: &Context, code: &str, kind: &str, all: fn(&S3DataEvents) -> bool, some: fn(&S3DataEvents) -> &Vec<String>) -> Vec<Outcome> {
    per_account(ctx, code, |account, trails| {
        let mut partial: Vec<String> = Vec::new();
        let mut per_trail = Vec::new();
        let search = find_trail(&trails, |t| {
            let f = trail_facts(t)?;
            let d = s3_data_events(f.selectors);
            per_trail.push(json!({"arn": t.arn, "is_logging": f.status.is_logging, "all_buckets": all(&d), "some_buckets": some(&d)}));
            if f.status.is_logging {
                partial.extend(some(&d).iter().cloned());
            }
            Ok(f.status.is_logging && all(&d))
        });
        partial.sort();
        partial.dedup();
        let evidence = json!({ "trails": per_trail });
        match search {
            Search::Found(t) => outcome(code, Status::Pass, &account.id, None, &account.id, format!("trail {} records S3 object-level {kind} events for all buckets", t.arn), evidence),
            Search::NotFound if partial.is_empty() => outcome(code, Status::Fail, &account.id, None, &account.id, format!("no logging trail records S3 object-level {kind} events"), evidence),
            Search::NotFound => outcome(code, Status::Fail, &account.id, None, &account.id, format!("S3 object-level {kind} events are recorded only for: {}", partial.join(", ")), evidence),
            Search::Unknown(u) => {
                let mut o = outcome(code, Status::Error, &account.id, None, &account.id, format!("no trail is known to record S3 {kind} events for all buckets and some could not be read: {}", describe_unknown(&u)), evidence);
                o.cause = u.first().map(|(_, reason)| reason.clone());
                o
            }
        }
    })
}

pub fn ct205_s3_write_data_events_not_logged(ctx: &Context) -> Vec<Outcome> {
    s3_data_events_check(ctx, ctx.code, "write", |d| d.all_buckets_write, |d| &d.some_write)
}

pub fn ct206_s3_read_data_events_not_logged(ctx: &Context) -> Vec<Outcome> {
    s3_data_events_check(ctx, ctx.code, "read", |d| d.all_buckets_read, |d| &d.some_read)
}

pub fn ct207_insights_not_enabled(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    each_trail(ctx, |t| {
        let region = Some(t.home_region.as_str());
        let (c, s) = match (trail_config(t), trail_status(t)) {
            (Ok(c), Ok(s)) => (c, s),
            (Err(r), _) | (_, Err(r)) => return outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("trail could not be read: {r}"), json!({"unreadable": r})),
        };
        if !(c.is_multi_region_trail && s.is_logging) {
            let evidence = json!({"is_multi_region_trail": c.is_multi_region_trail, "is_logging": s.is_logging});
            return outcome(code, Status::NotApplicable, &t.account_id, region, &t.arn, "Insights are judged on multi-region logging trails only", evidence);
        }
        match &t.insight_selectors {
            Fact::Present(types) if !types.is_empty() => outcome(code, Status::Pass, &t.account_id, region, &t.arn, format!("Insights enabled: {}", types.join(", ")), json!({"insight_selectors": types})),
            Fact::Present(_) | Fact::Absent => outcome(code, Status::Fail, &t.account_id, region, &t.arn, "CloudTrail Insights is not enabled (no ApiCallRateInsight or ApiErrorRateInsight selector)", json!({"insight_selectors": []})),
            Fact::Unavailable(r) => outcome(code, Status::Error, &t.account_id, region, &t.arn, format!("insight selectors could not be read: {r}"), json!({"insight_selectors": r})),
        }
    })
}

pub fn ct208_notification_topic_missing(ctx: &Context) -> Vec<Outcome> {
    let code = ctx.code;
    config_check(ctx, code, |_, c| {
        let Some(arn) = &c.sns_topic_arn else {
            return (Status::NotApplicable, "the trail has no SNS topic configured".into(), json!({"sns_topic_arn": null}));
        };
        match ctx.inventory.topics.get(arn).map(|t| &t.attributes) {
            Some(Fact::Present(attrs)) => (Status::Pass, format!("SNS topic {arn} exists"), json!({"sns_topic_arn": arn, "topic_exists": true, "subscriptions_confirmed": attrs.subscriptions_confirmed})),
            Some(Fact::Absent) => (Status::Fail, format!("SNS topic {arn} does not exist: log delivery notifications go nowhere"), json!({"sns_topic_arn": arn, "topic_exists": false})),
            Some(Fact::Unavailable(r)) => (Status::Error, format!("SNS topic {arn} could not be read: {r}"), json!({"sns_topic_arn": arn, "topic": r})),
            None => (Status::Error, format!("SNS topic {arn} was not collected"), json!({"sns_topic_arn": arn})),
        }
    })
}

pub fn ct209_not_delivering_to_central_bucket(ctx: &Context) -> Vec<Outcome> {
    let Some(central) = ctx.params.central_bucket.clone() else {
        // Nothing to compare with: no need to read any trail's configuration.
        return each_trail(ctx, |t| {
            outcome(ctx.code, Status::NotApplicable, &t.account_id, Some(&t.home_region), &t.arn, "no central bucket is configured (--central-bucket)", json!({"central_bucket": null}))
        });
    };
    config_check(ctx, ctx.code, move |_, c| {
        let central = &central;
        let evidence = json!({"central_bucket": central, "s3_bucket_name": c.s3_bucket_name});
        if c.s3_bucket_name.as_deref() == Some(central.as_str()) {
            (Status::Pass, format!("the trail delivers to the central bucket {central}"), evidence)
        } else {
            (Status::Fail, format!("the trail delivers to {} instead of the central bucket {central}", c.s3_bucket_name.as_deref().unwrap_or("no bucket")), evidence)
        }
    })
}
