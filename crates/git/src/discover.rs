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
/// `GIT_WORK_TREE` honoured, linked worktrees resolved).
///
/// `ceilings` are the absolute directories of `GIT_CEILING_DIRECTORIES` (the
/// caller reads the environment). git never climbs *into* a ceiling directory,
/// so a repository whose top is a ceiling (or above one) that `dir` lies below
/// is not found; gix searches the ceiling directory itself, so the rule is
/// applied again here.
pub fn discover(
    dir: &Path,
    ceilings: &[PathBuf],
) -> Result<(RepoLocation, gix::Repository), DiscoverError> {
    // gix errors when the start directory is itself a ceiling; git searches it.
    let options =
        gix::discover::upwards::Options { match_ceiling_dir_or_error: false, ..Default::default() };
    let repo = gix::ThreadSafeRepository::discover_with_environment_overrides_opts(
        dir,
        options,
        Default::default(),
    )
    .map(|repo| repo.to_thread_local())
    .map_err(|e| DiscoverError::NotARepository { path: dir.to_owned(), detail: e.to_string() })?;
    // The top of a bare repository is its git dir itself.
    if let Some(top) = repo.workdir().or_else(|| Some(repo.git_dir())) {
        let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_owned());
        let here = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
        let blocked = ceilings.iter().any(|ceiling| {
            let ceiling = std::fs::canonicalize(ceiling).unwrap_or_else(|_| ceiling.clone());
            here != ceiling && here.starts_with(&ceiling) && ceiling.starts_with(&top)
        });
        if blocked && std::env::var_os("GIT_DIR").is_none() {
            return Err(DiscoverError::NotARepository {
                path: dir.to_owned(),
                detail: "GIT_CEILING_DIRECTORIES stops the search before the repository".into(),
            });
        }
    }
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| dir.join(p));
    let location = RepoLocation {
        git_dir: absolute(repo.git_dir()),
        common_dir: absolute(repo.common_dir()),
        workdir: repo.workdir().map(absolute),
    };
    Ok((location, repo))
}
