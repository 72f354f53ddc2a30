//! The files git tracks: the paths of the index.

/// The index could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the git index: {detail}")]
pub struct TrackedError {
    pub detail: String,
}

/// Every path the index tracks (repository-relative, `/`-separated bytes),
/// sorted and each once: conflicted paths (several stages) are listed once;
/// submodules and the directories of a sparse index, which are not files of
/// this repository, are left out. A repository without an index tracks nothing.
pub fn tracked_paths(repo: &gix::Repository) -> Result<Vec<Vec<u8>>, TrackedError> {
    let index = repo.index_or_empty().map_err(|e| TrackedError { detail: e.to_string() })?;
    let mut paths: Vec<Vec<u8>> = index
        .entries()
        .iter()
        .filter(|e| {
            !matches!(e.mode, gix::index::entry::Mode::COMMIT | gix::index::entry::Mode::DIR)
        })
        .map(|e| e.path(&index).to_vec())
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}
