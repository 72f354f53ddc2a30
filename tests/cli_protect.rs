//! MCP protection commands end to end: `trail keygen`, `trail policy check`,
//! `trail authorize`, and `[protect]` in trail.toml (docs/protection.md).

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::TestEnv;
use trail_policy::Protect;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

fn new_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
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
    }
}
