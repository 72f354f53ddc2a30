//! post-commit (and post-applypatch): glue around
//! [`trail_hooks::post_commit`], which decides what the commit becomes in
//! the journal. Here: the hook's environment in, the records delivered
//! through the gateway (commits whose post-commit was killed caught up
//! first, then a signed checkpoint), notices printed.

use trail_journal::Timestamp;

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;

pub fn run(name: super::HookName) -> Result<(), CommandError> {
    let ctx = HookContext::new(name)?;
    // One Hook for the whole hook: the invocation and trail.toml's settings
    // are read once.
    ctx.with_hook(|hook| record(&ctx, hook))?
}

fn record(ctx: &HookContext, hook: &trail_hooks::hook::Hook<'_>) -> Result<(), CommandError> {
    let pre_push_runs_trail =
        || crate::commands::hooks::health::runs_trail(&ctx.repo, super::HookName::PrePush);
    let local = super::local_actor(&ctx.repo.git);
    let mut notices = Vec::new();
    let recorded = trail_hooks::post_commit::run(hook, local, &pre_push_runs_trail, &mut notices);
    for notice in notices.drain(..) {
        say(notice);
    }
    let mut recorded = recorded?;

    // The commit's records, then a signed checkpoint of the journal on
    // refs/trail/journal (a failure there is said, not fatal). Commits made
    // here whose post-commit was killed go in first.
    let id = recorded.facts.id;
    let now = Timestamp::now();
    let catch_up = |store: &crate::context::Store| {
        let missed = crate::records::missed_commits(&ctx.repo, store, Some(id));
        let mut told = Vec::new();
        let drafts = trail_hooks::post_commit::caught_up(&ctx.repo.git, &missed, now, &mut told);
        for notice in told {
            say(notice);
        }
        drafts
    };
    crate::pending::append_caught_up(
        &ctx.repo,
        std::mem::take(&mut recorded.drafts),
        Some(&id),
        catch_up,
        |store| crate::sync::checkpoint_after_hook(&ctx.repo, &ctx.config, store),
    )?;

    // The agents' edits this commit took no longer wait (docs/agents.md).
    let committed: Vec<Vec<u8>> = recorded.facts.changes.iter().map(|c| c.path.clone()).collect();
    let _ = trail_agent::ledger::consume(&ctx.repo.location.trail_dir(), &committed);

    let done = trail_hooks::post_commit::after_recorded(hook, &recorded, &mut notices);
    for notice in notices {
        say(notice);
    }
    Ok(done?)
}

/// Whether `nonce` (from `TRAIL_REWRITING`) names an amend post-commit is
/// making right now ([`trail_hooks::hook::rewriting`]).
pub(super) fn rewriting(repo: &crate::context::Repo, nonce: &str) -> bool {
    trail_hooks::hook::rewriting(&repo.location.trail_dir(), nonce)
}
