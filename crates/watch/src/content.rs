//! Looking at one path on disk: its kind, stat data and content hashes.
//!
//! Memory stays bounded whatever the file: content up to `max_blob_size` is
//! held (to be written as a blob); past that it is streamed through SHA-256
//! in 64 KiB pieces and dropped.

use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read as _};
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::Path;

use gix::ObjectId;
use sha2::{Digest as _, Sha256};

/// The stat data a change is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatKey {
    pub size: u64,
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
    pub ino: u64,
    pub dev: u64,
    /// git's mode: 0o100644, 0o100755 or 0o120000.
    pub mode: u32,
}

impl StatKey {
    /// `None` for anything git does not store as a file (directories, FIFOs,
    /// sockets, devices).
    pub fn of(meta: &Metadata) -> Option<StatKey> {
        let mode = git_mode(meta)?;
        Some(StatKey {
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
            mode,
        })
    }
}

/// git's mode for a regular file or symlink (executable when the owner may
/// execute it, as git decides).
pub(crate) fn git_mode(meta: &Metadata) -> Option<u32> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        Some(0o120000)
    } else if kind.is_file() {
        Some(if meta.mode() & 0o100 != 0 { 0o100755 } else { 0o100644 })
    } else {
        None
    }
}

/// What a path is, without following a final symlink.
pub(crate) enum Observed {
    Absent,
    Dir,
    /// A FIFO, socket or device: never read, never reported.
    Special,
    File(StatKey),
    /// lstat itself failed (e.g. a directory above lost its `x` bit).
    Error(String),
}

pub(crate) fn observe(abs: &Path) -> Observed {
    match std::fs::symlink_metadata(abs) {
        Ok(meta) if meta.is_dir() => Observed::Dir,
        Ok(meta) => match StatKey::of(&meta) {
            Some(stat) => Observed::File(stat),
            None => Observed::Special,
        },
        Err(e) if gone(&e) => Observed::Absent,
        Err(e) => Observed::Error(format!("{}: {e}", abs.display())),
    }
}

fn gone(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory)
}

/// A file's content as read.
#[derive(Debug)]
pub(crate) struct Content {
    pub stat: StatKey,
    /// Bytes read (for a symlink: the target's length).
    pub size: u64,
    pub sha256: Option<[u8; 32]>,
    /// The blob id of the content (computed, not yet written), when it is
    /// small enough to keep.
    pub blob: Option<ObjectId>,
    /// The content, when it is small enough to keep.
    pub data: Option<Vec<u8>>,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
}

pub(crate) enum Read {
    Absent,
    Special,
    Content(Content),
    /// Changed while being read (or replaced by another kind of file): read
    /// it again later.
    Unstable,
    Error(String),
}

const CHUNK: usize = 64 * 1024;

/// Read the path's content: a symlink's target, or a regular file's bytes.
pub(crate) fn read(abs: &Path, max_blob_size: u64, hash: gix::hash::Kind) -> Read {
    let meta = match std::fs::symlink_metadata(abs) {
        Ok(meta) => meta,
        Err(e) if gone(&e) => return Read::Absent,
        Err(e) => return Read::Error(format!("{}: {e}", abs.display())),
    };
    let Some(stat) = StatKey::of(&meta) else {
        return if meta.is_dir() { Read::Absent } else { Read::Special };
    };
    if stat.mode == 0o120000 {
        return match std::fs::read_link(abs) {
            Ok(target) => {
                let data = target.as_os_str().as_bytes().to_vec();
                Read::Content(finish(stat, data, max_blob_size, hash))
            }
            Err(e) if gone(&e) => Read::Absent,
            Err(e) if e.kind() == ErrorKind::InvalidInput => Read::Unstable, // no longer a link
            Err(e) => Read::Content(unreadable(stat, abs, &e)),
        };
    }
    // O_NONBLOCK: if the file was replaced by a FIFO since the lstat, opening
    // it must not wait for a writer. O_NOFOLLOW: nor follow a symlink put there.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(abs);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if gone(&e) => return Read::Absent,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Read::Unstable,
        Err(e) => return Read::Content(unreadable(stat, abs, &e)),
    };
    let before = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Read::Content(unreadable(stat, abs, &e)),
    };
    if !before.is_file() {
        return Read::Unstable;
    }
    let Some(stat) = StatKey::of(&before) else { return Read::Unstable };
    match read_bounded(&mut file, stat.size, max_blob_size) {
        Ok((size, sha256, data)) => {
            // Written to while we read: what we have may be torn.
            match file.metadata().ok().and_then(|m| StatKey::of(&m)) {
                Some(after) if after == stat => {}
                _ => return Read::Unstable,
            }
            let blob = data.as_ref().and_then(|d| blob_id(hash, d));
            Read::Content(Content { stat, size, sha256: Some(sha256), blob, data, error: None })
        }
        Err(e) => Read::Content(unreadable(stat, abs, &e)),
    }
}

/// Read everything, keeping at most `max` bytes: (size, sha256, data if ≤ max).
/// `expected` is the size the file had when it was opened.
fn read_bounded(
    file: &mut File,
    expected: u64,
    max: u64,
) -> std::io::Result<(u64, [u8; 32], Option<Vec<u8>>)> {
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    if expected <= max {
        // The common case, a file small enough to keep: read it whole into a
        // buffer of its size (a burst of small files must not pay for zeroing
        // a 64 KiB scratch buffer each), then hash it.
        let mut data = Vec::with_capacity(expected as usize + 1);
        (&mut *file).take(max + 1).read_to_end(&mut data)?;
        if data.len() as u64 <= max {
            let sha256: [u8; 32] = Sha256::digest(&data).into();
            return Ok((data.len() as u64, sha256, Some(data)));
        }
        // It grew past the cap while being read: hash on, keep nothing.
        hasher.update(&data);
        size = data.len() as u64;
    }
    let mut kept: Option<Vec<u8>> = (size == 0).then(Vec::new);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let piece = &buf[..n];
        hasher.update(piece);
        size += n as u64;
        if size > max {
            kept = None;
        } else if let Some(kept) = kept.as_mut() {
            kept.extend_from_slice(piece);
        }
    }
    Ok((size, hasher.finalize().into(), kept))
}

fn finish(stat: StatKey, data: Vec<u8>, max: u64, hash: gix::hash::Kind) -> Content {
    let size = data.len() as u64;
    let sha256: [u8; 32] = Sha256::digest(&data).into();
    let (blob, data) = if size <= max { (blob_id(hash, &data), Some(data)) } else { (None, None) };
    Content { stat, size, sha256: Some(sha256), blob, data, error: None }
}

fn unreadable(stat: StatKey, abs: &Path, e: &std::io::Error) -> Content {
    Content {
        stat,
        size: stat.size,
        sha256: None,
        blob: None,
        data: None,
        error: Some(format!("cannot read {}: {e}", abs.display())),
    }
}

fn blob_id(hash: gix::hash::Kind, data: &[u8]) -> Option<ObjectId> {
    gix::objs::compute_hash(hash, gix::object::Kind::Blob, data).ok()
}
