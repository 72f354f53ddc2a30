//! The argument tree. Each command's arguments live beside its code in `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;

/// trail keeps an append-only, tamper-evident journal of every change to a git
/// repository: who changed what, when (UTC), why, and with what impact.
///
/// Start with `trail init` in a repository, then `trail import` to backfill the
/// journal from its history. `trail log` and `trail show` answer questions;
/// `trail verify` proves the journal has not been altered.
#[derive(Debug, Parser)]
#[command(name = "trail", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Log more about what trail does (repeat for more); TRAIL_LOG=debug also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only errors and warnings, no progress or notes (RUST_LOG or
    /// TRAIL_LOG choose what the log shows).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Show times in the local time zone instead of UTC (tables only: the
    /// journal and every --json output keep UTC).
    #[arg(long, global = true)]
    pub local: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::InitArgs),
    Import(commands::import::ImportArgs),
    Log(commands::log::LogArgs),
    Show(commands::show::ShowArgs),
    Verify(commands::verify::VerifyArgs),
    Export(commands::export::ExportArgs),
    Reindex(commands::reindex::ReindexArgs),
    Status(commands::status::StatusArgs),
    Note(commands::note::NoteArgs),
    Commit(commands::commit::CommitArgs),
    #[command(hide = true)]
    Hook(commands::hook::HookArgs),
    Hooks(commands::hooks::HooksArgs),
    Changelog(commands::changelog::ChangelogArgs),
    Keygen(commands::keygen::KeygenArgs),
    Policy(commands::policy::PolicyArgs),
    Authorize(commands::authorize::AuthorizeArgs),
    Timeline(commands::timeline::TimelineArgs),
    Restore(commands::restore::RestoreArgs),
    Watch(commands::watch::WatchArgs),
    Daemon(commands::daemon::DaemonArgs),
    Sync(commands::sync::SyncArgs),
    Recover(commands::recover::RecoverArgs),
    Doctor(commands::doctor::DoctorArgs),
}
