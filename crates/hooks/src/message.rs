//! Commit messages: what git's cleanup leaves of one, its trailers, and the
//! rationale a message given on the command line carries.

use std::path::Path;

use crate::invocation::CommitOptions;

/// One line, whitespace collapsed: a why or impact as a trailer and a record keep it.
pub fn one_line(text: &str) -> Option<String> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

/// A trailer line: `Token: value`, the token letters, digits and dashes.
fn trailer_line(line: &[u8]) -> Option<(String, String)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let token = &line[..colon];
    if token.is_empty() || !token.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
        return None;
    }
    let value = String::from_utf8_lossy(&line[colon + 1..]).trim().to_owned();
    Some((String::from_utf8_lossy(token).into_owned(), value))
}

/// The trailers at the end of `message`: its last paragraphs made only of
/// `Token: value` lines, so that `-m S -m 'Why: a' -m 'Impact: b'` (three
/// paragraphs to git) gives both. Comment lines are skipped.
pub fn trailing_trailers(message: &[u8], comment: &[u8]) -> Vec<(String, String)> {
    let lines = cleaned(message, comment);
    let mut out = Vec::new();
    // Paragraphs from the end; the first (the subject) is never a trailer block.
    let paragraphs: Vec<&[Vec<u8>]> = lines.split(|l| l.is_empty()).collect();
    for paragraph in paragraphs.iter().skip(1).rev() {
        let parsed: Option<Vec<_>> = paragraph.iter().map(|l| trailer_line(l)).collect();
        match parsed {
            Some(mut trailers) if !trailers.is_empty() => {
                trailers.extend(out);
                out = trailers;
            }
            _ => break,
        }
    }
    out
}

/// The last value of `token` among `trailers` (case-insensitive, as git reads them).
pub fn trailer<'a>(trailers: &'a [(String, String)], token: &str) -> Option<&'a str> {
    trailers.iter().rev().find(|(t, _)| t.eq_ignore_ascii_case(token)).map(|(_, v)| v.as_str())
}

/// The message a `git commit` command line gives (`-m` paragraphs, or the
/// `-F` file read from git's working directory `cwd`), with its `--trailer`s;
/// `None` when the command line gives none.
pub fn given_message(options: &CommitOptions, cwd: Option<&Path>) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt as _;
    let mut text = if !options.messages.is_empty() {
        options.messages.join(&b"\n\n"[..])
    } else {
        let file = options.file.as_deref().filter(|f| *f != b"-")?;
        let path = Path::new(std::ffi::OsStr::from_bytes(file));
        let path = match cwd {
            Some(cwd) if path.is_relative() => cwd.join(path),
            _ => path.to_path_buf(),
        };
        std::fs::read(path).ok()?
    };
    for trailer in &options.trailers {
        text.extend_from_slice(b"\n\n");
        text.extend_from_slice(trailer);
    }
    Some(text)
}

/// Join the trailer-only paragraphs at the end of a message file into one
/// block (`-m S -m 'Why: a' -m 'Impact: b'`), so that git, which reads only
/// the last paragraph as trailers, sees them all. Comments and the rest stay.
pub fn join_trailer_paragraphs(message: &[u8], comment: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = message.split(|&b| b == b'\n').collect();
    // The message part: up to the first comment line at the end (git's
    // template) or the scissors line.
    let mut end = lines.len();
    while end > 0 && (lines[end - 1].is_empty() || lines[end - 1].starts_with(comment)) {
        end -= 1;
    }
    let tail = lines.split_off(end);
    let mut body: Vec<&[u8]> = lines;
    // Walk back over trailer paragraphs; remove blank lines between them.
    let mut i = body.len();
    let mut block_start = i;
    loop {
        let mut j = i;
        while j > 0 && !body[j - 1].trim_ascii().is_empty() {
            j -= 1;
        }
        if j == i || j == 0 || !body[j..i].iter().all(|l| trailer_line(l).is_some()) {
            break;
        }
        block_start = j;
        // Skip the blank lines above this paragraph.
        let mut k = j;
        while k > 0 && body[k - 1].trim_ascii().is_empty() {
            k -= 1;
        }
        if k == 0 {
            break;
        }
        i = k;
    }
    if block_start < body.len() {
        let mut block: Vec<&[u8]> = body.split_off(block_start);
        block.retain(|l| !l.trim_ascii().is_empty());
        body.extend(block);
    }
    let mut out: Vec<u8> = body.join(&b'\n');
    for line in tail {
        out.push(b'\n');
        out.extend_from_slice(line);
    }
    out
}

/// A message as git's cleanup leaves it: comment lines and everything below
/// the scissors line dropped, trailing spaces trimmed, runs of blank lines
/// collapsed, no blank lines at either end.
pub fn cleaned(message: &[u8], comment: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for line in message.split(|&b| b == b'\n') {
        if line.starts_with(comment) {
            if line[comment.len()..].trim_ascii().starts_with(b"------------------------ >8") {
                break;
            }
            continue;
        }
        let line = line.trim_ascii_end().to_vec();
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// What git's cleanup would leave is blank: only comment lines, whitespace, and
/// anything below the scissors line.
pub fn is_empty_message(message: &[u8], comment: &[u8]) -> bool {
    for line in message.split(|&b| b == b'\n') {
        if line.starts_with(comment) {
            let rest = &line[comment.len()..];
            if rest.trim_ascii().starts_with(b"------------------------ >8") {
                break;
            }
            continue;
        }
        if !line.trim_ascii().is_empty() {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_an_empty_message() {
        assert!(is_empty_message(b"\n# Please enter the commit message\n#\n", b"#"));
        assert!(is_empty_message(b"", b"#"));
        assert!(is_empty_message(
            b"# ------------------------ >8 ------------------------\ndiff --git a b\n",
            b"#"
        ));
        assert!(!is_empty_message(b"fix the parser\n# comment\n", b"#"));
        assert!(!is_empty_message(b"# not a comment with ;\n", b";"));
    }
}

#[cfg(test)]
mod trailer_tests {
    use super::*;

    #[test]
    fn trailers_spread_over_paragraphs_at_the_end_are_read() {
        let message = b"Subject\n\nBody text.\n\nWhy: because\n\nImpact: little\n";
        let trailers = trailing_trailers(message, b"#");
        assert_eq!(trailer(&trailers, "why"), Some("because"));
        assert_eq!(trailer(&trailers, "Impact"), Some("little"));
        // A subject that looks like a trailer is still the subject.
        assert!(trailing_trailers(b"Why: x\n", b"#").is_empty());
        // Body text between ends the block.
        let t = trailing_trailers(b"S\n\nWhy: a\n\nsome text\n\nImpact: b\n", b"#");
        assert_eq!(trailer(&t, "Why"), None);
        assert_eq!(trailer(&t, "Impact"), Some("b"));
    }

    #[test]
    fn trailer_paragraphs_are_joined_into_one_block() {
        let joined = join_trailer_paragraphs(b"S\n\nWhy: a\n\nImpact: b\n# comment\n", b"#");
        assert_eq!(joined, b"S\n\nWhy: a\nImpact: b\n# comment\n".to_vec());
        let same = b"S\n\nbody\n".to_vec();
        assert_eq!(join_trailer_paragraphs(&same, b"#"), same);
        // The subject is never joined into the block.
        assert_eq!(
            join_trailer_paragraphs(b"Why: a\n\nImpact: b\n", b"#"),
            b"Why: a\n\nImpact: b\n".to_vec()
        );
    }
}

/// The commit a `git revert` message names ("This reverts commit HEX."), if any.
pub fn reverted_commit(message: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(message);
    let at = text.find("This reverts commit ")? + "This reverts commit ".len();
    let hex: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    (hex.len() >= 7).then_some(hex)
}

/// The values of every `token:` line of `message` outside comments (above a
/// scissors line), in order: how many a message carries, wherever they stand.
pub fn trailer_lines(message: &[u8], comment: &[u8], token: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in message.split(|&b| b == b'\n') {
        if line.starts_with(comment) {
            if line[comment.len()..].trim_ascii().starts_with(b"------------------------ >8") {
                break;
            }
            continue;
        }
        if let Some((t, v)) = trailer_line(line)
            && t.eq_ignore_ascii_case(token)
        {
            out.push(v);
        }
    }
    out
}

/// Take every `Token: value` line of `tokens` out of `message` (outside
/// comments), keeping the first value of each: a squash joins the messages
/// of several commits, each with its own Change-Id and Why, and the result is
/// the first commit's change. Returns the message without those lines and
/// the kept trailers, in `tokens` order.
pub fn take_first_trailers(
    message: &[u8],
    comment: &[u8],
    tokens: &[&str],
) -> (Vec<u8>, Vec<(String, String)>) {
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut out: Vec<&[u8]> = Vec::new();
    let mut below_scissors = false;
    for line in message.split(|&b| b == b'\n') {
        let is_comment = line.starts_with(comment);
        if is_comment
            && line[comment.len()..].trim_ascii().starts_with(b"------------------------ >8")
        {
            below_scissors = true;
        }
        let token = (!below_scissors && !is_comment)
            .then(|| trailer_line(line))
            .flatten()
            .and_then(|(t, v)| tokens.iter().find(|k| k.eq_ignore_ascii_case(&t)).map(|k| (k, v)));
        match token {
            Some((token, value)) => {
                if !kept.iter().any(|(t, _)| t == token) && !value.is_empty() {
                    kept.push(((*token).to_owned(), value));
                }
            }
            None => out.push(line),
        }
    }
    kept.sort_by_key(|(t, _)| tokens.iter().position(|k| k == t));
    // Blank lines left where a paragraph was only those trailers collapse.
    let mut text: Vec<u8> = Vec::new();
    let mut blank = 0;
    for line in out {
        if line.trim_ascii().is_empty() {
            blank += 1;
            continue;
        }
        if !text.is_empty() {
            text.extend(std::iter::repeat_n(b'\n', if blank > 0 { 2 } else { 1 }));
        }
        blank = 0;
        text.extend_from_slice(line);
    }
    text.push(b'\n');
    (text, kept)
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn a_squashed_message_keeps_the_first_commits_trailers_once() {
        let message = b"first\n\nChange-Id: aaaa\nWhy: one\n\nsecond\n\nChange-Id: bbbb\nWhy: two\nImpact: i2\n";
        let (text, kept) = take_first_trailers(message, b"#", &["Change-Id", "Why", "Impact"]);
        assert_eq!(String::from_utf8_lossy(&text), "first\n\nsecond\n");
        let kept: Vec<(&str, &str)> = kept.iter().map(|(t, v)| (t.as_str(), v.as_str())).collect();
        assert_eq!(kept, [("Change-Id", "aaaa"), ("Why", "one"), ("Impact", "i2")]);
    }

    #[test]
    fn a_squash_messages_comments_do_not_hide_its_trailers() {
        let message = b"# This is a combination of 2 commits.\n# This is the 1st commit message:\n\nT\n\nChange-Id: aaaa\nWhy: wt\n\n# This is the commit message #2:\n\n# squash! T\n\nmore\n\nChange-Id: aaaa\nWhy: two\n";
        let (_, kept) = take_first_trailers(message, b"#", &["Change-Id", "Why"]);
        let kept: Vec<(&str, &str)> = kept.iter().map(|(t, v)| (t.as_str(), v.as_str())).collect();
        assert_eq!(kept, [("Change-Id", "aaaa"), ("Why", "wt")]);
    }

    #[test]
    fn every_change_id_line_is_counted_but_not_in_comments() {
        let m = b"S\n\nChange-Id: a1\n\nbody\n\nChange-Id: b2\n# Change-Id: c3\n";
        assert_eq!(trailer_lines(m, b"#", "change-id"), ["a1", "b2"]);
    }

    #[test]
    fn a_revert_names_the_reverted_commit() {
        let m = b"Revert \"x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n";
        assert_eq!(reverted_commit(m).as_deref(), Some("0123456789abcdef0123456789abcdef01234567"));
        assert_eq!(reverted_commit(b"plain\n"), None);
    }
}
