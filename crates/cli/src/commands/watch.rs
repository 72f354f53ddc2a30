//! `trail watch`: the watcher in the foreground (`trail daemon start` runs it
//! detached). It owns the journal while it runs: hooks and commands reach the
//! store through its socket (trail-service); file changes come from
//! trail-watch and become `fs.*` records.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::Value;
use trail_journal::{Draft, LogStore as _, PathChange, Source, Status, Timestamp, kinds};
use trail_watch::{Change, FileChange, Kind};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Record every save in the work tree, until stopped (Ctrl-C or SIGTERM).
///
/// Each file that settles (quiet for `[watch] debounce_ms`) is recorded as
/// `fs.create`, `fs.modify`, `fs.delete` or `fs.rename`, with its content
/// stored in git's object database (up to `[watch] max_blob_size`) and kept
/// reachable from `refs/trail/saves`, so `trail restore` can bring back any
/// recorded state. `.git/` and ignored files are skipped. Changes made by a
/// git checkout, merge, rebase, reset or stash are recorded as one record
/// naming the operation. A `trail note` waiting for the next commit is
/// attached to the saves made under it.
///
/// While it runs, it owns the journal: other trail commands and the hooks
/// go through it. On a clean stop it records what is pending and writes
/// `watch.stop`; after an unclean one the next start says so and reconciles
/// what it missed (`fs.rescan`).
#[derive(Debug, Args)]
pub struct WatchArgs {}

/// Where this watcher's messages (its standard error) go, as `trail daemon
/// status` shows it: "journal" under systemd, the log `trail daemon start`
/// gave it, or null (a terminal, or whatever it was started with).
fn log_target() -> Value {
    if stderr_is_journal() {
        return Value::from("journal");
    }
    match std::env::var_os(crate::commands::daemon::LOG_ENV) {
        Some(path) if !path.is_empty() => Value::from(path.to_string_lossy().into_owned()),
        _ => Value::Null,
    }
}

/// Whether standard error is systemd's journal: JOURNAL_STREAM names its
/// stream as `DEVICE:INODE` (systemd.exec(5)); programs started from a
/// session that systemd started inherit the variable, so the stream is
/// compared with what standard error is.
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else { return false };
    let Some((dev, ino)) = stream.to_str().and_then(|s| s.split_once(':')) else { return false };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else { return false };
    std::fs::metadata("/proc/self/fd/2").is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// How often blobs written since the last time are made reachable (only
/// while there are some: an idle watcher has no timer).
const KEEP_EVERY: Duration = Duration::from_secs(5);

pub fn run(_args: WatchArgs) -> Result<(), CommandError> {
    return_freed_memory_promptly();
    let repo = Repo::discover_only()?;
    let Some(workdir) = repo.location.workdir.clone() else {
        return Err(CommandError::usage(
            "the watcher watches a work tree; this repository is bare",
        ));
    };
    let config = crate::config::load(&workdir.join("trail.toml"))?;
    let trail_dir = repo.location.trail_dir();
    // One watcher per journal: the lock, held until this function returns
    // (the kernel lets go of it however the process ends). Not a socket or
    // pid file, which can be deleted under a running watcher or outlive it.
    let lock = trail_service::WatcherLock::acquire(&trail_dir)
        .map_err(crate::commands::daemon::service_error)?;

    // Signals arrive through signal-hook's pipe; a thread blocked on it sets
    // the flag and wakes the loop below (no polling for a stop request).
    let shutdown = Arc::new(AtomicBool::new(false));
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ])
    .map_err(|e| CommandError::environment(format!("cannot handle signals: {e}")))?;
    let signals_handle = signals.handle();

    // The socket, then the pid file: `trail daemon start` returns as soon as
    // the socket answers, and the pid it then reads must be this process's.
    // The pid file is information only (the lock says who the watcher is),
    // and removed at the end only if it is still the one written here.
    let socket = trail_service::Socket::bind_for_watcher(&trail_dir)
        .map_err(crate::commands::daemon::service_error)?;
    let pid_file = crate::commands::daemon::PidFile::write(&repo)?;
    let marker = trail_dir.join("watch.running");
    // Under the lock, a marker left behind can only be a previous run's.
    let unclean = marker.exists();
    std::fs::write(&marker, format!("{}\n", std::process::id())).map_err(|e| {
        CommandError::environment(format!("cannot write {}: {e}", marker.display()))
    })?;

    // The store is held by a store process the watcher starts (its own
    // appends are a client too) and that exits when no client came for a
    // while; the next one waits in standby, the store closed, for the next
    // client: an idle watcher holds no store (trail-service's `Activator`).
    // This process never opens the store itself.
    let exe = std::env::current_exe()
        .map_err(|e| CommandError::environment(format!("cannot find the trail executable: {e}")))?;
    let serve_in = workdir.clone();
    let activator = trail_service::Activator::start(socket, move || {
        use std::os::unix::process::CommandExt as _;
        let mut command = std::process::Command::new(&exe);
        // Its own process group: Ctrl-C at a foreground `trail watch` is the
        // watcher's to handle; the store process stops when the watcher goes.
        command.args(["daemon", "serve"]).current_dir(&serve_in).process_group(0);
        command
    })
    .map_err(|e| {
        pid_file.remove();
        if !unclean {
            let _ = std::fs::remove_file(&marker);
        }
        crate::commands::daemon::store_process_error(e)
    })?;
    let started = Timestamp::now();
    let began = Instant::now();
    activator.set_status(&serde_json::json!({
        "running": true,
        "pid": std::process::id(),
        "workdir": workdir.display().to_string(),
        "started": started.to_rfc3339(),
        "uptime_secs": 0,
        "log": log_target(),
    }));
    let journal = Journal { repo: &repo };

    // Spooled records (written while the journal was busy) go in first.
    match journal.open() {
        Ok(store) => match repo.gateway().drain_into(&store) {
            Ok(drained) => crate::pending::say_drained(&repo.gateway(), &drained),
            Err(e) => say(format_args!("could not append the spooled records: {e}")),
        },
        Err(e) => say(format_args!("could not append the spooled records: {}", e.message)),
    }

    let options = trail_watch::Options {
        debounce: Duration::from_millis(config.watch.debounce_ms),
        max_blob_size: config.watch.max_blob_size,
        state_file: Some(trail_dir.join("watch.state")),
        ..trail_watch::Options::default()
    };
    let result = (|| -> Result<(), CommandError> {
        let mut watch = trail_watch::Watch::start(&workdir, options).map_err(|e| {
            CommandError::environment(format!("cannot watch {}: {e}", workdir.display()))
        })?;
        // git wrote a commit message or took HEAD's lock: hooks are coming.
        // The store opened now is open, or opening, when the hook connects
        // (after a quiet spell it is closed, its store process in standby).
        watch.on_hooks_coming(activator.prestarter());
        {
            let (shutdown, waker) = (Arc::clone(&shutdown), watch.waker());
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    shutdown.store(true, Ordering::SeqCst);
                    waker.wake();
                }
            });
        }
        let mut start = Draft::new(kinds::WATCH_START, Source::Watcher, started);
        start.actor = Some(crate::commands::hook::local_actor(&repo.git));
        let mut detail = serde_json::Map::new();
        detail.insert("pid".into(), Value::from(std::process::id()));
        detail.insert("unclean_previous_stop".into(), Value::Bool(unclean));
        start.detail = Some(detail);
        // Kept in the spool should the journal not take it now (a store
        // process of a killed watcher still finishing, a busy machine): a
        // watcher that exits here would watch nothing, and lose nothing by
        // carrying on (the next append drains the spool first).
        journal.append_or_carry_on(vec![start])?;
        say(format_args!(
            "watching {} (pid {}){}",
            workdir.display(),
            std::process::id(),
            if unclean { "; the previous run did not stop cleanly: reconciling" } else { "" }
        ));
        // What changed while nothing watched (the snapshot of the last run is
        // in watch.state): one fs.rescan, if anything.
        let mut recorded: u64 = 0;
        let reason = if unclean {
            "the previous watcher did not stop cleanly"
        } else {
            "changes made while the watcher was not running"
        };
        if let Some(change) =
            watch.rescan(reason).map_err(|e| CommandError::environment(e.to_string()))?
        {
            recorded += journal.append_or_carry_on(drafts(&repo, vec![change], Vec::new()))? as u64;
        }
        // The state this run starts from is saved at once: a crash before the
        // first periodic save must not leave a later start without it (it
        // would take the tree as it is then, unrecorded saves included).
        watch.keep_reachable().map_err(|e| CommandError::environment(e.to_string()))?;
        // Saves an agent's hook claimed: held back until the claim settles,
        // and left out when the agent recorded the same content
        // (trail_agent::claim; docs/agents.md, "Recording edits").
        let mut claims = trail_agent::claim::Holder::new(&trail_dir, &workdir);
        let mut checkpoints = crate::sync::Periodic::new(&repo, &config);
        let mut last_keep = Instant::now();
        let mut last_error = Value::Null;
        let mut seen_error: Option<String> = None;
        while !shutdown.load(Ordering::SeqCst) {
            // Published before waiting: the wait may last for hours.
            let stats = watch.stats();
            // A file it could not read, a directory it could not watch: said
            // in the log and shown as the last error.
            if let Some(passing) =
                stats.last_error.as_ref().filter(|e| Some(*e) != seen_error.as_ref())
            {
                say(format_args!("{passing}"));
                last_error = Value::String(passing.clone());
                seen_error = Some(passing.clone());
            }
            activator.set_status(&serde_json::json!({
                    "running": true,
                    "pid": std::process::id(),
                    "workdir": workdir.display().to_string(),
                    "started": started.to_rfc3339(),
                    "uptime_secs": began.elapsed().as_secs(),
                    "watched_dirs": stats.watched_dirs,
                    "events": stats.events,
                    "records": recorded,
                    "pending": stats.pending,
                    "lag_ms": stats.oldest_pending.map(|d| d.as_millis() as u64).unwrap_or(0),
                    "last_error": last_error,
                    "store_processes": activator.starts(),
                    "log": log_target(),
            }));
            // Blocks on the watcher's channel until files settle or a signal
            // wakes it; with nothing to keep, no timer at all.
            // While saves are held for a claim, it wakes to look again.
            let keep_at = watch.has_unkept().then(|| last_keep + KEEP_EVERY);
            let until = keep_at.into_iter().chain(claims.next_check(Instant::now())).min();
            let waited = watch.wait(until);
            // Held saves first (they are older), then the new ones.
            let mut batch = claims.due(Instant::now());
            match waited {
                Ok(found) => batch.extend(claims.sort(found, Instant::now())),
                Err(e) => {
                    say(format_args!("watch error: {e}"));
                    last_error = Value::String(e.to_string());
                }
            }
            let left_out = claims.take_left_out();
            if !batch.is_empty() || !left_out.is_empty() {
                let drafts = drafts(&repo, batch, left_out);
                match journal.append_or_keep(drafts, |store| checkpoints.after_append(&repo, store))
                {
                    Ok(n) => recorded += n as u64,
                    Err(e) => {
                        say(format_args!("cannot record: {}", e.message));
                        last_error = Value::String(e.message.clone());
                    }
                }
            }
            if watch.has_unkept() && last_keep.elapsed() >= KEEP_EVERY {
                if let Err(e) = watch.keep_reachable() {
                    say(format_args!("cannot keep the saved contents reachable: {e}"));
                    last_error = Value::String(e.to_string());
                }
                last_keep = Instant::now();
            }
        }
        // A clean stop: what is pending, the blobs kept, then watch.stop.
        let rest = watch.flush().map_err(|e| CommandError::environment(e.to_string()))?;
        // Held saves are decided now, waiting no more.
        let mut batch = claims.due(Instant::now());
        batch.extend(claims.sort(rest, Instant::now()));
        batch.extend(claims.release_all());
        journal.append_or_keep(drafts(&repo, batch, claims.take_left_out()), |_| {})?;
        watch.keep_reachable().map_err(|e| CommandError::environment(e.to_string()))?;
        let mut stop = Draft::new(kinds::WATCH_STOP, Source::Watcher, Timestamp::now());
        stop.actor = Some(crate::commands::hook::local_actor(&repo.git));
        journal.append_then(vec![stop], |store| checkpoints.finish(&repo, store))?;
        Ok(())
    })();
    signals_handle.close();
    // The store process answers what it serves, flushes and exits; the
    // socket file goes (if it is still ours).
    activator.stop();
    pid_file.remove();
    if result.is_ok() {
        let _ = std::fs::remove_file(&marker);
        say("the watcher stopped");
    }
    // Last: once the lock is free, `trail daemon stop` says the watcher stopped.
    drop(lock);
    result
}

/// mimalloc gives memory it freed back to the system a moment later, the next
/// time it is called; a watcher that has gone idle is not called for hours,
/// so what its start-up scan freed would stay resident (~13 MB on 100,000
/// files). With `MIMALLOC_PURGE_DELAY=0` it gives it back at once. mimalloc
/// reads the variable when it starts, before `main`: trail runs itself again
/// with it set (the same process, by `exec`), unless it is set already.
fn return_freed_memory_promptly() {
    use std::os::unix::process::CommandExt as _;
    const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";
    if std::env::var_os(PURGE_DELAY).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let mut again = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        again.arg0(name);
    }
    let error = again.args(args).env(PURGE_DELAY, "0").exec();
    tracing::debug!("cannot run again with {PURGE_DELAY}=0 ({error}); carrying on without");
}

/// The journal as the watcher reaches it: through its own socket, like any
/// client, so that the store process the activator starts serves it. Should
/// no store process answer (it could not be started; the log says why), the
/// store is opened here directly rather than lose the records.
struct Journal<'a> {
    repo: &'a Repo,
}

impl Journal<'_> {
    fn open(&self) -> Result<crate::context::Store, CommandError> {
        // A store process starting (it waits up to 10 s for a hook that holds
        // the store) or one on its way out: ask again, for a little longer
        // than that wait, before opening the store here.
        let (store, direct) =
            self.repo.gateway().open_patiently(Duration::from_secs(12), Duration::from_secs(10))?;
        if let Some(why) = direct {
            say(format_args!("{why}; opening the journal directly"));
        }
        Ok(store)
    }

    /// [`Journal::append_then`] at start-up: should the journal not take the
    /// records now (the store process of a killed watcher still finishing, a
    /// busy machine), they are kept in the spool and the watcher carries on
    /// (the next append drains the spool first); a watcher that exited here
    /// would watch nothing. Only when they cannot be kept either is it an
    /// error: the state is then not saved, and the next start sees the same.
    fn append_or_carry_on(&self, drafts: Vec<Draft>) -> Result<usize, CommandError> {
        let kept = drafts.clone();
        match self.append_then(drafts, |_| {}) {
            Ok(n) => Ok(n),
            Err(e) => match self.repo.gateway().spool().keep(&kept) {
                Ok(_) => {
                    say(format_args!(
                        "{}; the {} are kept in the spool and go in with the next append",
                        e.message,
                        crate::output::plural(kept.len() as u64, "record")
                    ));
                    Ok(0)
                }
                Err(spool) => Err(CommandError::environment(format!(
                    "{}; and they could not be kept either: {}",
                    e.message, spool
                ))),
            },
        }
    }

    /// [`Journal::append`], then `after` with the store the records went into
    /// (a checkpoint is written there without connecting a second time).
    fn append_then(
        &self,
        drafts: Vec<Draft>,
        after: impl FnOnce(&crate::context::Store),
    ) -> Result<usize, CommandError> {
        if drafts.is_empty() {
            return Ok(0);
        }
        let n = drafts.len();
        let store = self.open()?;
        // What waits in the spool goes in first, as for every other writer
        // (nothing to do, one directory read, when it is empty).
        match self.repo.gateway().drain_into(&store) {
            Ok(drained) => crate::pending::say_drained(&self.repo.gateway(), &drained),
            Err(e) => say(format_args!("could not append the spooled records: {e}")),
        }
        store
            .append(drafts)
            .map_err(|e| CommandError::environment(format!("cannot append to the journal: {e}")))?;
        after(&store);
        Ok(n)
    }

    /// [`Journal::append`] for saves: should it fail, the records are kept in
    /// the spool (the next hook, `trail recover` or watcher start writes them)
    /// rather than lost. An append that failed after it was sent may have been
    /// written too: the spooled drafts keep their ids, and the store appends an
    /// id once, so such a save is recorded once, never twice and never not at all.
    fn append_or_keep(
        &self,
        drafts: Vec<Draft>,
        after: impl FnOnce(&crate::context::Store),
    ) -> Result<usize, CommandError> {
        let kept = drafts.clone();
        self.append_then(drafts, after).map_err(|e| match self.repo.gateway().spool().keep(&kept) {
            Ok(_) => CommandError::environment(format!(
                "{}; the {} are kept in the spool",
                e.message,
                crate::output::plural(kept.len() as u64, "record")
            )),
            Err(spool) => CommandError::environment(format!(
                "{}; and they could not be kept either: {}",
                e.message, spool
            )),
        })
    }
}

/// The records for a batch of changes, with the waiting note's why/impact.
/// `left_out`: saves an agent recorded (trail_agent::claim), which get no
/// record here but are checked against the protection policy all the same.
fn drafts(repo: &Repo, changes: Vec<Change>, left_out: Vec<FileChange>) -> Vec<Draft> {
    let note = crate::pending::Pending::new(&repo.location).note().ok().flatten();
    let actor = crate::commands::hook::local_actor(&repo.git);
    let policy = {
        let head = repo.git.head_id().ok().map(|id| id.detach());
        crate::protect::policy_named(&repo.git, head, "HEAD").ok().map(|(p, _)| p)
    };
    let now = Timestamp::now();
    let mut out = Vec::new();
    let mut protected = Vec::new();
    for change in changes {
        let (kind, paths, detail) = match change {
            Change::File(file) => {
                let kind = match file.kind {
                    Kind::Create => kinds::FS_CREATE,
                    Kind::Modify => kinds::FS_MODIFY,
                    Kind::Delete => kinds::FS_DELETE,
                    Kind::Rename => kinds::FS_RENAME,
                };
                (kind, vec![path_change(&file)], None)
            }
            Change::Rescan { reason, changes } => {
                let mut detail = serde_json::Map::new();
                detail.insert("reason".into(), Value::String(reason));
                (kinds::FS_RESCAN, changes.iter().map(path_change).collect(), Some(detail))
            }
            Change::Operation { name, changes } => {
                let mut detail = serde_json::Map::new();
                detail.insert("operation".into(), Value::String(name));
                (kinds::FS_OPERATION, changes.iter().map(path_change).collect(), Some(detail))
            }
            Change::Warning { message } => {
                say(format_args!("warning: {message}"));
                continue;
            }
        };
        if let Some(policy) = &policy {
            for p in &paths {
                let Some(bytes) = p.path_bytes() else { continue };
                if let Some(reason) = trail_policy::protected(policy, &bytes, None) {
                    protected.push((p.clone(), reason));
                }
            }
        }
        let mut draft = Draft::new(kind, Source::Watcher, now);
        draft.actor = Some(actor.clone());
        draft.paths = paths;
        draft.detail = detail;
        if let Some(note) = &note {
            draft.why = note.why.clone();
            draft.impact = note.impact.clone();
        }
        out.push(draft);
    }
    if let Some(policy) = &policy {
        for file in &left_out {
            if let Some(reason) = trail_policy::protected(policy, &file.path, None) {
                protected.push((path_change(file), reason));
            }
        }
    }
    // A protected path changed in the work tree: said at once, recorded as an
    // uncommitted violation (the commit will need a token).
    if !protected.is_empty() {
        for (p, reason) in &protected {
            say(format_args!(
                "warning: protected path {} changed in the work tree ({reason}); committing it needs an authorization token",
                p.path.as_deref().unwrap_or("?")
            ));
        }
        let mut draft = Draft::new(kinds::POLICY_VIOLATION, Source::Watcher, now);
        draft.actor = Some(actor);
        draft.paths = protected.into_iter().map(|(p, _)| p).collect();
        let mut detail = serde_json::Map::new();
        detail.insert("uncommitted".into(), Value::Bool(true));
        detail.insert("severity".into(), Value::String("warning".into()));
        draft.detail = Some(detail);
        out.push(draft);
    }
    out
}

fn path_change(file: &FileChange) -> PathChange {
    let status = match file.kind {
        Kind::Create => Status::A,
        Kind::Modify => Status::M,
        Kind::Delete => Status::D,
        Kind::Rename => Status::R,
    };
    let mut change = PathChange::new(&file.path, status);
    if let Some(from) = &file.from {
        change = change.with_from(from);
    }
    change.blob = file.blob.map(|b| b.to_string());
    change.sha256 = file.sha256.clone();
    change.size = file.size;
    change.mode = file.mode.map(|m| format!("{m:o}"));
    change
}
