//! Shutdown: appends in flight are answered, and what was acknowledged is on
//! disk when `run` returns.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{Daemon, draft};
use trail_journal::{LogStore, Record, SledStore};
use trail_service::Client;

#[test]
fn in_flight_appends_are_answered_and_durable_after_shutdown() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let trail_dir = tmp.path().join(".git").join("trail");
    std::fs::create_dir_all(&trail_dir).expect("mkdir");
    let journal = trail_dir.join("journal");
    let (store, _) = SledStore::create(&journal).expect("store");
    let store = Arc::new(store);
    let mut daemon = Daemon::start(&trail_dir, Arc::clone(&store));

    const WRITERS: usize = 6;
    let ready = Arc::new(Barrier::new(WRITERS + 1));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let trail_dir = trail_dir.clone();
            let ready = Arc::clone(&ready);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let client = Client::connect(&trail_dir).expect("connect").expect("a daemon");
                ready.wait();
                let mut acknowledged = Vec::new();
                let mut i = 0u64;
                // Append until the daemon is gone; a failure is the end of the
                // service, never a panic or a hang.
                while !stop.load(Ordering::SeqCst) {
                    let mut d = draft(i);
                    d.why = Some(format!("writer {w} append {i}"));
                    match client.append(vec![d]) {
                        Ok(appended) => acknowledged.extend(appended),
                        Err(_) => break,
                    }
                    i += 1;
                }
                acknowledged
            })
        })
        .collect();
    ready.wait();
    std::thread::sleep(Duration::from_millis(200));

    // A client asks for the shutdown and waits until the daemon is done.
    let admin = Client::connect(&trail_dir).expect("connect").expect("a daemon");
    admin.shutdown().expect("shutdown");
    daemon.join();
    assert!(!daemon.socket.exists(), "the socket is gone once run returned");
    stop.store(true, Ordering::SeqCst);
    let acknowledged: Vec<_> =
        writers.into_iter().flat_map(|w| w.join().expect("no panic")).collect();
    assert!(acknowledged.len() > WRITERS, "the writers got going ({} appends)", acknowledged.len());
    // No daemon now: clients fall back to the store.
    assert!(Client::connect(&trail_dir).expect("connect").is_none());

    // Reopen the store from disk: everything acknowledged is there, and nothing else.
    drop(daemon);
    drop(store);
    let store = SledStore::open(&journal).expect("reopen");
    assert_eq!(store.head().expect("head").seq, acknowledged.len() as u64);
    for a in &acknowledged {
        let bytes = store.get_raw(a.seq).expect("get").expect("acknowledged record is stored");
        let record: Record = serde_json::from_slice(&bytes).expect("record");
        assert_eq!(record.hash, a.hash);
    }
    let report = trail_journal::verify(&store).expect("verify");
    assert!(report.ok(), "{:?}", report.findings);
}

#[test]
fn a_server_dropped_without_running_flushes_its_appender_and_removes_its_socket() {
    let repo = common::Repo::new();
    let server =
        trail_service::Server::bind(&repo.trail_dir, Arc::clone(&repo.store)).expect("bind");
    let socket = server.path().to_owned();
    let appender = server.appender();
    appender.append(vec![draft(1), draft(2)]).expect("append before run");
    drop(server);
    assert!(!socket.exists());
    assert!(appender.append(vec![draft(3)]).is_err());
    assert_eq!(repo.store.head().expect("head").seq, 2);
}
