//! post-commit: the commit goes into the journal — a `commit` record when
//! pre-commit prepared it, `commit.unverified` when it did not run (`--no-verify`,
//! a rebase or cherry-pick). The one store access of an ordinary commit.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

use chrono::SubsecRound as _;
use serde_json::Value;
use trail_git::{CommitFacts, ObjectId};
use trail_journal::{Draft, Source, Timestamp, kinds};

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;
use crate::pending::PendingCommit;
use crate::records;

pub fn run(hook: super::HookName) -> Result<(), CommandError> {
    let ctx = HookContext::new(hook)?;
    let Some(head) = ctx.head() else {
        return Err(CommandError::environment("post-commit ran but HEAD names no commit"));
    };
    let describe = |id: ObjectId| -> Result<CommitFacts, CommandError> {
        let mut git = ctx.repo.git.clone();
        let mut importer = trail_git::Importer::new(&mut git)?;
        Ok(importer.describe(id)?)
    };
    let mut facts = describe(head)?;
    let pending = ctx.pending.commit()?;
    let verified = pending.as_ref().filter(|p| prepared_this(&ctx, p, &facts));
    let via = match verified {
        Some(_) => None,
        None => super::prepare_msg::git_command(&ctx, super::GitInvocation::current().as_ref()),
    };
    // A revert, a pick or a patch: its CHANGELOG.md files are put right
    // (the commit rewritten) before it is recorded.
    let mut rewritten_from = None;
    if let Some(via) = via.as_deref().filter(|v| matches!(*v, "revert" | "cherry-pick" | "am"))
        && let Some(new) = reconcile_changelogs(&ctx, &facts, via)?
    {
        rewritten_from = Some(facts.id);
        facts = describe(new)?;
    }

    let now = Timestamp::now();
    let mut local = super::local_actor(&ctx.repo.git);
    local.user = super::local_user();
    local.host = super::local_host();
    let mut drafts = trail_hooks::records::commit_records(&trail_hooks::records::CommitRecord {
        facts: &facts,
        prepared: verified,
        via: via.as_deref(),
        rewritten_from,
        reverts: via
            .as_deref()
            .filter(|v| *v == "revert")
            .and_then(|_| reverted_of(&ctx, facts.id)),
        merge_paths: (facts.parents.len() > 1).then(|| records::merge_paths(&ctx.repo.git, &facts)),
        local,
        now,
    });
    let recorded_unverified = drafts.iter().any(|d| d.kind == kinds::COMMIT_UNVERIFIED);
    if let Some(via) = via.as_deref().filter(|_| recorded_unverified) {
        say(format_args!(
            "commit {} was made by `git {via}` without a rationale; it is recorded as commit.unverified",
            facts.id
        ));
    }
    // A commit pre-commit did not check is judged by the protection policy now.
    if verified.is_none() {
        drafts.extend(violation(&ctx, &facts, now));
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

/// A commit pre-commit did not check (`--no-verify`, cherry-pick, rebase):
/// a loud `policy.violation` record when it changes protected paths without a
/// valid `Trail-Authorization:` trailer.
fn violation(ctx: &HookContext, facts: &CommitFacts, now: Timestamp) -> Option<Draft> {
    let branch = match ctx.repo.git.head_name() {
        Ok(Some(name)) => name.as_bstr().to_string(),
        _ => "HEAD".to_owned(),
    };
    let site = ctx.repo.site();
    let judged =
        crate::judge::judge_commit(&site, facts.id, facts.parents.first().copied(), &branch);
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
    if crate::commands::hooks::health::runs_trail(&ctx.repo, super::HookName::PrePush) {
        say(
            "it is recorded as policy.violation; a push of it is refused by trail's pre-push and server hooks",
        );
    } else {
        say(
            "it is recorded as policy.violation; git runs no pre-push hook of trail's here, so only a server with `trail hooks install --server` refuses a push of it",
        );
    }
    let mut draft = Draft::new(kinds::POLICY_VIOLATION, Source::Hook, now);
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.commit = Some(facts.id.to_string());
    draft.paths = refused
        .changes
        .iter()
        .map(|c| trail_hooks::records::protected_path(&c.path, c.status))
        .collect();
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

/// The full id of the commit a revert's message names.
fn reverted_of(ctx: &HookContext, id: ObjectId) -> Option<String> {
    let commit = ctx.repo.git.find_commit(id).ok()?;
    let named = trail_hooks::message::reverted_commit(commit.message_raw_sloppy())?;
    Some(ctx.repo.git.rev_parse_single(named.as_str()).ok()?.detach().to_string())
}

/// Put the CHANGELOG.md files of a commit git made without pre-commit right
/// ([`trail_hooks::changelogs::reconcile`]) by amending it: the entry of its
/// change where it has none, earlier entries it deleted back. Returns the
/// new commit, `None` when nothing needed changing. Not during a rebase,
/// whose bookkeeping names the commits it made (a rebase's picks carry their
/// entries with them). trail's hooks stand aside for the amend itself
/// (`TRAIL_REWRITING`, see [`rewriting`]).
fn reconcile_changelogs(
    ctx: &HookContext,
    facts: &CommitFacts,
    via: &str,
) -> Result<Option<ObjectId>, CommandError> {
    let git_dir = &ctx.repo.location.git_dir;
    if git_dir.join("rebase-merge").exists() || git_dir.join("rebase-apply/rebasing").exists() {
        return Ok(None);
    }
    // A commit whose message lacks them (`TRAIL_WHY=… git am --continue`
    // after pre-applypatch refused it) gets its trailers with the amend.
    let env = |name: &str| std::env::var(name).ok().and_then(|v| super::one_line(&v));
    let mut trailers: Vec<String> = Vec::new();
    let change = match facts.trailer("Change-Id").filter(|id| trail_changelog::valid_change_id(id))
    {
        Some(id) => id.to_owned(),
        None => {
            let id = trail_hooks::rationale::new_change_id();
            trailers.push(format!("Change-Id: {id}"));
            id
        }
    };
    // The message's own trailer, else the environment's (added with the amend).
    let mut filled = |token: &str, var: &str| match facts.trailer(token) {
        Some(value) => Some(value.to_owned()),
        None => {
            let value = env(var);
            if let Some(value) = &value {
                trailers.push(format!("{token}: {value}"));
            }
            value
        }
    };
    let why = filled("Why", "TRAIL_WHY");
    let impact = filled("Impact", "TRAIL_IMPACT");
    if why.is_none() {
        return Ok(None); // recorded as commit.unverified, and said
    }
    let changes: Vec<trail_changelog::Change> = facts
        .changes
        .iter()
        .filter(|c| !is_changelog(&c.path))
        .map(trail_hooks::changelogs::to_changelog_change)
        .collect();
    let meta = trail_changelog::Meta {
        time: chrono::Utc::now().trunc_subsecs(0),
        why,
        impact,
        author: facts.author.name.clone(),
        change,
        section: None,
    };
    let exclusions = ctx
        .config
        .changelog
        .exclusions()
        .map_err(|e| CommandError::usage(format!("trail.toml: [changelog] exclude: {e}")))?;
    let plan = trail_changelog::plan(&changes, &meta, ctx.config.changelog.root_summary, &|dir| {
        exclusions.is_excluded(dir)
    });
    let present = |dir: &[u8]| ctx.workdir.join(OsStr::from_bytes(dir)).is_dir();
    let mut notices = Vec::new();
    let fixed = trail_hooks::changelogs::reconcile(
        &ctx.repo.git,
        facts.id,
        facts.parents.first().copied(),
        &plan,
        &present,
        &mut notices,
    )?;
    for notice in notices {
        say(notice);
    }
    // git is still applying commits (`git revert A B`, `git cherry-pick
    // A..B`, `git am` of a series): it keeps the index in memory between
    // them, so a commit whose tree changed under it makes the next one fail
    // ("your local changes would be overwritten"). Only the message is
    // amended then (the tree, and so git's index, stay as they are).
    // (`git am` re-reads the index for each patch of a series, but not on
    // `--continue`, `--resolved`, `--skip` and `--retry`, where it writes its
    // own copy back before going on.)
    let resuming = super::GitInvocation::current()
        .as_ref()
        .and_then(|i| i.command().map(|(_, args)| args.to_vec()))
        .is_some_and(|args| {
            args.iter().any(|a| {
                matches!(
                    a.as_slice(),
                    b"--continue" | b"--resolved" | b"-r" | b"--skip" | b"--retry"
                )
            })
        });
    let busy = ctx.repo.location.git_dir.join("sequencer").exists() || (via == "am" && resuming);
    let mut fixed = fixed;
    if busy && !fixed.is_empty() {
        let paths: Vec<String> =
            fixed.iter().map(|(p, _)| trail_journal::record::quote_path(p)).collect();
        say(format_args!(
            "warning: the CHANGELOG.md files of commit {} do not match it ({}), and trail does not rewrite a commit while `git {via}` goes on; when it is done, run `trail changelog sync` and commit the result",
            &facts.id.to_string()[..12],
            paths.join(", ")
        ));
        fixed.clear();
    }
    if fixed.is_empty() && trailers.is_empty() {
        return Ok(None);
    }
    // Into the work tree (which holds what was just committed) and the
    // index, then amend: git's own commit code keeps author and message.
    let mut index = trail_git::StagedIndex::open(&ctx.repo.git, &ctx.repo.git.index_path())
        .map_err(|e| CommandError::environment(e.to_string()))?;
    // A file not in the work tree (outside a sparse checkout) is staged
    // without being written back.
    let mut on_disk = Vec::new();
    for (path, text) in &fixed {
        let file = ctx.workdir.join(OsStr::from_bytes(path));
        let present = std::fs::symlink_metadata(&file).is_ok();
        if present {
            std::fs::write(&file, text).map_err(|e| {
                CommandError::environment(format!("cannot write {}: {e}", file.display()))
            })?;
        }
        on_disk.push(present);
    }
    let items: Vec<trail_git::StageItem<'_>> = fixed
        .iter()
        .zip(&on_disk)
        .map(|((path, text), present)| trail_git::StageItem {
            path,
            content: if *present { None } else { Some(text) },
        })
        .collect();
    index
        .stage(&ctx.repo.git, &ctx.workdir, &items)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    let nonce = trail_hooks::rationale::new_change_id();
    let marker = rewriting_marker(&ctx.repo, &nonce);
    let marked = marker
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .and_then(|_| std::fs::write(&marker, b""));
    if let Err(e) = marked {
        return Err(CommandError::environment(format!("cannot write {}: {e}", marker.display())));
    }
    let output = std::process::Command::new("git")
        .current_dir(&ctx.workdir)
        .env("TRAIL_REWRITING", &nonce)
        .args(["commit", "--amend", "--no-edit", "--no-verify", "--allow-empty", "--quiet"])
        .args(["--cleanup=verbatim", "--no-post-rewrite"])
        .args(trailers.iter().flat_map(|t| ["--trailer", t.as_str()]))
        .output()
        .map_err(|e| CommandError::environment(format!("cannot run `git commit --amend`: {e}")));
    let _ = std::fs::remove_file(&marker);
    let output = output?;
    if !output.status.success() {
        say(format_args!(
            "commit {} is recorded as git made it; its CHANGELOG.md entries could not be put right (`git commit --amend` failed: {}); they are staged",
            facts.id,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
        return Ok(None);
    }
    let new =
        ctx.repo.git.head_id().map_err(|e| CommandError::environment(e.to_string()))?.detach();
    let paths: Vec<String> =
        fixed.iter().map(|(p, _)| trail_journal::record::quote_path(p)).collect();
    say(format_args!(
        "commit {} rewritten as {}: {}",
        &facts.id.to_string()[..12],
        &new.to_string()[..12],
        match (paths.is_empty(), trailers.is_empty()) {
            (true, _) => format!("its message gained {}", trailers.join(", ")),
            (false, true) =>
                format!("its CHANGELOG.md entries now match it ({})", paths.join(", ")),
            (false, false) => format!(
                "its message gained {} and its CHANGELOG.md entries now match it ({})",
                trailers.join(", "),
                paths.join(", ")
            ),
        }
    ));
    Ok(Some(new))
}

fn is_changelog(path: &[u8]) -> bool {
    path.rsplit(|&b| b == b'/').next() == Some(b"CHANGELOG.md")
}

/// `pending/rewriting-NONCE`: exists while post-commit amends a commit.
fn rewriting_marker(repo: &crate::context::Repo, nonce: &str) -> std::path::PathBuf {
    repo.location.trail_dir().join("pending").join(format!("rewriting-{nonce}"))
}

/// Whether `nonce` (from `TRAIL_REWRITING`) names an amend post-commit is
/// making right now: 16 hex digits and its marker file present.
pub(super) fn rewriting(repo: &crate::context::Repo, nonce: &str) -> bool {
    nonce.len() == 16
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
        && rewriting_marker(repo, nonce).exists()
}
