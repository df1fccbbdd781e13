//! `trailwarden explain-filter PATTERN [--class CODE]`: what a metric filter pattern means
//! and which sample events of each monitoring class it catches and misses — the tool to
//! reach for when a CT5xx check says a filter does not catch its class.

use std::fmt::Write as _;

use super::{AppError, print_stdout};
use crate::logs_pattern::{self, CisVersion, Coverage};
use crate::model::{ExitCode, is_region_shaped};

pub fn run(pattern: &str, class: Option<&str>, cis_version: Option<&str>, allowed_regions: Option<&str>) -> Result<ExitCode, AppError> {
    let version = match cis_version {
        Some(v) => CisVersion::from_name(v).ok_or_else(|| AppError::Usage(format!("--cis-version: `{v}` is not a CIS version with a monitoring section; use 3.0, 4.0, 5.0 or 6.0")))?,
        None => CisVersion::V6_0_0,
    };
    let parsed = logs_pattern::parse(pattern).map_err(|e| AppError::Usage(format!("filter pattern: {e}; fix the pattern (quote it for the shell)")))?;
    let allowed: Vec<String> = allowed_regions.map(|l| l.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect()).unwrap_or_default();
    if let Some(r) = allowed.iter().find(|r| !is_region_shaped(r)) {
        return Err(AppError::Usage(format!("--allowed-regions: `{r}` is not an AWS region; use names like us-east-1")));
    }
    let classes: Vec<_> = match class {
        Some(code) => vec![logs_pattern::class(&code.to_ascii_uppercase()).ok_or_else(|| {
            AppError::Usage(format!("--class: `{code}` is not a monitoring class; use one of CT501 … CT515 or CT517"))
        })?],
        None => logs_pattern::classes().iter().collect(),
    };

    let mut out = String::new();
    let _ = writeln!(out, "pattern:  {}", parsed.text());
    let _ = writeln!(out, "parsed:   {}", parsed.describe());
    let _ = writeln!(out, "kind:     {:?}", parsed.kind());
    let _ = writeln!(out, "judged with the sample events of CIS {version}\n");
    for c in classes {
        let coverage: Coverage = if c.is_parameterised() {
            if allowed.is_empty() {
                let _ = writeln!(out, "{}  {}: give --allowed-regions to judge it", c.code(), c.title());
                continue;
            }
            let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
            logs_pattern::covers_regions(&parsed, &allowed)
        } else {
            logs_pattern::covers(&parsed, c, version)
        };
        let verdict = if coverage.is_covered() { "CATCHES" } else { "does not catch" };
        let _ = writeln!(out, "{}  {} {}", c.code(), verdict, c.title());
        let _ = writeln!(out, "       {} of {} must-catch samples caught; {} of {} near misses caught", coverage.must_match_total - coverage.missed.len(), coverage.must_match_total, coverage.caught.len(), coverage.must_not_total);
        if !coverage.missed.is_empty() {
            let _ = writeln!(out, "       misses: {}", coverage.missed.join(", "));
        }
        if !coverage.caught.is_empty() {
            let _ = writeln!(out, "       wrongly catches: {}", coverage.caught.join(", "));
        }
    }
    print_stdout(out.as_bytes())
}
