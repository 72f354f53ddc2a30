//! `trail doctor`

use std::io::Write;
use std::path::Path;

use clap::Args;
use serde_json::json;
use trail_git::hooks::HookFile;
use trail_journal::LogStore;

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, plural};

/// Check that trail is set up and working here, and say how to fix what is not.
///
/// Looks at: git (installed, recent enough), this repository's git hooks
/// (installed, current, chained hooks runnable), the journal (present, opens,
/// verifies), its checkpoints (the store key and refs/trail/journal agree
/// with the journal), the watcher (running or not, stopped cleanly, its
/// socket), the inotify limit against the number of directories in the work
/// tree, the protection policy (authorizers named, your own key among them),
/// and CHANGELOG.md coverage. Each finding comes with the command that fixes
/// it. Exits 1 when something is wrong, 0 when there are only notes.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail doctor                 everything, as a table
  trail doctor --json | jq 'select(.status == \"problem\")'")]
pub struct DoctorArgs {
    /// One JSON object per finding: check, status (ok, note, warning,
    /// problem), message, fix.
    #[arg(long)]
    pub json: bool,

    /// Skip `trail verify` of the journal (the slowest check on a large one).
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Ok,
    Note,
    Warning,
    Problem,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Note => "note",
            Status::Warning => "warning",
            Status::Problem => "problem",
        }
    }
}

struct Finding {
    check: &'static str,
    status: Status,
    message: String,
    fix: Option<String>,
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn add(&mut self, check: &'static str, status: Status, message: impl Into<String>) {
        self.0.push(Finding { check, status, message: message.into(), fix: None });
    }

    fn fix(
        &mut self,
        check: &'static str,
        status: Status,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(Finding { check, status, message: message.into(), fix: Some(fix.into()) });
    }
}

pub fn run(args: DoctorArgs) -> Result<(), CommandError> {
    let mut found = Findings::default();
    git_version(&mut found);
    match Repo::discover() {
        Err(e) => found.fix(
            "repository",
            Status::Problem,
            e.message,
            "run trail inside a git repository (`git init` makes one)",
        ),
        Ok(repo) => {
            found.add(
                "repository",
                Status::Ok,
                match &repo.location.workdir {
                    Some(w) => format!("work tree {}", w.display()),
                    None => "bare repository".to_owned(),
                },
            );
            let config = policy_file(&repo, &mut found);
            hooks(&repo, &mut found);
            if let Some(store) = journal(&repo, &args, &mut found) {
                checkpoints(&repo, &store, &mut found);
            }
            watcher(&repo, &mut found);
            if let Some(workdir) = repo.location.workdir.clone() {
                inotify(&repo, &mut found);
                protection(&repo, &mut found);
                agents(&repo, &workdir, &mut found);
                if let Some(config) = &config {
                    changelogs(&repo, &workdir, config, &mut found);
                }
            }
        }
    }
    report(&found, args.json)?;
    let problems = found.0.iter().filter(|f| f.status == Status::Problem).count();
    if problems > 0 {
        return Err(CommandError::refused(format!(
            "{problems} problem{} found (see above)",
            if problems == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

fn report(found: &Findings, json: bool) -> Result<(), CommandError> {
    let mut out = Out::new();
    let colour = crate::output::colour(true);
    for f in &found.0 {
        if json {
            writeln!(
                out,
                "{}",
                json!({"check": f.check, "status": f.status.as_str(), "message": f.message, "fix": f.fix})
            )?;
        } else {
            let code = match f.status {
                Status::Ok => "32",
                Status::Note => "36",
                Status::Warning => "33",
                Status::Problem => "1;31",
            };
            let status = crate::output::paint(&format!("{:<8}", f.status.as_str()), code, colour);
            // Not cut to the terminal's width: a finding is read in full.
            writeln!(out, "{:<12} {status} {}", f.check, f.message)?;
            if let Some(fix) = &f.fix {
                writeln!(out, "{:<12} {:<8} fix: {fix}", "", "")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The git version this trail needs: `fetch --no-write-fetch-head` (2.29),
/// the reference-transaction hook (2.28).
const GIT_MINIMUM: (u32, u32) = (2, 29);

fn git_version(found: &mut Findings) {
    let output = std::process::Command::new("git").arg("--version").output();
    let text = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        Ok(o) => {
            return found.fix(
                "git",
                Status::Problem,
                format!("`git --version` failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
                "reinstall git",
            );
        }
        Err(e) => {
            return found.fix(
                "git",
                Status::Problem,
                format!("git cannot be run: {e}"),
                "install git and put it on PATH (trail's hooks and `trail sync` run it)",
            );
        }
    };
    let version = text.split_whitespace().nth(2).unwrap_or("");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < GIT_MINIMUM {
        found.fix(
            "git",
            Status::Problem,
            format!("{text}: trail needs git {}.{} or newer", GIT_MINIMUM.0, GIT_MINIMUM.1),
            "upgrade git",
        );
    } else {
        found.add("git", Status::Ok, text);
    }
}

fn policy_file(repo: &Repo, found: &mut Findings) -> Option<crate::config::Config> {
    let Some(workdir) = &repo.location.workdir else {
        return Some(crate::config::Config::default());
    };
    let path = workdir.join(trail_policy::POLICY_FILE);
    match crate::config::load(&path) {
        Ok(config) if path.exists() => {
            found.add("trail.toml", Status::Ok, "valid");
            Some(config)
        }
        Ok(config) => {
            found.fix(
                "trail.toml",
                Status::Note,
                "no trail.toml: the built-in defaults apply",
                "`trail init` writes one with the defaults, to commit",
            );
            Some(config)
        }
        Err(e) => {
            found.fix(
                "trail.toml",
                Status::Problem,
                e.message,
                "fix the file (`trail docs configuration` lists every key); the hooks refuse commits until then",
            );
            None
        }
    }
}

fn hooks(repo: &Repo, found: &mut Findings) {
    use crate::commands::hooks as h;
    let bare = repo.location.workdir.is_none();
    let names =
        if bare { crate::commands::hook::HookName::SERVER.to_vec() } else { h::client_hooks(repo) };
    let (dir, statuses) = match h::health::inspect(repo, &names) {
        Ok(found) => found,
        Err(e) => {
            return found.fix(
                "hooks",
                Status::Problem,
                e.message,
                "`trail hooks status` says more",
            );
        }
    };
    let install = if dir.bare { "trail hooks install --server" } else { "trail hooks install" };
    let mut outdated = Vec::new();
    let mut off = Vec::new();
    for hook in &statuses {
        if hook.file == HookFile::Outdated {
            outdated.push(hook.name.clone());
        }
        if let Some(why) = h::health::why_off(&dir, hook) {
            off.push((hook.name.clone(), why));
        }
        if hook.chained == Some(false) {
            found.fix(
                "hooks",
                Status::Problem,
                format!(
                    "{}.trail-chained is not executable: the hook trail chained does not run",
                    hook.name
                ),
                format!(
                    "chmod +x {}",
                    dir.path.join(format!("{}.trail-chained", hook.name)).display()
                ),
            );
        }
    }
    let none = statuses.iter().all(|s| s.file == HookFile::Missing && !s.route.runs_trail());
    if none && off.len() == statuses.len() {
        let severity = if dir.bare { Status::Note } else { Status::Problem };
        found.fix(
            "hooks",
            severity,
            format!(
                "no trail hooks in {}: commits are not checked or recorded",
                dir.path.display()
            ),
            install,
        );
        return;
    }
    if !outdated.is_empty() {
        found.fix(
            "hooks",
            Status::Problem,
            format!("{} from another trail version", outdated.join(", ")),
            install,
        );
    }
    for (name, why) in &off {
        found.fix(
            "hooks",
            Status::Problem,
            format!("trail's {name} hook does not run: {why}"),
            install,
        );
    }
    if outdated.is_empty() && off.is_empty() {
        let managers: std::collections::BTreeSet<&str> =
            statuses.iter().filter_map(|s| s.manager.map(|m| m.as_str())).collect();
        let beside = if managers.is_empty() {
            String::new()
        } else {
            format!(", beside {}", managers.into_iter().collect::<Vec<_>>().join(", "))
        };
        found.add(
            "hooks",
            Status::Ok,
            format!("{} hooks run trail from {}{beside}", statuses.len(), dir.path.display()),
        );
    }
}

/// The store, when it opened (the checkpoint check reads it too).
fn journal(repo: &Repo, args: &DoctorArgs, found: &mut Findings) -> Option<crate::context::Store> {
    let path = repo.store_path();
    // A journal this user may not look into is not a missing one (and not a
    // damaged one): the fix is its permissions, never `trail recover`.
    let exists = match trail_journal::SledStore::exists(&path) {
        Ok(exists) => exists,
        Err(e) => {
            let e = CommandError::from(e);
            let fix = e.hints.first().cloned().unwrap_or_default();
            found.fix("journal", Status::Problem, e.message, fix);
            return None;
        }
    };
    if !exists {
        let lost = trail_sync::tip_of(&repo.git, trail_sync::JOURNAL_REF).ok().flatten().is_some();
        if trail_journal::SledStore::rebuild_path(&path).exists() {
            found.fix(
                "journal",
                Status::Problem,
                format!(
                    "no journal at {}: a `trail recover` did not finish putting the rebuilt one in place",
                    path.display()
                ),
                "trail recover",
            );
        } else if lost {
            found.fix(
                "journal",
                Status::Problem,
                format!(
                    "no journal at {}, but refs/trail/journal holds its checkpoints",
                    path.display()
                ),
                "trail recover",
            );
        } else {
            found.fix(
                "journal",
                Status::Problem,
                format!("no journal at {}", path.display()),
                "trail init && trail import",
            );
        }
        return None;
    }
    // Not open_store, which would drain the spool: doctor reports what waits.
    let store = match repo.gateway().open().map_err(CommandError::from) {
        Ok(store) => store,
        Err(e) => {
            // `trail recover` only for damage (exit 1): a full disk, a
            // permission or a lock is fixed where it is.
            let fallback = match e.exit {
                crate::error::Exit::Refused => "trail recover",
                _ => "fix what the message names, then run `trail doctor` again",
            };
            let fix = e.hints.first().cloned().unwrap_or_else(|| fallback.into());
            found.fix("journal", Status::Problem, e.message, fix);
            return None;
        }
    };
    let head = match store.head() {
        Ok(head) => head,
        Err(e) => {
            found.fix(
                "journal",
                Status::Problem,
                e.to_string(),
                "trail verify, then trail recover",
            );
            return None;
        }
    };
    // Commits made here whose post-commit did not finish.
    let missed = crate::records::missed_commits(repo, &store);
    if !missed.is_empty() {
        let ids: Vec<String> = missed.iter().map(|id| id.to_string()[..12].to_owned()).collect();
        found.fix(
            "journal",
            Status::Warning,
            format!(
                "{} made in this worktree {} not in the journal (their post-commit did not finish): {}",
                plural(missed.len() as u64, "commit"),
                if missed.len() == 1 { "is" } else { "are" },
                ids.join(", ")
            ),
            "the next commit records them, or `trail import` now",
        );
    }
    // Records a hook could not write (a busy or damaged journal) wait in the spool.
    if let Ok(waiting) = crate::pending::spool_waiting(repo) {
        if !waiting.drafts.is_empty() {
            found.fix(
                "spool",
                Status::Warning,
                format!(
                    "{} in .git/trail/pending/spool not in the journal yet",
                    plural(waiting.drafts.len() as u64, "record")
                ),
                "the next commit writes them, or the watcher when it starts (`trail daemon start`)",
            );
        }
        if !waiting.damaged.is_empty() {
            let names: Vec<String> =
                waiting.damaged.iter().map(|p| p.display().to_string()).collect();
            found.fix(
                "spool",
                Status::Problem,
                format!(
                    "{} in the spool cannot be read as records: {}",
                    plural(waiting.damaged.len() as u64, "file"),
                    names.join(", ")
                ),
                "they may hold records trail could not write: look at them (JSON lists of drafts), then move them out of .git/trail; trail never deletes them",
            );
        }
    }
    if args.no_verify {
        found.add(
            "journal",
            Status::Ok,
            format!("{} (not verified: --no-verify)", plural(head.seq, "record")),
        );
        return Some(store);
    }
    match trail_journal::verify(&store) {
        Ok(report) if report.ok() => {
            found.add("journal", Status::Ok, format!("{}, verified", plural(report.records, "record")))
        }
        Ok(report) => found.fix(
            "journal",
            Status::Problem,
            match report.first_bad_seq() {
                Some(seq) => format!("the journal is NOT intact: first bad record is seq {seq}"),
                None => "the journal's indexes do not match its records".to_owned(),
            },
            match report.first_bad_seq() {
                Some(_) => "`trail verify` lists the findings; `trail recover` rebuilds from the checkpoints",
                None => "trail reindex",
            },
        ),
        Err(e) => found.fix("journal", Status::Problem, e.to_string(), "trail recover"),
    }
    Some(store)
}

fn checkpoints(repo: &Repo, store: &crate::context::Store, found: &mut Findings) {
    let key = crate::sync::key_path(repo);
    match std::fs::metadata(&key) {
        Err(_) => {
            let chain = trail_sync::tip_of(&repo.git, trail_sync::JOURNAL_REF).ok().flatten();
            if chain.is_some() {
                found.fix(
                    "checkpoints",
                    Status::Problem,
                    format!("{} is missing: checkpoints cannot continue", key.display()),
                    "restore the key file from a backup",
                );
            } else {
                found.add(
                    "checkpoints",
                    Status::Note,
                    "no store key yet: the next commit creates it and writes the first checkpoint",
                );
            }
            return;
        }
        Ok(meta) => {
            use std::os::unix::fs::PermissionsExt as _;
            if meta.permissions().mode() & 0o077 != 0 {
                found.fix(
                    "checkpoints",
                    Status::Warning,
                    format!(
                        "{} can be read by others (mode {:o})",
                        key.display(),
                        meta.permissions().mode() & 0o777
                    ),
                    format!("chmod 600 {}", key.display()),
                );
            }
        }
    }
    let Ok(Some(tip)) = trail_sync::tip_of(&repo.git, trail_sync::JOURNAL_REF) else {
        found.add("checkpoints", Status::Note, "none written yet: the next commit writes one");
        return;
    };
    let link = match trail_sync::read_link(&repo.git, tip) {
        Ok(link) => link,
        Err(e) => {
            return found.fix(
                "checkpoints",
                Status::Problem,
                format!("refs/trail/journal: {e}"),
                "trail recover --from REMOTE (if pushed)",
            );
        }
    };
    let stored = store
        .get_raw(link.checkpoint.seq)
        .ok()
        .flatten()
        .and_then(|bytes| trail_journal::chain::check(&bytes).ok())
        .map(|c| c.hash);
    if stored.as_deref() == Some(link.checkpoint.hash.as_str()) {
        found.add(
            "checkpoints",
            Status::Ok,
            format!(
                "last at seq {} ({}); `trail verify --against REMOTE` compares with a pushed copy",
                link.checkpoint.seq, link.checkpoint.time
            ),
        );
    } else {
        found.fix(
            "checkpoints",
            Status::Problem,
            format!("the journal does not hold record {} as checkpointed: it was changed or lost records", link.checkpoint.seq),
            "trail recover",
        );
    }
}

fn watcher(repo: &Repo, found: &mut Findings) {
    let trail_dir = repo.location.trail_dir();
    match trail_service::Client::connect(&trail_dir) {
        Ok(Some(client)) => {
            // One watcher per repository, watching the work tree it was
            // started in: from another worktree, saves here are not seen.
            let watched = client
                .status()
                .ok()
                .and_then(|s| s["workdir"].as_str().map(std::path::PathBuf::from));
            let here = repo
                .location
                .workdir
                .as_deref()
                .map(|w| std::fs::canonicalize(w).unwrap_or_else(|_| w.to_path_buf()));
            let same = match (&watched, &here) {
                (Some(watched), Some(here)) => {
                    std::fs::canonicalize(watched).unwrap_or_else(|_| watched.clone()) == *here
                }
                _ => true,
            };
            if same {
                found.add("watcher", Status::Ok, "running (`trail daemon status` for details)")
            } else {
                found.fix(
                    "watcher",
                    Status::Warning,
                    format!(
                        "running, but it watches the worktree {}: saves in this one ({}) are not recorded between commits",
                        watched.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default(),
                        here.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
                    ),
                    "one watcher serves the repository and watches one work tree: stop it (`trail daemon stop`) and start it in the worktree you edit (`trail daemon start`)",
                );
            }
        }
        Ok(None) => {
            if trail_dir.join("watch.running").exists() {
                found.fix(
                    "watcher",
                    Status::Warning,
                    "not running, and it did not stop cleanly (saves since then are reconciled at its next start)",
                    "trail daemon start",
                );
            } else {
                found.fix(
                    "watcher",
                    Status::Note,
                    "not running: saves between commits are not recorded",
                    "trail daemon start",
                );
            }
        }
        Err(e) => found.fix(
            "watcher",
            Status::Problem,
            format!("its socket does not answer: {e}"),
            "trail daemon stop; trail daemon start",
        ),
    }
    if let Err(e) = writable(&trail_dir) {
        found.fix(
            "permissions",
            Status::Problem,
            format!("cannot write in {}: {e}", trail_dir.display()),
            format!("fix the owner or mode of {}", trail_dir.display()),
        );
    }
}

fn writable(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    tempfile::NamedTempFile::new_in(dir).map(drop)
}

fn inotify(repo: &Repo, found: &mut Findings) {
    let Ok(limit) = std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches") else {
        return;
    };
    let Ok(limit) = limit.trim().parse::<u64>() else { return };
    let Ok(index) = repo.git.index_or_empty() else { return };
    let mut dirs = std::collections::BTreeSet::new();
    for entry in index.entries() {
        let path = entry.path(&index);
        let mut end = path.len();
        while let Some(slash) = path[..end].iter().rposition(|&b| b == b'/') {
            if !dirs.insert(path[..slash].to_vec()) {
                break;
            }
            end = slash;
        }
    }
    let needed = dirs.len() as u64 + 1;
    if needed > limit {
        found.fix(
            "inotify",
            Status::Problem,
            format!("the work tree has {needed} directories, more than fs.inotify.max_user_watches ({limit}): the watcher cannot watch them all"),
            format!("sudo sysctl fs.inotify.max_user_watches={}", (needed * 2).max(524_288)),
        );
    } else if needed * 2 > limit {
        found.fix(
            "inotify",
            Status::Warning,
            format!("{needed} directories use over half of fs.inotify.max_user_watches ({limit}), which other programs share"),
            format!("sudo sysctl fs.inotify.max_user_watches={}", (needed * 4).max(524_288)),
        );
    } else {
        found.add("inotify", Status::Ok, format!("{}, limit {limit}", plural(needed, "directory")));
    }
}

fn protection(repo: &Repo, found: &mut Findings) {
    let head = crate::commands::policy::head_of(repo);
    let policy = match crate::protect::policy_named(&repo.git, head, "HEAD") {
        Ok((policy, _)) => policy,
        Err(e) => {
            return found.fix(
                "protection",
                Status::Problem,
                e.message,
                "fix trail.toml's [protect] table and commit it",
            );
        }
    };
    let authorizers = policy.authorizers();
    if authorizers.is_empty() {
        found.fix(
            "protection",
            Status::Note,
            "no authorizer is named in the committed trail.toml: MCP configurations are not protected yet",
            "trail keygen --add (then commit trail.toml)",
        );
        return;
    }
    let mine = own_keys();
    let ours: Vec<String> = authorizers
        .iter()
        .filter(|k| mine.iter().any(|m| m.id() == k.id()))
        .map(|k| k.name().unwrap_or(k.id().as_str()).to_owned())
        .collect();
    let message = format!(
        "{} authorizer{} named{}",
        authorizers.len(),
        if authorizers.len() == 1 { "" } else { "s" },
        if ours.is_empty() {
            String::new()
        } else {
            format!("; you hold the key of {}", ours.join(", "))
        }
    );
    found.add("protection", Status::Ok, message);
}

/// AI coding agents whose trail hooks were installed here, or whose settings
/// hold some: missing, unreadable or changed since `trail agent install`.
fn agents(repo: &Repo, workdir: &Path, found: &mut Findings) {
    let trail_dir = repo.location.trail_dir();
    for agent in trail_agent::Agent::ALL {
        let st = trail_agent::settings::status(workdir, &trail_dir, agent);
        if !st.installed && st.hooked.is_empty() {
            continue;
        }
        let path = agent.settings_path();
        let fix = format!("trail agent install {agent} (then commit {path}; it is protected)");
        if !st.exists {
            found.fix(
                "agents",
                Status::Problem,
                format!("{agent}: {path} is gone: its trail hooks are missing"),
                fix,
            );
        } else if let Some(e) = &st.unreadable {
            found.fix("agents", Status::Problem, format!("{agent}: {path} is not JSON ({e})"), fix);
        } else if !st.missing.is_empty() {
            found.fix(
                "agents",
                Status::Problem,
                format!("{agent}: {path} has no trail hook for {}", st.missing.join(", ")),
                fix,
            );
        } else if st.altered {
            found.add(
                "agents",
                Status::Note,
                format!("{agent}: {path} changed since `trail agent install`; trail's hooks are all there"),
            );
        } else {
            found.add("agents", Status::Ok, format!("{agent}: hooked ({path})"));
        }
    }
}

/// The public halves of the private keys in `$XDG_CONFIG_HOME/trail/keys/`.
fn own_keys() -> Vec<trail_policy::PublicKey> {
    let Ok(dir) = crate::commands::keygen::keys_dir() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "key"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| trail_policy::keys::decode_private_key(&text).ok())
        .map(|key| key.public())
        .collect()
}

fn changelogs(repo: &Repo, workdir: &Path, config: &crate::config::Config, found: &mut Findings) {
    match crate::commands::changelog::coverage(repo, workdir, config) {
        Ok((findings, required)) if findings.is_empty() => found.add(
            "changelogs",
            Status::Ok,
            match required {
                1 => "the one directory that needs one has a well-formed CHANGELOG.md".to_owned(),
                n => format!("all {n} directories that need one have a well-formed CHANGELOG.md"),
            },
        ),
        Ok((findings, _)) => {
            let (missing, broken): (Vec<_>, Vec<_>) =
                findings.iter().partition(|f| f["kind"] == "missing");
            let example =
                |f: &serde_json::Value| f["message"].as_str().unwrap_or_default().to_owned();
            if let Some(first) = missing.first() {
                found.fix(
                    "changelogs",
                    Status::Warning,
                    format!(
                        "{} director{} without a CHANGELOG.md, e.g. {}",
                        missing.len(),
                        if missing.len() == 1 { "y" } else { "ies" },
                        example(first)
                    ),
                    "`trail changelog sync` creates them (or exclude directories: [changelog] exclude in trail.toml)",
                );
            }
            if let Some(first) = broken.first() {
                found.fix(
                    "changelogs",
                    Status::Warning,
                    format!(
                        "{} CHANGELOG.md file{} trail cannot edit, e.g. {}",
                        broken.len(),
                        if broken.len() == 1 { "" } else { "s" },
                        example(first)
                    ),
                    "fix each at the line `trail changelog check` names (or exclude its directory: [changelog] exclude in trail.toml)",
                );
            }
        }
        Err(e) => found.add("changelogs", Status::Warning, e.message),
    }
}
