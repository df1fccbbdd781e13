//! Tokens of JSON (`{ … }`) and space-delimited (`[ … ]`) patterns.
//!
//! Unstructured term patterns have their own, simpler scanner in the parser. Positions are
//! byte offsets into the pattern text.

use super::Fail;
use super::ast::{CmpOp, Seg};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    And,
    Or,
    Op(CmpOp),
    /// `$.a.b[0]`, with the wildcard count checked by the parser.
    Selector(Vec<Seg>),
    /// `"…"`: characters, each flagged if it was backslash-escaped.
    Quoted(Vec<(char, bool)>),
    /// `%…%`: the text between the percent signs, and its byte offset.
    Regex(String, usize),
    /// An unquoted run: a value, a number, a keyword, a field name or `...`.
    Word(String),
    End,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
}

/// Characters an unquoted value may contain. The documentation asks for quotes around
/// anything but letters, digits and `_`; its own examples leave `123.123.*`,
/// `kms.amazonaws.com`, `4*`, `*.html*`, `-1` and `+1000` bare, so `.` `*` `-` `+` `:` `/`
/// are accepted too. `@`, `$`, `\` and non-ASCII characters must be quoted (documented).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*' | ':' | '/' | '+')
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, Fail> {
    let mut lx = Lexer {
        text,
        chars: text.char_indices().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        let token = lx.next()?;
        let end = token.tok == Tok::End;
        out.push(token);
        if end {
            return Ok(out);
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).map(|&(_, c)| c)
    }
    fn pos(&self) -> usize {
        self.chars.get(self.i).map_or(self.text.len(), |&(p, _)| p)
    }

    fn next(&mut self) -> Result<Token, Fail> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let start = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok(Token {
                tok: Tok::End,
                start,
            });
        };
        let two = |lx: &Self, second: char| lx.peek(1) == Some(second);
        let (tok, len) = match c {
            '{' => (Tok::LBrace, 1),
            '}' => (Tok::RBrace, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '&' if two(self, '&') => (Tok::And, 2),
            '&' => return Err(Fail::new(start, "expected `&&`")),
            '|' if two(self, '|') => (Tok::Or, 2),
            '|' => return Err(Fail::new(start, "expected `||`")),
            '!' if two(self, '=') => (Tok::Op(CmpOp::Ne), 2),
            '!' => return Err(Fail::new(start, "expected `!=`")),
            '=' => (Tok::Op(CmpOp::Eq), 1),
            '<' if two(self, '=') => (Tok::Op(CmpOp::Le), 2),
            '<' => (Tok::Op(CmpOp::Lt), 1),
            '>' if two(self, '=') => (Tok::Op(CmpOp::Ge), 2),
            '>' => (Tok::Op(CmpOp::Gt), 1),
            '"' => return self.quoted(start),
            '%' => return self.regex(start),
            '$' => return self.selector(start),
            c if is_word_char(c) => {
                let mut word = String::new();
                while let Some(c) = self.peek(0).filter(|&c| is_word_char(c)) {
                    word.push(c);
                    self.i += 1;
                }
                return Ok(Token {
                    tok: Tok::Word(word),
                    start,
                });
            }
            '@' | '\\' | '\'' => {
                return Err(Fail::new(
                    start,
                    format!("`{c}` is only allowed inside double quotes"),
                ));
            }
            c if !c.is_ascii() => {
                return Err(Fail::new(
                    start,
                    format!("`{c}` is only allowed inside double quotes"),
                ));
            }
            c => return Err(Fail::new(start, format!("unexpected character `{c}`"))),
        };
        self.i += len;
        Ok(Token { tok, start })
    }

    /// `"…"` with `\"`, `\\` and `\*` as escapes; any other backslash is literal.
    fn quoted(&mut self, start: usize) -> Result<Token, Fail> {
        let mut out = Vec::new();
        self.i += 1;
        loop {
            match self.peek(0) {
                None => return Err(Fail::new(start, "unterminated string: no closing `\"`")),
                Some('"') => {
                    self.i += 1;
                    return Ok(Token {
                        tok: Tok::Quoted(out),
                        start,
                    });
                }
                Some('\\') if matches!(self.peek(1), Some('"' | '\\' | '*')) => {
                    out.push((self.peek(1).unwrap_or('\\'), true));
                    self.i += 2;
                }
                Some(c) => {
                    out.push((c, false));
                    self.i += 1;
                }
            }
        }
    }

    fn regex(&mut self, start: usize) -> Result<Token, Fail> {
        self.i += 1;
        let body_start = self.pos();
        while let Some(c) = self.peek(0) {
            if c == '%' {
                let body = self.text[body_start..self.pos()].to_string();
                self.i += 1;
                return Ok(Token {
                    tok: Tok::Regex(body, body_start),
                    start,
                });
            }
            self.i += 1;
        }
        Err(Fail::new(start, "unterminated regex: no closing `%`"))
    }

    fn selector(&mut self, start: usize) -> Result<Token, Fail> {
        self.i += 1;
        if self.peek(0) != Some('.') {
            return Err(Fail::new(
                self.pos(),
                "a property selector starts with `$.`, e.g. `$.eventName`",
            ));
        }
        let mut segs = Vec::new();
        loop {
            let at = self.pos();
            match self.peek(0) {
                Some('.') => {
                    self.i += 1;
                    match self.peek(0) {
                        Some('*') => {
                            self.i += 1;
                            segs.push(Seg::Any);
                        }
                        Some('[') => segs.push(self.bracket()?),
                        Some(c) if is_key_char(c) => {
                            let mut key = String::new();
                            while let Some(c) = self.peek(0).filter(|&c| is_key_char(c)) {
                                key.push(c);
                                self.i += 1;
                            }
                            segs.push(Seg::Key(key));
                        }
                        _ => {
                            return Err(Fail::new(
                                self.pos(),
                                "expected a property name after `.`",
                            ));
                        }
                    }
                }
                Some('[') if !segs.is_empty() => segs.push(self.bracket()?),
                _ => {
                    if segs.is_empty() {
                        return Err(Fail::new(at, "expected a property name after `$.`"));
                    }
                    return Ok(Token {
                        tok: Tok::Selector(segs),
                        start,
                    });
                }
            }
        }
    }

    /// `[3]`, `[*]`, `['key']` or `["key"]`, at `[`.
    fn bracket(&mut self) -> Result<Seg, Fail> {
        let open = self.pos();
        self.i += 1;
        let seg = match self.peek(0) {
            Some('*') => {
                self.i += 1;
                Seg::Any
            }
            Some(c) if c.is_ascii_digit() => {
                let mut digits = String::new();
                while let Some(c) = self.peek(0).filter(char::is_ascii_digit) {
                    digits.push(c);
                    self.i += 1;
                }
                let n = digits
                    .parse::<u32>()
                    .map_err(|_| Fail::new(open + 1, "array index too large"))?;
                Seg::Index(n)
            }
            Some(q @ ('\'' | '"')) => {
                self.i += 1;
                let mut key = String::new();
                loop {
                    match self.peek(0) {
                        None => {
                            return Err(Fail::new(open, "unterminated `[` in property selector"));
                        }
                        Some('\\') if matches!(self.peek(1), Some('\'' | '"' | '\\')) => {
                            key.push(self.peek(1).unwrap_or('\\'));
                            self.i += 2;
                        }
                        Some(c) if c == q => {
                            self.i += 1;
                            break;
                        }
                        Some(c) => {
                            key.push(c);
                            self.i += 1;
                        }
                    }
                }
                Seg::Key(key)
            }
            _ => {
                return Err(Fail::new(
                    self.pos(),
                    "expected an array index, `*` or a quoted name after `[`",
                ));
            }
        };
        if self.peek(0) != Some(']') {
            return Err(Fail::new(self.pos(), "expected `]` in property selector"));
        }
        self.i += 1;
        Ok(seg)
    }
}
