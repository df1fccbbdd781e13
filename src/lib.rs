//! trailwarden: a CloudTrail compliance posture scanner.
//!
//! Data flows one way: [`collect`] (the only code that talks to AWS) fills an
//! [`inventory::Inventory`]; [`checks`] evaluate it into outcomes (pure, no I/O); [`cli`]
//! applies the user's policy (selection, `--fail-on`) and hands a [`report::Report`] to the
//! renderers. See `architecture.md` for the contracts.

pub mod aws;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod iam_policy;
pub mod policy;
pub mod inventory;
pub mod report;
