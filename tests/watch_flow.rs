//! The watcher end to end: `trail daemon start|status|stop`, saves recorded as
//! `fs.*` records with their content in git's object database, restore of a
//! saved state, commits (also from parallel worktrees) recorded through the
//! daemon's socket, `kill -9` in the middle of a burst, and a git checkout
//! recorded as one operation. Real inotify, real git, the real sled store.
//!
//! Every test stops its daemon when it ends, also when it fails ([`Daemon`]'s
//! `Drop`), and waits for records with a deadline instead of fixed sleeps.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// How long a record may take to appear (CI has two slow cores).
const DEADLINE: Duration = Duration::from_secs(10);
/// `[watch] debounce_ms` in the test repositories.
const DEBOUNCE_MS: u64 = 100;
/// How many times the daemon is killed in the middle of a burst: the issue's
/// 20 (`TRAIL_TEST_KILLS=N` for more or fewer).
fn kills() -> usize {
    std::env::var("TRAIL_TEST_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}
/// Kill moments cycle through this many positions in a burst, each later than
/// the one before (all of them inside the burst).
const KILL_POSITIONS: usize = 6;
/// Files written in each burst.
const BURST: usize = 500;
/// Parallel committers, each in its own linked worktree.
const WORKERS: usize = 8;
const COMMITS_PER_WORKER: usize = 3;
/// Files a checkout changes.
const CHECKOUT_FILES: usize = 200;

// ---- the repository ----

fn policy() -> String {
    format!("[rationale]\nrequired = false\n\n[watch]\ndebounce_ms = {DEBOUNCE_MS}\n")
}

/// `<root>/app`: trail initialised, the policy and a `.gitignore` committed.
fn repo(env: &TestEnv) -> PathBuf {
    let repo = env.dir("app");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo, "trail.toml", policy().as_bytes());
    write(&repo, ".gitignore", b"*.log\nbuild/\n");
    env.trail_ok(&repo, ["init"]);
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "policy"]);
    // Settled: the drainer post-commit started is done (a test may chown
    // or lock the repository next).
    common::wait_for_drainer(&repo);
    repo
}

fn write(repo: &Path, rel: &str, content: &[u8]) {
    let path = repo.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create the file's directory");
    }
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The packs in the repository's object database.
fn packs(repo: &Path) -> usize {
    std::fs::read_dir(repo.join(".git/objects/pack"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
                .count()
        })
        .unwrap_or(0)
}

fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// `git commit -q -m MESSAGE` in `cwd`; panics unless it succeeds.
fn commit(env: &TestEnv, cwd: &Path, message: &str) -> Output {
    let out = env.git(cwd, ["commit", "-q", "-m", message]);
    assert_eq!(out.status, Some(0), "git commit failed:\n{out}");
    out
}

/// Panic when a process talked about a lock (nobody may see the store locked).
#[track_caller]
fn assert_no_lock_text(out: &Output) {
    assert!(!out.stderr.to_lowercase().contains("lock"), "a process mentioned a lock:\n{out}");
}

// ---- the daemon ----

fn pid_file(repo: &Path) -> PathBuf {
    repo.join(".git/trail/daemon.pid")
}

fn read_pid(repo: &Path) -> Option<u32> {
    std::fs::read_to_string(pid_file(repo)).ok()?.trim().parse().ok()
}

/// Whether `pid` runs (a zombie does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// `kill -9 PID`, and wait until it is gone.
fn kill_9(pid: u32) {
    let status = Command::new("kill").args(["-KILL", &pid.to_string()]).status().expect("run kill");
    assert!(status.success(), "kill -KILL {pid} failed");
    let gone = poll(DEADLINE, || (!alive(pid)).then_some(()));
    assert!(gone.is_some(), "pid {pid} still runs after kill -9");
}

/// The repository's daemon. Dropping it stops the daemon: `trail daemon
/// stop`, and failing that `kill -9` of the pid in the pid file — also when
/// the test failed, so that no watcher outlives its test.
struct Daemon<'a> {
    env: &'a TestEnv,
    repo: PathBuf,
}

impl<'a> Daemon<'a> {
    /// `trail daemon start` (the guard exists before the daemon does).
    fn start(env: &'a TestEnv, repo: &Path) -> Daemon<'a> {
        let daemon = Daemon { env, repo: repo.to_owned() };
        daemon.start_again();
        daemon
    }

    fn start_again(&self) -> Output {
        let out = self.env.trail(&self.repo, ["daemon", "start"]);
        out.assert_code(0);
        out
    }

    fn stop(&self) -> Output {
        let out = self.env.trail(&self.repo, ["daemon", "stop"]);
        out.assert_code(0);
        out
    }

    fn pid(&self) -> u32 {
        read_pid(&self.repo).unwrap_or_else(|| {
            panic!(
                "no pid in {}; daemon log:\n{}",
                pid_file(&self.repo).display(),
                last_lines(&self.log(), 40)
            )
        })
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.repo.join(".git/trail/daemon.log")).unwrap_or_default()
    }
}

impl Drop for Daemon<'_> {
    fn drop(&mut self) {
        // Nothing here may panic: this runs while a failed test unwinds.
        let mut stop = self.env.command(trail_bin(), &self.repo);
        stop.args(["daemon", "stop"]).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = stop.status();
        if let Some(pid) = read_pid(&self.repo)
            && alive(pid)
        {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

// ---- records ----

/// Call `f` until it returns something or `timeout` passed.
fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = f() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every record, oldest first.
fn records(env: &TestEnv, repo: &Path) -> Vec<Value> {
    let out = trail_as_owner(env, repo, &["log", "--json", "--reverse"]);
    out.assert_code(0);
    out.json_lines()
}

/// `trail ARGS` as the user that owns the repository's `.git/trail` (the
/// daemon's, where a test runs it as another user): trail talks only to a
/// socket of its own user, root included.
fn trail_as_owner(env: &TestEnv, repo: &Path, args: &[&str]) -> Output {
    use std::os::unix::fs::MetadataExt as _;
    let owner = std::fs::metadata(repo.join(".git/trail")).map_or(0, |m| m.uid());
    if owner == effective_uid() {
        return env.trail(repo, args);
    }
    let mut cmd = env.command("setpriv", repo);
    cmd.args([format!("--reuid={owner}"), format!("--regid={owner}"), "--clear-groups".into()]);
    cmd.arg(trail_bin()).args(args);
    run(cmd, PROCESS_TIMEOUT)
}

fn seq(record: &Value) -> u64 {
    record["seq"].as_u64().expect("a record has a seq")
}

fn kind(record: &Value) -> &str {
    record["kind"].as_str().expect("a record has a kind")
}

fn last_seq(env: &TestEnv, repo: &Path) -> u64 {
    records(env, repo).last().map_or(0, seq)
}

/// The path entries of a record (empty when it names none).
fn entries(record: &Value) -> &[Value] {
    record["paths"].as_array().map_or(&[], Vec::as_slice)
}

/// The entry of `record` for `path`.
fn entry<'r>(record: &'r Value, path: &str) -> Option<&'r Value> {
    entries(record).iter().find(|e| path_bytes(e, "path").as_deref() == Some(path.as_bytes()))
}

fn names(record: &Value, path: &str) -> bool {
    entries(record).iter().any(|e| {
        path_bytes(e, "path").as_deref() == Some(path.as_bytes())
            || path_bytes(e, "from").as_deref() == Some(path.as_bytes())
    })
}

fn is_save(record: &Value) -> bool {
    matches!(kind(record), "fs.create" | "fs.modify" | "fs.delete" | "fs.rename")
}

fn summary(records: &[Value]) -> String {
    records
        .iter()
        .map(|r| {
            let paths: Vec<String> = entries(r)
                .iter()
                .take(4)
                .map(|e| String::from_utf8_lossy(&path_bytes(e, "path").unwrap_or_default()).into())
                .collect();
            let more = entries(r).len().saturating_sub(4);
            let more = if more > 0 { format!(" (+{more})") } else { String::new() };
            format!("{:>5} {:<18} {}{more} {}", seq(r), kind(r), paths.join(", "), r["detail"])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last `n` lines of `text` (failure messages stay readable).
fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let skipped = lines.len().saturating_sub(n);
    let head = if skipped > 0 { format!("({skipped} lines before)\n") } else { String::new() };
    head + &lines[skipped..].join("\n")
}

/// Wait for the first record after `after` that satisfies `pred`.
#[track_caller]
fn wait_record(daemon: &Daemon, after: u64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let mut seen = Vec::new();
    let found = poll(DEADLINE, || {
        seen = records(daemon.env, &daemon.repo);
        seen.iter().find(|r| seq(r) > after && pred(r)).cloned()
    });
    found.unwrap_or_else(|| {
        panic!(
            "no {what} record after seq {after} within {DEADLINE:?}; the journal:\n{}\n--- daemon log ---\n{}",
            summary(&seen),
            daemon.log()
        )
    })
}

/// Wait for a `kind` record after `after` naming `path`; return it and its entry.
#[track_caller]
fn wait_save(daemon: &Daemon, after: u64, want: &str, path: &str) -> (Value, Value) {
    let record = wait_record(daemon, after, &format!("{want} {path}"), |r| {
        kind(r) == want && entry(r, path).is_some()
    });
    let found = entry(&record, path).expect("the entry was just found").clone();
    (record, found)
}

/// The entry stores `content`: its blob holds it (`git cat-file -p`), its
/// SHA-256 and size are those of it.
#[track_caller]
fn assert_content(env: &TestEnv, repo: &Path, entry: &Value, content: &[u8]) {
    let blob = entry["blob"].as_str().unwrap_or_else(|| panic!("no blob in {entry}"));
    let out = env.git(repo, ["cat-file", "-p", blob]);
    assert_eq!(out.status, Some(0), "the blob is not in the object database:\n{out}");
    assert_eq!(out.stdout, content, "blob {blob} of {entry}");
    assert_eq!(entry["sha256"].as_str(), Some(sha256_hex(content).as_str()), "{entry}");
    assert_eq!(entry["size"].as_u64(), Some(content.len() as u64), "{entry}");
}

// ---- 1. start / status / stop ----

#[test]
fn the_daemon_starts_reports_its_status_and_stops() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let pid = daemon.pid();
    assert!(alive(pid), "the pid file names a running process");

    let status = env.trail(&repo, ["daemon", "status", "--json"]);
    status.assert_code(0);
    let shown = status.json_lines();
    assert_eq!(shown.len(), 1, "{status}");
    assert_eq!(shown[0]["running"], true, "{status}");
    assert_eq!(shown[0]["pid"].as_u64(), Some(u64::from(pid)), "{status}");
    let text = env.trail_ok(&repo, ["daemon", "status"]).stdout_str();
    assert!(text.contains(&format!("pid {pid}")), "{text}");

    // Starting twice: the one that runs is left alone.
    env.trail_ok(&repo, ["daemon", "start"]).assert_stderr_has("already running");
    assert_eq!(daemon.pid(), pid);
    let foreground = env.trail(&repo, ["watch"]);
    foreground.assert_no_panic().assert_stderr_has("already running");
    assert_ne!(foreground.status, Some(0), "{foreground}");
    assert!(alive(pid));

    let start = wait_record(&daemon, 0, "watch.start", |r| {
        kind(r) == "watch.start" && r["detail"]["pid"].as_u64() == Some(u64::from(pid))
    });
    assert_eq!(start["detail"]["unclean_previous_stop"], false, "{start}");

    daemon.stop().assert_stderr_has("stopped");
    assert!(!alive(pid), "the watcher exited");
    assert!(!pid_file(&repo).exists(), "the pid file is removed");
    env.trail(&repo, ["daemon", "status"]).assert_code(3).assert_stderr_has("not running");
    let status = env.trail(&repo, ["daemon", "status", "--json"]);
    status.assert_code(3);
    assert_eq!(status.json_lines(), vec![serde_json::json!({"running": false})], "{status}");
    env.trail_ok(&repo, ["daemon", "stop"]).assert_stderr_has("not running");

    let all = records(&env, &repo);
    let stops: Vec<&Value> =
        all.iter().filter(|r| kind(r) == "watch.stop" && seq(r) > seq(&start)).collect();
    assert_eq!(stops.len(), 1, "one watch.stop after the start:\n{}", summary(&all));
    env.trail_ok(&repo, ["verify"]);
}

// ---- 2. saves ----

#[test]
fn every_save_is_recorded_with_its_content() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let mut at = seq(&start);

    // Create, modify.
    write(&repo, "notes.txt", b"one\n");
    let (record, found) = wait_save(&daemon, at, "fs.create", "notes.txt");
    assert_content(&env, &repo, &found, b"one\n");
    assert_eq!(record["source"], "watcher", "{record}");
    at = seq(&record);
    write(&repo, "notes.txt", b"one\ntwo\n");
    let (record, found) = wait_save(&daemon, at, "fs.modify", "notes.txt");
    assert_content(&env, &repo, &found, b"one\ntwo\n");
    at = seq(&record);

    // A path with spaces, a unicode name, a file in a directory made just now.
    let spaced = "dir with space/my notes.txt";
    let unicode = "ünïcødé ✓ 名前.txt";
    let fresh = "fresh/deeper/new.txt";
    write(&repo, spaced, b"spaced\n");
    write(&repo, unicode, "unicode ✓\n".as_bytes());
    write(&repo, fresh, b"fresh\n");
    for (path, content) in
        [(spaced, &b"spaced\n"[..]), (unicode, "unicode ✓\n".as_bytes()), (fresh, b"fresh\n")]
    {
        let (_, found) = wait_save(&daemon, at, "fs.create", path);
        assert_content(&env, &repo, &found, content);
    }
    at = last_seq(&env, &repo);

    // Rename (with spaces and unicode), delete.
    let renamed = "dir with space/renamed ✓.md";
    std::fs::rename(repo.join(spaced), repo.join(renamed)).expect("rename");
    let (record, found) = wait_save(&daemon, at, "fs.rename", renamed);
    assert_eq!(path_bytes(&found, "from").as_deref(), Some(spaced.as_bytes()), "{record}");
    assert_content(&env, &repo, &found, b"spaced\n");
    std::fs::remove_file(repo.join(unicode)).expect("delete");
    let (record, found) = wait_save(&daemon, at, "fs.delete", unicode);
    assert!(found["blob"].is_null(), "a deletion has no content: {record}");
    at = last_seq(&env, &repo);
    let all = records(&env, &repo);
    assert!(
        !all.iter().any(|r| kind(r) == "fs.create" && names(r, renamed)),
        "the rename is not also a create:\n{}",
        summary(&all)
    );

    // A save storm: 20 rapid writes of a temporary file renamed over the original.
    write(&repo, "storm.txt", b"calm\n");
    let (record, _) = wait_save(&daemon, at, "fs.create", "storm.txt");
    at = seq(&record);
    let mut last = Vec::new();
    for i in 0..20 {
        last = format!("storm version {i}\n").into_bytes();
        let tmp = repo.join(format!(".storm.txt.{i}.tmp"));
        std::fs::write(&tmp, &last).expect("write the temporary file");
        std::fs::rename(&tmp, repo.join("storm.txt")).expect("rename over");
    }
    // Ignored files, then a sentinel written after them.
    write(&repo, "debug.log", b"ignored\n");
    write(&repo, "build/out.o", b"ignored too\n");
    std::thread::sleep(Duration::from_millis(20));
    write(&repo, "sentinel.txt", b"after the storm\n");
    wait_save(&daemon, at, "fs.create", "sentinel.txt");
    let after: Vec<Value> = records(&env, &repo).into_iter().filter(|r| seq(r) > at).collect();
    let storm: Vec<&Value> = after
        .iter()
        .filter(|r| r["kind"].as_str().is_some_and(|k| k.starts_with("fs.")))
        .filter(|r| {
            entries(r).iter().any(|e| {
                path_bytes(e, "path")
                    .is_some_and(|p| p.starts_with(b"storm") || p.starts_with(b".storm"))
            })
        })
        .collect();
    assert!(
        (1..=3).contains(&storm.len()),
        "a save storm is at most a few records:\n{}",
        summary(&after)
    );
    let final_state = storm
        .last()
        .and_then(|r| entry(r, "storm.txt"))
        .unwrap_or_else(|| panic!("the storm's last record names storm.txt:\n{}", summary(&after)));
    assert_content(&env, &repo, final_state, &last);
    for ignored in ["debug.log", "build/out.o", "build"] {
        let all = records(&env, &repo);
        assert!(
            !all.iter().any(|r| names(r, ignored)),
            "ignored {ignored} was recorded:\n{}",
            summary(&all)
        );
    }
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

// ---- 3. restore ----

#[test]
fn a_saved_state_is_restored_byte_for_byte_and_listed_by_timeline() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let binary: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let states: [&[u8]; 3] = [&binary, b"plain text now\n", b"third\0state\r\n"];
    let mut at = seq(&start);
    let mut seqs = Vec::new();
    for (i, content) in states.iter().enumerate() {
        write(&repo, "data.bin", content);
        let want = if i == 0 { "fs.create" } else { "fs.modify" };
        let (record, found) = wait_save(&daemon, at, want, "data.bin");
        assert_content(&env, &repo, &found, content);
        at = seq(&record);
        seqs.push(at);
    }
    for (state, content) in seqs.iter().zip(states) {
        let out =
            env.trail_ok(&repo, ["restore", "data.bin", "--at", &state.to_string(), "--to", "-"]);
        assert_eq!(out.stdout, content, "the state of record {state}");
    }
    // The first save, by its seq, to a file too.
    let copy = env.root.join("copy.bin");
    let first = seqs[0].to_string();
    env.trail_ok(
        &repo,
        ["restore", "data.bin", "--at", &first, "--to", copy.to_str().expect("utf-8")],
    );
    assert_eq!(std::fs::read(&copy).expect("read the copy"), binary);

    let listed = env.trail_ok(&repo, ["timeline", "--json", "data.bin"]).json_lines();
    let listed_seqs: Vec<u64> = listed.iter().filter_map(|s| s["seq"].as_u64()).collect();
    assert_eq!(listed_seqs, seqs, "{listed:#?}");
    let text = env.trail_ok(&repo, ["timeline", "data.bin"]).stdout_str();
    for state in &seqs {
        assert!(
            text.lines().any(|l| l.split_whitespace().next() == Some(&state.to_string())),
            "timeline lists record {state}:\n{text}"
        );
    }
    assert!(text.contains("fs.create") && text.contains("fs.modify"), "{text}");

    // In place: the work tree holds the last recorded state, so it may be replaced.
    env.trail_ok(&repo, ["restore", "data.bin", "--at", &first]);
    assert_eq!(std::fs::read(repo.join("data.bin")).expect("read"), binary);
    daemon.stop();
}

/// A burst's contents go into the object database as packs (one per batch
/// of at least 64 new blobs) instead of a loose file each: every save of the
/// burst is still readable with git, `git fsck` finds the packs sound, and a
/// saved state restores from them.
#[test]
fn a_burst_is_stored_as_packs_that_git_reads_and_trail_restores() {
    const FILES: usize = 400;
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let content = |i: usize| format!("burst file {i}\n{}\n", "x".repeat(i % 97)).into_bytes();
    let paths: Vec<String> =
        (0..FILES).map(|i| format!("burst/d{:02}/f{i:03}.txt", i % 20)).collect();
    for (i, path) in paths.iter().enumerate() {
        write(&repo, path, &content(i));
    }
    let mut seen: HashMap<String, (u64, Value)> = HashMap::new();
    let all_there = poll(Duration::from_secs(30), || {
        for record in records(&env, &repo).iter().filter(|r| seq(r) > seq(&start) && is_save(r)) {
            for e in entries(record) {
                if let Some(p) = e["path"].as_str() {
                    seen.insert(p.to_owned(), (seq(record), e.clone()));
                }
            }
        }
        paths.iter().all(|p| seen.contains_key(p)).then_some(())
    });
    assert!(
        all_there.is_some(),
        "{} of {FILES} paths recorded within 30 s\n--- daemon log ---\n{}",
        paths.iter().filter(|p| seen.contains_key(*p)).count(),
        daemon.log()
    );
    for (i, path) in paths.iter().enumerate() {
        assert_content(&env, &repo, &seen[path].1, &content(i));
    }
    let counts = env.git_ok(&repo, ["count-objects", "-v"]);
    let count = |key: &str| -> u64 {
        counts
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {counts}"))
    };
    assert!(count("packs:") >= 1, "no pack written for a burst of {FILES} files:\n{counts}");
    assert!(count("in-pack:") >= 64, "the packs hold too few objects:\n{counts}");
    env.git_ok(&repo, ["fsck", "--no-dangling"]);
    let at = seen[&paths[7]].0.to_string();
    let restored = env.trail_ok(&repo, ["restore", &paths[7], "--at", &at, "--to", "-"]);
    assert_eq!(restored.stdout, content(7));
    daemon.stop();
}

// ---- 4. commits through the daemon ----

/// The commit records of `id`.
fn commit_records(all: &[Value], id: &str) -> usize {
    all.iter().filter(|r| kind(r) == "commit" && r["commit"].as_str() == Some(id)).count()
}

/// Wait until each commit of `ids` is recorded; then each must be recorded exactly once.
#[track_caller]
fn assert_each_commit_recorded_once(daemon: &Daemon, ids: &[String]) {
    let mut all = Vec::new();
    poll(DEADLINE, || {
        all = records(daemon.env, &daemon.repo);
        ids.iter().all(|id| commit_records(&all, id) > 0).then_some(())
    });
    let counts: BTreeMap<&str, usize> =
        ids.iter().map(|id| (id.as_str(), commit_records(&all, id))).collect();
    assert!(
        counts.values().all(|&n| n == 1),
        "each commit is recorded exactly once: {counts:#?}\n{}\n--- daemon log ---\n{}",
        summary(&all),
        daemon.log()
    );
}

#[test]
fn commits_while_the_daemon_runs_are_recorded_once() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let mut ids = Vec::new();
    let mut outputs = Vec::new();
    for i in 0..5 {
        write(&repo, &format!("src/c{i}.txt"), format!("commit {i}\n").as_bytes());
        outputs.push(env.git(&repo, ["add", "-A"]));
        outputs.push(commit(&env, &repo, &format!("commit {i}")));
        ids.push(env.git_ok(&repo, ["rev-parse", "HEAD"]));
    }
    assert_each_commit_recorded_once(&daemon, &ids);
    outputs.push(env.trail_ok(&repo, ["verify"]));
    outputs.push(env.trail_ok(&repo, ["log"]));
    for out in &outputs {
        assert_no_lock_text(out);
    }
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn a_commit_is_not_recorded_as_a_checkout() {
    // git takes HEAD.lock to write HEAD's reflog during any commit, and
    // trail's pre-commit hook writes CHANGELOG.md: the watcher sees work-tree
    // changes during a commit. The crate docs say a window that came from
    // `git commit` has no operation name, so those are ordinary saves.
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    // The watcher may see pre-commit's CHANGELOG.md writes before or after
    // the commit record lands (on a loaded machine, before): look from here.
    let before = records(&env, &repo).iter().map(seq).max().unwrap_or(0);
    write(&repo, "src/lib.rs", b"pub fn f() {}\n");
    env.git_ok(&repo, ["add", "-A"]);
    commit(&env, &repo, "a commit, not a checkout");
    let id = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    assert_each_commit_recorded_once(&daemon, std::slice::from_ref(&id));
    let changed = wait_record(&daemon, before, "work-tree change of the commit", |r| {
        kind(r).starts_with("fs.") && names(r, "CHANGELOG.md")
    });
    let all = records(&env, &repo);
    assert!(
        is_save(&changed) && !all.iter().any(|r| kind(r) == "fs.operation"),
        "a commit is no git operation (checkout, merge, ...) on the work tree:\n{}",
        summary(&all)
    );
    daemon.stop();
}

// ---- 5. parallel worktrees ----

#[test]
fn parallel_commits_in_linked_worktrees_are_each_recorded_once() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let worktrees: Vec<PathBuf> = (0..WORKERS)
        .map(|w| {
            let wt = env.root.join(format!("wt{w}"));
            let branch = format!("w{w}");
            env.git_ok(
                &repo,
                ["worktree", "add", "-q", "-b", &branch, wt.to_str().expect("utf-8")],
            );
            wt
        })
        .collect();
    let saves_after = last_seq(&env, &repo);

    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let workers: Vec<_> = worktrees
            .iter()
            .enumerate()
            .map(|(w, wt)| {
                let env = &env;
                scope.spawn(move || {
                    let mut outs = Vec::new();
                    for c in 0..COMMITS_PER_WORKER {
                        write(
                            wt,
                            &format!("work/w{w}.txt"),
                            format!("worker {w} commit {c}\n").as_bytes(),
                        );
                        let add = env.git(wt, ["add", "-A"]);
                        assert_eq!(add.status, Some(0), "{add}");
                        outs.push(add);
                        outs.push(commit(env, wt, &format!("worker {w} commit {c}")));
                    }
                    outs
                })
            })
            .collect();
        // Meanwhile, saves in the main work tree.
        for i in 0..20 {
            write(&repo, &format!("saves/s{i:02}.txt"), format!("save {i}\n").as_bytes());
            std::thread::sleep(Duration::from_millis(25));
        }
        workers.into_iter().flat_map(|w| w.join().expect("a worker panicked")).collect()
    });
    for out in &outputs {
        assert_no_lock_text(out);
    }

    let mut ids = Vec::new();
    for w in 0..WORKERS {
        let list = env.git_ok(&repo, ["rev-list", &format!("main..w{w}")]);
        let commits: Vec<String> = list.lines().map(str::to_owned).collect();
        assert_eq!(commits.len(), COMMITS_PER_WORKER, "worker {w}: {list}");
        ids.extend(commits);
    }
    assert_each_commit_recorded_once(&daemon, &ids);
    for i in 0..20 {
        let path = format!("saves/s{i:02}.txt");
        let (_, found) = wait_save(&daemon, saves_after, "fs.create", &path);
        assert_content(&env, &repo, &found, format!("save {i}\n").as_bytes());
    }
    assert_no_lock_text(&env.trail_ok(&repo, ["verify"]));
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

// ---- 6. kill -9 in the middle of a burst ----

/// Write a burst of [`BURST`] files into `burst-ROUND/`, `kill -9` the daemon
/// part-way, check the journal, start the daemon again, and check that the
/// restart says the previous run ended uncleanly and that every file of the
/// burst is recorded with its content: as a save, or in an `fs.rescan`.
fn crash_round(daemon: &Daemon, round: usize) {
    let (env, repo) = (daemon.env, &daemon.repo);
    let dir = format!("burst-{round}");
    let before = last_seq(env, repo);
    let pid = daemon.pid();
    let position = round % KILL_POSITIONS;
    let kill_at = BURST / 4 + position * BURST / 10;
    assert!(kill_at < BURST, "the kill falls inside the burst");
    let mut contents: Vec<(String, Vec<u8>)> = Vec::with_capacity(BURST);
    for i in 0..BURST {
        let path = format!("{dir}/f{i:03}.txt");
        let content = format!("round {round} file {i}\n").into_bytes();
        write(repo, &path, &content);
        contents.push((path, content));
        if i == BURST / 10 {
            // Some settle and are recorded before the kill.
            std::thread::sleep(Duration::from_millis(2 * DEBOUNCE_MS + 100 * position as u64));
        }
        if i == kill_at {
            // Later rounds die later into the recording of what settled.
            std::thread::sleep(Duration::from_millis(DEBOUNCE_MS + 25 * position as u64));
            kill_9(pid);
        }
    }
    let verify = env.trail(repo, ["verify"]);
    verify.assert_code(0);
    assert_no_lock_text(&verify);

    daemon.start_again();
    let new_pid = daemon.pid();
    assert_ne!(new_pid, pid);
    let start = wait_record(daemon, before, "watch.start", |r| {
        kind(r) == "watch.start" && r["detail"]["pid"].as_u64() == Some(u64::from(new_pid))
    });
    assert_eq!(
        start["detail"]["unclean_previous_stop"], true,
        "round {round}: the restart knows the previous run was killed: {start}"
    );

    let want: HashMap<&str, String> =
        contents.iter().map(|(p, c)| (p.as_str(), sha256_hex(c))).collect();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut seen = Vec::new();
    let covered = poll(DEADLINE * 2, || {
        seen = env.trail_json(repo, ["log", "--json", "--reverse", "--path", &dir]);
        let mut found: HashMap<Vec<u8>, BTreeSet<String>> = HashMap::new();
        for r in seen
            .iter()
            .filter(|r| matches!(kind(r), "fs.create" | "fs.modify" | "fs.rename" | "fs.rescan"))
        {
            for e in entries(r) {
                if let (Some(path), Some(sha)) = (path_bytes(e, "path"), e["sha256"].as_str()) {
                    found.entry(path).or_default().insert(sha.to_owned());
                }
            }
        }
        missing = want
            .iter()
            .filter(|(path, sha)| !found.get(path.as_bytes()).is_some_and(|s| s.contains(*sha)))
            .map(|(path, _)| (*path).to_owned())
            .collect();
        missing.is_empty().then_some(())
    });
    if covered.is_none() {
        let since: Vec<Value> =
            records(env, repo).into_iter().filter(|r| seq(r) > before).collect();
        let shown: Vec<&String> = missing.iter().take(10).collect();
        panic!(
            "round {round} (killed after file {kill_at}): {} of {BURST} files are neither \
             recorded as a save nor in an fs.rescan, e.g. {shown:?}; last records of {dir}:\n{}\n\
             --- last records since seq {before} ---\n{}\n--- daemon log ---\n{}",
            missing.len(),
            last_lines(&summary(&seen), 20),
            last_lines(&summary(&since), 20),
            daemon.log()
        );
    }
}

#[test]
fn kill_9_during_a_burst_loses_no_save() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    // One clean run first, so the watcher has saved its state once (a crash
    // before that is the next test).
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    write(&repo, "seed.txt", b"seed\n");
    wait_save(&daemon, seq(&start), "fs.create", "seed.txt");
    daemon.stop();
    daemon.start_again();
    for round in 0..kills() {
        crash_round(&daemon, round);
    }
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn kill_9_before_the_first_state_save_loses_no_save() {
    // `trail init` then `trail daemon start`, and the watcher is killed within
    // its first seconds, before it ever saved .git/trail/watch.state.
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    crash_round(&daemon, 0);
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

// ---- 7. a checkout is one operation ----

#[test]
fn a_checkout_of_many_files_is_one_operation_record() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let path = |i: usize| format!("many/f{i:03}.txt");
    for i in 0..CHECKOUT_FILES {
        write(&repo, &path(i), format!("main {i}\n").as_bytes());
    }
    env.git_ok(&repo, ["add", "-A"]);
    commit(&env, &repo, "many on main");
    env.git_ok(&repo, ["checkout", "-q", "-b", "other"]);
    for i in 0..CHECKOUT_FILES {
        write(&repo, &path(i), format!("other {i}\n").as_bytes());
    }
    env.git_ok(&repo, ["add", "-A"]);
    commit(&env, &repo, "many changed on other");
    env.git_ok(&repo, ["checkout", "-q", "main"]);

    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let before = last_seq(&env, &repo).max(seq(&start));
    let packs_before = packs(&repo);
    env.git_ok(&repo, ["checkout", "-q", "other"]);
    let op = wait_record(&daemon, before, "fs.operation", |r| kind(r) == "fs.operation");
    // A save made after the checkout settles after whatever it left pending.
    write(&repo, "marker.txt", b"after the checkout\n");
    wait_save(&daemon, seq(&op), "fs.create", "marker.txt");
    // The checkout's contents are git's already: nothing is written again.
    assert_eq!(packs(&repo), packs_before, "a pack was written for contents git has");

    let after: Vec<Value> = records(&env, &repo).into_iter().filter(|r| seq(r) > before).collect();
    let ops: Vec<&Value> = after.iter().filter(|r| kind(r) == "fs.operation").collect();
    assert_eq!(ops.len(), 1, "one operation record:\n{}", summary(&after));
    assert_eq!(op["detail"]["operation"], "checkout", "{}", summary(&after));
    for i in 0..CHECKOUT_FILES {
        let found = entry(&op, &path(i))
            .unwrap_or_else(|| panic!("the operation names {}:\n{}", path(i), summary(&after)));
        assert_eq!(
            found["sha256"].as_str(),
            Some(sha256_hex(format!("other {i}\n").as_bytes()).as_str()),
            "{found}"
        );
    }
    let per_file: Vec<&Value> = after
        .iter()
        .filter(|r| {
            (is_save(r) || kind(r) == "fs.rescan")
                && entries(r)
                    .iter()
                    .any(|e| path_bytes(e, "path").is_some_and(|p| p.starts_with(b"many/")))
        })
        .collect();
    assert!(
        per_file.is_empty(),
        "the checkout's files are not recorded one by one:\n{}",
        summary(&after)
    );
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

// ---- 8. hooks and commands through the daemon; a stop loses nothing ----

#[test]
fn hooks_and_commands_work_through_the_daemon_and_a_stop_loses_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    write(&repo, "src/lib.rs", b"pub fn f() {}\n");
    env.git_ok(&repo, ["add", "-A"]);
    let committed = commit(&env, &repo, "through the daemon");
    assert_no_lock_text(&committed);
    let id = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    assert_each_commit_recorded_once(&daemon, std::slice::from_ref(&id));
    let all = records(&env, &repo);
    let record = all
        .iter()
        .find(|r| kind(r) == "commit" && r["commit"].as_str() == Some(id.as_str()))
        .expect("the commit record");

    let mut outputs = vec![
        env.trail_ok(&repo, ["log"]),
        env.trail_ok(&repo, ["log", "--kind", "commit"]),
        env.trail_ok(&repo, ["show", &seq(record).to_string()]),
        env.trail_ok(&repo, ["show", &id]),
        env.trail_ok(&repo, ["status"]),
        env.trail_ok(&repo, ["verify"]),
    ];
    let export = env.trail_ok(&repo, ["export"]);
    let exported = export.json_lines();
    assert!(
        exported.len() >= all.len(),
        "export has every record: {} < {}",
        exported.len(),
        all.len()
    );
    outputs.push(export);
    let shown = outputs[3].stdout_str();
    assert!(shown.contains(&id[..10]), "trail show names the commit:\n{shown}");
    for out in &outputs {
        assert_no_lock_text(out);
    }

    // The commit's own work-tree changes (its CHANGELOG.md entries) are
    // recorded once git is done; then a save made just before the stop is
    // pending, and the stop records it.
    wait_record(&daemon, seq(record), "work-tree change of the commit", |r| {
        kind(r).starts_with("fs.") && names(r, "CHANGELOG.md")
    });
    let running = records(&env, &repo);
    write(&repo, "last words.txt", b"said just before the stop\n");
    daemon.stop();
    env.trail(&repo, ["daemon", "status"]).assert_code(3);
    let stopped = records(&env, &repo);
    let by_seq: HashMap<u64, &Value> = stopped.iter().map(|r| (seq(r), r)).collect();
    for r in &running {
        assert_eq!(
            by_seq.get(&seq(r)).copied(),
            Some(r),
            "record {} is unchanged after the stop",
            seq(r)
        );
    }
    let later: Vec<&Value> =
        stopped.iter().filter(|r| seq(r) > running.last().map_or(0, seq)).collect();
    let last_words = later
        .iter()
        .find(|r| kind(r) == "fs.create" && entry(r, "last words.txt").is_some())
        .unwrap_or_else(|| {
            panic!(
                "the pending save was recorded by the stop:\n{}\n--- daemon log ---\n{}",
                summary(&stopped),
                daemon.log()
            )
        });
    assert_content(
        &env,
        &repo,
        entry(last_words, "last words.txt").expect("entry"),
        b"said just before the stop\n",
    );
    assert_eq!(stopped.last().map(kind), Some("watch.stop"), "{}", summary(&stopped));

    // Without the daemon, the hooks reach the store directly.
    write(&repo, "src/lib.rs", b"pub fn g() {}\n");
    env.git_ok(&repo, ["add", "-A"]);
    assert_no_lock_text(&commit(&env, &repo, "without the daemon"));
    let direct = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    let all = records(&env, &repo);
    assert_eq!(commit_records(&all, &direct), 1, "{}", summary(&all));
    for r in &stopped {
        assert!(all.contains(r), "record {} is still there after a direct commit", seq(r));
    }
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn a_protected_path_changed_in_the_work_tree_is_reported_at_once() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let after = last_seq(&env, &repo);
    write(&repo, ".mcp.json", b"{\"mcpServers\": {}}\n");
    let violation = wait_record(&daemon, after, "policy.violation", |r| {
        kind(r) == "policy.violation" && entry(r, ".mcp.json").is_some()
    });
    assert_eq!(violation["detail"]["uncommitted"], true, "{violation}");
    assert_eq!(violation["detail"]["severity"], "warning", "{violation}");
    assert_eq!(violation["source"], "watcher", "{violation}");
    // The save itself is recorded too, and the log says it at once.
    wait_save(&daemon, after, "fs.create", ".mcp.json");
    assert!(daemon.log().contains("protected path .mcp.json changed"), "{}", daemon.log());
    // An ordinary file is not a violation.
    let after = last_seq(&env, &repo);
    write(&repo, "notes.txt", b"plain\n");
    wait_save(&daemon, after, "fs.create", "notes.txt");
    let violations = records(&env, &repo)
        .into_iter()
        .filter(|r| kind(r) == "policy.violation" && seq(r) > after)
        .count();
    assert_eq!(violations, 0);
}

#[test]
fn the_systemd_unit_runs_trail_watch_in_the_work_tree() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let out = env.trail_ok(&repo, ["daemon", "unit"]).stdout_str();
    let workdir = std::fs::canonicalize(&repo).expect("canonical");
    assert!(out.contains(&format!("WorkingDirectory={}", workdir.display())), "{out}");
    let exec = out.lines().find(|l| l.starts_with("ExecStart=")).expect("ExecStart");
    assert!(exec.ends_with(" watch"), "{exec}");
    let binary = exec.trim_start_matches("ExecStart=").trim_end_matches(" watch");
    assert!(Path::new(binary).is_absolute() && Path::new(binary).exists(), "{exec}");
    assert!(out.contains("KillSignal=SIGTERM") && out.contains("[Install]"), "{out}");
}

// ---- a file far larger than memory should hold ----

/// The daemon's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status:\n{status}"))
}

#[test]
fn a_2_gib_file_is_recorded_by_its_hash_in_bounded_memory() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    // Sparse: cheap to make, but every one of its 2 GiB is read and hashed.
    let len: u64 = 2 << 30;
    let file = std::fs::File::create(repo.join("disk.img")).expect("create disk.img");
    file.set_len(len).expect("make disk.img 2 GiB");
    drop(file);
    let mut expected = Sha256::new();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(len >> 20) {
        expected.update(&zeros);
    }
    let expected = hex::encode(expected.finalize());

    let record = poll(Duration::from_secs(60), || {
        records(&env, &repo)
            .into_iter()
            .find(|r| seq(r) > seq(&start) && is_save(r) && entry(r, "disk.img").is_some())
    })
    .unwrap_or_else(|| panic!("disk.img was not recorded in 60 s:\n{}", daemon.log()));
    let found = entry(&record, "disk.img").expect("the entry was just found");
    assert_eq!(found["size"].as_u64(), Some(len), "{found}");
    assert_eq!(found["sha256"].as_str(), Some(expected.as_str()), "{found}");
    // Over `[watch] max_blob_size` (16 MiB): recorded by hash, no blob kept.
    assert!(found["blob"].is_null(), "a 2 GiB blob was written: {found}");
    // Streamed: the daemon never held the file (a few tens of MB at most).
    let peak = peak_rss_kib(daemon.pid());
    eprintln!("the daemon's peak RSS while hashing 2 GiB: {peak} KiB");
    assert!(peak < 256 * 1024, "the daemon's peak RSS was {peak} KiB while hashing 2 GiB");
    drop(daemon);
}

// ---- 11. the store process: the store open only while clients come ----

/// Wait until the watcher's store process has let go of the store after its
/// idle limit (10 s without a client; nothing may ask the journal anything
/// meanwhile). Returns the watcher's pid.
#[track_caller]
fn wait_store_released(daemon: &Daemon) -> u32 {
    let pid = daemon.pid();
    let gone =
        poll(Duration::from_secs(30), || store_holders(pid, &daemon.repo).is_empty().then_some(()));
    assert!(gone.is_some(), "the store is still open after 30 s without a client");
    pid
}

/// The store processes (`trail daemon serve`) whose parent is `pid`, serving
/// or in standby.
fn store_processes(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            let parent = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok());
            let cmdline = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            parent == Some(pid)
                && alive(p)
                && cmdline
                    .split(|&b| b == 0)
                    .filter(|a| !a.is_empty())
                    .collect::<Vec<_>>()
                    .ends_with(&[b"daemon", b"serve"])
        })
        .collect()
}

/// Those of [`store_processes`] that have the store open: a descriptor on a
/// file of `repo`'s journal (sled keeps its `db` file open while it is).
fn store_holders(pid: u32, repo: &Path) -> Vec<u32> {
    let journal = std::fs::canonicalize(repo.join(".git/trail/journal")).expect("the journal");
    store_processes(pid)
        .into_iter()
        .filter(|p| {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{p}/fd")) else { return false };
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .any(|target| target.starts_with(&journal))
        })
        .collect()
}

/// The watcher's store process in standby, if one is there for clients: the
/// pid the marker beside the socket names (clients connect once it is
/// written), a store process of the watcher `pid` started in standby (its
/// environment says so), with the store not open.
fn standby_pid(pid: u32, repo: &Path) -> Option<u32> {
    let marker = std::fs::read_to_string(repo.join(".git/trail/daemon.sock.serving")).ok()?;
    let named: u32 = marker.trim().parse().ok()?;
    let environ = std::fs::read(format!("/proc/{named}/environ")).ok()?;
    let in_standby = environ.split(|&b| b == 0).any(|v| v == b"TRAIL_STORE_STANDBY=1");
    (in_standby
        && store_processes(pid).contains(&named)
        && !store_holders(pid, repo).contains(&named))
    .then_some(named)
}

/// A process's thread count (`Threads:` of /proc/PID/status).
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn an_idle_watcher_lets_go_of_the_store_and_the_next_client_finds_a_store_process_waiting() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let start = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let pid = daemon.pid();
    let serving = store_holders(pid, &repo);
    assert_eq!(serving.len(), 1, "one store process with the store open: {serving:?}");
    // No client for the idle limit (10 s): the store process closes the store
    // and exits, and with it sled's threads and memory; the watcher stays.
    // Nothing may ask the journal anything meanwhile, or it would stay.
    wait_store_released(&daemon);
    assert!(alive(pid), "the watcher exited with its store process");
    let gone = poll(DEADLINE, || (!alive(serving[0])).then_some(()));
    assert!(gone.is_some(), "the store process {} stayed after closing the store", serving[0]);
    // The next one waits in standby: started, the store not open, no threads.
    let Some(waiting) = poll(DEADLINE, || standby_pid(pid, &repo)) else {
        panic!("no store process in standby: {:?}\n{}", store_processes(pid), daemon.log())
    };
    assert_eq!(store_processes(pid), vec![waiting], "more store processes than the one in standby");
    assert!(store_holders(pid, &repo).is_empty(), "the store process in standby opened the store");
    assert_eq!(threads(waiting), 1, "the store process in standby runs threads");
    // A command goes through the socket: the waiting process opens the store
    // for it (none is started, none is opened by the command itself).
    env.trail_ok(&repo, ["log", "--limit", "1"]);
    assert_eq!(store_holders(pid, &repo), vec![waiting], "the command was not served by it");
    // And the watcher's next append (a save) goes the same way.
    write(&repo, "after-idle.txt", b"written after a quiet spell\n");
    let (_, found) = wait_save(&daemon, seq(&start), "fs.create", "after-idle.txt");
    assert_content(&env, &repo, &found, b"written after a quiet spell\n");
    assert_eq!(store_processes(pid), vec![waiting], "another store process was started");
    let status = env.trail_ok(&repo, ["daemon", "status", "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).expect("status is JSON");
    assert_eq!(status["pid"].as_u64(), Some(u64::from(pid)), "{status}");
    assert!(status["store_processes"].as_u64() >= Some(2), "{status}");
    daemon.stop();
    // Its parent gone, it would no longer be found as the watcher's: by pid.
    let gone = poll(DEADLINE, || (!alive(waiting)).then_some(()));
    assert!(gone.is_some(), "a stopped watcher left its store process {waiting} running");
    env.trail_ok(&repo, ["verify"]);
}

/// A watcher whose store process has closed the store after a quiet spell,
/// and stays so while git commands that only read run (`git status` takes
/// the index lock, which is why that lock is no sign of hooks coming).
/// Returns the watcher's pid.
fn quiet_after_reads(env: &TestEnv, repo: &Path, daemon: &Daemon) -> u32 {
    wait_record(daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let pid = wait_store_released(daemon);
    env.git_ok(repo, ["status", "--porcelain"]);
    env.git_ok(repo, ["log", "-1", "--oneline"]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(store_holders(pid, repo).is_empty(), "a reading git command had the store opened");
    pid
}

/// Wait until one of the watcher's store processes has the store open, after `what`.
#[track_caller]
fn wait_store_opened(daemon: &Daemon, pid: u32, what: &str) {
    let opened = poll(DEADLINE, || (!store_holders(pid, &daemon.repo).is_empty()).then_some(()));
    assert!(
        opened.is_some(),
        "the store was not opened after {what}\n--- daemon log ---\n{}",
        daemon.log()
    );
}

/// After a quiet spell the store is closed; git writing a commit message (as
/// `git commit` does before its commit-msg and post-commit hooks) has it
/// opened at once, so the hooks that follow find it open instead of waiting
/// for the open.
#[test]
fn a_commit_message_opens_the_store_before_the_hooks_come() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let pid = quiet_after_reads(&env, &repo, &daemon);
    // No client, no change in the work tree: only the message file, as git
    // writes it.
    std::fs::write(repo.join(".git/COMMIT_EDITMSG"), b"a message\n").expect("write");
    wait_store_opened(&daemon, pid, "git wrote a commit message");
    // A commit right after is recorded through it.
    write(&repo, "after.txt", b"after\n");
    env.git_ok(&repo, ["add", "after.txt"]);
    commit(&env, &repo, "after the lock");
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]).trim().to_owned();
    wait_record(&daemon, 0, "commit", |r| {
        kind(r) == "commit" && r["commit"].as_str() == Some(head.as_str())
    });
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

/// After a quiet spell, git taking HEAD's lock to move it (a checkout, reset,
/// merge) has the store opened before that command's hook comes.
#[test]
fn a_command_moving_head_opens_the_store_before_its_hook_comes() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let pid = quiet_after_reads(&env, &repo, &daemon);
    // A new branch checked out: HEAD moves, no file changes (so the watcher
    // has nothing to record), and no hook runs that could open it instead.
    let no_hooks = env.root.join("no-hooks");
    std::fs::create_dir_all(&no_hooks).expect("mkdir");
    let hooks_path = format!("core.hooksPath={}", no_hooks.display());
    env.git_ok(&repo, ["-c", hooks_path.as_str(), "checkout", "-q", "-b", "elsewhere"]);
    wait_store_opened(&daemon, pid, "git moved HEAD");
    daemon.stop();
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn a_killed_watcher_leaves_no_store_process_behind() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    let pid = daemon.pid();
    let serving = store_holders(pid, &repo);
    assert_eq!(serving.len(), 1, "{serving:?}");
    kill_9(pid);
    // Its store process sees the watcher gone, closes the store and exits.
    let gone = poll(DEADLINE, || (!alive(serving[0])).then_some(()));
    assert!(gone.is_some(), "the store process {} outlived its killed watcher", serving[0]);
    // The store is free at once: a command opens it directly.
    let verify = env.trail_ok(&repo, ["verify"]);
    assert_no_lock_text(&verify);
    // A store process in standby goes with its watcher too.
    daemon.start_again();
    let pid = wait_store_released(&daemon);
    let Some(waiting) = poll(DEADLINE, || standby_pid(pid, &repo)) else {
        panic!("no store process in standby\n{}", daemon.log())
    };
    kill_9(pid);
    let gone = poll(DEADLINE, || (!alive(waiting)).then_some(()));
    assert!(gone.is_some(), "the store process {waiting} in standby outlived its killed watcher");
    let verify = env.trail_ok(&repo, ["verify"]);
    assert_no_lock_text(&verify);
    daemon.start_again();
    assert_ne!(daemon.pid(), pid);
}

// ---- 12. an unreadable file ----

/// The uid and gid the watcher runs as when the tests run as root: root reads
/// any file, so only a watcher that is not root meets an unreadable one.
const NOBODY: &str = "65534";

fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
        .expect("an effective uid in /proc/self/status")
}

#[test]
fn an_unreadable_file_is_recorded_and_reported_and_the_watcher_carries_on() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let start = if effective_uid() == 0 {
        // The watcher runs as nobody in a repository nobody owns; the test
        // (root) puts a file there that only root may read.
        let mut chmod = env.command("chmod", &env.root);
        chmod.args(["0755", &env.root.display().to_string(), &env.home.display().to_string()]);
        run(chmod, DEADLINE).assert_code(0);
        let mut chown = env.command("chown", &env.root);
        chown.args(["-R", &format!("{NOBODY}:{NOBODY}"), &repo.display().to_string()]);
        run(chown, DEADLINE).assert_code(0);
        let mut start = env.command("setpriv", &repo);
        let uid = format!("--reuid={NOBODY}");
        let gid = format!("--regid={NOBODY}");
        start.args([uid.as_str(), gid.as_str(), "--clear-groups", trail_bin(), "daemon", "start"]);
        start
    } else {
        let mut start = env.command(trail_bin(), &repo);
        start.args(["daemon", "start"]);
        start
    };
    run(start, DEADLINE).assert_code(0);
    let daemon = Daemon { env: &env, repo: repo.clone() };
    let started = wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");

    // Made unreadable outside the work tree, then moved in: the watcher never
    // sees it readable.
    let outside = env.root.join("secret.tmp");
    std::fs::write(&outside, b"nobody may read this\n").expect("write the file");
    std::fs::set_permissions(&outside, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod 000");
    std::fs::rename(&outside, repo.join("secret.txt")).expect("move it into the work tree");

    let record = wait_record(&daemon, seq(&started), "a record of secret.txt", |r| {
        entry(r, "secret.txt").is_some()
    });
    let found = entry(&record, "secret.txt").expect("just found");
    assert_eq!(found["size"].as_u64(), Some(21), "recorded with its size: {record}");
    assert!(found["sha256"].is_null() && found["blob"].is_null(), "no content claimed: {record}");
    let status = trail_as_owner(&env, &repo, &["daemon", "status", "--json"]);
    status.assert_code(0);
    let status: Value = serde_json::from_slice(&status.stdout).expect("status is JSON");
    let last_error = status["last_error"].as_str().unwrap_or_default();
    assert!(
        last_error.contains("secret.txt") && last_error.contains("ermission denied"),
        "the daemon reports what it could not read: {status}"
    );

    // It carries on.
    std::fs::write(repo.join("after.txt"), b"readable\n").expect("write after.txt");
    let (_, after) = wait_save(&daemon, seq(&record), "fs.create", "after.txt");
    daemon.stop();
    if effective_uid() == 0 {
        // Back to root, or git refuses a repository someone else owns.
        let mut chown = env.command("chown", &env.root);
        chown.args(["-R", "0:0", &repo.display().to_string()]);
        run(chown, DEADLINE).assert_code(0);
    }
    assert_content(&env, &repo, &after, b"readable\n");
    env.trail_ok(&repo, ["verify"]);
}

// ---- 13. saves the journal cannot take ----

#[test]
fn saves_the_journal_cannot_take_are_kept_in_the_spool() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    wait_record(&daemon, 0, "watch.start", |r| kind(r) == "watch.start");
    // The store process lets go of the store; then the store is damaged, so
    // that neither the store process in standby, nor a new one, nor the
    // watcher itself can open it.
    let pid = wait_store_released(&daemon);
    damage_store(&repo);
    write(&repo, "kept.txt", b"a save the journal cannot take\n");
    let spool = repo.join(".git/trail/pending/spool");
    let kept = poll(Duration::from_secs(60), || {
        let texts: Vec<String> = std::fs::read_dir(&spool)
            .ok()?
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect();
        texts.iter().any(|t| t.contains("kept.txt")).then_some(())
    });
    assert!(kept.is_some(), "the save was not kept in the spool; the log says:\n{}", daemon.log());
    assert!(daemon.log().contains("kept in the spool"), "{}", daemon.log());
    assert!(alive(pid), "the watcher gave up");
}
