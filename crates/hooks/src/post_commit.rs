//! post-commit (and post-applypatch): what the commit becomes in the
//! journal — a `commit` record when pre-commit prepared it,
//! `commit.unverified` when it did not run (`--no-verify`, a rebase, a
//! cherry-pick), a `policy.violation` when such a commit changes protected
//! paths without an authorization — and the CHANGELOG.md files of a
//! revert, pick or patch put right by amending it. The CLI delivers the
//! records to the journal (the one store access of an ordinary commit),
//! then calls [`after_recorded`].

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

use chrono::SubsecRound as _;
use serde_json::Value;
use trail_git::{CommitFacts, ObjectId};
use trail_journal::{Actor, Draft, PathChange, Source, Timestamp, kinds};

use crate::hook::{Hook, rewriting_marker, tell};
use crate::message::one_line;
use crate::pending::PendingCommit;
use crate::{HookError, Notices, judge, protect};

/// What post-commit found: the commit (as recorded: after trail's amend,
/// if it made one), its records, and pre-commit's state when pre-commit
/// prepared this very commit.
#[derive(Debug)]
pub struct Recorded {
    pub facts: CommitFacts,
    pub drafts: Vec<Draft>,
    pub prepared: Option<PendingCommit>,
}

/// The records of the commit at HEAD. `local`: who runs the hook (git's
/// committer, the account, the host). `pre_push_runs_trail`: whether git
/// runs trail's pre-push here (said with a violation).
pub fn run(
    hook: &Hook<'_>,
    local: Actor,
    pre_push_runs_trail: &dyn Fn() -> bool,
    notices: &mut Notices,
) -> Result<Recorded, HookError> {
    let Some(head) = hook.head else {
        return Err(HookError::environment("post-commit ran but HEAD names no commit"));
    };
    let mut facts = hook.describe(head)?;
    let pending = hook.pending.commit()?;
    let verified = pending.filter(|p| prepared_this(hook, p, &facts));
    let via = match verified {
        Some(_) => None,
        None => hook.committing_command(),
    };
    // A revert, a pick or a patch: its CHANGELOG.md files are put right
    // (the commit rewritten) before it is recorded.
    let mut rewritten_from = None;
    if let Some(via) = via.as_deref().filter(|v| matches!(*v, "revert" | "cherry-pick" | "am"))
        && let Some(new) = reconcile_changelogs(hook, &facts, via, notices)?
    {
        rewritten_from = Some(facts.id);
        facts = hook.describe(new)?;
    }

    let now = Timestamp::now();
    let mut drafts = crate::records::commit_records(&crate::records::CommitRecord {
        facts: &facts,
        prepared: verified.as_ref(),
        via: via.as_deref(),
        rewritten_from,
        reverts: via
            .as_deref()
            .filter(|v| *v == "revert")
            .and_then(|_| reverted_of(hook, facts.id)),
        merge_paths: (facts.parents.len() > 1).then(|| merge_paths(hook.git(), &facts)),
        local: local.clone(),
        now,
    });
    let recorded_unverified = drafts.iter().any(|d| d.kind == kinds::COMMIT_UNVERIFIED);
    if let Some(via) = via.as_deref().filter(|_| recorded_unverified) {
        tell(
            notices,
            format!(
                "commit {} was made by `git {via}` without a rationale; it is recorded as commit.unverified",
                facts.id
            ),
        );
    }
    // A commit pre-commit did not check is judged by the protection policy now.
    if verified.is_none() {
        drafts.extend(violation(hook, &facts, now, &local, pre_push_runs_trail, notices));
    }
    Ok(Recorded { facts, drafts, prepared: verified })
}

/// After the records were delivered: the commit's protected configs kept
/// (the next protection check then reads only its own changes), the real
/// index given the CHANGELOG.md files a temporary one committed, and
/// pre-commit's state (and the note it used) cleared.
pub fn after_recorded(
    hook: &Hook<'_>,
    recorded: &Recorded,
    notices: &mut Notices,
) -> Result<(), HookError> {
    let facts = &recorded.facts;

    let parent = facts.parents.first().copied().filter(|_| facts.parents.len() == 1);
    if let Err(e) = protect::remember_configs(
        hook.git(),
        &hook.site.trail_dir,
        facts.id,
        parent,
        &facts.changes,
    ) {
        tracing::warn!("{}", e.message);
    }

    if let Some(pending) = &recorded.prepared {
        let tree = crate::changelogs::Worktree {
            git: hook.git(),
            workdir: hook.workdir,
            head: Some(facts.id),
            on_malformed: crate::changelogs::OnMalformed::Skip,
        };
        crate::changelogs::sync_real_index(&tree, pending, facts, notices);
        hook.pending.clear_commit()?;
        if pending.used_note {
            hook.pending.clear_note()?;
        }
    } else {
        tracing::info!(commit = %facts.id, "recorded as commit.unverified: pre-commit did not prepare it");
    }
    Ok(())
}

/// `commit.unverified` records (`detail.caught_up`) for the commits made in
/// this worktree that the journal lacks: their own post-commit was killed or
/// failed before it wrote. Whether pre-commit checked them is not known.
pub fn caught_up(
    git: &trail_git::Repository,
    missed: &[ObjectId],
    now: Timestamp,
    notices: &mut Notices,
) -> Vec<Draft> {
    if missed.is_empty() {
        return Vec::new();
    }
    let mut git = git.clone();
    let Ok(mut importer) = trail_git::Importer::new(&mut git) else { return Vec::new() };
    let mut drafts = Vec::new();
    for id in missed {
        let Ok(facts) = importer.describe(*id) else { continue };
        let mut draft =
            crate::records::commit_draft(&facts, kinds::COMMIT_UNVERIFIED, Source::Hook, now);
        if let Some(detail) = draft.detail.as_mut() {
            detail.insert("caught_up".into(), Value::Bool(true));
        }
        drafts.push(draft);
    }
    let commits = match drafts.len() {
        1 => "1 commit".to_owned(),
        n => format!("{n} commits"),
    };
    tell(
        notices,
        format!(
            "recorded {commits} this worktree made whose post-commit did not finish: {}",
            missed.iter().map(|id| id.to_string()[..12].to_owned()).collect::<Vec<_>>().join(", ")
        ),
    );
    drafts
}

/// A commit pre-commit did not check (`--no-verify`, cherry-pick, rebase):
/// a loud `policy.violation` record when it changes protected paths without a
/// valid `Trail-Authorization:` trailer.
fn violation(
    hook: &Hook<'_>,
    facts: &CommitFacts,
    now: Timestamp,
    local: &Actor,
    pre_push_runs_trail: &dyn Fn() -> bool,
    notices: &mut Notices,
) -> Option<Draft> {
    let branch = match hook.git().head_name() {
        Ok(Some(name)) => name.as_bstr().to_string(),
        _ => "HEAD".to_owned(),
    };
    let judged = judge::judge_commit(hook.site, facts.id, facts.parents.first().copied(), &branch);
    let judge::CommitJudgement { refused, accepted } = match judged {
        Ok(judged) => judged,
        Err(e) => {
            tell(
                notices,
                format!(
                    "could not check commit {} against the protection policy: {}",
                    facts.id, e.message
                ),
            );
            return None;
        }
    };
    let Some(refused) = refused.into_iter().next() else {
        return accepted.map(|accepted| authorized_unchecked(facts, now, local, &accepted));
    };
    let denial = refused.denial;
    tell(
        notices,
        format!(
            "POLICY VIOLATION: commit {} changes protected paths without a valid authorization ({}): {}{}",
            facts.id,
            denial.check,
            denial.message,
            protect::describe_changes(&refused.changes)
        ),
    );
    if pre_push_runs_trail() {
        tell(
            notices,
            "it is recorded as policy.violation; a push of it is refused by trail's pre-push and server hooks",
        );
    } else {
        tell(
            notices,
            "it is recorded as policy.violation; git runs no pre-push hook of trail's here, so only a server with `trail hooks install --server` refuses a push of it",
        );
    }
    let mut draft = Draft::new(kinds::POLICY_VIOLATION, Source::Hook, now);
    draft.actor = Some(local.clone());
    draft.commit = Some(facts.id.to_string());
    draft.paths =
        refused.changes.iter().map(|c| crate::records::protected_path(&c.path, c.status)).collect();
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
    facts: &CommitFacts,
    now: Timestamp,
    local: &Actor,
    accepted: &trail_policy::Accepted<trail_git::ObjectId>,
) -> Draft {
    let mut draft = Draft::new(kinds::AUTH_USED, Source::Hook, now);
    draft.actor = Some(local.clone());
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
fn prepared_this(hook: &Hook<'_>, pending: &PendingCommit, facts: &CommitFacts) -> bool {
    if !pending.same_invocation(hook.invocation.map(|i| i.id.as_str())) {
        return false;
    }
    if pending.base != facts.parents.first().map(ObjectId::to_string) {
        return false;
    }
    if facts.trailer("Change-Id").is_some_and(|id| id != pending.change_id) {
        return false;
    }
    let Ok(commit) = hook.git().find_commit(facts.id) else { return false };
    let Ok(tree) = commit.tree() else { return false };
    // Each CHANGELOG.md pre-commit wrote an entry into holds that change in
    // the commit: the blob pre-commit staged, or one a chained hook
    // reformatted since that still holds the entry.
    pending.changelogs.iter().filter(|log| log.entry.is_some()).all(|log| {
        let path = std::path::Path::new(OsStr::from_bytes(&log.path));
        match tree.lookup_entry_by_path(path) {
            Ok(Some(entry)) if entry.object_id() == log.blob => true,
            Ok(Some(entry)) => entry.object().is_ok_and(|blob| {
                trail_changelog::has_change(&blob.data, &pending.change_id).unwrap_or(false)
            }),
            _ => false,
        }
    })
}

/// The full id of the commit a revert's message names.
fn reverted_of(hook: &Hook<'_>, id: ObjectId) -> Option<String> {
    let commit = hook.git().find_commit(id).ok()?;
    let named = crate::message::reverted_commit(commit.message_raw_sloppy())?;
    Some(hook.git().rev_parse_single(named.as_str()).ok()?.detach().to_string())
}

/// The paths of a merge worth recording: those whose content differs from
/// every parent — a conflict resolution, or an edit made while merging.
/// What one parent already had is that parent's change, recorded with it.
pub fn merge_paths(git: &trail_git::Repository, facts: &CommitFacts) -> Vec<PathChange> {
    let mut repo = git.clone();
    let Ok(mut importer) = trail_git::Importer::new(&mut repo) else { return Vec::new() };
    merge_paths_with(&mut importer, facts)
}

/// [`merge_paths`] with an importer already at hand (`trail import` diffs
/// every merge of a history with one): what `git diff-tree -c` lists.
pub fn merge_paths_with(
    importer: &mut trail_git::Importer<'_>,
    facts: &CommitFacts,
) -> Vec<PathChange> {
    importer
        .merge_changes(facts.id, &facts.parents)
        .map(|changes| changes.iter().map(crate::records::path_change).collect())
        .unwrap_or_default()
}

/// Put the CHANGELOG.md files of a commit git made without pre-commit right
/// ([`trail_hooks::changelogs::reconcile`]) by amending it: the entry of its
/// change where it has none, earlier entries it deleted back. Returns the
/// new commit, `None` when nothing needed changing. Not during a rebase,
/// whose bookkeeping names the commits it made (a rebase's picks carry their
/// entries with them). trail's hooks stand aside for the amend itself
/// (`TRAIL_REWRITING`, see [`rewriting`]).
fn reconcile_changelogs(
    hook: &Hook<'_>,
    facts: &CommitFacts,
    via: &str,
    notices: &mut Notices,
) -> Result<Option<ObjectId>, HookError> {
    let git_dir = hook.git_dir;
    if git_dir.join("rebase-merge").exists() || git_dir.join("rebase-apply/rebasing").exists() {
        return Ok(None);
    }
    // A commit whose message lacks them (`TRAIL_WHY=… git am --continue`
    // after pre-applypatch refused it) gets its trailers with the amend.
    let env = |value: &Option<String>| value.as_deref().and_then(one_line);
    let mut trailers: Vec<String> = Vec::new();
    let change = match facts.trailer("Change-Id").filter(|id| trail_changelog::valid_change_id(id))
    {
        Some(id) => id.to_owned(),
        None => {
            let id = crate::rationale::new_change_id();
            trailers.push(format!("Change-Id: {id}"));
            id
        }
    };
    // The message's own trailer, else the environment's (added with the amend).
    let mut filled = |token: &str, var: &Option<String>| match facts.trailer(token) {
        Some(value) => Some(value.to_owned()),
        None => {
            let value = env(var);
            if let Some(value) = &value {
                trailers.push(format!("{token}: {value}"));
            }
            value
        }
    };
    let why = filled("Why", &hook.env.why);
    let impact = filled("Impact", &hook.env.impact);
    if why.is_none() {
        return Ok(None); // recorded as commit.unverified, and said
    }
    let changes: Vec<trail_changelog::Change> = facts
        .changes
        .iter()
        .filter(|c| !is_changelog(&c.path))
        .map(crate::changelogs::to_changelog_change)
        .collect();
    let choice =
        crate::changelogs::choice(Some(&facts.subject), &facts.trailers, hook.settings.sections);
    let meta = trail_changelog::Meta {
        time: chrono::Utc::now().trunc_subsecs(0),
        why,
        impact,
        author: facts.author.name.clone(),
        change,
        section: choice.section,
        subject: Some(facts.subject.clone()),
        breaking: choice.breaking,
    };
    let plan =
        trail_changelog::plan(&changes, &meta, hook.settings.root_summary, hook.settings.excluded);
    let present = |dir: &[u8]| hook.workdir.join(OsStr::from_bytes(dir)).is_dir();
    let fixed = crate::changelogs::reconcile(
        hook.git(),
        facts.id,
        facts.parents.first().copied(),
        &plan,
        &present,
        notices,
    )?;
    // git is still applying commits (`git revert A B`, `git cherry-pick
    // A..B`, `git am` of a series): it keeps the index in memory between
    // them, so a commit whose tree changed under it makes the next one fail
    // ("your local changes would be overwritten"). Only the message is
    // amended then (the tree, and so git's index, stay as they are).
    // (`git am` re-reads the index for each patch of a series, but not on
    // `--continue`, `--resolved`, `--skip` and `--retry`, where it writes its
    // own copy back before going on.)
    let resuming = hook
        .invocation
        .and_then(|i| i.command().map(|(_, args)| args.to_vec()))
        .is_some_and(|args| {
            args.iter().any(|a| {
                matches!(
                    a.as_slice(),
                    b"--continue" | b"--resolved" | b"-r" | b"--skip" | b"--retry"
                )
            })
        });
    let busy = git_dir.join("sequencer").exists() || (via == "am" && resuming);
    let mut fixed = fixed;
    if busy && !fixed.is_empty() {
        let paths: Vec<String> =
            fixed.iter().map(|(p, _)| trail_journal::record::quote_path(p)).collect();
        tell(
            notices,
            format!(
                "warning: the CHANGELOG.md files of commit {} do not match it ({}), and trail does not rewrite a commit while `git {via}` goes on; when it is done, run `trail changelog sync` and commit the result",
                &facts.id.to_string()[..12],
                paths.join(", ")
            ),
        );
        fixed.clear();
    }
    if fixed.is_empty() && trailers.is_empty() {
        return Ok(None);
    }
    // Into the work tree (which holds what was just committed) and the
    // index, then amend: git's own commit code keeps author and message.
    let git = hook.git();
    let mut index = trail_git::StagedIndex::open(git, &git.index_path())
        .map_err(|e| HookError::environment(e.to_string()))?;
    // A file not in the work tree (outside a sparse checkout) is staged
    // without being written back.
    let mut on_disk = Vec::new();
    for (path, text) in &fixed {
        let file = hook.workdir.join(OsStr::from_bytes(path));
        let present = std::fs::symlink_metadata(&file).is_ok();
        if present {
            std::fs::write(&file, text).map_err(|e| {
                HookError::environment(format!("cannot write {}: {e}", file.display()))
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
    index.stage(git, hook.workdir, &items).map_err(|e| HookError::environment(e.to_string()))?;
    let nonce = crate::rationale::new_change_id();
    let marker = rewriting_marker(&hook.site.trail_dir, &nonce);
    let marked = marker
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .and_then(|_| std::fs::write(&marker, b""));
    if let Err(e) = marked {
        return Err(HookError::environment(format!("cannot write {}: {e}", marker.display())));
    }
    let output = std::process::Command::new("git")
        .current_dir(hook.workdir)
        .env("TRAIL_REWRITING", &nonce)
        .args(["commit", "--amend", "--no-edit", "--no-verify", "--allow-empty", "--quiet"])
        .args(["--cleanup=verbatim", "--no-post-rewrite"])
        .args(trailers.iter().flat_map(|t| ["--trailer", t.as_str()]))
        .output()
        .map_err(|e| HookError::environment(format!("cannot run `git commit --amend`: {e}")));
    let _ = std::fs::remove_file(&marker);
    let output = output?;
    if !output.status.success() {
        tell(
            notices,
            format!(
                "commit {} is recorded as git made it; its CHANGELOG.md entries could not be put right (`git commit --amend` failed: {}); they are staged",
                facts.id,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        );
        return Ok(None);
    }
    let new = git.head_id().map_err(|e| HookError::environment(e.to_string()))?.detach();
    let paths: Vec<String> =
        fixed.iter().map(|(p, _)| trail_journal::record::quote_path(p)).collect();
    tell(
        notices,
        format!(
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
        ),
    );
    Ok(Some(new))
}

fn is_changelog(path: &[u8]) -> bool {
    path.rsplit(|&b| b == b'/').next() == Some(b"CHANGELOG.md")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, Repo};
    use crate::hook::HookEnv;

    /// A repository with one commit and `src/a.rs` staged.
    fn staged_repo() -> Repo {
        let repo = Repo::new();
        repo.write("README", "hello\n");
        repo.commit("first");
        repo.write("src/a.rs", "fn a() {}\n");
        repo.git(&["add", "-A"]);
        repo
    }

    /// The environment of a commit with a rationale.
    fn env() -> HookEnv {
        HookEnv { why: Some("tabs".into()), ..HookEnv::default() }
    }

    /// pre-commit's work on what `repo` has staged.
    fn pre_commit(repo: &Repo) -> crate::pending::PendingCommit {
        let git = repo.open();
        let site = repo.site(&git);
        let pending = repo.pending();
        let env = env();
        let settings = fixture::settings();
        let hook = fixture::hook(repo, &site, &pending, &env, &settings);
        crate::pre_commit::run(&hook, git.index_path(), &mut Vec::new()).expect("ok")
    }

    fn local() -> Actor {
        Actor { name: "Tess Ter".into(), email: "tess@example.com".into(), ..Actor::default() }
    }

    #[test]
    fn a_commit_pre_commit_prepared_is_a_commit_record_and_its_state_is_cleared() {
        let repo = staged_repo();
        let prepared = pre_commit(&repo);
        let pending = repo.pending();
        let env = env();
        let settings = fixture::settings();
        let mut notices = Vec::new();
        repo.git(&[
            "commit",
            "-q",
            "-m",
            "add a",
            "--trailer",
            &format!("Change-Id: {}", prepared.change_id),
        ]);
        let git = repo.open();
        let site = repo.site(&git);
        let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
        let recorded = run(&hook, local(), &|| true, &mut notices).expect("recorded");
        assert!(recorded.prepared.is_some(), "pre-commit prepared this commit");
        // The staged blob is the committed one, as `prepared_this` compares it.
        let tree = git.find_commit(recorded.facts.id).expect("commit").tree().expect("tree");
        for log in &prepared.changelogs {
            let path = std::path::Path::new(OsStr::from_bytes(&log.path));
            let entry = tree.lookup_entry_by_path(path).expect("read").expect("committed");
            assert!(entry.object_id() == log.blob, "{} vs {}", entry.object_id(), log.blob);
        }
        let commit = recorded.drafts.iter().find(|d| d.kind == kinds::COMMIT).expect("commit");
        assert_eq!(commit.why.as_deref(), Some("tabs"));
        assert_eq!(commit.change_id.as_deref(), Some(prepared.change_id.as_str()));
        after_recorded(&hook, &recorded, &mut notices).expect("done");
        assert!(pending.commit().expect("readable").is_none(), "state cleared");
    }

    /// A CHANGELOG.md a later hook reformatted still counts when it holds
    /// pre-commit's entry; one whose entry was taken out does not.
    #[test]
    fn a_changelog_reformatted_after_pre_commit_counts_while_it_holds_the_entry() {
        for (keep_entry, verified) in [(true, true), (false, false)] {
            let repo = staged_repo();
            let prepared = pre_commit(&repo);
            let pending = repo.pending();
            let env = env();
            let settings = fixture::settings();
            let mut notices = Vec::new();
            // A formatter run after trail's pre-commit (a chained hook, lint-staged).
            let log = repo.root.join("src/CHANGELOG.md");
            let text = std::fs::read_to_string(&log).expect("pre-commit wrote it");
            let text = if keep_entry {
                format!("{}\n", text.trim_end())
            } else {
                text.lines()
                    .filter(|l| !l.contains(&prepared.change_id))
                    .map(|l| format!("{l}\n"))
                    .collect::<String>()
            };
            std::fs::write(&log, format!("<!-- formatted -->\n{text}")).expect("write");
            repo.git(&["add", "src/CHANGELOG.md"]);
            let trailer = format!("Change-Id: {}", prepared.change_id);
            repo.git(&["commit", "-q", "-m", "add a", "--trailer", &trailer]);
            let git = repo.open();
            let site = repo.site(&git);
            let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
            let recorded = run(&hook, local(), &|| true, &mut notices).expect("recorded");
            assert_eq!(recorded.prepared.is_some(), verified, "entry kept: {keep_entry}");
        }
    }

    #[test]
    fn a_commit_made_without_pre_commit_is_unverified_and_a_protected_one_a_violation() {
        let repo = Repo::new();
        let (_key, line) = trail_policy::keys::generate("ada").expect("a key");
        repo.write("trail.toml", &format!("[protect]\nauthorizers = [\"{line}\"]\n"));
        repo.commit("policy");
        repo.write(".mcp.json", "{}\n");
        repo.commit("sneak a server in");
        let git = repo.open();
        let site = repo.site(&git);
        let pending = repo.pending();
        let (env, settings) = (HookEnv::default(), fixture::settings());
        let hook = fixture::hook(&repo, &site, &pending, &env, &settings);
        let mut notices = Vec::new();
        let recorded = run(&hook, local(), &|| false, &mut notices).expect("recorded");
        let kinds: Vec<&str> = recorded.drafts.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, vec![kinds::COMMIT_UNVERIFIED, kinds::POLICY_VIOLATION]);
        assert!(notices.iter().any(|n| n.starts_with("POLICY VIOLATION")), "{notices:?}");
        assert!(
            notices.iter().any(|n| n.contains("git runs no pre-push hook of trail's")),
            "says who refuses the push: {notices:?}"
        );
    }

    #[test]
    fn a_merge_records_the_paths_no_parent_had() {
        let repo = Repo::new();
        repo.write("a.txt", "base\n");
        repo.write("b.txt", "base\n");
        repo.commit("base");
        repo.git(&["checkout", "-q", "-b", "side"]);
        repo.write("a.txt", "side\n");
        repo.commit("side");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("a.txt", "main\n");
        repo.write("b.txt", "main\n");
        repo.commit("main");
        // A conflict on a.txt, resolved with content neither side had.
        let merge = std::process::Command::new("git")
            .args(["merge", "-q", "side"])
            .current_dir(&repo.root)
            .output()
            .expect("git runs");
        assert!(!merge.status.success(), "a conflict");
        repo.write("a.txt", "resolved\n");
        let id = repo.commit("merge side");
        let git = repo.open();
        let mut importer_git = git.clone();
        let facts = trail_git::Importer::new(&mut importer_git)
            .expect("importer")
            .describe(id)
            .expect("described");
        let paths: Vec<Vec<u8>> =
            merge_paths(&git, &facts).iter().filter_map(|p| p.path_bytes()).collect();
        // b.txt is main's change (recorded with it); a.txt is the merge's own.
        assert_eq!(paths, vec![b"a.txt".to_vec()]);
    }
}
