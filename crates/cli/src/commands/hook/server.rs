//! The protection checks that do not trust pre-commit: pre-push (before
//! commits leave this repository), pre-receive and update (on the server that
//! receives them: the enforcement point) and, with `[protect] strict = true`,
//! reference-transaction (before a local branch moves to a commit made with
//! `--no-verify`). Each checks every new commit with [`protect::check_commit`].

use std::ffi::OsString;
use std::io::Read as _;

use trail_git::ObjectId;
use trail_policy::{Gate, Update};

use crate::context::Repo;
use crate::error::CommandError;
use crate::{judge, protect};

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

/// pre-receive (server): refuse the whole push when one of its updates may
/// not go ahead ([`trail_policy::Gate`]): a commit changing protected paths
/// without an authorization valid under the governing policy, a rewrite or
/// deletion of a protected branch, a ref under `refs/trail/` that is not a
/// clone's journal. Tokens the push used go into the server's ledger.
pub fn pre_receive() -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    let updates = updates(&input);
    for (old, new, name) in updates.iter().filter(|(_, _, name)| is_clone_chain(name)) {
        check_journal_update(&repo, old, new, name)?;
    }
    judge_server(&repo, &updates, "push")
}

/// update (server): the same check for one ref (`update REF OLD NEW`), for
/// servers that run only this hook. Behind trail's pre-receive, which has
/// judged the whole push already, it checks journal chains only.
pub fn update(args: &[OsString]) -> Result<(), CommandError> {
    let [name, old, new] = args else {
        return Err(CommandError::usage("update: git passes REF OLD NEW; got something else"));
    };
    let (old, new) = (old.to_string_lossy(), new.to_string_lossy());
    let name = name.to_string_lossy().into_owned();
    let (repo, _quarantine) = server_repo()?;
    if is_clone_chain(&name) {
        return check_journal_update(&repo, &old, &new, &name);
    }
    if trail_pre_receive(&repo) {
        return Ok(());
    }
    let update = vec![(old.into_owned(), new.into_owned(), name.clone())];
    judge_server(&repo, &update, &format!("update of {name}"))
}

/// Whether trail's own pre-receive runs in this repository.
fn trail_pre_receive(repo: &Repo) -> bool {
    let hook = repo.location.git_dir.join("hooks").join("pre-receive");
    std::fs::read_to_string(hook).is_ok_and(|text| {
        text.contains("trail-managed-hook") && text.lines().any(|line| line == "hook=pre-receive")
    })
}

/// Judge `updates` as the server, and note the tokens they used.
fn judge_server(
    repo: &Repo,
    updates: &[(String, String, String)],
    what: &str,
) -> Result<(), CommandError> {
    let now = chrono::Utc::now();
    let updates = peeled_updates(repo, updates)?;
    // One push judges and records at a time: two pushes of one single-use
    // token must not both read the ledger before either writes it.
    let site = repo.site();
    let _lock = judge::Ledger::lock(&site)?;
    let ledger = judge::Ledger::open(&site)?;
    let default = judge::default_branch(&site)?;
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
            return Err(CommandError::refused(format!(
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
    let mut git = repo.git.clone();
    let mut history = judge::GitHistory::new(&site, &mut git, judge::Memory::Ledger(ledger))?;
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
    repo: &Repo,
    updates: &[(String, String, String)],
) -> Result<Vec<Update<ObjectId>>, CommandError> {
    let mut out = Vec::new();
    for (old, new, name) in updates {
        let peel = |id: Option<ObjectId>| -> Result<Option<ObjectId>, CommandError> {
            match id {
                Some(id) => Ok(judge::peel_to_commit(&repo.site(), id)?),
                None => Ok(None),
            }
        };
        let new_id = judge::parse_id(new);
        let new_commit = peel(new_id)?;
        if new_id.is_some() && new_commit.is_none() {
            continue;
        }
        let old_commit = match judge::parse_id(old) {
            Some(id) if repo.git.has_object(id) => peel(Some(id))?,
            _ => None,
        };
        out.push(Update { name: name.clone(), old: old_commit, new: new_commit });
    }
    Ok(out)
}

fn is_clone_chain(name: &str) -> bool {
    name.starts_with(trail_sync::CLONES_PREFIX)
}

fn is_trail_ref(name: &str) -> bool {
    name.starts_with("refs/trail/")
}

/// A pushed update of a clone's chain (`refs/trail/clones/<store id>`,
/// server side): never a deletion, never a rewrite; checkpoints of that
/// store, signed by the key it was signed with so far, whose segments
/// continue the records the server already holds.
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
    // Only clones' chains get here: the gate refuses every other name under
    // refs/trail/ (its `trail ref` check).
    let store = name.strip_prefix(trail_sync::CLONES_PREFIX).unwrap_or(name);
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

/// pre-push: judge what is about to be pushed as the server will — each
/// remote ref's update from what the remote is known to hold (a new ref:
/// from the remote's default branch) — but without keeping the remote's
/// history (the server refuses rewrites of its protected branches itself).
pub fn pre_push_protection(args: &[OsString]) -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    let remote = args.first().map(|r| r.to_string_lossy().into_owned());
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
    let updates = peeled_updates(&repo, &triples)?;
    if updates.is_empty() {
        return Ok(());
    }
    // The remote's default branch, as this clone last saw it (its HEAD, else
    // its main or master).
    let default_tip = remote.filter(|r| !r.contains('/') && !r.contains(':')).and_then(|r| {
        ["HEAD", "main", "master"].into_iter().find_map(|name| {
            let name = format!("refs/remotes/{r}/{name}");
            let mut reference = repo.git.find_reference(name.as_str()).ok()?;
            reference.peel_to_id().ok().map(|id| id.detach())
        })
    });
    let mut git = repo.git.clone();
    let site = repo.site();
    let mut history = judge::GitHistory::new(&site, &mut git, judge::Memory::Journal)?;
    let mut gate = Gate::new(&mut history, None, default_tip, chrono::Utc::now(), false);
    Ok(judge::judge_all(&mut gate, &updates, "push").map_err(|e| {
        e.hint("the server refuses these commits too when it runs trail's hooks (`trail hooks install --server`)")
    })?)
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
    let mut judged = Vec::new();
    for (old, new, name) in &branches {
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
        // No other shortcut: a commit that is already HEAD or another
        // branch's tip may still be one pre-commit never saw.
        if !checked_by_pre_commit {
            judged.push(Update { name: name.clone(), old: judge::parse_id(old), new: Some(id) });
        }
    }
    if judged.is_empty() {
        return Ok(());
    }
    let default_tip = local_default_tip(&repo);
    let mut git = repo.git.clone();
    let site = repo.site();
    let mut history = judge::GitHistory::new(&site, &mut git, judge::Memory::Journal)?;
    let mut gate = Gate::new(&mut history, None, default_tip, chrono::Utc::now(), false);
    Ok(judge::judge_all(&mut gate, &judged, "branch update").map_err(|e| {
        e.hint("`[protect] strict = true` in trail.toml vetoes such updates, including commits made with --no-verify")
    })?)
}

/// What a new local branch is judged from: the tip of `main` or `master`.
fn local_default_tip(repo: &Repo) -> Option<ObjectId> {
    ["refs/heads/main", "refs/heads/master"].into_iter().find_map(|name| {
        repo.git
            .find_reference(name)
            .ok()
            .and_then(|mut r| r.peel_to_id().ok())
            .map(|id| id.detach())
    })
}
