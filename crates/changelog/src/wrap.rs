//! How long the lines of an entry may be: wrapping a rendered entry the way
//! a person would, and reading the width a repository's markdownlint
//! configuration asks for.
//!
//! An entry is one logical line ([`crate::Entry::render`]); in a file it is
//! written as a list item wrapped at the width (markdownlint's MD013,
//! `line_length`, 80 by default) at spaces, its continuation lines indented
//! to the item's content. A word longer than the width (a URL, a path) stays
//! whole on a line of its own, which MD013 allows: it reports a line only
//! when there is whitespace beyond the limit. Reading a file back joins an
//! item's continuation lines with one space, which gives the logical line
//! again.

/// The width trail wraps the entries it writes at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// At most this many columns (UTF-16 code units, as markdownlint counts).
    Width(usize),
    /// One line per entry, however long (MD013 is off).
    Off,
}

impl Default for Wrap {
    /// markdownlint's default `line_length`.
    fn default() -> Self {
        Wrap::Width(DEFAULT_WIDTH)
    }
}

/// markdownlint's default MD013 `line_length`.
pub const DEFAULT_WIDTH: usize = 80;

/// The markdownlint configuration files markdownlint-cli reads at the root
/// of a repository: the first of the four project files that exists, over
/// `.markdownlintrc` (its `rc` file), key by key.
pub const MARKDOWNLINT_CONFIG_FILES: [&str; 5] = [
    ".markdownlint.jsonc",
    ".markdownlint.json",
    ".markdownlint.yaml",
    ".markdownlint.yml",
    ".markdownlintrc",
];

impl Wrap {
    /// What a markdownlint configuration says about line length: `Off` when
    /// MD013 (`line-length`) is `false` (or the config sets `"default":
    /// false` and does not name MD013), `Width(line_length)` when it sets
    /// one, and `None` when it says nothing about it (markdownlint's default
    /// applies). JSON, JSONC, YAML and the `.markdownlintrc` JSON are read
    /// for these keys only; a text that cannot be read says nothing.
    pub fn from_markdownlint(text: &str) -> Option<Wrap> {
        let text = strip_comments(text);
        match rule_value(&text) {
            Some(Value::False) => Some(Wrap::Off),
            Some(Value::True) => Some(Wrap::default()),
            Some(Value::Object(body)) => match number_after(&body, "line_length") {
                Some(0) => Some(Wrap::Off),
                Some(n) => Some(Wrap::Width(n)),
                None => Some(Wrap::default()),
            },
            None if default_false(&text) => Some(Wrap::Off),
            None => None,
        }
    }

    /// The width for a repository, as markdownlint-cli run at its root would
    /// see it: what the first project configuration file there says
    /// (`.markdownlint.jsonc`, `.json`, `.yaml`, `.yml`), else what its
    /// `.markdownlintrc` says, else the default. `read` gives a root file's
    /// bytes (`None`: no such file); the caller does the reading, so this
    /// crate stays free of I/O.
    pub fn for_repository(read: impl Fn(&str) -> Option<Vec<u8>>) -> Wrap {
        let said = |name: &str| {
            read(name).map(|bytes| Wrap::from_markdownlint(&String::from_utf8_lossy(&bytes)))
        };
        let (project, rc) = MARKDOWNLINT_CONFIG_FILES.split_at(4);
        let project = project.iter().find_map(|name| said(name)).flatten();
        project.or_else(|| rc.iter().find_map(|name| said(name)).flatten()).unwrap_or_default()
    }

    /// A rendered entry ([`crate::Entry::render`]) as the lines trail writes
    /// it in a file wrapped at this width.
    pub fn lines(self, entry: &str) -> Vec<String> {
        wrap_item(entry, self)
    }

    /// What a changelog's own inline configuration says (markdownlint's
    /// `<!-- markdownlint-configure-file … -->`, or a
    /// `<!-- markdownlint-disable MD013 -->` / `markdownlint-disable-file`
    /// comment): it wins over the repository's, as it does for markdownlint.
    pub(crate) fn from_file_comments(lines: impl Iterator<Item = impl AsRef<str>>) -> Option<Wrap> {
        let mut found = None;
        for line in lines {
            let line = line.as_ref().trim();
            let Some(inner) = line.strip_prefix("<!--").and_then(|l| l.strip_suffix("-->")) else {
                continue;
            };
            let inner = inner.trim();
            if let Some(json) = inner.strip_prefix("markdownlint-configure-file") {
                if let Some(wrap) = Wrap::from_markdownlint(json) {
                    found = Some(wrap);
                }
            } else if let Some(rules) = inner
                .strip_prefix("markdownlint-disable-file")
                .or_else(|| inner.strip_prefix("markdownlint-disable"))
                && !rules.starts_with('-')
            {
                let rules: Vec<&str> = rules.split_whitespace().collect();
                // A bare `markdownlint-disable` turns every rule off.
                if rules.is_empty()
                    || rules.iter().any(|r| {
                        r.eq_ignore_ascii_case("MD013") || r.eq_ignore_ascii_case("line-length")
                    })
                {
                    found = Some(Wrap::Off);
                }
            }
        }
        found
    }
}

enum Value {
    True,
    False,
    /// The text between the braces (JSON, YAML flow) or the indented block
    /// under the key (YAML).
    Object(String),
}

/// `//` and `/* */` comments out (JSONC), strings left alone.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Where key `name` (quoted or not, any case) stands as a key: the text
/// after its `:`, and the column the key starts at.
fn key_values<'t>(text: &'t str, name: &str) -> Vec<(&'t str, usize)> {
    let lower = text.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(&name).map(|k| k + from) {
        from = at + name.len();
        let before = lower[..at].chars().next_back();
        let quoted = matches!(before, Some('"' | '\''));
        let start = if quoted { at - 1 } else { at };
        let boundary = lower[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '{' || c == ',');
        if !boundary {
            continue;
        }
        let mut rest = &text[from..];
        if quoted {
            let Some(r) = rest.strip_prefix(['"', '\'']) else { continue };
            rest = r;
        }
        let Some(value) = rest.trim_start_matches([' ', '\t']).strip_prefix(':') else { continue };
        let column = start - lower[..start].rfind('\n').map_or(0, |n| n + 1);
        out.push((value, column));
    }
    out
}

/// The value of the MD013 rule (also spelled `line-length`).
fn rule_value(text: &str) -> Option<Value> {
    let found = key_values(text, "MD013").into_iter().chain(key_values(text, "line-length"));
    let mut last = None;
    for (value, column) in found {
        let v = value.trim_start_matches([' ', '\t']);
        let word: String = v.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        last = Some(if word.eq_ignore_ascii_case("false") {
            Value::False
        } else if word.eq_ignore_ascii_case("true") {
            Value::True
        } else if let Some(body) = v.strip_prefix('{') {
            Value::Object(body[..matching_brace(body)].to_owned())
        } else if v.trim_end_matches([' ', '\t', '\r']).starts_with('\n') || v.trim().is_empty() {
            // A YAML block: the lines indented deeper than the key.
            let block: Vec<&str> = v
                .lines()
                .skip(1)
                .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > column)
                .collect();
            Value::Object(block.join("\n"))
        } else {
            continue;
        });
    }
    last
}

/// The length of `body` up to the `}` closing the object it starts.
fn matching_brace(body: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    body.len()
}

/// The number after key `name` in `body`.
fn number_after(body: &str, name: &str) -> Option<usize> {
    key_values(body, name).into_iter().find_map(|(value, _)| {
        let digits: String = value.trim_start().chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Whether the configuration turns every rule off by default (`"default": false`).
fn default_false(text: &str) -> bool {
    key_values(text, "default").into_iter().any(|(value, _)| {
        value.trim_start().get(..5).is_some_and(|w| w.eq_ignore_ascii_case("false"))
    })
}

/// Columns as markdownlint counts them (JavaScript string length).
fn columns(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Whether a continuation line starting with `word` could be read as
/// something other than more text of the list item: a heading, a quote, a
/// list item, a thematic break or setext underline, a fence, HTML, a table.
fn starts_a_block(word: &str) -> bool {
    let Some(c) = word.chars().next() else { return true };
    if matches!(c, '#' | '>' | '-' | '+' | '*' | '=' | '_' | '|' | '~') {
        return true;
    }
    // An autolink (`<https://…>`) cannot start an HTML block; other `<` can.
    if c == '<' {
        let link = ["<http://", "<https://", "<mailto:"];
        return !link
            .iter()
            .any(|l| word.get(..l.len()).is_some_and(|w| w.eq_ignore_ascii_case(l)));
    }
    if word.starts_with("```") {
        return true;
    }
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(word[digits..].chars().next(), Some('.' | ')'))
}

/// The byte offsets of the spaces `line` may be broken at: one space between
/// two other characters, neither a backtick inside a code span (where a break
/// next to the span's delimiter would change its padding), not within the
/// bullet, and not where the next line would start a block.
fn break_points(line: &str) -> Vec<usize> {
    let bytes = line.as_bytes();
    // Code spans: a backtick run opens one only if a run of the same length follows.
    let mut in_span = vec![false; bytes.len()];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        let mut j = i + run;
        let mut close = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let other = bytes[j..].iter().take_while(|b| **b == b'`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for flag in &mut in_span[i..end + run] {
                    *flag = true;
                }
                i = end + run;
            }
            None => i += run,
        }
    }
    let mut out = Vec::new();
    for p in 2..bytes.len().saturating_sub(1) {
        if bytes[p] != b' ' || bytes[p - 1] == b' ' || bytes[p + 1] == b' ' {
            continue;
        }
        if in_span[p] && (bytes[p - 1] == b'`' || bytes[p + 1] == b'`') {
            continue;
        }
        // `change ID)` stays together: the id is what a reader looks for.
        if line[..p].ends_with(", change") {
            continue;
        }
        let next = line[p + 1..].split(' ').next().unwrap_or_default();
        if starts_a_block(next) {
            continue;
        }
        out.push(p);
    }
    out
}

/// A rendered entry (`- …`, one line) as the lines of a list item at most
/// `wrap` columns wide where its words allow; continuation lines indented by
/// two spaces, under the item's text.
pub(crate) fn wrap_item(line: &str, wrap: Wrap) -> Vec<String> {
    let Wrap::Width(width) = wrap else { return vec![line.to_owned()] };
    if columns(line) <= width {
        return vec![line.to_owned()];
    }
    const INDENT: &str = "  ";
    let mut words = Vec::new();
    let mut start = 0;
    for p in break_points(line) {
        words.push(&line[start..p]);
        start = p + 1;
    }
    words.push(&line[start..]);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in words {
        if current.is_empty() {
            current.push_str(word);
        } else if columns(&current) + 1 + columns(word) <= width || current.trim_start().is_empty()
        {
            current.push(' ');
            current.push_str(word);
        } else {
            lines.push(std::mem::take(&mut current));
            current.push_str(INDENT);
            current.push_str(word);
        }
    }
    lines.push(current);
    lines
}

/// The logical line of a list item written on several lines: each line
/// trimmed, joined with one space.
pub(crate) fn join<'a>(first: &str, continuation: impl Iterator<Item = &'a str>) -> String {
    let mut out = first.trim_end().to_owned();
    for line in continuation {
        out.push(' ');
        out.push_str(line.trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "- 2026-11-26T22:40:11Z `store.rs` — Keep the index in the store. Why: keep indexes beside records. Impact: store format v1; no migration. (Ada Lovelace, change c0ffee12)";

    #[test]
    fn wraps_at_the_width_with_continuation_under_the_text() {
        let lines = wrap_item(LONG, Wrap::default());
        assert_eq!(
            lines,
            [
                "- 2026-11-26T22:40:11Z `store.rs` — Keep the index in the store. Why: keep",
                "  indexes beside records. Impact: store format v1; no migration. (Ada Lovelace,",
                "  change c0ffee12)",
            ]
        );
        assert!(lines.iter().all(|l| columns(l) <= 80));
        let logical = join(&lines[0], lines[1..].iter().map(String::as_str));
        assert_eq!(logical, LONG);
        assert_eq!(wrap_item(LONG, Wrap::Off), [LONG]);
        assert_eq!(wrap_item("- short", Wrap::default()), ["- short"]);
        let narrow = wrap_item(LONG, Wrap::Width(40));
        assert!(narrow.iter().all(|l| columns(l) <= 40), "{narrow:?}");
        assert_eq!(join(&narrow[0], narrow[1..].iter().map(String::as_str)), LONG);
    }

    #[test]
    fn long_words_stay_whole_and_continuations_start_no_block() {
        let url = format!("<https://example.com/{}>", "a".repeat(90));
        assert!(starts_a_block("<div>") && starts_a_block("<!--") && !starts_a_block(&url));
        let line = format!(
            "- 2026-11-26T22:40:11Z `a` — See {url} for it. Why: - a dash # hash 1. one > q \
             <b> = eq. Impact: none. (A, change c0)"
        );
        let lines = wrap_item(&line, Wrap::Width(30));
        assert!(lines.iter().any(|l| l.trim() == url), "{lines:?}");
        for l in &lines[1..] {
            let rest = l.strip_prefix("  ").expect("indented");
            assert!(!starts_a_block(rest), "{l:?} in {lines:?}");
        }
        // MD013's exception: only the long word itself goes past the width.
        for l in &lines {
            let last_space =
                l.trim_start().rfind(' ').map_or(0, |p| p + l.len() - l.trim_start().len());
            assert!(columns(&l[..last_space]) < 30, "{l:?}");
        }
        assert_eq!(join(&lines[0], lines[1..].iter().map(String::as_str)), line);
    }

    #[test]
    fn code_spans_keep_their_padding_and_double_spaces() {
        let line = "- 2026-11-26T22:40:11Z `` has`tick ``, `two  spaces here and there.rs` — Why: w. Impact: i. (A, change c0)";
        for width in 10..100 {
            let lines = wrap_item(line, Wrap::Width(width));
            assert_eq!(join(&lines[0], lines[1..].iter().map(String::as_str)), line, "{width}");
            assert!(!lines.iter().any(|l| l.ends_with("``") && l.len() > 2 && !l.ends_with(" ``")));
        }
    }

    #[test]
    fn reads_markdownlint_configurations() {
        let cases: [(&str, Option<Wrap>); 14] = [
            ("{}", None),
            (r#"{ "MD013": false }"#, Some(Wrap::Off)),
            (r#"{ "md013": true }"#, Some(Wrap::Width(80))),
            (
                r#"{ "MD013": { "line_length": 100, "code_blocks": false } }"#,
                Some(Wrap::Width(100)),
            ),
            (r#"{ "line-length": { "tables": false } }"#, Some(Wrap::Width(80))),
            (
                "{\n  // width\n  \"MD013\": { \"line_length\": 120 } /* x */\n}",
                Some(Wrap::Width(120)),
            ),
            (r#"{ "default": false, "MD001": true }"#, Some(Wrap::Off)),
            (r#"{ "default": false, "MD013": true }"#, Some(Wrap::Width(80))),
            ("MD013: false\n", Some(Wrap::Off)),
            ("MD013:\n  line_length: 72\n  tables: false\nMD033: false\n", Some(Wrap::Width(72))),
            ("line-length: { line_length: 99 }\n", Some(Wrap::Width(99))),
            ("MD033: false\n", None),
            (r#"{ "MD013": { "line_length": 0 } }"#, Some(Wrap::Off)),
            ("not a config at all", None),
        ];
        for (text, want) in cases {
            assert_eq!(Wrap::from_markdownlint(text), want, "{text}");
        }
        // A key that only contains the name is not it.
        assert_eq!(Wrap::from_markdownlint(r#"{ "xMD013": false }"#), None);
    }

    #[test]
    fn the_first_config_file_decides() {
        let files = |name: &str| match name {
            ".markdownlint.yaml" => Some(b"MD013:\n  line_length: 100\n".to_vec()),
            ".markdownlintrc" => Some(b"{ \"MD013\": false }".to_vec()),
            _ => None,
        };
        assert_eq!(Wrap::for_repository(files), Wrap::Width(100));
        // The project file says nothing about MD013: the rc file's setting stays.
        let files = |name: &str| match name {
            ".markdownlint.json" => Some(b"{ \"MD033\": false }".to_vec()),
            ".markdownlint.yaml" => Some(b"MD013: { line_length: 50 }\n".to_vec()),
            ".markdownlintrc" => Some(b"{ \"MD013\": false }".to_vec()),
            _ => None,
        };
        assert_eq!(Wrap::for_repository(files), Wrap::Off);
        assert_eq!(Wrap::for_repository(|_| None), Wrap::Width(80));
        assert_eq!(Wrap::for_repository(|_| Some(b"{}".to_vec())), Wrap::Width(80));
    }

    #[test]
    fn reads_inline_comments() {
        let file = |lines: &[&str]| Wrap::from_file_comments(lines.iter());
        assert_eq!(file(&["# C", "text"]), None);
        assert_eq!(
            file(&[
                r#"<!-- markdownlint-configure-file { "MD013": false, "MD024": { "siblings_only": true } } -->"#
            ]),
            Some(Wrap::Off)
        );
        assert_eq!(
            file(&[
                r#"<!-- markdownlint-configure-file { "MD024": { "siblings_only": true } } -->"#
            ]),
            None
        );
        assert_eq!(file(&["<!-- markdownlint-disable-file MD013 -->"]), Some(Wrap::Off));
        assert_eq!(file(&["<!-- markdownlint-disable line-length MD033 -->"]), Some(Wrap::Off));
        assert_eq!(file(&["<!-- markdownlint-disable MD033 -->"]), None);
        assert_eq!(file(&["<!-- markdownlint-disable-next-line -->"]), None);
        assert_eq!(
            file(&[
                r#"<!-- markdownlint-configure-file { "line-length": { "line_length": 100 } } -->"#
            ]),
            Some(Wrap::Width(100))
        );
    }
}
