//! The watcher's socket and pid file under faults (issue 18, item 14): a
//! socket planted by another user, a stale pid file naming another process,
//! the socket deleted under a running watcher, and clients whose
//! `$XDG_RUNTIME_DIR` differs from the watcher's. Real binary, real git, real
//! inotify and sockets; another uid through `setpriv` where the test runs as
//! root (skipped otherwise).
//!
//! Every test stops its daemon when it ends, also when it fails ([`Daemon`]'s
//! `Drop`), and waits with deadlines instead of fixed sleeps.

mod common;

use std::io::BufRead as _;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use sha2::{Digest as _, Sha256};

/// How long something may take to happen (CI has two slow cores).
const DEADLINE: Duration = Duration::from_secs(10);
/// The uid (and gid) of "another user".
const NOBODY: u32 = 65534;

// ---- the repository ----

fn policy() -> &'static str {
    "[rationale]\nrequired = false\n\n[watch]\ndebounce_ms = 100\n"
}

/// A repository at `dir`: trail initialised, the policy committed.
fn repo_at(env: &TestEnv, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("create the repository's directory");
    env.git_ok(dir, ["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("trail.toml"), policy()).expect("write trail.toml");
    env.trail_ok(dir, ["init"]);
    env.git_ok(dir, ["add", "-A"]);
    env.git_ok(dir, ["commit", "-q", "-m", "policy"]);
    dir.to_owned()
}

fn repo(env: &TestEnv) -> PathBuf {
    repo_at(env, &env.root.join("app"))
}

/// A repository whose `.git/trail/daemon.sock` is longer than a socket
/// address holds (107 bytes).
fn deep_repo(env: &TestEnv) -> PathBuf {
    let mut dir = env.root.join("deep");
    while dir.join(".git/trail/daemon.sock").as_os_str().len() <= 120 {
        dir.push("a-rather-long-directory-name");
    }
    repo_at(env, &dir)
}

/// Commit a change of `name` in `repo` through the hooks, with `tweak`
/// applied to the git command (its environment); panics unless it succeeds.
fn commit(env: &TestEnv, repo: &Path, name: &str, tweak: impl Fn(&mut Command)) -> Output {
    std::fs::write(repo.join(name), format!("{name}\n")).expect("write a file");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", &format!("add {name}")]);
    tweak(&mut cmd);
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0);
    out
}

/// `trail ARGS` with `tweak` applied to the command.
fn trail_with(env: &TestEnv, repo: &Path, args: &[&str], tweak: impl Fn(&mut Command)) -> Output {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(args);
    tweak(&mut cmd);
    run(cmd, PROCESS_TIMEOUT)
}

/// The subjects of the commit records, oldest first.
fn recorded_commits(env: &TestEnv, repo: &Path) -> Vec<String> {
    env.trail_json(repo, ["log", "--json", "--reverse"])
        .iter()
        .filter(|r| r["kind"] == "commit")
        .filter_map(|r| r["detail"]["subject"].as_str().map(str::to_owned))
        .collect()
}

#[track_caller]
fn assert_no_lock_text(out: &Output) {
    let text = out.stderr.to_lowercase();
    assert!(
        !text.contains("lock") && !text.contains("in use"),
        "a process saw the store held:\n{out}"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

// ---- processes ----

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

/// The live trail processes running in `repo` whose arguments after the
/// program are `args` (`["watch"]`: watchers; `["daemon", "serve"]`: store
/// processes).
fn trail_processes(repo: &Path, args: &[&str]) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else { return found };
    for entry in dir.filter_map(Result::ok) {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let parts: Vec<&[u8]> = cmdline.split(|&b| b == 0).filter(|p| !p.is_empty()).collect();
        let Some((program, rest)) = parts.split_first() else { continue };
        if !program.ends_with(b"trail") || rest.len() != args.len() {
            continue;
        }
        if !rest.iter().zip(args).all(|(a, b)| *a == b.as_bytes()) {
            continue;
        }
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok();
        if cwd.as_deref() == Some(repo) && alive(pid) {
            found.push(pid);
        }
    }
    found
}

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
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The repository's daemon. Dropping it stops it: `trail daemon stop`, then
/// `kill -9` of every watcher still running in the repository — also when
/// the test failed, so that no watcher outlives its test.
struct Daemon<'a> {
    env: &'a TestEnv,
    repo: PathBuf,
}

impl<'a> Daemon<'a> {
    /// `trail daemon start` (the guard exists before the daemon does).
    fn start(env: &'a TestEnv, repo: &Path) -> Daemon<'a> {
        Daemon::start_with(env, repo, |_| {})
    }

    fn start_with(env: &'a TestEnv, repo: &Path, tweak: impl Fn(&mut Command)) -> Daemon<'a> {
        let daemon = Daemon { env, repo: repo.to_owned() };
        trail_with(env, repo, &["daemon", "start"], tweak).assert_code(0);
        daemon
    }

    fn pid(&self) -> u32 {
        read_pid(&self.repo)
            .unwrap_or_else(|| panic!("no pid in {}", pid_file(&self.repo).display()))
    }
}

impl Drop for Daemon<'_> {
    fn drop(&mut self) {
        // Nothing here may panic: this runs while a failed test unwinds.
        let mut stop = self.env.command(trail_bin(), &self.repo);
        stop.args(["daemon", "stop"]).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = stop.status();
        for pid in trail_processes(&self.repo, &["watch"]) {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// ---- a socket planted by another user ----

/// A Unix socket server run as uid [`NOBODY`] (setpriv), bound at `at`
/// (with the `.serving` marker beside it): it appends one line per
/// connection, and every request it reads, to `log`, and answers a greeting
/// like a trail daemon would, so that a client that trusts it goes on to
/// send records. Returns once it listens.
fn plant(at: &Path, log: &Path) -> Killed {
    const SERVER: &str = r#"
import json, os, socket, struct, sys
at, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(at)
os.chmod(at, 0o777)
s.listen(16)
# The marker that says a store process accepts: without it a client with the
# store free would open the store directly and never try the socket.
open(at + ".serving", "w").close()
print("ready", flush=True)
def note(line):
    with open(log, "a") as f:
        f.write(line + "\n")
while True:
    c, _ = s.accept()
    note("connection")
    try:
        while True:
            head = c.recv(4, socket.MSG_WAITALL)
            if len(head) < 4:
                break
            body = c.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
            note(body.decode("utf-8", "replace"))
            answer = json.dumps({"r": "hello", "protocol": 1, "pid": os.getpid()}).encode()
            c.sendall(struct.pack(">I", len(answer)) + answer)
    except OSError:
        pass
    c.close()
"#;
    let mut child = Command::new("setpriv")
        .args(["--reuid", &NOBODY.to_string(), "--regid", &NOBODY.to_string(), "--clear-groups"])
        .args(["/usr/bin/python3", "-c", SERVER])
        .arg(at)
        .arg(log)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("setpriv and python3 run");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).expect("read the server's first line");
    assert_eq!(line.trim(), "ready", "the planted server did not start");
    Killed(child)
}

/// A directory under /tmp that [`NOBODY`] owns (the test's own temporary
/// directory is root's and closed to others).
fn nobody_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("trail-plant-").tempdir_in("/tmp").expect("tempdir");
    std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOBODY)).expect("chown");
    dir
}

/// `<socket>.serving`.
fn marker_of(socket: &Path) -> PathBuf {
    let mut name = socket.as_os_str().to_owned();
    name.push(".serving");
    PathBuf::from(name)
}

/// What the planted server saw (nothing, if nobody connected).
fn planted_saw(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Regression: root accepted a socket another user had put in its place,
/// connected, and would have sent it the commit's records and read its
/// answers. A socket of another uid is never connected to (root included);
/// commands open the store directly and say why.
#[test]
fn planted_socket_of_another_user_is_refused() {
    if !is_root() {
        eprintln!("skipped: needs root (another uid through setpriv)");
        return;
    }
    let env = TestEnv::new();
    let repo = repo(&env);
    let plant_dir = nobody_dir();
    let log = plant_dir.path().join("seen");
    let _server = plant(&plant_dir.path().join("s"), &log);
    // Moved into place (rename keeps the owner; the listener stays bound to it).
    let socket = repo.join(".git/trail/daemon.sock");
    std::fs::rename(plant_dir.path().join("s"), &socket).expect("move the socket into place");
    std::fs::rename(
        plant_dir.path().join("s.serving"),
        repo.join(".git/trail/daemon.sock.serving"),
    )
    .expect("move the marker into place");
    assert_eq!(std::fs::symlink_metadata(&socket).expect("planted").uid(), NOBODY);

    // A commit through the hooks: recorded in the journal, nothing sent.
    let out = commit(&env, &repo, "a.txt", |_| {});
    assert_eq!(planted_saw(&log), "", "the hook talked to the planted socket:\n{out}");
    assert!(recorded_commits(&env, &repo).iter().any(|s| s == "add a.txt"));
    assert_eq!(planted_saw(&log), "", "trail log talked to the planted socket");

    // The watcher's commands name the socket and its owner, and refuse.
    let status = env.trail(&repo, ["daemon", "status"]);
    status.assert_code(3);
    status.assert_stderr_has(&socket.display().to_string()).assert_stderr_has("uid 65534");
    let start = env.trail(&repo, ["daemon", "start"]);
    start.assert_code(3);
    start.assert_stderr_has("uid 65534");
    assert!(
        trail_processes(&repo, &["watch"]).is_empty(),
        "a watcher started beside a planted socket"
    );
    assert_eq!(planted_saw(&log), "", "a daemon command talked to the planted socket");
}

/// Regression: as root in a deep repository without `$XDG_RUNTIME_DIR`, the
/// socket was `/tmp/trail-0-<hash>.sock`, a name anybody could bind first.
/// The socket now stays in the trail directory however deep; a socket at
/// the old name is never used.
#[test]
fn planted_fallback_socket_in_tmp_is_never_used() {
    if !is_root() {
        eprintln!("skipped: needs root (another uid through setpriv)");
        return;
    }
    let env = TestEnv::new();
    let repo = deep_repo(&env);
    let trail_dir = std::fs::canonicalize(repo.join(".git/trail")).expect("canonical");
    let hash = hex::encode(&Sha256::digest(trail_dir.as_os_str().as_encoded_bytes())[..8]);
    let old_name = PathBuf::from(format!("/tmp/trail-0-{hash}.sock"));
    let _ = std::fs::remove_file(&old_name);
    let _ = std::fs::remove_file(marker_of(&old_name));
    let plant_dir = nobody_dir();
    let log = plant_dir.path().join("seen");
    let _server = plant(&old_name, &log);
    struct RemoveAfter(PathBuf);
    impl Drop for RemoveAfter {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _cleanup = (RemoveAfter(old_name.clone()), RemoveAfter(marker_of(&old_name)));
    let no_runtime = |cmd: &mut Command| {
        cmd.env_remove("XDG_RUNTIME_DIR");
    };

    // Without the watcher: hooks and commands never go near the old name.
    let out = commit(&env, &repo, "a.txt", no_runtime);
    assert_eq!(planted_saw(&log), "", "the hook talked to the planted socket:\n{out}");
    trail_with(&env, &repo, &["log"], no_runtime).assert_code(0);
    assert_eq!(planted_saw(&log), "", "trail log talked to the planted socket");

    // With it: its socket is in the trail directory, private, and answers.
    let daemon = Daemon::start_with(&env, &repo, no_runtime);
    let socket = trail_dir.join("daemon.sock");
    let meta = std::fs::symlink_metadata(&socket).expect("the socket is in the trail directory");
    assert_eq!(meta.uid(), 0);
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let status = trail_with(&env, &repo, &["daemon", "status"], no_runtime);
    status.assert_code(0);
    assert!(status.stdout_str().contains(&format!("pid {}", daemon.pid())), "{status}");
    let out = commit(&env, &repo, "b.txt", no_runtime);
    assert_no_lock_text(&out);
    assert!(recorded_commits(&env, &repo).iter().any(|s| s == "add b.txt"));
    assert_eq!(planted_saw(&log), "", "something talked to the planted socket");
}

/// Regression: `trail daemon stop` sent SIGTERM to whatever pid `daemon.pid`
/// named, stale after a `kill -9` (pids are reused). Only the process that
/// holds the watcher lock is signalled.
#[test]
fn stale_pid_file_never_signals_another_process() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let bystander = Killed(Command::new("sleep").arg("1000").spawn().expect("sleep runs"));
    let pid = bystander.0.id();

    // No watcher; the pid file names the bystander.
    std::fs::write(pid_file(&repo), format!("{pid}\n")).expect("write the pid file");
    let out = env.trail(&repo, ["daemon", "stop"]);
    assert!(alive(pid), "trail daemon stop signalled an unrelated process:\n{out}");
    out.assert_code(0);
    out.assert_stderr_has("not running").assert_stderr_has(&format!("names pid {pid}"));
    out.assert_stderr_has("not signalled");

    // A watcher runs, and the pid file names the bystander: the watcher stops.
    let daemon = Daemon::start(&env, &repo);
    let watcher = daemon.pid();
    assert_eq!(trail_processes(&repo, &["watch"]), vec![watcher]);
    std::fs::write(pid_file(&repo), format!("{pid}\n")).expect("overwrite the pid file");
    let out = env.trail(&repo, ["daemon", "stop"]);
    assert!(alive(pid), "trail daemon stop signalled an unrelated process:\n{out}");
    out.assert_code(0);
    out.assert_stderr_has(&format!("the watcher (pid {watcher}) stopped"));
    assert!(!alive(watcher), "the watcher still runs:\n{out}");
    // Its pid file was not the watcher's to remove.
    assert_eq!(read_pid(&repo), Some(pid));
    drop(daemon);
}

/// Regression: with `daemon.sock` deleted under a running watcher, status
/// said "not running", log and verify failed with "in use", `daemon start`
/// left two watchers and two store processes on one journal, and the old
/// one deleted the new one's pid file. The watcher binds its socket again;
/// nothing starts a second one.
#[test]
fn deleted_socket_never_leads_to_a_second_watcher() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let daemon = Daemon::start(&env, &repo);
    let pid = daemon.pid();
    let socket = repo.join(".git/trail/daemon.sock");
    commit(&env, &repo, "a.txt", |_| {});

    std::fs::remove_file(&socket).expect("delete the socket");
    let status = env.trail(&repo, ["daemon", "status"]);
    status.assert_code(0);
    assert!(status.stdout_str().contains(&format!("pid {pid}")), "{status}");
    assert!(socket.exists(), "the watcher did not bind its socket again");
    let log = env.trail(&repo, ["log"]);
    log.assert_code(0);
    assert_no_lock_text(&log);
    let verify = env.trail(&repo, ["verify"]);
    verify.assert_code(0);
    assert_no_lock_text(&verify);
    let out = commit(&env, &repo, "b.txt", |_| {});
    assert_no_lock_text(&out);
    assert!(recorded_commits(&env, &repo).iter().any(|s| s == "add b.txt"));

    // Deleted again, and `daemon start` at once: the running one, no second.
    std::fs::remove_file(&socket).expect("delete the socket again");
    let start = env.trail(&repo, ["daemon", "start"]);
    start.assert_code(0);
    start.assert_stderr_has(&format!("already running (pid {pid})"));
    // A watcher in the foreground is refused too (exit 1), naming the one that runs.
    std::fs::remove_file(&socket).expect("delete the socket a third time");
    let second = env.trail(&repo, ["watch"]);
    second.assert_code(1);
    second.assert_stderr_has(&format!("already running for this repository (pid {pid})"));

    assert_eq!(trail_processes(&repo, &["watch"]), vec![pid], "one watcher, the first");
    let store_processes = poll(DEADLINE, || {
        let found = trail_processes(&repo, &["daemon", "serve"]);
        (found.len() <= 1).then_some(found)
    });
    assert!(store_processes.is_some(), "more than one store process on one journal");
    assert_eq!(read_pid(&repo), Some(pid), "the pid file no longer names the watcher");
    let stop = env.trail(&repo, ["daemon", "stop"]);
    stop.assert_code(0);
    stop.assert_stderr_has(&format!("the watcher (pid {pid}) stopped"));
    assert!(trail_processes(&repo, &["watch"]).is_empty());
    assert!(!socket.exists() && !pid_file(&repo).exists(), "the watcher left its files behind");
    drop(daemon);
}

/// Regression: a deep repository's socket was computed from
/// `$XDG_RUNTIME_DIR`, so a client with another one (cron, sudo, ssh) found
/// no watcher, started a second one and saw the store locked. The socket's
/// path depends on the repository alone.
#[test]
fn clients_with_another_runtime_dir_reach_the_same_watcher() {
    let env = TestEnv::new();
    let repo = deep_repo(&env);
    let elsewhere = env.dir("elsewhere-run");
    let other_runtime = |cmd: &mut Command| {
        cmd.env("XDG_RUNTIME_DIR", &elsewhere);
    };
    let no_runtime = |cmd: &mut Command| {
        cmd.env_remove("XDG_RUNTIME_DIR");
    };
    let daemon = Daemon::start(&env, &repo);
    let pid = daemon.pid();
    for tweak in [&other_runtime as &dyn Fn(&mut Command), &no_runtime] {
        let status = trail_with(&env, &repo, &["daemon", "status"], tweak);
        status.assert_code(0);
        assert!(status.stdout_str().contains(&format!("pid {pid}")), "{status}");
        let start = trail_with(&env, &repo, &["daemon", "start"], tweak);
        start.assert_code(0);
        start.assert_stderr_has(&format!("already running (pid {pid})"));
    }
    let out = commit(&env, &repo, "a.txt", other_runtime);
    assert_no_lock_text(&out);
    let out = commit(&env, &repo, "b.txt", no_runtime);
    assert_no_lock_text(&out);
    let log = trail_with(&env, &repo, &["log"], other_runtime);
    log.assert_code(0);
    assert_no_lock_text(&log);
    let commits = recorded_commits(&env, &repo);
    assert!(commits.iter().any(|s| s == "add a.txt") && commits.iter().any(|s| s == "add b.txt"));
    assert_eq!(trail_processes(&repo, &["watch"]), vec![pid], "one watcher");
    // In the trail directory, not under either runtime directory.
    let socket =
        std::fs::canonicalize(repo.join(".git/trail")).expect("canonical").join("daemon.sock");
    assert!(std::fs::symlink_metadata(&socket).is_ok_and(|m| m.file_type().is_socket()));
    drop(daemon);
}

/// Issue 18, item 16: a watcher started in a linked worktree watches only
/// that worktree, and doctor in the main one said it was running, as if it
/// recorded the saves there.
#[test]
fn doctor_in_another_worktree_says_the_watcher_does_not_watch_it() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let linked = env.root.join("linked");
    env.git_ok(&repo, ["worktree", "add", "-q", "-b", "side", linked.to_str().expect("utf-8")]);
    let daemon = Daemon::start(&env, &linked);
    let doctor = env.trail(&repo, ["doctor", "--no-verify", "--json"]);
    let findings = doctor.json_lines();
    let watcher = findings
        .iter()
        .find(|f| f["check"] == "watcher")
        .unwrap_or_else(|| panic!("a watcher finding: {doctor}"));
    assert_eq!(watcher["status"], "warning", "{watcher}");
    let message = watcher["message"].as_str().expect("message");
    assert!(message.contains("linked") && message.contains("not recorded"), "{message}");
    // In the worktree it watches, all is well.
    let doctor = env.trail(&linked, ["doctor", "--no-verify", "--json"]);
    let watcher = doctor.json_lines().into_iter().find(|f| f["check"] == "watcher").expect("one");
    assert_eq!(watcher["status"], "ok", "{watcher}");
    drop(daemon);
}

/// Issue 18, item 16: commits of several worktrees at once through the
/// daemon printed a false "no checkpoint was written" — a lost race for
/// `refs/trail/journal.lock` (retried without a pause), or a head read before
/// another writer's checkpoint, taken for lost records.
#[test]
fn concurrent_commits_through_the_daemon_never_report_a_false_checkpoint_failure() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let worktrees: Vec<PathBuf> = (0..8)
        .map(|i| {
            let wt = env.root.join(format!("w{i}"));
            let name = format!("w{i}");
            env.git_ok(&repo, ["worktree", "add", "-q", "-b", &name, wt.to_str().expect("utf-8")]);
            wt
        })
        .collect();
    let daemon = Daemon::start(&env, &repo);
    for round in 0..4 {
        let children: Vec<std::process::Child> = worktrees
            .iter()
            .enumerate()
            .map(|(i, wt)| {
                std::fs::write(wt.join(format!("f{i}.txt")), format!("{round}\n")).expect("write");
                env.git_ok(wt, ["add", "-A"]);
                let mut cmd = env.command("git", wt);
                cmd.args(["commit", "-q", "-m", &format!("round {round}")])
                    .env("TRAIL_WHY", "at once")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                cmd.spawn().expect("git commit")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{stderr}");
            assert!(!stderr.contains("no checkpoint"), "round {round}: {stderr}");
        }
    }
    env.trail_ok(&repo, ["verify"]);
    drop(daemon);
}
