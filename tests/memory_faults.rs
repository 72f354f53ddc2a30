//! A hook's memory must not grow with what is staged (issue 18, item 15).
//!
//! Each test commits a large file through trail's hooks and reads the peak
//! resident set of `git commit` and everything it ran (the hooks, trail, any
//! `git` trail ran) from `getrusage(RUSAGE_CHILDREN)` of a small python3
//! wrapper that runs only that commit. The bound is far below the file's
//! size and far above what the hooks need (~25 MB measured).

mod common;

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{Output, PROCESS_TIMEOUT, TestEnv, run};

/// The most the commit of a large file may take, hooks included.
const BOUND_KIB: u64 = 96 * 1024;

/// `git commit` under python3; prints the tree's peak RSS (KiB) last on stderr.
const PEAK_RSS: &str = r#"
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
sys.stderr.write("\npeak-rss-kib=%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"#;

/// Write `size` bytes of pseudo-random content (xorshift, so it does not
/// compress) to `path`, then `tail` at its end; backdate it, so that git
/// never re-reads it as racily clean during the commit (git's own reading
/// would then be what is measured).
fn write_large(path: &Path, size: usize, tail: &[u8]) {
    let mut block = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in block.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let mut file = std::fs::File::create(path).expect("create the large file");
    let mut left = size - tail.len();
    while left > 0 {
        let n = left.min(block.len());
        file.write_all(&block[..n]).expect("write the large file");
        left -= n;
    }
    file.write_all(tail).expect("write the large file's tail");
    let past = SystemTime::now() - Duration::from_secs(3600);
    file.set_modified(past).expect("backdate the large file");
}

/// Stage `name` (stored uncompressed, so staging is quick and the loose
/// object is as large as the file) and commit it through the hooks.
/// Returns the commit's output and its peak RSS in KiB.
fn commit_large(env: &TestEnv, repo: &Path, name: &str) -> (Output, u64) {
    env.git_ok(repo, ["-c", "core.looseCompression=0", "add", name]);
    commit_staged(env, repo, name)
}

/// Commit what is staged through the hooks, under the peak-RSS wrapper.
fn commit_staged(env: &TestEnv, repo: &Path, name: &str) -> (Output, u64) {
    let mut cmd = env.command("python3", repo);
    cmd.args(["-c", PEAK_RSS, "git", "commit", "-q", "-m", "a large file"])
        .env("TRAIL_WHY", "a large file");
    let out = run(cmd, PROCESS_TIMEOUT * 3);
    let peak = out
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("peak-rss-kib="))
        .next_back()
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("the wrapper printed no peak:\n{out}"));
    eprintln!("git commit of {name}: peak RSS {peak} KiB");
    (out, peak)
}

#[test]
fn pre_commit_memory_does_not_grow_with_a_staged_file() {
    // pre-commit read every staged blob whole, three copies of it: a 256 MiB
    // file cost 780 MiB of RSS, a 2 GiB one 6 GB.
    let env = TestEnv::new();
    let repo = env.trail_repo("large", "start");
    write_large(&repo.join("big.bin"), 256 << 20, b"");
    let (out, peak) = commit_large(&env, &repo, "big.bin");
    out.assert_code(0).assert_no_panic();
    assert!(
        peak < BOUND_KIB,
        "committing a 256 MiB file peaked at {} MiB (bound {} MiB):\n{out}",
        peak / 1024,
        BOUND_KIB / 1024
    );
    let files = env.git_ok(&repo, ["ls-tree", "--name-only", "HEAD"]);
    assert!(files.lines().any(|f| f == "big.bin"), "big.bin is committed:\n{files}");
}

#[test]
fn a_large_packed_file_is_streamed_too() {
    // Staged over `core.bigFileThreshold`, a file goes straight into a pack:
    // git reads such a blob whole below its own threshold and maps packs in
    // 1 GiB windows, so the stream must ask it for neither.
    let env = TestEnv::new();
    let repo = env.trail_repo("packed", "start");
    write_large(&repo.join("packed.bin"), 96 << 20, b"");
    env.git_ok(
        &repo,
        ["-c", "core.bigFileThreshold=1m", "-c", "core.compression=0", "add", "packed.bin"],
    );
    let packs = std::fs::read_dir(repo.join(".git/objects/pack")).expect("the pack directory");
    assert!(packs.count() > 0, "git add wrote the file as a pack");
    let (out, peak) = commit_staged(&env, &repo, "packed.bin");
    out.assert_code(0).assert_no_panic();
    assert!(
        peak < BOUND_KIB,
        "committing a packed 96 MiB file peaked at {} MiB:\n{out}",
        peak / 1024
    );
}

#[test]
fn a_large_staged_file_naming_an_mcp_key_at_its_end_is_still_refused() {
    // The content check of a file too large to hold reads it in pieces: an
    // MCP key in its last bytes still protects it, and a protected file over
    // 64 MiB cannot be read for what it launches, so the commit is refused.
    let env = TestEnv::new();
    let repo = env.trail_repo("marked", "start");
    write_large(&repo.join("padded.bin"), 70 << 20, b"\"mcpServers\"");
    let (out, peak) = commit_large(&env, &repo, "padded.bin");
    out.assert_code(1).assert_no_panic().assert_stderr_has("padded.bin");
    out.assert_stderr_has("cannot be checked");
    assert!(peak < BOUND_KIB, "the refused commit peaked at {} MiB:\n{out}", peak / 1024);
    assert_eq!(env.git_ok(&repo, ["log", "--format=%s"]), "start", "nothing was committed");
}

#[test]
fn a_changelog_over_the_edit_limit_is_left_alone() {
    // pre-commit read and rewrote a staged CHANGELOG.md whole, several copies
    // of it, whatever its size; over 8 MiB it is now left alone, and said so.
    let env = TestEnv::new();
    let repo = env.trail_repo("long-log", "start");
    let mut log = std::fs::read(repo.join("CHANGELOG.md")).expect("the root changelog");
    log.extend_from_slice(b"\n## [0.1.0] - 2020-01-01\n\n### Added\n\n");
    while log.len() <= 9 << 20 {
        log.extend_from_slice(b"- an old change of long ago\n");
    }
    std::fs::write(repo.join("CHANGELOG.md"), &log).expect("write the long changelog");
    std::fs::write(repo.join("a.txt"), "a, changed\n").expect("change a.txt");
    env.git_ok(&repo, ["add", "CHANGELOG.md", "a.txt"]);
    let mut cmd = env.command("python3", &repo);
    cmd.args(["-c", PEAK_RSS, "git", "commit", "-q", "-m", "a long changelog"])
        .env("TRAIL_WHY", "a long changelog");
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0).assert_stderr_has("CHANGELOG.md is").assert_stderr_has("leaves it alone");
    let committed = env.git(&repo, ["show", "HEAD:CHANGELOG.md"]).stdout;
    assert!(committed == log, "the committed CHANGELOG.md is the staged one, untouched");
    assert_eq!(std::fs::read(repo.join("CHANGELOG.md")).expect("read it back"), log);
}
