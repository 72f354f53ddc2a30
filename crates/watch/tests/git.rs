//! Git operations, keeping content reachable, and reconciling after downtime.

mod common;

use common::*;
use trail_watch::{Change, Kind, Options};

fn operations(changes: &[Change]) -> Vec<(&str, usize)> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Operation { name, changes } => Some((name.as_str(), changes.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn checkout_of_another_branch_is_one_operation() {
    let repo = Repo::new();
    for i in 0..40 {
        repo.write(&format!("src/m{i:02}.rs"), format!("// v1 {i}\n"));
    }
    repo.write("gone-on-other.txt", "bye\n");
    repo.commit_all("v1");
    repo.git(&["checkout", "-q", "-b", "other"]);
    for i in 0..40 {
        repo.write(&format!("src/m{i:02}.rs"), format!("// v2 {i}\n"));
    }
    repo.write("docs/new.md", "new on other\n");
    std::fs::remove_file(repo.path("gone-on-other.txt")).expect("rm");
    repo.commit_all("v2");
    repo.git(&["checkout", "-q", "main"]);

    let mut watch = repo.start();
    repo.git(&["checkout", "-q", "other"]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(got.len(), 1, "one record, not file by file: {got:#?}");
    let Change::Operation { name, changes } = &got[0] else { panic!("{got:#?}") };
    assert_eq!(name, "checkout");
    assert_eq!(changes.len(), 42, "{changes:#?}");
    let find = |p: &str| changes.iter().find(|c| c.path == p.as_bytes()).expect(p);
    assert_eq!(find("src/m07.rs").kind, Kind::Modify);
    assert_content(&repo, find("src/m07.rs"), b"// v2 7\n");
    assert_eq!(find("docs/new.md").kind, Kind::Create);
    assert_eq!(find("gone-on-other.txt").kind, Kind::Delete);

    // Edits after the checkout are ordinary file changes again (and docs/,
    // created by the checkout, is watched).
    repo.write("docs/new.md", "edited\n");
    let got = wait_for(&mut watch, |c| has_file(c, "docs/new.md"));
    assert_eq!(files(&got).len(), 1, "{got:#?}");
}

#[test]
fn reset_and_stash_are_named() {
    let repo = Repo::new();
    repo.write("a.txt", "1\n");
    repo.commit_all("one");
    repo.write("a.txt", "2\n");
    repo.commit_all("two");
    let mut watch = repo.start();

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(operations(&got), vec![("reset", 1)], "{got:#?}");

    repo.write("a.txt", "work in progress\n");
    wait_for(&mut watch, |c| has_file(c, "a.txt"));
    repo.git(&["stash", "-q"]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(operations(&got), vec![("stash", 1)], "{got:#?}");
}

#[test]
fn git_status_and_add_do_not_hide_edits() {
    let repo = Repo::new();
    repo.write("a.txt", "1\n");
    repo.commit_all("one");
    let mut watch = repo.start();
    repo.write("a.txt", "2\n");
    repo.git(&["status", "--short"]);
    repo.git(&["add", "a.txt"]);
    let got = wait_for(&mut watch, |c| has_file(c, "a.txt"));
    assert_eq!(files(&got).len(), 1, "an ordinary file change: {got:#?}");
}

#[test]
fn keep_reachable_makes_saved_blobs_survive_gc() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    let mut watch = repo.start();
    repo.write("draft.txt", "first draft\n");
    let first = wait_for(&mut watch, |c| has_file(c, "draft.txt"));
    repo.write("draft.txt", "second draft\n");
    let second = wait_for(&mut watch, |c| has_file(c, "draft.txt"));
    let blobs: Vec<_> =
        first.iter().chain(&second).flat_map(|c| c.files()).filter_map(|f| f.blob).collect();
    assert_eq!(blobs.len(), 2);

    watch.keep_reachable().expect("keep");
    let tip = repo.git(&["rev-parse", "refs/trail/saves"]);
    // Nothing new: no new commit.
    watch.keep_reachable().expect("keep again");
    assert_eq!(repo.git(&["rev-parse", "refs/trail/saves"]), tip);

    repo.write("draft.txt", "third draft\n");
    let third = wait_for(&mut watch, |c| has_file(c, "draft.txt"));
    let third_blob = files(&third)[0].blob.expect("blob");
    watch.keep_reachable().expect("keep");
    assert_eq!(repo.git(&["rev-parse", "refs/trail/saves~1"]), tip, "the chain grows");

    repo.git(&["gc", "-q", "--prune=now"]);
    let listed = repo.git(&["rev-list", "--objects", "refs/trail/saves"]);
    for blob in blobs.iter().chain([&third_blob]) {
        assert!(listed.contains(&blob.to_string()), "{blob} not reachable:\n{listed}");
    }
    assert_eq!(repo.cat_file(&blobs[0]), b"first draft\n");
    assert_eq!(repo.cat_file(&third_blob), b"third draft\n");
}

#[test]
fn rescan_reports_what_changed_while_nothing_watched() {
    let repo = Repo::new();
    let state = repo.dir.path().join("state/watch.state");
    repo.write("edit.txt", "before\n");
    repo.write("remove.txt", "remove me\n");
    repo.write("move-me.txt", "moving content\n");
    repo.write("same.txt", "unchanged\n");
    repo.write("dir/deep.txt", "deep\n");
    repo.commit_all("tracked files: the index tells their blobs without reading them");
    repo.write("untracked.txt", "never committed\n");
    let options = Options { state_file: Some(state.clone()), ..repo.options() };
    {
        let mut watch = repo.start_with(options.clone());
        assert_eq!(watch.rescan("nothing changed").expect("rescan"), None);
        watch.keep_reachable().expect("keep");
    }
    assert!(state.exists());

    // The watcher is down: edits, a delete, a new file, a move, a touch.
    repo.write("edit.txt", "after\n");
    std::fs::remove_file(repo.path("remove.txt")).expect("rm");
    repo.write("dir/new.txt", "new\n");
    std::fs::rename(repo.path("move-me.txt"), repo.path("dir/moved.txt")).expect("mv");
    let same = std::fs::File::options().append(true).open(repo.path("same.txt")).expect("open");
    same.set_modified(std::time::SystemTime::now()).expect("touch");
    let untracked = std::fs::File::options().append(true).open(repo.path("untracked.txt"));
    untracked.expect("open").set_modified(std::time::SystemTime::now()).expect("touch");

    let mut watch = repo.start_with(options);
    let change = watch.rescan("unclean stop").expect("rescan").expect("changes found");
    let Change::Rescan { reason, changes } = change else { panic!("{change:#?}") };
    assert_eq!(reason, "unclean stop");
    let mut summary: Vec<(Kind, String)> =
        changes.iter().map(|c| (c.kind, String::from_utf8_lossy(&c.path).into_owned())).collect();
    summary.sort_by(|a, b| a.1.cmp(&b.1));
    // same.txt was only touched: its blob, known from the index, is unchanged.
    // untracked.txt was only touched too, but a start scan knows only its stat
    // data, so it is reported (a change is never lost, a false one may be).
    assert_eq!(
        summary,
        vec![
            (Kind::Rename, "dir/moved.txt".into()),
            (Kind::Create, "dir/new.txt".into()),
            (Kind::Modify, "edit.txt".into()),
            (Kind::Delete, "remove.txt".into()),
            (Kind::Modify, "untracked.txt".into()),
        ]
    );
    let moved = changes.iter().find(|c| c.kind == Kind::Rename).expect("rename");
    assert_eq!(moved.from.as_deref(), Some(&b"move-me.txt"[..]));
    let edit = changes.iter().find(|c| c.path == b"edit.txt").expect("edit");
    assert_content(&repo, edit, b"after\n");

    // Reconciled: the next rescan finds nothing, and watching goes on.
    assert_eq!(watch.rescan("again").expect("rescan"), None);
    repo.write("dir/new.txt", "newer\n");
    let got = wait_for(&mut watch, |c| has_file(c, "dir/new.txt"));
    assert_eq!(files(&got).len(), 1, "{got:#?}");
}

#[test]
fn merge_rebase_and_cherry_pick_are_named() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature-1.txt", "f1\n");
    repo.commit_all("f1");
    repo.write("feature-2.txt", "f2\n");
    repo.commit_all("f2");
    repo.git(&["checkout", "-q", "-b", "pick", "main"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.txt", "main\n");
    repo.commit_all("main moves on");
    repo.git(&["checkout", "-q", "feature"]);
    let mut watch = repo.start();

    repo.git(&["rebase", "-q", "main"]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(operations(&got).first().map(|o| o.0), Some("rebase"), "{got:#?}");
    assert!(got.iter().all(|c| matches!(c, Change::Operation { .. })), "{got:#?}");

    repo.git(&["checkout", "-q", "pick"]);
    wait_for(&mut watch, |c| !operations(c).is_empty());
    repo.git(&["merge", "-q", "feature"]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(operations(&got), vec![("merge", 3)], "{got:#?}");

    repo.git(&["checkout", "-q", "-b", "picked", "main~1"]);
    wait_for(&mut watch, |c| !operations(c).is_empty());
    let f2 = repo.git(&["rev-parse", "feature"]);
    repo.git(&["cherry-pick", f2.trim()]);
    let got = wait_for(&mut watch, |c| !operations(c).is_empty());
    assert_eq!(operations(&got), vec![("cherry-pick", 1)], "{got:#?}");
}

#[test]
fn a_linked_worktree_is_watched_on_its_own() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let linked = repo.dir.path().join("linked");
    repo.git(&["worktree", "add", "-q", "-b", "side", linked.to_str().expect("utf-8")]);
    let mut watch = trail_watch::Watch::start(&linked, repo.options()).expect("start");

    repo.write("main-only.txt", "not this tree\n");
    std::fs::write(linked.join("side.txt"), "side\n").expect("write");
    let got = wait_for(&mut watch, |c| has_file(c, "side.txt"));
    assert_eq!(files(&got).len(), 1, "{got:#?}");
    assert_eq!(files(&got)[0].kind, Kind::Create);
}
