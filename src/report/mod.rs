//! The report: the stable, documented view of a scan that every output format renders.
//!
//! [`Report`] is the JSON contract of `architecture.md` (keep it stable: add fields, never
//! rename). It is built once from the inventory, the outcomes and the policy, then handed to
//! the emitters (the `emit` module), which only format it. This module must not format output,
//! write files or judge anything a check judges.

mod build;
mod fix;
mod history;
mod model;
mod previous;
mod score;

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

pub use build::finding_id;
pub use fix::short_name;
pub use history::{PastReport, history};
pub use model::*;
pub use previous::{PreviousError, PreviousReport, PreviousScan, read_previous};
pub use score::{AccountScore, ControlId, ControlScore, FAIR_FROM, FrameworkScore, GOOD_FROM, Grade, OrganizationScore, ScopeFrameworkScore, Scores, UnitScore};

/// The JSON Schema of [`Report`], published in the repository and by `trailwarden schema`:
/// the committed output of [`json_schema()`] (a unit test keeps the two equal).
pub const JSON_SCHEMA: &str = include_str!("report.schema.json");

/// The JSON Schema of [`Report`] derived from its types (JSON Schema 2020-12, pretty-printed,
/// with a trailing newline); doc comments become descriptions.
///
/// It describes what trailwarden writes (schemars' serialize contract: every field is written,
/// an `Option` as null when empty), except that a field with a default (`#[serde(default)]`,
/// or `#[schemars(default)]` for the schema alone) is optional: a report without it still
/// loads, so one written before the field was added still validates.
pub fn json_schema() -> String {
    let settings = SchemaSettings::draft2020_12().for_serialize().with_transform(RecursiveTransform(optional_when_defaulted));
    let schema = settings.into_generator().into_root_schema_for::<Report>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON Schema serializes");
    text.push('\n');
    text
}

/// Drops from `required` every property of this object schema that has a `default`.
fn optional_when_defaulted(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else { return };
    let defaulted: Vec<String> = match object.get("properties").and_then(|p| p.as_object()) {
        Some(properties) => properties.iter().filter(|(_, p)| p.get("default").is_some()).map(|(name, _)| name.clone()).collect(),
        None => return,
    };
    if let Some(required) = object.get_mut("required").and_then(|r| r.as_array_mut()) {
        required.retain(|name| !defaulted.iter().any(|d| name == d.as_str()));
    }
}

/// The schema of a count map keyed by the wire names of `K` (`{"FAIL": 3}`), whatever Rust
/// type holds the keys.
struct CountsBy<K>(PhantomData<K>);

impl<K: JsonSchema> JsonSchema for CountsBy<K> {
    fn schema_name() -> Cow<'static, str> {
        format!("CountsBy{}", K::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("trailwarden::report::CountsBy<{}>", K::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": generator.subschema_for::<K>(),
            "additionalProperties": generator.subschema_for::<usize>(),
        })
    }
}

#[cfg(test)]
mod tests {
    /// `TRAILWARDEN_BLESS=1 cargo test --lib report::tests` rewrites the committed file.
    #[test]
    fn committed_schema_is_the_one_derived_from_the_types() {
        let derived = super::json_schema();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/report/report.schema.json");
        if std::env::var_os("TRAILWARDEN_BLESS").is_some() {
            std::fs::write(path, &derived).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
            return;
        }
        let first_difference = super::JSON_SCHEMA.lines().zip(derived.lines()).position(|(a, b)| a != b).unwrap_or(super::JSON_SCHEMA.lines().count().min(derived.lines().count()));
        assert!(
            super::JSON_SCHEMA == derived,
            "src/report/report.schema.json differs from the schema derived from src/report/model.rs (first at line {}).\n\
             Regenerate it with `TRAILWARDEN_BLESS=1 cargo test --lib report::tests`, review the diff and commit it \
             (the JSON contract: add fields, never rename).",
            first_difference + 1
        );
    }
}
