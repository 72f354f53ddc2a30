//! Staging files into an index: the one place trail changes the index.
//!
//! DESIGN §1 gives index writes to git2. They are done with gix instead, on
//! the index pre-commit has already read, for a measured reason: libgit2
//! (vendored) reads and rewrites the index with a portable SHA-1
//! collision-detection implementation, 35 ms of pre-commit's 48 ms on a
//! 50,000-file index, against ~5 ms for gix (SHA-NI) — the hooks' whole budget
//! is 30 ms. git2 stays the crate for ref writes. See docs/architecture.md.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice as _;
use gix::index::entry::{Flags, Mode, Stage, Stat};

use crate::StagedIndex;

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("cannot stage {path}: {detail}")]
    Add { path: String, detail: String },
    #[error("cannot write the index {path}: {detail}")]
    Write { path: std::path::PathBuf, detail: String },
}

/// One file to stage.
pub struct StageItem<'a> {
    /// Repository-relative, `/`-separated.
    pub path: &'a [u8],
    /// `None`: stage the work tree's file as it is (like `git add`, without
    /// filters). `Some`: stage exactly these bytes (the work tree keeps
    /// something else, e.g. a person's unstaged edits).
    pub content: Option<&'a [u8]>,
}

impl StagedIndex {
    /// Stage `items` as regular files and write the index back where it was
    /// read from (through `<index>.lock`, renamed into place). The cache-tree
    /// entries of every directory above a staged path are invalidated, so git
    /// builds those trees afresh. Returns the blob id of each item, in order.
    pub fn stage(
        &mut self,
        repo: &gix::Repository,
        workdir: &Path,
        items: &[StageItem<'_>],
    ) -> Result<Vec<ObjectId>, StageError> {
        let mut ids = Vec::with_capacity(items.len());
        let state = &mut self.file;
        let mut added = Vec::new();
        for item in items {
            let shown = String::from_utf8_lossy(item.path).into_owned();
            let failed = |detail: String| StageError::Add { path: shown.clone(), detail };
            let on_disk = workdir.join(OsStr::from_bytes(item.path));
            let from_disk;
            let content = match item.content {
                Some(content) => content,
                None => {
                    from_disk = std::fs::read(&on_disk).map_err(|e| failed(e.to_string()))?;
                    &from_disk
                }
            };
            let id = repo.write_blob(content).map_err(|e| failed(e.to_string()))?.detach();
            // The work tree's stat data when it holds exactly this content (git
            // then sees the file clean without reading it); zeros otherwise, so
            // git compares content and shows the unstaged difference.
            let stat = match item.content {
                None => gix::index::fs::Metadata::from_path_no_follow(&on_disk)
                    .ok()
                    .and_then(|m| Stat::from_fs(&m).ok())
                    .unwrap_or_default(),
                Some(_) => Stat::default(),
            };
            let path = item.path.as_bstr();
            match state.entry_mut_by_path_and_stage(path, Stage::Unconflicted) {
                Some(entry) => {
                    entry.id = id;
                    entry.stat = stat;
                    if entry.mode != Mode::FILE_EXECUTABLE {
                        entry.mode = Mode::FILE;
                    }
                }
                // Pushed only after every lookup: lookups binary-search the
                // entries, which a push leaves unsorted until `sort_entries`.
                None => added.push((stat, id, item.path)),
            }
            invalidate_tree_cache(state, item.path);
            ids.push(id);
        }
        if !added.is_empty() {
            for (stat, id, path) in added {
                state.dangerously_push_entry(stat, id, Flags::empty(), Mode::FILE, path.as_bstr());
            }
            state.sort_entries();
        }
        state.write(gix::index::write::Options::default()).map_err(|e| StageError::Write {
            path: state.path().to_owned(),
            detail: e.to_string(),
        })?;
        Ok(ids)
    }
}

/// Mark the cache-tree entries of the root and of every directory above
/// `path` invalid (git's `cache_tree_invalidate_path`).
fn invalidate_tree_cache(state: &mut gix::index::File, path: &[u8]) {
    let Some(mut tree) = state.tree_mut() else { return };
    tree.num_entries = None;
    let mut parts = path.split(|&b| b == b'/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            break; // the file itself
        }
        match tree.children.iter_mut().find(|c| c.name[..] == *part) {
            Some(child) => {
                child.num_entries = None;
                tree = child;
            }
            None => break,
        }
    }
}

/// The id git gives a blob with this content (SHA-1 repositories).
pub fn blob_id(data: &[u8]) -> ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, data)
        .unwrap_or_else(|_| ObjectId::null(gix::hash::Kind::Sha1))
}

/// The prefix of comment lines in commit messages: `core.commentString` or
/// `core.commentChar`, `#` by default (and for `auto`).
pub fn comment_prefix(repo: &gix::Repository) -> Vec<u8> {
    let config = repo.config_snapshot();
    let value = config.string("core.commentString").or_else(|| config.string("core.commentChar"));
    match value {
        Some(v) if !v.is_empty() && v.as_slice() != b"auto" => v.to_vec(),
        _ => b"#".to_vec(),
    }
}
