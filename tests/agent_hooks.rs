//! AI coding agents' hooks end to end (docs/agents.md): `trail agent hook`
//! fed the payloads each agent documents (tests/fixtures/agents/), and
//! `trail agent install|uninstall|status` on settings files that already
//! hold other hooks, with the installed commands read back and run.

mod common;

use std::path::{Path, PathBuf};

use common::{Output, PROCESS_TIMEOUT, TestEnv, run_with_input};
use serde_json::Value;

fn fixture(agent: &str, name: &str) -> String {
    let path = common::manifest_dir().join("tests/fixtures/agents").join(agent).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A fixture payload with `{{cwd}}` replaced by the repository's path.
fn payload(agent: &str, name: &str, repo: &Path) -> Vec<u8> {
    let cwd = repo.to_str().expect("a UTF-8 test path");
    fixture(agent, name).replace("{{cwd}}", cwd).into_bytes()
}

fn hook(env: &TestEnv, repo: &Path, agent: &str, event: &str, input: Vec<u8>) -> Output {
    let mut cmd = env.trail_cmd(repo);
    cmd.args(["agent", "hook", agent, event]);
    let out = run_with_input(cmd, input, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

fn repo_with_greeting(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.trail_repo(name, "start");
    std::fs::write(repo.join("greet.txt"), "hello\n").expect("write");
    env.git_ok(&repo, ["add", "greet.txt"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "greeting"]).env("TRAIL_WHY", "a greeting");
    common::run(cmd, PROCESS_TIMEOUT).assert_code(0);
    repo
}

/// Commit greet.txt, which claude-code's session abc123 edited: the message
/// names the session.
fn commit_naming_the_session(env: &TestEnv, repo: &Path) {
    env.git_ok(repo, ["add", "greet.txt"]);
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-q", "-m", "friendlier greeting"]).env("TRAIL_WHY", "users asked");
    common::run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let message = env.git_ok(repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Agent-Session: claude-code abc123"), "{message}");
}

fn agent_edits(env: &TestEnv, repo: &Path) -> Vec<Value> {
    env.trail_json(repo, ["log", "--kind", "agent.edit", "--json"])
}

fn prompt_records(env: &TestEnv, repo: &Path) -> Vec<Value> {
    env.trail_json(repo, ["log", "--kind", "agent.prompt", "--json", "--reverse"])
}

/// The session file trail keeps for `session`.
fn session_file(repo: &Path, session: &str) -> Value {
    let path = repo.join(".git/trail/agents/sessions").join(format!("{session}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("session file")).expect("JSON")
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{out}"))
}

#[test]
fn claude_code_write_to_mcp_json_is_denied_in_its_format() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let out = hook(
        &env,
        &repo,
        "claude-code",
        "PreToolUse",
        payload("claude-code", "pre-tool-use-write-mcp.json", &repo),
    );
    // Exit 2 blocks the call, the reason on stderr goes to Claude…
    out.assert_code(2).assert_stderr_has(".mcp.json is protected");
    out.assert_stderr_has("trail authorize --path .mcp.json");
    // …and the structured denial is on stdout.
    let answer = stdout_json(&out);
    let specific = &answer["hookSpecificOutput"];
    assert_eq!(specific["hookEventName"], "PreToolUse");
    assert_eq!(specific["permissionDecision"], "deny");
    let reason = specific["permissionDecisionReason"].as_str().expect("a reason");
    assert!(reason.contains("a person's authorization"), "{reason}");
    assert!(reason.contains("trail note --token TOKEN"), "{reason}");
    assert!(!repo.join(".mcp.json").exists());

    // A shell command that plainly writes it is refused too.
    let out = hook(
        &env,
        &repo,
        "claude-code",
        "PreToolUse",
        payload("claude-code", "pre-tool-use-bash-tee.json", &repo),
    );
    out.assert_code(2).assert_stderr_has(".mcp.json is protected");
}

#[test]
fn cursor_and_gemini_denials_use_their_formats() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let out = hook(
        &env,
        &repo,
        "cursor",
        "beforeShellExecution",
        payload("cursor", "before-shell-execution-mcp.json", &repo),
    );
    out.assert_code(0);
    let answer = stdout_json(&out);
    assert_eq!(answer["permission"], "deny", "{out}");
    assert!(answer["agent_message"].as_str().expect("agent_message").contains("trail authorize"));
    assert!(answer["user_message"].as_str().expect("user_message").contains(".mcp.json"));

    let out = hook(
        &env,
        &repo,
        "gemini",
        "BeforeTool",
        payload("gemini", "before-tool-write-file-mcp.json", &repo),
    );
    out.assert_code(2).assert_stderr_has(".mcp.json is protected");
    let answer = stdout_json(&out);
    assert_eq!(answer["decision"], "deny");
    assert!(
        answer["reason"].as_str().expect("reason").contains("trail authorize --path .mcp.json")
    );
}

#[test]
fn an_ordinary_edit_is_allowed_and_recorded_with_session_and_prompt() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    hook(
        &env,
        &repo,
        "claude-code",
        "SessionStart",
        payload("claude-code", "session-start.json", &repo),
    )
    .assert_code(0);
    let prompt = hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    );
    prompt.assert_code(0);
    // stdout of UserPromptSubmit becomes context for Claude: nothing there.
    assert!(prompt.stdout.is_empty(), "{prompt}");
    let pre = hook(
        &env,
        &repo,
        "claude-code",
        "PreToolUse",
        payload("claude-code", "pre-tool-use-edit.json", &repo),
    );
    pre.assert_code(0);
    assert!(pre.stdout.is_empty(), "{pre}");
    // The tool edits, then PostToolUse.
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("edit");
    hook(
        &env,
        &repo,
        "claude-code",
        "PostToolUse",
        payload("claude-code", "post-tool-use-edit.json", &repo),
    )
    .assert_code(0);

    let records = agent_edits(&env, &repo);
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["source"], "agent");
    assert_eq!(r["why"], "Make the greeting in greet.txt friendlier");
    let agent = &r["detail"]["agent"];
    assert_eq!(agent["name"], "claude-code");
    assert_eq!(agent["session"], "abc123");
    assert_eq!(agent["tool"], "Edit");
    assert_eq!(agent["tool_use_id"], "toolu_01EditGreet0001");
    assert_eq!(r["actor"]["email"], common::COMMITTER_EMAIL);
    let path = &r["paths"][0];
    assert_eq!(path["path"], "greet.txt");
    assert_eq!(path["status"], "M");
    assert_eq!(path["size"], 14);
    let blob = path["blob"].as_str().expect("blob id");
    assert_eq!(env.git_ok(&repo, ["cat-file", "-p", blob]).trim_end(), "hello, friend");
    // Kept reachable like the watcher's saves.
    let saves = env.git_ok(&repo, ["ls-tree", "--name-only", "refs/trail/saves"]);
    assert!(saves.lines().any(|l| l == blob), "{saves}");
    env.trail_ok(&repo, ["verify"]);
}

#[test]
fn cursor_and_gemini_edits_are_recorded_with_their_sessions() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let out = hook(
        &env,
        &repo,
        "cursor",
        "beforeSubmitPrompt",
        payload("cursor", "before-submit-prompt.json", &repo),
    );
    out.assert_code(0);
    assert_eq!(stdout_json(&out)["continue"], true);
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("edit");
    let out = hook(
        &env,
        &repo,
        "cursor",
        "afterFileEdit",
        payload("cursor", "after-file-edit.json", &repo),
    );
    out.assert_code(0);
    assert_eq!(stdout_json(&out), serde_json::json!({}));

    hook(&env, &repo, "gemini", "BeforeAgent", payload("gemini", "before-agent.json", &repo))
        .assert_code(0);
    std::fs::write(repo.join("greet.txt"), "hello, dear friend\n").expect("edit");
    let out = hook(
        &env,
        &repo,
        "gemini",
        "AfterTool",
        payload("gemini", "after-tool-replace.json", &repo),
    );
    out.assert_code(0);
    assert_eq!(stdout_json(&out), serde_json::json!({}));

    let records = agent_edits(&env, &repo);
    assert_eq!(records.len(), 2, "{records:?}");
    let by = |name: &str| {
        records.iter().find(|r| r["detail"]["agent"]["name"] == name).expect("a record").clone()
    };
    let cursor = by("cursor");
    assert_eq!(cursor["detail"]["agent"]["session"], "668320d2-2fd8-4888-b33c-2a466fec86e7");
    assert_eq!(cursor["detail"]["agent"]["version"], "1.7.2");
    assert_eq!(cursor["why"], "Make the greeting in greet.txt friendlier");
    let gemini = by("gemini");
    assert_eq!(gemini["detail"]["agent"]["session"], "8f1c2a7e-5b3d-4e9a-9c11-2f0d6b7a4e55");
    assert_eq!(gemini["detail"]["agent"]["tool"], "replace");
    assert_eq!(gemini["paths"][0]["size"], 19);
}

#[test]
fn prompts_hash_keeps_only_a_digest() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let toml = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    std::fs::write(repo.join("trail.toml"), format!("{toml}\n[agent]\nprompts = \"hash\"\n"))
        .expect("write");
    env.trail_ok(&repo, ["status"]);
    hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    )
    .assert_code(0);
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("edit");
    hook(
        &env,
        &repo,
        "claude-code",
        "PostToolUse",
        payload("claude-code", "post-tool-use-edit.json", &repo),
    )
    .assert_code(0);
    let records = agent_edits(&env, &repo);
    let why = records[0]["why"].as_str().expect("why");
    assert!(why.starts_with("agent prompt sha256:"), "{why}");
    let session = std::fs::read_to_string(repo.join(".git/trail/agents/sessions/abc123.json"))
        .expect("session file");
    assert!(!session.contains("friendlier"), "{session}");
}

#[test]
fn a_pending_token_lets_one_protected_edit_through() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    env.trail_ok(&repo, ["keygen", "--name", "ada", "--add"]);
    env.git_ok(&repo, ["add", "trail.toml"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "name ada"]);
    let token = env
        .trail_ok(
            &repo,
            ["authorize", "--path", ".mcp.json", "--ttl", "30m", "--reason", "helper server"],
        )
        .stdout_str();
    let input = || payload("claude-code", "pre-tool-use-write-mcp.json", &repo);
    // Without the token: refused, naming the authorizer's command.
    hook(&env, &repo, "claude-code", "PreToolUse", input())
        .assert_code(2)
        .assert_stderr_has("an authorizer runs");
    env.trail_ok(&repo, ["note", "--token", token.trim()]);
    let out = hook(&env, &repo, "claude-code", "PreToolUse", input());
    out.assert_code(0).assert_stderr_has("authorizes this edit of .mcp.json");
    assert!(out.stdout.is_empty(), "{out}");
    // Single use: the next protected write is refused again.
    hook(&env, &repo, "claude-code", "PreToolUse", input())
        .assert_code(2)
        .assert_stderr_has("single use");
}

#[test]
fn a_malformed_payload_is_allowed_with_a_message() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    for (agent, event) in [
        ("claude-code", "PreToolUse"),
        ("cursor", "beforeShellExecution"),
        ("gemini", "BeforeTool"),
    ] {
        let out = hook(&env, &repo, agent, event, b"{not json".to_vec());
        out.assert_code(0).assert_stderr_has("not JSON");
        let out = hook(&env, &repo, agent, event, b"[]".to_vec());
        out.assert_code(0).assert_stderr_has("not a JSON object");
    }
    // Fields of unexpected types are as if absent.
    hook(
        &env,
        &repo,
        "claude-code",
        "PreToolUse",
        br#"{"tool_name":"Write","tool_input":7}"#.to_vec(),
    )
    .assert_code(0);
    env.trail(&repo, ["agent", "hook", "vim", "x"]).assert_code(2);
}

/// Each installed hook command, as the agent's settings file names it,
/// with the event it is for.
fn installed_commands(settings: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (event, items) in settings["hooks"].as_object().expect("hooks") {
        for item in items.as_array().expect("array") {
            let mut commands: Vec<&Value> = vec![&item["command"]];
            if let Some(hooks) = item["hooks"].as_array() {
                commands.extend(hooks.iter().map(|h| &h["command"]));
            }
            for c in commands.into_iter().filter_map(Value::as_str) {
                if c.contains("agent hook") {
                    out.push((event.clone(), c.to_owned()));
                }
            }
        }
    }
    out
}

#[test]
fn install_and_uninstall_round_trip_on_settings_with_other_hooks() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let cases = [
        (
            "claude-code",
            ".claude/settings.json",
            "settings.json",
            "PreToolUse",
            "pre-tool-use-write-mcp.json",
        ),
        (
            "cursor",
            ".cursor/hooks.json",
            "hooks.json",
            "beforeShellExecution",
            "before-shell-execution-mcp.json",
        ),
        (
            "gemini",
            ".gemini/settings.json",
            "settings.json",
            "BeforeTool",
            "before-tool-write-file-mcp.json",
        ),
    ];
    for (agent, path, original, deny_event, deny_payload) in cases {
        let file = repo.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        let before = fixture(agent, original);
        std::fs::write(&file, &before).expect("write");
        env.trail_ok(&repo, ["agent", "install", agent]);
        let after: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
        let old: Value = serde_json::from_str(&before).expect("JSON");
        // Everything that was there is still there.
        for (key, value) in old.as_object().expect("object") {
            if key != "hooks" {
                assert_eq!(&after[key], value, "{agent}: {key}");
            }
        }
        for (event, items) in old["hooks"].as_object().expect("hooks") {
            for item in items.as_array().expect("array") {
                assert!(
                    after["hooks"][event].as_array().expect("array").contains(item),
                    "{agent} {event}"
                );
            }
        }
        let commands = installed_commands(&after);
        let events: Vec<&str> = commands.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(events.len(), 5, "{agent}: {commands:?}");
        // The installed command, run as the agent runs it, answers the payload.
        let (_, command) = commands.iter().find(|(e, _)| e == deny_event).expect("hooked");
        let mut sh = env.command("sh", &repo);
        sh.args(["-c", command]);
        let out = run_with_input(sh, payload(agent, deny_payload, &repo), PROCESS_TIMEOUT);
        out.assert_no_panic();
        assert!(out.stdout_str().contains("deny"), "{agent}: {out}");

        let status = env.trail_json(&repo, ["agent", "status", "--json"]);
        let mine = status.iter().find(|s| s["agent"] == agent).expect("listed");
        assert_eq!(mine["missing"], serde_json::json!([]), "{mine}");
        assert_eq!(mine["altered"], false);

        env.trail_ok(&repo, ["agent", "uninstall", agent]);
        assert_eq!(std::fs::read_to_string(&file).expect("read"), before, "{agent}: byte for byte");
    }
    // Installed where there was no file: uninstall removes it again.
    std::fs::remove_file(repo.join(".cursor/hooks.json")).expect("rm");
    env.trail_ok(&repo, ["agent", "install", "cursor"]);
    env.trail_ok(&repo, ["agent", "uninstall", "cursor"]);
    assert!(!repo.join(".cursor/hooks.json").exists());
}

#[test]
fn agent_hook_settings_are_protected_by_default() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    for path in [
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".cursor/hooks.json",
        ".gemini/settings.json",
    ] {
        let input = serde_json::json!({
            "session_id": "s", "cwd": repo, "hook_event_name": "PreToolUse",
            "tool_name": "Write", "tool_input": {"file_path": repo.join(path), "content": "{}"},
        });
        hook(&env, &repo, "claude-code", "PreToolUse", input.to_string().into_bytes())
            .assert_code(2)
            .assert_stderr_has(&format!("{path} is protected"));
    }
}

#[test]
fn doctor_reports_missing_agent_hooks() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    env.trail_ok(&repo, ["agent", "install", "claude-code"]);
    let out = env.trail(&repo, ["doctor", "--json"]);
    assert!(out.stdout_str().contains("claude-code: hooked"), "{out}");
    // An agent (or anyone) takes a hook out.
    let path = repo.join(".claude/settings.json");
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    v["hooks"].as_object_mut().expect("hooks").remove("PreToolUse");
    std::fs::write(&path, v.to_string()).expect("write");
    let out = env.trail(&repo, ["doctor", "--json"]);
    out.assert_code(1);
    assert!(out.stdout_str().contains("has no trail hook for PreToolUse"), "{out}");
}

#[test]
fn a_commit_names_the_agent_sessions_whose_edits_it_holds() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    )
    .assert_code(0);
    std::fs::write(repo.join("greet.txt"), "hello, friend\n").expect("edit");
    hook(
        &env,
        &repo,
        "claude-code",
        "PostToolUse",
        payload("claude-code", "post-tool-use-edit.json", &repo),
    )
    .assert_code(0);
    commit_naming_the_session(&env, &repo);
    let commits = env.trail_json(&repo, ["log", "--kind", "commit", "--json"]);
    let newest =
        commits.iter().find(|r| r["detail"]["subject"] == "friendlier greeting").expect("recorded");
    // …with the prompt the edits followed.
    let prompt = prompt_records(&env, &repo);
    assert_eq!(
        newest["detail"]["agents"],
        serde_json::json!([{"name": "claude-code", "session": "abc123", "prompts": [prompt[0]["seq"]]}])
    );
    // The next commit, without agent edits, names no session.
    std::fs::write(repo.join("other.txt"), "x\n").expect("write");
    env.git_ok(&repo, ["add", "other.txt"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "other"]).env("TRAIL_WHY", "w");
    common::run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(!message.contains("Agent-Session"), "{message}");
}

#[test]
fn prompts_are_records_and_their_seqs_are_kept_in_the_session() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    for (agent, event, name) in [
        ("claude-code", "UserPromptSubmit", "user-prompt-submit.json"),
        ("cursor", "beforeSubmitPrompt", "before-submit-prompt.json"),
        ("gemini", "BeforeAgent", "before-agent.json"),
    ] {
        hook(&env, &repo, agent, event, payload(agent, name, &repo)).assert_code(0);
    }
    let prompts = prompt_records(&env, &repo);
    assert_eq!(prompts.len(), 3, "{prompts:?}");
    for (record, (agent, session)) in prompts.iter().zip([
        ("claude-code", "abc123"),
        ("cursor", "668320d2-2fd8-4888-b33c-2a466fec86e7"),
        ("gemini", "8f1c2a7e-5b3d-4e9a-9c11-2f0d6b7a4e55"),
    ]) {
        assert_eq!(record["source"], "agent");
        assert_eq!(record["why"], "Make the greeting in greet.txt friendlier");
        assert_eq!(record["detail"]["agent"]["name"], agent);
        assert_eq!(record["detail"]["agent"]["session"], session);
        assert_eq!(record["detail"]["prompt"], 1);
        assert_eq!(record["actor"]["email"], common::COMMITTER_EMAIL);
        assert!(record["paths"].as_array().is_none_or(Vec::is_empty), "{record}");
        // The session file keeps the seq the record got.
        let kept = session_file(&repo, session);
        assert_eq!(kept["prompt_seq"], record["seq"], "{kept}");
        assert_eq!(kept["prompt_seqs"], serde_json::json!([record["seq"]]));
    }

    // prompts = "none": still a record, without the text.
    let toml = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    std::fs::write(repo.join("trail.toml"), format!("{toml}\n[agent]\nprompts = \"none\"\n"))
        .expect("write");
    hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    )
    .assert_code(0);
    let prompts = prompt_records(&env, &repo);
    let last = prompts.last().expect("a fourth record");
    assert_eq!(prompts.len(), 4);
    assert!(last.get("why").is_none(), "{last}");
    assert_eq!(last["detail"]["prompt"], 2);
    let all = std::fs::read_to_string(repo.join(".git/trail/agents/sessions/abc123.json"))
        .expect("session file");
    assert_eq!(session_file(&repo, "abc123")["prompt_seq"], last["seq"], "{all}");
    env.trail_ok(&repo, ["verify"]);
}

/// Claude Code session abc123: a prompt, then an Edit of greet.txt.
fn claude_prompt_and_edit(env: &TestEnv, repo: &Path, prompt: &str, content: &str) {
    let mut input: Value =
        serde_json::from_slice(&payload("claude-code", "user-prompt-submit.json", repo))
            .expect("JSON");
    input["prompt"] = Value::from(prompt);
    hook(env, repo, "claude-code", "UserPromptSubmit", input.to_string().into_bytes())
        .assert_code(0);
    std::fs::write(repo.join("greet.txt"), content).expect("edit");
    hook(
        env,
        repo,
        "claude-code",
        "PostToolUse",
        payload("claude-code", "post-tool-use-edit.json", repo),
    )
    .assert_code(0);
}

/// A person's commit whose post-commit ran after it (here: its drainer
/// killed, so it waits until the next trail process) never takes an AI
/// agent's edit made after it: the agent's hook is a trail process, which
/// records the waiting commit before it notes the edit, and the edit waits
/// for the next commit, which names the session.
#[test]
fn an_agent_edit_after_a_commit_whose_post_commit_waits_is_the_next_commits() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "late");
    common::commit_killed_at_hand_over(&env, &repo, "other.txt", "a person's change", "by hand")
        .assert_code(0);
    common::wait_for_drain_log(&repo, "killed");
    let marker = || !common::deferred_markers(&repo).is_empty();
    assert!(marker(), "the person's commit waits to be recorded");

    claude_prompt_and_edit(&env, &repo, "make it friendlier", "hello, friend\n");
    assert!(!marker(), "the agent's hook recorded the waiting commit first");
    let commits = env.trail_json(&repo, ["log", "--kind", "commit", "--json"]);
    let person = commits
        .iter()
        .find(|r| r["detail"]["subject"] == "a person's change")
        .expect("recorded as prepared");
    assert!(person["detail"].get("agents").is_none(), "{person}");

    commit_naming_the_session(&env, &repo);
}

#[test]
fn log_agent_lists_an_agents_records_and_show_session_tells_its_story() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    claude_prompt_and_edit(&env, &repo, "Make the greeting friendlier", "hello, friend\n");
    claude_prompt_and_edit(&env, &repo, "Now make it warmer", "hello, dear friend\n");
    // Another agent's prompt, and a person's commit holding Claude's edits.
    hook(
        &env,
        &repo,
        "cursor",
        "beforeSubmitPrompt",
        payload("cursor", "before-submit-prompt.json", &repo),
    )
    .assert_code(0);
    env.git_ok(&repo, ["add", "greet.txt"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "warmer greeting"]).env("TRAIL_WHY", "users asked");
    common::run(cmd, PROCESS_TIMEOUT).assert_code(0);

    let mine = env.trail_json(&repo, ["log", "--agent", "claude-code", "--json", "--reverse"]);
    let kinds: Vec<&str> = mine.iter().map(|r| r["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["agent.prompt", "agent.edit", "agent.prompt", "agent.edit", "commit"]);
    assert_eq!(mine[4]["detail"]["subject"], "warmer greeting");
    // A spelling the agent is known by, a limit counted after the filter.
    let newest = env.trail_json(&repo, ["log", "--agent", "claude", "-n", "1", "--json"]);
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0]["kind"], "commit");
    let cursor = env.trail_json(&repo, ["log", "--agent", "cursor", "--json"]);
    assert_eq!(cursor.len(), 1, "{cursor:?}");
    assert_eq!(cursor[0]["kind"], "agent.prompt");
    let table = env.trail_ok(&repo, ["log", "--agent", "claude-code"]).stdout_str();
    assert!(table.contains("claude-code prompt: Now make it warmer"), "{table}");
    assert!(table.contains("claude-code Edit: greet.txt"), "{table}");

    // The story, prompt by prompt.
    let story = env.trail_json(&repo, ["show", "--session", "abc123", "--json"]);
    assert_eq!(story.len(), 1);
    let story = &story[0];
    assert_eq!(story["session"], "abc123");
    assert_eq!(story["agents"], serde_json::json!(["claude-code"]));
    let turns = story["turns"].as_array().expect("turns");
    assert_eq!(turns.len(), 2, "{story}");
    assert_eq!(turns[0]["record"]["why"], "Make the greeting friendlier");
    assert_eq!(turns[1]["record"]["why"], "Now make it warmer");
    assert_eq!(turns[1]["edits"][0]["paths"][0]["size"], 19);
    assert_eq!(turns[0]["edits"].as_array().expect("edits").len(), 1);
    let commit = &story["commits"][0];
    assert_eq!(commit["detail"]["subject"], "warmer greeting");
    // The commit names both prompts its edits followed.
    let seqs: Vec<&Value> = turns.iter().map(|t| &t["record"]["seq"]).collect();
    assert_eq!(commit["detail"]["agents"][0]["prompts"], serde_json::json!(seqs));

    let text = env.trail_ok(&repo, ["show", "--session", "abc"]).stdout_str();
    for needle in [
        "session abc123  (claude-code)",
        "2 prompts, 2 edits, 1 commit",
        "prompt 1  record",
        "  Make the greeting friendlier",
        "prompt 2  record",
        "edit  record",
        "warmer greeting",
    ] {
        assert!(text.contains(needle), "{needle:?} in:\n{text}");
    }
    env.trail(&repo, ["log", "--agent", "vim"])
        .assert_code(2)
        .assert_stderr_has("the agents are: claude-code, cursor, gemini");
    env.trail(&repo, ["show", "--session", "nobody"])
        .assert_code(2)
        .assert_stderr_has("no record names an agent session nobody");
    env.trail(&repo, ["show", "1", "--session", "abc123"]).assert_code(2);
}

#[test]
fn an_agents_own_commit_takes_its_prompts_as_the_why_and_a_persons_does_not() {
    let env = TestEnv::new();
    let repo = repo_with_greeting(&env, "app");
    let cases = [
        (
            "claude-code",
            "UserPromptSubmit",
            "user-prompt-submit.json",
            "PreToolUse",
            "pre-tool-use-bash-commit.json",
            "CLAUDECODE",
            "1",
        ),
        (
            "cursor",
            "beforeSubmitPrompt",
            "before-submit-prompt.json",
            "beforeShellExecution",
            "before-shell-execution-commit.json",
            "CURSOR_AGENT",
            "1",
        ),
        (
            "gemini",
            "BeforeAgent",
            "before-agent.json",
            "BeforeTool",
            "before-tool-shell-commit.json",
            "GEMINI_CLI",
            "1",
        ),
    ];
    for (i, (agent, prompt_event, prompt, shell_event, shell, var, value)) in
        cases.into_iter().enumerate()
    {
        hook(&env, &repo, agent, prompt_event, payload(agent, prompt, &repo)).assert_code(0);
        std::fs::write(repo.join("greet.txt"), format!("hello {i}\n")).expect("edit");
        env.git_ok(&repo, ["add", "greet.txt"]);
        // The agent's shell hook sees `git commit` and allows it…
        let out = hook(&env, &repo, agent, shell_event, payload(agent, shell, &repo));
        out.assert_code(0);
        assert!(!out.stdout_str().contains("deny"), "{agent}: {out}");
        // …and the commit runs in the agent's shell, without a Why.
        let mut cmd = env.command("git", &repo);
        cmd.args(["commit", "-q", "-m", "Make the greeting friendlier"]).env(var, value);
        common::run(cmd, PROCESS_TIMEOUT).assert_code(0);
        let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
        assert!(
            message.contains("Why: Make the greeting in greet.txt friendlier"),
            "{agent}: {message}"
        );
    }
    let commits = env.trail_json(&repo, ["log", "--kind", "commit", "-n", "1", "--json"]);
    assert_eq!(commits[0]["why"], "Make the greeting in greet.txt friendlier");

    // A person's commit right after the agent's shell hook: no CLAUDECODE,
    // so no prompt as its rationale (and trail.toml requires one).
    hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    )
    .assert_code(0);
    hook(
        &env,
        &repo,
        "claude-code",
        "PreToolUse",
        payload("claude-code", "pre-tool-use-bash-commit.json", &repo),
    )
    .assert_code(0);
    std::fs::write(repo.join("greet.txt"), "a person's greeting\n").expect("edit");
    env.git_ok(&repo, ["add", "greet.txt"]);
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "mine"]);
    common::run(cmd, PROCESS_TIMEOUT).assert_code(1).assert_stderr_has("no rationale");
    // A Why given wins over the prompts.
    let mut cmd = env.command("git", &repo);
    cmd.args(["commit", "-q", "-m", "given"])
        .env("CLAUDECODE", "1")
        .env("TRAIL_WHY", "my own reason");
    common::run(cmd, PROCESS_TIMEOUT).assert_code(0);
    let message = env.git_ok(&repo, ["log", "-1", "--format=%B"]);
    assert!(message.contains("Why: my own reason"), "{message}");

    // The prompts since the session's last commit only: that commit took
    // them, and the agent's next commit has none to default to.
    let agent_commit = |subject: &str| {
        hook(
            &env,
            &repo,
            "claude-code",
            "PreToolUse",
            payload("claude-code", "pre-tool-use-bash-commit.json", &repo),
        )
        .assert_code(0);
        std::fs::write(repo.join("greet.txt"), format!("{subject}\n")).expect("edit");
        env.git_ok(&repo, ["add", "greet.txt"]);
        let mut cmd = env.command("git", &repo);
        cmd.args(["commit", "-q", "-m", subject]).env("CLAUDECODE", "1");
        common::run(cmd, PROCESS_TIMEOUT)
    };
    agent_commit("again").assert_code(1).assert_stderr_has("no rationale");
    // `[agent] commit_why = "none"` turns the default off.
    let toml = std::fs::read_to_string(repo.join("trail.toml")).expect("read");
    std::fs::write(repo.join("trail.toml"), format!("{toml}\n[agent]\ncommit_why = \"none\"\n"))
        .expect("write");
    hook(
        &env,
        &repo,
        "claude-code",
        "UserPromptSubmit",
        payload("claude-code", "user-prompt-submit.json", &repo),
    )
    .assert_code(0);
    agent_commit("off").assert_code(1).assert_stderr_has("no rationale");
}
