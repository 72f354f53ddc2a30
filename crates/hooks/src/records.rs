//! The journal records a commit and a ref movement become, built from git's
//! facts: shared by the hooks and `trail import`.

use serde_json::{Map, Value, json};
use trail_git::CommitFacts;
use trail_journal::{Actor, Draft, PathChange, Source, Status, Timestamp};

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
