//! trail-git: everything trail does with git.
//!
//! Reads go through gix: discovery (honouring `GIT_DIR` and linked worktrees),
//! revision parsing, history walks and tree diffs with rename detection, commit
//! trailers. Writes to user-visible git state go through git2: so far only the
//! repository-local config (the merge driver, [`hooks`]); index and ref writes
//! arrive with the hook work.
//!
//! It must not print, read the environment beyond what git itself reads, or know
//! how the journal stores things: it returns plain facts ([`CommitFacts`]).

mod discover;
mod history;
pub mod hooks;
mod ident;
pub use ident::committer_name_email;
mod mailmap;
mod reflog;
mod renames;
mod stage;
mod staged;
mod tracked;

pub use discover::{DiscoverError, RepoLocation, discover};
pub use history::{
    CommitFacts, Described, FileChange, HistoryError, Importer, PACK_CACHE_BYTES, Person,
    commits_between, describe_all, parse_trailers, peel_to_commit,
};
pub use mailmap::Mailmap;
pub use reflog::commits_made_here;
pub use stage::{StageError, StageItem, blob_id, comment_prefix};
pub use staged::{
    PathBlob, StagedError, StagedIndex, blob_id_in_commit, blob_in_commit, blob_in_commit_within,
    blob_size, commit_files, commit_files_and_links, commit_tree, read_blob, read_blob_within,
    skip_index_checksum, staged_changes, stream_blob, use_quarantine,
};
pub use tracked::{TrackedError, tracked_paths};

/// The object id type trail passes around.
pub use gix::ObjectId;
/// The repository handle trail passes around.
pub use gix::Repository;
