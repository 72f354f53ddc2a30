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
    pub hooks: Hooks,
    /// `[protect]`, kept raw: trail-policy owns its meaning ([`trail_policy::Protect`])
    /// and [`parse`] validates it with that reader. The hooks and `trail policy`
    /// read the protection settings from the policy **at HEAD**, never from this
    /// working-tree copy; it is here so that a malformed table is refused (exit 2)
    /// when the file is loaded, and so `deny_unknown_fields` still guards the rest.
    pub protect: Option<toml::Table>,
    pub watch: Watch,
    pub sync: Sync,
    /// `[agent]`, kept raw: trail-agent reads it (`prompts`, docs/agents.md).
    pub agent: Option<toml::Table>,
}

/// `[sync]`: checkpoints on `refs/trail/journal` and sharing them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sync {
    /// Write a signed checkpoint after every commit record.
    pub checkpoints: bool,
    /// The watcher writes a checkpoint at least every this many records.
    pub checkpoint_interval: u64,
    /// The remote `trail sync push|pull` and `verify --against` use by default.
    pub remote: String,
    /// Push this store's checkpoints from the pre-push hook.
    pub auto: bool,
}

impl Default for Sync {
    fn default() -> Self {
        Sync { checkpoints: true, checkpoint_interval: 1000, remote: "origin".into(), auto: false }
    }
}

/// `[hooks]`: how the git hooks run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hooks {
    pub post_commit: PostCommit,
}

/// When post-commit records a plain `git commit` pre-commit prepared
/// (docs/architecture.md, "post-commit runs after the commit").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostCommit {
    /// Right after git returns, by a background `trail drain`; every trail
    /// process records it first if that has not yet happened.
    #[default]
    Background,
    /// Before git returns: the record is handed over (durable in the
    /// spool) when `git commit` ends, and post-commit's notices are printed
    /// on the commit.
    Inline,
}

/// `[watch]`: the background watcher (`trail watch`, `trail daemon`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Watch {
    /// Files larger than this many bytes are recorded by SHA-256 and size
    /// only; their content is not stored (so cannot be restored).
    pub max_blob_size: u64,
    /// How long a path must be quiet before its change is recorded, in ms.
    pub debounce_ms: u64,
}

impl Default for Watch {
    fn default() -> Self {
        Watch { max_blob_size: 16 * 1024 * 1024, debounce_ms: 300 }
    }
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
    pub malformed: Malformed,
    /// Conventional Commits type → Keep a Changelog section; replaces the
    /// built-in table ([`trail_changelog::Sections::default`]) when given.
    pub types: Option<std::collections::BTreeMap<String, String>>,
    /// The section of a breaking change whose type maps to none.
    pub breaking: Option<String>,
}

/// What the hooks do with a CHANGELOG.md they cannot parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Malformed {
    /// Refuse the commit, naming the file and line.
    #[default]
    Refuse,
    /// Leave the file as it is (no entry) and say so.
    Skip,
}

/// `[changelog] exclude`, compiled. A directory is excluded when a glob
/// matches it or one of its parents; `vendor/**` also excludes `vendor`.
#[derive(Debug, Clone)]
pub struct Exclusions {
    globs: globset::GlobSet,
}

impl Changelog {
    /// `types` and `breaking`, checked: every value names a section.
    pub fn sections(&self) -> Result<trail_changelog::Sections, String> {
        let section = |key: &str, name: &str| {
            trail_changelog::Section::from_name(name).ok_or_else(|| {
                format!(
                    "{key} = {name:?} is not a Keep a Changelog section (Added, Changed, \
                     Deprecated, Removed, Fixed, Security)"
                )
            })
        };
        let mut sections = trail_changelog::Sections::default();
        if let Some(types) = &self.types {
            sections.types.clear();
            for (kind, name) in types {
                sections
                    .types
                    .insert(kind.to_ascii_lowercase(), section(&format!("types.{kind}"), name)?);
            }
        }
        if let Some(name) = &self.breaking {
            sections.breaking = section("breaking", name)?;
        }
        Ok(sections)
    }

    pub fn exclusions(&self) -> Result<Exclusions, globset::Error> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &self.exclude {
            let pattern = pattern.trim_end_matches('/');
            builder.add(globset::GlobBuilder::new(pattern).literal_separator(true).build()?);
            if let Some(dir) = pattern.strip_suffix("/**") {
                builder.add(globset::GlobBuilder::new(dir).literal_separator(true).build()?);
            }
        }
        Ok(Exclusions { globs: builder.build()? })
    }
}

impl Exclusions {
    /// `dir` is repository-relative without a trailing `/`; "" is the root,
    /// which only the glob `.` excludes.
    pub fn is_excluded(&self, dir: &[u8]) -> bool {
        use std::os::unix::ffi::OsStrExt as _;
        if dir.is_empty() {
            return self.globs.is_match(".");
        }
        let mut end = dir.len();
        loop {
            if self.globs.is_match(std::ffi::OsStr::from_bytes(&dir[..end])) {
                return true;
            }
            match dir[..end].iter().rposition(|&b| b == b'/') {
                Some(slash) => end = slash,
                None => return false,
            }
        }
    }
}

impl Default for Rationale {
    fn default() -> Self {
        Rationale { required: true }
    }
}

impl Default for Changelog {
    fn default() -> Self {
        Changelog {
            exclude: Vec::new(),
            root_summary: true,
            malformed: Malformed::Refuse,
            types: None,
            breaking: None,
        }
    }
}

/// Read `path`, or the defaults when it does not exist.
pub fn load(path: &Path) -> Result<Config, CommandError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(CommandError::environment(format!("cannot read {}: {e}", path.display())));
        }
    };
    // Bad content is a usage error (exit 2), like any malformed setting;
    // only failing to read the file is the environment's.
    let text = String::from_utf8(bytes).map_err(|e| {
        CommandError::usage(format!(
            "{} is not UTF-8 (byte {} is not valid UTF-8): TOML files are UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
        .hint("re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or compare it with the defaults in `trail docs configuration`")
    })?;
    parse(&text).map_err(|e| {
        CommandError::usage(format!(
            "{} is not a valid trail policy: {}",
            path.display(),
            e.to_string().trim_end()
        ))
        .hint("fix the file, or compare it with the defaults in `trail docs configuration`")
    })
}

pub fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
    config.changelog.exclusions().map_err(|e| format!("[changelog] exclude: {e}"))?;
    config.changelog.sections().map_err(|e| format!("[changelog] {e}"))?;
    if config.sync.checkpoint_interval == 0 {
        return Err("[sync] checkpoint_interval must be at least 1".into());
    }
    if config.sync.remote.is_empty() || config.sync.remote.starts_with('-') {
        return Err("[sync] remote must name a git remote".into());
    }
    if config.protect.is_some() {
        trail_policy::Protect::from_toml(text).map_err(|e| e.to_string())?;
    }
    Ok(config)
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
        assert_eq!(config.watch.max_blob_size, defaults.watch.max_blob_size);
        assert_eq!(config.watch.debounce_ms, defaults.watch.debounce_ms);
        assert_eq!(config.sync.checkpoints, defaults.sync.checkpoints);
        assert_eq!(config.sync.checkpoint_interval, defaults.sync.checkpoint_interval);
        assert_eq!(config.sync.remote, defaults.sync.remote);
        assert_eq!(config.sync.auto, defaults.sync.auto);
        // An empty file means "all defaults".
        assert!(parse("").expect("empty is valid").rationale.required);
    }

    #[test]
    fn exclusions_cover_a_directory_and_everything_below() {
        let config = parse("[changelog]\nexclude = [\"vendor/**\", \"docs/*\", \"build\"]\n")
            .expect("valid");
        let ex = config.changelog.exclusions().expect("globs compile");
        for dir in ["vendor", "vendor/a/b", "docs/api", "docs/api/v1", "build", "build/x"] {
            assert!(ex.is_excluded(dir.as_bytes()), "{dir} should be excluded");
        }
        for dir in ["", "docs", "src", "vendors", "src/vendor"] {
            assert!(!ex.is_excluded(dir.as_bytes()), "{dir} should not be excluded");
        }
        assert!(parse("[changelog]\nexclude = [\"a[\"]\n").is_err(), "a bad glob is refused");
        assert_eq!(
            parse("[changelog]\nmalformed = \"skip\"\n").expect("valid").changelog.malformed,
            Malformed::Skip
        );
        assert!(parse("[changelog]\nmalformed = \"ignore\"\n").is_err());
    }

    #[test]
    fn changelog_types_replace_the_built_in_table_and_are_checked() {
        let default = parse("").expect("valid").changelog.sections().expect("valid");
        assert_eq!(default, trail_changelog::Sections::default());
        let config = parse("[changelog]\ntypes = { Perf = \"changed\" }\nbreaking = \"Removed\"\n")
            .expect("valid");
        let sections = config.changelog.sections().expect("valid");
        assert_eq!(sections.types.len(), 1);
        assert_eq!(sections.types["perf"], trail_changelog::Section::Changed);
        assert_eq!(sections.breaking, trail_changelog::Section::Removed);
        let bad = parse("[changelog]\ntypes = { fix = \"Fixd\" }\n").expect_err("refused");
        assert!(bad.contains("types.fix = \"Fixd\" is not a Keep a Changelog section"), "{bad}");
        assert!(parse("[changelog]\nbreaking = \"Breaking\"\n").is_err());
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused() {
        assert!(parse("[rationale]\nrequried = true\n").is_err());
        assert!(parse("[rationale]\nrequired = \"yes\"\n").is_err());
        assert!(parse("not toml at all = = =").is_err());
    }

    #[test]
    fn protect_is_accepted_and_validated_by_trail_policy() {
        let config = parse("[protect]\npaths = [\"tools/**\"]\nstrict = true\n").expect("valid");
        assert!(config.protect.is_some());
        assert!(parse(DEFAULT_TOML).expect("valid").protect.is_none(), "the example is commented");
        let typo = parse("[protect]\nignroe = []\n").expect_err("unknown key");
        assert!(typo.contains("ignroe"), "{typo}");
        let key = parse("[protect]\nauthorizers = [\"ed25519:nope\"]\n").expect_err("bad key");
        assert!(key.contains("authorizers[0]"), "{key}");
        let glob = parse("[protect]\npaths = [\"a[\"]\n").expect_err("bad glob");
        assert!(glob.contains("paths"), "{glob}");
        assert!(parse("protect = 3\n").is_err(), "[protect] must be a table");
    }
}
