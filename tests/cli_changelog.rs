//! End to end: `trail changelog check | sync | release | merge` with the real
//! binary and real git.

mod common;

use std::path::Path;

use common::TestEnv;

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create directories");
    }
    std::fs::write(path, text).expect("write a file");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read a file")
}

const TEMPLATE_INTRO: &str = "All notable changes to files in this directory are recorded here, newest\nfirst. Times are UTC. The format follows Keep a Changelog 1.1.0; trail adds\nan entry for every commit that touches this directory, with its rationale\nand impact.\n";

fn template(title: &str) -> String {
    format!("{title}\n\n{TEMPLATE_INTRO}\n## [Unreleased]\n")
}

/// The template as trail creates a file: with markdownlint's settings for it.
fn created_template(title: &str) -> String {
    format!(
        "{title}\n\n{TEMPLATE_INTRO}\n<!-- markdownlint-configure-file {{ \"MD013\": false, \
         \"MD024\": {{ \"siblings_only\": true }} }} -->\n\n## [Unreleased]\n"
    )
}

/// A line as trail writes it.
fn entry(time: &str, file: &str, change: &str) -> String {
    format!("- {time} `{file}` — Why: w. Impact: i. (Ada, change {change})")
}

/// A repository with files in the root, `src/` and `vendor/lib/`, committed.
fn repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir("repo");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo.join("README"), "readme\n");
    write(&repo.join("src/main.rs"), "fn main() {}\n");
    write(&repo.join("vendor/lib/lib.c"), "int x;\n");
    env.git_ok(&repo, ["add", "."]);
    env.git_ok(&repo, ["commit", "-q", "-m", "Initial"]);
    repo
}

#[test]
fn check_lists_missing_and_malformed_files_and_passes_when_all_are_there() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let out = env.trail(&repo, ["changelog", "check"]);
    out.assert_code(1).assert_stderr_has("3 problems");
    assert_eq!(
        out.stdout_str(),
        "./: no CHANGELOG.md\nsrc/: no CHANGELOG.md\nvendor/lib/: no CHANGELOG.md\n"
    );

    // Excluded directories need none; a malformed file is named with its line.
    write(&repo.join("trail.toml"), "[changelog]\nexclude = [\"vendor/**\"]\n");
    write(&repo.join("CHANGELOG.md"), &template("# Changelog"));
    write(
        &repo.join("src/CHANGELOG.md"),
        &format!("{}\n<<<<<<< ours\n=======\n>>>>>>> theirs\n", template("# Changelog — `src/`")),
    );
    env.git_ok(&repo, ["add", "."]);
    let out = env.trail(&repo, ["changelog", "check"]);
    out.assert_code(1);
    assert_eq!(
        out.stdout_str(),
        "src/CHANGELOG.md:10: git conflict marker: resolve the merge conflict in this file, then \
         remove the <<<<<<<, ======= and >>>>>>> lines\n"
    );
    let json = env.trail(&repo, ["changelog", "check", "--json"]);
    json.assert_code(1);
    let findings = json.json_lines();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["kind"], "malformed");
    assert_eq!(findings[0]["path"], "src/CHANGELOG.md");
    assert_eq!(findings[0]["line"], 10);

    write(&repo.join("src/CHANGELOG.md"), &template("# Changelog — `src/`"));
    let out = env.trail_ok(&repo, ["changelog", "check"]);
    assert!(out.stdout.is_empty());
    out.assert_stderr_has("all 2 directories have a well-formed CHANGELOG.md");
}

#[test]
fn check_reads_the_policy_and_refuses_a_bad_glob() {
    let env = TestEnv::new();
    let repo = repo(&env);
    write(&repo.join("trail.toml"), "[changelog]\nexclude = [\"a/[b\"]\n");
    env.trail(&repo, ["changelog", "check"])
        .assert_code(2)
        .assert_stderr_has("[changelog] exclude");
    write(&repo.join("trail.toml"), "[changelog]\nmalformed = \"maybe\"\n");
    env.trail(&repo, ["changelog", "check"]).assert_code(2).assert_stderr_has("malformed");
}

#[test]
fn release_rewrites_unreleased_in_every_directory_or_none() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let root = format!(
        "{}\n### Added\n{}\n",
        template("# Changelog"),
        entry("2026-01-01T00:00:00Z", "README", "aa")
    );
    let src = format!(
        "{}\n### Fixed\n{}\n",
        template("# Changelog — `src/`"),
        entry("2026-01-02T00:00:00Z", "main.rs", "bb")
    );
    let vendor = template("# Changelog — `vendor/lib/`");
    write(&repo.join("CHANGELOG.md"), &root);
    write(&repo.join("src/CHANGELOG.md"), &src);
    write(&repo.join("vendor/lib/CHANGELOG.md"), &vendor);
    env.git_ok(&repo, ["add", "."]);
    env.git_ok(&repo, ["commit", "-q", "-m", "Changelogs"]);

    // A malformed file stops the whole release.
    write(&repo.join("vendor/lib/CHANGELOG.md"), &format!("{vendor}```\n"));
    let out = env.trail(&repo, ["changelog", "release", "1.0.0", "--date", "2026-12-01"]);
    out.assert_code(1).assert_stderr_has("vendor/lib/CHANGELOG.md:9:");
    assert_eq!(read(&repo.join("CHANGELOG.md")), root);
    write(&repo.join("vendor/lib/CHANGELOG.md"), &vendor);

    let out = env.trail_ok(&repo, ["changelog", "release", "1.0.0", "--date", "2026-12-01"]);
    out.assert_stderr_has("released 1.0.0 in 2 of 3");
    let released = |text: &str| {
        text.replace("## [Unreleased]\n", "## [Unreleased]\n\n## [1.0.0] - 2026-12-01\n")
    };
    assert_eq!(read(&repo.join("CHANGELOG.md")), released(&root));
    assert_eq!(read(&repo.join("src/CHANGELOG.md")), released(&src));
    assert_eq!(read(&repo.join("vendor/lib/CHANGELOG.md")), vendor);
    // Nothing staged.
    assert_eq!(env.git_ok(&repo, ["diff", "--cached", "--name-only"]), "");

    env.trail(&repo, ["changelog", "release", "1.0.0"])
        .assert_code(1)
        .assert_stderr_has("already released");
    env.trail(&repo, ["changelog", "release", "1.1", "--date", "2026-13-01"]).assert_code(2);
    env.trail(&repo, ["changelog", "release", "1 1"]).assert_code(2);
}

/// A repository whose CHANGELOG.md merges with `trail changelog merge`.
fn merge_repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir("merge");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.git_ok(&repo, ["config", "merge.trail.driver", "trail changelog merge %O %A %B %P"]);
    write(&repo.join(".git/info/attributes"), "CHANGELOG.md merge=trail\n");
    let base = format!(
        "{}\n### Added\n{}\n",
        template("# Changelog"),
        entry("2026-01-01T00:00:00Z", "a", "base0")
    );
    write(&repo.join("CHANGELOG.md"), &base);
    write(&repo.join("a"), "a\n");
    env.git_ok(&repo, ["add", "."]);
    env.git_ok(&repo, ["commit", "-q", "-m", "Base"]);
    repo
}

fn insert_below(text: &str, heading: &str, line: &str) -> String {
    text.replacen(&format!("{heading}\n"), &format!("{heading}\n{line}\n"), 1)
}

#[test]
fn merge_driver_unites_entries_from_two_branches() {
    let env = TestEnv::new();
    let repo = merge_repo(&env);
    let base = read(&repo.join("CHANGELOG.md"));
    let ours_line = entry("2026-01-03T00:00:00Z", "ours.rs", "ours1");
    let theirs_line = entry("2026-01-02T00:00:00Z", "theirs.rs", "theirs1");
    let fixed_line = entry("2026-01-04T00:00:00Z", "fix.rs", "theirs2");

    env.git_ok(&repo, ["checkout", "-q", "-b", "feature"]);
    let theirs = insert_below(&base, "### Added", &theirs_line);
    let theirs = format!("{theirs}\n### Fixed\n{fixed_line}\n");
    write(&repo.join("CHANGELOG.md"), &theirs);
    env.git_ok(&repo, ["commit", "-q", "-am", "Feature"]);

    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo.join("CHANGELOG.md"), &insert_below(&base, "### Added", &ours_line));
    env.git_ok(&repo, ["commit", "-q", "-am", "Main"]);

    env.git_ok(&repo, ["merge", "-q", "--no-edit", "feature"]);
    let merged = read(&repo.join("CHANGELOG.md"));
    // The merge writes a blank line under each heading (markdownlint's MD022).
    let expected = format!(
        "{}\n### Added\n\n{ours_line}\n{theirs_line}\n{}\n\n### Fixed\n\n{fixed_line}\n",
        template("# Changelog"),
        entry("2026-01-01T00:00:00Z", "a", "base0")
    );
    assert_eq!(merged, expected);
    assert_eq!(env.git_ok(&repo, ["status", "--porcelain"]), "");
}

#[test]
fn merge_driver_leaves_a_normal_conflict_when_people_edited_both_sides() {
    let env = TestEnv::new();
    let repo = merge_repo(&env);
    let base = read(&repo.join("CHANGELOG.md"));
    env.git_ok(&repo, ["checkout", "-q", "-b", "feature"]);
    write(&repo.join("CHANGELOG.md"), &base.replace("newest\nfirst.", "newest\nfirst (theirs)."));
    env.git_ok(&repo, ["commit", "-q", "-am", "Feature"]);
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo.join("CHANGELOG.md"), &base.replace("newest\nfirst.", "newest\nfirst (ours)."));
    env.git_ok(&repo, ["commit", "-q", "-am", "Main"]);

    let out = env.git(&repo, ["merge", "--no-edit", "feature"]);
    assert_eq!(out.status, Some(1), "{out}");
    assert!(out.stdout_str().contains("CONFLICT"), "{out}");
    let text = read(&repo.join("CHANGELOG.md"));
    assert!(text.contains("<<<<<<< ours\nfirst (ours). Times"), "{text}");
    assert!(text.contains("=======\nfirst (theirs). Times"), "{text}");
    assert!(out.stderr.contains("both sides changed the text outside trail's entries"), "{out}");
}

#[test]
fn merge_driver_alone_writes_the_union_into_ours() {
    let env = TestEnv::new();
    let dir = env.dir("files");
    let base = template("# Changelog");
    let with = |line: &str| format!("{base}\n### Added\n{line}\n");
    let (a, b) =
        (entry("2026-01-01T00:00:00Z", "a", "aa"), entry("2026-01-02T00:00:00Z", "b", "bb"));
    write(&dir.join("base"), &base);
    write(&dir.join("ours"), &with(&a));
    write(&dir.join("theirs"), &with(&b));
    env.trail_ok(&dir, ["changelog", "merge", "base", "ours", "theirs", "CHANGELOG.md"]);
    assert_eq!(read(&dir.join("ours")), format!("{base}\n### Added\n\n{b}\n{a}\n"));
    // A malformed side falls back to git merge-file: clean when only one side changed…
    write(&dir.join("ours"), &format!("{base}```\n"));
    write(&dir.join("theirs"), &base);
    env.trail_ok(&dir, ["changelog", "merge", "base", "ours", "theirs"]);
    assert_eq!(read(&dir.join("ours")), format!("{base}```\n"));
    // …and exit 1 with git's conflict markers when both did.
    write(&dir.join("theirs"), &with(&b));
    let out = env.trail(&dir, ["changelog", "merge", "base", "ours", "theirs", "CHANGELOG.md"]);
    out.assert_code(1)
        .assert_stderr_has("CHANGELOG.md: our version is not a well-formed changelog");
    assert!(read(&dir.join("ours")).contains("<<<<<<< ours\n```\n=======\n"));
}

/// A repository whose commits carry trail's trailers, imported into the journal.
fn imported_repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir("sync");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo.join("README"), "readme\n");
    write(&repo.join("src/a.rs"), "a\n");
    env.git_ok(&repo, ["add", "."]);
    env.git_ok(
        &repo,
        ["commit", "-q", "-m", "Initial\n\nWhy: start\nImpact: none\nChange-Id: 00000000000000a1"],
    );
    std::fs::rename(repo.join("src/a.rs"), repo.join("src/b.rs")).expect("rename");
    write(&repo.join("docs/guide.md"), "guide\n");
    env.git_ok(&repo, ["add", "-A"]);
    let mut commit = env.command("git", &repo);
    commit.env("GIT_AUTHOR_DATE", "2021-01-02T00:00:00+00:00");
    commit.env("GIT_COMMITTER_DATE", "2021-01-02T00:00:00+00:00");
    commit.args([
        "commit",
        "-q",
        "-m",
        "Rename\n\nWhy: a clearer\n  name\nChange-Id: 00000000000000b2",
    ]);
    let out = common::run(commit, common::PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "{out}");
    env.trail_ok(&repo, ["init"]);
    env.trail_ok(&repo, ["import"]);
    repo
}

#[test]
fn sync_writes_imported_commits_into_every_directory_once() {
    let env = TestEnv::new();
    let repo = imported_repo(&env);
    // Only hook records count by default; the missing files are created
    // (what `trail changelog check` asks for), without entries.
    env.trail_ok(&repo, ["changelog", "sync"])
        .assert_stderr_has("created 3 CHANGELOG.md files (no entries to add)");
    assert_eq!(read(&repo.join("CHANGELOG.md")), created_template("# Changelog"));

    let out = env.trail_ok(&repo, ["changelog", "sync", "--include-imported"]);
    out.assert_stderr_has("added 5 entries to 3 CHANGELOG.md files");
    assert_eq!(
        read(&repo.join("src/CHANGELOG.md")),
        format!(
            "{}\n### Added\n\n- 2021-01-01T00:00:00Z `a.rs` (added) — Initial. Why: start. \
             Impact: none. (Test Author, change 00000000000000a1)\n\n### Changed\n\n- \
             2021-01-02T00:00:00Z `b.rs` (renamed from `src/a.rs`) — Rename. Why: a clearer \
             name. Impact: not given. (Test Author, change 00000000000000b2)\n",
            created_template("# Changelog — `src/`")
        )
    );
    assert_eq!(
        read(&repo.join("CHANGELOG.md")),
        format!(
            "{}\n### Added\n\n- 2021-01-01T00:00:00Z `README` (added); also in `src/` — \
             Initial. Why: start. Impact: none. (Test Author, change 00000000000000a1)\n\n### \
             Changed\n\n- 2021-01-02T00:00:00Z in `docs/`, `src/` — Rename. Why: a clearer \
             name. Impact: not given. (Test Author, change 00000000000000b2)\n",
            created_template("# Changelog")
        )
    );
    assert!(read(&repo.join("docs/CHANGELOG.md")).contains("`guide.md` (added)"));

    // Again: nothing new, nothing written twice.
    let before = read(&repo.join("src/CHANGELOG.md"));
    env.trail_ok(&repo, ["changelog", "sync", "--include-imported"])
        .assert_stderr_has("nothing to add");
    assert_eq!(read(&repo.join("src/CHANGELOG.md")), before);
    env.trail_ok(&repo, ["changelog", "check"]);
}

#[test]
fn sync_leaves_a_malformed_file_alone_and_says_so() {
    let env = TestEnv::new();
    let repo = imported_repo(&env);
    let broken = "# Changelog\n\n## [Unreleased]\n\n### Notes\n";
    write(&repo.join("src/CHANGELOG.md"), broken);
    let out = env.trail(&repo, ["changelog", "sync", "--include-imported", "src", "docs"]);
    out.assert_code(1).assert_stderr_has("src/CHANGELOG.md:5:");
    assert_eq!(read(&repo.join("src/CHANGELOG.md")), broken);
    // The other directory asked for was written; the root was not asked for.
    assert!(read(&repo.join("docs/CHANGELOG.md")).contains("change 00000000000000b2)"));
    assert!(!repo.join("CHANGELOG.md").exists());
}

#[test]
fn sync_without_a_journal_says_how_to_make_one() {
    let env = TestEnv::new();
    let repo = repo(&env);
    env.trail(&repo, ["changelog", "sync"]).assert_code(3).assert_stderr_has("trail init");
}
