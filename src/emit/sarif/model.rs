//! The part of the SARIF 2.1.0 object model trailwarden writes, as serde types.
//!
//! Names follow the specification (§3): a type per SARIF object, a field per property,
//! `camelCase` on the wire, optional properties left out when absent. Only what the emitter
//! fills in is modelled; the property bags (§3.8) are trailwarden's own and say so. Everything
//! borrows from the report being rendered, so building the log copies little.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::{BaselineClass, Scope, Severity, Status};
use crate::report;

/// §3.13: the top-level object of a SARIF file.
#[derive(Debug, Serialize)]
pub struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<'a>>,
}

/// §3.14: one invocation of one tool.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Tool<'a>,
    pub automation_details: RunAutomationDetails,
    pub invocations: Vec<Invocation<'a>>,
    pub column_kind: ColumnKind,
    pub properties: RunProperties<'a>,
    pub results: Vec<SarifResult<'a>>,
}

/// §3.18.
#[derive(Debug, Serialize)]
pub struct Tool<'a> {
    pub driver: ToolComponent<'a>,
}

/// §3.19: the tool's driver, with its rules.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub semantic_version: &'a str,
    pub information_uri: &'static str,
    pub rules: Vec<ReportingDescriptor<'a>>,
}

/// §3.17: `id` identifies the category of the run (`trailwarden/MODE/`).
#[derive(Debug, Serialize)]
pub struct RunAutomationDetails {
    pub id: String,
}

/// §3.14.17.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    UnicodeCodePoints,
}

/// §3.20.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation<'a> {
    pub execution_successful: bool,
    pub start_time_utc: String,
    pub end_time_utc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification<'a>>,
}

/// §3.58: something the tool says about its own run.
#[derive(Debug, Serialize)]
pub struct Notification<'a> {
    pub level: Level,
    pub descriptor: ReportingDescriptorReference<'a>,
    pub message: Message,
}

/// §3.52 (by `id` only).
#[derive(Debug, Serialize)]
pub struct ReportingDescriptorReference<'a> {
    pub id: &'a str,
}

/// §3.49: a rule, one per check.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub short_description: MultiformatMessageString,
    pub full_description: MultiformatMessageString,
    pub help: MultiformatMessageString,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<&'a str>,
    pub default_configuration: ReportingConfiguration,
    pub properties: RuleProperties<'a>,
}

/// §3.12.
#[derive(Debug, Serialize)]
pub struct MultiformatMessageString {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// §3.50.
#[derive(Debug, Serialize)]
pub struct ReportingConfiguration {
    pub level: Level,
}

/// §3.11: a plain-text message.
#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

/// §3.27.10 (`level`, also of notifications and configurations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

/// §3.27.9.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResultKind {
    Fail,
}

/// §3.27.24.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BaselineState {
    New,
    Unchanged,
}

/// §3.27: one result, one per failing finding. (Named so as not to shadow `std::result::Result`.)
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    pub rule_id: &'a str,
    pub rule_index: usize,
    pub kind: ResultKind,
    pub level: Level,
    pub message: Message,
    pub locations: Vec<Location<'a>>,
    pub partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: ResultProperties<'a>,
}

/// §3.28.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location<'a> {
    pub physical_location: PhysicalLocation<'a>,
    pub logical_locations: Vec<LogicalLocation<'a>>,
}

/// §3.29.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation<'a> {
    pub artifact_location: ArtifactLocation<'a>,
    pub region: Region,
}

/// §3.4.
#[derive(Debug, Serialize)]
pub struct ArtifactLocation<'a> {
    pub uri: &'a str,
}

/// §3.30 (lines only).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
}

/// §3.33.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation<'a> {
    pub name: &'a str,
    pub fully_qualified_name: &'a str,
    pub kind: &'static str,
}

/// §3.35.
#[derive(Debug, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub status: SuppressionStatus,
    pub justification: String,
}

/// §3.35.3.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    External,
}

/// §3.35.4.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionStatus {
    Accepted,
}

// Property bags (§3.8): trailwarden's own keys, in the report's spelling.

/// A rule's properties: GitHub's `tags`, `security-severity` and `precision`, and the check's
/// severity, scope and framework controls.
#[derive(Debug, Serialize)]
pub struct RuleProperties<'a> {
    pub tags: Vec<String>,
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
    pub precision: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub frameworks: &'a BTreeMap<String, Vec<String>>,
}

/// A result's properties: the finding as the JSON report has it (nulls kept).
#[derive(Debug, Serialize)]
pub struct ResultProperties<'a> {
    pub status: Status,
    pub severity: Severity,
    pub account: &'a str,
    /// `global` for an account-wide finding, as in every format but JSON.
    pub region: &'a str,
    pub resource: &'a str,
    pub baseline: Option<BaselineClass>,
    pub evidence: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_suppression: Option<&'a report::Suppression>,
    /// The fix for this resource (the JSON report's `remediation`). A property, not
    /// `result.fixes`: SARIF fixes are file edits (artifactChanges), and these are AWS CLI
    /// commands and Terraform for a cloud resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<&'a report::Remediation>,
}

/// The run's properties: who scanned what, and the counts per status.
#[derive(Debug, Serialize)]
pub struct RunProperties<'a> {
    pub caller: &'a str,
    pub organization_id: Option<&'a str>,
    pub accounts: usize,
    pub regions: &'a [String],
    pub summary: &'a BTreeMap<String, usize>,
}
