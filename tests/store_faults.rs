//! Faults around opening and replacing the journal (issue 18, items 7-9),
//! each injected for real: a full tmpfs under the repository, `kill -9` at
//! every step of `trail recover`'s swap (trail-failpoint), and another uid
//! (`setpriv`) for permissions. Opening never damages a store; a full disk and
//! a closed door are said to be what they are, never "damaged" or "no journal
//! yet"; an interrupted recovery is finished by the next, never discarded.
//!
//! The tmpfs and setpriv tests need root; elsewhere they say "skipped: needs
//! root" and pass.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A tmpfs of `size` mounted on a directory; unmounted when dropped, also
/// when the test fails (lazily when a process still uses it).
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).expect("create the mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "mount failed: {}", String::from_utf8_lossy(&out.stderr));
        Tmpfs { dir: dir.to_owned() }
    }

    /// Fill the filesystem to the last byte; returns the file that does it.
    fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut file = std::fs::File::create(&path).expect("create the filler");
        for size in [1 << 20, 64 << 10, 4 << 10, 512, 1] {
            let chunk = vec![0u8; size];
            loop {
                match file.write(&chunk) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                    Err(e) => panic!("filling {}: {e}", path.display()),
                }
            }
        }
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.dir).status().is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

fn journal_dir(repo: &Path) -> PathBuf {
    repo.join(".git/trail/journal")
}

fn export(env: &TestEnv, repo: &Path) -> Vec<u8> {
    env.trail_ok(repo, ["export"]).stdout
}

/// The entries of `dir` whose names start with `prefix`, sorted.
fn entries(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// Commit a change to `a.txt` through the hooks.
fn commit(env: &TestEnv, repo: &Path, text: &str) {
    std::fs::write(repo.join("a.txt"), text).expect("write a.txt");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", text.trim()]).env("TRAIL_WHY", "a change");
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    // Settled: the drainer post-commit started is done before the test
    // changes owners or damages the store.
    wait_for_drainer(repo);
}

fn checkpointed(env: &TestEnv, repo: &Path) -> u64 {
    let statement: Value =
        serde_json::from_str(&env.git_ok(repo, ["show", "refs/trail/journal:checkpoint.json"]))
            .expect("checkpoint.json is JSON");
    statement["seq"].as_u64().expect("seq")
}

// ---------------------------------------------------------------------------
// 7. A full disk
// ---------------------------------------------------------------------------

// Issue 18 (7): opening sled on a full disk (even for `trail verify`) left an
// empty `snap.*.generating` file; once space was back, every command called
// the journal "damaged: corrupted data" and `trail recover` set it aside.
#[test]
fn full_disk_open_leaves_the_store_whole_and_says_the_disk_is_full() {
    if !is_root() {
        eprintln!("skipped: needs root (a tmpfs to fill)");
        return;
    }
    let env = TestEnv::new();
    let disk = Tmpfs::mount(&env.root.join("disk"), "8m");
    let repo = env.trail_repo("disk/repo", "first");
    commit(&env, &repo, "2\n");
    // A record after the last checkpoint: what a wrongful recover would lose.
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    let before = export(&env, &repo);
    assert!(split_lines(&before).len() as u64 > checkpointed(&env, &repo));
    // `verify` writes its outcome into the store: the next open has a
    // snapshot to write.
    env.trail_ok(&repo, ["verify"]);

    let filler = disk.fill();
    for args in [&["verify"][..], &["log"], &["status"]] {
        let out = env.trail(&repo, args);
        out.assert_code(3)
            .assert_stderr_has("the disk is full")
            .assert_stderr_has(&journal_dir(&repo).display().to_string())
            .assert_stderr_has("free space on the filesystem");
        assert!(!out.stderr.contains("is damaged"), "a full disk is not damage:\n{out}");
        assert_eq!(
            entries(&journal_dir(&repo), "snap.")
                .iter()
                .filter(|n| n.ends_with(".generating"))
                .count(),
            0,
            "the failed open left no half-written snapshot: {:?}",
            entries(&journal_dir(&repo), "snap.")
        );
    }

    std::fs::remove_file(&filler).expect("free the space");
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(export(&env, &repo), before, "every record is there");
    env.trail_ok(&repo, ["recover"]).assert_stderr_has("nothing to recover");
    assert!(entries(&repo.join(".git/trail"), "journal.damaged").is_empty());
}

// The same, for the store a full disk already damaged this way (an older
// trail, or another sled user): the empty snapshot file is put right at open.
#[test]
fn regression_a_store_left_with_an_empty_snapshot_opens_with_every_record() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "first");
    commit(&env, &repo, "2\n");
    let before = export(&env, &repo);
    let snaps = entries(&journal_dir(&repo), "snap.");
    let last = snaps.last().expect("sled wrote a snapshot");
    std::fs::write(journal_dir(&repo).join(format!("{last}.generating")), b"")
        .expect("leave what a full disk leaves");

    env.trail_ok(&repo, ["verify"]);
    assert_eq!(export(&env, &repo), before);
}

// A `trail init` that runs out of space leaves no half-made store behind
// (it would later read as a damaged one).
#[test]
fn full_disk_init_leaves_no_half_made_store() {
    if !is_root() {
        eprintln!("skipped: needs root (a tmpfs to fill)");
        return;
    }
    let env = TestEnv::new();
    let disk = Tmpfs::mount(&env.root.join("disk"), "4m");
    let repo = env.dir("disk/repo");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.join(".git/trail")).expect("create .git/trail");

    let filler = disk.fill();
    let out = env.trail(&repo, ["init"]);
    out.assert_code(3).assert_stderr_has("the disk is full");
    assert!(!journal_dir(&repo).exists(), "no half-made store:\n{out}");

    std::fs::remove_file(&filler).expect("free the space");
    env.trail_ok(&repo, ["init"]).assert_stderr_has("created the journal");
    env.trail_ok(&repo, ["verify"]);
}

// ---------------------------------------------------------------------------
// 8. kill -9 during `trail recover`'s swap
// ---------------------------------------------------------------------------

/// The failpoints of the swap, in the order a recovery reaches them.
const SWAP_STEPS: &[&str] = &[
    "recover.swap.planned",
    "recover.swap.old-moved",
    "recover.swap.old-mark-moved",
    "recover.swap.new-moved",
    "recover.swap.new-mark-moved",
    "recover.swap.adopted",
    "recover.swap.reported",
];

fn recover_killed_at(env: &TestEnv, repo: &Path, step: &str, force: bool) -> Output {
    let mut cmd = env.trail_cmd(repo);
    cmd.arg("recover").env("TRAIL_FAILPOINT", step);
    if force {
        cmd.arg("--force");
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, None, "killed at {step}:\n{out}");
    out.assert_stderr_has(&format!("failpoint {step}: killed"));
    out
}

// Issue 18 (8): killed during its swap (old journal moved aside, rebuild
// complete), the next `trail recover` discarded the finished rebuild and said
// records were lost; killed one rename later, it exited 0 saying whether
// records were lost "cannot be known". Now a rerun finishes the swap, from
// any step, and so does a rerun killed in turn.
#[test]
fn kill_9_at_every_step_of_the_recover_swap_keeps_the_rebuild() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "first");
    commit(&env, &repo, "2\n");
    let trail_dir = repo.join(".git/trail");
    for (i, step) in SWAP_STEPS.iter().enumerate() {
        // Records after the last checkpoint, which only the old store holds
        // (a recovery checkpoints what it salvaged).
        let branch = if i % 2 == 0 { "topic" } else { "main" };
        env.git_ok(&repo, ["checkout", "-q", "-B", branch]);
        let before = export(&env, &repo);
        let sealed = checkpointed(&env, &repo);
        assert!(split_lines(&before).len() as u64 > sealed, "records after the last checkpoint");
        let kept_stores = || {
            entries(&trail_dir, "journal.damaged-").into_iter().filter(|n| !n.ends_with(".head"))
        };
        let kept_before = kept_stores().count();

        recover_killed_at(&env, &repo, step, true);
        if matches!(*step, "recover.swap.old-moved" | "recover.swap.old-mark-moved") {
            // The journal is aside, the rebuild waits: no command mistakes
            // that for "no journal yet", and init makes no new store there.
            env.trail(&repo, ["verify"])
                .assert_code(3)
                .assert_stderr_has("run `trail recover` again");
            let init = env.trail(&repo, ["init"]);
            init.assert_no_panic().assert_stderr_has("trail recover");
            assert_ne!(init.status, Some(0), "{init}");
            assert!(!journal_dir(&repo).exists(), "init made no store there");
        }
        // Killed again while it finishes, one step further on.
        if let Some(next) = SWAP_STEPS.get(i + 1) {
            recover_killed_at(&env, &repo, next, false);
        }

        let out = env.trail(&repo, ["recover", "--json"]);
        out.assert_code(0)
            .assert_stderr_has("finishing the `trail recover`")
            .assert_stderr_has("nothing was lost");
        let outcome = &out.json_lines()[0];
        assert_eq!(outcome["recovered"], true, "{out}");
        assert_eq!(outcome["lost"], Value::Null, "{out}");
        assert!(outcome["salvaged"].as_u64() >= Some(1), "the records after the checkpoint: {out}");
        assert_eq!(export(&env, &repo), before, "killed at {step}: every record is back");
        env.trail_ok(&repo, ["verify"]);
        assert!(!trail_dir.join("journal.recovering").exists(), "killed at {step}");
        assert!(!trail_dir.join("recover.json").exists(), "killed at {step}: the plan is done");
        assert_eq!(
            kept_stores().count(),
            kept_before + 1,
            "killed at {step}: the old store is kept, once: {:?}",
            entries(&trail_dir, "journal.damaged-")
        );
        // And a recovery now has nothing to do.
        env.trail_ok(&repo, ["recover"]).assert_stderr_has("nothing to recover");
    }
}

// The plan of a swap whose rebuilt journal is then lost (deleted by hand)
// is rolled back: the old journal stays where it is, nothing is reported
// recovered, and the next recover starts afresh.
#[test]
fn kill_9_after_planning_the_swap_then_losing_the_rebuild_leaves_the_old_journal() {
    let env = TestEnv::new();
    let repo = env.trail_repo("repo", "first");
    commit(&env, &repo, "2\n");
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    let before = export(&env, &repo);
    let trail_dir = repo.join(".git/trail");

    recover_killed_at(&env, &repo, "recover.swap.planned", true);
    assert!(trail_dir.join("recover.json").is_file(), "the plan was written first");
    common::remove_trail_dir(&repo, &trail_dir.join("journal.recovering"));

    env.trail(&repo, ["recover"])
        .assert_code(1)
        .assert_stderr_has("is gone; the old journal is where it was");
    assert!(!trail_dir.join("recover.json").exists());
    assert_eq!(export(&env, &repo), before);
    assert!(entries(&trail_dir, "journal.damaged").is_empty(), "nothing was set aside");
    env.trail_ok(&repo, ["recover"]).assert_stderr_has("nothing to recover");
}

// With the store and refs/trail/journal both gone, `trail recover --from`
// killed mid-swap left no journal and no local chain: `trail init` then made
// a new, unrelated store in its place. It refuses now, and the next recover
// finishes the swap, taking the remote's chain as well.
#[test]
fn kill_9_in_recover_from_a_remote_then_init_keeps_the_rebuild() {
    let env = TestEnv::new();
    let origin = env.dir("origin.git");
    env.git_ok(&origin, ["init", "-q", "--bare", "-b", "main"]);
    let repo = env.trail_repo("repo", "first");
    env.git_ok(&repo, ["remote", "add", "origin", origin.to_str().expect("a UTF-8 path")]);
    commit(&env, &repo, "2\n");
    env.trail_ok(&repo, ["sync", "push"]);
    let before = export(&env, &repo);
    let pushed =
        env.git_ok(&origin, ["for-each-ref", "--format=%(objectname)", "refs/trail/clones/"]);
    common::remove_trail_dir(&repo, &journal_dir(&repo));
    env.git_ok(&repo, ["update-ref", "-d", "refs/trail/journal"]);

    let mut cmd = env.trail_cmd(&repo);
    cmd.args(["recover", "--from", "origin"]).env("TRAIL_FAILPOINT", "recover.swap.old-mark-moved");
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, None, "killed:\n{out}");
    env.trail(&repo, ["init"]).assert_code(3).assert_stderr_has("run `trail recover` again");
    assert!(!journal_dir(&repo).exists(), "init made no store there");

    env.trail(&repo, ["recover"])
        .assert_code(0)
        .assert_stderr_has("finishing the `trail recover`")
        .assert_stderr_has("nothing was lost");
    assert_eq!(export(&env, &repo), before);
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(env.git_ok(&repo, ["rev-parse", "refs/trail/journal"]), pushed);
}

// ---------------------------------------------------------------------------
// 9. Permissions
// ---------------------------------------------------------------------------

const NOBODY: &str = "65534";

/// `trail ARGS` run as uid/gid 65534 (root ignores permission bits).
fn trail_as_nobody(env: &TestEnv, cwd: &Path, args: &[&str]) -> Output {
    let mut cmd = env.command("setpriv", cwd);
    cmd.args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", trail_bin()]).args(args);
    run(cmd, PROCESS_TIMEOUT)
}

fn chown(path: &Path, owner: &str) {
    let status = Command::new("chown").args(["-R", owner]).arg(path).status().expect("chown");
    assert!(status.success(), "chown -R {owner} {}", path.display());
}

fn chmod(path: &Path, mode: &str, recursive: bool) {
    let mut cmd = Command::new("chmod");
    if recursive {
        cmd.arg("-R");
    }
    let status = cmd.arg(mode).arg(path).status().expect("chmod");
    assert!(status.success(), "chmod {mode} {}", path.display());
}

/// A repository with 5+ records, some after the last checkpoint, that uid
/// 65534 may enter (the test's temporary root is private to root).
fn repo_for_another_user(env: &TestEnv) -> (PathBuf, Vec<u8>) {
    let repo = env.trail_repo("repo", "first");
    commit(env, &repo, "2\n");
    commit(env, &repo, "3\n");
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    let before = export(env, &repo);
    assert!(split_lines(&before).len() >= 5);
    assert!(split_lines(&before).len() as u64 > checkpointed(env, &repo));
    chmod(&env.root, "755", false);
    chown(&env.home, &format!("{NOBODY}:{NOBODY}"));
    (repo, before)
}

/// What every command says of a journal uid 65534 may not use.
fn assert_permission_problem(out: &Output, denied: &Path, owner: &str) {
    out.assert_code(3)
        .assert_stderr_has("permission denied")
        .assert_stderr_has(&format!("uid {NOBODY}"))
        .assert_stderr_has(&denied.display().to_string())
        .assert_stderr_has(&format!("owned by {owner}"));
    assert!(!out.stderr.contains("no trail journal yet"), "not a missing journal:\n{out}");
    assert!(!out.stderr.contains("is damaged"), "not a damaged journal:\n{out}");
}

/// doctor names the permission problem and does not advise `trail recover`.
fn assert_doctor_blames_permissions(out: &Output) {
    out.assert_code(1);
    let text = out.stdout_str();
    assert!(text.contains("permission denied"), "doctor names it:\n{out}");
    assert!(!text.contains("fix: trail recover"), "recover is no fix for permissions:\n{out}");
}

// Issue 18 (9): a journal its user cannot read (chmod 000) was "no trail
// journal yet … run `trail init`", doctor advised `trail recover`, and that
// set the intact journal aside and kept only the checkpointed records.
#[test]
fn permission_a_journal_closed_to_its_user_is_not_missing_and_recover_leaves_it() {
    if !is_root() {
        eprintln!("skipped: needs root (to run trail as another uid)");
        return;
    }
    let env = TestEnv::new();
    let (repo, before) = repo_for_another_user(&env);
    chown(&repo, &format!("{NOBODY}:{NOBODY}"));
    let journal = journal_dir(&repo);
    chmod(&journal, "000", false);

    let owner = format!("uid {NOBODY} (nobody), mode 0000");
    for args in [&["verify"][..], &["log"], &["init"]] {
        let out = trail_as_nobody(&env, &repo, args);
        assert_permission_problem(&out, &journal, &owner);
        out.assert_stderr_has(&format!("chmod -R u+rwX {}", journal.display()));
    }
    assert_doctor_blames_permissions(&trail_as_nobody(&env, &repo, &["doctor"]));
    let out = trail_as_nobody(&env, &repo, &["recover"]);
    assert_permission_problem(&out, &journal, &owner);
    assert!(
        entries(&repo.join(".git/trail"), "journal.")
            .iter()
            .all(|n| n == "journal.head" || n == "journal.key")
    );

    chmod(&journal, "700", false);
    assert_eq!(trail_as_nobody(&env, &repo, &["export"]).assert_code(0).stdout, before);
    let out = trail_as_nobody(&env, &repo, &["verify"]);
    out.assert_code(0);
}

// The same with files another user owns (read-only to this one), in a
// `.git/trail` this user may write: recover could move the journal aside.
#[test]
fn permission_a_journal_owned_by_another_user_is_refused_not_set_aside() {
    if !is_root() {
        eprintln!("skipped: needs root (to run trail as another uid)");
        return;
    }
    let env = TestEnv::new();
    let (repo, before) = repo_for_another_user(&env);
    // The repository is this user's; the journal's files are root's, 0444.
    chown(&repo, &format!("{NOBODY}:{NOBODY}"));
    let journal = journal_dir(&repo);
    chown(&journal, "0:0");
    for file in ["conf", "db"] {
        chmod(&journal.join(file), "444", false);
    }
    for snap in entries(&journal, "snap.") {
        chmod(&journal.join(snap), "444", false);
    }

    let owner = "uid 0 (root), mode 0444";
    for args in [&["verify"][..], &["status"]] {
        let out = trail_as_nobody(&env, &repo, args);
        assert_permission_problem(&out, &journal.join("db"), owner);
        out.assert_stderr_has("may not write").assert_stderr_has("run trail as uid 0 (root)");
    }
    assert_doctor_blames_permissions(&trail_as_nobody(&env, &repo, &["doctor"]));
    let out = trail_as_nobody(&env, &repo, &["recover"]);
    assert_permission_problem(&out, &journal.join("db"), owner);
    assert!(entries(&repo.join(".git/trail"), "journal.damaged").is_empty(), "nothing set aside");
    assert!(!repo.join(".git/trail/journal.recovering").exists());

    // Its owner reads every record.
    assert_eq!(export(&env, &repo), before);
}

// An unreadable high-water mark is not "no mark": opening says so, and
// recover does not answer "cannot be known".
#[test]
fn permission_an_unreadable_high_water_mark_is_reported() {
    if !is_root() {
        eprintln!("skipped: needs root (to run trail as another uid)");
        return;
    }
    let env = TestEnv::new();
    let (repo, before) = repo_for_another_user(&env);
    chown(&repo, &format!("{NOBODY}:{NOBODY}"));
    let mark = repo.join(".git/trail/journal.head");
    chmod(&mark, "000", false);

    let out = trail_as_nobody(&env, &repo, &["verify"]);
    assert_permission_problem(&out, &mark, &format!("uid {NOBODY} (nobody), mode 0000"));
    let out = trail_as_nobody(&env, &repo, &["recover", "--force"]);
    out.assert_code(3).assert_stderr_has("permission denied");
    assert!(entries(&repo.join(".git/trail"), "journal.damaged").is_empty(), "nothing set aside");

    chmod(&mark, "644", false);
    assert_eq!(trail_as_nobody(&env, &repo, &["export"]).assert_code(0).stdout, before);
}
