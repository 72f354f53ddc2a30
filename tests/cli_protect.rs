//! MCP protection commands end to end: `trail keygen`, `trail policy check`,
//! `trail authorize`, and `[protect]` in trail.toml (docs/protection.md).

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::TestEnv;
use trail_policy::Protect;

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
