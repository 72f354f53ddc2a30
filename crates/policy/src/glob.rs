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
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .case_insensitive(case_insensitive)
        .empty_alternates(false)
        .build()
        .map_err(|e| e.kind().to_string())
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
