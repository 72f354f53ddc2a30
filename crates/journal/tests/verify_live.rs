//! `verify` on a journal that grows while it runs (a daemon serving appends),
//! and on one whose records run past the head `meta` names.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use trail_journal::verify::Problem;
use trail_journal::{Draft, LogStore, PathChange, SledStore, Source, Status, Timestamp, kinds};

fn draft(n: u64) -> Draft {
    let mut d = Draft::new(
        kinds::FS_CREATE,
        Source::Watcher,
        Timestamp::from_unix(1_700_000_000 + n as i64).expect("a valid time"),
    );
    d.paths = (0..3)
        .map(|i| {
            PathChange::new(format!("burst-{}/f{}.txt", n % 7, n * 3 + i).as_bytes(), Status::A)
        })
        .collect();
    d
}

fn fresh() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (store, _) = SledStore::create(&dir.path().join("journal")).expect("create the store");
    (dir, store)
}

#[test]
fn a_journal_growing_while_it_is_verified_is_not_reported_damaged() {
    let (_dir, store) = fresh();
    store.append((0..200).map(draft).collect()).expect("the first records");
    let store = Arc::new(store);
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, done) = (Arc::clone(&store), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut n = 200;
            while !done.load(Ordering::SeqCst) {
                store.append((n..n + 25).map(draft).collect()).expect("an append");
                n += 25;
            }
            n
        })
    };
    let mut verified = Vec::new();
    for _ in 0..15 {
        let report = trail_journal::verify(&*store).expect("verify reads the store");
        assert!(report.ok(), "a growing journal was reported damaged: {:?}", report.findings);
        verified.push(report.records);
    }
    done.store(true, Ordering::SeqCst);
    let appended = writer.join().expect("the writer does not panic");
    // The appends really ran alongside: later verifies saw more records.
    assert!(verified.first() < verified.last(), "the journal did not grow meanwhile: {verified:?}");
    let report = trail_journal::verify(&*store).expect("verify reads the store");
    assert!(report.ok(), "{:?}", report.findings);
    assert_eq!(report.records, appended);
}

#[test]
fn a_record_stored_past_the_head_is_reported() {
    let (_dir, store) = fresh();
    store.append((0..5).map(draft).collect()).expect("five records");
    let last = store.get_raw(5).expect("read record 5").expect("record 5 exists");
    // Damage: a sixth record in `records` that `meta`'s head does not cover.
    let records = store.tree("records").expect("the records tree");
    records.insert(6u64.to_be_bytes(), last).expect("insert");
    records.flush().expect("flush");
    let report = trail_journal::verify(&store).expect("verify reads the store");
    assert!(!report.ok());
    assert_eq!(report.first_bad_seq(), Some(6), "{:?}", report.findings);
    assert!(
        report.findings.iter().any(|f| matches!(f.problem, Problem::BeyondHead { head: 5 })),
        "{:?}",
        report.findings
    );
}

#[test]
fn damage_past_the_head_is_reported_when_the_journal_did_not_grow() {
    let (_dir, store) = fresh();
    store.append((0..5).map(draft).collect()).expect("five records");
    let last = store.get_raw(5).expect("read record 5").expect("record 5 exists");
    // A stray record well past the head, and an index key of a record that
    // is not there.
    store.tree("records").expect("records").insert(9u64.to_be_bytes(), last).expect("insert");
    let time = store.tree(trail_journal::index::TIME).expect("the time index");
    time.insert(trail_journal::index::time_key(1, 12), &[] as &[u8]).expect("insert");
    time.flush().expect("flush");
    let report = trail_journal::verify(&store).expect("verify reads the store");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.seq == Some(9) && matches!(f.problem, Problem::BeyondHead { head: 5 })),
        "{:?}",
        report.findings
    );
    assert!(
        report.findings.iter().any(|f| matches!(
            f.problem,
            Problem::Index { tree: "idx_time", expected: 5, found: 6 }
        )),
        "{:?}",
        report.findings
    );
}
