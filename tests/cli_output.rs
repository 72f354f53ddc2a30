//! Output settings (issue 7, part 3): colour only on a terminal and never
//! with NO_COLOR, tables cut to the terminal's width, `--local` times on
//! display only, `-q`, `RUST_LOG`/`TRAIL_LOG`, and `--json` where a command
//! reports data.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn repo_with_a_commit(env: &TestEnv) -> PathBuf {
    env.trail_repo(
        "repo",
        "a commit whose subject is long enough to need cutting on a narrow terminal",
    )
}

/// Run `trail ARGS` under a pseudo-terminal (util-linux `script`), with
/// `extra` environment; `None` when `script` is not installed.
fn on_a_terminal(env: &TestEnv, repo: &Path, args: &str, extra: &[(&str, &str)]) -> Option<String> {
    let available = std::process::Command::new("script").arg("--version").output().is_ok();
    if !available {
        eprintln!(
            "util-linux `script` is not installed: the terminal half of this test is skipped"
        );
        return None;
    }
    let mut cmd = env.command("script", repo);
    cmd.args(["-qec", &format!("trail {args}"), "/dev/null"]);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    Some(out.stdout_str().replace("\r\n", "\n"))
}

#[test]
fn no_colour_into_a_pipe_or_with_no_color() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    for args in [&["doctor"][..], &["log"], &["show", "1"], &["status"]] {
        let out = env.trail(&repo, args);
        assert!(!out.stdout_str().contains('\u{1b}'), "no escape codes into a pipe: {args:?}");
        assert!(!out.stderr.contains('\u{1b}'), "no escape codes into a pipe: {args:?}");
    }
    let out = env.trail(&env.root, ["log"]);
    assert!(out.stderr.contains("trail: error:") && !out.stderr.contains('\u{1b}'));
    if let Some(coloured) = on_a_terminal(&env, &repo, "doctor", &[("TERM", "xterm")]) {
        assert!(coloured.contains("\u{1b}[32mok"), "colour on a terminal:\n{coloured}");
        let plain = on_a_terminal(&env, &repo, "doctor", &[("TERM", "xterm"), ("NO_COLOR", "1")])
            .expect("script ran once");
        assert!(!plain.contains('\u{1b}'), "NO_COLOR wins:\n{plain}");
        assert!(plain.contains("ok"), "{plain}");
    }
}

#[test]
fn tables_fit_the_terminal_and_pipes_get_whole_lines() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    let piped = env.trail_ok(&repo, ["log"]).stdout_str();
    assert!(piped.contains("long enough to need cutting on a narrow terminal"), "{piped}");
    if let Some(narrow) = on_a_terminal(&env, &repo, "log", &[("COLUMNS", "60")]) {
        let lines: Vec<&str> = narrow.lines().filter(|l| !l.is_empty()).collect();
        assert!(lines.len() >= 2, "{narrow}");
        for line in &lines {
            assert!(line.chars().count() <= 60, "cut to 60 columns: {line:?}");
        }
        assert!(lines.iter().any(|l| l.ends_with('…')), "a cut line ends in …:\n{narrow}");
    }
}

#[test]
fn local_times_are_for_display_only() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    let utc = env.trail_ok(&repo, ["log"]).stdout_str();
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["log", "--local"]).env("TZ", "Asia/Kolkata");
    let local = run(cmd, PROCESS_TIMEOUT);
    local.assert_code(0);
    let local = local.stdout_str();
    assert!(utc.contains("TIME (UTC)") && local.contains("TIME (local)"), "{utc}\n{local}");
    let time_of = |table: &str| {
        let row = table.lines().nth(1).expect("a row").to_owned();
        chrono::NaiveDateTime::parse_from_str(&row[9..28], "%Y-%m-%d %H:%M:%S").expect("a time")
    };
    assert_eq!(time_of(&local) - time_of(&utc), chrono::Duration::minutes(330), "+05:30");
    // JSON keeps UTC whatever --local says.
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["log", "--local", "--json"]).env("TZ", "Asia/Kolkata");
    let json = run(cmd, PROCESS_TIMEOUT);
    assert!(json.json_lines().iter().all(|r| r["time"].as_str().is_some_and(|t| t.ends_with('Z'))));
}

#[test]
fn quiet_keeps_errors_and_the_log_follows_rust_log() {
    let env = TestEnv::new();
    let repo = env.dir("q");
    env.git_ok(&repo, ["init", "-q"]);
    let out = env.trail(&repo, ["-q", "init"]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "nothing but errors with -q: {}", out.stderr);
    assert!(
        env.trail(&repo, ["init"]).stderr.contains("already initialised"),
        "without -q it speaks"
    );
    env.trail(&repo, ["-q", "show", "999"]).assert_code(2).assert_stderr_has("trail: error:");
    let quiet_verify = env.trail(&repo, ["verify", "--quiet"]);
    quiet_verify.assert_code(0);
    assert!(quiet_verify.stdout_str().is_empty(), "verify -q prints nothing when intact");

    let mut cmd = env.trail_cmd(&repo);
    cmd.arg("status").env("RUST_LOG", "debug");
    let debug = run(cmd, PROCESS_TIMEOUT);
    assert!(debug.stderr.contains("DEBUG"), "RUST_LOG=debug logs: {}", debug.stderr);
    let mut cmd = env.trail_cmd(&repo);
    cmd.arg("status").env("RUST_LOG", "debug").env("TRAIL_LOG", "error");
    let quiet = run(cmd, PROCESS_TIMEOUT);
    assert!(!quiet.stderr.contains("DEBUG"), "TRAIL_LOG wins: {}", quiet.stderr);
}

#[test]
fn status_and_verify_report_json() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    env.trail_ok(&repo, ["verify"]);
    let status = env.trail_json(&repo, ["status", "--json"]);
    assert_eq!(status.len(), 1);
    let s = &status[0];
    assert_eq!(s["records"], 2, "{s}");
    assert_eq!(s["store_id"].as_str().map(str::len), Some(32));
    assert_eq!(s["checkpoint"]["seq"], 2, "{s}");
    assert_eq!(s["last_verify"]["ok"], true, "{s}");
    let verify = env.trail_json(&repo, ["verify", "--json"]);
    assert_eq!(verify[0]["ok"], true);
    assert_eq!(verify[0]["records"], 2);
    assert_eq!(verify[0]["head_hash"], s["head_hash"]);
    assert!(verify[0]["findings"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn hooks_status_reports_json_and_show_honours_local() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    let status = env.trail_json(&repo, ["hooks", "status", "--json"]);
    let hooks = status[0]["hooks"].as_array().expect("hooks");
    assert!(
        hooks.iter().any(|h| h["name"] == "pre-commit" && h["state"] == "installed"),
        "{hooks:?}"
    );
    assert!(hooks.iter().all(|h| h["state"] == "installed"), "{hooks:?}");
    assert_eq!(status[0]["merge_driver"]["configured"], true);
    let utc = env.trail_ok(&repo, ["show", "1"]).stdout_str();
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["show", "1", "--local"]).env("TZ", "Asia/Kolkata");
    let local = run(cmd, PROCESS_TIMEOUT);
    local.assert_code(0);
    let line =
        |text: &str| text.lines().find(|l| l.starts_with("time")).expect("a time line").to_owned();
    assert!(line(&utc).ends_with('Z'), "{utc}");
    assert!(line(&local.stdout_str()).ends_with("+05:30"), "{}", local.stdout_str());
}
