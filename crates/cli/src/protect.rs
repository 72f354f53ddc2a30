//! The protection check of DESIGN.md §6, shared by everything that enforces
//! it: pre-commit (the staged change), post-commit and pre-push (commits made
//! without pre-commit), the server hooks and the strict reference-transaction
//! hook (pushed or newly referenced commits).
//!
//! A change is looked at as a list of [`FileChange`]s against the commit it
//! builds on; the policy is always the one committed in that commit (for a
//! staged change: at HEAD), so a change cannot loosen its own check.

use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use trail_git::{FileChange, ObjectId, StagedIndex};
use trail_policy::{Launched, POLICY_FILE, Protect, Reason, Refusal, Verified};

use crate::error::CommandError;

/// One protected path of a change, as the digest sees it.
#[derive(Debug, Clone)]
pub(crate) struct ProtectedChange {
    pub path: Vec<u8>,
    /// `A`, `M`, `D` or `T` (a rename is a `D` and an `A`).
    pub status: char,
    /// The new blob id (hex); `None` for a deletion.
    pub blob: Option<String>,
    pub reason: Reason,
}

/// The digest a token binds ([`trail_policy::staged_digest`]) of `changes`.
pub(crate) fn digest(changes: &[ProtectedChange]) -> String {
    let entries: Vec<_> =
        changes.iter().map(|c| (c.path.clone(), c.status, c.blob.clone())).collect();
    trail_policy::staged_digest(&entries)
}

/// Where the protected configs of the new state are found (the configs that
/// launch scripts): the index being committed, or a commit's tree.
pub(crate) enum Snapshot<'a> {
    Index(&'a StagedIndex),
    Commit(ObjectId),
    /// The glob-protected configs already known (path, blob).
    Configs(Vec<(Vec<u8>, ObjectId)>),
}

/// `.git/trail/cache/configs.json`: the configs a glob protects in one
/// commit, so that a check of a change on top of it examines only the
/// changed paths instead of every file of the tree.
#[derive(serde::Serialize, serde::Deserialize)]
struct ConfigCache {
    commit: String,
    configs: Vec<(Vec<u8>, String)>,
}

fn config_cache_path(trail_dir: &Path) -> std::path::PathBuf {
    trail_dir.join("cache").join("configs.json")
}

/// How many commits the cache remembers (an amend or a checkout of a
/// recent commit still finds its entry).
const CACHED_COMMITS: usize = 8;

fn read_config_cache(trail_dir: &Path) -> Vec<ConfigCache> {
    std::fs::read(config_cache_path(trail_dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The glob-protected configs of `commit`, if the cache holds them.
pub(crate) fn cached_configs(
    trail_dir: &Path,
    commit: ObjectId,
) -> Option<Vec<(Vec<u8>, ObjectId)>> {
    let commit = commit.to_string();
    let entry = read_config_cache(trail_dir).into_iter().find(|e| e.commit == commit)?;
    entry
        .configs
        .into_iter()
        .map(|(path, id)| Some((path, ObjectId::from_hex(id.as_bytes()).ok()?)))
        .collect()
}

/// `configs` after `changes`: changed paths out, the new versions of
/// regular files a glob of `policy` protects in.
pub(crate) fn overlay(
    policy: &Protect,
    mut configs: Vec<(Vec<u8>, ObjectId)>,
    changes: &[FileChange],
) -> Vec<(Vec<u8>, ObjectId)> {
    configs.retain(|(path, _)| {
        !changes.iter().any(|c| c.path == *path || c.from.as_ref() == Some(path))
    });
    for change in changes {
        let regular = change.mode == "100644" || change.mode == "100755";
        if change.status != 'D' && regular && policy.glob_protects(&change.path) {
            configs.push((change.path.clone(), change.blob));
        }
    }
    configs
}

/// Keep the cache in step with the commit just made (post-commit): from the
/// parent's entry and the commit's changes when the cache has it, else from
/// the whole tree (once). A commit that changes trail.toml changes the globs:
/// the whole tree is read again.
pub(crate) fn remember_configs(
    git: &trail_git::Repository,
    trail_dir: &Path,
    commit: ObjectId,
    parent: Option<ObjectId>,
    changes: &[FileChange],
) -> Result<(), CommandError> {
    let (policy, _) = policy_named(git, Some(commit), "HEAD")?;
    let policy_changed = changes.iter().any(|c| {
        c.path == POLICY_FILE.as_bytes() || c.from.as_deref() == Some(POLICY_FILE.as_bytes())
    });
    let known = parent.filter(|_| !policy_changed).and_then(|p| cached_configs(trail_dir, p));
    let configs = match known {
        Some(configs) => overlay(&policy, configs, changes),
        None => trail_git::commit_files(git, commit)
            .map_err(|e| CommandError::environment(e.to_string()))?
            .into_iter()
            .filter(|(path, _)| policy.glob_protects(path))
            .collect(),
    };
    let entry = ConfigCache {
        commit: commit.to_string(),
        configs: configs.into_iter().map(|(p, id)| (p, id.to_string())).collect(),
    };
    let mut cache = read_config_cache(trail_dir);
    cache.retain(|e| e.commit != entry.commit);
    cache.insert(0, entry);
    cache.truncate(CACHED_COMMITS);
    let text = serde_json::to_string(&cache)
        .map_err(|e| CommandError::environment(format!("cannot encode the config cache: {e}")))?;
    write_cache(&config_cache_path(trail_dir), &text)
        .map_err(|e| CommandError::environment(format!("cannot write the config cache: {e}")))
}

/// What to look for launching configs in, for the staged change `changes`
/// on top of `base`: the cache when it knows `base`, else the whole index.
pub(crate) fn staged_snapshot<'a>(
    trail_dir: &Path,
    policy: &Protect,
    base: Option<ObjectId>,
    changes: &[FileChange],
    index: &'a StagedIndex,
) -> Snapshot<'a> {
    match base.and_then(|b| cached_configs(trail_dir, b)) {
        Some(configs) => Snapshot::Configs(overlay(policy, configs, changes)),
        None => Snapshot::Index(index),
    }
}

/// `[protect]` of trail.toml in commit `at`: the defaults without a commit or
/// without a committed trail.toml. A committed file that does not parse is an
/// error (exit 2): guessing a policy would be guessing what is protected.
/// `what` names the commit in messages (`HEAD`, `the parent`).
pub(crate) fn policy_named(
    git: &trail_git::Repository,
    at: Option<ObjectId>,
    what: &str,
) -> Result<(Protect, String), CommandError> {
    let Some(at) = at else {
        return Ok((Protect::default(), "the built-in defaults (no commit yet)".to_owned()));
    };
    let short = at.to_hex_with_len(10).to_string();
    let text = trail_git::blob_in_commit(git, at, POLICY_FILE.as_bytes()).map_err(|e| {
        CommandError::environment(format!("cannot read {POLICY_FILE} at {what} {short}: {e}"))
    })?;
    let Some(text) = text else {
        return Ok((
            Protect::default(),
            format!("the built-in defaults (no {POLICY_FILE} at {what} {short})"),
        ));
    };
    let text = String::from_utf8(text).map_err(|_| {
        CommandError::usage(format!("{POLICY_FILE} at {what} ({short}) is not UTF-8"))
    })?;
    let policy = Protect::from_toml(&text).map_err(|e| {
        CommandError::usage(format!("{POLICY_FILE} as committed at {what} ({short}) is not a valid policy: {e}"))
            .hint("protection reads the committed file; commit a fixed trail.toml (that commit itself needs an authorization)")
    })?;
    Ok((policy, format!("{POLICY_FILE} at {what} {short}")))
}

fn read_blob(git: &trail_git::Repository, id: ObjectId) -> Result<Vec<u8>, CommandError> {
    git.find_blob(id)
        .map(|b| b.data.clone())
        .map_err(|e| CommandError::environment(format!("cannot read blob {id}: {e}")))
}

fn in_commit(
    git: &trail_git::Repository,
    commit: Option<ObjectId>,
    path: &[u8],
) -> Result<Option<Vec<u8>>, CommandError> {
    match commit {
        None => Ok(None),
        Some(commit) => trail_git::blob_in_commit(git, commit, path)
            .map_err(|e| CommandError::environment(e.to_string())),
    }
}

/// A path with its new content and its content in the base (each if any).
pub(crate) type Contents = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The configs protected by glob in `snapshot`, plus the `changed` files
/// whose content (new or old) is protected: what launches scripts.
pub(crate) fn launched(
    git: &trail_git::Repository,
    policy: &Protect,
    snapshot: Option<&Snapshot<'_>>,
    changed: &[Contents],
) -> Result<Launched, CommandError> {
    let mut launched = Launched::new();
    let by_glob = |path: &[u8]| policy.glob_protects(path);
    match snapshot {
        Some(Snapshot::Configs(configs)) => {
            for (path, id) in configs {
                launched.add_config(path, &read_blob(git, *id)?);
            }
        }
        Some(Snapshot::Index(index)) => {
            for (path, id) in index.files() {
                if by_glob(path) {
                    launched.add_config(path, &read_blob(git, id)?);
                }
            }
        }
        Some(Snapshot::Commit(commit)) => {
            let files = trail_git::commit_files(git, *commit)
                .map_err(|e| CommandError::environment(e.to_string()))?;
            for (path, id) in files {
                if by_glob(&path) {
                    launched.add_config(&path, &read_blob(git, id)?);
                }
            }
        }
        None => {}
    }
    for (path, new, old) in changed {
        for content in [new, old].into_iter().flatten() {
            if trail_policy::protected(policy, path, Some(content)).is_some() {
                launched.add_config(path, content);
            }
        }
    }
    Ok(launched)
}

pub(crate) fn reason_of(
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

/// The protected paths `changes` (from `base` to the new state `snapshot`)
/// touch under `policy`, sorted by path: both ends of a rename, deletions,
/// content signatures of the old and the new content, symlinks to protected
/// paths, scripts a protected config launches.
pub(crate) fn protected_changes(
    git: &trail_git::Repository,
    policy: &Protect,
    base: Option<ObjectId>,
    changes: &[FileChange],
    snapshot: Option<&Snapshot<'_>>,
) -> Result<Vec<ProtectedChange>, CommandError> {
    struct Side {
        path: Vec<u8>,
        status: char,
        blob: Option<ObjectId>,
        symlink: bool,
        new: Option<Vec<u8>>,
        old: Option<Vec<u8>>,
    }
    let mut sides = Vec::new();
    for change in changes {
        if change.mode == "160000" {
            // A submodule: a commit id, not content; only its path can be protected.
            for (path, status) in [(change.from.as_ref(), 'D'), (Some(&change.path), change.status)]
            {
                let Some(path) = path else { continue };
                let status = if change.status == 'R' && status == 'R' { 'A' } else { status };
                sides.push(Side {
                    path: path.clone(),
                    status,
                    blob: (status != 'D').then_some(change.blob),
                    symlink: false,
                    new: None,
                    old: None,
                });
            }
            continue;
        }
        let symlink = change.mode == "120000";
        match change.status {
            'D' => sides.push(Side {
                path: change.path.clone(),
                status: 'D',
                blob: None,
                symlink,
                new: None,
                old: Some(read_blob(git, change.blob)?),
            }),
            'R' => {
                let from = change.from.clone().unwrap_or_default();
                let content = read_blob(git, change.blob)?;
                let old = in_commit(git, base, &from)?.or_else(|| Some(content.clone()));
                sides.push(Side { path: from, status: 'D', blob: None, symlink, new: None, old });
                sides.push(Side {
                    path: change.path.clone(),
                    status: 'A',
                    blob: Some(change.blob),
                    symlink,
                    new: Some(content),
                    old: None,
                });
            }
            status => sides.push(Side {
                path: change.path.clone(),
                status,
                blob: Some(change.blob),
                symlink,
                new: Some(read_blob(git, change.blob)?),
                old: if status == 'A' { None } else { in_commit(git, base, &change.path)? },
            }),
        }
    }
    let changed: Vec<Contents> = sides
        .iter()
        .filter(|s| !s.symlink)
        .map(|s| (s.path.clone(), s.new.clone(), s.old.clone()))
        .collect();
    // Configs in the rest of the tree matter only for a path nothing else
    // protects: skip reading them when every side is decided without them.
    let nothing = Launched::new();
    let undecided = sides
        .iter()
        .any(|s| reason_of(policy, &s.path, s.symlink, &[&s.new, &s.old], &nothing).is_none());
    let launched = launched(git, policy, snapshot.filter(|_| undecided), &changed)?;
    let mut out = Vec::new();
    for side in sides {
        if let Some(reason) =
            reason_of(policy, &side.path, side.symlink, &[&side.new, &side.old], &launched)
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
    Ok(out)
}

/// Of a merge's protected changes (against its first parent), those whose
/// result differs from every other parent too: a path taken as it is from a
/// merged branch was checked on that branch; only content the merge itself
/// makes needs an authorization.
pub(crate) fn made_by_merge(
    git: &trail_git::Repository,
    changes: Vec<ProtectedChange>,
    others: &[ObjectId],
) -> Result<Vec<ProtectedChange>, CommandError> {
    let mut out = Vec::new();
    'change: for change in changes {
        for other in others {
            let theirs = trail_git::blob_in_commit(git, *other, &change.path)
                .map_err(|e| CommandError::environment(e.to_string()))?;
            let same = match (&change.blob, theirs) {
                (None, None) => true,
                (Some(blob), Some(content)) => trail_git::blob_id(&content) == *blob,
                _ => false,
            };
            if same {
                continue 'change;
            }
        }
        out.push(change);
    }
    Ok(out)
}

/// The commits `MERGE_HEAD` names: the other parents of the merge being concluded.
pub(crate) fn merge_heads(git_dir: &Path) -> Vec<ObjectId> {
    let text = std::fs::read(git_dir.join("MERGE_HEAD")).unwrap_or_default();
    text.split(|&b| b == b'\n')
        .filter_map(|line| ObjectId::from_hex(line.trim_ascii()).ok())
        .collect()
}

/// The repository id tokens name (docs/tokens.md): the id of the root commit
/// reached from `from` through first parents. Every clone shares it, and a
/// server computes it from the pushed history.
///
/// The walk is cached in `.git/trail/cache/root` (a commit and its root): a
/// later walk stops at that commit, so it costs a step or two rather than the
/// whole history.
pub(crate) fn repository_id(
    git: &trail_git::Repository,
    trail_dir: &Path,
    from: ObjectId,
) -> Result<String, CommandError> {
    let cache = trail_dir.join("cache").join("root");
    let cached = std::fs::read_to_string(&cache).ok().and_then(|text| {
        let (commit, root) = text.trim().split_once(' ')?;
        Some((ObjectId::from_hex(commit.as_bytes()).ok()?, root.to_owned()))
    });
    let mut id = from;
    let root = loop {
        if let Some((commit, root)) = &cached
            && *commit == id
        {
            break root.clone();
        }
        let commit = git
            .find_commit(id)
            .map_err(|e| CommandError::environment(format!("cannot read commit {id}: {e}")))?;
        match commit.parent_ids().next() {
            Some(parent) => id = parent.detach(),
            None => break id.to_string(),
        }
    };
    if cached.as_ref().is_none_or(|(commit, _)| *commit != from) {
        // A cache is only an optimisation: failing to write it changes nothing.
        let _ = write_cache(&cache, &format!("{from} {root}\n"));
    }
    Ok(root)
}

fn write_cache(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A token glob that matches exactly `path`: glob characters escaped.
fn literal_glob(path: &[u8]) -> String {
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
fn shell_word(text: &str) -> String {
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

/// What a protection check concluded about a change that touches protected paths.
#[derive(Debug)]
pub(crate) enum Decision {
    /// The change adds the first authorizers while the policy names none:
    /// trust on first use (docs/protection.md).
    Bootstrap { authorizers: Vec<String> },
    /// Only trail.toml changes while the policy names no authorizer, and the
    /// new one names none either: nothing is enforced yet.
    Unenforced,
    /// A token passed every check.
    Authorized(Box<Verified>),
}

/// Why a protected change is refused.
#[derive(Debug)]
pub(crate) struct Denial {
    /// The check that failed (`no token`, `bootstrap`, or a token check).
    pub check: String,
    pub message: String,
    pub hints: Vec<String>,
}

impl Denial {
    pub(crate) fn of(refusal: &Refusal) -> Denial {
        Denial {
            check: refusal.check().to_string(),
            message: refusal.to_string(),
            hints: vec![refusal.hint()],
        }
    }
}

/// What [`decide`] needs to know about the change.
pub(crate) struct Change<'a> {
    pub policy: &'a Protect,
    /// The protected paths of the change (not empty).
    pub protected: &'a [ProtectedChange],
    /// The new trail.toml, when the change touches it.
    pub new_policy: Option<&'a [u8]>,
    /// The repository id, `None` before the first commit (no token can name it).
    pub repo_id: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Decide whether `token` authorizes `change`, in the order of DESIGN.md §6
/// (single use is the caller's: it keeps the used ids).
pub(crate) fn decide(change: &Change<'_>, token: Option<&str>) -> Result<Decision, Denial> {
    let policy = change.policy;
    if policy.authorizers().is_empty() {
        let only_policy = change.protected.iter().all(|c| matches!(c.reason, Reason::PolicyFile));
        let staged = change
            .new_policy
            .and_then(|text| std::str::from_utf8(text).ok())
            .and_then(|text| Protect::from_toml(text).ok());
        let others: Vec<String> = change
            .protected
            .iter()
            .filter(|c| !matches!(c.reason, Reason::PolicyFile))
            .map(|c| String::from_utf8_lossy(&c.path).into_owned())
            .collect();
        if only_policy {
            if let Some(new) = &staged {
                let authorizers: Vec<String> =
                    new.authorizers().iter().map(|k| k.to_line()).collect();
                return Ok(if authorizers.is_empty() {
                    Decision::Unenforced
                } else {
                    Decision::Bootstrap { authorizers }
                });
            }
            if change.new_policy.is_none() {
                // trail.toml is deleted: it named no authorizer anyway.
                return Ok(Decision::Unenforced);
            }
            return Err(Denial {
                check: "bootstrap".into(),
                message: format!("the staged {POLICY_FILE} is not a valid policy"),
                hints: vec![
                    "`trail policy check` and docs/configuration.md say what [protect] accepts"
                        .into(),
                ],
            });
        }
        return Err(Denial {
            check: "bootstrap".into(),
            message: format!(
                "no authorizer is named in the committed policy yet, so nothing can authorize \
                 the change to {}",
                others.join(", ")
            ),
            hints: vec![
                "first commit trail.toml with an authorizer alone: `trail keygen --add`, \
                 `git add trail.toml`, commit (the bootstrap commit, docs/protection.md)"
                    .into(),
                "then ask that authorizer for a token for this change".into(),
            ],
        });
    }
    let Some(token) = token else {
        return Err(Denial {
            check: "no token".into(),
            message: "the change touches protected paths and carries no authorization token".into(),
            hints: vec![
                "ask an authorizer to run the `trail authorize` command below, then commit with \
                 TRAIL_TOKEN=<token> git commit …, `trail commit --token <token>`, or \
                 `trail note --token <token>` first"
                    .into(),
            ],
        });
    };
    let Some(repo_id) = change.repo_id else {
        return Err(Denial {
            check: "repository".into(),
            message: "a token names a repository by its first commit, and this is the first commit"
                .into(),
            hints: vec!["commit the protected files after the first commit".into()],
        });
    };
    let paths: Vec<(Vec<u8>, Option<Reason>)> =
        change.protected.iter().map(|c| (c.path.clone(), Some(c.reason.clone()))).collect();
    let digest = digest(change.protected);
    trail_policy::verify(token, policy, change.now, repo_id, &paths, Some(&digest))
        .map(|v| Decision::Authorized(Box::new(v)))
        .map_err(|r| Denial::of(&r))
}

/// The message listing protected changes and what an authorizer runs.
pub(crate) fn describe_changes(changes: &[ProtectedChange]) -> String {
    let mut text = String::new();
    for c in changes {
        text.push_str(&format!(
            "\n  {}  {}  ({})",
            c.status,
            trail_journal::record::quote_path(&c.path),
            c.reason
        ));
    }
    text
}

/// What [`check_commit`] concluded about one commit.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// It changes no protected path (or only what a merged branch brought).
    Clear,
    /// Its protected changes are allowed: by its token, or as the bootstrap
    /// commit, or because no authorizer is named yet.
    /// With the token that authorized it, if one did.
    Allowed(Option<Box<Verified>>),
    Denied {
        denial: Denial,
        protected: Vec<ProtectedChange>,
    },
}

/// Check a commit as a server does: its protected changes against its first
/// parent (for a merge: what differs from every parent), under the policy of
/// that parent, authorized by its `Trail-Authorization:` trailer. The time
/// window is checked at the commit's author time (kept by rebase and
/// cherry-pick; a server checks long after the commit was made). `used`
/// holds the single-use token ids already seen in this batch of commits.
pub(crate) fn check_commit(
    repo: &crate::context::Repo,
    id: ObjectId,
    used: &mut std::collections::HashSet<String>,
) -> Result<Verdict, CommandError> {
    let git = &repo.git;
    let facts = {
        let mut git = git.clone();
        let mut importer = trail_git::Importer::new(&mut git)?;
        let facts = importer.describe(id)?;
        let base = facts.parents.first().copied();
        let changes = if facts.parents.len() > 1 {
            importer.changes_between(base, id)?
        } else {
            facts.changes.clone()
        };
        (facts, changes)
    };
    let (facts, changes) = facts;
    let base = facts.parents.first().copied();
    let (policy, _) = policy_named(git, base, "the parent")?;
    let mut protected =
        protected_changes(git, &policy, base, &changes, Some(&Snapshot::Commit(id)))?;
    if facts.parents.len() > 1 {
        protected = made_by_merge(git, protected, &facts.parents[1..])?;
    }
    if protected.is_empty() {
        return Ok(Verdict::Clear);
    }
    let token = facts.trailer("Trail-Authorization").map(str::trim);
    let new_policy = match protected.iter().any(|c| c.path == POLICY_FILE.as_bytes()) {
        true => trail_git::blob_in_commit(git, id, POLICY_FILE.as_bytes())
            .map_err(|e| CommandError::environment(e.to_string()))?,
        false => None,
    };
    let repo_id = match (token, base) {
        (Some(_), Some(base)) => Some(repository_id(git, &repo.location.trail_dir(), base)?),
        _ => None,
    };
    let now = DateTime::<Utc>::from_timestamp(facts.author.time, 0).unwrap_or_default();
    let change = Change {
        policy: &policy,
        protected: &protected,
        new_policy: new_policy.as_deref(),
        repo_id: repo_id.as_deref(),
        now,
    };
    match decide(&change, token) {
        Ok(Decision::Authorized(verified)) => {
            let claims = verified.token.claims();
            if !claims.reuse && !used.insert(claims.id.clone()) {
                let refusal = Refusal::AlreadyUsed { id: claims.id.clone() };
                return Ok(Verdict::Denied { denial: Denial::of(&refusal), protected });
            }
            Ok(Verdict::Allowed(Some(verified)))
        }
        Ok(_) => Ok(Verdict::Allowed(None)),
        Err(denial) => Ok(Verdict::Denied { denial, protected }),
    }
}

/// The commits `git rev-list` lists for `args` (oldest first).
pub(crate) fn rev_list(
    repo: &crate::context::Repo,
    args: &[String],
) -> Result<Vec<ObjectId>, CommandError> {
    let output = std::process::Command::new("git")
        .arg("rev-list")
        .arg("--reverse")
        .args(args)
        .current_dir(&repo.cwd)
        .output()
        .map_err(|e| {
            CommandError::environment(format!("cannot run `git rev-list`: {e}"))
                .hint("is git installed and on PATH?")
        })?;
    if !output.status.success() {
        return Err(CommandError::environment(format!(
            "`git rev-list {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            ObjectId::from_hex(l).map_err(|e| {
                CommandError::environment(format!("`git rev-list` printed a bad id: {e}"))
            })
        })
        .collect()
}

/// Check the commits `rev_args` lists; the refusal names every commit denied.
pub(crate) fn check_commits(
    repo: &crate::context::Repo,
    commits: &[ObjectId],
    what: &str,
) -> Result<(), CommandError> {
    let mut used = std::collections::HashSet::new();
    let mut denied = Vec::new();
    for id in commits {
        if let Verdict::Denied { denial, protected } = check_commit(repo, *id, &mut used)? {
            denied.push(format!(
                "commit {}: {} ({} check){}",
                id.to_hex_with_len(12),
                denial.message,
                denial.check,
                describe_changes(&protected)
            ));
        }
    }
    if denied.is_empty() {
        return Ok(());
    }
    Err(CommandError::refused(format!(
        "{what} refused: {} commit{} change{} protected paths without a valid authorization:\n{}",
        denied.len(),
        if denied.len() == 1 { "" } else { "s" },
        if denied.len() == 1 { "s" } else { "" },
        denied.join("\n")
    ))
    .hint("each commit that changes an MCP configuration or trail.toml needs a `Trail-Authorization:` trailer with a valid token: recommit it with TRAIL_TOKEN=<token> (`git commit --amend`, or an interactive rebase that edits it)")
    .hint("`trail policy check` before committing says what is protected and the `trail authorize` command an authorizer runs"))
}

/// Whether the journal (or the spool of records waiting for it) holds an
/// `auth.used` record of token `id` for a commit other than `except`.
pub(crate) fn token_used(
    repo: &crate::context::Repo,
    id: &str,
    except: Option<ObjectId>,
) -> Result<bool, CommandError> {
    use trail_journal::LogStore as _;
    let except = except.map(|e| e.to_string());
    let counts = |kind: &str, commit: Option<&str>| {
        kind == trail_journal::kinds::AUTH_USED
            && commit.is_none_or(|c| Some(c) != except.as_deref())
    };
    for draft in crate::pending::spooled_drafts(repo)? {
        if draft.authorization.as_ref().is_some_and(|a| a.token_id == id)
            && counts(&draft.kind, draft.commit.as_deref())
        {
            return Ok(true);
        }
    }
    let store = repo.open_indexed_store().map_err(|e| {
        CommandError::environment(format!(
            "cannot check that token {id} was not used before: {}",
            e.message
        ))
        .hint("the single-use check reads the journal; `trail verify` says what is wrong with it")
    })?;
    let mut prefix = id.as_bytes().to_vec();
    prefix.push(0);
    for key in store.index_prefix(trail_journal::index::TOKEN, &prefix)? {
        let Some(seq) = trail_journal::index::seq_of(&key) else { continue };
        let Some(raw) = store.get_raw(seq)? else { continue };
        let record: trail_journal::Record = serde_json::from_slice(&raw).map_err(|e| {
            CommandError::environment(format!("journal record {seq} cannot be read: {e}"))
        })?;
        if counts(&record.kind, record.commit.as_deref()) {
            return Ok(true);
        }
    }
    Ok(false)
}
