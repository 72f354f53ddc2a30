//! commit-msg: glue around [`trail_hooks::messages::commit_msg`], which adds
//! the `Change-Id:`, `Why:` and `Impact:` trailers pre-commit decided on and
//! the `Trail-Authorization:` trailer of an authorized protected change.

use std::ffi::OsString;
use std::path::PathBuf;

use super::HookContext;
use crate::error::CommandError;

pub fn run(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage("commit-msg: git passes the message file; none was given"));
    };
    let ctx = HookContext::new(super::HookName::CommitMsg)?;
    ctx.with_hook(|hook| trail_hooks::messages::commit_msg(hook, &PathBuf::from(file)))??;
    agent_sessions(&ctx, &PathBuf::from(file));
    Ok(())
}

/// `Agent-Session: AGENT SESSION` trailers for the AI agent sessions that
/// edited a path this commit changes (trail-agent's ledger; docs/agents.md),
/// and, for post-commit, the prompts those edits followed (the commit
/// record's `detail.agents[].prompts`). A failure is said, never fatal: the
/// trailers inform, they do not guard.
fn agent_sessions(ctx: &HookContext, message: &std::path::Path) {
    let trail_dir = ctx.repo.location.trail_dir();
    // What an earlier commit-msg kept for a commit that did not happen goes.
    let _ = trail_agent::ledger::keep_for_commit(&trail_dir, &[]);
    if !trail_agent::ledger::any(&trail_dir) {
        return;
    }
    let Some(workdir) = ctx.repo.location.workdir.as_deref() else { return };
    // git runs the hook with GIT_INDEX_FILE set to the index being committed.
    let staged = std::process::Command::new("git")
        .current_dir(workdir)
        .args(["diff", "--cached", "--name-only", "-z", "--no-renames"])
        .output();
    let Ok(staged) = staged.map(|o| o.stdout) else { return };
    let paths: Vec<Vec<u8>> =
        staged.split(|b| *b == 0).filter(|p| !p.is_empty()).map(<[u8]>::to_vec).collect();
    let found = trail_agent::ledger::commit_sessions(&trail_dir, &paths);
    if found.is_empty() {
        return;
    }
    let sessions: Vec<(String, String)> =
        found.iter().map(|s| (s.agent.clone(), s.session.clone())).collect();
    if let Err(e) = trail_agent::ledger::keep_for_commit(&trail_dir, &found) {
        crate::output::say(format_args!(
            "warning: cannot keep the agent sessions' prompts for the commit record: {e}"
        ));
    }
    let trailers = trail_agent::ledger::trailers(&sessions);
    if let Err(e) = trail_hooks::messages::add_trailers(
        &ctx.repo.git,
        workdir,
        message,
        &trailers,
        trail_hooks::messages::IfExists::AddIfDifferent,
        None,
    ) {
        crate::output::say(format_args!(
            "warning: cannot add the Agent-Session trailers: {}",
            e.message
        ));
    }
}
