//! The commit flow behind git's hooks, as a library: the CLI's `trail hook
//! NAME` commands are glue around it (DESIGN §4).
//!
//! - [`pending`]: what a commit leaves for its next hook (`pending/*.json`);
//! - [`deferred`]: post-commit run after the commit, from a marker anyone may claim;
//! - [`invocation`]: which `git` process runs the hook and what it was asked;
//! - [`message`]: commit messages — trailers, emptiness, where a rationale
//!   given on the command line is read from;
//! - [`rationale`]: where a commit's why and impact come from, in order;
//! - [`changelogs`]: the CHANGELOG.md edits a commit stages, and putting them
//!   into the real index when git committed a temporary one;
//! - [`records`]: the journal records a commit and a ref movement become;
//! - [`protect`]: the protection check of DESIGN §6 over a list of changes;
//! - [`judge`]: that check over history, as pre-push, post-commit and the
//!   server hooks run it (tokens, single use, the server's ledger);
//! - [`gate`]: the hooks that judge ref updates (pre-receive, update,
//!   pre-push, the strict reference-transaction).
//!
//! Nothing here prints: a step returns what the person should be told as
//! [`Notices`], and failures as a [`HookError`] whose [`Failure`] the CLI
//! maps onto its exit codes.

pub mod changelogs;
pub mod deferred;
#[cfg(test)]
mod fixture;
pub mod gate;
pub mod hook;
pub mod invocation;
pub mod judge;
pub mod message;
pub mod messages;
pub mod pending;
pub mod post_commit;
pub mod pre_commit;
pub mod protect;
pub mod rationale;
pub mod records;
pub mod refs;
pub mod trailers;

/// What kind of failure a hook step met; the CLI maps it to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// trail refuses the commit (no rationale, a malformed changelog, …).
    Refused,
    /// A configuration or command line is wrong.
    Usage,
    /// The environment is not right: a file cannot be read or written.
    Environment,
}

/// A hook step's failure: what went wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct HookError {
    pub failure: Failure,
    pub message: String,
    pub hints: Vec<String>,
}

impl HookError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        HookError { failure, message: message.into(), hints: Vec::new() }
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(Failure::Refused, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Failure::Usage, message)
    }

    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(Failure::Environment, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl From<trail_git::StagedError> for HookError {
    fn from(e: trail_git::StagedError) -> Self {
        HookError::environment(e.to_string())
    }
}

/// What a step wants the person committing to read, in order (the CLI prints
/// each line with its `trail:` prefix).
pub type Notices = Vec<String>;
