//! The little of YAML this crate reads, line by line (it has no YAML parser,
//! and needs none for this): the top-level keys of a document or of a
//! Markdown front matter, and the `cmd`/`command`/`args`/`cwd` of the server
//! entries in Goose recipes, Continue's `mcpServers/*.yaml` and GitHub's
//! `mcp-servers:` front matter.
//!
//! It errs towards finding more: a key spelled with an escape is reported
//! so that the caller can protect the file unparsed, and every `cmd` value
//! counts wherever it is nested.

/// One line of a YAML file as this module reads it.
struct Line<'a> {
    indent: usize,
    /// After the indentation and any `- ` list markers.
    text: &'a str,
    /// Whether the line opened a list item (`- key: value`).
    item: bool,
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    text.lines().map(|line| {
        let trimmed = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - trimmed.len();
        let mut text = trimmed;
        let mut item = false;
        while let Some(rest) = text.strip_prefix("- ").or_else(|| (text == "-").then_some("")) {
            text = rest.trim_start_matches(' ');
            item = true;
        }
        Line { indent, text: strip_comment(text), item }
    })
}

/// `text` without a trailing ` # comment` (outside quotes).
fn strip_comment(text: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t' || at == 0) => {
                return text[..at].trim_end();
            }
            None => {}
        }
        prev = c;
    }
    text.trim_end()
}

/// The key and value of `text` when it is `key: value` (bare, `"key"` or
/// `'key'`; blanks allowed before the colon). A quoted key with a backslash
/// is returned as `\` (it could spell anything).
fn key_value(text: &str) -> Option<(&str, &str)> {
    let (key, rest) = match text.as_bytes().first()? {
        q @ (b'"' | b'\'') => {
            let close = text[1..].find(*q as char)? + 1;
            let key = &text[1..close];
            if *q == b'"' && key.contains('\\') {
                ("\\", &text[close + 1..])
            } else {
                (key, &text[close + 1..])
            }
        }
        _ => {
            let colon = text.find(':')?;
            (text[..colon].trim_end(), &text[colon..])
        }
    };
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest.trim()))
}

/// The keys at column 0 of a YAML document, in order (`\` for a quoted key
/// with an escape).
pub(crate) fn top_keys(text: &str) -> Vec<&str> {
    lines(text)
        .filter(|line| line.indent == 0 && !line.item)
        .filter_map(|line| key_value(line.text).map(|(key, _)| key))
        .collect()
}

/// The lines of a Markdown file's front matter (between a first line `---`
/// and the next `---`), or `None` when it has none.
pub(crate) fn front_matter(text: &str) -> Option<&str> {
    let body = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(&body[..at]);
        }
        at += line.len();
    }
    None
}

/// Whether some line of `text`, at any indentation, is the key `name`
/// (Goose's desktop format nests the recipe under `recipe:`).
pub(crate) fn any_key_at_any_depth(text: &str, name: &str) -> bool {
    lines(text).any(|line| key_value(line.text).is_some_and(|(key, _)| key == name))
}

/// A server entry of a YAML config: its command line and working directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    pub argv: Vec<String>,
    pub cwd: Option<String>,
}

/// `value` as a list of scalars: a flow list `[a, "b c"]`, or one scalar.
fn scalars(value: &str) -> Vec<String> {
    match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(inner) => inner.split(',').map(unquote).filter(|s| !s.is_empty()).collect(),
        None => vec![unquote(value)].into_iter().filter(|s| !s.is_empty()).collect(),
    }
}

fn unquote(value: &str) -> String {
    let value = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    value.to_owned()
}

/// The server entries of a YAML config: each `cmd:`/`command:` starts one,
/// the `args:` after it (a flow list, or the `- item` lines below it) and a
/// `cwd:` belong to it.
pub(crate) fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut args_indent: Option<usize> = None;
    for line in lines(text) {
        if let Some(indent) = args_indent {
            // A block list under `args:`: `- x` at its indentation or deeper.
            if line.item && line.indent >= indent && key_value(line.text).is_none() {
                if let Some(entry) = out.last_mut() {
                    entry.argv.push(unquote(line.text));
                }
                continue;
            }
            args_indent = None;
        }
        let Some((key, value)) = key_value(line.text) else { continue };
        match key {
            "cmd" | "command" => out.push(Entry { argv: scalars(value), cwd: None }),
            "args" => {
                if out.is_empty() {
                    out.push(Entry::default());
                }
                if value.is_empty() {
                    args_indent = Some(line.indent);
                } else if let Some(entry) = out.last_mut() {
                    entry.argv.extend(scalars(value));
                }
            }
            "cwd" => {
                if let Some(entry) = out.last_mut() {
                    entry.cwd = Some(unquote(value));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keys_and_front_matter() {
        let text = "title: x\n\"mcpServers\" :\n  nested: 1\n- item: 2\nextensions: # c\n";
        assert_eq!(top_keys(text), vec!["title", "mcpServers", "extensions"]);
        assert_eq!(top_keys("\"mcp\\u0053ervers\": {}\n"), vec!["\\"]);
        assert_eq!(top_keys("url: http://x\nkey:value\n"), vec!["url"]);
        let md = "---\nname: a\nmcp-servers:\n  x: {}\n---\n# body\nmcpServers: no\n";
        assert_eq!(top_keys(front_matter(md).expect("front matter")), vec!["name", "mcp-servers"]);
        assert_eq!(front_matter("# no front matter\n---\n"), None);
    }

    #[test]
    fn goose_and_continue_entries() {
        let goose = "title: t\nextensions:\n  - type: stdio\n    name: local\n    cmd: uv\n    args:\n      - run\n      - \"tools/srv.py\"\n    cwd: svc # where\n  - type: builtin\n    name: developer\n";
        assert_eq!(
            entries(goose),
            vec![Entry {
                argv: vec!["uv".into(), "run".into(), "tools/srv.py".into()],
                cwd: Some("svc".into())
            }]
        );
        let cont = "mcpServers:\n  - name: a\n    command: node\n    args: [\"./a.js\", --x]\n";
        assert_eq!(entries(cont)[0].argv, vec!["node", "./a.js", "--x"]);
        let compact = "cmd: sh\nargs:\n- ./run.sh\nother: 1\n";
        assert_eq!(entries(compact)[0].argv, vec!["sh", "./run.sh"]);
    }
}
