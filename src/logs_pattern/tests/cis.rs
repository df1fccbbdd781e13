//! The CIS classes: the embedded data, every benchmark pattern covers its own class, version
//! differences, the region class, and how coverage reads.

use std::collections::BTreeSet;

use super::{cis_classes, event_names, json_expr, pat};
use crate::logs_pattern::{
    CisVersion, class, covers, covers_regions, parse, region_pattern, try_classes,
};

#[test]
fn embedded_data_loads() {
    let all = try_classes().expect("embedded samples load");
    let codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
    let mut expected: Vec<String> = (501..=515).map(|n| format!("CT{n}")).collect();
    expected.push("CT517".into());
    assert_eq!(codes, expected);
    for c in cis_classes() {
        for v in CisVersion::ALL {
            assert!(
                c.cis_pattern(v).is_some(),
                "{} has no pattern for {v}",
                c.code()
            );
            let rec = c.recommendation(v).unwrap_or_default();
            let section = if v == CisVersion::V6_0_0 { "5." } else { "4." };
            assert!(
                rec.starts_with(section),
                "{} {v}: recommendation {rec}",
                c.code()
            );
            let names: BTreeSet<&str> = c
                .must_match(v)
                .iter()
                .chain(c.must_not_match(v).iter())
                .map(|s| s.name.as_str())
                .collect();
            assert_eq!(
                names.len(),
                c.must_match(v).len() + c.must_not_match(v).len(),
                "{}: duplicate sample names",
                c.code()
            );
            assert!(
                !c.must_match(v).is_empty() && !c.must_not_match(v).is_empty(),
                "{}",
                c.code()
            );
        }
        for s in c
            .must_match(CisVersion::V6_0_0)
            .iter()
            .chain(c.must_not_match(CisVersion::V6_0_0).iter())
        {
            for key in [
                "eventVersion",
                "userIdentity",
                "eventTime",
                "eventSource",
                "eventName",
                "awsRegion",
                "sourceIPAddress",
                "eventType",
            ] {
                assert!(
                    s.event.get(key).is_some(),
                    "{} / {}: no {key}",
                    c.code(),
                    s.name
                );
            }
        }
    }
}

#[test]
fn every_cis_pattern_parses_and_covers_its_class() {
    let mut checked = 0;
    for c in cis_classes() {
        for v in CisVersion::ALL {
            let text = c.cis_pattern(v).unwrap_or_default();
            let cov = covers(&pat(text), c, v);
            assert!(cov.is_covered(), "{cov}\n  pattern: {text}");
            for alt in c.alternative_patterns(v) {
                let cov = covers(&pat(alt), c, v);
                assert!(cov.is_covered(), "alternative: {cov}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 60);
}

#[test]
fn one_must_match_sample_per_event_name_of_the_pattern() {
    for c in cis_classes() {
        for v in CisVersion::ALL {
            let p = pat(c.cis_pattern(v).unwrap_or_default());
            let mut names = BTreeSet::new();
            event_names(json_expr(&p), &mut names);
            let sampled: BTreeSet<String> = c
                .must_match(v)
                .iter()
                .filter_map(|s| {
                    s.event
                        .get("eventName")
                        .and_then(|n| n.as_str())
                        .map(str::to_string)
                })
                .collect();
            let missing: Vec<&String> = names.difference(&sampled).collect();
            assert!(
                missing.is_empty(),
                "{} {v}: no must-match sample for {missing:?}",
                c.code()
            );
        }
    }
}

#[test]
fn published_text_with_a_typo_does_not_parse() {
    let c = class("CT515").expect("CT515");
    let published = c
        .published_text(CisVersion::V6_0_0)
        .expect("v6 published text");
    let err = parse(published).expect_err("the published v6.0.0 text has a stray quote");
    assert!(err.column > 60, "{err}");
    assert!(c.published_text(CisVersion::V5_0_0).is_none());
}

#[test]
fn legacy_unauthorized_api_patterns_do_not_cover_the_current_class() {
    let c = class("CT501").expect("CT501");
    let v12 = covers(
        &pat(c.legacy_pattern("1.2.0").expect("1.2.0")),
        c,
        CisVersion::V3_0_0,
    );
    assert!(v12.missed.is_empty());
    assert_eq!(
        v12.caught,
        [
            "GetBucketAcl AccessDenied from delivery.logs.amazonaws.com",
            "HeadBucket AccessDenied"
        ]
    );
    // v1.3–v1.5 joined the exclusions with `||`: `$.eventName != "HeadBucket"` is true of
    // nearly every record, so the filter counts almost everything.
    let v14 = covers(
        &pat(c.legacy_pattern("1.4.0").expect("1.4.0")),
        c,
        CisVersion::V3_0_0,
    );
    assert_eq!(v14.caught.len(), 4, "{v14}");
}

#[test]
fn security_group_changes_gained_modify_security_group_rules_in_v5() {
    let c = class("CT510").expect("CT510");
    let v3 = pat(c.cis_pattern(CisVersion::V3_0_0).unwrap_or_default());
    let v5 = pat(c.cis_pattern(CisVersion::V5_0_0).unwrap_or_default());
    assert_eq!(
        covers(&v3, c, CisVersion::V5_0_0).missed,
        ["ModifySecurityGroupRules"]
    );
    assert!(covers(&v3, c, CisVersion::V4_0_0).is_covered());
    assert!(covers(&v5, c, CisVersion::V3_0_0).is_covered());
    assert_eq!(
        c.must_match(CisVersion::V4_0_0).len() + 1,
        c.must_match(CisVersion::V6_0_0).len()
    );
}

#[test]
fn regions_outside_the_allowed_list() {
    let c = class("CT517").expect("CT517");
    assert!(c.is_parameterised() && c.cis_pattern(CisVersion::V3_0_0).is_none());
    let allowed: Vec<&str> = c
        .example_allowed_regions()
        .iter()
        .map(String::as_str)
        .collect();
    let text = region_pattern(&allowed);
    assert_eq!(
        text,
        r#"{ ($.awsRegion != "us-east-1") && ($.awsRegion != "eu-west-1") }"#
    );
    let p = pat(&text);
    for v in CisVersion::ALL {
        assert!(covers(&p, c, v).is_covered(), "{}", covers(&p, c, v));
    }
    let cov = covers_regions(&p, &allowed);
    assert!(
        cov.is_covered() && cov.must_match_total == 4 && cov.must_not_total == 2,
        "{cov}"
    );
    // Equivalent: a regex, or an unparenthesised rewrite in the other order.
    for alt in [
        r"{ $.awsRegion != %^us-east-1$|^eu-west-1$% }",
        "{ $.awsRegion != eu-west-1 && $.awsRegion != us-east-1 }",
    ] {
        assert!(covers_regions(&pat(alt), &allowed).is_covered(), "{alt}");
    }
    // The list decides: with only us-east-1 allowed, eu-west-1 activity must be caught.
    let cov = covers_regions(&p, &["us-east-1"]);
    assert_eq!(cov.missed, ["RunInstances eu-west-1"]);
    let everything = covers_regions(&pat(&region_pattern(&[])), &[]);
    assert!(everything.is_covered() && everything.must_match_total == 6);
    let wrong = covers_regions(&pat("{ $.awsRegion != us-east-1 }"), &allowed);
    assert_eq!(wrong.caught, ["RunInstances eu-west-1"]);
}

#[test]
fn coverage_reads_as_one_line() {
    let c = class("CT505").expect("CT505");
    let cov = covers(
        &pat("{ $.eventName = StopLogging || $.eventName = GetTrailStatus }"),
        c,
        CisVersion::V3_0_0,
    );
    assert_eq!(
        cov.to_string(),
        "CT505 (CIS 3.0.0): misses CreateTrail, UpdateTrail, DeleteTrail, StartLogging; also catches GetTrailStatus"
    );
    let ok = covers(
        &pat(c.cis_pattern(CisVersion::V3_0_0).unwrap_or_default()),
        c,
        CisVersion::V3_0_0,
    );
    assert_eq!(
        ok.to_string(),
        "CT505 (CIS 3.0.0): covered (5 must-match, 3 must-not)"
    );
}

/// A filter for sign-ins without MFA alarms on failed sign-ins too, but it also alarms on
/// successful ones: it does not monitor authentication failures (CT506).
#[test]
fn the_no_mfa_filter_does_not_monitor_authentication_failures() {
    let v = crate::logs_pattern::CisVersion::V6_0_0;
    let ct502 = crate::logs_pattern::class("CT502").unwrap();
    let ct506 = crate::logs_pattern::class("CT506").unwrap();
    let no_mfa = crate::logs_pattern::parse(ct502.cis_pattern(v).unwrap()).unwrap();
    let coverage = crate::logs_pattern::covers(&no_mfa, ct506, v);
    assert!(!coverage.is_covered());
    assert_eq!(coverage.caught, vec!["ConsoleLogin IAMUser success without MFA".to_string()]);
}
