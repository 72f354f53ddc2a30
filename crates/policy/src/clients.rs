//! Where each MCP client keeps its servers and its commands inside a config
//! file, once parsed: the one place that knows `mcpServers` (Claude, Cursor,
//! Gemini, Windsurf, Cline, Roo, Kiro, …), `servers` (VS Code `mcp.json`),
//! `mcp` (OpenCode, Crush, VS Code `settings.json`), `amp.mcpServers` (Amp),
//! `customizations.vscode.mcp` (dev containers), `settings.mcp`
//! (`*.code-workspace`), `extensions` (Goose recipes), `context_servers`
//! (Zed), `[mcp_servers.*]` (Codex), and the shell commands of hooks.
//!
//! Both the content signatures and the launched scripts read from here, so a
//! shape recognised as defining servers is also one whose commands are
//! followed. docs/protection.md ("What counts as protected") has the table, with sources.

use serde_json::{Map, Value};

/// The extension types of a Goose recipe (`extensions: - type: stdio`).
const GOOSE_TYPES: &[&str] =
    &["stdio", "builtin", "platform", "sse", "streamable_http", "frontend", "inline_python"];

/// The transport types an MCP server entry names (`"type": "stdio"`).
const SERVER_TYPES: &[&str] =
    &["stdio", "http", "sse", "streamable-http", "streamableHttp", "local", "remote", "ws"];

fn object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value.and_then(Value::as_object)
}

/// `top[a][b]…`, when each step is an object.
fn path<'a>(top: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    let (last, init) = keys.split_last()?;
    let mut map = top;
    for key in init {
        map = object(map.get(*key))?;
    }
    map.get(*last)
}

/// Whether `entry` looks like an MCP server: a `command` (or Goose's `cmd`),
/// a `url`, or a known transport `type`.
fn is_server(entry: &Map<String, Value>) -> bool {
    entry.contains_key("command")
        || entry.contains_key("cmd")
        || entry.contains_key("url")
        || entry
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| SERVER_TYPES.contains(&t) || GOOSE_TYPES.contains(&t))
}

/// Whether `value` is a map of server entries with at least one server.
fn has_servers(value: Option<&Value>) -> bool {
    object(value).is_some_and(|map| map.values().filter_map(Value::as_object).any(is_server))
}

/// Whether `value` is a Goose extension list (`extensions:` of a recipe) with
/// at least one extension.
fn goose_extensions(value: Option<&Value>) -> bool {
    value.and_then(Value::as_array).is_some_and(|list| {
        list.iter().filter_map(Value::as_object).any(|e| {
            e.contains_key("cmd")
                || e.get("type").and_then(Value::as_str).is_some_and(|t| GOOSE_TYPES.contains(&t))
        })
    })
}

/// The VS Code `mcp` setting inside a settings object (`"mcp": {…}` or a
/// flat `"mcp.servers"` key).
fn vscode_mcp_setting(settings: Option<&Value>) -> bool {
    object(settings).is_some_and(|s| s.keys().any(|k| k == "mcp" || k.starts_with("mcp.")))
}

/// Which client shape of a top-level JSON key defines MCP servers (or how
/// they are enabled): `None` when this key says nothing about MCP. `key` and
/// `value` are one top-level member of a JSON object.
pub(crate) fn json_shape(key: &str, value: &Value) -> Option<JsonShape> {
    let value = Some(value);
    match key {
        "mcpServers" => Some(JsonShape::McpServers),
        "context_servers" => Some(JsonShape::ContextServers),
        "amp.mcpServers" => Some(JsonShape::Amp),
        "amp" if object(value).is_some_and(|a| a.contains_key("mcpServers")) => {
            Some(JsonShape::Amp)
        }
        // VS Code's mcp.json: `"servers": {"name": {"command"|"url"|"type"}}`.
        "servers" if has_servers(value) => Some(JsonShape::Servers),
        // OpenCode and Crush (`"mcp": {"name": {…}}`), VS Code settings
        // (`"mcp": {"servers": …}`): any `mcp` object, since no other tool
        // uses that key at the top of a JSON file.
        "mcp" if value.is_some_and(Value::is_object) => Some(JsonShape::Mcp),
        k if k.starts_with("mcp.") => Some(JsonShape::Mcp),
        "customizations" => {
            let vscode = object(value).and_then(|c| object(c.get("vscode")));
            let found = vscode
                .is_some_and(|v| v.contains_key("mcp") || vscode_mcp_setting(v.get("settings")));
            found.then_some(JsonShape::Nested)
        }
        // A `*.code-workspace`: `"settings": {"mcp": …}`.
        "settings" if vscode_mcp_setting(value) => Some(JsonShape::Nested),
        "enableAllProjectMcpServers" | "enabledMcpjsonServers" => Some(JsonShape::ClaudeSettings),
        "extensions" if goose_extensions(value) => Some(JsonShape::Goose),
        "recipe" if goose_extensions(object(value).and_then(|r| r.get("extensions"))) => {
            Some(JsonShape::Goose)
        }
        _ => None,
    }
}

/// The top-level JSON keys whose value [`json_shape`] needs to look into;
/// the others are skipped unread.
pub(crate) fn needs_value(key: &str) -> bool {
    matches!(
        key,
        "amp" | "servers" | "mcp" | "customizations" | "settings" | "extensions" | "recipe"
    )
}

/// A client's way of defining MCP servers in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonShape {
    McpServers,
    ContextServers,
    Amp,
    Servers,
    Mcp,
    Nested,
    ClaudeSettings,
    Goose,
}

/// One server a config defines, as what its client would run.
#[derive(Debug, Default)]
pub(crate) struct Entry<'a> {
    /// Command lines as argv (`command` + `args`, an OpenCode `command`
    /// array, Zed's `{path, args}`, Goose's `cmd` + `args`).
    pub argvs: Vec<Vec<String>>,
    /// Shell command strings (a `command` with blanks in it, a hook).
    pub shell: Vec<&'a str>,
    /// Its working directory (`cwd`), if any.
    pub cwd: Option<&'a str>,
    /// Other files it reads (`envFile`).
    pub files: Vec<&'a str>,
}

fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

fn entry(map: &Map<String, Value>) -> Entry<'_> {
    let mut entry = Entry::default();
    let args: Vec<String> = strings(map.get("args")).map(str::to_owned).collect();
    let argv_with = |head: Vec<String>| {
        let mut argv = head;
        argv.extend(args.iter().cloned());
        argv
    };
    for key in ["command", "cmd"] {
        match map.get(key) {
            Some(Value::String(command)) => {
                entry.argvs.push(argv_with(vec![command.clone()]));
                // Some clients hand `command` to a shell, some split it on
                // blanks: follow it both ways.
                if command.contains(char::is_whitespace) {
                    entry.shell.push(command);
                    for words in crate::launch::commands(command.as_bytes()) {
                        entry.argvs.push(argv_with(words));
                    }
                }
            }
            Some(Value::Array(parts)) => {
                entry.argvs.push(argv_with(
                    parts.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                ));
            }
            Some(Value::Object(command)) => {
                let mut argv: Vec<String> = command
                    .get("path")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect();
                argv.extend(strings(command.get("args")).map(str::to_owned));
                entry.argvs.push(argv_with(argv));
            }
            _ => {}
        }
    }
    if entry.argvs.is_empty() && !args.is_empty() {
        entry.argvs.push(args.clone());
    }
    entry.cwd = map.get("cwd").and_then(Value::as_str);
    entry.files.extend(map.get("envFile").and_then(Value::as_str));
    entry
}

fn entries_of<'a>(value: Option<&'a Value>, out: &mut Vec<Entry<'a>>) {
    if let Some(map) = object(value) {
        out.extend(map.values().filter_map(Value::as_object).map(entry));
    }
}

/// Every server entry and command a parsed JSON (or TOML, as JSON) config
/// defines, in any of the client shapes this module knows.
pub(crate) fn entries(top: &Map<String, Value>) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for key in ["mcpServers", "context_servers", "servers", "mcp_servers", "mcp", "amp.mcpServers"]
    {
        entries_of(top.get(key), &mut out);
    }
    for keys in [
        &["mcp", "servers"][..],
        &["amp", "mcpServers"],
        &["customizations", "vscode", "mcp", "servers"],
        &["customizations", "vscode", "settings", "mcp", "servers"],
        &["customizations", "vscode", "settings", "mcp.servers"],
        &["settings", "mcp", "servers"],
        &["settings", "mcp.servers"],
    ] {
        entries_of(path(top, keys), &mut out);
    }
    for list in [top.get("extensions"), path(top, &["recipe", "extensions"])] {
        out.extend(
            list.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .map(entry),
        );
    }
    // Hooks (Claude Code, Cursor, Gemini CLI) and helper commands run shell
    // strings; Codex's `notify` is an argv.
    let mut hooks = Entry::default();
    if let Some(value) = top.get("hooks") {
        hook_commands(value, &mut hooks.shell, 0);
    }
    for key in ["apiKeyHelper", "awsAuthRefresh", "awsCredentialExport", "otelHeadersHelper"] {
        hooks.shell.extend(top.get(key).and_then(Value::as_str));
    }
    hooks.shell.extend(path(top, &["statusLine", "command"]).and_then(Value::as_str));
    // A dev container's lifecycle commands (`initializeCommand` runs on the
    // host): a string is a shell command, an array an argv, an object a map
    // of either.
    for key in [
        "initializeCommand",
        "onCreateCommand",
        "updateContentCommand",
        "postCreateCommand",
        "postStartCommand",
        "postAttachCommand",
    ] {
        let values: Vec<&Value> = match top.get(key) {
            Some(Value::Object(map)) => map.values().collect(),
            Some(value) => vec![value],
            None => Vec::new(),
        };
        for value in values {
            match value {
                Value::String(command) => hooks.shell.push(command),
                Value::Array(_) => {
                    hooks.argvs.push(strings(Some(value)).map(str::to_owned).collect())
                }
                _ => {}
            }
        }
    }
    let notify: Vec<String> = strings(top.get("notify")).map(str::to_owned).collect();
    if !notify.is_empty() {
        hooks.argvs.push(notify);
    }
    out.push(hooks);
    out
}

/// Every `command` string anywhere under a `hooks` value (its nesting differs
/// by client: Claude's `{Event: [{matcher, hooks: [{command}]}]}`, Cursor's
/// `{event: [{command}]}`).
fn hook_commands<'a>(value: &'a Value, out: &mut Vec<&'a str>, depth: usize) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("command", Value::String(command)) => out.push(command),
                    (_, value) => hook_commands(value, out, depth + 1),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| hook_commands(v, out, depth + 1)),
        _ => {}
    }
}

/// The local plugin directories an OpenCode config loads (`"plugin"` or
/// `"plugins"`: strings or `{package}` objects that are relative paths).
pub(crate) fn plugin_dirs(top: &Map<String, Value>) -> Vec<&str> {
    let mut out = Vec::new();
    for key in ["plugin", "plugins"] {
        for item in top.get(key).and_then(Value::as_array).into_iter().flatten() {
            let spec = match item {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("package").and_then(Value::as_str),
                _ => None,
            };
            out.extend(
                spec.filter(|s| {
                    s.starts_with("./") || s.starts_with("../") || s.starts_with("file:")
                }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(value: Value) -> Vec<JsonShape> {
        let Value::Object(top) = value else { return Vec::new() };
        top.iter().filter_map(|(k, v)| json_shape(k, v)).collect()
    }

    #[test]
    fn each_client_shape_is_recognised() {
        assert_eq!(
            shape(json!({"servers": {"a": {"type": "stdio", "command": "x"}}})),
            vec![JsonShape::Servers]
        );
        assert_eq!(
            shape(json!({"servers": {"a": {"url": "https://x.invalid"}}})),
            vec![JsonShape::Servers]
        );
        assert_eq!(shape(json!({"amp.mcpServers": {}})), vec![JsonShape::Amp]);
        assert_eq!(shape(json!({"mcp": {"x": {"type": "local"}}})), vec![JsonShape::Mcp]);
        assert_eq!(
            shape(json!({"customizations": {"vscode": {"settings": {"mcp": {"servers": {}}}}}})),
            vec![JsonShape::Nested]
        );
        assert_eq!(
            shape(json!({"customizations": {"vscode": {"mcp": {}}}})),
            vec![JsonShape::Nested]
        );
        assert_eq!(shape(json!({"folders": [], "settings": {"mcp": {}}})), vec![JsonShape::Nested]);
        assert_eq!(shape(json!({"enabledMcpjsonServers": ["a"]})), vec![JsonShape::ClaudeSettings]);
        assert_eq!(
            shape(json!({"extensions": [{"type": "stdio", "cmd": "x"}]})),
            vec![JsonShape::Goose]
        );
    }

    #[test]
    fn lookalikes_say_nothing() {
        for value in [
            json!({"servers": [{"url": "https://api.example.invalid"}]}),
            json!({"servers": {"db": {"host": "x"}}}),
            json!({"settings": {"editor.tabSize": 2}}),
            json!({"customizations": {"vscode": {"extensions": ["a.b"]}}}),
            json!({"extensions": ["ms-python.python"]}),
            json!({"hooks": {}}),
        ] {
            assert!(shape(value.clone()).is_empty(), "{value}");
        }
    }

    #[test]
    fn hooks_and_helpers_are_shell_commands() {
        let Value::Object(top) = json!({
            "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "a.sh"}]}]},
            "statusLine": {"type": "command", "command": "b.sh"},
            "apiKeyHelper": "c.sh",
        }) else {
            unreachable!("a literal object")
        };
        let shell: Vec<&str> = entries(&top).into_iter().flat_map(|e| e.shell).collect();
        assert_eq!(shell, vec!["a.sh", "c.sh", "b.sh"]);
    }
}
