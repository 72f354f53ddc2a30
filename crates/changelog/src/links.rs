//! Keep a Changelog's compare links: the link reference definitions at the
//! end of a file that make `## [1.4.0] - 2026-12-01` a link to what changed
//! between 1.3.0 and 1.4.0, and `## [Unreleased]` one to what changed since.
//!
//! ```markdown
//! [unreleased]: https://github.com/o/r/compare/v1.4.0...HEAD
//! [1.4.0]: https://github.com/o/r/compare/v1.3.0...v1.4.0
//! ```
//!
//! The forge's web address comes from the repository's remote URL
//! ([`Forge::from_remote`]); trail never guesses one it cannot read.

use crate::text::{Doc, Edit, Kind, Malformed, bracketed, is_release, parse};

/// Where a repository's history can be browsed: a forge's web address and
/// how it spells a comparison and a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forge {
    /// `https://host/owner/repo`, without `.git` or a trailing `/`.
    pub web: String,
    style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// GitHub, and the forges that copy its paths (Gitea, Forgejo, Codeberg).
    GitHub,
    /// GitLab (gitlab.com and hosts with `gitlab` in their name).
    GitLab,
}

impl Forge {
    /// The forge of a remote URL as git takes them: `https://host/o/r(.git)`,
    /// `git@host:o/r(.git)`, `ssh://git@host(:port)/o/r(.git)`. `None` for a
    /// local path, a `file://` URL, a forge whose compare pages trail does
    /// not know (Bitbucket's take two commits in another form), or anything
    /// it cannot read.
    pub fn from_remote(url: &str) -> Option<Forge> {
        let url = url.trim();
        let (host, path) = if let Some(rest) =
            url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))
        {
            let (host, path) = rest.split_once('/')?;
            // `https://user@host/…`
            (host.rsplit('@').next()?, path)
        } else if let Some(rest) = url.strip_prefix("ssh://") {
            let (host, path) = rest.split_once('/')?;
            let host = host.rsplit('@').next()?;
            (host.split(':').next()?, path)
        } else if !url.contains("://") && url.contains(':') {
            // scp-like `user@host:owner/repo.git`; a local path has no `:`
            // before its first `/`.
            let (host, path) = url.split_once(':')?;
            if host.contains('/') {
                return None;
            }
            (host.rsplit('@').next()?, path)
        } else {
            return None;
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let host = host.to_ascii_lowercase();
        let plausible = |s: &str| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-._/~".contains(c))
        };
        if !plausible(&host) || !plausible(path) || !path.contains('/') || host.contains('/') {
            return None;
        }
        if host.contains("bitbucket") {
            return None;
        }
        let style = if host.contains("gitlab") { Style::GitLab } else { Style::GitHub };
        Some(Forge { web: format!("https://{host}/{path}"), style })
    }

    /// The page comparing `from` with `to` (tags, branches or `HEAD`).
    pub fn compare(&self, from: &str, to: &str) -> String {
        match self.style {
            Style::GitHub => format!("{}/compare/{from}...{to}", self.web),
            Style::GitLab => format!("{}/-/compare/{from}...{to}", self.web),
        }
    }

    /// The page of tag `tag` (the first release has nothing to compare with).
    pub fn tag(&self, tag: &str) -> String {
        match self.style {
            Style::GitHub => format!("{}/releases/tag/{tag}", self.web),
            Style::GitLab => format!("{}/-/tags/{tag}", self.web),
        }
    }
}

/// A link reference definition `[label]: destination` on line `body`: its
/// label, lowercased as Markdown matches labels.
fn definition(body: &str) -> Option<String> {
    let rest = body.strip_prefix('[')?;
    let (label, after) = rest.split_once("]:")?;
    (!label.is_empty() && !label.contains(['[', ']']) && !after.trim().is_empty())
        .then(|| label.to_lowercase())
}

/// The version a release heading names: `[1.4.0] - …` → `1.4.0`,
/// `0.2.0 (2016-09-26)` → `0.2.0`.
fn version_of(title: &str) -> Option<&str> {
    match bracketed(title) {
        Some(name) => Some(name),
        None => title.split_whitespace().next(),
    }
}

/// Write the compare links of release `version` into a file
/// [`crate::release`] has just released it in: `[VERSION]` compares the tag
/// of the release below it with VERSION's tag (the tag's page when there is
/// none below), and a bracketed `[Unreleased]` compares VERSION's tag with
/// `HEAD`. Tags are `tag_prefix` + version (`v1.4.0`; a package's
/// `journal-v1.4.0`). Definitions already there are replaced; new ones go
/// after the unreleased one (at the end of the file when it has none), so
/// the newest comes first, as Keep a Changelog writes them. A file without
/// a bracketed heading of `version` is returned unchanged.
pub fn link_release(
    text: &[u8],
    version: &str,
    tag_prefix: &str,
    forge: &Forge,
) -> Result<Vec<u8>, Malformed> {
    let doc = parse(text)?;
    let headings: Vec<(usize, &str)> = (0..doc.lines.len())
        .filter(|i| doc.kinds[*i] == Kind::Heading(doc.level))
        .filter_map(|i| doc.title(i).map(|t| (i, t)))
        .collect();
    let Some(at) = headings.iter().position(|(_, t)| bracketed(t) == Some(version)) else {
        return Ok(text.to_vec());
    };
    let previous =
        headings[at + 1..].iter().find(|(_, t)| is_release(t)).and_then(|(_, t)| version_of(t));
    let tag = |v: &str| format!("{tag_prefix}{v}");
    let release_url = match previous {
        Some(previous) => forge.compare(&tag(previous), &tag(version)),
        None => forge.tag(&tag(version)),
    };
    let mut wanted: Vec<(String, String)> = Vec::new();
    if let Some((h, _)) = doc.unreleased
        && let Some(label) = doc.title(h).and_then(bracketed)
    {
        wanted.push((label.to_owned(), forge.compare(&tag(version), "HEAD")));
    }
    wanted.push((version.to_owned(), release_url));
    Ok(set_definitions(&doc, &wanted))
}

/// Replace or add link reference definitions `(label, url)`.
fn set_definitions(doc: &Doc<'_>, wanted: &[(String, String)]) -> Vec<u8> {
    let defined: Vec<(usize, String)> = (0..doc.lines.len())
        .filter(|i| doc.kinds[*i] == Kind::Text)
        .filter_map(|i| definition(doc.lines[i].body).map(|l| (i, l)))
        .collect();
    let mut edit = Edit::new(doc);
    let mut missing = Vec::new();
    for (label, url) in wanted {
        let line = format!("[{label}]: {url}");
        match defined.iter().find(|(_, l)| *l == label.to_lowercase()) {
            Some((i, _)) => edit.replace(*i, line),
            None => missing.push(line),
        }
    }
    if !missing.is_empty() {
        // After the first definition we wrote or kept (the unreleased one),
        // else before the first definition, else at the end after a blank.
        let first_wanted = wanted.first().map(|(l, _)| l.to_lowercase());
        let anchor = defined.iter().find(|(_, l)| Some(l) == first_wanted.as_ref());
        match (anchor, defined.first()) {
            (Some((i, _)), _) => edit.insert(i + 1, missing),
            (None, Some((i, _))) => edit.insert(*i, missing),
            (None, None) => {
                let ends_blank = doc.lines.last().is_none_or(|l| l.body.trim().is_empty());
                let lines = (!ends_blank).then(String::new).into_iter().chain(missing);
                edit.insert(doc.lines.len(), lines);
            }
        }
    }
    edit.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn forges_are_read_from_the_remote_urls_git_takes() {
        let gh = |url| Forge::from_remote(url).map(|f| f.compare("v1", "v2"));
        let want = Some("https://github.com/o/r/compare/v1...v2".to_owned());
        for url in [
            "https://github.com/o/r.git",
            "https://github.com/o/r",
            "https://user@github.com/o/r/",
            "git@github.com:o/r.git",
            "ssh://git@github.com/o/r.git",
            "ssh://git@github.com:22/o/r",
        ] {
            assert_eq!(gh(url), want, "{url}");
        }
        assert_eq!(
            gh("git@gitlab.example.com:group/sub/r.git"),
            Some("https://gitlab.example.com/group/sub/r/-/compare/v1...v2".to_owned())
        );
        for url in [
            "/srv/git/r.git",
            "../r",
            "file:///srv/r.git",
            "git@bitbucket.org:o/r.git",
            "",
            "https://host/",
        ] {
            assert_eq!(Forge::from_remote(url), None, "{url:?}");
        }
    }

    const RELEASED: &str = "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-12-01\n\n### Added\n\n- x\n\n## [1.3.0] - 2026-11-01\n\n### Added\n\n- y\n";

    #[test]
    fn a_release_gets_its_compare_link_and_unreleased_moves_on() {
        let forge = Forge::from_remote("git@github.com:o/r.git").expect("a forge");
        let linked = s(link_release(RELEASED.as_bytes(), "1.4.0", "v", &forge).expect("links"));
        assert!(
            linked.ends_with(
                "- y\n\n[Unreleased]: https://github.com/o/r/compare/v1.4.0...HEAD\n\
                 [1.4.0]: https://github.com/o/r/compare/v1.3.0...v1.4.0\n"
            ),
            "{linked}"
        );
        // The text above the definitions is untouched.
        assert!(linked.starts_with(RELEASED));
        // Releasing again later replaces the unreleased link and adds the
        // new version's above the older ones.
        let next = linked.replacen(
            "## [Unreleased]\n",
            "## [Unreleased]\n\n## [1.5.0] - 2026-12-24\n\n### Fixed\n\n- z\n",
            1,
        );
        let relinked = s(link_release(next.as_bytes(), "1.5.0", "v", &forge).expect("links"));
        assert!(
            relinked.ends_with(
                "[Unreleased]: https://github.com/o/r/compare/v1.5.0...HEAD\n\
                 [1.5.0]: https://github.com/o/r/compare/v1.4.0...v1.5.0\n\
                 [1.4.0]: https://github.com/o/r/compare/v1.3.0...v1.4.0\n"
            ),
            "{relinked}"
        );
    }

    #[test]
    fn the_first_release_links_its_tag_and_a_package_prefix_names_the_tags() {
        let forge = Forge::from_remote("https://gitlab.com/o/r").expect("a forge");
        let text = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n- x";
        let linked = s(link_release(text.as_bytes(), "0.1.0", "journal-v", &forge).expect("links"));
        assert!(
            linked.ends_with(
                "- x\n\n[Unreleased]: https://gitlab.com/o/r/-/compare/journal-v0.1.0...HEAD\n\
                 [0.1.0]: https://gitlab.com/o/r/-/tags/journal-v0.1.0\n"
            ),
            "{linked}"
        );
    }

    #[test]
    fn a_file_without_that_release_or_with_a_bare_unreleased_heading() {
        let forge = Forge::from_remote("git@github.com:o/r.git").expect("a forge");
        let unchanged = "# Changelog\n\n## [Unreleased]\n\n- x\n";
        assert_eq!(
            s(link_release(unchanged.as_bytes(), "1.0.0", "v", &forge).expect("ok")),
            unchanged
        );
        // `TBD` is not a link: only the release gets one.
        let tbd = "# Changelog\n\n## TBD\n\n## [1.0.0] - 2026-12-01\n\n- x\n";
        let linked = s(link_release(tbd.as_bytes(), "1.0.0", "v", &forge).expect("links"));
        assert!(
            linked.ends_with("- x\n\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0\n"),
            "{linked}"
        );
    }
}
