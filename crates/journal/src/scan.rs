//! A validating scanner for stored records: checks, without building a tree,
//! that bytes are exactly the canonical encoding (see [`crate::canonical`]) of a
//! JSON object, and reports where its top-level members are.
//!
//! `verify` runs this over every record, so it allocates nothing on the common
//! path. It accepts precisely what [`crate::canonical::write_value`] produces:
//! no whitespace; names sorted by UTF-16 code units with no duplicates; strings
//! with only the escapes RFC 8785 prescribes (`\" \\ \b \t \n \f \r`, other
//! control characters as lowercase `\u00xx`, nothing else escaped); integers
//! without sign on zero, leading zeros, fraction or exponent, within i64/u64.

use std::cmp::Ordering;
use std::ops::Range;

/// Why bytes are not a canonical record object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCanonical {
    pub at: usize,
    pub what: &'static str,
}

/// One top-level member: its name (raw bytes between the quotes) and the byte
/// ranges of its value and of the whole member (`"name":value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: Range<usize>,
    pub value: Range<usize>,
    pub member: Range<usize>,
}

/// The bytes to leave out to drop member `at` from the object: the member and one
/// separating comma (the one after it, or before it for the last member).
pub fn cut_range(members: &[Member], at: usize) -> Range<usize> {
    let mut cut = members[at].member.clone();
    if at + 1 < members.len() {
        cut.end += 1;
    } else if at > 0 {
        cut.start -= 1;
    }
    cut
}

/// Nesting deeper than this is refused (the encoder never writes it for records,
/// and a recursive scanner must not overflow its stack on hostile input).
const MAX_DEPTH: usize = 64;

/// Scan `bytes` as one canonical JSON object; return its top-level members in order.
pub fn top_level(bytes: &[u8], members: &mut Vec<Member>) -> Result<(), NotCanonical> {
    members.clear();
    let mut s = Scanner { b: bytes, i: 0 };
    let scanned = s.object(0, Some(members)).and_then(|()| match s.i == bytes.len() {
        true => Ok(()),
        false => Err(s.fail("trailing bytes after the object")),
    });
    // UTF-8 is checked where a byte above 0x7f can be, inside a string (the
    // grammar refuses one anywhere else): bytes that pass are valid UTF-8. Bytes
    // that are not are refused as such, whatever else is wrong with them.
    if scanned.is_err() && std::str::from_utf8(bytes).is_err() {
        members.clear();
        return Err(NotCanonical { at: 0, what: "not valid UTF-8" });
    }
    scanned
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn fail(&self, what: &'static str) -> NotCanonical {
        NotCanonical { at: self.i, what }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8, what: &'static str) -> Result<(), NotCanonical> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.fail(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), NotCanonical> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1, None),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            _ => Err(self.fail("expected a JSON value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), NotCanonical> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.fail("expected true, false or null"))
        }
    }

    fn integer(&mut self) -> Result<(), NotCanonical> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let text = &self.b[digits..self.i];
        if text.is_empty() {
            return Err(self.fail("a number needs digits"));
        }
        if text[0] == b'0' && (text.len() > 1 || negative) {
            return Err(NotCanonical { at: start, what: "leading zero or negative zero" });
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(self.fail("records hold integers only"));
        }
        // Up to 18 digits always fit an i64.
        if text.len() <= 18 {
            return Ok(());
        }
        let number = std::str::from_utf8(&self.b[start..self.i]).expect("ASCII digits");
        if number.parse::<i64>().is_err() && number.parse::<u64>().is_err() {
            return Err(NotCanonical { at: start, what: "integer out of range" });
        }
        Ok(())
    }

    /// Returns the range of the raw string contents (between the quotes).
    fn string(&mut self) -> Result<Range<usize>, NotCanonical> {
        self.expect(b'"', "expected a string")?;
        let start = self.i;
        // Bytes above 0x7f seen (or near) on the way: then the contents must be UTF-8.
        let mut high = 0u64;
        loop {
            let Some(stop) = string_stop(self.b, self.i, &mut high) else {
                return Err(self.fail("unterminated string"));
            };
            self.i = stop;
            match self.b[self.i] {
                b'"' => {
                    let range = start..self.i;
                    if high & HIGH_BITS != 0 && std::str::from_utf8(&self.b[range.clone()]).is_err()
                    {
                        return Err(NotCanonical { at: start, what: "not valid UTF-8" });
                    }
                    self.i += 1;
                    return Ok(range);
                }
                b'\\' => self.escape()?,
                _ => return Err(self.fail("raw control character in a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<(), NotCanonical> {
        let Some(&c) = self.b.get(self.i + 1) else { return Err(self.fail("dangling backslash")) };
        match c {
            b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r' => {
                self.i += 2;
                Ok(())
            }
            b'u' => {
                let hex = self
                    .b
                    .get(self.i + 2..self.i + 6)
                    .ok_or_else(|| self.fail("short \\u escape"))?;
                let lower = |h: u8| matches!(h, b'0'..=b'9' | b'a'..=b'f');
                if hex[0] != b'0' || hex[1] != b'0' || !lower(hex[2]) || !lower(hex[3]) {
                    return Err(self.fail("\\u escape of a character that must be written raw"));
                }
                let code = u8::from_str_radix(std::str::from_utf8(&hex[2..]).expect("hex"), 16)
                    .map_err(|_| self.fail("bad \\u escape"))?;
                if code >= 0x20 || matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                    return Err(
                        self.fail("\\u escape where RFC 8785 uses the character or a short escape")
                    );
                }
                self.i += 6;
                Ok(())
            }
            _ => Err(self.fail("escape RFC 8785 does not use")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), NotCanonical> {
        if depth > MAX_DEPTH {
            return Err(self.fail("nested too deeply"));
        }
        self.expect(b'[', "expected [")?;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.fail("expected , or ] (no whitespace allowed)")),
            }
        }
    }

    fn object(
        &mut self,
        depth: usize,
        mut top: Option<&mut Vec<Member>>,
    ) -> Result<(), NotCanonical> {
        if depth > MAX_DEPTH {
            return Err(self.fail("nested too deeply"));
        }
        self.expect(b'{', "expected {")?;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut previous: Option<Range<usize>> = None;
        loop {
            let member_start = self.i;
            let name = self.string()?;
            if let Some(prev) = &previous
                && compare_names(&self.b[prev.clone()], &self.b[name.clone()]) != Ordering::Less
            {
                return Err(NotCanonical {
                    at: member_start,
                    what: "member names out of order or repeated",
                });
            }
            self.expect(b':', "expected : (no whitespace allowed)")?;
            let value_start = self.i;
            self.value(depth)?;
            if let Some(members) = top.as_deref_mut() {
                members.push(Member {
                    name: name.clone(),
                    value: value_start..self.i,
                    member: member_start..self.i,
                });
            }
            previous = Some(name);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.fail("expected , or } (no whitespace allowed)")),
            }
        }
    }
}

/// The high bit of every byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The first byte at or after `from` that ends a run of plain string bytes:
/// a quote, a backslash or a control character (below 0x20). Eight bytes at a
/// time: a record is mostly strings. Every byte of the run is or-ed into
/// `seen` (and maybe a few after it), so that `seen & HIGH_BITS` says whether the
/// run may hold bytes above 0x7f.
pub(crate) fn string_stop(b: &[u8], from: usize, seen: &mut u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = HIGH_BITS;
    let mut at = from;
    while let Some(chunk) = b.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        *seen |= w;
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        // The high bit of each byte that is zero in `quote` or `slash`, or below
        // 0x20 in `w`. A borrow can flag bytes above a true match, never below
        // it, so the lowest flag is the first byte that stops the run.
        let flags = ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    for (n, &c) in b.get(at..)?.iter().enumerate() {
        *seen |= u64::from(c);
        if c == b'"' || c == b'\\' || c < 0x20 {
            return Some(at + n);
        }
    }
    None
}

/// Order two raw (still escaped) member names as RFC 8785 does: by the UTF-16
/// code units of the decoded names. Names without escapes or non-ASCII compare
/// by bytes; anything else is decoded first.
fn compare_names(a: &[u8], b: &[u8]) -> Ordering {
    // Most names differ at their first byte: when both are plain ASCII (not
    // the start of an escape), they are the first code units and decide.
    if let (Some(&x), Some(&y)) = (a.first(), b.first())
        && x != y
        && x.is_ascii()
        && y.is_ascii()
        && x != b'\\'
        && y != b'\\'
    {
        return x.cmp(&y);
    }
    let simple = |s: &[u8]| s.iter().all(|&c| c.is_ascii() && c != b'\\');
    if simple(a) && simple(b) {
        return a.cmp(b);
    }
    let decode = |s: &[u8]| -> String {
        let mut quoted = Vec::with_capacity(s.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(s);
        quoted.push(b'"');
        serde_json::from_slice(&quoted).unwrap_or_default()
    };
    decode(a).encode_utf16().cmp(decode(b).encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> bool {
        let mut m = Vec::new();
        top_level(text.as_bytes(), &mut m).is_ok()
    }

    #[test]
    fn accepts_what_the_encoder_writes() {
        let v = json!({"a": [1, -2, 0, true, null, {"x": "\u{1}\n\"é😀"}], "b": {}, "c": []});
        let bytes = crate::canonical::to_vec(&v).expect("integers only");
        let mut m = Vec::new();
        top_level(&bytes, &mut m).expect("canonical");
        let names: Vec<&[u8]> = m.iter().map(|m| &bytes[m.name.clone()]).collect();
        assert_eq!(names, [&b"a"[..], b"b", b"c"]);
    }

    #[test]
    fn a_run_of_plain_string_bytes_stops_where_a_byte_at_a_time_search_stops() {
        let slow = |b: &[u8], from: usize| {
            b[from..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|n| from + n)
        };
        let mut bytes = Vec::new();
        // Every stopping byte and some that do not stop, at every offset of a
        // word, after plain ASCII and after multi-byte UTF-8.
        for special in [b'"', b'\\', 0x00, 0x1f, 0x20, b'!', b'#', b'[', b'\x7f', 0x80, 0xe9, 0xff]
        {
            for lead in 0..20 {
                for filler in [&b"abcdefghijklmnopqrstuvwxyz"[..], "é😀ab".as_bytes()] {
                    bytes.clear();
                    bytes.extend(filler.iter().cycle().take(lead));
                    bytes.push(special);
                    bytes.extend_from_slice(b"tail\"x");
                    for from in 0..bytes.len() {
                        let mut seen = 0;
                        let stop = string_stop(&bytes, from, &mut seen);
                        assert_eq!(stop, slow(&bytes, from), "{bytes:?} {from}");
                        // Every byte before the stop was seen.
                        let before = &bytes[from..stop.unwrap_or(bytes.len())];
                        assert!(before.iter().all(|&c| c < 0x80) || seen & HIGH_BITS != 0);
                    }
                }
            }
        }
        assert_eq!(string_stop(b"abc", 3, &mut 0), None);
        assert_eq!(string_stop(b"abcdefghijkl", 2, &mut 0), None);
    }

    #[test]
    fn names_are_ordered_by_their_utf16_code_units() {
        let names = [
            "",
            "a",
            "ab",
            "b",
            "B",
            "\\\"",
            "\\\\",
            "\\n",
            "\\u0001",
            "é",
            "\u{fb01}",
            "\u{1f600}",
            "~",
        ];
        for a in names {
            for b in names {
                let decoded = |s: &str| -> String {
                    serde_json::from_str(&format!("\"{s}\"")).expect("a JSON string")
                };
                let expected = decoded(a).encode_utf16().cmp(decoded(b).encode_utf16());
                assert_eq!(compare_names(a.as_bytes(), b.as_bytes()), expected, "{a} {b}");
            }
        }
    }

    /// Bytes that are not UTF-8 are refused as such wherever they are, and
    /// only bytes that are UTF-8 pass.
    #[test]
    fn what_is_not_utf8_is_refused_as_such() {
        let utf8 = NotCanonical { at: 0, what: "not valid UTF-8" };
        let good =
            "{\"a\":\"caf\u{e9} \u{1f600}\",\"b\":[\"x\\n\u{fb01}\"],\"c\":1}".as_bytes().to_vec();
        assert!(top_level(&good, &mut Vec::new()).is_ok());
        for at in 0..good.len() {
            for byte in [0x80, 0xbf, 0xc3, 0xe9, 0xed, 0xf0, 0xf8, 0xff] {
                for insert in [false, true] {
                    let mut bad = good.clone();
                    if insert {
                        bad.insert(at, byte);
                    } else {
                        bad[at] = byte;
                    }
                    let mut members = Vec::new();
                    let scanned = top_level(&bad, &mut members);
                    if std::str::from_utf8(&bad).is_err() {
                        assert_eq!(scanned, Err(utf8.clone()), "{bad:?}");
                        assert!(members.is_empty());
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a": 1}"#,
            r#"{"a":1.0}"#,
            r#"{"a":01}"#,
            r#"{"a":-0}"#,
            r#"{"a":1e3}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u000A"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\u001F"}"#,
            "{\"a\":\"\n\"}",
            r#"{"a":1}x"#,
            r#"[1]"#,
            r#"{"a":99999999999999999999}"#,
            r#"{"a":tru}"#,
        ] {
            assert!(!ok(bad), "accepted {bad}");
        }
        assert!(ok(r#"{"a":"\u001f\u0000\b"}"#));
        assert!(ok(r#"{"a":-9223372036854775808,"b":18446744073709551615}"#));
    }
}
