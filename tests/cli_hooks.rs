//! `trail hooks install | uninstall | status` and the shims they write, end to
//! end: the real binary, real git running the hooks.
//!
//! Commits run with `TRAIL_WHY` and `TRAIL_IMPACT` set, so they pass whatever
//! `trail hook pre-commit` comes to require; these tests check the shims and
//! their installation, not the hooks' work.

mod common;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Every hook trail installs.
const HOOKS: [&str; 11] = [
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "post-rewrite",
    "post-merge",
    "post-checkout",
    "pre-push",
];

const MARKER: &str = "# trail-managed-hook v1";

/// A repository with one commit, in `<root>/NAME` (the name may hold spaces).
fn repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README"), "hello\n").expect("write");
    env.git_ok(&repo, ["add", "README"]);
    let out = commit(env, &repo, "First commit");
    out.assert_code(0);
    repo
}

/// `git commit` with a rationale in the environment, so trail's own pre-commit
/// work never refuses it.
fn git_cmd(env: &TestEnv, cwd: &Path) -> Command {
    let mut cmd = env.command("git", cwd);
    cmd.env("TRAIL_WHY", "test").env("TRAIL_IMPACT", "none");
    cmd
}

fn commit(env: &TestEnv, repo: &Path, message: &str) -> Output {
    let mut cmd = git_cmd(env, repo);
    cmd.args(["commit", "-q", "--allow-empty", "-m", message]);
    run(cmd, PROCESS_TIMEOUT)
}

fn head(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-parse", "HEAD"])
}

/// Write an executable script.
fn script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, body).expect("write a script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("stat").permissions().mode() & 0o7777
}

fn assert_shim(path: &Path) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no shim at {}: {e}", path.display()));
    assert!(text.starts_with("#!/bin/sh\n"), "{} is not a sh script:\n{text}", path.display());
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)), "no marker in {text}");
    assert_eq!(mode(path), 0o755, "{} is not 0755", path.display());
}

/// Name and bytes of every file in `dir` (symlinks as `-> target`), sorted.
fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let bytes = if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("readlink");
                format!("-> {}", target.display()).into_bytes()
            } else {
                std::fs::read(&path).expect("read")
            };
            (name, bytes, meta.permissions().mode() & 0o7777)
        })
        .collect();
    files.sort();
    files
}

fn hooks_dir(repo: &Path) -> PathBuf {
    repo.join(".git/hooks")
}

fn local_config(env: &TestEnv, repo: &Path, key: &str) -> Option<String> {
    let out = env.git(repo, ["config", "--local", "--get", key]);
    (out.status == Some(0)).then(|| out.stdout_str().trim_end().to_owned())
}

/// A `trail` command with `GIT_CONFIG_GLOBAL` pointing at `global`.
fn trail_with_global(env: &TestEnv, cwd: &Path, global: &Path, args: &[&str]) -> Output {
    let mut cmd = env.trail_cmd(cwd);
    cmd.env("GIT_CONFIG_GLOBAL", global).args(args);
    run(cmd, PROCESS_TIMEOUT)
}

// ---------------------------------------------------------------------------
// Installing

#[test]
fn init_installs_every_shim_with_the_marker() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let out = env.trail_ok(&repo, ["init"]);
    for hook in HOOKS {
        assert_shim(&hooks_dir(&repo).join(hook));
        assert!(out.stderr.contains(&format!("{hook}: installed")), "{hook} not reported:\n{out}");
    }
    // The shim names its hook and hands it to trail.
    let pre_commit = std::fs::read_to_string(hooks_dir(&repo).join("pre-commit")).expect("read");
    assert!(pre_commit.contains("hook=pre-commit\n"), "{pre_commit}");
    assert!(pre_commit.contains(r#"trail hook "$hook" "$@""#), "{pre_commit}");
    // Nothing in the work tree but the policy and the union merge rule for
    // CHANGELOG.md files (both for the team to commit).
    let status = env.git_ok(&repo, ["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "?? .gitattributes\n?? trail.toml");
    // A commit runs the shims, which find the trail under test on PATH.
    let before = head(&env, &repo);
    commit(&env, &repo, "Second").assert_code(0);
    assert_ne!(head(&env, &repo), before);
}

#[test]
fn init_with_no_hooks_installs_none() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let out = env.trail_ok(&repo, ["init", "--no-hooks"]);
    out.assert_stderr_has("--no-hooks");
    for hook in HOOKS {
        assert!(!hooks_dir(&repo).join(hook).exists(), "{hook} installed despite --no-hooks");
    }
    assert_eq!(local_config(&env, &repo, "merge.trail.driver"), None);
    // init stays idempotent with the hooks: a second run installs and a third changes nothing.
    env.trail_ok(&repo, ["init"]);
    let again = env.trail_ok(&repo, ["init"]);
    again.assert_stderr_has("nothing changed");
}

#[test]
fn install_twice_changes_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.trail_ok(&repo, ["hooks", "install"]);
    let hooks = snapshot_dir(&hooks_dir(&repo));
    let config = std::fs::read(repo.join(".git/config")).expect("read");
    let attributes = std::fs::read(repo.join(".git/info/attributes")).expect("read");

    let again = env.trail_ok(&repo, ["hooks", "install"]);
    again.assert_stderr_has("nothing changed");
    assert_eq!(snapshot_dir(&hooks_dir(&repo)), hooks, "a second install changed the hooks");
    assert_eq!(std::fs::read(repo.join(".git/config")).expect("read"), config);
    assert_eq!(std::fs::read(repo.join(".git/info/attributes")).expect("read"), attributes);
}

#[test]
fn an_outdated_or_damaged_shim_is_rewritten() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.trail_ok(&repo, ["hooks", "install"]);
    let path = hooks_dir(&repo).join("post-merge");
    let current = std::fs::read(&path).expect("read");
    // An older trail's shim: the marker, other content. Not chained: it is ours.
    std::fs::write(&path, format!("#!/bin/sh\n{MARKER} — older\nexit 0\n")).expect("write");
    // And one that lost its executable bit.
    let commit_msg = hooks_dir(&repo).join("commit-msg");
    std::fs::set_permissions(&commit_msg, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let status = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    assert!(
        status.lines().any(|l| l.starts_with("post-merge") && l.contains("outdated")),
        "{status}"
    );

    let out = env.trail_ok(&repo, ["hooks", "install"]);
    out.assert_stderr_has("post-merge: updated");
    out.assert_stderr_has("commit-msg: updated");
    assert_eq!(std::fs::read(&path).expect("read"), current);
    assert_shim(&commit_msg);
    assert!(!hooks_dir(&repo).join("post-merge.trail-chained").exists());
}

// ---------------------------------------------------------------------------
// Chaining an existing hook

#[test]
fn an_existing_pre_commit_hook_is_chained_and_still_runs() {
    let env = TestEnv::new();
    // A space in the path: the shim must quote what it builds from $0.
    let repo = repo(&env, "my repo");
    let ran = env.root.join("chained ran");
    let hook = hooks_dir(&repo).join("pre-commit");
    script(&hook, &format!("#!/bin/sh\necho \"pre-commit $#\" >> '{}'\n", ran.display()));
    let original = std::fs::read(&hook).expect("read");

    let out = env.trail_ok(&repo, ["hooks", "install"]);
    out.assert_stderr_has("pre-commit.trail-chained");
    assert_shim(&hook);
    let chained = hooks_dir(&repo).join("pre-commit.trail-chained");
    assert_eq!(std::fs::read(&chained).expect("chained kept"), original);

    let before = head(&env, &repo);
    commit(&env, &repo, "Second").assert_code(0);
    assert_ne!(head(&env, &repo), before, "the commit did not happen");
    assert_eq!(std::fs::read_to_string(&ran).expect("the chained hook ran"), "pre-commit 0\n");

    let status = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    let line = status.lines().find(|l| l.starts_with("pre-commit")).expect("pre-commit line");
    assert!(line.contains("installed") && line.contains("pre-commit.trail-chained"), "{status}");
}

#[test]
fn a_failing_chained_hook_still_fails_the_commit() {
    let env = TestEnv::new();
    let repo = repo(&env, "my repo");
    script(
        &hooks_dir(&repo).join("pre-commit"),
        "#!/bin/sh\necho 'chained hook says no' >&2\nexit 1\n",
    );
    env.trail_ok(&repo, ["hooks", "install"]);
    let before = head(&env, &repo);
    let out = commit(&env, &repo, "Refused");
    assert_ne!(out.status, Some(0), "the commit should fail:\n{out}");
    out.assert_stderr_has("chained hook says no");
    assert_eq!(head(&env, &repo), before, "HEAD moved although pre-commit failed");
}

#[test]
fn a_chained_commit_msg_hook_gets_the_message_file() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let seen = env.root.join("seen");
    script(
        &hooks_dir(&repo).join("commit-msg"),
        &format!("#!/bin/sh\ncat \"$1\" > '{}'\n", seen.display()),
    );
    env.trail_ok(&repo, ["hooks", "install"]);
    commit(&env, &repo, "Message for the hook").assert_code(0);
    let text = std::fs::read_to_string(&seen).expect("the chained commit-msg hook ran");
    assert!(text.starts_with("Message for the hook"), "{text}");
}

#[test]
fn uninstall_restores_replaced_hooks_exactly() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let dir = hooks_dir(&repo);
    // A file with an unusual mode, a symlink to a script outside, and a
    // non-executable hook (which git ignores, and trail keeps as it is).
    let pre_commit = dir.join("pre-commit");
    script(&pre_commit, "#!/bin/sh\n# mine\nexit 0\n");
    std::fs::set_permissions(&pre_commit, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    let target = env.root.join("shared hooks/post-commit");
    script(&target, "#!/bin/sh\nexit 0\n");
    std::os::unix::fs::symlink(&target, dir.join("post-commit")).expect("symlink");
    std::fs::write(dir.join("pre-push"), "#!/bin/sh\nexit 0\n").expect("write");
    std::fs::set_permissions(dir.join("pre-push"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let before = snapshot_dir(&dir);

    env.trail_ok(&repo, ["hooks", "install"]);
    assert!(
        std::fs::symlink_metadata(dir.join("post-commit.trail-chained"))
            .expect("chained symlink")
            .file_type()
            .is_symlink()
    );
    // The symlinked hook still runs through the shim.
    let ran = env.root.join("ran");
    script(&target, &format!("#!/bin/sh\ntouch '{}'\n", ran.display()));
    commit(&env, &repo, "Second").assert_code(0);
    assert!(ran.exists(), "the symlinked hook did not run");
    script(&target, "#!/bin/sh\nexit 0\n");

    let out = env.trail_ok(&repo, ["hooks", "uninstall"]);
    out.assert_stderr_has("pre-commit: removed trail's shim and restored");
    out.assert_stderr_has("commit-msg: removed trail's shim");
    assert_eq!(snapshot_dir(&dir), before, "uninstall did not restore the hooks dir exactly");
    assert_eq!(mode(&pre_commit), 0o750);
    assert!(std::fs::symlink_metadata(dir.join("post-commit")).expect("stat").is_symlink());
    assert_eq!(std::fs::read_link(dir.join("post-commit")).expect("readlink"), target);

    // Nothing left to do the second time.
    env.trail_ok(&repo, ["hooks", "uninstall"]).assert_stderr_has("nothing changed");
}

#[test]
fn uninstall_leaves_foreign_hooks_alone() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.trail_ok(&repo, ["hooks", "install"]);
    // Another tool replaced our post-merge shim after trail installed.
    let foreign = hooks_dir(&repo).join("post-merge");
    script(&foreign, "#!/bin/sh\n# another tool\n");
    let out = env.trail_ok(&repo, ["hooks", "uninstall"]);
    out.assert_stderr_has("post-merge: not trail's, left alone");
    assert_eq!(std::fs::read_to_string(&foreign).expect("kept"), "#!/bin/sh\n# another tool\n");
    for hook in HOOKS.iter().filter(|h| **h != "post-merge") {
        assert!(!hooks_dir(&repo).join(hook).exists(), "{hook} shim left behind");
    }
}

#[test]
fn a_chained_name_collision_is_refused_and_changes_nothing() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let dir = hooks_dir(&repo);
    script(&dir.join("post-checkout"), "#!/bin/sh\n# current\n");
    script(&dir.join("post-checkout.trail-chained"), "#!/bin/sh\n# left over\n");
    let before = snapshot_dir(&dir);
    let out = env.trail(&repo, ["hooks", "install"]);
    out.assert_code(1);
    out.assert_stderr_has("post-checkout.trail-chained already exists");
    out.assert_stderr_has("hint:");
    assert_eq!(snapshot_dir(&dir), before, "a refused install changed the hooks dir");
    assert_eq!(local_config(&env, &repo, "merge.trail.driver"), None);
}

// ---------------------------------------------------------------------------
// Where the hooks go

#[test]
fn a_relative_repository_hooks_path_is_honoured() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.git_ok(&repo, ["config", "core.hooksPath", "tools/git hooks"]);
    let ran = env.root.join("ran");
    let custom = repo.join("tools/git hooks");
    script(&custom.join("pre-commit"), &format!("#!/bin/sh\ntouch '{}'\n", ran.display()));
    // From a subdirectory: relative to the top of the work tree, as git runs hooks there.
    let sub = repo.join("sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let out = env.trail_ok(&sub, ["hooks", "install"]);
    out.assert_stderr_has("core.hooksPath");
    out.assert_stderr_has("inside the work tree");
    for hook in HOOKS {
        assert_shim(&custom.join(hook));
        assert!(!hooks_dir(&repo).join(hook).exists(), "{hook} written to .git/hooks");
    }
    assert!(!sub.join("tools").exists());
    commit(&env, &repo, "Second").assert_code(0);
    assert!(ran.exists(), "the chained hook in core.hooksPath did not run");
    let status = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    assert!(status.contains(&custom.display().to_string()), "{status}");
    assert!(status.contains("repository config"), "{status}");
}

#[test]
fn an_absolute_repository_hooks_path_is_honoured() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let custom = env.root.join("elsewhere/hooks dir");
    env.git_ok(&repo, ["config", "core.hooksPath", custom.to_str().expect("utf-8")]);
    let out = env.trail_ok(&repo, ["hooks", "install"]);
    for hook in HOOKS {
        assert_shim(&custom.join(hook));
    }
    assert!(!out.stderr.contains("inside the work tree"), "{out}");
    let before = head(&env, &repo);
    commit(&env, &repo, "Second").assert_code(0);
    assert_ne!(head(&env, &repo), before);
}

#[test]
fn a_global_hooks_path_is_refused_without_force() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let shared = env.root.join("global hooks");
    let global = env.root.join("global.gitconfig");
    std::fs::write(&global, format!("[core]\n\thooksPath = {}\n", shared.display()))
        .expect("write");

    let out = trail_with_global(&env, &repo, &global, &["hooks", "install"]);
    out.assert_code(1);
    out.assert_stderr_has("global");
    out.assert_stderr_has("every repository");
    out.assert_stderr_has("--force");
    out.assert_stderr_has(&global.display().to_string());
    assert!(!shared.exists(), "a refused install created the shared hooks dir");
    assert_eq!(local_config(&env, &repo, "merge.trail.driver"), None);

    // trail init refuses before it creates anything, and says how to go on.
    let init = trail_with_global(&env, &repo, &global, &["init"]);
    init.assert_code(1);
    init.assert_stderr_has("--no-hooks");
    assert!(!repo.join(".git/trail").exists(), "init created the journal before refusing");
    trail_with_global(&env, &repo, &global, &["init", "--no-hooks"]).assert_code(0);

    let forced = trail_with_global(&env, &repo, &global, &["hooks", "install", "--force"]);
    forced.assert_code(0);
    for hook in HOOKS {
        assert_shim(&shared.join(hook));
    }
    let status = trail_with_global(&env, &repo, &global, &["hooks", "status"]);
    status.assert_code(0);
    assert!(status.stdout_str().contains("global"), "{status}");

    // Uninstalling there is refused the same way.
    trail_with_global(&env, &repo, &global, &["hooks", "uninstall"]).assert_code(1);
    trail_with_global(&env, &repo, &global, &["hooks", "uninstall", "--force"]).assert_code(0);
    assert!(!shared.join("pre-commit").exists());
}

#[test]
fn a_repository_hooks_path_overrides_a_global_one() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let global = env.root.join("global.gitconfig");
    std::fs::write(&global, "[core]\n\thooksPath = /nonexistent/shared\n").expect("write");
    env.git_ok(&repo, ["config", "--local", "core.hooksPath", ".git/hooks"]);
    trail_with_global(&env, &repo, &global, &["hooks", "install"]).assert_code(0);
    assert_shim(&hooks_dir(&repo).join("pre-commit"));
}

#[test]
fn install_from_a_linked_worktree_uses_the_common_hooks_dir() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.git_ok(&repo, ["worktree", "add", "-q", "-b", "side", "../linked wt"]);
    let wt = env.root.join("linked wt");
    let ran = env.root.join("ran");
    script(
        &hooks_dir(&repo).join("post-commit"),
        &format!("#!/bin/sh\npwd > '{}'\n", ran.display()),
    );

    let out = env.trail_ok(&wt, ["hooks", "install"]);
    out.assert_stderr_has(&hooks_dir(&repo).display().to_string());
    for hook in HOOKS {
        assert_shim(&hooks_dir(&repo).join(hook));
    }
    assert!(!repo.join(".git/worktrees/linked wt/hooks").exists());

    let before = head(&env, &wt);
    commit(&env, &wt, "In the worktree").assert_code(0);
    assert_ne!(head(&env, &wt), before);
    let pwd = std::fs::read_to_string(&ran).expect("the chained post-commit ran in the worktree");
    assert_eq!(pwd.trim_end(), wt.display().to_string());
}

#[test]
fn a_bare_repository_gets_no_client_hooks() {
    let env = TestEnv::new();
    // Not directly below the ceiling (the test root): trail's discovery does
    // not find a bare repository there yet, though git does.
    let bare = env.dir("srv/bare.git");
    env.git_ok(&bare, ["init", "-q", "--bare"]);
    let out = env.trail_ok(&bare, ["hooks", "install"]);
    out.assert_stderr_has("bare repository");
    for hook in HOOKS {
        assert!(!bare.join("hooks").join(hook).exists(), "{hook} installed in a bare repository");
    }
    env.trail_ok(&bare, ["init"]).assert_stderr_has("no client hooks");
    let status = env.trail_ok(&bare, ["hooks", "status"]).stdout_str();
    assert!(status.contains("bare repository"), "{status}");
}

#[test]
fn a_hooks_dir_that_cannot_be_written_is_an_environment_error() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    // A hooks path below a regular file can never be created, whoever runs this.
    std::fs::write(env.root.join("a file"), "x").expect("write");
    let blocked = env.root.join("a file/hooks");
    env.git_ok(&repo, ["config", "core.hooksPath", blocked.to_str().expect("utf-8")]);
    let out = env.trail(&repo, ["hooks", "install"]);
    out.assert_code(3);
    out.assert_stderr_has("a file/hooks");

    // A read-only hooks dir (meaningless when the tests run as root, who may write anyway).
    let readonly = env.dir("read-only hooks");
    std::fs::set_permissions(&readonly, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let privileged = std::fs::write(readonly.join("probe"), "").is_ok();
    if !privileged {
        env.git_ok(&repo, ["config", "core.hooksPath", readonly.to_str().expect("utf-8")]);
        let out = env.trail(&repo, ["hooks", "install"]);
        out.assert_code(3);
        out.assert_stderr_has("permission denied");
        out.assert_stderr_has("writable");
    }
    std::fs::set_permissions(&readonly, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

// ---------------------------------------------------------------------------
// The shim at run time

#[test]
fn without_trail_on_path_the_shim_fails_the_commit_and_says_why() {
    let env = TestEnv::new();
    let repo = repo(&env, "my repo");
    env.trail_ok(&repo, ["hooks", "install"]);
    // git's own directory only (git and trail are never in the same one here).
    let git = which("git");
    let git_dir = git.parent().expect("git has a directory");
    assert!(!git_dir.join("trail").exists(), "a trail next to git would make this test moot");
    let before = head(&env, &repo);
    let mut cmd = git_cmd(&env, &repo);
    cmd.env("PATH", git_dir).args(["commit", "-q", "--allow-empty", "-m", "No trail"]);
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_ne!(out.status, Some(0), "the commit passed without trail:\n{out}");
    out.assert_stderr_has("`trail` is not on PATH");
    out.assert_stderr_has("trail hooks uninstall");
    out.assert_stderr_has("pre-commit.trail-chained");
    // Where to delete it, as an absolute path (git runs hooks by a relative one).
    out.assert_stderr_has(&format!("delete {}/pre-commit", hooks_dir(&repo).display()));
    assert_eq!(head(&env, &repo), before, "HEAD moved although the hook failed");
}

/// `PATH` with `dir` first, then the test environment's.
fn path_with(env: &TestEnv, dir: &Path) -> OsString {
    let inherited = env
        .env_vars()
        .into_iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v)
        .expect("the test env sets PATH");
    std::env::join_paths(std::iter::once(dir.to_owned()).chain(std::env::split_paths(&inherited)))
        .expect("join PATH")
}

fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH");
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// A stand-in `trail` that records its arguments and stdin per hook under
/// `<out>/trail-HOOK.{args,stdin}`, then lets the hook pass.
fn recording_trail(env: &TestEnv, out: &Path) -> PathBuf {
    let bin = env.dir("fake bin");
    std::fs::create_dir_all(out).expect("mkdir");
    script(
        &bin.join("trail"),
        &format!(
            "#!/bin/sh\n[ \"$1\" = hook ] || exit 99\nprintf '%s\\n' \"$@\" > '{dir}/trail-'\"$2\"'.args'\ncat > '{dir}/trail-'\"$2\"'.stdin'\n",
            dir = out.display()
        ),
    );
    bin
}

/// A chained hook that records its arguments and stdin the same way.
fn recording_hook(path: &Path, out: &Path, hook: &str) {
    script(
        path,
        &format!(
            "#!/bin/sh\nprintf '%s\\n' hook {hook} \"$@\" > '{dir}/chained-{hook}.args'\ncat > '{dir}/chained-{hook}.stdin'\n",
            dir = out.display()
        ),
    );
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn post_rewrite_and_pre_push_input_reaches_trail_and_the_chained_hook() {
    let env = TestEnv::new();
    let repo = repo(&env, "my repo");
    let out = env.root.join("recorded");
    for hook in ["post-rewrite", "pre-push"] {
        recording_hook(&hooks_dir(&repo).join(hook), &out, hook);
    }
    env.trail_ok(&repo, ["hooks", "install"]);
    let fake = recording_trail(&env, &out);
    let path = path_with(&env, &fake);
    // The shim buffers stdin in $TMPDIR: it must be gone after the hook.
    let tmp = env.dir("tmp");

    // post-rewrite: `git commit --amend` feeds "OLD NEW" on stdin.
    let old = head(&env, &repo);
    let mut amend = git_cmd(&env, &repo);
    amend.env("PATH", &path).env("TMPDIR", &tmp).args([
        "commit",
        "-q",
        "--amend",
        "--allow-empty",
        "-m",
        "Amended",
    ]);
    run(amend, PROCESS_TIMEOUT).assert_code(0);
    let new = head(&env, &repo);
    let from_trail = read(out.join("trail-post-rewrite.stdin"));
    assert_eq!(from_trail, format!("{old} {new}\n"));
    assert_eq!(read(out.join("chained-post-rewrite.stdin")), from_trail);
    assert_eq!(read(out.join("trail-post-rewrite.args")), "hook\npost-rewrite\namend\n");
    assert_eq!(read(out.join("chained-post-rewrite.args")), "hook\npost-rewrite\namend\n");

    // pre-push: the remote's name and URL as arguments, one line per ref on stdin.
    let remote = env.dir("remote.git");
    env.git_ok(&remote, ["init", "-q", "--bare"]);
    env.git_ok(&repo, ["remote", "add", "origin", remote.to_str().expect("utf-8")]);
    env.git_ok(&repo, ["branch", "second"]);
    let mut push = git_cmd(&env, &repo);
    push.env("PATH", &path).env("TMPDIR", &tmp).args(["push", "-q", "origin", "main", "second"]);
    run(push, PROCESS_TIMEOUT).assert_code(0);
    let from_trail = read(out.join("trail-pre-push.stdin"));
    assert!(from_trail.contains(&format!("refs/heads/main {new} refs/heads/main")), "{from_trail}");
    assert_eq!(from_trail.lines().count(), 2, "{from_trail}");
    assert_eq!(read(out.join("chained-pre-push.stdin")), from_trail);
    let args = format!("hook\npre-push\norigin\n{}\n", remote.display());
    assert_eq!(read(out.join("trail-pre-push.args")), args);
    assert_eq!(read(out.join("chained-pre-push.args")), args);

    let left: Vec<_> = std::fs::read_dir(&tmp).expect("read TMPDIR").collect();
    assert!(left.is_empty(), "the shim left its stdin copy behind: {left:?}");

    // Without a chained hook, trail reads git's input itself.
    std::fs::remove_file(hooks_dir(&repo).join("post-rewrite.trail-chained")).expect("rm");
    let mut amend = git_cmd(&env, &repo);
    amend.env("PATH", &path).args(["commit", "-q", "--amend", "--allow-empty", "-m", "Again"]);
    run(amend, PROCESS_TIMEOUT).assert_code(0);
    let newer = head(&env, &repo);
    assert_eq!(read(out.join("trail-post-rewrite.stdin")), format!("{new} {newer}\n"));
}

#[test]
fn when_trail_fails_the_chained_hook_does_not_run() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let out = env.root.join("recorded");
    recording_hook(&hooks_dir(&repo).join("pre-commit"), &out, "pre-commit");
    env.trail_ok(&repo, ["hooks", "install"]);
    let bin = env.dir("failing bin");
    script(&bin.join("trail"), "#!/bin/sh\necho 'trail refuses' >&2\nexit 7\n");
    let before = head(&env, &repo);
    let mut cmd = git_cmd(&env, &repo);
    cmd.env("PATH", path_with(&env, &bin)).args(["commit", "-q", "--allow-empty", "-m", "x"]);
    let result = run(cmd, PROCESS_TIMEOUT);
    assert_ne!(result.status, Some(0), "{result}");
    result.assert_stderr_has("trail refuses");
    assert_eq!(head(&env, &repo), before);
    assert!(
        !out.join("chained-pre-commit.args").exists(),
        "the chained hook ran after trail failed"
    );
}

// ---------------------------------------------------------------------------
// The merge driver and status

#[test]
fn install_registers_the_merge_driver_and_uninstall_removes_it() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    // Attributes the user already has stay as they are.
    std::fs::create_dir_all(repo.join(".git/info")).expect("mkdir");
    std::fs::write(repo.join(".git/info/attributes"), "*.png binary").expect("write");

    env.trail_ok(&repo, ["hooks", "install"]);
    assert_eq!(
        local_config(&env, &repo, "merge.trail.name").as_deref(),
        Some("trail: union of CHANGELOG.md entries")
    );
    assert_eq!(
        local_config(&env, &repo, "merge.trail.driver").as_deref(),
        Some("trail changelog merge %O %A %B %P")
    );
    let attributes = read(repo.join(".git/info/attributes"));
    assert_eq!(attributes, "*.png binary\nCHANGELOG.md merge=trail\n");
    let check =
        env.git_ok(&repo, ["check-attr", "merge", "--", "CHANGELOG.md", "sub/CHANGELOG.md"]);
    assert_eq!(check, "CHANGELOG.md: merge: trail\nsub/CHANGELOG.md: merge: trail");
    // Never the committed .gitattributes.
    assert!(!repo.join(".gitattributes").exists());
    let status = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    assert!(status.lines().any(|l| l.starts_with("merge driver") && l.contains("registered")));

    env.trail_ok(&repo, ["hooks", "install"]);
    assert_eq!(read(repo.join(".git/info/attributes")).matches("merge=trail").count(), 1);

    let out = env.trail_ok(&repo, ["hooks", "uninstall"]);
    out.assert_stderr_has("removed merge.trail.driver");
    assert_eq!(local_config(&env, &repo, "merge.trail.name"), None);
    assert_eq!(local_config(&env, &repo, "merge.trail.driver"), None);
    assert_eq!(read(repo.join(".git/info/attributes")), "*.png binary\n");
}

#[test]
fn a_merge_driver_key_with_another_value_is_kept_unless_forced() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    env.git_ok(&repo, ["config", "merge.trail.driver", "my-own-driver %A"]);
    env.trail_ok(&repo, ["hooks", "install"]).assert_stderr_has("kept merge.trail.driver");
    assert_eq!(
        local_config(&env, &repo, "merge.trail.driver").as_deref(),
        Some("my-own-driver %A")
    );
    // uninstall leaves what is not trail's.
    env.trail_ok(&repo, ["hooks", "uninstall"]);
    assert_eq!(
        local_config(&env, &repo, "merge.trail.driver").as_deref(),
        Some("my-own-driver %A")
    );
    env.trail_ok(&repo, ["hooks", "install", "--force"]);
    assert_eq!(
        local_config(&env, &repo, "merge.trail.driver").as_deref(),
        Some("trail changelog merge %O %A %B %P")
    );
}

#[test]
fn status_reports_each_hook() {
    let env = TestEnv::new();
    let repo = repo(&env, "repo");
    let before = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    let dir = hooks_dir(&repo);
    assert!(
        before.starts_with(&format!("hooks dir          {} (git's default", dir.display())),
        "{before}"
    );
    for hook in HOOKS {
        assert!(before.contains(&format!("{hook:<19}missing\n")), "{hook}:\n{before}");
    }
    assert!(before.contains("merge driver       not registered"), "{before}");

    script(&dir.join("pre-commit"), "#!/bin/sh\n");
    env.trail_ok(&repo, ["hooks", "install"]);
    script(&dir.join("post-merge"), "#!/bin/sh\n# someone else's\n");
    let after = env.trail_ok(&repo, ["hooks", "status"]).stdout_str();
    let expected = format!(
        "hooks dir          {} (git's default, shared by all worktrees)
pre-commit         installed, then runs pre-commit.trail-chained
prepare-commit-msg installed
commit-msg         installed
post-commit        installed
applypatch-msg     installed
pre-applypatch     installed
post-applypatch    installed
post-rewrite       installed
post-merge         not trail's (a file; `trail hooks install` chains it)
post-checkout      installed
pre-push           installed
merge driver       registered (merge.trail.driver, `CHANGELOG.md merge=trail`)
",
        dir.display()
    );
    assert_eq!(after, expected);
}

#[test]
fn server_install_keeps_git_from_delta_searching_journal_segments_and_uninstall_undoes_it() {
    let env = TestEnv::new();
    let bare = env.dir("srv/journals.git");
    env.git_ok(&bare, ["init", "-q", "--bare"]);
    let attributes = bare.join("info").join("attributes");
    // Someone else's line stays where it is, before and after.
    std::fs::write(&attributes, "*.bin binary\n").expect("write info/attributes");
    env.trail_ok(&bare, ["hooks", "install", "--server"])
        .assert_stderr_has("added `records.jsonl -delta`");
    assert_eq!(
        std::fs::read_to_string(&attributes).expect("read info/attributes"),
        "*.bin binary\nrecords.jsonl -delta\n"
    );
    // git itself reads it: pack-objects skips the delta search for the segments.
    let check = env.git_ok(&bare, ["check-attr", "delta", "--", "records.jsonl"]);
    assert_eq!(check, "records.jsonl: delta: unset");
    // Twice changes nothing.
    let again = env.trail_ok(&bare, ["hooks", "install", "--server"]);
    assert!(!again.stderr.contains("records.jsonl"), "{again}");
    assert_eq!(
        std::fs::read_to_string(&attributes).expect("read info/attributes"),
        "*.bin binary\nrecords.jsonl -delta\n"
    );
    env.trail_ok(&bare, ["hooks", "uninstall"]).assert_stderr_has("removed `records.jsonl -delta`");
    assert_eq!(
        std::fs::read_to_string(&attributes).expect("read info/attributes"),
        "*.bin binary\n"
    );
    assert!(!bare.join("hooks").join("pre-receive").exists(), "pre-receive left after uninstall");
}

/// A plain `git commit` that trail's pre-commit prepared starts no trail
/// process for prepare-commit-msg (the shim knows there is nothing to do:
/// issue 24); a commit pre-commit did not see (`--no-verify`) and a
/// `git revert` still go to `trail hook prepare-commit-msg`, and the
/// chained hook runs every time.
/// A PATH whose `trail` logs each hook it is started for (one line: the
/// hook's name; `drain` for the background drainer) to `log`, then runs
/// the real one.
fn logging_trail(env: &TestEnv, log: &Path) -> String {
    let bin = env.dir("logging-bin");
    script(
        &bin.join("trail"),
        &format!(
            "#!/bin/sh\ncase $1 in hook) printf '%s\\n' \"$2\" ;; drain) echo drain ;; esac >>'{}'\nexec '{}' \"$@\"\n",
            log.display(),
            trail_bin()
        ),
    );
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn message_hooks_start_trail_only_when_there_is_work() {
    let env = TestEnv::new();
    let repo = repo(&env, "quick");
    env.trail_ok(&repo, ["hooks", "install"]);
    let log = env.root.join("calls.log");
    let chained_log = env.root.join("chained.log");
    let path = logging_trail(&env, &log);
    script(
        &repo.join(".git/hooks/prepare-commit-msg.trail-chained"),
        &format!("#!/bin/sh\nprintf '%s\\n' \"$2\" >>'{}'\n", chained_log.display()),
    );
    let git = |args: &[&str]| {
        let mut cmd = git_cmd(&env, &repo);
        cmd.env("PATH", &path).args(args);
        run(cmd, PROCESS_TIMEOUT).assert_code(0);
        common::wait_for_drainer(&repo);
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        std::fs::remove_file(&log).ok();
        calls.lines().map(str::to_owned).collect::<Vec<_>>()
    };

    std::fs::write(repo.join("a.txt"), "1\n").expect("write");
    env.git_ok(&repo, ["add", "a.txt"]);
    let calls = git(&["commit", "-q", "-m", "plain"]);
    // post-commit runs after the commit: `trail drain`, started by its shim.
    assert_eq!(calls, ["pre-commit", "drain"], "the shims completed the message");
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Change-Id: ") && message.contains("Why: test"), "{message}");

    // A message with a trailer of its own goes to trail's commit-msg.
    std::fs::write(repo.join("a.txt"), "1b\n").expect("write");
    env.git_ok(&repo, ["add", "a.txt"]);
    let calls = git(&["commit", "-q", "-m", "signed", "-s"]);
    assert_eq!(calls, ["pre-commit", "commit-msg", "drain"]);
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Signed-off-by: ") && message.contains("Change-Id: "), "{message}");

    std::fs::write(repo.join("a.txt"), "2\n").expect("write");
    let calls = git(&["commit", "-q", "--no-verify", "-am", "unchecked"]);
    assert_eq!(calls, ["prepare-commit-msg", "post-commit"], "--no-verify skips pre-commit");

    let calls = git(&["revert", "--no-edit", "HEAD"]);
    assert!(calls.contains(&"prepare-commit-msg".to_owned()), "{calls:?}");
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Change-Id: "), "the revert got its trailers: {message}");

    let chained = std::fs::read_to_string(&chained_log).expect("the chained hook ran");
    // (The revert's may run twice: trail amends a revert's message.)
    assert!(chained.lines().count() >= 3, "the chained hook ran for each commit:\n{chained}");
}

/// `[hooks] post_commit = "inline"`: post-commit runs on the commit's
/// path, and the commit's record is in the spool (or the journal) when
/// `git commit` returns; with the default, the shim leaves a marker and
/// starts the drainer, and the next trail command records the commit
/// before it reads anything.
#[test]
fn post_commit_runs_after_the_commit_unless_told_inline() {
    let env = TestEnv::new();
    let repo = env.trail_repo("inline", "first");
    let log = env.root.join("calls.log");
    let path = logging_trail(&env, &log);
    let commit = |file: &str, content: &str| {
        std::fs::write(repo.join(file), content).expect("write");
        env.git_ok(&repo, ["add", file]);
        let mut cmd = git_cmd(&env, &repo);
        cmd.env("PATH", &path).args(["commit", "-q", "-m", file]);
        run(cmd, PROCESS_TIMEOUT).assert_code(0);
        let head = env.git_ok(&repo, ["rev-parse", "HEAD"]).trim().to_owned();
        let kinds: Vec<String> = env
            .trail_json(&repo, ["log", "--json", "--commit", &head])
            .iter()
            .map(|r| r["kind"].as_str().unwrap_or("").to_owned())
            .collect();
        common::wait_for_drainer(&repo);
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        std::fs::remove_file(&log).ok();
        (calls.lines().map(str::to_owned).collect::<Vec<_>>(), kinds)
    };
    let (calls, kinds) = commit("a.txt", "x\n");
    assert_eq!(calls, ["pre-commit", "drain"]);
    assert!(kinds.iter().any(|k| k == "commit"), "recorded as prepared: {kinds:?}");
    let pending = repo.join(".git/trail/pending");
    assert!(
        !pending.join("commit-main.json").exists() && !pending.join("commit-main.defer").exists()
    );

    let (calls, kinds) = commit("trail.toml", "[hooks]\npost_commit = \"inline\"\n");
    assert_eq!(calls, ["pre-commit", "post-commit"]);
    assert!(kinds.iter().any(|k| k == "commit"), "{kinds:?}");
    assert!(!pending.join("commit-main.defer").exists());
    let (calls, _) = commit("b.txt", "x\n");
    assert_eq!(calls, ["pre-commit", "post-commit"]);

    std::fs::write(repo.join("trail.toml"), "[hooks]\npost_commit = \"later\"\n").expect("write");
    std::fs::write(repo.join("c.txt"), "x\n").expect("write");
    env.git_ok(&repo, ["add", "c.txt"]);
    let mut cmd = git_cmd(&env, &repo);
    cmd.args(["commit", "-q", "-m", "c"]);
    let refused = run(cmd, PROCESS_TIMEOUT);
    refused.assert_code(1).assert_stderr_has("post_commit");
}

/// A commit of a temporary index (`git commit -o PATH`, `git commit PATH`,
/// a `GIT_INDEX_FILE` of one's own) runs post-commit on the commit's path:
/// the person's own index must hold the commit's CHANGELOG.md entries
/// before git returns (found by a review: with post-commit after the
/// commit, `git status` showed `MM CHANGELOG.md` and the next commit could
/// drop the entry).
#[test]
fn a_commit_of_a_temporary_index_runs_post_commit_before_git_returns() {
    let env = TestEnv::new();
    let repo = env.trail_repo("only", "first");
    let log = env.root.join("calls.log");
    let path = logging_trail(&env, &log);
    let alt = env.root.join("alt-index");
    let cases: [(&str, &[&str], bool); 3] = [
        ("-o", &["commit", "-q", "-o", "a.txt", "-m", "only a"], false),
        ("paths", &["commit", "-q", "a.txt", "-m", "a by path"], false),
        ("GIT_INDEX_FILE", &["commit", "-q", "-m", "another index"], true),
    ];
    for (i, (what, args, own_index)) in cases.into_iter().enumerate() {
        std::fs::write(repo.join("a.txt"), format!("a {i}\n")).expect("write");
        std::fs::write(repo.join("b.txt"), format!("b {i}\n")).expect("write");
        env.git_ok(&repo, ["add", "a.txt", "b.txt"]);
        let mut cmd = git_cmd(&env, &repo);
        cmd.env("PATH", &path).args(args);
        if own_index {
            std::fs::copy(repo.join(".git/index"), &alt).expect("copy the index");
            cmd.env("GIT_INDEX_FILE", &alt);
        }
        run(cmd, PROCESS_TIMEOUT).assert_code(0);
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        std::fs::remove_file(&log).ok();
        assert!(calls.lines().any(|l| l == "post-commit"), "{what}: {calls:?}");
        assert!(!calls.lines().any(|l| l == "drain"), "{what}: {calls:?}");
        if !own_index {
            // Right after git returns, before any trail process: the
            // person's index holds what was committed of CHANGELOG.md.
            let status = env.git_ok(&repo, ["status", "--short", "--", "CHANGELOG.md"]);
            assert_eq!(status, "", "{what}");
        }
        common::wait_for_drainer(&repo);
        if own_index {
            env.git_ok(&repo, ["reset", "-q"]);
        } else {
            env.git_ok(&repo, ["commit", "-q", "-m", "b", "--no-verify", "--allow-empty"]);
        }
    }
}

/// The commit-msg shim appends pre-commit's trailers itself only to a
/// message that can have no trailer block of its own, and then exactly as
/// trail's commit-msg would: each message is committed twice, once where
/// the shim may do it, once with a `trailer.*` setting (`-c`), which sends
/// commit-msg to trail and the trailers to `git interpret-trailers`; the
/// messages git's hooks leave (.git/COMMIT_EDITMSG) must be the same but
/// for the change ids.
#[test]
fn commit_msg_shim_appends_what_trail_would() {
    let env = TestEnv::new();
    let quick = repo(&env, "quick");
    let reference = repo(&env, "reference");
    env.trail_ok(&quick, ["hooks", "install"]);
    env.trail_ok(&reference, ["hooks", "install"]);
    let log = env.root.join("calls.log");
    let path = logging_trail(&env, &log);
    // (message, whether the shim completes it)
    let cases: &[(&str, bool)] = &[
        ("plain\n", true),
        ("feat: a conventional subject\n", true),
        ("Change-Id: deadbeefdeadbeef\n", false),
        ("change-id: abc extra\n", false),
        ("Why: given as the subject\n", true),
        ("Signed-off-by: A <a@b.org>\n", true),
        ("two\nlines of title\n", true),
        ("subject\n\nA body that explains.\nOn two lines.\n", true),
        ("subject\n\nfirst paragraph\n\nsecond paragraph\n", true),
        ("unicode: é ü 漢字\n\nbody ünïcödé\n", true),
        ("  indented subject\n", true),
        ("subject\n\n    indented body line\n", true),
        ("subject\n\nbody\n\n\n", false),
        ("subject\n\nRefs: 12\n", false),
        ("subject\n\nChange-Id: 0123456789abcdef\n", false),
        ("subject\n\nWhy: given\nImpact: low\n", false),
        ("subject\n\nbody\n---\nnot the message\n", false),
        ("subject\n\n(cherry picked from commit 1234567)\n", false),
        ("subject\n# a comment\n", false),
        ("subject\n\nbody with a url http://example.org\n", false),
        ("subject\n \n", false),
        ("subject without newline", false),
        ("subject\n\n...\n", false),
    ];
    for (i, (message, quick_path)) in cases.iter().enumerate() {
        let file = env.root.join(format!("message-{i}"));
        std::fs::write(&file, message).expect("write");
        let mut left = Vec::new();
        for (repo, config) in [(&quick, None), (&reference, Some("trailer.ifmissing=add"))] {
            std::fs::write(repo.join("a.txt"), format!("{i}\n")).expect("write");
            env.git_ok(repo, ["add", "a.txt"]);
            let mut cmd = git_cmd(&env, repo);
            cmd.env("PATH", &path);
            if let Some(config) = config {
                cmd.args(["-c", config]);
            }
            cmd.args(["commit", "-q", "--cleanup=verbatim", "-F"]).arg(&file);
            run(cmd, PROCESS_TIMEOUT).assert_code(0);
            common::wait_for_drainer(repo);
            let calls = std::fs::read_to_string(&log).unwrap_or_default();
            std::fs::remove_file(&log).ok();
            if config.is_none() {
                assert_eq!(
                    !calls.lines().any(|l| l == "commit-msg"),
                    *quick_path,
                    "case {i} {message:?}: the shim {} it; trail was started for {calls:?}",
                    if *quick_path { "should complete" } else { "must leave" }
                );
            } else {
                assert!(calls.lines().any(|l| l == "commit-msg"), "case {i}: {calls:?}");
            }
            let edited = std::fs::read_to_string(repo.join(".git/COMMIT_EDITMSG")).expect("read");
            // pre-commit's change id: the last Change-Id line.
            let id = edited
                .lines()
                .filter_map(|l| l.strip_prefix("Change-Id: "))
                .next_back()
                .unwrap_or_else(|| panic!("case {i}: no change id in {edited:?}"));
            assert_eq!(id.len(), 16, "case {i}: {edited:?}");
            left.push(edited.replace(id, "CHANGE-ID"));
        }
        assert_eq!(left[0], left[1], "case {i} {message:?}: the shim and trail disagree");
        if *quick_path {
            assert!(left[0].ends_with("\n\nChange-Id: CHANGE-ID\nWhy: test\nImpact: none\n"));
        }
    }
}

/// An AI agent's edit noted after pre-commit offered the shim its trailers
/// (while the message was being written: here, by a chained
/// prepare-commit-msg hook) sends commit-msg to trail, which names the
/// agent's session.
#[test]
fn an_agent_edit_after_pre_commit_sends_commit_msg_to_trail() {
    let env = TestEnv::new();
    let repo = repo(&env, "agent-late");
    env.trail_ok(&repo, ["hooks", "install"]);
    let log = env.root.join("calls.log");
    let path = logging_trail(&env, &log);
    script(
        &repo.join(".git/hooks/prepare-commit-msg.trail-chained"),
        "#!/bin/sh\nmkdir -p .git/trail/agents\nprintf '%s\\n' '{\"agent\":\"claude\",\"session\":\"s1\",\"path\":\"a.txt\"}' >>.git/trail/agents/edits.jsonl\n",
    );
    std::fs::write(repo.join("a.txt"), "1\n").expect("write");
    env.git_ok(&repo, ["add", "a.txt"]);
    let mut cmd = git_cmd(&env, &repo);
    cmd.env("PATH", &path).args(["commit", "-q", "-m", "plain"]);
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    common::wait_for_drainer(&repo);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(calls.lines().any(|l| l == "commit-msg"), "trail ran commit-msg: {calls:?}");
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Agent-Session: claude s1"), "{message}");
}
