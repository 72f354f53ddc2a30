//! End to end: the hooks `trail init` installs, driven by real `git` commands.
//!
//! Every test builds a fresh repository, runs `trail init` in it, and makes
//! commits the way people do (`git commit -a`, partial commits, amend, merge,
//! rebase -i, cherry-pick, revert, worktrees, stash, odd file names…). After
//! each one it checks what DESIGN §4 and §5 promise:
//!
//! - every directory that directly holds a changed file has exactly one entry
//!   for the commit's change id in its committed CHANGELOG.md (time in UTC,
//!   file names, Why, Impact, author, change id), and no other directory has one;
//! - the `Change-Id:`, `Why:` and `Impact:` trailers read back with
//!   `git interpret-trailers --parse`;
//! - the journal holds exactly one `commit`/`commit.unverified` record per commit,
//!   with the paths `git show --name-status -M` reports;
//! - text a person wrote in a CHANGELOG.md stays byte for byte;
//! - every CHANGELOG.md parses with a third-party Keep a Changelog parser;
//! - `trail verify` passes at the end.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{AUTHOR_NAME, Output, PROCESS_TIMEOUT, TestEnv, path_bytes, run, run_with_input};
use serde_json::Value;

// ---------------------------------------------------------------------------
// A repository under test and the checks every scenario shares.
// ---------------------------------------------------------------------------

/// What one commit's entries must say.
struct Expect {
    why: String,
    impact: String,
    /// Directory (repository-relative bytes, "" for the root) → fragments its
    /// entry line must contain (file names as code spans, "(renamed from …)").
    dirs: BTreeMap<Vec<u8>, Vec<String>>,
}

impl Expect {
    fn new(why: &str, impact: &str) -> Self {
        Expect { why: why.to_owned(), impact: impact.to_owned(), dirs: BTreeMap::new() }
    }

    /// `dir` gets an entry containing each of `fragments`.
    fn dir(self, dir: &str, fragments: &[&str]) -> Self {
        self.dir_bytes(dir.as_bytes(), fragments)
    }

    fn dir_bytes(mut self, dir: &[u8], fragments: &[&str]) -> Self {
        self.dirs
            .entry(dir.to_vec())
            .or_default()
            .extend(fragments.iter().map(|f| (*f).to_owned()));
        self
    }
}

struct Repo<'e> {
    env: &'e TestEnv,
    dir: PathBuf,
    /// UTC time (`YYYY-MM-DDTHH:MM:SSZ`) before anything was committed: entry
    /// times must lie between this and the moment they are checked.
    started: String,
}

impl<'e> Repo<'e> {
    /// A new repository `<root>/NAME` with `trail init` run in it.
    fn init(env: &'e TestEnv, name: &str) -> Self {
        let dir = env.dir(name);
        env.git_ok(&dir, ["init", "-q", "-b", "main"]);
        env.trail_ok(&dir, ["init"]);
        Repo { env, dir, started: utc_now() }
    }

    /// Another work tree (a linked worktree) of the same repository.
    fn at(&self, dir: PathBuf) -> Repo<'e> {
        Repo { env: self.env, dir, started: self.started.clone() }
    }

    fn path(&self, rel: &[u8]) -> PathBuf {
        self.dir.join(OsStr::from_bytes(rel))
    }

    fn write(&self, rel: &str, content: &str) {
        self.write_bytes(rel.as_bytes(), content.as_bytes());
    }

    fn write_bytes(&self, rel: &[u8], content: &[u8]) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    }

    fn append(&self, rel: &str, content: &str) {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.path(rel.as_bytes()))
            .unwrap_or_else(|e| panic!("open {rel}: {e}"));
        file.write_all(content.as_bytes()).expect("append");
    }

    fn read(&self, rel: &[u8]) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap_or_else(|e| panic!("read {:?}: {e}", self.path(rel)))
    }

    fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.env.git_ok(&self.dir, args)
    }

    /// `git ARGS`' stdout, byte for byte (for `-z` output).
    fn git_raw<I, S>(&self, args: I) -> Vec<u8>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.env.git(&self.dir, args);
        assert_eq!(out.status, Some(0), "git failed:\n{out}");
        out.stdout
    }

    /// `git ARGS` with extra environment variables, not asserting success.
    fn git_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = self.env.command("git", &self.dir);
        cmd.args(args);
        for (key, value) in vars {
            cmd.env(key, value);
        }
        run(cmd, PROCESS_TIMEOUT)
    }

    /// `git commit ARGS` with `TRAIL_WHY`/`TRAIL_IMPACT` set; not asserting success.
    fn commit_with<I, S>(&self, why: &str, impact: &str, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.env.command("git", &self.dir);
        cmd.arg("commit").args(args).env("TRAIL_WHY", why).env("TRAIL_IMPACT", impact);
        run(cmd, PROCESS_TIMEOUT)
    }

    /// `git commit ARGS` with a rationale; panics unless it succeeds; returns HEAD.
    #[track_caller]
    fn commit_ok<I, S>(&self, why: &str, impact: &str, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.commit_with(why, impact, args);
        out.assert_code(0);
        self.head()
    }

    fn head(&self) -> String {
        self.git(["rev-parse", "HEAD"])
    }

    /// The commit's trailers, as `git interpret-trailers --parse` reads them.
    fn trailers(&self, rev: &str) -> BTreeMap<String, Vec<String>> {
        let message = self.git_raw(["log", "-1", "--format=%B", rev]);
        let mut cmd = self.env.command("git", &self.dir);
        cmd.args(["interpret-trailers", "--parse"]);
        let out = run_with_input(cmd, message, PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "interpret-trailers failed:\n{out}");
        let mut trailers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in out.stdout_str().lines() {
            let (key, value) = line.split_once(':').expect("a trailer line has a colon");
            trailers.entry(key.trim().to_owned()).or_default().push(value.trim().to_owned());
        }
        trailers
    }

    /// The one value of trailer `key`.
    #[track_caller]
    fn trailer(&self, rev: &str, key: &str) -> String {
        let trailers = self.trailers(rev);
        match trailers.get(key).map(Vec::as_slice) {
            Some([one]) => one.clone(),
            other => panic!("commit {rev}: expected one {key}: trailer, found {other:?}"),
        }
    }

    /// Every CHANGELOG.md in `rev`'s tree: directory → content.
    fn changelogs(&self, rev: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let listing = self.git_raw(["ls-tree", "-r", "-z", "--full-tree", rev]);
        let mut out = BTreeMap::new();
        for (_, kind, id, path) in parse_ls_tree(&listing) {
            if kind != "blob" {
                continue;
            }
            let dir = if path == b"CHANGELOG.md" {
                Vec::new()
            } else if let Some(dir) = path.strip_suffix(b"/CHANGELOG.md") {
                dir.to_vec()
            } else {
                continue;
            };
            out.insert(dir, self.git_raw(["cat-file", "blob", &id]));
        }
        out
    }

    /// The committed CHANGELOG.md of `dir` at `rev`.
    #[track_caller]
    fn changelog(&self, rev: &str, dir: &str) -> String {
        let logs = self.changelogs(rev);
        let text = logs
            .get(dir.as_bytes())
            .unwrap_or_else(|| panic!("{rev} has no CHANGELOG.md in {dir:?}"));
        String::from_utf8(text.clone()).expect("CHANGELOG.md is UTF-8")
    }

    /// Check the entries commit `rev` wrote, against `expect`.
    #[track_caller]
    fn check_entries(&self, rev: &str, expect: &Expect) {
        let id = self.trailer(rev, "Change-Id");
        assert_eq!(self.trailer(rev, "Why"), expect.why, "Why: trailer of {rev}");
        assert_eq!(self.trailer(rev, "Impact"), expect.impact, "Impact: trailer of {rev}");
        let now = utc_now();
        let mut found: BTreeMap<Vec<u8>, String> = BTreeMap::new();
        for (dir, text) in self.changelogs(rev) {
            let text = String::from_utf8(text).expect("CHANGELOG.md is UTF-8");
            let lines = entries_of(&text, &id);
            assert!(
                lines.len() <= 1,
                "{} lists change {id} {} times:\n{text}",
                show_dir(&dir),
                lines.len()
            );
            if let Some(line) = lines.first() {
                found.insert(dir, (*line).to_owned());
            }
        }
        let want: BTreeSet<&Vec<u8>> = expect.dirs.keys().collect();
        let got: BTreeSet<&Vec<u8>> = found.keys().collect();
        assert_eq!(
            got.iter().map(|d| show_dir(d)).collect::<Vec<_>>(),
            want.iter().map(|d| show_dir(d)).collect::<Vec<_>>(),
            "directories whose CHANGELOG.md has an entry for change {id} of {rev}"
        );
        for (dir, fragments) in &expect.dirs {
            let line = &found[dir];
            let time = line.get(2..22).unwrap_or("");
            assert!(is_utc_time(time), "{}: entry has no UTC time: {line}", show_dir(dir));
            assert!(
                self.started.as_str() <= time && time <= now.as_str(),
                "{}: entry time {time} is not between {} and {now}: {line}",
                show_dir(dir),
                self.started
            );
            let mut needles = vec![
                format!("Why: {}", expect.why),
                format!("Impact: {}", expect.impact),
                format!("({AUTHOR_NAME}, change {id})"),
            ];
            needles.extend(fragments.iter().cloned());
            for needle in needles {
                assert!(
                    line.contains(&needle),
                    "{}: entry lacks {needle:?}: {line}",
                    show_dir(dir)
                );
            }
        }
    }

    /// No CHANGELOG.md holds an entry of change `id` at `rev`.
    #[track_caller]
    fn assert_no_entries(&self, rev: &str, id: &str) {
        for (dir, text) in self.changelogs(rev) {
            let text = String::from_utf8(text).expect("CHANGELOG.md is UTF-8");
            assert!(
                entries_of(&text, id).is_empty(),
                "{} at {rev} has an entry of change {id}:\n{text}",
                show_dir(&dir)
            );
        }
    }

    /// Every entry `rev` has and its first parent lacks is of `rev`'s change
    /// id: an aborted attempt left nothing behind.
    #[track_caller]
    fn assert_only_new_entries(&self, rev: &str) {
        let id = self.trailer(rev, "Change-Id");
        let before = self.changelogs(&format!("{rev}^"));
        for (dir, text) in self.changelogs(rev) {
            let text = String::from_utf8_lossy(&text).into_owned();
            let old = before.get(&dir).map(|t| String::from_utf8_lossy(t).into_owned());
            let old: BTreeSet<String> = old
                .as_deref()
                .map(|t| logical_lines(t).into_iter().filter(|l| is_entry(l)).collect())
                .unwrap_or_default();
            for line in logical_lines(&text).into_iter().filter(|l| is_entry(l) && !old.contains(l))
            {
                assert!(
                    entries_of(&line, &id).len() == 1,
                    "{} has a new entry that is not of change {id}: {line}\n{text}",
                    show_dir(&dir)
                );
            }
        }
    }

    /// Every CHANGELOG.md at `rev` (and in the work tree) parses with
    /// parse-changelog, and each trail entry is a note of one of its releases.
    #[track_caller]
    fn check_changelogs_parse(&self, rev: &str) {
        for (dir, text) in self.changelogs(rev) {
            check_parses(&format!("{} at {rev}", show_dir(&dir)), &text);
            let rel = changelog_rel(&dir);
            if let Ok(on_disk) = std::fs::read(self.path(&rel)) {
                check_parses(&format!("{} in the work tree", show_dir(&dir)), &on_disk);
            }
        }
    }

    /// `git status` shows no CHANGELOG.md at all: the work tree and the index
    /// hold what was committed (no "phantom" change).
    #[track_caller]
    fn assert_no_changelog_changes(&self) {
        let status = self.git_raw(["status", "--porcelain", "-z", "--untracked-files=all"]);
        for item in status.split(|b| *b == 0).filter(|i| !i.is_empty()) {
            let path = item.get(3..).unwrap_or(item);
            assert!(
                !(path == b"CHANGELOG.md" || path.ends_with(b"/CHANGELOG.md")),
                "git status shows a CHANGELOG.md change: {:?}\nfull status: {:?}",
                String::from_utf8_lossy(item),
                String::from_utf8_lossy(&status)
            );
        }
    }

    /// `trail log --json`, newest first.
    fn records(&self) -> Vec<Value> {
        self.env.trail_json(&self.dir, ["log", "--json"])
    }

    /// The journal has exactly one `commit`/`commit.unverified` record per
    /// commit on the branches (and HEAD), none twice, with git's parents and
    /// (for non-merge commits) the paths `git show --name-status -M` lists;
    /// `commit` records carry the commit's change id, why and impact.
    #[track_caller]
    fn check_journal(&self) {
        let records = self.records();
        let mut by_commit: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        for record in &records {
            let kind = record["kind"].as_str().unwrap_or_default();
            if kind == "commit" || kind == "commit.unverified" {
                let commit = record["commit"].as_str().expect("a commit record names its commit");
                by_commit.entry(commit.to_owned()).or_default().push(record);
            }
        }
        for (commit, list) in &by_commit {
            assert_eq!(
                list.len(),
                1,
                "commit {commit} is recorded {} times: {list:#?}",
                list.len()
            );
        }
        let log = self.git(["log", "--format=%H %P", "--branches", "HEAD"]);
        for line in log.lines() {
            let mut ids = line.split_whitespace().map(str::to_owned);
            let commit = ids.next().expect("a commit id");
            let parents: Vec<String> = ids.collect();
            let Some(list) = by_commit.get(&commit) else {
                panic!("commit {commit} of `git log` is not in the journal: {records:#?}")
            };
            let record = list[0];
            let recorded: Vec<String> = record["parents"]
                .as_array()
                .map(|a| a.iter().map(|p| p.as_str().unwrap_or_default().to_owned()).collect())
                .unwrap_or_default();
            assert_eq!(recorded, parents, "parents of {commit}: {record:#}");
            if record["kind"] == "commit" {
                let trailers = self.trailers(&commit);
                for (field, key) in
                    [("change_id", "Change-Id"), ("why", "Why"), ("impact", "Impact")]
                {
                    let want = trailers.get(key).and_then(|v| v.first()).map(String::as_str);
                    assert_eq!(record[field].as_str(), want, "{field} of {commit}: {record:#}");
                }
            }
            if parents.len() < 2 {
                self.check_record_paths(&commit, record);
            }
        }
    }

    #[track_caller]
    fn check_record_paths(&self, commit: &str, record: &Value) {
        let shown = self.git_raw(["show", "-z", "--name-status", "-M", "--format=", commit]);
        let want = parse_name_status(&shown);
        let got: PathSet = record["paths"]
            .as_array()
            .map(|paths| {
                paths
                    .iter()
                    .map(|p| {
                        let status = p["status"].as_str().and_then(|s| s.chars().next());
                        (
                            status.expect("a path has a status"),
                            path_bytes(p, "path").expect("a path has a path"),
                            path_bytes(p, "from"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            show_paths(&got),
            show_paths(&want),
            "paths of {commit} in the journal vs git show: {record:#}"
        );
        // Blob ids and modes of what the commit holds.
        let tree: BTreeMap<Vec<u8>, (String, String)> =
            parse_ls_tree(&self.git_raw(["ls-tree", "-r", "-z", "--full-tree", commit]))
                .into_iter()
                .map(|(mode, _, id, path)| (path, (mode, id)))
                .collect();
        for p in record["paths"].as_array().into_iter().flatten() {
            if p["status"] == "D" {
                continue;
            }
            let path = path_bytes(p, "path").expect("a path");
            let (mode, id) = tree.get(&path).unwrap_or_else(|| {
                panic!("{commit} has no {:?} in its tree", String::from_utf8_lossy(&path))
            });
            assert_eq!(p["blob"].as_str(), Some(id.as_str()), "blob of {p} in {commit}");
            assert_eq!(p["mode"].as_str(), Some(mode.as_str()), "mode of {p} in {commit}");
        }
    }

    /// `trail verify` exits 0.
    fn verify(&self) {
        self.env.trail_ok(&self.dir, ["verify"]);
    }

    /// Everything every scenario ends with.
    #[track_caller]
    fn finish(&self) {
        self.check_journal();
        self.check_changelogs_parse("HEAD");
        self.check_prose("HEAD");
        self.verify();
    }

    /// The hand-written changelog (see [`with_base`]), committed and in the
    /// work tree, still holds every line a person wrote, in order, and ends
    /// with the released section unchanged.
    #[track_caller]
    fn check_prose(&self, rev: &str) {
        for (dir, text) in self.changelogs(rev) {
            if !text.starts_with(HANDWRITTEN.lines().next().unwrap_or_default().as_bytes()) {
                continue;
            }
            let on_disk = std::fs::read(self.path(&changelog_rel(&dir))).unwrap_or_default();
            for text in [text, on_disk] {
                assert_lines_kept(HANDWRITTEN.as_bytes(), &text);
                assert!(
                    text.ends_with(RELEASED.as_bytes()),
                    "the released section of {} changed:\n{}",
                    show_dir(&dir),
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
}

/// A commit's changed paths: (status letter, path, rename source).
type PathSet = BTreeSet<(char, Vec<u8>, Option<Vec<u8>>)>;

/// The trail entry lines of change `id` in `text`.
fn entries_of(text: &str, id: &str) -> Vec<String> {
    let tail = format!(", change {id})");
    logical_lines(text)
        .into_iter()
        .filter(|l| l.starts_with("- ") && l.trim_end().ends_with(&tail))
        .collect()
}

/// The lines of `text`, with each trail entry as one line: trail wraps its
/// entries in a file without markdownlint settings (a hand-written one), so
/// a bullet line and the lines indented under it up to the one ending
/// `, change ID)` are joined with a space.
fn logical_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let more: Vec<&str> =
            lines[i + 1..].iter().take_while(|l| l.starts_with("  ")).copied().collect();
        let found = (line.starts_with("- ") || line.starts_with("* "))
            .then(|| {
                (1..=more.len()).rev().find_map(|n| {
                    let mut joined = line.trim_end().to_owned();
                    for l in &more[..n] {
                        joined.push(' ');
                        joined.push_str(l.trim());
                    }
                    is_entry(&joined).then_some((joined, n))
                })
            })
            .flatten()
            .filter(|_| !is_entry(line));
        match found {
            Some((joined, n)) => {
                out.push(joined);
                i += 1 + n;
            }
            None => {
                out.push(line.to_owned());
                i += 1;
            }
        }
    }
    out
}

/// Whether `line` is a trail entry (any change id).
fn is_entry(line: &str) -> bool {
    let line = line.trim_end();
    line.starts_with("- ")
        && line.ends_with(')')
        && line.rfind(", change ").is_some_and(|at| {
            let id = &line[at + ", change ".len()..line.len() - 1];
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[track_caller]
fn check_parses(what: &str, text: &[u8]) {
    let text = std::str::from_utf8(text).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"));
    let parsed = parse_changelog::parse(text)
        .unwrap_or_else(|e| panic!("{what} does not parse as a changelog: {e}\n{text}"));
    assert!(
        parsed.get("Unreleased").is_some(),
        "{what}: the parser finds no Unreleased section:\n{text}"
    );
    for line in logical_lines(text).into_iter().filter(|l| is_entry(l)) {
        assert!(
            parsed.values().any(|release| logical_lines(release.notes).contains(&line)),
            "{what}: the parser does not see this entry as one note line: {line}\n{text}"
        );
    }
}

fn changelog_rel(dir: &[u8]) -> Vec<u8> {
    let mut rel = dir.to_vec();
    if !rel.is_empty() {
        rel.push(b'/');
    }
    rel.extend_from_slice(b"CHANGELOG.md");
    rel
}

fn show_dir(dir: &[u8]) -> String {
    if dir.is_empty() {
        "CHANGELOG.md".to_owned()
    } else {
        format!("{:?}/CHANGELOG.md", String::from_utf8_lossy(dir))
    }
}

fn show_paths(paths: &PathSet) -> Vec<String> {
    paths
        .iter()
        .map(|(s, p, f)| match f {
            Some(f) => {
                format!("{s} {:?} <- {:?}", String::from_utf8_lossy(p), String::from_utf8_lossy(f))
            }
            None => format!("{s} {:?}", String::from_utf8_lossy(p)),
        })
        .collect()
}

/// `git ls-tree -r -z` records: (mode, type, id, path).
fn parse_ls_tree(listing: &[u8]) -> Vec<(String, String, String, Vec<u8>)> {
    listing
        .split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .map(|record| {
            let tab = record.iter().position(|b| *b == b'\t').expect("ls-tree record has a tab");
            let meta = String::from_utf8_lossy(&record[..tab]).into_owned();
            let mut fields = meta.split(' ').map(str::to_owned);
            let mode = fields.next().expect("mode");
            let kind = fields.next().expect("type");
            let id = fields.next().expect("id");
            (mode, kind, id, record[tab + 1..].to_vec())
        })
        .collect()
}

/// `git show -z --name-status -M --format=` → (status letter, path, rename source).
fn parse_name_status(out: &[u8]) -> PathSet {
    let mut fields = out.split(|b| *b == 0).map(|f| f.strip_prefix(b"\n").unwrap_or(f));
    let mut set = BTreeSet::new();
    while let Some(status) = fields.next() {
        let Some(&letter) = status.first() else { continue };
        let letter = letter as char;
        let first = fields.next().expect("a path after the status").to_vec();
        if letter == 'R' || letter == 'C' {
            let to = fields.next().expect("a rename has two paths").to_vec();
            set.insert((letter, to, Some(first)));
        } else {
            set.insert((letter, first, None));
        }
    }
    set
}

/// `YYYY-MM-DDTHH:MM:SSZ`
fn is_utc_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The lines of `before` (each with its line ending) appear, in order and
/// byte for byte, among the lines of `after`.
#[track_caller]
fn assert_lines_kept(before: &[u8], after: &[u8]) {
    let mut after_lines = after.split_inclusive(|b| *b == b'\n');
    for line in before.split_inclusive(|b| *b == b'\n') {
        assert!(
            after_lines.any(|l| l == line),
            "the line {:?} a person wrote is gone or moved:\n--- before ---\n{}\n--- after ---\n{}",
            String::from_utf8_lossy(line),
            String::from_utf8_lossy(before),
            String::from_utf8_lossy(after)
        );
    }
}

/// A CHANGELOG.md a person wrote: prose, odd lines, a hand-written entry and a
/// released section. trail may only insert lines into its Unreleased section.
const HANDWRITTEN: &str = "# Changelog of the docs\n\
\n\
Prose a person wrote.   \n\
It has *emphasis*, a trailing backslash \\\n\
and a tab\there, unicode ✓ — and a line of spaces below.\n\
   \n\
<!-- a comment trail must not touch -->\n\
\n\
## [Unreleased]\n\
\n\
Notes kept at the top of Unreleased.\n\
\n\
### Fixed\n\
- A fix written by hand, without a change id.\n\
\n\
";

const RELEASED: &str = "## [1.0.0] - 2020-01-01\n\
\n\
### Added\n\
- First release, written by a person (Ada, change c0ffee12)\n\
- Another released line.\n\
\n\
[1.0.0]: https://example.invalid/v1.0.0\n";

/// A repository with a first commit: `src/a.rs`, `docs/d.md`, `lib/l.rs`,
/// `top.txt`, and a hand-written `docs/CHANGELOG.md` ([`HANDWRITTEN`], [`RELEASED`]).
fn with_base<'e>(env: &'e TestEnv, name: &str) -> (Repo<'e>, String) {
    let repo = Repo::init(env, name);
    repo.write("src/a.rs", "fn a() {}\n");
    repo.write("docs/d.md", "# Docs\n");
    // A person's changelog: every scenario checks that trail kept it intact.
    repo.write("docs/CHANGELOG.md", &format!("{HANDWRITTEN}{RELEASED}"));
    repo.write("lib/l.rs", "pub fn l() {}\n");
    repo.write("top.txt", "top\n");
    repo.git(["add", "-A"]);
    let first = repo.commit_ok("start the project", "everything is new", ["-q", "-m", "start"]);
    (repo, first)
}

// ---------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------

#[test]
fn commit_all_writes_one_entry_per_touched_directory_and_keeps_prose() {
    let env = TestEnv::new();
    let repo = Repo::init(&env, "commit-a");
    repo.write("src/a.rs", "fn a() {}\n");
    repo.write("lib/l.rs", "pub fn l() {}\n");
    repo.write("docs/d.md", "# Docs\n");
    let handwritten = format!("{HANDWRITTEN}{RELEASED}");
    repo.write("docs/CHANGELOG.md", &handwritten);
    repo.git(["add", "-A"]);
    let first = repo.commit_ok("start", "new project", ["-q", "-m", "start"]);
    let docs_first = repo.changelog(&first, "docs");
    assert_lines_kept(handwritten.as_bytes(), docs_first.as_bytes());
    assert!(docs_first.ends_with(RELEASED), "the released section moved:\n{docs_first}");

    repo.append("src/a.rs", "fn b() {}\n");
    repo.append("docs/d.md", "More.\n");
    let head = repo.commit_ok("explain b", "docs and src only", ["-q", "-a", "-m", "b"]);
    repo.check_entries(
        &head,
        &Expect::new("explain b", "docs and src only")
            .dir("", &["in `docs/`, `src/`"])
            .dir("docs", &["`d.md`"])
            .dir("src", &["`a.rs`"]),
    );
    let docs = repo.changelog(&head, "docs");
    assert_lines_kept(docs_first.as_bytes(), docs.as_bytes());
    assert_lines_kept(handwritten.as_bytes(), docs.as_bytes());
    assert!(docs.ends_with(RELEASED), "the released section changed:\n{docs}");
    // The new entry went under a `### Changed` of Unreleased, not into 1.0.0.
    let unreleased = &docs[..docs.find("## [1.0.0]").expect("release heading")];
    assert_eq!(entries_of(unreleased, &repo.trailer(&head, "Change-Id")).len(), 1);
    assert!(unreleased.contains("### Changed\n"), "{docs}");
    repo.assert_no_changelog_changes();
    repo.finish();
}

/// `git commit -- PATHS`, `-o PATHS` and `-i PATHS`: the entries land in the
/// commit, and afterwards no CHANGELOG.md shows as changed.
fn partial_commit(flag: &[&str], include: bool) {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "partial");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.append("docs/d.md", "More.\n");
    if include {
        // `-i` commits what is staged plus PATHS.
        repo.git(["add", "docs/d.md"]);
    }
    let mut args = vec!["-q", "-m", "partial"];
    args.extend_from_slice(flag);
    args.push("src/a.rs");
    let head = repo.commit_ok("only some paths", "src", &args);
    let mut expect = Expect::new("only some paths", "src").dir("src", &["`a.rs`"]);
    expect = if include {
        expect.dir("", &["in `docs/`, `src/`"]).dir("docs", &["`d.md`"])
    } else {
        expect.dir("", &["in `src/`"])
    };
    repo.check_entries(&head, &expect);
    let committed: Vec<String> =
        repo.git(["show", "--name-only", "--format=", &head]).lines().map(str::to_owned).collect();
    assert!(committed.contains(&"src/CHANGELOG.md".to_owned()), "{committed:?}");
    assert!(committed.contains(&"CHANGELOG.md".to_owned()), "{committed:?}");
    repo.assert_no_changelog_changes();
    let status = repo.git(["status", "--porcelain"]);
    if include {
        assert_eq!(status, "", "everything was committed");
    } else {
        assert_eq!(status, " M docs/d.md", "only the path left out stays modified");
    }
    // The next ordinary commit adds its own entry and nothing else.
    repo.git(["add", "-A"]);
    if !include {
        let next = repo.commit_ok("the rest", "docs", ["-q", "-m", "rest"]);
        repo.check_entries(
            &next,
            &Expect::new("the rest", "docs").dir("", &["in `docs/`"]).dir("docs", &["`d.md`"]),
        );
        repo.assert_no_changelog_changes();
    }
    repo.finish();
}

#[test]
fn commit_with_double_dash_paths() {
    partial_commit(&["--"], false);
}

#[test]
fn commit_only_with_o_paths() {
    partial_commit(&["-o"], false);
}

#[test]
fn commit_include_with_i_paths() {
    partial_commit(&["-i"], true);
}

#[test]
fn amend_with_new_changes_keeps_one_entry_per_directory_and_the_change_id() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "amend");
    repo.append("src/a.rs", "fn b() {}\n");
    let before = repo.commit_ok("add b", "src only", ["-q", "-a", "-m", "b"]);
    let id = repo.trailer(&before, "Change-Id");

    repo.append("src/a.rs", "fn c() {}\n");
    repo.write("extra/new.rs", "// new\n");
    repo.git(["add", "-A"]);
    let after = repo.commit_ok("add b", "src only", ["-q", "--amend", "--no-edit"]);
    assert_ne!(before, after);
    assert_eq!(repo.trailer(&after, "Change-Id"), id, "the amended commit keeps its change id");
    repo.check_entries(
        &after,
        &Expect::new("add b", "src only")
            .dir("", &["in `extra/`, `src/`"])
            .dir("extra", &["`new.rs` (added)"])
            .dir("src", &["`a.rs`"]),
    );
    let rewrites: Vec<Value> = repo
        .records()
        .into_iter()
        .filter(|r| r["kind"] == "history.rewrite" && r["detail"]["operation"] == "amend")
        .collect();
    assert_eq!(rewrites.len(), 1, "one history.rewrite for the amend");
    assert_eq!(
        rewrites[0]["detail"]["rewritten"],
        serde_json::json!([{ "from": before, "to": after }])
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn message_only_amend_keeps_one_entry_and_the_change_id() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "amend-msg");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.append("docs/d.md", "b\n");
    let before = repo.commit_ok("add b", "src and docs", ["-q", "-a", "-m", "b"]);
    let id = repo.trailer(&before, "Change-Id");
    // Let the clock pass a second, so an entry rewritten now would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // A new message without trailers: commit-msg must put them back.
    let after = repo.commit_ok("ignored", "ignored", ["-q", "--amend", "-m", "b, better said"]);
    assert_eq!(repo.git(["log", "-1", "--format=%s", &after]), "b, better said");
    assert_eq!(repo.trailer(&after, "Change-Id"), id, "the amended commit keeps its change id");
    repo.check_entries(
        &after,
        &Expect::new("add b", "src and docs")
            .dir("", &["in `docs/`, `src/`"])
            .dir("docs", &["`d.md`"])
            .dir("src", &["`a.rs`"]),
    );
    repo.assert_no_changelog_changes();
    repo.finish();
    // Only the message changed: the tree must not (a reword in `git rebase -i`
    // is such an amend, and a changed tree makes the next pick conflict).
    assert_eq!(
        repo.git(["rev-parse", &format!("{before}^{{tree}}")]),
        repo.git(["rev-parse", &format!("{after}^{{tree}}")]),
        "a message-only amend changed the tree: {}",
        repo.git(["diff", &before, &after])
    );
}

#[test]
fn initial_commit_without_head() {
    let env = TestEnv::new();
    let repo = Repo::init(&env, "initial");
    assert!(env.git(&repo.dir, ["rev-parse", "--verify", "-q", "HEAD"]).status != Some(0));
    repo.write("src/a.rs", "fn a() {}\n");
    repo.write("README", "hello\n");
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("start", "everything", ["-q", "-m", "first"]);
    repo.check_entries(
        &head,
        &Expect::new("start", "everything")
            .dir("", &["`README` (added)", "`trail.toml` (added)", "also in `src/`"])
            .dir("src", &["`a.rs` (added)"]),
    );
    let created: Vec<Value> =
        repo.records().into_iter().filter(|r| r["kind"] == "changelog.created").collect();
    assert_eq!(created.len(), 2, "both CHANGELOG.md files were created: {created:#?}");
    repo.assert_no_changelog_changes();
    repo.finish();
}

/// Two branches from `base` with one commit each; returns (main's, feature's).
fn diverge<'e>(repo: &Repo<'e>, main_file: &str, feature_file: &str) -> (String, String) {
    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.append(feature_file, "feature\n");
    let feature = repo.commit_ok("feature work", "feature", ["-q", "-a", "-m", "feature"]);
    repo.git(["checkout", "-q", "main"]);
    repo.append(main_file, "main\n");
    let main = repo.commit_ok("main work", "main", ["-q", "-a", "-m", "main"]);
    (main, feature)
}

/// After a merge, the entries of both branches are there exactly once.
#[track_caller]
fn assert_both_sides_listed(repo: &Repo<'_>, merge: &str, sides: &[(&str, &[&str])]) {
    for (commit, dirs) in sides {
        let id = repo.trailer(commit, "Change-Id");
        for dir in *dirs {
            let text = repo.changelog(merge, dir);
            assert_eq!(
                entries_of(&text, &id).len(),
                1,
                "{dir:?}/CHANGELOG.md after the merge must list change {id} once:\n{text}"
            );
        }
    }
    for (dir, text) in repo.changelogs(merge) {
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.lines().any(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>")),
            "conflict markers in {}:\n{text}",
            show_dir(&dir)
        );
    }
}

#[test]
fn conflicting_merge_resolved_with_git_commit() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "merge-conflict");
    // Both branches change src/a.rs: a real conflict besides the changelogs.
    let (main, feature) = diverge(&repo, "src/a.rs", "src/a.rs");
    let merge = repo.git_with(&[], &["merge", "--no-edit", "feature"]);
    assert_eq!(merge.status, Some(1), "the merge must stop on src/a.rs:\n{merge}");
    let unmerged = repo.git(["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(
        unmerged, "src/a.rs",
        "only src/a.rs conflicts; the merge driver unions CHANGELOG.md entries:\n{merge}"
    );
    repo.write("src/a.rs", "fn a() {}\nmain\nfeature\n");
    repo.git(["add", "src/a.rs"]);
    let head = repo.commit_ok("join the branches", "src", ["-q", "--no-edit"]);
    assert_eq!(repo.git(["rev-parse", &format!("{head}^2")]), feature);
    assert_eq!(repo.git(["rev-parse", &format!("{head}^1")]), main);
    let id = repo.trailer(&head, "Change-Id");
    assert_eq!(repo.trailer(&head, "Why"), "join the branches");
    assert_eq!(repo.trailer(&head, "Impact"), "src");
    // The merge brings the branches' entries; it adds none of its own.
    repo.assert_no_entries(&head, &id);
    assert_both_sides_listed(&repo, &head, &[(&main, &["", "src"]), (&feature, &["", "src"])]);
    let kind = repo
        .records()
        .into_iter()
        .find(|r| {
            r["commit"] == head.as_str() && r["kind"].as_str().unwrap_or("").starts_with("commit")
        })
        .map(|r| r["kind"].clone());
    assert_eq!(kind, Some(Value::from("commit")), "pre-commit prepared the merge commit");
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn clean_no_ff_merge() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "merge-clean");
    let (main, feature) = diverge(&repo, "src/a.rs", "docs/d.md");
    let merge = repo.git_with(
        &[("TRAIL_WHY", "join"), ("TRAIL_IMPACT", "none")],
        &["merge", "--no-ff", "-m", "merge feature", "feature"],
    );
    merge.assert_code(0);
    let head = repo.head();
    assert_eq!(repo.git(["rev-parse", &format!("{head}^2")]), feature);
    assert_both_sides_listed(&repo, &head, &[(&main, &["", "src"]), (&feature, &["", "docs"])]);
    let kinds: Vec<Value> = repo
        .records()
        .into_iter()
        .filter(|r| r["commit"] == head.as_str())
        .map(|r| r["kind"].clone())
        .filter(|k| k == "commit" || k == "commit.unverified")
        .collect();
    assert_eq!(kinds.len(), 1, "the merge commit is recorded once: {kinds:?}");
    repo.assert_no_changelog_changes();
    repo.finish();
}

/// Three commits on top of the base, a second apart from what follows.
fn three_commits(repo: &Repo<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 1..=3 {
        repo.append("src/a.rs", &format!("// {i}\n"));
        repo.append("docs/d.md", &format!("{i}\n"));
        ids.push(repo.commit_ok(
            &format!("why {i}"),
            &format!("impact {i}"),
            ["-q", "-a", "-m", &format!("c{i}")],
        ));
    }
    // A rewrite a second later must not change the entries of the commits it keeps.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ids
}

#[track_caller]
fn assert_rebase_recorded(repo: &Repo<'_>) {
    let rewrites: Vec<Value> = repo
        .records()
        .into_iter()
        .filter(|r| r["kind"] == "history.rewrite" && r["detail"]["operation"] == "rebase")
        .collect();
    assert_eq!(rewrites.len(), 1, "one history.rewrite for the rebase: {rewrites:#?}");
    let pairs = rewrites[0]["detail"]["rewritten"].as_array().expect("rewritten pairs");
    let log = repo.git(["log", "--format=%H", "-3"]);
    for new in log.lines() {
        assert!(
            pairs.iter().any(|p| p["to"] == new),
            "history.rewrite does not name the new commit {new}: {pairs:#?}"
        );
    }
}

#[track_caller]
fn assert_each_change_listed_once(repo: &Repo<'_>) {
    let log = repo.git(["log", "--format=%H"]);
    for commit in log.lines() {
        let Some(id) = repo.trailers(commit).get("Change-Id").and_then(|v| v.first().cloned())
        else {
            continue;
        };
        for (dir, text) in repo.changelogs("HEAD") {
            let text = String::from_utf8_lossy(&text).into_owned();
            assert!(
                entries_of(&text, &id).len() <= 1,
                "{} lists change {id} more than once:\n{text}",
                show_dir(&dir)
            );
        }
        // Every commit of these histories touches src/.
        let src = repo.changelog("HEAD", "src");
        assert_eq!(entries_of(&src, &id).len(), 1, "src/CHANGELOG.md must list {id} once:\n{src}");
    }
}

#[test]
fn rebase_interactive_reword() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "rebase-reword");
    let old = three_commits(&repo);
    let out = repo.git_with(
        &[
            ("GIT_SEQUENCE_EDITOR", "sed -i -e '1s/^pick/reword/'"),
            ("GIT_EDITOR", "sed -i -e '1s/$/ (reworded)/'"),
        ],
        &["rebase", "-i", "HEAD~3"],
    );
    out.assert_code(0);
    let new: Vec<String> =
        repo.git(["log", "--format=%H", "-3", "--reverse"]).lines().map(str::to_owned).collect();
    assert_eq!(repo.git(["log", "-1", "--format=%s", &new[0]]), "c1 (reworded)");
    for (old, new) in old.iter().zip(&new) {
        assert_ne!(old, new);
        assert_eq!(
            repo.trailer(new, "Change-Id"),
            repo.trailer(old, "Change-Id"),
            "a rebased commit keeps its change id"
        );
    }
    repo.check_entries(
        &new[0],
        &Expect::new("why 1", "impact 1")
            .dir("", &[])
            .dir("docs", &["`d.md`"])
            .dir("src", &["`a.rs`"]),
    );
    assert_rebase_recorded(&repo);
    assert_each_change_listed_once(&repo);
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn rebase_interactive_edit_and_amend() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "rebase-edit");
    let old = three_commits(&repo);
    let out = repo.git_with(
        &[("GIT_SEQUENCE_EDITOR", "sed -i -e '1s/^pick/edit/'")],
        &["rebase", "-i", "HEAD~3"],
    );
    out.assert_code(0);
    assert_eq!(repo.head(), old[0], "the rebase stops at the first commit");
    repo.write("extra/new.rs", "// added while editing\n");
    repo.git(["add", "-A"]);
    let amended = repo.commit_ok("ignored", "ignored", ["-q", "--amend", "--no-edit"]);
    repo.check_entries(
        &amended,
        &Expect::new("why 1", "impact 1")
            .dir("", &["in `docs/`, `extra/`, `src/`"])
            .dir("docs", &["`d.md`"])
            .dir("extra", &["`new.rs` (added)"])
            .dir("src", &["`a.rs`"]),
    );
    let cont = repo.git_with(&[("GIT_EDITOR", "true")], &["rebase", "--continue"]);
    cont.assert_code(0);
    let new: Vec<String> =
        repo.git(["log", "--format=%H", "-3", "--reverse"]).lines().map(str::to_owned).collect();
    assert_eq!(new[0], amended);
    for (old, new) in old.iter().zip(&new) {
        assert_eq!(repo.trailer(new, "Change-Id"), repo.trailer(old, "Change-Id"));
    }
    repo.check_entries(
        &new[2],
        &Expect::new("why 3", "impact 3")
            .dir("", &[])
            .dir("docs", &["`d.md`"])
            .dir("src", &["`a.rs`"]),
    );
    assert_rebase_recorded(&repo);
    assert_each_change_listed_once(&repo);
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn cherry_pick_is_recorded_once() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "cherry-pick");
    let (_, feature) = diverge(&repo, "src/a.rs", "docs/d.md");
    let out = repo.git_with(&[], &["cherry-pick", &feature]);
    out.assert_code(0);
    let head = repo.head();
    assert_eq!(repo.trailer(&head, "Change-Id"), repo.trailer(&feature, "Change-Id"));
    // The picked commit brings its entries (its change id) with it, once.
    repo.check_entries(
        &head,
        &Expect::new("feature work", "feature").dir("", &["in `docs/`"]).dir("docs", &["`d.md`"]),
    );
    let kinds: Vec<String> = repo
        .records()
        .into_iter()
        .filter(|r| r["commit"] == head.as_str())
        .filter_map(|r| r["kind"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("commit"))
        .collect();
    // pre-commit does not run for a cherry-pick; prepare-commit-msg checked
    // that it carries its original's rationale (issue 19): a `commit`.
    assert_eq!(kinds, ["commit"], "the cherry-pick is recorded once");
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn revert_is_recorded_once() {
    let env = TestEnv::new();
    let (repo, base) = with_base(&env, "revert");
    repo.append("src/a.rs", "fn oops() {}\n");
    let bad = repo.commit_ok("try oops", "src", ["-q", "-a", "-m", "oops"]);
    let out = repo.git_with(&[("GIT_EDITOR", "true")], &["revert", &bad]);
    out.assert_code(0);
    let head = repo.head();
    assert_eq!(repo.git(["rev-parse", &format!("{head}^")]), bad);
    assert_eq!(repo.git(["diff", &base, &head, "--", "src/a.rs"]), "", "the change is undone");
    let kinds: Vec<String> = repo
        .records()
        .into_iter()
        .filter(|r| r["commit"] == head.as_str())
        .filter_map(|r| r["kind"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("commit"))
        .collect();
    assert_eq!(kinds.len(), 1, "the revert is recorded once: {kinds:?}");
    if kinds[0] == "commit" {
        // pre-commit ran: then the revert documents itself like any commit.
        let id = repo.trailer(&head, "Change-Id");
        assert_eq!(entries_of(&repo.changelog(&head, "src"), &id).len(), 1);
    }
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn linked_worktree_shares_the_journal_and_updates_its_own_changelogs() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "worktree-main");
    let wt_dir = env.root.join("worktree-linked");
    repo.git(["worktree", "add", "-q", "-b", "side", wt_dir.to_str().expect("UTF-8 path")]);
    let wt = repo.at(wt_dir);
    let main_src_log = repo.read(b"src/CHANGELOG.md");
    wt.append("src/a.rs", "fn side() {}\n");
    let head = wt.commit_ok("work on the side", "src", ["-q", "-a", "-m", "side"]);
    wt.check_entries(
        &head,
        &Expect::new("work on the side", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    // The worktree's files hold the entries; the main work tree's do not move.
    assert_eq!(
        wt.read(b"src/CHANGELOG.md"),
        wt.git_raw(["show", "HEAD:src/CHANGELOG.md"]),
        "the worktree's CHANGELOG.md is what was committed"
    );
    assert_eq!(repo.read(b"src/CHANGELOG.md"), main_src_log);
    wt.assert_no_changelog_changes();
    repo.assert_no_changelog_changes();
    // One journal: both work trees see the same records, the side commit among them.
    let from_main = repo.records();
    assert_eq!(from_main, wt.records());
    assert!(
        from_main.iter().any(|r| r["kind"] == "commit" && r["commit"] == head.as_str()),
        "the worktree's commit is in the shared journal"
    );
    wt.finish();
    repo.finish();
}

#[test]
fn stash_and_pop_around_a_commit() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "stash");
    repo.append("src/a.rs", "fn wip() {}\n");
    repo.git(["stash", "-q"]);
    repo.append("lib/l.rs", "pub fn m() {}\n");
    let middle = repo.commit_ok("lib first", "lib", ["-q", "-a", "-m", "lib"]);
    repo.check_entries(
        &middle,
        &Expect::new("lib first", "lib").dir("", &["in `lib/`"]).dir("lib", &["`l.rs`"]),
    );
    repo.git(["stash", "pop", "-q"]);
    repo.assert_no_changelog_changes();
    let head = repo.commit_ok("then src", "src", ["-q", "-a", "-m", "src"]);
    repo.check_entries(
        &head,
        &Expect::new("then src", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn files_in_the_repository_root() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "root-files");
    repo.append("top.txt", "more\n");
    repo.write("new-top.md", "new\n");
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("root files", "root only", ["-q", "-m", "root"]);
    repo.check_entries(
        &head,
        &Expect::new("root files", "root only").dir("", &["`new-top.md` (added)", "`top.txt`"]),
    );
    let root = repo.changelog(&head, "");
    let line = entries_of(&root, &repo.trailer(&head, "Change-Id"))[0].to_owned();
    assert!(!line.contains("also in"), "no other directory was touched: {line}");
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn deleting_the_last_file_of_a_directory() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "delete-last");
    repo.write("gone/only.txt", "bye\n");
    repo.write("whole/w.txt", "w\n");
    repo.git(["add", "-A"]);
    repo.commit_ok("add two dirs", "gone, whole", ["-q", "-m", "dirs"]);

    // The directory keeps its CHANGELOG.md, which records the removal.
    repo.git(["rm", "-q", "gone/only.txt"]);
    let head = repo.commit_ok("drop only.txt", "gone", ["-q", "-m", "rm"]);
    repo.check_entries(
        &head,
        &Expect::new("drop only.txt", "gone")
            .dir("", &["in `gone/`"])
            .dir("gone", &["`only.txt` (removed)"]),
    );
    let gone = repo.changelog(&head, "gone");
    assert!(gone.contains("### Removed\n"), "{gone}");

    // The whole directory, CHANGELOG.md included: the root summary names it and
    // no CHANGELOG.md brings the directory back.
    repo.git(["rm", "-q", "-r", "whole"]);
    let head = repo.commit_ok("drop whole", "whole", ["-q", "-m", "rm -r"]);
    repo.check_entries(&head, &Expect::new("drop whole", "whole").dir("", &["in `whole/`"]));
    assert!(!repo.path(b"whole").exists(), "the directory stays gone");
    assert_eq!(repo.git(["status", "--porcelain"]), "");
    repo.finish();
}

#[test]
fn rename_across_directories() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "rename");
    repo.git(["mv", "lib/l.rs", "src/l.rs"]);
    let head = repo.commit_ok("move l to src", "lib, src", ["-q", "-m", "mv"]);
    repo.check_entries(
        &head,
        &Expect::new("move l to src", "lib, src")
            .dir("", &["in `lib/`, `src/`"])
            .dir("lib", &["`l.rs` (renamed to `src/l.rs`)"])
            .dir("src", &["`l.rs` (renamed from `lib/l.rs`)"]),
    );
    let record = repo
        .records()
        .into_iter()
        .find(|r| r["commit"] == head.as_str() && r["kind"] == "commit")
        .expect("the commit record");
    assert!(
        record["paths"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["status"] == "R" && p["path"] == "src/l.rs" && p["from"] == "lib/l.rs"),
        "{record:#}"
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn odd_path_names() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "odd-names");
    repo.write("sp ace/my file.txt", "1\n");
    repo.write("ünï/fïlé.md", "2\n");
    repo.write("q/say \"hi\".txt", "3\n");
    repo.write("q/a\nb.txt", "4\n");
    repo.write_bytes(b"q/bad\xff.bin", b"5\n");
    repo.write_bytes(b"nl\ndir/f.txt", b"6\n");
    repo.write_bytes(b"bad\xfedir/g.txt", b"7\n");
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("odd names", "none", ["-q", "-m", "odd"]);
    repo.check_entries(
        &head,
        &Expect::new("odd names", "none")
            .dir("", &["`\"bad\\376dir/\"`", "`\"nl\\ndir/\"`", "`sp ace/`", "`ünï/`"])
            .dir("sp ace", &["`my file.txt` (added)"])
            .dir("ünï", &["`fïlé.md` (added)"])
            .dir(
                "q",
                &[
                    "`say \"hi\".txt` (added)",
                    "`\"a\\nb.txt\"` (added)",
                    "`\"bad\\377.bin\"` (added)",
                ],
            )
            .dir_bytes(b"nl\ndir", &["`f.txt` (added)"])
            .dir_bytes(b"bad\xfedir", &["`g.txt` (added)"]),
    );
    // Modify them all again: the entries land in the existing files.
    for (path, more) in [
        (&b"q/a\nb.txt"[..], &b"again\n"[..]),
        (b"q/bad\xff.bin", b"again\n"),
        (b"nl\ndir/f.txt", b"again\n"),
        (b"bad\xfedir/g.txt", b"again\n"),
    ] {
        let mut content = repo.read(path);
        content.extend_from_slice(more);
        repo.write_bytes(path, &content);
    }
    let head = repo.commit_ok("again", "none", ["-q", "-a", "-m", "again"]);
    repo.check_entries(
        &head,
        &Expect::new("again", "none")
            .dir("", &[])
            .dir("q", &["`\"a\\nb.txt\"`, `\"bad\\377.bin\"`"])
            .dir_bytes(b"nl\ndir", &["`f.txt`"])
            .dir_bytes(b"bad\xfedir", &["`g.txt`"]),
    );
    let record = repo
        .records()
        .into_iter()
        .find(|r| r["commit"] == head.as_str() && r["kind"] == "commit")
        .expect("the commit record");
    assert!(
        record["paths"].as_array().into_iter().flatten().any(|p| p.get("path_b64").is_some()),
        "a path that is not UTF-8 is kept as path_b64: {record:#}"
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn binary_files() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "binary");
    let blob: Vec<u8> = (0..=255u8).chain([0, 0, 0xff, b'\n', b'\r']).collect();
    repo.write_bytes(b"assets/logo.bin", &blob);
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("add a logo", "assets", ["-q", "-m", "logo"]);
    repo.check_entries(
        &head,
        &Expect::new("add a logo", "assets")
            .dir("", &["in `assets/`"])
            .dir("assets", &["`logo.bin` (added)"]),
    );
    let mut changed = blob.clone();
    changed.reverse();
    repo.write_bytes(b"assets/logo.bin", &changed);
    let head = repo.commit_ok("new logo", "assets", ["-q", "-a", "-m", "logo 2"]);
    repo.check_entries(
        &head,
        &Expect::new("new logo", "assets").dir("", &[]).dir("assets", &["`logo.bin`"]),
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn symlinks() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "symlinks");
    std::os::unix::fs::symlink("../src/a.rs", repo.path(b"lib/link")).expect("symlink");
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("a link", "lib", ["-q", "-m", "link"]);
    repo.check_entries(
        &head,
        &Expect::new("a link", "lib").dir("", &[]).dir("lib", &["`link` (added)"]),
    );
    // Retarget the link (M) and turn a file into a link (T).
    std::fs::remove_file(repo.path(b"lib/link")).expect("remove link");
    std::os::unix::fs::symlink("../top.txt", repo.path(b"lib/link")).expect("symlink");
    std::fs::remove_file(repo.path(b"docs/d.md")).expect("remove file");
    std::os::unix::fs::symlink("../top.txt", repo.path(b"docs/d.md")).expect("symlink");
    let head = repo.commit_ok("links everywhere", "lib, docs", ["-q", "-a", "-m", "links"]);
    repo.check_entries(
        &head,
        &Expect::new("links everywhere", "lib, docs")
            .dir("", &["in `docs/`, `lib/`"])
            .dir("docs", &["`d.md` (type changed)"])
            .dir("lib", &["`link`"]),
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn submodule_gitlink() {
    let env = TestEnv::new();
    let other = env.dir("other");
    env.git_ok(&other, ["init", "-q", "-b", "main"]);
    std::fs::write(other.join("o.txt"), "o\n").expect("write");
    env.git_ok(&other, ["add", "o.txt"]);
    env.git_ok(&other, ["commit", "-q", "-m", "o"]);
    let (repo, _) = with_base(&env, "submodule");
    repo.git(["-c", "protocol.file.allow=always", "submodule", "add", "-q", "../other", "sub"]);
    let head = repo.commit_ok("add the submodule", "sub", ["-q", "-m", "sub"]);
    repo.check_entries(
        &head,
        &Expect::new("add the submodule", "sub")
            .dir("", &["`.gitmodules` (added)", "`sub` (added)"]),
    );
    // Move the submodule to a new commit: the gitlink changes.
    let sub = repo.dir.join("sub");
    std::fs::write(sub.join("o.txt"), "o2\n").expect("write");
    env.git_ok(&sub, ["commit", "-q", "-a", "-m", "o2"]);
    repo.git(["add", "sub"]);
    let head = repo.commit_ok("bump sub", "sub", ["-q", "-m", "bump"]);
    repo.check_entries(&head, &Expect::new("bump sub", "sub").dir("", &["`sub`"]));
    let record = repo
        .records()
        .into_iter()
        .find(|r| r["commit"] == head.as_str() && r["kind"] == "commit")
        .expect("the commit record");
    let gitlink = record["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["path"] == "sub")
        .expect("the gitlink path");
    assert_eq!(gitlink["mode"], "160000");
    assert_eq!(gitlink["blob"].as_str(), Some(env.git_ok(&sub, ["rev-parse", "HEAD"]).as_str()));
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn commit_touching_only_changelogs_adds_no_entry() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "only-changelogs");
    let before = repo.read(b"src/CHANGELOG.md");
    let mut edited = String::from_utf8(before.clone()).expect("UTF-8");
    edited.push_str("\nA note a person added by hand.\n");
    repo.write("src/CHANGELOG.md", &edited);
    repo.git(["add", "-A"]);
    let head = repo.commit_ok("tidy the changelog", "docs only", ["-q", "-m", "tidy"]);
    let id = repo.trailer(&head, "Change-Id");
    repo.assert_no_entries(&head, &id);
    assert_eq!(repo.changelog(&head, "src"), edited, "the hand edit is committed as written");
    assert_eq!(repo.git(["show", "--name-only", "--format=", &head]), "src/CHANGELOG.md");
    let kinds: Vec<Value> = repo
        .records()
        .into_iter()
        .filter(|r| r["commit"] == head.as_str())
        .map(|r| r["kind"].clone())
        .collect();
    assert_eq!(kinds, [Value::from("commit")], "still recorded");
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn retry_after_the_editor_empties_the_message() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "retry-editor");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.append("docs/d.md", "b\n");
    repo.git(["add", "-A"]);
    let head_before = repo.head();
    let aborted = repo.git_with(
        &[("TRAIL_WHY", "add b"), ("TRAIL_IMPACT", "src"), ("GIT_EDITOR", "sh -c ': > \"$1\"' --")],
        &["commit"],
    );
    assert_eq!(aborted.status, Some(1), "an empty message aborts the commit:\n{aborted}");
    assert_eq!(repo.head(), head_before, "nothing was committed");
    // The retry leaves docs out: its entry from the aborted attempt must go too.
    repo.git(["reset", "-q", "docs/d.md"]);
    let head = repo.commit_ok("add b", "src", ["-q", "-m", "b"]);
    repo.check_entries(
        &head,
        &Expect::new("add b", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    repo.assert_only_new_entries(&head);
    assert_eq!(repo.git(["status", "--porcelain"]), " M docs/d.md");
    repo.finish();
}

#[test]
fn retry_after_a_chained_commit_msg_hook_fails() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "retry-commit-msg");
    let chained = repo.dir.join(".git/hooks/commit-msg.trail-chained");
    std::fs::write(&chained, "#!/bin/sh\necho 'commit-msg says no' >&2\nexit 1\n").expect("write");
    std::fs::set_permissions(&chained, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.git(["add", "-A"]);
    let head_before = repo.head();
    let failed = repo.commit_with("add b", "src", ["-q", "-m", "b"]);
    assert_eq!(failed.status, Some(1), "the chained hook refuses:\n{failed}");
    failed.assert_stderr_has("commit-msg says no");
    assert_eq!(repo.head(), head_before, "nothing was committed");
    std::fs::remove_file(&chained).expect("remove the chained hook");
    let head = repo.commit_ok("add b", "src", ["-q", "-m", "b"]);
    repo.check_entries(
        &head,
        &Expect::new("add b", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    repo.assert_only_new_entries(&head);
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn commit_without_rationale_is_refused_and_recorded() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "refused");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.git(["add", "-A"]);
    let head_before = repo.head();
    let index_before = repo.git(["diff", "--cached", "--name-only"]);
    let refused = repo.git_with(&[], &["commit", "-q", "-m", "no why"]);
    assert_eq!(refused.status, Some(1), "refused with exit 1:\n{refused}");
    refused.assert_no_panic();
    for way in ["trail commit", "TRAIL_WHY", "trail note"] {
        refused.assert_stderr_has(way);
    }
    assert_eq!(repo.head(), head_before, "nothing was committed");
    assert_eq!(repo.git(["diff", "--cached", "--name-only"]), index_before, "index untouched");
    repo.assert_no_changelog_changes();
    let blocked: Vec<Value> =
        repo.records().into_iter().filter(|r| r["kind"] == "commit.blocked").collect();
    assert_eq!(blocked.len(), 1, "one commit.blocked record");
    assert!(
        blocked[0]["paths"].as_array().into_iter().flatten().any(|p| p["path"] == "src/a.rs"),
        "{:#}",
        blocked[0]
    );
    repo.finish();
}

#[test]
fn note_then_commit_uses_and_consumes_the_note() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "note");
    env.trail_ok(&repo.dir, ["note", "--why", "from a note", "--impact", "src via note"]);
    repo.append("src/a.rs", "fn b() {}\n");
    let out = repo.git_with(&[], &["commit", "-q", "-a", "-m", "noted"]);
    out.assert_code(0);
    let head = repo.head();
    repo.check_entries(
        &head,
        &Expect::new("from a note", "src via note").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    let shown = env.trail_ok(&repo.dir, ["note"]);
    shown.assert_stderr_has("no note is waiting");
    // Consumed: the next commit has no rationale again.
    repo.append("src/a.rs", "fn c() {}\n");
    let refused = repo.git_with(&[], &["commit", "-q", "-a", "-m", "no note left"]);
    assert_eq!(refused.status, Some(1), "the note was used up:\n{refused}");
    assert_eq!(repo.head(), head);
    repo.git(["checkout", "-q", "--", "src/a.rs"]);
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn trail_commit_works_without_a_terminal() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "trail-commit");
    repo.append("src/a.rs", "fn b() {}\n");
    repo.git(["add", "-A"]);
    env.trail_ok(&repo.dir, ["commit", "-m", "via trail", "--why", "wrapped", "--impact", "src"]);
    let head = repo.head();
    assert_eq!(repo.git(["log", "-1", "--format=%s"]), "via trail");
    repo.check_entries(
        &head,
        &Expect::new("wrapped", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    // git options after `--`.
    repo.append("docs/d.md", "more\n");
    env.trail_ok(
        &repo.dir,
        ["commit", "-m", "docs", "--why", "document", "--impact", "docs", "--", "-a"],
    );
    let head = repo.head();
    repo.check_entries(
        &head,
        &Expect::new("document", "docs").dir("", &["in `docs/`"]).dir("docs", &["`d.md`"]),
    );
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn retry_as_an_amend_after_an_aborted_commit() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "retry-as-amend");
    repo.append("src/a.rs", "fn b() {}\n");
    let first = repo.commit_ok("add b", "src", ["-q", "-a", "-m", "b"]);
    repo.append("docs/d.md", "b\n");
    repo.git(["add", "-A"]);
    let aborted = repo.git_with(
        &[("TRAIL_WHY", "docs"), ("TRAIL_IMPACT", "docs"), ("GIT_EDITOR", "sh -c ': > \"$1\"' --")],
        &["commit"],
    );
    assert_eq!(aborted.status, Some(1), "an empty message aborts the commit:\n{aborted}");
    // Second thoughts: the docs change belongs in the previous commit.
    let head = repo.commit_ok("ignored", "ignored", ["-q", "--amend", "--no-edit"]);
    assert_eq!(repo.trailer(&head, "Change-Id"), repo.trailer(&first, "Change-Id"));
    repo.check_entries(
        &head,
        &Expect::new("add b", "src")
            .dir("", &["in `docs/`, `src/`"])
            .dir("docs", &["`d.md`"])
            .dir("src", &["`a.rs`"]),
    );
    // Nothing of the aborted attempt (its change id is in no commit) stays.
    repo.assert_only_new_entries(&head);
    repo.assert_no_changelog_changes();
    repo.finish();
}

#[test]
fn partial_commit_keeps_a_staged_changelog_edit_and_the_entry() {
    let env = TestEnv::new();
    let (repo, _) = with_base(&env, "partial-staged-log");
    // A person's edit to src/CHANGELOG.md, staged but not part of the next commit.
    repo.append("src/CHANGELOG.md", "Hand note.\n");
    repo.git(["add", "src/CHANGELOG.md"]);
    repo.append("src/a.rs", "fn b() {}\n");
    let head = repo.commit_ok("add b", "src", ["-q", "-m", "b", "-o", "src/a.rs"]);
    repo.check_entries(
        &head,
        &Expect::new("add b", "src").dir("", &["in `src/`"]).dir("src", &["`a.rs`"]),
    );
    let id = repo.trailer(&head, "Change-Id");
    // The staged CHANGELOG.md still holds the edit, and the entry too: committing
    // it must not take the entry out again.
    let staged = String::from_utf8(repo.git_raw(["show", ":src/CHANGELOG.md"])).expect("UTF-8");
    assert!(staged.contains("Hand note.\n"), "the staged edit is kept:\n{staged}");
    assert_eq!(entries_of(&staged, &id).len(), 1, "the staged version lacks the entry:\n{staged}");
    let next = repo.commit_ok("hand note", "docs", ["-q", "-m", "note"]);
    let src = repo.changelog(&next, "src");
    assert!(src.contains("Hand note.\n"), "{src}");
    assert_eq!(entries_of(&src, &id).len(), 1, "committing the edit dropped change {id}:\n{src}");
    repo.assert_no_changelog_changes();
    repo.finish();
}
