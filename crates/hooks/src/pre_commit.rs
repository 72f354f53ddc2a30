//! pre-commit: the rationale is checked, a change id allocated, and the
//! CHANGELOG.md of every directory the commit touches updated and staged —
//! here, because git builds the commit's tree right after this hook (DESIGN §4).
//!
//! No store access on the common path: what post-commit needs is left in
//! `pending/commit-<worktree>.json`. A refusal carries the `commit.blocked`
//! record the CLI delivers to the journal.

use std::path::PathBuf;

use chrono::{SubsecRound as _, Utc};
use trail_changelog as changelog;
use trail_git::{FileChange, ObjectId, StagedIndex};
use trail_journal::{Draft, Source, Timestamp, kinds};
use trail_policy::{Clock, Decision, Denial, Gate, MAX_CONFIG, POLICY_FILE};

use crate::changelogs::{
    self, EntryLine, MAX_CHANGELOG, changelog_path, changelog_read, dir_of, to_changelog_change,
};
use crate::hook::{Hook, tell};
use crate::invocation::{CommitOptions, amending};
use crate::message::{given_message, one_line, trailing_trailers};
use crate::pending::{PendingAuth, PendingCommit, StaleEntries, WrittenEntry};
use crate::{Failure, HookError, Notices, judge, protect, rationale};

/// pre-commit refused the commit: why, and the `commit.blocked` record to
/// deliver to the journal (without its actor, which the CLI knows), if the
/// refusal is one to record.
#[derive(Debug)]
pub struct Refused {
    pub error: HookError,
    pub blocked: Option<Box<Draft>>,
}

impl From<HookError> for Refused {
    fn from(error: HookError) -> Self {
        Refused { error, blocked: None }
    }
}

/// The work of pre-commit for the index at `index_path`: the rationale
/// checked, the protection policy applied, a change id allocated, the
/// CHANGELOG.md entries written and staged. Returns the state post-commit
/// reads (already kept in `pending`); what the person should read is in
/// `notices`, also when the commit is refused.
pub fn run(
    hook: &Hook<'_>,
    index_path: PathBuf,
    notices: &mut Notices,
) -> Result<PendingCommit, Refused> {
    let git = hook.git();
    let head = hook.head;
    let invocation = hook.invocation;
    let options = invocation.and_then(|i| i.commit_options()).unwrap_or_default();
    let amend = head.is_some() && amending(hook.env.amend.as_deref(), invocation);
    let head_facts = match (amend, head) {
        (true, Some(head)) => Some(hook.describe(head)?),
        _ => None,
    };
    // The commit being made will have `base` as its first parent.
    let base = match &head_facts {
        Some(facts) => facts.parents.first().copied(),
        None => head,
    };
    // Amending a merge is a merge too: its changes against the first parent
    // are the merged branch's, documented by that branch's entries.
    let merge = hook.git_dir.join("MERGE_HEAD").exists()
        || head_facts.as_ref().is_some_and(|f| f.parents.len() > 1);
    let mut index =
        StagedIndex::open(git, &index_path).map_err(|e| HookError::environment(e.to_string()))?;
    let changes = index.changes(git, base).map_err(|e| HookError::environment(e.to_string()))?;

    // The rationale: `trail commit` / the environment, then a note.
    let note = hook.pending.note()?;

    // Protected paths (DESIGN §6), under the policy of the commit this one
    // builds on: a change cannot loosen its own check.
    let others: Vec<ObjectId> = match &head_facts {
        Some(facts) => facts.parents.iter().skip(1).copied().collect(),
        None if merge => protect::merge_heads(hook.git_dir),
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
    let (authorization, token_from_note) =
        check_protection(hook, &index, &changes, &protection, notices)?;
    // The rationale (trail-hooks decides the order of its sources).
    let comment = trail_git::comment_prefix(git);
    // A commit that finishes a cherry-pick, a revert or a merge that
    // stopped (a conflict, `--no-commit`) gets the message git prepared in
    // MERGE_MSG unless one is given: its trailers are the rationale.
    let git_dir = hook.git_dir;
    let prepared = (!options.message_given() && options.reuse.is_none())
        .then(|| std::fs::read(git_dir.join("MERGE_MSG")).ok())
        .flatten();
    let picking = git_dir.join("CHERRY_PICK_HEAD").exists();
    let reverted = prepared.as_deref().and_then(crate::message::reverted_commit);
    let message =
        given_message(&options, invocation.and_then(|i| i.cwd()).as_deref()).or(prepared.clone());
    let given = message.as_deref().map(|m| trailing_trailers(m, &comment)).unwrap_or_default();
    // `--amend` keeps the amended commit's trailers (commit-msg puts them
    // back into a new message), unless the new message gives its own.
    let amended = head_facts.as_ref().map(|f| f.trailers.clone()).unwrap_or_default();
    let folded = folded_commit(hook, &options);
    let mut chosen = rationale::resolve(&rationale::Sources {
        given: &given,
        amended: &amended,
        env_why: hook.env.why.clone(),
        env_impact: hook.env.impact.clone(),
        agent_why: hook.env.agent_why.clone(),
        folded: folded.as_ref().map_or(&[][..], |f| &f.trailers[..]),
        note: note.as_ref(),
    });
    // A revert's rationale, when nothing else gives one: what it undoes.
    if chosen.why.is_none()
        && let Some(id) = &reverted
    {
        chosen.why = Some(crate::hook::revert_why(git, id));
    }
    let used_note = token_from_note || chosen.used_note;
    let (why, impact) = (chosen.why, chosen.impact);
    if why.is_none() && hook.settings.rationale_required {
        let mut refusal = HookError::refused(
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
        let blocked = blocked(&changes, "no rationale: trail.toml requires a why for every commit");
        return Err(Refused { error: refusal, blocked: Some(Box::new(blocked)) });
    }

    // A retry after an aborted commit keeps its change id, so its entries are
    // replaced rather than added again.
    let previous = hook.pending.commit()?;
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
        .then(|| crate::message::trailer(&given, "Change-Id"))
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
    let author = hook
        .env
        .author_name
        .as_deref()
        .and_then(one_line)
        .or_else(|| git.author().and_then(Result::ok).map(|s| s.name.to_string()))
        .unwrap_or_else(|| "unknown".to_owned());
    // The subject and the section trailers: the message given, else the
    // amended commit's (an editor's message is not known yet).
    let subject = match &message {
        Some(m) => changelogs::subject_of(m, &comment),
        None => head_facts.as_ref().map(|f| f.subject.clone()),
    };
    let trailers = if message.is_some() { &given } else { &amended };
    let choice = changelogs::choice(subject.as_deref(), trailers, hook.settings.sections);
    let meta = changelog::Meta {
        time,
        why: why.clone(),
        impact: impact.clone(),
        author,
        change: change_id.clone(),
        section: choice.section,
        subject,
        breaking: choice.breaking,
    };

    // A merge brings entries with the merged branch's changelogs; the merge
    // commit itself adds none.
    let plan = if merge {
        Vec::new()
    } else {
        let planned: Vec<changelog::Change> = changes.iter().map(to_changelog_change).collect();
        changelog::plan(&planned, &meta, hook.settings.root_summary, hook.settings.excluded)
    };

    let planned: Vec<Vec<u8>> = plan.iter().map(|(dir, _)| changelog_path(dir)).collect();
    // `git merge --squash` staged the other branch's changes, its
    // CHANGELOG.md entries among them: the commit that squashes them is one
    // change, with one entry per directory.
    let squash_base = head.filter(|_| !merge && !amend && git_dir.join("SQUASH_MSG").exists());
    let tree = changelogs::Worktree {
        git,
        workdir: hook.workdir,
        head,
        on_malformed: hook.settings.on_malformed,
    };
    let prepared = (|| -> Result<Vec<changelogs::Edit>, HookError> {
        let mut edits = Vec::new();
        for ((dir, entry), path) in plan.iter().zip(&planned) {
            let edit = changelogs::prepare(&tree, notices, &index, dir, |text| {
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
            edits.extend(changelogs::prepare(&tree, notices, &index, dir_of(path), |text| {
                drop_stale(path, text)
            })?);
        }
        Ok(edits)
    })();
    let edits = match prepared {
        Ok(edits) => edits,
        Err(error) => {
            let blocked = (error.failure == Failure::Refused)
                .then(|| Box::new(blocked(&changes, &error.message)));
            return Err(Refused { error, blocked });
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
        invocation: invocation.map(|i| i.id.clone()),
        used_note,
        stale_elsewhere,
        authorization,
    };
    hook.pending.set_commit(&pending)?;
    Ok(pending)
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
    hook: &Hook<'_>,
    index: &StagedIndex,
    changes: &[FileChange],
    p: &Protection<'_>,
    notices: &mut Notices,
) -> Result<(Option<PendingAuth>, bool), Refused> {
    let git = hook.git();
    let (policy, source) = protect::policy_named(git, p.base, "HEAD")?;
    let trail_dir = &hook.site.trail_dir;
    let snapshot = protect::staged_snapshot(trail_dir, &policy, p.base, changes, index);
    let protected = protect::protected_changes(git, &policy, p.base, changes, Some(&snapshot))?;
    if protected.is_empty() {
        return Ok((None, false));
    }
    let (token, from_note) = match (&hook.env.token, p.note_token, p.amended) {
        (Some(t), _, _) => (Some(t.as_str()), false),
        (None, Some(t), _) => (Some(t), true),
        (None, None, Some((_, t))) => (Some(t), false),
        _ => (None, false),
    };
    let denied = |denial: Denial| -> Refused {
        let digest = protect::digest(&protected);
        let blocked = blocked(
            changes,
            &format!("authorization refused ({}): {}", denial.check, denial.message),
        );
        let mut error = HookError::refused(format!(
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
        Refused { error, blocked: Some(Box::new(blocked)) }
    };
    // A merge without a token of its own: what it brings must have been
    // authorized on the merged side (trail_policy::Gate::judge_merge).
    if let (Some(head), false, None) = (p.base, p.others.is_empty(), token) {
        let mut history_git = git.clone();
        let mut history =
            judge::GitHistory::new(hook.site, &mut history_git, judge::Memory::Journal)?;
        let mut gate = Gate::new(&mut history, None, None, Utc::now(), false);
        let judged = gate.judge_merge(&head, p.others, &protected)?;
        return match judged {
            None => Ok((None, false)),
            Some(denial) => Err(denied(denial)),
        };
    }
    let new_policy = match protected.iter().any(|c| c.path == POLICY_FILE.as_bytes()) {
        true => match index.blob_within(git, POLICY_FILE.as_bytes(), MAX_CONFIG as u64) {
            Err(trail_git::StagedError::TooLarge { size, .. }) => {
                return Err(HookError::usage(format!(
                    "the staged {POLICY_FILE} is {size} bytes, too large to be a policy (the limit is {MAX_CONFIG})"
                ))
                .hint(format!("stage a {POLICY_FILE} that holds only the policy"))
                .into());
            }
            other => {
                other.map_err(|e| HookError::environment(e.to_string()))?.map(|(_, data)| data)
            }
        },
        false => None,
    };
    let repo_id = match (token, p.base) {
        (Some(_), Some(base)) => Some(protect::repository_id(git, trail_dir, base)?),
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
            judge::token_spent(hook.site, parsed.id(), amended)?
        }
        _ => false,
    };
    let decision =
        trail_policy::decide(&change, token, &|_| used, Clock::now(Utc::now())).map_err(denied)?;
    match decision {
        Decision::Unenforced => {
            tell(
                notices,
                format!(
                    "note: protection of MCP configurations is off: {source} names no authorizer \
                     in `[protect] authorizers`, so this change to {POLICY_FILE} needs no token \
                     (`trail keygen --add` names one)"
                ),
            );
            Ok((None, false))
        }
        Decision::Bootstrap { authorizers } => {
            tell(
                notices,
                "POLICY BOOTSTRAP: this commit names the first authorizers of this repository:",
            );
            for line in &authorizers {
                tell(notices, format!("  {line}"));
            }
            tell(
                notices,
                "from this commit on, only tokens they sign authorize changes to protected paths; \
                 anyone able to commit could have named these keys, so check them (`trail docs protection`)",
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
            tell(
                notices,
                format!(
                    "protected changes authorized by token {} (key {}{}): {}",
                    claims.id,
                    verified.authorizer.id(),
                    verified.authorizer.name().map(|n| format!(", {n}")).unwrap_or_default(),
                    if claims.reason.is_empty() { "no reason given" } else { &claims.reason }
                ),
            );
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

/// The `commit.blocked` record of a refused commit (the CLI adds the actor
/// and delivers it; the refusal stands even when the journal cannot take it).
fn blocked(changes: &[FileChange], reason: &str) -> Draft {
    let mut draft = Draft::new(kinds::COMMIT_BLOCKED, Source::Hook, Timestamp::now());
    draft.paths = changes.iter().map(crate::records::path_change).collect();
    let mut detail = serde_json::Map::new();
    detail.insert("reason".into(), reason.into());
    draft.detail = Some(detail);
    draft
}

/// The commit a `git commit --fixup`/`--squash` folds into, described.
fn folded_commit(hook: &Hook<'_>, options: &CommitOptions) -> Option<trail_git::CommitFacts> {
    let target = options.folds_into()?;
    let spec = std::str::from_utf8(target).ok()?;
    let id = hook.git().rev_parse_single(spec).ok()?.detach();
    hook.describe(id).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, Repo};
    use crate::hook::HookEnv;

    fn staged_names(repo: &Repo) -> Vec<String> {
        repo.git(&["diff", "--cached", "--name-only"]).lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_commit_without_a_why_is_refused_with_the_record_of_its_refusal() {
        let repo = Repo::new();
        repo.write("README", "hello\n");
        repo.commit("first");
        repo.write("src/a.rs", "fn a() {}\n");
        repo.git(&["add", "-A"]);
        let git = repo.open();
        let site = repo.site(&git);
        let pending = repo.pending();
        let (env, settings) = (HookEnv::default(), fixture::settings());
        let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
        let mut notices = Vec::new();
        let refused = run(&hook, git.index_path(), &mut notices).expect_err("refused");
        assert_eq!(refused.error.failure, Failure::Refused);
        assert!(refused.error.message.contains("no rationale"), "{}", refused.error.message);
        let blocked = refused.blocked.expect("a commit.blocked record");
        assert_eq!(blocked.kind, kinds::COMMIT_BLOCKED);
        let paths: Vec<Vec<u8>> = blocked.paths.iter().filter_map(|p| p.path_bytes()).collect();
        assert_eq!(paths, vec![b"src/a.rs".to_vec()]);
        assert_eq!(staged_names(&repo), vec!["src/a.rs"], "no CHANGELOG.md staged");
        assert!(pending.commit().expect("readable").is_none(), "no state for post-commit");
    }

    #[test]
    fn a_why_stages_an_entry_per_directory_and_a_retry_keeps_the_change_id() {
        let repo = Repo::new();
        repo.write("README", "hello\n");
        repo.commit("first");
        repo.write("src/a.rs", "fn a() {}\n");
        repo.git(&["add", "-A"]);
        let git = repo.open();
        let site = repo.site(&git);
        let pending = repo.pending();
        let env = HookEnv { why: Some("the parser broke on tabs".into()), ..HookEnv::default() };
        let settings = fixture::settings();
        let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
        let mut notices = Vec::new();
        let first = run(&hook, git.index_path(), &mut notices).expect("accepted");
        assert_eq!(first.why.as_deref(), Some("the parser broke on tabs"));
        assert_eq!(staged_names(&repo), vec!["CHANGELOG.md", "src/CHANGELOG.md", "src/a.rs"]);
        let entry = std::fs::read_to_string(repo.root.join("src/CHANGELOG.md")).expect("written");
        assert!(entry.contains(&format!("change {}", first.change_id)), "{entry}");
        assert_eq!(
            pending.commit().expect("readable").map(|p| p.change_id),
            Some(first.change_id.clone())
        );
        // The commit was aborted (an editor closed empty): the retry
        // replaces its entries rather than add a second one.
        let git = repo.open();
        let again = run(&hook, git.index_path(), &mut notices).expect("accepted");
        assert_eq!(again.change_id, first.change_id);
        let entry = std::fs::read_to_string(repo.root.join("src/CHANGELOG.md")).expect("written");
        assert_eq!(entry.matches(&first.change_id).count(), 1, "{entry}");
    }

    #[test]
    fn a_protected_change_without_a_token_is_refused_under_the_committed_policy() {
        let repo = Repo::new();
        let (key, line) = trail_policy::keys::generate("ada").expect("a key");
        drop(key);
        repo.write("trail.toml", &format!("[protect]\nauthorizers = [\"{line}\"]\n"));
        repo.commit("policy");
        repo.write(".mcp.json", "{\"mcpServers\":{}}\n");
        // The change also tries to drop the authorizers: the policy that
        // judges it is HEAD's, not the staged one.
        repo.write("trail.toml", "");
        repo.git(&["add", "-A"]);
        let git = repo.open();
        let site = repo.site(&git);
        let pending = repo.pending();
        let env = HookEnv { why: Some("add a server".into()), ..HookEnv::default() };
        let settings = fixture::settings();
        let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
        let mut notices = Vec::new();
        let refused = run(&hook, git.index_path(), &mut notices).expect_err("refused");
        assert_eq!(refused.error.failure, Failure::Refused);
        assert!(refused.error.message.contains(".mcp.json"), "{}", refused.error.message);
        let blocked = refused.blocked.expect("a commit.blocked record");
        let reason = blocked.detail.as_ref().and_then(|d| d["reason"].as_str()).unwrap_or("");
        assert!(reason.starts_with("authorization refused"), "{reason}");
        assert!(pending.commit().expect("readable").is_none());
    }
}
