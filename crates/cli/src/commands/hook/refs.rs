//! post-rewrite, post-merge, post-checkout: glue around
//! [`trail_hooks::refs`], whose records of history rewrites and branch
//! movements go into the journal with the actor who ran the hook.

use std::ffi::OsString;
use std::io::Read as _;

use serde_json::{Map, Value};
use trail_git::ObjectId;
use trail_hooks::refs;
use trail_journal::Draft;

use super::HookContext;
use crate::error::CommandError;

/// post-rewrite `amend|rebase`, old→new pairs on stdin: one `history.rewrite` record.
pub fn post_rewrite(args: &[OsString]) -> Result<(), CommandError> {
    let operation = args.first().map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CommandError::environment(format!("post-rewrite: cannot read stdin: {e}")))?;
    if trail_hooks::refs::history_rewrite(&operation, &input, None).is_none() {
        return Ok(());
    }
    let ctx = HookContext::new(super::HookName::PostRewrite)?;
    let head_ref = refs::head_ref(&ctx.repo.git);
    let Some(draft) = refs::history_rewrite(&operation, &input, head_ref) else { return Ok(()) };
    deliver(&ctx, vec![draft])
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
        Ok(store) => crate::records::is_known(&store, &head)?,
        Err(_) => false,
    };
    if facts.parents.len() > 1 && !known {
        drafts.push(refs::merge_commit(&ctx.repo.git, &facts));
    }
    if orig != Some(head) {
        let mut extra = Map::new();
        extra.insert("squash".into(), Value::Bool(squash));
        let head_ref = refs::head_ref(&ctx.repo.git);
        drafts.push(refs::ref_update("merge", head_ref, orig, Some(head), extra));
    }
    deliver(&ctx, drafts)
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
    let head_ref = refs::head_ref(&ctx.repo.git);
    deliver(&ctx, vec![refs::ref_update("checkout", head_ref, prev, new, Map::new())])
}

/// The records with the actor who ran the hook, into the journal (or the spool).
fn deliver(ctx: &HookContext, mut drafts: Vec<Draft>) -> Result<(), CommandError> {
    let actor = super::local_actor(&ctx.repo.git);
    for draft in drafts.iter_mut().filter(|d| d.actor.is_none()) {
        draft.actor = Some(actor.clone());
    }
    crate::pending::append_or_spool(&ctx.repo, drafts, None)
}
