//! The CIS monitoring chain a trail's log group leads to: its metric filters, the alarms on
//! each filter's metric, and the SNS topics those alarms notify (with their subscriptions).
//!
//! Only what the chain references is read: the filters of the trail's own log group (by
//! name), the alarms on exactly those metrics (DescribeAlarmsForMetric, in the log group's
//! region and account), the topics those alarms name. Nothing lists every alarm, filter or
//! topic of an account.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::read::{Limit, fact, not_read};
use super::session_for;
use crate::aws::{Session, unavailable};
use crate::inventory::*;
use crate::model::{Arn, UnavailableKind};

/// The metric filters of one log group, all pages.
pub async fn metric_filters(session: &Session, region: &str, log_group_name: &str) -> Fact<Vec<MetricFilter>> {
    let mut pages = session.logs(region).describe_metric_filters().log_group_name(log_group_name).into_paginator().send();
    let mut filters = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => filters.extend(page.metric_filters().iter().map(|f| MetricFilter {
                name: f.filter_name().unwrap_or_default().to_string(),
                pattern: f.filter_pattern().unwrap_or_default().to_string(),
                transformations: f
                    .metric_transformations()
                    .iter()
                    .map(|t| MetricTransformation {
                        metric_name: t.metric_name().to_string(),
                        metric_namespace: t.metric_namespace().to_string(),
                        metric_value: t.metric_value().to_string(),
                        dimensions: t.dimensions().map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default(),
                    })
                    .collect(),
            })),
            Err(e) => return Fact::Unavailable(unavailable("logs:DescribeMetricFilters", &e)),
        }
    }
    Fact::Present(filters)
}

/// Alarms on every metric a collected metric filter publishes, each metric read once.
pub async fn collect_metric_alarms(
    log_groups: &BTreeMap<String, LogGroup>,
    sessions: &BTreeMap<String, Session>,
    concurrency: usize,
    limit: &Limit,
) -> BTreeMap<String, MetricAlarms> {
    let mut wanted: BTreeMap<String, (String, String, String, String)> = BTreeMap::new();
    for group in log_groups.values() {
        for filter in group.metric_filters.present().into_iter().flatten() {
            for t in &filter.transformations {
                let key = MetricAlarms::key(&group.account_id, &group.region, &t.metric_namespace, &t.metric_name);
                wanted.entry(key).or_insert_with(|| (group.account_id.clone(), group.region.clone(), t.metric_namespace.clone(), t.metric_name.clone()));
            }
        }
    }
    futures::stream::iter(wanted)
        .map(|(key, (account_id, region, namespace, metric_name))| async move {
            let alarms = match sessions.get(&account_id) {
                Some(session) => limit.run(alarms_for_metric(session, &region, &namespace, &metric_name)).await,
                None => not_read(UnavailableKind::NotScanned, format!("account {account_id}, which owns the log group, was not scanned")),
            };
            (key, MetricAlarms { account_id, region, namespace, metric_name, alarms })
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

async fn alarms_for_metric(session: &Session, region: &str, namespace: &str, metric_name: &str) -> Fact<Vec<Alarm>> {
    let result = session.cloudwatch(region).describe_alarms_for_metric().namespace(namespace).metric_name(metric_name).send().await;
    fact("cloudwatch:DescribeAlarmsForMetric", result, &[]).map(|out| {
        out.metric_alarms()
            .iter()
            .map(|a| Alarm {
                name: a.alarm_name().unwrap_or_default().to_string(),
                arn: a.alarm_arn().unwrap_or_default().to_string(),
                namespace: a.namespace().unwrap_or(namespace).to_string(),
                metric_name: a.metric_name().unwrap_or(metric_name).to_string(),
                dimensions: a.dimensions().iter().filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string()))).collect(),
                actions_enabled: a.actions_enabled().unwrap_or(true),
                alarm_actions: a.alarm_actions().to_vec(),
            })
            .collect()
    })
}

/// SNS topics named by alarm actions that were not read yet (as trail notification topics).
pub fn alarm_topics(metric_alarms: &BTreeMap<String, MetricAlarms>, known: &BTreeMap<String, Topic>) -> BTreeMap<String, (String, String, String)> {
    let mut out = BTreeMap::new();
    for entry in metric_alarms.values() {
        for alarm in entry.alarms.present().into_iter().flatten() {
            for action in &alarm.alarm_actions {
                let Some(arn) = Arn::parse(action).filter(|a| a.service == "sns") else { continue };
                if !known.contains_key(action) {
                    out.entry(action.clone()).or_insert_with(|| (arn.account.to_string(), arn.region.to_string(), entry.account_id.clone()));
                }
            }
        }
    }
    out
}

/// Read the alarm topics (attributes and subscriptions), once each.
pub async fn collect_alarm_topics(
    wanted: BTreeMap<String, (String, String, String)>,
    sessions: &BTreeMap<String, Session>,
    concurrency: usize,
    limit: &Limit,
) -> Vec<Topic> {
    futures::stream::iter(wanted)
        .map(|(arn, (owner, region, referrer))| async move { limit.run(super::resources::read_topic(session_for(sessions, &owner, &referrer), arn, region)).await })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// Every subscription of a topic, all pages.
pub async fn subscriptions(session: &Session, region: &str, topic_arn: &str) -> Fact<Vec<Subscription>> {
    let mut pages = session.sns(region).list_subscriptions_by_topic().topic_arn(topic_arn).into_paginator().send();
    let mut subs = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => subs.extend(page.subscriptions().iter().map(|s| Subscription {
                protocol: s.protocol().unwrap_or_default().to_string(),
                arn: s.subscription_arn().unwrap_or_default().to_string(),
                endpoint: s.endpoint().unwrap_or_default().to_string(),
            })),
            Err(e) => return match crate::aws::classify("sns:ListSubscriptionsByTopic", &e, &["NotFound"]) {
                crate::aws::Classified::Absent => Fact::Absent,
                crate::aws::Classified::Unavailable(u) => Fact::Unavailable(u),
            },
        }
    }
    Fact::Present(subs)
}
