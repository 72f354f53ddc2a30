//! The record model, format version 1 (store/FORMAT.md is the normative text).

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The record format version this build writes and verifies.
pub const FORMAT_VERSION: u64 = 1;

/// `prev` of record 1.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The kinds of record trail writes. A kind is a plain string in the record so
/// readers stay forward compatible; these are the ones v1 defines.
pub mod kinds {
    pub const COMMIT: &str = "commit";
    pub const COMMIT_BLOCKED: &str = "commit.blocked";
    pub const COMMIT_UNVERIFIED: &str = "commit.unverified";
    pub const POLICY_VIOLATION: &str = "policy.violation";
    pub const POLICY_BOOTSTRAP: &str = "policy.bootstrap";
    pub const AUTH_USED: &str = "auth.used";
    pub const REF_UPDATE: &str = "ref.update";
    pub const HISTORY_REWRITE: &str = "history.rewrite";
    pub const CHANGELOG_CREATED: &str = "changelog.created";
    pub const FS_CREATE: &str = "fs.create";
    pub const FS_MODIFY: &str = "fs.modify";
    pub const FS_DELETE: &str = "fs.delete";
    pub const FS_RENAME: &str = "fs.rename";
    pub const FS_RESCAN: &str = "fs.rescan";
    pub const FS_OPERATION: &str = "fs.operation";
    pub const WATCH_START: &str = "watch.start";
    pub const WATCH_STOP: &str = "watch.stop";
    pub const CHECKPOINT: &str = "checkpoint";
    /// A new store was created where this repository or its remote already
    /// had one: `detail.previous` lists the store ids seen before it.
    pub const STORE_CREATED: &str = "store.created";
    /// An AI coding agent's tool call changed files (written by its hook,
    /// source `agent`): `detail.agent` names the agent, session and tool.
    pub const AGENT_EDIT: &str = "agent.edit";
    /// A user's prompt to an AI coding agent (written by its prompt hook,
    /// source `agent`): `detail.agent` names the agent and session; `why`
    /// holds the prompt as `[agent] prompts` allows (none: no `why`).
    pub const AGENT_PROMPT: &str = "agent.prompt";

    /// Every kind format v1 defines.
    pub const ALL: [&str; 21] = [
        COMMIT,
        COMMIT_BLOCKED,
        COMMIT_UNVERIFIED,
        POLICY_VIOLATION,
        POLICY_BOOTSTRAP,
        AUTH_USED,
        REF_UPDATE,
        HISTORY_REWRITE,
        CHANGELOG_CREATED,
        FS_CREATE,
        FS_MODIFY,
        FS_DELETE,
        FS_RENAME,
        FS_RESCAN,
        FS_OPERATION,
        WATCH_START,
        WATCH_STOP,
        CHECKPOINT,
        STORE_CREATED,
        AGENT_EDIT,
        AGENT_PROMPT,
    ];
}

/// Who or what produced a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Hook,
    Watcher,
    Import,
    Cli,
    Service,
    /// An AI coding agent's hook (`trail agent hook`).
    Agent,
}

/// A point in time, always UTC, always written with nanoseconds and `Z`
/// (`2026-11-26T22:40:11.000000000Z`) so the text sorts like the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now())
    }

    /// From seconds since the epoch (git's resolution), clamped to the years
    /// 0000-9999 that the record format can write (a git object may carry any
    /// 64-bit time). Returns whether it had to clamp.
    pub fn from_unix_clamped(seconds: i64) -> (Self, bool) {
        let clamped = seconds.clamp(Self::MIN_SECONDS, Self::MAX_SECONDS);
        let t = DateTime::from_timestamp(clamped, 0).map(Timestamp).unwrap_or_else(Self::now);
        (t, clamped != seconds)
    }

    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since the epoch:
    /// the range of four-digit years (store/FORMAT.md §2.3).
    pub const MIN_SECONDS: i64 = -62_167_219_200;
    pub const MAX_SECONDS: i64 = 253_402_300_799;

    /// From seconds since the epoch, if the record format can hold it.
    pub fn from_unix(seconds: i64) -> Option<Self> {
        match Self::from_unix_clamped(seconds) {
            (t, false) => Some(t),
            (_, true) => None,
        }
    }

    /// Nanoseconds since the epoch; the key of the time index.
    pub fn nanos(&self) -> i64 {
        // i64 nanoseconds cover 1677-2262; saturate outside rather than wrap.
        self.0.timestamp_nanos_opt().unwrap_or(if self.0.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// The record form. A time outside the years 0000-9999 (only constructible
    /// through the public field) is written clamped, so a record never holds a
    /// time the format cannot express.
    pub fn to_rfc3339(&self) -> String {
        let seconds = self.0.timestamp();
        if !(Self::MIN_SECONDS..=Self::MAX_SECONDS).contains(&seconds) {
            return Self::from_unix_clamped(seconds).0.to_rfc3339();
        }
        self.0.to_rfc3339_opts(SecondsFormat::Nanos, true)
    }

    /// Any RFC 3339 time (used for user input).
    pub fn parse(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s).ok().map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    /// Only the record form `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (FORMAT §2.3).
    pub fn parse_record_form(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let shape = b.len() == 30
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && b[19] == b'.'
            && digits(20..29)
            && b[29] == b'Z';
        if !shape {
            return None;
        }
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {s:?}")))
    }
}

/// The person behind a change: git identity plus, where known, the local account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Fields of every serialized struct here are declared in canonical (sorted)
// order: `chain::seal` serializes records directly and only falls back to
// sorting a JSON tree when the scanner finds the bytes not canonical.
pub struct Actor {
    #[serde(default, skip_serializing_if = "is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub host: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub user: String,
}

impl Actor {
    fn is_blank(&self) -> bool {
        self.name.is_empty()
            && self.email.is_empty()
            && self.user.is_empty()
            && self.host.is_empty()
    }
}

/// How a path changed. `T` is a type change (file to symlink, for example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    A,
    M,
    D,
    R,
    T,
}

/// One path a record touches.
///
/// A path is stored in `path` when its bytes are valid UTF-8 and in `path_b64`
/// (standard base64 with padding, RFC 4648 §4) when they are not; exactly one of
/// the two is present. `from`/`from_b64` follow the same rule for a rename's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    /// The git object id of the content after the change (before it, for a deletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_b64: Option<String>,
    /// The git file mode in octal, e.g. `100644`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_b64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    pub status: Status,
}

impl PathChange {
    pub fn new(path: &[u8], status: Status) -> Self {
        let (path, path_b64) = split_path(path);
        PathChange {
            path,
            path_b64,
            status,
            from: None,
            from_b64: None,
            blob: None,
            sha256: None,
            size: None,
            mode: None,
        }
    }

    /// "Omit empty members" (FORMAT §2.1) holds inside path entries too.
    fn without_empty_members(self) -> Self {
        let keep = |s: Option<String>| s.filter(|s| !s.is_empty());
        PathChange {
            blob: keep(self.blob),
            from: keep(self.from),
            from_b64: keep(self.from_b64),
            mode: keep(self.mode),
            path: self.path,
            path_b64: self.path_b64,
            sha256: keep(self.sha256),
            size: self.size,
            status: self.status,
        }
    }

    pub fn with_from(mut self, from: &[u8]) -> Self {
        (self.from, self.from_b64) = split_path(from);
        self
    }

    /// The path's bytes, whichever field holds them. `None` only for a malformed record.
    pub fn path_bytes(&self) -> Option<Vec<u8>> {
        join_path(&self.path, &self.path_b64)
    }

    pub fn from_bytes(&self) -> Option<Vec<u8>> {
        join_path(&self.from, &self.from_b64)
    }

    /// The path for display, quoted the way git quotes paths: as is, unless it
    /// holds control characters, `"`, `\` or bytes that are not UTF-8 — then in
    /// double quotes with C escapes and octal for the odd bytes, so one path is
    /// always one line. Unlike git's default (`core.quotePath=true`), valid
    /// non-ASCII UTF-8 is shown as is.
    pub fn display_path(&self) -> String {
        display(&self.path, &self.path_b64)
    }

    pub fn display_from(&self) -> Option<String> {
        if self.from.is_none() && self.from_b64.is_none() {
            return None;
        }
        Some(display(&self.from, &self.from_b64))
    }
}

/// A path's bytes as a record holds them: (`path`, `path_b64`), the text
/// when the bytes are valid UTF-8, else their standard base64 (FORMAT.md).
pub fn split_path(bytes: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Some(s.to_owned()), None),
        Err(_) => (None, Some(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

fn join_path(text: &Option<String>, b64: &Option<String>) -> Option<Vec<u8>> {
    match (text, b64) {
        (Some(s), _) => Some(s.as_bytes().to_vec()),
        (None, Some(b)) => base64::engine::general_purpose::STANDARD.decode(b).ok(),
        (None, None) => None,
    }
}

fn display(text: &Option<String>, b64: &Option<String>) -> String {
    match join_path(text, b64) {
        Some(bytes) => quote_path(&bytes),
        None => String::from("<missing path>"),
    }
}

/// Quote `bytes` as git does for paths (see [`PathChange::display_path`]).
pub fn quote_path(bytes: &[u8]) -> String {
    let needs = |b: u8| b < 0x20 || b == 0x7f || b == b'"' || b == b'\\';
    if let Ok(s) = std::str::from_utf8(bytes)
        && !bytes.iter().any(|&b| needs(b))
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\{:03o}", c as u32));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

/// The authorization a change carried (token id and issuer key id; never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub issuer: String,
    pub token_id: String,
}

/// A record as stored: every field of format v1. Build one with [`Draft`] and let
/// the store assign `seq`, `prev` and `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Authorization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Map<String, Value>>,
    /// The id of the draft this record was appended from (32 lowercase hex
    /// digits): the store appends a draft id once, so a retried, re-drained or
    /// replayed draft is never written twice (FORMAT §8.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathChange>,
    pub prev: String,
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    pub seq: u64,
    pub source: Source,
    pub time: Timestamp,
    pub v: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Record {
    /// The commit subject kept in `detail.subject`, if any.
    pub fn subject(&self) -> Option<&str> {
        self.detail.as_ref()?.get("subject")?.as_str()
    }
}

/// A record before it is appended: everything but `seq`, `prev` and `hash`.
/// Serializable so a producer can keep it aside while the store is busy
/// (this form is not the record format; FORMAT.md defines that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub time: Timestamp,
    pub kind: String,
    pub source: Source,
    pub actor: Option<Actor>,
    pub git_ref: Option<String>,
    pub commit: Option<String>,
    pub parents: Vec<String>,
    pub change_id: Option<String>,
    pub paths: Vec<PathChange>,
    pub why: Option<String>,
    pub impact: Option<String>,
    pub authorization: Option<Authorization>,
    pub detail: Option<Map<String, Value>>,
    /// This draft's identity, chosen when it is made ([`Draft::new`]) and kept
    /// through the spool and the store process: a store holds at most one
    /// record per draft id, so appending the same draft again (a retry after a
    /// lost answer, a spool drained twice) writes nothing and answers with the
    /// record already there. `None` only for drafts kept by older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A fresh draft id, 32 lowercase hex digits: the time it was made (8 bytes of
/// nanoseconds since the epoch, big-endian, rising strictly within a process)
/// and 8 random bytes. Unique as a random id is; and ids made one after
/// another sort together, so that `idx_draft` takes a batch of them at one
/// place instead of one leaf each (measured: an import of 23,077 commits
/// spent 8 % of its time putting random ids into the index).
pub fn new_draft_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let previous = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(now.max(last + 1)))
        .unwrap_or(now);
    let time = now.max(previous + 1);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&time.to_be_bytes());
    id[8..].copy_from_slice(&rand::random::<[u8; 8]>());
    hex::encode(id)
}

/// Whether `id` has the form of a draft id (32 lowercase hex digits).
pub fn is_draft_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Draft {
    /// Whether this draft would make a record the verifier accepts (FORMAT
    /// §2 and §7.1's member checks); the error says which member is wrong.
    /// A store refuses a draft that fails this, and the spool sets aside a
    /// file holding one: an immutable journal must never take a record that
    /// `trail verify` would then report for ever.
    pub fn check(&self) -> Result<(), String> {
        let mut record = self.clone().into_record(1, GENESIS_PREV.to_owned());
        let bytes = crate::chain::seal(&mut record).map_err(|e| e.to_string())?;
        crate::index::facts_from_bytes(1, &bytes).map(|_| ())
    }

    pub fn new(kind: &str, source: Source, time: Timestamp) -> Self {
        Draft {
            time,
            kind: kind.to_owned(),
            source,
            actor: None,
            git_ref: None,
            commit: None,
            parents: Vec::new(),
            change_id: None,
            paths: Vec::new(),
            why: None,
            impact: None,
            authorization: None,
            detail: None,
            id: Some(new_draft_id()),
        }
    }

    /// Turn the draft into a record at `seq` after `prev`; `hash` is left empty
    /// for [`crate::chain::seal`] to fill. Empty strings and objects are dropped
    /// so that "omit empty fields" holds whatever the caller passed.
    pub(crate) fn into_record(self, seq: u64, prev: String) -> Record {
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Record {
            v: FORMAT_VERSION,
            seq,
            time: self.time,
            kind: self.kind,
            source: self.source,
            actor: self.actor.filter(|a| !a.is_blank()),
            git_ref: non_empty(self.git_ref),
            commit: non_empty(self.commit),
            parents: self.parents,
            change_id: non_empty(self.change_id),
            paths: self.paths.into_iter().map(PathChange::without_empty_members).collect(),
            why: non_empty(self.why),
            impact: non_empty(self.impact),
            authorization: self.authorization,
            detail: self.detail.filter(|d| !d.is_empty()),
            draft: self.id.filter(|d| !d.is_empty()),
            prev,
            hash: String::new(),
        }
    }
}

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{is_draft_id, new_draft_id, quote_path};

    #[test]
    fn draft_ids_are_well_formed_distinct_and_sort_in_the_order_made() {
        let ids: Vec<String> = (0..10_000).map(|_| new_draft_id()).collect();
        assert!(ids.iter().all(|id| is_draft_id(id)), "{:?}", &ids[..3]);
        // Strictly rising in their time half, even when the clock does not
        // move between two of them: distinct, and in the order made.
        assert!(ids.windows(2).all(|w| w[0][..16] < w[1][..16]), "not rising");
        // The other half is random: not one value for all.
        assert!(ids.iter().any(|id| id[16..] != ids[0][16..]));
    }

    #[test]
    fn paths_are_quoted_like_git_when_needed() {
        assert_eq!(quote_path(b"src/caf\xc3\xa9 x.rs"), "src/café x.rs");
        assert_eq!(quote_path(b"new\nline.txt"), "\"new\\nline.txt\"");
        assert_eq!(quote_path(b"data/caf\xe9.txt"), "\"data/caf\\351.txt\"");
        assert_eq!(quote_path(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote_path(b"bell\x07"), "\"bell\\007\"");
    }
}
