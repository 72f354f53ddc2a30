//! An idle watcher blocks with no timeout (issue 5: 0 % CPU idle, no
//! polling), and a [`trail_watch::Waker`] still reaches it at once.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// Voluntary context switches of the thread `tid` of this process.
fn switches(tid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("voluntary_ctxt_switches")
}

// The daemon's loop used to wait at most a second for events, to look at a
// stop flag: an idle watcher woke up every second.
#[test]
fn an_idle_wait_never_wakes_up_and_a_waker_ends_it() {
    let repo = Repo::new();
    repo.write("a.txt", "one\n");
    let mut watch = repo.start();
    let waker = watch.waker();
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let me = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
        let tid = me.file_name().expect("tid").to_string_lossy().into_owned();
        tid_tx.send(tid).expect("send");
        let started = Instant::now();
        let got = watch.wait(None).expect("wait");
        (got, started.elapsed(), watch)
    });
    let tid = tid_rx.recv().expect("tid");
    std::thread::sleep(Duration::from_millis(200));
    let before = switches(&tid);
    std::thread::sleep(Duration::from_millis(1500));
    let after = switches(&tid);
    waker.wake();
    let (got, waited, mut watch) = waiter.join().expect("no panic");
    assert_eq!(before, after, "the waiting thread woke up while nothing happened");
    assert!(got.is_empty(), "{got:#?}");
    assert!(waited >= Duration::from_millis(1500), "returned early: {waited:?}");

    // Waiting with no limit still settles a change on its own debounce timer.
    repo.write("a.txt", "two\n");
    let changes = watch.wait(None).expect("wait");
    assert!(has_file(&changes, "a.txt"), "{changes:#?}");
}
