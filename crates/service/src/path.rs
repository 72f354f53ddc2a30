//! Where the daemon's socket lives, and how a path too long for a socket
//! address is reached anyway.
//!
//! The socket is `<trail_dir>/daemon.sock` for every process, whatever its
//! environment: nothing here reads an environment variable. A socket address
//! holds at most [`SUN_PATH_MAX`] bytes; a deeper repository's socket stays
//! where it is and is reached, on Linux, through a descriptor of its
//! directory: `/proc/self/fd/<N>/daemon.sock`, which the kernel resolves to
//! the same file ([`with_address`]). Nothing lives in a shared directory, so
//! there is no name another user could plant first.
//!
//! Only where `/proc/self/fd` does not exist (other systems; a Linux without
//! /proc) does a deep repository's socket go elsewhere: into
//! `/tmp/trail-<euid>/`, a directory of the daemon's user created with mode
//! 0700 and checked before every use ([`check_private_dir`]): it must be a
//! directory, not a symlink, owned by the effective uid, with no permission
//! bits for group or others. Someone who made that directory first can stop
//! the daemon from starting (it refuses, naming the directory and its owner),
//! never make it or its clients talk to them.

use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::ServiceError;

/// The socket's name inside the trail directory.
pub const SOCKET_NAME: &str = "daemon.sock";

/// The longest socket path `bind`/`connect` accept, in bytes: `sun_path` holds
/// 108 bytes on Linux (104 on the BSDs and macOS), the last one a NUL.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const SUN_PATH_MAX: usize = 107;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const SUN_PATH_MAX: usize = 103;

/// Where a deep repository's socket goes when no `/proc/self/fd` can reach
/// it in place: `<FALLBACK_BASE>/trail-<euid>/<hash>.sock`.
const FALLBACK_BASE: &str = "/tmp";

/// The daemon's socket for the trail directory `trail_dir` (`.git/trail`):
/// `<trail_dir>/daemon.sock`, with `trail_dir` canonicalized (when it exists)
/// so that every spelling of one directory agrees.
///
/// The same for every process of every user, in any environment: the daemon
/// and its clients never disagree. Only on a system without `/proc/self/fd`
/// (so not on Linux with /proc mounted), when that path is longer than a
/// socket address can hold ([`SUN_PATH_MAX`]), it is
/// `/tmp/trail-<euid>/<hash>.sock` instead, in a private directory (see the
/// module's documentation), where `<hash>` is the first 16 hex digits of the
/// SHA-256 of the canonical path of `trail_dir`.
pub fn socket_path(trail_dir: &Path) -> PathBuf {
    let dir = std::fs::canonicalize(trail_dir).unwrap_or_else(|_| trail_dir.to_owned());
    let primary = dir.join(SOCKET_NAME);
    if fits(&primary) || proc_fd_reaches() {
        return primary;
    }
    fallback_path(Path::new(FALLBACK_BASE), &dir, rustix::process::geteuid().as_raw())
}

/// The socket of (canonical) `dir` in the private directory of `uid` under `base`.
fn fallback_path(base: &Path, dir: &Path, uid: u32) -> PathBuf {
    let digest = Sha256::digest(dir.as_os_str().as_bytes());
    private_dir(base, uid).join(format!("{}.sock", hex::encode(&digest[..8])))
}

/// `<base>/trail-<uid>`.
fn private_dir(base: &Path, uid: u32) -> PathBuf {
    base.join(format!("trail-{uid}"))
}

/// Whether `socket` lies in this user's fallback directory, which must then
/// pass [`check_private_dir`] before the socket is trusted or bound.
pub(crate) fn in_private_dir(socket: &Path) -> Option<&Path> {
    let dir = socket.parent()?;
    let ours = private_dir(Path::new(FALLBACK_BASE), rustix::process::geteuid().as_raw());
    (dir == ours).then_some(dir)
}

/// Create `dir` (mode 0700) unless it exists, then [`check_private_dir`] it.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), ServiceError> {
    use std::os::unix::fs::DirBuilderExt as _;
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(ServiceError::io(format!("cannot create {}", dir.display()), e)),
    }
    check_private_dir(dir)
}

/// `dir` is a directory (not a symlink to one) owned by our effective uid,
/// with no permission bits for group or others: nobody else can have put a
/// socket in it, or can put one there.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), ServiceError> {
    let euid = rustix::process::geteuid().as_raw();
    check_private_dir_for(dir, euid)
}

fn check_private_dir_for(dir: &Path, euid: u32) -> Result<(), ServiceError> {
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| ServiceError::io(format!("cannot inspect {}", dir.display()), e))?;
    let insecure = |reason: String| ServiceError::Insecure { path: dir.to_owned(), reason };
    if meta.file_type().is_symlink() {
        return Err(insecure("it is a symbolic link, not a directory".into()));
    }
    if !meta.is_dir() {
        return Err(insecure("it is not a directory".into()));
    }
    if meta.uid() != euid {
        return Err(ServiceError::Foreign { path: dir.to_owned(), owner: meta.uid(), ours: euid });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(insecure(format!(
            "its mode is {mode:04o}: other users may enter it (it must be 0700)"
        )));
    }
    Ok(())
}

/// Whether a path of any length can be reached through `/proc/self/fd`.
fn proc_fd_reaches() -> bool {
    cfg!(any(target_os = "linux", target_os = "android")) && Path::new("/proc/self/fd").is_dir()
}

pub(crate) fn fits(path: &Path) -> bool {
    path.as_os_str().len() <= SUN_PATH_MAX
}

/// Call `f` with an address of the socket file `path` that fits a socket
/// address: `path` itself when it fits, else `/proc/self/fd/<N>/<name>`,
/// where `N` is a descriptor of `path`'s directory (opened `O_PATH`, held
/// while `f` runs): `bind` creates, and `connect` reaches, the file at
/// `path`.
pub(crate) fn with_address<T>(
    path: &Path,
    f: impl FnOnce(&Path) -> io::Result<T>,
) -> io::Result<T> {
    if fits(path) {
        return f(path);
    }
    let too_long = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the socket path {} is longer than a socket address holds ({SUN_PATH_MAX} bytes)",
                path.display()
            ),
        )
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(too_long());
    };
    if !proc_fd_reaches() {
        return Err(too_long());
    }
    use rustix::fs::{Mode, OFlags};
    let fd =
        rustix::fs::open(dir, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
    let via =
        Path::new("/proc/self/fd").join(rustix::fd::AsRawFd::as_raw_fd(&fd).to_string()).join(name);
    if !fits(&via) {
        return Err(too_long());
    }
    let result = f(&via);
    drop(fd);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep_dir(base: &Path) -> PathBuf {
        let mut deep = base.to_owned();
        while deep.as_os_str().len() <= SUN_PATH_MAX {
            deep.push("a-rather-long-directory-name");
        }
        deep.join(".git").join("trail")
    }

    #[test]
    fn a_short_trail_dir_holds_its_socket() {
        assert_eq!(
            socket_path(Path::new("/nonexistent/r/.git/trail")),
            PathBuf::from("/nonexistent/r/.git/trail/daemon.sock")
        );
    }

    #[test]
    fn a_deep_trail_dir_keeps_its_socket() {
        // Regression: a deep repository's socket was computed from
        // $XDG_RUNTIME_DIR, so a client with another one (cron, sudo, ssh)
        // looked elsewhere, started a second watcher and saw the store locked.
        // The path now depends on the trail directory alone (the environment
        // side is tests/daemon_faults.rs).
        let tmp = tempfile::tempdir().expect("tempdir");
        let deep = deep_dir(tmp.path());
        std::fs::create_dir_all(&deep).expect("mkdir");
        let canonical = std::fs::canonicalize(&deep).expect("canonical");
        let expected = socket_path(&deep);
        if proc_fd_reaches() {
            assert_eq!(expected, canonical.join(SOCKET_NAME));
        }
        let dotted = deep.join("..").join("trail");
        assert_eq!(socket_path(&dotted), expected);
    }

    #[test]
    fn a_deep_socket_is_bound_and_reached_in_place() {
        if !proc_fd_reaches() {
            eprintln!("skipped: no /proc/self/fd here");
            return;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        let deep = deep_dir(tmp.path());
        std::fs::create_dir_all(&deep).expect("mkdir");
        let path = socket_path(&deep);
        assert!(!fits(&path));
        let listener = with_address(&path, |a| std::os::unix::net::UnixListener::bind(a))
            .expect("bind through the directory's descriptor");
        let file = std::fs::symlink_metadata(&path).expect("the socket file");
        assert!(std::os::unix::fs::FileTypeExt::is_socket(&file.file_type()));
        let _client = with_address(&path, |a| std::os::unix::net::UnixStream::connect(a))
            .expect("connect through the directory's descriptor");
        listener.accept().expect("accept");
    }

    #[test]
    fn the_fallback_is_a_hashed_name_in_a_per_user_directory() {
        let dir = Path::new("/deep/repo/.git/trail");
        let path = fallback_path(Path::new("/tmp"), dir, 1234);
        assert_eq!(path.parent(), Some(Path::new("/tmp/trail-1234")));
        let name = path.file_name().and_then(|n| n.to_str()).expect("a name");
        assert_eq!(name.len(), 16 + ".sock".len());
        assert_eq!(fallback_path(Path::new("/tmp"), dir, 1234), path, "deterministic");
        assert_ne!(fallback_path(Path::new("/tmp"), Path::new("/other/.git/trail"), 1234), path);
    }

    #[test]
    fn long_path_fallback_directory_is_private() {
        // Regression: the fallback socket was a predictable name directly in
        // /tmp (`/tmp/trail-0-<hash>.sock`) that another user could bind first.
        let tmp = tempfile::tempdir().expect("tempdir");
        let euid = rustix::process::geteuid().as_raw();
        let dir = private_dir(tmp.path(), euid);
        ensure_private_dir(&dir).expect("created");
        let meta = std::fs::symlink_metadata(&dir).expect("exists");
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        assert_eq!(meta.uid(), euid);
        ensure_private_dir(&dir).expect("an existing private directory is fine");

        // Open to others: refused, and left alone.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        match ensure_private_dir(&dir) {
            Err(ServiceError::Insecure { path, reason }) => {
                assert_eq!(path, dir);
                assert!(reason.contains("0755"), "{reason}");
            }
            other => panic!("an open directory was accepted: {other:?}"),
        }
        // A symlink to a private directory: refused.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let link = private_dir(tmp.path(), euid + 1);
        std::os::unix::fs::symlink(&dir, &link).expect("symlink");
        match check_private_dir_for(&link, euid) {
            Err(ServiceError::Insecure { reason, .. }) => {
                assert!(reason.contains("symbolic"), "{reason}")
            }
            other => panic!("a symlink was accepted: {other:?}"),
        }
        // Owned by someone else (as seen by another uid): refused, naming the owner.
        match check_private_dir_for(&dir, euid + 1) {
            Err(ServiceError::Foreign { path, owner, ours }) => {
                assert_eq!((path, owner, ours), (dir.clone(), euid, euid + 1));
            }
            other => panic!("another user's directory was accepted: {other:?}"),
        }
        // A file in its place: refused.
        let file = tmp.path().join("trail-file");
        std::fs::write(&file, b"").expect("write");
        assert!(matches!(check_private_dir_for(&file, euid), Err(ServiceError::Insecure { .. })));
    }
}
