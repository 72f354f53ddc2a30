//! `.git/trail/pending/spool/`: records that could not be written yet.
//!
//! A producer whose append failed (the journal busy, damaged, its store
//! process gone mid-answer) keeps its drafts here, one JSON file per batch,
//! written whole or not at all. The next one to reach the journal drains the
//! spool first, oldest file first. Draining is exclusive (`pending/spool.lock`,
//! an advisory lock held for the whole drain): two drainers never hand the
//! same file to the store. And a drained draft keeps the id it was made with,
//! which the store appends once (FORMAT §8.4), so a drain killed between the
//! append and the removal of its file writes nothing twice when it is resumed.
//!
//! A file that cannot be read as drafts is never deleted and never blocks the
//! spool: it is moved to `spool/damaged/` and reported, for a person to look
//! at (it may hold records).

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use trail_journal::{Draft, kinds};

/// The spool of one repository.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
    lock: PathBuf,
}

/// What a drain did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drained {
    /// Drafts handed to the store (the store may have had some already: it
    /// answers those with the record already there).
    pub written: u64,
    /// Files set aside into `spool/damaged/` because they could not be read.
    pub set_aside: Vec<PathBuf>,
    /// Another process was draining: this one left the spool to it.
    pub busy: bool,
    /// The spool could not be drained (set by [`crate::Gateway::deliver`]
    /// when draining failed and the delivery went on without it).
    pub unreadable: bool,
}

/// What waits in the spool.
#[derive(Debug, Default)]
pub struct Waiting {
    pub drafts: Vec<Draft>,
    /// Files that cannot be read as drafts (still in the spool, or set aside
    /// into `spool/damaged/`).
    pub damaged: Vec<PathBuf>,
}

/// The spool could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("cannot {what} {path}: {source}")]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("cannot encode the records to keep: {0}")]
    Encode(#[from] serde_json::Error),
}

/// A drain stopped: the spool could not be read, or `append` failed (the file
/// being drained stays in the spool, for the next drain).
#[derive(Debug, thiserror::Error)]
pub enum DrainError<E> {
    #[error(transparent)]
    Spool(#[from] SpoolError),
    #[error("{0}")]
    Append(E),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SpoolError + 'a {
    move |source| SpoolError::Io { what, path: path.to_owned(), source }
}

impl Spool {
    /// The spool of the trail directory `trail_dir` (`.git/trail`).
    pub fn new(trail_dir: &Path) -> Self {
        let pending = trail_dir.join("pending");
        Spool { dir: pending.join("spool"), lock: pending.join("spool.lock") }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where unreadable files are moved.
    pub fn damaged_dir(&self) -> PathBuf {
        self.dir.join("damaged")
    }

    /// Keep `drafts` for the next drain; returns the file written. The file
    /// is complete and durable (data and directory entry synced) or absent.
    pub fn keep(&self, drafts: &[Draft]) -> Result<PathBuf, SpoolError> {
        std::fs::create_dir_all(&self.dir).map_err(io("create", &self.dir))?;
        let name = format!(
            "{}-{:08x}.json",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.9fZ"),
            rand::random::<u32>()
        );
        let path = self.dir.join(name);
        let bytes = serde_json::to_vec(drafts)?;
        // A temporary name without `.json`: a drain never sees a half file.
        let tmp = self.dir.join(format!(".keep-{:016x}.tmp", rand::random::<u64>()));
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(&self.dir)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io("write", &path)(e)
        })?;
        Ok(path)
    }

    /// Whether no batch waits (a directory listing: cheap enough for every
    /// command that opens the journal to ask).
    pub fn is_empty(&self) -> bool {
        self.files().map_or(true, |files| files.is_empty())
    }

    /// Everything waiting, without draining (for status and doctor).
    pub fn waiting(&self) -> Result<Waiting, SpoolError> {
        let mut out = Waiting::default();
        for path in self.files()? {
            match read_drafts(&path) {
                Ok(drafts) => out.drafts.extend(drafts),
                Err(_) => out.damaged.push(path),
            }
        }
        out.damaged.extend(list_json(&self.damaged_dir())?);
        Ok(out)
    }

    /// Hand every spooled batch to `append`, oldest first, removing each file
    /// once `append` returned; unreadable files are set aside. A batch that
    /// holds a `commit` or `commit.unverified` draft of a commit `known` says
    /// the journal records already is dropped whole: a post-commit that ran
    /// twice (each run made its own batch, with its own draft ids) records the
    /// commit once, as [`crate::Gateway::deliver`]'s `unless_known` does for a
    /// batch delivered at once. Returns at once, with `busy`, when another
    /// process is draining.
    pub fn drain<E>(
        &self,
        known: impl Fn(&str) -> Result<bool, E>,
        append: impl FnMut(Vec<Draft>) -> Result<(), E>,
    ) -> Result<Drained, DrainError<E>> {
        self.drain_waiting(std::time::Duration::ZERO, known, append)
    }

    /// [`Spool::drain`], waiting up to `wait` for another drainer to finish
    /// (a reader that must see what a hook handed over waits for the drainer
    /// the hook started). `busy` when it did not finish in time.
    pub fn drain_waiting<E>(
        &self,
        wait: std::time::Duration,
        known: impl Fn(&str) -> Result<bool, E>,
        mut append: impl FnMut(Vec<Draft>) -> Result<(), E>,
    ) -> Result<Drained, DrainError<E>> {
        let mut drained = Drained::default();
        let files = self.files()?;
        if files.is_empty() {
            return Ok(drained);
        }
        let deadline = std::time::Instant::now() + wait;
        let _lock = loop {
            match self.try_lock()? {
                Some(lock) => break lock,
                None if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                None => {
                    drained.busy = true;
                    return Ok(drained);
                }
            }
        };
        // Listed again under the lock: a drainer that just finished removed files.
        for path in self.files()? {
            let drafts = match read_drafts(&path) {
                Ok(drafts) => drafts,
                Err(ReadProblem::Gone) => continue,
                Err(ReadProblem::Io(e)) => {
                    // Unreadable (another user's file?): set aside like a
                    // damaged one, never a reason to block the rest.
                    match self.set_aside(&path) {
                        Ok(aside) => {
                            tracing::warn!(
                                "{} cannot be read ({e}); moved to {}",
                                path.display(),
                                aside.display()
                            );
                            drained.set_aside.push(aside);
                            continue;
                        }
                        Err(_) => return Err(io("read", &path)(e).into()),
                    }
                }
                Err(ReadProblem::Damaged(detail)) => {
                    let aside = self.set_aside(&path)?;
                    tracing::warn!(
                        "{} cannot be read ({detail}); moved to {}",
                        path.display(),
                        aside.display()
                    );
                    drained.set_aside.push(aside);
                    continue;
                }
            };
            let mut keep = drafts;
            for draft in &keep {
                if matches!(draft.kind.as_str(), kinds::COMMIT | kinds::COMMIT_UNVERIFIED)
                    && let Some(commit) = &draft.commit
                    && known(commit).map_err(DrainError::Append)?
                {
                    keep.clear();
                    break;
                }
            }
            if !keep.is_empty() {
                drained.written += keep.len() as u64;
                append(keep).map_err(DrainError::Append)?;
            }
            trail_failpoint::hit("spool.drain.appended");
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("remove", &path)(e).into()),
            }
        }
        let _ = sync_dir(&self.dir);
        Ok(drained)
    }

    fn try_lock(&self) -> Result<Option<File>, SpoolError> {
        if let Some(parent) = self.lock.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        // flock needs no write access: a lock file another user made (0644)
        // still locks.
        let file = match std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                File::open(&self.lock).map_err(io("open", &self.lock))?
            }
            Err(e) => return Err(io("open", &self.lock)(e)),
        };
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io("lock", &self.lock)(e)),
        }
    }

    fn set_aside(&self, path: &Path) -> Result<PathBuf, SpoolError> {
        let dir = self.damaged_dir();
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let to = dir.join(path.file_name().unwrap_or_default());
        std::fs::rename(path, &to).map_err(io("move", path))?;
        Ok(to)
    }

    /// The spool's batch files, oldest first.
    fn files(&self) -> Result<Vec<PathBuf>, SpoolError> {
        list_json(&self.dir)
    }
}

fn list_json(dir: &Path) -> Result<Vec<PathBuf>, SpoolError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io("read", dir)(e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

enum ReadProblem {
    Gone,
    Io(std::io::Error),
    Damaged(String),
}

fn read_drafts(path: &Path) -> Result<Vec<Draft>, ReadProblem> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadProblem::Gone,
        _ => ReadProblem::Io(e),
    })?;
    let drafts: Vec<Draft> =
        serde_json::from_slice(&bytes).map_err(|e| ReadProblem::Damaged(e.to_string()))?;
    // JSON that parses can still hold what no record may (an empty kind, a
    // commit that is not hex): such a file is set aside, never appended.
    for (at, draft) in drafts.iter().enumerate() {
        draft.check().map_err(|e| ReadProblem::Damaged(format!("draft {at}: {e}")))?;
    }
    Ok(drafts)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trail_journal::{Source, Timestamp};

    fn draft(n: i64) -> Draft {
        Draft::new("fs.modify", Source::Watcher, Timestamp::from_unix(n).expect("time"))
    }

    #[test]
    fn kept_drafts_drain_once_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = Spool::new(dir.path());
        spool.keep(&[draft(1)]).expect("keep");
        spool.keep(&[draft(2), draft(3)]).expect("keep");
        let mut got = Vec::new();
        let drained = spool
            .drain(
                |_| Ok::<_, ()>(false),
                |d| {
                    got.extend(d);
                    Ok(())
                },
            )
            .expect("drain");
        assert_eq!(drained.written, 3);
        let times: Vec<i64> = got.iter().map(|d| d.time.0.timestamp()).collect();
        assert_eq!(times, [1, 2, 3]);
        let again =
            spool.drain(|_| Ok::<_, ()>(false), |_| panic!("nothing is left")).expect("drain");
        assert_eq!(again, Drained::default());
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_does_not_block_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = Spool::new(dir.path());
        std::fs::create_dir_all(spool.dir()).expect("mkdir");
        std::fs::write(spool.dir().join("00000000T000000Z-bad.json"), b"{not json").expect("write");
        spool.keep(&[draft(1)]).expect("keep");
        let mut got = 0;
        let drained = spool
            .drain(
                |_| Ok::<_, ()>(false),
                |d| {
                    got += d.len();
                    Ok(())
                },
            )
            .expect("drain");
        assert_eq!(got, 1);
        assert_eq!(drained.set_aside.len(), 1);
        assert!(drained.set_aside[0].exists(), "the damaged file is kept, not deleted");
        let waiting = spool.waiting().expect("waiting");
        assert!(waiting.drafts.is_empty());
        assert_eq!(waiting.damaged.len(), 1, "and still reported");
    }

    #[test]
    fn a_failed_append_leaves_the_file_for_the_next_drain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = Spool::new(dir.path());
        spool.keep(&[draft(1)]).expect("keep");
        let failed = spool.drain(|_| Ok(false), |_| Err("busy"));
        assert!(matches!(failed, Err(DrainError::Append("busy"))));
        assert_eq!(spool.waiting().expect("waiting").drafts.len(), 1);
    }

    #[test]
    fn a_second_drainer_leaves_the_spool_to_the_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = Spool::new(dir.path());
        spool.keep(&[draft(1)]).expect("keep");
        let held = spool.try_lock().expect("lock").expect("free");
        let drained =
            spool.drain(|_| Ok::<_, ()>(false), |_| panic!("must not drain")).expect("drain");
        assert!(drained.busy);
        drop(held);
        let drained = spool.drain(|_| Ok::<_, ()>(false), |_| Ok(())).expect("drain");
        assert_eq!(drained.written, 1);
    }
}
