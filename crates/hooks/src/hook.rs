//! What a commit's hooks are given: the repository, where git runs them,
//! the environment they read and the repository's settings. The CLI gathers
//! these ([`HookEnv::from_process`] reads the environment) and calls
//! [`crate::pre_commit::run`] or [`crate::post_commit::run`].

use std::path::Path;

use trail_git::{CommitFacts, ObjectId};

use crate::changelogs::OnMalformed;
use crate::invocation::{GitInvocation, GitState};
use crate::judge::Site;
use crate::pending::{Pending, PendingCommit};
use crate::{HookError, Notices};

/// The environment variables the commit flow reads, read once.
#[derive(Debug, Clone, Default)]
pub struct HookEnv {
    /// `TRAIL_AMEND`: set by `trail commit --amend` (git tells hooks nothing).
    pub amend: Option<String>,
    /// `TRAIL_WHY` / `TRAIL_IMPACT`: the rationale given for this commit.
    pub why: Option<String>,
    pub impact: Option<String>,
    /// `TRAIL_TOKEN`: an authorization for protected changes.
    pub token: Option<String>,
    /// `GIT_AUTHOR_NAME`, as git passes it to hooks.
    pub author_name: Option<String>,
    /// Not an environment variable: the rationale an AI agent's own commit
    /// defaults to (its session's prompts since its last commit), which the
    /// CLI computes (trail-agent) and passes in; `None` for a person's
    /// commit. Its place among the sources: [`crate::rationale`].
    pub agent_why: Option<String>,
}

impl HookEnv {
    /// Read from this process's environment.
    pub fn from_process() -> HookEnv {
        let var = |name: &str| std::env::var(name).ok();
        HookEnv {
            amend: var("TRAIL_AMEND"),
            why: var("TRAIL_WHY"),
            impact: var("TRAIL_IMPACT"),
            token: var("TRAIL_TOKEN").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            author_name: var("GIT_AUTHOR_NAME"),
            agent_why: None,
        }
    }
}

/// The settings of trail.toml the commit flow follows.
pub struct Settings<'a> {
    /// `[rationale] required`: refuse a commit without a why.
    pub rationale_required: bool,
    /// `[changelog] exclude`: directories that get no CHANGELOG.md.
    pub excluded: &'a dyn Fn(&[u8]) -> bool,
    /// `[changelog] root_summary`.
    pub root_summary: bool,
    /// `[changelog] malformed`.
    pub on_malformed: OnMalformed,
    /// `[changelog] types` and `breaking`: the sections commits choose.
    pub sections: &'a trail_changelog::Sections,
}

/// One hook of one commit.
pub struct Hook<'a> {
    /// The repository, its trail directory, where git runs, the journal's memory.
    pub site: &'a Site<'a>,
    pub git_dir: &'a Path,
    pub workdir: &'a Path,
    /// HEAD as the hook finds it.
    pub head: Option<ObjectId>,
    /// The `git` process running the hook, when it can be told.
    pub invocation: Option<&'a GitInvocation>,
    pub pending: &'a Pending,
    pub env: &'a HookEnv,
    pub settings: &'a Settings<'a>,
}

impl Hook<'_> {
    pub(crate) fn git(&self) -> &trail_git::Repository {
        self.site.git
    }

    /// Everything trail records about commit `id`.
    pub(crate) fn describe(&self, id: ObjectId) -> Result<CommitFacts, HookError> {
        let mut git = self.git().clone();
        let mut importer = trail_git::Importer::new(&mut git)
            .map_err(|e| HookError::environment(e.to_string()))?;
        importer.describe(id).map_err(|e| HookError::environment(e.to_string()))
    }

    /// The git command making a commit without pre-commit (see
    /// [`crate::invocation::committing_command`]), from the invocation and
    /// the state files in the git dir.
    pub fn committing_command(&self) -> Option<String> {
        committing_command(self.git_dir, self.invocation, self.pending.commit().ok().flatten())
    }
}

/// [`Hook::committing_command`] where no [`Hook`] is at hand (the
/// prepare-commit-msg and applypatch hooks).
pub fn committing_command(
    git_dir: &Path,
    invocation: Option<&GitInvocation>,
    pending: Option<PendingCommit>,
) -> Option<String> {
    let (command, args) = invocation.and_then(|i| i.command())?;
    let state = GitState {
        revert_head: git_dir.join("REVERT_HEAD").exists(),
        cherry_pick_head: git_dir.join("CHERRY_PICK_HEAD").exists(),
        rebase_merge: git_dir.join("rebase-merge").is_dir(),
        rebase_apply: git_dir.join("rebase-apply/rebasing").exists(),
        pre_commit_ran: pending
            .is_some_and(|p| p.same_invocation(invocation.map(|i| i.id.as_str()))),
    };
    crate::invocation::committing_command(command, args, state).map(str::to_owned)
}

/// A revert's rationale when nothing else gives one: `reverts <id>
/// ("<subject>")`.
pub fn revert_why(git: &trail_git::Repository, id: &str) -> String {
    let subject = git
        .rev_parse_single(id)
        .ok()
        .and_then(|id| git.find_commit(id.detach()).ok())
        .and_then(|c| c.message().ok().map(|m| m.summary().to_string()));
    let short = &id[..id.len().min(12)];
    match subject {
        Some(subject) => format!("reverts {short} (\"{subject}\")"),
        None => format!("reverts {short}"),
    }
}

/// `pending/rewriting-NONCE` in `trail_dir`: exists while post-commit
/// amends a commit.
pub(crate) fn rewriting_marker(trail_dir: &Path, nonce: &str) -> std::path::PathBuf {
    trail_dir.join("pending").join(format!("rewriting-{nonce}"))
}

/// Whether `nonce` (from `TRAIL_REWRITING`) names an amend post-commit is
/// making right now: 16 hex digits and its marker file present.
pub fn rewriting(trail_dir: &Path, nonce: &str) -> bool {
    nonce.len() == 16
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
        && rewriting_marker(trail_dir, nonce).exists()
}

/// Say `notice` (the CLI prints each with its `trail:` prefix).
pub(crate) fn tell(notices: &mut Notices, notice: impl Into<String>) {
    notices.push(notice.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewriting_nonce_counts_only_with_its_marker_and_in_its_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nonce = "0123456789abcdef";
        assert!(!rewriting(dir.path(), nonce), "no marker, no rewrite");
        std::fs::create_dir_all(dir.path().join("pending")).expect("mkdir");
        std::fs::write(rewriting_marker(dir.path(), nonce), b"").expect("marker");
        assert!(rewriting(dir.path(), nonce));
        // A path in the nonce never reaches outside pending/.
        for forged in ["../../x", "0123456789abcde", "0123456789abcdefg", "0123456789abcdeg"] {
            assert!(!rewriting(dir.path(), forged), "{forged} is not a nonce");
        }
    }
}
