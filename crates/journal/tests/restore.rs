//! `SledStore::restore` writes the same indexes as appending the records, and
//! as `reindex`: `trail recover` relies on it and does not reindex afterwards.

mod common;

use std::path::PathBuf;

use trail_journal::index;
use trail_journal::{Draft, LogStore, SledStore};

fn fixture_lines() -> Vec<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../store/fixtures/v1.jsonl");
    let data =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

fn indexes(store: &SledStore) -> Vec<Vec<Vec<u8>>> {
    index::ALL
        .iter()
        .map(|tree| store.index_keys(tree).collect::<Result<Vec<_>, _>>().expect("readable"))
        .collect()
}

#[test]
fn restore_builds_the_indexes_that_append_and_reindex_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (appended, _) = SledStore::create(&dir.path().join("appended")).expect("create");
    let lines = fixture_lines();
    let drafts: Vec<Draft> = lines.iter().map(|line| common::draft_of(line)).collect();
    appended.append(drafts).expect("append");

    let restored = SledStore::create_as(
        &dir.path().join("restored"),
        "0123456789abcdef0123456789abcdef",
        "2026-01-01T00:00:00Z",
    )
    .expect("create_as");
    // Two calls, as `trail recover` makes (the checkpointed records, then
    // what the damaged store still held).
    restored.restore(lines[..4].to_vec()).expect("restore");
    restored.restore(lines[4..].to_vec()).expect("restore");

    let expected = indexes(&appended);
    assert!(
        expected.iter().filter(|keys| !keys.is_empty()).count() >= 3,
        "the fixture fills several indexes"
    );
    assert_eq!(indexes(&restored), expected);
    let report = trail_journal::verify(&restored).expect("readable");
    assert!(report.ok(), "{:?}", report.findings);
    restored.reindex().expect("reindex");
    assert_eq!(indexes(&restored), expected);
}

#[test]
fn a_refused_record_leaves_the_ones_before_it_restored_and_indexed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = fixture_lines();
    let restored = SledStore::create_as(
        &dir.path().join("restored"),
        "0123456789abcdef0123456789abcdef",
        "2026-01-01T00:00:00Z",
    )
    .expect("create_as");
    // Record 4 is skipped: record 5 does not follow record 3.
    let mut given = lines[..3].to_vec();
    given.push(lines[4].clone());
    let refused = restored.restore(given).expect_err("record 5 does not follow record 3");
    assert!(
        matches!(refused, trail_journal::RestoreError::Sequence { expected: 4, found: 5 }),
        "{refused:?}"
    );
    assert_eq!(restored.head().expect("head").seq, 3);
    let report = trail_journal::verify(&restored).expect("readable");
    assert!(report.ok(), "{:?}", report.findings);
}
