//! Staging files into an index: the one place trail changes the index, done
//! with git2 (DESIGN §1: gix reads, git2 writes).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use gix::ObjectId;

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("cannot open the repository at {path} to update its index: {detail}")]
    Open { path: std::path::PathBuf, detail: String },
    #[error("cannot stage {path}: {detail}")]
    Add { path: String, detail: String },
    #[error("cannot write the index {path}: {detail}")]
    Write { path: std::path::PathBuf, detail: String },
}

/// One file to stage.
pub struct StageItem<'a> {
    /// Repository-relative, `/`-separated.
    pub path: &'a [u8],
    /// `None`: take content and file status from the work tree (like `git add`).
    /// `Some`: stage exactly these bytes as a regular file (the work tree keeps
    /// something else, e.g. a person's unstaged edits).
    pub content: Option<&'a [u8]>,
}

/// Stage `items` into the index at `index_path` (not necessarily the
/// repository's default index: in a hook it is the one `GIT_INDEX_FILE` names)
/// and write it, atomically (libgit2 writes `<index>.lock` and renames it).
/// Returns the blob id of each item, in order.
pub fn stage(
    git_dir: &Path,
    workdir: &Path,
    index_path: &Path,
    items: &[StageItem<'_>],
) -> Result<Vec<ObjectId>, StageError> {
    let repo = git2::Repository::open(git_dir).map_err(|e| StageError::Open {
        path: git_dir.to_owned(),
        detail: e.message().to_owned(),
    })?;
    repo.set_workdir(workdir, false).map_err(|e| StageError::Open {
        path: workdir.to_owned(),
        detail: e.message().to_owned(),
    })?;
    let write_failed = |e: git2::Error| StageError::Write {
        path: index_path.to_owned(),
        detail: e.message().to_owned(),
    };
    let mut index = git2::Index::open(index_path).map_err(write_failed)?;
    // Ties the index to the repository, so add_path can read the work tree and
    // add_frombuffer can write blobs.
    repo.set_index(&mut index).map_err(write_failed)?;
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let shown = String::from_utf8_lossy(item.path).into_owned();
        let add_failed = |e: git2::Error| StageError::Add {
            path: shown.clone(),
            detail: e.message().to_owned(),
        };
        let path = Path::new(OsStr::from_bytes(item.path));
        match item.content {
            None => index.add_path(path).map_err(add_failed)?,
            Some(content) => {
                let entry = git2::IndexEntry {
                    ctime: git2::IndexTime::new(0, 0),
                    mtime: git2::IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode: 0o100644,
                    uid: 0,
                    gid: 0,
                    file_size: u32::try_from(content.len()).unwrap_or(u32::MAX),
                    id: git2::Oid::ZERO_SHA1,
                    flags: 0,
                    flags_extended: 0,
                    path: item.path.to_vec(),
                };
                index.add_frombuffer(&entry, content).map_err(add_failed)?;
            }
        }
        let id = index.get_path(path, 0).map(|e| e.id).ok_or_else(|| {
            add_failed(git2::Error::from_str("the entry is missing after adding it"))
        })?;
        let id = ObjectId::from_hex(id.to_string().as_bytes())
            .map_err(|e| add_failed(git2::Error::from_str(&e.to_string())))?;
        ids.push(id);
    }
    index.write().map_err(write_failed)?;
    Ok(ids)
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
