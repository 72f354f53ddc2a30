//! `trail verify`

use std::io::Write;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, to_stderr};

/// Prove the journal intact (exit 1 naming the first bad record if not).
///
/// Recomputes every record's hash and every link of the chain, checks that
/// each record is in canonical form, that no acknowledged record is missing,
/// and that the indexes agree with the records. Then it compares the journal
/// with the signed checkpoints on refs/trail/journal in this repository (the
/// same store, and at every checkpoint the record it signs), which names
/// records removed from the end, an older copy of the store put back,
/// another store put in its place and a rewrite, at the first seq that
/// differs; and it checks that no single-use token authorized two commits.
/// Exits 0 when all is well, 1 naming the first bad seq when anything is
/// wrong.
///
/// With --all-clones it verifies the checkpoint chains this repository holds
/// instead of the local store: every clone's journal under
/// refs/trail/clones/ (as `trail sync pull` or a plain `git fetch` left
/// them) and this clone's own refs/trail/journal. That needs no journal of
/// its own, so a CI checkout can run it.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail verify                        the local journal, record by record
  trail verify --against origin       ... and against the checkpoints origin holds
  git fetch origin 'refs/trail/*:refs/trail/*' && trail verify --all-clones
                                      in CI: every journal pushed to origin")]
pub struct VerifyArgs {
    /// Print nothing when the journal is intact (the global -q/--quiet).
    #[arg(skip)]
    pub quiet: bool,

    /// Also compare with the checkpoints REMOTE holds for this store (pushed
    /// by `trail sync push`): the local journal must contain every record
    /// they sign. A rewrite of the local journal, even one that recomputed
    /// every hash, is reported with the first seq where the two disagree.
    #[arg(long, value_name = "REMOTE", conflicts_with = "all_clones")]
    pub against: Option<std::ffi::OsString>,

    /// Verify every journal's checkpoint chain held in this repository
    /// (refs/trail/clones/*, and refs/trail/journal) instead of the local
    /// store: signatures, hashes, and continuity from seq 1. One line per
    /// journal; exit 1 naming those that fail. Works without a journal of
    /// its own (fetch the chains first: `trail sync pull`, or
    /// `git fetch origin 'refs/trail/*:refs/trail/*'`); with none to verify
    /// it says so, even with -q, and exits 0.
    #[arg(long)]
    pub all_clones: bool,

    /// Print the outcome as one JSON object: ok, records, head_seq,
    /// head_hash, first_bad_seq, checkpointed_seq (the last seq the
    /// checkpoints on refs/trail/journal cover; null without any), seconds,
    /// findings (seq, problem). The exit code is the same. With --all-clones, one object per journal (JSON Lines): ok,
    /// store, ref, own, records, head_seq, head_hash, commits, key,
    /// last_checkpoint_time, first_bad_seq, problem.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: VerifyArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    if args.all_clones {
        return all_clones(&repo, &args);
    }
    let store = repo.open_store()?;
    let local = verify_local(&repo, &args, &store);
    let Some(remote) = args.against else { return local };
    let against = against(&repo, &store, &remote, args.quiet || crate::output::quiet());
    match (local, against) {
        (Ok(()), result) => result,
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(other)) => {
            crate::output::say(format_args!("error: {}", other.message));
            Err(e)
        }
    }
}

/// `--against REMOTE`: fetch the chain REMOTE holds for this store, verify
/// it, and compare it record by record with the local journal.
fn against(
    repo: &Repo,
    store: &crate::context::Store,
    remote: &std::ffi::OsStr,
    quiet: bool,
) -> Result<(), CommandError> {
    let id = store.store_id()?;
    let remote_name = remote.to_string_lossy().into_owned();
    let target = format!("refs/trail/against/{id}");
    if let Ok(Some(old)) = trail_sync::tip_of(&repo.git, &target) {
        let _ = trail_sync::move_ref(&repo.git, &target, None, Some(old));
    }
    let wanted = format!("{}{id}", trail_sync::CLONES_PREFIX);
    crate::commands::sync::check_remote(repo, remote)?;
    let listed = std::process::Command::new("git")
        .args(["ls-remote".as_ref(), remote, wanted.as_ref() as &std::ffi::OsStr])
        .current_dir(&repo.cwd)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            CommandError::environment(format!("cannot run git: {e}"))
                .hint("is git installed and on PATH?")
        })?;
    if !listed.status.success() {
        return Err(CommandError::environment(format!(
            "cannot reach {remote_name}: {}",
            String::from_utf8_lossy(&listed.stderr).trim()
        ))
        .hint("check the remote's name or URL (`git remote -v` lists this repository's) and that you can reach it (`git ls-remote REMOTE`)"));
    }
    if listed.stdout.is_empty() {
        return Err(CommandError::refused(format!(
            "{remote_name} holds no checkpoints of this store ({id}): there is nothing to compare with"
        ))
        .hint("`trail sync push` puts them there"));
    }
    let refspec = format!("+{wanted}:{target}");
    crate::commands::sync::fetch(repo, remote, &refspec).map_err(|e| {
        CommandError::refused(format!(
            "cannot compare with {remote_name}: {} (does it hold checkpoints of store {id}?)",
            e.message
        ))
        .hint("`trail sync push` puts this clone's checkpoints there")
    })?;
    let Some(tip) = trail_sync::tip_of(&repo.git, &target).map_err(crate::sync::chain_error)?
    else {
        return Err(CommandError::refused(format!(
            "{remote_name} holds no checkpoints of store {id}"
        ))
        .hint("`trail sync push` puts them there"));
    };
    let key = crate::sync::load_key(repo)?.map(|k| k.public().to_line());
    let head = store.head()?;
    // Compare while the remote chain is verified; report after, so a broken
    // remote chain is said first.
    let mut local = store.scan_raw(1..=u64::MAX, false);
    let mut first_difference: Option<u64> = None;
    let mut missing_from: Option<u64> = None;
    let mut read_error = None;
    let verified = trail_sync::verify_chain(&repo.git, tip, &id, None, |seq, bytes| {
        if first_difference.is_some() || missing_from.is_some() || read_error.is_some() {
            return;
        }
        match local.next() {
            Some(Ok((at, ours))) if at == seq && ours == bytes => {}
            Some(Ok(_)) => first_difference = Some(seq),
            Some(Err(e)) => read_error = Some(e),
            None => missing_from = Some(seq),
        }
    });
    let _ = trail_sync::move_ref(&repo.git, &target, None, Some(tip));
    let verified = verified.map_err(|e| {
        CommandError::refused(format!(
            "the checkpoints {remote_name} holds for store {id} do not verify: {e}"
        ))
        .hint(
            "the remote's copy is damaged or was tampered with; the local journal was not compared",
        )
    })?;
    if let Some(key) = key
        && key != verified.key
    {
        return Err(CommandError::refused(format!(
            "the checkpoints {remote_name} holds for store {id} are signed by {}, not by this store's key {key}",
            verified.key
        )));
    }
    if let Some(e) = read_error {
        return Err(e.into());
    }
    if let Some(seq) = first_difference {
        return Err(CommandError::refused(format!(
            "the local journal disagrees with the checkpoints on {remote_name} from seq {seq} on: the records there were changed after {remote_name} received them"
        ))
        .hint(format!("`trail show {seq}` shows the local record; `trail recover --from {remote_name}` rebuilds the journal from the remote's checkpoints")));
    }
    if let Some(seq) = missing_from {
        return Err(CommandError::refused(format!(
            "the local journal ends at seq {}, but {remote_name} holds checkpointed records up to seq {}: records {seq} and after are missing locally",
            head.seq, verified.head.seq
        ))
        .hint(format!("`trail recover --from {remote_name}` brings them back")));
    }
    if !quiet {
        println!(
            "ok: the local journal contains every record {remote_name} holds for store {id} (up to seq {}, {}); local head seq {}",
            verified.head.seq,
            crate::output::plural(verified.commits as u64, "checkpoint commit"),
            head.seq
        );
    }
    Ok(())
}

fn verify_local(
    repo: &Repo,
    args: &VerifyArgs,
    store: &crate::context::Store,
) -> Result<(), CommandError> {
    let started = Instant::now();
    let checked = crate::sync::verify_store(repo, store)?;
    let elapsed = started.elapsed();
    let report = &checked.report;
    if args.json {
        let findings: Vec<serde_json::Value> = report
            .findings
            .iter()
            .map(|f| json!({"seq": f.seq, "problem": f.problem.to_string()}))
            .collect();
        let mut out = Out::new();
        writeln!(
            out,
            "{}",
            json!({
                "ok": report.ok(),
                "records": report.records,
                "head_seq": report.head.seq,
                "head_hash": report.head.hash,
                "first_bad_seq": report.first_bad_seq(),
                "checkpointed_seq": checked.compared.tip.map(|_| checked.compared.seq),
                "seconds": elapsed.as_secs_f64(),
                "findings": findings,
            })
        )?;
        out.flush()?;
        if report.ok() {
            return Ok(());
        }
        return Err(crate::sync::not_intact(report));
    }
    if report.ok() {
        if !(args.quiet || crate::output::quiet()) {
            let rate = report.records as f64 / elapsed.as_secs_f64().max(1e-9);
            let compared = match checked.compared.tip {
                Some(_) => format!(
                    "; it holds every record the signed checkpoints on {} hold (up to seq {})",
                    trail_sync::JOURNAL_REF,
                    checked.compared.seq
                ),
                None => String::new(),
            };
            let mut out = Out::new();
            writeln!(
                out,
                "ok: {} verified in {:.3} s ({:.0} records/s); head seq {} hash {}{compared}",
                crate::output::plural(report.records, "record"),
                elapsed.as_secs_f64(),
                rate,
                report.head.seq,
                report.head.hash
            )?;
            out.flush()?;
        }
        return Ok(());
    }
    crate::sync::print_findings(report);
    Err(crate::sync::not_intact(report))
}

/// One journal `--all-clones` verified, and how it went.
struct Journal {
    store: String,
    reference: String,
    own: bool,
    outcome: Result<trail_sync::Verified, crate::commands::sync::Unverified>,
}

/// `--all-clones`: every chain under refs/trail/clones/, and this clone's
/// refs/trail/journal, verified from its first checkpoint. The local store is
/// not opened: a CI checkout has none, and `trail verify` alone checks it.
fn all_clones(repo: &Repo, args: &VerifyArgs) -> Result<(), CommandError> {
    use trail_sync::{CLONES_PREFIX, JOURNAL_REF};
    let quiet = args.quiet || crate::output::quiet();
    let mut journals: Vec<Journal> = Vec::new();
    if let Some(tip) =
        trail_sync::tip_of(&repo.git, JOURNAL_REF).map_err(crate::sync::chain_error)?
    {
        journals.push(own_journal(repo, tip)?);
    }
    let clones = trail_sync::refs_below(&repo.git, CLONES_PREFIX)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    for (id, tip) in clones {
        journals.push(Journal {
            outcome: crate::commands::sync::verify_journal(repo, &id, tip, None),
            reference: format!("{CLONES_PREFIX}{id}"),
            store: id,
            own: false,
        });
    }
    if journals.is_empty() {
        crate::output::say(format_args!(
            "warning: nothing to verify: this repository holds no trail journals ({JOURNAL_REF} and {CLONES_PREFIX}* do not exist)"
        ));
        to_stderr(format_args!(
            "  hint: fetch them first: `trail sync pull` (verifies them as it imports them) or `git fetch origin 'refs/trail/*:refs/trail/*'`; a remote holds them once a clone ran `trail sync push`\n"
        ));
        return Ok(());
    }
    let mut out = Out::new();
    for journal in &journals {
        if args.json {
            writeln!(out, "{}", journal_json(journal))?;
        } else if !quiet || journal.outcome.is_err() {
            writeln!(out, "{}", journal_line(journal))?;
        }
    }
    out.flush()?;
    let failed: Vec<&Journal> = journals.iter().filter(|j| j.outcome.is_err()).collect();
    if failed.is_empty() {
        if !quiet && !args.json {
            crate::output::say(format_args!(
                "{} verified",
                if journals.len() == 1 {
                    "the journal".to_owned()
                } else {
                    format!("all {}", crate::output::plural(journals.len() as u64, "journal"))
                }
            ));
        }
        return Ok(());
    }
    let named: Vec<String> =
        failed.iter().map(|j| format!("store {} ({})", j.store, j.reference)).collect();
    Err(CommandError::refused(format!(
        "{} of {} journals failed verification: {}",
        failed.len(),
        journals.len(),
        named.join(", ")
    ))
    .hint("a chain that fails was damaged or tampered with after it was pushed: ask the clone's owner to `trail verify --against REMOTE`, or the remote's administrator what happened")
    .hint("`trail sync pull` refuses such a chain and keeps what it verified before"))
}

/// This clone's refs/trail/journal: a chain of the store its statements
/// name, which must be signed by this store's key when the key is here.
fn own_journal(repo: &Repo, tip: trail_git::ObjectId) -> Result<Journal, CommandError> {
    let reference = trail_sync::JOURNAL_REF.to_owned();
    let link = match trail_sync::read_link(&repo.git, tip) {
        Ok(link) => link,
        Err(e) => {
            return Ok(Journal {
                store: String::new(),
                reference,
                own: true,
                outcome: Err(e.into()),
            });
        }
    };
    let store = link.checkpoint.store;
    let mut outcome = crate::commands::sync::verify_journal(repo, &store, tip, None);
    // A chain consistent in itself but re-signed by another key is not this
    // store's (the key file may be gone on a CI checkout: then the chain's
    // own key is all there is to go by, as for any other clone's).
    if let (Ok(verified), Some(key)) = (&outcome, crate::sync::load_key(repo)?) {
        let key = key.public().to_line();
        if verified.key != key {
            outcome = Err(crate::commands::sync::Unverified {
                problem: format!(
                    "its checkpoints are signed by {}, not by this store's key {key}",
                    verified.key
                ),
                seq: None,
            });
        }
    }
    Ok(Journal { store, reference, own: true, outcome })
}

fn journal_line(journal: &Journal) -> String {
    let whose = if journal.own { ", this clone" } else { "" };
    let store = if journal.store.is_empty() { "?" } else { journal.store.as_str() };
    match &journal.outcome {
        Ok(v) => format!(
            "ok: store {store} ({}{whose}): {} up to seq {}, {}",
            journal.reference,
            crate::output::plural(v.records, "record"),
            v.head.seq,
            crate::output::plural(v.commits as u64, "checkpoint commit")
        ),
        Err(e) => format!("FAILED: store {store} ({}{whose}): {}", journal.reference, e.problem),
    }
}

fn journal_json(journal: &Journal) -> serde_json::Value {
    let store = (!journal.store.is_empty()).then_some(journal.store.as_str());
    match &journal.outcome {
        Ok(v) => json!({
            "ok": true,
            "store": store,
            "ref": journal.reference,
            "own": journal.own,
            "records": v.records,
            "head_seq": v.head.seq,
            "head_hash": v.head.hash,
            "commits": v.commits,
            "key": v.key,
            "last_checkpoint_time": v.last.as_ref().map(|c| c.time.as_str()),
            "first_bad_seq": null,
            "problem": null,
        }),
        Err(e) => json!({
            "ok": false,
            "store": store,
            "ref": journal.reference,
            "own": journal.own,
            "records": null,
            "head_seq": null,
            "head_hash": null,
            "commits": null,
            "key": null,
            "last_checkpoint_time": null,
            "first_bad_seq": e.seq,
            "problem": e.problem,
        }),
    }
}
