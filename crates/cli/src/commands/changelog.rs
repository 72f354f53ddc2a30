//! `trail changelog check | sync | release | merge`

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use trail_changelog::{Change, Malformed, Meta};
use trail_journal::record::quote_path;
use trail_journal::{Query, Record, Source, kinds, query};

use crate::config::{self, Config};
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};
use crate::timeparse;

const FILE_NAME: &str = "CHANGELOG.md";

/// Keep the CHANGELOG.md of every directory: check, rebuild, release, merge.
///
/// trail keeps a CHANGELOG.md (Keep a Changelog 1.1.0 format) in every
/// directory that holds files, with one line per commit that touched the
/// directory: its time, files, why, impact, author and change id, under
/// `## [Unreleased]`. The git hooks write these lines as you commit; these
/// commands check the files, fill in what is missing from the journal, turn
/// Unreleased into a release, and merge two branches' entries. See
/// `trail docs changelog`.
#[derive(Debug, Args)]
pub struct ChangelogArgs {
    #[command(subcommand)]
    pub command: ChangelogCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChangelogCommand {
    Check(CheckArgs),
    Sync(SyncArgs),
    Release(ReleaseArgs),
    Merge(MergeArgs),
}

/// List directories without a CHANGELOG.md, and CHANGELOG.md files trail
/// cannot edit.
///
/// Every directory that directly holds files git tracks should have a
/// CHANGELOG.md (the root too, when `[changelog] root_summary` is on), except
/// those matched by `[changelog] exclude` in trail.toml. A file is malformed
/// when it is not UTF-8, has a code block that is never closed, holds git
/// conflict markers, has two `## [Unreleased]` sections, or has a `### `
/// heading under Unreleased that is not a Keep a Changelog section. Each
/// problem is printed as `DIR/: no CHANGELOG.md` or `PATH:LINE: reason`.
///
/// Exits 1 when it found anything, 0 when every file is in place.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail changelog check                 in CI: fail when a changelog is missing or broken
  trail changelog check --json | jq .   the findings as JSON Lines")]
pub struct CheckArgs {
    /// Print each finding as a JSON object on its own line.
    #[arg(long)]
    pub json: bool,
}

/// Add the journal's commits to the CHANGELOG.md files that lack them.
///
/// Goes through the commits of the current branch (HEAD's history) that the
/// journal recorded, oldest first, and adds each one's entry to the
/// CHANGELOG.md of every directory it touched that does not already name its
/// change id (anywhere in the file, released or not). Then every directory
/// that must keep a CHANGELOG.md and has none gets one from the template.
/// Nothing is added twice, so running it again is harmless. By default only commits recorded by trail's
/// git hooks count; commits backfilled by `trail import` are added with
/// --include-imported. Directories that no longer exist are skipped. A
/// malformed file is never touched: it is reported and trail exits 1 after
/// writing the others. Files are written, not staged.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail changelog sync                              entries the hooks recorded
  trail changelog sync --include-imported --since 2026-01-01
  trail changelog sync src/                         only CHANGELOG.md files in src/ and below")]
pub struct SyncArgs {
    /// Only commits at or after this time: RFC 3339, a date, or "2 days ago".
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Also commits that `trail import` recorded from the existing history.
    #[arg(long)]
    pub include_imported: bool,

    /// Only the CHANGELOG.md files of these directories and those below them
    /// (relative to the current directory). Default: the whole repository.
    #[arg(value_name = "PATH")]
    pub paths: Vec<OsString>,

    /// Print what was written as one JSON object on stdout: added (entries
    /// in all), files (one {path, created, entries} per file written),
    /// skipped (commits whose change id is not letters and digits) and
    /// malformed (one message per file left alone). Messages stay on stderr;
    /// the exit code is the same.
    #[arg(long)]
    pub json: bool,
}

/// Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md.
///
/// A new, empty `## [Unreleased]` section opens above the release; nothing
/// else in the files changes. A file with nothing unreleased is left as it is.
/// All or nothing: when any CHANGELOG.md is malformed, or already has a
/// release VERSION, no file is changed. The files are written, not staged or
/// committed.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail changelog release 1.4.0
  trail changelog release 1.4.0 --date 2026-12-01
  trail changelog release 0.3.0 crates/journal --tag-prefix journal-v")]
pub struct ReleaseArgs {
    /// The version, as it should appear in the headings (e.g. 1.4.0).
    // Not the id `version`: that is the propagated --version flag's.
    #[arg(id = "release_version", value_name = "VERSION")]
    pub version: String,

    /// Release only the CHANGELOG.md files of these directories and of the
    /// directories below them (a package's in a monorepo), relative to the
    /// current directory. Default: every directory.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// The release date, YYYY-MM-DD. Default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// What the release's git tag starts with, for the compare links: `v`
    /// links to tag v1.4.0; a package's tags might start with `journal-v`.
    #[arg(long, value_name = "PREFIX", default_value = "v")]
    pub tag_prefix: String,

    /// Write no compare links. They are written (Keep a Changelog's
    /// `[1.4.0]: …/compare/v1.3.0...v1.4.0` at the end of each file) when the
    /// remote `origin`, or the only remote, is on GitHub, GitLab, Gitea,
    /// Forgejo or Codeberg.
    #[arg(long)]
    pub no_links: bool,

    /// Print what was released as one JSON object on stdout: version, date,
    /// released (the paths of the files changed), unchanged (how many had
    /// nothing unreleased) and links (the forge's web address the compare
    /// links point to, or null). Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

/// The git merge driver for CHANGELOG.md files (git runs this, not you).
///
/// When two branches both added entries, the merge keeps every entry once,
/// newest first, and takes the rest of the text from whichever side changed
/// it. When both sides changed the text around the entries, it hands over to
/// `git merge-file`, so git reports an ordinary conflict. Set it up with:
///
///   git config merge.trail.driver "trail changelog merge %O %A %B %P"
///
///   echo "CHANGELOG.md merge=trail" >> .gitattributes
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The common ancestor's version (git's %O).
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// Our version (git's %A); the merge result is written here.
    #[arg(value_name = "OURS")]
    pub ours: PathBuf,
    /// Their version (git's %B).
    #[arg(value_name = "THEIRS")]
    pub theirs: PathBuf,
    /// The file's path in the repository (git's %P), for messages.
    #[arg(value_name = "PATH")]
    pub path: Option<OsString>,
}

pub fn run(args: ChangelogArgs) -> Result<(), CommandError> {
    match args.command {
        ChangelogCommand::Check(args) => check(args),
        ChangelogCommand::Sync(args) => sync(args),
        ChangelogCommand::Release(args) => release(args),
        ChangelogCommand::Merge(args) => merge(args),
    }
}

/// The repository, its work tree and its policy.
fn open() -> Result<(Repo, PathBuf, Config), CommandError> {
    let repo = Repo::discover()?;
    let Some(workdir) = repo.location.workdir.clone() else {
        return Err(CommandError::environment(
            "this repository has no work tree, so it has no CHANGELOG.md files",
        ));
    };
    let config = config::load(&workdir.join("trail.toml"))?;
    Ok((repo, workdir, config))
}

/// `[changelog] exclude` as a predicate on repository-relative directories
/// (the rules are `config::Exclusions`', shared with the pre-commit hook).
fn exclusions(config: &Config) -> Result<impl Fn(&[u8]) -> bool + use<>, CommandError> {
    let exclusions = config.changelog.exclusions().map_err(|e| {
        CommandError::usage(format!("trail.toml: [changelog] exclude: {e}"))
            .hint("fix the glob; `trail docs changelog` says how globs match")
    })?;
    Ok(move |dir: &[u8]| exclusions.is_excluded(dir))
}

#[cfg(unix)]
fn bytes_path(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn bytes_path(bytes: &[u8]) -> std::borrow::Cow<'_, Path> {
    std::borrow::Cow::Owned(PathBuf::from(String::from_utf8_lossy(bytes).into_owned()))
}

fn parent(path: &[u8]) -> &[u8] {
    path.iter().rposition(|&b| b == b'/').map_or(&[][..], |i| &path[..i])
}

/// `dir/CHANGELOG.md`, repository-relative.
fn changelog_of(dir: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(FILE_NAME.as_bytes());
    path
}

/// A directory for messages: `src/`, the root as `./`, odd names quoted as git does.
fn show_dir(dir: &[u8]) -> String {
    if dir.is_empty() {
        return "./".to_owned();
    }
    let mut with_slash = dir.to_vec();
    with_slash.push(b'/');
    quote_path(&with_slash)
}

fn tracked(repo: &Repo) -> Result<Vec<Vec<u8>>, CommandError> {
    trail_git::tracked_paths(&repo.git).map_err(|e| CommandError::environment(e.to_string()))
}

/// What a CHANGELOG.md path holds when it is not a regular file (a symlink,
/// a FIFO, a device, a directory), in words; `None` for a regular file or
/// nothing.
fn not_a_file(path: &Path) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = std::fs::symlink_metadata(path).ok()?.file_type();
    if kind.is_file() {
        None
    } else if kind.is_symlink() {
        Some("a symlink")
    } else if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_dir() {
        Some("a directory")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        Some("a device")
    }
}

/// The contents of a regular file, `None` when it does not exist. Anything
/// else at the path is refused, never followed or waited on: a symlink
/// (trail would read, and write through, what it points at — `/etc/passwd`),
/// a FIFO (reading would wait for a writer forever).
fn read(path: &Path) -> Result<Option<Vec<u8>>, CommandError> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot read {}: {e}", path.display()))
    };
    let refuse = |kind: &str| {
        CommandError::refused(format!(
            "{} is {kind}, not a regular file: trail neither reads nor writes through it",
            path.display()
        ))
        .hint("replace it with a regular file (or exclude its directory: [changelog] exclude in trail.toml)")
    };
    if let Some(kind) = not_a_file(path) {
        return Err(refuse(kind));
    }
    // O_NOFOLLOW and O_NONBLOCK: replaced by a symlink or a FIFO since the
    // check, it is refused rather than followed or waited on.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(refuse("a symlink")),
        Err(e) => return Err(cannot(e)),
    };
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(refuse("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(cannot)?;
    Ok(Some(bytes))
}

/// Replace `path` with `bytes` atomically (a temporary file in the same
/// directory, renamed over it), keeping the file's permissions.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let cannot = |e: std::io::Error| {
        CommandError::environment(format!("cannot write {}: {e}", path.display()))
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    tmp.write_all(bytes).map_err(cannot)?;
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => Some(meta.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(tmp.path(), permissions).map_err(cannot)?;
    }
    tmp.as_file().sync_all().map_err(cannot)?;
    tmp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

/// A new file is readable by everyone, as git would check it out (temporary
/// files are created private).
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

fn malformed_line(path: &[u8], e: &Malformed) -> String {
    format!("{}:{}: {}", quote_path(path), e.line, e.reason)
}

// ---------------------------------------------------------------- check

/// Repository-relative directories (`""`: the root).
type Dirs = BTreeSet<Vec<u8>>;

/// The directories that must keep a CHANGELOG.md (each that directly holds a
/// tracked file, and the root with `root_summary`; not excluded ones), and
/// those whose CHANGELOG.md is tracked.
fn required_dirs(repo: &Repo, config: &Config) -> Result<(Dirs, Dirs), CommandError> {
    let excluded = exclusions(config)?;
    let tracked = tracked(repo)?;
    let mut required: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut present: BTreeSet<Vec<u8>> = BTreeSet::new();
    for path in &tracked {
        let dir = parent(path);
        if path.as_slice() == changelog_of(dir).as_slice() {
            present.insert(dir.to_vec());
        }
        required.insert(dir.to_vec());
    }
    if config.changelog.root_summary && !tracked.is_empty() {
        required.insert(Vec::new());
    }
    required.retain(|dir| !excluded(dir));
    Ok((required, present))
}

/// Every directory that must keep a CHANGELOG.md and does not, and every one
/// that is malformed (as JSON findings with a `message`), and how many
/// directories must keep one. `trail changelog check` and `trail doctor`.
pub(crate) fn coverage(
    repo: &Repo,
    workdir: &Path,
    config: &crate::config::Config,
) -> Result<(Vec<serde_json::Value>, usize), CommandError> {
    let (required, present) = required_dirs(repo, config)?;
    let mut findings = Vec::new();
    for dir in required.union(&present) {
        let path = changelog_of(dir);
        let full = workdir.join(bytes_path(&path));
        if let Some(kind) = not_a_file(&full) {
            findings.push(serde_json::json!({
                "kind": "not-a-file",
                "path": quote_path(&path),
                "message": format!(
                    "{}: {kind}, not a regular file (trail neither reads nor writes through it)",
                    quote_path(&path)
                ),
            }));
            continue;
        }
        let text = read(&full)?;
        let finding = match text {
            None if required.contains(dir) => Some(serde_json::json!({
                "kind": "missing",
                "dir": show_dir(dir),
                "message": format!("{}: no {FILE_NAME}", show_dir(dir)),
            })),
            None => None,
            Some(text) => trail_changelog::check(&text).err().map(|e| {
                serde_json::json!({
                    "kind": "malformed",
                    "path": quote_path(&path),
                    "line": e.line,
                    "reason": e.reason,
                    "message": malformed_line(&path, &e),
                })
            }),
        };
        findings.extend(finding);
    }
    Ok((findings, required.len()))
}

fn check(args: CheckArgs) -> Result<(), CommandError> {
    let (repo, workdir, config) = open()?;
    let (findings, required) = coverage(&repo, &workdir, &config)?;
    let found = findings.len();
    let mut out = Out::new();
    for finding in &findings {
        if args.json {
            writeln!(out, "{finding}")?;
        } else {
            writeln!(out, "{}", finding["message"].as_str().unwrap_or_default())?;
        }
    }
    out.flush()?;
    if found > 0 {
        return Err(CommandError::refused(format!(
            "{found} problem{} with CHANGELOG.md files",
            if found == 1 { "" } else { "s" }
        ))
        .hint("`trail changelog sync` creates the missing files (with the entries of this branch's recorded commits)")
        .hint("fix a malformed file by hand at the line named; exclude directories in trail.toml ([changelog] exclude)"));
    }
    say(format!(
        "all {} director{} have a well-formed {FILE_NAME}",
        required,
        if required == 1 { "y" } else { "ies" }
    ));
    Ok(())
}

// ---------------------------------------------------------------- sync

/// A changelog being edited in memory.
struct Pending {
    text: Vec<u8>,
    existed: bool,
    added: usize,
}

fn to_change(p: &trail_journal::PathChange) -> Option<Change> {
    use trail_changelog::Status as S;
    use trail_journal::Status as J;
    let status = match p.status {
        J::A => S::A,
        J::M => S::M,
        J::D => S::D,
        J::T => S::T,
        J::R => S::R,
    };
    Some(Change { path: p.path_bytes()?, status, from: p.from_bytes() })
}

/// The commits among `records` that HEAD's history holds (hex ids): the
/// walk stops once it has seen them all.
fn on_head(repo: &Repo, records: &[Record]) -> Result<BTreeSet<String>, CommandError> {
    let mut wanted: BTreeSet<trail_git::ObjectId> = records
        .iter()
        .filter_map(|r| r.commit.as_deref())
        .filter_map(|c| trail_git::ObjectId::from_hex(c.as_bytes()).ok())
        .collect();
    let mut found = BTreeSet::new();
    let Ok(head) = repo.git.head_id() else { return Ok(found) };
    if wanted.is_empty() {
        return Ok(found);
    }
    let walk =
        repo.git.rev_walk([head.detach()]).all().map_err(|e| {
            CommandError::environment(format!("cannot walk the history of HEAD: {e}"))
        })?;
    for info in walk {
        let info = info.map_err(|e| {
            CommandError::environment(format!("cannot walk the history of HEAD: {e}"))
        })?;
        if wanted.remove(&info.id) {
            found.insert(info.id.to_string());
            if wanted.is_empty() {
                break;
            }
        }
    }
    Ok(found)
}

/// Whether `dir` is one of `roots` or below one (no roots: everything).
fn within(dir: &[u8], roots: &[Vec<u8>]) -> bool {
    roots.is_empty()
        || roots.iter().any(|root| {
            root.is_empty()
                || dir == root.as_slice()
                || (dir.starts_with(root) && dir.get(root.len()) == Some(&b'/'))
        })
}

fn sync(args: SyncArgs) -> Result<(), CommandError> {
    let (repo, workdir, config) = open()?;
    let excluded = exclusions(&config)?;
    let mut roots = Vec::new();
    for given in &args.paths {
        let mut path = repo.repo_relative(given)?;
        while path.ends_with(b"/") {
            path.pop();
        }
        roots.push(path);
    }
    let now = chrono::Utc::now();
    let query = Query {
        kinds: vec![kinds::COMMIT.to_owned(), kinds::COMMIT_UNVERIFIED.to_owned()],
        since: args
            .since
            .as_deref()
            .map(|s| timeparse::parse("--since", s, now, timeparse::Bound::Start))
            .transpose()?,
        reverse: true,
        ..Query::default()
    };
    let store = repo.open_indexed_store()?;
    let mut records: Vec<Record> = Vec::new();
    let mut damaged: Option<CommandError> = None;
    query::run(&store, &query, |summary, bytes| match serde_json::from_slice::<Record>(&bytes) {
        Ok(record) => {
            records.push(record);
            std::ops::ControlFlow::Continue(())
        }
        Err(e) => {
            damaged = Some(
                CommandError::refused(format!("record {} is damaged: {e}", summary.seq))
                    .hint("run `trail verify` to see what else is damaged"),
            );
            std::ops::ControlFlow::Break(())
        }
    })?;
    if let Some(e) = damaged {
        return Err(e);
    }
    // Time order (the journal's order is append order; imports may interleave).
    records.sort_by_key(|r| (r.time, r.seq));
    // Only this branch's commits: another branch's entries arrive when it is merged.
    let on_branch = on_head(&repo, &records)?;
    records.retain(|r| r.commit.as_ref().is_some_and(|c| on_branch.contains(c)));
    let sections = config
        .changelog
        .sections()
        .map_err(|e| CommandError::usage(format!("trail.toml: [changelog] {e}")))?;

    let mut files: BTreeMap<Vec<u8>, Pending> = BTreeMap::new();
    let mut malformed: BTreeMap<Vec<u8>, Malformed> = BTreeMap::new();
    let mut skipped_ids = 0usize;
    for record in &records {
        let wanted = match record.source {
            Source::Hook => true,
            Source::Import => args.include_imported,
            _ => false,
        };
        if !wanted {
            continue;
        }
        let Some(change) = record.change_id.clone().or_else(|| record.commit.clone()) else {
            continue;
        };
        if !trail_changelog::valid_change_id(&change) {
            skipped_ids += 1;
            tracing::warn!(
                seq = record.seq,
                change,
                "change id is not letters and digits; skipped"
            );
            continue;
        }
        let changes: Vec<Change> = record.paths.iter().filter_map(to_change).collect();
        let subject = record.subject().map(str::to_owned);
        let choice = trail_changelog::classify::choose(subject.as_deref(), &[], &sections);
        let meta = Meta {
            time: record.time.0,
            why: record.why.clone(),
            impact: record.impact.clone(),
            author: record
                .actor
                .as_ref()
                .map(|a| if a.name.is_empty() { a.email.clone() } else { a.name.clone() })
                .unwrap_or_default(),
            change: change.clone(),
            section: choice.section,
            subject,
            breaking: choice.breaking,
        };
        for (dir, entry) in
            trail_changelog::plan(&changes, &meta, config.changelog.root_summary, &excluded)
        {
            if !within(&dir, &roots) || malformed.contains_key(&dir) {
                continue;
            }
            let pending = match files.entry(dir.clone()) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let dir_path = workdir.join(bytes_path(&dir));
                    if !dir_path.is_dir() {
                        continue; // the directory is gone; nothing to document it in
                    }
                    let (text, existed) = match read(&dir_path.join(FILE_NAME))? {
                        Some(text) => (text, true),
                        None => (trail_changelog::template(&dir).into_bytes(), false),
                    };
                    v.insert(Pending { text, existed, added: 0 })
                }
            };
            let applied = trail_changelog::has_change(&pending.text, &change).and_then(|has| {
                if has {
                    Ok(None)
                } else {
                    trail_changelog::upsert(&pending.text, &entry).map(Some)
                }
            });
            match applied {
                Ok(Some(text)) => {
                    pending.text = text;
                    pending.added += 1;
                }
                Ok(None) => {}
                Err(e) => {
                    files.remove(&dir);
                    malformed.insert(dir, e);
                }
            }
        }
    }
    // Directories that must keep a CHANGELOG.md and have none get the
    // template, entries or not: what `trail changelog check` and `trail
    // doctor` ask for.
    let (required, _) = required_dirs(&repo, &config)?;
    for dir in required {
        if !within(&dir, &roots) || files.contains_key(&dir) || malformed.contains_key(&dir) {
            continue;
        }
        let dir_path = workdir.join(bytes_path(&dir));
        if !dir_path.is_dir() || read(&dir_path.join(FILE_NAME))?.is_some() {
            continue;
        }
        let text = trail_changelog::template(&dir).into_bytes();
        files.insert(dir, Pending { text, existed: false, added: 0 });
    }
    let mut total = 0usize;
    let mut written = 0usize;
    let mut report: Vec<serde_json::Value> = Vec::new();
    for (dir, pending) in &files {
        if pending.added == 0 && pending.existed {
            continue;
        }
        let path = changelog_of(dir);
        write_atomically(&workdir.join(bytes_path(&path)), &pending.text)?;
        total += pending.added;
        written += 1;
        report.push(serde_json::json!({
            "path": quote_path(&path),
            "created": !pending.existed,
            "entries": pending.added,
        }));
        say(match pending.added {
            0 => format!("created {} (no entries yet)", quote_path(&path)),
            n => format!(
                "{} {}: {n} entr{}",
                if pending.existed { "updated" } else { "created" },
                quote_path(&path),
                if n == 1 { "y" } else { "ies" }
            ),
        });
    }
    if written == 0 {
        say(
            "nothing to add: every commit of this branch is already in its changelogs, and no CHANGELOG.md is missing",
        );
    } else {
        let created = report.iter().filter(|r| r["created"] == true).count();
        let files = |n: usize| format!("{n} {FILE_NAME} file{}", if n == 1 { "" } else { "s" });
        say(match (total, created) {
            (0, _) => {
                format!("created {} (no entries to add); review and commit them", files(created))
            }
            (_, 0) => format!(
                "added {total} entr{} to {}; review and commit them",
                if total == 1 { "y" } else { "ies" },
                files(written)
            ),
            _ => format!(
                "added {total} entr{} to {} ({created} created); review and commit them",
                if total == 1 { "y" } else { "ies" },
                files(written)
            ),
        });
    }
    if skipped_ids > 0 {
        say(format!(
            "skipped {skipped_ids} commit{} whose change id is not letters and digits",
            if skipped_ids == 1 { "" } else { "s" }
        ));
    }
    if args.json {
        let malformed: Vec<String> =
            malformed.iter().map(|(dir, e)| malformed_line(&changelog_of(dir), e)).collect();
        crate::output::print_json(&serde_json::json!({
            "added": total,
            "files": report,
            "skipped": skipped_ids,
            "malformed": malformed,
        }))?;
    }
    if let Some((first_dir, first)) = malformed.iter().next() {
        let mut error = CommandError::refused(format!(
            "left {} malformed {FILE_NAME} file{} alone: {}",
            malformed.len(),
            if malformed.len() == 1 { "" } else { "s" },
            malformed_line(&changelog_of(first_dir), first)
        ));
        for (dir, e) in malformed.iter().skip(1) {
            error = error.hint(malformed_line(&changelog_of(dir), e));
        }
        return Err(
            error.hint("fix the file at the line named, then run `trail changelog sync` again")
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- release

/// The directories `dirs` (relative to the current directory) name, as
/// repository-relative `/`-separated paths; the root is empty.
fn chosen_dirs(
    repo: &Repo,
    workdir: &Path,
    dirs: &[PathBuf],
) -> Result<Vec<Vec<u8>>, CommandError> {
    use std::os::unix::ffi::OsStrExt as _;
    let root = workdir.canonicalize().map_err(|e| {
        CommandError::environment(format!("cannot read the work tree {}: {e}", workdir.display()))
    })?;
    dirs.iter()
        .map(|dir| {
            let named = repo.cwd.join(dir);
            let full = named.canonicalize().map_err(|e| {
                CommandError::usage(format!("{}: {e}", dir.display()))
                    .hint("name a directory of this work tree")
            })?;
            if !full.is_dir() {
                return Err(CommandError::usage(format!("{} is not a directory", dir.display())));
            }
            let inside = full.strip_prefix(&root).map_err(|_| {
                CommandError::usage(format!("{} is outside the work tree", dir.display()))
            })?;
            Ok(inside.as_os_str().as_bytes().to_vec())
        })
        .collect()
}

/// The forge of the remote `origin`, else of the only remote.
fn forge_of(repo: &Repo) -> Option<trail_changelog::Forge> {
    let names = repo.git.remote_names();
    let name = if names.iter().any(|n| n.as_ref() as &[u8] == b"origin") {
        "origin".to_owned()
    } else if names.len() == 1 {
        names.iter().next()?.to_string()
    } else {
        return None;
    };
    let config = repo.git.config_snapshot();
    let url = config.string(format!("remote.{name}.url").as_str())?;
    trail_changelog::Forge::from_remote(&url.to_string())
}

fn release(args: ReleaseArgs) -> Result<(), CommandError> {
    if !trail_changelog::valid_version(&args.version) {
        return Err(CommandError::usage(format!(
            "{:?} cannot be a version in a changelog heading",
            args.version
        ))
        .hint("use no spaces, brackets or control characters, e.g. 1.4.0 or v2.0.0-rc.1"));
    }
    let date = match &args.date {
        None => chrono::Utc::now().date_naive(),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
            CommandError::usage(format!("--date {text:?} is not a date: {e}"))
                .hint("write it as YYYY-MM-DD, e.g. --date 2026-12-01")
        })?,
    };
    let (repo, workdir, _config) = open()?;
    let chosen = chosen_dirs(&repo, &workdir, &args.dirs)?;
    let forge = if args.no_links { None } else { forge_of(&repo) };
    let mut planned: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for path in tracked(&repo)? {
        if path.as_slice() != changelog_of(parent(&path)).as_slice() {
            continue;
        }
        if !within(parent(&path), &chosen) {
            continue;
        }
        let Some(text) = read(&workdir.join(bytes_path(&path)))? else { continue };
        let released =
            trail_changelog::release(&text, &args.version, date).and_then(|new| match &forge {
                Some(forge) if new != text => {
                    trail_changelog::link_release(&new, &args.version, &args.tag_prefix, forge)
                }
                _ => Ok(new),
            });
        match released {
            Ok(new) => {
                let changed = new != text;
                planned.push((path, new, changed));
            }
            Err(e) => refused.push(malformed_line(&path, &e)),
        }
    }
    if planned.is_empty() && !chosen.is_empty() {
        return Err(CommandError::refused(format!(
            "no tracked {FILE_NAME} in {}",
            chosen.iter().map(|d| show_dir(d)).collect::<Vec<_>>().join(", ")
        ))
        .hint("name directories that hold a committed CHANGELOG.md (`trail changelog sync` creates them)"));
    }
    if let Some(first) = refused.first() {
        let mut error = CommandError::refused(format!("no changelog was released: {first}"));
        for more in &refused[1..] {
            error = error.hint(more.clone());
        }
        return Err(error
            .hint("fix the files named (or choose another version), then run the release again"));
    }
    let mut released = 0usize;
    let mut paths: Vec<String> = Vec::new();
    for (path, text, changed) in &planned {
        if !changed {
            continue;
        }
        write_atomically(&workdir.join(bytes_path(path)), text)?;
        released += 1;
        paths.push(quote_path(path));
        say(format!(
            "{}: released {} - {}",
            quote_path(path),
            args.version,
            date.format("%Y-%m-%d")
        ));
    }
    let untouched = planned.len() - released;
    say(format!(
        "released {} in {released} of {} {FILE_NAME} file{}{}; nothing was staged or committed",
        args.version,
        planned.len(),
        if planned.len() == 1 { "" } else { "s" },
        if untouched > 0 {
            format!(" ({untouched} had nothing unreleased and were left unchanged)")
        } else {
            String::new()
        }
    ));
    if released > 0 {
        match &forge {
            Some(forge) => say(format!(
                "compare links to {} (tags {}{})",
                forge.web, args.tag_prefix, args.version
            )),
            None if !args.no_links => say(
                "no compare links: no remote on a forge trail knows (origin, or the only remote)",
            ),
            None => {}
        }
    }
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "version": args.version,
            "date": date.format("%Y-%m-%d").to_string(),
            "released": paths,
            "unchanged": untouched,
            "links": forge.as_ref().map(|f| f.web.clone()),
        }))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- merge

fn merge(args: MergeArgs) -> Result<(), CommandError> {
    let name = args
        .path
        .as_ref()
        .map_or_else(|| args.ours.display().to_string(), |p| Path::new(p).display().to_string());
    let load = |path: &Path| {
        std::fs::read(path)
            .map_err(|e| CommandError::environment(format!("cannot read {}: {e}", path.display())))
    };
    let (base, ours, theirs) = (load(&args.base)?, load(&args.ours)?, load(&args.theirs)?);
    let reason = match trail_changelog::merge(&base, &ours, &theirs) {
        Ok(merged) => return write_atomically(&args.ours, &merged),
        Err(conflict) => conflict.reason,
    };
    // Let git's own line merge decide, and leave its conflict markers.
    let status = std::process::Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(&args.ours)
        .arg(&args.base)
        .arg(&args.theirs)
        .status()
        .map_err(|e| {
            CommandError::environment(format!("cannot run `git merge-file` for {name}: {e}"))
        })?;
    match status.code() {
        Some(0) => Ok(()),
        Some(n) if (1..=127).contains(&n) => Err(CommandError::refused(format!(
            "{name}: {reason}; left {n} conflict{} for you to resolve",
            if n == 1 { "" } else { "s" }
        ))),
        _ => {
            Err(CommandError::environment(format!("`git merge-file` failed on {name} ({status})")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_roots() {
        assert!(within(b"src/a", &[]));
        assert!(within(b"src/a", &[b"src".to_vec()]));
        assert!(!within(b"srcs", &[b"src".to_vec()]));
        assert!(within(b"", &[b"".to_vec()]));
        assert!(!within(b"", &[b"src".to_vec()]));
    }
}
