//! `trail hooks install`

use clap::Args;
use trail_git::hooks::{Installed, Setting};

use super::{MERGE_DRIVER, describe_origin, hooks_error, locate, rendered_shims, shims};
use crate::commands::hook::HookName;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Install trail's git hooks in this repository (running it again changes nothing).
///
/// Writes one shim per hook (pre-commit, commit-msg, post-commit, post-rewrite,
/// post-merge, post-checkout, pre-push) into the directory git runs hooks from:
/// `core.hooksPath` when the repository sets it, else `.git/hooks` (shared by all
/// linked worktrees). A hook already there is renamed to `NAME.trail-chained`
/// and runs after trail, with the same arguments and input; if either fails, the
/// git command fails. `trail hooks uninstall` puts it back.
///
/// Beside a hook manager: the pre-commit framework's script stays in place
/// and trail's shim becomes `NAME.legacy`, which that script runs first; a
/// hook whose manager already runs `trail hook NAME` (lefthook.yml,
/// .pre-commit-config.yaml) is left alone; with husky (core.hooksPath
/// .husky/_) trail's call goes first into each `.husky/NAME` instead, marked
/// so that uninstall removes exactly it. A trail shim a manager moved aside
/// (`NAME.old`, `NAME.legacy`) is removed. See `trail docs integrations`.
///
/// Also registers the CHANGELOG.md merge driver in this repository only: the
/// keys `merge.trail.name` and `merge.trail.driver` in `.git/config`, and the
/// line `CHANGELOG.md merge=trail` in `.git/info/attributes`.
///
/// A `core.hooksPath` set in your global or system git config is shared by every
/// repository; trail refuses to install there (exit 1) unless `--force`. In a
/// bare repository no client hooks are installed.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Install even into a hooks directory set by a global, system or environment
    /// `core.hooksPath` (it changes the hooks of every repository using it), and
    /// replace `merge.trail.*` keys that hold other values.
    #[arg(long)]
    pub force: bool,

    /// Install the server-side hooks (pre-receive and update) instead, in the
    /// repository people push to (usually bare): they refuse every pushed
    /// commit that changes a protected path (MCP server configurations,
    /// trail.toml) without a valid `Trail-Authorization:` trailer, judged
    /// against the policy at the tip of the server's default branch, and refuse
    /// rewrites and deletions of the default branch and of `[protect]
    /// branches`. Sets `receive.denyNonFastForwards` and
    /// `receive.denyDeletes` where they are not set. Also adds
    /// `records.jsonl -delta` to its info/attributes, so that fetching the
    /// journals pushed there (`trail sync pull`) does not make git search
    /// for deltas between their segments.
    #[arg(long)]
    pub server: bool,

    /// Print what was done as one JSON object on stdout: hooks_dir, origin
    /// (where the directory comes from, in words), server, hooks (one
    /// {name, action} each, action being "installed", "unchanged",
    /// "updated", "chained", "legacy" (the pre-commit framework runs it)
    /// or "delegated" (a hook manager already runs `trail hook NAME`) and
    /// merge_driver_changed. Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InstallArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let report = if args.server {
        install_server(&repo, args.force)?
    } else {
        HooksPlan::check(&repo, args.force)?.install(&repo)?
    };
    if args.json {
        crate::output::print_json(&report)?;
    }
    Ok(())
}

/// What an install did, as `--json` prints it.
fn installed_json(
    dir: &trail_git::hooks::HooksDir,
    server: bool,
    done: &[(impl std::fmt::Display, Installed)],
    merge_driver_changed: bool,
) -> serde_json::Value {
    let hooks: Vec<serde_json::Value> = done
        .iter()
        .map(|(name, action)| {
            let action = match action {
                Installed::Unchanged => "unchanged",
                Installed::Written => "installed",
                Installed::Updated => "updated",
                Installed::Chained => "chained",
                Installed::Legacy => "legacy",
                Installed::Delegated => "delegated",
            };
            serde_json::json!({"name": name.to_string(), "action": action})
        })
        .collect();
    serde_json::json!({
        "hooks_dir": dir.path.display().to_string(),
        "origin": describe_origin(dir),
        "server": server,
        "hooks": hooks,
        "merge_driver_changed": merge_driver_changed,
    })
}

/// `--server`: the pre-receive and update shims, no merge driver (nobody
/// merges in a server repository).
fn install_server(repo: &Repo, force: bool) -> Result<serde_json::Value, CommandError> {
    let dir = locate(repo)?;
    if !dir.bare {
        dir.refuse_shared(force).map_err(|e| hooks_error(e, "install"))?;
    }
    let rendered = rendered_shims(&HookName::SERVER);
    let done = trail_git::hooks::install(&dir, None, &shims(&rendered), force)
        .map_err(|e| hooks_error(e, "install"))?;
    let line = trail_git::hooks::JOURNAL_ATTRIBUTES_LINE;
    let (attributes, present) = trail_git::hooks::add_attributes_line(&repo.location, line)
        .map_err(|e| hooks_error(e, "install"))?;
    say(format_args!("server hooks directory {} ({})", dir.path.display(), describe_origin(&dir)));
    report(&done);
    if !present {
        say(format_args!(
            "  added `{line}` to {} (fetches of pushed journals skip a delta search that finds nothing)",
            attributes.display()
        ));
    }
    let settings = trail_git::hooks::set_server_receive_settings(&repo.location)
        .map_err(|e| hooks_error(e, "install"))?;
    for key in settings {
        say(format_args!(
            "  set {key} = true (git refuses rewrites and deletions of any ref; `git config {key} false` allows them on branches trail does not protect)"
        ));
    }
    say(
        "pushes are now judged against the policy at the tip of this server's default branch (the branch HEAD names): protected changes need a valid Trail-Authorization trailer, the default branch and `[protect] branches` are never rewritten or deleted",
    );
    Ok(installed_json(&dir, true, &done, false))
}

/// The checks that can refuse an install, made before anything changes (so
/// `trail init` can refuse before it creates the journal).
pub struct HooksPlan {
    dir: trail_git::hooks::HooksDir,
    force: bool,
}

impl HooksPlan {
    pub fn check(repo: &Repo, force: bool) -> Result<Self, CommandError> {
        let dir = locate(repo)?;
        if !dir.bare {
            dir.refuse_shared(force).map_err(|e| hooks_error(e, "install"))?;
        }
        Ok(HooksPlan { dir, force })
    }

    /// Write the shims and register the merge driver; say what changed, and
    /// return it as `--json` prints it.
    pub fn install(self, repo: &Repo) -> Result<serde_json::Value, CommandError> {
        let dir = self.dir;
        if dir.bare {
            say(
                "bare repository: no commits are made here, so no client hooks were installed; `trail hooks install --server` installs the hooks that check pushes",
            );
            return Ok(installed_json(&dir, false, &[] as &[(&str, Installed)], false));
        }
        let hooks = super::client_hooks(repo);
        let rendered = rendered_shims(&hooks);
        let workdir = repo.location.workdir.as_deref();
        let husky = trail_git::hooks::husky_project(&dir);
        let done = match &husky {
            None => trail_git::hooks::install(&dir, workdir, &shims(&rendered), self.force)
                .map_err(|e| hooks_error(e, "install"))?,
            Some(project) => install_husky(repo, &dir, project, &hooks, &rendered, self.force)?,
        };
        let driver =
            trail_git::hooks::register_merge_driver(&repo.location, &MERGE_DRIVER, self.force)
                .map_err(|e| hooks_error(e, "install"))?;
        let outcome = installed_json(&dir, false, &done, driver.changed());
        let changed =
            done.iter().any(|(_, action)| *action != Installed::Unchanged) || driver.changed();
        if !changed {
            say(format_args!(
                "hooks already installed in {} ({}); nothing changed",
                dir.path.display(),
                describe_origin(&dir)
            ));
            return Ok(outcome);
        }
        say(format_args!("hooks directory {} ({})", dir.path.display(), describe_origin(&dir)));
        report(&done);
        if let Some(workdir) = &dir.inside_worktree {
            say(format_args!(
                "note: the hooks directory is inside the work tree {}: the shims show up in `git status` (commit them, or ignore them)",
                workdir.display()
            ));
        }
        for (key, before, changed) in &driver.keys {
            match (before, changed) {
                (Setting::Other(value), false) => say(format_args!(
                    "  kept {key} = {value:?} in {} (not trail's value; `--force` replaces it)",
                    driver.config.display()
                )),
                (Setting::Other(_), true) => {
                    say(format_args!("  replaced {key} in {}", driver.config.display()))
                }
                (Setting::Absent, true) => {
                    say(format_args!("  set {key} in {}", driver.config.display()))
                }
                _ => {}
            }
        }
        if driver.attributes_changed {
            say(format_args!(
                "  added `{}` to {} (it takes precedence over .gitattributes here; `CHANGELOG.md merge=union` there serves those without trail)",
                MERGE_DRIVER.attributes_line(),
                driver.attributes.display()
            ));
        }
        Ok(outcome)
    }
}

/// husky 9 owns the hooks dir (`.husky/_`, re-written by every `husky`
/// run): trail's call goes first into each `.husky/NAME`, which husky runs,
/// and trail's shims go to `.git/hooks`, where git runs them once husky is
/// gone. Shims an older trail put into `.husky/_` are taken out again.
fn install_husky(
    repo: &Repo,
    dir: &trail_git::hooks::HooksDir,
    project: &std::path::Path,
    hooks: &[HookName],
    rendered: &[(&'static str, String)],
    force: bool,
) -> Result<Vec<(String, Installed)>, CommandError> {
    let names: Vec<&str> = hooks.iter().map(|h| h.file_name()).collect();
    trail_git::hooks::uninstall(dir, &names, force).map_err(|e| hooks_error(e, "install"))?;
    let fallback = super::default_dir(repo);
    trail_git::hooks::install(&fallback, None, &shims(rendered), force)
        .map_err(|e| hooks_error(e, "install"))?;
    let mut done = Vec::with_capacity(hooks.len());
    for hook in hooks {
        let script = project.join(hook.file_name());
        let action = if !trail_git::hooks::has_block(&script)
            && trail_git::hooks::calls_trail_hook(
                &std::fs::read(&script).unwrap_or_default(),
                hook.file_name(),
            ) {
            // A line of your own already runs trail there.
            Installed::Delegated
        } else if trail_git::hooks::add_block(&script, &super::render_block(*hook))
            .map_err(|e| hooks_error(e, "install"))?
        {
            Installed::Written
        } else {
            Installed::Unchanged
        };
        done.push((hook.file_name().to_owned(), action));
    }
    say(format_args!(
        "husky runs the hooks here: trail's call is first in each {}/NAME (it survives `husky` re-installs); trail's shims in {} take over if husky is removed",
        project.display(),
        fallback.path.display()
    ));
    Ok(done)
}

fn report<N: std::fmt::Display>(done: &[(N, Installed)]) {
    for (name, action) in done {
        match action {
            Installed::Unchanged => say(format_args!("  {name}: already installed")),
            Installed::Written => say(format_args!("  {name}: installed")),
            Installed::Updated => say(format_args!("  {name}: updated the shim of an older trail")),
            Installed::Chained => say(format_args!(
                "  {name}: installed; the hook that was there is now {name}.trail-chained and runs after trail"
            )),
            Installed::Legacy => say(format_args!(
                "  {name}: installed as {name}.legacy, which the pre-commit framework's {name} runs first"
            )),
            Installed::Delegated => say(format_args!(
                "  {name}: left as it is: it already runs `trail hook {name}` (through its hook manager)"
            )),
        }
    }
}
