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
