//! Journal benchmarks: durable appends (single and batched) and verify.
//!
//! Run with `cargo bench -p trail-journal`; figures go to docs/performance.md.

use std::time::{Duration, Instant};

// The allocator of the `trail` binary (see src/main.rs), so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use trail_journal::{
    Actor, Draft, LogStore, PathChange, SledStore, Source, Status, Timestamp, kinds, verify,
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

criterion_group!(benches, appends, verifying);
criterion_main!(benches);
