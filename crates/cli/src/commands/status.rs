//! `trail status`

use std::io::Write;

use clap::Args;
use trail_journal::{LogStore, store::meta_keys};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;

/// Show where the journal is and what it holds.
///
/// Store location and id, number of records, the head hash (what the next
/// record will chain to), size on disk, the last checkpoint written to
/// refs/trail/journal (flagged when the journal does not hold the record it
/// signs: cut short, rolled back, rewritten or another store), and the
/// outcome of the last `trail verify`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print it as one JSON object (journal, store_id, records, head_hash,
    /// bytes_on_disk, checkpoint: seq, time and problem — null, or why the
    /// journal does not hold the record it signs —, last_verify, spooled:
    /// records waiting in .git/trail/pending/spool to be written, spool_damaged: spool files that
    /// cannot be read, missed_commits: commits made here whose post-commit did
    /// not finish).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    // Not open_store, which would drain the spool: status shows what waits.
    let store = repo.gateway().open()?;
    let head = store.head()?;
    let id = store.store_id()?;
    let checkpoint = crate::sync::last_checkpoint(&repo);
    // The journal against its newest checkpoint (one lookup): records
    // removed from the end, an older copy or another store put in its place.
    let disagrees = match &checkpoint {
        Some(c) => trail_sync::compare_with_tip(&store, &id, c)?,
        None => None,
    };
    // Records a hook could not write (a busy or damaged journal) wait here.
    let waiting = crate::pending::spool_waiting(&repo)?;
    let spooled = waiting.drafts.len() as u64;
    let damaged = waiting.damaged.len() as u64;
    // Commits made here whose post-commit did not finish.
    let missed = crate::records::missed_commits(&repo, &store);
    let mut out = Out::new();
    if args.json {
        let problem = disagrees.as_ref().map(ToString::to_string);
        let checkpoint = checkpoint
            .map(|c| serde_json::json!({"seq": c.seq, "time": c.time, "problem": problem}));
        let last = store
            .meta(meta_keys::LAST_VERIFY)?
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        let value = serde_json::json!({
            "journal": repo.store_path().display().to_string(),
            "store_id": id,
            "records": head.seq,
            "head_hash": head.hash,
            "bytes_on_disk": store.size_on_disk()?,
            "checkpoint": checkpoint,
            "last_verify": last,
            "spooled": spooled,
            "spool_damaged": damaged,
            "missed_commits": missed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        writeln!(out, "{value}")?;
        out.flush()?;
        return Ok(());
    }
    writeln!(out, "journal    {}", repo.store_path().display())?;
    writeln!(out, "store id   {id}")?;
    writeln!(out, "records    {}", head.seq)?;
    writeln!(out, "head hash  {}", head.hash)?;
    if let Some(bytes) = store.size_on_disk()? {
        writeln!(out, "on disk    {:.1} MiB", bytes as f64 / 1048576.0)?;
    }
    match checkpoint {
        Some(c) => writeln!(
            out,
            "checkpoint seq {} at {} ({}; `trail sync push` shares it)",
            c.seq,
            c.time,
            trail_sync::JOURNAL_REF
        )?,
        None => writeln!(out, "checkpoint none yet (the next commit writes one)")?,
    }
    if let Some(problem) = &disagrees {
        writeln!(out, "PROBLEM    {}", checkpoint_problem(problem))?;
    }
    if spooled > 0 {
        writeln!(
            out,
            "waiting    {} in {} (not in the journal yet: the next commit or the watcher writes them)",
            crate::output::plural(spooled, "record"),
            repo.location.trail_dir().join("pending").join("spool").display()
        )?;
    }
    if !missed.is_empty() {
        writeln!(
            out,
            "missed     {} made here not in the journal (post-commit did not finish; the next commit records {}, or `trail import`)",
            crate::output::plural(missed.len() as u64, "commit"),
            if missed.len() == 1 { "it" } else { "them" }
        )?;
    }
    if damaged > 0 {
        writeln!(
            out,
            "damaged    {} in {} cannot be read (they may hold records: look at them; `trail doctor` lists them)",
            crate::output::plural(damaged, "spool file"),
            repo.location.trail_dir().join("pending").join("spool").display()
        )?;
    }
    let last = store.meta(meta_keys::LAST_VERIFY)?;
    let last = last.and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    match last {
        None => writeln!(out, "verified   never (run `trail verify`)")?,
        Some(v) => {
            let time = v["time"].as_str().unwrap_or("?");
            let records = v["records"].as_u64().unwrap_or(0);
            if v["ok"].as_bool() == Some(true) {
                writeln!(
                    out,
                    "verified   {time}: ok, {}",
                    crate::output::plural(records, "record")
                )?;
            } else {
                let bad = v["first_bad_seq"]
                    .as_u64()
                    .map(|s| format!("first bad seq {s}"))
                    .unwrap_or_else(|| "index damage".into());
                writeln!(out, "verified   {time}: FAILED, {bad}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// What a disagreement with the newest checkpoint means, for the status line.
fn checkpoint_problem(problem: &trail_journal::Problem) -> String {
    use trail_journal::Problem;
    let next = "`trail verify` names it; `trail recover` rebuilds the journal from the checkpoints";
    match problem {
        Problem::BehindCheckpoint { head, checkpoint } => format!(
            "the journal (seq {head}) is behind its checkpoint (seq {checkpoint}): records were removed from its end, or an older copy of the store was put back; {next}"
        ),
        Problem::ForeignStore { chain, .. } => format!(
            "{} holds the checkpoints of store {chain}, not of this journal: another store was put in its place; {next}",
            trail_sync::JOURNAL_REF
        ),
        other => format!("{other}; {next}"),
    }
}
