//! The chain's objects in S3, as the walk asks for them: one listing per bucket with every
//! candidate digest fetched and verified at once, link targets that were not listed fetched on
//! demand, and the log files of the valid digests streamed through the inflate-and-hash state.
//! S3 errors become [`Unreadable`] (or "not found"); nothing here judges.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;

use super::{ChainJob, DIGESTS_IN_FLIGHT, LOGS_IN_FLIGHT, load_public_keys};
use crate::aws::{Session, describe_error, kind_of};
use crate::integrity::{DigestObject, DigestProblem, DigestSource, DigestVerdict, KeyRing, LogHasher, LogRef, LogVerdict, Unreadable, backfill_generation_time, compact_time, verify_digest};
use crate::model::UnavailableKind;

/// The region of a bucket: known from the scan, or `s3:GetBucketLocation` (cached).
struct BucketRegions {
    known: Mutex<BTreeMap<String, String>>,
}

/// The chain's objects in S3, with every verified digest kept for the walk.
pub(super) struct S3Digests<'a> {
    session: &'a Session,
    job: &'a ChainJob,
    regions: BucketRegions,
    pub(super) keys: Mutex<KeyRing>,
    /// Verified digests, by (bucket, key): filled by the prefetch after a listing.
    verified: Mutex<HashMap<(String, String), DigestVerdict>>,
    /// Backfill key windows already asked for (one ListPublicKeys per window).
    backfill_windows: Mutex<BTreeSet<i64>>,
}

impl<'a> S3Digests<'a> {
    pub(super) fn new(session: &'a Session, job: &'a ChainJob, bucket_regions: &BTreeMap<String, String>) -> S3Digests<'a> {
        S3Digests {
            session,
            job,
            regions: BucketRegions { known: Mutex::new(bucket_regions.clone()) },
            keys: Mutex::new(KeyRing::new(&job.location.source_region, Vec::new())),
            verified: Mutex::new(HashMap::new()),
            backfill_windows: Mutex::new(BTreeSet::new()),
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
        let lower = compact_time(self.job.start);
        let upper = compact_time(self.job.end + Duration::hours(1));
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
        Ok(DigestObject { body: body.into_bytes().to_vec(), metadata })
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
pub(super) async fn verify_logs(source: &S3Digests<'_>, logs: Vec<LogRef>) -> Vec<(LogRef, LogVerdict)> {
    let mut seen = BTreeSet::new();
    let unique: Vec<LogRef> = logs.into_iter().filter(|l| seen.insert((l.bucket.clone(), l.key.clone(), l.hash.clone()))).collect();
    let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    for log in &unique {
        if !clients.contains_key(&log.bucket) {
            clients.insert(log.bucket.clone(), source.s3_for(&log.bucket).await);
        }
    }
    let mut results: Vec<(usize, LogRef, LogVerdict)> = futures::stream::iter(unique.into_iter().enumerate())
        .map(|(i, log)| {
            let s3 = clients[&log.bucket].clone();
            async move {
                let verdict = tokio::spawn(stream_log(s3, log.clone())).await.unwrap_or_else(|e| {
                    LogVerdict::Unverifiable(Unreadable::Failed { action: "s3:GetObject".into(), message: format!("verifying the log file failed: {e}") })
                });
                (i, log, verdict)
            }
        })
        .buffer_unordered(LOGS_IN_FLIGHT)
        .collect()
        .await;
    results.sort_by_key(|(i, _, _)| *i);
    results.into_iter().map(|(_, log, verdict)| (log, verdict)).collect()
}

/// Stream one log through the inflate-and-hash state as its bytes arrive.
async fn stream_log(s3: aws_sdk_s3::Client, log: LogRef) -> LogVerdict {
    let mut response = match s3.get_object().bucket(&log.bucket).key(&log.key).send().await {
        Ok(response) => response,
        Err(e) => {
            return match get_failure(&e) {
                None => LogVerdict::NotFound,
                Some(why) => LogVerdict::Unverifiable(why),
            };
        }
    };
    let mut hasher = LogHasher::new();
    while let Some(chunk) = response.body.next().await {
        match chunk {
            Ok(chunk) => hasher.push(&chunk),
            Err(e) => return LogVerdict::Unverifiable(Unreadable::Failed { action: "s3:GetObject".into(), message: format!("s3:GetObject: the body broke off: {e}") }),
        }
    }
    hasher.finish(&log.hash)
}

/// `YYYY/MM/DD` right after `prefix/` in a digest key, if the key has that shape.
fn day_folder<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('/')?;
    let day = rest.get(..10)?;
    day.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'/' } else { b.is_ascii_digit() }).then_some(day)
}

/// `s3:GetBucketLocation` (an empty constraint is us-east-1, legacy `EU` is eu-west-1).
pub async fn bucket_region(session: &Session, bucket: &str) -> Option<String> {
    let out = session.s3(&session.default_region()).get_bucket_location().bucket(bucket).send().await.ok()?;
    Some(crate::collect::buckets::location_region(&out))
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
