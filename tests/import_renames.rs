//! `trail import` records each commit's files as `git log --name-status -M`
//! shows them (issue 20): renames paired as git pairs them (similarity by
//! content chunks, empty files, ties between equally good candidates) and
//! tree modes canonicalized as git reads them (`100664` is `100644`).
//!
//! Each test builds a small history with git, imports it, and compares every
//! commit's recorded paths with what git shows for it in the same test.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{PROCESS_TIMEOUT, TestEnv, path_bytes, run_with_input};

/// One file of a commit: status letter, rename source, path, mode (the new
/// one; the old one for a deletion).
type Change = (String, Option<Vec<u8>>, Vec<u8>, String);

/// What git shows for each non-merge commit: `git log --raw -M -z` (the
/// statuses and paths of `git log --name-status -M`, with the modes).
fn git_log(env: &TestEnv, repo: &Path) -> BTreeMap<String, BTreeSet<Change>> {
    let out = env
        .git(repo, ["log", "--raw", "-M", "--no-merges", "--no-abbrev", "-z", "--format=%x01%H"]);
    assert_eq!(out.status, Some(0), "{out}");
    let mut commits = BTreeMap::new();
    for chunk in out.stdout.split(|b| *b == 1).skip(1) {
        let mut tokens = chunk.split(|b| *b == 0);
        let commit = String::from_utf8(tokens.next().expect("an id").to_vec()).expect("hex");
        let mut changes = BTreeSet::new();
        while let Some(header) = tokens.next() {
            let header = header.strip_prefix(b"\n").unwrap_or(header);
            if header.is_empty() {
                continue;
            }
            let header = String::from_utf8(header.to_vec()).expect("a raw header is ASCII");
            let fields: Vec<&str> = header.trim_start_matches(':').split(' ').collect();
            assert_eq!(fields.len(), 5, "unexpected raw line {header:?}");
            let status = fields[4][..1].to_owned();
            let first = tokens.next().expect("a path").to_vec();
            let (from, path) = if status == "R" || status == "C" {
                (Some(first), tokens.next().expect("a rename's target").to_vec())
            } else {
                (None, first)
            };
            let mode = if status == "D" { fields[0] } else { fields[1] };
            changes.insert((status, from, path, mode.to_owned()));
        }
        commits.insert(commit, changes);
    }
    commits
}

/// What trail recorded for each non-merge commit (`trail log --json`).
fn trail_log(env: &TestEnv, repo: &Path) -> BTreeMap<String, BTreeSet<Change>> {
    let mut commits = BTreeMap::new();
    for record in env.trail_json(repo, ["log", "--json", "--kind", "commit"]) {
        let parents = record.get("parents").and_then(|p| p.as_array()).map_or(0, Vec::len);
        if parents > 1 {
            continue;
        }
        let commit = record["commit"].as_str().expect("a commit id").to_owned();
        let changes = record
            .get("paths")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .map(|entry| {
                (
                    entry["status"].as_str().expect("a status").to_owned(),
                    path_bytes(entry, "from"),
                    path_bytes(entry, "path").expect("a path"),
                    entry["mode"].as_str().expect("a mode").to_owned(),
                )
            })
            .collect();
        commits.insert(commit, changes);
    }
    commits
}

/// `trail init && trail import`, then every commit's paths compared with
/// git's, path by path. Returns git's view for the test's own checks.
#[track_caller]
fn import_matches_git(env: &TestEnv, repo: &Path) -> BTreeMap<String, BTreeSet<Change>> {
    env.trail_ok(repo, ["init"]);
    env.trail_ok(repo, ["import"]);
    let git = git_log(env, repo);
    let trail = trail_log(env, repo);
    assert_eq!(
        trail.keys().collect::<Vec<_>>(),
        git.keys().collect::<Vec<_>>(),
        "one record per commit"
    );
    for (commit, expected) in &git {
        let recorded = &trail[commit];
        assert_eq!(
            recorded,
            expected,
            "commit {commit}: trail recorded\n{}git shows\n{}",
            show(recorded),
            show(expected)
        );
    }
    git
}

/// One change a line, for messages.
fn show(changes: &BTreeSet<Change>) -> String {
    changes
        .iter()
        .map(|(status, from, path, mode)| {
            let from = from
                .as_ref()
                .map(|f| format!("{} -> ", String::from_utf8_lossy(f)))
                .unwrap_or_default();
            format!("  {status} {from}{} {mode}\n", String::from_utf8_lossy(path))
        })
        .collect()
}

/// The changes git shows for `rev`.
fn shown<'a>(
    env: &TestEnv,
    repo: &Path,
    git: &'a BTreeMap<String, BTreeSet<Change>>,
    rev: &str,
) -> &'a BTreeSet<Change> {
    &git[&env.git_ok(repo, ["rev-parse", rev])]
}

fn rename(from: &str, to: &str) -> Change {
    ("R".to_owned(), Some(from.into()), to.into(), "100644".to_owned())
}

fn write(repo: &Path, path: &str, content: &[u8]) {
    let path = repo.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

fn commit_all(env: &TestEnv, repo: &Path, message: &str) {
    env.git_ok(repo, ["add", "-A"]);
    env.git_ok(repo, ["commit", "-q", "--allow-empty", "-m", message]);
}

fn new_repo(env: &TestEnv, name: &str) -> std::path::PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

/// `lines` lines of `width` letters, each line a different pattern.
fn text(lines: usize, width: usize, seed: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for j in 0..lines {
        out.extend((0..width).map(|i| b'a' + ((i * 7 + j * 13 + seed) % 26) as u8));
        out.push(b'\n');
    }
    out
}

/// Twenty lines of 30 letters with the first letter of `changed` lines replaced:
/// a file 5% less similar to the original per changed line.
fn twenty_lines(changed: &[usize]) -> Vec<u8> {
    let mut out = text(20, 30, 9);
    for line in changed {
        out[line * 31] = b'#';
    }
    out
}

// cargo 2ff9e329: a JSON fixture of a few long lines, renamed with a small
// edit, is R089 in git; trail compared lines (two of three changed) and
// recorded a deletion and an addition.
#[test]
fn regression_a_file_of_few_long_lines_was_not_a_rename() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "long");
    let original = text(3, 700, 0);
    write(&repo, "tests/fixtures/str_lit_type_mismatch.json", &original);
    commit_all(&env, &repo, "Add the fixture");
    std::fs::remove_file(repo.join("tests/fixtures/str_lit_type_mismatch.json")).expect("rm");
    let mut edited = original.clone();
    edited[1000] = b'X';
    edited[1800] = b'Y';
    write(&repo, "tests/fixtures/str-lit-type-mismatch.json", &edited);
    commit_all(&env, &repo, "Rename the fixture, with an edit");

    let git = import_matches_git(&env, &repo);
    assert_eq!(
        shown(&env, &repo, &git, "HEAD"),
        &BTreeSet::from([rename(
            "tests/fixtures/str_lit_type_mismatch.json",
            "tests/fixtures/str-lit-type-mismatch.json"
        )]),
        "git pairs them (R093)"
    );
}

// cargo 0028bc21: six empty `.gitkeep` renamed to `.keep` are R100 in git;
// trail recorded deletions and additions (and paired them only when the same
// commit renamed a non-empty file).
#[test]
fn regression_empty_files_were_not_renamed() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "empty");
    let dirs = ["empty-dir", "fossil.in/.fossil", "hg.in/.hg", "pijul.in/.pijul", "x.in/foo", "y"];
    for dir in dirs {
        write(&repo, &format!("snapshots/{dir}/.gitkeep"), b"");
    }
    write(&repo, "src/main.rs", &text(10, 30, 1));
    commit_all(&env, &repo, "Empty directories kept");
    // Alone: only empty files renamed.
    for dir in dirs {
        env.git_ok(
            &repo,
            ["mv", &format!("snapshots/{dir}/.gitkeep"), &format!("snapshots/{dir}/.keep")],
        );
    }
    commit_all(&env, &repo, "gitkeep -> keep");
    // Alongside a non-empty file.
    for dir in dirs {
        env.git_ok(
            &repo,
            ["mv", &format!("snapshots/{dir}/.keep"), &format!("snapshots/{dir}/.placeholder")],
        );
    }
    env.git_ok(&repo, ["mv", "src/main.rs", "src/lib.rs"]);
    commit_all(&env, &repo, "keep -> placeholder, main -> lib");

    let git = import_matches_git(&env, &repo);
    let renamed = shown(&env, &repo, &git, "HEAD~1");
    assert_eq!(renamed.len(), dirs.len());
    assert!(renamed.iter().all(|c| c.0 == "R"), "git renames empty files:\n{}", show(renamed));
    let renamed = shown(&env, &repo, &git, "HEAD");
    assert_eq!(renamed.len(), dirs.len() + 1);
    assert!(renamed.iter().all(|c| c.0 == "R"), "{}", show(renamed));
}

// ripgrep 3bfa125b, cargo 9bdc7779, git/git 877176e0: when several sources
// fit a destination equally well, trail picked another one than git.
#[test]
fn regression_ties_between_equal_candidates_went_otherwise() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "ties");
    let build = text(8, 40, 2);
    let docker = text(6, 50, 3);
    for arch in ["arm-linux", "mips64-linux"] {
        write(&repo, &format!("ci/docker/{arch}/build"), &build);
        write(&repo, &format!("ci/docker/{arch}/Dockerfile"), &docker);
    }
    let candidates: [(&str, &[usize]); 6] = [
        ("s0", &[0, 1, 2, 3, 4, 5, 6, 7]),
        ("s1", &[0, 1, 2, 3]),
        ("s2", &[1, 2, 3, 4, 5, 6, 7, 8]),
        ("s3", &[2, 3, 4, 5, 6, 7, 8, 9]),
        ("s4", &[4, 5, 6, 7]),
        ("s5", &[8, 9, 10, 11]),
    ];
    for (name, changed) in candidates {
        write(&repo, &format!("similar/{name}.txt"), &twenty_lines(changed));
    }
    let mut other = text(20, 30, 4);
    write(&repo, "one/source.txt", &other);
    // 205 identical files: git's table of sources grows on the last one,
    // which turns the order it tries identical sources in around.
    for i in 0..205 {
        write(&repo, &format!("same/d{i:03}.txt"), b"same\n");
    }
    commit_all(&env, &repo, "Start");

    // Identical files (exact renames): for each destination in path order,
    // the first free source with the same file name, else the first free one.
    for arch in ["arm-linux", "mips64-linux"] {
        std::fs::remove_dir_all(repo.join(format!("ci/docker/{arch}"))).expect("rm");
    }
    write(&repo, "ci/docker/aarch64-linux/build", &build);
    for arch in ["powerpc64-linux", "s390x-linux"] {
        write(&repo, &format!("ci/docker/{arch}/build"), &build);
        write(&repo, &format!("ci/docker/{arch}/Dockerfile"), &docker);
    }
    commit_all(&env, &repo, "Exact ties");

    // More similar sources than the four git keeps per destination, some
    // better than others: git's choice depends on which slot each took.
    std::fs::remove_dir_all(repo.join("similar")).expect("rm");
    write(&repo, "similar/target.txt", &twenty_lines(&[]));
    commit_all(&env, &repo, "Inexact ties between sources");

    // One source, two equally similar destinations.
    std::fs::remove_dir_all(repo.join("one")).expect("rm");
    other[0] = b'#';
    write(&repo, "two/first.txt", &other);
    other[0] = b'a';
    other[31] = b'#';
    write(&repo, "two/second.txt", &other);
    commit_all(&env, &repo, "Inexact ties between destinations");

    std::fs::remove_dir_all(repo.join("same")).expect("rm");
    write(&repo, "same.txt", b"same\n");
    commit_all(&env, &repo, "One of 205 identical files");

    let git = import_matches_git(&env, &repo);
    let exact = shown(&env, &repo, &git, "HEAD~3");
    assert!(
        exact.contains(&rename("ci/docker/arm-linux/build", "ci/docker/aarch64-linux/build")),
        "{}",
        show(exact)
    );
    let sources = shown(&env, &repo, &git, "HEAD~2");
    assert!(sources.contains(&rename("similar/s4.txt", "similar/target.txt")), "{}", show(sources));
    let destinations = shown(&env, &repo, &git, "HEAD~1");
    assert!(
        destinations.contains(&rename("one/source.txt", "two/first.txt")),
        "{}",
        show(destinations)
    );
    let last = shown(&env, &repo, &git, "HEAD");
    assert!(last.contains(&rename("same/d204.txt", "same.txt")), "{}", show(last));
}

// git/git's first months wrote regular files as `100664`. git reads every
// tree mode canonicalized: such a file is `100644`, and a commit that only
// rewrote `100664` as `100644` changed nothing. trail stored the raw mode and
// recorded an `M` for the rewrite.
#[test]
fn regression_non_canonical_modes_were_stored_raw() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "modes");
    let blob = |content: &str| {
        let mut cmd = env.command("git", &repo);
        cmd.args(["hash-object", "-w", "--stdin"]);
        let out = run_with_input(cmd, content.as_bytes().to_vec(), PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "{out}");
        out.stdout_str().trim().to_owned()
    };
    let (readme, cache, cache2, script) =
        (blob("readme\n"), blob("cache\n"), blob("cache, edited\n"), blob("#!/bin/sh\n"));
    // `git mktree` writes the modes it is given, as early git did.
    let tree = |entries: &[(&str, &str, &str)]| {
        let listing: String =
            entries.iter().map(|(mode, id, name)| format!("{mode} blob {id}\t{name}\n")).collect();
        let mut cmd = env.command("git", &repo);
        cmd.arg("mktree");
        let out = run_with_input(cmd, listing.into_bytes(), PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "{out}");
        out.stdout_str().trim().to_owned()
    };
    let mut parent: Option<String> = None;
    let mut commit = |tree: String, message: &str| {
        let mut args = vec!["commit-tree".to_owned(), tree, "-m".to_owned(), message.to_owned()];
        if let Some(parent) = &parent {
            args.extend(["-p".to_owned(), parent.clone()]);
        }
        let id = env.git_ok(&repo, &args);
        parent = Some(id);
    };
    commit(
        tree(&[
            ("100664", &readme, "README"),
            ("100664", &cache, "cache.h"),
            ("100664", &script, "build.sh"),
        ]),
        "Initial revision, group-writable modes",
    );
    // Only the raw modes change: git shows no file.
    commit(
        tree(&[
            ("100644", &readme, "README"),
            ("100664", &cache, "cache.h"),
            ("100664", &script, "build.sh"),
        ]),
        "Rewrite README's mode",
    );
    // Content and raw mode change (M, 100644); an executable bit (M, 100755).
    commit(
        tree(&[
            ("100644", &readme, "README"),
            ("100644", &cache2, "cache.h"),
            ("100775", &script, "build.sh"),
        ]),
        "Edit cache.h, make build.sh executable",
    );
    let head = parent.expect("three commits");
    env.git_ok(&repo, ["update-ref", "refs/heads/main", &head]);

    let git = import_matches_git(&env, &repo);
    let root = shown(&env, &repo, &git, "HEAD~2");
    assert!(root.iter().all(|c| c.0 == "A" && c.3 == "100644"), "{}", show(root));
    assert!(shown(&env, &repo, &git, "HEAD~1").is_empty(), "git shows no file");
    let last = shown(&env, &repo, &git, "HEAD");
    assert_eq!(
        last,
        &BTreeSet::from([
            ("M".to_owned(), None, b"build.sh".to_vec(), "100755".to_owned()),
            ("M".to_owned(), None, b"cache.h".to_vec(), "100644".to_owned()),
        ])
    );
}
