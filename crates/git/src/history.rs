//! Walking history and describing each commit: the input of `trail import`.

use std::collections::{BinaryHeap, HashMap};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::object::tree::diff::Change;
use gix::revision::plumbing::Spec;

/// An author or committer as `git log` shows it (`%an`, `%ae`, `%at`, the
/// zone of `%ai`), read as git reads it: re-encoded from the commit's
/// `encoding` header, malformed identities included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// The name git shows, as UTF-8: lossy (U+FFFD) only where its bytes are
    /// not UTF-8, and then `name_bytes` holds them.
    pub name: String,
    /// The email git shows (between the first `<` and the `>` after it), as
    /// `name` is.
    pub email: String,
    /// Seconds since the epoch (UTC). 0 when git reads no date from the
    /// identity (it shows 1970-01-01 then), and `ident` holds the line.
    pub time: i64,
    /// The time-zone offset as `git log --format=%ai` prints it (`+0200`,
    /// `-0800`); `None` when git reads no date and zone.
    pub tz: Option<String>,
    /// The name's bytes, when they are not UTF-8.
    pub name_bytes: Option<Vec<u8>>,
    /// The email's bytes, when they are not UTF-8.
    pub email_bytes: Option<Vec<u8>>,
    /// The whole identity line (what follows `author ` or `committer `) when
    /// the fields above do not rebuild it byte for byte (`name <email> time
    /// tz`): a malformed identity git reads only in part is not lost.
    pub ident: Option<Vec<u8>>,
}

/// One file a commit changed, as `git log --name-status -M` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: Vec<u8>,
    /// The source of a rename.
    pub from: Option<Vec<u8>>,
    /// `A`, `M`, `D`, `R` or `T`.
    pub status: char,
    /// The blob after the change (before it, for a deletion).
    pub blob: ObjectId,
    /// The blob before a modification, a type change or a rename (its
    /// source's): what a check of the old content reads without looking the
    /// path up in the old tree. `None` for additions and deletions.
    pub old_blob: Option<ObjectId>,
    /// Octal git mode, e.g. `100644`.
    pub mode: String,
}

/// Everything trail records about one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFacts {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: Person,
    pub committer: Person,
    /// The subject as `git log --format=%s` prints it, as UTF-8: lossy only
    /// where its bytes are not UTF-8, and then `subject_bytes` holds them.
    pub subject: String,
    pub subject_bytes: Option<Vec<u8>>,
    /// Trailers of the message, in order, as `git interpret-trailers --parse` reads them.
    pub trailers: Vec<(String, String)>,
    /// Files changed relative to the first parent; empty for a merge (like
    /// `git log --name-status`, which shows no files for merges by default).
    pub changes: Vec<FileChange>,
}

impl CommitFacts {
    /// The last value of trailer `token` (case-insensitive), if any.
    pub fn trailer(&self, token: &str) -> Option<&str> {
        self.trailers
            .iter()
            .rev()
            .find(|(t, _)| t.eq_ignore_ascii_case(token))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot resolve {spec:?}: {detail}")]
    BadRevision { spec: String, detail: String },
    #[error(
        "{spec:?} is not supported here; give a revision (HEAD, a branch, a commit) or a range A..B"
    )]
    UnsupportedRevision { spec: String },
    #[error("the repository has no commits yet")]
    NoCommits,
    #[error("reading commit {id} failed: {detail}")]
    Commit { id: ObjectId, detail: String },
    #[error("walking history failed: {0}")]
    Walk(String),
}

fn commit_err(id: ObjectId) -> impl Fn(gix::Error) -> HistoryError {
    move |e| HistoryError::Commit { id, detail: e.to_string() }
}

/// Walks a revision's history and describes each commit, reusing one diff
/// resource cache across commits (creating one per diff is 10-20x slower).
pub struct Importer<'repo> {
    repo: &'repo gix::Repository,
    /// What the tree diff needs to be handed, without any attributes: it
    /// tracks no rewrites and never looks at blob contents. Renames are paired
    /// afterwards by [`crate::renames`], as git pairs them.
    plain: gix::diff::blob::Platform,
    /// The last commit [`Importer::describe`] diffed, and its root tree. An
    /// import describes parents before children, so the next commit's parent
    /// is usually this one: keeping its tree spares finding the parent commit
    /// and inflating its tree again.
    last: Option<(ObjectId, gix::ObjectDetached)>,
}

impl<'repo> Importer<'repo> {
    pub fn new(repo: &'repo mut gix::Repository) -> Result<Self, HistoryError> {
        Self::with_pack_cache(repo, PACK_CACHE_BYTES)
    }

    /// [`Importer::new`] with a delta-base cache of `bytes`.
    pub fn with_pack_cache(
        repo: &'repo mut gix::Repository,
        bytes: usize,
    ) -> Result<Self, HistoryError> {
        // Consecutive diffs look up the same trees again and again, mostly stored
        // as deltas: keep delta bases in memory (as git's core.deltaBaseCacheLimit
        // does). gix's default is a 64-entry list, with which an import of a long
        // history spends most of its time inflating the same pack entries
        // (measured on 50k commits: 8.3 s -> 3.8 s). A decoded-object cache on
        // top only added copying (4.3 s), so it is off.
        repo.object_cache_size(0);
        repo.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(bytes))
        });
        let repo = &*repo;
        let no_attributes = gix::index::State::new(repo.object_hash());
        let plain = repo
            .attributes_only(
                &no_attributes,
                gix::worktree::stack::state::attributes::Source::IdMapping,
            )
            .and_then(|attributes| {
                gix::diff::resource_cache(
                    repo,
                    gix::diff::blob::pipeline::Mode::ToGit,
                    attributes.detach(),
                    Default::default(),
                )
            })
            .map_err(|e| HistoryError::Walk(e.to_string()))?;
        Ok(Importer { repo, plain, last: None })
    }

    /// The commits reachable from `specs` (none: `HEAD`) for which `known`
    /// is false, parents before children and, among commits whose parents
    /// are all listed or known, oldest committer time first. A spec is a
    /// revision (HEAD, a branch, a tag, a commit), a range `A..B` (B's
    /// history without A's) or `^A` (without A's history), as `git rev-list`
    /// takes them. `all`: also every branch, tag and remote-tracking branch
    /// and HEAD (`git rev-list --all` without `refs/stash`, notes and trail's
    /// own `refs/trail/`).
    pub fn commits(
        &self,
        specs: &[&str],
        all: bool,
        mut known: impl FnMut(&ObjectId) -> bool,
    ) -> Result<Vec<ObjectId>, HistoryError> {
        let mut tips = Vec::new();
        let mut hidden = Vec::new();
        if specs.is_empty() && !all {
            match self.repo.head_id() {
                Ok(id) => tips.push(id.detach()),
                Err(_) => return Err(HistoryError::NoCommits),
            }
        }
        for text in specs {
            let (more_tips, more_hidden) = self.parse_spec(text)?;
            tips.extend(more_tips);
            hidden.extend(more_hidden);
        }
        if all {
            tips.extend(self.ref_tips()?);
            if tips.is_empty() && hidden.is_empty() {
                return Err(HistoryError::NoCommits);
            }
        }
        tips.sort_unstable();
        tips.dedup();
        // Collect (id, parents, time) of the commits to import: a few dozen bytes
        // per commit, the only part of the history held in memory.
        let mut nodes: Vec<(ObjectId, Vec<ObjectId>, i64)> = Vec::new();
        walk_commits(self.repo, tips, hidden, |id, parents, object| {
            if !known(&id) {
                nodes.push((id, parents, crate::ident::committer_time(object)));
            }
        })?;
        Ok(topological_oldest_first(nodes))
    }

    /// One revision of [`Importer::commits`]: the commits it starts from and
    /// those whose history it leaves out.
    fn parse_spec(&self, text: &str) -> Result<(Vec<ObjectId>, Vec<ObjectId>), HistoryError> {
        let parsed = match self.repo.rev_parse(text) {
            Ok(parsed) => parsed,
            // `HEAD` in a repository without commits does not resolve.
            Err(_) if self.repo.head_id().is_err() && text == "HEAD" => {
                return Err(HistoryError::NoCommits);
            }
            // gix's message names its own internals (`delegate.traverse(
            // NthAncestor(99999)) failed`): say what it means instead.
            Err(_) => {
                return Err(HistoryError::BadRevision {
                    spec: text.to_owned(),
                    detail: "it names no commit of this repository (a misspelt name, \
                             or more ancestors than the history has)"
                        .to_owned(),
                });
            }
        };
        let (tips, hidden) = match parsed.detach() {
            Spec::Include(id) => (vec![id], Vec::new()),
            Spec::Exclude(id) => (Vec::new(), vec![id]),
            Spec::Range { from, to } => (vec![to], vec![from]),
            _ => return Err(HistoryError::UnsupportedRevision { spec: text.to_owned() }),
        };
        // Annotated tags stand for the commits they point to; `HEAD^{tree}`
        // parses, but history starts only at commits.
        let peel = |id: ObjectId| -> Result<ObjectId, HistoryError> {
            let bad = |detail: String| HistoryError::BadRevision { spec: text.to_owned(), detail };
            let object = self.repo.find_object(id).map_err(|e| bad(e.to_string()))?;
            let peeled = object.peel_tags_to_end().map_err(|e| bad(e.to_string()))?;
            if peeled.kind != gix::object::Kind::Commit {
                return Err(bad(format!("{id} is a {}, not a commit", peeled.kind)));
            }
            Ok(peeled.id)
        };
        let tips = tips.into_iter().map(peel).collect::<Result<Vec<_>, _>>()?;
        let hidden = hidden.into_iter().map(peel).collect::<Result<Vec<_>, _>>()?;
        Ok((tips, hidden))
    }

    /// The commits HEAD, the branches, the tags and the remote-tracking
    /// branches point to (tags peeled; a tag of a tree or a blob starts no
    /// history).
    fn ref_tips(&self) -> Result<Vec<ObjectId>, HistoryError> {
        let walk_err = |e: &dyn std::fmt::Display| HistoryError::Walk(e.to_string());
        let mut tips = Vec::new();
        if let Ok(head) = self.repo.head_id() {
            tips.push(head.detach());
        }
        let refs = self.repo.references().map_err(|e| walk_err(&e))?;
        let all = refs.all().map_err(|e| walk_err(&e))?;
        for reference in all {
            let mut reference = reference.map_err(|e| walk_err(&e))?;
            let name = reference.name().as_bstr().to_owned();
            let wanted = [&b"refs/heads/"[..], b"refs/tags/", b"refs/remotes/"]
                .iter()
                .any(|prefix| name.starts_with(prefix));
            if !wanted {
                continue;
            }
            let Ok(id) = reference.peel_to_id() else { continue };
            let Ok(object) = self.repo.find_object(id.detach()) else { continue };
            match object.peel_tags_to_end() {
                Ok(peeled) if peeled.kind == gix::object::Kind::Commit => tips.push(peeled.id),
                _ => {}
            }
        }
        Ok(tips)
    }

    /// Describe one commit.
    pub fn describe(&mut self, id: ObjectId) -> Result<CommitFacts, HistoryError> {
        let err = commit_err(id);
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| HistoryError::Commit { id, detail: e.to_string() })?;
        let parents: Vec<ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
        // Identities and message as `git log` shows them, read by trail itself:
        // gix refuses the malformed identities git shows (issue 20).
        let shown = crate::ident::ShownCommit::new(&commit.data);
        let (author, committer) = (shown.author(), shown.committer());
        let message = shown.message().as_bstr();
        let subject_bytes = crate::ident::subject(message);
        let (subject, subject_bytes) = match String::from_utf8(subject_bytes) {
            Ok(subject) => (subject, None),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(e.into_bytes())),
        };
        let trailers = trailers_of(message);

        let changes = if parents.len() > 1 {
            Vec::new()
        } else {
            let new_tree = commit.tree().map_err(&err)?;
            // In a shallow clone the boundary commits' parents are absent: like
            // git, diff them as root commits (every file added).
            let shallow = |id: &ObjectId| {
                self.repo.shallow_commits().ok().flatten().is_some_and(|s| s.contains(&commit.id))
                    && !self.repo.has_object(id)
            };
            let last = self.last.take();
            let old_tree = match parents.first() {
                Some(parent) if shallow(parent) => self.repo.empty_tree(),
                Some(parent) => match last {
                    Some((last, tree)) if last == *parent => {
                        gix::Tree::from_data(tree.id, tree.data, self.repo)
                    }
                    _ => self
                        .repo
                        .find_commit(*parent)
                        .map_err(|e| HistoryError::Commit { id: *parent, detail: e.to_string() })?
                        .tree()
                        .map_err(commit_err(*parent))?,
                },
                None => self.repo.empty_tree(),
            };
            let changes = self.diff(&old_tree, &new_tree).map_err(&err)?;
            self.last = Some((id, new_tree.detach()));
            changes
        };
        Ok(CommitFacts {
            id,
            parents,
            author,
            committer,
            subject,
            subject_bytes,
            trailers,
            changes,
        })
    }

    /// The file changes from commit `old` (the empty tree when `None`) to
    /// commit `new`, renames detected as [`Importer::describe`] does: what a
    /// protection check of one side of a merge needs.
    pub fn changes_between(
        &mut self,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<FileChange>, HistoryError> {
        let tree_of = |id: ObjectId| {
            self.repo
                .find_commit(id)
                .map_err(|e| HistoryError::Commit { id, detail: e.to_string() })?
                .tree()
                .map_err(commit_err(id))
        };
        let new_tree = tree_of(new)?;
        let old_tree = match old {
            Some(old) => tree_of(old)?,
            None => self.repo.empty_tree(),
        };
        self.diff(&old_tree, &new_tree).map_err(commit_err(new))
    }

    /// The files of merge `id` whose content differs from every one of its
    /// `parents`, as `git diff-tree -c` lists them (no rename detection),
    /// each described as against the first parent: a conflict resolution,
    /// or an edit made while merging. The trees are walked side by side and
    /// a directory the merge shares with any parent is not entered (nothing
    /// below it can differ from every parent): a merge of a long branch
    /// costs what its merge-specific edits cost, not two whole diffs.
    pub fn merge_changes(
        &mut self,
        id: ObjectId,
        parents: &[ObjectId],
    ) -> Result<Vec<FileChange>, HistoryError> {
        let tree_of = |commit: ObjectId| -> Result<ObjectId, HistoryError> {
            let commit = self
                .repo
                .find_commit(commit)
                .map_err(|e| HistoryError::Commit { id: commit, detail: e.to_string() })?;
            commit.tree_id().map(|t| t.detach()).map_err(commit_err(id))
        };
        // In a shallow clone a merge at the boundary lacks parents: it is
        // compared with those present, as git compares it.
        let shallow = self.repo.is_shallow().unwrap_or(false);
        let present: Vec<ObjectId> =
            parents.iter().copied().filter(|p| !shallow || self.repo.has_object(p)).collect();
        if present.is_empty() {
            return Ok(Vec::new());
        }
        let merged = tree_of(id)?;
        let sides = present.iter().map(|p| tree_of(*p).map(Some)).collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        merge_walk(self.repo, Some(merged), &sides, &mut Vec::new(), &mut out)
            .map_err(|e| HistoryError::Commit { id, detail: e })?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The tree diff from `old` to `new` without rename detection, each
    /// change with the kind of its mode.
    fn plain_changes(
        &mut self,
        old: &gix::Tree<'_>,
        new: &gix::Tree<'_>,
    ) -> Result<Vec<(FileChange, gix::object::tree::EntryKind)>, gix::Error> {
        let mut out: Vec<(FileChange, gix::object::tree::EntryKind)> = Vec::new();
        old.changes()?
            .options(|o| {
                o.track_path().track_rewrites(None);
            })
            .for_each_to_obtain_tree_with_cache(new, &mut self.plain, |change| {
                if let Some(file) = file_change(&change) {
                    out.push((file, change.entry_mode().kind()));
                }
                Ok(std::ops::ControlFlow::Continue(()))
            })?;
        self.plain.clear_resource_cache_keep_allocation();
        Ok(out)
    }

    fn diff(
        &mut self,
        old: &gix::Tree<'_>,
        new: &gix::Tree<'_>,
    ) -> Result<Vec<FileChange>, gix::Error> {
        use crate::renames;
        fn side((file, kind): &(FileChange, gix::object::tree::EntryKind)) -> renames::Side<'_> {
            renames::Side { path: &file.path, id: file.blob, kind: *kind }
        }

        // The tree diff itself tracks no rewrites: renames are paired below as
        // `git log -M` pairs them (gix's tracker measures similarity by lines
        // and breaks ties otherwise). The kind of each change's mode is kept
        // for the pairing.
        let out = self.plain_changes(old, new)?;

        let (deleted, added): (Vec<usize>, Vec<usize>) = (
            (0..out.len()).filter(|i| out[*i].0.status == 'D').collect(),
            (0..out.len()).filter(|i| out[*i].0.status == 'A').collect(),
        );
        let pairs = if deleted.is_empty() || added.is_empty() {
            Vec::new()
        } else {
            let sources: Vec<renames::Side<'_>> = deleted.iter().map(|i| side(&out[*i])).collect();
            let targets: Vec<renames::Side<'_>> = added.iter().map(|i| side(&out[*i])).collect();
            renames::detect(&sources, &targets, renames::DEFAULT_RENAME_LIMIT, &mut self.repo)?
        };
        let mut paired = vec![false; out.len()];
        let mut renamed = Vec::with_capacity(pairs.len());
        for (s, d) in pairs {
            let (source, target) = (&out[deleted[s]].0, &out[added[d]].0);
            renamed.push(FileChange {
                path: target.path.clone(),
                from: Some(source.path.clone()),
                status: 'R',
                blob: target.blob,
                old_blob: Some(source.blob),
                mode: target.mode.clone(),
            });
            paired[deleted[s]] = true;
            paired[added[d]] = true;
        }
        let mut out: Vec<FileChange> = out
            .into_iter()
            .zip(paired)
            .filter_map(|((file, _), paired)| (!paired).then_some(file))
            .chain(renamed)
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

/// The delta-base cache of one [`Importer`] (see [`Importer::with_pack_cache`]).
pub const PACK_CACHE_BYTES: usize = 96 * 1024 * 1024;

/// A commit as [`describe_all`] hands it over: its facts and, for a merge,
/// the files where its result differs from every parent
/// ([`Importer::merge_changes`]).
pub type Described = (CommitFacts, Option<Vec<FileChange>>);

/// Commits per unit of work of [`describe_all`]: consecutive commits, so that
/// most of them find their parent's tree in [`Importer`]'s `last`; a chunk
/// costs one extra tree lookup.
const DESCRIBE_CHUNK: usize = 128;

/// Describe `ids` ([`Importer::describe`], and [`Importer::merge_changes`]
/// for merges) on up to `threads` threads, each with its own repository
/// handle and a share of `pack_cache_bytes`, and hand them to `deliver` in
/// the order of `ids`, a chunk at a time. `deliver` returns false to stop.
/// The first failure stops the work and is returned; what was delivered
/// before it stays delivered.
///
/// Chunk `c` is described by thread `c % threads`, and `deliver` takes the
/// chunks in turn from each thread: the order is that of `ids` however the
/// threads are scheduled, and no thread runs more than a few chunks ahead.
pub fn describe_all(
    repo: &gix::Repository,
    ids: &[ObjectId],
    threads: usize,
    pack_cache_bytes: usize,
    mut deliver: impl FnMut(Vec<Described>) -> bool,
) -> Result<(), HistoryError> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;

    fn chunk_of(
        importer: &mut Importer<'_>,
        ids: &[ObjectId],
    ) -> Result<Vec<Described>, HistoryError> {
        ids.iter()
            .map(|id| {
                let facts = importer.describe(*id)?;
                let merged = if facts.parents.len() > 1 {
                    Some(importer.merge_changes(facts.id, &facts.parents)?)
                } else {
                    None
                };
                Ok((facts, merged))
            })
            .collect()
    }

    let chunks: Vec<&[ObjectId]> = ids.chunks(DESCRIBE_CHUNK).collect();
    let threads = threads.clamp(1, chunks.len().max(1));
    if threads == 1 {
        let mut repo = repo.clone();
        let mut importer = Importer::with_pack_cache(&mut repo, pack_cache_bytes)?;
        for chunk in chunks {
            if !deliver(chunk_of(&mut importer, chunk)?) {
                break;
            }
        }
        return Ok(());
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut inboxes = Vec::with_capacity(threads);
        for first in 0..threads {
            // Two chunks of room each: enough to keep every thread busy
            // while `deliver` waits on another's, little to hold in memory.
            let (tx, rx) = mpsc::sync_channel(2);
            inboxes.push(rx);
            let mut repo = repo.clone();
            let (chunks, stop) = (&chunks, &stop);
            scope.spawn(move || {
                let mut importer =
                    match Importer::with_pack_cache(&mut repo, pack_cache_bytes / threads) {
                        Ok(importer) => importer,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    };
                for chunk in chunks.iter().skip(first).step_by(threads) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let described = chunk_of(&mut importer, chunk);
                    let failed = described.is_err();
                    // A closed inbox: the work was stopped.
                    if tx.send(described).is_err() || failed {
                        return;
                    }
                }
            });
        }
        let mut result = Ok(());
        for c in 0..chunks.len() {
            match inboxes[c % threads].recv() {
                Ok(Ok(described)) => {
                    if !deliver(described) {
                        break;
                    }
                }
                Ok(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Err(_) => {
                    result = Err(HistoryError::Walk(
                        "a thread describing commits ended unexpectedly".to_owned(),
                    ));
                    break;
                }
            }
        }
        // Threads waiting to hand over a chunk see their inbox closed.
        stop.store(true, Ordering::Relaxed);
        drop(inboxes);
        result
    })
}

/// The mode as git shows it: git canonicalizes the mode of every tree entry
/// it reads (`canon_mode`), so a regular file is `100644` or `100755` by its
/// executable bit whatever the tree says (early git wrote `100664`), a symlink
/// `120000`, a submodule (and anything unknown) `160000`.
fn mode_string(mode: gix::object::tree::EntryMode) -> String {
    mode.kind().as_octal_str().to_string()
}

/// One entry of a tree: its mode and object.
type Entry = (gix::object::tree::EntryMode, ObjectId);

/// The bytes of tree `id` (empty for `None`: a tree without entries).
fn tree_data(repo: &gix::Repository, id: Option<ObjectId>) -> Result<Vec<u8>, String> {
    match id {
        Some(id) => Ok(repo.find_tree(id).map_err(|e| e.to_string())?.detach().data),
        None => Ok(Vec::new()),
    }
}

/// The entries of a tree's bytes sorted by file name (git's tree order sorts
/// a directory as if its name ended in `/`; a walk of several trees side by
/// side needs one order for all), borrowing the names.
fn sorted_entries(data: &[u8], hash: gix::hash::Kind) -> Result<Vec<(&[u8], Entry)>, String> {
    let mut out = Vec::new();
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
        let entry = entry.map_err(|e| e.to_string())?;
        out.push((entry.filename.as_bytes(), (entry.mode, entry.oid.to_owned())));
    }
    // Nearly sorted already: a stable sort costs little more than a check.
    out.sort_by(|a, b| a.0.cmp(b.0));
    Ok(out)
}

/// [`Importer::merge_changes`] below `prefix`: `merged` is the merge's tree
/// there, `sides` each parent's (`None` where that parent has no tree).
/// The listings are walked side by side in name order, without copying a
/// name: a merge in a repository with a wide root (git/git: 600 entries)
/// costs three tree reads and one pass, not three maps.
fn merge_walk(
    repo: &gix::Repository,
    merged: Option<ObjectId>,
    sides: &[Option<ObjectId>],
    prefix: &mut Vec<u8>,
    out: &mut Vec<FileChange>,
) -> Result<(), String> {
    // The merge holds what one parent holds: nothing below differs from
    // every parent.
    if merged.is_some() && sides.contains(&merged) {
        return Ok(());
    }
    let hash = repo.object_hash();
    let data = std::iter::once(merged)
        .chain(sides.iter().copied())
        .map(|id| tree_data(repo, id))
        .collect::<Result<Vec<_>, _>>()?;
    let lists = data.iter().map(|d| sorted_entries(d, hash)).collect::<Result<Vec<_>, _>>()?;
    let mut at = vec![0usize; lists.len()];
    let mut row: Vec<Option<&Entry>> = Vec::with_capacity(lists.len());
    let same = |a: Option<&Entry>, b: Option<&Entry>| match (a, b) {
        (Some((ma, ia)), Some((mb, ib))) => ma.kind() == mb.kind() && ia == ib,
        (None, None) => true,
        _ => false,
    };
    // The next name in any listing, and what each listing holds there.
    while let Some(name) = lists.iter().zip(&at).filter_map(|(l, i)| l.get(*i).map(|e| e.0)).min() {
        row.clear();
        for (list, i) in lists.iter().zip(at.iter_mut()) {
            match list.get(*i) {
                Some((n, entry)) if *n == name => {
                    row.push(Some(entry));
                    *i += 1;
                }
                _ => row.push(None),
            }
        }
        let (here, there) = (row[0], &row[1..]);
        if there.iter().any(|t| same(here, *t)) {
            continue;
        }
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(name);
        let tree_id = |e: Option<&Entry>| e.filter(|(m, _)| m.is_tree()).map(|(_, id)| *id);
        let here_tree = tree_id(here);
        let there_trees: Vec<Option<ObjectId>> = there.iter().map(|t| tree_id(*t)).collect();
        // Below: the merge's directory, or one every parent has (the files
        // the merge deleted with it, or replaced by a file).
        if here_tree.is_some() || there_trees.iter().all(Option::is_some) {
            merge_walk(repo, here_tree, &there_trees, prefix, out)?;
        }
        let file = |e: Option<&Entry>| e.filter(|(m, _)| !m.is_tree()).copied();
        let (here_file, first_file) = (file(here), there.first().copied().and_then(file));
        // A file differs from every parent when each parent lacks it or
        // holds other content; deleted, when every parent had a file here.
        let every_parent_had = there.iter().all(|t| file(*t).is_some());
        let change = match (here_file, first_file) {
            (Some((mode, blob)), None) => Some(FileChange {
                path: prefix.clone(),
                from: None,
                status: 'A',
                blob,
                old_blob: None,
                mode: mode_string(mode),
            }),
            (Some((mode, blob)), Some((old_mode, old_blob))) => Some(FileChange {
                path: prefix.clone(),
                from: None,
                status: if type_class(old_mode) == type_class(mode) { 'M' } else { 'T' },
                blob,
                old_blob: Some(old_blob),
                mode: mode_string(mode),
            }),
            (None, Some((mode, blob))) if every_parent_had => Some(FileChange {
                path: prefix.clone(),
                from: None,
                status: 'D',
                blob,
                old_blob: None,
                mode: mode_string(mode),
            }),
            _ => None,
        };
        out.extend(change);
        prefix.truncate(len);
    }
    Ok(())
}

/// File, symlink or submodule: a change between two classes is `T`.
fn type_class(mode: gix::object::tree::EntryMode) -> u8 {
    use gix::object::tree::EntryKind;
    match mode.kind() {
        EntryKind::Link => 1,
        EntryKind::Commit => 2,
        _ => 0,
    }
}

fn file_change(change: &Change<'_, '_, '_>) -> Option<FileChange> {
    match *change {
        Change::Addition { location, entry_mode, id, .. } => {
            (!entry_mode.is_tree()).then(|| FileChange {
                path: location.to_vec(),
                from: None,
                status: 'A',
                blob: id.detach(),
                old_blob: None,
                mode: mode_string(entry_mode),
            })
        }
        Change::Deletion { location, entry_mode, id, .. } => {
            (!entry_mode.is_tree()).then(|| FileChange {
                path: location.to_vec(),
                from: None,
                status: 'D',
                blob: id.detach(),
                old_blob: None,
                mode: mode_string(entry_mode),
            })
        }
        Change::Modification {
            location, previous_entry_mode, previous_id, entry_mode, id, ..
        } => {
            if entry_mode.is_tree() {
                return None;
            }
            // Modes compare canonicalized, as git compares them: `100664` to
            // `100644` with the same content is no change at all.
            if previous_entry_mode.kind() == entry_mode.kind() && previous_id == id {
                return None;
            }
            // `T` is a change of type (file, symlink, submodule), as git reports it;
            // a change of the executable bit alone is `M`.
            let class = |m: gix::object::tree::EntryMode| {
                use gix::object::tree::EntryKind;
                match m.kind() {
                    EntryKind::Link => 1,
                    EntryKind::Commit => 2,
                    _ => 0,
                }
            };
            let status = if class(previous_entry_mode) != class(entry_mode) { 'T' } else { 'M' };
            Some(FileChange {
                path: location.to_vec(),
                from: None,
                status,
                blob: id.detach(),
                old_blob: Some(previous_id.detach()),
                mode: mode_string(entry_mode),
            })
        }
        // The tree diff tracks no rewrites: renames are paired afterwards.
        Change::Rewrite { .. } => None,
    }
}

/// The commits reachable from `tip` and from none of `hide`, parents before
/// children (among independent ones, oldest committer time first): what a
/// protection check walks. The order never depends on commit dates alone,
/// which a pusher controls.
pub fn commits_between(
    repo: &gix::Repository,
    tip: ObjectId,
    hide: &[ObjectId],
) -> Result<Vec<ObjectId>, HistoryError> {
    let walk = repo
        .rev_walk([tip])
        .with_hidden(hide.iter().copied())
        .all()
        .map_err(|e| HistoryError::Walk(e.to_string()))?;
    let mut nodes = Vec::new();
    for info in walk {
        let info = info.map_err(|e| HistoryError::Walk(e.to_string()))?;
        let time = info.commit_time.unwrap_or(0);
        nodes.push((info.id, info.parent_ids.iter().copied().collect(), time));
    }
    Ok(topological_oldest_first(nodes))
}

/// `id` peeled to the commit it names: a commit stays, an annotated tag (or
/// a chain of them) gives its commit, anything else (a tag of a tree or a
/// blob, a tree, a blob) `None`.
pub fn peel_to_commit(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<Option<ObjectId>, HistoryError> {
    let failed = |e: &dyn std::fmt::Display| HistoryError::Commit { id, detail: e.to_string() };
    let object = repo.find_object(id).map_err(|e| failed(&e))?;
    let peeled = object.peel_tags_to_end().map_err(|e| failed(&e))?;
    Ok((peeled.kind == gix::object::Kind::Commit).then_some(peeled.id))
}

/// Visit every commit reachable from `tips` and from none of `hidden`,
/// breadth-first as gix's walk goes (tips first, then parents in order), with
/// its parents and its raw object. Parents are read here, as git reads them
/// (`tree` line, then `parent` lines), rather than by gix's walk, which stops
/// at the first commit whose author or committer line it cannot decode
/// though git shows it (issue 20). Like git, the parents of a shallow
/// clone's boundary commits are not followed.
fn walk_commits(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
    mut visit: impl FnMut(ObjectId, Vec<ObjectId>, &[u8]),
) -> Result<(), HistoryError> {
    use gix::objs::FindExt as _;
    let walk_err = |e: &dyn std::fmt::Display| HistoryError::Walk(e.to_string());
    let shallow = repo.shallow_commits().map_err(|e| walk_err(&e))?;
    let is_boundary = |id: &ObjectId| shallow.as_ref().is_some_and(|s| s.binary_search(id).is_ok());
    let hash_len = repo.object_hash().len_in_hex();
    let mut buf = Vec::new();
    let mut seen: std::collections::HashSet<ObjectId> = std::collections::HashSet::new();
    // Hidden commits first: all their history is left out.
    let mut queue: std::collections::VecDeque<ObjectId> =
        hidden.into_iter().filter(|id| seen.insert(*id)).collect();
    for hiding in [true, false] {
        if !hiding {
            queue.extend(tips.iter().filter(|id| seen.insert(**id)));
        }
        while let Some(id) = queue.pop_front() {
            let object = repo.objects.find(&id, &mut buf).map_err(|e| walk_err(&e))?;
            if object.kind != gix::object::Kind::Commit {
                return Err(HistoryError::Walk(format!("{id} is a {}, not a commit", object.kind)));
            }
            let parents =
                commit_parents(object.data, hash_len).ok_or_else(|| HistoryError::Commit {
                    id,
                    detail: "its tree or parent lines are malformed (git cannot read it either)"
                        .into(),
                })?;
            if !is_boundary(&id) {
                queue.extend(parents.iter().filter(|p| seen.insert(**p)));
            }
            if !hiding {
                visit(id, parents, object.data);
            }
        }
    }
    Ok(())
}

/// The parents of a raw commit object as git's parse_commit_buffer reads
/// them: a `tree` line, then every `parent` line; `None` when those lines are
/// malformed.
fn commit_parents(object: &[u8], hash_len: usize) -> Option<Vec<ObjectId>> {
    let id_line = |line: &[u8], key: &[u8]| -> Option<ObjectId> {
        let hex = line.strip_prefix(key)?;
        (hex.len() > hash_len && hex[hash_len] == b'\n')
            .then(|| ObjectId::from_hex(&hex[..hash_len]).ok())
            .flatten()
    };
    id_line(object, b"tree ")?;
    let mut rest = &object[5 + hash_len + 1..];
    let mut parents = Vec::new();
    while rest.starts_with(b"parent ") {
        parents.push(id_line(rest, b"parent ")?);
        rest = &rest[7 + hash_len + 1..];
    }
    Some(parents)
}

/// Order commits so that parents come before children; among the commits that
/// are ready, the oldest (by committer time) goes first. Kahn's algorithm.
fn topological_oldest_first(nodes: Vec<(ObjectId, Vec<ObjectId>, i64)>) -> Vec<ObjectId> {
    let position: HashMap<ObjectId, usize> =
        nodes.iter().enumerate().map(|(i, (id, _, _))| (*id, i)).collect();
    let mut waiting_on = vec![0usize; nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, (_, parents, _)) in nodes.iter().enumerate() {
        for parent in parents {
            if let Some(&p) = position.get(parent) {
                waiting_on[i] += 1;
                children[p].push(i);
            }
        }
    }
    // Max-heap on (-time, -index): oldest first, then the walk's reverse order.
    let mut ready: BinaryHeap<(std::cmp::Reverse<i64>, usize)> = BinaryHeap::new();
    for (i, count) in waiting_on.iter().enumerate() {
        if *count == 0 {
            ready.push((std::cmp::Reverse(nodes[i].2), usize::MAX - i));
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    while let Some((_, key)) = ready.pop() {
        let i = usize::MAX - key;
        out.push(nodes[i].0);
        for &child in &children[i] {
            waiting_on[child] -= 1;
            if waiting_on[child] == 0 {
                ready.push((std::cmp::Reverse(nodes[child].2), usize::MAX - child));
            }
        }
    }
    out
}

/// Split a raw commit message into its subject (as `git log --format=%s`
/// prints it, lossy where it is not UTF-8) and its trailers (the last
/// paragraph, when git would read it as trailers).
///
/// As `git interpret-trailers --parse`, lines at the end that start with `#`
/// (git's comment character) are not part of the message: a trailer block
/// followed by a `#123 was the ticket` paragraph is still the trailer block.
pub fn parse_trailers(message: &gix::bstr::BStr) -> (String, Vec<(String, String)>) {
    let subject = String::from_utf8_lossy(&crate::ident::subject(message)).into_owned();
    (subject, trailers_of(message))
}

/// The trailers of [`parse_trailers`].
fn trailers_of(message: &gix::bstr::BStr) -> Vec<(String, String)> {
    let mut end = message.len();
    loop {
        let body = &message[..end];
        let trimmed = body.trim_end();
        let start = trimmed.rfind_byte(b'\n').map_or(0, |i| i + 1);
        if start == 0 || !trimmed[start..].starts_with(b"#") {
            end = trimmed.len();
            break;
        }
        end = start;
    }
    let parsed = gix::objs::commit::MessageRef::from_bytes(message[..end].as_bstr());
    parsed
        .body()
        .map(|body| {
            body.trailers()
                .map(|t| {
                    (t.token.to_str_lossy().into_owned(), t.value.to_str_lossy().trim().to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_come_from_the_last_paragraph() {
        let (subject, trailers) = parse_trailers(
            b"Fix the thing\n\nLonger text.\n\nWhy: it broke\nImpact: none\nChange-Id: c0ffee\n"
                .as_bstr(),
        );
        assert_eq!(subject, "Fix the thing");
        assert_eq!(
            trailers,
            vec![
                ("Why".to_owned(), "it broke".to_owned()),
                ("Impact".to_owned(), "none".to_owned()),
                ("Change-Id".to_owned(), "c0ffee".to_owned()),
            ]
        );
    }

    #[test]
    fn a_closing_comment_paragraph_is_not_the_message_end() {
        // What `git interpret-trailers` writes for a message ending in `#123 …`
        // (it reads `#` lines as comments); `--parse` reads these two trailers.
        let (_, trailers) = parse_trailers(
            b"Fix the parser\n\nSome body.\n\nChange-Id: abc\nWhy: w\n\n#123 was the ticket\n"
                .as_bstr(),
        );
        assert_eq!(
            trailers,
            vec![("Change-Id".to_owned(), "abc".to_owned()), ("Why".to_owned(), "w".to_owned())]
        );
        let (subject, none) = parse_trailers(b"#1 subject\n\nbody\n".as_bstr());
        assert_eq!((subject.as_str(), none.len()), ("#1 subject", 0));
    }

    #[test]
    fn parents_are_read_as_git_reads_them() {
        let (tree, a, b) = ("1".repeat(40), "a".repeat(40), "b".repeat(40));
        let object = format!("tree {tree}\nparent {a}\nparent {b}\nauthor A 1\n\nparent {tree}\n");
        let hex = |h: &str| ObjectId::from_hex(h.as_bytes()).expect("hex");
        assert_eq!(commit_parents(object.as_bytes(), 40), Some(vec![hex(&a), hex(&b)]));
        assert_eq!(commit_parents(format!("tree {tree}\n").as_bytes(), 40), Some(vec![]));
        for bad in [
            format!("tree {tree}"),
            format!("tree {}\n", &tree[1..]),
            format!("tree {tree}\nparent {}\n", &a[1..]),
            format!("tree {tree}\nparent {a}"),
            format!("author A <a@x> 1 +0000\ntree {tree}\n"),
        ] {
            assert_eq!(commit_parents(bad.as_bytes(), 40), None, "{bad}");
        }
    }

    #[test]
    fn parents_precede_children() {
        let id = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        // 3 is a merge of 1 and 2; 2 is older than 1 by time but 1 is its parent.
        let nodes =
            vec![(id(3), vec![id(1), id(2)], 30), (id(2), vec![id(1)], 5), (id(1), vec![], 10)];
        assert_eq!(topological_oldest_first(nodes), vec![id(1), id(2), id(3)]);
    }
}
