//! Evaluation of a parsed pattern against one log event.
//!
//! JSON patterns look at the parsed event; terms, standalone regexes and space-delimited
//! patterns look at the raw event text. The semantics (and where they are a decision rather
//! than documented) are set out in the module documentation of `logs_pattern`.

use std::borrow::Cow;

use serde_json::Value as Json;

use super::ast::{Ast, CmpOp, Expr, FieldExpr, Glob, GlobPiece, Number, Seg, Slot, Test, Value};
use super::parser::number;

pub(crate) fn matches(ast: &Ast, event: &Json, raw: &str) -> bool {
    match ast {
        Ast::MatchAll => true,
        Ast::Terms(terms) => super::terms::matches(terms, raw),
        Ast::Regex(re) => re.is_match(raw),
        Ast::Json(expr) => event.is_object() && expr_match(expr, event),
        Ast::Delimited(slots) => delimited_match(slots, &split_fields(raw)),
    }
}

// ------------------------------------------------------------------------------------- JSON

fn expr_match(e: &Expr, root: &Json) -> bool {
    match e {
        Expr::Or(items) => items.iter().any(|i| expr_match(i, root)),
        Expr::And(items) => items.iter().all(|i| expr_match(i, root)),
        Expr::Cond(c) => {
            let found = resolve(&c.selector, root);
            match &c.test {
                Test::NotExists => found.is_empty(),
                Test::IsNull => found.iter().any(|v| v.is_null()),
                Test::IsTrue => found.iter().any(|v| v.as_bool() == Some(true)),
                Test::IsFalse => found.iter().any(|v| v.as_bool() == Some(false)),
                Test::Cmp(op, value) => found.iter().any(|leaf| json_cmp(*op, value, leaf)),
            }
        }
    }
}

/// The values a selector points at: none, one, or (through a wildcard) several.
fn resolve<'v>(segs: &[Seg], root: &'v Json) -> Vec<&'v Json> {
    let mut cur = vec![root];
    for seg in segs {
        let mut next = Vec::new();
        for v in cur {
            match (seg, v) {
                (Seg::Key(k), Json::Object(m)) => next.extend(m.get(k)),
                (Seg::Index(i), Json::Array(a)) => next.extend(a.get(*i as usize)),
                (Seg::Any, Json::Object(m)) => next.extend(m.values()),
                (Seg::Any, Json::Array(a)) => next.extend(a.iter()),
                _ => {}
            }
        }
        if next.is_empty() {
            return next;
        }
        cur = next;
    }
    cur
}

/// A comparison against one JSON value. Only strings and numbers are value nodes: on an
/// object, array, boolean or null every comparison, `!=` included, is false (documented for
/// arrays and objects: `{$.users = 1}` and `{$.users != 1}` both fail on an array).
fn json_cmp(op: CmpOp, value: &Value, leaf: &Json) -> bool {
    let text: Cow<'_, str> = match leaf {
        Json::String(s) => Cow::Borrowed(s.as_str()),
        Json::Number(n) => Cow::Owned(n.to_string()),
        _ => return false,
    };
    let leaf_num = leaf.as_f64();
    match (op, value) {
        (CmpOp::Eq | CmpOp::Ne, Value::Number(n)) => {
            let eq = match leaf_num {
                Some(x) => x == n.value,
                None => text == n.text,
            };
            eq == (op == CmpOp::Eq)
        }
        (CmpOp::Eq | CmpOp::Ne, Value::Text(g)) => glob_match(g, &text) == (op == CmpOp::Eq),
        (CmpOp::Eq | CmpOp::Ne, Value::Regex(re)) => re.is_match(&text) == (op == CmpOp::Eq),
        (_, Value::Number(n)) => leaf_num.is_some_and(|x| ordered(op, x, n)),
        _ => false,
    }
}

fn ordered(op: CmpOp, x: f64, n: &Number) -> bool {
    match op {
        CmpOp::Lt => x < n.value,
        CmpOp::Le => x <= n.value,
        CmpOp::Gt => x > n.value,
        CmpOp::Ge => x >= n.value,
        CmpOp::Eq => x == n.value,
        CmpOp::Ne => x != n.value,
    }
}

/// `*` matches any run of characters (possibly empty), anywhere in the string.
pub(crate) fn glob_match(g: &Glob, text: &str) -> bool {
    // The literal runs between stars: n stars give n + 1 runs, some possibly empty.
    let mut runs: Vec<String> = vec![String::new()];
    for piece in &g.0 {
        match piece {
            GlobPiece::Lit(l) => {
                if let Some(r) = runs.last_mut() {
                    r.push_str(l);
                }
            }
            GlobPiece::Star => runs.push(String::new()),
        }
    }
    let (first, last) = (&runs[0], &runs[runs.len() - 1]);
    if runs.len() == 1 {
        return text == first;
    }
    if text.len() < first.len() + last.len()
        || !text.starts_with(first.as_str())
        || !text.ends_with(last.as_str())
    {
        return false;
    }
    // Leftmost placement of each middle run is optimal for `*`-only globs.
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &runs[1..runs.len() - 1] {
        match rest.find(mid.as_str()) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

// -------------------------------------------------------------------------- space-delimited

/// Splits an event into fields on blanks; `"…"` and `[…]` are one field each, without the
/// quotes or brackets (documented: characters between brackets or double quotes are one
/// field; the documented extracted values drop them).
pub(crate) fn split_fields(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = raw;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return out;
        };
        let close = match c {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            let body = &rest[1..];
            match body.find(close) {
                Some(end) => {
                    out.push(&body[..end]);
                    rest = &body[end + 1..];
                }
                None => {
                    out.push(body);
                    return out;
                }
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
}

/// Fields are matched in order; `...` takes any number of fields; without one the event
/// must have exactly as many fields as the pattern (documented: `[w1=ERROR, w2]` matches
/// `ERROR message` but not `ERROR WARN message`). Dynamic programming, no backtracking.
fn delimited_match(slots: &[Slot], fields: &[&str]) -> bool {
    let n = fields.len();
    // ok[j]: slots[i+1..] match fields[j..].
    let mut ok = vec![false; n + 1];
    ok[n] = true;
    for slot in slots.iter().rev() {
        let mut cur = vec![false; n + 1];
        for j in (0..=n).rev() {
            cur[j] = match slot {
                Slot::Ellipsis => ok[j] || (j < n && cur[j + 1]),
                Slot::Field { cond, .. } => {
                    j < n && ok[j + 1] && cond.as_ref().is_none_or(|c| field_match(c, fields[j]))
                }
            };
        }
        ok = cur;
    }
    ok[0]
}

fn field_match(e: &FieldExpr, text: &str) -> bool {
    match e {
        FieldExpr::Or(items) => items.iter().any(|i| field_match(i, text)),
        FieldExpr::And(items) => items.iter().all(|i| field_match(i, text)),
        FieldExpr::Cmp(op, value) => {
            let is = op == &CmpOp::Eq;
            match (op, value) {
                (CmpOp::Eq | CmpOp::Ne, Value::Text(g)) => glob_match(g, text) == is,
                (CmpOp::Eq | CmpOp::Ne, Value::Regex(re)) => re.is_match(text) == is,
                (CmpOp::Eq | CmpOp::Ne, Value::Number(n)) => {
                    let eq = text == n.text || number(text).is_some_and(|x| x.value == n.value);
                    eq == is
                }
                (_, Value::Number(n)) => number(text).is_some_and(|x| ordered(*op, x.value, n)),
                _ => false,
            }
        }
    }
}
