//! MCP protection commands end to end: `trail keygen`, `trail policy check`,
//! `trail authorize`, and `[protect]` in trail.toml (docs/protection.md).

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::TestEnv;
use trail_policy::{Protect, Reason, Token};

const SERVERS_JSON: &str =
    "{\n  \"mcpServers\": {\"docs\": {\"command\": \"node\", \"args\": [\"docs.js\"]}}\n}\n";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

fn new_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

/// A repository whose first commit holds a trail.toml naming `ada`'s key.
fn bootstrapped(env: &TestEnv) -> PathBuf {
    let repo = new_repo(env, "app");
    std::fs::write(repo.join("trail.toml"), "[rationale]\nrequired = false\n").expect("write");
    std::fs::write(repo.join("README.md"), "app\n").expect("write");
    env.trail_ok(&repo, ["keygen", "--name", "ada", "--add"]);
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "bootstrap"]);
    repo
}

/// Stage a new `.mcp.json`, a `config/servers.json` defining MCP servers, a
/// change to trail.toml, and an unprotected file.
fn stage_protected(env: &TestEnv, repo: &Path) {
    std::fs::write(repo.join(".mcp.json"), "{\"mcpServers\": {}}\n").expect("write");
    std::fs::create_dir_all(repo.join("config")).expect("mkdir");
    std::fs::write(repo.join("config/servers.json"), SERVERS_JSON).expect("write");
    let mut policy = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    policy.push_str("# reviewed\n");
    std::fs::write(repo.join("trail.toml"), policy).expect("write");
    std::fs::write(repo.join("notes.txt"), "not protected\n").expect("write");
    env.git_ok(repo, ["add", "-A"]);
}

/// The staged digest of docs/tokens.md §7, computed from git's own view of
/// the index (`git diff --cached --raw`), for the given protected paths.
fn digest_from_git(env: &TestEnv, repo: &Path, protected: &[&str]) -> String {
    let raw = env.git_ok(repo, ["diff", "--cached", "--raw", "--no-renames", "--no-abbrev"]);
    let mut changes = Vec::new();
    for line in raw.lines() {
        let (meta, path) = line.split_once('\t').expect("a raw diff line");
        if !protected.contains(&path) {
            continue;
        }
        let fields: Vec<&str> = meta.split(' ').collect();
        let status = fields[4].chars().next().expect("a status");
        let blob = (status != 'D').then(|| fields[3].to_owned());
        changes.push((path.as_bytes().to_vec(), status, blob));
    }
    assert_eq!(changes.len(), protected.len(), "every protected path is staged:\n{raw}");
    trail_policy::staged_digest(&changes)
}

fn policy_at_head(env: &TestEnv, repo: &Path) -> Protect {
    Protect::from_toml(&env.git_ok(repo, ["show", "HEAD:trail.toml"])).expect("valid policy")
}

fn root_commit(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-list", "--max-parents=0", "HEAD"])
}

#[test]
fn keygen_writes_a_private_key_once() {
    let env = TestEnv::new();
    let out = env.trail_ok(&env.root, ["keygen", "--name", "ada"]);
    let line = out.stdout_str();
    assert!(line.starts_with("ed25519:") && line.ends_with(" ada\n"), "{out}");
    assert_eq!(line.lines().count(), 1, "{out}");
    let dir = env.config_home.join("trail/keys");
    let key = dir.join("ada.key");
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&dir), 0o700);
    let text = std::fs::read_to_string(&key).expect("read the key");
    let secret = text.lines().nth(1).expect("a secret line");
    assert!(!out.stdout_str().contains(secret) && !out.stderr.contains(secret));
    let private = trail_policy::keys::decode_private_key(&text).expect("a private key");
    assert_eq!(private.public().with_name(Some("ada")).expect("named").to_line(), line.trim_end());

    let again = env.trail(&env.root, ["keygen", "--name", "ada"]);
    again.assert_code(1).assert_stderr_has(&key.display().to_string()).assert_stderr_has("--name");
    assert_eq!(std::fs::read_to_string(&key).expect("read"), text, "the key is untouched");
    env.trail(&env.root, ["keygen", "--name", "../evil"]).assert_code(2);
}

#[test]
fn keygen_add_appends_the_key_once_keeping_the_file() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "app");
    let before = "# our policy\n[rationale]\nrequired = true   # keep this\n";
    std::fs::write(repo.join("trail.toml"), before).expect("write");
    let out = env.trail_ok(&repo, ["keygen", "--name", "ada", "--add"]);
    let line = out.stdout_str().trim_end().to_owned();
    let after = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    assert!(after.starts_with(before), "the rest of the file is kept:\n{after}");
    assert_eq!(after.matches(&line).count(), 1, "{after}");
    let policy = Protect::from_toml(&after).expect("valid");
    assert_eq!(policy.authorizers().len(), 1);

    // Again: the key exists and is listed already.
    env.trail(&repo, ["keygen", "--name", "ada", "--add"])
        .assert_code(1)
        .assert_stderr_has("already in [protect] authorizers");
    assert_eq!(std::fs::read_to_string(repo.join("trail.toml")).expect("read"), after);

    // A second key goes into the same array.
    env.trail_ok(&repo, ["keygen", "--name", "bob", "--add"]);
    let twice = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    assert_eq!(Protect::from_toml(&twice).expect("valid").authorizers().len(), 2);
    assert_eq!(twice.matches("[protect]").count(), 1, "{twice}");
    env.trail_ok(&repo, ["init", "--no-hooks"]);
}

#[test]
fn a_malformed_protect_table_is_a_usage_error() {
    let env = TestEnv::new();
    for (name, text, needle) in [
        ("typo", "[protect]\nignroe = []\n", "ignroe"),
        ("badkey", "[protect]\nauthorizers = [\"ed25519:AAAA\"]\n", "authorizers[0]"),
        ("badglob", "[protect]\npaths = [\"a[\"]\n", "paths"),
    ] {
        let repo = new_repo(&env, name);
        std::fs::write(repo.join("trail.toml"), text).expect("write");
        env.trail(&repo, ["init", "--no-hooks"]).assert_code(2).assert_stderr_has(needle);
        assert!(!repo.join(".git/trail").exists(), "init created nothing");
        env.trail(&repo, ["keygen", "--name", "x", "--add"]).assert_code(2);
        // Committed, it makes `policy check` refuse to guess.
        env.git_ok(&repo, ["add", "-A"]);
        env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "bad policy"]);
        env.trail(&repo, ["policy", "check"]).assert_code(2).assert_stderr_has("at HEAD");
    }
}

#[test]
fn policy_check_names_protected_paths_and_the_digest() {
    let env = TestEnv::new();
    // A new repository, nothing ever staged: nothing protected, defaults.
    let fresh = new_repo(&env, "fresh");
    env.trail(&fresh, ["policy", "check"]).assert_code(0).assert_stderr_has("built-in defaults");
    let repo = bootstrapped(&env);
    let clean = env.trail(&repo, ["policy", "check"]);
    clean.assert_code(0).assert_stderr_has("no staged change touches a protected path");

    stage_protected(&env, &repo);
    let out = env.trail(&repo, ["policy", "check"]);
    out.assert_code(1).assert_stderr_has("need an authorization token");
    let text = out.stdout_str();
    assert!(text.contains(".mcp.json  ") && text.contains("protected glob `.mcp.json`"), "{out}");
    assert!(
        text.contains("config/servers.json") && text.contains("top-level `mcpServers`"),
        "{out}"
    );
    assert!(text.contains("trail.toml") && text.contains("policy file"), "{out}");
    assert!(!text.contains("notes.txt"), "{out}");
    let expected =
        digest_from_git(&env, &repo, &[".mcp.json", "config/servers.json", "trail.toml"]);
    assert!(text.contains(&format!("digest: {expected}\n")), "{out}\nexpected {expected}");
    assert!(
        text.contains(&format!(
            "trail authorize --path .mcp.json --path config/servers.json --path trail.toml --digest {expected}"
        )),
        "{out}"
    );

    let json = env.trail(&repo, ["policy", "check", "--json"]);
    json.assert_code(1);
    let value = &json.json_lines()[0];
    assert_eq!(value["digest"], expected);
    let kinds: Vec<&str> = value["protected"]
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["glob", "content-signature", "policy-file"]);

    // Asking about paths: the staged content decides.
    let paths = env.trail(&repo, ["policy", "check", "config/servers.json", "notes.txt"]);
    paths.assert_code(1);
    assert!(paths.stdout_str().contains("not protected  notes.txt"), "{paths}");
    env.trail(&repo, ["policy", "check", "notes.txt"]).assert_code(0);
}

#[test]
fn authorize_mints_a_token_the_policy_at_head_accepts() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    stage_protected(&env, &repo);
    let paths = [".mcp.json", "config/servers.json", "trail.toml"];
    let digest = digest_from_git(&env, &repo, &paths);
    let out = env.trail_ok(
        &repo,
        [
            "authorize",
            "--path",
            ".mcp.json",
            "--path",
            "config/**",
            "--path",
            "trail.toml",
            "--staged",
            "--ttl",
            "30m",
            "--reason",
            "add the docs server — reviewed",
        ],
    );
    let token = out.stdout_str();
    assert_eq!(token.lines().count(), 1, "the token alone on stdout:\n{out}");
    let token = token.trim_end();
    let parsed = Token::parse(token).expect("a well-formed token");
    let claims = parsed.claims();
    assert_eq!(claims.paths, [".mcp.json", "config/**", "trail.toml"]);
    assert_eq!(claims.reason, "add the docs server — reviewed");
    assert_eq!(claims.digest.as_deref(), Some(digest.as_str()));
    assert!(!claims.reuse);
    assert_eq!(claims.expires_at - claims.issued_at, chrono::Duration::minutes(30));

    let policy = policy_at_head(&env, &repo);
    let repo_id = root_commit(&env, &repo);
    let staged: Vec<(Vec<u8>, Option<Reason>)> =
        paths.iter().map(|p| (p.as_bytes().to_vec(), Some(Reason::PolicyFile))).collect();
    let now = chrono::Utc::now();
    let verified = trail_policy::verify(token, &policy, now, &repo_id, &staged, Some(&digest))
        .expect("the token verifies");
    assert_eq!(verified.authorizer.name(), Some("ada"));
    // Another repository, another digest: refused.
    assert!(
        trail_policy::verify(token, &policy, now, "elsewhere", &staged, Some(&digest)).is_err()
    );
    assert!(trail_policy::verify(token, &policy, now, &repo_id, &staged, Some("0")).is_err());

    // Globs that miss a staged protected path: minted, with a warning.
    env.trail_ok(&repo, ["authorize", "--path", ".mcp.json", "--staged"])
        .assert_stderr_has("no --path glob covers the staged config/servers.json");

    // --digest gives the same binding; --reuse is carried.
    let by_digest = env.trail_ok(
        &repo,
        ["authorize", "--path", "**", "--digest", &digest, "--reuse", "--key", "ada"],
    );
    let claims = Token::parse(by_digest.stdout_str().trim_end()).expect("token").claims().clone();
    assert_eq!(claims.digest.as_deref(), Some(digest.as_str()));
    assert!(claims.reuse);
}

#[test]
fn a_token_from_a_key_not_in_the_policy_is_refused() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    stage_protected(&env, &repo);
    env.trail_ok(&repo, ["keygen", "--name", "eve"]);
    // Two keys now: authorize must be told which.
    env.trail(&repo, ["authorize", "--path", "**"]).assert_code(2).assert_stderr_has("--key");
    let out = env.trail_ok(&repo, ["authorize", "--path", "**", "--key", "eve"]);
    out.assert_stderr_has("not in [protect] authorizers");
    let policy = policy_at_head(&env, &repo);
    let refusal = trail_policy::verify(
        out.stdout_str().trim_end(),
        &policy,
        chrono::Utc::now(),
        &root_commit(&env, &repo),
        &[(b".mcp.json".to_vec(), Some(Reason::Glob(".mcp.json".into())))],
        None,
    )
    .expect_err("eve is no authorizer");
    assert_eq!(refusal.check(), trail_policy::Check::Key);
}

#[test]
fn authorize_refuses_bad_input() {
    let env = TestEnv::new();
    let empty = new_repo(&env, "empty");
    // No key yet.
    env.trail(&empty, ["authorize", "--path", "**"])
        .assert_code(3)
        .assert_stderr_has("trail keygen");
    env.trail_ok(&empty, ["keygen", "--name", "ada"]);
    // No commit: no repository id.
    env.trail(&empty, ["authorize", "--path", "**"]).assert_code(2).assert_stderr_has("no commits");
    let repo = bootstrapped(&env);
    env.trail(&repo, ["authorize", "--path", "**", "--ttl", "2w"]).assert_code(2);
    env.trail(&repo, ["authorize", "--path", "a[", "--key", "ada"]).assert_code(2);
    env.trail(&repo, ["authorize", "--path", "**", "--key", "ada", "--digest", "XYZ"])
        .assert_code(2);
    env.trail(&repo, ["authorize", "--path", "**", "--key", "ada", "--staged"])
        .assert_code(2)
        .assert_stderr_has("no staged change");
    env.trail(&repo, ["authorize", "--path", "**", "--key", "nobody"]).assert_code(2);
}

// Issue 17, case 12: a config padded past 1 MiB was never read for what it
// launches, and `trail policy check` showed the authorizer none of it.
#[test]
fn policy_check_lists_what_a_large_config_launches() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    std::fs::create_dir_all(repo.join("tools/srv")).expect("mkdir");
    std::fs::write(repo.join("tools/srv/server.py"), "print('serving')\n").expect("write");
    let pad = "x".repeat(2 << 20);
    let config = format!(
        "{{\"mcpServers\": {{\"srv\": {{\"command\": \"uv\", \"args\": [\"--directory\", \
         \"tools/srv\", \"run\", \"server.py\"]}}}}, \"pad\": \"{pad}\"}}\n"
    );
    std::fs::write(repo.join(".mcp.json"), config).expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    let out = env.trail(&repo, ["policy", "check"]);
    out.assert_code(1);
    let text = out.stdout_str();
    assert!(text.contains("launches: tools/srv/server.py"), "{text}");
    assert!(
        text.contains("tools/srv/server.py  the MCP config .mcp.json launches it"),
        "the launched script is itself a protected change:\n{text}"
    );
    let json = env.trail(&repo, ["policy", "check", "--json"]).json_lines();
    let mcp = json[0]["protected"]
        .as_array()
        .expect("protected")
        .iter()
        .find(|p| p["path"] == ".mcp.json")
        .expect(".mcp.json listed")
        .clone();
    assert_eq!(mcp["launches"], serde_json::json!(["tools/srv/server.py"]));
}
