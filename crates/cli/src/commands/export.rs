//! `trail export`

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};

/// Write the journal as JSON Lines: as stored, or as OCSF or ECS events.
///
/// By default one canonical record per line, in seq order, byte for byte as
/// stored: anyone can check it with the rules of `trail docs format` (a few lines
/// of Python), without trail. `--format ocsf` and `--format ecs` write one
/// OCSF 1.8.0 event or Elastic Common Schema 9.4.0 document per record
/// instead (`trail docs export` has the mapping of each kind); every event
/// carries the record's seq and its hash as a unique id, so a shipper can
/// resume with --since-seq and a SIEM can drop duplicates.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail export -o journal.jsonl               the journal, to check without trail
  trail export --format ocsf --since 2026-01-01
  trail export --format ecs --follow --since-seq 41
                                              what a log shipper runs: records
                                              after 41, then each new one")]
pub struct ExportArgs {
    /// Write to this file instead of standard output. The file appears complete
    /// or not at all (a device or FIFO, such as /dev/null, is written into).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What each line is (always one JSON object per line; `trail docs export`
    /// maps each record kind to OCSF and ECS).
    #[arg(long, value_name = "FORMAT", value_enum, default_value = "jsonl")]
    pub format: ExportFormat,

    /// Only the records after record N (N is the last seq a reader already
    /// has: `--since-seq 41` starts at 42).
    #[arg(long, value_name = "N")]
    pub since_seq: Option<u64>,

    /// Only records at or after this time: RFC 3339, a date, or "2 days ago"
    /// (as `trail log --since`). Record times follow the events (an imported
    /// commit has its commit time), so resume by --since-seq where you can.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Keep writing records as they are appended, until Ctrl-C or until the
    /// reader of standard output goes away (both exit 0). Standard output only.
    #[arg(short = 'f', long, conflicts_with = "output")]
    pub follow: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The records as stored, byte for byte.
    Jsonl,
    /// OCSF 1.8.0 events.
    Ocsf,
    /// Elastic Common Schema 9.4.0 documents.
    Ecs,
}

/// Which records go out, and as what.
struct Selection {
    format: ExportFormat,
    /// The last seq not to write.
    after: u64,
    since: Option<trail_journal::Timestamp>,
}

impl Selection {
    /// Write record `seq` if it is selected; returns whether it was.
    fn write(&self, out: &mut impl Write, seq: u64, bytes: &[u8]) -> Result<bool, CommandError> {
        if let Some(since) = &self.since {
            #[derive(serde::Deserialize)]
            struct Time {
                time: trail_journal::Timestamp,
            }
            let time: Time = serde_json::from_slice(bytes).map_err(|e| {
                CommandError::refused(format!("record {seq} has no readable time: {e}"))
                    .hint("run `trail verify` to see what else is damaged")
            })?;
            if time.time < *since {
                return Ok(false);
            }
        }
        match self.format {
            ExportFormat::Jsonl => {
                out.write_all(bytes)?;
                out.write_all(b"\n")?;
            }
            ExportFormat::Ocsf => {
                crate::follow::write_event(out, trail_export::Format::Ocsf, seq, bytes)?
            }
            ExportFormat::Ecs => {
                crate::follow::write_event(out, trail_export::Format::Ecs, seq, bytes)?
            }
        }
        Ok(true)
    }
}

pub fn run(args: ExportArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let since = args
        .since
        .as_deref()
        .map(|s| {
            crate::timeparse::parse(
                "--since",
                s,
                chrono::Utc::now(),
                crate::timeparse::Bound::Start,
            )
        })
        .transpose()?;
    let selection = Selection { format: args.format, after: args.since_seq.unwrap_or(0), since };
    if args.follow {
        return follow(&repo, &selection);
    }
    let store = repo.open_store()?;
    let selection = &selection;
    match args.output {
        // `-o /dev/stdout` (or the file stdout is redirected to): stdout itself.
        None => write_stdout(&store, selection)?,
        Some(path) if crate::output::is_stdout(&path) => write_stdout(&store, selection)?,
        Some(path) if crate::output::is_special_file(&path) => {
            // A device or FIFO (`-o /dev/null`, a pipe): written into as it is.
            let cannot = |e: std::io::Error| {
                CommandError::environment(format!("cannot write {}: {e}", path.display()))
            };
            let file = std::fs::OpenOptions::new().write(true).open(&path).map_err(cannot)?;
            let mut w = std::io::BufWriter::new(file);
            let (count, _) = write_all(&store, &mut w, selection)?;
            w.flush().map_err(cannot)?;
            say(format_args!("exported {count} records to {}", path.display()));
        }
        Some(path) => {
            // A symlink to a file: the file it names is replaced, the link stays.
            let path = match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&path).unwrap_or(path),
                _ => path,
            };
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let cannot = |e: std::io::Error| {
                CommandError::environment(format!("cannot write {}: {e}", path.display()))
            };
            if !dir.is_dir() {
                return Err(CommandError::environment(format!(
                    "cannot write {}: the directory {} does not exist",
                    path.display(),
                    dir.display()
                ))
                .hint("create the directory first, or give another path (`-o -` or no -o writes to standard output)"));
            }
            // tempfile's errors name its random file; the user asked for `path`.
            let mut tmp = tempfile_in(dir).map_err(|e| {
                let message = e.to_string();
                let reason = message.split(" at path ").next().unwrap_or(&message).to_owned();
                cannot(std::io::Error::new(e.kind(), reason))
            })?;
            let count = {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                let (n, _) = write_all(&store, &mut w, selection)?;
                w.flush().map_err(cannot)?;
                n
            };
            tmp.as_file().sync_all().map_err(cannot)?;
            tmp.persist(&path).map_err(|e| cannot(e.error))?;
            say(format_args!("exported {count} records to {}", path.display()));
        }
    }
    Ok(())
}

fn write_stdout(store: &dyn LogStore, selection: &Selection) -> Result<(), CommandError> {
    let mut out = Out::new();
    write_all(store, &mut out, selection)?;
    out.flush()?;
    Ok(())
}

/// `--follow`: what is there, then what comes, to standard output. The
/// journal is let go before following (crate::follow says why).
fn follow(repo: &Repo, selection: &Selection) -> Result<(), CommandError> {
    let mut out = Out::new();
    let (_, last) = {
        let store = repo.open_store()?;
        write_all(&store, &mut out, selection)?
    };
    crate::follow::follow(repo, last, &mut out, |out, seq, bytes| {
        selection.write(out, seq, bytes).map(|_| ())
    })
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(".trail-export").tempfile_in(dir)
}

/// Write every selected record; refuse (after what was written) a journal
/// with a gap, which no export may silently pass on. Returns how many were
/// written and the last seq read.
fn write_all(
    store: &dyn LogStore,
    out: &mut impl Write,
    selection: &Selection,
) -> Result<(u64, u64), CommandError> {
    let mut count = 0;
    let mut last = selection.after;
    for item in store.scan_raw(selection.after.saturating_add(1)..=u64::MAX, false) {
        let (seq, bytes) = item?;
        if seq != last + 1 {
            out.flush()?;
            return Err(crate::follow::gap(last + 1, seq));
        }
        if selection.write(out, seq, &bytes)? {
            count += 1;
        }
        last = seq;
    }
    Ok((count, last))
}
