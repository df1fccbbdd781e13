//! The chain walk (design §4.3): newest digest first, backwards along the `previousDigest*`
//! links, jumping to the next older *listed* digest after a chain start, a missing digest or
//! an invalid one; a standard pass, then a backfill pass. It never aborts: an unreadable
//! digest is jumped over like an invalid one, and a listing that fails is recorded. The
//! strict findings (§6) are events of their own, interleaved where they are found.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::naming::positional_stamp;
use super::{ChainLocation, DigestProblem, DigestVerdict, Unreadable, VerifiedDigest, compact_time};

/// How much earlier than CloudTrail's latest digest delivery the newest digest may end: the
/// delivery lags the end time by minutes; a whole missing hourly digest is far more.
const DELIVERY_LAG: Duration = Duration::minutes(15);
/// Digests are hourly: one cycle plus slack without a new one, while logging, is a truncation.
const DELIVERY_CYCLE: Duration = Duration::hours(2);

/// What the walk asks of the outside world. The collector implements it over S3 (listing and
/// prefetching concurrently); tests over a map.
pub trait DigestSource {
    /// Keys under `prefix` after `start_after`, ascending, all pages.
    fn list(&self, bucket: &str, prefix: &str, start_after: &str) -> impl Future<Output = Result<Vec<String>, Unreadable>> + Send;
    /// GetObject and [`super::verify_digest`] (`NotFound` for NoSuchKey). `backfill` is
    /// read from the key's name (`_backfill.json.gz`), as verification reads it.
    fn digest(&self, bucket: &str, key: &str, backfill: bool) -> impl Future<Output = DigestVerdict> + Send;
}

/// One chain over `[start, end]`, and what the tail check compares the newest digest with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WalkRequest {
    pub location: ChainLocation,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// GetTrailStatus `LatestDigestDeliveryTime` (home region).
    pub latest_digest_delivery: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// GetTrailStatus `IsLogging`.
    pub trail_logging: bool,
}

/// Both passes in the reference's order, plus the strict findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChainWalk {
    pub standard: Vec<ChainEvent>,
    pub backfill: Vec<ChainEvent>,
    pub tail: Option<TailTruncation>,
    /// The first listing that failed (the walk then follows links only).
    pub listing_error: Option<Unreadable>,
}

impl ChainWalk {
    /// Every valid digest, standard pass first: the ones whose log files are to be checked.
    pub fn valid_digests(&self) -> impl Iterator<Item = &Arc<VerifiedDigest>> {
        self.standard.iter().chain(&self.backfill).filter_map(|event| match event {
            ChainEvent::Valid { digest } => Some(digest),
            _ => None,
        })
    }
}

/// One step of a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ChainEvent {
    Valid {
        #[serde(with = "super::arc_serde")]
        #[schemars(with = "VerifiedDigest")]
        digest: Arc<VerifiedDigest>,
    },
    Invalid { bucket: String, key: String, problem: DigestProblem },
    /// NoSuchKey.
    Missing { bucket: String, key: String },
    Unverifiable { bucket: String, key: String, why: Unreadable },
    /// The reference's gap: a chain start (null link) with older digests in range.
    Gap { from: DateTime<Utc>, to: DateTime<Utc> },
    /// Strict (aws-cli #7054): nothing valid covers `[from, to]`; about `estimated_missing`
    /// hourly digests are missing or invalid there.
    UnverifiedWindow { from: DateTime<Utc>, to: DateTime<Utc>, estimated_missing: u32 },
    /// Strict: the digest `key` records something of its previous digest that is not so. It
    /// comes right before the previous digest's `Valid` event.
    LinkMismatch { bucket: String, key: String, previous_bucket: String, previous_key: String, field: LinkField, expected: String, actual: String },
}

/// What a link cross-check compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkField {
    /// `previousDigestHashValue` against the SHA-256 of the previous digest's inflated bytes.
    HashValue,
    /// `previousDigestSignature` against the previous digest's metadata signature.
    Signature,
    /// `digestStartTime` against the previous `digestEndTime` (a warning: not documented as
    /// guaranteed).
    Continuity,
}

impl LinkField {
    pub fn is_warning(self) -> bool {
        self == LinkField::Continuity
    }
}

/// Strict: the newest digests are missing (the chain cannot show this by itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TailTruncation {
    /// The end of the newest digest listed, `None` when none was.
    pub newest_end: Option<DateTime<Utc>>,
    pub latest_delivery: Option<DateTime<Utc>>,
    /// A digest should have ended at or after this.
    pub expected_end_by: DateTime<Utc>,
}

/// Both passes (standard, then backfill), reference order of events, plus the strict findings.
pub async fn walk<S: DigestSource>(source: &S, request: &WalkRequest) -> ChainWalk {
    let mut walk = ChainWalk::default();
    let listing = list_candidates(source, request, &request.location.bucket, request.end).await;
    let (standard, backfill) = match listing {
        Ok(candidates) => candidates,
        Err(why) => {
            walk.listing_error = Some(why);
            (Vec::new(), Vec::new())
        }
    };
    if walk.listing_error.is_none() {
        walk.tail = tail_truncation(request, standard.last().map(|c| c.end));
    }
    let (events, error) = Pass::new(source, request, false, standard).run().await;
    walk.standard = events;
    walk.listing_error = walk.listing_error.or(error);
    let (events, error) = Pass::new(source, request, true, backfill).run().await;
    walk.backfill = events;
    walk.listing_error = walk.listing_error.or(error);
    walk
}

/// A listed key of this trail in range.
#[derive(Debug, Clone)]
struct Candidate {
    key: String,
    stamp: String,
    end: DateTime<Utc>,
}

/// §4.2: the trail's digests of `bucket` whose end is in `[start, end + 1 h]`, ascending,
/// standard and backfill apart.
async fn list_candidates<S: DigestSource>(source: &S, request: &WalkRequest, bucket: &str, end: DateTime<Utc>) -> Result<(Vec<Candidate>, Vec<Candidate>), Unreadable> {
    let location = &request.location;
    let keys = source.list(bucket, &location.list_prefix(), &location.start_after(request.start)).await?;
    let (lower, upper) = (compact_time(request.start), compact_time(end + Duration::hours(1)));
    let (mut standard, mut backfill) = (Vec::new(), Vec::new());
    for key in keys {
        let Some(name) = location.parse_key(&key) else { continue };
        if name.stamp > upper {
            break;
        }
        if name.stamp < lower {
            continue;
        }
        let list = if name.backfill { &mut backfill } else { &mut standard };
        list.push(Candidate { key, stamp: name.stamp, end: name.end });
    }
    Ok((standard, backfill))
}

fn tail_truncation(request: &WalkRequest, newest_end: Option<DateTime<Utc>>) -> Option<TailTruncation> {
    let listed_range = |t: &DateTime<Utc>| *t >= request.start && *t <= request.end + Duration::hours(1);
    let by_delivery = request.latest_digest_delivery.filter(listed_range).map(|t| t - DELIVERY_LAG);
    let reaches_now = request.trail_logging && request.end >= request.now - DELIVERY_CYCLE;
    let by_clock = reaches_now.then(|| request.now - DELIVERY_CYCLE);
    let expected_end_by = by_delivery.into_iter().chain(by_clock).filter(|t| *t >= request.start).max()?;
    if newest_end.is_some_and(|newest| newest >= expected_end_by) {
        return None;
    }
    Some(TailTruncation { newest_end, latest_delivery: request.latest_digest_delivery, expected_end_by })
}

/// One pass of the walk over one kind of digest.
struct Pass<'a, S> {
    source: &'a S,
    request: &'a WalkRequest,
    backfill: bool,
    bucket: String,
    /// The candidates, used as a stack (newest last).
    stack: Vec<Candidate>,
    /// The start of the last valid digest (at first: the end of the newest candidate).
    horizon: DateTime<Utc>,
    /// Where the next unverified window ends: the horizon, or the start of the last window.
    unverified_to: DateTime<Utc>,
    events: Vec<ChainEvent>,
    listing_error: Option<Unreadable>,
}

impl<'a, S: DigestSource> Pass<'a, S> {
    fn new(source: &'a S, request: &'a WalkRequest, backfill: bool, stack: Vec<Candidate>) -> Pass<'a, S> {
        let horizon = stack.last().map_or(request.start, |c| c.end);
        let bucket = request.location.bucket.clone();
        Pass { source, request, backfill, bucket, stack, horizon, unverified_to: horizon, events: Vec::new(), listing_error: None }
    }

    async fn run(mut self) -> (Vec<ChainEvent>, Option<Unreadable>) {
        let mut current = self.stack.pop().map(|c| c.key);
        let mut linked_from: Option<Arc<VerifiedDigest>> = None;
        while let Some(key) = current.take() {
            if self.horizon < self.request.start {
                break;
            }
            let is_backfill = key.ends_with("_backfill.json.gz");
            let verdict = self.source.digest(&self.bucket, &key, is_backfill).await;
            let from = linked_from.take();
            current = match verdict {
                DigestVerdict::Valid(digest) => {
                    self.check_link(from.as_deref(), &digest);
                    let next = self.after_valid(&key, &digest).await;
                    if next.as_ref().is_some_and(|(_, linked)| *linked) {
                        linked_from = Some(digest);
                    }
                    next.map(|(key, _)| key)
                }
                DigestVerdict::NotFound => self.jump(&key, ChainEvent::Missing { bucket: self.bucket.clone(), key: key.clone() }),
                DigestVerdict::Invalid(problem) => self.jump(&key, ChainEvent::Invalid { bucket: self.bucket.clone(), key: key.clone(), problem }),
                DigestVerdict::Unverifiable(why) => self.jump(&key, ChainEvent::Unverifiable { bucket: self.bucket.clone(), key: key.clone(), why }),
            };
        }
        (self.events, self.listing_error)
    }

    /// A valid digest: emit it, then follow its link (re-listing on a bucket change) or, at a
    /// chain start, find the next older listed digest and report the gap. The flag says
    /// whether the next key was reached through a link.
    async fn after_valid(&mut self, key: &str, digest: &Arc<VerifiedDigest>) -> Option<(String, bool)> {
        self.horizon = digest.start;
        self.unverified_to = digest.start;
        self.events.push(ChainEvent::Valid { digest: Arc::clone(digest) });
        let (Some(previous_bucket), Some(previous_key)) = (&digest.previous_bucket, &digest.previous_key) else {
            let older = self.find_older(key)?;
            let prefix_gap = ChainEvent::Gap { from: older.end, to: digest.start };
            self.events.push(prefix_gap);
            return Some((older.key, false));
        };
        if *previous_bucket != self.bucket {
            self.bucket = previous_bucket.clone();
            self.relist(digest.end).await;
        }
        Some((previous_key.clone(), true))
    }

    /// A missing, invalid or unreadable digest: report it, jump to the next older listed one,
    /// and (standard pass) report the window nothing valid covers.
    fn jump(&mut self, key: &str, event: ChainEvent) -> Option<String> {
        self.events.push(event);
        let older = self.find_older(key);
        if !self.backfill {
            let from = older.as_ref().map_or(self.request.start, |c| c.end);
            let to = self.unverified_to;
            if from < to {
                let hours = (to - from).num_seconds() as f64 / 3600.0;
                let estimated_missing = hours.round().max(1.0) as u32;
                self.events.push(ChainEvent::UnverifiedWindow { from, to, estimated_missing });
                self.unverified_to = from;
            }
        }
        older.map(|c| c.key)
    }

    /// Pops candidates, discarding every one not strictly older than `key` (already visited
    /// through links, or newer), and returns the first older one.
    fn find_older(&mut self, key: &str) -> Option<Candidate> {
        let stamp = positional_stamp(key);
        while let Some(candidate) = self.stack.pop() {
            if candidate.stamp < stamp {
                return Some(candidate);
            }
        }
        None
    }

    /// After a link into another bucket: its candidates, with the same prefix and start, up
    /// to this digest's end (as the reference does).
    async fn relist(&mut self, end: DateTime<Utc>) {
        self.stack = match list_candidates(self.source, self.request, &self.bucket.clone(), end).await {
            Ok((standard, backfill)) => if self.backfill { backfill } else { standard },
            Err(why) => {
                self.listing_error.get_or_insert(why);
                Vec::new()
            }
        };
    }

    /// Strict §6.3: what `from` records of its previous digest against `to`, which its link led to.
    fn check_link(&mut self, from: Option<&VerifiedDigest>, to: &VerifiedDigest) {
        let Some(from) = from else { return };
        let start_raw = from.start_raw.clone();
        let checks = [
            (LinkField::HashValue, from.previous_hash.clone(), to.inflated_sha256.clone()),
            (LinkField::Signature, from.previous_signature.clone(), to.signature.clone()),
            (LinkField::Continuity, Some(start_raw).filter(|_| from.start != to.end), to.end_raw.clone()),
        ];
        for (field, expected, actual) in checks {
            let Some(expected) = expected else { continue };
            if field == LinkField::Continuity || !expected.eq_ignore_ascii_case(&actual) {
                self.events.push(ChainEvent::LinkMismatch {
                    bucket: from.bucket.clone(),
                    key: from.key.clone(),
                    previous_bucket: to.bucket.clone(),
                    previous_key: to.key.clone(),
                    field,
                    expected,
                    actual,
                });
            }
        }
    }
}
