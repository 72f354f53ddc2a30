//! Issue 21 points 8 and 9: `trail export --format ocsf|ecs` checked against
//! the published schemas vendored in tests/fixtures/schemas/, resuming with
//! --since-seq and --since, and `--follow` (`trail log -f`, `trail export
//! --follow`): records appended by other processes (hooks, the watcher)
//! appear, and a closed reader, Ctrl-C or SIGTERM end it with exit 0 and
//! nothing on stderr. Also the Vector pipeline of docs/export.md, run up to
//! where Vector takes over.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// How long a follower may take to show a record appended elsewhere.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(20);

fn schema(path: &str) -> jsonschema::Validator {
    let file = manifest_dir().join("tests/fixtures/schemas").join(path);
    let text = std::fs::read_to_string(&file).expect("a vendored schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles")
}

fn ocsf_schema(class_uid: u64) -> jsonschema::Validator {
    schema(match class_uid {
        0 => "ocsf-1.8.0/base_event.json",
        1001 => "ocsf-1.8.0/file_activity.json",
        2004 => "ocsf-1.8.0/detection_finding.json",
        3004 => "ocsf-1.8.0/entity_management.json",
        6002 => "ocsf-1.8.0/application_lifecycle.json",
        other => panic!("an event of class {other}, for which no schema is vendored"),
    })
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{e} (at {})", e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}

fn commit(env: &TestEnv, repo: &Path, message: &str, why: Option<&str>) -> Output {
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", message]);
    if let Some(why) = why {
        cmd.env("TRAIL_WHY", why);
    }
    run(cmd, PROCESS_TIMEOUT)
}

/// A journal with many kinds in it, made through the hooks: changelog.created
/// and commits, a path that is not UTF-8, a refused commit, an amend
/// (history.rewrite) and a merge (ref.update).
fn busy_repo(env: &TestEnv) -> PathBuf {
    let repo = env.trail_repo("app", "Add a");
    std::fs::write(repo.join(odd_name()), "x").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    commit(env, &repo, "Add a file whose name is not UTF-8", Some("bytes")).assert_code(0);
    std::fs::write(repo.join("b.txt"), "b\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    let refused = commit(env, &repo, "No reason given", None);
    assert_ne!(refused.status, Some(0), "a commit without a rationale is refused:\n{refused}");
    commit(env, &repo, "Add b", Some("b is needed")).assert_code(0);
    let mut amend = env.command("git", &repo);
    amend.args(["commit", "-q", "--amend", "-m", "Add b, amended"]).env("TRAIL_WHY", "wording");
    run(amend, PROCESS_TIMEOUT).assert_code(0);
    env.git_ok(&repo, ["checkout", "-q", "-b", "side"]);
    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    commit(env, &repo, "Add c", Some("c")).assert_code(0);
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    let mut merge = env.command("git", &repo);
    merge.args(["merge", "-q", "--no-ff", "-m", "Merge side", "side"]).env("TRAIL_WHY", "join");
    run(merge, PROCESS_TIMEOUT).assert_code(0);
    repo
}

/// `0-bad\xff.bin`: a file name that is not UTF-8, the first path of its
/// commit (`0` sorts before `CHANGELOG.md`).
fn odd_name() -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(ODD.to_vec())
}

const ODD: &[u8] = b"0-bad\xff.bin";

fn records(env: &TestEnv, repo: &Path) -> Vec<Value> {
    env.trail_json(repo, ["export"])
}

#[test]
fn ocsf_export_of_a_real_journal_matches_the_published_classes() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let records = records(&env, &repo);
    let events = env.trail_json(&repo, ["export", "--format", "ocsf"]);
    assert_eq!(events.len(), records.len(), "one event per record");
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["kind"].as_str()).collect();
    for kind in ["commit", "commit.blocked", "changelog.created", "history.rewrite", "ref.update"] {
        assert!(kinds.contains(&kind), "the journal holds a {kind} record: {kinds:?}");
    }
    for (record, event) in records.iter().zip(&events) {
        let class = event["class_uid"].as_u64().expect("class_uid");
        assert_valid(&ocsf_schema(class), event, &format!("the {} event", record["kind"]));
        assert_eq!(event["metadata"]["uid"], record["hash"], "the unique id is the record's hash");
        assert_eq!(event["metadata"]["sequence"], record["seq"]);
        assert_eq!(event["unmapped"]["trail"], *record, "the record rides along, unchanged");
        let activity = event["activity_id"].as_u64().expect("activity_id");
        assert_eq!(event["type_uid"].as_u64(), Some(class * 100 + activity));
        let time = chrono::DateTime::parse_from_rfc3339(record["time"].as_str().expect("time"))
            .expect("a record time");
        assert_eq!(event["time"].as_i64(), Some(time.timestamp_millis()));
    }
    let blocked = events.iter().find(|e| e["metadata"]["event_code"] == "commit.blocked");
    let blocked = blocked.expect("the refused commit");
    assert_eq!(blocked["status_id"], 2, "{blocked:#}");
    assert!(blocked["status_detail"].as_str().is_some_and(|s| !s.is_empty()), "{blocked:#}");
    let rewrite = events.iter().find(|e| e["metadata"]["event_code"] == "history.rewrite");
    assert_eq!(rewrite.expect("the amend")["entity"]["type"], "Git History");
    // The commit of the file whose name is not UTF-8: the bytes survive.
    let odd = events
        .iter()
        .find(|e| e["message"].as_str().is_some_and(|m| m.contains("not UTF-8")))
        .expect("the commit of 0-bad\\xff.bin");
    let entries = odd["unmapped"]["trail"]["paths"].as_array().expect("paths");
    let entry = entries.iter().find(|p| p.get("path_b64").is_some()).expect("a path_b64 entry");
    assert_eq!(path_bytes(entry, "path").as_deref(), Some(ODD));
}

#[test]
fn ecs_export_of_a_real_journal_matches_the_ecs_fields() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let records = records(&env, &repo);
    let documents = env.trail_json(&repo, ["export", "--format", "ecs"]);
    assert_eq!(documents.len(), records.len());
    let ecs = schema("ecs-9.4.0/ecs.json");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(
            manifest_dir().join("tests/fixtures/schemas/ecs-9.4.0/expected_event_types.json"),
        )
        .expect("expected types"),
    )
    .expect("JSON");
    for (record, doc) in records.iter().zip(&documents) {
        assert_valid(&ecs, doc, &format!("the {} document", record["kind"]));
        assert_eq!(doc["event"]["id"], record["hash"]);
        assert_eq!(doc["event"]["sequence"], record["seq"]);
        assert_eq!(doc["event"]["action"], record["kind"]);
        assert_eq!(doc["trail"], *record);
        for category in doc["event"]["category"].as_array().expect("category") {
            let allowed = expected[category.as_str().expect("name")].as_array().expect("known");
            for t in doc["event"]["type"].as_array().expect("type") {
                assert!(allowed.contains(t), "{t} is not a type ECS expects for {category}");
            }
        }
        if let Some(actor) = record.get("actor") {
            assert_eq!(doc["user"]["email"], actor["email"], "{doc:#}");
        }
    }
    let commit = documents.iter().find(|d| d["event"]["action"] == "commit").expect("a commit");
    assert_eq!(commit["user"]["name"], AUTHOR_NAME);
    assert_eq!(commit["ecs"]["version"], "9.4.0");
    assert!(commit["@timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    // The first path of the not-UTF-8 commit is lossy in file.path, whole in trail.paths.
    let odd = documents
        .iter()
        .find(|d| d["trail"]["paths"][0].get("path_b64").is_some())
        .expect("a record whose first path is not UTF-8");
    assert_eq!(odd["file"]["path"], "0-bad\u{fffd}.bin");
    let b64 = odd["trail"]["paths"][0]["path_b64"].as_str().expect("path_b64");
    assert_eq!(base64_decode(b64).as_deref(), Some(ODD));
}

#[test]
fn since_seq_and_since_resume_an_export() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let all = records(&env, &repo);
    let head = all.len() as u64;
    for format in ["jsonl", "ocsf", "ecs"] {
        let seq_of = |line: &Value| -> u64 {
            match format {
                "jsonl" => line["seq"].as_u64(),
                "ocsf" => line["metadata"]["sequence"].as_u64(),
                _ => line["event"]["sequence"].as_u64(),
            }
            .expect("a seq")
        };
        let after = env.trail_json(&repo, ["export", "--format", format, "--since-seq", "2"]);
        let seqs: Vec<u64> = after.iter().map(seq_of).collect();
        assert_eq!(seqs, (3..=head).collect::<Vec<_>>(), "{format}: the records after 2");
        let none =
            env.trail_ok(&repo, ["export", "--format", format, "--since-seq", &head.to_string()]);
        assert!(none.stdout.is_empty(), "{format}: nothing after the head");
        let future = env.trail_ok(&repo, ["export", "--format", format, "--since", "2999-01-01"]);
        assert!(future.stdout.is_empty(), "{format}: nothing after 2999");
        let everything =
            env.trail_json(&repo, ["export", "--format", format, "--since", "2000-01-01"]);
        assert_eq!(everything.len(), all.len(), "{format}: everything since 2000");
    }
    // A record's time is not its seq's order: --since picks by time.
    let last_time = all.last().expect("records")["time"].as_str().expect("time").to_owned();
    let since = env.trail_json(&repo, ["export", "--since", &last_time]);
    assert!(since.iter().all(|r| r["time"].as_str() >= Some(last_time.as_str())));
    assert!(!since.is_empty());
    env.trail(&repo, ["export", "--since", "not a time at all"]).assert_code(2);
    env.trail(&repo, ["export", "--format", "cef"]).assert_code(2);
    env.trail(&repo, ["export", "--follow", "-o", "x.jsonl"]).assert_code(2);
}

// ---- following ----

/// A follower started as a child, its stdout read line by line on a thread
/// that lets go of the pipe (closing the reader's end) once `last` says so.
struct Follower {
    child: Child,
    lines: mpsc::Receiver<Value>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Follower {
    fn start(
        env: &TestEnv,
        repo: &Path,
        args: &[&str],
        last: impl Fn(&Value) -> bool + Send + 'static,
    ) -> Follower {
        let mut cmd = env.trail_cmd(repo);
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        Self::spawn(cmd, last)
    }

    fn spawn(mut cmd: Command, last: impl Fn(&Value) -> bool + Send + 'static) -> Follower {
        let mut child = cmd.spawn().expect("start the follower");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
                let done = last(&value);
                if send.send(value).is_err() || done {
                    break;
                }
            }
            // Dropping the pipe here closes the follower's stdout.
        });
        Follower { child, lines, stderr: Some(stderr) }
    }

    /// The next line, or a panic after `timeout`.
    fn next(&mut self, timeout: Duration, what: &str) -> Value {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => line,
            Err(e) => {
                let _ = self.child.kill();
                panic!("no line for {what} within {timeout:?} ({e})");
            }
        }
    }

    /// Lines until one matches `want`.
    fn until(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + FOLLOW_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.next(left, what);
            if want(&line) {
                return line;
            }
        }
    }

    /// Wait for the follower to exit; its exit code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let status = wait_with_deadline(&mut self.child, Duration::from_secs(15), "the follower");
        let stderr = self.stderr.take().expect("stderr").join().expect("stderr reader");
        (status.code(), String::from_utf8_lossy(&stderr).into_owned())
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        // A failed test must not leave a follower running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_subject(line: &Value, subject: &str) -> bool {
    // The record itself (jsonl), or the record an ECS or OCSF event carries.
    [&line["detail"], &line["trail"]["detail"], &line["unmapped"]["trail"]["detail"]]
        .iter()
        .any(|detail| detail["subject"] == subject)
}

#[test]
fn log_follow_prints_a_commit_a_hook_appends_and_exits_0_when_its_reader_goes() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "Add a");
    let mut follower = Follower::start(&env, &repo, &["log", "-f", "--json"], |line| {
        is_subject(line, "Followed commit")
    });
    // The records already there come first (oldest first), then it waits.
    let first = follower.next(FOLLOW_TIMEOUT, "the records already there");
    assert_eq!(first["seq"], 1, "{first}");
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(repo.join("f.txt"), "f\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    // The follower does not hold the journal: the hook records into it.
    commit(&env, &repo, "Followed commit", Some("to be seen")).assert_code(0);
    let seen = follower.until("the new commit", |l| is_subject(l, "Followed commit"));
    assert_eq!(seen["kind"], "commit");
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    assert_eq!(seen["commit"], head.as_str());
    assert!(
        !repo.join(".git/trail/pending/spool").read_dir().is_ok_and(|mut d| d.next().is_some()),
        "nothing was spooled while the follower ran"
    );
    // The reader has gone (the thread dropped the pipe): the follower ends quietly.
    let (code, stderr) = follower.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "", "a closed reader is not an error");
}

#[test]
fn export_follow_ends_with_exit_0_on_ctrl_c_and_sigterm() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "Add a");
    for signal in ["INT", "TERM"] {
        let mut follower =
            Follower::start(&env, &repo, &["export", "--format", "ecs", "--follow"], |_| false);
        let first = follower.next(FOLLOW_TIMEOUT, "the first record");
        assert_eq!(first["event"]["sequence"], 1);
        std::thread::sleep(Duration::from_millis(300));
        follower.signal(signal);
        let (code, stderr) = follower.finish();
        assert_eq!(code, Some(0), "SIG{signal}: stderr {stderr}");
        assert_eq!(stderr, "", "SIG{signal} is not an error");
    }
}

#[test]
fn a_follower_resumes_after_since_seq_and_sees_later_records_only_once() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "Add a");
    let head = records(&env, &repo).len() as u64;
    let mut follower = Follower::start(
        &env,
        &repo,
        &["export", "--format", "ocsf", "--follow", "--since-seq", &head.to_string()],
        |line| is_subject(line, "Second"),
    );
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(repo.join("b.txt"), "b\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    commit(&env, &repo, "Second", Some("more")).assert_code(0);
    let mut seqs = Vec::new();
    let last = follower.until("the second commit", |line| is_subject(line, "Second"));
    seqs.push(last["metadata"]["sequence"].as_u64().expect("seq"));
    while let Ok(line) = follower.lines.try_recv() {
        seqs.push(line["metadata"]["sequence"].as_u64().expect("seq"));
    }
    assert!(seqs.iter().all(|&s| s > head), "only records after {head}: {seqs:?}");
    let (code, stderr) = follower.finish();
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}

#[test]
fn a_follower_sees_what_the_watcher_appends_through_its_store_process() {
    let env = TestEnv::new();
    let repo = env.dir("app");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::write(
        repo.join("trail.toml"),
        "[rationale]\nrequired = false\n\n[watch]\ndebounce_ms = 50\n",
    )
    .expect("write");
    env.trail_ok(&repo, ["init"]);
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "policy"]);
    let _watcher = Watcher::start(&env, &repo);
    let mut follower =
        Follower::start(&env, &repo, &["log", "-f", "--format", "ecs", "--kind", "fs"], |line| {
            line["file"]["path"] == "seen-by-follower.txt"
        });
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(repo.join("seen-by-follower.txt"), "hello\n").expect("write");
    let seen =
        follower.until("the watcher's record", |l| l["file"]["path"] == "seen-by-follower.txt");
    assert_eq!(seen["event"]["provider"], "watcher", "{seen:#}");
    assert_eq!(seen["event"]["category"][0], "file");
    let (code, stderr) = follower.finish();
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}

/// `trail daemon start`, stopped (or killed) when dropped.
struct Watcher<'a> {
    env: &'a TestEnv,
    repo: PathBuf,
}

impl<'a> Watcher<'a> {
    fn start(env: &'a TestEnv, repo: &Path) -> Watcher<'a> {
        let watcher = Watcher { env, repo: repo.to_owned() };
        env.trail_ok(repo, ["daemon", "start"]);
        watcher
    }
}

impl Drop for Watcher<'_> {
    fn drop(&mut self) {
        let mut stop = self.env.command(trail_bin(), &self.repo);
        stop.args(["daemon", "stop"]).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = stop.status();
        let pid = std::fs::read_to_string(self.repo.join(".git/trail/daemon.pid")).ok();
        if let Some(pid) = pid.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }
}

// ---- the documented pipeline ----

/// docs/export.md's Vector configuration: the `command` of its exec source
/// (a TOML array of strings, which is JSON too) and its whole text.
fn vector_config() -> (Vec<String>, String) {
    let doc =
        std::fs::read_to_string(manifest_dir().join("docs/export.md")).expect("docs/export.md");
    let start = doc.find("# vector.toml").expect("a vector.toml block in docs/export.md");
    let block = &doc[start..start + doc[start..].find("\n```").expect("the block ends")];
    let line = block
        .lines()
        .find_map(|l| l.strip_prefix("command = "))
        .expect("the exec source's command");
    let command: Vec<String> = serde_json::from_str(line).expect("a list of strings");
    (command, block.to_owned())
}

#[test]
fn the_documented_vector_pipeline_reads_every_field_its_config_uses() {
    let (command, config) = vector_config();
    assert_eq!(command.first().map(String::as_str), Some("trail"), "{command:?}");
    // Always there on every line, and read by the VRL or the sink.
    let always = ["@timestamp", "event.dataset", "event.sequence", "event.kind", "event.id"];
    for field in always.iter().chain(&["event.outcome"]) {
        let quoted = format!(".\"{field}\"");
        let dotted = format!(".{field}");
        assert!(
            config.contains(&quoted)
                || config.contains(&dotted)
                || config.contains(&format!("\"{field}\"")),
            "the configuration reads {field}, and this test checks it: keep them in step"
        );
    }
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let expected = records(&env, &repo).len();
    let mut cmd = env.command(trail_bin(), &repo);
    cmd.args(&command[1..]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&count);
    let mut follower = Follower::spawn(cmd, move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= expected
    });
    let mut sequences = Vec::new();
    for _ in 0..expected {
        let line = follower.next(FOLLOW_TIMEOUT, "a record of the journal");
        for field in always {
            let mut value = &line;
            for part in field.split('.').collect::<Vec<_>>() {
                value = value.get(part).unwrap_or_else(|| panic!("no {field} in {line}"));
            }
            assert!(!value.is_null(), "{field} in {line}");
        }
        chrono::DateTime::parse_from_rfc3339(line["@timestamp"].as_str().expect("a string"))
            .expect("parse_timestamp(%+) reads RFC 3339");
        assert_eq!(line["event"]["dataset"], "trail.journal");
        assert!(line["event"]["sequence"].is_u64());
        if let Some(outcome) = line["event"].get("outcome") {
            assert!(["success", "failure", "unknown"].contains(&outcome.as_str().expect("string")));
        }
        sequences.push(line["event"]["sequence"].as_u64().expect("seq"));
    }
    assert_eq!(sequences, (1..=expected as u64).collect::<Vec<_>>());
    let (code, stderr) = follower.finish();
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "Vector stopping ends trail quietly");
}
