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

/// A page: clap_mangen's sections, then EXIT STATUS, ENVIRONMENT and SEE
/// ALSO, which it has no notion of, before VERSION.
struct Page(clap_mangen::Man, clap::Command);

/// The footer names trail and its version on every page (clap_mangen would
/// name the subcommand: "push 0.1.0").
fn page_of(cmd: clap::Command) -> Page {
    let man =
        clap_mangen::Man::new(cmd.clone()).source(concat!("trail ", env!("CARGO_PKG_VERSION")));
    Page(man, cmd)
}

impl Page {
    fn render(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let Page(man, cmd) = self;
        man.render_title(w)?;
        man.render_name_section(w)?;
        man.render_synopsis_section(w)?;
        man.render_description_section(w)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(w)?;
        }
        if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(w)?;
        }
        if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
            man.render_extra_section(w)?;
        }
        w.write_all(exit_status().as_bytes())?;
        w.write_all(environment().as_bytes())?;
        w.write_all(see_also().as_bytes())?;
        if cmd.get_version().is_some() || cmd.get_long_version().is_some() {
            man.render_version_section(w)?;
        }
        Ok(())
    }

    fn generate_to(&self, dir: &Path) -> std::io::Result<()> {
        let mut file = std::fs::File::create(dir.join(self.0.get_filename()))?;
        self.render(&mut file)?;
        file.flush()
    }
}

/// Text as roff prints it: backslashes escaped, hyphens as hyphens, and no
/// line that starts with a control character.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|l| if l.starts_with(['.', '\'']) { format!("\\&{l}") } else { l.to_owned() })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section of `.TP` entries: a bold tag, then its text.
fn section(title: &str, intro: &str, entries: &[(String, String)]) -> String {
    let mut out = format!(".SH \"{title}\"\n{}\n", roff_text(intro));
    for (tag, text) in entries {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_text(tag), roff_text(text)));
    }
    out
}

/// EXIT STATUS: the table of docs/exit-codes.md (`trail docs exit-codes`),
/// read from the page as built, so that the two never disagree.
fn exit_status() -> String {
    let page = include_str!("../../../../docs/exit-codes.md");
    let entries: Vec<(String, String)> = page
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> =
                line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').collect();
            let [code, meaning] = cells.as_slice() else { return None };
            let code = code.trim();
            code.parse::<u8>().ok()?;
            Some((code.to_owned(), meaning.trim().replace('`', "")))
        })
        .collect();
    section(
        "EXIT STATUS",
        "The numbers never change meaning; `trail docs exit-codes` lists the situations behind each.",
        &entries,
    )
}

/// The variables trail reads (its own, git's it honours, the terminal's).
pub(crate) const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "TRAIL_WHY, TRAIL_IMPACT",
        "The rationale of the next commit (its Why: and Impact:), read by the git hooks and `trail commit` when no --why/--impact or `trail note` gives it.",
    ),
    (
        "TRAIL_TOKEN",
        "An authorization token for the next commit's changes to protected paths (as `trail note --token` keeps one).",
    ),
    ("TRAIL_AMEND", "Set to 1 by `trail commit --amend`: tells the hooks the commit is an amend."),
    (
        "TRAIL_LOG, RUST_LOG",
        "What the log shows (e.g. debug, or trail=debug,sled=warn); TRAIL_LOG wins over RUST_LOG, which wins over -v and -q.",
    ),
    (
        "TRAIL_PAGER, PAGER",
        "The pager of long output, as git chooses one: TRAIL_PAGER, then git's core.pager, then PAGER, then less (with LESS=FRX unless LESS is set). Empty or cat: no pager.",
    ),
    (
        "NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM",
        "Colour: NO_COLOR (not empty) or CLICOLOR=0 or TERM=dumb turn it off, CLICOLOR_FORCE (not 0) turns it on; --color wins over them.",
    ),
    ("COLUMNS", "The width tables fit when the terminal does not say."),
    (
        "GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES",
        "Which repository trail works in, as for git.",
    ),
    (
        "XDG_CONFIG_HOME, HOME",
        "Where `trail keygen` keeps keys ($XDG_CONFIG_HOME/trail/keys, else ~/.config/trail/keys).",
    ),
    (
        "USER, LOGNAME",
        "The name `trail keygen` puts on a new key and the hooks record as the local user.",
    ),
    (
        "JOURNAL_STREAM",
        "Set by systemd when a service's output goes to its journal: a watcher whose standard error is that stream (the unit of `trail daemon unit`) says so in `trail daemon status`; its messages are in the journal, not in .git/trail/daemon.log.",
    ),
    (
        "TRAIL_DAEMON_LOG",
        "Set by `trail daemon start` for the watcher it starts: the log its output goes to (dated, rotated at 5 MiB to daemon.log.1).",
    ),
];

fn environment() -> String {
    let entries: Vec<(String, String)> =
        ENVIRONMENT.iter().map(|(name, what)| ((*name).to_owned(), (*what).to_owned())).collect();
    section("ENVIRONMENT", "trail reads these variables:", &entries)
}

fn see_also() -> String {
    let topics: Vec<&str> = crate::commands::docs::PAGES.iter().map(|(t, _)| *t).collect();
    format!(
        ".SH \"SEE ALSO\"\n{}\n",
        roff_text(&format!(
            "git(1), trail(1). `trail docs TOPIC` prints trail's documentation; the topics are {}.",
            topics.join(", ")
        ))
    )
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
