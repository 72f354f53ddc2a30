//! `trail doctor`: what it finds in a healthy repository, in one trail was
//! never set up in, and in repositories broken on purpose — each finding
//! with the command that fixes it, and the exit code scripts rely on.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use common::*;
use serde_json::Value;

/// `trail doctor --json`: the findings, and the exit code.
fn doctor(env: &TestEnv, repo: &Path) -> (Vec<Value>, i32) {
    let out = env.trail(repo, ["doctor", "--json"]);
    out.assert_no_panic();
    let findings = out.json_lines();
    for f in &findings {
        for key in ["check", "status", "message", "fix"] {
            assert!(f.get(key).is_some(), "every finding has `{key}`: {f}");
        }
        let status = f["status"].as_str().expect("status is text");
        assert!(["ok", "note", "warning", "problem"].contains(&status), "{f}");
        if status == "problem" {
            assert!(f["fix"].is_string(), "a problem says how to fix it: {f}");
        }
    }
    (findings, out.status.expect("an exit code"))
}

fn finding<'a>(findings: &'a [Value], check: &str, status: &str) -> Option<&'a Value> {
    findings.iter().find(|f| f["check"] == check && f["status"] == status)
}

#[test]
fn a_healthy_repository_has_no_problems() {
    let env = TestEnv::new();
    let repo = env.trail_repo("healthy", "start");
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 0, "{findings:#?}");
    for check in
        ["git", "repository", "trail.toml", "hooks", "journal", "checkpoints", "changelogs"]
    {
        assert!(finding(&findings, check, "ok").is_some(), "{check} is ok: {findings:#?}");
    }
    assert!(findings.iter().all(|f| f["status"] != "problem"));
    let journal = finding(&findings, "journal", "ok").expect("journal");
    assert!(journal["message"].as_str().is_some_and(|m| m.contains("verified")), "{journal}");
    // The table form says the same, with the fix under a note.
    let out = env.trail(&repo, ["doctor"]);
    out.assert_code(0);
    let text = out.stdout_str();
    assert!(text.lines().any(|l| l.starts_with("hooks") && l.contains("ok")), "{text}");
    assert!(text.contains("fix: trail daemon start"), "{text}");
}

#[test]
fn a_repository_without_trail_says_what_to_run() {
    let env = TestEnv::new();
    let repo = env.dir("plain");
    env.git_ok(&repo, ["init", "-q"]);
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 1);
    let hooks = finding(&findings, "hooks", "problem").expect("hooks are a problem");
    assert_eq!(hooks["fix"], "trail hooks install");
    let journal = finding(&findings, "journal", "problem").expect("no journal");
    assert_eq!(journal["fix"], "trail init && trail import");
    let out = env.trail(&repo, ["doctor"]);
    out.assert_code(1).assert_stderr_has("2 problems found");
}

#[test]
fn outside_a_repository_it_still_reports() {
    let env = TestEnv::new();
    let dir = env.dir("nowhere");
    let (findings, code) = doctor(&env, &dir);
    assert_eq!(code, 1);
    assert!(finding(&findings, "git", "ok").is_some(), "{findings:#?}");
    let repo = finding(&findings, "repository", "problem").expect("not a repository");
    assert!(repo["fix"].as_str().is_some_and(|f| f.contains("git init")), "{repo}");
}

#[test]
fn broken_set_ups_are_found_with_their_fixes() {
    let env = TestEnv::new();
    let repo = env.trail_repo("broken", "start");
    let hooks_dir = repo.join(".git/hooks");

    // A chained hook git cannot run.
    let chained = hooks_dir.join("pre-commit.trail-chained");
    std::fs::write(&chained, "#!/bin/sh\nexit 0\n").expect("write");
    std::fs::set_permissions(&chained, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // An outdated shim.
    let post = hooks_dir.join("post-commit");
    let text = std::fs::read_to_string(&post).expect("read") + "# edited\n";
    std::fs::write(&post, text).expect("write");
    // The store key readable by others.
    let key = repo.join(".git/trail/journal.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // A CHANGELOG.md gone.
    std::fs::remove_file(repo.join("CHANGELOG.md")).expect("remove");

    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 1, "{findings:#?}");
    let not_run = findings
        .iter()
        .find(|f| {
            f["message"].as_str().is_some_and(|m| m.contains("trail-chained is not executable"))
        })
        .expect("the chained hook");
    assert!(not_run["fix"].as_str().is_some_and(|f| f.starts_with("chmod +x ")), "{not_run}");
    let outdated = findings
        .iter()
        .find(|f| {
            f["check"] == "hooks"
                && f["message"].as_str().is_some_and(|m| m.contains("post-commit"))
        })
        .expect("the edited shim");
    assert_eq!(outdated["fix"], "trail hooks install");
    let mode = finding(&findings, "checkpoints", "warning").expect("key mode");
    assert!(mode["fix"].as_str().is_some_and(|f| f.starts_with("chmod 600 ")), "{mode}");
    let logs = finding(&findings, "changelogs", "warning").expect("changelog coverage");
    assert!(logs["message"].as_str().is_some_and(|m| m.contains("no CHANGELOG.md")), "{logs}");

    // The fixes it names work.
    env.trail_ok(&repo, ["hooks", "install"]);
    std::fs::set_permissions(&chained, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 0, "{findings:#?}");
}

#[test]
fn a_lost_or_damaged_journal_points_at_recover() {
    let env = TestEnv::new();
    let repo = env.trail_repo("lost", "start");
    common::remove_trail_dir(&repo, &repo.join(".git/trail/journal"));
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 1);
    let journal = finding(&findings, "journal", "problem").expect("no journal");
    assert_eq!(journal["fix"], "trail recover");
    env.trail_ok(&repo, ["recover"]);
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 0, "{findings:#?}");

    // A damaged store: the journal finding is a problem that names recover.
    damage_store(&repo);
    let (findings, code) = doctor(&env, &repo);
    assert_eq!(code, 1, "{findings:#?}");
    let journal = finding(&findings, "journal", "problem").expect("damaged");
    assert!(journal["fix"].as_str().is_some_and(|f| f.contains("trail recover")), "{journal}");
}
