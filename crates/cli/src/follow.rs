//! `--follow` (`trail log -f`, `trail export --follow`): records printed as
//! they are appended, by whichever process appends them, until the reader
//! goes away or the user stops it.
//!
//! The follower never keeps the journal open: sled lets one process hold a
//! store, and a follower that held it would push every hook's records into
//! the spool. It watches the high-water mark instead (`journal.head`,
//! store/FORMAT.md §8.5), a one-line file every append replaces after its
//! flush, whoever appends (a hook, the watcher's store process, an import).
//! When the mark's seq passes the last record printed, the follower opens
//! the journal the way every command does (through the watcher's socket
//! while it runs, else the store itself), reads the new records by seq and
//! lets go of it at once. docs/architecture.md ("Following the journal")
//! says why this way and not another.
//!
//! Stopping is not an error: Ctrl-C (SIGINT), SIGTERM or SIGHUP, and a
//! reader that closed its end of stdout (seen by polling stdout between
//! reads, so an idle follower notices too), all end it with exit 0 and
//! nothing on stderr.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use trail_journal::query::Summary;
use trail_journal::{LogStore, OpenError};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;

/// How often the mark is looked at (and stdout checked) while nothing comes.
const TICK: Duration = Duration::from_millis(200);

/// Without a readable mark (an older store, a failed write of it), how often
/// the journal itself is read instead.
const WITHOUT_MARK: Duration = Duration::from_secs(5);

/// What `trail log` prints a record as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// A header, then one row per record.
    Table,
    /// The records as stored, one per line.
    Json,
    /// OCSF 1.8.0 events, one per line (`trail docs export`).
    Ocsf,
    /// Elastic Common Schema 9.4.0 documents, one per line (`trail docs export`).
    Ecs,
}

/// Prints records in one [`LogFormat`].
pub struct Printer {
    format: LogFormat,
    width: Option<usize>,
}

impl Printer {
    pub fn new(format: LogFormat) -> Self {
        Printer { format, width: crate::output::table_width() }
    }

    pub fn header(&self, out: &mut impl Write, heading: &str) -> io::Result<()> {
        match self.format {
            LogFormat::Table => writeln!(out, "{}", crate::output::fit(heading, self.width)),
            _ => Ok(()),
        }
    }

    /// Print record `bytes`; `row` makes its table row from its summary and bytes.
    pub fn record(
        &self,
        out: &mut impl Write,
        summary: &Summary,
        bytes: &[u8],
        row: impl Fn(&Summary, &[u8]) -> String,
    ) -> Result<(), CommandError> {
        match self.format {
            LogFormat::Table => {
                writeln!(out, "{}", crate::output::fit(&row(summary, bytes), self.width))?
            }
            LogFormat::Json => {
                out.write_all(bytes)?;
                out.write_all(b"\n")?;
            }
            LogFormat::Ocsf => write_event(out, trail_export::Format::Ocsf, summary.seq, bytes)?,
            LogFormat::Ecs => write_event(out, trail_export::Format::Ecs, summary.seq, bytes)?,
        }
        Ok(())
    }
}

/// One exported event, one line.
pub fn write_event(
    out: &mut impl Write,
    format: trail_export::Format,
    seq: u64,
    bytes: &[u8],
) -> Result<(), CommandError> {
    let event = trail_export::event_from_bytes(format, seq, bytes).map_err(|e| {
        CommandError::refused(format!("{e}: {}", error_source(&e)))
            .hint("run `trail verify`; `trail export` (format jsonl) writes every record as stored")
    })?;
    serde_json::to_writer(&mut *out, &event).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn error_source(e: &trail_export::ExportError) -> String {
    std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_default()
}

/// Stop flags set by SIGINT, SIGTERM and SIGHUP: from now on they end the
/// follower cleanly instead of killing the process.
fn stop_on_signals() -> Result<Arc<AtomicBool>, CommandError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in
        [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP]
    {
        signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(|e| {
            CommandError::environment(format!("cannot handle signal {signal}: {e}"))
        })?;
    }
    Ok(stop)
}

/// Wait up to `TICK`; false when stdout's reader has gone (a closed pipe or
/// socket, a hung-up terminal), so that an idle follower ends too.
fn wait_for_reader() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdout = io::stdout();
    // No events asked for: poll reports only errors and hang-ups.
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let timeout = Timespec { tv_sec: 0, tv_nsec: TICK.as_nanos() as i64 };
    match poll(&mut fds, Some(&timeout)) {
        Ok(0) | Err(_) => true,
        Ok(_) => !fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP | PollFlags::NVAL),
    }
}

/// The high-water mark's path: `<journal>.head` beside the store
/// (store/FORMAT.md §8.5; trail-journal's `SledStore::mark_path`).
fn mark_path(repo: &Repo) -> PathBuf {
    let mut path = repo.store_path().into_os_string();
    path.push(".head");
    PathBuf::from(path)
}

/// The seq the mark holds, if it can be read.
fn mark_seq(mark: &std::path::Path) -> Option<u64> {
    let text = std::fs::read_to_string(mark).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Print every record appended after seq `last`, as it comes, with `emit`,
/// until stopped (see the module doc). Returns `Ok` when stopped.
pub fn follow(
    repo: &Repo,
    mut last: u64,
    out: &mut Out,
    mut emit: impl FnMut(&mut Out, u64, &[u8]) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let stop = stop_on_signals()?;
    out.flush()?;
    let mark = mark_path(repo);
    let mut read_at: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let due = match mark_seq(&mark) {
            Some(seq) => seq > last,
            None => read_at.is_none_or(|at| at.elapsed() >= WITHOUT_MARK),
        };
        if due {
            read_at = Some(Instant::now());
            if let Some(now_last) = read_new(repo, last, out, &mut emit, &stop)? {
                last = now_last;
            }
            out.flush()?;
        }
        if !wait_for_reader() {
            return Ok(());
        }
    }
    out.flush()?;
    Ok(())
}

/// Open the journal, emit the records after `last`, let it go. `None` when
/// it is busy (another process holds the store: try again next tick).
fn read_new(
    repo: &Repo,
    last: u64,
    out: &mut Out,
    emit: &mut impl FnMut(&mut Out, u64, &[u8]) -> Result<(), CommandError>,
    stop: &AtomicBool,
) -> Result<Option<u64>, CommandError> {
    let store = match repo.gateway().open() {
        Ok(store) => store,
        Err(OpenError::Locked { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut at = last;
    for item in store.scan_raw(last.saturating_add(1)..=u64::MAX, false) {
        let (seq, bytes) = item?;
        if seq != at + 1 {
            return Err(gap(at + 1, seq));
        }
        emit(out, seq, &bytes)?;
        at = seq;
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(Some(at))
}

/// A journal with a hole where record `missing` should be: no export or
/// follower may pass over it silently.
pub fn gap(missing: u64, found: u64) -> CommandError {
    CommandError::refused(format!(
        "record {missing} is missing from the journal (the next one stored is {found})"
    ))
    .hint("run `trail verify`; the output stops before the gap")
}

/// `trail log --follow`: the last `query.limit` (10 unless given) matching
/// records, oldest first, then each new matching record as it is appended.
pub fn log(
    repo: &Repo,
    query: &trail_journal::Query,
    printer: &Printer,
    heading: &str,
    row: impl Fn(&Summary, &[u8]) -> String,
) -> Result<(), CommandError> {
    let mut out = Out::new();
    printer.header(&mut out, heading)?;
    let last = {
        let store = repo.open_indexed_store()?;
        let head = store.head()?.seq;
        let mut recent = Vec::new();
        let initial = trail_journal::Query {
            limit: Some(query.limit.unwrap_or(10)),
            reverse: false,
            ..query.clone()
        };
        trail_journal::query::run(&store, &initial, |summary, bytes| {
            recent.push((summary, bytes));
            std::ops::ControlFlow::Continue(())
        })?;
        let mut last = head;
        for (summary, bytes) in recent.iter().rev() {
            printer.record(&mut out, summary, bytes, &row)?;
            last = last.max(summary.seq);
        }
        last
    };
    follow(repo, last, &mut out, |out, seq, bytes| {
        let summary = trail_journal::query::matches_record(query, bytes).map_err(|e| {
            CommandError::refused(format!("record {seq} is damaged: {e}"))
                .hint("run `trail verify` to see what else is damaged")
        })?;
        match summary {
            Some(summary) => printer.record(out, &summary, bytes, &row),
            None => Ok(()),
        }
    })
}
