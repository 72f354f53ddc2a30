//! `refs/trail/saves`: the commit chain that keeps saved blobs reachable.

use std::collections::BTreeSet;

use gix::ObjectId;
use gix::refs::transaction::{PreviousValue, RefEdit};

pub(crate) const SAVES_REF: &str = "refs/trail/saves";

/// Commit a tree naming every blob of `blobs` (entries named by hex id) on
/// top of the current tip of `refs/trail/saves`, and move the ref there
/// (guarded by its previous value; retried if another writer moved it).
pub(crate) fn keep(repo: &gix::Repository, blobs: &BTreeSet<ObjectId>) -> Result<ObjectId, String> {
    let entries = blobs
        .iter()
        .map(|id| gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Blob.into(),
            filename: id.to_string().into(),
            oid: *id,
        })
        .collect();
    // Hex names of equal length sort as the ids do: the tree is canonical.
    let tree = gix::objs::Tree { entries };
    let tree_id = repo.write_object(&tree).map_err(|e| e.to_string())?.detach();
    let signature = gix::actor::Signature {
        name: "trail".into(),
        email: "trail@localhost".into(),
        time: gix::date::Time::now_utc(),
    };
    let mut time = gix::date::parse::TimeBuf::default();
    let message = format!("trail: keep {} saved file contents\n", blobs.len());
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let parent = repo
            .try_find_reference(SAVES_REF)
            .map_err(|e| e.to_string())?
            .map(|mut r| r.peel_to_id().map(|id| id.detach()))
            .transpose()
            .map_err(|e| e.to_string())?;
        let commit = gix::objs::Commit {
            tree: tree_id,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature.clone(),
            encoding: None,
            message: message.clone().into(),
            extra_headers: Vec::new(),
        };
        let commit_id = repo.write_object(&commit).map_err(|e| e.to_string())?.detach();
        let expected = match parent {
            Some(parent) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(parent)),
            None => PreviousValue::MustNotExist,
        };
        let name = SAVES_REF
            .try_into()
            .map_err(|e: gix::validate::reference::name::Error| e.to_string())?;
        let edit = RefEdit::update(name, commit_id, expected, message.trim_end());
        match repo.edit_references_as(Some(edit), Some(signature.to_ref(&mut time))) {
            Ok(_) => return Ok(commit_id),
            Err(e) => {
                last_error = e.to_string();
                clear_stale_lock(repo);
            }
        }
    }
    Err(last_error)
}

/// How long a writer may leave `refs/trail/saves.lock` unchanged before it
/// counts as dead: an update holds it for milliseconds.
const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(2);

/// Remove a `refs/trail/saves.lock` that a writer killed in the middle of
/// an update left behind (kill -9 of the watcher or of an agent's hook).
/// git never removes a lock it did not take, so every later update — and
/// the watcher's start — would fail for good. A lock that goes away while
/// this waits was a live writer's; one unchanged for [`STALE_LOCK`] goes.
fn clear_stale_lock(repo: &gix::Repository) {
    let lock = repo.common_dir().join(format!("{SAVES_REF}.lock"));
    let deadline = std::time::Instant::now() + STALE_LOCK * 2;
    loop {
        let Ok(meta) = std::fs::metadata(&lock) else { return };
        let age = meta.modified().ok().and_then(|m| m.elapsed().ok()).unwrap_or_default();
        if age >= STALE_LOCK {
            let _ = std::fs::remove_file(&lock);
            return;
        }
        if std::time::Instant::now() > deadline {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, gix::Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = gix::init(dir.path()).expect("init");
        (dir, repo)
    }

    fn blob(repo: &gix::Repository, text: &str) -> BTreeSet<ObjectId> {
        BTreeSet::from([repo.write_blob(text.as_bytes()).expect("blob").detach()])
    }

    /// kill -9 during an update leaves `refs/trail/saves.lock`: the next
    /// update removes it once it is stale, instead of failing for good.
    #[test]
    fn a_lock_left_by_a_killed_writer_does_not_stop_the_saves() {
        let (dir, repo) = repo();
        let first = keep(&repo, &blob(&repo, "one")).expect("first keep");
        let lock = dir.path().join(".git").join(format!("{SAVES_REF}.lock"));
        std::fs::write(&lock, b"").expect("a lock a killed writer left");
        let old = std::process::Command::new("touch")
            .args(["-d", "10 seconds ago"])
            .arg(&lock)
            .status()
            .expect("touch");
        assert!(old.success());
        let second = keep(&repo, &blob(&repo, "two")).expect("the stale lock gives way");
        assert!(!lock.exists(), "the stale lock is gone");
        let tip = repo.find_reference(SAVES_REF).expect("ref").into_fully_peeled_id().expect("id");
        assert_eq!(tip.detach(), second);
        let parents: Vec<ObjectId> =
            repo.find_commit(second).expect("commit").parent_ids().map(|p| p.detach()).collect();
        assert_eq!(parents, [first]);
    }

    /// A lock a live writer holds for a moment is waited for, not removed.
    #[test]
    fn a_live_writers_lock_is_waited_for() {
        let (dir, repo) = repo();
        keep(&repo, &blob(&repo, "one")).expect("first keep");
        let lock = dir.path().join(".git").join(format!("{SAVES_REF}.lock"));
        std::fs::write(&lock, b"").expect("a live writer's lock");
        let released = lock.clone();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            std::fs::remove_file(released).expect("the writer lets go");
        });
        keep(&repo, &blob(&repo, "two")).expect("kept once the writer let go");
        writer.join().expect("the writer thread");
    }
}
