//! Reading a `CHANGELOG.md` well enough to edit it, and the edits themselves.
//!
//! The file is cut into lines that keep their own line ending, each line is
//! classified once ([`Kind`]), and an edit is a set of lines to delete, lines to
//! replace and lines to insert before a given line ([`Edit`]). Every byte of a
//! line that is not deleted or replaced is copied as it was, which is what keeps
//! a person's text intact.

use std::collections::BTreeMap;

use crate::entry::{Entry, Section};
use crate::wrap::{Wrap, join, wrap_item};

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
    /// Anything else (paragraphs, list items, trail entries, thematic breaks).
    Text,
    Blank,
    /// A fence line or a line inside a fenced code block.
    Fenced,
    /// A heading of this level: an ATX heading (`## x`), or the title line of
    /// a setext heading (`x` above `===` or `---`).
    Heading(u8),
    /// The `===` (level 1) or `---` (level 2) line under a setext title.
    Underline,
}

pub(crate) struct Line<'a> {
    pub body: &'a str,
    /// `"\n"`, `"\r\n"` or `""` (the last line of a file without a final newline).
    pub end: &'a str,
}

pub(crate) struct Doc<'a> {
    pub lines: Vec<Line<'a>>,
    pub kinds: Vec<Kind>,
    /// The Unreleased heading's index (its title line) and the index where
    /// its section ends (the next heading of its level or above, or the
    /// number of lines).
    pub unreleased: Option<(usize, usize)>,
    /// The level of the file's release headings (`## [1.0.0]`: 2; ripgrep's
    /// underlined `0.2.0` titles: 1): Unreleased has it, its Keep a Changelog
    /// subsections are one level below.
    pub level: u8,
    /// Whether the file underlines its release headings (setext style):
    /// headings trail adds at levels 1 and 2 are underlined too.
    pub setext: bool,
    /// Where a missing Unreleased goes: above the first release heading;
    /// `None`: at the end (the file has no release yet).
    pub first_release: Option<usize>,
    /// The bullet the file's lists use (`-`, `*` or `+`); trail's entries use it.
    pub marker: char,
    /// The line ending trail writes: the file's first one, `\n` by default.
    pub eol: &'static str,
    /// The trail entries, by their first line: the index after their last
    /// line (an entry wrapped over several lines ends after its last
    /// continuation line) and the entry as one logical line.
    pub entries: BTreeMap<usize, (usize, String)>,
    /// What the file's own markdownlint comments say about line length.
    pub wrap: Option<Wrap>,
}

impl Doc<'_> {
    /// Indices of the lines of the Unreleased section after its heading.
    pub fn unreleased_body(&self) -> std::ops::Range<usize> {
        self.unreleased.map_or(0..0, |(h, end)| h + 1..end)
    }

    /// The change id of line `i` if it is the first line of a trail entry
    /// (outside code blocks).
    pub fn entry_id(&self, i: usize) -> Option<&str> {
        self.entries.get(&i).and_then(|(_, logical)| entry_id(logical))
    }

    /// The lines of the trail entry starting at line `i` (one, or the first
    /// and its continuation lines).
    pub fn entry_lines(&self, i: usize) -> std::ops::Range<usize> {
        i..self.entries.get(&i).map_or(i + 1, |(end, _)| *end)
    }

    /// The trail entry starting at line `i` as one line (continuation lines
    /// joined with a space).
    pub fn logical(&self, i: usize) -> &str {
        self.entries.get(&i).map_or(self.lines[i].body.trim_end(), |(_, l)| l.as_str())
    }

    /// The text of heading `i` (`## [1.0.0] - x` → `[1.0.0] - x`).
    pub fn title(&self, i: usize) -> Option<&str> {
        match self.kinds[i] {
            Kind::Heading(_) if self.is_setext(i) => Some(self.lines[i].body.trim()),
            Kind::Heading(level) => heading(self.lines[i].body, usize::from(level)),
            _ => None,
        }
    }

    fn is_setext(&self, i: usize) -> bool {
        matches!(self.kinds[i], Kind::Heading(_)) && self.kinds.get(i + 1) == Some(&Kind::Underline)
    }

    /// The last line of heading `i` (its underline, for a setext heading).
    pub fn heading_end(&self, i: usize) -> usize {
        if self.is_setext(i) { i + 1 } else { i }
    }

    /// `Some(section)` when line `i` is a subsection heading (one level below
    /// Unreleased), with the Keep a Changelog section it names, if any.
    pub fn subsection(&self, i: usize) -> Option<Option<Section>> {
        match self.kinds[i] {
            Kind::Heading(l) if l == self.level + 1 => {
                Some(self.title(i).and_then(Section::from_name))
            }
            _ => None,
        }
    }

    /// The lines of a heading of `level` titled `title`, in the file's style.
    pub fn heading_lines(&self, level: u8, title: &str) -> Vec<String> {
        if self.setext && level <= 2 {
            let c = if level == 1 { "=" } else { "-" };
            vec![title.to_owned(), c.repeat(title.chars().count().max(3))]
        } else {
            vec![format!("{} {title}", "#".repeat(usize::from(level)))]
        }
    }

    /// An entry line with the file's bullet.
    pub fn with_marker(&self, line: &str) -> String {
        match line.as_bytes() {
            [b'-' | b'*' | b'+', b' ', ..] => format!("{}{}", self.marker, &line[1..]),
            _ => line.to_owned(),
        }
    }
}

/// Whether `body` starts a list item: `- `, `* `, `+ `, `1. `, `1) `.
fn list_item(body: &str) -> bool {
    let t = body.trim_start_matches(' ');
    if body.len() - t.len() > 3 {
        return false;
    }
    let b = t.as_bytes();
    if matches!(b, [b'-' | b'*' | b'+', b' ' | b'\t', ..] | [b'-' | b'*' | b'+']) {
        return true;
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=9).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && matches!(b.get(digits + 1), None | Some(b' ' | b'\t'))
}

/// A setext underline: up to three spaces, then a run of `=` (1) or `-`
/// (2), at least three long, then only spaces.
fn underline(body: &str) -> Option<u8> {
    let t = body.trim_start_matches(' ');
    if body.len() - t.len() > 3 {
        return None;
    }
    let t = t.trim_end();
    let c = t.chars().next()?;
    let level = match c {
        '=' => 1,
        '-' => 2,
        _ => return None,
    };
    (t.len() >= 3 && t.chars().all(|x| x == c)).then_some(level)
}

/// The time a trail entry line starts with: `- 2026-11-26T22:40:11Z …`.
fn entry_time(body: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = bullet(body)?.get(..20)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%SZ").ok().map(|t| t.and_utc())
}

/// The text after a `- ` (or `* `, `+ `) bullet at the start of a line.
fn bullet(body: &str) -> Option<&str> {
    body.strip_prefix("- ").or_else(|| body.strip_prefix("* ")).or_else(|| body.strip_prefix("+ "))
}

/// The change id of a trail entry line: `- … , change ID)`.
pub(crate) fn entry_id(body: &str) -> Option<&str> {
    let body = body.trim_end();
    bullet(body)?;
    let rest = body.strip_suffix(')')?;
    let at = rest.rfind(", change ")?;
    let id = &rest[at + ", change ".len()..];
    crate::valid_change_id(id).then_some(id)
}

/// At most this many continuation lines are read as part of one entry.
const MAX_CONTINUATION: usize = 64;

/// The trail entries of a file: a bullet line at the start of a line, with
/// the lines indented under it (the item's continuation lines) up to the
/// last one with which the item reads as an entry, `… , change ID)`. Lines
/// a person indented under an entry after its end are not part of it.
fn find_entries(lines: &[Line<'_>], kinds: &[Kind]) -> BTreeMap<usize, (usize, String)> {
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        if kinds[i] != Kind::Text || bullet(lines[i].body).is_none() {
            i += 1;
            continue;
        }
        let more = (i + 1..lines.len())
            .take(MAX_CONTINUATION)
            .take_while(|&j| {
                let body = lines[j].body;
                kinds[j] == Kind::Text && body.starts_with("  ") && !list_item(body)
            })
            .count();
        let found = (0..=more).rev().find_map(|n| {
            // Only a line ending in `)` can end an entry.
            if !lines[i + n].body.trim_end().ends_with(')') {
                return None;
            }
            let logical = join(lines[i].body, lines[i + 1..=i + n].iter().map(|l| l.body));
            entry_id(&logical).is_some().then_some((i + 1 + n, logical))
        });
        match found {
            Some((end, logical)) => {
                out.insert(i, (end, logical));
                i = end;
            }
            None => i += 1,
        }
    }
    out
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

/// `<<<<<<<`, `>>>>>>>` or `|||||||` (git's conflict markers; its `=======`
/// separator is told from a setext underline where it stands).
fn conflict_marker(body: &str) -> bool {
    let marker =
        |m: &str| body.strip_prefix(m).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
    marker("<<<<<<<") || marker(">>>>>>>") || marker("|||||||")
}

/// The text of an ATX heading of `level` (`## x` → `x`, closing `#`s dropped), if `body` is one.
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

/// The level of an ATX heading line (1 to 6).
fn atx_level(body: &str) -> Option<u8> {
    (1..=6u8).find(|&l| heading(body, usize::from(l)).is_some())
}

/// The words of a heading title, lower case: `[1.2.0] (Unreleased)` →
/// `1.2.0`, `unreleased`.
fn words(title: &str) -> Vec<String> {
    title
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-' || c == '_'))
        .map(|w| w.trim_matches(['.', '-', '_']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a heading title names the unreleased changes: `[Unreleased]`,
/// `Unreleased`, `TBD`, `Next`, `Upcoming` (any case, bracketed or not),
/// `1.2.0 (unreleased)`, `[1.2.0] - Unreleased`, `Unreleased changes`.
fn is_unreleased(title: &str) -> bool {
    let words = words(title);
    let Some(first) = words.first() else { return false };
    matches!(first.as_str(), "unreleased" | "tbd" | "next" | "upcoming")
        || (looks_like_version(first)
            && words[1..].iter().any(|w| matches!(w.as_str(), "unreleased" | "tbd" | "upcoming")))
}

/// Whether the unreleased title is a bare spelling (`TBD`, `[Unreleased]`),
/// which a release keeps for the new section, rather than a version's.
fn bare_unreleased(title: &str) -> bool {
    words(title).first().is_some_and(|w| !looks_like_version(w))
}

fn looks_like_version(word: &str) -> bool {
    let w = word.strip_prefix('v').unwrap_or(word);
    w.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether a heading title names a release: `[1.0.0] - 2026-01-01`,
/// `0.2.0 (2016-09-26)`, `v2.0.0`, `Version 1.2`, `2024-01-01`.
pub(crate) fn is_release(title: &str) -> bool {
    let words = words(title);
    match words.as_slice() {
        [first, ..] if looks_like_version(first) => true,
        [first, second, ..] if matches!(first.as_str(), "version" | "release" | "v") => {
            looks_like_version(second)
        }
        _ => false,
    }
}

/// `[x]…` → `x`.
pub(crate) fn bracketed(title: &str) -> Option<&str> {
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
    let mut kinds: Vec<Kind> = Vec::with_capacity(lines.len());
    let mut fence: Option<((char, usize), usize)> = None;
    // The first line of the paragraph the previous line belongs to.
    let mut paragraph: Option<usize> = None;
    let mut marker: Option<char> = None;
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
            paragraph = None;
            continue;
        }
        if conflict_marker(body) {
            return Err(malformed(
                i,
                "git conflict marker: resolve the merge conflict in this file, then remove the \
                 <<<<<<<, ======= and >>>>>>> lines",
            ));
        }
        // A setext underline needs a paragraph line above it, and not one of
        // a list item (there `---` is a thematic break).
        if let Some(level) = underline(body)
            && let Some(start) = paragraph
            && !list_item(lines[start].body)
        {
            kinds[i - 1] = Kind::Heading(level);
            kinds.push(Kind::Underline);
            paragraph = None;
            continue;
        }
        if body.trim_end() == "=======" {
            return Err(malformed(
                i,
                "git conflict marker: resolve the merge conflict in this file, then remove the \
                 <<<<<<<, ======= and >>>>>>> lines (a `=======` underline needs a title line \
                 directly above it)",
            ));
        }
        let kind = if body.trim().is_empty() {
            Kind::Blank
        } else if let Some(level) = atx_level(body) {
            Kind::Heading(level)
        } else {
            Kind::Text
        };
        paragraph = match kind {
            Kind::Text if underline(body).is_none() => paragraph.or(Some(i)),
            _ => None,
        };
        if kind == Kind::Text
            && marker.is_none()
            && let Some(c) = body.trim_start_matches(' ').chars().next()
            && matches!(c, '-' | '*' | '+')
            && list_item(body)
        {
            marker = Some(c);
        }
        kinds.push(kind);
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
    let entries = find_entries(&lines, &kinds);
    let wrap = Wrap::from_file_comments(
        lines.iter().zip(&kinds).filter(|(_, k)| **k == Kind::Text).map(|(l, _)| l.body),
    );
    let mut doc = Doc {
        lines,
        kinds,
        unreleased: None,
        level: 2,
        setext: false,
        first_release: None,
        marker: marker.unwrap_or('-'),
        eol,
        entries,
        wrap,
    };
    let headings: Vec<(usize, u8)> = (0..doc.kinds.len())
        .filter_map(|i| match doc.kinds[i] {
            Kind::Heading(l) => Some((i, l)),
            _ => None,
        })
        .collect();
    for &(i, level) in &headings {
        if level > 3 || !doc.title(i).is_some_and(is_unreleased) {
            continue;
        }
        if let Some((first, _)) = doc.unreleased {
            if doc.kinds[first] == Kind::Heading(level) {
                return Err(malformed(
                    i,
                    format!(
                        "a second Unreleased section (the first is at line {}): merge the two \
                         into one",
                        first + 1
                    ),
                ));
            }
            continue;
        }
        doc.unreleased = Some((i, doc.kinds.len()));
        doc.level = level;
        doc.setext = doc.is_setext(i);
    }
    let release = headings.iter().find(|&&(i, l)| {
        l <= 3 && doc.title(i).is_some_and(is_release) && doc.unreleased.is_none_or(|(h, _)| i > h)
    });
    match (doc.unreleased, release) {
        (Some((h, _)), _) => {
            let level = doc.level;
            let end = headings
                .iter()
                .find(|&&(i, l)| i > h && l <= level)
                .map_or(doc.kinds.len(), |&(i, _)| i);
            doc.unreleased = Some((h, end));
        }
        (None, Some(&(i, level))) => {
            doc.level = level;
            doc.setext = doc.is_setext(i);
            doc.first_release = Some(i);
        }
        (None, None) => {
            doc.setext = headings.first().is_some_and(|&(i, _)| doc.is_setext(i));
            // The file's title (a first level-1 heading) is no layout; any
            // other heading is a layout trail cannot place entries into.
            let title = headings.first().filter(|&&(_, l)| l == 1).map(|&(i, _)| i);
            if let Some(&(i, _)) = headings.iter().find(|&&(i, _)| Some(i) != title) {
                return Err(malformed(
                    i,
                    format!(
                        "cannot tell where new entries go: `{}` is neither an Unreleased section \
                         nor a release, and the file has none; add a `## [Unreleased]` heading \
                         where entries belong (or exclude this directory: [changelog] exclude in \
                         trail.toml)",
                        doc.lines[i].body.trim()
                    ),
                ));
            }
        }
    }
    if let Some((h, _)) = doc.unreleased {
        for i in doc.unreleased_body() {
            if doc.subsection(i) == Some(None) {
                let lower = "#".repeat(usize::from(doc.level) + 2);
                return Err(malformed(
                    i,
                    format!(
                        "`{}` is not a Keep a Changelog section; inside `{}` use one of Added, \
                         Changed, Deprecated, Removed, Fixed, Security (or a `{lower}` heading)",
                        doc.lines[i].body.trim(),
                        doc.lines[h].body.trim()
                    ),
                ));
            }
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
/// each group at the top of its subsection's list, the subsection created (in
/// Keep a Changelog order, in the file's heading style) when missing; the
/// Unreleased section too. Headings and lists get a blank line around them
/// (markdownlint's MD022 and MD032), and a blank line a person (or
/// `markdownlint --fix`) put between a heading and its list is kept.
pub(crate) fn place(
    doc: &Doc<'_>,
    edit: &mut Edit<'_, '_>,
    mut groups: Vec<(Section, Vec<String>)>,
) {
    groups.retain(|(_, lines)| !lines.is_empty());
    groups.sort_by_key(|(section, _)| *section);
    for (_, lines) in &mut groups {
        for line in lines.iter_mut() {
            *line = doc.with_marker(line);
        }
    }
    if groups.is_empty() {
        return;
    }
    let n = doc.lines.len();
    let blank = |i: usize| doc.kinds[i] == Kind::Blank;
    let sub = doc.level + 1;
    let subsection = |section: Section, lines: Vec<String>| {
        let mut block = doc.heading_lines(sub, section.name());
        block.push(String::new());
        block.extend(lines);
        block
    };
    let Some((h, end)) = doc.unreleased else {
        let mut block = doc.heading_lines(doc.level, "[Unreleased]");
        for (section, lines) in groups {
            block.push(String::new());
            block.extend(subsection(section, lines));
        }
        let at = doc.first_release.unwrap_or(n);
        if at > 0 && !blank(at - 1) {
            block.insert(0, String::new());
        }
        if at < n {
            block.push(String::new());
        }
        edit.insert(at, block);
        return;
    };
    let headings: Vec<(usize, Section)> =
        (h + 1..end).filter_map(|i| doc.subsection(i).flatten().map(|s| (i, s))).collect();
    // Lines after the section's last non-blank line belong to the gap before the
    // next heading; new subsections go into that gap, after its first blank line.
    let last = (h..end).rev().find(|&i| !blank(i)).unwrap_or(h);
    let mut appended: Vec<String> = Vec::new();
    for (section, mut lines) in groups {
        if let Some(&(i, _)) = headings.iter().find(|(_, s)| *s == section) {
            let start = doc.heading_end(i) + 1;
            let stop =
                (start..end).find(|&j| matches!(doc.kinds[j], Kind::Heading(_))).unwrap_or(end);
            match (start..stop).find(|&j| !blank(j)) {
                // On top of the list; the list keeps its blank line above.
                Some(j) if list_item(doc.lines[j].body) => {
                    if j == start {
                        lines.insert(0, String::new());
                    }
                    edit.insert(j, lines);
                }
                // A heading with no list under it (yet).
                _ => {
                    lines.insert(0, String::new());
                    if start < n && !blank(start) {
                        lines.push(String::new());
                    }
                    edit.insert(start, lines);
                }
            }
        } else if let Some(&(i, _)) = headings.iter().find(|(_, s)| *s > section) {
            let mut block = subsection(section, lines);
            if !blank(i - 1) {
                block.insert(0, String::new());
            }
            block.push(String::new());
            edit.insert(i, block);
        } else {
            if !appended.is_empty() {
                appended.push(String::new());
            }
            appended.extend(subsection(section, lines));
        }
    }
    if !appended.is_empty() {
        let at = if last + 1 < n && blank(last + 1) {
            last + 2
        } else {
            appended.insert(0, String::new());
            last + 1
        };
        if at < n && !blank(at) {
            appended.push(String::new());
        }
        edit.insert(at, appended);
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
///
/// What the message says (the subject, the breaking mark) is kept the same
/// way: an entry of the same change that differs only there is left as it
/// is, so `git commit --amend -m "better words"` changes no file either.
pub fn upsert(text: &[u8], entry: &Entry) -> Result<Vec<u8>, Malformed> {
    upsert_wrapped(text, entry, Wrap::default())
}

/// [`upsert`], the entry wrapped at `wrap` (the repository's markdownlint
/// line length: [`Wrap::for_repository`]) unless the file's own markdownlint
/// comments say otherwise. An entry already in the file that reads the same
/// stays as it is written, wrapped or not.
pub fn upsert_wrapped(text: &[u8], entry: &Entry, wrap: Wrap) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    let (head, _, tail) = entry.render_parts();
    let existing: Vec<usize> = doc
        .unreleased_body()
        .filter(|&i| doc.entry_id(i) == Some(entry.meta.change.as_str()))
        .collect();
    if let [only] = existing[..] {
        let old = doc.logical(only);
        // The head without its bullet and time, which the old line keeps.
        let rest = head.get(22..).unwrap_or_default();
        if entry_time(old).is_some()
            && old.get(22..).is_some_and(|o| o.starts_with(rest))
            && old.ends_with(&tail)
            && old.len() >= head.len() + tail.len()
        {
            return Ok(text.to_vec());
        }
    }
    // The document parsed once: it is the commit's largest cost in a
    // CHANGELOG.md of some history (docs/performance.md).
    upsert_in(&doc, text, entry.section(), &entry.render(), wrap)
}

/// [`upsert`] of an entry already rendered into `line` (its `### ` subsection
/// is `section`): how a hook re-applies an entry it wrote earlier.
pub fn upsert_rendered(text: &[u8], section: Section, line: &str) -> Result<Vec<u8>, Malformed> {
    upsert_rendered_wrapped(text, section, line, Wrap::default())
}

/// [`upsert_rendered`] wrapping at `wrap` ([`upsert_wrapped`]). `line` is
/// the entry as one line, as [`Entry::render`] and [`change_entries`] give it.
pub fn upsert_rendered_wrapped(
    text: &[u8],
    section: Section,
    line: &str,
    wrap: Wrap,
) -> Result<Vec<u8>, Malformed> {
    upsert_in(&parse(text)?, text, section, line, wrap)
}

/// [`upsert_rendered_wrapped`] into `doc`, the parse of `text`.
fn upsert_in(
    doc: &Doc<'_>,
    text: &[u8],
    section: Section,
    line: &str,
    wrap: Wrap,
) -> Result<Vec<u8>, Malformed> {
    let mut line = doc.with_marker(line);
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
    if existing.len() == 1 && doc.logical(existing[0]) == line {
        return Ok(text.to_vec());
    }
    let mut edit = Edit::new(doc);
    for &i in &existing {
        for j in doc.entry_lines(i) {
            edit.delete(j);
        }
    }
    let lines = wrap_item(&line, doc.wrap.unwrap_or(wrap));
    place(doc, &mut edit, vec![(section, lines)]);
    Ok(edit.finish())
}

/// Delete the entries of change `change` from the Unreleased section (released
/// sections are history and stay). A subsection heading left empty stays too.
pub fn remove_change(text: &[u8], change: &str) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    let mut edit = Edit::new(&doc);
    for i in doc.unreleased_body() {
        if doc.entry_id(i) == Some(change) {
            for j in doc.entry_lines(i) {
                edit.delete(j);
            }
        }
    }
    if !edit.changed() {
        return Ok(text.to_vec());
    }
    Ok(edit.finish())
}

/// The entries of change `change` in the Unreleased section, each as one
/// line (a wrapped entry's lines joined: what [`upsert_rendered`] takes), with
/// the subsection it stands under (Changed when it stands under none).
pub fn change_entries(text: &[u8], change: &str) -> Result<Vec<(Section, String)>, Malformed> {
    let doc = parse(text)?;
    let mut section = Section::Changed;
    let mut found = Vec::new();
    for i in doc.unreleased_body() {
        if let Some(Some(s)) = doc.subsection(i) {
            section = s;
        }
        if doc.entry_id(i) == Some(change) {
            found.push((section, doc.logical(i).to_owned()));
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

/// Whether the file holds an entry of change `change`, released or not.
pub fn has_change(text: &[u8], change: &str) -> Result<bool, Malformed> {
    let doc = parse(text)?;
    Ok((0..doc.lines.len()).any(|i| doc.entry_id(i) == Some(change)))
}

/// Turn the Unreleased heading into `## [VERSION] - YYYY-MM-DD` (at the
/// file's release level, underlined when the file underlines its releases)
/// and open a new, empty Unreleased section above it: with the same heading
/// when it was a bare spelling (`TBD`, `## Unreleased`), else `[Unreleased]`.
/// A file whose Unreleased section is missing or holds nothing but blank lines
/// and subsection headings had no changes in this release and is returned as
/// it is. Refused when `version` is already a release heading of the file or
/// cannot be written into one.
pub fn release(text: &[u8], version: &str, date: chrono::NaiveDate) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    for i in 0..doc.lines.len() {
        if matches!(doc.kinds[i], Kind::Heading(l) if l <= 3)
            && let Some(title) = doc.title(i)
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
    let empty = (h + 1..end).all(|i| {
        doc.kinds[i] == Kind::Blank
            || doc.kinds[i] == Kind::Underline
            || doc.subsection(i).is_some()
    });
    if empty {
        return Ok(text.to_vec());
    }
    let title = format!("[{version}] - {}", date.format("%Y-%m-%d"));
    let mut edit = Edit::new(&doc);
    let old = doc.title(h).unwrap_or_default();
    let mut opened: Vec<String> = if bare_unreleased(old) {
        (h..=doc.heading_end(h)).map(|i| doc.lines[i].body.to_owned()).collect()
    } else {
        doc.heading_lines(doc.level, "[Unreleased]")
    };
    opened.push(String::new());
    if doc.is_setext(h) {
        edit.replace(h, title.clone());
        let c = doc.lines[h + 1].body.trim().chars().next().unwrap_or('=');
        edit.replace(h + 1, c.to_string().repeat(title.chars().count()));
    } else {
        edit.replace(h, format!("{} {title}", "#".repeat(usize::from(doc.level))));
    }
    edit.insert(h, opened);
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
                subject: None,
                breaking: false,
            },
            files: vec![FileNote { name: b"f.rs".to_vec(), status }],
            dirs: vec![],
        }
    }

    fn s(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("utf-8")
    }

    /// The entry as trail writes it: wrapped at 80 columns.
    fn item(e: &Entry) -> String {
        crate::wrap::wrap_item(&e.render(), Wrap::default()).join("\n")
    }

    const TEMPLATE_END: &str = "# Changelog\n\nText.\n\n## [Unreleased]\n";

    #[test]
    fn inserts_into_the_template_and_creates_subsections_in_order() {
        let one =
            s(upsert(TEMPLATE_END.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert_eq!(
            one,
            format!("{TEMPLATE_END}\n### Added\n\n{}\n", item(&entry("aa", 1, FileStatus::Added)))
        );
        let two = s(upsert(one.as_bytes(), &entry("bb", 2, FileStatus::Deleted)).expect("ok"));
        assert!(
            two.ends_with(&format!(
                "### Removed\n\n{}\n",
                item(&entry("bb", 2, FileStatus::Deleted))
            )),
            "{two}"
        );
        let three = s(upsert(two.as_bytes(), &entry("cc", 3, FileStatus::Modified)).expect("ok"));
        let added = three.find("### Added").expect("added");
        let changed = three.find("### Changed").expect("changed");
        let removed = three.find("### Removed").expect("removed");
        assert!(added < changed && changed < removed, "{three}");
        assert!(three.contains("\n\n### Changed\n\n- "), "{three}");
        let four = s(upsert(three.as_bytes(), &entry("dd", 4, FileStatus::Added)).expect("ok"));
        assert_eq!(unreleased_changes(four.as_bytes()).expect("ok"), ["dd", "aa", "cc", "bb"]);
        assert!(
            four.contains(&format!(
                "### Added\n\n{}\n{}\n",
                item(&entry("dd", 4, FileStatus::Added)),
                item(&entry("aa", 1, FileStatus::Added))
            )),
            "{four}"
        );
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
        assert!(moved.contains("### Changed\n\n- 2026-11-26T22:40:01Z"), "{moved}");
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
                "{text}\r\n\r\n### Added\r\n\r\n{}\r\n",
                item(&entry("aa", 1, FileStatus::Added)).replace('\n', "\r\n")
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
                "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n{}\n\n## [1.0.0] - 2020-01-01\n\n### Added\n- old\n",
                item(&entry("aa", 1, FileStatus::Added))
            )
        );
        let bare = s(upsert(b"Just text", &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(bare.starts_with("Just text\n\n## [Unreleased]\n\n### Added\n\n- "), "{bare}");
        let empty = s(upsert(b"", &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(empty.starts_with("## [Unreleased]\n\n### Added\n\n- "), "{empty}");
    }

    #[test]
    fn headings_in_code_blocks_do_not_count() {
        let text =
            "# C\n\n## [Unreleased]\n\n```md\n## [Unreleased]\n### Notes\n- x, change aa)\n```\n";
        assert!(check(text.as_bytes()).is_ok());
        assert!(!has_change(text.as_bytes(), "aa").expect("ok"));
        let out = s(upsert(text.as_bytes(), &entry("aa", 1, FileStatus::Added)).expect("ok"));
        assert!(out.starts_with(text), "{out}");
        assert!(out.contains("```\n\n### Added\n\n- "), "{out}");
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

    #[test]
    fn setext_layouts_and_unreleased_spellings() {
        let e = entry("aa", 1, FileStatus::Modified);
        // ripgrep's layout: underlined releases, a "TBD" section on top.
        let rg = "TBD\n===\nUnreleased changes.\n\n\n0.2.0 (2016-09-26)\n==================\nText.\n\n* [BUG #1](x):\n  Fix.\n";
        let out = s(upsert(rg.as_bytes(), &e).expect("ok"));
        assert_eq!(
            out,
            format!(
                "TBD\n===\nUnreleased changes.\n\nChanged\n-------\n\n{}\n\n0.2.0 (2016-09-26)\n==================\nText.\n\n* [BUG #1](x):\n  Fix.\n",
                e.render().replacen('-', "*", 1)
            )
        );
        assert!(has_change(out.as_bytes(), "aa").expect("ok"));
        // A second entry goes on top of the list.
        let two = s(upsert(out.as_bytes(), &entry("bb", 2, FileStatus::Modified)).expect("ok"));
        assert!(two.contains("-------\n\n* 2026-11-26T22:40:02Z"), "{two}");
        // Releasing keeps the spelling for the new section and underlines the release.
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let released = s(release(two.as_bytes(), "1.0.0", date).expect("ok"));
        assert!(
            released.starts_with(
                "TBD\n===\n\n[1.0.0] - 2026-12-01\n====================\nUnreleased changes."
            ),
            "{released}"
        );
        for title in [
            "## Unreleased",
            "## [unreleased]",
            "## TBD",
            "## [Next]",
            "## Upcoming",
            "## 1.2.0 (unreleased)",
            "## [1.2.0] - Unreleased",
        ] {
            let text = format!("# Changelog\n\n{title}\n\n## [1.1.0] - 2020-01-01\n\n- old\n");
            let out = s(upsert(text.as_bytes(), &e).expect("ok"));
            assert!(
                out.starts_with(&format!("# Changelog\n\n{title}\n\n### Changed\n\n- 2026")),
                "{title}: {out}"
            );
            assert!(out.ends_with("\n\n## [1.1.0] - 2020-01-01\n\n- old\n"), "{out}");
        }
        // No unreleased section: above the first release, in its style.
        let text = "Changelog\n=========\n\n1.0.0\n-----\n\n- old\n";
        let out = s(upsert(text.as_bytes(), &e).expect("ok"));
        assert_eq!(
            out,
            format!(
                "Changelog\n=========\n\n[Unreleased]\n------------\n\n### Changed\n\n{}\n\n1.0.0\n-----\n\n- old\n",
                e.render()
            )
        );
    }

    #[test]
    fn layouts_it_cannot_read_are_refused_with_the_line() {
        let e = entry("aa", 1, FileStatus::Modified);
        let text = b"# Project\n\n## Usage\n\nRun it.\n";
        let err = upsert(text, &e).expect_err("refused");
        assert_eq!(err.line, 3, "{err}");
        assert!(err.reason.contains("cannot tell where new entries go"), "{err}");
        assert!(err.reason.contains("[changelog] exclude"), "{err}");
        // A title and text only: the section goes at the end.
        assert!(upsert(b"# Project\n\nText.\n", &e).is_ok());
    }

    #[test]
    fn keeps_the_blank_line_markdownlint_fix_puts_under_a_heading() {
        let e = entry("aa", 1, FileStatus::Modified);
        let fixed = "# C\n\n## [Unreleased]\n\n### Changed\n\n- 2026-01-01T00:00:00Z `x` — Why: w. Impact: i. (A, change bb)\n";
        let out = s(upsert(fixed.as_bytes(), &e).expect("ok"));
        assert_eq!(
            out,
            fixed.replace("### Changed\n\n", &format!("### Changed\n\n{}\n", e.render()))
        );
        // A file trail wrote before, without the blank line, gets one.
        let old = fixed.replace("### Changed\n\n", "### Changed\n");
        let out = s(upsert(old.as_bytes(), &e).expect("ok"));
        assert!(out.contains(&format!("### Changed\n\n{}\n- 2026-01-01", e.render())), "{out}");
    }

    #[test]
    fn a_new_subject_alone_changes_no_entry() {
        let mut first = entry("aa", 1, FileStatus::Modified);
        first.meta.subject = Some("Say it".into());
        let once = upsert(TEMPLATE_END.as_bytes(), &first).expect("ok");
        assert!(s(once.clone()).contains("— Say it. Why: why."));
        let mut reworded = first.clone();
        reworded.meta.subject = Some("Say it better".into());
        reworded.meta.breaking = true;
        assert_eq!(upsert(&once, &reworded).expect("ok"), once);
        // Other changes rewrite the entry, with the new subject.
        reworded.files[0].status = FileStatus::Added;
        let moved = s(upsert(&once, &reworded).expect("ok"));
        assert!(moved.contains("(added) — **Breaking:** Say it better. Why:"), "{moved}");
        assert_eq!(moved.matches("change aa)").count(), 1, "{moved}");
    }

    fn long(id: &str, second: u32) -> Entry {
        let mut e = entry(id, second, FileStatus::Modified);
        e.meta.subject = Some("Keep the index in the store beside the records it indexes".into());
        e.meta.why = Some("a reader finds both in one place, which saves a lookup".into());
        e
    }

    #[test]
    fn a_hand_written_file_gets_entries_wrapped_at_80_columns() {
        let hand =
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2020-01-01\n\n### Added\n\n- old\n";
        let out = s(upsert(hand.as_bytes(), &long("aa", 1)).expect("ok"));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{out}");
        let at = lines.iter().position(|l| l.starts_with("- 2026")).expect("entry");
        assert!(lines[at + 1].starts_with("  ") && lines[at + 2].ends_with("change aa)"), "{out}");
        assert_eq!(unreleased_changes(out.as_bytes()).expect("ok"), ["aa"]);
        assert!(has_change(out.as_bytes(), "aa").expect("ok"));
        assert_eq!(
            change_entries(out.as_bytes(), "aa").expect("ok"),
            [(Section::Changed, long("aa", 1).render())]
        );
        // The same entry again changes nothing; a second one goes on top.
        assert_eq!(s(upsert(out.as_bytes(), &long("aa", 7)).expect("ok")), out);
        let two = s(upsert(out.as_bytes(), &long("bb", 2)).expect("ok"));
        assert_eq!(unreleased_changes(two.as_bytes()).expect("ok"), ["bb", "aa"]);
        // Removing takes every line of the entry, and only those.
        assert_eq!(s(remove_change(two.as_bytes(), "bb").expect("ok")), out);
        let none = s(remove_change(out.as_bytes(), "aa").expect("ok"));
        assert!(!none.contains("  "), "{none}");
        // Released, it is still there.
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let released = release(out.as_bytes(), "1.1.0", date).expect("ok");
        assert!(has_change(&released, "aa").expect("ok"));
        assert!(unreleased_changes(&released).expect("ok").is_empty());
    }

    #[test]
    fn an_entry_rewritten_is_wrapped_and_an_old_one_line_entry_stays() {
        let one_line = format!("{TEMPLATE_END}\n### Changed\n\n{}\n", long("aa", 1).render());
        // Unchanged content: the old one-line entry is history and stays as it is.
        assert_eq!(s(upsert(one_line.as_bytes(), &long("aa", 5)).expect("ok")), one_line);
        assert_eq!(
            s(upsert_rendered(one_line.as_bytes(), Section::Changed, &long("aa", 1).render())
                .expect("ok")),
            one_line
        );
        // Changed content replaces all of it with the wrapped entry.
        let mut changed = long("aa", 5);
        changed.meta.impact = Some("a new impact".into());
        let out = s(upsert(one_line.as_bytes(), &changed).expect("ok"));
        assert_eq!(out.matches("change aa)").count(), 1, "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
        assert!(out.contains("a new impact"), "{out}");
    }

    #[test]
    fn the_files_own_markdownlint_settings_decide_the_width() {
        let off = "# C\n\n<!-- markdownlint-configure-file { \"MD013\": false, \"MD024\": { \"siblings_only\": true } } -->\n\n## [Unreleased]\n";
        let out = s(upsert(off.as_bytes(), &long("aa", 1)).expect("ok"));
        assert!(out.ends_with(&format!("{}\n", long("aa", 1).render())), "{out}");
        let wide = off.replace("\"MD013\": false", "\"MD013\": { \"line_length\": 100 }");
        let out = s(upsert(wide.as_bytes(), &long("aa", 1)).expect("ok"));
        let entry_lines = |out: &str| {
            out.lines()
                .filter(|l| l.starts_with("- ") || l.starts_with("  "))
                .map(|l| l.chars().count())
                .collect::<Vec<_>>()
        };
        assert!(entry_lines(&out).iter().all(|n| *n <= 100), "{out}");
        assert!(entry_lines(&out).iter().any(|n| *n > 80), "{out}");
        // The repository's setting applies where the file says nothing.
        let out =
            s(upsert_wrapped(TEMPLATE_END.as_bytes(), &long("aa", 1), Wrap::Off).expect("ok"));
        assert_eq!(out.lines().count(), TEMPLATE_END.lines().count() + 4, "{out}");
        let out =
            s(upsert_wrapped(TEMPLATE_END.as_bytes(), &long("aa", 1), Wrap::Width(60))
                .expect("ok"));
        assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
        // The files trail creates keep one line per entry (their template
        // turns MD013 off), for line-by-line readers.
        let fresh = s(upsert(crate::template(b"src").as_bytes(), &long("aa", 1)).expect("ok"));
        assert!(fresh.ends_with(&format!("\n{}\n", long("aa", 1).render())), "{fresh}");
    }

    #[test]
    fn a_persons_lines_under_an_entry_are_not_part_of_it() {
        let e = long("aa", 1);
        let wrapped = s(upsert(TEMPLATE_END.as_bytes(), &e).expect("ok"));
        let noted = wrapped.replace("change aa)\n", "change aa)\n  A note of mine.\n");
        assert_eq!(
            change_entries(noted.as_bytes(), "aa").expect("ok"),
            [(Section::Changed, e.render())]
        );
        let removed = s(remove_change(noted.as_bytes(), "aa").expect("ok"));
        assert!(
            removed.contains("  A note of mine.\n") && !removed.contains("change aa"),
            "{removed}"
        );
        // A hand-written item wrapped over lines is no entry.
        let hand = "## [Unreleased]\n\n### Changed\n\n- something a person wrote\n  on two lines (see x, change of plan)\n";
        assert!(unreleased_changes(hand.as_bytes()).expect("ok").is_empty());
    }
}
