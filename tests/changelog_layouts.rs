//! Golden tests of the CHANGELOG.md files trail writes, in folders
//! (git-cliff's fixture style): `tests/fixtures/changelog/<case>/` holds
//! `setup.sh`, an optional `trail.toml`, optional hand-written `input/`
//! files and the `expected/` files (see the README there). Each case runs
//! with the real binary against real git in a temporary repository, and
//! every CHANGELOG.md it leaves is also checked with markdownlint-cli (no
//! finding in a file trail created; none added to a hand-written one, line
//! length included, but repeated section names and what the case's
//! `lint-allow` explains) and with two Keep a Changelog parsers: the PyPI
//! `keepachangelog` package and the `parse-changelog` crate (issue 22).
//!
//! markdownlint-cli and keepachangelog are installed at pinned versions by
//! `.ci/install-test-tools` (tests/support/tools.rs); a missing tool fails the
//! test with the installer's output, never skips it.

mod common;
#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

fn cases_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures/changelog")
}

/// Every file below `dir`, as paths relative to it (`.git` left out), sorted.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Entry times become `<TIME>` and 16-hex-digit change ids `<ID>`: the hooks
/// write the clock's time and a random id.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if is_time(rest) {
            out.push_str("<TIME>");
            i += 20;
            continue;
        }
        if let Some(id) = rest.strip_prefix("change ")
            && id.len() >= 17
            && id.as_bytes()[..16].iter().all(|b| b.is_ascii_hexdigit())
            && id.as_bytes()[16] == b')'
        {
            out.push_str("change <ID>)");
            i += "change ".len() + 17;
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `2026-12-07T14:23:40Z` at the start of `s`.
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[..20].iter().enumerate().all(|(k, c)| match k {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Run case `name`: its repository, after `setup.sh`.
fn run_case(env: &TestEnv, name: &str) -> PathBuf {
    let case = cases_dir().join(name);
    let repo = env.dir(name);
    if case.join("trail.toml").is_file() {
        std::fs::copy(case.join("trail.toml"), repo.join("trail.toml")).expect("copy trail.toml");
    }
    let mut cmd = env.command("bash", &repo);
    cmd.arg("-eu")
        .arg(case.join("setup.sh"))
        .env("FIXTURE", &case)
        .env("MARKDOWNLINT", tools::tools().markdownlint());
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "case {name}: setup.sh failed:\n{out}");
    repo
}

/// Compare the case's `expected/` files with what the repository holds
/// (`TRAIL_BLESS=1` writes them instead).
fn compare(name: &str, repo: &Path) {
    let expected_dir = cases_dir().join(name).join("expected");
    let bless = std::env::var_os("TRAIL_BLESS").is_some_and(|v| v == "1");
    let mut wanted = files_below(&expected_dir);
    if bless {
        // Every CHANGELOG.md, the `*.out` files setup.sh saved command
        // output in, and every file named in expected/ already.
        for rel in files_below(repo) {
            let keep = rel.file_name().is_some_and(|n| n == "CHANGELOG.md")
                || rel.extension().is_some_and(|e| e == "out");
            if keep && !wanted.contains(&rel) {
                wanted.push(rel);
            }
        }
    }
    assert!(!wanted.is_empty(), "case {name}: expected/ is empty");
    let mut failures = Vec::new();
    for rel in wanted {
        let actual = std::fs::read_to_string(repo.join(&rel))
            .map(|t| normalize(&t))
            .unwrap_or_else(|e| format!("<cannot read: {e}>"));
        let path = expected_dir.join(&rel);
        if bless {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&path, &actual).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&path).expect("read an expected file");
        if expected != actual {
            failures.push(format!(
                "--- {} expected:\n{expected}\n--- {} actual:\n{actual}",
                rel.display(),
                rel.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "case {name}: files differ from expected/ (TRAIL_BLESS=1 rewrites them):\n{}",
        failures.join("\n")
    );
}

/// markdownlint's findings for `file`: rule name → count.
fn lint(env: &TestEnv, file: &Path) -> BTreeMap<String, usize> {
    let dir = file.parent().expect("a parent");
    let mut cmd = env.command(tools::tools().markdownlint(), dir);
    cmd.arg(file.file_name().expect("a name"));
    let out = run(cmd, PROCESS_TIMEOUT);
    let text = out.stderr.clone();
    assert!(matches!(out.status, Some(0 | 1)), "markdownlint failed on {}:\n{out}", file.display());
    let mut rules = BTreeMap::new();
    for line in text.lines() {
        // `CHANGELOG.md:12 error MD022/blanks-around-headings …`
        if let Some(rule) = line.split_whitespace().find(|w| w.starts_with("MD")) {
            *rules.entry(rule.to_owned()).or_insert(0) += 1;
        }
    }
    rules
}

/// Whether a line is a trail entry: a bullet ending `, change ID)`.
fn is_entry(line: &str) -> bool {
    (line.starts_with("- ") || line.starts_with("* "))
        && line.ends_with(')')
        && line.rfind(", change ").is_some_and(|at| {
            line[at + 9..line.len() - 1].bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// The trail entries of a file, each as one line: a bullet line and the
/// lines indented under it (trail wraps entries at markdownlint's line
/// length), joined with a space, up to the line that ends the entry.
fn entries(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !(line.starts_with("- ") || line.starts_with("* ")) {
            continue;
        }
        let more: Vec<&str> =
            lines[i + 1..].iter().take_while(|l| l.starts_with("  ")).copied().collect();
        // The longest run that reads as an entry: a person's lines after
        // the change id are not part of it.
        let found = (0..=more.len()).rev().find_map(|n| {
            let mut joined = line.trim_end().to_owned();
            for l in &more[..n] {
                joined.push(' ');
                joined.push_str(l.trim());
            }
            is_entry(&joined).then_some(joined)
        });
        out.extend(found);
    }
    out
}

#[test]
fn entries_are_read_across_continuation_lines() {
    let text = "## [Unreleased]\n\n- 2026-01-01T00:00:00Z `a` — Why: a long\n  reason. Impact: i. (Ada,\n  change c0)\n- 2026-01-01T00:00:00Z `b` — Why: w. Impact: i. (Ada, change c1)\n- hand-written\n  item\n";
    assert_eq!(
        entries(text),
        [
            "- 2026-01-01T00:00:00Z `a` — Why: a long reason. Impact: i. (Ada, change c0)",
            "- 2026-01-01T00:00:00Z `b` — Why: w. Impact: i. (Ada, change c1)",
        ]
    );
}

/// Whether the file underlines headings (setext): the PyPI parser reads
/// only `## ` and `### ` headings, so it has nothing to say about those.
fn setext(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_end();
        t.len() >= 3 && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
    })
}

/// Every CHANGELOG.md the case left passes markdownlint (or, hand-written,
/// gets no new finding from trail but long lines) and reads with both
/// parsers, which find every trail entry.
fn check_tools(env: &TestEnv, name: &str, repo: &Path) {
    let case = cases_dir().join(name);
    let mut problems = Vec::new();
    let files: Vec<PathBuf> = files_below(repo)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "CHANGELOG.md"))
        .collect();
    for rel in &files {
        let full = repo.join(rel);
        let text = std::fs::read_to_string(&full).expect("read a changelog");
        let input = case.join("input").join(rel);
        let found = lint(env, &full);
        if input.is_file() {
            // Hand-written: compare with the file as its author left it.
            let scratch = env.dir(&format!("{name}-baseline"));
            let copy = scratch.join("CHANGELOG.md");
            std::fs::copy(&input, &copy).expect("copy the input");
            let before = lint(env, &copy);
            // Keep a Changelog itself wants the same section names in every
            // release (MD024); the case's `lint-allow` names what else its
            // layout makes unavoidable. Line length (MD013) is checked:
            // trail wraps its entries at markdownlint's default width.
            let allowed = std::fs::read_to_string(case.join("lint-allow")).unwrap_or_default();
            let allows = |rule: &str| {
                rule.starts_with("MD024/")
                    || allowed.lines().any(|l| {
                        let mut words = l.split_whitespace();
                        !l.starts_with('#')
                            && words.next() == rel.to_str()
                            && words.next().is_some_and(|r| rule.starts_with(&format!("{r}/")))
                    })
            };
            for (rule, n) in &found {
                let was = before.get(rule).copied().unwrap_or(0);
                if *n > was && !allows(rule) {
                    problems.push(format!(
                        "{}: trail added {rule} findings ({was} → {n})",
                        rel.display()
                    ));
                }
            }
        } else if !found.is_empty() {
            problems.push(format!("{}: markdownlint found {found:?}", rel.display()));
        }

        let entries = entries(&text).len();
        // parse-changelog (Rust): every file it can read before, it reads after.
        let readable_before = !input.is_file()
            || parse_changelog::parse(&std::fs::read_to_string(&input).expect("input")).is_ok();
        if readable_before && let Err(e) = parse_changelog::parse(&text) {
            problems.push(format!("{}: parse-changelog: {e}", rel.display()));
        }
        // keepachangelog (PyPI): finds every entry, in its version. It reads
        // each line of a list item as an item of its own, so an entry trail
        // wrapped is found by its first line (the one with the time), and
        // its continuation lines are items of their own too (see the report
        // in docs/changelog.md).
        if !setext(&text) {
            let mut py = env.command(tools::tools().python(), repo);
            py.arg("-c")
                .arg(
                    "import sys, keepachangelog\n\
                     d = keepachangelog.to_dict(sys.argv[1], show_unreleased=True)\n\
                     import re\n\
                     t = re.compile(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ')\n\
                     print(sum(1 for v in d.values() for k, items in v.items() if k != 'metadata' \
                     for i in items if t.match(i)))\n",
                )
                .arg(&full);
            let out = run(py, PROCESS_TIMEOUT);
            let count = out.stdout_str().trim().to_owned();
            if out.status != Some(0) || count != entries.to_string() {
                problems.push(format!(
                    "{}: keepachangelog read {count:?} entries of {entries}:\n{out}",
                    rel.display()
                ));
            }
        }
    }
    assert!(!files.is_empty(), "case {name} left no CHANGELOG.md");
    assert!(problems.is_empty(), "case {name}:\n{}", problems.join("\n"));
}

fn case(name: &str) {
    let env = TestEnv::new();
    let repo = run_case(&env, name);
    compare(name, &repo);
    check_tools(&env, name, &repo);
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                case($name);
            }
        )*

        /// Every folder is a case that runs.
        #[test]
        fn every_fixture_folder_is_a_case() {
            let listed: Vec<&str> = vec![$($name),*];
            let mut folders: Vec<String> = std::fs::read_dir(cases_dir())
                .expect("the fixtures folder")
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            folders.sort();
            let mut listed: Vec<String> = listed.into_iter().map(str::to_owned).collect();
            listed.sort();
            assert_eq!(folders, listed);
        }
    };
}

cases! {
    setext_ripgrep => "setext-ripgrep",
    unreleased_spellings => "unreleased-spellings",
    sections_from_trailers => "sections-trailers",
    sections_from_conventional_prefixes => "sections-conventional",
    sections_configured_in_trail_toml => "sections-configured",
    kept_clean_after_markdownlint_fix => "markdownlint-fixed",
    unknown_layout_is_refused => "unknown-layout",
    sync_takes_this_branch_only => "sync-branch",
    doctor_fix_creates_missing_files => "doctor-missing",
    release_of_one_package_with_compare_links => "release-monorepo",
    hand_written_file_stays_within_80_columns => "hand-written-wrapped",
}

#[test]
fn normalize_replaces_times_and_ids() {
    assert_eq!(
        normalize("- 2026-12-07T14:23:40Z `a` — x. (T, change 0faf158f4769aa63)\n"),
        "- <TIME> `a` — x. (T, change <ID>)\n"
    );
    assert_eq!(normalize("change abc)"), "change abc)");
}
