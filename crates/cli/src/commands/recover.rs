//! `trail recover`

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;
use trail_journal::{LogStore, SledStore};
use trail_sync::{CLONES_PREFIX, JOURNAL_REF};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{print_json, say};

/// Rebuild a deleted or damaged journal from its checkpoints.
///
/// Every commit writes a signed checkpoint of the journal to
/// refs/trail/journal (the records since the last one). `trail recover`
/// verifies that chain (signatures and hashes), builds a new store from it
/// beside the old one, adds the records after the last checkpoint that the
/// damaged store still holds and that continue the chain, and only then
/// swaps the two. The damaged store is kept as journal.damaged-TIME, never
/// deleted. It says how many records came back and whether any recorded
/// after the last checkpoint were lost (exit 1 if so).
///
/// With --from REMOTE the checkpoints come from the copy `trail sync push`
/// left on REMOTE (refs/trail/clones/<store id>): what to use when this
/// repository's refs are gone too. Stop the watcher first.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail recover                   from refs/trail/journal in this repository
  trail recover --from origin     from the checkpoints pushed to origin")]
pub struct RecoverArgs {
    /// Take the checkpoints from REMOTE instead of refs/trail/journal.
    #[arg(long, value_name = "REMOTE")]
    pub from: Option<OsString>,

    /// The store to recover (its 32-hex id), when trail cannot tell: with
    /// --from, after refs/trail/journal and the store's key are gone too.
    #[arg(long, value_name = "STORE_ID")]
    pub store: Option<String>,

    /// Rebuild even when the journal verifies and holds every checkpointed record.
    #[arg(long)]
    pub force: bool,

    /// Print the outcome as one JSON object on stdout: recovered (false when
    /// there was nothing to recover), store, source, checkpointed_seq (the
    /// last checkpointed record), records (taken from the checkpoints),
    /// commits, last_checkpoint_time, salvaged (records after the last
    /// checkpoint kept from the old journal), head_seq (where the journal
    /// now ends), kept (where the damaged journal was moved, or null) and
    /// lost (the first and last seq of lost records, or null). Messages stay
    /// on stderr; the exit code is the same.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RecoverArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let trail_dir = repo.location.trail_dir();
    if trail_service::Client::connect(&trail_dir).ok().flatten().is_some() {
        return Err(CommandError::refused("the watcher is running and owns the journal")
            .hint("stop it first: `trail daemon stop`, then run `trail recover` again"));
    }
    if let Some(store) = &args.store
        && !trail_sync::is_store_id(store)
    {
        return Err(CommandError::usage(format!(
            "--store {store:?} is not a store id (32 lowercase hex digits)"
        ))
        .hint("`git ls-remote REMOTE 'refs/trail/clones/*'` lists the stores a remote holds; `trail status` shows this one's"));
    }
    let local_tip = trail_sync::tip_of(&repo.git, JOURNAL_REF).map_err(crate::sync::chain_error)?;
    let (store_id, tip, source) = match &args.from {
        None => {
            let Some(tip) = local_tip else {
                return Err(CommandError::refused(format!(
                    "there are no checkpoints to recover from: {JOURNAL_REF} does not exist"
                ))
                .hint("`trail recover --from REMOTE` uses the checkpoints pushed to a remote"));
            };
            let link = trail_sync::read_link(&repo.git, tip).map_err(crate::sync::chain_error)?;
            if let Some(wanted) = &args.store
                && *wanted != link.checkpoint.store
            {
                return Err(CommandError::refused(format!(
                    "{JOURNAL_REF} holds store {}, not {wanted}",
                    link.checkpoint.store
                ))
                .hint(
                    "`trail recover --from REMOTE --store ID` recovers another store from a remote",
                ));
            }
            (link.checkpoint.store, tip, JOURNAL_REF.to_owned())
        }
        Some(remote) => {
            let (id, tip) = fetch_from(&repo, remote, args.store.as_deref(), local_tip)?;
            let source = format!("{} ({CLONES_PREFIX}{id})", remote.to_string_lossy());
            (id, tip, source)
        }
    };

    let path = repo.store_path();
    let building = sibling(&path, ".recovering");
    remove_store(&building)?;
    let created = trail_journal::Timestamp::now().to_rfc3339();
    let fresh = SledStore::create_as(&building, &store_id, &created)?;
    // The records go into the new store (on another thread) while the chain
    // is still being read and verified here, so the two overlap. Nothing is
    // trusted until `verify_chain` returns Ok: a failure of either deletes
    // what was built.
    let (records_tx, records_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(4);
    let (verified, restored) = std::thread::scope(|scope| {
        let fresh = &fresh;
        let restorer = scope.spawn(move || fresh.restore(records_rx.into_iter().flatten()));
        let mut chunk = Vec::with_capacity(RECORDS_PER_SEND);
        let mut taken = true;
        let verified = trail_sync::verify_chain(&repo.git, tip, &store_id, None, |_, bytes| {
            if !taken {
                return; // restore stopped: its error says why
            }
            chunk.push(bytes.to_vec());
            if chunk.len() == RECORDS_PER_SEND {
                taken = records_tx.send(std::mem::take(&mut chunk)).is_ok();
            }
        });
        if taken {
            let _ = records_tx.send(chunk);
        }
        drop(records_tx);
        let restored = restorer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (verified, restored)
    });
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            drop(fresh);
            let _ = remove_store(&building);
            return Err(CommandError::refused(format!(
                "the checkpoints in {source} do not verify: {e}"
            ))
            .hint("nothing was changed; a copy on a remote may still be intact: `trail recover --from REMOTE`"));
        }
    };
    if let Err(e) = restored {
        drop(fresh);
        let _ = remove_store(&building);
        return Err(CommandError::environment(format!("cannot build the new journal: {e}")));
    }
    let checkpointed = verified.head.clone();

    // The old store: is there anything to do, and what can it still give?
    let old = Old::inspect(&path, &checkpointed)?;
    let outcome = |recovered: bool, salvaged: u64, head: u64, kept: Option<&Path>, lost| {
        serde_json::json!({
            "recovered": recovered,
            "store": store_id,
            "source": source,
            "checkpointed_seq": checkpointed.seq,
            "records": verified.records,
            "commits": verified.commits,
            "last_checkpoint_time": verified.last.as_ref().map(|c| c.time.as_str()),
            "salvaged": salvaged,
            "head_seq": head,
            "kept": kept.map(|k| k.display().to_string()),
            "lost": lost,
        })
    };
    if old.intact && !args.force {
        drop(fresh);
        remove_store(&building)?;
        say(format_args!(
            "the journal verifies and holds every checkpointed record (up to seq {}): nothing to recover",
            checkpointed.seq
        ));
        say("`trail recover --force` rebuilds it anyway");
        if args.json {
            let head = old.acknowledged.unwrap_or(checkpointed.seq);
            print_json(&outcome(false, 0, head, None, None))?;
        }
        return Ok(());
    }
    let salvaged = old.salvage.len() as u64;
    if salvaged > 0 {
        fresh.restore(old.salvage.clone()).map_err(|e| {
            CommandError::environment(format!("cannot add the salvaged records: {e}"))
        })?;
    }
    let head = fresh.head()?;
    drop(fresh);

    // The swap: the damaged store (and its mark) step aside, kept; the new
    // one takes their place.
    let kept = free_name(&path)?;
    let mark = sibling(&path, ".head");
    if path.exists() {
        rename(&path, &kept)?;
        if mark.exists() {
            rename(&mark, &sibling(&kept, ".head"))?;
        }
    }
    rename(&building, &path)?;
    let built_mark = sibling(&building, ".head");
    if built_mark.exists() {
        rename(&built_mark, &mark)?;
    }
    if let Some(remote_tip) = args.from.as_ref().map(|_| tip) {
        adopt_remote_chain(&repo, local_tip, remote_tip);
    }

    say(format_args!(
        "recovered {} (seq 1..{}) from {source}: {}, the last written {}",
        crate::output::plural(verified.records, "record"),
        checkpointed.seq,
        crate::output::plural(verified.commits as u64, "checkpoint commit"),
        verified.last.as_ref().map_or("never", |c| c.time.as_str())
    ));
    if salvaged > 0 {
        say(format_args!(
            "added {salvaged} records recorded after the last checkpoint (seq {}..{}) that the damaged journal still held",
            checkpointed.seq + 1,
            head.seq
        ));
    }
    let kept = (path.exists() && kept.exists()).then_some(kept);
    if let Some(kept) = &kept {
        say(format_args!("the damaged journal is kept at {}", kept.display()));
    }
    // No reindex here: `restore` wrote the index keys of every record it put
    // back (the same `index::entries_of` that `reindex` uses) into a store
    // that started empty, so rebuilding them gave the same indexes again — and
    // cost more than the restore itself (82 s of 152 s for a million records:
    // clearing five large sled trees key by key, then refilling them).
    // `trail verify` checks the indexes against the records.
    let store = repo.open_store()?;
    // Records a hook could not write into the damaged journal waited in the
    // spool; they belong after what came back.
    let before = store.head()?.seq;
    match crate::pending::write_spooled(&repo, &store) {
        Ok(0) => {}
        Ok(n) => say(format_args!(
            "wrote {} that waited in .git/trail/pending/spool (seq {}..{})",
            crate::output::plural(n, "record"),
            before + 1,
            before + n
        )),
        Err(e) => say(format_args!(
            "warning: the records waiting in .git/trail/pending/spool were not written: {} (the next commit tries again)",
            e.message
        )),
    }
    if let Err(e) = crate::sync::checkpoint(&repo, &store) {
        crate::sync::warn_checkpoint(&e);
    }
    if args.json {
        let lost = old.acknowledged.filter(|ack| *ack > head.seq).map(|ack| [head.seq + 1, ack]);
        print_json(&outcome(true, salvaged, head.seq, kept.as_deref(), lost))?;
    }
    match old.acknowledged {
        Some(ack) if ack > head.seq => Err(CommandError::refused(format!(
            "records {}..{ack} were lost: they were recorded after the last checkpoint and the damaged journal no longer holds them",
            head.seq + 1
        ))
        .hint(format!("the journal now ends at seq {}; new records continue from there", head.seq))
        .hint("`trail import` records again the commits among them (from git's history); saves between commits cannot be brought back")),
        Some(_) => {
            say(format_args!("nothing was lost: the journal ends at seq {}, as before", head.seq));
            Ok(())
        }
        None => {
            say(format_args!(
                "the journal ends at seq {}; whether records were made after the last checkpoint cannot be known (the old journal and its high-water mark are gone)",
                head.seq
            ));
            say("`trail import` records again any commit the journal lacks (from git's history)");
            Ok(())
        }
    }
}

/// What the store being replaced can tell and give.
struct Old {
    /// It verifies and holds every checkpointed record.
    intact: bool,
    /// The records after the last checkpoint that continue the chain.
    salvage: Vec<Vec<u8>>,
    /// The last seq it is known to have acknowledged (its high-water mark or
    /// its head), when anything of it remains.
    acknowledged: Option<u64>,
}

impl Old {
    fn inspect(path: &Path, checkpointed: &trail_sync::Cursor) -> Result<Old, CommandError> {
        let mark = read_mark(&sibling(path, ".head"));
        let store = match SledStore::open_for_salvage(path) {
            Ok(store) => store,
            Err(trail_journal::OpenError::NotInitialized { .. }) => {
                return Ok(Old { intact: false, salvage: Vec::new(), acknowledged: mark });
            }
            Err(trail_journal::OpenError::Locked { .. }) => {
                return Err(CommandError::environment("the journal is in use by another process")
                    .hint("wait for it to finish (a hook, `trail watch`), then try again"));
            }
            Err(e) => {
                say(format_args!(
                    "the journal does not open ({e}); nothing can be salvaged from it"
                ));
                return Ok(Old { intact: false, salvage: Vec::new(), acknowledged: mark });
            }
        };
        let head = store.head().ok();
        let acknowledged = [mark, head.as_ref().map(|h| h.seq)].into_iter().flatten().max();
        let hash_at = |seq: u64| -> Option<String> {
            if seq == 0 {
                return Some(trail_journal::record::GENESIS_PREV.to_owned());
            }
            let bytes = store.get_raw(seq).ok()??;
            trail_journal::chain::check(&bytes).ok().map(|c| c.hash)
        };
        // Salvage only what continues the checkpointed chain.
        let mut salvage = Vec::new();
        if hash_at(checkpointed.seq).as_deref() == Some(checkpointed.hash.as_str()) {
            let mut prev = checkpointed.hash.clone();
            let after = checkpointed.seq + 1;
            for (expected, item) in (after..).zip(store.scan_raw(after..=u64::MAX, false)) {
                let Ok((seq, bytes)) = item else { break };
                let Ok(checked) = trail_journal::chain::check(&bytes) else { break };
                if seq != expected || checked.seq != seq || checked.prev != prev {
                    break;
                }
                prev = checked.hash;
                salvage.push(bytes);
            }
        }
        let intact = head.as_ref().is_some_and(|h| h.seq >= checkpointed.seq)
            && hash_at(checkpointed.seq).as_deref() == Some(checkpointed.hash.as_str())
            && mark.is_none_or(|m| head.as_ref().is_some_and(|h| h.seq >= m))
            && trail_journal::verify(&store).is_ok_and(|r| r.ok());
        Ok(Old { intact, salvage, acknowledged })
    }
}

/// Records handed from the chain's reader to the restoring thread at a time.
const RECORDS_PER_SEND: usize = 1_000;

/// `--from REMOTE`: fetch the chain of the store to recover; returns its id
/// and tip.
fn fetch_from(
    repo: &Repo,
    remote: &std::ffi::OsStr,
    wanted: Option<&str>,
    local_tip: Option<trail_git::ObjectId>,
) -> Result<(String, trail_git::ObjectId), CommandError> {
    const STAGING: &str = "refs/trail/recover/";
    for (name, id) in trail_sync::refs_below(&repo.git, STAGING)
        .map_err(|e| CommandError::environment(e.to_string()))?
    {
        let _ = trail_sync::move_ref(&repo.git, &format!("{STAGING}{name}"), None, Some(id));
    }
    let refspec = format!("+{CLONES_PREFIX}*:{STAGING}*");
    crate::commands::sync::fetch(repo, remote, &refspec)?;
    let found = trail_sync::refs_below(&repo.git, STAGING)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    let local_id = local_tip
        .and_then(|tip| trail_sync::read_link(&repo.git, tip).ok())
        .map(|l| l.checkpoint.store);
    let key = crate::sync::load_key(repo).ok().flatten().map(|k| k.public().to_line());
    let chosen = match (wanted, local_id) {
        (Some(id), _) => found.iter().find(|(name, _)| name == id),
        (None, Some(id)) => found.iter().find(|(name, _)| *name == id),
        (None, None) => found.iter().find(|(_, tip)| {
            key.as_ref().is_some_and(|key| {
                trail_sync::read_link(&repo.git, *tip).is_ok_and(|l| l.checkpoint.key == *key)
            })
        }),
    };
    // The staging refs go; the chosen tip is held by the caller until the
    // store is rebuilt (and then by refs/trail/journal).
    for (name, id) in &found {
        let _ = trail_sync::move_ref(&repo.git, &format!("{STAGING}{name}"), None, Some(*id));
    }
    match chosen {
        Some((id, tip)) => Ok((id.clone(), *tip)),
        None => {
            let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
            Err(CommandError::refused(format!(
                "{} holds no checkpoints of {}",
                remote.to_string_lossy(),
                wanted.map_or("this store".to_owned(), |w| format!("store {w}"))
            ))
            .hint(if ids.is_empty() {
                "it holds no trail journals at all".to_owned()
            } else {
                format!("it holds stores {}; name one with --store ID", ids.join(", "))
            }))
        }
    }
}

/// After recovering from a remote: refs/trail/journal follows the remote's
/// chain when it has none or is behind it; a diverging local chain is kept
/// and said.
fn adopt_remote_chain(
    repo: &Repo,
    local: Option<trail_git::ObjectId>,
    remote: trail_git::ObjectId,
) {
    let behind = match local {
        None => true,
        Some(local) if local == remote => return,
        Some(local) => trail_sync::links(&repo.git, remote, Some(local)).is_ok(),
    };
    if behind {
        if let Err(e) = trail_sync::move_ref(&repo.git, JOURNAL_REF, Some(remote), local) {
            say(format_args!("warning: {JOURNAL_REF} was not updated: {e}"));
        }
    } else {
        say(format_args!(
            "warning: {JOURNAL_REF} diverges from the remote's chain; it was left as it is (checkpoints stop until it is resolved)"
        ));
    }
}

/// `journal.damaged-<time>`, with `-2`, `-3`, … when a store was already set
/// aside in the same second (neither it nor its mark is ever overwritten).
fn free_name(path: &Path) -> Result<PathBuf, CommandError> {
    let stamp = trail_journal::Timestamp::now().0.format("%Y%m%dT%H%M%SZ").to_string();
    for n in 1..1000 {
        let suffix = match n {
            1 => format!(".damaged-{stamp}"),
            n => format!(".damaged-{stamp}-{n}"),
        };
        let candidate = sibling(path, &suffix);
        if !candidate.exists() && !sibling(&candidate, ".head").exists() {
            return Ok(candidate);
        }
    }
    Err(CommandError::environment(format!(
        "cannot find a free name to keep the damaged journal beside {}",
        path.display()
    ))
    .hint("move the old journal.damaged-* directories somewhere else"))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

fn read_mark(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn rename(from: &Path, to: &Path) -> Result<(), CommandError> {
    std::fs::rename(from, to).map_err(|e| {
        CommandError::environment(format!(
            "cannot move {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

/// Remove a half-built store left by an interrupted `trail recover`.
fn remove_store(path: &Path) -> Result<(), CommandError> {
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot remove {}: {e}", path.display()))
    };
    match std::fs::remove_dir_all(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(cannot(e)),
    }
    match std::fs::remove_file(sibling(path, ".head")) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(cannot(e)),
    }
}
