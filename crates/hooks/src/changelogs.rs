//! The CHANGELOG.md edits a commit stages (DESIGN §5), and carrying them
//! into the real index when git committed a temporary one.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use trail_changelog as changelog;
use trail_git::{FileChange, ObjectId, StageItem, StagedIndex};

use crate::pending::{PendingCommit, StagedLog, WrittenEntry};
use crate::{HookError, Notices};

/// What to do with a CHANGELOG.md trail cannot parse (`[changelog] malformed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMalformed {
    /// Refuse the commit, naming file and line.
    Refuse,
    /// Leave the file as it is, and say so.
    Skip,
}

/// The work tree a commit's changelogs are edited in.
pub struct Worktree<'a> {
    pub git: &'a trail_git::Repository,
    pub workdir: &'a Path,
    /// The commit HEAD names (the new commit's parent, unless amending).
    pub head: Option<ObjectId>,
    pub on_malformed: OnMalformed,
}

/// An entry line and the `### ` subsection it stands under.
pub type EntryLine = (changelog::Section, String);

/// One CHANGELOG.md to rewrite: the text to stage, and what to write into the
/// work tree (`None`: leave the work tree file alone).
pub struct Edit {
    pub rel: Vec<u8>,
    pub staged: Vec<u8>,
    pub worktree: Option<Vec<u8>>,
    pub created: bool,
    pub entry: Option<WrittenEntry>,
}

/// Work out the new text of `dir`'s CHANGELOG.md, from the staged version (a
/// person's unstaged edits stay unstaged), the work tree's untracked file, or
/// the template. Refuses, naming file and line, when the file is malformed.
pub fn prepare(
    ctx: &Worktree<'_>,
    notices: &mut Notices,
    index: &StagedIndex,
    dir: &[u8],
    change: impl Fn(&[u8]) -> Result<Vec<u8>, changelog::Malformed>,
) -> Result<Option<Edit>, HookError> {
    let rel = changelog_path(dir);
    let shown = trail_journal::record::quote_path(&rel);
    let dir_path = ctx.workdir.join(OsStr::from_bytes(dir));
    match std::fs::symlink_metadata(&dir_path) {
        Ok(meta) if meta.is_dir() => {}
        // The directory is gone (its last file was deleted): no new changelog
        // brings it back; the root summary still names it.
        _ => return Ok(None),
    }
    let file = ctx.workdir.join(OsStr::from_bytes(&rel));
    let too_large = |notices: &mut Notices, size: u64| {
        notices.push(format!(
            "{shown} is {size} bytes, over the {MAX_CHANGELOG} bytes trail edits; trail leaves it alone \
             (move older releases to another file)"
        ));
        Ok(None)
    };
    let on_disk = match std::fs::symlink_metadata(&file) {
        Ok(meta) if meta.file_type().is_symlink() || !meta.is_file() => {
            notices.push(format!("{shown} is not a regular file; trail leaves it alone"));
            return Ok(None);
        }
        Ok(meta) if meta.len() > MAX_CHANGELOG => return too_large(notices, meta.len()),
        Ok(_) => Some(
            std::fs::read(&file)
                .map_err(|e| HookError::environment(format!("cannot read {shown}: {e}")))?,
        ),
        Err(_) => None,
    };
    let in_index = match index.blob_within(ctx.git, &rel, MAX_CHANGELOG) {
        Err(trail_git::StagedError::TooLarge { size, .. }) => return too_large(notices, size),
        other => other.map_err(|e| HookError::environment(e.to_string()))?.map(|(_, data)| data),
    };
    // What the person staged decides, not the work tree: a directory whose
    // files all left the index (`git rm -r --cached`, ignored leftovers) gets
    // no changelog, and one they took out of the index stays out.
    if !index.tracks_under(dir) {
        return Ok(None);
    }
    if in_index.is_none()
        && let Some(head) = ctx.head
        && trail_git::blob_id_in_commit(ctx.git, head, &rel)
            .map_err(|e| HookError::environment(e.to_string()))?
            .is_some()
    {
        return Ok(None);
    }
    let (base, created) = match (&in_index, &on_disk) {
        (Some(staged), _) => (staged.clone(), false),
        (None, Some(untracked)) => (untracked.clone(), false),
        (None, None) => (changelog::template(dir).into_bytes(), true),
    };
    let staged = match change(&base) {
        Ok(text) => text,
        Err(malformed) => {
            return match ctx.on_malformed {
                OnMalformed::Skip => {
                    notices.push(format!("{shown}:{}: {}; left as it is ([changelog] malformed = \"skip\")", malformed.line, malformed.reason));
                    Ok(None)
                }
                OnMalformed::Refuse => Err(HookError::refused(format!(
                    "commit refused: {shown}:{}: {}",
                    malformed.line, malformed.reason
                ))
                .hint(format!("fix {shown} (trail never rewrites a changelog it cannot parse), stage it, and commit again"))
                .hint("or set `[changelog] malformed = \"skip\"` in trail.toml to leave such files alone")),
            };
        }
    };
    if staged == base && !created {
        return Ok(None);
    }
    let worktree = match &on_disk {
        // Tracked but not in the work tree: outside a sparse checkout, or
        // deleted and not staged. Either way the work tree stays as it is.
        None if in_index.is_some() => None,
        None => Some(staged.clone()),
        Some(current) if Some(current) == in_index.as_ref() || in_index.is_none() => {
            Some(staged.clone())
        }
        // The person has unstaged edits: apply the same change to their version.
        Some(current) => match change(current) {
            Ok(text) => Some(text),
            Err(_) => {
                notices.push(format!(
                    "{shown} has unstaged edits trail cannot parse; the entry is staged but not written into the work tree"
                ));
                None
            }
        },
    };
    Ok(Some(Edit { rel, staged, worktree, created, entry: None }))
}

/// Write the work tree files, then stage every edit in one index write.
pub fn apply(
    ctx: &Worktree<'_>,
    index: &mut StagedIndex,
    edits: &[Edit],
) -> Result<Vec<StagedLog>, HookError> {
    if edits.is_empty() {
        return Ok(Vec::new());
    }
    for edit in edits {
        if let Some(text) = &edit.worktree {
            write_file(&ctx.workdir.join(OsStr::from_bytes(&edit.rel)), text)?;
        }
    }
    let items: Vec<StageItem<'_>> = edits
        .iter()
        .map(|e| StageItem {
            path: &e.rel,
            content: if e.worktree.as_ref() == Some(&e.staged) { None } else { Some(&e.staged) },
        })
        .collect();
    let ids = index
        .stage(ctx.git, ctx.workdir, &items)
        .map_err(|e| HookError::environment(e.to_string()))?;
    Ok(edits
        .iter()
        .zip(ids)
        .map(|(e, id)| StagedLog {
            path: e.rel.clone(),
            blob: id.to_string(),
            created: e.created,
            entry: e.entry.clone(),
        })
        .collect())
}

/// Replace `path` with `text` atomically, keeping its permissions (0644 when new).
fn write_file(path: &Path, text: &[u8]) -> Result<(), HookError> {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let cannot =
        |e: std::io::Error| HookError::environment(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(text).map_err(cannot)?;
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(cannot)?;
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

pub fn to_changelog_change(c: &FileChange) -> changelog::Change {
    let status = match c.status {
        'A' => changelog::Status::A,
        'D' => changelog::Status::D,
        'R' => changelog::Status::R,
        'T' => changelog::Status::T,
        _ => changelog::Status::M,
    };
    changelog::Change { path: c.path.clone(), status, from: c.from.clone() }
}

/// The largest CHANGELOG.md trail reads and rewrites (8 MiB): an edit holds
/// a few copies of it, and a hook's memory must not grow with what is
/// staged. A bigger one is left alone, with a message.
pub const MAX_CHANGELOG: u64 = 8 << 20;

/// A changelog read with [`MAX_CHANGELOG`]: one over it counts as absent
/// (trail does not edit it).
pub fn changelog_read(
    read: Result<Option<Vec<u8>>, trail_git::StagedError>,
) -> Result<Option<Vec<u8>>, HookError> {
    match read {
        Err(trail_git::StagedError::TooLarge { .. }) => Ok(None),
        other => other.map_err(|e| HookError::environment(e.to_string())),
    }
}

/// The subject of a commit message as git would keep it: its first line
/// that is not blank or a comment (`comment` is git's comment prefix), on one
/// line.
pub fn subject_of(message: &[u8], comment: &[u8]) -> Option<String> {
    let lines = crate::message::cleaned(message, comment);
    let first = lines.iter().find(|l| !l.trim_ascii().is_empty())?;
    crate::message::one_line(&String::from_utf8_lossy(first))
}

/// What a commit's message says about its entries ([`changelog::classify`]):
/// the section a trailer or the subject's Conventional Commits type chooses,
/// and whether the change is breaking.
pub fn choice(
    subject: Option<&str>,
    trailers: &[(String, String)],
    rules: &changelog::Sections,
) -> changelog::Choice {
    changelog::classify::choose(subject, trailers, rules)
}

/// `DIR/CHANGELOG.md` ("CHANGELOG.md" at the root).
pub fn changelog_path(dir: &[u8]) -> Vec<u8> {
    let mut rel = dir.to_vec();
    if !rel.is_empty() {
        rel.push(b'/');
    }
    rel.extend_from_slice(b"CHANGELOG.md");
    rel
}

/// The directory part of a repository-relative path ("" at the root).
pub fn dir_of(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[..i],
        None => &[],
    }
}

/// `git commit -o PATHS` (or `git commit -- PATHS`) commits a temporary index;
/// git then updates the real one only for PATHS. The CHANGELOG.md files staged
/// into the temporary index would show as changed in the real index ("phantom"
/// changes): stage them there too, when the work tree holds what was committed.
pub fn sync_real_index(
    ctx: &Worktree<'_>,
    pending: &PendingCommit,
    facts: &trail_git::CommitFacts,
    notices: &mut Notices,
) {
    let real = ctx.git.index_path();
    let stale_here = pending.stale_elsewhere.as_ref().filter(|s| same_file(&s.index, &real));
    // A plain `git commit` (also `-a`, `-i`) commits `index.lock`, which git then
    // renames over the real index: nothing to do, and no 50,000-entry index to
    // read again.
    if (same_file(&pending.index, &real) || is_lock_of(&pending.index, &real))
        && stale_here.is_none()
    {
        return;
    }
    let Ok(mut index) = trail_git::StagedIndex::open(ctx.git, &real) else { return };
    // (path, content to stage: None = the work tree's file)
    let mut stage: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    // An aborted attempt's entries still staged in the real index: out, unless
    // the commit just made holds that change.
    if let Some(stale) = stale_here {
        for path in &stale.paths {
            let committed = trail_git::blob_in_commit(ctx.git, facts.id, path).ok().flatten();
            if committed
                .is_some_and(|t| trail_changelog::has_change(&t, &stale.change_id).unwrap_or(true))
            {
                continue;
            }
            // The work tree got the same entry: it goes too.
            let file = ctx.workdir.join(OsStr::from_bytes(path));
            if let Ok(text) = std::fs::read(&file)
                && let Ok(clean) = trail_changelog::remove_change(&text, &stale.change_id)
                && clean != text
                && let Err(e) = std::fs::write(&file, &clean)
            {
                notices.push(format!(
                    "cannot take an aborted commit's entry out of {}: {e}",
                    file.display()
                ));
            }
            let Some((_, text)) = index.blob(ctx.git, path).ok().flatten() else { continue };
            if let Ok(clean) = trail_changelog::remove_change(&text, &stale.change_id)
                && clean != text
            {
                stage.push((path.clone(), Some(clean)));
            }
        }
    }
    for log in &pending.changelogs {
        let staged = index.blob(ctx.git, &log.path).ok().flatten();
        if staged.as_ref().is_some_and(|(id, _)| *id == log.blob) {
            continue;
        }
        let on_disk = std::fs::read(ctx.workdir.join(OsStr::from_bytes(&log.path))).ok();
        if on_disk.as_ref().is_some_and(|data| trail_git::blob_id(data) == log.blob) {
            stage.push((log.path.clone(), None));
            continue;
        }
        // The real index holds another version (a person staged an edit of
        // this CHANGELOG.md): it gets the entry too.
        let (Some((_, text)), Some(entry)) = (staged, &log.entry) else { continue };
        let Some(section) = trail_changelog::Section::from_name(&entry.section) else { continue };
        match trail_changelog::upsert_rendered(&text, section, &entry.line) {
            Ok(new) if new != text => {
                let content = if on_disk.as_ref() == Some(&new) { None } else { Some(new) };
                stage.push((log.path.clone(), content));
            }
            Ok(_) => {}
            Err(malformed) => notices.push(format!(
                "the staged {} is malformed ({malformed}); commit {}'s entry is not added to it",
                trail_journal::record::quote_path(&log.path),
                facts.id
            )),
        }
    }
    if stage.is_empty() {
        return;
    }
    let items: Vec<trail_git::StageItem<'_>> = stage
        .iter()
        .map(|(path, content)| trail_git::StageItem { path, content: content.as_deref() })
        .collect();
    if let Err(e) = index.stage(ctx.git, ctx.workdir, &items) {
        notices.push(format!(
            "commit {} is recorded, but its CHANGELOG.md files could not be staged in the index: {e}; `git add` them",
            facts.id
        ));
    }
}

pub(crate) fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        // The temporary index is gone by now: it was not the real one.
        _ => false,
    }
}

/// Whether `path` is git's lock file of the index `real` (`index.lock`, which
/// becomes `index` when the commit completes), compared by directory and name
/// since the lock file itself is gone by post-commit.
pub(crate) fn is_lock_of(path: &std::path::Path, real: &std::path::Path) -> bool {
    let (Some(name), Some(real_name)) = (path.file_name(), real.file_name()) else { return false };
    let mut lock = real_name.to_os_string();
    lock.push(".lock");
    name == lock
        && match (path.parent(), real.parent()) {
            (Some(a), Some(b)) => same_file(a, b),
            _ => false,
        }
}

/// A repository-relative path and the whole text it should hold.
pub type FileText = (Vec<u8>, Vec<u8>);

/// The CHANGELOG.md files a commit made without pre-commit (`git revert`,
/// `git cherry-pick`, `git am`) should hold, where they differ from what it
/// holds: each directory of `plan` gets the commit's entry where it has none
/// (a picked commit usually brings its own), and entries of earlier commits
/// that the commit deleted come back — a revert undoes a change's files, not
/// the record that the change was made. Returns (path, text) pairs; a file
/// trail cannot parse is left alone, with a notice.
pub fn reconcile(
    git: &trail_git::Repository,
    commit: ObjectId,
    parent: Option<ObjectId>,
    plan: &[(Vec<u8>, changelog::Entry)],
    present: &dyn Fn(&[u8]) -> bool,
    notices: &mut Notices,
) -> Result<Vec<FileText>, HookError> {
    let mut out = Vec::new();
    for (dir, entry) in plan {
        let path = changelog_path(dir);
        let shown = trail_journal::record::quote_path(&path);
        let ours =
            changelog_read(trail_git::blob_in_commit_within(git, commit, &path, MAX_CHANGELOG))?;
        let theirs = match parent {
            Some(parent) => {
                changelog_read(trail_git::blob_in_commit_within(git, parent, &path, MAX_CHANGELOG))?
            }
            None => None,
        };
        let Some(mut text) =
            ours.clone().or_else(|| present(dir).then(|| changelog::template(dir).into_bytes()))
        else {
            continue;
        };
        let fixed = (|| -> Result<Vec<u8>, changelog::Malformed> {
            if let Some(before) = &theirs {
                text = restore_entries(&text, before)?;
            }
            if !changelog::has_change(&text, &entry.meta.change)? {
                text = changelog::upsert(&text, entry)?;
            }
            Ok(text)
        })();
        match fixed {
            Ok(text) if Some(&text) != ours.as_ref() => out.push((path, text)),
            Ok(_) => {}
            Err(malformed) => notices.push(format!(
                "{shown}:{}: {}; trail leaves it as the commit has it, without this commit's entry (and without any entry the commit took out): fix the file, then `trail changelog sync` adds them",
                malformed.line, malformed.reason
            )),
        }
    }
    Ok(out)
}

/// `text` with the Unreleased entries back that `before` (the same file,
/// earlier) holds and `text` lacks: a revert undoes a change's files, not
/// the record that the change was made. A `before` trail cannot parse
/// restores nothing.
pub fn restore_entries(text: &[u8], before: &[u8]) -> Result<Vec<u8>, changelog::Malformed> {
    let Ok(ids) = changelog::unreleased_changes(before) else { return Ok(text.to_vec()) };
    let kept = changelog::unreleased_changes(text)?;
    let mut text = text.to_vec();
    for id in ids.iter().filter(|id| !kept.contains(id)) {
        for (section, line) in changelog::change_entries(before, id).unwrap_or_default() {
            text = changelog::upsert_rendered(&text, section, &line)?;
        }
    }
    Ok(text)
}

/// `text` without the Unreleased entries of changes `before` (the same file,
/// earlier; `None`: it did not exist) does not hold, but `ours`: what a
/// `git merge --squash` staged of the other branch's entries, which the one
/// commit that squashes them replaces with its own.
pub fn drop_entries_not_in(
    text: &[u8],
    before: Option<&[u8]>,
    ours: &str,
) -> Result<Vec<u8>, changelog::Malformed> {
    let known =
        before.map(|b| changelog::unreleased_changes(b).unwrap_or_default()).unwrap_or_default();
    let mut text = text.to_vec();
    for id in changelog::unreleased_changes(&text)? {
        if id != ours && !known.contains(&id) {
            text = changelog::remove_change(&text, &id)?;
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(text: &[u8], id: &str) -> Vec<u8> {
        let line = format!("- 2026-01-01T00:00:00Z `a.rs` — Why: w. Impact: i. (T, change {id})");
        changelog::upsert_rendered(text, changelog::Section::Changed, &line).expect("upsert")
    }

    #[test]
    fn a_revert_gets_back_the_entries_it_took_out() {
        let empty = changelog::template(b"src").into_bytes();
        let before = with(&with(&empty, "aaaa1111"), "bbbb2222");
        let reverted = changelog::remove_change(&before, "bbbb2222").expect("remove");
        let restored = restore_entries(&with(&reverted, "cccc3333"), &before).expect("restore");
        let ids = changelog::unreleased_changes(&restored).expect("parse");
        for id in ["aaaa1111", "bbbb2222", "cccc3333"] {
            assert!(ids.iter().any(|i| i == id), "{id} in {ids:?}");
        }
        assert_eq!(restore_entries(&before, &before).expect("same"), before, "nothing to do");
        assert_eq!(restore_entries(&before, b"<<<<<<<\n").expect("unparsable"), before);
    }

    #[test]
    fn a_squash_keeps_only_entries_known_before_and_its_own() {
        let empty = changelog::template(b"src").into_bytes();
        let before = with(&empty, "aaaa1111");
        let staged = with(&with(&with(&before, "bbbb2222"), "cccc3333"), "dddd4444");
        let kept = drop_entries_not_in(&staged, Some(&before), "dddd4444").expect("drop");
        let ids = changelog::unreleased_changes(&kept).expect("parse");
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.iter().any(|i| i == "aaaa1111") && ids.iter().any(|i| i == "dddd4444"));
        let new_file = drop_entries_not_in(&staged, None, "dddd4444").expect("drop");
        assert_eq!(changelog::unreleased_changes(&new_file).expect("parse"), ["dddd4444"]);
    }
}
