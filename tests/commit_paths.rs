//! Issue 19, deliverable 1: every way a commit lands is recorded with its
//! rationale. Real git (2.47), the real binary, one temporary repository per test.
//!
//! git makes commits by more roads than `git commit`: the sequencer (revert,
//! cherry-pick, rebase --merge, rebase -i) runs only prepare-commit-msg and
//! post-commit; `git am` and `rebase --apply` run applypatch-msg and
//! post-applypatch; `git merge` runs pre-merge-commit, prepare-commit-msg,
//! commit-msg and post-merge. After each road these invariants must hold:
//!
//! - (a) [`Repo::one_change_id`]: the commit's message has exactly one
//!   `Change-Id:` (16 hex digits), as a trailer and as a line;
//! - (b) [`Repo::no_orphan_entries`]: every change id named by an entry of any
//!   CHANGELOG.md at HEAD is the Change-Id of a commit reachable from HEAD;
//! - (c) [`Repo::recorded`]: the journal has one `commit` record of the commit,
//!   with a non-empty `why` and the commit's change id;
//! - (d) [`Repo::clean`]: `git status --porcelain` is empty afterwards.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::{Output, PROCESS_TIMEOUT, TestEnv, run, run_with_input};
use serde_json::Value;

// ---------------------------------------------------------------------------
// A repository under test and the invariants every flow ends with.
// ---------------------------------------------------------------------------

struct Repo<'e> {
    env: &'e TestEnv,
    dir: PathBuf,
}

impl<'e> Repo<'e> {
    /// `<root>/NAME` on branch main, `trail init` done, and a first commit
    /// (why "base") of `f`, `top.txt`, `src/a.rs`, `lib/l.rs` and trail.toml.
    fn new(env: &'e TestEnv, name: &str) -> Self {
        let dir = env.dir(name);
        env.git_ok(&dir, ["init", "-q", "-b", "main"]);
        env.trail_ok(&dir, ["init"]);
        let repo = Repo { env, dir };
        repo.write("f", "base\n");
        repo.write("top.txt", "top\n");
        repo.write("src/a.rs", "fn a() {}\n");
        repo.write("lib/l.rs", "pub fn l() {}\n");
        repo.commit("base", "base");
        repo
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create directories");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// `git ARGS` with `vars` on top of the hermetic environment; nothing waits
    /// for a terminal (`GIT_EDITOR=true`, `GIT_SEQUENCE_EDITOR=:` unless `vars`
    /// says otherwise). Not asserting success.
    fn git(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = self.env.command("git", &self.dir);
        cmd.args(args).env("GIT_EDITOR", "true").env("GIT_SEQUENCE_EDITOR", ":");
        for (key, value) in vars {
            cmd.env(key, value);
        }
        let out = run(cmd, PROCESS_TIMEOUT);
        out.assert_no_panic();
        out
    }

    /// `git ARGS`; panics unless it exits 0; its stdout, trimmed.
    #[track_caller]
    fn ok(&self, vars: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.git(vars, args);
        out.assert_code(0);
        out.stdout_str().trim_end_matches('\n').to_owned()
    }

    /// Stage everything and commit it with `TRAIL_WHY=why`; returns the commit.
    #[track_caller]
    fn commit(&self, subject: &str, why: &str) -> String {
        self.ok(&[], &["add", "-A"]);
        self.ok(&[("TRAIL_WHY", why)], &["commit", "-q", "-m", subject]);
        self.head()
    }

    /// Stage everything and commit it past every hook (`--no-verify`): a
    /// commit without rationale, trailers or entries.
    #[track_caller]
    fn commit_no_verify(&self, subject: &str) -> String {
        self.ok(&[], &["add", "-A"]);
        self.ok(&[], &["commit", "-q", "--no-verify", "-m", subject]);
        let head = self.head();
        assert!(self.trailers(&head, "Change-Id").is_empty(), "{}", self.message(&head));
        assert!(self.trailers(&head, "Why").is_empty(), "{}", self.message(&head));
        head
    }

    fn head(&self) -> String {
        self.rev("HEAD")
    }

    #[track_caller]
    fn rev(&self, rev: &str) -> String {
        self.ok(&[], &["rev-parse", "--verify", "--end-of-options", rev])
    }

    fn parents(&self, rev: &str) -> Vec<String> {
        let line = self.ok(&[], &["log", "-1", "--format=%P", rev]);
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn message(&self, rev: &str) -> String {
        self.ok(&[], &["log", "-1", "--format=%B", rev])
    }

    /// The values of trailer `key` in `rev`'s message, as
    /// `git interpret-trailers --parse` reads them.
    fn trailers(&self, rev: &str, key: &str) -> Vec<String> {
        let message = self.message(rev).into_bytes();
        let mut cmd = self.env.command("git", &self.dir);
        cmd.args(["interpret-trailers", "--parse"]);
        let out = run_with_input(cmd, message, PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "interpret-trailers failed:\n{out}");
        out.stdout_str()
            .lines()
            .filter_map(|line| line.split_once(':'))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// How many lines of `rev`'s message start with `KEY:` (a trailer block
    /// git no longer reads as the last one still counts).
    fn lines_starting(&self, rev: &str, key: &str) -> usize {
        let prefix = format!("{key}:");
        self.message(rev).lines().filter(|l| l.starts_with(&prefix)).count()
    }

    /// (a) `rev`'s message has exactly one `Change-Id:`, of 16 hex digits;
    /// returns it.
    #[track_caller]
    fn one_change_id(&self, rev: &str) -> String {
        let ids = self.trailers(rev, "Change-Id");
        let message = self.message(rev);
        assert_eq!(ids.len(), 1, "commit {rev} must have one Change-Id trailer:\n{message}");
        assert_eq!(
            self.lines_starting(rev, "Change-Id"),
            1,
            "commit {rev}'s message must have one Change-Id: line:\n{message}"
        );
        let id = ids[0].clone();
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "commit {rev}: Change-Id {id:?} is not 16 hex digits:\n{message}"
        );
        id
    }

    /// `rev`'s one `Why:` trailer (exactly one, also as a line).
    #[track_caller]
    fn one_why(&self, rev: &str) -> String {
        let whys = self.trailers(rev, "Why");
        let message = self.message(rev);
        assert_eq!(whys.len(), 1, "commit {rev} must have one Why trailer:\n{message}");
        assert_eq!(
            self.lines_starting(rev, "Why"),
            1,
            "commit {rev}'s message must have one Why: line:\n{message}"
        );
        whys[0].clone()
    }

    /// Every CHANGELOG.md in `rev`'s tree: directory ("" for the root) → text.
    fn changelogs(&self, rev: &str) -> BTreeMap<String, String> {
        let listing = self.ok(&[], &["ls-tree", "-r", "--full-tree", rev]);
        let mut out = BTreeMap::new();
        for line in listing.lines() {
            let (meta, path) = line.split_once('\t').expect("ls-tree line has a tab");
            let dir = if path == "CHANGELOG.md" {
                String::new()
            } else if let Some(dir) = path.strip_suffix("/CHANGELOG.md") {
                dir.to_owned()
            } else {
                continue;
            };
            let id = meta.split(' ').nth(2).expect("ls-tree line has an id");
            out.insert(dir, self.ok(&[], &["cat-file", "blob", id]));
        }
        out
    }

    /// The CHANGELOG.md of `dir` at `rev` (empty when there is none).
    fn changelog(&self, rev: &str, dir: &str) -> String {
        self.changelogs(rev).remove(dir).unwrap_or_default()
    }

    /// (b) every change id an entry of a CHANGELOG.md at HEAD names is the
    /// Change-Id of a commit reachable from HEAD.
    #[track_caller]
    fn no_orphan_entries(&self) {
        let carried: BTreeSet<String> = self
            .ok(&[], &["log", "--format=%(trailers:key=Change-Id,valueonly)", "HEAD"])
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        for (dir, text) in self.changelogs("HEAD") {
            for line in text.lines() {
                if let Some(id) = entry_id(line) {
                    assert!(
                        carried.contains(id),
                        "{dir:?}/CHANGELOG.md at HEAD has an entry of change {id}, which no \
                         commit reachable from HEAD carries (change ids there: {carried:?}):\n\
                         {line}\n--- whole file ---\n{text}"
                    );
                }
            }
        }
    }

    /// `trail log --json`, newest first.
    fn records(&self) -> Vec<Value> {
        self.env.trail_json(&self.dir, ["log", "--json"])
    }

    /// The `commit`/`commit.unverified` records of `commit`.
    fn commit_records(&self, commit: &str) -> Vec<Value> {
        self.records()
            .into_iter()
            .filter(|r| r["commit"] == commit)
            .filter(|r| r["kind"] == "commit" || r["kind"] == "commit.unverified")
            .collect()
    }

    /// (c) the journal has one record of `commit` (a full id), of kind
    /// `commit`, with a non-empty `why` and the commit's Change-Id; returns it.
    #[track_caller]
    fn recorded(&self, commit: &str) -> Value {
        let change_id = self.one_change_id(commit);
        let records = self.commit_records(commit);
        assert_eq!(
            records.len(),
            1,
            "commit {commit} must be recorded once (commit/commit.unverified records: {records:#?})"
        );
        let record = records.into_iter().next().expect("one record");
        assert_eq!(
            record["kind"], "commit",
            "commit {commit} must be a `commit` record: {record:#}"
        );
        assert!(
            record["why"].as_str().is_some_and(|w| !w.trim().is_empty()),
            "the record of {commit} must carry a why: {record:#}"
        );
        assert_eq!(
            record["change_id"].as_str(),
            Some(change_id.as_str()),
            "the record of {commit} must carry its Change-Id: {record:#}"
        );
        record
    }

    /// (d) nothing to commit, nothing untracked.
    #[track_caller]
    fn clean(&self) {
        let status = self.ok(&[], &["status", "--porcelain", "--untracked-files=all"]);
        assert_eq!(status, "", "the work tree and the index must be clean");
    }

    /// The blob id of `path` at `rev`, if it has one.
    fn blob(&self, rev: &str, path: &str) -> Option<String> {
        let out = self.git(&[], &["rev-parse", "--verify", "-q", &format!("{rev}:{path}")]);
        (out.status == Some(0)).then(|| out.stdout_str().trim().to_owned())
    }

    /// `side` gets one commit changing `lib/l.rs` (why "side why"); main then
    /// gets one changing `src/a.rs` (why "main why"); main is checked out.
    /// Returns (main's commit, side's commit).
    fn diverge(&self) -> (String, String) {
        self.ok(&[], &["checkout", "-q", "-b", "side"]);
        self.write("lib/l.rs", "pub fn l() { /* side */ }\n");
        let side = self.commit("side work", "side why");
        self.ok(&[], &["checkout", "-q", "main"]);
        self.write("src/a.rs", "fn a() { /* main */ }\n");
        let main = self.commit("main work", "main why");
        (main, side)
    }

    /// `git format-patch -1 REV` into a directory outside the work tree.
    #[track_caller]
    fn patch_of(&self, rev: &str, name: &str) -> PathBuf {
        let out_dir = self.env.root.join(format!("patches-{name}"));
        let out_dir_str = out_dir.to_str().expect("a UTF-8 path");
        let printed = self.ok(&[], &["format-patch", "-1", "-o", out_dir_str, rev]);
        let patch = PathBuf::from(printed.lines().last().unwrap_or_default());
        assert!(patch.is_file(), "format-patch wrote no patch ({printed:?})");
        patch
    }
}

/// The change id of a trail entry line (`- … (AUTHOR, change ID)`).
fn entry_id(line: &str) -> Option<&str> {
    let line = line.trim_end();
    if !line.starts_with("- ") || !line.ends_with(')') {
        return None;
    }
    let at = line.rfind(", change ")?;
    let id = &line[at + ", change ".len()..line.len() - 1];
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(id)
}

/// The entry lines of change `id` in `text`.
fn entries_of<'t>(text: &'t str, id: &str) -> Vec<&'t str> {
    text.lines().filter(|l| entry_id(l) == Some(id)).collect()
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

// ---------------------------------------------------------------------------
// 1. git revert
// ---------------------------------------------------------------------------

/// Issue 19 item 1: `git revert --no-edit A` of a trail commit, with no
/// rationale in the environment, is a documented commit of its own: a new
/// change id, a Why naming A, an entry beside A's (which stays), a record
/// with `detail.reverts`.
#[test]
fn revert_gets_its_own_change_id_why_and_entry_and_keeps_the_reverted_entry() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "revert");
    repo.write("src/a.rs", "fn a() {}\nfn oops() {}\n");
    let a = repo.commit("add oops", "try oops");
    let a_id = repo.one_change_id(&a);
    assert_eq!(entries_of(&repo.changelog(&a, "src"), &a_id).len(), 1, "A documented itself");

    repo.git(&[], &["revert", "--no-edit", &a]).assert_code(0);
    let head = repo.head();
    assert_ne!(head, a);
    assert_eq!(repo.parents(&head), [a.as_str()], "the revert sits on A");
    assert_eq!(repo.ok(&[], &["show", "HEAD:src/a.rs"]), "fn a() {}", "A's change is undone");
    let id = repo.one_change_id(&head);
    assert_ne!(id, a_id, "the revert is a change of its own");
    let why = repo.one_why(&head);
    assert!(why.contains(&a[..12]), "the revert's Why names A ({}): {why:?}", &a[..12]);
    let src = repo.changelog(&head, "src");
    assert_eq!(
        entries_of(&src, &a_id).len(),
        1,
        "the revert must not delete A's entry from src/CHANGELOG.md:\n{src}"
    );
    assert_eq!(entries_of(&src, &id).len(), 1, "src/CHANGELOG.md lists the revert:\n{src}");
    repo.no_orphan_entries();
    let record = repo.recorded(&head);
    assert_eq!(record["detail"]["reverts"], a.as_str(), "detail.reverts: {record:#}");
    repo.clean();
}

// ---------------------------------------------------------------------------
// 2, 3. git cherry-pick
// ---------------------------------------------------------------------------

/// Issue 19 item 2: a cherry-picked trail commit keeps its change id and Why
/// (once each), its entry, and is recorded as a `commit` with that rationale.
#[test]
fn cherry_pick_of_a_trail_commit_keeps_its_change_and_is_recorded_as_commit() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "pick");
    let (main, side) = repo.diverge();
    let side_id = repo.one_change_id(&side);

    repo.git(&[], &["cherry-pick", &side]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main]);
    assert_eq!(repo.one_change_id(&head), side_id, "the pick carries S's change id");
    assert_eq!(repo.one_why(&head), "side why", "the pick carries S's Why");
    let lib = repo.changelog(&head, "lib");
    assert_eq!(entries_of(&lib, &side_id).len(), 1, "lib/CHANGELOG.md lists S once:\n{lib}");
    repo.no_orphan_entries();
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "side why", "{record:#}");
    repo.clean();
}

/// Issue 19 item 3: cherry-picking a commit that has no rationale is refused
/// (saying how to give one); `TRAIL_WHY=… git cherry-pick --continue` then
/// makes a documented, recorded commit.
#[test]
fn cherry_pick_without_rationale_is_refused_then_continued_with_trail_why() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "pick-bare");
    repo.ok(&[], &["checkout", "-q", "-b", "side"]);
    repo.write("lib/l.rs", "pub fn l() { /* unexplained */ }\n");
    let bare = repo.commit_no_verify("unexplained");
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("src/a.rs", "fn a() { /* main */ }\n");
    let main = repo.commit("main work", "main why");

    let out = repo.git(&[], &["cherry-pick", &bare]);
    assert_ne!(out.status, Some(0), "a pick without a rationale must be refused:\n{out}");
    out.assert_stderr_has("rationale").assert_stderr_has("TRAIL_WHY");
    assert_eq!(repo.head(), main, "nothing was committed");

    repo.git(&[("TRAIL_WHY", "wp")], &["cherry-pick", "--continue"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main]);
    assert_eq!(repo.ok(&[], &["show", "HEAD:lib/l.rs"]), "pub fn l() { /* unexplained */ }");
    let id = repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wp");
    let lib = repo.changelog(&head, "lib");
    assert_eq!(entries_of(&lib, &id).len(), 1, "lib/CHANGELOG.md lists the pick:\n{lib}");
    repo.no_orphan_entries();
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "wp", "{record:#}");
    repo.clean();
}

// ---------------------------------------------------------------------------
// 4, 5. git am
// ---------------------------------------------------------------------------

/// Issue 19 item 4: `git am` of a trail commit's patch (main has moved, so
/// `-3` lets the CHANGELOG.md merge driver join the entries) is recorded as a
/// `commit` with the patch's change id and why.
#[test]
fn am_of_a_trail_patch_is_recorded_with_its_change_id_and_why() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "am");
    let (main, side) = repo.diverge();
    let side_id = repo.one_change_id(&side);
    let patch = repo.patch_of(&side, "am");
    let patch = patch.to_str().expect("a UTF-8 path");

    repo.git(&[], &["am", "-3", "-q", patch]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main]);
    assert_eq!(repo.one_change_id(&head), side_id);
    assert_eq!(repo.one_why(&head), "side why");
    let lib = repo.changelog(&head, "lib");
    assert_eq!(entries_of(&lib, &side_id).len(), 1, "lib/CHANGELOG.md lists S once:\n{lib}");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "side why", "{record:#}");
    repo.no_orphan_entries();
    repo.clean();
}

/// Issue 19 item 5: `git am` of a patch without a rationale is refused
/// (applypatch-msg); `TRAIL_WHY=wa git am --continue` then lands it,
/// documented and recorded.
#[test]
fn am_of_a_patch_without_rationale_is_refused_then_continued_with_trail_why() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "am-bare");
    repo.ok(&[], &["checkout", "-q", "-b", "side"]);
    repo.write("lib/l.rs", "pub fn l() { /* unexplained */ }\n");
    let bare = repo.commit_no_verify("unexplained");
    let patch = repo.patch_of(&bare, "am-bare");
    let patch = patch.to_str().expect("a UTF-8 path");
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("src/a.rs", "fn a() { /* main */ }\n");
    let main = repo.commit("main work", "main why");

    let out = repo.git(&[], &["am", "-3", "-q", patch]);
    assert_ne!(out.status, Some(0), "a patch without a rationale must be refused:\n{out}");
    out.assert_stderr_has("rationale");
    out.assert_stderr_has("TRAIL_WHY");
    assert_eq!(repo.head(), main, "nothing was committed");

    // The way that gives a complete commit: start the patch again with a why.
    repo.ok(&[], &["am", "--abort"]);
    assert_eq!(repo.head(), main, "--abort restores main");
    repo.git(&[("TRAIL_WHY", "wa")], &["am", "-3", "-q", patch]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), std::slice::from_ref(&main));
    assert_eq!(repo.ok(&[], &["show", "HEAD:lib/l.rs"]), "pub fn l() { /* unexplained */ }");
    let id = repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wa");
    let lib = repo.changelog(&head, "lib");
    assert_eq!(entries_of(&lib, &id).len(), 1, "lib/CHANGELOG.md lists the patch:\n{lib}");
    repo.no_orphan_entries();
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "wa", "{record:#}");
    repo.clean();

    // `git am --continue` (git's own hint) commits what is applied: the
    // commit gets its trailers and its record, but git keeps its index in
    // memory across `--continue`, so its CHANGELOG.md entries cannot be
    // written into it; trail says so and names the command that adds them.
    repo.ok(&[], &["reset", "-q", "--hard", &main]);
    let out = repo.git(&[], &["am", "-3", "-q", patch]);
    assert_ne!(out.status, Some(0), "refused again:\n{out}");
    let out = repo.git(&[("TRAIL_WHY", "wc")], &["am", "--continue"]);
    out.assert_code(0).assert_stderr_has("trail changelog sync");
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main]);
    let id = repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wc");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "wc", "{record:#}");
    assert_eq!(record["change_id"], id.as_str(), "{record:#}");
    repo.clean();
}

// ---------------------------------------------------------------------------
// 6, 7. git rebase (apply, merge, interactive)
// ---------------------------------------------------------------------------

/// A branch `topic` of two trail commits in lib/, then main moves (src/);
/// `git rebase ARGS main` on topic. Each new commit keeps its original's
/// change id and is recorded as a `commit` with the original why.
fn rebase_records_each_new_commit(name: &str, args: &[&str]) {
    let env = TestEnv::new();
    let repo = Repo::new(&env, name);
    repo.ok(&[], &["checkout", "-q", "-b", "topic"]);
    repo.write("lib/l.rs", "pub fn l() { /* t1 */ }\n");
    let t1 = repo.commit("t1", "why t1");
    repo.write("lib/m.rs", "pub fn m() {}\n");
    let t2 = repo.commit("t2", "why t2");
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("src/a.rs", "fn a() { /* main */ }\n");
    let main = repo.commit("main work", "main why");
    repo.ok(&[], &["checkout", "-q", "topic"]);

    let mut full = vec!["rebase"];
    full.extend_from_slice(args);
    full.push("main");
    repo.git(&[], &full).assert_code(0);
    let new: Vec<String> =
        repo.ok(&[], &["rev-list", "--reverse", "main..HEAD"]).lines().map(str::to_owned).collect();
    assert_eq!(new.len(), 2, "two commits on top of main after the rebase: {new:?}");
    assert_eq!(repo.parents(&new[0]), [main]);
    for (old, (new, why)) in [t1, t2].iter().zip(new.iter().zip(["why t1", "why t2"])) {
        assert_ne!(old, new, "the commit was rewritten");
        let old_id = repo.one_change_id(old);
        assert_eq!(repo.one_change_id(new), old_id, "{new} keeps the change id of {old}");
        let record = repo.recorded(new);
        assert_eq!(record["why"], why, "the record of {new} keeps {old}'s why: {record:#}");
    }
    repo.no_orphan_entries();
    repo.clean();
}

/// Issue 19 item 6: `git rebase --apply` (format-patch | am inside git).
#[test]
fn rebase_apply_records_each_rebased_commit() {
    rebase_records_each_new_commit("rebase-apply", &["--apply"]);
}

/// Issue 19 item 7: `git rebase --merge` (the sequencer).
#[test]
fn rebase_merge_records_each_rebased_commit() {
    rebase_records_each_new_commit("rebase-merge", &["--merge"]);
}

/// Issue 19 item 7: `git rebase -i` with the todo list as written.
#[test]
fn rebase_interactive_records_each_rebased_commit() {
    rebase_records_each_new_commit("rebase-i", &["-i"]);
}

// ---------------------------------------------------------------------------
// 8, 9. git merge
// ---------------------------------------------------------------------------

/// Issue 19 item 8: a clean merge commit needs a rationale like any commit:
/// refused without one (and `git merge --abort` goes back), made with
/// `TRAIL_WHY`, and a `Why:` given with `-m` is honoured.
#[test]
fn merge_needs_a_rationale_from_the_environment_or_the_message() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "merge");
    let (main, side) = repo.diverge();

    let out = repo.git(&[], &["merge", "--no-ff", "--no-edit", "side"]);
    assert_ne!(out.status, Some(0), "a merge without a rationale must be refused:\n{out}");
    out.assert_stderr_has("rationale");
    repo.ok(&[], &["merge", "--abort"]);
    assert_eq!(repo.head(), main, "`git merge --abort` restores HEAD");
    repo.clean();

    repo.git(&[("TRAIL_WHY", "wm")], &["merge", "--no-ff", "--no-edit", "side"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main.clone(), side.clone()]);
    repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wm");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "wm", "{record:#}");
    repo.no_orphan_entries();
    repo.clean();

    // Again, the rationale given in the message.
    repo.ok(&[], &["reset", "-q", "--hard", &main]);
    repo.git(&[], &["merge", "--no-ff", "-m", "Merge side", "-m", "Why: wm2", "side"])
        .assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main, side]);
    repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wm2", "the Why: given with -m is the merge's");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "wm2", "{record:#}");
    repo.no_orphan_entries();
    repo.clean();
}

/// Issue 19 item 9: a conflicted merge resolved with content in neither
/// parent lists the resolved path in its record, and `trail log --path`
/// finds the merge.
#[test]
fn conflicted_merge_resolved_by_hand_lists_the_resolved_path() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "merge-conflict");
    repo.ok(&[], &["checkout", "-q", "-b", "side"]);
    repo.write("f", "side\n");
    let side = repo.commit("side f", "side why");
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("f", "main\n");
    let main = repo.commit("main f", "main why");

    let out = repo.git(&[], &["merge", "--no-edit", "side"]);
    assert_eq!(out.status, Some(1), "the merge stops on f:\n{out}");
    assert_eq!(repo.ok(&[], &["diff", "--name-only", "--diff-filter=U"]), "f", "only f conflicts");
    repo.write("f", "resolved\n");
    repo.ok(&[], &["add", "f"]);
    repo.git(&[("TRAIL_WHY", "wr")], &["commit", "-q", "--no-edit"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main, side]);
    assert_eq!(repo.one_why(&head), "wr");
    let record = repo.recorded(&head);
    let paths: Vec<&str> = record["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert!(paths.contains(&"f"), "the merge's record lists f: {record:#}");
    let by_path = env.trail_json(&repo.dir, ["log", "--path", "f", "--json"]);
    assert!(
        by_path.iter().any(|r| r["commit"] == head.as_str()),
        "`trail log --path f` lists the merge {head}: {by_path:#?}"
    );
    repo.clean();
}

/// Issue 19 item 9: a clean merge's record lists exactly the paths whose
/// content differs from every parent's (a file taken whole from one side is
/// that side's change, documented by its own commit; the root CHANGELOG.md
/// the merge driver unioned is the merge's own).
#[test]
fn clean_merge_record_lists_only_paths_that_differ_from_every_parent() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "merge-paths");
    let (main, side) = repo.diverge();
    repo.git(&[("TRAIL_WHY", "wm")], &["merge", "--no-ff", "--no-edit", "side"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main.clone(), side.clone()]);
    let differ = |parent: &str| -> BTreeSet<String> {
        let names = repo.ok(&[], &["diff", "--name-only", "--no-renames", parent, &head]);
        names.lines().map(str::to_owned).collect()
    };
    let own: BTreeSet<String> = differ(&main).intersection(&differ(&side)).cloned().collect();
    assert!(own.contains("CHANGELOG.md"), "the union of both sides' root entries: {own:?}");
    let records = repo.commit_records(&head);
    assert_eq!(records.len(), 1, "the merge is recorded once: {records:#?}");
    let record = &records[0];
    let listed: BTreeSet<String> = record["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["path"].as_str().expect("a UTF-8 path").to_owned())
        .collect();
    for path in &listed {
        let here = repo.blob(&head, path);
        for parent in [&main, &side] {
            assert_ne!(
                repo.blob(parent, path),
                here,
                "the merge's record lists {path}, which is as in parent {parent}: {record:#}"
            );
        }
    }
    assert_eq!(listed, own, "the merge's record lists the paths it changed itself: {record:#}");
    repo.recorded(&head);
}

// ---------------------------------------------------------------------------
// 10. A Why: in the message
// ---------------------------------------------------------------------------

/// Issue 19 item 10: a `Why:`/`Impact:` given with `-m` or `-F` is the
/// rationale (no TRAIL_WHY needed), kept once in the message, in the record
/// and in the entry.
#[test]
fn why_given_with_m_or_f_is_the_rationale() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "why-in-message");
    let file = env.root.join("message.txt");
    std::fs::write(&file, "from a file\n\nWhy: filed\nImpact: some\n").expect("write");
    let file = file.to_str().expect("a UTF-8 path").to_owned();
    let ways: [(&[&str], &str, &str, &str); 2] = [
        (
            &["-m", "S", "-m", "Why: because", "-m", "Impact: little"],
            "src/a.rs",
            "because",
            "little",
        ),
        (&["-F", &file], "lib/l.rs", "filed", "some"),
    ];
    for (args, path, why, impact) in ways {
        repo.write(path, &format!("// {why}\n"));
        repo.ok(&[], &["add", "-A"]);
        let mut full = vec!["commit", "-q"];
        full.extend_from_slice(args);
        repo.git(&[], &full).assert_code(0);
        let head = repo.head();
        let id = repo.one_change_id(&head);
        assert_eq!(repo.one_why(&head), why, "{args:?}");
        assert_eq!(repo.trailers(&head, "Impact"), [impact], "{args:?}");
        let record = repo.recorded(&head);
        assert_eq!(record["why"], why, "{record:#}");
        assert_eq!(record["impact"], impact, "{record:#}");
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let text = repo.changelog(&head, dir);
        let entries = entries_of(&text, &id);
        assert_eq!(entries.len(), 1, "{dir}/CHANGELOG.md lists {id}:\n{text}");
        assert!(entries[0].contains(&format!("Why: {why}")), "{}", entries[0]);
        repo.no_orphan_entries();
        repo.clean();
    }
}

/// Issue 19 item 10: a `Why:` typed into the editor comes too late (the tree
/// and its entries are fixed first): the commit is refused, and the message
/// says so and names `-m`, `TRAIL_WHY` and `trail note`.
#[test]
fn why_typed_into_the_editor_is_refused_with_the_ways_that_work() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "why-in-editor");
    let before = repo.head();
    let editor = env.root.join("editor.sh");
    executable(&editor, "#!/bin/sh\nprintf 'typed\\n\\nWhy: typed in the editor\\n' > \"$1\"\n");
    repo.write("src/a.rs", "// edited\n");
    repo.ok(&[], &["add", "-A"]);
    let out = repo.git(&[("GIT_EDITOR", editor.to_str().expect("UTF-8"))], &["commit"]);
    assert_ne!(out.status, Some(0), "the editor's Why cannot be the rationale:\n{out}");
    out.assert_stderr_has("editor")
        .assert_stderr_has("not read")
        .assert_stderr_has("-m")
        .assert_stderr_has("TRAIL_WHY")
        .assert_stderr_has("trail note");
    assert_eq!(repo.head(), before, "nothing was committed");
}

// ---------------------------------------------------------------------------
// 11, 12. fixup! and squash! folded by rebase --autosquash
// ---------------------------------------------------------------------------

/// Issue 19 item 11: `--fixup` then `rebase -i --autosquash`: one change id
/// (the target's) and no entry of a change no commit carries.
#[test]
fn fixup_autosquash_leaves_one_change_id_and_no_orphan_entries() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "fixup");
    let base = repo.head();
    repo.write("src/a.rs", "fn a() { /* target */ }\n");
    let target = repo.commit("target", "target why");
    let target_id = repo.one_change_id(&target);
    repo.write("src/a.rs", "fn a() { /* target, fixed */ }\n");
    repo.ok(&[], &["add", "-A"]);
    repo.ok(&[("TRAIL_WHY", "fx")], &["commit", "-q", "--fixup=HEAD"]);
    assert_eq!(repo.ok(&[], &["rev-list", "--count", &format!("{base}..HEAD")]), "2");

    repo.git(&[], &["rebase", "-q", "-i", "--autosquash", &base]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [base.as_str()], "the fixup was folded into the target");
    assert_eq!(repo.ok(&[], &["show", "HEAD:src/a.rs"]), "fn a() { /* target, fixed */ }");
    repo.no_orphan_entries();
    assert_eq!(repo.one_change_id(&head), target_id, "HEAD carries the target's change id");
    repo.clean();
}

/// Found by review: `git commit --fixup=amend:HEAD` (git cuts its own argv
/// at the `:`, so the hook reads `--fixup=amend` `HEAD`) takes the target's
/// rationale and change id like `--fixup=HEAD`, and folds into one commit.
#[test]
fn fixup_amend_takes_the_targets_rationale_and_folds_into_one_change() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "fixup-amend");
    let base = repo.head();
    repo.write("src/a.rs", "fn a() { /* target */ }\n");
    let target = repo.commit("target", "target why");
    let target_id = repo.one_change_id(&target);
    repo.write("src/a.rs", "fn a() { /* target, fixed */ }\n");
    repo.ok(&[], &["add", "-A"]);
    repo.git(&[], &["commit", "-q", "--fixup=amend:HEAD"]).assert_code(0);
    repo.git(&[], &["rebase", "-q", "-i", "--autosquash", &base]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [base.as_str()], "folded into the target");
    assert_eq!(repo.one_change_id(&head), target_id);
    assert_eq!(repo.one_why(&head), "target why");
    repo.no_orphan_entries();
    repo.clean();
}

/// Issue 19 item 12: `--squash=HEAD -m more` then autosquash: HEAD has one
/// Change-Id (the target's) and the target's Why, and no orphan entry.
#[test]
fn squash_autosquash_keeps_the_targets_change_id_and_why_once() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "squash");
    let base = repo.head();
    repo.write("src/a.rs", "fn a() { /* target */ }\n");
    let target = repo.commit("target", "target why");
    let target_id = repo.one_change_id(&target);
    repo.write("src/a.rs", "fn a() { /* target, more */ }\n");
    repo.ok(&[], &["add", "-A"]);
    // No TRAIL_WHY: a squash! commit folds into its target and takes its rationale.
    repo.ok(&[], &["commit", "-q", "--squash=HEAD", "-m", "more"]);
    assert_eq!(repo.ok(&[], &["rev-list", "--count", &format!("{base}..HEAD")]), "2");

    repo.git(&[("GIT_EDITOR", "true")], &["rebase", "-q", "-i", "--autosquash", &base])
        .assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [base.as_str()], "the squash was folded into the target");
    assert_eq!(repo.one_change_id(&head), target_id, "HEAD carries the target's change id");
    assert_eq!(repo.one_why(&head), "target why");
    repo.no_orphan_entries();
    repo.clean();
}

// ---------------------------------------------------------------------------
// 13. git merge --squash
// ---------------------------------------------------------------------------

/// Issue 19 item 13: `git merge --squash side` then a commit: each touched
/// directory gains exactly one entry, the new commit's; the squashed
/// branch's entries (changes no commit on main carries) do not stay.
#[test]
fn merge_squash_commit_has_one_entry_per_directory_and_no_orphans() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "merge-squash");
    repo.ok(&[], &["checkout", "-q", "-b", "side"]);
    repo.write("lib/l.rs", "pub fn l() { /* s1 */ }\n");
    repo.commit("s1", "why s1");
    repo.write("lib/n.rs", "pub fn n() {}\n");
    repo.commit("s2", "why s2");
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("src/a.rs", "fn a() { /* main */ }\n");
    let main = repo.commit("main work", "main why");

    repo.ok(&[], &["merge", "-q", "--squash", "side"]);
    repo.git(&[("TRAIL_WHY", "wsq")], &["commit", "-q", "--no-edit"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.parents(&head), [main.as_str()], "a squash makes an ordinary commit");
    let id = repo.one_change_id(&head);
    assert_eq!(repo.one_why(&head), "wsq");
    let before = repo.changelogs(&main);
    let after = repo.changelogs(&head);
    let mut gained: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (dir, text) in &after {
        let old: BTreeSet<&str> = before.get(dir).map(|t| t.lines().collect()).unwrap_or_default();
        let new: Vec<String> = text
            .lines()
            .filter(|l| entry_id(l).is_some() && !old.contains(l))
            .map(str::to_owned)
            .collect();
        if !new.is_empty() {
            gained.insert(dir.clone(), new);
        }
    }
    for dir in ["", "lib"] {
        let lines = gained.get(dir).cloned().unwrap_or_default();
        assert!(
            lines.len() == 1 && entry_id(&lines[0]) == Some(id.as_str()),
            "{dir:?}/CHANGELOG.md must gain exactly one entry, of change {id}; it gained \
             {lines:#?}\n(all gains: {gained:#?})"
        );
    }
    assert_eq!(
        gained.keys().map(String::as_str).collect::<Vec<_>>(),
        ["", "lib"],
        "only the root and lib/ gain entries: {gained:#?}"
    );
    repo.no_orphan_entries();
    repo.recorded(&head);
    repo.clean();
}

// ---------------------------------------------------------------------------
// 14. Sparse checkout
// ---------------------------------------------------------------------------

/// Issue 19 item 14: in a sparse checkout of `src/`, a commit there writes no
/// root CHANGELOG.md into the work tree (the root is outside the sparse
/// patterns) and leaves `git status` clean.
#[test]
fn sparse_checkout_commit_leaves_no_root_changelog_in_the_work_tree() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "sparse");
    repo.ok(&[], &["sparse-checkout", "set", "--no-cone", "/src/"]);
    assert!(!repo.dir.join("CHANGELOG.md").exists(), "the root is outside the sparse checkout");
    assert!(!repo.dir.join("top.txt").exists(), "the root is outside the sparse checkout");
    assert!(repo.dir.join("src/a.rs").is_file(), "src/ is inside the sparse checkout");

    repo.write("src/a.rs", "fn a() { /* sparse */ }\n");
    let head = repo.commit("sparse work", "sparse why");
    let id = repo.one_change_id(&head);
    let src = repo.changelog(&head, "src");
    assert_eq!(entries_of(&src, &id).len(), 1, "src/CHANGELOG.md lists the commit:\n{src}");
    assert!(
        !repo.dir.join("CHANGELOG.md").exists(),
        "the commit wrote a root CHANGELOG.md into the sparse work tree"
    );
    repo.clean();

    // A revert, whose CHANGELOG.md files post-commit puts right by amending
    // (found by review): the root one stays out of the work tree too.
    repo.git(&[], &["revert", "--no-edit", &head]).assert_code(0);
    let revert = repo.head();
    let root = repo.ok(&[], &["show", &format!("{revert}:CHANGELOG.md")]);
    assert!(root.contains(&id), "the root summary keeps the reverted entry:\n{root}");
    assert!(
        !repo.dir.join("CHANGELOG.md").exists(),
        "the revert wrote a root CHANGELOG.md into the sparse work tree"
    );
    assert_eq!(
        repo.ok(&[], &["ls-files", "-t", "CHANGELOG.md"]),
        "S CHANGELOG.md",
        "the root CHANGELOG.md keeps its skip-worktree bit"
    );
    repo.clean();
}

// ---------------------------------------------------------------------------
// post-commit's word about pre-push
// ---------------------------------------------------------------------------

/// Issue 19 (post-commit's violation message): "a push of it is refused by
/// trail's pre-push" is said only while pre-push is trail's.
#[test]
fn violation_message_names_trails_pre_push_only_when_it_is_installed() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "prepush");
    // Control: with trail's pre-push, the unauthorized change is refused at push.
    repo.write(".mcp.json", "{\"mcpServers\": {\"a\": {\"command\": \"a\"}}}\n");
    repo.ok(&[], &["add", "-A"]);
    let out = repo.git(&[], &["commit", "-q", "--no-verify", "-m", "mcp"]);
    out.assert_code(0).assert_stderr_has("POLICY VIOLATION");
    out.assert_stderr_has("trail's pre-push");

    let hook = repo.dir.join(".git/hooks/pre-push");
    executable(&hook, "#!/bin/sh\nexit 0\n");
    repo.write(".mcp.json", "{\"mcpServers\": {\"b\": {\"command\": \"b\"}}}\n");
    repo.ok(&[], &["add", "-A"]);
    let out = repo.git(&[], &["commit", "-q", "--no-verify", "-m", "mcp again"]);
    out.assert_code(0).assert_stderr_has("POLICY VIOLATION");
    assert!(
        !out.stderr.contains("trail's pre-push"),
        "pre-push is not trail's here, so it refuses nothing:\n{out}"
    );
    repo.clean();
}

/// trail's own amend (post-commit putting a revert's entries right) makes
/// its hooks stand aside through `TRAIL_REWRITING`; set by hand, it must
/// skip nothing: an ordinary commit without a rationale is still refused,
/// and one with a rationale is still checked and recorded.
#[test]
fn trail_rewriting_set_by_hand_skips_no_check() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "rewriting");
    let before = repo.head();
    repo.write("lib/l.rs", "pub fn l() { /* sneaky */ }\n");
    repo.ok(&[], &["add", "-A"]);
    for value in ["1", "0123456789abcdef"] {
        let out = repo.git(&[("TRAIL_REWRITING", value)], &["commit", "-q", "-m", "sneaky"]);
        assert_ne!(out.status, Some(0), "TRAIL_REWRITING={value} must not skip the check:\n{out}");
        out.assert_stderr_has("rationale");
        assert_eq!(repo.head(), before, "nothing committed");
    }
    let out = repo
        .git(&[("TRAIL_REWRITING", "1"), ("TRAIL_WHY", "w")], &["commit", "-q", "-m", "explained"]);
    out.assert_code(0);
    let head = repo.head();
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "w", "{record:#}");
    repo.clean();
}

// ---------------------------------------------------------------------------
// Found by review: what a message already carries, and commits that stop
// ---------------------------------------------------------------------------

/// A Change-Id the message already has (forged, copied with `-C`, or two of
/// them) gives way to the one pre-commit wrote the entries under: one id per
/// commit, no orphan entry, a `commit` record, no state left behind.
#[test]
fn a_change_id_in_the_given_message_gives_way_to_the_commits_own() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "forged-id");
    let base = repo.head();
    let base_id = repo.one_change_id(&base);
    repo.write("lib/x.rs", "pub fn x() {}\n");
    repo.ok(&[], &["add", "-A"]);
    let forged = format!("Why: forged\nChange-Id: {base_id}");
    repo.ok(&[], &["commit", "-q", "-m", "forged", "-m", &forged]);
    let head = repo.head();
    let id = repo.one_change_id(&head);
    assert_ne!(id, base_id, "the commit does not take another commit's id");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "forged", "{record:#}");
    repo.no_orphan_entries();
    repo.clean();
    assert!(
        !repo.dir.join(".git/trail/pending/commit-main.json").exists(),
        "the commit's state is cleared"
    );

    repo.write("lib/y.rs", "pub fn y() {}\n");
    repo.ok(&[], &["add", "-A"]);
    repo.ok(
        &[],
        &["commit", "-q", "-m", "two", "-m", "Why: two\nChange-Id: 1111aaaa\nChange-Id: 2222bbbb"],
    );
    let head = repo.head();
    repo.one_change_id(&head);
    repo.recorded(&head);
    repo.no_orphan_entries();
    repo.clean();
}

/// A cherry-pick that stops on a conflict is finished by a plain
/// `git cherry-pick --continue`: the Why and Change-Id git kept in MERGE_MSG
/// are the commit's.
#[test]
fn a_conflicted_cherry_pick_continues_with_the_carried_rationale() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "pick-conflict");
    repo.ok(&[], &["checkout", "-q", "-b", "side"]);
    repo.write("src/a.rs", "fn a() { /* side */ }\n");
    let side = repo.commit("side a", "side reason");
    let side_id = repo.one_change_id(&side);
    repo.ok(&[], &["checkout", "-q", "main"]);
    repo.write("src/a.rs", "fn a() { /* main */ }\n");
    repo.commit("main a", "main reason");
    let out = repo.git(&[], &["cherry-pick", &side]);
    assert_ne!(out.status, Some(0), "the pick stops on src/a.rs:\n{out}");
    repo.write("src/a.rs", "fn a() { /* both */ }\n");
    repo.ok(&[], &["add", "src/a.rs"]);
    repo.git(&[], &["cherry-pick", "--continue"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.one_change_id(&head), side_id, "the pick keeps its change");
    assert_eq!(repo.one_why(&head), "side reason");
    let record = repo.recorded(&head);
    assert_eq!(record["why"], "side reason", "{record:#}");
    let src = repo.changelog(&head, "src");
    assert_eq!(entries_of(&src, &side_id).len(), 1, "src/CHANGELOG.md:\n{src}");
    repo.no_orphan_entries();
    repo.clean();
}

/// A revert that stops on a conflict, finished by `git revert --continue`:
/// its Why names what it reverts and the reverted commit's entry stays.
#[test]
fn a_conflicted_revert_continues_and_keeps_the_reverted_entry() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "revert-conflict");
    repo.write("src/a.rs", "fn a() { /* one */ }\n");
    let one = repo.commit("one", "why one");
    let one_id = repo.one_change_id(&one);
    repo.write("src/a.rs", "fn a() { /* two */ }\n");
    repo.commit("two", "why two");
    let out = repo.git(&[], &["revert", "--no-edit", &one]);
    assert_ne!(out.status, Some(0), "the revert stops on src/a.rs:\n{out}");
    repo.write("src/a.rs", "fn a() {}\n");
    repo.ok(&[], &["add", "src/a.rs"]);
    repo.git(&[], &["revert", "--continue"]).assert_code(0);
    let head = repo.head();
    assert!(repo.one_why(&head).contains(&one[..12]), "the Why names {one}");
    let src = repo.changelog(&head, "src");
    assert_eq!(entries_of(&src, &one_id).len(), 1, "the reverted entry stays:\n{src}");
    let id = repo.one_change_id(&head);
    assert_eq!(entries_of(&src, &id).len(), 1, "the revert has its entry:\n{src}");
    repo.recorded(&head);
    repo.no_orphan_entries();
    repo.clean();
}

/// TRAIL_WHY given at `git am --continue` for a patch without a why fills
/// that patch only: a later patch of the series keeps its own.
#[test]
fn trail_why_at_continue_does_not_replace_later_patches_rationale() {
    let env = TestEnv::new();
    let repo = Repo::new(&env, "am-series");
    let base = repo.head();
    repo.ok(&[], &["checkout", "-q", "-b", "series"]);
    repo.write("lib/p1.rs", "pub fn p1() {}\n");
    repo.commit("p1", "p1 why");
    repo.write("lib/p2.rs", "pub fn p2() {}\n");
    repo.commit_no_verify("p2");
    repo.write("lib/p3.rs", "pub fn p3() {}\n");
    repo.commit("p3", "p3 why");
    let out_dir = env.root.join("patches-series");
    let out_dir = out_dir.to_str().expect("a UTF-8 path");
    repo.ok(&[], &["format-patch", "-q", "-o", out_dir, &format!("{base}..series")]);
    let mut patches: Vec<String> = std::fs::read_dir(out_dir)
        .expect("patches")
        .map(|e| e.expect("entry").path().to_string_lossy().into_owned())
        .collect();
    patches.sort();
    assert_eq!(patches.len(), 3, "{patches:?}");
    repo.ok(&[], &["checkout", "-q", "-b", "applied", &base]);
    let mut args = vec!["am", "-q"];
    args.extend(patches.iter().map(String::as_str));
    let out = repo.git(&[], &args);
    assert_ne!(out.status, Some(0), "p2 is refused:\n{out}");
    repo.git(&[("TRAIL_WHY", "p2 reason")], &["am", "--continue"]).assert_code(0);
    let head = repo.head();
    assert_eq!(repo.ok(&[], &["log", "-1", "--format=%s", &head]), "p3");
    assert_eq!(repo.one_why(&head), "p3 why", "p3 keeps its own rationale");
    assert_eq!(repo.recorded(&head)["why"], "p3 why");
    let p2 = repo.ok(&[], &["rev-parse", "HEAD~1"]);
    assert_eq!(repo.one_why(&p2), "p2 reason");
}
