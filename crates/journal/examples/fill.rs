//! Fill a journal with synthetic records, for benchmarks (benches/sync.sh):
//! a million records through `trail import` would need a million-commit
//! history, which takes far longer to generate and import than to append.
//!
//!     cargo run --release -p trail-journal --example fill -- STORE COUNT [BATCH]
//!
//! STORE is a store directory (`.git/trail/journal`), created if absent and
//! appended to if not. Records are shaped like a hook's `commit` records:
//! about 500 bytes, one path, a Why and an Impact in
//! half of them; each batch (default
//! 5,000) is one durable append, as `trail import` does.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// The allocator of the `trail` binary (see src/main.rs), so the store is built
// the way trail builds it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use trail_journal::{
    Actor, Draft, LogStore, PathChange, SledStore, Source, Status, Timestamp, kinds,
};

fn draft(n: u64) -> Draft {
    let mut d = Draft::new(
        kinds::COMMIT,
        Source::Hook,
        Timestamp::from_unix(1_600_000_000 + n as i64).expect("a timestamp in range"),
    );
    d.actor = Some(Actor {
        name: "Ada Lovelace".into(),
        email: "ada@example.org".into(),
        ..Actor::default()
    });
    d.commit = Some(format!("{:040x}", n.wrapping_mul(7919)));
    d.parents = vec![format!("{:040x}", n.wrapping_mul(7919) + 1)];
    // Half the commits give a reason, as in tests/fixtures/gen-history.
    if n.is_multiple_of(2) {
        d.why = Some(format!("fix {}", n % 97));
        d.impact = Some("low".into());
    }
    let mut path = PathChange::new(format!("d{}/f{}.txt", n % 300, n % 5000).as_bytes(), Status::M);
    path.blob = Some(format!("{:040x}", n * 31));
    d.paths = vec![path];
    d
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(count)) = (args.first(), args.get(1).and_then(|c| c.parse::<u64>().ok()))
    else {
        eprintln!("usage: fill STORE COUNT [BATCH]");
        return ExitCode::from(2);
    };
    let batch = args.get(2).and_then(|b| b.parse::<u64>().ok()).unwrap_or(5_000).max(1);
    let (store, _) = match SledStore::create(&PathBuf::from(path)) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("fill: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = match store.head() {
        Ok(head) => head.seq,
        Err(e) => {
            eprintln!("fill: {e}");
            return ExitCode::FAILURE;
        }
    };
    let began = Instant::now();
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        let drafts = (0..n).map(|i| draft(start + done + i + 1)).collect();
        if let Err(e) = store.append(drafts) {
            eprintln!("fill: {e}");
            return ExitCode::FAILURE;
        }
        done += n;
    }
    let bytes = store.get_raw(start + count).ok().flatten().map_or(0, |b| b.len());
    eprintln!(
        "fill: appended {count} records (seq {}..{}) in {:.1} s; the last is {bytes} bytes",
        start + 1,
        start + count,
        began.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
