//! post-commit (and post-applypatch): glue around
//! [`trail_hooks::post_commit`], which decides what the commit becomes in
//! the journal. Here: the hook's environment in, the records delivered
//! through the gateway (commits whose post-commit was killed caught up
//! first, then a signed checkpoint), notices printed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use trail_hooks::deferred::{self, Claim, Unclaimed};
use trail_journal::Timestamp;

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;

pub fn run(name: super::HookName) -> Result<(), CommandError> {
    let ctx = HookContext::new(name)?;
    // One Hook for the whole hook: the invocation and trail.toml's settings
    // are read once.
    ctx.with_hook(|hook| record(&ctx, hook, false))?
}

/// Record the commit at `hook.head`. `deferred`: a post-commit run after
/// the commit, maybe by another trail process and later: the agents'
/// ledger and commit note were empty when its shim ran (hooks/shim.sh), so
/// what they hold now is later work, not this commit's.
fn record(
    ctx: &HookContext,
    hook: &trail_hooks::hook::Hook<'_>,
    deferred: bool,
) -> Result<(), CommandError> {
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
    let named = agent_prompts(ctx, &mut recorded.drafts, &id.to_string());
    let now = Timestamp::now();
    let catch_up = |store: &crate::context::Store| {
        let missed = crate::records::to_catch_up(&ctx.repo, store, &[id]);
        let mut told = Vec::new();
        let drafts = trail_hooks::post_commit::caught_up(&ctx.repo.git, &missed, now, &mut told);
        for notice in told {
            say(notice);
        }
        drafts
    };
    crate::pending::hand_over(
        &ctx.repo,
        std::mem::take(&mut recorded.drafts),
        Some(&id),
        catch_up,
        |store| crate::sync::checkpoint_after_hook(&ctx.repo, &ctx.config, store),
    )?;

    // The agents' edits this commit took no longer wait (docs/agents.md).
    if !deferred {
        let committed: Vec<Vec<u8>> =
            recorded.facts.changes.iter().map(|c| c.path.clone()).collect();
        let _ = trail_agent::ledger::consume(&ctx.repo.location.trail_dir(), &committed);
        agent_committed(ctx, &named);
    }

    let done = trail_hooks::post_commit::after_recorded(hook, &recorded, &mut notices);
    for notice in notices {
        say(notice);
    }
    Ok(done?)
}

/// The prompts commit-msg found for the agent sessions the commit names
/// (docs/agents.md, "In commits"), added to its record's `detail.agents`;
/// returns the (agent, session) pairs the record names.
fn agent_prompts(
    ctx: &HookContext,
    drafts: &mut [trail_journal::Draft],
    commit: &str,
) -> Vec<(String, String)> {
    let kept = trail_agent::ledger::take_for_commit(&ctx.repo.location.trail_dir());
    let mut named = Vec::new();
    for draft in drafts.iter_mut().filter(|d| {
        d.commit.as_deref() == Some(commit)
            && (d.kind == trail_journal::kinds::COMMIT
                || d.kind == trail_journal::kinds::COMMIT_UNVERIFIED)
    }) {
        if let Some(detail) = draft.detail.as_mut() {
            trail_agent::ledger::add_prompts(detail, &kept);
            named.extend(trail_agent::ledger::named_sessions(detail));
        }
    }
    named
}

/// A commit took the work of the sessions it names, and of the agent
/// session that made it: their prompts are no longer "since the last
/// commit"; the note of an agent's commit is done with.
fn agent_committed(ctx: &HookContext, named: &[(String, String)]) {
    let trail_dir = ctx.repo.location.trail_dir();
    let committing =
        trail_agent::committing::current(&trail_dir, chrono::Utc::now(), |k| std::env::var(k).ok());
    if let Some((_, session)) = &committing {
        let _ = trail_agent::session::committed(&trail_dir, session);
        trail_agent::committing::clear(&trail_dir);
    }
    for (_, session) in named {
        let _ = trail_agent::session::committed(&trail_dir, session);
    }
}

/// How long a trail process waits for another that is recording a commit
/// whose post-commit ran after the commit (a drainer at work).
const DEFERRED_WAIT: Duration = Duration::from_secs(10);

/// Whether this process settled the deferred post-commits already (once is
/// enough: one recorded here discovers the repository again).
static SETTLED: AtomicBool = AtomicBool::new(false);

/// Commits whose post-commit another process was still running when
/// [`settle_deferred`] gave up waiting.
static STILL_RUNNING: std::sync::Mutex<Vec<trail_git::ObjectId>> =
    std::sync::Mutex::new(Vec::new());

/// Record the commits of this worktree whose post-commit the shim left to
/// the background and that nobody recorded yet (trail_hooks::deferred),
/// oldest first, as their post-commit would have; wait for one another
/// process is recording. Every trail process does this when it finds the
/// repository, before it reads the journal or pre-commit's state: a
/// command run right after `git commit` sees the commit, the next
/// pre-commit does not take the last commit's state for an aborted
/// attempt's, and a drainer killed before it wrote loses nothing.
pub fn settle_deferred(repo: &crate::context::Repo) {
    if SETTLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let pending = crate::pending::Pending::new(&repo.location);
    for marker in deferred::markers(pending.dir(), pending.worktree()) {
        let short = &marker.commit.to_string()[..12];
        match deferred::claim(&marker, DEFERRED_WAIT) {
            // Gone from the repository (amended away and pruned while no
            // trail process ran): nothing can record it, and saying so on
            // every command helps nobody.
            Ok(claim) if !repo.git.has_object(marker.commit) => {
                say(format_args!(
                    "warning: commit {short} is no longer in the repository; its record, left to be written after the commit, cannot be made"
                ));
                if let Err(e) = claim.done() {
                    tracing::warn!("cannot remove {}: {e}", marker.path.display());
                }
            }
            Ok(claim) => {
                if let Err(e) = perform(claim, repo) {
                    say(format_args!(
                        "warning: commit {short} is not recorded yet (its post-commit, run after the commit, failed: {}); the next trail command tries again",
                        e.message
                    ));
                }
            }
            Err(Unclaimed::Done) => {}
            Err(Unclaimed::Busy) => {
                say(format_args!(
                    "warning: the post-commit of commit {short} has been running for over {} s ({})",
                    DEFERRED_WAIT.as_secs(),
                    marker.path.display()
                ));
                STILL_RUNNING.lock().unwrap_or_else(|p| p.into_inner()).push(marker.commit);
            }
        }
    }
}

/// The commits [`settle_deferred`] found another process still recording.
pub fn still_running() -> Vec<trail_git::ObjectId> {
    STILL_RUNNING.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Record the commit of `claim` as its post-commit would have, for the
/// `git` process the marker names; the marker goes once it is recorded.
fn perform(claim: Claim, repo: &crate::context::Repo) -> Result<(), CommandError> {
    let marker = claim.marker.clone();
    let ctx = HookContext::of(repo.clone(), super::HookName::PostCommit)?;
    let pid = marker.invocation.split_once(':').and_then(|(p, _)| p.parse().ok()).unwrap_or(0);
    let invocation = super::GitInvocation { id: marker.invocation.clone(), pid, args: Vec::new() };
    let env = trail_hooks::hook::HookEnv::from_process();
    ctx.with_hook_as(env, Some(marker.commit), Some(invocation), |hook| record(&ctx, hook, true))??;
    claim.done().map_err(|e| {
        CommandError::environment(format!("cannot remove {}: {e}", marker.path.display()))
    })
}

/// Whether `nonce` (from `TRAIL_REWRITING`) names an amend post-commit is
/// making right now ([`trail_hooks::hook::rewriting`]).
pub(super) fn rewriting(repo: &crate::context::Repo, nonce: &str) -> bool {
    trail_hooks::hook::rewriting(&repo.location.trail_dir(), nonce)
}

/// `trail drain` (hidden; post-commit starts it in the background): append
/// what hooks handed over to the spool, then the commits made here whose
/// post-commit was killed, then a signed checkpoint — the part of recording
/// a commit that needs the store, off the commit's critical path
/// (docs/architecture.md, "post-commit hands over").
pub fn drain() -> Result<(), CommandError> {
    DRAINING.store(true, Ordering::SeqCst);
    let repo = crate::context::Repo::discover_only()?;
    // The post-commit shim appends this drainer's words to drain.log
    // without looking at its size: kept short here.
    crate::pending::trim_drain_log(&repo);
    settle_deferred(&repo);
    let ctx = HookContext::of(repo, super::HookName::PostCommit)?;
    let gateway = ctx.repo.gateway();
    let lock = ctx.repo.location.trail_dir().join("pending").join("drainer.lock");
    loop {
        // One drainer at a time: one that finds another at work leaves
        // what it was started for to it (that one looks again before it
        // ends), rather than queue on the store's lock behind it.
        let Some(held) = try_lock(&lock) else { return Ok(()) };
        let failed = crate::pending::drain_failed_path(&ctx.repo);
        if let Err(e) = drain_once(&ctx) {
            // Said by the next post-commit, and kept in drain.log.
            let _ = std::fs::write(&failed, format!("{}\n", e.message));
            return Err(e.hint(format!(
                "the records wait in {}; the next commit or trail command writes them once the journal can be written",
                gateway.spool().dir().display()
            )));
        }
        let _ = std::fs::remove_file(&failed);
        drop(held);
        // A hook that handed over while this one held the lock started a
        // drainer that left: look again.
        if gateway.spool().is_empty() {
            return Ok(());
        }
    }
}

/// Whether this process is `trail drain` (it drains what it hands over
/// itself: no second drainer is started).
static DRAINING: AtomicBool = AtomicBool::new(false);

pub fn draining() -> bool {
    DRAINING.load(Ordering::SeqCst)
}

/// One drain: the journal opened, then what every reader does first.
fn drain_once(ctx: &HookContext) -> Result<(), CommandError> {
    let store = ctx.repo.gateway().open()?;
    crate::pending::settle(&ctx.repo, &store).map_err(|why| {
        CommandError::environment(format!("cannot write the records that wait: {why}"))
    })
}

/// An exclusive advisory lock on `path`, if nobody holds it.
fn try_lock(path: &std::path::Path) -> Option<std::fs::File> {
    let file =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).ok()?;
    file.try_lock().ok().map(|()| file)
}
