//! [`Fact`]: one collected fact, with the difference between "there is none" and "we could
//! not see" kept in the type.

use serde::{Deserialize, Serialize};

use crate::model::Unavailable;

/// `Present(value)`, `Absent` (AWS says there is none, e.g. `NoSuchBucketPolicy`) or
/// `Unavailable(why)` (access denied, throttled past retries, timeout, owner not scanned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    Present(T),
    Absent,
    Unavailable(Unavailable),
}

impl<T> Fact<T> {
    pub fn present(&self) -> Option<&T> {
        match self {
            Fact::Present(v) => Some(v),
            _ => None,
        }
    }

    pub fn unavailable(&self) -> Option<&Unavailable> {
        match self {
            Fact::Unavailable(u) => Some(u),
            _ => None,
        }
    }

    /// The reason's message, for evidence and messages.
    pub fn unavailable_reason(&self) -> Option<&str> {
        self.unavailable().map(|u| u.message.as_str())
    }

    pub fn and_then<U>(self, f: impl FnOnce(T) -> Fact<U>) -> Fact<U> {
        match self {
            Fact::Present(v) => f(v),
            Fact::Absent => Fact::Absent,
            Fact::Unavailable(r) => Fact::Unavailable(r),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Present(v) => Fact::Present(f(v)),
            Fact::Absent => Fact::Absent,
            Fact::Unavailable(r) => Fact::Unavailable(r),
        }
    }
}
