//! The CloudWatch side of a trail: the metric filters on its log group, the alarms on those
//! filters' metrics, and the subscribers of the alarms' SNS topics (CIS monitoring, CT5xx).
//! Only what a trail references is recorded: the filters of the trail's own log group, the
//! alarms on those filters' metrics, the topics those alarms notify.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Fact;
use crate::model::{Unavailable, UnavailableKind};

/// One metric filter of a log group (logs:DescribeMetricFilters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    /// The filter pattern exactly as stored.
    pub pattern: String,
    pub transformations: Vec<MetricTransformation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    /// Dimension name → value expression (`$.field`), as the filter publishes them.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

/// The alarms on one metric (cloudwatch:DescribeAlarmsForMetric), in the log group's
/// account and region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarms {
    pub account_id: String,
    pub region: String,
    pub namespace: String,
    pub metric_name: String,
    pub alarms: Fact<Vec<Alarm>>,
}

impl MetricAlarms {
    /// The inventory key: account, region, namespace and metric name.
    pub fn key(account_id: &str, region: &str, namespace: &str, metric_name: &str) -> String {
        format!("{account_id}/{region}/{namespace}/{metric_name}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// When false, the alarm changes state but notifies nobody.
    pub actions_enabled: bool,
    /// ARNs notified when the alarm goes to ALARM.
    pub alarm_actions: Vec<String>,
}

/// One subscription of an SNS topic (sns:ListSubscriptionsByTopic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub protocol: String,
    /// The subscription ARN, or `PendingConfirmation` until the endpoint confirms.
    pub arn: String,
    pub endpoint: String,
}

impl Subscription {
    pub fn confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}

/// For inventories written before the monitoring chain was collected.
pub(super) fn not_collected<T>() -> Fact<T> {
    Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, None, "not collected: the inventory was written before trailwarden read the CloudWatch monitoring chain; scan again"))
}
