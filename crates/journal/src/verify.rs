//! `verify`: recompute every hash and link of the chain, check `meta` against it,
//! and check every index against what the records say it must hold.

use std::hash::{Hash, Hasher};

use serde::Deserialize;

use crate::chain::{self, RecordProblem};
use crate::index;
use crate::record::{GENESIS_PREV, Record};
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
    #[error("prev is {found} but record {} has hash {expected}", .seq_before)]
    BrokenLink { seq_before: u64, expected: String, found: String },
    #[error("a record key is {len} bytes long, not 8")]
    BadKey { len: usize },
    #[error("meta says the head is seq {meta_seq} ({meta_hash}) but the records end at seq {seq} ({hash})")]
    HeadMismatch { meta_seq: u64, meta_hash: String, seq: u64, hash: String },
    #[error("index {tree} does not match the records ({expected} entries expected, {found} found); run `trail reindex`")]
    Index { tree: &'static str, expected: u64, found: u64 },
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub records: u64,
    /// The last record as found in `records`.
    pub head: Head,
    /// In the order found: the first names the first bad seq.
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

/// An order-independent digest of a set of index keys: count, wrapping sum and xor
/// of a 64-bit hash of each key. Indexes are derived data outside the hash chain,
/// so this guards against damage and drift, not against an adversary (who could
/// only mislead queries, never verify); it keeps verify in one pass and O(1) memory.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
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
}

/// Recompute everything. A storage failure is an error; anything wrong with the
/// data is a [`Finding`].
pub fn verify(store: &dyn LogStore) -> Result<Report, ReadError> {
    let mut findings = Vec::new();
    let mut expected_index = [KeySet::default(); 5];
    let mut next_seq = 1u64;
    let mut prev_hash: Option<String> = Some(GENESIS_PREV.to_owned());
    let mut head = Head { seq: 0, hash: GENESIS_PREV.to_owned() };
    let mut records = 0u64;
    let note = |findings: &mut Vec<Finding>, seq: Option<u64>, problem: Problem| {
        if findings.len() < MAX_FINDINGS {
            findings.push(Finding { seq, problem });
        }
    };

    for item in store.scan_raw(0..=u64::MAX, false) {
        let (key, bytes) = match item {
            Ok(kv) => kv,
            Err(ReadError::Damaged { detail, .. }) => {
                note(&mut findings, Some(next_seq), Problem::BadKey { len: detail.len() });
                continue;
            }
            Err(e) => return Err(e),
        };
        records += 1;
        if key != next_seq {
            if key > next_seq {
                note(&mut findings, Some(next_seq), Problem::Missing { next: key });
                prev_hash = None;
            }
            next_seq = key;
        }
        next_seq += 1;
        let (checked, value) = match chain::check_value(&bytes) {
            Ok(ok) => ok,
            Err(problem) => {
                note(&mut findings, Some(key), problem.into());
                prev_hash = None;
                head = Head { seq: key, hash: String::new() };
                continue;
            }
        };
        if checked.seq != key {
            note(&mut findings, Some(key), Problem::WrongSeq { key, claimed: checked.seq });
        }
        if let Some(expected) = &prev_hash {
            if *expected != checked.prev {
                note(
                    &mut findings,
                    Some(key),
                    Problem::BrokenLink {
                        seq_before: key - 1,
                        expected: expected.clone(),
                        found: checked.prev.clone(),
                    },
                );
            }
        }
        match Record::deserialize(&value) {
            Ok(record) => {
                for (tree, k) in index::entries(&record) {
                    let at = index::ALL.iter().position(|n| *n == tree).unwrap_or(0);
                    expected_index[at].add(&k);
                }
            }
            Err(e) => note(
                &mut findings,
                Some(key),
                RecordProblem::NotJson(format!("not a v1 record: {e}")).into(),
            ),
        }
        prev_hash = Some(checked.hash.clone());
        head = Head { seq: key, hash: checked.hash };
    }

    let meta_head = store.head()?;
    if meta_head != head {
        let first_missing = head.seq.min(meta_head.seq) + 1;
        let seq = if meta_head.seq > head.seq { Some(first_missing) } else { Some(meta_head.seq.max(1)) };
        note(
            &mut findings,
            seq,
            Problem::HeadMismatch {
                meta_seq: meta_head.seq,
                meta_hash: meta_head.hash.clone(),
                seq: head.seq,
                hash: head.hash.clone(),
            },
        );
    }

    for (at, tree) in index::ALL.iter().enumerate() {
        let mut found = KeySet::default();
        for key in store.index_keys(tree) {
            found.add(&key?);
        }
        if found != expected_index[at] {
            note(
                &mut findings,
                None,
                Problem::Index { tree, expected: expected_index[at].count, found: found.count },
            );
        }
    }
    findings.sort_by_key(|f| f.seq.unwrap_or(u64::MAX));
    Ok(Report { records, head, findings })
}
