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

/// The state of each hook in `shims`.
pub fn status(dir: &HooksDir, shims: &[Shim<'_>]) -> Result<Vec<HookStatus>, HooksError> {
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
            Ok(HookStatus { name: shim.name.to_owned(), file, chained })
        })
        .collect()
}

/// Write each shim into the hooks dir (created if missing).
///
/// A hook that is not trail's is renamed to `NAME.trail-chained` first, and
/// the shim runs it. Every hook is checked before anything changes: when a
/// foreign `NAME` and a foreign `NAME.trail-chained` both exist, nothing is
/// written ([`HooksError::ChainedCollision`]). A hooks dir set by a global,
/// system or environment `core.hooksPath` is refused unless `force`.
pub fn install(
    dir: &HooksDir,
    shims: &[Shim<'_>],
    force: bool,
) -> Result<Vec<(String, Installed)>, HooksError> {
    dir.refuse_shared(force)?;
    let mut plan = Vec::with_capacity(shims.len());
    for shim in shims {
        let path = dir.path.join(shim.name);
        let action = match inspect(&path, shim.content)? {
            HookFile::Missing => Installed::Written,
            HookFile::Current => Installed::Unchanged,
            HookFile::Outdated => Installed::Updated,
            HookFile::Foreign { .. } => {
                let chained = chained_path(&dir.path, shim.name);
                match inspect(&chained, shim.content) {
                    Ok(HookFile::Missing | HookFile::Current | HookFile::Outdated) => {}
                    Ok(HookFile::Foreign { .. }) | Err(HooksError::NotAFile { .. }) => {
                        return Err(HooksError::ChainedCollision { hook: path, chained });
                    }
                    Err(e) => return Err(e),
                }
                Installed::Chained
            }
        };
        plan.push((shim, path, action));
    }
    if plan.iter().any(|(_, _, action)| *action != Installed::Unchanged) {
        std::fs::create_dir_all(&dir.path).map_err(HooksError::io("create", &dir.path))?;
    }
    let mut done = Vec::with_capacity(plan.len());
    for (shim, path, action) in plan {
        match action {
            Installed::Unchanged => {}
            Installed::Written | Installed::Updated => {
                write_atomically(&path, shim.content.as_bytes(), 0o755)?;
            }
            Installed::Chained => {
                // Write the shim beside it first, so the hook is missing only
                // between two renames.
                let staged = stage(&path, shim.content.as_bytes(), 0o755)?;
                let chained = chained_path(&dir.path, shim.name);
                std::fs::rename(&path, &chained).map_err(HooksError::io("rename", &path))?;
                staged.persist(&path).map_err(|e| HooksError::io("write", &path)(e.error))?;
            }
        }
        done.push((shim.name.to_owned(), action));
    }
    Ok(done)
}

/// Remove every trail shim from the hooks dir and rename each
/// `NAME.trail-chained` back to `NAME` (content, mode and symlink-ness as they
/// were: it is a rename). Hooks that are not trail's are left alone (and
/// reported when they are among `hooks`, the names trail installs). Finds shims
/// by their marker, so shims of hooks this trail no longer installs go too.
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
        } else if !name.contains('.')
            && matches!(inspect(&entry.path(), ""), Ok(HookFile::Outdated))
        {
            // Git's hook names have no dots; `*.sample` and the like are not hooks.
            names.insert(name);
        }
    }
    let mut done = Vec::new();
    for name in names {
        let path = dir.path.join(&name);
        let chained = chained_path(&dir.path, &name);
        let has_chained = std::fs::symlink_metadata(&chained).is_ok();
        let ours = match inspect(&path, "") {
            Ok(HookFile::Missing) => false,
            Ok(HookFile::Current | HookFile::Outdated) => true,
            Err(e @ HooksError::Io { .. }) => return Err(e),
            Ok(HookFile::Foreign { .. }) | Err(_) => {
                done.push((name, Uninstalled::LeftForeign { chained_kept: has_chained }));
                continue;
            }
        };
        if has_chained {
            // rename replaces the shim in one step.
            std::fs::rename(&chained, &path).map_err(HooksError::io("rename", &chained))?;
            done.push((name, Uninstalled::Restored));
        } else if ours {
            std::fs::remove_file(&path).map_err(HooksError::io("remove", &path))?;
            done.push((name, Uninstalled::Removed));
        }
    }
    Ok(done)
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
    let (attributes, present) = remove_attributes_line(location, &driver.attributes_line())?;
    Ok(MergeDriverReport {
        keys,
        attributes,
        line_was_present: present,
        attributes_changed: present,
        config: config_path,
    })
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
        let done = install(&dir(tmp.path()), &shims(), false).expect("install");
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
            install(&shared, &shims(), false),
            Err(HooksError::SharedHooksPath { scope: ConfigScope::System, .. })
        ));
        assert!(!tmp.path().join("pre-commit").exists());
        install(&shared, &shims(), true).expect("forced install");
        assert_eq!(
            inspect(&tmp.path().join("pre-commit"), SHIM).expect("inspect"),
            HookFile::Current
        );
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
