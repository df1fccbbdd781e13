// =======================================================================================
// CT5xx — CIS monitoring: trail → log group → metric filter → alarm → confirmed subscriber,
// on hand-built inventories, one class at a time and one broken link at a time.

use std::collections::BTreeMap;

use trailwarden::checks::{EvalParams, Status};
use trailwarden::inventory::*;
use trailwarden::logs_pattern::{self, CisVersion};

use super::fixtures::*;

const GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:*";
const ROLE: &str = "arn:aws:iam::111111111111:role/CloudTrailToCloudWatch";
const ALARMS: &str = "arn:aws:sns:us-east-1:111111111111:cis-alarms";

/// What to break in the chain.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    NoFilter,
    NoAlarm,
    NoAction,
    OnlyPending,
    TopicGone,
    FiltersUnreadable,
}

/// ACCT with a multi-region logging trail sending to GROUP, one metric filter per CIS class
/// (the v6.0 pattern), one alarm per filter metric notifying ALARMS, one confirmed subscriber.
fn monitored(fault: Fault) -> Inventory {
    let t = trail("main", ACCT, "us-east-1").multi_region().cloudwatch(Some(GROUP), Some(ROLE));
    let mut inv = inventory(vec![account(ACCT)], vec![t], vec![], vec![], vec![]);
    let v = CisVersion::V6_0_0;
    let mut filters = Vec::new();
    for class in logs_pattern::classes().iter().filter(|c| !c.is_parameterised()) {
        let metric = class.code().to_string();
        filters.push(MetricFilter {
            name: format!("cis-{metric}"),
            pattern: class.cis_pattern(v).unwrap().to_string(),
            transformations: vec![MetricTransformation { metric_name: metric.clone(), metric_namespace: "CIS".into(), metric_value: "1".into(), dimensions: BTreeMap::new() }],
        });
        let alarms = if fault == Fault::NoAlarm {
            vec![]
        } else {
            vec![Alarm {
                name: format!("cis-{metric}"),
                arn: format!("arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:cis-{metric}"),
                namespace: "CIS".into(),
                metric_name: metric.clone(),
                dimensions: BTreeMap::new(),
                actions_enabled: true,
                alarm_actions: if fault == Fault::NoAction { vec![] } else { vec![ALARMS.to_string()] },
            }]
        };
        let key = MetricAlarms::key(ACCT, "us-east-1", "CIS", &metric);
        inv.metric_alarms.insert(key, MetricAlarms { account_id: ACCT.into(), region: "us-east-1".into(), namespace: "CIS".into(), metric_name: metric, alarms: Fact::Present(alarms) });
    }
    let metric_filters = match fault {
        Fault::NoFilter => Fact::Present(vec![]),
        Fault::FiltersUnreadable => unavailable("logs:DescribeMetricFilters: AccessDeniedException (HTTP 400)"),
        _ => Fact::Present(filters),
    };
    inv.log_groups.insert(
        GROUP.into(),
        LogGroup { arn: GROUP.into(), name: "cloudtrail".into(), account_id: ACCT.into(), region: "us-east-1".into(), details: Fact::Present(LogGroupDetails { retention_in_days: Some(400) }), metric_filters },
    );
    let subscriptions = if fault == Fault::OnlyPending {
        vec![Subscription { protocol: "email".into(), arn: "PendingConfirmation".into(), endpoint: "oncall@example.com".into() }]
    } else {
        vec![Subscription { protocol: "email".into(), arn: format!("{ALARMS}:6f1c0b7e"), endpoint: "oncall@example.com".into() }]
    };
    let (attributes, subscriptions) = if fault == Fault::TopicGone { (Fact::Absent, Fact::Absent) } else { (Fact::Present(TopicAttributes { subscriptions_confirmed: Some(1) }), Fact::Present(subscriptions)) };
    inv.topics.insert(ALARMS.into(), Topic { arn: ALARMS.into(), attributes, subscriptions });
    inv
}

const CLASSES: [&str; 15] = ["CT501", "CT502", "CT503", "CT504", "CT505", "CT506", "CT507", "CT508", "CT509", "CT510", "CT511", "CT512", "CT513", "CT514", "CT515"];

#[test]
fn every_class_passes_with_its_cis_pattern_alarm_and_confirmed_subscriber() {
    let inv = monitored(Fault::None);
    for code in CLASSES {
        let o = only(&inv, code);
        expect(&o, Status::Pass, &["monitored"]);
        assert_eq!(o.evidence["furthest_link"], "complete", "{code}");
    }
}

#[test]
fn each_broken_link_fails_naming_it() {
    for (fault, link, words) in [
        (Fault::NoFilter, "metric_filter", "no metric filter"),
        (Fault::NoAlarm, "alarm", "no CloudWatch alarm"),
        (Fault::NoAction, "alarm_action", "SNS"),
        (Fault::OnlyPending, "subscriber", "confirmed subscription"),
        (Fault::TopicGone, "subscriber", "confirmed subscription"),
    ] {
        let inv = monitored(fault);
        for code in CLASSES {
            let o = only(&inv, code);
            expect(&o, Status::Fail, &[words]);
            assert_eq!(o.evidence["furthest_link"], link, "{code}");
        }
    }
}

#[test]
fn an_unreadable_link_is_an_error_with_its_cause() {
    let inv = monitored(Fault::FiltersUnreadable);
    for code in CLASSES {
        let o = only(&inv, code);
        expect_error(&o, "DescribeMetricFilters");
        assert!(o.cause.is_some(), "{code}");
    }
}

#[test]
fn a_trail_that_is_not_multi_region_or_not_logging_starts_no_chain() {
    for broken in [
        trail("main", ACCT, "us-east-1").cloudwatch(Some(GROUP), Some(ROLE)),
        trail("main", ACCT, "us-east-1").multi_region().logging(false).cloudwatch(Some(GROUP), Some(ROLE)),
        trail("main", ACCT, "us-east-1").multi_region().cloudwatch(Some(GROUP), None),
    ] {
        let mut inv = monitored(Fault::None);
        inv.trails = [(broken.trail.arn.clone(), broken.trail)].into();
        for code in CLASSES {
            let o = only(&inv, code);
            expect(&o, Status::Fail, &["no multi-region, logging trail"]);
            assert_eq!(o.evidence["furthest_link"], "trail", "{code}");
        }
    }
}

#[test]
fn members_are_judged_by_the_organization_trails_chain() {
    let mut inv = in_org(monitored(Fault::None));
    // The chain's trail becomes the management account's organization trail; the member has none of its own.
    let org_trail = trail("org", MGMT, "us-east-1").multi_region().org_trail().cloudwatch(Some(GROUP), Some(ROLE));
    inv.trails = [(org_trail.trail.arn.clone(), org_trail.trail)].into();
    inv.accounts = vec![account(MGMT), account(MEMBER)];
    for code in CLASSES {
        for acct in [MGMT, MEMBER] {
            let o = trailwarden::checks::evaluate(&inv, &EvalParams::default(), Some(&[code])).into_iter().find(|o| o.account == acct).unwrap();
            assert_eq!(o.status, Status::Pass, "{code} {acct}: {}", o.message);
        }
    }
}

#[test]
fn retention_and_unused_regions() {
    let inv = monitored(Fault::None);
    expect(&only(&inv, "CT516"), Status::Pass, &["400 days"]);
    let params = EvalParams { min_log_group_retention_days: 731, ..EvalParams::default() };
    expect(&only_with(&inv, &params, "CT516"), Status::Fail, &["only 400 days"]);
    expect(&only(&inv, "CT517"), Status::NotApplicable, &["allowed_regions"]);
    let params = EvalParams { allowed_regions: Some(vec!["us-east-1".into()]), ..EvalParams::default() };
    expect(&only_with(&inv, &params, "CT517"), Status::Fail, &["no metric filter"]);
}

#[test]
fn retention_of_a_group_whose_trail_could_not_be_read_is_an_error_not_dropped() {
    // The trail names GROUP, but whether it is logging (so sends to it) was not read: CT516
    // keeps one outcome for GROUP, an ERROR with the cause, instead of no outcome at all.
    let mut inv = monitored(Fault::None);
    let t = trail("main", ACCT, "us-east-1").multi_region().cloudwatch(Some(GROUP), Some(ROLE)).unreadable_status(DENIED);
    inv.trails = [(t.trail.arn.clone(), t.trail)].into();
    let o = only(&inv, "CT516");
    expect_error(&o, "AccessDenied");
    assert_eq!((o.resource.as_str(), o.region.as_deref()), (GROUP, Some("us-east-1")), "the same resource and region as the group's verdict");
    assert!(o.cause.is_some());
}
