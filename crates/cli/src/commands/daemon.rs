//! `trail daemon start | stop | status | unit`: `trail watch` in the background.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use crate::context::Repo;
use crate::error::{CommandError, Exit};
use crate::output::{Out, say};

/// Run the watcher in the background, and manage it.
///
/// The daemon is `trail watch` detached from the terminal: it records every
/// save in the work tree and owns the journal while it runs (hooks and trail
/// commands then go through it, which makes them faster). One watcher per
/// repository: it holds `.git/trail/daemon.lock` while it runs. Its pid file
/// and log are in `.git/trail/` (`daemon.pid`, `daemon.log`). Each line of
/// the log starts with its time (RFC 3339, UTC) and level (ERROR, WARN,
/// INFO); at 5 MiB the log is renamed `daemon.log.1` (replacing the one
/// before) and a new one begun. Under systemd (`trail daemon unit`) the
/// watcher's messages go to the journal instead.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    #[command(subcommand)]
    pub command: DaemonCommand,
}

#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    Start(StartArgs),
    Stop(StopArgs),
    Status(StatusArgs),
    Unit(UnitArgs),
    #[command(hide = true)]
    Serve(ServeArgs),
    #[command(hide = true)]
    LogWriter(LogWriterArgs),
}

/// Start the watcher in the background (nothing happens if it runs already).
///
/// Returns once the daemon answers on its socket (at most 10 s; up to 25 s
/// while the watcher is still starting, e.g. waiting for a journal another
/// command holds). Exit 0 when it runs, 3 when it could not be started (the
/// reason is printed, and its log says more) or when a
/// watcher holds the repository's lock but does not answer (no second one is
/// started).
#[derive(Debug, Args)]
pub struct StartArgs {}

/// Stop the background watcher: it records what is pending, flushes the
/// journal and exits (SIGTERM; waits up to 10 s).
///
/// Only the process that holds the repository's watcher lock
/// (`.git/trail/daemon.lock`) is signalled; `daemon.pid` is not trusted.
#[derive(Debug, Args)]
pub struct StopArgs {}

/// Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error.
///
/// Exit 0 when it runs, 3 when it does not, or when it holds the
/// repository's lock but does not answer on its socket.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the daemon's status object as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The watcher's store process (started by the watcher; not for people).
///
/// Serves the journal on the listening socket it gets as stdin, reports on its
/// stdout (`ready` or `error: …`; in standby, `standby` first, once it waits
/// for a client with the store closed) and reads the watcher's status lines
/// there; exits when no client has come for a while or when the watcher is
/// gone.
#[derive(Debug, Args)]
pub struct ServeArgs {}

/// The writer of the watcher's log (started by `trail daemon start`; not for
/// people).
///
/// Reads lines on stdin (the watcher's and its store process's output) until
/// its end, and appends each to FILE behind its time (RFC 3339, UTC, in
/// milliseconds) and level. When FILE would grow past --max-bytes it is
/// renamed FILE.1 (replacing the one before) and a new FILE begun.
#[derive(Debug, Args)]
pub struct LogWriterArgs {
    /// The log file.
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// The size at which FILE is rotated.
    #[arg(long, value_name = "BYTES", default_value_t = LOG_MAX_BYTES)]
    pub max_bytes: u64,
}

/// The size at which `daemon.log` is rotated to `daemon.log.1`: the log
/// takes at most twice this on disk.
pub(crate) const LOG_MAX_BYTES: u64 = 5 * 1024 * 1024;

/// The variable `trail daemon start` gives the watcher: the path of the log
/// its output goes to, which `trail daemon status` shows.
pub(crate) const LOG_ENV: &str = "TRAIL_DAEMON_LOG";

/// Print a systemd user unit that runs `trail watch` for this repository.
///
/// Save it under ~/.config/systemd/user/ (NAME is yours to choose), make
/// systemd read it, then enable and start it, one command each (see the
/// examples). Under systemd the watcher's messages go to the journal
/// (`journalctl --user -u trail-NAME`), not to `.git/trail/daemon.log`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail daemon unit > ~/.config/systemd/user/trail-NAME.service
  systemctl --user daemon-reload
  systemctl --user enable --now trail-NAME
  journalctl --user -u trail-NAME                what the watcher said")]
pub struct UnitArgs {}

pub fn run(args: DaemonArgs) -> Result<(), CommandError> {
    match args.command {
        DaemonCommand::Start(_) => start(),
        DaemonCommand::Stop(_) => stop(),
        DaemonCommand::Status(args) => status(args),
        DaemonCommand::Unit(_) => unit(),
        DaemonCommand::Serve(_) => serve(),
        DaemonCommand::LogWriter(args) => log_writer(args),
    }
}

/// How long the store process stays after its last client left. Long enough
/// that a burst of saves and the commit after it find it running; short enough
/// that an idle watcher soon holds no store (docs/architecture.md).
pub(crate) const STORE_IDLE_EXIT: Duration = Duration::from_secs(10);

/// `trail daemon serve`: the store process of [`trail_service::Activator`].
fn serve() -> Result<(), CommandError> {
    use std::io::BufRead as _;
    use std::os::fd::AsFd as _;
    use std::os::unix::net::{UnixListener, UnixStream};

    let inherited = |what: &str, fd: std::io::Result<std::os::fd::OwnedFd>| {
        fd.map_err(|e| {
            CommandError::usage(format!(
                "`trail daemon serve` is started by the watcher, with {what}: {e}"
            ))
        })
    };
    let listener = UnixListener::from(inherited(
        "the listening socket as stdin",
        std::io::stdin().as_fd().try_clone_to_owned(),
    )?);
    let control = UnixStream::from(inherited(
        "its control connection as stdout",
        std::io::stdout().as_fd().try_clone_to_owned(),
    )?);
    // From here on the copies are this process's only handles on the socket
    // and the connection: with fds 0 and 1 still on them, closing the listener
    // when draining would leave the socket open, and new clients waiting on
    // a process that no longer accepts.
    let null =
        std::fs::OpenOptions::new().read(true).write(true).open("/dev/null").and_then(|null| {
            rustix::stdio::dup2_stdin(&null)?;
            rustix::stdio::dup2_stdout(&null)?;
            Ok(())
        });
    if let Err(e) = null {
        return Err(CommandError::environment(format!(
            "cannot detach from the watcher's descriptors: {e}"
        )));
    }
    let tell = |line: &str| {
        let _ = (&control).write_all(format!("{line}\n").as_bytes());
    };
    let failed = |e: CommandError| {
        // One line the watcher turns back into this error (exit code and hints too).
        let said =
            serde_json::json!({"exit": e.exit as u8, "message": e.message, "hints": e.hints});
        tell(&format!("error: {said}"));
        e
    };
    let repo = Repo::discover_only().map_err(failed)?;
    let mut reader = std::io::BufReader::new(control.try_clone().map_err(|e| {
        CommandError::environment(format!("cannot read the watcher's control connection: {e}"))
    })?);
    // In standby (started after the previous one left for want of clients):
    // exec and discovery are done; wait for a client before opening the store.
    let mut status_line = None;
    if std::env::var_os(trail_service::STANDBY_ENV).is_some_and(|v| v == "1") {
        tell("standby");
        match trail_service::standby(&listener, &mut reader, &mut status_line) {
            Ok(trail_service::Standby::Client) => {}
            Ok(trail_service::Standby::Gone) => return Ok(()),
            Err(e) => {
                return Err(failed(CommandError::environment(format!(
                    "cannot wait for clients in standby: {e}"
                ))));
            }
        }
    }
    // A hook may hold the store for a moment: wait for it rather than fail.
    let store =
        trail_journal::SledStore::open_with_wait(&repo.store_path(), Duration::from_secs(10))
            .map_err(|e| failed(e.into()))?;
    let options = trail_service::ServeOptions {
        pid: std::os::unix::process::parent_id(),
        idle_exit: Some(STORE_IDLE_EXIT),
    };
    let store = std::sync::Arc::new(store);
    let server = trail_service::Server::inherited(
        listener,
        &repo.location.trail_dir(),
        options,
        std::sync::Arc::clone(&store),
    )
    .map_err(service_error)?;
    let status = server.status_handle();
    if let Some(line) = status_line
        && let Ok(value) = serde_json::from_str(&line)
        && let Ok(mut status) = status.lock()
    {
        *status = value;
    }
    let stop = server.drainer();
    // A stop signal (systemd stopping the unit signals every process of it;
    // Ctrl-C the whole foreground group) drains like the watcher's going:
    // sled is never left open by a signal.
    let signalled = server.drainer();
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ])
    .map_err(|e| CommandError::environment(format!("cannot handle signals: {e}")))?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            signalled.request();
        }
    });
    tell("ready");
    // The watcher's status lines; the end of them (it stopped, or died) stops
    // us once the clients connected now have hung up.
    std::thread::spawn(move || {
        for line in reader.lines() {
            let Ok(line) = line else { break };
            if let Ok(value) = serde_json::from_str(&line)
                && let Ok(mut status) = status.lock()
            {
                *status = value;
            }
        }
        stop.request();
    });
    let served = server.run().map_err(service_error);
    // sled must be closed, not left open by an exiting process: its recovery
    // after an unclean exit has been seen to drop flushed records of one tree
    // (docs/architecture.md). The server's threads let go of it as they end.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::sync::Arc::strong_count(&store) > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    match std::sync::Arc::try_unwrap(store) {
        Ok(store) => drop(store),
        Err(_) => tracing::error!("the store is still in use after the server stopped"),
    }
    served
}

fn workdir(repo: &Repo) -> Result<PathBuf, CommandError> {
    repo.location.workdir.clone().ok_or_else(|| {
        CommandError::usage("the watcher watches a work tree; this repository is bare")
    })
}

pub(crate) fn pid_path(repo: &Repo) -> PathBuf {
    repo.location.trail_dir().join("daemon.pid")
}

pub(crate) fn log_path(repo: &Repo) -> PathBuf {
    repo.location.trail_dir().join("daemon.log")
}

/// `trail daemon log-writer`: stdin, line by line, into a log of bounded size.
fn log_writer(args: LogWriterArgs) -> Result<(), CommandError> {
    use std::io::BufRead as _;
    let mut log = RotatingLog::open(args.file, args.max_bytes)?;
    let mut input = std::io::stdin().lock();
    let mut level = Level::Info;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(CommandError::environment(format!("cannot read the log's input: {e}")));
            }
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        let (said, rest) = log_level(text, level);
        level = said;
        let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        // Nowhere to tell of a failed write: the next line tries again.
        let _ = log.append(format!("{time} {:<5} {rest}\n", said.name()).as_bytes());
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

/// The level of a line of trail's output, and the line to log: `trail:
/// error: …` (and panics) are errors, `trail: warning: …` warnings, an
/// indented line (`  hint: …`) continues the line before, a line of
/// tracing's own format (TRAIL_LOG set: `TIME LEVEL target: …`) keeps its
/// level and loses its time; the rest is information.
fn log_level(line: &str, before: Level) -> (Level, &str) {
    let mut words = line.split_whitespace();
    if let (Some(time), Some(level)) = (words.next(), words.next())
        && chrono::DateTime::parse_from_rfc3339(time).is_ok()
    {
        let level = match level {
            "ERROR" => Some(Level::Error),
            "WARN" => Some(Level::Warn),
            "INFO" => Some(Level::Info),
            "DEBUG" => Some(Level::Debug),
            "TRACE" => Some(Level::Trace),
            _ => None,
        };
        if let Some(level) = level {
            let rest =
                line.trim_start()[time.len()..].trim_start()[level.name().len()..].trim_start();
            return (level, rest);
        }
    }
    let level = if line.starts_with("trail: error:") || line.starts_with("trail: internal error") {
        Level::Error
    } else if line.starts_with("trail: warning") || line.starts_with("trail: POLICY") {
        Level::Warn
    } else if line.starts_with(char::is_whitespace) && !line.trim().is_empty() {
        before
    } else if line.starts_with("thread '") && line.contains("panicked") {
        Level::Error
    } else {
        Level::Info
    };
    (level, line)
}

/// A log file that is renamed FILE.1 when it would grow past its limit.
struct RotatingLog {
    path: PathBuf,
    file: std::fs::File,
    size: u64,
    max: u64,
}

impl RotatingLog {
    fn open(path: PathBuf, max: u64) -> Result<RotatingLog, CommandError> {
        let file = Self::open_file(&path).map_err(|e| {
            CommandError::environment(format!("cannot open {}: {e}", path.display()))
        })?;
        let size = file.metadata().map_or(0, |m| m.len());
        Ok(RotatingLog { path, file, size, max })
    }

    fn open_file(path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new().create(true).append(true).open(path)
    }

    /// The path of the previous log: `daemon.log.1`.
    fn previous(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".1");
        PathBuf::from(name)
    }

    fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        if self.size > 0 && self.size + line.len() as u64 > self.max {
            std::fs::rename(&self.path, Self::previous(&self.path))?;
            self.file = Self::open_file(&self.path)?;
            self.size = 0;
        }
        // One write per line, unbuffered: the line is in the file as soon as
        // it was said (`trail daemon start` reads it back).
        self.file.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }
}

/// The pid `daemon.pid` names, if any. Information only: the watcher is the
/// process that holds the lock, and nothing is signalled on this file's word.
fn pid_file_names(repo: &Repo) -> Option<u32> {
    std::fs::read_to_string(pid_path(repo)).ok()?.trim().parse().ok()
}

/// `.git/trail/daemon.pid`, written by the watcher once it holds the lock
/// and has bound its socket. Removed when dropped, but only if it is still
/// the file written here (a later watcher's is left alone).
pub(crate) struct PidFile {
    path: PathBuf,
    identity: (u64, u64),
}

impl PidFile {
    pub(crate) fn write(repo: &Repo) -> Result<PidFile, CommandError> {
        use std::os::unix::fs::MetadataExt as _;
        let path = pid_path(repo);
        let pid = std::process::id();
        // Written aside and renamed: a reader never sees it half written. No
        // fsync: after a crash a missing or stale pid file misleads nobody.
        let aside = path.with_file_name(format!("daemon.pid.{pid}"));
        let written = std::fs::write(&aside, format!("{pid}\n"))
            .and_then(|()| std::fs::rename(&aside, &path))
            .and_then(|()| std::fs::symlink_metadata(&path));
        match written {
            Ok(meta) => Ok(PidFile { path, identity: (meta.dev(), meta.ino()) }),
            Err(e) => {
                let _ = std::fs::remove_file(&aside);
                Err(CommandError::environment(format!("cannot write {}: {e}", path.display())))
            }
        }
    }

    /// Remove the file if it is still this one: the file written here, and
    /// still naming this process.
    pub(crate) fn remove(&self) {
        use std::os::unix::fs::MetadataExt as _;
        if let Ok(meta) = std::fs::symlink_metadata(&self.path)
            && (meta.dev(), meta.ino()) == self.identity
            && std::fs::read_to_string(&self.path)
                .is_ok_and(|text| text.trim().parse::<u32>() == Ok(std::process::id()))
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// How long `start` and `status` wait for a watcher that holds the lock to
/// answer (it may be starting, or binding its socket again after the file
/// was deleted).
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// Connect until the daemon answers or `limit` passed.
fn wait_for_answer(
    trail_dir: &Path,
    limit: Duration,
) -> Result<Option<trail_service::Client>, CommandError> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(client) = trail_service::Client::connect(trail_dir).map_err(service_error)? {
            return Ok(Some(client));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A watcher holds the lock but does not answer on its socket.
fn not_answering(repo: &Repo, holder: trail_service::Holder) -> CommandError {
    let trail_dir = repo.location.trail_dir();
    let who = match holder.pid() {
        Some(pid) => format!("a watcher (pid {pid})"),
        None => "a watcher".to_owned(),
    };
    let socket = trail_service::socket_path(&trail_dir);
    let state = if socket.exists() { "does not answer on" } else { "has no socket at" };
    CommandError::environment(format!(
        "{who} holds {} but {state} {}",
        trail_service::lock_path(&trail_dir).display(),
        socket.display()
    ))
    .hint("no second watcher is started; `trail daemon stop` stops this one, then `trail daemon start`")
    .hint(format!("its log may say why: {}", log_path(repo).display()))
}

/// Start the daemon for `repo` and wait until it answers; used by `trail init --watch` too.
pub(crate) fn start_for(repo: &Repo) -> Result<(), CommandError> {
    let workdir = workdir(repo)?;
    let trail_dir = repo.location.trail_dir();
    if !repo.store_path().exists() {
        return Err(CommandError::environment("this repository has no journal yet")
            .hint("run `trail init` first"));
    }
    if let Some(client) = trail_service::Client::connect(&trail_dir).map_err(service_error)? {
        // With nobody holding the lock, what answers is the store process of
        // a watcher that died (killed): it finishes its clients and exits,
        // and the new watcher takes the socket over.
        if trail_service::lock_holder(&trail_dir).map_err(service_error)?.is_some() {
            say(format_args!("the watcher is already running (pid {})", client.daemon_pid()));
            return Ok(());
        }
    }
    // Nothing answers, but a watcher may hold the lock: starting, or binding
    // its socket again after the file was deleted. Never a second one.
    if let Some(holder) = trail_service::lock_holder(&trail_dir).map_err(service_error)? {
        return match wait_for_answer(&trail_dir, ANSWER_WAIT)? {
            Some(client) => {
                say(format_args!("the watcher is already running (pid {})", client.daemon_pid()));
                Ok(())
            }
            None => Err(not_answering(repo, holder)),
        };
    }
    // The watcher reads trail.toml first thing; a mistake there is said here,
    // with its exit code, rather than left in the log of a watcher that died.
    crate::config::load(&workdir.join("trail.toml"))?;
    let exe = std::env::current_exe()
        .map_err(|e| CommandError::environment(format!("cannot find the trail executable: {e}")))?;
    let log_from = std::fs::metadata(log_path(repo)).map_or(0, |m| m.len());
    // Said here if the log cannot be written, not lost with the writer.
    std::fs::OpenOptions::new().create(true).append(true).open(log_path(repo)).map_err(|e| {
        CommandError::environment(format!("cannot open {}: {e}", log_path(repo).display()))
    })?;
    use std::os::unix::process::CommandExt as _;
    // The watcher's output (and its store process's) goes through a pipe to
    // `trail daemon log-writer`, which dates each line and rotates the file.
    let mut logger = std::process::Command::new(&exe)
        .args(["daemon", "log-writer", "--file"])
        .arg(log_path(repo))
        .current_dir("/")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| CommandError::environment(format!("cannot start the log writer: {e}")))?;
    let pipe = logger
        .stdin
        .take()
        .map(std::os::fd::OwnedFd::from)
        .ok_or_else(|| CommandError::environment("the log writer has no input"))?;
    let err = pipe
        .try_clone()
        .map_err(|e| CommandError::environment(format!("cannot open the log: {e}")))?;
    let mut child = std::process::Command::new(exe)
        .arg("watch")
        .current_dir(&workdir)
        .env(LOG_ENV, log_path(repo))
        .stdin(std::process::Stdio::null())
        .stdout(pipe)
        .stderr(err)
        // Its own process group: Ctrl-C in this terminal does not reach it.
        .process_group(0)
        .spawn()
        .map_err(|e| CommandError::environment(format!("cannot start the watcher: {e}")))?;
    // 10 s for an answer; a watcher still starting then (its store process
    // waits up to 10 s for a store another process holds) gets 15 s more to
    // answer or to exit, so that what it says is what start says.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(10);
    let grace = started + Duration::from_secs(25);
    while Instant::now() < deadline
        || (Instant::now() < grace && matches!(child.try_wait(), Ok(None)))
    {
        // Only the watcher holding the lock counts (not an orphaned store
        // process still answering for a watcher that died).
        let holder = trail_service::lock_holder(&trail_dir).map_err(service_error)?;
        let answering = match holder {
            // Its store process answers once it has the store: another
            // process holding it (an import, a verify) delays the greeting.
            Some(_) => match trail_service::Client::connect(&trail_dir) {
                Err(trail_service::ServiceError::Unresponsive { .. }) => None,
                connected => connected.map_err(service_error)?,
            },
            None => None,
        };
        let holder_pid = holder.and_then(|h| h.pid());
        if let Some(client) =
            answering.filter(|c| holder_pid.is_none_or(|pid| pid == c.daemon_pid()))
        {
            // Answering is not yet watching: its watches are set and what
            // changed meanwhile reconciled when it publishes `watched_dirs`.
            // Until then a save would count as made while nobody watched.
            let watching = Instant::now() + Duration::from_secs(30);
            while Instant::now() < watching
                && client.status().map(|s| s["watched_dirs"].is_null()).unwrap_or(false)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            // It answered, then died before it watched (its start scan
            // failed): that is no running watcher, whatever it said first.
            if let Ok(Some(exit)) = child.try_wait() {
                return Err(watcher_exited(
                    repo,
                    &format!(
                        "the watcher answered, then exited before it watched anything ({exit})"
                    ),
                    log_from,
                    &mut logger,
                ));
            }
            say(format_args!(
                "the watcher is running (pid {}); log: {}",
                client.daemon_pid(),
                log_path(repo).display()
            ));
            return Ok(());
        }
        if let Ok(Some(exit)) = child.try_wait() {
            // Another `trail daemon start` may have won the race for the
            // lock: its watcher answers soon.
            if trail_service::lock_holder(&trail_dir).map_err(service_error)?.is_none() {
                return Err(watcher_exited(
                    repo,
                    &format!("the watcher exited at once ({exit})"),
                    log_from,
                    &mut logger,
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // It exited as the wait ran out: say so, with its reason.
    if let Ok(Some(exit)) = child.try_wait() {
        return Err(watcher_exited(
            repo,
            &format!("the watcher exited at once ({exit})"),
            log_from,
            &mut logger,
        ));
    }
    Err(watcher_exited(repo, "the watcher did not answer within 10 s", log_from, &mut logger))
}

/// The watcher `trail daemon start` started has exited: `what`, and the
/// error its log ends with (a journal held by another process, a damaged
/// store), so that the reason is on the terminal and not only in the log.
fn watcher_exited(
    repo: &Repo,
    what: &str,
    log_from: u64,
    logger: &mut std::process::Child,
) -> CommandError {
    // The log writer ends once the watcher and its store process are gone
    // and it has written all they said; a store process may outlive the
    // watcher, so the wait is short.
    let deadline = Instant::now() + Duration::from_secs(2);
    while matches!(logger.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = std::fs::read(log_path(repo)).unwrap_or_default();
    // Only what this start's watcher wrote (the log is appended to; a log
    // shorter than before was rotated meanwhile).
    let from = if (log.len() as u64) < log_from { 0 } else { log_from as usize };
    let log = String::from_utf8_lossy(log.get(from..).unwrap_or_default());
    let said =
        log.lines().rev().find_map(|line| line.split_once("trail: error: ").map(|(_, said)| said));
    let error = match said {
        Some(said) => CommandError::environment(format!("{what}: {said}")),
        None => CommandError::environment(what.to_owned()),
    };
    error.hint(format!("its log says more: {}", log_path(repo).display()))
}

fn start() -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    start_for(&repo)
}

fn stop() -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let trail_dir = repo.location.trail_dir();
    // Only the process that holds the lock, proven just before the signal;
    // never whatever daemon.pid names (stale after a kill -9, pids are reused).
    let Some(pid) = trail_service::signal_watcher(&trail_dir).map_err(service_error)? else {
        match pid_file_names(&repo).filter(|&pid| alive(pid)) {
            Some(named) => say(format_args!(
                "the watcher is not running (nothing holds {}); {} names pid {named}, which is not this repository's watcher: it was not signalled",
                trail_service::lock_path(&trail_dir).display(),
                pid_path(&repo).display()
            )),
            None => say("the watcher is not running"),
        }
        return Ok(());
    };
    if trail_service::wait_released(&trail_dir, Duration::from_secs(10)).map_err(service_error)? {
        // The lock goes a moment before the process has exited: "stopped"
        // is said once it has (a pid reused meanwhile waits 2 s at most).
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while alive(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        say(format_args!("the watcher (pid {pid}) stopped"));
        return Ok(());
    }
    Err(CommandError::environment(format!("the watcher (pid {pid}) did not stop within 10 s"))
        .hint(format!("its log may say why: {}", log_path(&repo).display())))
}

/// Whether `pid` runs (a zombie does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().map(|rest| !rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

fn status(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let trail_dir = repo.location.trail_dir();
    let mut client = trail_service::Client::connect(&trail_dir).map_err(service_error)?;
    // Nothing answers: is a watcher there all the same (holding the lock)?
    let holder = match client {
        Some(_) => None,
        None => trail_service::lock_holder(&trail_dir).map_err(service_error)?,
    };
    if let Some(holder) = holder {
        client = wait_for_answer(&trail_dir, ANSWER_WAIT)?;
        if client.is_none() {
            if args.json {
                let mut out = Out::new();
                let said =
                    serde_json::json!({"running": true, "answering": false, "pid": holder.pid()});
                writeln!(out, "{said}")?;
                out.flush()?;
            }
            return Err(not_answering(&repo, holder));
        }
    }
    let Some(client) = client else {
        if args.json {
            let mut out = Out::new();
            writeln!(out, "{}", serde_json::json!({"running": false}))?;
            out.flush()?;
        }
        return Err(CommandError::new(Exit::Environment, "the watcher is not running")
            .hint("`trail daemon start` starts it"));
    };
    let mut status = client.status().map_err(service_error)?;
    // A store process that has just started (the first client after a quiet
    // spell, or after the watcher bound its socket again) may answer before
    // the watcher's status line reached it: ask again, briefly.
    let deadline = Instant::now() + Duration::from_secs(2);
    while status["pid"].is_null() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        status = client.status().map_err(service_error)?;
    }
    // The watcher sleeps while nothing happens, so its own figure is as old
    // as its last wake-up: the uptime is counted here from its start.
    let started = status["started"].as_str().and_then(trail_journal::Timestamp::parse);
    if let (Some(started), Some(map)) = (started, status.as_object_mut()) {
        let nanos = trail_journal::Timestamp::now().nanos().saturating_sub(started.nanos());
        map.insert("uptime_secs".into(), (nanos.max(0) / 1_000_000_000).into());
    }
    let mut out = Out::new();
    if args.json {
        writeln!(out, "{status}")?;
    } else {
        let field = |name: &str| match &status[name] {
            serde_json::Value::Null => "-".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        writeln!(
            out,
            "running    pid {}, since {} ({} s)",
            field("pid"),
            field("started"),
            field("uptime_secs")
        )?;
        writeln!(out, "watching   {} ({} directories)", field("workdir"), field("watched_dirs"))?;
        writeln!(out, "recorded   {} records from {} events", field("records"), field("events"))?;
        writeln!(out, "lag        {} pending, oldest {} ms", field("pending"), field("lag_ms"))?;
        writeln!(out, "last error {}", field("last_error"))?;
        match status["log"].as_str() {
            Some("journal") => {
                writeln!(out, "log        the systemd journal (journalctl _PID={})", field("pid"))?
            }
            Some(path) => writeln!(out, "log        {path}")?,
            None => writeln!(out, "log        {}", log_path(&repo).display())?,
        }
    }
    out.flush()?;
    Ok(())
}

fn unit() -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let workdir = workdir(&repo)?;
    let exe = std::env::current_exe()
        .map_err(|e| CommandError::environment(format!("cannot find the trail executable: {e}")))?;
    let text = unit_text(&workdir, &exe)?;
    let mut out = Out::new();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The unit that runs `exe watch` in `workdir`.
fn unit_text(workdir: &Path, exe: &Path) -> Result<String, CommandError> {
    Ok(format!(
        "# systemd user unit: runs `trail watch` for {plain}.\n\
         # Save as ~/.config/systemd/user/trail-NAME.service, then:\n\
         #   systemctl --user daemon-reload\n\
         #   systemctl --user enable --now trail-NAME\n\
         [Unit]\n\
         Description=trail watcher for {dir}\n\
         \n\
         [Service]\n\
         Type=simple\n\
         WorkingDirectory={dir}\n\
         ExecStart={exe} watch\n\
         # Messages go to the systemd journal (`journalctl --user -u trail-NAME`), not daemon.log.\n\
         StandardOutput=journal\n\
         StandardError=journal\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         # SIGTERM: the watcher records what is pending and flushes before it exits.\n\
         KillSignal=SIGTERM\n\
         TimeoutStopSec=20\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        plain = workdir.display(),
        dir = systemd_path(workdir)?,
        exe = systemd_word(exe)?,
    ))
}

/// A path as systemd takes it in a setting that is one path
/// (`WorkingDirectory=`): as it is, spaces included (systemd.exec(5): no
/// quotes, which it would take as part of the path), with `%` doubled
/// (systemd's specifier character). A path systemd cannot hold in one line
/// (a newline, or not UTF-8) is refused.
fn systemd_path(path: &Path) -> Result<String, CommandError> {
    let text = path.to_str().filter(|t| !t.contains(['\n', '\r'])).ok_or_else(|| {
        CommandError::usage(format!(
            "{} cannot be written into a systemd unit (not UTF-8, or a line break)",
            path.display()
        ))
    })?;
    Ok(text.replace('%', "%%"))
}

/// The executable of a command line (`ExecStart=`): as it is when it has
/// nothing systemd splits or unescapes, else in double quotes with `\\` and
/// `"` escaped (systemd.service(5), "Command lines"); `%` doubled. (`$` is
/// expanded in the arguments only, so it stays as it is here.)
fn systemd_word(path: &Path) -> Result<String, CommandError> {
    let text = systemd_path(path)?;
    if text.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';')) {
        Ok(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
    } else {
        Ok(text)
    }
}

pub(crate) fn service_error(e: trail_service::ServiceError) -> CommandError {
    use trail_service::ServiceError as E;
    match &e {
        E::Foreign { .. } | E::ForeignPeer { .. } => {
            CommandError::environment(format!("the watcher's socket: {e}")).hint(
                "it is another user's watcher, or was planted there: nothing was sent to it; remove it if nobody should have made it",
            )
        }
        E::Insecure { path, .. } => CommandError::environment(format!("the watcher's socket: {e}"))
            .hint(format!(
                "nothing was sent to it; if {} is yours, `chmod 700` it, else remove it",
                path.display()
            )),
        E::WatcherRunning { pid, .. } => CommandError::refused(match pid {
            Some(pid) => format!("a watcher is already running for this repository (pid {pid})"),
            None => "a watcher is already running for this repository".to_owned(),
        })
        .hint("`trail daemon status` shows it; `trail daemon stop` stops it"),
        E::WatcherUnproven { .. } => CommandError::environment(e.to_string())
            .hint("nothing was signalled; `trail daemon status` shows the watcher"),
        _ => CommandError::environment(format!("the watcher's socket: {e}")),
    }
}

/// The error a store process reported when it could not start ([`serve`]'s
/// `error:` line), as the watcher says it.
pub(crate) fn store_process_error(e: trail_service::ServiceError) -> CommandError {
    #[derive(serde::Deserialize)]
    struct Said {
        exit: u8,
        message: String,
        hints: Vec<String>,
    }
    let trail_service::ServiceError::Refused(detail) = &e else { return service_error(e) };
    let Ok(said) = serde_json::from_str::<Said>(detail) else {
        return CommandError::environment(format!(
            "the watcher cannot serve the journal: {detail}"
        ));
    };
    let exit = match said.exit {
        1 => Exit::Refused,
        2 => Exit::Usage,
        _ => Exit::Environment,
    };
    let mut error = CommandError::new(exit, said.message);
    error.hints = said.hints;
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A work tree and an executable with spaces (and a `%`, a `$`): one
    /// path each, as systemd reads them, and `systemd-analyze verify`
    /// accepts the unit where it is installed.
    #[test]
    fn a_unit_for_paths_with_spaces_is_one_systemd_accepts() {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let workdir = tmp.path().join("my repo 100%");
        let bin = tmp.path().join("bin $dir");
        std::fs::create_dir_all(&workdir).expect("workdir");
        std::fs::create_dir_all(&bin).expect("bin");
        let exe = bin.join("trail");
        std::os::unix::fs::symlink("/bin/true", &exe).expect("an executable");
        let unit = unit_text(&workdir, &exe).expect("a unit");
        let root = tmp.path().display();
        assert!(unit.contains(&format!("\nWorkingDirectory={root}/my repo 100%%\n")), "{unit}");
        assert!(unit.contains(&format!("\nExecStart=\"{root}/bin $dir/trail\" watch\n")), "{unit}");
        assert!(unit.contains("\nStandardError=journal\n"), "{unit}");
        assert!(!unit.contains("WorkingDirectory=\""), "{unit}");
        let analyze = std::process::Command::new("systemd-analyze").arg("--version").output();
        if analyze.is_ok_and(|o| o.status.success()) {
            let file = tmp.path().join("trail-test.service");
            std::fs::write(&file, &unit).expect("the unit file");
            let verified = std::process::Command::new("systemd-analyze")
                .arg("verify")
                .arg(&file)
                .output()
                .expect("systemd-analyze runs");
            assert!(
                verified.status.success() && verified.stderr.is_empty(),
                "systemd-analyze verify: {}\n{unit}",
                String::from_utf8_lossy(&verified.stderr)
            );
        }
    }

    #[test]
    fn paths_systemd_cannot_hold_are_refused() {
        assert!(systemd_path(Path::new("/a\nb")).is_err());
        assert_eq!(
            systemd_word(Path::new("/usr/bin/trail")).ok().as_deref(),
            Some("/usr/bin/trail")
        );
        assert_eq!(systemd_word(Path::new("/a \"b\\")).ok().as_deref(), Some("\"/a \\\"b\\\\\""));
    }

    #[test]
    fn log_lines_get_their_level() {
        assert_eq!(
            log_level("trail: error: boom", Level::Info),
            (Level::Error, "trail: error: boom")
        );
        assert_eq!(log_level("  hint: do this", Level::Error), (Level::Error, "  hint: do this"));
        assert_eq!(log_level("trail: warning: w", Level::Info).0, Level::Warn);
        assert_eq!(log_level("trail: watching /x", Level::Error).0, Level::Info);
        assert_eq!(
            log_level("2026-12-07T15:00:00.123456Z DEBUG trail_cli: x y", Level::Info),
            (Level::Debug, "trail_cli: x y")
        );
        assert_eq!(log_level("thread 'main' panicked at x", Level::Info).0, Level::Error);
    }

    /// The log never holds more than twice its limit: the current file and
    /// the one before.
    #[test]
    fn the_log_is_rotated_at_its_limit() {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let path = tmp.path().join("daemon.log");
        let mut log = RotatingLog::open(path.clone(), 100).expect("the log");
        for i in 0..50 {
            log.append(format!("line {i:02} of the log, 30 bytes\n").as_bytes()).expect("written");
        }
        let current = std::fs::read_to_string(&path).expect("daemon.log");
        let previous =
            std::fs::read_to_string(tmp.path().join("daemon.log.1")).expect("daemon.log.1");
        assert!(current.len() <= 100 && previous.len() <= 100, "{current}\n{previous}");
        assert!(current.ends_with("line 49 of the log, 30 bytes\n"), "{current}");
        assert!(previous.ends_with("line 47 of the log, 30 bytes\n"), "{previous}");
        let files = std::fs::read_dir(tmp.path()).expect("listed").count();
        assert_eq!(files, 2);
    }
}
