//! post-commit off the commit's path (docs/architecture.md, "post-commit
//! runs after the commit"): for a plain `git commit` that pre-commit
//! prepared, the post-commit shim leaves a *marker* naming the commit and
//! the `git` process that made it, starts `trail drain` in the background
//! and returns; git's commit is done without waiting for a trail process.
//!
//! The marker is the job, not a promise: whoever claims it first records
//! the commit, exactly as the post-commit hook would have — the background
//! drainer, or any trail process that starts in the repository before it
//! (every one settles the markers of its worktree before it reads the
//! journal or pre-commit's state). A claim is an exclusive lock on the
//! marker file held while the commit is recorded; the marker is removed
//! before the lock is let go, so a second claimant finds it gone and does
//! nothing. A drainer that was killed leaves its marker, and the next trail
//! process records the commit from it: nothing is lost to `kill -9`.
//!
//! Markers live in `.git/trail/pending/` as
//! `post-commit-<worktree>.<commit>.<pid>.<start>` (empty files; the name
//! is the whole content, so a marker is never seen half-written). This
//! module names, finds and claims them; the CLI records.

use std::fs::File;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trail_git::ObjectId;

use crate::hook::Hook;
use crate::pending::PendingCommit;

/// The first line of `commit-<worktree>.defer`, which pre-commit writes when
/// the post-commit of this very `git` process may run in the background;
/// the invocation (`PID:START`) follows it (hooks/shim.sh matches it
/// literally).
pub const DEFER_HEADER: &str = "trail-defer v1";

/// One marker: a commit whose post-commit waits to be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub path: PathBuf,
    /// The commit the shim found at HEAD after git made it.
    pub commit: ObjectId,
    /// The `git` process that made it (`PID:START`), which pre-commit's
    /// state names.
    pub invocation: String,
    /// When the shim left it, for the order of several.
    modified: std::time::SystemTime,
}

/// The markers of `worktree` in `pending_dir`, oldest first. Names that are
/// not a marker's (a forged or foreign file) are passed over.
pub fn markers(pending_dir: &Path, worktree: &str) -> Vec<Marker> {
    let Ok(entries) = std::fs::read_dir(pending_dir) else { return Vec::new() };
    let mut found: Vec<Marker> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let (commit, invocation) = parse(name.to_str()?, worktree)?;
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some(Marker { path: entry.path(), commit, invocation, modified })
        })
        .collect();
    found.sort_by(|a, b| a.modified.cmp(&b.modified).then_with(|| a.path.cmp(&b.path)));
    found
}

/// The commit and invocation a marker's file name holds, when `name` is one
/// of `worktree`'s: `post-commit-<worktree>.<hex id>.<pid>.<start>`.
fn parse(name: &str, worktree: &str) -> Option<(ObjectId, String)> {
    let rest = name.strip_prefix("post-commit-")?.strip_prefix(worktree)?.strip_prefix('.')?;
    let mut parts = rest.split('.');
    let (commit, pid, start) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !matches!(commit.len(), 40 | 64)
        || !commit.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        || !is_number(pid)
        || !is_number(start)
    {
        return None;
    }
    let commit = ObjectId::from_hex(commit.as_bytes()).ok()?;
    Some((commit, format!("{pid}:{start}")))
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The file name of the marker for `commit` made by `invocation`
/// (`PID:START`), as hooks/shim.sh writes it.
pub fn marker_name(worktree: &str, commit: &ObjectId, invocation: &str) -> Option<String> {
    let (pid, start) = invocation.split_once(':')?;
    (is_number(pid) && is_number(start))
        .then(|| format!("post-commit-{worktree}.{commit}.{pid}.{start}"))
}

/// A marker claimed: its lock is held until [`Claim::done`] (the commit
/// recorded: the marker removed) or the claim is dropped (not recorded: the
/// marker stays for the next claimant).
#[derive(Debug)]
pub struct Claim {
    file: File,
    pub marker: Marker,
}

/// How a claim ended when it did not get the marker.
#[derive(Debug, PartialEq, Eq)]
pub enum Unclaimed {
    /// Somebody else recorded it (the marker is gone).
    Done,
    /// Somebody else still holds it after `wait`.
    Busy,
}

impl Claim {
    /// The commit is recorded: the marker goes, then the lock.
    pub fn done(self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.marker.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        drop(self.file);
        Ok(())
    }
}

/// Claim `marker`, waiting up to `wait` while another process records it.
pub fn claim(marker: &Marker, wait: Duration) -> Result<Claim, Unclaimed> {
    let Ok(file) = File::open(&marker.path) else { return Err(Unclaimed::Done) };
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(Unclaimed::Busy),
            // A file system without locks: the marker is ours to try.
            Err(std::fs::TryLockError::Error(_)) => break,
        }
    }
    // Removed by whoever held it before us: it is recorded.
    match file.metadata() {
        Ok(meta) if meta.nlink() > 0 => Ok(Claim { file, marker: marker.clone() }),
        _ => Err(Unclaimed::Done),
    }
}

/// Whether the post-commit of the commit pre-commit just prepared may run
/// in the background: only when it has nothing to do that the person must
/// see happen, or that another process could race — pre-commit staged into
/// the repository's own index (`.git/index` or its lock, which git renames
/// over it; not `git commit -o`'s or a `GIT_INDEX_FILE`'s: no other index
/// to put the entries into afterwards), no aborted attempt's entries to take
/// out of another index, the `git` process is known, and `agents_idle`: no
/// AI agent's edits or commit note wait (their sessions are named from the
/// hook's own environment).
pub fn may_defer(hook: &Hook<'_>, pending: &PendingCommit, agents_idle: bool) -> bool {
    // The repository's own index, not `GIT_INDEX_FILE` (which gix follows,
    // and which names `git commit -o`'s temporary index in its pre-commit).
    let real = hook.git_dir.join("index");
    let into_real = crate::changelogs::same_file(&pending.index, &real)
        || crate::changelogs::is_lock_of(&pending.index, &real);
    agents_idle && into_real && pending.stale_elsewhere.is_none() && pending.invocation.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef01234567";

    fn touch(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, b"").expect("marker");
        path
    }

    #[test]
    fn a_marker_is_only_a_name_of_the_form_the_shim_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = ObjectId::from_hex(ID.as_bytes()).expect("id");
        let name = marker_name("main", &id, "4242:99887766").expect("name");
        assert_eq!(name, format!("post-commit-main.{ID}.4242.99887766"));
        touch(dir.path(), &name);
        for forged in [
            format!("post-commit-main.{ID}.4242"),
            format!("post-commit-main.{ID}.4242.1.2"),
            format!("post-commit-main.{}.1.2", &ID[..39]),
            format!("post-commit-main.{}.1.2", ID.to_uppercase()),
            format!("post-commit-main.{ID}.-1.2"),
            format!("post-commit-main.{ID}..2"),
            format!("post-commit-wt-x.{ID}.1.2"),
            format!("post-commit-main.{ID}.1.2.tmp"),
            "commit-main.json".to_owned(),
        ] {
            touch(dir.path(), &forged);
        }
        let found = markers(dir.path(), "main");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].commit, id);
        assert_eq!(found[0].invocation, "4242:99887766");
        assert_eq!(markers(dir.path(), "wt-x").len(), 1, "each worktree its own");
        assert_eq!(marker_name("main", &id, "4242"), None);
        assert_eq!(marker_name("main", &id, "../x:1"), None);
    }

    #[test]
    fn markers_come_oldest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let later = format!("post-commit-main.{ID}.1.1");
        let earlier = format!("post-commit-main.{}.2.2", "f".repeat(40));
        let a = touch(dir.path(), &later);
        let b = touch(dir.path(), &earlier);
        let old = std::time::SystemTime::now() - Duration::from_secs(60);
        File::options().write(true).open(&b).expect("open").set_modified(old).expect("mtime");
        let found: Vec<PathBuf> = markers(dir.path(), "main").into_iter().map(|m| m.path).collect();
        assert_eq!(found, vec![b, a]);
    }

    #[test]
    fn a_marker_is_recorded_by_one_claimant_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(dir.path(), &format!("post-commit-main.{ID}.1.1"));
        let marker = markers(dir.path(), "main").remove(0);
        let first = claim(&marker, Duration::ZERO).expect("the first claims it");
        // Held: a second claimant waits, then gives up without it.
        let started = Instant::now();
        assert_eq!(claim(&marker, Duration::from_millis(50)).map(drop), Err(Unclaimed::Busy));
        assert!(started.elapsed() >= Duration::from_millis(50), "it waited");
        // One waiting while the first finishes finds it recorded.
        let waiter = {
            let marker = marker.clone();
            std::thread::spawn(move || claim(&marker, Duration::from_secs(10)).map(drop))
        };
        std::thread::sleep(Duration::from_millis(20));
        first.done().expect("done");
        assert_eq!(waiter.join().expect("thread"), Err(Unclaimed::Done));
        assert!(!marker.path.exists());
        assert_eq!(claim(&marker, Duration::ZERO).map(drop), Err(Unclaimed::Done));
    }

    #[test]
    fn a_claim_given_up_leaves_the_marker_for_the_next() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(dir.path(), &format!("post-commit-main.{ID}.1.1"));
        let marker = markers(dir.path(), "main").remove(0);
        // A claimant that dies (or fails to record) drops its claim.
        drop(claim(&marker, Duration::ZERO).expect("claimed"));
        assert!(marker.path.exists());
        claim(&marker, Duration::ZERO).expect("claimed again").done().expect("done");
        assert!(markers(dir.path(), "main").is_empty());
    }
}
