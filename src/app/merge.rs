//! `trailwarden merge`: the inventories of every `scan --shard I/N` of one scan → one
//! inventory (validated and merged by `inventory::shard`) → evaluated once, reported and
//! gated exactly as `scan --inventory` would. The inputs are only read.

use super::AppError;
use crate::cli::MergeArgs;
use crate::model::ExitCode;
use crate::settings::ScanSettings;

pub fn run(args: &MergeArgs) -> Result<ExitCode, AppError> {
    let config = crate::config::load(args.eval.config.as_deref())?;
    let settings = ScanSettings::resolve_merge(args, config)?;
    super::scan::run_settings(&settings)
}
