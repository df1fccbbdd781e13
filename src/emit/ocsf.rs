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
//! - ERROR outcomes are included with `status_id` 0 Unknown and the reason (cause kind, IAM
//!   action, what AWS said) in `status_detail`: nothing was detected, but a SIEM must see the
//!   accounts and resources that could not be judged (an unscanned account is otherwise
//!   indistinguishable from a clean one). `unmapped.check_status` says `ERROR`.
//!
//! Mapping: `severity_id` 1..5 = info, low, medium, high, critical; `finding_info.uid` = the
//! stable finding id (so Security Lake can correlate scans); `metadata.event_code` = the check
//! code; `cloud.account.uid` / `cloud.region` (`global` for an account-wide finding); `resources[0].uid` = the ARN (or account id or
//! region) with a CloudFormation-style type; `time` = when the scan finished, in ms since the
//! epoch; `remediation` from the check's fix text; the raw evidence, suppression and baseline
//! state under `unmapped`. Attributes OCSF types as strings are left out when null.
//!
//! The events are the typed OCSF objects of [`model`], serialised by serde.

pub mod model;

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Finding, Report};
use crate::model::Status;
use crate::checks::metadata;
use crate::model::{BaselineClass, Severity};
use model::*;

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

fn event<'a>(report: &'a Report, f: &'a Finding) -> DetectionFinding<'a> {
    let meta = metadata::get(&f.check);
    let check = report.checks.iter().find(|c| c.code == f.check);
    let title = check.map(|c| c.title.clone()).or_else(|| meta.map(|m| m.title.clone())).unwrap_or_else(|| f.check.clone());
    let name = check.map(|c| c.name.clone()).or_else(|| meta.map(|m| m.name.clone())).unwrap_or_else(|| f.check.to_ascii_lowercase());
    let frameworks = check.map(|c| c.frameworks.clone()).or_else(|| meta.map(|m| m.frameworks.clone())).unwrap_or_default();
    let time = report.scan.finished_at.timestamp_millis();
    let (severity_id, severity) = severity_id(f.severity);

    let mut types = vec!["Software and Configuration Checks/AWS Security Best Practices"];
    if !frameworks.is_empty() {
        types.push("Software and Configuration Checks/Industry and Regulatory Standards");
    }
    let first_seen_time = match (f.baseline, &report.baseline) {
        (Some(BaselineClass::Unchanged), Some(b)) => b.started_at.timestamp_millis(),
        _ => time,
    };
    let finding_info = FindingInfo {
        uid: &f.id,
        desc: meta.map(|m| m.doc.what.trim().to_string()).unwrap_or_else(|| title.clone()),
        title,
        types,
        created_time: time,
        first_seen_time,
        last_seen_time: time,
        analytic: Analytic { uid: &f.check, name, type_id: 1, type_name: "Rule" },
        src_url: meta.and_then(|m| m.doc.references.first()).map(String::as_str),
    };

    let account_name = report.scan.accounts.iter().find(|a| a.id == f.account).and_then(|a| a.name.as_deref());
    let cloud = Cloud {
        provider: "AWS",
        account: Account { uid: &f.account, type_id: 10, type_name: "AWS Account", name: account_name },
        region: Some(f.region_label()),
        org: report.scan.organization_id.as_deref().map(|uid| Organization { uid }),
    };

    let arn = crate::model::Arn::parse(&f.resource);
    let resource = ResourceDetails {
        uid: &f.resource,
        type_name: resource_type(&f.resource),
        name: arn.map(|a| a.resource.rsplit(['/', ':']).next().unwrap_or(a.resource)).filter(|s| !s.is_empty()),
        cloud_partition: arn.map(|a| a.partition),
        region: Some(f.region_label()),
    };

    let remediation = match meta {
        Some(m) => Remediation {
            desc: format!("With the AWS CLI:\n{}\n\nWith Terraform:\n{}", m.doc.fix_cli.trim(), m.doc.fix_terraform.trim()),
            references: Some(&m.doc.references),
        },
        None => Remediation { desc: format!("See `trailwarden explain {}`.", f.check), references: None },
    };

    let metadata = Metadata {
        version: OCSF_VERSION,
        uid: super::sha256_hex(format!("{}|{}", f.id, report.scan.started_at.to_rfc3339()).as_bytes())[..32].to_string(),
        event_code: &f.check,
        profiles: vec!["cloud"],
        product: Product { name: &report.tool.name, vendor_name: "trailwarden", version: &report.tool.version, uid: "trailwarden" },
        labels: f.baseline.map(|b| vec![format!("baseline:{b}")]),
    };

    let unmapped = Unmapped {
        evidence: &f.evidence,
        check_status: f.status,
        suppression: f.suppression.as_ref(),
        expired_suppression: f.expired_suppression.as_ref(),
        baseline: f.baseline,
        compliance: frameworks,
    };

    let (status_id, status, status_detail) = match &f.suppression {
        _ if f.status == Status::Error => (0, "Unknown", Some(unknown_detail(f))),
        Some(s) => (
            3,
            "Suppressed",
            Some(match &s.expires {
                Some(e) => format!("suppressed until {e}: {}", s.reason),
                None => format!("suppressed: {}", s.reason),
            }),
        ),
        None => (1, "New", None),
    };
    DetectionFinding {
        activity_id: ACTIVITY_CREATE,
        activity_name: "Create",
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Detection Finding",
        type_uid: TYPE_UID,
        type_name: "Detection Finding: Create",
        severity_id,
        severity,
        status_id,
        status,
        status_detail,
        comment: f.suppression.as_ref().map(|s| s.reason.as_str()),
        time,
        message: &f.message,
        finding_info,
        metadata,
        cloud,
        resources: vec![resource],
        remediation,
        unmapped,
    }
}

/// Why an ERROR outcome could not be judged, on one line: `could not be evaluated (access_denied,
/// sts:AssumeRole): …`.
fn unknown_detail(f: &Finding) -> String {
    match &f.cause {
        Some(cause) => {
            let action = cause.action.as_deref().map(|a| format!(", {a}")).unwrap_or_default();
            format!("could not be evaluated ({}{action}): {}", cause.kind.as_str(), cause.message)
        }
        None => format!("could not be evaluated: {}", f.message),
    }
}

impl Renderer for Ocsf {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let events: Vec<DetectionFinding> = report.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Error)).map(|f| event(report, f)).collect();
        let mut bytes = serde_json::to_vec_pretty(&events).map_err(|e| RenderError::new("OCSF", e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
