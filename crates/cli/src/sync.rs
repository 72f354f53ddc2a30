//! Checkpoints of this store (trail-sync) as the commands and hooks use them:
//! the store's signing key beside the store, writing a checkpoint after the
//! records a commit adds, and verifying the store against everything this
//! repository itself proves (its own chain, the checkpoints on
//! `refs/trail/journal`, the tokens the records say were used) — the one
//! verification `trail verify`, `trail reindex` and pre-push share.

use std::path::PathBuf;

use trail_journal::verify::{Problem, Report};
use trail_journal::{LogStore, store::meta_keys};
use trail_policy::PrivateKey;
use trail_sync::{Compared, JOURNAL_REF, WriteError, Written};

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

/// What [`verify_store`] found.
pub struct Checked {
    /// The store's own chain and indexes, with the findings of the checks
    /// below added (ordered by seq).
    pub report: Report,
    /// The comparison with `refs/trail/journal`.
    pub compared: Compared,
}

/// Verify `store` with everything this repository itself proves, no remote
/// needed: its own chain and indexes ([`trail_journal::verify`]); the signed
/// checkpoints on `refs/trail/journal` — the same store id, and at the seq of
/// every checkpoint the record with its hash (so truncation, a rolled-back
/// copy, another store and a rewrite are named, at the first seq that
/// differs); and no single-use token used by two commits. The outcome is
/// remembered for `trail status`.
pub fn verify_store(repo: &Repo, store: &dyn LogStore) -> Result<Checked, CommandError> {
    let mut report = trail_journal::verify(store)?;
    let id = store
        .meta(meta_keys::STORE_ID)?
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .ok_or_else(|| CommandError::environment("the journal has no store id"))?;
    // A key file that does not read is not the journal's problem: the
    // comparison then goes by the chain's own key.
    let key = load_key(repo).ok().flatten().map(|k| k.public().to_line());
    let compared = trail_sync::compare_with_chain(&repo.git, store, &id, key.as_deref())?;
    report.add(compared.findings.iter().cloned());
    report.add(trail_journal::verify::token_reuse(
        &report.repeated_tokens,
        |token, uses| single_use(repo, token, uses),
        |used| {
            // A use by a commit that no branch, tag or remote-tracking branch
            // reaches (amended, rebased away) kept its token, as pre-commit
            // allows; a use naming no commit counts.
            used.commit
                .as_deref()
                .is_none_or(|commit| crate::judge::reachable(&repo.site(), commit).unwrap_or(true))
        },
    ));
    let outcome = serde_json::json!({
        "time": trail_journal::Timestamp::now().to_rfc3339(),
        "ok": report.ok(),
        "records": report.records,
        "head_seq": report.head.seq,
        "first_bad_seq": report.first_bad_seq(),
    });
    // Remembering the outcome is a convenience for `trail status`; failing to is not fatal.
    if let Err(e) = store.set_meta(meta_keys::LAST_VERIFY, outcome.to_string().as_bytes()) {
        tracing::warn!("could not remember the verify outcome: {e}");
    }
    Ok(Checked { report, compared })
}

/// Whether `token`, used by the commits of `uses`, may be used only once:
/// the records name the token, not its terms, so they come from the token
/// itself, in a commit's `Trail-Authorization:` trailer. When no commit
/// carrying it can be read, nobody can tell, and nothing is said.
fn single_use(repo: &Repo, token: &str, uses: &[trail_journal::verify::TokenUse]) -> bool {
    uses.iter().filter_map(|u| u.commit.as_deref()).any(|commit| {
        let Ok(id) = trail_git::ObjectId::from_hex(commit.as_bytes()) else { return false };
        let Ok(Some(text)) = crate::judge::trailer(&repo.git, id, "Trail-Authorization") else {
            return false;
        };
        trail_policy::Token::parse(&text).is_ok_and(|t| t.id() == token && !t.claims().reuse)
    })
}

/// Print each finding on its own line (stderr).
pub fn print_findings(report: &Report) {
    for finding in &report.findings {
        match finding.seq {
            Some(seq) => crate::output::to_stderr(format_args!("seq {seq}: {}\n", finding.problem)),
            None => crate::output::to_stderr(format_args!("store: {}\n", finding.problem)),
        }
    }
}

/// The error for a journal [`verify_store`] found fault with: the first bad
/// seq when a finding names one, and what to do about it. Rebuilding the
/// indexes is advised only when nothing but the indexes is wrong.
pub fn not_intact(report: &Report) -> CommandError {
    let any = |f: fn(&Problem) -> bool| report.findings.iter().any(|x| f(&x.problem));
    let checkpoints = "the journal is not what the signed checkpoints on refs/trail/journal hold: `trail recover` rebuilds it from them (the store now in place is kept aside)";
    match report.first_bad_seq() {
        Some(seq) => {
            let error = CommandError::refused(format!(
                "the journal is NOT intact: first bad record is seq {seq}"
            ));
            if any(Problem::is_checkpoint) {
                error.hint(checkpoints)
            } else if any(|p| matches!(p, Problem::TokenReused { .. })) {
                error.hint("a single-use token authorized two commits: `trail log --kind auth.used` lists its uses; the first use was the only valid one")
            } else {
                error.hint("the records from that seq on cannot be trusted; compare with a copy made by `trail export`")
            }
        }
        None if report.only_indexes() => {
            CommandError::refused("the journal's records are intact but its indexes are not")
                .hint("run `trail reindex` to rebuild the indexes from the records")
        }
        None if any(Problem::is_checkpoint) => {
            CommandError::refused("the journal is NOT the one this repository checkpointed")
                .hint(checkpoints)
        }
        None if any(|p| matches!(p, Problem::Checkpoints(_))) => CommandError::refused(
            "the journal's signed checkpoints on refs/trail/journal do not hold together: nothing can be proved with them",
        )
        .hint("they were damaged or changed; `trail verify --against REMOTE` compares the journal with the copy pushed to a remote"),
        None => CommandError::refused("the journal's store is damaged (see the findings above)")
            .hint("compare with a copy made by `trail export`"),
    }
}
