//! `trailwarden doctor`: what a user runs first. One line per problem — the account, the
//! action, the fix — and exit 0 only when a scan would read everything doctor can check.

use std::fmt::Write as _;

use super::{AppError, print_stdout};
use crate::cli::DoctorArgs;
use crate::collect::doctor::diagnose;
use crate::model::ExitCode;

pub fn run(args: &DoctorArgs) -> Result<ExitCode, AppError> {
    let config = crate::config::load(None)?;
    let options = crate::settings::doctor_options(args, &config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(AppError::Runtime)?;
    let found = match runtime.block_on(diagnose(&options)) {
        Ok(found) => found,
        // The organization cannot be listed: that is the problem to report, not a usage error.
        Err(crate::collect::CollectError::Organization(reason)) => {
            print_stdout(format!("PROBLEM  {reason}\n1 problem(s).\n").as_bytes())?;
            return Ok(ExitCode::Failures);
        }
        Err(e) => return Err(e.into()),
    };

    let mut out = String::new();
    let _ = writeln!(out, "ok       caller: {}", found.caller_arn);
    if let Some(org) = &found.organization {
        let _ = writeln!(out, "ok       organization {} (management account {})", org.id, org.management_account_id);
    }
    for note in &found.notes {
        let _ = writeln!(out, "note     {note}");
    }
    let mut problems = 0;
    for a in &found.accounts {
        let name = a.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        if let Some(reason) = &a.not_entered {
            problems += 1;
            let _ = writeln!(
                out,
                "PROBLEM  account {}{name}: {reason}; fix: deploy deploy/cloudformation/member-role.json there (StackSet), or check --role-name {} and --external-id against its trust policy",
                a.id, options.role_name
            );
            continue;
        }
        for denied in &a.denied {
            problems += 1;
            let action = denied.action.as_deref().unwrap_or("an action");
            let _ = writeln!(out, "PROBLEM  account {}{name}: {action} is denied ({denied}); fix: allow {action} to the audit role, and check the SCPs that apply to the account", a.id);
        }
        if a.denied.is_empty() {
            let _ = writeln!(out, "ok       account {}{name}: entered; every probed read is allowed", a.id);
        }
    }
    let _ = writeln!(
        out,
        "{} account(s) checked, {problems} problem(s). Not probed (they need a resource of yours): the per-bucket s3:Get* reads and kms:GetKeyRotationStatus; a scan reports them by action if refused.",
        found.accounts.len()
    );
    print_stdout(out.as_bytes())?;
    Ok(if problems == 0 { ExitCode::Clean } else { ExitCode::Failures })
}
