//! The syntax tree of a parsed filter pattern, and its normalised one-line rendering.
//!
//! The tree is normalised by construction: parentheses are not kept (precedence is in the
//! shape), an `&&` never has an `&&` child and an `||` never an `||` child, a quoted value and
//! the same unquoted value are one value, and globs have no empty literals or repeated `*`.
//! [`render`] prints a tree so that parsing the text gives the same tree back.

use super::regex::Regex;

/// A whole pattern; which kind it is depends on its first non-blank character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    /// The empty pattern (or only blanks): every event.
    MatchAll,
    /// Unstructured terms: `ERROR -DEBUG`, `?ERROR ?WARN`, `"Failed login"`.
    Terms(Vec<Term>),
    /// A standalone regular expression: `%AUTHORIZED%`.
    Regex(Regex),
    /// A JSON pattern: `{ $.eventName = "ConsoleLogin" }`.
    Json(Expr),
    /// A space-delimited pattern: `[ip, user, ..., status_code = 4*, bytes > 1000]`.
    Delimited(Vec<Slot>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermKind {
    /// Must appear.
    Required,
    /// `-term`: must not appear.
    Excluded,
    /// `?term`: at least one of these must appear (ignored next to other terms, as documented).
    Optional,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub kind: TermKind,
    pub text: String,
}

/// A JSON boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// Two or more operands, none an `Or`.
    Or(Vec<Expr>),
    /// Two or more operands, none an `And`.
    And(Vec<Expr>),
    Cond(Cond),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cond {
    pub selector: Vec<Seg>,
    pub test: Test,
}

/// One step of a property selector after `$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// `.name` or `['name']`.
    Key(String),
    /// `[3]`.
    Index(u32),
    /// `.*` or `[*]`: any member of an object, any element of an array.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Cmp(CmpOp, Value),
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A string, quoted or not, where an unescaped `*` matches any run of characters.
    Text(Glob),
    /// An unquoted number: `400`, `-1.5`, `1e-3`.
    Number(Number),
    /// `%regex%`.
    Regex(Regex),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// As written (kept for rendering and for comparison with JSON strings).
    pub text: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GlobPiece {
    Lit(String),
    Star,
}

/// A string with `*` wildcards; normalised (no empty literal, no two adjacent pieces alike).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Glob(pub Vec<GlobPiece>);

impl Glob {
    /// Builds a glob from characters, each flagged "escaped" (an escaped `*` is literal).
    pub(crate) fn from_chars(chars: impl IntoIterator<Item = (char, bool)>) -> Glob {
        let mut pieces: Vec<GlobPiece> = Vec::new();
        for (c, escaped) in chars {
            if c == '*' && !escaped {
                if pieces.last() != Some(&GlobPiece::Star) {
                    pieces.push(GlobPiece::Star);
                }
            } else if let Some(GlobPiece::Lit(s)) = pieces.last_mut() {
                s.push(c);
            } else {
                pieces.push(GlobPiece::Lit(c.to_string()));
            }
        }
        Glob(pieces)
    }
}

/// One comma-separated field of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    /// `...`: any number of fields (zero or more).
    Ellipsis,
    /// A named field, optionally with conditions on its value; `name` is `None` for an empty
    /// field (`[a, , b]`, or a trailing comma).
    Field {
        name: Option<String>,
        cond: Option<FieldExpr>,
    },
}

/// Conditions on one delimited field's value (`status_code = 4* && status_code != 403`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldExpr {
    Or(Vec<FieldExpr>),
    And(Vec<FieldExpr>),
    Cmp(CmpOp, Value),
}

// ------------------------------------------------------------------------------ rendering

/// The normalised one-line text of a tree.
pub(crate) fn render(ast: &Ast) -> String {
    match ast {
        Ast::MatchAll => String::new(),
        Ast::Terms(terms) => terms.iter().map(render_term).collect::<Vec<_>>().join(" "),
        Ast::Regex(re) => format!("%{}%", re.source()),
        Ast::Json(expr) => format!("{{ {} }}", render_expr(expr)),
        Ast::Delimited(slots) => {
            let fields: Vec<String> = slots.iter().map(render_slot).collect();
            format!("[{}]", fields.join(", "))
        }
    }
}

fn render_term(t: &Term) -> String {
    let prefix = match t.kind {
        TermKind::Required => "",
        TermKind::Excluded => "-",
        TermKind::Optional => "?",
    };
    let plain = !t.text.is_empty()
        && t.text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{prefix}{}", t.text)
    } else {
        let mut s = format!("{prefix}\"");
        for c in t.text.chars() {
            if c == '"' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    }
}

fn render_expr(e: &Expr) -> String {
    match e {
        Expr::Or(items) => items
            .iter()
            .map(render_expr)
            .collect::<Vec<_>>()
            .join(" || "),
        Expr::And(items) => items
            .iter()
            .map(|i| match i {
                Expr::Or(_) => format!("({})", render_expr(i)),
                _ => render_expr(i),
            })
            .collect::<Vec<_>>()
            .join(" && "),
        Expr::Cond(c) => {
            let sel = render_selector(&c.selector);
            match &c.test {
                Test::Cmp(op, v) => format!("{sel} {} {}", op.symbol(), render_value(v)),
                Test::IsTrue => format!("{sel} IS TRUE"),
                Test::IsFalse => format!("{sel} IS FALSE"),
                Test::IsNull => format!("{sel} IS NULL"),
                Test::NotExists => format!("{sel} NOT EXISTS"),
            }
        }
    }
}

pub(crate) fn render_selector(segs: &[Seg]) -> String {
    let mut s = String::from("$");
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Seg::Key(k) if is_plain_key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Key(k) => {
                if i == 0 {
                    s.push('.');
                }
                s.push_str("['");
                for c in k.chars() {
                    if c == '\'' || c == '\\' {
                        s.push('\\');
                    }
                    s.push(c);
                }
                s.push_str("']");
            }
            Seg::Index(n) => s.push_str(&format!("[{n}]")),
            Seg::Any if i == 0 => s.push_str(".*"),
            Seg::Any => s.push_str("[*]"),
        }
    }
    s
}

/// A key that can follow a `.` unbracketed: letters, digits, `-` and `_`.
pub(crate) fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn render_value(v: &Value) -> String {
    match v {
        Value::Number(n) => n.text.clone(),
        Value::Regex(re) => format!("%{}%", re.source()),
        Value::Text(g) => {
            let mut s = String::from("\"");
            for piece in &g.0 {
                match piece {
                    GlobPiece::Star => s.push('*'),
                    GlobPiece::Lit(l) => {
                        for c in l.chars() {
                            if matches!(c, '"' | '\\' | '*') {
                                s.push('\\');
                            }
                            s.push(c);
                        }
                    }
                }
            }
            s.push('"');
            s
        }
    }
}

fn render_slot(slot: &Slot) -> String {
    match slot {
        Slot::Ellipsis => "...".to_string(),
        Slot::Field { name: None, .. } => String::new(),
        Slot::Field {
            name: Some(n),
            cond: None,
        } => n.clone(),
        Slot::Field {
            name: Some(n),
            cond: Some(c),
        } => render_field_expr(n, c),
    }
}

fn render_field_expr(name: &str, e: &FieldExpr) -> String {
    match e {
        FieldExpr::Cmp(op, v) => format!("{name} {} {}", op.symbol(), render_value(v)),
        FieldExpr::Or(items) => items
            .iter()
            .map(|i| render_field_expr(name, i))
            .collect::<Vec<_>>()
            .join(" || "),
        FieldExpr::And(items) => items
            .iter()
            .map(|i| render_field_expr(name, i))
            .collect::<Vec<_>>()
            .join(" && "),
    }
}
