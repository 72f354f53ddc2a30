//! `trail export`

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};

/// Write the whole journal as JSON Lines, exactly as stored.
///
/// One canonical record per line, in seq order, byte for byte as stored.
/// Anyone can check it with the rules of store/FORMAT.md (a few lines of
/// Python), without trail.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file instead of standard output. The file appears complete
    /// or not at all (a device or FIFO, such as /dev/null, is written into).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_store()?;
    match args.output {
        // `-o /dev/stdout` (or the file stdout is redirected to): stdout itself.
        None => write_stdout(&store)?,
        Some(path) if crate::output::is_stdout(&path) => write_stdout(&store)?,
        Some(path) if crate::output::is_special_file(&path) => {
            // A device or FIFO (`-o /dev/null`, a pipe): written into as it is.
            let cannot = |e: std::io::Error| {
                CommandError::environment(format!("cannot write {}: {e}", path.display()))
            };
            let file = std::fs::OpenOptions::new().write(true).open(&path).map_err(cannot)?;
            let mut w = std::io::BufWriter::new(file);
            let count = write_all(&store, &mut w)?;
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
                let n = write_all(&store, &mut w)?;
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

fn write_stdout(store: &dyn LogStore) -> Result<(), CommandError> {
    let mut out = Out::new();
    write_all(store, &mut out)?;
    out.flush()?;
    Ok(())
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(".trail-export").tempfile_in(dir)
}

/// Write every record; refuse (after what was written) a journal with a gap,
/// which no export may silently pass on.
fn write_all(store: &dyn LogStore, out: &mut impl Write) -> Result<u64, CommandError> {
    let mut count = 0;
    for item in store.scan_raw(1..=u64::MAX, false) {
        let (seq, bytes) = item?;
        if seq != count + 1 {
            out.flush()?;
            return Err(CommandError::refused(format!(
                "record {} is missing from the journal (the next one stored is {seq})",
                count + 1
            ))
            .hint("run `trail verify`; the export stops before the gap"));
        }
        out.write_all(&bytes)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    Ok(count)
}
