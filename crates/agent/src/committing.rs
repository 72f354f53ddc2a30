//! An agent's own commit: the shell-tool hook of a command that runs
//! `git commit` (Claude Code's PreToolUse for Bash, Cursor's
//! beforeShellExecution, Gemini CLI's BeforeTool for run_shell_command)
//! notes "session S of agent A is committing" in
//! `.git/trail/agents/committing.json`; pre-commit takes the commit for that
//! session's when the note is fresh (at most [`FRESH`] seconds old) **and** the
//! commit runs in that agent's shell, as the environment variable the agent
//! sets for its shell commands tells ([`Agent::shell_variable`]). A person's
//! commit has neither the variable nor, usually, a fresh note: it never
//! takes an agent's prompts as its rationale. post-commit removes the note.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Agent, state_dir, write_atomic};

/// How long (seconds) after its shell hook a commit is still the agent's.
pub const FRESH: i64 = 10 * 60;

impl Agent {
    /// The environment variable the agent sets for the commands its shell
    /// tool runs: Claude Code `CLAUDECODE=1`, Cursor `CURSOR_AGENT`, Gemini
    /// CLI `GEMINI_CLI=1` (docs/agents.md names where each is documented).
    pub fn shell_variable(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "CLAUDECODE",
            Agent::Cursor => "CURSOR_AGENT",
            Agent::Gemini => "GEMINI_CLI",
        }
    }
}

/// The note of a commit an agent is making.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committing {
    pub agent: String,
    pub session: String,
    /// When the shell hook ran (RFC 3339, UTC).
    pub time: String,
}

fn path(trail_dir: &Path) -> PathBuf {
    state_dir(trail_dir).join("committing.json")
}

/// Note that `session` of `agent` is about to run a commit.
pub fn note(trail_dir: &Path, agent: Agent, session: &str) -> std::io::Result<()> {
    let note = Committing {
        agent: agent.name().to_owned(),
        session: session.to_owned(),
        time: trail_journal::Timestamp::now().to_rfc3339(),
    };
    let text = serde_json::to_vec(&note).map_err(std::io::Error::other)?;
    write_atomic(&path(trail_dir), &text)
}

/// The note, if any (whatever its age).
pub fn read(trail_dir: &Path) -> Option<Committing> {
    let bytes = std::fs::read(path(trail_dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The agent and session making the commit now: a note at most [`FRESH`]
/// seconds old (at `now`) whose agent's shell variable `var` finds set and not
/// empty. `None` for anything else — a person's commit.
pub fn current(
    trail_dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
    var: impl Fn(&str) -> Option<String>,
) -> Option<(Agent, String)> {
    let note = read(trail_dir)?;
    let agent = Agent::parse(&note.agent)?;
    let when = chrono::DateTime::parse_from_rfc3339(&note.time).ok()?.with_timezone(&chrono::Utc);
    let age = now.signed_duration_since(when);
    // A minute of clock skew between the two processes is tolerated.
    let fresh = age >= chrono::Duration::seconds(-60) && age <= chrono::Duration::seconds(FRESH);
    let in_its_shell = var(agent.shell_variable()).is_some_and(|v| !v.trim().is_empty());
    (fresh && in_its_shell && !note.session.is_empty()).then_some((agent, note.session))
}

/// Remove the note (the commit is made).
pub fn clear(trail_dir: &Path) {
    let _ = std::fs::remove_file(path(trail_dir));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fresh_note_in_the_agents_own_shell() {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = tmp.path();
        let now = chrono::Utc::now();
        let claude = |name: &str| (name == "CLAUDECODE").then(|| "1".to_owned());
        let nobody = |_: &str| None;
        assert_eq!(current(t, now, claude), None, "no note");
        note(t, Agent::ClaudeCode, "s1").expect("note");
        assert_eq!(current(t, now, claude), Some((Agent::ClaudeCode, "s1".to_owned())));
        // A person's terminal: no CLAUDECODE.
        assert_eq!(current(t, now, nobody), None);
        // Another agent's shell.
        assert_eq!(current(t, now, |n: &str| (n == "GEMINI_CLI").then(|| "1".into())), None);
        // Too old.
        let later = now + chrono::Duration::minutes(11);
        assert_eq!(current(t, later, claude), None);
        clear(t);
        assert_eq!(current(t, now, claude), None);
        // A damaged note is no note.
        std::fs::write(path(t), b"{oops").expect("write");
        assert_eq!(current(t, now, claude), None);
    }
}
