//! Records built from git facts, shared by `import` and the hooks.

use trail_journal::LogStore;

pub use trail_hooks::records::commit_draft;

use crate::error::CommandError;

/// A commit is known when a `commit` or `commit.unverified` record names it
/// (trail-gateway decides; see [`trail_gateway::is_known_commit`]).
pub fn is_known(store: &dyn LogStore, id: &trail_git::ObjectId) -> Result<bool, CommandError> {
    Ok(trail_gateway::is_known_commit(store, &id.to_string())?)
}

/// The commits whose records wait in the spool now (a drain about to run
/// appends them: [`to_catch_up`] must look past them).
pub fn spooled_commits(repo: &crate::context::Repo) -> Vec<trail_git::ObjectId> {
    crate::pending::spool_waiting(repo)
        .map(|w| w.drafts.into_iter().filter_map(|d| d.commit?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The commits (lowercase hex) whose records wait in the spool: accounted
/// for, not missed. `None` when the spool cannot be read.
fn spooled_set(repo: &crate::context::Repo) -> Option<std::collections::HashSet<String>> {
    let waiting = crate::pending::spool_waiting(repo).ok()?;
    Some(waiting.drafts.into_iter().filter_map(|d| d.commit).collect())
}

/// How far back HEAD's reflog is searched for commits the journal lacks.
const MISSED_WINDOW: usize = 50;

/// Commits `git commit` made in this worktree (HEAD's reflog) after one the
/// journal records that the journal does not — their post-commit was killed
/// or failed before it wrote — oldest first. The search goes back from the
/// newest entry to the first commit made here that the journal knows; without one in the last
/// [`MISSED_WINDOW`] entries nothing is reported, since commits made before
/// trail was set up are history for `trail import`, not misses.
pub fn missed_commits(
    repo: &crate::context::Repo,
    store: &dyn LogStore,
) -> Vec<trail_git::ObjectId> {
    // A commit whose record waits in the spool is accounted for.
    let Some(spooled) = spooled_set(repo) else { return Vec::new() };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in trail_git::commits_made_here(&repo.location.git_dir, MISSED_WINDOW) {
        if !seen.insert(id) {
            continue;
        }
        if spooled.contains(&id.to_string()) {
            out.reverse();
            return out;
        }
        match is_known(store, &id) {
            Ok(true) => {
                out.reverse();
                return out;
            }
            Ok(false) => out.push(id),
            Err(_) => return Vec::new(),
        }
    }
    Vec::new()
}

/// The commits to record as missed now: those [`missed_commits`] would
/// report, except any newer than the newest commit that is settled — known
/// to the journal, waiting in the spool, or in `recording` (the hook's own
/// commit, or what a drain just appended). A commit newer than that may be
/// one whose post-commit is running right now (git moves HEAD before it runs
/// post-commit, and post-commit hands its records over a moment later): it is
/// left for a later catch-up, which finds it below a newer settled commit if
/// its post-commit really died. Oldest first.
pub fn to_catch_up(
    repo: &crate::context::Repo,
    store: &dyn LogStore,
    recording: &[trail_git::ObjectId],
) -> Vec<trail_git::ObjectId> {
    let Some(spooled) = spooled_set(repo) else { return Vec::new() };
    // Commits whose post-commit runs after them and is not done (its
    // marker still there: a claimant at work, or none yet): being
    // recorded, as prepared, never caught up as unverified.
    let pending = crate::pending::Pending::new(&repo.location);
    let waiting: Vec<trail_git::ObjectId> =
        trail_hooks::deferred::markers(pending.dir(), pending.worktree())
            .into_iter()
            .map(|m| m.commit)
            .collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut anchored = false;
    for id in trail_git::commits_made_here(&repo.location.git_dir, MISSED_WINDOW) {
        if !seen.insert(id) {
            continue;
        }
        let settled = recording.contains(&id)
            || waiting.contains(&id)
            || spooled.contains(&id.to_string())
            || match is_known(store, &id) {
                Ok(known) => known,
                Err(_) => return Vec::new(),
            };
        match (anchored, settled) {
            (false, true) => anchored = true,
            (false, false) => {}
            (true, true) => {
                out.reverse();
                return out;
            }
            (true, false) => out.push(id),
        }
    }
    Vec::new()
}
