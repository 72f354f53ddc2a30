//! `trail timeline` and `trail restore` end to end: states recorded by the
//! hooks (saves by the watcher are covered with it), renames followed, the
//! content brought back byte for byte, unrecorded work never overwritten.

mod common;

use std::path::{Path, PathBuf};

use common::TestEnv;

fn repo_with_history(env: &TestEnv) -> PathBuf {
    let repo = env.dir("app");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("trail.toml"), "[rationale]\nrequired = false\n").expect("write");
    env.trail_ok(&repo, ["init"]);
    env.git_ok(&repo, ["add", "trail.toml"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "policy"]);
    for (content, message) in [("one\n", "first"), ("two\n", "second")] {
        std::fs::write(repo.join("notes.txt"), content).expect("write");
        env.git_ok(&repo, ["add", "notes.txt"]);
        env.git_ok(&repo, ["commit", "-q", "-m", message]);
    }
    env.git_ok(&repo, ["mv", "notes.txt", "guide.txt"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "rename"]);
    // Binary content with every byte value, to compare byte for byte.
    let bytes: Vec<u8> = (0..=255u8).rev().collect();
    std::fs::write(repo.join("guide.txt"), &bytes).expect("write");
    env.git_ok(&repo, ["commit", "-q", "-am", "binary"]);
    repo
}

fn states(env: &TestEnv, repo: &Path, path: &str) -> Vec<serde_json::Value> {
    env.trail_ok(repo, ["timeline", "--json", path]).json_lines()
}

#[test]
fn the_timeline_follows_renames_and_restore_brings_back_every_state() {
    let env = TestEnv::new();
    let repo = repo_with_history(&env);
    let all = states(&env, &repo, "guide.txt");
    let paths: Vec<&str> = all.iter().filter_map(|s| s["path"].as_str()).collect();
    assert_eq!(paths, ["notes.txt", "notes.txt", "guide.txt", "guide.txt"], "{all:#?}");
    assert_eq!(all[2]["from"], "notes.txt");
    let seqs: Vec<u64> = all.iter().filter_map(|s| s["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first: {seqs:?}");
    // Without following, the history starts at the rename.
    let own = env.trail_ok(&repo, ["timeline", "--json", "--no-follow", "guide.txt"]).json_lines();
    assert_eq!(own.len(), 2, "{own:#?}");
    // Each state's content, to stdout, byte for byte.
    for (state, expected) in all.iter().zip([&b"one\n"[..], b"two\n", b"two\n"]) {
        let seq = state["seq"].as_u64().expect("seq").to_string();
        let out = env.trail_ok(&repo, ["restore", "guide.txt", "--at", &seq, "--to", "-"]);
        assert_eq!(out.stdout, expected, "state {seq}");
    }
    // In place: the work tree holds the last recorded state, so it may be replaced.
    let first = all[0]["seq"].as_u64().expect("seq").to_string();
    env.trail_ok(&repo, ["restore", "guide.txt", "--at", &first]);
    assert_eq!(std::fs::read(repo.join("guide.txt")).expect("read"), b"one\n");
    // What restore wrote is a recorded state too, though not the latest: a
    // second restore right after the first may replace it.
    let second = all[1]["seq"].as_u64().expect("seq").to_string();
    env.trail_ok(&repo, ["restore", "guide.txt", "--at", &second]);
    assert_eq!(std::fs::read(repo.join("guide.txt")).expect("read"), b"two\n");
}

#[test]
fn restore_never_overwrites_unrecorded_work() {
    let env = TestEnv::new();
    let repo = repo_with_history(&env);
    let all = states(&env, &repo, "guide.txt");
    let first = all[0]["seq"].as_u64().expect("seq").to_string();
    std::fs::write(repo.join("guide.txt"), "unsaved work\n").expect("write");
    env.trail(&repo, ["restore", "guide.txt", "--at", &first])
        .assert_code(1)
        .assert_stderr_has("not recorded");
    assert_eq!(std::fs::read(repo.join("guide.txt")).expect("read"), b"unsaved work\n");
    // Elsewhere is fine; --force overwrites.
    let out = repo.join("old.txt");
    env.trail_ok(
        &repo,
        ["restore", "guide.txt", "--at", &first, "--to", out.to_str().expect("utf-8")],
    );
    assert_eq!(std::fs::read(&out).expect("read"), b"one\n");
    env.trail_ok(&repo, ["restore", "guide.txt", "--at", &first, "--force"]);
    assert_eq!(std::fs::read(repo.join("guide.txt")).expect("read"), b"one\n");
}

#[test]
fn restore_explains_what_cannot_be_restored() {
    let env = TestEnv::new();
    let repo = repo_with_history(&env);
    env.trail(&repo, ["restore", "missing.txt", "--at", "1"])
        .assert_code(2)
        .assert_stderr_has("no record of missing.txt");
    env.trail(&repo, ["restore", "guide.txt", "--at", "1"])
        .assert_code(2)
        .assert_stderr_has("no recorded state at or before 1");
    env.trail(&repo, ["restore", "guide.txt", "--at", "next tuesday-ish"]).assert_code(2);
    // A deleted file: its last state is the deletion.
    env.git_ok(&repo, ["rm", "-q", "guide.txt"]);
    env.git_ok(&repo, ["commit", "-q", "-m", "gone"]);
    let all = states(&env, &repo, "guide.txt");
    let last = all.last().expect("states")["seq"].as_u64().expect("seq").to_string();
    env.trail(&repo, ["restore", "guide.txt", "--at", &last])
        .assert_code(2)
        .assert_stderr_has("did not exist");
    // The state before the deletion is still there.
    let before = all[all.len() - 2]["seq"].as_u64().expect("seq").to_string();
    env.trail_ok(&repo, ["restore", "guide.txt", "--at", &before]);
    let bytes: Vec<u8> = (0..=255u8).rev().collect();
    assert_eq!(std::fs::read(repo.join("guide.txt")).expect("read"), bytes);
}

// `trail restore --to /dev/null` would have replaced the device with a file
// (the same rename as a work-tree restore); a FIFO stands in for it.
#[test]
fn restore_to_a_fifo_writes_into_it_and_leaves_it_a_fifo() {
    use std::io::Read as _;
    use std::os::unix::fs::FileTypeExt as _;
    let env = TestEnv::new();
    let repo = repo_with_history(&env);
    let first = states(&env, &repo, "guide.txt")[0]["seq"].as_u64().expect("seq").to_string();
    let fifo = env.root.join("state.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
    assert!(made.success());
    let path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&path).expect("open the FIFO").read_to_end(&mut bytes).expect("read");
        bytes
    });
    env.trail_ok(
        &repo,
        ["restore", "guide.txt", "--at", &first, "--to", fifo.to_str().expect("utf-8")],
    );
    // Checked before joining: a reader of a FIFO that was replaced waits forever.
    let kind = std::fs::symlink_metadata(&fifo).expect("stat the FIFO").file_type();
    assert!(kind.is_fifo(), "{} is no longer a FIFO: {kind:?}", fifo.display());
    assert_eq!(reader.join().expect("the reader thread"), b"one\n");
}
