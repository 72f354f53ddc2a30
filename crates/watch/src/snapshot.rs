//! The last reported state of every file: what changes are judged against.
//!
//! Saved between runs in a small file of our own (see [`Snapshot::save`]):
//! a header line `trail-watch state 1`, then one record per file, each ended
//! by a NUL byte (paths may hold anything but NUL):
//! `MODE SIZE MTIME_S.MTIME_NS CTIME_S.CTIME_NS INO DEV SHA256|- BLOB|- PATH`
//! with MODE in octal and the hashes in lowercase hex.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use gix::ObjectId;

use crate::content::StatKey;

const HEADER: &[u8] = b"trail-watch state 1\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub stat: StatKey,
    /// Known when the content was read once (not after a start scan).
    pub sha256: Option<[u8; 32]>,
    /// Known when read, or taken from the index when its stat data matched.
    pub blob: Option<ObjectId>,
}

impl Entry {
    /// Whether `other` holds the same content, as far as the known hashes
    /// tell (unknown hashes never match).
    pub fn same_content(&self, sha256: Option<&[u8; 32]>, blob: Option<&ObjectId>) -> bool {
        if let (Some(a), Some(b)) = (self.sha256.as_ref(), sha256) {
            return a == b;
        }
        matches!((self.blob.as_ref(), blob), (Some(a), Some(b)) if a == b)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub entries: BTreeMap<Vec<u8>, Entry>,
    /// Changed since the last save.
    pub dirty: bool,
}

/// `dir/`, the prefix of everything below `dir` (`""` is the root).
pub(crate) fn dir_prefix(dir: &[u8]) -> Vec<u8> {
    if dir.is_empty() {
        Vec::new()
    } else {
        let mut p = dir.to_vec();
        p.push(b'/');
        p
    }
}

impl Snapshot {
    /// Every file below the directory `dir`.
    pub fn under(&self, dir: &[u8]) -> Vec<Vec<u8>> {
        let prefix = dir_prefix(dir);
        self.entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn insert(&mut self, path: Vec<u8>, entry: Entry) {
        self.entries.insert(path, entry);
        self.dirty = true;
    }

    pub fn remove(&mut self, path: &[u8]) -> Option<Entry> {
        let old = self.entries.remove(path);
        self.dirty |= old.is_some();
        old
    }

    /// Write atomically (a temporary file renamed over `path`).
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(HEADER.len() + self.entries.len() * 160);
        out.extend_from_slice(HEADER);
        for (p, e) in &self.entries {
            let s = &e.stat;
            write!(
                out,
                "{:o} {} {}.{} {}.{} {} {} {} {} ",
                s.mode,
                s.size,
                s.mtime.0,
                s.mtime.1,
                s.ctime.0,
                s.ctime.1,
                s.ino,
                s.dev,
                e.sha256.map_or_else(|| "-".to_owned(), hex::encode),
                e.blob.map_or_else(|| "-".to_owned(), |b| b.to_string()),
            )?;
            out.extend_from_slice(p);
            out.push(0);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&out)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        self.dirty = false;
        Ok(())
    }

    /// `Ok(None)` when there is no saved state.
    pub fn load(path: &Path) -> Result<Option<Snapshot>, String> {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let body = data.strip_prefix(HEADER).ok_or("not a trail-watch state file")?;
        let mut entries = BTreeMap::new();
        for record in body.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let (path, entry) = parse_record(record)
                .ok_or_else(|| format!("bad record {:?}", String::from_utf8_lossy(record)))?;
            entries.insert(path, entry);
        }
        Ok(Some(Snapshot { entries, dirty: false }))
    }
}

fn parse_record(record: &[u8]) -> Option<(Vec<u8>, Entry)> {
    let mut fields = record.splitn(9, |&b| b == b' ');
    let mut next = || std::str::from_utf8(fields.next()?).ok();
    let mode = u32::from_str_radix(next()?, 8).ok()?;
    let size = next()?.parse().ok()?;
    let pair = |s: &str| -> Option<(i64, i64)> {
        let (a, b) = s.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let mtime = pair(next()?)?;
    let ctime = pair(next()?)?;
    let ino = next()?.parse().ok()?;
    let dev = next()?.parse().ok()?;
    let sha256 = match next()? {
        "-" => None,
        text => Some(<[u8; 32]>::try_from(hex::decode(text).ok()?).ok()?),
    };
    let blob = match next()? {
        "-" => None,
        text => Some(ObjectId::from_hex(text.as_bytes()).ok()?),
    };
    let path = fields.next()?.to_vec();
    if path.is_empty() {
        return None;
    }
    let stat = StatKey { size, mtime, ctime, ino, dev, mode };
    Some((path, Entry { stat, sha256, blob }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_with_odd_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("state");
        let mut snap = Snapshot::default();
        let stat =
            StatKey { size: 3, mtime: (1, 2), ctime: (3, 4), ino: 5, dev: 6, mode: 0o100755 };
        snap.insert(b"a b/c\nd\xff".to_vec(), Entry { stat, sha256: Some([7; 32]), blob: None });
        snap.insert(
            b"x".to_vec(),
            Entry { stat, sha256: None, blob: Some(ObjectId::empty_blob(gix::hash::Kind::Sha1)) },
        );
        snap.save(&file).expect("save");
        assert!(!snap.dirty);
        let loaded = Snapshot::load(&file).expect("load").expect("present");
        assert_eq!(loaded.entries, snap.entries);
        assert_eq!(snap.under(b"a b"), vec![b"a b/c\nd\xff".to_vec()]);
        assert!(Snapshot::load(&dir.path().join("missing")).expect("ok").is_none());
    }
}
