//! Finding the repository and where trail keeps its data.

use std::path::{Path, PathBuf};

/// Where a repository lives.
#[derive(Debug, Clone)]
pub struct RepoLocation {
    /// The git dir of this worktree (`.git`, or `.git/worktrees/NAME`).
    pub git_dir: PathBuf,
    /// The git dir shared by all worktrees: trail's data lives under `<common>/trail/`.
    pub common_dir: PathBuf,
    /// The work tree, absent for a bare repository.
    pub workdir: Option<PathBuf>,
}

impl RepoLocation {
    /// `<common git dir>/trail`: the store, pending notes, daemon files.
    pub fn trail_dir(&self) -> PathBuf {
        self.common_dir.join("trail")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path} is not inside a git repository")]
    NotARepository { path: PathBuf, detail: String },
}

/// Discover the repository containing `dir`, the way git does (`GIT_DIR` and
/// `GIT_WORK_TREE` honoured, linked worktrees resolved). `GIT_CEILING_DIRECTORIES`
/// is not honoured yet (gix's default discovery ignores it).
pub fn discover(dir: &Path) -> Result<(RepoLocation, gix::Repository), DiscoverError> {
    let repo = gix::discover_with_environment_overrides(dir).map_err(|e| {
        DiscoverError::NotARepository { path: dir.to_owned(), detail: e.to_string() }
    })?;
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| dir.join(p));
    let location = RepoLocation {
        git_dir: absolute(repo.git_dir()),
        common_dir: absolute(repo.common_dir()),
        workdir: repo.workdir().map(absolute),
    };
    Ok((location, repo))
}
