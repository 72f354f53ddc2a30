//! `.git/trail/pending/`: what waits for the next commit of a worktree.
//!
//! - `note-<worktree>.json`: the rationale `trail note` left for the next commit;
//!   consumed by the post-commit of the commit that used it.
//! - `commit-<worktree>.json`: what pre-commit did (change id, the CHANGELOG.md
//!   blobs it staged, the rationale it used), for commit-msg and post-commit.
//!   Left in place when a commit is aborted, so the retry reuses the change id
//!   and replaces its entries instead of adding new ones.
//! - `commit-<worktree>.trailers` and `commit-<worktree>.defer`: what the
//!   commit-msg and post-commit shims may do without starting trail.
//! - `post-commit-<worktree>.<commit>.<pid>.<start>`: a commit whose
//!   post-commit waits to be done ([`crate::deferred`]).
//!
//! Each worktree has its own note and commit files: two worktrees committing
//! at once must not take each other's notes. Files are written whole or not at all.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trail_git::RepoLocation;

use crate::HookError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// An authorization token for the next commit's protected changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// When the note was left (RFC 3339, UTC).
    pub time: String,
}

/// A CHANGELOG.md pre-commit staged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedLog {
    /// Repository-relative path bytes (lossless: these can be any bytes).
    pub path: Vec<u8>,
    /// The blob staged.
    pub blob: String,
    /// Whether pre-commit created the file from the template.
    pub created: bool,
    /// The entry pre-commit wrote (none when it only took an aborted
    /// attempt's entry out), to apply again where the commit's index was not
    /// the real one (`git commit -o`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<WrittenEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenEntry {
    /// The `### ` subsection, e.g. `Added`.
    pub section: String,
    /// The rendered line, without its newline.
    pub line: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCommit {
    pub change_id: String,
    /// The commit the new commit will have as its first parent (`None`: the first commit).
    pub base: Option<String>,
    pub amend: bool,
    pub merge: bool,
    pub why: Option<String>,
    pub impact: Option<String>,
    /// When pre-commit ran (RFC 3339, UTC): the time of the changelog entries.
    pub time: String,
    /// The index pre-commit staged into (`GIT_INDEX_FILE`, absolute).
    pub index: PathBuf,
    pub changelogs: Vec<StagedLog>,
    /// The `git` process that ran pre-commit (pid and start time): commit-msg
    /// and post-commit use this state only within the same invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<String>,
    /// Whether the rationale came (in part) from `trail note`: the note is
    /// dropped only by the commit that used it.
    #[serde(default)]
    pub used_note: bool,
    /// Entries an aborted attempt staged into another index (the real one,
    /// while this commit uses a temporary index): post-commit takes them out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_elsewhere: Option<StaleEntries>,
    /// How the protected paths of this commit are authorized, if it touches any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<PendingAuth>,
}

/// The authorization pre-commit accepted for a commit's protected changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuth {
    /// The token (commit-msg writes it as the `Trail-Authorization:` trailer);
    /// `None` for the bootstrap commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// The key id of the authorizer who signed the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The authorizer lines the bootstrap commit adds (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bootstrap: Vec<String>,
    /// The protected paths, with their status letter.
    pub paths: Vec<(Vec<u8>, char)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleEntries {
    pub index: PathBuf,
    pub change_id: String,
    pub paths: Vec<Vec<u8>>,
}

impl PendingCommit {
    /// Whether this state was left by the `git` process now running a hook.
    /// Without /proc (no invocation known on either side) it is assumed.
    pub fn same_invocation(&self, current: Option<&str>) -> bool {
        match (self.invocation.as_deref(), current) {
            (Some(ours), Some(now)) => ours == now,
            _ => true,
        }
    }
}

pub struct Pending {
    dir: PathBuf,
    worktree: String,
}

impl Pending {
    pub fn new(location: &RepoLocation) -> Self {
        let worktree = if location.git_dir == location.common_dir {
            "main".to_owned()
        } else {
            // `.git/worktrees/NAME`: NAME is unique among the repository's worktrees.
            let name = location.git_dir.file_name().map(|n| n.to_string_lossy().into_owned());
            format!("wt-{}", name.unwrap_or_default())
        };
        Pending { dir: location.trail_dir().join("pending"), worktree }
    }

    fn path(&self, what: &str) -> PathBuf {
        self.dir.join(format!("{what}-{}.json", self.worktree))
    }

    /// The commit state file of the main worktree whose git dir is `git_dir`,
    /// found without discovering the repository (a hook's quick path).
    pub fn main_commit_file(git_dir: &Path) -> PathBuf {
        Pending { dir: git_dir.join("trail").join("pending"), worktree: "main".to_owned() }
            .path("commit")
    }

    pub fn note(&self) -> Result<Option<Note>, HookError> {
        read(&self.path("note"))
    }

    pub fn set_note(&self, note: &Note) -> Result<(), HookError> {
        write(&self.dir, &self.path("note"), note)
    }

    pub fn clear_note(&self) -> Result<bool, HookError> {
        remove(&self.path("note"))
    }

    pub fn commit(&self) -> Result<Option<PendingCommit>, HookError> {
        read(&self.path("commit"))
    }

    pub fn set_commit(&self, pending: &PendingCommit) -> Result<(), HookError> {
        write(&self.dir, &self.path("commit"), pending)
    }

    pub fn clear_commit(&self) -> Result<bool, HookError> {
        let _ = remove(&self.shim_trailers_path());
        let _ = remove(&self.defer_path());
        remove(&self.path("commit"))
    }

    /// The directory of the pending state (and of post-commit's markers,
    /// [`crate::deferred`]).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This worktree's name in the state's file names (`main`, `wt-NAME`).
    pub fn worktree(&self) -> &str {
        &self.worktree
    }

    /// `commit-<worktree>.defer`: the post-commit shim may leave this
    /// commit's post-commit to the background ([`crate::deferred`]).
    fn defer_path(&self) -> PathBuf {
        self.dir.join(format!("commit-{}.defer", self.worktree))
    }

    /// Let the post-commit of the `git` process `invocation` (`Some`) run
    /// in the background, or not (`None`). Replaced whole, not synced:
    /// losing it only runs post-commit on the commit's path.
    pub fn set_defer(&self, invocation: Option<&str>) -> Result<(), HookError> {
        let path = self.defer_path();
        match invocation {
            Some(invocation) => {
                let text = format!("{} {invocation}\n", crate::deferred::DEFER_HEADER);
                replace(&self.dir, &path, text.as_bytes(), false)
            }
            None => remove(&path).map(drop),
        }
    }

    /// `commit-<worktree>.trailers`: the trailers the commit-msg shim may
    /// append by itself ([`crate::messages::shim_trailers`], hooks/shim.sh).
    fn shim_trailers_path(&self) -> PathBuf {
        self.dir.join(format!("commit-{}.trailers", self.worktree))
    }

    /// Write (`Some`) or remove (`None`) what the commit-msg shim may append
    /// by itself. Replaced whole (a shim never reads half a file), not
    /// synced: losing it only sends commit-msg to `trail hook commit-msg`.
    pub fn set_shim_trailers(&self, text: Option<&str>) -> Result<(), HookError> {
        let path = self.shim_trailers_path();
        match text {
            Some(text) => replace(&self.dir, &path, text.as_bytes(), false),
            None => remove(&path).map(drop),
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, HookError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(HookError::environment(format!("cannot read {}: {e}", path.display())));
        }
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        HookError::environment(format!("{} is damaged: {e}", path.display())).hint(format!(
            "delete it (it only holds state for the next commit): rm {}",
            path.display()
        ))
    })
}

fn write<T: Serialize>(dir: &Path, path: &Path, value: &T) -> Result<(), HookError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| HookError::environment(format!("cannot encode {}: {e}", path.display())))?;
    replace(dir, path, &bytes, true)
}

/// `path` (in `dir`) replaced by `bytes` whole: written beside it, synced
/// when `sync`, then renamed over it.
fn replace(dir: &Path, path: &Path, bytes: &[u8], sync: bool) -> Result<(), HookError> {
    use std::io::Write as _;
    let cannot =
        |e: std::io::Error| HookError::environment(format!("cannot write {}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(bytes).map_err(cannot)?;
    if sync {
        tmp.as_file().sync_all().map_err(cannot)?;
    }
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

fn remove(path: &Path) -> Result<bool, HookError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(HookError::environment(format!("cannot remove {}: {e}", path.display()))),
    }
}
