//! What `validate-logs` asks CloudTrail about the trail when no `--s3-bucket` is given: where
//! its files are, whether it is an organization trail, and its latest digest delivery.

use chrono::{DateTime, Utc};

use crate::aws::{Session, describe_error};
use super::to_chrono;

/// What `validate-logs` learns about the trail from CloudTrail (without `--s3-bucket`).
#[derive(Debug, Clone)]
pub struct DescribedTrail {
    pub bucket: String,
    pub prefix: Option<String>,
    pub is_organization_trail: bool,
    /// From GetTrailStatus; `None` when it could not be read (then no tail check is possible).
    pub status: Option<TrailDelivery>,
    /// Why GetTrailStatus could not be read, when it could not.
    pub status_unread: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TrailDelivery {
    pub is_logging: bool,
    pub latest_digest_delivery: Option<DateTime<Utc>>,
}

/// `cloudtrail:DescribeTrails` (shadow trails included, so an organization trail is found
/// from a member account) and `cloudtrail:GetTrailStatus`, both in the trail's home region.
/// `Ok(None)`: no trail has that ARN.
pub async fn describe_trail(session: &Session, home_region: &str, trail_arn: &str) -> Result<Option<DescribedTrail>, String> {
    let client = session.cloudtrail(home_region);
    let out = client
        .describe_trails()
        .trail_name_list(trail_arn)
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| describe_error("cloudtrail:DescribeTrails", &e))?;
    let Some(trail) = out.trail_list().iter().find(|t| t.trail_arn() == Some(trail_arn)) else {
        return Ok(None);
    };
    let (status, status_unread) = match client.get_trail_status().name(trail_arn).send().await {
        Ok(s) => (Some(TrailDelivery { is_logging: s.is_logging().unwrap_or(false), latest_digest_delivery: s.latest_digest_delivery_time().and_then(to_chrono) }), None),
        Err(e) => (None, Some(describe_error("cloudtrail:GetTrailStatus", &e))),
    };
    Ok(Some(DescribedTrail {
        bucket: trail.s3_bucket_name().unwrap_or_default().to_string(),
        prefix: trail.s3_key_prefix().filter(|p| !p.is_empty()).map(str::to_string),
        is_organization_trail: trail.is_organization_trail().unwrap_or(false),
        status,
        status_unread,
    }))
}

/// `organizations:DescribeOrganization`: the `o-…` id in an organization trail's key paths.
pub async fn organization_id(session: &Session) -> Result<String, String> {
    let out = session.organizations().describe_organization().send().await.map_err(|e| describe_error("organizations:DescribeOrganization", &e))?;
    out.organization().and_then(|o| o.id()).map(str::to_string).ok_or_else(|| "organizations:DescribeOrganization answered without an organization id".to_string())
}
