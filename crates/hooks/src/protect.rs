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

use trail_git::{FileChange, ObjectId, PathBlob, StagedIndex};
use trail_policy::{
    ConfigTooLarge, ContentScan, Launched, MAX_CONFIG, POLICY_FILE, Protect, Reason, Scanned,
    Signature,
};
pub use trail_policy::{ProtectedChange, digest};

use crate::HookError;

/// Where the protected configs of the new state are found (the configs that
/// launch scripts, the symlinks that may point at protected paths): the
/// index being committed, or what is known of a commit's tree.
pub enum Snapshot<'a> {
    Index(&'a StagedIndex),
    Configs(Configs),
}

/// What of a tree a protection check looks at beyond the changed paths:
/// the regular files a glob protects (configs, scripts) and every symlink
/// (a protected one protects what it points at). Path and blob each.
#[derive(Debug, Clone, Default)]
pub struct Configs {
    pub files: Vec<PathBlob>,
    pub links: Vec<PathBlob>,
}

impl Configs {
    /// Read from the whole tree of `commit`.
    pub fn of_commit(
        git: &trail_git::Repository,
        policy: &Protect,
        commit: ObjectId,
    ) -> Result<Configs, HookError> {
        let (files, links) = trail_git::commit_files_and_links(git, commit)
            .map_err(|e| HookError::environment(e.to_string()))?;
        let files = files.into_iter().filter(|(path, _)| policy.glob_protects(path)).collect();
        Ok(Configs { files, links })
    }
}

/// `.git/trail/cache/configs-v2.json`: the [`Configs`] of one commit, so
/// that a check of a change on top of it examines only the changed paths
/// instead of every file of the tree.
#[derive(serde::Serialize, serde::Deserialize)]
struct ConfigCache {
    commit: String,
    configs: Vec<(Vec<u8>, String)>,
    links: Vec<(Vec<u8>, String)>,
}

fn config_cache_path(trail_dir: &Path) -> std::path::PathBuf {
    trail_dir.join("cache").join("configs-v2.json")
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

/// The [`Configs`] of `commit`, if the cache holds them.
pub fn cached_configs(trail_dir: &Path, commit: ObjectId) -> Option<Configs> {
    let commit = commit.to_string();
    let entry = read_config_cache(trail_dir).into_iter().find(|e| e.commit == commit)?;
    let ids = |list: Vec<(Vec<u8>, String)>| -> Option<Vec<PathBlob>> {
        list.into_iter()
            .map(|(path, id)| Some((path, ObjectId::from_hex(id.as_bytes()).ok()?)))
            .collect()
    };
    Some(Configs { files: ids(entry.configs)?, links: ids(entry.links)? })
}

/// `configs` after `changes`: changed paths out, the new versions of
/// regular files a glob of `policy` protects and of symlinks in.
pub fn overlay(policy: &Protect, mut configs: Configs, changes: &[FileChange]) -> Configs {
    let touched =
        |path: &Vec<u8>| changes.iter().any(|c| c.path == *path || c.from.as_ref() == Some(path));
    configs.files.retain(|(path, _)| !touched(path));
    configs.links.retain(|(path, _)| !touched(path));
    for change in changes {
        if change.status == 'D' {
            continue;
        }
        let regular = change.mode == "100644" || change.mode == "100755";
        if regular && policy.glob_protects(&change.path) {
            configs.files.push((change.path.clone(), change.blob));
        } else if change.mode == "120000" {
            configs.links.push((change.path.clone(), change.blob));
        }
    }
    configs
}

/// Keep the cache in step with the commit just made (post-commit): from the
/// parent's entry and the commit's changes when the cache has it, else from
/// the whole tree (once). A commit that changes trail.toml changes the globs:
/// the whole tree is read again.
pub fn remember_configs(
    git: &trail_git::Repository,
    trail_dir: &Path,
    commit: ObjectId,
    parent: Option<ObjectId>,
    changes: &[FileChange],
) -> Result<(), HookError> {
    let (policy, _) = policy_named(git, Some(commit), "HEAD")?;
    let policy_changed = changes.iter().any(|c| {
        c.path == POLICY_FILE.as_bytes() || c.from.as_deref() == Some(POLICY_FILE.as_bytes())
    });
    let known = parent.filter(|_| !policy_changed).and_then(|p| cached_configs(trail_dir, p));
    let configs = match known {
        Some(configs) => overlay(&policy, configs, changes),
        None => Configs::of_commit(git, &policy, commit)?,
    };
    let hex = |list: Vec<PathBlob>| list.into_iter().map(|(p, id)| (p, id.to_string())).collect();
    let entry = ConfigCache {
        commit: commit.to_string(),
        configs: hex(configs.files),
        links: hex(configs.links),
    };
    let mut cache = read_config_cache(trail_dir);
    cache.retain(|e| e.commit != entry.commit);
    cache.insert(0, entry);
    cache.truncate(CACHED_COMMITS);
    let text = serde_json::to_string(&cache)
        .map_err(|e| HookError::environment(format!("cannot encode the config cache: {e}")))?;
    write_cache(&config_cache_path(trail_dir), &text)
        .map_err(|e| HookError::environment(format!("cannot write the config cache: {e}")))
}

/// What to look for launching configs in, for the staged change `changes`
/// on top of `base`: the cache when it knows `base`, else the whole index.
pub fn staged_snapshot<'a>(
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
pub fn policy_named(
    git: &trail_git::Repository,
    at: Option<ObjectId>,
    what: &str,
) -> Result<(Protect, String), HookError> {
    let Some(at) = at else {
        return Ok((Protect::default(), "the built-in defaults (no commit yet)".to_owned()));
    };
    let short = at.to_hex_with_len(10).to_string();
    let text = match trail_git::blob_in_commit_within(
        git,
        at,
        POLICY_FILE.as_bytes(),
        MAX_CONFIG as u64,
    ) {
        Err(trail_git::StagedError::TooLarge { size, .. }) => {
            return Err(HookError::usage(format!(
                "{POLICY_FILE} at {what} ({short}) is {size} bytes, too large to be a policy \
                 (the limit is {MAX_CONFIG})"
            ))
            .hint("protection reads the committed file; commit a fixed trail.toml (that commit itself needs an authorization)"));
        }
        other => other.map_err(|e| {
            HookError::environment(format!("cannot read {POLICY_FILE} at {what} {short}: {e}"))
        })?,
    };
    let Some(text) = text else {
        return Ok((
            Protect::default(),
            format!("the built-in defaults (no {POLICY_FILE} at {what} {short})"),
        ));
    };
    let text = String::from_utf8(text)
        .map_err(|_| HookError::usage(format!("{POLICY_FILE} at {what} ({short}) is not UTF-8")))?;
    let policy = Protect::from_toml(&text).map_err(|e| {
        HookError::usage(format!("{POLICY_FILE} as committed at {what} ({short}) is not a valid policy: {e}"))
            .hint("protection reads the committed file; commit a fixed trail.toml (that commit itself needs an authorization)")
    })?;
    Ok((policy, format!("{POLICY_FILE} at {what} {short}")))
}

/// Blobs up to this size are read whole to be examined; larger ones are
/// streamed (`trail_git::stream_blob`) through a [`trail_policy::ContentScan`]
/// and read whole only when they must be parsed (a JSON config, at most
/// [`MAX_CONFIG`] bytes). A staged 2 GiB file thus costs the hook a pipe's
/// buffer, not 2 GiB; one process per blob this large costs nothing next
/// to inflating it.
const READ_WHOLE: u64 = 16 << 20;

fn blob_error(e: trail_git::StagedError) -> HookError {
    HookError::environment(e.to_string())
}

fn read_blob(git: &trail_git::Repository, id: ObjectId) -> Result<Vec<u8>, HookError> {
    trail_git::read_blob(git, id).map_err(blob_error)
}

/// The size of blob `id`, from its header.
fn blob_size(git: &trail_git::Repository, id: ObjectId) -> Result<u64, HookError> {
    trail_git::blob_size(git, id).map_err(blob_error)
}

/// The target of the symlink whose blob is `id`. A target is a path; one
/// over [`MAX_CONFIG`] bytes names nothing a system could create, and is
/// refused rather than read.
fn read_link(git: &trail_git::Repository, link: &[u8], id: ObjectId) -> Result<Vec<u8>, HookError> {
    match trail_git::read_blob_within(git, id, MAX_CONFIG as u64) {
        Err(trail_git::StagedError::TooLarge { size, .. }) => Err(HookError::refused(format!(
            "the symlink {} holds a {size}-byte target: what it points at cannot be checked, \
             so no change is accepted while it is there",
            trail_journal::record::quote_path(link),
        ))
        .hint("a symlink's target is a path; replace this one (an authorized change)")),
        other => other.map_err(blob_error),
    }
}

/// The content signature of the regular file `path` with blob `id`, looked
/// for only when `policy` decides by content and nothing else already
/// protects the path (`None` otherwise). Memory stays bounded by
/// [`READ_WHOLE`] (by [`MAX_CONFIG`] for a JSON file) whatever the size.
fn signature_of(
    git: &trail_git::Repository,
    policy: &Protect,
    path: &[u8],
    id: ObjectId,
) -> Result<Option<Signature>, HookError> {
    if !policy.content_signatures()
        || trail_policy::protected_with(policy, path, None, &Launched::new()).is_some()
    {
        return Ok(None);
    }
    if blob_size(git, id)? <= READ_WHOLE {
        return Ok(trail_policy::content_signature(path, &read_blob(git, id)?));
    }
    let mut scan = ContentScan::new();
    trail_git::stream_blob(git, id, &mut |piece| scan.feed(piece)).map_err(blob_error)?;
    match scan.finish(path) {
        Scanned::Signature(signature) => Ok(signature),
        Scanned::Parse => Ok(trail_policy::content_signature(path, &read_blob(git, id)?)),
    }
}

/// A path with its new content and its content in the base (each if any).
pub type Contents = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// A protected file whose content says what it launches (or sources).
enum Config<'a> {
    /// Content at hand.
    Held(&'a [u8], &'a [u8]),
    /// A blob, read (whole, up to [`MAX_CONFIG`]) only when it is its turn.
    Blob(&'a [u8], ObjectId),
}

/// The configs protected by glob in `snapshot`, plus the `changed` files
/// whose content (new or old) is protected: what launches scripts.
pub fn launched(
    git: &trail_git::Repository,
    policy: &Protect,
    snapshot: Option<&Snapshot<'_>>,
    changed: &[Contents],
    changed_links: &[(Vec<u8>, Vec<u8>)],
) -> Result<Launched, HookError> {
    let mut configs = Vec::new();
    for (path, new, old) in changed {
        for content in [new, old].into_iter().flatten() {
            if trail_policy::protected(policy, path, Some(content)).is_some() {
                configs.push(Config::Held(path, content));
            }
        }
    }
    // A config too large to read launches nothing known; this caller reports
    // reasons only (protected_changes refuses such a change).
    let (launched, _too_large) = launched_by(git, policy, snapshot, &configs, changed_links)?;
    Ok(launched)
}

/// Configs too large to read, with why.
type TooLarge = Vec<(Vec<u8>, ConfigTooLarge)>;

/// [`launched`], with the configs over [`MAX_CONFIG`] bytes apart: they are
/// not read (the caller refuses the change, like [`Launched::too_large`]).
/// One config is held in memory at a time.
fn launched_by(
    git: &trail_git::Repository,
    policy: &Protect,
    snapshot: Option<&Snapshot<'_>>,
    changed: &[Config<'_>],
    changed_links: &[(Vec<u8>, Vec<u8>)],
) -> Result<(Launched, TooLarge), HookError> {
    let mut launched = Launched::new();
    let mut too_large = Vec::new();
    let add = |launched: &mut Launched, path: &[u8], content: &[u8]| {
        launched.add_config(path, content);
        if is_shell_script(path, content) {
            launched.add_sourced(path, content);
        }
    };
    let mut add_blob = |launched: &mut Launched, path: &[u8], id: ObjectId| {
        let size = blob_size(git, id)?;
        if size > MAX_CONFIG as u64 {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            too_large.push((path.to_vec(), ConfigTooLarge::Bytes { size, limit: MAX_CONFIG }));
        } else {
            add(launched, path, &read_blob(git, id)?);
        }
        Ok::<_, HookError>(())
    };
    let mut links: Vec<(Vec<u8>, Vec<u8>)> = changed_links.to_vec();
    match snapshot {
        Some(Snapshot::Configs(known)) => {
            for (path, id) in &known.files {
                add_blob(&mut launched, path, *id)?;
            }
            for (path, id) in &known.links {
                links.push((path.clone(), read_link(git, path, *id)?));
            }
        }
        Some(Snapshot::Index(index)) => {
            for (path, id) in index.files() {
                if policy.glob_protects(path) {
                    add_blob(&mut launched, path, id)?;
                }
            }
            for (path, id) in index.links() {
                links.push((path.to_vec(), read_link(git, path, id)?));
            }
        }
        None => {}
    }
    for config in changed {
        match config {
            Config::Held(path, content) => add(&mut launched, path, content),
            Config::Blob(path, id) => add_blob(&mut launched, path, *id)?,
        }
    }
    // A protected symlink protects what it points at; a link to a link is
    // followed as far as the links go (each round resolves one more).
    let mut pending = links;
    loop {
        let before = pending.len();
        pending.retain(|(link, target)| {
            match trail_policy::protected_symlink(policy, link, target, &launched) {
                Some(_) => {
                    launched.add_symlink(link, target);
                    false
                }
                None => true,
            }
        });
        if pending.len() == before {
            break;
        }
    }
    Ok((launched, too_large))
}

/// Whether a protected file is a shell script whose `source`d files matter:
/// by its extension or its `#!` line.
fn is_shell_script(path: &[u8], content: &[u8]) -> bool {
    path.ends_with(b".sh")
        || path.ends_with(b".bash")
        || content.starts_with(b"#!/bin/sh")
        || content.starts_with(b"#!/bin/bash")
        || content.starts_with(b"#!/usr/bin/env bash")
        || content.starts_with(b"#!/usr/bin/env sh")
}

pub fn reason_of(
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
///
/// No content is kept: a regular file's blob is examined for its content
/// signature ([`signature_of`], bounded memory), and read again, one at a
/// time, only if it is a config whose launched scripts matter.
pub fn protected_changes(
    git: &trail_git::Repository,
    policy: &Protect,
    base: Option<ObjectId>,
    changes: &[FileChange],
    snapshot: Option<&Snapshot<'_>>,
) -> Result<Vec<ProtectedChange>, HookError> {
    /// What a side's check needs of its content (new, then old).
    enum Content {
        /// A regular file: the blobs and their content signatures.
        File([Option<(ObjectId, Option<Signature>)>; 2]),
        /// A symlink: the targets.
        Link([Option<Vec<u8>>; 2]),
        /// A submodule: a commit id, not content; only its path can be protected.
        Gitlink,
    }
    struct Side {
        path: Vec<u8>,
        status: char,
        blob: Option<ObjectId>,
        content: Content,
    }
    let old_id = |path: &[u8]| -> Result<Option<ObjectId>, HookError> {
        match base {
            None => Ok(None),
            Some(commit) => trail_git::blob_id_in_commit(git, commit, path).map_err(blob_error),
        }
    };
    let content = |path: &[u8], symlink: bool, ids: [Option<ObjectId>; 2]| {
        let mut file = [None, None];
        let mut link = [None, None];
        for (i, id) in ids.into_iter().enumerate() {
            let Some(id) = id else { continue };
            if symlink {
                link[i] = Some(read_link(git, path, id)?);
            } else {
                file[i] = Some((id, signature_of(git, policy, path, id)?));
            }
        }
        Ok::<_, HookError>(if symlink { Content::Link(link) } else { Content::File(file) })
    };
    let mut sides = Vec::new();
    for change in changes {
        if change.mode == "160000" {
            for (path, status) in [(change.from.as_ref(), 'D'), (Some(&change.path), change.status)]
            {
                let Some(path) = path else { continue };
                let status = if change.status == 'R' && status == 'R' { 'A' } else { status };
                sides.push(Side {
                    path: path.clone(),
                    status,
                    blob: (status != 'D').then_some(change.blob),
                    content: Content::Gitlink,
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
                content: content(&change.path, symlink, [None, Some(change.blob)])?,
            }),
            'R' => {
                let from = change.from.clone().unwrap_or_default();
                let old = match change.old_blob {
                    Some(id) => id,
                    None => old_id(&from)?.unwrap_or(change.blob),
                };
                sides.push(Side {
                    path: from.clone(),
                    status: 'D',
                    blob: None,
                    content: content(&from, symlink, [None, Some(old)])?,
                });
                sides.push(Side {
                    path: change.path.clone(),
                    status: 'A',
                    blob: Some(change.blob),
                    content: content(&change.path, symlink, [Some(change.blob), None])?,
                });
            }
            status => {
                let old = match (status, change.old_blob) {
                    ('A', _) => None,
                    (_, Some(id)) => Some(id),
                    _ => old_id(&change.path)?,
                };
                sides.push(Side {
                    path: change.path.clone(),
                    status,
                    blob: Some(change.blob),
                    content: content(&change.path, symlink, [Some(change.blob), old])?,
                });
            }
        }
    }
    let nothing = Launched::new();
    // The changed files that are configs themselves (protected without
    // anything launching them): what they launch counts.
    let mut configs = Vec::new();
    let mut changed_links = Vec::new();
    for side in &sides {
        match &side.content {
            Content::File(files) => {
                for (id, signature) in files.iter().flatten() {
                    if trail_policy::protected_with_signature(
                        policy, &side.path, *signature, &nothing,
                    )
                    .is_some()
                    {
                        configs.push(Config::Blob(&side.path, *id));
                    }
                }
            }
            Content::Link([new, _]) => {
                if let Some(target) = new {
                    changed_links.push((side.path.clone(), target.clone()));
                }
            }
            Content::Gitlink => {}
        }
    }
    let reason = |side: &Side, launched: &Launched| match &side.content {
        Content::Gitlink => trail_policy::protected_gitlink_with(policy, &side.path, launched),
        Content::Link(targets) => targets.iter().flatten().find_map(|target| {
            trail_policy::protected_symlink(policy, &side.path, target, launched)
        }),
        Content::File(files) => trail_policy::protected_with(policy, &side.path, None, launched)
            .or_else(|| {
                files.iter().flatten().find_map(|(_, signature)| {
                    trail_policy::protected_with_signature(policy, &side.path, *signature, launched)
                })
            }),
    };
    // Configs in the rest of the tree matter only for a path nothing else
    // protects: skip reading them when every side is decided without them.
    let undecided = sides.iter().any(|s| reason(s, &nothing).is_none());
    let (launched, too_large) =
        launched_by(git, policy, snapshot.filter(|_| undecided), &configs, &changed_links)?;
    let too_large = too_large.iter().map(|(path, error)| (path.as_slice(), error));
    if let Some((config, error)) = too_large.chain(launched.too_large()).next() {
        return Err(HookError::refused(format!(
            "the MCP configuration {} cannot be checked ({error}): what it launches is unknown, \
             so no change is accepted while it is there",
            trail_journal::record::quote_path(config),
        ))
        .hint(
            "keep MCP configurations small; move what pads it elsewhere (an authorized change)",
        ));
    }
    let mut out = Vec::new();
    for side in &sides {
        if let Some(reason) = reason(side, &launched) {
            out.push(ProtectedChange {
                path: side.path.clone(),
                status: side.status,
                blob: side.blob.map(|b| b.to_string()),
                reason,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.status.cmp(&b.status)));
    Ok(out)
}

/// The commits `MERGE_HEAD` names: the other parents of the merge being concluded.
pub fn merge_heads(git_dir: &Path) -> Vec<ObjectId> {
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
pub fn repository_id(
    git: &trail_git::Repository,
    trail_dir: &Path,
    from: ObjectId,
) -> Result<String, HookError> {
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
            .map_err(|e| HookError::environment(format!("cannot read commit {id}: {e}")))?;
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
pub fn literal_glob(path: &[u8]) -> String {
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
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@+%".contains(&b));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// The `trail authorize` command that approves exactly these changes.
pub fn authorize_command(changes: &[ProtectedChange], digest: &str) -> String {
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

/// The message listing protected changes and what an authorizer runs.
pub fn describe_changes(changes: &[ProtectedChange]) -> String {
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
