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
        // A record names no paths by leaving `paths` out.
        let ours: Vec<String> = merge["paths"]
            .as_array()
            .map(|paths| {
                paths.iter().map(|p| p["path"].as_str().expect("a path").to_owned()).collect()
            })
            .unwrap_or_default();
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

/// Issue 20, item 7: `trail log --path .` at the top is a filter (records
/// that name a path; an empty commit names none), as `git log -- .` drops
/// empty commits.
#[test]
fn log_path_dot_at_the_root_lists_what_changed_a_file() {
    let env = TestEnv::new();
    let repo = env.dir("dot");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo, "a.txt", "a\n");
    commit(&env, &repo, "add a");
    env.git_ok(&repo, ["commit", "-q", "--allow-empty", "--no-verify", "-m", "nothing"]);
    std::fs::create_dir_all(repo.join("sub")).expect("mkdir");
    write(&repo, "sub/b.txt", "b\n");
    commit(&env, &repo, "add b");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let subjects = |cwd: &Path, path: &str| -> Vec<String> {
        env.trail_json(cwd, ["log", "--json", "--kind", "commit", "--path", path])
            .iter()
            .map(|r| r["detail"]["subject"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let git: Vec<String> =
        env.git_ok(&repo, ["log", "--format=%s", "--", "."]).lines().map(str::to_owned).collect();
    assert_eq!(git, vec!["add b", "add a"]);
    assert_eq!(subjects(&repo, "."), git, "trail log --path . = git log -- .");
    assert_eq!(subjects(&repo, "./"), git);
    assert_eq!(subjects(&repo.join("sub"), ".."), git, "the root named from below");
    assert_eq!(subjects(&repo.join("sub"), "."), vec!["add b"]);
    let all = env.trail_json(&repo, ["log", "--json", "--kind", "commit"]);
    assert_eq!(all.len(), 3, "without --path the empty commit is listed");
}

/// Issue 20, item 7: `trail timeline --json` keeps a non-UTF-8 path's bytes
/// (`path_b64`, as records do) instead of replacing them.
#[test]
fn timeline_json_keeps_a_non_utf8_path() {
    use std::os::unix::ffi::OsStrExt as _;
    let env = TestEnv::new();
    let repo = env.dir("bytes");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    let name: &[u8] = b"caf\xe9.txt";
    std::fs::write(repo.join(std::ffi::OsStr::from_bytes(name)), "x\n").expect("write");
    commit(&env, &repo, "latin-1 name");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["timeline", "--json"]).arg(std::ffi::OsStr::from_bytes(name));
    let out = common::run(cmd, common::PROCESS_TIMEOUT);
    out.assert_code(0);
    let states = out.json_lines();
    assert_eq!(states.len(), 1, "{states:?}");
    assert!(states[0].get("path").is_none(), "no lossy path: {}", states[0]);
    assert_eq!(common::path_bytes(&states[0], "path").as_deref(), Some(name), "{}", states[0]);
}

/// Issue 20, item 7: `--author` applies the mailmap, as `git log --author`
/// does by default; `--no-mailmap` matches what the commits say.
#[test]
fn author_matches_through_the_mailmap_like_git_log() {
    let env = TestEnv::new();
    let repo = env.dir("mailmap");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    let as_who = |name: &str, email: &str, file: &str| {
        write(&repo, file, file);
        env.git_ok(&repo, ["add", "-A"]);
        // The test environment sets GIT_AUTHOR_*: who commits is said there.
        let mut cmd = env.command("git", &repo);
        cmd.args(["commit", "-q", "--no-verify", "-m", file])
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email);
        common::run(cmd, common::PROCESS_TIMEOUT).assert_code(0);
    };
    as_who("Ada L", "ada@old.example", "one");
    as_who("Ada Lovelace", "ada@new.example", "two");
    as_who("Bob", "bob@example.com", "three");
    write(&repo, ".mailmap", "Ada Lovelace <ada@new.example> <ada@old.example>\n");
    commit(&env, &repo, "mailmap");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    let count = |args: &[&str]| {
        let mut all = vec!["log", "--json", "--kind", "commit"];
        all.extend_from_slice(args);
        env.trail_json(&repo, all).len()
    };
    let git = |args: &[&str]| {
        let mut all = vec!["log", "--format=%H"];
        all.extend_from_slice(args);
        env.git_ok(&repo, all).lines().count()
    };
    for who in ["Lovelace", "ada@new.example", "ada@old", "Ada L"] {
        assert_eq!(
            count(&["--author", who]),
            git(&[&format!("--author={who}")]),
            "--author {who}: trail and git log agree"
        );
    }
    assert_eq!(count(&["--author", "Lovelace"]), 2, "the old address counts as Ada's");
    assert_eq!(count(&["--author", "Lovelace", "--no-mailmap"]), 1);
    assert_eq!(
        count(&["--author", "ada@old", "--no-mailmap"]),
        git(&["--no-mailmap", "--author=ada@old"])
    );
}

/// Issue 20, item 8: only HEAD's history was imported. `--all` imports
/// every branch, tag and remote-tracking branch, several revisions may be
/// given, `^REV` leaves a history out, and a second run imports nothing.
#[test]
fn import_all_takes_every_branch_and_tag_and_revisions_combine() {
    let env = TestEnv::new();
    let repo = env.dir("all");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo, "a.txt", "1\n");
    commit(&env, &repo, "main 1");
    env.git_ok(&repo, ["checkout", "-q", "-b", "feature"]);
    write(&repo, "f.txt", "f\n");
    commit(&env, &repo, "feature 1");
    write(&repo, "f.txt", "ff\n");
    commit(&env, &repo, "feature 2");
    env.git_ok(&repo, ["checkout", "-q", "--detach", "main"]);
    write(&repo, "t.txt", "t\n");
    commit(&env, &repo, "tagged only");
    env.git_ok(&repo, ["tag", "-a", "-m", "a tag", "v1"]);
    env.git_ok(&repo, ["tag", "tree-tag", "HEAD^{tree}"]);
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo, "a.txt", "2\n");
    commit(&env, &repo, "main 2");
    // A stash is not history to import (as trail documents; git's --all has it).
    write(&repo, "a.txt", "wip\n");
    env.git_ok(&repo, ["stash", "-q"]);
    env.trail_ok(&repo, ["init"]);

    let imported = |args: &[&str]| -> u64 {
        let mut all = vec!["import", "--json"];
        all.extend_from_slice(args);
        let out = env.trail_ok(&repo, all);
        out.json_lines()[0]["imported"].as_u64().expect("imported")
    };
    let git_count = |args: &[&str]| -> u64 {
        let mut all = vec!["rev-list", "--count"];
        all.extend_from_slice(args);
        env.git_ok(&repo, all).trim().parse().expect("a count")
    };
    assert_eq!(imported(&["main", "^feature"]), git_count(&["main", "^feature"]), "main 2 only");
    assert_eq!(imported(&[]), 1, "then HEAD adds main 1");
    assert_eq!(imported(&["feature", "v1"]), git_count(&["feature", "v1", "^main"]));
    let everything = git_count(&["--branches", "--tags", "--remotes", "HEAD"]);
    assert_eq!(imported(&["--all"]), 0, "all of it is in by now");
    let recorded = env.trail_json(&repo, ["log", "--json", "--kind", "commit"]).len() as u64;
    assert_eq!(recorded, everything, "every commit of every branch and tag, once");

    // From scratch in a clone (feature is a remote-tracking branch there):
    // --all alone.
    let fresh = env.root.join("all-fresh");
    env.git_ok(&env.root, ["clone", "-q", repo.to_str().expect("utf-8"), "all-fresh"]);
    env.trail_ok(&fresh, ["init"]);
    let out = env.trail_ok(&fresh, ["import", "--all", "--json"]);
    assert_eq!(out.json_lines()[0]["imported"].as_u64(), Some(everything));
    let again = env.trail_ok(&fresh, ["import", "--all", "--json"]);
    assert_eq!(again.json_lines()[0]["imported"].as_u64(), Some(0), "idempotent");
}

/// The records of the journal in `repo` without what differs between two
/// imports of one history: the draft ids (made fresh each time) and the
/// hashes that cover them.
fn imported_records(env: &TestEnv, repo: &Path) -> Vec<serde_json::Value> {
    env.trail_json(repo, ["export"])
        .into_iter()
        .map(|mut record| {
            let members = record.as_object_mut().expect("an object");
            for member in ["draft", "hash", "prev"] {
                members.remove(member);
            }
            record
        })
        .collect()
}

/// `trail import` describes commits on several threads (issue 20's speed);
/// the journal must not depend on how many: the same records, in the same
/// order, as one thread writes them, across several chunks per thread and
/// merges among them.
#[test]
fn an_import_on_several_threads_records_what_one_thread_records() {
    let env = TestEnv::new();
    let repo = env
        .gen_history("many", &["--commits", "700", "--files", "60", "--dirs", "8", "--checkout"]);
    // Merges on top, one of them with a conflict resolved by hand.
    env.git_ok(&repo, ["config", "user.name", "T"]);
    env.git_ok(&repo, ["config", "user.email", "t@example.com"]);
    let files: Vec<String> =
        env.git_ok(&repo, ["ls-files"]).lines().take(2).map(str::to_owned).collect();
    for round in 0..3 {
        env.git_ok(&repo, ["checkout", "-q", "-b", &format!("topic{round}")]);
        write(&repo, &files[0], &format!("topic {round}\n"));
        commit(&env, &repo, "topic");
        env.git_ok(&repo, ["checkout", "-q", "-"]);
        write(&repo, &files[0], &format!("main {round}\n"));
        write(&repo, &files[1], &format!("main {round}\n"));
        commit(&env, &repo, "main");
        let merge = env.git(&repo, ["merge", "-q", "--no-verify", &format!("topic{round}")]);
        assert_ne!(merge.status, Some(0), "a conflict: {merge}");
        write(&repo, &files[0], &format!("resolved {round}\n"));
        commit(&env, &repo, "merge");
    }
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import", "--threads", "1"]);
    let one = imported_records(&env, &repo);
    assert_eq!(one.len(), 700 + 9, "every commit once");
    let merges: Vec<_> =
        one.iter().filter(|r| r["parents"].as_array().is_some_and(|p| p.len() > 1)).collect();
    assert_eq!(merges.len(), 3, "three merges");
    assert!(
        merges.iter().all(|r| r["paths"].as_array().is_some_and(|p| !p.is_empty())),
        "each merge records its resolved file: {merges:?}"
    );

    for threads in ["2", "3"] {
        common::remove_trail_dir(&repo, &repo.join(".git/trail"));
        env.git_ok(&repo, ["update-ref", "-d", "refs/trail/journal"]);
        env.trail_ok(&repo, ["init"]);
        env.trail_ok(&repo, ["import", "--threads", threads]);
        let many = imported_records(&env, &repo);
        assert_eq!(many.len(), one.len(), "{threads} threads");
        for (a, b) in one.iter().zip(&many) {
            assert_eq!(a, b, "{threads} threads: a record differs");
        }
    }
}
