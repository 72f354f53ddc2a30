//! Defects a review of the hooks found, each reproduced first and kept here
//! so it stays fixed. Real git, the real binary.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const ABORT: &str = "sh -c ': > \"$1\"' --";

fn repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.trail_ok(&repo, ["init"]);
    write(&repo, "a/x", "x\n");
    git_with(env, &repo, &[("TRAIL_WHY", "first")], &["add", "-A"]);
    git_with(env, &repo, &[("TRAIL_WHY", "first")], &["commit", "-q", "-m", "first"]);
    repo
}

fn write(repo: &Path, path: &str, text: &str) {
    let file = repo.join(path);
    std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
    std::fs::write(file, text).expect("write");
}

fn git_with(env: &TestEnv, repo: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = env.command("git", repo);
    cmd.args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

/// Branch `feat` adds `file`; `main` meanwhile adds `m/z`; `main` is checked out.
fn diverge(env: &TestEnv, repo: &Path, file: &str) {
    env.git_ok(repo, ["checkout", "-q", "-b", "feat"]);
    write(repo, file, "y\n");
    git_with(env, repo, &[], &["add", "-A"]);
    git_with(env, repo, &[("TRAIL_WHY", "feature")], &["commit", "-q", "-m", "feat"])
        .assert_code(0);
    env.git_ok(repo, ["checkout", "-q", "main"]);
    write(repo, "m/z", "z\n");
    git_with(env, repo, &[], &["add", "-A"]);
    git_with(env, repo, &[("TRAIL_WHY", "main work")], &["commit", "-q", "-m", "main"])
        .assert_code(0);
}

fn kinds_of(env: &TestEnv, repo: &Path) -> Vec<(String, String)> {
    env.trail_json(repo, ["log", "--json", "--reverse"])
        .iter()
        .filter(|r| {
            r["commit"].is_string() && r["kind"].as_str().is_some_and(|k| k.starts_with("commit"))
        })
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or_default().to_owned(),
                r["commit"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_new_changelog_beside_an_existing_one_that_sorts_later_is_staged_once() {
    let env = TestEnv::new();
    let repo = repo(&env, "dup");
    write(&repo, "z/B", "b\n");
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["commit", "-q", "-m", "z"]).assert_code(0);
    write(&repo, "b/new", "n\n");
    write(&repo, "z/B", "b2\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["commit", "-q", "-m", "second"]).assert_code(0);
    let listing = env.git_ok(&repo, ["ls-tree", "-r", "--name-only", "HEAD"]);
    assert_eq!(listing.lines().filter(|l| *l == "z/CHANGELOG.md").count(), 1, "{listing}");
    env.git_ok(&repo, ["fsck", "--strict", "--no-dangling"]);
    assert_eq!(env.git_ok(&repo, ["status", "--porcelain"]), "");
}

#[test]
fn no_verify_after_an_aborted_commit_is_unverified_and_keeps_no_stale_rationale() {
    let env = TestEnv::new();
    let repo = repo(&env, "nv");
    write(&repo, "a/y", "y\n");
    git_with(&env, &repo, &[], &["add", "a/y"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "aborted"), ("GIT_EDITOR", ABORT)], &["commit"])
        .assert_code(1);
    write(&repo, "b", "evil\n");
    git_with(&env, &repo, &[], &["add", "b"]);
    git_with(&env, &repo, &[], &["commit", "-q", "--no-verify", "-m", "sneaky"]).assert_code(0);
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    let last = kinds_of(&env, &repo).pop().expect("a record");
    assert_eq!(last, ("commit.unverified".to_owned(), head));
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(!message.contains("aborted"), "{message}");
}

#[test]
fn a_merge_after_an_aborted_commit_gets_none_of_its_trailers() {
    let env = TestEnv::new();
    let repo = repo(&env, "merge");
    diverge(&env, &repo, "f/y");
    write(&repo, "a/x", "x2\n");
    git_with(&env, &repo, &[], &["add", "a/x"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "aborted attempt"), ("GIT_EDITOR", ABORT)], &["commit"])
        .assert_code(1);
    env.git_ok(&repo, ["stash", "-q"]);
    let aborted = std::fs::read_to_string(repo.join(".git/trail/pending/commit-main.json"))
        .expect("the aborted attempt left its state");
    // A merge needs a rationale of its own (issue 19): it gets its own
    // Change-Id and Why, none of the aborted attempt's.
    git_with(&env, &repo, &[("TRAIL_WHY", "merge feat")], &["merge", "-q", "--no-edit", "feat"])
        .assert_code(0);
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(!message.contains("aborted attempt"), "{message}");
    assert!(message.contains("Why: merge feat"), "{message}");
    let id = env.git_ok(&repo, ["log", "-1", "--format=%(trailers:key=Change-Id,valueonly)"]);
    assert!(!id.trim().is_empty(), "the merge has a change id: {message}");
    assert!(!aborted.contains(id.trim()), "not the aborted attempt's change id: {message}");
}

#[test]
fn a_chained_hook_that_reformats_a_changelog_leaves_the_commit_verified() {
    let env = TestEnv::new();
    let repo = repo(&env, "lint");
    let chained = repo.join(".git/hooks/pre-commit.trail-chained");
    std::fs::write(
        &chained,
        "#!/bin/sh\nfor f in $(git diff --cached --name-only -- '*.md'); do printf '\\n' >> \"$f\"; git add \"$f\"; done\n",
    )
    .expect("write");
    std::fs::set_permissions(&chained, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    write(&repo, "a/x", "x2\n");
    git_with(&env, &repo, &[], &["add", "a/x"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["commit", "-q", "-m", "second"]).assert_code(0);
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    assert_eq!(kinds_of(&env, &repo).pop().expect("a record"), ("commit".to_owned(), head));
    assert!(!repo.join(".git/trail/pending/commit-main.json").exists(), "pending state cleared");
}

#[test]
fn an_abbreviated_amend_is_an_amend() {
    let env = TestEnv::new();
    let repo = repo(&env, "amen");
    let id = env.git_ok(&repo, ["log", "-1", "--format=%(trailers:key=Change-Id,valueonly)"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["commit", "-q", "--amen", "--no-edit"])
        .assert_code(0);
    let text = std::fs::read_to_string(repo.join("a/CHANGELOG.md")).expect("read");
    let entries: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(entries.len(), 1, "{text}");
    assert!(entries[0].ends_with(&format!("change {})", id.trim())), "{text}");
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    assert_eq!(kinds_of(&env, &repo).pop().expect("a record"), ("commit".to_owned(), head));
}

#[test]
fn rewording_a_merge_adds_no_entries() {
    let env = TestEnv::new();
    let repo = repo(&env, "remerge");
    diverge(&env, &repo, "b/y");
    git_with(&env, &repo, &[("TRAIL_WHY", "merge")], &["merge", "-q", "--no-edit", "feat"])
        .assert_code(0);
    let before = std::fs::read(repo.join("b/CHANGELOG.md")).expect("read");
    git_with(
        &env,
        &repo,
        &[("TRAIL_WHY", "fix")],
        &["commit", "-q", "--amend", "-m", "Merge feat"],
    )
    .assert_code(0);
    assert_eq!(std::fs::read(repo.join("b/CHANGELOG.md")).expect("read"), before);
}

#[test]
fn a_refusal_for_a_malformed_changelog_is_recorded() {
    let env = TestEnv::new();
    let repo = repo(&env, "malformed");
    let mut text = std::fs::read_to_string(repo.join("a/CHANGELOG.md")).expect("read");
    text.push_str("<<<<<<< HEAD\n");
    std::fs::write(repo.join("a/CHANGELOG.md"), text).expect("write");
    write(&repo, "a/x", "x3\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w")], &["commit", "-q", "-m", "third"]).assert_code(1);
    let blocked = env.trail_json(&repo, ["log", "--json", "--kind", "commit.blocked"]);
    assert_eq!(blocked.len(), 1, "{blocked:#?}");
    assert!(blocked[0]["detail"]["reason"].as_str().is_some_and(|r| r.contains("a/CHANGELOG.md")));
}

#[test]
fn a_note_the_commit_did_not_use_stays() {
    let env = TestEnv::new();
    let repo = repo(&env, "note");
    env.trail_ok(&repo, ["note", "--why", "noted why", "--impact", "noted impact"]);
    write(&repo, "a/x", "x2\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(
        &env,
        &repo,
        &[("TRAIL_WHY", "env why"), ("TRAIL_IMPACT", "env impact")],
        &["commit", "-q", "-m", "e"],
    )
    .assert_code(0);
    let shown = env.trail_ok(&repo, ["note"]);
    assert!(shown.stderr.contains("noted why"), "{shown}");
}

#[test]
fn a_directory_taken_out_of_the_index_gets_no_changelog_back() {
    let env = TestEnv::new();
    let repo = repo(&env, "untrack");
    write(&repo, "vendor/x", "x\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "vendor")], &["commit", "-q", "-m", "vendor"])
        .assert_code(0);
    assert!(env.git_ok(&repo, ["ls-files"]).contains("vendor/CHANGELOG.md"));
    git_with(&env, &repo, &[], &["rm", "-r", "-q", "--cached", "vendor"]);
    write(&repo, ".gitignore", "vendor/\n");
    git_with(&env, &repo, &[], &["add", ".gitignore"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "untrack")], &["commit", "-q", "-m", "untrack"])
        .assert_code(0);
    let tracked = env.git_ok(&repo, ["ls-files"]);
    assert!(!tracked.contains("vendor/"), "{tracked}");
    // The root summary still names the directory the commit touched.
    let root = env.git_ok(&repo, ["show", "HEAD:CHANGELOG.md"]);
    assert!(root.lines().any(|l| l.contains("`vendor/`") && l.contains("Why: untrack.")), "{root}");
}

#[test]
fn amending_in_a_sparse_index_reads_directory_entries_as_trees() {
    let env = TestEnv::new();
    let repo = repo(&env, "sparse");
    write(&repo, "b/f1", "1\n");
    write(&repo, "b/f2", "2\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "b")], &["commit", "-q", "-m", "b"]).assert_code(0);
    write(&repo, "b/f1", "1b\n");
    write(&repo, "a/x", "x2\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "both")], &["commit", "-q", "-m", "both"]).assert_code(0);
    env.git_ok(&repo, ["sparse-checkout", "set", "--cone", "--sparse-index", "a"]);
    write(&repo, "a/x", "x3\n");
    git_with(&env, &repo, &[], &["add", "a/x"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "amend")], &["commit", "-q", "--amend", "--no-edit"])
        .assert_code(0);
    let root = env.git_ok(&repo, ["show", "HEAD:CHANGELOG.md"]);
    assert!(!root.contains("b//"), "{root}");
    let record = &env.trail_json(&repo, ["log", "--json", "-n", "1", "--kind", "commit"])[0];
    let paths: Vec<&str> = record["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert!(paths.iter().all(|p| !p.contains("//")), "{paths:?}");
}

#[test]
fn an_aborted_amend_leaves_the_amended_entry_as_committed() {
    let env = TestEnv::new();
    let repo = repo(&env, "amendab");
    let committed = env.git_ok(&repo, ["show", "HEAD:a/CHANGELOG.md"]);
    write(&repo, "a/y", "y\n");
    git_with(&env, &repo, &[], &["add", "a/y"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "w"), ("GIT_EDITOR", ABORT)], &["commit", "--amend"])
        .assert_code(1);
    git_with(&env, &repo, &[("TRAIL_WHY", "second")], &["commit", "-q", "-m", "second"])
        .assert_code(0);
    let now = env.git_ok(&repo, ["show", "HEAD:a/CHANGELOG.md"]);
    let first_id =
        env.git_ok(&repo, ["log", "-1", "--format=%(trailers:key=Change-Id,valueonly)", "HEAD~1"]);
    let line_of = |text: &str| {
        text.lines()
            .filter(|l| l.ends_with(&format!("change {})", first_id.trim())))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line_of(&now),
        line_of(&committed),
        "the first commit's entry is as it was committed:\n{now}"
    );
    assert_eq!(now.lines().filter(|l| l.starts_with("- ")).count(), 2, "{now}");
}

#[test]
fn an_aborted_commit_before_a_commit_only_leaves_no_entry_behind() {
    let env = TestEnv::new();
    let repo = repo(&env, "only");
    write(&repo, "b/y", "y\n");
    git_with(&env, &repo, &[], &["add", "-A"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "b")], &["commit", "-q", "-m", "b"]).assert_code(0);
    write(&repo, "a/x", "x2\n");
    write(&repo, "b/y", "y2\n");
    git_with(&env, &repo, &[], &["add", "a/x"]);
    git_with(&env, &repo, &[("TRAIL_WHY", "aborted"), ("GIT_EDITOR", ABORT)], &["commit"])
        .assert_code(1);
    git_with(
        &env,
        &repo,
        &[("TRAIL_WHY", "only b")],
        &["commit", "-q", "-m", "only b", "-o", "b/y"],
    )
    .assert_code(0);
    git_with(&env, &repo, &[("TRAIL_WHY", "a x")], &["commit", "-q", "-m", "a x"]).assert_code(0);
    let text = env.git_ok(&repo, ["show", "HEAD:a/CHANGELOG.md"]);
    assert!(!text.contains("Why: aborted."), "{text}");
    let ids: Vec<String> = env
        .git_ok(&repo, ["log", "--format=%(trailers:key=Change-Id,valueonly)"])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .collect();
    for line in text.lines().filter(|l| l.starts_with("- ")) {
        assert!(
            ids.iter().any(|id| line.ends_with(&format!("change {id})"))),
            "an entry of no commit: {line}"
        );
    }
    assert_eq!(env.git_ok(&repo, ["status", "--porcelain"]), "");
}

#[test]
fn an_untouched_commit_template_still_aborts_the_commit() {
    let env = TestEnv::new();
    let repo = repo(&env, "template");
    std::fs::write(repo.join(".git/tmpl"), "Summary: \n\n# Describe the change\n").expect("write");
    env.git_ok(&repo, ["config", "commit.template", ".git/tmpl"]);
    let before = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    write(&repo, "a/x", "x2\n");
    git_with(&env, &repo, &[], &["add", "a/x"]);
    let out = git_with(&env, &repo, &[("TRAIL_WHY", "w"), ("GIT_EDITOR", "true")], &["commit"]);
    out.assert_code(1);
    assert_eq!(env.git_ok(&repo, ["rev-parse", "HEAD"]), before);
    // Edited, the template's commit goes through with its trailers.
    let edit = "sh -c 'printf \"Summary: edited\\n\" > \"$1\"' --";
    git_with(&env, &repo, &[("TRAIL_WHY", "w"), ("GIT_EDITOR", edit)], &["commit", "-q"])
        .assert_code(0);
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.starts_with("Summary: edited") && message.contains("Why: w"), "{message}");
}

/// commit-msg adds plain trailers itself (issue 24) only where git's
/// result is certain: a `trailer.*` setting, in the repository's config or
/// given with `git -c`, sends the message to `git interpret-trailers`, whose
/// `trailer.where = start` puts the new trailers first (each one at the
/// start in turn).
#[test]
fn a_trailer_setting_leaves_the_trailers_to_git() {
    let env = TestEnv::new();
    let repo = repo(&env, "where");
    let why = [("TRAIL_WHY", "a reason"), ("TRAIL_IMPACT", "none")];
    let message = "subject\n\nSigned-off-by: A <a@example.org>";
    let trailers = |env: &TestEnv| {
        let body = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
        body.lines().filter(|l| l.contains(": ")).map(str::to_owned).collect::<Vec<_>>()
    };

    write(&repo, "a/x", "plain\n");
    git_with(&env, &repo, &why, &["commit", "-q", "-am", message]).assert_code(0);
    let plain = trailers(&env);
    assert_eq!(plain.first().map(String::as_str), Some("Signed-off-by: A <a@example.org>"));
    assert!(plain.iter().any(|l| l.starts_with("Change-Id: ")), "{plain:?}");

    write(&repo, "a/x", "given with -c\n");
    git_with(&env, &repo, &why, &["-c", "trailer.where=start", "commit", "-q", "-am", message])
        .assert_code(0);
    let given = trailers(&env);
    assert_eq!(given.last().map(String::as_str), Some("Signed-off-by: A <a@example.org>"));
    assert!(given.iter().any(|l| l.starts_with("Change-Id: ")), "{given:?}");

    env.git_ok(&repo, ["config", "trailer.where", "start"]);
    write(&repo, "a/x", "configured\n");
    git_with(&env, &repo, &why, &["commit", "-q", "-am", message]).assert_code(0);
    let configured = trailers(&env);
    assert_eq!(configured.last().map(String::as_str), Some("Signed-off-by: A <a@example.org>"));
    assert!(configured.iter().any(|l| l == "Why: a reason"), "{configured:?}");
}
