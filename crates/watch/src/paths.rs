//! A sorted, immutable list of paths in one allocation: what the watcher
//! keeps per file of a 100,000-file tree must be small (issue 5: under 40 MB
//! resident), and a `BTreeSet<Vec<u8>>` costs about 90 bytes of overhead per
//! path on top of the path itself; this costs 8.

/// Sorted, distinct byte strings, stored back to back.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PathList {
    bytes: Vec<u8>,
    /// Where each path ends in `bytes` (it starts where the previous ends).
    ends: Vec<usize>,
}

impl PathList {
    /// From paths already sorted and distinct (see [`PathList::push`]).
    pub fn with_capacity(paths: usize, bytes: usize) -> PathList {
        PathList { bytes: Vec::with_capacity(bytes), ends: Vec::with_capacity(paths) }
    }

    /// Sort and de-duplicate `paths`, then store them.
    pub fn from_unsorted<'a>(paths: impl IntoIterator<Item = &'a [u8]>) -> PathList {
        let mut paths: Vec<&[u8]> = paths.into_iter().collect();
        paths.sort_unstable();
        paths.dedup();
        let mut list = PathList::with_capacity(paths.len(), paths.iter().map(|p| p.len()).sum());
        for path in paths {
            list.push(path);
        }
        list
    }

    /// Append a path greater than the last one; `false` (and nothing stored)
    /// when it is not.
    pub fn push(&mut self, path: &[u8]) -> bool {
        if self.len() > 0 && path <= self.get(self.len() - 1) {
            return false;
        }
        self.bytes.extend_from_slice(path);
        self.ends.push(self.bytes.len());
        true
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// `Ok(i)` where `path` is, `Err(i)` where it would go.
    pub fn find(&self, path: &[u8]) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(path) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, path: &[u8]) -> bool {
        self.find(path).is_ok()
    }

    /// The index of the first path at or after `from`.
    pub fn lower_bound(&self, from: &[u8]) -> usize {
        self.find(from).unwrap_or_else(|i| i)
    }

    /// Whether some path starts with `prefix`.
    pub fn any_with_prefix(&self, prefix: &[u8]) -> bool {
        let i = self.lower_bound(prefix);
        i < self.len() && self.get(i).starts_with(prefix)
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_paths_and_prefixes() {
        let list = PathList::from_unsorted([&b"b/c"[..], b"a", b"b/a", b"a", b"\xff"]);
        assert_eq!(list.len(), 4);
        assert_eq!(list.get(0), b"a");
        assert_eq!(list.get(3), b"\xff");
        assert!(list.contains(b"b/a") && list.contains(b"\xff"));
        assert!(!list.contains(b"b") && !list.contains(b""));
        assert!(list.any_with_prefix(b"b/") && !list.any_with_prefix(b"c/"));
        assert_eq!(list.find(b"b"), Err(1));
        assert_eq!(list.lower_bound(b"b/b"), 2);
        let mut more = list.clone();
        assert!(!more.push(b"b/c"), "not after the last");
        assert!(more.push(b"\xff\x00"));
        assert!(PathList::default().find(b"x").is_err());
    }
}
