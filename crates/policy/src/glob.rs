//! The one way this crate compiles and matches a glob, so the policy's globs
//! and a token's globs mean the same thing (docs/tokens.md, "Globs").

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

/// Compile `pattern` with the semantics docs/tokens.md specifies: `*` and `?`
/// never cross a `/`, `**` spans directories, `{a,b}` alternates, `\` escapes.
/// Patterns are anchored at the repository root: `x.json` is only the root's,
/// `**/x.json` is any directory's (including the root's).
pub(crate) fn compile(pattern: &str, case_insensitive: bool) -> Result<globset::Glob, String> {
    if pattern.is_empty() {
        return Err("an empty glob matches nothing".to_owned());
    }
    check_syntax(pattern)?;
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .case_insensitive(case_insensitive)
        .empty_alternates(false)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Refuse what docs/tokens.md §6 leaves out, so that no two implementations
/// can read one glob two ways: an empty `{}` alternative, and in a `[…]`
/// class anything but ASCII other than `\` and `[` (no escapes, no POSIX
/// `[:alpha:]` classes).
fn check_syntax(pattern: &str) -> Result<(), String> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    let mut braces = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => {
                braces += 1;
                if matches!(bytes.get(i + 1), Some(b',' | b'}')) {
                    return Err("empty alternative in {…}".to_owned());
                }
            }
            b',' if braces > 0 => {
                if matches!(bytes.get(i + 1), Some(b',' | b'}')) {
                    return Err("empty alternative in {…}".to_owned());
                }
            }
            b'}' if braces > 0 => braces -= 1,
            b'[' => {
                // The class runs to the first `]` after its first member.
                let start = i + 1;
                let mut j = start;
                if matches!(bytes.get(j), Some(b'!' | b'^')) {
                    j += 1;
                }
                if bytes.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < bytes.len() && bytes[j] != b']' {
                    if !bytes[j].is_ascii() || bytes[j] == b'\\' || bytes[j] == b'[' {
                        return Err(
                            "a [...] class may hold only ASCII characters other than \\ and ["
                                .to_owned(),
                        );
                    }
                    j += 1;
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Compile a list of patterns into one set; the index of a match is the index
/// into `patterns`.
pub(crate) fn set<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
    case_insensitive: bool,
) -> Result<globset::GlobSet, (String, String)> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(compile(pattern, case_insensitive).map_err(|e| (pattern.to_owned(), e))?);
    }
    builder.build().map_err(|e| (String::new(), e.kind().to_string()))
}

/// A repository-relative path (bytes, `/`-separated, possibly not UTF-8) as
/// globset wants it. trail is a Unix tool (the CLI already is), so the bytes
/// are the path.
pub(crate) fn path(bytes: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(bytes))
}

/// Lexically clean a relative path: drop `.` and empty components, let `..`
/// remove the previous one. `None` when it climbs above the root or is empty.
pub(crate) fn normalize(path: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(&b'/'))
}

/// `base` joined with `rel` and cleaned; `base` empty is the root.
pub(crate) fn join(base: &[u8], rel: &[u8]) -> Option<Vec<u8>> {
    if base.is_empty() {
        return normalize(rel);
    }
    let mut joined = base.to_vec();
    joined.push(b'/');
    joined.extend_from_slice(rel);
    normalize(&joined)
}

/// The directory holding `path` ("" for the root).
pub(crate) fn parent(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[..slash],
        None => b"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_docs_leave_out_is_refused() {
        for bad in ["{a,}", "{,a}", "x{a,,b}", "[\\]]", "[é]", "[[:alpha:]]"] {
            assert!(compile(bad, false).is_err(), "{bad} accepted");
        }
        for good in ["{a,b}", "[!a]", "[^a]", "[]a]", "[a-z]", "\\{a,\\}", "a,b"] {
            assert!(compile(good, false).is_ok(), "{good} refused");
        }
    }

    #[test]
    fn normalize_and_join() {
        assert_eq!(normalize(b"./a//b/./c").as_deref(), Some(&b"a/b/c"[..]));
        assert_eq!(normalize(b"a/../b").as_deref(), Some(&b"b"[..]));
        assert_eq!(normalize(b"../a"), None);
        assert_eq!(normalize(b"a/.."), None);
        assert_eq!(join(b"x/y", b"../z.sh").as_deref(), Some(&b"x/z.sh"[..]));
        assert_eq!(join(b"", b"./z.sh").as_deref(), Some(&b"z.sh"[..]));
        assert_eq!(parent(b"a/b/c"), b"a/b");
        assert_eq!(parent(b"c"), b"");
    }

    #[test]
    fn star_never_crosses_a_slash_and_double_star_does() {
        let m = |p: &str, path: &str| {
            compile(p, false).expect("valid").compile_matcher().is_match(path)
        };
        assert!(m("*.json", "a.json"));
        assert!(!m("*.json", "d/a.json"));
        assert!(m("**/a.json", "a.json"));
        assert!(m("**/a.json", "x/y/a.json"));
        assert!(m("d/**", "d/x/y"));
        assert!(!m("d/**", "d"));
        assert!(m("{a,b}.sh", "b.sh"));
        assert!(compile("", false).is_err());
        assert!(compile("a[", false).is_err());
    }
}
