//! A real sled store compared with its real checkpoint chain in git
//! (`compare_with_chain`): what the repository itself proves, no remote.

use trail_journal::verify::{Finding, Problem};
use trail_journal::{Draft, LogStore, SledStore, Source, Timestamp};
use trail_policy::PrivateKey;
use trail_sync::JOURNAL_REF;

struct Fixture {
    dir: tempfile::TempDir,
    repo: gix::Repository,
    store: SledStore,
    key: PrivateKey,
    id: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not bare: git keeps no reflogs in a bare repository.
    let repo = gix::init(dir.path().join("repo")).expect("git init");
    let (store, _) = SledStore::create(&dir.path().join("journal")).expect("store");
    let id = store.store_id().expect("id");
    Fixture { dir, repo, store, key: PrivateKey::from_secret_bytes(&[9; 32]), id }
}

/// Append `n` records and checkpoint them.
fn append_and_checkpoint(f: &Fixture, n: usize) {
    let drafts = (0..n)
        .map(|i| {
            let mut d = Draft::new("fs.modify", Source::Watcher, Timestamp::now());
            d.why = Some(format!("record {i}"));
            d
        })
        .collect();
    f.store.append(drafts).expect("append");
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("checkpoint");
}

fn compare(f: &Fixture, store: &dyn LogStore, id: &str) -> trail_sync::Compared {
    let key = f.key.public().to_line();
    trail_sync::compare_with_chain(&f.repo, store, id, Some(&key)).expect("the store reads")
}

#[test]
fn no_chain_is_nothing_to_compare_with_and_an_intact_store_agrees() {
    let f = fixture();
    let none = compare(&f, &f.store, &f.id);
    assert_eq!((none.tip, none.checkpoints, none.findings.len()), (None, 0, 0));
    append_and_checkpoint(&f, 3);
    append_and_checkpoint(&f, 2);
    let both = compare(&f, &f.store, &f.id);
    assert!(both.tip.is_some());
    assert_eq!((both.checkpoints, both.seq), (2, 5));
    assert_eq!(both.findings, []);
    assert!(trail_sync::stores_in_reflog(&f.repo).contains(&f.id), "the reflog names the store");
}

#[test]
fn a_rewrite_and_a_shorter_store_are_named_at_their_first_seq() {
    let f = fixture();
    append_and_checkpoint(&f, 3);
    append_and_checkpoint(&f, 3);
    // A second store, filled with the same first two records and then others:
    // as if the journal were rewritten from seq 3.
    let (other, _) = SledStore::create(&f.dir.path().join("other")).expect("store");
    let first_two: Vec<Vec<u8>> =
        f.store.scan_raw(1..=2, false).map(|r| r.expect("read").1).collect();
    other.restore(first_two).expect("restore");
    let compared = compare(&f, &other, &f.id);
    assert_eq!(
        compared.findings,
        [Finding { seq: Some(3), problem: Problem::BehindCheckpoint { head: 2, checkpoint: 6 } }]
    );
    let mut rewritten = Draft::new("fs.modify", Source::Watcher, Timestamp::now());
    rewritten.why = Some("not what was signed".into());
    other.append(vec![rewritten]).expect("append");
    let compared = compare(&f, &other, &f.id);
    assert_eq!(
        compared.findings,
        [Finding { seq: Some(3), problem: Problem::Rewritten { first: 1, last: 3 } }]
    );
}

#[test]
fn another_store_and_an_unreadable_chain_are_findings() {
    let f = fixture();
    append_and_checkpoint(&f, 2);
    let compared = compare(&f, &f.store, &"e".repeat(32));
    assert!(
        matches!(&compared.findings[..], [Finding { seq: None, problem: Problem::ForeignStore { chain, .. } }] if *chain == f.id),
        "{:?}",
        compared.findings
    );
    // The ref pointed at a commit that is no checkpoint.
    let tree = f.repo.empty_tree().id;
    let sig = gix::actor::Signature {
        name: "x".into(),
        email: "x@x".into(),
        time: gix::date::Time::now_utc(),
    };
    let commit = gix::objs::Commit {
        tree,
        parents: Default::default(),
        author: sig.clone(),
        committer: sig,
        encoding: None,
        message: "not a checkpoint".into(),
        extra_headers: Vec::new(),
    };
    let id = f.repo.write_object(&commit).expect("write").detach();
    let tip = trail_sync::tip_of(&f.repo, JOURNAL_REF).expect("ref");
    trail_sync::move_ref(&f.repo, JOURNAL_REF, Some(id), tip).expect("move");
    let compared = compare(&f, &f.store, &f.id);
    assert!(
        matches!(&compared.findings[..], [Finding { seq: None, problem: Problem::Checkpoints(_) }]),
        "{:?}",
        compared.findings
    );
}
