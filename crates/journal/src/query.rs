//! Queries over the journal. Indexed criteria (path, commit, change id, time)
//! pick the candidate records, so a query costs what its answer costs; the rest
//! (author, kind) filter the candidates.

use std::ops::ControlFlow;

use crate::index;
use crate::record::Timestamp;
use crate::store::{LogStore, ReadError};

/// An actor's identity as it should be shown and matched: git's mailmap,
/// applied when a query runs (the record keeps what the commit says).
/// Given (name, email), the canonical (name, email), or `None` to keep them.
pub type Canonical = std::sync::Arc<dyn Fn(&str, &str) -> Option<(String, String)> + Send + Sync>;

/// [`Canonical`], or nothing: identities as recorded.
#[derive(Clone, Default)]
pub struct Identities(pub Option<Canonical>);

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Identities(mapped)" } else { "Identities(as recorded)" })
    }
}

/// What `trail log` asks for. Empty fields do not constrain.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Repository-relative paths: each matches the file itself and, as a directory,
    /// everything below it. A path ending in `/` matches only as a directory.
    pub paths: Vec<Vec<u8>>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Case-insensitive substrings of the actor's name or email; any may match.
    pub authors: Vec<String>,
    /// How an actor's identity is matched against `authors` (git's mailmap).
    pub identities: Identities,
    /// A kind matches itself exactly (`commit` is not `commit.blocked`); a family
    /// is written `fs.*`, or bare when it is not itself a kind (`fs`).
    pub kinds: Vec<String>,
    /// A commit id or an abbreviation of one.
    pub commit: Option<String>,
    /// A change id or an abbreviation of one.
    pub change: Option<String>,
    pub limit: Option<usize>,
    /// Oldest first instead of newest first.
    pub reverse: bool,
}

/// What a listing needs of a record, read without building the rest: `paths`
/// is counted and only its first entry kept, `detail` only for its subject.
/// (The initial commit of a large repository is one record naming every file;
/// a listing must not pay for decoding all of them.)
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Summary {
    pub seq: u64,
    pub time: crate::record::Timestamp,
    pub kind: String,
    #[serde(default)]
    pub actor: Option<crate::record::Actor>,
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub change_id: Option<String>,
    #[serde(default)]
    pub detail: Option<DetailSummary>,
    #[serde(default)]
    pub paths: PathsSummary,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DetailSummary {
    #[serde(default)]
    pub subject: Option<String>,
}

/// The number of path entries and the first of them.
#[derive(Debug, Clone, Default)]
pub struct PathsSummary {
    pub count: usize,
    pub first: Option<crate::record::PathChange>,
}

impl<'de> serde::Deserialize<'de> for PathsSummary {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = PathsSummary;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of path entries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PathsSummary, A::Error> {
                let mut out = PathsSummary::default();
                if let Some(first) = seq.next_element::<crate::record::PathChange>()? {
                    out.first = Some(first);
                    out.count = 1;
                }
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    out.count += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Visit)
    }
}

impl Summary {
    pub fn subject(&self) -> Option<&str> {
        self.detail.as_ref()?.subject.as_deref()
    }
}

/// Run `query`, calling `each` with every matching record (its summary and its
/// stored bytes) in order until it breaks or the limit is reached.
pub fn run(
    store: &dyn LogStore,
    query: &Query,
    mut each: impl FnMut(Summary, Vec<u8>) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    let limit = query.limit.unwrap_or(usize::MAX);
    if limit == 0 {
        return Ok(());
    }
    let mut emitted = 0usize;
    let mut visit = |seq: u64, bytes: Vec<u8>| -> Result<ControlFlow<()>, ReadError> {
        let record: Summary = serde_json::from_slice(&bytes)
            .map_err(|e| ReadError::Damaged { seq, detail: e.to_string() })?;
        if !matches(query, &record) {
            return Ok(ControlFlow::Continue(()));
        }
        emitted += 1;
        if each(record, bytes).is_break() || emitted >= limit {
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    };

    match candidates(store, query)? {
        None => {
            for item in store.scan_raw(1..=u64::MAX, !query.reverse) {
                let (seq, bytes) = item?;
                if visit(seq, bytes)?.is_break() {
                    break;
                }
            }
        }
        Some(mut seqs) => {
            if !query.reverse {
                seqs.reverse();
            }
            // A batch at a time (through the daemon one request each), the
            // batches growing from 16 to 512 so that a small --limit reads little.
            let (mut at, mut batch) = (0usize, 16usize);
            'fetch: while at < seqs.len() {
                let end = (at + batch).min(seqs.len());
                let fetched = store.get_raw_many(&seqs[at..end])?;
                for (&seq, bytes) in seqs[at..end].iter().zip(fetched) {
                    let bytes = bytes.ok_or(ReadError::StaleIndex { seq })?;
                    if visit(seq, bytes)?.is_break() {
                        break 'fetch;
                    }
                }
                at = end;
                batch = (batch * 2).min(512);
            }
        }
    }
    Ok(())
}

/// Does the record `bytes` meet every criterion of `query` (the indexed
/// ones too, judged from the record itself)? For records outside a store's
/// indexes: the journals of other clones (`trail log --all-clones`).
/// `Ok(None)`: it does not.
pub fn matches_record(query: &Query, bytes: &[u8]) -> Result<Option<Summary>, String> {
    let summary: Summary = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if !matches(query, &summary) {
        return Ok(None);
    }
    let needs_record = !query.paths.is_empty() || query.commit.is_some() || query.change.is_some();
    if !needs_record {
        return Ok(Some(summary));
    }
    let record: crate::record::Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if let Some(commit) = &query.commit {
        let commit = commit.to_ascii_lowercase();
        if !record.commit.as_deref().is_some_and(|c| c.starts_with(&commit)) {
            return Ok(None);
        }
    }
    if let Some(change) = &query.change
        && !record.change_id.as_deref().is_some_and(|c| c.starts_with(change.as_str()))
    {
        return Ok(None);
    }
    if !query.paths.is_empty() {
        let named: Vec<Vec<u8>> =
            record.paths.iter().flat_map(|p| [p.path_bytes(), p.from_bytes()]).flatten().collect();
        let hit = query.paths.iter().any(|wanted| {
            named.iter().any(|path| {
                // The repository's root (`--path .` at the top): any path
                // at all, as `git log -- .` lists every commit that changed
                // a file (not an empty commit, not a clean merge).
                if wanted.is_empty() || wanted.ends_with(b"/") {
                    path.starts_with(wanted)
                } else {
                    path == wanted
                        || (path.starts_with(wanted) && path.get(wanted.len()) == Some(&b'/'))
                }
            })
        });
        if !hit {
            return Ok(None);
        }
    }
    Ok(Some(summary))
}

/// The seqs the indexed criteria allow, ascending; `None` when nothing indexed
/// constrains the query (then every record is a candidate).
fn candidates(store: &dyn LogStore, query: &Query) -> Result<Option<Vec<u64>>, ReadError> {
    let mut sets: Vec<Vec<u64>> = Vec::new();
    if !query.paths.is_empty() {
        let mut seqs = Vec::new();
        for path in &query.paths {
            // The root (empty): every record that names a path.
            if path.is_empty() || path.ends_with(b"/") {
                seqs.extend(prefix_seqs(store, index::PATH, path)?);
            } else {
                let mut file = path.clone();
                file.push(0);
                seqs.extend(prefix_seqs(store, index::PATH, &file)?);
                let mut dir = path.clone();
                dir.push(b'/');
                seqs.extend(prefix_seqs(store, index::PATH, &dir)?);
            }
        }
        sets.push(seqs);
    }
    if let Some(commit) = &query.commit {
        sets.push(id_seqs(store, index::COMMIT, &commit.to_ascii_lowercase())?);
    }
    if let Some(change) = &query.change {
        sets.push(id_seqs(store, index::CHANGE, change)?);
    }
    // A time range alone is answered from the time index; with another index in
    // play the records it picks are filtered by time instead (usually far fewer).
    if sets.is_empty() && (query.since.is_some() || query.until.is_some()) {
        let from = query.since.map_or(i64::MIN, |t| t.nanos());
        let to = query.until.map_or(i64::MAX, |t| t.nanos());
        let keys = store.index_range(
            index::TIME,
            &index::time_prefix(from),
            &index::time_key(to, u64::MAX),
        )?;
        sets.push(keys.iter().filter_map(|k| index::seq_of(k)).collect());
    }
    let mut sets = sets.into_iter().map(|mut s| {
        s.sort_unstable();
        s.dedup();
        s
    });
    let Some(mut result) = sets.next() else { return Ok(None) };
    for other in sets {
        result.retain(|seq| other.binary_search(seq).is_ok());
    }
    Ok(Some(result))
}

/// Records of the id `id`, or of every id it abbreviates when none is exactly `id`
/// (so `c0ffee` means the change `c0ffee`, not also `c0ffee12`).
fn id_seqs(store: &dyn LogStore, tree: &str, id: &str) -> Result<Vec<u64>, ReadError> {
    let keys = store.index_prefix(tree, id.as_bytes())?;
    let exact: Vec<u64> = keys
        .iter()
        .filter_map(|k| index::split_tagged(k))
        .filter(|(text, _)| *text == id.as_bytes())
        .map(|(_, seq)| seq)
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    Ok(keys.iter().filter_map(|k| index::seq_of(k)).collect())
}

fn prefix_seqs(store: &dyn LogStore, tree: &str, prefix: &[u8]) -> Result<Vec<u64>, ReadError> {
    Ok(store.index_prefix(tree, prefix)?.iter().filter_map(|k| index::seq_of(k)).collect())
}

fn matches(query: &Query, record: &Summary) -> bool {
    if query.since.is_some_and(|since| record.time < since) {
        return false;
    }
    if query.until.is_some_and(|until| record.time > until) {
        return false;
    }
    if !query.kinds.is_empty() && !query.kinds.iter().any(|k| kind_matches(k, &record.kind)) {
        return false;
    }
    if !query.authors.is_empty() {
        let Some(actor) = &record.actor else { return false };
        // Like `git log --author`, the identity after the mailmap.
        let (name, email) =
            match query.identities.0.as_ref().and_then(|map| map(&actor.name, &actor.email)) {
                Some((name, email)) => (name.to_lowercase(), email.to_lowercase()),
                None => (actor.name.to_lowercase(), actor.email.to_lowercase()),
            };
        if !query.authors.iter().any(|a| {
            let a = a.to_lowercase();
            name.contains(&a) || email.contains(&a)
        }) {
            return false;
        }
    }
    true
}

/// `filter` is a kind (exact), `family.*`, or a bare family name that is not
/// itself a kind of format v1 (`fs` matches `fs.modify`, `commit` only `commit`).
pub fn kind_matches(filter: &str, kind: &str) -> bool {
    let family = match filter.strip_suffix(".*") {
        Some(family) => family,
        None if crate::record::kinds::ALL.contains(&filter) => return kind == filter,
        None => filter,
    };
    kind == family || (kind.starts_with(family) && kind.as_bytes().get(family.len()) == Some(&b'.'))
}

/// What an id given to `trail show` named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Seq(u64),
    /// All records of one commit or change id.
    Records {
        id: String,
        seqs: Vec<u64>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no record matches {0:?}")]
    NotFound(String),
    #[error("{id:?} is ambiguous: it could be {}", .candidates.join(", "))]
    Ambiguous { id: String, candidates: Vec<String> },
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Resolve a seq (all digits), or an abbreviation of a commit id or change id.
pub fn resolve(store: &dyn LogStore, id: &str) -> Result<Resolved, ResolveError> {
    let read = ResolveError::Read;
    let id = id.trim();
    if !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && let Ok(seq) = id.parse::<u64>()
        && store.get_raw(seq).map_err(read)?.is_some()
    {
        return Ok(Resolved::Seq(seq));
    }
    if id.is_empty() {
        return Err(ResolveError::NotFound(id.to_owned()));
    }
    let mut found: Vec<(String, Vec<u64>)> = Vec::new();
    for tree in [index::COMMIT, index::CHANGE] {
        let probe = if tree == index::COMMIT { id.to_ascii_lowercase() } else { id.to_owned() };
        for key in store.index_prefix(tree, probe.as_bytes()).map_err(read)? {
            let Some((text, seq)) = index::split_tagged(&key) else { continue };
            let text = String::from_utf8_lossy(text).into_owned();
            match found.iter_mut().find(|(t, _)| *t == text) {
                Some((_, seqs)) => seqs.push(seq),
                None => found.push((text, vec![seq])),
            }
        }
    }
    // An id given in full wins over the longer ids it happens to abbreviate.
    if let Some(at) =
        found.iter().position(|(text, _)| text == id || *text == id.to_ascii_lowercase())
    {
        let (id, seqs) = found.swap_remove(at);
        return Ok(Resolved::Records { id, seqs });
    }
    match found.len() {
        0 => Err(ResolveError::NotFound(id.to_owned())),
        1 => {
            let (id, seqs) = found.remove(0);
            Ok(Resolved::Records { id, seqs })
        }
        _ => Err(ResolveError::Ambiguous {
            id: id.to_owned(),
            candidates: found.into_iter().map(|(t, _)| t).take(10).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::kind_matches;

    #[test]
    fn kinds_match_exactly_unless_a_family_is_asked_for() {
        assert!(kind_matches("commit", "commit"));
        assert!(!kind_matches("commit", "commit.blocked"));
        assert!(kind_matches("commit.*", "commit.blocked"));
        assert!(kind_matches("commit.*", "commit"));
        assert!(kind_matches("fs", "fs.modify"));
        assert!(kind_matches("fs.*", "fs.rename"));
        assert!(!kind_matches("fs", "fsck"));
        assert!(kind_matches("fs.modify", "fs.modify"));
        assert!(!kind_matches("fs.modify", "fs.create"));
    }
}
