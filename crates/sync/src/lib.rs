//! The journal outside its store: signed checkpoints written as commits on
//! `refs/trail/journal`, each holding the records since the one before (a
//! JSON Lines segment) and a statement, signed with the store's own ed25519
//! key, of (store, seq, hash, time). Pushed to a remote, the chain puts the
//! history out of reach of a local rewrite; it is also what `trail recover`
//! rebuilds a store from, and what other clones pull and verify.
//!
//! The format is normative and lives in store/FORMAT.md §10. gix reads and
//! writes the objects and refs (as trail-watch does for `refs/trail/saves`);
//! moving them between repositories is `git push`/`git fetch`, run by the CLI.

pub mod chain;
pub mod checkpoint;
pub mod compare;
pub mod segment;
pub mod write;

pub use chain::{
    Base, ChainError, Link, Verified, links, read_link, segment_bytes, tip_of, verify_chain,
};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use compare::{Compared, compare_with_chain, compare_with_tip, stores_in_reflog};
pub use segment::{Cursor, SegmentError};
pub use write::{WriteError, Written, move_ref, refs_below, write_checkpoints};

/// This store's chain of checkpoints.
pub const JOURNAL_REF: &str = "refs/trail/journal";
/// Where each clone's chain lives on a remote (and, once pulled and verified,
/// locally): `refs/trail/clones/<store id>`.
pub const CLONES_PREFIX: &str = "refs/trail/clones/";
/// Where `trail init --new-store` keeps the chain of a store it replaced:
/// `refs/trail/replaced/<store id>` (local only; the new store's
/// `store.created` record names it).
pub const REPLACED_PREFIX: &str = "refs/trail/replaced/";
/// A checkpoint commit holds at most this many records; a longer stretch
/// (the first checkpoint of a large imported journal) becomes several commits.
pub const MAX_SEGMENT: u64 = 50_000;

/// Is `id` a store id (32 lowercase hex digits)?
pub fn is_store_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
