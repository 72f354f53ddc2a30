//! `trail policy check`, and what `trail authorize` shares with it: the
//! policy at HEAD and the protected staged changes.
//!
//! A group of one command for now, so one file rather than a folder.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use trail_git::{ObjectId, StagedIndex};
use trail_policy::{Launched, POLICY_FILE, Protect, Reason};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};

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

/// One protected path of a staged change, as the digest sees it.
#[derive(Debug, Clone)]
pub(crate) struct ProtectedChange {
    pub path: Vec<u8>,
    /// `A`, `M`, `D` or `T` (a rename is a `D` and an `A`).
    pub status: char,
    /// The new blob id (hex); `None` for a deletion.
    pub blob: Option<String>,
    pub reason: Reason,
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
        let entries: Vec<_> =
            self.changes.iter().map(|c| (c.path.clone(), c.status, c.blob.clone())).collect();
        trail_policy::staged_digest(&entries)
    }
}

pub(crate) fn head_of(repo: &Repo) -> Option<ObjectId> {
    repo.git.head_id().ok().map(|id| id.detach())
}

/// `[protect]` of trail.toml at `head`: the defaults without a HEAD or
/// without a committed trail.toml. A committed file that does not parse is an
/// error (exit 2): guessing a policy would be guessing what is protected.
pub(crate) fn policy_at(
    repo: &Repo,
    head: Option<ObjectId>,
) -> Result<(Protect, String), CommandError> {
    let Some(head) = head else {
        return Ok((Protect::default(), "the built-in defaults (no commit yet)".to_owned()));
    };
    let short = head.to_hex_with_len(10).to_string();
    let text = trail_git::blob_in_commit(&repo.git, head, POLICY_FILE.as_bytes()).map_err(|e| {
        CommandError::environment(format!("cannot read {POLICY_FILE} at HEAD: {e}"))
    })?;
    let Some(text) = text else {
        return Ok((
            Protect::default(),
            format!("the built-in defaults (no {POLICY_FILE} at HEAD {short})"),
        ));
    };
    let text = String::from_utf8(text).map_err(|_| {
        CommandError::usage(format!("{POLICY_FILE} at HEAD ({short}) is not UTF-8"))
    })?;
    let policy = Protect::from_toml(&text).map_err(|e| {
        CommandError::usage(format!("{POLICY_FILE} as committed at HEAD ({short}) is not a valid policy: {e}"))
            .hint("protection reads the committed file; commit a fixed trail.toml (that commit itself needs an authorization)")
    })?;
    Ok((policy, format!("{POLICY_FILE} at HEAD {short}")))
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

fn read_blob(repo: &Repo, id: ObjectId) -> Result<Vec<u8>, CommandError> {
    repo.git
        .find_blob(id)
        .map(|b| b.data.clone())
        .map_err(|e| CommandError::environment(format!("cannot read blob {id}: {e}")))
}

fn at_head(
    repo: &Repo,
    head: Option<ObjectId>,
    path: &[u8],
) -> Result<Option<Vec<u8>>, CommandError> {
    match head {
        None => Ok(None),
        Some(head) => trail_git::blob_in_commit(&repo.git, head, path)
            .map_err(|e| CommandError::environment(e.to_string())),
    }
}

/// The protected configs the index holds (by glob), plus the changed files
/// whose content defines MCP servers (staged and at HEAD): what launches scripts.
/// A path with its staged content and its content at HEAD (each if any).
type Contents = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

fn launched(
    repo: &Repo,
    policy: &Protect,
    index: Option<&StagedIndex>,
    changed: &[Contents],
) -> Result<Launched, CommandError> {
    let mut launched = Launched::new();
    for (path, id) in index.into_iter().flat_map(StagedIndex::files) {
        if matches!(trail_policy::protected(policy, path, None), Some(Reason::Glob(_))) {
            launched.add_config(path, &read_blob(repo, id)?);
        }
    }
    for (path, staged, head) in changed {
        for content in [staged, head].into_iter().flatten() {
            if trail_policy::protected(policy, path, Some(content)).is_some() {
                launched.add_config(path, content);
            }
        }
    }
    Ok(launched)
}

fn reason_of(
    policy: &Protect,
    path: &[u8],
    symlink: bool,
    contents: &[&Option<Vec<u8>>],
    launched: &Launched,
) -> Option<Reason> {
    if symlink {
        return contents
            .iter()
            .copied()
            .flatten()
            .find_map(|target| trail_policy::protected_symlink(policy, path, target, launched));
    }
    let by_path = trail_policy::protected_with(policy, path, None, launched);
    by_path.or_else(|| {
        contents
            .iter()
            .copied()
            .flatten()
            .find_map(|content| trail_policy::protected_with(policy, path, Some(content), launched))
    })
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
    // Each side: path, status, new blob, symlink?, staged content, HEAD content.
    struct Side {
        path: Vec<u8>,
        status: char,
        blob: Option<ObjectId>,
        symlink: bool,
        staged: Option<Vec<u8>>,
        head: Option<Vec<u8>>,
    }
    let mut sides = Vec::new();
    for change in &changes {
        let symlink = change.mode == "120000";
        match change.status {
            'D' => sides.push(Side {
                path: change.path.clone(),
                status: 'D',
                blob: None,
                symlink,
                staged: None,
                head: Some(read_blob(repo, change.blob)?),
            }),
            'R' => {
                let from = change.from.clone().unwrap_or_default();
                let content = read_blob(repo, change.blob)?;
                sides.push(Side {
                    path: from,
                    status: 'D',
                    blob: None,
                    symlink,
                    staged: None,
                    head: Some(content.clone()),
                });
                sides.push(Side {
                    path: change.path.clone(),
                    status: 'A',
                    blob: Some(change.blob),
                    symlink,
                    staged: Some(content),
                    head: None,
                });
            }
            status => sides.push(Side {
                path: change.path.clone(),
                status,
                blob: Some(change.blob),
                symlink,
                staged: Some(read_blob(repo, change.blob)?),
                head: if status == 'A' { None } else { at_head(repo, head, &change.path)? },
            }),
        }
    }
    let changed: Vec<_> = sides
        .iter()
        .filter(|s| !s.symlink)
        .map(|s| (s.path.clone(), s.staged.clone(), s.head.clone()))
        .collect();
    let launched = launched(repo, &policy, Some(&index), &changed)?;
    let mut out = Vec::new();
    for side in sides {
        if let Some(reason) =
            reason_of(&policy, &side.path, side.symlink, &[&side.staged, &side.head], &launched)
        {
            out.push(ProtectedChange {
                path: side.path,
                status: side.status,
                blob: side.blob.map(|b| b.to_string()),
                reason,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.status.cmp(&b.status)));
    Ok(Staged { policy, source, changes: out })
}

/// A token glob that matches exactly `path`: glob characters escaped.
pub(crate) fn literal_glob(path: &[u8]) -> String {
    let mut out = String::new();
    for c in String::from_utf8_lossy(path).chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as one shell word.
pub(crate) fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@+%".contains(&b));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// The `trail authorize` command that approves exactly these changes.
pub(crate) fn authorize_command(changes: &[ProtectedChange], digest: &str) -> String {
    let mut globs: Vec<String> = changes.iter().map(|c| literal_glob(&c.path)).collect();
    globs.dedup();
    let mut cmd = "trail authorize".to_owned();
    for glob in globs {
        cmd.push_str(" --path ");
        cmd.push_str(&shell_word(&glob));
    }
    cmd.push_str(" --digest ");
    cmd.push_str(digest);
    cmd.push_str(" --reason 'WHY THIS CHANGE IS ALLOWED'");
    cmd
}

/// A short name for a reason's kind (the JSON `kind`).
fn kind(reason: &Reason) -> &'static str {
    match reason {
        Reason::PolicyFile => "policy-file",
        Reason::Glob(_) => "glob",
        Reason::ContentSignature(_) => "content-signature",
        Reason::LaunchedBy(_) => "launched-by",
        Reason::SymlinkTo(_) => "symlink-to",
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
    let command = authorize_command(&staged.changes, &digest);
    if args.json {
        let protected: Vec<_> = staged
            .changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "path": String::from_utf8_lossy(&c.path),
                    "status": c.status.to_string(),
                    "blob": c.blob,
                    "kind": kind(&c.reason),
                    "reason": c.reason.to_string(),
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
             trail.toml first (the bootstrap commit, docs/protection.md)",
        );
    }
    Err(refused)
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
    let launched = launched(repo, &policy, index.as_ref(), &changed)?;
    let mut out = Out::new();
    let mut any = false;
    let mut rows = Vec::new();
    for (path, content) in &asked {
        let reason = reason_of(&policy, path, false, &[content], &launched);
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
