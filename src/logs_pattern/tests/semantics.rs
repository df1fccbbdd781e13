//! The decisions taken where the documentation is silent (see the module documentation),
//! and the normalised rendering.

use serde_json::json;

use super::pat;
use crate::logs_pattern::PatternKind;

#[test]
fn not_equal_needs_a_string_or_number() {
    let p = pat(r#"{ $.userIdentity.invokedBy != "cloudfront.amazonaws.com" }"#);
    // DataBiosphere/azul#5884: no match on a record without the field.
    assert!(!p.matches_event(
        &json!({"errorCode": "AccessDenied", "userIdentity": {"accountId": "anonymous"}})
    ));
    assert!(!p.matches_event(&json!({"userIdentity": {"invokedBy": null}})));
    assert!(!p.matches_event(&json!({"userIdentity": {"invokedBy": true}})));
    assert!(!p.matches_event(&json!({"userIdentity": {"invokedBy": {"x": 1}}})));
    assert!(!p.matches_event(&json!({"userIdentity": "Root"})));
    assert!(p.matches_event(&json!({"userIdentity": {"invokedBy": "s3.amazonaws.com"}})));
    assert!(p.matches_event(&json!({"userIdentity": {"invokedBy": 7}})));
    // Absence is what NOT EXISTS is for; an intermediate non-object counts as absent.
    let absent = pat("{ $.userIdentity.invokedBy NOT EXISTS }");
    assert!(absent.matches_event(&json!({"userIdentity": {"accountId": "anonymous"}})));
    assert!(absent.matches_event(&json!({"userIdentity": "Root"})));
    assert!(!absent.matches_event(&json!({"userIdentity": {"invokedBy": null}})));
    assert!(!pat("{ $.x IS NULL }").matches_event(&json!({})));
}

#[test]
fn wildcards_anywhere_in_a_value() {
    let cases = [
        ("*Event", "PutEvent", true),
        ("Event*", "EventName", true),
        ("Ev*ent", "EvXYZent", true),
        ("Ev*ent", "Event", true),
        ("Ev*ent", "Evnt", false),
        ("a*b*a", "aba", true),
        ("a*b*a", "ab", false),
        ("*", "", true),
        ("\\*lit", "*lit", true),
        ("\\*lit", "xlit", false),
    ];
    for (glob, value, expected) in cases {
        let p = pat(&format!(r#"{{ $.v = "{glob}" }}"#));
        assert_eq!(
            p.matches_event(&json!({ "v": value })),
            expected,
            "{glob} vs {value}"
        );
    }
}

#[test]
fn numbers_and_strings() {
    // Unquoted number: numeric against a JSON number, textual against a JSON string.
    let p = pat("{ $.recipientAccountId = 123456789012 }");
    assert!(p.matches_event(&json!({"recipientAccountId": "123456789012"})));
    assert!(p.matches_event(&json!({"recipientAccountId": 123456789012u64})));
    assert!(pat("{ $.n = 1e3 }").matches_event(&json!({"n": 1000})));
    assert!(!pat("{ $.n = 1e3 }").matches_event(&json!({"n": "1000"})));
    // Ordering needs a JSON number.
    assert!(!pat("{ $.n > 5 }").matches_event(&json!({"n": "10"})));
    assert!(pat("{ $.n > 5 }").matches_event(&json!({"n": 10})));
    // A quoted value compares as text, a JSON number by its JSON spelling.
    assert!(pat(r#"{ $.n = "400" }"#).matches_event(&json!({"n": 400})));
    assert!(pat(r#"{ $.n = "4*" }"#).matches_event(&json!({"n": 404})));
}

#[test]
fn wildcard_selectors_are_existential() {
    let event = json!({"a": [{"k": "x"}, {"k": "y"}], "b": {"p": 1, "q": "z"}});
    assert!(pat("{ $.a[*].k = y }").matches_event(&event));
    assert!(pat("{ $.a[*].k != y }").matches_event(&event));
    assert!(!pat("{ $.a[*].k = w }").matches_event(&event));
    assert!(pat("{ $.b.* = z }").matches_event(&event));
    assert!(pat("{ $.a[*].missing NOT EXISTS }").matches_event(&event));
    assert!(!pat("{ $.a[*].k NOT EXISTS }").matches_event(&event));
}

#[test]
fn json_patterns_need_a_json_object() {
    let p = pat("{ $.x NOT EXISTS }");
    assert!(p.matches_raw("{}"));
    assert!(!p.matches_raw("plain text"));
    assert!(!p.matches_raw("[1, 2]"));
    assert!(!p.matches(&serde_json::Value::Null, "{}"));
}

#[test]
fn keywords_are_case_insensitive() {
    assert_eq!(
        pat("{ $.a is null && $.b Not Exists || $.c is true }"),
        pat("{ $.a IS NULL && $.b NOT EXISTS || $.c IS TRUE }")
    );
}

#[test]
fn rendering_is_normalised() {
    let cases = [
        (
            "{($.eventName=DeleteGroupPolicy)||($.eventName=PutUserPolicy)}",
            r#"{ $.eventName = "DeleteGroupPolicy" || $.eventName = "PutUserPolicy" }"#,
        ),
        ("{ ((a.b = 1)) }", ""),
        (
            "{ ($.a = 1 || $.b = 2) && $.c = 3 }",
            "{ ($.a = 1 || $.b = 2) && $.c = 3 }",
        ),
        (
            "{ (($.a = 1) && ($.b = 2)) && $.c = 3 }",
            "{ $.a = 1 && $.b = 2 && $.c = 3 }",
        ),
        (
            "{ $.a = 1 || ($.b = 2 && $.c = 3) }",
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
        ),
        (
            "{ $.x.['a.b'][0].* = \"q\\\"*\" }",
            r#"{ $.x['a.b'][0][*] = "q\"*" }"#,
        ),
        ("{ $.n >= +1.5e3 }", "{ $.n >= +1.5e3 }"),
        (
            "[ip,user,...,status=4*,size>1000]",
            r#"[ip, user, ..., status = "4*", size > 1000]"#,
        ),
        ("[a,,b,]", "[a, , b, ]"),
        ("  ERROR   -\"x y\"  ?WARN", "ERROR -\"x y\" ?WARN"),
        ("  %^a|b$%  ", "%^a|b$%"),
        ("   ", ""),
    ];
    for (text, expected) in cases {
        match crate::logs_pattern::parse(text) {
            Ok(p) => assert_eq!(p.describe(), expected, "{text}"),
            Err(e) => assert!(expected.is_empty(), "{text}: {e}"),
        }
    }
    assert_eq!(pat("").kind(), PatternKind::MatchAll);
    assert_eq!(pat("ERROR").kind(), PatternKind::Terms);
    assert_eq!(pat("%x%").kind(), PatternKind::Regex);
    assert_eq!(pat("{ $.a = 1 }").kind(), PatternKind::Json);
    assert_eq!(pat("[a]").kind(), PatternKind::SpaceDelimited);
    assert_eq!(pat("{$.a=1}").to_string(), "{ $.a = 1 }");
    assert_eq!(pat("{$.a=1}").text(), "{$.a=1}");
}

#[test]
fn long_inputs_stay_linear() {
    // A regex that would be exponential for a backtracking engine, on a long event.
    let p = pat("%a*a*a*a*a*a*a*a*a*a*b%");
    let raw = "a".repeat(20_000);
    let start = std::time::Instant::now();
    assert!(!p.matches_raw(&raw));
    let fields = pat("[..., a, ..., b, ..., c, ...]");
    assert!(fields.matches_raw(&"x ".repeat(20_000)));
    assert!(start.elapsed().as_secs() < 5);
}
