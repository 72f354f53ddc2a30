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
pub struct ReindexArgs {}

pub fn run(_args: ReindexArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_store()?;
    let started = Instant::now();
    let count = store.reindex()?;
    say(format_args!("reindexed {count} records in {:.2} s", started.elapsed().as_secs_f64()));
    Ok(())
}
