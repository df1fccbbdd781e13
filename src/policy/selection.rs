//! Which checks run: `--select` / `--ignore` (and the config's lists) resolved against the
//! registry, by code or prefix.

use crate::checks::REGISTRY;

/// A selection pattern that names no check; the message says where it came from.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: `{pattern}` matches no check code; use a code like CT201 or a prefix like CT2 (`trailwarden checks` lists them)")]
pub struct SelectionError {
    pub origin: String,
    pub pattern: String,
}

/// True when `pattern` (a code or a prefix, any case) selects `code`.
pub fn pattern_matches(pattern: &str, code: &str) -> bool {
    !pattern.is_empty() && code.to_ascii_uppercase().starts_with(&pattern.to_ascii_uppercase())
}

/// The codes to run, in registry order: those `select` names (all when empty), minus those
/// `ignore` names.
pub fn select_checks(select: &[String], ignore: &[String], origin: &str) -> Result<Vec<&'static str>, SelectionError> {
    for pattern in select.iter().chain(ignore) {
        if !REGISTRY.iter().any(|c| pattern_matches(pattern, c.code)) {
            return Err(SelectionError { origin: origin.to_string(), pattern: pattern.clone() });
        }
    }
    Ok(REGISTRY
        .iter()
        .map(|c| c.code)
        .filter(|code| select.is_empty() || select.iter().any(|p| pattern_matches(p, code)))
        .filter(|code| !ignore.iter().any(|p| pattern_matches(p, code)))
        .collect())
}
