//! What most commands need first: the repository and its journal.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use trail_git::RepoLocation;

use crate::error::CommandError;

#[derive(Clone)]
pub struct Repo {
    pub location: RepoLocation,
    pub git: trail_git::Repository,
    /// Where the command was started.
    pub cwd: PathBuf,
}

impl Repo {
    pub fn discover() -> Result<Self, CommandError> {
        let repo = Self::discover_only()?;
        // A commit whose post-commit still waits (it runs after git
        // returns): recorded before this process reads anything.
        crate::commands::hook::post_commit::settle_deferred(&repo);
        Ok(repo)
    }

    /// [`Repo::discover`] without recording the commits whose post-commit
    /// waits: for the watcher and its store process, which serve the
    /// journal to those that record them (a drainer started from the store
    /// process before it serves would open the store under it).
    pub fn discover_only() -> Result<Self, CommandError> {
        let cwd = std::env::current_dir().map_err(|e| {
            CommandError::environment(format!("cannot read the current directory: {e}"))
        })?;
        // git's GIT_CEILING_DIRECTORIES: absolute paths, colon-separated.
        let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
            .map(|v| std::env::split_paths(&v).filter(|p| p.is_absolute()).collect())
            .unwrap_or_default();
        let (location, git) = trail_git::discover(&cwd, &ceilings).map_err(|e| {
            // When GIT_DIR points somewhere wrong, say so rather than blame the cwd.
            match std::env::var_os("GIT_DIR") {
                Some(dir) => CommandError::environment(format!(
                    "GIT_DIR={} is not a git repository",
                    Path::new(&dir).display()
                ))
                .hint("unset GIT_DIR, or point it at a repository's .git directory"),
                None => e.into(),
            }
        })?;
        let mut location = location;
        // git: with GIT_DIR set and neither GIT_WORK_TREE nor core.worktree, the
        // current directory is the top of the work tree (gix takes GIT_DIR's parent).
        if std::env::var_os("GIT_DIR").is_some()
            && std::env::var_os("GIT_WORK_TREE").is_none()
            && !git.is_bare()
            && git.config_snapshot().string("core.worktree").is_none()
        {
            location.workdir = Some(std::fs::canonicalize(&cwd).unwrap_or_else(|_| cwd.clone()));
        }
        Ok(Repo { location, git, cwd })
    }

    pub fn store_path(&self) -> PathBuf {
        self.location.trail_dir().join("journal")
    }

    /// The one way into this repository's journal (trail-gateway).
    pub fn gateway(&self) -> trail_gateway::Gateway {
        trail_gateway::Gateway::new(&self.location.trail_dir())
    }

    /// The journal: through the watcher's socket while it runs (it owns the
    /// store), else the store itself; with the records hooks handed over to
    /// the spool appended first (post-commit does not open the store), so
    /// that what was committed is there to read.
    pub fn open_store(&self) -> Result<Store, CommandError> {
        let store = self.gateway().open()?;
        if let Err(why) = crate::pending::settle(self, &store) {
            crate::output::say(format_args!(
                "warning: records waiting in {} were not written to the journal: {why} (`trail status` lists them)",
                self.gateway().spool().dir().display()
            ));
        }
        Ok(store)
    }

    /// Open the store for a command that relies on its indexes (queries,
    /// import's "already recorded?" check): refuse while they are incomplete.
    pub fn open_indexed_store(&self) -> Result<Store, CommandError> {
        let store = self.open_store()?;
        if !trail_journal::LogStore::indexes_complete(&store)? {
            return Err(CommandError::refused(
                "the journal's indexes are incomplete: a `trail reindex` was interrupted or is running",
            )
            .hint("run `trail reindex` (again) and wait for it to finish"));
        }
        Ok(store)
    }

    /// Turn a path given on the command line (relative to where trail was started,
    /// or absolute) into the repository-relative bytes the journal stores. A
    /// trailing `/` is kept: it means "this directory only". Symlinks inside the
    /// repository are not followed (git tracks the link, not its target); only
    /// the route to the repository is resolved.
    pub fn repo_relative(&self, given: &OsStr) -> Result<Vec<u8>, CommandError> {
        let text = path_bytes(Path::new(given));
        let Some(workdir) = &self.location.workdir else {
            let trimmed = text.iter().position(|&b| b != b'/').map_or(&[][..], |i| &text[i..]);
            return Ok(trimmed.to_vec());
        };
        let dir_only = text.ends_with(b"/");
        let given = Path::new(given);
        let joined = if given.is_absolute() { given.to_path_buf() } else { self.cwd.join(given) };
        let lexical = trail_git::hooks::lexical(&joined);
        let relative = match lexical.strip_prefix(workdir) {
            Ok(relative) => relative.to_path_buf(),
            // The route to the repository may go through symlinks (/tmp ->
            // /private/tmp, an alias of the checkout): resolve the shortest
            // prefix of the path that lands inside the work tree, and keep
            // everything after it as written.
            Err(_) => entering(&lexical, workdir).ok_or_else(|| {
                CommandError::usage(format!(
                    "{} is outside the repository at {}",
                    given.display(),
                    workdir.display()
                ))
                .hint("the journal records paths inside the work tree: give one relative to where you are, or an absolute path inside it")
            })?,
        };
        let mut bytes = path_bytes(&relative);
        if dir_only && !bytes.is_empty() {
            bytes.push(b'/');
        }
        Ok(bytes)
    }
}

/// The part of `path` inside `workdir`, resolving symlinks only up to the first
/// prefix of `path` whose real location is inside (or is) the work tree.
fn entering(path: &Path, workdir: &Path) -> Option<PathBuf> {
    let parts: Vec<Component<'_>> = path.components().collect();
    for n in 1..=parts.len() {
        let prefix: PathBuf = parts[..n].iter().collect();
        let Ok(real) = std::fs::canonicalize(&prefix) else { continue };
        if let Ok(inside) = real.strip_prefix(workdir) {
            let mut out = inside.to_path_buf();
            out.extend(&parts[n..]);
            return Some(out);
        }
    }
    None
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}

pub use trail_gateway::Store;
