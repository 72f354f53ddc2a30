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

/// `path` with ASCII letters lowercased: the case folding of every
/// case-insensitive comparison in this crate. globset compiles a glob to a
/// regex that starts `(?-u)(?i)` (see `Tokens::to_regex_with` in globset), so
/// a case-insensitive glob folds ASCII letters only: `É` and `é` stay
/// distinct. Comparing launched scripts or a submodule's path through this
/// function keeps them in step with the globs (a test below pins it).
pub(crate) fn fold_case(path: &[u8]) -> Vec<u8> {
    path.to_ascii_lowercase()
}

/// The most alternatives [`expand_braces`] produces: a real pattern has a
/// handful; a crafted `{a,b}{a,b}{a,b}…` must not blow up.
const MAX_EXPANSIONS: usize = 256;

/// `pattern` with its `{a,b}` alternations expanded (`.{vscode,cursor}/x` →
/// `.vscode/x`, `.cursor/x`); nested braces are expanded too. Escaped braces
/// stay. Past [`MAX_EXPANSIONS`] the rest is dropped (callers use this to find
/// more that is protected, never less, so a truncated list errs on the side
/// the caller documents).
pub(crate) fn expand_braces(pattern: &str) -> Vec<String> {
    let bytes = pattern.as_bytes();
    let mut open = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(start) = open
                {
                    let (head, tail) = (&pattern[..start], &pattern[i + 1..]);
                    let mut out = Vec::new();
                    for alternative in split_alternatives(&pattern[start + 1..i]) {
                        for rest in expand_braces(&format!("{head}{alternative}{tail}")) {
                            if out.len() == MAX_EXPANSIONS {
                                return out;
                            }
                            out.push(rest);
                        }
                    }
                    return out;
                }
            }
            _ => {}
        }
        i += 1;
    }
    vec![pattern.to_owned()]
}

/// The comma-separated alternatives of a brace group's inside, at depth 0.
fn split_alternatives(inside: &str) -> Vec<&str> {
    let bytes = inside.as_bytes();
    let (mut out, mut depth, mut start, mut i) = (Vec::new(), 0usize, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(&inside[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&inside[start..]);
    out
}

/// Whether some path strictly inside the directory `dir` could match
/// `pattern` (case-insensitively, like the protected globs): what a
/// submodule checked out at `dir` could bring in. Component by component:
/// a `dir` component must match the pattern's; a `**` past the pattern's
/// start can stand for the rest of `dir`; when `dir` runs out first, the rest
/// of the pattern fits inside it. `.kiro/settings/mcp.json` could match under
/// `.kiro` and `.kiro/settings`; `.devcontainer/**/devcontainer.json` under
/// `.devcontainer/py`. A leading `**/` stands for any directory *above*
/// what follows it, so `**/.claude/settings.json` could match under `.claude`
/// and `tools/.claude`, while `**/mcp.json` — nothing after `**/` names a
/// directory — could match under no submodule by itself.
pub(crate) fn could_match_under(pattern: &str, dir: &[u8]) -> bool {
    let dir: Vec<&[u8]> = dir.split(|&b| b == b'/').filter(|c| !c.is_empty()).collect();
    if dir.is_empty() {
        return false;
    }
    expand_braces(pattern).iter().any(|expanded| {
        let parts: Vec<&str> = expanded.split('/').filter(|c| !c.is_empty()).collect();
        let leading = parts.iter().take_while(|p| **p == "**").count();
        if leading == 0 {
            return fits_under(&parts, &dir);
        }
        // After a leading `**`, the pattern's next components must match a
        // tail of `dir` (at least one component of it).
        (0..dir.len()).any(|start| fits_under(&parts[leading..], &dir[start..]))
    })
}

/// Whether a path below `dir` could match the pattern components `parts`,
/// with `dir`'s first component matched against `parts`'s first.
fn fits_under(parts: &[&str], dir: &[&[u8]]) -> bool {
    match (parts.split_first(), dir.split_first()) {
        // The directory is used up and the pattern goes on: inside it.
        (Some(_), None) => true,
        // The pattern is used up: only the directory itself could match.
        (None, _) => false,
        (Some((&"**", _)), Some(_)) => true,
        (Some((part, rest)), Some((component, below))) => {
            component_matches(part, component) && fits_under(rest, below)
        }
    }
}

/// Whether one path component matches one glob component (no `/` in either).
fn component_matches(part: &str, component: &[u8]) -> bool {
    if !part.contains(['*', '?', '[', '\\']) {
        return part.as_bytes().eq_ignore_ascii_case(component);
    }
    // The same few components of the protected patterns come up for every
    // directory and symlink a commit looks at: each is compiled once per
    // process (a regex each time cost a hook 1-2 ms, issue 24).
    thread_local! {
        static MATCHERS: std::cell::RefCell<std::collections::HashMap<String, Option<globset::GlobMatcher>>> =
            std::cell::RefCell::default();
    }
    MATCHERS.with(|matchers| {
        let mut matchers = matchers.borrow_mut();
        let matcher = matchers
            .entry(part.to_owned())
            .or_insert_with(|| compile(part, true).ok().map(|glob| glob.compile_matcher()));
        matcher.as_ref().is_some_and(|m| m.is_match(path(component)))
    })
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

    #[test]
    fn case_insensitive_globs_fold_ascii_only_like_fold_case() {
        let m =
            |p: &str, path: &str| compile(p, true).expect("valid").compile_matcher().is_match(path);
        assert!(m("Scripts/Run.SH", "scripts/run.sh"));
        assert_eq!(fold_case(b"Scripts/Run.SH"), b"scripts/run.sh");
        // Not ASCII: globset's `(?-u)(?i)` leaves it as it is, and so must we.
        assert!(!m("\u{c9}.sh", "\u{e9}.sh"));
        assert_ne!(fold_case("\u{c9}.sh".as_bytes()), "\u{e9}.sh".as_bytes());
    }

    #[test]
    fn braces_expand_and_globs_are_matched_under_a_directory() {
        assert_eq!(expand_braces("a{b,c{d,e}}f"), vec!["abf", "acdf", "acef"]);
        assert_eq!(expand_braces("a\\{b,c\\}"), vec!["a\\{b,c\\}"]);
        assert_eq!(expand_braces(&"{a,b}".repeat(12)).len(), MAX_EXPANSIONS);
        let under = |pattern: &str, dir: &str| could_match_under(pattern, dir.as_bytes());
        assert!(under(".kiro/settings/mcp.json", ".kiro"));
        assert!(under(".kiro/settings/mcp.json", ".KIRO/settings"));
        assert!(!under(".kiro/settings/mcp.json", ".kiro/settings/mcp.json"), "itself, not under");
        assert!(!under(".vscode/mcp.json", ".vscode/sub"));
        assert!(under(".continue/**", ".continue/x"));
        assert!(under(".{vscode,cursor}/mcp.json", ".cursor"));
        assert!(under(".devcontainer/**/devcontainer.json", ".devcontainer/py"));
        assert!(under("**/.claude/settings.json", ".claude"));
        assert!(under("**/.claude/settings.json", "tools/.claude"));
        assert!(under("**/mcp/**", "scripts/mcp"));
        assert!(under("**/mcp/**", "scripts/mcp/sub"));
        assert!(under("tools/*/run.sh", "tools/x"));
        for (pattern, dir) in [
            ("**/mcp.json", "vendor/lib"),
            ("**/*mcp*.{sh,py}", "vendor"),
            ("opencode.json*", "sub"),
            ("**/.claude/settings.json", "claude"),
            (".mcp.json", "x"),
            ("tools/*/run.sh", "tools/x/y"),
        ] {
            assert!(!under(pattern, dir), "{pattern} under {dir}");
        }
    }
}
