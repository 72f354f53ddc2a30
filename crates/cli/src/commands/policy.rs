//! `trail policy check`, and what `trail authorize` shares with it: the
//! policy at HEAD and the protected staged changes.
//!
//! A group of one command for now, so one file rather than a folder.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use trail_git::{ObjectId, StagedIndex};
use trail_policy::{Protect, Reason};

use crate::context::Repo;
use crate::error::CommandError;
use crate::judge;
use crate::output::{Out, say};
use crate::protect::{self, ProtectedChange};

/// Inspect the protection policy (MCP server configurations, trail.toml).
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    Check(CheckArgs),
}

/// Say which staged changes touch protected paths, and why.
///
/// The policy is `[protect]` of trail.toml as committed at HEAD (the built-in
/// defaults before the first commit, or when HEAD has no trail.toml), never
/// the staged or working-tree copy. For the changes between HEAD and the index
/// it lists every protected path (both ends of a rename) with the reason —
/// a protected glob, an MCP content signature, the config that launches it,
/// the policy file itself — then prints the digest of those changes and the
/// exact `trail authorize` command an authorizer runs to approve them.
///
/// With PATHS, says for each of those paths (staged content, else the file in
/// the work tree) whether it is protected and why; no digest then.
///
/// Exits 0 when nothing protected is staged (or none of PATHS is protected),
/// 1 when something is: a commit of it needs an authorization token.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Paths to ask about instead of the staged changes.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Print one JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PolicyArgs) -> Result<(), CommandError> {
    match args.command {
        PolicyCommand::Check(args) => check(args),
    }
}

/// What `policy check` and `authorize --staged` start from.
pub(crate) struct Staged {
    pub policy: Protect,
    /// Where the policy came from, for messages.
    pub source: String,
    pub changes: Vec<ProtectedChange>,
}

impl Staged {
    pub fn digest(&self) -> String {
        protect::digest(&self.changes)
    }
}

pub(crate) fn head_of(repo: &Repo) -> Option<ObjectId> {
    repo.git.head_id().ok().map(|id| id.detach())
}

/// `[protect]` of trail.toml at `head` (see [`protect::policy_named`]).
pub(crate) fn policy_at(
    repo: &Repo,
    head: Option<ObjectId>,
) -> Result<(Protect, String), CommandError> {
    Ok(protect::policy_named(&repo.git, head, "HEAD")?)
}

/// The index git would commit (`GIT_INDEX_FILE`, or the repository's own).
fn index_path(repo: &Repo) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            if path.is_absolute() { path } else { repo.cwd.join(path) }
        }
        _ => repo.git.index_path(),
    }
}

/// The index, or `None` when there is none yet (nothing was ever staged).
fn open_index(repo: &Repo) -> Result<Option<StagedIndex>, CommandError> {
    let path = index_path(repo);
    if !path.exists() {
        return Ok(None);
    }
    StagedIndex::open(&repo.git, &path)
        .map(Some)
        .map_err(|e| CommandError::environment(e.to_string()))
}

/// The staged changes (HEAD against the index) that touch protected paths,
/// sorted by path, under the policy at HEAD.
pub(crate) fn staged(repo: &Repo) -> Result<Staged, CommandError> {
    let head = head_of(repo);
    let (policy, source) = policy_at(repo, head)?;
    let Some(index) = open_index(repo)? else {
        if head.is_none() {
            // A new repository where nothing was ever staged.
            return Ok(Staged { policy, source, changes: Vec::new() });
        }
        return Err(CommandError::environment(format!(
            "this repository has no index ({})",
            index_path(repo).display()
        ))
        .hint("`git reset` rebuilds it from HEAD"));
    };
    let changes = index.changes(&repo.git, head).map_err(|e| {
        CommandError::environment(e.to_string()).hint("resolve the merge conflicts first")
    })?;
    let trail_dir = repo.location.trail_dir();
    let snapshot = protect::staged_snapshot(&trail_dir, &policy, head, &changes, &index);
    let changes = protect::protected_changes(&repo.git, &policy, head, &changes, Some(&snapshot))?;
    // Concluding a merge: nothing to authorize when the merged side brings
    // every protected change with its own authorization, as pre-commit judges.
    let others = protect::merge_heads(&repo.location.git_dir);
    if let (Some(head), false) = (head, others.is_empty() || changes.is_empty()) {
        let mut git = repo.git.clone();
        let site = repo.site();
        let mut history = judge::GitHistory::new(&site, &mut git, judge::Memory::Journal)?;
        let mut gate = trail_policy::Gate::new(&mut history, None, None, chrono::Utc::now(), false);
        if gate.judge_merge(&head, &others, &changes)?.is_none() {
            return Ok(Staged { policy, source, changes: Vec::new() });
        }
    }
    Ok(Staged { policy, source, changes })
}

/// A short name for a reason's kind (the JSON `kind`).
fn kind(reason: &Reason) -> &'static str {
    match reason {
        Reason::PolicyFile => "policy-file",
        Reason::Glob(_) => "glob",
        Reason::ContentSignature(_) => "content-signature",
        Reason::LaunchedBy(_) => "launched-by",
        Reason::SymlinkTo(_) => "symlink-to",
        Reason::TargetOf(_) => "target-of",
        Reason::SourcedBy(_) => "sourced-by",
    }
}

fn check(args: CheckArgs) -> Result<(), CommandError> {
    let mut repo = Repo::discover()?;
    trail_git::skip_index_checksum(&mut repo.git);
    if !args.paths.is_empty() {
        return check_paths(&repo, &args);
    }
    let staged = staged(&repo)?;
    let mut out = Out::new();
    if staged.changes.is_empty() {
        if args.json {
            let value = serde_json::json!({"policy": staged.source, "protected": [], "digest": null, "authorize": null});
            writeln!(out, "{value}")?;
            out.flush()?;
        } else {
            say(format_args!(
                "no staged change touches a protected path (policy: {})",
                staged.source
            ));
        }
        return Ok(());
    }
    let digest = staged.digest();
    let command = protect::authorize_command(&staged.changes, &digest);
    let launches = launches(&repo, &staged.changes)?;
    if args.json {
        let protected: Vec<_> = staged
            .changes
            .iter()
            .map(|c| {
                let (scripts, unreadable) = match launches.get(&c.path) {
                    Some(Ok(scripts)) => (scripts.clone(), None),
                    Some(Err(e)) => (Vec::new(), Some(e.clone())),
                    None => (Vec::new(), None),
                };
                serde_json::json!({
                    "path": String::from_utf8_lossy(&c.path),
                    "status": c.status.to_string(),
                    "blob": c.blob,
                    "kind": kind(&c.reason),
                    "reason": c.reason.to_string(),
                    "launches": scripts,
                    "unreadable": unreadable,
                })
            })
            .collect();
        let value = serde_json::json!({
            "policy": staged.source,
            "protected": protected,
            "digest": digest,
            "authorize": command,
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(out, "policy: {}", staged.source)?;
        writeln!(out, "staged changes to protected paths:")?;
        let width = staged.changes.iter().map(|c| c.path.len()).max().unwrap_or(0);
        for c in &staged.changes {
            let path = String::from_utf8_lossy(&c.path);
            writeln!(out, "  {}  {path:<width$}  {}", c.status, c.reason)?;
            match launches.get(&c.path) {
                Some(Ok(scripts)) if !scripts.is_empty() => {
                    writeln!(out, "       launches: {}", scripts.join(", "))?;
                }
                Some(Err(e)) => writeln!(out, "       cannot be read for what it launches: {e}")?,
                _ => {}
            }
        }
        writeln!(out, "digest: {digest}")?;
        writeln!(out, "an authorizer approves exactly this change with:")?;
        writeln!(out, "  {command}")?;
    }
    out.flush()?;
    let n = staged.changes.len();
    let mut refused = CommandError::refused(format!(
        "{n} staged change{} to protected paths need{} an authorization token",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
    ))
    .hint("ask an authorizer to run the command above and give you the token (TRAIL_TOKEN=…)");
    if staged.policy.authorizers().is_empty() {
        refused = refused.hint(
            "the committed policy names no authorizer yet: run `trail keygen --add` and commit \
             trail.toml first (the bootstrap commit, `trail docs protection`)",
        );
    }
    Err(refused)
}

/// Per staged protected config: the files of the index it launches, or why
/// it cannot be read.
type Launches = std::collections::HashMap<Vec<u8>, Result<Vec<String>, String>>;

/// For each staged protected config, the files of the index it launches
/// (what the authorizer should read too), or why it cannot be read.
fn launches(repo: &Repo, changes: &[ProtectedChange]) -> Result<Launches, CommandError> {
    let mut out = std::collections::HashMap::new();
    let Some(index) = open_index(repo)? else { return Ok(out) };
    let files: std::collections::HashSet<&[u8]> = index.files().map(|(path, _)| path).collect();
    for change in changes.iter().filter(|c| c.status != 'D') {
        let Some((_, content)) = index
            .blob(&repo.git, &change.path)
            .map_err(|e| CommandError::environment(e.to_string()))?
        else {
            continue;
        };
        let found = match trail_policy::launched_scripts_checked(&change.path, &content) {
            Ok(scripts) => Ok(scripts
                .into_iter()
                .filter(|s| files.contains(s.as_slice()))
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .collect()),
            Err(e) => Err(e.to_string()),
        };
        out.insert(change.path.clone(), found);
    }
    Ok(out)
}

fn check_paths(repo: &Repo, args: &CheckArgs) -> Result<(), CommandError> {
    let head = head_of(repo);
    let (policy, source) = policy_at(repo, head)?;
    let index = open_index(repo)?;
    let mut asked = Vec::new();
    for given in &args.paths {
        let path = repo.repo_relative(given.as_os_str())?;
        let staged = match &index {
            Some(index) => index
                .blob(&repo.git, &path)
                .map_err(|e| CommandError::environment(e.to_string()))?,
            None => None,
        };
        let content = match staged {
            Some((_, content)) => Some(content),
            None => repo.location.workdir.as_ref().and_then(|w| {
                use std::os::unix::ffi::OsStrExt as _;
                std::fs::read(w.join(std::ffi::OsStr::from_bytes(&path))).ok()
            }),
        };
        asked.push((path, content));
    }
    let changed: Vec<_> = asked.iter().map(|(p, c)| (p.clone(), c.clone(), None)).collect();
    let snapshot = index.as_ref().map(protect::Snapshot::Index);
    let launched = protect::launched(&repo.git, &policy, snapshot.as_ref(), &changed, &[])?;
    let mut out = Out::new();
    let mut any = false;
    let mut rows = Vec::new();
    for (path, content) in &asked {
        let reason = protect::reason_of(&policy, path, false, &[content], &launched);
        any |= reason.is_some();
        rows.push((String::from_utf8_lossy(path).into_owned(), reason));
    }
    if args.json {
        let paths: Vec<_> = rows
            .iter()
            .map(|(path, reason)| {
                serde_json::json!({
                    "path": path,
                    "protected": reason.is_some(),
                    "kind": reason.as_ref().map(kind),
                    "reason": reason.as_ref().map(ToString::to_string),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::json!({"policy": source, "paths": paths}))?;
    } else {
        writeln!(out, "policy: {source}")?;
        for (path, reason) in &rows {
            match reason {
                Some(reason) => writeln!(out, "  protected      {path}: {reason}")?,
                None => writeln!(out, "  not protected  {path}")?,
            }
        }
    }
    out.flush()?;
    if any {
        return Err(CommandError::refused("some of these paths are protected: changing them needs an authorization token")
            .hint("`trail policy check` (without paths) prints the digest and the `trail authorize` command for the staged changes"));
    }
    Ok(())
}
