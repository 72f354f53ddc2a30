//! trail-agent: AI coding agents (Claude Code, Cursor, Gemini CLI) under
//! trail. docs/agents.md is the user-facing description; each agent's hook
//! reference it follows is named there.
//!
//! - [`settings`]: `trail agent install|uninstall|status` — trail's hooks
//!   merged into the agent's own settings file, every other member kept byte
//!   for byte and in its order, and the original bytes kept so that an
//!   uninstall restores the file exactly;
//! - [`payload`]: what each agent sends its hooks on stdin, read into one
//!   [`payload::Call`];
//! - [`shell`]: best-effort detection of shell commands that write a path;
//! - [`guard`]: the decision for a tool call that would write a path the
//!   committed policy protects, the reason the model reads, and the pending
//!   token (`trail note --token`) that lets one such edit through;
//! - [`session`]: the session's latest prompt (kept per `[agent] prompts`);
//! - [`edit`]: the `agent.edit` record of a file-changing tool call, its
//!   content stored like the watcher's saves;
//! - [`claim`]: the claim a pre-tool hook leaves on the paths it is about
//!   to write and the post-tool hook settles, so that the watcher, seeing
//!   the same save, writes no second record;
//! - [`ledger`]: the sessions whose edits wait for a commit (its
//!   `Agent-Session:` trailers and `detail.agents` with the prompts that led
//!   to the edits);
//! - [`committing`]: a commit the agent itself makes, whose rationale
//!   defaults to the session's prompts;
//! - [`story`]: the queries — the records of an agent (`trail log --agent`)
//!   and a session's story prompt by prompt (`trail show --session`);
//! - [`hook`]: `trail agent hook AGENT EVENT` as a function from a payload to
//!   an [`hook::Answer`] in the agent's own format.
//!
//! Nothing here prints or exits: the CLI writes an answer's stdout and
//! stderr, delivers its record through the journal gateway and exits with
//! its code.

pub mod claim;
pub mod committing;
pub mod edit;
pub mod guard;
pub mod hook;
pub mod ledger;
pub mod payload;
pub mod session;
pub mod settings;
pub mod shell;
pub mod story;

use std::fmt;
use std::path::{Path, PathBuf};

/// An agent trail can hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Agent {
    ClaudeCode,
    Cursor,
    Gemini,
}

impl Agent {
    pub const ALL: [Agent; 3] = [Agent::ClaudeCode, Agent::Cursor, Agent::Gemini];

    /// The name on the command line and in records.
    pub fn name(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Cursor => "cursor",
            Agent::Gemini => "gemini",
        }
    }

    /// From a command-line name (a few spellings each).
    pub fn parse(text: &str) -> Option<Agent> {
        match text.trim().to_ascii_lowercase().as_str() {
            "claude-code" | "claude" | "claudecode" | "claude_code" => Some(Agent::ClaudeCode),
            "cursor" => Some(Agent::Cursor),
            "gemini" | "gemini-cli" | "gemini_cli" => Some(Agent::Gemini),
            _ => None,
        }
    }

    /// The project settings file holding its hooks, relative to the work tree.
    pub fn settings_path(self) -> &'static str {
        match self {
            Agent::ClaudeCode => ".claude/settings.json",
            Agent::Cursor => ".cursor/hooks.json",
            Agent::Gemini => ".gemini/settings.json",
        }
    }

    /// The events trail's hooks listen to, as the agent names them.
    pub fn events(self) -> &'static [&'static str] {
        match self {
            Agent::ClaudeCode => {
                &["PreToolUse", "PostToolUse", "UserPromptSubmit", "SessionStart", "SessionEnd"]
            }
            Agent::Cursor => &[
                "afterFileEdit",
                "beforeShellExecution",
                "beforeMCPExecution",
                "beforeSubmitPrompt",
                "stop",
            ],
            Agent::Gemini => {
                &["BeforeTool", "AfterTool", "BeforeAgent", "SessionStart", "SessionEnd"]
            }
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where trail keeps its per-agent state: `<common git dir>/trail/agents`.
pub fn state_dir(trail_dir: &Path) -> PathBuf {
    trail_dir.join("agents")
}

/// Write `bytes` to `path` atomically (a temporary file in the same
/// directory, then a rename), creating the directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `path` (absolute, or relative to `cwd`) as the repository-relative,
/// `/`-separated bytes of a path inside `workdir`; `None` outside it.
/// Resolved lexically (`.` and `..`), then, when that does not land inside
/// the work tree, through the canonical form of its longest existing parent
/// (a work tree reached through a symlink).
pub fn repo_relative(workdir: &Path, cwd: &Path, path: &str) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt as _;
    if path.is_empty() || path.contains('\0') {
        return None;
    }
    let given = Path::new(path);
    let joined = if given.is_absolute() { given.to_path_buf() } else { cwd.join(given) };
    let lexical = lexical(&joined);
    let inside = |p: &Path| -> Option<Vec<u8>> {
        let rel = p.strip_prefix(workdir).ok()?;
        let bytes = rel.as_os_str().as_bytes().to_vec();
        (!bytes.is_empty()).then_some(bytes)
    };
    if let Some(rel) = inside(&lexical) {
        return Some(rel);
    }
    // Through symlinks: canonicalize the longest existing ancestor.
    let mut head = lexical.clone();
    let mut tail: Vec<std::ffi::OsString> = Vec::new();
    while !head.exists() {
        tail.push(head.file_name()?.to_os_string());
        if !head.pop() {
            return None;
        }
    }
    let mut real = std::fs::canonicalize(&head).ok()?;
    for part in tail.iter().rev() {
        real.push(part);
    }
    let workdir = std::fs::canonicalize(workdir).ok()?;
    let rel = real.strip_prefix(&workdir).ok()?;
    let bytes = rel.as_os_str().as_bytes().to_vec();
    (!bytes.is_empty()).then_some(bytes)
}

/// `path` with `.` and `..` taken out without touching the file system.
pub(crate) fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for agent in Agent::ALL {
            assert_eq!(Agent::parse(agent.name()), Some(agent));
        }
        assert_eq!(Agent::parse("Claude"), Some(Agent::ClaudeCode));
        assert_eq!(Agent::parse("vim"), None);
    }

    #[test]
    fn paths_inside_the_work_tree_only() {
        let w = Path::new("/w/repo");
        assert_eq!(repo_relative(w, w, "/w/repo/.mcp.json"), Some(b".mcp.json".to_vec()));
        assert_eq!(repo_relative(w, &w.join("src"), "../.mcp.json"), Some(b".mcp.json".to_vec()));
        assert_eq!(repo_relative(w, w, "./a/./b"), Some(b"a/b".to_vec()));
        assert_eq!(repo_relative(w, w, "/elsewhere/x"), None);
        assert_eq!(repo_relative(w, w, "/w/repo"), None);
        assert_eq!(repo_relative(w, w, ""), None);
    }
}
