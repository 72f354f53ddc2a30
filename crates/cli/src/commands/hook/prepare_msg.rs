//! prepare-commit-msg, applypatch-msg and pre-applypatch: glue around
//! [`trail_hooks::messages`], which gives the commits pre-commit never sees
//! (`git revert`, `git cherry-pick`, a rebase's picks, `git merge`, `git am`,
//! `git rebase --apply`) a Change-Id and a rationale, or refuses them. A
//! `git commit` is left to pre-commit and commit-msg (or skipped on purpose
//! with `--no-verify`): its prepare-commit-msg costs a few stats.

use std::ffi::OsString;
use std::path::PathBuf;

use super::{GitInvocation, HookContext};
use crate::error::CommandError;

pub fn prepare_commit_msg(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage(
            "prepare-commit-msg: git passes the message file; none was given",
        ));
    };
    let invocation = GitInvocation::current();
    // The common case, a plain `git commit`, costs a few stats: pre-commit
    // and commit-msg do its work.
    if invocation.as_ref().and_then(|i| i.command()).is_some_and(|(c, _)| c == b"commit")
        && let Some(git_dir) = quick_git_dir()
        && !["REVERT_HEAD", "CHERRY_PICK_HEAD", "rebase-merge"]
            .iter()
            .any(|f| git_dir.join(f).exists())
    {
        // pre-commit ran for this commit (its state names this git process):
        // all is as it should be. Otherwise a hook manager may have taken
        // pre-commit's place, and this may be the one trail hook git still
        // runs: it says which are off.
        let state = trail_hooks::pending::Pending::main_commit_file(&git_dir);
        let id = invocation.as_ref().map(|i| format!("\"invocation\":\"{}\"", i.id));
        let ran = std::fs::read_to_string(&state)
            .is_ok_and(|text| id.is_some_and(|id| text.contains(&id)));
        if !ran && let Ok(repo) = crate::context::Repo::discover() {
            crate::commands::hooks::health::warn_if_off(&repo, super::HookName::PrepareCommitMsg);
        }
        return Ok(());
    }
    let ctx = HookContext::new(super::HookName::PrepareCommitMsg)?;
    Ok(ctx.with_hook(|hook| {
        let Some(command) = hook.committing_command() else { return Ok(()) };
        trail_hooks::messages::prepare_commit_msg(hook, &PathBuf::from(file), &command)
    })??)
}

pub fn applypatch_msg(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage(
            "applypatch-msg: git passes the message file; none was given",
        ));
    };
    let ctx = HookContext::new(super::HookName::ApplypatchMsg)?;
    Ok(ctx.with_hook(|hook| {
        let command = hook.committing_command().unwrap_or_else(|| "am".to_owned());
        trail_hooks::messages::applypatch_msg(hook, &PathBuf::from(file), &command)
    })??)
}

/// pre-applypatch: refuse a patch that has no rationale
/// ([`trail_hooks::messages::pre_applypatch`]).
pub fn pre_applypatch() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreApplypatch)?;
    Ok(ctx.with_hook(|hook| {
        let command = hook.committing_command().unwrap_or_else(|| "am".to_owned());
        trail_hooks::messages::pre_applypatch(hook, &command)
    })??)
}

/// The git dir of the work tree a hook runs at the top of, without
/// discovering the repository: `$GIT_DIR`, `.git`, or the `gitdir:` a
/// linked worktree's `.git` file names. `None` when unsure.
fn quick_git_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GIT_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dot_git = PathBuf::from(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let dir = text.strip_prefix("gitdir:")?.trim();
    Some(PathBuf::from(dir))
}
