//! trail-service: one process owns the journal store; everyone else talks to it.
//!
//! sled lets one process at a time open a database. While trail's daemon runs it
//! owns the store and serves it on a Unix socket ([`Server`]); hooks and CLI
//! commands then reach the journal through a [`Client`], which implements
//! [`LogStore`](trail_journal::LogStore) like the store itself, so callers do not
//! care which one they hold. When no daemon answers, [`Client::connect`] says so
//! (`Ok(None)`) and the caller opens the store directly.
//!
//! Every append the daemon makes, whether it came over the socket or from its own
//! watcher ([`Appender`]), goes through one writer thread that gathers the drafts
//! of concurrent requests into one `store.append` call: one transaction and one
//! flush for many requests (group commit, DESIGN.md §3). A request is answered
//! only after that flush returned, the same guarantee as a direct append.
//!
//! The wire protocol is described in [`protocol`].
//!
//! # Using it
//!
//! A command that needs the journal asks the daemon first and opens the store
//! itself only when none answers:
//!
//! ```no_run
//! # use std::path::Path;
//! # use trail_journal::{LogStore, SledStore};
//! fn journal(trail_dir: &Path) -> Result<Box<dyn LogStore>, Box<dyn std::error::Error>> {
//!     if let Some(client) = trail_service::Client::connect(trail_dir)? {
//!         return Ok(Box::new(client));
//!     }
//!     Ok(Box::new(SledStore::open(&trail_dir.join("journal"))?))
//! }
//! ```
//!
//! Two races remain for the caller: a daemon that starts between the two
//! steps makes `open` fail with `OpenError::Locked` after its wait (connect
//! again then), and a daemon that is stopping makes `connect` answer `Ok(None)`
//! while it still holds the store (`open` waits for it, up to `LOCK_WAIT`).
//!
//! The daemon opens the store, binds, hands an [`Appender`] to its watcher,
//! fills the status object and serves until told to stop:
//!
//! ```no_run
//! # use std::path::Path;
//! # use std::sync::Arc;
//! # fn daemon(trail_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
//! let store = Arc::new(trail_journal::SledStore::open(&trail_dir.join("journal"))?);
//! let server = trail_service::Server::bind(trail_dir, store)?;
//! let appender = server.appender(); // for the watcher thread
//! if let Ok(mut status) = server.status_handle().lock() {
//!     *status = serde_json::json!({ "pid": std::process::id() });
//! }
//! let stop = server.stopper(); // `stop.request()` from a signal handler thread
//! server.run()?; // returns once stopped, everything answered and flushed
//! # drop(appender);
//! # Ok(())
//! # }
//! ```
//!
//! This crate must not talk to the user, and reads no environment variable:
//! the daemon and every client find the socket from the trail directory
//! alone ([`socket_path`]), whoever runs them and from wherever (cron, sudo,
//! ssh).
//!
//! # Trust
//!
//! A client talks only to a socket of its own user: [`Client::connect`]
//! checks the socket file's owner (`lstat`; root included: root does not
//! trust another user's socket), the private directory it lies in when it
//! is not in the trail directory, and, once connected, the uid of the
//! process that listens (`SO_PEERCRED`), which no file swap can fake. A
//! socket that fails is an error naming it and its owner; the caller opens
//! the store directly instead.
//!
//! # One watcher per journal
//!
//! The watcher holds [`WatcherLock`] (`.git/trail/daemon.lock`, an `fcntl`
//! lock the kernel releases when the process ends) for its whole life. A
//! second watcher cannot take it; [`lock_holder`] names the process that
//! holds it, and [`signal_watcher`] signals that process and no other. The
//! pid file is information only. A socket file deleted under the watcher is
//! bound again ([`Activator`]).

mod activate;
mod client;
mod lock;
mod path;
pub mod protocol;
mod server;

use std::path::PathBuf;

pub use activate::{Activator, STANDBY_ENV, STARTUP_TIMEOUT, Standby, serving_marker, standby};
pub use client::{
    CONNECT_TIMEOUT, Client, HELLO_TIMEOUT, REINDEX_TIMEOUT, REQUEST_TIMEOUT, SHUTDOWN_TIMEOUT,
};
pub use lock::{
    Holder, LOCK_NAME, WatcherLock, lock_holder, lock_path, signal_watcher, wait_released,
};
pub use path::{SOCKET_NAME, SUN_PATH_MAX, socket_path};
pub use server::{Appender, ServeOptions, Server, Socket, Stop};

/// Talking to the daemon, or being the daemon, failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Another daemon already answers on the socket.
    #[error("a trail daemon is already running on {path}")]
    AlreadyRunning { path: PathBuf },
    /// Something that is not a socket sits where the socket belongs.
    #[error("{path} exists and is not a socket; remove it")]
    NotASocket { path: PathBuf },
    /// The socket (or the private directory it lies in) belongs to another
    /// user: connecting could hand our records to an impostor, so we refuse.
    #[error(
        "{path} belongs to uid {owner}, not to uid {ours} (this process): trail does not use another user's socket"
    )]
    Foreign { path: PathBuf, owner: u32, ours: u32 },
    /// The process that listens on the socket runs as another user (the file
    /// was ours when looked at, and replaced before the connection).
    #[error(
        "the process listening on {path} runs as uid {uid}, not as uid {ours} (this process): trail does not talk to it"
    )]
    ForeignPeer { path: PathBuf, uid: u32, ours: u32 },
    /// The private directory of a fallback socket can be entered or changed
    /// by others.
    #[error("{path} cannot be trusted: {reason}")]
    Insecure { path: PathBuf, reason: String },
    /// Another process holds the watcher lock of this journal.
    #[error("{}", watcher_running(lock, *pid))]
    WatcherRunning { lock: PathBuf, pid: Option<u32> },
    /// The holder of the watcher lock could not be proven to be the watcher,
    /// so it was not signalled.
    #[error("cannot prove which process is the watcher holding {lock}: {reason}")]
    WatcherUnproven { lock: PathBuf, reason: String },
    /// A daemon listens but did not answer in time.
    #[error("the trail daemon on {path} does not answer (waited {waited:?})")]
    Unresponsive { path: PathBuf, waited: std::time::Duration },
    /// The daemon speaks another protocol version (started by another trail build).
    #[error(
        "the trail daemon on {path} speaks protocol {theirs}, this trail speaks {ours}; restart the daemon"
    )]
    Version { path: PathBuf, ours: u32, theirs: u32 },
    /// A frame's length prefix is over [`protocol::MAX_FRAME`].
    #[error("a message of {len} bytes exceeds the limit of {max} bytes")]
    FrameTooLarge { len: u64, max: u32 },
    /// The other side sent something this side cannot read.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The daemon refused the request (it names why).
    #[error("the trail daemon refused the request: {0}")]
    Refused(String),
    /// The connection broke or timed out; the request may or may not have been
    /// carried out.
    #[error("lost the connection to the trail daemon: {0}")]
    Disconnected(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// The store could not be flushed, so the daemon stopped (the records of the
    /// failed batch were not acknowledged and may or may not survive a crash).
    #[error("the journal could not be made durable, so the daemon stopped: {0}")]
    Flush(String),
    /// The writer thread died (a bug): appends can no longer be made.
    #[error("the service's writer thread panicked")]
    WriterPanicked,
}

fn watcher_running(lock: &std::path::Path, pid: Option<u32>) -> String {
    match pid {
        Some(pid) => {
            format!("a watcher runs for this journal already (pid {pid} holds {})", lock.display())
        }
        None => {
            format!("a watcher runs for this journal already (a process holds {})", lock.display())
        }
    }
}

impl ServiceError {
    fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ServiceError::Io { context: context.into(), source }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_cross_threads() {
        fn shared<T: Send + Sync>() {}
        fn cloned<T: Clone + Send>() {}
        shared::<crate::Client>();
        cloned::<crate::Appender>();
        shared::<crate::Appender>();
    }
}
