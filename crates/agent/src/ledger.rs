//! The agent sessions whose edits wait for a commit:
//! `.git/trail/agents/edits.jsonl`, one line per recorded `agent.edit` path
//! (agent, session, path). commit-msg names the sessions that edited a path
//! the commit changes (`Agent-Session: AGENT SESSION` trailers, which the
//! commit record lists as `detail.agents`); post-commit drops the lines of
//! the paths the commit changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{state_dir, write_atomic};

/// The trailer naming an agent session.
pub const TRAILER: &str = "Agent-Session";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    agent: String,
    session: String,
    path: String,
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
    use std::io::Write as _;
    let file = path(trail_dir);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::fs::OpenOptions::new().create(true).append(true).open(&file)?;
    for p in paths {
        let entry = Entry { agent: agent.to_owned(), session: session.to_owned(), path: p.clone() };
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
}
