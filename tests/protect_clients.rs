//! What counts as protected, end to end (issue 17, cases 11, 12 and 13;
//! docs/protection.md ("What counts as protected")): for every MCP client in the table of
//! docs/protection.md ("What counts as protected"), committing its project configuration — with
//! content as the client's documentation writes it — without a token, in a
//! repository whose policy names an authorizer, is refused by pre-commit
//! (exit 1, "carries no authorization token", nothing committed, a
//! `commit.blocked` record). Then the scripts such configs launch through
//! the common idioms, and a config padded past a mebibyte.

mod common;

use std::path::Path;

use common::protect::*;
use common::*;

// ---------------------------------------------------------------------------
// Refusals (the shared helpers: tests/common/protect.rs)
// ---------------------------------------------------------------------------

fn blocked_records(env: &TestEnv, repo: &Path) -> Vec<serde_json::Value> {
    env.trail_json(repo, ["log", "--json", "--kind", "commit.blocked"])
}

/// Commit what is staged without a token and check the refusal: exit 1,
/// "carries no authorization token" and every path of `paths` in stderr,
/// HEAD unchanged, one more `commit.blocked` record.
#[track_caller]
fn assert_refused(env: &TestEnv, repo: &Path, paths: &[&str]) -> Output {
    let before = head(env, repo);
    let blocked_before = blocked_records(env, repo).len();
    let out = commit(env, repo, None, "an unauthorized change");
    out.assert_code(1).assert_stderr_has("carries no authorization token");
    for path in paths {
        out.assert_stderr_has(path);
    }
    assert_eq!(head(env, repo), before, "nothing was committed:\n{out}");
    assert_eq!(blocked_records(env, repo).len(), blocked_before + 1, "one commit.blocked record");
    out
}

/// Stage `files` in a bootstrapped repository and expect the commit refused.
fn refused_without_token(files: &[(&str, &str)]) {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    for (path, content) in files {
        write(&repo, path, content);
        env.git_ok(&repo, ["add", "--", path]);
    }
    let paths: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
    assert_refused(&env, &repo, &paths);
}

// ---------------------------------------------------------------------------
// One test per row of docs/protection.md ("What counts as protected")
// ---------------------------------------------------------------------------

macro_rules! client_rows {
    ($($name:ident: $path:expr => $content:expr;)*) => {
        $(
            #[test]
            fn $name() {
                refused_without_token(&[($path, $content)]);
            }
        )*
    };
}

client_rows! {
    claude_code_mcp_json: ".mcp.json" =>
        "{\"mcpServers\": {\"docs\": {\"command\": \"npx\", \"args\": [\"-y\", \"docs-mcp\"]}}}\n";
    claude_code_settings: ".claude/settings.json" =>
        "{\"enableAllProjectMcpServers\": true,\n \"hooks\": {\"PostToolUse\": [{\"matcher\": \"Write|Edit\", \"hooks\": [{\"type\": \"command\", \"command\": \"\\\"$CLAUDE_PROJECT_DIR\\\"/.claude/hooks/format.sh\"}]}]}}\n";
    claude_code_local_settings: ".claude/settings.local.json" =>
        "{\"enabledMcpjsonServers\": [\"docs\"]}\n";
    claude_desktop: "config/claude_desktop_config.json" =>
        "{\"mcpServers\": {\"fs\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \".\"]}}}\n";
    cursor: ".cursor/mcp.json" =>
        "{\"mcpServers\": {\"db\": {\"command\": \"node\", \"args\": [\"tools/db.js\"]}}}\n";
    cursor_hooks: ".cursor/hooks.json" =>
        "{\"version\": 1, \"hooks\": {\"afterFileEdit\": [{\"command\": \"./hooks/format.sh\"}]}}\n";
    vscode_mcp_json: ".vscode/mcp.json" =>
        "// Workspace MCP servers\n{\n  \"inputs\": [],\n  \"servers\": {\n    \"memory\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"]},\n  },\n}\n";
    vscode_servers_by_content: "config/vs.json" =>
        "/* shared with .vscode/mcp.json */\n{\"servers\": {\"github\": {\"type\": \"http\", \"url\": \"https://api.githubcopilot.com/mcp/\"}}}\n";
    vscode_settings_mcp: ".vscode/settings.json" =>
        "{\n  // editor\n  \"editor.formatOnSave\": true,\n  \"mcp\": {\"servers\": {\"memory\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"]}}},\n}\n";
    vscode_code_workspace: "team.code-workspace" =>
        "{\n  \"folders\": [{\"path\": \".\"}],\n  \"settings\": {\"mcp\": {\"servers\": {\"local\": {\"command\": \"node\", \"args\": [\"srv.js\"]}}}},\n}\n";
    devcontainer: ".devcontainer/devcontainer.json" =>
        "{\n  \"image\": \"mcr.microsoft.com/devcontainers/base:ubuntu\",\n  // MCP servers for Copilot in the container\n  \"customizations\": {\"vscode\": {\"mcp\": {\"servers\": {\"pw\": {\"command\": \"npx\", \"args\": [\"-y\", \"@playwright/mcp\"]}}}}}\n}\n";
    devcontainer_variant: ".devcontainer/python/devcontainer.json" =>
        "{\"image\": \"x\", \"customizations\": {\"vscode\": {\"settings\": {\"mcp\": {\"servers\": {}}}}}}\n";
    devcontainer_root_file: ".devcontainer.json" =>
        "{\"image\": \"x\"}\n";
    gemini_cli: ".gemini/settings.json" =>
        "{\"mcpServers\": {\"git\": {\"command\": \"uvx\", \"args\": [\"mcp-server-git\"]}}}\n";
    gemini_extension: ".gemini/extensions/tools/gemini-extension.json" =>
        "{\"name\": \"tools\", \"version\": \"1.0.0\", \"mcpServers\": {\"tools\": {\"command\": \"node\", \"args\": [\"server.js\"]}}}\n";
    codex: ".codex/config.toml" =>
        "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n";
    codex_in_a_subdirectory: "services/api/.codex/config.toml" =>
        "model = \"gpt-5\"\n";
    zed: ".zed/settings.json" =>
        "{\"context_servers\": {\"local\": {\"command\": \"node\", \"args\": [\"srv.js\"]}}}\n";
    continue_dev: ".continue/mcpServers/sqlite.yaml" =>
        "name: SQLite MCP\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: sqlite\n    command: npx\n    args: [\"-y\", \"mcp-sqlite\", \"./db.sqlite\"]\n";
    roo_code: ".roo/mcp.json" =>
        "{\"mcpServers\": {}}\n";
    kilo_code: ".kilocode/mcp.json" =>
        "{\"mcpServers\": {}}\n";
    kiro: ".kiro/settings/mcp.json" =>
        "{\"mcpServers\": {\"fetch\": {\"command\": \"uvx\", \"args\": [\"mcp-server-fetch\"]}}}\n";
    cline: "config/cline_mcp_settings.json" =>
        "{\"mcpServers\": {}}\n";
    windsurf: "config/mcp_config.json" =>
        "{\"mcpServers\": {}}\n";
    copilot_cli: ".copilot/mcp-config.json" =>
        "{\"mcpServers\": {}}\n";
    copilot_custom_agent: ".github/agents/db.agent.md" =>
        "---\nname: db\ndescription: 'Queries the database'\nmcp-servers:\n  db:\n    type: local\n    command: ./tools/db.sh\n    tools: [\"*\"]\n---\nYou answer questions about the database.\n";
    opencode: "opencode.json" =>
        "{\"$schema\": \"https://opencode.ai/config.json\", \"mcp\": {\"local\": {\"type\": \"local\", \"command\": [\"bun\", \"x\", \"my-mcp\"], \"enabled\": true}}}\n";
    opencode_dot_dir_jsonc: ".opencode/opencode.jsonc" =>
        "{\n  \"$schema\": \"https://opencode.ai/config.json\",\n  // local tools\n  \"mcp\": {\"tools\": {\"type\": \"local\", \"command\": [\"./tools/run.sh\"]}},\n}\n";
    opencode_nested: "packages/web/opencode.json" =>
        "{\"mcp\": {}}\n";
    opencode_plugin: ".opencode/plugins/guard.ts" =>
        "export const Guard = async ({ $ }) => ({})\n";
    amp: ".amp/settings.json" =>
        "{\"amp.mcpServers\": {\"playwright\": {\"command\": \"npx\", \"args\": [\"-y\", \"@playwright/mcp@latest\"]}}}\n";
    amp_jsonc: "web/.amp/settings.jsonc" =>
        "// workspace settings\n{\"amp.mcpServers\": {},}\n";
    crush_json: "crush.json" =>
        "{\"$schema\": \"https://charm.land/crush.json\", \"mcp\": {\"fs\": {\"type\": \"stdio\", \"command\": \"node\", \"args\": [\"srv.js\"]}}}\n";
    crush_hidden_json: ".crush.json" =>
        "{\"mcp\": {}}\n";
    crush_crushrc: ".crushrc" =>
        "mcp add fs --command ./tools/fs.sh\n";
    crush_plugin: ".crush/plugins/provider.sh" =>
        "provider add local --type openai-compat --base-url http://127.0.0.1:1/v1\n";
    goose_recipe: "recipes/review.yaml" =>
        "version: 1.0.0\ntitle: Code review\ndescription: Reviews a change\ninstructions: Review the staged change.\nextensions:\n  - type: stdio\n    name: local\n    cmd: ./tools/review.sh\n    args: []\n    timeout: 300\n";
    goose_recipe_json: "recipes/review.json" =>
        "{\"version\": \"1.0.0\", \"title\": \"t\", \"description\": \"d\", \"instructions\": \"i\", \"extensions\": [{\"type\": \"stdio\", \"name\": \"x\", \"cmd\": \"uv\", \"args\": [\"run\", \"x.py\"]}]}\n";
    junie: ".junie/mcp/mcp.json" =>
        "{\"mcpServers\": {}}\n";
    qwen_code: ".qwen/settings.json" =>
        "{\"mcpServers\": {\"x\": {\"command\": \"node\", \"args\": [\"x.js\"]}}}\n";
    any_mcp_directory: "tools/mcp/server.py" =>
        "print('server')\n";
    any_mcp_wrapper_script: "scripts/run-mcp.sh" =>
        "#!/bin/sh\nexec node dist/server.js\n";
    any_toml_mcp_servers: "config/agent.toml" =>
        "model = \"x\"\n[mcp_servers.docs]\ncommand = \"npx\"\n";
    any_yaml_mcp_servers: "config/agent.yaml" =>
        "name: agent\nmcpServers:\n  - name: docs\n    command: npx\n";
    any_mcp_servers_json: "tools/agents.json" =>
        "{\"mcpServers\": {\"x\": {\"command\": \"./x.sh\"}}}\n";
}

// ---------------------------------------------------------------------------
// Launched scripts (case 11) and large configs (case 12)
// ---------------------------------------------------------------------------

/// `config` committed with a token; then a change to `script` alone is
/// refused, and names the config that launches it.
fn launched_script_is_protected(config_path: &str, config: &str, script: &str) {
    let env = TestEnv::new();
    let repo = bootstrapped(&env);
    write(&repo, script, "print('v1')\n");
    write(&repo, config_path, config);
    env.git_ok(&repo, ["add", "-A"]);
    commit_authorized(&env, &repo, "add the server");
    write(&repo, script, "print('v2: something else')\n");
    env.git_ok(&repo, ["add", "--", script]);
    let out = assert_refused(&env, &repo, &[script]);
    out.assert_stderr_has(config_path);
}

#[test]
fn a_python_module_a_config_runs_with_dash_m_is_protected() {
    launched_script_is_protected(
        ".mcp.json",
        "{\"mcpServers\": {\"srv\": {\"command\": \"python3\", \"args\": [\"-m\", \"tools.srv\"]}}}\n",
        "tools/srv/__main__.py",
    );
}

#[test]
fn a_script_under_uv_directory_is_protected() {
    launched_script_is_protected(
        ".cursor/mcp.json",
        "{\"mcpServers\": {\"srv\": {\"command\": \"uv\", \"args\": [\"--directory\", \"services/srv\", \"run\", \"main.py\"]}}}\n",
        "services/srv/main.py",
    );
}

#[test]
fn a_script_behind_bash_dash_c_cd_is_protected() {
    launched_script_is_protected(
        ".vscode/mcp.json",
        "// runs from tools/\n{\"servers\": {\"s\": {\"type\": \"stdio\", \"command\": \"bash\", \"args\": [\"-c\", \"cd tools && ./start.py\"]},},}\n",
        "tools/start.py",
    );
}

#[test]
fn a_claude_hook_script_is_protected() {
    launched_script_is_protected(
        ".claude/settings.json",
        "{\"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"python3 \\\"$CLAUDE_PROJECT_DIR\\\"/.claude/hooks/stop.py\"}]}]}}\n",
        ".claude/hooks/stop.py",
    );
}

#[test]
fn a_config_padded_past_a_mebibyte_still_protects_what_it_launches() {
    // Regression (issue 17, case 12): past 1 MiB nothing was read.
    let mut config = String::from(
        "{\"mcpServers\": {\"a\": {\"command\": \"python3\", \"args\": [\"scripts/evil.py\"]}}, \"pad\": \"",
    );
    config.push_str(&"x".repeat((1 << 20) + 4096));
    config.push_str("\"}\n");
    launched_script_is_protected(".mcp.json", &config, "scripts/evil.py");
}
