//! post-rewrite, post-merge, post-checkout: history rewrites and branch
//! movements go into the journal.

use std::ffi::OsString;
use std::io::Read as _;

use serde_json::{Map, Value, json};
use trail_git::ObjectId;
use trail_journal::{Draft, Source, Timestamp, kinds};

use super::HookContext;
use crate::error::CommandError;
use crate::records;

/// post-rewrite `amend|rebase`, old→new pairs on stdin: one `history.rewrite` record.
pub fn post_rewrite(args: &[OsString]) -> Result<(), CommandError> {
    let operation = args.first().map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CommandError::environment(format!("post-rewrite: cannot read stdin: {e}")))?;
    let pairs: Vec<Value> = input
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (old, new) = (fields.next()?, fields.next()?);
            Some(json!({ "from": old, "to": new }))
        })
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let ctx = HookContext::new(super::HookName::PostRewrite)?;
    let mut draft = Draft::new(kinds::HISTORY_REWRITE, Source::Hook, Timestamp::now());
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.git_ref = head_ref(&ctx);
    let mut detail = Map::new();
    detail.insert("operation".into(), Value::String(operation));
    detail.insert("rewritten".into(), Value::Array(pairs));
    draft.detail = Some(detail);
    crate::pending::append_or_spool(&ctx.repo, vec![draft], None)
}

/// post-merge `SQUASH`: the branch moved from ORIG_HEAD to HEAD. A merge commit
/// `git merge` made (it runs no pre-commit or post-commit) is recorded too.
pub fn post_merge(args: &[OsString]) -> Result<(), CommandError> {
    let squash = args.first().is_some_and(|a| a == "1");
    let ctx = HookContext::new(super::HookName::PostMerge)?;
    let Some(head) = ctx.head() else { return Ok(()) };
    let orig = ctx
        .repo
        .git
        .find_reference("ORIG_HEAD")
        .ok()
        .and_then(|mut r| r.peel_to_id().ok())
        .map(|id| id.detach());
    let mut drafts = Vec::new();
    let facts = {
        let mut git = ctx.repo.git.clone();
        trail_git::Importer::new(&mut git)?.describe(head)?
    };
    let known = match ctx.repo.open_indexed_store() {
        Ok(store) => records::is_known(&store, &head)?,
        Err(_) => false,
    };
    if facts.parents.len() > 1 && !known {
        // prepare-commit-msg gave the merge its rationale, or it has none.
        let kind =
            if facts.trailer("Why").is_some() { kinds::COMMIT } else { kinds::COMMIT_UNVERIFIED };
        let mut draft = records::commit_draft(&facts, kind, Source::Hook, Timestamp::now());
        draft.paths = trail_hooks::post_commit::merge_paths(&ctx.repo.git, &facts);
        if let Some(detail) = draft.detail.as_mut() {
            detail.insert("via".into(), Value::String("git merge".into()));
        }
        drafts.push(draft);
    }
    if orig != Some(head) {
        let mut extra = Map::new();
        extra.insert("squash".into(), Value::Bool(squash));
        drafts.push(ref_update(&ctx, "merge", orig, Some(head), extra));
    }
    crate::pending::append_or_spool(&ctx.repo, drafts, None)
}

/// post-checkout `PREV NEW FLAG`: a branch checkout (FLAG 1) is a `ref.update`;
/// checking out files (FLAG 0) moves no ref and is left to the watcher.
pub fn post_checkout(args: &[OsString]) -> Result<(), CommandError> {
    let arg = |i: usize| args.get(i).map(|a| a.to_string_lossy().into_owned());
    if arg(2).as_deref() != Some("1") {
        return Ok(());
    }
    let parse = |s: Option<String>| {
        s.and_then(|s| ObjectId::from_hex(s.as_bytes()).ok()).filter(|id| !id.is_null())
    };
    let (prev, new) = (parse(arg(0)), parse(arg(1)));
    let ctx = HookContext::new(super::HookName::PostCheckout)?;
    let draft = ref_update(&ctx, "checkout", prev, new, Map::new());
    crate::pending::append_or_spool(&ctx.repo, vec![draft], None)
}

fn ref_update(
    ctx: &HookContext,
    operation: &str,
    from: Option<ObjectId>,
    to: Option<ObjectId>,
    mut detail: Map<String, Value>,
) -> Draft {
    let mut draft = Draft::new(kinds::REF_UPDATE, Source::Hook, Timestamp::now());
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.git_ref = head_ref(ctx);
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
fn head_ref(ctx: &HookContext) -> Option<String> {
    match ctx.repo.git.head_name() {
        Ok(Some(name)) => Some(name.as_bstr().to_string()),
        _ => Some("HEAD".to_owned()),
    }
}
