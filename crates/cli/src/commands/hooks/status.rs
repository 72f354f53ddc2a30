//! `trail hooks status`

use std::io::Write;

use clap::Args;
use trail_git::hooks::{HookFile, Setting};

use super::{MERGE_DRIVER, describe_origin, hooks_error, locate, rendered_shims, shims};
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
/// that trail replaced runs after it (`NAME.trail-chained`). The last line says
/// whether the CHANGELOG.md merge driver is registered. Exits 0 whatever it finds.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print it as one JSON object: dir, origin, hooks (name, state, chained),
    /// merge_driver.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let dir = locate(&repo)?;
    let hooks: Vec<HookName> =
        if dir.bare { HookName::SERVER.to_vec() } else { super::client_hooks(&repo) };
    let rendered = rendered_shims(&hooks);
    let hooks =
        trail_git::hooks::status(&dir, &shims(&rendered)).map_err(|e| hooks_error(e, "status"))?;
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
                serde_json::json!({"name": hook.name, "state": state, "chained": hook.chained})
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
        let state = match &hook.file {
            HookFile::Current => "installed".to_owned(),
            HookFile::Outdated => "outdated (run `trail hooks install`)".to_owned(),
            HookFile::Missing => "missing".to_owned(),
            HookFile::Foreign { symlink, executable } => format!(
                "not trail's ({}{}; `trail hooks install` chains it)",
                if *symlink { "a symlink" } else { "a file" },
                if *executable { "" } else { ", not executable: git ignores it" }
            ),
        };
        let chained = match hook.chained {
            None => String::new(),
            Some(true) => format!(", then runs {}.trail-chained", hook.name),
            Some(false) => {
                format!(", {}.trail-chained is not executable and does not run", hook.name)
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
