//! The commits of a checkpoint chain, read and verified with gix.
//!
//! A chain is linear: each commit has the one before as its only parent (the
//! first has none) and a tree of exactly `checkpoint.json` and
//! `records.jsonl`. Every statement names the same store and the same key
//! (the one the first commit names, or the one the reader already trusts),
//! and the segments, in order, are one unbroken hash chain from seq 1.

use gix::ObjectId;

use crate::checkpoint::{self, Checkpoint, CheckpointError};
use crate::segment::{self, Cursor, SegmentError};

/// One commit of a chain.
#[derive(Debug, Clone)]
pub struct Link {
    pub commit: ObjectId,
    pub parent: Option<ObjectId>,
    pub checkpoint: Checkpoint,
    pub records: ObjectId,
}

/// A chain that is not what it must be.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("cannot read {what} {id}: {detail}")]
    Git { what: &'static str, id: String, detail: String },
    #[error("commit {commit} is not a checkpoint: {detail}")]
    NotACheckpoint { commit: ObjectId, detail: String },
    #[error("commit {commit}: checkpoint.json: {source}")]
    Statement { commit: ObjectId, source: CheckpointError },
    #[error("commit {commit} is a checkpoint of store {found}, not of {expected}")]
    Store { commit: ObjectId, expected: String, found: String },
    #[error("commit {commit} is signed by {found}, but the chain's key is {expected}")]
    Key { commit: ObjectId, expected: String, found: String },
    #[error("commit {commit}: {source}")]
    Segment { commit: ObjectId, source: SegmentError },
    #[error("{tip} does not descend from {base}: the chain was rewritten")]
    Rewritten { tip: ObjectId, base: ObjectId },
}

impl ChainError {
    /// The first seq the problem concerns, when it concerns one.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ChainError::Segment { source, .. } if source.seq() > 0 => Some(source.seq()),
            _ => None,
        }
    }
}

fn git_error(what: &'static str, id: impl ToString, e: impl ToString) -> ChainError {
    ChainError::Git { what, id: id.to_string(), detail: e.to_string() }
}

/// The commit `name` points at, if the reference exists.
pub fn tip_of(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>, ChainError> {
    let Some(mut reference) =
        repo.try_find_reference(name).map_err(|e| git_error("reference", name, e))?
    else {
        return Ok(None);
    };
    let id = reference.peel_to_id().map_err(|e| git_error("reference", name, e))?;
    Ok(Some(id.detach()))
}

/// Read one checkpoint commit: its parent, statement (signature checked
/// against the key it names) and the id of its segment.
pub fn read_link(repo: &gix::Repository, commit: ObjectId) -> Result<Link, ChainError> {
    let not = |detail: &str| ChainError::NotACheckpoint { commit, detail: detail.to_owned() };
    let object = repo.find_commit(commit).map_err(|e| git_error("commit", commit, e))?;
    let parents: Vec<ObjectId> = object.parent_ids().map(|p| p.detach()).collect();
    if parents.len() > 1 {
        return Err(not("it is a merge"));
    }
    let tree_id = object.tree_id().map_err(|e| git_error("commit", commit, e))?.detach();
    let tree = repo.find_tree(tree_id).map_err(|e| git_error("tree", tree_id, e))?;
    let decoded = tree.decode().map_err(|e| git_error("tree", tree_id, e))?;
    let mut statement = None;
    let mut records = None;
    for entry in &decoded.entries {
        if !entry.mode.is_blob() || entry.mode.is_link() || entry.mode.is_executable() {
            return Err(not("its tree holds something other than two plain files"));
        }
        match entry.filename.as_ref() as &[u8] {
            name if name == checkpoint::FILE.as_bytes() => statement = Some(entry.oid.to_owned()),
            name if name == checkpoint::RECORDS_FILE.as_bytes() => {
                records = Some(entry.oid.to_owned())
            }
            _ => {
                return Err(not(
                    "its tree holds a file other than checkpoint.json and records.jsonl",
                ));
            }
        }
    }
    let (Some(statement), Some(records)) = (statement, records) else {
        return Err(not("its tree lacks checkpoint.json or records.jsonl"));
    };
    let blob = repo.find_blob(statement).map_err(|e| git_error("blob", statement, e))?;
    let checkpoint =
        Checkpoint::parse(&blob.data).map_err(|source| ChainError::Statement { commit, source })?;
    Ok(Link { commit, parent: parents.first().copied(), checkpoint, records })
}

/// The bytes of a link's segment.
pub fn segment_bytes(repo: &gix::Repository, link: &Link) -> Result<Vec<u8>, ChainError> {
    let mut blob = repo.find_blob(link.records).map_err(|e| git_error("blob", link.records, e))?;
    Ok(blob.take_data())
}

/// The links from `tip` back to (not including) `base`, or to the first
/// commit when `base` is `None`, oldest first. A chain that never reaches
/// `base` was rewritten.
pub fn links(
    repo: &gix::Repository,
    tip: ObjectId,
    base: Option<ObjectId>,
) -> Result<Vec<Link>, ChainError> {
    let mut out = Vec::new();
    let mut at = Some(tip);
    while let Some(commit) = at {
        if Some(commit) == base {
            break;
        }
        let link = read_link(repo, commit)?;
        at = link.parent;
        out.push(link);
    }
    if let Some(base) = base
        && at != Some(base)
    {
        return Err(ChainError::Rewritten { tip, base });
    }
    out.reverse();
    Ok(out)
}

/// What [`verify_chain`] established.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The chain's last record.
    pub head: Cursor,
    /// The key every statement is signed with.
    pub key: String,
    /// The records checked (those after `base`).
    pub records: u64,
    /// The commits checked.
    pub commits: usize,
    /// The last statement.
    pub last: Option<Checkpoint>,
}

/// Where verification starts: a commit of the chain already verified, and
/// what it established. `None` verifies from the first commit, trusting the
/// key it names.
#[derive(Debug, Clone)]
pub struct Base {
    pub commit: ObjectId,
    pub head: Cursor,
    pub key: String,
}

/// Verify the chain ending at `tip`: every commit a checkpoint of `store`
/// signed by one key, every segment continuing the one before. `each` sees
/// every record after `base`, in order. Nothing is trusted until this returns
/// `Ok`: a caller that imports records must hold them until then.
pub fn verify_chain(
    repo: &gix::Repository,
    tip: ObjectId,
    store: &str,
    base: Option<&Base>,
    mut each: impl FnMut(u64, &[u8]),
) -> Result<Verified, ChainError> {
    let links = links(repo, tip, base.map(|b| b.commit))?;
    let mut cursor = base.map_or_else(Cursor::genesis, |b| b.head.clone());
    let mut key = base.map(|b| b.key.clone());
    let mut records = 0u64;
    let commits = links.len();
    let mut last = None;
    for link in links {
        let statement = &link.checkpoint;
        if statement.store != store {
            return Err(ChainError::Store {
                commit: link.commit,
                expected: store.to_owned(),
                found: statement.store.clone(),
            });
        }
        match &key {
            Some(key) if *key != statement.key => {
                return Err(ChainError::Key {
                    commit: link.commit,
                    expected: key.clone(),
                    found: statement.key.clone(),
                });
            }
            Some(_) => {}
            None => key = Some(statement.key.clone()),
        }
        let blob = segment_bytes(repo, &link)?;
        segment::check(statement, &blob, &mut cursor, |seq, bytes| {
            records += 1;
            each(seq, bytes);
        })
        .map_err(|source| ChainError::Segment { commit: link.commit, source })?;
        last = Some(link.checkpoint);
    }
    Ok(Verified { head: cursor, key: key.unwrap_or_default(), records, commits, last })
}
