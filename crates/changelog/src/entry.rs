//! What an entry says, how it is written on one line, and which directory gets which.

use std::collections::BTreeMap;

/// The Keep a Changelog 1.1.0 change types, in the order its sections appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Added,
    Changed,
    Deprecated,
    Removed,
    Fixed,
    Security,
}

impl Section {
    /// Every section, in Keep a Changelog order.
    pub const ALL: [Section; 6] = [
        Section::Added,
        Section::Changed,
        Section::Deprecated,
        Section::Removed,
        Section::Fixed,
        Section::Security,
    ];

    /// The name as written in a `### ` heading.
    pub fn name(self) -> &'static str {
        match self {
            Section::Added => "Added",
            Section::Changed => "Changed",
            Section::Deprecated => "Deprecated",
            Section::Removed => "Removed",
            Section::Fixed => "Fixed",
            Section::Security => "Security",
        }
    }

    /// The section a name stands for, in any case (`fixed`, `Security`); for a
    /// `### ` heading or a commit trailer that chooses the section.
    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How git says a path changed (`git diff --name-status` letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    A,
    M,
    D,
    T,
    R,
}

/// One changed path of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Repository-relative, `/`-separated bytes (not necessarily UTF-8).
    pub path: Vec<u8>,
    pub status: Status,
    /// The rename's source path; only for [`Status::R`].
    pub from: Option<Vec<u8>>,
}

/// What every entry of one commit shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub time: chrono::DateTime<chrono::Utc>,
    pub why: Option<String>,
    pub impact: Option<String>,
    pub author: String,
    /// The change id: ASCII letters and digits ([`crate::valid_change_id`]).
    pub change: String,
    /// The section chosen by the commit (a `Fixed:` or `Security:` trailer, a
    /// Conventional Commits type: [`crate::classify`]); `None` lets the files
    /// decide ([`Entry::section`]).
    pub section: Option<Section>,
    /// The commit's subject (the first line of its message), when known.
    pub subject: Option<String>,
    /// The commit says it breaks compatibility (`feat!:`, a
    /// `BREAKING-CHANGE:` trailer): the entry is marked `**Breaking:**`.
    pub breaking: bool,
}

/// How one file of a directory changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    Added,
    Modified,
    TypeChanged,
    Deleted,
    /// Renamed from this repository-relative path.
    RenamedFrom(Vec<u8>),
    /// Renamed to this repository-relative path.
    RenamedTo(Vec<u8>),
}

/// One file of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNote {
    /// The file's name within the directory (no `/`).
    pub name: Vec<u8>,
    pub status: FileStatus,
}

/// One line in one directory's changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub meta: Meta,
    /// The directory's own changed files, sorted by name.
    pub files: Vec<FileNote>,
    /// Only in the root summary: the other directories the commit touched
    /// (repository-relative, without a trailing `/`), sorted.
    pub dirs: Vec<Vec<u8>>,
}

impl Entry {
    /// The `### ` subsection of `## [Unreleased]` this entry goes under: the
    /// commit's choice if it made one; else Added when every file was added,
    /// Removed when every file was deleted, and Changed otherwise (renames, type
    /// changes, mixtures, and a root summary without root files).
    pub fn section(&self) -> Section {
        if let Some(section) = self.meta.section {
            return section;
        }
        if self.files.is_empty() {
            return Section::Changed;
        }
        if self.files.iter().all(|f| f.status == FileStatus::Added) {
            Section::Added
        } else if self.files.iter().all(|f| f.status == FileStatus::Deleted) {
            Section::Removed
        } else {
            Section::Changed
        }
    }

    /// The entry as one Markdown list item on one logical line (no line
    /// break, however long; a file gets it wrapped: [`crate::Wrap::lines`]):
    ///
    /// ```text
    /// - 2026-11-26T22:40:11Z `store.rs` — Keep the index in the store. Why: keep indexes beside records. Impact: store format v1; no migration. (Ada Lovelace, change c0ffee12)
    /// ```
    ///
    /// The subject (with `**Breaking:**` before it for a breaking change) is
    /// left out when the commit's message was not known.
    pub fn render(&self) -> String {
        let (head, said, tail) = self.render_parts();
        format!("{head}{said}{tail}")
    }

    /// The rendered line in three parts: up to ` —`, what the message says
    /// (the breaking mark and the subject, each with a space before it; empty
    /// without them), and from ` Why: ` on.
    pub(crate) fn render_parts(&self) -> (String, String, String) {
        let mut line = format!("- {}", self.meta.time.format("%Y-%m-%dT%H:%M:%SZ"));
        let files: Vec<String> = self.files.iter().map(render_file).collect();
        let dirs: Vec<String> = self
            .dirs
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.push(b'/');
                code_span(&d)
            })
            .collect();
        if !files.is_empty() {
            line.push(' ');
            line.push_str(&files.join(", "));
        }
        if !dirs.is_empty() {
            line.push_str(if files.is_empty() { " in " } else { "; also in " });
            line.push_str(&dirs.join(", "));
        }
        line.push_str(" —");
        let mut said = String::new();
        let subject = self.meta.subject.as_deref().map(collapse).filter(|s| !s.is_empty());
        if self.meta.breaking {
            said.push_str(" **Breaking:**");
        }
        if let Some(subject) = subject {
            said.push(' ');
            said.push_str(&sentence(Some(&subject)));
        }
        let mut tail = String::from(" Why: ");
        tail.push_str(&sentence(self.meta.why.as_deref()));
        tail.push_str(" Impact: ");
        tail.push_str(&sentence(self.meta.impact.as_deref()));
        let author = collapse(&self.meta.author);
        let change: String =
            self.meta.change.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        tail.push_str(&format!(
            " ({}, change {})",
            if author.is_empty() { "unknown" } else { &author },
            if change.is_empty() { "unknown" } else { &change }
        ));
        (line, said, tail)
    }
}

fn render_file(note: &FileNote) -> String {
    let name = code_span(&note.name);
    match &note.status {
        FileStatus::Added => format!("{name} (added)"),
        FileStatus::Modified => name,
        FileStatus::TypeChanged => format!("{name} (type changed)"),
        FileStatus::Deleted => format!("{name} (removed)"),
        FileStatus::RenamedFrom(from) => format!("{name} (renamed from {})", code_span(from)),
        FileStatus::RenamedTo(to) => format!("{name} (renamed to {})", code_span(to)),
    }
}

/// All runs of whitespace (line breaks and tabs included) as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` collapsed to one line and ended with a full stop; "not given." when absent.
fn sentence(text: Option<&str>) -> String {
    let mut s = collapse(text.unwrap_or(""));
    if s.is_empty() {
        return "not given.".to_owned();
    }
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// A path as a Markdown code span: as is when it is UTF-8 without control
/// characters, else quoted the way git quotes paths (C escapes, octal for bytes
/// that are not UTF-8); the span's delimiter is longer than any run of
/// backticks inside, so a name holding backticks stays one span.
pub(crate) fn code_span(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) if !s.chars().any(char::is_control) => s.to_owned(),
        _ => c_quote(bytes),
    };
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{text}`");
    }
    // CommonMark strips one space at each end when both are there, so a name
    // that starts or ends with a backtick (or space) keeps its own bytes.
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// git's C-style quoting of a path: `"a\nb"`, `\ooo` for bytes that are not UTF-8.
fn c_quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{b}' => out.push_str("\\v"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\{b:03o}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

fn split_dir(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&[], path),
    }
}

fn is_changelog(path: &[u8]) -> bool {
    split_dir(path).1 == b"CHANGELOG.md"
}

/// Which `CHANGELOG.md` gets which entry. Directory `""` is the repository root.
///
/// Each changed path is documented in its parent directory; a rename in both
/// directories (once when they are the same); `CHANGELOG.md` files themselves
/// never (they are trail's output). Directories for which `excluded` says yes
/// get no entry. With `root_summary` the root gets one entry naming its own
/// files and every other directory touched (excluded ones too), whether or not
/// it is excluded; without it the root is a directory like the others. The
/// result is sorted by directory, one entry each, files sorted by name.
pub fn plan(
    changes: &[Change],
    meta: &Meta,
    root_summary: bool,
    excluded: &dyn Fn(&[u8]) -> bool,
) -> Vec<(Vec<u8>, Entry)> {
    let mut notes: BTreeMap<Vec<u8>, Vec<FileNote>> = BTreeMap::new();
    let mut note = |path: &[u8], status: FileStatus| {
        if is_changelog(path) {
            return;
        }
        let (dir, name) = split_dir(path);
        notes.entry(dir.to_vec()).or_default().push(FileNote { name: name.to_vec(), status });
    };
    for change in changes {
        match (change.status, &change.from) {
            (Status::A, _) => note(&change.path, FileStatus::Added),
            (Status::M, _) => note(&change.path, FileStatus::Modified),
            (Status::T, _) => note(&change.path, FileStatus::TypeChanged),
            (Status::D, _) => note(&change.path, FileStatus::Deleted),
            (Status::R, Some(from)) => {
                note(&change.path, FileStatus::RenamedFrom(from.clone()));
                if split_dir(from).0 != split_dir(&change.path).0 {
                    note(from, FileStatus::RenamedTo(change.path.clone()));
                }
            }
            // A rename without its source can only say that the file is new here.
            (Status::R, None) => note(&change.path, FileStatus::Added),
        }
    }
    let entry = |mut files: Vec<FileNote>, dirs: Vec<Vec<u8>>| {
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Entry { meta: meta.clone(), files, dirs }
    };
    let mut out = Vec::new();
    if root_summary && !notes.is_empty() {
        let dirs: Vec<Vec<u8>> = notes.keys().filter(|d| !d.is_empty()).cloned().collect();
        let files = notes.remove(&b""[..]).unwrap_or_default();
        out.push((Vec::new(), entry(files, dirs)));
    }
    for (dir, files) in notes {
        if !excluded(&dir) {
            out.push((dir, entry(files, Vec::new())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn meta() -> Meta {
        Meta {
            time: chrono::Utc.with_ymd_and_hms(2026, 11, 26, 22, 40, 11).single().expect("valid"),
            why: Some("keep indexes beside records".into()),
            impact: Some("store format v1; no migration".into()),
            author: "Ada Lovelace".into(),
            change: "c0ffee12".into(),
            section: None,
            subject: None,
            breaking: false,
        }
    }

    fn file(name: &str, status: FileStatus) -> FileNote {
        FileNote { name: name.as_bytes().to_vec(), status }
    }

    #[test]
    fn renders_the_design_example() {
        let e = Entry {
            meta: meta(),
            files: vec![file("store.rs", FileStatus::Modified)],
            dirs: vec![],
        };
        assert_eq!(
            e.render(),
            "- 2026-11-26T22:40:11Z `store.rs` — Why: keep indexes beside records. Impact: store \
             format v1; no migration. (Ada Lovelace, change c0ffee12)"
        );
        assert_eq!(e.section(), Section::Changed);
    }

    #[test]
    fn collapses_whitespace_and_ends_sentences() {
        let mut m = meta();
        m.why = Some("  two\r\nlines\tand  tabs?  ".into());
        m.impact = None;
        m.author = "Ada\n  Lovelace".into();
        let e = Entry { meta: m, files: vec![file("a", FileStatus::Added)], dirs: vec![] };
        let line = e.render();
        assert!(
            line.contains("Why: two lines and tabs? Impact: not given. (Ada Lovelace,"),
            "{line}"
        );
        assert!(!line.contains('\n') && !line.contains('\r'));
        assert_eq!(e.section(), Section::Added);
        let mut m = meta();
        m.why = Some(" \n ".into());
        let e = Entry { meta: m, files: vec![], dirs: vec![] };
        assert!(e.render().contains("Why: not given."));
    }

    #[test]
    fn suffixes_and_root_summary() {
        let e = Entry {
            meta: meta(),
            files: vec![
                file("a.rs", FileStatus::Added),
                file("b.rs", FileStatus::Deleted),
                file("c", FileStatus::TypeChanged),
                file("d.rs", FileStatus::RenamedFrom(b"x/y.rs".to_vec())),
                file("e.rs", FileStatus::RenamedTo(b"z/e.rs".to_vec())),
            ],
            dirs: vec![b"crates/a".to_vec(), b"docs".to_vec()],
        };
        assert_eq!(
            e.render(),
            "- 2026-11-26T22:40:11Z `a.rs` (added), `b.rs` (removed), `c` (type changed), \
             `d.rs` (renamed from `x/y.rs`), `e.rs` (renamed to `z/e.rs`); also in `crates/a/`, \
             `docs/` — Why: keep indexes beside records. Impact: store format v1; no migration. \
             (Ada Lovelace, change c0ffee12)"
        );
        let only_dirs = Entry { meta: meta(), files: vec![], dirs: vec![b"src".to_vec()] };
        assert!(only_dirs.render().starts_with("- 2026-11-26T22:40:11Z in `src/` — Why:"));
        assert_eq!(only_dirs.section(), Section::Changed);
    }

    #[test]
    fn odd_names_are_quoted_inside_one_span() {
        assert_eq!(code_span(b"plain name.rs"), "`plain name.rs`");
        assert_eq!(code_span(b"a\nb"), "`\"a\\nb\"`");
        assert_eq!(code_span(b"bad\xff"), "`\"bad\\377\"`");
        assert_eq!(code_span(b"tab\there\"q\\"), "`\"tab\\there\\\"q\\\\\"`");
        assert_eq!(code_span(b"has`tick"), "`` has`tick ``");
        assert_eq!(code_span(b"``x"), "``` ``x ```");
        assert_eq!(code_span("ünï.md".as_bytes()), "`ünï.md`");
    }

    #[test]
    fn sections() {
        let mut e = Entry {
            meta: meta(),
            files: vec![file("a", FileStatus::Deleted), file("b", FileStatus::Deleted)],
            dirs: vec![],
        };
        assert_eq!(e.section(), Section::Removed);
        e.files.push(file("c", FileStatus::Added));
        assert_eq!(e.section(), Section::Changed);
        e.meta.section = Some(Section::Security);
        assert_eq!(e.section(), Section::Security);
        assert_eq!(Section::from_name(" fixed "), Some(Section::Fixed));
        assert_eq!(Section::from_name("Notes"), None);
    }

    fn change(path: &str, status: Status, from: Option<&str>) -> Change {
        Change { path: path.as_bytes().to_vec(), status, from: from.map(|f| f.as_bytes().to_vec()) }
    }

    #[test]
    fn plan_puts_each_file_in_its_directory() {
        let changes = [
            change("src/b.rs", Status::M, None),
            change("src/a.rs", Status::A, None),
            change("README", Status::M, None),
            change("docs/new.md", Status::R, Some("notes/old.md")),
            change("src/same2.rs", Status::R, Some("src/same.rs")),
            change("vendor/x/lib.c", Status::D, None),
            change("src/CHANGELOG.md", Status::M, None),
        ];
        let excluded = |d: &[u8]| d.starts_with(b"vendor");
        let planned = plan(&changes, &meta(), true, &excluded);
        let dirs: Vec<&[u8]> = planned.iter().map(|(d, _)| d.as_slice()).collect();
        assert_eq!(dirs, [&b""[..], b"docs", b"notes", b"src"]);
        let root = &planned[0].1;
        assert_eq!(root.files, vec![file("README", FileStatus::Modified)]);
        assert_eq!(
            root.dirs,
            vec![b"docs".to_vec(), b"notes".to_vec(), b"src".to_vec(), b"vendor/x".to_vec()]
        );
        assert_eq!(
            planned[1].1.files,
            vec![file("new.md", FileStatus::RenamedFrom(b"notes/old.md".to_vec()))]
        );
        assert_eq!(
            planned[2].1.files,
            vec![file("old.md", FileStatus::RenamedTo(b"docs/new.md".to_vec()))]
        );
        let src: Vec<&[u8]> = planned[3].1.files.iter().map(|f| f.name.as_slice()).collect();
        assert_eq!(src, [&b"a.rs"[..], b"b.rs", b"same2.rs"]);
        assert_eq!(planned[3].1.files[2].status, FileStatus::RenamedFrom(b"src/same.rs".to_vec()));
    }

    #[test]
    fn plan_without_root_summary_and_for_changelog_only_commits() {
        let none = |_: &[u8]| false;
        let only_logs =
            [change("CHANGELOG.md", Status::M, None), change("a/CHANGELOG.md", Status::A, None)];
        assert!(plan(&only_logs, &meta(), true, &none).is_empty());
        let changes = [change("a/x", Status::A, None), change("top", Status::D, None)];
        let planned = plan(&changes, &meta(), false, &none);
        assert_eq!(planned.len(), 2);
        assert_eq!(planned[0].0, b"");
        assert!(planned[0].1.dirs.is_empty());
        assert_eq!(planned[0].1.section(), Section::Removed);
        assert_eq!(planned[1].1.section(), Section::Added);
        // The summary names the directories even when the root has no file of its own.
        let planned = plan(&changes[..1], &meta(), true, &none);
        assert_eq!(planned[0].1.dirs, vec![b"a".to_vec()]);
        assert!(planned[0].1.files.is_empty());
    }
}
