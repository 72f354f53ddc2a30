//! `trail recover`

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};
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
    // A swap that was interrupted is finished before anything else: its
    // rebuilt journal is complete, and the old one may already be aside.
    if let Some(swap) = Swap::read(&trail_dir)? {
        say(format_args!(
            "finishing the `trail recover` of {} that was interrupted while it put the rebuilt journal in place",
            swap.started
        ));
        return finish(&repo, swap, args.json);
    }
    if let Some(store) = &args.store
        && !trail_sync::is_store_id(store)
    {
        return Err(CommandError::usage(format!(
            "--store {store:?} is not a store id (32 lowercase hex digits)"
        ))
        .hint("`git ls-remote REMOTE 'refs/trail/clones/*'` lists the stores a remote holds; `trail status` shows this one's"));
    }
    let path = repo.store_path();
    // A journal this user may not read is not damaged: it is never set
    // aside (nothing could be salvaged from it, and it still holds every record).
    SledStore::check_access(&path).map_err(refuse_unreadable)?;
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

    let building = SledStore::rebuild_path(&path);
    remove_store(&building)?;
    let created = trail_journal::Timestamp::now().to_rfc3339();
    let fresh = SledStore::create_as(&building, &store_id, &created).map_err(|e| {
        let _ = remove_store(&building);
        match e {
            trail_journal::OpenError::DiskFull { path, source } => {
                CommandError::environment(format!(
                    "cannot build the new journal at {}: the disk is full ({source})",
                    path.display()
                ))
                .hint("free space on that filesystem, then run `trail recover` again; nothing was changed")
            }
            e @ trail_journal::OpenError::Permission { .. } => {
                let mut refused = CommandError::from(e);
                refused.hints.truncate(1);
                refused.hint("`trail recover` builds the new journal beside the old one; nothing was changed")
            }
            e => CommandError::from(e),
        }
    })?;
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
    let old = match Old::inspect(&path, &checkpointed) {
        Ok(old) => old,
        Err(e) => {
            drop(fresh);
            let _ = remove_store(&building);
            return Err(e);
        }
    };
    let mut outcome = Outcome {
        store: store_id.clone(),
        source: source.clone(),
        checkpointed_seq: checkpointed.seq,
        records: verified.records,
        commits: verified.commits as u64,
        last_checkpoint_time: verified.last.as_ref().map(|c| c.time.clone()),
        salvaged: 0,
        head_seq: checkpointed.seq,
        acknowledged: old.acknowledged,
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
            outcome.head_seq = old.acknowledged.unwrap_or(checkpointed.seq);
            print_json(&outcome.json(false, None))?;
        }
        return Ok(());
    }
    let salvaged = old.salvage.len() as u64;
    if salvaged > 0 {
        fresh.restore(old.salvage.clone()).map_err(|e| {
            CommandError::environment(format!("cannot add the salvaged records: {e}"))
        })?;
    }
    outcome.salvaged = salvaged;
    outcome.head_seq = fresh.head()?.seq;
    drop(fresh);

    // The rebuilt store is complete and closed: the swap is written down
    // (durably) before its first step, so that if this process dies during
    // it, the next `trail recover` finishes it instead of starting over.
    let mark = sibling(&path, ".head");
    let kept = match exists(&path)? || exists(&mark)? {
        true => Some(free_name(&path)?),
        false => None,
    };
    let swap = Swap {
        started: created,
        store: file_name(&path)?,
        built: file_name(&building)?,
        kept: kept.as_deref().map(file_name).transpose()?,
        remote_tip: args.from.as_ref().map(|_| tip.to_string()),
        local_tip: local_tip.map(|t| t.to_string()),
        outcome,
    };
    if let Err(e) = swap.write(&trail_dir) {
        // Nothing was swapped: no plan, no rebuild is left behind.
        let _ = Swap::remove(&trail_dir);
        let _ = remove_store(&building);
        return Err(e);
    }
    trail_failpoint::hit("recover.swap.planned");
    finish(&repo, swap, args.json)
}

/// What a recovery found and did, for its report (kept in the [`Swap`] so
/// that a finished interrupted swap reports the same).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outcome {
    store: String,
    source: String,
    checkpointed_seq: u64,
    records: u64,
    commits: u64,
    last_checkpoint_time: Option<String>,
    /// Records after the last checkpoint taken from the old store.
    salvaged: u64,
    /// Where the rebuilt journal ends.
    head_seq: u64,
    /// The last seq the old store is known to have acknowledged.
    acknowledged: Option<u64>,
}

impl Outcome {
    fn lost(&self) -> Option<[u64; 2]> {
        self.acknowledged.filter(|ack| *ack > self.head_seq).map(|ack| [self.head_seq + 1, ack])
    }

    fn json(&self, recovered: bool, kept: Option<&Path>) -> serde_json::Value {
        serde_json::json!({
            "recovered": recovered,
            "store": self.store,
            "source": self.source,
            "checkpointed_seq": self.checkpointed_seq,
            "records": self.records,
            "commits": self.commits,
            "last_checkpoint_time": self.last_checkpoint_time,
            "salvaged": self.salvaged,
            "head_seq": self.head_seq,
            "kept": kept.map(|k| k.display().to_string()),
            "lost": self.lost(),
        })
    }
}

/// The swap of a rebuilt journal into place, as `.git/trail/recover.json`:
/// written (fsync'd, renamed into place, the directory fsync'd) before its
/// first step and removed after its last, so that a `trail recover` killed
/// anywhere in between leaves a plan the next one finishes. Each step is one
/// rename, and which have been done is read from the files themselves (see
/// [`Swap::carry_out`]), so finishing never repeats or skips one.
#[derive(Debug, Serialize, Deserialize)]
struct Swap {
    /// When the recovery began (RFC 3339).
    started: String,
    /// File names in the trail directory: the store, its rebuilt replacement,
    /// and where the old store and its mark go (none when there was neither).
    store: String,
    built: String,
    kept: Option<String>,
    /// With --from: the remote chain's tip, and the local one it may replace.
    remote_tip: Option<String>,
    local_tip: Option<String>,
    outcome: Outcome,
}

const SWAP_FILE: &str = "recover.json";

impl Swap {
    fn read(trail_dir: &Path) -> Result<Option<Swap>, CommandError> {
        let path = trail_dir.join(SWAP_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CommandError::environment(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            CommandError::environment(format!(
                "{} (the plan of an interrupted `trail recover`) cannot be read: {e}",
                path.display()
            ))
            .hint(format!(
                "look at {} and the journal* entries beside it; once the journal is where it belongs, delete the plan",
                trail_dir.display()
            ))
        })
    }

    fn write(&self, trail_dir: &Path) -> Result<(), CommandError> {
        use std::io::Write as _;
        let path = trail_dir.join(SWAP_FILE);
        let cannot = |e: std::io::Error| {
            CommandError::environment(format!("cannot write {}: {e}", path.display()))
                .hint("nothing was swapped; the old journal is where it was")
        };
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| CommandError::environment(format!("cannot encode the plan: {e}")))?;
        let mut tmp = tempfile::NamedTempFile::new_in(trail_dir).map_err(cannot)?;
        tmp.write_all(&bytes).map_err(cannot)?;
        tmp.as_file().sync_all().map_err(cannot)?;
        tmp.persist(&path).map_err(|e| cannot(e.error))?;
        sync_dir(trail_dir)
    }

    fn remove(trail_dir: &Path) -> Result<(), CommandError> {
        let path = trail_dir.join(SWAP_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => sync_dir(trail_dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => {
                Err(CommandError::environment(format!("cannot remove {}: {e}", path.display())))
            }
        }
    }

    /// Do the renames not done yet, in order: the old store, then its mark,
    /// step aside (kept); the rebuilt store, then its mark, take their place.
    /// While the rebuilt store is still beside the old one, nothing of it is
    /// in place; once it is in place, only its mark may remain to move (and a
    /// mark already there was written by the new store since: it stays).
    /// Returns false when the rebuilt store is gone without having been put
    /// in place: then the old store is where it was, or was put back.
    fn carry_out(&self, trail_dir: &Path) -> Result<bool, CommandError> {
        let store = trail_dir.join(&self.store);
        let built = trail_dir.join(&self.built);
        let mark = sibling(&store, ".head");
        let built_mark = sibling(&built, ".head");
        let kept = self.kept.as_ref().map(|k| trail_dir.join(k));
        if exists(&built)? {
            match &kept {
                Some(kept) => {
                    if exists(&store)? {
                        rename(&store, kept)?;
                        sync_dir(trail_dir)?;
                        trail_failpoint::hit("recover.swap.old-moved");
                    }
                    if exists(&mark)? {
                        rename(&mark, &sibling(kept, ".head"))?;
                        sync_dir(trail_dir)?;
                        trail_failpoint::hit("recover.swap.old-mark-moved");
                    }
                }
                None if exists(&store)? || exists(&mark)? => {
                    // `SledStore::create` refuses to make a store while the
                    // rebuilt one waits, so someone put this here by hand.
                    return Err(CommandError::refused(format!(
                        "{} appeared while `trail recover` was putting {} in its place",
                        store.display(),
                        built.display()
                    ))
                    .hint(format!(
                        "move {} (and {}) aside, then run `trail recover` again",
                        store.display(),
                        mark.display()
                    )));
                }
                None => {}
            }
            rename(&built, &store)?;
            sync_dir(trail_dir)?;
            trail_failpoint::hit("recover.swap.new-moved");
        } else if exists(&store)?
            && let Some(kept) = &kept
            && !exists(kept)?
            && !exists(&sibling(kept, ".head"))?
        {
            // The rebuilt store is gone, and the old store and its mark
            // never stepped aside (the first renames): the swap never began.
            if exists(&built_mark)? {
                remove_file(&built_mark)?;
            }
            return Ok(false);
        } else if !exists(&store)? {
            // The rebuilt store is gone and nothing took the old one's place:
            // the old store goes back where it was.
            if let Some(kept) = &kept {
                let kept_mark = sibling(kept, ".head");
                if exists(kept)? {
                    rename(kept, &store)?;
                }
                if exists(&kept_mark)? && !exists(&mark)? {
                    rename(&kept_mark, &mark)?;
                }
                sync_dir(trail_dir)?;
            }
            if exists(&built_mark)? {
                remove_file(&built_mark)?;
            }
            return Ok(false);
        }
        if exists(&built_mark)? {
            if exists(&mark)? {
                remove_file(&built_mark)?;
            } else {
                rename(&built_mark, &mark)?;
            }
            sync_dir(trail_dir)?;
            trail_failpoint::hit("recover.swap.new-mark-moved");
        }
        Ok(true)
    }
}

/// Put the rebuilt journal in place (or finish doing so), then what follows:
/// the remote's chain adopted, the spool written, a checkpoint, the report.
/// The plan goes last, so that a recovery killed before it reported reports
/// on the next run.
fn finish(repo: &Repo, swap: Swap, json: bool) -> Result<(), CommandError> {
    let trail_dir = repo.location.trail_dir();
    if !swap.carry_out(&trail_dir)? {
        Swap::remove(&trail_dir)?;
        return Err(CommandError::refused(format!(
            "the journal rebuilt by the interrupted `trail recover` ({}) is gone; the old journal is where it was",
            trail_dir.join(&swap.built).display()
        ))
        .hint("run `trail recover` again to rebuild it"));
    }
    let outcome = &swap.outcome;
    if let Some(remote) = swap.remote_tip.as_deref().and_then(parse_oid) {
        let local = swap.local_tip.as_deref().and_then(parse_oid);
        adopt_remote_chain(repo, local, remote);
    }
    trail_failpoint::hit("recover.swap.adopted");

    say(format_args!(
        "recovered {} (seq 1..{}) from {}: {}, the last written {}",
        crate::output::plural(outcome.records, "record"),
        outcome.checkpointed_seq,
        outcome.source,
        crate::output::plural(outcome.commits, "checkpoint commit"),
        outcome.last_checkpoint_time.as_deref().unwrap_or("never")
    ));
    if outcome.salvaged > 0 {
        say(format_args!(
            "added {} records recorded after the last checkpoint (seq {}..{}) that the damaged journal still held",
            outcome.salvaged,
            outcome.checkpointed_seq + 1,
            outcome.head_seq
        ));
    }
    let kept = swap.kept.as_ref().map(|k| trail_dir.join(k)).filter(|k| k.exists());
    if let Some(kept) = &kept {
        say(format_args!("the damaged journal is kept at {}", kept.display()));
    }
    // The swap is done: from here on, a failure is said and the recovery
    // still reports and ends (a plan left behind would make every later
    // `trail recover` finish it again instead of doing what it is asked).
    let after = spool_and_checkpoint(repo);
    if let Err(e) = &after {
        say(format_args!(
            "warning: the recovered journal could not be opened to write the spooled records and a checkpoint: {} (the next commit does both)",
            e.message
        ));
    }
    if json {
        print_json(&outcome.json(true, kept.as_deref()))?;
    }
    let head = outcome.head_seq;
    let result = match outcome.acknowledged {
        Some(ack) if ack > head => Err(CommandError::refused(format!(
            "records {}..{ack} were lost: they were recorded after the last checkpoint and the damaged journal no longer holds them",
            head + 1
        ))
        .hint(format!("the journal now ends at seq {head}; new records continue from there"))
        .hint("`trail import` records again the commits among them (from git's history); saves between commits cannot be brought back")),
        Some(_) => {
            say(format_args!("nothing was lost: the journal ends at seq {head}, as before"));
            Ok(())
        }
        None => {
            say(format_args!(
                "the journal ends at seq {head}; whether records were made after the last checkpoint cannot be known (the old journal and its high-water mark are gone)"
            ));
            say("`trail import` records again any commit the journal lacks (from git's history)");
            Ok(())
        }
    };
    trail_failpoint::hit("recover.swap.reported");
    Swap::remove(&trail_dir)?;
    result.and(after)
}

/// After a swap: the records that waited in the spool go into the recovered
/// journal, and a checkpoint covers what was salvaged.
fn spool_and_checkpoint(repo: &Repo) -> Result<(), CommandError> {
    // No reindex here: `restore` wrote the index keys of every record it put
    // back (the same `index::entries_of` that `reindex` uses) into a store
    // that started empty, so rebuilding them gave the same indexes again — and
    // cost more than the restore itself (82 s of 152 s for a million records:
    // clearing five large sled trees key by key, then refilling them).
    // `trail verify` checks the indexes against the records.
    // Not open_store: what waits in the spool is written below, and said.
    let store = repo.gateway().open()?;
    // Records a hook could not write into the damaged journal waited in the
    // spool; they belong after what came back.
    let before = store.head()?.seq;
    match crate::pending::write_spooled(repo, &store) {
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
    if let Err(e) = crate::sync::checkpoint(repo, &store) {
        crate::sync::warn_checkpoint(&e);
    }
    Ok(())
}

fn parse_oid(hex: &str) -> Option<trail_git::ObjectId> {
    trail_git::ObjectId::from_hex(hex.as_bytes()).ok()
}

/// `trail recover` on a journal this user may not read (or whose mark it may
/// not read): refused, with what to do instead.
fn refuse_unreadable(e: trail_journal::OpenError) -> CommandError {
    let permission = matches!(e, trail_journal::OpenError::Permission { .. });
    let mut refused = CommandError::from(e);
    if permission {
        // In place of "`trail recover` is not the fix": this is it refusing.
        refused.hints.truncate(1);
        refused = refused.hint("`trail recover` leaves a journal it cannot read where it is: it is not damaged, and setting it aside would lose the records only it holds");
    }
    refused
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
        let mark = read_mark(&sibling(path, ".head"))?;
        let store = match SledStore::open_for_salvage(path) {
            Ok(store) => store,
            Err(trail_journal::OpenError::NotInitialized { .. }) => {
                return Ok(Old { intact: false, salvage: Vec::new(), acknowledged: mark });
            }
            Err(trail_journal::OpenError::Locked { .. }) => {
                return Err(CommandError::environment("the journal is in use by another process")
                    .hint("wait for it to finish (a hook, `trail watch`), then try again"));
            }
            // Not damage: the journal holds its records, it cannot be opened here and now.
            Err(
                e @ (trail_journal::OpenError::Permission { .. }
                | trail_journal::OpenError::DiskFull { .. }),
            ) => return Err(refuse_unreadable(e)),
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

/// The seq a high-water mark holds; `None` when there is none (or it holds
/// no seq). One this user may not read refuses the recovery: "unknown" would
/// hide records it says were acknowledged.
fn read_mark(path: &Path) -> Result<Option<u64>, CommandError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(CommandError::environment(format!(
                "cannot read {}, the journal's high-water mark: {e}",
                path.display()
            ))
            .hint("give this user read access to it, or run `trail recover` as its owner")
            .hint("`trail recover` does not set a journal aside while it cannot tell what that journal acknowledged"));
        }
        Err(_) => return Ok(None),
    };
    Ok(text.split_whitespace().next().and_then(|seq| seq.parse().ok()))
}

/// Whether `path` is there (a dangling link counts); one this user may not
/// look at is an error, never "absent".
fn exists(path: &Path) -> Result<bool, CommandError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CommandError::environment(format!("cannot look at {}: {e}", path.display()))),
    }
}

fn file_name(path: &Path) -> Result<String, CommandError> {
    path.file_name().and_then(|n| n.to_str()).map(str::to_owned).ok_or_else(|| {
        CommandError::environment(format!(
            "{} has no file name trail can write down",
            path.display()
        ))
    })
}

/// Make the renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), CommandError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| CommandError::environment(format!("cannot sync {}: {e}", dir.display())))
}

fn remove_file(path: &Path) -> Result<(), CommandError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CommandError::environment(format!("cannot remove {}: {e}", path.display()))),
    }
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
