//! `trail hooks status`

use std::io::Write;

use clap::Args;
use trail_git::hooks::{HookFile, Route, Setting};

use super::{MERGE_DRIVER, describe_origin, hooks_error, locate};
use crate::commands::hook::HookName;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::Out;

/// Show which of trail's git hooks are installed, and where.
///
/// Prints the hooks directory and why git uses it, then one line per hook:
/// `installed` (trail's current shim), `outdated` (a shim from another trail
/// version: run `trail hooks install`), `not trail's` (a hook trail does not
/// manage: `trail hooks install` chains it), or `missing`; and whether a hook
/// that trail replaced runs after it (`NAME.trail-chained`). Beside a hook
/// manager (lefthook, husky, pre-commit) it names the manager and says
/// whether git still gets to trail through it. The last line says
/// whether the CHANGELOG.md merge driver is registered. Exits 0 whatever it finds.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print it as one JSON object: dir, origin, hooks (name, state,
    /// chained, manager, trail_runs, via, displaced, problem), merge_driver.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let dir = locate(&repo)?;
    let hooks: Vec<HookName> =
        if dir.bare { HookName::SERVER.to_vec() } else { super::client_hooks(&repo) };
    let (dir, hooks) = super::health::inspect(&repo, &hooks)?;
    let (keys, line) =
        trail_git::hooks::merge_driver_status(&repo.location, &repo.git, &MERGE_DRIVER)
            .map_err(|e| hooks_error(e, "status"))?;
    let mut out = Out::new();
    if args.json {
        let hooks: Vec<serde_json::Value> = hooks
            .iter()
            .map(|hook| {
                let state = match &hook.file {
                    HookFile::Current => "installed",
                    HookFile::Outdated => "outdated",
                    HookFile::Missing => "missing",
                    HookFile::Foreign { .. } => "foreign",
                };
                let displaced = match &hook.route {
                    Route::Displaced(stash) => Some(stash.display().to_string()),
                    _ => None,
                };
                serde_json::json!({
                    "name": hook.name,
                    "state": state,
                    "chained": hook.chained,
                    "manager": hook.manager.map(|m| m.as_str()),
                    "trail_runs": hook.route.runs_trail(),
                    "via": match &hook.route {
                        Route::Shim => Some("shim".to_owned()),
                        Route::Legacy => Some(format!("{}.legacy", hook.name)),
                        Route::Calls(path) => Some(path.display().to_string()),
                        _ => None,
                    },
                    "displaced": displaced,
                    "problem": super::health::why_off(&dir, hook),
                })
            })
            .collect();
        let registered = keys.iter().all(|(_, s)| *s == Setting::Ours);
        let value = serde_json::json!({
            "dir": dir.path.display().to_string(),
            "origin": describe_origin(&dir),
            "bare": dir.bare,
            "hooks": hooks,
            "merge_driver": {"configured": registered, "attributes": line},
        });
        writeln!(out, "{value}")?;
        out.flush()?;
        return Ok(());
    }
    // One column for the names: the longest hook name and a space.
    let w = hooks.iter().map(|h| h.name.len()).chain(["merge driver".len()]).max().unwrap_or(0) + 1;
    writeln!(out, "{:<w$}{} ({})", "hooks dir", dir.path.display(), describe_origin(&dir))?;
    if dir.bare {
        writeln!(
            out,
            "{:<w$}bare repository: `trail hooks install --server` installs the server hooks",
            ""
        )?;
    }
    for hook in &hooks {
        let name = &hook.name;
        let state = match (&hook.file, &hook.route, hook.manager) {
            (HookFile::Current, _, _) => "installed".to_owned(),
            (HookFile::Outdated, _, _) => "outdated (run `trail hooks install`)".to_owned(),
            (_, Route::Legacy, _) => {
                format!("pre-commit's; it runs trail's shim {name}.legacy first")
            }
            (_, Route::Calls(path), Some(manager)) => {
                format!("{manager}'s; runs trail ({} calls `trail hook {name}`)", path.display())
            }
            (_, Route::Calls(path), None) => {
                format!("not trail's; runs trail ({} calls `trail hook {name}`)", path.display())
            }
            (HookFile::Missing, _, None) => "missing".to_owned(),
            (HookFile::Foreign { symlink, executable }, Route::Off, None) => format!(
                "not trail's ({}{}; `trail hooks install` chains it)",
                if *symlink { "a symlink" } else { "a file" },
                if *executable { "" } else { ", not executable: git ignores it" }
            ),
            (_, _, manager) => format!(
                "{}; trail does NOT run: {} (`trail hooks install` puts it back)",
                manager.map_or_else(|| "not trail's".to_owned(), |m| format!("{m}'s")),
                super::health::why_off(&dir, hook).unwrap_or_default()
            ),
        };
        let owner = match (hook.route == Route::Shim, hook.manager) {
            (true, Some(manager)) if hook.chained.is_some() => format!(" ({manager}'s)"),
            _ => String::new(),
        };
        let runs_chained = matches!(hook.route, Route::Shim | Route::Legacy);
        let chained = match hook.chained {
            None => String::new(),
            Some(true) if !runs_chained => String::new(),
            Some(true) => format!(", then runs {name}.trail-chained{owner}"),
            Some(false) => {
                format!(", {name}.trail-chained is not executable and does not run")
            }
        };
        writeln!(out, "{:<w$}{state}{chained}", hook.name)?;
    }
    let registered = keys.iter().all(|(_, s)| *s == Setting::Ours);
    let attributes = MERGE_DRIVER.attributes_line();
    let driver = match (registered, line) {
        (true, true) => format!("registered (merge.trail.driver, `{attributes}`)"),
        (true, false) => format!("configured, but `{attributes}` is not in .git/info/attributes"),
        (false, true) => {
            "not configured (merge.trail.* missing or different), though .git/info/attributes selects it"
                .to_owned()
        }
        (false, false) => "not registered (`trail hooks install` registers it)".to_owned(),
    };
    writeln!(out, "{:<w$}{driver}", "merge driver")?;
    out.flush()?;
    Ok(())
}
