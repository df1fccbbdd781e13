//! Enums with their wire names: the JSON report, the config file and the command line all
//! spell them the same way, through `as_str` / `FromStr` here.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Implements `as_str`, `Display`, `FromStr` (case-insensitive) and `ALL` for a fieldless enum.
macro_rules! wire_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            /// Every wire name, comma-separated, for error messages and help text.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| format!("`{s}` is not {}; use {}", $what, Self::names()))
            }
        }
    };
}

/// The verdict of one check on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Pass,
    Fail,
    /// The evidence could not be read: never a PASS or FAIL.
    Error,
    NotApplicable,
}
wire_enum!(Status, "a status", { Pass => "PASS", Fail => "FAIL", Error => "ERROR", NotApplicable => "NOT_APPLICABLE" });

/// Ordered: `Info < Low < … < Critical`, so `>=` means "at least as severe".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}
wire_enum!(Severity, "a severity", { Critical => "critical", High => "high", Medium => "medium", Low => "low", Info => "info" });

/// What one outcome of a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Org,
    Account,
    Region,
    Trail,
    Bucket,
    Key,
    LogGroup,
}
wire_enum!(Scope, "a scope", { Org => "org", Account => "account", Region => "region", Trail => "trail", Bucket => "bucket", Key => "key", LogGroup => "log-group" });

/// How a finding compares with the same finding (same id) in a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BaselineClass {
    /// Fails now and did not fail in the baseline.
    New,
    /// Failed in the baseline and passes now (or its resource is gone from an account this
    /// run scanned).
    Fixed,
    Unchanged,
    /// Cannot be compared: the evidence could not be read now (ERROR), the check no longer
    /// applies, or the account or check is outside this run's scope.
    NotCompared,
}
wire_enum!(BaselineClass, "a baseline class", { New => "new", Unchanged => "unchanged", Fixed => "fixed", NotCompared => "not_compared" });

/// Whether an account in scope could be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Scanned,
    NotScanned,
}
wire_enum!(AccountStatus, "an account status", { Scanned => "scanned", NotScanned => "not_scanned" });

/// One account, or every account of an organization (`--org`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanMode {
    Account,
    Organization,
}
wire_enum!(ScanMode, "a scan mode", { Account => "account", Organization => "organization" });

/// The report formats of `-o FORMAT=PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Json,
    Html,
    Sarif,
    Junit,
    Markdown,
    Csv,
    Ocsf,
}
wire_enum!(OutputFormat, "a report format", { Json => "json", Html => "html", Sarif => "sarif", Junit => "junit", Markdown => "markdown", Csv => "csv", Ocsf => "ocsf" });

/// The process exit status (architecture.md, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// Nothing at or above `--fail-on` failed and all evidence was read.
    Clean = 0,
    /// A finding at or above `--fail-on` failed (this wins over `Incomplete`).
    Failures = 1,
    /// Usage, configuration or fatal error; no report was written.
    Usage = 2,
    /// The scan completed but some evidence could not be read.
    Incomplete = 3,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_str() {
        for s in Status::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
        }
        for s in Severity::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in Scope::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for c in BaselineClass::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for a in AccountStatus::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for f in OutputFormat::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("severe".parse::<Severity>().unwrap_err().contains("critical, high, medium, low, info"));
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    }
}
