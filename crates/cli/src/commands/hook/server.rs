//! The protection checks that do not trust pre-commit: pre-push (before
//! commits leave this repository), pre-receive and update (on the server that
//! receives them: the enforcement point) and, with `[protect] strict = true`,
//! reference-transaction (before a local branch moves to a commit made with
//! `--no-verify`). Each checks every new commit with [`protect::check_commit`].

use std::ffi::OsString;
use std::io::Read as _;

use trail_git::ObjectId;

use crate::context::Repo;
use crate::error::CommandError;
use crate::protect;

/// `<old> <new> <ref>` lines (pre-receive, reference-transaction).
fn updates(input: &str) -> Vec<(String, String, String)> {
    input
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

fn is_null(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b == b'0')
}

fn read_stdin() -> Result<String, CommandError> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CommandError::environment(format!("cannot read the hook's input: {e}")))?;
    Ok(input)
}

/// The repository a hook runs in; in a receiving repository, with the
/// pushed objects git keeps in quarantine until the hooks accept them (keep
/// the directory alive while `repo` is used).
fn server_repo() -> Result<(Repo, Option<tempfile::TempDir>), CommandError> {
    let mut repo = Repo::discover()?;
    trail_git::skip_index_checksum(&mut repo.git);
    let quarantine = trail_git::use_quarantine(&mut repo.git)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    Ok((repo, quarantine))
}

/// The commits `new` brings that no ref of the repository reaches yet.
fn new_commits(
    repo: &Repo,
    tips: &[&str],
    exclude: &[String],
) -> Result<Vec<ObjectId>, CommandError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<String> = tips.iter().map(|t| (*t).to_owned()).collect();
    args.push("--not".to_owned());
    args.extend(exclude.iter().cloned());
    protect::rev_list(repo, &args)
}

/// The commits reachable from `tips` and from no local branch, oldest first
/// (`git rev-list TIPS --not --branches`, without starting a process: this
/// runs on every ref update).
fn unreached(repo: &Repo, tips: &[&str]) -> Result<Vec<ObjectId>, CommandError> {
    let tips: Vec<ObjectId> =
        tips.iter().filter_map(|t| ObjectId::from_hex(t.as_bytes()).ok()).collect();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk_error = |e: &dyn std::fmt::Display| {
        CommandError::environment(format!("cannot walk the new commits: {e}"))
    };
    let refs = repo.git.references().map_err(|e| walk_error(&e))?;
    let branches: Vec<ObjectId> = refs
        .local_branches()
        .map_err(|e| walk_error(&e))?
        .flatten()
        .filter_map(|mut r| r.peel_to_id().ok().map(|id| id.detach()))
        .collect();
    let walk = repo.git.rev_walk(tips).with_hidden(branches).all().map_err(|e| walk_error(&e))?;
    let mut commits = Vec::new();
    for info in walk {
        commits.push(info.map_err(|e| walk_error(&e))?.id);
    }
    commits.reverse();
    Ok(commits)
}

/// Whether `id` is already HEAD or the tip of a branch (`git branch NEW`,
/// `git checkout -b`): it brings no commit no branch had.
fn is_branch_tip(repo: &Repo, id: ObjectId) -> bool {
    if repo.git.head_id().is_ok_and(|head| head.detach() == id) {
        return true;
    }
    let Ok(refs) = repo.git.references() else { return false };
    let Ok(branches) = refs.local_branches() else { return false };
    branches.flatten().any(|mut r| r.peel_to_id().is_ok_and(|tip| tip.detach() == id))
}

/// pre-receive (server): refuse the whole push when a pushed commit changes
/// protected paths without a valid `Trail-Authorization:` trailer.
pub fn pre_receive() -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    let updates = updates(&input);
    for (old, new, name) in updates.iter().filter(|(_, _, name)| is_trail_ref(name)) {
        check_journal_update(&repo, old, new, name)?;
    }
    let tips: Vec<&str> = updates
        .iter()
        .filter(|(_, new, name)| !is_null(new) && !is_trail_ref(name))
        .map(|(_, new, _)| new.as_str())
        .collect();
    let commits = new_commits(&repo, &tips, &["--all".to_owned()])?;
    protect::check_commits(&repo, &commits, "push")
}

/// update (server): the same check for one ref (`update REF OLD NEW`).
pub fn update(args: &[OsString]) -> Result<(), CommandError> {
    let [name, old, new] = args else {
        return Err(CommandError::usage("update: git passes REF OLD NEW; got something else"));
    };
    let new = new.to_string_lossy();
    let name_text = name.to_string_lossy();
    if is_trail_ref(&name_text) {
        let (repo, _quarantine) = server_repo()?;
        return check_journal_update(&repo, &old.to_string_lossy(), &new, &name_text);
    }
    if is_null(&new) {
        return Ok(());
    }
    let (repo, _quarantine) = server_repo()?;
    let commits = new_commits(&repo, &[&new], &["--all".to_owned()])?;
    protect::check_commits(&repo, &commits, &format!("update of {}", name.to_string_lossy()))
}

fn is_trail_ref(name: &str) -> bool {
    name.starts_with("refs/trail/")
}

/// A pushed update of `refs/trail/*` (server side): never a deletion, never
/// a rewrite; a clone's chain (`refs/trail/clones/<store id>`) must be
/// checkpoints of that store, signed by the key it was signed with so far,
/// whose segments continue the records the server already holds.
fn check_journal_update(repo: &Repo, old: &str, new: &str, name: &str) -> Result<(), CommandError> {
    let refuse = |why: String| {
        CommandError::refused(format!("update of {name} refused: {why}")).hint(
            "trail journals on a server are append-only: a clone adds checkpoints to its own chain and never rewrites or deletes them",
        )
    };
    if is_null(new) {
        return Err(refuse("a trail journal is never deleted".into()));
    }
    let new_id =
        ObjectId::from_hex(new.as_bytes()).map_err(|e| refuse(format!("bad id {new}: {e}")))?;
    let old_id = if is_null(old) {
        None
    } else {
        Some(ObjectId::from_hex(old.as_bytes()).map_err(|e| refuse(format!("bad id {old}: {e}")))?)
    };
    let Some(store) = name.strip_prefix(trail_sync::CLONES_PREFIX) else {
        // Any other refs/trail/* ref: fast-forwards only.
        if let Some(old_id) = old_id {
            let behind =
                protect::rev_list(repo, &[old_id.to_string(), "--not".into(), new_id.to_string()])?;
            if !behind.is_empty() {
                return Err(refuse("it is not a fast-forward".into()));
            }
        }
        return Ok(());
    };
    if !trail_sync::is_store_id(store) {
        return Err(refuse(format!("{store:?} is not a store id (32 lowercase hex digits)")));
    }
    let base = match old_id {
        Some(old_id) => {
            let link = trail_sync::read_link(&repo.git, old_id)
                .map_err(|e| refuse(format!("the chain held here does not read: {e}")))?;
            Some(trail_sync::Base {
                commit: old_id,
                head: trail_sync::Cursor { seq: link.checkpoint.seq, hash: link.checkpoint.hash },
                key: link.checkpoint.key,
            })
        }
        None => None,
    };
    trail_sync::verify_chain(&repo.git, new_id, store, base.as_ref(), |_, _| {}).map_err(|e| match e {
        trail_sync::ChainError::Rewritten { .. } => refuse(format!(
            "it is not a fast-forward: the pushed chain does not contain the one held here (up to seq {})",
            base.as_ref().map_or(0, |b| b.head.seq)
        )),
        other => refuse(format!("the pushed journal does not verify: {other}")),
    })?;
    Ok(())
}

/// pre-push: the commits about to be pushed that the remote does not have.
pub fn pre_push_protection(args: &[OsString]) -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    let remote = args.first().map(|r| r.to_string_lossy().into_owned());
    let mut tips = Vec::new();
    let mut exclude = Vec::new();
    for line in input.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [_local_ref, local, remote_ref, remote_id] = words[..] else { continue };
        if is_null(local) || is_trail_ref(remote_ref) {
            continue; // a deletion pushes no commit; trail's journals are checked by the receiver
        }
        tips.push(local.to_owned());
        if !is_null(remote_id)
            && let Ok(id) = ObjectId::from_hex(remote_id.as_bytes())
            && repo.git.has_object(id)
        {
            exclude.push(remote_id.to_owned());
        }
    }
    // What the remote is known to have: its remote-tracking branches.
    if let Some(remote) = remote.filter(|r| !r.contains('/') && !r.contains(':')) {
        exclude.push(format!("--remotes={remote}"));
    }
    let tips: Vec<&str> = tips.iter().map(String::as_str).collect();
    let commits = new_commits(&repo, &tips, &exclude)?;
    protect::check_commits(&repo, &commits, "push").map_err(|e| {
        e.hint("the server refuses these commits too when it runs trail's hooks (`trail hooks install --server`)")
    })
}

/// reference-transaction (`[protect] strict = true`): in the `prepared` state,
/// veto a branch update that brings commits with unauthorized protected
/// changes. A commit pre-commit checked in this very `git` process passes
/// without a second look, so an ordinary commit pays only for reading the
/// pending state.
pub fn reference_transaction(args: &[OsString]) -> Result<(), CommandError> {
    let input = read_stdin()?;
    if args.first().is_none_or(|state| state != "prepared") {
        return Ok(());
    }
    let branches: Vec<(String, String, String)> = updates(&input)
        .into_iter()
        .filter(|(_, new, name)| !is_null(new) && name.starts_with("refs/heads/"))
        .collect();
    if branches.is_empty() {
        return Ok(());
    }
    let (repo, _quarantine) = server_repo()?;
    let head = repo.git.head_id().ok().map(|id| id.detach());
    let (policy, _) = protect::policy_named(&repo.git, head, "HEAD")?;
    if !policy.strict() {
        return Ok(());
    }
    let pending = crate::pending::Pending::new(&repo.location).commit()?;
    let invocation = super::GitInvocation::current();
    let mut tips = Vec::new();
    for (_, new, _) in &branches {
        let Ok(id) = ObjectId::from_hex(new.as_bytes()) else { continue };
        let checked_by_pre_commit = match (&pending, &invocation) {
            (Some(prepared), Some(now))
                if prepared.invocation.as_deref() == Some(now.id.as_str()) =>
            {
                repo.git.find_commit(id).ok().is_some_and(|c| {
                    c.parent_ids().next().map(|parent| parent.to_string()) == prepared.base
                })
            }
            _ => false,
        };
        if !checked_by_pre_commit && !is_branch_tip(&repo, id) {
            tips.push(new.as_str());
        }
    }
    let commits = unreached(&repo, &tips)?;
    protect::check_commits(&repo, &commits, "branch update").map_err(|e| {
        e.hint("`[protect] strict = true` in trail.toml vetoes such updates, including commits made with --no-verify")
    })
}
