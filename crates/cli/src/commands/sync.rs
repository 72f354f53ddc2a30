//! `trail sync`: this clone's checkpoints to a remote, the other clones'
//! from it.

use std::ffi::{OsStr, OsString};
use std::process::Stdio;

use std::io::Write as _;

use clap::{Args, Subcommand};
use serde_json::json;
use trail_git::ObjectId;
use trail_sync::{Base, CLONES_PREFIX, JOURNAL_REF, segment::Cursor};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{print_json, say};

/// Share journals through the git remote: push this clone's, pull the others'.
///
/// Every commit writes a signed checkpoint of the journal to
/// refs/trail/journal (the records since the last one, signed with this
/// store's own key, .git/trail/journal.key). `trail sync push` puts that
/// chain on the remote as refs/trail/clones/<store id>, where a local rewrite
/// can no longer touch it; `trail sync pull` fetches every other clone's
/// chain, verifies it (signatures, hash chain, continuity with what was
/// pulled before) and makes it queryable with `trail log --all-clones`.
/// Nothing is sent but the journal: no new server, only git.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail sync push                 send this clone's checkpoints to origin
  trail sync pull                 fetch and verify everyone else's
  trail log --all-clones --since \"1 day ago\"
  trail verify --against origin   is the local journal what origin holds?")]
pub struct SyncArgs {
    #[command(subcommand)]
    pub action: SyncAction,
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// Push this clone's checkpoints to REMOTE as refs/trail/clones/<store id>.
    ///
    /// A checkpoint of everything recorded so far is written first. The push
    /// is a fast-forward: a remote holding a chain this one does not continue
    /// refuses it (and trail's server hooks refuse any rewrite).
    ///
    /// --json prints one object: store, remote, pushed (false when the
    /// journal is empty), head_seq (the last checkpointed seq pushed, or
    /// null), checkpoint (the one written first: first_seq, seq, commits; or
    /// null).
    Push(RemoteArgs),
    /// Fetch the other clones' checkpoints from REMOTE and verify them.
    ///
    /// Each clone's chain must be signed by one key throughout, hash-chained
    /// from its first record, and continue what was pulled from it before. A
    /// chain that fails is reported and nothing of it is imported (exit 1);
    /// the others still are.
    ///
    /// --json prints one object per journal on the remote (JSON Lines):
    /// store, status ("this_clone", "up_to_date", "imported" or "refused"),
    /// head_seq (the last seq the remote holds; null when refused),
    /// first_seq (the first seq imported, or null), records (how many were
    /// imported) and problem (why it was refused, or null).
    Pull(RemoteArgs),
    /// Write a checkpoint of the journal now (the hooks do after every commit).
    ///
    /// --json prints one object: written (false when nothing was new),
    /// first_seq and seq (the records the new checkpoints cover; with nothing
    /// new, first_seq is null and seq is the last checkpoint's, or null),
    /// commits (checkpoint commits written).
    Checkpoint(CheckpointArgs),
}

#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// A remote's name or URL (default: `[sync] remote` in trail.toml, "origin").
    pub remote: Option<OsString>,

    /// Print the outcome as JSON on stdout (the fields are listed above);
    /// messages stay on stderr and the exit code is the same.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Print the outcome as one JSON object on stdout (the fields are listed above).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SyncArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    match args.action {
        SyncAction::Push(args) => {
            let remote = remote_or_default(&repo, args.remote)?;
            let pushed = push(&repo, &remote)?;
            if args.json {
                print_json(&pushed.to_json(&remote))?;
            }
            Ok(())
        }
        SyncAction::Pull(args) => pull(&repo, &remote_or_default(&repo, args.remote)?, args.json),
        SyncAction::Checkpoint(args) => {
            let store = repo.open_store()?;
            let written = crate::sync::checkpoint(&repo, &store)?;
            match &written {
                Some(w) => say(format_args!(
                    "checkpoint written: seq {}..{} ({} commit{} on {JOURNAL_REF})",
                    w.first,
                    w.seq,
                    w.commits,
                    if w.commits == 1 { "" } else { "s" }
                )),
                None => say("nothing new since the last checkpoint"),
            }
            if args.json {
                let value = match &written {
                    Some(w) => checkpoint_json(w),
                    None => json!({
                        "written": false,
                        "first_seq": null,
                        "seq": crate::sync::last_checkpoint(&repo).map(|c| c.seq),
                        "commits": 0,
                    }),
                };
                print_json(&value)?;
            }
            Ok(())
        }
    }
}

fn checkpoint_json(w: &trail_sync::Written) -> serde_json::Value {
    json!({"written": true, "first_seq": w.first, "seq": w.seq, "commits": w.commits})
}

/// What `push` did.
pub(crate) struct Pushed {
    pub store: String,
    /// The checkpoint written before the push, if there was anything new.
    pub written: Option<trail_sync::Written>,
    /// The last checkpointed seq pushed; `None` when the journal was empty.
    pub head_seq: Option<u64>,
}

impl Pushed {
    fn to_json(&self, remote: &OsStr) -> serde_json::Value {
        json!({
            "store": self.store,
            "remote": remote.to_string_lossy(),
            "pushed": self.head_seq.is_some(),
            "head_seq": self.head_seq,
            "checkpoint": self.written.as_ref().map(checkpoint_json),
        })
    }
}

/// The remote to use: the one given, else `[sync] remote`.
pub(crate) fn remote_or_default(
    repo: &Repo,
    given: Option<OsString>,
) -> Result<OsString, CommandError> {
    if let Some(remote) = given {
        if remote.is_empty() || remote.to_string_lossy().starts_with('-') {
            return Err(CommandError::usage(format!(
                "{:?} is not a remote name or URL",
                remote.to_string_lossy()
            )));
        }
        return Ok(remote);
    }
    let config = match &repo.location.workdir {
        Some(workdir) => crate::config::load(&workdir.join("trail.toml"))?,
        None => crate::config::Config::default(),
    };
    Ok(config.sync.remote.into())
}

/// Run git in the repository, with `-c KEY=VALUE` `settings` for this run
/// only; its messages go to the user's terminal. A failure says what git was
/// asked to do (without the settings).
fn git(repo: &Repo, settings: &[&str], args: &[&OsStr]) -> Result<(), CommandError> {
    let status = std::process::Command::new("git")
        .args(settings.iter().flat_map(|kv| ["-c", kv]))
        .args(args)
        .current_dir(&repo.cwd)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| {
            CommandError::environment(format!("cannot run git: {e}"))
                .hint("is git installed and on PATH?")
        })?;
    if !status.success() {
        let shown: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        return Err(CommandError::environment(format!(
            "`git {}` failed (git's message is above)",
            shown.join(" ")
        ))
        .hint("check the remote's name or URL (`git remote -v` lists this repository's) and that you can reach it (`git ls-remote REMOTE`)"));
    }
    Ok(())
}

/// `git fetch` of `refspec` from `remote`, without tags or FETCH_HEAD: how
/// trail brings other repositories' `refs/trail/*` into staging refs.
pub(crate) fn fetch(repo: &Repo, remote: &OsStr, refspec: &str) -> Result<(), CommandError> {
    check_remote(repo, remote)?;
    // Keep the received pack as it is: a journal's few objects are under
    // git's unpackLimit, and exploding tens of MB of segments into loose
    // objects recompresses them all (0.4 s of a 100k pull).
    git(
        repo,
        &["fetch.unpackLimit=1"],
        &[
            "fetch".as_ref(),
            "--quiet".as_ref(),
            "--no-tags".as_ref(),
            "--no-write-fetch-head".as_ref(),
            remote,
            refspec.as_ref(),
        ],
    )
}

/// A remote given by name must be one of this repository's; a URL or a path
/// is git's to judge. Said before git runs, whose own message ("does not
/// appear to be a git repository") hides the likelier cause.
pub(crate) fn check_remote(repo: &Repo, remote: &OsStr) -> Result<(), CommandError> {
    let text = remote.to_string_lossy();
    let looks_like_location = text.contains('/') || text.contains(':') || text.starts_with('.');
    if looks_like_location || std::path::Path::new(remote).exists() {
        return Ok(());
    }
    let known = repo.git.remote_names();
    if known.iter().any(|name| AsRef::<[u8]>::as_ref(name) == text.as_bytes()) {
        return Ok(());
    }
    let listed = if known.is_empty() {
        "this repository has no remotes".to_owned()
    } else {
        let names: Vec<String> = known.iter().map(|n| n.to_string()).collect();
        format!("its remotes are: {}", names.join(", "))
    };
    Err(CommandError::usage(format!("there is no remote named '{text}' ({listed})"))
        .hint(format!("add it with `git remote add {text} URL`, name another one, or set `[sync] remote` in trail.toml")))
}

pub(crate) fn push(repo: &Repo, remote: &OsStr) -> Result<Pushed, CommandError> {
    let (store_id, written) = {
        let store = repo.open_store()?;
        // What is already checkpointed can be pushed even when no new
        // checkpoint can be written (a missing key, a damaged store).
        let written = match crate::sync::checkpoint(repo, &store) {
            Ok(written) => written,
            Err(e) => {
                crate::sync::warn_checkpoint(&e);
                None
            }
        };
        (store.store_id()?, written)
    };
    let Some(tip) = trail_sync::tip_of(&repo.git, JOURNAL_REF).map_err(crate::sync::chain_error)?
    else {
        say("the journal is empty: nothing to push");
        return Ok(Pushed { store: store_id, written, head_seq: None });
    };
    let last = trail_sync::read_link(&repo.git, tip).map_err(crate::sync::chain_error)?.checkpoint;
    let refspec = format!("{JOURNAL_REF}:{CLONES_PREFIX}{store_id}");
    // After the checkpoint: it is written even when the push cannot be made.
    check_remote(repo, remote)?;
    // --no-verify: this clone's pre-push checks branch commits; the journal's
    // chain is checked by the receiving side.
    // pack.window=0: the push carries only the journal's objects, and a delta
    // search between its segments (distinct records) costs seconds and finds
    // nothing (100k records: 5.3 s → 1.8 s).
    let args: [&OsStr; 5] =
        ["push".as_ref(), "--quiet".as_ref(), "--no-verify".as_ref(), remote, refspec.as_ref()];
    git(repo, &["pack.window=0"], &args)
        .map_err(|e| {
            e.hint("a remote that refuses a non-fast-forward holds a chain this journal does not continue: `trail verify --against REMOTE` compares them")
        })?;
    say(format_args!(
        "pushed the checkpoints of store {store_id} up to seq {} to {}",
        last.seq,
        remote.to_string_lossy()
    ));
    Ok(Pushed { store: store_id, written, head_seq: Some(last.seq) })
}

/// Where fetched chains wait until they are verified.
const INCOMING: &str = "refs/trail/incoming/";

fn pull(repo: &Repo, remote: &OsStr, json: bool) -> Result<(), CommandError> {
    let own = match repo.open_store() {
        Ok(store) => Some(store.store_id()?),
        Err(_) => None,
    };
    for (name, id) in refs(repo, INCOMING)? {
        let _ = trail_sync::move_ref(&repo.git, &format!("{INCOMING}{name}"), None, Some(id));
    }
    let refspec = format!("+{CLONES_PREFIX}*:{INCOMING}*");
    fetch(repo, remote, &refspec)?;
    let mut incoming = refs(repo, INCOMING)?;
    // This clone's own store first, then the others by id: the same order
    // on every run, whatever ids the stores drew.
    incoming.sort_by_key(|(id, _)| (Some(id.as_str()) != own.as_deref(), id.clone()));
    let mut refused = 0usize;
    let mut imported = 0u64;
    let mut out = crate::output::Out::new();
    for (id, tip) in &incoming {
        let name = format!("{INCOMING}{id}");
        let outcome = pull_one(repo, id, *tip, own.as_deref());
        let _ = trail_sync::move_ref(&repo.git, &name, None, Some(*tip));
        if json {
            writeln!(out, "{}", pulled_json(id, &outcome))?;
        }
        match outcome {
            Ok(Pulled::Own(seq)) => say(format_args!(
                "store {id} (this clone): the remote holds checkpoints up to seq {seq}"
            )),
            Ok(Pulled::UpToDate(seq)) => say(format_args!("store {id}: up to date (seq {seq})")),
            Ok(Pulled::New { first, seq, records }) => {
                imported += records;
                say(format_args!(
                    "store {id}: {records} new record{} (seq {first}..{seq}), verified",
                    if records == 1 { "" } else { "s" }
                ))
            }
            Err(message) => {
                refused += 1;
                say(format_args!("store {id}: NOT IMPORTED: {message}"));
            }
        }
    }
    out.flush()?;
    if incoming.is_empty() {
        say(format_args!("{} holds no trail journals yet", remote.to_string_lossy()));
    }
    if refused > 0 {
        return Err(CommandError::refused(format!(
            "{refused} of {} journals on {} failed verification and were not imported",
            incoming.len(),
            remote.to_string_lossy()
        ))
        .hint("what was pulled before from those clones is kept; ask their owners, or the remote's administrator, what happened"));
    }
    if imported > 0 {
        say("`trail log --all-clones` shows them");
    }
    Ok(())
}

enum Pulled {
    Own(u64),
    UpToDate(u64),
    New { first: u64, seq: u64, records: u64 },
}

/// One line of `sync pull --json`: every field in every object.
fn pulled_json(id: &str, outcome: &Result<Pulled, String>) -> serde_json::Value {
    let (status, head_seq, first_seq, records, problem) = match outcome {
        Ok(Pulled::Own(seq)) => ("this_clone", Some(*seq), None, 0, None),
        Ok(Pulled::UpToDate(seq)) => ("up_to_date", Some(*seq), None, 0, None),
        Ok(Pulled::New { first, seq, records }) => {
            ("imported", Some(*seq), Some(*first), *records, None)
        }
        Err(problem) => ("refused", None, None, 0, Some(problem.as_str())),
    };
    json!({
        "store": id,
        "status": status,
        "head_seq": head_seq,
        "first_seq": first_seq,
        "records": records,
        "problem": problem,
    })
}

/// Why a journal's chain did not verify: what is wrong, and the first seq it
/// concerns when it concerns one.
#[derive(Debug, Clone)]
pub(crate) struct Unverified {
    pub problem: String,
    pub seq: Option<u64>,
}

impl From<trail_sync::ChainError> for Unverified {
    fn from(e: trail_sync::ChainError) -> Self {
        Unverified { seq: e.seq(), problem: e.to_string() }
    }
}

/// Verify the chain ending at `tip` as the journal of store `id`: `id` must
/// be a store id, every checkpoint a statement of that store signed by one
/// key, every segment continuing the one before, and (with `base`) the chain
/// must contain what was verified before. The one check `trail sync pull`
/// makes before importing a clone's journal and `trail verify --all-clones`
/// makes of every journal held here.
pub(crate) fn verify_journal(
    repo: &Repo,
    id: &str,
    tip: ObjectId,
    base: Option<&Base>,
) -> Result<trail_sync::Verified, Unverified> {
    if !trail_sync::is_store_id(id) {
        return Err(Unverified {
            problem: format!("{CLONES_PREFIX}{id} is not named by a store id"),
            seq: None,
        });
    }
    trail_sync::verify_chain(&repo.git, tip, id, base, |_, _| {}).map_err(|e| match e {
        trail_sync::ChainError::Rewritten { .. } => Unverified {
            problem: format!(
                "its chain no longer contains what was pulled from it before (seq {}): it was rewritten",
                base.map_or(0, |b| b.head.seq)
            ),
            seq: None,
        },
        other => other.into(),
    })
}

fn pull_one(repo: &Repo, id: &str, tip: ObjectId, own: Option<&str>) -> Result<Pulled, String> {
    if !trail_sync::is_store_id(id) {
        return Err(format!("{CLONES_PREFIX}{id} is not named by a store id"));
    }
    if own == Some(id) {
        let link = trail_sync::read_link(&repo.git, tip).map_err(|e| e.to_string())?;
        return Ok(Pulled::Own(link.checkpoint.seq));
    }
    let local_name = format!("{CLONES_PREFIX}{id}");
    let local = trail_sync::tip_of(&repo.git, &local_name).map_err(|e| e.to_string())?;
    let base = match local {
        Some(local) if local == tip => {
            let link = trail_sync::read_link(&repo.git, local).map_err(|e| e.to_string())?;
            return Ok(Pulled::UpToDate(link.checkpoint.seq));
        }
        Some(local) => {
            let link = trail_sync::read_link(&repo.git, local).map_err(|e| e.to_string())?;
            Some(Base {
                commit: local,
                head: Cursor { seq: link.checkpoint.seq, hash: link.checkpoint.hash.clone() },
                key: link.checkpoint.key,
            })
        }
        None => None,
    };
    let verified = verify_journal(repo, id, tip, base.as_ref()).map_err(|e| e.problem)?;
    trail_sync::move_ref(&repo.git, &local_name, Some(tip), local).map_err(|e| e.to_string())?;
    let first = base.as_ref().map_or(1, |b| b.head.seq + 1);
    Ok(Pulled::New { first, seq: verified.head.seq, records: verified.records })
}

fn refs(repo: &Repo, prefix: &str) -> Result<Vec<(String, ObjectId)>, CommandError> {
    trail_sync::refs_below(&repo.git, prefix).map_err(|e| CommandError::environment(e.to_string()))
}

/// The records of every clone pulled into this repository (not this
/// store's own), as (store id, summary, bytes), that match `query`.
pub(crate) fn clone_records(
    repo: &Repo,
    own: &str,
    query: &trail_journal::Query,
) -> Result<Vec<(String, trail_journal::query::Summary, Vec<u8>)>, CommandError> {
    let mut out = Vec::new();
    for (id, tip) in refs(repo, CLONES_PREFIX)? {
        if id == own {
            continue;
        }
        let links = trail_sync::links(&repo.git, tip, None).map_err(crate::sync::chain_error)?;
        for link in links {
            let blob =
                trail_sync::segment_bytes(&repo.git, &link).map_err(crate::sync::chain_error)?;
            for line in blob.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let matched = trail_journal::query::matches_record(query, line).map_err(|e| {
                    CommandError::refused(format!("a record of store {id} cannot be read: {e}"))
                })?;
                if let Some(summary) = matched {
                    out.push((id.clone(), summary, line.to_vec()));
                }
            }
        }
    }
    Ok(out)
}
