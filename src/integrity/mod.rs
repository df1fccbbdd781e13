//! CloudTrail log file integrity: the digest chain of a trail and the hashes of its log
//! files, verified the way `aws cloudtrail validate-logs` does, plus what that command misses.
//!
//! # Why this exists
//!
//! `LogFileValidationEnabled = true` only says CloudTrail writes signed digests; it says
//! nothing about whether the digests and logs in the bucket are still the ones CloudTrail
//! delivered. This module judges that, for one chain (trail × log account × source region)
//! over a time range: every digest's RSA signature over its exact bytes (`digest`), every
//! log file's SHA-256 over its first gzip member (`log_file`), and the walk along the
//! `previousDigest*` links that finds deleted, moved and forged digests (`walk`). `report`
//! turns the result into the reference's output, line for line, and into counts and verdicts
//! for the CT601/CT602 checks. The specification is `design/integrity.md`.
//!
//! # What it must not do
//!
//! It is pure: no I/O, no AWS SDK, no tokio, no clock (the caller passes `now`). The walk is
//! `async` only because it asks its [`DigestSource`] for listings and digests; it depends on
//! no runtime and can be driven by any executor. It never panics on data read from S3, and it
//! never aborts: an object that cannot be read is *unverifiable* ([`Unreadable`]), which is
//! neither valid nor invalid, and the walk goes on around it.
//!
//! # Parity and the strict additions
//!
//! For every input on which the reference completes, [`ChainReport::reference_lines`] prints
//! exactly its lines (header, verbose valid lines, tab-separated INVALID lines with their
//! blank-line rules, gap lines, the summary). What the reference misses is reported in extra
//! lines of the same style:
//!
//! * unverified windows after missing or invalid digests, with `round(window / 1 h)` as the
//!   estimate of digests lost (aws-cli #7054: two adjacent deleted digests are one "not found"
//!   there); standard pass only, since backfill digests are not hourly;
//! * tail truncation: the newest digest ends more than 15 minutes before CloudTrail's latest
//!   digest delivery (the delivery lags the end time by minutes), or more than 2 h before
//!   `now` while the trail is logging and the request reaches the present;
//! * link cross-checks: `previousDigestHashValue` against the SHA-256 of the previous digest's
//!   inflated bytes and `previousDigestSignature` against its metadata signature
//!   (case-insensitive hex); a start time that is not the previous end time is a warning;
//! * algorithm pins: metadata `signature-algorithm` and `digestSignatureAlgorithm` must be
//!   `SHA256withRSA`, every `hashAlgorithm` (and a non-null `previousDigestHashAlgorithm`)
//!   `SHA-256`; checked only after everything the reference checks has passed;
//! * the strict key pattern: trail `foo` does not claim the digests of trail `foo_us-east-1`;
//! * gzip strictness: a log whose first member is truncated, empty or lacks its CRC32/ISIZE
//!   trailer is invalid (the reference hashes what it got: "hash value doesn't match", or
//!   *valid* for a missing trailer); bytes after a digest's first member are a warning;
//! * objects that cannot be read are UNVERIFIABLE lines and their own counts, where the
//!   reference aborts.
//!
//! Each [`Line`] is one write of the reference, its newlines included: writing every line's
//! text to its stream (stdout, or stderr for problems) in order gives the reference's bytes.
//!
//! Counting, decided here: a strict-only problem makes the object INVALID in the ratio lines,
//! and its line says what the reference reports instead, e.g.
//! `INVALID: signature algorithm SHA1withRSA is not SHA256withRSA (aws cloudtrail
//! validate-logs reports this file valid)`. A link mismatch makes the *previous* digest (the
//! one the link vouches for) invalid, since its content is not what the chain recorded; it is
//! still followed, being validly signed. Unverifiable objects are counted apart
//! (`N/M digest files valid, x/M digest files INVALID, y/M digest files UNVERIFIABLE`); when
//! none is, the ratio lines are the reference's. Gaps, unverified windows and tail truncation
//! are lines of their own and not files: they do not enter the ratios (a missing digest the
//! walk met is already counted as INVALID: not found), but they do decide the outcome.
//! A digest without `logFiles` is read as one with none, plus a warning (the reference
//! crashes; the signature authenticates the content either way). A log hash is compared as
//! the reference does, as an exact string.

mod digest;
mod gzip;
mod keys;
mod log_file;
mod naming;
mod report;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use digest::{
    AlgorithmField, DigestProblem, DigestVerdict, LogRef, VerifiedDigest, backfill_generation_time, signed_string, verify_digest,
};
pub use keys::{KeyRing, PublicKey};
pub use log_file::{LogHasher, LogVerdict};
pub use naming::{ChainLocation, DigestName};
pub use report::{ChainReport, Counts, DigestCounts, Line, LogCheck, LogCounts, Outcome, Problem, ProblemSubject, Verdict};
pub use walk::{ChainEvent, ChainWalk, DigestSource, LinkField, TailTruncation, WalkRequest, walk};

/// Why an object could not be read. The walk goes on around it; it is never "invalid"
/// (nothing says it was tampered with) and never "valid" (nothing was verified).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Unreadable {
    /// 403 AccessDenied: a bucket policy, an SCP, or `kms:Decrypt` refused.
    AccessDenied { action: String, message: String },
    /// `InvalidObjectState`: the object is in an archive tier and must be restored first.
    Archived { storage_class: String },
    /// Throttled past the retries, a 5xx, a timeout, a body that broke off.
    Failed { action: String, message: String },
}

impl Unreadable {
    /// `access denied (s3:GetObject): …`, `archived (storage class GLACIER)`, `failed (…): …`.
    pub fn describe(&self) -> String {
        match self {
            Unreadable::AccessDenied { action, message } => format!("access denied ({action}): {message}"),
            Unreadable::Archived { storage_class } => format!("archived (storage class {storage_class})"),
            Unreadable::Failed { action, message } => format!("failed ({action}): {message}"),
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A digest object as read: the whole gzip body (digests are a few KB) and the S3 user
/// metadata, keys lower-cased and without the `x-amz-meta-` prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestObject {
    pub body: Vec<u8>,
    pub metadata: BTreeMap<String, String>,
}

impl DigestObject {
    /// A metadata value, its key matched case-insensitively (S3 lower-cases them; a copy
    /// made by another tool may not).
    pub fn metadata_value(&self, name: &str) -> Option<&str> {
        self.metadata.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A time as the reference displays it: `2014-08-10T00:00:00Z`.
pub fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A time in the compact form of digest key names: `20140810T000000Z`.
pub fn compact_time(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `Arc<T>` as `T` in serde (the crate's serde has no `rc` feature, and enabling it would
/// rebuild the whole dependency tree for one field).
mod arc_serde {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &Arc<T>, serializer: S) -> Result<S::Ok, S::Error> {
        T::serialize(value, serializer)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<T>, D::Error> {
        T::deserialize(deserializer).map(Arc::new)
    }
}
