//! Adding trailers to a commit message without starting `git
//! interpret-trailers`, for the messages where git's result is certain.
//!
//! commit-msg adds `Change-Id:`, `Why:` and `Impact:` to every commit, and
//! `git interpret-trailers` costs a process of its own (2.5-4 ms, issue 24).
//! git's trailer rules have corners — where the trailer block starts when it
//! mixes trailers and prose, comment and scissors lines, a `---` patch
//! divider, continuation lines, `trailer.*` settings, tokens compared by
//! their shortest common prefix — so this module does not re-implement them.
//! It recognises the plain messages a `git commit -m` gives, where git's
//! result follows from a few rules (read from git's `trailer.c`, and checked
//! against `git interpret-trailers` itself by the tests below), and answers
//! `None` for anything else: the caller then runs git.

/// What happens to a trailer whose token the message already has
/// (`git interpret-trailers --if-exists`); a missing one is always added at
/// the end (`--if-missing add`, `--where end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfExists {
    /// `doNothing`: the message's trailer stays, the new one is not added.
    DoNothing,
    /// `replace`: the message's last trailer with that token goes; the new
    /// one is added at the end.
    Replace,
    /// `addIfDifferent`: added unless a trailer with that token and value
    /// (compared without case) is already there.
    AddIfDifferent,
}

impl IfExists {
    /// The name `git interpret-trailers --if-exists` takes.
    pub fn as_git(self) -> &'static str {
        match self {
            IfExists::DoNothing => "doNothing",
            IfExists::Replace => "replace",
            IfExists::AddIfDifferent => "addIfDifferent",
        }
    }
}

/// One `--trailer "Token: value"` and its `--if-exists`.
#[derive(Debug, Clone)]
pub struct NewTrailer<'a> {
    pub trailer: &'a str,
    pub if_exists: IfExists,
}

/// `message` with `new` added the way `git interpret-trailers --in-place
/// --if-missing add` would add them when no `trailer.*` setting is in force
/// and the comment character is git's default `#` (the caller checks both),
/// or `None` when the message is not one whose result is certain here.
pub fn add(message: &[u8], new: &[NewTrailer<'_>]) -> Option<Vec<u8>> {
    let lines = plain_lines(message)?;
    let args: Vec<(&str, &str, IfExists)> = new
        .iter()
        .map(|n| {
            let (token, value) = split_trailer(n.trailer.as_bytes())?;
            let token = std::str::from_utf8(token).ok()?;
            let value = std::str::from_utf8(value).ok()?;
            (!value.is_empty() && !value.contains('\n')).then_some((token, value, n.if_exists))
        })
        .collect::<Option<_>>()?;

    // The title (first paragraph) is never trailers; the block, if any, is
    // the last paragraph after it, and only when every line of it is a
    // trailer (a paragraph with none is prose; a mix is left to git).
    let title_end = lines.iter().position(|l| l.is_empty()).unwrap_or(lines.len());
    let last_start = lines.iter().rposition(|l| l.is_empty()).map_or(lines.len(), |i| i + 1);
    let mut block: Vec<(String, String)> = Vec::new();
    let body_lines = if last_start > title_end && last_start < lines.len() {
        let paragraph = &lines[last_start..];
        let parsed: Vec<Option<(&[u8], &[u8])>> =
            paragraph.iter().map(|l| split_trailer(l)).collect();
        if parsed.iter().all(Option::is_some) {
            for (line, (token, value)) in paragraph.iter().zip(parsed.into_iter().flatten()) {
                // git prints every trailer back as `Token: value`: only a
                // line already in that form is certain to come back unchanged.
                if value.is_empty() || !canonical(line, token, value) {
                    return None;
                }
                block.push((
                    String::from_utf8(token.to_vec()).ok()?,
                    String::from_utf8(value.to_vec()).ok()?,
                ));
            }
            last_start
        } else if parsed.iter().any(Option::is_some) {
            return None;
        } else {
            lines.len()
        }
    } else {
        lines.len()
    };

    for (token, value, if_exists) in args {
        let same = block.iter().rposition(|(t, _)| same_token(t, token));
        match (same, if_exists) {
            (None, _) => block.push((token.to_owned(), value.to_owned())),
            (Some(_), IfExists::DoNothing) => {}
            (Some(at), IfExists::Replace) => {
                block.remove(at);
                block.push((token.to_owned(), value.to_owned()));
            }
            (Some(_), IfExists::AddIfDifferent) => {
                let present = block
                    .iter()
                    .any(|(t, v)| same_token(t, token) && v.eq_ignore_ascii_case(value));
                if !present {
                    block.push((token.to_owned(), value.to_owned()));
                }
            }
        }
    }

    let mut out = Vec::with_capacity(message.len() + 128);
    for line in &lines[..body_lines] {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    // Without a block of its own the message ends in a non-blank line:
    // git puts one blank line before the trailers.
    if body_lines == lines.len() {
        out.push(b'\n');
    }
    for (token, value) in &block {
        out.extend_from_slice(token.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    Some(out)
}

/// The lines of `message` when it is plain: one final newline and no blank
/// line at its end, no carriage return or NUL, and no line that starts
/// with `#` (a comment or scissors line), `---` (a patch divider), white
/// space (a continuation or an indented block), `Conflicts:` or `(cherry
/// picked from commit ` (lines git's trailer code treats specially), and
/// no line of white space alone.
fn plain_lines(message: &[u8]) -> Option<Vec<&[u8]>> {
    let body = message.strip_suffix(b"\n")?;
    if body.is_empty() || body.ends_with(b"\n") || body.iter().any(|&b| b == b'\r' || b == 0) {
        return None;
    }
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let odd = |l: &&[u8]| {
        l.first().is_some_and(|&b| b == b'#' || b.is_ascii_whitespace())
            || l.starts_with(b"---")
            || l.starts_with(b"Conflicts:")
            || l.starts_with(b"(cherry picked from commit ")
    };
    if lines.iter().any(odd) {
        return None;
    }
    Some(lines)
}

/// `Token: value` split the way git's `find_separator` (separators `:`)
/// and `parse_trailer` do, the token and value trimmed; `None` when the line
/// is no trailer (no token of letters, digits and `-` before the `:`).
fn split_trailer(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut whitespace = false;
    for (at, &c) in line.iter().enumerate() {
        if c == b':' {
            if at == 0 || line[0].is_ascii_whitespace() {
                return None;
            }
            return Some((line[..at].trim_ascii(), line[at + 1..].trim_ascii()));
        }
        if !whitespace && (c.is_ascii_alphanumeric() || c == b'-') {
            continue;
        }
        if at != 0 && (c == b' ' || c == b'\t') {
            whitespace = true;
            continue;
        }
        return None;
    }
    None
}

/// Whether `line` is exactly `token: value`, as git prints a trailer back.
fn canonical(line: &[u8], token: &[u8], value: &[u8]) -> bool {
    line.len() == token.len() + 2 + value.len()
        && line.starts_with(token)
        && line[token.len()..].starts_with(b": ")
        && line.ends_with(value)
}

/// git's `same_token`: the tokens without their final punctuation, compared
/// without case over the length of the shorter one.
fn same_token(a: &str, b: &str) -> bool {
    let a = a.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).as_bytes();
    let b = b.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).as_bytes();
    let n = a.len().min(b.len());
    a[..n].eq_ignore_ascii_case(&b[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(trailers: &[(&'static str, IfExists)]) -> Vec<NewTrailer<'static>> {
        trailers.iter().map(|&(trailer, if_exists)| NewTrailer { trailer, if_exists }).collect()
    }

    /// `git interpret-trailers --in-place` on `message` with `new`, in a
    /// scratch repository with no trailer settings.
    fn git_says(dir: &std::path::Path, message: &[u8], new: &[NewTrailer<'_>]) -> Vec<u8> {
        let file = dir.join("MSG");
        std::fs::write(&file, message).expect("write the message");
        let mut git = std::process::Command::new("git");
        git.current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["interpret-trailers", "--in-place", "--if-missing", "add"]);
        for n in new {
            git.args(["--if-exists", n.if_exists.as_git(), "--trailer", n.trailer]);
        }
        let out = git.arg(&file).output().expect("run git interpret-trailers");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read(&file).expect("read the message back")
    }

    fn scratch() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(["init", "-q"])
            .output()
            .expect("git init");
        assert!(out.status.success());
        dir
    }

    const MESSAGES: &[&str] = &[
        "small change\n",
        "subject\n\nbody text\n",
        "subject\nsecond title line\n\nbody\n",
        "subject\n\nbody\n\nChange-Id: 1234\n",
        "subject\n\nWhy: because\nImpact: none\n",
        "subject\n\nWhy: because\n",
        "subject\n\nwhy: Because\n",
        "subject\n\nSigned-off-by: A U Thor <a@example.org>\n",
        "subject\n\nbody: with a colon in prose\n",
        "subject\n\nCo-authored-by: X <x@example.org>\nWhy: one\nWhy: two\n",
        "subject\n\n\n\nbody after several blank lines\n",
        "Change-Id: in the title\n",
        "subject\n\nW: a short token\n",
        "subject\n\nBug #42: fixed\n",
        "subject\n\nFixes: #12\nprose after a trailer\n",
        "subject\n\nKey:value\n",
        "subject\n\nKey : value\n",
        "subject\n\nKey:\n",
        "subject\n\nbody\n\n",
        "subject\n\n# a comment\n",
        "subject\n\nbody\n---\ndiff\n",
        "subject\n\n  indented: line\n",
        "subject\n\nWhy: line\n continued\n",
        "subject\r\n\r\nWhy: crlf\r\n",
        "no newline at the end",
        "unicode — ünïcødé\n\nWhy: día\n",
        "subject\n\nWhy-Not: other token\n",
        "subject\n\n(cherry picked from commit 1234)\n",
        "subject\n \nbody\n",
    ];

    const SETS: &[&[(&str, IfExists)]] = &[
        &[
            ("Change-Id: 827e48ae4f3b9c79", IfExists::DoNothing),
            ("Why: benchmark", IfExists::DoNothing),
            ("Impact: none", IfExists::DoNothing),
        ],
        &[("Change-Id: abc", IfExists::Replace), ("Why: because", IfExists::Replace)],
        &[("Agent-Session: claude s1", IfExists::AddIfDifferent)],
        &[("Why: because", IfExists::AddIfDifferent), ("Why: BECAUSE", IfExists::AddIfDifferent)],
        &[
            ("Change-Id: 1", IfExists::DoNothing),
            ("Trail-Authorization: tok.en", IfExists::Replace),
        ],
        &[("Why:   padded value  ", IfExists::DoNothing)],
    ];

    /// Every answer the fast path gives is byte for byte what git gives; and
    /// it answers for the plain messages a `git commit -m` makes (else it
    /// would save nothing).
    #[test]
    fn the_fast_path_agrees_with_git_interpret_trailers() {
        let dir = scratch();
        let mut answered = 0;
        let mut declined = Vec::new();
        for message in MESSAGES {
            for set in SETS {
                let new = new(set);
                match add(message.as_bytes(), &new) {
                    Some(ours) => {
                        answered += 1;
                        let git = git_says(dir.path(), message.as_bytes(), &new);
                        assert_eq!(
                            String::from_utf8_lossy(&ours),
                            String::from_utf8_lossy(&git),
                            "message {message:?} with {set:?}"
                        );
                    }
                    None => declined.push(*message),
                }
            }
        }
        assert!(answered >= 60, "the fast path answered only {answered} cases");
        for plain in ["small change\n", "subject\n\nbody text\n", "subject\n\nWhy: because\n"] {
            assert!(!declined.contains(&plain), "{plain:?} should be answered here");
        }
        for odd in
            ["subject\n\n# a comment\n", "subject\n\nbody\n---\ndiff\n", "no newline at the end"]
        {
            assert!(declined.contains(&odd), "{odd:?} must be left to git");
        }
    }

    #[test]
    fn a_token_matches_by_its_shortest_common_prefix_as_in_git() {
        assert!(same_token("Why", "why"));
        assert!(same_token("W", "Why"));
        assert!(same_token("Why-Not", "Why"));
        assert!(!same_token("Impact", "Why"));
        assert!(same_token("Signed-off-by:", "signed-off-by"));
    }

    #[test]
    fn an_argument_git_would_read_otherwise_is_left_to_git() {
        for odd in ["no separator", "Why:", "Why: two\nlines", ": no token", "a b c: value"] {
            let new = [NewTrailer { trailer: odd, if_exists: IfExists::DoNothing }];
            assert_eq!(add(b"subject\n", &new), None, "{odd:?}");
        }
    }
}
