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

    #[test]
    fn tagged_keys_split_back() {
        let key = tagged(b"dir/file name.txt", 42);
        assert_eq!(split_tagged(&key), Some((&b"dir/file name.txt"[..], 42)));
        assert_eq!(split_tagged(b"short"), None);
    }
}
