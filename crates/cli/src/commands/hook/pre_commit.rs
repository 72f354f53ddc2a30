//! pre-commit: glue around [`trail_hooks::pre_commit`], which checks the
//! rationale and the protection policy, allocates the change id and stages
//! the CHANGELOG.md entries (DESIGN §4). Here: the hook's environment in,
//! notices printed, a refusal's `commit.blocked` record delivered.

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreCommit)?;
    // The last commit's post-commit, run after it, still holds its state.
    if let Some(running) = super::post_commit::still_running().first() {
        return Err(CommandError::environment(format!(
            "the post-commit of the last commit ({}) is still recording it",
            &running.to_string()[..12]
        ))
        .hint("wait a moment and commit again; if it stays, the trail process holding a `post-commit-*` file in .git/trail/pending is stuck (`fuser` names it)"));
    }
    let mut notices = Vec::new();
    let index_path = ctx.index_path();
    let mut env = trail_hooks::hook::HookEnv::from_process();
    let agent = agent_why(&ctx);
    env.agent_why = agent.as_ref().map(|(_, why)| why.clone());
    let trail_dir = ctx.repo.location.trail_dir();
    let result = ctx.with_hook_env(env, |hook| {
        let result = trail_hooks::pre_commit::run(hook, index_path, &mut notices);
        if let Ok(pending) = &result {
            offer_shim_trailers(hook, pending, &trail_dir);
            offer_defer(&ctx, hook, pending, &trail_dir);
        }
        result
    })?;
    for notice in notices {
        say(notice);
    }
    match result {
        Ok(pending) => {
            if let Some((who, why)) = &agent
                && pending.why.as_deref() == Some(why.as_str())
            {
                say(format_args!("the commit's why is the prompts of {who} (none was given)"));
            }
            Ok(())
        }
        Err(refused) => {
            if let Some(mut blocked) = refused.blocked {
                // The refusal stands even when the journal cannot be written.
                blocked.actor = Some(super::local_actor(&ctx.repo.git));
                if let Err(e) = crate::pending::append_or_spool(&ctx.repo, vec![*blocked], None) {
                    say(format_args!("could not record the refusal in the journal: {}", e.message));
                }
            }
            Err(refused.error.into())
        }
    }
}

/// Leave the commit-msg shim the trailers it may append by itself
/// ([`trail_hooks::messages::shim_trailers`]), unless an AI agent's edits
/// wait in the ledger: naming their sessions (`Agent-Session:`) is `trail
/// hook commit-msg`'s work. What an aborted commit's commit-msg kept of
/// the sessions' prompts goes here, as commit-msg would have dropped it.
fn offer_shim_trailers(
    hook: &trail_hooks::hook::Hook<'_>,
    pending: &trail_hooks::pending::PendingCommit,
    trail_dir: &std::path::Path,
) {
    let text = if trail_agent::ledger::any(trail_dir) {
        None
    } else {
        trail_hooks::messages::shim_trailers(hook, pending)
    };
    if text.is_some() {
        let _ = trail_agent::ledger::keep_for_commit(trail_dir, &[]);
    }
    if let Err(e) = hook.pending.set_shim_trailers(text.as_deref()) {
        // commit-msg then runs trail, as it did before the shim could.
        tracing::warn!("{}", e.message);
    }
}

/// Let the post-commit shim run this commit's post-commit after git
/// returns ([`trail_hooks::deferred::may_defer`], `[hooks] post_commit`).
/// Its words then go to `.git/trail/pending/drain.log`; the one a person
/// must not miss — the journal cannot be written — is said here instead.
fn offer_defer(
    ctx: &HookContext,
    hook: &trail_hooks::hook::Hook<'_>,
    pending: &trail_hooks::pending::PendingCommit,
    trail_dir: &std::path::Path,
) {
    let agents_idle = !trail_agent::ledger::any(trail_dir)
        && trail_agent::committing::current(trail_dir, chrono::Utc::now(), |k| {
            std::env::var(k).ok()
        })
        .is_none();
    let defer = ctx.config.hooks.post_commit == crate::config::PostCommit::Background
        && trail_hooks::deferred::may_defer(hook, pending, agents_idle);
    let invocation = pending.invocation.as_deref().filter(|_| defer);
    if let Err(e) = hook.pending.set_defer(invocation) {
        // post-commit then runs on the commit's path, as it did before.
        tracing::warn!("{}", e.message);
    }
    if invocation.is_some() {
        crate::pending::warn_if_drain_failed(&ctx.repo);
    }
}

/// The rationale an AI agent's own commit defaults to (docs/agents.md, "In
/// commits"): when the agent's shell hook noted the commit and it runs in
/// that agent's shell, and `[agent] commit_why` is "prompts" (the default),
/// the committing session's prompts since its last commit; with who it is.
/// `None` for a person's commit.
fn agent_why(ctx: &HookContext) -> Option<(String, String)> {
    let trail_dir = ctx.repo.location.trail_dir();
    let (agent, session) = trail_agent::committing::current(&trail_dir, chrono::Utc::now(), |k| {
        std::env::var(k).ok()
    })?;
    let (mode, warning) = trail_agent::session::commit_why_mode(&ctx.workdir);
    if let Some(warning) = warning {
        say(format_args!("warning: {warning}"));
    }
    if mode == trail_agent::session::CommitWhy::None {
        return None;
    }
    let why = trail_agent::session::load(&trail_dir, &session)?.commit_why()?;
    Some((format!("{agent} session {session}"), why))
}
