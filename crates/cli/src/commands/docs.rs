//! `trail docs`: the pages of docs/ as the installed binary carries them.

use std::io::Write as _;

use clap::Args;

use crate::error::CommandError;
use crate::output::Out;

/// Print one of trail's documentation pages (Markdown), or list them.
///
/// The pages are built into trail, so every page a message, a hint or
/// trail.toml names (`trail docs configuration`, `trail docs protection`,
/// ...) is at hand wherever trail is installed. Without TOPIC, lists the
/// topics with their titles.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  trail docs                        list the topics
  trail docs configuration          every key of trail.toml
  trail docs exit-codes | less      read a page in a pager")]
pub struct DocsArgs {
    /// The page to print: a topic as `trail docs` lists it (e.g.
    /// configuration, protection, team, exit-codes).
    #[arg(value_name = "TOPIC")]
    pub topic: Option<String>,
}

/// Every page, by topic, in the order `trail docs` lists them.
pub(crate) const PAGES: &[(&str, &str)] = &[
    ("guide", include_str!("../../../../docs/guide.md")),
    ("user-guide", include_str!("../../../../docs/user-guide.md")),
    ("configuration", include_str!("../../../../docs/configuration.md")),
    ("hooks", include_str!("../../../../docs/hooks.md")),
    ("integrations", include_str!("../../../../docs/integrations.md")),
    ("agents", include_str!("../../../../docs/agents.md")),
    ("changelog", include_str!("../../../../docs/changelog.md")),
    ("watcher", include_str!("../../../../docs/watcher.md")),
    ("team", include_str!("../../../../docs/team.md")),
    ("protection", include_str!("../../../../docs/protection.md")),
    ("tokens", include_str!("../../../../docs/tokens.md")),
    ("server-audit", include_str!("../../../../docs/server-audit.md")),
    ("export", include_str!("../../../../docs/export.md")),
    ("exit-codes", include_str!("../../../../docs/exit-codes.md")),
    ("performance", include_str!("../../../../docs/performance.md")),
    ("architecture", include_str!("../../../../docs/architecture.md")),
    ("format", include_str!("../../../../store/FORMAT.md")),
];

/// The page of `topic` (a topic name; `configuration.md` and
/// `docs/configuration.md` are accepted too).
pub(crate) fn page(topic: &str) -> Option<&'static str> {
    let name = topic.trim();
    let name = name.strip_prefix("docs/").unwrap_or(name);
    let name = name.strip_suffix(".md").unwrap_or(name);
    PAGES.iter().find(|(t, _)| t.eq_ignore_ascii_case(name)).map(|(_, text)| *text)
}

/// A page's title: its first `# ` heading.
fn title(text: &str) -> &str {
    text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("").trim()
}

pub fn run(args: DocsArgs) -> Result<(), CommandError> {
    let mut out = Out::new();
    match args.topic {
        None => {
            writeln!(out, "trail's documentation; `trail docs TOPIC` prints a page:\n")?;
            for (topic, text) in PAGES {
                writeln!(out, "  {topic:<14} {}", title(text))?;
            }
        }
        Some(topic) => {
            let Some(text) = page(&topic) else {
                let topics: Vec<&str> = PAGES.iter().map(|(t, _)| *t).collect();
                return Err(CommandError::usage(format!("there is no page \"{topic}\""))
                    .hint(format!("the topics are: {}", topics.join(", "))));
            };
            // Paged as `git help` pages, on a terminal only.
            crate::output::page();
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page of docs/ is built in, and each has a title.
    #[test]
    fn every_page_of_docs_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("docs/ is readable")
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name().to_str().and_then(|n| n.strip_suffix(".md")).map(str::to_owned)
            })
            .collect();
        on_disk.sort();
        on_disk.push("format".to_owned()); // store/FORMAT.md
        on_disk.sort();
        let mut built_in: Vec<String> = PAGES.iter().map(|(t, _)| (*t).to_owned()).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
        for (topic, text) in PAGES {
            assert!(!title(text).is_empty(), "{topic} has no title");
        }
    }

    /// Every `trail docs TOPIC` that trail's sources or its default
    /// trail.toml name (in messages, hints, --help) is a page.
    #[test]
    fn every_topic_a_message_names_is_a_page() {
        fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("readable").filter_map(Result::ok) {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
                    files.push(path);
                }
            }
        }
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        walk(&crates, &mut files);
        let mut named = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (at, _) in text.match_indices("`trail docs ") {
                let rest = &text[at + "`trail docs ".len()..];
                let topic: String =
                    rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
                if topic.is_empty() || !rest[topic.len()..].starts_with('`') {
                    continue;
                }
                named += 1;
                assert!(page(&topic).is_some(), "{} names `trail docs {topic}`", file.display());
            }
        }
        assert!(named >= 10, "{named} topics named");
    }

    #[test]
    fn topics_are_found_by_their_file_names_too() {
        assert!(page("configuration").is_some());
        assert!(page("docs/team.md").is_some());
        assert!(page("Protection.md").is_some());
        assert!(page("nonsense").is_none());
    }
}
