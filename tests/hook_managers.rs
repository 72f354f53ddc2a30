//! trail's hooks beside the real hook managers — lefthook, husky and the
//! pre-commit framework (installed at pinned versions by
//! `.ci/install-test-tools`; see tests/support/tools.rs): in both install
//! orders, after each manager's re-sync or re-install, and after either
//! uninstall, both tools' hooks run exactly once per commit, or trail says
//! that it is off and `trail hooks install` puts it back (issue 19, items 8–11).
//!
//! Each manager's configured command appends a line to `.git/marks-TOOL`;
//! trail's part is read from the journal (`trail log --json`: a `commit`
//! record, not `commit.unverified`, means pre-commit and post-commit ran).

mod common;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;

use common::*;

/// How many lines the manager's command wrote.
fn marks(repo: &Path, tool: &str) -> usize {
    std::fs::read_to_string(repo.join(".git").join(format!("marks-{tool}")))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// The kinds of the journal's commit records, oldest first.
fn commit_kinds(env: &TestEnv, repo: &Path) -> Vec<String> {
    let mut kinds: Vec<String> = env
        .trail_json(repo, ["log", "--json"])
        .iter()
        .filter_map(|r| r["kind"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("commit") && k != "commit.blocked")
        .collect();
    kinds.reverse();
    kinds
}

/// Commit a new file through the hooks, with a rationale; the commit must succeed.
fn commit(env: &TestEnv, repo: &Path, file: &str) -> Output {
    std::fs::write(repo.join(file), format!("{file}\n")).expect("write");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", file]).env("TRAIL_WHY", "a test");
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0);
    out
}

/// Each tool ran once more for the last commit: the manager's mark and a
/// verified commit record.
#[track_caller]
fn both_ran_once(env: &TestEnv, repo: &Path, tool: &str, commits: usize) {
    assert_eq!(marks(repo, tool), commits, "{tool}'s hook should have run once per commit");
    let kinds = commit_kinds(env, repo);
    assert_eq!(kinds.len(), commits, "one journal record per commit: {kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("commit"), "trail's hooks ran: {kinds:?}");
}

/// No trail code anywhere git or a manager could run it, and no
/// `[merge "trail"]` left in the config.
#[track_caller]
fn no_trail_left(repo: &Path) {
    for dir in [repo.join(".git/hooks"), repo.join(".husky"), repo.join(".husky/_")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".trail-chained"), "{name} left in {}", dir.display());
            if entry.path().is_file() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                assert!(
                    !text.contains("trail-managed") && !text.contains("trail hook"),
                    "trail code left in {}:\n{text}",
                    entry.path().display()
                );
            }
        }
    }
    let config = std::fs::read_to_string(repo.join(".git/config")).expect("read config");
    assert!(!config.contains("[merge \"trail\"]"), "empty section left:\n{config}");
}

/// `trail hooks status --json`: the hook's entry.
fn hook_status(env: &TestEnv, repo: &Path, hook: &str) -> serde_json::Value {
    let status = env.trail_json(repo, ["hooks", "status", "--json"]);
    status[0]["hooks"]
        .as_array()
        .expect("hooks")
        .iter()
        .find(|h| h["name"] == hook)
        .unwrap_or_else(|| panic!("{hook} not in {status:?}"))
        .clone()
}

/// `trail doctor` fails and names the hook trail no longer runs at.
#[track_caller]
fn doctor_says_off(env: &TestEnv, repo: &Path, hook: &str) {
    let out = env.trail(repo, ["doctor", "--no-verify"]);
    out.assert_code(1);
    let text = out.stdout_str();
    assert!(
        text.contains(&format!("trail's {hook} hook does not run"))
            && text.contains("fix: trail hooks install"),
        "{out}"
    );
}

#[track_caller]
fn doctor_says_ok(env: &TestEnv, repo: &Path) {
    let out = env.trail(repo, ["doctor", "--no-verify", "--json"]);
    let hooks: Vec<serde_json::Value> =
        out.json_lines().into_iter().filter(|f| f["check"] == "hooks").collect();
    assert!(hooks.iter().all(|f| f["status"] == "ok"), "{hooks:?}");
}

fn repo(env: &TestEnv, name: &str) -> std::path::PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

fn tool_ok(env: &TestEnv, repo: &Path, program: &Path, args: &[&str]) -> Output {
    let mut cmd = env.command(program, repo);
    cmd.args(args);
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "{out}");
    out
}

// ---- lefthook ----

const LEFTHOOK_YML: &str =
    "pre-commit:\n  commands:\n    mark:\n      run: echo x >> .git/marks-lefthook\n";

fn lefthook(env: &TestEnv, repo: &Path, args: &[&str]) -> Output {
    tool_ok(env, repo, &tools::tools().lefthook(), args)
}

/// Make lefthook see lefthook.yml as changed: it compares the file's mtime
/// (in seconds) before its checksum.
fn edit_lefthook_yml(env: &TestEnv, repo: &Path, extra: &str) {
    let path = repo.join("lefthook.yml");
    let text = std::fs::read_to_string(&path).expect("read") + extra;
    std::fs::write(&path, text).expect("write");
    let mut touch = env.command("touch", repo);
    touch.args(["-d", "2001-02-03 04:05:06", "lefthook.yml"]);
    assert_eq!(run(touch, PROCESS_TIMEOUT).status, Some(0));
}

/// Issue 19, item 8: lefthook's re-sync moved trail's shim to pre-commit.old
/// (never run), silently; `trail hooks install` then failed on the
/// `.trail-chained` in the way; after both uninstalls trail's old shim came back.
#[test]
fn lefthook_first_resync_is_reported_and_fixed_and_uninstall_leaves_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env, "lefthook-first");
    std::fs::write(repo.join("lefthook.yml"), LEFTHOOK_YML).expect("write");
    lefthook(&env, &repo, &["install"]);
    env.trail_ok(&repo, ["init"]);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "lefthook", 1);
    assert_eq!(hook_status(&env, &repo, "pre-commit")["manager"], "lefthook");

    // A hook added to lefthook.yml: lefthook re-syncs at its next run.
    edit_lefthook_yml(
        &env,
        &repo,
        "pre-push:\n  commands:\n    mark:\n      run: echo x >> .git/marks-lefthook-push\n",
    );
    commit(&env, &repo, "two");
    let pre_commit = hook_status(&env, &repo, "pre-commit");
    assert_eq!(pre_commit["trail_runs"], false, "{pre_commit}");
    assert!(pre_commit["displaced"].as_str().is_some_and(|d| d.ends_with("pre-commit.old")));
    let pre_push = hook_status(&env, &repo, "pre-push");
    assert_eq!(pre_push["trail_runs"], false, "{pre_push}");
    doctor_says_off(&env, &repo, "pre-commit");
    doctor_says_off(&env, &repo, "pre-push");

    // doctor's fix works, and both run once again.
    env.trail_ok(&repo, ["hooks", "install"]);
    assert!(!repo.join(".git/hooks/pre-commit.old").exists(), "the moved-aside shim goes");
    doctor_says_ok(&env, &repo);
    let marks_before = marks(&repo, "lefthook");
    commit(&env, &repo, "three");
    assert_eq!(marks(&repo, "lefthook"), marks_before + 1);
    assert_eq!(commit_kinds(&env, &repo).last().map(String::as_str), Some("commit"));

    // Both uninstalls: nothing of trail left, and commits are not refused.
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    lefthook(&env, &repo, &["uninstall"]);
    no_trail_left(&repo);
    commit(&env, &repo, "four");
}

/// lefthook installed after trail takes trail's place (pre-commit.old); trail
/// says so and its install puts it back; lefthook's uninstall then leaves
/// trail running alone.
#[test]
fn lefthook_after_trail_then_lefthook_uninstall() {
    let env = TestEnv::new();
    let repo = repo(&env, "lefthook-second");
    env.trail_ok(&repo, ["init"]);
    std::fs::write(repo.join("lefthook.yml"), LEFTHOOK_YML).expect("write");
    lefthook(&env, &repo, &["install"]);
    assert_eq!(hook_status(&env, &repo, "pre-commit")["trail_runs"], false);
    doctor_says_off(&env, &repo, "pre-commit");
    env.trail_ok(&repo, ["hooks", "install"]);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "lefthook", 1);

    lefthook(&env, &repo, &["uninstall"]);
    commit(&env, &repo, "two");
    assert_eq!(marks(&repo, "lefthook"), 1, "lefthook is gone");
    assert_eq!(commit_kinds(&env, &repo), ["commit", "commit"]);
    doctor_says_ok(&env, &repo);
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    no_trail_left(&repo);
}

/// The "lefthook calls `trail hook NAME`" set-up: trail leaves lefthook's
/// hook alone, status and doctor say trail runs through lefthook.yml, and a
/// re-sync changes nothing.
#[test]
fn lefthook_calling_trail_hook_is_recognised() {
    let env = TestEnv::new();
    let repo = repo(&env, "lefthook-calls");
    let yml = format!("{LEFTHOOK_YML}    trail:\n      run: trail hook pre-commit\n");
    std::fs::write(repo.join("lefthook.yml"), yml).expect("write");
    lefthook(&env, &repo, &["install"]);
    let out = env.trail_ok(&repo, ["init"]);
    let installed = env.trail_json(&repo, ["hooks", "install", "--json"]);
    let pre_commit = installed[0]["hooks"]
        .as_array()
        .expect("hooks")
        .iter()
        .find(|h| h["name"] == "pre-commit")
        .cloned();
    assert_eq!(pre_commit.expect("pre-commit")["action"], "delegated", "{out}");
    let status = hook_status(&env, &repo, "pre-commit");
    assert_eq!(status["trail_runs"], true, "{status}");
    assert!(status["via"].as_str().is_some_and(|v| v.ends_with("lefthook.yml")), "{status}");
    doctor_says_ok(&env, &repo);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "lefthook", 1);
    edit_lefthook_yml(&env, &repo, "");
    commit(&env, &repo, "two");
    both_ran_once(&env, &repo, "lefthook", 2);
}

// ---- the pre-commit framework ----

const PRE_COMMIT_CONFIG: &str = "repos:
  - repo: local
    hooks:
      - id: mark
        name: mark
        entry: sh -c 'echo x >> .git/marks-pre-commit'
        language: system
        pass_filenames: false
        always_run: true
";

fn pre_commit(env: &TestEnv, repo: &Path, args: &[&str]) -> Output {
    tool_ok(env, repo, &tools::tools().pre_commit(), args)
}

/// Issue 19, item 9: in the order docs/integrations.md gave, every commit
/// failed with "bug: pre-commit's script is installed in migration mode";
/// `trail hooks uninstall` left trail's shim in pre-commit.legacy.
#[test]
fn pre_commit_in_the_documented_order_runs_each_once_and_uninstall_leaves_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env, "pre-commit-docs");
    std::fs::write(repo.join(".pre-commit-config.yaml"), PRE_COMMIT_CONFIG).expect("write");
    env.trail_ok(&repo, ["init"]);
    pre_commit(&env, &repo, &["install"]);
    env.trail_ok(&repo, ["hooks", "install"]);
    let out = commit(&env, &repo, "one");
    assert!(!out.stderr.contains("migration mode"), "{out}");
    both_ran_once(&env, &repo, "pre-commit", 1);
    let status = hook_status(&env, &repo, "pre-commit");
    assert_eq!(
        (status["manager"].as_str(), status["trail_runs"].as_bool()),
        (Some("pre-commit"), Some(true)),
        "{status}"
    );
    doctor_says_ok(&env, &repo);

    env.trail_ok(&repo, ["hooks", "uninstall"]);
    no_trail_left(&repo);
    commit(&env, &repo, "two");
    assert_eq!(marks(&repo, "pre-commit"), 2, "pre-commit still runs");
}

/// Issue 19, item 9: with pre-commit first, `pre-commit uninstall` did
/// nothing (its script was hidden as pre-commit.trail-chained).
#[test]
fn pre_commit_first_then_pre_commit_uninstall_leaves_trail_alone() {
    let env = TestEnv::new();
    let repo = repo(&env, "pre-commit-first");
    std::fs::write(repo.join(".pre-commit-config.yaml"), PRE_COMMIT_CONFIG).expect("write");
    pre_commit(&env, &repo, &["install"]);
    env.trail_ok(&repo, ["init"]);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "pre-commit", 1);

    pre_commit(&env, &repo, &["uninstall"]);
    commit(&env, &repo, "two");
    assert_eq!(marks(&repo, "pre-commit"), 1, "pre-commit is uninstalled");
    assert_eq!(commit_kinds(&env, &repo), ["commit", "commit"]);
    assert_eq!(hook_status(&env, &repo, "pre-commit")["state"], "installed");

    // Installed again, it takes trail along in migration mode: once each.
    pre_commit(&env, &repo, &["install"]);
    commit(&env, &repo, "three");
    assert_eq!(marks(&repo, "pre-commit"), 2);
    assert_eq!(commit_kinds(&env, &repo).len(), 3);
    doctor_says_ok(&env, &repo);
}

// ---- husky ----

/// What `npm install` of a project with husky leaves, without the network:
/// node_modules/husky from the shared install, and `husky` run as the
/// `prepare` script runs it.
fn husky(env: &TestEnv, repo: &Path) {
    let tools = tools::tools();
    let modules = repo.join("node_modules");
    std::fs::create_dir_all(&modules).expect("mkdir node_modules");
    let link = modules.join("husky");
    if !link.exists() {
        std::os::unix::fs::symlink(tools.husky_package(), &link).expect("symlink husky");
    }
    std::fs::write(
        repo.join("package.json"),
        "{\"name\": \"t\", \"private\": true, \"scripts\": {\"prepare\": \"husky\"}, \"devDependencies\": {\"husky\": \"9.1.7\"}}\n",
    )
    .expect("write package.json");
    std::fs::write(repo.join(".gitignore"), "node_modules\n").expect("write .gitignore");
    let bin = modules.join("husky/bin.js");
    let node = tools.node();
    tool_ok(env, repo, &node, &[bin.to_str().expect("utf-8 path")]);
    assert_eq!(env.git_ok(repo, ["config", "core.hooksPath"]), ".husky/_");
}

fn husky_pre_commit(repo: &Path) {
    std::fs::create_dir_all(repo.join(".husky")).expect("mkdir .husky");
    std::fs::write(repo.join(".husky/pre-commit"), "echo x >> .git/marks-husky\n").expect("write");
}

/// Issue 19, item 10: with husky first, `.husky/pre-commit` never ran after
/// `trail init` (husky's dispatcher looked up `pre-commit.trail-chained`),
/// and a husky re-install silently dropped trail.
#[test]
fn husky_first_then_reinstall_then_uninstall() {
    let env = TestEnv::new();
    let repo = repo(&env, "husky-first");
    husky(&env, &repo);
    husky_pre_commit(&repo);
    env.trail_ok(&repo, ["init"]);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "husky", 1);
    let status = hook_status(&env, &repo, "pre-commit");
    assert_eq!(
        (status["manager"].as_str(), status["trail_runs"].as_bool()),
        (Some("husky"), Some(true)),
        "{status}"
    );

    // `npm install` runs husky again: it re-writes .husky/_.
    husky(&env, &repo);
    commit(&env, &repo, "two");
    both_ran_once(&env, &repo, "husky", 2);
    doctor_says_ok(&env, &repo);

    env.trail_ok(&repo, ["hooks", "uninstall"]);
    no_trail_left(&repo);
    assert_eq!(
        std::fs::read_to_string(repo.join(".husky/pre-commit")).expect("read"),
        "echo x >> .git/marks-husky\n"
    );
    commit(&env, &repo, "three");
    assert_eq!(marks(&repo, "husky"), 3);
}

/// Issue 19, item 10: husky installed after trail set core.hooksPath and
/// trail's hooks stopped, silently. doctor says so; its fix works; removing
/// husky (core.hooksPath unset) leaves trail's shims running alone.
#[test]
fn husky_after_trail_is_reported_and_fixed_and_survives_husky_removal() {
    let env = TestEnv::new();
    let repo = repo(&env, "husky-second");
    env.trail_ok(&repo, ["init"]);
    husky(&env, &repo);
    husky_pre_commit(&repo);
    assert_eq!(hook_status(&env, &repo, "pre-commit")["trail_runs"], false);
    doctor_says_off(&env, &repo, "pre-commit");
    env.trail_ok(&repo, ["hooks", "install"]);
    doctor_says_ok(&env, &repo);
    commit(&env, &repo, "one");
    both_ran_once(&env, &repo, "husky", 1);

    env.git_ok(&repo, ["config", "--unset", "core.hooksPath"]);
    commit(&env, &repo, "two");
    assert_eq!(marks(&repo, "husky"), 1, "husky is gone");
    assert_eq!(commit_kinds(&env, &repo), ["commit", "commit"]);
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    no_trail_left(&repo);
}

/// Found by review: a lefthook re-sync that takes pre-commit, commit-msg and
/// post-commit leaves prepare-commit-msg as the one trail hook git runs in a
/// commit; that hook must say, at the next commit, that trail is off.
#[test]
fn lefthook_taking_every_commit_hook_but_one_is_said_at_the_next_commit() {
    let env = TestEnv::new();
    let repo = repo(&env, "lefthook-most");
    std::fs::write(repo.join("lefthook.yml"), LEFTHOOK_YML).expect("write");
    lefthook(&env, &repo, &["install"]);
    env.trail_ok(&repo, ["init"]);
    commit(&env, &repo, "one");
    edit_lefthook_yml(
        &env,
        &repo,
        "commit-msg:\n  commands:\n    mark:\n      run: echo x >> .git/marks-lefthook-msg\n\
         post-commit:\n  commands:\n    mark:\n      run: echo x >> .git/marks-lefthook-post\n",
    );
    commit(&env, &repo, "two"); // lefthook re-syncs during this commit
    for hook in ["pre-commit", "commit-msg", "post-commit"] {
        assert_eq!(hook_status(&env, &repo, hook)["trail_runs"], false, "{hook}");
    }
    let out = commit(&env, &repo, "three");
    assert!(
        out.stderr.contains("pre-commit") && out.stderr.contains("trail hooks install"),
        "the next commit says trail's hooks are off:\n{out}"
    );
}
