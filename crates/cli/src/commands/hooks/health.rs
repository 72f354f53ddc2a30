//! Is trail still on the path git takes for each hook? A hook manager can
//! take a hook's place after `trail hooks install` (lefthook's re-sync when
//! `lefthook.yml` changes, `pre-commit install`, husky's `core.hooksPath`):
//! then trail is off for that hook, and must say so loudly at the next hook
//! git still runs it from, and in `trail doctor`.
//!
//! Cheap enough for every hook: the hooks dir from the config already read,
//! then a few small file reads per hook.

use trail_git::hooks::{HookFile, HookStatus, HooksDir, Manager, Route};

use super::{locate, rendered_shims, shims};
use crate::commands::hook::HookName;
use crate::context::Repo;
use crate::error::CommandError;

/// The hooks dir and the state of each of `hooks` in it.
pub fn inspect(
    repo: &Repo,
    hooks: &[HookName],
) -> Result<(HooksDir, Vec<HookStatus>), CommandError> {
    let dir = locate(repo)?;
    let rendered = rendered_shims(hooks);
    let statuses =
        trail_git::hooks::status(&dir, repo.location.workdir.as_deref(), &shims(&rendered))
            .map_err(|e| super::hooks_error(e, "status"))?;
    Ok((dir, statuses))
}

/// One client hook git runs without trail.
#[derive(Debug, Clone)]
pub struct Off {
    pub hook: &'static str,
    /// What runs instead, and why trail does not: one sentence.
    pub why: String,
}

impl std::fmt::Display for Off {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "trail's {} hook does not run: {}", self.hook, self.why)
    }
}

/// Why git does not get to trail for this hook, in words (`None` when it does).
pub fn why_off(dir: &HooksDir, status: &HookStatus) -> Option<String> {
    let name = &status.name;
    let why = match (&status.route, status.manager) {
        (route, _) if route.runs_trail() => return None,
        (Route::Displaced(stash), Some(manager)) => format!(
            "{manager} replaced it and moved trail's shim to {}, where {}",
            stash.display(),
            match manager {
                Manager::PreCommit => "it would run twice",
                _ => "nothing runs it",
            }
        ),
        (Route::Displaced(stash), None) => {
            format!("trail's shim was moved to {}, where nothing runs it", stash.display())
        }
        (_, Some(Manager::Husky)) => format!(
            "husky runs this repository's hooks ({}) and its {name} does not call `trail hook {name}`",
            dir.path.display()
        ),
        (_, Some(manager)) => format!(
            "{name} is {manager}'s, and neither it nor {manager}'s configuration runs `trail hook {name}`"
        ),
        (_, None) if status.file == HookFile::Missing => {
            format!("there is no {name} hook in {}", dir.path.display())
        }
        (_, None) => format!("{name} is not trail's and does not run `trail hook {name}`"),
    };
    Some(why)
}

/// The client hooks git runs without trail (every one of them when trail
/// is not installed at all).
pub fn off(repo: &Repo) -> Result<Vec<Off>, CommandError> {
    let (dir, statuses) = inspect(repo, &HookName::CLIENT)?;
    Ok(statuses
        .iter()
        .zip(HookName::CLIENT)
        .filter_map(|(status, hook)| {
            why_off(&dir, status).map(|why| Off { hook: hook.file_name(), why })
        })
        .collect())
}

/// Does git run `trail hook NAME` for `hook` in this repository? (post-commit
/// asks it of pre-push before it promises that trail refuses the push.)
pub fn runs_trail(repo: &Repo, hook: HookName) -> bool {
    inspect(repo, &[hook]).is_ok_and(|(_, s)| s.first().is_some_and(|s| s.route.runs_trail()))
}

/// Say loudly, on stderr, which of trail's client hooks git no longer runs,
/// with the command that puts them back. Meant to be called at the start of
/// every `trail hook NAME` of a client hook: the hooks that still run tell
/// about those that no longer do. Says nothing when all run (or when the
/// hooks dir cannot be read: the hook itself reports that).
pub fn warn_if_off(repo: &Repo, running: HookName) {
    let commit_hooks = [
        HookName::PreCommit,
        HookName::PrepareCommitMsg,
        HookName::CommitMsg,
        HookName::PostCommit,
    ];
    // Once per commit, said by the first of trail's hooks it runs: a later
    // commit hook behind a pre-commit that runs trail has nothing to say
    // (one hook file read instead of eleven, on every commit).
    if running != HookName::PreCommit
        && commit_hooks.contains(&running)
        && runs_trail(repo, HookName::PreCommit)
    {
        return;
    }
    let Ok(off) = off(repo) else { return };
    if off.is_empty() {
        return;
    }
    // Once per commit: the first of trail's hooks a `git commit` runs says it.
    // (prepare-commit-msg asks only when pre-commit did not run.)
    let first_running =
        HookName::CLIENT.iter().find(|h| !off.iter().any(|o| o.hook == h.file_name()));
    if commit_hooks.contains(&running) && first_running != Some(&running) {
        return;
    }
    for hook in &off {
        crate::output::say(format_args!("warning: {hook}"));
    }
    crate::output::say(format_args!(
        "warning: commits are not fully checked or recorded by trail until you run `trail hooks install` (or make your hook manager run `trail hook NAME`: `trail docs integrations`)"
    ));
}
