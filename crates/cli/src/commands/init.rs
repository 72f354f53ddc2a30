//! `trail init`

use clap::Args;
use trail_journal::SledStore;

use crate::commands::hooks::install::HooksPlan;
use crate::config::DEFAULT_TOML;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Set up trail in this repository: create the journal, a default policy, and the git hooks.
///
/// The journal lives in the common git directory (`.git/trail/journal`), so all
/// linked worktrees share it and it is never committed. A default `trail.toml`
/// (the team's policy, meant to be committed) is written at the top of the work
/// tree unless one exists. Then the git hooks are installed, as by
/// `trail hooks install` (see `trail hooks install --help`). Running `trail init`
/// again changes nothing.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Do not install the git hooks (`trail hooks install` does it later).
    #[arg(long)]
    pub no_hooks: bool,

    /// Also start the background watcher (`trail daemon start`), which records
    /// every save in the work tree.
    #[arg(long)]
    pub watch: bool,

    /// Print what was set up as one JSON object on stdout: journal (its
    /// path), store_id, created (false when it existed), policy (the path of
    /// trail.toml, or null in a bare repository), policy_written, hooks (as
    /// `trail hooks install --json` prints it, or null with --no-hooks).
    /// Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InitArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    // Check the team's policy before changing anything: a malformed trail.toml
    // is reported now, not at the first commit, and init then does nothing.
    let policy = repo.location.workdir.as_ref().map(|w| w.join("trail.toml"));
    if let Some(policy) = policy.as_ref().filter(|p| p.exists()) {
        crate::config::load(policy)?;
    }
    // Likewise a hooks directory trail must not touch (a global core.hooksPath).
    let hooks = if args.no_hooks {
        None
    } else {
        Some(HooksPlan::check(&repo, false).map_err(|e| {
            e.hint("`trail init --no-hooks` sets up the journal without installing hooks")
        })?)
    };
    let path = repo.store_path();
    std::fs::create_dir_all(repo.location.trail_dir()).map_err(|e| {
        CommandError::environment(format!(
            "cannot create {}: {e}",
            repo.location.trail_dir().display()
        ))
    })?;
    let running = trail_service::Client::connect(&repo.location.trail_dir()).ok().flatten();
    let (id, created) = if let Some(client) = running {
        // The watcher owns the store: it exists.
        let id = crate::context::Store::Daemon(client).store_id()?;
        say(format_args!(
            "journal already initialised at {} (store {id}; the watcher is running)",
            path.display()
        ));
        (id, false)
    } else {
        // A journal that existed and is gone must come back as itself, not as
        // a new store whose checkpoints could never continue the old chain.
        if !path.join("conf").exists()
            && let Ok(Some(_)) = trail_sync::tip_of(&repo.git, trail_sync::JOURNAL_REF)
        {
            return Err(CommandError::refused(format!(
                "there is no journal at {}, but {} holds its checkpoints",
                path.display(),
                trail_sync::JOURNAL_REF
            ))
            .hint("`trail recover` rebuilds the journal from them"));
        }
        let (store, existed) = SledStore::create(&path)?;
        if let Err(e) = crate::sync::ensure_key(&repo) {
            say(format_args!("warning: {}", e.message));
        }
        let id = store.store_id()?;
        if existed {
            say(format_args!("journal already initialised at {} (store {id})", path.display()));
        } else {
            say(format_args!("created the journal at {} (store {id})", path.display()));
        }
        (id, !existed)
    };
    let (policy, policy_written) = match &repo.location.workdir {
        None => {
            say("bare repository: no work tree, so no trail.toml was written");
            (None, false)
        }
        Some(workdir) => {
            let policy = workdir.join("trail.toml");
            if policy.exists() {
                say(format_args!("kept the existing {}", policy.display()));
                (Some(policy), false)
            } else {
                write_new(&policy, DEFAULT_TOML)?;
                say(format_args!("wrote {} with the default policy; commit it", policy.display()));
                (Some(policy), true)
            }
        }
    };
    let hooks = match hooks {
        Some(hooks) => Some(hooks.install(&repo)?),
        None => {
            say("git hooks not installed (--no-hooks); `trail hooks install` installs them");
            None
        }
    };
    if args.watch {
        crate::commands::daemon::start_for(&repo)?;
    }
    say("next: `trail import` records the existing history");
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "journal": path.display().to_string(),
            "store_id": id,
            "created": created,
            "policy": policy.map(|p| p.display().to_string()),
            "policy_written": policy_written,
            "hooks": hooks,
        }))?;
    }
    Ok(())
}

/// Create `path` with `content`, never overwriting: the file appears whole or not
/// at all (tempfile writes beside it and links it into place only if absent).
fn write_new(path: &std::path::Path, content: &str) -> Result<(), CommandError> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot write {}: {e}", path.display()))
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(content.as_bytes()).map_err(cannot)?;
    tmp.persist_noclobber(path).map_err(|e| cannot(e.error))?;
    Ok(())
}
