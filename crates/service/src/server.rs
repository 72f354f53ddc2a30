//! The daemon's side: the socket, one thread per connection, one writer thread.

use std::collections::HashMap;
use std::io::{self, Read as _, Write as _};
use std::iter::Peekable;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use trail_journal::{AppendError, Appended, Draft, LogStore, ReadError, SledStore};

use crate::protocol::{
    self, B64, Bytes, Item, MAX_CURSORS, MAX_FRAME, PAGE_BYTES, PAGE_ITEMS, PROTOCOL, Request,
    Response, WireAppendError, WireReadError,
};
use crate::{Client, ServiceError, socket_path};

/// The most drafts one group commit gathers from the queue. A request larger
/// than this still goes in one piece (it must stay atomic). sled transactions
/// grow costlier per write as they grow (crates/cli import.rs measured 500 as
/// the sweet spot), and a bounded batch bounds every waiter's latency.
const MAX_BATCH_DRAFTS: usize = 1000;
/// While a frame is arriving, how often its reader looks at its deadline; and
/// how long the accept loop pauses after a failed accept (EMFILE). Nothing
/// waits with a timeout while idle: idle threads block until a client writes
/// or [`Stop::request`] is called.
const POLL: Duration = Duration::from_millis(50);
/// A frame must arrive whole within this time once it started.
const FRAME_DEADLINE: Duration = Duration::from_secs(10);
/// A client that does not read its answers for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 512;
/// How long a draining server ([`Server::drainer`]) waits for its clients to
/// hang up before it stops anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// What the writer thread is asked.
enum WriterMsg {
    Append(Job),
    /// Finish what is queued, then exit.
    Stop,
}

struct Job {
    drafts: Vec<Draft>,
    reply: mpsc::SyncSender<Result<Vec<Appended>, AppendError>>,
}

/// Counters the `status` request reports under `"service"`.
#[derive(Default)]
struct Stats {
    connections: AtomicU64,
    requests: AtomicU64,
    bad_requests: AtomicU64,
    append_requests: AtomicU64,
    store_appends: AtomicU64,
    records_appended: AtomicU64,
    pages: AtomicU64,
}

#[derive(Serialize)]
struct StatsSnapshot {
    protocol: u32,
    connections: u64,
    requests: u64,
    bad_requests: u64,
    /// Append requests received (socket and [`Appender`] alike).
    append_requests: u64,
    /// `store.append` calls the writer made: fewer than `append_requests` when
    /// group commit gathered concurrent requests.
    store_appends: u64,
    records_appended: u64,
    /// Pages of streams served.
    pages: u64,
}

impl Stats {
    fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            protocol: PROTOCOL,
            connections: get(&self.connections),
            requests: get(&self.requests),
            bad_requests: get(&self.bad_requests),
            append_requests: get(&self.append_requests),
            store_appends: get(&self.store_appends),
            records_appended: get(&self.records_appended),
            pages: get(&self.pages),
        }
    }
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// Appends through the daemon's writer: same group commit, same order as the
/// appends that arrive over the socket. Cheap to clone.
#[derive(Clone)]
pub struct Appender {
    tx: mpsc::Sender<WriterMsg>,
    stats: Arc<Stats>,
}

impl Appender {
    /// Append `drafts` as one atomic batch; returns once they are durable (the
    /// writer's `store.append`, which flushes, returned). After the server
    /// stopped, every append fails with `AppendError::Remote`.
    pub fn append(&self, drafts: Vec<Draft>) -> Result<Vec<Appended>, AppendError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        bump(&self.stats.append_requests, 1);
        let (reply, answer) = mpsc::sync_channel(1);
        self.tx
            .send(WriterMsg::Append(Job { drafts, reply }))
            .map_err(|_| AppendError::Remote("the trail service has stopped".into()))?;
        answer.recv().map_err(|_| {
            AppendError::Remote(
                "the trail service stopped before answering; the records may or may not have been written"
                    .into(),
            )
        })?
    }
}

/// A request to stop the server that idle threads wait for without polling:
/// a flag, and a socket pair whose reading end becomes readable (and stays so,
/// it is never drained) once the stop is requested. Cheap to clone.
#[derive(Clone)]
pub struct Stop(Arc<StopInner>);

struct StopInner {
    requested: AtomicBool,
    tx: UnixStream,
    rx: UnixStream,
}

impl Stop {
    pub(crate) fn new() -> io::Result<Stop> {
        let (tx, rx) = UnixStream::pair()?;
        tx.set_nonblocking(true)?;
        Ok(Stop(Arc::new(StopInner { requested: AtomicBool::new(false), tx, rx })))
    }

    /// Ask the server to stop (see [`Server::run`]). Safe to call from any
    /// thread, any number of times; it does not wait.
    pub fn request(&self) {
        if !self.0.requested.swap(true, Ordering::SeqCst) {
            // One byte, written once: the pipe can never fill. Should the write
            // fail, the flag is still set; threads blocked in `wait` would then
            // wait for their next client, which is why it is logged.
            if let Err(e) = (&self.0.tx).write(&[1]) {
                tracing::error!("cannot wake the server's threads to stop: {e}");
            }
        }
    }

    /// Whether the stop was requested.
    pub fn is_requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    /// Block until the stop is requested.
    fn wait(&self) {
        while !self.is_requested() {
            if let Err(e) = self.ready(None) {
                // Only a transient ENOMEM is possible here: try again soon.
                tracing::warn!("cannot wait for the stop request: {e}");
                std::thread::sleep(POLL);
            }
        }
    }

    /// Block until `fd` is readable (or hung up) or the stop is requested;
    /// the stop wins when both are. `fd: None` waits for the stop alone.
    fn ready(&self, fd: Option<&dyn AsFd>) -> io::Result<Ready> {
        loop {
            if let Some(ready) = self.ready_within(fd, None)? {
                return Ok(ready);
            }
        }
    }

    /// [`Stop::ready`], giving up after `timeout` (`Ok(None)`; no timeout: never).
    pub(crate) fn ready_within(
        &self,
        fd: Option<&dyn AsFd>,
        timeout: Option<Duration>,
    ) -> io::Result<Option<Ready>> {
        let fds: Vec<&dyn AsFd> = fd.into_iter().collect();
        Ok(self.ready_any(&fds, timeout)?.map(|ready| match ready {
            (Ready::Stop, _) => Ready::Stop,
            (Ready::Fd, _) => Ready::Fd,
        }))
    }

    /// [`Stop::ready_within`] for several descriptors: which one is readable
    /// (the first, when several are).
    pub(crate) fn ready_any(
        &self,
        watched: &[&dyn AsFd],
        timeout: Option<Duration>,
    ) -> io::Result<Option<(Ready, usize)>> {
        use rustix::event::{PollFd, PollFlags, Timespec};
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let mut fds = vec![PollFd::new(&self.0.rx, PollFlags::IN)];
            fds.extend(
                watched.iter().map(|fd| PollFd::from_borrowed_fd(fd.as_fd(), PollFlags::IN)),
            );
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let wait = left.map(|left| Timespec {
                tv_sec: left.as_secs() as _,
                tv_nsec: left.subsec_nanos() as _,
            });
            let woke = match rustix::event::poll(&mut fds, wait.as_ref()) {
                Ok(n) => n,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            };
            if !fds[0].revents().is_empty() || self.is_requested() {
                return Ok(Some((Ready::Stop, 0)));
            }
            if let Some(at) = fds.iter().skip(1).position(|f| !f.revents().is_empty()) {
                return Ok(Some((Ready::Fd, at)));
            }
            if woke == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
    }
}

/// What [`Stop::ready_within`] woke up for.
pub(crate) enum Ready {
    /// The stop was requested.
    Stop,
    /// The descriptor is readable (or hung up).
    Fd,
}

/// The daemon's listening socket, bound by the process that stays (the
/// watcher) and handed to each store process it starts ([`Server::inherited`]):
/// a client that connects while no store process runs waits in the backlog
/// until the next one accepts it.
pub struct Socket {
    listener: UnixListener,
    path: PathBuf,
    identity: (u64, u64),
}

impl Socket {
    /// Bind the socket of `trail_dir` ([`socket_path`]), non-blocking, mode
    /// 0600. A socket file of ours nobody answers on is stale and is
    /// replaced; if a daemon answers, this fails with
    /// [`ServiceError::AlreadyRunning`]. Another user's socket in its place
    /// is [`ServiceError::Foreign`] and is left alone; a fallback directory
    /// is created private, or must be ([`ServiceError::Insecure`]).
    ///
    /// The caller should hold the [`crate::WatcherLock`]: a socket file says
    /// nothing about whether a daemon runs (it can be deleted under one).
    pub fn bind(trail_dir: &Path) -> Result<Socket, ServiceError> {
        Socket::bind_at(socket_path(trail_dir), false)
    }

    /// [`Socket::bind`] for the watcher, which holds the journal's watcher
    /// lock: a socket of ours that still answers can then only be served by
    /// the store process of a watcher that died (it finishes its clients and
    /// exits), and is replaced rather than taken for a running watcher.
    pub fn bind_for_watcher(trail_dir: &Path) -> Result<Socket, ServiceError> {
        Socket::bind_at(socket_path(trail_dir), true)
    }

    /// Bind a new socket at this one's path (its file was deleted or moved
    /// away): the same checks as [`Socket::bind`].
    pub fn rebind(&self) -> Result<Socket, ServiceError> {
        Socket::bind_at(self.path.clone(), false)
    }

    fn bind_at(path: PathBuf, orphans_replaced: bool) -> Result<Socket, ServiceError> {
        if let Some(dir) = crate::path::in_private_dir(&path) {
            crate::path::ensure_private_dir(dir)?;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_socket() => {
                let ours = rustix::process::geteuid().as_raw();
                if meta.uid() != ours {
                    return Err(ServiceError::Foreign { path, owner: meta.uid(), ours });
                }
                if !orphans_replaced && Client::connect_to(&path)?.is_some() {
                    return Err(ServiceError::AlreadyRunning { path });
                }
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(ServiceError::io(
                            format!("cannot remove the stale socket {}", path.display()),
                            e,
                        ));
                    }
                }
            }
            Ok(_) => return Err(ServiceError::NotASocket { path }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ServiceError::io(format!("cannot inspect {}", path.display()), e));
            }
        }
        let listener = crate::path::with_address(&path, |address| UnixListener::bind(address))
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AddrInUse {
                    ServiceError::AlreadyRunning { path: path.clone() }
                } else {
                    ServiceError::io(format!("cannot bind {}", path.display()), e)
                }
            })?;
        // Only our own user may connect; accepted connections are checked
        // again by their peer's uid, and clients check the file's owner and
        // ours.
        let meta = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .and_then(|()| std::fs::symlink_metadata(&path))
            .map_err(|e| ServiceError::io(format!("cannot secure {}", path.display()), e))?;
        // Non-blocking: `accept` is called only once poll says a client is
        // there, and must not block should that client have gone again.
        listener
            .set_nonblocking(true)
            .map_err(|e| ServiceError::io(format!("cannot set up {}", path.display()), e))?;
        Ok(Socket { listener, path, identity: (meta.dev(), meta.ino()) })
    }

    pub fn listener(&self) -> &UnixListener {
        &self.listener
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the socket file is still the one bound here (not deleted,
    /// not replaced).
    pub fn in_place(&self) -> bool {
        std::fs::symlink_metadata(&self.path)
            .is_ok_and(|meta| (meta.dev(), meta.ino()) == self.identity)
    }

    /// Remove the socket file if it is still the one we bound.
    pub fn remove(&self) {
        remove_if_ours(&self.path, self.identity);
    }
}

fn remove_if_ours(path: &Path, identity: (u64, u64)) {
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && (meta.dev(), meta.ino()) == identity
        && let Err(e) = std::fs::remove_file(path)
    {
        tracing::warn!("cannot remove {}: {e}", path.display());
    }
}

/// How a store process started by the daemon serves ([`Server::inherited`]).
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// The pid to name in the greeting (the daemon's).
    pub pid: u32,
    /// Stop once no client has been connected for this long.
    pub idle_exit: Option<Duration>,
}

/// The daemon's server: owns the socket and the writer thread.
pub struct Server {
    /// Closed as soon as the stop is requested, so that a client connecting
    /// afterwards is refused at once rather than left waiting in the backlog.
    listener: Option<UnixListener>,
    path: PathBuf,
    /// dev and inode of the socket we bound, so that we remove only our own;
    /// `None` for an inherited socket, which its owner removes.
    identity: Option<(u64, u64)>,
    /// The pid the greeting names: the daemon's, also when a store process
    /// it started serves ([`Server::inherited`]).
    pid: u32,
    /// Stop once no client has been connected for this long.
    idle_exit: Option<Duration>,
    store: Arc<SledStore>,
    tx: mpsc::Sender<WriterMsg>,
    writer: Option<JoinHandle<()>>,
    stats: Arc<Stats>,
    status: Arc<Mutex<serde_json::Value>>,
    /// Set by the writer when a flush failed: the daemon must stop.
    failure: Arc<Mutex<Option<String>>>,
    stop: Stop,
    /// A gentler stop: accept no more clients, serve those connected until
    /// they hang up, then stop.
    drain: Stop,
}

impl Server {
    /// Bind the socket of `trail_dir` ([`socket_path`]) and start the writer
    /// thread (so an [`Appender`] works from here on). A socket file nobody
    /// answers on is stale and is replaced; if a daemon answers, this fails with
    /// [`ServiceError::AlreadyRunning`].
    pub fn bind(trail_dir: &Path, store: Arc<SledStore>) -> Result<Server, ServiceError> {
        let socket = Socket::bind(trail_dir)?;
        let identity = Some(socket.identity);
        let listener = socket
            .listener
            .try_clone()
            .map_err(|e| ServiceError::io(format!("cannot set up {}", socket.path.display()), e))?;
        Server::start(listener, socket.path.clone(), identity, std::process::id(), None, store)
    }

    /// Serve on a socket another process bound and handed over (the daemon
    /// starts a store process on the first client, see [`Socket`]): the
    /// greeting names `options.pid`, the socket file is left to its owner,
    /// and with `options.idle_exit` the server stops by itself once no
    /// client has been connected for that long.
    pub fn inherited(
        listener: UnixListener,
        trail_dir: &Path,
        options: ServeOptions,
        store: Arc<SledStore>,
    ) -> Result<Server, ServiceError> {
        let path = socket_path(trail_dir);
        listener
            .set_nonblocking(true)
            .map_err(|e| ServiceError::io(format!("cannot set up {}", path.display()), e))?;
        Server::start(listener, path, None, options.pid, options.idle_exit, store)
    }

    fn start(
        listener: UnixListener,
        path: PathBuf,
        identity: Option<(u64, u64)>,
        pid: u32,
        idle_exit: Option<Duration>,
        store: Arc<SledStore>,
    ) -> Result<Server, ServiceError> {
        let stop = Stop::new().map_err(|e| ServiceError::io("cannot create a socket pair", e))?;
        let drain = Stop::new().map_err(|e| ServiceError::io("cannot create a socket pair", e))?;
        let stats = Arc::new(Stats::default());
        let failure = Arc::new(Mutex::new(None));
        let (tx, rx) = mpsc::channel();
        let writer = {
            let store = Arc::clone(&store);
            let stats = Arc::clone(&stats);
            let failure = Arc::clone(&failure);
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("trail-writer".into())
                .spawn(move || write_loop(&store, &rx, &stats, &failure, &stop))
                .map_err(|e| ServiceError::io("cannot start the writer thread", e))?
        };
        Ok(Server {
            listener: Some(listener),
            path,
            identity,
            pid,
            idle_exit,
            store,
            tx,
            writer: Some(writer),
            stats,
            status: Arc::new(Mutex::new(serde_json::Value::Object(Default::default()))),
            failure,
            stop,
            drain,
        })
    }

    /// The handle that stops [`Server::run`]; a client's `shutdown` request
    /// and a failed flush use it too.
    pub fn stopper(&self) -> Stop {
        self.stop.clone()
    }

    /// The handle that stops [`Server::run`] gently: no client is accepted
    /// any more (this server's handle on the socket closes at once: when it
    /// is the last one, a new client is refused rather than left waiting),
    /// each connected one is served until it hangs up (for at most 5 s), then
    /// the server stops as with [`Server::stopper`]. A store process whose
    /// daemon is gone stops this way: its clients finish their command.
    pub fn drainer(&self) -> Stop {
        self.drain.clone()
    }

    /// The socket this server listens on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A handle that appends through this server's writer.
    pub fn appender(&self) -> Appender {
        Appender { tx: self.tx.clone(), stats: Arc::clone(&self.stats) }
    }

    /// The JSON object a `status` request returns; the daemon fills it (pid,
    /// uptime, its own counters). The server adds its counters under
    /// `"service"` (when the value is an object).
    pub fn status_handle(&self) -> Arc<Mutex<serde_json::Value>> {
        Arc::clone(&self.status)
    }

    /// Serve until the stop is requested ([`Server::stopper`], or a client's
    /// `shutdown` request): one thread per connection; every append goes
    /// through the one writer thread. Idle, every thread blocks (on the
    /// socket, a client, the writer's queue, or the stop) with no timeout: an
    /// idle daemon uses no CPU.
    ///
    /// On shutdown: stop accepting; let each connection finish the request it
    /// is serving (a frame still arriving gets 10 s) and then close it (a
    /// request its client sent but the server had not read yet is not carried
    /// out: that client sees the connection close); let the writer append and
    /// flush whatever is queued (from [`Appender`]s too); remove the socket;
    /// and tell the clients that asked for the shutdown that it is done.
    /// Returns after all that.
    ///
    /// A failed flush stops the server the same way (a store that cannot
    /// flush can acknowledge nothing), and `run` then returns
    /// [`ServiceError::Flush`].
    pub fn run(mut self) -> Result<(), ServiceError> {
        let waiters: Arc<Mutex<Vec<UnixStream>>> = Arc::default();
        let active = Arc::new((
            Mutex::new(Activity { count: 0, idle_since: Instant::now() }),
            Condvar::new(),
        ));
        let context = Arc::new(Context {
            store: Arc::clone(&self.store),
            appender: self.appender(),
            stats: Arc::clone(&self.stats),
            status: Arc::clone(&self.status),
            stop: self.stop.clone(),
            waiters: Arc::clone(&waiters),
            uid: rustix::process::geteuid().as_raw(),
            pid: self.pid,
            idle_exit: self.idle_exit,
            drain: self.drain.clone(),
        });
        let listener = match self.listener.take() {
            Some(listener) => listener,
            None => {
                return Err(ServiceError::io("cannot serve", io::ErrorKind::NotConnected.into()));
            }
        };
        let acceptor = {
            let active = Arc::clone(&active);
            let context = Arc::clone(&context);
            std::thread::Builder::new()
                .name("trail-accept".into())
                .spawn(move || accept_loop(listener, &context, &active))
                .map_err(|e| ServiceError::io("cannot start the accept thread", e))?
        };

        // A failed flush requests the stop too (see `write_loop`): a store that
        // cannot flush cannot acknowledge anything, so callers must open the
        // store themselves and see the error.
        self.stop.wait();

        // The accept thread held the listening socket; it is closed now.
        if acceptor.join().is_err() {
            tracing::error!("the accept thread panicked");
        }
        {
            let (activity, idle) = &*active;
            let mut activity = activity.lock().unwrap_or_else(|p| p.into_inner());
            while activity.count > 0 {
                activity = idle.wait(activity).unwrap_or_else(|p| p.into_inner());
            }
        }
        let writer = self.stop_writer();
        self.remove_socket();
        for waiter in waiters.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = send(&waiter, &Response::Stopped);
        }
        writer?;
        match self.failed() {
            Some(detail) => Err(ServiceError::Flush(detail)),
            None => Ok(()),
        }
    }

    fn failed(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn stop_writer(&mut self) -> Result<(), ServiceError> {
        let Some(writer) = self.writer.take() else { return Ok(()) };
        let _ = self.tx.send(WriterMsg::Stop);
        writer.join().map_err(|_| ServiceError::WriterPanicked)
    }

    /// Remove the socket file if it is still the one we bound.
    fn remove_socket(&self) {
        if let Some(identity) = self.identity {
            remove_if_ours(&self.path, identity);
        }
    }
}

impl Drop for Server {
    /// A server that was bound but never run (or whose run failed early) still
    /// finishes queued appends and leaves no socket behind.
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.stop_writer();
            self.remove_socket();
        }
    }
}

/// What every connection thread shares.
struct Context {
    store: Arc<SledStore>,
    appender: Appender,
    stats: Arc<Stats>,
    status: Arc<Mutex<serde_json::Value>>,
    stop: Stop,
    /// Connections that asked for the shutdown and wait for [`Response::Stopped`].
    waiters: Arc<Mutex<Vec<UnixStream>>>,
    uid: u32,
    pid: u32,
    idle_exit: Option<Duration>,
    drain: Stop,
}

/// The connections being served, and since when none has been.
struct Activity {
    count: usize,
    idle_since: Instant,
}

type Active = Arc<(Mutex<Activity>, Condvar)>;

/// One connection being served; dropping it counts the connection out.
struct ActiveGuard(Active);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        let (activity, idle) = &*self.0;
        let mut activity = activity.lock().unwrap_or_else(|p| p.into_inner());
        activity.count = activity.count.saturating_sub(1);
        if activity.count == 0 {
            activity.idle_since = Instant::now();
        }
        idle.notify_all();
    }
}

fn accept_loop(listener: UnixListener, context: &Arc<Context>, active: &Active) {
    loop {
        // With an idle limit, wake when it may have passed: no client for that
        // long stops the server (this thread then closes the socket on return,
        // and a later client waits in the backlog for the daemon's next store
        // process).
        // While clients are connected the limit cannot pass: look again a
        // limit later (the last one to leave resets the clock).
        let timeout = context.idle_exit.map(|limit| {
            let activity = active.0.lock().unwrap_or_else(|p| p.into_inner());
            if activity.count > 0 {
                limit
            } else {
                limit.saturating_sub(activity.idle_since.elapsed()).max(Duration::from_millis(10))
            }
        });
        let drain: &dyn AsFd = &context.drain.0.rx;
        match context.stop.ready_any(&[&listener, drain], timeout) {
            Ok(Some((Ready::Stop, _))) => return,
            Ok(Some((Ready::Fd, 0))) => {}
            Ok(Some((Ready::Fd, _))) => {
                // Draining: the socket closes now (this thread holds it); the
                // stop comes once the last connection is gone, or after
                // DRAIN_LIMIT whatever a client holds open (a `trail log` in a
                // pager): its connection then closes after its request, as
                // with any stop.
                drop(listener);
                let deadline = Instant::now() + DRAIN_LIMIT;
                let (activity, idle) = &**active;
                let mut activity = activity.lock().unwrap_or_else(|p| p.into_inner());
                while activity.count > 0 && !context.stop.is_requested() {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    activity =
                        idle.wait_timeout(activity, left).unwrap_or_else(|p| p.into_inner()).0;
                }
                context.stop.request();
                return;
            }
            Ok(None) => {
                let activity = active.0.lock().unwrap_or_else(|p| p.into_inner());
                if context.idle_exit.is_some_and(|limit| {
                    activity.count == 0 && activity.idle_since.elapsed() >= limit
                }) {
                    tracing::debug!("no client for {:?}: stopping", context.idle_exit);
                    context.stop.request();
                    return;
                }
                continue;
            }
            Err(e) => {
                // Cannot happen with valid descriptors; stop rather than spin.
                tracing::error!("cannot wait for connections: {e}");
                return;
            }
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // The client left before we got to it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => {
                // EMFILE and friends: pause rather than spin.
                tracing::warn!("accept failed: {e}");
                std::thread::sleep(POLL);
                continue;
            }
        };
        if let Err(e) = stream.set_nonblocking(false) {
            tracing::warn!("cannot set up a connection: {e}");
            continue;
        }
        match rustix::net::sockopt::socket_peercred(&stream) {
            Ok(cred) if cred.uid.as_raw() == context.uid || cred.uid.is_root() => {}
            Ok(cred) => {
                tracing::warn!("refused a connection from uid {}", cred.uid.as_raw());
                continue;
            }
            Err(e) => {
                tracing::warn!("cannot check a connection's peer: {e}");
                continue;
            }
        }
        {
            let (activity, idle) = &**active;
            let mut activity = activity.lock().unwrap_or_else(|p| p.into_inner());
            while activity.count >= MAX_CONNECTIONS {
                activity = idle.wait(activity).unwrap_or_else(|p| p.into_inner());
            }
            activity.count += 1;
        }
        bump(&context.stats.connections, 1);
        let context_for_thread = Arc::clone(context);
        let active_for_thread = Arc::clone(active);
        let spawned = std::thread::Builder::new().name("trail-conn".into()).spawn(move || {
            // Counted out even if serving panics, or `run` would wait forever.
            let _active = ActiveGuard(active_for_thread);
            serve_connection(stream, &context_for_thread);
            // Let go of the store before being counted out: once `run` has
            // seen the last connection go, the store may be closed.
            drop(context_for_thread);
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot start a connection thread: {e}");
            drop(ActiveGuard(Arc::clone(active)));
        }
    }
}

/// The writer thread: gather queued appends into one `store.append` each.
fn write_loop(
    store: &SledStore,
    rx: &mpsc::Receiver<WriterMsg>,
    stats: &Stats,
    failure: &Mutex<Option<String>>,
    stop: &Stop,
) {
    let mut stopping = false;
    loop {
        let first = if stopping { rx.try_recv().ok() } else { rx.recv().ok() };
        let Some(first) = first else { return };
        let mut jobs = Vec::new();
        let mut drafts = 0usize;
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                WriterMsg::Stop => stopping = true,
                WriterMsg::Append(job) => {
                    drafts += job.drafts.len();
                    jobs.push(job);
                }
            }
            if drafts < MAX_BATCH_DRAFTS {
                next = rx.try_recv().ok();
            }
        }
        if !jobs.is_empty()
            && let Err(detail) = commit(store, jobs, stats)
        {
            tracing::error!("the journal could not be flushed: {detail}");
            failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(detail);
            stop.request();
        }
    }
}

/// Append the drafts of all `jobs` in one call and answer each job with its own
/// share. If that call fails before writing anything, each job is tried on its
/// own so that one bad request cannot fail the others; a failed flush is
/// reported to all (their records may be written: trying again could write
/// them twice) and returned, for it stops the daemon.
fn commit(store: &SledStore, jobs: Vec<Job>, stats: &Stats) -> Result<(), String> {
    let mut flush_failure = None;
    let mut append = |drafts: Vec<Draft>| {
        bump(&stats.store_appends, 1);
        let n = drafts.len() as u64;
        let result = store.append(drafts);
        match &result {
            Ok(_) => bump(&stats.records_appended, n),
            Err(e @ AppendError::Flush(_)) => flush_failure = Some(e.to_string()),
            Err(_) => {}
        }
        result
    };
    if let [_] = jobs.as_slice() {
        for job in jobs {
            let _ = job.reply.send(append(job.drafts));
        }
    } else {
        let all: Vec<Draft> = jobs.iter().flat_map(|job| job.drafts.iter().cloned()).collect();
        match append(all) {
            Ok(appended) => {
                let mut appended = appended.into_iter();
                for job in jobs {
                    let share: Vec<Appended> = appended.by_ref().take(job.drafts.len()).collect();
                    let _ = job.reply.send(Ok(share));
                }
            }
            Err(AppendError::Flush(e)) => {
                for job in jobs {
                    let _ = job.reply.send(Err(AppendError::Flush(e.clone())));
                }
            }
            Err(e) => {
                tracing::debug!(
                    "a group commit of {} requests failed ({e}); retrying each",
                    jobs.len()
                );
                for job in jobs {
                    let _ = job.reply.send(append(job.drafts));
                }
            }
        }
    }
    flush_failure.map_or(Ok(()), Err)
}

/// An open stream on a connection.
type Cursor<'a> = Peekable<Box<dyn Iterator<Item = Item> + 'a>>;

fn serve_connection(mut stream: UnixStream, context: &Context) {
    if let Err(e) = stream
        .set_read_timeout(Some(POLL))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)))
    {
        tracing::warn!("cannot set socket timeouts: {e}");
        return;
    }
    let store: &SledStore = &context.store;
    let mut cursors: HashMap<u64, Cursor<'_>> = HashMap::new();
    let mut next_cursor = 1u64;
    loop {
        // Once the shutdown began, the request just answered was the last: a
        // client that keeps sending must not keep the daemon alive. A request
        // already sent but not read is not carried out; its client sees the
        // connection close.
        if context.stop.is_requested() {
            return;
        }
        let body = match read_request(&mut stream, &context.stop) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(FrameFault::TooLarge(len)) => {
                bump(&context.stats.bad_requests, 1);
                let message =
                    format!("a message of {len} bytes exceeds the limit of {MAX_FRAME} bytes");
                let _ = send(&stream, &Response::Error { message });
                return;
            }
            Err(FrameFault::Broken(e)) => {
                tracing::debug!("dropping a connection: {e}");
                return;
            }
        };
        bump(&context.stats.requests, 1);
        let request = match serde_json::from_slice::<Request>(&body) {
            Ok(request) => request,
            Err(e) => {
                bump(&context.stats.bad_requests, 1);
                let message = format!("malformed request: {e}");
                if send(&stream, &Response::Error { message }).is_err() {
                    return;
                }
                continue;
            }
        };
        let response = match request {
            Request::Shutdown => {
                context.stop.request();
                if send(&stream, &Response::Done).is_ok() {
                    context.waiters.lock().unwrap_or_else(|p| p.into_inner()).push(stream);
                }
                return;
            }
            Request::Next { cursor } => match cursors.remove(&cursor) {
                Some(open) => page(open, cursor, &mut cursors, context),
                None => Response::Error { message: format!("no open cursor {cursor}") },
            },
            Request::Close { cursor } => {
                cursors.remove(&cursor);
                Response::Done
            }
            request @ (Request::ScanRaw { .. }
            | Request::IndexKeys { .. }
            | Request::IndexPrefix { .. }
            | Request::IndexRange { .. }) => {
                if cursors.len() >= MAX_CURSORS {
                    Response::Error { message: format!("more than {MAX_CURSORS} open cursors") }
                } else {
                    let id = next_cursor;
                    next_cursor += 1;
                    page(open_stream(store, request), id, &mut cursors, context)
                }
            }
            request => handle(store, request, context),
        };
        if let Err(e) = send(&stream, &response) {
            tracing::debug!("cannot answer a client: {e}");
            return;
        }
    }
}

/// Fill a page from `open`; keep it under `id` if items remain.
fn page<'a>(
    mut open: Cursor<'a>,
    id: u64,
    cursors: &mut HashMap<u64, Cursor<'a>>,
    context: &Context,
) -> Response {
    bump(&context.stats.pages, 1);
    let mut items = Vec::new();
    let mut bytes = 0usize;
    while items.len() < PAGE_ITEMS && bytes < PAGE_BYTES {
        let Some(item) = open.next() else { break };
        bytes += match &item {
            Item::Record { bytes: Bytes::Text(text), .. } => text.len(),
            Item::Record { bytes: Bytes::Binary { b64 }, .. } | Item::Key(b64) => {
                b64.0.len() * 4 / 3
            }
            Item::Error(_) => 64,
        };
        items.push(item);
    }
    let cursor = if open.peek().is_some() {
        cursors.insert(id, open);
        Some(id)
    } else {
        None
    };
    Response::Page { items, cursor }
}

/// The cursor of a streaming request (the caller routes only those here).
fn open_stream(store: &SledStore, request: Request) -> Cursor<'_> {
    let keys = |keys: Result<Vec<Vec<u8>>, ReadError>| -> Box<dyn Iterator<Item = Item>> {
        match keys {
            Ok(keys) => Box::new(keys.into_iter().map(|k| Item::Key(B64(k)))),
            Err(e) => Box::new(std::iter::once(Item::Error((&e).into()))),
        }
    };
    let iter: Box<dyn Iterator<Item = Item> + '_> = match request {
        Request::ScanRaw { start, end, reverse } => {
            Box::new(store.scan_raw(start..=end, reverse).map(|item| match item {
                Ok((seq, bytes)) => Item::Record { seq, bytes: Bytes::text_or_binary(bytes) },
                Err(e) => Item::Error((&e).into()),
            }))
        }
        Request::IndexKeys { tree } => Box::new(store.index_keys(&tree).map(|item| match item {
            Ok(key) => Item::Key(B64(key)),
            Err(e) => Item::Error((&e).into()),
        })),
        // The trait answers these with a whole Vec (so does the direct path);
        // paging them keeps every frame small however large the answer.
        Request::IndexPrefix { tree, prefix } => keys(store.index_prefix(&tree, &prefix.0)),
        Request::IndexRange { tree, from, to } => keys(store.index_range(&tree, &from.0, &to.0)),
        _ => Box::new(std::iter::once(Item::Error(WireReadError::Other {
            message: "internal error: not a streaming request".into(),
        }))),
    };
    iter.peekable()
}

/// Every request that is answered in one piece.
fn handle(store: &SledStore, request: Request, context: &Context) -> Response {
    let read_error = |e: ReadError| Response::ReadError { error: WireReadError::from(&e) };
    match request {
        Request::Hello { .. } => Response::Hello { protocol: PROTOCOL, pid: context.pid },
        Request::Append { drafts } => match context.appender.append(drafts) {
            Ok(appended) => {
                Response::Appended { records: appended.into_iter().map(Into::into).collect() }
            }
            Err(e) => Response::AppendError { error: WireAppendError::from(&e) },
        },
        Request::Head => match store.head() {
            Ok(head) => Response::Head { head: Some(head.into()) },
            Err(e) => read_error(e),
        },
        Request::Acknowledged => Response::Head { head: store.acknowledged().map(Into::into) },
        Request::GetRaw { seq } => match store.get_raw(seq) {
            Ok(bytes) => Response::Bytes { bytes: bytes.map(Bytes::text_or_binary) },
            Err(e) => read_error(e),
        },
        Request::GetRawMany { seqs } => {
            // As many as fit a page; the client asks again for the rest.
            let mut found = Vec::new();
            let mut size = 0usize;
            for &seq in seqs.iter().take(PAGE_ITEMS) {
                if size >= PAGE_BYTES {
                    break;
                }
                match store.get_raw(seq) {
                    Ok(bytes) => {
                        size += bytes.as_ref().map_or(8, Vec::len);
                        found.push(bytes.map(Bytes::text_or_binary));
                    }
                    Err(e) => return read_error(e),
                }
            }
            bump(&context.stats.pages, 1);
            Response::Many { bytes: found }
        }
        Request::Meta { key } => match store.meta(&key) {
            Ok(bytes) => Response::Bytes { bytes: bytes.map(Bytes::binary) },
            Err(e) => read_error(e),
        },
        Request::SetMeta { key, value } => match store.set_meta(&key, &value.0) {
            Ok(()) => Response::Done,
            Err(e) => read_error(e),
        },
        Request::Reindex => match store.reindex() {
            Ok(count) => Response::Count { count },
            Err(e) => read_error(e),
        },
        Request::IndexesComplete => match store.indexes_complete() {
            Ok(value) => Response::Bool { value },
            Err(e) => read_error(e),
        },
        Request::Status => {
            let mut status = context.status.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let serde_json::Value::Object(map) = &mut status
                && let Ok(stats) = serde_json::to_value(context.stats.snapshot())
            {
                map.insert("service".into(), stats);
            }
            Response::Status { status }
        }
        // Handled by the caller; listed so a new request kind is a compile error here.
        Request::Shutdown
        | Request::Next { .. }
        | Request::Close { .. }
        | Request::ScanRaw { .. }
        | Request::IndexPrefix { .. }
        | Request::IndexRange { .. }
        | Request::IndexKeys { .. } => {
            Response::Error { message: "internal error: misrouted request".into() }
        }
    }
}

fn send(stream: &UnixStream, response: &Response) -> io::Result<()> {
    let body = serde_json::to_vec(response).map_err(io::Error::other)?;
    if body.len() > MAX_FRAME as usize {
        let message = format!("the answer ({} bytes) exceeds the frame limit", body.len());
        let body = serde_json::to_vec(&Response::Error { message }).map_err(io::Error::other)?;
        return protocol::send_frame(stream, &body);
    }
    protocol::send_frame(stream, &body)
}

enum FrameFault {
    TooLarge(u32),
    Broken(io::Error),
}

/// Read one request frame. `Ok(None)`: the client closed the connection, or the
/// server is stopping and no frame had begun. Until a frame begins, this blocks
/// on the client and the stop together, with no timeout; once it begins it must
/// be complete within [`FRAME_DEADLINE`] (the socket's read timeout, [`POLL`],
/// lets it check).
fn read_request(stream: &mut UnixStream, stop: &Stop) -> Result<Option<Vec<u8>>, FrameFault> {
    let mut header = [0u8; 4];
    let mut got = 0usize;
    let mut started: Option<Instant> = None;
    let overdue = |started: Option<Instant>| started.is_some_and(|s| s.elapsed() > FRAME_DEADLINE);
    while got < 4 {
        if got == 0 {
            match stop.ready(Some(&*stream)) {
                Ok(Ready::Stop) => return Ok(None),
                Ok(Ready::Fd) => {}
                Err(e) => return Err(FrameFault::Broken(e)),
            }
        }
        match stream.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(FrameFault::Broken(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => {
                got += n;
                started.get_or_insert_with(Instant::now);
            }
            Err(e) if is_timeout(&e) => {
                if overdue(started) {
                    return Err(FrameFault::Broken(io::ErrorKind::TimedOut.into()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameFault::Broken(e)),
        }
    }
    let started = started.unwrap_or_else(Instant::now);
    let len = u32::from_be_bytes(header);
    if len > MAX_FRAME {
        return Err(FrameFault::TooLarge(len));
    }
    let len = len as usize;
    // Grown as bytes arrive, not reserved from the prefix: a lying prefix must
    // not make us allocate 64 MiB.
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    let mut chunk = vec![0u8; 64 * 1024];
    while body.len() < len {
        let want = (len - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Err(FrameFault::Broken(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {
                if started.elapsed() > FRAME_DEADLINE {
                    return Err(FrameFault::Broken(io::ErrorKind::TimedOut.into()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameFault::Broken(e)),
        }
    }
    Ok(Some(body))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
