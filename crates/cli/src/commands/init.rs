//! `trail init`

use std::ffi::OsString;
use std::time::{Duration, Instant};

use clap::Args;
use trail_journal::{Draft, LogStore as _, SledStore, Source, Timestamp, kinds};
use trail_sync::{CLONES_PREFIX, JOURNAL_REF, REPLACED_PREFIX};

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
///
/// A new store where this repository or its remote already had one (its
/// chain in the reflog of refs/trail/journal or under refs/trail/replaced/,
/// or other stores' chains under refs/trail/clones/ on the `[sync] remote`)
/// starts with a store.created record naming them, and init says so. It
/// refuses (exit 1) where refs/trail/journal holds the checkpoints of a lost
/// journal (`trail recover` brings it back; --new-store gives it up), and
/// where the journal in place is not the store refs/trail/journal
/// checkpointed.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Do not install the git hooks (`trail hooks install` does it later).
    #[arg(long)]
    pub no_hooks: bool,

    /// Also start the background watcher (`trail daemon start`), which records
    /// every save in the work tree.
    #[arg(long)]
    pub watch: bool,

    /// Start a new journal where one was lost although refs/trail/journal
    /// holds its checkpoints (which `trail recover` would bring back): that
    /// chain is kept as refs/trail/replaced/<store id>, and the new store's
    /// first record (store.created) names the store it replaced.
    #[arg(long)]
    pub new_store: bool,

    /// Print what was set up as one JSON object on stdout: journal (its
    /// path), store_id, created (false when it existed), previous (the store
    /// ids this repository or its remote held before a new store, which its
    /// store.created record names; empty otherwise), policy (the path of
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
    let mut previous: Vec<String> = Vec::new();
    let (id, created) = if let Some(client) = running {
        // The watcher owns the store: it exists.
        let id = crate::context::Store::Daemon(client).store_id()?;
        say(format_args!(
            "journal already initialised at {} (store {id}; the watcher is running)",
            path.display()
        ));
        (id, false)
    } else {
        let exists = SledStore::exists(&path)?;
        // The store whose checkpoints refs/trail/journal holds, if any.
        let chain = match trail_sync::tip_of(&repo.git, JOURNAL_REF) {
            Ok(Some(tip)) => Some((tip, trail_sync::read_link(&repo.git, tip).ok())),
            _ => None,
        };
        let chain_store =
            chain.as_ref().and_then(|(_, l)| l.as_ref()).map(|l| l.checkpoint.store.clone());
        let mut replaced = None;
        if !exists && let Some((tip, _)) = chain {
            // A journal that existed and is gone must come back as itself, not
            // as a new store whose checkpoints could never continue its chain
            // — unless its owner gives it up, in the open.
            let named = chain_store.as_deref().map(|s| format!(" (store {s})")).unwrap_or_default();
            if !args.new_store {
                return Err(CommandError::refused(format!(
                    "there is no journal at {}, but {JOURNAL_REF} holds its checkpoints{named}",
                    path.display(),
                ))
                .hint("`trail recover` rebuilds the journal from them")
                .hint("to give that journal up and start a new one, `trail init --new-store`: its chain is kept as refs/trail/replaced/<store id>, and the new store records that it replaced it (store.created)"));
            }
            replaced = Some(set_aside(&repo, tip, chain_store.as_deref())?);
        }
        // Stores this repository or its remote held before this one: a new
        // store records them (store.created), so that an audit sees where
        // one journal ended and the next began.
        let earlier = if exists { Vec::new() } else { earlier_stores(&repo, replaced.as_ref()) };
        let (store, existed) = SledStore::create(&path)?;
        let id = store.store_id()?;
        if existed && let Some(chain_store) = chain_store.filter(|c| *c != id) {
            return Err(CommandError::refused(format!(
                "the journal at {} is store {id}, but {JOURNAL_REF} holds the checkpoints of store {chain_store}: it is not the journal this repository checkpointed",
                path.display()
            ))
            .hint("`trail verify` says what is wrong; `trail recover` rebuilds the journal of those checkpoints (the store now in place is kept aside)"));
        }
        if let Err(e) = crate::sync::ensure_key(&repo) {
            say(format_args!("warning: {}", e.message));
        }
        if existed {
            say(format_args!("journal already initialised at {} (store {id})", path.display()));
        } else {
            say(format_args!("created the journal at {} (store {id})", path.display()));
        }
        if !earlier.is_empty() {
            record_store_created(&repo, &store, &earlier)?;
        }
        previous = earlier.into_iter().map(|e| e.store).collect();
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
    let attributes = match &repo.location.workdir {
        Some(workdir) => union_merge_attributes(workdir),
        None => false,
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
            "previous": previous,
            "policy": policy.map(|p| p.display().to_string()),
            "policy_written": policy_written,
            "gitattributes_written": attributes,
            "hooks": hooks,
        }))?;
    }
    Ok(())
}

/// Add `CHANGELOG.md merge=union` to the work tree's `.gitattributes` unless
/// the file already says how CHANGELOG.md files merge: merges made without
/// trail's driver (a teammate without trail, a server reading the tree's
/// attributes) then keep both sides' entries (`trail docs changelog`,
/// "Merges without trail"). Returns whether the file was written.
/// A `.gitattributes` trail cannot read or write (a directory, no
/// permission) is said and left alone: the rule is an offer, and init goes on.
fn union_merge_attributes(workdir: &std::path::Path) -> bool {
    let path = workdir.join(".gitattributes");
    let leave = |what: String| {
        say(format_args!(
            "warning: {what}; add `{}` to .gitattributes yourself for merges without trail",
            trail_changelog::UNION_ATTRIBUTES_LINE
        ));
        false
    };
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return leave(format!("cannot read {}: {e}", path.display())),
    };
    let Some(text) = trail_changelog::with_union_merge(existing.as_deref()) else {
        return false;
    };
    if let Err(e) = crate::commands::changelog::write_atomically(&path, &text) {
        return leave(e.message);
    }
    say(format_args!(
        "added `{}` to {}; commit it: merges made without trail then keep both sides' CHANGELOG.md entries",
        trail_changelog::UNION_ATTRIBUTES_LINE,
        path.display()
    ));
    true
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

/// A store this repository or its remote held before, and where it was seen.
struct Earlier {
    store: String,
    seen: String,
}

/// `--new-store`: keep the lost journal's chain as
/// `refs/trail/replaced/<store id>` and take refs/trail/journal away, so the
/// new store can start its own.
fn set_aside(
    repo: &Repo,
    tip: trail_git::ObjectId,
    store: Option<&str>,
) -> Result<Earlier, CommandError> {
    let Some(store) = store.filter(|s| trail_sync::is_store_id(s)) else {
        return Err(CommandError::refused(format!(
            "{JOURNAL_REF} does not hold a readable checkpoint, so the journal it belonged to cannot be named"
        ))
        .hint(format!("`trail verify --all-clones` says what is wrong with it; move it aside yourself (`git update-ref -d {JOURNAL_REF}`) to start anew")));
    };
    let aside = format!("{REPLACED_PREFIX}{store}");
    let moved = trail_sync::move_ref(&repo.git, &aside, Some(tip), None)
        .and_then(|()| trail_sync::move_ref(&repo.git, JOURNAL_REF, None, Some(tip)));
    moved.map_err(|e| {
        CommandError::environment(format!("cannot move {JOURNAL_REF} to {aside}: {e}"))
    })?;
    say(format_args!(
        "the checkpoints of the lost journal (store {store}) are kept as {aside}; {JOURNAL_REF} starts anew"
    ));
    Ok(Earlier { store: store.to_owned(), seen: format!("in {JOURNAL_REF}, now kept as {aside}") })
}

/// The stores this repository or its remote held before a new store: the
/// one `--new-store` set aside, those kept under refs/trail/replaced/, those
/// the reflog of refs/trail/journal remembers, and the chains the `[sync]
/// remote` holds under refs/trail/clones/ (when it is one of this
/// repository's remotes and answers within a few seconds). Each once.
fn earlier_stores(repo: &Repo, replaced: Option<&Earlier>) -> Vec<Earlier> {
    let mut out: Vec<Earlier> = Vec::new();
    let mut add = |store: String, seen: String| {
        if trail_sync::is_store_id(&store) && !out.iter().any(|e| e.store == store) {
            out.push(Earlier { store, seen });
        }
    };
    if let Some(replaced) = replaced {
        add(replaced.store.clone(), replaced.seen.clone());
    }
    for (store, _) in trail_sync::refs_below(&repo.git, REPLACED_PREFIX).unwrap_or_default() {
        add(store.clone(), format!("kept as {REPLACED_PREFIX}{store}"));
    }
    for store in trail_sync::stores_in_reflog(&repo.git) {
        add(store, format!("in the reflog of {JOURNAL_REF}"));
    }
    if let Some(remote) = sync_remote(repo) {
        match remote_stores(repo, &remote) {
            Ok(stores) => {
                let name = remote.to_string_lossy();
                for store in stores {
                    add(store.clone(), format!("on {name} ({CLONES_PREFIX}{store})"));
                }
            }
            Err(why) => say(format_args!(
                "note: could not ask {} which trail journals it holds ({why}); a store created here records only the ones this repository remembers",
                remote.to_string_lossy()
            )),
        }
    }
    out
}

/// The `[sync] remote`, when it names one of this repository's remotes.
fn sync_remote(repo: &Repo) -> Option<OsString> {
    let config = match &repo.location.workdir {
        Some(workdir) => crate::config::load(&workdir.join("trail.toml")).ok()?,
        None => crate::config::Config::default(),
    };
    let name = config.sync.remote;
    repo.git
        .remote_names()
        .iter()
        .any(|known| AsRef::<[u8]>::as_ref(known) == name.as_bytes())
        .then(|| name.into())
}

/// How long `trail init` waits for a remote to list its journals.
const REMOTE_WAIT: Duration = Duration::from_secs(10);

/// The store ids `remote` holds chains of (`git ls-remote`), without
/// prompting for credentials and within [`REMOTE_WAIT`].
fn remote_stores(repo: &Repo, remote: &std::ffi::OsStr) -> Result<Vec<String>, String> {
    let pattern = format!("{CLONES_PREFIX}*");
    let mut git = std::process::Command::new("git");
    // No prompts: not git's for credentials, nor ssh's for a passphrase or
    // a host key (unless the user chose their own ssh command).
    if std::env::var_os("GIT_SSH_COMMAND").is_none()
        && std::env::var_os("GIT_SSH").is_none()
        && repo.git.config_snapshot().string("core.sshCommand").is_none()
    {
        git.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let mut child = git
        .arg("ls-remote")
        .arg(remote)
        .arg(&pattern)
        .current_dir(&repo.cwd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no output from git")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < REMOTE_WAIT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", REMOTE_WAIT.as_secs()));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let text = reader.join().unwrap_or_default();
    if !status.success() {
        return Err("`git ls-remote` failed".into());
    }
    Ok(text
        .lines()
        .filter_map(|line| line.split('\t').nth(1)?.strip_prefix(CLONES_PREFIX).map(str::to_owned))
        .collect())
}

/// The new store's first record: it was created where `earlier` stores were.
fn record_store_created(
    repo: &Repo,
    store: &SledStore,
    earlier: &[Earlier],
) -> Result<(), CommandError> {
    let short: Vec<String> = earlier.iter().map(|e| e.store.chars().take(8).collect()).collect();
    let mut draft = Draft::new(kinds::STORE_CREATED, Source::Cli, Timestamp::now());
    draft.actor = Some(crate::commands::hook::local_actor(&repo.git));
    let mut detail = serde_json::Map::new();
    detail.insert(
        "subject".into(),
        format!("new store; stores before it: {}", short.join(", ")).into(),
    );
    detail.insert(
        "previous".into(),
        earlier.iter().map(|e| serde_json::Value::from(e.store.as_str())).collect(),
    );
    detail.insert(
        "seen".into(),
        earlier
            .iter()
            .map(|e| serde_json::Value::from(format!("{} {}", e.store, e.seen)))
            .collect(),
    );
    draft.detail = Some(detail);
    store.append(vec![draft])?;
    say(format_args!(
        "this repository or its remote held trail journals before this one; the new store's first record (store.created) names them:"
    ));
    for e in earlier {
        say(format_args!("  store {}, {}", e.store, e.seen));
    }
    Ok(())
}
