//! Reading a trail's digest chain and log files from S3 for [`crate::integrity`] to judge.
//!
//! The chain logic (which digest comes next, what a verdict is) is pure and lives in
//! `integrity`; this module only does the I/O it asks for, concurrently and bounded:
//!
//! 1. the public keys of the digests' source region (`cloudtrail:ListPublicKeys` for
//!    `[start, end + 2 h]`) are loaded first: a region without keys fails before any listing;
//! 2. every listed digest is fetched and verified at once (up to [`DIGESTS_IN_FLIGHT`]) before
//!    the walk starts, so the walk itself runs from memory; a link target that was not listed
//!    is fetched when the walk asks for it;
//! 3. the log files of every valid digest are read up to [`LOGS_IN_FLIGHT`] at once, each
//!    streamed through the inflate-and-hash state as its bytes arrive: no log file is ever
//!    held whole in memory. What grows with the range is only the verified digests' metadata
//!    (their log lists) that the walk keeps.
//!
//! Every object is read once. An object that cannot be read (access denied, archived, a
//! failure past the SDK's retries) is handed over as [`crate::integrity::Unreadable`] and never stops the walk.
//! It must not judge: no verdicts are made here.
//!
//! - this file: one chain's verification (keys, then the walk over [`s3`], then the logs);
//! - `s3`: the objects as the walk asks for them (listing, prefetch, streamed log files);
//! - `describe`: what `validate-logs` asks CloudTrail about the trail;
//! - `plan`: `scan --verify-integrity`, every chain of every trail, into the inventory.

mod describe;
mod plan;
mod s3;

pub use describe::{DescribedTrail, TrailDelivery, describe_trail, organization_id};
pub(super) use plan::verify_trails;
pub use s3::bucket_region;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::trails::to_chrono;
use crate::aws::{Session, describe_error, kind_of};
use crate::integrity::{ChainLocation, ChainReport, LogRef, PublicKey, WalkRequest, format_time, walk};
use crate::model::UnavailableKind;

/// Digests fetched and verified at once (each a few KB: latency-bound, not CPU-bound).
pub const DIGESTS_IN_FLIGHT: usize = 32;
/// Log files streamed at once (each inflated and hashed as it arrives: CPU- and bandwidth-bound).
pub const LOGS_IN_FLIGHT: usize = 16;

/// Why a chain could not be walked at all (as opposed to objects of it that could not be read).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChainError {
    #[error("{message}")]
    PublicKeys { kind: UnavailableKind, message: String },
}

impl ChainError {
    pub fn kind(&self) -> UnavailableKind {
        match self {
            ChainError::PublicKeys { kind, .. } => *kind,
        }
    }
}

/// What to verify: one chain (trail × log account × source region) over a window.
#[derive(Debug, Clone)]
pub struct ChainJob {
    pub trail_arn: String,
    pub location: ChainLocation,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// From GetTrailStatus in the trail's home region: what the chain's newest digest must reach.
    pub latest_digest_delivery: Option<DateTime<Utc>>,
    pub trail_logging: bool,
}

/// Verify one chain: keys, listing, digests, walk, logs.
pub async fn verify_chain(session: &Session, job: &ChainJob, bucket_regions: &BTreeMap<String, String>) -> Result<ChainReport, ChainError> {
    let source = s3::S3Digests::new(session, job, bucket_regions);
    let keys = load_public_keys(session, &job.location.source_region, job.start, job.end + Duration::hours(2)).await?;
    if keys.is_empty() {
        return Err(ChainError::PublicKeys {
            kind: UnavailableKind::NotFound,
            message: format!(
                "cloudtrail:ListPublicKeys in {}: no public keys found between {} and {}",
                job.location.source_region,
                format_time(job.start),
                format_time(job.end + Duration::hours(2))
            ),
        });
    }
    source.keys.lock().expect("key ring lock").add(keys);
    let request = WalkRequest {
        location: job.location.clone(),
        start: job.start,
        end: job.end,
        latest_digest_delivery: job.latest_digest_delivery,
        now: Utc::now(),
        trail_logging: job.trail_logging,
    };
    let chain = walk(&source, &request).await;
    let logs = chain.valid_digests().flat_map(|d| d.log_files.iter().cloned()).collect::<Vec<LogRef>>();
    let verdicts = s3::verify_logs(&source, logs).await;
    Ok(ChainReport::new(&job.trail_arn, &request, chain, verdicts))
}

/// `cloudtrail:ListPublicKeys` in `region` (keys are per region), every page.
pub async fn load_public_keys(session: &Session, region: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<PublicKey>, ChainError> {
    let client = session.cloudtrail(region);
    let mut pages = client.list_public_keys().start_time(smithy_time(from)).end_time(smithy_time(to)).into_paginator().send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ChainError::PublicKeys { kind: kind_of(&e), message: describe_error("cloudtrail:ListPublicKeys", &e) })?;
        for key in page.public_key_list() {
            keys.push(PublicKey {
                fingerprint: key.fingerprint().unwrap_or_default().to_string(),
                der: key.value().map(|b| b.as_ref().to_vec()).unwrap_or_default(),
                valid_from: key.validity_start_time().and_then(to_chrono),
                valid_to: key.validity_end_time().and_then(to_chrono),
            });
        }
    }
    Ok(keys)
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}
