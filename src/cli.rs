//! The command line: clap's derive model of every command and flag, and nothing else.
//!
//! Parsing only: defaults that the config file may also set are `Option`s here, resolved
//! once in the `settings` module; what a flag means is decided there and in `app`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Flags that need checking beyond their type (regions, account ids, formats, severities)
/// are plain strings here: the `settings` module validates them into one line each.
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
    /// Merge the inventories of every `scan --shard I/N` of one scan and evaluate them once,
    /// as one scan (reports, gate and exit code as `scan --inventory`).
    Merge(MergeArgs),
    /// Print everything about one check: what, why, how to fix, framework mappings.
    Explain {
        /// Check code, e.g. CT201.
        code: String,
    },
    /// Parse a CloudWatch Logs filter pattern and show which sample events of each CIS
    /// monitoring class (CT501–CT515, CT517) it catches and misses.
    ExplainFilter {
        /// The filter pattern, e.g. '{ $.eventName = "ConsoleLogin" }'.
        pattern: String,
        /// Only this class, e.g. CT504.
        #[arg(long)]
        class: Option<String>,
        /// CIS version whose samples judge the pattern: 3.0, 4.0, 5.0 or 6.0 [default: 6.0].
        #[arg(long)]
        cis_version: Option<String>,
        /// CT517: the allowed regions (comma-separated).
        #[arg(long)]
        allowed_regions: Option<String>,
    },
    /// List every check.
    Checks {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check, before a long scan, that it would read everything: the caller, the organization,
    /// the role in each account, and which member actions are denied. Exit 0 when all is readable.
    Doctor(DoctorArgs),
    /// Print the least-privilege read-only IAM policy a scan needs.
    IamPolicy {
        /// Role assumed in member accounts (for the sts:AssumeRole statement) [default: TrailwardenAudit].
        #[arg(long)]
        role_name: Option<String>,
        /// Partition of the accounts: aws, aws-cn or aws-us-gov.
        #[arg(long, default_value = "aws")]
        partition: String,
        /// `scanner`: the identity that runs the scan (lists the organization, assumes the
        /// role, reads its own account); `member`: the audit role inside each member account.
        #[arg(long = "for", value_enum, default_value_t = PolicyFor::Scanner)]
        policy_for: PolicyFor,
    },
    /// Verify a trail's digest chain and log files over a time range, as `aws cloudtrail
    /// validate-logs` does (same summary lines and exit status), and also report what it
    /// misses: consecutive missing digests, deleted newest digests, link mismatches,
    /// unsupported algorithms, truncated gzip, and unreadable objects (without aborting).
    ValidateLogs(ValidateLogsArgs),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFor {
    Scanner,
    Member,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

/// Where to look and as whom: shared by `scan` and `doctor`, so both reach AWS the same way.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// Named profile from the AWS config files (wins over AWS_ACCESS_KEY_ID in the environment).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region for global API calls (STS, Organizations, ListTrails); default from the AWS config, else us-east-1.
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator); S3 uses path-style addressing.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Every ACTIVE account of the AWS Organization (run from the management account or a delegated administrator).
    #[arg(long)]
    pub org: bool,
    /// Role assumed in each account other than the caller's [default: TrailwardenAudit].
    #[arg(long)]
    pub role_name: Option<String>,
    /// External id passed to sts:AssumeRole.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Only these accounts (comma-separated ids). Without --org, these accounts are entered through --role-name.
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Skip these accounts (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
    /// How many accounts and resources are read at once, across the whole run [default: 32].
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// No progress bar on stderr (it is drawn only when stderr is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Log to stderr what the AWS SDK does: `-v` each retry (throttled, timed out, 5xx, and
    /// when it gives up) and credential loads, nothing for a call that needed no retry; `-vv`
    /// every phase of every call. RUST_LOG, when set, replaces these levels. Turns the progress
    /// bar off.
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `validate-logs`: the flags of `aws cloudtrail validate-logs`, plus `--json`.
#[derive(Debug, clap::Args)]
pub struct ValidateLogsArgs {
    /// The trail whose logs to validate, e.g. arn:aws:cloudtrail:us-east-1:123456789012:trail/main.
    #[arg(long)]
    pub trail_arn: String,
    /// Digests delivered from this time on (RFC 3339, e.g. 2026-11-30T00:00:00Z, or YYYY-MM-DD; UTC when no offset).
    #[arg(long)]
    pub start_time: String,
    /// Up to this time [default: now].
    #[arg(long)]
    pub end_time: Option<String>,
    /// The bucket holding the digests, instead of the trail's (DescribeTrails is then not called).
    #[arg(long)]
    pub s3_bucket: Option<String>,
    /// With --s3-bucket: the key prefix of the trail's files.
    #[arg(long)]
    pub s3_prefix: Option<String>,
    /// The account whose logs to validate [default: the trail's]; required for an organization trail.
    #[arg(long)]
    pub account_id: Option<String>,
    /// With --s3-bucket: the organization id (o-…) of an organization trail's key paths.
    #[arg(long)]
    pub organization_id: Option<String>,
    /// Also print every valid digest and log file.
    #[arg(long)]
    pub verbose: bool,
    /// Print the result as JSON on stdout instead of the text lines.
    #[arg(long)]
    pub json: bool,
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// The region whose digests to validate (the region that delivered them) [default: the trail's home region].
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator); S3 uses path-style addressing.
    #[arg(long)]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Regions to evaluate: a comma-separated list, or `all` (the default: every region enabled in each account).
    #[arg(long)]
    pub regions: Option<String>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Evaluate a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Save the collected inventory (evidence for auditors, input for --inventory).
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<String>,
    /// Read only shard I of N (1-based, e.g. 2/4): the accounts whose id hashes to it. Needs
    /// --scan-id and --save-inventory; evaluate all N with `trailwarden merge`.
    /// Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX+1))/N.
    #[arg(long, value_name = "I/N", requires_all = ["scan_id", "save_inventory"])]
    pub shard: Option<String>,
    /// With --shard: the id every shard of one scan shares (e.g. the CI run id), recorded in
    /// each shard inventory so that `merge` refuses shards of different scans.
    #[arg(long, value_name = "ID", requires = "shard")]
    pub scan_id: Option<String>,
    /// Save each account as it finishes; run again with the same flags and the same FILE to
    /// skip the accounts an interrupted run finished. Removed when the scan completes.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// CT601/CT602: verify every trail's digest chain and log files over this past window
    /// (e.g. 24h, 7d, 90m) [default when given without a value: 24h]. Reads every digest and log file of the window.
    #[arg(long, value_name = "DURATION", num_args = 0..=1, require_equals = true, default_missing_value = "24h")]
    pub verify_integrity: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The inventories of every shard (`scan --shard I/N --save-inventory FILE`), in any order.
    #[arg(value_name = "INVENTORY", required = true)]
    pub inventories: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Save the merged inventory (evaluate it again with `scan --inventory FILE`).
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<String>,
}

/// How evidence is judged and reported: shared by `scan` and `merge`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
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
    /// HTML: the framework whose controls the framework view lists (cis-3.0, cis-4.0, cis-5.0, cis-6.0, securityhub, aws-config, nist-800-53-r5, pci-dss-4.0, soc2) [default: cis-6.0].
    #[arg(long)]
    pub framework: Option<String>,
    /// Exit 0 instead of 3 when some evidence could not be read (ERROR outcomes).
    #[arg(long)]
    pub allow_incomplete: bool,
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
    /// CT516: shortest acceptable retention of a trail's CloudWatch Logs log group, in days [default: 365].
    #[arg(long)]
    pub min_log_group_retention_days: Option<u32>,
    /// CT517: the regions your organization uses (comma-separated); activity elsewhere must raise an alarm.
    #[arg(long)]
    pub allowed_regions: Option<String>,
    /// A directory of previous JSON reports (e.g. the dated reports a scheduled run keeps): add
    /// the report's history, failures by severity over time and when each failure was first and last seen.
    #[arg(long, value_name = "DIR")]
    pub history: Option<String>,
}
