//! The shared vocabulary every stage speaks: statuses, severities, scopes, baseline classes,
//! account statuses, output formats, exit codes, why a fact could not be read, and
//! partition-aware ARNs and region names.
//!
//! This module exists so that no stage has to import another stage just to name a verdict.
//! It is a leaf: it imports nothing from the rest of the crate, and it must not grow
//! behaviour that belongs to a stage (no AWS calls, no judging, no rendering).

mod arn;
mod region;
mod unavailable;
mod vocabulary;

pub use arn::{Arn, Partition};
pub use region::{is_region_shaped, region_partition};
pub use unavailable::{Unavailable, UnavailableKind};
pub use vocabulary::{AccountStatus, BaselineClass, ExitCode, OutputFormat, ScanMode, Scope, Severity, Status};
