//! The last reported state of every file: what changes are judged against.
//!
//! Saved between runs in a small file of our own (see [`Snapshot::save`]):
//! a header line `trail-watch state 1`, then one record per file, each ended
//! by a NUL byte (paths may hold anything but NUL):
//! `MODE SIZE MTIME_S.MTIME_NS CTIME_S.CTIME_NS INO DEV SHA256|- BLOB|- PATH`
//! with MODE in octal and the hashes in lowercase hex. Records are in path
//! order.
//!
//! # In memory
//! A 100,000-file tree is held in about 12 MB (issue 5 wants the idle
//! watcher under 40 MB): a sorted *base* — every path back to back in one
//! [`PathList`], and one fixed-size [`Packed`] record per path, SHA-256s
//! (known only for files read since the start) on the side — plus a small
//! *overlay* map of the changes since the base was built. The overlay is
//! merged into a new base once it holds [`MERGE_AT`] paths, so an insert
//! costs a map insert, and a burst of changes a few merges of a few ms.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};
use std::iter::Peekable;
use std::path::Path;

use gix::ObjectId;

use crate::content::StatKey;
use crate::paths::PathList;

const HEADER: &[u8] = b"trail-watch state 1\n";

/// The overlay is merged into the base when it holds this many paths.
const MERGE_AT: usize = 4096;
/// ... and, when the watcher goes idle, when it holds this many ([`Snapshot::compact`]).
const COMPACT_AT: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// An [`Entry`] without its SHA-256, fields ordered to leave no padding.
#[derive(Debug, Clone, Copy)]
struct Packed {
    size: u64,
    mtime_s: i64,
    ctime_s: i64,
    ino: u64,
    dev: u64,
    mtime_ns: u32,
    ctime_ns: u32,
    mode: u32,
    blob: Option<ObjectId>,
}

impl Packed {
    fn of(e: &Entry) -> Packed {
        let s = &e.stat;
        Packed {
            size: s.size,
            mtime_s: s.mtime.0,
            ctime_s: s.ctime.0,
            ino: s.ino,
            dev: s.dev,
            // Nanoseconds are below 10^9: they fit (stat never says otherwise).
            mtime_ns: u32::try_from(s.mtime.1).unwrap_or(u32::MAX),
            ctime_ns: u32::try_from(s.ctime.1).unwrap_or(u32::MAX),
            mode: s.mode,
            blob: e.blob,
        }
    }

    fn entry(&self, sha256: Option<[u8; 32]>) -> Entry {
        let stat = StatKey {
            size: self.size,
            mtime: (self.mtime_s, i64::from(self.mtime_ns)),
            ctime: (self.ctime_s, i64::from(self.ctime_ns)),
            ino: self.ino,
            dev: self.dev,
            mode: self.mode,
        };
        Entry { stat, sha256, blob: self.blob }
    }
}

/// The sorted, compact part.
#[derive(Debug, Default)]
struct Base {
    paths: PathList,
    packed: Vec<Packed>,
    /// By index into `paths`, in that order (entries are pushed in path
    /// order): 36 bytes a file whose SHA-256 is known, where a hash map
    /// took ~60 (its table is a power of two, at most 7/8 full).
    sha256: Vec<(u32, [u8; 32])>,
}

impl Base {
    /// Append an entry after the last one; `false` if out of order.
    fn push(&mut self, path: &[u8], entry: &Entry) -> bool {
        if !self.paths.push(path) {
            return false;
        }
        self.packed.push(Packed::of(entry));
        if let Some(sha) = entry.sha256 {
            // More than 4 billion files cannot be in memory anyway.
            let i = u32::try_from(self.packed.len() - 1).unwrap_or(u32::MAX);
            self.sha256.push((i, sha));
        }
        true
    }

    fn entry(&self, i: usize) -> Entry {
        let sha = u32::try_from(i).ok().and_then(|i| {
            let at = self.sha256.binary_search_by_key(&i, |(j, _)| *j).ok()?;
            Some(self.sha256[at].1)
        });
        self.packed[i].entry(sha)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    base: Base,
    /// Changes since `base` was built: `None` removes a base entry.
    overlay: BTreeMap<Vec<u8>, Option<Entry>>,
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
    /// A snapshot holding `entries` (in any order; a later duplicate wins).
    pub fn build(mut entries: Vec<(Vec<u8>, Entry)>) -> Snapshot {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut base = Base {
            paths: PathList::with_capacity(entries.len(), entries.iter().map(|e| e.0.len()).sum()),
            packed: Vec::with_capacity(entries.len()),
            sha256: Vec::new(),
        };
        let mut overlay = BTreeMap::new();
        for (path, entry) in entries {
            if !base.push(&path, &entry) {
                overlay.insert(path, Some(entry));
            }
        }
        let mut snapshot = Snapshot { base, overlay, dirty: true };
        snapshot.merge();
        snapshot
    }

    pub fn get(&self, path: &[u8]) -> Option<Entry> {
        match self.overlay.get(path) {
            Some(entry) => *entry,
            None => self.base.paths.find(path).ok().map(|i| self.base.entry(i)),
        }
    }

    pub fn contains(&self, path: &[u8]) -> bool {
        match self.overlay.get(path) {
            Some(entry) => entry.is_some(),
            None => self.base.paths.contains(path),
        }
    }

    /// Every entry in path order, starting at `from`.
    pub fn iter_from(&self, from: &[u8]) -> Iter<'_> {
        Iter {
            base: &self.base,
            next: self.base.paths.lower_bound(from),
            overlay: self
                .overlay
                .range::<[u8], _>((std::ops::Bound::Included(from), std::ops::Bound::Unbounded))
                .peekable(),
        }
    }

    /// Every path, in order.
    pub fn paths(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.iter_from(b"").map(|(p, _)| p.to_vec())
    }

    /// Every file below the directory `dir`.
    pub fn under(&self, dir: &[u8]) -> Vec<Vec<u8>> {
        let prefix = dir_prefix(dir);
        self.iter_from(&prefix)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.to_vec())
            .collect()
    }

    pub fn insert(&mut self, path: Vec<u8>, entry: Entry) {
        self.overlay.insert(path, Some(entry));
        self.dirty = true;
        if self.overlay.len() >= MERGE_AT {
            self.merge();
        }
    }

    pub fn remove(&mut self, path: &[u8]) -> Option<Entry> {
        let old = self.get(path);
        if old.is_some() {
            if self.base.paths.contains(path) {
                self.overlay.insert(path.to_vec(), None);
            } else {
                self.overlay.remove(path);
            }
            self.dirty = true;
            if self.overlay.len() >= MERGE_AT {
                self.merge();
            }
        }
        old
    }

    /// Fold a sizeable overlay into the base, its spare capacity released:
    /// for an idle watcher, after a burst. A few changes stay in the overlay
    /// (folding them in costs a new base, 12 MB on a 100,000-file tree, for
    /// a few hundred bytes).
    pub fn compact(&mut self) {
        if self.overlay.len() < COMPACT_AT {
            return;
        }
        self.merge();
    }

    /// Fold the overlay into a new base.
    fn merge(&mut self) {
        if self.overlay.is_empty() {
            return;
        }
        let (mut count, mut bytes) = (self.base.paths.len(), 0);
        for (path, entry) in &self.overlay {
            if entry.is_some() {
                count += 1;
                bytes += path.len();
            }
        }
        let mut base = Base {
            paths: PathList::with_capacity(count, bytes + self.base.paths.len() * 40),
            packed: Vec::with_capacity(count),
            sha256: Vec::new(),
        };
        for (path, entry) in self.iter_from(b"") {
            base.push(path, &entry);
        }
        base.paths.shrink_to_fit();
        base.sha256.shrink_to_fit();
        self.base = base;
        self.overlay = BTreeMap::new();
    }

    /// Write atomically (a temporary file renamed over `path`).
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        {
            let file = std::fs::File::create(&tmp)?;
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
            out.write_all(HEADER)?;
            for (p, e) in self.iter_from(b"") {
                let s = &e.stat;
                write!(
                    out,
                    "{:o} {} {}.{} {}.{} {} {} ",
                    s.mode, s.size, s.mtime.0, s.mtime.1, s.ctime.0, s.ctime.1, s.ino, s.dev,
                )?;
                match e.sha256 {
                    Some(sha) => write!(out, "{} ", hex::encode(sha))?,
                    None => out.write_all(b"- ")?,
                }
                match e.blob {
                    Some(blob) => write!(out, "{blob} ")?,
                    None => out.write_all(b"- ")?,
                }
                out.write_all(p)?;
                out.write_all(&[0])?;
            }
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        self.dirty = false;
        Ok(())
    }

    /// `Ok(None)` when there is no saved state. Read record by record, straight
    /// into the compact form (the file of a 100,000-file tree is 13 MB).
    pub fn load(path: &Path) -> Result<Option<Snapshot>, String> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut input = std::io::BufReader::with_capacity(256 * 1024, file);
        let mut header = vec![0; HEADER.len()];
        std::io::Read::read_exact(&mut input, &mut header).map_err(|e| e.to_string())?;
        if header != HEADER {
            return Err("not a trail-watch state file".into());
        }
        // About 130 bytes a record, a third of them the path.
        let guess = usize::try_from(size / 130).unwrap_or(0);
        let mut base = Base {
            paths: PathList::with_capacity(guess, guess * 45),
            packed: Vec::with_capacity(guess),
            sha256: Vec::new(),
        };
        let mut record = Vec::new();
        loop {
            record.clear();
            if input.read_until(0, &mut record).map_err(|e| e.to_string())? == 0 {
                break;
            }
            if record.last() == Some(&0) {
                record.pop();
            }
            if record.is_empty() {
                continue;
            }
            let bad = || format!("bad record {:?}", String::from_utf8_lossy(&record));
            let (path, entry) = parse_record(&record).ok_or_else(bad)?;
            if !base.push(path, &entry) {
                return Err(format!("record out of order: {:?}", String::from_utf8_lossy(path)));
            }
        }
        base.paths.shrink_to_fit();
        base.packed.shrink_to_fit();
        base.sha256.shrink_to_fit();
        Ok(Some(Snapshot { base, overlay: BTreeMap::new(), dirty: false }))
    }
}

/// Entries in path order: the base and the overlay merged.
pub(crate) struct Iter<'a> {
    base: &'a Base,
    next: usize,
    overlay: Peekable<std::collections::btree_map::Range<'a, Vec<u8>, Option<Entry>>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], Entry);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let base = (self.next < self.base.paths.len()).then(|| self.base.paths.get(self.next));
            let over = self.overlay.peek().map(|(p, _)| p.as_slice());
            match (base, over) {
                (None, None) => return None,
                (Some(b), o) if o.is_none_or(|o| b < o) => {
                    self.next += 1;
                    return Some((b, self.base.entry(self.next - 1)));
                }
                (b, Some(o)) => {
                    if b == Some(o) {
                        self.next += 1; // replaced or removed by the overlay
                    }
                    let (path, entry) = self.overlay.next().expect("peeked");
                    if let Some(entry) = entry {
                        return Some((path.as_slice(), *entry));
                    }
                    let _ = o;
                }
                (Some(_), None) => unreachable!("handled by the first arm"),
            }
        }
    }
}

fn parse_record(record: &[u8]) -> Option<(&[u8], Entry)> {
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
        text => {
            let mut sha = [0u8; 32];
            hex::decode_to_slice(text, &mut sha).ok()?;
            Some(sha)
        }
    };
    let blob = match next()? {
        "-" => None,
        text => Some(ObjectId::from_hex(text.as_bytes()).ok()?),
    };
    let path = fields.next()?;
    if path.is_empty() {
        return None;
    }
    let stat = StatKey { size, mtime, ctime, ino, dev, mode };
    Some((path, Entry { stat, sha256, blob }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u64) -> Entry {
        let stat = StatKey {
            size: n,
            mtime: (1, 2),
            ctime: (3, 999_999_999),
            ino: 5,
            dev: 6,
            mode: 0o100755,
        };
        Entry { stat, sha256: None, blob: None }
    }

    fn all(snap: &Snapshot) -> Vec<(Vec<u8>, Entry)> {
        snap.iter_from(b"").map(|(p, e)| (p.to_vec(), e)).collect()
    }

    #[test]
    fn state_round_trips_with_odd_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("state");
        let mut snap = Snapshot::default();
        snap.insert(b"a b/c\nd\xff".to_vec(), Entry { sha256: Some([7; 32]), ..entry(3) });
        snap.insert(
            b"x".to_vec(),
            Entry { blob: Some(ObjectId::empty_blob(gix::hash::Kind::Sha1)), ..entry(3) },
        );
        snap.save(&file).expect("save");
        assert!(!snap.dirty);
        let loaded = Snapshot::load(&file).expect("load").expect("present");
        assert_eq!(all(&loaded), all(&snap));
        assert_eq!(loaded.get(b"a b/c\nd\xff"), snap.get(b"a b/c\nd\xff"));
        assert_eq!(snap.under(b"a b"), vec![b"a b/c\nd\xff".to_vec()]);
        assert_eq!(loaded.under(b"a b"), vec![b"a b/c\nd\xff".to_vec()]);
        assert!(Snapshot::load(&dir.path().join("missing")).expect("ok").is_none());
    }

    // The compact form must answer exactly as the map it replaced, across
    // merges of the overlay into the base.
    #[test]
    fn behaves_as_a_map_across_merges() {
        let mut snap = Snapshot::build(
            (0..3000).map(|i| (format!("d{}/f{i}", i % 7).into_bytes(), entry(i))).collect(),
        );
        let mut model: BTreeMap<Vec<u8>, Entry> = all(&snap).into_iter().collect();
        assert_eq!(model.len(), 3000);
        for round in 0..3 * MERGE_AT as u64 {
            let i = round * 7919 % 5000;
            let path = format!("d{}/f{i}", i % 7).into_bytes();
            if round % 3 == 0 {
                assert_eq!(snap.remove(&path), model.remove(&path), "remove {i}");
            } else {
                let e =
                    Entry { sha256: (round % 2 == 0).then_some([round as u8; 32]), ..entry(round) };
                snap.insert(path.clone(), e);
                model.insert(path, e);
            }
            if round % 1000 == 0 {
                assert_eq!(
                    all(&snap),
                    model.iter().map(|(p, e)| (p.clone(), *e)).collect::<Vec<_>>()
                );
            }
        }
        assert_eq!(all(&snap), model.iter().map(|(p, e)| (p.clone(), *e)).collect::<Vec<_>>());
        for (path, e) in &model {
            assert_eq!(snap.get(path), Some(*e));
            assert!(snap.contains(path));
        }
        assert!(!snap.contains(b"d0") && snap.get(b"nope").is_none());
        let under: Vec<Vec<u8>> = model.keys().filter(|k| k.starts_with(b"d3/")).cloned().collect();
        assert_eq!(snap.under(b"d3"), under);
    }

    // An idle watcher folds a burst's overlay into the base (issue 18: the
    // overlay's small allocations stayed resident); what the snapshot holds
    // is unchanged, and a handful of changes are left where they are.
    #[test]
    fn compacting_folds_a_large_overlay_and_keeps_every_entry() {
        let mut snap = Snapshot::build(
            (0..100).map(|i| (format!("a/{i:03}").into_bytes(), entry(i))).collect(),
        );
        for i in 0..10 {
            snap.insert(format!("b/{i:03}").into_bytes(), entry(i));
        }
        snap.compact();
        assert_eq!(snap.overlay.len(), 10, "a few changes stay in the overlay");
        for i in 0..COMPACT_AT as u64 {
            let sha = (i % 3 == 0).then_some([i as u8; 32]);
            snap.insert(format!("c/{i:04}").into_bytes(), Entry { sha256: sha, ..entry(i) });
        }
        snap.remove(b"a/007");
        let before = all(&snap);
        snap.compact();
        assert!(snap.overlay.is_empty(), "the overlay is folded in");
        assert_eq!(all(&snap), before);
        assert_eq!(snap.get(b"c/0003").and_then(|e| e.sha256), Some([3; 32]));
        assert_eq!(snap.get(b"c/0004").and_then(|e| e.sha256), None);
        assert!(snap.get(b"a/007").is_none() && snap.get(b"b/009").is_some());
    }
}
