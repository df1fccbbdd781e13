//! `-o ocsf=PATH`: OCSF Detection Findings (class 2004, OCSF 1.1), the schema Amazon Security
//! Lake and Prowler use: a JSON array with one finding per failing check outcome.
//!
//! Only FAIL outcomes are findings (PASS, ERROR and NOT_APPLICABLE are not detections);
//! suppressed ones keep status `Suppressed`. The raw evidence goes to `unmapped`.

use serde_json::{Value, json};

use super::{RenderContext, Renderer, Report};
use crate::checks::Status;
use crate::checks::metadata::{self, Severity};

pub struct Ocsf;

pub const OCSF_VERSION: &str = "1.1.0";

fn severity_id(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn resource_type(resource: &str) -> &'static str {
    match crate::aws::parse_arn(resource).map(|a| (a.service, a.resource.split(['/', ':']).next().unwrap_or(""))) {
        Some(("cloudtrail", _)) => "AWS::CloudTrail::Trail",
        Some(("s3", _)) => "AWS::S3::Bucket",
        Some(("kms", _)) => "AWS::KMS::Key",
        Some(("logs", _)) => "AWS::Logs::LogGroup",
        Some(("organizations", _)) => "AWS::Organizations::Organization",
        _ if resource.len() == 12 && resource.chars().all(|c| c.is_ascii_digit()) => "AWS::::Account",
        _ => "AWS::Region",
    }
}

impl Renderer for Ocsf {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let time = report.scan.finished_at.timestamp_millis();
        let findings: Vec<Value> = report
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| {
                let meta = metadata::get(&f.check);
                let (sev_id, sev) = severity_id(f.severity);
                let (status_id, status) = if f.suppression.is_some() { (3, "Suppressed") } else { (1, "New") };
                json!({
                    "activity_id": 1,
                    "activity_name": "Create",
                    "category_uid": 2,
                    "category_name": "Findings",
                    "class_uid": 2004,
                    "class_name": "Detection Finding",
                    "type_uid": 200401,
                    "type_name": "Detection Finding: Create",
                    "severity_id": sev_id,
                    "severity": sev,
                    "status_id": status_id,
                    "status": status,
                    "time": time,
                    "message": f.message,
                    "finding_info": {
                        "uid": f.id,
                        "title": meta.map(|m| m.title.clone()).unwrap_or_else(|| f.check.clone()),
                        "desc": meta.map(|m| m.doc.what.trim().to_string()).unwrap_or_default(),
                        "types": ["Software and Configuration Checks/AWS Security Best Practices", "CloudTrail"],
                        "created_time": time,
                        "analytic": {"uid": f.check, "name": meta.map(|m| m.name.clone()).unwrap_or_default(), "type_id": 1, "type": "Rule"}
                    },
                    "metadata": {
                        "version": OCSF_VERSION,
                        "event_code": f.check,
                        "product": {"name": report.tool.name, "vendor_name": "trailwarden", "version": report.tool.version, "uid": "trailwarden"}
                    },
                    "cloud": {
                        "provider": "AWS",
                        "account": {"uid": f.account, "type": "AWS Account", "type_id": 10},
                        "region": f.region
                    },
                    "resources": [{
                        "uid": f.resource,
                        "type": resource_type(&f.resource),
                        "region": f.region,
                        "cloud_partition": "aws"
                    }],
                    "remediation": {
                        "desc": meta.map(|m| m.doc.fix_cli.trim().to_string()).unwrap_or_default(),
                        "references": meta.map(|m| m.doc.references.clone()).unwrap_or_default()
                    },
                    "unmapped": {"evidence": f.evidence, "suppression": f.suppression, "baseline": f.baseline, "compliance": meta.map(|m| m.frameworks.clone())}
                })
            })
            .collect();
        let mut bytes = serde_json::to_vec_pretty(&findings).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
