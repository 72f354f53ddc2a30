//! A draft is appended once, however often it is handed to the store: the
//! retry after a lost answer, a spool drained twice, a replayed batch.

use trail_journal::{Draft, LogStore, SledStore, Source, Timestamp, kinds};

fn draft(n: u64) -> Draft {
    let mut d = Draft::new(kinds::COMMIT, Source::Hook, Timestamp::from_unix(n as i64).expect("t"));
    d.commit = Some(format!("{n:040x}"));
    d
}

fn fresh() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = SledStore::create(&dir.path().join("journal")).expect("create");
    (dir, store)
}

#[test]
fn a_draft_appended_again_is_answered_with_its_record_and_not_written_twice() {
    let (_dir, store) = fresh();
    let batch = vec![draft(1), draft(2)];
    let first = store.append(batch.clone()).expect("first append");
    assert_eq!(first.iter().map(|a| a.seq).collect::<Vec<_>>(), [1, 2]);
    // The same batch again, as a spool drained twice would hand it over.
    let again = store.append(batch.clone()).expect("second append");
    assert_eq!(again, first, "the answer names the records already there");
    assert_eq!(store.head().expect("head").seq, 2, "nothing was written twice");
    // Mixed: one known draft, one new, the new one twice in the batch.
    let new = draft(3);
    let mixed = store.append(vec![batch[1].clone(), new.clone(), new]).expect("mixed");
    assert_eq!(mixed.iter().map(|a| a.seq).collect::<Vec<_>>(), [2, 3, 3]);
    assert_eq!(store.head().expect("head").seq, 3);
}

#[test]
fn draft_ids_survive_a_reopen_and_a_reindex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal");
    let d = draft(7);
    {
        let (store, _) = SledStore::create(&path).expect("create");
        store.append(vec![d.clone()]).expect("append");
        store.reindex().expect("reindex");
    }
    let store = SledStore::open(&path).expect("reopen");
    let again = store.append(vec![d]).expect("append again");
    assert_eq!(again[0].seq, 1);
    assert_eq!(store.head().expect("head").seq, 1);
    let record = store.get_raw(1).expect("read").expect("record 1");
    assert!(String::from_utf8_lossy(&record).contains("\"draft\":\""), "the id is in the record");
}

#[test]
fn drafts_without_an_id_are_each_written() {
    let (_dir, store) = fresh();
    let mut d = draft(1);
    d.id = None;
    store.append(vec![d.clone()]).expect("append");
    store.append(vec![d]).expect("append");
    assert_eq!(store.head().expect("head").seq, 2);
}
