//! Reading a `CHANGELOG.md` well enough to edit it, and the edits themselves.
//!
//! The file is cut into lines that keep their own line ending, each line is
//! classified once ([`Kind`]), and an edit is a set of lines to delete, lines to
//! replace and lines to insert before a given line ([`Edit`]). Every byte of a
//! line that is not deleted or replaced is copied as it was, which is what keeps
//! a person's text intact.

use std::collections::BTreeMap;

use crate::entry::{Entry, Section};

/// A changelog trail cannot edit with certainty: where, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct Malformed {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Anything else (paragraphs, list items, trail entries).
    Text,
    Blank,
    /// A fence line or a line inside a fenced code block.
    Fenced,
    H1,
    H2,
    /// A `### ` heading and the Keep a Changelog section it names, if any.
    H3(Option<Section>),
}

pub(crate) struct Line<'a> {
    pub body: &'a str,
    /// `"\n"`, `"\r\n"` or `""` (the last line of a file without a final newline).
    pub end: &'a str,
}

pub(crate) struct Doc<'a> {
    pub lines: Vec<Line<'a>>,
    pub kinds: Vec<Kind>,
    /// The `## [Unreleased]` heading's index and the index where its section ends
    /// (the next level 1 or 2 heading, or the number of lines).
    pub unreleased: Option<(usize, usize)>,
    /// The line ending trail writes: the file's first one, `\n` by default.
    pub eol: &'static str,
}

impl Doc<'_> {
    /// Indices of the lines of the Unreleased section after its heading.
    pub fn unreleased_body(&self) -> std::ops::Range<usize> {
        self.unreleased.map_or(0..0, |(h, end)| h + 1..end)
    }

    /// The change id of line `i` if it is a trail entry (outside code blocks).
    pub fn entry_id(&self, i: usize) -> Option<&str> {
        if self.kinds[i] != Kind::Text {
            return None;
        }
        entry_id(self.lines[i].body)
    }
}

/// The time a trail entry line starts with: `- 2026-11-26T22:40:11Z …`.
fn entry_time(body: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = body.strip_prefix("- ")?.get(..20)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%SZ").ok().map(|t| t.and_utc())
}

/// The change id of a trail entry line: `- … , change ID)`.
pub(crate) fn entry_id(body: &str) -> Option<&str> {
    let body = body.trim_end();
    if !body.starts_with("- ") {
        return None;
    }
    let rest = body.strip_suffix(')')?;
    let at = rest.rfind(", change ")?;
    let id = &rest[at + ", change ".len()..];
    crate::valid_change_id(id).then_some(id)
}

fn malformed(index: usize, reason: impl Into<String>) -> Malformed {
    Malformed { line: index + 1, reason: reason.into() }
}

/// An opening code fence: its character and length.
fn fence_open(body: &str) -> Option<(char, usize)> {
    let indent = body.len() - body.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &body[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.len() - rest.trim_start_matches(c).len();
    // CommonMark: the info string of a backtick fence holds no backtick.
    (n >= 3 && !(c == '`' && rest[n..].contains('`'))).then_some((c, n))
}

fn fence_closes(body: &str, (c, n): (char, usize)) -> bool {
    let indent = body.len() - body.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &body[indent..];
    let run = rest.len() - rest.trim_start_matches(c).len();
    run >= n && rest[run..].trim().is_empty()
}

fn conflict_marker(body: &str) -> bool {
    let marker =
        |m: &str| body.strip_prefix(m).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
    body.trim_end() == "=======" || marker("<<<<<<<") || marker(">>>>>>>") || marker("|||||||")
}

/// The text of a heading of `level` (`## x` → `x`, closing `#`s dropped), if `body` is one.
fn heading(body: &str, level: usize) -> Option<&str> {
    let hashes = body.len() - body.trim_start_matches('#').len();
    if hashes != level {
        return None;
    }
    let rest = &body[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    Some(rest.trim_end_matches('#').trim_end())
}

fn is_unreleased(title: &str) -> bool {
    bracketed(title).unwrap_or(title).eq_ignore_ascii_case("unreleased")
}

/// `[x]…` → `x`.
fn bracketed(title: &str) -> Option<&str> {
    let rest = title.strip_prefix('[')?;
    Some(&rest[..rest.find(']')?])
}

/// Whether release heading `title` (`[1.0.0] - 2026-01-01`) is `version`.
fn names_version(title: &str, version: &str) -> bool {
    match bracketed(title) {
        Some(name) => name == version,
        None => title.split_whitespace().next() == Some(version),
    }
}

pub(crate) fn parse(text: &[u8]) -> Result<Doc<'_>, Malformed> {
    let s = std::str::from_utf8(text).map_err(|e| {
        let line = text[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
        malformed(line, "not valid UTF-8; save the file as UTF-8")
    })?;
    let mut lines = Vec::new();
    for piece in s.split_inclusive('\n') {
        let (body, end) = if let Some(body) = piece.strip_suffix("\r\n") {
            (body, "\r\n")
        } else if let Some(body) = piece.strip_suffix('\n') {
            (body, "\n")
        } else {
            (piece, "")
        };
        lines.push(Line { body, end });
    }
    let eol = match lines.iter().map(|l| l.end).find(|e| !e.is_empty()) {
        Some("\r\n") => "\r\n",
        _ => "\n",
    };
    let mut kinds = Vec::with_capacity(lines.len());
    let mut fence: Option<((char, usize), usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        let body = line.body;
        if let Some((open, _)) = fence {
            if fence_closes(body, open) {
                fence = None;
            }
            kinds.push(Kind::Fenced);
            continue;
        }
        if let Some(open) = fence_open(body) {
            fence = Some((open, i));
            kinds.push(Kind::Fenced);
            continue;
        }
        if conflict_marker(body) {
            return Err(malformed(
                i,
                "git conflict marker: resolve the merge conflict in this file, then remove the \
                 <<<<<<<, ======= and >>>>>>> lines",
            ));
        }
        kinds.push(if body.trim().is_empty() {
            Kind::Blank
        } else if heading(body, 1).is_some() {
            Kind::H1
        } else if heading(body, 2).is_some() {
            Kind::H2
        } else if let Some(title) = heading(body, 3) {
            Kind::H3(Section::from_name(title))
        } else {
            Kind::Text
        });
    }
    if let Some(((c, n), at)) = fence {
        return Err(malformed(
            at,
            format!(
                "this code block is never closed: add a line {} where it ends",
                c.to_string().repeat(n)
            ),
        ));
    }
    let mut unreleased: Option<(usize, usize)> = None;
    for (i, kind) in kinds.iter().enumerate() {
        match kind {
            Kind::H2 if heading(lines[i].body, 2).is_some_and(is_unreleased) => {
                if let Some((first, _)) = unreleased {
                    return Err(malformed(
                        i,
                        format!(
                            "a second `## [Unreleased]` section (the first is at line {}): \
                             merge the two into one",
                            first + 1
                        ),
                    ));
                }
                unreleased = Some((i, kinds.len()));
            }
            Kind::H1 | Kind::H2 => {
                if let Some((h, end)) = &mut unreleased
                    && *end == kinds.len()
                    && i > *h
                {
                    *end = i;
                }
            }
            _ => {}
        }
    }
    let doc = Doc { lines, kinds, unreleased, eol };
    for i in doc.unreleased_body() {
        if doc.kinds[i] == Kind::H3(None) {
            return Err(malformed(
                i,
                format!(
                    "`{}` is not a Keep a Changelog section; inside `## [Unreleased]` use one of \
                     Added, Changed, Deprecated, Removed, Fixed, Security (or a `####` heading)",
                    doc.lines[i].body.trim()
                ),
            ));
        }
    }
    Ok(doc)
}

/// Deletions, replacements and insertions over a parsed document.
pub(crate) struct Edit<'d, 'a> {
    doc: &'d Doc<'a>,
    deleted: Vec<bool>,
    replaced: BTreeMap<usize, String>,
    /// Lines (bodies, without endings) to insert before line index `k`
    /// (`k == lines.len()`: at the end).
    inserted: BTreeMap<usize, Vec<String>>,
}

impl<'d, 'a> Edit<'d, 'a> {
    pub fn new(doc: &'d Doc<'a>) -> Self {
        Edit {
            doc,
            deleted: vec![false; doc.lines.len()],
            replaced: BTreeMap::new(),
            inserted: BTreeMap::new(),
        }
    }

    pub fn delete(&mut self, i: usize) {
        self.deleted[i] = true;
    }

    pub fn is_deleted(&self, i: usize) -> bool {
        self.deleted[i]
    }

    pub fn replace(&mut self, i: usize, body: String) {
        self.replaced.insert(i, body);
    }

    pub fn insert(&mut self, before: usize, lines: impl IntoIterator<Item = String>) {
        self.inserted.entry(before).or_default().extend(lines);
    }

    pub fn changed(&self) -> bool {
        self.deleted.iter().any(|d| *d) || !self.replaced.is_empty() || !self.inserted.is_empty()
    }

    pub fn finish(self) -> Vec<u8> {
        let doc = self.doc;
        let mut out = Vec::new();
        for i in 0..=doc.lines.len() {
            if let Some(new) = self.inserted.get(&i) {
                // Inserting after a last line without a newline: it needs one now.
                if !out.is_empty() && !out.ends_with(b"\n") {
                    out.extend_from_slice(doc.eol.as_bytes());
                }
                for body in new {
                    out.extend_from_slice(body.as_bytes());
                    out.extend_from_slice(doc.eol.as_bytes());
                }
            }
            let Some(line) = doc.lines.get(i) else { break };
            if self.deleted[i] {
                continue;
            }
            match self.replaced.get(&i) {
                Some(body) => out.extend_from_slice(body.as_bytes()),
                None => out.extend_from_slice(line.body.as_bytes()),
            }
            out.extend_from_slice(line.end.as_bytes());
        }
        out
    }
}

/// Insert entry lines (bodies), grouped by section, into the Unreleased section:
/// each group directly below its `### ` heading, which is created (in Keep a
/// Changelog order) when missing; the Unreleased section too.
pub(crate) fn place(
    doc: &Doc<'_>,
    edit: &mut Edit<'_, '_>,
    mut groups: Vec<(Section, Vec<String>)>,
) {
    groups.retain(|(_, lines)| !lines.is_empty());
    groups.sort_by_key(|(section, _)| *section);
    let Some((h, end)) = doc.unreleased else {
        let mut block = vec!["## [Unreleased]".to_owned()];
        for (section, lines) in groups {
            block.push(String::new());
            block.push(format!("### {section}"));
            block.extend(lines);
        }
        if block.len() == 1 {
            return;
        }
        let n = doc.lines.len();
        match doc.kinds.iter().position(|k| *k == Kind::H2) {
            Some(i) => {
                if i > 0 && doc.kinds[i - 1] != Kind::Blank {
                    block.insert(0, String::new());
                }
                block.push(String::new());
                edit.insert(i, block);
            }
            None => {
                if n > 0 && doc.kinds[n - 1] != Kind::Blank {
                    block.insert(0, String::new());
                }
                edit.insert(n, block);
            }
        }
        return;
    };
    let headings: Vec<(usize, Section)> = (h + 1..end)
        .filter_map(|i| match doc.kinds[i] {
            Kind::H3(Some(section)) => Some((i, section)),
            _ => None,
        })
        .collect();
    // Lines after the section's last non-blank line belong to the gap before the
    // next heading; new subsections go before that gap.
    let last = (h..end).rev().find(|&i| doc.kinds[i] != Kind::Blank).unwrap_or(h);
    for (section, lines) in groups {
        if let Some((i, _)) = headings.iter().find(|(_, s)| *s == section) {
            edit.insert(i + 1, lines);
        } else if let Some((i, _)) = headings.iter().find(|(_, s)| *s > section) {
            let mut block = vec![format!("### {section}")];
            block.extend(lines);
            block.push(String::new());
            edit.insert(*i, block);
        } else {
            let mut block = vec![String::new(), format!("### {section}")];
            block.extend(lines);
            edit.insert(last + 1, block);
        }
    }
}

/// Insert `entry` under `### <section>` of `## [Unreleased]`, newest first,
/// creating the subsection (and the Unreleased section) when missing. An entry
/// of the same change already in Unreleased is replaced, so a retried commit is
/// never listed twice. Every other byte of `text` is kept.
///
/// The replaced entry keeps its time (when the change was first written down),
/// and an entry that would come out identical is left where it is: amending
/// only a commit's message, or rewording it in a rebase, changes no file.
pub fn upsert(text: &[u8], entry: &Entry) -> Result<Vec<u8>, Malformed> {
    upsert_rendered(text, entry.section(), &entry.render())
}

/// [`upsert`] of an entry already rendered into `line` (its `### ` subsection
/// is `section`): how a hook re-applies an entry it wrote earlier.
pub fn upsert_rendered(text: &[u8], section: Section, line: &str) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    let mut line = line.to_owned();
    let id = entry_id(&line).map(str::to_owned);
    let existing: Vec<usize> = match &id {
        Some(id) => {
            doc.unreleased_body().filter(|&i| doc.entry_id(i) == Some(id.as_str())).collect()
        }
        None => Vec::new(),
    };
    if let Some(&first) = existing.first()
        && let Some(time) = doc.lines[first].body.get(2..22)
        && entry_time(doc.lines[first].body).is_some()
        && entry_time(&line).is_some()
    {
        line.replace_range(2..22, time);
    }
    if existing.len() == 1 && doc.lines[existing[0]].body.trim_end() == line {
        return Ok(text.to_vec());
    }
    let mut edit = Edit::new(&doc);
    for &i in &existing {
        edit.delete(i);
    }
    place(&doc, &mut edit, vec![(section, vec![line])]);
    Ok(edit.finish())
}

/// Delete the entries of change `change` from `## [Unreleased]` (released
/// sections are history and stay). A `### ` heading left empty stays too.
pub fn remove_change(text: &[u8], change: &str) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    let mut edit = Edit::new(&doc);
    for i in doc.unreleased_body() {
        if doc.entry_id(i) == Some(change) {
            edit.delete(i);
        }
    }
    if !edit.changed() {
        return Ok(text.to_vec());
    }
    Ok(edit.finish())
}

/// Whether the file holds an entry of change `change`, released or not.
/// The entry lines of change `change` in `## [Unreleased]`, each with the
/// `### ` subsection it stands under (Changed when it stands under none).
pub fn change_entries(text: &[u8], change: &str) -> Result<Vec<(Section, String)>, Malformed> {
    let doc = parse(text)?;
    let mut section = Section::Changed;
    let mut found = Vec::new();
    for i in doc.unreleased_body() {
        if let Kind::H3(Some(s)) = doc.kinds[i] {
            section = s;
        }
        if doc.entry_id(i) == Some(change) {
            found.push((section, doc.lines[i].body.trim_end().to_owned()));
        }
    }
    Ok(found)
}

/// The change ids of the entries of `## [Unreleased]`, in file order, each once.
pub fn unreleased_changes(text: &[u8]) -> Result<Vec<String>, Malformed> {
    let doc = parse(text)?;
    let mut ids: Vec<String> = Vec::new();
    for i in doc.unreleased_body() {
        if let Some(id) = doc.entry_id(i)
            && !ids.iter().any(|known| known == id)
        {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

pub fn has_change(text: &[u8], change: &str) -> Result<bool, Malformed> {
    let doc = parse(text)?;
    Ok((0..doc.lines.len()).any(|i| doc.entry_id(i) == Some(change)))
}

/// Turn `## [Unreleased]` into `## [VERSION] - YYYY-MM-DD` and open a new,
/// empty `## [Unreleased]` above it. A file whose Unreleased section is missing
/// or holds nothing but blank lines and `### ` headings had no changes in this
/// release and is returned as it is. Refused when `version` is already a
/// release heading of the file or cannot be written into one.
pub fn release(text: &[u8], version: &str, date: chrono::NaiveDate) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    for (i, kind) in doc.kinds.iter().enumerate() {
        if *kind == Kind::H2
            && let Some(title) = heading(doc.lines[i].body, 2)
            && names_version(title, version)
        {
            return Err(malformed(
                i,
                format!("version {version} is already released here; choose a new version"),
            ));
        }
    }
    let Some((h, end)) = doc.unreleased else { return Ok(text.to_vec()) };
    if !crate::valid_version(version) {
        return Err(malformed(
            h,
            format!(
                "{version:?} cannot be a version in a heading: use no spaces, brackets or \
                 control characters"
            ),
        ));
    }
    let empty = (h + 1..end).all(|i| matches!(doc.kinds[i], Kind::Blank | Kind::H3(_)));
    if empty {
        return Ok(text.to_vec());
    }
    let mut edit = Edit::new(&doc);
    edit.replace(h, format!("## [{version}] - {}", date.format("%Y-%m-%d")));
    edit.insert(h, ["## [Unreleased]".to_owned(), String::new()]);
    Ok(edit.finish())
}

/// Whether trail can edit this file: `Ok` or the first problem, with its line.
pub fn check(text: &[u8]) -> Result<(), Malformed> {
    parse(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{FileNote, FileStatus, Meta};
    use chrono::TimeZone;

    fn entry(id: &str, second: u32, status: FileStatus) -> Entry {
        Entry {
            meta: Meta {
                time: chrono::Utc
                    .with_ymd_and_hms(2026, 11, 26, 22, 40, second)
                    .single()
                    .expect("valid"),
                why: Some("why".into()),
                impact: Some("impact".into()),
                author: "Ada".into(),
                change: id.into(),
                section: None,
            },
            files: vec![FileNote { name: b"f.rs".to_vec(), status }],
            dirs: vec![],
        }
    }

    fn s(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("utf-8")
    }

    const TEMPLATE_END: &str = "# Changelog\n\nText.\n\n## [Unreleased]\n";

    #[test]
    fn inserts_into_the_template_and_creates_subsections_in_order() {
        let one =
            s(upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert_eq!(
            one,
            format!("{TEMPLATE_END}\n### Added\n{}\n", entry("aa", 1, FileStatus::Added).render())
        );
        let two = s(upsert(one.as_bytes(), &entry("bb", 2, FileStatus::Deleted)).expect("ok"));
        assert!(
            two.ends_with(&format!(
                "### Removed\n{}\n",
                entry("bb", 2, FileStatus::Deleted).render()
            )),
            "{two}"
        );
        let three = s(upsert(two.as_bytes(), &entry("cc", 3, FileStatus::Modified)).expect("ok"));
        let added = three.find("### Added").expect("added");
        let changed = three.find("### Changed").expect("changed");
        let removed = three.find("### Removed").expect("removed");
        assert!(added < changed && changed < removed, "{three}");
        assert!(three.contains("\n\n### Changed\n- "), "{three}");
        let four = s(upsert(three.as_bytes(), &entry("dd", 4, FileStatus::Added)).expect("ok"));
        let lines: Vec<&str> = four.lines().collect();
        let at = lines.iter().position(|l| *l == "### Added").expect("added");
        assert!(lines[at + 1].ends_with("change dd)") && lines[at + 2].ends_with("change aa)"));
        assert!(check(four.as_bytes()).is_ok());
    }

    #[test]
    fn upsert_is_idempotent_and_replaces_the_same_change() {
        let once = upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok");
        let twice = upsert(&once, &entry("aa", 1, FileStatus::Added)).expect("ok");
        assert_eq!(once, twice);
        // A later attempt of the same change with the same content (an amended
        // message, a reworded commit) changes nothing, though its clock moved on.
        let later = upsert(&once, &entry("aa", 9, FileStatus::Added)).expect("ok");
        assert_eq!(later, once);
        // Different content replaces the entry, which keeps its first time.
        let moved = s(upsert(&once, &entry("aa", 5, FileStatus::Modified)).expect("ok"));
        assert_eq!(moved.matches("change aa)").count(), 1, "{moved}");
        assert!(moved.contains("### Changed\n- 2026-11-26T22:40:01Z"), "{moved}");
    }

    #[test]
    fn change_entries_name_their_subsection() {
        let once = upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok");
        let both = upsert(&once, &entry("bb", 2, FileStatus::Modified)).expect("ok");
        let found = change_entries(&both, "aa").expect("parses");
        assert_eq!(found, vec![(Section::Added, entry("aa", 1, FileStatus::Added).render())]);
        assert_eq!(change_entries(&both, "bb").expect("parses")[0].0, Section::Changed);
        assert!(change_entries(&both, "cc").expect("parses").is_empty());
    }

    #[test]
    fn keeps_crlf_and_adds_a_missing_final_newline() {
        let text = "# Changelog\r\n\r\n## [Unreleased]";
        let out = s(upsert(text.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert_eq!(
            out,
            format!(
                "{text}\r\n\r\n### Added\r\n{}\r\n",
                entry("aa", 1, FileStatus::Added).render()
            )
        );
    }

    #[test]
    fn creates_unreleased_before_the_first_release() {
        let text = "# Changelog\n\nIntro.\n\n## [1.0.0] - 2020-01-01\n\n### Added\n- old\n";
        let out = s(upsert(text.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert_eq!(
            out,
            format!(
                "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n{}\n\n## [1.0.0] - 2020-01-01\n\n### Added\n- old\n",
                entry("aa", 1, FileStatus::Added).render()
            )
        );
        let bare = s(upsert(b"Just text", &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(bare.starts_with("Just text\n\n## [Unreleased]\n\n### Added\n- "), "{bare}");
        let empty = s(upsert(b"", &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(empty.starts_with("## [Unreleased]\n\n### Added\n- "), "{empty}");
    }

    #[test]
    fn headings_in_code_blocks_do_not_count() {
        let text =
            "# C\n\n## [Unreleased]\n\n```md\n## [Unreleased]\n### Notes\n- x, change aa)\n```\n";
        assert!(check(text.as_bytes()).is_ok());
        assert!(!has_change(text.as_bytes(), "aa").expect("ok"));
        let out = s(upsert(text.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(out.starts_with(text), "{out}");
        assert!(out.contains("```\n\n### Added\n- "), "{out}");
    }

    #[test]
    fn malformed_files_name_the_line() {
        let cases: [(&[u8], usize, &str); 6] = [
            (b"# C\n\n```\ncode\n", 3, "never closed"),
            (b"# C\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n", 2, "conflict"),
            (b"## [Unreleased]\n\n## [Unreleased]\n", 3, "second"),
            (b"## [Unreleased]\n\n### Notes\n", 3, "not a Keep a Changelog section"),
            (b"ok\nbad \xff\n", 2, "UTF-8"),
            (b"# C\n\n=======\n", 3, "conflict"),
        ];
        for (text, line, reason) in cases {
            let e = check(text).expect_err("malformed");
            assert_eq!(e.line, line, "{e}");
            assert!(e.reason.contains(reason), "{e}");
            assert!(upsert(text, &entry("aa", 1, FileStatus::Added)).is_err());
            assert!(remove_change(text, "aa").is_err());
            assert!(release(text, "1.0", chrono::NaiveDate::MIN).is_err());
        }
        assert_eq!(
            check(b"## [Unreleased]\n### Notes\n").expect_err("bad").to_string(),
            "line 2: `### Notes` is not a Keep a Changelog section; inside `## [Unreleased]` use \
             one of Added, Changed, Deprecated, Removed, Fixed, Security (or a `####` heading)"
        );
        // Outside Unreleased any heading is fine; so are #### headings inside.
        assert!(check(b"## [Unreleased]\n#### Notes\n## [1.0]\n### Notes\n").is_ok());
    }

    #[test]
    fn remove_and_has_change() {
        let once = upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok");
        let both = upsert(&once, &entry("bb", 2, FileStatus::Added)).expect("ok");
        assert!(has_change(&both, "aa").expect("ok"));
        assert!(!has_change(&both, "a").expect("ok"));
        let removed = remove_change(&both, "bb").expect("ok");
        assert_eq!(removed, once);
        assert_eq!(remove_change(&removed, "zz").expect("ok"), once);
        // Released entries stay, and still count as present.
        let released =
            release(&once, "1.0.0", chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"))
                .expect("ok");
        assert_eq!(remove_change(&released, "aa").expect("ok"), released);
        assert!(has_change(&released, "aa").expect("ok"));
    }

    #[test]
    fn release_renames_unreleased_and_opens_a_new_one() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let once =
            s(upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        let out = s(release(once.as_bytes(), "1.0.0", date).expect("ok"));
        assert_eq!(
            out,
            once.replace("## [Unreleased]\n", "## [Unreleased]\n\n## [1.0.0] - 2026-12-01\n")
        );
        let again = release(out.as_bytes(), "1.0.0", date).expect_err("exists");
        assert_eq!(again.line, 7);
        assert!(again.reason.contains("already released"));
        // Nothing unreleased: nothing to release here.
        assert_eq!(release(out.as_bytes(), "1.1.0", date).expect("ok"), out.as_bytes());
        assert_eq!(release(b"# C\n", "1.1.0", date).expect("ok"), b"# C\n");
        assert!(release(once.as_bytes(), "1 0", date).is_err());
    }
}
