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
//!
//! Git paths never contain NUL, ids are hex or UUID-like text, so `0x00` is an
//! unambiguous separator.

use crate::record::Record;

pub const PATH: &str = "idx_path";
pub const TIME: &str = "idx_time";
pub const COMMIT: &str = "idx_commit";
pub const CHANGE: &str = "idx_change";
pub const TOKEN: &str = "idx_token";

/// Every index tree, in a fixed order.
pub const ALL: [&str; 5] = [PATH, TIME, COMMIT, CHANGE, TOKEN];

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
pub struct Facts<'a> {
    pub seq: u64,
    pub time_nanos: i64,
    /// Every path the record names (a rename's source too), as raw bytes.
    pub paths: Vec<Vec<u8>>,
    pub commit: Option<&'a str>,
    pub change_id: Option<&'a str>,
    pub token_id: Option<&'a str>,
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
        commit: record.commit.as_deref(),
        change_id: record.change_id.as_deref(),
        token_id: record.authorization.as_ref().map(|a| a.token_id.as_str()),
    })
}

/// The one place that decides which index keys a record has.
pub fn entries_of(facts: &Facts<'_>) -> Vec<(&'static str, Vec<u8>)> {
    let seq = facts.seq;
    let mut out = Vec::with_capacity(2 + facts.paths.len());
    out.push((TIME, time_key(facts.time_nanos, seq).to_vec()));
    for path in &facts.paths {
        out.push((PATH, tagged(path, seq)));
    }
    if let Some(commit) = facts.commit {
        out.push((COMMIT, tagged(commit.as_bytes(), seq)));
    }
    if let Some(change) = facts.change_id {
        out.push((CHANGE, tagged(change.as_bytes(), seq)));
    }
    if let Some(token) = facts.token_id {
        out.push((TOKEN, tagged(token.as_bytes(), seq)));
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
    fn tagged_keys_split_back() {
        let key = tagged(b"dir/file name.txt", 42);
        assert_eq!(split_tagged(&key), Some((&b"dir/file name.txt"[..], 42)));
        assert_eq!(split_tagged(b"short"), None);
    }
}
