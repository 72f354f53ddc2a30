//! `trail log`

use std::io::Write;
use std::ops::ControlFlow;

use clap::Args;
use trail_journal::query::Summary;
use trail_journal::{Query, Record, kinds, query};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;
use crate::timeparse;

/// List journal records, newest first.
///
/// Filters combine (a record must pass all of them); a filter given twice
/// matches either value. Path, commit, change and time filters use the
/// journal's indexes, so a query costs what its answer costs.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail log --path src/                       everything under src/
  trail log --since \"2 days ago\" --author ada
  trail log --kind commit --json | jq .why
  trail log --agent claude-code               an agent's prompts, edits and commits
  trail log -f --format ecs                   new records as ECS, as they come")]
pub struct LogArgs {
    /// Only records touching this file, or anything below this directory
    /// (relative to the current directory). A trailing / means directory only.
    #[arg(long, value_name = "PATH")]
    pub path: Vec<std::ffi::OsString>,

    /// Only records at or after this time, in the forms `git log --since`
    /// reads: 2026-11-26, "2026-11-26 10:00" (a zone after it: UTC, +0200),
    /// RFC 3339 or 2822, git's date format, @SECONDS, "2 days ago",
    /// "yesterday", "midnight". Without a zone: UTC (local time with --local).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only records at or before this time (same forms as --since; a bare
    /// date includes that whole day, a time to the second that whole second).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Only records whose author name or email contains this (any case).
    /// As `git log --author` does, the repository's mailmap (`.mailmap`,
    /// `mailmap.file`, `mailmap.blob`) is applied first: a commit made
    /// under an old name or address counts as its person's.
    #[arg(long, value_name = "WHO")]
    pub author: Vec<String>,

    /// Match --author against identities as recorded, without the mailmap.
    #[arg(long)]
    pub no_mailmap: bool,

    /// Only records of exactly this kind (commit, fs.modify, ...). `commit.*`
    /// matches a whole family; a bare family name that is not itself a kind,
    /// such as `fs`, does too. A value no kind matches is refused (exit 2).
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,

    /// Only records of this commit: what git names it by (HEAD, a branch, a
    /// tag, HEAD~2, an id or an abbreviation). A name git cannot resolve is
    /// refused (exit 2).
    #[arg(long, value_name = "COMMIT")]
    pub commit: Option<String>,

    /// Only records of this change id (or an abbreviation).
    #[arg(long, value_name = "ID")]
    pub change: Option<String>,

    /// Only records of this AI coding agent (claude-code, cursor, gemini):
    /// its prompts (agent.prompt), its edits (agent.edit) and the commits
    /// holding its edits (their detail.agents names it). `trail show
    /// --session ID` tells one session's story.
    #[arg(long, value_name = "AGENT", conflicts_with = "follow")]
    pub agent: Vec<String>,

    /// Show at most N records.
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,

    /// Oldest first.
    #[arg(long)]
    pub reverse: bool,

    /// Print the canonical records as JSON Lines (one record per line, exactly
    /// as stored and as `trail export` writes them). With --all-clones each
    /// line is `{"record":RECORD,"store":STORE_ID}` instead.
    #[arg(long)]
    pub json: bool,

    /// Also the journals of the other clones, as last fetched and verified
    /// by `trail sync pull`, merged by time; a STORE column says whose
    /// journal each record is from.
    #[arg(long)]
    pub all_clones: bool,

    /// How to print each record (the default: the table; --json is
    /// --format json).
    #[arg(long, value_name = "FORMAT", value_enum, conflicts_with_all = ["json", "all_clones"])]
    pub format: Option<crate::follow::LogFormat>,

    /// Keep printing records as they are appended (by hooks, the watcher,
    /// any trail process): the last 10 matching records (or -n N), oldest
    /// first, then each new one. Ends with exit 0 on Ctrl-C or when the
    /// reader of the output goes away. A log shipper that must resume where
    /// it stopped uses `trail export --follow --since-seq N` instead.
    #[arg(short = 'f', long, conflicts_with_all = ["all_clones", "reverse"])]
    pub follow: bool,
}

pub fn run(args: LogArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let now = chrono::Utc::now();
    let agents = known_agents(&args.agent)?;
    let mut query = Query {
        paths: args.path.iter().map(|p| repo.repo_relative(p)).collect::<Result<_, _>>()?,
        since: args
            .since
            .as_deref()
            .map(|s| timeparse::parse("--since", s, now, timeparse::Bound::Start))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| timeparse::parse("--until", s, now, timeparse::Bound::End))
            .transpose()?,
        identities: match args.author.is_empty() || args.no_mailmap {
            true => trail_journal::query::Identities::default(),
            false => mailmap(&repo.git),
        },
        authors: args.author,
        kinds: known_kinds(args.kind)?,
        commit: args.commit.as_deref().map(|c| resolve_commit(&repo, "--commit", c)).transpose()?,
        change: args.change,
        limit: args.limit,
        reverse: args.reverse,
    };
    if let (Some(since), Some(until)) = (&query.since, &query.until)
        && since > until
    {
        return Err(CommandError::usage(format!(
            "--since ({}) is after --until ({}): no record can match",
            since.to_rfc3339(),
            until.to_rfc3339()
        ))
        .hint("swap them, or drop one"));
    }
    // --agent reads each candidate record: the limit counts what it keeps.
    let limit = if agents.0.is_empty() { query.limit } else { query.limit.take() };
    if !agents.0.is_empty() && query.kinds.is_empty() {
        query.kinds = trail_agent::story::KINDS.iter().map(|k| (*k).to_owned()).collect();
    }
    if args.all_clones {
        // An auditor's bare clone may keep no journal of its own.
        let store = match repo.store_path().join("conf").exists() {
            true => Some(repo.open_indexed_store()?),
            false => None,
        };
        return all_clones(&repo, store.as_ref(), &query, args.json, &agents, limit);
    }
    use crate::follow::{LogFormat, Printer};
    let format = args.format.unwrap_or(match args.json {
        true => LogFormat::Json,
        false => LogFormat::Table,
    });
    let printer = Printer::new(format);
    let layout = Layout::for_width(crate::output::table_width());
    let row = |summary: &Summary, bytes: &[u8]| layout.row(summary, bytes);
    if args.follow {
        return crate::follow::log(&repo, &query, &printer, &layout.header(), row);
    }
    let store = repo.open_indexed_store()?;
    if format == LogFormat::Table {
        crate::output::page();
    }
    let mut out = Out::new();
    let mut failure: Option<CommandError> = None;
    printer.header(&mut out, &layout.header())?;
    let mut shown = 0usize;
    if limit != Some(0) {
        query::run(&store, &query, |record, bytes| {
            if !agents.keeps(&bytes) {
                return ControlFlow::Continue(());
            }
            if let Err(e) = printer.record(&mut out, &record, &bytes, row) {
                failure = Some(e);
                return ControlFlow::Break(());
            }
            shown += 1;
            match limit.is_some_and(|n| shown >= n) {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        })?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    out.flush()?;
    Ok(())
}

/// `--agent`: the agents' names as records hold them (none: every record).
struct Agents(Vec<String>);

impl Agents {
    /// Whether the record `bytes` is one of the agents' (trail-agent's query).
    fn keeps(&self, bytes: &[u8]) -> bool {
        if self.0.is_empty() {
            return true;
        }
        serde_json::from_slice::<Record>(bytes)
            .is_ok_and(|r| self.0.iter().any(|a| trail_agent::story::names_agent(&r, a)))
    }
}

/// `--agent` values, each of which must name an agent trail hooks (a typo
/// would otherwise be an empty answer that looks like "no such records").
fn known_agents(names: &[String]) -> Result<Agents, CommandError> {
    let mut agents = Vec::new();
    for name in names {
        let Some(agent) = trail_agent::Agent::parse(name) else {
            let all: Vec<&str> = trail_agent::Agent::ALL.iter().map(|a| a.name()).collect();
            return Err(CommandError::usage(format!("no agent is called {name}"))
                .hint(format!("the agents are: {}", all.join(", "))));
        };
        agents.push(agent.name().to_owned());
    }
    Ok(Agents(agents))
}

/// `--all-clones`: this journal's matches and the pulled clones', newest
/// first (or oldest first), each with the store it comes from; at most
/// `limit` of those `agents` keeps.
fn all_clones(
    repo: &Repo,
    store: Option<&crate::context::Store>,
    query: &Query,
    json: bool,
    agents: &Agents,
    limit: Option<usize>,
) -> Result<(), CommandError> {
    let own = store.map(|s| s.store_id()).transpose()?.unwrap_or_default();
    let mut rows: Vec<(String, Summary, Vec<u8>)> = Vec::new();
    if let Some(store) = store {
        query::run(store, query, |record, bytes| {
            rows.push((own.clone(), record, bytes));
            ControlFlow::Continue(())
        })?;
    }
    rows.extend(crate::commands::sync::clone_records(repo, &own, query)?);
    rows.retain(|(_, _, bytes)| agents.keeps(bytes));
    rows.sort_by(|a, b| (a.1.time, &a.0, a.1.seq).cmp(&(b.1.time, &b.0, b.1.seq)));
    if !query.reverse {
        rows.reverse();
    }
    rows.truncate(limit.unwrap_or(usize::MAX));
    let width = crate::output::table_width();
    // The store column takes 11 columns from the rest.
    let layout = Layout::for_width(width.map(|w| w.saturating_sub(11)));
    if !json {
        crate::output::page();
    }
    let mut out = Out::new();
    if !json {
        let header = format!("{:<9}  {}", "STORE", layout.header());
        writeln!(out, "{}", crate::output::fit(&header, width))?;
    }
    for (id, record, bytes) in rows {
        if json {
            out.write_all(b"{\"record\":")?;
            out.write_all(&bytes)?;
            writeln!(out, ",\"store\":\"{id}\"}}")?;
        } else {
            let short: String = id.chars().take(8).collect();
            let mine = if id == own { "*" } else { "" };
            let line = format!("{:<9}  {}", format!("{short}{mine}"), layout.row(&record, &bytes));
            writeln!(out, "{}", crate::output::fit(&line, width))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The columns of the table, chosen by the width it may use: every column
/// in a pipe or on a wide terminal; on a narrower one shorter columns (times
/// to the minute, 7-character commit ids), and below 60 columns only seq,
/// time and kind. The summary always comes last and gets what is left.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    seq: usize,
    /// Seconds in the time column (else minutes).
    seconds: bool,
    kind: usize,
    /// 0: no column.
    who: usize,
    commit: usize,
    gap: &'static str,
}

impl Layout {
    pub fn for_width(width: Option<usize>) -> Layout {
        let full = Layout { seq: 7, seconds: true, kind: 17, who: 18, commit: 10, gap: "  " };
        match width {
            None => full,
            Some(w) if w >= 120 => full,
            Some(w) if w >= 100 => Layout { who: 14, ..full },
            Some(w) if w >= 60 => {
                Layout { seq: 5, seconds: false, kind: 12, who: 10, commit: 7, gap: " " }
            }
            Some(_) => Layout { seq: 5, seconds: false, kind: 12, who: 0, commit: 0, gap: " " },
        }
    }

    fn time_width(&self) -> usize {
        if self.seconds { 19 } else { 16 }
    }

    pub fn header(&self) -> String {
        self.line("SEQ", crate::output::time_heading(), "KIND", "WHO", "COMMIT", "SUMMARY")
    }

    /// One line of the table: the record's summary and its stored bytes
    /// (from which the summary column is written).
    pub fn row(&self, record: &Summary, bytes: &[u8]) -> String {
        let mut time = crate::output::display_time(&record.time);
        if !self.seconds {
            time.truncate(16);
        }
        let who = record.actor.as_ref().map(|a| a.name.as_str()).unwrap_or("");
        let commit: String =
            record.commit.as_deref().unwrap_or("").chars().take(self.commit).collect();
        let full: Option<Record> = serde_json::from_slice(bytes).ok();
        let summary = match &full {
            Some(full) => summary(full),
            None => summary_of(record),
        };
        self.line(
            &record.seq.to_string(),
            &time,
            &truncate(&record.kind, self.kind),
            &truncate(who, self.who),
            &commit,
            &summary,
        )
    }

    fn line(
        &self,
        seq: &str,
        time: &str,
        kind: &str,
        who: &str,
        commit: &str,
        rest: &str,
    ) -> String {
        let gap = self.gap;
        let mut line = format!(
            "{seq:>w$}{gap}{time:<t$}{gap}{kind:<k$}{gap}",
            w = self.seq,
            t = self.time_width(),
            k = self.kind
        );
        if self.who > 0 {
            line.push_str(&format!("{who:<w$}{gap}", w = self.who));
        }
        if self.commit > 0 {
            line.push_str(&format!("{commit:<c$}{gap}", c = self.commit));
        }
        line.push_str(rest);
        line
    }
}

/// What a record is about, in a few words, from its summary alone (the
/// subject, else the paths): for a record whose bytes do not parse.
fn summary_of(record: &Summary) -> String {
    if let Some(subject) = record.subject() {
        return subject.to_owned();
    }
    let Some(first) = &record.paths.first else { return String::new() };
    match record.paths.count {
        1 => first.display_path(),
        n => format!("{} and {} more", first.display_path(), n - 1),
    }
}

/// What a record is about, in a few words: a commit's subject, the paths a
/// save touched, why a commit was refused, which commits a rewrite replaced,
/// where a branch moved.
pub fn summary(record: &Record) -> String {
    let detail =
        |key: &str| -> Option<String> { record.detail.as_ref()?.get(key)?.as_str().map(one_line) };
    let paths = || match record.paths.as_slice() {
        [] => String::new(),
        [one] => one.display_path(),
        [first, rest @ ..] => format!("{} and {} more", first.display_path(), rest.len()),
    };
    let git_ref = record.git_ref.as_deref().map(short_ref).unwrap_or("HEAD");
    match record.kind.as_str() {
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => {
            record.subject().map(one_line).unwrap_or_else(paths)
        }
        kinds::COMMIT_BLOCKED => match detail("reason") {
            Some(reason) => format!("refused: {reason}"),
            None => format!("refused: {}", paths()),
        },
        kinds::HISTORY_REWRITE => {
            let op = detail("operation").unwrap_or_else(|| "rewrite".to_owned());
            let pairs = rewritten(record);
            match pairs.as_slice() {
                [] => format!("{op} on {git_ref}"),
                [(from, to)] => format!("{op}: {} -> {} on {git_ref}", short(from), short(to)),
                [(from, to), ..] => format!(
                    "{op}: {} commits on {git_ref} ({} -> {}, ...)",
                    pairs.len(),
                    short(from),
                    short(to)
                ),
            }
        }
        kinds::REF_UPDATE => {
            let op = detail("operation").unwrap_or_else(|| "update".to_owned());
            match (detail("from"), detail("to")) {
                (Some(from), Some(to)) => {
                    format!("{op}: {git_ref} {} -> {}", short(&from), short(&to))
                }
                (None, Some(to)) => format!("{op}: {git_ref} set to {}", short(&to)),
                (Some(from), None) => format!("{op}: {git_ref} from {}", short(&from)),
                (None, None) => format!("{op}: {git_ref}"),
            }
        }
        kinds::FS_OPERATION => {
            let op = detail("operation").unwrap_or_else(|| "git operation".to_owned());
            format!("{op}: {}", paths())
        }
        kinds::FS_RENAME => match record.paths.as_slice() {
            [one] => match one.display_from() {
                Some(from) => format!("{from} -> {}", one.display_path()),
                None => one.display_path(),
            },
            _ => paths(),
        },
        k if k.starts_with("fs.") || k == kinds::CHANGELOG_CREATED => paths(),
        kinds::AGENT_PROMPT | kinds::AGENT_EDIT => {
            let agent = record.detail.as_ref().and_then(|d| d.get("agent"));
            let field = |key: &str| agent.and_then(|a| a.get(key)).and_then(|v| v.as_str());
            let name = field("name").unwrap_or("agent");
            match record.kind.as_str() {
                kinds::AGENT_PROMPT => match &record.why {
                    Some(why) => format!("{name} prompt: {}", one_line(why)),
                    None => format!("{name} prompt (not kept)"),
                },
                _ => match field("tool") {
                    Some(tool) => format!("{name} {}: {}", one_line(tool), paths()),
                    None => format!("{name}: {}", paths()),
                },
            }
        }
        _ => one_line(&trail_export::message(record)),
    }
}

/// A history rewrite's (old, new) commit pairs.
pub fn rewritten(record: &Record) -> Vec<(String, String)> {
    let Some(pairs) =
        record.detail.as_ref().and_then(|d| d.get("rewritten")).and_then(|v| v.as_array())
    else {
        return Vec::new();
    };
    pairs
        .iter()
        .filter_map(|pair| {
            let from = pair.get("from")?.as_str()?;
            let to = pair.get("to")?.as_str()?;
            Some((from.to_owned(), to.to_owned()))
        })
        .collect()
}

/// `refs/heads/main` as `main`; other refs as they are.
fn short_ref(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// What a record is about in one line, for `trail show`: the kind's words
/// (the summary of `trail log`, with the kind in front where it says more).
pub fn summary_line(record: &Record) -> String {
    match record.kind.as_str() {
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => one_line(&trail_export::message(record)),
        _ => summary(record),
    }
}

/// Text from a record on one line: control characters (a newline in a
/// reason) become spaces.
fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.trim().to_owned()
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A `--commit` value as git reads a revision (`HEAD`, `main`, `v1.0`,
/// `HEAD~2`, an abbreviation): the full id of the commit it names. A hex
/// string git does not know is kept as it is, for the journal to match
/// against commits it recorded that are gone from git (rewritten, pruned).
pub fn resolve_commit(repo: &Repo, flag: &str, text: &str) -> Result<String, CommandError> {
    match repo.git.rev_parse_single(text) {
        Ok(id) => {
            let id = id.detach();
            match trail_git::peel_to_commit(&repo.git, id) {
                Ok(Some(commit)) => Ok(commit.to_string()),
                _ => Err(CommandError::usage(format!("{flag} {text}: {id} is not a commit"))),
            }
        }
        Err(_) if text.len() >= 4 && text.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(text.to_ascii_lowercase())
        }
        Err(_) => {
            Err(CommandError::usage(format!("{flag} {text}: git cannot resolve this revision"))
                .hint(
                    "give a commit id (or a unique abbreviation), a branch, a tag, HEAD or HEAD~N",
                ))
        }
    }
}

/// `--kind` values, each of which must name a kind or a family of kinds: a
/// typo would otherwise be an empty answer that looks like "no such records".
fn known_kinds(kinds: Vec<String>) -> Result<Vec<String>, CommandError> {
    let all = trail_journal::kinds::ALL;
    for kind in &kinds {
        if !all.iter().any(|k| trail_journal::query::kind_matches(kind, k)) {
            return Err(CommandError::usage(format!("no record kind matches --kind {kind}"))
                .hint(format!("the kinds are: {}", all.join(", ")))
                .hint("a family matches all of its kinds: --kind fs, --kind 'commit.*'"));
        }
    }
    Ok(kinds)
}

/// The repository's mailmap as the query's [`trail_journal::query::Identities`]
/// (none when it maps nothing).
fn mailmap(git: &trail_git::Repository) -> trail_journal::query::Identities {
    let Some(map) = trail_git::Mailmap::of(git) else {
        return trail_journal::query::Identities::default();
    };
    trail_journal::query::Identities(Some(std::sync::Arc::new(move |name: &str, email: &str| {
        map.resolve(name, email)
    })))
}
