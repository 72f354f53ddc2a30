//! Every example in docs/guide.md and in README.md is run here, in order, in
//! one shell per document, and its output compared with what the document
//! shows — so neither can go stale. Runnable examples are ```console blocks:
//! a line starting `$ ` is a command (run by bash, in the directory the
//! previous command left), the lines after it are its output (stdout and
//! stderr as a terminal would interleave them). In the expected output `[..]`
//! stands for any text within a line and a line `...` for any number of
//! lines; blank lines are ignored.
//!
//! README.md shows real output as it was captured, so what changes from run
//! to run is masked on both sides (see [`mask`]): hashes and ids, times,
//! durations and rates. Counts are not: a stale `39 insertions` fails. Its
//! set-up that a reader need not see (a repository with a history) is in
//! HTML comments starting `<!-- tests/guide.rs`, whose `$ ` lines run in the
//! same shell without their output being checked.

mod common;

use std::fmt::Write as _;

use common::*;

struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
    /// False for the hidden set-up of README.md.
    checked: bool,
}

fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut in_setup = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("<!-- tests/guide.rs") {
            in_setup = true;
            continue;
        }
        if in_setup {
            if line.trim() == "-->" {
                in_setup = false;
            } else if let Some(command) = line.strip_prefix("$ ") {
                out.push(Example {
                    line: n + 1,
                    command: command.to_owned(),
                    expected: Vec::new(),
                    checked: false,
                });
            }
            continue;
        }
        if line.trim_start().starts_with("```") {
            in_console = !in_console && line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.push(Example {
                line: n + 1,
                command: command.to_owned(),
                expected: Vec::new(),
                checked: true,
            });
        } else if let Some(last) = out.last_mut() {
            last.expected.push(line.to_owned());
        }
    }
    out
}

/// `line` with what differs from run to run replaced by a placeholder:
/// times (`2026-11-27T02:32:31Z`, `2026-11-27 02:32:31`, with or without
/// fractions) by `<time>`; runs of 7 or more lowercase hex digits holding a
/// digit (commit ids, store ids, change ids, hashes) by `<hex>`; a number
/// before ` s` or ` records/s` (durations, rates) by `<n>`.
fn mask(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let boundary = i == 0 || !word(chars[i - 1]);
        if boundary && let Some(len) = time_at(&chars[i..]) {
            out.push_str("<time>");
            i += len;
            continue;
        }
        if boundary && chars[i].is_ascii_digit() {
            let mut end = i;
            while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                end += 1;
            }
            let rest: String = chars[end..].iter().collect();
            let unit = [" s", " records/s"]
                .iter()
                .find(|u| rest.starts_with(**u) && !rest[u.len()..].starts_with(|c: char| word(c)));
            if unit.is_some() {
                out.push_str("<n>");
                i = end;
                continue;
            }
        }
        if boundary && word(chars[i]) {
            let mut end = i;
            while end < chars.len() && word(chars[end]) {
                end += 1;
            }
            let run = &chars[i..end];
            if run.len() >= 7
                && run.iter().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
                && run.iter().any(char::is_ascii_digit)
            {
                out.push_str("<hex>");
            } else {
                out.extend(run);
            }
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The length of the time at the start of `chars`, if one is there:
/// `DDDD-DD-DD`, `T` or a space, `DD:DD:DD`, maybe `.D…`, maybe `Z`.
fn time_at(chars: &[char]) -> Option<usize> {
    let shape = "DDDD-DD-DD?DD:DD:DD";
    if chars.len() < shape.len() {
        return None;
    }
    for (c, s) in chars.iter().zip(shape.chars()) {
        let fits = match s {
            'D' => c.is_ascii_digit(),
            '?' => *c == 'T' || *c == ' ',
            other => *c == other,
        };
        if !fits {
            return None;
        }
    }
    let mut len = shape.len();
    if chars.get(len) == Some(&'.') {
        len += 1;
        while chars.get(len).is_some_and(char::is_ascii_digit) {
            len += 1;
        }
    }
    if chars.get(len) == Some(&'Z') {
        len += 1;
    }
    Some(len)
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

/// Run every example of `doc` (a path below the manifest directory) in
/// one shell started in a new directory, which the output names as
/// `shown_as`; with `masked`, compare through [`mask`].
fn run_examples(doc: &str, shown_as: &str, masked: bool, at_least: usize) {
    let env = TestEnv::new();
    let text = std::fs::read_to_string(manifest_dir().join(doc)).expect(doc);
    let examples = examples(&text);
    let checked = examples.iter().filter(|e| e.checked).count();
    assert!(checked >= at_least, "{doc} has its examples ({checked} found)");
    // One script: a marker before each command, so its output can be split.
    // A reader's shell: git takes who they are from `git config`, as the
    // document sets it, and the time from the clock.
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
    cmd.arg("-c")
        .arg(&script)
        .env("GUIDE_ROOT", &work)
        .env("TRAIL_SRC", manifest_dir())
        .env("COLUMNS", "200");
    let out = run(cmd, std::time::Duration::from_secs(300));
    let stdout = out.stdout_str();
    let mut failures = String::new();
    let work = work.to_str().expect("UTF-8");
    let root = env.root.to_str().expect("UTF-8");
    for (i, example) in examples.iter().enumerate() {
        let start = format!("@@@ {i} @@@");
        let section = stdout
            .split_once(&start)
            .and_then(|(_, rest)| rest.split_once("@@@ ").map(|(s, _)| s))
            .unwrap_or_else(|| {
                panic!("no output section for the example at line {}", example.line)
            });
        if !example.checked {
            continue;
        }
        let shown = |l: &str| if masked { mask(l) } else { l.to_owned() };
        let actual: Vec<String> = section
            .lines()
            .map(|l| shown(&l.replace(work, shown_as).replace(root, "/tmp")))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let actual: Vec<&str> = actual.iter().map(String::as_str).collect();
        let expected: Vec<String> =
            example.expected.iter().filter(|l| !l.trim().is_empty()).map(|l| shown(l)).collect();
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        if !lines_match(&expected, &actual) {
            let _ = writeln!(
                failures,
                "{doc}:{}: $ {}\n--- expected\n{}\n--- actual\n{}\n",
                example.line,
                example.command,
                expected.join("\n"),
                actual.join("\n")
            );
        }
    }
    assert!(failures.is_empty(), "examples in {doc} that no longer run as shown:\n\n{failures}");
}

#[test]
fn every_example_in_the_guide_runs_as_shown() {
    run_examples("docs/guide.md", "/tmp/guide", false, 20);
}

/// The README's tour, from the repository it makes in /tmp.
#[test]
fn every_example_in_the_readme_runs_as_shown() {
    run_examples("README.md", "/tmp", true, 10);
}

#[test]
fn the_mask_hides_what_changes_and_keeps_counts() {
    assert_eq!(
        mask("[main (root-commit) 528b12d] Start the demo"),
        "[main (root-commit) <hex>] Start the demo"
    );
    assert_eq!(mask(" 4 files changed, 39 insertions(+)"), " 4 files changed, 39 insertions(+)");
    assert_eq!(
        mask("- 2026-11-27T02:32:31Z `main.rs` (added) (Ada, change be02a5a8f9cf563a)"),
        "- <time> `main.rs` (added) (Ada, change <hex>)"
    );
    assert_eq!(
        mask("      3  2026-11-27 02:32:31  commit  Ada  528b12d4a3  Start the demo"),
        "      3  <time>  commit  Ada  <hex>  Start the demo"
    );
    assert_eq!(
        mask("ok: 3 records verified in 0.001 s (4339 records/s); head seq 3 hash 6c1f00a9"),
        "ok: 3 records verified in <n> s (<n> records/s); head seq 3 hash <hex>"
    );
    assert_eq!(mask("time      2026-11-21T10:30:00.000000000Z"), "time      <time>");
    assert_eq!(mask("changelog.created facade deadbeef"), "changelog.created facade deadbeef");
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
