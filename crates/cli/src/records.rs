//! Records built from git facts, shared by `import` and the hooks.

use serde_json::{Map, Value, json};
use trail_git::CommitFacts;
use trail_journal::{Actor, Draft, LogStore, PathChange, Source, Status, Timestamp};

use crate::error::CommandError;

/// A commit is known when a `commit` or `commit.unverified` record names it
/// (trail-gateway decides; see [`trail_gateway::is_known_commit`]).
pub fn is_known(store: &dyn LogStore, id: &trail_git::ObjectId) -> Result<bool, CommandError> {
    Ok(trail_gateway::is_known_commit(store, &id.to_string())?)
}

/// A git time can be any 64-bit number of seconds; the record format holds the
/// years 0000-9999. Out of that range the time is clamped and git's own value
/// kept beside it as `unix` (an integer), so nothing is lost.
pub fn person(p: &trail_git::Person) -> Value {
    let (time, clamped) = Timestamp::from_unix_clamped(p.time);
    let mut value = json!({ "name": p.name, "email": p.email, "time": time.to_rfc3339() });
    if clamped {
        value["unix"] = json!(p.time);
    }
    value
}

/// The record of a commit, from what git says about it: `kind` is `commit` or
/// `commit.unverified`; `time` is the commit's own time for an import, the
/// moment of recording for a hook.
pub fn commit_draft(facts: &CommitFacts, kind: &str, source: Source, time: Timestamp) -> Draft {
    let mut draft = Draft::new(kind, source, time);
    draft.actor = Some(Actor {
        name: facts.author.name.clone(),
        email: facts.author.email.clone(),
        ..Actor::default()
    });
    draft.commit = Some(facts.id.to_string());
    draft.parents = facts.parents.iter().map(|p| p.to_string()).collect();
    draft.change_id = facts.trailer("Change-Id").map(str::to_owned);
    draft.why = facts.trailer("Why").map(str::to_owned);
    draft.impact = facts.trailer("Impact").map(str::to_owned);
    draft.paths = facts.changes.iter().map(path_change).collect();
    let mut detail = Map::new();
    detail.insert("subject".into(), Value::String(facts.subject.clone()));
    detail.insert("author".into(), person(&facts.author));
    detail.insert("committer".into(), person(&facts.committer));
    if facts.parents.len() > 1 {
        detail.insert("merge".into(), Value::Bool(true));
    }
    draft.detail = Some(detail);
    draft
}

/// A changed path as the record holds it: status, rename source, blob, mode.
pub fn path_change(c: &trail_git::FileChange) -> PathChange {
    let status = match c.status {
        'A' => Status::A,
        'D' => Status::D,
        'R' => Status::R,
        'T' => Status::T,
        _ => Status::M,
    };
    let mut change = PathChange::new(&c.path, status);
    if let Some(from) = &c.from {
        change = change.with_from(from);
    }
    change.blob = Some(c.blob.to_string());
    change.mode = Some(c.mode.clone());
    change
}

/// How far back HEAD's reflog is searched for commits the journal lacks.
const MISSED_WINDOW: usize = 50;

/// Commits `git commit` made in this worktree (HEAD's reflog) after one the
/// journal records that the journal does not — their post-commit was killed
/// or failed before it wrote — oldest first, `except` left out (the commit
/// being recorded now). The search goes back from the newest entry to the
/// first commit made here that the journal knows; without one in the last
/// [`MISSED_WINDOW`] entries nothing is reported, since commits made before
/// trail was set up are history for `trail import`, not misses.
pub fn missed_commits(
    repo: &crate::context::Repo,
    store: &dyn LogStore,
    except: Option<trail_git::ObjectId>,
) -> Vec<trail_git::ObjectId> {
    // A commit whose record waits in the spool is accounted for.
    let spooled: std::collections::HashSet<String> = match crate::pending::spool_waiting(repo) {
        Ok(waiting) => waiting.drafts.into_iter().filter_map(|d| d.commit).collect(),
        Err(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in trail_git::commits_made_here(&repo.location.git_dir, MISSED_WINDOW) {
        if Some(id) == except || !seen.insert(id) {
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
