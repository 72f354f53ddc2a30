//! One watcher per journal: a lock, held for the watcher's whole life.
//!
//! The watcher takes an exclusive POSIX record lock (`fcntl(F_SETLK)`) on
//! `<trail_dir>/daemon.lock` before it binds its socket, and keeps it until
//! its last act. The kernel drops the lock when the process ends, however it
//! ends (`kill -9` included), so the lock says the truth where a pid file or
//! a socket file cannot: a second watcher cannot take it ([`WatcherLock::acquire`]
//! fails and names the holder), and whoever asks learns the pid of the process
//! that holds it (`fcntl(F_GETLK)`, [`lock_holder`]).
//!
//! A POSIX lock rather than `flock`: `F_GETLK` names the holder's pid on every
//! system, which is what lets [`signal_watcher`] signal only a process proven
//! to be this journal's watcher. The price is a rule: the lock is the
//! process's, and closing **any** descriptor of `daemon.lock` in the watcher's
//! process drops it. Only [`WatcherLock`] opens the file there.
//!
//! The pid file (`daemon.pid`) stays, as information for people and scripts;
//! nothing decides anything by it any more.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::ServiceError;

/// The lock file's name inside the trail directory.
pub const LOCK_NAME: &str = "daemon.lock";

/// `<trail_dir>/daemon.lock`.
pub fn lock_path(trail_dir: &Path) -> PathBuf {
    trail_dir.join(LOCK_NAME)
}

/// The watcher's lock on its journal, held while this value lives (and by
/// this process only: it is not inherited by the processes it starts).
#[derive(Debug)]
pub struct WatcherLock {
    /// Holding the descriptor holds the lock.
    _file: File,
    path: PathBuf,
}

impl WatcherLock {
    /// Take the lock of `trail_dir`'s watcher, without waiting. Fails with
    /// [`ServiceError::WatcherRunning`] (naming the holder) when another
    /// process holds it.
    pub fn acquire(trail_dir: &Path) -> Result<WatcherLock, ServiceError> {
        use rustix::fs::{FlockOperation, Mode, OFlags};
        let path = lock_path(trail_dir);
        // The mode the other files of the trail directory get (the umask
        // decides): the file holds nothing; the lock is what counts.
        let fd = rustix::fs::open(
            &path,
            OFlags::RDWR | OFlags::CREATE | OFlags::CLOEXEC | OFlags::NOFOLLOW,
            Mode::from_raw_mode(0o666),
        )
        .map_err(|e| ServiceError::io(format!("cannot open {}", path.display()), e.into()))?;
        let mut tries = 0;
        loop {
            match rustix::fs::fcntl_lock(&fd, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(WatcherLock { _file: File::from(fd), path }),
                Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS => {
                    let holder = holder_of(&fd, &path)?;
                    // Let go of between the two calls: try once more.
                    if holder.is_none() && tries == 0 {
                        tries += 1;
                        continue;
                    }
                    return Err(ServiceError::WatcherRunning {
                        lock: path,
                        pid: holder.and_then(Holder::pid),
                    });
                }
                Err(e) => {
                    return Err(ServiceError::io(
                        format!("cannot lock {}", path.display()),
                        e.into(),
                    ));
                }
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds a watcher's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The process with this pid (as this process sees pids).
    Pid(u32),
    /// A process this one cannot see (another pid namespace).
    Hidden,
}

impl Holder {
    pub fn pid(self) -> Option<u32> {
        match self {
            Holder::Pid(pid) => Some(pid),
            Holder::Hidden => None,
        }
    }
}

/// Who holds `trail_dir`'s watcher lock: `None` when nobody does (no watcher
/// runs), also when there is no lock file. Must not be called in the
/// watcher's own process (see the module's documentation; it would answer
/// `None` there, and drop nothing only because the watcher opens the file
/// through [`WatcherLock`] alone).
pub fn lock_holder(trail_dir: &Path) -> Result<Option<Holder>, ServiceError> {
    let path = lock_path(trail_dir);
    let Some(file) = open_to_query(&path)? else { return Ok(None) };
    holder_of(&file, &path)
}

fn open_to_query(path: &Path) -> Result<Option<File>, ServiceError> {
    use rustix::fs::{Mode, OFlags};
    match rustix::fs::open(path, OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW, Mode::empty())
    {
        Ok(fd) => Ok(Some(File::from(fd))),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(e) => Err(ServiceError::io(format!("cannot open {}", path.display()), e.into())),
    }
}

fn holder_of(fd: &impl rustix::fd::AsFd, path: &Path) -> Result<Option<Holder>, ServiceError> {
    use rustix::process::{Flock, FlockType};
    let probe = Flock::from(FlockType::WriteLock);
    match rustix::process::fcntl_getlk(fd, &probe) {
        Ok(None) => Ok(None),
        Ok(Some(lock)) => Ok(Some(match lock.pid {
            Some(pid) => match u32::try_from(pid.as_raw_nonzero().get()) {
                Ok(pid) => Holder::Pid(pid),
                Err(_) => Holder::Hidden,
            },
            None => Holder::Hidden,
        })),
        Err(e) => {
            Err(ServiceError::io(format!("cannot query the lock on {}", path.display()), e.into()))
        }
    }
}

/// Send SIGTERM to `trail_dir`'s watcher, and to nothing else: the process
/// that holds the watcher lock, proven so just before the signal. `Ok(None)`
/// when no process holds the lock (no watcher runs; a pid file naming some
/// process is not looked at), `Ok(Some(pid))` once signalled.
///
/// On Linux the process is pinned first (a pidfd), then the lock is asked
/// again, and the process must hold a descriptor of the lock file
/// (`/proc/<pid>/fd`); the signal goes through the pidfd, so a pid reused in
/// between can never receive it.
pub fn signal_watcher(trail_dir: &Path) -> Result<Option<u32>, ServiceError> {
    let path = lock_path(trail_dir);
    let Some(file) = open_to_query(&path)? else { return Ok(None) };
    let unproven = |reason: String| ServiceError::WatcherUnproven { lock: path.clone(), reason };
    let pid = match holder_of(&file, &path)? {
        None => return Ok(None),
        Some(Holder::Hidden) => {
            return Err(unproven(
                "it is held by a process this one cannot see (another pid namespace)".into(),
            ));
        }
        Some(Holder::Pid(pid)) => pid,
    };
    let target = rustix::process::Pid::from_raw(pid as i32)
        .ok_or_else(|| unproven(format!("the lock names pid {pid}")))?;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{PidfdFlags, Signal};
        let pidfd = match rustix::process::pidfd_open(target, PidfdFlags::empty()) {
            Ok(pidfd) => Some(pidfd),
            // Gone already: ask the lock again (it may have been released).
            Err(rustix::io::Errno::SRCH) => {
                return match holder_of(&file, &path)? {
                    None => Ok(None),
                    Some(_) => Err(unproven(format!(
                        "pid {pid} held it and exited; another process holds it now"
                    ))),
                };
            }
            // A kernel before 5.3: signal by pid, after the same checks.
            Err(rustix::io::Errno::NOSYS) => None,
            Err(e) => {
                return Err(ServiceError::io(format!("cannot open process {pid}"), e.into()));
            }
        };
        // The process pinned is the one that holds the lock now.
        if holder_of(&file, &path)? != Some(Holder::Pid(pid)) {
            return Err(unproven(format!("pid {pid} let go of it while being checked")));
        }
        let lock_meta = file
            .metadata()
            .map_err(|e| ServiceError::io(format!("cannot inspect {}", path.display()), e))?;
        match holds_open(pid, lock_meta.dev(), lock_meta.ino()) {
            Ok(true) => {}
            Ok(false) => {
                return Err(unproven(format!(
                    "pid {pid} holds the lock but no descriptor of it (/proc/{pid}/fd)"
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return Err(unproven(format!(
                    "pid {pid} runs as another user (cannot read /proc/{pid}/fd)"
                )));
            }
            Err(e) => {
                return Err(ServiceError::io(format!("cannot read /proc/{pid}/fd"), e));
            }
        }
        let sent = match &pidfd {
            Some(pidfd) => rustix::process::pidfd_send_signal(pidfd, Signal::TERM),
            None => rustix::process::kill_process(target, Signal::TERM),
        };
        match sent {
            Ok(()) => Ok(Some(pid)),
            // It exited between the check and the signal: what was asked is done.
            Err(rustix::io::Errno::SRCH) => Ok(Some(pid)),
            Err(e) => {
                Err(ServiceError::io(format!("cannot signal the watcher (pid {pid})"), e.into()))
            }
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        if holder_of(&file, &path)? != Some(Holder::Pid(pid)) {
            return Err(unproven(format!("pid {pid} let go of it while being checked")));
        }
        match rustix::process::kill_process(target, rustix::process::Signal::TERM) {
            Ok(()) | Err(rustix::io::Errno::SRCH) => Ok(Some(pid)),
            Err(e) => {
                Err(ServiceError::io(format!("cannot signal the watcher (pid {pid})"), e.into()))
            }
        }
    }
}

/// Whether process `pid` has a descriptor open on the file `(dev, ino)`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn holds_open(pid: u32, dev: u64, ino: u64) -> io::Result<bool> {
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        let Ok(entry) = entry else { continue };
        // Follows the descriptor's link to what it is open on.
        if let Ok(meta) = std::fs::metadata(entry.path())
            && (meta.dev(), meta.ino()) == (dev, ino)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Wait until nobody holds `trail_dir`'s watcher lock (the watcher has
/// finished: it lets go of the lock last), up to `limit`. Whether it was
/// released.
pub fn wait_released(trail_dir: &Path, limit: Duration) -> Result<bool, ServiceError> {
    let deadline = Instant::now() + limit;
    loop {
        if lock_holder(trail_dir)?.is_none() {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process that holds `lock` (a POSIX lock, as `fcntl.lockf` takes)
    /// until its stdin closes.
    fn holder_process(lock: &Path) -> std::process::Child {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "import fcntl, sys\n\
                 f = open(sys.argv[1], 'a+')\n\
                 fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n\
                 print('locked', flush=True)\n\
                 sys.stdin.read()",
            ])
            .arg(lock)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        std::io::BufReader::new(stdout).read_line(&mut line).expect("read");
        assert_eq!(line.trim(), "locked");
        child
    }

    #[test]
    fn a_second_watcher_lock_is_refused_and_names_the_holder() {
        let tmp = tempfile::tempdir().expect("tempdir");
        assert_eq!(lock_holder(tmp.path()).expect("query"), None, "no lock file: nobody");
        let mut other = holder_process(&lock_path(tmp.path()));
        let pid = other.id();
        assert_eq!(lock_holder(tmp.path()).expect("query"), Some(Holder::Pid(pid)));
        match WatcherLock::acquire(tmp.path()) {
            Err(ServiceError::WatcherRunning { pid: Some(named), lock }) => {
                assert_eq!((named, lock), (pid, lock_path(tmp.path())));
            }
            other => panic!("a second lock was not refused: {other:?}"),
        }
        drop(other.stdin.take());
        other.wait().expect("the holder exits");
        assert!(wait_released(tmp.path(), Duration::from_secs(10)).expect("asked"));
        let held = WatcherLock::acquire(tmp.path()).expect("taken once released");
        assert_eq!(held.path(), lock_path(tmp.path()));
        // A process does not conflict with its own lock: it sees it free.
        assert_eq!(lock_holder(tmp.path()).expect("query"), None);
    }

    #[test]
    fn the_signal_goes_to_the_lock_holder() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut holder = holder_process(&lock_path(tmp.path()));
        assert_eq!(signal_watcher(tmp.path()).expect("signalled"), Some(holder.id()));
        let status = holder.wait().expect("it exits");
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(status.signal(), Some(15), "SIGTERM reached the holder: {status:?}");
    }

    #[test]
    fn nobody_holding_the_lock_means_no_signal() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(lock_path(tmp.path()), b"").expect("a lock file nobody holds");
        assert_eq!(signal_watcher(tmp.path()).expect("asked"), None);
        assert!(wait_released(tmp.path(), Duration::ZERO).expect("asked"));
    }
}
