//! commit-msg: glue around [`trail_hooks::messages::commit_msg`], which adds
//! the `Change-Id:`, `Why:` and `Impact:` trailers pre-commit decided on and
//! the `Trail-Authorization:` trailer of an authorized protected change.

use std::ffi::OsString;
use std::path::PathBuf;

use super::HookContext;
use crate::error::CommandError;

pub fn run(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage("commit-msg: git passes the message file; none was given"));
    };
    let ctx = HookContext::new(super::HookName::CommitMsg)?;
    Ok(ctx.with_hook(|hook| trail_hooks::messages::commit_msg(hook, &PathBuf::from(file)))??)
}
