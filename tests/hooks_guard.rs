//! The hooks that guard rather than document: a malformed CHANGELOG.md stops
//! a commit, pre-push stops a push while the journal fails verification, and
//! branch movements are recorded. Real git, the real binary, a real bare remote.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn repo(env: &TestEnv) -> PathBuf {
    let repo = env.dir("repo");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.trail_ok(&repo, ["init"]);
    std::fs::create_dir_all(repo.join("src")).expect("mkdir");
    std::fs::write(repo.join("src/a.rs"), "a\n").expect("write");
    commit(env, &repo, &["add", "-A"], "first");
    repo
}

/// `git ARGS` (when given), then `git commit -q -m MSG` with a rationale.
fn commit(env: &TestEnv, repo: &Path, add: &[&str], message: &str) -> Output {
    if !add.is_empty() {
        env.git_ok(repo, add);
    }
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", message])
        .env("TRAIL_WHY", "a test")
        .env("TRAIL_IMPACT", "none");
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

fn head(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-parse", "HEAD"])
}

#[test]
fn a_malformed_changelog_stops_the_commit_naming_file_and_line() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let before = head(&env, &repo);
    let broken = "# Changelog\n\n## [Unreleased]\n\n<<<<<<< HEAD\n- mine\n=======\n- theirs\n>>>>>>> other\n";
    std::fs::write(repo.join("src/CHANGELOG.md"), broken).expect("write");
    std::fs::write(repo.join("src/a.rs"), "a2\n").expect("write");
    let out = commit(&env, &repo, &["add", "-A"], "second");
    out.assert_code(1);
    out.assert_stderr_has("src/CHANGELOG.md:5");
    assert_eq!(head(&env, &repo), before, "nothing was committed");
    assert_eq!(
        std::fs::read_to_string(repo.join("src/CHANGELOG.md")).expect("read"),
        broken,
        "a file trail cannot parse is never rewritten"
    );

    // Configured to skip such files: the commit goes through, the file stays.
    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    let policy = policy.replace("malformed = \"refuse\"", "malformed = \"skip\"");
    assert!(policy.contains("malformed = \"skip\""), "the default policy names the setting");
    std::fs::write(repo.join("trail.toml"), policy).expect("write");
    let out = commit(&env, &repo, &["add", "-A"], "second");
    out.assert_code(0);
    out.assert_stderr_has("src/CHANGELOG.md:5");
    let committed = env.git_ok(&repo, ["show", "HEAD:src/CHANGELOG.md"]);
    assert_eq!(format!("{committed}\n"), broken);
}

#[test]
fn pre_push_refuses_while_the_journal_fails_verification() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let remote = env.dir("remote.git");
    env.git_ok(&remote, ["init", "-q", "--bare"]);
    env.git_ok(&repo, ["remote", "add", "origin", remote.to_str().expect("utf-8 temp path")]);

    env.git_ok(&repo, ["push", "-q", "origin", "main"]);
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), head(&env, &repo));

    // Alter the first record's bytes directly in the sled tree.
    {
        let db = sled::open(common::settled_journal(&repo)).expect("open the store");
        let records = db.open_tree("records").expect("records tree");
        let key = 1u64.to_be_bytes();
        let mut bytes = records.get(key).expect("read").expect("record 1").to_vec();
        let at = bytes.iter().position(|&b| b == b'"').expect("a string") + 1;
        bytes[at] ^= 0x01;
        records.insert(key, bytes).expect("write");
        db.flush().expect("flush");
    }
    std::fs::write(repo.join("src/a.rs"), "a3\n").expect("write");
    commit(&env, &repo, &["add", "-A"], "third");
    let pushed_before = env.git_ok(&remote, ["rev-parse", "main"]);
    let out = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_ne!(out.status, Some(0), "the push must be refused:\n{out}");
    out.assert_stderr_has("push refused");
    out.assert_stderr_has("seq 1");
    assert_eq!(
        env.git_ok(&remote, ["rev-parse", "main"]),
        pushed_before,
        "the remote did not move"
    );
}

#[test]
fn branch_checkouts_and_merges_are_recorded_as_ref_updates() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let first = head(&env, &repo);
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    std::fs::write(repo.join("src/b.rs"), "b\n").expect("write");
    commit(&env, &repo, &["add", "-A"], "on topic");
    let topic = head(&env, &repo);
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    env.git_ok(&repo, ["merge", "-q", "--ff-only", "topic"]);

    let updates = env.trail_json(&repo, ["log", "--json", "--kind", "ref.update", "--reverse"]);
    let ops: Vec<(String, String, String)> = updates
        .iter()
        .map(|r| {
            (
                r["detail"]["operation"].as_str().unwrap_or_default().to_owned(),
                r["ref"].as_str().unwrap_or_default().to_owned(),
                r["detail"]["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("checkout".to_owned(), "refs/heads/topic".to_owned(), first.clone()),
            ("checkout".to_owned(), "refs/heads/main".to_owned(), first.clone()),
            ("merge".to_owned(), "refs/heads/main".to_owned(), topic.clone()),
        ],
        "{updates:#?}"
    );
    assert_eq!(updates[2]["detail"]["from"], first.as_str());
    // Checking out a file moves no ref and records nothing.
    std::fs::write(repo.join("src/a.rs"), "scribble\n").expect("write");
    env.git_ok(&repo, ["checkout", "--", "src/a.rs"]);
    assert_eq!(env.trail_json(&repo, ["log", "--json", "--kind", "ref.update"]).len(), 3);
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn trail_commit_asks_on_a_terminal_for_what_is_missing() {
    let env = TestEnv::new();
    let repo = repo(&env);
    std::fs::write(repo.join("src/a.rs"), "a2\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    // `script` (util-linux) gives trail a terminal; the answers arrive on it.
    let mut cmd = env.command("script", &repo);
    cmd.args(["-qec", "trail commit -m 'asked'", "/dev/null"]);
    let out =
        run_with_input(cmd, b"the parser dropped input\nparser only\n".to_vec(), PROCESS_TIMEOUT);
    out.assert_code(0);
    let shown = out.stdout_str();
    assert!(shown.contains("Why is this change needed"), "{shown}");
    assert!(shown.contains("What does it affect"), "{shown}");
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Why: the parser dropped input"), "{message}");
    assert!(message.contains("Impact: parser only"), "{message}");
}
