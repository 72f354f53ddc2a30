//! Attributing work-tree events to a git operation (see the crate docs for
//! the heuristic).

use std::collections::HashSet;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// What the git dir told during one operation window.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Evidence {
    pub head: bool,
    pub orig_head: bool,
    pub merge: bool,
    pub cherry_pick: bool,
    pub revert: bool,
    pub rebase: bool,
    pub stash: bool,
}

/// Which git-dir entries matter, and what they say. `name` is relative to
/// the git dir (`refs/stash` for the common refs directory).
pub(crate) fn classify(name: &[u8], evidence: &mut Evidence) -> bool {
    match name {
        b"index.lock" | b"index" | b"logs/HEAD" => {}
        b"HEAD" | b"HEAD.lock" => evidence.head = true,
        b"ORIG_HEAD" | b"ORIG_HEAD.lock" => evidence.orig_head = true,
        b"MERGE_HEAD" => evidence.merge = true,
        b"CHERRY_PICK_HEAD" => evidence.cherry_pick = true,
        b"REVERT_HEAD" => evidence.revert = true,
        b"rebase-merge" | b"rebase-apply" => evidence.rebase = true,
        b"refs/stash" | b"refs/stash.lock" => evidence.stash = true,
        _ => return false,
    }
    true
}

/// An operation in progress: the work-tree paths touched while it runs.
#[derive(Debug)]
pub(crate) struct Window {
    /// HEAD's reflog as it was when the previous window closed: events are
    /// read some time after they happen, so the clock cannot tell whether
    /// the reflog was written during this window; a change since then can.
    pub reflog_before: Option<ReflogMark>,
    /// The last event of the git dir or of one of `paths`.
    pub last: Instant,
    /// The last event of the git dir.
    pub git_last: Instant,
    pub evidence: Evidence,
    pub paths: HashSet<Vec<u8>>,
}

impl Window {
    pub fn new(now: Instant, reflog_before: Option<ReflogMark>) -> Window {
        Window {
            reflog_before,
            last: now,
            git_last: now,
            evidence: Evidence::default(),
            paths: HashSet::new(),
        }
    }

    /// When the window may close: `debounce` after its last event, unless
    /// git looks busy still. `index.lock` held, or an operation that moves
    /// `HEAD` whose reflog entry (written last, and what names it) is not
    /// there yet: a git descheduled for longer than `debounce` must not have
    /// its work reported before it is done. A git that died leaves its lock
    /// behind, and some operations write no reflog: both wait a bounded time.
    /// Nor do work-tree events alone hold a window open for long once git is
    /// quiet (a build writing files during a `git status`): 5 s, or 60 s
    /// while `index.lock` exists (a checkout of very many files).
    pub fn closes_at(&self, debounce: Duration, git_dir: &Path) -> Instant {
        let quiet = later(self.last, debounce);
        let locked = git_dir.join("index.lock").exists();
        let busy = locked || (self.moves_head() && !self.reflog_fresh(git_dir));
        let normal = if busy {
            quiet.max(later(self.last, debounce.saturating_mul(10).max(Duration::from_secs(3))))
        } else {
            quiet
        };
        let git_quiet = if locked {
            debounce.saturating_mul(20).max(Duration::from_secs(60))
        } else {
            debounce.saturating_mul(20).max(Duration::from_secs(5))
        };
        normal.min(later(self.git_last, git_quiet))
    }

    fn moves_head(&self) -> bool {
        let e = &self.evidence;
        !e.stash && (e.head || e.orig_head || e.merge || e.cherry_pick || e.revert || e.rebase)
    }

    fn reflog_fresh(&self, git_dir: &Path) -> bool {
        reflog_mark(git_dir) != self.reflog_before
    }

    /// The operation's name, if the evidence names one.
    pub fn name(&self, git_dir: &Path) -> Option<String> {
        let e = &self.evidence;
        if e.stash {
            return Some("stash".into());
        }
        if self.reflog_fresh(git_dir) {
            // A commit (git 2.47 takes HEAD.lock for every one) changes
            // files only through its hooks (trail's CHANGELOG.md entries):
            // ordinary file changes, not an operation.
            if reflog_is_commit(git_dir) {
                return None;
            }
            if let Some(verb) = reflog_verb(git_dir) {
                return Some(verb);
            }
        }
        let rebasing =
            git_dir.join("rebase-merge").exists() || git_dir.join("rebase-apply").exists();
        let name = if e.rebase || rebasing {
            "rebase"
        } else if e.cherry_pick {
            "cherry-pick"
        } else if e.revert {
            "revert"
        } else if e.merge {
            "merge"
        } else if e.orig_head {
            // Written by reset (and merge, rebase, am: found above).
            "reset"
        } else if e.head {
            "checkout"
        } else {
            return None;
        };
        Some(name.into())
    }
}

/// `t + d`, or a time far enough away when that does not fit (a caller's
/// `Duration::MAX` timeout must not panic).
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(Duration::from_secs(100 * 365 * 86_400))).unwrap_or(t)
}

/// What tells that HEAD's reflog was written: its size and mtime (not the
/// entries' times: those are committer dates, which `GIT_COMMITTER_DATE`
/// sets to anything).
pub(crate) type ReflogMark = (u64, SystemTime);

pub(crate) fn reflog_mark(git_dir: &Path) -> Option<ReflogMark> {
    let meta = std::fs::metadata(git_dir.join("logs").join("HEAD")).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Whether the newest entry of `HEAD`'s reflog is a commit (`commit:`,
/// `commit (amend):`, `commit (initial):`, `commit (merge):`).
fn reflog_is_commit(git_dir: &Path) -> bool {
    last_line(&git_dir.join("logs").join("HEAD"))
        .and_then(|line| line.split_once('\t').map(|(_, m)| m.starts_with("commit")))
        .unwrap_or(false)
}

/// The operation named by the newest entry of `HEAD`'s reflog.
fn reflog_verb(git_dir: &Path) -> Option<String> {
    let line = last_line(&git_dir.join("logs").join("HEAD"))?;
    let (_, message) = line.split_once('\t')?;
    let verb = message.split([':', ' ']).next()?;
    let name = match verb {
        "checkout" => "checkout",
        "merge" | "pull" => "merge",
        "rebase" => "rebase",
        "reset" => "reset",
        "cherry-pick" => "cherry-pick",
        "revert" => "revert",
        "am" => "am",
        _ => return None,
    };
    Some(name.into())
}

fn last_line(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(8192);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    text.lines().rev().find(|l| !l.trim().is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflog_names_the_newest_operation() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("logs")).expect("mkdir");
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).expect("time").as_secs();
        let z = "0".repeat(40);
        let log = format!(
            "{z} {z} A <a@b> {} +0000\tcommit (initial): x\n{z} {z} A <a@b> {now} +0200\tcheckout: moving from main to other\n",
            now - 100
        );
        std::fs::write(dir.path().join("logs/HEAD"), log).expect("write");
        let window = Window::new(Instant::now(), None);
        assert_eq!(window.name(dir.path()).as_deref(), Some("checkout"));
        // A reflog unchanged since the previous window does not name it.
        let window = Window::new(Instant::now(), reflog_mark(dir.path()));
        assert_eq!(window.name(dir.path()), None);
    }
}
