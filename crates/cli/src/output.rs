//! Writing to stdout: buffered, and a closed pipe ends the command quietly.
//! Also the user's output settings: `--quiet`, colour (`--color`, NO_COLOR,
//! CLICOLOR, CLICOLOR_FORCE), the terminal's width, `--local` times, and the
//! pager (`--no-pager`, TRAIL_PAGER, git's core.pager, PAGER).

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

/// Whether `--local` was given.
pub fn local() -> bool {
    LOCAL.load(Ordering::Relaxed)
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

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless the environment says otherwise
    /// (NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM=dumb).
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file.
    Always,
    /// Never colour.
    Never,
}

static COLOR: std::sync::Mutex<ColorChoice> = std::sync::Mutex::new(ColorChoice::Auto);

/// `--color WHEN` (the default `auto`).
pub fn set_color(choice: ColorChoice) {
    if let Ok(mut color) = COLOR.lock() {
        *color = choice;
    }
}

/// Whether to colour what goes to stderr (`stdout` false) or stdout. The
/// first that applies decides: `--color always|never`; `NO_COLOR` set and
/// not empty (https://no-color.org): never; `CLICOLOR_FORCE` set and not
/// `0`: always; `CLICOLOR=0`: never; `TERM=dumb`: never; else only on a
/// terminal (a pager trail started counts as the terminal it shows on).
pub fn colour(stdout: bool) -> bool {
    let choice = COLOR.lock().map(|c| *c).unwrap_or_default();
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    decide_colour(
        choice,
        env("NO_COLOR").is_some(),
        env("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        env("CLICOLOR").is_some_and(|v| v == "0"),
        std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
        if stdout { io::stdout().is_terminal() } else { io::stderr().is_terminal() },
    )
}

fn decide_colour(
    choice: ColorChoice,
    no_color: bool,
    force: bool,
    clicolor_off: bool,
    dumb: bool,
    terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if no_color => false,
        ColorChoice::Auto if force => true,
        ColorChoice::Auto => !clicolor_off && !dumb && terminal,
    }
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
    inner: io::BufWriter<Sink>,
}

enum Sink {
    Stdout(io::StdoutLock<'static>),
    Pager(std::fs::File),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::Pager(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::Pager(out) => out.flush(),
        }
    }
}

impl Out {
    /// Standard output, or the pager's input once [`page`] started one.
    pub fn new() -> Self {
        let pager =
            PAGER.lock().ok().and_then(|p| p.as_ref().and_then(|(_, fd)| fd.try_clone().ok()));
        let sink = match pager {
            Some(fd) => Sink::Pager(std::fs::File::from(fd)),
            None => Sink::Stdout(io::stdout().lock()),
        };
        Out { inner: io::BufWriter::with_capacity(64 * 1024, sink) }
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

// ---- the pager ----

static NO_PAGER: AtomicBool = AtomicBool::new(false);

/// The pager trail started, and the write end of the pipe to it.
static PAGER: std::sync::Mutex<Option<(std::process::Child, std::os::fd::OwnedFd)>> =
    std::sync::Mutex::new(None);

/// `--no-pager`.
pub fn set_no_pager(no_pager: bool) {
    NO_PAGER.store(no_pager, Ordering::Relaxed);
}

/// The pager command as git chooses one: `TRAIL_PAGER`, then git's
/// `core.pager`, then `PAGER`, then `less`. `None` when it is empty or
/// `cat` (no pager).
fn pager_command(git_config_pager: impl FnOnce() -> Option<String>) -> Option<String> {
    let chosen = std::env::var("TRAIL_PAGER")
        .ok()
        .or_else(git_config_pager)
        .or_else(|| std::env::var("PAGER").ok())
        .unwrap_or_else(|| "less".to_owned());
    let trimmed = chosen.trim();
    (!trimmed.is_empty() && trimmed != "cat").then(|| trimmed.to_owned())
}

/// git's `core.pager` for the repository at the current directory (git reads
/// the repository's, the user's and the system's configuration).
fn core_pager() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["config", "core.pager"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim_end_matches('\n').to_owned())
}

/// Send what [`Out`] writes from now on through a pager, as git does: only
/// when stdout is a terminal (of a known type, not `TERM=dumb`) and
/// `--no-pager` was not given. `less` runs with
/// `LESS=FRX` when `LESS` is not set (quit when the text fits one screen,
/// keep colours, leave the text on the screen). A pager that cannot be
/// started is no error: the output goes to the terminal.
pub fn page() {
    // A terminal without a type, or a dumb one (an editor's shell buffer),
    // cannot run `less`: it would stop to warn and wait for a key.
    let dumb = std::env::var_os("TERM").is_none_or(|t| t.is_empty() || t == "dumb");
    if NO_PAGER.load(Ordering::Relaxed) || dumb || !io::stdout().is_terminal() {
        return;
    }
    let Ok(mut slot) = PAGER.lock() else { return };
    if slot.is_some() {
        return;
    }
    let Some(command) = pager_command(core_pager) else { return };
    // The default pager where none is installed: the terminal itself.
    if command == "less" && !on_path("less") {
        return;
    }
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(&command).stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        cmd.env("LV", "-c");
    }
    let Ok(mut child) = cmd.spawn() else { return };
    let Some(stdin) = child.stdin.take() else { return };
    // Ctrl-C belongs to the pager now (less reads it); trail ends when the
    // pager does (its output pipe closes), so the terminal is never left to
    // a pager whose writer died under it.
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGINT,
        std::sync::Arc::new(AtomicBool::new(false)),
    );
    *slot = Some((child, std::os::fd::OwnedFd::from(stdin)));
}

/// Whether `program` is an executable file in a directory of `PATH`.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Close the pager's input and wait until the user leaves it (before trail
/// exits, or the shell's prompt would appear inside the pager's screen).
pub fn finish_pager() {
    let taken = PAGER.lock().ok().and_then(|mut p| p.take());
    if let Some((mut child, fd)) = taken {
        drop(fd);
        let _ = child.wait();
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

/// On Ctrl-C (SIGINT): clear `progress`, say `message` and exit with 130, as
/// a shell reports a command ended by SIGINT. For a command whose work is
/// safe to stop at any point (what it wrote stays written).
pub fn exit_on_interrupt(progress: &indicatif::ProgressBar, message: &'static str) {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) else {
        return;
    };
    let progress = progress.clone();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            progress.finish_and_clear();
            to_stderr(format_args!("\ntrail: {message}\n"));
            std::process::exit(130);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_precedence() {
        use ColorChoice::*;
        // choice, NO_COLOR, CLICOLOR_FORCE, CLICOLOR=0, TERM=dumb, terminal
        assert!(decide_colour(Always, true, false, true, true, false));
        assert!(!decide_colour(Never, false, true, false, false, true));
        assert!(
            !decide_colour(Auto, true, true, false, false, true),
            "NO_COLOR beats CLICOLOR_FORCE"
        );
        assert!(
            decide_colour(Auto, false, true, true, false, false),
            "CLICOLOR_FORCE beats CLICOLOR"
        );
        assert!(!decide_colour(Auto, false, false, true, false, true));
        assert!(!decide_colour(Auto, false, false, false, true, true));
        assert!(decide_colour(Auto, false, false, false, false, true));
        assert!(!decide_colour(Auto, false, false, false, false, false));
    }
}
