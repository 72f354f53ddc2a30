//! `trail.toml`: the team's policy. The defaults are compiled in (defaults/trail.toml);
//! a repository's file overrides them. Later layers (local override, environment,
//! command line) arrive with the features that need them.

use std::path::Path;

use serde::Deserialize;

use crate::error::CommandError;

/// The default policy file, written by `trail init` when a repository has none.
pub const DEFAULT_TOML: &str = include_str!("../defaults/trail.toml");

/// The built-in defaults are the `Default` impls below, not a parse of
/// DEFAULT_TOML: serde's `default` calls `Default` for missing fields, so parsing
/// there would recurse (it did: init overflowed its stack). A test keeps the two equal.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub rationale: Rationale,
    pub changelog: Changelog,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rationale {
    pub required: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Changelog {
    pub exclude: Vec<String>,
    pub root_summary: bool,
}

impl Default for Rationale {
    fn default() -> Self {
        Rationale { required: true }
    }
}

impl Default for Changelog {
    fn default() -> Self {
        Changelog { exclude: Vec::new(), root_summary: true }
    }
}

/// Read `path`, or the defaults when it does not exist.
pub fn load(path: &Path) -> Result<Config, CommandError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(CommandError::environment(format!("cannot read {}: {e}", path.display())));
        }
    };
    parse(&text).map_err(|e| {
        CommandError::usage(format!(
            "{} is not a valid trail policy: {}",
            path.display(),
            e.to_string().trim_end()
        ))
        .hint("fix the file, or compare it with the defaults in docs/configuration.md")
    })
}

pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
    toml::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let config = parse(DEFAULT_TOML).expect("valid");
        let defaults = Config::default();
        assert_eq!(config.rationale.required, defaults.rationale.required);
        assert_eq!(config.changelog.root_summary, defaults.changelog.root_summary);
        assert_eq!(config.changelog.exclude, defaults.changelog.exclude);
        // An empty file means "all defaults".
        assert!(parse("").expect("empty is valid").rationale.required);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused() {
        assert!(parse("[rationale]\nrequried = true\n").is_err());
        assert!(parse("[rationale]\nrequired = \"yes\"\n").is_err());
        assert!(parse("not toml at all = = =").is_err());
    }
}
