//! The `LogStore` trait and its sled 0.34.7 backend (layout: store/FORMAT.md).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::chain;
use crate::index;
use crate::record::{Draft, GENESIS_PREV};

/// The tree holding the records themselves.
pub const RECORDS: &str = "records";
/// The tree holding the store's own facts.
pub const META: &str = "meta";

/// Keys of the `meta` tree.
pub mod meta_keys {
    /// u64 big-endian: the seq of the last record (absent or 0 when empty).
    pub const HEAD_SEQ: &str = "head_seq";
    /// ASCII hex: the hash of the last record.
    pub const HEAD_HASH: &str = "head_hash";
    /// ASCII decimal: the record format version the store holds.
    pub const FORMAT: &str = "format";
    /// ASCII hex, 32 characters: this store's random identity.
    pub const STORE_ID: &str = "store_id";
    /// RFC 3339: when the store was created.
    pub const CREATED: &str = "created";
    /// JSON: the outcome of the last `verify`.
    pub const LAST_VERIFY: &str = "last_verify";
    /// RFC 3339, present only while `reindex` rebuilds the indexes (or after it
    /// was interrupted): the indexes are incomplete until it is gone.
    pub const REINDEXING: &str = "reindexing";
}

/// The end of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Head {
    fn empty() -> Self {
        Head { seq: 0, hash: GENESIS_PREV.to_owned() }
    }
}

/// What an acknowledged append wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub seq: u64,
    pub hash: String,
}

/// Opening a store failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no journal at {path}")]
    NotInitialized { path: PathBuf },
    #[error("the journal at {path} is in use by another process (waited {waited:?})")]
    Locked { path: PathBuf, waited: Duration },
    #[error("the journal at {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "the journal at {path} is damaged: it ends at seq {found}, but records up to seq {acknowledged} were acknowledged"
    )]
    Lost { path: PathBuf, acknowledged: u64, found: u64 },
    #[error("the journal at {path} has format {found}; this trail reads format {expected}")]
    Format { path: PathBuf, found: String, expected: u64 },
    #[error("cannot open the journal at {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The filesystem holding the store is full (or the quota is used up):
    /// sled could not write what it writes when it opens a store (a snapshot
    /// of its page table). The store is left as it was.
    #[error("cannot open the journal at {path}: the disk is full ({source})")]
    DiskFull { path: PathBuf, source: std::io::Error },
    /// This process may not `access` `denied`: the store, a file in it, the
    /// directory holding it or its high-water mark. The store is not damaged.
    #[error(
        "cannot open the journal at {path}: permission denied: this user may not {access} {denied}"
    )]
    Permission {
        path: PathBuf,
        denied: PathBuf,
        access: Access,
        /// Owner and mode of `denied`, when it can be looked at.
        owner: Option<Owner>,
        source: std::io::Error,
    },
    /// The store is gone but a rebuilt one waits beside it: a `trail recover`
    /// is replacing it, or was interrupted while it did.
    #[error(
        "the journal at {path} is missing: `trail recover` is replacing it (or was interrupted), and its rebuilt journal waits at {built}"
    )]
    RecoverUnfinished { path: PathBuf, built: PathBuf },
}

/// What [`OpenError::Permission`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read a file, or list or enter a directory.
    Read,
    /// Write a file, or create files in a directory.
    Write,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "write",
        })
    }
}

/// Who owns a path, and its permission bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
    /// The permission bits (`st_mode & 0o7777`).
    pub mode: u32,
}

/// Appending failed: nothing of the batch was written, except for `Flush`.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("seq {seq} is already taken: another writer appended concurrently")]
    Conflict { seq: u64 },
    #[error("a record could not be encoded: {0}")]
    Encode(#[from] crate::canonical::CanonicalError),
    /// A draft would make a record the verifier refuses; nothing was written.
    #[error("a record was refused: {0}")]
    Invalid(String),
    #[error("the journal's head is unreadable: {0}")]
    Head(#[from] ReadError),
    #[error("storage failed: {0}")]
    Storage(#[from] sled::Error),
    /// The transaction committed but the flush failed: the batch may or may not
    /// survive a crash, and was not acknowledged.
    #[error("the records were written but could not be made durable: {0}")]
    Flush(sled::Error),
    /// The store is owned by another process (the trail daemon) and the append went
    /// through it: this is its report, or that the connection failed. When the
    /// connection broke after the request was sent, the batch may or may not have
    /// been written (see trail-service).
    #[error("{0}")]
    Remote(String),
}

/// [`SledStore::restore`] refused a record; what came before it is written.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("record {seq} is damaged: {problem}")]
    Record { seq: u64, problem: chain::RecordProblem },
    #[error("expected record {expected}, found record {found}")]
    Sequence { expected: u64, found: u64 },
    #[error("record {seq} does not link to the record before it")]
    Link { seq: u64 },
    #[error("the store's head is unreadable: {0}")]
    Head(#[from] ReadError),
    #[error("storage failed: {0}")]
    Storage(#[from] sled::Error),
}

/// Reading failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("record {seq} is damaged: {detail}")]
    Damaged { seq: u64, detail: String },
    #[error("an index names record {seq}, but no such record is stored")]
    StaleIndex { seq: u64 },
    #[error("the store's metadata is damaged: {0}")]
    Meta(String),
    #[error("storage failed: {0}")]
    Storage(#[from] sled::Error),
    /// The store is owned by another process (the trail daemon) and the read went
    /// through it: this is its report of a failure that has no variant of its own
    /// here, or that the connection failed.
    #[error("{0}")]
    Remote(String),
}

/// Records in seq order: (seq, stored bytes).
pub type RawRecords<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), ReadError>> + 'a>;

/// The operations trail needs from a journal backend. Records only ever go in
/// through [`LogStore::append`]; nothing deletes or rewrites one.
pub trait LogStore: Sync {
    /// Append the drafts as one atomic batch; returns only once it is durable.
    fn append(&self, drafts: Vec<Draft>) -> Result<Vec<Appended>, AppendError>;
    /// The end of the chain (seq 0 and 64 zeros when empty).
    fn head(&self) -> Result<Head, ReadError>;
    /// The stored bytes of record `seq`.
    fn get_raw(&self, seq: u64) -> Result<Option<Vec<u8>>, ReadError>;
    /// The stored bytes of each of `seqs`, in the same order: one call for
    /// many lookups (through the daemon, one request instead of one each).
    fn get_raw_many(&self, seqs: &[u64]) -> Result<Vec<Option<Vec<u8>>>, ReadError> {
        seqs.iter().map(|&seq| self.get_raw(seq)).collect()
    }
    /// Records with seq in `range`, in order or reversed.
    fn scan_raw(&self, range: std::ops::RangeInclusive<u64>, reverse: bool) -> RawRecords<'_>;
    /// Keys of index `tree` that start with `prefix`.
    fn index_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, ReadError>;
    /// Keys of index `tree` in `[from, to)`.
    fn index_range(&self, tree: &str, from: &[u8], to: &[u8]) -> Result<Vec<Vec<u8>>, ReadError>;
    /// Every key of index `tree`, in order.
    fn index_keys(&self, tree: &str) -> Box<dyn Iterator<Item = Result<Vec<u8>, ReadError>> + '_>;
    /// Drop and rebuild every index from `records`; returns the records indexed.
    fn reindex(&self) -> Result<u64, ReadError>;
    /// False while a rebuild of the indexes is under way or was interrupted:
    /// queries and import must not trust the indexes then.
    fn indexes_complete(&self) -> Result<bool, ReadError>;
    /// The last head this store acknowledged, as recorded outside the store itself
    /// (see [`SledStore`]'s high-water mark); `None` when unknown.
    fn acknowledged(&self) -> Option<Head> {
        None
    }
    /// Read and write the store's own facts (`meta`).
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, ReadError>;
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), ReadError>;
}

/// The sled backend.
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    records: sled::Tree,
    meta: sled::Tree,
    indexes: [sled::Tree; index::ALL.len()],
    /// One appender at a time inside this process (sled's file lock keeps other
    /// processes out); see [`SledStore::append`].
    writer: Mutex<()>,
}

/// sled's page cache (its default is 1 GiB, far more than a journal needs and the
/// main term of a bulk import's peak memory). 32 MiB: an import of git/git's
/// 81,966 commits peaks 34 MB lower than with 64 MiB, no slower (measured).
const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// How many records' index keys [`SledStore::restore`] sorts together before
/// it puts them into the index trees.
const RESTORE_WINDOW: usize = 20_000;

/// A window of index keys, one list per tree of [`index::ALL`].
type IndexKeys = [Vec<Vec<u8>>; index::ALL.len()];

/// From this many lookups on, [`SledStore::get_raw_many`] shares them out
/// over the cores (a thread costs about what two lookups cost).
const PARALLEL_LOOKUPS: usize = 32;

/// How long `open` keeps retrying a store another process holds.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

impl SledStore {
    /// Create the store at `path` if it is absent, then open it.
    ///
    /// Refuses ([`OpenError::RecoverUnfinished`]) while `trail recover`'s
    /// rebuilt store waits beside an absent one: a new store there would take
    /// its place. When the disk is full, a store this call began is removed
    /// again, so that it never looks like a damaged one later.
    pub fn create(path: &Path) -> Result<(Self, bool), OpenError> {
        let existed = Self::exists(path)?;
        if !existed {
            check_rebuild(path)?;
        }
        let fresh = !existed && !path.exists();
        let created = Self::create_inner(path);
        if fresh && matches!(created, Err(OpenError::DiskFull { .. })) {
            // Nothing was ever acknowledged in it.
            if let Err(e) = std::fs::remove_dir_all(path) {
                tracing::warn!("could not remove the unfinished store {}: {e}", path.display());
            }
        }
        Ok((created?, existed))
    }

    fn create_inner(path: &Path) -> Result<Self, OpenError> {
        let store = Self::open_inner(path, LOCK_WAIT)?;
        if store.meta.get(meta_keys::STORE_ID).map_err(|e| damaged(path, e))?.is_none() {
            let id: [u8; 16] = rand::random();
            let init = || -> sled::Result<()> {
                store
                    .meta
                    .insert(meta_keys::FORMAT, crate::FORMAT_VERSION.to_string().as_bytes())?;
                store
                    .meta
                    .insert(meta_keys::CREATED, crate::Timestamp::now().to_rfc3339().as_bytes())?;
                store.meta.insert(meta_keys::STORE_ID, hex::encode(id).as_bytes())?;
                store.db.flush()?;
                Ok(())
            };
            init().map_err(|e| damaged(path, e))?;
        }
        store.check_mark()?;
        Ok(store)
    }

    /// Create a new, empty store at `path` that takes over the identity
    /// `store_id` (and its creation time) of a store being rebuilt: `trail
    /// recover` builds the replacement beside the damaged one and fills it with
    /// [`SledStore::restore`]. Refuses a path that already holds a store.
    pub fn create_as(path: &Path, store_id: &str, created: &str) -> Result<Self, OpenError> {
        if Self::exists(path)? {
            return Err(OpenError::Damaged {
                path: path.to_owned(),
                detail: "a store already exists here".into(),
            });
        }
        let store = Self::open_inner(path, LOCK_WAIT)?;
        let init = || -> sled::Result<()> {
            store.meta.insert(meta_keys::FORMAT, crate::FORMAT_VERSION.to_string().as_bytes())?;
            store.meta.insert(meta_keys::CREATED, created.as_bytes())?;
            store.meta.insert(meta_keys::STORE_ID, store_id.as_bytes())?;
            store.db.flush()?;
            Ok(())
        };
        init().map_err(|e| damaged(path, e))?;
        Ok(store)
    }

    /// Put back records that were sealed before (a checkpoint's segment, or
    /// what a damaged store still holds): each must pass [`chain::check`],
    /// carry the next seq and link to the current head. They are written with
    /// their index keys without transactions or flushes, the head last and one
    /// flush at the end, so this is only for a store nobody else sees yet (see
    /// [`SledStore::create_as`]). Returns the new head.
    ///
    /// When a record is refused, the ones before it stay written, indexed and
    /// flushed, the head at the last of them.
    ///
    /// Two threads share the work (a record costs about four sled inserts,
    /// three of them index keys): this one checks the records and puts them
    /// into the records tree; a second one puts their index keys into the
    /// index trees, 20,000 records' worth at a time, sorted (see
    /// `put_index_keys`).
    pub fn restore<I>(&self, records: I) -> Result<Head, RestoreError>
    where
        I: IntoIterator<Item = Vec<u8>>,
    {
        let _writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut head = read_head(&self.meta)?;
        // One window waits while the indexer works on the next: the memory
        // held is a few windows of keys, a few MB.
        let (keys_tx, keys_rx) = std::sync::mpsc::sync_channel::<IndexKeys>(1);
        let (checked, indexed) = std::thread::scope(|scope| {
            let indexer = scope.spawn(move || self.put_index_keys(keys_rx));
            let checked = self.put_records(records, &mut head, &keys_tx);
            drop(keys_tx);
            let indexed = indexer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (checked, indexed)
        });
        indexed?;
        let refused = match checked {
            Ok(()) => None,
            Err(e @ (RestoreError::Storage(_) | RestoreError::Head(_))) => return Err(e),
            Err(refused) => Some(refused),
        };
        // The head only once every record before it and its index keys are in.
        if head.seq > 0 {
            self.meta.insert(meta_keys::HEAD_SEQ, &head.seq.to_be_bytes())?;
            self.meta.insert(meta_keys::HEAD_HASH, head.hash.as_bytes())?;
        }
        self.db.flush()?;
        if let Err(e) = self.write_mark(&head) {
            tracing::warn!("could not update {}: {e}", self.mark_path().display());
        }
        match refused {
            None => Ok(head),
            Some(refused) => Err(refused),
        }
    }

    /// [`SledStore::restore`]'s first half: check each record, put it into
    /// the records tree, advance `head`, and hand its index keys to `keys`
    /// a window at a time. Stops at the first refused record, or when the
    /// indexer is gone (it failed: its error is the one to report).
    fn put_records<I>(
        &self,
        records: I,
        head: &mut Head,
        keys: &std::sync::mpsc::SyncSender<IndexKeys>,
    ) -> Result<(), RestoreError>
    where
        I: IntoIterator<Item = Vec<u8>>,
    {
        let mut window = IndexKeys::default();
        let mut in_window = 0usize;
        let put = || -> Result<(), RestoreError> {
            for bytes in records {
                let (checked, facts) = check_next(head, &bytes)?;
                for (tree, key) in index::entries_of(&facts) {
                    let at = index::ALL.iter().position(|n| *n == tree).unwrap_or(0);
                    window[at].push(key);
                }
                // Plain inserts, not `apply_batch`: sled holds one epoch guard
                // across a whole batch, and every insert copies the leaf it
                // lands in, so a batch of 20,000 records kept every replaced
                // leaf alive until it ended (8 GB peak for a million records).
                self.records.insert(checked.seq.to_be_bytes(), bytes)?;
                *head = Head { seq: checked.seq, hash: checked.hash };
                in_window += 1;
                if in_window == RESTORE_WINDOW {
                    in_window = 0;
                    if keys.send(std::mem::take(&mut window)).is_err() {
                        break;
                    }
                }
            }
            Ok(())
        };
        let outcome = put();
        // Also after a refused record: the keys of the ones before it.
        let _ = keys.send(window);
        outcome
    }

    /// [`SledStore::restore`]'s second half, on its own thread: put each
    /// window of index keys into the index trees, each tree's keys sorted
    /// first. Index keys arrive in record order, which for the path, commit
    /// and change indexes is no order at all; sorted, consecutive inserts land
    /// in the same or neighbouring leaves, which sled finds in its cache.
    fn put_index_keys(&self, windows: std::sync::mpsc::Receiver<IndexKeys>) -> sled::Result<()> {
        for mut window in windows {
            for (tree, keys) in self.indexes.iter().zip(window.iter_mut()) {
                keys.sort_unstable();
                for key in keys.drain(..) {
                    tree.insert(key, &[] as &[u8])?;
                }
            }
        }
        Ok(())
    }

    /// Open a store to read what it still holds, even when its high-water
    /// mark says acknowledged records are gone (`trail recover` salvages the
    /// records after the last checkpoint from it). Never for appending.
    pub fn open_for_salvage(path: &Path) -> Result<Self, OpenError> {
        if !Self::exists(path)? {
            return Err(OpenError::NotInitialized { path: path.to_owned() });
        }
        Self::open_inner(path, LOCK_WAIT)
    }

    /// Whether a store exists at `path` (its `conf` file is there). A store
    /// this process may not look into is not "absent":
    /// [`OpenError::Permission`] says which directory is closed to it.
    pub fn exists(path: &Path) -> Result<bool, OpenError> {
        match std::fs::metadata(path.join("conf")) {
            Ok(_) => Ok(true),
            Err(e) if is_permission_error(&e) => Err(permission_error(path, e)),
            Err(_) => Ok(false),
        }
    }

    /// [`OpenError::Permission`] when this process may not use (as sled and
    /// trail use them) the store at `path`, the directories leading to it, a
    /// file in it or its high-water mark; for a store that is absent, only
    /// the way to it and the mark are checked. Creates and removes a probe
    /// file in the store's directory (sled creates its snapshots there).
    pub fn check_access(path: &Path) -> Result<(), OpenError> {
        match find_denied(path) {
            None => Ok(()),
            Some((denied, access)) => Err(OpenError::Permission {
                path: path.to_owned(),
                owner: owner_of(&denied),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
                denied,
                access,
            }),
        }
    }

    /// Where `trail recover` builds the replacement of the store at `path`
    /// (`<name>.recovering`, beside it).
    pub fn rebuild_path(path: &Path) -> PathBuf {
        sibling(path, ".recovering")
    }

    /// Open an existing store, waiting up to [`LOCK_WAIT`] for another process to let go.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        Self::open_with_wait(path, LOCK_WAIT)
    }

    pub fn open_with_wait(path: &Path, wait: Duration) -> Result<Self, OpenError> {
        if !Self::exists(path)? {
            check_rebuild(path)?;
            return Err(OpenError::NotInitialized { path: path.to_owned() });
        }
        let store = Self::open_inner(path, wait)?;
        match store.meta.get(meta_keys::FORMAT).map_err(|e| damaged(path, e))? {
            Some(v) if v.as_ref() == crate::FORMAT_VERSION.to_string().as_bytes() => {
                store.check_mark()?;
                Ok(store)
            }
            Some(v) => Err(OpenError::Format {
                path: path.to_owned(),
                found: String::from_utf8_lossy(&v).into_owned(),
                expected: crate::FORMAT_VERSION,
            }),
            None => Err(OpenError::Damaged {
                path: path.to_owned(),
                detail: "the meta tree has no format version".into(),
            }),
        }
    }

    fn open_inner(path: &Path, wait: Duration) -> Result<Self, OpenError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        let db = loop {
            // What an earlier open left half-written goes first (see
            // `settle_snapshots`); a store another process holds is left alone.
            let opened = match settle_snapshots(path) {
                Ok(Settled::Done) => sled::Config::new()
                    .path(path)
                    .mode(sled::Mode::LowSpace)
                    .cache_capacity(CACHE_BYTES)
                    .open(),
                Ok(Settled::Held) => {
                    Err(sled::Error::Io(std::io::Error::from(std::io::ErrorKind::WouldBlock)))
                }
                Err(e) => return Err(io_error(path, e)),
            };
            match opened {
                Ok(db) => break db,
                Err(sled::Error::Io(e)) if is_lock_error(&e) => {
                    if started.elapsed() >= wait {
                        return Err(OpenError::Locked { path: path.to_owned(), waited: wait });
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(sled::Error::Io(source)) => {
                    // A full disk stops sled while it writes its snapshot, after
                    // it created the file: take it away again, so that the store
                    // is left as it was (it would be read as a corrupt snapshot).
                    if is_disk_full(&source)
                        && let Err(e) = settle_snapshots(path)
                    {
                        tracing::warn!(
                            "could not tidy {} after a failed open: {e}",
                            path.display()
                        );
                    }
                    return Err(io_error(path, source));
                }
                Err(e) => return Err(damaged(path, e)),
            }
        };
        let tree = |name: &str| db.open_tree(name).map_err(|e| damaged(path, e));
        Ok(SledStore {
            path: path.to_owned(),
            records: tree(RECORDS)?,
            meta: tree(META)?,
            indexes: [
                tree(index::ALL[0])?,
                tree(index::ALL[1])?,
                tree(index::ALL[2])?,
                tree(index::ALL[3])?,
                tree(index::ALL[4])?,
                tree(index::ALL[5])?,
            ],
            db,
            writer: Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The high-water mark: `<store>.head`, beside the sled directory, holding
    /// "SEQ HASH\n" of the last acknowledged append. sled, on finding a damaged
    /// log segment, silently drops it and everything after it, so a damaged store
    /// can open as a shorter (even empty) but self-consistent one. The mark,
    /// written after every flush, lets `open` notice that instead of carrying on.
    pub fn mark_path(&self) -> PathBuf {
        sibling(&self.path, ".head")
    }

    fn read_mark(&self) -> Option<Head> {
        self.read_mark_checked().ok().flatten()
    }

    /// The mark; `None` when there is none or it holds no "SEQ HASH" line.
    /// Failing to read one that is there (permission, I/O) is an error: it
    /// must not pass for "no records were acknowledged".
    fn read_mark_checked(&self) -> std::io::Result<Option<Head>> {
        let text = match std::fs::read_to_string(self.mark_path()) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            // Not text: as unreadable as a line that does not parse.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(None),
            Err(e) => return Err(e),
        };
        let parse = || {
            let (seq, hash) = text.trim().split_once(' ')?;
            Some(Head { seq: seq.parse().ok()?, hash: hash.to_owned() })
        };
        Ok(parse())
    }

    /// Replace the mark atomically. Written after the flush, so it is never ahead
    /// of what is durable; losing it in a crash only makes it lag, which is safe.
    fn write_mark(&self, head: &Head) -> std::io::Result<()> {
        let mark = self.mark_path();
        let mut tmp = mark.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, format!("{} {}\n", head.seq, head.hash))?;
        std::fs::rename(&tmp, &mark)
    }

    fn check_mark(&self) -> Result<(), OpenError> {
        let mark = match self.read_mark_checked() {
            Ok(Some(mark)) => mark,
            Ok(None) => return Ok(()),
            Err(e) if is_permission_error(&e) => {
                let denied = self.mark_path();
                return Err(OpenError::Permission {
                    path: self.path.clone(),
                    owner: owner_of(&denied),
                    denied,
                    access: Access::Read,
                    source: e,
                });
            }
            Err(e) => {
                // Another failure (a directory in its place...): the damage
                // check is weakened, as when the mark is missing.
                tracing::warn!("cannot read {}: {e}", self.mark_path().display());
                return Ok(());
            }
        };
        let head = read_head(&self.meta)
            .map_err(|e| OpenError::Damaged { path: self.path.clone(), detail: e.to_string() })?;
        if mark.seq > head.seq {
            return Err(OpenError::Lost {
                path: self.path.clone(),
                acknowledged: mark.seq,
                found: head.seq,
            });
        }
        Ok(())
    }

    /// This store's identity (hex), written at creation.
    pub fn store_id(&self) -> Result<String, ReadError> {
        let id =
            self.meta(meta_keys::STORE_ID)?.ok_or_else(|| ReadError::Meta("no store id".into()))?;
        Ok(String::from_utf8_lossy(&id).into_owned())
    }

    /// Size of the store on disk, in bytes.
    pub fn size_on_disk(&self) -> Result<u64, ReadError> {
        Ok(self.db.size_on_disk()?)
    }

    /// Direct access to a tree, for tests that damage a store on purpose and for
    /// the verifier.
    pub fn tree(&self, name: &str) -> Option<&sled::Tree> {
        match name {
            RECORDS => Some(&self.records),
            META => Some(&self.meta),
            _ => index::ALL.iter().position(|n| *n == name).map(|i| &self.indexes[i]),
        }
    }

    fn index_tree(&self, name: &str) -> Result<&sled::Tree, ReadError> {
        index::ALL
            .iter()
            .position(|n| *n == name)
            .map(|i| &self.indexes[i])
            .ok_or_else(|| ReadError::Meta(format!("no index named {name}")))
    }
}

/// A record of an append batch, sealed and ready to insert.
struct Sealed {
    seq: u64,
    bytes: Vec<u8>,
    hash: String,
    entries: Vec<(&'static str, Vec<u8>)>,
    draft: Option<String>,
}

impl SledStore {
    /// The record appended from draft `id`, if this store holds one.
    fn draft_record(&self, id: &str) -> Result<Option<Appended>, ReadError> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let Some(key) = self.index_tree(index::DRAFT)?.scan_prefix(&prefix).keys().next() else {
            return Ok(None);
        };
        let key = key?;
        let seq = index::seq_of(&key)
            .ok_or(ReadError::Damaged { seq: 0, detail: "an idx_draft key is too short".into() })?;
        let bytes = self.records.get(seq.to_be_bytes())?.ok_or(ReadError::StaleIndex { seq })?;
        let checked = chain::check(&bytes)
            .map_err(|problem| ReadError::Damaged { seq, detail: problem.to_string() })?;
        Ok(Some(Appended { seq, hash: checked.hash }))
    }

    /// One sled transaction over `records`, `meta` and every index: each
    /// record goes in at its seq only if that key is absent, and only if the
    /// head is still `head` and no index holds its draft id yet.
    fn commit_batch(
        &self,
        head: &Head,
        sealed: &[Sealed],
        after: &Head,
    ) -> Result<(), AppendError> {
        let [i0, i1, i2, i3, i4, i5] = &self.indexes;
        let result = (&self.records, &self.meta, i0, i1, i2, i3, i4, i5).transaction(
            |(records, meta, i0, i1, i2, i3, i4, i5)| {
                let current = meta.get(meta_keys::HEAD_SEQ)?.map(|v| v.to_vec());
                let current = current
                    .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
                    .map_or(0, u64::from_be_bytes);
                if current != head.seq {
                    return Err(ConflictableTransactionError::Abort(current + 1));
                }
                for record in sealed {
                    let key = record.seq.to_be_bytes();
                    // Insert-if-absent: a previous value means another writer got
                    // here first; aborting undoes the whole batch.
                    if records.insert(&key, record.bytes.as_slice())?.is_some() {
                        return Err(ConflictableTransactionError::Abort(record.seq));
                    }
                    for (tree, key) in &record.entries {
                        let target = match *tree {
                            index::PATH => i0,
                            index::TIME => i1,
                            index::COMMIT => i2,
                            index::CHANGE => i3,
                            index::TOKEN => i4,
                            _ => i5,
                        };
                        target.insert(key.as_slice(), &[] as &[u8])?;
                    }
                }
                meta.insert(meta_keys::HEAD_SEQ, &after.seq.to_be_bytes())?;
                meta.insert(meta_keys::HEAD_HASH, after.hash.as_bytes())?;
                Ok(())
            },
        );
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(seq)) => Err(AppendError::Conflict { seq }),
            Err(TransactionError::Storage(e)) => Err(AppendError::Storage(e)),
        }
    }
}

/// Check that `bytes` is the record that continues the chain at `head`, and
/// read its index facts.
fn check_next(head: &Head, bytes: &[u8]) -> Result<(chain::Checked, index::Facts), RestoreError> {
    let expected = head.seq + 1;
    let checked =
        chain::check(bytes).map_err(|problem| RestoreError::Record { seq: expected, problem })?;
    if checked.seq != expected {
        return Err(RestoreError::Sequence { expected, found: checked.seq });
    }
    if checked.prev != head.hash {
        return Err(RestoreError::Link { seq: expected });
    }
    let facts = index::facts_from_bytes(checked.seq, bytes).map_err(|detail| {
        RestoreError::Record { seq: expected, problem: chain::RecordProblem::Invalid(detail) }
    })?;
    Ok((checked, facts))
}

fn is_lock_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
}

fn damaged(path: &Path, e: sled::Error) -> OpenError {
    let detail = match e {
        // A full disk or a closed door is not damage.
        sled::Error::Io(source) => return io_error(path, source),
        // sled's Display appends an (empty) backtrace; say only what matters.
        sled::Error::Corruption { at: Some(at), .. } => format!("corrupted data at {at}"),
        sled::Error::Corruption { at: None, .. } => "corrupted data".to_owned(),
        other => other.to_string(),
    };
    OpenError::Damaged { path: path.to_owned(), detail }
}

// ---- opening safely: full disks, permissions, an interrupted recover ----

/// What an I/O error while opening the store at `path` means.
fn io_error(path: &Path, source: std::io::Error) -> OpenError {
    if is_disk_full(&source) {
        OpenError::DiskFull { path: path.to_owned(), source }
    } else if is_permission_error(&source) {
        permission_error(path, source)
    } else {
        OpenError::Io { path: path.to_owned(), source }
    }
}

fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// EACCES and EPERM.
fn is_permission_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::PermissionDenied
}

/// [`OpenError::Permission`], naming what exactly is closed to this process.
fn permission_error(path: &Path, source: std::io::Error) -> OpenError {
    let (denied, access) = find_denied(path).unwrap_or_else(|| (path.to_owned(), Access::Read));
    OpenError::Permission {
        path: path.to_owned(),
        owner: owner_of(&denied),
        denied,
        access,
        source,
    }
}

fn owner_of(path: &Path) -> Option<Owner> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(Owner { uid: meta.uid(), gid: meta.gid(), mode: meta.mode() & 0o7777 })
}

/// The first part of the store at `path` (or of the way to it) that this
/// process may not use as sled and trail use it: the directories leading to
/// it entered, the store listed, `conf` and the snapshots read, `db` read and
/// written, files created in the store (sled's snapshots), the high-water
/// mark read. `None` when everything is open to it.
fn find_denied(path: &Path) -> Option<(PathBuf, Access)> {
    use std::fs::OpenOptions;
    let denied = |e: &std::io::Error| is_permission_error(e);
    if std::fs::metadata(path).as_ref().is_err_and(denied) {
        // A directory above it cannot be entered: the nearest one that can be seen.
        let mut child = path;
        while let Some(parent) = child.parent() {
            if std::fs::metadata(parent).is_ok() {
                return Some((parent.to_owned(), Access::Read));
            }
            child = parent;
        }
        return Some((path.to_owned(), Access::Read));
    }
    if std::fs::metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        && let Some(parent) = path.parent()
        && !can_create_in(parent)
    {
        // The store is yet to be made, in a directory closed to this process.
        return Some((parent.to_owned(), Access::Write));
    }
    let listed = std::fs::read_dir(path);
    if listed.as_ref().is_err_and(denied)
        || std::fs::metadata(path.join("conf")).as_ref().is_err_and(denied)
    {
        return Some((path.to_owned(), Access::Read));
    }
    let mut files: Vec<PathBuf> =
        listed.into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files {
        if file.is_dir() {
            if std::fs::read_dir(&file).as_ref().is_err_and(denied) {
                return Some((file, Access::Read));
            }
            continue;
        }
        if std::fs::File::open(&file).as_ref().is_err_and(denied) {
            return Some((file, Access::Read));
        }
        if file.file_name().is_some_and(|n| n == "db")
            && OpenOptions::new().write(true).open(&file).as_ref().is_err_and(denied)
        {
            return Some((file, Access::Write));
        }
    }
    if !can_create_in(path) {
        return Some((path.to_owned(), Access::Write));
    }
    let mark = sibling(path, ".head");
    if std::fs::File::open(&mark).as_ref().is_err_and(denied) {
        return Some((mark, Access::Read));
    }
    None
}

/// False when creating a file in `dir` is refused for permission (a probe
/// file, removed at once); true when it works or fails otherwise (absent, full).
fn can_create_in(dir: &Path) -> bool {
    let probe = dir.join(format!(".trail-access-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => !is_permission_error(&e),
    }
}

/// [`OpenError::RecoverUnfinished`] when the rebuilt store of a `trail
/// recover` waits beside the absent store at `path`.
fn check_rebuild(path: &Path) -> Result<(), OpenError> {
    let built = SledStore::rebuild_path(path);
    match std::fs::symlink_metadata(&built) {
        Ok(_) => Err(OpenError::RecoverUnfinished { path: path.to_owned(), built }),
        Err(_) => Ok(()),
    }
}

/// `<path><suffix>`, beside `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// What [`settle_snapshots`] did.
#[derive(Debug, PartialEq, Eq)]
enum Settled {
    /// Nothing was left over, or it is put right.
    Done,
    /// Another process holds the store (and may be writing a snapshot now).
    Held,
}

/// Put right a snapshot an earlier open left half-written.
///
/// sled 0.34.7 writes a snapshot of its page table only while it opens a
/// store (`write_snapshot` in pagecache/snapshot.rs): into
/// `snap.<LSN>.generating`, fsync'd, then renamed to `snap.<LSN>`; older
/// snapshots are removed only after that rename. When it opens a store, it
/// reads the `snap.*` file whose name sorts last, and does not skip
/// `.generating` ones: a leftover sorts after its own final name and after
/// every older snapshot. An open that failed (on a full disk the file is
/// created, then its write fails) or was killed leaves one behind, empty or
/// partial, and every later open reads it as a corrupt snapshot and refuses
/// the store ("corrupted data") although nothing in it is damaged.
///
/// So, before sled opens the store and under sled's own lock (a `flock` on
/// `db`, so no other process is opening it meanwhile), each leftover that is
/// whole (its length and crc32 check out as sled checks them) gets the name
/// sled did not get to give it; any other is removed, and sled reads the
/// snapshot before it plus the log, which nothing has written to since (the
/// open that left it did not finish), and regenerates the same snapshot.
fn settle_snapshots(path: &Path) -> std::io::Result<Settled> {
    let leftovers = || -> std::io::Result<Vec<PathBuf>> {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("snap.") && name.ends_with(".generating") {
                found.push(entry.path());
            }
        }
        Ok(found)
    };
    if leftovers()?.is_empty() {
        return Ok(Settled::Done);
    }
    let db = match std::fs::File::open(path.join("db")) {
        Ok(db) => Some(db),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(db) = &db {
        match db.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(Settled::Held),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
    for leftover in leftovers()? {
        let bytes = std::fs::read(&leftover)?;
        let name = leftover.file_name().map(|n| n.to_string_lossy().into_owned());
        let final_name = name.as_deref().and_then(|n| n.strip_suffix(".generating"));
        match final_name {
            Some(final_name) if snapshot_is_whole(&bytes) => {
                std::fs::rename(&leftover, path.join(final_name))?;
            }
            _ => std::fs::remove_file(&leftover)?,
        }
    }
    std::fs::File::open(path)?.sync_all()?;
    // `db` closes here, and with it the lock: sled takes its own.
    Ok(Settled::Done)
}

/// Whether `bytes` are a whole sled snapshot file: the snapshot, its length
/// (8 bytes) and the crc32 of the snapshot (4 bytes, little-endian), as
/// `read_snapshot` in sled 0.34.7 checks them.
fn snapshot_is_whole(bytes: &[u8]) -> bool {
    if bytes.len() <= 12 {
        return false;
    }
    let (body, tail) = bytes.split_at(bytes.len() - 12);
    let crc: [u8; 4] = tail[8..].try_into().expect("the tail is 12 bytes");
    crc32fast::hash(body) == u32::from_le_bytes(crc)
}

pub(crate) fn read_head(meta: &sled::Tree) -> Result<Head, ReadError> {
    let seq = match meta.get(meta_keys::HEAD_SEQ)? {
        None => return Ok(Head::empty()),
        Some(v) => u64::from_be_bytes(
            v.as_ref().try_into().map_err(|_| ReadError::Meta("head_seq is not 8 bytes".into()))?,
        ),
    };
    let hash = match meta.get(meta_keys::HEAD_HASH)? {
        Some(h) => String::from_utf8(h.to_vec())
            .map_err(|_| ReadError::Meta("head_hash is not text".into()))?,
        None if seq == 0 => GENESIS_PREV.to_owned(),
        None => return Err(ReadError::Meta("head_hash is missing".into())),
    };
    Ok(Head { seq, hash })
}

impl LogStore for SledStore {
    /// One sled transaction over `records`, `meta` and every index: each record is
    /// inserted at head+1 only if that key is absent, and the batch is acknowledged
    /// only after `flush` returned. A batch of many drafts costs one flush (group
    /// commit), which is what makes bulk appends cheap.
    fn append(&self, drafts: Vec<Draft>) -> Result<Vec<Appended>, AppendError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let _writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let head = read_head(&self.meta)?;
        // Idempotence: a draft whose id the store already holds (a retry after
        // a lost answer, a spool drained twice) is answered with the record
        // already there and not written again; so is a second draft of one id
        // in the same batch. Every writer of this store holds `writer` in the
        // one process sled's file lock admits, so nothing can add a draft id
        // between this check and the transaction below.
        enum Answer {
            Written(Appended),
            New,
            SameAs(String),
        }
        let mut answers = Vec::with_capacity(drafts.len());
        let mut fresh = Vec::with_capacity(drafts.len());
        let mut batch_ids = std::collections::HashSet::new();
        for draft in drafts {
            if let Some(id) = draft.id.as_deref() {
                if let Some(existing) = self.draft_record(id)? {
                    answers.push(Answer::Written(existing));
                    continue;
                }
                if !batch_ids.insert(id.to_owned()) {
                    answers.push(Answer::SameAs(id.to_owned()));
                    continue;
                }
            }
            answers.push(Answer::New);
            fresh.push(draft);
        }
        let mut sealed = Vec::with_capacity(fresh.len());
        let mut prev = head.hash.clone();
        for (i, draft) in fresh.into_iter().enumerate() {
            let seq = head
                .seq
                .checked_add(1 + i as u64)
                .ok_or_else(|| ReadError::Meta(format!("head_seq {} cannot grow", head.seq)))?;
            let mut record = draft.into_record(seq, prev);
            let bytes = chain::seal(&mut record)?;
            // What the verifier would refuse never goes in (a draft from a
            // spool file or a client may hold anything JSON can).
            // The index keys come from the stored bytes, read the way the
            // verifier and reindex read them: a record they would refuse is
            // refused here.
            let facts = index::facts_from_bytes(seq, &bytes).map_err(AppendError::Invalid)?;
            prev = record.hash.clone();
            let entries = index::entries_of(&facts);
            sealed.push(Sealed {
                seq: record.seq,
                bytes,
                hash: record.hash,
                entries,
                draft: record.draft,
            });
        }
        if let Some(last) = sealed.last() {
            let head_after = Head { seq: last.seq, hash: last.hash.clone() };
            self.commit_batch(&head, &sealed, &head_after)?;
            trail_failpoint::hit("journal.append.committed");
            self.db.flush().map_err(AppendError::Flush)?;
            trail_failpoint::hit("journal.append.flushed");
            if let Err(e) = self.write_mark(&head_after) {
                // The records are durable; only the damage check at open is weakened.
                tracing::warn!("could not update {}: {e}", self.mark_path().display());
            }
        }
        let mut by_id = std::collections::HashMap::new();
        let mut written = sealed.into_iter();
        let mut out = Vec::with_capacity(answers.len());
        for answer in answers {
            let appended = match answer {
                Answer::Written(appended) => appended,
                Answer::New => {
                    let s = written.next().expect("one sealed record per new draft");
                    let appended = Appended { seq: s.seq, hash: s.hash };
                    if let Some(id) = s.draft {
                        by_id.insert(id, appended.clone());
                    }
                    appended
                }
                Answer::SameAs(id) => by_id
                    .get(&id)
                    .cloned()
                    .expect("a repeated id follows its first draft, which was sealed"),
            };
            out.push(appended);
        }
        Ok(out)
    }

    fn head(&self) -> Result<Head, ReadError> {
        read_head(&self.meta)
    }

    fn get_raw(&self, seq: u64) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.records.get(seq.to_be_bytes())?.map(|v| v.to_vec()))
    }

    /// Many lookups on all cores: a record sled does not hold in its cache
    /// costs a read and the decoding of the whole node it is in (about 15 µs),
    /// which is most of what `trail log --path DIR` does.
    fn get_raw_many(&self, seqs: &[u64]) -> Result<Vec<Option<Vec<u8>>>, ReadError> {
        let get = |seqs: &[u64]| -> Result<Vec<Option<Vec<u8>>>, ReadError> {
            seqs.iter().map(|&seq| self.get_raw(seq)).collect()
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if threads < 2 || seqs.len() < PARALLEL_LOOKUPS {
            return get(seqs);
        }
        // Neighbouring seqs share sled's nodes: each thread takes a run of them.
        let mut runs = seqs.chunks(seqs.len().div_ceil(threads));
        let mine = runs.next().unwrap_or_default();
        std::thread::scope(|scope| {
            let others: Vec<_> = runs.map(|run| scope.spawn(move || get(run))).collect();
            let mut found = get(mine)?;
            for other in others {
                found
                    .extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
            }
            Ok(found)
        })
    }

    fn scan_raw(&self, range: std::ops::RangeInclusive<u64>, reverse: bool) -> RawRecords<'_> {
        let iter = self.records.range(range.start().to_be_bytes()..=range.end().to_be_bytes());
        let decode = |item: sled::Result<(sled::IVec, sled::IVec)>| {
            let (k, v) = item?;
            let seq = <[u8; 8]>::try_from(k.as_ref()).map(u64::from_be_bytes).map_err(|_| {
                ReadError::Damaged {
                    seq: 0,
                    detail: format!("a record key is {} bytes, not 8", k.len()),
                }
            })?;
            Ok((seq, v.to_vec()))
        };
        if reverse { Box::new(iter.rev().map(decode)) } else { Box::new(iter.map(decode)) }
    }

    fn index_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.index_tree(tree)?.scan_prefix(prefix).keys().map(|k| Ok(k?.to_vec())).collect()
    }

    fn index_range(&self, tree: &str, from: &[u8], to: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.index_tree(tree)?.range(from..to).keys().map(|k| Ok(k?.to_vec())).collect()
    }

    fn index_keys(&self, tree: &str) -> Box<dyn Iterator<Item = Result<Vec<u8>, ReadError>> + '_> {
        match self.index_tree(tree) {
            Ok(t) => Box::new(t.iter().keys().map(|k| Ok(k?.to_vec()))),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    /// Rebuild every index. A `reindexing` marker in `meta` is set (and flushed)
    /// before the indexes are cleared and removed only once they are whole
    /// again, so an interrupted rebuild is never mistaken for complete indexes
    /// (an import trusting a half-empty commit index would record commits twice).
    fn reindex(&self) -> Result<u64, ReadError> {
        let _writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.meta.insert(meta_keys::REINDEXING, crate::Timestamp::now().to_rfc3339().as_bytes())?;
        self.db.flush()?;
        for tree in &self.indexes {
            tree.clear()?;
        }
        let mut count = 0u64;
        let mut batches: [sled::Batch; index::ALL.len()] = Default::default();
        let mut pending = 0usize;
        for item in self.records.iter() {
            let (key, bytes) = item?;
            let seq = <[u8; 8]>::try_from(key.as_ref()).map(u64::from_be_bytes).map_err(|_| {
                ReadError::Damaged { seq: 0, detail: "a record key is not 8 bytes".into() }
            })?;
            let facts = index::facts_from_bytes(seq, &bytes)
                .map_err(|detail| ReadError::Damaged { seq, detail })?;
            for (tree, key) in index::entries_of(&facts) {
                let at = index::ALL.iter().position(|n| *n == tree).unwrap_or(0);
                batches[at].insert(key, &[] as &[u8]);
                pending += 1;
            }
            count += 1;
            if pending >= 50_000 {
                for (tree, batch) in self.indexes.iter().zip(std::mem::take(&mut batches)) {
                    tree.apply_batch(batch)?;
                }
                pending = 0;
            }
        }
        for (tree, batch) in self.indexes.iter().zip(batches) {
            tree.apply_batch(batch)?;
        }
        self.db.flush()?;
        self.meta.remove(meta_keys::REINDEXING)?;
        self.db.flush()?;
        Ok(count)
    }

    fn indexes_complete(&self) -> Result<bool, ReadError> {
        Ok(self.meta.get(meta_keys::REINDEXING)?.is_none())
    }

    fn acknowledged(&self) -> Option<Head> {
        self.read_mark()
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.meta.get(key)?.map(|v| v.to_vec()))
    }

    fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), ReadError> {
        self.meta.insert(key, value)?;
        self.db.flush()?;
        Ok(())
    }
}
