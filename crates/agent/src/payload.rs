//! What each agent sends its hooks on stdin, read into one [`Call`].
//!
//! Reading is lenient: a payload must be a JSON object, and every field is
//! optional (a field missing or of another type is as if absent), so that a
//! newer agent adding or dropping a field does not turn into a refusal.
//!
//! - Claude Code: `session_id`, `transcript_path`, `cwd`, `hook_event_name`,
//!   `tool_name`, `tool_input` (`file_path`, `content`, `old_string`,
//!   `new_string`, `replace_all`, `edits`, `notebook_path`, `command`),
//!   `tool_use_id`, `prompt` (UserPromptSubmit);
//! - Cursor: `conversation_id`, `generation_id`, `hook_event_name`,
//!   `workspace_roots`, `cursor_version`, `command` and `cwd`
//!   (beforeShellExecution), `file_path` and `edits` (afterFileEdit),
//!   `prompt` (beforeSubmitPrompt), `tool_name`/`tool_input`
//!   (beforeMCPExecution);
//! - Gemini CLI: `session_id`, `transcript_path`, `cwd`, `hook_event_name`,
//!   `timestamp`, `tool_name`, `tool_input` (`file_path`, `content`,
//!   `old_string`, `new_string`, `command`, `dir_path`), `prompt`
//!   (BeforeAgent).

use std::path::PathBuf;

use serde_json::Value;

use crate::Agent;

/// The content a write leaves, as far as the payload tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewContent {
    /// The whole new content (a Write / write_file).
    Whole(String),
    /// Replacements of the file's current content, in order: (old, new, all).
    Replace(Vec<(String, String, bool)>),
    /// Not known (a notebook cell, an edit Cursor reports afterwards).
    Unknown,
}

/// One path a tool call writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As the agent gave it (absolute, or relative to the call's cwd).
    pub path: String,
    pub content: NewContent,
}

/// What the call is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The user submitted a prompt.
    Prompt(String),
    /// A tool is about to write these paths.
    BeforeWrite(Vec<Target>),
    /// A shell command is about to run.
    BeforeShell(String),
    /// A tool wrote these paths.
    AfterWrite(Vec<Target>),
    SessionStart,
    SessionEnd,
    /// Anything else (another tool, an event trail only acknowledges).
    Other,
}

/// A hook call, whatever the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub agent: Agent,
    /// The event as named on the command line.
    pub event: String,
    pub session: Option<String>,
    /// Where relative paths are resolved and the repository is found.
    pub cwd: Option<PathBuf>,
    pub tool: Option<String>,
    pub tool_use_id: Option<String>,
    /// The agent's version, when the payload says (Cursor's `cursor_version`).
    pub version: Option<String>,
    pub step: Step,
}

/// Why a payload cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the hook payload is not JSON: {0}")]
    NotJson(String),
    #[error("the hook payload is not a JSON object")]
    NotObject,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Claude Code's file-writing tools.
pub const CLAUDE_WRITE_TOOLS: [&str; 4] = ["Write", "Edit", "MultiEdit", "NotebookEdit"];
/// Gemini CLI's file-writing tools (`replace` is its edit tool).
pub const GEMINI_WRITE_TOOLS: [&str; 3] = ["write_file", "replace", "edit"];

fn replacement(v: &Value) -> Option<(String, String, bool)> {
    Some((
        text(v, "old_string").unwrap_or_default(),
        v.get("new_string")?.as_str()?.to_owned(),
        v.get("replace_all").and_then(Value::as_bool).unwrap_or(false),
    ))
}

/// The targets of a file tool's `tool_input`.
fn targets(tool: &str, input: &Value) -> Vec<Target> {
    let path = text(input, "file_path")
        .or_else(|| text(input, "notebook_path"))
        .or_else(|| text(input, "path"))
        .or_else(|| text(input, "absolute_path"));
    let Some(path) = path else { return Vec::new() };
    let content = match tool {
        "Write" | "write_file" => match input.get("content").and_then(Value::as_str) {
            Some(c) => NewContent::Whole(c.to_owned()),
            None => NewContent::Unknown,
        },
        "MultiEdit" => match input.get("edits").and_then(Value::as_array) {
            Some(edits) => {
                let all: Option<Vec<_>> = edits.iter().map(replacement).collect();
                all.map_or(NewContent::Unknown, NewContent::Replace)
            }
            None => NewContent::Unknown,
        },
        "Edit" | "replace" | "edit" => match replacement(input) {
            Some(r) => NewContent::Replace(vec![r]),
            None => NewContent::Unknown,
        },
        _ => NewContent::Unknown,
    };
    vec![Target { path, content }]
}

/// Read `bytes`, sent to the hook of `agent` for `event`.
pub fn parse(agent: Agent, event: &str, bytes: &[u8]) -> Result<Call, PayloadError> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    if !v.is_object() {
        return Err(PayloadError::NotObject);
    }
    let tool = text(&v, "tool_name");
    let input = v.get("tool_input").cloned().unwrap_or(Value::Null);
    let mut call = Call {
        agent,
        event: event.to_owned(),
        session: None,
        cwd: text(&v, "cwd").map(PathBuf::from),
        tool: tool.clone(),
        tool_use_id: text(&v, "tool_use_id"),
        version: None,
        step: Step::Other,
    };
    let tool = tool.unwrap_or_default();
    match agent {
        Agent::ClaudeCode => {
            call.session = text(&v, "session_id");
            let writes = CLAUDE_WRITE_TOOLS.contains(&tool.as_str());
            call.step = match event {
                "PreToolUse" if writes => Step::BeforeWrite(targets(&tool, &input)),
                "PreToolUse" if tool == "Bash" => match text(&input, "command") {
                    Some(command) => Step::BeforeShell(command),
                    None => Step::Other,
                },
                "PostToolUse" if writes => Step::AfterWrite(targets(&tool, &input)),
                "UserPromptSubmit" => Step::Prompt(text(&v, "prompt").unwrap_or_default()),
                "SessionStart" => Step::SessionStart,
                "SessionEnd" => Step::SessionEnd,
                _ => Step::Other,
            };
        }
        Agent::Gemini => {
            call.session = text(&v, "session_id");
            let writes = GEMINI_WRITE_TOOLS.contains(&tool.as_str());
            call.step = match event {
                "BeforeTool" if writes => Step::BeforeWrite(targets(&tool, &input)),
                "BeforeTool" if tool == "run_shell_command" => match text(&input, "command") {
                    Some(command) => {
                        if let Some(dir) =
                            text(&input, "dir_path").or_else(|| text(&input, "directory"))
                        {
                            let base = call.cwd.clone().unwrap_or_default();
                            call.cwd = Some(base.join(dir));
                        }
                        Step::BeforeShell(command)
                    }
                    None => Step::Other,
                },
                "AfterTool" if writes => Step::AfterWrite(targets(&tool, &input)),
                "BeforeAgent" => Step::Prompt(text(&v, "prompt").unwrap_or_default()),
                "SessionStart" => Step::SessionStart,
                "SessionEnd" => Step::SessionEnd,
                _ => Step::Other,
            };
        }
        Agent::Cursor => {
            call.session = text(&v, "conversation_id");
            call.version = text(&v, "cursor_version");
            if call.cwd.is_none() {
                call.cwd = v
                    .get("workspace_roots")
                    .and_then(Value::as_array)
                    .and_then(|roots| roots.first())
                    .and_then(Value::as_str)
                    .map(PathBuf::from);
            }
            call.step = match event {
                "beforeShellExecution" => {
                    call.tool.get_or_insert_with(|| "Shell".to_owned());
                    match text(&v, "command") {
                        Some(command) => Step::BeforeShell(command),
                        None => Step::Other,
                    }
                }
                "afterFileEdit" => {
                    call.tool.get_or_insert_with(|| "Edit".to_owned());
                    match text(&v, "file_path") {
                        Some(path) => {
                            Step::AfterWrite(vec![Target { path, content: NewContent::Unknown }])
                        }
                        None => Step::Other,
                    }
                }
                "beforeSubmitPrompt" => Step::Prompt(text(&v, "prompt").unwrap_or_default()),
                "stop" => Step::Other,
                _ => Step::Other,
            };
        }
    }
    Ok(call)
}

/// `current` after the replacements, as the edit tools apply them (the
/// first occurrence, or all with `replace_all`); `None` when an old string
/// is not found (the tool will fail).
pub fn apply(current: &str, replacements: &[(String, String, bool)]) -> Option<String> {
    let mut text = current.to_owned();
    for (old, new, all) in replacements {
        if old.is_empty() {
            // Creating a file with an empty old string: the new content.
            if text.is_empty() {
                text = new.clone();
                continue;
            }
            return None;
        }
        if !text.contains(old.as_str()) {
            return None;
        }
        text = if *all {
            text.replace(old.as_str(), new)
        } else {
            text.replacen(old.as_str(), new, 1)
        };
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_write() {
        let call = parse(
            Agent::ClaudeCode,
            "PreToolUse",
            br#"{"session_id":"s1","cwd":"/r","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/r/.mcp.json","content":"{}"},"tool_use_id":"toolu_1"}"#,
        )
        .expect("parse");
        assert_eq!(call.session.as_deref(), Some("s1"));
        assert_eq!(call.tool_use_id.as_deref(), Some("toolu_1"));
        assert_eq!(
            call.step,
            Step::BeforeWrite(vec![Target {
                path: "/r/.mcp.json".into(),
                content: NewContent::Whole("{}".into())
            }])
        );
    }

    #[test]
    fn cursor_and_gemini() {
        let call = parse(
            Agent::Cursor,
            "beforeShellExecution",
            br#"{"conversation_id":"c","workspace_roots":["/r"],"command":"echo x > .mcp.json","cwd":"/r/src"}"#,
        )
        .expect("parse");
        assert_eq!(call.cwd, Some(PathBuf::from("/r/src")));
        assert_eq!(call.step, Step::BeforeShell("echo x > .mcp.json".into()));
        let call = parse(
            Agent::Gemini,
            "BeforeAgent",
            br#"{"session_id":"g","cwd":"/r","prompt":"fix it"}"#,
        )
        .expect("parse");
        assert_eq!(call.step, Step::Prompt("fix it".into()));
    }

    #[test]
    fn malformed() {
        assert!(matches!(
            parse(Agent::ClaudeCode, "PreToolUse", b"nope"),
            Err(PayloadError::NotJson(_))
        ));
        assert_eq!(parse(Agent::ClaudeCode, "PreToolUse", b"[1]"), Err(PayloadError::NotObject));
        // Fields of the wrong type are as if absent.
        let call = parse(Agent::ClaudeCode, "PreToolUse", br#"{"tool_name":7,"session_id":[]}"#)
            .expect("parse");
        assert_eq!(call.step, Step::Other);
    }

    #[test]
    fn applying_replacements() {
        let r = |o: &str, n: &str, all| vec![(o.to_owned(), n.to_owned(), all)];
        assert_eq!(apply("a a", &r("a", "b", false)).as_deref(), Some("b a"));
        assert_eq!(apply("a a", &r("a", "b", true)).as_deref(), Some("b b"));
        assert_eq!(apply("a", &r("x", "b", false)), None);
    }
}
