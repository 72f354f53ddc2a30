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
