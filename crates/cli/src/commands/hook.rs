//! `trail hook NAME [ARGS…]`: the work behind each git hook shim.

use std::ffi::OsString;

use clap::{Args, ValueEnum};

use crate::error::CommandError;

/// Run the work of one git hook. The shims `trail hooks install` writes call
/// this; you do not need to run it yourself.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// Which hook git is running.
    #[arg(value_enum)]
    pub name: HookName,
    /// The arguments git passed to the hook, unchanged.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookName {
    PreCommit,
    CommitMsg,
    PostCommit,
    PostRewrite,
    PostMerge,
    PostCheckout,
    PrePush,
}

impl HookName {
    /// Every hook trail installs a shim for.
    pub const ALL: [HookName; 7] = [
        HookName::PreCommit,
        HookName::CommitMsg,
        HookName::PostCommit,
        HookName::PostRewrite,
        HookName::PostMerge,
        HookName::PostCheckout,
        HookName::PrePush,
    ];

    /// The file name git looks for.
    pub fn file_name(self) -> &'static str {
        match self {
            HookName::PreCommit => "pre-commit",
            HookName::CommitMsg => "commit-msg",
            HookName::PostCommit => "post-commit",
            HookName::PostRewrite => "post-rewrite",
            HookName::PostMerge => "post-merge",
            HookName::PostCheckout => "post-checkout",
            HookName::PrePush => "pre-push",
        }
    }
}

pub fn run(args: HookArgs) -> Result<(), CommandError> {
    // The hook work arrives in the following commits; until then a hook passes.
    tracing::debug!(hook = args.name.file_name(), "hook ran");
    Ok(())
}
