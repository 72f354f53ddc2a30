//! `trail commit`

use std::ffi::OsString;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::Command;

use clap::Args;

use crate::commands::hook::one_line;
use crate::error::{CommandError, Exit};

/// Commit with a rationale: `git commit`, with the why and impact trail records.
///
/// Runs `git commit` with your message and any git options after `--`; trail's
/// hooks then write the CHANGELOG.md entries and the journal record using the
/// why and impact given here. On a terminal, trail asks for what is missing;
/// otherwise the command passes straight through to git (and the hooks refuse a
/// commit without a why when trail.toml requires one).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail commit -m \"Fix login\" --why \"users with + in their email could not log in\" --impact \"auth only\"
  trail commit --why \"typo in the docs\" -- -a --amend")]
pub struct CommitArgs {
    /// The commit message (as `git commit -m`).
    #[arg(short, long, value_name = "MSG")]
    pub message: Option<String>,
    /// Why the change is made: the problem it solves.
    #[arg(long, value_name = "TEXT")]
    pub why: Option<String>,
    /// What the change affects: users, modules, data, compatibility.
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
    /// An authorization token (from `trail authorize`) for changes to
    /// protected paths: MCP server configurations and trail.toml.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Options and paths passed to `git commit` unchanged (after `--`).
    #[arg(last = true, value_name = "GIT-COMMIT-ARGS")]
    pub git_args: Vec<OsString>,
}

pub fn run(args: CommitArgs) -> Result<(), CommandError> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut why = args.why.as_deref().and_then(one_line);
    let mut impact = args.impact.as_deref().and_then(one_line);
    let from_env = |name: &str| std::env::var(name).ok().and_then(|v| one_line(&v));
    if interactive && why.is_none() && from_env("TRAIL_WHY").is_none() {
        why = ask("Why is this change needed (the problem it solves)? ")?;
    }
    if interactive && impact.is_none() && from_env("TRAIL_IMPACT").is_none() {
        impact = ask("What does it affect (users, modules, data)? ")?;
    }
    let mut git = Command::new("git");
    git.arg("commit");
    if let Some(message) = &args.message {
        git.arg("-m").arg(message);
    }
    git.args(&args.git_args);
    if let Some(why) = &why {
        git.env("TRAIL_WHY", why);
    }
    if let Some(impact) = &impact {
        git.env("TRAIL_IMPACT", impact);
    }
    if let Some(token) = &args.token {
        git.env("TRAIL_TOKEN", token.trim());
    }
    if args.git_args.iter().any(|a| a == "--amend") {
        git.env("TRAIL_AMEND", "1");
    }
    let status = git.status().map_err(|e| {
        CommandError::environment(format!("cannot run `git commit`: {e}"))
            .hint("is git installed and on PATH?")
    })?;
    if status.success() {
        return Ok(());
    }
    // git (or a hook) has already said why.
    Err(CommandError::new(Exit::Refused, "git commit did not complete (see above)"))
}

fn ask(question: &str) -> Result<Option<String>, CommandError> {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(question.as_bytes());
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CommandError::environment(format!("cannot read the answer: {e}")))?;
    Ok(one_line(&line))
}
