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
/// content's blob id and size, the commit and the path; a narrow terminal
/// leaves out the blob id (below 130 columns) and who (below 100). `trail restore PATH --at SEQ`
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
    if states.is_empty() && !args.json {
        crate::output::say(format_args!(
            "the journal has no record of {}",
            trail_journal::record::quote_path(&path)
        ));
        return Ok(());
    }
    let width = crate::output::table_width();
    let layout = Layout::for_width(width);
    if !args.json {
        crate::output::page();
    }
    let mut out = Out::new();
    if !args.json {
        let header = layout.line(&Columns {
            seq: "SEQ",
            time: crate::output::time_heading(),
            kind: "KIND",
            who: "WHO",
            status: "ST",
            blob: "BLOB",
            size: "SIZE",
            commit: "COMMIT",
        });
        writeln!(out, "{}", crate::output::fit(&format!("{header}PATH"), width))?;
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
        let seq = state.seq.to_string();
        let time = crate::output::display_time(&record.time);
        let status = format!("{:?}", state.status);
        let size = state.size.map(|s| s.to_string()).unwrap_or_else(|| "-".to_owned());
        let start = layout.line(&Columns {
            seq: &seq,
            time: &time,
            kind: &truncate(&record.kind, layout.kind),
            who: &truncate(&who, layout.who),
            status: &status,
            blob: state.blob.as_deref().map(|b| &b[..b.len().min(10)]).unwrap_or("-"),
            size: &size,
            commit: record
                .commit
                .as_deref()
                .map(|c| &c[..c.len().min(layout.commit)])
                .unwrap_or(""),
        });
        // The path is what a reader looks for: when the line is too long its
        // start gives way (`…/deep/name.rs`), not its end.
        let room = width.map(|w| w.saturating_sub(start.chars().count()).max(8));
        writeln!(out, "{start}{}", fit_left(&path, room))?;
    }
    out.flush()?;
    Ok(())
}

/// The columns of a timeline row before the path.
struct Columns<'a> {
    seq: &'a str,
    time: &'a str,
    kind: &'a str,
    who: &'a str,
    status: &'a str,
    blob: &'a str,
    size: &'a str,
    commit: &'a str,
}

/// Which columns a row has, by the width it may use: all of them in a pipe
/// or on a wide terminal; below 130 columns no blob id (`--json` has it),
/// below 100 no author either and 7-character commit ids, so that an
/// 80-column terminal still shows size, commit and path.
#[derive(Debug, Clone, Copy)]
struct Layout {
    kind: usize,
    /// 0: no column.
    who: usize,
    blob: bool,
    commit: usize,
    narrow: bool,
}

impl Layout {
    fn for_width(width: Option<usize>) -> Layout {
        let full = Layout { kind: 18, who: 18, blob: true, commit: 10, narrow: false };
        match width {
            None => full,
            Some(w) if w >= 130 => full,
            Some(w) if w >= 100 => Layout { who: 12, blob: false, ..full },
            Some(_) => Layout { kind: 10, who: 0, blob: false, commit: 7, narrow: true },
        }
    }

    fn line(&self, c: &Columns<'_>) -> String {
        if self.narrow {
            return format!(
                "{:>5} {:<19} {:<k$} {:<2} {:>7} {:<7} ",
                c.seq,
                c.time,
                c.kind,
                c.status,
                c.size,
                c.commit,
                k = self.kind
            );
        }
        let mut line = format!("{:>7}  {:<20} {:<k$} ", c.seq, c.time, c.kind, k = self.kind);
        if self.who > 0 {
            line.push_str(&format!("{:<w$} ", c.who, w = self.who));
        }
        line.push_str(&format!("{:<2} ", c.status));
        if self.blob {
            line.push_str(&format!("{:<10} ", c.blob));
        }
        line.push_str(&format!("{:>9}  {:<c$}  ", c.size, c.commit, c = self.commit));
        line
    }
}

/// `text` cut to `width` characters from the left, starting with `…` when cut.
fn fit_left(text: &str, width: Option<usize>) -> String {
    let count = text.chars().count();
    match width {
        Some(width) if count > width => {
            let mut out = String::from("…");
            out.extend(text.chars().skip(count - width.saturating_sub(1)));
            out
        }
        _ => text.to_owned(),
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
