//! `trail log`

use std::io::Write;
use std::ops::ControlFlow;

use clap::Args;
use trail_journal::query::Summary;
use trail_journal::{Query, query};

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
  trail log -f --format ecs                   new records as ECS, as they come")]
pub struct LogArgs {
    /// Only records touching this file, or anything below this directory
    /// (relative to the current directory). A trailing / means directory only.
    #[arg(long, value_name = "PATH")]
    pub path: Vec<std::ffi::OsString>,

    /// Only records at or after this time: RFC 3339, a date, or "2 days ago".
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only records at or before this time (same forms as --since; a bare
    /// date includes that whole day).
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

    /// Only records of this commit (a full id or an abbreviation).
    #[arg(long, value_name = "COMMIT")]
    pub commit: Option<String>,

    /// Only records of this change id (or an abbreviation).
    #[arg(long, value_name = "ID")]
    pub change: Option<String>,

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
    let query = Query {
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
        commit: args.commit,
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
    if args.all_clones {
        // An auditor's bare clone may keep no journal of its own.
        let store = match repo.store_path().join("conf").exists() {
            true => Some(repo.open_indexed_store()?),
            false => None,
        };
        return all_clones(&repo, store.as_ref(), &query, args.json);
    }
    use crate::follow::{LogFormat, Printer};
    let printer = Printer::new(args.format.unwrap_or(match args.json {
        true => LogFormat::Json,
        false => LogFormat::Table,
    }));
    if args.follow {
        return crate::follow::log(&repo, &query, &printer, &header(), row);
    }
    let store = repo.open_indexed_store()?;
    let mut out = Out::new();
    let mut failure: Option<CommandError> = None;
    printer.header(&mut out, &header())?;
    query::run(&store, &query, |record, bytes| {
        match printer.record(&mut out, &record, &bytes, row) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    out.flush()?;
    Ok(())
}

/// `--all-clones`: this journal's matches and the pulled clones', newest
/// first (or oldest first), each with the store it comes from.
fn all_clones(
    repo: &Repo,
    store: Option<&crate::context::Store>,
    query: &Query,
    json: bool,
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
    rows.sort_by(|a, b| (a.1.time, &a.0, a.1.seq).cmp(&(b.1.time, &b.0, b.1.seq)));
    if !query.reverse {
        rows.reverse();
    }
    rows.truncate(query.limit.unwrap_or(usize::MAX));
    let mut out = Out::new();
    let width = crate::output::table_width();
    if !json {
        writeln!(out, "{}", crate::output::fit(&format!("{:<9}  {}", "STORE", header()), width))?;
    }
    for (id, record, bytes) in rows {
        if json {
            out.write_all(b"{\"record\":")?;
            out.write_all(&bytes)?;
            writeln!(out, ",\"store\":\"{id}\"}}")?;
        } else {
            let short: String = id.chars().take(8).collect();
            let mine = if id == own { "*" } else { "" };
            let line = format!("{:<9}  {}", format!("{short}{mine}"), row(&record));
            writeln!(out, "{}", crate::output::fit(&line, width))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn header() -> String {
    format!(
        "{:>7}  {:<19}  {:<17}  {:<18}  {:<10}  {}",
        "SEQ",
        crate::output::time_heading(),
        "KIND",
        "WHO",
        "COMMIT",
        "SUMMARY"
    )
}

/// One line of the table.
pub fn row(record: &Summary) -> String {
    let time = crate::output::display_time(&record.time);
    let who = record.actor.as_ref().map(|a| a.name.as_str()).unwrap_or("");
    let commit: String = record.commit.as_deref().unwrap_or("").chars().take(10).collect();
    format!(
        "{:>7}  {:<19}  {:<17}  {:<18}  {:<10}  {}",
        record.seq,
        time,
        record.kind,
        truncate(who, 18),
        commit,
        summary(record)
    )
}

/// What a record is about, in a few words: the subject, else the paths.
pub fn summary(record: &Summary) -> String {
    if let Some(subject) = record.subject() {
        return subject.to_owned();
    }
    let Some(first) = &record.paths.first else { return String::new() };
    match record.paths.count {
        1 => first.display_path(),
        n => format!("{} and {} more", first.display_path(), n - 1),
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
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
