//! What a person sees on a terminal: the real `trail` binary on a
//! pseudo-terminal of a given width (issue 21: 80 columns, the pager, the
//! summary of every record kind, colour, import's progress and Ctrl-C).

mod common;

use std::io::Read as _;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{PROCESS_TIMEOUT, TestEnv, run};

/// What a process printed on a terminal, and how it ended.
struct Screen {
    /// Everything written to the terminal, `\r\n` turned into `\n`.
    text: String,
    status: Option<i32>,
}

/// Open a pseudo-terminal `cols` wide; returns (master, slave).
fn pty(cols: u16) -> (OwnedFd, std::fs::File) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("open a pty");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a pty name is UTF-8"))
        .expect("open the pty's slave side");
    let size = rustix::termios::Winsize { ws_row: 40, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
    rustix::termios::tcsetwinsize(&slave, size).expect("set the terminal's size");
    (master, slave)
}

/// Run `cmd` with stdin, stdout and stderr on a terminal `cols` wide.
/// `interrupt` sends SIGINT once the output contains that text.
fn on_terminal(mut cmd: Command, cols: u16, interrupt: Option<&str>) -> Screen {
    let (master, slave) = pty(cols);
    cmd.stdin(slave.try_clone().expect("dup"))
        .stdout(slave.try_clone().expect("dup"))
        .stderr(slave);
    let mut child = cmd.spawn().expect("spawn on the pty");
    // The slave's copies held by `cmd` must close, or reading never ends.
    drop(cmd);
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut master = std::fs::File::from(master);
        let mut buf = [0u8; 4096];
        // EIO once every slave descriptor is closed: the end.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    let mut seen = Vec::new();
    let mut interrupted = interrupt.is_none();
    let status = loop {
        while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(20)) {
            seen.extend(chunk);
        }
        if !interrupted
            && let Some(text) = interrupt
            && String::from_utf8_lossy(&seen).contains(text)
        {
            let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("a pid");
            rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("send SIGINT");
            interrupted = true;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("timed out; the terminal shows:\n{}", String::from_utf8_lossy(&seen));
        }
    };
    // A pager or another child may still hold the terminal: read what is left.
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(chunk) => seen.extend(chunk),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(_) => {}
        }
    }
    drop(rx);
    drop(reader);
    Screen { text: String::from_utf8_lossy(&seen).replace("\r\n", "\n"), status }
}

fn trail_on_terminal(
    env: &TestEnv,
    repo: &Path,
    args: &[&str],
    cols: u16,
    vars: &[(&str, &str)],
) -> Screen {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(args).env("TERM", "xterm");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    on_terminal(cmd, cols, None)
}

/// Times and commit ids masked, so a snapshot does not depend on when it ran.
fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_time = |at: usize| {
        let shape = "dddd-dd-dd dd:dd";
        at + shape.len() <= chars.len()
            && shape.chars().enumerate().all(|(k, s)| match s {
                'd' => chars[at + k].is_ascii_digit(),
                ' ' => chars[at + k] == ' ' || chars[at + k] == 'T',
                c => chars[at + k] == c,
            })
    };
    while i < chars.len() {
        if is_time(i) {
            let mut end = i + 16;
            if end + 3 <= chars.len() && chars[end] == ':' && chars[end + 1].is_ascii_digit() {
                end += 3;
            }
            if end < chars.len() && chars[end] == '.' {
                end += 1;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == 'Z') {
                    end += 1;
                }
            }
            out.push_str(&"T".repeat(end - i));
            i = end;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_hexdigit() && !chars[i].is_ascii_uppercase() {
            i += 1;
        }
        let run = &chars[start..i];
        let boundary = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
        // A whole id, or the start of one a narrow column cut (`bce09f…`).
        let cut = run.len() >= 3 && chars.get(i) == Some(&'…');
        if boundary && ((run.len() >= 7 && run.iter().any(|c| c.is_ascii_digit())) || cut) {
            out.push_str(&"h".repeat(run.len()));
        } else if run.is_empty() {
            out.push(chars[i]);
            i += 1;
        } else {
            out.extend(run);
        }
    }
    out
}

/// A repository whose journal holds one record of each kind a person meets
/// first: commits, a refused commit, an amend (history.rewrite), a checkout
/// (ref.update).
fn busy_repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.trail_repo(
        "busy",
        "Add the first file, with a subject long enough to need the whole width of a terminal",
    );
    let commit = |message: &str, why: Option<&str>| {
        let mut cmd = env.command("git", &repo);
        cmd.args(["commit", "-q", "-m", message]);
        if let Some(why) = why {
            cmd.env("TRAIL_WHY", why);
        }
        run(cmd, PROCESS_TIMEOUT)
    };
    std::fs::write(repo.join("b.txt"), "b\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    let refused = commit("Add b without saying why", None);
    assert_ne!(refused.status, Some(0), "a commit without a rationale is refused:\n{refused}");
    commit("Add b", Some("b is needed")).assert_code(0);
    let mut amend = env.command("git", &repo);
    amend
        .args(["commit", "-q", "--amend", "-m", "Add b, amended"])
        .env("TRAIL_WHY", "a better subject");
    run(amend, PROCESS_TIMEOUT).assert_code(0);
    env.git_ok(&repo, ["checkout", "-q", "HEAD~1"]);
    repo
}

#[test]
fn log_at_80_columns_shows_every_summary() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let screen = trail_on_terminal(&env, &repo, &["log", "--no-pager"], 80, &[]);
    assert_eq!(screen.status, Some(0), "{}", screen.text);
    for line in screen.text.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line:?}");
    }
    let text = &screen.text;
    assert!(text.contains("refused: "), "the refused commit says why:\n{text}");
    assert!(
        text.contains("amend: ") && text.contains(" -> "),
        "the rewrite says what became what:\n{text}"
    );
    assert!(text.contains("checkout: "), "the checkout has a summary:\n{text}");
    assert!(text.contains("Add the first file"), "the subject is shown:\n{text}");
    insta::assert_snapshot!("log_80_columns", mask(text));

    // Wide terminals and pipes keep every column.
    let wide = trail_on_terminal(&env, &repo, &["log", "--no-pager"], 160, &[]);
    assert!(wide.text.lines().next().is_some_and(|h| h.contains("COMMIT") && h.contains("WHO")));
    let narrow = trail_on_terminal(&env, &repo, &["log", "--no-pager"], 50, &[]);
    for line in narrow.text.lines() {
        assert!(line.chars().count() <= 50, "wider than 50 columns: {line:?}");
    }
    assert!(narrow.text.contains("refused"), "{}", narrow.text);
}

#[test]
fn show_says_what_each_kind_records() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let records = env.trail_json(&repo, ["log", "--json", "--reverse"]);
    let seq_of = |kind: &str| {
        records
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind} record in {records:?}"))["seq"]
            .to_string()
    };
    let blocked = env.trail_ok(&repo, ["show", &seq_of("commit.blocked")]).stdout_str();
    assert!(blocked.contains("refused "), "{blocked}");
    let rewrite = env.trail_ok(&repo, ["show", &seq_of("history.rewrite")]).stdout_str();
    assert!(
        rewrite.contains("rewritten (old -> new)") && rewrite.contains("operation amend"),
        "{rewrite}"
    );
    let checkout = env.trail_ok(&repo, ["show", &seq_of("ref.update")]).stdout_str();
    assert!(checkout.contains("\nfrom      ") && checkout.contains("\nto        "), "{checkout}");
    let mut all = String::new();
    for kind in ["commit.blocked", "history.rewrite", "ref.update"] {
        let out = env.trail_ok(&repo, ["show", &seq_of(kind)]).stdout_str();
        // The hash chain is all ids, and the actor names this machine: keep the words.
        let kept: Vec<&str> = out
            .lines()
            .filter(|l| !["prev", "hash", "actor"].iter().any(|p| l.starts_with(p)))
            .collect();
        all.push_str(&kept.join("\n"));
        all.push_str("\n\n");
    }
    insta::assert_snapshot!("show_kinds", mask(&all));
}

#[test]
fn revision_names_resolve_with_git() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]).trim().to_owned();
    env.git_ok(&repo, ["tag", "v1", "HEAD"]);
    let of = |args: &[&str]| -> Vec<serde_json::Value> { env.trail_json(&repo, args) };
    for name in ["HEAD", "v1", &head[..8], &head] {
        let records = of(&["log", "--json", "--commit", name]);
        assert!(!records.is_empty(), "--commit {name} finds HEAD's records");
        assert!(records.iter().all(|r| r["commit"] == head.as_str()), "{name}: {records:?}");
        let shown = env.trail_ok(&repo, ["show", name]).stdout_str();
        assert!(shown.contains(&format!("commit    {head}")), "show {name}:\n{shown}");
    }
    // main is one ahead of the detached HEAD; main~1 is HEAD.
    let main1 = of(&["log", "--json", "--commit", "main~1"]);
    assert!(main1.iter().all(|r| r["commit"] == head.as_str()) && !main1.is_empty());
    for args in [&["log", "--commit", "no-such-branch"][..], &["show", "no-such-branch"][..]] {
        let out = env.trail(&repo, args);
        out.assert_code(2).assert_stderr_has("cannot resolve");
    }
}

#[test]
fn timeline_at_80_columns_keeps_size_commit_and_path() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let screen = trail_on_terminal(&env, &repo, &["timeline", "a.txt", "--no-pager"], 80, &[]);
    assert_eq!(screen.status, Some(0), "{}", screen.text);
    let mut lines = screen.text.lines();
    let header = lines.next().expect("a header");
    for column in ["SIZE", "COMMIT", "PATH"] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines.next().expect("a state");
    assert!(row.chars().count() <= 80 && row.ends_with("a.txt") && row.contains(" 2 "), "{row:?}");
    insta::assert_snapshot!("timeline_80_columns", mask(&screen.text));
}

#[test]
fn pages_like_git() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let pager = "sed s/^/paged:/";
    let paged = |args: &[&str], vars: &[(&str, &str)]| {
        let screen = trail_on_terminal(&env, &repo, args, 100, vars);
        assert_eq!(screen.status, Some(0), "{}", screen.text);
        screen.text.lines().next().is_some_and(|l| l.starts_with("paged:"))
    };
    assert!(paged(&["log"], &[("TRAIL_PAGER", pager)]));
    assert!(paged(&["show", "1"], &[("PAGER", pager)]));
    assert!(paged(&["timeline", "a.txt"], &[("PAGER", pager)]));
    assert!(!paged(&["--no-pager", "log"], &[("TRAIL_PAGER", pager)]));
    assert!(!paged(&["log", "-P"], &[("TRAIL_PAGER", pager)]));
    assert!(!paged(&["log", "--json"], &[("TRAIL_PAGER", pager)]));
    assert!(!paged(&["log"], &[("TRAIL_PAGER", ""), ("PAGER", pager)]), "empty means none");
    assert!(!paged(&["log"], &[("TRAIL_PAGER", "cat"), ("PAGER", pager)]));
    // git's core.pager comes between TRAIL_PAGER and PAGER.
    env.git_ok(&repo, ["config", "core.pager", "sed s/^/core:/"]);
    let screen = trail_on_terminal(&env, &repo, &["log"], 100, &[("PAGER", pager)]);
    assert!(screen.text.starts_with("core:"), "{}", screen.text);
    let screen = trail_on_terminal(&env, &repo, &["log"], 100, &[("TRAIL_PAGER", pager)]);
    assert!(screen.text.starts_with("paged:"), "{}", screen.text);
    // The default, `less` with LESS=FRX: it quits at once when the output
    // fits one screen (without -F this would wait for a key and time out).
    let has_less = std::process::Command::new("less").arg("--version").output().is_ok();
    if has_less {
        let screen = trail_on_terminal(&env, &repo, &["log"], 100, &[]);
        assert_eq!(screen.status, Some(0), "{}", screen.text);
        assert!(
            screen.text.contains("SUMMARY") && screen.text.contains("refused"),
            "{}",
            screen.text
        );
    }
    // Not on a pipe.
    let mut cmd = env.trail_cmd(&repo);
    cmd.arg("log").env("TRAIL_PAGER", pager);
    let out = run(cmd, PROCESS_TIMEOUT);
    assert!(!out.stdout_str().contains("paged:"));
    // Not when following: the rows come as they are appended.
    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["log", "-f", "-n", "1"]).env("TRAIL_PAGER", pager).env("TERM", "xterm");
    let screen = on_terminal(cmd, 100, Some("SUMMARY"));
    assert!(!screen.text.contains("paged:"), "{}", screen.text);
    assert_eq!(screen.status, Some(0), "{}", screen.text);
}

#[test]
fn colour_follows_flag_then_environment_then_terminal() {
    let env = TestEnv::new();
    let repo = busy_repo(&env);
    let coloured = |args: &[&str], vars: &[(&str, &str)], terminal: bool| -> bool {
        let mut all = vec!["show", "no-such-record"];
        all.extend_from_slice(args);
        if terminal {
            trail_on_terminal(&env, &repo, &all, 100, vars).text.contains("\x1b[")
        } else {
            let mut cmd = env.trail_cmd(&repo);
            cmd.args(&all);
            for (k, v) in vars {
                cmd.env(k, v);
            }
            run(cmd, PROCESS_TIMEOUT).stderr.contains("\x1b[")
        }
    };
    assert!(coloured(&[], &[], true), "a terminal gets colour");
    assert!(!coloured(&[], &[], false), "a pipe does not");
    assert!(coloured(&["--color=always"], &[("NO_COLOR", "1")], false), "--color wins");
    assert!(!coloured(&["--color=never"], &[("CLICOLOR_FORCE", "1")], true));
    assert!(!coloured(&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], true));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")], false));
    assert!(!coloured(&[], &[("CLICOLOR", "0")], true));
    assert!(coloured(&[], &[("CLICOLOR", "1")], true));
}

#[test]
fn import_progress_fits_80_columns_and_ctrl_c_says_how_to_go_on() {
    let env = TestEnv::new();
    let repo = env.gen_history("history", &["--commits", "3000", "--files", "50", "--dirs", "5"]);
    env.trail_ok(&repo, ["init"]);
    let mut cmd = env.trail_cmd(&repo);
    // One commit a batch: slow enough to see the bar and stop the import half-way.
    cmd.args(["import", "--batch", "1"]).env("TERM", "xterm");
    let screen = on_terminal(cmd, 80, Some("commits/s"));
    assert_eq!(screen.status, Some(130), "{}", screen.text);
    assert!(
        screen.text.contains("trail: interrupted; run `trail import` again to continue"),
        "{}",
        screen.text
    );
    for frame in screen.text.split(['\r', '\n']) {
        // Strip the cursor and erase sequences indicatif draws with.
        let visible: String = strip_escapes(frame);
        assert!(visible.chars().count() <= 80, "wider than 80 columns: {visible:?}");
        if let Some(at) = visible.find(" commits/s") {
            let rate = visible[..at].rsplit('(').next().expect("a rate");
            assert!(rate.bytes().all(|b| b.is_ascii_digit()), "an integer rate: {visible:?}");
        }
    }
    let recorded = env.trail_json(&repo, ["log", "--json"]).len();
    assert!(recorded > 0 && recorded < 3000, "what was recorded stays: {recorded}");
    env.trail_ok(&repo, ["import"]);
    assert_eq!(env.trail_json(&repo, ["log", "--json"]).len(), 3000);
}

fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}
