//! The regular-expression subset CloudWatch Logs accepts between `%` signs.
//!
//! Documented subset (FilterAndPatternSyntax.html#regex-expressions): alphanumerics; the
//! symbols `:` `_` `#` `=` `@` `/` `;` `,` `-` (and, from the documented examples, space); the
//! operators `^` `$` `?` `[]` `{m,n}` `|` `\` `*` `+` `.`; the escapes `\d \D \s \S \w \W \xhh`.
//! No parentheses (no groups), no multi-byte characters. Alternation is therefore top-level
//! only. A match is a search: the expression may match anywhere unless anchored.
//!
//! Matching runs in O(items × text length) with no backtracking: there are no groups, so
//! each item is one character class repeated `min..=max` times and a right-to-left pass over
//! "from which positions does the rest match" settles it. No input can make it slow.

use super::Fail;

/// A compiled expression. Two expressions are equal when their source text is.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    source: String,
    alternatives: Vec<Vec<Item>>,
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

#[derive(Debug, Clone)]
struct Item {
    atom: Atom,
    min: usize,
    max: usize, // usize::MAX: unbounded
}

#[derive(Debug, Clone)]
enum Atom {
    Start,
    End,
    Class(Class),
}

#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, Copy)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Space(bool),
    Word(bool),
}

/// Largest `m`/`n` accepted in `{m,n}`.
const MAX_REPEAT: usize = 1000;

impl ClassItem {
    fn contains(self, c: char) -> bool {
        match self {
            ClassItem::Range(lo, hi) => lo <= c && c <= hi,
            ClassItem::Digit(neg) => c.is_ascii_digit() != neg,
            ClassItem::Space(neg) => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') != neg,
            ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != neg,
        }
    }
}

impl Class {
    fn contains(&self, c: char) -> bool {
        self.items.iter().any(|i| i.contains(c)) != self.negated
    }
    fn single(item: ClassItem) -> Class {
        Class {
            negated: false,
            items: vec![item],
        }
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || " :_#=@/;,-^$?[]{}|\\*+.".contains(c)
}

impl Regex {
    /// Compiles `source` (the text between the `%` signs); `offset` is its byte position in
    /// the whole pattern, for error positions.
    pub(crate) fn parse(source: &str, offset: usize) -> Result<Regex, Fail> {
        for (i, c) in source.char_indices() {
            if c == '(' || c == ')' {
                return Err(Fail::new(
                    offset + i,
                    "`(` and `)` are not supported in a CloudWatch Logs regex",
                ));
            }
            if !c.is_ascii() {
                return Err(Fail::new(
                    offset + i,
                    "multi-byte characters are not supported in a regex",
                ));
            }
            if !allowed(c) {
                return Err(Fail::new(
                    offset + i,
                    format!("`{c}` is not supported in a CloudWatch Logs regex"),
                ));
            }
        }
        let bytes: Vec<(usize, char)> = source.char_indices().collect();
        let mut alternatives: Vec<Vec<Item>> = vec![Vec::new()];
        let mut i = 0;
        while i < bytes.len() {
            let (at, c) = bytes[i];
            let pos = offset + at;
            if c == '|' {
                alternatives.push(Vec::new());
                i += 1;
                continue;
            }
            let Some(current) = alternatives.last_mut() else {
                return Err(Fail::new(pos, "internal: no alternative"));
            };
            match c {
                '*' | '+' | '?' | '{' => {
                    let (min, max, next) = quantifier(&bytes, i, offset)?;
                    let Some(last) = current.last_mut() else {
                        return Err(Fail::new(pos, format!("`{c}` has nothing to repeat")));
                    };
                    if matches!(last.atom, Atom::Start | Atom::End)
                        || last.min != 1
                        || last.max != 1
                    {
                        return Err(Fail::new(pos, format!("`{c}` has nothing to repeat")));
                    }
                    last.min = min;
                    last.max = max;
                    i = next;
                    continue;
                }
                _ => {}
            }
            let (atom, next) = match c {
                '^' => (Atom::Start, i + 1),
                '$' => (Atom::End, i + 1),
                '.' => (
                    Atom::Class(Class {
                        negated: true,
                        items: Vec::new(),
                    }),
                    i + 1,
                ),
                '[' => {
                    let (class, next) = class(&bytes, i, offset)?;
                    (Atom::Class(class), next)
                }
                '\\' => {
                    let (item, next) = escape(&bytes, i, offset)?;
                    (Atom::Class(Class::single(item)), next)
                }
                ']' | '}' => return Err(Fail::new(pos, format!("unmatched `{c}` in regex"))),
                _ => (Atom::Class(Class::single(ClassItem::Range(c, c))), i + 1),
            };
            current.push(Item {
                atom,
                min: 1,
                max: 1,
            });
            i = next;
        }
        Ok(Regex {
            source: source.to_string(),
            alternatives,
        })
    }

    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Whether the expression matches anywhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        self.alternatives
            .iter()
            .any(|alt| alternative_matches(alt, &chars))
    }
}

/// Parses the quantifier at `bytes[i]`; returns (min, max, index after it).
fn quantifier(
    bytes: &[(usize, char)],
    i: usize,
    offset: usize,
) -> Result<(usize, usize, usize), Fail> {
    let (at, c) = bytes[i];
    match c {
        '*' => Ok((0, usize::MAX, i + 1)),
        '+' => Ok((1, usize::MAX, i + 1)),
        '?' => Ok((0, 1, i + 1)),
        _ => {
            let close = bytes[i..]
                .iter()
                .position(|&(_, ch)| ch == '}')
                .map(|p| p + i)
                .ok_or_else(|| {
                    Fail::new(offset + at, "unterminated `{` in regex (expected `{m,n}`)")
                })?;
            let inner: String = bytes[i + 1..close].iter().map(|&(_, ch)| ch).collect();
            let bad = || {
                Fail::new(
                    offset + at,
                    format!("bad repetition `{{{inner}}}` in regex (expected `{{m,n}}`)"),
                )
            };
            let num = |s: &str| -> Result<Option<usize>, Fail> {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                if !s.chars().all(|ch| ch.is_ascii_digit()) {
                    return Err(bad());
                }
                match s.parse::<usize>() {
                    Ok(n) if n <= MAX_REPEAT => Ok(Some(n)),
                    _ => Err(Fail::new(
                        offset + at,
                        format!("repetition count above {MAX_REPEAT} in regex"),
                    )),
                }
            };
            let (min, max) = match inner.split_once(',') {
                None => match num(&inner)? {
                    Some(n) => (n, n),
                    None => return Err(bad()),
                },
                Some((a, b)) => {
                    let (a, b) = (num(a)?, num(b)?);
                    if a.is_none() && b.is_none() {
                        return Err(bad());
                    }
                    (a.unwrap_or(0), b.unwrap_or(usize::MAX))
                }
            };
            if min > max {
                return Err(Fail::new(
                    offset + at,
                    format!("`{{{inner}}}`: minimum above maximum in regex"),
                ));
            }
            Ok((min, max, close + 1))
        }
    }
}

fn escape(bytes: &[(usize, char)], i: usize, offset: usize) -> Result<(ClassItem, usize), Fail> {
    let (at, _) = bytes[i];
    let Some(&(_, e)) = bytes.get(i + 1) else {
        return Err(Fail::new(offset + at, "regex ends with a lone `\\`"));
    };
    let item = match e {
        'd' => ClassItem::Digit(false),
        'D' => ClassItem::Digit(true),
        's' => ClassItem::Space(false),
        'S' => ClassItem::Space(true),
        'w' => ClassItem::Word(false),
        'W' => ClassItem::Word(true),
        'x' => {
            let hex: String = bytes
                .get(i + 2..i + 4)
                .unwrap_or(&[])
                .iter()
                .map(|&(_, ch)| ch)
                .collect();
            let code = if hex.len() == 2 {
                u8::from_str_radix(&hex, 16).ok()
            } else {
                None
            };
            let Some(code) = code.filter(|c| c.is_ascii()) else {
                return Err(Fail::new(
                    offset + at,
                    "`\\x` needs two hexadecimal digits of an ASCII character",
                ));
            };
            let ch = char::from(code);
            return Ok((ClassItem::Range(ch, ch), i + 4));
        }
        c if c.is_ascii_alphanumeric() => {
            return Err(Fail::new(
                offset + at,
                format!("unsupported escape `\\{c}` in regex"),
            ));
        }
        c => ClassItem::Range(c, c),
    };
    Ok((item, i + 2))
}

fn class(bytes: &[(usize, char)], start: usize, offset: usize) -> Result<(Class, usize), Fail> {
    let (at, _) = bytes[start];
    let mut i = start + 1;
    let mut negated = false;
    if bytes.get(i).map(|b| b.1) == Some('^') {
        negated = true;
        i += 1;
    }
    let mut items = Vec::new();
    let first = i;
    loop {
        let Some(&(_, c)) = bytes.get(i) else {
            return Err(Fail::new(offset + at, "unterminated `[` in regex"));
        };
        if c == ']' && i > first {
            return Ok((Class { negated, items }, i + 1));
        }
        let (item, next) = if c == '\\' {
            escape(bytes, i, offset)?
        } else {
            (ClassItem::Range(c, c), i + 1)
        };
        // A range `a-z`, unless the `-` is last before `]`.
        if let (ClassItem::Range(lo, _), Some('-')) = (item, bytes.get(next).map(|b| b.1))
            && let Some(&(_, hi)) = bytes.get(next + 1).filter(|b| b.1 != ']')
        {
            let (hi_item, after) = if hi == '\\' {
                escape(bytes, next + 1, offset)?
            } else {
                (ClassItem::Range(hi, hi), next + 2)
            };
            let ClassItem::Range(hi, _) = hi_item else {
                return Err(Fail::new(
                    offset + bytes[next].0,
                    "a range in `[...]` cannot end in `\\d`, `\\s` or `\\w`",
                ));
            };
            if hi < lo {
                return Err(Fail::new(
                    offset + bytes[next].0,
                    format!("range `{lo}-{hi}` is out of order in regex"),
                ));
            }
            items.push(ClassItem::Range(lo, hi));
            i = after;
            continue;
        }
        items.push(item);
        i = next;
    }
}

/// Whether one alternative (a sequence of items) matches somewhere in `chars`.
fn alternative_matches(items: &[Item], chars: &[char]) -> bool {
    let n = chars.len();
    // reach[p]: the items after the current one match starting at p (unanchored at the end).
    let mut reach = vec![true; n + 1];
    let mut run = vec![0usize; n + 1];
    let mut prefix = vec![0usize; n + 2];
    for item in items.iter().rev() {
        let mut cur = vec![false; n + 1];
        match &item.atom {
            Atom::Start => cur[0] = reach[0],
            Atom::End => cur[n] = reach[n],
            Atom::Class(class) => {
                run[n] = 0;
                for p in (0..n).rev() {
                    run[p] = if class.contains(chars[p]) {
                        run[p + 1] + 1
                    } else {
                        0
                    };
                }
                prefix[0] = 0;
                for q in 0..=n {
                    prefix[q + 1] = prefix[q] + usize::from(reach[q]);
                }
                for (p, slot) in cur.iter_mut().enumerate() {
                    if run[p] < item.min {
                        continue;
                    }
                    let lo = p + item.min;
                    let hi = p + run[p].min(item.max);
                    *slot = prefix[hi + 1] > prefix[lo];
                }
            }
        }
        reach = cur;
    }
    reach.iter().any(|&r| r)
}
