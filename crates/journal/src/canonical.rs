//! RFC 8785 (JSON Canonicalization Scheme) encoding of the values a record may hold.
//!
//! Records hold only strings, integers, booleans, null, arrays and objects, so the
//! parts of RFC 8785 that deal with floating point never apply: a number that is not
//! an integer is an error, not something to canonicalize. Object members are sorted
//! by the UTF-16 code units of their names (RFC 8785 §3.2.3), strings are escaped
//! exactly as ECMAScript's `JSON.stringify` does, and nothing else is written.

use serde_json::{Map, Value};

/// A value that has no canonical encoding in a v1 record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// Records never hold floating-point numbers (their text is not unique).
    #[error("the number {0} is not an integer; records hold integers only")]
    NotAnInteger(String),
    /// A value the verifier would refuse, such as nesting deeper than 64 levels.
    #[error("the record could not be verified once written: {0}")]
    Unverifiable(&'static str),
}

/// Append the canonical encoding of `value` to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(CanonicalError::NotAnInteger(n.to_string()));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            write_object(out, map, None)?;
        }
    }
    Ok(())
}

/// Encode `value` canonically into a fresh buffer.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(512);
    write_value(&mut out, value)?;
    Ok(out)
}

/// Write an object; when `mark` names a top-level member, return the byte range that
/// member occupies *including* the comma that separates it from its neighbour, so the
/// caller can hash the object without it (see [`crate::chain`]).
pub(crate) fn write_object(
    out: &mut Vec<u8>,
    map: &Map<String, Value>,
    mark: Option<&str>,
) -> Result<Option<std::ops::Range<usize>>, CanonicalError> {
    let mut keys: Vec<&String> = map.keys().collect();
    // RFC 8785 orders names by UTF-16 code units. Sort explicitly rather than trust
    // the map's order: serde_json's map is sorted by UTF-8 bytes (which differs for
    // names above U+FFFF) and not sorted at all if any crate in the build enables
    // its `preserve_order` feature. For ASCII names byte order is UTF-16 order.
    if keys.iter().all(|k| k.is_ascii()) {
        keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    } else {
        keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    }
    let mut marked = None;
    out.push(b'{');
    let count = keys.len();
    for (i, key) in keys.into_iter().enumerate() {
        let start = out.len();
        write_string(out, key);
        out.push(b':');
        write_value(out, &map[key])?;
        if i + 1 < count {
            out.push(b',');
        }
        if mark == Some(key.as_str()) {
            let mut range = start..out.len();
            // The last member has no trailing comma: take the one before it instead.
            if i + 1 == count && i > 0 {
                range.start -= 1;
            }
            marked = Some(range);
        }
    }
    out.push(b'}');
    Ok(marked)
}

/// Write a JSON string the way RFC 8785 (ECMAScript) does: `"` and `\` escaped,
/// control characters as `\b \t \n \f \r` or `\u00xx` (lowercase hex), every
/// other character as its UTF-8 bytes.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v = json!({"b": 1, "a": [true, null, "x"], "c": {"z": -3, "y": "q"}});
        assert_eq!(
            to_vec(&v).expect("integers only"),
            br#"{"a":[true,null,"x"],"b":1,"c":{"y":"q","z":-3}}"#
        );
    }

    #[test]
    fn escapes_like_ecmascript() {
        let v = json!("a\"b\\c\n\t\u{1}\u{1f}/é€😀\u{7f}");
        assert_eq!(
            String::from_utf8(to_vec(&v).expect("string")).expect("utf-8"),
            "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/é€😀\u{7f}\""
        );
    }

    #[test]
    fn orders_names_by_utf16_code_units() {
        // U+FB01 (one UTF-16 unit 0xFB01) sorts after U+1F600 (surrogates 0xD83D...)
        // in UTF-16, although its UTF-8 bytes sort first.
        let v = json!({"\u{fb01}": 1, "\u{1f600}": 2});
        assert_eq!(
            String::from_utf8(to_vec(&v).expect("ints")).expect("utf-8"),
            "{\"\u{1f600}\":2,\"\u{fb01}\":1}"
        );
    }

    #[test]
    fn refuses_floats() {
        assert!(matches!(to_vec(&json!({"x": 1.5})), Err(CanonicalError::NotAnInteger(_))));
    }

    #[test]
    fn marks_a_member_with_its_separator() {
        let v = json!({"a": 1, "hash": "h", "k": 2});
        let Value::Object(map) = v else { unreachable!("built as an object") };
        let mut out = Vec::new();
        let range = write_object(&mut out, &map, Some("hash")).expect("ints").expect("present");
        let mut rest = out.clone();
        rest.drain(range);
        assert_eq!(rest, br#"{"a":1,"k":2}"#);
    }
}
