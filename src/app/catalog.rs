//! `trailwarden explain CODE` and `trailwarden checks`: the catalog of `checks/`, printed.

use std::fmt::Write as _;

use super::{AppError, print_stdout};
use crate::checks::{REGISTRY, metadata};
use crate::cli::ListFormat;
use crate::model::ExitCode;

/// `trailwarden explain CODE`.
pub fn explain(code: &str) -> Result<ExitCode, AppError> {
    let meta = metadata::get(code).ok_or_else(|| AppError::Usage(unknown_check(code)))?;
    let mut out = format!("{} {} — {}\nseverity: {}   scope: {}\n", meta.code, meta.name, meta.title, meta.severity.as_str(), meta.scope.as_str());
    if !meta.frameworks.is_empty() {
        out.push_str("maps to:");
        for (framework, controls) in &meta.frameworks {
            out.push_str(&format!(" {framework} {};", controls.join(", ")));
        }
        out.push('\n');
    }
    out.push_str(&format!("\nWhat it checks\n{}\n\nWhy it matters\n{}\n", meta.doc.what.trim(), meta.doc.why.trim()));
    if let Some(decisions) = &meta.doc.decisions {
        out.push_str(&format!("\nDecisions\n{}\n", decisions.trim()));
    }
    out.push_str(&format!("\nFix with the AWS CLI\n{}\n\nFix with Terraform\n{}\n", meta.doc.fix_cli.trim(), meta.doc.fix_terraform.trim()));
    if !meta.doc.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in &meta.doc.references {
            out.push_str(&format!("  {r}\n"));
        }
    }
    print_stdout(out.as_bytes())
}

fn unknown_check(code: &str) -> String {
    let first = REGISTRY.first().map(|c| c.code).unwrap_or_default();
    let last = REGISTRY.last().map(|c| c.code).unwrap_or_default();
    format!("unknown check code `{code}`; `trailwarden checks` lists the codes ({first} … {last})")
}

/// `trailwarden checks [--format text|json|markdown]`.
pub fn list(format: ListFormat) -> Result<ExitCode, AppError> {
    let all = metadata::all();
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            out = serde_json::to_string_pretty(all).map_err(|e| AppError::Usage(format!("cannot serialise the catalog: {e}")))?;
            out.push('\n');
        }
        ListFormat::Markdown => {
            out.push_str("| code | name | severity | scope | title |\n|---|---|---|---|---|\n");
            for m in all {
                let _ = writeln!(out, "| {} | {} | {} | {} | {} |", m.code, m.name, m.severity.as_str(), m.scope.as_str(), m.title);
            }
        }
        ListFormat::Text => {
            for m in all {
                let _ = writeln!(out, "{}  {:<44} {:<8} {:<9} {}", m.code, m.name, m.severity.as_str(), m.scope.as_str(), m.title);
            }
        }
    }
    print_stdout(out.as_bytes())
}

