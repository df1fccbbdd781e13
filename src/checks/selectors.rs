//! What a trail's event selectors record, for both selector styles.
//!
//! This is the one place that reads classic (`EventSelectors`) and advanced
//! (`AdvancedEventSelectors`) selectors; every check that cares about management events or
//! S3 data events asks here, so both styles are understood everywhere selectors matter.

use crate::inventory::{AdvancedEventSelector, AdvancedFieldSelector, EventSelectors};

/// Which management events a trail records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ManagementEvents {
    pub read: bool,
    pub write: bool,
    /// Management event sources left out (classic `ExcludeManagementEventSources`,
    /// advanced `eventSource NotEquals` / `NotStartsWith` / `NotEndsWith`), or a description
    /// of a positive restriction (`eventSource Equals ...` records only those sources).
    pub excluded_sources: Vec<String>,
}

impl ManagementEvents {
    pub fn recorded(&self) -> bool {
        self.read || self.write
    }
    pub fn read_write(&self) -> bool {
        self.read && self.write
    }
    pub fn describe(&self) -> &'static str {
        match (self.read, self.write) {
            (true, true) => "read+write",
            (true, false) => "read-only",
            (false, true) => "write-only",
            (false, false) => "none",
        }
    }
}

fn is_default(selectors: &EventSelectors) -> bool {
    selectors.classic.is_empty() && selectors.advanced.is_empty()
}

fn field<'a>(selector: &'a AdvancedEventSelector, name: &str) -> Option<&'a AdvancedFieldSelector> {
    selector.field_selectors.iter().find(|f| f.field == name)
}

fn category_is(selector: &AdvancedEventSelector, category: &str) -> bool {
    field(selector, "eventCategory").is_some_and(|f| f.equals.iter().any(|v| v == category))
}

/// (read, write) allowed by an advanced selector's `readOnly` field.
fn advanced_read_write(selector: &AdvancedEventSelector) -> (bool, bool) {
    match field(selector, "readOnly") {
        None => (true, true),
        Some(f) => {
            let allows = |value: &str| {
                (f.equals.is_empty() || f.equals.iter().any(|v| v.eq_ignore_ascii_case(value)))
                    && !f.not_equals.iter().any(|v| v.eq_ignore_ascii_case(value))
            };
            (allows("true"), allows("false"))
        }
    }
}

pub fn management_events(selectors: &EventSelectors) -> ManagementEvents {
    if is_default(selectors) {
        // A trail with no custom selectors records all management events.
        return ManagementEvents { read: true, write: true, excluded_sources: vec![] };
    }
    let mut out = ManagementEvents::default();
    for s in selectors.classic.iter().filter(|s| s.include_management_events) {
        match s.read_write_type.as_str() {
            "ReadOnly" => out.read = true,
            "WriteOnly" => out.write = true,
            _ => {
                out.read = true;
                out.write = true;
            }
        }
        out.excluded_sources.extend(s.exclude_management_event_sources.iter().cloned());
    }
    for s in selectors.advanced.iter().filter(|s| category_is(s, "Management")) {
        let (read, write) = advanced_read_write(s);
        out.read |= read;
        out.write |= write;
        if let Some(f) = field(s, "eventSource") {
            out.excluded_sources.extend(f.not_equals.iter().cloned());
            out.excluded_sources.extend(f.not_starts_with.iter().map(|v| format!("{v}*")));
            out.excluded_sources.extend(f.not_ends_with.iter().map(|v| format!("*{v}")));
            if !f.equals.is_empty() || !f.starts_with.is_empty() || !f.ends_with.is_empty() {
                let only: Vec<String> = f.equals.iter().cloned().chain(f.starts_with.iter().map(|v| format!("{v}*"))).chain(f.ends_with.iter().map(|v| format!("*{v}"))).collect();
                out.excluded_sources.push(format!("every source but {}", only.join(", ")));
            }
        }
    }
    out.excluded_sources.sort();
    out.excluded_sources.dedup();
    out
}

/// Which S3 object-level data events a trail records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct S3DataEvents {
    pub all_buckets_read: bool,
    pub all_buckets_write: bool,
    /// Partial coverage: bucket ARNs/prefixes (or restrictions) for read events.
    pub some_read: Vec<String>,
    pub some_write: Vec<String>,
}

fn is_all_s3(value: &str) -> bool {
    // `arn:aws:s3` (or `arn:aws:s3:::`) selects every bucket, in any partition.
    let mut parts = value.split(':');
    parts.next() == Some("arn") && parts.next().is_some() && parts.next() == Some("s3") && parts.all(|p| p.is_empty())
}

/// Fields an advanced data selector may carry without narrowing "every S3 object".
const NON_NARROWING_FIELDS: [&str; 3] = ["eventCategory", "resources.type", "readOnly"];

pub fn s3_data_events(selectors: &EventSelectors) -> S3DataEvents {
    let mut out = S3DataEvents::default();
    for s in &selectors.classic {
        for resource in s.data_resources.iter().filter(|d| d.resource_type == "AWS::S3::Object") {
            let (read, write) = match s.read_write_type.as_str() {
                "ReadOnly" => (true, false),
                "WriteOnly" => (false, true),
                _ => (true, true),
            };
            let all = resource.values.iter().any(|v| is_all_s3(v));
            let some: Vec<String> = resource.values.iter().filter(|v| !is_all_s3(v)).cloned().collect();
            if read {
                out.all_buckets_read |= all;
                out.some_read.extend(some.iter().cloned());
            }
            if write {
                out.all_buckets_write |= all;
                out.some_write.extend(some);
            }
        }
    }
    for s in selectors.advanced.iter().filter(|s| category_is(s, "Data")) {
        let Some(types) = field(s, "resources.type") else { continue };
        if !types.equals.iter().any(|t| t == "AWS::S3::Object") {
            continue;
        }
        let (read, write) = advanced_read_write(s);
        let mut narrowing: Vec<String> = Vec::new();
        for f in s.field_selectors.iter().filter(|f| !NON_NARROWING_FIELDS.contains(&f.field.as_str())) {
            if f.field == "resources.ARN" {
                narrowing.extend(f.equals.iter().cloned());
                narrowing.extend(f.starts_with.iter().map(|v| format!("{v}*")));
                narrowing.extend(f.ends_with.iter().map(|v| format!("*{v}")));
                narrowing.extend(f.not_equals.iter().map(|v| format!("all but {v}")));
                narrowing.extend(f.not_starts_with.iter().map(|v| format!("all but {v}*")));
                narrowing.extend(f.not_ends_with.iter().map(|v| format!("all but *{v}")));
            } else {
                narrowing.push(format!("only events matching {}", f.field));
            }
        }
        let all = narrowing.is_empty();
        if read {
            out.all_buckets_read |= all;
            out.some_read.extend(narrowing.iter().cloned());
        }
        if write {
            out.all_buckets_write |= all;
            out.some_write.extend(narrowing);
        }
    }
    for list in [&mut out.some_read, &mut out.some_write] {
        list.sort();
        list.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ClassicEventSelector, DataResource};

    fn classic(rw: &str, mgmt: bool, data: &[(&str, &[&str])], excl: &[&str]) -> ClassicEventSelector {
        ClassicEventSelector {
            read_write_type: rw.into(),
            include_management_events: mgmt,
            data_resources: data.iter().map(|(t, v)| DataResource { resource_type: t.to_string(), values: v.iter().map(|s| s.to_string()).collect() }).collect(),
            exclude_management_event_sources: excl.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn f(field: &str, equals: &[&str]) -> AdvancedFieldSelector {
        AdvancedFieldSelector { field: field.into(), equals: equals.iter().map(|s| s.to_string()).collect(), ..Default::default() }
    }

    fn adv(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector { name: None, field_selectors: fields }
    }

    #[test]
    fn no_selectors_means_management_read_write() {
        let m = management_events(&EventSelectors::default());
        assert!(m.read_write());
        assert!(m.excluded_sources.is_empty());
    }

    #[test]
    fn classic_read_only_plus_write_only_is_read_write() {
        let s = EventSelectors { classic: vec![classic("ReadOnly", true, &[], &[]), classic("WriteOnly", true, &[], &[])], advanced: vec![] };
        assert!(management_events(&s).read_write());
        let s = EventSelectors { classic: vec![classic("ReadOnly", true, &[], &[])], advanced: vec![] };
        assert_eq!(management_events(&s).describe(), "read-only");
    }

    #[test]
    fn classic_without_management_records_none() {
        let s = EventSelectors { classic: vec![classic("All", false, &[("AWS::S3::Object", &["arn:aws:s3"])], &[])], advanced: vec![] };
        assert!(!management_events(&s).recorded());
    }

    #[test]
    fn classic_exclusions_are_reported() {
        let s = EventSelectors { classic: vec![classic("All", true, &[], &["kms.amazonaws.com"])], advanced: vec![] };
        assert_eq!(management_events(&s).excluded_sources, vec!["kms.amazonaws.com"]);
    }

    #[test]
    fn advanced_management_with_and_without_read_only() {
        let s = EventSelectors { classic: vec![], advanced: vec![adv(vec![f("eventCategory", &["Management"])])] };
        assert!(management_events(&s).read_write());
        let s = EventSelectors { classic: vec![], advanced: vec![adv(vec![f("eventCategory", &["Management"]), f("readOnly", &["false"])])] };
        assert_eq!(management_events(&s).describe(), "write-only");
        let s = EventSelectors {
            classic: vec![],
            advanced: vec![
                adv(vec![f("eventCategory", &["Management"]), f("readOnly", &["false"])]),
                adv(vec![f("eventCategory", &["Management"]), f("readOnly", &["true"])]),
            ],
        };
        assert!(management_events(&s).read_write());
    }

    #[test]
    fn advanced_event_source_not_equals_is_an_exclusion() {
        let mut source = f("eventSource", &[]);
        source.not_equals = vec!["kms.amazonaws.com".into(), "rdsdata.amazonaws.com".into()];
        let s = EventSelectors { classic: vec![], advanced: vec![adv(vec![f("eventCategory", &["Management"]), source])] };
        assert_eq!(management_events(&s).excluded_sources, vec!["kms.amazonaws.com", "rdsdata.amazonaws.com"]);
    }

    #[test]
    fn advanced_data_only_records_no_management() {
        let s = EventSelectors { classic: vec![], advanced: vec![adv(vec![f("eventCategory", &["Data"]), f("resources.type", &["AWS::S3::Object"])])] };
        assert!(!management_events(&s).recorded());
    }

    #[test]
    fn classic_s3_all_buckets() {
        for value in ["arn:aws:s3", "arn:aws:s3:::"] {
            let s = EventSelectors { classic: vec![classic("WriteOnly", true, &[("AWS::S3::Object", &[value])], &[])], advanced: vec![] };
            let d = s3_data_events(&s);
            assert!(d.all_buckets_write && !d.all_buckets_read, "{value}");
        }
    }

    #[test]
    fn classic_s3_some_buckets() {
        let s = EventSelectors { classic: vec![classic("All", true, &[("AWS::S3::Object", &["arn:aws:s3:::payments/"])], &[])], advanced: vec![] };
        let d = s3_data_events(&s);
        assert!(!d.all_buckets_write && !d.all_buckets_read);
        assert_eq!(d.some_write, vec!["arn:aws:s3:::payments/"]);
    }

    #[test]
    fn advanced_s3_all_and_partial() {
        let all = adv(vec![f("eventCategory", &["Data"]), f("resources.type", &["AWS::S3::Object"])]);
        let d = s3_data_events(&EventSelectors { classic: vec![], advanced: vec![all] });
        assert!(d.all_buckets_read && d.all_buckets_write);

        let mut arn = f("resources.ARN", &[]);
        arn.starts_with = vec!["arn:aws:s3:::payments/".into()];
        let partial = adv(vec![f("eventCategory", &["Data"]), f("resources.type", &["AWS::S3::Object"]), f("readOnly", &["false"]), arn]);
        let d = s3_data_events(&EventSelectors { classic: vec![], advanced: vec![partial] });
        assert!(!d.all_buckets_write && !d.all_buckets_read);
        assert_eq!(d.some_write, vec!["arn:aws:s3:::payments/*"]);
        assert!(d.some_read.is_empty());
    }

    #[test]
    fn advanced_s3_narrowed_by_event_name_is_not_all() {
        let sel = adv(vec![f("eventCategory", &["Data"]), f("resources.type", &["AWS::S3::Object"]), f("eventName", &["PutObject"])]);
        let d = s3_data_events(&EventSelectors { classic: vec![], advanced: vec![sel] });
        assert!(!d.all_buckets_write);
        assert_eq!(d.some_write, vec!["only events matching eventName"]);
    }
}
