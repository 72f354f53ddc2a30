//! A hermetic environment for end-to-end tests: the real `trail` binary, the real
//! `git`, temporary repositories (after jj's `cli/tests/common/test_environment.rs`).
//!
//! Every process a test starts gets a cleared environment plus only what is set
//! here: its own HOME and XDG directories, no global or system git config, pinned
//! identities and dates, UTC, the C locale, and a ceiling so that git discovery
//! never walks out of the test's temporary directory into a repository around it.

#![allow(dead_code, reason = "each test file uses a different part of the harness")]

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Clones, servers, tokens and plumbing for the MCP protection tests.
pub mod protect;

/// The dates every commit gets unless a fixture pins its own.
pub const PINNED_DATE: &str = "2021-01-01T00:00:00+00:00";
pub const AUTHOR_NAME: &str = "Test Author";
pub const AUTHOR_EMAIL: &str = "author@example.org";
pub const COMMITTER_NAME: &str = "Test Committer";
pub const COMMITTER_EMAIL: &str = "committer@example.org";

/// How long any one process may run before the test fails (a hang is a failure,
/// not a stuck test run).
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

pub fn trail_bin() -> &'static str {
    env!("CARGO_BIN_EXE_trail")
}

/// The package root (where `tests/fixtures` and `store/fixtures` live).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct TestEnv {
    _tmp: tempfile::TempDir,
    /// Canonical path of the temporary directory; repositories go below it.
    pub root: PathBuf,
    pub home: PathBuf,
    pub config_home: PathBuf,
}

impl TestEnv {
    pub fn new() -> Self {
        let tmp =
            tempfile::Builder::new().prefix("trail-test-").tempdir().expect("create a temp dir");
        // Canonical, so that paths trail prints (it canonicalizes) compare equal.
        let root = std::fs::canonicalize(tmp.path()).expect("canonicalize the temp dir");
        let home = root.join("home");
        let config_home = home.join(".config");
        for dir in [
            &home,
            &config_home,
            &home.join(".cache"),
            &home.join(".local/share"),
            &home.join("run"),
        ] {
            std::fs::create_dir_all(dir).expect("create home directories");
        }
        TestEnv { _tmp: tmp, root, home, config_home }
    }

    /// `<root>/NAME`: a new repository (branch main) with `trail init` done
    /// and one commit of `a.txt` whose message is `subject`, made through
    /// the hooks with a rationale.
    pub fn trail_repo(&self, name: &str, subject: &str) -> PathBuf {
        let repo = self.dir(name);
        self.git_ok(&repo, ["init", "-q", "-b", "main"]);
        self.trail_ok(&repo, ["init"]);
        std::fs::write(repo.join("a.txt"), "a\n").expect("write a.txt");
        self.git_ok(&repo, ["add", "-A"]);
        let mut cmd = self.command("git", &repo);
        cmd.args(["commit", "-q", "-m", subject]).env("TRAIL_WHY", "a start");
        run(cmd, PROCESS_TIMEOUT).assert_code(0);
        // Settled: the drainer post-commit started has appended the commit
        // and written its checkpoint.
        wait_for_drainer(&repo);
        repo
    }

    /// A fresh directory below the root.
    pub fn dir(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).expect("create a test directory");
        dir
    }

    /// A command with the hermetic environment, run in `cwd`.
    pub fn command(&self, program: impl AsRef<OsStr>, cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd).env_clear().stdin(Stdio::null());
        for (key, value) in self.env_vars() {
            cmd.env(key, value);
        }
        cmd
    }

    pub fn env_vars(&self) -> Vec<(OsString, OsString)> {
        let mut vars: Vec<(OsString, OsString)> = Vec::new();
        let mut set = |k: &str, v: &OsStr| vars.push((k.into(), v.to_owned()));
        // The trail under test comes first, so the hook shims git runs find it;
        // git, bash and python3 come from the caller's PATH; nothing else does.
        let inherited = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        let bin_dir = Path::new(trail_bin()).parent().expect("the binary has a directory");
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&inherited)),
        )
        .expect("PATH entries hold no ':'");
        set("PATH", path.as_os_str());
        set("HOME", self.home.as_os_str());
        set("XDG_CONFIG_HOME", self.config_home.as_os_str());
        set("XDG_CACHE_HOME", self.home.join(".cache").as_os_str());
        set("XDG_DATA_HOME", self.home.join(".local/share").as_os_str());
        set("XDG_RUNTIME_DIR", self.home.join("run").as_os_str());
        set("GIT_CONFIG_GLOBAL", OsStr::new("/dev/null"));
        set("GIT_CONFIG_NOSYSTEM", OsStr::new("1"));
        set("GIT_CEILING_DIRECTORIES", self.root.as_os_str());
        set("GIT_TERMINAL_PROMPT", OsStr::new("0"));
        set("GIT_AUTHOR_NAME", OsStr::new(AUTHOR_NAME));
        set("GIT_AUTHOR_EMAIL", OsStr::new(AUTHOR_EMAIL));
        set("GIT_COMMITTER_NAME", OsStr::new(COMMITTER_NAME));
        set("GIT_COMMITTER_EMAIL", OsStr::new(COMMITTER_EMAIL));
        set("GIT_AUTHOR_DATE", OsStr::new(PINNED_DATE));
        set("GIT_COMMITTER_DATE", OsStr::new(PINNED_DATE));
        set("TZ", OsStr::new("UTC"));
        set("LC_ALL", OsStr::new("C"));
        set("LANG", OsStr::new("C"));
        // Keep coverage tooling working when it is in use.
        if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
            set("LLVM_PROFILE_FILE", &profile);
        }
        vars
    }

    /// Run `bash tests/fixtures/NAME.sh` (under `set -eu`) in a new directory
    /// `<root>/NAME` and return that directory. Panics when the script fails.
    pub fn fixture(&self, name: &str) -> PathBuf {
        self.fixture_in(name, &self.root.join(name))
    }

    /// Run fixture `name` in `dir` (created if needed).
    pub fn fixture_in(&self, name: &str, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("create the fixture directory");
        let script = manifest_dir().join("tests/fixtures").join(format!("{name}.sh"));
        assert!(script.is_file(), "no fixture script {}", script.display());
        let mut cmd = self.command("bash", dir);
        cmd.arg("-eu").arg(&script);
        let out = run(cmd, PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "fixture {name} failed:\n{out}");
        dir.to_owned()
    }

    /// Build `<root>/NAME` with tests/fixtures/gen-history (a copy of the team's
    /// ../shared/tools/gen-history, so CI needs nothing outside the repository).
    pub fn gen_history(&self, name: &str, args: &[&str]) -> PathBuf {
        let repo = self.root.join(name);
        let mut generate = self.command("python3", &self.root);
        generate.arg(manifest_dir().join("tests/fixtures/gen-history")).arg(&repo).args(args);
        let out = run(generate, PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "gen-history failed:\n{out}");
        repo
    }

    /// Run `git ARGS` in `cwd`.
    pub fn git<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command("git", cwd);
        cmd.args(args);
        run(cmd, PROCESS_TIMEOUT)
    }

    /// Run `git ARGS` in `cwd`; panic unless it succeeds; return its stdout, trimmed.
    pub fn git_ok<I, S>(&self, cwd: &Path, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.git(cwd, args);
        assert_eq!(out.status, Some(0), "git failed:\n{out}");
        out.stdout_str().trim_end_matches('\n').to_owned()
    }

    /// A `trail` command ready to run in `cwd` (for tests that need pipes or
    /// extra environment).
    pub fn trail_cmd(&self, cwd: &Path) -> Command {
        self.command(trail_bin(), cwd)
    }

    /// Run the real `trail ARGS` in `cwd`.
    pub fn trail<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.trail_cmd(cwd);
        cmd.args(args);
        run(cmd, PROCESS_TIMEOUT)
    }

    /// Run `trail ARGS`; panic unless it exits 0 without panicking.
    pub fn trail_ok<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.trail(cwd, args);
        out.assert_code(0);
        out
    }

    /// `trail ARGS --json`-style output parsed as JSON Lines.
    pub fn trail_json<I, S>(&self, cwd: &Path, args: I) -> Vec<serde_json::Value>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        parse_json_lines(&self.trail_ok(cwd, args).stdout)
    }
}

/// What a finished process left behind.
pub struct Output {
    pub command: String,
    /// The exit code; `None` when a signal ended the process.
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panic (showing everything) unless the process exited with `code`. Also
    /// refuses a panic (exit 101, or the panic text) whatever `code` is.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.status, Some(code), "expected exit {code}:\n{self}");
        self.assert_no_panic();
        self
    }

    #[track_caller]
    pub fn assert_no_panic(&self) -> &Self {
        assert_ne!(self.status, Some(101), "trail panicked:\n{self}");
        assert!(!self.stderr.contains("panicked"), "trail panicked:\n{self}");
        assert!(!self.stderr.contains("internal error"), "trail reported a bug:\n{self}");
        self
    }

    /// Panic unless stderr contains `needle` (case-insensitive).
    #[track_caller]
    pub fn assert_stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.to_lowercase().contains(&needle.to_lowercase()),
            "stderr should mention {needle:?}:\n{self}"
        );
        self
    }

    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        parse_json_lines(&self.stdout)
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOW: usize = 4000;
        let stdout = self.stdout_str();
        let cut = |s: &str| -> String {
            if s.len() <= SHOW {
                s.to_owned()
            } else {
                let mut end = SHOW;
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}… ({} bytes in all)", &s[..end], s.len())
            }
        };
        writeln!(f, "command: {}", self.command)?;
        writeln!(f, "status:  {:?} after {:.2?}", self.status, self.elapsed)?;
        writeln!(f, "--- stdout ---\n{}", cut(&stdout))?;
        write!(f, "--- stderr ---\n{}", cut(&self.stderr))
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&format!("{:?}", arg.to_string_lossy()));
    }
    if let Some(dir) = cmd.get_current_dir() {
        text.push_str(&format!("  (in {})", dir.display()));
    }
    text
}

/// Run `cmd` to completion, collecting stdout and stderr; kill it and panic after
/// `timeout`.
/// Flip 16 bytes in the middle of the data of `repo`'s sled store (what a
/// bad disk does): sled then refuses the store, or opens a shorter one.
pub fn damage_store(repo: &Path) {
    let db = repo.join(".git/trail/journal/db");
    let mut bytes = std::fs::read(&db).expect("read db");
    let nonzero: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] != 0).collect();
    let at = nonzero[nonzero.len() / 2];
    for b in &mut bytes[at..at + 16] {
        *b ^= 0x55;
    }
    std::fs::write(&db, bytes).expect("write db");
}

pub fn run(mut cmd: Command, timeout: Duration) -> Output {
    let command = describe(&cmd);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = wait_with_deadline(&mut child, timeout, &command);
    let stdout = stdout.join().expect("stdout reader");
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
    Output { command, status: status.code(), stdout, stderr, elapsed: started.elapsed() }
}

/// Like [`run`], with `input` written to the process's stdin through a pipe.
pub fn run_with_input(mut cmd: Command, input: Vec<u8>, timeout: Duration) -> Output {
    let command = describe(&cmd);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // The reader may stop early (it found what it wanted): not our failure.
        let _ = stdin.write_all(&input);
    });
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = wait_with_deadline(&mut child, timeout, &command);
    writer.join().expect("stdin writer");
    let stdout = stdout.join().expect("stdout reader");
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
    Output { command, status: status.code(), stdout, stderr, elapsed: started.elapsed() }
}

/// Wait for `child`, killing it and panicking once `timeout` has passed.
pub fn wait_with_deadline(
    child: &mut Child,
    timeout: Duration,
    what: &str,
) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait().expect("wait for a child process") {
            Some(status) => return status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what} did not finish within {timeout:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Read `source` to its end on a thread (so a full stderr pipe never blocks stdout).
pub fn drain(mut source: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = source.read_to_end(&mut buf);
        buf
    })
}

/// Parse JSON Lines; panics on a line that is not JSON.
pub fn parse_json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    split_lines(bytes)
        .into_iter()
        .map(|line| {
            serde_json::from_slice(line).unwrap_or_else(|e| {
                panic!("not a JSON line ({e}): {}", String::from_utf8_lossy(line))
            })
        })
        .collect()
}

/// Split on `\n`; the final line must be terminated (no partial last line).
pub fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.is_empty() {
        return Vec::new();
    }
    assert_eq!(bytes.last(), Some(&b'\n'), "output does not end with a line feed");
    bytes[..bytes.len() - 1].split(|b| *b == b'\n').collect()
}

/// The bytes of a path entry's `path`/`path_b64` (or `from`/`from_b64` with
/// `which` = "from").
pub fn path_bytes(entry: &serde_json::Value, which: &str) -> Option<Vec<u8>> {
    if let Some(text) = entry.get(which).and_then(|v| v.as_str()) {
        return Some(text.as_bytes().to_vec());
    }
    entry
        .get(format!("{which}_b64"))
        .and_then(|v| v.as_str())
        .map(|b64| base64_decode(b64).unwrap_or_else(|| panic!("invalid base64 {b64:?}")))
}

/// Standard base64 (RFC 4648 §4) with padding; `None` when malformed.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i == bytes.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for c in &chunk[..4 - pad] {
            n = (n << 6) | value(*c)?;
        }
        n <<= 6 * pad as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

/// The hermetic environment as `KEY=VALUE` pairs, for debugging a failing test by hand.
pub fn env_summary(env: &TestEnv) -> String {
    env.env_vars()
        .iter()
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Wait (up to 20 s) until the background `trail drain` that post-commit
/// (or its shim) starts is done with `repo`: no drainer runs, no commit's
/// post-commit waits to be done and nothing waits in the spool. Returns what it wrote to `pending/drain.log`.
pub fn wait_for_drainer(repo: &Path) -> String {
    wait_for_drainer_since(repo, 0)
}

/// Remove `path` (a directory inside `repo/.git/trail`) once the background
/// drainer is done with `repo`: a test that loses or replaces the store on
/// purpose must not race a drainer still writing into it (a concurrent
/// write makes `remove_dir_all` fail with "Directory not empty", or leaves
/// half a store behind).
pub fn remove_trail_dir(repo: &Path, path: &Path) {
    wait_for_drainer(repo);
    std::fs::remove_dir_all(path).unwrap_or_else(|err| panic!("remove {}: {err}", path.display()));
}

/// `repo`'s journal directory, once the background drainer is done with
/// it: a test that opens the store itself (to read or damage it) must not
/// meet a drainer holding it, or miss records that still wait in the spool.
pub fn settled_journal(repo: &Path) -> PathBuf {
    wait_for_drainer(repo);
    repo.join(".git/trail/journal")
}

/// The length of `pending/drain.log` now (for [`wait_for_drainer_since`]).
pub fn drain_log_len(repo: &Path) -> u64 {
    std::fs::metadata(repo.join(".git/trail/pending/drain.log")).map_or(0, |m| m.len())
}

/// [`wait_for_drainer`], returning what the drainer wrote to its log after
/// byte `since`. It also stops waiting when the drainer left
/// `pending/drain.failed` (the journal could not be written: the spool
/// keeps the records).
pub fn wait_for_drainer_since(repo: &Path, since: u64) -> String {
    let pending = repo.join(".git/trail/pending");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        // Looked for, not probed with the lock: a drainer that finds its
        // lock held leaves the work to the holder, and a probe holding it
        // for a moment left the records in the spool (seen in CI).
        let idle = !drainer_running(repo);
        let spooled = std::fs::read_dir(pending.join("spool")).map_or(0, |dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        });
        let failed = pending.join("drain.failed").exists();
        // A commit whose post-commit runs after it (its marker not yet
        // claimed and done): the drainer the shim started may not be a
        // `trail drain` process yet.
        let deferred = std::fs::read_dir(&pending).is_ok_and(|dir| {
            dir.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("post-commit-"))
        });
        if idle && !deferred && (spooled == 0 || failed) || std::time::Instant::now() > deadline {
            let log = std::fs::read(pending.join("drain.log")).unwrap_or_default();
            let from = (since as usize).min(log.len());
            return String::from_utf8_lossy(&log[from..]).into_owned();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a `trail drain` started in `repo` (its working directory) runs.
fn drainer_running(repo: &Path) -> bool {
    let Ok(repo) = repo.canonicalize() else { return false };
    let Ok(dir) = std::fs::read_dir("/proc") else { return false };
    dir.filter_map(Result::ok).any(|entry| {
        let proc_dir = entry.path();
        let Ok(cmdline) = std::fs::read(proc_dir.join("cmdline")) else { return false };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).filter(|a| !a.is_empty()).collect();
        let is_drain = args.len() == 2 && args[0].ends_with(b"trail") && args[1] == b"drain";
        is_drain && std::fs::read_link(proc_dir.join("cwd")).is_ok_and(|cwd| cwd == repo)
    })
}

/// `git commit -q -m MESSAGE` of `file` (written, everything staged) with
/// `TRAIL_WHY` = `why` and post-commit's hand-over killed
/// (`TRAIL_FAILPOINT=gateway.hand_over`; the background drainer the shim
/// starts inherits it).
pub fn commit_killed_at_hand_over(
    env: &TestEnv,
    repo: &Path,
    file: &str,
    message: &str,
    why: &str,
) -> Output {
    std::fs::write(repo.join(file), format!("{file}\n")).expect("write");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", message])
        .env("TRAIL_WHY", why)
        .env("TRAIL_FAILPOINT", "gateway.hand_over");
    run(cmd, PROCESS_TIMEOUT)
}

/// The markers of commits whose post-commit runs after the commit and is
/// not done yet (`.git/trail/pending/post-commit-*`).
pub fn deferred_markers(repo: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(repo.join(".git/trail/pending")) else { return Vec::new() };
    dir.filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("post-commit-"))
        .collect()
}

/// Wait (up to 20 s) until `pending/drain.log` holds `needle`; returns it.
pub fn wait_for_drain_log(repo: &Path, needle: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let log =
            std::fs::read_to_string(repo.join(".git/trail/pending/drain.log")).unwrap_or_default();
        if log.contains(needle) || std::time::Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod harness_tests {
    use super::*;

    #[test]
    fn base64_decodes_standard_padded_text() {
        assert_eq!(
            base64_decode("ZGF0YS9ub3QtdXRmOC3/LmJpbg==").as_deref(),
            Some(&b"data/not-utf8-\xff.bin"[..])
        );
        assert_eq!(base64_decode("").as_deref(), Some(&b""[..]));
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert!(base64_decode("YQ=").is_none());
        assert!(base64_decode("Y===").is_none());
    }
}
