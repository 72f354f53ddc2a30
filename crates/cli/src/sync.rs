//! Checkpoints of this store (trail-sync) as the commands and hooks use them:
//! the store's signing key beside the store, and writing a checkpoint after
//! the records a commit adds.

use std::path::PathBuf;

use trail_journal::LogStore;
use trail_policy::PrivateKey;
use trail_sync::{JOURNAL_REF, WriteError, Written};

use crate::config::Config;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// The store's own signing key, beside the store (`.git/trail/journal.key`,
/// mode 0600): it signs this store's checkpoints and nothing else.
pub fn key_path(repo: &Repo) -> PathBuf {
    repo.location.trail_dir().join("journal.key")
}

/// The store's key, if it has one.
pub fn load_key(repo: &Repo) -> Result<Option<PrivateKey>, CommandError> {
    let path = key_path(repo);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CommandError::environment(format!("cannot read {}: {e}", path.display())));
        }
    };
    trail_policy::keys::decode_private_key(&text).map(Some).map_err(|e| {
        CommandError::environment(format!("{} is not a trail private key: {e}", path.display()))
            .hint("restore it from a backup; without it this store's checkpoints cannot continue")
    })
}

/// The store's key, created if it has none and no chain of checkpoints exists
/// yet (a chain signed by a lost key cannot be continued by a new one).
pub fn ensure_key(repo: &Repo) -> Result<PrivateKey, CommandError> {
    if let Some(key) = load_key(repo)? {
        return Ok(key);
    }
    if trail_sync::tip_of(&repo.git, JOURNAL_REF).map_err(chain_error)?.is_some() {
        return Err(CommandError::refused(format!(
            "{} is missing, and {JOURNAL_REF} holds checkpoints signed with it",
            key_path(repo).display()
        ))
        .hint("restore the key file from a backup; checkpoints stop until then"));
    }
    let (key, _) = trail_policy::keys::generate("")
        .map_err(|e| CommandError::environment(format!("cannot make a key: {e}")))?;
    let path = key_path(repo);
    match trail_policy::keys::write_private_key(&path, &key) {
        Ok(()) => Ok(key),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_key(repo)?
            .ok_or_else(|| CommandError::environment(format!("{} vanished", path.display()))),
        Err(e) => Err(CommandError::environment(format!("cannot write {}: {e}", path.display()))),
    }
}

/// The last checkpoint on `refs/trail/journal`, if there is one and it reads.
pub fn last_checkpoint(repo: &Repo) -> Option<trail_sync::Checkpoint> {
    let tip = trail_sync::tip_of(&repo.git, JOURNAL_REF).ok().flatten()?;
    trail_sync::read_link(&repo.git, tip).ok().map(|link| link.checkpoint)
}

pub fn chain_error(e: trail_sync::ChainError) -> CommandError {
    CommandError::environment(e.to_string())
}

/// Write checkpoints for what `store` holds beyond the last one.
pub fn checkpoint(repo: &Repo, store: &dyn LogStore) -> Result<Option<Written>, CommandError> {
    let key = ensure_key(repo)?;
    let id = store
        .meta(trail_journal::store::meta_keys::STORE_ID)?
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .ok_or_else(|| CommandError::environment("the journal has no store id"))?;
    trail_sync::write_checkpoints(&repo.git, store, &key, &id).map_err(|e| {
        let hint = match &e {
            WriteError::Behind { .. } | WriteError::Diverged { .. } => {
                "`trail verify` says what is wrong; `trail recover` rebuilds the journal from its checkpoints"
            }
            WriteError::Foreign { .. } => {
                "this journal is not the one refs/trail/journal belongs to; `trail recover` brings that one back"
            }
            WriteError::Key { .. } => "restore .git/trail/journal.key from a backup",
            _ => "checkpoints resume with the next commit once this is fixed",
        };
        CommandError::refused(format!("no checkpoint was written: {e}")).hint(hint)
    })
}

/// After a hook's records are in: a checkpoint, if the policy wants them. A
/// failure is said, never fatal — the records are safe in the journal, and
/// the next checkpoint covers them.
pub fn checkpoint_after_hook(repo: &Repo, config: &Config, store: &dyn LogStore) {
    if !config.sync.checkpoints {
        return;
    }
    match checkpoint(repo, store) {
        Ok(Some(written)) => {
            tracing::debug!(first = written.first, seq = written.seq, "checkpoint written")
        }
        Ok(None) => {}
        Err(e) => warn_checkpoint(&e),
    }
}

/// Say why a checkpoint was not written, as a warning.
pub fn warn_checkpoint(e: &CommandError) {
    say(format_args!(
        "warning: {}{}",
        e.message,
        e.hints.first().map(|h| format!(" ({h})")).unwrap_or_default()
    ))
}

/// The watcher's checkpoints: one at least every `[sync] checkpoint_interval`
/// records, and one when it stops.
pub struct Periodic {
    enabled: bool,
    interval: u64,
    last: u64,
}

impl Periodic {
    pub fn new(repo: &Repo, config: &Config) -> Periodic {
        let last = last_checkpoint(repo).map_or(0, |checkpoint| checkpoint.seq);
        Periodic {
            enabled: config.sync.checkpoints,
            interval: config.sync.checkpoint_interval,
            last,
        }
    }

    /// After an append: a checkpoint if `interval` records have gone by.
    pub fn after_append(&mut self, repo: &Repo, store: &dyn LogStore) {
        self.write(repo, store, self.interval);
    }

    /// At a clean stop: a checkpoint of whatever is left.
    pub fn finish(&mut self, repo: &Repo, store: &dyn LogStore) {
        self.write(repo, store, 1);
    }

    fn write(&mut self, repo: &Repo, store: &dyn LogStore, every: u64) {
        if !self.enabled {
            return;
        }
        let Ok(head) = store.head() else { return };
        if head.seq < self.last.saturating_add(every) {
            return;
        }
        match checkpoint(repo, store) {
            Ok(written) => self.last = written.map_or(head.seq, |w| w.seq),
            Err(e) => {
                say(format_args!("warning: {}", e.message));
                // Said once per interval, not after every append.
                self.last = head.seq;
            }
        }
    }
}
