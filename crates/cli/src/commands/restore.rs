//! `trail restore`

use std::ffi::OsStr;
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;
use std::path::PathBuf;

use clap::Args;
use trail_git::ObjectId;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;
use crate::states::{self, State};
use crate::timeparse;

/// Bring back the content a file had at a recorded moment.
///
/// `--at` takes a record's seq (a number, as `trail timeline` lists them) or
/// a time (any form `trail log --since` reads: the time `trail timeline`
/// shows, RFC 3339, a date, "2 hours ago"): the file's state is the last one
/// recorded at or before it, following renames. A time to the second means
/// the end of that second (the time a timeline shows restores that state),
/// a date the end of that day. The content comes from
/// git's object database, where trail keeps every recorded save and commit.
///
/// By default the file is written back in place, with the mode it had. If
/// the file in the work tree holds content the journal has not recorded
/// (it differs from the last recorded state), trail refuses, so nothing
/// unrecorded is lost: record it first (commit, or let the watcher see it),
/// write elsewhere with `--to FILE`, or pass `--force`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail restore src/main.rs --at 42
  trail restore docs/guide.md --at \"2 hours ago\" --to /tmp/guide.md")]
pub struct RestoreArgs {
    /// The file (relative to the current directory), by its current name.
    #[arg(value_name = "PATH")]
    pub path: std::ffi::OsString,

    /// The moment: a record's seq, or a time.
    #[arg(long, value_name = "SEQ|TIME")]
    pub at: String,

    /// Write the content to FILE instead of PATH ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,

    /// Overwrite PATH even when it holds content the journal has not recorded.
    #[arg(long)]
    pub force: bool,

    /// Print what was restored as one JSON object on stdout: path, seq (the
    /// record whose state was restored), time, kind, written_to (the file
    /// written). Not with `--to -`, which writes the content to stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RestoreArgs) -> Result<(), CommandError> {
    if args.json && args.to.as_deref() == Some(std::path::Path::new("-")) {
        return Err(CommandError::usage(
            "--json and --to - both want standard output: the content goes there",
        )
        .hint("write the content to a file with --to FILE, or leave out --json"));
    }
    let repo = Repo::discover()?;
    let path = repo.repo_relative(&args.path)?;
    let shown = trail_journal::record::quote_path(&path);
    let store = repo.open_indexed_store()?;
    let states = states::of_path(&store, &path, true)?;
    if states.is_empty() {
        return Err(CommandError::usage(format!("the journal has no record of {shown}"))
            .hint("`trail timeline PATH` lists what is recorded; `trail log --path DIR/` searches a directory"));
    }
    let at = args.at.trim();
    let chosen: Option<&State> = if !at.is_empty() && at.bytes().all(|b| b.is_ascii_digit()) {
        let seq: u64 = at
            .parse()
            .map_err(|_| CommandError::usage(format!("--at {at}: not a record number")))?;
        states.iter().rev().find(|s| s.seq <= seq)
    } else {
        let when = timeparse::parse("--at", at, chrono::Utc::now(), timeparse::Bound::End)?;
        states.iter().rev().find(|s| s.record.time.0 <= when.0)
    };
    let Some(state) = chosen else {
        return Err(CommandError::usage(format!(
            "{shown} has no recorded state at or before {at} (its first is record {})",
            states[0].seq
        ))
        .hint("`trail timeline PATH` lists its states"));
    };
    if state.deleted() {
        return Err(CommandError::usage(format!(
            "{shown} did not exist after record {} ({}): there is nothing to restore",
            state.seq, state.record.kind
        ))
        .hint("pick an earlier moment from `trail timeline PATH`"));
    }
    let Some(blob) = state.blob.as_deref() else {
        return Err(CommandError::refused(format!(
            "record {} has no stored content for {shown}{}",
            state.seq,
            state
                .sha256
                .as_deref()
                .map(|h| format!(
                    " (only its SHA-256, {h}: it was larger than [watch] max_blob_size)"
                ))
                .unwrap_or_default()
        )));
    };
    let id = ObjectId::from_hex(blob.as_bytes()).map_err(|_| {
        CommandError::environment(format!("record {} names a bad blob id {blob}", state.seq))
    })?;
    let content = repo
        .git
        .find_blob(id)
        .map_err(|e| {
            CommandError::environment(format!("the content of record {} (blob {blob}) is not in git's object database: {e}", state.seq))
                .hint("it may have been pruned by `git gc` before trail kept it reachable; `trail verify` checks the journal itself")
        })?
        .data
        .clone();

    match args.to.as_deref() {
        Some(to) if to == std::path::Path::new("-") || crate::output::is_stdout(to) => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&content)?;
            stdout.flush()?;
            return Ok(());
        }
        Some(to) => {
            let target = repo.cwd.join(to);
            write_atomically(&target, &content, state.mode.as_deref(), true)?;
            say(format_args!(
                "wrote {shown} as of record {} ({} {}) to {}",
                state.seq,
                state.record.time.to_rfc3339(),
                state.record.kind,
                to.display()
            ));
            if args.json {
                crate::output::print_json(&restored_json(&shown, state, &target))?;
            }
            return Ok(());
        }
        None => {}
    }
    let Some(workdir) = repo.location.workdir.clone() else {
        return Err(CommandError::usage("this repository has no work tree: pass --to FILE"));
    };
    let target = workdir.join(OsStr::from_bytes(&path));
    if !args.force
        && let Ok(current) = std::fs::read(&target)
    {
        // Safe to overwrite when the journal holds what is there now: any
        // recorded state, not only the latest (a file just restored holds an
        // older state until the watcher records the write).
        let current_id = trail_git::blob_id(&current).to_string();
        let recorded = states.iter().any(|s| s.blob.as_deref() == Some(current_id.as_str()));
        if !recorded && current != content {
            return Err(CommandError::refused(format!(
                "{shown} holds changes the journal has not recorded; restoring would lose them"
            ))
            .hint("record them first (commit, or start the watcher with `trail daemon start` so it records the save), or")
            .hint(format!("write elsewhere: trail restore {} --at {at} --to FILE", shown))
            .hint("or overwrite anyway with --force"));
        }
    }
    write_atomically(&target, &content, state.mode.as_deref(), false)?;
    say(format_args!(
        "restored {shown} as of record {} ({} {})",
        state.seq,
        state.record.time.to_rfc3339(),
        state.record.kind
    ));
    if args.json {
        crate::output::print_json(&restored_json(&shown, state, &target))?;
    }
    Ok(())
}

fn restored_json(shown: &str, state: &State, target: &std::path::Path) -> serde_json::Value {
    serde_json::json!({
        "path": shown,
        "seq": state.seq,
        "time": state.record.time.to_rfc3339(),
        "kind": state.record.kind.to_string(),
        "written_to": target.display().to_string(),
    })
}

/// Replace `path` with `content` in one rename; mode 0755 for an
/// executable state, a symlink for a `120000` state. With `into_special` (a
/// `--to` target), a device or FIFO there is written into instead.
fn write_atomically(
    path: &std::path::Path,
    content: &[u8],
    mode: Option<&str>,
    into_special: bool,
) -> Result<(), CommandError> {
    use std::os::unix::fs::PermissionsExt as _;
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot write {}: {e}", path.display()))
    };
    if into_special && crate::output::is_special_file(path) {
        // `--to /dev/null` or a FIFO: written into; a rename would replace the
        // device with a plain file.
        if mode == Some("120000") {
            return Err(CommandError::usage(format!(
                "cannot restore a symlink to {}: it is a device, FIFO or socket",
                path.display()
            ))
            .hint("give a path for the link (or `--to -` to print its target)"));
        }
        let mut file = std::fs::OpenOptions::new().write(true).open(path).map_err(cannot)?;
        file.write_all(content).map_err(cannot)?;
        return Ok(());
    }
    let dir =
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if into_special {
        // A `--to` target is a place the user named: like `cp`, write only
        // into a directory that exists (a typo must not grow a tree).
        if !dir.is_dir() {
            return Err(CommandError::usage(format!(
                "cannot write {}: the directory {} does not exist",
                path.display(),
                dir.display()
            ))
            .hint("create it first (`mkdir -p`), or give --to a path in an existing directory"));
        }
    } else {
        // Restoring in place: the file's directory may have been deleted since.
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    if mode == Some("120000") {
        let link = dir.join(format!(".trail-restore-{}", std::process::id()));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(OsStr::from_bytes(content), &link).map_err(cannot)?;
        std::fs::rename(&link, path).map_err(cannot)?;
        return Ok(());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(content).map_err(cannot)?;
    let bits = if mode == Some("100755") { 0o755 } else { 0o644 };
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(bits)).map_err(cannot)?;
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}
