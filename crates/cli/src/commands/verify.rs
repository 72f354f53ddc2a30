//! `trail verify`

use std::io::Write;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use trail_journal::{LogStore, Timestamp, store::meta_keys};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, to_stderr};

/// Prove the journal intact (exit 1 naming the first bad record if not).
///
/// Recomputes every record's hash and every link of the chain, checks that
/// each record is in canonical form, that no acknowledged record is missing,
/// and that the indexes agree with the records. Exits 0 when all is well, 1
/// naming the first bad seq when anything is wrong.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print nothing when the journal is intact.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: VerifyArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_store()?;
    let started = Instant::now();
    let report = trail_journal::verify(&store)?;
    let elapsed = started.elapsed();
    let outcome = json!({
        "time": Timestamp::now().to_rfc3339(),
        "ok": report.ok(),
        "records": report.records,
        "head_seq": report.head.seq,
        "first_bad_seq": report.first_bad_seq(),
    });
    // Remembering the outcome is a convenience for `trail status`; failing to is not fatal.
    if let Err(e) = store.set_meta(meta_keys::LAST_VERIFY, outcome.to_string().as_bytes()) {
        tracing::warn!("could not remember the verify outcome: {e}");
    }
    if report.ok() {
        if !args.quiet {
            let rate = report.records as f64 / elapsed.as_secs_f64().max(1e-9);
            let mut out = Out::new();
            writeln!(
                out,
                "ok: {} records verified in {:.3} s ({:.0} records/s); head seq {} hash {}",
                report.records,
                elapsed.as_secs_f64(),
                rate,
                report.head.seq,
                report.head.hash
            )?;
            out.flush()?;
        }
        return Ok(());
    }
    for finding in &report.findings {
        match finding.seq {
            Some(seq) => to_stderr(format_args!("seq {seq}: {}\n", finding.problem)),
            None => to_stderr(format_args!("store: {}\n", finding.problem)),
        }
    }
    let only_indexes =
        report.findings.iter().all(|f| matches!(f.problem, trail_journal::Problem::Index { .. }));
    let error = match report.first_bad_seq() {
        Some(seq) => CommandError::refused(format!(
            "the journal is NOT intact: first bad record is seq {seq}"
        ))
        .hint("the records from that seq on cannot be trusted; compare with a copy made by `trail export`"),
        None if only_indexes => {
            CommandError::refused("the journal's records are intact but its indexes are not")
                .hint("run `trail reindex` to rebuild the indexes from the records")
        }
        None => CommandError::refused("the journal's store is damaged (see the findings above)")
            .hint("compare with a copy made by `trail export`"),
    };
    Err(error)
}
