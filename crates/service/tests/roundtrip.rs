//! Every `LogStore` method through the daemon gives what the store gives directly.

mod common;

use common::{Repo, draft};
use trail_journal::store::meta_keys;
use trail_journal::{LogStore, index};
use trail_service::Client;

fn keys_of(store: &dyn LogStore, tree: &str) -> Vec<Vec<u8>> {
    store.index_keys(tree).collect::<Result<_, _>>().expect("index keys")
}

fn scan(
    store: &dyn LogStore,
    range: std::ops::RangeInclusive<u64>,
    reverse: bool,
) -> Vec<(u64, Vec<u8>)> {
    store.scan_raw(range, reverse).collect::<Result<_, _>>().expect("scan")
}

#[test]
fn every_method_through_the_client_matches_the_store() {
    let direct = Repo::new();
    let served = Repo::new();
    let daemon = served.serve();
    let client = Client::connect(&served.trail_dir).expect("connect").expect("a daemon answers");
    let store: &dyn LogStore = &*served.store;

    // append: the same drafts give the same seqs and hashes on both stores.
    assert!(client.append(Vec::new()).expect("empty append").is_empty());
    let mut n = 0;
    for size in [1usize, 2, 5, 17, 40] {
        let drafts: Vec<_> = (n..n + size as u64).map(draft).collect();
        n += size as u64;
        let want = direct.store.append(drafts.clone()).expect("direct append");
        let got = client.append(drafts).expect("client append");
        assert_eq!(got, want);
    }
    assert_eq!(client.head().expect("head"), direct.store.head().expect("head"));
    assert_eq!(client.head().expect("head"), store.head().expect("head"));

    // Records: the same bytes on both stores, and through the client.
    for seq in [0, 1, 2, n / 2, n, n + 1, u64::MAX] {
        assert_eq!(client.get_raw(seq).expect("get"), store.get_raw(seq).expect("get"));
        assert_eq!(client.get_raw(seq).expect("get"), direct.store.get_raw(seq).expect("get"));
    }
    // Several at once: in the order asked, absent ones as None, repeats kept.
    let seqs = [3, 1, n + 7, 2, 0, n, 3, u64::MAX];
    let want: Vec<_> = seqs.iter().map(|&s| store.get_raw(s).expect("get")).collect();
    assert_eq!(client.get_raw_many(&seqs).expect("get many"), want);
    assert_eq!(store.get_raw_many(&seqs).expect("get many"), want);
    assert!(client.get_raw_many(&[]).expect("nothing asked").is_empty());
    let all: Vec<u64> = (1..=n).collect();
    let every = client.get_raw_many(&all).expect("get many");
    assert!(every.iter().all(Option::is_some) && every.len() == all.len());
    // More than one answer holds (1,000 a page): asked again until all are in.
    let many: Vec<u64> = (0..2500).collect();
    let want: Vec<_> = many.iter().map(|&s| store.get_raw(s).expect("get")).collect();
    assert_eq!(client.get_raw_many(&many).expect("get many"), want);
    for reverse in [false, true] {
        #[allow(clippy::reversed_empty_ranges, reason = "an inverted range is a valid input")]
        let ranges =
            [0..=u64::MAX, 1..=n, 5..=17, 17..=17, 0..=0, n..=n + 100, n + 1..=u64::MAX, 10..=5];
        for range in ranges {
            let want = scan(store, range.clone(), reverse);
            assert_eq!(scan(&client, range.clone(), reverse), want, "{range:?} reverse={reverse}");
        }
    }
    // A scan dropped half-way frees its cursor and leaves the client usable.
    let first_two: Vec<_> = client.scan_raw(1..=n, false).take(2).collect();
    assert_eq!(first_two.len(), 2);
    assert_eq!(client.head().expect("head").seq, n);

    // Indexes.
    for tree in index::ALL {
        let keys = keys_of(store, tree);
        assert!(!keys.is_empty(), "{tree} has keys");
        assert_eq!(keys_of(&client, tree), keys, "{tree}");
        assert_eq!(keys_of(&*direct.store, tree), keys, "{tree}");
    }
    for (tree, prefix) in [
        (index::PATH, &b"src/"[..]),
        (index::PATH, b"src/file3.rs\0"),
        (index::PATH, b"data/not-utf8-\xff"),
        (index::PATH, b""),
        (index::PATH, b"nothing/"),
        (index::COMMIT, b"0000"),
        (index::CHANGE, b"change-3\0"),
        (index::TOKEN, b"tok-"),
    ] {
        let want = store.index_prefix(tree, prefix).expect("prefix");
        assert_eq!(client.index_prefix(tree, prefix).expect("prefix"), want, "{tree} {prefix:?}");
    }
    let from = index::time_prefix(1_700_000_100 * 1_000_000_000);
    let to = index::time_prefix(1_700_000_500 * 1_000_000_000);
    for (tree, from, to) in [
        (index::TIME, &from[..], &to[..]),
        (index::TIME, &[][..], &[0xff; 16][..]),
        (index::PATH, b"src/file1", b"src/file5"),
        (index::PATH, b"z", b"zz"),
        (index::PATH, b"z", b"a"),
    ] {
        let want = store.index_range(tree, from, to).expect("range");
        assert_eq!(client.index_range(tree, from, to).expect("range"), want);
    }

    // An unknown tree is the same error both ways.
    let want = store.index_prefix("idx_nope", b"").expect_err("unknown tree");
    let got = client.index_prefix("idx_nope", b"").expect_err("unknown tree");
    assert_eq!(got.to_string(), want.to_string());
    assert!(matches!(got, trail_journal::ReadError::Meta(_)), "{got:?}");
    let got: Vec<_> = client.index_keys("idx_nope").collect();
    let want: Vec<_> = store.index_keys("idx_nope").collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(
        format!("{:?}", got[0].as_ref().err().map(ToString::to_string)),
        format!("{:?}", want[0].as_ref().err().map(ToString::to_string))
    );

    // meta and set_meta, binary values included.
    for key in [
        meta_keys::HEAD_SEQ,
        meta_keys::HEAD_HASH,
        meta_keys::FORMAT,
        meta_keys::STORE_ID,
        "absent",
    ] {
        assert_eq!(client.meta(key).expect("meta"), store.meta(key).expect("meta"), "{key}");
    }
    client.set_meta("test.binary", &[0, 0xff, b'"', 10]).expect("set_meta");
    assert_eq!(store.meta("test.binary").expect("meta"), Some(vec![0, 0xff, b'"', 10]));
    assert_eq!(client.meta("test.binary").expect("meta"), Some(vec![0, 0xff, b'"', 10]));

    // acknowledged, indexes_complete, reindex.
    assert_eq!(client.acknowledged(), store.acknowledged());
    assert!(client.acknowledged().is_some());
    assert_eq!(
        client.indexes_complete().expect("complete"),
        store.indexes_complete().expect("complete")
    );
    assert_eq!(client.reindex().expect("reindex"), direct.store.reindex().expect("reindex"));
    assert!(client.indexes_complete().expect("complete"));
    for tree in index::ALL {
        assert_eq!(keys_of(&client, tree), keys_of(&*direct.store, tree), "{tree} after reindex");
    }

    // verify through the client (it reads records and indexes on two threads
    // at once over the one connection) reports what it reports directly.
    let want = trail_journal::verify(store).expect("verify");
    let got = trail_journal::verify(&client).expect("verify");
    assert!(want.ok(), "{:?}", want.findings);
    assert_eq!(got, want);

    drop(client);
    daemon.stop();
}

#[test]
fn a_damaged_record_reads_the_same_through_the_daemon() {
    let served = Repo::new();
    served.store.append((0..10).map(draft).collect()).expect("append");
    // Damage record 4 with a byte that is not UTF-8, and add a key that is not 8 bytes.
    let records = served.store.tree(trail_journal::store::RECORDS).expect("records tree");
    let mut bytes = records.get(4u64.to_be_bytes()).expect("get").expect("record 4").to_vec();
    bytes[10] = 0xfe;
    records.insert(4u64.to_be_bytes(), bytes.clone()).expect("damage");
    records.insert([0u8, 0, 0, 0, 0, 0, 0, 5, 1], &b"{}"[..]).expect("bad key");
    let daemon = served.serve();
    let client = Client::connect(&served.trail_dir).expect("connect").expect("a daemon answers");
    let store: &dyn LogStore = &*served.store;

    assert_eq!(client.get_raw(4).expect("get"), Some(bytes));
    let render = |items: Vec<Result<(u64, Vec<u8>), trail_journal::ReadError>>| {
        items.into_iter().map(|r| r.map_err(|e| e.to_string())).collect::<Vec<_>>()
    };
    for reverse in [false, true] {
        let want = render(store.scan_raw(0..=u64::MAX, reverse).collect());
        let got = render(client.scan_raw(0..=u64::MAX, reverse).collect());
        assert!(want.iter().any(Result::is_err), "the bad key is an error item");
        assert_eq!(got, want);
    }
    let want = trail_journal::verify(store).expect("verify");
    let got = trail_journal::verify(&client).expect("verify");
    assert!(!want.ok());
    assert_eq!(got, want);
    drop(client);
    daemon.stop();
}
