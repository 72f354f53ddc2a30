//! A hermetic git repository in a temporary directory, and helpers to read
//! a watcher's output with generous deadlines but no fixed sleeps.
#![allow(dead_code, reason = "each test binary uses a different part of the helpers")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use trail_watch::{Change, FileChange, Options, Watch};

/// The debounce the tests run with: shorter than the default, to keep them fast.
pub const DEBOUNCE: Duration = Duration::from_millis(150);
/// How long to keep listening after the expected changes, to catch extra ones.
pub const QUIET: Duration = Duration::from_millis(600);
/// The most a test waits for an expected change (CI has 2 slow cores).
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Repo {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical").join("work");
        std::fs::create_dir(&root).expect("mkdir");
        let repo = Repo { dir, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn options(&self) -> Options {
        Options { debounce: DEBOUNCE, ..Options::default() }
    }

    pub fn start(&self) -> Watch {
        self.start_with(self.options())
    }

    pub fn start_with(&self, options: Options) -> Watch {
        Watch::start(&self.root, options).expect("start")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir -p");
        }
        std::fs::write(path, content).expect("write");
    }

    /// Run git hermetically (no user or system config, fixed identity and dates).
    pub fn git(&self, args: &[&str]) -> String {
        let home = self.dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env("HOME", &home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "A U Thor")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "C O Mitter")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// `git cat-file -p BLOB`, as bytes.
    pub fn cat_file(&self, blob: &trail_watch::ObjectId) -> Vec<u8> {
        let out = Command::new("git")
            .args(["cat-file", "-p", &blob.to_string()])
            .current_dir(&self.root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(out.status.success(), "cat-file {blob}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Read batches until `done` holds for everything read so far, then listen
/// for `QUIET` more (so that extra, unexpected changes are caught too).
/// Panics with what was read if `done` does not hold within `PATIENCE`.
pub fn wait_for(watch: &mut Watch, done: impl Fn(&[Change]) -> bool) -> Vec<Change> {
    let end = Instant::now() + PATIENCE;
    let mut all = Vec::new();
    while !done(&all) {
        assert!(Instant::now() < end, "gave up waiting; got {all:#?}");
        all.extend(watch.next_batch(Duration::from_millis(500)).expect("next_batch"));
    }
    all.extend(quiet(watch));
    all
}

/// Everything reported within `QUIET` from now.
pub fn quiet(watch: &mut Watch) -> Vec<Change> {
    let end = Instant::now() + QUIET;
    let mut all = Vec::new();
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return all;
        }
        all.extend(watch.next_batch(left).expect("next_batch"));
    }
}

/// The file changes of plain `Change::File` records.
pub fn files(changes: &[Change]) -> Vec<&FileChange> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::File(f) => Some(f),
            _ => None,
        })
        .collect()
}

pub fn has_file(changes: &[Change], path: &str) -> bool {
    changes.iter().flat_map(|c| c.files()).any(|f| f.path == path.as_bytes())
}

/// Assert the change carries `content`: blob (as git reads it), SHA-256, size.
pub fn assert_content(repo: &Repo, change: &FileChange, content: &[u8]) {
    let blob = change.blob.as_ref().expect("a blob");
    assert_eq!(repo.cat_file(blob), content, "blob of {:?}", String::from_utf8_lossy(&change.path));
    assert_eq!(change.sha256.as_deref(), Some(sha256_hex(content).as_str()));
    assert_eq!(change.size, Some(content.len() as u64));
}

pub fn is_dir(path: &Path) -> bool {
    path.is_dir()
}
