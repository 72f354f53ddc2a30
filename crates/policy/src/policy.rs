//! The `[protect]` table of `trail.toml` and the compiled-in default
//! protected set (DESIGN.md §6).

use std::sync::LazyLock;

use serde::Deserialize;

use crate::glob;
use crate::keys::{KeyError, KeyId, PublicKey};

/// The policy file. It is always protected, whatever `[protect]` says: a
/// change that loosens the policy needs the authorization the policy asks for.
pub const POLICY_FILE: &str = "trail.toml";

/// The default protected set: DESIGN.md §6's list with the client
/// configurations found since (docs/protection.md ("What counts as protected")), then wrapper
/// scripts. Globs are anchored at the repository
/// root (`opencode.json*` is the root's only); `**/` means "in any directory,
/// the root included". They match case-insensitively: on macOS and Windows a
/// file committed as `.MCP.json` is what a client opening `.mcp.json` reads.
pub const DEFAULT_PROTECTED: &[&str] = &[
    ".mcp.json",
    "**/mcp.json",
    ".cursor/mcp.json",
    ".vscode/mcp.json",
    ".gemini/settings.json",
    ".codex/config.toml",
    ".zed/settings.json",
    ".continue/**",
    ".roo/mcp.json",
    ".kiro/settings/mcp.json",
    "opencode.json*",
    "**/claude_desktop_config.json",
    "**/mcp_config.json",
    "**/*mcp_settings.json",
    "**/mcp-config.json",
    "**/managed-mcp.json",
    // Client configurations found since DESIGN.md §6 was written; each row of
    // docs/protection.md ("What counts as protected") names the client and its documentation.
    "**/opencode.{json,jsonc}",
    "**/.opencode/{plugin,plugins}/**",
    "**/.claude/settings.json",
    "**/.claude/settings.local.json",
    "**/.cursor/hooks.json",
    "**/.amp/settings.{json,jsonc}",
    "**/{crush.json,.crush.json,crushrc,.crushrc}",
    "**/.crush/plugins/**",
    ".devcontainer.json",
    ".devcontainer/**/devcontainer.json",
    "**/.codex/config.toml",
    "**/mcp/**",
    "**/*mcp*.{sh,py,js,mjs,ts,ps1}",
];

/// Compiled once per process, when a path could match
/// ([`could_be_default`]): compiling the set's regular expressions is a
/// millisecond of every commit's pre-commit.
static DEFAULTS: LazyLock<Option<globset::GlobSet>> =
    LazyLock::new(|| glob::set(DEFAULT_PROTECTED.iter().copied(), true).ok());

/// Literals one of which every match of every [`DEFAULT_PROTECTED`] glob
/// holds (ASCII case folded, as the defaults match):
/// `tests::every_default_glob_holds_a_token` proves it glob by glob, so a
/// path holding none is matched by no default glob.
const DEFAULT_TOKENS: &[&str] = &[
    "mcp",
    ".gemini/",
    ".codex/",
    ".zed/",
    ".continue/",
    "opencode",
    "claude",
    ".cursor/",
    ".amp/",
    "crush",
    ".devcontainer",
];

/// Whether a [`DEFAULT_PROTECTED`] glob could match `path`: it holds one
/// of [`DEFAULT_TOKENS`].
fn could_be_default(path: &[u8]) -> bool {
    let folded = glob::fold_case(path);
    DEFAULT_TOKENS.iter().any(|token| folded.windows(token.len()).any(|w| w == token.as_bytes()))
}

/// Why a `trail.toml` has no valid `[protect]` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not TOML, a wrong type, or a key `[protect]` does not know (the
    /// message, from the TOML parser, names the line and the key).
    #[error("{message}")]
    Syntax { message: String },
    #[error("[protect] authorizers[{index}]: {error}")]
    Authorizer { index: usize, error: KeyError },
    #[error("[protect] authorizers: key {id} is listed twice")]
    DuplicateAuthorizer { id: KeyId },
    #[error("[protect] {field}: `{pattern}` is not a valid glob: {message}")]
    Glob { field: &'static str, pattern: String, message: String },
    #[error(
        "[protect] {field}: `{value}` is not a duration (a number and s, m, h or d: `8h`, `1d`)"
    )]
    Duration { field: &'static str, value: String },
}

/// `30s`, `15m`, `8h`, `2d`, or `0`: a non-negative duration of at most a year.
fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(chrono::Duration::zero());
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let number: i64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds <= 366 * 86_400).then(|| chrono::Duration::seconds(seconds))
}

/// The `[protect]` settings of a repository's committed `trail.toml`.
///
/// Callers must read it from the policy **at HEAD** (or, on a server, at the
/// pushed commit's parent), never from the staged file or a local override,
/// so a change cannot loosen its own check.
#[derive(Debug, Clone)]
pub struct Protect {
    authorizers: Vec<PublicKey>,
    paths: Vec<String>,
    ignore: Vec<String>,
    strict: bool,
    content_signatures: bool,
    extra: globset::GlobSet,
    ignored: globset::GlobSet,
    branches: Vec<String>,
    branch_set: globset::GlobSet,
    receive_grace: chrono::Duration,
}

/// How long after a token's expiry a server still accepts it at receive,
/// unless `[protect] receive_grace` says otherwise: a working day, so a change
/// committed with a fresh token can be pushed later that day.
pub const DEFAULT_RECEIVE_GRACE_SECS: i64 = 8 * 3600;

#[derive(Deserialize)]
struct File {
    // Other tables belong to other readers (the CLI's config): ignored here.
    #[serde(default)]
    protect: Option<Raw>,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Raw {
    authorizers: Vec<String>,
    paths: Vec<String>,
    ignore: Vec<String>,
    strict: bool,
    content_signatures: bool,
    branches: Vec<String>,
    receive_grace: Option<String>,
}

impl Default for Raw {
    fn default() -> Self {
        Raw {
            authorizers: Vec::new(),
            paths: Vec::new(),
            ignore: Vec::new(),
            strict: false,
            content_signatures: true,
            branches: Vec::new(),
            receive_grace: None,
        }
    }
}

impl Default for Protect {
    /// The policy of a repository without `[protect]`: the default set,
    /// content signatures on, no authorizers (so nothing protected can be
    /// authorized until the bootstrap commit adds one).
    fn default() -> Self {
        Protect {
            authorizers: Vec::new(),
            paths: Vec::new(),
            ignore: Vec::new(),
            strict: false,
            content_signatures: true,
            extra: globset::GlobSet::empty(),
            ignored: globset::GlobSet::empty(),
            branches: Vec::new(),
            branch_set: globset::GlobSet::empty(),
            receive_grace: chrono::Duration::seconds(DEFAULT_RECEIVE_GRACE_SECS),
        }
    }
}

impl Protect {
    /// Read the `[protect]` table of a whole `trail.toml`. Other tables are
    /// ignored; an unknown key inside `[protect]` is refused (a misspelt
    /// `ignroe` must not silently leave the defaults in force — or worse, a
    /// misspelt `paths` leave a team's script unprotected).
    pub fn from_toml(text: &str) -> Result<Protect, PolicyError> {
        let file: File = toml::from_str(text)
            .map_err(|e| PolicyError::Syntax { message: e.to_string().trim_end().to_owned() })?;
        let raw = file.protect.unwrap_or_default();
        let mut authorizers: Vec<PublicKey> = Vec::with_capacity(raw.authorizers.len());
        for (index, line) in raw.authorizers.iter().enumerate() {
            let key = PublicKey::parse_line(line)
                .map_err(|error| PolicyError::Authorizer { index, error })?;
            if authorizers.iter().any(|k| k.id() == key.id()) {
                return Err(PolicyError::DuplicateAuthorizer { id: key.id().clone() });
            }
            authorizers.push(key);
        }
        let compile = |field: &'static str, patterns: &[String], case_insensitive: bool| {
            glob::set(patterns.iter().map(String::as_str), case_insensitive)
                .map_err(|(pattern, message)| PolicyError::Glob { field, pattern, message })
        };
        let extra = compile("paths", &raw.paths, true)?;
        // `ignore` narrows protection, so it matches exactly (case-sensitively):
        // when in doubt a path stays protected.
        let ignored = compile("ignore", &raw.ignore, false)?;
        // Branch names match exactly, as git compares them.
        let branch_set = compile("branches", &raw.branches, false)?;
        let receive_grace = match &raw.receive_grace {
            None => chrono::Duration::seconds(DEFAULT_RECEIVE_GRACE_SECS),
            Some(text) => parse_duration(text).ok_or_else(|| PolicyError::Duration {
                field: "receive_grace",
                value: text.clone(),
            })?,
        };
        Ok(Protect {
            authorizers,
            paths: raw.paths,
            ignore: raw.ignore,
            strict: raw.strict,
            content_signatures: raw.content_signatures,
            extra,
            ignored,
            branches: raw.branches,
            branch_set,
            receive_grace,
        })
    }

    /// `[protect] branches`: globs of branch names (`main`, `release/*`)
    /// whose history a server keeps: no non-fast-forward update, no
    /// deletion. The server's default branch is always such a branch.
    pub fn branches(&self) -> &[String] {
        &self.branches
    }

    /// Whether `[protect] branches` names the branch `name` (`refs/heads/…`
    /// or the short name).
    pub fn protects_branch(&self, name: &str) -> bool {
        let short = name.strip_prefix("refs/heads/").unwrap_or(name);
        self.branch_set.is_match(short) || self.branch_set.is_match(name)
    }

    /// `[protect] receive_grace`: how long after its expiry a server still
    /// accepts a token, judged by the server's clock when the push arrives.
    pub fn receive_grace(&self) -> chrono::Duration {
        self.receive_grace
    }

    /// The authorizers' public keys, in the file's order.
    pub fn authorizers(&self) -> &[PublicKey] {
        &self.authorizers
    }

    /// The authorizer whose key id is `id`.
    pub fn authorizer(&self, id: &KeyId) -> Option<&PublicKey> {
        self.authorizers.iter().find(|k| k.id() == id)
    }

    /// The team's extra protected globs (`[protect] paths`).
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The team's exceptions to the default set (`[protect] ignore`).
    pub fn ignore(&self) -> &[String] {
        &self.ignore
    }

    /// `[protect] strict`: install the reference-transaction veto.
    pub fn strict(&self) -> bool {
        self.strict
    }

    /// `[protect] content_signatures`: protect any file whose content defines
    /// MCP servers (default true).
    pub fn content_signatures(&self) -> bool {
        self.content_signatures
    }

    /// The team's `paths` glob matching `path`.
    pub(crate) fn extra_match(&self, path: &[u8]) -> Option<&str> {
        first_match(&self.extra, &self.paths, path)
    }

    pub(crate) fn is_ignored(&self, path: &[u8]) -> bool {
        self.ignored.is_match(glob::path(path))
    }

    /// Whether a glob protects `path`: one of the team's `paths`, or a
    /// default glob that `ignore` does not take out — what
    /// [`crate::protected`] answers with [`crate::Reason::Glob`]. The cheap
    /// test for looking through a whole tree for MCP configurations.
    pub fn glob_protects(&self, path: &[u8]) -> bool {
        let candidate = globset::Candidate::new(glob::path(path));
        if self.extra.is_match_candidate(&candidate) {
            return true;
        }
        if self.ignored.is_match_candidate(&candidate) || crate::decide::is_changelog(path) {
            return false;
        }
        could_be_default(path)
            && DEFAULTS.as_ref().is_none_or(|set| set.is_match_candidate(&candidate))
    }
}

/// The first default glob (in [`DEFAULT_PROTECTED`]'s order) matching `path`.
pub(crate) fn default_match(path: &[u8]) -> Option<&'static str> {
    if !could_be_default(path) {
        return None;
    }
    match DEFAULTS.as_ref() {
        Some(set) => set.matches(glob::path(path)).into_iter().next().map(|i| DEFAULT_PROTECTED[i]),
        // The defaults are constants a test compiles; were they ever broken,
        // protecting everything is the only safe answer.
        None => Some("*"),
    }
}

fn first_match<'a>(set: &globset::GlobSet, patterns: &'a [String], path: &[u8]) -> Option<&'a str> {
    set.matches(glob::path(path)).into_iter().next().map(|i| patterns[i].as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The proof behind [`could_be_default`]: in each alternative of each
    /// default glob, a token stands inside one run of literal characters
    /// (no `*`, `?`, `[`, `]`, `{`, `}` or `\\` within it), so every path the
    /// alternative matches holds that token, case folded as the set folds.
    #[test]
    fn every_default_glob_holds_a_token() {
        for pattern in DEFAULT_PROTECTED {
            let alternatives = glob::expand_braces(pattern);
            assert!(!alternatives.is_empty(), "{pattern}");
            for alternative in alternatives {
                let folded = alternative.to_ascii_lowercase();
                let runs: Vec<&str> = folded.split(['*', '?', '[', ']', '{', '}', '\\']).collect();
                assert!(
                    DEFAULT_TOKENS.iter().any(|t| runs.iter().any(|run| run.contains(t))),
                    "{pattern} ({alternative}) holds no token of DEFAULT_TOKENS in one literal run"
                );
            }
        }
    }

    proptest! {
        /// No path the default set matches is passed over by the token test.
        #[test]
        fn the_token_test_never_hides_a_default_match(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "src", ".MCP.json", "mcp", "Mcp", ".cursor", ".Cursor", "mcp.json",
                    ".gemini", "settings.json", ".codex", "config.toml", ".zed", ".continue",
                    "x", "opencode.json", ".opencode", "plugins", ".claude", "claude_desktop_config.json",
                    ".amp", "settings.jsonc", "crushrc", ".crush", ".devcontainer.json",
                    ".devcontainer", "devcontainer.json", "run_mcp.sh", "hooks.json", "\u{e9}",
                ]),
                1..6,
            )
        ) {
            let path = parts.join("/");
            let set = DEFAULTS.as_ref().expect("the defaults compile");
            if set.is_match(glob::path(path.as_bytes())) {
                prop_assert!(could_be_default(path.as_bytes()), "{path}");
            }
        }
    }

    fn matches(pattern: &str, path: &str) -> bool {
        glob::compile(pattern, true)
            .expect("default glob compiles")
            .compile_matcher()
            .is_match(path)
    }

    /// Each default pattern with paths it must and must not match.
    const CASES: &[(&str, &[&str], &[&str])] = &[
        (".mcp.json", &[".mcp.json", ".MCP.json"], &["sub/.mcp.json", ".mcp.json.bak"]),
        ("**/mcp.json", &["mcp.json", "a/mcp.json", "a/b/mcp.json"], &["xmcp.json", "a/mcp.jsonc"]),
        (".cursor/mcp.json", &[".cursor/mcp.json"], &["a/.cursor/mcp.json", ".cursor/mcp.js"]),
        (
            ".vscode/mcp.json",
            &[".vscode/mcp.json"],
            &["x/.vscode/mcp.json", ".vscode/settings.json"],
        ),
        (".gemini/settings.json", &[".gemini/settings.json"], &["a/.gemini/settings.json"]),
        (".codex/config.toml", &[".codex/config.toml"], &["a/.codex/config.toml", ".codex/x.toml"]),
        (
            ".zed/settings.json",
            &[".zed/settings.json"],
            &[".zed/tasks.json", "a/.zed/settings.json"],
        ),
        (
            ".continue/**",
            &[".continue/config.yaml", ".continue/mcpServers/a.yaml"],
            &[".continue", "a/.continue/x"],
        ),
        (".roo/mcp.json", &[".roo/mcp.json"], &[".roo/rules.md"]),
        (".kiro/settings/mcp.json", &[".kiro/settings/mcp.json"], &[".kiro/mcp.json"]),
        (
            "opencode.json*",
            &["opencode.json", "opencode.jsonc"],
            &["a/opencode.json", "opencode.yaml"],
        ),
        (
            "**/claude_desktop_config.json",
            &["claude_desktop_config.json", "cfg/claude_desktop_config.json"],
            &["claude_desktop_config.json.txt"],
        ),
        (
            "**/mcp_config.json",
            &["mcp_config.json", "a/b/mcp_config.json"],
            &["mcp_config.jsonc", "xmcp_config.yaml"],
        ),
        (
            "**/*mcp_settings.json",
            &["mcp_settings.json", "a/cline_mcp_settings.json"],
            &["mcp_settings.yaml", "mcp_settings/x.json"],
        ),
        ("**/mcp-config.json", &["mcp-config.json", "a/mcp-config.json"], &["mcp-config.yaml"]),
        (
            "**/managed-mcp.json",
            &["managed-mcp.json", "etc/managed-mcp.json"],
            &["managed-mcp.json5"],
        ),
        (
            "**/opencode.{json,jsonc}",
            &["opencode.jsonc", ".opencode/opencode.json", "a/b/opencode.jsonc"],
            &["opencode.json5", "a/opencode.yaml", "a/opencode.json.bak"],
        ),
        (
            "**/.opencode/{plugin,plugins}/**",
            &[".opencode/plugins/a.ts", "x/.opencode/plugin/p/index.js"],
            &[".opencode/agent/a.md", ".opencode/plugins"],
        ),
        (
            "**/.claude/settings.json",
            &[".claude/settings.json", "svc/.claude/settings.json"],
            &[".claude/settings.json.bak", ".claude/agents/settings.json"],
        ),
        (
            "**/.claude/settings.local.json",
            &[".claude/settings.local.json", "a/.claude/settings.local.json"],
            &[".claude/local.json"],
        ),
        (
            "**/.cursor/hooks.json",
            &[".cursor/hooks.json", "a/.cursor/hooks.json"],
            &[".cursor/hooks/format.sh", "hooks.json"],
        ),
        (
            "**/.amp/settings.{json,jsonc}",
            &[".amp/settings.json", "a/.amp/settings.jsonc"],
            &[".amp/other.json", "amp/settings.json"],
        ),
        (
            "**/{crush.json,.crush.json,crushrc,.crushrc}",
            &["crush.json", "a/.crush.json", ".crushrc", "svc/crushrc"],
            &["crush.jsonc", "crushrc.bak", "xcrush.json"],
        ),
        (
            "**/.crush/plugins/**",
            &[".crush/plugins/p.sh", "a/.crush/plugins/x/y.sh"],
            &[".crush/state.json", ".crush/plugins"],
        ),
        (".devcontainer.json", &[".devcontainer.json"], &["a/.devcontainer.json"]),
        (
            ".devcontainer/**/devcontainer.json",
            &[".devcontainer/devcontainer.json", ".devcontainer/py/devcontainer.json"],
            &["a/.devcontainer/devcontainer.json", ".devcontainer/Dockerfile"],
        ),
        (
            "**/.codex/config.toml",
            &[".codex/config.toml", "svc/.codex/config.toml"],
            &[".codex/other.toml", "codex/config.toml"],
        ),
        ("**/mcp/**", &["mcp/server.py", "tools/mcp/a/b.txt"], &["mcp", "mcpx/a.py", "a/mcp"]),
        (
            "**/*mcp*.{sh,py,js,mjs,ts,ps1}",
            &[
                "run-mcp.sh",
                "a/mcp_server.py",
                "b/MyMcp.ts",
                "mcp.mjs",
                "x/mcp.ps1",
                "s/mcp-wrap.js",
            ],
            &["mcp.rb", "run-mcp.sh.txt", "mcp.d/x.sh", "server.py"],
        ),
    ];

    #[test]
    fn each_default_pattern_matches_what_it_should_and_nothing_else() {
        assert_eq!(CASES.len(), DEFAULT_PROTECTED.len(), "a case for every default pattern");
        for ((pattern, yes, no), listed) in CASES.iter().zip(DEFAULT_PROTECTED) {
            assert_eq!(pattern, listed, "cases follow DEFAULT_PROTECTED's order");
            for path in *yes {
                assert!(matches(pattern, path), "{pattern} should match {path}");
            }
            for path in *no {
                assert!(!matches(pattern, path), "{pattern} should not match {path}");
            }
        }
        assert!(DEFAULTS.is_some(), "the default set compiles");
    }

    #[test]
    fn the_default_set_as_a_whole() {
        assert_eq!(default_match(b".mcp.json"), Some(".mcp.json"));
        assert_eq!(default_match(b".cursor/mcp.json"), Some("**/mcp.json"));
        assert_eq!(default_match(b"tools/mcp/run"), Some("**/mcp/**"));
        for path in ["src/main.rs", "README.md", "package.json", "docs/mcp.md", "trail.toml"] {
            assert_eq!(default_match(path.as_bytes()), None, "{path}");
        }
        // Not UTF-8: matched as bytes, no panic.
        assert_eq!(default_match(b"a/\xff/mcp.json"), Some("**/mcp.json"));
    }

    #[test]
    fn an_empty_or_absent_table_is_the_default_policy() {
        for text in ["", "[rationale]\nrequired = false\n", "[protect]\n"] {
            let p = Protect::from_toml(text).expect("valid");
            assert!(p.authorizers().is_empty());
            assert!(p.content_signatures());
            assert!(!p.strict());
            assert!(p.paths().is_empty() && p.ignore().is_empty());
        }
    }

    #[test]
    fn branches_and_the_receive_grace_parse_and_are_checked() {
        let p = Protect::default();
        assert_eq!(p.receive_grace(), chrono::Duration::hours(8));
        assert!(
            !p.protects_branch("refs/heads/main"),
            "the default branch is the server's to name"
        );
        let p = Protect::from_toml(
            "[protect]\nbranches = [\"release/*\", \"main\"]\nreceive_grace = \"30m\"\n",
        )
        .expect("valid");
        assert!(p.protects_branch("refs/heads/release/1.0"));
        assert!(p.protects_branch("main"));
        assert!(!p.protects_branch("refs/heads/Main"), "branch names match exactly");
        assert!(!p.protects_branch("refs/heads/topic"));
        assert_eq!(p.receive_grace(), chrono::Duration::minutes(30));
        for (text, grace) in [("0", 0), ("45s", 45), ("1d", 86_400)] {
            let toml = format!("[protect]\nreceive_grace = \"{text}\"\n");
            let p = Protect::from_toml(&toml).expect("valid");
            assert_eq!(p.receive_grace(), chrono::Duration::seconds(grace), "{text}");
        }
        for bad in ["8", "h", "-1h", "8 hours", "9999d", ""] {
            let toml = format!("[protect]\nreceive_grace = \"{bad}\"\n");
            let error = Protect::from_toml(&toml).expect_err(bad).to_string();
            assert!(
                error.contains("receive_grace") && error.contains("duration"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn a_full_table_parses() {
        let key = crate::keys::PrivateKey::from_secret_bytes(&[1; 32]);
        let line = key.public().with_name(Some("Ada")).expect("name").to_line();
        let text = format!(
            "[changelog]\nwhatever = 1\n\n[protect]\nauthorizers = [\"{line}\"]\n\
             paths = [\"tools/**/*.sh\"]\nignore = [\"examples/**\"]\nstrict = true\n\
             content_signatures = false\n"
        );
        let p = Protect::from_toml(&text).expect("valid");
        assert_eq!(p.authorizers().len(), 1);
        assert_eq!(p.authorizer(key.id()).and_then(|k| k.name()), Some("Ada"));
        assert!(p.strict());
        assert!(!p.content_signatures());
        assert_eq!(p.extra_match(b"tools/a/b.sh"), Some("tools/**/*.sh"));
        assert!(p.is_ignored(b"examples/x/mcp.json"));
        assert!(!p.is_ignored(b"Examples/x/mcp.json"), "ignore is case-sensitive");
    }

    #[test]
    fn mistakes_are_refused_with_a_message_naming_them() {
        let e = Protect::from_toml("[protect]\nignroe = []\n").expect_err("unknown key");
        assert!(e.to_string().contains("ignroe"), "{e}");
        let e = Protect::from_toml("[protect]\nstrict = \"yes\"\n").expect_err("wrong type");
        assert!(matches!(e, PolicyError::Syntax { .. }), "{e}");
        let e = Protect::from_toml("protect = 3\n").expect_err("not a table");
        assert!(matches!(e, PolicyError::Syntax { .. }), "{e}");
        let e = Protect::from_toml("[protect]\nauthorizers = [\"rsa:abc\"]\n").expect_err("key");
        assert!(e.to_string().starts_with("[protect] authorizers[0]: "), "{e}");
        let e = Protect::from_toml("[protect]\npaths = [\"a[\"]\n").expect_err("glob");
        assert!(e.to_string().contains("paths: `a[`"), "{e}");
        let line = crate::keys::PrivateKey::from_secret_bytes(&[1; 32]).public().to_line();
        let e = Protect::from_toml(&format!(
            "[protect]\nauthorizers = [\"{line}\", \"{line} again\"]\n"
        ))
        .expect_err("duplicate");
        assert!(matches!(e, PolicyError::DuplicateAuthorizer { .. }), "{e}");
        assert!(Protect::from_toml("[protect\n").is_err());
    }

    proptest! {
        #[test]
        fn glob_protects_agrees_with_protected(path in "[a-z./_-]{0,8}(mcp|\\.mcp\\.json|/mcp/|settings\\.json|\\.sh|claude_desktop_config\\.json|/CHANGELOG\\.md)?[a-z./_-]{0,6}") {
            let policy = Protect::from_toml("[protect]\npaths = [\"tools/**\"]\nignore = [\"**/mcp/**\"]\n").expect("valid");
            for policy in [Protect::default(), policy] {
                let by_glob = matches!(crate::protected(&policy, path.as_bytes(), None), Some(crate::Reason::Glob(_)));
                prop_assert_eq!(policy.glob_protects(path.as_bytes()), by_glob, "{}", path);
            }
        }

        #[test]
        fn the_policy_parser_never_panics(text in any::<String>()) {
            let _ = Protect::from_toml(&text);
            let _ = Protect::from_toml(&format!("[protect]\n{text}"));
        }

        #[test]
        fn the_policy_parser_never_panics_on_near_misses(
            key in "(authorizers|paths|ignore|strict|content_signatures)",
            value in "(\\[(\"[^\"\\\\]{0,12}\",? ?){0,3}\\]|true|false|[0-9]{1,3}|\"[a-z:*]{0,8}\")",
        ) {
            let _ = Protect::from_toml(&format!("[protect]\n{key} = {value}\n"));
        }
    }
}
