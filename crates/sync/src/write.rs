//! Writing checkpoints: the records since the last one, a signed statement,
//! one commit on `refs/trail/journal` (several for a long stretch).

use gix::ObjectId;
use gix::refs::transaction::{PreviousValue, RefEdit};
use trail_journal::{LogStore, ReadError};
use trail_policy::PrivateKey;

use crate::chain::{self, ChainError};
use crate::checkpoint::{self, Checkpoint};
use crate::{JOURNAL_REF, MAX_SEGMENT};

/// What [`write_checkpoints`] added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Checkpoint commits written.
    pub commits: usize,
    /// The first and last seq they cover.
    pub first: u64,
    pub seq: u64,
    /// The new tip of `refs/trail/journal`.
    pub tip: ObjectId,
}

/// Why no checkpoint could be written. Every case leaves `refs/trail/journal`
/// as it was.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "refs/trail/journal holds the checkpoints of store {found}, but this journal is store {ours}"
    )]
    Foreign { ours: String, found: String },
    #[error(
        "refs/trail/journal is signed by {found}, but this store's key (.git/trail/journal.key) is {ours}"
    )]
    Key { ours: String, found: String },
    #[error(
        "the journal ends at seq {head}, but refs/trail/journal has a checkpoint at seq {checkpoint}: records were lost from the store"
    )]
    Behind { head: u64, checkpoint: u64 },
    #[error(
        "record {seq} is not the one checkpointed in refs/trail/journal (its hash differs): the journal was changed after the checkpoint"
    )]
    Diverged { seq: u64 },
    #[error("{0}")]
    Chain(#[from] ChainError),
    #[error("cannot read the journal: {0}")]
    Read(#[from] ReadError),
    #[error("cannot write to the repository: {0}")]
    Git(String),
}

/// Write checkpoints for the records of `store` after the last one on
/// `refs/trail/journal` (creating the chain from seq 1 if there is none).
/// Nothing to do is `Ok(None)`. The ref moves only if nobody else moved it
/// meanwhile; if someone did (a hook and the watcher at once), this tries
/// again from the new tip.
pub fn write_checkpoints(
    repo: &gix::Repository,
    store: &dyn LogStore,
    key: &PrivateKey,
    store_id: &str,
) -> Result<Option<Written>, WriteError> {
    // Concurrent writers (hooks of several worktrees, the watcher) race for
    // `refs/trail/journal.lock`: the loser waits a growing, jittered pause and
    // tries again from the new tip, where usually nothing is left to write.
    // About two seconds in all before the failure is reported.
    let mut pause = std::time::Duration::from_millis(10);
    let mut last_error = None;
    for attempt in 0..10 {
        match write_once(repo, store, key, store_id) {
            // Only a lost race for the ref (its lock, or a tip that moved
            // under the compare-and-swap) is worth another try.
            Err(WriteError::Git(e)) if is_contention(&e) => last_error = Some(WriteError::Git(e)),
            other => return other,
        }
        if attempt == 9 {
            break;
        }
        let jitter = std::time::Duration::from_millis(rand::random::<u64>() % 10);
        std::thread::sleep(pause + jitter);
        pause = (pause * 2).min(std::time::Duration::from_millis(400));
    }
    Err(last_error.expect("every attempt failed"))
}

/// Whether a ref edit failed because another writer holds or moved the ref.
fn is_contention(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "lock",
        "prepare reference edit",
        "should have content",
        "actual content",
        "must not exist",
        "already exists",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

fn write_once(
    repo: &gix::Repository,
    store: &dyn LogStore,
    key: &PrivateKey,
    store_id: &str,
) -> Result<Option<Written>, WriteError> {
    // The tip first, then the head: a checkpoint only ever covers records
    // already appended, so a head read after the tip is at or past it unless
    // records were really lost. (Read the other way round, a writer that
    // appended and checkpointed in between made this one report a loss.)
    let tip = chain::tip_of(repo, JOURNAL_REF)?;
    let head = store.head()?;
    let (mut seq, mut prev) = (0u64, trail_journal::record::GENESIS_PREV.to_owned());
    if let Some(tip) = tip {
        let last = chain::read_link(repo, tip)?.checkpoint;
        if last.store != store_id {
            return Err(WriteError::Foreign { ours: store_id.to_owned(), found: last.store });
        }
        let ours = key.public().to_line();
        if last.key != ours {
            return Err(WriteError::Key { ours, found: last.key });
        }
        if last.seq > head.seq {
            return Err(WriteError::Behind { head: head.seq, checkpoint: last.seq });
        }
        let stored = match store.get_raw(last.seq)? {
            Some(bytes) => trail_journal::chain::check(&bytes).ok().map(|c| c.hash),
            None => None,
        };
        if stored.as_deref() != Some(last.hash.as_str()) {
            return Err(WriteError::Diverged { seq: last.seq });
        }
        (seq, prev) = (last.seq, last.hash);
    }
    if seq == head.seq {
        return Ok(None);
    }
    let first = seq + 1;
    let mut parent = tip;
    let mut commits = 0;
    while seq < head.seq {
        let end = head.seq.min(seq + MAX_SEGMENT);
        let mut blob = Vec::new();
        let mut hash = String::new();
        for item in store.scan_raw(seq + 1..=end, false) {
            let (at, bytes) = item?;
            let checked = trail_journal::chain::check(&bytes)
                .map_err(|e| ReadError::Damaged { seq: at, detail: e.to_string() })?;
            if checked.seq != at || checked.prev != *if at == seq + 1 { &prev } else { &hash } {
                return Err(ReadError::Damaged {
                    seq: at,
                    detail: "the record does not continue the chain".into(),
                }
                .into());
            }
            hash = checked.hash;
            blob.extend_from_slice(&bytes);
            blob.push(b'\n');
        }
        let time = trail_journal::Timestamp::now().to_rfc3339();
        let statement = Checkpoint::sign(key, store_id, seq + 1, end, &prev, &hash, &blob, &time);
        let commit = write_commit(repo, parent, &statement, &blob)?;
        parent = Some(commit);
        commits += 1;
        seq = end;
        prev = hash;
    }
    let new_tip = parent.expect("at least one commit was written");
    let expected = match tip {
        Some(tip) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(tip)),
        None => PreviousValue::MustNotExist,
    };
    let name = JOURNAL_REF
        .try_into()
        .map_err(|e: gix::validate::reference::name::Error| WriteError::Git(e.to_string()))?;
    let message = format!("trail checkpoint: seq {first}..{seq}");
    // A reflog git would not keep for a ref outside refs/heads: it remembers
    // which stores' chains this ref held, for `trail init` to name.
    let log = gix::refs::transaction::LogChange {
        force_create_reflog: true,
        message: message.as_str().into(),
        ..Default::default()
    };
    let edit = RefEdit::update_with_log(name, new_tip, expected, log);
    let mut time = gix::date::parse::TimeBuf::default();
    repo.edit_references_as(Some(edit), Some(signature().to_ref(&mut time)))
        .map_err(|e| WriteError::Git(e.to_string()))?;
    Ok(Some(Written { commits, first, seq, tip: new_tip }))
}

fn signature() -> gix::actor::Signature {
    gix::actor::Signature {
        name: "trail".into(),
        email: "trail@localhost".into(),
        time: gix::date::Time::now_utc(),
    }
}

fn write_commit(
    repo: &gix::Repository,
    parent: Option<ObjectId>,
    statement: &Checkpoint,
    blob: &[u8],
) -> Result<ObjectId, WriteError> {
    let git = |e: &dyn std::fmt::Display| WriteError::Git(e.to_string());
    let records = repo.write_blob(blob).map_err(|e| git(&e))?.detach();
    let statement_id = repo.write_blob(statement.to_bytes()).map_err(|e| git(&e))?.detach();
    let mode = gix::objs::tree::EntryKind::Blob.into();
    // Sorted by name, as git requires: checkpoint.json < records.jsonl.
    let tree = gix::objs::Tree {
        entries: vec![
            gix::objs::tree::Entry { mode, filename: checkpoint::FILE.into(), oid: statement_id },
            gix::objs::tree::Entry {
                mode,
                filename: checkpoint::RECORDS_FILE.into(),
                oid: records,
            },
        ],
    };
    let tree_id = repo.write_object(&tree).map_err(|e| git(&e))?.detach();
    let signature = signature();
    let commit = gix::objs::Commit {
        tree: tree_id,
        parents: parent.into_iter().collect(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: format!(
            "trail checkpoint: seq {}..{}\n\nstore {}\nhash {}\n",
            statement.first, statement.seq, statement.store, statement.hash
        )
        .into(),
        extra_headers: Vec::new(),
    };
    Ok(repo.write_object(&commit).map_err(|e| git(&e))?.detach())
}

/// Point `name` at `new`, only if it still points at `expected` (`None`:
/// only if it does not exist). `new` = `None` deletes it.
pub fn move_ref(
    repo: &gix::Repository,
    name: &str,
    new: Option<ObjectId>,
    expected: Option<ObjectId>,
) -> Result<(), WriteError> {
    let full: gix::refs::FullName = name
        .try_into()
        .map_err(|e: gix::validate::reference::name::Error| WriteError::Git(e.to_string()))?;
    let previous = match expected {
        Some(id) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(id)),
        None => PreviousValue::MustNotExist,
    };
    let edit = match new {
        Some(id) => RefEdit::update(full, id, previous, "trail sync"),
        None => RefEdit::delete(full, previous),
    };
    let mut time = gix::date::parse::TimeBuf::default();
    repo.edit_references_as(Some(edit), Some(signature().to_ref(&mut time)))
        .map_err(|e| WriteError::Git(e.to_string()))?;
    Ok(())
}

/// The references below `prefix` (e.g. `refs/trail/clones/`): the rest of
/// each name and the commit it points at, sorted by name.
pub fn refs_below(
    repo: &gix::Repository,
    prefix: &str,
) -> Result<Vec<(String, ObjectId)>, WriteError> {
    let git = |e: &dyn std::fmt::Display| WriteError::Git(e.to_string());
    let platform = repo.references().map_err(|e| git(&e))?;
    let mut out = Vec::new();
    for reference in platform.prefixed(prefix).map_err(|e| git(&e))? {
        let mut reference = reference.map_err(|e| git(&e))?;
        let name = reference.name().as_bstr().to_string();
        let id = reference.peel_to_id().map_err(|e| git(&e))?.detach();
        if let Some(rest) = name.strip_prefix(prefix) {
            out.push((rest.to_owned(), id));
        }
    }
    out.sort();
    Ok(out)
}
