//! Why a fact could not be read: a kind a report can group by, the IAM action that was
//! refused or failed, and the message AWS (or the scan) gave.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The cause of an unreadable fact. A report groups what it could not read by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableKind {
    /// AccessDenied, UnauthorizedOperation, an explicit deny in an SCP or resource policy.
    AccessDenied,
    /// The thing a reference names is not there where it must be (e.g. the trail a listing
    /// named, or an answer without the part that was asked for).
    NotFound,
    /// The resource belongs to an account outside this scan.
    OwnerOutsideScan,
    /// Throttled past every retry.
    Throttled,
    /// No answer within the timeouts, or the endpoint could not be reached.
    TimedOut,
    /// Any other error AWS answered with (5xx, a malformed answer, an unexpected code).
    ServiceError,
    /// The account could not be entered (AssumeRole refused), so nothing of it was read.
    NotScanned,
}

impl UnavailableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnavailableKind::AccessDenied => "access_denied",
            UnavailableKind::NotFound => "not_found",
            UnavailableKind::OwnerOutsideScan => "owner_outside_scan",
            UnavailableKind::Throttled => "throttled",
            UnavailableKind::TimedOut => "timed_out",
            UnavailableKind::ServiceError => "service_error",
            UnavailableKind::NotScanned => "not_scanned",
        }
    }

    /// A best guess from a version-1 inventory's free-text reason.
    pub fn guess_from_text(reason: &str) -> UnavailableKind {
        let has = |needle: &str| reason.contains(needle);
        if has("outside the scan") {
            UnavailableKind::OwnerOutsideScan
        } else if has("AccessDenied") || has("Unauthorized") || has("not authorized") || has("HTTP 403") {
            UnavailableKind::AccessDenied
        } else if has("cannot assume role") || has("could not be scanned") || has("not scanned") {
            UnavailableKind::NotScanned
        } else if has("Throttl") || has("SlowDown") || has("TooManyRequests") || has("HTTP 429") {
            UnavailableKind::Throttled
        } else if has("timed out") || has("could not reach") {
            UnavailableKind::TimedOut
        } else if has("NotFound") || has("NoSuch") || has("HTTP 404") {
            UnavailableKind::NotFound
        } else {
            UnavailableKind::ServiceError
        }
    }
}

impl fmt::Display for UnavailableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why one fact could not be read. `message` is complete on its own (it names the action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Unavailable {
    pub kind: UnavailableKind,
    /// The IAM action whose call failed (`s3:GetBucketPolicy`), when one call is to blame.
    pub action: Option<String>,
    pub message: String,
}

impl Unavailable {
    pub fn new(kind: UnavailableKind, action: Option<&str>, message: impl Into<String>) -> Unavailable {
        Unavailable { kind, action: action.map(str::to_string), message: message.into() }
    }

    /// The same cause, with context put in front of the message ("cannot assume role …: ").
    pub fn context(&self, prefix: &str) -> Unavailable {
        Unavailable { kind: self.kind, action: self.action.clone(), message: format!("{prefix}{}", self.message) }
    }

    /// The same cause and message, recorded as a different kind (e.g. `NotScanned` for every
    /// fact of an account whose role could not be assumed).
    pub fn with_kind(&self, kind: UnavailableKind) -> Unavailable {
        Unavailable { kind, action: self.action.clone(), message: self.message.clone() }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Version 2 writes `{kind, action, message}`; version 1 wrote the message alone. Both load.
impl<'de> Deserialize<'de> for Unavailable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Typed {
            kind: UnavailableKind,
            #[serde(default)]
            action: Option<String>,
            message: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Typed(Typed),
            Text(String),
        }
        Ok(match Wire::deserialize(deserializer)? {
            Wire::Typed(t) => Unavailable { kind: t.kind, action: t.action, message: t.message },
            Wire::Text(message) => {
                let action = message.split(": ").next().filter(|a| a.contains(':') && !a.contains(' ')).map(str::to_string);
                Unavailable { kind: UnavailableKind::guess_from_text(&message), action, message }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_text_reasons_load_with_a_kind_and_action() {
        let u: Unavailable = serde_json::from_str(r#""s3:GetBucketPolicy: AccessDenied: denied (HTTP 403)""#).unwrap();
        assert_eq!(u.kind, UnavailableKind::AccessDenied);
        assert_eq!(u.action.as_deref(), Some("s3:GetBucketPolicy"));
        assert_eq!(u.to_string(), "s3:GetBucketPolicy: AccessDenied: denied (HTTP 403)");
        let u: Unavailable = serde_json::from_str(r#""cannot assume role arn:aws:iam::1:role/R: sts:AssumeRole: AccessDenied""#).unwrap();
        assert_eq!(u.kind, UnavailableKind::AccessDenied);
        let u: Unavailable = serde_json::from_str(r#""the owner account was not scanned""#).unwrap();
        assert_eq!(u.kind, UnavailableKind::NotScanned);
        let typed = Unavailable::new(UnavailableKind::Throttled, Some("kms:DescribeKey"), "kms:DescribeKey: ThrottlingException");
        let back: Unavailable = serde_json::from_str(&serde_json::to_string(&typed).unwrap()).unwrap();
        assert_eq!(back, typed);
    }
}
