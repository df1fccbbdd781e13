//! `-o ocsf=PATH`: OCSF Detection Findings, the schema Amazon Security Lake and Prowler use: a
//! JSON array of OCSF 1.1.0 events of class Detection Finding (`class_uid` 2004, category
//! Findings 2, activity Create 1, `type_uid` 200401), with the cloud profile.
//!
//! One event per failing finding, i.e. per FAIL outcome:
//! - suppressed FAILs are included with `status_id` 3 Suppressed (the reason in
//!   `status_detail` and `comment`), the others have `status_id` 1 New, so a data lake keeps
//!   the accepted risks and can tell them apart;
//! - PASS and NOT_APPLICABLE are not detections (Prowler also emits passes, as a compliance
//!   record; the JSON report is ours);
//! - ERROR is not a detection either: nothing was detected, evidence could not be read. It is
//!   in the JSON/SARIF/JUnit reports and in the exit code.
//!
//! Mapping: `severity_id` 1..5 = info, low, medium, high, critical; `finding_info.uid` = the
//! stable finding id (so Security Lake can correlate scans); `metadata.event_code` = the check
//! code; `cloud.account.uid` / `cloud.region`; `resources[0].uid` = the ARN (or account id or
//! region) with a CloudFormation-style type; `time` = when the scan finished, in ms since the
//! epoch; `remediation` from the check's fix text; the raw evidence, suppression and baseline
//! state under `unmapped`. Attributes OCSF types as strings are left out when null.

use serde_json::{Map, Value, json};

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Finding, Report};
use crate::model::Status;
use crate::checks::metadata;
use crate::model::Severity;

pub struct Ocsf;

pub const OCSF_VERSION: &str = "1.1.0";
pub const CLASS_UID: u32 = 2004;
pub const CATEGORY_UID: u32 = 2;
pub const ACTIVITY_CREATE: u32 = 1;
pub const TYPE_UID: u32 = CLASS_UID * 100 + ACTIVITY_CREATE;

/// OCSF `severity_id` and its caption.
pub fn severity_id(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// A CloudFormation-style type for a finding's resource (an ARN, an account id or a region).
pub fn resource_type(resource: &str) -> &'static str {
    if let Some(arn) = crate::model::Arn::parse(resource) {
        let kind = arn.resource.split(['/', ':']).next().unwrap_or("");
        return match (arn.service, kind) {
            ("cloudtrail", _) => "AWS::CloudTrail::Trail",
            ("s3", _) => "AWS::S3::Bucket",
            ("kms", _) => "AWS::KMS::Key",
            ("logs", _) => "AWS::Logs::LogGroup",
            ("sns", _) => "AWS::SNS::Topic",
            ("cloudwatch", "alarm") => "AWS::CloudWatch::Alarm",
            ("iam", "role") => "AWS::IAM::Role",
            ("organizations", _) => "AWS::Organizations::Organization",
            _ => "Other",
        };
    }
    if resource.len() == 12 && resource.bytes().all(|b| b.is_ascii_digit()) {
        "AWS::::Account"
    } else if resource.starts_with("o-") {
        "AWS::Organizations::Organization"
    } else if resource.split('-').count() >= 3 && resource.ends_with(|c: char| c.is_ascii_digit()) {
        "AWS::Region"
    } else {
        "Other"
    }
}

fn event(report: &Report, f: &Finding) -> Value {
    let meta = metadata::get(&f.check);
    let check = report.checks.iter().find(|c| c.code == f.check);
    let title = check.map(|c| c.title.clone()).or_else(|| meta.map(|m| m.title.clone())).unwrap_or_else(|| f.check.clone());
    let name = check.map(|c| c.name.clone()).or_else(|| meta.map(|m| m.name.clone())).unwrap_or_else(|| f.check.to_ascii_lowercase());
    let frameworks = check.map(|c| c.frameworks.clone()).or_else(|| meta.map(|m| m.frameworks.clone())).unwrap_or_default();
    let time = report.scan.finished_at.timestamp_millis();
    let (sev_id, sev) = severity_id(f.severity);

    let mut types = vec!["Software and Configuration Checks/AWS Security Best Practices".to_string()];
    if !frameworks.is_empty() {
        types.push("Software and Configuration Checks/Industry and Regulatory Standards".to_string());
    }
    let mut finding_info = json!({
        "uid": f.id,
        "title": title,
        "desc": meta.map(|m| m.doc.what.trim().to_string()).unwrap_or_else(|| title.clone()),
        "types": types,
        "created_time": time,
        "last_seen_time": time,
        "analytic": {"uid": f.check, "name": name, "type_id": 1, "type": "Rule"},
    });
    let first_seen = match (f.baseline.map(|b| b.as_str()), &report.baseline) {
        (Some("unchanged"), Some(b)) => b.started_at.timestamp_millis(),
        _ => time,
    };
    finding_info["first_seen_time"] = json!(first_seen);
    if let Some(url) = meta.and_then(|m| m.doc.references.first()) {
        finding_info["src_url"] = json!(url);
    }

    let mut account = json!({"uid": f.account, "type_id": 10, "type": "AWS Account"});
    if let Some(n) = report.scan.accounts.iter().find(|a| a.id == f.account).and_then(|a| a.name.as_ref()) {
        account["name"] = json!(n);
    }
    let mut cloud = json!({"provider": "AWS", "account": account});
    if let Some(r) = &f.region {
        cloud["region"] = json!(r);
    }
    if let Some(org) = &report.scan.organization_id {
        cloud["org"] = json!({"uid": org});
    }

    let mut resource = json!({"uid": f.resource, "type": resource_type(&f.resource)});
    let arn = crate::model::Arn::parse(&f.resource);
    if let Some(short) = arn.map(|a| a.resource.rsplit(['/', ':']).next().unwrap_or(a.resource)).filter(|s| !s.is_empty()) {
        resource["name"] = json!(short);
    }
    if let Some(partition) = arn.map(|a| a.partition) {
        resource["cloud_partition"] = json!(partition);
    }
    if let Some(r) = &f.region {
        resource["region"] = json!(r);
    }

    let remediation = match meta {
        Some(m) => json!({
            "desc": format!("With the AWS CLI:\n{}\n\nWith Terraform:\n{}", m.doc.fix_cli.trim(), m.doc.fix_terraform.trim()),
            "references": m.doc.references,
        }),
        None => json!({"desc": format!("See `trailwarden explain {}`.", f.check)}),
    };

    let mut metadata = json!({
        "version": OCSF_VERSION,
        "uid": super::sha256_hex(format!("{}|{}", f.id, report.scan.started_at.to_rfc3339()).as_bytes())[..32],
        "event_code": f.check,
        "profiles": ["cloud"],
        "product": {"name": report.tool.name, "vendor_name": "trailwarden", "version": report.tool.version, "uid": "trailwarden"},
    });
    if let Some(b) = &f.baseline {
        metadata["labels"] = json!([format!("baseline:{b}")]);
    }

    let mut unmapped = Map::new();
    unmapped.insert("evidence".into(), f.evidence.clone());
    unmapped.insert("check_status".into(), json!(f.status.as_str()));
    unmapped.insert("suppression".into(), json!(f.suppression));
    unmapped.insert("expired_suppression".into(), json!(f.expired_suppression));
    unmapped.insert("baseline".into(), json!(f.baseline));
    unmapped.insert("compliance".into(), json!(frameworks));

    let mut event = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": TYPE_UID,
        "type_name": "Detection Finding: Create",
        "severity_id": sev_id,
        "severity": sev,
        "time": time,
        "message": f.message,
        "finding_info": finding_info,
        "metadata": metadata,
        "cloud": cloud,
        "resources": [resource],
        "remediation": remediation,
        "unmapped": unmapped,
    });
    match &f.suppression {
        Some(s) => {
            let detail = match &s.expires {
                Some(e) => format!("suppressed until {e}: {}", s.reason),
                None => format!("suppressed: {}", s.reason),
            };
            event["status_id"] = json!(3);
            event["status"] = json!("Suppressed");
            event["status_detail"] = json!(detail);
            event["comment"] = json!(s.reason);
        }
        None => {
            event["status_id"] = json!(1);
            event["status"] = json!("New");
        }
    }
    event
}

impl Renderer for Ocsf {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let events: Vec<Value> = report.findings.iter().filter(|f| f.status == Status::Fail).map(|f| event(report, f)).collect();
        let mut bytes = serde_json::to_vec_pretty(&events).map_err(|e| RenderError::new("OCSF", e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
