//! The daemon's store process: started when a client comes, gone when none has
//! come for a while.
//!
//! sled 0.34 costs an open store something even when nothing happens: seven
//! I/O threads that wake every second, a flusher every 500 ms, ~28 MB of
//! tables. A watcher waits for hours between saves, so the daemon does not
//! hold the store itself. It binds the socket ([`Socket`]) and, whenever a
//! client connects while no store process runs, starts one (`trail daemon
//! serve`, hidden) that inherits the listening socket as its stdin, opens the
//! store, serves ([`crate::Server::inherited`]) and exits once no client has
//! been connected for its idle limit. A client that connects in between waits
//! in the socket's backlog until the next store process accepts it.
//!
//! Once a store process has exited after its idle limit, the next one is
//! started at once in *standby* ([`STANDBY_ENV`]): it has done its exec and
//! found the repository, but waits without the store open (no sled threads,
//! no tables, no CPU) until a client connects, and only then opens it. A
//! client after a quiet spell thus pays the open of the store, as it would
//! without the daemon, but not the start of a process; and every client goes
//! through the socket.
//!
//! The two processes share a control connection (the store process's stdout):
//! the store process writes one line, `ready` or `error: …`, once the store
//! is open or could not be (`standby` first, in standby, once it waits); the
//! daemon then writes its status object, one JSON line per change, which the
//! store process answers `status` requests with.
//! When the daemon exits, however it exits (also `kill -9`), the control
//! connection closes, and the store process stops as after a `shutdown`: it
//! answers what it is serving, flushes, closes the store and exits. sled is
//! never left open by a killed process on that path.
//!
//! Should the socket file be deleted (or moved away) under a running daemon,
//! the daemon notices at once (inotify on its directory, Linux) and binds a
//! new one at the same path; the store process that served the old one
//! finishes with its clients and exits, and the next one serves the new
//! socket. Clients never find the daemon gone while it runs.

use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::os::fd::OwnedFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::ServiceError;
use crate::server::{Ready, Socket, Stop};

/// The file that exists while a store process is there to accept clients of
/// the socket at `socket` (beside it: `<socket>.serving`), serving or in
/// standby. A client that finds the socket but not this file knows none is
/// (the daemon could not start one): rather than start one and wait for it,
/// it may open the store itself if nobody holds it (the store is free while
/// no store process runs), which is what a client without the daemon pays.
pub fn serving_marker(socket: &std::path::Path) -> std::path::PathBuf {
    let mut name = socket.as_os_str().to_owned();
    name.push(".serving");
    std::path::PathBuf::from(name)
}

/// How long a store process may take to open the store (it waits up to 10 s
/// for a hook that holds it) before the daemon gives up on it.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Set to `1` in the environment of a store process started in standby (and
/// removed from the others'): it says `standby` and calls [`standby`] before
/// it opens the store.
pub const STANDBY_ENV: &str = "TRAIL_STORE_STANDBY";

/// A store process that exits sooner than this after it said `ready` or
/// `standby` is not followed by one in standby at once, but by one started
/// when a client comes: nothing then starts processes in a loop.
const STANDBY_MIN_LIFE: Duration = Duration::from_secs(1);

/// What a store process in [`standby`] waited for.
#[derive(Debug, PartialEq, Eq)]
pub enum Standby {
    /// A client is waiting on the listening socket: open the store and serve.
    Client,
    /// The daemon's control connection ended (it stopped, or died): exit.
    Gone,
}

/// In a store process started in standby: wait, without the store open, until
/// a client is waiting on `listener` or the daemon's control connection ends.
/// The status lines the daemon sends meanwhile are read from `control`; the
/// last one is left in `status`. A control connection that ends wins over a
/// client waiting: the store process would only drain at once.
pub fn standby(
    listener: &UnixListener,
    control: &mut BufReader<UnixStream>,
    status: &mut Option<String>,
) -> io::Result<Standby> {
    use rustix::event::{PollFd, PollFlags};
    loop {
        // Lines already buffered are read first: poll does not see them.
        while control.buffer().contains(&b'\n') {
            if !read_status(control, status)? {
                return Ok(Standby::Gone);
            }
        }
        let mut fds =
            [PollFd::new(control.get_ref(), PollFlags::IN), PollFd::new(listener, PollFlags::IN)];
        match rustix::event::poll(&mut fds, None) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        if !fds[0].revents().is_empty() {
            if !read_status(control, status)? {
                return Ok(Standby::Gone);
            }
            continue;
        }
        if !fds[1].revents().is_empty() {
            return Ok(Standby::Client);
        }
    }
}

/// One status line from the control connection into `status`; `false` at its end.
fn read_status(
    control: &mut BufReader<UnixStream>,
    status: &mut Option<String>,
) -> io::Result<bool> {
    let mut line = String::new();
    if control.read_line(&mut line)? == 0 {
        return Ok(false);
    }
    let line = line.trim();
    if !line.is_empty() {
        *status = Some(line.to_owned());
    }
    Ok(true)
}

/// Starts store processes on demand for the daemon's socket. Dropping it (or
/// [`Activator::stop`]) stops the store process that runs and removes the socket.
pub struct Activator {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// Re-binds the socket should its file be deleted (Linux).
    guard: Option<JoinHandle<()>>,
}

struct Shared {
    /// The socket clients reach; replaced when its file was deleted ([`guard_loop`]).
    socket: Mutex<Socket>,
    /// Its path (the same for every socket bound).
    path: std::path::PathBuf,
    /// Wakes [`activate_loop`] when it waits for a client on a socket that
    /// was replaced.
    kick: Kick,
    stop: Stop,
    command: Box<dyn Fn() -> Command + Send + Sync>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The control connection of the store process that runs, if one does.
    control: Option<UnixStream>,
    /// The last status line, sent to each store process when it starts.
    status: String,
    /// Store processes started.
    starts: u64,
    /// Sockets bound after the first (its file was deleted under us): a
    /// store process started on an older one is told to go.
    rebinds: u64,
}

impl Activator {
    /// Start a store process at once with `command` (whose stdin and stdout
    /// are set here), so that a store that cannot be opened fails this call;
    /// from then on, start the next one in standby as soon as one has exited
    /// after serving, or, after one that failed, when a client connects.
    pub fn start(
        socket: Socket,
        command: impl Fn() -> Command + Send + Sync + 'static,
    ) -> Result<Activator, ServiceError> {
        let stop = Stop::new().map_err(|e| ServiceError::io("cannot create a socket pair", e))?;
        let kick = Kick::new().map_err(|e| ServiceError::io("cannot create a socket pair", e))?;
        // A killed watcher's marker may be left: it says nothing now.
        let _ = std::fs::remove_file(serving_marker(socket.path()));
        let path = socket.path().to_owned();
        let shared = Arc::new(Shared {
            socket: Mutex::new(socket),
            path,
            kick,
            stop,
            command: Box::new(command),
            state: Mutex::new(State::default()),
        });
        let first = match launch(&shared, false) {
            Ok(child) => (child, Instant::now()),
            Err(detail) => {
                shared.socket().remove();
                return Err(ServiceError::Refused(detail));
            }
        };
        let guard = guard(&shared);
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("trail-activate".into())
                .spawn(move || activate_loop(&shared, Some(first)))
                .map_err(|e| ServiceError::io("cannot start the activation thread", e))?
        };
        Ok(Activator { shared, thread: Some(thread), guard })
    }

    /// The status object `status` requests are answered with (the store
    /// process that runs gets it now, the next one when it starts).
    pub fn set_status(&self, status: &serde_json::Value) {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.status = status.to_string();
        let line = format!("{}\n", state.status);
        if let Some(control) = state.control.as_mut()
            && let Err(e) = control.write_all(line.as_bytes())
        {
            tracing::debug!("cannot pass the status to the store process: {e}");
        }
    }

    /// Something that, called when a client is likely soon (git wrote a
    /// commit message: the commit's hooks follow), has the store open by
    /// then, so that the hook does not wait for the open (or for a store
    /// process to start, if none is in standby). It connects to the socket
    /// as a client would, from a short-lived thread (the caller never
    /// blocks); a store process that serves already just sees a client come
    /// and go.
    pub fn prestarter(&self) -> impl FnMut() + Send + 'static {
        let path = self.shared.path.clone();
        move || {
            let path = path.clone();
            let spawned =
                std::thread::Builder::new().name("trail-prestart".into()).spawn(move || {
                    if let Err(e) = crate::path::with_address(&path, |a| UnixStream::connect(a)) {
                        tracing::debug!("cannot reach the socket to start a store process: {e}");
                    }
                });
            if let Err(e) = spawned {
                tracing::debug!("cannot start a store process early: {e}");
            }
        }
    }

    /// How many store processes were started so far.
    pub fn starts(&self) -> u64 {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner()).starts
    }

    /// Stop: the store process that runs answers what it serves, flushes and
    /// exits; none is started again; the socket file is removed. Returns once
    /// all that is done.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let Some(thread) = self.thread.take() else { return };
        self.shared.stop.request();
        if let Some(control) =
            self.shared.state.lock().unwrap_or_else(|p| p.into_inner()).control.as_ref()
        {
            let _ = control.shutdown(std::net::Shutdown::Both);
        }
        if thread.join().is_err() {
            tracing::error!("the activation thread panicked");
        }
        if let Some(guard) = self.guard.take()
            && guard.join().is_err()
        {
            tracing::error!("the socket's guard thread panicked");
        }
        let _ = std::fs::remove_file(serving_marker(&self.shared.path));
        self.shared.socket().remove();
    }
}

impl Drop for Activator {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Wait for the store process that runs to exit; then start the next one:
/// in standby at once after one that ended well, otherwise when the next
/// client comes; until the stop.
fn activate_loop(shared: &Shared, mut running: Option<(Child, Instant)>) {
    loop {
        let mut standby_next = false;
        if let Some((mut child, started)) = running.take() {
            let exit = child.wait();
            let _ = std::fs::remove_file(serving_marker(&shared.path));
            let control = shared.state.lock().unwrap_or_else(|p| p.into_inner()).control.take();
            match exit {
                Ok(status) if status.success() => {
                    tracing::debug!("the store process {} exited", child.id());
                    standby_next = started.elapsed() >= STANDBY_MIN_LIFE;
                }
                Ok(status) => {
                    // A store process in standby that could not open the store
                    // when a client came said why on the control connection.
                    let said = control.map(|c| last_words(&c)).unwrap_or_default();
                    tracing::warn!("the store process {} exited with {status}{said}", child.id());
                    // Those waiting are let go: they open the store themselves,
                    // which says what is wrong with it.
                    refuse_waiting(shared);
                }
                Err(e) => tracing::warn!("cannot wait for the store process: {e}"),
            }
        }
        if shared.stop.is_requested() {
            return;
        }
        if !standby_next {
            // A copy of the listener: the guard may replace the socket while
            // this waits, and then kicks.
            let listener = match shared.socket().listener().try_clone() {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::error!("cannot wait for clients: {e}");
                    return;
                }
            };
            match shared.stop.ready_any(&[&listener, &shared.kick.rx], None) {
                Ok(Some((Ready::Fd, 0))) => {}
                Ok(Some((Ready::Stop, _))) => return,
                Ok(_) => {
                    shared.kick.drain();
                    continue;
                }
                Err(e) => {
                    tracing::error!("cannot wait for clients: {e}");
                    return;
                }
            }
        }
        match launch(shared, standby_next) {
            Ok(child) => running = Some((child, Instant::now())),
            Err(detail) => {
                tracing::error!("cannot start the store process: {detail}");
                // Those waiting are let go: they find no daemon and open the
                // store themselves, which says what is wrong with it.
                refuse_waiting(shared);
            }
        }
    }
}

/// What a store process that failed said after its first line (`: …`, the
/// message of its `error: {json}` line), if anything.
fn last_words(control: &UnixStream) -> String {
    let _ = control.set_read_timeout(Some(Duration::from_millis(100)));
    let mut rest = String::new();
    let _ = control.take(64 * 1024).read_to_string(&mut rest);
    let Some(said) = rest.lines().rev().find_map(|l| l.strip_prefix("error: ")) else {
        return String::new();
    };
    let message = serde_json::from_str::<serde_json::Value>(said)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned));
    format!(": {}", message.as_deref().unwrap_or(said))
}

/// Start a store process and wait until it says the store is open (or, in
/// `standby`, that it waits for a client).
fn launch(shared: &Shared, standby: bool) -> Result<Child, String> {
    let (ours, theirs) =
        UnixStream::pair().map_err(|e| format!("cannot create a socket pair: {e}"))?;
    let generation = shared.state.lock().unwrap_or_else(|p| p.into_inner()).rebinds;
    let listener = shared
        .socket()
        .listener()
        .try_clone()
        .map_err(|e| format!("cannot share the listening socket: {e}"))?;
    let mut command = (shared.command)();
    command.stdin(Stdio::from(OwnedFd::from(listener))).stdout(Stdio::from(OwnedFd::from(theirs)));
    // Set or removed: a value in the watcher's own environment must not decide.
    if standby {
        command.env(STANDBY_ENV, "1");
    } else {
        command.env_remove(STANDBY_ENV);
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start it: {e}"))?;
    drop(command);
    let said = ours
        .set_read_timeout(Some(STARTUP_TIMEOUT))
        .and_then(|()| {
            // One line, byte by byte: nothing after it may be taken from the socket.
            let mut line = Vec::new();
            let mut reader = BufReader::with_capacity(1, &ours);
            reader.read_until(b'\n', &mut line)?;
            Ok(String::from_utf8_lossy(&line).trim().to_owned())
        })
        .unwrap_or_else(|e| format!("error: no answer ({e})"));
    let expected = if standby { "standby" } else { "ready" };
    if said != expected {
        // Not killed while it may hold the store: its control connection
        // closes, which stops it once it is up; only one that does not exit
        // within STARTUP_TIMEOUT more is killed.
        drop(ours);
        let exit = wait_or_kill(&mut child, STARTUP_TIMEOUT);
        let said = said.strip_prefix("error: ").unwrap_or(&said);
        return Err(match said.is_empty() {
            true => format!("it exited ({exit}) before the store was open"),
            false => said.to_owned(),
        });
    }
    let _ = ours.set_read_timeout(None);
    let _ = ours.set_write_timeout(Some(Duration::from_secs(1)));
    let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    state.starts += 1;
    if !state.status.is_empty() {
        let line = format!("{}\n", state.status);
        if let Err(e) = (&ours).write_all(line.as_bytes()) {
            tracing::debug!("cannot pass the status to the store process: {e}");
        }
    }
    // A stop requested while this one started, or a socket replaced (this
    // one serves the old): it must see it too, and go.
    if shared.stop.is_requested() || state.rebinds != generation {
        let _ = ours.shutdown(std::net::Shutdown::Both);
    }
    state.control = Some(ours);
    let marker = serving_marker(&shared.path);
    if let Err(e) = std::fs::write(&marker, format!("{}\n", child.id())) {
        tracing::debug!("cannot write {}: {e}", marker.display());
    }
    Ok(child)
}

/// Wait for `child` to exit, up to `limit`; then kill it.
fn wait_or_kill(child: &mut Child, limit: Duration) -> String {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                return child.wait().map(|s| s.to_string()).unwrap_or_default();
            }
        }
    }
}

/// Accept and close every connection waiting in the backlog.
fn refuse_waiting(shared: &Shared) {
    let socket = shared.socket();
    loop {
        match socket.listener().accept() {
            Ok((stream, _)) => drop(stream),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

impl Shared {
    fn socket(&self) -> std::sync::MutexGuard<'_, Socket> {
        self.socket.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A wake-up that can be given any number of times: a socket pair whose
/// reading end is readable while a byte waits.
struct Kick {
    tx: UnixStream,
    rx: UnixStream,
}

impl Kick {
    fn new() -> io::Result<Kick> {
        let (tx, rx) = UnixStream::pair()?;
        tx.set_nonblocking(true)?;
        rx.set_nonblocking(true)?;
        Ok(Kick { tx, rx })
    }

    fn notify(&self) {
        // A full buffer already wakes the reader.
        let _ = (&self.tx).write(&[1]);
    }

    fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.rx).read(&mut buf), Ok(n) if n > 0) {}
    }
}

/// Start the thread that binds the socket again should its file go away.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn guard(shared: &Arc<Shared>) -> Option<JoinHandle<()>> {
    use rustix::fs::inotify;
    let (Some(dir), Some(name)) = (shared.path.parent(), shared.path.file_name()) else {
        return None;
    };
    let watching = inotify::init(inotify::CreateFlags::CLOEXEC | inotify::CreateFlags::NONBLOCK)
        .and_then(|fd| {
            inotify::add_watch(
                &fd,
                dir,
                inotify::WatchFlags::DELETE
                    | inotify::WatchFlags::MOVED_FROM
                    | inotify::WatchFlags::ONLYDIR,
            )?;
            Ok(fd)
        });
    let fd = match watching {
        Ok(fd) => fd,
        Err(e) => {
            tracing::warn!(
                "cannot watch {} (a deleted socket will not be bound again): {e}",
                dir.display()
            );
            return None;
        }
    };
    let name = name.to_owned();
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("trail-socket-guard".into())
        .spawn(move || guard_loop(&shared, &fd, &name))
        .map_err(|e| tracing::warn!("cannot start the socket's guard thread: {e}"))
        .ok()
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn guard(_shared: &Arc<Shared>) -> Option<JoinHandle<()>> {
    None
}

/// Wait (no timer) for the socket's directory to lose an entry named like
/// the socket; when the socket file is then gone, bind a new one, let the
/// store process serving the old one finish, and wake [`activate_loop`].
#[cfg(any(target_os = "linux", target_os = "android"))]
fn guard_loop(shared: &Shared, inotify: &std::os::fd::OwnedFd, name: &std::ffi::OsStr) {
    use std::os::unix::ffi::OsStrExt as _;
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 4096];
    loop {
        match shared.stop.ready_any(&[inotify], None) {
            Ok(Some((Ready::Fd, _))) => {}
            Ok(_) => return,
            Err(e) => {
                tracing::error!("cannot watch the socket's directory: {e}");
                return;
            }
        }
        let mut ours = false;
        let mut reader = rustix::fs::inotify::Reader::new(inotify, &mut buf);
        loop {
            match reader.next() {
                Ok(event) => {
                    // A lost event may have been ours: look.
                    ours |= event.events().contains(rustix::fs::inotify::ReadFlags::QUEUE_OVERFLOW)
                        || event.file_name().is_some_and(|n| n.to_bytes() == name.as_bytes());
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => break,
            }
        }
        if !ours || shared.stop.is_requested() || shared.socket().in_place() {
            continue;
        }
        let path = &shared.path;
        if std::fs::symlink_metadata(path).is_ok() {
            // Something else took its place: not ours to remove. Clients
            // refuse it unless it is ours (and then it is a daemon of ours).
            tracing::warn!(
                "the socket {} was replaced by another file; clients no longer reach this watcher",
                path.display()
            );
            continue;
        }
        let socket = {
            let current = shared.socket();
            match current.rebind() {
                Ok(socket) => socket,
                Err(e) => {
                    tracing::error!(
                        "the socket {} was deleted and cannot be bound again: {e}",
                        path.display()
                    );
                    continue;
                }
            }
        };
        tracing::warn!("the socket {} was deleted: bound a new one", path.display());
        *shared.socket() = socket;
        let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.rebinds += 1;
        // The store process that runs serves the old socket, which nobody can
        // reach any more: it finishes with its clients and exits, and the
        // next one is started on the new socket.
        if let Some(control) = state.control.as_ref() {
            let _ = control.shutdown(std::net::Shutdown::Both);
        }
        drop(state);
        shared.kick.notify();
    }
}
