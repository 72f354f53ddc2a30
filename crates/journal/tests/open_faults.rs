//! Opening a store never damages it, and says what is wrong when it cannot
//! (issue 18, items 7 and 8): sled's half-written snapshots, a store held by
//! another opener, a `trail recover` that did not finish. Full disks and
//! permissions need root (a tmpfs, another uid): tests/store_faults.rs.

mod common;

use std::path::{Path, PathBuf};

use trail_journal::{Draft, LogStore, OpenError, SledStore};

fn fixture_lines() -> Vec<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../store/fixtures/v1.jsonl");
    let data =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// A store holding the fixture's records, closed, with the snapshot sled wrote
/// when it was last opened; returns its path and head seq.
fn closed_store(dir: &Path) -> (PathBuf, u64) {
    let path = dir.join("journal");
    let (store, _) = SledStore::create(&path).expect("create");
    let drafts: Vec<Draft> = fixture_lines().iter().map(|l| common::draft_of(l)).collect();
    let head = store.append(drafts).expect("append").last().expect("records").seq;
    drop(store);
    // Opened once more after the writes: sled writes a snapshot at open.
    drop(SledStore::open(&path).expect("reopen"));
    (path, head)
}

/// The store's `snap.*` file names, sorted.
fn snapshots(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .expect("list the store")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("snap."))
        .collect();
    names.sort();
    names
}

/// The one finished snapshot: its name and bytes.
fn the_snapshot(path: &Path) -> (String, Vec<u8>) {
    let names = snapshots(path);
    assert_eq!(names.len(), 1, "one snapshot: {names:?}");
    let bytes = std::fs::read(path.join(&names[0])).expect("read the snapshot");
    (names[0].clone(), bytes)
}

// Issue 18 (7): sled creates `snap.<LSN>.generating` before it writes the
// snapshot; on a full disk the write fails and the empty file stays. Every
// later open read it as a corrupt snapshot: "damaged: corrupted data".
#[test]
fn regression_an_empty_snapshot_left_by_a_full_disk_is_not_read_as_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, head) = closed_store(dir.path());
    let (name, _) = the_snapshot(&path);
    // What the failed open left: the same LSN, so it sorts right after.
    std::fs::write(path.join(format!("{name}.generating")), b"").expect("write the leftover");

    let store = SledStore::open(&path).unwrap_or_else(|e| panic!("the store opens: {e}"));
    assert_eq!(store.head().expect("head").seq, head, "every record is there");
    assert!(trail_journal::verify(&store).expect("verify").ok());
    drop(store);
    assert_eq!(snapshots(&path), [name], "the leftover is gone");
}

#[test]
fn a_partly_written_snapshot_is_removed_and_the_store_opens_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, head) = closed_store(dir.path());
    let (name, bytes) = the_snapshot(&path);
    // A later LSN than any snapshot, cut short by a kill or a full disk.
    std::fs::write(path.join("snap.7FFFFFFFFFFFFFFF.generating"), &bytes[..bytes.len() / 2])
        .expect("write the leftover");

    let store = SledStore::open(&path).unwrap_or_else(|e| panic!("the store opens: {e}"));
    assert_eq!(store.head().expect("head").seq, head);
    drop(store);
    assert_eq!(snapshots(&path), [name]);
}

#[test]
fn a_whole_snapshot_that_was_not_renamed_gets_its_final_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, head) = closed_store(dir.path());
    let (name, bytes) = the_snapshot(&path);
    // Killed between sled's fsync of the snapshot and its rename.
    std::fs::rename(path.join(&name), path.join(format!("{name}.generating"))).expect("rename");

    let store = SledStore::open(&path).unwrap_or_else(|e| panic!("the store opens: {e}"));
    assert_eq!(store.head().expect("head").seq, head);
    drop(store);
    assert_eq!(snapshots(&path), std::slice::from_ref(&name), "renamed, as sled would have");
    assert_eq!(std::fs::read(path.join(&name)).expect("read"), bytes, "the same snapshot");
}

#[test]
fn a_snapshot_being_written_by_the_process_that_holds_the_store_is_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = closed_store(dir.path());
    let holder = SledStore::open(&path).expect("open");
    let leftover = path.join("snap.7FFFFFFFFFFFFFFF.generating");
    std::fs::write(&leftover, b"").expect("write");

    match SledStore::open_with_wait(&path, std::time::Duration::ZERO) {
        Err(OpenError::Locked { .. }) => {}
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a held store opened twice"),
    }
    assert!(leftover.exists(), "nothing is removed from a store another opener holds");
    drop(holder);
    let store = SledStore::open(&path).unwrap_or_else(|e| panic!("the store opens: {e}"));
    drop(store);
    assert!(!leftover.exists());
}

// Issue 18 (8): while `trail recover` swaps the stores, the journal is absent
// for a moment and its rebuilt replacement waits beside it. `trail init` there
// made a new store that the rest of the swap would then have to reckon with.
#[test]
fn an_absent_store_whose_rebuild_waits_beside_it_is_not_created_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal");
    let built = SledStore::rebuild_path(&path);
    assert_eq!(built, dir.path().join("journal.recovering"));
    drop(
        SledStore::create_as(&built, "0123456789abcdef0123456789abcdef", "2026-01-01T00:00:00Z")
            .expect("create_as"),
    );

    for outcome in [SledStore::open(&path).err(), SledStore::create(&path).err()] {
        match outcome {
            Some(OpenError::RecoverUnfinished { path: p, built: b }) => {
                assert_eq!((p, b), (path.clone(), built.clone()));
            }
            Some(other) => panic!("expected RecoverUnfinished, got {other}"),
            None => panic!("expected RecoverUnfinished, the store opened"),
        }
    }
    assert!(!path.exists(), "no new store was made");
    // What recover itself reads: the old store is simply not there.
    assert!(matches!(SledStore::open_for_salvage(&path), Err(OpenError::NotInitialized { .. })));
}
