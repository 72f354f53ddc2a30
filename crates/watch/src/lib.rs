//! trail-watch: the file-watching engine of trail's background watcher.
//!
//! It owns one step of the data flow: *work-tree events → settled,
//! de-duplicated file changes whose content is in git's object database*.
//! [`Watch`] watches a git work tree with inotify (the `notify` crate), waits
//! until each touched path is quiet for [`Options::debounce`], looks at what is
//! on disk, compares it with an in-memory snapshot of the tree, writes the new
//! content as a blob (`repo.write_blob`) and returns [`Change`]s. Any saved
//! state of any file can later be restored from its blob id.
//!
//! It must not talk to the journal store, print, or read the environment
//! beyond what gix itself reads: the caller (the CLI's `trail watch`/daemon)
//! turns [`Change`]s into journal records and decides what to show.
//!
//! # What is watched
//! Every directory of the work tree that `git status` would look into gets a
//! non-recursive inotify watch: `.git/` is never watched as content, ignored
//! directories (gix's exclude stack: `.gitignore`, `info/exclude`,
//! `core.excludesFile`) are not watched at all unless the index tracks files
//! inside them, and nested repositories (a directory holding a `.git`) are
//! left to themselves. Ignored files are reported only when the index tracks
//! them, as `git status` does. The git dir itself and the common `refs/`
//! directory are watched non-recursively to attribute git operations.
//!
//! # How a change is decided
//! A path is *settled* when no event touched it for [`Options::debounce`]
//! (or, if it is never quiet that long, 20 debounce periods after it was
//! first touched); then it is compared with the snapshot (size, mtime, ctime, inode, mode and,
//! when known, SHA-256 / blob id). Same content and mode: nothing is reported
//! (an editor that rewrites a file unchanged, `touch`). An editor's save storm
//! (write a temporary file, rename it over the original, chmod) is therefore
//! one `Modify` of the original: the temporary file was never in the snapshot.
//!
//! Renames are paired with inotify cookies (notify's `RenameMode::Both`): a
//! move inside the tree is one [`Kind::Rename`] with `from`; a move out is a
//! `Delete`, a move in a `Create`. **A renamed directory is reported as one
//! `Rename` per file it holds** (`old/x` → `new/x`), never as a directory
//! record. A `Delete` and a `Create` settled in the same batch with the same
//! content (a copy-and-delete move, or a move seen only by a rescan) are also
//! paired into a `Rename` when the match is unique.
//!
//! New directories get a watch and are scanned at once, so files written into
//! them before the watch existed are found. When more than [`Options::flood`]
//! distinct paths are pending, or the kernel's queue overflowed (notify's
//! `need_rescan`), individual events are dropped and, once things are quiet,
//! the whole tree is reconciled against the snapshot into one
//! [`Change::Rescan`]: a change is never lost silently.
//!
//! # Attribution of git operations (a heuristic)
//! Events in the git dir on `index.lock`/`index`, `HEAD`, `ORIG_HEAD`,
//! `MERGE_HEAD`, `CHERRY_PICK_HEAD`, `REVERT_HEAD`, `rebase-merge/`,
//! `rebase-apply/` or `refs/stash` open an *operation window*. Work-tree paths
//! touched while it is open are held back; the window closes once neither the
//! git dir nor those paths saw an event for the debounce time, and git looks
//! done: `index.lock` gone, and for an operation that moves `HEAD` its
//! reflog entry written (each waited for at most 10 debounce periods, at
//! least 3 s, after the last event). Work-tree events alone keep a window
//! open at most 5 s after the git dir's last event (60 s while `index.lock`
//! exists). The operation is then named, first match wins:
//! 1. `refs/stash` changed → `stash`;
//! 2. the newest entry of `HEAD`'s reflog, if `logs/HEAD` changed since the
//!    previous window closed (events are read some time after they happen,
//!    so the clock cannot tell):
//!    `checkout` (also `git switch`), `merge`/`pull` → `merge`, `rebase`,
//!    `reset`, `cherry-pick`, `revert`, `am`;
//! 3. `rebase-merge/`/`rebase-apply/` seen or present → `rebase`;
//!    `CHERRY_PICK_HEAD` → `cherry-pick`; `REVERT_HEAD` → `revert`;
//!    `MERGE_HEAD` → `merge`; `ORIG_HEAD` → `reset`; `HEAD` rewritten →
//!    `checkout`.
//!
//! With a name, the window's changes are one [`Change::Operation`]; without
//! one (the window came from `git status`, `git add` or `git commit` taking
//! `index.lock`), they are reported as ordinary [`Change::File`]s. So a
//! person's save during a long `git status` is still a file change, and
//! `git checkout -- FILE`/`git restore` (no reflog entry, no `HEAD` change)
//! are reported file by file.
//!
//! # Keeping content
//! Blobs are written loose into the object database as changes are found.
//! [`Watch::keep_reachable`] makes them reachable from `refs/trail/saves`: a
//! commit whose tree names every blob written since the previous tip
//! (entries named by the blob's hex id), with the previous tip as parent, so
//! `git gc` keeps them. gix does these writes (blob, tree, commit, and the
//! ref update guarded by its previous value): DESIGN gives ref writes to git2
//! "where gix lacks a safe high-level API", and gix has one here.
//!
//! # Between runs
//! With [`Options::state_file`] the snapshot is saved by
//! [`Watch::keep_reachable`] and loaded by [`Watch::start`], so that
//! [`Watch::rescan`] right after a restart reports what changed while nothing
//! watched. Without it, the snapshot is built from the tree at start.
//!
//! # Limits
//! - A start scan records stat data only, plus the blob of tracked files
//!   whose stat data the index holds; an untracked file's first event is
//!   therefore reported even when its content did not change, and a rename
//!   found only by a rescan is paired by content only when that content was
//!   known.
//! - A file is hashed on the calling thread: a multi-gigabyte file takes
//!   seconds (memory stays bounded).
//! - `.gitignore` changes apply at once to new events and watch directories
//!   they stop ignoring; `info/exclude` and `core.excludesFile` are read at
//!   start only. Directories they start ignoring stay watched (their events
//!   are filtered) until the next start.
//! - Nested repositories and submodules are not watched.
//! - One [`Change::Warning`] per [`Watch`] for the watch limit; later
//!   unwatched directories show in [`Stats::unwatched_dirs`]. A rescan tries
//!   to watch them again.

mod content;
mod engine;
mod gitops;
mod pack;
mod paths;
mod saves;
mod snapshot;

use std::path::PathBuf;
use std::time::Duration;

pub use engine::{Waker, Watch};

/// Keep `blobs`, already written to the object database, reachable from
/// `refs/trail/saves` the way the watcher keeps its saves (one commit naming
/// them on top of the current tip), so `git gc` keeps them and `trail
/// restore` finds them. For other writers of saved content (an agent's hook).
pub fn keep_saved(
    repo: &gix::Repository,
    blobs: &std::collections::BTreeSet<ObjectId>,
) -> Result<ObjectId, WatchError> {
    saves::keep(repo, blobs).map_err(|detail| WatchError::Saves { detail })
}
/// The object id type of blobs.
pub use gix::ObjectId;

/// How a [`Watch`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// A path is settled when no event touched it for this long.
    pub debounce: Duration,
    /// Content larger than this is hashed (SHA-256, streamed) but not stored.
    pub max_blob_size: u64,
    /// When more distinct paths than this are pending at once, events are no
    /// longer tracked one by one: the tree is reconciled as one
    /// [`Change::Rescan`] (bounds memory and work during a flood).
    pub flood: usize,
    /// Where the snapshot is kept between runs (e.g. `.git/trail/watch.state`).
    /// `start` loads it when present; `keep_reachable` saves it when it changed.
    pub state_file: Option<PathBuf>,
    /// Watch at most this many work-tree directories, as if the kernel's
    /// `fs.inotify.max_user_watches` were reached there (`None`: the kernel's
    /// limit only). Leaves watches for other programs.
    pub max_watches: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(300),
            max_blob_size: 16 * 1024 * 1024,
            flood: 10_000,
            state_file: None,
            max_watches: None,
        }
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Create,
    Modify,
    Delete,
    /// Moved from [`FileChange::from`] to [`FileChange::path`] (content may
    /// have changed too).
    Rename,
}

/// One settled change of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub kind: Kind,
    /// Repository-relative, `/`-separated, raw bytes (non-UTF-8 names kept).
    pub path: Vec<u8>,
    /// The source of a rename.
    pub from: Option<Vec<u8>>,
    /// The content's blob in the repository's object database: `None` for a
    /// delete, content over `max_blob_size`, and unreadable files.
    pub blob: Option<ObjectId>,
    /// Lowercase hex SHA-256 of the content (also for big files); `None` for
    /// a delete and unreadable files.
    pub sha256: Option<String>,
    /// Bytes of content (a symlink's: its target); `None` for a delete.
    pub size: Option<u64>,
    /// `0o100644`, `0o100755` or `0o120000` (a symlink, whose content is its
    /// target); `None` for a delete.
    pub mode: Option<u32>,
}

/// What [`Watch`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    File(FileChange),
    /// A flood, a kernel queue overflow, or an explicit rescan: the files
    /// found changed against the snapshot, as one record.
    Rescan {
        reason: String,
        changes: Vec<FileChange>,
    },
    /// File changes made by a git checkout / merge / rebase / reset / stash /
    /// cherry-pick (see the crate docs for how the name is found).
    Operation {
        name: String,
        changes: Vec<FileChange>,
    },
    /// The inotify watch limit was reached: some directories are not watched.
    Warning {
        message: String,
    },
}

impl Change {
    /// The file changes this record carries (none for a warning).
    pub fn files(&self) -> &[FileChange] {
        match self {
            Change::File(change) => std::slice::from_ref(change),
            Change::Rescan { changes, .. } | Change::Operation { changes, .. } => changes,
            Change::Warning { .. } => &[],
        }
    }
}

/// The watcher's health, for `trail daemon status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Work-tree directories with an inotify watch (the git dir and `refs/`
    /// are not counted).
    pub watched_dirs: usize,
    /// Work-tree directories that should be watched but are not (watch limit).
    pub unwatched_dirs: usize,
    /// File-system events received.
    pub events: u64,
    /// File changes reported (each file of a rescan or operation counts).
    pub changes: u64,
    /// Paths touched and not yet settled (the queue's lag).
    pub pending: usize,
    /// How long the oldest pending path has been waiting.
    pub oldest_pending: Option<Duration>,
    /// The last passing error (an unreadable file or directory, a failed
    /// watch), with its path.
    pub last_error: Option<String>,
    /// The inotify watch limit was reached at some point.
    pub watch_limit_hit: bool,
}

/// What failed. Each of these stops the watcher's current call; passing
/// problems (one unreadable file) are not errors but [`Stats::last_error`].
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot open the repository at {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("the repository at {path} has no work tree to watch")]
    NoWorkTree { path: PathBuf },
    #[error("cannot set up inotify: {detail}")]
    Inotify { detail: String },
    #[error("the inotify event thread stopped")]
    Disconnected,
    #[error("cannot read the git index: {detail}")]
    Index { detail: String },
    #[error("cannot store the content of {path} in the object database: {detail}")]
    WriteBlob { path: String, detail: String },
    #[error("cannot update refs/trail/saves: {detail}")]
    Saves { detail: String },
    #[error("cannot save the watcher's state to {path}: {detail}")]
    State { path: PathBuf, detail: String },
}
