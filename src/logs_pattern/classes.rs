//! The CIS monitoring event classes (CT501–CT515) and the region class (CT517), with sample
//! CloudTrail records, and the coverage of a pattern over a class.
//!
//! The data lives in `samples/CT5xx.json`, embedded with `include_str!` and parsed once on
//! first use. Each file holds the benchmark's pattern text per CIS version (what end-to-end
//! tests seed as metric filters), full CloudTrail records that a filter for the class must
//! match (one per event name of the benchmark's pattern, plus semantic probes), and near
//! misses it must not match. A sample may be limited to some versions (security group changes
//! gained `ModifySecurityGroupRules` in v5.0.0). CT517 is parameterised by the allowed
//! regions: its samples are split at run time by their `awsRegion`.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use super::Pattern;

/// CIS AWS Foundations Benchmark versions with the monitoring section modelled here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CisVersion {
    V3_0_0,
    V4_0_0,
    V5_0_0,
    V6_0_0,
}

impl CisVersion {
    pub const ALL: [CisVersion; 4] = [
        CisVersion::V3_0_0,
        CisVersion::V4_0_0,
        CisVersion::V5_0_0,
        CisVersion::V6_0_0,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CisVersion::V3_0_0 => "3.0.0",
            CisVersion::V4_0_0 => "4.0.0",
            CisVersion::V5_0_0 => "5.0.0",
            CisVersion::V6_0_0 => "6.0.0",
        }
    }

    /// Accepts `3.0.0`, `v3.0.0`, `3.0` and `3`.
    pub fn from_name(name: &str) -> Option<CisVersion> {
        let n = name.trim().trim_start_matches(['v', 'V']);
        CisVersion::ALL.into_iter().find(|v| {
            let s = v.as_str();
            s == n || s.strip_suffix(".0") == Some(n) || s.strip_suffix(".0.0") == Some(n)
        })
    }
}

impl fmt::Display for CisVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One sample CloudTrail record.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Unique within its class, e.g. `PutUserPolicy` or `HeadBucket AccessDenied`.
    pub name: String,
    /// Why the sample is there, when it is not obvious.
    pub note: Option<String>,
    versions: Option<Vec<CisVersion>>,
    /// The record.
    pub event: Value,
    /// The record as CloudWatch Logs receives it (compact JSON).
    pub raw: String,
}

impl Sample {
    /// Whether the sample belongs to the class in `version` (most samples: every version).
    pub fn applies_to(&self, version: CisVersion) -> bool {
        self.versions
            .as_ref()
            .is_none_or(|vs| vs.contains(&version))
    }
}

#[derive(Debug, Clone)]
struct VersionEntry {
    version: CisVersion,
    recommendation: String,
    title: String,
    pattern: String,
    alternatives: Vec<String>,
    published_text: Option<String>,
}

/// A class of CloudTrail events a metric filter should catch.
#[derive(Debug, Clone)]
pub struct EventClass {
    code: String,
    title: String,
    notes: Option<String>,
    versions: Vec<VersionEntry>,
    legacy: Vec<(String, String)>,
    must_match: Vec<Sample>,
    must_not_match: Vec<Sample>,
    allowed_regions: Vec<String>,
    region_samples: Vec<Sample>,
}

impl EventClass {
    /// `CT501` … `CT515`, `CT517`.
    pub fn code(&self) -> &str {
        &self.code
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    /// CT517: must-match and must-not depend on the allowed regions.
    pub fn is_parameterised(&self) -> bool {
        !self.region_samples.is_empty()
    }
    fn entry(&self, v: CisVersion) -> Option<&VersionEntry> {
        self.versions.iter().find(|e| e.version == v)
    }
    /// The benchmark's filter pattern (`None` for CT517, which is not a CIS recommendation).
    pub fn cis_pattern(&self, v: CisVersion) -> Option<&str> {
        self.entry(v).map(|e| e.pattern.as_str())
    }
    /// Other patterns the benchmark offers for the same recommendation (CT502's SSO form).
    pub fn alternative_patterns(&self, v: CisVersion) -> &[String] {
        self.entry(v).map_or(&[], |e| e.alternatives.as_slice())
    }
    /// The text as published, when it differs from [`cis_pattern`](Self::cis_pattern)
    /// (CIS v6.0.0 5.15 has a stray quote and does not parse).
    pub fn published_text(&self, v: CisVersion) -> Option<&str> {
        self.entry(v).and_then(|e| e.published_text.as_deref())
    }
    /// The recommendation number in that version, e.g. `4.4` (v3–v5) or `5.4` (v6).
    pub fn recommendation(&self, v: CisVersion) -> Option<&str> {
        self.entry(v).map(|e| e.recommendation.as_str())
    }
    pub fn recommendation_title(&self, v: CisVersion) -> Option<&str> {
        self.entry(v).map(|e| e.title.as_str())
    }
    /// Patterns of older benchmark versions kept for tests (`1.2.0`, `1.4.0` for CT501).
    pub fn legacy_pattern(&self, version: &str) -> Option<&str> {
        self.legacy
            .iter()
            .find(|(v, _)| v == version)
            .map(|(_, p)| p.as_str())
    }
    /// Records a filter for this class must match (CT517: with the example allowed regions).
    pub fn must_match(&self, v: CisVersion) -> Vec<&Sample> {
        if self.is_parameterised() {
            return self.split_regions(&self.example_allowed()).0;
        }
        self.must_match.iter().filter(|s| s.applies_to(v)).collect()
    }
    /// Records a filter for this class must not match (CT517: in an allowed region).
    pub fn must_not_match(&self, v: CisVersion) -> Vec<&Sample> {
        if self.is_parameterised() {
            return self.split_regions(&self.example_allowed()).1;
        }
        self.must_not_match
            .iter()
            .filter(|s| s.applies_to(v))
            .collect()
    }
    /// CT517: the allowed regions the sample file is written for.
    pub fn example_allowed_regions(&self) -> &[String] {
        &self.allowed_regions
    }
    /// CT517: every sample, before the split by region.
    pub fn region_samples(&self) -> &[Sample] {
        &self.region_samples
    }
    fn example_allowed(&self) -> Vec<&str> {
        self.allowed_regions.iter().map(String::as_str).collect()
    }
    /// (outside the allowed regions, inside them).
    fn split_regions(&self, allowed: &[&str]) -> (Vec<&Sample>, Vec<&Sample>) {
        self.region_samples.iter().partition(|s| {
            let region = s.event.get("awsRegion").and_then(Value::as_str);
            !region.is_some_and(|r| allowed.contains(&r))
        })
    }
}

/// What a pattern misses and wrongly catches in a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub code: String,
    pub version: Option<CisVersion>,
    /// Names of must-match samples the pattern does not match.
    pub missed: Vec<String>,
    /// Names of must-not-match samples the pattern matches.
    pub caught: Vec<String>,
    pub must_match_total: usize,
    pub must_not_total: usize,
}

impl Coverage {
    /// A filter covers a class when it catches every must-match sample and no must-not one.
    pub fn is_covered(&self) -> bool {
        self.missed.is_empty() && self.caught.is_empty()
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(v) = self.version {
            write!(f, " (CIS {v})")?;
        }
        if self.is_covered() {
            return write!(
                f,
                ": covered ({} must-match, {} must-not)",
                self.must_match_total, self.must_not_total
            );
        }
        let mut parts = Vec::new();
        if !self.missed.is_empty() {
            parts.push(format!("misses {}", self.missed.join(", ")));
        }
        if !self.caught.is_empty() {
            parts.push(format!("also catches {}", self.caught.join(", ")));
        }
        write!(f, ": {}", parts.join("; "))
    }
}

/// Runs `pattern` over the class's samples for `version`.
pub fn covers(pattern: &Pattern, class: &EventClass, version: CisVersion) -> Coverage {
    coverage(
        pattern,
        class.code(),
        Some(version),
        &class.must_match(version),
        &class.must_not_match(version),
    )
}

/// CT517 with the caller's allowed regions. An empty result (`must_match_total == 0` and
/// `must_not_total == 0`) means the embedded data failed to load.
pub fn covers_regions(pattern: &Pattern, allowed: &[&str]) -> Coverage {
    let Some(class) = classes().iter().find(|c| c.is_parameterised()) else {
        return coverage(pattern, "CT517", None, &[], &[]);
    };
    let (must, must_not) = class.split_regions(allowed);
    coverage(pattern, class.code(), None, &must, &must_not)
}

fn coverage(
    pattern: &Pattern,
    code: &str,
    version: Option<CisVersion>,
    must: &[&Sample],
    must_not: &[&Sample],
) -> Coverage {
    let hit = |s: &Sample| pattern.matches(&s.event, &s.raw);
    Coverage {
        code: code.to_string(),
        version,
        missed: must
            .iter()
            .filter(|s| !hit(s))
            .map(|s| s.name.clone())
            .collect(),
        caught: must_not
            .iter()
            .filter(|s| hit(s))
            .map(|s| s.name.clone())
            .collect(),
        must_match_total: must.len(),
        must_not_total: must_not.len(),
    }
}

/// The CT517 filter for `allowed`: `{ ($.awsRegion != "us-east-1") && … }`; with no allowed
/// region, `{ $.awsRegion = "*" }` (every record is outside).
pub fn region_pattern(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        return r#"{ $.awsRegion = "*" }"#.to_string();
    }
    let quote = |r: &str| {
        r.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('*', "\\*")
    };
    let terms: Vec<String> = allowed
        .iter()
        .map(|r| format!("($.awsRegion != \"{}\")", quote(r)))
        .collect();
    format!("{{ {} }}", terms.join(" && "))
}

// ------------------------------------------------------------------------------ loading

const FILES: [(&str, &str); 16] = [
    ("CT501", include_str!("samples/CT501.json")),
    ("CT502", include_str!("samples/CT502.json")),
    ("CT503", include_str!("samples/CT503.json")),
    ("CT504", include_str!("samples/CT504.json")),
    ("CT505", include_str!("samples/CT505.json")),
    ("CT506", include_str!("samples/CT506.json")),
    ("CT507", include_str!("samples/CT507.json")),
    ("CT508", include_str!("samples/CT508.json")),
    ("CT509", include_str!("samples/CT509.json")),
    ("CT510", include_str!("samples/CT510.json")),
    ("CT511", include_str!("samples/CT511.json")),
    ("CT512", include_str!("samples/CT512.json")),
    ("CT513", include_str!("samples/CT513.json")),
    ("CT514", include_str!("samples/CT514.json")),
    ("CT515", include_str!("samples/CT515.json")),
    ("CT517", include_str!("samples/CT517.json")),
];

static CLASSES: OnceLock<Result<Vec<EventClass>, String>> = OnceLock::new();

/// Every class, or why the embedded data did not load (a test asserts that it does).
pub fn try_classes() -> Result<&'static [EventClass], &'static str> {
    match CLASSES.get_or_init(|| FILES.iter().map(|(code, text)| load(code, text)).collect()) {
        Ok(v) => Ok(v.as_slice()),
        Err(e) => Err(e.as_str()),
    }
}

/// Every class, in code order; empty if the embedded data did not load.
pub fn classes() -> &'static [EventClass] {
    try_classes().unwrap_or(&[])
}

pub fn class(code: &str) -> Option<&'static EventClass> {
    classes().iter().find(|c| c.code == code)
}

fn load(code: &str, text: &str) -> Result<EventClass, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("samples/{code}.json: {e}"))?;
    let ctx = |what: &str| format!("samples/{code}.json: {what}");
    let s = |v: &Value, key: &str| -> Result<String, String> {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ctx(&format!("missing string `{key}`")))
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    if s(&doc, "code")? != code {
        return Err(ctx("`code` does not match the file name"));
    }
    let mut versions = Vec::new();
    if let Some(map) = doc.get("cis_versions").and_then(Value::as_object) {
        for (name, e) in map {
            let version = CisVersion::from_name(name)
                .ok_or_else(|| ctx(&format!("unknown CIS version `{name}`")))?;
            versions.push(VersionEntry {
                version,
                recommendation: s(e, "recommendation")?,
                title: s(e, "title")?,
                pattern: s(e, "pattern")?,
                alternatives: strings(e.get("alternatives")),
                published_text: e
                    .get("published_text")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
    }
    let samples = |key: &str| -> Result<Vec<Sample>, String> {
        let Some(arr) = doc.get(key).and_then(Value::as_array) else {
            return Ok(Vec::new());
        };
        arr.iter()
            .map(|x| {
                let event = x
                    .get("event")
                    .cloned()
                    .ok_or_else(|| ctx("sample without `event`"))?;
                let versions = match x.get("versions") {
                    None => None,
                    Some(v) => Some(
                        strings(Some(v))
                            .iter()
                            .map(|n| {
                                CisVersion::from_name(n)
                                    .ok_or_else(|| ctx(&format!("unknown CIS version `{n}`")))
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                };
                Ok(Sample {
                    name: s(x, "name")?,
                    note: x.get("note").and_then(Value::as_str).map(str::to_string),
                    versions,
                    raw: serde_json::to_string(&event).map_err(|e| ctx(&e.to_string()))?,
                    event,
                })
            })
            .collect()
    };
    let legacy = doc
        .get("legacy_patterns")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok(EventClass {
        code: code.to_string(),
        title: s(&doc, "title")?,
        notes: doc.get("notes").and_then(Value::as_str).map(str::to_string),
        versions,
        legacy,
        must_match: samples("must_match")?,
        must_not_match: samples("must_not_match")?,
        allowed_regions: strings(doc.get("example_allowed_regions")),
        region_samples: samples("region_samples")?,
    })
}
