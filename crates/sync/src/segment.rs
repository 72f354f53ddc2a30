//! `records.jsonl`: the records of one checkpoint, checked record by record
//! against the chain and against the statement that signs them.

use sha2::{Digest, Sha256};
use trail_journal::chain;

use crate::checkpoint::Checkpoint;

/// Where a chain stands: its last seq and that record's hash (0 and 64
/// zeros before the first record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub seq: u64,
    pub hash: String,
}

impl Cursor {
    /// Before the first record.
    pub fn genesis() -> Cursor {
        Cursor { seq: 0, hash: trail_journal::record::GENESIS_PREV.to_owned() }
    }
}

/// A segment that does not continue its chain or does not match its statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    #[error(
        "the segment starts at seq {first}, but the chain before it ends at seq {expected_prev}"
    )]
    Gap { first: u64, expected_prev: u64 },
    #[error("seq {seq}: the segment does not continue the chain (its prev is not the hash of seq {})", seq - 1)]
    Discontinuous { seq: u64 },
    #[error("the segment's bytes do not match the SHA-256 its checkpoint signs")]
    Digest,
    #[error("seq {seq}: {problem}")]
    Record { seq: u64, problem: String },
    #[error("seq {seq}: the record's hash is not the one its checkpoint signs")]
    HeadMismatch { seq: u64 },
    #[error("the segment holds records up to seq {found}, its checkpoint says {expected}")]
    Length { expected: u64, found: u64 },
}

impl SegmentError {
    /// The seq the problem is at, when there is one.
    pub fn seq(&self) -> u64 {
        match self {
            SegmentError::Gap { first, .. } => *first,
            SegmentError::Discontinuous { seq }
            | SegmentError::Record { seq, .. }
            | SegmentError::HeadMismatch { seq } => *seq,
            SegmentError::Digest => 0,
            SegmentError::Length { expected, found } => (*found).min(*expected) + 1,
        }
    }
}

/// Check `blob` as the segment of `checkpoint`, continuing the chain at
/// `cursor`; call `each` with every record's seq and bytes (without the
/// newline), in order. On success the cursor stands at the checkpoint.
pub fn check(
    checkpoint: &Checkpoint,
    blob: &[u8],
    cursor: &mut Cursor,
    mut each: impl FnMut(u64, &[u8]),
) -> Result<(), SegmentError> {
    if checkpoint.first != cursor.seq + 1 {
        return Err(SegmentError::Gap { first: checkpoint.first, expected_prev: cursor.seq });
    }
    if checkpoint.prev != cursor.hash {
        return Err(SegmentError::Discontinuous { seq: checkpoint.first });
    }
    if hex::encode(Sha256::digest(blob)) != checkpoint.records {
        return Err(SegmentError::Digest);
    }
    if !blob.is_empty() && !blob.ends_with(b"\n") {
        return Err(SegmentError::Record {
            seq: cursor.seq + 1,
            problem: "the segment does not end in a newline".into(),
        });
    }
    let mut members = Vec::with_capacity(20);
    for line in blob.split_inclusive(|&b| b == b'\n') {
        let bytes = &line[..line.len() - 1];
        let seq = cursor.seq + 1;
        if seq > checkpoint.seq {
            return Err(SegmentError::Length { expected: checkpoint.seq, found: seq });
        }
        let examined = chain::examine(bytes, &mut members)
            .map_err(|problem| SegmentError::Record { seq, problem: problem.to_string() })?;
        if examined.computed != examined.stored {
            return Err(SegmentError::Record {
                seq,
                problem: format!(
                    "hash does not match content: stored {}, computed {}",
                    examined.stored, examined.computed
                ),
            });
        }
        if examined.seq != seq {
            return Err(SegmentError::Record {
                seq,
                problem: format!("the record says seq {}", examined.seq),
            });
        }
        if examined.prev != cursor.hash {
            return Err(SegmentError::Discontinuous { seq });
        }
        each(seq, bytes);
        *cursor = Cursor { seq, hash: examined.computed };
    }
    if cursor.seq != checkpoint.seq {
        return Err(SegmentError::Length { expected: checkpoint.seq, found: cursor.seq });
    }
    if cursor.hash != checkpoint.hash {
        return Err(SegmentError::HeadMismatch { seq: cursor.seq });
    }
    Ok(())
}
