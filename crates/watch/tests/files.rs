//! File events in a real work tree, through real inotify.

mod common;

use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;

use common::*;
use trail_watch::{Change, Kind, Options};

fn only_file(changes: &[Change]) -> &trail_watch::FileChange {
    let files = files(changes);
    assert_eq!(files.len(), 1, "expected one change, got {changes:#?}");
    assert_eq!(changes.len(), 1, "expected one change, got {changes:#?}");
    files[0]
}

#[test]
fn create_modify_rename_delete_are_one_change_each() {
    let repo = Repo::new();
    let mut watch = repo.start();

    repo.write("a.txt", "one\n");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Create, &b"a.txt"[..]));
    assert_eq!(change.mode, Some(0o100644));
    assert_content(&repo, change, b"one\n");

    repo.write("a.txt", "one\ntwo\n");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!(change.kind, Kind::Modify);
    assert_content(&repo, change, b"one\ntwo\n");

    std::fs::rename(repo.path("a.txt"), repo.path("b.txt")).expect("rename");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!(change.kind, Kind::Rename);
    assert_eq!(change.path, b"b.txt");
    assert_eq!(change.from.as_deref(), Some(&b"a.txt"[..]));
    assert_content(&repo, change, b"one\ntwo\n");

    std::fs::remove_file(repo.path("b.txt")).expect("rm");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Delete, &b"b.txt"[..]));
    assert_eq!((change.blob, change.sha256.as_deref(), change.size), (None, None, None));

    let stats = watch.stats();
    assert_eq!(stats.changes, 4);
    assert_eq!(stats.pending, 0);
    assert!(stats.events > 0);
}

#[test]
fn an_editor_save_storm_is_one_change() {
    let repo = Repo::new();
    repo.write("notes.md", "draft\n");
    let mut watch = repo.start();

    // What editors do: write a temporary file, rename it over the original,
    // restore the mode; then touch it again for good measure.
    repo.write(".notes.md.swp", "final\n");
    std::fs::rename(repo.path(".notes.md.swp"), repo.path("notes.md")).expect("rename");
    std::fs::set_permissions(repo.path("notes.md"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    repo.write("notes.md", "final\n");

    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Modify, &b"notes.md"[..]));
    assert_content(&repo, change, b"final\n");
}

#[test]
fn saving_the_same_content_again_is_no_change() {
    let repo = Repo::new();
    repo.write("same.txt", "x\n");
    let mut watch = repo.start();
    repo.write("same.txt", "y\n");
    wait_for(&mut watch, |c| has_file(c, "same.txt"));
    repo.write("same.txt", "y\n");
    let got = quiet(&mut watch);
    assert!(got.is_empty(), "rewriting identical content reported {got:#?}");
}

#[test]
fn a_file_written_into_a_just_created_directory_is_found() {
    let repo = Repo::new();
    let mut watch = repo.start();
    std::fs::create_dir_all(repo.path("new/deeper")).expect("mkdir");
    std::fs::write(repo.path("new/deeper/file.txt"), "hello\n").expect("write");
    std::fs::write(repo.path("new/top.txt"), "top\n").expect("write");

    let got =
        wait_for(&mut watch, |c| has_file(c, "new/deeper/file.txt") && has_file(c, "new/top.txt"));
    let all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    assert_eq!(all.len(), 2, "{got:#?}");
    for change in all {
        assert_eq!(change.kind, Kind::Create);
    }
    assert!(watch.stats().watched_dirs >= 3, "root, new, new/deeper are watched");
}

#[test]
fn ignored_files_and_directories_produce_nothing_and_ignored_dirs_are_not_watched() {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n*.log\n");
    repo.write("build/out/a.o", "obj");
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit_all("init");
    let mut watch = repo.start();
    // root and src; not build/ nor build/out/.
    assert_eq!(watch.stats().watched_dirs, 2, "{:?}", watch.stats());

    repo.write("build/out/b.o", "obj");
    repo.write("build/new/c.o", "obj");
    repo.write("debug.log", "noise");
    repo.write("src/trace.log", "noise");
    std::fs::create_dir(repo.path("build2")).expect("mkdir");
    repo.write("src/lib.rs", "// real\n");

    let got = wait_for(&mut watch, |c| has_file(c, "src/lib.rs"));
    let all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    assert_eq!(all.len(), 1, "only src/lib.rs changed visibly: {got:#?}");
    assert_eq!(watch.stats().watched_dirs, 3, "build2/ is not ignored: watched");
}

#[test]
fn tracked_files_are_reported_even_when_ignored() {
    let repo = Repo::new();
    repo.write(".gitignore", "*.log\n");
    repo.write("keep.log", "v1\n");
    repo.git(&["add", ".gitignore"]);
    repo.git(&["add", "-f", "keep.log"]);
    repo.git(&["commit", "-q", "-m", "init"]);
    let mut watch = repo.start();
    repo.write("keep.log", "v2\n");
    repo.write("other.log", "v2\n");
    let got = wait_for(&mut watch, |c| has_file(c, "keep.log"));
    assert!(!has_file(&got, "other.log"), "{got:#?}");
}

#[test]
fn git_dir_changes_are_not_file_changes() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("init");
    let mut watch = repo.start();
    repo.git(&["config", "user.name", "Someone"]);
    repo.git(&["tag", "v1"]);
    std::fs::write(repo.root.join(".git/scratch"), "x").expect("write");
    repo.write("sentinel.txt", "s\n");
    let got = wait_for(&mut watch, |c| has_file(c, "sentinel.txt"));
    let all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    assert_eq!(all.len(), 1, "{got:#?}");
    assert!(all.iter().all(|f| !f.path.starts_with(b".git")));
}

#[test]
fn a_file_over_max_blob_size_has_sha256_and_size_but_no_blob() {
    let repo = Repo::new();
    let options = Options { max_blob_size: 1024, ..repo.options() };
    let mut watch = repo.start_with(options);
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    repo.write("big.bin", &big);
    repo.write("small.bin", [7u8; 1024]);
    let got = wait_for(&mut watch, |c| has_file(c, "big.bin") && has_file(c, "small.bin"));
    let all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    let big_change = all.iter().find(|f| f.path == b"big.bin").expect("big");
    assert_eq!(big_change.blob, None);
    assert_eq!(big_change.sha256.as_deref(), Some(sha256_hex(&big).as_str()));
    assert_eq!(big_change.size, Some(200_000));
    let small = all.iter().find(|f| f.path == b"small.bin").expect("small");
    assert_content(&repo, small, &[7u8; 1024]);
}

#[test]
fn a_fifo_does_not_crash_or_block() {
    let repo = Repo::new();
    let mut watch = repo.start();
    let status =
        std::process::Command::new("mkfifo").arg(repo.path("pipe")).status().expect("mkfifo");
    assert!(status.success());
    repo.write("after.txt", "still here\n");
    let got = wait_for(&mut watch, |c| has_file(c, "after.txt"));
    assert!(!has_file(&got, "pipe"), "a FIFO is not content: {got:#?}");
    // A rescan walks past it too.
    assert_eq!(watch.rescan("test").expect("rescan"), None);
}

#[test]
fn a_directory_moved_within_the_tree_is_a_rename_per_file() {
    let repo = Repo::new();
    repo.write("old/a.txt", "a\n");
    repo.write("old/sub/b.txt", "b\n");
    let mut watch = repo.start();
    std::fs::rename(repo.path("old"), repo.path("new")).expect("mv");
    let got = wait_for(&mut watch, |c| has_file(c, "new/a.txt") && has_file(c, "new/sub/b.txt"));
    let mut all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    all.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(all.len(), 2, "{got:#?}");
    assert_eq!(all[0].kind, Kind::Rename);
    assert_eq!(all[0].from.as_deref(), Some(&b"old/a.txt"[..]));
    assert_eq!(all[1].kind, Kind::Rename);
    assert_eq!(all[1].from.as_deref(), Some(&b"old/sub/b.txt"[..]));
    assert_content(&repo, all[1], b"b\n");

    // The moved directory is watched under its new name.
    repo.write("new/sub/c.txt", "c\n");
    let got = wait_for(&mut watch, |c| has_file(c, "new/sub/c.txt"));
    assert_eq!(got.len(), 1, "{got:#?}");
}

#[test]
fn moving_out_is_a_delete_and_moving_in_a_create() {
    let repo = Repo::new();
    repo.write("stay.txt", "s\n");
    let outside = repo.dir.path().join("outside.txt");
    std::fs::write(&outside, "from outside\n").expect("write");
    let mut watch = repo.start();

    std::fs::rename(repo.path("stay.txt"), repo.dir.path().join("gone.txt")).expect("mv out");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Delete, &b"stay.txt"[..]));

    std::fs::rename(&outside, repo.path("inside.txt")).expect("mv in");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Create, &b"inside.txt"[..]));
    assert_content(&repo, change, b"from outside\n");
}

#[test]
fn symlinks_executables_and_non_utf8_names_are_kept_as_they_are() {
    let repo = Repo::new();
    let mut watch = repo.start();
    std::os::unix::fs::symlink("target/of link", repo.path("link")).expect("symlink");
    repo.write("run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(repo.path("run.sh"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(repo.root.join(odd), "latin-1 name\n").expect("write");

    let got = wait_for(&mut watch, |c| c.iter().flat_map(|c| c.files()).count() >= 3);
    let all: Vec<_> = got.iter().flat_map(|c| c.files()).collect();
    assert_eq!(all.len(), 3, "{got:#?}");
    let link = all.iter().find(|f| f.path == b"link").expect("link");
    assert_eq!(link.mode, Some(0o120000));
    assert_content(&repo, link, b"target/of link");
    let script = all.iter().find(|f| f.path == b"run.sh").expect("script");
    assert_eq!(script.mode, Some(0o100755));
    let latin = all.iter().find(|f| f.path == b"caf\xe9.txt").expect("non-UTF-8 path kept");
    assert_content(&repo, latin, b"latin-1 name\n");
}

#[test]
fn a_flood_is_reconciled_as_one_rescan() {
    let repo = Repo::new();
    let options = Options { flood: 5, ..repo.options() };
    let mut watch = repo.start_with(options);
    for i in 0..30 {
        repo.write(&format!("f{i:02}.txt"), format!("{i}\n"));
    }
    let got = wait_for(&mut watch, |c| c.iter().flat_map(|c| c.files()).count() >= 30);
    assert_eq!(got.len(), 1, "{got:#?}");
    let Change::Rescan { reason, changes } = &got[0] else { panic!("not a rescan: {got:#?}") };
    assert!(reason.contains("more than 5"), "{reason}");
    assert_eq!(changes.len(), 30);
    assert!(changes.iter().all(|c| c.kind == Kind::Create && c.blob.is_some()));
}

#[test]
fn the_watch_limit_is_reported_once_and_watched_dirs_keep_working() {
    let repo = Repo::new();
    for dir in ["a", "b", "c", "d"] {
        repo.write(&format!("{dir}/x.txt"), "x\n");
    }
    let options = Options { max_watches: Some(2), ..repo.options() };
    let mut watch = repo.start_with(options);
    let stats = watch.stats();
    assert!(stats.watch_limit_hit);
    assert_eq!((stats.watched_dirs, stats.unwatched_dirs), (2, 3));

    repo.write("root.txt", "r\n");
    let got = wait_for(&mut watch, |c| has_file(c, "root.txt"));
    let warnings: Vec<_> = got
        .iter()
        .filter_map(|c| match c {
            Change::Warning { message } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{got:#?}");
    assert!(warnings[0].contains("fs.inotify.max_user_watches"), "{}", warnings[0]);
    assert!(warnings[0].contains("3 directories"), "{}", warnings[0]);

    // A rescan still finds changes in the unwatched directories.
    for dir in ["a", "b", "c", "d"] {
        repo.write(&format!("{dir}/x.txt"), "changed\n");
    }
    let mut seen = Vec::new();
    seen.extend(quiet(&mut watch));
    if let Some(rescan) = watch.rescan("periodic").expect("rescan") {
        seen.push(rescan);
    }
    for dir in ["a", "b", "c", "d"] {
        assert!(has_file(&seen, &format!("{dir}/x.txt")), "{dir}: {seen:#?}");
    }
}

#[test]
fn flush_returns_what_has_not_settled() {
    let repo = Repo::new();
    let mut watch = repo
        .start_with(Options { debounce: std::time::Duration::from_secs(30), ..Options::default() });
    repo.write("late.txt", "l\n");
    // Events arrive asynchronously: give inotify a moment by waiting on it.
    let _ = watch.next_batch(std::time::Duration::from_millis(300)).expect("batch");
    let got = watch.flush().expect("flush");
    assert!(has_file(&got, "late.txt"), "{got:#?}");
    assert_eq!(watch.stats().pending, 0);
}

#[test]
fn a_file_renamed_over_another_is_a_rename() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.write("b.txt", "b\n");
    let mut watch = repo.start();
    std::fs::rename(repo.path("a.txt"), repo.path("b.txt")).expect("mv");
    let got = wait_for(&mut watch, |c| !c.is_empty());
    let change = only_file(&got);
    assert_eq!((change.kind, change.path.as_slice()), (Kind::Rename, &b"b.txt"[..]));
    assert_eq!(change.from.as_deref(), Some(&b"a.txt"[..]));
    assert_content(&repo, change, b"a\n");
}

#[test]
fn a_file_rewritten_while_it_is_read_ends_with_its_final_content() {
    let repo = Repo::new();
    let mut watch = repo.start();
    let path = repo.path("busy.bin");
    let writer = std::thread::spawn(move || {
        for i in 0..300u32 {
            let size = (i as usize * 7919) % 300_000;
            std::fs::write(&path, vec![(i % 256) as u8; size]).expect("write");
        }
        std::fs::write(&path, b"final").expect("write");
    });
    let mut got = Vec::new();
    let end = std::time::Instant::now() + PATIENCE;
    while !writer.is_finished() {
        assert!(std::time::Instant::now() < end);
        got.extend(watch.next_batch(std::time::Duration::from_millis(50)).expect("batch"));
    }
    writer.join().expect("writer");
    let got = {
        got.extend(wait_for(&mut watch, |_| true));
        got
    };
    let last = got.iter().flat_map(|c| c.files()).next_back().expect("a change");
    assert_eq!(last.path, b"busy.bin");
    assert_content(&repo, last, b"final");
}

#[test]
fn a_big_file_is_hashed_by_streaming() {
    let repo = Repo::new();
    let mut watch = repo.start();
    // 64 MiB (sparse: cheap to make), over the default 16 MiB blob limit.
    let len = 64 * 1024 * 1024;
    let file = std::fs::File::create(repo.path("huge.img")).expect("create");
    file.set_len(len).expect("set_len");
    drop(file);
    let got = wait_for(&mut watch, |c| has_file(c, "huge.img"));
    let change = only_file(&got);
    assert_eq!(change.blob, None);
    assert_eq!(change.size, Some(len));
    assert_eq!(change.sha256.as_deref(), Some(sha256_hex(&vec![0u8; len as usize]).as_str()));
}

#[test]
fn a_watch_can_move_to_another_thread() {
    fn send<T: Send>() {}
    send::<trail_watch::Watch>();
}

/// CPU time this thread has used, from the scheduler (nanoseconds).
fn thread_cpu() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    text.split_whitespace().next().and_then(|n| n.parse().ok()).expect("a number")
}

#[test]
fn waiting_uses_no_cpu() {
    let repo = Repo::new();
    for i in 0..50 {
        repo.write(&format!("d{}/f{i}.txt", i % 5), "x\n");
    }
    let mut watch = repo.start();
    let before = thread_cpu();
    let got = watch.next_batch(std::time::Duration::from_secs(1)).expect("batch");
    let used = std::time::Duration::from_nanos(thread_cpu() - before);
    assert!(got.is_empty(), "{got:#?}");
    assert!(used < std::time::Duration::from_millis(20), "an idle second cost {used:?} of CPU");
}

#[test]
fn a_file_that_never_stays_quiet_is_still_recorded() {
    let repo = Repo::new();
    let debounce = std::time::Duration::from_millis(100);
    let mut watch = repo.start_with(Options { debounce, ..Options::default() });
    let path = repo.path("app.log");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            use std::io::Write as _;
            let mut log = std::fs::File::create(&path).expect("create");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                log.write_all(b"a line\n").expect("append");
                std::thread::sleep(debounce / 4);
            }
        })
    };
    // Settled after 20 debounce periods (2 s) although the writer, which runs
    // until told to stop, never leaves it quiet for a debounce period.
    let got = wait_for(&mut watch, |c| has_file(c, "app.log"));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer");
    assert!(files(&got).iter().all(|f| f.path == b"app.log" && f.sha256.is_some()), "{got:#?}");
}
