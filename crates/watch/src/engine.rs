//! The watcher: events in, settled changes out.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use gix::ObjectId;
use gix::bstr::ByteSlice as _;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{INotifyWatcher, RecursiveMode, Watcher as _};

use crate::content::{self, Observed, Read, StatKey};
use crate::gitops::{self, Window};
use crate::paths::PathList;
use crate::snapshot::{Entry, Snapshot, dir_prefix};
use crate::{Change, FileChange, Kind, Options, Stats, WatchError, pack, saves};

/// How often a file that keeps changing while it is read is tried again
/// before it is given up on (and the error noted).
const MAX_RETRIES: u8 = 20;

/// A content's SHA-256 and blob id, as far as known.
type ContentIds = (Option<[u8; 32]>, Option<ObjectId>);

/// Content read in a batch, to be written once the batch is read.
struct Staged {
    path: Vec<u8>,
    /// What the snapshot knew before (restored if the content cannot be written).
    old: Option<Entry>,
    id: ObjectId,
    data: Vec<u8>,
}

/// What the event channel carries.
enum Msg {
    Event(notify::Result<notify::Event>),
    /// From a [`Waker`]: return from the wait now.
    Wake,
    /// notify's event thread ended (its handler was dropped).
    Closed,
}

type Events = Receiver<Msg>;

/// notify's side of the channel.
struct Forward(Sender<Msg>);

impl notify::EventHandler for Forward {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        let _ = self.0.send(Msg::Event(event));
    }
}

impl Drop for Forward {
    /// The channel stays open while [`Waker`]s exist: say that events stopped.
    fn drop(&mut self) {
        let _ = self.0.send(Msg::Closed);
    }
}

/// Makes a [`Watch::wait`] in progress (on another thread) return at once,
/// e.g. to see a stop request. Cheap to clone; usable from any thread (not
/// from a signal handler: it may allocate).
#[derive(Clone)]
pub struct Waker(Sender<Msg>);

impl Waker {
    pub fn wake(&self) {
        let _ = self.0.send(Msg::Wake);
    }
}

/// A watched work tree. See the crate docs.
pub struct Watch {
    repo: gix::Repository,
    workdir: PathBuf,
    git_dir: PathBuf,
    refs_dir: PathBuf,
    options: Options,
    // Declared before `rx`: dropped first, which stops notify's thread.
    watcher: INotifyWatcher,
    rx: Events,
    /// For [`Watch::waker`].
    wake: Sender<Msg>,
    excludes: gix::worktree::Stack,
    /// Index paths: tracked files are never ignored (as in `git status`).
    tracked: PathList,
    index_stale: bool,
    watched: HashSet<Vec<u8>>,
    unwatched: BTreeSet<Vec<u8>>,
    limit_unreported: bool,
    warned: bool,
    outbox: Vec<Change>,
    snapshot: Snapshot,
    pending: HashMap<Vec<u8>, Pending>,
    /// Rename target → source, from inotify's cookies.
    hints: HashMap<Vec<u8>, Vec<u8>>,
    window: Option<Window>,
    /// HEAD's reflog when the last window closed (or at start).
    reflog: Option<gitops::ReflogMark>,
    flood: Option<Flood>,
    /// Blobs written since the last `keep_reachable`.
    unsaved: BTreeSet<ObjectId>,
    /// When [`Watch::wait`] last collected settled paths (see [`BURST_TICK`]).
    last_collect: Instant,
    /// Called when git's hooks are coming ([`Watch::on_hooks_coming`]),
    /// and when it was last called.
    hooks_coming: Option<Box<dyn FnMut() + Send>>,
    hooks_coming_called: Option<Instant>,
    events: u64,
    changes: u64,
    last_error: Option<String>,
    limit_hit: bool,
    /// Nothing happened since [`Watch::release_idle_memory`] last ran.
    tidy: bool,
}

/// In a burst (at least [`BURST_PENDING`] paths waiting to settle),
/// settled paths are collected at most once per [`BURST_TICK`] rather than
/// on every event: each batch then holds hundreds of paths, written as one
/// pack and appended in one transaction, instead of a few written one file
/// each. Paths settle up to one tick later than they would alone.
const BURST_PENDING: usize = 256;
const BURST_TICK: Duration = Duration::from_millis(50);
/// [`Watch::on_hooks_coming`]'s hook is called at most this often.
const HOOKS_COMING_EVERY: Duration = Duration::from_secs(1);
/// Content read in a batch is held until the batch is read, up to this much;
/// then what is held is written and memory freed.
const STAGED_BYTES_MAX: usize = 64 << 20;

#[derive(Debug, Clone, Copy)]
struct Pending {
    first: Instant,
    last: Instant,
    retries: u8,
}

impl Pending {
    /// Settled once quiet for `debounce`; a path that never stays quiet that
    /// long (a log being appended to) is taken as it is after 20 debounce
    /// periods, so that it is not left unrecorded for as long as it is busy.
    fn due(&self, debounce: Duration) -> Instant {
        gitops::later(self.last, debounce)
            .min(gitops::later(self.first, debounce.saturating_mul(20)))
    }
}

#[derive(Debug)]
struct Flood {
    reason: String,
    since: Instant,
    last: Instant,
}

/// Where an event's path lies.
enum Place {
    Work(Vec<u8>),
    Git(Vec<u8>),
    Elsewhere,
}

fn io_detail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir_prefix(dir);
    p.extend_from_slice(name);
    p
}

fn shown(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

impl Watch {
    /// Open the repository at `workdir`, watch every directory of its work
    /// tree that is not ignored, and the git dir (non-recursively) for git
    /// operations. The snapshot is loaded from [`Options::state_file`] when
    /// it exists, and otherwise built from the tree as it is now.
    pub fn start(workdir: &Path, options: Options) -> Result<Watch, WatchError> {
        let open_err = |detail: String| WatchError::Open { path: workdir.to_owned(), detail };
        let repo = gix::open(workdir).map_err(|e| open_err(e.to_string()))?;
        let canonical = |p: &Path| std::fs::canonicalize(p).map_err(|e| open_err(e.to_string()));
        let Some(top) = repo.workdir() else {
            return Err(WatchError::NoWorkTree { path: workdir.to_owned() });
        };
        let top = canonical(top)?;
        let git_dir = canonical(repo.git_dir())?;
        let refs_dir = canonical(repo.common_dir())?.join("refs");

        let index = open_index(&repo).map_err(|detail| WatchError::Index { detail })?;
        let excludes = excludes_of(&repo, &index)?;
        let tracked = read_index(&index);
        let index_mtime = std::fs::metadata(index.path()).and_then(|m| m.modified()).ok();

        let (tx, rx) = std::sync::mpsc::channel();
        let wake = tx.clone();
        let mut watcher = INotifyWatcher::new(Forward(tx), notify::Config::default())
            .map_err(|e| WatchError::Inotify { detail: e.to_string() })?;
        watcher
            .watch(&git_dir, RecursiveMode::NonRecursive)
            .map_err(|e| WatchError::Inotify { detail: format!("{}: {e}", git_dir.display()) })?;

        let mut watch = Watch {
            repo,
            workdir: top,
            git_dir,
            refs_dir,
            options,
            watcher,
            rx,
            wake,
            excludes,
            tracked,
            index_stale: false,
            watched: HashSet::new(),
            unwatched: BTreeSet::new(),
            limit_unreported: false,
            warned: false,
            outbox: Vec::new(),
            snapshot: Snapshot::default(),
            pending: HashMap::new(),
            hints: HashMap::new(),
            window: None,
            reflog: None,
            flood: None,
            unsaved: BTreeSet::new(),
            last_collect: Instant::now(),
            hooks_coming: None,
            hooks_coming_called: None,
            events: 0,
            changes: 0,
            last_error: None,
            limit_hit: false,
            tidy: false,
        };
        // `refs/stash` lives in refs/, HEAD's reflog in logs/ (which a new
        // repository does not have yet: its first commit makes it).
        for dir in [watch.refs_dir.clone(), watch.git_dir.join("logs")] {
            if dir.is_dir()
                && let Err(e) = watch.watcher.watch(&dir, RecursiveMode::NonRecursive)
            {
                watch.note_error(format!("cannot watch {}: {e}", dir.display()));
            }
        }

        let loaded = match watch.options.state_file.clone() {
            Some(file) => match Snapshot::load(&file) {
                Ok(loaded) => loaded,
                Err(e) => {
                    watch.note_error(format!("ignoring the state in {}: {e}", file.display()));
                    None
                }
            },
            None => None,
        };
        // Each directory is watched before it is read: nothing written after
        // the scan can be missed.
        watch.reflog = gitops::reflog_mark(&watch.git_dir);
        let files = watch.walk(b"");
        match loaded {
            Some(snapshot) => watch.snapshot = snapshot,
            None => {
                let mut entries = Vec::with_capacity(files.len());
                for path in files {
                    let Observed::File(stat) = content::observe(&watch.abs(&path)) else {
                        continue;
                    };
                    // A tracked file whose stat data the index holds (and that was not
                    // modified in the index's own second: racy git) has the index's blob.
                    let blob = Seed::of(&index, &path).and_then(|seed| {
                        let racy = index_mtime.is_none_or(|t| {
                            let t = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                            stat.mtime >= (t.as_secs() as i64, i64::from(t.subsec_nanos()))
                        });
                        (!racy && seed.matches(&stat)).then_some(seed.id)
                    });
                    entries.push((path, Entry { stat, sha256: None, blob }));
                }
                watch.snapshot = Snapshot::build(entries);
            }
        }
        // Dropped only now: the start scan takes blob ids from it.
        drop(index);
        Ok(watch)
    }

    /// Wait up to `timeout` for settled changes. Returns an empty Vec on
    /// timeout. Blocks on the event channel: no CPU is used while idle.
    pub fn next_batch(&mut self, timeout: Duration) -> Result<Vec<Change>, WatchError> {
        self.wait(Some(gitops::later(Instant::now(), timeout)))
    }

    /// Wait for settled changes until `until` (`None`: no limit), or until a
    /// [`Waker`] wakes it; an empty Vec on either. While nothing is pending
    /// it blocks on the event channel with no timeout at all: an idle
    /// watcher never wakes up. Timers run only while events are pending.
    pub fn wait(&mut self, until: Option<Instant>) -> Result<Vec<Change>, WatchError> {
        loop {
            let woken = self.drain()?;
            let now = Instant::now();
            let burst = self.pending.len() >= BURST_PENDING;
            let tick = gitops::later(self.last_collect, BURST_TICK);
            let out = if !burst || now >= tick || woken {
                self.last_collect = now;
                self.collect(now, false)?
            } else {
                Vec::new()
            };
            if !out.is_empty() || woken || until.is_some_and(|end| now >= end) {
                return Ok(out);
            }
            let next = self.next_wake(now).map(|wake| if burst { wake.max(tick) } else { wake });
            let msg = match next.into_iter().chain(until).min() {
                Some(wake) => {
                    // A deadline that collect() did not act on would spin: wait a little.
                    let wait = wake.saturating_duration_since(now).max(Duration::from_millis(5));
                    match self.rx.recv_timeout(wait) {
                        Ok(msg) => msg,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => Msg::Closed,
                    }
                }
                None => {
                    self.release_idle_memory();
                    self.rx.recv().unwrap_or(Msg::Closed)
                }
            };
            match msg {
                Msg::Event(event) => self.on_event(event, Instant::now()),
                Msg::Wake => return Ok(out),
                Msg::Closed => return Err(WatchError::Disconnected),
            }
        }
    }

    /// Give back what a burst left allocated, once, as the watcher goes idle
    /// (issue 18: the idle watcher kept ~12 MB more after a 20,000-file
    /// burst). A burst grows the maps of pending paths and rename hints to
    /// its size, leaves the snapshot's latest changes in its overlay (a map
    /// of small allocations), and leaves gix's reusable buffers as large as
    /// the largest object written (the `refs/trail/saves` tree naming every
    /// saved blob: 1.5 MB for 20,000). Emptied maps keep their tables, so
    /// they are shrunk; the overlay is folded into the compact base; the
    /// buffers are dropped. An idle watcher does not call the allocator
    /// again, so what is not given back now stays resident for hours.
    fn release_idle_memory(&mut self) {
        if self.tidy {
            return;
        }
        self.tidy = true;
        self.snapshot.compact();
        self.pending.shrink_to_fit();
        self.hints.shrink_to_fit();
        self.outbox.shrink_to_fit();
        self.watched.shrink_to_fit();
        self.repo.set_freelist(Some(Vec::new()));
    }

    /// A handle that makes [`Watch::wait`] return early.
    pub fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Call `hook` when git's hooks are coming: git writes the message of a
    /// commit it is making (`COMMIT_EDITMSG`, `MERGE_MSG`; commit-msg and
    /// post-commit follow), or takes HEAD's lock to move it (`HEAD.lock`: a
    /// checkout, reset, merge or rebase, whose post-checkout, post-merge or
    /// post-rewrite follows within milliseconds). At most once a second;
    /// runs on the watcher's thread, so it must return at once. (Not
    /// `index.lock`: `git status`, which editors run all the time, takes that
    /// too; nothing that only reads the repository takes `HEAD.lock`.)
    pub fn on_hooks_coming(&mut self, hook: impl FnMut() + Send + 'static) {
        self.hooks_coming = Some(Box::new(hook));
    }

    /// Whether [`Watch::keep_reachable`] has something to do: blobs not yet
    /// reachable, or a snapshot changed since it was saved.
    pub fn has_unkept(&self) -> bool {
        !self.unsaved.is_empty() || (self.options.state_file.is_some() && self.snapshot.dirty)
    }

    /// Everything not yet settled, now (for a clean shutdown). An operation
    /// in progress is closed and reported as it stands.
    pub fn flush(&mut self) -> Result<Vec<Change>, WatchError> {
        self.drain()?;
        let mut out = self.collect(Instant::now(), true)?;
        // Files that changed while being read were queued again: one more try.
        if !self.pending.is_empty() {
            out.extend(self.collect(Instant::now(), true)?);
        }
        Ok(out)
    }

    /// Reconcile the whole work tree with the snapshot now, and report what
    /// differs as one [`Change::Rescan`] (`None` when nothing does). Pending
    /// events are subsumed. Directories not watched yet (a watch-limit hit
    /// earlier) are tried again.
    pub fn rescan(&mut self, reason: &str) -> Result<Option<Change>, WatchError> {
        self.drain()?;
        self.pending.clear();
        self.hints.clear();
        self.flood = None;
        self.close_window();
        let changes = self.reconcile_all()?;
        self.changes += changes.len() as u64;
        Ok((!changes.is_empty()).then(|| Change::Rescan { reason: reason.to_owned(), changes }))
    }

    pub fn stats(&self) -> Stats {
        let now = Instant::now();
        Stats {
            watched_dirs: self.watched.len(),
            unwatched_dirs: self.unwatched.len(),
            events: self.events,
            changes: self.changes,
            pending: self.pending.len(),
            oldest_pending: self
                .pending
                .values()
                .map(|p| p.first)
                .chain(self.flood.as_ref().map(|f| f.since))
                .min()
                .map(|first| now.saturating_duration_since(first)),
            last_error: self.last_error.clone(),
            watch_limit_hit: self.limit_hit,
        }
    }

    /// Make every blob written so far reachable from `refs/trail/saves` (one
    /// commit naming the new blobs, parent = the previous tip), so `git gc`
    /// keeps them; then save the snapshot to [`Options::state_file`] if it
    /// changed. Cheap when nothing is new. Call it after the changes returned
    /// so far are recorded: the saved state is what a restart compares with.
    pub fn keep_reachable(&mut self) -> Result<(), WatchError> {
        if !self.unsaved.is_empty() {
            saves::keep(&self.repo, &self.unsaved)
                .map_err(|detail| WatchError::Saves { detail })?;
            self.unsaved.clear();
        }
        if let Some(file) = self.options.state_file.clone()
            && self.snapshot.dirty
        {
            self.snapshot
                .save(&file)
                .map_err(|e| WatchError::State { path: file, detail: e.to_string() })?;
        }
        Ok(())
    }

    // ---- events ----

    /// Take every event queued; `true` if a [`Waker`] woke us meanwhile.
    fn drain(&mut self) -> Result<bool, WatchError> {
        let mut woken = false;
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Event(event)) => self.on_event(event, Instant::now()),
                Ok(Msg::Wake) => woken = true,
                Ok(Msg::Closed) | Err(TryRecvError::Disconnected) => {
                    return Err(WatchError::Disconnected);
                }
                Err(TryRecvError::Empty) => return Ok(woken),
            }
        }
    }

    fn place(&self, path: &Path) -> Place {
        let bytes = |p: &Path| p.as_os_str().as_bytes().to_vec();
        if let Ok(rest) = path.strip_prefix(&self.refs_dir) {
            return Place::Git(join(b"refs", &bytes(rest)));
        }
        if let Ok(rest) = path.strip_prefix(&self.git_dir) {
            return Place::Git(bytes(rest));
        }
        match path.strip_prefix(&self.workdir) {
            Ok(rest) if rest.as_os_str().is_empty() => Place::Elsewhere,
            Ok(rest) if rest.starts_with(".git") => Place::Elsewhere,
            Ok(rest) => Place::Work(bytes(rest)),
            Err(_) => Place::Elsewhere,
        }
    }

    fn on_event(&mut self, event: notify::Result<notify::Event>, now: Instant) {
        self.tidy = false;
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                    self.limit_hit = true;
                    self.limit_unreported = true;
                }
                self.note_error(format!("inotify: {e}"));
                return;
            }
        };
        self.events += 1;
        if event.need_rescan() {
            self.start_flood("the kernel's inotify event queue overflowed".into(), now);
            return;
        }
        match event.kind {
            // Reads (ours included) are not changes.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return,
            _ => {}
        }
        let mut work = Vec::new();
        for path in &event.paths {
            match self.place(path) {
                Place::Git(name) => self.on_git(&name, now),
                Place::Work(rel) => work.push(rel),
                Place::Elsewhere => {}
            }
        }
        if work.is_empty() {
            return;
        }
        if let Some(flood) = self.flood.as_mut() {
            flood.last = now;
            return;
        }
        match event.kind {
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                if let [from, to] = &work[..] {
                    self.on_rename(from.clone(), to.clone(), now);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) | EventKind::Create(_) => {
                for rel in work {
                    self.on_appear(rel, now);
                }
            }
            EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => {
                for rel in work {
                    // notify drops the watches of a directory moved or removed.
                    self.forget_watches(&rel);
                    self.touch(rel, now);
                }
            }
            _ => {
                for rel in work {
                    self.on_touched(rel, now);
                }
            }
        }
    }

    fn on_git(&mut self, name: &[u8], now: Instant) {
        if name == b"index" {
            self.index_stale = true;
        }
        if matches!(name, b"COMMIT_EDITMSG" | b"MERGE_MSG" | b"HEAD.lock")
            && self
                .hooks_coming_called
                .is_none_or(|at| now.duration_since(at) >= HOOKS_COMING_EVERY)
            && let Some(hook) = self.hooks_coming.as_mut()
        {
            self.hooks_coming_called = Some(now);
            hook();
        }
        if name == b"logs" {
            // Made by the repository's first commit: watch HEAD's reflog from now on.
            let logs = self.git_dir.join("logs");
            if logs.is_dir()
                && let Err(e) = self.watcher.watch(&logs, RecursiveMode::NonRecursive)
            {
                self.note_error(format!("cannot watch {}: {e}", logs.display()));
            }
        }
        let mut evidence = self.window.as_ref().map(|w| w.evidence).unwrap_or_default();
        if gitops::classify(name, &mut evidence) {
            let reflog = self.reflog;
            let window = self.window.get_or_insert_with(|| Window::new(now, reflog));
            window.evidence = evidence;
            window.last = now;
            window.git_last = now;
        }
    }

    /// A path that was created or moved in.
    fn on_appear(&mut self, rel: Vec<u8>, now: Instant) {
        match content::observe(&self.abs(&rel)) {
            Observed::Dir => {
                if !self.ignored(&rel, true) && !self.is_nested_repo(&rel) {
                    self.new_dir(&rel, now);
                }
            }
            Observed::Absent | Observed::Special => self.touch(rel, now),
            Observed::File(_) | Observed::Error(_) => {
                if self.pending.contains_key(&rel) || !self.ignored(&rel, false) {
                    self.touch(rel, now);
                }
            }
        }
    }

    /// A path whose content or metadata changed.
    fn on_touched(&mut self, rel: Vec<u8>, now: Instant) {
        if self.pending.contains_key(&rel) {
            self.touch(rel, now);
            return;
        }
        match content::observe(&self.abs(&rel)) {
            // A directory's own metadata is no file change; one we missed gets watched.
            Observed::Dir => {
                if !self.watched.contains(&rel)
                    && !self.ignored(&rel, true)
                    && !self.is_nested_repo(&rel)
                {
                    self.new_dir(&rel, now);
                }
            }
            Observed::File(_) => {
                if self.snapshot.contains(&rel) || !self.ignored(&rel, false) {
                    self.touch(rel, now);
                }
            }
            _ => self.touch(rel, now),
        }
    }

    fn on_rename(&mut self, from: Vec<u8>, to: Vec<u8>, now: Instant) {
        if from == to {
            return;
        }
        if matches!(content::observe(&self.abs(&to)), Observed::Dir) {
            // Its files were found when `to` appeared; pair each with its source.
            let prefix_len = dir_prefix(&from).len();
            for old in self.snapshot.under(&from) {
                let new = join(&to, &old[prefix_len..]);
                self.hints.insert(new.clone(), old.clone());
                self.touch(old, now);
                self.touch(new, now);
            }
        }
        self.hints.insert(to.clone(), from.clone());
        self.touch(from, now);
        self.touch(to, now);
    }

    /// Watch a new directory and everything below it at once, and queue the
    /// files found there (notify misses files written before the watch).
    fn new_dir(&mut self, rel: &[u8], now: Instant) {
        let files = self.walk(rel);
        for file in files {
            if !self.snapshot.contains(&file) {
                self.touch(file, now);
            }
        }
        self.touch(rel.to_vec(), now);
    }

    fn touch(&mut self, rel: Vec<u8>, now: Instant) {
        if let Some(flood) = self.flood.as_mut() {
            flood.last = now;
            return;
        }
        if let Some(from) = self.hints.get(&rel).cloned() {
            self.touch_one(from, now);
        }
        self.touch_one(rel, now);
        if self.pending.len() > self.options.flood {
            let reason = format!("more than {} paths changed at once", self.options.flood);
            self.start_flood(reason, now);
        }
    }

    fn touch_one(&mut self, rel: Vec<u8>, now: Instant) {
        if let Some(window) = self.window.as_mut() {
            window.paths.insert(rel.clone());
            window.last = now;
        }
        let entry =
            self.pending.entry(rel).or_insert(Pending { first: now, last: now, retries: 0 });
        entry.last = now;
    }

    fn start_flood(&mut self, reason: String, now: Instant) {
        match self.flood.as_mut() {
            Some(flood) => flood.last = now,
            None => self.flood = Some(Flood { reason, since: now, last: now }),
        }
        self.pending.clear();
        self.hints.clear();
        if let Some(window) = self.window.as_mut() {
            window.paths.clear();
        }
    }

    // ---- settling ----

    /// When something is next due.
    fn next_wake(&self, now: Instant) -> Option<Instant> {
        let debounce = self.options.debounce;
        if let Some(flood) = &self.flood {
            let due = gitops::later(flood.last, debounce);
            return Some(match &self.window {
                Some(w) => due.max(w.closes_at(debounce, &self.git_dir)),
                None => due,
            });
        }
        let held = self.window.as_ref().map(|w| &w.paths);
        let window = self.window.as_ref().map(|w| w.closes_at(debounce, &self.git_dir));
        // A rename's source is due with its target.
        let sources: HashSet<&Vec<u8>> = self
            .hints
            .iter()
            .filter(|(to, _)| self.pending.contains_key(*to))
            .map(|(_, from)| from)
            .collect();
        self.pending
            .iter()
            .filter(|(path, _)| !held.is_some_and(|h| h.contains(*path)) && !sources.contains(path))
            .map(|(_, p)| p.due(debounce))
            .chain(window)
            .min()
            .map(|due| due.max(now))
    }

    /// The changes due at `now` (all of them when `force`). On an error,
    /// what was found stays in the outbox for the next call.
    fn collect(&mut self, now: Instant, force: bool) -> Result<Vec<Change>, WatchError> {
        let mut out = std::mem::take(&mut self.outbox);
        self.take_warning(&mut out);
        match self.collect_into(&mut out, now, force) {
            Ok(()) => Ok(out),
            Err(e) => {
                out.append(&mut self.outbox);
                self.outbox = out;
                Err(e)
            }
        }
    }

    fn collect_into(
        &mut self,
        out: &mut Vec<Change>,
        now: Instant,
        force: bool,
    ) -> Result<(), WatchError> {
        let debounce = self.options.debounce;

        if let Some(flood) = &self.flood {
            let window_open =
                self.window.as_ref().is_some_and(|w| now < w.closes_at(debounce, &self.git_dir));
            if force || (now >= gitops::later(flood.last, debounce) && !window_open) {
                let reason = flood.reason.clone();
                self.flood = None;
                let window = self.close_window();
                self.pending.clear();
                self.hints.clear();
                let changes = self.reconcile_all()?;
                self.changes += changes.len() as u64;
                if !changes.is_empty() {
                    out.push(match window.and_then(|w| w.name(&self.git_dir)) {
                        Some(name) => Change::Operation { name, changes },
                        None => Change::Rescan { reason, changes },
                    });
                }
            }
            return Ok(());
        }

        if let Some(window) = &self.window
            && (force || now >= window.closes_at(debounce, &self.git_dir))
        {
            let window = self.close_window().expect("the window was just seen");
            let paths: Vec<Vec<u8>> =
                window.paths.iter().filter(|p| self.pending.contains_key(*p)).cloned().collect();
            let changes = self.settle(paths, now)?;
            self.changes += changes.len() as u64;
            if !changes.is_empty() {
                match window.name(&self.git_dir) {
                    Some(name) => out.push(Change::Operation { name, changes }),
                    None => out.extend(changes.into_iter().map(Change::File)),
                }
            }
        }

        let held = self.window.as_ref().map(|w| &w.paths);
        let mut ready: HashSet<Vec<u8>> = self
            .pending
            .iter()
            .filter(|(path, p)| {
                (force || now >= p.due(debounce)) && !held.is_some_and(|h| h.contains(*path))
            })
            .map(|(path, _)| path.clone())
            .collect();
        // A rename's source waits for its target, so the two are paired.
        for (to, from) in &self.hints {
            if ready.contains(from) && self.pending.contains_key(to) && !ready.contains(to) {
                ready.remove(from);
            }
        }
        if !ready.is_empty() {
            let mut ready: Vec<Vec<u8>> = ready.into_iter().collect();
            ready.sort();
            let changes = self.settle(ready, now)?;
            self.changes += changes.len() as u64;
            out.extend(changes.into_iter().map(Change::File));
        }
        if self.pending.is_empty() {
            self.hints.clear();
        }
        Ok(())
    }

    fn close_window(&mut self) -> Option<Window> {
        self.reflog = gitops::reflog_mark(&self.git_dir);
        self.window.take()
    }

    fn take_warning(&mut self, out: &mut Vec<Change>) {
        if !self.limit_unreported {
            return;
        }
        self.limit_unreported = false;
        if self.warned {
            return;
        }
        self.warned = true;
        let mut names: Vec<String> =
            self.unwatched.iter().take(10).map(|d| format!("{}/", shown(d))).collect();
        if self.unwatched.len() > 10 {
            names.push(format!("and {} more", self.unwatched.len() - 10));
        }
        let count = self.unwatched.len();
        let message = if count == 0 {
            "the inotify watch limit (fs.inotify.max_user_watches) was reached: some directories \
             are not watched; raise the limit (sysctl fs.inotify.max_user_watches=524288)"
                .to_owned()
        } else {
            format!(
                "the inotify watch limit (fs.inotify.max_user_watches) was reached: {count} \
                 director{} not watched, changes there are seen only by a rescan: {}; raise the \
                 limit (sysctl fs.inotify.max_user_watches=524288) and restart the watcher",
                if count == 1 { "y is" } else { "ies are" },
                names.join(", ")
            )
        };
        out.push(Change::Warning { message });
    }

    /// Settle `paths` (already due): what each is now against the snapshot.
    fn settle(&mut self, paths: Vec<Vec<u8>>, now: Instant) -> Result<Vec<FileChange>, WatchError> {
        if self.index_stale {
            self.reload_index();
        }
        let mut examine = BTreeSet::new();
        let mut retries = HashMap::new();
        for path in paths {
            if let Some(p) = self.pending.remove(&path) {
                retries.insert(path.clone(), p.retries);
            }
            match content::observe(&self.abs(&path)) {
                Observed::Dir => {
                    if !self.watched.contains(&path)
                        && !self.ignored(&path, true)
                        && !self.is_nested_repo(&path)
                    {
                        let files = self.walk(&path);
                        examine.extend(files);
                    }
                    examine.extend(self.snapshot.under(&path));
                    if self.snapshot.contains(&path) {
                        examine.insert(path);
                    }
                }
                Observed::Error(e) => self.note_error(e),
                Observed::Absent => {
                    self.forget_watches(&path);
                    examine.extend(self.snapshot.under(&path));
                    examine.insert(path);
                }
                _ => {
                    examine.insert(path);
                }
            }
        }
        let changes = self.compare(examine, &retries, now)?;
        for change in &changes {
            self.hints.remove(&change.path);
        }
        Ok(changes)
    }

    /// Reconcile the whole tree: every file on disk and in the snapshot.
    fn reconcile_all(&mut self) -> Result<Vec<FileChange>, WatchError> {
        if self.index_stale {
            self.reload_index();
        }
        let workdir = self.workdir.clone();
        self.watched.retain(|dir| workdir.join(OsStr::from_bytes(dir)).is_dir());
        let mut examine: BTreeSet<Vec<u8>> = self.walk(b"").into_iter().collect();
        examine.extend(self.snapshot.paths());
        self.compare(examine, &HashMap::new(), Instant::now())
    }

    /// Compare each path with the snapshot, store new content, update the
    /// snapshot, and pair renames.
    fn compare(
        &mut self,
        examine: BTreeSet<Vec<u8>>,
        retries: &HashMap<Vec<u8>, u8>,
        now: Instant,
    ) -> Result<Vec<FileChange>, WatchError> {
        let mut changes: Vec<FileChange> = Vec::new();
        // Deleted path → its old content, for pairing renames.
        let mut deleted: HashMap<Vec<u8>, Entry> = HashMap::new();
        let mut created: HashMap<Vec<u8>, ContentIds> = HashMap::new();
        let mut ignores_changed = Vec::new();
        // New content to write into the object database, all at once after the
        // loop: one pack for a burst instead of a file per blob.
        let mut staged: Vec<Staged> = Vec::new();
        let mut staged_bytes = 0usize;
        let mut examine = examine.into_iter();
        while let Some(path) = examine.next() {
            // Memory stays bounded: what is staged is written once it is large.
            if staged_bytes >= STAGED_BYTES_MAX {
                staged_bytes = 0;
                if let Err(e) = self.store_staged(&mut staged, &mut changes, &mut created, now) {
                    for rest in std::iter::once(path).chain(examine) {
                        self.pending.insert(rest, Pending { first: now, last: now, retries: 0 });
                    }
                    let changes = self.pair_renames(changes, deleted, &created);
                    self.outbox.extend(changes.into_iter().map(Change::File));
                    return Err(e);
                }
            }
            let abs = self.abs(&path);
            let old = self.snapshot.get(&path);
            if let Some(old) = &old {
                // Same stat data, same content: nothing to read.
                if matches!(content::observe(&abs), Observed::File(stat) if stat == old.stat) {
                    continue;
                }
            } else if self.ignored(&path, false) {
                continue;
            }
            let hash_kind = self.repo.object_hash();
            match content::read(&abs, self.options.max_blob_size, hash_kind) {
                Read::Absent | Read::Special => {
                    if let Some(old) = self.snapshot.remove(&path) {
                        deleted.insert(path.clone(), old);
                        changes.push(FileChange {
                            kind: Kind::Delete,
                            path,
                            from: None,
                            blob: None,
                            sha256: None,
                            size: None,
                            mode: None,
                        });
                    }
                }
                Read::Error(e) => self.note_error(e),
                Read::Unstable => {
                    let tries = retries.get(&path).copied().unwrap_or(0);
                    if tries < MAX_RETRIES {
                        let p = Pending { first: now, last: now, retries: tries + 1 };
                        self.pending.insert(path, p);
                    } else {
                        self.note_error(format!(
                            "{} kept changing while it was read; given up",
                            abs.display()
                        ));
                    }
                }
                Read::Content(c) => {
                    if let Some(e) = &c.error {
                        self.note_error(e.clone());
                    }
                    if let Some(old) = &old
                        && old.stat.mode == c.stat.mode
                        && old.same_content(c.sha256.as_ref(), c.blob.as_ref())
                    {
                        let entry = Entry {
                            stat: c.stat,
                            sha256: c.sha256.or(old.sha256),
                            blob: c.blob.or(old.blob),
                        };
                        self.snapshot.insert(path, entry);
                        continue;
                    }
                    let blob = match (c.data, c.blob) {
                        (Some(data), Some(id)) => {
                            staged_bytes += data.len();
                            staged.push(Staged { path: path.clone(), old, id, data });
                            Some(id)
                        }
                        _ => None,
                    };
                    if path.rsplit(|&b| b == b'/').next() == Some(b".gitignore") {
                        ignores_changed.push(path.clone());
                    }
                    created.insert(path.clone(), (c.sha256, blob));
                    changes.push(FileChange {
                        kind: if old.is_some() { Kind::Modify } else { Kind::Create },
                        path: path.clone(),
                        from: None,
                        blob,
                        sha256: c.sha256.map(hex::encode),
                        size: Some(c.size),
                        mode: Some(c.stat.mode),
                    });
                    self.snapshot.insert(path, Entry { stat: c.stat, sha256: c.sha256, blob });
                }
            }
        }
        if let Err(e) = self.store_staged(&mut staged, &mut changes, &mut created, now) {
            let changes = self.pair_renames(changes, deleted, &created);
            self.outbox.extend(changes.into_iter().map(Change::File));
            return Err(e);
        }
        let changes = self.pair_renames(changes, deleted, &created);
        if !ignores_changed.is_empty() {
            self.ignores_changed(&ignores_changed, now);
        }
        Ok(changes)
    }

    /// Write what `staged` holds (see [`Watch::write_blobs`]) and empty it.
    /// Nothing is lost when that fails: the paths whose content could not be
    /// stored go back to what the snapshot knew, leave `changes`, and are
    /// examined again; the changes whose content is stored stay.
    fn store_staged(
        &mut self,
        staged: &mut Vec<Staged>,
        changes: &mut Vec<FileChange>,
        created: &mut HashMap<Vec<u8>, ContentIds>,
        now: Instant,
    ) -> Result<(), WatchError> {
        let result = self.write_blobs(staged);
        let Err((failed, detail)) = result else {
            staged.clear();
            return Ok(());
        };
        let err = WatchError::WriteBlob { path: shown(&staged[failed].path), detail };
        let mut again = HashSet::new();
        for s in staged.drain(..).skip(failed) {
            match s.old {
                Some(old) => self.snapshot.insert(s.path.clone(), old),
                None => {
                    self.snapshot.remove(&s.path);
                }
            }
            self.pending.insert(s.path.clone(), Pending { first: now, last: now, retries: 0 });
            created.remove(&s.path);
            again.insert(s.path);
        }
        changes.retain(|c| !again.contains(&c.path));
        Err(err)
    }

    /// Write the new content of one batch: as one pack when there are at
    /// least [`pack::PACK_AT_LEAST`] distinct blobs (a burst), else, or when
    /// the pack cannot be written, as loose objects. On failure: the index in
    /// `staged` of the first blob not written (those before it are), and why.
    fn write_blobs(&mut self, staged: &[Staged]) -> Result<(), (usize, String)> {
        // Contents git has already (a checkout, a reset, a file saved back to
        // an earlier state) are not written again, as gix's `write_blob`
        // skips them too; they are made reachable like the new ones.
        let mut seen = HashSet::new();
        let distinct: Vec<(ObjectId, &[u8])> = staged
            .iter()
            .filter(|s| seen.insert(s.id) && !self.repo.has_object(s.id))
            .map(|s| (s.id, s.data.as_slice()))
            .collect();
        if distinct.len() >= pack::PACK_AT_LEAST && self.repo.object_hash() == gix::hash::Kind::Sha1
        {
            match pack::write_blobs(self.repo.path(), &distinct) {
                Ok(()) => {
                    // Reachable at once: a `git repack -a -d` drops unreachable
                    // objects that are packed (loose ones wait for `git prune`'s
                    // grace period), so a pack must not wait for the next
                    // `keep_reachable`.
                    let ids: BTreeSet<ObjectId> = seen.into_iter().collect();
                    match saves::keep(&self.repo, &ids) {
                        Ok(_) => {}
                        Err(detail) => {
                            self.note_error(format!(
                                "cannot make saved contents reachable: {detail}"
                            ));
                            self.unsaved.extend(ids);
                        }
                    }
                    return Ok(());
                }
                Err(e) => self.note_error(format!(
                    "cannot write {} saved contents as one pack ({e}); writing them one by one",
                    distinct.len()
                )),
            }
        }
        for (i, s) in staged.iter().enumerate() {
            match self.repo.write_blob(&s.data) {
                Ok(id) => {
                    self.unsaved.insert(id.detach());
                }
                Err(e) => return Err((i, e.to_string())),
            }
        }
        Ok(())
    }

    /// Turn a `Create` and a `Delete` of the same batch into one `Rename`:
    /// first by inotify's cookies (`hints`, followed through intermediate
    /// names), then by identical content when the match is unique.
    fn pair_renames(
        &self,
        changes: Vec<FileChange>,
        mut deleted: HashMap<Vec<u8>, Entry>,
        created: &HashMap<Vec<u8>, ContentIds>,
    ) -> Vec<FileChange> {
        if deleted.is_empty() {
            return changes;
        }
        let mut sources: HashMap<Vec<u8>, Vec<u8>> = HashMap::new(); // to → from
        // A file renamed over another one is a rename too (from the cookie only).
        let targets = changes.iter().filter(|c| matches!(c.kind, Kind::Create | Kind::Modify));
        for change in targets {
            let mut cursor = self.hints.get(&change.path);
            for _ in 0..16 {
                let Some(from) = cursor else { break };
                if deleted.contains_key(from) {
                    sources.insert(change.path.clone(), from.clone());
                    deleted.remove(from);
                    break;
                }
                if self.snapshot.contains(from) {
                    break;
                }
                cursor = self.hints.get(from);
            }
        }
        // By content, only where the match is unique both ways. A deleted
        // entry is compared by SHA-256 when it knows one (as `same_content`
        // does), else by blob id.
        let creates: Vec<(&Vec<u8>, &ContentIds)> = changes
            .iter()
            .filter(|c| c.kind == Kind::Create && !sources.contains_key(&c.path))
            .filter_map(|c| created.get(&c.path).map(|ids| (&c.path, ids)))
            .collect();
        if !deleted.is_empty() && !creates.is_empty() {
            let mut by_sha: HashMap<[u8; 32], Vec<&Vec<u8>>> = HashMap::new();
            let mut by_blob: HashMap<ObjectId, Vec<&Vec<u8>>> = HashMap::new();
            for (path, entry) in &deleted {
                match (entry.sha256, entry.blob) {
                    (Some(sha), _) => by_sha.entry(sha).or_default().push(path),
                    (None, Some(blob)) => by_blob.entry(blob).or_default().push(path),
                    (None, None) => {}
                }
            }
            let mut creates_by_sha: HashMap<[u8; 32], usize> = HashMap::new();
            let mut creates_by_blob: HashMap<ObjectId, usize> = HashMap::new();
            for (_, (sha, blob)) in &creates {
                if let Some(sha) = sha {
                    *creates_by_sha.entry(*sha).or_default() += 1;
                }
                if let Some(blob) = blob {
                    *creates_by_blob.entry(*blob).or_default() += 1;
                }
            }
            let mut pairs = Vec::new();
            for (path, (sha, blob)) in &creates {
                let mut candidates: Vec<&Vec<u8>> = Vec::new();
                if let Some(found) = sha.as_ref().and_then(|s| by_sha.get(s)) {
                    candidates.extend(found);
                }
                if let Some(found) = blob.as_ref().and_then(|b| by_blob.get(b)) {
                    candidates.extend(found);
                }
                let [from] = candidates[..] else { continue };
                let entry = &deleted[from];
                let rivals = match (entry.sha256, entry.blob) {
                    (Some(sha), _) => creates_by_sha.get(&sha),
                    (None, Some(blob)) => creates_by_blob.get(&blob),
                    (None, None) => None,
                };
                if rivals == Some(&1) {
                    pairs.push(((*path).clone(), from.clone()));
                }
            }
            for (to, from) in pairs {
                deleted.remove(&from);
                sources.insert(to, from);
            }
        }
        if sources.is_empty() {
            return changes;
        }
        let paired: HashSet<&Vec<u8>> = sources.values().collect();
        let mut out = Vec::with_capacity(changes.len());
        for mut change in changes.iter().cloned() {
            if change.kind == Kind::Delete && paired.contains(&change.path) {
                continue;
            }
            if let Some(from) = sources.get(&change.path) {
                change.kind = Kind::Rename;
                change.from = Some(from.clone());
            }
            out.push(change);
        }
        out
    }

    /// A `.gitignore` changed: re-read the ignore rules, and watch and queue
    /// what they no longer ignore.
    fn ignores_changed(&mut self, files: &[Vec<u8>], now: Instant) {
        match open_index(&self.repo) {
            Ok(index) => match excludes_of(&self.repo, &index) {
                Ok(stack) => self.excludes = stack,
                Err(e) => self.note_error(e.to_string()),
            },
            Err(e) => self.note_error(format!("cannot read the git index: {e}")),
        }
        for file in files {
            let dir = match file.iter().rposition(|&b| b == b'/') {
                Some(i) => file[..i].to_vec(),
                None => Vec::new(),
            };
            if !self.watched.contains(&dir) {
                continue;
            }
            for found in self.walk(&dir) {
                if !self.snapshot.contains(&found) {
                    self.touch(found, now);
                }
            }
        }
    }

    // ---- the tree ----

    fn abs(&self, rel: &[u8]) -> PathBuf {
        if rel.is_empty() {
            self.workdir.clone()
        } else {
            self.workdir.join(OsStr::from_bytes(rel))
        }
    }

    fn is_nested_repo(&self, rel: &[u8]) -> bool {
        let abs = self.abs(rel);
        abs != self.git_dir && abs.join(".git").symlink_metadata().is_ok()
    }

    /// Whether `git status` would skip this path: excluded and not tracked.
    fn ignored(&mut self, rel: &[u8], is_dir: bool) -> bool {
        if rel.is_empty() {
            return false;
        }
        if is_dir {
            let prefix = dir_prefix(rel);
            if self.tracked.any_with_prefix(&prefix) {
                return false;
            }
        } else if self.tracked.contains(rel) {
            return false;
        }
        let mode = is_dir.then_some(gix::index::entry::Mode::DIR);
        match self.excludes.at_entry(rel.as_bstr(), mode, &self.repo.objects) {
            Ok(platform) => platform.is_excluded(),
            Err(_) => false,
        }
    }

    /// Watch `rel` and every directory below it that is not ignored (each
    /// before it is read), and return the files found.
    fn walk(&mut self, rel: &[u8]) -> Vec<Vec<u8>> {
        let mut files = Vec::new();
        let mut dirs = vec![rel.to_vec()];
        while let Some(dir) = dirs.pop() {
            self.add_watch(&dir);
            let abs = self.abs(&dir);
            let entries = match std::fs::read_dir(&abs) {
                Ok(entries) => entries,
                Err(e) => {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        self.note_error(format!("cannot read {}: {e}", abs.display()));
                    }
                    continue;
                }
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name.as_bytes() == b".git" {
                    continue;
                }
                let child = join(&dir, name.as_bytes());
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() {
                    if self.is_nested_repo(&child) || self.ignored(&child, true) {
                        continue;
                    }
                    dirs.push(child);
                } else if !self.ignored(&child, false) {
                    files.push(child);
                }
            }
        }
        files
    }

    fn add_watch(&mut self, rel: &[u8]) {
        if self.watched.contains(rel) {
            return;
        }
        if self.options.max_watches.is_some_and(|max| self.watched.len() >= max) {
            self.watch_limit(rel);
            return;
        }
        let abs = self.abs(rel);
        match self.watcher.watch(&abs, RecursiveMode::NonRecursive) {
            Ok(()) => {
                self.watched.insert(rel.to_vec());
                self.unwatched.remove(rel);
            }
            Err(e) => match &e.kind {
                notify::ErrorKind::MaxFilesWatch => self.watch_limit(rel),
                notify::ErrorKind::PathNotFound => {}
                notify::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {}
                _ => self.note_error(format!("cannot watch {}: {e}", abs.display())),
            },
        }
    }

    fn watch_limit(&mut self, rel: &[u8]) {
        self.limit_hit = true;
        if self.unwatched.insert(rel.to_vec()) {
            self.limit_unreported = true;
        }
    }

    /// Forget the watches of `rel` and below (notify removes them itself
    /// when a directory is moved away or deleted).
    fn forget_watches(&mut self, rel: &[u8]) {
        if self.watched.remove(rel) {
            let prefix = dir_prefix(rel);
            self.watched.retain(|d| !d.starts_with(&prefix));
        }
        let prefix = dir_prefix(rel);
        self.unwatched.retain(|d| d.as_slice() != rel && !d.starts_with(&prefix));
    }

    fn reload_index(&mut self) {
        self.index_stale = false;
        match open_index(&self.repo) {
            Ok(index) => self.tracked = read_index(&index),
            Err(e) => self.note_error(format!("cannot read the git index: {e}")),
        }
    }

    fn note_error(&mut self, message: String) {
        self.last_error = Some(message);
    }
}

fn excludes_of(
    repo: &gix::Repository,
    index: &gix::index::State,
) -> Result<gix::worktree::Stack, WatchError> {
    let source = gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped;
    let stack = repo
        .excludes(index, None, source)
        .map_err(|e| WatchError::Index { detail: io_detail(e) })?;
    Ok(stack.detach())
}

/// What the index says about a tracked file, to know its blob without
/// reading it.
struct Seed {
    id: ObjectId,
    mode: u32,
    stat: gix::index::entry::Stat,
}

impl Seed {
    /// The unconflicted entry of `path`, if it is a file.
    fn of(index: &gix::index::State, path: &[u8]) -> Option<Seed> {
        let entry = index
            .entry_by_path_and_stage(path.as_bstr(), gix::index::entry::Stage::Unconflicted)?;
        Some(Seed { id: entry.id, mode: git_mode(entry.mode)?, stat: entry.stat })
    }

    fn matches(&self, stat: &StatKey) -> bool {
        self.mode == stat.mode
            && u64::from(self.stat.size) == stat.size
            && i64::from(self.stat.mtime.secs) == stat.mtime.0
            && i64::from(self.stat.mtime.nsecs) == stat.mtime.1
            && u64::from(self.stat.ino) == stat.ino & 0xffff_ffff
    }
}

/// The index, read afresh. Not gix's `index_or_empty`: that keeps the decoded
/// index in the repository for good (11 MB for 100,000 files), and the
/// watcher reads it only when it changed.
fn open_index(repo: &gix::Repository) -> Result<gix::index::File, String> {
    match repo.open_index() {
        Ok(index) => Ok(index),
        Err(_) if !repo.index_path().exists() => Ok(gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            repo.index_path(),
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// git's mode of an index entry that is a file; `None` for submodules and
/// sparse directories.
fn git_mode(mode: gix::index::entry::Mode) -> Option<u32> {
    use gix::index::entry::Mode;
    match mode {
        Mode::FILE => Some(0o100644),
        Mode::FILE_EXECUTABLE => Some(0o100755),
        Mode::SYMLINK => Some(0o120000),
        _ => None,
    }
}

/// The tracked files.
fn read_index(index: &gix::index::State) -> PathList {
    let files = index.entries().iter().filter(|e| git_mode(e.mode).is_some());
    PathList::from_unsorted(files.map(|e| -> &[u8] { e.path(index) }))
}
