//! Recursive-descent parser: pattern text → [`Ast`].
//!
//! The kind of pattern is decided by its first non-blank character: `{` JSON, `[`
//! space-delimited, `%` a standalone regex, anything else unstructured terms; nothing at all
//! matches every event. Limits the service documents are enforced as errors, so that what
//! parses here is what `PutMetricFilter` would accept as far as the documentation tells.

use super::Fail;
use super::ast::{Ast, CmpOp, Cond, Expr, FieldExpr, Glob, Number, Seg, Slot, Test, Value};
use super::lexer::{Tok, Token, tokenize};
use super::regex::Regex;

/// `filterPattern` is at most 1024 characters (PutMetricFilter API reference).
pub(crate) const MAX_CHARS: usize = 1024;
/// Regexes allowed in one JSON or space-delimited pattern (documented quota).
const MAX_REGEXES: usize = 2;
/// Wildcard selectors allowed in one JSON pattern (documented quota; one per selector).
const MAX_WILDCARDS: usize = 3;
/// Parenthesis nesting accepted (not a documented limit: it bounds recursion).
const MAX_DEPTH: usize = 64;

pub(crate) fn parse(text: &str) -> Result<Ast, Fail> {
    if let Some((at, _)) = text.char_indices().nth(MAX_CHARS) {
        return Err(Fail::new(
            at,
            format!("a filter pattern is at most {MAX_CHARS} characters"),
        ));
    }
    let Some((start, first)) = text.char_indices().find(|(_, c)| !c.is_whitespace()) else {
        return Ok(Ast::MatchAll);
    };
    match first {
        '{' | '[' => {
            let mut p = Parser {
                toks: tokenize(text)?,
                i: 0,
                depth: 0,
                regexes: 0,
                wildcards: 0,
            };
            let ast = if first == '{' {
                Ast::Json(p.json()?)
            } else {
                Ast::Delimited(p.delimited()?)
            };
            Ok(ast)
        }
        '%' => standalone_regex(text, start),
        _ => super::terms::parse(text).map(Ast::Terms),
    }
}

fn standalone_regex(text: &str, start: usize) -> Result<Ast, Fail> {
    let body = start + 1;
    let Some(len) = text[body..].find('%') else {
        return Err(Fail::new(start, "unterminated regex: no closing `%`"));
    };
    let after = body + len + 1;
    if let Some((at, _)) = text[after..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
    {
        return Err(Fail::new(
            after + at,
            "unexpected text after the closing `%` of a regex pattern",
        ));
    }
    Ok(Ast::Regex(Regex::parse(&text[body..body + len], body)?))
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: usize,
    regexes: usize,
    wildcards: usize,
}

fn describe_tok(t: &Tok) -> String {
    match t {
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::And => "`&&`".into(),
        Tok::Or => "`||`".into(),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::Selector(s) => format!("`{}`", super::ast::render_selector(s)),
        Tok::Quoted(_) => "a quoted string".into(),
        Tok::Regex(..) => "a regex".into(),
        Tok::Word(w) => format!("`{w}`"),
        Tok::End => "the end of the pattern".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.i).map_or(&Tok::End, |t| &t.tok)
    }
    fn pos(&self) -> usize {
        self.toks
            .get(self.i)
            .or(self.toks.last())
            .map_or(0, |t| t.start)
    }
    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn fail<T>(&self, expected: &str) -> Result<T, Fail> {
        Err(Fail::new(
            self.pos(),
            format!("expected {expected}, found {}", describe_tok(self.peek())),
        ))
    }
    fn expect(&mut self, tok: Tok, expected: &str) -> Result<(), Fail> {
        if *self.peek() == tok {
            self.bump();
            Ok(())
        } else {
            self.fail(expected)
        }
    }

    // ------------------------------------------------------------------ JSON patterns

    fn json(&mut self) -> Result<Expr, Fail> {
        self.expect(Tok::LBrace, "`{`")?;
        let e = self.or_expr()?;
        self.expect(Tok::RBrace, "`&&`, `||` or `}`")?;
        self.expect(Tok::End, "nothing after the closing `}`")?;
        Ok(e)
    }

    fn or_expr(&mut self) -> Result<Expr, Fail> {
        let mut items = vec![self.and_expr()?];
        while *self.peek() == Tok::Or {
            self.bump();
            items.push(self.and_expr()?);
        }
        Ok(flatten(items, true))
    }

    fn and_expr(&mut self) -> Result<Expr, Fail> {
        let mut items = vec![self.primary()?];
        while *self.peek() == Tok::And {
            self.bump();
            items.push(self.primary()?);
        }
        Ok(flatten(items, false))
    }

    fn primary(&mut self) -> Result<Expr, Fail> {
        match self.peek().clone() {
            Tok::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(Fail::new(
                        self.pos(),
                        format!("parentheses nested deeper than {MAX_DEPTH}"),
                    ));
                }
                self.depth += 1;
                self.bump();
                let e = self.or_expr()?;
                self.expect(Tok::RParen, "`&&`, `||` or `)`")?;
                self.depth -= 1;
                Ok(e)
            }
            Tok::Selector(segs) => {
                let at = self.pos();
                let stars = segs.iter().filter(|s| **s == Seg::Any).count();
                if stars > 1 {
                    return Err(Fail::new(
                        at,
                        "a property selector may contain only one wildcard",
                    ));
                }
                self.wildcards += stars;
                if self.wildcards > MAX_WILDCARDS {
                    return Err(Fail::new(
                        at,
                        format!(
                            "a filter pattern may contain at most {MAX_WILDCARDS} wildcard selectors"
                        ),
                    ));
                }
                self.bump();
                let test = self.test()?;
                Ok(Expr::Cond(Cond {
                    selector: segs,
                    test,
                }))
            }
            _ => self.fail("a property selector such as `$.eventName`, or `(`"),
        }
    }

    fn test(&mut self) -> Result<Test, Fail> {
        let expected =
            "`=`, `!=`, `<`, `<=`, `>`, `>=`, `IS` or `NOT EXISTS` after the property selector";
        match self.peek().clone() {
            Tok::Op(op) => {
                self.bump();
                Ok(Test::Cmp(op, self.value(op)?))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("IS") => {
                self.bump();
                let at = self.pos();
                match self.bump() {
                    Tok::Word(w) if w.eq_ignore_ascii_case("TRUE") => Ok(Test::IsTrue),
                    Tok::Word(w) if w.eq_ignore_ascii_case("FALSE") => Ok(Test::IsFalse),
                    Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => Ok(Test::IsNull),
                    Tok::Word(w) if w.eq_ignore_ascii_case("NOT") => Err(Fail::new(
                        at,
                        "`IS NOT` is not supported by CloudWatch Logs",
                    )),
                    t => Err(Fail::new(
                        at,
                        format!(
                            "expected `TRUE`, `FALSE` or `NULL` after `IS`, found {}",
                            describe_tok(&t)
                        ),
                    )),
                }
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NOT") => {
                self.bump();
                match self.peek() {
                    Tok::Word(w) if w.eq_ignore_ascii_case("EXISTS") => {
                        self.bump();
                        Ok(Test::NotExists)
                    }
                    _ => self.fail("`EXISTS` after `NOT`"),
                }
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("EXISTS") => Err(Fail::new(
                self.pos(),
                "`EXISTS` is not supported by CloudWatch Logs (only `NOT EXISTS` is)",
            )),
            _ => self.fail(expected),
        }
    }

    /// The value after a comparison operator.
    fn value(&mut self, op: CmpOp) -> Result<Value, Fail> {
        let at = self.pos();
        let sym = op.symbol();
        let v = match self.peek().clone() {
            Tok::Word(w) => match number(&w) {
                Some(n) => Value::Number(n),
                None if op.is_ordering() => return self.fail(&format!("a number after `{sym}`")),
                None => Value::Text(Glob::from_chars(w.chars().map(|c| (c, false)))),
            },
            Tok::Quoted(_) | Tok::Regex(..) if op.is_ordering() => {
                return self.fail(&format!("a number after `{sym}`"));
            }
            Tok::Quoted(chars) => Value::Text(Glob::from_chars(chars)),
            Tok::Regex(src, offset) => {
                self.regexes += 1;
                if self.regexes > MAX_REGEXES {
                    return Err(Fail::new(
                        at,
                        format!("a filter pattern may contain at most {MAX_REGEXES} regexes"),
                    ));
                }
                Value::Regex(Regex::parse(&src, offset)?)
            }
            _ => return self.fail(&format!("a value after `{sym}`")),
        };
        self.bump();
        Ok(v)
    }

    // ------------------------------------------------------------ space-delimited patterns

    fn delimited(&mut self) -> Result<Vec<Slot>, Fail> {
        self.expect(Tok::LBracket, "`[`")?;
        if *self.peek() == Tok::RBracket {
            return self.fail("a field name or `...`");
        }
        let mut slots = Vec::new();
        loop {
            let slot = match self.peek().clone() {
                Tok::Comma | Tok::RBracket => Slot::Field {
                    name: None,
                    cond: None,
                },
                Tok::Word(w) if w == "..." => {
                    self.bump();
                    Slot::Ellipsis
                }
                Tok::Word(w) if w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    self.bump();
                    let cond = if matches!(self.peek(), Tok::Op(_)) {
                        Some(self.field_or(&w)?)
                    } else {
                        None
                    };
                    Slot::Field {
                        name: Some(w),
                        cond,
                    }
                }
                Tok::Word(_) => {
                    return Err(Fail::new(
                        self.pos(),
                        "a field name is letters, digits and `_`",
                    ));
                }
                _ => return self.fail("a field name, `...` or `,`"),
            };
            slots.push(slot);
            match self.bump() {
                Tok::Comma => continue,
                Tok::RBracket => break,
                _ => {
                    self.i = self.i.saturating_sub(1);
                    return self.fail("`,`, `]`, `&&` or `||`");
                }
            }
        }
        self.expect(Tok::End, "nothing after the closing `]`")?;
        Ok(slots)
    }

    /// Conditions on field `name`, its first name already consumed: `= 4* && name != 403`.
    fn field_or(&mut self, name: &str) -> Result<FieldExpr, Fail> {
        let mut items = vec![self.field_and(name, true)?];
        while *self.peek() == Tok::Or {
            self.bump();
            items.push(self.field_and(name, false)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            FieldExpr::Or(items)
        })
    }

    fn field_and(&mut self, name: &str, mut named: bool) -> Result<FieldExpr, Fail> {
        let mut items = Vec::new();
        loop {
            if !named {
                match self.peek().clone() {
                    Tok::Word(w) if w == name => {
                        self.bump();
                    }
                    Tok::Word(w) => {
                        return Err(Fail::new(
                            self.pos(),
                            format!("a condition in field `{name}` must name `{name}`, not `{w}`"),
                        ));
                    }
                    _ => return self.fail(&format!("`{name}`")),
                }
            }
            named = false;
            let Tok::Op(op) = self.peek().clone() else {
                return self.fail(&format!("a comparison operator after `{name}`"));
            };
            self.bump();
            items.push(FieldExpr::Cmp(op, self.value(op)?));
            if *self.peek() != Tok::And {
                break;
            }
            self.bump();
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            FieldExpr::And(items)
        })
    }
}

/// Builds an `Or`/`And` of `items`, splicing in children of the same kind.
fn flatten(items: Vec<Expr>, or: bool) -> Expr {
    let mut out = Vec::new();
    for item in items {
        match item {
            Expr::Or(inner) if or => out.extend(inner),
            Expr::And(inner) if !or => out.extend(inner),
            other => out.push(other),
        }
    }
    if out.len() == 1 {
        out.remove(0)
    } else if or {
        Expr::Or(out)
    } else {
        Expr::And(out)
    }
}

/// An unquoted number as documented: optional sign, digits, optional fraction, optional
/// exponent (`+1000`, `-1.5`, `10e-3`).
pub(crate) fn number(w: &str) -> Option<Number> {
    let b = w.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let s = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let value = w.parse::<f64>().ok()?;
    Some(Number {
        text: w.to_string(),
        value,
    })
}
