//! The hooks' state between hooks lives in trail-hooks
//! ([`trail_hooks::pending`]); this module is the glue that hands records to
//! the journal through the gateway (`spool/*.json`: records a hook could not
//! append because the journal was busy or failing; the next hook that opens
//! the journal appends them first).

use trail_gateway::{Delivery, DeliveryError};
pub use trail_hooks::pending::*;

use crate::error::CommandError;

/// Deliver `drafts` to the journal through the gateway (trail-gateway: the
/// spool is drained first; when the journal cannot be written the records
/// wait in the spool, and the store appends each draft once however often it
/// is handed over). `unless_known`: append nothing when the journal already
/// records this commit (a hook that runs twice records once).
pub fn append_or_spool(
    repo: &crate::context::Repo,
    drafts: Vec<trail_journal::Draft>,
    unless_known: Option<&trail_git::ObjectId>,
) -> Result<(), CommandError> {
    append_or_spool_then(repo, drafts, unless_known, |_| {})
}

/// [`append_or_spool`], then `after` with the store the records went into
/// (not called when they were spooled): the post-commit hook writes its
/// checkpoint there, without opening the store a second time.
pub fn append_or_spool_then(
    repo: &crate::context::Repo,
    drafts: Vec<trail_journal::Draft>,
    unless_known: Option<&trail_git::ObjectId>,
    after: impl FnOnce(&crate::context::Store),
) -> Result<(), CommandError> {
    append_caught_up(repo, drafts, unless_known, |_| Vec::new(), after)
}

/// [`append_or_spool_then`], first appending what `catch_up` finds missing
/// from the journal (see [`trail_gateway::Gateway::deliver_caught_up`]).
pub fn append_caught_up(
    repo: &crate::context::Repo,
    drafts: Vec<trail_journal::Draft>,
    unless_known: Option<&trail_git::ObjectId>,
    catch_up: impl FnOnce(&crate::context::Store) -> Vec<trail_journal::Draft>,
    after: impl FnOnce(&crate::context::Store),
) -> Result<(), CommandError> {
    let commit = unless_known.map(ToString::to_string);
    let gateway = repo.gateway();
    match gateway.deliver_caught_up(drafts, commit.as_deref(), catch_up, after) {
        Ok(Delivery::Written { drained } | Delivery::Known { drained }) => {
            say_drained(&gateway, &drained);
            Ok(())
        }
        Ok(Delivery::Spooled { reason, .. }) => {
            crate::output::say(format_args!(
                "could not write to the journal ({reason}); the record is kept in {} and the next hook writes it",
                gateway.spool().dir().display()
            ));
            Ok(())
        }
        Err(DeliveryError::Open(e)) => Err(e.into()),
        Err(DeliveryError::Read(e)) => Err(e.into()),
        Err(DeliveryError::Append(e)) => Err(e.into()),
        Err(DeliveryError::Spool(e)) => {
            Err(CommandError::environment(format!("cannot use the spool: {e}")))
        }
        Err(e @ DeliveryError::Lost { .. }) => Err(CommandError::environment(e.to_string())
            .hint("free space or fix the permissions of .git/trail, then commit again")),
    }
}

/// Hand `drafts` over to the journal without opening it: they are written
/// to the spool, durable before this returns, and a drainer is started in the
/// background (`trail drain`: [`settle`]). When the spool cannot be
/// written, the records are delivered here and now, as before
/// (`append_caught_up`, with `catch_up` and `after`), which keeps them or
/// says why it cannot.
pub fn hand_over(
    repo: &crate::context::Repo,
    drafts: Vec<trail_journal::Draft>,
    unless_known: Option<&trail_git::ObjectId>,
    catch_up: impl FnOnce(&crate::context::Store) -> Vec<trail_journal::Draft>,
    after: impl FnOnce(&crate::context::Store),
) -> Result<(), CommandError> {
    match repo.gateway().hand_over(&drafts) {
        Ok(_) => {
            warn_if_drain_failed(repo);
            if !crate::commands::hook::post_commit::draining() {
                start_drainer(repo);
            }
            Ok(())
        }
        Err(e) => {
            tracing::warn!(
                "cannot hand the records over through the spool ({e}); writing them now"
            );
            append_caught_up(repo, drafts, unless_known, catch_up, after)
        }
    }
}

/// The last drainer could not write the journal: said on every commit
/// until one can (the records wait; nothing is lost).
pub fn warn_if_drain_failed(repo: &crate::context::Repo) {
    if let Ok(why) = std::fs::read_to_string(drain_failed_path(repo)) {
        crate::output::say(format_args!(
            "warning: the journal could not be written ({}); the records wait in {} (`trail doctor` says what to do)",
            why.trim(),
            repo.gateway().spool().dir().display()
        ));
    }
}

/// Append what hooks handed over to the spool ([`hand_over`]) to `store`,
/// waiting up to the store's lock wait for a drainer at work; when anything
/// was appended, also the commits made here whose post-commit was killed,
/// and the checkpoint. This is the whole of `trail drain`'s work, and what
/// every command that reads the journal does first
/// ([`crate::context::Repo::open_store`]): a command run right after
/// `git commit` finds the commit whether or not the drainer got there
/// first. `Err`: why the waiting records could not be written (they stay in
/// the spool).
pub fn settle(repo: &crate::context::Repo, store: &crate::context::Store) -> Result<(), String> {
    let gateway = repo.gateway();
    if gateway.spool().is_empty() {
        return Ok(());
    }
    let draining = crate::records::spooled_commits(repo);
    let drained = match gateway.drain_waiting(store, trail_journal::store::LOCK_WAIT) {
        Ok(drained) if drained.busy => {
            return Err("another process is still writing them".to_owned());
        }
        Ok(drained) => drained,
        Err(e) => return Err(e.to_string()),
    };
    let _ = std::fs::remove_file(drain_failed_path(repo));
    say_drained(&gateway, &drained);
    if drained.written == 0 {
        return Ok(());
    }
    let missed = crate::records::to_catch_up(repo, store, &draining);
    let mut told = Vec::new();
    let drafts = trail_hooks::post_commit::caught_up(
        &repo.git,
        &missed,
        trail_journal::Timestamp::now(),
        &mut told,
    );
    for notice in told {
        crate::output::say(notice);
    }
    if !drafts.is_empty() {
        trail_journal::LogStore::append(store, drafts).map_err(|e| e.to_string())?;
    }
    if let Some(workdir) = &repo.location.workdir {
        match crate::config::load(&workdir.join("trail.toml")) {
            Ok(config) => crate::sync::checkpoint_after_hook(repo, &config, store),
            Err(e) => crate::sync::warn_checkpoint(&e),
        }
    }
    Ok(())
}

/// Where the drainer leaves why it could not write the journal (removed by
/// the next drain that can).
pub fn drain_failed_path(repo: &crate::context::Repo) -> std::path::PathBuf {
    repo.location.trail_dir().join("pending").join("drain.failed")
}

/// How large `pending/drain.log` may grow before a drainer starts it afresh.
const DRAIN_LOG_MAX: u64 = 256 * 1024;

/// `pending/drain.log` started afresh once it is over [`DRAIN_LOG_MAX`]:
/// emptied in place, as a drainer the post-commit shim started may hold it
/// open for appending.
pub fn trim_drain_log(repo: &crate::context::Repo) {
    let log = repo.location.trail_dir().join("pending").join("drain.log");
    if std::fs::metadata(&log).is_ok_and(|m| m.len() > DRAIN_LOG_MAX) {
        let _ = std::fs::OpenOptions::new().write(true).open(&log).and_then(|f| f.set_len(0));
    }
}

/// Start `trail drain` in the background, detached: no standard streams
/// shared with the hook (git, a GUI or a test reading the hook's output would
/// wait for it otherwise), its own process group (a Ctrl-C that ends the
/// commit does not cut it short). What it could not do, it writes to
/// `.git/trail/pending/drain.log`; what it leaves in the spool the next
/// command that reads the journal appends.
fn start_drainer(repo: &crate::context::Repo) {
    use std::os::unix::process::CommandExt as _;
    use std::process::{Command, Stdio};
    let Ok(exe) = std::env::current_exe() else { return };
    // Appended to, not truncated: a drainer started earlier may still be
    // writing what a person must read. Started afresh once it is large.
    let log = repo.location.trail_dir().join("pending").join("drain.log");
    trim_drain_log(repo);
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null());
    let started = Command::new(exe)
        .arg("drain")
        .current_dir(&repo.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .process_group(0)
        .spawn();
    // Not waited for: when the hook exits, init reaps it.
    if let Err(e) = started {
        tracing::debug!(
            "cannot start `trail drain` ({e}); the next command that reads the journal appends the records"
        );
    }
}

/// Say what a drain set aside (the rest of a drain needs no words).
pub fn say_drained(gateway: &trail_gateway::Gateway, drained: &trail_gateway::Drained) {
    if !drained.set_aside.is_empty() {
        crate::output::say(format_args!(
            "{} in the spool could not be read and {} moved to {}: it may hold records; look at it, then delete it (`trail doctor` lists it)",
            crate::output::plural(drained.set_aside.len() as u64, "file"),
            if drained.set_aside.len() == 1 { "was" } else { "were" },
            gateway.spool().damaged_dir().display()
        ));
    }
}

/// Append what waits in the spool to `store`; returns how many records were handed over.
pub fn write_spooled(
    repo: &crate::context::Repo,
    store: &crate::context::Store,
) -> Result<u64, CommandError> {
    let gateway = repo.gateway();
    let drained = gateway
        .drain_into(store)
        .map_err(|e| CommandError::environment(format!("cannot write the spooled records: {e}")))?;
    let _ = std::fs::remove_file(drain_failed_path(repo));
    say_drained(&gateway, &drained);
    Ok(drained.written)
}

/// What waits in the spool of `repo`: records, and files that cannot be read.
pub fn spool_waiting(repo: &crate::context::Repo) -> Result<trail_gateway::Waiting, CommandError> {
    repo.gateway()
        .spool()
        .waiting()
        .map_err(|e| CommandError::environment(format!("cannot read the spool: {e}")))
}

/// Every record waiting in the spool of `repo`.
pub fn spooled_drafts(
    repo: &crate::context::Repo,
) -> Result<Vec<trail_journal::Draft>, CommandError> {
    Ok(spool_waiting(repo)?.drafts)
}
