//! Reading a trail's digest chain and log files from S3 for [`crate::integrity`] to judge.
//!
//! The chain logic (which digest comes next, what a verdict is) is pure and lives in
//! `integrity`; this module only does the I/O it asks for, concurrently and bounded:
//!
//! 1. the public keys of the digests' source region (`cloudtrail:ListPublicKeys` for
//!    `[start, end + 2 h]`) are loaded while the candidate digests are listed;
//! 2. every listed digest is fetched and verified at once (up to [`DIGESTS_IN_FLIGHT`]) before
//!    the walk starts, so the walk itself runs from memory; a link target that was not listed
//!    is fetched when the walk asks for it;
//! 3. the log files of every valid digest are read up to [`LOGS_IN_FLIGHT`] at once, each
//!    streamed through the inflate-and-hash state as its bytes arrive: no log file is ever
//!    held whole in memory, so memory depends on the bounds, not on the range.
//!
//! Every object is read once. An object that cannot be read (access denied, archived, a
//! failure past the SDK's retries) is handed over as [`Unreadable`] and never stops the walk.
//! It must not judge: no verdicts are made here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;

use crate::aws::{Session, describe_error, kind_of};
use crate::integrity::{
    ChainLocation, ChainReport, DigestObject, DigestProblem, DigestSource, DigestVerdict, KeyRing, LogHasher, LogRef, LogVerdict, Problem, ProblemSubject, PublicKey, Unreadable,
    WalkRequest, backfill_generation_time, verify_digest, walk,
};
use crate::inventory::{Account, Bucket, ChainEvidence, ChainFindings, ChainGap, Fact, IntegrityVerification, ObjectProblem, Organization, Trail};
use crate::model::{Unavailable, UnavailableKind};

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

/// Figures of one verification, for the benchmark and `--verbose`.
#[derive(Debug, Clone, Default)]
pub struct ReadFigures {
    pub digests_read: u64,
    pub logs_read: u64,
    pub compressed_bytes: u64,
    pub inflated_bytes: u64,
}

/// Verify one chain: keys, listing, digests, walk, logs.
pub async fn verify_chain(session: &Session, job: &ChainJob, bucket_regions: &BTreeMap<String, String>) -> Result<(ChainReport, ReadFigures), ChainError> {
    let source = S3Digests::new(session, job, bucket_regions);
    let keys = load_public_keys(session, &job.location.source_region, job.start, job.end + Duration::hours(2)).await?;
    if keys.is_empty() {
        return Err(ChainError::PublicKeys {
            kind: UnavailableKind::NotFound,
            message: format!(
                "cloudtrail:ListPublicKeys in {}: no public keys found between {} and {}",
                job.location.source_region,
                crate::integrity::format_time(job.start),
                crate::integrity::format_time(job.end + Duration::hours(2))
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
    let (verdicts, log_figures) = verify_logs(&source, logs).await;
    let mut figures = source.figures.lock().expect("figures lock").clone();
    figures.logs_read = log_figures.logs_read;
    figures.compressed_bytes += log_figures.compressed_bytes;
    figures.inflated_bytes = log_figures.inflated_bytes;
    Ok((ChainReport::new(&job.trail_arn, &request, chain, verdicts), figures))
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
                valid_from: key.validity_start_time().and_then(chrono_time),
                valid_to: key.validity_end_time().and_then(chrono_time),
            });
        }
    }
    Ok(keys)
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

fn chrono_time(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// The region of a bucket: known from the scan, or `s3:GetBucketLocation` (cached).
struct BucketRegions {
    known: Mutex<BTreeMap<String, String>>,
}

/// The chain's objects in S3, with every verified digest kept for the walk.
struct S3Digests<'a> {
    session: &'a Session,
    job: &'a ChainJob,
    regions: BucketRegions,
    keys: Mutex<KeyRing>,
    /// Verified digests, by (bucket, key): filled by the prefetch after a listing.
    verified: Mutex<HashMap<(String, String), DigestVerdict>>,
    /// Backfill key windows already asked for (one ListPublicKeys per window).
    backfill_windows: Mutex<BTreeSet<i64>>,
    figures: Mutex<ReadFigures>,
}

impl<'a> S3Digests<'a> {
    fn new(session: &'a Session, job: &'a ChainJob, bucket_regions: &BTreeMap<String, String>) -> S3Digests<'a> {
        S3Digests {
            session,
            job,
            regions: BucketRegions { known: Mutex::new(bucket_regions.clone()) },
            keys: Mutex::new(KeyRing::new(&job.location.source_region, Vec::new())),
            verified: Mutex::new(HashMap::new()),
            backfill_windows: Mutex::new(BTreeSet::new()),
            figures: Mutex::new(ReadFigures::default()),
        }
    }

    async fn s3_for(&self, bucket: &str) -> aws_sdk_s3::Client {
        let known = self.regions.known.lock().expect("regions lock").get(bucket).cloned();
        let region = match known {
            Some(region) => region,
            None => {
                let region = bucket_region(self.session, bucket).await.unwrap_or_else(|| self.job.location.source_region.clone());
                self.regions.known.lock().expect("regions lock").insert(bucket.to_string(), region.clone());
                region
            }
        };
        self.session.s3(&region)
    }

    /// Keys ascending under `prefix` after `start_after`, stopping at the first day folder
    /// past the request's end + 1 h (nothing there can be a candidate).
    async fn list_keys(&self, bucket: &str, prefix: &str, start_after: &str) -> Result<Vec<String>, Unreadable> {
        let s3 = self.s3_for(bucket).await;
        let last_day = (self.job.end + Duration::hours(1)).format("%Y/%m/%d").to_string();
        let mut pages = s3.list_objects_v2().bucket(bucket).prefix(prefix).start_after(start_after).into_paginator().send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| unreadable("s3:ListBucket", &e))?;
            for object in page.contents() {
                let key = object.key().unwrap_or_default();
                if day_folder(key, prefix).is_some_and(|day| day > last_day.as_str()) {
                    return Ok(keys);
                }
                keys.push(key.to_string());
            }
        }
        Ok(keys)
    }

    /// Fetch and verify the listed candidates of this chain, all at once (bounded).
    async fn prefetch(&self, bucket: &str, keys: &[String]) {
        let lower = compact(self.job.start);
        let upper = compact(self.job.end + Duration::hours(1));
        let candidates: Vec<(String, bool)> = keys
            .iter()
            .filter_map(|k| self.job.location.parse_key(k).filter(|n| n.stamp >= lower && n.stamp <= upper).map(|n| (k.clone(), n.backfill)))
            .collect();
        let results: Vec<((String, String), DigestVerdict)> = futures::stream::iter(candidates)
            .map(|(key, backfill)| async move {
                let verdict = self.fetch_and_verify(bucket, &key, backfill).await;
                ((bucket.to_string(), key), verdict)
            })
            .buffer_unordered(DIGESTS_IN_FLIGHT)
            .collect()
            .await;
        self.verified.lock().expect("verified lock").extend(results);
    }

    async fn fetch_and_verify(&self, bucket: &str, key: &str, backfill: bool) -> DigestVerdict {
        let object = match self.get_digest(bucket, key).await {
            Ok(object) => object,
            Err(verdict) => return verdict,
        };
        let verdict = self.verify(bucket, key, &object);
        match (&verdict, backfill) {
            // A backfill digest is signed with the key of its generation time (±1 h), which the
            // standard window may not hold: fetch that window once, then judge again.
            (DigestVerdict::Invalid(DigestProblem::PublicKeyNotFound { .. }), true) => match backfill_generation_time(&object) {
                Some(generated) => {
                    if let Err(problem) = self.load_backfill_keys(generated).await {
                        return DigestVerdict::Invalid(problem);
                    }
                    self.verify(bucket, key, &object)
                }
                None => verdict,
            },
            _ => verdict,
        }
    }

    fn verify(&self, bucket: &str, key: &str, object: &DigestObject) -> DigestVerdict {
        let keys = self.keys.lock().expect("key ring lock");
        verify_digest(&self.job.location, bucket, key, object, &keys)
    }

    async fn load_backfill_keys(&self, generated: DateTime<Utc>) -> Result<(), DigestProblem> {
        let (from, to) = (generated - Duration::hours(1), generated + Duration::hours(1));
        if !self.backfill_windows.lock().expect("windows lock").insert(from.timestamp()) {
            return Ok(());
        }
        match load_public_keys(self.session, &self.job.location.source_region, from, to).await {
            Ok(keys) if keys.is_empty() => Err(DigestProblem::NoPublicKeys { from, to }),
            Ok(keys) => {
                self.keys.lock().expect("key ring lock").add(keys);
                Ok(())
            }
            Err(e) => Err(DigestProblem::Other(e.to_string())),
        }
    }

    async fn get_digest(&self, bucket: &str, key: &str) -> Result<DigestObject, DigestVerdict> {
        let s3 = self.s3_for(bucket).await;
        let response = s3.get_object().bucket(bucket).key(key).send().await.map_err(|e| match get_failure(&e) {
            None => DigestVerdict::NotFound,
            Some(why) => DigestVerdict::Unverifiable(why),
        })?;
        let metadata = response.metadata().map(|m| m.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect()).unwrap_or_default();
        let body = response.body.collect().await.map_err(|e| DigestVerdict::Unverifiable(Unreadable::Failed { action: "s3:GetObject".into(), message: format!("s3:GetObject: reading the body failed: {e}") }))?;
        let body = body.into_bytes().to_vec();
        let mut figures = self.figures.lock().expect("figures lock");
        figures.digests_read += 1;
        figures.compressed_bytes += body.len() as u64;
        Ok(DigestObject { body, metadata })
    }
}

impl DigestSource for S3Digests<'_> {
    async fn list(&self, bucket: &str, prefix: &str, start_after: &str) -> Result<Vec<String>, Unreadable> {
        let keys = self.list_keys(bucket, prefix, start_after).await?;
        self.prefetch(bucket, &keys).await;
        Ok(keys)
    }

    async fn digest(&self, bucket: &str, key: &str, backfill: bool) -> DigestVerdict {
        let cached = self.verified.lock().expect("verified lock").get(&(bucket.to_string(), key.to_string())).cloned();
        match cached {
            Some(verdict) => verdict,
            None => self.fetch_and_verify(bucket, key, backfill).await,
        }
    }
}

/// Every log of the valid digests, each read once, [`LOGS_IN_FLIGHT`] at once, each on its
/// own task so inflating and hashing use every core; verdicts come back in the order given.
async fn verify_logs(source: &S3Digests<'_>, logs: Vec<LogRef>) -> (Vec<(LogRef, LogVerdict)>, ReadFigures) {
    let mut seen = BTreeSet::new();
    let unique: Vec<LogRef> = logs.into_iter().filter(|l| seen.insert((l.bucket.clone(), l.key.clone(), l.hash.clone()))).collect();
    let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    for log in &unique {
        if !clients.contains_key(&log.bucket) {
            clients.insert(log.bucket.clone(), source.s3_for(&log.bucket).await);
        }
    }
    let results: Vec<(usize, LogRef, (LogVerdict, u64, u64))> = futures::stream::iter(unique.into_iter().enumerate())
        .map(|(i, log)| {
            let s3 = clients[&log.bucket].clone();
            async move {
                let task = tokio::spawn(stream_log(s3, log.clone()));
                let outcome = task.await.unwrap_or_else(|e| {
                    (LogVerdict::Unverifiable(Unreadable::Failed { action: "s3:GetObject".into(), message: format!("verifying the log file failed: {e}") }), 0, 0)
                });
                (i, log, outcome)
            }
        })
        .buffer_unordered(LOGS_IN_FLIGHT)
        .collect()
        .await;
    let mut figures = ReadFigures::default();
    let mut ordered: Vec<(usize, LogRef, LogVerdict)> = Vec::with_capacity(results.len());
    for (i, log, (verdict, compressed, inflated)) in results {
        figures.logs_read += 1;
        figures.compressed_bytes += compressed;
        figures.inflated_bytes += inflated;
        ordered.push((i, log, verdict));
    }
    ordered.sort_by_key(|(i, _, _)| *i);
    (ordered.into_iter().map(|(_, log, verdict)| (log, verdict)).collect(), figures)
}

/// Stream one log through the inflate-and-hash state as its bytes arrive.
async fn stream_log(s3: aws_sdk_s3::Client, log: LogRef) -> (LogVerdict, u64, u64) {
    let mut response = match s3.get_object().bucket(&log.bucket).key(&log.key).send().await {
        Ok(response) => response,
        Err(e) => {
            let verdict = match get_failure(&e) {
                None => LogVerdict::NotFound,
                Some(why) => LogVerdict::Unverifiable(why),
            };
            return (verdict, 0, 0);
        }
    };
    let mut hasher = LogHasher::new();
    loop {
        match response.body.next().await {
            Some(Ok(chunk)) => hasher.push(&chunk),
            Some(Err(e)) => {
                let why = Unreadable::Failed { action: "s3:GetObject".into(), message: format!("s3:GetObject: the body broke off: {e}") };
                return (LogVerdict::Unverifiable(why), hasher.compressed_bytes(), hasher.inflated_bytes());
            }
            None => break,
        }
    }
    let (compressed, inflated) = (hasher.compressed_bytes(), hasher.inflated_bytes());
    (hasher.finish(&log.hash), compressed, inflated)
}

/// `YYYY/MM/DD` right after `prefix/` in a digest key, if the key has that shape.
fn day_folder<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('/')?;
    let day = rest.get(..10)?;
    day.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'/' } else { b.is_ascii_digit() }).then_some(day)
}

fn compact(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `s3:GetBucketLocation` (an empty constraint is us-east-1, legacy `EU` is eu-west-1).
pub async fn bucket_region(session: &Session, bucket: &str) -> Option<String> {
    let out = session.s3(&session.default_region()).get_bucket_location().bucket(bucket).send().await.ok()?;
    Some(match out.location_constraint().map(|c| c.as_str().to_string()) {
        None => "us-east-1".to_string(),
        Some(c) if c.is_empty() => "us-east-1".to_string(),
        Some(c) if c == "EU" => "eu-west-1".to_string(),
        Some(c) => c,
    })
}

/// `None` for NoSuchKey (the object is not there); otherwise why it could not be read.
fn get_failure(err: &SdkError<GetObjectError, HttpResponse>) -> Option<Unreadable> {
    if let SdkError::ServiceError(service) = err {
        match service.err() {
            GetObjectError::NoSuchKey(_) => return None,
            GetObjectError::InvalidObjectState(state) => {
                let class = state.storage_class().map(|c| c.as_str().to_string()).unwrap_or_else(|| "an archive tier".to_string());
                return Some(Unreadable::Archived { storage_class: class });
            }
            _ => {}
        }
        if crate::aws::error_code(err).as_deref() == Some("NoSuchKey") {
            return None;
        }
    }
    Some(unreadable("s3:GetObject", err))
}

fn unreadable<E>(action: &str, err: &SdkError<E, HttpResponse>) -> Unreadable
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = describe_error(action, err);
    match kind_of(err) {
        UnavailableKind::AccessDenied => Unreadable::AccessDenied { action: action.to_string(), message },
        _ => Unreadable::Failed { action: action.to_string(), message },
    }
}


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
        Ok(s) => (Some(TrailDelivery { is_logging: s.is_logging().unwrap_or(false), latest_digest_delivery: s.latest_digest_delivery_time().and_then(chrono_time) }), None),
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

/// Chains walked at once by a scan (each with its own digest and log bounds).
pub const CHAINS_IN_FLIGHT: usize = 4;

/// `scan --verify-integrity`: every chain of every trail with validation on, over
/// `[start, end]`. The digests are read with the bucket owner's session when its account is
/// scanned, else with the trail owner's (a bucket policy may still grant the read).
#[allow(clippy::too_many_arguments)]
pub(super) async fn verify_trails(
    trails: &BTreeMap<String, Trail>,
    accounts: &[Account],
    organization: Option<&Organization>,
    buckets: &BTreeMap<String, Bucket>,
    sessions: &BTreeMap<String, Session>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    progress: &super::progress::Progress,
) -> IntegrityVerification {
    let bucket_regions: BTreeMap<String, String> = buckets
        .iter()
        .filter_map(|(name, b)| match &b.owner {
            Fact::Present(owner) if owner.region_known => Some((name.clone(), owner.region.clone())),
            _ => None,
        })
        .collect();
    // (trail ARN, the chain's record so far, the walk to make and the session to make it with)
    type Planned = (String, ChainEvidence, Option<(ChainJob, Session)>);
    let mut planned: Vec<Planned> = Vec::new();
    for trail in trails.values() {
        for (evidence, job) in plan_chains(trail, accounts, organization, start, end) {
            let owner = buckets.get(&evidence.bucket).and_then(|b| match &b.owner {
                Fact::Present(o) => Some(o.account_id.clone()),
                _ => None,
            });
            let session = owner.as_deref().and_then(|o| sessions.get(o)).or_else(|| sessions.get(&trail.account_id)).cloned();
            let work = match (job, session) {
                (Some(job), Some(session)) => Some((job, session)),
                _ => None,
            };
            planned.push((trail.arn.clone(), evidence, work));
        }
    }
    let total = planned.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let walked: Vec<(String, ChainEvidence)> = futures::stream::iter(planned)
        .map(|(arn, mut evidence, work)| {
            let (bucket_regions, done) = (&bucket_regions, &done);
            async move {
                evidence.result = match (work, evidence.result) {
                    (Some((job, session)), _) => match verify_chain(&session, &job, bucket_regions).await {
                        Ok((report, _)) => Fact::Present(findings_of(&report)),
                        Err(e) => Fact::Unavailable(Unavailable::new(e.kind(), Some("cloudtrail:ListPublicKeys"), e.to_string())),
                    },
                    (None, Fact::Unavailable(reason)) => Fact::Unavailable(reason),
                    (None, _) => Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, None, "no account of this scan can read the trail's bucket")),
                };
                progress.update("integrity chains", done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                (arn, evidence)
            }
        })
        .buffer_unordered(CHAINS_IN_FLIGHT)
        .collect()
        .await;
    let mut by_trail: BTreeMap<String, Vec<ChainEvidence>> = trails.keys().map(|arn| (arn.clone(), Vec::new())).collect();
    for (arn, evidence) in walked {
        by_trail.entry(arn).or_default().push(evidence);
    }
    for chains in by_trail.values_mut() {
        chains.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    }
    IntegrityVerification { window_start: start, window_end: end, trails: by_trail }
}

/// The chains one trail writes: per log account (every scanned account for an organization
/// trail) and per delivering region (the account's regions for a multi-region trail). A
/// chain that cannot be planned (regions or the organization id unknown) comes back with its
/// reason and no job.
fn plan_chains(trail: &Trail, accounts: &[Account], organization: Option<&Organization>, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(ChainEvidence, Option<ChainJob>)> {
    let (Fact::Present(config), status) = (&trail.config, &trail.status) else { return Vec::new() };
    let Some(bucket) = config.s3_bucket_name.clone().filter(|_| config.log_file_validation_enabled) else { return Vec::new() };
    let (latest_digest_delivery, trail_logging) = match status {
        Fact::Present(s) => (s.latest_digest_delivery_time, s.is_logging),
        _ => (None, false),
    };
    let org_id = organization.map(|o| o.id.clone());
    let log_accounts: Vec<&Account> = if config.is_organization_trail { accounts.iter().collect() } else { accounts.iter().filter(|a| a.id == trail.account_id).collect() };
    let mut chains = Vec::new();
    for account in log_accounts {
        // A member that could not be entered still has its chains in the trail's bucket: walk
        // them in the regions enabled in the trail owner's account (an opt-in region enabled
        // only in the member is then not walked).
        let owner_regions = accounts.iter().find(|a| a.id == trail.account_id).map(|a| &a.regions);
        let regions: Result<Vec<String>, Unavailable> = if !config.is_multi_region_trail {
            Ok(vec![trail.home_region.clone()])
        } else {
            match (&account.regions, owner_regions) {
                (Fact::Present(regions), _) | (Fact::Unavailable(_), Some(Fact::Present(regions))) => Ok(regions.clone()),
                (Fact::Unavailable(reason), _) => Err(reason.clone()),
                (Fact::Absent, _) => Ok(vec![trail.home_region.clone()]),
            }
        };
        let location = |region: &str| ChainLocation {
            bucket: bucket.clone(),
            prefix: config.s3_key_prefix.clone(),
            org_id: if config.is_organization_trail { org_id.clone() } else { None },
            account: account.id.clone(),
            trail_name: trail.name.clone(),
            home_region: trail.home_region.clone(),
            source_region: region.to_string(),
        };
        match regions {
            Err(reason) => chains.push((evidence_for(&account.id, "(enabled regions)", &location(&trail.home_region), Fact::Unavailable(reason)), None)),
            Ok(regions) => {
                for region in regions {
                    let location = location(&region);
                    if config.is_organization_trail && location.org_id.is_none() {
                        let reason = Unavailable::new(UnavailableKind::NotFound, Some("organizations:DescribeOrganization"), "the organization id (the o-… folder of an organization trail's files) is not known to this scan; scan with --org");
                        chains.push((evidence_for(&account.id, &region, &location, Fact::Unavailable(reason)), None));
                        continue;
                    }
                    // GetTrailStatus' latest digest delivery describes the trail's own chain
                    // (owner account, home region); other chains are held to the clock only.
                    let own_chain = account.id == trail.account_id && region == trail.home_region;
                    let latest_digest_delivery = latest_digest_delivery.filter(|_| own_chain);
                    let job = ChainJob { trail_arn: trail.arn.clone(), location: location.clone(), start, end, latest_digest_delivery, trail_logging };
                    chains.push((evidence_for(&account.id, &region, &location, Fact::Absent), Some(job)));
                }
            }
        }
    }
    chains
}

fn evidence_for(account: &str, region: &str, location: &ChainLocation, result: Fact<ChainFindings>) -> ChainEvidence {
    ChainEvidence { account: account.to_string(), region: region.to_string(), bucket: location.bucket.clone(), location: format!("s3://{}/{}", location.bucket, location.list_prefix()), result }
}

/// The inventory's record of a walked chain: its figures and every problem, sorted by kind.
fn findings_of(report: &ChainReport) -> ChainFindings {
    let counts = report.counts();
    let problems = report.problems();
    let record = |keep: &dyn Fn(&Problem) -> bool| -> Vec<ObjectProblem> {
        problems.iter().filter(|p| keep(p)).map(|p| ObjectProblem { object: p.object.clone(), problem: p.problem.clone(), reference_agrees: p.reference_agrees }).collect()
    };
    let found = report.found_range();
    ChainFindings {
        digests_checked: counts.digests.examined() + counts.backfill_digests.examined(),
        digests_valid: counts.digests.valid + counts.backfill_digests.valid,
        logs_checked: counts.logs.valid + counts.logs.invalid + counts.logs.unverifiable,
        logs_valid: counts.logs.valid,
        verified_from: found.map(|(from, _)| from),
        verified_to: found.map(|(_, to)| to),
        keys_used: report.keys_used(),
        digest_problems: record(&|p| !p.unverifiable && matches!(p.subject, ProblemSubject::Digest | ProblemSubject::Span)),
        log_problems: record(&|p| !p.unverifiable && p.subject == ProblemSubject::Log),
        unverifiable_digests: record(&|p| p.unverifiable && matches!(p.subject, ProblemSubject::Digest | ProblemSubject::Listing | ProblemSubject::Span)),
        unverifiable_logs: record(&|p| p.unverifiable && p.subject == ProblemSubject::Log),
        gaps: report.gaps().into_iter().map(|(from, to)| ChainGap { from, to }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{TrailConfig, TrailStatus};

    fn account(id: &str, regions: Fact<Vec<String>>) -> Account {
        Account {
            id: id.into(),
            name: None,
            access: Fact::Absent,
            regions,
            listed_trails: Fact::Absent,
            public_access_block: Fact::Absent,
            owned_buckets: Fact::Absent,
        }
    }

    fn org_trail(validation: bool) -> Trail {
        let delivered = "2026-11-30T11:55:00Z".parse().unwrap();
        Trail {
            arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org".into(),
            name: "org".into(),
            home_region: "us-east-1".into(),
            account_id: "111111111111".into(),
            config: Fact::Present(TrailConfig {
                s3_bucket_name: Some("logs".into()),
                s3_key_prefix: Some("p".into()),
                is_multi_region_trail: true,
                is_organization_trail: true,
                log_file_validation_enabled: validation,
                ..Default::default()
            }),
            status: Fact::Present(TrailStatus { is_logging: true, latest_digest_delivery_time: Some(delivered), ..Default::default() }),
            event_selectors: Fact::Absent,
            insight_selectors: Fact::Absent,
        }
    }

    #[test]
    fn an_organization_trail_has_a_chain_per_account_and_region() {
        let regions = Fact::Present(vec!["eu-west-1".to_string(), "us-east-1".to_string()]);
        let accounts = [account("111111111111", regions.clone()), account("222222222222", regions)];
        let org = Organization { id: "o-abc123defg".into(), management_account_id: "111111111111".into() };
        let (start, end) = ("2026-11-29T12:00:00Z".parse().unwrap(), "2026-11-30T12:00:00Z".parse().unwrap());
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        let planned: Vec<(String, String, String, bool)> = chains
            .iter()
            .map(|(e, job)| {
                let job = job.as_ref().unwrap();
                (e.account.clone(), e.region.clone(), e.location.clone(), job.latest_digest_delivery.is_some())
            })
            .collect();
        assert_eq!(
            planned,
            vec![
                ("111111111111".into(), "eu-west-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/111111111111/CloudTrail-Digest/eu-west-1".into(), false),
                ("111111111111".into(), "us-east-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/111111111111/CloudTrail-Digest/us-east-1".into(), true),
                ("222222222222".into(), "eu-west-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/222222222222/CloudTrail-Digest/eu-west-1".into(), false),
                ("222222222222".into(), "us-east-1".into(), "s3://logs/p/AWSLogs/o-abc123defg/222222222222/CloudTrail-Digest/us-east-1".into(), false),
            ],
            "only the trail's own chain is held to GetTrailStatus' latest digest delivery"
        );
    }

    #[test]
    fn chains_that_cannot_be_planned_say_why_and_validation_off_has_none() {
        let (start, end) = ("2026-11-29T12:00:00Z".parse().unwrap(), "2026-11-30T12:00:00Z".parse().unwrap());
        let denied = Fact::Unavailable(Unavailable::new(UnavailableKind::AccessDenied, Some("account:ListRegions"), "denied"));
        let accounts = [account("111111111111", denied)];
        let org = Organization { id: "o-abc123defg".into(), management_account_id: "111111111111".into() };
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        assert_eq!(chains.len(), 1);
        assert!(chains[0].1.is_none() && matches!(chains[0].0.result, Fact::Unavailable(_)), "regions unknown: no walk, the reason kept");
        // A member that could not be entered: its chains are walked in the owner's regions.
        let not_entered = Fact::Unavailable(Unavailable::new(UnavailableKind::NotScanned, Some("sts:AssumeRole"), "denied"));
        let accounts = [account("111111111111", Fact::Present(vec!["us-east-1".into()])), account("333333333333", not_entered)];
        let chains = plan_chains(&org_trail(true), &accounts, Some(&org), start, end);
        assert_eq!(chains.iter().filter(|(e, job)| e.account == "333333333333" && e.region == "us-east-1" && job.is_some()).count(), 1);
        let accounts = [account("111111111111", Fact::Present(vec!["us-east-1".into()]))];
        let chains = plan_chains(&org_trail(true), &accounts, None, start, end);
        assert!(chains[0].1.is_none(), "no organization id: the o-… folder is unknown");
        assert!(plan_chains(&org_trail(false), &accounts, Some(&org), start, end).is_empty());
    }
}
