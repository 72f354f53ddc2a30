//! `trail man`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use crate::cli::Cli;
use crate::error::CommandError;
use crate::output::{Out, say};

/// Print trail's manual page, or write a page for every command into a directory.
///
/// The pages are in roff, the format `man` reads, and hold the same text as
/// `--help`. Without --dir, the page for `trail` itself goes to standard
/// output: `trail man | man -l -` reads it. With --dir, every command and
/// subcommand gets its own page, named as git names its pages: trail.1,
/// trail-log.1, trail-sync-push.1, ... Written into a man1 directory that
/// `man` searches (~/.local/share/man/man1 on most Linux systems, when
/// ~/.local/bin is on your PATH), `man trail-log` then finds them.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail man | man -l -                            read the page for trail now
  trail man --dir ~/.local/share/man/man1         install every page; then `man trail-sync-push`")]
pub struct ManArgs {
    /// Write one page per command into DIR (created if missing), replacing
    /// pages of the same name, instead of printing the page for `trail`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> Result<(), CommandError> {
    match args.dir {
        None => {
            // Rendered in memory first, as `trail completions` does: one write,
            // and a closed pipe is a quiet exit.
            let mut page = Vec::new();
            page_of(command()).render(&mut page)?;
            let mut out = Out::new();
            out.write_all(&page)?;
            out.flush()?;
            Ok(())
        }
        Some(dir) => write_pages(&dir),
    }
}

fn write_pages(dir: &Path) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CommandError::environment(format!("cannot create the directory {}: {e}", dir.display()))
    })?;
    let mut root = command();
    root.build();
    let mut written = 0;
    write_tree(&root, dir, &mut written).map_err(|e| {
        CommandError::environment(format!("cannot write a page into {}: {e}", dir.display()))
    })?;
    say(format_args!("wrote {written} manual pages into {}", dir.display()));
    Ok(())
}

/// The tree the pages describe: `Cli`'s, without the `help` command, whose
/// page would only list the others (and which `trail.1` would name).
fn command() -> clap::Command {
    Cli::command().disable_help_subcommand(true)
}

/// The footer names trail and its version on every page (clap_mangen would
/// name the subcommand: "push 0.1.0").
fn page_of(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(concat!("trail ", env!("CARGO_PKG_VERSION")))
}

/// The page for `cmd`, then one for each of its subcommands, except hidden
/// ones (`trail hook`, which only git runs). A built command's subcommands
/// carry their full name (`trail-sync-push`), which names the file.
fn write_tree(cmd: &clap::Command, dir: &Path, written: &mut usize) -> std::io::Result<()> {
    page_of(cmd.clone()).generate_to(dir)?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_tree(sub, dir, written)?;
    }
    Ok(())
}
