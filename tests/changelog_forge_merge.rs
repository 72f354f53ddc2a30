//! Merges of CHANGELOG.md files where trail's merge driver is not installed
//! (issue 22, point 5): a forge's merge button (`git merge-tree
//! --write-tree` in a bare repository) and a teammate without trail. `trail
//! init` offers `CHANGELOG.md merge=union` for the committed
//! `.gitattributes`; git applies that built-in driver itself. Measured here
//! with real git on two branches that touched different directories and on
//! two that touched the same one.

mod common;

use std::path::{Path, PathBuf};

use common::TestEnv;

fn commit(env: &TestEnv, repo: &Path, subject: &str, why: &str) {
    env.git_ok(repo, ["add", "-A"]);
    env.git_ok(repo, ["commit", "-q", "-m", subject, "-m", &format!("Why: {why}")]);
}

/// A repository made with trail's hooks: `main` with files in `a/` and `b/`,
/// branch `x` changing `a/`, `y` changing `b/`, `z` adding to `a/`. Every
/// branch's commit adds an entry to the root's CHANGELOG.md (and its
/// directory's), at the same place: without a merge driver, git conflicts.
fn branches(env: &TestEnv) -> PathBuf {
    let repo = env.dir("team");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    let init = env.trail_ok(&repo, ["init"]);
    assert!(
        init.stderr.contains("CHANGELOG.md merge=union"),
        "init says what it added to .gitattributes: {init}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitattributes")).expect(".gitattributes"),
        "CHANGELOG.md merge=union\n"
    );
    std::fs::create_dir_all(repo.join("a")).expect("mkdir");
    std::fs::create_dir_all(repo.join("b")).expect("mkdir");
    std::fs::write(repo.join("a/f"), "1\n").expect("write");
    std::fs::write(repo.join("b/g"), "1\n").expect("write");
    commit(env, &repo, "start", "start");
    for (branch, path, text) in [("x", "a/f", "x\n"), ("y", "b/g", "y\n"), ("z", "a/h", "z\n")] {
        env.git_ok(&repo, ["switch", "-q", "-c", branch, "main"]);
        std::fs::write(repo.join(path), text).expect("write");
        commit(env, &repo, &format!("{branch} work"), branch);
    }
    env.git_ok(&repo, ["switch", "-q", "main"]);
    repo
}

/// `git merge-tree --write-tree A B` in `bare` with `config` before it:
/// its exit code (0 clean, 1 conflicts) and the merged tree's id.
fn merge_tree(env: &TestEnv, bare: &Path, config: &[&str], a: &str, b: &str) -> (i32, String) {
    let mut args: Vec<&str> = config.to_vec();
    args.extend(["merge-tree", "--write-tree", a, b]);
    let out = env.git(bare, &args);
    let code = out.status.expect("git exited");
    assert!(code == 0 || code == 1, "merge-tree failed: {out}");
    (code, out.stdout_str().lines().next().unwrap_or_default().to_owned())
}

#[test]
fn a_bare_repository_merges_changelogs_cleanly_when_it_reads_the_tree_attributes() {
    let env = TestEnv::new();
    let repo = branches(&env);
    let bare = env.root.join("server.git");
    env.git_ok(&env.root, ["clone", "-q", "--bare", repo.to_str().expect("UTF-8"), "server.git"]);
    for (a, b, what) in [("x", "y", "different directories"), ("x", "z", "the same directory")] {
        // A bare repository reads no .gitattributes from a tree by default:
        // git conflicts, as a forge's merge button that does not set
        // attr.tree would.
        let (code, _) = merge_tree(&env, &bare, &[], a, b);
        assert_eq!(code, 1, "{what}: without attr.tree git conflicts in CHANGELOG.md");
        // With the tree's attributes, git's union driver merges both sides.
        let (code, tree) = merge_tree(&env, &bare, &["-c", "attr.tree=HEAD"], a, b);
        assert_eq!(code, 0, "{what}: with attr.tree=HEAD the merge is clean");
        let root = env.git_ok(&bare, ["cat-file", "-p", &format!("{tree}:CHANGELOG.md")]);
        for branch in [a, b] {
            assert!(
                root.contains(&format!("— {branch} work. Why: {branch}.")),
                "{what}: the root's merged CHANGELOG.md keeps {branch}'s entry:\n{root}"
            );
        }
        assert!(!root.contains("<<<<<<<"), "{what}: no conflict markers:\n{root}");
    }
}

#[test]
fn a_teammate_without_trail_merges_changelogs_cleanly_and_they_stay_well_formed() {
    let env = TestEnv::new();
    let repo = branches(&env);
    // A clone has neither trail's hooks nor its driver (.git/info/attributes
    // is not cloned): only the committed .gitattributes.
    env.git_ok(&env.root, ["clone", "-q", repo.to_str().expect("UTF-8"), "mate"]);
    let mate = env.root.join("mate");
    assert!(!mate.join(".git/info/attributes").exists());
    // git merge-tree in a work tree reads the work tree's .gitattributes.
    for (a, b) in [("origin/x", "origin/y"), ("origin/x", "origin/z")] {
        let (code, _) = merge_tree(&env, &mate, &[], a, b);
        assert_eq!(code, 0, "merge-tree {a} {b} in a work tree is clean");
    }
    env.git_ok(&mate, ["checkout", "-q", "-b", "together", "origin/x"]);
    for branch in ["origin/y", "origin/z"] {
        let merged = env.git(&mate, ["merge", "-q", "--no-edit", "--no-verify", branch]);
        assert_eq!(merged.status, Some(0), "merging {branch} without trail: {merged}");
    }
    let root = std::fs::read_to_string(mate.join("CHANGELOG.md")).expect("read");
    let a = std::fs::read_to_string(mate.join("a/CHANGELOG.md")).expect("read");
    for branch in ["x", "y", "z"] {
        assert!(root.contains(&format!("— {branch} work.")), "root keeps {branch}:\n{root}");
    }
    for branch in ["x", "z"] {
        assert!(a.contains(&format!("— {branch} work.")), "a/ keeps {branch}:\n{a}");
    }
    // What union left is a file trail reads: check passes.
    env.trail_ok(&mate, ["changelog", "check"]);
}

#[test]
fn init_leaves_a_teams_own_merge_rule_for_changelogs_alone() {
    let env = TestEnv::new();
    let repo = env.dir("own");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    let mine = "*.png binary\nCHANGELOG.md -merge\n";
    std::fs::write(repo.join(".gitattributes"), mine).expect("write");
    env.trail_ok(&repo, ["init"]);
    assert_eq!(std::fs::read_to_string(repo.join(".gitattributes")).expect("read"), mine);
}

#[test]
fn a_gitattributes_trail_cannot_read_is_said_and_init_goes_on() {
    let env = TestEnv::new();
    let repo = env.dir("odd");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join(".gitattributes")).expect("a directory in its place");
    let out = env.trail_ok(&repo, ["init"]);
    assert!(
        out.stderr.contains("warning: cannot read") && out.stderr.contains("merge=union"),
        "init says what it could not do and what to do instead:\n{out}"
    );
    assert!(repo.join("trail.toml").is_file() && repo.join(".gitattributes").is_dir());
}
