//! An agent session's latest prompt, kept from its prompt hook
//! (UserPromptSubmit, beforeSubmitPrompt, BeforeAgent) in
//! `.git/trail/agents/sessions/<id>.json` and used as the `why` of the
//! session's edits.
//!
//! How much of a prompt is kept is `[agent] prompts` of the work tree's
//! trail.toml: `"full"` (the default: the prompt, trimmed, at most
//! [`PROMPT_LIMIT`] characters, with `…` when cut), `"hash"` (its SHA-256
//! only) or `"none"`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Agent, sha256_hex, state_dir, write_atomic};

/// The most characters of a prompt kept with `prompts = "full"`.
pub const PROMPT_LIMIT: usize = 2000;

/// `[agent] prompts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptMode {
    Full,
    Hash,
    None,
}

/// `[agent] prompts` of `workdir/trail.toml`: `Full` without one; an
/// unknown value or a file that does not parse gives `Hash` (keeping less
/// than asked rather than more) and a message.
pub fn prompt_mode(workdir: &Path) -> (PromptMode, Option<String>) {
    let Ok(text) = std::fs::read_to_string(workdir.join("trail.toml")) else {
        return (PromptMode::Full, None);
    };
    if !text.contains("[agent") && !text.contains("agent.") && !text.contains("agent =") {
        return (PromptMode::Full, None);
    }
    let value: toml::Table = match toml::from_str(&text) {
        Ok(v) => v,
        Err(_) => {
            return (
                PromptMode::Hash,
                Some("trail.toml does not parse: keeping prompts as SHA-256 only".to_owned()),
            );
        }
    };
    match value.get("agent").and_then(|a| a.get("prompts")) {
        None => (PromptMode::Full, None),
        Some(toml::Value::String(s)) if s == "full" => (PromptMode::Full, None),
        Some(toml::Value::String(s)) if s == "hash" => (PromptMode::Hash, None),
        Some(toml::Value::String(s)) if s == "none" => (PromptMode::None, None),
        Some(other) => (
            PromptMode::Hash,
            Some(format!(
                "[agent] prompts = {other} is not \"full\", \"hash\" or \"none\": keeping prompts as SHA-256 only"
            )),
        ),
    }
}

/// What trail keeps of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub agent: String,
    pub session: String,
    /// The latest prompt as kept (`full`), or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// SHA-256 of the latest prompt's whole text (`full` and `hash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_sha256: Option<String>,
    /// Prompts seen in this session.
    #[serde(default)]
    pub prompts: u64,
    /// When the session's hook first ran and last ran (RFC 3339, UTC).
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub updated: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
}

impl Session {
    /// The `why` of this session's edits.
    pub fn why(&self) -> Option<String> {
        match (&self.prompt, &self.prompt_sha256) {
            (Some(prompt), _) => Some(prompt.clone()),
            (None, Some(sha)) => Some(format!("agent prompt sha256:{sha}")),
            (None, None) => None,
        }
    }
}

/// The session's file name: the id itself when it is a plain name, else its SHA-256.
fn file_name(session: &str) -> String {
    let plain = !session.is_empty()
        && session.len() <= 128
        && !session.starts_with('.')
        && session.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if plain {
        format!("{session}.json")
    } else {
        format!("{}.json", sha256_hex(session.as_bytes()))
    }
}

pub fn sessions_dir(trail_dir: &Path) -> PathBuf {
    state_dir(trail_dir).join("sessions")
}

fn path(trail_dir: &Path, session: &str) -> PathBuf {
    sessions_dir(trail_dir).join(file_name(session))
}

/// The session as kept, if any.
pub fn load(trail_dir: &Path, session: &str) -> Option<Session> {
    let bytes = std::fs::read(path(trail_dir, session)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn now() -> String {
    trail_journal::Timestamp::now().to_rfc3339()
}

fn save(trail_dir: &Path, s: &Session) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?;
    write_atomic(&path(trail_dir, &s.session), &text)
}

fn fresh(agent: Agent, session: &str) -> Session {
    let time = now();
    Session {
        agent: agent.name().to_owned(),
        session: session.to_owned(),
        started: time.clone(),
        updated: time,
        ..Session::default()
    }
}

/// `prompt` trimmed to at most [`PROMPT_LIMIT`] characters.
pub fn trimmed(prompt: &str) -> String {
    let prompt = prompt.trim();
    match prompt.char_indices().nth(PROMPT_LIMIT) {
        None => prompt.to_owned(),
        Some((cut, _)) => format!("{}…", prompt[..cut].trim_end()),
    }
}

/// Keep `prompt` as the session's latest.
pub fn record_prompt(
    trail_dir: &Path,
    agent: Agent,
    session: &str,
    prompt: &str,
    mode: PromptMode,
) -> std::io::Result<Session> {
    let mut s = load(trail_dir, session).unwrap_or_else(|| fresh(agent, session));
    s.prompts += 1;
    s.updated = now();
    s.ended = None;
    (s.prompt, s.prompt_sha256) = match mode {
        PromptMode::Full => (Some(trimmed(prompt)), Some(sha256_hex(prompt.as_bytes()))),
        PromptMode::Hash => (None, Some(sha256_hex(prompt.as_bytes()))),
        PromptMode::None => (None, None),
    };
    save(trail_dir, &s)?;
    Ok(s)
}

/// Note that the session started or ended.
pub fn mark(trail_dir: &Path, agent: Agent, session: &str, ended: bool) -> std::io::Result<()> {
    let mut s = load(trail_dir, session).unwrap_or_else(|| fresh(agent, session));
    s.updated = now();
    s.ended = ended.then(now);
    save(trail_dir, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_kept_per_mode() {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = tmp.path();
        let s = record_prompt(t, Agent::ClaudeCode, "abc-1", "  fix the login  ", PromptMode::Full)
            .expect("save");
        assert_eq!(s.why().as_deref(), Some("fix the login"));
        assert_eq!(load(t, "abc-1").expect("load").prompts, 1);
        let s =
            record_prompt(t, Agent::ClaudeCode, "abc-1", "secret", PromptMode::Hash).expect("save");
        assert_eq!(s.why(), Some(format!("agent prompt sha256:{}", sha256_hex(b"secret"))));
        let s = record_prompt(t, Agent::ClaudeCode, "../x", "p", PromptMode::None).expect("save");
        assert_eq!(s.why(), None);
        assert!(sessions_dir(t).join(format!("{}.json", sha256_hex(b"../x"))).exists());
    }

    #[test]
    fn long_prompts_are_cut() {
        let long = "é".repeat(PROMPT_LIMIT + 10);
        let cut = trimmed(&long);
        assert_eq!(cut.chars().count(), PROMPT_LIMIT + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_setting_is_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert_eq!(prompt_mode(tmp.path()).0, PromptMode::Full);
        std::fs::write(tmp.path().join("trail.toml"), "[agent]\nprompts = \"none\"\n").expect("w");
        assert_eq!(prompt_mode(tmp.path()).0, PromptMode::None);
        std::fs::write(tmp.path().join("trail.toml"), "[agent]\nprompts = \"most\"\n").expect("w");
        let (mode, message) = prompt_mode(tmp.path());
        assert_eq!(mode, PromptMode::Hash);
        assert!(message.is_some());
    }
}
