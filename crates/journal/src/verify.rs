//! `verify`: recompute every hash and link of the chain, check that each record
//! is in canonical form, check `meta` against the chain, and check every index
//! against what the records say it must hold.
//!
//! Records are checked on all cores: one thread reads the store, workers scan
//! and hash batches of records (without building JSON trees, see [`crate::scan`]),
//! and a collector puts the results back in seq order to check the links.
//!
//! A chain consistent in itself proves nothing against someone who rewrote
//! all of it, cut its end off or put another store in its place. What does is
//! a list of signed checkpoints held outside the store:
//! [`compare_checkpoints`] compares the store with them (store id, and the
//! seq and hash of every checkpoint) and names the first seq that differs.
//! Reading and authenticating the checkpoints is the caller's job (trail-sync
//! reads them from git); this crate knows nothing of git.
//!
//! The records also say which authorization tokens were used: [`verify`]
//! collects the tokens with more than one `auth.used` record, and
//! [`token_reuse`] turns those a caller knows to be single-use into findings.

use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

use sha2::Digest as _;

use crate::chain::{self, RawExamined, RecordProblem};
use crate::index;
use crate::record::{GENESIS_PREV, kinds};
use crate::scan;
use crate::store::{Head, LogStore, ReadError};

/// One thing wrong with the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The first record the finding concerns; `None` for store-wide facts.
    pub seq: Option<u64>,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Record(#[from] RecordProblem),
    #[error("record is missing (the next one stored is {next})")]
    Missing { next: u64 },
    #[error("stored under key {key} but says it is seq {claimed}")]
    WrongSeq { key: u64, claimed: u64 },
    #[error("prev is {found} but record {seq_before} has hash {expected}")]
    BrokenLink { seq_before: u64, expected: String, found: String },
    #[error("a record key is not 8 bytes long")]
    BadKey,
    #[error("a record is stored past the head, seq {head}, that meta names")]
    BeyondHead { head: u64 },
    #[error(
        "meta says the head is seq {meta_seq} ({meta_hash}) but the records end at seq {seq} ({hash})"
    )]
    HeadMismatch { meta_seq: u64, meta_hash: String, seq: u64, hash: String },
    #[error(
        "records up to seq {acknowledged} were acknowledged, but the journal ends at seq {found}"
    )]
    Lost { acknowledged: u64, found: u64 },
    #[error("this is not the record that was acknowledged (its hash was {hash})")]
    NotAcknowledged { hash: String },
    /// Said without advice: rebuilding the indexes is the remedy only when
    /// nothing else is wrong, and the caller knows whether that is so.
    #[error("index {tree} does not match the records ({expected} entries expected, {found} found)")]
    Index { tree: &'static str, expected: u64, found: u64 },
    /// Records a signed checkpoint covers are gone from the end of the journal.
    #[error(
        "the journal ends at seq {head}, but a signed checkpoint covers records up to seq {checkpoint}: records were removed from its end, or an older copy of the store was put back"
    )]
    BehindCheckpoint { head: u64, checkpoint: u64 },
    /// The record differs from the one a signed checkpoint holds.
    #[error(
        "this is not the record the signed checkpoint of seq {first}..{last} holds: the journal was rewritten from here on"
    )]
    Rewritten { first: u64, last: u64 },
    /// The checkpoints are another store's.
    #[error(
        "this journal is store {ours}, but the signed checkpoints are those of store {chain}: another store was put in place of the one checkpointed"
    )]
    ForeignStore { ours: String, chain: String },
    /// The checkpoints are signed by another key than the store's own.
    #[error("the checkpoints are signed by {chain}, but this store's key is {ours}")]
    ForeignKey { ours: String, chain: String },
    /// The checkpoints themselves do not hold together, so nothing can be
    /// compared with them.
    #[error("the signed checkpoints cannot be trusted: {0}")]
    Checkpoints(String),
    /// A token that may be used once was used again.
    #[error("single-use token {token} was used again (it was first used at seq {first})")]
    TokenReused { token: String, first: u64 },
}

impl Problem {
    /// Whether the problem is with the indexes only: the records are as they
    /// were written, and `reindex` repairs it.
    pub fn is_index(&self) -> bool {
        matches!(self, Problem::Index { .. })
    }

    /// Whether the problem is a disagreement with signed checkpoints: the
    /// journal is not the one they sign (rewritten, cut short, rolled back or
    /// replaced), which the checkpoints themselves can put right.
    pub fn is_checkpoint(&self) -> bool {
        matches!(
            self,
            Problem::BehindCheckpoint { .. }
                | Problem::Rewritten { .. }
                | Problem::ForeignStore { .. }
                | Problem::ForeignKey { .. }
        )
    }
}

/// One `auth.used` record of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    pub seq: u64,
    /// The commit the token authorized, when the record names one.
    pub commit: Option<String>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub records: u64,
    /// The last record as found in `records`.
    pub head: Head,
    /// Ordered by seq: the first names the first bad seq.
    pub findings: Vec<Finding>,
    /// Every token with more than one `auth.used` record, and those records
    /// in seq order. Whether that is a finding depends on the token (single
    /// use or not), which the records do not say: see [`token_reuse`].
    pub repeated_tokens: BTreeMap<String, Vec<TokenUse>>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// Add findings made outside [`verify`] (a comparison with checkpoints,
    /// tokens used twice), keeping them ordered by seq.
    pub fn add(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
        self.findings.sort_by_key(|f| f.seq.unwrap_or(u64::MAX));
        self.findings.truncate(MAX_FINDINGS);
    }

    /// Whether every finding is about the indexes only (and there is one).
    pub fn only_indexes(&self) -> bool {
        !self.findings.is_empty() && self.findings.iter().all(|f| f.problem.is_index())
    }

    /// The lowest seq any finding names.
    pub fn first_bad_seq(&self) -> Option<u64> {
        self.findings.iter().filter_map(|f| f.seq).min()
    }
}

/// How many checkpoints' records [`compare_checkpoints`] reads at a time.
const LOOKUPS: usize = 1024;
/// Stop collecting after this many findings: the first is what matters.
const MAX_FINDINGS: usize = 100;
/// Records per unit of work handed to a worker.
const BATCH: usize = 512;

/// An order-independent digest of a set of index keys: count, wrapping sum and xor
/// of a 64-bit hash of each key. Indexes are derived data outside the hash chain,
/// so this guards against damage and drift, not against an adversary (who could
/// only mislead queries, never verify); it keeps verify in one pass and O(1) memory.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct KeySet {
    count: u64,
    sum: u64,
    xor: u64,
}

/// A 64-bit hash of an index key for [`KeySet`], a word at a time (SipHash
/// cost a third of reading an index). Each step is a bijection of the state
/// for a given word and of the word for a given state, so two keys of one
/// length that differ in a single word always hash apart (a damaged key is
/// always seen); MurmurHash3's finalizer spreads every bit over the result.
fn key_hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = (key.len() as u64 ^ 0x5851_f42d_4c95_7f2d).wrapping_mul(K);
    let mut words = key.chunks_exact(8);
    for word in &mut words {
        h = step(h, u64::from_le_bytes(word.try_into().expect("chunks of 8 bytes")));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = step(h, u64::from_le_bytes(last));
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl KeySet {
    fn add(&mut self, key: &[u8]) {
        let h = key_hash(key);
        self.count += 1;
        self.sum = self.sum.wrapping_add(h);
        self.xor ^= h;
    }

    fn merge(&mut self, other: &KeySet) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
        self.xor ^= other.xor;
    }
}

/// A record's `prev` or `hash`: the 32 bytes its 64 hex digits spell.
type Hash32 = [u8; 32];

/// [`GENESIS_PREV`] as bytes.
const GENESIS: Hash32 = [0; 32];

/// What one record's check found.
struct Outcome {
    key: u64,
    /// `prev` and the stored `hash`, when the record could be read that far.
    link: Option<(Hash32, Hash32)>,
    problems: Vec<Problem>,
    /// For an `auth.used` record: the token it names and the commit.
    token: Option<(String, Option<String>)>,
}

/// Recompute everything. A storage failure is an error; anything wrong with the
/// data is a [`Finding`].
///
/// The journal may grow while this runs (a daemon serving appends): the mark
/// and then the head are read first, and the records up to that head, with
/// the index keys of those records, are what is verified. Records appended
/// meanwhile are the next verify's; a record beyond the head of a journal
/// that did not grow is still found.
pub fn verify(store: &dyn LogStore) -> Result<Report, ReadError> {
    // The mark is written after the flush that moved the head: read in this
    // order, a healthy store never shows a mark ahead of the head.
    let mark = store.acknowledged();
    let meta_head = settled_head(store)?;
    let upto = meta_head.seq;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Vec<(u64, Vec<u8>)>)>(workers * 2);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<Outcome>, [KeySet; index::ALL.len()])>();

    std::thread::scope(|scope| -> Result<Report, ReadError> {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || {
                let mut members = Vec::with_capacity(20);
                let mut scratch = Vec::with_capacity(256);
                loop {
                    let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((n, batch)) = next else { break };
                    let mut keys = [KeySet::default(); index::ALL.len()];
                    let outcomes = batch
                        .into_iter()
                        .map(|(key, bytes)| {
                            check_record(key, &bytes, &mut members, &mut keys, &mut scratch)
                        })
                        .collect();
                    if done_tx.send((n, outcomes, keys)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(move || collect(done_rx));
        // Each index is read on a thread of its own, beside the records:
        // reading sled is most of verify's work, and the paths index alone
        // holds about four keys per record. Keys naming a seq past the head
        // are counted apart: records appended meanwhile, or (on a journal
        // that did not grow) dangling keys.
        let indexes = index::ALL.map(|tree| {
            scope.spawn(move || -> Result<(KeySet, u64), ReadError> {
                let (mut found, mut beyond) = (KeySet::default(), 0u64);
                for key in store.index_keys(tree) {
                    let key = key?;
                    match index::seq_of(&key) {
                        Some(seq) if seq > upto => beyond += 1,
                        _ => found.add(&key),
                    }
                }
                Ok((found, beyond))
            })
        });

        // This thread reads the records and hands them to the workers in batches.
        let mut read_error = None;
        let mut bad_keys = Vec::new();
        let mut batch = Vec::with_capacity(BATCH);
        let mut n = 0usize;
        for item in store.scan_raw(0..=upto, false) {
            match item {
                Ok(kv) => batch.push(kv),
                Err(ReadError::Damaged { .. }) => bad_keys.push(n * BATCH + batch.len()),
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
            if batch.len() == BATCH {
                let _ = work_tx.send((n, std::mem::replace(&mut batch, Vec::with_capacity(BATCH))));
                n += 1;
            }
        }
        if !batch.is_empty() {
            let _ = work_tx.send((n, batch));
        }
        drop(work_tx);
        let mut found = [KeySet::default(); index::ALL.len()];
        let mut beyond = [0u64; index::ALL.len()];
        let mut index_error = None;
        for (at, thread) in indexes.into_iter().enumerate() {
            match thread.join().expect("reading an index does not panic") {
                Ok((keys, past)) => (found[at], beyond[at]) = (keys, past),
                Err(e) => index_error = index_error.or(Some(e)),
            }
        }
        if let Some(e) = read_error.or(index_error) {
            return Err(e);
        }
        let collected = collector.join().expect("the collector does not panic");
        let Collected { mut findings, records, head, expected, tokens } = collected;
        if !bad_keys.is_empty() {
            findings.push(Finding { seq: None, problem: Problem::BadKey });
        }

        // Past the head: nothing, unless the journal grew meanwhile.
        let grew = store.head()?.seq != upto;
        if !grew {
            // A record found there was appended since, unless the head
            // still says otherwise (an append shows its records and its head
            // together: sled commits a transaction whole).
            if let Some(item) = store.scan_raw(upto.saturating_add(1)..=u64::MAX, false).next()
                && store.head()?.seq == upto
            {
                let seq = item.map_or(upto.saturating_add(1), |(seq, _)| seq);
                findings
                    .push(Finding { seq: Some(seq), problem: Problem::BeyondHead { head: upto } });
            }
            // Index keys of records that are not there: the count says so.
            for (set, extra) in found.iter_mut().zip(beyond) {
                set.count += extra;
            }
        }
        if meta_head != head {
            // Name the first seq the two disagree about: one past the shorter
            // chain when their lengths differ, else the (common) last seq.
            let seq = if meta_head.seq == head.seq {
                head.seq.max(1)
            } else {
                head.seq.min(meta_head.seq) + 1
            };
            findings.push(Finding {
                seq: Some(seq),
                problem: Problem::HeadMismatch {
                    meta_seq: meta_head.seq,
                    meta_hash: meta_head.hash.clone(),
                    seq: head.seq,
                    hash: head.hash.clone(),
                },
            });
        }
        if let Some(mark) = mark {
            if mark.seq > head.seq {
                findings.push(Finding {
                    seq: Some(head.seq + 1),
                    problem: Problem::Lost { acknowledged: mark.seq, found: head.seq },
                });
            } else if mark.seq > 0
                && store.get_raw(mark.seq)?.is_some_and(|b| !contains_hash(&b, &mark.hash))
            {
                findings.push(Finding {
                    seq: Some(mark.seq),
                    problem: Problem::NotAcknowledged { hash: mark.hash.clone() },
                });
            }
        }
        for (at, tree) in index::ALL.iter().enumerate() {
            if found[at] != expected[at] {
                findings.push(Finding {
                    seq: None,
                    problem: Problem::Index {
                        tree,
                        expected: expected[at].count,
                        found: found[at].count,
                    },
                });
            }
        }
        findings.sort_by_key(|f| f.seq.unwrap_or(u64::MAX));
        findings.truncate(MAX_FINDINGS);
        Ok(Report { records, head, findings, repeated_tokens: tokens })
    })
}

/// The head `meta` names, read until two reads agree. [`LogStore::head`]
/// reads the seq and the hash apart: an append that commits between the two
/// pairs one record's seq with the next one's hash, which is no head at all.
/// Every append moves the seq, so two equal reads saw no append in between.
fn settled_head(store: &dyn LogStore) -> Result<Head, ReadError> {
    let mut head = store.head()?;
    for _ in 0..64 {
        let again = store.head()?;
        if again == head {
            break;
        }
        head = again;
    }
    Ok(head)
}

fn contains_hash(bytes: &[u8], hash: &str) -> bool {
    let needle = format!("\"hash\":\"{hash}\"");
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Put the workers' results back in order and check seq continuity and links.
fn collect(done: mpsc::Receiver<(usize, Vec<Outcome>, [KeySet; index::ALL.len()])>) -> Collected {
    let mut findings = Vec::new();
    let mut tokens: BTreeMap<String, Vec<TokenUse>> = BTreeMap::new();
    let mut expected = [KeySet::default(); index::ALL.len()];
    let mut pending: BTreeMap<usize, Vec<Outcome>> = BTreeMap::new();
    let mut next_batch = 0usize;
    let mut next_seq = 1u64;
    let mut prev_hash: Option<Hash32> = Some(GENESIS);
    // The last record and its hash (`None`: it could not be read that far).
    let mut head: (u64, Option<Hash32>) = (0, Some(GENESIS));
    let mut records = 0u64;
    let mut note = |seq: u64, problem: Problem| {
        if findings.len() < MAX_FINDINGS {
            findings.push(Finding { seq: Some(seq), problem });
        }
    };
    for (n, outcomes, keys) in done {
        for (set, part) in expected.iter_mut().zip(keys.iter()) {
            set.merge(part);
        }
        pending.insert(n, outcomes);
        while let Some(outcomes) = pending.remove(&next_batch) {
            next_batch += 1;
            for outcome in outcomes {
                records += 1;
                let key = outcome.key;
                if key != next_seq {
                    if key > next_seq {
                        note(next_seq, Problem::Missing { next: key });
                    } else {
                        // Key 0 (or a repeated key, impossible in a sled tree).
                        note(key.max(1), Problem::WrongSeq { key, claimed: key });
                    }
                    prev_hash = None;
                    next_seq = key;
                }
                next_seq = next_seq.saturating_add(1);
                for problem in outcome.problems {
                    note(key, problem);
                }
                if let Some((token, commit)) = outcome.token {
                    tokens.entry(token).or_default().push(TokenUse { seq: key, commit });
                }
                if let Some((prev, _)) = outcome.link
                    && let Some(expected) = prev_hash
                    && expected != prev
                {
                    note(
                        key,
                        Problem::BrokenLink {
                            seq_before: key.saturating_sub(1),
                            expected: hex::encode(expected),
                            found: hex::encode(prev),
                        },
                    );
                }
                prev_hash = outcome.link.map(|(_, hash)| hash);
                head = (key, prev_hash);
            }
        }
    }
    tokens.retain(|_, uses| uses.len() > 1);
    let head = Head { seq: head.0, hash: head.1.map(hex::encode).unwrap_or_default() };
    Collected { findings, records, head, expected, tokens }
}

/// What [`collect`] put together.
struct Collected {
    findings: Vec<Finding>,
    records: u64,
    head: Head,
    /// The index keys the records imply.
    expected: [KeySet; index::ALL.len()],
    /// Tokens with more than one `auth.used` record.
    tokens: BTreeMap<String, Vec<TokenUse>>,
}

/// Check one stored record: canonical form, format version, hash; and add the
/// index keys it implies to `keys`.
fn check_record(
    key: u64,
    bytes: &[u8],
    members: &mut Vec<scan::Member>,
    keys: &mut [KeySet; index::ALL.len()],
    scratch: &mut Vec<u8>,
) -> Outcome {
    let RawExamined { seq, prev, stored, computed } = match chain::examine_raw(bytes, members) {
        Ok(examined) => examined,
        Err(problem) => {
            return Outcome { key, link: None, problems: vec![problem.into()], token: None };
        }
    };
    // `examine_raw` left the top-level members in `members`.
    let auth_used = members.iter().any(|m| {
        &bytes[m.name.clone()] == b"kind"
            && bytes[m.value.clone()].strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\""))
                == Some(kinds::AUTH_USED.as_bytes())
    });
    let mut token = None;
    let mut problems = Vec::new();
    if computed != stored {
        let (stored, computed) = (hex::encode(stored), hex::encode(computed));
        problems.push(RecordProblem::HashMismatch { stored, computed }.into());
    }
    if seq != key {
        problems.push(Problem::WrongSeq { key, claimed: seq });
    }
    match index::facts_from_scanned(seq, bytes, members) {
        Ok(mut facts) => {
            add_keys(&mut facts, keys, scratch);
            if auth_used && let Some(id) = facts.token_id {
                token = Some((id, facts.commit));
            }
        }
        Err(detail) => problems.push(RecordProblem::Invalid(detail).into()),
    }
    // The chain continues through the *stored* hash: a record whose content was
    // altered is reported once, not again as a broken link at the next seq.
    Outcome { key, link: Some((prev, stored)), problems, token }
}

/// Where each index tree is in [`index::ALL`].
const fn position(tree: &str) -> usize {
    let mut at = 0;
    while at < index::ALL.len() {
        let (a, b) = (index::ALL[at].as_bytes(), tree.as_bytes());
        if a.len() == b.len() {
            let mut i = 0;
            while i < a.len() && a[i] == b[i] {
                i += 1;
            }
            if i == a.len() {
                return at;
            }
        }
        at += 1;
    }
    panic!("an index tree that is not in index::ALL")
}

/// Add the index keys of a record to `keys`: the keys [`index::entries_of`]
/// lists (a path the record names twice is one key), each put together in
/// `scratch` rather than allocated apart.
fn add_keys(
    facts: &mut index::Facts,
    keys: &mut [KeySet; index::ALL.len()],
    scratch: &mut Vec<u8>,
) {
    const PATH: usize = position(index::PATH);
    const TIME: usize = position(index::TIME);
    const COMMIT: usize = position(index::COMMIT);
    const CHANGE: usize = position(index::CHANGE);
    const TOKEN: usize = position(index::TOKEN);
    const DRAFT: usize = position(index::DRAFT);
    let seq = facts.seq.to_be_bytes();
    let mut tagged = |at: usize, text: &[u8]| {
        scratch.clear();
        scratch.extend_from_slice(text);
        scratch.push(0);
        scratch.extend_from_slice(&seq);
        keys[at].add(scratch);
    };
    if facts.paths.len() > 1 {
        facts.paths.sort_unstable();
        facts.paths.dedup();
    }
    for path in &facts.paths {
        tagged(PATH, path);
    }
    for (at, text) in [
        (COMMIT, &facts.commit),
        (CHANGE, &facts.change_id),
        (TOKEN, &facts.token_id),
        (DRAFT, &facts.draft),
    ] {
        if let Some(text) = text {
            tagged(at, text.as_bytes());
        }
    }
    keys[TIME].add(&index::time_key(facts.time_nanos, facts.seq));
}

/// A signed checkpoint as [`compare_checkpoints`] needs it: what its
/// statement says (store/FORMAT.md §11.2). Whoever read it checked its
/// signature against `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpointed {
    /// The store id the statement names.
    pub store: String,
    /// The key that signed it, `ed25519:<base64url>`.
    pub key: String,
    /// The first and last seq of its segment.
    pub first: u64,
    pub seq: u64,
    /// The hash of record `first - 1` (64 zeros when `first` is 1).
    pub prev: String,
    /// The hash of record `seq`.
    pub hash: String,
    /// Lowercase hex SHA-256 of the segment: the records `first..=seq`, each
    /// as stored and followed by a newline.
    pub records: String,
}

/// Compare `store` with `checkpoints` (oldest first), the signed statements
/// of its chain (store/FORMAT.md §11.6): the checkpoints must hold together
/// (one store, one key, each continuing the one before), name this store
/// (`store_id`) and, when it is known, its key; and the store must hold, at
/// every checkpoint's seq, the record with that checkpoint's hash.
///
/// The store's own chain is [`verify`]'s to check: with it intact, the hash
/// of one record vouches for every record before it, so one lookup per
/// checkpoint is enough to know whether the store holds what was signed.
/// Where it does not, `segment(i)` — the bytes of the segment of
/// `checkpoints[i]` — is read to name the first record that differs: the
/// rewrite is reported there, records missing from the end as
/// [`Problem::BehindCheckpoint`] at the first missing seq.
///
/// Returns the findings (none when the store holds every checkpointed record
/// as it was signed); only a failure to read the store is an error.
pub fn compare_checkpoints(
    store: &dyn LogStore,
    store_id: &str,
    key: Option<&str>,
    checkpoints: &[Checkpointed],
    mut segment: impl FnMut(usize) -> Result<Vec<u8>, String>,
) -> Result<Vec<Finding>, ReadError> {
    let (Some(chain), Some(last)) = (checkpoints.first(), checkpoints.last()) else {
        return Ok(Vec::new());
    };
    let untrusted =
        |detail: String| Ok(vec![Finding { seq: None, problem: Problem::Checkpoints(detail) }]);
    let mut before = Head { seq: 0, hash: GENESIS_PREV.to_owned() };
    for c in checkpoints {
        let span = format!("the checkpoint of seq {}..{}", c.first, c.seq);
        if c.store != chain.store {
            return untrusted(format!(
                "{span} names store {}, the first one {}",
                c.store, chain.store
            ));
        }
        if c.key != chain.key {
            return untrusted(format!(
                "{span} is signed by {}, the first one by {}",
                c.key, chain.key
            ));
        }
        if c.first != before.seq + 1 || c.seq < c.first {
            return untrusted(format!(
                "{span} does not follow the one before it (seq {})",
                before.seq
            ));
        }
        if c.prev != before.hash {
            return untrusted(format!(
                "{span} does not continue the one before it (its prev is not the hash of seq {})",
                before.seq
            ));
        }
        before = Head { seq: c.seq, hash: c.hash.clone() };
    }
    if chain.store != store_id {
        let problem =
            Problem::ForeignStore { ours: store_id.to_owned(), chain: chain.store.clone() };
        return Ok(vec![Finding { seq: None, problem }]);
    }
    let mut findings = Vec::new();
    if let Some(key) = key
        && key != chain.key
    {
        let problem = Problem::ForeignKey { ours: key.to_owned(), chain: chain.key.clone() };
        findings.push(Finding { seq: None, problem });
    }
    let mut members = Vec::with_capacity(20);
    // The records at the checkpoints' seqs, read many at a time (through
    // the watcher's socket, one request each time).
    let mut looked_up: Vec<Option<Vec<u8>>> = Vec::new();
    for (i, c) in checkpoints.iter().enumerate() {
        if i % LOOKUPS == 0 {
            let seqs: Vec<u64> = checkpoints[i..].iter().take(LOOKUPS).map(|c| c.seq).collect();
            looked_up = store.get_raw_many(&seqs)?;
            looked_up.reverse();
        }
        let stored = looked_up.pop().flatten();
        let hash = stored.and_then(|b| chain::examine(&b, &mut members).ok().map(|e| e.stored));
        if hash.as_deref() == Some(c.hash.as_str()) {
            continue;
        }
        let span = format!("the checkpoint of seq {}..{}", c.first, c.seq);
        let bytes = match segment(i) {
            Ok(bytes) => bytes,
            Err(detail) => {
                return untrusted(format!("the segment of {span} cannot be read: {detail}"));
            }
        };
        if hex::encode(sha2::Sha256::digest(&bytes)) != c.records {
            return untrusted(format!("the segment of {span} is not the one its statement signs"));
        }
        let rewritten = Problem::Rewritten { first: c.first, last: c.seq };
        let mut at = (c.seq, rewritten.clone());
        for (seq, line) in (c.first..=c.seq).zip(bytes.split(|&b| b == b'\n')) {
            match store.get_raw(seq)? {
                Some(ours) if ours == line => continue,
                Some(_) => at = (seq, rewritten),
                // Missing with records after it: a hole, which `verify`
                // names too; missing with nothing after it: the end is gone.
                None if store.scan_raw(seq..=u64::MAX, false).next().is_some() => {
                    at = (seq, rewritten)
                }
                None => {
                    at = (seq, Problem::BehindCheckpoint { head: seq - 1, checkpoint: last.seq })
                }
            }
            break;
        }
        findings.push(Finding { seq: Some(at.0), problem: at.1 });
        break;
    }
    Ok(findings)
}

/// The one-lookup check of the newest checkpoint alone, for a status line:
/// is this its store, does the journal reach its seq, and is the record
/// there the one it signs? `None` when all three hold. A full comparison is
/// [`compare_checkpoints`]'s.
pub fn compare_tip(
    store: &dyn LogStore,
    store_id: &str,
    tip: &Checkpointed,
) -> Result<Option<Problem>, ReadError> {
    if tip.store != store_id {
        return Ok(Some(Problem::ForeignStore {
            ours: store_id.to_owned(),
            chain: tip.store.clone(),
        }));
    }
    let head = store.head()?;
    if head.seq < tip.seq {
        return Ok(Some(Problem::BehindCheckpoint { head: head.seq, checkpoint: tip.seq }));
    }
    let stored = store.get_raw(tip.seq)?;
    let hash = stored.and_then(|b| chain::examine(&b, &mut Vec::new()).ok().map(|e| e.stored));
    if hash.as_deref() != Some(tip.hash.as_str()) {
        return Ok(Some(Problem::Rewritten { first: tip.first, last: tip.seq }));
    }
    Ok(None)
}

/// Findings for tokens used more than once that may be used only once: of
/// each token in `repeated` ([`Report::repeated_tokens`]) for which
/// `single_use` says so, the uses `counts` accepts (a caller leaves out, say,
/// a use by a commit that was amended away, which keeps its token); a second
/// one is a finding at its seq.
pub fn token_reuse(
    repeated: &BTreeMap<String, Vec<TokenUse>>,
    mut single_use: impl FnMut(&str, &[TokenUse]) -> bool,
    mut counts: impl FnMut(&TokenUse) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (token, uses) in repeated {
        if uses.len() < 2 || !single_use(token, uses) {
            continue;
        }
        let mut counted = uses.iter().filter(|u| counts(u));
        let (Some(first), Some(again)) = (counted.next(), counted.next()) else { continue };
        findings.push(Finding {
            seq: Some(again.seq),
            problem: Problem::TokenReused { token: token.clone(), first: first.seq },
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Authorization, Draft, Source, Timestamp};
    use crate::store::SledStore;

    /// A store of `n` records; record 3 (when there is one) is an `auth.used`
    /// of token "t1", and so is record 5.
    fn store_of(dir: &std::path::Path, n: u64) -> SledStore {
        let (store, _) = SledStore::create(&dir.join("journal")).expect("create");
        for seq in 1..=n {
            let kind = if seq == 3 || seq == 5 { kinds::AUTH_USED } else { kinds::COMMIT };
            let mut draft = Draft::new(kind, Source::Hook, Timestamp::now());
            draft.why = Some(format!("record {seq}"));
            draft.commit = Some(format!("{seq:040x}"));
            if kind == kinds::AUTH_USED {
                draft.authorization =
                    Some(Authorization { issuer: "ada".into(), token_id: "t1".into() });
            }
            store.append(vec![draft]).expect("append");
        }
        store
    }

    /// Checkpoints of `store` ending at each of `ends`, with their segments.
    fn checkpoints_of(store: &SledStore, ends: &[u64]) -> (Vec<Checkpointed>, Vec<Vec<u8>>) {
        let id = store.store_id().expect("id");
        let (mut out, mut segments) = (Vec::new(), Vec::new());
        let mut before = Head { seq: 0, hash: GENESIS_PREV.to_owned() };
        for &end in ends {
            let mut blob = Vec::new();
            let mut hash = String::new();
            for item in store.scan_raw(before.seq + 1..=end, false) {
                let (_, bytes) = item.expect("read");
                hash = chain::check(&bytes).expect("intact").hash;
                blob.extend_from_slice(&bytes);
                blob.push(b'\n');
            }
            out.push(Checkpointed {
                store: id.clone(),
                key: "ed25519:k".into(),
                first: before.seq + 1,
                seq: end,
                prev: before.hash.clone(),
                hash: hash.clone(),
                records: hex::encode(sha2::Sha256::digest(&blob)),
            });
            segments.push(blob);
            before = Head { seq: end, hash };
        }
        (out, segments)
    }

    fn compare(
        store: &SledStore,
        checkpoints: &[Checkpointed],
        segments: &[Vec<u8>],
    ) -> Vec<Finding> {
        let id = store.store_id().expect("id");
        compare_checkpoints(store, &id, Some("ed25519:k"), checkpoints, |i| Ok(segments[i].clone()))
            .expect("the store reads")
    }

    /// Rewrite every record from `from` on (a new `why`, every hash
    /// recomputed), as an attacker who knows the format would.
    fn rewrite_from(store: &SledStore, from: u64) {
        let records = store.tree(crate::store::RECORDS).expect("records");
        let head = store.head().expect("head").seq;
        let mut prev = match from {
            1 => GENESIS_PREV.to_owned(),
            _ => {
                chain::check(&records.get((from - 1).to_be_bytes()).expect("read").expect("there"))
                    .expect("intact")
                    .hash
            }
        };
        for seq in from..=head {
            let bytes = records.get(seq.to_be_bytes()).expect("read").expect("there");
            let mut record: crate::Record = serde_json::from_slice(&bytes).expect("a record");
            record.why = Some("rewritten".into());
            record.prev = prev;
            let sealed = chain::seal(&mut record).expect("seal");
            prev = record.hash.clone();
            records.insert(seq.to_be_bytes(), sealed).expect("write");
        }
    }

    #[test]
    fn a_store_that_holds_every_checkpointed_record_agrees() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 7);
        let (checkpoints, segments) = checkpoints_of(&store, &[2, 5]);
        assert_eq!(compare(&store, &checkpoints, &segments), []);
        // No checkpoints: nothing to compare with.
        assert_eq!(compare(&store, &[], &[]), []);
    }

    #[test]
    fn records_removed_from_the_end_are_named_at_the_first_missing_seq() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 7);
        let (checkpoints, segments) = checkpoints_of(&store, &[2, 7]);
        let records = store.tree(crate::store::RECORDS).expect("records");
        for seq in 5..=7u64 {
            records.remove(seq.to_be_bytes()).expect("remove");
        }
        let findings = compare(&store, &checkpoints, &segments);
        assert_eq!(
            findings,
            [Finding {
                seq: Some(5),
                problem: Problem::BehindCheckpoint { head: 4, checkpoint: 7 }
            }]
        );
    }

    #[test]
    fn a_rewrite_is_named_at_the_first_record_that_differs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 8);
        let (checkpoints, segments) = checkpoints_of(&store, &[2, 6, 8]);
        rewrite_from(&store, 4);
        let findings = compare(&store, &checkpoints, &segments);
        assert_eq!(
            findings,
            [Finding { seq: Some(4), problem: Problem::Rewritten { first: 3, last: 6 } }]
        );
        // The segment is read only where a checkpoint disagrees.
        let mut read = Vec::new();
        let id = store.store_id().expect("id");
        compare_checkpoints(&store, &id, None, &checkpoints, |i| {
            read.push(i);
            Ok(segments[i].clone())
        })
        .expect("reads");
        assert_eq!(read, [1]);
    }

    #[test]
    fn more_checkpoints_than_one_lookup_reads_are_all_compared() {
        let dir = tempfile::tempdir().expect("tempdir");
        let n = LOOKUPS as u64 + 6;
        let store = store_of(dir.path(), n);
        let ends: Vec<u64> = (1..=n).collect();
        let (checkpoints, segments) = checkpoints_of(&store, &ends);
        assert_eq!(compare(&store, &checkpoints, &segments), []);
        rewrite_from(&store, n - 2);
        assert_eq!(
            compare(&store, &checkpoints, &segments),
            [Finding {
                seq: Some(n - 2),
                problem: Problem::Rewritten { first: n - 2, last: n - 2 }
            }]
        );
    }

    #[test]
    fn another_store_or_another_key_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 3);
        let (mut checkpoints, segments) = checkpoints_of(&store, &[3]);
        let findings = compare_checkpoints(
            &store,
            &store.store_id().expect("id"),
            Some("ed25519:other"),
            &checkpoints,
            |i| Ok(segments[i].clone()),
        )
        .expect("reads");
        assert!(matches!(
            &findings[..],
            [Finding { seq: None, problem: Problem::ForeignKey { .. } }]
        ));
        checkpoints[0].store = "0".repeat(32);
        let findings = compare(&store, &checkpoints, &segments);
        assert!(
            matches!(&findings[..], [Finding { seq: None, problem: Problem::ForeignStore { chain, .. } }] if *chain == "0".repeat(32)),
            "{findings:?}"
        );
    }

    #[test]
    fn checkpoints_that_do_not_hold_together_are_not_trusted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 6);
        let (checkpoints, segments) = checkpoints_of(&store, &[2, 4, 6]);
        // One left out: the next does not follow.
        let gapped = [checkpoints[0].clone(), checkpoints[2].clone()];
        let findings = compare(&store, &gapped, &segments);
        assert!(matches!(&findings[..], [Finding { seq: None, problem: Problem::Checkpoints(_) }]));
        // A segment that is not the one signed.
        rewrite_from(&store, 5);
        let mut wrong = segments.clone();
        wrong[2].push(b'x');
        let findings = compare(&store, &checkpoints, &wrong);
        assert!(matches!(&findings[..], [Finding { seq: None, problem: Problem::Checkpoints(_) }]));
    }

    #[test]
    fn the_newest_checkpoint_alone_names_what_is_wrong() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 6);
        let id = store.store_id().expect("id");
        let (checkpoints, _) = checkpoints_of(&store, &[4, 6]);
        assert_eq!(compare_tip(&store, &id, &checkpoints[1]).expect("reads"), None);
        assert!(matches!(
            compare_tip(&store, &"f".repeat(32), &checkpoints[1]).expect("reads"),
            Some(Problem::ForeignStore { .. })
        ));
        rewrite_from(&store, 6);
        assert_eq!(
            compare_tip(&store, &id, &checkpoints[1]).expect("reads"),
            Some(Problem::Rewritten { first: 5, last: 6 })
        );
        let records = store.tree(crate::store::RECORDS).expect("records");
        records.remove(6u64.to_be_bytes()).expect("remove");
        let meta = store.tree(crate::store::META).expect("meta");
        meta.insert(crate::store::meta_keys::HEAD_SEQ, &5u64.to_be_bytes()).expect("write");
        assert_eq!(
            compare_tip(&store, &id, &checkpoints[1]).expect("reads"),
            Some(Problem::BehindCheckpoint { head: 5, checkpoint: 6 })
        );
    }

    #[test]
    fn the_keys_added_are_those_entries_of_lists() {
        let facts = |paths: &[&[u8]], token: Option<&str>| index::Facts {
            seq: 42,
            time_nanos: -5,
            paths: paths.iter().map(|p| p.to_vec()).collect(),
            commit: Some("ab12".into()),
            change_id: None,
            token_id: token.map(str::to_owned),
            draft: Some("0123456789abcdef0123456789abcdef".into()),
        };
        let cases: [(&[&[u8]], Option<&str>); 5] = [
            (&[], None),
            (&[b"a"], Some("t1")),
            (&[b"b/c", b"a", b"b/c"], None),
            (&[b"x", b"x", b"x"], Some("t1")),
            (&[b"a\xff", b"", b"a"], None),
        ];
        for (paths, token) in cases {
            let mut listed = [KeySet::default(); index::ALL.len()];
            for (tree, key) in index::entries_of(&facts(paths, token)) {
                listed[index::ALL.iter().position(|n| *n == tree).expect("a tree")].add(&key);
            }
            let mut added = [KeySet::default(); index::ALL.len()];
            add_keys(&mut facts(paths, token), &mut added, &mut Vec::new());
            assert_eq!(added, listed, "{paths:?}");
        }
    }

    /// A key of 31 bytes (three whole words and part of a fourth): every
    /// one-bit change of it changes the hash.
    #[test]
    fn keys_that_differ_in_one_word_hash_apart() {
        let key = *b"some/path/of/a/file.md\0\0\0\0\0\0\0\0\x07";
        for at in 0..key.len() {
            for bit in 0..8 {
                let mut other = key;
                other[at] ^= 1 << bit;
                assert_ne!(key_hash(&key), key_hash(&other), "byte {at} bit {bit}");
            }
        }
        assert_ne!(key_hash(b"ab"), key_hash(b"ab\0"));
    }

    #[test]
    fn verify_collects_tokens_used_twice_and_token_reuse_judges_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store_of(dir.path(), 6);
        let report = verify(&store).expect("verify");
        assert!(report.ok(), "{report:?}");
        let uses = &report.repeated_tokens["t1"];
        assert_eq!(uses.iter().map(|u| u.seq).collect::<Vec<_>>(), [3, 5]);
        assert_eq!(uses[0].commit.as_deref(), Some(format!("{:040x}", 3).as_str()));
        // Single use: the second use is the finding.
        let findings = token_reuse(&report.repeated_tokens, |_, _| true, |_| true);
        assert_eq!(
            findings,
            [Finding {
                seq: Some(5),
                problem: Problem::TokenReused { token: "t1".into(), first: 3 }
            }]
        );
        // Reusable, or one of the uses not counted (amended away): none.
        assert_eq!(token_reuse(&report.repeated_tokens, |_, _| false, |_| true), []);
        assert_eq!(token_reuse(&report.repeated_tokens, |_, _| true, |u| u.seq != 3), []);
    }
}
