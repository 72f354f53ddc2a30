//! HEAD's reflog, read for the commits made in this worktree.
//!
//! `git commit` writes a reflog entry for HEAD before it runs post-commit: a
//! commit whose post-commit was killed (or never ran) is still named there,
//! with a message starting `commit` (`commit:`, `commit (amend):`, `commit
//! (initial):`, `commit (merge):`). Commits that arrived by fetch, reset,
//! checkout or rebase have other messages.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

use gix::ObjectId;

/// How much of the reflog's end is read: the last few hundred entries.
const TAIL_BYTES: u64 = 64 * 1024;

/// The commits `git commit` made in the worktree of `git_dir`, newest first,
/// from the last `max` entries of its HEAD reflog (fewer when the reflog is
/// shorter or disabled). A missing or unreadable reflog yields none.
pub fn commits_made_here(git_dir: &Path, max: usize) -> Vec<ObjectId> {
    let Ok(mut file) = std::fs::File::open(git_dir.join("logs").join("HEAD")) else {
        return Vec::new();
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else { return Vec::new() };
    let start = len.saturating_sub(TAIL_BYTES);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut tail = Vec::new();
    if file.read_to_end(&mut tail).is_err() {
        return Vec::new();
    }
    // A tail that starts mid-line drops that line.
    let text = if start > 0 {
        match tail.iter().position(|&b| b == b'\n') {
            Some(at) => &tail[at + 1..],
            None => &[][..],
        }
    } else {
        &tail[..]
    };
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n').rev().filter(|l| !l.is_empty()).take(max) {
        if let Some(id) = made_by_commit(line) {
            out.push(id);
        }
    }
    out
}

/// The new id of a reflog line written by `git commit`.
fn made_by_commit(line: &[u8]) -> Option<ObjectId> {
    let tab = line.iter().position(|&b| b == b'\t')?;
    let message = &line[tab + 1..];
    if !message.starts_with(b"commit:") && !message.starts_with(b"commit (") {
        return None;
    }
    let mut fields = line[..tab].split(|&b| b == b' ');
    let _old = fields.next()?;
    let new = fields.next()?;
    let id = ObjectId::from_hex(new).ok()?;
    (!id.is_null()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_written_by_git_commit_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).expect("mkdir");
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let z = "0".repeat(40);
        let text = format!(
            "{z} {a} A <a@x> 1 +0000\tcommit (initial): one\n\
             {a} {b} A <a@x> 2 +0000\tpull: Fast-forward\n\
             {b} {c} A <a@x> 3 +0000\tcommit (amend): three\n\
             {c} {a} A <a@x> 4 +0000\treset: moving to HEAD~1\n"
        );
        std::fs::write(logs.join("HEAD"), text).expect("write");
        let ids: Vec<String> =
            commits_made_here(dir.path(), 10).iter().map(ToString::to_string).collect();
        assert_eq!(ids, [c, a]);
        assert_eq!(
            commits_made_here(dir.path(), 1),
            Vec::<ObjectId>::new(),
            "the last entry is a reset"
        );
    }
}
