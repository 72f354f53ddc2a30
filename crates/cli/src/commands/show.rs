//! `trail show`

use std::io::Write;

use clap::Args;
use trail_journal::{LogStore, Record, Resolved, query};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;

/// Show records in full.
///
/// ID is a record's seq number (e.g. 42), a commit id or a change id; a unique
/// abbreviation of a commit or change id is enough. A commit or change id shows
/// every record that names it.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A seq number, commit id or change id (abbreviations accepted).
    #[arg(value_name = "ID")]
    pub id: String,

    /// Print the canonical record(s) as JSON Lines instead.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ShowArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_indexed_store()?;
    let seqs = match query::resolve(&store, &args.id) {
        Ok(Resolved::Seq(seq)) => vec![seq],
        Ok(Resolved::Records { seqs, .. }) => seqs,
        Err(e @ query::ResolveError::Ambiguous { .. }) => {
            return Err(CommandError::usage(e.to_string()).hint("give more characters of the id"));
        }
        Err(e @ query::ResolveError::NotFound(_)) => {
            return Err(CommandError::usage(e.to_string())
                .hint("`trail log` lists records with their seq and commit"));
        }
        Err(query::ResolveError::Read(e)) => return Err(e.into()),
    };
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
