//! `trail hooks install | uninstall | status`: put trail's hook shims into the
//! repository's hooks directory, take them out again, and say what is there.
//!
//! trail-git does the file work ([`trail_git::hooks`]); this module chooses
//! what to install (every [`HookName`], the shim text from `hooks/shim.sh`, the
//! changelog merge driver), prints what happened and maps failures to exit codes.

pub mod health;
pub mod install;
pub mod status;
pub mod uninstall;

use clap::{Args, Subcommand};
use trail_git::hooks::{HooksDir, HooksError, HooksOrigin, MergeDriver, Shim};

use crate::commands::hook::HookName;
use crate::context::Repo;
use crate::error::CommandError;

/// Install, remove or inspect the git hooks that let trail check, record and
/// document every commit.
///
/// `trail hooks install` writes a small shell script (a "shim") for each hook
/// trail uses into the directory git runs hooks from (`.git/hooks`, or
/// `core.hooksPath`). Each shim runs `trail hook NAME`, then the hook that was
/// there before, which is kept as `NAME.trail-chained`, so your existing hooks
/// keep working. `trail init` installs them too.
#[derive(Debug, Args)]
pub struct HooksArgs {
    #[command(subcommand)]
    pub command: HooksCommand,
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    Install(install::InstallArgs),
    Uninstall(uninstall::UninstallArgs),
    Status(status::StatusArgs),
}

pub fn run(args: HooksArgs) -> Result<(), CommandError> {
    match args.command {
        HooksCommand::Install(args) => install::run(args),
        HooksCommand::Uninstall(args) => uninstall::run(args),
        HooksCommand::Status(args) => status::run(args),
    }
}

/// The shim template; `@HOOK@` stands for the hook's name.
const SHIM_TEMPLATE: &str = include_str!("../../../../../hooks/shim.sh");

/// The changelog merge driver (`trail changelog merge`), selected for every
/// `CHANGELOG.md` by a line in `$GIT_COMMON_DIR/info/attributes`.
pub const MERGE_DRIVER: MergeDriver<'static> = MergeDriver {
    id: "trail",
    name: "trail: union of CHANGELOG.md entries",
    driver: "trail changelog merge %O %A %B %P",
    pattern: "CHANGELOG.md",
};

/// The block `trail hooks install` writes first in husky's `.husky/NAME`
/// (husky runs that file with `sh -e`, with git's arguments and stdin).
pub fn render_block(hook: HookName) -> String {
    let name = hook.file_name();
    let head = format!(
        "{}1 — `trail hooks install` wrote this; `trail hooks uninstall` removes it\n",
        trail_git::hooks::BLOCK_BEGIN
    );
    let end = trail_git::hooks::BLOCK_END;
    match hook {
        // git feeds these on stdin: trail reads a copy, the rest of the file the same.
        HookName::PrePush | HookName::PostRewrite => format!(
            "{head}trail_input=$(mktemp \"${{TMPDIR:-/tmp}}/trail-{name}.XXXXXX\") || exit 1\n\
             cat >\"$trail_input\" || exit 1\n\
             trail hook {name} \"$@\" <\"$trail_input\" || {{ trail_status=$?; rm -f \"$trail_input\"; exit $trail_status; }}\n\
             exec <\"$trail_input\"\n\
             rm -f \"$trail_input\"\n\
             {end}\n"
        ),
        _ => format!("{head}trail hook {name} \"$@\" || exit $?\n{end}\n"),
    }
}

/// `$GIT_COMMON_DIR/hooks`: where git runs hooks when nothing sets
/// `core.hooksPath` (with husky, trail's fallback once husky is gone).
pub fn default_dir(repo: &Repo) -> HooksDir {
    HooksDir {
        path: repo.location.common_dir.join("hooks"),
        origin: HooksOrigin::Default,
        bare: repo.location.workdir.is_none(),
        inside_worktree: None,
    }
}

/// The shim text for one hook.
pub fn render_shim(hook: HookName) -> String {
    SHIM_TEMPLATE.replace("@HOOK@", hook.file_name())
}

/// The name and shim of each of `hooks`, rendered.
pub fn rendered_shims(hooks: &[HookName]) -> Vec<(&'static str, String)> {
    hooks.iter().map(|hook| (hook.file_name(), render_shim(*hook))).collect()
}

/// The hooks a repository gets: the client set, plus reference-transaction
/// when the policy committed at HEAD sets `[protect] strict = true`.
pub fn client_hooks(repo: &Repo) -> Vec<HookName> {
    let mut hooks = HookName::CLIENT.to_vec();
    let head = repo.git.head_id().ok().map(|id| id.detach());
    if crate::protect::policy_named(&repo.git, head, "HEAD")
        .is_ok_and(|(policy, _)| policy.strict())
    {
        hooks.push(HookName::ReferenceTransaction);
    }
    hooks
}

/// Borrow [`rendered_shims`] as trail-git wants them.
pub fn shims<'a>(rendered: &'a [(&'static str, String)]) -> Vec<Shim<'a>> {
    rendered.iter().map(|(name, content)| Shim { name, content }).collect()
}

/// Find the hooks directory of the repository.
pub fn locate(repo: &Repo) -> Result<HooksDir, CommandError> {
    trail_git::hooks::hooks_dir(&repo.location, &repo.git).map_err(|e| hooks_error(e, "install"))
}

/// Where the hooks dir comes from, in words.
pub fn describe_origin(dir: &HooksDir) -> String {
    match &dir.origin {
        HooksOrigin::Default => "git's default, shared by all worktrees".to_owned(),
        HooksOrigin::HooksPath { value, scope, file } => {
            let file = file.as_ref().map(|f| format!(" in {}", f.display())).unwrap_or_default();
            format!("core.hooksPath = {value} from the {scope} config{file}")
        }
    }
}

/// Map a trail-git hooks error to a message, hints and an exit code. `verb`
/// is the command (`install`, `uninstall`), for the `--force` hint.
pub fn hooks_error(e: HooksError, verb: &str) -> CommandError {
    match e {
        HooksError::BadHooksPath(_) => CommandError::usage(e.to_string()).hint(
            "fix core.hooksPath (`git config --show-origin core.hooksPath` shows where it is set)",
        ),
        HooksError::SharedHooksPath { ref dir, .. } => {
            let dir = dir.display().to_string();
            CommandError::refused(e.to_string())
                .hint(format!("`trail hooks {verb} --force` changes {dir} anyway, for every repository that uses it"))
                .hint("or give this repository its own hooks directory first: `git config --local core.hooksPath .git/hooks` (your global hooks then no longer run here)")
        }
        HooksError::ChainedCollision { ref hook, ref chained } => {
            let (hook, chained) = (hook.display().to_string(), chained.display().to_string());
            CommandError::refused(e.to_string())
                .hint(format!("trail keeps the hook it replaces as {chained}; look at both, keep the one you want there, move the other away, and run this again"))
                .hint(format!("nothing was changed: {hook} still runs as before"))
        }
        HooksError::NotAFile { .. } => CommandError::environment(e.to_string())
            .hint("move it away; git cannot run a directory as a hook either"),
        HooksError::Io { ref path, .. }
            if e.io_kind() == Some(std::io::ErrorKind::PermissionDenied) =>
        {
            let path = path.display().to_string();
            CommandError::environment(e.to_string()).hint(format!(
                "the hooks directory must be writable by you: check `ls -ld {path}` and its owner"
            ))
        }
        HooksError::Io { .. } | HooksError::Config { .. } => {
            CommandError::environment(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shim_carries_the_marker_trail_git_recognises() {
        for (name, shim) in rendered_shims(&HookName::all().collect::<Vec<_>>()) {
            assert!(shim.starts_with("#!/bin/sh\n"), "{name}: not a sh script");
            assert!(
                shim.lines().take(5).any(|l| l.starts_with(trail_git::hooks::SHIM_MARKER)),
                "{name}: no marker line"
            );
            assert!(!shim.contains("@HOOK@"), "{name}: placeholder left in the shim");
            assert!(shim.contains(&format!("hook={name}\n")), "{name}: wrong hook name");
        }
    }
}
