//! `trail timeline`

use std::io::Write as _;

use clap::Args;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;
use crate::states;

/// List every recorded state of one file, oldest first.
///
/// A state is a save the watcher recorded, a commit (made with trail's hooks
/// or imported) or any other record naming the file; renames are followed
/// back to the file's earlier names (`--no-follow` stops at the last rename).
/// Each line shows the record's seq, when (UTC), what happened, who, the
/// content's blob id and size, and the commit. `trail restore PATH --at SEQ`
/// brings back the content of any line that has a blob.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail timeline src/main.rs
  trail timeline --json docs/guide.md | jq .blob
  trail restore src/main.rs --at 42 --to /tmp/main.rs.old")]
pub struct TimelineArgs {
    /// The file (relative to the current directory).
    #[arg(value_name = "PATH")]
    pub path: std::ffi::OsString,

    /// Do not follow renames back to the file's earlier names.
    #[arg(long)]
    pub no_follow: bool,

    /// One JSON object per state: seq, time, kind, path (path_b64 when the
    /// path is not UTF-8), status, from (from_b64), blob,
    /// sha256, size, mode, commit, who.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TimelineArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let path = repo.repo_relative(&args.path)?;
    let store = repo.open_indexed_store()?;
    let states = states::of_path(&store, &path, !args.no_follow)?;
    let mut out = Out::new();
    if states.is_empty() && !args.json {
        crate::output::say(format_args!(
            "the journal has no record of {}",
            trail_journal::record::quote_path(&path)
        ));
        return Ok(());
    }
    let width = crate::output::table_width();
    if !args.json {
        let header = format!(
            "{:>7}  {:<20} {:<18} {:<18} {:<2} {:<10} {:>9}  {:<10}  PATH",
            "SEQ",
            crate::output::time_heading(),
            "KIND",
            "WHO",
            "ST",
            "BLOB",
            "SIZE",
            "COMMIT"
        );
        writeln!(out, "{}", crate::output::fit(&header, width))?;
    }
    for state in &states {
        let record = &state.record;
        let who = record
            .actor
            .as_ref()
            .map(|a| if a.name.is_empty() { a.user.clone() } else { a.name.clone() })
            .unwrap_or_default();
        let shown = trail_journal::record::quote_path(&state.path);
        if args.json {
            // Paths as records hold them: `path` when the bytes are UTF-8,
            // else `path_b64` (and `from`/`from_b64` alike); never lossy.
            let (path, path_b64) = trail_journal::record::split_path(&state.path);
            let (from, from_b64) = match &state.from {
                Some(from) => trail_journal::record::split_path(from),
                None => (None, None),
            };
            let mut value = serde_json::json!({
                "seq": state.seq,
                "time": record.time.to_rfc3339(),
                "kind": record.kind,
                "status": format!("{:?}", state.status),
                "from": from,
                "blob": state.blob,
                "sha256": state.sha256,
                "size": state.size,
                "mode": state.mode,
                "commit": record.commit,
                "who": who,
            });
            match (path, path_b64) {
                (Some(path), _) => value["path"] = serde_json::Value::String(path),
                (None, Some(b64)) => value["path_b64"] = serde_json::Value::String(b64),
                (None, None) => {}
            }
            if let Some(b64) = from_b64 {
                value["from_b64"] = serde_json::Value::String(b64);
            }
            writeln!(out, "{value}")?;
            continue;
        }
        let path = match &state.from {
            Some(from) if state.status == trail_journal::Status::R => {
                format!("{} -> {shown}", trail_journal::record::quote_path(from))
            }
            _ => shown,
        };
        let line = format!(
            "{:>7}  {:<20} {:<18} {:<18} {:<2} {:<10} {:>9}  {:<10}  {path}",
            state.seq,
            crate::output::display_time(&record.time),
            record.kind,
            truncate(&who, 18),
            format!("{:?}", state.status),
            state.blob.as_deref().map(|b| &b[..b.len().min(10)]).unwrap_or("-"),
            state.size.map(|s| s.to_string()).unwrap_or_else(|| "-".to_owned()),
            record.commit.as_deref().map(|c| &c[..c.len().min(10)]).unwrap_or(""),
        );
        writeln!(out, "{}", crate::output::fit(&line, width))?;
    }
    out.flush()?;
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}
