//! One test per bug found after the journal landed, named after what broke.

mod common;

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::TestEnv;

fn imported_history(env: &TestEnv) -> PathBuf {
    let repo = env.fixture("history");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    repo
}

fn seqs(env: &TestEnv, repo: &Path, args: &[&std::ffi::OsStr]) -> Vec<u64> {
    env.trail_json(repo, args).iter().map(|r| r["seq"].as_u64().expect("seq")).collect()
}

// `trail verify | true` panicked (exit 101): verify used println! on a closed pipe.
#[test]
fn regression_verify_into_a_closed_pipe_panicked() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let mut cmd = env.trail_cmd(&repo);
    cmd.arg("verify").stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn trail");
    drop(child.stdout.take()); // close the read end before trail writes
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{stderr}");
}

// `--path LINK` followed the symlink and listed its target's history.
#[test]
fn regression_path_of_a_symlink_followed_the_link() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert!(repo.join("link").is_symlink(), "the fixture makes `link` a symlink");
    let found =
        seqs(&env, &repo, &["log".as_ref(), "--json".as_ref(), "--path".as_ref(), "link".as_ref()]);
    let git = env.git_ok(&repo, ["log", "--format=%H", "--", "link"]);
    assert_eq!(
        found.len(),
        git.lines().count(),
        "one record per commit touching `link`: {found:?}"
    );
    for record in env.trail_json(&repo, ["log", "--json", "--path", "link"]) {
        let paths = record["paths"].as_array().expect("paths");
        assert!(paths.iter().any(|p| p["path"] == "link"), "{record}");
    }
}

// A path that is not UTF-8 could not be given to --path (clap refused the argument).
#[test]
fn regression_non_utf8_path_could_not_be_queried() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let raw = std::ffi::OsStr::from_bytes(b"data/not-utf8-\xff.bin");
    let found = seqs(&env, &repo, &["log".as_ref(), "--json".as_ref(), "--path".as_ref(), raw]);
    assert!(!found.is_empty(), "the fixture commits {raw:?}");
    let mut git = env.command("git", &repo);
    git.args(["log", "--format=%H", "--"]).arg(raw);
    let git = common::run(git, common::PROCESS_TIMEOUT);
    assert_eq!(found.len(), git.stdout_str().lines().count());
}

// `trail show` printed a newline inside a path raw (one path on two lines) and
// non-UTF-8 bytes lossily; paths are now quoted as git quotes them.
#[test]
fn regression_show_printed_odd_paths_raw() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = env.trail_json(&repo, ["log", "--json", "--path", "data/"]);
    let seq = records[0]["seq"].as_u64().expect("seq").to_string();
    let shown = env.trail_ok(&repo, ["show", &seq]).stdout_str();
    assert!(shown.contains("\"data/not-utf8-\\377.bin\""), "{shown}");
    let all = env.trail_ok(&repo, ["log"]).stdout_str();
    let newline_commit = env.trail_json(&repo, ["log", "--json", "--path", "new\nline.txt"]);
    let seq = newline_commit.last().expect("a record")["seq"].as_u64().expect("seq").to_string();
    let shown = env.trail_ok(&repo, ["show", &seq]).stdout_str();
    assert!(shown.contains("\"new\\nline.txt\""), "{shown}");
    assert!(!all.contains("new\nline"), "{all}");
}

// `HEAD^{tree}` is user input that names no commit: it exited 3 ("walking
// history failed") instead of 2 with a message about the revision.
#[test]
fn regression_import_of_a_tree_revspec_said_environment_error() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let out = env.trail(&repo, ["import", "HEAD^{tree}"]);
    out.assert_no_panic().assert_code(2).assert_stderr_has("not a commit");
}

// `trail init && trail import` failed in a repository without commits (exit 3).
#[test]
fn regression_import_in_an_empty_repository_failed() {
    let env = TestEnv::new();
    let repo = env.dir("empty");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.trail_ok(&repo, ["init"]);
    let out = env.trail_ok(&repo, ["import"]);
    out.assert_stderr_has("nothing new to import");
    assert!(env.trail_ok(&repo, ["export"]).stdout.is_empty());
}

// With a wrong GIT_DIR the message blamed the current directory.
#[test]
fn regression_bad_git_dir_blamed_the_current_directory() {
    let env = TestEnv::new();
    let elsewhere = env.dir("elsewhere");
    let mut cmd = env.trail_cmd(&elsewhere);
    cmd.arg("status").env("GIT_DIR", env.root.join("nowhere"));
    let out = common::run(cmd, common::PROCESS_TIMEOUT);
    out.assert_no_panic().assert_code(3).assert_stderr_has("GIT_DIR=");
    out.assert_stderr_has("nowhere");
}

// `export -o` into a missing directory named tempfile's random file.
#[test]
fn regression_export_error_named_a_temporary_file() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let target = env.root.join("missing/out.jsonl");
    let out = env.trail(&repo, ["export".as_ref(), "-o".as_ref(), target.as_os_str()]);
    out.assert_no_panic().assert_code(3).assert_stderr_has("missing/out.jsonl");
    assert!(!out.stderr.contains(".trail-export"), "{}", out.stderr);
}

/// A FIFO at `name` under the test's root, and a thread that reads it to the end.
fn fifo_reader(env: &TestEnv, name: &str) -> (PathBuf, std::thread::JoinHandle<Vec<u8>>) {
    let fifo = env.root.join(name);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", fifo.display());
    let path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&path).expect("open the FIFO").read_to_end(&mut bytes).expect("read");
        bytes
    });
    (fifo, reader)
}

// `trail export -o /dev/null` (as root) replaced /dev/null with a regular file:
// the output was written to a temporary file and renamed over the target. A
// FIFO stands in for the device here; it must stay a FIFO and get the records.
#[test]
fn regression_export_to_a_device_replaced_it_with_a_file() {
    use std::os::unix::fs::FileTypeExt as _;
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let (fifo, reader) = fifo_reader(&env, "out.fifo");
    env.trail_ok(&repo, ["export".as_ref(), "-o".as_ref(), fifo.as_os_str()]);
    // Checked before joining: a reader of a FIFO that was replaced waits forever.
    let kind = std::fs::symlink_metadata(&fifo).expect("stat the FIFO").file_type();
    assert!(kind.is_fifo(), "{} is no longer a FIFO: {kind:?}", fifo.display());
    let got = reader.join().expect("the reader thread");
    let expected = env.trail_ok(&repo, ["export"]).stdout;
    assert!(!expected.is_empty());
    assert_eq!(got, expected, "the FIFO got the export");
}

// `trail export -o /dev/stdout >> all.jsonl` replaced all.jsonl with this
// export (the symlink was followed to the file and a temporary file renamed
// over it), losing what had been appended before.
#[test]
fn regression_export_to_dev_stdout_replaced_the_file_stdout_appends_to() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let all = env.root.join("all.jsonl");
    std::fs::write(&all, b"kept line\n").expect("write the file");
    let appending = std::fs::OpenOptions::new().append(true).open(&all).expect("open for append");
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["export", "-o", "/dev/stdout"]).stdout(Stdio::from(appending));
    let status = cmd.status().expect("run trail export");
    assert!(status.success(), "trail export -o /dev/stdout failed: {status}");
    let expected = env.trail_ok(&repo, ["export"]).stdout;
    let got = std::fs::read(&all).expect("read the file");
    assert_eq!(
        got,
        [b"kept line\n".as_slice(), &expected].concat(),
        "the file holds what it held, then the export"
    );
}

// `trail init` with a malformed trail.toml created the journal before failing.
#[test]
fn regression_init_with_bad_policy_created_the_journal_anyway() {
    let env = TestEnv::new();
    let repo = env.dir("bad-policy");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("trail.toml"), "[rationale]\nrequired = \"yes\"\n").expect("write");
    let out = env.trail(&repo, ["init"]);
    out.assert_no_panic().assert_code(2).assert_stderr_has("trail.toml");
    assert!(!repo.join(".git/trail/journal").exists(), "nothing created");
    assert!(!out.stderr.contains("\n\n"), "no blank line inside the message:\n{}", out.stderr);
}

// `--kind commit` also matched `commit.blocked` and `commit.unverified`; and
// `--until DATE` excluded that whole day.
#[test]
fn regression_kind_and_until_matched_too_much_or_too_little() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let all = seqs(&env, &repo, &["log".as_ref(), "--json".as_ref()]);
    let commits = seqs(
        &env,
        &repo,
        &["log".as_ref(), "--json".as_ref(), "--kind".as_ref(), "commit".as_ref()],
    );
    let family = seqs(
        &env,
        &repo,
        &["log".as_ref(), "--json".as_ref(), "--kind".as_ref(), "commit.*".as_ref()],
    );
    assert_eq!(commits, all, "every imported record is a plain commit");
    assert_eq!(family, all);
    let none = seqs(
        &env,
        &repo,
        &["log".as_ref(), "--json".as_ref(), "--kind".as_ref(), "commit.blocked".as_ref()],
    );
    assert!(none.is_empty());

    // Every record's own date, given to --until, includes that record.
    for record in env.trail_json(&repo, ["log", "--json"]) {
        let day = &record["time"].as_str().expect("time")[..10];
        let seq = record["seq"].as_u64().expect("seq");
        let upto = seqs(
            &env,
            &repo,
            &["log".as_ref(), "--json".as_ref(), "--until".as_ref(), day.as_ref()],
        );
        assert!(upto.contains(&seq), "--until {day} must include seq {seq}");
    }
}

// `trail import` said "imported 1 commits".
#[test]
fn regression_import_said_one_commits() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    // A commit trail's hooks did not record (they would leave import nothing to do).
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    std::fs::write(repo.join("one-more.txt"), "x\n").expect("write");
    env.git_ok(&repo, ["add", "one-more.txt"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "one more"]);
    let out = env.trail_ok(&repo, ["import"]);
    out.assert_stderr_has("imported 1 commit in");
}

fn damage_record(repo: &Path, seq: u64, edit: impl FnOnce(&mut Vec<u8>)) {
    let db = sled::open(common::settled_journal(repo)).expect("open the store");
    let records = db.open_tree("records").expect("records tree");
    let mut bytes = records.get(seq.to_be_bytes()).expect("read").expect("present").to_vec();
    edit(&mut bytes);
    records.insert(seq.to_be_bytes(), bytes).expect("write");
    db.flush().expect("flush");
}

// Checking revisions for commits broke ranges from annotated tags
// (`v1..HEAD` said "is a tag, not a commit").
#[test]
fn regression_import_range_from_an_annotated_tag_was_refused() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    env.git_ok(&repo, ["tag", "-a", "-m", "release one", "v1", "HEAD~2"]);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import", "v1..HEAD"]);
    let count = env.git_ok(&repo, ["rev-list", "--count", "v1..HEAD"]);
    let records = env.trail_json(&repo, ["log", "--json"]);
    assert_eq!(records.len().to_string(), count);
    // The tag itself stands for its commit.
    env.trail_ok(&repo, ["import", "v1"]);
    let all = env.git_ok(&repo, ["rev-list", "--count", "HEAD"]);
    assert_eq!(env.trail_json(&repo, ["log", "--json"]).len().to_string(), all);
}

// `--path` through an alias of the checkout (a symlink on the route into the
// repository) said "outside the repository".
#[test]
fn regression_path_through_a_symlinked_route_was_outside_the_repository() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let alias = env.root.join("alias");
    std::os::unix::fs::symlink(&repo, &alias).expect("symlink");
    let direct = seqs(
        &env,
        &repo,
        &["log".as_ref(), "--json".as_ref(), "--path".as_ref(), "notes".as_ref()],
    );
    assert!(!direct.is_empty());
    for given in [alias.join("notes"), alias.join("notes/"), alias.clone()] {
        let out = env.trail(
            &repo,
            ["log".as_ref(), "--json".as_ref(), "--path".as_ref(), given.as_os_str()],
        );
        out.assert_code(0);
        if given == alias {
            // The root through the alias: every record that names a path,
            // as `--path .` at the top (issue 20, item 7: not "no filter").
            let named = env
                .trail_json(&repo, ["log", "--json"])
                .into_iter()
                .filter(|r| r["paths"].as_array().is_some_and(|p| !p.is_empty()))
                .count();
            assert_eq!(out.json_lines().len(), named, "{}", given.display());
        } else {
            let found: Vec<u64> =
                out.json_lines().iter().map(|r| r["seq"].as_u64().expect("seq")).collect();
            assert_eq!(found, direct, "{}", given.display());
        }
    }
    // A path below the alias that does not exist (a deleted directory) still resolves.
    let gone = alias.join("no/such/dir/");
    env.trail(&repo, ["log".as_ref(), "--path".as_ref(), gone.as_os_str()]).assert_code(0);
}

// `trail show` printed a damaged or tampered record like a sound one and exited 0.
#[test]
fn regression_show_of_a_tampered_record_exited_zero() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    damage_record(&repo, 3, |bytes| {
        let at = bytes.windows(9).position(|w| w == b"\"subject\"").expect("a subject");
        bytes[at + 12] ^= 0x01; // inside the subject's text: still valid JSON
    });
    for args in [&["show", "3"][..], &["show", "3", "--json"]] {
        let out = env.trail(&repo, args);
        out.assert_no_panic()
            .assert_code(1)
            .assert_stderr_has("record 3 fails its integrity check");
        assert!(!out.stdout.is_empty(), "the record is still shown");
    }
}

// `trail export` wrote a journal with a record missing in the middle and exited 0.
#[test]
fn regression_export_passed_on_a_gap() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    {
        let db = sled::open(common::settled_journal(&repo)).expect("open the store");
        db.open_tree("records").expect("records").remove(4u64.to_be_bytes()).expect("remove");
        db.flush().expect("flush");
    }
    let out = env.trail(&repo, ["export"]);
    out.assert_no_panic().assert_code(1).assert_stderr_has("record 4 is missing");
    assert_eq!(common::split_lines(&out.stdout).len(), 3, "records 1-3 only");
    let file = env.root.join("out.jsonl");
    env.trail(&repo, ["export".as_ref(), "-o".as_ref(), file.as_os_str()]).assert_code(1);
    assert!(!file.exists(), "no partial file is left behind");
}

// `trail import HEAD` in a repository without commits said the rev-spec was malformed.
#[test]
fn regression_import_head_in_an_empty_repository_said_malformed() {
    let env = TestEnv::new();
    let repo = env.dir("empty");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.trail_ok(&repo, ["init"]);
    let out = env.trail(&repo, ["import", "HEAD"]);
    out.assert_no_panic().assert_code(2).assert_stderr_has("no commits yet");
}

fn plain_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

fn commit_file(env: &TestEnv, repo: &Path, file: &str, text: &str, message: &str) {
    std::fs::write(repo.join(file), text).expect("write");
    env.git_ok(repo, ["add", file]);
    env.git_ok(repo, ["commit", "-q", "-m", message]);
}

// An interrupted `trail reindex` left the commit index half empty, and the next
// `trail import` recorded commits a second time.
#[test]
fn regression_import_after_an_interrupted_reindex_recorded_commits_twice() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let before = env.trail_json(&repo, ["log", "--json"]).len();
    {
        // What a reindex killed after clearing the indexes leaves behind.
        let db = sled::open(common::settled_journal(&repo)).expect("open the store");
        db.open_tree("meta")
            .expect("meta")
            .insert("reindexing", "2026-11-27T00:00:00Z")
            .expect("mark");
        db.open_tree("idx_commit").expect("idx_commit").clear().expect("clear");
        db.flush().expect("flush");
    }
    for args in [&["import"][..], &["log"], &["show", "1"]] {
        let out = env.trail(&repo, args);
        out.assert_no_panic().assert_code(1).assert_stderr_has("indexes are incomplete");
    }
    env.trail_ok(&repo, ["reindex"]);
    env.trail_ok(&repo, ["import"]).assert_stderr_has("nothing new to import");
    assert_eq!(env.trail_json(&repo, ["log", "--json"]).len(), before, "no commit recorded twice");
    env.trail_ok(&repo, ["verify"]);
}

// A commit dated after the year 9999 produced a record with a five-digit year,
// which trail then rejected, and every import recorded the commit again.
#[test]
fn regression_commit_after_year_9999_was_recorded_on_every_import() {
    let env = TestEnv::new();
    let repo = plain_repo(&env, "far-future");
    commit_file(&env, &repo, "a.txt", "a\n", "first");
    let tree = env.git_ok(&repo, ["rev-parse", "HEAD^{tree}"]);
    let parent = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    let raw = format!(
        "tree {tree}\nparent {parent}\nauthor A <a@x> 253402300800 +0000\ncommitter C <c@x> 253402300800 +0000\n\nfrom the future\n"
    );
    let mut hash = env.command("git", &repo);
    hash.args(["hash-object", "-w", "-t", "commit", "--stdin"]);
    let out = common::run_with_input(hash, raw.into_bytes(), common::PROCESS_TIMEOUT);
    let id = out.stdout_str().trim().to_owned();
    env.git_ok(&repo, ["update-ref", "refs/heads/main", &id]);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    env.trail_ok(&repo, ["import"]).assert_stderr_has("nothing new to import");
    let records = env.trail_json(&repo, ["log", "--json"]);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["time"], "9999-12-31T23:59:59.000000000Z");
    assert_eq!(records[0]["detail"]["committer"]["unix"], 253402300800i64);
    env.trail_ok(&repo, ["verify"]);
}

// A change of the executable bit alone was recorded as a type change `T`.
#[test]
fn regression_chmod_was_recorded_as_a_type_change() {
    let env = TestEnv::new();
    let repo = plain_repo(&env, "chmod");
    commit_file(&env, &repo, "s.sh", "echo hi\n", "script");
    env.git_ok(&repo, ["update-index", "--chmod=+x", "s.sh"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "make it executable"]);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let records = env.trail_json(&repo, ["log", "--json", "-n", "1"]);
    let path = &records[0]["paths"][0];
    assert_eq!(path["status"], "M", "{}", records[0]);
    assert_eq!(path["mode"], "100755");
    assert_eq!(env.git_ok(&repo, ["log", "-1", "--format=", "--name-status"]), "M\ts.sh");
}

// `trail 2>&1 | head -1` aborted with exit 134: eprintln! panicked on the
// closed stderr and the panic hook panicked again.
#[test]
fn regression_closed_stderr_aborted_the_process() {
    let env = TestEnv::new();
    let outside = env.dir("not-a-repo");
    let mut cmd = env.trail_cmd(&outside);
    cmd.arg("log").stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn trail");
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(3), "the documented exit code, not an abort: {status:?}");
}

// `trail import` failed in a shallow clone: the boundary commit's parent is absent.
#[test]
fn regression_import_failed_in_a_shallow_clone() {
    let env = TestEnv::new();
    let origin = plain_repo(&env, "origin");
    commit_file(&env, &origin, "a.txt", "a\n", "one");
    commit_file(&env, &origin, "b.txt", "b\n", "two");
    commit_file(&env, &origin, "a.txt", "a2\n", "three");
    let shallow = env.root.join("shallow");
    let url = format!("file://{}", origin.display());
    env.git_ok(&env.root, ["clone", "-q", "--depth", "2", &url, shallow.to_str().expect("utf-8")]);
    env.trail_ok(&shallow, ["init"]);
    env.trail_ok(&shallow, ["import"]);
    let records = env.trail_json(&shallow, ["log", "--json", "--reverse"]);
    assert_eq!(records.len(), 2, "the two commits the clone has");
    // The boundary commit is diffed as a root: every file it has is added.
    let files = env.git_ok(&shallow, ["ls-tree", "-r", "--name-only", "HEAD~1"]);
    let added = records[0]["paths"].as_array().expect("paths");
    assert_eq!(added.len(), files.lines().count());
    assert!(added.iter().all(|p| p["status"] == "A"));
    env.trail_ok(&shallow, ["verify"]);
}

// A change id given in full that also abbreviates a longer one was "ambiguous".
#[test]
fn regression_exact_change_id_was_ambiguous() {
    let env = TestEnv::new();
    let repo = plain_repo(&env, "ids");
    commit_file(&env, &repo, "a", "1\n", "one\n\nChange-Id: c0ffee");
    commit_file(&env, &repo, "b", "2\n", "two\n\nChange-Id: c0ffee12");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let shown = env.trail_ok(&repo, ["show", "c0ffee", "--json"]).json_lines();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["change_id"], "c0ffee");
    let logged = env.trail_json(&repo, ["log", "--json", "--change", "c0ffee"]);
    assert_eq!(logged.len(), 1);
    // An abbreviation of only the longer id still finds it.
    let longer = env.trail_json(&repo, ["log", "--json", "--change", "c0ffee1"]);
    assert_eq!(longer[0]["change_id"], "c0ffee12");
}

// GIT_CEILING_DIRECTORIES was not honoured the way git honours it.
#[test]
fn regression_ceiling_directories_were_ignored() {
    let env = TestEnv::new();
    let outer = plain_repo(&env, "outer");
    let inner = outer.join("inner");
    std::fs::create_dir(&inner).expect("mkdir");
    for (cwd, ceiling) in [(&inner, &outer), (&inner, &env.root), (&outer, &outer)] {
        let mut git = env.command("git", cwd);
        git.args(["rev-parse", "--git-dir"]).env("GIT_CEILING_DIRECTORIES", ceiling);
        let git_found = common::run(git, common::PROCESS_TIMEOUT).status == Some(0);
        let mut trail = env.trail_cmd(cwd);
        trail.arg("status").env("GIT_CEILING_DIRECTORIES", ceiling);
        let out = common::run(trail, common::PROCESS_TIMEOUT);
        let trail_found = !out.stderr.contains("not inside a git repository");
        assert_eq!(
            trail_found,
            git_found,
            "cwd {} ceiling {}:\n{out}",
            cwd.display(),
            ceiling.display()
        );
    }
}

// With GIT_DIR set and no GIT_WORK_TREE, git takes the current directory as the
// top of the work tree; trail wrote trail.toml beside GIT_DIR instead.
#[test]
fn regression_git_dir_without_work_tree_put_trail_toml_elsewhere() {
    let env = TestEnv::new();
    let repo = plain_repo(&env, "repo");
    let elsewhere = env.dir("elsewhere");
    let git_dir = repo.join(".git");
    let mut git = env.command("git", &elsewhere);
    git.args(["rev-parse", "--show-toplevel"]).env("GIT_DIR", &git_dir);
    let top = common::run(git, common::PROCESS_TIMEOUT).stdout_str().trim().to_owned();
    let mut trail = env.trail_cmd(&elsewhere);
    trail.arg("init").env("GIT_DIR", &git_dir);
    common::run(trail, common::PROCESS_TIMEOUT).assert_code(0);
    assert!(Path::new(&top).join("trail.toml").is_file(), "trail.toml at git's top level {top}");
    assert!(!repo.join("trail.toml").exists());
    assert!(git_dir.join("trail/journal").is_dir(), "the journal is in GIT_DIR");
}

// Not a regression: the check the issue describes, on a generated history with
// adds, deletes and renames — every commit's record names exactly the paths,
// statuses and rename sources `git log --name-status -M` shows, and its trailers.
#[test]
fn import_matches_git_log_name_status_on_a_generated_history() {
    let env = TestEnv::new();
    let repo = env.gen_history("generated", &["--commits", "400", "--files", "60", "--dirs", "12"]);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);

    // git's view: per commit, the sorted (status, path, from) triples and trailers.
    let log = env.git_ok(
        &repo,
        [
            "log",
            "--name-status",
            "-M",
            "--format=@%H%x1f%(trailers:key=Why,valueonly,separator=)%x1f%(trailers:key=Impact,valueonly,separator=)|",
        ],
    );
    let mut expected = std::collections::BTreeMap::new();
    for block in log.split('@').filter(|b| !b.is_empty()) {
        let (head, files) = block.split_once('|').expect("the format's separator");
        let mut fields = head.split('\x1f');
        let id = fields.next().expect("id").to_owned();
        let why = fields.next().unwrap_or("").trim().to_owned();
        let impact = fields.next().unwrap_or("").trim().to_owned();
        let mut paths: Vec<(String, String, String)> = files
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let parts: Vec<&str> = l.split('\t').collect();
                match parts.as_slice() {
                    [status, from, to] => {
                        (status[..1].to_owned(), to.to_string(), from.to_string())
                    }
                    [status, path] => (status.to_string(), path.to_string(), String::new()),
                    _ => panic!("unexpected name-status line {l:?}"),
                }
            })
            .collect();
        paths.sort();
        expected.insert(id, (paths, why, impact));
    }

    let records = env.trail_json(&repo, ["log", "--json"]);
    assert_eq!(records.len(), expected.len(), "one record per commit");
    let mut renames = 0;
    for record in &records {
        let id = record["commit"].as_str().expect("commit");
        let (paths, why, impact) = expected.get(id).expect("a commit git knows");
        let mut got: Vec<(String, String, String)> = record["paths"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let s = |k: &str| p[k].as_str().unwrap_or("").to_owned();
                        (s("status"), s("path"), s("from"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        got.sort();
        renames += got.iter().filter(|p| p.0 == "R").count();
        assert_eq!(&got, paths, "paths of {id}");
        assert_eq!(record["why"].as_str().unwrap_or(""), why, "why of {id}");
        assert_eq!(record["impact"].as_str().unwrap_or(""), impact, "impact of {id}");
        assert_eq!(record["source"], "import");
    }
    assert!(renames > 0, "the generated history has renames to compare");
}

// A bare repository whose parent is a GIT_CEILING_DIRECTORIES entry was "not
// a git repository" to trail, while git finds it (the search starts inside it).
#[test]
fn regression_a_bare_repository_below_a_ceiling_was_not_found() {
    let env = TestEnv::new();
    let srv = env.dir("srv");
    let bare = srv.join("bare.git");
    env.git_ok(&srv, ["init", "-q", "--bare", "bare.git"]);
    let mut git = env.command("git", &bare);
    git.args(["rev-parse", "--git-dir"]).env("GIT_CEILING_DIRECTORIES", &srv);
    common::run(git, common::PROCESS_TIMEOUT).assert_code(0);
    let mut trail = env.command(common::trail_bin(), &bare);
    trail.args(["init", "--no-hooks"]).env("GIT_CEILING_DIRECTORIES", &srv);
    let out = common::run(trail, common::PROCESS_TIMEOUT);
    out.assert_code(0);
    assert!(bare.join("trail/journal").is_dir(), "the journal is in the bare repository:\n{out}");
}

// Issue 18 (16): `trail changelog check` waited forever on a FIFO named
// CHANGELOG.md, and called a symlink to /etc/passwd "well-formed".
#[test]
fn regression_changelog_check_waited_on_a_fifo_and_followed_a_symlink() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    std::fs::create_dir_all(repo.join("pipe")).expect("mkdir");
    std::fs::write(repo.join("pipe/a.txt"), "a\n").expect("write");
    std::fs::create_dir_all(repo.join("link")).expect("mkdir");
    std::fs::write(repo.join("link/b.txt"), "b\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "two directories"]);
    let fifo = repo.join("pipe/CHANGELOG.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    std::os::unix::fs::symlink("/etc/passwd", repo.join("link/CHANGELOG.md")).expect("symlink");
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["changelog", "check"]);
    let out = common::run(cmd, std::time::Duration::from_secs(20));
    out.assert_code(1);
    let text = out.stdout_str();
    assert!(text.contains("pipe/CHANGELOG.md: a FIFO, not a regular file"), "{out}");
    assert!(text.contains("link/CHANGELOG.md: a symlink, not a regular file"), "{out}");
    // `changelog sync` refuses to write through either, rather than hanging.
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["changelog", "sync"]);
    let out = common::run(cmd, std::time::Duration::from_secs(20));
    assert_ne!(out.status, Some(0), "{out}");
    out.assert_no_panic();
    assert_eq!(
        std::fs::read_to_string("/etc/passwd").ok().map(|t| t.contains("trail")),
        Some(false)
    );
}

// Issue 18 (16): a trail.toml that is not UTF-8 exited 3 (environment) with
// no hint, where docs/exit-codes.md gives 2 to a malformed configuration.
#[test]
fn regression_non_utf8_trail_toml_was_an_environment_error() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    std::fs::write(repo.join("trail.toml"), b"[rationale]\nrequired = false # caf\xe9\n")
        .expect("write");
    let out = env.trail(&repo, ["changelog", "check"]);
    out.assert_code(2).assert_no_panic();
    out.assert_stderr_has("is not UTF-8").assert_stderr_has("hint:");
}

// Issue 18 (16): `trail restore --to /missing/dir/x` created the missing
// directories; a `--to` path is written only into a directory that exists.
#[test]
fn regression_restore_to_a_missing_directory_created_it() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    let records = env.trail_json(&repo, ["log", "--json", "--kind", "commit"]);
    let seq = records[0]["seq"].as_u64().expect("a commit record").to_string();
    let missing = env.dir("elsewhere").join("missing/dir");
    let target = missing.join("a.txt");
    let target_text = target.to_str().expect("a UTF-8 temp path");
    let out = env.trail(&repo, ["restore", "a.txt", "--at", &seq, "--to", target_text]);
    out.assert_code(2).assert_no_panic().assert_stderr_has("does not exist");
    assert!(!missing.exists(), "no directory was created:\n{out}");
    std::fs::create_dir_all(&missing).expect("mkdir");
    env.trail_ok(&repo, ["restore", "a.txt", "--at", &seq, "--to", target_text]);
    assert_eq!(std::fs::read_to_string(&target).expect("restored"), "a\n");
}

// Issue 18 (16): `trail import HEAD~99999` printed gix's internals
// (`delegate.traverse(NthAncestor(99999)) failed`) instead of what was wrong.
#[test]
fn regression_import_of_a_missing_ancestor_printed_gix_internals() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    let out = env.trail(&repo, ["import", "HEAD~99999"]);
    out.assert_code(2).assert_no_panic();
    out.assert_stderr_has("cannot resolve \"HEAD~99999\": it names no commit of this repository");
    out.assert_stderr_has("git log -1 HEAD~99999");
    assert!(!out.stderr.contains("delegate") && !out.stderr.contains("NthAncestor"), "{out}");
}
