//! KMS keys, SNS topics and CloudWatch Logs groups that trails reference: each read once,
//! in its own region, with its owner's session when the owner was scanned (else the session
//! of a referring account, since key and topic policies may allow cross-account reads).
//! Only what a trail references is read: no listing of every key, topic or log group.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::progress::Progress;
use super::read::{Limit, fact, not_read};
use super::session_for;
use crate::aws::{Session, unavailable};
use crate::inventory::*;
use crate::model::{Arn, UnavailableKind};

pub async fn collect_resources(
    trails: &BTreeMap<String, Trail>,
    sessions: &BTreeMap<String, Session>,
    concurrency: usize,
    limit: &Limit,
    progress: &Progress,
) -> (BTreeMap<String, Key>, BTreeMap<String, Topic>, BTreeMap<String, LogGroup>) {
    // reference -> (owner account, region, referring account)
    let mut keys: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let mut topics: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let mut groups: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for trail in trails.values() {
        let Some(config) = trail.config.present() else { continue };
        let locate = |reference: &str| match Arn::parse(reference) {
            Some(arn) => (arn.account.to_string(), arn.region.to_string(), trail.account_id.clone()),
            None => (trail.account_id.clone(), trail.home_region.clone(), trail.account_id.clone()),
        };
        if let Some(k) = &config.kms_key_id {
            keys.entry(k.clone()).or_insert_with(|| locate(k));
        }
        if let Some(t) = &config.sns_topic_arn {
            topics.entry(t.clone()).or_insert_with(|| locate(t));
        }
        if let Some(g) = &config.cloud_watch_logs_log_group_arn {
            groups.entry(g.clone()).or_insert_with(|| locate(g));
        }
    }
    let total = keys.len() + topics.len() + groups.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || progress.update("keys, topics, log groups", done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);

    let key_reads = futures::stream::iter(keys)
        .map(|(reference, (owner, region, referrer))| async move {
            let key = limit.run(read_key(session_for(sessions, &owner, &referrer), reference, owner, region)).await;
            tick();
            key
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>();
    let topic_reads = futures::stream::iter(topics)
        .map(|(arn, (owner, region, referrer))| async move {
            let topic = limit.run(read_topic(session_for(sessions, &owner, &referrer), arn, region)).await;
            tick();
            topic
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>();
    let group_reads = futures::stream::iter(groups)
        .map(|(arn, (owner, region, referrer))| async move {
            let group = limit.run(read_log_group(session_for(sessions, &owner, &referrer), arn, owner, region)).await;
            tick();
            group
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>();
    let (keys, topics, groups) = tokio::join!(key_reads, topic_reads, group_reads);
    (
        keys.into_iter().map(|k| (k.reference.clone(), k)).collect(),
        topics.into_iter().map(|t| (t.arn.clone(), t)).collect(),
        groups.into_iter().map(|g| (g.arn.clone(), g)).collect(),
    )
}

const NO_SESSION: &str = "no scanned account could be used to read it";

async fn read_key(session: Option<&Session>, reference: String, account_id: String, region: String) -> Key {
    let Some(session) = session else {
        return Key { reference, account_id, region, metadata: not_read(UnavailableKind::NotScanned, NO_SESSION), rotation_enabled: not_read(UnavailableKind::NotScanned, NO_SESSION) };
    };
    let kms = session.kms(&region);
    let metadata = fact("kms:DescribeKey", kms.describe_key().key_id(&reference).send().await, &["NotFoundException"]).and_then(|out| {
        match out.key_metadata() {
            Some(m) => Fact::Present(KeyMetadata {
                arn: m.arn().unwrap_or(&reference).to_string(),
                key_state: m.key_state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                key_manager: m.key_manager().map(|s| s.as_str().to_string()).unwrap_or_default(),
            }),
            None => not_read(UnavailableKind::ServiceError, "kms:DescribeKey answered without key metadata"),
        }
    });
    let rotation_enabled = match &metadata {
        Fact::Present(m) => fact(
            "kms:GetKeyRotationStatus",
            kms.get_key_rotation_status().key_id(&m.arn).send().await,
            &[],
        )
        .map(|out| out.key_rotation_enabled()),
        Fact::Absent => Fact::Absent,
        Fact::Unavailable(reason) => Fact::Unavailable(reason.clone()),
    };
    Key { reference, account_id, region, metadata, rotation_enabled }
}

pub(super) async fn read_topic(session: Option<&Session>, arn: String, region: String) -> Topic {
    let Some(session) = session else {
        return Topic { arn, attributes: not_read(UnavailableKind::NotScanned, NO_SESSION), subscriptions: not_read(UnavailableKind::NotScanned, NO_SESSION) };
    };
    let result = session.sns(&region).get_topic_attributes().topic_arn(&arn).send().await;
    let attributes = fact("sns:GetTopicAttributes", result, &["NotFound"]).map(|out| TopicAttributes {
        subscriptions_confirmed: out.attributes().and_then(|a| a.get("SubscriptionsConfirmed")).and_then(|v| v.parse().ok()),
    });
    let subscriptions = match &attributes {
        Fact::Present(_) => super::monitoring::subscriptions(session, &region, &arn).await,
        Fact::Absent => Fact::Absent,
        Fact::Unavailable(reason) => Fact::Unavailable(reason.clone()),
    };
    Topic { arn, attributes, subscriptions }
}

/// `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME` or `...:log-group:NAME:*`.
pub fn log_group_name(arn: &str) -> Option<&str> {
    let rest = Arn::parse(arn)?.resource.strip_prefix("log-group:")?;
    Some(rest.strip_suffix(":*").unwrap_or(rest))
}

async fn read_log_group(session: Option<&Session>, arn: String, account_id: String, region: String) -> LogGroup {
    let name = log_group_name(&arn).unwrap_or_default().to_string();
    let Some(session) = session else {
        return LogGroup { arn, name, account_id, region, details: not_read(UnavailableKind::NotScanned, NO_SESSION), metric_filters: not_read(UnavailableKind::NotScanned, NO_SESSION) };
    };
    if name.is_empty() {
        let missing = "the trail's log group ARN names no log group";
        return LogGroup { arn, name, account_id, region, details: not_read(UnavailableKind::NotFound, missing), metric_filters: not_read(UnavailableKind::NotFound, missing) };
    }
    // The exact name as prefix: a handful of groups at most, never a listing of the account's groups.
    let mut pages = session.logs(&region).describe_log_groups().log_group_name_prefix(&name).into_paginator().send();
    let mut details = Fact::Absent;
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                if let Some(group) = page.log_groups().iter().find(|g| g.log_group_name() == Some(name.as_str())) {
                    details = Fact::Present(LogGroupDetails { retention_in_days: group.retention_in_days() });
                    break;
                }
            }
            Err(e) => {
                details = Fact::Unavailable(unavailable("logs:DescribeLogGroups", &e));
                break;
            }
        }
    }
    let metric_filters = match &details {
        Fact::Present(_) => super::monitoring::metric_filters(session, &region, &name).await,
        Fact::Absent => Fact::Absent,
        Fact::Unavailable(reason) => Fact::Unavailable(reason.clone()),
    };
    LogGroup { arn, name, account_id, region, details, metric_filters }
}
