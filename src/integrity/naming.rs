//! Where a trail's digests live: the list prefix, the listing marker, and the strict reading
//! of a digest key name (design §1.2–§1.4, §4.2).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::compact_time;

const BACKFILL_SUFFIX: &str = "_backfill.json.gz";
const STANDARD_SUFFIX: &str = ".json.gz";

/// Where a trail's digests live, for one log account and one delivering region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChainLocation {
    pub bucket: String,
    /// The trail's `S3KeyPrefix`, without a trailing slash; `None` or `""` for none.
    pub prefix: Option<String>,
    /// `Some("o-…")` for organization trails.
    pub org_id: Option<String>,
    /// The log account (the member account for organization trails).
    pub account: String,
    pub trail_name: String,
    /// Where the trail was created (the region of its ARN).
    pub home_region: String,
    /// The region that delivered the digests.
    pub source_region: String,
}

/// What a digest key name says, read strictly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DigestName {
    /// `YYYYMMDDTHHMMSSZ`, the digest's end time.
    pub stamp: String,
    pub end: DateTime<Utc>,
    pub backfill: bool,
}

impl ChainLocation {
    /// `[prefix/]AWSLogs/[o-…/]account/CloudTrail-Digest/source-region`, no trailing slash.
    pub fn list_prefix(&self) -> String {
        let mut path = String::new();
        if let Some(prefix) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
            path.push_str(prefix);
            path.push('/');
        }
        path.push_str("AWSLogs/");
        if let Some(org) = self.org_id.as_deref().filter(|o| !o.is_empty()) {
            path.push_str(org);
            path.push('/');
        }
        path.push_str(&format!("{}/CloudTrail-Digest/{}", self.account, self.source_region));
        path
    }

    /// The key a standard digest ending at `end` has.
    pub fn digest_key(&self, end: DateTime<Utc>, backfill: bool) -> String {
        let suffix = if backfill { BACKFILL_SUFFIX } else { STANDARD_SUFFIX };
        format!("{}/{}/{}{}{suffix}", self.list_prefix(), end.format("%Y/%m/%d"), self.file_name_head(), compact_time(end))
    }

    /// The listing marker (`StartAfter`): the key the trail would have written at `start − 60 s`.
    pub fn start_after(&self, start: DateTime<Utc>) -> String {
        self.digest_key(start - Duration::seconds(60), false)
    }

    /// The stamp and kind of one of *this* trail's digest keys, or `None` for any other key.
    /// Strict (§1.4): the tail must be `_YYYYMMDDTHHMMSSZ[_backfill].json.gz` right after the
    /// home region, so trail `foo` does not match the digests of trail `foo_us-east-1`.
    pub fn parse_key(&self, key: &str) -> Option<DigestName> {
        let rest = key.strip_prefix(&self.list_prefix())?.strip_prefix('/')?;
        let rest = skip_date_folders(rest)?;
        let tail = rest.strip_prefix(&self.file_name_head())?;
        let (stamp, backfill) = match tail.strip_suffix(BACKFILL_SUFFIX) {
            Some(stamp) => (stamp, true),
            None => (tail.strip_suffix(STANDARD_SUFFIX)?, false),
        };
        let end = parse_compact_stamp(stamp)?;
        Some(DigestName { stamp: stamp.to_string(), end, backfill })
    }

    /// `account_CloudTrail-Digest_source_trail_home_`, the file name before the stamp.
    fn file_name_head(&self) -> String {
        format!("{}_CloudTrail-Digest_{}_{}_{}_", self.account, self.source_region, self.trail_name, self.home_region)
    }
}

/// Skips `\d+/\d+/\d+/` (the reference's folder pattern).
fn skip_date_folders(mut rest: &str) -> Option<&str> {
    for _ in 0..3 {
        let (folder, after) = rest.split_once('/')?;
        if folder.is_empty() || !folder.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        rest = after;
    }
    Some(rest)
}

/// `YYYYMMDDTHHMMSSZ` (exactly that shape) as a time.
pub fn parse_compact_stamp(stamp: &str) -> Option<DateTime<Utc>> {
    let shaped = stamp.len() == 16
        && stamp.bytes().enumerate().all(|(i, b)| match i {
            8 => b == b'T',
            15 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").ok().map(|t| t.and_utc())
}

/// The stamp the reference reads from any key by position: the 16 characters before
/// `_backfill.json.gz` or before `.json.gz` (Python's `key[-33:-17]` / `key[-24:-8]`, with
/// its clamping for short keys). Used for keys reached through links, which need not follow
/// this trail's naming.
pub fn positional_stamp(key: &str) -> String {
    let end_offset = if key.ends_with(BACKFILL_SUFFIX) { BACKFILL_SUFFIX.len() } else { 8 };
    let end = key.len().saturating_sub(end_offset);
    let start = key.len().saturating_sub(end_offset + 16);
    key.get(start..end).unwrap_or_default().to_string()
}
