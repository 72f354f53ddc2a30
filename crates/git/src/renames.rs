//! Rename detection as `git log -M` does it (git 2.47, `diffcore-rename.c`
//! and `diffcore-delta.c`), so that what `trail import` records pairs the same
//! deleted and added files as `git log --name-status -M` shows.
//!
//! gix's rename tracker measures similarity with a line diff and breaks ties
//! its own way; git counts shared content chunks ("spanhash") and has its own
//! order of preference. Over real histories the two disagree on files with few
//! long lines, on empty files and on equally good candidates, so trail does the
//! pairing itself, step by step as git does:
//!
//! 1. **Exact renames**: a destination whose blob id equals a source's is
//!    paired with it without reading either blob (a symlink or submodule only
//!    with the same mode). Among several such sources the first one (in path
//!    order, except where git's hash table reverses it) with the same basename
//!    wins, else the first one; empty files take part like any other
//!    (`diff.renameEmpty` is on for `git log`).
//! 2. **Basename matches**: a source and a destination whose basename
//!    (`a/b/c.rs` → `c.rs`) is unique among the sources and among the
//!    destinations left are paired when at least 75% similar.
//! 3. **The score matrix**, unless the sources times the destinations left
//!    exceed the rename limit squared: every destination keeps its four best
//!    sources (score, then same basename), all kept candidates are sorted the
//!    same way (stably), and pairs are taken from the top when at least 50%
//!    similar and both sides are still free.
//!
//! Similarity is git's: content is cut into chunks that end at a newline,
//! after 64 bytes or at the end of the blob (a CR before a LF is ignored in
//! text), each hashed into one of 107,927 buckets; the bytes a destination
//! shares with a source, bucket by bucket, over the larger size, scaled to
//! 60,000. Only regular files are compared by content.
//!
//! Two differences remain. Git asks `.gitattributes` whether a file is binary
//! (`binary`, `-diff`); trail looks only at the content (a NUL byte in the
//! first 8,000 bytes, as git does without attributes): it matters only for a
//! file marked binary that holds CRLF line ends and no NUL byte. And the
//! rename limit is git's default, not the repository's `diff.renameLimit`, so
//! that what is recorded does not depend on local configuration.
//!
//! Blobs are read only when needed: exact matches compare object ids, sizes
//! come from object headers and rule out most pairs, and each blob is hashed
//! at most once per call.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;

use gix::ObjectId;
use gix::object::tree::EntryKind;

/// `diff.renameLimit` as `git log` has it without configuration.
pub(crate) const DEFAULT_RENAME_LIMIT: usize = 1000;

/// Git's similarity scale (`MAX_SCORE` in diffcore.h): 60,000 is identical.
const MAX_SCORE: f64 = 60000.0;
/// `-M` without a number: 50%.
const MINIMUM_SCORE: u16 = 30000;
/// What a basename match needs: halfway between the minimum and identical
/// (`GIT_BASENAME_FACTOR` 50), i.e. 75%.
const MINIMUM_BASENAME_SCORE: u16 =
    MINIMUM_SCORE + ((MAX_SCORE - MINIMUM_SCORE as f64) * 0.5) as u16;
/// How many sources each destination remembers in the score matrix.
const CANDIDATES_PER_DESTINATION: usize = 4;
/// How many identical sources an exact match looks at before taking the best so far.
const IDENTICAL_ALTERNATIVES: usize = 100;

/// A deleted or an added file of a tree diff.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    pub path: &'a [u8],
    pub id: ObjectId,
    /// The canonical mode (git canonicalizes tree modes when it reads them).
    pub kind: EntryKind,
}

/// Where the blobs of a diff come from: the repository, or a table in tests.
pub(crate) trait Blobs {
    type Error;
    /// The size of blob `id` in bytes, without reading its content if possible.
    fn size(&mut self, id: &ObjectId) -> Result<u64, Self::Error>;
    /// Run `f` on the content of blob `id`.
    fn with_data<T>(&mut self, id: &ObjectId, f: impl FnOnce(&[u8]) -> T)
    -> Result<T, Self::Error>;
}

impl Blobs for &gix::Repository {
    type Error = gix::Error;

    fn size(&mut self, id: &ObjectId) -> Result<u64, gix::Error> {
        Ok(self.find_header(*id)?.size())
    }

    fn with_data<T>(&mut self, id: &ObjectId, f: impl FnOnce(&[u8]) -> T) -> Result<T, gix::Error> {
        let blob = self.find_blob(*id)?;
        Ok(f(&blob.data))
    }
}

/// The renames among `deleted` and `added` as pairs of indices (into
/// `deleted`, into `added`), at most one pair per file, as `git log -M`
/// (no copies, 50% similarity) with rename limit `limit` (0: none) finds them.
/// The order of the inputs does not matter: like git, this works in path order.
pub(crate) fn detect<B: Blobs>(
    deleted: &[Side<'_>],
    added: &[Side<'_>],
    limit: usize,
    blobs: &mut B,
) -> Result<Vec<(usize, usize)>, B::Error> {
    if deleted.is_empty() || added.is_empty() {
        return Ok(Vec::new());
    }
    let mut state = State::new(deleted, added, blobs);
    state.exact();
    state.by_basename()?;
    state.by_score_matrix(limit)?;
    Ok(state.pairs())
}

/// Whether git's `hashmap` made for `n` entries (`hashmap_init(.., n)`)
/// grows when the last of them is added: it then rehashes, which reverses
/// the order of the entries sharing a bucket (n = 205, 3277, 52429, ...).
fn table_grows_at_last_insertion(n: usize) -> bool {
    // hashmap.c: HASHMAP_INITIAL_SIZE 64, HASHMAP_RESIZE_BITS 2,
    // HASHMAP_LOAD_FACTOR 80, all in `unsigned int`.
    let n = n as u64;
    let initial = n * 100 / 80;
    let mut size: u64 = 64;
    while initial > size {
        size <<= 2;
    }
    n > size * 80 / 100
}

fn is_regular(kind: EntryKind) -> bool {
    matches!(kind, EntryKind::Blob | EntryKind::BlobExecutable)
}

/// The part of `path` after its last `/`.
fn basename(path: &[u8]) -> &[u8] {
    path.iter().rposition(|b| *b == b'/').map_or(path, |slash| &path[slash + 1..])
}

/// Whether both paths end in the same file name (git's `basename_same`).
fn basename_same(src: &[u8], dst: &[u8]) -> bool {
    let (mut i, mut j) = (src.len(), dst.len());
    while i > 0 && j > 0 {
        i -= 1;
        j -= 1;
        if src[i] != dst[j] {
            return false;
        }
        if src[i] == b'/' {
            return true;
        }
    }
    (i == 0 || src[i - 1] == b'/') && (j == 0 || dst[j - 1] == b'/')
}

/// A blob's content chunks: (bucket, bytes in chunks of that bucket), sorted
/// by bucket (git's `hash_chars`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanHash(Vec<(u32, u64)>);

/// The number of buckets chunk hashes fall into (`HASHBASE`).
const HASHBASE: u32 = 107927;
/// How much of a blob git looks at to tell binary from text (`FIRST_FEW_BYTES`).
const FIRST_FEW_BYTES: usize = 8000;

impl SpanHash {
    pub(crate) fn new(data: &[u8]) -> SpanHash {
        let is_text = !data[..data.len().min(FIRST_FEW_BYTES)].contains(&0);
        let mut chunks: Vec<(u32, u64)> = Vec::with_capacity(data.len() / 32 + 1);
        let (mut accum1, mut accum2, mut n) = (0u32, 0u32, 0u64);
        for (i, &byte) in data.iter().enumerate() {
            // A CR right before a LF is not content in text.
            if is_text && byte == b'\r' && data.get(i + 1) == Some(&b'\n') {
                continue;
            }
            let c = u32::from(byte);
            let old1 = accum1;
            accum1 = (accum1 << 7) ^ (accum2 >> 25);
            accum2 = (accum2 << 7) ^ (old1 >> 25);
            accum1 = accum1.wrapping_add(c);
            n += 1;
            if n < 64 && byte != b'\n' {
                continue;
            }
            chunks.push((accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE, n));
            (accum1, accum2, n) = (0, 0, 0);
        }
        // The rest after the last newline is a chunk too (git 2.43.2 and later).
        if n > 0 {
            chunks.push((accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE, n));
        }
        chunks.sort_unstable_by_key(|(hash, _)| *hash);
        let mut merged: Vec<(u32, u64)> = Vec::with_capacity(chunks.len());
        for (hash, count) in chunks {
            match merged.last_mut() {
                Some((last, total)) if *last == hash => *total += count,
                _ => merged.push((hash, count)),
            }
        }
        SpanHash(merged)
    }

    /// The bytes of `dst` that `self` (the source) accounts for, bucket by
    /// bucket (`src_copied` of git's `diffcore_count_changes`).
    pub(crate) fn copied_into(&self, dst: &SpanHash) -> u64 {
        let (src, dst) = (&self.0, &dst.0);
        let (mut i, mut j, mut copied) = (0, 0, 0);
        while i < src.len() && j < dst.len() {
            match src[i].0.cmp(&dst[j].0) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal => {
                    copied += src[i].1.min(dst[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        copied
    }
}

/// Git's score of how much of `dst` comes from `src`, given their sizes and
/// chunk hashes (0..=60,000).
pub(crate) fn similarity(src_size: u64, dst_size: u64, src: &SpanHash, dst: &SpanHash) -> u16 {
    if dst_size == 0 {
        return 0;
    }
    let max_size = src_size.max(dst_size);
    (src.copied_into(dst) as f64 * MAX_SCORE / max_size as f64) as u16
}

/// Whether two sizes differ too much for a score of `minimum` to be possible.
fn sizes_too_different(src_size: u64, dst_size: u64, minimum: u16) -> bool {
    let max_size = src_size.max(dst_size) as f64;
    let delta = (src_size.max(dst_size) - src_size.min(dst_size)) as f64;
    max_size * (MAX_SCORE - f64::from(minimum)) < delta * MAX_SCORE
}

/// A candidate of the score matrix (git's `struct diff_score`); `dst` is
/// `None` for an empty slot.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    src: usize,
    dst: Option<usize>,
    score: u16,
    same_basename: bool,
}

const EMPTY_SLOT: Candidate = Candidate { src: 0, dst: None, score: 0, same_basename: false };

/// Git's `score_compare`: best first (higher score, then same basename),
/// empty slots last.
fn score_order(a: &Candidate, b: &Candidate) -> Ordering {
    match (a.dst, b.dst) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(_), Some(_)) if a.score == b.score => b.same_basename.cmp(&a.same_basename),
        (Some(_), Some(_)) => b.score.cmp(&a.score),
    }
}

/// Keep `candidate` among a destination's best four (git's `record_if_better`,
/// including which of equally bad slots it replaces).
fn record_if_better(slots: &mut [Candidate; CANDIDATES_PER_DESTINATION], candidate: Candidate) {
    let mut worst = 0;
    for i in 1..CANDIDATES_PER_DESTINATION {
        if score_order(&slots[i], &slots[worst]) == Ordering::Greater {
            worst = i;
        }
    }
    if score_order(&slots[worst], &candidate) == Ordering::Greater {
        slots[worst] = candidate;
    }
}

struct State<'s, 'p, B: Blobs> {
    /// Sources in path order (git's `rename_src`).
    src: Vec<Side<'p>>,
    /// Their index in the caller's `deleted`.
    src_index: Vec<usize>,
    src_used: Vec<bool>,
    /// Destinations in path order (git's `rename_dst`).
    dst: Vec<Side<'p>>,
    dst_index: Vec<usize>,
    /// The source (position in `src`) each destination was paired with.
    dst_pair: Vec<Option<usize>>,
    blobs: &'s mut B,
    sizes: HashMap<ObjectId, u64>,
    hashes: HashMap<ObjectId, SpanHash>,
}

impl<'s, 'p, B: Blobs> State<'s, 'p, B> {
    fn new(deleted: &[Side<'p>], added: &[Side<'p>], blobs: &'s mut B) -> Self {
        let by_path = |sides: &[Side<'p>]| {
            let mut order: Vec<usize> = (0..sides.len()).collect();
            order.sort_by(|a, b| sides[*a].path.cmp(sides[*b].path));
            let sorted = order.iter().map(|i| sides[*i]).collect::<Vec<_>>();
            (sorted, order)
        };
        let (src, src_index) = by_path(deleted);
        let (dst, dst_index) = by_path(added);
        State {
            src_used: vec![false; src.len()],
            dst_pair: vec![None; dst.len()],
            src,
            src_index,
            dst,
            dst_index,
            blobs,
            sizes: HashMap::new(),
            hashes: HashMap::new(),
        }
    }

    fn record(&mut self, src: usize, dst: usize) {
        debug_assert!(self.dst_pair[dst].is_none() && !self.src_used[src]);
        self.dst_pair[dst] = Some(src);
        self.src_used[src] = true;
    }

    /// The sources not paired yet, in path order.
    fn free_sources(&self) -> Vec<usize> {
        (0..self.src.len()).filter(|s| !self.src_used[*s]).collect()
    }

    /// Git's `find_exact_renames`.
    fn exact(&mut self) {
        // The identical sources of a destination, in the order git visits
        // them: path order, except for the source counts at which git's hash
        // table grows on its last insertion, which reverses its chains.
        let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
        let mut order: Vec<usize> = (0..self.src.len()).collect();
        if table_grows_at_last_insertion(self.src.len()) {
            order.reverse();
        }
        for s in order {
            by_id.entry(self.src[s].id).or_default().push(s);
        }
        for d in 0..self.dst.len() {
            let target = self.dst[d];
            let Some(sources) = by_id.get(&target.id) else { continue };
            let (mut best, mut best_score) = (None, 0);
            let mut budget = IDENTICAL_ALTERNATIVES;
            for &s in sources {
                let source = &self.src[s];
                // Symlinks and submodules pair only with the very same mode.
                if !(is_regular(source.kind) && is_regular(target.kind))
                    && source.kind != target.kind
                {
                    continue;
                }
                if self.src_used[s] {
                    continue;
                }
                let score = 1 + u8::from(basename_same(source.path, target.path));
                if score > best_score {
                    (best, best_score) = (Some(s), score);
                    if score == 2 {
                        break;
                    }
                }
                budget -= 1;
                if budget == 0 {
                    break;
                }
            }
            if let Some(s) = best {
                self.record(s, d);
            }
        }
    }

    /// Git's `find_basename_matches` (without directory-rename guesses, which
    /// only merges use).
    fn by_basename(&mut self) -> Result<(), B::Error> {
        let sources = self.free_sources();
        if sources.is_empty() {
            return Ok(());
        }
        // Basename -> the only source (destination) with it, `None` if several.
        let mut unique_src: HashMap<&[u8], Option<usize>> = HashMap::new();
        for &s in &sources {
            match unique_src.entry(basename(self.src[s].path)) {
                MapEntry::Occupied(mut e) => *e.get_mut() = None,
                MapEntry::Vacant(e) => {
                    e.insert(Some(s));
                }
            }
        }
        let mut unique_dst: HashMap<&[u8], Option<usize>> = HashMap::new();
        for d in (0..self.dst.len()).filter(|d| self.dst_pair[*d].is_none()) {
            match unique_dst.entry(basename(self.dst[d].path)) {
                MapEntry::Occupied(mut e) => *e.get_mut() = None,
                MapEntry::Vacant(e) => {
                    e.insert(Some(d));
                }
            }
        }
        for &s in &sources {
            let base = basename(self.src[s].path);
            let (Some(Some(_)), Some(Some(d))) = (unique_src.get(base), unique_dst.get(base))
            else {
                continue;
            };
            let d = *d;
            if self.dst_pair[d].is_some() {
                continue;
            }
            if self.estimate(s, d, MINIMUM_BASENAME_SCORE)? >= MINIMUM_BASENAME_SCORE {
                self.record(s, d);
            }
        }
        Ok(())
    }

    /// Git's inexact rename detection: the score matrix.
    fn by_score_matrix(&mut self, limit: usize) -> Result<(), B::Error> {
        let sources = self.free_sources();
        let destinations: Vec<usize> =
            (0..self.dst.len()).filter(|d| self.dst_pair[*d].is_none()).collect();
        if sources.is_empty() || destinations.is_empty() {
            return Ok(());
        }
        // git skips inexact detection when the matrix would be larger than
        // `limit` squared (`too_many_rename_candidates`).
        if limit > 0
            && (sources.len() as u128) * (destinations.len() as u128) > (limit as u128).pow(2)
        {
            return Ok(());
        }
        let mut matrix: Vec<Candidate> =
            Vec::with_capacity(destinations.len() * CANDIDATES_PER_DESTINATION);
        for &d in &destinations {
            let mut slots = [EMPTY_SLOT; CANDIDATES_PER_DESTINATION];
            for &s in &sources {
                let score = self.estimate(s, d, MINIMUM_SCORE)?;
                let same_basename = basename_same(self.src[s].path, self.dst[d].path);
                record_if_better(
                    &mut slots,
                    Candidate { src: s, dst: Some(d), score, same_basename },
                );
            }
            matrix.extend(slots);
        }
        // Stable, as git's STABLE_QSORT: equal candidates keep the order above.
        matrix.sort_by(score_order);
        for candidate in matrix {
            let Some(d) = candidate.dst else { break };
            if candidate.score < MINIMUM_SCORE {
                break;
            }
            if self.dst_pair[d].is_some() || self.src_used[candidate.src] {
                continue;
            }
            self.record(candidate.src, d);
        }
        Ok(())
    }

    /// Git's `estimate_similarity` of source `s` and destination `d`: 0 when
    /// either is not a regular file or their sizes rule out `minimum`.
    fn estimate(&mut self, s: usize, d: usize, minimum: u16) -> Result<u16, B::Error> {
        let (src, dst) = (self.src[s], self.dst[d]);
        if !is_regular(src.kind) || !is_regular(dst.kind) {
            return Ok(0);
        }
        let src_size = self.size(&src.id)?;
        let dst_size = self.size(&dst.id)?;
        if sizes_too_different(src_size, dst_size, minimum) {
            return Ok(0);
        }
        self.hash(&src.id)?;
        self.hash(&dst.id)?;
        // Both were just computed.
        Ok(similarity(src_size, dst_size, &self.hashes[&src.id], &self.hashes[&dst.id]))
    }

    fn size(&mut self, id: &ObjectId) -> Result<u64, B::Error> {
        if let Some(size) = self.sizes.get(id) {
            return Ok(*size);
        }
        let size = self.blobs.size(id)?;
        self.sizes.insert(*id, size);
        Ok(size)
    }

    fn hash(&mut self, id: &ObjectId) -> Result<(), B::Error> {
        if !self.hashes.contains_key(id) {
            let hash = self.blobs.with_data(id, SpanHash::new)?;
            self.hashes.insert(*id, hash);
        }
        Ok(())
    }

    /// The pairs found, as indices into the caller's lists.
    fn pairs(&self) -> Vec<(usize, usize)> {
        self.dst_pair
            .iter()
            .enumerate()
            .filter_map(|(d, s)| s.map(|s| (self.src_index[s], self.dst_index[d])))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lines` lines of `width` letters (a pattern shifted by `seed`), each
    /// ending in LF or CRLF: the contents the figures below were taken from.
    fn text(lines: usize, width: usize, seed: usize, crlf: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for j in 0..lines {
            out.extend((0..width).map(|i| b'a' + ((i * 7 + j * 13 + seed) % 26) as u8));
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out
    }

    /// `text(20, 30, 9, false)` with the first letter of each of `lines` changed.
    fn twenty_lines(changed: &[usize]) -> Vec<u8> {
        let mut out = text(20, 30, 9, false);
        for line in changed {
            out[line * 31] = b'#';
        }
        out
    }

    fn percent(score: u16) -> u32 {
        // What `--name-status` prints after R (`similarity_index`).
        (f64::from(score) * 100.0 / MAX_SCORE) as u32
    }

    fn score(src: &[u8], dst: &[u8]) -> u16 {
        similarity(src.len() as u64, dst.len() as u64, &SpanHash::new(src), &SpanHash::new(dst))
    }

    /// Blobs held in memory; counts what is read.
    #[derive(Default)]
    struct Table {
        blobs: HashMap<ObjectId, Vec<u8>>,
        sizes_read: usize,
        contents_read: Vec<ObjectId>,
    }

    impl Table {
        fn add(&mut self, data: &[u8]) -> ObjectId {
            let id = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, data)
                .expect("hashing in memory");
            self.blobs.insert(id, data.to_vec());
            id
        }
    }

    impl Blobs for Table {
        type Error = String;
        fn size(&mut self, id: &ObjectId) -> Result<u64, String> {
            self.sizes_read += 1;
            self.blobs.get(id).map(|b| b.len() as u64).ok_or_else(|| format!("no blob {id}"))
        }
        fn with_data<T>(&mut self, id: &ObjectId, f: impl FnOnce(&[u8]) -> T) -> Result<T, String> {
            self.contents_read.push(*id);
            self.blobs.get(id).map(|b| f(b)).ok_or_else(|| format!("no blob {id}"))
        }
    }

    /// The renames (from, to) among `deleted` and `added` (path, content).
    fn renames<'a>(
        deleted: &[(&'a str, &[u8])],
        added: &[(&'a str, &[u8])],
        limit: usize,
    ) -> Vec<(String, String)> {
        let mut table = Table::default();
        let mut sides = |files: &[(&'a str, &[u8])]| -> Vec<Side<'a>> {
            files
                .iter()
                .map(|(path, data)| Side {
                    path: path.as_bytes(),
                    id: table.add(data),
                    kind: EntryKind::Blob,
                })
                .collect()
        };
        let (src, dst) = (sides(deleted), sides(added));
        let mut pairs: Vec<(String, String)> = detect(&src, &dst, limit, &mut table)
            .expect("all blobs are in the table")
            .into_iter()
            .map(|(s, d)| (deleted[s].0.to_owned(), added[d].0.to_owned()))
            .collect();
        pairs.sort();
        pairs
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> =
            expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        pairs.sort();
        pairs
    }

    // Each figure is what `git diff-tree -M1% --name-status` (git 2.47.3)
    // printed for the same two blobs.
    #[test]
    fn similarity_is_gits() {
        let set = |mut b: Vec<u8>, at: usize, to: u8| {
            b[at] = to;
            b
        };
        // Three lines of 700 bytes, two bytes changed: line-based similarity
        // is 33%; git counts 64-byte chunks (cargo 2ff9e329 was R089).
        let long = text(3, 700, 0, false);
        assert_eq!(percent(score(&long, &set(set(long.clone(), 1000, b'X'), 1800, b'Y'))), 93);
        let short = text(40, 30, 1, false);
        assert_eq!(percent(score(&short, &set(set(short.clone(), 313, b'#'), 623, b'#'))), 95);
        // A CR before a LF is not content in text...
        assert_eq!(percent(score(&text(20, 20, 2, true), &text(20, 20, 2, false))), 95);
        // ...but it is in binary content (a NUL in the first 8,000 bytes).
        let binary = |crlf| [b"\0".as_slice(), &text(20, 20, 2, crlf)].concat();
        assert_eq!(score(&binary(true), &binary(false)), 0);
        // What follows the last newline is a chunk too.
        let mut open = text(5, 100, 3, false);
        open.pop();
        let last = open.len() - 1;
        assert_eq!(percent(score(&open, &set(open.clone(), last, b'#'))), 92);
        assert_eq!(percent(score(&open, &set(open.clone(), 0, b'#'))), 87);
        let base = text(30, 40, 4, false);
        assert_eq!(percent(score(&base, &[base.clone(), text(10, 40, 5, false)].concat())), 75);
        let base = text(10, 40, 6, false);
        let grown = score(&base, &[base.clone(), text(11, 40, 7, false)].concat());
        assert_eq!(percent(grown), 47);
        assert!(grown < MINIMUM_SCORE, "below 50%: git shows A and D");
    }

    #[test]
    fn chunks_end_at_a_newline_or_after_64_bytes() {
        let hash =
            SpanHash::new(&[b"x".repeat(130), b"\nab\n".to_vec(), b"tail".to_vec()].concat());
        let bytes: u64 = hash.0.iter().map(|(_, count)| count).sum();
        // 64 + 64 + 3 ("xx\n") + 3 ("ab\n") + 4 ("tail", no newline).
        assert_eq!(bytes, 138);
        assert!(hash.0.windows(2).all(|w| w[0].0 < w[1].0), "sorted, one entry per bucket");
        assert_eq!(SpanHash::new(b"").copied_into(&hash), 0);
    }

    #[test]
    fn basename_same_compares_whole_file_names() {
        assert!(basename_same(b"a/b/c.rs", b"x/c.rs"));
        assert!(basename_same(b"c.rs", b"x/c.rs"));
        assert!(basename_same(b"c.rs", b"c.rs"));
        assert!(!basename_same(b"a/bc.rs", b"x/c.rs"));
        assert!(!basename_same(b"c.rs", b"xc.rs"));
        assert_eq!(basename(b"a/b/c.rs"), b"c.rs");
        assert_eq!(basename(b"c.rs"), b"c.rs");
    }

    // Figures of this test and the next ones: `git diff-tree -r -M
    // --name-status` (git 2.47.3) on trees holding the same blobs.
    #[test]
    fn exact_renames_prefer_the_same_basename_then_path_order() {
        let c = text(10, 30, 5, false);
        let c = c.as_slice();
        let mut table = Table::default();
        let ids: Vec<ObjectId> = (0..5).map(|_| table.add(c)).collect();
        let side =
            |path: &'static str, id| Side { path: path.as_bytes(), id, kind: EntryKind::Blob };
        let src = [side("a/x.txt", ids[0]), side("b/y.txt", ids[1]), side("c/z.txt", ids[2])];
        let dst = [side("e/w.txt", ids[3]), side("d/y.txt", ids[4])];
        let found = detect(&src, &dst, DEFAULT_RENAME_LIMIT, &mut table).expect("in memory");
        // d/y.txt <- b/y.txt (same name), e/w.txt <- a/x.txt (first in path order).
        assert_eq!(found, vec![(1, 1), (0, 0)]);
        assert_eq!((table.sizes_read, table.contents_read.len()), (0, 0), "no blob read");
    }

    #[test]
    fn identical_sources_go_last_first_where_gits_table_grows() {
        // `git diff-tree -M`: n sources "same\n" d00000.txt.., one new.txt.
        let same: &[u8] = b"same\n";
        for (n, expected) in [(204, 0), (205, 204), (206, 0), (3277, 3276)] {
            let names: Vec<String> = (0..n).map(|i| format!("d{i:05}.txt")).collect();
            let deleted: Vec<(&str, &[u8])> = names.iter().map(|p| (p.as_str(), same)).collect();
            let found = renames(&deleted, &[("new.txt", same)], DEFAULT_RENAME_LIMIT);
            assert_eq!(found, pairs(&[(&names[expected], "new.txt")]), "{n} sources");
        }
        let grows: Vec<usize> = (1..60000).filter(|n| table_grows_at_last_insertion(*n)).collect();
        assert_eq!(grows, [205, 3277, 52429]);
    }

    #[test]
    fn empty_files_are_renamed_like_any_other() {
        // cargo 0028bc21: `.gitkeep` -> `.keep` in six directories, R100 in git.
        let found = renames(
            &[("p/.gitkeep", b""), ("q/.gitkeep", b"")],
            &[("q/.keep", b""), ("p/.keep", b"")],
            DEFAULT_RENAME_LIMIT,
        );
        assert_eq!(found, pairs(&[("p/.gitkeep", "p/.keep"), ("q/.gitkeep", "q/.keep")]));
    }

    #[test]
    fn equally_similar_candidates_go_as_in_git() {
        let (a, b) = (twenty_lines(&[1, 2, 3, 4]), twenty_lines(&[5, 6, 7, 8]));
        let d = twenty_lines(&[]);
        // Two sources, one destination: the first source in path order.
        let found = renames(&[("s2", &b), ("s1", &a)], &[("t", &d)], DEFAULT_RENAME_LIMIT);
        assert_eq!(found, pairs(&[("s1", "t")]));
        // One source, two destinations: the first destination.
        let found = renames(&[("s", &d)], &[("t2", &b), ("t1", &a)], DEFAULT_RENAME_LIMIT);
        assert_eq!(found, pairs(&[("s", "t1")]));
        // More candidates than a destination keeps (four): s4 replaced s0 in
        // the first slot, so it sorts before s1 though s1 comes first by path.
        let s0 = twenty_lines(&[0, 1, 2, 3, 4, 5, 6, 7]);
        let s1 = twenty_lines(&[0, 1, 2, 3]);
        let s2 = twenty_lines(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let s3 = twenty_lines(&[2, 3, 4, 5, 6, 7, 8, 9]);
        let s4 = twenty_lines(&[4, 5, 6, 7]);
        let s5 = twenty_lines(&[8, 9, 10, 11]);
        let sources: [(&str, &[u8]); 6] =
            [("s0", &s0), ("s1", &s1), ("s2", &s2), ("s3", &s3), ("s4", &s4), ("s5", &s5)];
        let found = renames(&sources, &[("t", &d)], DEFAULT_RENAME_LIMIT);
        assert_eq!(found, pairs(&[("s4", "t")]));
    }

    #[test]
    fn a_unique_basename_wins_at_75_percent() {
        let d = twenty_lines(&[]);
        let (foo80, foo70, bar95) =
            (twenty_lines(&[0, 1, 2, 3]), twenty_lines(&[0, 1, 2, 3, 4, 5]), twenty_lines(&[0]));
        let found = renames(
            &[("old/foo.rs", &foo80), ("old/bar.rs", &bar95)],
            &[("new/foo.rs", &d)],
            DEFAULT_RENAME_LIMIT,
        );
        assert_eq!(found, pairs(&[("old/foo.rs", "new/foo.rs")]));
        let found = renames(
            &[("old/foo.rs", &foo70), ("old/bar.rs", &bar95)],
            &[("new/foo.rs", &d)],
            DEFAULT_RENAME_LIMIT,
        );
        assert_eq!(found, pairs(&[("old/bar.rs", "new/foo.rs")]));
    }

    #[test]
    fn the_limit_stops_inexact_detection_only() {
        let (d, c) = (twenty_lines(&[]), text(10, 30, 5, false));
        let deleted: [(&str, &[u8]); 3] = [("a1", &twenty_lines(&[1])), ("a2", &c), ("a3", &d)];
        let added: [(&str, &[u8]); 3] =
            [("b1", &d), ("b2", &[c.as_slice(), b"x\n"].concat()), ("b3", &c)];
        // `git diff-tree -M -l1`: b1 <- a3 and b3 <- a2 are exact; the 1x1
        // matrix left (a1, b2) is within a limit of 1, but not 2x2 under 1.
        assert_eq!(renames(&deleted, &added, 1), pairs(&[("a3", "b1"), ("a2", "b3")]));
        let found = renames(&deleted[..2], &added[..2], 1);
        assert!(found.is_empty(), "{found:?}");
        let found = renames(&deleted[..2], &added[..2], DEFAULT_RENAME_LIMIT);
        assert_eq!(found, pairs(&[("a1", "b1"), ("a2", "b2")]));
    }

    #[test]
    fn symlinks_and_submodules_pair_only_exactly_with_the_same_mode() {
        let mut table = Table::default();
        let target = table.add(b"some/target");
        let side = |path: &'static str, kind| Side { path: path.as_bytes(), id: target, kind };
        let src = [side("link", EntryKind::Link)];
        // The same content as a regular file is not the same mode.
        let dst = [side("file", EntryKind::Blob), side("moved", EntryKind::Link)];
        assert_eq!(detect(&src, &dst, 1000, &mut table), Ok(vec![(0, 1)]));
        let src = [side("link", EntryKind::Link)];
        let dst = [side("file", EntryKind::Blob)];
        assert_eq!(detect(&src, &dst, 1000, &mut table), Ok(vec![]));
        assert_eq!(table.contents_read.len(), 0, "a symlink is never compared by content");
    }

    #[test]
    fn each_blob_is_read_once() {
        let d = twenty_lines(&[]);
        let sources: Vec<Vec<u8>> = (0..5).map(|i| twenty_lines(&[i, i + 1])).collect();
        let mut table = Table::default();
        let dst_ids: Vec<ObjectId> = (0..3)
            .map(|i| table.add(&[d.as_slice(), &vec![b'z'; i + 1], b"\n"].concat()))
            .collect();
        let src: Vec<Side<'_>> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| Side {
                path: ["x", "y", "z", "u", "v"][i].as_bytes(),
                id: table.add(s),
                kind: EntryKind::Blob,
            })
            .collect();
        let dst: Vec<Side<'_>> = dst_ids
            .iter()
            .enumerate()
            .map(|(i, id)| Side {
                path: ["p", "q", "r"][i].as_bytes(),
                id: *id,
                kind: EntryKind::Blob,
            })
            .collect();
        let found = detect(&src, &dst, DEFAULT_RENAME_LIMIT, &mut table).expect("in memory");
        assert_eq!(found.len(), 3);
        let mut read = table.contents_read.clone();
        read.sort();
        read.dedup();
        assert_eq!(read.len(), table.contents_read.len(), "no blob read twice");
    }
}
