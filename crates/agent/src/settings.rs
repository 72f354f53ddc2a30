//! The agents' own settings files: trail's hooks merged in, taken out, and
//! checked.
//!
//! A settings file is edited member by member: every member trail does not
//! own (other settings, other hooks, other events) is kept as the exact text
//! it had, in its order; only the `hooks` object (and, for Cursor, a missing
//! `version`) is written anew around them. The bytes the file had before the
//! first install are kept in `.git/trail/agents/<agent>.orig` (or the fact
//! that there was no file, `<agent>.absent`), and the bytes trail wrote are
//! remembered by their SHA-256 in `<agent>.installed`: an uninstall of a
//! file nobody touched since restores the original bytes exactly; a file
//! edited since loses trail's hook entries only (and the edit is kept).

use std::path::{Path, PathBuf};
use trail_hooks::protect::shell_word;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::{Agent, sha256_hex, state_dir, write_atomic};

/// Why a settings file cannot be changed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a JSON object ({message}); trail merges its hooks into JSON only")]
    NotJson { path: PathBuf, message: String },
    #[error("{path}: `{member}` is not {expected}")]
    Shape { path: PathBuf, member: String, expected: &'static str },
}

/// The command an installed hook runs: `PROGRAM agent hook AGENT EVENT`.
pub fn hook_command(program: &str, agent: Agent, event: &str) -> String {
    format!("{} agent hook {} {event}", shell_word(program), agent.name())
}

/// Whether `command` is one of trail's hook commands for `agent`.
pub fn is_trail_command(command: &str, agent: Agent) -> bool {
    command.contains(&format!("agent hook {} ", agent.name()))
}

/// Claude Code's hook timeout, in seconds (its unit).
pub const CLAUDE_TIMEOUT_SECS: u64 = 10;
/// Gemini CLI's hook timeout, in milliseconds (its unit).
pub const GEMINI_TIMEOUT_MS: u64 = 10_000;

/// The tools whose calls trail's pre-tool hook sees (Claude Code matcher).
pub const CLAUDE_PRE_MATCHER: &str = "Write|Edit|MultiEdit|NotebookEdit|Bash";
/// The tools whose calls trail records (Claude Code matcher).
pub const CLAUDE_POST_MATCHER: &str = "Write|Edit|MultiEdit|NotebookEdit";
/// Gemini CLI: the file-writing tools and the shell tool.
pub const GEMINI_PRE_MATCHER: &str = "write_file|replace|run_shell_command";
/// Gemini CLI: the file-writing tools.
pub const GEMINI_POST_MATCHER: &str = "write_file|replace";

/// The entry trail adds to `event`'s array.
pub fn entry(agent: Agent, event: &str, program: &str) -> Value {
    let command = hook_command(program, agent, event);
    match agent {
        Agent::ClaudeCode => {
            let hook =
                json!({"type": "command", "command": command, "timeout": CLAUDE_TIMEOUT_SECS});
            match event {
                "PreToolUse" => json!({"matcher": CLAUDE_PRE_MATCHER, "hooks": [hook]}),
                "PostToolUse" => json!({"matcher": CLAUDE_POST_MATCHER, "hooks": [hook]}),
                _ => json!({"hooks": [hook]}),
            }
        }
        Agent::Cursor => json!({"command": command}),
        Agent::Gemini => {
            let hook = json!({"name": "trail", "type": "command", "command": command, "timeout": GEMINI_TIMEOUT_MS});
            match event {
                "BeforeTool" => json!({"matcher": GEMINI_PRE_MATCHER, "hooks": [hook]}),
                "AfterTool" => json!({"matcher": GEMINI_POST_MATCHER, "hooks": [hook]}),
                _ => json!({"hooks": [hook]}),
            }
        }
    }
}

/// [`entry`] as text, members in the order the agents' references show
/// them (`matcher`, `hooks`; `type`, `command`, `timeout`), indented for a
/// place `indent` spaces deep.
fn entry_text(agent: Agent, event: &str, program: &str, indent: usize) -> String {
    let value = entry(agent, event, program);
    let text = |v: &Value| Text::New(v.to_string());
    let hook_text = |hook: &Value, indent: usize| {
        let order = ["name", "type", "command", "timeout"];
        let members: Vec<(String, Text)> =
            order.iter().filter_map(|k| hook.get(*k).map(|v| ((*k).to_owned(), text(v)))).collect();
        object_text(&members, indent)
    };
    if agent == Agent::Cursor {
        return hook_text(&value, indent);
    }
    let mut members = Vec::new();
    if let Some(matcher) = value.get("matcher") {
        members.push(("matcher".to_owned(), text(matcher)));
    }
    let hooks: Vec<Text> = value["hooks"]
        .as_array()
        .map(|hooks| hooks.iter().map(|h| Text::New(hook_text(h, indent + 4))).collect())
        .unwrap_or_default();
    members.push(("hooks".to_owned(), Text::New(array_text(&hooks, indent + 2))));
    object_text(&members, indent)
}

/// An object's members in their order, each value as its exact text.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Box<RawValue> = map.next_value()?;
                    out.push((key, value));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// What a member's new text is: kept as it was, or written by trail.
enum Text {
    Raw(Box<RawValue>),
    New(String),
}

impl Text {
    fn get(&self) -> &str {
        match self {
            Text::Raw(raw) => raw.get(),
            Text::New(text) => text,
        }
    }
}

fn raw(text: String) -> Result<Box<RawValue>, serde_json::Error> {
    RawValue::from_string(text)
}

/// `value` pretty-printed, its lines after the first indented by `indent`.
fn pretty(value: &Value, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    indent_lines(&text, indent)
}

fn indent_lines(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
    }
    out
}

fn object_text(members: &[(String, Text)], indent: usize) -> String {
    if members.is_empty() {
        return "{}".to_owned();
    }
    let pad = " ".repeat(indent + 2);
    let mut out = "{\n".to_owned();
    for (i, (key, value)) in members.iter().enumerate() {
        out.push_str(&pad);
        out.push_str(&serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\"")));
        out.push_str(": ");
        out.push_str(value.get());
        out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    out
}

fn array_text(items: &[Text], indent: usize) -> String {
    if items.is_empty() {
        return "[]".to_owned();
    }
    let pad = " ".repeat(indent + 2);
    let mut out = "[\n".to_owned();
    for (i, item) in items.iter().enumerate() {
        out.push_str(&pad);
        out.push_str(item.get());
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
    out.push_str(&" ".repeat(indent));
    out.push(']');
    out
}

/// The commands of one array element of an event (a matcher group's hooks,
/// or Cursor's flat entry).
fn commands_of(element: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(command) = element.get("command").and_then(Value::as_str) {
        out.push(command.to_owned());
    }
    if let Some(hooks) = element.get("hooks").and_then(Value::as_array) {
        for hook in hooks {
            if let Some(command) = hook.get("command").and_then(Value::as_str) {
                out.push(command.to_owned());
            }
        }
    }
    out
}

/// `element` without trail's hooks: `None` when nothing of it remains,
/// `Some(None)` when it holds none of trail's (keep it as it was).
fn without_trail(element: &Value, agent: Agent) -> Option<Option<Value>> {
    let ours = |v: &Value| {
        v.get("command").and_then(Value::as_str).is_some_and(|c| is_trail_command(c, agent))
    };
    if ours(element) {
        return None;
    }
    let Some(hooks) = element.get("hooks").and_then(Value::as_array) else {
        return Some(None);
    };
    if !hooks.iter().any(ours) {
        return Some(None);
    }
    let kept: Vec<Value> = hooks.iter().filter(|h| !ours(h)).cloned().collect();
    if kept.is_empty() {
        return None;
    }
    let mut element = element.clone();
    if let Some(obj) = element.as_object_mut() {
        obj.insert("hooks".to_owned(), Value::Array(kept));
    }
    Some(Some(element))
}

/// What a settings edit does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    Install,
    Remove,
}

fn not_json(path: &Path, e: impl std::fmt::Display) -> SettingsError {
    SettingsError::NotJson { path: path.to_owned(), message: e.to_string() }
}

/// The text of the settings file `text` (at `path`, for messages) with
/// trail's hooks installed or removed.
fn edit(
    path: &Path,
    text: Option<&str>,
    agent: Agent,
    program: &str,
    how: Edit,
) -> Result<String, SettingsError> {
    let source = text.unwrap_or("").trim();
    let top: Members = if source.is_empty() {
        Members(Vec::new())
    } else {
        serde_json::from_str(source).map_err(|e| not_json(path, e))?
    };
    let mut members: Vec<(String, Text)> =
        top.0.into_iter().map(|(k, v)| (k, Text::Raw(v))).collect();
    if agent == Agent::Cursor
        && how == Edit::Install
        && !members.iter().any(|(k, _)| k == "version")
    {
        members.insert(0, ("version".to_owned(), Text::New("1".to_owned())));
    }
    let shape = |member: &str, expected| SettingsError::Shape {
        path: path.to_owned(),
        member: member.to_owned(),
        expected,
    };
    let hooks_at = members.iter().position(|(k, _)| k == "hooks");
    let mut hooks: Vec<(String, Text)> = match hooks_at {
        Some(i) => {
            let parsed: Members = serde_json::from_str(members[i].1.get())
                .map_err(|_| shape("hooks", "an object"))?;
            parsed.0.into_iter().map(|(k, v)| (k, Text::Raw(v))).collect()
        }
        None if how == Edit::Remove => return Ok(text.unwrap_or("").to_owned()),
        None => Vec::new(),
    };
    let mut changed = false;
    for event in agent.events() {
        let at = hooks.iter().position(|(k, _)| k == event);
        let mut items: Vec<Text> = match at {
            Some(i) => {
                let parsed: Vec<Box<RawValue>> = serde_json::from_str(hooks[i].1.get())
                    .map_err(|_| shape(&format!("hooks.{event}"), "an array"))?;
                parsed.into_iter().map(Text::Raw).collect()
            }
            None if how == Edit::Remove => continue,
            None => Vec::new(),
        };
        let mut kept = Vec::new();
        let mut removed = false;
        for item in items.drain(..) {
            let value: Value = serde_json::from_str(item.get()).map_err(|e| not_json(path, e))?;
            match without_trail(&value, agent) {
                Some(None) => kept.push(item),
                Some(Some(rest)) => {
                    removed = true;
                    kept.push(Text::New(pretty(&rest, 6)));
                }
                None => removed = true,
            }
        }
        if how == Edit::Install {
            kept.push(Text::New(entry_text(agent, event, program, 6)));
        }
        if !removed && how == Edit::Remove {
            continue;
        }
        changed = true;
        match (at, kept.is_empty()) {
            (Some(i), true) => {
                hooks.remove(i);
            }
            (Some(i), false) => hooks[i].1 = Text::New(array_text(&kept, 4)),
            (None, _) => hooks.push(((*event).to_owned(), Text::New(array_text(&kept, 4)))),
        }
    }
    if !changed {
        return Ok(text.unwrap_or("").to_owned());
    }
    let hooks_text = object_text(&hooks, 2);
    match hooks_at {
        Some(i) if hooks.is_empty() && how == Edit::Remove => {
            members.remove(i);
        }
        Some(i) => members[i].1 = Text::New(hooks_text),
        None => members.push(("hooks".to_owned(), Text::New(hooks_text))),
    }
    // Check what is written parses (a raw value is valid JSON by construction).
    let out = object_text(&members, 0);
    let _: Value = serde_json::from_str(&out).map_err(|e| not_json(path, e))?;
    let _ = raw(out.clone()).map_err(|e| not_json(path, e))?;
    Ok(out + "\n")
}

/// The files that remember a settings file's state before and after install.
struct State {
    orig: PathBuf,
    absent: PathBuf,
    installed: PathBuf,
}

fn state(trail_dir: &Path, agent: Agent) -> State {
    let dir = state_dir(trail_dir);
    State {
        orig: dir.join(format!("{}.orig", agent.name())),
        absent: dir.join(format!("{}.absent", agent.name())),
        installed: dir.join(format!("{}.installed", agent.name())),
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, SettingsError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SettingsError::Read { path: path.to_owned(), source }),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), SettingsError> {
    write_atomic(path, bytes)
        .map_err(|source| SettingsError::Write { path: path.to_owned(), source })
}

fn remove_file(path: &Path) -> Result<(), SettingsError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SettingsError::Write { path: path.to_owned(), source }),
    }
}

fn utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, SettingsError> {
    std::str::from_utf8(bytes).map_err(|_| not_json(path, "not UTF-8"))
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub path: PathBuf,
    /// The file did not exist before.
    pub created: bool,
    /// trail's hooks were there already (they were written again).
    pub again: bool,
}

/// Merge trail's hooks for `agent` into its settings file under `workdir`.
pub fn install(
    workdir: &Path,
    trail_dir: &Path,
    agent: Agent,
    program: &str,
) -> Result<Installed, SettingsError> {
    let path = workdir.join(agent.settings_path());
    let st = state(trail_dir, agent);
    let current = read_optional(&path)?;
    let text = current.as_deref().map(|b| utf8(&path, b)).transpose()?;
    let again = text.is_some_and(|t| t.contains(&format!("agent hook {} ", agent.name())));
    let new = edit(&path, text, agent, program, Edit::Install)?;
    // Keep the bytes from before trail's first install (a re-install keeps them).
    if !st.orig.exists() && !st.absent.exists() {
        match &current {
            Some(bytes) if !again => write(&st.orig, bytes)?,
            Some(_) => {}
            None => write(&st.absent, b"")?,
        }
    }
    write(&path, new.as_bytes())?;
    write(&st.installed, format!("{}\n", sha256_hex(new.as_bytes())).as_bytes())?;
    Ok(Installed { path, created: current.is_none(), again })
}

/// What [`uninstall`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// The file is again exactly what it was before trail's install (or
    /// gone again, when trail created it).
    Restored(PathBuf),
    /// The file was edited since the install: trail's hook entries were
    /// taken out, the rest kept.
    Removed(PathBuf),
    /// No trail hook was there.
    NotInstalled(PathBuf),
}

/// Take trail's hooks for `agent` out of its settings file.
pub fn uninstall(
    workdir: &Path,
    trail_dir: &Path,
    agent: Agent,
) -> Result<Uninstalled, SettingsError> {
    let path = workdir.join(agent.settings_path());
    let st = state(trail_dir, agent);
    let current = read_optional(&path)?;
    let installed_sha = std::fs::read_to_string(&st.installed).ok().map(|s| s.trim().to_owned());
    let untouched = match (&current, &installed_sha) {
        (Some(bytes), Some(sha)) => sha256_hex(bytes) == *sha,
        _ => false,
    };
    let outcome = if untouched && st.absent.exists() {
        remove_file(&path)?;
        // The directory trail made for it goes too, when empty.
        if let Some(dir) = path.parent()
            && dir != workdir
        {
            let _ = std::fs::remove_dir(dir);
        }
        Uninstalled::Restored(path)
    } else if untouched && let Some(orig) = read_optional(&st.orig)? {
        write(&path, &orig)?;
        Uninstalled::Restored(path)
    } else {
        match current {
            None => Uninstalled::NotInstalled(path),
            Some(bytes) => {
                let text = utf8(&path, &bytes)?;
                let new = edit(&path, Some(text), agent, "", Edit::Remove)?;
                if new == text {
                    Uninstalled::NotInstalled(path)
                } else {
                    write(&path, new.as_bytes())?;
                    Uninstalled::Removed(path)
                }
            }
        }
    };
    for file in [&st.orig, &st.absent, &st.installed] {
        remove_file(file)?;
    }
    Ok(outcome)
}

/// An agent's hooks as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub agent: Agent,
    pub path: PathBuf,
    pub exists: bool,
    /// Events that have a trail hook.
    pub hooked: Vec<String>,
    /// Events trail hooks that have none.
    pub missing: Vec<String>,
    /// trail installed the hooks here (`trail agent install`).
    pub installed: bool,
    /// The file changed since trail wrote it.
    pub altered: bool,
    /// The file does not parse as JSON (then nothing else is known).
    pub unreadable: Option<String>,
}

impl Status {
    /// Hooked for every event trail listens to.
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.unreadable.is_none()
    }
}

/// Which of trail's hooks `agent`'s settings file holds.
pub fn status(workdir: &Path, trail_dir: &Path, agent: Agent) -> Status {
    let path = workdir.join(agent.settings_path());
    let st = state(trail_dir, agent);
    let installed_sha = std::fs::read_to_string(&st.installed).ok().map(|s| s.trim().to_owned());
    let mut out = Status {
        agent,
        path: path.clone(),
        exists: false,
        hooked: Vec::new(),
        missing: agent.events().iter().map(|e| (*e).to_owned()).collect(),
        installed: installed_sha.is_some(),
        altered: false,
        unreadable: None,
    };
    let Ok(bytes) = std::fs::read(&path) else { return out };
    out.exists = true;
    if let Some(sha) = &installed_sha {
        out.altered = sha256_hex(&bytes) != *sha;
    }
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            out.unreadable = Some(e.to_string());
            return out;
        }
    };
    let hooks = value.get("hooks");
    let (hooked, missing): (Vec<String>, Vec<String>) =
        agent.events().iter().map(|e| (*e).to_owned()).partition(|event| {
            hooks.and_then(|h| h.get(event)).and_then(Value::as_array).is_some_and(|items| {
                items
                    .iter()
                    .flat_map(commands_of)
                    .any(|c| is_trail_command(&c, agent) && c.ends_with(&format!(" {event}")))
            })
        });
    out.hooked = hooked;
    out.missing = missing;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAUDE_WITH_OTHERS: &str = r#"{
  "permissions": {"allow": ["Bash(npm run lint)"], "deny": []},
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [{"type": "command", "command": "./scripts/check.sh", "timeout": 30}]
      }
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]
  },
  "model": "opus"
}
"#;

    fn dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let work = tmp.path().join("w");
        let trail = tmp.path().join("w/.git/trail");
        std::fs::create_dir_all(&trail).expect("dirs");
        (tmp, work, trail)
    }

    #[test]
    fn install_keeps_other_members_and_uninstall_restores_bytes() {
        let (_tmp, work, trail) = dirs();
        let path = work.join(".claude/settings.json");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, CLAUDE_WITH_OTHERS).expect("write");
        let done = install(&work, &trail, Agent::ClaudeCode, "trail").expect("install");
        assert!(!done.created);
        let text = std::fs::read_to_string(&path).expect("read");
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["model"], "opus");
        assert_eq!(v["permissions"]["allow"][0], "Bash(npm run lint)");
        let pre = v["hooks"]["PreToolUse"].as_array().expect("array");
        assert_eq!(pre.len(), 2);
        assert_eq!(pre[0]["hooks"][0]["command"], "./scripts/check.sh");
        assert_eq!(pre[1]["hooks"][0]["command"], "trail agent hook claude-code PreToolUse");
        assert_eq!(pre[1]["hooks"][0]["timeout"], 10);
        assert_eq!(v["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
        // Order kept: permissions, hooks, model.
        let p = text.find("\"permissions\"").expect("p");
        let h = text.find("\"hooks\"").expect("h");
        let m = text.find("\"model\"").expect("m");
        assert!(p < h && h < m, "{text}");
        // The untouched members are their old text.
        assert!(text.contains(r#"{"allow": ["Bash(npm run lint)"], "deny": []}"#), "{text}");
        let st = status(&work, &trail, Agent::ClaudeCode);
        assert!(st.complete() && st.installed && !st.altered, "{st:?}");
        // Installing twice adds nothing.
        install(&work, &trail, Agent::ClaudeCode, "trail").expect("again");
        let twice: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(twice, v);
        assert!(matches!(
            uninstall(&work, &trail, Agent::ClaudeCode).expect("uninstall"),
            Uninstalled::Restored(_)
        ));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), CLAUDE_WITH_OTHERS);
    }

    #[test]
    fn entries_are_written_in_the_references_order() {
        for agent in Agent::ALL {
            for event in agent.events() {
                let text = entry_text(agent, event, "trail", 6);
                let parsed: Value = serde_json::from_str(&text).expect("JSON");
                assert_eq!(parsed, entry(agent, event, "trail"), "{text}");
            }
        }
        let text = entry_text(Agent::ClaudeCode, "PreToolUse", "trail", 0);
        let m = text.find("matcher").expect("m");
        let h = text.find("hooks").expect("h");
        let t = text.find("\"type\"").expect("t");
        let c = text.find("\"command\"").expect("c");
        assert!(m < h && t < c, "{text}");
    }

    #[test]
    fn uninstall_after_an_edit_removes_only_trails_entries() {
        let (_tmp, work, trail) = dirs();
        install(&work, &trail, Agent::Gemini, "trail").expect("install");
        let path = work.join(".gemini/settings.json");
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        v["theme"] = json!("dark");
        std::fs::write(&path, serde_json::to_string_pretty(&v).expect("ser")).expect("write");
        assert!(status(&work, &trail, Agent::Gemini).altered);
        assert!(matches!(
            uninstall(&work, &trail, Agent::Gemini).expect("uninstall"),
            Uninstalled::Removed(_)
        ));
        let after: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(after, json!({"theme": "dark"}));
    }

    #[test]
    fn a_created_file_goes_away_again() {
        let (_tmp, work, trail) = dirs();
        let done = install(&work, &trail, Agent::Cursor, "/opt/my trail/trail").expect("install");
        assert!(done.created);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&done.path).expect("read"))
            .expect("json");
        assert_eq!(v["version"], 1);
        assert_eq!(
            v["hooks"]["afterFileEdit"][0]["command"],
            "'/opt/my trail/trail' agent hook cursor afterFileEdit"
        );
        uninstall(&work, &trail, Agent::Cursor).expect("uninstall");
        assert!(!done.path.exists());
        assert!(!work.join(".cursor").exists());
    }

    #[test]
    fn not_json_is_refused_and_left_alone() {
        let (_tmp, work, trail) = dirs();
        let path = work.join(".claude/settings.json");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, "{ nope").expect("write");
        assert!(matches!(
            install(&work, &trail, Agent::ClaudeCode, "trail"),
            Err(SettingsError::NotJson { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "{ nope");
        std::fs::write(&path, r#"{"hooks": []}"#).expect("write");
        assert!(matches!(
            install(&work, &trail, Agent::ClaudeCode, "trail"),
            Err(SettingsError::Shape { .. })
        ));
    }
}
