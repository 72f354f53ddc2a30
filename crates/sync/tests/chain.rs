//! Checkpoint chains written into a real git repository from a real sled
//! store, then read back, verified, and tampered with.

use gix::ObjectId;
use trail_journal::{Draft, LogStore, SledStore, Source, Timestamp};
use trail_policy::PrivateKey;
use trail_sync::{Base, ChainError, Cursor, JOURNAL_REF, WriteError};

struct Fixture {
    _dir: tempfile::TempDir,
    repo: gix::Repository,
    store: SledStore,
    key: PrivateKey,
    id: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = gix::init_bare(dir.path().join("repo.git")).expect("git init");
    let (store, _) = SledStore::create(&dir.path().join("journal")).expect("store");
    let id = store.store_id().expect("id");
    Fixture { _dir: dir, repo, store, key: PrivateKey::from_secret_bytes(&[9; 32]), id }
}

fn append(f: &Fixture, n: usize) {
    let drafts = (0..n)
        .map(|i| {
            let mut d = Draft::new("fs.modify", Source::Watcher, Timestamp::now());
            d.why = Some(format!("record {i}"));
            d
        })
        .collect();
    f.store.append(drafts).expect("append");
}

fn tip(f: &Fixture) -> ObjectId {
    trail_sync::tip_of(&f.repo, JOURNAL_REF).expect("ref").expect("a chain")
}

#[test]
fn checkpoints_tile_the_journal_and_verify() {
    let f = fixture();
    assert_eq!(
        trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("empty"),
        None
    );
    append(&f, 3);
    let first = trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id)
        .expect("write")
        .expect("written");
    assert_eq!((first.first, first.seq, first.commits), (1, 3, 1));
    assert_eq!(
        trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("again"),
        None
    );
    append(&f, 2);
    let second = trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id)
        .expect("write")
        .expect("written");
    assert_eq!((second.first, second.seq), (4, 5));

    let mut seen = Vec::new();
    let verified = trail_sync::verify_chain(&f.repo, tip(&f), &f.id, None, |seq, bytes| {
        seen.push((seq, bytes.to_vec()))
    })
    .expect("verifies");
    assert_eq!(verified.records, 5);
    assert_eq!(verified.commits, 2);
    assert_eq!(verified.head.seq, 5);
    assert_eq!(verified.head.hash, f.store.head().expect("head").hash);
    for (seq, bytes) in &seen {
        assert_eq!(Some(bytes.clone()), f.store.get_raw(*seq).expect("read"), "seq {seq}");
    }
    // From a base: only what came after it.
    let links = trail_sync::links(&f.repo, tip(&f), None).expect("links");
    let base = Base {
        commit: links[0].commit,
        head: Cursor { seq: 3, hash: links[0].checkpoint.hash.clone() },
        key: links[0].checkpoint.key.clone(),
    };
    let later = trail_sync::verify_chain(&f.repo, tip(&f), &f.id, Some(&base), |_, _| {})
        .expect("verifies from the base");
    assert_eq!((later.records, later.commits), (2, 1));
}

#[test]
fn a_wrong_store_or_key_is_refused() {
    let f = fixture();
    append(&f, 2);
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("write");
    let other = "f".repeat(32);
    assert!(matches!(
        trail_sync::verify_chain(&f.repo, tip(&f), &other, None, |_, _| {}),
        Err(ChainError::Store { .. })
    ));
    // Another key cannot continue the chain, nor can another store.
    append(&f, 1);
    let stranger = PrivateKey::from_secret_bytes(&[10; 32]);
    assert!(matches!(
        trail_sync::write_checkpoints(&f.repo, &f.store, &stranger, &f.id),
        Err(WriteError::Key { .. })
    ));
    assert!(matches!(
        trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &other),
        Err(WriteError::Foreign { .. })
    ));
    // A verifier that already trusts another key for this store refuses the
    // chain's next checkpoint.
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("write");
    let links = trail_sync::links(&f.repo, tip(&f), None).expect("links");
    assert_eq!(links.len(), 2);
    let trusted = Base {
        commit: links[0].commit,
        head: Cursor { seq: 2, hash: links[0].checkpoint.hash.clone() },
        key: stranger.public().to_line(),
    };
    assert!(matches!(
        trail_sync::verify_chain(&f.repo, tip(&f), &f.id, Some(&trusted), |_, _| {}),
        Err(ChainError::Key { .. })
    ));
    let verified = trail_sync::verify_chain(&f.repo, tip(&f), &f.id, None, |_, _| {})
        .expect("own chain verifies");
    assert_eq!(verified.key, f.key.public().to_line());
}

#[test]
fn a_store_that_changed_after_its_checkpoint_gets_no_new_one() {
    let f = fixture();
    append(&f, 2);
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("write");
    // Rebuild the store with the same id but different records: the
    // checkpointed seq 2 no longer has the checkpointed hash.
    let dir = tempfile::tempdir().expect("tempdir");
    let created = Timestamp::now().to_rfc3339();
    let rebuilt = SledStore::create_as(&dir.path().join("j"), &f.id, &created).expect("create");
    let drafts =
        (0..3).map(|_| Draft::new("fs.delete", Source::Watcher, Timestamp::now())).collect();
    rebuilt.append(drafts).expect("append");
    assert!(matches!(
        trail_sync::write_checkpoints(&f.repo, &rebuilt, &f.key, &f.id),
        Err(WriteError::Diverged { seq: 2 })
    ));
    let empty_dir = tempfile::tempdir().expect("tempdir");
    let empty = SledStore::create_as(&empty_dir.path().join("j"), &f.id, &created).expect("create");
    assert!(matches!(
        trail_sync::write_checkpoints(&f.repo, &empty, &f.key, &f.id),
        Err(WriteError::Behind { head: 0, checkpoint: 2 })
    ));
}

/// Replace the tip's segment with `edit(segment)`, re-signing the statement
/// with the chain's own key when `resign` (a thief holding the key), and
/// return the forged commit.
fn forge(f: &Fixture, edit: impl Fn(&mut Vec<u8>), resign: bool) -> ObjectId {
    let link = trail_sync::read_link(&f.repo, tip(f)).expect("link");
    let mut segment = trail_sync::segment_bytes(&f.repo, &link).expect("segment");
    edit(&mut segment);
    let statement = if resign {
        let c = &link.checkpoint;
        trail_sync::Checkpoint::sign(
            &f.key, &c.store, c.first, c.seq, &c.prev, &c.hash, &segment, &c.time,
        )
    } else {
        link.checkpoint.clone()
    };
    let records = f.repo.write_blob(&segment).expect("blob").detach();
    let statement_id = f.repo.write_blob(statement.to_bytes()).expect("blob").detach();
    let mode = gix::objs::tree::EntryKind::Blob.into();
    let tree = gix::objs::Tree {
        entries: vec![
            gix::objs::tree::Entry { mode, filename: "checkpoint.json".into(), oid: statement_id },
            gix::objs::tree::Entry { mode, filename: "records.jsonl".into(), oid: records },
        ],
    };
    let tree = f.repo.write_object(&tree).expect("tree").detach();
    let sig = gix::actor::Signature {
        name: "x".into(),
        email: "x@y".into(),
        time: gix::date::Time::now_utc(),
    };
    let commit = gix::objs::Commit {
        tree,
        parents: link.parent.into_iter().collect(),
        author: sig.clone(),
        committer: sig,
        encoding: None,
        message: "forged\n".into(),
        extra_headers: Vec::new(),
    };
    f.repo.write_object(&commit).expect("commit").detach()
}

#[test]
fn a_tampered_segment_is_refused_at_its_seq() {
    let f = fixture();
    append(&f, 2);
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("write");
    append(&f, 3);
    trail_sync::write_checkpoints(&f.repo, &f.store, &f.key, &f.id).expect("write");
    let change_record_4 = |segment: &mut Vec<u8>| {
        let text = String::from_utf8(segment.clone()).expect("utf-8");
        let replaced = text.replacen("record 1", "record X", 1);
        assert_ne!(text, replaced);
        *segment = replaced.into_bytes();
    };
    // Without the key: the segment no longer matches the signed digest.
    let forged = forge(&f, change_record_4, false);
    let e = trail_sync::verify_chain(&f.repo, forged, &f.id, None, |_, _| {}).expect_err("refused");
    assert!(e.to_string().contains("SHA-256"), "{e}");
    // With the key (re-signed): the record's own hash gives it away, at seq 4.
    let forged = forge(&f, change_record_4, true);
    let e = trail_sync::verify_chain(&f.repo, forged, &f.id, None, |_, _| {}).expect_err("refused");
    assert_eq!(e.seq(), Some(4), "{e}");
    // A dropped record: the segment ends early.
    let forged = forge(
        &f,
        |segment| {
            let cut = segment.iter().rposition(|&b| b == b'\n').expect("lines");
            let keep = segment[..cut].iter().rposition(|&b| b == b'\n').expect("lines") + 1;
            segment.truncate(keep);
        },
        true,
    );
    assert!(trail_sync::verify_chain(&f.repo, forged, &f.id, None, |_, _| {}).is_err());
    // A chain that does not contain the base it is checked from was rewritten.
    let links = trail_sync::links(&f.repo, tip(&f), None).expect("links");
    let base = Base {
        commit: links[1].commit,
        head: Cursor { seq: 5, hash: links[1].checkpoint.hash.clone() },
        key: links[1].checkpoint.key.clone(),
    };
    let forged = forge(&f, |_| {}, true);
    assert!(matches!(
        trail_sync::verify_chain(&f.repo, forged, &f.id, Some(&base), |_, _| {}),
        Err(ChainError::Rewritten { .. })
    ));
}
