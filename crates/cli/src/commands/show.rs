//! `trail show`

use std::io::Write;

use clap::Args;
use trail_journal::{LogStore, Record, Resolved, kinds, query};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;

/// Show records in full.
///
/// ID is a record's seq number (e.g. 42), a commit id or a change id; a unique
/// abbreviation of a commit or change id is enough. A commit or change id shows
/// every record that names it. Anything else is read as git reads a revision
/// (HEAD, a branch, a tag, HEAD~2) and shows the records of that commit.
///
/// Each record says what happened in words (`what`), then the facts of its
/// kind: why a commit was refused, which commit a rewrite turned into which,
/// where a ref moved from and to.
///
/// With --session ID instead: an AI coding agent session's story, prompt by
/// prompt — each prompt (agent.prompt), the edits that followed it
/// (agent.edit), then the commits that hold the session's edits.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail show 42                    record 42
  trail show HEAD                  the records of the last commit
  trail show --session 7c1f9a52    an agent session's prompts, edits and commits")]
pub struct ShowArgs {
    /// A seq number, commit id or change id (abbreviations accepted), or a
    /// revision git resolves (HEAD, main, v1.0, HEAD~2).
    #[arg(value_name = "ID", required_unless_present = "session", conflicts_with = "session")]
    pub id: Option<String>,

    /// Print the canonical record(s) as JSON Lines instead; with --session,
    /// one JSON object: {"session", "agents", "turns": [{"prompt": N,
    /// "record": RECORD or null, "edits": [RECORD...]}], "commits":
    /// [RECORD...]}.
    #[arg(long)]
    pub json: bool,

    /// Show an AI coding agent session's story instead: its id as the
    /// agent gave it (`detail.agent.session`, the `Agent-Session:`
    /// trailer), or a unique beginning of it.
    #[arg(long, value_name = "SESSION")]
    pub session: Option<String>,
}

pub fn run(args: ShowArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_indexed_store()?;
    let id = match (&args.session, args.id) {
        (Some(session), _) => return session_story(&store, session, args.json),
        (None, Some(id)) => id,
        (None, None) => return Err(CommandError::usage("give a record's ID or --session ID")),
    };
    let seqs = match query::resolve(&store, &id) {
        Ok(Resolved::Seq(seq)) => vec![seq],
        Ok(Resolved::Records { seqs, .. }) => seqs,
        Err(e @ query::ResolveError::Ambiguous { .. }) => {
            return Err(CommandError::usage(e.to_string()).hint("give more characters of the id"));
        }
        Err(e @ query::ResolveError::NotFound(_)) => revision(&repo, &store, &id, e)?,
        Err(query::ResolveError::Read(e)) => return Err(e.into()),
    };
    if !args.json {
        crate::output::page();
    }
    let mut out = Out::new();
    let mut bad = Vec::new();
    for (i, seq) in seqs.iter().enumerate() {
        let bytes =
            store.get_raw(*seq)?.ok_or(trail_journal::ReadError::StaleIndex { seq: *seq })?;
        // Showing is not verifying, but a record that fails its own hash check
        // must not be shown as if it were sound.
        if let Err(problem) = trail_journal::chain::check(&bytes) {
            bad.push(format!("record {seq} fails its integrity check: {problem}"));
        }
        if args.json {
            out.write_all(&bytes)?;
            out.write_all(b"\n")?;
            continue;
        }
        let record: Record = match serde_json::from_slice(&bytes) {
            Ok(record) => record,
            Err(e) => {
                bad.push(format!("record {seq} is damaged: {e}"));
                continue;
            }
        };
        if i > 0 {
            writeln!(out)?;
        }
        write_record(&mut out, &record)?;
    }
    out.flush()?;
    if let Some(first) = bad.first() {
        let mut error = CommandError::refused(first.clone());
        for more in &bad[1..] {
            error = error.hint(more.clone());
        }
        return Err(error.hint("run `trail verify` to see what else is damaged"));
    }
    Ok(())
}

/// `--session ID`: the session's story (trail-agent's [`story`]).
///
/// [`story`]: trail_agent::story::story
fn session_story(store: &crate::context::Store, id: &str, json: bool) -> Result<(), CommandError> {
    use trail_agent::story;
    let query = trail_journal::Query {
        kinds: story::KINDS.iter().map(|k| (*k).to_owned()).collect(),
        reverse: true,
        ..trail_journal::Query::default()
    };
    let mut records = Vec::new();
    let mut known = std::collections::BTreeSet::new();
    let mut damaged = Vec::new();
    query::run(store, &query, |summary, bytes| {
        match serde_json::from_slice::<Record>(&bytes) {
            Ok(record) => {
                let sessions = story::sessions_of(&record);
                if !sessions.is_empty() {
                    known.extend(sessions.into_iter().map(str::to_owned));
                    records.push(record);
                }
            }
            Err(e) => damaged.push(format!("record {} is damaged: {e}", summary.seq)),
        }
        std::ops::ControlFlow::Continue(())
    })?;
    let session = match story::resolve_session(id, &known) {
        Ok(found) => found.to_owned(),
        Err(several) if several.is_empty() => {
            return Err(CommandError::usage(format!("no record names an agent session {id}"))
                .hint("`trail log --agent NAME` lists an agent's records; each names its session in detail.agent.session"));
        }
        Err(several) => {
            return Err(CommandError::usage(format!(
                "--session {id} is the beginning of {} sessions: {}",
                several.len(),
                several.join(", ")
            ))
            .hint("give more characters of the id"));
        }
    };
    let told = story::story(&session, records);
    if json {
        crate::output::print_json(&told.to_json())?;
    } else {
        crate::output::page();
        let mut out = Out::new();
        write_story(&mut out, &told)?;
        out.flush()?;
    }
    if let Some(first) = damaged.first() {
        let mut error = CommandError::refused(first.clone());
        for more in &damaged[1..] {
            error = error.hint(more.clone());
        }
        return Err(error.hint("run `trail verify` to see what else is damaged"));
    }
    Ok(())
}

fn write_story(out: &mut impl Write, s: &trail_agent::story::Story) -> std::io::Result<()> {
    let time = |r: &Record| crate::output::display_time(&r.time);
    let agents =
        if s.agents.is_empty() { String::new() } else { format!("  ({})", s.agents.join(", ")) };
    writeln!(out, "session {}{agents}", printable(&s.session))?;
    let prompts = s.turns.iter().filter(|t| t.number > 0).count();
    let edits: usize = s.turns.iter().map(|t| t.edits.len()).sum();
    writeln!(
        out,
        "{prompts} prompt{}, {edits} edit{}, {} commit{}",
        if prompts == 1 { "" } else { "s" },
        if edits == 1 { "" } else { "s" },
        s.commits.len(),
        if s.commits.len() == 1 { "" } else { "s" },
    )?;
    for turn in &s.turns {
        writeln!(out)?;
        match (&turn.prompt, turn.number) {
            (_, 0) => writeln!(out, "before the first prompt")?,
            (Some(p), n) => {
                writeln!(out, "prompt {n}  record {}  {}", p.seq, time(p))?;
                match &p.why {
                    Some(why) => {
                        for line in printable(why.trim_end()).lines() {
                            writeln!(out, "  {line}")?;
                        }
                    }
                    None => writeln!(out, "  (not kept: [agent] prompts = \"none\")")?,
                }
            }
            (None, n) => {
                writeln!(out, "prompt {n}  (no record of it in this journal)")?;
            }
        }
        for e in &turn.edits {
            let line = crate::commands::log::summary(e);
            writeln!(out, "  edit  record {}  {}  {}", e.seq, time(e), printable(&line))?;
        }
    }
    for c in &s.commits {
        writeln!(out)?;
        let id: String = c.commit.as_deref().unwrap_or("").chars().take(10).collect();
        let subject = c.subject().unwrap_or("");
        writeln!(out, "commit {id}  record {}  {}  {}", c.seq, time(c), printable(subject))?;
        if let Some(why) = &c.why {
            writeln!(out, "  why  {}", printable(why))?;
        }
        let prompts = c
            .detail
            .as_ref()
            .and_then(|d| d.get("agents"))
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
            .filter(|a| a.get("session").and_then(|v| v.as_str()) == Some(s.session.as_str()))
            .filter_map(|a| a.get("prompts").and_then(|p| p.as_array()))
            .flatten()
            .filter_map(serde_json::Value::as_u64)
            .map(|seq| seq.to_string())
            .collect::<Vec<_>>();
        if !prompts.is_empty() {
            writeln!(out, "  prompts  records {}", prompts.join(", "))?;
        }
    }
    Ok(())
}

/// ID is no seq, commit or change id in the journal: read it as git reads a
/// revision (`HEAD`, a branch, a tag, `HEAD~2`) and show the records of the
/// commit it names.
fn revision(
    repo: &Repo,
    store: &crate::context::Store,
    id: &str,
    not_found: query::ResolveError,
) -> Result<Vec<u64>, CommandError> {
    let Ok(commit) = crate::commands::log::resolve_commit(repo, "ID", id) else {
        return Err(CommandError::usage(format!(
            "{not_found}, and git cannot resolve it as a revision"
        ))
        .hint("give a seq, a commit id, a branch, a tag, HEAD or HEAD~N; `trail log` lists records with their seq and commit"));
    };
    match query::resolve(store, &commit) {
        Ok(Resolved::Records { seqs, .. }) => Ok(seqs),
        Ok(Resolved::Seq(seq)) => Ok(vec![seq]),
        Err(query::ResolveError::Read(e)) => Err(e.into()),
        Err(_) => {
            Err(CommandError::usage(format!("{id} is commit {commit}, which no record names"))
                .hint("`trail import` records commits made before trail was set up"))
        }
    }
}

fn write_record(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    writeln!(out, "record {}  {}", r.seq, r.kind)?;
    writeln!(out, "time      {}", crate::output::display_time_full(&r.time))?;
    writeln!(
        out,
        "source    {}",
        serde_json::to_value(r.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    )?;
    writeln!(out, "what      {}", crate::commands::log::summary_line(r))?;
    if let Some(a) = &r.actor {
        let mut who = a.name.clone();
        if !a.email.is_empty() {
            who.push_str(&format!(" <{}>", a.email));
        }
        if !a.user.is_empty() || !a.host.is_empty() {
            who.push_str(&format!(" ({}@{})", a.user, a.host));
        }
        writeln!(out, "actor     {who}")?;
    }
    if let Some(c) = &r.commit {
        writeln!(out, "commit    {c}")?;
    }
    for p in &r.parents {
        writeln!(out, "parent    {p}")?;
    }
    if let Some(c) = &r.change_id {
        writeln!(out, "change    {c}")?;
    }
    if let Some(g) = &r.git_ref {
        writeln!(out, "ref       {g}")?;
    }
    if let Some(subject) = r.subject() {
        writeln!(out, "subject   {subject}")?;
    }
    if let Some(w) = &r.why {
        writeln!(out, "why       {w}")?;
    }
    if let Some(i) = &r.impact {
        writeln!(out, "impact    {i}")?;
    }
    if let Some(a) = &r.authorization {
        writeln!(out, "authorized by token {} (key {})", a.token_id, a.issuer)?;
    }
    write_detail(out, r)?;
    if !r.paths.is_empty() {
        writeln!(out, "paths")?;
        for p in &r.paths {
            let status = serde_json::to_value(p.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            match p.display_from() {
                Some(from) => writeln!(out, "  {status}  {from} -> {}", p.display_path())?,
                None => writeln!(out, "  {status}  {}", p.display_path())?,
            }
        }
    }
    writeln!(out, "prev      {}", r.prev)?;
    writeln!(out, "hash      {}", r.hash)?;
    Ok(())
}

/// The kind's own facts (`detail`), in words: why a commit was refused,
/// which commit a rewrite turned into which, where a ref moved from and to,
/// and any other member a producer recorded.
fn write_detail(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    let Some(detail) = &r.detail else { return Ok(()) };
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str());
    // The subject has its own line above.
    let mut shown: Vec<&str> = vec!["subject", "subject_b64"];
    match r.kind.as_str() {
        kinds::COMMIT_BLOCKED => {
            if let Some(reason) = text("reason") {
                write_block(out, "refused", reason)?;
            }
            shown.push("reason");
        }
        kinds::HISTORY_REWRITE => {
            if let Some(op) = text("operation") {
                writeln!(out, "operation {op}")?;
            }
            let pairs = crate::commands::log::rewritten(r);
            if !pairs.is_empty() {
                writeln!(out, "rewritten (old -> new)")?;
                for (from, to) in pairs {
                    writeln!(out, "  {from} -> {to}")?;
                }
            }
            shown.extend(["operation", "rewritten"]);
        }
        kinds::REF_UPDATE => {
            if let Some(op) = text("operation") {
                writeln!(out, "operation {op}")?;
            }
            writeln!(out, "from      {}", text("from").unwrap_or("(nothing: the ref was new)"))?;
            writeln!(out, "to        {}", text("to").unwrap_or("(nothing: the ref was deleted)"))?;
            shown.extend(["operation", "from", "to"]);
        }
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => {
            for (key, label) in [("author", "author   "), ("committer", "committer")] {
                if let Some(person) = detail.get(key) {
                    let name = person.get("name").and_then(|v| v.as_str()).unwrap_or("");
                    let email = person.get("email").and_then(|v| v.as_str()).unwrap_or("");
                    let time = person.get("time").and_then(|v| v.as_str()).unwrap_or("");
                    let tz = person.get("tz").and_then(|v| v.as_str()).unwrap_or("");
                    let line = format!("{label} {name} <{email}> {time} {tz}");
                    writeln!(out, "{}", printable(line.trim_end()))?;
                }
            }
            shown.extend(["author", "committer"]);
        }
        _ => {}
    }
    for (key, value) in detail {
        if shown.contains(&key.as_str()) {
            continue;
        }
        let label = format!("{key:<9}");
        match value {
            serde_json::Value::String(s) => write_block(out, &label, s)?,
            serde_json::Value::Array(items) => {
                writeln!(out, "{label}")?;
                for item in items {
                    match item {
                        serde_json::Value::String(s) => writeln!(out, "  {}", printable(s))?,
                        other => writeln!(out, "  {other}")?,
                    }
                }
            }
            other => writeln!(out, "{label} {other}")?,
        }
    }
    Ok(())
}

/// `label text`, a text of several lines indented under its first.
fn write_block(out: &mut impl Write, label: &str, text: &str) -> std::io::Result<()> {
    let text = printable(text.trim_end());
    let mut lines = text.lines();
    writeln!(out, "{label:<9} {}", lines.next().unwrap_or(""))?;
    for line in lines {
        writeln!(out, "          {line}")?;
    }
    Ok(())
}

/// `text` with control characters other than newlines (an escape sequence a
/// record's producer wrote) shown as `?`, so a record cannot drive the
/// terminal.
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { '?' } else { c }).collect()
}
