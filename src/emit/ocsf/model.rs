//! The OCSF 1.1.0 Detection Finding event (class 2004, cloud profile) as serde types.
//!
//! A type per OCSF object, a field per attribute in OCSF's `snake_case`. Only the attributes
//! the emitter fills in are modelled; optional ones are left out when absent (OCSF types most
//! of them as strings, and null is not a string), except under `unmapped`, which is
//! trailwarden's own and keeps the JSON report's nulls.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::{BaselineClass, Status};
use crate::report::Suppression;

/// One Detection Finding event.
#[derive(Debug, Serialize)]
pub struct DetectionFinding<'a> {
    pub activity_id: u32,
    pub activity_name: &'static str,
    pub category_uid: u32,
    pub category_name: &'static str,
    pub class_uid: u32,
    pub class_name: &'static str,
    pub type_uid: u32,
    pub type_name: &'static str,
    pub severity_id: u8,
    pub severity: &'static str,
    pub status_id: u8,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<&'a str>,
    /// Milliseconds since the epoch.
    pub time: i64,
    pub message: &'a str,
    pub finding_info: FindingInfo<'a>,
    pub metadata: Metadata<'a>,
    pub cloud: Cloud<'a>,
    pub resources: Vec<ResourceDetails<'a>>,
    pub remediation: Remediation<'a>,
    pub unmapped: Unmapped<'a>,
}

/// The `finding_info` object.
#[derive(Debug, Serialize)]
pub struct FindingInfo<'a> {
    pub uid: &'a str,
    pub title: String,
    pub desc: String,
    pub types: Vec<&'static str>,
    pub created_time: i64,
    pub first_seen_time: i64,
    pub last_seen_time: i64,
    pub analytic: Analytic<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_url: Option<&'a str>,
}

/// The `analytic` object: the check as a rule.
#[derive(Debug, Serialize)]
pub struct Analytic<'a> {
    pub uid: &'a str,
    pub name: String,
    pub type_id: u8,
    #[serde(rename = "type")]
    pub type_name: &'static str,
}

/// The `metadata` object.
#[derive(Debug, Serialize)]
pub struct Metadata<'a> {
    pub version: &'static str,
    pub uid: String,
    pub event_code: &'a str,
    pub profiles: Vec<&'static str>,
    pub product: Product<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// The `product` object.
#[derive(Debug, Serialize)]
pub struct Product<'a> {
    pub name: &'a str,
    pub vendor_name: &'static str,
    pub version: &'a str,
    pub uid: &'static str,
}

/// The `cloud` object (cloud profile).
#[derive(Debug, Serialize)]
pub struct Cloud<'a> {
    pub provider: &'static str,
    pub account: Account<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Organization<'a>>,
}

/// The `account` object.
#[derive(Debug, Serialize)]
pub struct Account<'a> {
    pub uid: &'a str,
    pub type_id: u8,
    #[serde(rename = "type")]
    pub type_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

/// The `organization` object.
#[derive(Debug, Serialize)]
pub struct Organization<'a> {
    pub uid: &'a str,
}

/// The `resource_details` object.
#[derive(Debug, Serialize)]
pub struct ResourceDetails<'a> {
    pub uid: &'a str,
    #[serde(rename = "type")]
    pub type_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_partition: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
}

/// The `remediation` object.
#[derive(Debug, Serialize)]
pub struct Remediation<'a> {
    pub desc: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<&'a [String]>,
}

/// `unmapped`: what OCSF has no attribute for, in the JSON report's spelling (nulls kept).
#[derive(Debug, Serialize)]
pub struct Unmapped<'a> {
    pub evidence: &'a Value,
    pub check_status: Status,
    pub suppression: Option<&'a Suppression>,
    pub expired_suppression: Option<&'a Suppression>,
    pub baseline: Option<BaselineClass>,
    pub compliance: BTreeMap<String, Vec<String>>,
}
