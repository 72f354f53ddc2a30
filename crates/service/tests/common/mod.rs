//! Shared by the integration tests: a real sled store in a temporary directory,
//! served by a real `Server` on a real socket.

#![allow(dead_code, reason = "each test file uses its own part of this module")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use trail_journal::{
    Actor, Authorization, Draft, PathChange, SledStore, Source, Status, Timestamp,
};
use trail_service::{Server, ServiceError};

/// A trail directory (`<tmp>/.git/trail`) with a fresh store in `journal/`.
pub struct Repo {
    pub tmp: tempfile::TempDir,
    pub trail_dir: PathBuf,
    pub store: Arc<SledStore>,
}

impl Repo {
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let trail_dir = tmp.path().join(".git").join("trail");
        Repo::at(tmp, trail_dir)
    }

    pub fn at(tmp: tempfile::TempDir, trail_dir: PathBuf) -> Repo {
        std::fs::create_dir_all(&trail_dir).expect("trail dir");
        let (store, _) = SledStore::create(&trail_dir.join("journal")).expect("store");
        Repo { tmp, trail_dir, store: Arc::new(store) }
    }

    pub fn journal(&self) -> PathBuf {
        self.trail_dir.join("journal")
    }

    pub fn serve(&self) -> Daemon {
        Daemon::start(&self.trail_dir, Arc::clone(&self.store))
    }
}

/// A server running on its own thread.
pub struct Daemon {
    pub stop: trail_service::Stop,
    pub socket: PathBuf,
    pub appender: trail_service::Appender,
    handle: Option<JoinHandle<Result<(), ServiceError>>>,
}

impl Daemon {
    pub fn start(trail_dir: &Path, store: Arc<SledStore>) -> Daemon {
        let server = Server::bind(trail_dir, store).expect("bind");
        let socket = server.path().to_owned();
        let appender = server.appender();
        let stop = server.stopper();
        let handle = std::thread::Builder::new()
            .name("trail-run".into())
            .spawn(move || server.run())
            .expect("spawn");
        Daemon { stop, socket, appender, handle: Some(handle) }
    }

    /// Request the stop and wait for `run` to return.
    pub fn stop(mut self) {
        self.stop.request();
        self.join();
    }

    /// Wait for `run` to return (after a client asked for the shutdown).
    pub fn join(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.join().expect("run does not panic").expect("run succeeds");
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop.request();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// A draft exercising every part of a record that the indexes look at.
pub fn draft(i: u64) -> Draft {
    let (time, _) = Timestamp::from_unix_clamped(1_700_000_000 + (i as i64) * 7 % 1000);
    let kind = if i.is_multiple_of(3) { "commit" } else { "fs.modify" };
    let mut d = Draft::new(kind, Source::Hook, time);
    d.actor = Some(Actor {
        name: "Ada".into(),
        email: "ada@example.com".into(),
        user: String::new(),
        host: String::new(),
    });
    d.paths = vec![PathChange::new(format!("src/file{}.rs", i % 13).as_bytes(), Status::M)];
    if i.is_multiple_of(5) {
        d.paths.push(PathChange::new(b"data/not-utf8-\xff.bin", Status::A));
    }
    if i.is_multiple_of(3) {
        d.commit = Some(format!("{:040x}", i * 7919));
        d.change_id = Some(format!("change-{i}"));
    }
    if i.is_multiple_of(7) {
        d.authorization = Some(Authorization { issuer: "k1".into(), token_id: format!("tok-{i}") });
    }
    d.why = Some(format!("draft {i}"));
    d
}
