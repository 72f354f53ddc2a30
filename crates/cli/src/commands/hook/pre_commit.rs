//! pre-commit: glue around [`trail_hooks::pre_commit`], which checks the
//! rationale and the protection policy, allocates the change id and stages
//! the CHANGELOG.md entries (DESIGN §4). Here: the hook's environment in,
//! notices printed, a refusal's `commit.blocked` record delivered.

use super::HookContext;
use crate::error::CommandError;
use crate::output::say;

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreCommit)?;
    let invocation = super::GitInvocation::current();
    let env = trail_hooks::hook::HookEnv::from_process();
    let exclusions = ctx
        .config
        .changelog
        .exclusions()
        .map_err(|e| CommandError::usage(format!("trail.toml: [changelog] exclude: {e}")))?;
    let excluded = |dir: &[u8]| exclusions.is_excluded(dir);
    let settings = ctx.settings(&excluded);
    let site = ctx.repo.site();
    let hook = ctx.hook(&site, invocation.as_ref(), &env, &settings);
    let mut notices = Vec::new();
    let result = trail_hooks::pre_commit::run(&hook, ctx.index_path(), &mut notices);
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
