//! Property tests: the parser never panics (arbitrary text, token soup, benchmark patterns with
//! random edits); `parse(describe(p)) == p` for what parses and for generated trees;
//! evaluation never panics and agrees before and after the round trip. `fuzz_campaign` (ignored; run by
//! `scripts/fuzz-logs-pattern.sh`) runs the same properties for a case or time budget.

use std::cell::Cell;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value as Json;

use crate::logs_pattern::ast::{
    Ast, CmpOp, Cond, Expr, FieldExpr, Glob, GlobPiece, Number, Seg, Slot, Term, TermKind, Test,
    Value,
};
use crate::logs_pattern::parse;
use crate::logs_pattern::regex::Regex;
use crate::logs_pattern::{CisVersion, Pattern};

// ------------------------------------------------------------------------------ strategies

/// Text made of pattern tokens, so that most inputs get deep into the parser.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        "$.a",
        "$.b.c",
        "$.a[0]",
        "$.*",
        "$.a[*]",
        "$.['x.y']",
        "[1]",
        "&&",
        "||",
        "&",
        "|",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "!",
        "IS",
        "NULL",
        "TRUE",
        "false",
        "NOT",
        "EXISTS",
        "\"x*y\"",
        "\"a b\"",
        "\"",
        "'",
        "abc",
        "ERROR",
        "12",
        "-3.5e2",
        "+1",
        "1e",
        "%a.b%",
        "%[a-z]{1,3}%",
        "%",
        "%(%",
        "...",
        "?",
        "-",
        "\\",
        "\\\"",
        "é",
        "*",
        " ",
        "  ",
        "\n",
        "@",
        "status_code",
        "4*",
    ]);
    let start = prop::sample::select(vec!["", "", "{", "{ ", "[", "%", "?", "-"]);
    (start, prop::collection::vec(tokens, 0..40)).prop_map(|(s, v)| format!("{s}{}", v.concat()))
}

/// Benchmark patterns with a few random edits: near-valid input, the likeliest in practice.
fn mutated_cis_pattern() -> impl Strategy<Value = String> {
    let texts: Vec<String> = crate::logs_pattern::classes()
        .iter()
        .flat_map(|c| {
            CisVersion::ALL
                .into_iter()
                .filter_map(|v| c.cis_pattern(v).map(str::to_string))
        })
        .collect();
    let edit = (
        any::<prop::sample::Index>(),
        0u8..4,
        prop::sample::select(vec![
            "(", ")", "\"", "&&", "||", "!", "=", " ", "$.", "*", "%", "}", "é",
        ]),
    );
    (
        prop::sample::select(texts),
        prop::collection::vec(edit, 1..4),
    )
        .prop_map(|(text, edits)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (at, kind, token) in edits {
                let i = at.index(chars.len() + 1);
                match kind {
                    0 if i < chars.len() => {
                        chars.remove(i);
                    }
                    1 => chars.splice(i..i, token.chars()).for_each(drop),
                    2 if i + 1 < chars.len() => chars.swap(i, i + 1),
                    _ => chars.truncate(i),
                }
            }
            chars.into_iter().collect()
        })
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "eventName",
        "x-y_1",
        "a.b",
        "it's",
        "",
        "sp ace",
        "é",
        "\\",
    ])
    .prop_map(str::to_string)
}

fn selector() -> impl Strategy<Value = Vec<Seg>> {
    let first = prop_oneof![4 => key().prop_map(Seg::Key), 1 => Just(Seg::Any)];
    let rest = prop_oneof![3 => key().prop_map(Seg::Key), 2 => (0u32..4).prop_map(Seg::Index), 1 => Just(Seg::Any)];
    (first, prop::collection::vec(rest, 0..3)).prop_map(|(f, r)| {
        let mut segs = vec![f];
        segs.extend(r);
        // At most one wildcard per selector.
        let mut seen = false;
        segs.retain(|s| !(*s == Seg::Any && std::mem::replace(&mut seen, true)));
        segs
    })
}

fn glob() -> impl Strategy<Value = Glob> {
    let piece = prop_oneof![
        3 => "[a-zA-Z0-9 .:@\"\\\\*é-]{1,6}".prop_map(GlobPiece::Lit),
        1 => Just(GlobPiece::Star),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| {
        // Normalise as the parser does: merge literals, collapse stars.
        let chars: Vec<(char, bool)> = pieces
            .iter()
            .flat_map(|p| match p {
                GlobPiece::Star => vec![('*', false)],
                GlobPiece::Lit(l) => l.chars().map(|c| (c, true)).collect(),
            })
            .collect();
        Glob::from_chars(chars)
    })
}

fn number() -> impl Strategy<Value = Number> {
    "[+-]?[0-9]{1,4}(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?".prop_map(|t| Number {
        value: t.parse().unwrap_or(0.0),
        text: t,
    })
}

fn regex() -> impl Strategy<Value = Regex> {
    prop::sample::select(vec![
        "a.b",
        "^x|y$",
        "[a-z]{1,3}",
        r"\d+",
        r"10\.0\.0\.[1-9]",
        "[^c]?@",
        "a{2,}|b{,2}",
        "",
    ])
    .prop_map(|s| Regex::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {}", e.msg)))
}

fn value(op: CmpOp) -> BoxedStrategy<Value> {
    if op.is_ordering() {
        number().prop_map(Value::Number).boxed()
    } else {
        prop_oneof![4 => glob().prop_map(Value::Text), 2 => number().prop_map(Value::Number), 1 => regex().prop_map(Value::Regex)]
            .boxed()
    }
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn cond() -> impl Strategy<Value = Expr> {
    let test = prop_oneof![
        6 => op().prop_flat_map(|o| value(o).prop_map(move |v| Test::Cmp(o, v))),
        1 => Just(Test::IsTrue),
        1 => Just(Test::IsFalse),
        1 => Just(Test::IsNull),
        1 => Just(Test::NotExists),
    ];
    (selector(), test).prop_map(|(selector, test)| Expr::Cond(Cond { selector, test }))
}

/// Splices same-kind children, as the parser's output always is.
fn normalise(e: Expr) -> Expr {
    let splice = |items: Vec<Expr>, or: bool| {
        let mut out = Vec::new();
        for i in items.into_iter().map(normalise) {
            match i {
                Expr::Or(v) if or => out.extend(v),
                Expr::And(v) if !or => out.extend(v),
                other => out.push(other),
            }
        }
        out
    };
    match e {
        Expr::Or(items) => Expr::Or(splice(items, true)),
        Expr::And(items) => Expr::And(splice(items, false)),
        c => c,
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    cond()
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
                prop::collection::vec(inner, 2..4).prop_map(Expr::And),
            ]
        })
        .prop_map(normalise)
}

fn field_expr() -> impl Strategy<Value = FieldExpr> {
    let cmp = || op().prop_flat_map(|o| value(o).prop_map(move |v| FieldExpr::Cmp(o, v)));
    let and = prop::collection::vec(cmp(), 2..4).prop_map(FieldExpr::And);
    let or_item = prop_oneof![
        cmp(),
        prop::collection::vec(cmp(), 2..3).prop_map(FieldExpr::And)
    ];
    prop_oneof![3 => cmp(), 1 => and, 1 => prop::collection::vec(or_item, 2..4).prop_map(FieldExpr::Or)]
}

fn slot() -> impl Strategy<Value = Slot> {
    prop_oneof![
        1 => Just(Slot::Ellipsis),
        1 => Just(Slot::Field { name: None, cond: None }),
        4 => ("[a-zA-Z0-9_]{1,8}", prop::option::of(field_expr())).prop_map(|(n, cond)| Slot::Field { name: Some(n), cond }),
    ]
}

fn term() -> impl Strategy<Value = Term> {
    let kind = prop::sample::select(vec![
        TermKind::Required,
        TermKind::Excluded,
        TermKind::Optional,
    ]);
    (kind, prop_oneof!["[A-Z_0-9]{1,6}", "[ -~é]{0,8}"])
        .prop_map(|(kind, text)| Term { kind, text })
}

fn ast() -> impl Strategy<Value = Ast> {
    prop_oneof![
        6 => expr().prop_map(Ast::Json),
        3 => prop::collection::vec(slot(), 1..6)
            .prop_filter("a lone empty field is `[]`", |s| !(s.len() == 1 && matches!(s[0], Slot::Field { name: None, .. })))
            .prop_map(Ast::Delimited),
        2 => prop::collection::vec(term(), 1..5).prop_map(Ast::Terms),
        1 => regex().prop_map(Ast::Regex),
        1 => Just(Ast::MatchAll),
    ]
}

fn json_event() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-1000i64..1000).prop_map(Json::from),
        (-1e6f64..1e6).prop_map(Json::from),
        prop::sample::select(vec!["a", "x*y", "UpdateTrail", "10.0.0.7", "", "é"])
            .prop_map(Json::from),
    ];
    let obj = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(key(), obj, 0..5)
        .prop_map(|m| Json::Object(m.into_iter().collect()))
}

// ------------------------------------------------------------------------------ properties

fn within_limits(text: &str) -> bool {
    text.chars().count() <= 1024
        && text.matches('%').count() <= 4
        && text.matches(".*").count() + text.matches("[*]").count() <= 3
}

/// Parses `text`; if it parses, its rendering must parse back to the same pattern. Returns
/// whether it parsed.
fn check_text(text: &str) -> Result<bool, TestCaseError> {
    let Ok(p) = parse(text) else { return Ok(false) };
    let shown = p.describe();
    let again =
        parse(&shown).map_err(|e| TestCaseError::fail(format!("{text:?} → {shown:?}: {e}")))?;
    prop_assert_eq!(&again, &p, "{:?} → {:?}", text, shown);
    prop_assert_eq!(again.describe(), shown);
    let _ = p.matches_raw(text);
    Ok(true)
}

/// Renders a generated tree and parses it back; returns false if the rendering is over a
/// documented quota (then rejected by design, and not checked).
fn check_ast(ast: Ast, event: &Json) -> Result<bool, TestCaseError> {
    let p = Pattern {
        text: String::new(),
        ast,
    };
    let shown = p.describe();
    if !within_limits(&shown) {
        return Ok(false);
    }
    let again =
        parse(&shown).map_err(|e| TestCaseError::fail(format!("{:?} → {shown:?}: {e}", p.ast)))?;
    prop_assert_eq!(&again, &p, "{:?}", shown);
    let raw = serde_json::to_string(event).unwrap_or_default();
    prop_assert_eq!(p.matches(event, &raw), again.matches(event, &raw));
    Ok(true)
}

proptest! {
    #[test]
    fn parser_never_panics_on_arbitrary_text(text in any::<String>()) {
        check_text(&text)?;
    }

    #[test]
    fn parsed_patterns_round_trip(text in token_soup()) {
        check_text(&text)?;
    }

    #[test]
    fn mutated_benchmark_patterns_round_trip(text in mutated_cis_pattern()) {
        check_text(&text)?;
    }

    #[test]
    fn generated_trees_round_trip(ast in ast(), event in json_event()) {
        check_ast(ast, &event)?;
    }
}

/// Runs the four properties, each for `LOGS_PATTERN_FUZZ_CASES` cases (default 20000) or a
/// third of `LOGS_PATTERN_FUZZ_SECONDS`, whichever comes first, and prints the figures.
#[test]
#[ignore = "long; run by scripts/fuzz-logs-pattern.sh"]
fn fuzz_campaign() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = env("LOGS_PATTERN_FUZZ_CASES").unwrap_or(20_000);
    let share = Duration::from_secs(env("LOGS_PATTERN_FUZZ_SECONDS").unwrap_or(4 * 3600) / 4);
    let mut failures = Vec::new();
    let mut report = Vec::new();
    type Prop<'a> =
        &'a mut dyn FnMut(&mut TestRunner, &Cell<u64>, &Cell<u64>) -> Result<(), String>;
    let mut run = |name: &str, what: &str, f: Prop<'_>| {
        let start = Instant::now();
        let (count, hits) = (Cell::new(0u64), Cell::new(0u64));
        while count.get() < cases && start.elapsed() < share {
            let batch = u32::try_from((cases - count.get()).min(1_000)).unwrap_or(1_000);
            let mut runner = TestRunner::new(Config {
                cases: batch,
                failure_persistence: None,
                ..Config::default()
            });
            if let Err(e) = f(&mut runner, &count, &hits) {
                failures.push(format!("{name}: {e}"));
                break;
            }
        }
        report.push(format!(
            "{name}: {} cases ({} {what}) in {:.1}s",
            count.get(),
            hits.get(),
            start.elapsed().as_secs_f64()
        ));
    };
    let tally = |n: &Cell<u64>, h: &Cell<u64>, r: Result<bool, TestCaseError>| {
        n.set(n.get() + 1);
        r.map(|hit| h.set(h.get() + u64::from(hit)))
    };
    run("arbitrary text", "parsed", &mut |r, n, h| {
        r.run(&any::<String>(), |t| tally(n, h, check_text(&t)))
            .map_err(|e| e.to_string())
    });
    run("token soup", "parsed", &mut |r, n, h| {
        r.run(&token_soup(), |t| tally(n, h, check_text(&t)))
            .map_err(|e| e.to_string())
    });
    run("mutated CIS patterns", "parsed", &mut |r, n, h| {
        r.run(&mutated_cis_pattern(), |t| tally(n, h, check_text(&t)))
            .map_err(|e| e.to_string())
    });
    run(
        "generated trees",
        "within quotas, round-tripped",
        &mut |r, n, h| {
            r.run(&(ast(), json_event()), |(a, e)| {
                tally(n, h, check_ast(a, &e))
            })
            .map_err(|e| e.to_string())
        },
    );
    for line in &report {
        println!("fuzz-logs-pattern: {line}");
    }
    println!("fuzz-logs-pattern: failures: {}", failures.len());
    for f in &failures {
        println!("fuzz-logs-pattern: FAILURE {f}");
    }
    assert!(failures.is_empty());
}
