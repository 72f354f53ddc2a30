//! Writing many new blobs at once as one pack instead of one loose object
//! each.
//!
//! A loose object is a new file (and often a new directory) in
//! `objects/`: in a burst of 20,000 saves the watcher would create as many
//! inodes as the burst itself, and on ext4 allocating them (not hashing or
//! compressing) was most of its time. A pack is two files whatever the count.
//! The stream is made here (objects are whole blobs, no deltas: they are new
//! content, and a delta search would cost more than it saves); libgit2's
//! indexer checks it, writes the `.pack` and its `.idx` under `objects/pack/`
//! and moves them into place, as `git index-pack` would.

use std::io::Write as _;
use std::path::Path;

use gix::ObjectId;
use gix::zlib::Status;
use gix::zlib::stream::deflate::{Compress, FlushCompress};

/// Fewer blobs than this are written loose: a pack per small batch would
/// leave a steady trickle of saves as thousands of tiny packs, which slow
/// every object lookup until `git gc` merges them. Bursts are what packs are
/// for.
pub(crate) const PACK_AT_LEAST: usize = 64;

/// Write `blobs` as one pack into the object database of the repository at
/// `git_dir`, streamed into libgit2's indexer as it is made (no copy of the
/// whole pack is held). Only for SHA-1 repositories (the caller writes loose
/// objects otherwise).
pub(crate) fn write_blobs(git_dir: &Path, blobs: &[(ObjectId, &[u8])]) -> Result<(), String> {
    let repo = git2::Repository::open(git_dir).map_err(|e| e.message().to_owned())?;
    let odb = repo.odb().map_err(|e| e.message().to_owned())?;
    let writer = odb.packwriter().map_err(|e| e.message().to_owned())?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, writer);
    let mut hashed = Hashed { inner: &mut out, hasher: gix::hash::hasher(gix::hash::Kind::Sha1) };
    write_entries(&mut hashed, blobs)?;
    let trailer = hashed.hasher.try_finalize().map_err(|e| e.to_string())?;
    out.write_all(trailer.as_bytes()).map_err(|e| e.to_string())?;
    let mut writer = out.into_inner().map_err(|e| e.error().to_string())?;
    writer.commit().map_err(|e| e.message().to_owned())?;
    Ok(())
}

/// A writer that also hashes what goes through it (the pack's trailer).
struct Hashed<'a, W: std::io::Write> {
    inner: &'a mut W,
    hasher: gix::hash::Hasher,
}

impl<W: std::io::Write> std::io::Write for Hashed<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A version 2 pack stream holding each blob whole (gitformat-pack(5)), all
/// but the trailer.
fn write_entries(out: &mut impl std::io::Write, blobs: &[(ObjectId, &[u8])]) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let count = u32::try_from(blobs.len()).map_err(|_| "too many objects for one pack")?;
    out.write_all(b"PACK").map_err(io)?;
    out.write_all(&2u32.to_be_bytes()).map_err(io)?;
    out.write_all(&count.to_be_bytes()).map_err(io)?;
    // Level 1: these blobs are written while a burst is still going on; `git
    // gc` recompresses them later anyway.
    let level = gix::zlib::Compression::new(1).ok_or("zlib level 1 unavailable")?;
    let mut compressor = Compress::new(level);
    let mut buf = vec![0u8; 64 * 1024];
    for (_, data) in blobs {
        // The entry header: type 3 (blob) and the size, 4 bits then 7 per byte.
        out.write_all(&entry_header(3, data.len() as u64)).map_err(io)?;
        compressor.reset();
        let mut input: &[u8] = data;
        loop {
            let (before_in, before_out) = (compressor.total_in(), compressor.total_out());
            let status = compressor
                .compress(input, &mut buf, FlushCompress::Finish)
                .map_err(|e| format!("compressing a blob: {e}"))?;
            let produced = (compressor.total_out() - before_out) as usize;
            out.write_all(&buf[..produced]).map_err(io)?;
            input = &input[(compressor.total_in() - before_in) as usize..];
            match status {
                Status::StreamEnd => break,
                _ if produced == 0 && compressor.total_in() == before_in => {
                    return Err("compressing a blob made no progress".into());
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn entry_header(kind: u8, mut size: u64) -> Vec<u8> {
    let mut header = Vec::with_capacity(10);
    let mut byte = (kind << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size != 0 {
        header.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    header.push(byte);
    header
}
