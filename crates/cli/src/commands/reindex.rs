//! `trail reindex`

use std::time::Instant;

use clap::Args;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Rebuild the journal's indexes from its records.
///
/// The indexes (by path, time, commit, change id, token and draft id) are
/// derived data: rebuilding them never changes a record. Use it when `trail
/// verify` reports an index problem and nothing else. The journal is verified
/// afterwards, as by `trail verify`: a rebuild repairs indexes, never
/// records, so when anything else is wrong (a rewrite, records missing
/// against the checkpoints, a single-use token used twice) the findings are
/// printed and it exits 1 — a reindex never turns a finding into "ok".
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Print the outcome as one JSON object on stdout: records (how many
    /// were reindexed), seconds, intact (what the verification afterwards
    /// found) and first_bad_seq. Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ReindexArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_store()?;
    let started = Instant::now();
    let count = store.reindex()?;
    let seconds = started.elapsed().as_secs_f64();
    say(format_args!("reindexed {count} records in {seconds:.2} s"));
    let checked = crate::sync::verify_store(&repo, &store)?;
    let report = &checked.report;
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "records": count,
            "seconds": seconds,
            "intact": report.ok(),
            "first_bad_seq": report.first_bad_seq(),
        }))?;
    }
    if report.ok() {
        return Ok(());
    }
    crate::sync::print_findings(report);
    let which = match report.first_bad_seq() {
        Some(seq) => format!("first bad record is seq {seq}"),
        None => "see the findings above".to_owned(),
    };
    let mut refused = CommandError::refused(format!(
        "the indexes were rebuilt, but the journal is NOT intact ({which}): rebuilding indexes repairs no record"
    ));
    refused.hints = crate::sync::not_intact(report).hints;
    Err(refused)
}
