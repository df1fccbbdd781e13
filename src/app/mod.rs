//! One module per command: the only code that wires the stages together.
//!
//! `main` hands the parsed command line to [`run`]; each command returns the exit code or an
//! [`AppError`], whose message (with its cause chain) `main` prints on one line. Nothing here
//! judges: it calls collect, checks, policy, report and emit in that order.

mod catalog;
mod doctor;
mod explain_filter;
mod iam_policy;
mod init;
mod log;
mod merge;
mod scan;
mod validate_logs;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::model::ExitCode;

pub use iam_policy::policy_document;

/// Why a command could not do its job. Every variant's message is one line naming what went
/// wrong, where, and the fix; the sources keep the cause chain.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Inventory(#[from] crate::inventory::InventoryError),
    #[error(transparent)]
    Collect(#[from] crate::collect::CollectError),
    #[error(transparent)]
    Baseline(#[from] crate::policy::BaselineError),
    #[error(transparent)]
    Render(#[from] crate::emit::RenderError),
    #[error(transparent)]
    Write(#[from] crate::emit::WriteError),
    /// A file the command was asked to read.
    #[error("{what} {path}: cannot read")]
    Read {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// Anything else the user must change (an unknown check code, an existing file).
    #[error("{0}")]
    Usage(String),
}

impl AppError {
    /// True when the error is only that stdout was closed early (`trailwarden checks | head -1`):
    /// the reader got what it wanted, so the convention is a quiet exit 0.
    pub fn is_broken_pipe(&self) -> bool {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return true;
            }
            cause = e.source();
        }
        false
    }

    /// The message and its causes, `: `-separated, on one line.
    pub fn one_line(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            let part = e.to_string();
            if !text.contains(&part) {
                text.push_str(": ");
                text.push_str(&part);
            }
            cause = e.source();
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Run one command.
pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Scan(args) => {
            log::init(args.target.verbose);
            scan::run(&args)
        }
        Command::Merge(args) => merge::run(&args),
        Command::Doctor(args) => {
            log::init(args.target.verbose);
            doctor::run(&args)
        }
        Command::Explain { code } => catalog::explain(&code),
        Command::ExplainFilter { pattern, class, cis_version, allowed_regions } => explain_filter::run(&pattern, class.as_deref(), cis_version.as_deref(), allowed_regions.as_deref()),
        Command::Checks { format } => catalog::list(format),
        Command::IamPolicy { role_name, partition, policy_for } => iam_policy::print(role_name.as_deref(), &partition, policy_for),
        Command::ValidateLogs(args) => validate_logs::run(&args),
        Command::Schema => print_stdout(crate::report::JSON_SCHEMA.as_bytes()),
        Command::Init { path, force } => init::run(&path, force),
    }
}

/// Write a command's output to stdout (a closed pipe comes back as an error, not a panic).
fn print_stdout(bytes: &[u8]) -> Result<ExitCode, AppError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|_| out.flush()).map_err(|source| crate::emit::WriteError { path: "to stdout".into(), source })?;
    Ok(ExitCode::Clean)
}
