//! The command line: argument parsing, validation of user input, and the scan pipeline
//! (collect or load → evaluate → policy → report → render), ending in the exit code.
//!
//! Every bad input is reported as one line naming what is wrong, where, and how to fix it,
//! with exit code 2, before any AWS call is made and without leaving a partial file behind.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::aws::ConnectOptions;
use crate::checks::metadata::{self, Severity};
use crate::checks::{self, EvalParams};
use crate::collect::{self, AccountSelection, CollectOptions};
use crate::inventory::Inventory;
use crate::report::{self, Renderer, Report};

/// Exit codes (architecture.md): 0 clean, 1 failures at/above --fail-on, 2 usage/config/fatal,
/// 3 the scan completed but some evidence could not be read.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURES: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

#[derive(Debug, Parser)]
#[command(name = "trailwarden", version, about = "CloudTrail compliance posture scanner for AWS accounts and Organizations")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan one account or a whole AWS Organization and report.
    Scan(ScanArgs),
    /// Print everything about one check: what, why, how to fix, framework mappings.
    Explain {
        /// Check code, e.g. CT201.
        code: String,
    },
    /// List every check.
    Checks {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the least-privilege read-only IAM policy a scan needs.
    IamPolicy {
        /// Role assumed in member accounts (for the sts:AssumeRole statement).
        #[arg(long, default_value = "OrganizationAccountAccessRole")]
        role_name: String,
    },
    /// Print the JSON Schema of the JSON report.
    Schema,
    /// Write a commented trailwarden.toml holding every option with its default.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "trailwarden.toml")]
        path: String,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Region for global API calls (STS, Organizations, ListTrails); default from the AWS config, else us-east-1.
    #[arg(long)]
    pub region: Option<String>,
    /// Regions to evaluate: a comma-separated list, or `all` (the default: every region enabled in each account).
    #[arg(long)]
    pub regions: Option<String>,
    /// Send every AWS call to this endpoint (an emulator); S3 uses path-style addressing.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Scan every ACTIVE account of the AWS Organization (run from the management account).
    #[arg(long)]
    pub org: bool,
    /// Role assumed in each account other than the caller's [default: OrganizationAccountAccessRole].
    #[arg(long)]
    pub role_name: Option<String>,
    /// External id passed to sts:AssumeRole.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Only these accounts (comma-separated ids). Without --org, these accounts are scanned through --role-name.
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Skip these accounts (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
    /// Write a report: FORMAT=PATH, repeatable. FORMAT: json, html, sarif, junit, markdown, csv, ocsf. PATH `-` is stdout.
    #[arg(short = 'o', long = "output", value_name = "FORMAT=PATH")]
    pub outputs: Vec<String>,
    /// Exit 1 when a finding at or above this severity fails: critical, high, medium, low, info [default: low].
    #[arg(long)]
    pub fail_on: Option<String>,
    /// With --baseline: exit 1 only for failures that are new since the baseline.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// A previous JSON report: classify every finding as new, unchanged or fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<String>,
    /// Config file [default: ./trailwarden.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// SARIF: the file every result is located in [default: the config file, else trailwarden.toml].
    #[arg(long, value_name = "PATH")]
    pub sarif_artifact: Option<String>,
    /// HTML: the framework whose controls the framework view lists (cis-3.0, cis-4.0, cis-5.0, cis-6.0, securityhub, aws-config, nist-800-53-r5, pci-dss-4.0, soc2).
    #[arg(long, default_value = "cis-6.0")]
    pub framework: String,
    /// Exit 0 instead of 3 when some evidence could not be read (ERROR outcomes).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Evaluate a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Save the collected inventory (evidence for auditors, input for --inventory).
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<String>,
    /// Only these checks: codes or prefixes, comma-separated (e.g. CT2,CT301).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these checks: codes or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// CT209: the bucket every trail should deliver to.
    #[arg(long)]
    pub central_bucket: Option<String>,
    /// CT307: shortest acceptable lifecycle expiration of log objects, in days [default: 365].
    #[arg(long)]
    pub min_retention_days: Option<u32>,
    /// How many accounts (and resources) are read at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// Regions trailwarden knows; `--regions` must name these.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
];

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Explain { code } => explain(&code),
        Command::Checks { format } => list_checks(format),
        Command::IamPolicy { role_name } => {
            println!("{}", serde_json::to_string_pretty(&crate::iam_policy::policy_document(&role_name)).unwrap());
            Ok(EXIT_OK)
        }
        Command::Schema => {
            print!("{}", report::JSON_SCHEMA);
            Ok(EXIT_OK)
        }
        Command::Init { path, force } => init(&path, force),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("trailwarden: error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn init(path: &str, force: bool) -> Result<u8, String> {
    if std::path::Path::new(path).exists() && !force {
        return Err(format!("{path} already exists; pass --force to overwrite it"));
    }
    report::write_atomic(path, crate::config::TEMPLATE.as_bytes())?;
    eprintln!("trailwarden: wrote {path}");
    Ok(EXIT_OK)
}

fn explain(code: &str) -> Result<u8, String> {
    let meta = metadata::get(code).ok_or_else(|| unknown_check(code))?;
    let mut out = format!("{} {} — {}\nseverity: {}   scope: {}\n", meta.code, meta.name, meta.title, meta.severity.as_str(), meta.scope);
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
    print!("{out}");
    Ok(EXIT_OK)
}

fn unknown_check(code: &str) -> String {
    format!("unknown check code `{code}`; `trailwarden checks` lists the codes (CT101 … CT402)")
}

fn list_checks(format: ListFormat) -> Result<u8, String> {
    let all = metadata::all();
    match format {
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(all).unwrap()),
        ListFormat::Markdown => {
            println!("| code | name | severity | scope | title |\n|---|---|---|---|---|");
            for m in all {
                println!("| {} | {} | {} | {} | {} |", m.code, m.name, m.severity.as_str(), m.scope, m.title);
            }
        }
        ListFormat::Text => {
            for m in all {
                println!("{}  {:<44} {:<8} {:<9} {}", m.code, m.name, m.severity.as_str(), m.scope, m.title);
            }
        }
    }
    Ok(EXIT_OK)
}

/// Resolve `--select` / `--ignore` (codes or prefixes) to the list of check codes to run.
pub fn select_checks(select: &[String], ignore: &[String], origin: &str) -> Result<Vec<&'static str>, String> {
    let matches = |pattern: &str, code: &str| code.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase());
    for pattern in select.iter().chain(ignore) {
        if pattern.is_empty() || !checks::REGISTRY.iter().any(|c| matches(pattern, c.code)) {
            return Err(format!("{origin}: `{pattern}` matches no check code; use a code like CT201 or a prefix like CT2 (`trailwarden checks` lists them)"));
        }
    }
    Ok(checks::REGISTRY
        .iter()
        .map(|c| c.code)
        .filter(|code| select.is_empty() || select.iter().any(|p| matches(p, code)))
        .filter(|code| !ignore.iter().any(|p| matches(p, code)))
        .collect())
}

fn parse_regions(value: &Option<String>) -> Result<Option<Vec<String>>, String> {
    let Some(value) = value else { return Ok(None) };
    if value.trim().eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let mut regions: Vec<String> = value.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    regions.sort();
    regions.dedup();
    if regions.is_empty() {
        return Err("--regions: empty list; give regions like us-east-1,eu-west-1 or `all`".into());
    }
    for r in &regions {
        if !KNOWN_REGIONS.contains(&r.as_str()) {
            return Err(format!("--regions: `{r}` is not an AWS region; use names like us-east-1 or eu-west-1, or `all`"));
        }
    }
    Ok(Some(regions))
}

fn validate_account_ids(flag: &str, ids: &[String]) -> Result<(), String> {
    for id in ids {
        if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("{flag}: `{id}` is not an AWS account id (12 digits)"));
        }
    }
    Ok(())
}

/// `-o FORMAT=PATH` after validation.
struct OutputSpec {
    format: String,
    path: String,
}

const FORMATS: &[&str] = &["json", "html", "sarif", "junit", "markdown", "csv", "ocsf"];

fn parse_outputs(specs: &[String]) -> Result<Vec<OutputSpec>, String> {
    specs
        .iter()
        .map(|spec| {
            let (format, path) = spec.split_once('=').ok_or_else(|| format!("-o {spec}: expected FORMAT=PATH, e.g. -o json=report.json"))?;
            let format = format.trim().to_ascii_lowercase();
            if !FORMATS.contains(&format.as_str()) {
                return Err(format!("-o {spec}: unknown format `{format}`; formats: {}", FORMATS.join(", ")));
            }
            if path.is_empty() {
                return Err(format!("-o {spec}: no path after `=`"));
            }
            report::check_writable(path).map_err(|e| format!("-o {spec}: {e}"))?;
            Ok(OutputSpec { format, path: path.to_string() })
        })
        .collect()
}

fn renderer(format: &str) -> Box<dyn Renderer> {
    match format {
        "json" => Box::new(report::json::Json),
        "html" => Box::new(report::html::Html),
        "sarif" => Box::new(report::sarif::Sarif),
        "junit" => Box::new(report::junit::Junit),
        "markdown" => Box::new(report::markdown::Markdown),
        "csv" => Box::new(report::csv::Csv),
        "ocsf" => Box::new(report::ocsf::Ocsf),
        other => unreachable!("format {other} was validated"),
    }
}

fn scan(args: ScanArgs) -> Result<u8, String> {
    // Validate everything before the first AWS call. Flags win over the config file.
    let config = crate::config::load(args.config.as_deref())?;
    let fail_on = match &args.fail_on {
        Some(s) => Severity::parse(s).ok_or_else(|| format!("--fail-on: `{s}` is not a severity; use critical, high, medium, low or info"))?,
        None => config.fail_on.unwrap_or(Severity::Low),
    };
    let (select, ignore) = if args.select.is_empty() && args.ignore.is_empty() { (config.select.clone(), config.ignore.clone()) } else { (args.select.clone(), args.ignore.clone()) };
    let selected = select_checks(&select, &ignore, "--select/--ignore")?;
    let regions = match (&args.regions, &config.regions) {
        (Some(_), _) | (None, None) => parse_regions(&args.regions)?,
        (None, Some(from_config)) => from_config.clone(),
    };
    if let Some(r) = &args.region {
        if !KNOWN_REGIONS.contains(&r.as_str()) {
            return Err(format!("--region: `{r}` is not an AWS region; use a name like us-east-1"));
        }
    }
    validate_account_ids("--accounts", &args.accounts)?;
    validate_account_ids("--exclude-accounts", &args.exclude_accounts)?;
    if args.concurrency == 0 {
        return Err("--concurrency: must be at least 1".into());
    }
    let outputs = parse_outputs(&args.outputs)?;
    if let Some(path) = &args.save_inventory {
        report::check_writable(path).map_err(|e| format!("--save-inventory: {e}"))?;
    }
    let baseline_text = match &args.baseline {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| format!("baseline {path}: cannot read: {e}"))?),
        None => None,
    };

    let mut inventory_sha256 = None;
    let inventory = match &args.inventory {
        Some(path) => {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| format!("inventory {shown}: cannot read: {e}"))?;
            inventory_sha256 = Some(report::sha256_hex(text.as_bytes()));
            Inventory::from_json(&shown, &text)?
        }
        None => {
            let options = CollectOptions {
                connect: ConnectOptions { profile: args.profile.clone(), region: args.region.clone(), endpoint_url: args.endpoint_url.clone() },
                organization: args.org,
                role_name: args.role_name.clone().or(config.role_name.clone()).unwrap_or_else(|| "OrganizationAccountAccessRole".to_string()),
                external_id: args.external_id.clone().or(config.external_id.clone()).filter(|e| !e.is_empty()),
                selection: AccountSelection { only: args.accounts.clone(), exclude: args.exclude_accounts.clone() },
                regions,
                concurrency: args.concurrency,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))?;
            runtime.block_on(collect::collect(&options))?
        }
    };
    if let Some(path) = &args.save_inventory {
        let bytes = serde_json::to_vec_pretty(&inventory).map_err(|e| format!("cannot serialise the inventory: {e}"))?;
        inventory_sha256 = Some(report::sha256_hex(&bytes));
        report::write_atomic(path, &bytes)?;
    }

    let params = EvalParams {
        central_bucket: args.central_bucket.clone().or(config.central_bucket.clone()),
        min_retention_days: args.min_retention_days.or(config.min_retention_days).unwrap_or(365),
    };
    let outcomes = checks::evaluate(&inventory, &params, Some(&selected));
    let severity_of = |code: &str| config.severity.get(code).copied().or_else(|| metadata::get(code).map(|m| m.severity)).unwrap_or(Severity::Medium);
    let mut report = Report::build(&inventory, outcomes, &selected, severity_of);
    for warning in crate::policy::apply_suppressions(&mut report, &config.suppressions, chrono::Utc::now().date_naive()) {
        eprintln!("trailwarden: warning: {warning}");
    }
    if let (Some(path), Some(text)) = (&args.baseline, &baseline_text) {
        crate::policy::apply_baseline(&mut report, path, text)?;
    }

    let json = report::json::Json.render(&report, &report::RenderContext::default())?;
    let render_ctx = report::RenderContext {
        config_path: config.path.clone(),
        sarif_artifact: args.sarif_artifact.clone(),
        framework: args.framework.clone(),
        json_sha256: Some(report::sha256_hex(&json)),
        inventory_sha256,
    };
    let mut stdout_taken = false;
    for output in &outputs {
        let bytes = if output.format == "json" { json.clone() } else { renderer(&output.format).render(&report, &render_ctx)? };
        report::write_atomic(&output.path, &bytes)?;
        stdout_taken |= output.path == "-";
    }
    if !stdout_taken {
        let bytes = report::summary::Summary.render(&report, &render_ctx)?;
        report::write_atomic("-", &bytes)?;
    }
    Ok(crate::policy::exit_code(&report, fail_on, args.fail_on_new, args.allow_incomplete))
}

