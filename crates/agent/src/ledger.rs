//! The agent sessions whose edits wait for a commit:
//! `.git/trail/agents/edits.jsonl`, one line per recorded `agent.edit` path
//! (agent, session, path). commit-msg names the sessions that edited a path
//! the commit changes (`Agent-Session: AGENT SESSION` trailers, which the
//! commit record lists as `detail.agents`); post-commit drops the lines of
//! the paths the commit changed.
//!
//! Each line also names the seq of the session's latest `agent.prompt`
//! record when the edit was made (when that record was written; a spooled
//! one has no seq yet). commit-msg gathers, per session, the prompts of the
//! edits the commit holds and leaves them in
//! `.git/trail/agents/commit-sessions.json` ([`keep_for_commit`]);
//! post-commit adds them to `detail.agents` as `prompts` ([`add_prompts`])
//! and removes the file. A file left by a commit that did not happen is
//! replaced by the next commit-msg, and only its sessions that the commit's
//! trailers name are used.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{state_dir, write_atomic};

/// The trailer naming an agent session.
pub const TRAILER: &str = "Agent-Session";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    agent: String,
    session: String,
    path: String,
    /// The seq of the session's latest prompt record at the edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt: Option<u64>,
}

fn path(trail_dir: &Path) -> PathBuf {
    state_dir(trail_dir).join("edits.jsonl")
}

fn read(trail_dir: &Path) -> Vec<Entry> {
    let Ok(text) = std::fs::read_to_string(path(trail_dir)) else { return Vec::new() };
    text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
}

/// Whether any edit waits (a cheap test before asking git what is staged).
pub fn any(trail_dir: &Path) -> bool {
    std::fs::metadata(path(trail_dir)).is_ok_and(|m| m.len() > 0)
}

/// Note that `session` of `agent` edited `paths`.
pub fn note_edits(
    trail_dir: &Path,
    agent: &str,
    session: &str,
    paths: &[String],
) -> std::io::Result<()> {
    note_edits_after(trail_dir, agent, session, None, paths)
}

/// Note that `session` of `agent` edited `paths` after the prompt whose
/// record is `prompt`.
pub fn note_edits_after(
    trail_dir: &Path,
    agent: &str,
    session: &str,
    prompt: Option<u64>,
    paths: &[String],
) -> std::io::Result<()> {
    use std::io::Write as _;
    let file = path(trail_dir);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::fs::OpenOptions::new().create(true).append(true).open(&file)?;
    for p in paths {
        let entry =
            Entry { agent: agent.to_owned(), session: session.to_owned(), path: p.clone(), prompt };
        let line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The sessions (agent, session) that edited one of `paths`, in the order
/// they first did.
pub fn sessions_touching(trail_dir: &Path, paths: &[Vec<u8>]) -> Vec<(String, String)> {
    let wanted: BTreeSet<String> =
        paths.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for e in read(trail_dir) {
        let key = (e.agent, e.session);
        if wanted.contains(&e.path) && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// A session a commit holds edits of, with the seqs of the prompt records
/// those edits followed (ascending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSession {
    pub agent: String,
    pub session: String,
    #[serde(default)]
    pub prompts: Vec<u64>,
}

/// The sessions that edited one of `paths`, in the order they first did,
/// each with the prompts its edits of those paths followed.
pub fn commit_sessions(trail_dir: &Path, paths: &[Vec<u8>]) -> Vec<CommitSession> {
    let wanted: BTreeSet<String> =
        paths.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let mut out: Vec<CommitSession> = Vec::new();
    for e in read(trail_dir) {
        if !wanted.contains(&e.path) {
            continue;
        }
        let at = match out.iter().position(|s| s.agent == e.agent && s.session == e.session) {
            Some(at) => at,
            None => {
                out.push(CommitSession { agent: e.agent, session: e.session, prompts: Vec::new() });
                out.len() - 1
            }
        };
        if let Some(seq) = e.prompt
            && !out[at].prompts.contains(&seq)
        {
            out[at].prompts.push(seq);
        }
    }
    for s in &mut out {
        s.prompts.sort_unstable();
    }
    out
}

fn commit_file(trail_dir: &Path) -> PathBuf {
    state_dir(trail_dir).join("commit-sessions.json")
}

/// Keep `sessions` for post-commit (commit-msg; an empty list removes the
/// file).
pub fn keep_for_commit(trail_dir: &Path, sessions: &[CommitSession]) -> std::io::Result<()> {
    if sessions.is_empty() {
        return match std::fs::remove_file(commit_file(trail_dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let text = serde_json::to_vec(sessions).map_err(std::io::Error::other)?;
    write_atomic(&commit_file(trail_dir), &text)
}

/// What commit-msg kept, removed (post-commit).
pub fn take_for_commit(trail_dir: &Path) -> Vec<CommitSession> {
    let file = commit_file(trail_dir);
    let Ok(bytes) = std::fs::read(&file) else { return Vec::new() };
    let _ = std::fs::remove_file(&file);
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// Add `prompts` to the entries of a commit record's `detail.agents` that
/// `kept` names (entries it does not name are left as they are).
pub fn add_prompts(detail: &mut Map<String, Value>, kept: &[CommitSession]) {
    let Some(Value::Array(agents)) = detail.get_mut("agents") else { return };
    for entry in agents.iter_mut().filter_map(Value::as_object_mut) {
        let name = entry.get("name").and_then(Value::as_str).unwrap_or_default();
        let session = entry.get("session").and_then(Value::as_str).unwrap_or_default();
        if let Some(found) = kept.iter().find(|k| k.agent == name && k.session == session) {
            entry.insert(
                "prompts".to_owned(),
                Value::Array(found.prompts.iter().map(|&s| Value::from(s)).collect()),
            );
        }
    }
}

/// The (agent, session) pairs a commit record's `detail.agents` names.
pub fn named_sessions(detail: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(Value::Array(agents)) = detail.get("agents") else { return Vec::new() };
    agents
        .iter()
        .filter_map(|a| {
            Some((a.get("name")?.as_str()?.to_owned(), a.get("session")?.as_str()?.to_owned()))
        })
        .collect()
}

/// `Agent-Session: AGENT SESSION` for each session.
pub fn trailers(sessions: &[(String, String)]) -> Vec<String> {
    sessions.iter().map(|(agent, session)| format!("{TRAILER}: {agent} {session}")).collect()
}

/// An `Agent-Session` trailer's value as (agent, session).
pub fn parse_trailer(value: &str) -> Option<(String, String)> {
    let (agent, session) = value.trim().split_once(char::is_whitespace)?;
    let session = session.trim();
    (!agent.is_empty() && !session.is_empty()).then(|| (agent.to_owned(), session.to_owned()))
}

/// Forget the edits of `paths` (a commit took them).
pub fn consume(trail_dir: &Path, paths: &[Vec<u8>]) -> std::io::Result<()> {
    if !any(trail_dir) {
        return Ok(());
    }
    let gone: BTreeSet<String> =
        paths.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let kept: Vec<Entry> =
        read(trail_dir).into_iter().filter(|e| !gone.contains(&e.path)).collect();
    let mut text = String::new();
    for e in &kept {
        text.push_str(&serde_json::to_string(e).map_err(std::io::Error::other)?);
        text.push('\n');
    }
    write_atomic(&path(trail_dir), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_of_committed_paths() {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = tmp.path();
        note_edits(t, "claude-code", "s1", &["a.txt".into(), "b.txt".into()]).expect("note");
        note_edits(t, "cursor", "c1", &["c.txt".into()]).expect("note");
        note_edits(t, "claude-code", "s1", &["c.txt".into()]).expect("note");
        let found = sessions_touching(t, &[b"c.txt".to_vec()]);
        assert_eq!(found, [("cursor".into(), "c1".into()), ("claude-code".into(), "s1".into())]);
        assert_eq!(trailers(&found)[0], "Agent-Session: cursor c1");
        assert_eq!(parse_trailer(" claude-code  s1 "), Some(("claude-code".into(), "s1".into())));
        assert_eq!(parse_trailer("lonely"), None);
        consume(t, &[b"c.txt".to_vec()]).expect("consume");
        assert!(sessions_touching(t, &[b"c.txt".to_vec()]).is_empty());
        assert_eq!(sessions_touching(t, &[b"a.txt".to_vec()]).len(), 1);
    }

    #[test]
    fn a_commit_names_the_prompts_its_edits_followed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = tmp.path();
        note_edits_after(t, "claude-code", "s1", Some(4), &["a.txt".into()]).expect("note");
        note_edits_after(t, "claude-code", "s1", Some(2), &["a.txt".into(), "b.txt".into()])
            .expect("note");
        note_edits_after(t, "claude-code", "s1", Some(9), &["c.txt".into()]).expect("note");
        note_edits_after(t, "cursor", "c1", None, &["a.txt".into()]).expect("note");
        let found = commit_sessions(t, &[b"a.txt".to_vec(), b"b.txt".to_vec()]);
        assert_eq!(
            found,
            [
                CommitSession {
                    agent: "claude-code".into(),
                    session: "s1".into(),
                    prompts: vec![2, 4]
                },
                CommitSession { agent: "cursor".into(), session: "c1".into(), prompts: vec![] },
            ]
        );
        keep_for_commit(t, &found).expect("keep");
        let mut detail = Map::new();
        detail.insert(
            "agents".into(),
            serde_json::json!([{"name": "claude-code", "session": "s1"}, {"name": "x", "session": "y"}]),
        );
        add_prompts(&mut detail, &take_for_commit(t));
        assert_eq!(
            detail["agents"],
            serde_json::json!([{"name": "claude-code", "session": "s1", "prompts": [2, 4]}, {"name": "x", "session": "y"}])
        );
        assert_eq!(named_sessions(&detail).len(), 2);
        assert!(take_for_commit(t).is_empty(), "taken once");
        keep_for_commit(t, &[]).expect("nothing to keep");
    }
}
