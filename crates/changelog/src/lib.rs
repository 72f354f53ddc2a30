//! trail-changelog: the text of per-directory `CHANGELOG.md` files.
//!
//! Owns the entry line (one logical line per commit and directory,
//! [`Entry::render`], written wrapped at markdownlint's line length:
//! [`Wrap`]), which directory gets which entry ([`plan`]), the template of a
//! new file ([`template`]), and every edit trail makes to a changelog: inserting an entry
//! under `## [Unreleased]` ([`upsert`]), taking one out ([`remove_change`]),
//! releasing ([`release`]) and the three-way merge of the git merge driver
//! ([`merge`]). [`check`] says whether trail can edit a file at all.
//!
//! The files are Keep a Changelog 1.1.0 Markdown that people also edit by hand,
//! so the one rule every edit keeps is that the text a person wrote stays byte
//! for byte: trail only inserts or deletes its own lines, and refuses (with a
//! [`Malformed`] naming the line) a file it cannot read with certainty.
//!
//! It must not do terminal I/O, read the environment, touch the file system or
//! start processes: it maps bytes to bytes. The CLI reads and writes the files.

pub mod classify;
mod entry;
mod links;
mod merge;
mod text;
mod wrap;

pub use classify::{Choice, Sections};
pub use entry::{Change, Entry, FileNote, FileStatus, Meta, Section, Status, plan};
pub use links::{Forge, link_release};
pub use merge::{MergeConflict, merge};
pub use text::{
    Malformed, change_entries, check, has_change, release, remove_change, unreleased_changes,
    upsert, upsert_rendered, upsert_rendered_wrapped, upsert_wrapped,
};
pub use wrap::{DEFAULT_WIDTH, MARKDOWNLINT_CONFIG_FILES, Wrap};

/// The text of a new `CHANGELOG.md` for directory `dir` (repository-relative,
/// `/`-separated; empty for the repository root): the heading, the paragraph
/// that says what the file is, markdownlint's settings for this format, and
/// an empty `## [Unreleased]` section. The settings: Keep a Changelog repeats
/// section names in every release (MD024, siblings only), and entries are one
/// line each (MD013 off), which line-by-line readers such as the PyPI
/// `keepachangelog` parser need; by that comment ([`Wrap`]'s inline rule)
/// trail does not wrap entries in the files it creates. A hand-written file
/// without such a setting gets its entries wrapped at markdownlint's width.
pub fn template(dir: &[u8]) -> String {
    let title = if dir.is_empty() {
        "# Changelog".to_owned()
    } else {
        let mut with_slash = dir.to_vec();
        if !with_slash.ends_with(b"/") {
            with_slash.push(b'/');
        }
        format!("# Changelog — {}", entry::code_span(&with_slash))
    };
    format!(
        "{title}\n\n\
         All notable changes to files in this directory are recorded here, newest\n\
         first. Times are UTC. The format follows Keep a Changelog 1.1.0; trail adds\n\
         an entry for every commit that touches this directory, with its rationale\n\
         and impact.\n\n\
         <!-- markdownlint-configure-file {{ \"MD013\": false, \"MD024\": {{ \"siblings_only\": true }} }} -->\n\n\
         ## [Unreleased]\n"
    )
}

/// The line trail offers for the committed `.gitattributes`: git's built-in
/// union merge for every CHANGELOG.md, so that a merge made without trail's
/// merge driver (a teammate without trail, `git merge-tree` on a server that
/// reads the tree's attributes) keeps both sides' entries instead of
/// stopping on a conflict. trail's own driver, registered in
/// `.git/info/attributes`, takes precedence where trail is installed.
pub const UNION_ATTRIBUTES_LINE: &str = "CHANGELOG.md merge=union";

/// `.gitattributes` text (`None`: no file) with [`UNION_ATTRIBUTES_LINE`]
/// added at its end, or `None` when it needs nothing: a line for the
/// pattern `CHANGELOG.md` (or `**/CHANGELOG.md`) already sets a merge
/// attribute (`merge=…`, `-merge`, `!merge`) — the team chose — or the text
/// cannot be read as UTF-8. The text a person wrote is kept byte for byte.
pub fn with_union_merge(existing: Option<&[u8]>) -> Option<Vec<u8>> {
    let Some(existing) = existing else {
        return Some(format!("{UNION_ATTRIBUTES_LINE}\n").into_bytes());
    };
    let text = std::str::from_utf8(existing).ok()?;
    let chose = text.lines().any(|line| {
        let mut words = line.split_whitespace();
        let pattern = words.next().unwrap_or_default();
        matches!(pattern, "CHANGELOG.md" | "**/CHANGELOG.md" | "/CHANGELOG.md")
            && words.any(|attr| {
                attr.strip_prefix(['-', '!']).unwrap_or(attr).split('=').next() == Some("merge")
            })
    });
    if chose {
        return None;
    }
    let mut out = existing.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(UNION_ATTRIBUTES_LINE.as_bytes());
    out.push(b'\n');
    Some(out)
}

/// Whether `id` can be a change id in an entry line: one or more ASCII letters
/// or digits (trail's 16 hex digits, a git commit id, a Gerrit `I…` id).
pub fn valid_change_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `version` can be written into a release heading `## [VERSION] - DATE`:
/// not empty, no whitespace or control characters, no `[` or `]`.
pub fn valid_version(version: &str) -> bool {
    !version.is_empty()
        && !version.chars().any(|c| c.is_whitespace() || c.is_control() || c == '[' || c == ']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_the_design() {
        assert_eq!(
            template(b"crates/journal"),
            "# Changelog — `crates/journal/`\n\nAll notable changes to files in this directory \
             are recorded here, newest\nfirst. Times are UTC. The format follows Keep a \
             Changelog 1.1.0; trail adds\nan entry for every commit that touches this \
             directory, with its rationale\nand impact.\n\n<!-- markdownlint-configure-file { \
             \"MD013\": false, \"MD024\": { \"siblings_only\": true } } -->\n\n## [Unreleased]\n"
        );
        assert!(template(b"").starts_with("# Changelog\n\n"));
        assert!(check(template(b"odd\nname").as_bytes()).is_ok());
    }

    #[test]
    fn ids_and_versions() {
        assert!(valid_change_id("c0ffee12"));
        assert!(valid_change_id("I0123456789abcdef0123456789abcdef01234567"));
        assert!(!valid_change_id(""));
        assert!(!valid_change_id("c0ffee)"));
        assert!(valid_version("1.2.0"));
        assert!(valid_version("v2.0.0-rc.1"));
        assert!(!valid_version("1.0 beta"));
        assert!(!valid_version("1]"));
        assert!(!valid_version(""));
    }
}

#[cfg(test)]
mod attributes_tests {
    use super::with_union_merge;

    #[test]
    fn union_merge_is_added_once_and_a_team_choice_is_kept() {
        assert_eq!(with_union_merge(None).as_deref(), Some(&b"CHANGELOG.md merge=union\n"[..]));
        let theirs = b"*.png binary\n*.sh text eol=lf";
        assert_eq!(
            with_union_merge(Some(theirs)).as_deref(),
            Some(&b"*.png binary\n*.sh text eol=lf\nCHANGELOG.md merge=union\n"[..])
        );
        for chosen in [
            &b"CHANGELOG.md merge=union\n"[..],
            b"CHANGELOG.md -merge\n",
            b"**/CHANGELOG.md merge=binary text\n",
            b"/CHANGELOG.md   !merge\n",
        ] {
            assert_eq!(with_union_merge(Some(chosen)), None, "{}", String::from_utf8_lossy(chosen));
        }
        // Another file's merge rule is not a choice about CHANGELOG.md.
        assert!(with_union_merge(Some(b"NEWS merge=union\n")).is_some());
        assert_eq!(with_union_merge(Some(b"\xff\n")), None);
    }
}
