//! `--json` on the commands that report what they did (issue 7): keygen,
//! authorize, init, import, reindex, hooks install|uninstall, recover,
//! changelog sync|release, note and restore.
//! Each prints one JSON object on stdout; the fields checked here are the
//! ones their `--help` documents. (`sync` and `verify --all-clones` are in
//! sync_flow.rs, beside the clones they need.)

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The one JSON object `trail ARGS` printed on stdout.
fn object<const N: usize>(env: &TestEnv, cwd: &Path, args: [&str; N]) -> Value {
    let values = env.trail_json(cwd, args);
    assert_eq!(values.len(), 1, "one object: {values:?}");
    let value = values.into_iter().next().expect("one object");
    assert!(value.is_object(), "{value}");
    value
}

fn new_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

#[test]
fn keygen_json_names_the_key_and_where_it_went() {
    let env = TestEnv::new();
    let made = object(&env, &env.root, ["keygen", "--name", "ada", "--json"]);
    let path = env.config_home.join("trail/keys/ada.key");
    assert_eq!(made["name"], "ada");
    assert_eq!(made["path"], path.display().to_string().as_str());
    assert_eq!(made["created"], true);
    assert!(made["added_to"].is_null());
    let line = made["public_key"].as_str().expect("public_key");
    let key = trail_policy::PublicKey::parse_line(line).expect("a public key line");
    assert_eq!(made["key_id"], key.id().to_string().as_str());
    assert!(line.ends_with(" ada"), "{line}");

    // --add with the existing key: not created, added to trail.toml.
    let repo = new_repo(&env, "app");
    let added = object(&env, &repo, ["keygen", "--name", "ada", "--add", "--json"]);
    assert_eq!(added["created"], false);
    assert_eq!(added["public_key"], line);
    assert_eq!(added["added_to"], repo.join("trail.toml").display().to_string().as_str());
    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("trail.toml");
    assert!(policy.contains(line), "{policy}");
}

#[test]
fn authorize_json_carries_the_token_and_its_claims() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "app");
    std::fs::write(repo.join("README.md"), "app\n").expect("write");
    let key = object(&env, &repo, ["keygen", "--name", "ada", "--add", "--json"]);
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "bootstrap"]);
    let root = env.git_ok(&repo, ["rev-parse", "HEAD"]);

    let minted = object(
        &env,
        &repo,
        ["authorize", "--path", ".mcp.json", "--ttl", "30m", "--reason", "reviewed", "--json"],
    );
    let token = minted["token"].as_str().expect("token");
    let parsed = trail_policy::Token::parse(token).expect("a well-formed token");
    let claims = parsed.claims();
    assert_eq!(minted["id"], claims.id.as_str());
    assert_eq!(minted["key_id"], key["key_id"]);
    assert_eq!(minted["repo"], root.as_str());
    assert_eq!(minted["paths"], serde_json::json!([".mcp.json"]));
    assert_eq!(minted["reuse"], false);
    assert!(minted["digest"].is_null());
    assert_eq!(minted["reason"], "reviewed");
    let time = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(minted[field].as_str().expect(field))
            .unwrap_or_else(|e| panic!("{field}: {e}"))
    };
    assert_eq!(time("expires_at") - time("issued_at"), chrono::Duration::minutes(30));
    assert_eq!(time("expires_at"), claims.expires_at);
}

#[test]
fn init_import_and_reindex_json_report_the_journal() {
    let env = TestEnv::new();
    let repo =
        env.gen_history("hist", &["--commits", "5", "--files", "10", "--dirs", "3", "--checkout"]);
    let init = object(&env, &repo, ["init", "--json"]);
    assert_eq!(init["journal"], repo.join(".git/trail/journal").display().to_string().as_str());
    let id = init["store_id"].as_str().expect("store_id");
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{init}");
    assert_eq!(init["created"], true);
    assert_eq!(init["policy"], repo.join("trail.toml").display().to_string().as_str());
    assert_eq!(init["policy_written"], true);
    let hooks = init["hooks"]["hooks"].as_array().expect("the hooks installed");
    assert!(hooks.iter().any(|h| h["name"] == "pre-commit" && h["action"] == "installed"));
    // Again: nothing new.
    let again = object(&env, &repo, ["init", "--json"]);
    assert_eq!(
        (again["created"].clone(), again["store_id"].clone()),
        (Value::from(false), init["store_id"].clone())
    );
    assert_eq!(again["policy_written"], false);

    let imported = object(&env, &repo, ["import", "--json"]);
    let commits: u64 = env.git_ok(&repo, ["rev-list", "--count", "HEAD"]).parse().expect("a count");
    assert_eq!(imported["imported"].as_u64(), Some(commits), "{imported}");
    assert_eq!(imported["records"].as_u64(), Some(commits), "{imported}");
    assert_eq!(imported["head_seq"].as_u64(), Some(commits), "{imported}");
    assert!(imported["seconds"].is_f64(), "{imported}");
    assert_eq!(object(&env, &repo, ["import", "--json"])["imported"], 0);

    let reindexed = object(&env, &repo, ["reindex", "--json"]);
    assert_eq!(reindexed["records"].as_u64(), Some(commits), "{reindexed}");
    assert!(reindexed["seconds"].is_f64(), "{reindexed}");

    // --no-hooks: hooks is null.
    let other = new_repo(&env, "plain");
    assert!(object(&env, &other, ["init", "--no-hooks", "--json"])["hooks"].is_null());
}

#[test]
fn hooks_install_and_uninstall_json_list_every_hook() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "app");
    std::fs::write(repo.join(".git/hooks/pre-push"), "#!/bin/sh\nexit 0\n").expect("write");
    let installed = object(&env, &repo, ["hooks", "install", "--json"]);
    assert_eq!(installed["hooks_dir"], repo.join(".git/hooks").display().to_string().as_str());
    assert!(installed["origin"].as_str().is_some_and(|o| o.contains("default")), "{installed}");
    assert_eq!(installed["server"], false);
    assert_eq!(installed["merge_driver_changed"], true);
    let action = |value: &Value, name: &str| -> String {
        value["hooks"]
            .as_array()
            .expect("hooks")
            .iter()
            .find(|h| h["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {value}"))["action"]
            .as_str()
            .expect("action")
            .to_owned()
    };
    assert_eq!(action(&installed, "pre-commit"), "installed");
    assert_eq!(action(&installed, "pre-push"), "chained");
    let again = object(&env, &repo, ["hooks", "install", "--json"]);
    assert_eq!(action(&again, "pre-commit"), "unchanged");
    assert_eq!(again["merge_driver_changed"], false);

    let removed = object(&env, &repo, ["hooks", "uninstall", "--json"]);
    assert_eq!(action(&removed, "pre-commit"), "removed");
    assert_eq!(action(&removed, "pre-push"), "restored");
    assert_eq!(removed["merge_driver_changed"], true);

    let server = env.dir("server.git");
    env.git_ok(&server, ["init", "-q", "--bare"]);
    let installed = object(&env, &server, ["hooks", "install", "--server", "--json"]);
    assert_eq!(installed["server"], true);
    assert_eq!(action(&installed, "pre-receive"), "installed");
    assert_eq!(action(&installed, "update"), "installed");
}

#[test]
fn recover_json_says_what_came_back() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    let export = env.trail_ok(&repo, ["export"]).stdout;
    let count = split_lines(&export).len() as u64;
    let id = object(&env, &repo, ["status", "--json"])["store_id"].clone();

    let nothing = object(&env, &repo, ["recover", "--json"]);
    assert_eq!(nothing["recovered"], false, "{nothing}");
    assert_eq!(nothing["store"], id);
    assert_eq!(nothing["checkpointed_seq"].as_u64(), Some(count));

    common::remove_trail_dir(&repo, &repo.join(".git/trail/journal"));
    let back = object(&env, &repo, ["recover", "--json"]);
    assert_eq!(back["recovered"], true, "{back}");
    assert_eq!(back["store"], id);
    assert_eq!(back["source"], "refs/trail/journal");
    assert_eq!(back["checkpointed_seq"].as_u64(), Some(count));
    assert_eq!(back["records"].as_u64(), Some(count));
    assert!(back["commits"].as_u64().is_some_and(|c| c >= 1), "{back}");
    assert!(back["last_checkpoint_time"].is_string(), "{back}");
    assert_eq!(back["salvaged"], 0);
    assert_eq!(back["head_seq"].as_u64(), Some(count));
    assert!(back["kept"].is_null(), "nothing was left to keep: {back}");
    assert!(back["lost"].is_null(), "{back}");
    assert_eq!(env.trail_ok(&repo, ["export"]).stdout, export);
}

#[test]
fn changelog_sync_and_release_json_list_the_files_written() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    assert!(repo.join("CHANGELOG.md").exists(), "the hooks wrote the root changelog");
    std::fs::remove_file(repo.join("CHANGELOG.md")).expect("remove CHANGELOG.md");
    let synced = object(&env, &repo, ["changelog", "sync", "--json"]);
    assert_eq!(
        synced,
        serde_json::json!({"added": 1, "files": [{"path": "CHANGELOG.md", "created": true,
            "entries": 1}], "skipped": 0, "malformed": []})
    );
    let nothing = object(&env, &repo, ["changelog", "sync", "--json"]);
    assert_eq!(nothing["added"], 0);
    assert_eq!(nothing["files"], serde_json::json!([]));

    env.git_ok(&repo, ["add", "CHANGELOG.md"]);
    let released =
        object(&env, &repo, ["changelog", "release", "1.0.0", "--date", "2026-12-01", "--json"]);
    assert_eq!(
        released,
        serde_json::json!({"version": "1.0.0", "date": "2026-12-01",
            "released": ["CHANGELOG.md"], "unchanged": 0, "links": null})
    );
    let text = std::fs::read_to_string(repo.join("CHANGELOG.md")).expect("read");
    assert!(text.contains("## [1.0.0] - 2026-12-01"), "{text}");
}

#[test]
fn note_and_restore_json_report_their_state() {
    let env = TestEnv::new();
    let repo = env.trail_repo("app", "first");
    let none = object(&env, &repo, ["note", "--json"]);
    assert_eq!(
        none,
        serde_json::json!({"waiting": false, "time": null, "why": null, "impact": null,
            "token": false})
    );
    let left = object(&env, &repo, ["note", "--why", "a reason", "--json"]);
    assert_eq!(left["waiting"], true);
    assert_eq!(left["why"], "a reason");
    assert!(left["impact"].is_null());
    assert!(left["time"].is_string());
    assert_eq!(object(&env, &repo, ["note", "--json"]), left);
    assert_eq!(object(&env, &repo, ["note", "--clear", "--json"])["waiting"], false);

    let commit = env.trail_json(&repo, ["log", "--kind", "commit", "--json"]);
    let seq = commit[0]["seq"].as_u64().expect("seq").to_string();
    std::fs::write(repo.join("a.txt"), "changed\n").expect("write");
    let restored = object(&env, &repo, ["restore", "a.txt", "--at", &seq, "--force", "--json"]);
    assert_eq!(restored["path"], "a.txt");
    assert_eq!(restored["seq"].as_u64(), seq.parse().ok());
    assert_eq!(restored["kind"], "commit");
    assert_eq!(restored["time"], commit[0]["time"]);
    assert_eq!(restored["written_to"], repo.join("a.txt").display().to_string().as_str());
    assert_eq!(std::fs::read_to_string(repo.join("a.txt")).expect("read"), "a\n");
    let elsewhere = env.root.join("copy.txt");
    let copied = object(
        &env,
        &repo,
        ["restore", "a.txt", "--at", &seq, "--to", elsewhere.to_str().expect("UTF-8"), "--json"],
    );
    assert_eq!(copied["written_to"], elsewhere.display().to_string().as_str());
    env.trail(&repo, ["restore", "a.txt", "--at", &seq, "--to", "-", "--json"])
        .assert_code(2)
        .assert_stderr_has("standard output");
}
