//! `trail import` of histories with merges (issue 20, item 9): a merge
//! records the paths where its result differs from every parent — what
//! `git diff-tree -c` lists — as the hooks record it; a clean merge none.
//! Real git, the real binary, compared with git's own output in the test.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::TestEnv;

fn write(repo: &Path, path: &str, text: &str) {
    std::fs::write(repo.join(path), text).expect("write");
}

fn commit(env: &TestEnv, repo: &Path, subject: &str) {
    env.git_ok(repo, ["add", "-A"]);
    env.git_ok(repo, ["commit", "-q", "--no-verify", "-m", subject]);
}

/// A history (no trail hooks while it is made) with a clean merge, a merge
/// whose conflict was resolved with content neither side had, and an "evil"
/// merge that also edits a file neither side touched.
fn history(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir("merges");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    for (path, text) in [("a.txt", "base\n"), ("b.txt", "base\n"), ("c.txt", "base\n")] {
        write(&repo, path, text);
    }
    commit(env, &repo, "base");
    // A clean merge: the sides touched different files.
    env.git_ok(&repo, ["checkout", "-q", "-b", "clean"]);
    write(&repo, "b.txt", "clean side\n");
    commit(env, &repo, "clean side");
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo, "c.txt", "main side\n");
    commit(env, &repo, "main side");
    env.git_ok(&repo, ["merge", "-q", "--no-edit", "--no-verify", "clean"]);
    // A conflict on a.txt resolved with new content, and an edit of c.txt.
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    write(&repo, "a.txt", "topic\n");
    commit(env, &repo, "topic");
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo, "a.txt", "main\n");
    commit(env, &repo, "main");
    let merge = env.git(&repo, ["merge", "-q", "--no-verify", "topic"]);
    assert_ne!(merge.status, Some(0), "a conflict: {merge}");
    write(&repo, "a.txt", "resolved\n");
    write(&repo, "c.txt", "edited while merging\n");
    commit(env, &repo, "merge topic");
    repo
}

#[test]
fn an_imported_merge_records_what_git_diff_tree_c_lists() {
    let env = TestEnv::new();
    let repo = history(&env);
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let records = env.trail_json(&repo, ["log", "--json", "--reverse"]);
    let merges: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["kind"] == "commit" && r["parents"].as_array().is_some_and(|p| p.len() > 1))
        .collect();
    assert_eq!(merges.len(), 2, "two merges imported");
    let mut seen = BTreeMap::new();
    for merge in merges {
        let id = merge["commit"].as_str().expect("a commit id");
        let ours: Vec<String> = merge["paths"]
            .as_array()
            .expect("paths")
            .iter()
            .map(|p| p["path"].as_str().expect("a path").to_owned())
            .collect();
        let git = env.git_ok(&repo, ["diff-tree", "-c", "-r", "--name-only", "--no-commit-id", id]);
        let theirs: Vec<String> = git.lines().map(str::to_owned).collect();
        assert_eq!(ours, theirs, "merge {id}: trail {ours:?}, git diff-tree -c {theirs:?}");
        seen.insert(merge["detail"]["subject"].as_str().unwrap_or("").to_owned(), ours);
    }
    assert_eq!(seen.get("merge topic"), Some(&vec!["a.txt".to_owned(), "c.txt".to_owned()]));
    assert_eq!(seen.get("Merge branch 'clean'"), Some(&Vec::new()), "a clean merge: none");
    // `trail log --path` finds the conflict resolution.
    let a = env.trail_json(&repo, ["log", "--json", "--path", "a.txt"]);
    assert!(a.iter().any(|r| r["detail"]["subject"] == "merge topic"), "{a:?}");
}
