//! The one exit-code table and the mapping of every library error onto it.
//! docs/exit-codes.md documents the same table for users.

use std::process::ExitCode;

use trail_journal::{AppendError, OpenError, ReadError};

/// Exit codes. Never renumber one: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// A check failed or trail refused: `verify` found damage or tampering, a record is damaged.
    Refused = 1,
    /// The command line or a configuration file is wrong.
    Usage = 2,
    /// The environment is not right: not a git repository, no journal yet, the
    /// journal is held by another process, a file cannot be read or written.
    Environment = 3,
}

/// A failure on its way to the user: what went wrong, what to do, and the exit code.
#[derive(Debug)]
pub struct CommandError {
    pub exit: Exit,
    pub message: String,
    pub hints: Vec<String>,
    /// A closed output pipe: not an error, exit quietly with success.
    pub quiet: bool,
}

impl CommandError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CommandError { exit, message: message.into(), hints: Vec::new(), quiet: false }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(Exit::Environment, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(Exit::Refused, message)
    }

    pub fn report(self) -> ExitCode {
        if self.quiet {
            return ExitCode::SUCCESS;
        }
        let colour = crate::output::colour(false);
        let error = crate::output::paint("error:", "1;31", colour);
        crate::output::to_stderr(format_args!("trail: {error} {}\n", self.message));
        let hint = crate::output::paint("hint:", "33", colour);
        for text in &self.hints {
            crate::output::to_stderr(format_args!("  {hint} {text}\n"));
        }
        ExitCode::from(self.exit as u8)
    }
}

impl From<trail_hooks::HookError> for CommandError {
    fn from(e: trail_hooks::HookError) -> Self {
        let exit = match e.failure {
            trail_hooks::Failure::Refused => Exit::Refused,
            trail_hooks::Failure::Usage => Exit::Usage,
            trail_hooks::Failure::Environment => Exit::Environment,
        };
        let mut error = CommandError::new(exit, e.message);
        error.hints = e.hints;
        error
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // `trail log | head`: the reader has all it wanted (ripgrep does the same).
            let mut quiet = CommandError::environment("output closed");
            quiet.quiet = true;
            return quiet;
        }
        CommandError::environment(format!("I/O error: {e}"))
    }
}

impl From<OpenError> for CommandError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::NotInitialized { path } => CommandError::environment(format!(
                "this repository has no trail journal yet (looked in {})",
                path.display()
            ))
            .hint("run `trail init` to create it, then `trail import` to backfill history")
            .hint("if it existed before, `trail recover` rebuilds it from its checkpoints (refs/trail/journal, or --from REMOTE)"),
            OpenError::Locked { path, waited } => CommandError::environment(format!(
                "the journal at {} is in use by another trail process (waited {:.1} s)",
                path.display(),
                waited.as_secs_f64()
            ))
            .hint("wait for the other command (an import or verify?) to finish, then retry"),
            OpenError::Damaged { .. } | OpenError::Lost { .. } => {
                CommandError::refused(e.to_string())
                    .hint("`trail recover` rebuilds the journal from its signed checkpoints (refs/trail/journal, or --from REMOTE), adds what the damaged store still holds after them, and keeps the damaged store aside")
            }
            e @ OpenError::Format { .. } => CommandError::environment(e.to_string())
                .hint("use the trail version that wrote this journal, or a newer one"),
            e @ OpenError::Io { .. } => CommandError::environment(e.to_string()),
            OpenError::DiskFull { ref path, .. } => {
                let hint = format!(
                    "free space on the filesystem that holds {} (`df -h {}` shows it), then run the command again: sled writes a snapshot of the journal when it opens it",
                    path.display(),
                    path.display()
                );
                CommandError::environment(e.to_string())
                    .hint(hint)
                    .hint("the journal is not damaged and was left as it was: `trail recover` is not needed")
            }
            OpenError::Permission { path, denied, access, owner, source: _ } => {
                let me = rustix::process::geteuid().as_raw();
                let whose = owner.map_or(String::new(), |o| {
                    format!(" (owned by {}, mode {:04o})", user(o.uid), o.mode)
                });
                // A file inside the store: the whole store wants the same owner.
                let target = if denied.starts_with(&path) { &path } else { &denied };
                let fix = match owner {
                    Some(o) if o.uid != me => format!(
                        "run trail as {}, who owns it, or give {} the journal: `chown -R {} {}`",
                        user(o.uid),
                        user(me),
                        user_name(me).unwrap_or_else(|| me.to_string()),
                        target.display()
                    ),
                    _ => format!("give its owner access again: `chmod -R u+rwX {}`", target.display()),
                };
                CommandError::environment(format!(
                    "cannot open the journal at {}: permission denied: {} may not {access} {}{whose}",
                    path.display(),
                    user(me),
                    denied.display()
                ))
                .hint(fix)
                .hint("the journal is not damaged: `trail recover` is not the fix (it refuses a journal it cannot read)")
            }
            e @ OpenError::RecoverUnfinished { .. } => CommandError::environment(e.to_string())
                .hint("unless a `trail recover` is running now, run `trail recover` again: it finishes putting the rebuilt journal in place (the old one is kept aside)"),
        }
    }
}

/// "uid 1000 (ada)": a user as `id` names them.
fn user(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("uid {uid} ({name})"),
        None => format!("uid {uid}"),
    }
}

/// The login name of `uid` in /etc/passwd (a message only: no NSS lookup).
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_owned())
    })
}

impl From<ReadError> for CommandError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Damaged { .. } | ReadError::Meta(_) => CommandError::refused(e.to_string())
                .hint("run `trail verify` to see what else is damaged"),
            ReadError::StaleIndex { .. } => CommandError::refused(e.to_string()).hint(
                "run `trail verify`, then `trail reindex` to rebuild the indexes from the records",
            ),
            ReadError::Storage(_) => CommandError::environment(e.to_string()),
            ReadError::Remote(_) => CommandError::environment(e.to_string())
                .hint("the watcher owns the journal: `trail daemon status`, and its log, say more"),
        }
    }
}

impl From<AppendError> for CommandError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Conflict { .. } => CommandError::environment(e.to_string())
                .hint("another trail process is writing; retry"),
            AppendError::Encode(_) => CommandError::usage(e.to_string()),
            AppendError::Invalid(_) => CommandError::environment(e.to_string())
                .hint("nothing of this batch was written; a record trail made itself is a bug: please report it"),
            AppendError::Head(read) => read.into(),
            AppendError::Storage(_) => CommandError::environment(e.to_string())
                .hint("nothing of this batch was recorded; check free disk space and retry"),
            AppendError::Flush(_) => CommandError::environment(e.to_string()).hint(
                "the records may or may not survive a crash; run `trail verify`, check free disk space",
            ),
            AppendError::Remote(_) => CommandError::environment(e.to_string()).hint(
                "the watcher owns the journal: `trail daemon status`, and its log, say more",
            ),
        }
    }
}

impl From<trail_git::DiscoverError> for CommandError {
    fn from(e: trail_git::DiscoverError) -> Self {
        CommandError::environment(e.to_string())
            .hint("run trail inside a git repository: `cd` into one, or make one with `git init` (GIT_DIR also works)")
    }
}

impl From<trail_git::HistoryError> for CommandError {
    fn from(e: trail_git::HistoryError) -> Self {
        match e {
            trail_git::HistoryError::BadRevision { ref spec, .. } => {
                let hint = format!("`git log -1 {spec}` shows what git makes of it");
                CommandError::usage(e.to_string()).hint(hint)
            }
            trail_git::HistoryError::UnsupportedRevision { .. }
            | trail_git::HistoryError::NoCommits => CommandError::usage(e.to_string()),
            _ => CommandError::environment(e.to_string()),
        }
    }
}
