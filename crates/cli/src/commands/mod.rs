//! One file per command; `run` dispatches.

pub mod agent;
pub mod authorize;
pub mod changelog;
pub mod commit;
pub mod completions;
pub mod daemon;
pub mod docs;
pub mod doctor;
pub mod export;
pub mod hook;
pub mod hooks;
pub mod import;
pub mod init;
pub mod keygen;
pub mod log;
pub mod man;
pub mod note;
pub mod policy;
pub mod recover;
pub mod reindex;
pub mod restore;
pub mod show;
pub mod status;
pub mod sync;
pub mod timeline;
pub mod verify;
pub mod watch;

use crate::cli::Command;
use crate::error::CommandError;

pub fn run(command: Command) -> Result<(), CommandError> {
    match command {
        Command::Init(args) => init::run(args),
        Command::Sync(args) => sync::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Recover(args) => recover::run(args),
        Command::Import(args) => import::run(args),
        Command::Log(args) => log::run(args),
        Command::Show(args) => show::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Export(args) => export::run(args),
        Command::Reindex(args) => reindex::run(args),
        Command::Status(args) => status::run(args),
        Command::Note(args) => note::run(args),
        Command::Commit(args) => commit::run(args),
        Command::Hook(args) => hook::run(args),
        Command::Drain => hook::post_commit::drain(),
        Command::Hooks(args) => hooks::run(args),
        Command::Changelog(args) => changelog::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Policy(args) => policy::run(args),
        Command::Authorize(args) => authorize::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::Restore(args) => restore::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Daemon(args) => daemon::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Docs(args) => docs::run(args),
        Command::Agent(args) => agent::run(args),
    }
}
