//! pre-commit: the rationale is checked, a change id allocated, and the
//! CHANGELOG.md of every directory the commit touches updated and staged —
//! here, because git builds the commit's tree right after this hook (DESIGN §4).
//!
//! No store access on the common path: what post-commit needs is left in
//! `pending/commit-<worktree>.json`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use chrono::{SubsecRound as _, Utc};
use trail_changelog as changelog;
use trail_git::{FileChange, ObjectId, StageItem, StagedIndex};
use trail_journal::{Draft, Source, Timestamp, kinds};

use super::{HookContext, one_line};
use crate::config::Malformed as OnMalformed;
use crate::error::CommandError;
use crate::output::say;
use crate::pending::{PendingAuth, PendingCommit, StagedLog, StaleEntries, WrittenEntry};
use crate::{judge, protect};
use trail_policy::{Clock, Decision, Denial, Gate, MAX_CONFIG, POLICY_FILE};

pub fn run() -> Result<(), CommandError> {
    let ctx = HookContext::new()?;
    let git = &ctx.repo.git;
    let head = ctx.head();
    let invocation = super::GitInvocation::current();
    let amend = head.is_some() && amending(invocation.as_ref());
    let head_facts = match (amend, head) {
        (true, Some(head)) => Some(describe(&ctx, head)?),
        _ => None,
    };
    // The commit being made will have `base` as its first parent.
    let base = match &head_facts {
        Some(facts) => facts.parents.first().copied(),
        None => head,
    };
    // Amending a merge is a merge too: its changes against the first parent
    // are the merged branch's, documented by that branch's entries.
    let merge = ctx.repo.location.git_dir.join("MERGE_HEAD").exists()
        || head_facts.as_ref().is_some_and(|f| f.parents.len() > 1);
    let index_path = ctx.index_path();
    let mut index = StagedIndex::open(git, &index_path)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    let changes = index.changes(git, base).map_err(|e| CommandError::environment(e.to_string()))?;

    // The rationale: `trail commit` / the environment, then a note.
    let note = ctx.pending.note()?;

    // Protected paths (DESIGN §6), under the policy of the commit this one
    // builds on: a change cannot loosen its own check.
    let others: Vec<ObjectId> = match &head_facts {
        Some(facts) => facts.parents.iter().skip(1).copied().collect(),
        None if merge => protect::merge_heads(&ctx.repo.location.git_dir),
        None => Vec::new(),
    };
    let note_token = note.as_ref().and_then(|n| n.token.clone());
    let amended_token = head_facts
        .as_ref()
        .and_then(|f| f.trailer("Trail-Authorization"))
        .zip(head)
        .map(|(t, id)| (id, t.to_owned()));
    let protection = Protection {
        base,
        others: &others,
        note_token: note_token.as_deref(),
        amended: amended_token.as_ref().map(|(id, t)| (*id, t.as_str())),
    };
    let (authorization, token_from_note) = check_protection(&ctx, &index, &changes, &protection)?;
    let env = |name: &str| std::env::var(name).ok().and_then(|v| one_line(&v));
    let from_head =
        |token: &str| head_facts.as_ref().and_then(|f| f.trailer(token)).and_then(one_line);
    // When amending, the message keeps its trailers (commit-msg never replaces
    // one), so they win: entries and record then say what the message says.
    let noted_why = note.as_ref().and_then(|n| n.why.as_deref()).and_then(one_line);
    let noted_impact = note.as_ref().and_then(|n| n.impact.as_deref()).and_then(one_line);
    let why = from_head("Why").or_else(|| env("TRAIL_WHY"));
    let impact = from_head("Impact").or_else(|| env("TRAIL_IMPACT"));
    let used_note = token_from_note
        || (why.is_none() && noted_why.is_some())
        || (impact.is_none() && noted_impact.is_some());
    let why = why.or(noted_why);
    let impact = impact.or(noted_impact);
    if why.is_none() && ctx.config.rationale.required {
        record_blocked(&ctx, &changes, "no rationale: trail.toml requires a why for every commit");
        return Err(CommandError::refused(
            "commit refused: it has no rationale (this repository's trail.toml requires a \"why\" for every commit)",
        )
        .hint("trail commit -m \"MESSAGE\" --why \"the problem this solves\" --impact \"what it affects\"")
        .hint("TRAIL_WHY=\"the problem this solves\" TRAIL_IMPACT=\"what it affects\" git commit …")
        .hint("trail note --why \"the problem this solves\" --impact \"what it affects\"   (kept for your next commit), then commit again"));
    }

    // A retry after an aborted commit keeps its change id, so its entries are
    // replaced rather than added again.
    let previous = ctx.pending.commit()?;
    let base_hex = base.map(|b| b.to_string());
    let retry = previous
        .clone()
        .filter(|p| p.base == base_hex && p.amend == amend && p.index == index_path);
    // Entries an aborted attempt staged that this attempt must take out: all of
    // a retry's (they are replaced or, where no longer planned, dropped); of an
    // attempt that is not retried (it was a plain commit, this is an amend, or
    // HEAD moved), those HEAD does not hold — committed entries stay.
    // (path, the committed entries of that change to put back): a retry's
    // entries are all taken out (they are replaced, or dropped where no longer
    // planned); another attempt's entries are taken out, and where HEAD holds
    // that change (an aborted amend rewrote a committed entry) HEAD's lines
    // are put back.
    let mut stale: Vec<(Vec<u8>, Vec<EntryLine>)> = Vec::new();
    if let Some(p) = &previous {
        for log in &p.changelogs {
            let committed = match (head, retry.is_some()) {
                (Some(head), false) => changelog_read(trail_git::blob_in_commit_within(
                    git,
                    head,
                    &log.path,
                    MAX_CHANGELOG,
                ))?,
                _ => None,
            };
            let restore = committed
                .and_then(|text| changelog::change_entries(&text, &p.change_id).ok())
                .unwrap_or_default();
            stale.push((log.path.clone(), restore));
        }
    }
    let stale_id = previous.as_ref().map(|p| p.change_id.clone()).unwrap_or_default();
    let drop_stale = |path: &[u8], text: &[u8]| -> Result<Vec<u8>, changelog::Malformed> {
        let Some((_, restore)) = stale.iter().find(|(p, _)| p == path) else {
            return Ok(text.to_vec());
        };
        if changelog::change_entries(text, &stale_id)? == *restore {
            return Ok(text.to_vec()); // as committed (or absent): nothing to undo
        }
        let mut text = changelog::remove_change(text, &stale_id)?;
        for (section, line) in restore {
            text = changelog::upsert_rendered(&text, *section, line)?;
        }
        Ok(text)
    };
    let change_id = head_facts
        .as_ref()
        .and_then(|f| f.trailer("Change-Id"))
        .filter(|id| changelog::valid_change_id(id))
        .map(str::to_owned)
        .or_else(|| retry.as_ref().map(|p| p.change_id.clone()))
        .unwrap_or_else(new_change_id);

    let time = Utc::now().trunc_subsecs(0);
    let author = std::env::var("GIT_AUTHOR_NAME")
        .ok()
        .and_then(|n| one_line(&n))
        .or_else(|| git.author().and_then(Result::ok).map(|s| s.name.to_string()))
        .unwrap_or_else(|| "unknown".to_owned());
    let meta = changelog::Meta {
        time,
        why: why.clone(),
        impact: impact.clone(),
        author,
        change: change_id.clone(),
        section: None,
    };

    // A merge brings entries with the merged branch's changelogs; the merge
    // commit itself adds none.
    let plan = if merge {
        Vec::new()
    } else {
        let planned: Vec<changelog::Change> = changes.iter().map(to_changelog_change).collect();
        let exclusions =
            ctx.config.changelog.exclusions().map_err(|e| {
                CommandError::usage(format!("trail.toml: [changelog] exclude: {e}"))
            })?;
        let excluded = |dir: &[u8]| exclusions.is_excluded(dir);
        changelog::plan(&planned, &meta, ctx.config.changelog.root_summary, &excluded)
    };

    let planned: Vec<Vec<u8>> = plan.iter().map(|(dir, _)| changelog_path(dir)).collect();
    let prepared = (|| -> Result<Vec<Edit>, CommandError> {
        let mut edits = Vec::new();
        for ((dir, entry), path) in plan.iter().zip(&planned) {
            let edit = prepare(&ctx, &index, dir, |text| {
                changelog::upsert(&drop_stale(path, text)?, entry)
            })?;
            edits.extend(edit.map(|mut e| {
                e.entry = Some(WrittenEntry {
                    section: entry.section().name().to_owned(),
                    line: entry.render(),
                });
                e
            }));
        }
        // An aborted attempt's entries in directories this attempt does not touch.
        for (path, _) in stale.iter().filter(|(p, _)| !planned.contains(p)) {
            edits.extend(prepare(&ctx, &index, dir_of(path), |text| drop_stale(path, text))?);
        }
        Ok(edits)
    })();
    let edits = match prepared {
        Ok(edits) => edits,
        Err(refusal) => {
            if refusal.exit == crate::error::Exit::Refused {
                record_blocked(&ctx, &changes, &refusal.message);
            }
            return Err(refusal);
        }
    };
    let staged = apply(&ctx, &mut index, &edits)?;

    let stale_elsewhere = previous
        .as_ref()
        .filter(|p| retry.is_none() && p.index != index_path)
        .map(|p| StaleEntries {
            index: p.index.clone(),
            change_id: p.change_id.clone(),
            paths: p.changelogs.iter().map(|l| l.path.clone()).collect(),
        });
    let pending = PendingCommit {
        change_id,
        base: base_hex,
        amend,
        merge,
        why,
        impact,
        time: Timestamp(time).to_rfc3339(),
        index: index_path,
        changelogs: staged,
        invocation: invocation.map(|i| i.id),
        used_note,
        stale_elsewhere,
        authorization,
    };
    ctx.pending.set_commit(&pending)?;
    Ok(())
}

/// What the protection check of a staged change needs besides the change.
struct Protection<'a> {
    /// The commit the new commit builds on: its policy applies.
    base: Option<ObjectId>,
    /// The other parents of a merge.
    others: &'a [ObjectId],
    note_token: Option<&'a str>,
    /// When amending: the commit being replaced and its token, which may be
    /// used again for the commit that replaces it.
    amended: Option<(ObjectId, &'a str)>,
}

/// Refuse the commit unless its protected changes are authorized. Returns
/// what post-commit records and whether the token came from `trail note`.
fn check_protection(
    ctx: &HookContext,
    index: &StagedIndex,
    changes: &[FileChange],
    p: &Protection<'_>,
) -> Result<(Option<PendingAuth>, bool), CommandError> {
    let git = &ctx.repo.git;
    let (policy, source) = protect::policy_named(git, p.base, "HEAD")?;
    let trail_dir = ctx.repo.location.trail_dir();
    let snapshot = protect::staged_snapshot(&trail_dir, &policy, p.base, changes, index);
    let protected = protect::protected_changes(git, &policy, p.base, changes, Some(&snapshot))?;
    if protected.is_empty() {
        return Ok((None, false));
    }
    let env_token =
        std::env::var("TRAIL_TOKEN").ok().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let (token, from_note) = match (&env_token, p.note_token, p.amended) {
        (Some(t), _, _) => (Some(t.as_str()), false),
        (None, Some(t), _) => (Some(t), true),
        (None, None, Some((_, t))) => (Some(t), false),
        _ => (None, false),
    };
    let denied = |denial: Denial| -> CommandError {
        let digest = protect::digest(&protected);
        record_blocked(
            ctx,
            changes,
            &format!("authorization refused ({}): {}", denial.check, denial.message),
        );
        let mut error = CommandError::refused(format!(
            "commit refused: {}\nprotected paths in this commit (policy: {source}):{}",
            denial.message,
            protect::describe_changes(&protected)
        ));
        for hint in denial.hints {
            error = error.hint(hint);
        }
        if !policy.authorizers().is_empty() {
            error = error.hint(format!(
                "the digest of these changes is {digest}; an authorizer approves exactly them with: {}",
                protect::authorize_command(&protected, &digest)
            ));
        }
        error
    };
    // A merge without a token of its own: what it brings must have been
    // authorized on the merged side (trail_policy::Gate::judge_merge).
    if let (Some(head), false, None) = (p.base, p.others.is_empty(), token) {
        let mut history_git = git.clone();
        let mut history =
            judge::GitHistory::new(&ctx.repo, &mut history_git, judge::Memory::Journal)?;
        let mut gate = Gate::new(&mut history, None, None, Utc::now(), false);
        return match gate.judge_merge(&head, p.others, &protected)? {
            None => Ok((None, false)),
            Some(denial) => Err(denied(denial)),
        };
    }
    let new_policy = match protected.iter().any(|c| c.path == POLICY_FILE.as_bytes()) {
        true => match index.blob_within(git, POLICY_FILE.as_bytes(), MAX_CONFIG as u64) {
            Err(trail_git::StagedError::TooLarge { size, .. }) => {
                return Err(CommandError::usage(format!(
                    "the staged {POLICY_FILE} is {size} bytes, too large to be a policy (the limit is {MAX_CONFIG})"
                ))
                .hint(format!("stage a {POLICY_FILE} that holds only the policy")));
            }
            other => {
                other.map_err(|e| CommandError::environment(e.to_string()))?.map(|(_, data)| data)
            }
        },
        false => None,
    };
    let repo_id = match (token, p.base) {
        (Some(_), Some(base)) => {
            Some(protect::repository_id(git, &ctx.repo.location.trail_dir(), base)?)
        }
        _ => None,
    };
    let change = trail_policy::Change {
        policy: &policy,
        protected: &protected,
        new_policy: new_policy.as_deref(),
        repo_id: repo_id.as_deref(),
    };
    let paths: Vec<(Vec<u8>, char)> =
        protected.iter().map(|c| (c.path.clone(), c.status)).collect();
    let amended = p.amended.map(|(id, _)| id);
    let used = match token.and_then(|t| trail_policy::Token::parse(t).ok()) {
        Some(parsed) if !parsed.claims().reuse => {
            judge::token_spent(&ctx.repo, parsed.id(), amended)?
        }
        _ => false,
    };
    let decision =
        trail_policy::decide(&change, token, &|_| used, Clock::now(Utc::now())).map_err(denied)?;
    match decision {
        Decision::Unenforced => {
            say(format_args!(
                "note: protection of MCP configurations is off: {source} names no authorizer \
                 in `[protect] authorizers`, so this change to {POLICY_FILE} needs no token \
                 (`trail keygen --add` names one)"
            ));
            Ok((None, false))
        }
        Decision::Bootstrap { authorizers } => {
            say(format_args!(
                "POLICY BOOTSTRAP: this commit names the first authorizers of this repository:"
            ));
            for line in &authorizers {
                say(format_args!("  {line}"));
            }
            say(
                "from this commit on, only tokens they sign authorize changes to protected paths; \
                 anyone able to commit could have named these keys, so check them (docs/protection.md)",
            );
            let auth = PendingAuth {
                token: None,
                token_id: None,
                issuer: None,
                bootstrap: authorizers,
                paths,
            };
            Ok((Some(auth), false))
        }
        Decision::Authorized(verified) => {
            let claims = verified.token.claims();
            say(format_args!(
                "protected changes authorized by token {} (key {}{}): {}",
                claims.id,
                verified.authorizer.id(),
                verified.authorizer.name().map(|n| format!(", {n}")).unwrap_or_default(),
                if claims.reason.is_empty() { "no reason given" } else { &claims.reason }
            ));
            let auth = PendingAuth {
                token: token.map(str::to_owned),
                token_id: Some(claims.id.clone()),
                issuer: Some(verified.authorizer.id().to_string()),
                bootstrap: Vec::new(),
                paths,
            };
            Ok((Some(auth), from_note))
        }
    }
}

/// An entry line and the `### ` subsection it stands under.
type EntryLine = (changelog::Section, String);

/// One CHANGELOG.md to rewrite: the text to stage, and what to write into the
/// work tree (`None`: leave the work tree file alone).
struct Edit {
    rel: Vec<u8>,
    staged: Vec<u8>,
    worktree: Option<Vec<u8>>,
    created: bool,
    entry: Option<WrittenEntry>,
}

/// Work out the new text of `dir`'s CHANGELOG.md, from the staged version (a
/// person's unstaged edits stay unstaged), the work tree's untracked file, or
/// the template. Refuses, naming file and line, when the file is malformed.
fn prepare(
    ctx: &HookContext,
    index: &StagedIndex,
    dir: &[u8],
    change: impl Fn(&[u8]) -> Result<Vec<u8>, changelog::Malformed>,
) -> Result<Option<Edit>, CommandError> {
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
    let too_large = |size: u64| {
        say(format_args!(
            "{shown} is {size} bytes, over the {MAX_CHANGELOG} bytes trail edits; trail leaves it alone \
             (move older releases to another file)"
        ));
        Ok(None)
    };
    let on_disk = match std::fs::symlink_metadata(&file) {
        Ok(meta) if meta.file_type().is_symlink() || !meta.is_file() => {
            say(format_args!("{shown} is not a regular file; trail leaves it alone"));
            return Ok(None);
        }
        Ok(meta) if meta.len() > MAX_CHANGELOG => return too_large(meta.len()),
        Ok(_) => Some(
            std::fs::read(&file)
                .map_err(|e| CommandError::environment(format!("cannot read {shown}: {e}")))?,
        ),
        Err(_) => None,
    };
    let in_index = match index.blob_within(&ctx.repo.git, &rel, MAX_CHANGELOG) {
        Err(trail_git::StagedError::TooLarge { size, .. }) => return too_large(size),
        other => other.map_err(|e| CommandError::environment(e.to_string()))?.map(|(_, data)| data),
    };
    // What the person staged decides, not the work tree: a directory whose
    // files all left the index (`git rm -r --cached`, ignored leftovers) gets
    // no changelog, and one they took out of the index stays out.
    if !index.tracks_under(dir) {
        return Ok(None);
    }
    if in_index.is_none()
        && let Some(head) = ctx.head()
        && trail_git::blob_id_in_commit(&ctx.repo.git, head, &rel)
            .map_err(|e| CommandError::environment(e.to_string()))?
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
            return match ctx.config.changelog.malformed {
                OnMalformed::Skip => {
                    say(format_args!("{shown}:{}: {}; left as it is ([changelog] malformed = \"skip\")", malformed.line, malformed.reason));
                    Ok(None)
                }
                OnMalformed::Refuse => Err(CommandError::refused(format!(
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
        None => Some(staged.clone()),
        Some(current) if Some(current) == in_index.as_ref() || in_index.is_none() => {
            Some(staged.clone())
        }
        // The person has unstaged edits: apply the same change to their version.
        Some(current) => match change(current) {
            Ok(text) => Some(text),
            Err(_) => {
                say(format_args!(
                    "{shown} has unstaged edits trail cannot parse; the entry is staged but not written into the work tree"
                ));
                None
            }
        },
    };
    Ok(Some(Edit { rel, staged, worktree, created, entry: None }))
}

/// Write the work tree files, then stage every edit in one index write.
fn apply(
    ctx: &HookContext,
    index: &mut StagedIndex,
    edits: &[Edit],
) -> Result<Vec<StagedLog>, CommandError> {
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
        .stage(&ctx.repo.git, &ctx.workdir, &items)
        .map_err(|e| CommandError::environment(e.to_string()))?;
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
fn write_file(path: &Path, text: &[u8]) -> Result<(), CommandError> {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot write {}: {e}", path.display()))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(text).map_err(cannot)?;
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(cannot)?;
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

fn to_changelog_change(c: &FileChange) -> changelog::Change {
    let status = match c.status {
        'A' => changelog::Status::A,
        'D' => changelog::Status::D,
        'R' => changelog::Status::R,
        'T' => changelog::Status::T,
        _ => changelog::Status::M,
    };
    changelog::Change { path: c.path.clone(), status, from: c.from.clone() }
}

fn describe(ctx: &HookContext, id: ObjectId) -> Result<trail_git::CommitFacts, CommandError> {
    let mut git = ctx.repo.git.clone();
    let mut importer = trail_git::Importer::new(&mut git)?;
    Ok(importer.describe(id)?)
}

/// 16 hex digits from the OS's random source.
fn new_change_id() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Record a refused commit. The refusal stands even when the journal cannot
/// be written; the user is told.
fn record_blocked(ctx: &HookContext, changes: &[FileChange], reason: &str) {
    let mut draft = Draft::new(kinds::COMMIT_BLOCKED, Source::Hook, Timestamp::now());
    draft.actor = Some(super::local_actor(&ctx.repo.git));
    draft.paths = changes.iter().map(crate::records::path_change).collect();
    let mut detail = serde_json::Map::new();
    detail.insert("reason".into(), reason.into());
    draft.detail = Some(detail);
    if let Err(e) = crate::pending::append_or_spool(&ctx.repo, vec![draft], None) {
        say(format_args!("could not record the refusal in the journal: {}", e.message));
    }
}

/// The largest CHANGELOG.md trail reads and rewrites (8 MiB): an edit holds
/// a few copies of it, and a hook's memory must not grow with what is
/// staged. A bigger one is left alone, with a message.
const MAX_CHANGELOG: u64 = 8 << 20;

/// A changelog read with [`MAX_CHANGELOG`]: one over it counts as absent
/// (trail does not edit it).
fn changelog_read(
    read: Result<Option<Vec<u8>>, trail_git::StagedError>,
) -> Result<Option<Vec<u8>>, CommandError> {
    match read {
        Err(trail_git::StagedError::TooLarge { .. }) => Ok(None),
        other => other.map_err(|e| CommandError::environment(e.to_string())),
    }
}

/// `DIR/CHANGELOG.md` ("CHANGELOG.md" at the root).
fn changelog_path(dir: &[u8]) -> Vec<u8> {
    let mut rel = dir.to_vec();
    if !rel.is_empty() {
        rel.push(b'/');
    }
    rel.extend_from_slice(b"CHANGELOG.md");
    rel
}

/// The directory part of a repository-relative path ("" at the root).
fn dir_of(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[..i],
        None => &[],
    }
}

/// Whether the `git commit` that runs this hook amends. git does not tell
/// pre-commit; its command line does (git accepts any unambiguous prefix:
/// `--am`, `--amen`). `TRAIL_AMEND=1` says so explicitly.
fn amending(invocation: Option<&super::GitInvocation>) -> bool {
    if let Ok(value) = std::env::var("TRAIL_AMEND") {
        return value == "1";
    }
    let Some(invocation) = invocation else { return false };
    let args = &invocation.args;
    let Some(at) = args.iter().position(|a| a == b"commit") else { return false };
    args[at + 1..]
        .iter()
        .take_while(|a| a.as_slice() != b"--")
        .any(|a| a.len() >= 4 && b"--amend".starts_with(a))
}
