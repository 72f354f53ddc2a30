//! `trail hooks uninstall`

use clap::Args;
use trail_git::hooks::{Setting, Uninstalled};

use super::{MERGE_DRIVER, describe_origin, hooks_error, locate};
use crate::commands::hook::HookName;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Remove trail's git hooks and put back the hooks they replaced.
///
/// Deletes every trail shim from the hooks directory (and from `.git/hooks`),
/// including those a hook manager moved aside (`NAME.old`, `NAME.legacy`),
/// and renames each `NAME.trail-chained` back to where the shim was, exactly
/// as it was (content, mode, symlink). Removes trail's marked call from
/// husky's `.husky/NAME` files. Hooks that are not trail's are left alone.
/// Also removes the `merge.trail.*` keys from `.git/config` (only while they
/// hold trail's values; the `[merge "trail"]` section with them when empty)
/// and the `CHANGELOG.md merge=trail` line (and the `records.jsonl -delta`
/// line of `--server`) from `.git/info/attributes`.
///
/// The journal in `.git/trail` is not touched.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Remove trail's shims even from a hooks directory set by a global, system
    /// or environment `core.hooksPath` (other repositories use it too).
    #[arg(long)]
    pub force: bool,

    /// Print what was done as one JSON object on stdout: hooks_dir, origin,
    /// hooks (one {name, action} each, action being "removed", "restored"
    /// or "left_foreign"), merge_driver_changed, journal_attributes_removed
    /// and blocks_removed (the files trail's call was removed from).
    /// Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: UninstallArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let dir = locate(&repo)?;
    let names: Vec<&str> = HookName::all().map(HookName::file_name).collect();
    let mut done = trail_git::hooks::uninstall(&dir, &names, args.force)
        .map_err(|e| hooks_error(e, "uninstall"))?;
    // With husky, trail's shims wait in .git/hooks too, and its calls are in
    // .husky/NAME (husky may be gone already: look there anyway).
    let fallback = super::default_dir(&repo);
    if fallback.path != dir.path {
        for (name, action) in trail_git::hooks::uninstall(&fallback, &[], false)
            .map_err(|e| hooks_error(e, "uninstall"))?
        {
            if !done.iter().any(|(n, _)| *n == name) {
                done.push((name, action));
            }
        }
    }
    let mut projects: Vec<std::path::PathBuf> =
        trail_git::hooks::husky_project(&dir).into_iter().collect();
    if let Some(workdir) = &repo.location.workdir {
        projects.push(workdir.join(".husky"));
    }
    projects.dedup();
    let mut blocks = Vec::new();
    for project in &projects {
        for name in &names {
            let script = project.join(name);
            if trail_git::hooks::remove_block(&script).map_err(|e| hooks_error(e, "uninstall"))? {
                blocks.push(script);
            }
        }
    }
    let driver = trail_git::hooks::unregister_merge_driver(&repo.location, &MERGE_DRIVER)
        .map_err(|e| hooks_error(e, "uninstall"))?;
    let (attributes, journal_line) = trail_git::hooks::remove_attributes_line(
        &repo.location,
        trail_git::hooks::JOURNAL_ATTRIBUTES_LINE,
    )
    .map_err(|e| hooks_error(e, "uninstall"))?;
    let removed = done.iter().any(|(_, action)| !matches!(action, Uninstalled::LeftForeign { .. }));
    if !removed && !driver.changed() && !journal_line && blocks.is_empty() {
        say(format_args!(
            "no trail hooks in {} ({}); nothing changed",
            dir.path.display(),
            describe_origin(&dir)
        ));
    } else {
        say(format_args!("hooks directory {} ({})", dir.path.display(), describe_origin(&dir)));
    }
    for (name, action) in &done {
        match action {
            Uninstalled::Removed => say(format_args!("  {name}: removed trail's shim")),
            Uninstalled::Restored => say(format_args!(
                "  {name}: removed trail's shim and restored the hook from {name}.trail-chained"
            )),
            Uninstalled::LeftForeign { chained_kept: true } => say(format_args!(
                "  {name}: not trail's, left alone; {name}.trail-chained left beside it (rename it back yourself if you want it)"
            )),
            Uninstalled::LeftForeign { chained_kept: false } => {
                say(format_args!("  {name}: not trail's, left alone"))
            }
        }
    }
    for script in &blocks {
        say(format_args!("  removed trail's call from {}", script.display()));
    }
    for (key, before, changed) in &driver.keys {
        match (before, changed) {
            (_, true) => say(format_args!("  removed {key} from {}", driver.config.display())),
            (Setting::Other(value), false) => say(format_args!(
                "  kept {key} = {value:?} in {} (not trail's value)",
                driver.config.display()
            )),
            _ => {}
        }
    }
    if driver.attributes_changed {
        say(format_args!(
            "  removed `{}` from {}",
            MERGE_DRIVER.attributes_line(),
            driver.attributes.display()
        ));
    }
    if journal_line {
        say(format_args!(
            "  removed `{}` from {}",
            trail_git::hooks::JOURNAL_ATTRIBUTES_LINE,
            attributes.display()
        ));
    }
    if args.json {
        let hooks: Vec<serde_json::Value> = done
            .iter()
            .map(|(name, action)| {
                let action = match action {
                    Uninstalled::Removed => "removed",
                    Uninstalled::Restored => "restored",
                    Uninstalled::LeftForeign { .. } => "left_foreign",
                };
                serde_json::json!({"name": name.to_string(), "action": action})
            })
            .collect();
        crate::output::print_json(&serde_json::json!({
            "hooks_dir": dir.path.display().to_string(),
            "origin": describe_origin(&dir),
            "hooks": hooks,
            "merge_driver_changed": driver.changed(),
            "journal_attributes_removed": journal_line,
            "blocks_removed": blocks.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        }))?;
    }
    Ok(())
}
