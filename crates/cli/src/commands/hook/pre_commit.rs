//! pre-commit: the rationale is checked, a change id allocated, and the
//! CHANGELOG.md of every directory the commit touches updated and staged —
//! here, because git builds the commit's tree right after this hook (DESIGN §4).
//!
//! No store access on the common path: what post-commit needs is left in
//! `pending/commit-<worktree>.json`.

use chrono::{SubsecRound as _, Utc};
use trail_changelog as changelog;
use trail_git::{FileChange, ObjectId, StagedIndex};
use trail_hooks::changelogs::{
    self, EntryLine, MAX_CHANGELOG, changelog_path, changelog_read, dir_of, to_changelog_change,
};
use trail_hooks::invocation::{CommitOptions, amending};
use trail_hooks::message::{given_message, one_line, trailing_trailers};
use trail_hooks::rationale;
use trail_journal::{Draft, Source, Timestamp, kinds};

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;
use crate::pending::{PendingAuth, PendingCommit, StaleEntries, WrittenEntry};
use crate::{judge, protect};
use trail_policy::{Clock, Decision, Denial, Gate, MAX_CONFIG, POLICY_FILE};

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreCommit)?;
    let git = &ctx.repo.git;
    let head = ctx.head();
    let invocation = super::GitInvocation::current();
    let options = invocation.as_ref().and_then(|i| i.commit_options()).unwrap_or_default();
    let amend = head.is_some()
        && amending(std::env::var("TRAIL_AMEND").ok().as_deref(), invocation.as_ref());
    let head_facts = match (amend, head) {
        (true, Some(head)) => Some(describe(&ctx, head)?),
        _ => None,
    };
    // The commit being made will have `base` as its first parent.
    let base = match &head_facts {
        Some(facts) => facts.parents.first().copied(),
        None => head,
    };
    // Amending a merge is a merge too: its changes against the first parent
    // are the merged branch's, documented by that branch's entries.
    let merge = ctx.repo.location.git_dir.join("MERGE_HEAD").exists()
        || head_facts.as_ref().is_some_and(|f| f.parents.len() > 1);
    let index_path = ctx.index_path();
    let mut index = StagedIndex::open(git, &index_path)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    let changes = index.changes(git, base).map_err(|e| CommandError::environment(e.to_string()))?;

    // The rationale: `trail commit` / the environment, then a note.
    let note = ctx.pending.note()?;

    // Protected paths (DESIGN §6), under the policy of the commit this one
    // builds on: a change cannot loosen its own check.
    let others: Vec<ObjectId> = match &head_facts {
        Some(facts) => facts.parents.iter().skip(1).copied().collect(),
        None if merge => protect::merge_heads(&ctx.repo.location.git_dir),
        None => Vec::new(),
    };
    let note_token = note.as_ref().and_then(|n| n.token.clone());
    let amended_token = head_facts
        .as_ref()
        .and_then(|f| f.trailer("Trail-Authorization"))
        .zip(head)
        .map(|(t, id)| (id, t.to_owned()));
    let protection = Protection {
        base,
        others: &others,
        note_token: note_token.as_deref(),
        amended: amended_token.as_ref().map(|(id, t)| (*id, t.as_str())),
    };
    let (authorization, token_from_note) = check_protection(&ctx, &index, &changes, &protection)?;
    // The rationale (trail-hooks decides the order of its sources).
    let comment = trail_git::comment_prefix(git);
    // A commit that finishes a cherry-pick, a revert or a merge that
    // stopped (a conflict, `--no-commit`) gets the message git prepared in
    // MERGE_MSG unless one is given: its trailers are the rationale.
    let git_dir = &ctx.repo.location.git_dir;
    let prepared = (!options.message_given() && options.reuse.is_none())
        .then(|| std::fs::read(git_dir.join("MERGE_MSG")).ok())
        .flatten();
    let picking = git_dir.join("CHERRY_PICK_HEAD").exists();
    let reverted = prepared.as_deref().and_then(trail_hooks::message::reverted_commit);
    let given = given_message(&options, invocation.as_ref().and_then(|i| i.cwd()).as_deref())
        .or_else(|| prepared.clone())
        .map(|m| trailing_trailers(&m, &comment))
        .unwrap_or_default();
    // `--amend` keeps the amended commit's trailers (commit-msg puts them
    // back into a new message), unless the new message gives its own.
    let amended = head_facts.as_ref().map(|f| f.trailers.clone()).unwrap_or_default();
    let folded = folded_commit(&ctx, &options);
    let env = |name: &str| std::env::var(name).ok();
    let mut chosen = rationale::resolve(&rationale::Sources {
        given: &given,
        amended: &amended,
        env_why: env("TRAIL_WHY"),
        env_impact: env("TRAIL_IMPACT"),
        folded: folded.as_ref().map_or(&[][..], |f| &f.trailers[..]),
        note: note.as_ref(),
    });
    // A revert's rationale, when nothing else gives one: what it undoes.
    if chosen.why.is_none()
        && let Some(id) = &reverted
    {
        chosen.why = Some(super::prepare_msg::revert_why(&ctx, id));
    }
    let used_note = token_from_note || chosen.used_note;
    let (why, impact) = (chosen.why, chosen.impact);
    if why.is_none() && ctx.config.rationale.required {
        record_blocked(&ctx, &changes, "no rationale: trail.toml requires a why for every commit");
        let mut refusal = CommandError::refused(
            "commit refused: it has no rationale (this repository's trail.toml requires a \"why\" for every commit)",
        )
        .hint("trail commit -m \"MESSAGE\" --why \"the problem this solves\" --impact \"what it affects\"")
        .hint("git commit -m \"MESSAGE\" -m \"Why: the problem this solves\" -m \"Impact: what it affects\"")
        .hint("TRAIL_WHY=\"the problem this solves\" TRAIL_IMPACT=\"what it affects\" git commit …")
        .hint("trail note --why \"the problem this solves\" --impact \"what it affects\"   (kept for your next commit), then commit again");
        if !options.message_given() {
            refusal = refusal.hint(
                "a Why: typed into the editor or given on standard input (-F -) is not read: git takes the message after the commit's files (and their CHANGELOG.md entries) are fixed; give it with -m, -F FILE, TRAIL_WHY or trail note",
            );
        }
        return Err(refusal);
    }

    // A retry after an aborted commit keeps its change id, so its entries are
    // replaced rather than added again.
    let previous = ctx.pending.commit()?;
    let base_hex = base.map(|b| b.to_string());
    let retry = previous
        .clone()
        .filter(|p| p.base == base_hex && p.amend == amend && p.index == index_path);
    // Entries an aborted attempt staged that this attempt must take out: all of
    // a retry's (they are replaced or, where no longer planned, dropped); of an
    // attempt that is not retried (it was a plain commit, this is an amend, or
    // HEAD moved), those HEAD does not hold — committed entries stay.
    // (path, the committed entries of that change to put back): a retry's
    // entries are all taken out (they are replaced, or dropped where no longer
    // planned); another attempt's entries are taken out, and where HEAD holds
    // that change (an aborted amend rewrote a committed entry) HEAD's lines
    // are put back.
    let mut stale: Vec<(Vec<u8>, Vec<EntryLine>)> = Vec::new();
    if let Some(p) = &previous {
        for log in &p.changelogs {
            let committed = match (head, retry.is_some()) {
                (Some(head), false) => changelog_read(trail_git::blob_in_commit_within(
                    git,
                    head,
                    &log.path,
                    MAX_CHANGELOG,
                ))?,
                _ => None,
            };
            let restore = committed
                .and_then(|text| changelog::change_entries(&text, &p.change_id).ok())
                .unwrap_or_default();
            stale.push((log.path.clone(), restore));
        }
    }
    let stale_id = previous.as_ref().map(|p| p.change_id.clone()).unwrap_or_default();
    let drop_stale = |path: &[u8], text: &[u8]| -> Result<Vec<u8>, changelog::Malformed> {
        let Some((_, restore)) = stale.iter().find(|(p, _)| p == path) else {
            return Ok(text.to_vec());
        };
        if changelog::change_entries(text, &stale_id)? == *restore {
            return Ok(text.to_vec()); // as committed (or absent): nothing to undo
        }
        let mut text = changelog::remove_change(text, &stale_id)?;
        for (section, line) in restore {
            text = changelog::upsert_rendered(&text, *section, line)?;
        }
        Ok(text)
    };
    // A cherry-pick finished here carries its original's change id (its
    // entries come with it); a revert or merge is a change of its own.
    let picked = picking
        .then(|| trail_hooks::message::trailer(&given, "Change-Id"))
        .flatten()
        .filter(|id| changelog::valid_change_id(id));
    let change_id = rationale::change_id(
        head_facts.as_ref().and_then(|f| f.trailer("Change-Id")).or(picked),
        folded.as_ref().and_then(|f| f.trailer("Change-Id")),
        retry.as_ref().map(|p| p.change_id.as_str()),
    );
    // A fixup or squash documents the commit it folds into: where that
    // commit's entry is, it stays as it is.
    let folding = folded.as_ref().is_some_and(|f| f.trailer("Change-Id") == Some(&change_id));

    let time = Utc::now().trunc_subsecs(0);
    let author = std::env::var("GIT_AUTHOR_NAME")
        .ok()
        .and_then(|n| one_line(&n))
        .or_else(|| git.author().and_then(Result::ok).map(|s| s.name.to_string()))
        .unwrap_or_else(|| "unknown".to_owned());
    let meta = changelog::Meta {
        time,
        why: why.clone(),
        impact: impact.clone(),
        author,
        change: change_id.clone(),
        section: None,
    };

    // A merge brings entries with the merged branch's changelogs; the merge
    // commit itself adds none.
    let plan = if merge {
        Vec::new()
    } else {
        let planned: Vec<changelog::Change> = changes.iter().map(to_changelog_change).collect();
        let exclusions =
            ctx.config.changelog.exclusions().map_err(|e| {
                CommandError::usage(format!("trail.toml: [changelog] exclude: {e}"))
            })?;
        let excluded = |dir: &[u8]| exclusions.is_excluded(dir);
        changelog::plan(&planned, &meta, ctx.config.changelog.root_summary, &excluded)
    };

    let planned: Vec<Vec<u8>> = plan.iter().map(|(dir, _)| changelog_path(dir)).collect();
    // `git merge --squash` staged the other branch's changes, its
    // CHANGELOG.md entries among them: the commit that squashes them is one
    // change, with one entry per directory.
    let squash_base = head.filter(|_| !merge && !amend && git_dir.join("SQUASH_MSG").exists());
    let tree = changelogs::Worktree {
        git,
        workdir: &ctx.workdir,
        head,
        on_malformed: match ctx.config.changelog.malformed {
            crate::config::Malformed::Skip => changelogs::OnMalformed::Skip,
            crate::config::Malformed::Refuse => changelogs::OnMalformed::Refuse,
        },
    };
    let mut notices = Vec::new();
    let prepared = (|| -> Result<Vec<changelogs::Edit>, CommandError> {
        let mut edits = Vec::new();
        for ((dir, entry), path) in plan.iter().zip(&planned) {
            let edit = changelogs::prepare(&tree, &mut notices, &index, dir, |text| {
                let mut text = drop_stale(path, text)?;
                // HEAD's version of this file: what a squash may keep, what a
                // revert must not lose.
                let at_head = || {
                    head.and_then(|h| {
                        trail_git::blob_in_commit_within(git, h, path, MAX_CHANGELOG).ok().flatten()
                    })
                };
                if squash_base.is_some() {
                    text =
                        changelogs::drop_entries_not_in(&text, at_head().as_deref(), &change_id)?;
                }
                if reverted.is_some()
                    && let Some(before) = at_head()
                {
                    text = changelogs::restore_entries(&text, &before)?;
                }
                if folding && changelog::has_change(&text, &change_id)? {
                    return Ok(text);
                }
                changelog::upsert(&text, entry)
            })?;
            edits.extend(edit.map(|mut e| {
                e.entry = Some(WrittenEntry {
                    section: entry.section().name().to_owned(),
                    line: entry.render(),
                });
                e
            }));
        }
        // An aborted attempt's entries in directories this attempt does not touch.
        for (path, _) in stale.iter().filter(|(p, _)| !planned.contains(p)) {
            edits.extend(changelogs::prepare(&tree, &mut notices, &index, dir_of(path), |text| {
                drop_stale(path, text)
            })?);
        }
        Ok(edits)
    })();
    for notice in notices.drain(..) {
        say(notice);
    }
    let edits = match prepared {
        Ok(edits) => edits,
        Err(refusal) => {
            if refusal.exit == crate::error::Exit::Refused {
                record_blocked(&ctx, &changes, &refusal.message);
            }
            return Err(refusal);
        }
    };
    let staged = changelogs::apply(&tree, &mut index, &edits)?;

    let stale_elsewhere = previous
        .as_ref()
        .filter(|p| retry.is_none() && p.index != index_path)
        .map(|p| StaleEntries {
            index: p.index.clone(),
            change_id: p.change_id.clone(),
            paths: p.changelogs.iter().map(|l| l.path.clone()).collect(),
        });
    let pending = PendingCommit {
        change_id,
        base: base_hex,
        amend,
        merge,
        why,
        impact,
        time: Timestamp(time).to_rfc3339(),
        index: index_path,
        changelogs: staged,
        invocation: invocation.map(|i| i.id),
        used_note,
        stale_elsewhere,
        authorization,
    };
    ctx.pending.set_commit(&pending)?;
    Ok(())
}

/// What the protection check of a staged change needs besides the change.
struct Protection<'a> {
    /// The commit the new commit builds on: its policy applies.
    base: Option<ObjectId>,
    /// The other parents of a merge.
    others: &'a [ObjectId],
    note_token: Option<&'a str>,
    /// When amending: the commit being replaced and its token, which may be
    /// used again for the commit that replaces it.
    amended: Option<(ObjectId, &'a str)>,
}

/// Refuse the commit unless its protected changes are authorized. Returns
/// what post-commit records and whether the token came from `trail note`.
fn check_protection(
    ctx: &HookContext,
    index: &StagedIndex,
    changes: &[FileChange],
    p: &Protection<'_>,
) -> Result<(Option<PendingAuth>, bool), CommandError> {
    let git = &ctx.repo.git;
    let (policy, source) = protect::policy_named(git, p.base, "HEAD")?;
    let trail_dir = ctx.repo.location.trail_dir();
    let snapshot = protect::staged_snapshot(&trail_dir, &policy, p.base, changes, index);
    let protected = protect::protected_changes(git, &policy, p.base, changes, Some(&snapshot))?;
    if protected.is_empty() {
        return Ok((None, false));
    }
    let env_token =
        std::env::var("TRAIL_TOKEN").ok().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let (token, from_note) = match (&env_token, p.note_token, p.amended) {
        (Some(t), _, _) => (Some(t.as_str()), false),
        (None, Some(t), _) => (Some(t), true),
        (None, None, Some((_, t))) => (Some(t), false),
        _ => (None, false),
    };
    let denied = |denial: Denial| -> CommandError {
        let digest = protect::digest(&protected);
        record_blocked(
            ctx,
            changes,
            &format!("authorization refused ({}): {}", denial.check, denial.message),
        );
        let mut error = CommandError::refused(format!(
            "commit refused: {}\nprotected paths in this commit (policy: {source}):{}",
            denial.message,
            protect::describe_changes(&protected)
        ));
        for hint in denial.hints {
            error = error.hint(hint);
        }
        if !policy.authorizers().is_empty() {
            error = error.hint(format!(
                "the digest of these changes is {digest}; an authorizer approves exactly them with: {}",
                protect::authorize_command(&protected, &digest)
            ));
        }
        error
    };
    // A merge without a token of its own: what it brings must have been
    // authorized on the merged side (trail_policy::Gate::judge_merge).
    if let (Some(head), false, None) = (p.base, p.others.is_empty(), token) {
        let mut history_git = git.clone();
        let site = ctx.repo.site();
        let mut history = judge::GitHistory::new(&site, &mut history_git, judge::Memory::Journal)?;
        let mut gate = Gate::new(&mut history, None, None, Utc::now(), false);
        return match gate.judge_merge(&head, p.others, &protected)? {
            None => Ok((None, false)),
            Some(denial) => Err(denied(denial)),
        };
    }
    let new_policy = match protected.iter().any(|c| c.path == POLICY_FILE.as_bytes()) {
        true => match index.blob_within(git, POLICY_FILE.as_bytes(), MAX_CONFIG as u64) {
            Err(trail_git::StagedError::TooLarge { size, .. }) => {
                return Err(CommandError::usage(format!(
                    "the staged {POLICY_FILE} is {size} bytes, too large to be a policy (the limit is {MAX_CONFIG})"
                ))
                .hint(format!("stage a {POLICY_FILE} that holds only the policy")));
            }
            other => {
                other.map_err(|e| CommandError::environment(e.to_string()))?.map(|(_, data)| data)
            }
        },
        false => None,
    };
    let repo_id = match (token, p.base) {
        (Some(_), Some(base)) => {
            Some(protect::repository_id(git, &ctx.repo.location.trail_dir(), base)?)
        }
        _ => None,
    };
    let change = trail_policy::Change {
        policy: &policy,
        protected: &protected,
        new_policy: new_policy.as_deref(),
        repo_id: repo_id.as_deref(),
    };
    let paths: Vec<(Vec<u8>, char)> =
        protected.iter().map(|c| (c.path.clone(), c.status)).collect();
    let amended = p.amended.map(|(id, _)| id);
    let used = match token.and_then(|t| trail_policy::Token::parse(t).ok()) {
        Some(parsed) if !parsed.claims().reuse => {
            judge::token_spent(&ctx.repo.site(), parsed.id(), amended)?
        }
        _ => false,
    };
    let decision =
        trail_policy::decide(&change, token, &|_| used, Clock::now(Utc::now())).map_err(denied)?;
    match decision {
        Decision::Unenforced => {
            say(format_args!(
                "note: protection of MCP configurations is off: {source} names no authorizer \
                 in `[protect] authorizers`, so this change to {POLICY_FILE} needs no token \
                 (`trail keygen --add` names one)"
            ));
            Ok((None, false))
        }
        Decision::Bootstrap { authorizers } => {
            say(format_args!(
                "POLICY BOOTSTRAP: this commit names the first authorizers of this repository:"
            ));
            for line in &authorizers {
                say(format_args!("  {line}"));
            }
            say(
                "from this commit on, only tokens they sign authorize changes to protected paths; \
                 anyone able to commit could have named these keys, so check them (docs/protection.md)",
            );
            let auth = PendingAuth {
                token: None,
                token_id: None,
                issuer: None,
                bootstrap: authorizers,
                paths,
            };
            Ok((Some(auth), false))
        }
        Decision::Authorized(verified) => {
            let claims = verified.token.claims();
            say(format_args!(
                "protected changes authorized by token {} (key {}{}): {}",
                claims.id,
                verified.authorizer.id(),
                verified.authorizer.name().map(|n| format!(", {n}")).unwrap_or_default(),
                if claims.reason.is_empty() { "no reason given" } else { &claims.reason }
            ));
            let auth = PendingAuth {
                token: token.map(str::to_owned),
                token_id: Some(claims.id.clone()),
                issuer: Some(verified.authorizer.id().to_string()),
                bootstrap: Vec::new(),
                paths,
            };
            Ok((Some(auth), from_note))
        }
    }
}

fn describe(ctx: &HookContext, id: ObjectId) -> Result<trail_git::CommitFacts, CommandError> {
    let mut git = ctx.repo.git.clone();
    let mut importer = trail_git::Importer::new(&mut git)?;
    Ok(importer.describe(id)?)
}

/// Record a refused commit. The refusal stands even when the journal cannot
/// be written; the user is told.
fn record_blocked(ctx: &HookContext, changes: &[FileChange], reason: &str) {
    let mut draft = Draft::new(kinds::COMMIT_BLOCKED, Source::Hook, Timestamp::now());
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.paths = changes.iter().map(crate::records::path_change).collect();
    let mut detail = serde_json::Map::new();
    detail.insert("reason".into(), reason.into());
    draft.detail = Some(detail);
    if let Err(e) = crate::pending::append_or_spool(&ctx.repo, vec![draft], None) {
        say(format_args!("could not record the refusal in the journal: {}", e.message));
    }
}

/// The commit a `git commit --fixup`/`--squash` folds into, described.
fn folded_commit(ctx: &HookContext, options: &CommitOptions) -> Option<trail_git::CommitFacts> {
    let target = options.folds_into()?;
    let spec = std::str::from_utf8(target).ok()?;
    let id = ctx.repo.git.rev_parse_single(spec).ok()?.detach();
    describe(ctx, id).ok()
}
