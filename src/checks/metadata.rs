//! Check metadata from `checks/CTnnn.toml`, embedded at build time (see `build.rs`).
//!
//! The single source of each check's title, severity, framework mappings and prose for
//! `explain`, `checks`, the HTML report and SARIF rules. The registry (code, name, scope,
//! function) lives in [`super::REGISTRY`]; a test fails when the two disagree.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// (file stem, TOML text) of every file in `checks/`.
pub static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/check_files.rs"));

pub use crate::model::Severity;
use crate::model::Scope;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    pub code: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    /// framework key (`cis-5.0`, `securityhub`, `aws-config`, …) -> control ids.
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub doc: CheckDoc,
    /// `[fix]`: how the report fills this check's fix in for one failing resource (data only;
    /// the rendering is the report's).
    #[serde(default)]
    pub fix: Option<ResourceFix>,
}

/// Templates of a per-resource fix. Placeholders: `{target}` (the ARN or id the change is made
/// on), `{name}` (its short name: trail name, bucket name, key id, log group name),
/// `{region}` and `{account}` (where the change is made).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceFix {
    /// What the change is made on: `resource` (the finding's own resource, the default),
    /// `trail` (the logging organization trail that applies to the account, else the
    /// account's only trail) or `trail-log-group` (that trail's CloudWatch Logs log group).
    #[serde(default = "default_target")]
    pub target: String,
    /// The CLI commands; without it, `doc.fix_cli` with `fill` applied.
    #[serde(default)]
    pub cli: Option<String>,
    /// The Terraform; without it, `doc.fix_terraform` with `fill` applied.
    #[serde(default)]
    pub terraform: Option<String>,
    /// Placeholders of the doc's generic text (`<bucket>`) → templates (`{name}`).
    #[serde(default)]
    pub fill: BTreeMap<String, String>,
}

fn default_target() -> String {
    "resource".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDoc {
    pub what: String,
    pub why: String,
    #[serde(default)]
    pub decisions: Option<String>,
    pub fix_cli: String,
    pub fix_terraform: String,
    #[serde(default)]
    pub references: Vec<String>,
}

static ALL: LazyLock<Vec<CheckMeta>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(stem, text)| toml::from_str(text).unwrap_or_else(|e| panic!("checks/{stem}.toml is invalid: {e}")))
        .collect()
});

pub fn all() -> &'static [CheckMeta] {
    &ALL
}

pub fn get(code: &str) -> Option<&'static CheckMeta> {
    all().iter().find(|m| m.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::REGISTRY;

    #[test]
    fn every_file_parses_and_is_named_after_its_code() {
        for (stem, text) in FILES {
            let meta: CheckMeta = toml::from_str(text).unwrap_or_else(|e| panic!("checks/{stem}.toml: {e}"));
            assert_eq!(&meta.code, stem, "checks/{stem}.toml declares code {}", meta.code);
        }
    }

    /// What `explain`, the HTML, SARIF and OCSF show must point only at things the user has:
    /// no internal design documents, and every check code in the prose must exist.
    #[test]
    fn check_docs_refer_only_to_what_exists() {
        for meta in all() {
            let d = &meta.doc;
            let text = [d.what.as_str(), d.why.as_str(), d.decisions.as_deref().unwrap_or(""), d.fix_cli.as_str(), d.fix_terraform.as_str()].join("\n");
            for internal in ["checks.md", "architecture.md", "integrity.md", "design/"] {
                assert!(!text.contains(internal), "{}: the docs mention {internal}, which users do not have", meta.code);
            }
            for (i, _) in text.match_indices("CT") {
                let code: String = text[i..].chars().take(5).collect();
                if code.len() == 5 && code[2..].chars().all(|c| c.is_ascii_digit()) {
                    assert!(REGISTRY.iter().any(|c| c.code == code), "{}: the docs mention {code}, which is not a check", meta.code);
                }
            }
        }
    }

    #[test]
    fn registry_and_metadata_agree() {
        let registered: Vec<&str> = REGISTRY.iter().map(|c| c.code).collect();
        let documented: Vec<&str> = all().iter().map(|m| m.code.as_str()).collect();
        assert_eq!(registered, documented, "checks/ and the registry list different checks");
        for check in REGISTRY {
            let meta = get(check.code).unwrap();
            assert_eq!(meta.name, check.name, "{}: name differs between registry and checks/", check.code);
            assert_eq!(meta.scope, check.scope, "{}: scope differs between registry and checks/", check.code);
            assert!(!meta.doc.fix_cli.trim().is_empty() && !meta.doc.fix_terraform.trim().is_empty(), "{}: fix text missing", check.code);
        }
    }
}
