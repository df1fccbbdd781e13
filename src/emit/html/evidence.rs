//! The JSON island of the HTML report: evidence values with repeated sub-trees stored once,
//! interned strings, and the passing rows of a large report, written as one
//! `<script type="application/json">` element that the page's script reads.
//!
//! Why it exists: a 1,000-account organization has tens of thousands of outcomes whose
//! evidence repeats the same trails and policies; as HTML it would be several times larger.
//! Here every evidence value is kept whole but shared sub-trees become references
//! (`{"\u0000": n}` into `shared`), and strings of passing rows are indices into `strings`.
//!
//! What it must not do: lose or change data. Decoding the island gives back every evidence
//! value exactly (keys that start with NUL are escaped, not dropped); it never filters,
//! summarises or interprets evidence, and its text is encoded with [`script_json`] only.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::escape::script_json;
use crate::model::Status;
use crate::report::{Finding, Report};

/// Sub-trees whose compact JSON is at least this long and that occur more than once are
/// stored once in the island's shared table and referenced.
const SHARE_MIN_LEN: usize = 40;
/// Key of a reference object `{"\u0000": n}`; original keys starting with NUL get one more.
const REF_KEY: &str = "\u{0}";

#[derive(Default)]
struct EvidenceStore {
    values: Vec<Value>,
    counts: HashMap<String, usize>,
}

impl EvidenceStore {
    fn push(&mut self, v: &Value) -> usize {
        Self::count(v, &mut self.counts);
        self.values.push(v.clone());
        self.values.len() - 1
    }

    /// Counts every object/array sub-tree by its compact JSON; returns this tree's JSON.
    fn count(v: &Value, counts: &mut HashMap<String, usize>) -> String {
        let text = match v {
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().map(|i| Self::count(i, counts)).collect();
                format!("[{}]", parts.join(","))
            }
            Value::Object(map) => {
                let parts: Vec<String> = map.iter().map(|(k, i)| format!("{}:{}", Value::String(k.clone()), Self::count(i, counts))).collect();
                format!("{{{}}}", parts.join(","))
            }
            other => return other.to_string(),
        };
        if text.len() >= SHARE_MIN_LEN {
            *counts.entry(text.clone()).or_default() += 1;
        }
        text
    }

    /// `(evidence, shared)`: every evidence value with repeated sub-trees replaced by
    /// references into `shared`.
    fn encode(self) -> (Vec<Value>, Vec<Value>) {
        let mut shared: Vec<Value> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let counts = self.counts;
        let evidence = self.values.iter().map(|v| Self::encode_value(v, &counts, &mut index, &mut shared).0).collect();
        (evidence, shared)
    }

    fn encode_value(v: &Value, counts: &HashMap<String, usize>, index: &mut HashMap<String, usize>, shared: &mut Vec<Value>) -> (Value, String) {
        let (encoded, text) = match v {
            Value::Array(items) => {
                let (enc, texts): (Vec<Value>, Vec<String>) = items.iter().map(|i| Self::encode_value(i, counts, index, shared)).unzip();
                (Value::Array(enc), format!("[{}]", texts.join(",")))
            }
            Value::Object(map) => {
                let mut enc = serde_json::Map::new();
                let mut texts = Vec::new();
                for (k, i) in map {
                    let (e, t) = Self::encode_value(i, counts, index, shared);
                    texts.push(format!("{}:{}", Value::String(k.clone()), t));
                    let key = if k.starts_with(REF_KEY) { format!("{REF_KEY}{k}") } else { k.clone() };
                    enc.insert(key, e);
                }
                (Value::Object(enc), format!("{{{}}}", texts.join(",")))
            }
            other => return (other.clone(), other.to_string()),
        };
        if counts.get(&text).copied().unwrap_or(0) > 1 {
            let n = match index.get(&text) {
                Some(n) => *n,
                None => {
                    shared.push(encoded);
                    index.insert(text.clone(), shared.len() - 1);
                    shared.len() - 1
                }
            };
            let mut reference = serde_json::Map::new();
            reference.insert(REF_KEY.into(), Value::from(n));
            return (Value::Object(reference), text);
        }
        (encoded, text)
    }
}

/// Interned strings of the island (accounts, regions, resources, messages of passing rows).
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Strings {
    fn id(&mut self, s: &str) -> usize {
        if let Some(n) = self.index.get(s) {
            return *n;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// Everything the island holds, filled while the check sections are built.
#[derive(Default)]
pub(super) struct Island {
    store: EvidenceStore,
    strings: Strings,
    rows: BTreeMap<String, Vec<Value>>,
}

impl Island {
    /// Keeps an outcome's evidence; returns its index (a row's `data-e`).
    pub(super) fn evidence(&mut self, v: &Value) -> usize {
        self.store.push(v)
    }

    /// A passing row of check `code` kept as data: `[account, region (-1: account-wide),
    /// resource, message, status (0 PASS, 3 N/A), evidence index]`, strings as indices.
    pub(super) fn passing_row(&mut self, code: &str, f: &Finding, ei: usize) {
        let strings = &mut self.strings;
        let region = f.region.as_deref().map(|r| strings.id(r) as i64).unwrap_or(-1);
        let status = match f.status {
            Status::NotApplicable => 3,
            _ => 0,
        };
        let row = serde_json::json!([strings.id(&f.account), region, strings.id(&f.resource), strings.id(&f.message), status, ei]);
        self.rows.entry(code.to_string()).or_default().push(row);
    }

    /// The island's text, safe inside its `<script>` element. `scopes` are the precomputed
    /// numbers of every account and OU (`units::scope_data`), carried as they are.
    pub(super) fn finish(self, report: &Report, scopes: Value) -> String {
        let (evidence, shared) = self.store.encode();
        let names: serde_json::Map<String, Value> = report.scan.accounts.iter().filter_map(|a| a.name.as_ref().map(|n| (a.id.clone(), Value::String(n.clone())))).collect();
        script_json(&serde_json::json!({
            "v": 1,
            "names": names,
            "strings": self.strings.list,
            "rows": self.rows,
            "evidence": evidence,
            "shared": shared,
            "scopes": scopes,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_store_round_trips_with_shared_subtrees() {
        let trail = serde_json::json!({"arn": "arn:aws:cloudtrail:us-east-1:1:trail/org", "is_logging": true, "home_region": "us-east-1"});
        let mut store = EvidenceStore::default();
        let inputs = vec![
            serde_json::json!({"region": "us-east-1", "trails": [trail.clone()]}),
            serde_json::json!({"region": "eu-west-1", "trails": [trail.clone()]}),
            serde_json::json!({"\u{0}": 3, "\u{0}x": {"\u{0}": 1}}),
        ];
        for v in &inputs {
            store.push(v);
        }
        let (evidence, shared) = store.encode();
        assert_eq!(shared.len(), 2, "the trail and the one-trail list are shared: {shared:?}");
        fn decode(v: &Value, shared: &[Value]) -> Value {
            match v {
                Value::Object(m) if m.len() == 1 && m.contains_key(REF_KEY) => decode(&shared[m[REF_KEY].as_u64().unwrap() as usize], shared),
                Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.strip_prefix(REF_KEY).unwrap_or(k).to_string(), decode(v, shared))).collect()),
                Value::Array(a) => Value::Array(a.iter().map(|v| decode(v, shared)).collect()),
                other => other.clone(),
            }
        }
        for (enc, orig) in evidence.iter().zip(&inputs) {
            assert_eq!(&decode(enc, &shared), orig);
        }
    }
}
