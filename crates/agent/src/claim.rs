//! Claims: one record when the watcher also sees an agent's save (issue 23,
//! point 3; docs/agents.md "Recording edits", docs/architecture.md).
//!
//! The pre-tool hook (Claude Code's `PreToolUse` and Gemini CLI's
//! `BeforeTool`, for their file-writing tools, once the call is allowed)
//! leaves a *claim* on the paths the call is about to write: a small JSON
//! file under `.git/trail/agents/claims/`, written atomically (a temporary
//! file renamed into place), naming the work tree, the paths, the agent,
//! its session and tool call, and the time ([`claim`]). The post-tool hook
//! *settles* it once the `agent.edit` record is drafted: the claim then
//! holds the record's path entries (`sha256`, `blob`, `status`) and the
//! record's draft id ([`settle`]). A post-tool hook that finds no open claim
//! (Cursor's `afterFileEdit`: Cursor has no hook before an edit) writes one
//! settled at once. A post-tool hook that cannot record the edit takes the
//! claim back ([`release`]), so that the watcher does not wait for it.
//!
//! The watcher, for each file change it is about to record ([`Holder`]):
//! - a settled claim on the path with the same content (the same SHA-256;
//!   for a deleted file, gone on both sides): the agent recorded this save,
//!   the watcher writes no record of its own, and the claim is used up;
//! - an open claim on the path: the change is held back until the claim
//!   settles, for at most [`WAIT`] after the watcher found the change, and
//!   then decided as above; still open then, it is recorded as usual;
//! - anything else (no claim, claims for other content, a claim that cannot
//!   be read, a claims directory that cannot be read): recorded as usual.
//!   The settled claims on a path the watcher records are used up too: the
//!   file has moved past what they describe.
//!
//! Claims older than [`OPEN_TTL`] (open) or [`SETTLED_TTL`] (settled) are
//! ignored and removed, by the pre-tool hook and by the watcher; a file in
//! the directory that is not a readable claim is ignored and removed. A
//! claim never makes the watcher drop a save whose content no agent
//! recorded: the most a stale or damaged claim does is delay a record by
//! [`WAIT`].

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use trail_journal::{PathChange, Status};
use trail_watch::{Change, FileChange, Kind};

use crate::payload::Call;

/// How long the watcher holds a save back for an open claim to settle,
/// counted from the moment it found the save settled (after its debounce).
/// The post-tool hook settles the claim before it delivers its record:
/// measured 3–64 ms after the tool's write, once 359 ms (a debug build, two
/// cores under a load of 4; docs/agents.md). 5 s leaves room for a much
/// busier machine.
pub const WAIT: Duration = Duration::from_secs(5);
/// An open claim older than this is ignored and removed: the tool failed,
/// the call was refused later (a permission prompt answered "no"), or the
/// post-tool hook never ran. Long, because a permission prompt can stand
/// between the pre-tool hook and the write for minutes.
pub const OPEN_TTL: Duration = Duration::from_secs(10 * 60);
/// A settled claim older than this is ignored and removed: the watcher
/// either saw the save long ago or never will (it was not running, or the
/// write left the content as it was).
pub const SETTLED_TTL: Duration = Duration::from_secs(2 * 60);
/// How often the watcher looks again at the claims of the saves it holds.
pub const POLL: Duration = Duration::from_millis(50);

/// Where claims are kept: `<trail dir>/agents/claims`.
pub fn dir(trail_dir: &Path) -> PathBuf {
    crate::state_dir(trail_dir).join("claims")
}

/// One claim, as kept in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The work tree the paths are in (canonical when it could be made so):
    /// linked worktrees share the trail directory, and each has its watcher.
    pub workdir: String,
    pub agent: String,
    pub session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_id: Option<String>,
    /// When the claim was made, in milliseconds since the Unix epoch.
    pub claimed_ms: u64,
    /// When the post-tool hook settled it (`None`: open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_ms: Option<u64>,
    /// The draft id of the `agent.edit` record that settled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The paths: just named while open; once settled, the record's entries
    /// (`sha256`, `blob`, `size`, `status`).
    pub paths: Vec<PathChange>,
}

impl Claim {
    pub fn is_settled(&self) -> bool {
        self.settled_ms.is_some()
    }

    /// Whether it is past its time at `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        let (since, ttl) = match self.settled_ms {
            Some(settled) => (settled, SETTLED_TTL),
            None => (self.claimed_ms, OPEN_TTL),
        };
        now_ms.saturating_sub(since) > ttl.as_millis() as u64
    }

    fn names(&self, path: &[u8]) -> bool {
        self.paths.iter().any(|p| p.path_bytes().as_deref() == Some(path))
    }

    /// Whether the agent recorded, for `change`'s path, the content the
    /// change has.
    fn recorded(&self, change: &FileChange) -> bool {
        self.is_settled()
            && self.paths.iter().any(|p| {
                p.path_bytes().as_deref() == Some(change.path.as_slice())
                    && match change.kind {
                        Kind::Delete => p.status == Status::D,
                        Kind::Create | Kind::Modify => {
                            p.status != Status::D
                                && change.sha256.is_some()
                                && p.sha256 == change.sha256
                        }
                        // A rename is the watcher's to record (an agent's
                        // write tool does not move files).
                        Kind::Rename => false,
                    }
            })
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The work tree as claims name it.
fn workdir_name(workdir: &Path) -> String {
    let real = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    real.to_string_lossy().into_owned()
}

/// The key of a call's claim: its work tree, agent, session and `nonce`
/// (the tool call id when the agent sends one).
fn key(workdir: &str, agent: &str, session: &str, nonce: &str) -> String {
    let key = crate::sha256_hex(format!("{workdir}\0{agent}\0{session}\0{nonce}").as_bytes());
    key[..16].to_owned()
}

/// A claim's file name: the time it was made (so that pruning needs no
/// read) and its [`key`] (so that the post-tool hook finds its claim by
/// name when the agent sends a tool call id).
fn file_name(claimed_ms: u64, claim: &Claim) -> String {
    let nonce = match &claim.tool_use_id {
        Some(id) => id.clone(),
        // No tool call id (Gemini CLI): unique per process and moment.
        None => format!(
            "{}.{}",
            std::process::id(),
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        ),
    };
    format!("{claimed_ms:013}-{}.json", key(&claim.workdir, &claim.agent, &claim.session, &nonce))
}

/// The time in a claim file's name.
fn name_ms(name: &str) -> Option<u64> {
    name.strip_suffix(".json")?.split_once('-')?.0.parse().ok()
}

/// Write `claim` as `dir/name`, atomically. Not synced: a claim lost in a
/// crash costs a second record, never a lost one.
fn write(dir: &Path, name: &str, claim: &Claim) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    let bytes = serde_json::to_vec(claim).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::Builder::new().prefix(".claim").tempfile_in(dir)?;
    tmp.write_all(&bytes)?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Remove the claims whose name says they are older than the longest time a
/// claim is kept (no file is read), and temporary files a killed hook left
/// (older than a minute).
fn prune_by_name(dir: &Path, now_ms: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let oldest = OPEN_TTL.max(SETTLED_TTL).as_millis() as u64;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let old = if name.starts_with('.') {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(60)))
        } else {
            name_ms(name).is_some_and(|ms| now_ms.saturating_sub(ms) > oldest)
        };
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Every readable, unexpired claim in `dir`, with its file; the others are
/// removed (a damaged claim, one past its time). A temporary file being
/// written (a name starting with `.`) is left alone. A directory that
/// cannot be read has no claims.
pub fn read_all(dir: &Path, now_ms: u64) -> Vec<(PathBuf, Claim)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        let claim = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Claim>(&bytes).ok())
            .filter(|c| !c.expired(now_ms));
        match claim {
            Some(claim) => out.push((path, claim)),
            None => {
                // Damaged, or past its time. A file that could not be read
                // at all is tried again next time (removing it may fail too).
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The pre-tool hook: `call` is about to write `paths` (repository-relative)
/// in `workdir`. Claims past their time go first.
pub fn claim(
    trail_dir: &Path,
    workdir: &Path,
    call: &Call,
    paths: &[Vec<u8>],
) -> std::io::Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let dir = dir(trail_dir);
    let now = now_ms();
    prune_by_name(&dir, now);
    let claim = Claim {
        workdir: workdir_name(workdir),
        agent: call.agent.name().to_owned(),
        session: call.session.clone().unwrap_or_else(|| "unknown".to_owned()),
        tool: call.tool.clone(),
        tool_use_id: call.tool_use_id.clone(),
        claimed_ms: now,
        settled_ms: None,
        record: None,
        paths: paths.iter().map(|p| PathChange::new(p, Status::M)).collect(),
    };
    write(&dir, &file_name(now, &claim), &claim)
}

/// The open claim of `call` on `paths`: the one with its tool call id when
/// the agent sends one (found by its file name: one file read), else the
/// newest open claim of the same agent, session and work tree naming one of
/// the paths.
fn find_open(
    dir: &Path,
    workdir: &str,
    call: &Call,
    paths: &[Vec<u8>],
) -> Option<(PathBuf, Claim)> {
    let session = call.session.as_deref().unwrap_or("unknown");
    let agent = call.agent.name();
    let mine = |c: &Claim| {
        !c.is_settled() && c.workdir == workdir && c.agent == agent && c.session == session
    };
    if let Some(id) = &call.tool_use_id {
        let suffix = format!("-{}.json", key(workdir, agent, session, id));
        let now = now_ms();
        return std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(&suffix)))
            .filter_map(|e| {
                let claim: Claim = serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()?;
                let found = mine(&claim)
                    && claim.tool_use_id.as_deref() == Some(id.as_str())
                    && !claim.expired(now);
                found.then(|| (e.path(), claim))
            })
            .max_by_key(|(_, c)| c.claimed_ms);
    }
    read_all(dir, now_ms())
        .into_iter()
        .filter(|(_, c)| mine(c) && paths.iter().any(|p| c.names(p)))
        .max_by_key(|(_, c)| c.claimed_ms)
}

/// The post-tool hook: `call` wrote, and is recorded as, `recorded` (the
/// `agent.edit` record's path entries), in the record whose draft id is
/// `record`. Settles the call's open claim, or writes a settled one.
pub fn settle(
    trail_dir: &Path,
    workdir: &Path,
    call: &Call,
    recorded: &[PathChange],
    record: Option<&str>,
) -> std::io::Result<()> {
    if recorded.is_empty() {
        return Ok(());
    }
    let dir = dir(trail_dir);
    let workdir = workdir_name(workdir);
    let paths: Vec<Vec<u8>> = recorded.iter().filter_map(PathChange::path_bytes).collect();
    let now = now_ms();
    let (name, mut claim) = match find_open(&dir, &workdir, call, &paths) {
        Some((path, claim)) => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            match name {
                Some(name) => (name, claim),
                None => return Err(std::io::Error::other("a claim file without a name")),
            }
        }
        None => {
            let claim = Claim {
                workdir,
                agent: call.agent.name().to_owned(),
                session: call.session.clone().unwrap_or_else(|| "unknown".to_owned()),
                tool: call.tool.clone(),
                tool_use_id: call.tool_use_id.clone(),
                claimed_ms: now,
                settled_ms: None,
                record: None,
                paths: Vec::new(),
            };
            (file_name(now, &claim), claim)
        }
    };
    claim.settled_ms = Some(now);
    claim.record = record.map(str::to_owned);
    claim.paths = recorded.to_vec();
    write(&dir, &name, &claim)
}

/// The post-tool hook could not record `call`'s edit of `paths`: its open
/// claim is taken back, and the watcher records the save as usual.
pub fn release(
    trail_dir: &Path,
    workdir: &Path,
    call: &Call,
    paths: &[Vec<u8>],
) -> std::io::Result<()> {
    let dir = dir(trail_dir);
    match find_open(&dir, &workdir_name(workdir), call, paths) {
        Some((path, _)) => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        None => Ok(()),
    }
}

/// What the watcher does with one file change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Record it as usual.
    Record,
    /// An agent recorded it: no record of the watcher's.
    Skip,
    /// An open claim names the path: look again later.
    Wait,
}

/// The watcher's side: file changes on claimed paths held back or left out.
#[derive(Debug)]
pub struct Holder {
    dir: PathBuf,
    workdir: String,
    wait: Duration,
    /// Held changes, oldest first, with the moment each was found.
    held: VecDeque<(FileChange, Instant)>,
    skipped: u64,
    /// Changes left out since [`Holder::take_left_out`] last ran.
    left_out: Vec<FileChange>,
}

impl Holder {
    /// For the watcher of `workdir`, whose trail directory is `trail_dir`.
    pub fn new(trail_dir: &Path, workdir: &Path) -> Holder {
        Holder {
            dir: dir(trail_dir),
            workdir: workdir_name(workdir),
            wait: WAIT,
            held: VecDeque::new(),
            skipped: 0,
            left_out: Vec::new(),
        }
    }

    /// Wait at most `wait` for an open claim (tests).
    pub fn with_wait(mut self, wait: Duration) -> Holder {
        self.wait = wait;
        self
    }

    /// How many changes were left out because an agent recorded them.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The changes left out (an agent recorded them) since the last call:
    /// not recorded by the watcher, but still checked against the
    /// protection policy (a protected path changed in the work tree).
    pub fn take_left_out(&mut self) -> Vec<FileChange> {
        std::mem::take(&mut self.left_out)
    }

    /// Whether changes are held back.
    pub fn is_holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// When to look at the held changes again (`None`: nothing held).
    pub fn next_check(&self, now: Instant) -> Option<Instant> {
        let first_end = self.held.iter().map(|(_, since)| *since + self.wait).min()?;
        Some((now + POLL).min(first_end))
    }

    /// The claims of this work tree.
    fn claims(&self) -> Vec<(PathBuf, Claim)> {
        if !self.dir.exists() {
            return Vec::new();
        }
        read_all(&self.dir, now_ms())
            .into_iter()
            .filter(|(_, c)| c.workdir == self.workdir)
            .collect()
    }

    /// The decision for `change` with `claims`; `patient`: an open claim may
    /// still be waited for. The settled claims of a change's path are used
    /// up (removed) when it is decided.
    fn decide(
        &mut self,
        claims: &mut Vec<(PathBuf, Claim)>,
        change: &FileChange,
        patient: bool,
    ) -> Decision {
        let path = change.path.as_slice();
        let mut on_path = claims.iter().filter(|(_, c)| c.names(path));
        let decision = if claims.iter().any(|(_, c)| c.recorded(change)) {
            Decision::Skip
        } else if patient && on_path.any(|(_, c)| !c.is_settled()) {
            Decision::Wait
        } else {
            Decision::Record
        };
        if decision != Decision::Wait {
            claims.retain(|(file, c)| {
                let used = c.is_settled() && c.names(path);
                if used {
                    let _ = std::fs::remove_file(file);
                }
                !used
            });
        }
        if decision == Decision::Skip {
            self.skipped += 1;
            self.left_out.push(change.clone());
        }
        decision
    }

    /// The changes of `batch` to record now, in order: a change on a claimed
    /// path is held back (an open claim) or left out (an agent recorded the
    /// same content); see the module's docs.
    pub fn sort(&mut self, batch: Vec<Change>, now: Instant) -> Vec<Change> {
        let any_file = batch.iter().any(|c| matches!(c, Change::File(_)));
        let mut claims = if any_file { self.claims() } else { Vec::new() };
        let mut out = Vec::with_capacity(batch.len());
        for change in batch {
            let Change::File(file) = change else {
                out.push(change);
                continue;
            };
            // Behind a held change of the same path: in its turn.
            if self.held.iter().any(|(h, _)| h.path == file.path) {
                self.held.push_back((file, now));
                continue;
            }
            match self.decide(&mut claims, &file, true) {
                Decision::Record => out.push(Change::File(file)),
                Decision::Skip => {}
                Decision::Wait => self.held.push_back((file, now)),
            }
        }
        out
    }

    /// The held changes that can be decided at `now` (their claim settled,
    /// or their time is up), in order; the others stay held.
    pub fn due(&mut self, now: Instant) -> Vec<Change> {
        self.take(now, false)
    }

    /// Every held change decided now, waiting no more (the watcher stops):
    /// the ones an agent recorded are left out, the others returned.
    pub fn release_all(&mut self) -> Vec<Change> {
        self.take(Instant::now(), true)
    }

    fn take(&mut self, now: Instant, all: bool) -> Vec<Change> {
        if self.held.is_empty() {
            return Vec::new();
        }
        let mut claims = self.claims();
        let mut out = Vec::new();
        let mut still: VecDeque<(FileChange, Instant)> = VecDeque::new();
        for (file, since) in std::mem::take(&mut self.held) {
            // An earlier change of this path still waits: so does this one.
            if still.iter().any(|(h, _)| h.path == file.path) {
                still.push_back((file, since));
                continue;
            }
            let patient = !all && now < since + self.wait;
            match self.decide(&mut claims, &file, patient) {
                Decision::Record => out.push(Change::File(file)),
                Decision::Skip => {}
                Decision::Wait => still.push_back((file, since)),
            }
        }
        self.held = still;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Agent;
    use crate::payload::Step;

    fn call(tool_use_id: Option<&str>) -> Call {
        Call {
            agent: Agent::ClaudeCode,
            event: "PreToolUse".to_owned(),
            session: Some("s1".to_owned()),
            cwd: None,
            tool: Some("Edit".to_owned()),
            tool_use_id: tool_use_id.map(str::to_owned),
            version: None,
            step: Step::Other,
        }
    }

    fn sha(content: &[u8]) -> String {
        crate::sha256_hex(content)
    }

    fn modify(path: &str, content: &[u8]) -> FileChange {
        FileChange {
            kind: Kind::Modify,
            path: path.as_bytes().to_vec(),
            from: None,
            blob: None,
            sha256: Some(sha(content)),
            size: Some(content.len() as u64),
            mode: Some(0o100644),
        }
    }

    fn recorded(path: &str, content: &[u8]) -> PathChange {
        let mut p = PathChange::new(path.as_bytes(), Status::M);
        p.sha256 = Some(sha(content));
        p
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        trail: PathBuf,
        work: PathBuf,
    }

    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let trail = tmp.path().join("git/trail");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        Fixture { trail, work, _tmp: tmp }
    }

    fn files(f: &Fixture) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir(&f.trail))
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    fn paths(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .flat_map(|c| c.files().iter().map(|f| String::from_utf8_lossy(&f.path).into_owned()))
            .collect()
    }

    #[test]
    fn a_settled_claim_with_the_same_content_leaves_the_save_out_once() {
        let f = fixture();
        let c = call(Some("toolu_1"));
        claim(&f.trail, &f.work, &c, &[b"a.txt".to_vec()]).expect("claim");
        settle(&f.trail, &f.work, &c, &[recorded("a.txt", b"agent\n")], Some("id1"))
            .expect("settle");
        // Settled in place: still one file.
        assert_eq!(files(&f).len(), 1, "{:?}", files(&f));
        let mut holder = Holder::new(&f.trail, &f.work);
        let now = Instant::now();
        let out = holder.sort(vec![Change::File(modify("a.txt", b"agent\n"))], now);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(holder.skipped(), 1);
        assert!(!holder.is_holding());
        let left_out = holder.take_left_out();
        assert_eq!(left_out.len(), 1);
        assert_eq!(left_out[0].path, b"a.txt");
        assert!(holder.take_left_out().is_empty());
        // Used up: the same content again (a person's later save after an
        // edit in between) is recorded.
        assert!(files(&f).is_empty(), "{:?}", files(&f));
        let out = holder.sort(vec![Change::File(modify("a.txt", b"agent\n"))], now);
        assert_eq!(paths(&out), ["a.txt"]);
    }

    #[test]
    fn other_content_other_paths_and_no_claims_are_recorded() {
        let f = fixture();
        let c = call(Some("toolu_1"));
        claim(&f.trail, &f.work, &c, &[b"a.txt".to_vec()]).expect("claim");
        settle(&f.trail, &f.work, &c, &[recorded("a.txt", b"agent\n")], None).expect("settle");
        let mut holder = Holder::new(&f.trail, &f.work);
        let out = holder.sort(
            vec![
                Change::File(modify("b.txt", b"agent\n")),
                Change::File(modify("a.txt", b"a person's\n")),
            ],
            Instant::now(),
        );
        assert_eq!(paths(&out), ["b.txt", "a.txt"]);
        assert_eq!(holder.skipped(), 0);
        // The settled claim of a.txt is used up by the person's save.
        assert!(files(&f).is_empty());
        // Nothing claimed at all (no directory).
        let g = fixture();
        let mut holder = Holder::new(&g.trail, &g.work);
        let out = holder.sort(vec![Change::File(modify("a.txt", b"x"))], Instant::now());
        assert_eq!(paths(&out), ["a.txt"]);
    }

    #[test]
    fn an_open_claim_holds_the_save_until_it_settles() {
        let f = fixture();
        let c = call(Some("toolu_1"));
        claim(&f.trail, &f.work, &c, &[b"a.txt".to_vec()]).expect("claim");
        let mut holder = Holder::new(&f.trail, &f.work).with_wait(Duration::from_secs(60));
        let t0 = Instant::now();
        let out = holder.sort(
            vec![Change::File(modify("a.txt", b"agent\n")), Change::File(modify("b.txt", b"b"))],
            t0,
        );
        assert_eq!(paths(&out), ["b.txt"]);
        assert!(holder.is_holding());
        let next = holder.next_check(t0).expect("a check");
        assert!(next <= t0 + POLL);
        // A later change of the same path waits behind it.
        assert!(holder.sort(vec![Change::File(modify("a.txt", b"person\n"))], t0).is_empty());
        assert!(holder.due(t0).is_empty());
        settle(&f.trail, &f.work, &c, &[recorded("a.txt", b"agent\n")], None).expect("settle");
        let out = holder.due(t0);
        // The agent's save left out; the person's recorded.
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].files()[0].sha256, Some(sha(b"person\n")));
        assert!(!holder.is_holding());
        assert_eq!(holder.skipped(), 1);
    }

    #[test]
    fn an_open_claim_that_never_settles_is_recorded_after_the_wait() {
        let f = fixture();
        let c = call(None);
        claim(&f.trail, &f.work, &c, &[b"a.txt".to_vec()]).expect("claim");
        let wait = Duration::from_millis(200);
        let mut holder = Holder::new(&f.trail, &f.work).with_wait(wait);
        let t0 = Instant::now();
        assert!(holder.sort(vec![Change::File(modify("a.txt", b"x"))], t0).is_empty());
        assert!(holder.due(t0 + wait / 2).is_empty());
        assert_eq!(holder.next_check(t0 + wait - POLL / 2), Some(t0 + wait));
        let out = holder.due(t0 + wait);
        assert_eq!(paths(&out), ["a.txt"]);
        assert!(!holder.is_holding());
        // At a stop, held changes are recorded without waiting.
        assert!(holder.sort(vec![Change::File(modify("a.txt", b"y"))], Instant::now()).is_empty());
        assert_eq!(paths(&holder.release_all()), ["a.txt"]);
    }

    #[test]
    fn damaged_claims_lose_nothing_and_are_removed() {
        let f = fixture();
        let d = dir(&f.trail);
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(d.join(format!("{:013}-0000000000000000.json", now_ms())), b"{\"workd")
            .expect("write");
        std::fs::write(d.join("garbage"), [0xff, 0x00, 0x12]).expect("write");
        // Valid JSON of the wrong shape.
        std::fs::write(d.join("x.json"), br#"{"paths": 3}"#).expect("write");
        // A temporary file being written is left alone.
        std::fs::write(d.join(".claim123"), b"{").expect("write");
        let mut holder = Holder::new(&f.trail, &f.work);
        let out = holder.sort(vec![Change::File(modify("a.txt", b"x"))], Instant::now());
        assert_eq!(paths(&out), ["a.txt"]);
        assert!(!holder.is_holding());
        assert_eq!(files(&f), [".claim123"]);
        // A claims directory that is a file: no claims.
        let g = fixture();
        std::fs::create_dir_all(dir(&g.trail).parent().expect("parent")).expect("dir");
        std::fs::write(dir(&g.trail), b"not a directory").expect("write");
        let mut holder = Holder::new(&g.trail, &g.work);
        let out = holder.sort(vec![Change::File(modify("a.txt", b"x"))], Instant::now());
        assert_eq!(paths(&out), ["a.txt"]);
        assert!(claim(&g.trail, &g.work, &call(None), &[b"a.txt".to_vec()]).is_err());
    }

    #[test]
    fn claims_past_their_time_are_ignored_and_pruned() {
        let f = fixture();
        let c = call(Some("toolu_old"));
        let d = dir(&f.trail);
        let long_ago = now_ms() - OPEN_TTL.as_millis() as u64 - 1000;
        let open = Claim {
            workdir: workdir_name(&f.work),
            agent: "claude-code".to_owned(),
            session: "s1".to_owned(),
            tool: None,
            tool_use_id: Some("toolu_old".to_owned()),
            claimed_ms: long_ago,
            settled_ms: None,
            record: None,
            paths: vec![PathChange::new(b"a.txt", Status::M)],
        };
        // Named as now, so that only its content says its age.
        write(&d, &format!("{:013}-aaaaaaaaaaaaaaaa.json", now_ms()), &open).expect("write");
        let mut settled = open.clone();
        settled.settled_ms = Some(now_ms() - SETTLED_TTL.as_millis() as u64 - 1000);
        settled.paths = vec![recorded("b.txt", b"b")];
        write(&d, &format!("{:013}-bbbbbbbbbbbbbbbb.json", now_ms()), &settled).expect("write");
        let mut holder = Holder::new(&f.trail, &f.work);
        let out = holder.sort(
            vec![Change::File(modify("a.txt", b"a")), Change::File(modify("b.txt", b"b"))],
            Instant::now(),
        );
        assert_eq!(paths(&out), ["a.txt", "b.txt"]);
        assert!(files(&f).is_empty(), "{:?}", files(&f));
        // Old names are pruned by the next claim without being read.
        std::fs::write(d.join(format!("{long_ago:013}-cccccccccccccccc.json")), b"{}")
            .expect("write");
        claim(&f.trail, &f.work, &c, &[b"a.txt".to_vec()]).expect("claim");
        let left = files(&f);
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(!left[0].starts_with(&format!("{long_ago:013}")));
    }

    #[test]
    fn another_work_tree_and_renames_are_not_matched() {
        let f = fixture();
        let other = f.work.parent().expect("parent").join("linked");
        std::fs::create_dir_all(&other).expect("dir");
        let c = call(Some("toolu_1"));
        settle(&f.trail, &other, &c, &[recorded("a.txt", b"x")], None).expect("settle");
        let mut holder = Holder::new(&f.trail, &f.work);
        let out = holder.sort(vec![Change::File(modify("a.txt", b"x"))], Instant::now());
        assert_eq!(paths(&out), ["a.txt"]);
        // Still there for the other work tree's watcher.
        assert_eq!(files(&f).len(), 1);
        let mut holder = Holder::new(&f.trail, &other);
        let mut rename = modify("a.txt", b"x");
        rename.kind = Kind::Rename;
        rename.from = Some(b"old.txt".to_vec());
        let out = holder.sort(vec![Change::File(rename)], Instant::now());
        assert_eq!(paths(&out), ["a.txt"]);
    }

    #[test]
    fn settle_without_a_claim_writes_a_settled_one_and_release_takes_one_back() {
        let f = fixture();
        // Cursor: no hook before the edit.
        let mut c = call(None);
        c.agent = Agent::Cursor;
        settle(&f.trail, &f.work, &c, &[recorded("a.txt", b"x")], Some("id")).expect("settle");
        let all = read_all(&dir(&f.trail), now_ms());
        assert_eq!(all.len(), 1);
        assert!(all[0].1.is_settled());
        assert_eq!(all[0].1.record.as_deref(), Some("id"));
        // Gemini: no tool call id; found by session and path.
        let mut g = call(None);
        g.agent = Agent::Gemini;
        claim(&f.trail, &f.work, &g, &[b"b.txt".to_vec()]).expect("claim");
        assert_eq!(read_all(&dir(&f.trail), now_ms()).len(), 2);
        release(&f.trail, &f.work, &g, &[b"b.txt".to_vec()]).expect("release");
        let all = read_all(&dir(&f.trail), now_ms());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.agent, "cursor");
    }
}
