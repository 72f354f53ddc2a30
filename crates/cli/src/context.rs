//! What most commands need first: the repository and its journal.

use std::path::{Component, Path, PathBuf};

use trail_git::RepoLocation;
use trail_journal::SledStore;

use crate::error::CommandError;

pub struct Repo {
    pub location: RepoLocation,
    pub git: trail_git::Repository,
    /// Where the command was started.
    pub cwd: PathBuf,
}

impl Repo {
    pub fn discover() -> Result<Self, CommandError> {
        let cwd = std::env::current_dir().map_err(|e| {
            CommandError::environment(format!("cannot read the current directory: {e}"))
        })?;
        let (location, git) = trail_git::discover(&cwd)?;
        Ok(Repo { location, git, cwd })
    }

    pub fn store_path(&self) -> PathBuf {
        self.location.trail_dir().join("journal")
    }

    pub fn open_store(&self) -> Result<SledStore, CommandError> {
        Ok(SledStore::open(&self.store_path())?)
    }

    /// Turn a path given on the command line (relative to where trail was started,
    /// or absolute) into the repository-relative form the journal stores. A
    /// trailing `/` is kept: it means "this directory only".
    pub fn repo_relative(&self, given: &str) -> Result<Vec<u8>, CommandError> {
        let Some(workdir) = &self.location.workdir else {
            return Ok(given.trim_start_matches('/').as_bytes().to_vec());
        };
        let dir_only = given.ends_with('/');
        let joined = if Path::new(given).is_absolute() {
            PathBuf::from(given)
        } else {
            self.cwd.join(given)
        };
        let normal = normalize(&joined);
        let workdir = normalize(workdir);
        let relative = normal.strip_prefix(&workdir).map_err(|_| {
            CommandError::usage(format!(
                "{given} is outside the repository at {}",
                workdir.display()
            ))
        })?;
        let mut bytes = path_bytes(relative);
        if dir_only && !bytes.is_empty() {
            bytes.push(b'/');
        }
        Ok(bytes)
    }
}

/// Lexically resolve `.` and `..` (the path may no longer exist, so no canonicalize),
/// resolving symlinks only in the part that does exist.
fn normalize(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    let mut clean = PathBuf::new();
    for part in out.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}
