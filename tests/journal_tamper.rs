//! Tampering with the journal that the repository itself proves (issue 18,
//! items 1-6): local `trail verify` compares the store with the signed
//! checkpoints on `refs/trail/journal` — store id, and the seq and hash of
//! every checkpoint — so truncation, rollback, another store and a rewrite
//! are named without any remote; a reindex never hides a finding; two uses
//! of a single-use token are a finding; and a new store put where another
//! was is recorded (`store.created`).
//!
//! The tampering is done as an attacker with write access to `.git/trail`
//! would: opening the sled store directly, or copying and replacing the
//! directory. Each test is named after the case it replays.

mod common;

use std::path::{Path, PathBuf};

use common::protect::{MCP_JSON, MCP_JSON_2, authorize_as, bootstrapped, write};
use common::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use trail_journal::store::meta_keys;
use trail_journal::{LogStore as _, SledStore, index};

// ---------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------

/// Append a line to `file` and commit everything through the hooks, with a
/// rationale.
fn commit(env: &TestEnv, repo: &Path, file: &str, line: &str, why: &str) {
    let path = repo.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(line);
    std::fs::write(&path, text).expect("write a file of the test repository");
    env.git_ok(repo, ["add", "-A"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", why]).env("TRAIL_WHY", why);
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
}

/// A repository with trail and `commits` commits after the first.
fn repo_with_commits(env: &TestEnv, name: &str, commits: usize) -> PathBuf {
    let repo = env.trail_repo(name, "first");
    for n in 0..commits {
        commit(env, &repo, "b.txt", &format!("{n}\n"), &format!("change {n}"));
    }
    // Settled: the tests read and rewrite the store next, and `trail
    // status` does not append what still waits in the spool.
    common::wait_for_drainer(&repo);
    repo
}

/// A bare repository `name` for `repo` to push to, as its `origin`.
fn origin_for(env: &TestEnv, repo: &Path, name: &str) -> PathBuf {
    let remote = env.dir(name);
    env.git_ok(&remote, ["init", "-q", "--bare", "-b", "main"]);
    env.git_ok(repo, ["remote", "add", "origin", remote.to_str().expect("a UTF-8 temp path")]);
    remote
}

/// `trail status --json`, once the drainer of the last commit is done
/// (status shows the journal as it is; it does not drain).
fn status(env: &TestEnv, repo: &Path) -> Value {
    common::wait_for_drainer(repo);
    env.trail_json(repo, ["status", "--json"]).remove(0)
}

/// The journal's head seq, as `trail status` reports it.
fn head_seq(env: &TestEnv, repo: &Path) -> u64 {
    status(env, repo)["records"].as_u64().expect("records")
}

/// The statement of the newest checkpoint on refs/trail/journal, read with git.
fn last_checkpoint(env: &TestEnv, repo: &Path) -> Value {
    let text = env.git_ok(repo, ["show", "refs/trail/journal:checkpoint.json"]);
    serde_json::from_str(&text).expect("checkpoint.json is JSON")
}

fn store_id(env: &TestEnv, repo: &Path) -> String {
    status(env, repo)["store_id"].as_str().expect("a store id").to_owned()
}

/// `cp -a FROM TO`.
fn copy_dir(env: &TestEnv, from: &Path, to: &Path) {
    let mut cmd = env.command("cp", &env.root);
    cmd.arg("-a").arg(from).arg(to);
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "cp failed:\n{out}");
}

/// Put `from` (a copy of a `.git/trail`) in place of `repo`'s `.git/trail`.
fn replace_trail_dir(env: &TestEnv, repo: &Path, from: &Path) {
    let dir = repo.join(".git/trail");
    common::remove_trail_dir(repo, &dir);
    copy_dir(env, from, &dir);
}

/// `trail verify` must fail (exit 1) naming `seq` as the first bad record.
#[track_caller]
fn assert_verify_names(env: &TestEnv, repo: &Path, seq: u64) -> Output {
    let out = env.trail(repo, ["verify"]);
    out.assert_code(1);
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("first bad record is seq"))
        .unwrap_or_else(|| panic!("verify names no first bad record:\n{out}"));
    let named = line.rsplit("seq ").next().expect("a seq");
    let named: String = named.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(named, seq.to_string(), "the first bad seq:\n{out}");
    out
}

// ---------------------------------------------------------------------------
// Tampering, as an attacker with write access to .git/trail
// ---------------------------------------------------------------------------

fn stored_hash(bytes: &[u8]) -> String {
    let value: Value = serde_json::from_slice(bytes).expect("a stored record is JSON");
    value["hash"].as_str().expect("a hash").to_owned()
}

/// Set meta's head and the high-water mark (`journal.head`) to record `seq`:
/// what a careful attacker adjusts along with the records.
fn set_head(store: &SledStore, repo: &Path, seq: u64, hash: &str) {
    let meta = store.tree("meta").expect("meta");
    meta.insert(meta_keys::HEAD_SEQ, &seq.to_be_bytes()).expect("write head_seq");
    meta.insert(meta_keys::HEAD_HASH, hash.as_bytes()).expect("write head_hash");
    // set_meta flushes the whole database.
    store.set_meta("tampered", b"yes").expect("flush");
    std::fs::write(repo.join(".git/trail/journal.head"), format!("{seq} {hash}\n"))
        .expect("write journal.head");
}

/// Remove every record after `keep`, with its index keys, and adjust meta
/// and the mark: a journal that is consistent in itself, only shorter.
fn truncate(repo: &Path, keep: u64) {
    let store = SledStore::open(&common::settled_journal(repo)).expect("open the store");
    let records = store.tree("records").expect("records");
    let gone: Vec<sled::IVec> = records
        .range((keep + 1).to_be_bytes()..)
        .keys()
        .collect::<Result<_, _>>()
        .expect("read the keys");
    assert!(!gone.is_empty(), "there are records after seq {keep}");
    for key in gone {
        records.remove(key).expect("remove a record");
    }
    for name in index::ALL {
        let tree = store.tree(name).expect("an index tree");
        for key in tree.iter().keys() {
            let key = key.expect("read an index key");
            if index::seq_of(&key).is_some_and(|seq| seq > keep) {
                tree.remove(key).expect("remove an index key");
            }
        }
    }
    let bytes = records.get(keep.to_be_bytes()).expect("read").expect("record kept");
    set_head(&store, repo, keep, &stored_hash(&bytes));
}

/// Give `value` (a record without its hash) `prev`, and seal it as trail
/// does: `hash` = SHA-256 of the canonical bytes without `hash`.
fn reseal(value: &mut Value, prev: &str) -> (Vec<u8>, String) {
    let map = value.as_object_mut().expect("a record is an object");
    map.remove("hash");
    map.insert("prev".into(), Value::from(prev));
    let unsigned = trail_journal::canonical::to_vec(value).expect("canonical");
    let hash = hex::encode(Sha256::digest(&unsigned));
    value.as_object_mut().expect("an object").insert("hash".into(), Value::from(hash.as_str()));
    (trail_journal::canonical::to_vec(value).expect("canonical"), hash)
}

/// Rewrite every record from `from` on with `edit`, recomputing every hash
/// so that the chain holds together. With `fix_head`, meta and the mark are
/// adjusted too; the index trees are left as they were.
fn rewrite_from(repo: &Path, from: u64, fix_head: bool, edit: impl Fn(&mut Value)) {
    let store = SledStore::open(&common::settled_journal(repo)).expect("open the store");
    let records = store.tree("records").expect("records");
    let mut prev = match from {
        1 => "0".repeat(64),
        _ => stored_hash(&records.get((from - 1).to_be_bytes()).expect("read").expect("present")),
    };
    let head = store.head().expect("head").seq;
    assert!(head >= from, "the journal reaches seq {from}");
    for seq in from..=head {
        let bytes = records.get(seq.to_be_bytes()).expect("read").expect("present");
        let mut value: Value = serde_json::from_slice(&bytes).expect("JSON");
        edit(&mut value);
        let (sealed, hash) = reseal(&mut value, &prev);
        records.insert(seq.to_be_bytes(), sealed).expect("write");
        prev = hash;
    }
    if fix_head {
        set_head(&store, repo, head, &prev);
    } else {
        store.set_meta("tampered", b"yes").expect("flush");
    }
}

fn set_why(value: &mut Value, why: &str) {
    value.as_object_mut().expect("an object").insert("why".into(), Value::from(why));
}

// ---------------------------------------------------------------------------
// 1. Truncation
// ---------------------------------------------------------------------------

/// Records removed from the tail, with meta and journal.head adjusted, passed
/// `trail verify`, `trail status` and pre-push although refs/trail/journal
/// held a signed checkpoint beyond the new head.
#[test]
fn truncation_is_named_without_a_remote() {
    let env = TestEnv::new();
    let repo = repo_with_commits(&env, "app", 3);
    let remote = origin_for(&env, &repo, "origin.git");
    let head = head_seq(&env, &repo);
    assert_eq!(last_checkpoint(&env, &repo)["seq"], head, "every record is checkpointed");
    env.trail_ok(&repo, ["verify"]);

    let keep = head - 2;
    truncate(&repo, keep);

    let out = assert_verify_names(&env, &repo, keep + 1);
    out.assert_stderr_has(&format!("seq {head}"))
        .assert_stderr_has("refs/trail/journal")
        .assert_stderr_has("removed from its end");
    // `trail status` flags it, in words and in JSON.
    let shown = env.trail_ok(&repo, ["status"]).stdout_str();
    assert!(shown.contains("behind its checkpoint"), "status flags it:\n{shown}");
    let json = status(&env, &repo);
    assert_eq!(json["records"], keep);
    assert!(json["checkpoint"]["problem"].is_string(), "status --json flags it: {json}");
    // pre-push refuses to push it.
    let out = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_ne!(out.status, Some(0), "the push must be refused:\n{out}");
    out.assert_stderr_has("push refused");
    let pushed = env.git(&remote, ["rev-parse", "--verify", "-q", "main"]);
    assert_ne!(pushed.status, Some(0), "nothing reached the remote");
}

// ---------------------------------------------------------------------------
// 2. Rollback
// ---------------------------------------------------------------------------

/// An older copy of .git/trail put back after three more commits passed
/// `trail verify` and `trail status`.
#[test]
fn rollback_of_the_store_is_named() {
    let env = TestEnv::new();
    let repo = repo_with_commits(&env, "app", 1);
    // A copy taken while the drainer still writes would be half a store.
    common::wait_for_drainer(&repo);
    let old_head = head_seq(&env, &repo);
    let saved = env.root.join("trail-copy");
    copy_dir(&env, &repo.join(".git/trail"), &saved);
    for n in 0..3 {
        commit(&env, &repo, "c.txt", &format!("{n}\n"), &format!("later {n}"));
    }
    let head = head_seq(&env, &repo);
    assert!(head > old_head);

    replace_trail_dir(&env, &repo, &saved);
    assert_eq!(head_seq(&env, &repo), old_head, "the old copy is in place");

    let out = assert_verify_names(&env, &repo, old_head + 1);
    out.assert_stderr_has("older copy of the store").assert_stderr_has(&format!("seq {head}"));
    let shown = env.trail_ok(&repo, ["status"]).stdout_str();
    assert!(shown.contains("behind its checkpoint"), "status flags it:\n{shown}");
    // What to do about it: recover brings the records back from the checkpoints.
    out.assert_stderr_has("trail recover");
    env.trail_ok(&repo, ["recover"]);
    assert_eq!(head_seq(&env, &repo), head);
    env.trail_ok(&repo, ["verify"]);
}

// ---------------------------------------------------------------------------
// 3. Another store
// ---------------------------------------------------------------------------

/// .git/trail replaced by another clone's store: `verify` and
/// `verify --against origin` were both ok, although the local
/// refs/trail/journal is the chain of a different store.
#[test]
fn a_foreign_store_is_named() {
    let env = TestEnv::new();
    let ada = repo_with_commits(&env, "ada", 1);
    let remote = origin_for(&env, &ada, "origin.git");
    env.git_ok(&ada, ["push", "-q", "origin", "main"]);
    let ada_id = store_id(&env, &ada);
    // Bob: a clone of the same remote with a store of his own, pushed.
    let bob = env.root.join("bob");
    env.git_ok(&env.root, ["clone", "-q", remote.to_str().expect("utf-8"), "bob"]);
    env.trail_ok(&bob, ["init"]);
    commit(&env, &bob, "bob.txt", "bob\n", "bob's change");
    env.trail_ok(&bob, ["sync", "push"]);
    let bob_id = store_id(&env, &bob);
    assert_ne!(ada_id, bob_id);

    // Ada's .git/trail becomes a copy of bob's.
    replace_trail_dir(&env, &ada, &bob.join(".git/trail"));
    assert_eq!(store_id(&env, &ada), bob_id);

    let out = env.trail(&ada, ["verify"]);
    out.assert_code(1)
        .assert_stderr_has(&format!("this journal is store {bob_id}"))
        .assert_stderr_has(&format!("checkpoints are those of store {ada_id}"));
    let out = env.trail(&ada, ["verify", "--against", "origin"]);
    out.assert_code(1).assert_stderr_has(&format!("checkpoints are those of store {ada_id}"));
    let shown = env.trail_ok(&ada, ["status"]).stdout_str();
    assert!(shown.contains(&format!("store {ada_id}")), "status flags it:\n{shown}");
    // `trail init` does not carry on as if all were well.
    env.trail(&ada, ["init"])
        .assert_code(1)
        .assert_stderr_has(&format!("store {bob_id}"))
        .assert_stderr_has("trail recover");
}

// ---------------------------------------------------------------------------
// 4. A fresh store in place of the old
// ---------------------------------------------------------------------------

/// `rm -rf .git/trail; git update-ref -d refs/trail/journal; trail init`
/// succeeded silently, and after one `trail sync push` the old chain was
/// orphaned on the server with nothing to show that it stopped.
#[test]
fn a_fresh_store_is_recorded_as_store_created() {
    let env = TestEnv::new();
    let repo = repo_with_commits(&env, "app", 1);
    let remote = origin_for(&env, &repo, "origin.git");
    env.trail_ok(&repo, ["sync", "push"]);
    let old = store_id(&env, &repo);

    common::remove_trail_dir(&repo, &repo.join(".git/trail"));
    env.git_ok(&repo, ["update-ref", "-d", "refs/trail/journal"]);
    let out = env.trail_ok(&repo, ["init"]);
    out.assert_stderr_has("store.created").assert_stderr_has(&old);
    let new = store_id(&env, &repo);
    assert_ne!(new, old);

    let records = env.trail_json(&repo, ["log", "--kind", "store.created", "--json"]);
    assert_eq!(records.len(), 1, "one store.created record: {records:?}");
    let previous = &records[0]["detail"]["previous"];
    assert!(
        previous.as_array().is_some_and(|ids| ids.iter().any(|id| id == old.as_str())),
        "it names the earlier store {old}: {}",
        records[0]
    );

    // The server audit: an auditor's clone pulls both chains and sees the
    // new store saying what it replaced.
    env.trail_ok(&repo, ["sync", "push"]);
    let audit = env.root.join("audit.git");
    env.git_ok(&env.root, ["clone", "-q", "--bare", remote.to_str().expect("utf-8"), "audit.git"]);
    env.trail_ok(&audit, ["sync", "pull"]);
    let seen = env.trail_json(&audit, ["log", "--all-clones", "--kind", "store.created", "--json"]);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["store"], new.as_str());
    assert!(
        seen[0]["record"]["detail"]["previous"]
            .as_array()
            .is_some_and(|ids| ids.iter().any(|id| id == old.as_str())),
        "{}",
        seen[0]
    );
    let table = env.trail_ok(&audit, ["log", "--all-clones", "--kind", "store.created"]);
    assert!(table.stdout_str().contains(&old[..8]), "the table names it:\n{table}");

    // The journal lost again, its checkpoints still here: init refuses, and
    // --new-store gives it up in the open.
    commit(&env, &repo, "b.txt", "more\n", "after the new store");
    common::remove_trail_dir(&repo, &repo.join(".git/trail"));
    env.trail(&repo, ["init"])
        .assert_code(1)
        .assert_stderr_has(&format!("store {new}"))
        .assert_stderr_has("trail recover")
        .assert_stderr_has("--new-store");
    let out = env.trail_ok(&repo, ["init", "--new-store"]);
    out.assert_stderr_has(&format!("refs/trail/replaced/{new}"));
    let third = store_id(&env, &repo);
    let records = env.trail_json(&repo, ["log", "--kind", "store.created", "--json"]);
    let previous = records[0]["detail"]["previous"].as_array().expect("previous").clone();
    assert!(previous.iter().any(|id| id == new.as_str()), "{}", records[0]);
    assert!(previous.iter().any(|id| id == old.as_str()), "{}", records[0]);
    assert!(!previous.iter().any(|id| id == third.as_str()), "{}", records[0]);
    let kept = env.git_ok(&repo, ["show", &format!("refs/trail/replaced/{new}:checkpoint.json")]);
    assert!(kept.contains(&new), "the replaced chain is kept: {kept}");
    // The new store checkpoints a chain of its own.
    commit(&env, &repo, "b.txt", "and more\n", "on the third store");
    env.trail_ok(&repo, ["verify"]);
    assert_eq!(last_checkpoint(&env, &repo)["store"], third.as_str());
}

// ---------------------------------------------------------------------------
// 5. Index tampering
// ---------------------------------------------------------------------------

/// Deleting one idx_token key let pre-commit accept a used single-use token;
/// after `trail reindex`, `trail verify` was ok with two auth.used records of
/// one single-use token.
#[test]
fn a_second_use_of_a_single_use_token_is_a_finding() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let token = authorize_as(&env, &repo, "ada", &["--path", ".mcp.json"]);
    let id = trail_policy::Token::parse(&token).expect("a token").id().to_owned();
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    common::protect::commit(&env, &repo, Some(&token), "first use").assert_code(0);
    env.trail_ok(&repo, ["verify"]);

    // The index entry that says the token was used goes.
    {
        let store = SledStore::open(&common::settled_journal(&repo)).expect("open the store");
        let tree = store.tree(index::TOKEN).expect("idx_token");
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let keys: Vec<sled::IVec> =
            tree.scan_prefix(&prefix).keys().collect::<Result<_, _>>().expect("read");
        assert!(!keys.is_empty(), "the token's use is indexed");
        for key in keys {
            tree.remove(key).expect("remove");
        }
        store.set_meta("tampered", b"yes").expect("flush");
    }
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    // pre-commit used to read only the index and accept the token again; git's
    // history (the first commit's `Trail-Authorization:` trailer) still says
    // it was used.
    common::protect::commit(&env, &repo, Some(&token), "second use")
        .assert_code(1)
        .assert_stderr_has("single use");
    // So the attacker goes round the hooks: a commit carrying the token, and
    // an `auth.used` record of it appended to the store by hand.
    let message = format!("second use\n\nTrail-Authorization: {token}\n");
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "--no-verify", "-m", &message]);
    run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let second = env.git_ok(&repo, ["rev-parse", "HEAD"]).trim().to_owned();
    {
        let store = SledStore::open(&common::settled_journal(&repo)).expect("open the store");
        let mut draft = trail_journal::Draft::new(
            trail_journal::kinds::AUTH_USED,
            trail_journal::Source::Hook,
            trail_journal::Timestamp::now(),
        );
        draft.commit = Some(second.clone());
        draft.authorization =
            Some(trail_journal::Authorization { issuer: "forged".into(), token_id: id.clone() });
        store.append(vec![draft]).expect("append the forged use");
    }
    let uses: Vec<u64> = env
        .trail_json(&repo, ["export"])
        .iter()
        .filter(|r| r["kind"] == "auth.used" && r["authorization"]["token_id"] == id.as_str())
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(uses.len(), 2, "two auth.used records of one token");

    // A reindex rebuilds the indexes but does not call the journal intact.
    let out = env.trail(&repo, ["reindex"]);
    out.assert_code(1).assert_stderr_has("NOT intact").assert_stderr_has(&id);
    let out = assert_verify_names(&env, &repo, uses[1]);
    out.assert_stderr_has(&format!("single-use token {id}"));
    let json = env.trail(&repo, ["verify", "--json"]);
    json.assert_code(1);
    assert_eq!(json.json_lines()[0]["first_bad_seq"], uses[1]);
}

// ---------------------------------------------------------------------------
// 6. Misleading findings
// ---------------------------------------------------------------------------

/// A full rewrite that also fixed meta and journal.head was reported as
/// "records are intact but its indexes are not — run `trail reindex`", and
/// reindexing then hid it.
#[test]
fn reindex_never_hides_a_rewrite() {
    let env = TestEnv::new();
    let repo = repo_with_commits(&env, "app", 2);
    // Backdated, every hash recomputed: the time index no longer matches.
    rewrite_from(&repo, 1, true, |record| {
        record["time"] = Value::from("2020-01-01T00:00:00.000000000Z");
    });

    let out = assert_verify_names(&env, &repo, 1);
    out.assert_stderr_has("rewritten");
    assert!(!out.stderr.contains("records are intact"), "not an index problem:\n{out}");
    assert!(!out.stderr.contains("run `trail reindex`"), "not an index problem:\n{out}");

    let out = env.trail(&repo, ["reindex"]);
    out.assert_code(1).assert_stderr_has("NOT intact").assert_stderr_has("seq 1");
    assert_verify_names(&env, &repo, 1).assert_stderr_has("rewritten");
}

/// A rewrite from seq 4 with meta untouched was reported at the head seq.
#[test]
fn a_rewrite_is_named_at_its_first_seq() {
    let env = TestEnv::new();
    let repo = repo_with_commits(&env, "app", 4);
    let head = head_seq(&env, &repo);
    assert!(head > 5, "seq 4 is not the head ({head})");
    rewrite_from(&repo, 4, false, |record| set_why(record, "nothing to see here"));

    let out = assert_verify_names(&env, &repo, 4);
    out.assert_stderr_has("rewritten");
    // The same with meta and the mark adjusted: still seq 4.
    let repo = repo_with_commits(&env, "app2", 4);
    rewrite_from(&repo, 4, true, |record| set_why(record, "nothing to see here"));
    assert_verify_names(&env, &repo, 4).assert_stderr_has("rewritten");
}
