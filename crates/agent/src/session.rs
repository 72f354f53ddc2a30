//! An agent session's latest prompt, kept from its prompt hook
//! (UserPromptSubmit, beforeSubmitPrompt, BeforeAgent) in
//! `.git/trail/agents/sessions/<id>.json` and used as the `why` of the
//! session's edits. Each prompt is also an `agent.prompt` record
//! ([`prompt_draft`]); the session file keeps the seqs those records got
//! (a spooled record has none yet) and the prompts since the session's last
//! commit, which an agent's own commit takes as its rationale
//! (`[agent] commit_why`, [`commit_why_mode`]).
//!
//! How much of a prompt is kept is `[agent] prompts` of the work tree's
//! trail.toml: `"full"` (the default: the prompt, trimmed, at most
//! [`PROMPT_LIMIT`] characters, with `…` when cut), `"hash"` (its SHA-256
//! only) or `"none"`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use trail_journal::{Draft, Source, Timestamp, kinds};

use crate::payload::Call;
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

/// `[agent] commit_why`: what an agent's own commit without a Why takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitWhy {
    /// The session's prompts since its last commit (the default).
    Prompts,
    /// Nothing: the commit needs a Why as a person's does.
    None,
}

/// `[agent] commit_why` of `workdir/trail.toml`: `Prompts` without one; an
/// unknown value or a file that does not parse gives `None` (no rationale
/// is made up) and a message.
pub fn commit_why_mode(workdir: &Path) -> (CommitWhy, Option<String>) {
    let Ok(text) = std::fs::read_to_string(workdir.join("trail.toml")) else {
        return (CommitWhy::Prompts, None);
    };
    if !text.contains("commit_why") {
        return (CommitWhy::Prompts, None);
    }
    let value: toml::Table = match toml::from_str(&text) {
        Ok(v) => v,
        Err(_) => {
            return (
                CommitWhy::None,
                Some("trail.toml does not parse: an agent's commit gets no rationale from its prompts".to_owned()),
            );
        }
    };
    match value.get("agent").and_then(|a| a.get("commit_why")) {
        None => (CommitWhy::Prompts, None),
        Some(toml::Value::String(s)) if s == "prompts" => (CommitWhy::Prompts, None),
        Some(toml::Value::String(s)) if s == "none" => (CommitWhy::None, None),
        Some(other) => (
            CommitWhy::None,
            Some(format!(
                "[agent] commit_why = {other} is not \"prompts\" or \"none\": an agent's commit gets no rationale from its prompts"
            )),
        ),
    }
}

/// The most prompts kept for an agent's commit (the oldest go first).
pub const UNCOMMITTED_LIMIT: usize = 50;

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
    /// The seq of the latest prompt's `agent.prompt` record, once written
    /// (absent while it waits in the spool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_seq: Option<u64>,
    /// The seqs of every `agent.prompt` record of this session written so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompt_seqs: Vec<u64>,
    /// The prompts since the session's last commit, as kept (`full`: the
    /// trimmed text; `hash`: `agent prompt sha256:…`; `none`: nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncommitted: Vec<String>,
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

    /// The rationale of an agent's commit made in this session: its prompts
    /// since its last commit, oldest first, joined by `; ` and trimmed to
    /// [`PROMPT_LIMIT`] characters; `None` when there are none.
    pub fn commit_why(&self) -> Option<String> {
        let parts: Vec<&str> =
            self.uncommitted.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
        (!parts.is_empty()).then(|| trimmed(&parts.join("; ")))
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
    // Its record is not written yet.
    s.prompt_seq = None;
    if let Some(kept) = s.why() {
        s.uncommitted.push(kept);
        let over = s.uncommitted.len().saturating_sub(UNCOMMITTED_LIMIT);
        s.uncommitted.drain(..over);
    }
    save(trail_dir, &s)?;
    Ok(s)
}

/// Note that the `agent.prompt` record of the session's prompt number
/// `number` was written as record `seq`.
pub fn note_prompt_seq(
    trail_dir: &Path,
    session: &str,
    number: u64,
    seq: u64,
) -> std::io::Result<()> {
    let Some(mut s) = load(trail_dir, session) else { return Ok(()) };
    if !s.prompt_seqs.contains(&seq) {
        s.prompt_seqs.push(seq);
    }
    if s.prompts == number {
        s.prompt_seq = Some(seq);
    }
    save(trail_dir, &s)
}

/// A commit took the session's work: its prompts so far are no longer
/// "since its last commit".
pub fn committed(trail_dir: &Path, session: &str) -> std::io::Result<()> {
    let Some(mut s) = load(trail_dir, session) else { return Ok(()) };
    if s.uncommitted.is_empty() {
        return Ok(());
    }
    s.uncommitted.clear();
    save(trail_dir, &s)
}

/// The `agent.prompt` record of `call`'s prompt, the session `s` as
/// [`record_prompt`] left it: `why` the prompt as kept (none with
/// `prompts = "none"`), `detail.agent` as an edit's, `detail.prompt` its
/// number in the session. The actor is the caller's to fill in.
pub fn prompt_draft(call: &Call, s: &Session) -> Draft {
    let mut draft = Draft::new(kinds::AGENT_PROMPT, Source::Agent, Timestamp::now());
    draft.why = s.why();
    let mut detail = Map::new();
    detail.insert("agent".to_owned(), crate::edit::agent_detail(call));
    detail.insert("prompt".to_owned(), Value::from(s.prompts));
    draft.detail = Some(detail);
    draft
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
    fn prompt_seqs_and_the_prompts_since_the_last_commit_are_kept() {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = tmp.path();
        record_prompt(t, Agent::ClaudeCode, "s", "  first  ", PromptMode::Full).expect("save");
        note_prompt_seq(t, "s", 1, 10).expect("seq");
        let s = record_prompt(t, Agent::ClaudeCode, "s", "second", PromptMode::Full).expect("save");
        assert_eq!(s.prompt_seq, None, "the new prompt's record is not written yet");
        // The first prompt's seq arrives late: kept, but not as the latest.
        note_prompt_seq(t, "s", 1, 10).expect("again");
        let s = load(t, "s").expect("load");
        assert_eq!((s.prompt_seq, s.prompt_seqs.clone()), (None, vec![10]));
        note_prompt_seq(t, "s", 2, 12).expect("seq");
        let s = load(t, "s").expect("load");
        assert_eq!((s.prompt_seq, s.prompt_seqs.clone()), (Some(12), vec![10, 12]));
        assert_eq!(s.commit_why().as_deref(), Some("first; second"));
        committed(t, "s").expect("committed");
        assert_eq!(load(t, "s").expect("load").commit_why(), None);
        record_prompt(t, Agent::ClaudeCode, "s", "secret", PromptMode::Hash).expect("save");
        record_prompt(t, Agent::ClaudeCode, "s", "gone", PromptMode::None).expect("save");
        let s = load(t, "s").expect("load");
        assert_eq!(s.commit_why(), Some(format!("agent prompt sha256:{}", sha256_hex(b"secret"))));
        // A missing session is no error.
        note_prompt_seq(t, "nobody", 1, 1).expect("nothing to do");
        committed(t, "nobody").expect("nothing to do");
    }

    #[test]
    fn a_prompt_record_holds_the_prompt_as_kept() {
        let tmp = tempfile::tempdir().expect("tmp");
        let call = crate::payload::parse(
            Agent::ClaudeCode,
            "UserPromptSubmit",
            br#"{"session_id":"s","prompt":"fix it","hook_event_name":"UserPromptSubmit"}"#,
        )
        .expect("a call");
        let s = record_prompt(tmp.path(), Agent::ClaudeCode, "s", "fix it", PromptMode::Full)
            .expect("save");
        let d = prompt_draft(&call, &s);
        assert_eq!((d.kind.as_str(), d.source), (kinds::AGENT_PROMPT, Source::Agent));
        assert_eq!(d.why.as_deref(), Some("fix it"));
        let detail = d.detail.expect("detail");
        assert_eq!(detail["agent"]["session"], "s");
        assert_eq!(detail["prompt"], 1);
        let s = record_prompt(tmp.path(), Agent::ClaudeCode, "s", "fix it", PromptMode::None)
            .expect("save");
        let d = prompt_draft(&call, &s);
        assert_eq!(d.why, None);
        assert_eq!(d.detail.expect("detail")["prompt"], 2);
    }

    #[test]
    fn the_commit_why_setting_is_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let file = tmp.path().join("trail.toml");
        assert_eq!(commit_why_mode(tmp.path()).0, CommitWhy::Prompts);
        std::fs::write(&file, "[agent]\ncommit_why = \"none\"\n").expect("w");
        assert_eq!(commit_why_mode(tmp.path()), (CommitWhy::None, None));
        std::fs::write(&file, "[agent]\ncommit_why = \"prompts\"\n").expect("w");
        assert_eq!(commit_why_mode(tmp.path()), (CommitWhy::Prompts, None));
        std::fs::write(&file, "[agent]\ncommit_why = true\n").expect("w");
        let (mode, message) = commit_why_mode(tmp.path());
        assert_eq!(mode, CommitWhy::None);
        assert!(message.expect("said").contains("commit_why"));
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
