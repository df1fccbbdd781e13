//! The gate: the exit code a CI job sees.

use crate::model::{AccountStatus, BaselineClass, ExitCode, Severity, Status};
use crate::report::{Finding, Report};

/// 1 when an unsuppressed failure is at or above `fail_on` (only new ones with `only_new`);
/// else 3 when evidence is missing — an unsuppressed ERROR, or an account in scope that could
/// not be scanned, whatever `--select` kept of its outcomes — unless allowed; else 0.
/// A failure outranks incompleteness.
pub fn exit_code(report: &Report, fail_on: Severity, only_new: bool, allow_incomplete: bool) -> ExitCode {
    let active = || report.findings.iter().filter(|f| f.suppression.is_none());
    let counts = |f: &&Finding| !only_new || f.baseline == Some(BaselineClass::New);
    if active().filter(counts).any(|f| f.status == Status::Fail && f.severity >= fail_on) {
        ExitCode::Failures
    } else if !allow_incomplete && (active().any(|f| f.status == Status::Error) || report.scan.accounts.iter().any(|a| a.status == AccountStatus::NotScanned)) {
        ExitCode::Incomplete
    } else {
        ExitCode::Clean
    }
}
