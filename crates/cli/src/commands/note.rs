//! `trail note`

use clap::Args;

use crate::commands::hook::one_line;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;
use crate::pending::{Note, Pending};
use trail_journal::Timestamp;

/// Leave the rationale for your next commit in this worktree.
///
/// trail asks every commit why it was made and what it affects (the `Why:` and
/// `Impact:` of its CHANGELOG.md entries and journal record). A note given here
/// is used by the next commit that has no `--why` of its own (from
/// `trail commit` or the TRAIL_WHY / TRAIL_IMPACT variables), then dropped.
/// `--token` keeps an authorization token for the next commit's changes to
/// protected paths (`trail docs protection`). Without options, shows the note waiting.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail note --why \"a + in an email breaks login\" --impact \"auth only\"
  trail note                                     show the note waiting
  trail note --clear                             drop it")]
pub struct NoteArgs {
    /// Why the change is being made: the problem it solves.
    #[arg(long, value_name = "TEXT")]
    pub why: Option<String>,
    /// What the change affects: users, modules, data, compatibility.
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
    /// An authorization token (from `trail authorize`) for the next commit's
    /// changes to protected paths (MCP server configurations, trail.toml).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Drop the waiting note.
    #[arg(long, conflicts_with_all = ["why", "impact", "token"])]
    pub clear: bool,
    /// Print the note waiting afterwards (after --why/--impact/--token or
    /// --clear, or as it is) as one JSON object on stdout: waiting, time,
    /// why, impact (null when absent) and token (whether one is kept; the
    /// token itself is not printed).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: NoteArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let pending = Pending::new(&repo.location);
    let json = args.json;
    act(args, &pending)?;
    if json {
        let note = pending.note()?;
        crate::output::print_json(&serde_json::json!({
            "waiting": note.is_some(),
            "time": note.as_ref().map(|n| n.time.as_str()),
            "why": note.as_ref().and_then(|n| n.why.as_deref()),
            "impact": note.as_ref().and_then(|n| n.impact.as_deref()),
            "token": note.as_ref().is_some_and(|n| n.token.is_some()),
        }))?;
    }
    Ok(())
}

fn act(args: NoteArgs, pending: &Pending) -> Result<(), CommandError> {
    if args.clear {
        match pending.clear_note()? {
            true => say("dropped the note for the next commit"),
            false => say("there was no note waiting"),
        }
        return Ok(());
    }
    if args.why.is_none() && args.impact.is_none() && args.token.is_none() {
        if args.json {
            return Ok(());
        }
        match pending.note()? {
            None => say("no note is waiting; `trail note --why TEXT --impact TEXT` leaves one"),
            Some(note) => {
                say(format_args!("note left at {} for the next commit:", note.time));
                say(format_args!("  Why: {}", note.why.as_deref().unwrap_or("(none)")));
                say(format_args!("  Impact: {}", note.impact.as_deref().unwrap_or("(none)")));
                if note.token.is_some() {
                    say("  and an authorization token for protected paths");
                }
            }
        }
        return Ok(());
    }
    let why = args
        .why
        .as_deref()
        .map(|w| one_line(w).ok_or_else(|| CommandError::usage("--why is empty")))
        .transpose()?;
    let impact = args
        .impact
        .as_deref()
        .map(|i| one_line(i).ok_or_else(|| CommandError::usage("--impact is empty")))
        .transpose()?;
    let token = args
        .token
        .as_deref()
        .map(|t| {
            let t = t.trim();
            trail_policy::Token::parse(t).map(|_| t.to_owned()).map_err(|e| {
                CommandError::usage(format!("--token is not a trail token: {e}")).hint(
                    "pass the whole token `trail authorize` printed: trail1.<payload>.<signature>",
                )
            })
        })
        .transpose()?;
    // Giving only some keeps the others from an earlier note.
    let earlier = pending.note()?.unwrap_or_default();
    let note = Note {
        why: why.or(earlier.why),
        impact: impact.or(earlier.impact),
        token: token.or(earlier.token),
        time: Timestamp::now().to_rfc3339(),
    };
    pending.set_note(&note)?;
    say(
        "kept for the next commit in this worktree (`trail note` shows it, `trail note --clear` drops it)",
    );
    Ok(())
}
