//! The protection check of ref updates, for the hooks that do not trust
//! pre-commit: pre-push (before commits leave this repository), pre-receive
//! and update (on the server that receives them: the enforcement point) and,
//! with `[protect] strict = true`, reference-transaction (before a local
//! branch moves to a commit made with `--no-verify`). Each judges every new
//! commit with [`trail_policy::Gate`] over [`judge::GitHistory`]. The CLI
//! reads the hook's input and finds the repository (with git's quarantine).

use std::path::Path;

use trail_git::ObjectId;
use trail_policy::{Gate, Update};

use crate::invocation::GitInvocation;
use crate::judge::{self, Site};
use crate::pending::PendingCommit;
use crate::{HookError, protect};

/// `<old> <new> <ref>` lines (pre-receive, reference-transaction).
pub fn updates(input: &str) -> Vec<(String, String, String)> {
    input
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

/// git's null id (all zeros): a ref created or deleted.
pub fn is_null(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b == b'0')
}

/// pre-receive (server): refuse the whole push when one of its updates may
/// not go ahead ([`trail_policy::Gate`]): a commit changing protected paths
/// without an authorization valid under the governing policy, a rewrite or
/// deletion of a protected branch, a ref under `refs/trail/` that is not a
/// clone's journal. Tokens the push used go into the server's ledger.
/// `input`: the hook's `<old> <new> <ref>` lines.
pub fn pre_receive(site: &Site<'_>, input: &str) -> Result<(), HookError> {
    let updates = updates(input);
    for (old, new, name) in updates.iter().filter(|(_, _, name)| is_clone_chain(name)) {
        check_journal_update(site.git, old, new, name)?;
    }
    judge_server(site, &updates, "push")
}

/// update (server): the same check for one ref (`update REF OLD NEW`), for
/// servers that run only this hook. Behind trail's pre-receive, which has
/// judged the whole push already, it checks journal chains only.
pub fn update(
    site: &Site<'_>,
    git_dir: &Path,
    name: &str,
    old: &str,
    new: &str,
) -> Result<(), HookError> {
    if is_clone_chain(name) {
        return check_journal_update(site.git, old, new, name);
    }
    if trail_pre_receive(git_dir) {
        return Ok(());
    }
    let update = vec![(old.to_owned(), new.to_owned(), name.to_owned())];
    judge_server(site, &update, &format!("update of {name}"))
}

/// Whether trail's own pre-receive runs in this repository.
fn trail_pre_receive(git_dir: &Path) -> bool {
    let hook = git_dir.join("hooks").join("pre-receive");
    std::fs::read_to_string(hook).is_ok_and(|text| {
        text.contains("trail-managed-hook") && text.lines().any(|line| line == "hook=pre-receive")
    })
}

/// Judge `updates` as the server, and note the tokens they used.
fn judge_server(
    site: &Site<'_>,
    updates: &[(String, String, String)],
    what: &str,
) -> Result<(), HookError> {
    let now = chrono::Utc::now();
    let updates = peeled_updates(site, updates)?;
    // One push judges and records at a time: two pushes of one single-use
    // token must not both read the ledger before either writes it.
    let _lock = judge::Ledger::lock(site)?;
    let ledger = judge::Ledger::open(site)?;
    let default = judge::default_branch(site)?;
    if default.tip.is_none() {
        // An empty server: the first push is trusted, but it must create the
        // branch HEAD names (or main or master), else the next push would
        // find branches and no default branch, and be refused.
        let creates = |name: &str| updates.iter().any(|u| u.name == name && u.new.is_some());
        let head = default.name.clone().unwrap_or_default();
        let branches: Vec<&Update<ObjectId>> = updates
            .iter()
            .filter(|u| u.name.starts_with("refs/heads/") && u.new.is_some())
            .collect();
        if !branches.is_empty()
            && !creates(&head)
            && !creates("refs/heads/main")
            && !creates("refs/heads/master")
        {
            return Err(HookError::refused(format!(
                "{what} refused: this server is empty and its HEAD names {head}, which this push \
                 does not create: without a default branch no later push could be judged \
                 (fast-forward check)"
            ))
            .hint(format!(
                "push {head} first, or point HEAD at the branch the team uses, on the server: \
                 `git symbolic-ref HEAD {}`",
                branches[0].name
            )));
        }
    }
    let mut git = site.git.clone();
    let mut history = judge::GitHistory::new(site, &mut git, judge::Memory::Ledger(ledger))?;
    let accepted = {
        let mut gate = Gate::new(&mut history, default.name, default.tip, now, true);
        if let Some(head) = default.unborn_head {
            gate.set_unborn_head(head);
        }
        judge::judge_all(&mut gate, &updates, what)?;
        gate.accepted().to_vec()
    };
    if let judge::Memory::Ledger(ledger) = &mut history.memory {
        ledger.record(&accepted, now)?;
    }
    Ok(())
}

/// `<old> <new> <ref>` triples as the gate's updates, tags peeled to their
/// commits. A ref whose new value is not a commit (a tag of a tree or a
/// blob) holds no history to judge: it is left out.
fn peeled_updates(
    site: &Site<'_>,
    updates: &[(String, String, String)],
) -> Result<Vec<Update<ObjectId>>, HookError> {
    let mut out = Vec::new();
    for (old, new, name) in updates {
        let peel = |id: Option<ObjectId>| -> Result<Option<ObjectId>, HookError> {
            match id {
                Some(id) => judge::peel_to_commit(site, id),
                None => Ok(None),
            }
        };
        let new_id = judge::parse_id(new);
        let new_commit = peel(new_id)?;
        if new_id.is_some() && new_commit.is_none() {
            continue;
        }
        let old_commit = match judge::parse_id(old) {
            Some(id) if site.git.has_object(id) => peel(Some(id))?,
            _ => None,
        };
        out.push(Update { name: name.clone(), old: old_commit, new: new_commit });
    }
    Ok(out)
}

pub fn is_clone_chain(name: &str) -> bool {
    name.starts_with(trail_sync::CLONES_PREFIX)
}

fn is_trail_ref(name: &str) -> bool {
    name.starts_with("refs/trail/")
}

/// A pushed update of a clone's chain (`refs/trail/clones/<store id>`,
/// server side): never a deletion, never a rewrite; checkpoints of that
/// store, signed by the key it was signed with so far, whose segments
/// continue the records the server already holds.
fn check_journal_update(
    git: &trail_git::Repository,
    old: &str,
    new: &str,
    name: &str,
) -> Result<(), HookError> {
    let refuse = |why: String| {
        HookError::refused(format!("update of {name} refused: {why}")).hint(
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
    // Only clones' chains get here: the gate refuses every other name under
    // refs/trail/ (its `trail ref` check).
    let store = name.strip_prefix(trail_sync::CLONES_PREFIX).unwrap_or(name);
    if !trail_sync::is_store_id(store) {
        return Err(refuse(format!("{store:?} is not a store id (32 lowercase hex digits)")));
    }
    let base = match old_id {
        Some(old_id) => {
            let link = trail_sync::read_link(git, old_id)
                .map_err(|e| refuse(format!("the chain held here does not read: {e}")))?;
            Some(trail_sync::Base {
                commit: old_id,
                head: trail_sync::Cursor { seq: link.checkpoint.seq, hash: link.checkpoint.hash },
                key: link.checkpoint.key,
            })
        }
        None => None,
    };
    trail_sync::verify_chain(git, new_id, store, base.as_ref(), |_, _| {}).map_err(|e| match e {
        trail_sync::ChainError::Rewritten { .. } => refuse(format!(
            "it is not a fast-forward: the pushed chain does not contain the one held here (up to seq {})",
            base.as_ref().map_or(0, |b| b.head.seq)
        )),
        other => refuse(format!("the pushed journal does not verify: {other}")),
    })?;
    Ok(())
}

/// pre-push: judge what is about to be pushed as the server will — each
/// remote ref's update from what the remote is known to hold (a new ref:
/// from the remote's default branch) — but without keeping the remote's
/// history (the server refuses rewrites of its protected branches itself).
/// pre-push: judge the commits a push sends to `remote` (a remote's name,
/// whose default branch as last fetched is the trusted tip) against the
/// protection policy, as the server would. `input`: git's
/// `<local ref> <local id> <remote ref> <remote id>` lines.
pub fn pre_push(site: &Site<'_>, remote: Option<&str>, input: &str) -> Result<(), HookError> {
    // Lines are `<local ref> <local id> <remote ref> <remote id>`: as
    // `<old> <new> <ref>` from the remote's side, peeled like the server's.
    let mut triples = Vec::new();
    for line in input.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [_local_ref, local, remote_ref, remote_id] = words[..] else { continue };
        if is_null(local) || is_trail_ref(remote_ref) {
            continue; // a deletion pushes no commit; trail's journals are checked by the receiver
        }
        triples.push((remote_id.to_owned(), local.to_owned(), remote_ref.to_owned()));
    }
    let updates = peeled_updates(site, &triples)?;
    if updates.is_empty() {
        return Ok(());
    }
    // The remote's default branch, as this clone last saw it (its HEAD, else
    // its main or master).
    let default_tip = remote.filter(|r| !r.contains('/') && !r.contains(':')).and_then(|r| {
        ["HEAD", "main", "master"].into_iter().find_map(|name| {
            let name = format!("refs/remotes/{r}/{name}");
            let mut reference = site.git.find_reference(name.as_str()).ok()?;
            reference.peel_to_id().ok().map(|id| id.detach())
        })
    });
    let mut git = site.git.clone();
    let mut history = judge::GitHistory::new(site, &mut git, judge::Memory::Journal)?;
    let mut gate = Gate::new(&mut history, None, default_tip, chrono::Utc::now(), false);
    judge::judge_all(&mut gate, &updates, "push").map_err(|e| {
        e.hint("the server refuses these commits too when it runs trail's hooks (`trail hooks install --server`)")
    })
}

/// reference-transaction (`[protect] strict = true`): in the `prepared` state,
/// veto a branch update that brings commits with unauthorized protected
/// changes. A commit pre-commit checked in this very `git` process passes
/// without a second look, so an ordinary commit pays only for reading the
/// pending state.
/// reference-transaction in its `prepared` state, with `[protect] strict`:
/// veto moving a branch to a commit pre-commit did not check (made with
/// `--no-verify`) that changes protected paths without an authorization.
/// `pending` (read only under a strict policy) and `invocation`:
/// pre-commit's state and the running `git`, which tell a commit pre-commit
/// checked. `input`: `<old> <new> <ref>` lines.
pub fn reference_transaction(
    site: &Site<'_>,
    input: &str,
    pending: &dyn Fn() -> Result<Option<PendingCommit>, HookError>,
    invocation: Option<&GitInvocation>,
) -> Result<(), HookError> {
    let branches: Vec<(String, String, String)> = updates(input)
        .into_iter()
        .filter(|(_, new, name)| !is_null(new) && name.starts_with("refs/heads/"))
        .collect();
    if branches.is_empty() {
        return Ok(());
    }
    let head = site.git.head_id().ok().map(|id| id.detach());
    let (policy, _) = protect::policy_named(site.git, head, "HEAD")?;
    if !policy.strict() {
        return Ok(());
    }
    let pending = pending()?;
    let mut judged = Vec::new();
    for (old, new, name) in &branches {
        let Ok(id) = ObjectId::from_hex(new.as_bytes()) else { continue };
        let checked_by_pre_commit = match (&pending, invocation) {
            (Some(prepared), Some(now))
                if prepared.invocation.as_deref() == Some(now.id.as_str()) =>
            {
                site.git.find_commit(id).ok().is_some_and(|c| {
                    c.parent_ids().next().map(|parent| parent.to_string()) == prepared.base
                })
            }
            _ => false,
        };
        // No other shortcut: a commit that is already HEAD or another
        // branch's tip may still be one pre-commit never saw.
        if !checked_by_pre_commit {
            judged.push(Update { name: name.clone(), old: judge::parse_id(old), new: Some(id) });
        }
    }
    if judged.is_empty() {
        return Ok(());
    }
    let default_tip = local_default_tip(site.git);
    let mut git = site.git.clone();
    let mut history = judge::GitHistory::new(site, &mut git, judge::Memory::Journal)?;
    let mut gate = Gate::new(&mut history, None, default_tip, chrono::Utc::now(), false);
    judge::judge_all(&mut gate, &judged, "branch update").map_err(|e| {
        e.hint("`[protect] strict = true` in trail.toml vetoes such updates, including commits made with --no-verify")
    })
}

/// What a new local branch is judged from: the tip of `main` or `master`.
fn local_default_tip(git: &trail_git::Repository) -> Option<ObjectId> {
    ["refs/heads/main", "refs/heads/master"].into_iter().find_map(|name| {
        git.find_reference(name).ok().and_then(|mut r| r.peel_to_id().ok()).map(|id| id.detach())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Failure;
    use crate::fixture::Repo;

    const NULL: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn hook_input_lines_and_null_ids() {
        let lines = updates("a b refs/heads/main\n\nshort\nc d refs/tags/v1 extra\n");
        assert_eq!(
            lines,
            vec![
                ("a".into(), "b".into(), "refs/heads/main".into()),
                ("c".into(), "d".into(), "refs/tags/v1".into())
            ]
        );
        assert!(is_null(NULL));
        assert!(!is_null(""), "no id is not the null id");
        assert!(!is_null("00000000000000000000000000000000000000a0"));
    }

    #[test]
    fn a_push_of_an_unauthorized_protected_change_is_refused_by_the_default_branchs_policy() {
        let repo = Repo::new();
        let (_key, line) = trail_policy::keys::generate("ada").expect("a key");
        repo.write("trail.toml", &format!("[protect]\nauthorizers = [\"{line}\"]\n"));
        let base = repo.commit("policy");
        repo.git(&["checkout", "-q", "-b", "topic"]);
        repo.write(".mcp.json", "{\"mcpServers\":{}}\n");
        let sneaky = repo.commit("add a server");
        repo.git(&["checkout", "-q", "main"]);
        let git = repo.open();
        let site = repo.site(&git);
        let input = format!("{base} {sneaky} refs/heads/main\n");
        let refused = pre_receive(&site, &input).expect_err("refused");
        assert_eq!(refused.failure, Failure::Refused);
        assert!(refused.message.contains(".mcp.json"), "{}", refused.message);
        // A push that changes nothing protected goes ahead.
        repo.git(&["checkout", "-q", "-b", "docs", &base.to_string()]);
        repo.write("README", "docs\n");
        let docs = repo.commit("docs");
        let git = repo.open();
        let site = repo.site(&git);
        pre_receive(&site, &format!("{base} {docs} refs/heads/main\n")).expect("accepted");
    }

    #[test]
    fn an_empty_server_refuses_a_first_push_without_its_default_branch() {
        let repo = Repo::new();
        // The pushed commit exists (in git's quarantine), no ref names it.
        repo.write("a.txt", "a\n");
        repo.git(&["add", "-A"]);
        let tree = repo.git(&["write-tree"]);
        let commit = repo.git(&["commit-tree", "-m", "first", &tree]);
        let git = repo.open();
        let site = repo.site(&git);
        let refused = pre_receive(&site, &format!("{NULL} {commit} refs/heads/feature\n"))
            .expect_err("refused");
        assert!(refused.message.contains("this server is empty"), "{}", refused.message);
        pre_receive(&site, &format!("{NULL} {commit} refs/heads/main\n")).expect("accepted");
    }

    #[test]
    fn a_clone_journal_ref_must_name_a_store_and_is_never_deleted() {
        let repo = Repo::new();
        repo.write("a.txt", "a\n");
        let id = repo.commit("first").to_string();
        let git = repo.open();
        let site = repo.site(&git);
        let bad = format!("{NULL} {id} refs/trail/clones/not-a-store\n");
        let refused = pre_receive(&site, &bad).expect_err("refused");
        assert!(refused.message.contains("is not a store id"), "{}", refused.message);
        let store = "0123456789abcdef0123456789abcdef";
        let deleted = format!("{id} {NULL} refs/trail/clones/{store}\n");
        let refused = pre_receive(&site, &deleted).expect_err("refused");
        assert!(refused.message.contains("never deleted"), "{}", refused.message);
    }
}
