//! The times `--since`, `--until` and `restore --at` read (issue 21): the
//! forms `git log --since` reads, compared with git's own reading of the
//! same text (`git rev-parse --since=TEXT` prints the instant as
//! `--max-age=SECONDS`), and `restore --at` with a time as `trail timeline`
//! shows it.

mod common;

use std::path::Path;

use common::{PROCESS_TIMEOUT, TestEnv, run};

/// The instant git reads `text` as, in seconds since the epoch.
fn git_reads(env: &TestEnv, repo: &Path, text: &str, tz: &str) -> i64 {
    let mut cmd = env.command("git", repo);
    cmd.args(["rev-parse", &format!("--since={text}")]).env("TZ", tz);
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0);
    let stdout = out.stdout_str();
    stdout
        .trim()
        .strip_prefix("--max-age=")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("git read {text:?} as {stdout:?}"))
}

/// The instant trail reads `text` as (`--since`), in seconds: the error of a
/// `--since` after `--until` names it.
fn trail_reads(env: &TestEnv, repo: &Path, text: &str, tz: &str, local: bool) -> i64 {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(["log", "--since", text, "--until", "1970-01-01T00:00:00Z"]).env("TZ", tz);
    if local {
        cmd.arg("--local");
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(2);
    let shown = out
        .stderr
        .split("--since (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("trail read {text:?}: {}", out.stderr));
    chrono::DateTime::parse_from_rfc3339(shown).expect("RFC 3339").timestamp()
}

#[test]
fn reads_what_git_reads() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "Start");
    let exact = [
        "@1700000000",
        "2026-12-07 14:13:11",
        "2026-12-07T14:13:11",
        "2026-12-07 14:13:11 UTC",
        "2026-12-07 14:13:11 +0200",
        "2026-12-07 14:13:11 -0530",
        "2026-12-07T14:13:11Z",
        "2026-12-07T14:13:11+02:00",
        "Mon Dec 7 14:13:11 2026 +0000",
        "Mon Dec 7 14:13:11 2026 +0100",
        "Mon, 07 Dec 2026 14:13:11 +0000",
        "Mon, 07 Dec 2026 14:13:11 -0800",
    ];
    for text in exact {
        assert_eq!(
            trail_reads(&env, &repo, text, "UTC", false),
            git_reads(&env, &repo, text, "UTC"),
            "{text}"
        );
    }
    // Relative to now: git and trail run a moment apart.
    for text in ["midnight", "noon", "yesterday", "3 days ago", "3.hours.ago", "2 weeks ago", "now"]
    {
        let (trail, git) =
            (trail_reads(&env, &repo, text, "UTC", false), git_reads(&env, &repo, text, "UTC"));
        assert!((trail - git).abs() <= 5, "{text}: trail {trail}, git {git}");
    }
}

/// git reads a time without a zone, `midnight` and `noon` in the local zone
/// (TZ); trail in the zone it shows times in: UTC, or TZ's with `--local`.
#[test]
fn local_times_follow_tz_with_local() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "Start");
    let tz = "IST-5:30";
    for text in ["2026-12-07 14:13:11", "2026-12-07T14:13", "Mon Dec 7 14:13:11 2026", "midnight"] {
        let git = git_reads(&env, &repo, text, tz);
        assert_eq!(trail_reads(&env, &repo, text, tz, true), git, "{text} with --local");
        if text != "midnight" {
            // Without --local: UTC, 5h30 later than the same wall time in India.
            assert_eq!(trail_reads(&env, &repo, text, tz, false), git + 5 * 3600 + 1800, "{text}");
        }
    }
}

/// `trail restore --at TIME` with the time `trail timeline` shows for a
/// state restores that state: the shown time is cut to the second, the
/// record's has nanoseconds.
#[test]
fn restore_at_a_shown_time_restores_that_state() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "Start");
    for (content, why) in [("second\n", "two"), ("third\n", "three")] {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(repo.join("a.txt"), content).expect("write");
        env.git_ok(&repo, ["add", "-A"]);
        let mut cmd = env.command("git", &repo);
        cmd.args(["commit", "-q", "-m", why]).env("TRAIL_WHY", why);
        run(cmd, PROCESS_TIMEOUT).assert_code(0);
    }
    let timeline = env.trail_ok(&repo, ["timeline", "a.txt"]).stdout_str();
    let shown: Vec<String> = timeline
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().skip(1).take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(shown.len(), 3, "{timeline}");
    for (time, content) in shown.iter().zip(["a\n", "second\n", "third\n"]) {
        let out = env.trail_ok(&repo, ["restore", "a.txt", "--at", time, "--to", "-"]);
        assert_eq!(out.stdout_str(), content, "--at {time:?}\n{timeline}");
        // The same with the zone written out, and in git's format.
        let utc = format!("{time} UTC");
        let out = env.trail_ok(&repo, ["restore", "a.txt", "--at", &utc, "--to", "-"]);
        assert_eq!(out.stdout_str(), content, "--at {utc:?}");
    }
}

#[test]
fn an_unreadable_time_is_a_usage_error() {
    let env = TestEnv::new();
    let repo = env.trail_repo("r", "Start");
    let out = env.trail(&repo, ["log", "--since", "the day after never"]);
    out.assert_code(2).assert_stderr_has("cannot read --since");
}
