//! Escaping and the Content-Security-Policy of the HTML report.
//!
//! Why it exists: every AWS-supplied string (account names, tags, ARNs, policy text,
//! messages, evidence) may be hostile, and the few functions that make it inert live here in
//! one place: tera's escape function for element content and attribute values, the encoding
//! of the JSON island so nothing inside can close its `<script>`, and the SHA-256 hashes that
//! pin the page's own style and script in its CSP.
//!
//! What it must not do: decide what is shown. It only transforms text; it never drops,
//! shortens or re-words a value, and it never marks anything from the report as safe.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// HTML escaping for element content and double- or single-quoted attribute values.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text that is safe inside `<script type="application/json">`: `<`, `>`, `&`, U+2028
/// and U+2029 are written as `\uXXXX` escapes (still the same JSON value), so no `</script>`,
/// `<!--` or line separator can appear in the raw text.
pub fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A CSS string literal, double-quoted, for a `content:` value: every character but ASCII
/// letters, digits, space and `-_.:/@+,()` is written as a hex escape (`\\HHHHHH`, six digits
/// so no following character can extend it), so no quote, backslash, newline or `</style>`
/// can leave the string or the element. Non-ASCII characters are escaped too and still shown.
pub(super) fn css_string(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 2);
    out.push('"');
    for c in input.chars() {
        if c.is_ascii_alphanumeric() || " -_.:/@+,()".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:06x}", c as u32));
        }
    }
    out.push('"');
    out
}

/// A CSP hash source for an inline element's text: `'sha256-<base64 of the digest>'`.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text.as_bytes())))
}

/// The page's Content-Security-Policy: nothing but the embedded style and script (by hash)
/// and `data:` images; no other source, no base URI, no form target.
pub(super) fn content_security_policy(style: &str, script: &str) -> String {
    format!("default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'", csp_hash(style), csp_hash(script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_string_cannot_leave_the_string_or_the_style_element() {
        assert_eq!(css_string("o-abc123 · 2026"), "\"o-abc123 \\0000b7 2026\"");
        let s = css_string("\"; } body { display: none } </style><script>\\\n'");
        let inner = &s[1..s.len() - 1];
        for bad in ['"', '\'', '<', '>', ';', '{', '}', '\n'] {
            assert!(!inner.contains(bad), "{bad:?} left in {s}");
        }
        assert!(inner.split('\\').skip(1).all(|h| h.len() >= 6 && h[..6].chars().all(|c| c.is_ascii_hexdigit())), "{s}");
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = serde_json::json!({"a": "</script><script>alert(1)</script>", "b": "<!-- & \u{2028}\u{2029} -->"});
        let s = script_json(&v);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!s.contains(bad), "{bad:?} left in {s}");
        }
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }

    #[test]
    fn csp_hash_matches_known_vectors() {
        // SHA-256 of "" and "abc" in standard, padded base64 (as `openssl dgst -binary | base64`).
        assert_eq!(csp_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
        assert_eq!(csp_hash("abc"), "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
        let csp = content_security_policy("", "abc");
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-47DEQ") && csp.contains("script-src 'sha256-ungWv48"), "{csp}");
    }

    #[test]
    fn escape_html_covers_content_and_both_quotes() {
        assert_eq!(escape_html("<a href=\"x\" title='y'>&</a>"), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    }
}
