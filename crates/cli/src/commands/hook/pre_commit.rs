//! pre-commit: glue around [`trail_hooks::pre_commit`], which checks the
//! rationale and the protection policy, allocates the change id and stages
//! the CHANGELOG.md entries (DESIGN §4). Here: the hook's environment in,
//! notices printed, a refusal's `commit.blocked` record delivered.

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreCommit)?;
    let mut notices = Vec::new();
    let index_path = ctx.index_path();
    let result =
        ctx.with_hook(|hook| trail_hooks::pre_commit::run(hook, index_path, &mut notices))?;
    for notice in notices {
        say(notice);
    }
    match result {
        Ok(_) => Ok(()),
        Err(refused) => {
            if let Some(mut blocked) = refused.blocked {
                // The refusal stands even when the journal cannot be written.
                blocked.actor = Some(super::local_actor(&ctx.repo.git));
                if let Err(e) = crate::pending::append_or_spool(&ctx.repo, vec![*blocked], None) {
                    say(format_args!("could not record the refusal in the journal: {}", e.message));
                }
            }
            Err(refused.error.into())
        }
    }
}
