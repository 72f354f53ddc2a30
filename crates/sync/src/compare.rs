//! The store compared with its own chain on `refs/trail/journal`: what the
//! repository itself proves about the journal, without any remote
//! (store/FORMAT.md §11.6). The comparison is trail-journal's
//! ([`trail_journal::verify::compare_checkpoints`]); this reads the chain
//! for it, every statement's signature checked.

use gix::ObjectId;
use trail_journal::verify::{self, Checkpointed, Finding, Problem};
use trail_journal::{LogStore, ReadError};

use crate::JOURNAL_REF;
use crate::chain::{self, Link};
use crate::checkpoint::Checkpoint;

/// What [`compare_with_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    /// The tip of `refs/trail/journal`; `None` when there is no chain.
    pub tip: Option<ObjectId>,
    /// The checkpoints compared.
    pub checkpoints: usize,
    /// The last seq they cover (0 without any).
    pub seq: u64,
    /// What disagrees: none when the store holds every checkpointed record.
    pub findings: Vec<Finding>,
}

/// The statement as the comparison needs it.
pub fn checkpointed(checkpoint: &Checkpoint) -> Checkpointed {
    Checkpointed {
        store: checkpoint.store.clone(),
        key: checkpoint.key.clone(),
        first: checkpoint.first,
        seq: checkpoint.seq,
        prev: checkpoint.prev.clone(),
        hash: checkpoint.hash.clone(),
        records: checkpoint.records.clone(),
    }
}

/// Compare `store` (id `store_id`, signing key `key` as `ed25519:…` when it
/// is known) with every checkpoint on `refs/trail/journal`. A chain that
/// cannot be read or whose statements do not verify is a finding too
/// ([`Problem::Checkpoints`]): whoever can change the store can change the
/// ref, and a broken one must not pass for "nothing to compare with".
pub fn compare_with_chain(
    repo: &gix::Repository,
    store: &dyn LogStore,
    store_id: &str,
    key: Option<&str>,
) -> Result<Compared, ReadError> {
    let untrusted = |tip, e: &dyn std::fmt::Display| Compared {
        tip,
        checkpoints: 0,
        seq: 0,
        findings: vec![Finding {
            seq: None,
            problem: Problem::Checkpoints(format!("{JOURNAL_REF}: {e}")),
        }],
    };
    let tip = match chain::tip_of(repo, JOURNAL_REF) {
        Ok(Some(tip)) => tip,
        Ok(None) => {
            return Ok(Compared { tip: None, checkpoints: 0, seq: 0, findings: Vec::new() });
        }
        Err(e) => return Ok(untrusted(None, &e)),
    };
    let links: Vec<Link> = match chain::links(repo, tip, None) {
        Ok(links) => links,
        Err(e) => return Ok(untrusted(Some(tip), &e)),
    };
    let statements: Vec<Checkpointed> = links.iter().map(|l| checkpointed(&l.checkpoint)).collect();
    let findings = verify::compare_checkpoints(store, store_id, key, &statements, |i| {
        chain::segment_bytes(repo, &links[i]).map_err(|e| e.to_string())
    })?;
    Ok(Compared {
        tip: Some(tip),
        checkpoints: statements.len(),
        seq: statements.last().map_or(0, |c| c.seq),
        findings,
    })
}

/// The cheap half of [`compare_with_chain`], for a status line: does the
/// store hold the record the newest checkpoint signs? One lookup; the rest of
/// the chain is not read.
pub fn compare_with_tip(
    store: &dyn LogStore,
    store_id: &str,
    tip: &Checkpoint,
) -> Result<Option<Problem>, ReadError> {
    verify::compare_tip(store, store_id, &checkpointed(tip))
}

/// The stores whose chains `refs/trail/journal` ever held, as its reflog
/// (which trail keeps, see [`crate::write_checkpoints`]) remembers, each once
/// in the order first seen. Entries whose commits are gone or are not
/// checkpoints are skipped: this is a hint of what was, not evidence.
pub fn stores_in_reflog(repo: &gix::Repository) -> Vec<String> {
    let path = repo.common_dir().join("logs").join(JOURNAL_REF);
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut stores: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Some(new) = line.split(' ').nth(1) else { continue };
        let Ok(id) = ObjectId::from_hex(new.as_bytes()) else { continue };
        if !seen.insert(id) {
            continue;
        }
        if let Ok(link) = chain::read_link(repo, id)
            && !stores.contains(&link.checkpoint.store)
        {
            stores.push(link.checkpoint.store);
        }
    }
    stores
}
