//! `-o sarif=PATH`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! One run. `tool.driver.rules` come from the check metadata (`checks/*.toml`): id = the code,
//! name = the kebab name GitHub shows, the title and "what" as descriptions, "why" plus the
//! CLI and Terraform fixes as help, the first reference as `helpUri`, and GitHub's
//! `security-severity` (critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0) and tags.
//!
//! Which findings become results, and how:
//! - FAIL: a result of kind `fail`, level by severity (critical/high `error`, medium
//!   `warning`, low/info `note`).
//! - ERROR (evidence could not be read): also kind `fail`, level `warning`, message starting
//!   "Evidence could not be read". SARIF's kind `open` ("could not determine") would be more
//!   exact, but SARIF then requires level `none`, which GitHub files away as a note: an
//!   unreadable trail must stay visible in code scanning, as it fails the scan's exit code.
//! - PASS and NOT_APPLICABLE are not results: code scanning lists problems, and a pass has no
//!   place there (the JSON report keeps them).
//!
//! Every result has a physical location, because GitHub rejects results without one and cloud
//! resources have no source file: `--sarif-artifact`, else the config file in use, else
//! `trailwarden.toml`, at line 1. The resource ARN is the result's logical location, the
//! stable finding id its partial fingerprint (`trailwardenFindingId/v1`), so an alert follows
//! its resource across runs. Suppressed findings stay results with an `external` suppression
//! carrying the reason, so GitHub shows them as dismissed rather than dropping them. With
//! `--baseline`, `baselineState` is `new` or `unchanged`. Accounts that could not be scanned
//! are tool execution notifications of the invocation.
//!
//! GitHub's upload limits are kept: at most [`MAX_RESULTS`] results per run (the least severe
//! are left out beyond that, with a notification saying so) and [`MAX_TAGS`] tags per rule.
//!
//! The log is built from the typed SARIF object model in [`model`] and serialised by serde.

pub mod model;

use std::collections::BTreeMap;

use super::{RenderContext, Renderer, RenderError};
use crate::report::{CheckInfo, Finding, Report};
use crate::model::Status;
use crate::checks::metadata;
use crate::model::{AccountStatus, BaselineClass, Severity};
use model::*;

pub struct Sarif;

/// The OASIS location of the SARIF 2.1.0 schema (errata 01), for `$schema`.
pub const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/trailwarden/trailwarden";
/// The partial fingerprint key of the stable finding id.
pub const FINGERPRINT_KEY: &str = "trailwardenFindingId/v1";
/// GitHub rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub shows at most 10 tags of a rule (and rejects more than 20).
pub const MAX_TAGS: usize = 10;

/// GitHub's `security-severity` scale: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// SARIF level of a failing finding of this severity.
pub fn level(severity: Severity) -> Level {
    match severity {
        Severity::Critical | Severity::High => Level::Error,
        Severity::Medium => Level::Warning,
        Severity::Low | Severity::Info => Level::Note,
    }
}

/// A Markdown code fence longer than any backtick run in `text` (at least three).
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn rule(check: &CheckInfo) -> ReportingDescriptor<'_> {
    let meta = metadata::get(&check.code);
    let doc = meta.map(|m| &m.doc);
    let what = doc.map(|d| d.what.trim().to_string()).filter(|w| !w.is_empty()).unwrap_or_else(|| check.title.clone());
    let (text, markdown) = match doc {
        Some(d) => {
            let (why, cli, tf) = (d.why.trim(), d.fix_cli.trim(), d.fix_terraform.trim());
            let refs = d.references.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n");
            let mut text = format!("{what}\n\nWhy it matters: {why}\n\nFix with the AWS CLI:\n{cli}\n\nFix with Terraform:\n{tf}\n");
            let (fc, ft) = (fence(cli), fence(tf));
            let mut markdown = format!(
                "{what}\n\n**Why it matters.** {why}\n\n**Fix with the AWS CLI**\n\n{fc}sh\n{cli}\n{fc}\n\n**Fix with Terraform**\n\n{ft}hcl\n{tf}\n{ft}\n"
            );
            if !refs.is_empty() {
                text.push_str(&format!("\nReferences:\n{refs}\n"));
                markdown.push_str(&format!("\n**References**\n\n{refs}\n"));
            }
            (text, markdown)
        }
        None => (what.clone(), what.clone()),
    };
    let mut tags = vec!["security".to_string(), "cloudtrail".to_string(), "aws".to_string(), "compliance".to_string(), check.scope.as_str().to_string()];
    tags.extend(check.frameworks.keys().cloned());
    tags.retain(|t| !t.is_empty());
    tags.truncate(MAX_TAGS);
    ReportingDescriptor {
        id: &check.code,
        name: &check.name,
        short_description: MultiformatMessageString { text: check.title.clone(), markdown: None },
        full_description: MultiformatMessageString { text: what, markdown: None },
        help: MultiformatMessageString { text, markdown: Some(markdown) },
        help_uri: doc.and_then(|d| d.references.first()).map(String::as_str),
        default_configuration: ReportingConfiguration { level: level(check.severity) },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(check.severity),
            precision: "very-high",
            severity: check.severity,
            scope: check.scope,
            frameworks: &check.frameworks,
        },
    }
}

/// A rule for a finding whose check is missing from `report.checks` (never expected; keeps
/// `ruleIndex` valid rather than dropping the finding).
fn rule_for_unlisted(code: &str, severity: Severity) -> CheckInfo {
    match metadata::get(code) {
        Some(m) => CheckInfo { code: m.code.clone(), name: m.name.clone(), title: m.title.clone(), severity, scope: m.scope, frameworks: m.frameworks.clone() },
        None => CheckInfo { code: code.to_string(), name: code.to_ascii_lowercase(), title: code.to_string(), severity, scope: crate::model::Scope::Account, frameworks: Default::default() },
    }
}

/// `artifactLocation.uri` for a path: relative paths stay relative (GitHub resolves them
/// against the repository root), absolute ones become `file://` URIs; characters outside the
/// URI grammar are percent-encoded.
pub fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    } else if path.len() > 2 && path.as_bytes()[1] == b':' && path.as_bytes()[2] == b'/' {
        out.push_str("file:///");
    }
    out.extend(percent_encoding::utf8_percent_encode(path, OUTSIDE_URI_PATH));
    out
}

/// Bytes encoded in an `artifactLocation.uri` path: everything but RFC 3986's unreserved
/// characters, `/`, `:` and `@`, and the sub-delimiters.
const OUTSIDE_URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/').remove(b':').remove(b'@')
    .remove(b'!').remove(b'$').remove(b'&').remove(b'\'').remove(b'(').remove(b')').remove(b'*')
    .remove(b'+').remove(b',').remove(b';').remove(b'=');

fn result<'a>(f: &'a Finding, rule_index: usize, artifact: &'a str) -> SarifResult<'a> {
    let region = f.region_label();
    let text = match f.status {
        Status::Error => format!("Evidence could not be read: {} (account {}, region {region}, resource {})", f.message, f.account, f.resource),
        _ => format!("{} (account {}, region {region}, resource {})", f.message, f.account, f.resource),
    };
    let suppressions = f.suppression.iter().map(|s| Suppression {
        kind: SuppressionKind::External,
        status: SuppressionStatus::Accepted,
        justification: match &s.expires {
            Some(e) => format!("{} (expires {e})", s.reason),
            None => s.reason.clone(),
        },
    });
    SarifResult {
        rule_id: &f.check,
        rule_index,
        kind: ResultKind::Fail,
        level: if f.status == Status::Error { Level::Warning } else { level(f.severity) },
        message: Message { text },
        locations: vec![Location {
            physical_location: PhysicalLocation { artifact_location: ArtifactLocation { uri: artifact }, region: Region { start_line: 1 } },
            logical_locations: vec![LogicalLocation {
                name: f.resource.rsplit([':', '/']).next().unwrap_or(&f.resource),
                fully_qualified_name: &f.resource,
                kind: "resource",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.id.as_str())]),
        baseline_state: match f.baseline {
            Some(BaselineClass::New) => Some(BaselineState::New),
            Some(BaselineClass::Unchanged) => Some(BaselineState::Unchanged),
            _ => None,
        },
        suppressions: suppressions.collect(),
        properties: ResultProperties {
            status: f.status,
            severity: f.severity,
            account: &f.account,
            region: f.region_label(),
            resource: &f.resource,
            baseline: f.baseline,
            evidence: &f.evidence,
            expired_suppression: f.expired_suppression.as_ref(),
            remediation: f.remediation.as_ref(),
        },
    }
}

impl Renderer for Sarif {
    fn render(&self, report: &Report, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut checks: Vec<CheckInfo> = report.checks.clone();
        let mut failing: Vec<&Finding> = report.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Error)).collect();
        let left_out = failing.len().saturating_sub(MAX_RESULTS);
        if left_out > 0 {
            // Keep the most severe: unsuppressed before suppressed, then by severity.
            failing.sort_by_key(|f| (f.suppression.is_some(), std::cmp::Reverse(f.severity)));
            failing.truncate(MAX_RESULTS);
        }
        for f in &failing {
            if !checks.iter().any(|c| c.code == f.check) {
                checks.push(rule_for_unlisted(&f.check, f.severity));
            }
        }
        let artifact = artifact_uri(ctx.sarif_artifact.as_deref().or(ctx.config_path.as_deref()).unwrap_or(crate::config::DEFAULT_FILE));
        let results: Vec<SarifResult> = failing
            .iter()
            .map(|f| result(f, checks.iter().position(|c| c.code == f.check).expect("every failing check has a rule"), &artifact))
            .collect();
        let notification = |level, id, text| Notification { level, descriptor: ReportingDescriptorReference { id }, message: Message { text } };
        let mut notifications: Vec<Notification> = report
            .scan
            .accounts
            .iter()
            .filter(|a| a.status != AccountStatus::Scanned)
            .map(|a| notification(Level::Error, "account-not-scanned", format!("Account {} was not scanned: {}", a.id, a.reason.as_deref().unwrap_or("no reason given"))))
            .collect();
        if left_out > 0 {
            notifications.push(notification(
                Level::Warning,
                "results-left-out",
                format!("{left_out} of the least severe results were left out: GitHub accepts at most {MAX_RESULTS} results per run. The JSON report has every finding."),
            ));
        }
        let time = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let sarif = SarifLog {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: ToolComponent {
                        name: &report.tool.name,
                        version: &report.tool.version,
                        semantic_version: &report.tool.version,
                        information_uri: INFORMATION_URI,
                        rules: checks.iter().map(rule).collect(),
                    },
                },
                automation_details: RunAutomationDetails { id: format!("trailwarden/{}/", report.scan.mode) },
                invocations: vec![Invocation {
                    execution_successful: true,
                    start_time_utc: time(&report.scan.started_at),
                    end_time_utc: time(&report.scan.finished_at),
                    tool_execution_notifications: notifications,
                }],
                column_kind: ColumnKind::UnicodeCodePoints,
                properties: RunProperties {
                    caller: &report.scan.caller.arn,
                    organization_id: report.scan.organization_id.as_deref(),
                    accounts: report.scan.accounts.len(),
                    regions: &report.scan.regions,
                    summary: &report.summary.by_status,
                },
                results,
            }],
        };
        let mut bytes = serde_json::to_vec_pretty(&sarif).map_err(|e| RenderError::new("SARIF", e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
