//! `trailwarden.toml`: the policy a team keeps next to its code.
//!
//! This module parses and validates the file — every unknown key and invalid value is an
//! error naming the file, line and column — and writes the commented template of
//! `trailwarden init`. It must not apply anything: `settings` merges the file with the
//! command-line flags, and `policy` applies suppressions and severities to a report.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::model::{Severity, is_region_shaped};

pub const DEFAULT_FILE: &str = "trailwarden.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Checks to run: codes or prefixes (`CT2`, `CT301`). Empty: all.
    #[serde(default)]
    pub select: Vec<Spanned<String>>,
    /// Checks to skip: codes or prefixes.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Severity per check code, replacing the catalog's.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Severity>,
    pub fail_on: Option<Severity>,
    pub min_retention_days: Option<Spanned<i64>>,
    pub min_log_group_retention_days: Option<Spanned<i64>>,
    /// CT517: the regions the organization uses.
    pub allowed_regions: Option<Spanned<Vec<String>>>,
    pub central_bucket: Option<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    /// `"all"` or a list of region names.
    pub regions: Option<Spanned<Regions>>,
    #[serde(default, rename = "suppress")]
    pub suppressions: Vec<Spanned<SuppressionRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Regions {
    List(Vec<String>),
    Keyword(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionRule {
    /// Check code or prefix.
    pub check: Spanned<String>,
    /// Account id: exact or glob. Omitted: any.
    pub account: Option<String>,
    /// Region: exact or glob. Omitted: any.
    pub region: Option<String>,
    /// Resource ARN or name: exact or glob. Omitted: any.
    pub resource: Option<String>,
    /// Required: why this risk is accepted.
    pub reason: Spanned<String>,
    /// Optional `YYYY-MM-DD`; from the day after, the suppression no longer applies.
    pub expires: Option<Spanned<String>>,
}

/// A validated suppression, with where it was written (for warnings).
#[derive(Debug, Clone)]
pub struct Suppression {
    pub location: String,
    pub check: String,
    pub account: Option<globset::GlobMatcher>,
    pub region: Option<globset::GlobMatcher>,
    pub resource: Option<globset::GlobMatcher>,
    pub reason: String,
    pub expires: Option<chrono::NaiveDate>,
}

/// The config after validation, ready to merge with flags.
#[derive(Debug, Default)]
pub struct Validated {
    pub path: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Option<Severity>,
    pub min_retention_days: Option<u32>,
    pub min_log_group_retention_days: Option<u32>,
    pub allowed_regions: Option<Vec<String>>,
    pub central_bucket: Option<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    /// Some(None) = `"all"`; Some(Some(list)) = those regions.
    pub regions: Option<Option<Vec<String>>>,
    pub suppressions: Vec<Suppression>,
}

/// `path:line:column` of a byte offset.
fn location(path: &str, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    format!("{path}:{line}:{column}")
}

fn check_pattern_is_known(pattern: &str) -> bool {
    !pattern.is_empty() && crate::checks::REGISTRY.iter().any(|c| c.code.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase()))
}

fn glob(path: &str, text: &str, span_start: usize, field: &str, pattern: &Option<String>) -> Result<Option<globset::GlobMatcher>, String> {
    pattern
        .as_ref()
        .map(|p| {
            globset::Glob::new(p)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("{}: suppression `{field}`: invalid glob `{p}`: {e}", location(path, text, span_start)))
        })
        .transpose()
}

/// A config file that cannot be used: the message names `file:line:column` and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl From<String> for ConfigError {
    fn from(message: String) -> ConfigError {
        ConfigError(message)
    }
}

/// Parse and validate a config file's text.
pub fn parse(path: &str, text: &str) -> Result<Validated, ConfigError> {
    parse_text(path, text).map_err(ConfigError)
}

fn parse_text(path: &str, text: &str) -> Result<Validated, String> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| location(path, text, s.start)).unwrap_or_else(|| path.to_string());
        format!("{at}: {}; `trailwarden init` writes a template with every option", e.message().trim().replace('\n', " "))
    })?;
    let at = |offset: usize| location(path, text, offset);
    let mut out = Validated { path: Some(path.to_string()), ..Default::default() };

    for (list, name, target) in [(&config.select, "select", &mut out.select), (&config.ignore, "ignore", &mut out.ignore)] {
        for item in list {
            if !check_pattern_is_known(item.get_ref()) {
                return Err(format!("{}: {name}: `{}` matches no check code; use a code like CT201 or a prefix like CT2", at(item.span().start), item.get_ref()));
            }
            target.push(item.get_ref().clone());
        }
    }
    for (code, severity) in &config.severity {
        if crate::checks::find(code.get_ref()).is_none() {
            return Err(format!("{}: severity: `{}` is not a check code; `trailwarden checks` lists them", at(code.span().start), code.get_ref()));
        }
        out.severity.insert(code.get_ref().to_ascii_uppercase(), *severity);
    }
    out.fail_on = config.fail_on;
    if let Some(days) = &config.min_retention_days {
        let value = *days.get_ref();
        if !(1..=36500).contains(&value) {
            return Err(format!("{}: min_retention_days: {value} is out of range; give a number of days from 1 to 36500", at(days.span().start)));
        }
        out.min_retention_days = Some(value as u32);
    }
    if let Some(days) = &config.min_log_group_retention_days {
        let value = *days.get_ref();
        if !(1..=36500).contains(&value) {
            return Err(format!("{}: min_log_group_retention_days: {value} is out of range; give a number of days from 1 to 36500", at(days.span().start)));
        }
        out.min_log_group_retention_days = Some(value as u32);
    }
    if let Some(list) = &config.allowed_regions {
        if let Some(r) = list.get_ref().iter().find(|r| !is_region_shaped(r)) {
            return Err(format!("{}: allowed_regions: `{r}` is not an AWS region; use names like us-east-1", at(list.span().start)));
        }
        let mut regions = list.get_ref().clone();
        regions.sort();
        regions.dedup();
        out.allowed_regions = Some(regions);
    }
    out.central_bucket = config.central_bucket.filter(|b| !b.is_empty());
    out.role_name = config.role_name;
    out.external_id = config.external_id;
    if let Some(regions) = &config.regions {
        out.regions = Some(match regions.get_ref() {
            Regions::Keyword(k) if k.eq_ignore_ascii_case("all") => None,
            Regions::Keyword(k) => return Err(format!("{}: regions: `{k}` is neither \"all\" nor a list; write regions = [\"us-east-1\", \"eu-west-1\"] or regions = \"all\"", at(regions.span().start))),
            Regions::List(list) => {
                for r in list {
                    if !is_region_shaped(r) {
                        return Err(format!("{}: regions: `{r}` is not an AWS region; use names like us-east-1", at(regions.span().start)));
                    }
                }
                let mut list = list.clone();
                list.sort();
                list.dedup();
                Some(list)
            }
        });
    }
    for rule in &config.suppressions {
        let start = rule.span().start;
        let r = rule.get_ref();
        if !check_pattern_is_known(r.check.get_ref()) {
            return Err(format!("{}: suppress.check: `{}` matches no check code", at(r.check.span().start), r.check.get_ref()));
        }
        if r.reason.get_ref().trim().is_empty() {
            return Err(format!("{}: suppress.reason: a suppression needs a reason saying why the risk is accepted", at(r.reason.span().start)));
        }
        let expires = match &r.expires {
            Some(date) => Some(chrono::NaiveDate::parse_from_str(date.get_ref(), "%Y-%m-%d").map_err(|_| {
                format!("{}: suppress.expires: `{}` is not a date; write it as YYYY-MM-DD", at(date.span().start), date.get_ref())
            })?),
            None => None,
        };
        out.suppressions.push(Suppression {
            location: at(start),
            check: r.check.get_ref().to_ascii_uppercase(),
            account: glob(path, text, start, "account", &r.account)?,
            region: glob(path, text, start, "region", &r.region)?,
            resource: glob(path, text, start, "resource", &r.resource)?,
            reason: r.reason.get_ref().trim().to_string(),
            expires,
        });
    }
    Ok(out)
}

/// Load `--config PATH`, or `./trailwarden.toml` when it exists, or nothing.
pub fn load(explicit: Option<&str>) -> Result<Validated, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_string(),
        None if std::path::Path::new(DEFAULT_FILE).is_file() => DEFAULT_FILE.to_string(),
        None => return Ok(Validated::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError(format!("{path}: cannot read the config file: {e}")))?;
    parse(&path, &text)
}

/// The commented template `trailwarden init` writes: every option, with its default.
pub const TEMPLATE: &str = r#"# trailwarden configuration. Command-line flags override these values.
# Every option is shown with its default; uncomment to change.

# Checks to run, by code or prefix (empty: every check). `trailwarden checks` lists them.
# select = ["CT1", "CT2", "CT3", "CT4"]
select = []

# Checks to skip, by code or prefix.
# ignore = ["CT207"]
ignore = []

# Exit 1 when a finding at or above this severity fails: critical, high, medium, low, info.
fail_on = "low"

# CT307: shortest acceptable lifecycle expiration of CloudTrail log objects, in days.
min_retention_days = 365

# CT516: shortest acceptable retention of a trail's CloudWatch Logs log group, in days.
min_log_group_retention_days = 365

# CT517: the regions your organization uses; API activity anywhere else must raise an alarm.
# allowed_regions = ["us-east-1", "eu-west-1"]

# CT209: the bucket every trail must deliver to ("" = not checked).
central_bucket = ""

# Role assumed in every account other than the caller's (with --org or --accounts).
role_name = "TrailwardenAudit"

# External id passed to sts:AssumeRole ("" = none).
# external_id = ""

# Regions to evaluate: "all" (every region enabled in each account) or a list.
regions = "all"

# Severity overrides per check code.
[severity]
# CT305 = "high"

# Suppressions: accept a known risk. `check` (code or prefix) and `reason` are required;
# `account`, `region` and `resource` are exact values or globs (omitted: any);
# `expires` (YYYY-MM-DD) makes the suppression lapse after that day.
# Suppressed findings stay in every report with their reason; a suppression that matches
# nothing is reported as a warning.
#
# [[suppress]]
# check = "CT305"
# resource = "arn:aws:s3:::legacy-trail-logs-*"
# reason = "Object Lock cannot be enabled on this pre-2023 bucket; replacement tracked in SEC-1234"
# expires = "2027-06-30"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_to_the_defaults() {
        let v = parse("trailwarden.toml", TEMPLATE).unwrap();
        assert_eq!(v.fail_on, Some(Severity::Low));
        assert_eq!(v.min_retention_days, Some(365));
        assert_eq!(v.regions, Some(None));
        assert!(v.central_bucket.is_none() && v.suppressions.is_empty() && v.select.is_empty());
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let err = parse("t.toml", "select = []\nfail_onn = \"high\"\n").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:2:1: "), "{err}");
        assert!(err.contains("fail_onn"), "{err}");
    }

    #[test]
    fn invalid_values_name_their_place() {
        let err = parse("t.toml", "fail_on = \"severe\"\n").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:1:11: "), "{err}");
        let err = parse("t.toml", "select = [\"CT2\", \"CT9\"]\n").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:1:18: ") && err.contains("`CT9` matches no check"), "{err}");
        let err = parse("t.toml", "regions = [\"us-east-1\", \"mars-1\"]\n").unwrap_err().to_string();
        assert!(err.contains("`mars-1` is not an AWS region"), "{err}");
        let err = parse("t.toml", "[[suppress]]\ncheck = \"CT305\"\nreason = \"x\"\nexpires = \"31/12/2027\"\n").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:4:11: ") && err.contains("YYYY-MM-DD"), "{err}");
        let err = parse("t.toml", "[[suppress]]\ncheck = \"CT305\"\n").unwrap_err().to_string();
        assert!(err.contains("reason"), "{err}");
        let err = parse("t.toml", "[severity]\nCT999 = \"high\"\n").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:2:1: "), "{err}");
        let err = parse("t.toml", "min_retention_days = -4\n").unwrap_err().to_string();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn suppressions_take_globs() {
        let v = parse("t.toml", "[[suppress]]\ncheck = \"CT3\"\nresource = \"arn:aws:s3:::legacy-*\"\nreason = \"tracked\"\nexpires = \"2030-01-01\"\n").unwrap();
        let s = &v.suppressions[0];
        assert!(s.resource.as_ref().unwrap().is_match("arn:aws:s3:::legacy-logs"));
        assert_eq!(s.location, "t.toml:1:1");
    }
}
