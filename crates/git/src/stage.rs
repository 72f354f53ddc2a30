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
        if IndexWrite::of(repo) == IndexWrite::Split {
            return stage_with_git(repo, &self.file, workdir, items);
        }
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
        write_index(state, repo)
            .map_err(|detail| StageError::Write { path: state.path().to_owned(), detail })?;
        Ok(ids)
    }
}

/// Where [`crate::skip_index_checksum`] keeps the repository's own
/// `index.skipHash` (in memory, section `trail`).
pub const OWN_SKIP_HASH: &str = "ownIndexSkipHash";

/// How the repository asks for its index to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexWrite {
    /// A whole index with its SHA-1 trailer (git's default).
    Hashed,
    /// `index.skipHash=true`: a whole index with a trailer of zeros.
    SkipHash,
    /// `core.splitIndex=true`: only git writes a split index the way git
    /// would (gix reads one, and writes whole indexes only).
    Split,
}

impl IndexWrite {
    /// What `repo`'s own configuration asks for. The hooks read the index
    /// without verifying its checksum by setting `index.skipHash` in memory
    /// ([`crate::skip_index_checksum`]), which keeps the repository's own
    /// value as `trail.ownIndexSkipHash`: that one counts.
    pub fn of(repo: &gix::Repository) -> IndexWrite {
        let config = repo.config_snapshot();
        let plumbing = config.plumbing();
        let flag = |key: &str| plumbing.boolean(key).ok().flatten();
        if flag("core.splitIndex") == Some(true) {
            return IndexWrite::Split;
        }
        let own = format!("trail.{OWN_SKIP_HASH}");
        match flag(&own).or_else(|| flag("index.skipHash")) {
            Some(true) => IndexWrite::SkipHash,
            _ => IndexWrite::Hashed,
        }
    }
}

/// Write `state` back where it was read from, as git would under the
/// repository's settings ([`IndexWrite`]): serialized once into memory, its
/// trailer hashed in one pass with a plain SHA-1 (or zeros), written through
/// `<index>.lock` and renamed into place. A split index is left to
/// `git update-index`, which alone writes one.
fn write_index(state: &mut gix::index::File, repo: &gix::Repository) -> Result<(), String> {
    use std::io::Write as _;
    let how = IndexWrite::of(repo);
    let mut lock = gix::lock::File::acquire_to_update_resource(
        state.path(),
        gix::lock::acquire::Fail::Immediately,
        None,
        0,
    )
    .map_err(|e| e.to_string())?;
    // Streamed through one small buffer and hashed on the way, as git's
    // hashfile does: serializing 5 MB into memory first cost more in page
    // faults than the write itself (issue 24, docs/performance.md).
    let hashing = Hashing {
        inner: &mut lock,
        sha1: (how != IndexWrite::SkipHash).then(<sha1::Sha1 as sha1::Digest>::new),
    };
    let mut out = std::io::BufWriter::with_capacity(128 << 10, hashing);
    write_state(state, &mut out).map_err(|e| e.to_string())?;
    let mut hashing = out.into_inner().map_err(|e| e.error().to_string())?;
    let trailer: [u8; 20] = match hashing.sha1.take() {
        Some(sha1) => sha1::Digest::finalize(sha1).into(),
        None => [0; 20],
    };
    hashing.inner.write_all(&trailer).map_err(|e| e.to_string())?;
    lock.commit().map_err(|e| e.error.to_string())?;
    Ok(())
}

/// `state` serialized exactly as gix's `State::write_to` with its default
/// options writes it (version 2, or 3 when an entry has extended flags;
/// the TREE extension, `sdir` for a sparse index, then EOIE), byte for
/// byte (`tests::the_index_is_written_as_gix_writes_it`), but each entry
/// is built in one buffer and written with one call: gix writes an
/// entry's fourteen fields one `write_all` each through the counting,
/// buffering and hashing layers, 5 ms of pre-commit's 33 ms on a
/// 50,000-entry index (issue 24, docs/performance.md).
fn write_state(state: &gix::index::State, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use gix::index::entry::Flags as F;
    use gix::index::extension;
    let extended = state.entries().iter().any(|e| e.flags.contains(F::EXTENDED));
    let kept = state.entries().iter().filter(|e| !e.flags.contains(F::REMOVE));
    let count = u32::try_from(kept.clone().count())
        .map_err(|_| std::io::Error::other("an index of over 4 billion entries"))?;
    let mut header = Vec::with_capacity(12);
    header.extend_from_slice(b"DIRC");
    header.extend_from_slice(&(if extended { 3_u32 } else { 2 }).to_be_bytes());
    header.extend_from_slice(&count.to_be_bytes());
    out.write_all(&header)?;
    let mut written: u64 = 12;
    let mut buf = Vec::with_capacity(256);
    for entry in kept {
        buf.clear();
        let stat = entry.stat;
        for field in [
            stat.ctime.secs,
            stat.ctime.nsecs,
            stat.mtime.secs,
            stat.mtime.nsecs,
            stat.dev,
            stat.ino,
            entry.mode.bits(),
            stat.uid,
            stat.gid,
            stat.size,
        ] {
            buf.extend_from_slice(&field.to_be_bytes());
        }
        buf.extend_from_slice(entry.id.as_bytes());
        let path = entry.path(state);
        let path_len = path.len().min(F::PATH_LEN.bits() as usize) as u16;
        buf.extend_from_slice(&(entry.flags.to_storage().bits() | path_len).to_be_bytes());
        if entry.flags.contains(F::EXTENDED) {
            let ext = (entry.flags & (F::INTENT_TO_ADD | F::SKIP_WORKTREE)).bits() >> 16;
            buf.extend_from_slice(&(ext as u16).to_be_bytes());
        }
        buf.extend_from_slice(path);
        buf.push(0);
        // NUL-padded to a multiple of 8 bytes from the first entry.
        let padding = (8 - buf.len() % 8) % 8;
        buf.extend_from_slice(&[0; 8][..padding]);
        out.write_all(&buf)?;
        written += buf.len() as u64;
    }
    let offset_to_extensions =
        u32::try_from(written).map_err(|_| std::io::Error::other("an index larger than 4 GB"))?;
    let mut toc = Vec::new();
    let mut ext = Vec::new();
    if let Some(tree) = state.tree() {
        tree.write_to(&mut ext)?;
        toc.push((extension::tree::SIGNATURE, ext.len()));
    }
    if state.is_sparse() {
        let start = ext.len();
        extension::sparse::write_to(&mut ext)?;
        toc.push((extension::sparse::SIGNATURE, ext.len() - start));
    }
    out.write_all(&ext)?;
    if !state.entries().is_empty() && !toc.is_empty() {
        let toc = toc
            .into_iter()
            .map(|(signature, size)| (signature, (size - extension::MIN_SIZE) as u32));
        extension::end_of_index_entry::write_to(
            &mut *out,
            state.object_hash(),
            offset_to_extensions,
            toc,
        )
        .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// A writer that feeds what it writes to SHA-1 (when there is one).
struct Hashing<W> {
    inner: W,
    sha1: Option<sha1::Sha1>,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(sha1) = self.sha1.as_mut() {
            sha1::Digest::update(sha1, &buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Stage `items` with `git update-index --index-info` (a split index: git
/// writes only its split part, as under `core.splitIndex` it would). The
/// blobs are written here; git is given the index path, modes and ids.
fn stage_with_git(
    repo: &gix::Repository,
    state: &gix::index::File,
    workdir: &Path,
    items: &[StageItem<'_>],
) -> Result<Vec<ObjectId>, StageError> {
    use std::io::Write as _;
    let mut ids = Vec::with_capacity(items.len());
    let mut lines = Vec::new();
    for item in items {
        let shown = String::from_utf8_lossy(item.path).into_owned();
        let failed = |detail: String| StageError::Add { path: shown.clone(), detail };
        let from_disk;
        let content = match item.content {
            Some(content) => content,
            None => {
                let on_disk = workdir.join(OsStr::from_bytes(item.path));
                from_disk = std::fs::read(&on_disk).map_err(|e| failed(e.to_string()))?;
                &from_disk
            }
        };
        let id = repo.write_blob(content).map_err(|e| failed(e.to_string()))?.detach();
        let executable = state
            .entry_by_path_and_stage(item.path.as_bstr(), Stage::Unconflicted)
            .is_some_and(|e| e.mode == Mode::FILE_EXECUTABLE);
        lines.extend_from_slice(if executable { b"100755 " } else { b"100644 " });
        lines.extend_from_slice(id.to_string().as_bytes());
        lines.push(b'\t');
        lines.extend_from_slice(item.path);
        lines.push(0);
        ids.push(id);
    }
    let failed = |detail: String| StageError::Write { path: state.path().to_owned(), detail };
    let mut child = std::process::Command::new("git")
        .current_dir(workdir)
        .env("GIT_INDEX_FILE", state.path())
        .args(["update-index", "-z", "--index-info"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot run git update-index: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&lines).map_err(|e| failed(e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
    if !out.status.success() {
        return Err(failed(format!(
            "git update-index failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(ids)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A repository of 200 committed files, with `config` set.
    fn repo(config: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        git(d, &["init", "-q"]);
        for (key, value) in config {
            git(d, &["config", key, value]);
        }
        for i in 0..200 {
            std::fs::create_dir_all(d.join(format!("d{}", i % 10))).expect("mkdir");
            std::fs::write(d.join(format!("d{}/f{i}.txt", i % 10)), format!("{i}\n"))
                .expect("write");
        }
        git(d, &["add", "-A"]);
        git(d, &["-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "files"]);
        dir
    }

    /// Stage `d3/CHANGELOG.md` with set content, as pre-commit does.
    fn stage_changelog(dir: &Path) -> ObjectId {
        let mut repo = gix::open(dir).expect("open");
        // What the hooks do: read without verifying the checksum.
        crate::skip_index_checksum(&mut repo);
        let mut index = StagedIndex::open(&repo, &repo.index_path()).expect("read the index");
        let ids = index
            .stage(&repo, dir, &[StageItem { path: b"d3/CHANGELOG.md", content: Some(b"# Log\n") }])
            .expect("stage");
        ids[0]
    }

    fn trailer(dir: &Path) -> Vec<u8> {
        let bytes = std::fs::read(dir.join(".git/index")).expect("index");
        bytes[bytes.len() - 20..].to_vec()
    }

    /// What gix writes for `state` with its default options.
    fn gix_bytes(state: &gix::index::State) -> Vec<u8> {
        let mut out = Vec::new();
        state.write_to(&mut out, gix::index::write::Options::default()).expect("gix writes");
        out
    }

    fn ours(state: &gix::index::State) -> Vec<u8> {
        let mut out = Vec::new();
        write_state(state, &mut out).expect("we write");
        out
    }

    fn read_index(dir: &Path) -> gix::index::File {
        let repo = gix::open(dir).expect("open");
        gix::index::File::at(
            repo.index_path(),
            repo.object_hash(),
            false,
            gix::index::decode::Options::default(),
        )
        .expect("read the index")
    }

    #[test]
    fn the_index_is_written_as_gix_writes_it() {
        let dir = repo(&[]);
        let d = dir.path();
        let mut seen = Vec::new();
        let mut check = |what: &str, dir: &Path| {
            let file = read_index(dir);
            let expected = gix_bytes(&file);
            assert_eq!(ours(&file), expected, "{what}");
            seen.push((what.to_owned(), expected[4..8].to_vec(), file.tree().is_some()));
        };
        check("a committed index with its cache tree", d);
        // Entries with extended flags: the index becomes version 3.
        std::fs::write(d.join("new.txt"), "n\n").expect("write");
        git(d, &["add", "-N", "new.txt"]);
        git(d, &["update-index", "--skip-worktree", "d1/f1.txt"]);
        check("intent-to-add and skip-worktree entries", d);
        // A long path (git stores lengths over 0xffe as 0xfff; gix 0.58
        // cannot read such an index back, so 4,006 bytes is the longest here).
        let long = format!("{}/x.txt", vec!["p".repeat(199); 20].join("/"));
        let blob = git(d, &["hash-object", "-w", "--stdin"]).trim().to_owned();
        git(d, &["update-index", "--add", "--cacheinfo", &format!("100644,{blob},{long}")]);
        check("a path of 4,006 bytes", d);
        // gix reads version 4 and writes 2 or 3.
        git(d, &["update-index", "--index-version", "4"]);
        check("an index read as version 4", d);
        // Entries staged and removed in memory, the cache tree invalidated.
        let mut file = read_index(d);
        file.entries_mut()[0].flags.insert(gix::index::entry::Flags::REMOVE);
        invalidate_tree_cache(&mut file, b"d3/CHANGELOG.md");
        let id = ObjectId::from_hex(blob.as_bytes()).expect("id");
        file.dangerously_push_entry(
            Stat::default(),
            id,
            Flags::empty(),
            Mode::FILE,
            b"d3/CHANGELOG.md".as_bstr(),
        );
        file.sort_entries();
        assert_eq!(ours(&file), gix_bytes(&file), "staged in memory, one entry removed");
        // No entries at all.
        let empty = tempfile::tempdir().expect("tempdir");
        git(empty.path(), &["init", "-q"]);
        std::fs::write(empty.path().join("a"), "a").expect("write");
        git(empty.path(), &["add", "a"]);
        git(empty.path(), &["rm", "-q", "--cached", "a"]);
        check("an empty index", empty.path());
        // The cases covered what they claim to.
        assert_eq!(seen[0].1, 2_u32.to_be_bytes(), "{seen:?}");
        assert!(seen[0].2, "a cache tree was written: {seen:?}");
        assert_eq!(seen[1].1, 3_u32.to_be_bytes(), "{seen:?}");
    }

    #[test]
    fn a_sparse_index_is_written_as_gix_writes_it() {
        let dir = repo(&[]);
        let d = dir.path();
        git(d, &["sparse-checkout", "init", "--cone"]);
        git(d, &["sparse-checkout", "set", "d1"]);
        git(d, &["config", "index.sparse", "true"]);
        git(d, &["sparse-checkout", "reapply"]);
        let file = read_index(d);
        assert!(file.is_sparse(), "git wrote a sparse index");
        assert_eq!(ours(&file), gix_bytes(&file));
    }

    #[test]
    fn a_hashed_index_carries_a_checksum_git_verifies() {
        let dir = repo(&[]);
        let id = stage_changelog(dir.path());
        // git refuses an index whose (non-zero) checksum is wrong.
        assert_ne!(trailer(dir.path()), vec![0; 20], "a real checksum");
        let staged = git(dir.path(), &["ls-files", "-s", "d3/CHANGELOG.md"]);
        assert!(staged.contains(&id.to_string()), "{staged}");
        assert_eq!(git(dir.path(), &["diff", "--cached", "--name-only"]), "d3/CHANGELOG.md\n");
        assert_eq!(IndexWrite::of(&gix::open(dir.path()).expect("open")), IndexWrite::Hashed);
    }

    #[test]
    fn skip_hash_writes_a_trailer_of_zeros_as_git_does() {
        let dir = repo(&[("index.skipHash", "true")]);
        assert_eq!(trailer(dir.path()), vec![0; 20], "git's own write under skipHash");
        let id = stage_changelog(dir.path());
        assert_eq!(trailer(dir.path()), vec![0; 20]);
        assert!(git(dir.path(), &["ls-files", "-s"]).contains(&id.to_string()));
    }

    #[test]
    fn the_in_memory_skip_hash_of_the_hooks_is_not_the_repositorys() {
        let dir = repo(&[]);
        let mut repo = gix::open(dir.path()).expect("open");
        crate::skip_index_checksum(&mut repo);
        assert_eq!(IndexWrite::of(&repo), IndexWrite::Hashed);
    }

    #[test]
    fn a_split_index_stays_split() {
        let dir = repo(&[("core.splitIndex", "true")]);
        git(dir.path(), &["update-index", "--split-index"]);
        let split = |dir: &Path| {
            let bytes = std::fs::read(dir.join(".git/index")).expect("index");
            bytes.windows(4).any(|w| w == b"link")
        };
        assert!(split(dir.path()), "git split it");
        let id = stage_changelog(dir.path());
        assert!(git(dir.path(), &["ls-files", "-s"]).contains(&id.to_string()));
        // Written as git writes a split index: its `link` extension names
        // the shared index (a whole index written by gix would have none).
        assert!(split(dir.path()), "the index is still split");
    }
}
