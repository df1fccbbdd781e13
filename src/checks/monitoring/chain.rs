//! The chain walk behind every CT5xx account check: from the trails that apply to an account
//! to a confirmed subscriber, link by link, keeping every candidate examined and why it fell
//! short, so a FAIL can name the first broken link and the evidence can show the rest.
//!
//! Pure: it reads the inventory and the filter-pattern evaluator, nothing else.

use serde_json::{Value, json};

use super::super::selectors::management_events;
use super::super::{trail_facts, Search, find_trail};
use crate::inventory::{Fact, Inventory, LogGroup, MetricAlarms, MetricTransformation, Trail};
use crate::logs_pattern::{self, Coverage};
use crate::model::{Arn, Unavailable, UnavailableKind};

/// The links of the chain, in order; a chain that stops at a link is broken there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Link {
    /// No multi-region, logging, management read+write trail sends to CloudWatch Logs.
    Trail,
    /// The trail's log group does not exist.
    LogGroup,
    /// No metric filter on the log group catches the class's events.
    Filter,
    /// No alarm watches a catching filter's metric.
    Alarm,
    /// No alarm has an enabled SNS action.
    Action,
    /// No notified topic exists with a confirmed subscription.
    Subscriber,
    /// The whole chain holds.
    Complete,
}

impl Link {
    pub fn describe(self) -> &'static str {
        match self {
            Link::Trail => "no multi-region, logging trail recording all management events (read and write) sends to CloudWatch Logs",
            Link::LogGroup => "the trail's CloudWatch Logs log group does not exist",
            Link::Filter => "no metric filter on the trail's log group catches these events",
            Link::Alarm => "no CloudWatch alarm watches the metric of a filter that catches these events",
            Link::Action => "no alarm on that metric notifies an SNS topic (no enabled SNS alarm action)",
            Link::Subscriber => "no SNS topic the alarm notifies exists with a confirmed subscription",
            Link::Complete => "complete",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Link::Trail => "trail",
            Link::LogGroup => "log_group",
            Link::Filter => "metric_filter",
            Link::Alarm => "alarm",
            Link::Action => "alarm_action",
            Link::Subscriber => "subscriber",
            Link::Complete => "complete",
        }
    }
}

/// What a class needs from a filter: a coverage verdict for its pattern.
pub type Judge<'a> = &'a dyn Fn(&logs_pattern::Pattern) -> Coverage;

/// The walk's result for one account.
pub struct Walk {
    /// The furthest link reached by any candidate (`Complete` when a chain holds).
    pub reached: Link,
    /// Facts that could not be read on the way, where they might have completed a chain.
    pub unknown: Vec<Unavailable>,
    /// Every candidate examined, for the evidence.
    pub evidence: Vec<Value>,
    /// The trail of the complete chain, or of the furthest candidate.
    pub trail: Option<String>,
}

/// Logging, multi-region, management read+write, with a log group and role set.
pub fn sends_to_cloudwatch(trail: &Trail) -> Result<bool, Unavailable> {
    let f = trail_facts(trail)?;
    Ok(f.status.is_logging
        && f.config.is_multi_region_trail
        && management_events(f.selectors).read_write()
        && f.config.cloud_watch_logs_log_group_arn.is_some()
        && f.config.cloud_watch_logs_role_arn.is_some())
}

/// The trails that qualify as the start of a monitoring chain, or why none is known to.
pub fn qualifying_trails<'a>(trails: &[&'a Trail]) -> Result<Vec<&'a Trail>, Vec<(String, Unavailable)>> {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for trail in trails {
        match find_trail(&[trail], sends_to_cloudwatch) {
            Search::Found(t) => found.push(t),
            Search::NotFound => {}
            Search::Unknown(u) => unknown.extend(u),
        }
    }
    if found.is_empty() && !unknown.is_empty() { Err(unknown) } else { Ok(found) }
}

/// Walk every chain that starts at `trails` for one class.
pub fn walk(inventory: &Inventory, trails: &[&Trail], judge: Judge) -> Walk {
    let mut walk = Walk { reached: Link::Trail, unknown: Vec::new(), evidence: Vec::new(), trail: None };
    let qualifying = match qualifying_trails(trails) {
        Ok(q) => q,
        Err(unknown) => {
            walk.unknown = unknown.into_iter().map(|(_, u)| u).collect();
            return walk;
        }
    };
    for trail in qualifying {
        let (reached, evidence) = walk_trail(inventory, trail, judge, &mut walk.unknown);
        walk.evidence.push(evidence);
        if reached > walk.reached || walk.trail.is_none() {
            walk.trail = Some(trail.arn.clone());
        }
        walk.reached = walk.reached.max(reached);
        if reached == Link::Complete {
            break;
        }
    }
    walk
}

fn walk_trail(inventory: &Inventory, trail: &Trail, judge: Judge, unknown: &mut Vec<Unavailable>) -> (Link, Value) {
    let group_arn = trail.config.present().and_then(|c| c.cloud_watch_logs_log_group_arn.clone()).unwrap_or_default();
    let mut evidence = json!({ "trail": trail.arn, "log_group": group_arn });
    let Some(group) = inventory.log_groups.get(&group_arn) else {
        unknown.push(Unavailable::new(UnavailableKind::NotScanned, None, format!("log group {group_arn} was not collected")));
        return (Link::LogGroup, evidence);
    };
    match (&group.details, &group.metric_filters) {
        (Fact::Absent, _) => {
            evidence["broken_link"] = json!(Link::LogGroup.key());
            return (Link::LogGroup, evidence);
        }
        (Fact::Unavailable(u), _) | (_, Fact::Unavailable(u)) => {
            unknown.push(u.clone());
            evidence["unreadable"] = json!(u);
            return (Link::LogGroup, evidence);
        }
        _ => {}
    }
    let filters = group.metric_filters.present().cloned().unwrap_or_default();
    let mut reached = Link::Filter;
    let mut examined = Vec::new();
    for filter in &filters {
        let mut entry = json!({ "name": filter.name, "pattern": filter.pattern });
        let coverage = match logs_pattern::parse(&filter.pattern) {
            Ok(pattern) => judge(&pattern),
            Err(e) => {
                entry["invalid_pattern"] = json!(e.to_string());
                examined.push(entry);
                continue;
            }
        };
        entry["catches_class"] = json!(coverage.is_covered());
        if !coverage.is_covered() {
            entry["missed_samples"] = json!(coverage.missed);
            entry["wrongly_caught_samples"] = json!(coverage.caught);
            examined.push(entry);
            continue;
        }
        let (link, alarms) = walk_metrics(inventory, group, &filter.transformations, unknown);
        entry["alarms"] = alarms;
        entry["reached"] = json!(link.key());
        examined.push(entry);
        reached = reached.max(link);
        if link == Link::Complete {
            break;
        }
    }
    evidence["metric_filters"] = json!(examined);
    evidence["broken_link"] = if reached == Link::Complete { Value::Null } else { json!(reached.key()) };
    (reached, evidence)
}

/// From a catching filter's metrics to alarms, actions and subscribers.
fn walk_metrics(inventory: &Inventory, group: &LogGroup, metrics: &[MetricTransformation], unknown: &mut Vec<Unavailable>) -> (Link, Value) {
    let mut reached = Link::Alarm;
    let mut examined = Vec::new();
    for metric in metrics {
        let key = MetricAlarms::key(&group.account_id, &group.region, &metric.metric_namespace, &metric.metric_name);
        let alarms = match inventory.metric_alarms.get(&key).map(|m| &m.alarms) {
            Some(Fact::Present(alarms)) => alarms,
            Some(Fact::Unavailable(u)) => {
                unknown.push(u.clone());
                examined.push(json!({ "metric": key, "unreadable": u }));
                continue;
            }
            Some(Fact::Absent) | None => {
                examined.push(json!({ "metric": key, "alarms": [] }));
                continue;
            }
        };
        // The alarm must watch exactly the metric the filter publishes: same namespace,
        // name and dimensions (a filter publishing dimensions has no dimensionless metric).
        for alarm in alarms.iter().filter(|a| a.namespace == metric.metric_namespace && a.metric_name == metric.metric_name && a.dimensions == metric.dimensions) {
            let sns: Vec<&String> = alarm.alarm_actions.iter().filter(|a| Arn::parse(a).is_some_and(|arn| arn.service == "sns")).collect();
            let mut entry = json!({ "alarm": alarm.arn, "actions_enabled": alarm.actions_enabled, "sns_actions": sns });
            if !alarm.actions_enabled || sns.is_empty() {
                examined.push(entry);
                reached = reached.max(Link::Action);
                continue;
            }
            reached = reached.max(Link::Subscriber);
            let mut topics = Vec::new();
            for topic_arn in sns {
                let (holds, topic_evidence) = topic_has_subscriber(inventory, topic_arn, unknown);
                topics.push(topic_evidence);
                if holds {
                    reached = Link::Complete;
                    break;
                }
            }
            entry["topics"] = json!(topics);
            examined.push(entry);
            if reached == Link::Complete {
                return (reached, json!(examined));
            }
        }
    }
    (reached, json!(examined))
}

fn topic_has_subscriber(inventory: &Inventory, arn: &str, unknown: &mut Vec<Unavailable>) -> (bool, Value) {
    let Some(topic) = inventory.topics.get(arn) else {
        unknown.push(Unavailable::new(UnavailableKind::NotScanned, None, format!("topic {arn} was not collected")));
        return (false, json!({ "topic": arn, "unreadable": "not collected" }));
    };
    match (&topic.attributes, &topic.subscriptions) {
        (Fact::Absent, _) | (_, Fact::Absent) => (false, json!({ "topic": arn, "exists": false })),
        (Fact::Unavailable(u), _) | (_, Fact::Unavailable(u)) => {
            unknown.push(u.clone());
            (false, json!({ "topic": arn, "unreadable": u }))
        }
        (Fact::Present(_), Fact::Present(subs)) => {
            let confirmed: Vec<&str> = subs.iter().filter(|s| s.confirmed()).map(|s| s.protocol.as_str()).collect();
            let pending = subs.iter().filter(|s| !s.confirmed()).count();
            (!confirmed.is_empty(), json!({ "topic": arn, "exists": true, "confirmed_subscriptions": confirmed, "pending_subscriptions": pending }))
        }
    }
}
