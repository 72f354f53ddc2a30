//! The caller's side: a [`LogStore`] that forwards every call to the daemon.

use std::io;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use trail_journal::store::RawRecords;
use trail_journal::{AppendError, Appended, Draft, Head, LogStore, ReadError};

use crate::protocol::{self, B64, FrameError, Item, MAX_FRAME, PROTOCOL, Request, Response};
use crate::{ServiceError, socket_path};

/// How long [`Client::connect`] waits for the connection itself.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long [`Client::connect`] waits for the daemon's greeting.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(2);
/// How long any request waits for its answer (an append waits behind at most a
/// few group commits; a page of a scan is a millisecond's work).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// `reindex` reads every record: allow it the time a large journal needs.
pub const REINDEX_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// How long [`Client::shutdown`] waits for the daemon to finish.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to the daemon that owns the store.
///
/// It implements [`LogStore`]: every method is one request (streams are one
/// request per page), carried out by the daemon on the store it holds. One
/// connection, shared by the threads that use the client, one request at a time.
///
/// **Appends.** [`LogStore::append`] returns only after the daemon's
/// `store.append` returned, so only after the records were flushed, as on the
/// direct path. If the connection breaks or times out after the request was
/// sent, the append fails with `AppendError::Remote`, and the records **may or
/// may not** have been written: the caller falls back (or spools) and relies on
/// its own duplicate checks (for commit records, "is this commit already
/// recorded"). After any transport failure the client refuses further requests;
/// connect again.
pub struct Client {
    path: PathBuf,
    daemon_pid: u32,
    conn: Mutex<Conn>,
    round_trips: AtomicU64,
}

struct Conn {
    stream: UnixStream,
    timeout: Option<Duration>,
    /// Why the connection cannot be used any more (a frame was lost half-way).
    broken: Option<String>,
}

/// A request failed: before it was sent (nothing happened) or after.
struct CallError {
    error: ServiceError,
    sent: bool,
}

impl Client {
    /// Connect to the daemon of `trail_dir` (at [`socket_path`]). `Ok(None)` when
    /// no daemon runs: no socket file, or a stale one nobody listens on, or a
    /// daemon that is shutting down. Waits at most [`CONNECT_TIMEOUT`] for the
    /// connection and [`HELLO_TIMEOUT`] for the greeting; a daemon that accepts
    /// but does not answer is [`ServiceError::Unresponsive`].
    ///
    /// Only a socket of this process's own user is used (root included): a
    /// socket file owned by another uid is [`ServiceError::Foreign`], one in
    /// a fallback directory that others could enter is
    /// [`ServiceError::Insecure`], and a listener that turns out to run as
    /// another uid once connected is [`ServiceError::ForeignPeer`]. Nothing
    /// is sent to any of them; the caller opens the store directly.
    pub fn connect(trail_dir: &Path) -> Result<Option<Client>, ServiceError> {
        Self::connect_to(&socket_path(trail_dir))
    }

    /// [`Client::connect`] to a socket path.
    pub fn connect_to(path: &Path) -> Result<Option<Client>, ServiceError> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ServiceError::io(format!("cannot inspect {}", path.display()), e));
            }
        };
        if !meta.file_type().is_socket() {
            return Ok(None);
        }
        let ours = rustix::process::geteuid().as_raw();
        if meta.uid() != ours {
            return Err(ServiceError::Foreign { path: path.to_owned(), owner: meta.uid(), ours });
        }
        if let Some(dir) = crate::path::in_private_dir(path) {
            crate::path::check_private_dir(dir)?;
        }
        let unresponsive = |waited| ServiceError::Unresponsive { path: path.to_owned(), waited };
        let stream = match connect_with_timeout(path, CONNECT_TIMEOUT) {
            Ok(Some(stream)) => stream,
            Ok(None) => return Err(unresponsive(CONNECT_TIMEOUT)),
            Err(e) if is_gone(&e) => return Ok(None),
            Err(e) => {
                return Err(ServiceError::io(format!("cannot connect to {}", path.display()), e));
            }
        };
        // The file was ours when looked at; the process behind it must be
        // too (the file could have been replaced since). Nothing has been
        // sent yet.
        let peer = rustix::net::sockopt::socket_peercred(&stream).map_err(|e| {
            ServiceError::io(format!("cannot check who listens on {}", path.display()), e.into())
        })?;
        if peer.uid.as_raw() != ours {
            return Err(ServiceError::ForeignPeer {
                path: path.to_owned(),
                uid: peer.uid.as_raw(),
                ours,
            });
        }
        let client = Client {
            path: path.to_owned(),
            daemon_pid: 0,
            conn: Mutex::new(Conn { stream, timeout: None, broken: None }),
            round_trips: AtomicU64::new(0),
        };
        match client.call(&Request::Hello { protocol: PROTOCOL }, HELLO_TIMEOUT) {
            Ok(Response::Hello { protocol, pid }) if protocol == PROTOCOL => {
                Ok(Some(Client { daemon_pid: pid, ..client }))
            }
            Ok(Response::Hello { protocol, .. }) => Err(ServiceError::Version {
                path: path.to_owned(),
                ours: PROTOCOL,
                theirs: protocol,
            }),
            Ok(other) => Err(unexpected(&other)),
            // Closed on us: the daemon is on its way out.
            Err(CallError { error: ServiceError::Disconnected(_), .. }) => Ok(None),
            Err(CallError { error, .. }) => Err(error),
        }
    }

    /// The socket this client is connected to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The daemon's process id, as it said in its greeting.
    pub fn daemon_pid(&self) -> u32 {
        self.daemon_pid
    }

    /// Requests this client has made (a debugging aid: a stream costs one per page).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// The daemon's status object: what the daemon put in
    /// [`crate::Server::status_handle`], plus the server's counters under `"service"`.
    pub fn status(&self) -> Result<serde_json::Value, ServiceError> {
        match self.call(&Request::Status, REQUEST_TIMEOUT).map_err(|e| e.error)? {
            Response::Status { status } => Ok(status),
            Response::Error { message } => Err(ServiceError::Refused(message)),
            other => Err(unexpected(&other)),
        }
    }

    /// Ask the daemon to stop, and wait (up to [`SHUTDOWN_TIMEOUT`]) until it
    /// has answered its in-flight requests, flushed its last batch and removed
    /// its socket. The daemon process may still be exiting (releasing the
    /// store's lock) when this returns; `SledStore::open` waits for that. The
    /// client is unusable afterwards.
    pub fn shutdown(&self) -> Result<(), ServiceError> {
        match self.call(&Request::Shutdown, REQUEST_TIMEOUT).map_err(|e| e.error)? {
            Response::Done => {}
            Response::Error { message } => return Err(ServiceError::Refused(message)),
            other => return Err(unexpected(&other)),
        }
        let mut conn = self.lock();
        conn.broken = Some("the daemon was asked to shut down".into());
        if let Err(e) = conn.stream.set_read_timeout(Some(SHUTDOWN_TIMEOUT)) {
            return Err(ServiceError::io("cannot set a socket timeout", e));
        }
        match protocol::read_frame(&mut conn.stream) {
            // `Stopped`, or the connection closed as the daemon exited.
            Ok(_) | Err(FrameError::Closed) => Ok(()),
            Err(FrameError::Io(e)) if is_gone(&e) => Ok(()),
            Err(FrameError::Io(e)) if is_timeout(&e) => Err(ServiceError::Unresponsive {
                path: self.path.clone(),
                waited: SHUTDOWN_TIMEOUT,
            }),
            Err(FrameError::Io(e)) => Err(ServiceError::Disconnected(e.to_string())),
            Err(FrameError::TooLarge(len)) => {
                Err(ServiceError::FrameTooLarge { len: u64::from(len), max: MAX_FRAME })
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Conn> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One request, one answer. A failure to send or receive a whole frame
    /// breaks the connection for good (the next frame boundary is unknown).
    fn call(&self, request: &Request, timeout: Duration) -> Result<Response, CallError> {
        let not_sent = |error| CallError { error, sent: false };
        let body = serde_json::to_vec(request).map_err(|e| {
            not_sent(ServiceError::Protocol(format!("cannot encode a request: {e}")))
        })?;
        if body.len() > MAX_FRAME as usize {
            return Err(not_sent(ServiceError::FrameTooLarge {
                len: body.len() as u64,
                max: MAX_FRAME,
            }));
        }
        let mut conn = self.lock();
        if let Some(why) = &conn.broken {
            return Err(not_sent(ServiceError::Disconnected(why.clone())));
        }
        if conn.timeout != Some(timeout) {
            conn.stream
                .set_read_timeout(Some(timeout))
                .and_then(|()| conn.stream.set_write_timeout(Some(timeout)))
                .map_err(|e| not_sent(ServiceError::io("cannot set a socket timeout", e)))?;
            conn.timeout = Some(timeout);
        }
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = protocol::send_frame(&conn.stream, &body) {
            let error = if is_gone(&e) {
                ServiceError::Disconnected(format!("the daemon closed the connection ({e})"))
            } else {
                ServiceError::Disconnected(e.to_string())
            };
            conn.broken = Some(error.to_string());
            return Err(CallError { error, sent: true });
        }
        let answer = match protocol::read_frame(&mut conn.stream) {
            Ok(answer) => answer,
            Err(e) => {
                let error = match e {
                    FrameError::Closed => {
                        ServiceError::Disconnected("the daemon closed the connection".into())
                    }
                    FrameError::TooLarge(len) => {
                        ServiceError::FrameTooLarge { len: u64::from(len), max: MAX_FRAME }
                    }
                    FrameError::Io(e) if is_timeout(&e) => {
                        ServiceError::Unresponsive { path: self.path.clone(), waited: timeout }
                    }
                    FrameError::Io(e) => ServiceError::Disconnected(e.to_string()),
                };
                conn.broken = Some(error.to_string());
                return Err(CallError { error, sent: true });
            }
        };
        drop(conn);
        serde_json::from_slice(&answer).map_err(|e| CallError {
            error: ServiceError::Protocol(format!("malformed answer: {e}")),
            sent: true,
        })
    }

    /// A call whose failure is a [`ReadError`].
    fn read_call(&self, request: &Request) -> Result<Response, ReadError> {
        match self.call(request, REQUEST_TIMEOUT) {
            Ok(Response::ReadError { error }) => Err(error.into()),
            Ok(Response::Error { message }) => {
                Err(ReadError::Remote(ServiceError::Refused(message).to_string()))
            }
            Ok(response) => Ok(response),
            Err(e) => Err(ReadError::Remote(e.error.to_string())),
        }
    }

    fn stream<T>(&self, open: Request, convert: fn(Item) -> Result<T, ReadError>) -> Pages<'_, T> {
        Pages {
            client: self,
            open: Some(open),
            cursor: None,
            items: Vec::new().into_iter(),
            done: false,
            convert,
        }
    }

    fn collect_keys(&self, open: Request) -> Result<Vec<Vec<u8>>, ReadError> {
        self.stream(open, key_item).collect()
    }
}

impl LogStore for Client {
    fn append(&self, drafts: Vec<Draft>) -> Result<Vec<Appended>, AppendError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let count = drafts.len();
        match self.call(&Request::Append { drafts }, REQUEST_TIMEOUT) {
            Ok(Response::Appended { records }) if records.len() == count => {
                Ok(records.into_iter().map(Into::into).collect())
            }
            Ok(Response::AppendError { error }) => Err(error.into()),
            Ok(Response::Error { message }) => {
                Err(AppendError::Remote(ServiceError::Refused(message).to_string()))
            }
            Ok(other) => Err(AppendError::Remote(format!(
                "{}; the records may or may not have been written",
                unexpected(&other)
            ))),
            Err(CallError { error, sent: false }) => {
                Err(AppendError::Remote(format!("{error}; nothing was sent, nothing was written")))
            }
            Err(CallError { error, sent: true }) => Err(AppendError::Remote(format!(
                "{error}; the records may or may not have been written"
            ))),
        }
    }

    fn head(&self) -> Result<Head, ReadError> {
        match self.read_call(&Request::Head)? {
            Response::Head { head: Some(head) } => Ok(head.into()),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }

    fn get_raw(&self, seq: u64) -> Result<Option<Vec<u8>>, ReadError> {
        match self.read_call(&Request::GetRaw { seq })? {
            Response::Bytes { bytes } => Ok(bytes.map(protocol::Bytes::into_vec)),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }

    fn get_raw_many(&self, seqs: &[u64]) -> Result<Vec<Option<Vec<u8>>>, ReadError> {
        let mut found = Vec::with_capacity(seqs.len());
        while found.len() < seqs.len() {
            let asked = &seqs[found.len()..];
            match self.call(&Request::GetRawMany { seqs: asked.to_vec() }, REQUEST_TIMEOUT) {
                Ok(Response::Many { bytes }) if !bytes.is_empty() && bytes.len() <= asked.len() => {
                    found.extend(bytes.into_iter().map(|b| b.map(protocol::Bytes::into_vec)));
                }
                Ok(Response::ReadError { error }) => return Err(error.into()),
                // A daemon of an earlier trail does not know the request: one
                // request per record, as then.
                Ok(Response::Error { message }) if message.starts_with("malformed request") => {
                    for &seq in asked {
                        found.push(self.get_raw(seq)?);
                    }
                }
                Ok(Response::Error { message }) => {
                    return Err(ReadError::Remote(ServiceError::Refused(message).to_string()));
                }
                Ok(other) => return Err(ReadError::Remote(unexpected(&other).to_string())),
                Err(e) => return Err(ReadError::Remote(e.error.to_string())),
            }
        }
        Ok(found)
    }

    fn scan_raw(&self, range: std::ops::RangeInclusive<u64>, reverse: bool) -> RawRecords<'_> {
        let open = Request::ScanRaw { start: *range.start(), end: *range.end(), reverse };
        Box::new(self.stream(open, record_item))
    }

    fn index_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.collect_keys(Request::IndexPrefix {
            tree: tree.to_owned(),
            prefix: B64(prefix.to_vec()),
        })
    }

    fn index_range(&self, tree: &str, from: &[u8], to: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.collect_keys(Request::IndexRange {
            tree: tree.to_owned(),
            from: B64(from.to_vec()),
            to: B64(to.to_vec()),
        })
    }

    fn index_keys(&self, tree: &str) -> Box<dyn Iterator<Item = Result<Vec<u8>, ReadError>> + '_> {
        Box::new(self.stream(Request::IndexKeys { tree: tree.to_owned() }, key_item))
    }

    fn reindex(&self) -> Result<u64, ReadError> {
        let answer = match self.call(&Request::Reindex, REINDEX_TIMEOUT) {
            Ok(Response::ReadError { error }) => return Err(error.into()),
            Ok(Response::Error { message }) => {
                return Err(ReadError::Remote(ServiceError::Refused(message).to_string()));
            }
            Ok(answer) => answer,
            Err(e) => return Err(ReadError::Remote(e.error.to_string())),
        };
        match answer {
            Response::Count { count } => Ok(count),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }

    fn indexes_complete(&self) -> Result<bool, ReadError> {
        match self.read_call(&Request::IndexesComplete)? {
            Response::Bool { value } => Ok(value),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }

    /// The daemon's store's high-water mark; `None` also when the daemon cannot
    /// be asked (the trait has no error here; `verify` then skips that check,
    /// as it does for a store without a mark).
    fn acknowledged(&self) -> Option<Head> {
        match self.read_call(&Request::Acknowledged) {
            Ok(Response::Head { head }) => head.map(Into::into),
            Ok(other) => {
                tracing::warn!("{}", unexpected(&other));
                None
            }
            Err(e) => {
                tracing::warn!("cannot ask the daemon for the acknowledged head: {e}");
                None
            }
        }
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, ReadError> {
        match self.read_call(&Request::Meta { key: key.to_owned() })? {
            Response::Bytes { bytes } => Ok(bytes.map(protocol::Bytes::into_vec)),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }

    fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), ReadError> {
        match self
            .read_call(&Request::SetMeta { key: key.to_owned(), value: B64(value.to_vec()) })?
        {
            Response::Done => Ok(()),
            other => Err(ReadError::Remote(unexpected(&other).to_string())),
        }
    }
}

/// A stream read page by page: the opening request is sent on the first
/// `next`, then one [`Request::Next`] per page. Holds one page at a time.
struct Pages<'a, T> {
    client: &'a Client,
    open: Option<Request>,
    cursor: Option<u64>,
    items: std::vec::IntoIter<Item>,
    done: bool,
    convert: fn(Item) -> Result<T, ReadError>,
}

impl<T> Iterator for Pages<'_, T> {
    type Item = Result<T, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.items.next() {
                return Some((self.convert)(item));
            }
            if self.done {
                return None;
            }
            let request = match (self.open.take(), self.cursor.take()) {
                (Some(open), _) => open,
                (None, Some(cursor)) => Request::Next { cursor },
                (None, None) => {
                    self.done = true;
                    return None;
                }
            };
            match self.client.read_call(&request) {
                Ok(Response::Page { items, cursor }) => {
                    self.items = items.into_iter();
                    self.cursor = cursor;
                    self.done = cursor.is_none();
                }
                Ok(other) => {
                    self.done = true;
                    return Some(Err(ReadError::Remote(unexpected(&other).to_string())));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl<T> Drop for Pages<'_, T> {
    /// A stream dropped before its end frees its cursor on the daemon.
    fn drop(&mut self) {
        if let Some(cursor) = self.cursor.take() {
            let _ = self.client.call(&Request::Close { cursor }, REQUEST_TIMEOUT);
        }
    }
}

fn record_item(item: Item) -> Result<(u64, Vec<u8>), ReadError> {
    match item {
        Item::Record { seq, bytes } => Ok((seq, bytes.into_vec())),
        Item::Error(e) => Err(e.into()),
        Item::Key(_) => Err(ReadError::Remote("the daemon sent a key in a record stream".into())),
    }
}

fn key_item(item: Item) -> Result<Vec<u8>, ReadError> {
    match item {
        Item::Key(key) => Ok(key.0),
        Item::Error(e) => Err(e.into()),
        Item::Record { .. } => {
            Err(ReadError::Remote("the daemon sent a record in a key stream".into()))
        }
    }
}

fn unexpected(response: &Response) -> ServiceError {
    let name = serde_json::to_value(response)
        .ok()
        .and_then(|v| v.get("r").and_then(|r| r.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    ServiceError::Protocol(format!("unexpected answer `{name}`"))
}

/// Connect without blocking for more than `timeout` (`Ok(None)` then): a
/// blocking `connect` waits as long as the daemon's listen backlog is full, and
/// std has no connect timeout for Unix sockets.
fn connect_with_timeout(path: &Path, timeout: Duration) -> io::Result<Option<UnixStream>> {
    use rustix::io::Errno;
    let deadline = Instant::now() + timeout;
    let fd = rustix::net::socket(
        rustix::net::AddressFamily::UNIX,
        rustix::net::SocketType::STREAM,
        None,
    )?;
    // Not inherited by the processes a hook starts (git, editors): they would
    // keep the connection open after we are gone.
    rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC)?;
    rustix::io::ioctl_fionbio(&fd, true)?;
    // A path too long for an address is reached through its directory's
    // descriptor, held until the connection is made.
    let connected = crate::path::with_address(path, |address| {
        let address = rustix::net::SocketAddrUnix::new(address)?;
        loop {
            match rustix::net::connect(&fd, &address) {
                Ok(()) => return Ok(true),
                Err(Errno::INTR) => {}
                // Linux: the backlog is full. Try again shortly.
                Err(Errno::AGAIN) => {
                    if Instant::now() >= deadline {
                        return Ok(false);
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                // Other systems: the connection completes in the background.
                Err(Errno::INPROGRESS) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let left = rustix::event::Timespec::try_from(left).map_err(io::Error::other)?;
                    let mut fds = [rustix::event::PollFd::new(&fd, rustix::event::PollFlags::OUT)];
                    if rustix::event::poll(&mut fds, Some(&left))? == 0 {
                        return Ok(false);
                    }
                    rustix::net::sockopt::socket_error(&fd)??;
                    return Ok(true);
                }
                Err(e) => return Err(e.into()),
            }
        }
    })?;
    if !connected {
        return Ok(None);
    }
    rustix::io::ioctl_fionbio(&fd, false)?;
    Ok(Some(UnixStream::from(fd)))
}

/// Nobody listens (stale socket), the file went away, or the daemon hung up.
fn is_gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::NotFound
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
