//! The examples of the AWS documentation, each with the matches the documentation states.
//!
//! FilterAndPatternSyntax.html and matching-terms-json-log-events.html (current), and the
//! 2020–2023 text of the same page (github.com/awsdocs/amazon-cloudwatch-logs-user-guide,
//! doc_source/FilterAndPatternSyntax.md), marked "2020 guide".

use crate::logs_pattern::{PatternKind, parse};

fn pat(text: &str) -> crate::logs_pattern::Pattern {
    match parse(text) {
        Ok(p) => p,
        Err(e) => panic!("documented pattern {text:?} does not parse: {e}"),
    }
}

/// Asserts which of `events` the pattern matches (by index).
fn check(pattern: &str, events: &[&str], expected: &[usize]) {
    let p = pat(pattern);
    let got: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| p.matches_raw(e))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(got, expected, "pattern {pattern:?}");
}

const REQUESTS: [&str; 4] = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
];

#[test]
fn unstructured_terms() {
    // "ERROR": all four.
    check("ERROR", &REQUESTS, &[0, 1, 2, 3]);
    // "ERROR ARGUMENTS": both words; not 400/401.
    check("ERROR ARGUMENTS", &REQUESTS, &[2, 3]);
    // "?ERROR ?ARGUMENTS": either word.
    check("?ERROR ?ARGUMENTS", &REQUESTS, &[0, 1, 2, 3]);
    // "ERROR -ARGUMENTS": 400 and 401 only.
    check("ERROR -ARGUMENTS", &REQUESTS, &[0, 1]);
    // "\"INTERNAL SERVER ERROR\"" returns "[ERROR 500] INTERNAL SERVER ERROR".
    check(
        "\"INTERNAL SERVER ERROR\"",
        &[
            "[ERROR 500] INTERNAL SERVER ERROR",
            "[ERROR 400] BAD REQUEST",
        ],
        &[0],
    );
    // "?ERROR ?ARGUMENTS REQUEST": the ? terms are ignored; matches events with REQUEST.
    let events = [
        "[INFO] REQUEST FAILED",
        "[WARN] UNAUTHORIZED REQUEST",
        "[ERROR] 400 BAD REQUEST",
        "[ERROR 419] MISSING ARGUMENTS",
    ];
    check("?ERROR ?ARGUMENTS REQUEST", &events, &[0, 1, 2]);
    // "\" \"" matches everything.
    check("\" \"", &["anything", "", "x"], &[0, 1, 2]);
    // The empty pattern matches everything.
    assert_eq!(pat("").kind(), PatternKind::MatchAll);
    check("", &["anything", ""], &[0, 1]);
}

#[test]
fn unstructured_terms_2020_guide() {
    // "ERROR" matches "[ERROR] A fatal exception has occurred" and "Exiting with ERRORCODE: -1".
    let events = [
        "[ERROR] A fatal exception has occurred",
        "Exiting with ERRORCODE: -1",
    ];
    check("ERROR", &events, &[0, 1]);
    // "ERROR" - "Exiting": the second is excluded.
    check("\"ERROR\" - \"Exiting\"", &events, &[0]);
    // ERROR Exception matches "[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception".
    check(
        "ERROR Exception",
        &[
            "[ERROR] Caught IllegalArgumentException",
            "[ERROR] Unhandled Exception",
            "[ERROR] x",
        ],
        &[0, 1],
    );
    check(
        "Failed to process the request",
        &[
            "[WARN] Failed to process the request",
            "[ERROR] Unable to continue: Failed to process the request",
        ],
        &[0, 1],
    );
    // OR pattern matching: ERROR 1,2; ?ERROR ?WARN 1,2,3; ERROR WARN 1; ERROR -WARN 2.
    let lines = ["ERROR WARN message", "ERROR message", "WARN message"];
    check("ERROR", &lines, &[0, 1]);
    check("?ERROR ?WARN", &lines, &[0, 1, 2]);
    check("ERROR WARN", &lines, &[0]);
    check("ERROR -WARN", &lines, &[1]);
    // [w1=ERROR, w2] matches "ERROR message"; [w1=ERROR || w1=WARN, w2] lines 2 and 3.
    check("[w1=ERROR, w2]", &lines, &[1]);
    check("[w1=ERROR || w1=WARN, w2]", &lines, &[1, 2]);
    // {$.foo = bar} matches 1, {$.foo = baz } 2, {$.foo = bar || $.foo = baz } both.
    let json = [r#"{"foo": "bar"}"#, r#"{"foo": "baz"}"#];
    check("{$.foo = bar}", &json, &[0]);
    check("{$.foo = baz }", &json, &[1]);
    check("{$.foo = bar || $.foo = baz }", &json, &[0, 1]);
}

#[test]
fn regex_operators() {
    // %AUTHORIZED% returns both.
    check(
        "%AUTHORIZED%",
        &[
            "[ERROR 401] UNAUTHORIZED REQUEST",
            "[SUCCESS 200] AUTHORIZED REQUEST",
            "[INFO] OK",
        ],
        &[0, 1],
    );
    // ^ anchors to the beginning, $ to the end.
    check("%^[hc]at%", &["hat trick", "cat food", "that"], &[0, 1]);
    check("%[hc]at$%", &["the hat", "a cat", "hats"], &[0, 1]);
    check("%colou?r%", &["color", "colour", "colr"], &[0, 1]);
    check("%[abcx-z]%", &["a", "y", "m"], &[0, 1]);
    check("%a{3,5}%", &["aaa", "aaaa", "aaaaa", "aa"], &[0, 1, 2]);
    // "%gra|ey%" can match "gray" or "grey".
    check("%gra|ey%", &["gray", "grey", "gruy"], &[0, 1]);
    check(
        "%^starting|^initializing|^shutting down%",
        &[
            "starting ...",
            "initializing ...",
            "shutting down",
            "skipping initializing ...",
        ],
        &[0, 1, 2],
    );
    // %\[.\]% matches any single character between brackets.
    check(
        r"%\[.\]%",
        &["[a]", "[b]", "[7]", "[@]", "[]]", "[ ]", "[ab]"],
        &[0, 1, 2, 3, 4, 5],
    );
    check(r"%10\.10\.0\.1%", &["10.10.0.1", "10010,051"], &[0]);
    // Unescaped dots: "%10.10.0.1%" can match "10010,051".
    check("%10.10.0.1%", &["10010,051"], &[0]);
    check("%ab*c%", &["ac", "abc", "abbbc", "adc"], &[0, 1, 2]);
    check("%ab[0-9]*%", &["ab", "ab0", "ab129"], &[0, 1, 2]);
    check("%ab+c%", &["abc", "abbc", "abbbc", "ac"], &[0, 1, 2]);
    check(
        "%.at%",
        &["hat", "cat", "bat", "4at", "#at", " at", "at"],
        &[0, 1, 2, 3, 4, 5],
    );
    check(r"%\d%", &["a1", "ab"], &[0]);
    check(r"%\D%", &["12", "1a"], &[1]);
    check(r"%\s%", &["a b", "ab"], &[0]);
    check(r"%\w%", &["_", "-"], &[0]);
    // \xhh: %\x3A% matches ':'.
    check(r"%\x3A%", &["a:b", "ab"], &[0]);
    // %something!% is rejected since '!' is not supported.
    assert!(parse("%something!%").is_err());
}

const JSON_EVENT: &str = r#"{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null, "cluster.name": "c", "ThisFlag": true}"#;

#[test]
fn json_single_conditions() {
    for pattern in [
        r#"{ $.eventType = "UpdateTrail" }"#,
        "{ $.sourceIPAddress != 123.123.* }",
        r#"{ $.arrayKey[0] = "value" }"#,
        "{ $.eventType = %Trail% }",
        "{ $.arrayKey[*] = %val.{2}% }",
        r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",
        r#"{ $.['cluster.name'] = "c" }"#,
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        // 2020 guide:
        "{ $.objectList[1].id = 2 }",
        "{ $.ThisFlag IS TRUE }",
        r#"{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }"#,
    ] {
        assert!(
            pat(pattern).matches_raw(JSON_EVENT),
            "{pattern} should match"
        );
    }
    for pattern in [
        "{ $.ThisFlag IS FALSE }",
        "{ $.SomeObject NOT EXISTS }",
        "{ $.eventType IS NULL }",
    ] {
        assert!(
            !pat(pattern).matches_raw(JSON_EVENT),
            "{pattern} should not match"
        );
    }
}

#[test]
fn json_compound_expressions() {
    let event = r#"{"user": {"id": 1, "email": "John.Stiles@example.com"},
      "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
      "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}"#;
    let cases = [
        (
            r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#,
            true,
        ),
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }"#,
            true,
        ),
        (
            r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }"#,
            false,
        ),
        (
            r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#,
            false,
        ),
        // 2020 guide, unquoted values:
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#,
            true,
        ),
    ];
    for (pattern, expected) in cases {
        assert_eq!(pat(pattern).matches_raw(event), expected, "{pattern}");
    }
}

#[test]
fn json_selector_on_array_or_object_never_matches() {
    // "both {$.users = 1} and {$.users != 1} will fail to match" when users is an array.
    let event = r#"{"users": [1, 2, 3]}"#;
    assert!(!pat("{$.users = 1}").matches_raw(event));
    assert!(!pat("{$.users != 1}").matches_raw(event));
}

#[test]
fn json_numeric_comparisons() {
    let cases = [
        ("{ $.bandwidth > 75 }", r#"{"bandwidth": 76}"#, true),
        ("{ $.bandwidth > 75 }", r#"{"bandwidth": 75}"#, false),
        ("{ $.latency < 50 }", r#"{"latency": 49.5}"#, true),
        ("{ $.refreshRate >= 60 }", r#"{"refreshRate": 60}"#, true),
        ("{ $.responseTime <= 5 }", r#"{"responseTime": 6}"#, false),
        ("{ $.errorCode = 400}", r#"{"errorCode": 400}"#, true),
        ("{ $.errorCode != 500 }", r#"{"errorCode": 400}"#, true),
        ("{ $.number[0] = 1e+3 }", r#"{"number": [1000]}"#, true),
        ("{ $.number[0] != 1e-3 }", r#"{"number": [0.001]}"#, false),
        ("{ $.latency >= 500 }", r#"{"latency": 500}"#, true),
        ("{ $.numbers[0] < 10e3 }", r#"{"numbers": [9999]}"#, true),
        ("{ $.numbers[0] < 10e-3 }", r#"{"numbers": [0.5]}"#, false),
        (
            "{ $.processes[4].averageRuntime <= 55.5 }",
            r#"{"processes": [0,0,0,0,{"averageRuntime": 55.5}]}"#,
            true,
        ),
        ("{ $.latency > +1000 }", r#"{"latency": 1001}"#, true),
        // metricFilter: { $.latency = * } on {"latency": 50, "requestType": "GET"}.
        (
            "{ $.latency = * }",
            r#"{"latency": 50, "requestType": "GET"}"#,
            true,
        ),
        ("{ $.latency = * }", r#"{"requestType": "GET"}"#, false),
    ];
    for (pattern, event, expected) in cases {
        assert_eq!(
            pat(pattern).matches_raw(event),
            expected,
            "{pattern} on {event}"
        );
    }
}

const APACHE: &str =
    r#"127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;

#[test]
fn space_delimited() {
    for pattern in [
        "[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        "[..., request =*.html*, status_code = 4*, bytes]",
        "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]",
        "[ip, server, username, timestamp, request, status_code, bytes > 1000]",
        // 2020 guide:
        "[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]",
        "[..., status_code, bytes]",
        "[ip, user, ...]",
        "[..., request=*.html*, status_code=4*,]",
    ] {
        assert!(pat(pattern).matches_raw(APACHE), "{pattern} should match");
    }
    for pattern in [
        "[ip, user, username, timestamp, request, status_code = 200, bytes]",
        "[ip, user, username, timestamp, request, status_code, bytes > 2000]",
        "[ip, user, username, timestamp, request, status_code]",
    ] {
        assert!(
            !pat(pattern).matches_raw(APACHE),
            "{pattern} should not match"
        );
    }
    // 2020 guide: three Apache lines, status 200/500/200.
    let lines = [
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355"#,
    ];
    check(
        "[ip, user, username, timestamp, request, status_code = 200, bytes]",
        &lines,
        &[0, 2],
    );
    check(
        "[ip, user, username, timestamp, request, status_code, bytes > 5000]",
        &lines,
        &[1],
    );
}

#[test]
fn space_delimited_pattern_matching() {
    let lines = [
        "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
        "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
        "WARNING 09/25/2014 12:00:02 Invalid user request",
        "ERROR 09/25/2014 12:00:02 Failed to process request",
    ];
    check(
        "[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]",
        &lines,
        &[0],
    );
    check(
        "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]",
        &lines,
        &[1],
    );
    check("[w1=ERROR, ...]", &lines, &[3]);
    check("[w1=ERROR || w1=WARNING, ...]", &lines, &[2, 3]);
    check("[w1!=ERROR && w1!=WARNING, ...]", &lines, &[0, 1]);
    // As written in the guide, `[w1=ERROR, w2]` has two fields; these lines have more, so
    // (field counts being exact, as the 2020 guide's examples show) it matches none of them.
    check("[w1=ERROR, w2]", &lines, &[]);
}
