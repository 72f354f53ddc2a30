//! Faults that used to lose, duplicate or misreport records (issue 18, items
//! 10-13), each injected for real: a store held by another process while
//! worktrees commit, a spool replayed, a damaged spool file, post-commit
//! killed at chosen points (`TRAIL_FAILPOINT`, debug builds only).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{PROCESS_TIMEOUT, TestEnv, run};

/// Every record of `repo`'s journal, oldest first.
fn records(env: &TestEnv, repo: &Path) -> Vec<serde_json::Value> {
    env.trail_json(repo, ["log", "--json", "--reverse"])
}

/// How many records of `kind` name each commit.
fn per_commit(records: &[serde_json::Value], kind: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in records.iter().filter(|r| r["kind"] == kind) {
        *out.entry(r["commit"].as_str().unwrap_or("").to_owned()).or_insert(0) += 1;
    }
    out
}

fn commit(env: &TestEnv, repo: &Path, file: &str, why: &str) -> common::Output {
    let path = repo.join(file);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, format!("{file} {why}\n")).expect("write");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", &format!("change {file}")]).env("TRAIL_WHY", why);
    run(cmd, PROCESS_TIMEOUT)
}

fn head(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-parse", "HEAD"]).trim().to_owned()
}

fn spool_files(repo: &Path) -> Vec<PathBuf> {
    let dir = repo.join(".git/trail/pending/spool");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

/// Hold the store the way another trail process does: sled's exclusive
/// lock on its `db` file, taken by a python3 process until it is killed.
struct HeldStore(Child);

impl HeldStore {
    /// Held until dropped, or for `seconds` at most.
    fn take(repo: &Path, seconds: u32) -> HeldStore {
        let db = repo.join(".git/trail/journal/db");
        let script = "import fcntl,sys,time\nf=open(sys.argv[1],'r+b')\nfcntl.flock(f,fcntl.LOCK_EX)\nprint('held',flush=True)\ntime.sleep(int(sys.argv[2]))\n";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(&db)
            .arg(seconds.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().expect("stdout")),
            &mut line,
        )
        .expect("read");
        assert_eq!(line.trim(), "held", "the lock was taken");
        HeldStore(child)
    }
}

impl Drop for HeldStore {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rounds` commits in each worktree, one after the other, all worktrees at
/// once; each must succeed without a false checkpoint warning.
fn commit_in_each(env: &TestEnv, worktrees: &[PathBuf], rounds: usize, why: &str) {
    std::thread::scope(|scope| {
        for (i, wt) in worktrees.iter().enumerate() {
            scope.spawn(move || {
                for round in 0..rounds {
                    let out = commit(env, wt, &format!("d{i}/{why} {round}.txt"), why);
                    out.assert_code(0);
                    // Eight checkpoint writers race for refs/trail/journal.lock:
                    // the losers wait and find their records covered.
                    assert!(!out.stderr.contains("no checkpoint was written"), "{out}");
                }
            });
        }
    });
}

/// The watcher a test started: `trail daemon stop` when dropped (also when a
/// test fails).
struct Watcher<'a> {
    env: &'a TestEnv,
    repo: PathBuf,
}

impl Drop for Watcher<'_> {
    fn drop(&mut self) {
        let mut stop = self.env.command(common::trail_bin(), &self.repo);
        stop.args(["daemon", "stop"]).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = stop.status();
    }
}

#[test]
fn spool_drained_twice_writes_each_record_once() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let worktrees: Vec<PathBuf> = (0..8)
        .map(|i| {
            let wt = env.root.join(format!("w{i}"));
            env.git_ok(
                &repo,
                ["worktree", "add", "-q", "-b", &format!("w{i}"), wt.to_str().expect("utf-8")],
            );
            wt
        })
        .collect();
    // Each worktree's first commit is recorded: catch-up then has a known
    // commit to search back to, and must not take a spooled one for missed.
    for (i, wt) in worktrees.iter().enumerate() {
        commit(&env, wt, &format!("d{i}/e.txt"), "recorded").assert_code(0);
    }
    // Another process holds the store for 5 s while each worktree commits
    // twice: the first commits' records wait in the spool, the second ones
    // run into the drains of whoever gets the store first.
    {
        let _held = HeldStore::take(&repo, 5);
        commit_in_each(&env, &worktrees, 1, "while held");
        // A replay: every spool file handed over a second time.
        for (n, file) in spool_files(&repo).iter().enumerate() {
            std::fs::copy(file, file.with_file_name(format!("99999999T999999Z-replay{n}.json")))
                .expect("copy");
        }
        commit_in_each(&env, &worktrees, 1, "as it is let go");
    }
    // The watcher starts (it drains the spool first) while each worktree
    // commits three times more: drains, and catch-up, race.
    let mut start = env.command(common::trail_bin(), &repo);
    start.args(["daemon", "start"]).stdout(Stdio::null()).stderr(Stdio::null());
    let mut starting = start.spawn().expect("trail daemon start");
    let watcher = Watcher { env: &env, repo: repo.clone() };
    commit_in_each(&env, &worktrees, 3, "after");
    assert!(starting.wait().expect("wait").success(), "the watcher started");
    drop(watcher);
    env.trail_ok(&repo, ["status"]);
    assert!(spool_files(&repo).is_empty(), "the spool is drained: {:?}", spool_files(&repo));
    let all = records(&env, &repo);
    let commits = per_commit(&all, "commit");
    assert_eq!(
        commits.len(),
        49,
        "first commit + 6 × 8: unverified {:?}",
        per_commit(&all, "commit.unverified")
    );
    let unverified = per_commit(&all, "commit.unverified");
    assert!(unverified.is_empty(), "nothing taken for a missed commit: {unverified:?}");
    assert!(commits.values().all(|&n| n == 1), "a commit recorded twice: {commits:?}");
    let created = all.iter().filter(|r| r["kind"] == "changelog.created").count();
    // Each worktree's first commit created d<i>/CHANGELOG.md (and the first commit the root one).
    assert_eq!(created, 9, "changelog.created written once per file");
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn a_damaged_spool_file_is_set_aside_and_never_blocks_the_journal() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let spool = repo.join(".git/trail/pending/spool");
    std::fs::create_dir_all(&spool).expect("mkdir");
    std::fs::write(spool.join("00000000T000000.000000000Z-0badf00d.json"), b"[{\"kind\":")
        .expect("write");
    commit(&env, &repo, "b.txt", "second").assert_code(0);
    // post-commit hands its records over; the drainer it starts appends
    // them and says what it set aside in its log.
    let said = common::wait_for_drainer(&repo);
    assert!(said.contains("could not be read"), "the drainer says what it set aside: {said}");
    assert!(spool_files(&repo).is_empty(), "nothing waits: the commit was recorded");
    // JSON that parses but holds what no record may: set aside too, never appended.
    std::fs::write(
        spool.join("00000000T000000.000000001Z-0badf00e.json"),
        br#"[{"time":"2026-01-01T00:00:00.000000000Z","kind":"","source":"hook","actor":null,"git_ref":null,"commit":"NOTHEX","parents":[],"change_id":null,"paths":[],"why":null,"impact":null,"authorization":null,"detail":null}]"#,
    )
    .expect("write");
    commit(&env, &repo, "c.txt", "third").assert_code(0);
    common::wait_for_drainer(&repo);
    assert!(spool.join("damaged/00000000T000000.000000001Z-0badf00e.json").exists());
    env.trail_ok(&repo, ["verify"]);
    let aside = spool.join("damaged/00000000T000000.000000000Z-0badf00d.json");
    assert_eq!(std::fs::read(&aside).expect("kept"), b"[{\"kind\":", "kept as it was");
    let id = head(&env, &repo);
    assert_eq!(per_commit(&records(&env, &repo), "commit").get(&id), Some(&1));
    // Still reported until a person deals with it.
    let doctor = env.trail(&repo, ["doctor", "--no-verify"]);
    assert!(doctor.stdout_str().contains("cannot be read as records"), "{}", doctor.stdout_str());
    let status = env.trail_ok(&repo, ["status"]);
    assert!(status.stdout_str().contains("damaged"), "{}", status.stdout_str());
}

#[test]
fn a_killed_post_commit_is_caught_up_by_the_next_hook_and_reported_meanwhile() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    // post-commit on the commit's path (with the default, a background
    // drainer killed leaves a marker the next command records from:
    // a_background_post_commit_killed_before_it_records_loses_nothing).
    let toml = std::fs::read_to_string(repo.join("trail.toml")).expect("trail.toml");
    let inline = toml.replace("post_commit = \"background\"", "post_commit = \"inline\"");
    assert_ne!(inline, toml, "trail init wrote the setting");
    std::fs::write(repo.join("trail.toml"), inline).expect("write");
    // post-commit dies just before it appends: git commit still succeeds.
    common::commit_killed_at_hand_over(&env, &repo, "b.txt", "lost", "the kill").assert_code(0);
    let lost = head(&env, &repo);
    assert_eq!(per_commit(&records(&env, &repo), "commit").get(&lost), None, "the kill worked");
    // Reported, not silent.
    let status = env.trail_json(&repo, ["status", "--json"]);
    assert_eq!(status[0]["missed_commits"], serde_json::json!([lost]), "{:?}", status[0]);
    let doctor = env.trail(&repo, ["doctor", "--no-verify"]);
    assert!(doctor.stdout_str().contains(&lost[..12]), "{}", doctor.stdout_str());
    // The next commit records it first.
    commit(&env, &repo, "c.txt", "next").assert_code(0);
    common::wait_for_drainer(&repo);
    let next = head(&env, &repo);
    let all = records(&env, &repo);
    let unverified = per_commit(&all, "commit.unverified");
    assert_eq!(unverified.get(&lost), Some(&1), "caught up once: {unverified:?}");
    assert_eq!(per_commit(&all, "commit").get(&next), Some(&1));
    let caught = all.iter().find(|r| r["commit"] == lost.as_str()).expect("the lost commit");
    assert_eq!(caught["detail"]["caught_up"], true);
    let status = env.trail_json(&repo, ["status", "--json"]);
    assert_eq!(status[0]["missed_commits"], serde_json::json!([]));
    env.trail_ok(&repo, ["verify"]);
}

/// post-commit runs after a plain commit, in a background drainer: killed
/// before it hands the record over, it leaves its marker, and the next trail
/// process records the commit from it — as pre-commit prepared it
/// (`commit`, not a caught-up `commit.unverified`), once.
#[test]
fn a_background_post_commit_killed_before_it_records_loses_nothing() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    // The drainer the shim starts inherits the failpoint.
    let out = common::commit_killed_at_hand_over(&env, &repo, "b.txt", "deferred", "the kill");
    out.assert_code(0);
    assert!(!out.stderr.contains("failpoint"), "post-commit ran on the commit's path: {out}");
    let lost = head(&env, &repo);
    let log = common::wait_for_drain_log(&repo, "failpoint gateway.hand_over: killed");
    assert!(log.contains("failpoint gateway.hand_over: killed"), "the drainer was killed: {log}");
    let markers = common::deferred_markers(&repo);
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert!(markers[0].contains(&lost), "{markers:?} names {lost}");
    assert!(spool_files(&repo).is_empty(), "nothing was handed over");
    assert!(repo.join(".git/trail/pending/commit-main.json").exists(), "pre-commit's state kept");

    // Any trail command records it first.
    let status = env.trail_json(&repo, ["status", "--json"]);
    assert_eq!(status[0]["missed_commits"], serde_json::json!([]), "{:?}", status[0]);
    assert!(common::deferred_markers(&repo).is_empty());
    assert!(!repo.join(".git/trail/pending/commit-main.json").exists(), "its state cleared");
    let all = records(&env, &repo);
    assert_eq!(per_commit(&all, "commit").get(&lost), Some(&1), "recorded as prepared");
    assert_eq!(per_commit(&all, "commit.unverified").get(&lost), None);
    let record = all.iter().find(|r| r["commit"] == lost.as_str()).expect("its record");
    assert_eq!(record["why"], "the kill", "{record}");

    // The next commit is its own, with its own change id.
    commit(&env, &repo, "c.txt", "next").assert_code(0);
    common::wait_for_drainer(&repo);
    let next = head(&env, &repo);
    let all = records(&env, &repo);
    assert_eq!(per_commit(&all, "commit").get(&next), Some(&1));
    let total = all
        .iter()
        .filter(|r| r["commit"] == lost.as_str())
        .filter(|r| r["kind"] == "commit" || r["kind"] == "commit.unverified");
    assert_eq!(total.count(), 1, "recorded once");
    let change = |id: &str| {
        env.git_ok(&repo, ["log", "-1", "--format=%(trailers:key=Change-Id,valueonly)", id])
    };
    assert_ne!(change(&lost), change(&next));
    env.trail_ok(&repo, ["verify"]);
}

/// A commit whose post-commit's claimant is stuck (here: the test holds
/// the marker's lock) is never caught up as `commit.unverified` by the
/// commits after it, even one made with `--no-verify` while it waits; once
/// the claim is free it is recorded as prepared, once.
#[test]
fn a_commit_whose_record_is_stuck_is_not_caught_up_as_unverified() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    common::commit_killed_at_hand_over(&env, &repo, "b.txt", "stuck", "the stuck one")
        .assert_code(0);
    let stuck = head(&env, &repo);
    common::wait_for_drain_log(&repo, "failpoint gateway.hand_over: killed");
    let marker = common::deferred_markers(&repo).pop().expect("a marker");
    let held = std::fs::File::open(repo.join(".git/trail/pending").join(&marker)).expect("open");
    held.lock().expect("hold the claim");

    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "--no-verify", "-m", "unchecked"]).env("TRAIL_WHY", "meanwhile");
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0).assert_stderr_has("has been running for over");
    let after = head(&env, &repo);
    common::wait_for_drainer_since(&repo, 0);
    drop(held);

    let all = records(&env, &repo);
    assert_eq!(per_commit(&all, "commit.unverified").get(&stuck), None, "{all:#?}");
    assert_eq!(per_commit(&all, "commit").get(&stuck), Some(&1), "recorded as prepared");
    assert_eq!(per_commit(&all, "commit.unverified").get(&after), Some(&1));
    assert!(common::deferred_markers(&repo).is_empty());
    env.trail_ok(&repo, ["verify"]);
}

/// The drain log the post-commit shim appends to is kept short by the
/// drainer (found by a review: only drainers started by trail trimmed it).
#[test]
fn the_drain_log_stays_short_when_post_commit_runs_after_the_commit() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let log = repo.join(".git/trail/pending/drain.log");
    std::fs::write(&log, "x".repeat(300 * 1024)).expect("a long log");
    commit(&env, &repo, "b.txt", "a commit").assert_code(0);
    common::wait_for_drainer(&repo);
    let len = std::fs::metadata(&log).map_or(0, |m| m.len());
    assert!(len < 256 * 1024, "drain.log is {len} bytes");
}

/// A marker whose commit is gone from the repository (amended away and
/// pruned before any trail process ran) is said once and dropped, not
/// retried by every command; a file that only looks like one is left alone.
#[test]
fn a_waiting_record_of_a_commit_that_is_gone_is_said_once() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let pending = repo.join(".git/trail/pending");
    let gone = format!("post-commit-main.{}.4242.99", "ab".repeat(20));
    std::fs::write(pending.join(&gone), b"").expect("marker");
    std::fs::write(pending.join("post-commit-main.not-a-commit"), b"").expect("look-alike");
    let first = env.trail(&repo, ["status"]);
    first.assert_code(0).assert_stderr_has("is no longer in the repository");
    assert!(!pending.join(&gone).exists(), "dropped");
    let second = env.trail(&repo, ["status"]);
    assert!(!second.stderr.contains("no longer in the repository"), "{second}");
    assert!(pending.join("post-commit-main.not-a-commit").exists(), "not a marker: left alone");
}

/// Commits made back to back (a script, a rebase's exec) do not wait for
/// each other's post-commit, yet each is recorded once, as prepared, in
/// the order they were made; an amend right after a commit too.
#[test]
fn commits_back_to_back_are_recorded_in_order_whatever_their_post_commit_does() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let script = r#"
set -eu
for i in 1 2 3 4 5 6; do
    echo "$i" >"f$i.txt"
    git add "f$i.txt"
    git commit -q -m "commit $i"
done
echo amended >f6.txt
git commit -q -a --amend -m "commit 6, amended"
"#;
    let mut cmd = env.command("sh", &repo);
    cmd.args(["-c", script]).env("TRAIL_WHY", "in a row");
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let made: Vec<String> = env
        .git_ok(&repo, ["log", "--reverse", "--format=%H", "-6"])
        .lines()
        .map(str::to_owned)
        .collect();
    let all = records(&env, &repo);
    let commits: Vec<&str> = all
        .iter()
        .filter(|r| r["kind"] == "commit" || r["kind"] == "commit.unverified")
        .filter_map(|r| r["commit"].as_str())
        .filter(|c| made.iter().any(|m| m == c))
        .collect();
    assert_eq!(commits, made, "each once, in order, none unverified:\n{all:#?}");
    assert!(all.iter().all(|r| r["kind"] != "commit.unverified"), "{all:#?}");
    assert!(common::deferred_markers(&repo).is_empty());
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn post_commit_killed_after_its_append_is_durable_records_once() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    std::fs::write(repo.join("b.txt"), "b\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "written"])
        .env("TRAIL_WHY", "the kill")
        .env("TRAIL_FAILPOINT", "journal.append.flushed");
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let written = head(&env, &repo);
    commit(&env, &repo, "c.txt", "next").assert_code(0);
    let all = records(&env, &repo);
    let total = all
        .iter()
        .filter(|r| r["commit"] == written.as_str())
        .filter(|r| r["kind"] == "commit" || r["kind"] == "commit.unverified");
    assert_eq!(total.count(), 1, "recorded once, not caught up again");
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn a_spent_single_use_token_is_refused_after_the_journal_is_replaced() {
    use common::protect::{MCP_JSON, authorize_as, bootstrapped};
    // Issue 18, item 4: a fresh store forgets every use; git's history does not.
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let token = authorize_as(&env, &repo, "ada", &["--path", ".mcp.json"]);
    std::fs::write(repo.join(".mcp.json"), MCP_JSON).expect("write");
    env.git_ok(&repo, ["add", ".mcp.json"]);
    common::protect::commit(&env, &repo, Some(&token), "the docs server").assert_code(0);
    // The attacker's fresh start: no journal, no checkpoints.
    common::remove_trail_dir(&repo, &repo.join(".git/trail"));
    env.git_ok(&repo, ["update-ref", "-d", "refs/trail/journal"]);
    env.trail_ok(&repo, ["init"]);
    std::fs::write(repo.join(".mcp.json"), "{\"mcpServers\":{}}\n").expect("write");
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let again = common::protect::commit(&env, &repo, Some(&token), "the token again");
    again.assert_code(1).assert_stderr_has("single use");
}

/// Issue 18, item 10, as a teammate's shell would do it (this exact shape
/// recorded 3-5 commits twice before catch-up learned to wait for the
/// spool): four worktrees with a recorded commit each; another process holds
/// the store for 8 s while each commits twice; `trail daemon start` runs
/// while each commits three times more.
#[test]
fn commits_around_a_held_store_and_a_starting_watcher_are_recorded_once() {
    let env = TestEnv::new();
    let root = env.dir("held");
    let script = r#"
set -u
R=$1/r
git init -q "$R" && cd "$R" && git config user.name T && git config user.email t@x
trail init >/dev/null 2>&1 && echo init > f && git add f && git commit -qm base
for i in 1 2 3 4; do git worktree add -q "$R-w$i" -b "b$i"; (cd "$R-w$i" && echo $i > w$i && git add w$i && git commit -qm "w$i first"); done
python3 -c 'import fcntl,sys,time;f=open(sys.argv[1],"r+b");fcntl.flock(f,fcntl.LOCK_EX);time.sleep(8)' "$R/.git/trail/journal/db" & sleep 0.5
for i in 1 2 3 4; do (cd "$R-w$i" && for k in 1 2; do echo h$k >> w$i; git commit -qam "w$i held$k" 2>/dev/null; done) & done; wait
trail daemon start >/dev/null 2>&1 &
for i in 1 2 3 4; do (cd "$R-w$i" && for k in 1 2 3; do echo r$k >> w$i; git commit -qam "w$i race$k" 2>/dev/null; done) & done; wait
wait
"#;
    let mut cmd = env.command("bash", &root);
    cmd.args(["-c", script, "held"]).arg(&root).env("TRAIL_WHY", "because");
    let out = run(cmd, PROCESS_TIMEOUT * 2);
    let repo = root.join("r");
    let _watcher = Watcher { env: &env, repo: repo.clone() };
    out.assert_code(0);
    let all = records(&env, &repo);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in all.iter().filter(|r| r["kind"] == "commit" || r["kind"] == "commit.unverified") {
        *seen.entry(r["commit"].as_str().unwrap_or("").to_owned()).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 25, "base + 4 × 6 commits: {seen:?}");
    assert!(seen.values().all(|&n| n == 1), "a commit recorded twice: {seen:?}");
    env.trail_ok(&repo, ["verify"]);
}

/// Issue 18, item 11: the store process killed right after an append was
/// durable, before it answered: the hook spooled the records, which were
/// then written a second time. Every store process the watcher starts here
/// dies after the flush of its second append.
#[test]
fn store_process_killed_after_its_flush_writes_each_commit_once() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let mut start = env.command(common::trail_bin(), &repo);
    start.args(["daemon", "start"]).env("TRAIL_FAILPOINT", "journal.append.flushed@2");
    run(start, PROCESS_TIMEOUT).assert_code(0);
    let _watcher = Watcher { env: &env, repo: repo.clone() };
    let mut made = Vec::new();
    for n in 0..4 {
        commit(&env, &repo, &format!("c{n}.txt"), "through a dying store").assert_code(0);
        made.push(head(&env, &repo));
    }
    // One more delivery drains whatever the last kill left in the spool.
    commit(&env, &repo, "last.txt", "drain").assert_code(0);
    made.push(head(&env, &repo));
    let all = records(&env, &repo);
    let commits = per_commit(&all, "commit");
    for id in &made {
        assert_eq!(commits.get(id), Some(&1), "{id} recorded once: {commits:?}");
    }
    env.trail_ok(&repo, ["verify"]);
}

/// Issue 18, item 16: a warning reached the user as a raw tracing line (a
/// time stamp, ` WARN`, a module path). Here the high-water mark cannot be
/// replaced (its temporary name is taken by a directory).
#[test]
fn warnings_read_like_trails_other_messages() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    std::fs::create_dir(repo.join(".git/trail/journal.head.tmp")).expect("mkdir");
    commit(&env, &repo, "b.txt", "a warning").assert_code(0);
    // The append happens in the drainer post-commit starts: its log.
    let said = common::wait_for_drainer(&repo);
    assert!(said.contains("trail: warning: could not update"), "{said}");
    assert!(!said.contains(" WARN "), "no raw log line: {said}");
    // Asked for, the log keeps its form.
    let mut cmd = env.command("git", &repo);
    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    cmd.args(["commit", "-q", "-m", "c"]).env("TRAIL_WHY", "log").env("TRAIL_LOG", "warn");
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let logged = common::wait_for_drainer(&repo);
    assert!(logged.contains("WARN"), "{logged}");
}

/// `trail daemon start` while another process holds the store for longer
/// than a store process waits for it (a long import): it used to fail with
/// "the daemon … does not answer (waited 2s)", or "the watcher exited at
/// once" with the reason only in the log. It says that the journal is in
/// use and what to do, and starts once the store is free.
#[test]
fn a_watcher_started_while_the_store_is_held_says_why_and_starts_once_it_is_free() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "first");
    let held = HeldStore::take(&repo, 60);
    let watcher = Watcher { env: &env, repo: repo.clone() };
    let mut start = env.command(common::trail_bin(), &repo);
    start.args(["daemon", "start"]);
    let refused = run(start, PROCESS_TIMEOUT * 2);
    refused.assert_code(3);
    assert!(
        refused.stderr.contains("the watcher exited at once")
            && refused.stderr.contains("in use by another trail process"),
        "the reason is on the terminal: {refused}"
    );
    drop(held);
    env.trail_ok(&repo, ["daemon", "start"]);
    std::fs::write(repo.join("saved.txt"), "saved\n").expect("write");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !records(&env, &repo).iter().any(|r| {
        r["kind"] == "fs.create"
            && r["paths"].as_array().is_some_and(|p| p.iter().any(|e| e["path"] == "saved.txt"))
    }) {
        assert!(std::time::Instant::now() < deadline, "the save is recorded");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    drop(watcher);
    env.trail_ok(&repo, ["verify"]);
}
