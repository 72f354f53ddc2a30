//! Where the daemon's socket lives.

use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// The socket's name inside the trail directory.
pub const SOCKET_NAME: &str = "daemon.sock";

/// The longest socket path `bind`/`connect` accept, in bytes: `sun_path` holds
/// 108 bytes on Linux (104 on the BSDs and macOS), the last one a NUL.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const SUN_PATH_MAX: usize = 107;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const SUN_PATH_MAX: usize = 103;

/// The daemon's socket for the trail directory `trail_dir` (`.git/trail`):
/// `<trail_dir>/daemon.sock`, or, when that path is longer than a socket address
/// can hold ([`SUN_PATH_MAX`]), `$XDG_RUNTIME_DIR/trail-<hash>.sock`, or when
/// that is unset (or too long as well) `/tmp/trail-<uid>-<hash>.sock`, where
/// `<hash>` is the first 16 hex digits of the SHA-256 of the canonical path of
/// `trail_dir`.
///
/// Deterministic: the daemon and its clients compute the same path, provided
/// they see the same `$XDG_RUNTIME_DIR` (which matters only for deep
/// repositories). `trail_dir` is canonicalized (when it exists), so relative and
/// absolute spellings of one directory agree.
pub fn socket_path(trail_dir: &Path) -> PathBuf {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
    socket_path_with(trail_dir, runtime.as_deref())
}

/// [`socket_path`] with the runtime directory given instead of read from the
/// environment. A runtime directory that is empty or relative is ignored (the
/// XDG base directory specification says to).
pub fn socket_path_with(trail_dir: &Path, runtime_dir: Option<&Path>) -> PathBuf {
    let dir = std::fs::canonicalize(trail_dir).unwrap_or_else(|_| trail_dir.to_owned());
    let primary = dir.join(SOCKET_NAME);
    if fits(&primary) {
        return primary;
    }
    let digest = Sha256::digest(dir.as_os_str().as_bytes());
    let hash = hex::encode(&digest[..8]);
    if let Some(runtime) = runtime_dir.filter(|r| r.is_absolute()) {
        let candidate = runtime.join(format!("trail-{hash}.sock"));
        if fits(&candidate) {
            return candidate;
        }
    }
    let uid = rustix::process::geteuid().as_raw();
    Path::new("/tmp").join(format!("trail-{uid}-{hash}.sock"))
}

fn fits(path: &Path) -> bool {
    path.as_os_str().len() <= SUN_PATH_MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_trail_dir_holds_its_socket() {
        assert_eq!(
            socket_path_with(Path::new("/nonexistent/r/.git/trail"), Some(Path::new("/run/u"))),
            PathBuf::from("/nonexistent/r/.git/trail/daemon.sock")
        );
    }

    #[test]
    fn an_empty_or_relative_runtime_dir_is_ignored() {
        let deep = PathBuf::from(format!("/nonexistent/{}/.git/trail", "d".repeat(120)));
        let a = socket_path_with(&deep, Some(Path::new("")));
        let b = socket_path_with(&deep, Some(Path::new("run")));
        let c = socket_path_with(&deep, None);
        assert_eq!(a, c);
        assert_eq!(b, c);
        assert!(c.starts_with("/tmp"));
    }
}
