//! What `scan --verify-integrity` found when it walked each trail's digest chain: the
//! figures and every problem, per chain (trail × log account × source region), as plain
//! data for CT601/CT602 and the reports. The walk itself is `integrity`'s; this is only its
//! record, so a saved inventory can be judged again offline.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Fact;

/// The verification run of one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrityVerification {
    /// The window verified: digests delivered from `window_start` to `window_end`.
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// Per trail ARN, every chain it writes (empty when validation is off: nothing to walk).
    pub trails: BTreeMap<String, Vec<ChainEvidence>>,
}

/// One chain: the digests one trail delivered for one account from one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainEvidence {
    /// The account whose events the chain covers (a member account for organization trails).
    pub account: String,
    /// The region that delivered the digests.
    pub region: String,
    pub bucket: String,
    /// Where the digests are listed: `s3://bucket/prefix`.
    pub location: String,
    /// The walk's result, or why it could not be made (no public keys, a refused listing).
    pub result: Fact<ChainFindings>,
}

/// The figures and problems of one walked chain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainFindings {
    pub digests_checked: u32,
    pub digests_valid: u32,
    pub logs_checked: u32,
    pub logs_valid: u32,
    /// The span the valid digests cover (clamped to the window).
    pub verified_from: Option<DateTime<Utc>>,
    pub verified_to: Option<DateTime<Utc>>,
    /// Fingerprints of the CloudTrail public keys that verified the digests.
    pub keys_used: Vec<String>,
    /// Digests that are invalid or missing, link mismatches, unverified windows, truncation,
    /// newest first (the walk's order): the first one is the chain's first break.
    pub digest_problems: Vec<ObjectProblem>,
    /// Log files of valid digests that are altered, truncated, extended or missing.
    pub log_problems: Vec<ObjectProblem>,
    /// Digests that could not be read (access denied, archived, failed past retries).
    pub unverifiable_digests: Vec<ObjectProblem>,
    /// Log files of valid digests that could not be read.
    pub unverifiable_logs: Vec<ObjectProblem>,
    /// Chain restarts (null links): logging or validation was off, or the trail recreated.
    pub gaps: Vec<ChainGap>,
}

/// One problem, on one object or one span of time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectProblem {
    /// `s3://bucket/key`, or the span (`2026-11-30T01:00:00Z..2026-11-30T03:00:00Z`) a window problem covers.
    pub object: String,
    /// What is wrong, in the words of `validate-logs` (e.g. `INVALID: signature verification failed`).
    pub problem: String,
    /// False where `aws cloudtrail validate-logs` would report the object valid (or not at all).
    pub reference_agrees: bool,
}

/// No digest was delivered from `from` to `to`: the chain restarted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainGap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}
