//! Large scans through the daemon come in pages: a bounded number of records
//! per round trip, so memory stays bounded however long the journal.

mod common;

use std::time::Instant;

use common::Repo;
use sha2::{Digest as _, Sha256};
use trail_journal::{Draft, LogStore, Source, Timestamp, index};
use trail_service::Client;
use trail_service::protocol::PAGE_ITEMS;

const RECORDS: u64 = 100_000;

fn digest(
    items: impl Iterator<Item = Result<(u64, Vec<u8>), trail_journal::ReadError>>,
) -> (u64, String) {
    let mut hasher = Sha256::new();
    let mut count = 0;
    for item in items {
        let (seq, bytes) = item.expect("record");
        hasher.update(seq.to_be_bytes());
        hasher.update(&bytes);
        count += 1;
    }
    (count, hex::encode(hasher.finalize()))
}

#[test]
fn a_scan_of_100k_records_streams_in_pages() {
    let repo = Repo::new();
    let started = Instant::now();
    for batch in 0..RECORDS / 1000 {
        let drafts = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                let (time, _) = Timestamp::from_unix_clamped(1_700_000_000 + n as i64);
                let mut d = Draft::new("fs.modify", Source::Watcher, time);
                d.paths = vec![trail_journal::PathChange::new(
                    format!("src/{}.rs", n % 97).as_bytes(),
                    trail_journal::Status::M,
                )];
                d
            })
            .collect();
        repo.store.append(drafts).expect("append");
    }
    eprintln!("appended {RECORDS} records directly in {:?}", started.elapsed());
    let daemon = repo.serve();
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    let store: &dyn LogStore = &*repo.store;
    let pages = RECORDS.div_ceil(PAGE_ITEMS as u64);

    for reverse in [false, true] {
        let before = client.round_trips();
        let started = Instant::now();
        let got = digest(client.scan_raw(0..=u64::MAX, reverse));
        let trips = client.round_trips() - before;
        eprintln!(
            "scan (reverse={reverse}) through the daemon: {:?}, {trips} round trips",
            started.elapsed()
        );
        assert_eq!(got, digest(store.scan_raw(0..=u64::MAX, reverse)));
        assert_eq!(got.0, RECORDS);
        assert!(trips <= pages + 1, "{trips} round trips for {pages} pages");
        assert!(trips >= pages, "{trips} round trips: pages are not larger than {PAGE_ITEMS}");
    }

    let before = client.round_trips();
    let mut count = 0u64;
    for key in client.index_keys(index::TIME) {
        key.expect("key");
        count += 1;
    }
    let trips = client.round_trips() - before;
    assert_eq!(count, RECORDS);
    assert!(trips <= pages + 1, "{trips} round trips for {pages} pages of keys");

    // index_range answers are paged too, though the trait returns them whole.
    let before = client.round_trips();
    let all = client.index_range(index::TIME, &[], &[0xff; 16]).expect("range");
    assert_eq!(all.len() as u64, RECORDS);
    assert!(client.round_trips() - before <= pages + 1);

    let started = Instant::now();
    let report = trail_journal::verify(&client).expect("verify");
    eprintln!("verify of {RECORDS} records through the daemon: {:?}", started.elapsed());
    assert!(report.ok(), "{:?}", report.findings);
    assert_eq!(report.records, RECORDS);
    // The server counted its pages too.
    let status = client.status().expect("status");
    assert!(status["service"]["pages"].as_u64().expect("pages") >= 4 * pages);
    drop(client);
    daemon.stop();
}
