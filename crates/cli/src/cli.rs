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

    /// When to colour the output: auto (on a terminal, unless NO_COLOR is
    /// set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never.
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        default_value = "auto",
        hide_possible_values = true,
        hide_default_value = true
    )]
    pub color: crate::output::ColorChoice,

    /// Do not send `log`, `show` and `timeline` output through a pager. By
    /// default, on a terminal, it goes to TRAIL_PAGER, else git's core.pager,
    /// else PAGER, else `less -FRX`; an empty value or `cat` means none.
    #[arg(short = 'P', long, global = true)]
    pub no_pager: bool,

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
    /// Append the records hooks handed over (post-commit starts this in the
    /// background).
    #[command(hide = true)]
    Drain,
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
    Completions(commands::completions::CompletionsArgs),
    Man(commands::man::ManArgs),
    Docs(commands::docs::DocsArgs),
    Agent(commands::agent::AgentArgs),
}

/// The argument tree as a user meets it: `Cli`'s, without hidden commands
/// and options (`trail hook`, which only git's hooks run; `import --batch`, a
/// tuning knob). Completion scripts are made from this tree.
///
/// clap_complete 4.6 offers hidden commands and options on Tab like any
/// other, and clap cannot remove anything from a `Command`, so the tree is
/// rebuilt from what completions use: names, texts, visible aliases,
/// arguments, groups and whether a subcommand is required. Settings that only
/// shape `--help` are not carried over; the man pages and `--help` come from
/// `Cli` itself.
pub fn visible_command() -> clap::Command {
    use clap::CommandFactory;
    let full = Cli::command();
    visible(&full).version(env!("CARGO_PKG_VERSION")).propagate_version(true)
}

fn visible(cmd: &clap::Command) -> clap::Command {
    let args: Vec<&clap::Arg> = cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    let groups: Vec<clap::ArgGroup> = cmd
        .get_groups()
        .map(|group| {
            // A group naming a removed argument would fail clap's checks.
            let members =
                group.get_args().filter(|id| args.iter().any(|a| a.get_id() == *id)).cloned();
            clap::ArgGroup::new(group.get_id().clone())
                .args(members)
                // `is_multiple` takes `&mut self`.
                .multiple(group.clone().is_multiple())
                .required(group.is_required_set())
        })
        .collect();
    let mut out = clap::Command::new(cmd.get_name().to_owned())
        .visible_aliases(cmd.get_visible_aliases().map(str::to_owned))
        .subcommand_required(cmd.is_subcommand_required_set())
        .args(args.into_iter().cloned())
        .groups(groups)
        .subcommands(cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(visible));
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(long_about) = cmd.get_long_about() {
        out = out.long_about(long_about.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every visible command and option of `Cli` is in `visible_command()`,
    /// with the same texts, and nothing hidden is.
    #[test]
    fn visible_command_keeps_all_but_the_hidden() {
        fn compare(full: &clap::Command, visible: &clap::Command, path: &str) {
            assert_eq!(
                full.get_about().map(ToString::to_string),
                visible.get_about().map(ToString::to_string),
                "{path}"
            );
            assert_eq!(
                full.get_long_about().map(ToString::to_string),
                visible.get_long_about().map(ToString::to_string),
                "{path}"
            );
            let args = |c: &clap::Command, hidden: bool| -> Vec<String> {
                c.get_arguments()
                    .filter(|a| a.is_hide_set() == hidden)
                    .map(|a| a.get_id().to_string())
                    .collect()
            };
            assert_eq!(args(full, false), args(visible, false), "{path}");
            assert_eq!(args(visible, true), Vec::<String>::new(), "{path}");
            let names = |c: &clap::Command| -> Vec<String> {
                c.get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| s.get_name().to_owned())
                    .collect()
            };
            assert_eq!(names(full), names(visible), "{path}");
            assert_eq!(visible.get_subcommands().count(), names(visible).len(), "{path}");
            for sub in visible.get_subcommands() {
                let name = sub.get_name();
                let full_sub = full.find_subcommand(name).expect("compared above");
                compare(full_sub, sub, &format!("{path} {name}"));
            }
        }
        let visible = visible_command();
        visible.clone().debug_assert();
        compare(&Cli::command(), &visible, "trail");
        assert!(visible.find_subcommand("hook").is_none());
    }
}
