//! Invalid patterns: the error's position, column and message.

use crate::logs_pattern::parse;

/// Asserts `text` fails at `column` (1-based) with a message containing `needle`.
fn fails(text: &str, column: usize, needle: &str) {
    match parse(text) {
        Ok(p) => panic!("{text:?} parsed as {}", p.describe()),
        Err(e) => {
            assert_eq!(e.column, column, "{text:?}: {e}");
            assert!(
                e.message.contains(needle),
                "{text:?}: message {:?} lacks {needle:?}",
                e.message
            );
            let shown = e.to_string();
            assert!(
                !shown.contains('\n') && shown.ends_with(&format!("at column {column}")),
                "{shown}"
            );
            assert!(text.is_char_boundary(e.position) && e.position <= text.len());
        }
    }
}

#[test]
fn json_errors_point_at_the_offending_token() {
    //                 1234567890123456789
    fails("{ $.eventName CreateTrail }", 15, "expected `=`, `!=`");
    fails("{ $.eventName = }", 17, "a value after `=`");
    fails(
        "{ $.eventName = ConsoleLogin",
        29,
        "expected `&&`, `||` or `}`",
    );
    fails("{ ($.a = 1 }", 12, "`&&`, `||` or `)`");
    fails("{ $.a = 1 ) }", 11, "`&&`, `||` or `}`");
    fails("{ $.a = 1 } x", 13, "nothing after the closing `}`");
    fails("{ }", 3, "a property selector");
    fails("{ $.a = 1 && }", 14, "a property selector");
    fails("{ $.a > abc }", 9, "a number after `>`");
    fails("{ $.a >= \"10\" }", 10, "a number after `>=`");
    fails("{ $.a = 1 & $.b = 2 }", 11, "expected `&&`");
    fails("{ $.a = 1 | $.b = 2 }", 11, "expected `||`");
    fails("{ $.a ! 1 }", 7, "expected `!=`");
    fails(
        "{ $.a = user@example.com }",
        13,
        "only allowed inside double quotes",
    );
    fails("{ $.a = \"open }", 9, "unterminated string");
    fails("{ $ = 1 }", 4, "starts with `$.`");
    fails("{ $. = 1 }", 5, "property name after `.`");
    fails("{ $.a[x] = 1 }", 7, "array index");
    fails("{ $.a[0 = 1 }", 8, "expected `]`");
    fails("{ $.a IS MAYBE }", 10, "`TRUE`, `FALSE` or `NULL`");
    fails("{ $.a NOT THERE }", 11, "`EXISTS` after `NOT`");
}

#[test]
fn documented_unsupported_forms_are_errors() {
    // "The variables IS NOT and EXISTS currently aren't supported."
    fails("{ $.a IS NOT NULL }", 10, "`IS NOT` is not supported");
    fails("{ $.a EXISTS }", 7, "`EXISTS` is not supported");
    // Regex: no parentheses, only the listed symbols, no multi-byte characters.
    fails("%(a|b)%", 2, "`(` and `)` are not supported");
    fails("%something!%", 11, "`!` is not supported");
    fails("%café%", 5, "multi-byte");
    fails("%abc", 1, "unterminated regex");
    // Quotas: one wildcard per selector, three per pattern, two regexes per pattern.
    fails("{ $.*[*] = 1 }", 3, "only one wildcard");
    fails(
        "{ $.a.* = 1 || $.b.* = 1 || $.c.* = 1 || $.d.* = 1 }",
        42,
        "at most 3 wildcard",
    );
    fails(
        "{ $.a = %a% || $.b = %b% || $.c = %c% }",
        35,
        "at most 2 regexes",
    );
    // 1024 characters at most.
    let long = format!("{{ $.a = \"{}\" }}", "x".repeat(1020));
    fails(&long, 1025, "at most 1024 characters");
}

#[test]
fn regex_errors() {
    fails("%a{2,1}%", 3, "minimum above maximum");
    fails("%a{1001}%", 3, "above 1000");
    fails("%*a%", 2, "nothing to repeat");
    fails("%^*%", 3, "nothing to repeat");
    fails("%[abc%", 2, "unterminated `[`");
    fails("%[z-a]%", 4, "out of order");
    fails(r"%\q%", 2, "unsupported escape");
    fails(r"%\x4%", 2, "two hexadecimal digits");
    fails("%a]%", 3, "unmatched `]`");
    fails("{ $.a = %x(%  }", 11, "`(` and `)`");
}

#[test]
fn space_delimited_errors() {
    fails("[]", 2, "a field name or `...`");
    fails("[a b]", 4, "`,`, `]`");
    fails("[a, b", 6, "`,`, `]`");
    fails("[a = ]", 6, "a value after `=`");
    fails("[a.b, c]", 2, "field name is letters");
    fails("[a > x]", 6, "a number after `>`");
    // A condition must name its own field; the console rejects the 2020 guide's
    // `status_code = 4* && bytes > 1000` as "Invalid filter pattern" (awsdocs/amazon-cloudwatch-logs-user-guide#21).
    fails(
        "[ip, status_code = 4* && bytes > 1000]",
        26,
        "must name `status_code`",
    );
    fails("[a] x", 5, "nothing after the closing `]`");
}

#[test]
fn term_errors() {
    fails("ERROR \"open", 7, "unterminated string");
    fails("ERROR -", 7, "a term after `-`");
    fails("?", 1, "a term after `?`");
}

#[test]
fn columns_count_characters_and_restart_per_line() {
    // Multi-byte text before the error: the column counts characters, the position bytes.
    let text = "{ $.a = \"é\" && $.b ~ 1 }";
    let e = parse(text).unwrap_err();
    assert_eq!((e.position, e.column), (20, 20));
    let text = "{ $.a = 1 &&\n  $.b ~ 1 }";
    let e = parse(text).unwrap_err();
    assert_eq!(e.column, 7, "{e}");
    assert_eq!(&text[e.position..e.position + 1], "~");
}
