//! One flushed append on an already-open store, directly and through the daemon.
//! The target (DESIGN.md §3): the daemon adds at most 2 ms per append.
//!
//! `cargo bench -p trail-service --bench append`
//!
//! Measured on the 2-core development VM while other jobs kept both cores busy
//! (so these are upper bounds): direct 418 µs, through the daemon 439 µs,
//! connect + greeting + append 598 µs, `head` through the daemon 65 µs.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use trail_journal::{Draft, LogStore, SledStore, Source, Status, Timestamp};
use trail_service::{Client, Server};

fn draft(i: u64) -> Draft {
    let mut d = Draft::new("fs.modify", Source::Watcher, Timestamp::now());
    d.paths =
        vec![trail_journal::PathChange::new(format!("src/{}.rs", i % 50).as_bytes(), Status::M)];
    d.why = Some("bench".into());
    d
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");
    group.sample_size(200);

    let tmp = tempfile::tempdir().expect("tempdir");
    let (direct, _) = SledStore::create(&tmp.path().join("direct")).expect("store");
    let mut i = 0u64;
    group.bench_function("direct", |b| {
        b.iter(|| {
            i += 1;
            direct.append(vec![draft(i)]).expect("append")
        })
    });

    let trail_dir = tmp.path().join("trail");
    std::fs::create_dir_all(&trail_dir).expect("mkdir");
    let (store, _) = SledStore::create(&trail_dir.join("journal")).expect("store");
    let server = Server::bind(&trail_dir, Arc::new(store)).expect("bind");
    let stop = server.stopper();
    let daemon = std::thread::spawn(move || server.run());
    let client = Client::connect(&trail_dir).expect("connect").expect("a daemon");
    group.bench_function("daemon", |b| {
        b.iter(|| {
            i += 1;
            client.append(vec![draft(i)]).expect("append")
        })
    });
    // What a hook pays: connect, greet, append one record.
    group.bench_function("daemon_connect_and_append", |b| {
        b.iter(|| {
            i += 1;
            let client = Client::connect(&trail_dir).expect("connect").expect("a daemon");
            client.append(vec![draft(i)]).expect("append")
        })
    });
    group.bench_function("daemon_head", |b| b.iter(|| client.head().expect("head")));
    group.finish();

    drop(client);
    stop.request();
    daemon.join().expect("no panic").expect("run");
}

criterion_group!(benches, bench);
criterion_main!(benches);
