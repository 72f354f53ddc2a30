//! `trail reindex`

use std::time::Instant;

use clap::Args;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Rebuild the journal's indexes from its records.
///
/// The indexes (by path, time, commit, change id and token) are derived data:
/// rebuilding them never changes a record. Use it when `trail verify` reports
/// an index problem.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Print the outcome as one JSON object on stdout: records (how many
    /// were reindexed), seconds. Messages stay on stderr.
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
    if args.json {
        crate::output::print_json(&serde_json::json!({"records": count, "seconds": seconds}))?;
    }
    Ok(())
}
