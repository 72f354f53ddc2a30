//! Journal benchmarks: durable appends (single and batched), verify, and the
//! reads of a command that opens the store afresh (`cold/...`).
//!
//! Run with `cargo bench -p trail-journal`; figures go to docs/performance.md.
//! `TRAIL_BENCH_STORE=DIR` measures the `cold/...` reads on a copy of a real
//! journal (opening a store writes sled's snapshot into it), with
//! `TRAIL_BENCH_DIR` the directory to list (benches/journal-reads.sh sets
//! both); without them, on a store of 50,000 commit-shaped records made here.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// The allocator of the `trail` binary (see src/main.rs), so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use trail_journal::{
    Actor, Draft, LogStore, PathChange, Query, SledStore, Source, Status, Timestamp, index, kinds,
    query, verify,
};

/// A record shaped like an imported commit: ~400-600 bytes, four paths.
fn draft(n: u64) -> Draft {
    let mut d = Draft::new(
        kinds::COMMIT,
        Source::Import,
        Timestamp::from_unix(1_600_000_000 + n as i64).expect("valid"),
    );
    d.actor = Some(Actor {
        name: "Ada Lovelace".into(),
        email: "ada@example.org".into(),
        ..Actor::default()
    });
    d.commit = Some(format!("{:040x}", n * 7919));
    d.parents = vec![format!("{:040x}", n * 7919 + 1)];
    d.why = Some("keep module 12 in step with its callers".into());
    d.impact = Some("low".into());
    d.paths = (0..4)
        .map(|i| {
            let mut p = PathChange::new(
                format!("d{}/d{}/f{}.txt", n % 300, i, n + i).as_bytes(),
                Status::M,
            );
            p.blob = Some(format!("{:040x}", n * 31 + i));
            p.mode = Some("100644".into());
            p
        })
        .collect();
    d
}

fn fresh() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = SledStore::create(&dir.path().join("journal")).expect("create");
    (dir, store)
}

fn appends(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");
    group.sample_size(20).measurement_time(Duration::from_secs(10));

    // One acknowledged append: transaction + flush, as a hook does per commit.
    let (_dir, store) = fresh();
    store.append((0..10_000).map(draft).collect()).expect("prefill");
    let mut n = 10_000;
    group.bench_function("single, flushed", |b| {
        b.iter(|| {
            n += 1;
            store.append(vec![draft(n)]).expect("append")
        })
    });

    // Group commit: N records in one transaction and one flush. Each size gets
    // its own store holding 10k records, so the sizes are compared fairly.
    for size in [50u64, 100, 200, 500, 1000] {
        let (_dir, store) = fresh();
        store.append((0..10_000).map(draft).collect()).expect("prefill");
        let next = std::cell::Cell::new(10_000u64);
        group.throughput(Throughput::Elements(size));
        group.bench_function(format!("batch of {size}, flushed"), |b| {
            b.iter_batched(
                || {
                    let start = next.get();
                    next.set(start + size);
                    (1..=size).map(|i| draft(start + i)).collect::<Vec<_>>()
                },
                |batch| store.append(batch).expect("append"),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn verifying(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    let (_dir, store) = fresh();
    let count = 50_000u64;
    for chunk in (0..count).collect::<Vec<_>>().chunks(5000) {
        store.append(chunk.iter().map(|n| draft(*n)).collect()).expect("fill");
    }
    group.throughput(Throughput::Elements(count));
    group.bench_function("50k records", |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            for _ in 0..iters {
                let report = verify(&store).expect("verify");
                assert!(report.ok());
            }
            started.elapsed()
        })
    });
    group.finish();
}

/// A store for the `cold/...` benches and the directory to list: the one
/// `TRAIL_BENCH_STORE` names, or one made here whose records name paths
/// under `t0/`..`t19/` (each directory 5 % of the journal).
fn cold_store() -> (Option<tempfile::TempDir>, PathBuf, Vec<u8>) {
    if let Some(path) = std::env::var_os("TRAIL_BENCH_STORE") {
        let dir = std::env::var("TRAIL_BENCH_DIR").unwrap_or_else(|_| "d18/d38/".into());
        return (None, PathBuf::from(path), dir.into_bytes());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal");
    let (store, _) = SledStore::create(&path).expect("create");
    for chunk in (0..50_000u64).collect::<Vec<_>>().chunks(5000) {
        let drafts = chunk.iter().map(|&n| {
            let mut d = draft(n);
            for p in &mut d.paths {
                let path = format!("t{}/{}", n % 20, p.display_path());
                *p = PathChange { path: Some(path), ..p.clone() };
            }
            d
        });
        store.append(drafts.collect()).expect("fill");
    }
    (Some(dir), path, b"t7/".to_vec())
}

/// What `verify` reads, read as it reads it (the records on this thread,
/// each index on a thread of its own), with nothing checked: the floor of
/// `verify` that sled sets.
fn read_everything(store: &SledStore) -> usize {
    std::thread::scope(|scope| {
        let indexes: Vec<_> = index::ALL
            .iter()
            .map(|tree| {
                scope.spawn(move || {
                    store.index_keys(tree).map(|k| k.expect("read").len()).sum::<usize>()
                })
            })
            .collect();
        let records: usize =
            store.scan_raw(0..=u64::MAX, false).map(|r| r.expect("read").1.len()).sum();
        records + indexes.into_iter().map(|t| t.join().expect("no panic")).sum::<usize>()
    })
}

/// `iters` runs of `work` on the store at `path`, each on a store opened
/// afresh (not counted), as a command finds it.
fn cold(path: &Path, iters: u64, mut work: impl FnMut(&SledStore)) -> Duration {
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        let store = SledStore::open(path).expect("open");
        let started = Instant::now();
        work(&store);
        spent += started.elapsed();
    }
    spent
}

fn cold_reads(c: &mut Criterion) {
    let (_dir, path, listed) = cold_store();
    let records = SledStore::open(&path).expect("open").head().expect("head").seq;
    let mut group = c.benchmark_group("cold");
    // Each run opens the store (~40 ms, not counted): flat sampling keeps
    // the count of runs to what a few seconds allow.
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(records));
    group.bench_function(format!("verify/{records} records"), |b| {
        b.iter_custom(|iters| {
            cold(&path, iters, |store| assert!(verify(store).expect("verify").ok()))
        })
    });
    group.bench_function(
        format!("read everything verify reads, nothing checked/{records} records"),
        |b| b.iter_custom(|iters| cold(&path, iters, |store| assert!(read_everything(store) > 0))),
    );
    let query = Query { paths: vec![listed.clone()], ..Query::default() };
    let mut answer = 0u64;
    query::run(&SledStore::open(&path).expect("open"), &query, |_, _| {
        answer += 1;
        ControlFlow::Continue(())
    })
    .expect("query");
    group.throughput(Throughput::Elements(answer));
    let name = String::from_utf8_lossy(&listed).into_owned();
    group.bench_function(format!("log --path {name} ({answer} records)"), |b| {
        b.iter_custom(|iters| {
            cold(&path, iters, |store| {
                query::run(store, &query, |_, _| ControlFlow::Continue(())).expect("query")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, appends, verifying, cold_reads);
criterion_main!(benches);
