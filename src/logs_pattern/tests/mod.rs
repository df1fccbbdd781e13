//! Tests of the `logs_pattern` module.

mod cis;
mod docs_examples;
mod errors;
mod props;
mod rewrites;
mod semantics;

use std::collections::BTreeSet;

use super::ast::{Ast, CmpOp, Expr, GlobPiece, Seg, Test, Value};
use super::{EventClass, Pattern, classes, parse};

pub(super) fn pat(text: &str) -> Pattern {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub(super) fn cis_classes() -> impl Iterator<Item = &'static EventClass> {
    classes().iter().filter(|c| !c.is_parameterised())
}

pub(super) fn json_expr(p: &Pattern) -> &Expr {
    match &p.ast {
        Ast::Json(e) => e,
        other => panic!("not a JSON pattern: {other:?}"),
    }
}

/// The names `$.eventName = Name` compares with, anywhere in the expression.
pub(super) fn event_names(e: &Expr, out: &mut BTreeSet<String>) {
    match e {
        Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| event_names(i, out)),
        Expr::Cond(c) => {
            if let (Some(Seg::Key(k)), Test::Cmp(CmpOp::Eq, Value::Text(g))) =
                (c.selector.first(), &c.test)
                && k == "eventName"
                && c.selector.len() == 1
                && let [GlobPiece::Lit(name)] = g.0.as_slice()
            {
                out.insert(name.clone());
            }
        }
    }
}
