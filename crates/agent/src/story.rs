//! The queries of agents' records: which records an agent made or took
//! part in (`trail log --agent NAME`), and a session's story, prompt by
//! prompt (`trail show --session ID`).
//!
//! - an `agent.edit` or `agent.prompt` record names its agent and session
//!   in `detail.agent` {`name`, `session`} and its prompt's number in the
//!   session in `detail.prompt` (an edit: the number of the prompt it
//!   followed; absent before the first);
//! - a `commit` or `commit.unverified` record names the sessions whose
//!   edits it holds in `detail.agents` [{`name`, `session`, `prompts`}].
//!
//! Edits are put under their prompt by that number, not by seq: a prompt
//! record that waited in the spool is written after the edits it led to.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use trail_journal::{Record, kinds};

use crate::Agent;

/// The kinds an agent's records can be of.
pub const KINDS: [&str; 4] =
    [kinds::AGENT_EDIT, kinds::AGENT_PROMPT, kinds::COMMIT, kinds::COMMIT_UNVERIFIED];

/// An agent's name as records hold it: `claude` is `claude-code`; a name
/// trail does not know is kept (lowercased), for agents of later versions.
pub fn agent_name(text: &str) -> String {
    Agent::parse(text).map_or_else(|| text.trim().to_ascii_lowercase(), |a| a.name().to_owned())
}

fn is_agents_own(record: &Record) -> bool {
    record.kind == kinds::AGENT_EDIT || record.kind == kinds::AGENT_PROMPT
}

fn is_commit(record: &Record) -> bool {
    record.kind == kinds::COMMIT || record.kind == kinds::COMMIT_UNVERIFIED
}

fn own_agent(record: &Record) -> Option<&Map<String, Value>> {
    record.detail.as_ref()?.get("agent")?.as_object()
}

/// A commit record's `detail.agents` entries.
fn listed(record: &Record) -> impl Iterator<Item = &Map<String, Value>> {
    record
        .detail
        .as_ref()
        .and_then(|d| d.get("agents"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// Whether `record` is agent `agent`'s (name as [`agent_name`] gives it):
/// its edit or prompt, or a commit whose `detail.agents` names it.
pub fn names_agent(record: &Record, agent: &str) -> bool {
    if is_agents_own(record) {
        return own_agent(record).and_then(|a| text(a, "name")) == Some(agent);
    }
    is_commit(record) && listed(record).any(|a| text(a, "name") == Some(agent))
}

/// The sessions `record` belongs to: an edit's or a prompt's own, the ones
/// a commit lists.
pub fn sessions_of(record: &Record) -> Vec<&str> {
    if is_agents_own(record) {
        return own_agent(record).and_then(|a| text(a, "session")).into_iter().collect();
    }
    if is_commit(record) {
        return listed(record).filter_map(|a| text(a, "session")).collect();
    }
    Vec::new()
}

/// The session `id` designates among `known`: itself, else the one
/// session it is a prefix of. `Err` lists the sessions it is a prefix of
/// when there are several (empty: none).
pub fn resolve_session<'a>(id: &str, known: &'a BTreeSet<String>) -> Result<&'a str, Vec<&'a str>> {
    if let Some(exact) = known.get(id) {
        return Ok(exact.as_str());
    }
    let found: Vec<&str> =
        known.iter().filter(|s| !id.is_empty() && s.starts_with(id)).map(String::as_str).collect();
    match found.as_slice() {
        [one] => Ok(one),
        _ => Err(found),
    }
}

/// One prompt of a session and the edits that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The prompt's number in the session (0: the edits before any prompt).
    pub number: u64,
    /// Its `agent.prompt` record; `None` when the journal has none (edits
    /// before the first prompt, a prompt made before trail recorded prompts
    /// or still in the spool).
    pub prompt: Option<Record>,
    pub edits: Vec<Record>,
}

/// A session's story.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Story {
    pub session: String,
    /// The agents its records name (one, unless two agents share an id).
    pub agents: Vec<String>,
    /// Prompt by prompt, in the order they were made.
    pub turns: Vec<Turn>,
    /// The commits that list the session, oldest first.
    pub commits: Vec<Record>,
}

fn prompt_number(record: &Record) -> u64 {
    record.detail.as_ref().and_then(|d| d.get("prompt")).and_then(Value::as_u64).unwrap_or(0)
}

/// The story of `session` from `records` (any records, oldest first).
pub fn story(session: &str, records: impl IntoIterator<Item = Record>) -> Story {
    let mut out = Story { session: session.to_owned(), ..Story::default() };
    for record in records {
        if !sessions_of(&record).contains(&session) {
            continue;
        }
        if is_commit(&record) {
            out.commits.push(record);
            continue;
        }
        if let Some(name) = own_agent(&record).and_then(|a| text(a, "name"))
            && !out.agents.iter().any(|a| a == name)
        {
            out.agents.push(name.to_owned());
        }
        let number = prompt_number(&record);
        let at = match out.turns.iter().position(|t| t.number == number) {
            Some(at) => at,
            None => {
                out.turns.push(Turn { number, prompt: None, edits: Vec::new() });
                out.turns.len() - 1
            }
        };
        let turn = &mut out.turns[at];
        if record.kind == kinds::AGENT_PROMPT {
            // A prompt recorded twice (it cannot be, but): the first stays.
            if turn.prompt.is_none() {
                turn.prompt = Some(record);
            }
        } else {
            turn.edits.push(record);
        }
    }
    out.turns.sort_by_key(|t| t.number);
    out
}

fn value(record: &Record) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

impl Story {
    /// Whether the journal holds anything of the session.
    pub fn is_empty(&self) -> bool {
        self.turns.is_empty() && self.commits.is_empty()
    }

    /// `trail show --session ID --json`: `{"session", "agents", "turns":
    /// [{"prompt": NUMBER, "record": RECORD|null, "edits": [RECORD…]}],
    /// "commits": [RECORD…]}`, each record as stored.
    pub fn to_json(&self) -> Value {
        json!({
            "session": self.session,
            "agents": self.agents,
            "turns": self.turns.iter().map(|t| json!({
                "prompt": t.number,
                "record": t.prompt.as_ref().map_or(Value::Null, value),
                "edits": t.edits.iter().map(value).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "commits": self.commits.iter().map(value).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, kind: &str, detail: Value) -> Record {
        let source = if kind.starts_with("agent.") { "agent" } else { "hook" };
        let mut v = json!({
            "v": 1, "seq": seq, "time": "2026-12-07T10:00:00.000000000Z", "kind": kind,
            "source": source,
            "prev": "0".repeat(64), "hash": "0".repeat(64), "detail": detail,
        });
        if kind == kinds::AGENT_PROMPT {
            v["why"] = json!(format!("prompt {seq}"));
        }
        serde_json::from_value(v).expect("a record")
    }

    fn own(seq: u64, kind: &str, agent: &str, session: &str, prompt: Option<u64>) -> Record {
        let mut detail = json!({"agent": {"name": agent, "session": session}});
        if let Some(n) = prompt {
            detail["prompt"] = json!(n);
        }
        record(seq, kind, detail)
    }

    fn commit(seq: u64, agents: Value) -> Record {
        record(seq, kinds::COMMIT, json!({"subject": "s", "agents": agents}))
    }

    #[test]
    fn an_agents_records_are_its_edits_prompts_and_the_commits_naming_it() {
        let edit = own(1, kinds::AGENT_EDIT, "claude-code", "s1", None);
        let prompt = own(2, kinds::AGENT_PROMPT, "cursor", "c1", Some(1));
        let both = commit(
            3,
            json!([{"name": "cursor", "session": "c1"}, {"name": "claude-code", "session": "s1"}]),
        );
        let none = record(4, kinds::COMMIT, json!({"subject": "s"}));
        let watcher = record(5, kinds::FS_MODIFY, json!({"agent": {"name": "claude-code"}}));
        let claude = agent_name("Claude");
        assert_eq!(claude, "claude-code");
        assert!(names_agent(&edit, &claude));
        assert!(!names_agent(&prompt, &claude));
        assert!(names_agent(&prompt, "cursor"));
        assert!(names_agent(&both, &claude) && names_agent(&both, "cursor"));
        assert!(!names_agent(&none, &claude));
        assert!(!names_agent(&watcher, &claude), "only the agents' own kinds");
        assert_eq!(agent_name(" Aider "), "aider");
    }

    #[test]
    fn a_story_puts_each_edit_under_its_prompt_even_when_the_prompt_came_later() {
        let records = vec![
            own(1, kinds::AGENT_EDIT, "claude-code", "s1", None),
            own(2, kinds::AGENT_PROMPT, "claude-code", "s1", Some(1)),
            own(3, kinds::AGENT_EDIT, "claude-code", "s1", Some(1)),
            own(4, kinds::AGENT_EDIT, "claude-code", "other", Some(1)),
            // Prompt 2's record waited in the spool: its edit comes first.
            own(5, kinds::AGENT_EDIT, "claude-code", "s1", Some(2)),
            own(6, kinds::AGENT_PROMPT, "claude-code", "s1", Some(2)),
            commit(7, json!([{"name": "claude-code", "session": "s1", "prompts": [2, 6]}])),
            commit(8, json!([{"name": "claude-code", "session": "other"}])),
        ];
        let s = story("s1", records);
        assert_eq!(s.agents, ["claude-code"]);
        let shape: Vec<(u64, Option<u64>, Vec<u64>)> = s
            .turns
            .iter()
            .map(|t| {
                (
                    t.number,
                    t.prompt.as_ref().map(|p| p.seq),
                    t.edits.iter().map(|e| e.seq).collect(),
                )
            })
            .collect();
        assert_eq!(shape, [(0, None, vec![1]), (1, Some(2), vec![3]), (2, Some(6), vec![5])]);
        assert_eq!(s.commits.iter().map(|c| c.seq).collect::<Vec<_>>(), [7]);
        let j = s.to_json();
        assert_eq!(j["turns"][1]["record"]["why"], "prompt 2");
        assert_eq!(j["turns"][2]["edits"][0]["seq"], 5);
        assert_eq!(j["commits"][0]["seq"], 7);
        assert!(story("nobody", Vec::new()).is_empty());
    }

    #[test]
    fn a_session_is_found_by_a_unique_prefix() {
        let known: BTreeSet<String> =
            ["abc123", "abd999", "x"].iter().map(|s| s.to_string()).collect();
        assert_eq!(resolve_session("abc123", &known), Ok("abc123"));
        assert_eq!(resolve_session("abc", &known), Ok("abc123"));
        assert_eq!(resolve_session("ab", &known), Err(vec!["abc123", "abd999"]));
        assert_eq!(resolve_session("zz", &known), Err(vec![]));
        assert_eq!(resolve_session("", &known), Err(vec![]));
    }
}
