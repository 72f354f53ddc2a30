//! Every example in docs/guide.md is run here, in order, in one shell, and
//! its output compared with what the guide shows — so the guide cannot go
//! stale. Runnable examples are ```console blocks: a line starting `$ ` is a
//! command (run by bash, in the directory the previous command left), the
//! lines after it are its output (stdout and stderr as a terminal would
//! interleave them). In the expected output `[..]` stands for any text within
//! a line and a line `...` for any number of lines; blank lines are ignored.

mod common;

use std::fmt::Write as _;

use common::*;

struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
}

fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_console = !in_console && line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.push(Example { line: n + 1, command: command.to_owned(), expected: Vec::new() });
        } else if let Some(last) = out.last_mut() {
            last.expected.push(line.to_owned());
        }
    }
    out
}

/// Does `line` match `pattern`, where `[..]` matches any text?
fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let mut rest = line;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(part) else { return false };
            rest = after;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Do the `actual` lines match the `expected` ones (`...` = any lines)?
fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((pattern, rest)) => {
            !actual.is_empty()
                && line_matches(pattern, actual[0])
                && lines_match(rest, &actual[1..])
        }
    }
}

#[test]
fn every_example_in_the_guide_runs_as_shown() {
    let env = TestEnv::new();
    let guide =
        std::fs::read_to_string(manifest_dir().join("docs/guide.md")).expect("docs/guide.md");
    let examples = examples(&guide);
    assert!(examples.len() >= 20, "the guide has its examples ({} found)", examples.len());
    // One script: a marker before each command, so its output can be split.
    // A reader's shell: git takes who they are from `git config`, as the
    // guide sets it, and the time from the clock.
    let mut script = String::from(
        "set +e\ncd \"$GUIDE_ROOT\"\nunset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
         GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE\n",
    );
    for (i, example) in examples.iter().enumerate() {
        let _ = writeln!(script, "printf '\\n@@@ {i} @@@\\n'");
        let _ = writeln!(script, "{} 2>&1", example.command);
    }
    let _ = writeln!(script, "printf '\\n@@@ end @@@\\n'");
    let work = env.dir("guide");
    let mut cmd = env.command("bash", &work);
    cmd.arg("-c").arg(&script).env("GUIDE_ROOT", &work).env("COLUMNS", "200");
    let out = run(cmd, std::time::Duration::from_secs(300));
    let stdout = out.stdout_str();
    let mut failures = String::new();
    for (i, example) in examples.iter().enumerate() {
        let start = format!("@@@ {i} @@@");
        let section = stdout
            .split_once(&start)
            .and_then(|(_, rest)| rest.split_once("@@@ ").map(|(s, _)| s))
            .unwrap_or_else(|| {
                panic!("no output section for the example at line {}", example.line)
            });
        let root = env.root.to_str().expect("UTF-8");
        let actual: Vec<String> = section
            .lines()
            .map(|l| l.replace(root, "/tmp"))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let actual: Vec<&str> = actual.iter().map(String::as_str).collect();
        let expected: Vec<&str> =
            example.expected.iter().map(String::as_str).filter(|l| !l.trim().is_empty()).collect();
        if !lines_match(&expected, &actual) {
            let _ = writeln!(
                failures,
                "docs/guide.md:{}: $ {}\n--- expected\n{}\n--- actual\n{}\n",
                example.line,
                example.command,
                expected.join("\n"),
                actual.join("\n")
            );
        }
    }
    assert!(
        failures.is_empty(),
        "examples in docs/guide.md that no longer run as shown:\n\n{failures}"
    );
}

#[test]
fn the_matcher_matches_what_it_should() {
    assert!(line_matches("trail: created [..] (store [..])", "trail: created /x/y (store abc)"));
    assert!(!line_matches("trail: created [..] (store [..])", "trail: made /x/y (store abc)"));
    assert!(lines_match(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(lines_match(&["a", "...", "d"], &["a", "d"]));
    assert!(!lines_match(&["a", "...", "d"], &["a", "b"]));
    assert!(!lines_match(&["a"], &["a", "b"]));
}

/// The guide's table names every key the default trail.toml shows (the
/// commented `[protect]` example included), and no other.
#[test]
fn the_guide_lists_every_trail_toml_key() {
    let guide =
        std::fs::read_to_string(manifest_dir().join("docs/guide.md")).expect("docs/guide.md");
    let listed: std::collections::BTreeSet<String> = guide
        .lines()
        .filter_map(|l| l.strip_prefix("| `["))
        .filter_map(|l| l.split_once('`').map(|(key, _)| format!("[{key}")))
        .collect();
    let defaults = std::fs::read_to_string(manifest_dir().join("crates/cli/defaults/trail.toml"))
        .expect("defaults");
    let mut section = String::new();
    let mut keys = std::collections::BTreeSet::new();
    for line in defaults.lines() {
        let line = line.trim_start_matches("# ").trim_start_matches('#').trim();
        if line.starts_with('[') && line.ends_with(']') {
            section = line.to_owned();
        } else if let Some((key, _)) = line.split_once(" = ")
            && !key.contains(' ')
            && !section.is_empty()
        {
            keys.insert(format!("{section} {key}"));
        }
    }
    assert!(keys.len() >= 12, "{keys:?}");
    assert_eq!(listed, keys, "docs/guide.md's key table vs crates/cli/defaults/trail.toml");
}
