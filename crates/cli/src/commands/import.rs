//! `trail import`

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Instant;

use clap::Args;
use trail_git::{CommitFacts, Importer};
use trail_journal::{LogStore, Source, Timestamp, kinds};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{plural, say};
use crate::records;

/// Backfill the journal from git history.
///
/// Records one `commit` record (source `import`) per commit reachable from
/// REVSPEC (HEAD when none is given; every branch, tag and remote-tracking
/// branch with --all), parents before children: author and committer with UTC times, parents, the
/// files changed (status, blob ids, renames detected as `git log -M` does),
/// and the `Why:`, `Impact:` and `Change-Id:` trailers of the message. A
/// merge commit lists the files whose content differs from every parent (a
/// conflict resolution, an edit made while merging), as the hooks record it;
/// a clean merge lists none, as in `git log --name-status`.
///
/// Commits already in the journal are skipped, so running it again records only
/// what is new. It is safe to interrupt: what was recorded stays recorded.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import: revisions (default HEAD), ranges such as v1.0..main,
    /// and ^REV to leave out REV's history, as `git rev-list` takes them.
    #[arg(value_name = "REVSPEC")]
    pub revspecs: Vec<String>,

    /// Also every branch, tag and remote-tracking branch (and HEAD): the
    /// history of `git rev-list --all`, without `refs/stash`, notes and
    /// trail's own refs/trail/.
    #[arg(long)]
    pub all: bool,

    /// Records per durable batch (one transaction and one flush each). Measured on
    /// 50k commits: 500 is fastest; sled transactions grow costlier per write
    /// as they grow (2000: +5%, 10000: +90%).
    #[arg(long, default_value_t = 500, hide = true)]
    pub batch: usize,

    /// Records between two checkpoints written while the import runs (the
    /// rest is checkpointed at the end).
    #[arg(long, default_value_t = 10_000, hide = true)]
    pub checkpoint_every: usize,

    /// Threads that describe commits (read and diff their trees); default:
    /// the number of cores, at most 4.
    #[arg(long, hide = true)]
    pub threads: Option<usize>,

    /// Print the outcome as one JSON object on stdout: imported (commits
    /// recorded now), records (what the journal holds), head_seq, seconds.
    /// Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

enum Msg {
    Total(usize),
    /// A few commits at a time: one message per commit costs a thread wake-up each.
    /// With each merge, the paths where it differs from every parent.
    Commits(Vec<(CommitFacts, Option<Vec<trail_journal::PathChange>>)>),
}

pub fn run(args: ImportArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_indexed_store()?;
    let started = Instant::now();
    let batch_size = args.batch.max(1);
    let every = args.checkpoint_every.max(1);
    let mut git = repo.git.clone();

    // gix's repository handle stays on this thread (walk and diffs); a second
    // thread turns facts into records and appends them in durable batches, so
    // diffing and writing overlap.
    // Room for 64 chunks (8k commits): while the writer waits on a flush the
    // describing threads keep diffing. With 16 chunks of 64 commits the two
    // sides stalled each other and a 50k-commit import took 4.8 s instead of
    // 3.4 s (measured); more room only holds more commits in memory.
    let (tx, rx) = mpsc::sync_channel::<Msg>(64);
    let store_ref = &store;
    let config = match &repo.location.workdir {
        Some(workdir) => crate::config::load(&workdir.join("trail.toml"))?,
        None => crate::config::Config::default(),
    };
    // A third thread signs what is already written into refs/trail/journal
    // every 10,000 records (`--checkpoint-every`), so that checkpointing (re-reading and
    // re-hashing the records, compressing them into a blob) overlaps the walk
    // instead of following it: 50k commits, one checkpoint at the end: import
    // 1.61x git log; see docs/performance.md.
    let (tick, ticks) = mpsc::channel::<()>();
    let tick = config.sync.checkpoints.then_some(tick);
    let mut checkpoint_failed = false;
    let imported = std::thread::scope(|scope| -> Result<usize, CommandError> {
        let checkpointer = tick.is_some().then(|| {
            let repo = repo.clone();
            scope.spawn(move || checkpoint_while_importing(&repo, store_ref, ticks))
        });
        let writer = scope.spawn(move || write_batches(store_ref, rx, batch_size, tick, every));
        let produced = (|| -> Result<(), CommandError> {
            let importer = Importer::new(&mut git)?;
            // A commit already recorded is skipped; a failed lookup must stop the
            // import rather than record the commit a second time.
            let lookup_error = std::cell::RefCell::new(None);
            let known = |id: &trail_git::ObjectId| match records::is_known(store_ref, id) {
                Ok(known) => known,
                Err(e) => {
                    lookup_error.borrow_mut().get_or_insert(e);
                    true
                }
            };
            let specs: Vec<&str> = args.revspecs.iter().map(String::as_str).collect();
            let walked = importer.commits(&specs, args.all, known);
            if let Some(e) = lookup_error.into_inner() {
                return Err(e);
            }
            let ids = match walked {
                // A repository without commits has no history to import: not an error,
                // so `trail init && trail import` works in a brand-new repository.
                Err(trail_git::HistoryError::NoCommits) if args.revspecs.is_empty() => Vec::new(),
                other => other?,
            };
            drop(importer);
            tracing::info!(commits = ids.len(), "history walked");
            if tx.send(Msg::Total(ids.len())).is_err() {
                return Ok(());
            }
            // Describing (reading and diffing trees) is most of the work on
            // this side: share it out over the cores; the records still come
            // in the order of `ids`. A merge records what neither parent had
            // (a conflict resolution), as the hooks record it.
            let threads = args.threads.unwrap_or_else(default_threads);
            trail_git::describe_all(&git, &ids, threads, IMPORT_PACK_CACHE_BYTES, |chunk| {
                let facts = chunk
                    .into_iter()
                    .map(|(facts, merged)| {
                        let paths = merged.map(|changes| {
                            changes.iter().map(trail_hooks::records::path_change).collect()
                        });
                        (facts, paths)
                    })
                    .collect();
                // A closed channel: the writer failed; its error is reported below.
                tx.send(Msg::Commits(facts)).is_ok()
            })?;
            Ok(())
        })();
        drop(tx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(CommandError::environment("writing records failed unexpectedly"))
        });
        // The writer dropped its end of the ticks: the checkpointer ends.
        if let Some(checkpointer) = checkpointer {
            checkpoint_failed = !checkpointer.join().unwrap_or(false);
        }
        // What was written stays written; report the first failure.
        let written = written?;
        produced?;
        Ok(written)
    })?;

    let seconds = started.elapsed().as_secs_f64();
    let head = store.head()?;
    if imported == 0 {
        say(format_args!(
            "nothing new to import; the journal holds {}",
            plural(head.seq, "record")
        ));
    } else {
        say(format_args!(
            "imported {} in {seconds:.2} s; the journal holds {}",
            plural(imported as u64, "commit"),
            plural(head.seq, "record")
        ));
        // The rest of the imported records, signed into refs/trail/journal
        // (unless a checkpoint already failed: its warning was said).
        if !checkpoint_failed {
            crate::sync::checkpoint_after_hook(&repo, &config, &store);
        }
    }
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "imported": imported,
            "records": head.seq,
            "head_seq": head.seq,
            "seconds": seconds,
        }))?;
    }
    Ok(())
}

/// The delta-base cache of an import, shared out over its describing
/// threads. Measured on git/git (81,966 commits): 96 MiB and 32 MiB import in
/// the same time, and 32 MiB keeps the peak of anonymous memory 85 MB lower.
const IMPORT_PACK_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// The cores to describe commits on (at most 4: the writer, one thread,
/// keeps up with no more).
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// Write a checkpoint of what is in the store each time the writer says
/// another `--checkpoint-every` (10,000) records are in. The first failure is said and
/// ends it (false): the records are safe, and the next checkpoint covers them.
fn checkpoint_while_importing(
    repo: &Repo,
    store: &dyn LogStore,
    ticks: mpsc::Receiver<()>,
) -> bool {
    for () in ticks.iter() {
        // Ticks that piled up while this one was written are covered by it.
        while ticks.try_recv().is_ok() {}
        if let Err(e) = crate::sync::checkpoint(repo, store) {
            crate::sync::warn_checkpoint(&e);
            return false;
        }
    }
    true
}

/// Append what arrives on `rx` in batches of `batch_size`, one flush each.
fn write_batches(
    store: &dyn LogStore,
    rx: mpsc::Receiver<Msg>,
    batch_size: usize,
    checkpoint: Option<mpsc::Sender<()>>,
    every: usize,
) -> Result<usize, CommandError> {
    let progress = indicatif::ProgressBar::hidden();
    crate::output::exit_on_interrupt(
        &progress,
        "interrupted; run `trail import` again to continue",
    );
    let mut batch = Vec::with_capacity(batch_size);
    let mut written = 0usize;
    for msg in rx.iter() {
        match msg {
            Msg::Total(n) => {
                if std::io::stderr().is_terminal() && n > 0 {
                    progress.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    progress.set_length(n as u64);
                    progress.set_style(
                        // The bar takes what the terminal's width leaves.
                        indicatif::ProgressStyle::with_template(
                            "importing {wide_bar} {pos}/{len} ({rate} commits/s, {eta} left)",
                        )
                        .expect("the template is valid")
                        .with_key(
                            "rate",
                            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = write!(w, "{:.0}", s.per_sec());
                            },
                        ),
                    );
                }
            }
            Msg::Commits(facts) => {
                batch.extend(facts.into_iter().map(|(f, merged)| {
                    let (time, _) = Timestamp::from_unix_clamped(f.committer.time);
                    let mut draft = records::commit_draft(&f, kinds::COMMIT, Source::Import, time);
                    if let Some(paths) = merged {
                        draft.paths = paths;
                    }
                    draft
                }));
                if batch.len() >= batch_size {
                    let n = batch.len();
                    store.append(std::mem::take(&mut batch))?;
                    written += n;
                    progress.inc(n as u64);
                    if let Some(tick) = &checkpoint
                        && written / every != (written - n) / every
                    {
                        // A checkpointer that stopped after a failure: nothing to tell.
                        let _ = tick.send(());
                    }
                }
            }
        }
    }
    if !batch.is_empty() {
        let n = batch.len();
        store.append(batch)?;
        written += n;
    }
    progress.finish_and_clear();
    Ok(written)
}
