//! The error review of issue 7: every command run the wrong way — outside a
//! repository, with wrong arguments, on a damaged store, with a malformed
//! trail.toml, without a key — and what it says, snapshot-tested. Each
//! message must say what happened, why, and what to do; a change to any of
//! them is a reviewed change. Temporary paths, ids, hashes and times are
//! replaced by placeholders so the snapshots are stable.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::*;

/// Replace what differs between runs: the test root, hex ids and hashes,
/// RFC 3339 times.
fn redact(env: &TestEnv, text: &str) -> String {
    let text = text.replace(env.root.to_str().expect("UTF-8 temp path"), "[ROOT]");
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            .count();
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if word_start
            && matches!(hex, 32 | 40 | 64)
            && bytes[i..i + hex].iter().any(|b| b.is_ascii_digit())
        {
            out.push_str(match hex {
                32 => "[ID]",
                40 => "[OID]",
                _ => "[HASH]",
            });
            i += hex;
            continue;
        }
        // 2026-11-27T06:32:50.296764798Z and 2026-11-27T06:32:50Z
        if bytes.len() - i >= 20
            && bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
            && bytes[i + 10] == b'T'
        {
            let end = bytes[i..].iter().position(|&b| b == b'Z').map(|p| i + p + 1);
            if let Some(end) = end.filter(|&e| e - i <= 30) {
                out.push_str("[TIME]");
                i = end;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Run each command in `cwd` and write a transcript: the command, its exit
/// code, and what it printed on stderr (stdout too when `stdout`).
fn transcript(env: &TestEnv, cwd: &Path, commands: &[&[&str]], stdout: bool) -> String {
    let mut text = String::new();
    for args in commands {
        let out = env.trail(cwd, *args);
        out.assert_no_panic();
        let _ = writeln!(text, "$ trail {}", args.join(" "));
        let _ = writeln!(text, "exit {}", out.status.map_or("signal".into(), |c| c.to_string()));
        if stdout && !out.stdout.is_empty() {
            text.push_str(&redact(env, &out.stdout_str()));
        }
        text.push_str(&redact(env, &out.stderr));
        text.push('\n');
    }
    text
}

#[test]
fn outside_a_repository() {
    let env = TestEnv::new();
    let dir = env.dir("not-a-repo");
    let commands: &[&[&str]] = &[
        &["init"],
        &["import"],
        &["log"],
        &["show", "1"],
        &["verify"],
        &["export"],
        &["reindex"],
        &["status"],
        &["note", "--why", "x"],
        &["hooks", "status"],
        &["changelog", "check"],
        &["policy", "check"],
        &["timeline", "a.txt"],
        &["restore", "a.txt", "--at", "1"],
        &["daemon", "status"],
        &["sync", "push"],
        &["sync", "pull"],
        &["recover"],
    ];
    insta::assert_snapshot!("outside_a_repository", transcript(&env, &dir, commands, false));
}

#[test]
fn wrong_arguments() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "start");
    let commands: &[&[&str]] = &[
        &["frobnicate"],
        &["log", "--since", "the day before the flood"],
        &["log", "-n", "many"],
        &["log", "--path", "/etc/passwd"],
        &["show"],
        &["show", "zzz"],
        &["show", "999"],
        &["timeline"],
        &["restore", "a.txt"],
        &["restore", "a.txt", "--at", "yesterday-ish"],
        &["restore", "missing.txt", "--at", "1"],
        &["recover", "--store", "not-an-id"],
        &["sync", "push", "--force"],
        &["sync", "push", "-x"],
        &["verify", "--against", "nowhere"],
        &["sync", "pull", "nowhere"],
        &["authorize"],
        &["keygen", "--name"],
        &["export", "-o", "/nonexistent/dir/out.jsonl"],
        &["hooks", "install", "--what"],
    ];
    insta::assert_snapshot!("wrong_arguments", transcript(&env, &repo, commands, false));
}

#[test]
fn a_damaged_store() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "start");
    damage_store(&repo);
    let commands: &[&[&str]] = &[
        &["log"],
        &["verify"],
        &["status"],
        &["export"],
        &["show", "1"],
        &["import"],
        &["reindex"],
    ];
    insta::assert_snapshot!("a_damaged_store", transcript(&env, &repo, commands, false));
}

#[test]
fn a_missing_store() {
    let env = TestEnv::new();
    let repo = env.dir("fresh");
    env.git_ok(&repo, ["init", "-q"]);
    let commands: &[&[&str]] =
        &[&["log"], &["verify"], &["status"], &["sync", "push"], &["recover"]];
    insta::assert_snapshot!("a_missing_store", transcript(&env, &repo, commands, false));
}

#[test]
fn a_malformed_trail_toml() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "start");
    std::fs::write(
        repo.join("trail.toml"),
        "[rationale]\nrequried = true\n[sync]\ncheckpoint_interval = 0\n",
    )
    .expect("write");
    let commands: &[&[&str]] = &[
        &["init"],
        &["changelog", "check"],
        &["sync", "push"],
        &["watch"],
        &["daemon", "start"],
        &["doctor"],
    ];
    let mut text = transcript(&env, &repo, commands, false);
    // A commit: the pre-commit hook refuses.
    std::fs::write(repo.join("a.txt"), "b\n").expect("write");
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-am", "change"]).env("TRAIL_WHY", "a change");
    let out = run(cmd, PROCESS_TIMEOUT);
    let _ = writeln!(text, "$ git commit -am change\nexit {:?}", out.status);
    text.push_str(&redact(&env, &out.stderr));
    insta::assert_snapshot!("a_malformed_trail_toml", text);
}

#[test]
fn a_missing_key() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "start");
    let commands: &[&[&str]] = &[
        &["authorize", "--path", ".mcp.json"],
        &["authorize", "--path", ".mcp.json", "--key", "nobody"],
    ];
    let mut text = transcript(&env, &repo, commands, false);
    std::fs::remove_file(repo.join(".git/trail/journal.key")).expect("remove the store key");
    text.push_str(&transcript(&env, &repo, &[&["sync", "checkpoint"], &["sync", "push"]], false));
    insta::assert_snapshot!("a_missing_key", text);
}
