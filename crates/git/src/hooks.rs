//! The hooks directory: where git runs hooks, and putting trail's shims there
//! (and taking them away) without losing a hook that was there before.
//!
//! The shim text and the list of hooks come from the caller (the CLI owns the
//! `trail hook NAME` contract); this module knows only the marker line that
//! identifies a shim as trail's, and the `NAME.trail-chained` convention.
//! It also registers the changelog merge driver (a config entry plus a line in
//! `info/attributes`), because that is installed and removed with the hooks.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::RepoLocation;

/// Every shim trail writes contains a line starting with this; any version.
pub const SHIM_MARKER: &str = "# trail-managed-hook v";

/// The suffix a hook that was there before trail is renamed to.
pub const CHAINED_SUFFIX: &str = ".trail-chained";

/// Which configuration file set `core.hooksPath`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigScope {
    /// The repository's own config (`$GIT_COMMON_DIR/config`), or a file it includes.
    Local,
    /// The worktree config (`config.worktree`, with `extensions.worktreeConfig`).
    Worktree,
    /// The user's config (`~/.gitconfig`, `$XDG_CONFIG_HOME/git/config`, `GIT_CONFIG_GLOBAL`).
    Global,
    /// The system config (`/etc/gitconfig`, `GIT_CONFIG_SYSTEM`).
    System,
    /// The config shipped with the git installation.
    GitInstallation,
    /// The environment (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`), `git -c`, or a program override.
    Environment,
}

impl ConfigScope {
    /// Does a value from this scope belong to this repository alone?
    pub fn is_repository(self) -> bool {
        matches!(self, ConfigScope::Local | ConfigScope::Worktree)
    }

    fn from_source(source: gix::config::Source) -> Self {
        use gix::config::Source;
        match source {
            Source::Local => ConfigScope::Local,
            Source::Worktree => ConfigScope::Worktree,
            Source::Git | Source::User => ConfigScope::Global,
            Source::System => ConfigScope::System,
            Source::GitInstallation => ConfigScope::GitInstallation,
            Source::Env | Source::Cli | Source::Api | Source::EnvOverride => {
                ConfigScope::Environment
            }
        }
    }
}

impl std::fmt::Display for ConfigScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConfigScope::Local => "repository",
            ConfigScope::Worktree => "worktree",
            ConfigScope::Global => "global (per-user)",
            ConfigScope::System => "system",
            ConfigScope::GitInstallation => "git installation",
            ConfigScope::Environment => "environment or command-line",
        })
    }
}

/// Why git looks for hooks where it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HooksOrigin {
    /// No `core.hooksPath`: `$GIT_COMMON_DIR/hooks`, shared by all worktrees.
    Default,
    /// `core.hooksPath`, as written, and the file that set it.
    HooksPath { value: String, scope: ConfigScope, file: Option<PathBuf> },
}

/// The directory git runs this repository's hooks from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HooksDir {
    /// Absolute.
    pub path: PathBuf,
    pub origin: HooksOrigin,
    /// A bare repository: no commits are made there, so client hooks do not apply.
    pub bare: bool,
    /// The work tree, when the hooks dir lies inside it (its files then show in `git status`).
    pub inside_worktree: Option<PathBuf>,
}

impl HooksDir {
    /// `core.hooksPath` comes from a config file other repositories read too
    /// (global, system, environment): changing its hooks changes theirs.
    pub fn is_shared(&self) -> bool {
        matches!(&self.origin, HooksOrigin::HooksPath { scope, .. } if !scope.is_repository())
    }

    /// [`HooksError::SharedHooksPath`] when [`is_shared`](Self::is_shared) and not `force`:
    /// the check `install` and `uninstall` make first, for callers that want it earlier.
    pub fn refuse_shared(&self, force: bool) -> Result<(), HooksError> {
        match &self.origin {
            HooksOrigin::HooksPath { scope, file, .. } if !scope.is_repository() && !force => {
                Err(HooksError::SharedHooksPath {
                    dir: self.path.clone(),
                    scope: *scope,
                    file: file.clone(),
                })
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HooksError {
    #[error("core.hooksPath cannot be read: {0}")]
    BadHooksPath(String),
    #[error(
        "core.hooksPath ({}) is set in the {scope} git config{}, so it is the hooks directory of every repository that reads that config; installing there would change their hooks too",
        dir.display(),
        file.as_ref().map(|f| format!(" ({})", f.display())).unwrap_or_default()
    )]
    SharedHooksPath { dir: PathBuf, scope: ConfigScope, file: Option<PathBuf> },
    #[error(
        "{} is not trail's and {} already exists: installing would have to overwrite one of them",
        hook.display(),
        chained.display()
    )]
    ChainedCollision { hook: PathBuf, chained: PathBuf },
    #[error("{} is a directory, not a hook", path.display())]
    NotAFile { path: PathBuf },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot update the git config {}: {}", path.display(), source.message())]
    Config {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
}

impl HooksError {
    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> HooksError {
        let path = path.to_owned();
        move |source| HooksError::Io { action, path, source }
    }

    /// The I/O error underneath, if any (to tell "permission denied" apart).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            HooksError::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
}

/// Where git runs hooks for this repository: `core.hooksPath` when set (a
/// relative value is relative to the top of the work tree, or to the git dir
/// of a bare repository, as `git help githooks` says: that is where git runs
/// hooks), else `$GIT_COMMON_DIR/hooks`.
pub fn hooks_dir(location: &RepoLocation, repo: &gix::Repository) -> Result<HooksDir, HooksError> {
    let bare = location.workdir.is_none();
    let snapshot = repo.config_snapshot();
    let configured = snapshot
        .plumbing()
        .raw_value_with_section("core.hooksPath")
        .ok()
        .map(|(value, section)| (value.to_string(), section.meta().clone()));
    let (path, origin) = match configured {
        None => (location.common_dir.join("hooks"), HooksOrigin::Default),
        Some((value, meta)) => {
            // `~/` and friends are expanded as git does for pathname values.
            let interpolated = snapshot
                .trusted_path("core.hooksPath")
                .map_err(|e| HooksError::BadHooksPath(e.to_string()))?
                .ok_or_else(|| {
                    HooksError::BadHooksPath(format!(
                        "{value:?} is set in a config file git does not trust"
                    ))
                })?;
            let base = location.workdir.as_deref().unwrap_or(&location.git_dir);
            let path = lexical(&base.join(interpolated));
            let origin = HooksOrigin::HooksPath {
                value,
                scope: ConfigScope::from_source(meta.source),
                file: meta.path.as_deref().map(|p| location.common_dir.join(p)),
            };
            (path, origin)
        }
    };
    // `.git/hooks` is below the work tree's top too, but git's own files never show.
    let inside_worktree = location
        .workdir
        .as_ref()
        .filter(|w| inside(&path, w))
        .filter(|_| !inside(&path, &location.common_dir) && !inside(&path, &location.git_dir))
        .cloned();
    Ok(HooksDir { path, origin, bare, inside_worktree })
}

/// Is `path` (which may not exist yet) below `dir`? Compares the real location
/// of the longest existing ancestor.
fn inside(path: &Path, dir: &Path) -> bool {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let mut existing = path;
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = real(existing);
    resolved.extend(rest.iter().rev());
    resolved.starts_with(real(dir))
}

/// Resolve `.` and `..` without touching the file system.
pub fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}
/// One shim to install: the hook's file name and the complete file.
#[derive(Debug, Clone, Copy)]
pub struct Shim<'a> {
    pub name: &'a str,
    pub content: &'a str,
}

/// What is at a hook's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookFile {
    Missing,
    /// trail's shim, byte for byte the one this trail writes.
    Current,
    /// trail's shim from another version of trail.
    Outdated,
    /// Anything else: a user's hook, another tool's, a symlink.
    Foreign {
        symlink: bool,
        executable: bool,
    },
}

impl HookFile {
    fn is_shim(&self) -> bool {
        matches!(self, HookFile::Current | HookFile::Outdated)
    }
}

/// A hook manager trail lives beside. Each writes its own script in place of
/// a hook; they differ in what they do with the hook that was there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// lefthook: keeps a replaced hook as `NAME.old` and never runs it; its
    /// `lefthook run` re-writes the hooks named in `lefthook.yml` whenever
    /// that file changes (moving a hook that is not its own to `NAME.old`).
    Lefthook,
    /// husky 9: `core.hooksPath = .husky/_`, whose `NAME` files (re-written by
    /// every `husky` run, e.g. `npm install`) run `.husky/NAME`.
    Husky,
    /// The pre-commit framework: keeps a replaced hook as `NAME.legacy` and
    /// runs it first ("migration mode"); `pre-commit uninstall` puts it back.
    PreCommit,
}

impl Manager {
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Lefthook => "lefthook",
            Manager::Husky => "husky",
            Manager::PreCommit => "pre-commit",
        }
    }

    /// Whose generated hook script is this?
    pub fn of_script(bytes: &[u8]) -> Option<Manager> {
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        if has("# File generated by pre-commit") {
            Some(Manager::PreCommit)
        } else if has("call_lefthook") && has("LEFTHOOK") {
            Some(Manager::Lefthook)
        } else if has("/h\"") && has("$(dirname \"$0\")") && bytes.len() < 200 {
            // husky 9's `.husky/_/NAME`: `. "$(dirname "$0")/h"`.
            Some(Manager::Husky)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The names a manager keeps a hook it replaced under: a trail shim found
/// there was put there by the manager, not by trail.
pub const STASH_SUFFIXES: [&str; 2] = [".old", ".legacy"];

/// The suffix of the slot the pre-commit framework runs first.
const LEGACY_SUFFIX: &str = ".legacy";

/// The configuration files, relative to the top of the work tree, through
/// which a manager can run `trail hook NAME` itself.
pub fn manager_configs(manager: Manager) -> &'static [&'static str] {
    match manager {
        Manager::Lefthook => &[
            "lefthook.yml",
            "lefthook.yaml",
            ".lefthook.yml",
            ".lefthook.yaml",
            ".config/lefthook.yml",
            ".config/lefthook.yaml",
            "lefthook.toml",
            ".lefthook.toml",
            "lefthook.json",
            ".lefthook.json",
            "lefthook-local.yml",
            "lefthook-local.yaml",
            ".lefthook-local.yml",
            ".lefthook-local.yaml",
            ".config/lefthook-local.yml",
            ".config/lefthook-local.yaml",
        ],
        Manager::PreCommit => &[".pre-commit-config.yaml", ".pre-commit-config.yml"],
        // husky's `.husky/NAME` is found beside its hooks dir, not here.
        Manager::Husky => &[],
    }
}

/// Does `text` run `trail hook NAME` on a line that is not a comment?
pub fn calls_trail_hook(text: &[u8], name: &str) -> bool {
    let needle = format!("trail hook {name}");
    text.split(|b| *b == b'\n').any(|line| {
        let line = line.trim_ascii();
        if line.starts_with(b"#") {
            return false;
        }
        line.windows(needle.len()).enumerate().any(|(i, w)| {
            w == needle.as_bytes()
                && line
                    .get(i + needle.len())
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'))
        })
    })
}

/// How git gets to `trail hook NAME` for one hook, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// trail's shim is the hook git runs.
    Shim,
    /// trail's shim is `NAME.legacy`, which the pre-commit framework's script
    /// (the hook git runs) runs first.
    Legacy,
    /// The hook git runs is not trail's, but this file runs `trail hook NAME`:
    /// a manager's configuration (`lefthook.yml`, `.pre-commit-config.yaml`,
    /// `.husky/NAME`) or a hook of your own.
    Calls(PathBuf),
    /// trail does not run: its shim was moved to `stash` by a manager, which
    /// never runs it (or runs it where it cannot work).
    Displaced(PathBuf),
    /// trail does not run, and no trail shim is anywhere near.
    Off,
}

impl Route {
    /// Does git run `trail hook NAME` (once) for this hook?
    pub fn runs_trail(&self) -> bool {
        matches!(self, Route::Shim | Route::Legacy | Route::Calls(_))
    }
}

/// What `install` did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The shim was already there, byte for byte.
    Unchanged,
    /// Nothing was there: the shim was written.
    Written,
    /// An older trail shim was replaced.
    Updated,
    /// A hook that was there was renamed to `NAME.trail-chained`; the shim runs it.
    Chained,
    /// The pre-commit framework's script is the hook: the shim went to
    /// `NAME.legacy`, which that script runs first.
    Legacy,
    /// The hook there already runs `trail hook NAME` (through a manager's
    /// configuration or itself): left as it is, no shim.
    Delegated,
}

/// What `uninstall` did to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// trail's shim was removed; nothing was chained.
    Removed,
    /// trail's shim was removed and `NAME.trail-chained` renamed back to `NAME`.
    Restored,
    /// `NAME` is not trail's: left alone (and `NAME.trail-chained` with it, if present).
    LeftForeign { chained_kept: bool },
}

/// One hook's state, for `trail hooks status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookStatus {
    pub name: String,
    pub file: HookFile,
    /// `NAME.trail-chained` exists; `Some(true)` when it is executable (the shim runs it).
    pub chained: Option<bool>,
    /// The manager whose script the hook git runs is (for husky: whose
    /// hooks dir this is).
    pub manager: Option<Manager>,
    /// Whether and how git gets to trail.
    pub route: Route,
}

/// Inspect one hook path without following a symlink.
pub fn inspect(path: &Path, expected: &str) -> Result<HookFile, HooksError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HookFile::Missing),
        Err(e) => return Err(HooksError::io("read", path)(e)),
    };
    if meta.file_type().is_symlink() {
        let executable = std::fs::metadata(path).map(|m| is_executable(&m)).unwrap_or(false);
        return Ok(HookFile::Foreign { symlink: true, executable });
    }
    if meta.is_dir() {
        return Err(HooksError::NotAFile { path: path.to_owned() });
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(HooksError::io("read", path))?;
    if !is_shim(&head) {
        return Ok(HookFile::Foreign { symlink: false, executable: is_executable(&meta) });
    }
    let whole = std::fs::read(path).map_err(HooksError::io("read", path))?;
    if whole == expected.as_bytes() && is_executable(&meta) {
        Ok(HookFile::Current)
    } else {
        Ok(HookFile::Outdated)
    }
}

/// Does this file start (within its first lines) with trail's marker?
fn is_shim(bytes: &[u8]) -> bool {
    bytes.split(|b| *b == b'\n').take(5).any(|line| line.starts_with(SHIM_MARKER.as_bytes()))
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    true
}

fn chained_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{CHAINED_SUFFIX}"))
}

fn suffixed(dir: &Path, name: &str, suffix: &str) -> PathBuf {
    dir.join(format!("{name}{suffix}"))
}

/// The first 64 KiB of a regular file (following a symlink); empty when unreadable.
fn head_of(path: &Path) -> Vec<u8> {
    let mut head = Vec::new();
    let _ = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    head
}

/// Is `path` trail's shim (any version)? Missing or unreadable: no.
fn shim_at(path: &Path) -> bool {
    matches!(inspect(path, ""), Ok(HookFile::Outdated | HookFile::Current))
}

/// The hooks dir of husky 9 (`core.hooksPath = .husky/_`, with its `h`
/// dispatcher): returns the folder whose `NAME` files husky runs (`.husky`).
pub fn husky_project(dir: &HooksDir) -> Option<PathBuf> {
    if dir.path.file_name()? != "_" {
        return None;
    }
    let h = head_of(&dir.path.join("h"));
    let has = |needle: &[u8]| h.windows(needle.len()).any(|w| w == needle);
    (has(b"husky") && has(b"basename \"$0\"")).then(|| dir.path.parent().map(Path::to_owned))?
}

/// The configuration file of `manager` in `workdir` that runs `trail hook NAME`.
fn config_calling(manager: Manager, workdir: Option<&Path>, name: &str) -> Option<PathBuf> {
    let workdir = workdir?;
    manager_configs(manager)
        .iter()
        .map(|file| workdir.join(file))
        .find(|path| calls_trail_hook(&head_of(path), name))
}

/// How git reaches `trail hook NAME` through the hook at `dir/NAME` (a file
/// that is not trail's shim): the manager whose script it is, and the file
/// that runs trail, if any.
fn route_through(dir: &Path, workdir: Option<&Path>, name: &str) -> (Option<Manager>, Route) {
    let path = dir.join(name);
    let head = head_of(&path);
    let manager = Manager::of_script(&head);
    if calls_trail_hook(&head, name) {
        return (manager, Route::Calls(path));
    }
    if let Some(manager) = manager {
        if let Some(config) = config_calling(manager, workdir, name) {
            return (Some(manager), Route::Calls(config));
        }
        if manager == Manager::PreCommit && shim_at(&suffixed(dir, name, LEGACY_SUFFIX)) {
            return (Some(manager), Route::Legacy);
        }
    }
    let displaced = STASH_SUFFIXES
        .iter()
        .map(|suffix| suffixed(dir, name, suffix))
        .find(|stash| shim_at(stash));
    (manager, displaced.map_or(Route::Off, Route::Displaced))
}

/// The state of each hook in `shims`. `workdir` is where the managers'
/// configurations are looked for.
pub fn status(
    dir: &HooksDir,
    workdir: Option<&Path>,
    shims: &[Shim<'_>],
) -> Result<Vec<HookStatus>, HooksError> {
    let husky = husky_project(dir);
    shims
        .iter()
        .map(|shim| {
            let file = inspect(&dir.path.join(shim.name), shim.content)?;
            let chained_path = chained_path(&dir.path, shim.name);
            let chained = std::fs::metadata(&chained_path).ok().map(|m| is_executable(&m));
            let chained = chained.or_else(|| {
                // A dangling symlink: present, but git could not run it either.
                std::fs::symlink_metadata(&chained_path).ok().map(|_| false)
            });
            let (manager, route) = match (&file, &husky) {
                (HookFile::Current | HookFile::Outdated, _) => {
                    let manager = chained
                        .and_then(|_| Manager::of_script(&head_of(&chained_path)))
                        .or(husky.as_ref().map(|_| Manager::Husky));
                    (manager, Route::Shim)
                }
                (HookFile::Missing, None) => (None, Route::Off),
                (_, Some(project)) => {
                    // husky runs `.husky/NAME` from its `_/NAME`.
                    let script = project.join(shim.name);
                    let route = if matches!(file, HookFile::Missing) {
                        Route::Off
                    } else if calls_trail_hook(&head_of(&script), shim.name) {
                        Route::Calls(script)
                    } else {
                        route_through(&dir.path, workdir, shim.name).1
                    };
                    (Some(Manager::Husky), route)
                }
                (HookFile::Foreign { .. }, None) => route_through(&dir.path, workdir, shim.name),
            };
            Ok(HookStatus { name: shim.name.to_owned(), file, chained, manager, route })
        })
        .collect()
}

/// What to do with one hook, decided before anything changes.
enum Step {
    Keep,
    Write,
    /// Rename `NAME` to `NAME.trail-chained`, then write the shim at `NAME`.
    Chain,
    /// Rename `NAME.trail-chained` (a manager's script) back to `NAME` first.
    Unchain,
}

/// Write each shim into the hooks dir (created if missing), so that git runs
/// `trail hook NAME` exactly once for each, beside any hook manager.
///
/// - A hook that is not trail's is renamed to `NAME.trail-chained` first, and
///   the shim runs it after trail.
/// - The pre-commit framework's script stays where it is (so that
///   `pre-commit uninstall` finds it); the shim goes to `NAME.legacy`, which
///   that script runs first.
/// - A hook that already runs `trail hook NAME` (itself, or through its
///   manager's configuration in `workdir`) is left alone.
/// - A trail shim that a manager moved aside (`NAME.old`, `NAME.legacy`) is
///   removed: the manager would run it twice, or never.
///
/// Every hook is checked before anything changes: when a foreign `NAME` and
/// a different foreign `NAME.trail-chained` both exist, nothing is written
/// ([`HooksError::ChainedCollision`]); a stale copy of the same manager's
/// script is replaced. A hooks dir set by a global, system or environment
/// `core.hooksPath` is refused unless `force`.
pub fn install(
    dir: &HooksDir,
    workdir: Option<&Path>,
    shims: &[Shim<'_>],
    force: bool,
) -> Result<Vec<(String, Installed)>, HooksError> {
    dir.refuse_shared(force)?;
    let mut plan = Vec::with_capacity(shims.len());
    for shim in shims {
        let path = dir.path.join(shim.name);
        let chained = chained_path(&dir.path, shim.name);
        let mut file = inspect(&path, shim.content)?;
        let chained_file = match inspect(&chained, shim.content) {
            Err(HooksError::NotAFile { .. }) => {
                HookFile::Foreign { symlink: false, executable: false }
            }
            other => other?,
        };
        let chained_manager = (!chained_file.is_shim() && chained_file != HookFile::Missing)
            .then(|| Manager::of_script(&head_of(&chained)))
            .flatten();
        // trail's shim in front of a manager's script (an older trail's way):
        // judge the manager's script as if it were back at NAME.
        let mut step = Step::Keep;
        let mut front = path.clone();
        if file.is_shim() && chained_manager.is_some() {
            step = Step::Unchain;
            front = chained.clone();
            file = HookFile::Foreign { symlink: false, executable: true };
        }
        let head = head_of(&front);
        let manager = Manager::of_script(&head);
        let action = match &file {
            HookFile::Missing => {
                step = Step::Write;
                Installed::Written
            }
            HookFile::Current => Installed::Unchanged,
            HookFile::Outdated => {
                step = Step::Write;
                Installed::Updated
            }
            HookFile::Foreign { .. }
                if calls_trail_hook(&head, shim.name)
                    || manager.is_some_and(|m| config_calling(m, workdir, shim.name).is_some()) =>
            {
                Installed::Delegated
            }
            HookFile::Foreign { .. } if manager == Some(Manager::PreCommit) => {
                let legacy = suffixed(&dir.path, shim.name, LEGACY_SUFFIX);
                match inspect(&legacy, shim.content) {
                    Ok(HookFile::Current) if matches!(step, Step::Keep) => Installed::Unchanged,
                    Ok(HookFile::Missing | HookFile::Current | HookFile::Outdated) => {
                        Installed::Legacy
                    }
                    // A hook of yours that pre-commit runs in migration mode:
                    // the shim chains it (NAME.trail-chained is free, or is
                    // the pre-commit script going back to NAME).
                    Ok(HookFile::Foreign { .. }) if matches!(step, Step::Unchain) => {
                        Installed::Legacy
                    }
                    Ok(HookFile::Foreign { .. }) if chained_file == HookFile::Missing => {
                        Installed::Legacy
                    }
                    Ok(HookFile::Foreign { .. }) | Err(HooksError::NotAFile { .. }) => {
                        return Err(HooksError::ChainedCollision { hook: legacy, chained });
                    }
                    Err(e) => return Err(e),
                }
            }
            HookFile::Foreign { .. } if matches!(step, Step::Unchain) => {
                // A manager's script that trail runs after itself: as it should be.
                step = Step::Keep;
                if inspect(&path, shim.content)? == HookFile::Current {
                    Installed::Unchanged
                } else {
                    step = Step::Write;
                    Installed::Updated
                }
            }
            HookFile::Foreign { .. } => {
                let stale = chained_manager.is_some() && chained_manager == manager
                    || std::fs::read(&chained).ok() == std::fs::read(&path).ok();
                match &chained_file {
                    HookFile::Missing | HookFile::Current | HookFile::Outdated => {}
                    // The manager re-wrote its script at NAME; the copy trail
                    // kept is an older one of the same: nothing is lost.
                    HookFile::Foreign { .. } if stale => {}
                    HookFile::Foreign { .. } => {
                        return Err(HooksError::ChainedCollision { hook: path, chained });
                    }
                }
                step = Step::Chain;
                Installed::Chained
            }
        };
        // Where the shim stays: NAME.legacy beside pre-commit's script.
        let legacy_slot = action == Installed::Legacy
            || (action == Installed::Unchanged && manager == Some(Manager::PreCommit));
        plan.push((shim, path, step, action, legacy_slot));
    }
    std::fs::create_dir_all(&dir.path).map_err(HooksError::io("create", &dir.path))?;
    let mut done = Vec::with_capacity(plan.len());
    for (shim, path, step, action, legacy_slot) in plan {
        let chained = chained_path(&dir.path, shim.name);
        let legacy = suffixed(&dir.path, shim.name, LEGACY_SUFFIX);
        match step {
            Step::Keep => {}
            Step::Write => write_atomically(&path, shim.content.as_bytes(), 0o755)?,
            Step::Chain => {
                // Write the shim beside it first, so the hook is missing only
                // between two renames.
                let staged = stage(&path, shim.content.as_bytes(), 0o755)?;
                std::fs::rename(&path, &chained).map_err(HooksError::io("rename", &path))?;
                staged.persist(&path).map_err(|e| HooksError::io("write", &path)(e.error))?;
            }
            Step::Unchain => {
                std::fs::rename(&chained, &path).map_err(HooksError::io("rename", &chained))?;
            }
        }
        if action == Installed::Legacy {
            if matches!(inspect(&legacy, shim.content)?, HookFile::Foreign { .. }) {
                std::fs::rename(&legacy, &chained).map_err(HooksError::io("rename", &legacy))?;
            }
            write_atomically(&legacy, shim.content.as_bytes(), 0o755)?;
        }
        // A shim a manager moved aside runs twice (pre-commit's migration
        // mode) or never (lefthook's NAME.old), and a manager's uninstall
        // would put it back: it goes.
        for suffix in STASH_SUFFIXES {
            let stash = suffixed(&dir.path, shim.name, suffix);
            let ours = legacy_slot && suffix == LEGACY_SUFFIX;
            if !ours && shim_at(&stash) {
                std::fs::remove_file(&stash).map_err(HooksError::io("remove", &stash))?;
            }
        }
        // The stale copy of a manager's script that trail kept, when the
        // manager's own script now runs trail.
        if action == Installed::Delegated
            && !shim_at(&chained)
            && Manager::of_script(&head_of(&chained)).is_some()
            && Manager::of_script(&head_of(&chained)) == Manager::of_script(&head_of(&path))
        {
            std::fs::remove_file(&chained).map_err(HooksError::io("remove", &chained))?;
        }
        done.push((shim.name.to_owned(), action));
    }
    Ok(done)
}

/// Remove every trail shim from the hooks dir, including those a manager
/// moved aside (`NAME.old`, `NAME.legacy`), and rename each
/// `NAME.trail-chained` back to where the shim was (content, mode and
/// symlink-ness as they were: it is a rename). A stale copy of a manager's
/// script beside that manager's current one goes too. Hooks that are not
/// trail's are left alone (and reported when they are among `hooks`, the
/// names trail installs). Finds shims by their marker, so shims of hooks this
/// trail no longer installs go too.
pub fn uninstall(
    dir: &HooksDir,
    hooks: &[&str],
    force: bool,
) -> Result<Vec<(String, Uninstalled)>, HooksError> {
    dir.refuse_shared(force)?;
    let entries = match std::fs::read_dir(&dir.path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(HooksError::io("read", &dir.path)(e)),
    };
    let mut names: std::collections::BTreeSet<String> =
        hooks.iter().map(|h| (*h).to_owned()).collect();
    for entry in entries {
        let entry = entry.map_err(HooksError::io("read", &dir.path))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if let Some(hook) = name.strip_suffix(CHAINED_SUFFIX) {
            names.insert(hook.to_owned());
        } else if let Some(hook) = STASH_SUFFIXES.iter().find_map(|s| name.strip_suffix(s)) {
            if !hook.contains('.') && shim_at(&entry.path()) {
                names.insert(hook.to_owned());
            }
        } else if !name.contains('.') && shim_at(&entry.path()) {
            // Git's hook names have no dots; `*.sample` and the like are not hooks.
            names.insert(name);
        }
    }
    let mut done = Vec::new();
    for name in names {
        let path = dir.path.join(&name);
        let chained = chained_path(&dir.path, &name);
        let legacy = suffixed(&dir.path, &name, LEGACY_SUFFIX);
        let mut has_chained = std::fs::symlink_metadata(&chained).is_ok();
        // Where the shim git (or pre-commit) runs is: NAME, else NAME.legacy.
        let slot = [&path, &legacy].into_iter().find(|p| shim_at(p)).cloned();
        let mut stashed = false;
        for suffix in STASH_SUFFIXES {
            let stash = suffixed(&dir.path, &name, suffix);
            if Some(&stash) != slot.as_ref() && shim_at(&stash) {
                std::fs::remove_file(&stash).map_err(HooksError::io("remove", &stash))?;
                stashed = true;
            }
        }
        if let Err(e @ HooksError::Io { .. }) = inspect(&path, "") {
            return Err(e);
        }
        if slot.is_none() && has_chained {
            let manager = Manager::of_script(&head_of(&chained));
            if manager.is_some() && manager == Manager::of_script(&head_of(&path)) {
                // A stale copy of the manager's script now back at NAME.
                std::fs::remove_file(&chained).map_err(HooksError::io("remove", &chained))?;
                has_chained = false;
            }
        }
        let Some(slot) = slot else {
            if std::fs::symlink_metadata(&path).is_ok() {
                done.push((name, Uninstalled::LeftForeign { chained_kept: has_chained }));
            } else if has_chained {
                // Nothing at NAME: the hook trail kept is all there is.
                std::fs::rename(&chained, &path).map_err(HooksError::io("rename", &chained))?;
                done.push((name, Uninstalled::Restored));
            } else if stashed {
                done.push((name, Uninstalled::Removed));
            }
            continue;
        };
        if has_chained {
            // rename replaces the shim in one step.
            std::fs::rename(&chained, &slot).map_err(HooksError::io("rename", &chained))?;
            done.push((name, Uninstalled::Restored));
        } else {
            std::fs::remove_file(&slot).map_err(HooksError::io("remove", &slot))?;
            done.push((name, Uninstalled::Removed));
        }
    }
    Ok(done)
}

/// The first line of the block `trail hooks install` writes into a file a
/// manager runs (husky's `.husky/NAME`); any version.
pub const BLOCK_BEGIN: &str = "# >>> trail-managed-block v";
/// The last line of that block.
pub const BLOCK_END: &str = "# <<< trail-managed-block";

/// Put `block` (which starts with [`BLOCK_BEGIN`] and ends with
/// [`BLOCK_END`]) first in the script at `path` (after its `#!` line),
/// replacing a block of an older trail; create the file when missing. Says
/// whether the file changed.
pub fn add_block(path: &Path, block: &str) -> Result<bool, HooksError> {
    let text = read_optional(path)?;
    let (without, _) = strip_block(&text);
    let mut lines = without.split_inclusive(|b| *b == b'\n');
    let mut new = Vec::with_capacity(without.len() + block.len());
    let first = lines.clone().next();
    if let Some(shebang) = first.filter(|l| l.starts_with(b"#!")) {
        new.extend_from_slice(shebang);
        if !shebang.ends_with(b"\n") {
            new.push(b'\n');
        }
        lines.next();
    }
    new.extend_from_slice(block.as_bytes());
    if !block.ends_with('\n') {
        new.push(b'\n');
    }
    for line in lines {
        new.extend_from_slice(line);
    }
    if new == text {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(HooksError::io("create", parent))?;
    }
    let mode = mode_of(path).unwrap_or(0o755);
    write_atomically(path, &new, mode)?;
    Ok(true)
}

/// Does the script at `path` hold trail's block?
pub fn has_block(path: &Path) -> bool {
    strip_block(&head_of(path)).1
}

/// Remove trail's block from the script at `path`; remove the file when
/// nothing but a `#!` line is left (trail created it). Says whether it changed.
pub fn remove_block(path: &Path) -> Result<bool, HooksError> {
    let text = read_optional(path)?;
    let (kept, found) = strip_block(&text);
    if !found {
        return Ok(false);
    }
    let rest = kept.split(|b| *b == b'\n').filter(|l| !l.trim_ascii().is_empty());
    if rest.clone().count() == 0 || rest.clone().all(|l| l.starts_with(b"#!")) {
        std::fs::remove_file(path).map_err(HooksError::io("remove", path))?;
    } else {
        let mode = mode_of(path).unwrap_or(0o755);
        write_atomically(path, &kept, mode)?;
    }
    Ok(true)
}

/// `text` without trail's block (from a [`BLOCK_BEGIN`] line to the next
/// [`BLOCK_END`] line), and whether there was one.
fn strip_block(text: &[u8]) -> (Vec<u8>, bool) {
    let mut kept = Vec::with_capacity(text.len());
    let (mut inside, mut found) = (false, false);
    for line in text.split_inclusive(|b| *b == b'\n') {
        let trimmed = line.trim_ascii();
        if !inside && trimmed.starts_with(BLOCK_BEGIN.as_bytes()) {
            inside = true;
            found = true;
        } else if inside {
            if trimmed.starts_with(BLOCK_END.as_bytes()) {
                inside = false;
            }
        } else {
            kept.extend_from_slice(line);
        }
    }
    (kept, found)
}

/// A temporary file beside `path` holding `content` with `mode`, ready to be
/// renamed into place.
fn stage(path: &Path, content: &[u8], mode: u32) -> Result<tempfile::NamedTempFile, HooksError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".trail-tmp-")
        .tempfile_in(dir)
        // tempfile's error names its random file; the directory says enough.
        .map_err(|e| HooksError::io("write in", dir)(std::io::Error::from(e.kind())))?;
    tmp.write_all(content).map_err(HooksError::io("write", tmp.path()))?;
    tmp.as_file().sync_all().map_err(HooksError::io("write", tmp.path()))?;
    set_mode(tmp.as_file(), mode).map_err(HooksError::io("set the mode of", tmp.path()))?;
    Ok(tmp)
}

/// Replace `path` with `content` in one rename: readers see the old file or the new one.
fn write_atomically(path: &Path, content: &[u8], mode: u32) -> Result<(), HooksError> {
    stage(path, content, mode)?
        .persist(path)
        .map_err(|e| HooksError::io("write", path)(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> Option<u32> {
    None
}

/// A custom merge driver: `merge.<id>.name`, `merge.<id>.driver`, and the
/// attributes line `<pattern> merge=<id>` that selects it.
#[derive(Debug, Clone, Copy)]
pub struct MergeDriver<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub driver: &'a str,
    pub pattern: &'a str,
}

impl MergeDriver<'_> {
    pub fn attributes_line(&self) -> String {
        format!("{} merge={}", self.pattern, self.id)
    }

    fn keys(&self) -> [(String, &str); 2] {
        [
            (format!("merge.{}.name", self.id), self.name),
            (format!("merge.{}.driver", self.id), self.driver),
        ]
    }
}

/// A config key or attributes line, as install or status found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// Not set.
    Absent,
    /// Set to trail's value.
    Ours,
    /// Set to something else (kept unless forced).
    Other(String),
}

/// What registering or unregistering the merge driver found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeDriverReport {
    /// `(key, state before, changed)` for each config key.
    pub keys: Vec<(String, Setting, bool)>,
    /// The attributes file and whether it held the line before; `changed` when it was edited.
    pub attributes: PathBuf,
    pub line_was_present: bool,
    pub attributes_changed: bool,
    /// The config file written.
    pub config: PathBuf,
}

impl MergeDriverReport {
    pub fn changed(&self) -> bool {
        self.attributes_changed || self.keys.iter().any(|(_, _, changed)| *changed)
    }
}

/// The repository-local config file (`git config --local`).
fn local_config(location: &RepoLocation) -> Result<(git2::Config, PathBuf), HooksError> {
    let path = location.common_dir.join("config");
    let config = git2::Config::open(&path)
        .map_err(|source| HooksError::Config { path: path.clone(), source })?;
    Ok((config, path))
}

fn attributes_path(location: &RepoLocation) -> PathBuf {
    location.common_dir.join("info").join("attributes")
}

fn read_setting(config: &git2::Config, key: &str, ours: &str) -> Setting {
    match config.get_string(key) {
        Ok(value) if value == ours => Setting::Ours,
        Ok(value) => Setting::Other(value),
        Err(_) => Setting::Absent,
    }
}

/// The settings a server running trail's hooks keeps: git itself refuses
/// non-fast-forward updates and deletions of any ref, behind trail's own
/// check of protected branches (docs/protection.md, "Threat model").
pub const SERVER_RECEIVE_SETTINGS: [&str; 2] =
    ["receive.denyNonFastForwards", "receive.denyDeletes"];

/// Set each of [`SERVER_RECEIVE_SETTINGS`] to `true` in the repository's own
/// config unless it is set already (to anything: an administrator's
/// `false` is a decision). Returns the keys it set.
pub fn set_server_receive_settings(
    location: &RepoLocation,
) -> Result<Vec<&'static str>, HooksError> {
    let (mut config, path) = local_config(location)?;
    let mut set = Vec::new();
    for key in SERVER_RECEIVE_SETTINGS {
        if config.get_entry(key).is_ok() {
            continue;
        }
        config
            .set_bool(key, true)
            .map_err(|source| HooksError::Config { path: path.clone(), source })?;
        set.push(key);
    }
    Ok(set)
}

/// Add `line` to `$GIT_COMMON_DIR/info/attributes` unless it is there; says
/// where, and whether it was there already.
pub fn add_attributes_line(
    location: &RepoLocation,
    line: &str,
) -> Result<(PathBuf, bool), HooksError> {
    let attributes = attributes_path(location);
    let text = read_optional(&attributes)?;
    let present = has_line(&text, line);
    if !present {
        let mut new = text;
        if !new.is_empty() && !new.ends_with(b"\n") {
            new.push(b'\n');
        }
        new.extend_from_slice(line.as_bytes());
        new.push(b'\n');
        let info = attributes.parent().unwrap_or(&location.common_dir);
        std::fs::create_dir_all(info).map_err(HooksError::io("create", info))?;
        let mode = mode_of(&attributes).unwrap_or(0o644);
        write_atomically(&attributes, &new, mode)?;
    }
    Ok((attributes, present))
}

/// Remove `line` from `$GIT_COMMON_DIR/info/attributes` (the file too, when
/// nothing else is left in it); says where, and whether it was there.
pub fn remove_attributes_line(
    location: &RepoLocation,
    line: &str,
) -> Result<(PathBuf, bool), HooksError> {
    let attributes = attributes_path(location);
    let text = read_optional(&attributes)?;
    let present = has_line(&text, line);
    if present {
        let kept: Vec<u8> = text
            .split_inclusive(|b| *b == b'\n')
            .filter(|l| l.trim_ascii() != line.as_bytes())
            .flatten()
            .copied()
            .collect();
        if kept.iter().all(u8::is_ascii_whitespace) {
            // Nothing else was in it: an empty attributes file means no file.
            std::fs::remove_file(&attributes).map_err(HooksError::io("remove", &attributes))?;
        } else {
            let mode = mode_of(&attributes).unwrap_or(0o644);
            write_atomically(&attributes, &kept, mode)?;
        }
    }
    Ok((attributes, present))
}

/// The attributes line `trail hooks install --server` adds: git never
/// searches for deltas between journal segments (distinct records, tens of
/// MB each: the search costs seconds on every fetch and finds nothing).
pub const JOURNAL_ATTRIBUTES_LINE: &str = "records.jsonl -delta";

/// Register the merge driver in the repository-local config and
/// `$GIT_COMMON_DIR/info/attributes` (not the committed `.gitattributes`: that
/// is the team's decision). A key already set to another value is kept unless
/// `force`. Doing it twice changes nothing.
pub fn register_merge_driver(
    location: &RepoLocation,
    driver: &MergeDriver<'_>,
    force: bool,
) -> Result<MergeDriverReport, HooksError> {
    let (mut config, config_path) = local_config(location)?;
    let mut keys = Vec::new();
    for (key, value) in driver.keys() {
        let before = read_setting(&config, &key, value);
        let write = match &before {
            Setting::Absent => true,
            Setting::Ours => false,
            Setting::Other(_) => force,
        };
        if write {
            config
                .set_str(&key, value)
                .map_err(|source| HooksError::Config { path: config_path.clone(), source })?;
        }
        keys.push((key, before, write));
    }
    let (attributes, present) = add_attributes_line(location, &driver.attributes_line())?;
    Ok(MergeDriverReport {
        keys,
        attributes,
        line_was_present: present,
        attributes_changed: !present,
        config: config_path,
    })
}

/// Remove the merge driver's keys (only where they hold trail's values) and
/// its attributes line.
pub fn unregister_merge_driver(
    location: &RepoLocation,
    driver: &MergeDriver<'_>,
) -> Result<MergeDriverReport, HooksError> {
    let (mut config, config_path) = local_config(location)?;
    let mut keys = Vec::new();
    for (key, value) in driver.keys() {
        let before = read_setting(&config, &key, value);
        let remove = before == Setting::Ours;
        if remove {
            config
                .remove(&key)
                .map_err(|source| HooksError::Config { path: config_path.clone(), source })?;
        }
        keys.push((key, before, remove));
    }
    drop(config);
    let section_removed =
        remove_empty_section(&config_path, &format!("[merge \"{}\"]", driver.id))?;
    let (attributes, present) = remove_attributes_line(location, &driver.attributes_line())?;
    Ok(MergeDriverReport {
        keys,
        attributes,
        line_was_present: present,
        attributes_changed: present || section_removed,
        config: config_path,
    })
}

/// Remove each `header` line (`[merge "trail"]`) of the config file at
/// `path` that heads an empty section (nothing but blank lines and comments
/// before the next section): git's own key removal leaves it behind. Says
/// whether it removed one.
fn remove_empty_section(path: &Path, header: &str) -> Result<bool, HooksError> {
    let text = read_optional(path)?;
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    let mut kept: Vec<u8> = Vec::with_capacity(text.len());
    let mut removed = false;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_ascii() == header.as_bytes() {
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.trim_ascii().starts_with(b"["))
                .map_or(lines.len(), |n| i + 1 + n);
            let empty = lines[i + 1..end].iter().all(|l| {
                let l = l.trim_ascii();
                l.is_empty() || l.starts_with(b"#") || l.starts_with(b";")
            });
            if empty {
                removed = true;
                i = end;
                continue;
            }
        }
        kept.extend_from_slice(lines[i]);
        i += 1;
    }
    if removed {
        let mode = mode_of(path).unwrap_or(0o644);
        write_atomically(path, &kept, mode)?;
    }
    Ok(removed)
}

/// Is the merge driver registered? Reads the config as git sees it (any scope).
pub fn merge_driver_status(
    location: &RepoLocation,
    repo: &gix::Repository,
    driver: &MergeDriver<'_>,
) -> Result<(Vec<(String, Setting)>, bool), HooksError> {
    let snapshot = repo.config_snapshot();
    let keys = driver
        .keys()
        .into_iter()
        .map(|(key, ours)| {
            let setting = match snapshot.string(key.as_str()) {
                None => Setting::Absent,
                Some(value) if value == ours => Setting::Ours,
                Some(value) => Setting::Other(value.to_string()),
            };
            (key, setting)
        })
        .collect();
    let line = driver.attributes_line();
    let present = has_line(&read_optional(&attributes_path(location))?, &line);
    Ok((keys, present))
}

/// Does `text` hold `line` as a line of its own (surrounding blanks ignored)?
fn has_line(text: &[u8], line: &str) -> bool {
    text.split(|b| *b == b'\n').any(|l| l.trim_ascii() == line.as_bytes())
}

fn read_optional(path: &Path) -> Result<Vec<u8>, HooksError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(HooksError::io("read", path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIM: &str = "#!/bin/sh\n# trail-managed-hook v1 test\nexit 0\n";

    fn dir(path: &Path) -> HooksDir {
        HooksDir {
            path: path.to_owned(),
            origin: HooksOrigin::Default,
            bare: false,
            inside_worktree: None,
        }
    }

    fn shims() -> [Shim<'static>; 1] {
        [Shim { name: "pre-commit", content: SHIM }]
    }

    #[test]
    fn the_marker_is_found_only_near_the_top() {
        assert!(is_shim(SHIM.as_bytes()));
        assert!(!is_shim(b"#!/bin/sh\nexit 0\n"));
        assert!(!is_shim(b"1\n2\n3\n4\n5\n# trail-managed-hook v1\n"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_a_shim_is_not_a_shim() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("real"), SHIM).expect("write");
        std::os::unix::fs::symlink("real", tmp.path().join("pre-commit")).expect("symlink");
        assert!(matches!(
            inspect(&tmp.path().join("pre-commit"), SHIM),
            Ok(HookFile::Foreign { symlink: true, .. })
        ));
    }

    #[test]
    fn a_left_over_chained_shim_makes_room_for_a_foreign_hook() {
        // NAME.trail-chained holding trail's own shim has nothing to lose.
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("pre-commit"), "#!/bin/sh\n# mine\n").expect("write");
        std::fs::write(tmp.path().join("pre-commit.trail-chained"), SHIM).expect("write");
        let done = install(&dir(tmp.path()), None, &shims(), false).expect("install");
        assert_eq!(done, [("pre-commit".to_owned(), Installed::Chained)]);
        let chained = std::fs::read_to_string(tmp.path().join("pre-commit.trail-chained"));
        assert_eq!(chained.expect("read"), "#!/bin/sh\n# mine\n");
    }

    #[test]
    fn a_shared_hooks_dir_is_refused_unless_forced() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut shared = dir(tmp.path());
        shared.origin = HooksOrigin::HooksPath {
            value: "~/hooks".into(),
            scope: ConfigScope::System,
            file: None,
        };
        assert!(matches!(
            install(&shared, None, &shims(), false),
            Err(HooksError::SharedHooksPath { scope: ConfigScope::System, .. })
        ));
        assert!(!tmp.path().join("pre-commit").exists());
        install(&shared, None, &shims(), true).expect("forced install");
        assert_eq!(
            inspect(&tmp.path().join("pre-commit"), SHIM).expect("inspect"),
            HookFile::Current
        );
    }

    #[test]
    fn an_empty_merge_section_is_removed_and_a_used_one_kept() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let config = tmp.path().join("config");
        std::fs::write(&config, "[core]\n\tbare = false\n[merge \"trail\"]\n[user]\n\tname = x\n")
            .expect("write");
        assert!(remove_empty_section(&config, "[merge \"trail\"]").expect("remove"));
        assert_eq!(
            std::fs::read_to_string(&config).expect("read"),
            "[core]\n\tbare = false\n[user]\n\tname = x\n"
        );
        std::fs::write(&config, "[merge \"trail\"]\n\tname = kept\n").expect("write");
        assert!(!remove_empty_section(&config, "[merge \"trail\"]").expect("remove"));
    }

    #[test]
    fn a_block_goes_first_after_the_shebang_and_comes_out_exactly() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let script = tmp.path().join("pre-commit");
        let mine = "#!/bin/sh\nnpm test\n";
        std::fs::write(&script, mine).expect("write");
        let block = "# >>> trail-managed-block v1\ntrail hook pre-commit \"$@\"\n# <<< trail-managed-block\n";
        assert!(add_block(&script, block).expect("add"));
        assert!(!add_block(&script, block).expect("add again"));
        let text = std::fs::read_to_string(&script).expect("read");
        assert_eq!(text, format!("#!/bin/sh\n{block}npm test\n"));
        assert!(calls_trail_hook(text.as_bytes(), "pre-commit"));
        assert!(!calls_trail_hook(text.as_bytes(), "pre"));
        assert!(remove_block(&script).expect("remove"));
        assert_eq!(std::fs::read_to_string(&script).expect("read"), mine);
    }

    #[test]
    fn attribute_lines_match_whole_lines_only() {
        assert!(has_line(
            b"*.png binary\n  CHANGELOG.md merge=trail \n",
            "CHANGELOG.md merge=trail"
        ));
        assert!(!has_line(b"docs/CHANGELOG.md merge=trail\n", "CHANGELOG.md merge=trail"));
        assert!(!has_line(b"", "CHANGELOG.md merge=trail"));
    }
}
