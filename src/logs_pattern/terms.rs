//! Unstructured term patterns: `ERROR`, `"exact phrase"`, `-exclude`, `?either ?or`.
//!
//! Terms are case-sensitive substrings of the raw event text. Documented: every plain term
//! must occur and no `-term` may; `?a ?b` needs one of them, but `?` terms next to other
//! terms are ignored; `" "` matches every event.

use super::Fail;
use super::ast::{Term, TermKind};

/// Unstructured terms: `ERROR`, `"exact phrase"`, `-exclude`, `?either ?or`. A lone `-` or
/// `?` followed by blanks applies to the next term (`"ERROR" - "Exiting"` in the 2020 guide).
pub(crate) fn parse(text: &str) -> Result<Vec<Term>, Fail> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while chars.get(*i).is_some_and(|(_, c)| c.is_whitespace()) {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        let Some(&(at, c)) = chars.get(i) else {
            return Ok(out);
        };
        let kind = match c {
            '-' => TermKind::Excluded,
            '?' => TermKind::Optional,
            _ => TermKind::Required,
        };
        if kind != TermKind::Required {
            i += 1;
            skip_ws(&mut i);
            if i >= chars.len() {
                return Err(Fail::new(at, format!("expected a term after `{c}`")));
            }
        }
        let (start, first) = chars[i];
        let mut term = String::new();
        if first == '"' {
            i += 1;
            loop {
                match chars.get(i).map(|&(_, c)| c) {
                    None => return Err(Fail::new(start, "unterminated string: no closing `\"`")),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\')
                        if matches!(chars.get(i + 1).map(|&(_, c)| c), Some('"' | '\\' | '*')) =>
                    {
                        term.push(chars[i + 1].1);
                        i += 2;
                    }
                    Some(c) => {
                        term.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while let Some(&(_, c)) = chars
                .get(i)
                .filter(|(_, c)| !c.is_whitespace() && *c != '"')
            {
                term.push(c);
                i += 1;
            }
        }
        out.push(Term { kind, text: term });
    }
}

fn contains(raw: &str, term: &str) -> bool {
    // `" "` is documented to match every event: a blank phrase is in every event.
    term.trim().is_empty() || raw.contains(term)
}

pub(crate) fn matches(terms: &[Term], raw: &str) -> bool {
    let plain = terms.iter().any(|t| t.kind != TermKind::Optional);
    if plain {
        // Documented: `?` terms next to other terms are ignored.
        terms.iter().all(|t| match t.kind {
            TermKind::Required => contains(raw, &t.text),
            TermKind::Excluded => !contains(raw, &t.text),
            TermKind::Optional => true,
        })
    } else {
        terms.iter().any(|t| contains(raw, &t.text))
    }
}
