//! Writing to stdout: buffered, and a closed pipe ends the command quietly.
//! Also the user's output settings: `--quiet`, colour (only on a terminal,
//! never with `NO_COLOR`), the terminal's width, and `--local` times.

use std::io::{self, IsTerminal as _, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static LOCAL: AtomicBool = AtomicBool::new(false);

/// `--quiet`: informational messages are not printed (errors and warnings are).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `--local`: times on display in the local time zone instead of UTC.
pub fn set_local(local: bool) {
    LOCAL.store(local, Ordering::Relaxed);
}

/// A record time as tables show it: UTC, or local time with `--local`.
pub fn display_time(time: &trail_journal::Timestamp) -> String {
    if LOCAL.load(Ordering::Relaxed) {
        time.0.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        time.0.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A record time in full (`trail show`): RFC 3339 UTC, or with `--local` the
/// local time with its offset.
pub fn display_time_full(time: &trail_journal::Timestamp) -> String {
    if LOCAL.load(Ordering::Relaxed) {
        time.0.with_timezone(&chrono::Local).to_rfc3339_opts(chrono::SecondsFormat::Nanos, false)
    } else {
        time.to_rfc3339()
    }
}

/// The heading of the time column.
pub fn time_heading() -> &'static str {
    if LOCAL.load(Ordering::Relaxed) { "TIME (local)" } else { "TIME (UTC)" }
}

/// Whether to colour what goes to stderr (`stdout` false) or stdout: only a
/// terminal, never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
pub fn colour(stdout: bool) -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var_os("TERM").is_some_and(|t| t == "dumb")
    {
        return false;
    }
    if stdout { io::stdout().is_terminal() } else { io::stderr().is_terminal() }
}

/// `text` in the ANSI colour `code` when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}

/// The width tables may use on stdout: the terminal's (or `COLUMNS`), or
/// none when stdout is not a terminal (a pipe or file gets whole lines).
pub fn table_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()) {
        return Some(columns.max(20));
    }
    rustix::termios::tcgetwinsize(io::stdout())
        .ok()
        .map(|size| size.ws_col as usize)
        .filter(|&w| w > 0)
        .map(|w| w.max(20))
}

/// `line` cut to `width` characters, ending in `…` when cut.
pub fn fit(line: &str, width: Option<usize>) -> String {
    match width {
        Some(width) if line.chars().count() > width => {
            let mut out: String = line.chars().take(width.saturating_sub(1)).collect();
            out.push('…');
            out
        }
        _ => line.to_owned(),
    }
}

pub struct Out {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Out {
    pub fn new() -> Self {
        Out { inner: io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()) }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Print `value` as one line of JSON on stdout: what a command's `--json`
/// prints (its messages stay on stderr).
pub fn print_json(value: &serde_json::Value) -> io::Result<()> {
    let mut out = Out::new();
    writeln!(out, "{value}")?;
    out.flush()
}

/// Whether `path` (symlinks followed) is an existing file that is neither a
/// regular file nor a directory: a device such as `/dev/null`, a FIFO, a
/// socket. An output file is written into such a path, never replaced: the
/// rename that makes a regular file appear complete would put a plain file in
/// place of `/dev/null`.
pub fn is_special_file(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether `path` (symlinks followed) is the file this process's standard
/// output goes to (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`, or the
/// very file stdout was redirected to). Output for it goes to stdout itself:
/// opening it again would start at offset 0 of a file opened for appending,
/// and replacing it would lose what it held.
pub fn is_stdout(path: &std::path::Path) -> bool {
    use std::os::fd::AsFd as _;
    use std::os::unix::fs::MetadataExt as _;
    let Ok(target) = std::fs::metadata(path) else { return false };
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else { return false };
    let Ok(ours) = std::fs::File::from(fd).metadata() else { return false };
    (target.dev(), target.ino()) == (ours.dev(), ours.ino())
}

/// Print a status line for the user (stderr, so stdout stays data). With
/// `--quiet` only warnings (messages starting "warning") and stronger get
/// through.
pub fn say(message: impl std::fmt::Display) {
    let text = message.to_string();
    if quiet() && !text.starts_with("warning") && !text.starts_with("POLICY") {
        return;
    }
    to_stderr(format_args!("trail: {text}\n"));
}

/// Write to stderr, ignoring failure: `eprintln!` panics when stderr is a
/// closed pipe (`trail verify 2>&1 | head -1`), and a message nobody can read
/// is no reason to abort.
pub fn to_stderr(text: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(text);
}

/// `1 record`, `2 records`, `3 directories`: a count and its noun.
pub fn plural(n: u64, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("1 {word}"),
        (n, Some(stem)) => format!("{n} {stem}ies"),
        (n, None) => format!("{n} {word}s"),
    }
}
