//! Reading JSON the way MCP clients write it: JSONC (VS Code's `mcp.json`,
//! `settings.json`, `devcontainer.json`, `*.code-workspace`, OpenCode's
//! `opencode.jsonc`, Amp's `settings.jsonc`) allows `//` and `/* */`
//! comments and trailing commas. A reader that refuses them would let a
//! config hide from every content check behind one comment line, so every
//! JSON this crate reads goes through [`without_comments`] when strict JSON
//! fails.

use std::borrow::Cow;

/// `content` with comments replaced by spaces and trailing commas (a `,`
/// whose next significant byte is `}` or `]`) removed, outside strings;
/// borrowed when there is nothing to remove. Lengths and line numbers are
/// kept (every removed byte becomes a space, newlines stay), so a parser's
/// error positions still point into the original text.
///
/// An unterminated `/*` blanks the rest of the file (a parser then reports
/// the document incomplete); an unterminated string is left as it is.
pub(crate) fn without_comments(content: &[u8]) -> Cow<'_, [u8]> {
    if !content.iter().any(|&b| b == b'/' || b == b',') {
        return Cow::Borrowed(content);
    }
    let mut out = content.to_vec();
    let mut changed = false;
    let mut i = 0;
    let mut in_string = false;
    while i < out.len() {
        let b = out[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, out.get(i + 1).copied()) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                while i < out.len() && out[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                changed = true;
                continue;
            }
            (b'/', Some(b'*')) => {
                let end =
                    memchr::memmem::find(&out[i + 2..], b"*/").map_or(out.len(), |e| i + e + 4);
                for byte in &mut out[i..end] {
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                i = end;
                changed = true;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Trailing commas, in a second pass now that comments are spaces.
    let mut in_string = false;
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = out[i + 1..].iter().copied().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}' | b']')) {
                out[i] = b' ';
                changed = true;
            }
        }
        i += 1;
    }
    if changed { Cow::Owned(out) } else { Cow::Borrowed(content) }
}

/// The first byte of `content` that is neither whitespace nor inside a
/// comment: `{` for a JSON object even when the file opens with a licence
/// header or a `// see docs` line. `None` for an empty (or all-comment) file.
pub(crate) fn first_significant(content: &[u8]) -> Option<u8> {
    let mut i = 0;
    while i < content.len() {
        match (content[i], content.get(i + 1).copied()) {
            (b, _) if b.is_ascii_whitespace() => i += 1,
            (b'/', Some(b'/')) => {
                i = memchr::memchr(b'\n', &content[i..]).map_or(content.len(), |n| i + n + 1);
            }
            (b'/', Some(b'*')) => {
                i = memchr::memmem::find(&content[i + 2..], b"*/")
                    .map_or(content.len(), |e| i + e + 4);
            }
            (b, _) => return Some(b),
        }
    }
    None
}

/// Whether `content` is meant as a JSON object: its first significant byte
/// (after a UTF-8 byte-order mark, blanks and comments) is `{`.
pub(crate) fn looks_like_object(content: &[u8]) -> bool {
    first_significant(strip_bom(content)) == Some(b'{')
}

/// `content` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(content: &[u8]) -> &[u8] {
    content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content)
}

/// Parse `content` as JSON, or as JSONC when strict JSON fails.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(content: &[u8]) -> Option<T> {
    let content = strip_bom(content);
    match serde_json::from_slice(content) {
        Ok(value) => Some(value),
        Err(_) => match without_comments(content) {
            Cow::Owned(stripped) => serde_json::from_slice(&stripped).ok(),
            Cow::Borrowed(_) => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn comments_and_trailing_commas_are_read() {
        let text = br#"// VS Code MCP servers
/* a block
   comment */ {
  "servers": { // inline
    "a": {"command": "node", "args": ["x.js",],}, /* after */
  },
  "url": "https://example.invalid/a//b /* not a comment */",
}
"#;
        let value: Value = parse(text).expect("JSONC parses");
        assert_eq!(value["servers"]["a"]["args"], json!(["x.js"]));
        assert_eq!(value["url"], "https://example.invalid/a//b /* not a comment */");
        assert_eq!(without_comments(text).len(), text.len(), "positions are kept");
    }

    #[test]
    fn strings_with_escaped_quotes_are_not_cut() {
        let text = br#"{"a": "x\"// still a string", "b": 1,}"#;
        let value: Value = parse(text).expect("parses");
        assert_eq!(value["a"], "x\"// still a string");
    }

    #[test]
    fn plain_json_is_borrowed_and_garbage_is_refused() {
        assert!(matches!(without_comments(br#"{"a": "b"}"#), Cow::Borrowed(_)));
        assert!(parse::<Value>(b"{ /* unterminated").is_none());
        assert!(parse::<Value>(b"not json").is_none());
    }

    #[test]
    fn the_first_significant_byte_skips_comments() {
        assert_eq!(first_significant(b"  // c\n /* d */ {"), Some(b'{'));
        assert_eq!(first_significant(b"// only a comment"), None);
        assert!(looks_like_object(b"\xEF\xBB\xBF// c\n{}"));
        assert!(!looks_like_object(b"[1]"));
    }
}
