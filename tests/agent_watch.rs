//! An agent's save seen by the watcher too (issue 23, point 3): one record,
//! the agent's `agent.edit`, when both see the same save; the watcher's own
//! record when the content differs, when the claim never settles, or when
//! the claim cannot be read. A real `trail daemon start` watcher (real
//! inotify), fed by `trail agent hook …` with the payloads of
//! tests/fixtures/agents/.
//!
//! Every test stops its daemon when it ends, also when it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Output, PROCESS_TIMEOUT, TestEnv, run_with_input, trail_bin};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// How long a record may take to appear (CI has two slow cores), beyond the
/// watcher's wait for an open claim (5 s).
const DEADLINE: Duration = Duration::from_secs(20);

fn fixture(agent: &str, name: &str) -> String {
    let path = common::manifest_dir().join("tests/fixtures/agents").join(agent).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A fixture payload with `{{cwd}}` replaced by the repository's path.
fn payload(agent: &str, name: &str, repo: &Path) -> Vec<u8> {
    let cwd = repo.to_str().expect("a UTF-8 test path");
    fixture(agent, name).replace("{{cwd}}", cwd).into_bytes()
}

fn hook(env: &TestEnv, repo: &Path, agent: &str, event: &str, file: &str) -> Output {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(["agent", "hook", agent, event]);
    let out = run_with_input(cmd, payload(agent, file, repo), PROCESS_TIMEOUT);
    out.assert_no_panic();
    out.assert_code(0);
    out
}

/// `<root>/app`: trail initialised with `[watch] debounce_ms`, `greet.txt`
/// ("hello") committed.
fn repo(env: &TestEnv, debounce_ms: u64) -> PathBuf {
    let repo = env.dir("app");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    let policy = format!("[rationale]\nrequired = false\n\n[watch]\ndebounce_ms = {debounce_ms}\n");
    std::fs::write(repo.join("trail.toml"), policy).expect("write trail.toml");
    std::fs::write(repo.join("greet.txt"), "hello\n").expect("write greet.txt");
    env.trail_ok(&repo, ["init"]);
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "greeting"]);
    repo
}

fn claims_dir(repo: &Path) -> PathBuf {
    repo.join(".git/trail/agents/claims")
}

/// The repository's daemon, stopped when dropped (also when a test fails).
struct Daemon<'a> {
    env: &'a TestEnv,
    repo: PathBuf,
}

impl<'a> Daemon<'a> {
    fn start(env: &'a TestEnv, repo: &Path) -> Daemon<'a> {
        let daemon = Daemon { env, repo: repo.to_owned() };
        env.trail(repo, ["daemon", "start"]).assert_code(0);
        // Watching once its watch.start is in.
        daemon.wait_for("watch.start", |r| r["kind"] == "watch.start");
        daemon
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.repo.join(".git/trail/daemon.log")).unwrap_or_default()
    }

    /// Every record, oldest first.
    fn records(&self) -> Vec<Value> {
        let out = self.env.trail(&self.repo, ["log", "--json", "--reverse"]);
        out.assert_code(0);
        out.json_lines()
    }

    /// The first record `want` accepts, waiting up to [`DEADLINE`].
    fn wait_for(&self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + DEADLINE;
        loop {
            if let Some(found) = self.records().into_iter().find(|r| want(r)) {
                return found;
            }
            if Instant::now() >= end {
                panic!(
                    "no {what} within {DEADLINE:?}; records:\n{:#?}\ndaemon log:\n{}",
                    self.records(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A file written now and waited for: every save made before it has
    /// been looked at by the watcher (saves held for a claim included, as
    /// long as their claim settled before).
    fn sentinel(&self, name: &str) -> Value {
        std::fs::write(self.repo.join(name), name).expect("write the sentinel");
        self.wait_for(name, |r| r["kind"] == "fs.create" && names(r, name))
    }
}

impl Drop for Daemon<'_> {
    fn drop(&mut self) {
        let mut stop = self.env.command(trail_bin(), &self.repo);
        stop.args(["daemon", "stop"]).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = stop.status();
    }
}

fn names(record: &Value, path: &str) -> bool {
    record["paths"].as_array().is_some_and(|ps| ps.iter().any(|p| p["path"] == path))
}

fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// The records naming `path` whose kind starts with `prefix`.
fn of_kind<'a>(records: &'a [Value], prefix: &str, path: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["kind"].as_str().is_some_and(|k| k.starts_with(prefix)) && names(r, path))
        .collect()
}

fn seq(record: &Value) -> u64 {
    record["seq"].as_u64().expect("a record has a seq")
}

/// Claude Code edits greet.txt as the fixtures say: PreToolUse, the write,
/// a pause longer than the watcher's debounce (the watcher finds the save
/// before the claim settles and must hold it), PostToolUse.
fn claude_edits_greeting(env: &TestEnv, repo: &Path, pause: Duration) {
    let pre = hook(env, repo, "claude-code", "PreToolUse", "pre-tool-use-edit.json");
    assert!(pre.stdout.is_empty(), "{pre}");
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("the tool's edit");
    std::thread::sleep(pause);
    let post = hook(env, repo, "claude-code", "PostToolUse", "post-tool-use-edit.json");
    assert!(!post.stderr.contains("claim"), "{post}");
}

#[test]
fn one_record_when_the_watcher_also_sees_an_agents_save() {
    let env = TestEnv::new();
    let repo = repo(&env, 100);
    let daemon = Daemon::start(&env, &repo);
    hook(&env, &repo, "claude-code", "UserPromptSubmit", "user-prompt-submit.json");
    claude_edits_greeting(&env, &repo, Duration::from_millis(700));
    daemon.sentinel("sentinel.txt");

    let records = daemon.records();
    let edits = of_kind(&records, "agent.edit", "greet.txt");
    assert_eq!(edits.len(), 1, "{records:#?}");
    let edit = edits[0];
    assert_eq!(edit["why"], "Make the greeting in greet.txt friendlier");
    assert_eq!(edit["detail"]["agent"]["session"], "abc123");
    assert_eq!(edit["paths"][0]["sha256"], sha256_hex(b"hello, friend\n"));
    let by_watcher = of_kind(&records, "fs.", "greet.txt");
    assert!(by_watcher.is_empty(), "the watcher recorded the agent's save too:\n{records:#?}");
    // The claim is used up.
    let left: Vec<_> = std::fs::read_dir(claims_dir(&repo))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");

    // restore and timeline work from the agent's record.
    let at = seq(edit).to_string();
    let out = env.trail_ok(&repo, ["restore", "greet.txt", "--at", &at, "--to", "-"]);
    assert_eq!(out.stdout, b"hello, friend\n");
    let listed = env.trail_ok(&repo, ["timeline", "--json", "greet.txt"]).json_lines();
    let seqs: Vec<u64> = listed.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert!(seqs.contains(&seq(edit)), "{listed:#?}");
}

#[test]
fn a_person_saving_other_content_after_the_agent_makes_a_second_record() {
    let env = TestEnv::new();
    let repo = repo(&env, 100);
    let daemon = Daemon::start(&env, &repo);
    claude_edits_greeting(&env, &repo, Duration::from_millis(300));
    daemon.sentinel("sentinel.txt");
    // Then a person saves the same path, with other content.
    std::fs::write(repo.join("greet.txt"), "hello, person\n").expect("a person's save");
    let theirs =
        daemon.wait_for("the person's save", |r| r["kind"] == "fs.modify" && names(r, "greet.txt"));
    assert_eq!(theirs["paths"][0]["sha256"], sha256_hex(b"hello, person\n"));
    // And back to what the agent wrote: a save of its own, recorded too.
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("a person's save");
    daemon.sentinel("sentinel2.txt");
    let records = daemon.records();
    assert_eq!(of_kind(&records, "agent.edit", "greet.txt").len(), 1, "{records:#?}");
    let by_watcher = of_kind(&records, "fs.", "greet.txt");
    let shas: Vec<&Value> = by_watcher.iter().map(|r| &r["paths"][0]["sha256"]).collect();
    assert_eq!(
        shas,
        [
            &Value::from(sha256_hex(b"hello, person\n")),
            &Value::from(sha256_hex(b"hello, friend\n"))
        ],
        "{records:#?}"
    );
}

#[test]
fn a_save_whose_claim_never_settles_is_recorded_after_the_wait() {
    let env = TestEnv::new();
    let repo = repo(&env, 100);
    let daemon = Daemon::start(&env, &repo);
    // PreToolUse, the write, and no PostToolUse (the hook never ran).
    hook(&env, &repo, "claude-code", "PreToolUse", "pre-tool-use-edit.json");
    let written = Instant::now();
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("the tool's edit");
    // Held: nothing yet, well past the debounce…
    std::thread::sleep(Duration::from_millis(1500));
    let records = daemon.records();
    assert!(
        of_kind(&records, "fs.", "greet.txt").is_empty(),
        "recorded while its claim was open:\n{records:#?}"
    );
    // …then recorded as usual.
    let record = daemon.wait_for("the save", |r| r["kind"] == "fs.modify" && names(r, "greet.txt"));
    assert!(written.elapsed() >= Duration::from_secs(4), "{:?}", written.elapsed());
    assert_eq!(record["paths"][0]["sha256"], sha256_hex(b"hello, friend\n"));
    assert_eq!(record["source"], "watcher");
    assert!(of_kind(&daemon.records(), "agent.edit", "greet.txt").is_empty());
}

#[test]
fn a_damaged_claim_loses_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env, 100);
    let daemon = Daemon::start(&env, &repo);
    let dir = claims_dir(&repo);
    std::fs::create_dir_all(&dir).expect("the claims directory");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis();
    // A claim cut short, bytes that are not JSON, JSON of another shape.
    std::fs::write(dir.join(format!("{now_ms:013}-0123456789abcdef.json")), br#"{"workdir": "#)
        .expect("write");
    std::fs::write(dir.join(format!("{now_ms:013}-fedcba9876543210.json")), [0xff, 0, 7])
        .expect("write");
    std::fs::write(dir.join("x.json"), br#"{"paths": [{"path": "greet.txt"}]}"#).expect("write");
    let written = Instant::now();
    std::fs::write(repo.join("greet.txt"), "a person's greeting\n").expect("a person's save");
    let record = daemon.wait_for("the save", |r| r["kind"] == "fs.modify" && names(r, "greet.txt"));
    assert_eq!(record["paths"][0]["sha256"], sha256_hex(b"a person's greeting\n"));
    // Not held for the damaged claims (the wait for an open claim is 5 s).
    assert!(written.elapsed() < Duration::from_secs(4), "{:?}", written.elapsed());
    // They are gone.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");

    // A claims directory that is not one: the agent's hook cannot claim
    // (and says so), both record, nothing is lost.
    std::fs::remove_dir_all(&dir).expect("remove");
    std::fs::write(&dir, "not a directory").expect("write");
    let pre = hook(&env, &repo, "claude-code", "PreToolUse", "pre-tool-use-edit.json");
    assert!(pre.stderr.contains("cannot claim"), "{pre}");
    std::fs::write(repo.join("greet.txt"), "hello\n").expect("reset");
    daemon.wait_for("the reset", |r| {
        r["kind"] == "fs.modify"
            && names(r, "greet.txt")
            && r["paths"][0]["sha256"] == sha256_hex(b"hello\n")
    });
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("the tool's edit");
    hook(&env, &repo, "claude-code", "PostToolUse", "post-tool-use-edit.json");
    daemon.wait_for("the agent's save", |r| {
        r["kind"] == "fs.modify"
            && names(r, "greet.txt")
            && r["paths"][0]["sha256"] == sha256_hex(b"hello, friend\n")
    });
    daemon.wait_for("the agent's edit", |r| r["kind"] == "agent.edit");
}

#[test]
fn a_cursor_edit_settled_before_the_watcher_looks_is_one_record() {
    let env = TestEnv::new();
    // A debounce long enough for afterFileEdit to run first.
    let repo = repo(&env, 1500);
    let daemon = Daemon::start(&env, &repo);
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("Cursor's edit");
    hook(&env, &repo, "cursor", "afterFileEdit", "after-file-edit.json");
    daemon.sentinel("sentinel.txt");
    let records = daemon.records();
    let edits = of_kind(&records, "agent.edit", "greet.txt");
    assert_eq!(edits.len(), 1, "{records:#?}");
    assert_eq!(edits[0]["detail"]["agent"]["name"], "cursor");
    assert!(of_kind(&records, "fs.", "greet.txt").is_empty(), "{records:#?}");
}

#[test]
fn a_protected_path_an_agent_recorded_still_gets_the_watchers_violation() {
    let env = TestEnv::new();
    let repo = repo(&env, 1500);
    let daemon = Daemon::start(&env, &repo);
    // Cursor's edit tool writes .mcp.json (no hook before it), then
    // afterFileEdit reports it: the fixture, naming .mcp.json.
    std::fs::write(repo.join(".mcp.json"), "{\"mcpServers\": {}}\n").expect("Cursor's edit");
    let cwd = repo.to_str().expect("a UTF-8 test path");
    let input = fixture("cursor", "after-file-edit.json")
        .replace("{{cwd}}", cwd)
        .replace("greet.txt", ".mcp.json")
        .into_bytes();
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["agent", "hook", "cursor", "afterFileEdit"]);
    let out = run_with_input(cmd, input, PROCESS_TIMEOUT);
    out.assert_no_panic().assert_code(0);
    let violation = daemon
        .wait_for("the violation", |r| r["kind"] == "policy.violation" && names(r, ".mcp.json"));
    assert_eq!(violation["source"], "watcher");
    assert_eq!(violation["detail"]["uncommitted"], true);
    daemon.sentinel("sentinel.txt");
    let records = daemon.records();
    let edits = of_kind(&records, "agent.edit", ".mcp.json");
    assert_eq!(edits.len(), 1, "{records:#?}");
    assert_eq!(edits[0]["detail"]["protected"][0], ".mcp.json");
    assert!(of_kind(&records, "fs.", ".mcp.json").is_empty(), "{records:#?}");
}
