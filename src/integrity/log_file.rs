//! One log file: its first gzip member inflated and hashed as the bytes arrive from the
//! network (design §3.5, §4.5). Nothing of the file is held: one fixed inflate buffer.
//!
//! SHA-256 is `aws_lc_rs::digest`, AWS-LC's assembly (SHA-NI, AVX2 or NEON, chosen at run
//! time); `sha2` 0.10 as built here has no `asm` feature and is slower without SHA-NI.

use std::fmt;

use aws_lc_rs::digest::{Context, SHA256};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Unreadable;
use super::gzip::{FirstMember, GzipFault};

/// The verdict on one log file of a valid digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogVerdict {
    Valid,
    /// The SHA-256 of the inflated first member is not the digest's `hashValue`.
    HashMismatch { expected: String, actual: String },
    /// Bytes follow the first gzip member (a second member or junk): checked before the hash.
    TrailingData,
    /// Not gzip, a bad header, corrupt data, or a CRC32/ISIZE mismatch (the reference agrees:
    /// "invalid format"). The text says which.
    InvalidFormat(String),
    /// Strict only: the body is empty, ends early, or lacks its trailer. The reference hashes
    /// what it got and reports "hash value doesn't match" — or *valid* when only the trailer
    /// is missing (`reference_says_valid`).
    Incomplete { detail: String, reference_says_valid: bool },
    NotFound,
    Unverifiable(Unreadable),
}

impl LogVerdict {
    /// The text after `INVALID: ` in the reference's line, where it has one.
    pub fn reference_reason(&self) -> Option<&'static str> {
        match self {
            LogVerdict::HashMismatch { .. } => Some("hash value doesn't match"),
            LogVerdict::TrailingData => Some("unexpected data after end of compressed stream"),
            LogVerdict::InvalidFormat(_) | LogVerdict::Incomplete { .. } => Some("invalid format"),
            LogVerdict::NotFound => Some("not found"),
            LogVerdict::Valid | LogVerdict::Unverifiable(_) => None,
        }
    }

    pub fn is_valid(&self) -> bool {
        matches!(self, LogVerdict::Valid)
    }

    /// Invalid or missing (not merely unreadable).
    pub fn is_invalid(&self) -> bool {
        !matches!(self, LogVerdict::Valid | LogVerdict::Unverifiable(_))
    }

    /// False where `aws cloudtrail validate-logs` reports something else.
    pub fn reference_agrees(&self) -> bool {
        !matches!(self, LogVerdict::Incomplete { .. } | LogVerdict::Unverifiable(_))
    }
}

impl fmt::Display for LogVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogVerdict::Valid => f.write_str("valid"),
            LogVerdict::Unverifiable(why) => write!(f, "UNVERIFIABLE: {why}"),
            LogVerdict::Incomplete { detail, reference_says_valid } => {
                let reference = if *reference_says_valid { "this file valid" } else { "\"hash value doesn't match\"" };
                write!(f, "INVALID: invalid format: {detail} (aws cloudtrail validate-logs reports {reference})")
            }
            other => write!(f, "INVALID: {}", other.reference_reason().unwrap_or("invalid format")),
        }
    }
}

/// Inflates the first gzip member and hashes it as bytes arrive; never holds the file.
pub struct LogHasher {
    member: FirstMember,
    sha256: Context,
}

impl fmt::Debug for LogHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogHasher").field("member", &self.member).finish_non_exhaustive()
    }
}

impl Default for LogHasher {
    fn default() -> Self {
        LogHasher::new()
    }
}

impl LogHasher {
    pub fn new() -> LogHasher {
        LogHasher { member: FirstMember::new(), sha256: Context::new(&SHA256) }
    }

    /// The next bytes of the body, as they arrive. Faults are latched and reported by `finish`.
    pub fn push(&mut self, chunk: &[u8]) {
        let sha256 = &mut self.sha256;
        self.member.push(chunk, &mut |inflated| sha256.update(inflated));
    }

    /// The verdict against the digest's `hashValue` (compared as the reference does: as text).
    pub fn finish(self, expected_hex: &str) -> LogVerdict {
        let outcome = self.member.finish();
        let actual = hex::encode(self.sha256.finish().as_ref());
        match outcome {
            // The reference hashes whatever it could inflate: valid only if that is the whole.
            Err(fault @ (GzipFault::Empty | GzipFault::Truncated | GzipFault::TrailerMissing)) => {
                LogVerdict::Incomplete { detail: fault.describe(), reference_says_valid: actual == expected_hex }
            }
            Err(fault) => LogVerdict::InvalidFormat(fault.describe()),
            Ok(()) if self.member.trailing_bytes() > 0 => LogVerdict::TrailingData,
            Ok(()) if actual != expected_hex => LogVerdict::HashMismatch { expected: expected_hex.to_string(), actual },
            Ok(()) => LogVerdict::Valid,
        }
    }

    pub fn compressed_bytes(&self) -> u64 {
        self.member.compressed_bytes()
    }

    pub fn inflated_bytes(&self) -> u64 {
        self.member.inflated_bytes()
    }
}
