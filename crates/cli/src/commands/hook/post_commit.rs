//! post-commit: the commit goes into the journal — a `commit` record when
//! pre-commit prepared it, `commit.unverified` when it did not run (`--no-verify`,
//! a rebase or cherry-pick). The one store access of an ordinary commit.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

use serde_json::Value;
use trail_git::{CommitFacts, ObjectId};
use trail_journal::{Draft, PathChange, Source, Status, Timestamp, kinds};

use super::{HookContext, one_line};
use crate::error::CommandError;
use crate::output::say;
use crate::pending::PendingCommit;
use crate::records;

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new()?;
    let Some(head) = ctx.head() else {
        return Err(CommandError::environment("post-commit ran but HEAD names no commit"));
    };
    let facts = {
        let mut git = ctx.repo.git.clone();
        let mut importer = trail_git::Importer::new(&mut git)?;
        importer.describe(head)?
    };
    let pending = ctx.pending.commit()?;
    let verified = pending.as_ref().filter(|p| prepared_this(&ctx, p, &facts));

    let now = Timestamp::now();
    let mut drafts = Vec::new();
    let kind = match verified {
        Some(pending) => {
            for log in pending.changelogs.iter().filter(|l| l.created) {
                let mut draft = Draft::new(kinds::CHANGELOG_CREATED, Source::Hook, now);
                draft.actor = Some(super::local_actor(&ctx.repo.git));
                draft.commit = Some(facts.id.to_string());
                draft.change_id = Some(pending.change_id.clone());
                let mut path = PathChange::new(&log.path, Status::A);
                path.blob = Some(log.blob.clone());
                draft.paths = vec![path];
                drafts.push(draft);
            }
            kinds::COMMIT
        }
        None => kinds::COMMIT_UNVERIFIED,
    };
    let mut draft = records::commit_draft(&facts, kind, Source::Hook, now);
    if let Some(actor) = draft.actor.as_mut() {
        actor.user = super::local_user();
        actor.host = super::local_host();
    }
    if let Some(pending) = verified {
        draft.change_id = Some(pending.change_id.clone());
        draft.why = pending.why.clone().or(draft.why);
        draft.impact = pending.impact.clone().or(draft.impact);
        if pending.amend
            && let Some(detail) = draft.detail.as_mut()
        {
            detail.insert("amend".into(), Value::Bool(true));
        }
    }
    draft.why = draft.why.as_deref().and_then(one_line);
    draft.impact = draft.impact.as_deref().and_then(one_line);
    match verified.and_then(|p| p.authorization.as_ref()) {
        Some(auth) => {
            let (kind, extra) = authorization_draft(&ctx, auth, &facts, now);
            if let (Some(id), Some(issuer)) = (&auth.token_id, &auth.issuer) {
                draft.authorization = Some(trail_journal::Authorization {
                    issuer: issuer.clone(),
                    token_id: id.clone(),
                });
            }
            drafts.push(draft);
            let mut extra = extra;
            extra.change_id = verified.map(|p| p.change_id.clone());
            tracing::debug!(kind, "recording the authorization");
            drafts.push(extra);
        }
        None => {
            drafts.push(draft);
            if verified.is_none() {
                drafts.extend(violation(&ctx, &facts, now));
            }
        }
    }

    // The commit's records, then a signed checkpoint of the journal on
    // refs/trail/journal (a failure there is said, not fatal).
    // Commits made here whose post-commit was killed go in first.
    let catch_up = |store: &crate::context::Store| caught_up(&ctx, store, facts.id, now);
    crate::pending::append_caught_up(&ctx.repo, drafts, Some(&facts.id), catch_up, |store| {
        crate::sync::checkpoint_after_hook(&ctx.repo, &ctx.config, store)
    })?;

    // The next commit's protection check then reads only its own changes.
    let parent = facts.parents.first().copied().filter(|_| facts.parents.len() == 1);
    let trail_dir = ctx.repo.location.trail_dir();
    if let Err(e) = crate::protect::remember_configs(
        &ctx.repo.git,
        &trail_dir,
        facts.id,
        parent,
        &facts.changes,
    ) {
        tracing::warn!("{}", e.message);
    }

    if let Some(pending) = verified {
        let tree = trail_hooks::changelogs::Worktree {
            git: &ctx.repo.git,
            workdir: &ctx.workdir,
            head: Some(facts.id),
            on_malformed: trail_hooks::changelogs::OnMalformed::Skip,
        };
        let mut notices = Vec::new();
        trail_hooks::changelogs::sync_real_index(&tree, pending, &facts, &mut notices);
        for notice in notices {
            say(notice);
        }
        ctx.pending.clear_commit()?;
        if pending.used_note {
            ctx.pending.clear_note()?;
        }
    } else {
        tracing::info!(commit = %facts.id, "recorded as commit.unverified: pre-commit did not prepare it");
    }
    Ok(())
}

/// `commit.unverified` records (`detail.caught_up`) for the commits made in
/// this worktree that the journal lacks: their own post-commit was killed or
/// failed before it wrote. Whether pre-commit checked them is not known.
fn caught_up(
    ctx: &HookContext,
    store: &crate::context::Store,
    this: ObjectId,
    now: Timestamp,
) -> Vec<Draft> {
    let missed = records::missed_commits(&ctx.repo, store, Some(this));
    if missed.is_empty() {
        return Vec::new();
    }
    let mut git = ctx.repo.git.clone();
    let Ok(mut importer) = trail_git::Importer::new(&mut git) else { return Vec::new() };
    let mut drafts = Vec::new();
    for id in &missed {
        let Ok(facts) = importer.describe(*id) else { continue };
        let mut draft = records::commit_draft(&facts, kinds::COMMIT_UNVERIFIED, Source::Hook, now);
        if let Some(detail) = draft.detail.as_mut() {
            detail.insert("caught_up".into(), Value::Bool(true));
        }
        drafts.push(draft);
    }
    say(format_args!(
        "recorded {} this worktree made whose post-commit did not finish: {}",
        crate::output::plural(drafts.len() as u64, "commit"),
        missed.iter().map(|id| id.to_string()[..12].to_owned()).collect::<Vec<_>>().join(", ")
    ));
    drafts
}

/// The `auth.used` (or `policy.bootstrap`) record of an authorized commit.
fn authorization_draft(
    ctx: &HookContext,
    auth: &crate::pending::PendingAuth,
    facts: &CommitFacts,
    now: Timestamp,
) -> (&'static str, Draft) {
    let kind = if auth.token_id.is_some() { kinds::AUTH_USED } else { kinds::POLICY_BOOTSTRAP };
    let mut draft = Draft::new(kind, Source::Hook, now);
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.commit = Some(facts.id.to_string());
    draft.paths = auth.paths.iter().map(|(path, status)| protected_path(path, *status)).collect();
    if let (Some(id), Some(issuer)) = (&auth.token_id, &auth.issuer) {
        draft.authorization =
            Some(trail_journal::Authorization { issuer: issuer.clone(), token_id: id.clone() });
    }
    if !auth.bootstrap.is_empty() {
        let mut detail = serde_json::Map::new();
        detail.insert(
            "authorizers".into(),
            Value::Array(auth.bootstrap.iter().map(|l| Value::String(l.clone())).collect()),
        );
        draft.detail = Some(detail);
    }
    (kind, draft)
}

fn protected_path(path: &[u8], status: char) -> PathChange {
    let status = match status {
        'A' => Status::A,
        'D' => Status::D,
        'T' => Status::T,
        _ => Status::M,
    };
    PathChange::new(path, status)
}

/// A commit pre-commit did not check (`--no-verify`, cherry-pick, rebase):
/// a loud `policy.violation` record when it changes protected paths without a
/// valid `Trail-Authorization:` trailer.
fn violation(ctx: &HookContext, facts: &CommitFacts, now: Timestamp) -> Option<Draft> {
    let branch = match ctx.repo.git.head_name() {
        Ok(Some(name)) => name.as_bstr().to_string(),
        _ => "HEAD".to_owned(),
    };
    let judged =
        crate::judge::judge_commit(&ctx.repo, facts.id, facts.parents.first().copied(), &branch);
    let crate::judge::CommitJudgement { refused, accepted } = match judged {
        Ok(judged) => judged,
        Err(e) => {
            say(format_args!(
                "could not check commit {} against the protection policy: {}",
                facts.id, e.message
            ));
            return None;
        }
    };
    let Some(refused) = refused.into_iter().next() else {
        return accepted.map(|accepted| authorized_unchecked(ctx, facts, now, &accepted));
    };
    let denial = refused.denial;
    say(format_args!(
        "POLICY VIOLATION: commit {} changes protected paths without a valid authorization ({}): {}{}",
        facts.id,
        denial.check,
        denial.message,
        crate::protect::describe_changes(&refused.changes)
    ));
    say(
        "it is recorded as policy.violation; a push of it is refused by trail's pre-push and server hooks",
    );
    let mut draft = Draft::new(kinds::POLICY_VIOLATION, Source::Hook, now);
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.commit = Some(facts.id.to_string());
    draft.paths = refused.changes.iter().map(|c| protected_path(&c.path, c.status)).collect();
    let mut detail = serde_json::Map::new();
    detail.insert("check".into(), Value::String(denial.check.to_string()));
    detail.insert("reason".into(), Value::String(denial.message));
    draft.detail = Some(detail);
    Some(draft)
}

/// A commit pre-commit did not check whose trailer carries a token valid
/// for it (single use included: the gate asked the journal): `auth.used`
/// like any authorized commit.
fn authorized_unchecked(
    ctx: &HookContext,
    facts: &CommitFacts,
    now: Timestamp,
    accepted: &trail_policy::Accepted<trail_git::ObjectId>,
) -> Draft {
    let mut draft = Draft::new(kinds::AUTH_USED, Source::Hook, now);
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.commit = Some(facts.id.to_string());
    draft.authorization = Some(trail_journal::Authorization {
        issuer: accepted.issuer.clone(),
        token_id: accepted.token_id.clone(),
    });
    draft
}

/// Whether pre-commit prepared this very commit: same parent, the changelog
/// blobs it staged are in the commit, and the message carries its change id
/// (or none).
fn prepared_this(ctx: &HookContext, pending: &PendingCommit, facts: &CommitFacts) -> bool {
    let invocation = super::GitInvocation::current();
    if !pending.same_invocation(invocation.as_ref().map(|i| i.id.as_str())) {
        return false;
    }
    if pending.base != facts.parents.first().map(ObjectId::to_string) {
        return false;
    }
    if facts.trailer("Change-Id").is_some_and(|id| id != pending.change_id) {
        return false;
    }
    let Ok(commit) = ctx.repo.git.find_commit(facts.id) else { return false };
    let Ok(tree) = commit.tree() else { return false };
    // Each CHANGELOG.md pre-commit wrote an entry into holds that change in
    // the commit (a chained hook may have reformatted the file since).
    pending.changelogs.iter().filter(|log| log.entry.is_some()).all(|log| {
        let path = std::path::Path::new(OsStr::from_bytes(&log.path));
        match tree.lookup_entry_by_path(path) {
            Ok(Some(entry)) => entry.object().is_ok_and(|blob| {
                trail_changelog::has_change(&blob.data, &pending.change_id).unwrap_or(false)
            }),
            _ => false,
        }
    })
}
