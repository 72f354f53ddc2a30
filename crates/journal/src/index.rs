//! Index keys: derived data, rebuilt from `records` by `reindex`.
//!
//! Every index tree maps a key to an empty value; the key ends with the record's
//! seq (u64 big-endian) so that one tree can hold many records per path, commit or
//! change id, and so that a prefix scan yields them already grouped.
//!
//! | tree          | key                                                   |
//! |---------------|-------------------------------------------------------|
//! | `idx_path`    | path bytes, `0x00`, seq (also a rename's source path)  |
//! | `idx_time`    | time as i64 ns since the epoch with the sign bit flipped, seq |
//! | `idx_commit`  | commit id (ASCII hex), `0x00`, seq                     |
//! | `idx_change`  | change id (UTF-8), `0x00`, seq                         |
//! | `idx_token`   | authorization token id (UTF-8), `0x00`, seq            |
//! | `idx_draft`   | draft id (ASCII hex), `0x00`, seq                      |
//!
//! Git paths never contain NUL, ids are hex or UUID-like text, so `0x00` is an
//! unambiguous separator.

use std::borrow::Cow;

use base64::Engine as _;
use serde::Deserialize;

use crate::record::{Record, Source, Status, Timestamp};

pub const PATH: &str = "idx_path";
pub const TIME: &str = "idx_time";
pub const COMMIT: &str = "idx_commit";
pub const CHANGE: &str = "idx_change";
pub const TOKEN: &str = "idx_token";
pub const DRAFT: &str = "idx_draft";

/// Every index tree, in a fixed order.
pub const ALL: [&str; 6] = [PATH, TIME, COMMIT, CHANGE, TOKEN, DRAFT];

/// The key of the time index for `nanos` and `seq`.
pub fn time_key(nanos: i64, seq: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&time_prefix(nanos));
    key[8..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// Flipping the sign bit makes big-endian byte order agree with numeric order.
pub fn time_prefix(nanos: i64) -> [u8; 8] {
    ((nanos as u64) ^ (1 << 63)).to_be_bytes()
}

fn tagged(text: &[u8], seq: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(text.len() + 9);
    key.extend_from_slice(text);
    key.push(0);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// Split a `text 0x00 seq` key back into its parts.
pub fn split_tagged(key: &[u8]) -> Option<(&[u8], u64)> {
    if key.len() < 9 || key[key.len() - 9] != 0 {
        return None;
    }
    let (text, rest) = key.split_at(key.len() - 9);
    let seq = u64::from_be_bytes(rest[1..].try_into().ok()?);
    Some((text, seq))
}

/// The seq at the end of any index key.
pub fn seq_of(key: &[u8]) -> Option<u64> {
    let tail = key.get(key.len().checked_sub(8)?..)?;
    Some(u64::from_be_bytes(tail.try_into().ok()?))
}

/// The facts of a record that its index entries are made of.
pub struct Facts {
    pub seq: u64,
    pub time_nanos: i64,
    /// Every path the record names (a rename's source too), as raw bytes.
    pub paths: Vec<Vec<u8>>,
    pub commit: Option<String>,
    pub change_id: Option<String>,
    pub token_id: Option<String>,
    pub draft: Option<String>,
}

/// All index entries of one record, as (tree, key).
pub fn entries(record: &Record) -> Vec<(&'static str, Vec<u8>)> {
    let mut paths = Vec::with_capacity(record.paths.len());
    for change in &record.paths {
        paths.extend(change.path_bytes());
        paths.extend(change.from_bytes());
    }
    entries_of(&Facts {
        seq: record.seq,
        time_nanos: record.time.nanos(),
        paths,
        commit: record.commit.clone(),
        change_id: record.change_id.clone(),
        token_id: record.authorization.as_ref().map(|a| a.token_id.clone()),
        draft: record.draft.clone(),
    })
}

/// The parts of a stored record its index entries come from, borrowed where
/// possible, with the member checks of FORMAT §7.1 step 8 that concern them.
/// `plain_facts` reads the same members straight from canonical bytes: a
/// check added here must be added there (the tests compare the two).
#[derive(Deserialize)]
struct View<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[allow(dead_code, reason = "deserialized to check it is one of the v1 sources")]
    source: Source,
    #[serde(default, borrow)]
    commit: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    parents: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    change_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    paths: Vec<PathView<'a>>,
    #[serde(default, borrow)]
    authorization: Option<AuthView<'a>>,
    #[serde(default, borrow)]
    actor: Option<std::collections::BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(default)]
    detail: Option<AnObject>,
    #[serde(default, borrow)]
    draft: Option<Cow<'a, str>>,
}

/// Any JSON object, its members skipped (only its type is checked).
struct AnObject;

impl<'de> Deserialize<'de> for AnObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = AnObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<AnObject, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(AnObject)
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
struct PathView<'a> {
    #[serde(default, borrow)]
    path: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    path_b64: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    from: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    from_b64: Option<Cow<'a, str>>,
    #[allow(dead_code, reason = "deserialized to check it is A, M, D, R or T")]
    status: Status,
    #[allow(dead_code, reason = "deserialized to check its type")]
    #[serde(default)]
    size: Option<u64>,
    #[serde(default, borrow)]
    mode: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct AuthView<'a> {
    #[serde(borrow)]
    token_id: Cow<'a, str>,
    #[allow(dead_code, reason = "deserialized to check it is present and a string")]
    #[serde(borrow)]
    issuer: Cow<'a, str>,
}

fn one_path(
    text: &Option<Cow<'_, str>>,
    b64: &Option<Cow<'_, str>>,
    what: &str,
) -> Result<Option<Vec<u8>>, String> {
    match (text, b64) {
        (Some(_), Some(_)) => Err(format!("a path entry has both {what} and {what}_b64")),
        (Some(t), None) => Ok(Some(t.as_bytes().to_vec())),
        (None, Some(b)) => match base64::engine::general_purpose::STANDARD.decode(b.as_bytes()) {
            Ok(bytes) if std::str::from_utf8(&bytes).is_err() => Ok(Some(bytes)),
            Ok(_) => Err(format!("{what}_b64 holds valid UTF-8, which belongs in {what}")),
            Err(_) => Err(format!("{what}_b64 is not valid base64")),
        },
        (None, None) => Ok(None),
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Read the index facts of a stored record, checking the members they come
/// from (and `kind`, `source`, path `status`) against FORMAT §2. The error
/// says which member is wrong. Used by `verify` and `reindex`, which must not
/// depend on the full record model accepting the record.
pub fn facts_from_bytes(seq: u64, bytes: &[u8]) -> Result<Facts, String> {
    let view: View<'_> =
        serde_json::from_slice(bytes).map_err(|e| format!("not a v1 record: {e}"))?;
    let time = Timestamp::parse_record_form(&view.time).ok_or_else(|| {
        format!("time {:?} is not in the record form YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", view.time)
    })?;
    if view.kind.is_empty() {
        return Err("kind is empty".to_owned());
    }
    if let Some(commit) = &view.commit
        && !is_hex(commit)
    {
        return Err("commit is not a lowercase hex object id".to_owned());
    }
    if view.parents.iter().any(|p| !is_hex(p)) {
        return Err("a parent is not a lowercase hex object id".to_owned());
    }
    if let Some(draft) = &view.draft
        && !crate::record::is_draft_id(draft)
    {
        return Err("draft is not 32 lowercase hex digits".to_owned());
    }
    let _ = (&view.actor, &view.detail); // their types were checked by deserializing
    let mut paths = Vec::with_capacity(view.paths.len());
    for p in &view.paths {
        if let Some(mode) = &p.mode
            && (mode.is_empty() || !mode.bytes().all(|b| (b'0'..=b'7').contains(&b)))
        {
            return Err(format!("mode {mode:?} is not octal digits"));
        }
        match one_path(&p.path, &p.path_b64, "path")? {
            Some(path) => paths.push(path),
            None => return Err("a path entry has neither path nor path_b64".to_owned()),
        }
        paths.extend(one_path(&p.from, &p.from_b64, "from")?);
    }
    Ok(Facts {
        seq,
        time_nanos: time.nanos(),
        paths,
        commit: view.commit.map(Cow::into_owned),
        change_id: view.change_id.map(Cow::into_owned),
        token_id: view.authorization.map(|a| a.token_id.into_owned()),
        draft: view.draft.map(Cow::into_owned),
    })
}

/// [`facts_from_bytes`] for a record [`crate::scan::top_level`] accepted,
/// whose top-level members are `members`: `verify` has scanned every record
/// already, and reads the facts from the canonical bytes instead of parsing
/// them again. The answer is exactly [`facts_from_bytes`]'s: a record the
/// direct reading is not sure of (an escape in a string it needs, a member
/// of another type than the usual one, anything refused) goes to
/// [`facts_from_bytes`], which decides and says why.
pub fn facts_from_scanned(
    seq: u64,
    bytes: &[u8],
    members: &[crate::scan::Member],
) -> Result<Facts, String> {
    match plain_facts(seq, bytes, members) {
        Some(facts) => Ok(facts),
        None => facts_from_bytes(seq, bytes),
    }
}

/// The facts of a canonical record in its usual shape, or `None`. Accepts
/// only what [`View`] accepts with the same outcome: every member [`View`]
/// reads has the type it deserializes (`null` where it takes an `Option`),
/// no string whose contents are used holds an escape (serde would unescape
/// it), and every check of [`facts_from_bytes`] passes.
fn plain_facts(seq: u64, bytes: &[u8], members: &[crate::scan::Member]) -> Option<Facts> {
    // Strings are read as bytes: the whole record is valid UTF-8 (the scanner
    // checked), and so is anything between two of its quotes.
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
    let (mut time, mut kind, mut source) = (None, None, false);
    let mut facts = Facts {
        seq,
        time_nanos: 0,
        paths: Vec::new(),
        commit: None,
        change_id: None,
        token_id: None,
        draft: None,
    };
    for member in members {
        let value = &bytes[member.value.clone()];
        match &bytes[member.name.clone()] {
            b"time" => time = Some(plain_bytes(value)?),
            b"kind" => kind = Some(plain_bytes(value)?),
            b"source" => {
                let name = plain_bytes(value)?;
                if !matches!(
                    name,
                    b"hook" | b"watcher" | b"import" | b"cli" | b"service" | b"agent"
                ) {
                    return None;
                }
                source = true;
            }
            b"commit" => {
                if let Some(commit) = optional_bytes(value)? {
                    facts.commit = Some(text(hex_digits(commit)?)?);
                }
            }
            b"parents" => array(value, |at| {
                let end = value_end(value, at)?;
                hex_digits(plain_bytes(&value[at..end])?)?;
                Some(end)
            })?,
            b"change_id" => {
                if let Some(change) = optional_bytes(value)? {
                    facts.change_id = Some(text(change)?);
                }
            }
            b"paths" => array(value, |at| plain_path(value, at, &mut facts.paths))?,
            b"authorization" if value != b"null" => {
                let (mut token, mut issuer) = (None, false);
                let end = object_at(value, 0, |name, value| {
                    match name {
                        b"token_id" => token = Some(plain_bytes(value)?),
                        b"issuer" => issuer = value.first() == Some(&b'"'),
                        _ => {}
                    }
                    Some(())
                })?;
                if !issuer || end != value.len() {
                    return None;
                }
                facts.token_id = Some(text(token?)?);
            }
            b"actor" if value != b"null" => {
                let end =
                    object_at(value, 0, |_, value| (value.first() == Some(&b'"')).then_some(()))?;
                if end != value.len() {
                    return None;
                }
            }
            b"detail" if value != b"null" && value.first() != Some(&b'{') => return None,
            b"draft" => {
                if let Some(draft) = optional_bytes(value)? {
                    let draft = text(draft)?;
                    if !crate::record::is_draft_id(&draft) {
                        return None;
                    }
                    facts.draft = Some(draft);
                }
            }
            _ => {}
        }
    }
    if !source || kind?.is_empty() {
        return None;
    }
    let time = std::str::from_utf8(time?).ok()?;
    facts.time_nanos = Timestamp::parse_record_form(time)?.nanos();
    Some(facts)
}

/// `s` when it is lowercase hex digits, as [`is_hex`] wants them.
fn hex_digits(s: &[u8]) -> Option<&[u8]> {
    (!s.is_empty() && s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(s)
}

/// The entry of `paths` that starts at `at` in `b`, as [`PathView`] and
/// [`facts_from_bytes`] read it: its path (and a rename's source) pushed onto
/// `paths`. Returns where the entry ends.
fn plain_path(b: &[u8], at: usize, paths: &mut Vec<Vec<u8>>) -> Option<usize> {
    let (mut path, mut path_b64, mut from, mut from_b64) = (None, None, None, None);
    let mut status = false;
    let end = object_at(b, at, |name, value| {
        match name {
            b"path" => path = optional_bytes(value)?,
            b"path_b64" => path_b64 = optional_bytes(value)?,
            b"from" => from = optional_bytes(value)?,
            b"from_b64" => from_b64 = optional_bytes(value)?,
            b"status" => status = matches!(plain_bytes(value)?, b"A" | b"M" | b"D" | b"R" | b"T"),
            // An integer the scanner let through fits an i64 or a u64: a u64
            // unless it is negative.
            b"size" if value != b"null" && !value.first().is_some_and(u8::is_ascii_digit) => {
                return None;
            }
            b"mode" => {
                if let Some(mode) = optional_bytes(value)?
                    && (mode.is_empty() || !mode.iter().all(|b| (b'0'..=b'7').contains(b)))
                {
                    return None;
                }
            }
            _ => {}
        }
        Some(())
    })?;
    if !status {
        return None;
    }
    paths.push(either_path(path, path_b64, "path")??);
    paths.extend(either_path(from, from_b64, "from")?);
    Some(end)
}

/// [`one_path`] of plain strings: `None` where it refuses, `Some(None)` for
/// neither.
fn either_path(text: Option<&[u8]>, b64: Option<&[u8]>, what: &str) -> Option<Option<Vec<u8>>> {
    match (text, b64) {
        (Some(text), None) => Some(Some(text.to_vec())),
        (None, None) => Some(None),
        (text, b64) => one_path(&as_str(text)?, &as_str(b64)?, what).ok(),
    }
}

fn as_str(s: Option<&[u8]>) -> Option<Option<Cow<'_, str>>> {
    match s {
        Some(s) => Some(Some(Cow::Borrowed(std::str::from_utf8(s).ok()?))),
        None => Some(None),
    }
}

/// The contents of a canonical JSON string without escapes; `None` for any
/// other value.
fn plain_bytes(value: &[u8]) -> Option<&[u8]> {
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    (!inner.contains(&b'\\')).then_some(inner)
}

/// `null` as `Some(None)`, a string without escapes as `Some(Some(_))`.
fn optional_bytes(value: &[u8]) -> Option<Option<&[u8]>> {
    if value == b"null" { Some(None) } else { plain_bytes(value).map(Some) }
}

/// Where the value that starts at `at` in canonical JSON ends. The bytes are
/// ones [`crate::scan::top_level`] accepted, so every bracket and quote is
/// where the grammar puts it.
fn value_end(b: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(at)? {
            b'"' => {
                at += 1;
                loop {
                    at = crate::scan::string_stop(b, at, &mut 0)?;
                    match b[at] {
                        b'"' => break,
                        b'\\' => at += 2,
                        _ => at += 1,
                    }
                }
                at += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                at += 1;
                continue;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                at += 1;
            }
            _ => {
                while !matches!(b.get(at), None | Some(b',' | b'}' | b']')) {
                    at += 1;
                }
            }
        }
        if depth == 0 {
            return Some(at);
        }
        // Inside a container: past a separator or a name's colon.
        if matches!(b.get(at), Some(b',' | b':')) {
            at += 1;
        }
    }
}

/// Walk the object that starts at `at` in canonical JSON `b`, calling `each`
/// with every member's raw name and value; returns where the object ends.
fn object_at<'a>(
    b: &'a [u8],
    mut at: usize,
    mut each: impl FnMut(&'a [u8], &'a [u8]) -> Option<()>,
) -> Option<usize> {
    if b.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    if b.get(at) == Some(&b'}') {
        return Some(at + 1);
    }
    loop {
        let colon = value_end(b, at)?;
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let end = value_end(b, colon + 1)?;
        each(b.get(at + 1..colon - 1)?, &b[colon + 1..end])?;
        match b.get(end) {
            Some(b',') => at = end + 1,
            Some(b'}') => return Some(end + 1),
            _ => return None,
        }
    }
}

/// Walk the canonical JSON array `value`, calling `each` with where every
/// element starts; it returns where the element ends.
fn array(value: &[u8], mut each: impl FnMut(usize) -> Option<usize>) -> Option<()> {
    if value.first() != Some(&b'[') {
        return None;
    }
    if value == b"[]" {
        return Some(());
    }
    let mut at = 1;
    loop {
        let end = each(at)?;
        match value.get(end) {
            Some(b',') => at = end + 1,
            Some(b']') => return (end + 1 == value.len()).then_some(()),
            _ => return None,
        }
    }
}

/// The one place that decides which index keys a record has.
pub fn entries_of(facts: &Facts) -> Vec<(&'static str, Vec<u8>)> {
    let seq = facts.seq;
    let mut out = Vec::with_capacity(2 + facts.paths.len());
    out.push((TIME, time_key(facts.time_nanos, seq).to_vec()));
    for path in &facts.paths {
        out.push((PATH, tagged(path, seq)));
    }
    if let Some(commit) = &facts.commit {
        out.push((COMMIT, tagged(commit.as_bytes(), seq)));
    }
    if let Some(change) = &facts.change_id {
        out.push((CHANGE, tagged(change.as_bytes(), seq)));
    }
    if let Some(token) = &facts.token_id {
        out.push((TOKEN, tagged(token.as_bytes(), seq)));
    }
    if let Some(draft) = &facts.draft {
        out.push((DRAFT, tagged(draft.as_bytes(), seq)));
    }
    // A record may name the same path twice (a rename onto a path that was also
    // deleted); the index holds each key once.
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_like_times() {
        let mut keys = [time_key(5, 1), time_key(-5, 2), time_key(0, 3), time_key(i64::MIN, 4)];
        keys.sort();
        let seqs: Vec<u64> = keys.iter().map(|k| seq_of(k).expect("16 bytes")).collect();
        assert_eq!(seqs, [4, 2, 3, 1]);
    }

    #[test]
    fn record_members_are_checked_against_the_format() {
        let good = r#"{"kind":"commit","source":"import","time":"2026-11-26T22:40:11.000000000Z","commit":"ab12","paths":[{"path":"a","status":"M","mode":"100644"}],"actor":{"name":"A"},"detail":{"x":[1]}}"#;
        assert!(facts_from_bytes(1, good.as_bytes()).is_ok());
        for (bad, why) in [
            (r#""kind":"commit""#, r#""kind":"""#),
            (r#""source":"import""#, r#""source":"somebody""#),
            (r#""status":"M""#, r#""status":"X""#),
            (r#""path":"a""#, r#""path":"a","path_b64":"/w==""#),
            (r#""path":"a""#, r#""path_b64":"YQ==""#),
            (r#"22:40:11.000000000Z"#, r#"22:40:11Z"#),
            (r#""commit":"ab12""#, r#""commit":"AB12""#),
            (r#""mode":"100644""#, r#""mode":"10x644""#),
            (r#""actor":{"name":"A"}"#, r#""actor":{"name":1}"#),
            (r#""detail":{"x":[1]}"#, r#""detail":[1]"#),
        ] {
            let text = good.replace(bad, why);
            assert_ne!(text, good, "the replacement applies: {why}");
            assert!(facts_from_bytes(1, text.as_bytes()).is_err(), "accepted {why}");
        }
    }

    /// What a reading of the facts gave, comparable.
    type Read = Result<(u64, i64, Vec<Vec<u8>>, [Option<String>; 4]), String>;

    fn read(facts: Result<Facts, String>) -> Read {
        facts.map(|f| (f.seq, f.time_nanos, f.paths, [f.commit, f.change_id, f.token_id, f.draft]))
    }

    /// A canonical record in the usual shape, with `name` set to `value`
    /// (or left out when `value` is `None`).
    fn record_with(name: &str, value: Option<serde_json::Value>) -> Vec<u8> {
        let mut record = serde_json::json!({
            "actor": {"email": "a@x", "name": "A"},
            "authorization": {"issuer": "ada", "token_id": "t1"},
            "commit": "ab12",
            "detail": {"subject": "s", "author": {"name": "A"}},
            "draft": "0123456789abcdef0123456789abcdef",
            "hash": "00",
            "kind": "commit",
            "parents": ["cd34", "ef56"],
            "paths": [
                {"blob": "ff", "mode": "100644", "path": "a/b", "status": "M"},
                {"from": "x", "path": "y", "size": 5, "status": "R"},
                {"path_b64": "/w==", "status": "A"},
            ],
            "seq": 7,
            "source": "import",
            "time": "2026-11-26T22:40:11.000000000Z",
            "v": 1,
        });
        let map = record.as_object_mut().expect("an object");
        match value {
            Some(value) => map.insert(name.to_owned(), value),
            None => map.remove(name),
        };
        crate::canonical::to_vec(&record).expect("integers only")
    }

    /// `facts_from_scanned` answers exactly as `facts_from_bytes` does, and
    /// (`direct`) without falling back to it.
    fn assert_same(bytes: &[u8], direct: Option<bool>) {
        let mut members = Vec::new();
        crate::scan::top_level(bytes, &mut members).expect("canonical");
        let text = String::from_utf8_lossy(bytes);
        let slow = read(facts_from_bytes(7, bytes));
        assert_eq!(read(facts_from_scanned(7, bytes, &members)), slow, "{text}");
        if let Some(fast) = read_plain(bytes, &members) {
            assert_eq!(fast, slow, "read directly, differently: {text}");
        }
        if let Some(direct) = direct {
            assert_eq!(read_plain(bytes, &members).is_some(), direct, "{text}");
        }
    }

    fn read_plain(bytes: &[u8], members: &[crate::scan::Member]) -> Option<Read> {
        plain_facts(7, bytes, members).map(|f| read(Ok(f)))
    }

    #[test]
    fn facts_read_from_scanned_bytes_are_those_the_parse_reads() {
        use serde_json::json;
        // The usual shape is read directly.
        assert_same(&record_with("zzz", Some(json!({"a": [1, {"b": null}, "\""]}))), Some(true));
        let cases: Vec<(&str, Option<serde_json::Value>)> = vec![
            ("commit", Some(json!(null))),
            ("commit", Some(json!("AB12"))),
            ("commit", Some(json!(""))),
            ("commit", Some(json!(5))),
            ("commit", Some(json!("a\"b"))),
            ("commit", None),
            ("parents", Some(json!(null))),
            ("parents", Some(json!([]))),
            ("parents", Some(json!(["zz"]))),
            ("parents", Some(json!([1]))),
            ("parents", Some(json!("ab"))),
            ("parents", Some(json!(["a\\b"]))),
            ("parents", None),
            ("paths", Some(json!(null))),
            ("paths", Some(json!([]))),
            ("paths", Some(json!({}))),
            ("paths", Some(json!([{"status": "M"}]))),
            ("paths", Some(json!([{"path": "a", "path_b64": "/w==", "status": "M"}]))),
            ("paths", Some(json!([{"path_b64": "YQ==", "status": "A"}]))),
            ("paths", Some(json!([{"path_b64": "%%%", "status": "A"}]))),
            ("paths", Some(json!([{"path": "a", "status": "X"}]))),
            ("paths", Some(json!([{"path": "a", "status": null}]))),
            ("paths", Some(json!([{"path": "a", "status": ["M"]}]))),
            ("paths", Some(json!([{"path": "a"}]))),
            ("paths", Some(json!([{"path": "a", "size": -1, "status": "M"}]))),
            ("paths", Some(json!([{"path": "a", "size": null, "status": "M"}]))),
            ("paths", Some(json!([{"path": "a", "size": "5", "status": "M"}]))),
            ("paths", Some(json!([{"path": "a", "size": u64::MAX, "status": "M"}]))),
            ("paths", Some(json!([{"mode": "", "path": "a", "status": "M"}]))),
            ("paths", Some(json!([{"mode": "10x", "path": "a", "status": "M"}]))),
            ("paths", Some(json!([{"mode": null, "path": "a", "status": "M"}]))),
            ("paths", Some(json!([{"mode": 5, "path": "a", "status": "M"}]))),
            ("paths", Some(json!([["a", null, null, null, "M", null, null]]))),
            ("paths", Some(json!([{"path": "a\nb\"c", "status": "M"}]))),
            ("paths", Some(json!([{"path": null, "path_b64": "/w==", "status": "M"}]))),
            ("paths", Some(json!([{"from": null, "path": "a", "status": "M"}]))),
            ("paths", Some(json!([{"from_b64": "/w==", "path": "a", "status": "R"}]))),
            ("paths", Some(json!([{"from": "b", "from_b64": "/w==", "path": "a", "status": "R"}]))),
            ("paths", Some(json!([{"path": "a", "status": "M", "x": [1, {"y": "]"}]}]))),
            ("paths", Some(json!([{"path": "a", "status": "M"}, 1]))),
            ("authorization", Some(json!(null))),
            ("authorization", Some(json!({"token_id": "t"}))),
            ("authorization", Some(json!({"issuer": "i"}))),
            ("authorization", Some(json!({"issuer": "i", "token_id": 1}))),
            ("authorization", Some(json!({"issuer": 2, "token_id": "t"}))),
            ("authorization", Some(json!({"issuer": "i\"", "token_id": "t"}))),
            ("authorization", Some(json!({"issuer": "i", "token_id": "t\"x"}))),
            ("authorization", Some(json!(["t", "i"]))),
            ("authorization", Some(json!({"a": {"b": []}, "issuer": "i", "token_id": "t"}))),
            ("actor", Some(json!(null))),
            ("actor", Some(json!({"name": 1}))),
            ("actor", Some(json!({}))),
            ("actor", Some(json!([]))),
            ("actor", Some(json!("a"))),
            ("actor", Some(json!({"name": "a\"b"}))),
            ("detail", Some(json!(null))),
            ("detail", Some(json!([1]))),
            ("detail", Some(json!({}))),
            ("detail", Some(json!("x"))),
            ("detail", Some(json!(1))),
            ("draft", Some(json!(null))),
            ("draft", Some(json!("abc"))),
            ("draft", Some(json!("0123456789ABCDEF0123456789abcdef"))),
            ("draft", Some(json!(1))),
            ("kind", Some(json!(""))),
            ("kind", Some(json!(null))),
            ("kind", Some(json!(1))),
            ("kind", Some(json!("x\ty"))),
            ("kind", None),
            ("source", Some(json!("somebody"))),
            ("source", Some(json!(null))),
            ("source", Some(json!("hook"))),
            ("source", Some(json!(1))),
            ("source", None),
            ("time", Some(json!("2026-11-26T22:40:11Z"))),
            ("time", Some(json!("2026-13-26T22:40:11.000000000Z"))),
            ("time", Some(json!(null))),
            ("time", Some(json!(5))),
            ("time", None),
            ("change_id", Some(json!(null))),
            ("change_id", Some(json!("c"))),
            ("change_id", Some(json!(1))),
            ("change_id", Some(json!("c\\d"))),
        ];
        for (name, value) in cases {
            assert_same(&record_with(name, value), None);
        }
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            prop_oneof![
                Just("M".to_owned()),
                Just("ab12".to_owned()),
                Just("2026-11-26T22:40:11.000000000Z".to_owned()),
                Just("0123456789abcdef0123456789abcdef".to_owned()),
                Just("/w==".to_owned()),
                Just("100644".to_owned()),
                "[a-z\\\"\\\\\n\u{e9}\u{1f600}{}\\[\\],:]{0,6}",
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 5, |inner| {
            let names = prop_oneof![
                Just("path".to_owned()),
                Just("path_b64".to_owned()),
                Just("from".to_owned()),
                Just("from_b64".to_owned()),
                Just("status".to_owned()),
                Just("size".to_owned()),
                Just("mode".to_owned()),
                Just("token_id".to_owned()),
                Just("issuer".to_owned()),
                "[a-z\"]{0,3}",
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(names, inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever value a member the facts come from holds, both readings agree.
        #[test]
        fn any_member_value_is_read_as_the_parse_reads_it(
            name in proptest::sample::select(vec![
                "actor", "authorization", "change_id", "commit", "detail", "draft",
                "kind", "parents", "paths", "source", "time",
            ]),
            value in any_json(),
            entry in any_json(),
        ) {
            assert_same(&record_with(name, Some(value)), None);
            // Inside the paths too.
            assert_same(&record_with("paths", Some(serde_json::json!([entry]))), None);
        }
    }

    #[test]
    fn tagged_keys_split_back() {
        let key = tagged(b"dir/file name.txt", 42);
        assert_eq!(split_tagged(&key), Some((&b"dir/file name.txt"[..], 42)));
        assert_eq!(split_tagged(b"short"), None);
    }
}
