//! A commit object read the way `git log` reads it: re-encoded from its
//! `encoding` header, identities split as git splits them (malformed ones
//! included), the subject as `--format=%s` prints it.
//!
//! gix refuses what `git fsck` refuses (an ident without a date, a date that
//! is not a number, …), yet git shows such commits, and `trail import` must
//! record them as git shows them. So this follows git's own code, cited by
//! function: `repo_logmsg_reencode` (pretty.c), `parse_commit_header` and
//! `format_subject` (pretty.c), `split_ident_line` (ident.c),
//! `show_ident_date` (date.c).

use std::borrow::Cow;

use gix::bstr::ByteSlice as _;
use std::ops::Range;

use crate::history::Person;

/// git's `isspace`: space, tab, line feed, carriage return — not `\v` or `\f`
/// (git's ctype.c).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A commit as `git log` reads it.
pub(crate) struct ShownCommit<'a> {
    /// The object up to its first NUL (git reads it as a C string),
    /// re-encoded to UTF-8 when its `encoding` header names another encoding
    /// that the text is valid in.
    text: Cow<'a, [u8]>,
    author: Option<Range<usize>>,
    committer: Option<Range<usize>>,
    /// Where the message starts: after the blank line that ends the headers.
    message: usize,
}

impl<'a> ShownCommit<'a> {
    /// Read the raw bytes of a commit object.
    pub(crate) fn new(object: &'a [u8]) -> Self {
        let object = object.iter().position(|b| *b == 0).map_or(object, |nul| &object[..nul]);
        let text = match header(object, b"encoding") {
            Some(label) => match reencoded(object, label) {
                Some(text) => Cow::Owned(text.into_bytes()),
                None => Cow::Borrowed(object),
            },
            None => Cow::Borrowed(object),
        };
        let (author, committer, message) = headers(&text);
        ShownCommit { text, author, committer, message }
    }

    pub(crate) fn author(&self) -> Person {
        person(self.author.clone().map(|r| &self.text[r]))
    }

    pub(crate) fn committer(&self) -> Person {
        person(self.committer.clone().map(|r| &self.text[r]))
    }

    /// The message: everything after the headers.
    pub(crate) fn message(&self) -> &[u8] {
        &self.text[self.message..]
    }
}

/// Where the author's and the committer's ident lines are, and where the
/// message starts (parse_commit_header): the headers end at the first empty
/// line; the last `author ` (`committer `) line is the one git shows.
type Headers = (Option<Range<usize>>, Option<Range<usize>>, usize);

fn headers(text: &[u8]) -> Headers {
    let (mut author, mut committer) = (None, None);
    let mut at = 0;
    let message = loop {
        let end = text[at..].iter().position(|b| *b == b'\n').map_or(text.len(), |i| at + i);
        if end == at {
            break (end + 1).min(text.len());
        }
        if text[at..end].starts_with(b"author ") {
            author = Some(at + 7..end);
        } else if text[at..end].starts_with(b"committer ") {
            committer = Some(at + 10..end);
        }
        if end == text.len() {
            break end;
        }
        at = end + 1;
    };
    (author, committer, message)
}

/// The value of the first header `key` (find_commit_header): a line of the
/// header block that starts with `key` and a space.
fn header<'b>(object: &'b [u8], key: &[u8]) -> Option<&'b [u8]> {
    for line in object.split(|b| *b == b'\n') {
        if line.is_empty() {
            return None;
        }
        if let Some(value) = line.strip_prefix(key).and_then(|rest| rest.strip_prefix(b" ")) {
            return Some(value);
        }
    }
    None
}

/// `object` re-encoded from `label` to UTF-8 as git does with iconv, or `None`
/// where git shows the bytes as they are: the label names UTF-8 (git's
/// `same_encoding`), an encoding iconv does not know, or one in which the
/// text is not valid.
fn reencoded(object: &[u8], label: &[u8]) -> Option<String> {
    let label = std::str::from_utf8(label).ok()?;
    let lower = label.trim().to_ascii_lowercase();
    // same_encoding("UTF-8", label): `utf8`, `UTF-8`, `utf-8`, … need no work.
    if lower.strip_prefix("utf").map(|rest| rest.strip_prefix('-').unwrap_or(rest)) == Some("8") {
        return None;
    }
    let encoding = encoding_rs::Encoding::for_label(lower.as_bytes())?;
    // encoding_rs follows the WHATWG labels, which give a few names another
    // encoding than iconv does. ASCII: iconv fails on bytes >= 0x80 and
    // changes nothing otherwise, so the bytes stay as they are either way.
    // UTF-16 (iconv assumes big endian without a BOM, WHATWG little endian)
    // and the user-defined and replacement encodings, which iconv does not
    // have: the bytes stay as they are too, rather than guess.
    if ["ascii", "us-ascii", "ansi_x3.4-1968"].contains(&lower.as_str())
        || encoding == encoding_rs::UTF_16LE
        || encoding == encoding_rs::UTF_16BE
        || encoding == encoding_rs::X_USER_DEFINED
        || encoding == encoding_rs::REPLACEMENT
    {
        return None;
    }
    // WHATWG reads ISO-8859-1 (and -9, -11) as the Windows code page, which
    // puts letters where ISO-8859 has the C1 controls 0x80-0x9F; iconv maps
    // those bytes to U+0080-U+009F, and so does this.
    let iso_8859 = lower.contains("8859")
        || lower.starts_with("latin")
        || lower.starts_with("csisolatin")
        || lower.starts_with("iso-ir-")
        || matches!(
            lower.as_str(),
            "l1" | "l2" | "l3" | "l4" | "l5" | "l6" | "l9" | "cp819" | "ibm819"
        );
    if iso_8859 && encoding.is_single_byte() {
        let mut out = String::with_capacity(object.len());
        for run in object.split_inclusive(|b| (0x80..0xa0).contains(b)) {
            let (text, control) = match run.split_last() {
                Some((&last, text)) if (0x80..0xa0).contains(&last) => (text, Some(last)),
                _ => (run, None),
            };
            out.push_str(&encoding.decode_without_bom_handling_and_without_replacement(text)?);
            out.extend(control.map(char::from));
        }
        return Some(out);
    }
    encoding.decode_without_bom_handling_and_without_replacement(object).map(Cow::into_owned)
}

/// The parts of an ident line git finds (split_ident_line): the name before
/// the first `<`, the email up to the first `>` after it, and a date and zone
/// after the last `>`; `None` without `<…>`.
struct IdentSplit<'a> {
    name: &'a [u8],
    email: &'a [u8],
    /// The date's digits and the zone's sign and digits, when both are there.
    date: Option<(&'a [u8], &'a [u8])>,
}

fn split_ident(line: &[u8]) -> Option<IdentSplit<'_>> {
    let open = line.iter().position(|b| *b == b'<')?;
    let name_end = line[..open].iter().rposition(|b| !is_space(*b)).map_or(0, |i| i + 1);
    let close = open + 1 + line[open + 1..].iter().position(|b| *b == b'>')?;
    let last_close = line.iter().rposition(|b| *b == b'>').unwrap_or(close);
    let date = (|| {
        let rest = &line[last_close + 1..];
        let rest = &rest[rest.iter().position(|b| !is_space(*b))?..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let (date, rest) = rest.split_at(digits);
        let rest = &rest[rest.iter().position(|b| !is_space(*b))?..];
        if !matches!(rest.first(), Some(b'+' | b'-')) {
            return None;
        }
        let zone_digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        (zone_digits > 0).then(|| (date, &rest[..1 + zone_digits]))
    })();
    Some(IdentSplit { name: &line[..name_end], email: &line[open + 1..close], date })
}

/// A person as `git log` shows the ident line `line` (what follows `author `
/// or `committer `; `None` when the commit has no such line).
pub(crate) fn person(line: Option<&[u8]>) -> Person {
    let Some(line) = line else {
        return Person::default();
    };
    let Some(split) = split_ident(line) else {
        // git shows nothing of a line without `<…>`: empty %an, %ae, %at.
        return Person { ident: Some(line.to_vec()), ..Person::default() };
    };
    let text = |bytes: &[u8]| -> (String, Option<Vec<u8>>) {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_owned(), None),
            Err(_) => (String::from_utf8_lossy(bytes).into_owned(), Some(bytes.to_vec())),
        }
    };
    let (name, name_bytes) = text(split.name);
    let (email, email_bytes) = text(split.email);
    let mut person = Person { name, email, name_bytes, email_bytes, ..Person::default() };
    if let Some((date, zone)) = split.date {
        // show_ident_date: a date that does not fit git's time_t shows as the
        // epoch, with zone +0000; a zone beyond an int as +0000.
        let time = std::str::from_utf8(date).ok().and_then(|d| d.parse::<i64>().ok());
        let offset = match time {
            Some(_) => std::str::from_utf8(&zone[1..])
                .ok()
                .and_then(|d| d.parse::<i64>().ok())
                .map(|n| if zone[0] == b'-' { -n } else { n })
                .filter(|n| *n > i64::from(i32::MIN) && *n < i64::from(i32::MAX))
                .unwrap_or(0),
            None => 0,
        };
        person.time = time.unwrap_or(0);
        // `%ai` prints the zone with printf's `%+05d`.
        person.tz = Some(format!("{offset:+05}"));
    }
    // Keep the line itself whenever the fields above do not rebuild it byte
    // for byte: what git could not read, or read only in part, is not lost.
    let rebuilt = match &person.tz {
        Some(tz) => [
            split.name,
            b" <",
            split.email,
            b"> ",
            person.time.to_string().as_bytes(),
            b" ",
            tz.as_bytes(),
        ]
        .concat(),
        None => Vec::new(),
    };
    if rebuilt != line {
        person.ident = Some(line.to_vec());
    }
    person
}

/// The committer time of the raw commit `object` as git reads it (0 when it
/// reads none): what orders the commits of an import. Read from the bytes as
/// they are (digits are the same in every encoding git re-encodes from), and
/// without building a [`Person`]: an import reads it for every commit.
pub(crate) fn committer_time(object: &[u8]) -> i64 {
    let object = object.iter().position(|b| *b == 0).map_or(object, |nul| &object[..nul]);
    let (_, committer, _) = headers(object);
    committer
        .and_then(|line| split_ident(&object[line])?.date)
        .and_then(|(date, _)| std::str::from_utf8(date).ok()?.parse().ok())
        .unwrap_or(0)
}

/// The subject as `git log --format=%s` prints it (format_subject): the first
/// paragraph after any blank lines, each line without its trailing
/// whitespace, lines joined by one space. A line of whitespace only ends the
/// paragraph; leading whitespace stays.
pub fn subject(message: &[u8]) -> Vec<u8> {
    let message = message.iter().position(|b| *b == 0).map_or(message, |nul| &message[..nul]);
    let mut out = Vec::new();
    let mut started = false;
    for line in message.split(|b| *b == b'\n') {
        let end = line.iter().rposition(|b| !is_space(*b)).map_or(0, |i| i + 1);
        if end == 0 {
            if started {
                break;
            }
            continue;
        }
        if started {
            out.push(b' ');
        }
        out.extend_from_slice(&line[..end]);
        started = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(line: &[u8]) -> Person {
        person(Some(line))
    }

    #[test]
    fn a_well_formed_ident_keeps_no_copy_and_its_zone() {
        let p = ident(b"A U Thor <a@x> 1600000000 +0530");
        assert_eq!((p.name.as_str(), p.email.as_str(), p.time), ("A U Thor", "a@x", 1600000000));
        assert_eq!(p.tz.as_deref(), Some("+0530"));
        assert_eq!((p.ident, p.name_bytes, p.email_bytes), (None, None, None));
        assert_eq!(ident(b"A <a@x> 1 -0800").tz.as_deref(), Some("-0800"));
    }

    #[test]
    fn malformed_idents_read_as_git_reads_them() {
        // Two addresses: git shows the first.
        let p = ident(b"C <c@x> <d@x> 5 +0000");
        assert_eq!((p.email.as_str(), p.time), ("c@x", 5));
        assert_eq!(p.ident.as_deref(), Some(&b"C <c@x> <d@x> 5 +0000"[..]));
        // No date, a date that is not a number, no zone: name and email only.
        for line in [&b"C <c@x>"[..], b"C <c@x> abc +0000", b"C <c@x> 7", b"C <c@x> -7 +0000"] {
            let p = ident(line);
            assert_eq!((p.name.as_str(), p.email.as_str(), p.time, &p.tz), ("C", "c@x", 0, &None));
            assert_eq!(p.ident.as_deref(), Some(line));
        }
        // No <>: git shows nothing at all.
        let p = ident(b"C 5 +0000");
        assert_eq!((p.name.as_str(), p.email.as_str(), p.time), ("", "", 0));
        assert_eq!(p.ident.as_deref(), Some(&b"C 5 +0000"[..]));
        // Garbage after the zone, a short zone, extra spaces: read, and kept.
        let p = ident(b"C <c@x> 5 +0100 garbage");
        assert_eq!((p.time, p.tz.as_deref()), (5, Some("+0100")));
        assert!(p.ident.is_some());
        assert_eq!(ident(b"C <c@x> 5 +05").tz.as_deref(), Some("+0005"));
        assert_eq!(ident(b"C <c@x> 5 -0000").tz.as_deref(), Some("+0000"));
        let p = ident(b"  C   < c@x >  5   +0100");
        assert_eq!((p.name.as_str(), p.email.as_str(), p.time), ("  C", " c@x ", 5));
        assert!(p.ident.is_some());
        // A date beyond time_t shows as the epoch, its zone as +0000.
        let p = ident(b"C <c@x> 99999999999999999999 +0100");
        assert_eq!((p.time, p.tz.as_deref()), (0, Some("+0000")));
        assert!(p.ident.is_some());
        assert_eq!(person(None), Person::default());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_kept() {
        let p = ident(b"J\xfcrgen <j\xfc@x> 1 +0000");
        assert_eq!(p.name, "J\u{fffd}rgen");
        assert_eq!(p.name_bytes.as_deref(), Some(&b"J\xfcrgen"[..]));
        assert_eq!(p.email_bytes.as_deref(), Some(&b"j\xfc@x"[..]));
        assert_eq!(p.ident, None, "the fields rebuild the line");
    }

    #[test]
    fn the_encoding_header_is_decoded_as_git_does() {
        let commit = b"tree 0\nauthor Ren\xe9 <r@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\
                       encoding ISO-8859-1\n\ncaf\xe9 \x80\n";
        let shown = ShownCommit::new(commit);
        assert_eq!(shown.author().name, "René");
        assert_eq!(shown.message(), "café \u{80}\n".as_bytes());
        // Without the header, or with one git cannot use, the bytes stay.
        for (label, kept) in [
            (&b""[..], true),
            (b"encoding UTF-8\n", true),
            (b"encoding no-such\n", true),
            (b"encoding us-ascii\n", true),
            (b"encoding latin1\n", false),
            (b"encoding windows-1252\n", false),
        ] {
            let commit = [&b"tree 0\nauthor A <a@x> 1 +0000\n"[..], label, b"\n\xe9\n"].concat();
            let shown = ShownCommit::new(&commit);
            assert_eq!(shown.message() == b"\xe9\n", kept, "{}", String::from_utf8_lossy(label));
        }
        // Bytes the named encoding does not have: as they are.
        let commit = b"tree 0\nencoding Shift_JIS\n\n\x82\n";
        assert_eq!(ShownCommit::new(commit).message(), b"\x82\n");
    }

    #[test]
    fn headers_end_at_the_first_empty_line_and_the_last_author_wins() {
        let shown = ShownCommit::new(
            b"tree 0\nauthor A <a@x> 1 +0000\nauthor B <b@x> 2 +0000\nmergetag x\n \n\nauthor Z <z@x> 3 +0000\n",
        );
        assert_eq!(shown.author().name, "B");
        assert_eq!(shown.committer(), Person::default());
        assert_eq!(shown.message(), b"author Z <z@x> 3 +0000\n");
        assert_eq!(ShownCommit::new(b"tree 0").message(), b"");
        assert_eq!(ShownCommit::new(b"tree 0\n\nmsg\0hidden").message(), b"msg");
    }

    #[test]
    fn the_committer_time_orders_an_import() {
        let commit = b"tree 0\nauthor A <a@x> 5 +0000\ncommitter C <c@x> 7 +0100\n\nmsg\n";
        assert_eq!(committer_time(commit), 7);
        assert_eq!(committer_time(b"tree 0\ncommitter C <c@x>\n\n"), 0);
        assert_eq!(committer_time(b"tree 0\ncommitter C <c@x> 99999999999999999999 +0000\n"), 0);
        assert_eq!(committer_time(b"tree 0\n\ncommitter C <c@x> 7 +0000\n"), 0, "a message line");
    }

    #[test]
    fn subjects_are_git_log_s() {
        let cases: [(&[u8], &[u8]); 8] = [
            (b"one\ntwo\n\nbody\n", b"one two"),
            (b"one\ntwo\n \t\nbody\n", b"one two"),
            (b"\n \n\tx \t\r\ny\n", b"\tx y"),
            (b"  leading\n", b"  leading"),
            (b"a\x0c\n\x0b\nb\n", b"a\x0c \x0b b"),
            (b"cut\0 here\n", b"cut"),
            (b"no newline", b"no newline"),
            (b"", b""),
        ];
        for (message, expected) in cases {
            assert_eq!(subject(message), expected, "{}", String::from_utf8_lossy(message));
        }
    }
}

/// The committer's name and email as [`gix::Repository::committer`] gives
/// them (the same settings and environment, in the same order), without
/// its date: gix works the current time out in the system's time zone for
/// that, and finding the zone's name can mean reading the whole
/// `/usr/share/zoneinfo` tree (about 1 ms of every post-commit, issue 24).
pub fn committer_name_email(repo: &gix::Repository) -> Option<(String, String)> {
    let config = repo.config_snapshot();
    let first = |keys: &[&str]| {
        keys.iter().find_map(|key| config.string(*key)).map(|v| v.to_str_lossy().into_owned())
    };
    let name = first(&["committer.name", "user.name", "gitoxide.committer.nameFallback"])?;
    let email = first(&[
        "committer.email",
        "user.email",
        "gitoxide.user.emailFallback",
        "gitoxide.committer.emailFallback",
    ])?;
    Some((name, email))
}

#[cfg(test)]
mod committer_tests {
    use super::*;

    /// A repository whose local config holds `settings`, opened without the
    /// global and system files (so only these count).
    fn repo_with(settings: &[(&str, &str)]) -> (tempfile::TempDir, gix::Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .arg(dir.path())
            .status()
            .expect("git init");
        assert!(status.success());
        for (key, value) in settings {
            let status = std::process::Command::new("git")
                .current_dir(dir.path())
                .args(["config", key, value])
                .status()
                .expect("git config");
            assert!(status.success());
        }
        let options = gix::open::Options::isolated();
        let repo = gix::open_opts(dir.path(), options).expect("open");
        (dir, repo)
    }

    #[test]
    fn the_committer_is_who_gix_says_without_the_date() {
        let cases: &[&[(&str, &str)]] = &[
            &[("user.name", "Ada"), ("user.email", "ada@example.org")],
            &[
                ("user.name", "Ada"),
                ("user.email", "ada@example.org"),
                ("committer.name", "Bot"),
                ("committer.email", "bot@example.org"),
            ],
            &[("user.name", "Ada"), ("committer.email", "c@example.org"), ("user.email", "u@x")],
        ];
        for settings in cases {
            let (_dir, repo) = repo_with(settings);
            let ours = committer_name_email(&repo);
            let gix = repo
                .committer()
                .and_then(Result::ok)
                .map(|s| (s.name.to_str_lossy().into_owned(), s.email.to_str_lossy().into_owned()));
            assert_eq!(ours, gix, "{settings:?}");
            assert!(ours.is_some(), "{settings:?}");
        }
    }
}
