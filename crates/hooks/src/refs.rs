//! The records of history rewrites and branch movements: post-rewrite's
//! `history.rewrite`, post-merge's merge commit and `ref.update`,
//! post-checkout's `ref.update`. The CLI adds the actor and delivers them.

use serde_json::{Map, Value, json};
use trail_git::{CommitFacts, ObjectId};
use trail_journal::{Draft, Source, Timestamp, kinds};

/// post-rewrite `OPERATION` (`amend`, `rebase`) with git's `OLD NEW` lines
/// from stdin: one `history.rewrite` record, `None` when nothing was
/// rewritten.
pub fn history_rewrite(operation: &str, lines: &str, head_ref: Option<String>) -> Option<Draft> {
    let pairs: Vec<Value> = lines
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (old, new) = (fields.next()?, fields.next()?);
            Some(json!({ "from": old, "to": new }))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let mut draft = Draft::new(kinds::HISTORY_REWRITE, Source::Hook, Timestamp::now());
    draft.git_ref = head_ref;
    let mut detail = Map::new();
    detail.insert("operation".into(), Value::String(operation.to_owned()));
    detail.insert("rewritten".into(), Value::Array(pairs));
    draft.detail = Some(detail);
    Some(draft)
}

/// The record of a merge commit `git merge` made (it runs no pre-commit and
/// no post-commit): `commit` when prepare-commit-msg gave it a rationale,
/// else `commit.unverified`; its paths those no parent had.
pub fn merge_commit(git: &trail_git::Repository, facts: &CommitFacts) -> Draft {
    let kind =
        if facts.trailer("Why").is_some() { kinds::COMMIT } else { kinds::COMMIT_UNVERIFIED };
    let mut draft = crate::records::commit_draft(facts, kind, Source::Hook, Timestamp::now());
    draft.paths = crate::post_commit::merge_paths(git, facts);
    if let Some(detail) = draft.detail.as_mut() {
        detail.insert("via".into(), Value::String("git merge".into()));
    }
    draft
}

/// A `ref.update` of the branch HEAD names (`head_ref`) by `operation`
/// (`merge`, `checkout`), from one commit to another.
pub fn ref_update(
    operation: &str,
    head_ref: Option<String>,
    from: Option<ObjectId>,
    to: Option<ObjectId>,
    mut detail: Map<String, Value>,
) -> Draft {
    let mut draft = Draft::new(kinds::REF_UPDATE, Source::Hook, Timestamp::now());
    draft.git_ref = head_ref;
    draft.commit = to.map(|id| id.to_string());
    detail.insert("operation".into(), Value::String(operation.into()));
    if let Some(from) = from {
        detail.insert("from".into(), Value::String(from.to_string()));
    }
    if let Some(to) = to {
        detail.insert("to".into(), Value::String(to.to_string()));
    }
    draft.detail = Some(detail);
    draft
}

/// The branch HEAD points at (`refs/heads/main`), or `HEAD` when detached.
pub fn head_ref(git: &trail_git::Repository) -> Option<String> {
    match git.head_name() {
        Ok(Some(name)) => Some(name.as_bstr().to_string()),
        _ => Some("HEAD".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_pairs_old_and_new_and_nothing_rewritten_is_no_record() {
        let a = "1".repeat(40);
        let b = "2".repeat(40);
        let draft = history_rewrite("rebase", &format!("{a} {b}\n\n{b}\n"), Some("HEAD".into()))
            .expect("a record");
        assert_eq!(draft.kind, kinds::HISTORY_REWRITE);
        let detail = draft.detail.expect("detail");
        assert_eq!(detail["operation"], "rebase");
        assert_eq!(detail["rewritten"], json!([{ "from": a, "to": b }]), "a lone id is no pair");
        assert!(history_rewrite("amend", "", None).is_none());
        assert!(history_rewrite("amend", "\n  \n", None).is_none());
    }

    #[test]
    fn a_ref_update_names_what_moved_and_the_commit_it_moved_to() {
        let (from, to) =
            (ObjectId::from_hex(&[b'a'; 40]).ok(), ObjectId::from_hex(&[b'b'; 40]).ok());
        let draft = ref_update("checkout", Some("refs/heads/x".into()), from, to, Map::new());
        assert_eq!(draft.kind, kinds::REF_UPDATE);
        assert_eq!(draft.commit.as_deref(), Some("b".repeat(40).as_str()));
        let detail = draft.detail.expect("detail");
        assert_eq!(detail["from"], "a".repeat(40));
        assert_eq!(detail["to"], "b".repeat(40));
        let unborn = ref_update("checkout", None, None, to, Map::new());
        assert!(unborn.detail.expect("detail").get("from").is_none(), "no from: nothing before");
    }
}
