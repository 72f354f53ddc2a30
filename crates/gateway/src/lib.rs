//! trail-gateway: the one way into a repository's journal.
//!
//! Hooks, commands and the watcher all reach the journal through a
//! [`Gateway`]. It decides which store to use — the watcher's store process
//! over its socket while one serves, else the sled store opened here — keeps
//! what cannot be written yet in the [`Spool`], drains the spool before
//! anything new goes in, and relies on the store appending a draft id once
//! (trail-journal, FORMAT §8.4) so that every way a batch can be handed over
//! twice — a retry after a lost answer, a store process killed mid-append, a
//! spool drained by two processes — writes it once.
//!
//! It does not talk to the user: outcomes are typed ([`Delivery`]) and the
//! caller says what they mean.

pub mod spool;
mod store;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trail_journal::{AppendError, Draft, LogStore, OpenError, ReadError, SledStore, index, kinds};

pub use spool::{Drained, Spool, SpoolError, Waiting};
pub use store::Store;

/// The journal of one repository, as everything in trail reaches it.
#[derive(Debug, Clone)]
pub struct Gateway {
    trail_dir: PathBuf,
}

/// What became of a batch handed to [`Gateway::deliver`].
#[derive(Debug)]
pub enum Delivery {
    /// In the journal (appended now, or there already under its draft ids).
    Written { drained: Drained },
    /// The journal already records the commit the batch is about: nothing written.
    Known { drained: Drained },
    /// The journal could not be reached or written: the batch is in the
    /// spool, for the next one who reaches the journal.
    Spooled { reason: String, file: PathBuf },
}

/// Delivering failed and the batch could not be kept either.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("{reason}; and the records could not be kept in the spool either: {spool}")]
    Lost { reason: String, spool: SpoolError },
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Append(#[from] AppendError),
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

/// Why the journal could not be reached or written, in one line.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Append(#[from] AppendError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

impl Gateway {
    /// The journal of the trail directory `trail_dir` (`.git/trail`).
    pub fn new(trail_dir: &Path) -> Self {
        Gateway { trail_dir: trail_dir.to_owned() }
    }

    pub fn trail_dir(&self) -> &Path {
        &self.trail_dir
    }

    /// Where the sled store lives.
    pub fn store_path(&self) -> PathBuf {
        self.trail_dir.join("journal")
    }

    pub fn spool(&self) -> Spool {
        Spool::new(&self.trail_dir)
    }

    /// The journal: through the watcher's socket while it runs (it owns the
    /// store), else the store itself.
    pub fn open(&self) -> Result<Store, OpenError> {
        // The watcher runs but no store process is there to accept (between
        // one and the next, or the watcher could not start one): connecting
        // would wait for one to be started; the store is free, so open it
        // directly, as without the watcher, if nobody holds it.
        let socket = trail_service::socket_path(&self.trail_dir);
        if socket.exists()
            && !trail_service::serving_marker(&socket).exists()
            && let Ok(store) = SledStore::open_with_wait(&self.store_path(), Duration::ZERO)
        {
            return Ok(Store::Direct(store));
        }
        match trail_service::Client::connect(&self.trail_dir) {
            Ok(Some(client)) => return Ok(Store::Daemon(client)),
            Ok(None) => {}
            // A daemon that does not answer: the store is still its own, so a
            // direct open waits for its lock and says what is wrong if it can't.
            Err(e) => tracing::warn!("the watcher's socket: {e}"),
        }
        match SledStore::open(&self.store_path()) {
            Ok(store) => Ok(Store::Direct(store)),
            // The watcher may have started between the two attempts.
            Err(e) => match trail_service::Client::connect(&self.trail_dir) {
                Ok(Some(client)) => Ok(Store::Daemon(client)),
                _ => Err(e),
            },
        }
    }

    /// The watcher's way in: its own store process, asked for up to
    /// `patience` (one may be starting, or on its way out), else the store
    /// opened here, waiting up to `wait` for its lock. The second value says
    /// why the store was opened directly, when it was.
    pub fn open_patiently(
        &self,
        patience: Duration,
        wait: Duration,
    ) -> Result<(Store, Option<String>), OpenError> {
        let deadline = Instant::now() + patience;
        let why = loop {
            let why = match trail_service::Client::connect(&self.trail_dir) {
                Ok(Some(client)) => return Ok((Store::Daemon(client), None)),
                Ok(None) => "no store process answers".to_owned(),
                Err(e) => format!("the store process: {e}"),
            };
            if Instant::now() >= deadline {
                break why;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let store = SledStore::open_with_wait(&self.store_path(), wait)?;
        Ok((Store::Direct(store), Some(why)))
    }

    /// Append what waits in the spool to `store`.
    pub fn drain_into(&self, store: &dyn LogStore) -> Result<Drained, Failure> {
        self.drain_waiting(store, Duration::ZERO)
    }

    /// [`Gateway::drain_into`], waiting up to `wait` for a drainer that is at
    /// work to finish.
    pub fn drain_waiting(&self, store: &dyn LogStore, wait: Duration) -> Result<Drained, Failure> {
        self.spool()
            .drain_waiting(
                wait,
                |commit| is_known_commit(store, commit).map_err(Failure::from),
                |drafts| store.append(drafts).map(|_| ()).map_err(Failure::from),
            )
            .map_err(|e| match e {
                spool::DrainError::Spool(e) => Failure::Spool(e),
                spool::DrainError::Append(e) => e,
            })
    }

    /// Keep `drafts` in the spool, complete and durable (data and directory
    /// entry synced) before this returns: a hook's records are safe from
    /// here on, whatever happens to the process. Someone must then drain
    /// them ([`Gateway::deliver_caught_up`] with no drafts: the drainer a
    /// hook starts, the watcher, or any command that reads the journal
    /// that opens it, first draining the spool with [`Gateway::drain_waiting`]). This is how post-commit records
    /// without paying for opening the store on the commit's critical path
    /// (docs/architecture.md, "post-commit hands over").
    pub fn hand_over(&self, drafts: &[Draft]) -> Result<PathBuf, SpoolError> {
        trail_failpoint::hit("gateway.hand_over");
        self.spool().keep(drafts)
    }

    /// Deliver `drafts` to the journal: open it, drain the spool into it,
    /// skip the batch when `unless_known` names a commit it records already
    /// (a hook that runs twice records once), append, then call `after` with
    /// the store (the post-commit hook writes its checkpoint there without
    /// opening the store again; not called when the batch was spooled).
    ///
    /// When the journal cannot be opened or written, the batch goes to the
    /// spool instead: a hook's record must survive a busy or failing journal.
    /// An append that failed after it was sent (the store process died, the
    /// flush failed) may have been written: its drafts keep their ids in the
    /// spool, and the store appends an id once.
    pub fn deliver(
        &self,
        drafts: Vec<Draft>,
        unless_known: Option<&str>,
        after: impl FnOnce(&Store),
    ) -> Result<Delivery, DeliveryError> {
        self.deliver_caught_up(drafts, unless_known, |_| Vec::new(), after)
    }

    /// [`Gateway::deliver`], with catch-up: once the store is open and the
    /// spool drained, `catch_up` is asked for records the journal should
    /// already hold and does not (a commit whose post-commit was killed);
    /// they are appended first, in the same batch. Not asked when the batch
    /// is spooled: the next delivery asks again.
    pub fn deliver_caught_up(
        &self,
        drafts: Vec<Draft>,
        unless_known: Option<&str>,
        catch_up: impl FnOnce(&Store) -> Vec<Draft>,
        after: impl FnOnce(&Store),
    ) -> Result<Delivery, DeliveryError> {
        let kept = drafts.clone();
        let attempt = || -> Result<Delivery, Failure> {
            let store = self.open()?;
            // A spool that cannot be drained (an unreadable file, a directory
            // this user may not write) must not keep this batch out of a
            // journal that takes it: the spool waits, and is reported.
            let drained = match self.drain_into(&store) {
                Ok(drained) => drained,
                Err(Failure::Spool(e)) => {
                    tracing::warn!("the spool was not drained: {e}");
                    Drained { unreadable: true, ..Drained::default() }
                }
                Err(e) => return Err(e),
            };
            // Catch-up only over a drained spool: a commit whose records
            // wait there, or in a file another process is draining, is not
            // missed.
            if !drained.busy && !drained.unreadable {
                let missed = catch_up(&store);
                if !missed.is_empty() {
                    store.append(missed)?;
                }
            }
            if let Some(commit) = unless_known
                && is_known_commit(&store, commit)?
            {
                return Ok(Delivery::Known { drained });
            }
            if !drafts.is_empty() {
                trail_failpoint::hit("gateway.deliver.append");
                store.append(drafts)?;
            }
            after(&store);
            Ok(Delivery::Written { drained })
        };
        match attempt() {
            Ok(delivery) => Ok(delivery),
            // Nothing of the caller's to keep: the failure is the answer.
            Err(e) if kept.is_empty() => Err(match e {
                Failure::Open(e) => e.into(),
                Failure::Read(e) => e.into(),
                Failure::Append(e) => e.into(),
                Failure::Spool(e) => e.into(),
            }),
            Err(e) => {
                let reason = e.to_string();
                match self.spool().keep(&kept) {
                    Ok(file) => Ok(Delivery::Spooled { reason, file }),
                    Err(spool) => Err(DeliveryError::Lost { reason, spool }),
                }
            }
        }
    }
}

/// Whether the journal records commit `commit` (lowercase hex): a `commit` or
/// `commit.unverified` record names it. Only the record's `kind` is read, so a
/// record the full model would reject still counts (reading it as "unknown"
/// would record the commit again).
pub fn is_known_commit(store: &dyn LogStore, commit: &str) -> Result<bool, ReadError> {
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: String,
    }
    let mut key = commit.as_bytes().to_vec();
    key.push(0);
    for seq in store.index_prefix(index::COMMIT, &key)?.iter().filter_map(|k| index::seq_of(k)) {
        let bytes = store.get_raw(seq)?.ok_or(ReadError::StaleIndex { seq })?;
        let record: Kind = serde_json::from_slice(&bytes)
            .map_err(|e| ReadError::Damaged { seq, detail: e.to_string() })?;
        if record.kind == kinds::COMMIT || record.kind == kinds::COMMIT_UNVERIFIED {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trail_journal::{Source, Timestamp};

    fn commit_draft(commit: &str) -> Draft {
        let mut d = Draft::new(kinds::COMMIT, Source::Hook, Timestamp::from_unix(1).expect("t"));
        d.commit = Some(commit.to_owned());
        d
    }

    fn repo() -> (tempfile::TempDir, Gateway) {
        let dir = tempfile::tempdir().expect("tempdir");
        let trail = dir.path().join("trail");
        std::fs::create_dir_all(&trail).expect("mkdir");
        SledStore::create(&trail.join("journal")).expect("create");
        (dir, Gateway::new(&trail))
    }

    #[test]
    fn a_batch_is_spooled_while_the_store_is_held_and_written_once_after() {
        let (_dir, gateway) = repo();
        let c = "ab".repeat(20);
        {
            let _held = SledStore::open(&gateway.store_path()).expect("hold the store");
            let delivery = gateway.deliver(vec![commit_draft(&c)], Some(&c), |_| {}).expect("kept");
            assert!(matches!(delivery, Delivery::Spooled { .. }), "{delivery:?}");
        }
        // The same batch spooled a second time (a double drain's worth).
        let waiting = gateway.spool().waiting().expect("waiting");
        gateway.spool().keep(&waiting.drafts).expect("keep again");
        let other = "cd".repeat(20);
        let delivery =
            gateway.deliver(vec![commit_draft(&other)], Some(&other), |_| {}).expect("written");
        match delivery {
            // The copy names a commit the journal knows once the first is in:
            // it is dropped, not handed over again.
            Delivery::Written { drained } => assert_eq!(drained.written, 1),
            other => panic!("expected written, got {other:?}"),
        }
        let store = gateway.open().expect("open");
        assert_eq!(store.head().expect("head").seq, 2, "the spooled draft went in once");
        assert!(is_known_commit(&store, &c).expect("read"));
        assert!(is_known_commit(&store, &other).expect("read"));
    }

    #[test]
    fn a_post_commit_that_ran_twice_is_handed_over_twice_and_recorded_once() {
        let (_dir, gateway) = repo();
        let c = "12".repeat(20);
        // Two runs, two batches, each with its own draft ids.
        for run in ["first", "second"] {
            let mut draft = commit_draft(&c);
            draft.id = Some(trail_journal::record::new_draft_id());
            gateway.hand_over(&[draft]).expect(run);
        }
        let store = gateway.open().expect("open");
        let drained = gateway.drain_into(&store).expect("drain");
        assert_eq!(drained.written, 1, "the second batch names a known commit");
        assert_eq!(store.head().expect("head").seq, 1);
        assert!(gateway.spool().is_empty(), "both files are gone");
    }

    #[test]
    fn a_known_commit_is_not_recorded_again() {
        let (_dir, gateway) = repo();
        let c = "ef".repeat(20);
        gateway.deliver(vec![commit_draft(&c)], Some(&c), |_| {}).expect("first");
        let again = gateway.deliver(vec![commit_draft(&c)], Some(&c), |_| {}).expect("second");
        assert!(matches!(again, Delivery::Known { .. }), "{again:?}");
        assert_eq!(gateway.open().expect("open").head().expect("head").seq, 1);
    }
}
