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
/// refs/trail/journal, and the outcome of the last `trail verify`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print it as one JSON object (journal, store_id, records, head_hash,
    /// bytes_on_disk, checkpoint, last_verify, spooled: records waiting in
    /// .git/trail/pending/spool to be written).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let store = repo.open_store()?;
    let head = store.head()?;
    let id = store.store_id()?;
    let checkpoint = crate::sync::last_checkpoint(&repo);
    // Records a hook could not write (a busy or damaged journal) wait here.
    let spooled = crate::pending::spooled_drafts(&repo)?.len() as u64;
    let mut out = Out::new();
    if args.json {
        let checkpoint = checkpoint.map(|c| serde_json::json!({"seq": c.seq, "time": c.time}));
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
    if spooled > 0 {
        writeln!(
            out,
            "waiting    {} in {} (not in the journal yet: the next commit or the watcher writes them)",
            crate::output::plural(spooled, "record"),
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
