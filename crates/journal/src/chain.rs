//! The hash chain: how a record's `hash` is computed and checked.
//!
//! `hash` = lowercase hex SHA-256 of the record's canonical bytes (RFC 8785) with
//! the `hash` member left out; the stored bytes are the canonical bytes with it.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canonical::{self, CanonicalError};
use crate::record::{FORMAT_VERSION, Record};
use crate::scan;

/// Why a stored record's bytes do not stand up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordProblem {
    #[error("field `{0}` is missing or has the wrong type")]
    BadField(&'static str),
    #[error("unsupported format version {0}")]
    Version(u64),
    #[error("not a valid v1 record: {0}")]
    Invalid(String),
    #[error("not canonical JSON (RFC 8785) at byte {at}: {what}")]
    Malformed { at: usize, what: &'static str },
    #[error("hash does not match content: stored {stored}, computed {computed}")]
    HashMismatch { stored: String, computed: String },
}

/// The chain facts of a record whose form [`examine`] accepted; `stored` and
/// `computed` hashes may still differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examined {
    pub seq: u64,
    pub prev: String,
    pub stored: String,
    pub computed: String,
}

/// The chain facts of one record that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub seq: u64,
    pub prev: String,
    pub hash: String,
}

const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Fill in `record.hash` and return the canonical bytes to store (with `hash`).
pub fn seal(record: &mut Record) -> Result<Vec<u8>, CanonicalError> {
    record.hash = PLACEHOLDER.to_owned();
    // Fast path: the record types declare their fields in canonical order, so
    // serde_json usually writes canonical bytes already; the scanner proves it.
    // Anything it rejects (a float, names above U+FFFF in `detail`) takes the
    // slow path through a sorted JSON tree, which also reports what is wrong.
    let mut bytes = serde_json::to_vec(&*record).expect("a Record always serializes to JSON");
    let mut members = Vec::with_capacity(20);
    let range = match scan::top_level(&bytes, &mut members) {
        Ok(()) => {
            let at = members
                .iter()
                .position(|m| &bytes[m.name.clone()] == b"hash")
                .expect("hash is always present");
            scan::cut_range(&members, at)
        }
        Err(_) => {
            let value = serde_json::to_value(&*record).expect("a Record always serializes to JSON");
            let Value::Object(map) = value else {
                unreachable!("a Record serializes to an object")
            };
            bytes.clear();
            let range = canonical::write_object(&mut bytes, &map, Some("hash"))?
                .expect("hash is always present");
            // Whatever is written, the verifier must accept; it refuses, for one,
            // nesting deeper than it is willing to recurse.
            if let Err(e) = scan::top_level(&bytes, &mut members) {
                return Err(CanonicalError::Unverifiable(e.what));
            }
            range
        }
    };
    let hash = hex::encode(digest_without(&bytes, range.clone()));
    // The placeholder has the same length as the digest: patch it in place.
    let member = &mut bytes[range];
    let at = find(member, PLACEHOLDER.as_bytes()).expect("placeholder was just written");
    member[at..at + 64].copy_from_slice(hash.as_bytes());
    record.hash = hash;
    Ok(bytes)
}

/// Check stored bytes: canonical JSON (the scanner of [`crate::scan`]), a v1
/// object, and `hash` matching. `verify` and `show` both judge records this way.
pub fn check(bytes: &[u8]) -> Result<Checked, RecordProblem> {
    let e = examine(bytes, &mut Vec::with_capacity(20))?;
    if e.computed != e.stored {
        return Err(RecordProblem::HashMismatch { stored: e.stored, computed: e.computed });
    }
    Ok(Checked { seq: e.seq, prev: e.prev, hash: e.computed })
}

/// Check a record's form and read its chain facts, recomputing its hash;
/// `members` is scratch space a caller may reuse across records.
pub fn examine(bytes: &[u8], members: &mut Vec<scan::Member>) -> Result<Examined, RecordProblem> {
    let e = examine_raw(bytes, members)?;
    Ok(Examined {
        seq: e.seq,
        prev: hex::encode(e.prev),
        stored: hex::encode(e.stored),
        computed: hex::encode(e.computed),
    })
}

/// What [`examine_raw`] read: the chain facts as the 32 bytes they spell,
/// not as hex text (`verify` compares and links them, which needs no text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawExamined {
    pub seq: u64,
    pub prev: [u8; 32],
    pub stored: [u8; 32],
    pub computed: [u8; 32],
}

/// [`examine`] without building strings: the same checks, in the same order,
/// with the same problems. On success `members` holds the record's top-level
/// members (see [`scan::top_level`]).
pub fn examine_raw(
    bytes: &[u8],
    members: &mut Vec<scan::Member>,
) -> Result<RawExamined, RecordProblem> {
    scan::top_level(bytes, members)
        .map_err(|e| RecordProblem::Malformed { at: e.at, what: e.what })?;
    let find = |name: &[u8]| members.iter().position(|m| &bytes[m.name.clone()] == name);
    let text = |at: usize| &bytes[members[at].value.clone()];
    // A string member's contents: canonical strings of hex digits have no escapes.
    let string = |at: usize| {
        let raw = text(at);
        (raw.len() >= 2 && raw[0] == b'"').then(|| &raw[1..raw.len() - 1])
    };
    let number = |at: usize| std::str::from_utf8(text(at)).ok()?.parse::<u64>().ok();

    let v = find(b"v").and_then(number).ok_or(RecordProblem::BadField("v"))?;
    if v != FORMAT_VERSION {
        return Err(RecordProblem::Version(v));
    }
    let seq = find(b"seq").and_then(number).ok_or(RecordProblem::BadField("seq"))?;
    let prev =
        find(b"prev").and_then(string).and_then(hex32).ok_or(RecordProblem::BadField("prev"))?;
    let at_hash = find(b"hash").ok_or(RecordProblem::BadField("hash"))?;
    let stored = string(at_hash).and_then(hex32).ok_or(RecordProblem::BadField("hash"))?;
    let computed = digest_without(bytes, scan::cut_range(members, at_hash));
    Ok(RawExamined { seq, prev, stored, computed })
}

/// The 32 bytes that 64 lowercase hex digits spell; `None` for anything else
/// (upper case too: a record's hashes are written in lower case only).
pub fn hex32(s: &[u8]) -> Option<[u8; 32]> {
    /// The value of each lowercase hex digit; 0xff for every other byte.
    const DIGITS: [u8; 256] = {
        let mut table = [0xffu8; 256];
        let mut c = 0;
        while c < 10 {
            table[b'0' as usize + c] = c as u8;
            c += 1;
        }
        let mut c = 0;
        while c < 6 {
            table[b'a' as usize + c] = 10 + c as u8;
            c += 1;
        }
        table
    };
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (high, low) = (DIGITS[usize::from(pair[0])], DIGITS[usize::from(pair[1])]);
        bad |= high | low;
        *byte = high << 4 | low;
    }
    // A digit is below 16: a byte that is none has the high bit set.
    (bad & 0x80 == 0).then_some(out)
}

/// SHA-256 of `bytes` with `skip` cut out.
fn digest_without(bytes: &[u8], skip: std::ops::Range<usize>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..skip.start]);
    hasher.update(&bytes[skip.end..]);
    hasher.finalize().into()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Draft, GENESIS_PREV, Source, Timestamp};
    use serde_json::json;

    fn record(detail: serde_json::Value) -> Record {
        let mut draft =
            Draft::new("fs.modify", Source::Cli, Timestamp::from_unix(0).expect("epoch"));
        let serde_json::Value::Object(map) = detail else { unreachable!("an object") };
        draft.detail = Some(map);
        draft.into_record(1, GENESIS_PREV.to_owned())
    }

    #[test]
    fn both_seal_paths_write_checkable_canonical_bytes() {
        // Plain names take the fast path; names above U+FFFF sort differently in
        // UTF-16 than serde_json's map does, so they take the slow one.
        for detail in [json!({"b": 1, "a": "x\u{1}"}), json!({"\u{fb01}": 1, "\u{1f600}": 2})] {
            let mut r = record(detail);
            let bytes = seal(&mut r).expect("integers only");
            let checked = check(&bytes).expect("canonical and hashed");
            assert_eq!(checked.hash, r.hash);
        }
    }

    #[test]
    fn seal_refuses_what_verify_would_refuse() {
        let mut deep = json!(1);
        for _ in 0..80 {
            deep = json!([deep]);
        }
        let mut r = record(json!({ "deep": deep }));
        assert!(matches!(seal(&mut r), Err(CanonicalError::Unverifiable(_))));
    }

    #[test]
    fn hex32_reads_exactly_64_lowercase_hex_digits() {
        let text = "0123456789abcdef".repeat(4);
        let bytes = hex32(text.as_bytes()).expect("64 lowercase hex digits");
        assert_eq!(hex::encode(bytes), text);
        for at in [0, 1, 31, 63] {
            for c in [b'A', b'F', b'g', b'/', b':', b'`', b' ', 0x80, 0xff] {
                let mut wrong = text.clone().into_bytes();
                wrong[at] = c;
                assert_eq!(hex32(&wrong), None, "{c} at {at}");
            }
        }
        assert_eq!(hex32(&text.as_bytes()[..62]), None);
        assert_eq!(hex32(format!("{text}0").as_bytes()), None);
    }

    #[test]
    fn seal_refuses_floats() {
        let mut r = record(json!({"ratio": 0.5}));
        assert!(matches!(seal(&mut r), Err(CanonicalError::NotAnInteger(_))));
    }
}
