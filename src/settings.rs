//! Flags ⊕ config file → one [`ScanSettings`] value, validated, with every default written
//! once, here.
//!
//! This module exists so that `app::scan` wires stages with settled values instead of
//! merging flags and config field by field, and so that the merge can be tested without
//! spawning the binary. Precedence: a flag given on the command line wins over the config
//! file, which wins over the default. It must not call AWS or write files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::aws::ConnectOptions;
use crate::checks::{DEFAULT_MIN_LOG_GROUP_RETENTION_DAYS, DEFAULT_MIN_RETENTION_DAYS, EvalParams};
use crate::cli::{EvalArgs, MergeArgs, ScanArgs};
use crate::collect::{AccountSelection, CollectOptions};
use crate::config::{Suppression, Validated};
use crate::emit::check_writable;
use crate::model::{OutputFormat, Severity, is_region_shaped};
use crate::policy::select_checks;

/// The role assumed in every account other than the caller's: the read-only audit role of
/// deploy/cloudformation/member-role.json (its default RoleName).
pub const DEFAULT_ROLE_NAME: &str = "TrailwardenAudit";
/// `--fail-on`: any failure fails the gate.
pub const DEFAULT_FAIL_ON: Severity = Severity::Low;
/// `--concurrency`: units of work read at once. Measured with scripts/bench-scan.sh at 50 ms
/// per request: 32 scans 203 accounts in 5.2 s against 7.5 s with 8 (+7 MiB peak), and 1,003
/// accounts in the same 33-34 s (the emulator is the limit there). Each account has its own
/// AWS rate limits and retry quota, so in-flight accounts do not throttle each other.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// `--framework`: the framework the HTML report's control view uses.
pub const DEFAULT_FRAMEWORK: &str = "cis-6.0";

/// Bad input on the command line or in the config: one line naming what, where and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

/// `-o FORMAT=PATH` after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    pub format: OutputFormat,
    pub path: String,
}

/// Everything a scan needs to know, settled.
#[derive(Debug)]
pub struct ScanSettings {
    /// Where the evidence comes from: AWS (with these options) or a saved inventory.
    pub source: Source,
    pub selected_checks: Vec<&'static str>,
    pub eval: EvalParams,
    pub severity_overrides: BTreeMap<String, Severity>,
    pub suppressions: Vec<Suppression>,
    pub fail_on: Severity,
    pub fail_on_new: bool,
    pub allow_incomplete: bool,
    pub baseline: Option<String>,
    /// `--history DIR`: the directory of previous JSON reports.
    pub history: Option<String>,
    pub save_inventory: Option<String>,
    pub outputs: Vec<OutputSpec>,
    pub config_path: Option<String>,
    pub sarif_artifact: Option<String>,
    pub framework: String,
}

#[derive(Debug)]
pub enum Source {
    Aws(CollectOptions),
    Inventory(PathBuf),
    /// `trailwarden merge`: the inventories of every shard of one scan.
    Merge(Vec<PathBuf>),
}

impl ScanSettings {
    /// Validate the flags and merge them with the config file.
    pub fn resolve(args: &ScanArgs, config: Validated) -> Result<ScanSettings, SettingsError> {
        let eval = &args.eval;
        if args.inventory.is_some() {
            let t = &args.target;
            for (flag, given) in [
                ("--accounts", !t.accounts.is_empty()),
                ("--exclude-accounts", !t.exclude_accounts.is_empty()),
                ("--regions", args.regions.is_some()),
                ("--org", t.org),
                ("--shard", args.shard.is_some()),
                ("--checkpoint", args.checkpoint.is_some()),
            ] {
                if given {
                    return Err(SettingsError(format!("{flag}: not with --inventory, which evaluates a saved inventory exactly as it was collected; scan again with {flag} instead")));
                }
            }
        }
        let regions = match (&args.regions, &config.regions) {
            (Some(_), _) | (None, None) => parse_regions("--regions", args.regions.as_deref())?,
            (None, Some(from_config)) => from_config.clone(),
        };
        let mut collect = collect_options(&args.target, &config, regions)?;
        collect.verify_integrity = args.verify_integrity.as_deref().map(|d| parse_duration("--verify-integrity", d)).transpose()?;
        if collect.verify_integrity.is_some() && args.inventory.is_some() {
            return Err(SettingsError("--verify-integrity: not with --inventory, which evaluates what a saved inventory holds; save one from a scan with --verify-integrity instead".into()));
        }
        if let Some(text) = &args.shard {
            let (index, count) = crate::inventory::shard::parse_shard(text).map_err(SettingsError)?;
            let scan_id = args.scan_id.clone().unwrap_or_default();
            if scan_id.trim().is_empty() || scan_id.contains(char::is_whitespace) {
                return Err(SettingsError(format!("--scan-id `{scan_id}`: give every shard of one scan the same non-empty id without spaces, e.g. the CI run id")));
            }
            if collect.verify_integrity.is_some() {
                return Err(SettingsError("--verify-integrity: not with --shard; verify the logs in an unsharded scan or with `trailwarden validate-logs`".into()));
            }
            if !eval.outputs.is_empty() || eval.baseline.is_some() || eval.history.is_some() {
                let flag = if !eval.outputs.is_empty() { "-o" } else if eval.baseline.is_some() { "--baseline" } else { "--history" };
                return Err(SettingsError(format!("{flag}: not with --shard, whose scan only saves its inventory; give it to `trailwarden merge` with the other shards' inventories, which evaluates and reports once")));
            }
            collect.shard = Some(crate::collect::ShardSpec { index, count, scan_id });
        }
        collect.checkpoint = args.checkpoint.clone();
        let source = match &args.inventory {
            Some(path) => Source::Inventory(path.clone()),
            None => Source::Aws(collect),
        };
        let mut inputs = Vec::new();
        if let Some(path) = &args.inventory {
            inputs.push(("--inventory".to_string(), path.display().to_string()));
        }
        if let Some(path) = &args.checkpoint {
            inputs.push(("--checkpoint".to_string(), path.display().to_string()));
        }
        resolve_eval(eval, config, source, args.save_inventory.clone(), inputs)
    }

    /// `trailwarden merge`: the shard inventories, and how to evaluate them.
    pub fn resolve_merge(args: &MergeArgs, config: Validated) -> Result<ScanSettings, SettingsError> {
        let inputs = args.inventories.iter().map(|p| ("INVENTORY".to_string(), p.display().to_string())).collect();
        resolve_eval(&args.eval, config, Source::Merge(args.inventories.clone()), args.save_inventory.clone(), inputs)
    }
}

/// The evaluation flags merged with the config; `inputs` are the files the run reads (no
/// output may replace one).
fn resolve_eval(eval: &EvalArgs, config: Validated, source: Source, save_inventory: Option<String>, mut inputs: Vec<(String, String)>) -> Result<ScanSettings, SettingsError> {
    let fail_on = match &eval.fail_on {
        Some(s) => s.parse::<Severity>().map_err(|e| SettingsError(format!("--fail-on: {e}")))?,
        None => config.fail_on.unwrap_or(DEFAULT_FAIL_ON),
    };
    let selected_checks = merge_selection(eval, &config)?;
    if let Some(framework) = &eval.framework {
        let known = known_frameworks();
        if !known.contains(framework) {
            return Err(SettingsError(format!("--framework: `{framework}` is not a framework the checks map to; use one of {}", known.iter().cloned().collect::<Vec<_>>().join(", "))));
        }
    }
    let outputs = parse_outputs(&eval.outputs)?;
    if let Some(path) = &eval.baseline {
        inputs.push(("--baseline".to_string(), path.clone()));
    }
    if let Some(dir) = &eval.history {
        // Every report of the directory is an input: no output may replace one.
        inputs.extend(history_reports(dir)?.into_iter().map(|p| ("--history".to_string(), p)));
    }
    if let Some(path) = &config.path {
        inputs.push(("--config".to_string(), path.clone()));
    }
    check_no_overwrite(&inputs, &outputs, save_inventory.as_deref())?;
    let allowed_regions = match &eval.allowed_regions {
        Some(list) => parse_regions("--allowed-regions", Some(list))?.map(Some).ok_or_else(|| SettingsError("--allowed-regions: give region names, e.g. us-east-1,eu-west-1".into()))?,
        None => config.allowed_regions.clone(),
    };
    let framework = eval.framework.clone().unwrap_or_else(|| DEFAULT_FRAMEWORK.to_string());
    if let Some(path) = &save_inventory {
        check_writable(path).map_err(|e| SettingsError(format!("--save-inventory: {e}")))?;
    }
    Ok(ScanSettings {
        source,
        selected_checks,
        eval: EvalParams {
            central_bucket: eval.central_bucket.clone().or(config.central_bucket.clone()),
            min_retention_days: eval.min_retention_days.or(config.min_retention_days).unwrap_or(DEFAULT_MIN_RETENTION_DAYS),
            min_log_group_retention_days: eval.min_log_group_retention_days.or(config.min_log_group_retention_days).unwrap_or(DEFAULT_MIN_LOG_GROUP_RETENTION_DAYS),
            allowed_regions,
            cis_version: framework.strip_prefix("cis-").map(str::to_string),
        },
        severity_overrides: config.severity,
        suppressions: config.suppressions,
        fail_on,
        fail_on_new: eval.fail_on_new,
        allow_incomplete: eval.allow_incomplete,
        baseline: eval.baseline.clone(),
        history: eval.history.clone(),
        save_inventory,
        outputs,
        config_path: config.path,
        sarif_artifact: eval.sarif_artifact.clone(),
        framework,
    })
}

/// `doctor`'s flags merged with the config, exactly as the scan would use them.
pub fn doctor_options(args: &crate::cli::DoctorArgs, config: &Validated) -> Result<CollectOptions, SettingsError> {
    collect_options(&args.target, config, None)
}

/// Where to look and as whom, validated and merged with the config (flags win).
fn collect_options(t: &crate::cli::TargetArgs, config: &Validated, regions: Option<Vec<String>>) -> Result<CollectOptions, SettingsError> {
    if let Some(r) = &t.region
        && !is_region_shaped(r)
    {
        return Err(SettingsError(format!("--region: `{r}` is not an AWS region; use a name like us-east-1")));
    }
    validate_account_ids("--accounts", &t.accounts)?;
    validate_account_ids("--exclude-accounts", &t.exclude_accounts)?;
    let concurrency = t.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
    if concurrency == 0 {
        return Err(SettingsError("--concurrency: must be at least 1".into()));
    }
    Ok(CollectOptions {
        connect: ConnectOptions { profile: t.profile.clone(), region: t.region.clone(), endpoint_url: t.endpoint_url.clone() },
        organization: t.org,
        role_name: t.role_name.clone().or(config.role_name.clone()).unwrap_or_else(|| DEFAULT_ROLE_NAME.to_string()),
        external_id: t.external_id.clone().or(config.external_id.clone()).filter(|e| !e.is_empty()),
        selection: AccountSelection { only: t.accounts.clone(), exclude: t.exclude_accounts.clone() },
        regions,
        concurrency,
        verify_integrity: None,
        shard: None,
        checkpoint: None,
        quiet: t.quiet || t.verbose > 0,
    })
}

/// `--verify-integrity=DURATION`: `90m`, `24h`, `7d` (a number and a unit: s, m, h, d).
pub fn parse_duration(flag: &str, text: &str) -> Result<chrono::Duration, SettingsError> {
    let bad = || SettingsError(format!("{flag}={text}: not a duration; give a number and a unit, e.g. 24h, 7d or 90m"));
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let duration = match unit {
        "s" => chrono::Duration::try_seconds(n),
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if n == 0 || duration > chrono::Duration::days(366) {
        return Err(SettingsError(format!("{flag}={text}: give a window from 1s to 366d")));
    }
    Ok(duration)
}

/// The checks to run. Rule: `--ignore` (command line) adds to the config's `ignore`;
/// `--select` (command line) narrows the config's `select` (a check runs when both name it;
/// an empty list names every check). An empty result is an error, never a scan of nothing.
fn merge_selection(args: &EvalArgs, config: &Validated) -> Result<Vec<&'static str>, SettingsError> {
    let from_config = select_checks(&config.select, &config.ignore, "config").map_err(|e| SettingsError(e.to_string()))?;
    let from_flags = select_checks(&args.select, &args.ignore, "--select/--ignore").map_err(|e| SettingsError(e.to_string()))?;
    let selected: Vec<&'static str> = from_config.into_iter().filter(|c| from_flags.contains(c)).collect();
    if selected.is_empty() {
        let config_part = config.path.as_deref().map(|p| format!(" and {p}'s select/ignore")).unwrap_or_default();
        return Err(SettingsError(format!("--select/--ignore{config_part} leave no check to run; widen --select or remove an --ignore")));
    }
    Ok(selected)
}

/// Every framework key some check maps to (`cis-6.0`, `securityhub`, …).
pub fn known_frameworks() -> std::collections::BTreeSet<String> {
    crate::checks::metadata::all().iter().flat_map(|m| m.frameworks.keys().cloned()).collect()
}

/// Two paths name the same file (the file need not exist yet).
fn same_file(a: &str, b: &str) -> bool {
    let absolute = |p: &str| -> Option<PathBuf> {
        let path = std::path::Path::new(p);
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        Some(dir.canonicalize().ok()?.join(path.file_name()?))
    };
    a == b || matches!((absolute(a), absolute(b)), (Some(x), Some(y)) if x == y)
}

/// `--history DIR`: the `*.json` files directly in DIR (not its subdirectories), by name.
/// Which of them are reports is decided when they are read.
pub fn history_reports(dir: &str) -> Result<Vec<String>, SettingsError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SettingsError(format!("--history {dir}: cannot list it ({e}); give the directory that holds the previous JSON reports")))?;
    let mut files: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SettingsError(format!("--history {dir}: cannot list it ({e}); give the directory that holds the previous JSON reports")))?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path.display().to_string());
        }
    }
    files.sort();
    Ok(files)
}

/// No output may replace an input or another output, and at most one goes to stdout.
fn check_no_overwrite(inputs: &[(String, String)], outputs: &[OutputSpec], save_inventory: Option<&str>) -> Result<(), SettingsError> {
    let mut written: Vec<(String, &str)> = outputs.iter().map(|o| (format!("-o {}={}", o.format, o.path), o.path.as_str())).collect();
    if let Some(path) = save_inventory {
        written.push(("--save-inventory".to_string(), path));
    }
    if written.iter().filter(|(_, p)| *p == "-").count() > 1 {
        return Err(SettingsError("-o: more than one report to stdout (`-`) would interleave them; write all but one to files".into()));
    }
    for (i, (what, path)) in written.iter().enumerate() {
        if *path == "-" {
            continue;
        }
        if let Some((flag, _)) = inputs.iter().find(|(_, input)| same_file(path, input)) {
            return Err(SettingsError(format!("{what}: {path} is also the {flag} file; writing it would destroy that input. Give another path")));
        }
        if let Some((other, _)) = written[..i].iter().find(|(_, p)| *p != "-" && same_file(path, p)) {
            return Err(SettingsError(format!("{what}: {path} is written by {other} too; give each output its own path")));
        }
    }
    Ok(())
}

/// `--regions`: `None` for `all` (the regions enabled in each account).
fn parse_regions(flag: &str, value: Option<&str>) -> Result<Option<Vec<String>>, SettingsError> {
    let Some(value) = value else { return Ok(None) };
    if value.trim().eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let mut regions: Vec<String> = value.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    regions.sort();
    regions.dedup();
    if regions.is_empty() {
        return Err(SettingsError(format!("{flag}: empty list; give regions like us-east-1,eu-west-1 or `all`")));
    }
    if let Some(r) = regions.iter().find(|r| !is_region_shaped(r)) {
        return Err(SettingsError(format!("{flag}: `{r}` is not an AWS region; use names like us-east-1 or eu-west-1, or `all`")));
    }
    Ok(Some(regions))
}

fn validate_account_ids(flag: &str, ids: &[String]) -> Result<(), SettingsError> {
    match ids.iter().find(|id| id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit())) {
        Some(id) => Err(SettingsError(format!("{flag}: `{id}` is not an AWS account id (12 digits)"))),
        None => Ok(()),
    }
}

fn parse_outputs(specs: &[String]) -> Result<Vec<OutputSpec>, SettingsError> {
    specs
        .iter()
        .map(|spec| {
            let (format, path) = spec.split_once('=').ok_or_else(|| SettingsError(format!("-o {spec}: expected FORMAT=PATH, e.g. -o json=report.json")))?;
            let format = format.trim().to_ascii_lowercase();
            let format = format.parse::<OutputFormat>().map_err(|_| SettingsError(format!("-o {spec}: unknown format `{format}`; formats: {}", OutputFormat::names())))?;
            if path.is_empty() {
                return Err(SettingsError(format!("-o {spec}: no path after `=`")));
            }
            check_writable(path).map_err(|e| SettingsError(format!("-o {spec}: {e}")))?;
            Ok(OutputSpec { format, path: path.to_string() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(flags: &[&str], config: &str) -> Result<ScanSettings, SettingsError> {
        let mut argv = vec!["trailwarden", "scan"];
        argv.extend_from_slice(flags);
        let crate::cli::Command::Scan(args) = crate::cli::Cli::parse_from(argv).command else { unreachable!() };
        ScanSettings::resolve(&args, crate::config::parse("t.toml", config).unwrap())
    }

    #[test]
    fn verify_integrity_takes_an_optional_duration() {
        let window = |flags: &[&str]| match &settings(flags, "").unwrap().source {
            Source::Aws(options) => options.verify_integrity,
            Source::Inventory(_) | Source::Merge(_) => unreachable!(),
        };
        assert_eq!(window(&[]), None);
        assert_eq!(window(&["--verify-integrity"]), Some(chrono::Duration::hours(24)));
        assert_eq!(window(&["--verify-integrity=7d"]), Some(chrono::Duration::days(7)));
        assert_eq!(window(&["--verify-integrity=90m"]), Some(chrono::Duration::minutes(90)));
        for bad in ["--verify-integrity=1w", "--verify-integrity=h", "--verify-integrity=0h", "--verify-integrity=400d", "--verify-integrity=-1h"] {
            let err = settings(&[bad], "").unwrap_err().to_string();
            assert!(err.starts_with("--verify-integrity="), "{bad}: {err}");
        }
    }

    #[test]
    fn defaults_are_written_once_and_flags_win_over_the_config() {
        let s = settings(&[], "").unwrap();
        assert_eq!((s.fail_on, s.eval.min_retention_days, s.framework.as_str()), (DEFAULT_FAIL_ON, DEFAULT_MIN_RETENTION_DAYS, DEFAULT_FRAMEWORK));
        let Source::Aws(collect) = &s.source else { panic!("no --inventory: AWS") };
        assert_eq!((collect.role_name.as_str(), collect.concurrency, &collect.regions), (DEFAULT_ROLE_NAME, DEFAULT_CONCURRENCY, &None));

        let s = settings(&["--fail-on", "high", "--min-retention-days", "30"], "fail_on = \"critical\"\nmin_retention_days = 90\nrole_name = \"Audit\"\n").unwrap();
        assert_eq!((s.fail_on, s.eval.min_retention_days), (Severity::High, 30));
        let Source::Aws(collect) = &s.source else { panic!() };
        assert_eq!(collect.role_name, "Audit");
    }

    #[test]
    fn bad_flags_are_one_line_errors() {
        for (flags, needle) in [
            (&["--fail-on", "severe"][..], "`severe` is not a severity"),
            (&["--regions", "us-east-1,moon-base-1"][..], "`moon-base-1` is not an AWS region"),
            (&["--region", "us-esat-1"][..], "`us-esat-1` is not an AWS region"),
            (&["-o", "pdf=x.pdf"][..], "unknown format `pdf`"),
            (&["--concurrency", "0"][..], "at least 1"),
        ] {
            let err = settings(flags, "").unwrap_err().to_string();
            assert!(err.contains(needle) && !err.contains('\n'), "{flags:?}: {err}");
        }
    }

    #[test]
    fn new_regions_of_every_partition_are_accepted_by_shape() {
        let s = settings(&["--regions", "cn-north-1,us-gov-west-1,mx-central-1,ap-southeast-7"], "").unwrap();
        let Source::Aws(collect) = &s.source else { panic!() };
        assert_eq!(collect.regions.as_ref().unwrap().len(), 4);
    }
}
