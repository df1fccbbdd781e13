//! `-o sarif=PATH`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! Rules come from the check metadata; every FAIL and ERROR finding is a result with a
//! physical location (the config file, or `--sarif-artifact`: cloud resources have no source
//! file, and GitHub rejects results without one), the resource ARN as a logical location, and
//! the stable finding id as a partial fingerprint so alerts track across runs. PASS and
//! NOT_APPLICABLE are not results. Suppressed findings carry an external suppression.

use serde_json::{Value, json};

use super::{RenderContext, Renderer, Report};
use crate::checks::Status;
use crate::checks::metadata::{self, Severity};

pub struct Sarif;

/// GitHub's `security-severity` scale: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

impl Renderer for Sarif {
    fn render(&self, report: &Report, ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let rules: Vec<Value> = report
            .checks
            .iter()
            .map(|c| {
                let meta = metadata::get(&c.code);
                let doc = meta.map(|m| &m.doc);
                let what = doc.map(|d| d.what.trim().to_string()).unwrap_or_else(|| c.title.clone());
                let markdown = doc
                    .map(|d| format!("{}\n\n**Why it matters.** {}\n\n**Fix with the AWS CLI**\n\n```sh\n{}\n```\n\n**Fix with Terraform**\n\n```hcl\n{}\n```\n", d.what.trim(), d.why.trim(), d.fix_cli.trim(), d.fix_terraform.trim()))
                    .unwrap_or_else(|| c.title.clone());
                let mut rule = json!({
                    "id": c.code,
                    "name": c.name,
                    "shortDescription": {"text": c.title},
                    "fullDescription": {"text": what},
                    "help": {"text": doc.map(|d| format!("{}\n\nFix: {}", d.why.trim(), d.fix_cli.trim())).unwrap_or_default(), "markdown": markdown},
                    "defaultConfiguration": {"level": level(c.severity)},
                    "properties": {
                        "tags": ["security", "cloudtrail", "aws", c.scope.as_str()],
                        "security-severity": security_severity(c.severity),
                        "precision": "very-high",
                        "frameworks": c.frameworks,
                    }
                });
                if let Some(uri) = doc.and_then(|d| d.references.first()) {
                    rule["helpUri"] = json!(uri);
                }
                rule
            })
            .collect();
        let artifact = ctx.sarif_artifact.clone().or_else(|| ctx.config_path.clone()).unwrap_or_else(|| crate::config::DEFAULT_FILE.to_string());
        let results: Vec<Value> = report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .filter_map(|f| {
                let rule_index = report.checks.iter().position(|c| c.code == f.check)?;
                let region = f.region.as_deref().unwrap_or("global");
                let text = match f.status {
                    Status::Error => format!("Evidence could not be read: {} (account {}, region {}, resource {})", f.message, f.account, region, f.resource),
                    _ => format!("{} (account {}, region {}, resource {})", f.message, f.account, region, f.resource),
                };
                let mut result = json!({
                    "ruleId": f.check,
                    "ruleIndex": rule_index,
                    "level": if f.status == Status::Error { "warning" } else { level(f.severity) },
                    "message": {"text": text},
                    "locations": [{
                        "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
                        "logicalLocations": [{"fullyQualifiedName": f.resource, "kind": "resource"}]
                    }],
                    "partialFingerprints": {"trailwardenFindingId/v1": f.id},
                    "properties": {"status": f.status.as_str(), "severity": f.severity.as_str(), "account": f.account, "region": f.region, "baseline": f.baseline}
                });
                if let Some(baseline) = &f.baseline {
                    result["baselineState"] = json!(match baseline.as_str() {
                        "new" => "new",
                        "fixed" => "absent",
                        _ => "unchanged",
                    });
                }
                if let Some(s) = &f.suppression {
                    let justification = match &s.expires {
                        Some(e) => format!("{} (expires {e})", s.reason),
                        None => s.reason.clone(),
                    };
                    result["suppressions"] = json!([{"kind": "external", "status": "accepted", "justification": justification}]);
                }
                Some(result)
            })
            .collect();
        let sarif = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": "https://github.com/trailwarden/trailwarden",
                    "rules": rules
                }},
                "automationDetails": {"id": format!("trailwarden/{}/", report.scan.mode)},
                "invocations": [{
                    "executionSuccessful": true,
                    "startTimeUtc": report.scan.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "endTimeUtc": report.scan.finished_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                }],
                "columnKind": "unicodeCodePoints",
                "results": results
            }]
        });
        let mut bytes = serde_json::to_vec_pretty(&sarif).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
