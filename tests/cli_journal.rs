//! End to end: the real `trail` binary against real git repositories built by
//! the fixture scripts in tests/fixtures/, each test in its own hermetic
//! environment (tests/common/mod.rs).
//!
//! tests/fixtures/history.sh documents the history most tests use; its commit
//! number is the seq `trail import` gives it (parents first, oldest first).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Output, TestEnv, manifest_dir, parse_json_lines, path_bytes, split_lines};
use serde_json::Value;

// ---------------------------------------------------------------------------
// Helpers

/// The journal of the repository at `repo` (whose git dir is `repo/.git`).
fn journal_dir(repo: &Path) -> PathBuf {
    repo.join(".git/trail/journal")
}

/// The history fixture, initialised and imported.
fn imported_history(env: &TestEnv) -> PathBuf {
    let repo = env.fixture("history");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    repo
}

fn export_bytes(env: &TestEnv, repo: &Path) -> Vec<u8> {
    env.trail_ok(repo, ["export"]).stdout
}

fn export_records(env: &TestEnv, repo: &Path) -> Vec<Value> {
    parse_json_lines(&export_bytes(env, repo))
}

/// The seqs of `trail log ARGS --json`, in output order.
fn log_seqs<'a>(env: &TestEnv, cwd: &Path, args: impl IntoIterator<Item = &'a str>) -> Vec<u64> {
    let mut all: Vec<&str> = vec!["log"];
    all.extend(args);
    all.push("--json");
    env.trail_json(cwd, all).iter().map(seq).collect()
}

fn seq(record: &Value) -> u64 {
    record["seq"].as_u64().unwrap_or_else(|| panic!("record without an integer seq: {record}"))
}

fn string<'a>(record: &'a Value, key: &str) -> &'a str {
    record[key].as_str().unwrap_or_else(|| panic!("record has no string {key:?}: {record}"))
}

/// The full id of commit `rev` in `repo`.
fn rev(env: &TestEnv, repo: &Path, rev: &str) -> String {
    env.git_ok(repo, ["rev-parse", "--verify", &format!("{rev}^{{commit}}")])
}

/// The `time` git's committer (or author, with `%ad`) time must appear as.
fn git_time(env: &TestEnv, repo: &Path, commit: &str, which: &str) -> String {
    // TZ=UTC is part of the hermetic environment, so format-local is UTC.
    env.git_ok(
        repo,
        [
            "log",
            "-1",
            &format!("--format={which}"),
            "--date=format-local:%Y-%m-%dT%H:%M:%S.000000000Z",
            commit,
        ],
    )
}

/// One file change as git reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GitChange {
    path: Vec<u8>,
    status: String,
    from: Option<Vec<u8>>,
    blob: String,
    mode: String,
}

/// `git diff-tree -r -M --root -z` for `commit`: what `git log -M --name-status`
/// shows, with raw (unquoted) path bytes, blob ids and modes. Empty for merges.
fn git_changes(env: &TestEnv, repo: &Path, commit: &str) -> Vec<GitChange> {
    let out = env.git(
        repo,
        ["diff-tree", "-r", "-M", "--root", "--no-commit-id", "--no-abbrev", "-z", commit],
    );
    assert_eq!(out.status, Some(0), "{out}");
    let mut tokens = out.stdout.split(|b| *b == 0).filter(|t| !t.is_empty());
    let mut changes = Vec::new();
    while let Some(header) = tokens.next() {
        let header = String::from_utf8(header.to_vec()).expect("a raw diff header is ASCII");
        let fields: Vec<&str> = header.trim_start_matches(':').split(' ').collect();
        assert_eq!(fields.len(), 5, "unexpected raw diff header {header:?}");
        let (old_mode, new_mode, old_id, new_id) = (fields[0], fields[1], fields[2], fields[3]);
        let status = fields[4][..1].to_owned();
        let first = tokens.next().expect("a path after the header").to_vec();
        let (from, path) = if status == "R" || status == "C" {
            (Some(first), tokens.next().expect("a rename's second path").to_vec())
        } else {
            (None, first)
        };
        let (blob, mode) = if status == "D" { (old_id, old_mode) } else { (new_id, new_mode) };
        changes.push(GitChange {
            path,
            status,
            from,
            blob: blob.to_owned(),
            mode: mode.to_owned(),
        });
    }
    changes.sort();
    changes
}

/// The path entries of a record in the form of [`GitChange`].
fn record_changes(record: &Value) -> Vec<GitChange> {
    let Some(paths) = record.get("paths") else { return Vec::new() };
    let mut changes: Vec<GitChange> = paths
        .as_array()
        .expect("paths is an array")
        .iter()
        .map(|entry| {
            assert!(
                entry.get("path").is_some() != entry.get("path_b64").is_some(),
                "exactly one of path and path_b64: {entry}"
            );
            GitChange {
                path: path_bytes(entry, "path").expect("a path"),
                status: string(entry, "status").to_owned(),
                from: path_bytes(entry, "from"),
                blob: string(entry, "blob").to_owned(),
                mode: string(entry, "mode").to_owned(),
            }
        })
        .collect();
    changes.sort();
    changes
}

/// Records keyed by commit id.
fn by_commit(records: &[Value]) -> BTreeMap<String, Value> {
    records.iter().map(|r| (string(r, "commit").to_owned(), r.clone())).collect()
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, nothing else (FORMAT.md §2.3).
fn is_record_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    b.len() == 30
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..29)
        && b[29] == b'Z'
}

/// Open the journal's sled database directly (trail must not be running).
fn open_sled(repo: &Path) -> sled::Db {
    sled::open(common::settled_journal(repo)).expect("open the journal with sled")
}

/// Change tree `name` of the journal directly (as an attacker or a disk fault
/// would), flushed before trail looks at it.
fn edit_tree(repo: &Path, name: &str, edit: impl FnOnce(&sled::Tree)) {
    let db = open_sled(repo);
    edit(&db.open_tree(name).expect("open the tree"));
    db.flush().expect("flush");
}

fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// Replace, in record `seq`'s stored bytes, the first byte after `marker` by `with`.
fn tamper_after(repo: &Path, seq: u64, marker: &str, with: u8) {
    let db = open_sled(repo);
    let records = db.open_tree("records").expect("records tree");
    let mut value = records.get(key(seq)).expect("read").expect("record present").to_vec();
    let at = find(&value, marker.as_bytes()).unwrap_or_else(|| {
        panic!("{marker:?} not in record {seq}: {}", String::from_utf8_lossy(&value))
    }) + marker.len();
    assert_ne!(value[at], with, "the tamper must change the byte");
    value[at] = with;
    records.insert(key(seq), value).expect("write");
    db.flush().expect("flush");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `trail verify` must fail with exit 1 and name `seq` as the first bad record.
#[track_caller]
fn assert_verify_names(env: &TestEnv, repo: &Path, seq: u64) -> Output {
    let out = env.trail(repo, ["verify"]);
    out.assert_code(1);
    out.assert_stderr_has(&format!("first bad record is seq {seq}"));
    // The statement must name exactly that seq, not one that merely starts with it.
    let line =
        out.stderr.lines().find(|l| l.contains("first bad record is seq")).expect("the line");
    let named = line.rsplit("seq ").next().expect("a seq").trim();
    assert_eq!(named.trim_end_matches(|c: char| !c.is_ascii_digit()), seq.to_string(), "{out}");
    out
}

/// Run `python3 store/fixtures/verify_journal.py` with `export` piped to it.
fn independent_verify(env: &TestEnv, export: Vec<u8>) -> Output {
    let mut cmd = env.command("python3", &env.root);
    cmd.arg(manifest_dir().join("store/fixtures/verify_journal.py"));
    common::run_with_input(cmd, export, common::PROCESS_TIMEOUT)
}

const COMMANDS: [&[&str]; 8] = [
    &["init"],
    &["import"],
    &["log"],
    &["show", "1"],
    &["verify"],
    &["export"],
    &["reindex"],
    &["status"],
];

// ---------------------------------------------------------------------------
// trail init

#[test]
fn init_creates_the_journal_and_a_default_policy() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    let out = env.trail_ok(&repo, ["init"]);
    assert!(
        journal_dir(&repo).join("conf").is_file(),
        "no sled store at .git/trail/journal:\n{out}"
    );
    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("trail.toml written");
    assert!(policy.contains("[rationale]"), "trail.toml is not the default policy:\n{policy}");
    // The journal is never part of the work tree.
    let status = env.git_ok(&repo, ["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(
        status, "?? .gitattributes\n?? trail.toml",
        "init may only add trail.toml and .gitattributes (CHANGELOG.md merge=union) to the work tree"
    );
    // An empty journal: nothing to list, nothing to export, and intact.
    assert!(export_bytes(&env, &repo).is_empty());
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn init_twice_is_idempotent() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    // The user edits the policy; a second init must not touch it (or the journal).
    let edited = "# ours\n[rationale]\nrequired = false\n";
    std::fs::write(repo.join("trail.toml"), edited).expect("write");
    let before = export_bytes(&env, &repo);
    let status_before = env.trail_ok(&repo, ["status"]).stdout_str();
    let again = env.trail_ok(&repo, ["init"]);
    assert!(
        again.stderr.contains("already initialised")
            || again.stderr.contains("already initialized"),
        "a second init should say the journal already exists:\n{again}"
    );
    assert_eq!(std::fs::read(repo.join("trail.toml")).expect("read"), edited.as_bytes());
    assert_eq!(export_bytes(&env, &repo), before, "a second init changed the journal");
    let status_after = env.trail_ok(&repo, ["status"]).stdout_str();
    let id = |s: &str| s.lines().find(|l| l.contains("store id")).map(str::to_owned);
    assert!(id(&status_before).is_some(), "status shows no store id:\n{status_before}");
    assert_eq!(id(&status_before), id(&status_after), "a second init replaced the store");
}

#[test]
fn init_from_a_subdirectory_uses_the_repository_root() {
    let env = TestEnv::new();
    let fixture = env.fixture("worktree");
    let repo = fixture.join("repo");
    let out = env.trail_ok(&repo.join("sub/dir"), ["init"]);
    assert!(
        journal_dir(&repo).join("conf").is_file(),
        "journal not at repo/.git/trail/journal:\n{out}"
    );
    assert!(
        repo.join("trail.toml").is_file(),
        "trail.toml not at the top of the work tree:\n{out}"
    );
    assert!(!repo.join("sub/dir/trail.toml").exists(), "trail.toml written into the subdirectory");
    assert!(!repo.join("sub/dir/.git").exists());
}

#[test]
fn init_in_a_linked_worktree_puts_the_journal_in_the_common_dir() {
    let env = TestEnv::new();
    let fixture = env.fixture("worktree");
    let (repo, wt) = (fixture.join("repo"), fixture.join("wt"));
    let out = env.trail_ok(&wt, ["init"]);
    assert!(
        journal_dir(&repo).join("conf").is_file(),
        "the journal must live in the common git dir repo/.git/trail:\n{out}"
    );
    assert!(
        !repo.join(".git/worktrees/wt/trail").exists(),
        "journal put in the worktree's private git dir"
    );
    assert!(
        wt.join("trail.toml").is_file(),
        "trail.toml belongs at the top of the worktree:\n{out}"
    );

    // Both worktrees share that one journal.
    env.trail_ok(&wt, ["import"]);
    let side = rev(&env, &wt, "HEAD");
    let from_main = env.trail_json(&repo, ["log", "--json"]);
    assert_eq!(from_main.len(), 2, "main worktree does not see what the linked one imported");
    assert_eq!(string(&from_main[0], "commit"), side);
    let again = env.trail_ok(&repo, ["init"]);
    assert!(again.stderr.contains("already initiali"), "{again}");

    // --path is relative to the current directory, in a linked worktree too.
    assert_eq!(log_seqs(&env, &wt.join("sub"), ["--path", "dir"]), [2, 1]);
    assert_eq!(log_seqs(&env, &wt.join("sub/dir"), ["--path", "other.txt"]), [2]);
}

#[test]
fn init_with_git_dir_from_outside_the_repository() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    let outside = env.dir("outside");
    let git_dir = repo.join(".git");

    // GIT_DIR and GIT_WORK_TREE: the journal in that git dir, the policy in that work tree.
    let mut cmd = env.trail_cmd(&outside);
    cmd.arg("init").env("GIT_DIR", &git_dir).env("GIT_WORK_TREE", &repo);
    let out = common::run(cmd, common::PROCESS_TIMEOUT);
    out.assert_code(0);
    assert!(journal_dir(&repo).join("conf").is_file(), "{out}");
    assert!(repo.join("trail.toml").is_file(), "{out}");
    assert!(!outside.join("trail.toml").exists(), "{out}");
    assert!(!outside.join(".git").exists(), "{out}");

    // GIT_DIR alone also finds the same journal (and does not create a second one).
    let mut cmd = env.trail_cmd(&outside);
    cmd.arg("status").env("GIT_DIR", &git_dir);
    let status = common::run(cmd, common::PROCESS_TIMEOUT);
    status.assert_code(0);
    assert!(status.stdout_str().contains(&journal_dir(&repo).display().to_string()), "{status}");
    let mut cmd = env.trail_cmd(&outside);
    cmd.arg("init").env("GIT_DIR", &git_dir);
    let again = common::run(cmd, common::PROCESS_TIMEOUT);
    again.assert_code(0);
    assert!(again.stderr.contains("already initiali"), "{again}");
}

#[test]
fn init_keeps_an_existing_valid_trail_toml() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    let ours = "# the team's policy\n[rationale]\nrequired = false\n\n[changelog]\nexclude = [\"docs/**\"]\n";
    std::fs::write(repo.join("trail.toml"), ours).expect("write");
    let out = env.trail_ok(&repo, ["init"]);
    assert_eq!(std::fs::read(repo.join("trail.toml")).expect("read"), ours.as_bytes(), "{out}");
    assert!(journal_dir(&repo).join("conf").is_file(), "{out}");
}

// Loading an existing trail.toml recursed forever in Config::default() (stack
// overflow, SIGABRT) instead of reading the file.
#[test]
fn regression_init_with_existing_trail_toml_overflowed_stack() {
    let env = TestEnv::new();

    // Valid files that leave fields to the defaults: each used to overflow the stack.
    for (i, text) in ["", "[rationale]\nrequired = false\n", "[changelog]\nroot_summary = false\n"]
        .into_iter()
        .enumerate()
    {
        let repo = env.fixture_in("history", &env.root.join(format!("valid-{i}")));
        std::fs::write(repo.join("trail.toml"), text).expect("write");
        let out = env.trail(&repo, ["init"]);
        out.assert_code(0);
        assert_eq!(std::fs::read_to_string(repo.join("trail.toml")).expect("read"), text);
    }

    // Malformed files: a usage/config error (2) naming the file; the file is untouched.
    for (i, text) in [
        "[rationale]\nrequired = \"yes\"\n",
        "not toml at all = = =\n",
        "[rationale]\nrequried = true\n",
    ]
    .into_iter()
    .enumerate()
    {
        let repo = env.fixture_in("history", &env.root.join(format!("bad-{i}")));
        std::fs::write(repo.join("trail.toml"), text).expect("write");
        let out = env.trail(&repo, ["init"]);
        out.assert_code(2);
        out.assert_stderr_has("trail.toml");
        assert_eq!(std::fs::read_to_string(repo.join("trail.toml")).expect("read"), text);
    }
}

// ---------------------------------------------------------------------------
// The environment: no repository, no journal

#[test]
fn every_command_outside_a_repository_exits_3() {
    let env = TestEnv::new();
    let outside = env.dir("not-a-repo");
    for args in COMMANDS {
        let out = env.trail(&outside, args);
        out.assert_code(3);
        let text = out.stderr.to_lowercase();
        assert!(
            text.contains("not") && text.contains("git repository"),
            "`trail {}` should say this is not a git repository:\n{out}",
            args.join(" ")
        );
    }
    assert!(
        std::fs::read_dir(&outside).expect("read").next().is_none(),
        "a command wrote into a non-repository"
    );
}

#[test]
fn commands_before_init_exit_3_with_a_hint() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    for args in COMMANDS.iter().filter(|a| a[0] != "init") {
        let out = env.trail(&repo, *args);
        out.assert_code(3);
        out.assert_stderr_has("trail init");
    }
    assert!(
        !repo.join(".git/trail/journal").exists(),
        "a command other than init created the journal"
    );
}

// ---------------------------------------------------------------------------
// trail import

#[test]
fn import_records_one_commit_record_per_commit() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = export_records(&env, &repo);
    let count: usize = env.git_ok(&repo, ["rev-list", "--count", "HEAD"]).parse().expect("a count");
    assert_eq!(count, 8, "the fixture changed; update this test");
    assert_eq!(records.len(), count);

    let commits: BTreeSet<String> =
        env.git_ok(&repo, ["rev-list", "HEAD"]).lines().map(str::to_owned).collect();
    let recorded: BTreeSet<String> =
        records.iter().map(|r| string(r, "commit").to_owned()).collect();
    assert_eq!(recorded, commits, "one record per commit, each commit once");

    let mut seen = BTreeSet::new();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(seq(r), i as u64 + 1);
        assert_eq!(string(r, "kind"), "commit");
        assert_eq!(string(r, "source"), "import");
        for parent in r.get("parents").and_then(Value::as_array).into_iter().flatten() {
            let parent = parent.as_str().expect("parent ids are strings");
            assert!(seen.contains(parent), "record {} comes before its parent {parent}", seq(r));
        }
        seen.insert(string(r, "commit").to_owned());
    }
    // Oldest first among independent commits: the fixture's numbering.
    let subjects: Vec<&str> =
        records.iter().map(|r| r["detail"]["subject"].as_str().unwrap_or("")).collect();
    assert_eq!(
        subjects,
        [
            "Initial import",
            "Add awkward file names",
            "Rename lib.rs to core.rs",
            "Remove old.txt",
            "Add the feature",
            "Extend core",
            "Merge branch feature",
            "Binary, symlink and odd names",
        ]
    );
}

#[test]
fn import_paths_match_git_diff_tree() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = by_commit(&export_records(&env, &repo));
    let mut statuses = BTreeSet::new();
    for (commit, record) in &records {
        let parents: Vec<String> = env
            .git_ok(&repo, ["rev-list", "--parents", "-n", "1", commit])
            .split(' ')
            .skip(1)
            .map(str::to_owned)
            .collect();
        let recorded_parents: Vec<String> = record
            .get("parents")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|p| p.as_str().expect("string").to_owned()).collect())
            .unwrap_or_default();
        assert_eq!(recorded_parents, parents, "parents of {commit}, in git's order");

        if parents.len() > 1 {
            assert!(record.get("paths").is_none(), "a merge lists no files (as git log): {record}");
            assert_eq!(record["detail"]["merge"], Value::Bool(true), "{record}");
            continue;
        }
        assert!(record["detail"].get("merge").is_none(), "merge only on merges: {record}");
        let expected = git_changes(&env, &repo, commit);
        assert!(!expected.is_empty());
        let actual = record_changes(record);
        assert_eq!(
            actual, expected,
            "paths of {commit} ({}) differ from git diff-tree -M",
            record["detail"]["subject"]
        );
        statuses.extend(actual.iter().map(|c| c.status.clone()));
    }
    // The fixture exercises every status trail writes for commits.
    assert_eq!(statuses, ["A", "D", "M", "R", "T"].map(str::to_owned).into_iter().collect());

    // Spot checks that do not depend on the parsing above.
    let rename = &records[&rev(&env, &repo, "main~4")];
    assert_eq!(rename["detail"]["subject"], "Rename lib.rs to core.rs");
    let entry = &rename["paths"][0];
    assert_eq!(
        (entry["path"].as_str(), entry["from"].as_str(), entry["status"].as_str()),
        (Some("src/core.rs"), Some("src/lib.rs"), Some("R"))
    );
    assert_eq!(string(entry, "blob"), env.git_ok(&repo, ["rev-parse", "main~4:src/core.rs"]));
    let last = &records[&rev(&env, &repo, "main")];
    let link = last["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == "link")
        .expect("link");
    assert_eq!((link["status"].as_str(), link["mode"].as_str()), (Some("T"), Some("120000")));
}

#[test]
fn import_reads_trailers_times_and_people() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = by_commit(&export_records(&env, &repo));
    for (commit, record) in &records {
        let trailer = |key: &str| {
            env.git_ok(
                &repo,
                [
                    "log",
                    "-1",
                    &format!("--format=%(trailers:key={key},valueonly,separator=%x00)"),
                    commit,
                ],
            )
        };
        for (field, key) in [("why", "Why"), ("impact", "Impact"), ("change_id", "Change-Id")] {
            let expected = trailer(key);
            if expected.is_empty() {
                assert!(
                    record.get(field).is_none(),
                    "{field} must be omitted when empty: {record}"
                );
            } else {
                assert_eq!(record[field].as_str(), Some(expected.as_str()), "{field} of {commit}");
            }
        }
        let time = string(record, "time");
        assert!(is_record_time(time), "time {time:?} is not UTC with 9 fractional digits and Z");
        assert_eq!(
            time,
            git_time(&env, &repo, commit, "%cd"),
            "time is the committer time, in UTC"
        );
        let detail = &record["detail"];
        assert_eq!(
            detail["subject"].as_str(),
            Some(env.git_ok(&repo, ["log", "-1", "--format=%s", commit]).as_str())
        );
        assert_eq!(detail["committer"]["time"].as_str(), Some(time));
        assert_eq!(
            detail["author"]["time"].as_str(),
            Some(git_time(&env, &repo, commit, "%ad").as_str())
        );
        assert_eq!(
            detail["author"]["name"].as_str(),
            Some(env.git_ok(&repo, ["log", "-1", "--format=%an", commit]).as_str())
        );
        assert_eq!(
            detail["author"]["email"].as_str(),
            Some(env.git_ok(&repo, ["log", "-1", "--format=%ae", commit]).as_str())
        );
        assert_eq!(detail["committer"]["name"].as_str(), Some(common::COMMITTER_NAME));
        assert_eq!(detail["committer"]["email"].as_str(), Some(common::COMMITTER_EMAIL));
        assert_eq!(record["actor"]["name"], detail["author"]["name"]);
        assert_eq!(record["actor"]["email"], detail["author"]["email"]);
    }
    // Written out once, so a bug shared by trail and the helpers above shows too.
    let awkward = &records[&rev(&env, &repo, "main~5")];
    assert_eq!(awkward["time"], "2021-02-01T10:00:00.000000000Z", "12:00 at +0200 is 10:00 UTC");
    assert_eq!(awkward["detail"]["author"]["time"], "2021-01-31T09:30:00.000000000Z");
    assert_eq!(awkward["why"], "prove trail keeps \"odd\" names losslessly — café");
    assert_eq!(awkward["impact"], "low");
    assert_eq!(awkward["change_id"], "I2000000000000000000000000000000000000020");
    assert_eq!(awkward["actor"]["name"], "Grace Hopper");
    let removal = &records[&rev(&env, &repo, "main~3")];
    assert_eq!(removal["detail"]["subject"], "Remove old.txt");
    assert!(removal.get("why").is_none() && removal.get("change_id").is_none(), "{removal}");
}

#[test]
fn import_keeps_non_utf8_and_newline_paths_losslessly() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = export_records(&env, &repo);
    let awkward = &records[1];
    assert_eq!(awkward["detail"]["subject"], "Add awkward file names");
    let paths = awkward["paths"].as_array().expect("paths");
    let raw = paths
        .iter()
        .find(|p| p.get("path_b64").is_some())
        .unwrap_or_else(|| panic!("no path_b64 entry for the non-UTF-8 file name: {awkward}"));
    assert!(raw.get("path").is_none(), "a non-UTF-8 path has only path_b64: {raw}");
    assert_eq!(path_bytes(raw, "path").expect("bytes"), b"data/not-utf8-\xff.bin");
    assert_eq!(raw["path_b64"], "ZGF0YS9ub3QtdXRmOC3/LmJpbg==");
    let newline = paths.iter().find(|p| p["path"] == "new\nline.txt");
    assert!(newline.is_some(), "the file name with a newline is kept as text: {awkward}");
    // The canonical bytes escape the newline: one record is still one line.
    let export = export_bytes(&env, &repo);
    assert!(find(&export, b"\"new\\nline.txt\"").is_some());
    // And the directory holding the non-UTF-8 name is queryable.
    assert_eq!(log_seqs(&env, &repo, ["--path", "data"]), [2]);
}

#[test]
fn import_is_idempotent_and_incremental() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let before = export_bytes(&env, &repo);
    let out = env.trail_ok(&repo, ["import"]);
    assert_eq!(export_bytes(&env, &repo), before, "a second import changed the journal:\n{out}");

    // A commit made without trail's hooks (as a teammate's commit arrives) is
    // picked up by the next import.
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    std::fs::write(repo.join("later.txt"), "later\n").expect("write");
    env.git_ok(&repo, ["add", "later.txt"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "Later"]);
    env.trail_ok(&repo, ["import"]);
    let after = export_bytes(&env, &repo);
    assert!(after.starts_with(&before), "import rewrote earlier records");
    let records = parse_json_lines(&after);
    assert_eq!(records.len(), 9, "exactly one more record");
    let new = &records[8];
    assert_eq!(string(new, "commit"), rev(&env, &repo, "HEAD"));
    assert_eq!(new["prev"], records[7]["hash"]);
    assert_eq!(new["paths"][0]["path"], "later.txt");
    assert_eq!(new["paths"][0]["status"], "A");
    env.trail_ok(&repo, ["import"]);
    assert_eq!(export_bytes(&env, &repo), after);
}

#[test]
fn import_of_a_range() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import", "main~2..main"]);
    let expected: BTreeSet<String> =
        env.git_ok(&repo, ["rev-list", "main~2..main"]).lines().map(str::to_owned).collect();
    assert_eq!(expected.len(), 3, "the fixture changed; update this test");
    let records = export_records(&env, &repo);
    let got: BTreeSet<String> = records.iter().map(|r| string(r, "commit").to_owned()).collect();
    assert_eq!(got, expected);

    // The rest of the history follows without duplicates.
    env.trail_ok(&repo, ["import"]);
    let records = export_records(&env, &repo);
    assert_eq!(records.len(), 8);
    let got: BTreeSet<String> = records.iter().map(|r| string(r, "commit").to_owned()).collect();
    assert_eq!(got.len(), 8);
    // A single commit as REVSPEC imports its history (nothing new here).
    env.trail_ok(&repo, ["import", "feature"]);
    assert_eq!(export_records(&env, &repo).len(), 8);
}

#[test]
fn import_with_a_bad_revspec_exits_2() {
    let env = TestEnv::new();
    let repo = env.fixture("history");
    env.trail_ok(&repo, ["init"]);
    for spec in ["no-such-branch", "main..no-such-branch", "main~99"] {
        let out = env.trail(&repo, ["import", spec]);
        out.assert_code(2);
        out.assert_stderr_has(spec.trim_start_matches("main.."));
    }
    assert!(export_bytes(&env, &repo).is_empty(), "a failed import recorded something");
}

// ---------------------------------------------------------------------------
// trail log

#[test]
fn log_lists_newest_first_as_a_table() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let out = env.trail_ok(&repo, ["log"]);
    let text = out.stdout_str();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "a header and 8 rows:\n{text}");
    let first_seq: Vec<&str> =
        lines[1..].iter().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(first_seq, ["8", "7", "6", "5", "4", "3", "2", "1"]);
    assert!(lines[1].contains("Binary, symlink and odd names"), "{text}");
    assert!(lines[8].contains("Initial import") && lines[8].contains("Ada Lovelace"), "{text}");
    assert!(lines[8].contains("2021-01-01"), "{text}");
    assert!(out.stderr.is_empty(), "{out}");
}

#[test]
fn log_path_file_and_rename_source() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(
        log_seqs(&env, &repo, ["--path", "src/lib.rs"]),
        [3, 2, 1],
        "the rename names its source"
    );
    assert_eq!(log_seqs(&env, &repo, ["--path", "src/core.rs"]), [6, 3]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "old.txt"]), [4, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "feature.txt"]), [5], "a merge lists no files");
    assert_eq!(
        log_seqs(&env, &repo, ["--path", "src/lib.rs", "--path", "feature.txt"]),
        [5, 3, 2, 1]
    );
    assert_eq!(log_seqs(&env, &repo, ["--path", "new\nline.txt"]), [2]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "no/such/file"]), Vec::<u64>::new());
    // A prefix matches whole path components only.
    assert_eq!(log_seqs(&env, &repo, ["--path", "sr"]), Vec::<u64>::new());
    assert_eq!(log_seqs(&env, &repo, ["--path", "src/core"]), Vec::<u64>::new());
}

#[test]
fn log_path_directory_prefix_relative_to_cwd() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(log_seqs(&env, &repo, ["--path", "src"]), [6, 3, 2, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "src/"]), [6, 3, 2, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "a"]), [1]);
    // From a subdirectory, paths are relative to it.
    assert_eq!(log_seqs(&env, &repo.join("a"), ["--path", "b"]), [1]);
    assert_eq!(log_seqs(&env, &repo.join("a/b"), ["--path", "c/deep.txt"]), [1]);
    assert_eq!(log_seqs(&env, &repo.join("src"), ["--path", "."]), [6, 3, 2, 1]);
    assert_eq!(log_seqs(&env, &repo.join("src"), ["--path", "core.rs"]), [6, 3]);
    assert_eq!(log_seqs(&env, &repo.join("src"), ["--path", "../docs"]), [8, 1]);
    assert_eq!(log_seqs(&env, &repo.join("a/b"), ["--path", "../../bin"]), [1]);
    // The same file by absolute path.
    let absolute = repo.join("src/core.rs");
    assert_eq!(
        log_seqs(&env, &repo.join("a"), ["--path", absolute.to_str().expect("utf-8")]),
        [6, 3]
    );
    // Without --path, a subdirectory does not narrow anything.
    assert_eq!(log_seqs(&env, &repo.join("a"), []).len(), 8);
    // A path outside the repository is a usage error.
    let out = env.trail(&repo, ["log", "--path", "../elsewhere"]);
    out.assert_code(2);
}

#[test]
fn log_path_with_spaces_and_unicode() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(log_seqs(&env, &repo, ["--path", "docs/read me.md"]), [8, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "notes/café.md"]), [8, 1]);
    assert_eq!(log_seqs(&env, &repo.join("notes"), ["--path", "café.md"]), [8, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "docs/read"]), Vec::<u64>::new());
    // The table shows such paths readably too.
    let out = env.trail_ok(&repo, ["show", "1"]);
    assert!(out.stdout_str().contains("docs/read me.md"), "{out}");
    assert!(out.stdout_str().contains("notes/café.md"), "{out}");
}

#[test]
fn log_since_until_rfc3339() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(log_seqs(&env, &repo, ["--since", "2021-03-15T00:00:00Z"]), [8, 7, 6, 5, 4]);
    assert_eq!(log_seqs(&env, &repo, ["--until", "2021-03-15T00:00:00Z"]), [3, 2, 1]);
    // The same instant with an offset.
    assert_eq!(log_seqs(&env, &repo, ["--since", "2021-03-15T02:00:00+02:00"]), [8, 7, 6, 5, 4]);
    // Both bounds are inclusive, to the second.
    assert_eq!(
        log_seqs(
            &env,
            &repo,
            ["--since", "2021-03-01T10:00:00Z", "--until", "2021-05-01T10:00:00Z"]
        ),
        [5, 4, 3]
    );
    assert_eq!(
        log_seqs(
            &env,
            &repo,
            ["--since", "2021-03-01T10:00:01Z", "--until", "2021-05-01T09:59:59Z"]
        ),
        [4]
    );
    // Record 2 was committed at 12:00 +0200, i.e. 10:00 UTC.
    assert_eq!(
        log_seqs(
            &env,
            &repo,
            ["--since", "2021-02-01T10:00:00Z", "--until", "2021-02-01T10:00:00Z"]
        ),
        [2]
    );
    // A bare date is midnight UTC.
    assert_eq!(log_seqs(&env, &repo, ["--since", "2021-05-02"]), [8, 7, 6]);
    // Time with other filters.
    assert_eq!(log_seqs(&env, &repo, ["--path", "src", "--since", "2021-03-15T00:00:00Z"]), [6]);
    assert_eq!(
        log_seqs(&env, &repo, ["--until", "2021-03-15T00:00:00Z", "--reverse", "-n", "2"]),
        [1, 2]
    );
}

#[test]
fn log_since_relative_phrases() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    // The history is from 2021: these answers hold whatever today's date is.
    assert_eq!(log_seqs(&env, &repo, ["--since", "100 years ago"]).len(), 8);
    assert_eq!(log_seqs(&env, &repo, ["--until", "1 day ago"]).len(), 8);
    assert_eq!(log_seqs(&env, &repo, ["--since", "2 days ago"]), Vec::<u64>::new());
    assert_eq!(log_seqs(&env, &repo, ["--until", "100 years ago"]), Vec::<u64>::new());
}

#[test]
fn log_since_100000_days_ago_includes_everything() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    // About 274 years: whatever today's date, every record of the history is newer.
    let out = env.trail(&repo, ["log", "--json", "--since", "100000 days ago"]);
    out.assert_code(0);
    assert_eq!(out.json_lines().len(), 8, "{out}");
    let out = env.trail(&repo, ["log", "--json", "--until", "100000 days ago"]);
    out.assert_code(0);
    assert!(out.stdout.is_empty(), "{out}");
}

#[test]
fn log_bad_since_exits_2() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    for (flag, value) in
        [("--since", "the day after never"), ("--until", "2021-13-45"), ("--since", "")]
    {
        let out = env.trail(&repo, ["log", flag, value]);
        out.assert_code(2);
        out.assert_stderr_has(flag);
        out.assert_stderr_has("RFC 3339");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn log_author_kind_commit_change_filters() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(log_seqs(&env, &repo, ["--author", "grace"]), [8, 4, 2]);
    assert_eq!(log_seqs(&env, &repo, ["--author", "ADA@EXAMPLE.ORG"]), [7, 6, 3, 1]);
    assert_eq!(
        log_seqs(&env, &repo, ["--author", "alan", "--author", "Grace Hopper"]),
        [8, 5, 4, 2]
    );
    assert_eq!(log_seqs(&env, &repo, ["--author", "nobody"]), Vec::<u64>::new());
    assert_eq!(log_seqs(&env, &repo, ["--author", "grace", "--path", "src"]), [2]);

    assert_eq!(log_seqs(&env, &repo, ["--kind", "commit"]).len(), 8);
    assert_eq!(log_seqs(&env, &repo, ["--kind", "fs"]), Vec::<u64>::new());
    // A kind family is dotted: `comm` matches no kind, and a filter that
    // can match nothing is refused rather than answered with nothing.
    env.trail(&repo, ["log", "--kind", "comm"])
        .assert_code(2)
        .assert_stderr_has("no record kind matches --kind comm");
    env.trail(&repo, ["log", "--kind", "bogus", "--json"])
        .assert_code(2)
        .assert_stderr_has("the kinds are: commit, commit.blocked");
    env.trail(&repo, ["log", "--since", "2026-11-22", "--until", "2026-11-20"])
        .assert_code(2)
        .assert_stderr_has("is after --until");
    assert_eq!(log_seqs(&env, &repo, ["--kind", "fs.modify", "--kind", "commit"]).len(), 8);

    let third = rev(&env, &repo, "main~4");
    assert_eq!(log_seqs(&env, &repo, ["--commit", &third]), [3]);
    assert_eq!(log_seqs(&env, &repo, ["--commit", &third[..7]]), [3]);
    assert_eq!(log_seqs(&env, &repo, ["--commit", &third[..7].to_uppercase()]), [3]);
    assert_eq!(log_seqs(&env, &repo, ["--commit", "0000000"]), Vec::<u64>::new());

    assert_eq!(
        log_seqs(&env, &repo, ["--change", "I5000000000000000000000000000000000000050"]),
        [5]
    );
    assert_eq!(log_seqs(&env, &repo, ["--change", "I5"]), [5]);
    assert_eq!(log_seqs(&env, &repo, ["--change", "I4"]), Vec::<u64>::new());
    assert_eq!(log_seqs(&env, &repo, ["--change", "I3", "--commit", &third[..7]]), [3]);
    assert_eq!(
        log_seqs(&env, &repo, ["--change", "I5", "--commit", &third[..7]]),
        Vec::<u64>::new()
    );
}

#[test]
fn log_limit_and_reverse() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    assert_eq!(log_seqs(&env, &repo, []), [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(log_seqs(&env, &repo, ["--reverse"]), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(log_seqs(&env, &repo, ["-n", "2"]), [8, 7]);
    assert_eq!(log_seqs(&env, &repo, ["--limit", "3", "--reverse"]), [1, 2, 3]);
    assert_eq!(log_seqs(&env, &repo, ["-n", "2", "--path", "src", "--reverse"]), [1, 2]);
    assert_eq!(log_seqs(&env, &repo, ["-n", "100"]).len(), 8);
    let out = env.trail_ok(&repo, ["log", "-n", "1"]);
    assert_eq!(out.stdout_str().lines().count(), 2, "a header and one row:\n{out}");
    env.trail(&repo, ["log", "-n", "two"]).assert_code(2);
}

#[test]
fn log_json_lines_equal_export_lines() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let export = export_bytes(&env, &repo);
    let export_lines = split_lines(&export);
    assert_eq!(export_lines.len(), 8);
    for args in [
        vec!["log", "--json"],
        vec!["log", "--json", "--reverse"],
        vec!["log", "--json", "--path", "src"],
        vec!["log", "--json", "--since", "2021-03-15T00:00:00Z"],
        vec!["log", "--json", "--author", "grace"],
    ] {
        let out = env.trail_ok(&repo, &args);
        let lines = split_lines(&out.stdout);
        assert!(!lines.is_empty(), "{out}");
        for line in lines {
            let record: Value = serde_json::from_slice(line).expect("JSON");
            let expected = export_lines[seq(&record) as usize - 1];
            assert_eq!(
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(expected),
                "`trail {}` printed a line that is not the stored record",
                args.join(" ")
            );
        }
    }
    let out = env.trail_ok(&repo, ["log", "--json", "--reverse"]);
    assert_eq!(out.stdout, export, "log --json --reverse of everything is the export");
}

#[test]
fn log_into_a_closed_pipe_exits_quietly() {
    let env = TestEnv::new();
    let repo = env.gen_history("big", &["--commits", "2000", "--files", "200"]);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);

    // `trail log | head -1`, `trail log --json | head -1`, `trail export | head -1`.
    for args in [&["log"][..], &["log", "--json"], &["export"]] {
        let mut cmd = env.trail_cmd(&repo);
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start trail");
        let stderr = common::drain(child.stderr.take().expect("stderr"));
        {
            let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("read one line");
            assert!(!line.is_empty(), "trail {} printed nothing", args.join(" "));
            // Dropping the reader closes the pipe with most of the output unread.
        }
        let status = common::wait_with_deadline(
            &mut child,
            Duration::from_secs(30),
            "trail into a closed pipe",
        );
        let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr")).into_owned();
        assert_ne!(
            status.code(),
            Some(101),
            "trail {} panicked on a closed pipe:\n{stderr}",
            args.join(" ")
        );
        assert!(!stderr.contains("panicked"), "trail {}:\n{stderr}", args.join(" "));
        assert_eq!(
            status.code(),
            Some(0),
            "trail {} into a closed pipe:\n{stderr}",
            args.join(" ")
        );
        assert_eq!(stderr, "", "trail {} into a closed pipe must be quiet", args.join(" "));
    }
}

// ---------------------------------------------------------------------------
// trail show

#[test]
fn show_by_seq_commit_and_change_id() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let third = rev(&env, &repo, "main~4");
    let by_seq = env.trail_ok(&repo, ["show", "3"]).stdout_str();
    for needle in [
        "Rename lib.rs to core.rs",
        third.as_str(),
        "src/lib.rs",
        "src/core.rs",
        "the crate is a library core, not the whole library",
        "imports of src/lib.rs must change",
        "I3000000000000000000000000000000000000030",
        "Ada Lovelace",
        "2021-03-01T10:00:00",
    ] {
        assert!(by_seq.contains(needle), "`trail show 3` lacks {needle:?}:\n{by_seq}");
    }
    let by_commit = env.trail_ok(&repo, ["show", &third[..8]]).stdout_str();
    assert_eq!(by_commit, by_seq, "show by abbreviated commit id");
    let by_full_commit = env.trail_ok(&repo, ["show", &third]).stdout_str();
    assert_eq!(by_full_commit, by_seq);
    let by_change =
        env.trail_ok(&repo, ["show", "I3000000000000000000000000000000000000030"]).stdout_str();
    assert_eq!(by_change, by_seq, "show by change id");
    let by_short_change = env.trail_ok(&repo, ["show", "I3"]).stdout_str();
    assert_eq!(by_short_change, by_seq, "show by abbreviated change id");
    // A merge shows both parents.
    let merge = env.trail_ok(&repo, ["show", "7"]).stdout_str();
    assert!(
        merge.contains(&rev(&env, &repo, "main~1^1"))
            && merge.contains(&rev(&env, &repo, "main~1^2")),
        "{merge}"
    );
}

#[test]
fn show_unknown_id_exits_2() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let commits = env.git_ok(&repo, ["rev-list", "--all"]);
    let mut ids = vec!["nosuchid".to_owned(), "I9".to_owned()];
    // Seqs outside the journal (unless, by chance, a commit id starts with the
    // digits, which would make them a valid abbreviation).
    for digits in ["0", "999"] {
        if !commits.lines().any(|c| c.starts_with(digits)) {
            ids.push(digits.to_owned());
        }
    }
    for id in ids {
        let out = env.trail(&repo, ["show", &id]);
        out.assert_code(2);
        out.assert_stderr_has(&id);
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn show_json_equals_export_line() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let export = export_bytes(&env, &repo);
    let lines = split_lines(&export);
    for (id, seq) in [
        ("3".to_owned(), 3usize),
        (rev(&env, &repo, "main")[..10].to_owned(), 8),
        ("I2".to_owned(), 2),
        ("1".to_owned(), 1),
    ] {
        let out = env.trail_ok(&repo, ["show", &id, "--json"]);
        let mut expected = lines[seq - 1].to_vec();
        expected.push(b'\n');
        assert_eq!(out.stdout_str(), String::from_utf8_lossy(&expected), "show {id} --json");
    }
}

// ---------------------------------------------------------------------------
// trail export

#[test]
fn export_passes_the_independent_verifier() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let export = export_bytes(&env, &repo);
    assert_eq!(split_lines(&export).len(), 8);
    assert!(!export.contains(&b'\r'));
    let out = independent_verify(&env, export);
    assert_eq!(out.status, Some(0), "verify_journal.py rejects trail's export:\n{out}");
    assert!(out.stdout.is_empty(), "{out}");
}

#[test]
fn export_to_file_writes_the_same_bytes() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let stdout = export_bytes(&env, &repo);
    let out = env.trail_ok(&repo, ["export", "-o", "journal.jsonl"]);
    assert!(out.stdout.is_empty(), "-o writes nothing to stdout:\n{out}");
    assert_eq!(std::fs::read(repo.join("journal.jsonl")).expect("the file"), stdout);
    let elsewhere = env.root.join("copy.jsonl");
    env.trail_ok(&repo.join("src"), ["export", "--output", elsewhere.to_str().expect("utf-8")]);
    assert_eq!(std::fs::read(&elsewhere).expect("the file"), stdout);
    // Overwrites an existing file whole; leaves no temporary file behind.
    std::fs::write(&elsewhere, "old contents that are longer than nothing").expect("write");
    env.trail_ok(&repo, ["export", "-o", elsewhere.to_str().expect("utf-8")]);
    assert_eq!(std::fs::read(&elsewhere).expect("the file"), stdout);
    let leftovers: Vec<_> = std::fs::read_dir(&env.root)
        .expect("read")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // An unwritable destination is an environment error.
    let out = env.trail(&repo, ["export", "-o", "/nonexistent-dir/x.jsonl"]);
    out.assert_code(3);
}

// ---------------------------------------------------------------------------
// Tampering and damage

#[test]
fn verify_passes_on_an_intact_journal() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let out = env.trail_ok(&repo, ["verify"]);
    assert!(out.stdout_str().contains("8 records"), "{out}");
    let quiet = env.trail_ok(&repo, ["verify", "-q"]);
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty(), "{quiet}");
}

#[test]
fn tamper_changed_byte_in_why_is_found_at_its_seq() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    // "the crate is ..." -> "The crate is ..."
    tamper_after(&repo, 3, "\"why\":\"", b'T');
    assert_verify_names(&env, &repo, 3);
    // The independent verifier agrees on the export.
    let out = independent_verify(&env, export_bytes(&env, &repo));
    assert_eq!(out.status, Some(1), "{out}");
    assert_eq!(out.stdout_str().trim(), "3", "{out}");
}

#[test]
fn tamper_changed_byte_in_path_is_found_at_its_seq() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    // "src/core.rs" -> "src/Core.rs"
    tamper_after(&repo, 3, "\"path\":\"src/", b'C');
    assert_verify_names(&env, &repo, 3);
}

#[test]
fn tamper_removed_record_is_found_at_its_seq() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    edit_tree(&repo, "records", |records| {
        assert!(records.remove(key(2)).expect("remove").is_some());
    });
    assert_verify_names(&env, &repo, 2);
}

#[test]
fn tamper_record_replaced_by_its_successor_is_found() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    edit_tree(&repo, "records", |records| {
        let fifth = records.get(key(5)).expect("read").expect("record 5");
        records.insert(key(4), fifth).expect("write");
    });
    assert_verify_names(&env, &repo, 4);
}

#[test]
fn tamper_removed_last_record_is_found() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    edit_tree(&repo, "records", |records| {
        assert!(records.remove(key(8)).expect("remove").is_some());
    });
    // meta still says the head is seq 8.
    assert_verify_names(&env, &repo, 8);
}

#[test]
fn damaged_index_is_reported_and_reindex_repairs_it() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    {
        let db = open_sled(&repo);
        let index = db.open_tree("idx_path").expect("idx_path");
        let mut wanted = b"src/core.rs\0".to_vec();
        wanted.extend_from_slice(&key(6));
        assert!(
            index.remove(&wanted).expect("remove").is_some(),
            "the index has no key for src/core.rs at seq 6"
        );
        db.flush().expect("flush");
    }
    let out = env.trail(&repo, ["verify"]);
    out.assert_code(1);
    out.assert_stderr_has("trail reindex");
    assert!(!out.stderr.contains("first bad record"), "index damage is not a bad record:\n{out}");
    env.trail_ok(&repo, ["reindex"]);
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(log_seqs(&env, &repo, ["--path", "src/core.rs"]), [6, 3]);
}

#[test]
fn locked_journal_exits_3_with_a_clear_message() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let held = open_sled(&repo);
    let started = Instant::now();
    let out = env.trail(&repo, ["log"]);
    let waited = started.elapsed();
    out.assert_code(3);
    assert!(waited < Duration::from_secs(10), "trail waited {waited:?} for the lock");
    out.assert_stderr_has("in use by another");
    assert!(!out.stderr.contains("could not acquire lock"), "raw sled error shown:\n{out}");
    assert!(!out.stderr.to_lowercase().contains("resource temporarily unavailable"), "{out}");
    drop(held);
    // Once released, trail works again.
    assert_eq!(log_seqs(&env, &repo, []).len(), 8);
}

#[test]
fn status_shows_count_head_hash_and_last_verify() {
    let env = TestEnv::new();
    let repo = imported_history(&env);
    let records = export_records(&env, &repo);
    let head_hash = string(records.last().expect("records"), "hash").to_owned();
    let status = env.trail_ok(&repo, ["status"]).stdout_str();
    let line = |word: &str| {
        status
            .lines()
            .find(|l| l.to_lowercase().contains(word))
            .unwrap_or_else(|| panic!("no {word:?} line:\n{status}"))
            .to_owned()
    };
    assert!(line("records").split_whitespace().any(|w| w == "8"), "{status}");
    assert!(line("head").split_whitespace().any(|w| w == head_hash), "{status}");
    assert!(line("journal").contains(&journal_dir(&repo).display().to_string()), "{status}");
    assert!(line("verif").contains("never"), "{status}");

    env.trail_ok(&repo, ["verify"]);
    let status = env.trail_ok(&repo, ["status"]).stdout_str();
    let verified =
        status.lines().find(|l| l.contains("verified")).expect("a verified line").to_lowercase();
    assert!(verified.contains("ok") && verified.contains('8'), "{status}");

    tamper_after(&repo, 3, "\"why\":\"", b'T');
    env.trail(&repo, ["verify"]).assert_code(1);
    let status = env.trail_ok(&repo, ["status"]).stdout_str();
    let verified =
        status.lines().find(|l| l.contains("verified")).expect("a verified line").to_lowercase();
    assert!(verified.contains("fail") && verified.contains("seq 3"), "{status}");
}

/// Where record 3's `why` text sits in sled's `db` file (sled 0.34 stores values
/// uncompressed), so that damage lands on journal data, not on unused space:
/// a small store's `db` is a 512 KiB segment that is mostly zeros.
fn offset_of_record_bytes(journal: &Path) -> usize {
    let db = std::fs::read(journal.join("db")).expect("read db");
    find(&db, b"the crate is a library core").expect("record 3's why in the db file")
}

/// Every command that reads the journal must refuse a damaged store: a non-zero
/// exit (not 101), a message that says the journal is damaged, no panic. (How
/// the message reads is checked by the `damaged_store_message_*` tests.)
#[track_caller]
fn assert_damage_reported(env: &TestEnv, repo: &Path, what: &str) {
    for args in [&["verify"][..], &["log"], &["status"], &["export"], &["show", "1"]] {
        let out = env.trail(repo, args);
        out.assert_no_panic();
        assert!(out.status.is_some(), "{what}: killed by a signal:\n{out}");
        assert_ne!(
            out.status,
            Some(0),
            "{what}: `trail {}` succeeded on a damaged store:\n{out}",
            args.join(" ")
        );
        out.assert_stderr_has("trail: error:");
        let text = out.stderr.to_lowercase();
        assert!(
            text.contains("damaged") || text.contains("corrupt"),
            "{what}: the message should say the journal is damaged:\n{out}"
        );
    }
}

fn damaged_history(env: &TestEnv, damage: impl FnOnce(&Path)) -> PathBuf {
    let repo = imported_history(env);
    damage(&journal_dir(&repo));
    repo
}

#[test]
fn damaged_store_empty_db_file() {
    let env = TestEnv::new();
    let repo =
        damaged_history(&env, |journal| std::fs::write(journal.join("db"), b"").expect("truncate"));
    assert_damage_reported(&env, &repo, "empty db");
}

#[test]
fn damaged_store_garbage_in_db_file() {
    let env = TestEnv::new();
    let repo = damaged_history(&env, |journal| {
        let db = journal.join("db");
        let mut bytes = std::fs::read(&db).expect("db");
        for chunk in bytes.chunks_mut(512) {
            chunk[..64].fill(0xA5);
        }
        std::fs::write(&db, bytes).expect("write");
    });
    assert_damage_reported(&env, &repo, "garbage in db");
}

#[test]
fn damaged_store_truncated_db_file() {
    let env = TestEnv::new();
    let repo = damaged_history(&env, |journal| {
        let cut = offset_of_record_bytes(journal) + 10;
        let file =
            std::fs::OpenOptions::new().write(true).open(journal.join("db")).expect("open db");
        file.set_len(cut as u64).expect("truncate");
    });
    // Either refused, or - at the very least - never reported intact with records gone.
    assert_damage_reported(&env, &repo, "db truncated inside record 3");
}

#[test]
fn damaged_store_one_byte_flipped_in_db_file() {
    let env = TestEnv::new();
    let repo = damaged_history(&env, |journal| {
        let at = offset_of_record_bytes(journal) + 4;
        let db = journal.join("db");
        let mut bytes = std::fs::read(&db).expect("db");
        bytes[at] ^= 0x20;
        std::fs::write(&db, bytes).expect("write");
    });
    assert_damage_reported(&env, &repo, "one byte of record 3 flipped in db");
}

#[test]
fn damaged_store_one_byte_flipped_in_conf() {
    let env = TestEnv::new();
    let repo = damaged_history(&env, |journal| {
        let conf = journal.join("conf");
        let mut bytes = std::fs::read(&conf).expect("conf");
        bytes[10] ^= 0x01;
        std::fs::write(&conf, bytes).expect("write");
    });
    assert_damage_reported(&env, &repo, "one byte flipped in conf");
}

#[test]
fn damaged_store_conf_replaced_by_garbage() {
    let env = TestEnv::new();
    let repo = damaged_history(&env, |journal| {
        std::fs::write(journal.join("conf"), b"garbage").expect("write")
    });
    // sled rebuilds an unreadable conf from its defaults, which are trail's: the
    // records are intact. Either trail refuses, or it still sees every record; it
    // never panics and never sprays escape codes into a pipe.
    let out = env.trail(&repo, ["verify"]);
    out.assert_no_panic();
    assert!(out.status.is_some(), "{out}");
    if out.status == Some(0) {
        assert!(out.stdout_str().contains("8 records"), "records lost silently:\n{out}");
    } else {
        out.assert_stderr_has("damaged");
    }
}

#[test]
fn damaged_store_message_has_no_terminal_escape_codes_in_a_pipe() {
    let env = TestEnv::new();
    // A damaged conf makes sled log warnings before trail reports the damage.
    let repo = damaged_history(&env, |journal| {
        let conf = journal.join("conf");
        let mut bytes = std::fs::read(&conf).expect("conf");
        bytes[10] ^= 0x01;
        std::fs::write(&conf, bytes).expect("write");
    });
    for args in [&["verify"][..], &["log"]] {
        let out = env.trail(&repo, args);
        out.assert_no_panic();
        assert!(!out.stderr.contains('\x1b'), "terminal escape codes in piped stderr:\n{out}");
    }
}

#[test]
fn damaged_store_message_from_verify_does_not_say_run_verify() {
    let env = TestEnv::new();
    let repo =
        damaged_history(&env, |journal| std::fs::write(journal.join("db"), b"").expect("truncate"));
    let out = env.trail(&repo, ["verify"]);
    out.assert_code(1);
    assert!(
        !out.stderr.contains("run `trail verify`"),
        "verify could not open the store, and its hint is to run verify:\n{out}"
    );
}

// ---------------------------------------------------------------------------
// --help

#[test]
fn every_command_has_help() {
    let env = TestEnv::new();
    let dir = env.dir("anywhere");
    let top = env.trail_ok(&dir, ["--help"]).stdout_str();
    for (command, says) in [
        ("init", "journal"),
        ("import", "history"),
        ("log", "records"),
        ("show", "record"),
        ("verify", "hash"),
        ("export", "json lines"),
        ("reindex", "index"),
        ("status", "records"),
    ] {
        assert!(top.contains(command), "`trail --help` does not list {command}:\n{top}");
        let out = env.trail_ok(&dir, [command, "--help"]);
        let text = out.stdout_str();
        assert!(text.contains("Usage:") && text.contains(command), "{out}");
        assert!(
            text.to_lowercase().contains(says),
            "`trail {command} --help` should say it works on {says}:\n{out}"
        );
        // The long help is more than the usage line: it explains the command.
        assert!(text.lines().filter(|l| !l.trim().is_empty()).count() >= 4, "{out}");
    }
    let out = env.trail(&dir, ["no-such-command"]);
    out.assert_code(2);
}

#[test]
fn import_checkpoints_as_it_goes_and_the_chain_holds_exactly_the_journal() {
    let env = TestEnv::new();
    let repo = env.gen_history("history", &["--commits", "1200", "--files", "100"]);
    env.trail_ok(&repo, ["init"]);
    // Checkpoints every 300 records while importing (the default is 10,000),
    // the rest at the end. How many commits that makes depends on how the
    // threads meet; what they hold must not.
    env.trail_ok(&repo, ["import", "--batch", "100", "--checkpoint-every", "300"]);
    let export = export_bytes(&env, &repo);
    assert_eq!(export.iter().filter(|b| **b == b'\n').count(), 1200);

    let subjects = env.git_ok(&repo, ["log", "--reverse", "--format=%s %H", "refs/trail/journal"]);
    let mut next = 1u64;
    let mut segments = Vec::new();
    for line in subjects.lines() {
        let (range, commit) = line
            .strip_prefix("trail checkpoint: seq ")
            .and_then(|rest| rest.split_once(' '))
            .unwrap_or_else(|| panic!("not a checkpoint commit: {line}"));
        let (first, last) = range.split_once("..").expect("a seq range");
        assert_eq!(first.parse::<u64>().expect("a seq"), next, "segments:\n{subjects}");
        next = last.parse::<u64>().expect("a seq") + 1;
        let mut cmd = env.command("git", &repo);
        cmd.args(["cat-file", "blob", &format!("{commit}:records.jsonl")]);
        let out = common::run(cmd, common::PROCESS_TIMEOUT);
        out.assert_code(0);
        segments.extend(out.stdout);
    }
    assert_eq!(next, 1201, "the chain ends at the journal's head:\n{subjects}");
    assert_eq!(segments, export, "the segments, end to end, are the export");
    // Nothing is left to checkpoint, and the chain matches the store.
    env.trail_ok(&repo, ["sync", "checkpoint"]).assert_stderr_has("nothing");
}
