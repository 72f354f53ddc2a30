//! Many clients appending at once: each draft lands exactly once, the chain
//! verifies, and group commit gathers concurrent requests into fewer
//! `store.append` calls.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use common::{Repo, draft};
use trail_journal::{LogStore, Record};
use trail_service::Client;

const THREADS: u64 = 8;
const CLIENTS: u64 = 50;

#[test]
fn eight_threads_of_fifty_clients_append_exactly_once_with_group_commit() {
    let repo = Repo::new();
    let daemon = repo.serve();
    let start = Arc::new(Barrier::new(THREADS as usize + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let trail_dir = repo.trail_dir.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut acknowledged = Vec::new();
                for c in 0..CLIENTS {
                    let client = Client::connect(&trail_dir).expect("connect").expect("a daemon");
                    let mut d = draft(t * CLIENTS + c);
                    d.why = Some(format!("thread {t} client {c}"));
                    // Every fifth client appends two drafts at once: they must stay adjacent.
                    let mut drafts = vec![d.clone()];
                    if c.is_multiple_of(5) {
                        d.why = Some(format!("thread {t} client {c} second"));
                        // Another draft, not the same one again (which the store writes once).
                        d.id = Some(trail_journal::record::new_draft_id());
                        drafts.push(d);
                    }
                    let appended = client.append(drafts).expect("append");
                    if appended.len() == 2 {
                        assert_eq!(appended[1].seq, appended[0].seq + 1, "a batch stays atomic");
                    }
                    acknowledged.extend(appended);
                }
                acknowledged
            })
        })
        .collect();
    start.wait();
    let acknowledged: Vec<_> =
        threads.into_iter().flat_map(|t| t.join().expect("no panic")).collect();

    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    let status = client.status().expect("status");
    let service = &status["service"];
    let requests = service["append_requests"].as_u64().expect("append_requests");
    let store_appends = service["store_appends"].as_u64().expect("store_appends");
    drop(client);
    daemon.stop();

    let per_thread = CLIENTS + CLIENTS / 5;
    let expected = THREADS * per_thread;
    assert_eq!(requests, THREADS * CLIENTS);
    assert_eq!(acknowledged.len() as u64, expected);
    assert_eq!(repo.store.head().expect("head").seq, expected);
    // Every acknowledged (seq, hash) is stored, every draft exactly once.
    let mut seen: HashMap<String, u64> = HashMap::new();
    for item in repo.store.scan_raw(1..=u64::MAX, false) {
        let (seq, bytes) = item.expect("record");
        let record: Record = serde_json::from_slice(&bytes).expect("a record");
        assert_eq!(record.seq, seq);
        *seen.entry(record.why.expect("why")).or_default() += 1;
    }
    assert_eq!(seen.len() as u64, expected);
    assert!(seen.values().all(|n| *n == 1));
    for a in &acknowledged {
        let bytes = repo.store.get_raw(a.seq).expect("get").expect("acknowledged record");
        let record: Record = serde_json::from_slice(&bytes).expect("a record");
        assert_eq!(record.hash, a.hash);
    }
    let report = trail_journal::verify(&*repo.store).expect("verify");
    assert!(report.ok(), "{:?}", report.findings);
    assert_eq!(report.records, expected);

    // Group commit: fewer flushes than requests.
    eprintln!("{requests} append requests, {store_appends} store.append calls");
    assert!(store_appends < requests, "{store_appends} store.append calls for {requests} requests");
}

#[test]
fn the_daemons_own_appender_shares_the_writer() {
    let repo = Repo::new();
    let daemon = repo.serve();
    let appender = daemon.appender.clone();
    let watcher = std::thread::spawn(move || {
        let mut seqs = Vec::new();
        for i in 0..100 {
            seqs.extend(appender.append(vec![draft(i)]).expect("append"));
        }
        seqs.len()
    });
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    for i in 100..200 {
        client.append(vec![draft(i)]).expect("append");
    }
    assert_eq!(watcher.join().expect("no panic"), 100);
    assert!(daemon.appender.append(Vec::new()).expect("empty").is_empty());
    assert_eq!(client.head().expect("head").seq, 200);
    drop(client);
    let appender = daemon.appender.clone();
    daemon.stop();
    let err = appender.append(vec![draft(0)]).expect_err("the writer has stopped");
    assert!(matches!(err, trail_journal::AppendError::Remote(_)), "{err:?}");
    assert!(trail_journal::verify(&*repo.store).expect("verify").ok());
}
