//! `verify`: recompute every hash and link of the chain, check that each record
//! is in canonical form, check `meta` against the chain, and check every index
//! against what the records say it must hold.
//!
//! Records are checked on all cores: one thread reads the store, workers scan
//! and hash batches of records (without building JSON trees, see [`crate::scan`]),
//! and a collector puts the results back in seq order to check the links.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, mpsc};

use crate::chain::{self, Examined, RecordProblem};
use crate::index;
use crate::record::GENESIS_PREV;
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
    #[error(
        "index {tree} does not match the records ({expected} entries expected, {found} found); run `trail reindex`"
    )]
    Index { tree: &'static str, expected: u64, found: u64 },
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub records: u64,
    /// The last record as found in `records`.
    pub head: Head,
    /// Ordered by seq: the first names the first bad seq.
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// The lowest seq any finding names.
    pub fn first_bad_seq(&self) -> Option<u64> {
        self.findings.iter().filter_map(|f| f.seq).min()
    }
}

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

impl KeySet {
    fn add(&mut self, key: &[u8]) {
        let mut h = std::hash::DefaultHasher::new();
        key.hash(&mut h);
        let h = h.finish();
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

/// What one record's check found.
struct Outcome {
    key: u64,
    /// `prev` and the recomputed `hash`, when the record could be read that far.
    link: Option<(String, String)>,
    problems: Vec<Problem>,
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
    let meta_head = store.head()?;
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
                loop {
                    let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((n, batch)) = next else { break };
                    let mut keys = [KeySet::default(); index::ALL.len()];
                    let outcomes = batch
                        .into_iter()
                        .map(|(key, bytes)| check_record(key, &bytes, &mut members, &mut keys))
                        .collect();
                    if done_tx.send((n, outcomes, keys)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(move || collect(done_rx));
        // The indexes are read on a thread of their own, beside the records.
        // Keys naming a seq past the head are counted apart: records appended
        // meanwhile, or (on a journal that did not grow) dangling keys.
        let indexes = scope.spawn(
            move || -> Result<([KeySet; index::ALL.len()], [u64; index::ALL.len()]), ReadError> {
                let mut found = [KeySet::default(); index::ALL.len()];
                let mut beyond = [0u64; index::ALL.len()];
                for (at, tree) in index::ALL.iter().enumerate() {
                    for key in store.index_keys(tree) {
                        let key = key?;
                        match index::seq_of(&key) {
                            Some(seq) if seq > upto => beyond[at] += 1,
                            _ => found[at].add(&key),
                        }
                    }
                }
                Ok((found, beyond))
            },
        );

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
        let found = indexes.join().expect("reading the indexes does not panic");
        let (mut found, beyond) = match (read_error, found) {
            (Some(e), _) | (None, Err(e)) => return Err(e),
            (None, Ok(found)) => found,
        };
        let collected = collector.join().expect("the collector does not panic");
        let (mut findings, records, head, expected) = collected;
        if !bad_keys.is_empty() {
            findings.push(Finding { seq: None, problem: Problem::BadKey });
        }

        // Past the head: nothing, unless the journal grew meanwhile.
        let grew = store.head()?.seq != upto;
        if !grew {
            if let Some(item) = store.scan_raw(upto.saturating_add(1)..=u64::MAX, false).next() {
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
        Ok(Report { records, head, findings })
    })
}

fn contains_hash(bytes: &[u8], hash: &str) -> bool {
    let needle = format!("\"hash\":\"{hash}\"");
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Put the workers' results back in order and check seq continuity and links.
fn collect(
    done: mpsc::Receiver<(usize, Vec<Outcome>, [KeySet; index::ALL.len()])>,
) -> (Vec<Finding>, u64, Head, [KeySet; index::ALL.len()]) {
    let mut findings = Vec::new();
    let mut expected = [KeySet::default(); index::ALL.len()];
    let mut pending: BTreeMap<usize, Vec<Outcome>> = BTreeMap::new();
    let mut next_batch = 0usize;
    let mut next_seq = 1u64;
    let mut prev_hash: Option<String> = Some(GENESIS_PREV.to_owned());
    let mut head = Head { seq: 0, hash: GENESIS_PREV.to_owned() };
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
                match outcome.link {
                    Some((prev, hash)) => {
                        if let Some(expected) = &prev_hash
                            && *expected != prev
                        {
                            note(
                                key,
                                Problem::BrokenLink {
                                    seq_before: key.saturating_sub(1),
                                    expected: expected.clone(),
                                    found: prev,
                                },
                            );
                        }
                        prev_hash = Some(hash.clone());
                        head = Head { seq: key, hash };
                    }
                    None => {
                        prev_hash = None;
                        head = Head { seq: key, hash: String::new() };
                    }
                }
            }
        }
    }
    (findings, records, head, expected)
}

/// Check one stored record: canonical form, format version, hash; and add the
/// index keys it implies to `keys`.
fn check_record(
    key: u64,
    bytes: &[u8],
    members: &mut Vec<scan::Member>,
    keys: &mut [KeySet; index::ALL.len()],
) -> Outcome {
    let Examined { seq, prev, stored, computed } = match chain::examine(bytes, members) {
        Ok(examined) => examined,
        Err(problem) => return Outcome { key, link: None, problems: vec![problem.into()] },
    };
    let mut problems = Vec::new();
    if computed != stored {
        problems.push(RecordProblem::HashMismatch { stored: stored.clone(), computed }.into());
    }
    if seq != key {
        problems.push(Problem::WrongSeq { key, claimed: seq });
    }
    match index::facts_from_bytes(seq, bytes) {
        Ok(facts) => {
            for (tree, k) in index::entries_of(&facts) {
                let at = index::ALL.iter().position(|n| *n == tree).unwrap_or(0);
                keys[at].add(&k);
            }
        }
        Err(detail) => problems.push(RecordProblem::Invalid(detail).into()),
    }
    // The chain continues through the *stored* hash: a record whose content was
    // altered is reported once, not again as a broken link at the next seq.
    Outcome { key, link: Some((prev, stored)), problems }
}
