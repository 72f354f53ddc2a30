//! What a commit about to be made changes: a tree (HEAD's, usually) against the
//! index git is committing (the one `GIT_INDEX_FILE` names in a hook).
//!
//! This runs in pre-commit, on every commit, so it must cost what the change
//! costs, not what the repository costs. The index's cache-tree extension (TREE)
//! names the tree object of every directory git has not touched since it last
//! wrote a tree; where that id equals the base tree's, the whole directory is
//! unchanged and skipped without reading it, as `git diff-index --cached` does.
//! Directories without a valid cache-tree entry are compared entry by entry.
//!
//! Renames are paired when the content is identical (exact renames); the
//! `commit` record post-commit writes uses full rename detection.

use std::collections::HashMap;
use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::index::entry::{Mode, Stage};
use gix::object::tree::EntryKind;
use gix::objs::FindExt as _;

use crate::FileChange;

#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("cannot read the index {path}: {detail}")]
    Index { path: std::path::PathBuf, detail: String },
    #[error("cannot read tree {id}: {detail}")]
    Tree { id: ObjectId, detail: String },
    #[error("cannot read commit {id}: {detail}")]
    Commit { id: ObjectId, detail: String },
    #[error("the index has unresolved merge conflicts (e.g. {path})")]
    Unmerged { path: String },
    #[error("cannot read the pushed objects: {0}")]
    Quarantine(String),
    #[error("cannot read blob {id}: {detail}")]
    Blob { id: ObjectId, detail: String },
    #[error("blob {id} is {size} bytes, over the {limit}-byte limit for reading it whole")]
    TooLarge { id: ObjectId, size: u64, limit: u64 },
}

/// One side of a comparison inside a directory.
enum Side<'a> {
    Blob {
        id: ObjectId,
        mode: u32,
    },
    /// A tree object (base side) or a run of index entries below a directory.
    Dir(DirSide<'a>),
}

enum DirSide<'a> {
    Tree(ObjectId),
    Index(&'a [gix::index::Entry]),
}

/// An index as git is about to commit it (in a hook: the file `GIT_INDEX_FILE` names).
pub struct StagedIndex {
    pub(crate) file: gix::index::File,
}

impl StagedIndex {
    pub fn open(repo: &gix::Repository, path: &Path) -> Result<Self, StagedError> {
        // The trailing checksum is not verified (git's `index.skipHash`): git
        // wrote the file a moment ago, and hashing 5 MB costs more than the diff.
        let file = gix::index::File::at(
            path,
            repo.object_hash(),
            true,
            gix::index::decode::Options::default(),
        )
        .map_err(|e| StagedError::Index { path: path.to_owned(), detail: e.to_string() })?;
        Ok(StagedIndex { file })
    }

    /// The changes between `base` (a commit; `None` before the first commit)
    /// and this index, sorted by path.
    pub fn changes(
        &self,
        repo: &gix::Repository,
        base: Option<ObjectId>,
    ) -> Result<Vec<FileChange>, StagedError> {
        let index = &self.file;
        if let Some(entry) = index.entries().iter().find(|e| e.stage() != Stage::Unconflicted) {
            return Err(StagedError::Unmerged { path: entry.path(index).to_string() });
        }
        let base_tree = match base {
            None => None,
            Some(id) => Some(commit_tree(repo, id)?),
        };
        let mut differ = Differ { repo, index, out: Vec::new(), buf: Vec::new() };
        differ.dir(base_tree, index.entries(), index.tree(), &mut Vec::new())?;
        let mut changes = pair_exact_renames(differ.out);
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(changes)
    }

    /// Whether the index tracks anything below directory `dir` ("" is the root).
    pub fn tracks_under(&self, dir: &[u8]) -> bool {
        let mut prefix = dir.to_vec();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        let entries = self.file.entries();
        let start = entries.partition_point(|e| e.path(&self.file).as_bytes() < prefix.as_slice());
        entries[start..]
            .iter()
            .map(|e| e.path(&self.file).as_bytes())
            .next()
            .is_some_and(|p| p.starts_with(&prefix))
    }

    /// The regular files the index holds (stage 0; no symlinks, no
    /// submodules): path and blob id, in the index's order.
    pub fn files(&self) -> impl Iterator<Item = (&[u8], ObjectId)> + '_ {
        self.file
            .entries()
            .iter()
            .filter(|e| e.stage() == Stage::Unconflicted)
            .filter(|e| e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE)
            .map(|e| (e.path(&self.file).as_bytes(), e.id))
    }

    /// The staged symlinks (stage 0): path and the blob holding the target.
    pub fn links(&self) -> impl Iterator<Item = (&[u8], ObjectId)> + '_ {
        self.file
            .entries()
            .iter()
            .filter(|e| e.stage() == Stage::Unconflicted)
            .filter(|e| e.mode == Mode::SYMLINK)
            .map(|e| (e.path(&self.file).as_bytes(), e.id))
    }

    /// The staged blob at `path` (stage 0) and its content, if the index has one.
    pub fn blob(
        &self,
        repo: &gix::Repository,
        path: &[u8],
    ) -> Result<Option<(ObjectId, Vec<u8>)>, StagedError> {
        self.blob_within(repo, path, u64::MAX)
    }

    /// [`StagedIndex::blob`], refusing with [`StagedError::TooLarge`] (having
    /// read only the object's header) a blob over `limit` bytes.
    pub fn blob_within(
        &self,
        repo: &gix::Repository,
        path: &[u8],
        limit: u64,
    ) -> Result<Option<(ObjectId, Vec<u8>)>, StagedError> {
        let Some(id) = self.blob_id(path) else { return Ok(None) };
        Ok(Some((id, read_blob_within(repo, id, limit)?)))
    }

    /// The id of the staged blob at `path` (stage 0), if the index has one.
    pub fn blob_id(&self, path: &[u8]) -> Option<ObjectId> {
        self.file.entry_by_path(path.as_bstr()).map(|entry| entry.id)
    }
}

/// The size of blob `id` in bytes, from its object header (the first bytes
/// of a loose object, a pack entry's header): the content is not read.
pub fn blob_size(repo: &gix::Repository, id: ObjectId) -> Result<u64, StagedError> {
    let header =
        repo.find_header(id).map_err(|e| StagedError::Blob { id, detail: e.to_string() })?;
    Ok(header.size())
}

/// The content of blob `id`, read whole into memory: for blobs the caller
/// knows to be small ([`blob_size`]), or that it must parse whole.
pub fn read_blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, StagedError> {
    let mut blob =
        repo.find_blob(id).map_err(|e| StagedError::Blob { id, detail: e.to_string() })?;
    Ok(blob.take_data())
}

/// [`read_blob`] when the blob is at most `limit` bytes, else
/// [`StagedError::TooLarge`] without reading more than its header.
pub fn read_blob_within(
    repo: &gix::Repository,
    id: ObjectId,
    limit: u64,
) -> Result<Vec<u8>, StagedError> {
    if limit < u64::MAX {
        let size = blob_size(repo, id)?;
        if size > limit {
            return Err(StagedError::TooLarge { id, size, limit });
        }
    }
    read_blob(repo, id)
}

/// Feed blob `id`'s content to `each`, a piece at a time, in order; returns
/// its size. For blobs too large to hold in memory.
///
/// gix 0.90 has no streaming object read: `find_object` inflates an object
/// whole into one buffer, so a 2 GiB staged file would cost 2 GiB. A loose
/// object (what `git add` writes for a file up to `core.bigFileThreshold`)
/// is inflated here from its file with plain reads, 256 KiB at a time. A
/// packed one (a larger file `git add` streams into a pack, or anything
/// after `git gc`) is printed by `git cat-file blob`, told to stream an
/// undeltified pack entry through small pack windows, so that even
/// incompressible content does not map the pack whole. Either way memory
/// stays a few buffers, whatever the size, and time is one inflate — what
/// `git add` spent deflating it.
pub fn stream_blob(
    repo: &gix::Repository,
    id: ObjectId,
    each: &mut dyn FnMut(&[u8]),
) -> Result<u64, StagedError> {
    match stream_loose(repo, id, each)? {
        Some(size) => Ok(size),
        None => stream_packed(repo, id, each),
    }
}

const PIECE: usize = 256 << 10;

/// [`stream_blob`] of a loose object; `None` when `id` is not loose.
fn stream_loose(
    repo: &gix::Repository,
    id: ObjectId,
    each: &mut dyn FnMut(&[u8]),
) -> Result<Option<u64>, StagedError> {
    use std::io::BufReader;
    let failed = |detail: String| StagedError::Blob { id, detail };
    let store = repo.objects.store_ref();
    let mut dirs = vec![store.path().to_owned()];
    dirs.extend(store.alternate_db_paths().map_err(|e| failed(e.to_string()))?);
    let hex = id.to_string();
    let Some(file) = dirs.iter().find_map(|dir| {
        let path = dir.join(&hex[..2]).join(&hex[2..]);
        match std::fs::File::open(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            opened => Some((path, opened)),
        }
    }) else {
        return Ok(None);
    };
    let (path, file) = file;
    let file = file.map_err(|e| failed(format!("cannot open {}: {e}", path.display())))?;
    let corrupt = |detail: &dyn std::fmt::Display| {
        failed(format!("loose object {} is corrupt: {detail}", path.display()))
    };
    let mut input = BufReader::with_capacity(64 << 10, file);
    let mut inflate = gix::zlib::Decompress::new();
    let mut buf = vec![0u8; PIECE];
    let mut expected = None;
    let mut size = 0u64;
    loop {
        let n = gix::zlib::stream::inflate::read(&mut input, &mut inflate, &mut buf)
            .map_err(|e| corrupt(&e))?;
        if n == 0 {
            break;
        }
        let mut piece = &buf[..n];
        if expected.is_none() {
            // The first piece holds the whole header (`blob <size>\0`).
            let (kind, total, header) =
                gix::objs::decode::loose_header(piece).map_err(|e| corrupt(&e))?;
            if kind != gix::object::Kind::Blob {
                return Err(failed(format!("it is a {kind}, not a blob")));
            }
            expected = Some(total);
            piece = &piece[header..];
        }
        size += piece.len() as u64;
        each(piece);
    }
    match expected {
        Some(total) if total == size => Ok(Some(size)),
        Some(total) => Err(corrupt(&format!("it holds {size} bytes, its header says {total}"))),
        None => Err(corrupt(&"it is empty")),
    }
}

/// [`stream_blob`] of a packed object, through `git cat-file blob`.
fn stream_packed(
    repo: &gix::Repository,
    id: ObjectId,
    each: &mut dyn FnMut(&[u8]),
) -> Result<u64, StagedError> {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let failed = |detail: String| StagedError::Blob { id, detail };
    // Named by `--git-dir`, so it reads the objects this handle reads (git
    // itself sets `GIT_DIR` for a hook; a quarantine's `GIT_OBJECT_DIRECTORY`
    // is inherited). git streams a packed blob only when it is over
    // `core.bigFileThreshold` (512 MiB by default; it reads smaller ones
    // whole), and maps its pack in 1 GiB windows: a low threshold and 1 MiB
    // windows, at most 8 MiB mapped at once, keep it to ~12 MB (measured,
    // git 2.47, 256 MiB of random bytes). A deltified blob git still
    // rebuilds whole, as any git command reading it does.
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(repo.git_dir())
        .args(["-c", "core.bigFileThreshold=1m"])
        .args(["-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=8m"])
        .args(["cat-file", "blob"])
        .arg(id.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot run `git cat-file`: {e}")))?;
    let mut size = 0u64;
    let mut buf = vec![0u8; PIECE];
    let read = match child.stdout.take() {
        Some(mut out) => loop {
            match out.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    size += n as u64;
                    each(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        },
        None => Ok(()),
    };
    if read.is_err() {
        // Nothing more is read: stop git rather than wait for it to write the rest.
        let _ = child.kill();
    }
    let output = child.wait_with_output().map_err(|e| failed(format!("`git cat-file`: {e}")))?;
    read.map_err(|e| failed(format!("cannot read from `git cat-file`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(format!(
            "`git cat-file` failed ({}): {}",
            output.status,
            stderr.trim()
        )));
    }
    Ok(size)
}

/// The changes between `base` and the index at `index_path` (see [`StagedIndex::changes`]).
pub fn staged_changes(
    repo: &gix::Repository,
    index_path: &Path,
    base: Option<ObjectId>,
) -> Result<Vec<FileChange>, StagedError> {
    StagedIndex::open(repo, index_path)?.changes(repo, base)
}

/// The content of the blob at `path` in commit `commit`, if there is one.
pub fn blob_in_commit(
    repo: &gix::Repository,
    commit: ObjectId,
    path: &[u8],
) -> Result<Option<Vec<u8>>, StagedError> {
    blob_in_commit_within(repo, commit, path, u64::MAX)
}

/// [`blob_in_commit`], refusing with [`StagedError::TooLarge`] (having read
/// only the object's header) a blob over `limit` bytes.
pub fn blob_in_commit_within(
    repo: &gix::Repository,
    commit: ObjectId,
    path: &[u8],
    limit: u64,
) -> Result<Option<Vec<u8>>, StagedError> {
    match blob_id_in_commit(repo, commit, path)? {
        Some(id) => read_blob_within(repo, id, limit).map(Some),
        None => Ok(None),
    }
}

/// The id of the blob (a regular file or a symlink) at `path` in commit
/// `commit`, if there is one. Reads trees only.
pub fn blob_id_in_commit(
    repo: &gix::Repository,
    commit: ObjectId,
    path: &[u8],
) -> Result<Option<ObjectId>, StagedError> {
    use std::os::unix::ffi::OsStrExt as _;
    let tree = commit_tree(repo, commit)?;
    let tree =
        repo.find_tree(tree).map_err(|e| StagedError::Tree { id: tree, detail: e.to_string() })?;
    let path = Path::new(std::ffi::OsStr::from_bytes(path));
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| StagedError::Commit { id: commit, detail: e.to_string() })?;
    Ok(entry.filter(|entry| entry.mode().is_blob()).map(|entry| entry.object_id()))
}

/// The regular files (no symlinks, no submodules) of commit `commit`: path
/// and blob id, in no particular order. Reads the whole tree.
pub fn commit_files(
    repo: &gix::Repository,
    commit: ObjectId,
) -> Result<Vec<(Vec<u8>, ObjectId)>, StagedError> {
    commit_files_and_links(repo, commit).map(|(files, _)| files)
}

/// A path and a blob id.
pub type PathBlob = (Vec<u8>, ObjectId);

/// The regular files and, apart, the symlinks (path and the blob holding the
/// target) of commit `commit`. Reads the whole tree once.
pub fn commit_files_and_links(
    repo: &gix::Repository,
    commit: ObjectId,
) -> Result<(Vec<PathBlob>, Vec<PathBlob>), StagedError> {
    let tree = commit_tree(repo, commit)?;
    let tree =
        repo.find_tree(tree).map_err(|e| StagedError::Tree { id: tree, detail: e.to_string() })?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| StagedError::Commit { id: commit, detail: e.to_string() })?;
    let (mut files, mut links) = (Vec::new(), Vec::new());
    for entry in recorder.records {
        if entry.mode.is_link() {
            links.push((entry.filepath.into(), entry.oid));
        } else if entry.mode.is_blob() {
            files.push((entry.filepath.into(), entry.oid));
        }
    }
    Ok((files, links))
}

/// The tree of commit `id`.
pub fn commit_tree(repo: &gix::Repository, id: ObjectId) -> Result<ObjectId, StagedError> {
    let commit =
        repo.find_commit(id).map_err(|e| StagedError::Commit { id, detail: e.to_string() })?;
    commit
        .tree_id()
        .map(|t| t.detach())
        .map_err(|e| StagedError::Commit { id, detail: e.to_string() })
}

/// A tree entry: name, (kind, mode bits), id.
type TreeEntry = (Vec<u8>, (EntryKind, u32), ObjectId);

struct Differ<'r> {
    repo: &'r gix::Repository,
    index: &'r gix::index::File,
    out: Vec<FileChange>,
    buf: Vec<u8>,
}

impl Differ<'_> {
    /// Compare the base tree `tree` with `entries` (the index entries below
    /// `prefix`, which ends in `/` unless it is the root).
    fn dir(
        &mut self,
        tree: Option<ObjectId>,
        entries: &[gix::index::Entry],
        cache: Option<&gix::index::extension::Tree>,
        prefix: &mut Vec<u8>,
    ) -> Result<(), StagedError> {
        if let (Some(tree), Some(cache)) = (tree, cache)
            && cache.num_entries.is_some()
            && cache.id == tree
        {
            return Ok(());
        }
        // name -> (base side, index side); names are single path components.
        let mut sides: Vec<(Vec<u8>, Option<Side<'_>>, Option<Side<'_>>)> = Vec::new();
        let mut position: HashMap<Vec<u8>, usize> = HashMap::new();
        if let Some(tree) = tree {
            for (name, kind_mode, id) in self.read_tree(tree)? {
                let side = if kind_mode.0 == EntryKind::Tree {
                    Side::Dir(DirSide::Tree(id))
                } else {
                    Side::Blob { id, mode: kind_mode.1 }
                };
                position.insert(name.clone(), sides.len());
                sides.push((name, Some(side), None));
            }
        }
        let mut rest = entries;
        while let Some(first) = rest.first() {
            let path = first.path(self.index);
            let name_and_more = &path[prefix.len()..];
            let (name, side, taken) = match name_and_more.find_byte(b'/') {
                // A sparse-index directory entry (`dir/`, mode DIR): its id is
                // the directory's tree.
                Some(slash) if slash + 1 == name_and_more.len() && first.mode == Mode::DIR => {
                    (name_and_more[..slash].to_vec(), Side::Dir(DirSide::Tree(first.id)), 1)
                }
                Some(slash) => {
                    let name = &name_and_more[..slash];
                    let below = rest
                        .iter()
                        .position(|e| {
                            let p = e.path(self.index);
                            !(p.len() > prefix.len() + slash
                                && p[prefix.len()..].starts_with(name)
                                && p[prefix.len() + slash] == b'/')
                        })
                        .unwrap_or(rest.len());
                    (name.to_vec(), Side::Dir(DirSide::Index(&rest[..below])), below)
                }
                None => {
                    let taken = 1;
                    if first.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD) {
                        // `git add -N`: a placeholder git does not commit.
                        rest = &rest[taken..];
                        continue;
                    }
                    let side = if first.mode == Mode::DIR {
                        // A sparse-index directory entry: its id is a tree id.
                        Side::Dir(DirSide::Tree(first.id))
                    } else {
                        Side::Blob { id: first.id, mode: first.mode.bits() }
                    };
                    (name_and_more.to_vec(), side, taken)
                }
            };
            rest = &rest[taken..];
            match position.get(&name) {
                Some(&i) => sides[i].2 = Some(side),
                None => {
                    position.insert(name.clone(), sides.len());
                    sides.push((name, None, Some(side)));
                }
            }
        }
        for (name, old, new) in sides {
            let len = prefix.len();
            prefix.extend_from_slice(&name);
            let child_cache =
                cache.and_then(|c| c.children.iter().find(|t| t.name[..] == name[..]));
            self.compare(old, new, child_cache, prefix)?;
            prefix.truncate(len);
        }
        Ok(())
    }

    fn compare(
        &mut self,
        old: Option<Side<'_>>,
        new: Option<Side<'_>>,
        cache: Option<&gix::index::extension::Tree>,
        path: &mut Vec<u8>,
    ) -> Result<(), StagedError> {
        match (old, new) {
            (None, None) => Ok(()),
            (Some(Side::Blob { id, mode }), Some(Side::Blob { id: new_id, mode: new_mode })) => {
                if id != new_id || mode != new_mode {
                    let status = if class(mode) != class(new_mode) { 'T' } else { 'M' };
                    self.push_modified(path, status, new_id, new_mode, id);
                }
                Ok(())
            }
            (Some(Side::Blob { id, mode }), new) => {
                self.push(path, 'D', id, mode);
                self.compare(None, new, cache, path)
            }
            (old, Some(Side::Blob { id, mode })) => {
                self.compare(old, None, cache, path)?;
                self.push(path, 'A', id, mode);
                Ok(())
            }
            (Some(Side::Dir(old)), new) => {
                let new_entries = match new {
                    Some(Side::Dir(DirSide::Index(entries))) => Some(entries),
                    Some(Side::Dir(DirSide::Tree(sparse))) => {
                        // Both sides are trees (sparse index): compare the ids only.
                        if let DirSide::Tree(old) = old
                            && old != sparse
                        {
                            self.trees(Some(old), Some(sparse), path)?;
                        }
                        return Ok(());
                    }
                    _ => None,
                };
                let old_tree = match old {
                    DirSide::Tree(id) => Some(id),
                    DirSide::Index(_) => None,
                };
                path.push(b'/');
                let result = self.dir(old_tree, new_entries.unwrap_or(&[]), cache, path);
                path.pop();
                result
            }
            (None, Some(Side::Dir(DirSide::Index(entries)))) => {
                path.push(b'/');
                let result = self.dir(None, entries, None, path);
                path.pop();
                result
            }
            (None, Some(Side::Dir(DirSide::Tree(sparse)))) => self.trees(None, Some(sparse), path),
        }
    }

    /// Every blob below `old` reported deleted and every blob below `new` added
    /// (used only for sparse-index directories, whose entries the index lacks).
    fn trees(
        &mut self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        path: &mut Vec<u8>,
    ) -> Result<(), StagedError> {
        for (id, status) in [(old, 'D'), (new, 'A')] {
            let Some(id) = id else { continue };
            for (name, (kind, mode), child) in self.read_tree(id)? {
                let len = path.len();
                path.push(b'/');
                path.extend_from_slice(&name);
                if kind == EntryKind::Tree {
                    let (o, n) =
                        if status == 'D' { (Some(child), None) } else { (None, Some(child)) };
                    self.trees(o, n, path)?;
                } else {
                    self.push(path, status, child, mode);
                }
                path.truncate(len);
            }
        }
        Ok(())
    }

    fn read_tree(&mut self, id: ObjectId) -> Result<Vec<TreeEntry>, StagedError> {
        let failed = |e: &dyn std::fmt::Display| StagedError::Tree { id, detail: e.to_string() };
        let data = self.repo.objects.find_tree(&id, &mut self.buf).map_err(|e| failed(&e))?;
        Ok(data
            .entries
            .iter()
            .map(|e| {
                (e.filename.to_vec(), (e.mode.kind(), e.mode.value() as u32), e.oid.to_owned())
            })
            .collect())
    }

    fn push(&mut self, path: &[u8], status: char, blob: ObjectId, mode: u32) {
        self.out.push(FileChange {
            path: path.strip_prefix(b"/").unwrap_or(path).to_vec(),
            from: None,
            status,
            blob,
            old_blob: None,
            mode: format!("{mode:o}"),
        });
    }

    fn push_modified(
        &mut self,
        path: &[u8],
        status: char,
        blob: ObjectId,
        mode: u32,
        old: ObjectId,
    ) {
        self.push(path, status, blob, mode);
        if let Some(change) = self.out.last_mut() {
            change.old_blob = Some(old);
        }
    }
}

/// Blob, symlink and gitlink are different types of entry; a change between
/// them is `T`. The executable bit is a plain modification.
fn class(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o120000 => 1,
        0o160000 => 2,
        _ => 0,
    }
}

/// Pair deletions and additions of identical content (and type) into renames,
/// as git does before it looks at similarity. Ties go in path order.
fn pair_exact_renames(changes: Vec<FileChange>) -> Vec<FileChange> {
    let mut deleted: HashMap<(ObjectId, u32), Vec<usize>> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        if c.status == 'D' {
            deleted.entry((c.blob, mode_class(&c.mode))).or_default().push(i);
        }
    }
    if deleted.is_empty() {
        return changes;
    }
    for list in deleted.values_mut() {
        list.reverse(); // pop() then yields path order
    }
    let mut consumed = vec![false; changes.len()];
    let mut renamed: Vec<(usize, usize)> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        if c.status != 'A' {
            continue;
        }
        if let Some(d) = deleted.get_mut(&(c.blob, mode_class(&c.mode))).and_then(Vec::pop) {
            consumed[d] = true;
            renamed.push((i, d));
        }
    }
    let mut from: HashMap<usize, Vec<u8>> =
        renamed.iter().map(|&(a, d)| (a, changes[d].path.clone())).collect();
    changes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !consumed[*i])
        .map(|(i, mut c)| {
            if let Some(source) = from.remove(&i) {
                c.status = 'R';
                c.from = Some(source);
            }
            c
        })
        .collect()
}

fn mode_class(mode: &str) -> u32 {
    class(u32::from_str_radix(mode, 8).unwrap_or(0))
}

/// Let this handle read the index without verifying its trailing checksum
/// (`index.skipHash`, in memory only). gix's diff machinery reads the index
/// to find `.gitattributes`; in a hook that is a 5 MB SHA-1 on a 50,000-file
/// repository, for a file git wrote a moment ago.
pub fn skip_index_checksum(repo: &mut gix::Repository) {
    let mut config = repo.config_snapshot_mut();
    // The repository's own setting decides how the index is written back
    // (`stage::IndexWrite`): kept, in memory, before it is overridden.
    let own = config.boolean("index.skipHash").ok().flatten().unwrap_or(false);
    let _ = config.set_raw_value_by(
        "trail",
        None,
        crate::stage::OWN_SKIP_HASH,
        if own { "true" } else { "false" },
    );
    // Failing to set an in-memory option only costs time.
    let _ = config.set_value(&gix::config::tree::Index::SKIP_HASH, "true");
}

/// In a pre-receive or update hook, git keeps the pushed objects in a
/// quarantine directory it names in `GIT_OBJECT_DIRECTORY` (with the
/// repository's own objects in `GIT_ALTERNATE_OBJECT_DIRECTORIES`); gix does
/// not read those variables. Point `repo` at both, through a temporary
/// objects directory whose `info/alternates` lists them. The returned
/// directory must outlive `repo`'s use; `None` when no quarantine is active.
pub fn use_quarantine(
    repo: &mut gix::Repository,
) -> Result<Option<tempfile::TempDir>, StagedError> {
    let Some(quarantine) = std::env::var_os("GIT_OBJECT_DIRECTORY") else { return Ok(None) };
    let io = |e: std::io::Error| StagedError::Quarantine(e.to_string());
    let dir = tempfile::Builder::new().prefix("trail-objects-").tempdir().map_err(io)?;
    let mut alternates = Vec::new();
    let absolute = |p: std::path::PathBuf| if p.is_absolute() { p } else { repo.git_dir().join(p) };
    alternates.push(absolute(quarantine.into()));
    if let Some(more) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        alternates.extend(
            std::env::split_paths(&more).filter(|p| !p.as_os_str().is_empty()).map(absolute),
        );
    }
    alternates.push(repo.common_dir().join("objects"));
    let mut text = Vec::new();
    for path in &alternates {
        use std::os::unix::ffi::OsStrExt as _;
        text.extend_from_slice(path.as_os_str().as_bytes());
        text.push(b'\n');
    }
    std::fs::create_dir_all(dir.path().join("info")).map_err(io)?;
    std::fs::write(dir.path().join("info").join("alternates"), text).map_err(io)?;
    let handle = gix::odb::at(dir.path(), repo.object_hash()).map_err(io)?;
    repo.objects = handle.into();
    Ok(Some(dir))
}
