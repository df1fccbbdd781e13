//! Trail details: GetTrail, GetTrailStatus, GetEventSelectors and GetInsightSelectors,
//! each called once per trail, in the trail's home region, with the owner's session when the
//! owner was scanned (else the session of the account that listed it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::progress::Progress;
use super::read::{Limit, fact};
use super::session_for;
use crate::aws::Session;
use crate::inventory::*;
use crate::model::{Arn, Unavailable, UnavailableKind};

/// The account that owns a trail, from its ARN.
fn owner_of(trail: &TrailRef) -> Option<&str> {
    Arn::parse(&trail.arn).map(|a| a.account)
}

/// The trails an account lists and owns, read with the account's own session as part of the
/// account's unit of work, all at once (an account has a handful of trails).
pub async fn own_trails(account: &Account, session: &Session) -> BTreeMap<String, Trail> {
    let Some(listed) = account.listed_trails.present() else { return BTreeMap::new() };
    let reads = listed.iter().filter(|t| owner_of(t) == Some(account.id.as_str())).map(|t| collect_trail(session, t.clone(), account.id.clone()));
    futures::future::join_all(reads).await.into_iter().map(|t| (t.arn.clone(), t)).collect()
}

/// The trails listed by some account and not read yet: those owned by an account outside the
/// scan (or one that could not be entered), read with a listing account's session.
pub async fn collect_other_trails(
    accounts: &[Account],
    already: &BTreeMap<String, Trail>,
    sessions: &BTreeMap<String, Session>,
    concurrency: usize,
    limit: &Limit,
    progress: &Progress,
) -> BTreeMap<String, Trail> {
    // Each trail once, however many accounts list it (an organization trail is listed by all).
    let mut listed: BTreeMap<String, (TrailRef, String)> = BTreeMap::new();
    for account in accounts {
        if let Fact::Present(trails) = &account.listed_trails {
            for trail in trails.iter().filter(|t| !already.contains_key(&t.arn)) {
                listed.entry(trail.arn.clone()).or_insert_with(|| (trail.clone(), account.id.clone()));
            }
        }
    }
    let total = listed.len();
    let mut done = 0;
    let mut out = BTreeMap::new();
    let mut stream = futures::stream::iter(listed.into_values())
        .map(|(trail_ref, lister)| async move {
            let owner = Arn::parse(&trail_ref.arn).map(|a| a.account.to_string()).unwrap_or_else(|| lister.clone());
            let session = session_for(sessions, &owner, &lister).expect("the listing account has a session");
            limit.run(collect_trail(session, trail_ref, owner)).await
        })
        .buffer_unordered(concurrency.max(1));
    while let Some(trail) = stream.next().await {
        done += 1;
        progress.update("trails", done, total);
        out.insert(trail.arn.clone(), trail);
    }
    out
}

async fn collect_trail(session: &Session, trail_ref: TrailRef, owner: String) -> Trail {
    let region = if trail_ref.home_region.is_empty() { session.default_region() } else { trail_ref.home_region.clone() };
    let client = session.cloudtrail(&region);
    let arn = trail_ref.arn.as_str();
    let (config, status, selectors, insights) = tokio::join!(
        client.get_trail().name(arn).send(),
        client.get_trail_status().name(arn).send(),
        client.get_event_selectors().trail_name(arn).send(),
        client.get_insight_selectors().trail_name(arn).send(),
    );
    let config = fact("cloudtrail:GetTrail", config, &[]).and_then_present(|out| {
        let t = out.trail()?;
        Some(TrailConfig {
            s3_bucket_name: t.s3_bucket_name().map(str::to_string),
            s3_key_prefix: t.s3_key_prefix().filter(|p| !p.is_empty()).map(str::to_string),
            sns_topic_arn: t.sns_topic_arn().filter(|p| !p.is_empty()).map(str::to_string),
            include_global_service_events: t.include_global_service_events().unwrap_or(false),
            is_multi_region_trail: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
            cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().filter(|p| !p.is_empty()).map(str::to_string),
            cloud_watch_logs_role_arn: t.cloud_watch_logs_role_arn().filter(|p| !p.is_empty()).map(str::to_string),
            kms_key_id: t.kms_key_id().filter(|p| !p.is_empty()).map(str::to_string),
            has_custom_event_selectors: t.has_custom_event_selectors().unwrap_or(false),
            has_insight_selectors: t.has_insight_selectors().unwrap_or(false),
        })
    }, "cloudtrail:GetTrail answered without a trail");
    let status = fact("cloudtrail:GetTrailStatus", status, &[]).map(|s| TrailStatus {
        is_logging: s.is_logging().unwrap_or(false),
        latest_delivery_error: non_empty(s.latest_delivery_error()),
        latest_notification_error: non_empty(s.latest_notification_error()),
        latest_delivery_time: s.latest_delivery_time().and_then(to_chrono),
        start_logging_time: s.start_logging_time().and_then(to_chrono),
        stop_logging_time: s.stop_logging_time().and_then(to_chrono),
        latest_cloud_watch_logs_delivery_error: non_empty(s.latest_cloud_watch_logs_delivery_error()),
        latest_cloud_watch_logs_delivery_time: s.latest_cloud_watch_logs_delivery_time().and_then(to_chrono),
        latest_digest_delivery_time: s.latest_digest_delivery_time().and_then(to_chrono),
        latest_digest_delivery_error: non_empty(s.latest_digest_delivery_error()),
    });
    let event_selectors = fact("cloudtrail:GetEventSelectors", selectors, &[]).map(|s| EventSelectors {
        classic: s
            .event_selectors()
            .iter()
            .map(|e| ClassicEventSelector {
                read_write_type: e.read_write_type().map(|r| r.as_str().to_string()).unwrap_or_else(|| "All".to_string()),
                include_management_events: e.include_management_events().unwrap_or(true),
                data_resources: e
                    .data_resources()
                    .iter()
                    .map(|d| DataResource { resource_type: d.r#type().unwrap_or_default().to_string(), values: d.values().to_vec() })
                    .collect(),
                exclude_management_event_sources: e.exclude_management_event_sources().to_vec(),
            })
            .collect(),
        advanced: s
            .advanced_event_selectors()
            .iter()
            .map(|a| AdvancedEventSelector {
                name: a.name().map(str::to_string),
                field_selectors: a
                    .field_selectors()
                    .iter()
                    .map(|f| AdvancedFieldSelector {
                        field: f.field().to_string(),
                        equals: f.equals().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                        starts_with: f.starts_with().to_vec(),
                        not_starts_with: f.not_starts_with().to_vec(),
                        ends_with: f.ends_with().to_vec(),
                        not_ends_with: f.not_ends_with().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    });
    let insight_selectors = match fact("cloudtrail:GetInsightSelectors", insights, &["InsightNotEnabledException"]) {
        Fact::Present(out) => {
            let types: Vec<String> = out.insight_selectors().iter().filter_map(|i| i.insight_type().map(|t| t.as_str().to_string())).collect();
            if types.is_empty() { Fact::Absent } else { Fact::Present(types) }
        }
        Fact::Absent => Fact::Absent,
        Fact::Unavailable(reason) => Fact::Unavailable(reason),
    };
    Trail {
        arn: trail_ref.arn.clone(),
        name: trail_ref.name,
        home_region: region,
        account_id: owner,
        config,
        status,
        event_selectors,
        insight_selectors,
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_string)
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

trait AndThenPresent<T> {
    fn and_then_present<U>(self, f: impl FnOnce(T) -> Option<U>, missing: &str) -> Fact<U>;
}

impl<T> AndThenPresent<T> for Fact<T> {
    /// Map a present value whose useful part may be missing from the response.
    fn and_then_present<U>(self, f: impl FnOnce(T) -> Option<U>, missing: &str) -> Fact<U> {
        match self {
            Fact::Present(v) => f(v).map(Fact::Present).unwrap_or_else(|| Fact::Unavailable(Unavailable::new(UnavailableKind::ServiceError, None, missing))),
            Fact::Absent => Fact::Absent,
            Fact::Unavailable(r) => Fact::Unavailable(r),
        }
    }
}
