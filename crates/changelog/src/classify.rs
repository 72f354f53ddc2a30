//! Which Keep a Changelog section a commit chooses for its entries: a
//! trailer naming the section (`Fixed: …`, `Security: …`), else the
//! Conventional Commits type of its subject (`fix:` → Fixed), else none (the
//! files decide, [`crate::Entry::section`]).

use std::collections::BTreeMap;

use crate::entry::Section;

/// The mapping from Conventional Commits types to sections
/// (`[changelog] types` and `[changelog] breaking` in trail.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections {
    /// Type (lower case, `fix`) → section.
    pub types: BTreeMap<String, Section>,
    /// The section of a breaking change (`feat!:`, a `BREAKING-CHANGE:`
    /// trailer) whose type maps to none; a type that maps keeps its section.
    pub breaking: Section,
}

impl Default for Sections {
    /// `feat` → Added; `fix` → Fixed; `security`, `sec` → Security;
    /// `deprecate`, `deprecated` → Deprecated; `remove`, `removed` → Removed;
    /// `revert` → Changed (what a revert undid is already in the changelog);
    /// breaking changes of other types → Changed.
    fn default() -> Self {
        let types = [
            ("feat", Section::Added),
            ("fix", Section::Fixed),
            ("security", Section::Security),
            ("sec", Section::Security),
            ("deprecate", Section::Deprecated),
            ("deprecated", Section::Deprecated),
            ("remove", Section::Removed),
            ("removed", Section::Removed),
            ("revert", Section::Changed),
        ]
        .into_iter()
        .map(|(t, s)| (t.to_owned(), s))
        .collect();
        Sections { types, breaking: Section::Changed }
    }
}

/// What a commit's message says about its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Choice {
    pub section: Option<Section>,
    pub breaking: bool,
}

/// The Conventional Commits header of a subject: its type (lower case) and
/// whether it is marked breaking (`!`). `feat(parser)!: x` → (`feat`, true).
pub fn conventional(subject: &str) -> Option<(String, bool)> {
    let subject = subject.trim_start();
    let colon = subject.find(": ")?;
    let head = &subject[..colon];
    let (head, bang) = match head.strip_suffix('!') {
        Some(h) => (h, true),
        None => (head, false),
    };
    let kind = match head.find('(') {
        Some(open) if head.ends_with(')') => &head[..open],
        Some(_) => return None,
        None => head,
    };
    let valid = !kind.is_empty()
        && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then(|| (kind.to_ascii_lowercase(), bang))
}

/// The section and breaking mark a commit chooses. `trailers` are the
/// message's trailers in order; the last one whose token names a section
/// (`Fixed`, `security`, any case) wins. A `BREAKING-CHANGE` or `BREAKING
/// CHANGE` trailer marks the change breaking, as does a `!` before the
/// subject's colon.
pub fn choose(subject: Option<&str>, trailers: &[(String, String)], rules: &Sections) -> Choice {
    let by_trailer = trailers.iter().rev().find_map(|(token, _)| Section::from_name(token));
    let header = subject.and_then(conventional);
    let breaking = header.as_ref().is_some_and(|(_, bang)| *bang)
        || trailers.iter().any(|(token, _)| {
            token.eq_ignore_ascii_case("BREAKING-CHANGE")
                || token.eq_ignore_ascii_case("BREAKING CHANGE")
        });
    let by_type = header.and_then(|(kind, _)| rules.types.get(&kind).copied());
    let section = by_trailer.or(by_type).or(breaking.then_some(rules.breaking));
    Choice { section, breaking }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(token: &str) -> (String, String) {
        (token.to_owned(), "x".to_owned())
    }

    #[test]
    fn conventional_headers() {
        assert_eq!(conventional("fix: a"), Some(("fix".into(), false)));
        assert_eq!(conventional("Feat(parser)!: a"), Some(("feat".into(), true)));
        assert_eq!(conventional("feat!: a"), Some(("feat".into(), true)));
        assert_eq!(conventional("Fix the parser"), None);
        assert_eq!(conventional("fix(a: b"), None);
        assert_eq!(conventional("see: http://x"), Some(("see".into(), false)));
        assert_eq!(conventional("two words: x"), None);
    }

    #[test]
    fn trailers_then_types_then_nothing() {
        let rules = Sections::default();
        let fixed = choose(Some("feat: a"), &[t("Why"), t("Fixed")], &rules);
        assert_eq!(fixed, Choice { section: Some(Section::Fixed), breaking: false });
        assert_eq!(choose(Some("a"), &[t("security")], &rules).section, Some(Section::Security));
        assert_eq!(choose(Some("fix: a"), &[], &rules).section, Some(Section::Fixed));
        assert_eq!(choose(Some("feat(x): a"), &[], &rules).section, Some(Section::Added));
        assert_eq!(choose(Some("sec: a"), &[], &rules).section, Some(Section::Security));
        assert_eq!(choose(Some("deprecate: a"), &[], &rules).section, Some(Section::Deprecated));
        assert_eq!(choose(Some("docs: a"), &[], &rules).section, None);
        assert_eq!(choose(None, &[t("Why")], &rules), Choice::default());
        let breaking = choose(Some("refactor!: drop x"), &[], &rules);
        assert_eq!(breaking, Choice { section: Some(Section::Changed), breaking: true });
        let feat = choose(Some("feat!: new api"), &[], &rules);
        assert_eq!(feat, Choice { section: Some(Section::Added), breaking: true });
        let trailer = choose(Some("change x"), &[t("BREAKING-CHANGE")], &rules);
        assert!(trailer.breaking);
        let none = Sections { types: BTreeMap::new(), breaking: Section::Removed };
        assert_eq!(choose(Some("fix: a"), &[], &none).section, None);
        assert_eq!(choose(Some("fix!: a"), &[], &none).section, Some(Section::Removed));
    }
}
