//! `trailwarden scan`: settings → collect (or load) → evaluate → report → policy → emit →
//! exit code. The one place these stages meet.

use super::AppError;
use crate::checks;
use crate::cli::ScanArgs;
use crate::collect;
use crate::emit::{self, RenderContext, Renderer, sha256_hex, write_atomic, write_atomic_with};
use crate::inventory::Inventory;
use crate::model::{ExitCode, OutputFormat, Severity};
use crate::policy;
use crate::report::Report;
use crate::settings::{ScanSettings, Source};

pub fn run(args: &ScanArgs) -> Result<ExitCode, AppError> {
    // Validate everything before the first AWS call.
    let config = crate::config::load(args.eval.config.as_deref())?;
    let settings = ScanSettings::resolve(args, config)?;
    run_settings(&settings)
}

/// Gather the evidence, then evaluate and report it (shared with `merge`).
pub(super) fn run_settings(settings: &ScanSettings) -> Result<ExitCode, AppError> {
    let baseline_text = match &settings.baseline {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|source| AppError::Read { what: "baseline", path: path.clone(), source })?),
        None => None,
    };

    let past = match &settings.history {
        Some(dir) => Some(read_history(dir)?),
        None => None,
    };

    let (inventory, mut inventory_sha256) = gather(settings)?;
    if let Some(shard) = &inventory.shard {
        // A shard only saves its part: evaluating it alone would judge organization-wide
        // checks and shared buckets on a fraction of the evidence.
        if shard.accounts.is_empty() {
            return Err(AppError::Usage("no account is in scope; check --accounts and --exclude-accounts against the organization's ACTIVE accounts".into()));
        }
        let path = settings.save_inventory.as_deref().expect("--shard requires --save-inventory");
        let bytes = serde_json::to_vec_pretty(&inventory).map_err(|e| AppError::Usage(format!("cannot serialise the inventory: {e}")))?;
        write_atomic(path, &bytes)?;
        remove_checkpoint(settings);
        eprintln!(
            "trailwarden: shard {}/{} of scan {}: {} of {} accounts saved to {path}; evaluate every shard's inventory with `trailwarden merge`",
            shard.index,
            shard.count,
            shard.scan_id,
            inventory.accounts.len(),
            shard.accounts.len()
        );
        return Ok(ExitCode::Clean);
    }
    if inventory.accounts.is_empty() {
        let notes = if inventory.scan.notes.is_empty() { String::new() } else { format!(" ({})", inventory.scan.notes.join("; ")) };
        return Err(AppError::Usage(format!("no account is in scope{notes}; check --accounts and --exclude-accounts against the organization's ACTIVE accounts")));
    }
    if let Some(path) = &settings.save_inventory {
        let bytes = serde_json::to_vec_pretty(&inventory).map_err(|e| AppError::Usage(format!("cannot serialise the inventory: {e}")))?;
        inventory_sha256 = Some(sha256_hex(&bytes));
        write_atomic(path, &bytes)?;
    }
    for note in &inventory.scan.notes {
        eprintln!("trailwarden: note: {note}");
    }

    let outcomes = checks::evaluate(&inventory, &settings.eval, Some(&settings.selected_checks));
    let severity_of = |code: &str| {
        settings.severity_overrides.get(code).copied().or_else(|| checks::metadata::get(code).map(|m| m.severity)).unwrap_or(Severity::Medium)
    };
    let mut report = Report::build(&inventory, outcomes, &settings.selected_checks, severity_of);
    report.scan.parameters = Some(run_parameters(settings, &inventory));
    for warning in policy::apply_suppressions(&mut report, &settings.suppressions, chrono::Utc::now().date_naive()) {
        eprintln!("trailwarden: warning: {warning}");
    }
    if let (Some(path), Some(text)) = (&settings.baseline, &baseline_text) {
        policy::apply_baseline(&mut report, path, text)?;
    }
    if let (Some(dir), Some(past)) = (&settings.history, past) {
        report.history = Some(crate::report::history(dir, past, &report));
    }

    emit_all(settings, &report, inventory_sha256)?;
    remove_checkpoint(settings);
    Ok(policy::exit_code(&report, settings.fail_on, settings.fail_on_new, settings.allow_incomplete))
}

/// `--history DIR`: every `*.json` of DIR that is a trailwarden JSON report. A JSON file
/// without `schema_version` (an inventory, some other tool's file) is skipped with a warning;
/// a file that is not JSON, a report of another schema major version, or an incomplete
/// report is an error (exit 2): a trend with a silently missing point would mislead. DIR is
/// only read.
fn read_history(dir: &str) -> Result<Vec<crate::report::PastReport>, AppError> {
    let mut past = Vec::new();
    let mut skipped = Vec::new();
    for path in crate::settings::history_reports(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|source| AppError::Read { what: "--history report", path: path.clone(), source })?;
        match crate::report::read_previous("--history", &path, &text) {
            Ok(report) => past.push(crate::report::PastReport { path, report }),
            Err(crate::report::PreviousError::NotAReport(_)) => skipped.push(path),
            Err(e) => return Err(AppError::Usage(e.message().to_string())),
        }
    }
    // Warned only once every file has been read: a fatal error stays the one line on stderr.
    for path in skipped {
        eprintln!("trailwarden: warning: --history {path}: not a trailwarden JSON report (no `schema_version`); skipped");
    }
    Ok(past)
}

/// The scan completed: its checkpoint must not feed the next scan.
fn remove_checkpoint(settings: &ScanSettings) {
    if let Source::Aws(options) = &settings.source
        && let Some(path) = &options.checkpoint
        && let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        eprintln!("trailwarden: warning: --checkpoint {}: cannot remove it ({e}); delete it before the next scan", path.display());
    }
}

/// The settled parameters, for the report.
fn run_parameters(settings: &ScanSettings, inventory: &Inventory) -> crate::report::RunParameters {
    // A saved inventory is evaluated as collected: its scope is the one it was saved with.
    let (accounts, excluded_accounts) = match &settings.source {
        Source::Aws(o) => (o.selection.only.clone(), o.selection.exclude.clone()),
        Source::Inventory(_) | Source::Merge(_) => (Vec::new(), Vec::new()),
    };
    let regions = inventory.scan.requested_regions.clone();
    crate::report::RunParameters {
        selected_checks: settings.selected_checks.iter().map(|c| c.to_string()).collect(),
        accounts,
        excluded_accounts,
        regions,
        min_retention_days: settings.eval.min_retention_days,
        min_log_group_retention_days: settings.eval.min_log_group_retention_days,
        central_bucket: settings.eval.central_bucket.clone(),
        allowed_regions: settings.eval.allowed_regions.clone(),
        cis_version: settings.eval.cis_version.clone(),
        fail_on: settings.fail_on,
        integrity_window: inventory.integrity.as_ref().map(|i| crate::report::IntegrityWindow { from: i.window_start, to: i.window_end }),
    }
}

/// The evidence: collected from AWS, or loaded from a saved inventory (with its SHA-256).
fn gather(settings: &ScanSettings) -> Result<(Inventory, Option<String>), AppError> {
    match &settings.source {
        Source::Inventory(path) => {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| AppError::Read { what: "inventory", path: shown.clone(), source })?;
            Ok((Inventory::from_json(&shown, &text)?, Some(sha256_hex(text.as_bytes()))))
        }
        Source::Merge(paths) => {
            let mut shards = Vec::with_capacity(paths.len());
            for path in paths {
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(path).map_err(|source| AppError::Read { what: "inventory", path: shown.clone(), source })?;
                shards.push((shown.clone(), Inventory::from_json(&shown, &text)?));
            }
            let merged = crate::inventory::shard::merge(shards)?;
            let bytes = serde_json::to_vec_pretty(&merged).map_err(|e| AppError::Usage(format!("cannot serialise the inventory: {e}")))?;
            Ok((merged, Some(sha256_hex(&bytes))))
        }
        Source::Aws(options) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(AppError::Runtime)?;
            Ok((runtime.block_on(collect::collect(options))?, None))
        }
    }
}

/// Every `-o FORMAT=PATH`, then the human summary on stdout unless a report took stdout.
fn emit_all(settings: &ScanSettings, report: &Report, inventory_sha256: Option<String>) -> Result<(), AppError> {
    // The JSON and HTML reports are streamed to their files, never held whole. The JSON's
    // hash (the HTML cites it) is taken while the first `-o json` is written, so
    // the report is serialised once; without one, into a hash that keeps nothing.
    let first_json = settings.outputs.iter().position(|o| o.format == OutputFormat::Json);
    let json_sha256 = match first_json {
        Some(i) => {
            let mut hash = String::new();
            write_atomic_with(&settings.outputs[i].path, |out| emit::json::Json::write_hashed(report, out).map(|h| hash = h))?;
            hash
        }
        None => emit::json::Json::write_hashed(report, &mut std::io::sink()).map_err(|e| emit::RenderError::new("JSON", e.to_string()))?,
    };
    let ctx = RenderContext {
        config_path: settings.config_path.clone(),
        sarif_artifact: settings.sarif_artifact.clone(),
        framework: settings.framework.clone(),
        json_sha256: Some(json_sha256),
        inventory_sha256,
    };
    let mut stdout_taken = false;
    for (i, output) in settings.outputs.iter().enumerate() {
        if Some(i) == first_json {
            // written above
        } else if output.format == OutputFormat::Json {
            write_atomic_with(&output.path, |out| emit::json::Json::write(report, out))?;
        } else if output.format == OutputFormat::Html {
            let page = emit::html::Html::prepare(report, &ctx, &emit::html::HtmlOptions::default())?;
            write_atomic_with(&output.path, |out| page.write(out))?;
        } else {
            write_atomic(&output.path, &emit::renderer(output.format).render(report, &ctx)?)?;
        }
        stdout_taken |= output.path == "-";
    }
    if !stdout_taken {
        write_atomic("-", &emit::summary::Summary.render(report, &ctx)?)?;
    }
    Ok(())
}
