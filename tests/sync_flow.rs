//! Journals shared through the git remote, end to end (issue 6): checkpoints
//! on `refs/trail/journal`, `trail sync push|pull`, `trail log --all-clones`,
//! `trail verify --against`, `trail recover`, and the server hooks that keep
//! `refs/trail/*` append-only. Real git, the real binary, a real bare remote
//! and two or more clones.
//!
//! The checks here do not take trail's word for the format: canonical JSON,
//! record hashes and checkpoint signatures are recomputed in this file from
//! store/FORMAT.md, and tampered chains are built with git plumbing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// What the signature of a checkpoint covers, before the statement.
const SIGNING_CONTEXT: &[u8] = b"trail-checkpoint-v1\n";
const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

// ---------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------

fn write(repo: &Path, rel: &str, text: &str) {
    let path = repo.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create the file's directory");
    }
    std::fs::write(path, text).expect("write a file of the test repository");
}

/// A bare repository `name` to push to; with trail's server hooks when `hooks`.
fn bare_remote(env: &TestEnv, name: &str, hooks: bool) -> PathBuf {
    let remote = env.dir(name);
    env.git_ok(&remote, ["init", "-q", "--bare", "-b", "main"]);
    if hooks {
        env.trail_ok(&remote, ["hooks", "install", "--server"])
            .assert_stderr_has("pre-receive: installed")
            .assert_stderr_has("update: installed");
    }
    remote
}

/// A new repository `name` with trail set up (its own store), `origin`
/// pointing at `remote`, and a first commit.
fn clone_with_trail(env: &TestEnv, name: &str, remote: &Path) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    env.git_ok(&repo, ["remote", "add", "origin", remote.to_str().expect("a UTF-8 temp path")]);
    env.trail_ok(&repo, ["init"]);
    commit(env, &repo, "README.md", &format!("{name}\n"), &format!("start {name}"));
    repo
}

/// Write `file` (appending a line) and commit everything with a rationale;
/// returns the new HEAD.
fn commit(env: &TestEnv, repo: &Path, file: &str, line: &str, why: &str) -> String {
    let path = repo.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(line);
    write(repo, file, &text);
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", why]).env("TRAIL_WHY", why).env("TRAIL_IMPACT", "none");
    let since = common::drain_log_len(repo);
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(0);
    assert!(!out.stderr.contains("warning:"), "the commit hooks warned:\n{out}");
    // The drainer post-commit started appends the records and writes the
    // checkpoint: settled, and without a warning either.
    let drained = common::wait_for_drainer_since(repo, since);
    assert!(!drained.contains("warning:"), "the drainer warned:\n{drained}");
    env.git_ok(repo, ["rev-parse", "HEAD"])
}

fn journal_dir(repo: &Path) -> PathBuf {
    repo.join(".git/trail/journal")
}

fn mark_file(repo: &Path) -> PathBuf {
    repo.join(".git/trail/journal.head")
}

/// `trail export`, as bytes.
fn export(env: &TestEnv, repo: &Path) -> Vec<u8> {
    env.trail_ok(repo, ["export"]).stdout
}

/// `trail export`, one parsed record per line.
fn records(env: &TestEnv, repo: &Path) -> Vec<Value> {
    parse_json_lines(&export(env, repo))
}

/// The id of the store whose checkpoints `rev` holds (read from git, not from trail).
fn store_id_at(env: &TestEnv, repo: &Path, rev: &str) -> String {
    let statement: Value =
        serde_json::from_str(&env.git_ok(repo, ["show", &format!("{rev}:checkpoint.json")]))
            .expect("checkpoint.json is JSON");
    statement["store"].as_str().expect("a store id").to_owned()
}

fn store_id(env: &TestEnv, repo: &Path) -> String {
    store_id_at(env, repo, "refs/trail/journal")
}

/// Where `name` points in `repo`, if it exists.
fn ref_of(env: &TestEnv, repo: &Path, name: &str) -> Option<String> {
    let out = env.git(repo, ["rev-parse", "--verify", "-q", name]);
    (out.status == Some(0)).then(|| out.stdout_str().trim().to_owned())
}

// ---------------------------------------------------------------------------
// The format, recomputed here (store/FORMAT.md §3, §4, §10)
// ---------------------------------------------------------------------------

/// RFC 8785 as FORMAT.md §3 restricts it: members sorted by UTF-16 code
/// units, no whitespace; serde_json writes strings with exactly §3.4's escapes.
fn canonical(value: &Value) -> Vec<u8> {
    fn encode(value: &Value, out: &mut Vec<u8>) {
        match value {
            Value::Object(map) => {
                let mut names: Vec<&String> = map.keys().collect();
                names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
                out.push(b'{');
                for (i, name) in names.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend(serde_json::to_vec(name).expect("a string encodes"));
                    out.push(b':');
                    encode(&map[name], out);
                }
                out.push(b'}');
            }
            Value::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    encode(item, out);
                }
                out.push(b']');
            }
            scalar => out.extend(serde_json::to_vec(scalar).expect("a scalar encodes")),
        }
    }
    let mut out = Vec::new();
    encode(value, &mut out);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// FORMAT.md §4: SHA-256 of the canonical record without `hash`.
fn record_hash(record: &Value) -> String {
    let mut without = record.clone();
    without.as_object_mut().expect("a record is an object").remove("hash");
    sha256_hex(&canonical(&without))
}

/// Standard base64url without padding (for checkpoint signatures).
fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
    base64_decode(&padded).expect("valid base64url")
}

/// One commit of a checkpoint chain, as git shows it.
#[derive(Debug)]
struct Link {
    commit: String,
    parents: Vec<String>,
    statement: Value,
    statement_bytes: Vec<u8>,
    segment: Vec<u8>,
    files: Vec<String>,
}

/// The chain ending at `rev`, oldest first.
fn chain(env: &TestEnv, repo: &Path, rev: &str) -> Vec<Link> {
    let listing = env.git_ok(repo, ["rev-list", "--reverse", "--parents", rev]);
    listing
        .lines()
        .map(|line| {
            let mut ids = line.split_whitespace().map(str::to_owned);
            let commit = ids.next().expect("a commit id");
            let parents: Vec<String> = ids.collect();
            let blob = |file: &str| {
                let mut cmd = env.command("git", repo);
                cmd.args(["cat-file", "blob", &format!("{commit}:{file}")]);
                let out = run(cmd, PROCESS_TIMEOUT);
                out.assert_code(0);
                out.stdout
            };
            let statement_bytes = blob("checkpoint.json");
            let statement =
                serde_json::from_slice(&statement_bytes).expect("checkpoint.json is JSON");
            let files = env
                .git_ok(repo, ["ls-tree", "--format=%(objectmode) %(path)", &commit])
                .lines()
                .map(str::to_owned)
                .collect();
            Link {
                segment: blob("records.jsonl"),
                commit,
                parents,
                statement,
                statement_bytes,
                files,
            }
        })
        .collect()
}

/// Build a commit like `link` (same parent) whose `records.jsonl` is
/// `segment` and whose `checkpoint.json` is `statement`; returns its id.
fn forge_link(
    env: &TestEnv,
    repo: &Path,
    parent: Option<&str>,
    statement: &[u8],
    segment: &[u8],
) -> String {
    let blob = |bytes: &[u8]| {
        let mut cmd = env.command("git", repo);
        cmd.args(["hash-object", "-w", "--stdin"]);
        let out = run_with_input(cmd, bytes.to_vec(), PROCESS_TIMEOUT);
        out.assert_code(0);
        out.stdout_str().trim().to_owned()
    };
    let tree_text = format!(
        "100644 blob {}\tcheckpoint.json\n100644 blob {}\trecords.jsonl\n",
        blob(statement),
        blob(segment)
    );
    let mut mktree = env.command("git", repo);
    mktree.arg("mktree");
    let tree = run_with_input(mktree, tree_text.into_bytes(), PROCESS_TIMEOUT);
    tree.assert_code(0);
    let tree = tree.stdout_str().trim().to_owned();
    let mut args =
        vec!["commit-tree".to_owned(), tree, "-m".into(), "trail checkpoint (forged)".into()];
    if let Some(parent) = parent {
        args.push("-p".into());
        args.push(parent.to_owned());
    }
    env.git_ok(repo, args)
}

/// `segment` with the `why` of its first record that has one replaced
/// (hashes left as they were: the segment no longer matches its statement).
fn with_why_changed(segment: &[u8], why: &str) -> Vec<u8> {
    let mut lines: Vec<Value> = parse_json_lines(segment);
    let target = lines.iter_mut().find(|r| r.get("why").is_some()).expect("a record with a why");
    target["why"] = Value::from(why);
    let mut out = Vec::new();
    for line in &lines {
        out.extend(canonical(line));
        out.push(b'\n');
    }
    out
}

// ---------------------------------------------------------------------------
// 1. Two clones see each other's records
// ---------------------------------------------------------------------------

/// `trail log --all-clones --json` as (store, record bytes) pairs.
fn all_clones(env: &TestEnv, repo: &Path) -> Vec<(String, Vec<u8>)> {
    let out = env.trail_ok(repo, ["log", "--all-clones", "--json"]);
    split_lines(&out.stdout)
        .into_iter()
        .map(|line| {
            let value: Value = serde_json::from_slice(line).expect("a JSON line");
            let object = value.as_object().expect("an object");
            assert_eq!(object.len(), 2, "{{record, store}} only: {value}");
            let store = value["store"].as_str().expect("store").to_owned();
            // The record's bytes are exactly the stored line, not a re-encoding.
            let prefix = b"{\"record\":";
            let suffix = format!(",\"store\":\"{store}\"}}");
            assert!(line.starts_with(prefix) && line.ends_with(suffix.as_bytes()), "{value}");
            (store, line[prefix.len()..line.len() - suffix.len()].to_vec())
        })
        .collect()
}

fn tagged(store: &str, export: &[u8]) -> BTreeSet<(String, Vec<u8>)> {
    split_lines(export).into_iter().map(|l| (store.to_owned(), l.to_vec())).collect()
}

fn commit_ids(records: &[(String, Vec<u8>)], store: &str) -> BTreeSet<String> {
    records
        .iter()
        .filter(|(s, _)| s == store)
        .filter_map(|(_, bytes)| {
            let record: Value = serde_json::from_slice(bytes).expect("a record");
            (record["kind"] == "commit")
                .then(|| record["commit"].as_str().expect("commit").to_owned())
        })
        .collect()
}

#[test]
fn two_clones_push_pull_and_see_each_others_records() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let ada = clone_with_trail(&env, "ada", &origin);
    let ada_second = commit(&env, &ada, "ada.txt", "one\n", "ada's second commit");
    let bob = clone_with_trail(&env, "bob", &origin);
    let bob_second = commit(&env, &bob, "bob.txt", "one\n", "bob's second commit");
    let (ada_id, bob_id) = (store_id(&env, &ada), store_id(&env, &bob));
    assert_ne!(ada_id, bob_id, "every clone has its own store");

    let pushed = env.trail_ok(&ada, ["sync", "push"]);
    pushed.assert_stderr_has(&format!("pushed the checkpoints of store {ada_id}"));
    env.trail_ok(&bob, ["sync", "push"]);
    assert_eq!(
        ref_of(&env, &origin, &format!("refs/trail/clones/{ada_id}")),
        ref_of(&env, &ada, "refs/trail/journal")
    );
    assert_eq!(
        ref_of(&env, &origin, &format!("refs/trail/clones/{bob_id}")),
        ref_of(&env, &bob, "refs/trail/journal")
    );
    let bob_pushed = export(&env, &bob);
    let ada_pushed = export(&env, &ada);

    let pulled = env.trail_ok(&ada, ["sync", "pull"]);
    let bob_count = split_lines(&bob_pushed).len();
    pulled
        .assert_stderr_has(&format!(
            "store {bob_id}: {bob_count} new records (seq 1..{bob_count}), verified"
        ))
        .assert_stderr_has(&format!("store {ada_id} (this clone)"));
    env.trail_ok(&bob, ["sync", "pull"]).assert_stderr_has(&format!("store {ada_id}: "));

    for (me, my_id, other_id, other_export, other_commits) in [
        (
            &ada,
            &ada_id,
            &bob_id,
            &bob_pushed,
            [bob_second.clone(), env.git_ok(&bob, ["rev-parse", "HEAD~1"])],
        ),
        (
            &bob,
            &bob_id,
            &ada_id,
            &ada_pushed,
            [ada_second.clone(), env.git_ok(&ada, ["rev-parse", "HEAD~1"])],
        ),
    ] {
        let seen = all_clones(&env, me);
        let mut want = tagged(my_id, &export(&env, me));
        want.extend(tagged(other_id, other_export));
        let got: BTreeSet<(String, Vec<u8>)> = seen.iter().cloned().collect();
        assert_eq!(got.len(), seen.len(), "no record is listed twice");
        assert_eq!(got, want, "own records and the other clone's, each once, with its store");
        assert_eq!(
            commit_ids(&seen, other_id),
            other_commits.iter().cloned().collect(),
            "the other clone's commits"
        );
        // Newest first.
        let times: Vec<String> = seen
            .iter()
            .map(|(_, b)| {
                serde_json::from_slice::<Value>(b).expect("record")["time"]
                    .as_str()
                    .expect("time")
                    .to_owned()
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");

        // The table: a STORE column, the own store starred.
        let table = env.trail_ok(me, ["log", "--all-clones"]).stdout_str();
        let mut lines = table.lines();
        assert!(lines.next().expect("a header").starts_with("STORE"), "{table}");
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), seen.len(), "{table}");
        for commit in &other_commits {
            let row = rows
                .iter()
                .find(|r| r.contains(&commit[..10]))
                .unwrap_or_else(|| panic!("{commit} in\n{table}"));
            assert!(row.starts_with(&format!("{}  ", &other_id[..8])), "{row}");
        }
        assert!(rows.iter().any(|r| r.starts_with(&format!("{}*", &my_id[..8]))), "{table}");
    }

    // A second pull after new commits: only the records after the first pull.
    let before = bob_count;
    let bob_third = commit(&env, &bob, "bob.txt", "two\n", "bob's third commit");
    env.trail_ok(&bob, ["sync", "push"]);
    let after = split_lines(&export(&env, &bob)).len();
    let again = env.trail_ok(&ada, ["sync", "pull"]);
    again.assert_stderr_has(&format!(
        "store {bob_id}: {} new record{} (seq {}..{after}), verified",
        after - before,
        if after - before == 1 { "" } else { "s" },
        before + 1
    ));
    let seen = all_clones(&env, &ada);
    assert!(commit_ids(&seen, &bob_id).contains(&bob_third));
    assert_eq!(
        seen.iter().filter(|(s, _)| *s == bob_id).count(),
        after,
        "bob's records, each once"
    );
    env.trail_ok(&ada, ["sync", "pull"])
        .assert_stderr_has(&format!("store {bob_id}: up to date (seq {after})"));
}

// ---------------------------------------------------------------------------
// 2. A rewritten local chain is caught by `verify --against`
// ---------------------------------------------------------------------------

#[test]
fn a_rewrite_that_recomputes_every_hash_is_named_by_verify_and_verify_against() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "the reason given at the time");
    commit(&env, &repo, "a.txt", "2\n", "a later change");
    env.trail_ok(&repo, ["sync", "push"]);
    let id = store_id(&env, &repo);
    let before = export(&env, &repo);
    let original = parse_json_lines(&before);
    // This file's encoder and trail's agree on every record.
    for (line, record) in split_lines(&before).into_iter().zip(&original) {
        assert_eq!(canonical(record), line, "canonical form of {record}");
        assert_eq!(record["hash"].as_str(), Some(record_hash(record).as_str()), "hash of {record}");
    }

    // Change one record's why and recompute every hash from there on.
    let target = original
        .iter()
        .position(|r| r["why"] == "the reason given at the time")
        .expect("the commit record carries its why");
    assert!(target + 1 < original.len(), "records follow the changed one");
    let mut rewritten = original.clone();
    rewritten[target]["why"] = Value::from("a reason made up afterwards");
    let mut prev = if target == 0 {
        ZEROS.to_owned()
    } else {
        original[target - 1]["hash"].as_str().expect("hash").to_owned()
    };
    for record in &mut rewritten[target..] {
        record["prev"] = Value::from(prev.as_str());
        prev = record_hash(record);
        record["hash"] = Value::from(prev.as_str());
    }
    common::remove_trail_dir(&repo, &journal_dir(&repo));
    std::fs::remove_file(mark_file(&repo)).expect("remove the high-water mark");
    let store = trail_journal::SledStore::create_as(
        &journal_dir(&repo),
        &id,
        "2021-01-01T00:00:00.000000000Z",
    )
    .expect("create a store with the same id");
    store.restore(rewritten.iter().map(canonical)).expect("the rewritten chain is self-consistent");
    drop(store);

    let after = export(&env, &repo);
    let (old_lines, new_lines) = (split_lines(&before), split_lines(&after));
    assert_eq!(old_lines.len(), new_lines.len());
    for (seq, (old, new)) in old_lines.iter().zip(&new_lines).enumerate() {
        assert_eq!(
            old == new,
            seq < target,
            "record {} is {}",
            seq + 1,
            if seq < target { "kept" } else { "rewritten" }
        );
    }
    // The chain alone is consistent, but the checkpoints this repository
    // holds on refs/trail/journal show the rewrite at its first seq (issue
    // 18: no remote needed)...
    let alone = env.trail(&repo, ["verify"]);
    alone
        .assert_code(1)
        .assert_stderr_has(&format!("first bad record is seq {}", target + 1))
        .assert_stderr_has("the journal was rewritten from here on");
    // ...and so do the checkpoints on the remote.
    let out = env.trail(&repo, ["verify", "--against", "origin"]);
    out.assert_code(1).assert_stderr_has(&format!(
        "the local journal disagrees with the checkpoints on origin from seq {} on",
        target + 1
    ));
    // The rewritten store cannot be checkpointed over: the next commit's
    // checkpoint is refused, and refs/trail/journal stays where it was.
    let tip = ref_of(&env, &repo, "refs/trail/journal");
    std::fs::write(repo.join("a.txt"), "1\n2\n3\n").expect("write");
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-am", "after the rewrite"])
        .env("TRAIL_WHY", "after")
        .env("TRAIL_IMPACT", "none");
    let since = drain_log_len(&repo);
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    // The checkpoint is the drainer's to write (post-commit hands over).
    let said = wait_for_drainer_since(&repo, since);
    let refused =
        format!("no checkpoint was written: record {} is not the one checkpointed", original.len());
    assert!(said.contains(&refused), "the drainer says {refused:?}: {said}");
    assert_eq!(ref_of(&env, &repo, "refs/trail/journal"), tip);
    // `trail recover` puts the original back; the record made on top of the
    // rewrite does not continue the checkpointed chain and is reported lost.
    let count = original.len();
    env.trail(&repo, ["recover"]).assert_code(1).assert_stderr_has(&format!(
        "records {}..{} were lost",
        count + 1,
        count + 1
    ));
    assert_eq!(export(&env, &repo), before);
    env.trail_ok(&repo, ["verify", "--against", "origin"]);

    // The untouched journal of another clone compares fine (the check can pass).
    let bob = clone_with_trail(&env, "bob", &origin);
    env.trail_ok(&bob, ["sync", "push"]);
    let fine = env.trail_ok(&bob, ["verify", "--against", "origin"]);
    assert!(
        fine.stdout_str().contains("the local journal contains every record origin holds"),
        "{fine}"
    );
}

// ---------------------------------------------------------------------------
// 3. The server keeps refs/trail/* append-only
// ---------------------------------------------------------------------------

/// A segment whose `why` in its first record with one is changed and whose
/// hash chain is recomputed from `prev` on, with a statement signed by `key`:
/// consistent in itself, but not signed by the chain's key.
fn resigned(link: &Link, key: &trail_policy::PrivateKey) -> (Vec<u8>, Vec<u8>) {
    let mut lines: Vec<Value> = parse_json_lines(&link.segment);
    let target = lines.iter().position(|r| r.get("why").is_some()).expect("a record with a why");
    lines[target]["why"] = Value::from("re-signed by someone else");
    let mut prev = link.statement["prev"].as_str().expect("prev").to_owned();
    let mut segment = Vec::new();
    for record in &mut lines {
        record["prev"] = Value::from(prev.as_str());
        prev = record_hash(record);
        record["hash"] = Value::from(prev.as_str());
        segment.extend(canonical(record));
        segment.push(b'\n');
    }
    let mut statement = link.statement.clone();
    statement["hash"] = Value::from(prev.as_str());
    statement["records"] = Value::from(sha256_hex(&segment));
    statement["key"] = Value::from(key.public().to_line());
    statement.as_object_mut().expect("an object").remove("sig");
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend(canonical(&statement));
    statement["sig"] = Value::from(b64url(&key.sign(&message)));
    let mut bytes = canonical(&statement);
    bytes.push(b'\n');
    (bytes, segment)
}

#[test]
fn the_server_refuses_rewrites_deletions_and_forged_journals() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let ada = clone_with_trail(&env, "ada", &origin);
    commit(&env, &ada, "a.txt", "1\n", "ada's second commit");
    env.trail_ok(&ada, ["sync", "push"]);
    let id = store_id(&env, &ada);
    let name = format!("refs/trail/clones/{id}");
    let held = ref_of(&env, &origin, &name).expect("the chain is on the remote");
    assert!(chain(&env, &ada, &held).len() >= 2, "a chain of at least two checkpoints");

    #[track_caller]
    fn assert_refused(
        env: &TestEnv,
        repo: &Path,
        origin: &Path,
        args: &[&str],
        needle: &str,
        refname: &str,
        held: Option<&str>,
    ) {
        let out = env.git(repo, args);
        assert_ne!(out.status, Some(0), "the server must refuse:\n{out}");
        out.assert_stderr_has("hook declined").assert_stderr_has(needle);
        assert_eq!(
            ref_of(env, origin, refname).as_deref(),
            held,
            "{refname} on the remote did not move:\n{out}"
        );
    }

    // A non-fast-forward (forced): back to an older checkpoint.
    assert_refused(
        &env,
        &ada,
        &origin,
        &["push", "origin", &format!("+refs/trail/journal~1:{name}")],
        "not a fast-forward",
        &name,
        Some(&held),
    );
    // A deletion.
    assert_refused(
        &env,
        &ada,
        &origin,
        &["push", "origin", &format!(":{name}")],
        "never deleted",
        &name,
        Some(&held),
    );

    // Another store's chain under this store's name, and under the name of a
    // store the server has not seen yet.
    let bob = clone_with_trail(&env, "bob", &origin);
    env.trail_ok(&bob, ["sync", "checkpoint"]);
    let bob_id = store_id(&env, &bob);
    assert_refused(
        &env,
        &bob,
        &origin,
        &["push", "origin", &format!("+refs/trail/journal:{name}")],
        "refused",
        &name,
        Some(&held),
    );
    let unseen = "0123456789abcdef0123456789abcdef";
    let unseen_name = format!("refs/trail/clones/{unseen}");
    assert_refused(
        &env,
        &bob,
        &origin,
        &["push", "origin", &format!("refs/trail/journal:{unseen_name}")],
        &format!("is a checkpoint of store {bob_id}, not of {unseen}"),
        &unseen_name,
        None,
    );

    // A new checkpoint whose segment was tampered with, pushed as a fast-forward.
    commit(&env, &ada, "a.txt", "2\n", "ada's third commit");
    let links = chain(&env, &ada, "refs/trail/journal");
    let newest = links.last().expect("a checkpoint");
    assert_eq!(
        newest.parents,
        std::slice::from_ref(&held),
        "the new checkpoint continues the pushed chain"
    );
    let tampered = forge_link(
        &env,
        &ada,
        Some(&held),
        &newest.statement_bytes,
        &with_why_changed(&newest.segment, "changed before the push"),
    );
    assert_refused(
        &env,
        &ada,
        &origin,
        &["push", "origin", &format!("{tampered}:{name}")],
        "does not verify",
        &name,
        Some(&held),
    );
    // The same, consistent in itself but signed by a key that is not the chain's.
    let stranger = trail_policy::PrivateKey::from_secret_bytes(&[7; 32]);
    let (statement, segment) = resigned(newest, &stranger);
    let forged = forge_link(&env, &ada, Some(&held), &statement, &segment);
    assert_refused(
        &env,
        &ada,
        &origin,
        &["push", "origin", &format!("{forged}:{name}")],
        "but the chain's key is",
        &name,
        Some(&held),
    );

    // Any other refs/trail/* ref is refused outright (issue 17: a name there
    // was a staging area for unchecked commits): created, moved or deleted.
    for args in [
        ["push", "origin", "refs/trail/journal~1:refs/trail/journal"],
        ["push", "origin", "refs/trail/journal:refs/trail/x"],
        ["push", "origin", "refs/trail/journal:refs/trail/saves"],
    ] {
        assert_refused(&env, &ada, &origin, &args, "(trail ref check)", "refs/trail/journal", None);
    }
    assert_eq!(ref_of(&env, &origin, "refs/trail/x"), None);
    assert_eq!(ref_of(&env, &origin, "refs/trail/saves"), None);

    // The honest push still goes through: the refusals were not the server refusing everything.
    env.trail_ok(&ada, ["sync", "push"]);
    assert_eq!(ref_of(&env, &origin, &name), ref_of(&env, &ada, "refs/trail/journal"));
}

// ---------------------------------------------------------------------------
// 4. Recovery
// ---------------------------------------------------------------------------

/// The seq of the last checkpoint on `refs/trail/journal`.
fn checkpointed(env: &TestEnv, repo: &Path) -> u64 {
    let statement: Value =
        serde_json::from_str(&env.git_ok(repo, ["show", "refs/trail/journal:checkpoint.json"]))
            .expect("checkpoint.json is JSON");
    statement["seq"].as_u64().expect("seq")
}

/// The stores `trail recover` set aside (`.git/trail/journal.damaged-*`).
fn kept_stores(repo: &Path) -> Vec<PathBuf> {
    let mut kept: Vec<PathBuf> = std::fs::read_dir(repo.join(".git/trail"))
        .expect("read .git/trail")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("journal.damaged-"))
        })
        .collect();
    kept.sort();
    kept
}

#[test]
fn a_deleted_store_is_recovered_from_its_checkpoints_with_nothing_lost() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "second");
    commit(&env, &repo, "a.txt", "2\n", "third");
    let before = export(&env, &repo);
    let count = split_lines(&before).len() as u64;
    assert_eq!(checkpointed(&env, &repo), count, "the last commit checkpointed everything");
    let tip = ref_of(&env, &repo, "refs/trail/journal").expect("a chain");

    common::remove_trail_dir(&repo, &journal_dir(&repo));
    // A new, unrelated store would never continue the chain: init refuses.
    env.trail(&repo, ["init"]).assert_code(1).assert_stderr_has("trail recover");
    assert!(!journal_dir(&repo).join("conf").exists(), "init created no store");

    let out = env.trail(&repo, ["recover"]);
    out.assert_code(0)
        .assert_stderr_has(&format!(
            "recovered {count} records (seq 1..{count}) from refs/trail/journal"
        ))
        .assert_stderr_has("nothing was lost");
    assert_eq!(export(&env, &repo), before, "every record is back, byte for byte");
    env.trail_ok(&repo, ["verify"]);

    // The recovered store goes on where the old one stopped, and so does its chain.
    commit(&env, &repo, "a.txt", "3\n", "fourth");
    env.trail_ok(&repo, ["verify"]);
    let links = chain(&env, &repo, "refs/trail/journal");
    let newest = links.last().expect("a checkpoint");
    assert_eq!(newest.parents, [tip], "the chain continues");
    assert_eq!(newest.statement["first"].as_u64(), Some(count + 1));
    let after = export(&env, &repo);
    assert!(after.starts_with(&before));
}

#[test]
fn a_store_and_its_chain_both_deleted_are_recovered_from_the_remote() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "second");
    env.trail_ok(&repo, ["sync", "push"]);
    let id = store_id(&env, &repo);
    let before = export(&env, &repo);
    let count = split_lines(&before).len();

    common::remove_trail_dir(&repo, &journal_dir(&repo));
    std::fs::remove_file(mark_file(&repo)).expect("delete the high-water mark");
    env.git_ok(&repo, ["update-ref", "-d", "refs/trail/journal"]);
    env.trail(&repo, ["recover"])
        .assert_code(1)
        .assert_stderr_has("there are no checkpoints to recover from");

    let out = env.trail(&repo, ["recover", "--from", "origin"]);
    out.assert_code(0).assert_stderr_has(&format!(
        "recovered {count} records (seq 1..{count}) from origin (refs/trail/clones/{id})"
    ));
    assert_eq!(export(&env, &repo), before, "every record is back, byte for byte");
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(
        ref_of(&env, &repo, "refs/trail/journal"),
        ref_of(&env, &origin, &format!("refs/trail/clones/{id}")),
        "refs/trail/journal follows the remote's chain again"
    );
    // New checkpoints continue it: the server (which refuses any rewrite) takes them.
    commit(&env, &repo, "a.txt", "2\n", "third");
    env.trail_ok(&repo, ["sync", "push"]);
    env.trail_ok(&repo, ["verify", "--against", "origin"]);
}

#[test]
fn a_store_damaged_on_disk_is_rebuilt_and_the_damaged_copy_kept() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    let why = "a rationale that is easy to find on disk";
    commit(&env, &repo, "a.txt", "1\n", why);
    commit(&env, &repo, "a.txt", "2\n", "third");
    let before = export(&env, &repo);

    // One byte of a record flipped in sled's db file (as in cli_journal.rs).
    let db = journal_dir(&repo).join("db");
    let mut bytes = std::fs::read(&db).expect("read db");
    let at =
        bytes.windows(why.len()).position(|w| w == why.as_bytes()).expect("the why in the db file");
    bytes[at + 4] ^= 0x20;
    std::fs::write(&db, &bytes).expect("write db");
    let broken = env.trail(&repo, ["verify"]);
    broken.assert_no_panic();
    assert_ne!(broken.status, Some(0), "the damage is noticed:\n{broken}");

    let out = env.trail(&repo, ["recover"]);
    out.assert_code(0)
        .assert_stderr_has("the damaged journal is kept at")
        .assert_stderr_has("nothing was lost");
    assert_eq!(export(&env, &repo), before, "every record is back, byte for byte");
    env.trail_ok(&repo, ["verify"]);
    let kept = kept_stores(&repo);
    assert_eq!(kept.len(), 1, "one damaged store kept: {kept:?}");
    assert!(out.stderr.contains(&kept[0].display().to_string()), "the message names it:\n{out}");
    assert!(
        kept[0].join("conf").is_file() && kept[0].join("db").is_file(),
        "the whole store is kept"
    );
}

#[test]
fn records_after_the_last_checkpoint_are_salvaged_or_reported_lost() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "second");
    // post-checkout records the branch switch; no checkpoint until the next commit.
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    let before = export(&env, &repo);
    let count = split_lines(&before).len() as u64;
    let sealed = checkpointed(&env, &repo);
    assert!(count > sealed, "records after the last checkpoint ({sealed} of {count})");

    // Nothing wrong: nothing to do.
    env.trail_ok(&repo, ["recover"]).assert_stderr_has("nothing to recover");
    assert!(kept_stores(&repo).is_empty());
    // Forced: the store is rebuilt from the checkpoints plus what the old store
    // holds after them.
    let out = env.trail(&repo, ["recover", "--force"]);
    out.assert_code(0).assert_stderr_has(&format!(
        "added {} records recorded after the last checkpoint (seq {}..{count})",
        count - sealed,
        sealed + 1
    ));
    assert_eq!(export(&env, &repo), before);
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(kept_stores(&repo).len(), 1, "the replaced store is kept");

    // More records after the (now later) last checkpoint, then the store is gone.
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    let before = export(&env, &repo);
    let count = split_lines(&before).len() as u64;
    let sealed = checkpointed(&env, &repo);
    assert!(count > sealed, "records after the last checkpoint ({sealed} of {count})");
    common::remove_trail_dir(&repo, &journal_dir(&repo));
    let out = env.trail(&repo, ["recover"]);
    out.assert_code(1).assert_stderr_has(&format!("records {}..{count} were lost", sealed + 1));
    // Issue 18 (16): recover did not say that `trail import` brings back the
    // commit records among the lost.
    out.assert_stderr_has("`trail import` records again the commits among them");
    let lines = split_lines(&before);
    let expected: Vec<u8> =
        lines[..sealed as usize].iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
    assert_eq!(export(&env, &repo), expected, "everything up to the last checkpoint is back");
    env.trail_ok(&repo, ["verify"]);
}

// ---------------------------------------------------------------------------
// 5. A corrupt chain on the remote is reported, not imported
// ---------------------------------------------------------------------------

#[test]
fn a_corrupt_segment_on_the_remote_is_reported_and_not_imported() {
    let env = TestEnv::new();
    // No server hooks: the remote takes whatever is pushed.
    let origin = bare_remote(&env, "origin.git", false);
    let ada = clone_with_trail(&env, "ada", &origin);
    env.trail_ok(&ada, ["sync", "push"]);
    let ada_id = store_id(&env, &ada);
    let name = format!("refs/trail/clones/{ada_id}");
    let bob = clone_with_trail(&env, "bob", &origin);
    env.trail_ok(&bob, ["sync", "push"]);
    let bob_id = store_id(&env, &bob);
    env.trail_ok(&bob, ["sync", "pull"]).assert_stderr_has(&format!("store {ada_id}: "));
    let first_pull = ref_of(&env, &bob, &name).expect("ada's chain was pulled");
    let good: Vec<(String, Vec<u8>)> =
        all_clones(&env, &bob).into_iter().filter(|(s, _)| *s == ada_id).collect();
    assert!(!good.is_empty());

    // Ada goes on; then her newest checkpoint is corrupted on the remote.
    let third = commit(&env, &ada, "a.txt", "1\n", "ada's next commit");
    env.trail_ok(&ada, ["sync", "push"]);
    let links = chain(&env, &origin, &name);
    let newest = links.last().expect("a checkpoint");
    assert_eq!(newest.parents, std::slice::from_ref(&first_pull));
    let corrupt = forge_link(
        &env,
        &origin,
        Some(&first_pull),
        &newest.statement_bytes,
        &with_why_changed(&newest.segment, "changed on the server"),
    );
    env.git_ok(&origin, ["update-ref", &name, &corrupt]);

    // Bob: refused, exit 1; what he pulled before stays, nothing new comes in.
    let out = env.trail(&bob, ["sync", "pull"]);
    out.assert_code(1).assert_stderr_has(&format!("store {ada_id}: NOT IMPORTED"));
    assert_eq!(ref_of(&env, &bob, &name).as_deref(), Some(first_pull.as_str()));
    let seen: Vec<(String, Vec<u8>)> =
        all_clones(&env, &bob).into_iter().filter(|(s, _)| *s == ada_id).collect();
    assert_eq!(seen, good, "the good prefix pulled before, and nothing else");
    assert!(!commit_ids(&seen, &ada_id).contains(&third));

    // A continuation consistent in itself but signed by another key: the key
    // pinned by what was pulled before refuses it.
    let stranger = trail_policy::PrivateKey::from_secret_bytes(&[7; 32]);
    let (statement, segment) = resigned(newest, &stranger);
    let resigned = forge_link(&env, &origin, Some(&first_pull), &statement, &segment);
    env.git_ok(&origin, ["update-ref", &name, &resigned]);
    let out = env.trail(&bob, ["sync", "pull"]);
    out.assert_code(1)
        .assert_stderr_has(&format!("store {ada_id}: NOT IMPORTED"))
        .assert_stderr_has("but the chain's key is");
    assert_eq!(ref_of(&env, &bob, &name).as_deref(), Some(first_pull.as_str()));
    // A chain that drops what was pulled before (the remote's history rewritten).
    let root = &links[0];
    let rewritten = forge_link(&env, &origin, None, &root.statement_bytes, &root.segment);
    let on_top =
        forge_link(&env, &origin, Some(&rewritten), &newest.statement_bytes, &newest.segment);
    env.git_ok(&origin, ["update-ref", &name, &on_top]);
    let out = env.trail(&bob, ["sync", "pull"]);
    out.assert_code(1)
        .assert_stderr_has(&format!("store {ada_id}: NOT IMPORTED"))
        .assert_stderr_has("rewritten");
    assert_eq!(ref_of(&env, &bob, &name).as_deref(), Some(first_pull.as_str()));
    let seen: Vec<(String, Vec<u8>)> =
        all_clones(&env, &bob).into_iter().filter(|(s, _)| *s == ada_id).collect();
    assert_eq!(seen, good, "still the good prefix, and nothing else");

    // Back to the digest-corrupt chain; and bob's chain also shows up under a
    // name that is not its store's.
    env.git_ok(&origin, ["update-ref", &name, &corrupt]);
    let alias = "0123456789abcdef0123456789abcdef";
    let bob_tip = ref_of(&env, &bob, "refs/trail/journal").expect("bob's chain");
    env.git_ok(&bob, ["push", "-q", "origin", &format!("{bob_tip}:refs/trail/clones/{alias}")]);

    // Carol, who never pulled: nothing of ada's nor of the alias, bob's chain
    // still imported.
    let carol = clone_with_trail(&env, "carol", &origin);
    let out = env.trail(&carol, ["sync", "pull"]);
    out.assert_code(1)
        .assert_stderr_has(&format!("store {ada_id}: NOT IMPORTED"))
        .assert_stderr_has(&format!("store {alias}: NOT IMPORTED"))
        .assert_stderr_has(&format!("store {bob_id}: "))
        .assert_stderr_has("2 of 3 journals on origin failed verification");
    assert_eq!(ref_of(&env, &carol, &name), None);
    assert_eq!(ref_of(&env, &carol, &format!("refs/trail/clones/{alias}")), None);
    let seen = all_clones(&env, &carol);
    assert!(
        seen.iter().all(|(s, _)| *s != ada_id && s != alias),
        "nothing of ada's store or the alias"
    );
    let bob_pushed: Vec<u8> = chain(&env, &origin, &format!("refs/trail/clones/{bob_id}"))
        .into_iter()
        .flat_map(|l| l.segment)
        .collect();
    let bob_seen: BTreeSet<(String, Vec<u8>)> =
        seen.into_iter().filter(|(s, _)| *s == bob_id).collect();
    assert_eq!(bob_seen, tagged(&bob_id, &bob_pushed), "every record bob pushed is imported");
}

// ---------------------------------------------------------------------------
// 6. Checkpoints themselves, the key, and [sync]
// ---------------------------------------------------------------------------

#[test]
fn checkpoints_tile_the_journal_and_are_signed_with_the_store_key() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "second");
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    commit(&env, &repo, "a.txt", "2\n", "third");
    let id = store_id(&env, &repo);

    // The key: beside the store, readable by its owner only.
    let key_file = repo.join(".git/trail/journal.key");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&key_file).expect("the key file").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "journal.key mode {:o}", mode & 0o777);
    let key = trail_policy::keys::decode_private_key(
        &std::fs::read_to_string(&key_file).expect("read the key"),
    )
    .expect("a private key")
    .public();

    let export = export(&env, &repo);
    let lines = split_lines(&export);
    let records = parse_json_lines(&export);
    let links = chain(&env, &repo, "refs/trail/journal");
    assert!(links.len() >= 3, "one checkpoint per commit: {links:#?}");
    let mut next = 1u64;
    let mut parent: Option<&str> = None;
    for link in &links {
        let s = &link.statement;
        let what = format!("checkpoint {}: {s}", link.commit);
        assert_eq!(
            link.parents.iter().map(String::as_str).collect::<Vec<_>>(),
            parent.into_iter().collect::<Vec<_>>(),
            "one parent, the checkpoint before: {what}"
        );
        assert_eq!(link.files, ["100644 checkpoint.json", "100644 records.jsonl"], "{what}");
        let mut canonical_bytes = canonical(s);
        canonical_bytes.push(b'\n');
        assert_eq!(link.statement_bytes, canonical_bytes, "canonical JSON and a newline: {what}");
        assert_eq!(s["v"], 1, "{what}");
        assert_eq!(s["type"], "trail.checkpoint", "{what}");
        assert_eq!(s["store"], id.as_str(), "{what}");
        assert_eq!(s["key"], key.to_line().as_str(), "signed with journal.key: {what}");
        let (first, seq) = (s["first"].as_u64().expect("first"), s["seq"].as_u64().expect("seq"));
        assert_eq!(first, next, "the ranges tile the journal: {what}");
        assert!(seq >= first, "{what}");
        let prev = if first == 1 {
            ZEROS
        } else {
            records[first as usize - 2]["hash"].as_str().expect("hash")
        };
        assert_eq!(s["prev"], prev, "{what}");
        assert_eq!(s["hash"], records[seq as usize - 1]["hash"], "{what}");
        let segment: Vec<u8> = lines[first as usize - 1..seq as usize]
            .iter()
            .flat_map(|l| l.iter().copied().chain([b'\n']))
            .collect();
        assert_eq!(
            link.segment, segment,
            "records.jsonl is the export's lines {first}..={seq}: {what}"
        );
        assert_eq!(s["records"], sha256_hex(&link.segment).as_str(), "{what}");
        let time = s["time"].as_str().expect("time");
        assert!(
            time.len() == 30
                && time.ends_with('Z')
                && chrono::DateTime::parse_from_rfc3339(time).is_ok(),
            "UTC with nanoseconds (FORMAT.md §2.3): {what}"
        );
        // The signature, checked here from FORMAT.md alone.
        let mut unsigned = s.clone();
        unsigned.as_object_mut().expect("an object").remove("sig");
        let mut message = SIGNING_CONTEXT.to_vec();
        message.extend(canonical(&unsigned));
        let sig: [u8; 64] =
            b64url_decode(s["sig"].as_str().expect("sig")).try_into().expect("64 bytes");
        assert!(key.verify_strict(&message, &sig), "the signature verifies: {what}");
        next = seq + 1;
        parent = Some(&link.commit);
    }
    assert_eq!(next - 1, records.len() as u64, "the last commit's checkpoint reaches the head");
}

#[test]
fn checkpoints_false_writes_none() {
    let env = TestEnv::new();
    let repo = env.dir("quiet");
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo, "trail.toml", "[sync]\ncheckpoints = false\n");
    env.trail_ok(&repo, ["init"]);
    commit(&env, &repo, "a.txt", "1\n", "first");
    commit(&env, &repo, "a.txt", "2\n", "second");
    let records = records(&env, &repo);
    assert_eq!(
        records.iter().filter(|r| r["kind"] == "commit").count(),
        2,
        "the commits are recorded"
    );
    assert_eq!(ref_of(&env, &repo, "refs/trail/journal"), None, "no checkpoint was written");
    assert_eq!(env.git_ok(&repo, ["for-each-ref", "refs/trail/"]), "", "nothing under refs/trail");
}

#[test]
fn sync_auto_pushes_the_checkpoints_with_git_push() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let repo = clone_with_trail(&env, "ada", &origin);
    let id = store_id(&env, &repo);
    let name = format!("refs/trail/clones/{id}");
    env.git_ok(&repo, ["push", "-q", "origin", "main"]);
    assert_eq!(ref_of(&env, &origin, &name), None, "[sync] auto is off by default");

    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("trail.toml");
    assert!(policy.contains("auto = false"), "{policy}");
    write(&repo, "trail.toml", &policy.replace("auto = false", "auto = true"));
    commit(&env, &repo, "a.txt", "1\n", "push the journal too");
    env.git_ok(&repo, ["push", "-q", "origin", "main"]);
    assert_eq!(
        ref_of(&env, &origin, &name),
        ref_of(&env, &repo, "refs/trail/journal"),
        "pushed with the branch"
    );
}

#[test]
fn verify_against_reports_checkpointed_records_missing_locally() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "second");
    env.trail_ok(&repo, ["sync", "push"]);
    let count = split_lines(&export(&env, &repo)).len();
    // The store rebuilt from an older checkpoint: a shorter, valid journal.
    let older = chain(&env, &repo, "refs/trail/journal~1");
    let sealed = older.last().expect("a checkpoint").statement["seq"].as_u64().expect("seq");
    env.git_ok(&repo, ["update-ref", "refs/trail/journal", "refs/trail/journal~1"]);
    common::remove_trail_dir(&repo, &journal_dir(&repo));
    std::fs::remove_file(mark_file(&repo)).expect("delete the high-water mark");
    env.trail_ok(&repo, ["recover"]);
    env.trail_ok(&repo, ["verify"]);

    let out = env.trail(&repo, ["verify", "--against", "origin"]);
    out.assert_code(1).assert_stderr_has(&format!(
        "the local journal ends at seq {sealed}, but origin holds checkpointed records up to seq {count}: records {} and after are missing locally",
        sealed + 1
    ));
    // And `recover --from` brings them back.
    env.trail_ok(&repo, ["recover", "--from", "origin"]);
    env.trail_ok(&repo, ["verify", "--against", "origin"]);
    assert_eq!(split_lines(&export(&env, &repo)).len(), count);
}

// ---------------------------------------------------------------------------
// Regressions: bugs these tests found in trail recover, now fixed
// ---------------------------------------------------------------------------

// The store set aside is named journal.damaged-<UTC second>: when a store
// was already set aside under that name (two `trail recover --force` within
// one second), the rename failed ("Directory not empty", exit 3) and
// journal.recovering was left behind. Now the second gets a `-2` suffix.
#[test]
fn regression_two_recoveries_in_one_second_collide_on_the_kept_name() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    let before = export(&env, &repo);
    // Stores kept by earlier recoveries under every name the next one can
    // pick in the coming minute (what a recovery earlier in the same second leaves).
    let now = chrono::Utc::now();
    for second in 0..60 {
        let stamp = (now + chrono::Duration::seconds(second)).format("%Y%m%dT%H%M%SZ");
        let kept = repo.join(format!(".git/trail/journal.damaged-{stamp}"));
        std::fs::create_dir_all(&kept).expect("create a kept store");
        std::fs::write(kept.join("conf"), "kept\n").expect("write into it");
    }
    let out = env.trail(&repo, ["recover", "--force"]);
    out.assert_code(0);
    assert!(
        !repo.join(".git/trail/journal.recovering").exists(),
        "no half-built store left behind"
    );
    assert_eq!(
        kept_stores(&repo).len(),
        61,
        "every kept store stays, and the replaced one is kept too"
    );
    assert_eq!(export(&env, &repo), before);
}

// `trail recover --from REMOTE` fetches into refs/trail/recover/<id> and
// left the ref there (`verify --against` and `sync pull` remove their
// staging refs; now it does too); a later push of refs/trail/* would carry it, and a server
// with trail's hooks never lets it be deleted again.
#[test]
fn regression_recover_from_a_remote_leaves_its_staging_ref() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    env.trail_ok(&repo, ["sync", "push"]);
    common::remove_trail_dir(&repo, &journal_dir(&repo));
    env.trail_ok(&repo, ["recover", "--from", "origin"]);
    env.trail_ok(&repo, ["verify", "--against", "origin"]);
    env.trail(&repo, ["sync", "pull"]).assert_code(0);
    let left = env.git_ok(&repo, ["for-each-ref", "--format=%(refname)", "refs/trail/"]);
    assert_eq!(left, "refs/trail/journal", "only the store's own chain remains");
}

// ---------------------------------------------------------------------------
// 8. `trail verify --all-clones`: every chain held here, no store needed
// ---------------------------------------------------------------------------

/// `trail verify --all-clones --json`, one object per journal, by ref.
fn verify_all(env: &TestEnv, repo: &Path) -> Vec<Value> {
    env.trail_json(repo, ["verify", "--all-clones", "--json"])
}

/// The hash of the last record of `export`.
fn last_hash(export: &[u8]) -> String {
    let last = split_lines(export).pop().expect("a record").to_vec();
    let record: Value = serde_json::from_slice(&last).expect("a record");
    record["hash"].as_str().expect("hash").to_owned()
}

#[test]
fn verify_all_clones_passes_on_synced_clones_and_in_a_checkout_without_a_store() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let ada = clone_with_trail(&env, "ada", &origin);
    commit(&env, &ada, "ada.txt", "one\n", "ada's second commit");
    let bob = clone_with_trail(&env, "bob", &origin);
    let (ada_id, bob_id) = (store_id(&env, &ada), store_id(&env, &bob));
    env.trail_ok(&ada, ["sync", "push"]);
    env.trail_ok(&bob, ["sync", "push"]);
    env.trail_ok(&ada, ["sync", "pull"]);
    let (ada_export, bob_export) = (export(&env, &ada), export(&env, &bob));

    // In ada's clone: her own refs/trail/journal, and bob's pulled chain.
    let out = env.trail_ok(&ada, ["verify", "--all-clones"]);
    let text = out.stdout_str();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one line per journal:\n{out}");
    let ada_records = split_lines(&ada_export).len();
    let bob_records = split_lines(&bob_export).len();
    assert_eq!(
        lines[0],
        format!(
            "ok: store {ada_id} (refs/trail/journal, this clone): {ada_records} records up to seq {ada_records}, 2 checkpoint commits"
        ),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "ok: store {bob_id} (refs/trail/clones/{bob_id}): {bob_records} records up to seq {bob_records}"
        )),
        "{out}"
    );
    out.assert_stderr_has("all 2 journals verified");

    let json = verify_all(&env, &ada);
    assert_eq!(json.len(), 2, "{json:?}");
    for (value, id, own, reference, export) in [
        (&json[0], &ada_id, true, "refs/trail/journal".to_owned(), &ada_export),
        (&json[1], &bob_id, false, format!("refs/trail/clones/{bob_id}"), &bob_export),
    ] {
        let records = split_lines(export).len() as u64;
        assert_eq!(value["ok"], true, "{value}");
        assert_eq!(value["store"], id.as_str(), "{value}");
        assert_eq!(value["ref"], reference.as_str(), "{value}");
        assert_eq!(value["own"], own, "{value}");
        assert_eq!(value["records"].as_u64(), Some(records), "{value}");
        assert_eq!(value["head_seq"].as_u64(), Some(records), "{value}");
        assert_eq!(value["head_hash"], last_hash(export).as_str(), "{value}");
        assert!(value["commits"].as_u64().is_some_and(|c| c >= 1), "{value}");
        assert!(value["key"].as_str().is_some_and(|k| k.starts_with("ed25519:")), "{value}");
        assert!(value["last_checkpoint_time"].is_string(), "{value}");
        assert!(value["first_bad_seq"].is_null() && value["problem"].is_null(), "{value}");
    }
    // -q: nothing at all when every journal verifies.
    let quiet = env.trail_ok(&ada, ["verify", "--all-clones", "-q"]);
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty(), "{quiet}");
    // --all-clones does not combine with --against (that compares the local store).
    env.trail(&ada, ["verify", "--all-clones", "--against", "origin"]).assert_code(2);

    // A CI checkout: no store, no refs/trail/* until they are fetched.
    let ci = env.dir("ci");
    env.git_ok(&ci, ["init", "-q", "-b", "main"]);
    env.git_ok(&ci, ["remote", "add", "origin", origin.to_str().expect("a UTF-8 temp path")]);
    let nothing = env.trail_ok(&ci, ["verify", "--all-clones"]);
    assert!(nothing.stdout.is_empty(), "{nothing}");
    nothing
        .assert_stderr_has("nothing to verify")
        .assert_stderr_has("trail sync pull")
        .assert_stderr_has("git fetch origin 'refs/trail/*:refs/trail/*'");
    // The message survives -q: it is what a CI log must show.
    env.trail_ok(&ci, ["verify", "--all-clones", "-q"]).assert_stderr_has("nothing to verify");
    assert!(env.trail_json(&ci, ["verify", "--all-clones", "--json"]).is_empty());

    env.git_ok(&ci, ["fetch", "-q", "origin", "refs/trail/*:refs/trail/*"]);
    let json = verify_all(&env, &ci);
    let stores: BTreeSet<&str> = json.iter().map(|v| v["store"].as_str().expect("store")).collect();
    assert_eq!(stores, BTreeSet::from([ada_id.as_str(), bob_id.as_str()]), "{json:?}");
    assert!(json.iter().all(|v| v["ok"] == true && v["own"] == false), "{json:?}");
    assert!(!ci.join(".git/trail/journal").exists(), "verify --all-clones created no store");
}

#[test]
fn verify_all_clones_fails_naming_the_journal_whose_pulled_segment_is_corrupt() {
    let env = TestEnv::new();
    // No server hooks: the remote takes whatever is pushed.
    let origin = bare_remote(&env, "origin.git", false);
    let ada = clone_with_trail(&env, "ada", &origin);
    commit(&env, &ada, "a.txt", "1\n", "ada's next commit");
    env.trail_ok(&ada, ["sync", "push"]);
    let ada_id = store_id(&env, &ada);
    let name = format!("refs/trail/clones/{ada_id}");
    let bob = clone_with_trail(&env, "bob", &origin);
    let bob_id = store_id(&env, &bob);
    env.trail_ok(&bob, ["sync", "pull"]);
    env.trail_ok(&bob, ["verify", "--all-clones"]);

    // Ada's chain as bob pulled it is corrupted in bob's repository (a bad
    // disk, or someone with access to it): one record's why changed.
    let links = chain(&env, &bob, &name);
    let newest = links.last().expect("a checkpoint");
    let corrupt = forge_link(
        &env,
        &bob,
        newest.parents.first().map(String::as_str),
        &newest.statement_bytes,
        &with_why_changed(&newest.segment, "changed after the pull"),
    );
    env.git_ok(&bob, ["update-ref", &name, &corrupt]);

    let out = env.trail(&bob, ["verify", "--all-clones"]);
    out.assert_code(1).assert_stderr_has(&format!(
        "1 of 2 journals failed verification: store {ada_id} ({name})"
    ));
    let text = out.stdout_str();
    assert!(
        text.lines().any(|l| l.starts_with(&format!("FAILED: store {ada_id} ({name}): commit "))
            && l.contains("SHA-256")),
        "{out}"
    );
    assert!(text.lines().any(|l| l.starts_with(&format!("ok: store {bob_id} "))), "{out}");
    // -q: only the failure.
    let quiet = env.trail(&bob, ["verify", "--all-clones", "-q"]);
    quiet.assert_code(1).assert_stderr_has(&ada_id);
    assert_eq!(quiet.stdout_str().lines().count(), 1, "{quiet}");

    let json = env.trail(&bob, ["verify", "--all-clones", "--json"]);
    json.assert_code(1);
    let values = json.json_lines();
    let bad = values.iter().find(|v| v["store"] == ada_id.as_str()).expect("ada's journal");
    assert_eq!(bad["ok"], false, "{bad}");
    assert_eq!(bad["ref"], name.as_str(), "{bad}");
    assert!(bad["problem"].as_str().is_some_and(|p| p.contains("SHA-256")), "{bad}");
    assert!(bad["records"].is_null() && bad["head_seq"].is_null(), "{bad}");
    let good = values.iter().find(|v| v["store"] == bob_id.as_str()).expect("bob's journal");
    assert_eq!(good["ok"], true, "{good}");

    // Signed with ada's own key over a record whose content no longer
    // matches its hash: the failure names that record's seq.
    let key = trail_policy::keys::decode_private_key(
        &std::fs::read_to_string(ada.join(".git/trail/journal.key")).expect("ada's store key"),
    )
    .expect("a private key");
    let mut records = parse_json_lines(&newest.segment);
    let target = records.iter().position(|r| r.get("why").is_some()).expect("a record with a why");
    let bad_seq = records[target]["seq"].as_u64().expect("seq");
    records[target]["why"] = Value::from("rewritten, hash left as it was");
    let mut segment = Vec::new();
    for record in &records {
        segment.extend(canonical(record));
        segment.push(b'\n');
    }
    let mut statement = newest.statement.clone();
    statement["records"] = Value::from(sha256_hex(&segment));
    statement.as_object_mut().expect("an object").remove("sig");
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend(canonical(&statement));
    statement["sig"] = Value::from(b64url(&key.sign(&message)));
    let mut statement_bytes = canonical(&statement);
    statement_bytes.push(b'\n');
    let forged = forge_link(
        &env,
        &bob,
        newest.parents.first().map(String::as_str),
        &statement_bytes,
        &segment,
    );
    env.git_ok(&bob, ["update-ref", &name, &forged]);
    let json = env.trail(&bob, ["verify", "--all-clones", "--json"]);
    json.assert_code(1).assert_stderr_has(&ada_id);
    let values = json.json_lines();
    let bad = values.iter().find(|v| v["store"] == ada_id.as_str()).expect("ada's journal");
    assert_eq!(bad["ok"], false, "{bad}");
    assert_eq!(bad["first_bad_seq"].as_u64(), Some(bad_seq), "{bad}");
    assert!(
        bad["problem"].as_str().is_some_and(|p| p.contains("hash does not match content")),
        "{bad}"
    );
}

#[test]
fn sync_push_pull_and_checkpoint_print_json() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", true);
    let ada = clone_with_trail(&env, "ada", &origin);
    let ada_id = store_id(&env, &ada);

    // checkpoint: nothing new (the commit's hook wrote one)...
    let seq = checkpointed(&env, &ada);
    assert_eq!(
        env.trail_json(&ada, ["sync", "checkpoint", "--json"]),
        [serde_json::json!({"written": false, "first_seq": null, "seq": seq, "commits": 0})]
    );
    // ... then records the hooks did not checkpoint ([sync] checkpoints = false).
    write(&ada, "trail.toml", "[sync]\ncheckpoints = false\n");
    commit(&env, &ada, "a.txt", "1\n", "not checkpointed");
    assert_eq!(checkpointed(&env, &ada), seq, "the hooks wrote no checkpoint");
    let head = split_lines(&export(&env, &ada)).len() as u64;
    assert!(head > seq);
    assert_eq!(
        env.trail_json(&ada, ["sync", "checkpoint", "--json"]),
        [serde_json::json!({"written": true, "first_seq": seq + 1, "seq": head, "commits": 1})]
    );

    // push: the store, the remote, what was pushed.
    let pushed = env.trail_json(&ada, ["sync", "push", "--json"]);
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    let pushed = &pushed[0];
    assert_eq!(pushed["store"], ada_id.as_str(), "{pushed}");
    assert_eq!(pushed["remote"], "origin", "{pushed}");
    assert_eq!(pushed["pushed"], true, "{pushed}");
    assert_eq!(pushed["head_seq"].as_u64(), Some(checkpointed(&env, &ada)), "{pushed}");
    assert!(pushed.get("checkpoint").is_some(), "{pushed}");

    // pull: one object per journal on the remote.
    let bob = clone_with_trail(&env, "bob", &origin);
    let bob_id = store_id(&env, &bob);
    env.trail_ok(&bob, ["sync", "push"]);
    let pulled = env.trail_json(&bob, ["sync", "pull", "--json"]);
    let ada_seq = checkpointed(&env, &ada);
    let of = |values: &[Value], id: &str| -> Value {
        values.iter().find(|v| v["store"] == id).cloned().unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(pulled.len(), 2, "{pulled:?}");
    assert_eq!(
        of(&pulled, &ada_id),
        serde_json::json!({"store": ada_id, "status": "imported", "head_seq": ada_seq,
            "first_seq": 1, "records": ada_seq, "problem": null})
    );
    assert_eq!(of(&pulled, &bob_id)["status"], "this_clone");
    let again = env.trail_json(&bob, ["sync", "pull", "--json"]);
    assert_eq!(of(&again, &ada_id)["status"], "up_to_date");
    assert_eq!(of(&again, &ada_id)["records"], 0);
}

#[test]
fn a_commit_made_on_a_damaged_store_waits_in_the_spool_and_recover_writes_it() {
    let env = TestEnv::new();
    let origin = bare_remote(&env, "origin.git", false);
    let repo = clone_with_trail(&env, "ada", &origin);
    commit(&env, &repo, "a.txt", "1\n", "before the damage");
    // The store's file cut short: every open fails.
    let db = journal_dir(&repo).join("db");
    let file = std::fs::OpenOptions::new().write(true).open(&db).expect("open db");
    file.set_len(2000).expect("truncate db");
    drop(file);

    write(&repo, "a.txt", "1\n2\n");
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-am", "on a damaged store"])
        .env("TRAIL_WHY", "made while the journal was damaged")
        .env("TRAIL_IMPACT", "none");
    let since = drain_log_len(&repo);
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    // The drainer post-commit started cannot open the store: it says so,
    // and that the record waits in the spool.
    let said = wait_for_drainer_since(&repo, since);
    assert!(said.contains("pending/spool"), "{said}");
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    let spool = repo.join(".git/trail/pending/spool");
    let waiting: Vec<PathBuf> = std::fs::read_dir(&spool)
        .expect("the spool exists")
        .map(|e| e.expect("a spool entry").path())
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let spooled = std::fs::read(&waiting[0]).expect("read the spooled record");

    env.trail_ok(&repo, ["recover"])
        .assert_stderr_has("wrote 1 record that waited in .git/trail/pending/spool");
    let found = env.trail_ok(&repo, ["log", "--commit", &head, "--json"]).json_lines();
    assert_eq!(found.len(), 1, "the commit is in the journal once: {found:#?}");
    assert_eq!(found[0]["why"], "made while the journal was damaged");
    env.trail_ok(&repo, ["verify"]);
    let status = env.trail_ok(&repo, ["status"]).stdout_str();
    assert!(!status.contains("waiting"), "{status}");

    // A record still waiting is shown by status and doctor; the next commit
    // writes it, and a commit the journal already has is not written twice.
    std::fs::write(&waiting[0], &spooled).expect("put the record back in the spool");
    let status = env.trail_ok(&repo, ["status"]).stdout_str();
    assert!(status.contains("waiting    1 record in "), "{status}");
    assert_eq!(env.trail_json(&repo, ["status", "--json"])[0]["spooled"], 1);
    let doctor = env.trail(&repo, ["doctor", "--no-verify"]);
    assert!(
        doctor.stdout_str().contains("1 record in .git/trail/pending/spool not in the journal yet"),
        "{doctor}"
    );
    commit(&env, &repo, "b.txt", "b\n", "after the recovery");
    assert_eq!(env.trail_ok(&repo, ["log", "--commit", &head, "--json"]).json_lines().len(), 1);
    assert!(!env.trail_ok(&repo, ["status"]).stdout_str().contains("waiting"));
}
