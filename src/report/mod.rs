//! The report: the stable, documented view of a scan that every output format renders.
//!
//! [`Report`] is the JSON contract of `architecture.md` (keep it stable: add fields, never
//! rename). It is built once from the inventory, the outcomes and the policy, then handed to
//! the emitters (the `emit` module), which only format it. This module must not format output,
//! write files or judge anything a check judges.

mod build;
mod model;

pub use build::finding_id;
pub use model::*;

/// The JSON Schema of [`Report`], published in the repository and by `trailwarden schema`.
pub const JSON_SCHEMA: &str = include_str!("report.schema.json");
