//! Amazon CloudWatch Logs *filter patterns*: parse them, evaluate them against log events,
//! and decide whether a metric filter on a CloudTrail log group catches a class of events.
//!
//! # Why this exists
//!
//! The CIS AWS Foundations Benchmark monitoring recommendations (v3.0.0–v6.0.0: unauthorized
//! API calls, console sign-in without MFA, root usage, IAM policy changes, …) ask for a
//! metric filter with an alarm on the CloudTrail log group. Comparing a filter's text with the
//! benchmark's text is brittle: spacing, quoting, the order of `||` terms and parentheses all
//! vary between equally good filters, and a filter that looks alike can silently miss one
//! event name. This module instead *runs* the filter over sample CloudTrail records of the
//! class ([`classes`]) and reports what it misses and what it wrongly catches ([`covers`]).
//!
//! # What it must not do
//!
//! It is pure: no I/O, no clock, no AWS calls, no global mutable state (the embedded samples
//! are parsed once, lazily). It never panics on any input: every malformed pattern is a
//! [`PatternError`] with a byte position, a 1-based column and a one-line message. No `unsafe`.
//! Matching is linear-time in the event for every construct (no backtracking regex).
//!
//! # Syntax and semantics
//!
//! Sources: "Filter pattern syntax for metric filters, subscription filters, filter log
//! events, and Live Tail" and "Using filter patterns to match terms in JSON log events",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html> and
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html>
//! (current text, and the 2020–2023 text archived in github.com/awsdocs/amazon-cloudwatch-logs-user-guide).
//!
//! Documented, and implemented as documented:
//! * The first non-blank character picks the kind: `{` JSON, `[` space-delimited, `%` a
//!   regex; otherwise unstructured terms. The empty pattern matches every event.
//! * Terms are case-sensitive substrings of the raw event: all plain terms must occur, no
//!   `-term` may occur; `?a ?b` needs one of them, and `?` terms *next to other terms are
//!   ignored*. `" "` matches everything.
//! * JSON: `$.a.b`, `$.a[0]`, `$.a[0][1]`, `$.['dotted.key']`, wildcard `$.*` / `$.a[*]` (any
//!   member/element; at most one per selector and three per pattern); `=` `!=` on strings
//!   (quoted, or bare) with `*` wildcards, `= != < > <= >=` on numbers (sign, fraction,
//!   exponent), `%regex%` values (at most two per pattern), `IS TRUE`, `IS FALSE`, `IS NULL`,
//!   `NOT EXISTS`; `&&`, `||`, parentheses, with precedence `()` > `&&` > `||` (documented:
//!   `a || b && c` is `a || (b && c)` — this matters for the CIS unauthorized-API pattern,
//!   whose exclusions therefore apply to its `AccessDenied*` branch only). Blanks anywhere.
//! * A selector that points at an object or array makes every comparison false, `!=` too.
//! * `IS NOT` and `EXISTS` are documented as not supported: they are errors here.
//! * Space-delimited: fields in order, `...` for any number of fields, `"…"` and `[…]` are
//!   one field, conditions `= != < > <= >=` joined with `&&`/`||`, `*` wildcards, regexes.
//! * At most 1024 characters (PutMetricFilter). Regexes: the documented subset (see
//!   `regex.rs`): no groups, top-level `|`, classes, `{m,n}`, `\d \s \w \xhh`, anchors.
//!
//! Decided here, where the documentation is silent (each is a choice, written down):
//! * `!=` on a missing field does **not** match (nor on null, booleans, objects, arrays): the
//!   selector must reach a string or number. Consistent with the documented array/object
//!   rule, and with the console's *Test pattern* as reported in DataBiosphere/azul#5884
//!   (`$.userIdentity.invokedBy != "x"` does not match a record without `invokedBy`). Use
//!   `NOT EXISTS` for absence.
//! * `*` is a wildcard anywhere in a value (prefix, suffix, infix). The 2020 guide said an
//!   infix `Ev*ent` matched only the literal text `Ev*ent`; the current guide says only "use
//!   the asterisk as a wild card". `\*` inside quotes is a literal asterisk; `\"` and `\\`
//!   are the other escapes; any other backslash is literal.
//! * An unquoted number compares numerically with a JSON number and textually with a JSON
//!   string (`$.recipientAccountId = 123456789012` matches the string CloudTrail writes);
//!   ordering operators need a JSON number. Quoted values compare as text (a JSON number by
//!   its JSON spelling).
//! * With a wildcard selector a condition holds if it holds for *some* selected value
//!   (`NOT EXISTS`: if none is selected).
//! * A JSON pattern never matches an event that is not a JSON object.
//! * Keywords (`IS`, `TRUE`, `NOT EXISTS`, …) are case-insensitive.
//! * Unquoted JSON/delimited values may contain letters, digits and `_ - . * : / +` (the
//!   documented examples use `123.123.*`, `kms.amazonaws.com`, `+1000`); `@`, `$`, `\` and
//!   non-ASCII must be quoted (documented). Unquoted *terms* may contain anything but blanks
//!   and `"` — existing filters were accepted by AWS, so term parsing is lenient.
//! * Space-delimited: without `...` the field count must be exact (the 2020 guide: `[w1=ERROR,
//!   w2]` matches `ERROR message`, not `ERROR WARN message`; the current guide's example
//!   applies it to longer lines, which contradicts that — unsettled); a condition inside a
//!   field must name that field (the console rejects the 2020 guide's
//!   `status_code = 4* && bytes > 1000` as "Invalid filter pattern",
//!   awsdocs/amazon-cloudwatch-logs-user-guide#21); an empty field (`[a, , b]`, or the
//!   guide's trailing comma) is an unnamed field without conditions; `[]` is an error.
//! * `(` nesting deeper than 64 is an error (bounds recursion; not a documented limit).
//!
//! Out of scope: what a filter *extracts* (metric values, dimensions, `$status_code`), the
//! Logs Insights query language, and any quota the documentation does not state.
//!
//! The CIS pattern texts are those of the benchmark's remediation steps (v3.0.0–v5.0.0
//! section 4, v6.0.0 section 5) as transcribed in github.com/turbot/steampipe-mod-aws-compliance;
//! see `samples/*.json` (and `scripts/gen_samples.py` in the scratch crate that wrote them).

mod ast;
mod classes;
mod eval;
mod lexer;
mod parser;
mod regex;
mod terms;

#[cfg(test)]
mod tests;

use std::fmt;

pub use classes::{
    CisVersion, Coverage, EventClass, Sample, class, classes, covers, covers_regions,
    region_pattern, try_classes,
};

/// A parsed filter pattern.
///
/// Equality is structural: two patterns are equal when they parse to the same normalised
/// tree, whatever their spacing, quoting (of values that need none) or redundant parentheses.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    ast: ast::Ast,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.ast == other.ast
    }
}

/// Which of the documented kinds of pattern this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// Empty: every event.
    MatchAll,
    /// Unstructured terms (`ERROR -DEBUG`).
    Terms,
    /// A standalone regex (`%AUTHORIZED%`).
    Regex,
    /// A JSON pattern (`{ $.eventName = … }`).
    Json,
    /// A space-delimited pattern (`[ip, user, …]`).
    SpaceDelimited,
}

/// Parses a filter pattern.
pub fn parse(text: &str) -> Result<Pattern, PatternError> {
    match parser::parse(text) {
        Ok(ast) => Ok(Pattern {
            text: text.to_string(),
            ast,
        }),
        Err(fail) => Err(PatternError::new(text, fail.pos, fail.msg)),
    }
}

impl Pattern {
    /// The text the pattern was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> PatternKind {
        match self.ast {
            ast::Ast::MatchAll => PatternKind::MatchAll,
            ast::Ast::Terms(_) => PatternKind::Terms,
            ast::Ast::Regex(_) => PatternKind::Regex,
            ast::Ast::Json(_) => PatternKind::Json,
            ast::Ast::Delimited(_) => PatternKind::SpaceDelimited,
        }
    }

    /// Whether the pattern matches one log event. JSON patterns look at `event` (which must
    /// be a JSON object); the other kinds at `raw`, the event's message text.
    pub fn matches(&self, event: &serde_json::Value, raw: &str) -> bool {
        eval::matches(&self.ast, event, raw)
    }

    /// Matches a CloudTrail record as CloudWatch Logs receives it: its compact JSON text.
    pub fn matches_event(&self, event: &serde_json::Value) -> bool {
        let raw = serde_json::to_string(event).unwrap_or_default();
        self.matches(event, &raw)
    }

    /// Matches a raw log message, parsing it as JSON for JSON patterns.
    pub fn matches_raw(&self, raw: &str) -> bool {
        let event = match self.ast {
            ast::Ast::Json(_) => serde_json::from_str(raw).unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        };
        self.matches(&event, raw)
    }

    /// A normalised one-line rendering; `parse(&p.describe())` gives a pattern equal to `p`.
    /// JSON: `{ $.a = "x" || $.b > 1 && ($.c IS NULL || $.d NOT EXISTS) }`, parentheses only
    /// where precedence needs them, text values always quoted.
    pub fn describe(&self) -> String {
        ast::render(&self.ast)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why a pattern did not parse. `Display` is one line: "`message` at column `column`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// 0-based byte offset into the pattern text.
    pub position: usize,
    /// 1-based column, in characters, within the line holding `position`.
    pub column: usize,
    pub message: String,
}

impl PatternError {
    fn new(text: &str, position: usize, message: String) -> PatternError {
        let mut position = position.min(text.len());
        while !text.is_char_boundary(position) {
            position -= 1;
        }
        let line_start = text[..position].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..position].chars().count() + 1;
        PatternError {
            position,
            column,
            message,
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

impl std::error::Error for PatternError {}

/// An internal parse failure: byte position and message.
#[derive(Debug)]
pub(crate) struct Fail {
    pub pos: usize,
    pub msg: String,
}

impl Fail {
    pub(crate) fn new(pos: usize, msg: impl Into<String>) -> Fail {
        Fail {
            pos,
            msg: msg.into(),
        }
    }
}
