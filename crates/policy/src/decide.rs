//! Decisions: is this path protected, and why.
//!
//! A path is protected, checking in this order, when it is
//! 1. `trail.toml` itself ([`Reason::PolicyFile`]) — always, whatever
//!    `[protect]` says;
//! 2. matched by the team's `[protect] paths` ([`Reason::Glob`]);
//! 3. — unless matched by `[protect] ignore`, which narrows what follows —
//!    matched by the default set ([`crate::DEFAULT_PROTECTED`], [`Reason::Glob`]);
//! 4. a script a protected MCP config launches ([`Reason::LaunchedBy`]), a
//!    file a protected script sources ([`Reason::SourcedBy`]), or the target
//!    of a protected symlink ([`Reason::TargetOf`]) — what the caller fed
//!    into [`Launched`];
//! 5. a file whose content defines MCP servers ([`Reason::ContentSignature`],
//!    unless `content_signatures = false`).
//!
//! Everything here is bounded. Content signatures read JSON (streaming, its
//! values skipped unless they matter) up to [`MAX_CONFIG`] bytes and other
//! formats up to [`MAX_PARSE`]; past that, any MCP marker in the bytes
//! protects the file ([`Signature::Oversized`]). Launched scripts are read
//! from configs up to [`MAX_CONFIG`]; a bigger config is reported
//! ([`ConfigTooLarge`], [`Launched::too_large`]) for the caller to refuse,
//! never skipped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use memchr::memmem;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::clients::{self, JsonShape};
use crate::launch::{self, Bases, Found, Mode};
use crate::policy::{DEFAULT_PROTECTED, POLICY_FILE, Protect, default_match};
use crate::{glob, jsonc, yaml};

/// The most content this module parses as TOML or YAML (1 MiB). MCP configs
/// are a few KiB; a bigger file is not parsed, so a hook's time stays
/// bounded (JSON is read streaming, up to [`MAX_CONFIG`]).
pub const MAX_PARSE: usize = 1 << 20;

/// The most content read for launched scripts or a JSON content signature
/// (64 MiB). Padding a config past the 1 MiB of [`MAX_PARSE`] must not hide
/// what it launches, so configs are read up to this hard cap, and a config
/// over it is an error ([`ConfigTooLarge`]) the caller turns into a refusal.
pub const MAX_CONFIG: usize = 64 << 20;

/// A protected config too large to read for the scripts it launches: the
/// change that brings it must be refused, since what it launches cannot be
/// known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigTooLarge {
    /// Over [`MAX_CONFIG`] bytes.
    #[error(
        "the MCP config is {size} bytes, over the {limit}-byte limit for reading what it launches"
    )]
    Bytes {
        /// Its size in bytes.
        size: usize,
        /// [`MAX_CONFIG`].
        limit: usize,
    },
    /// Its commands name more candidate paths than any real config does.
    #[error(
        "the MCP config names over {limit} paths it could launch, more than it can be checked for"
    )]
    Paths {
        /// The most paths read from one config (1 Mi).
        limit: usize,
    },
}

/// Why a path is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The policy file, `trail.toml`.
    PolicyFile,
    /// A protected glob (a default one or the team's `paths`) matches it.
    Glob(String),
    /// Its content defines MCP servers.
    ContentSignature(Signature),
    /// A protected MCP config (this path) launches it through `command`/`args`
    /// (or it lies in a directory such a config runs whole).
    LaunchedBy(Vec<u8>),
    /// It is a symlink to this protected path.
    SymlinkTo(Vec<u8>),
    /// A protected symlink (this path) points at it (or at a directory
    /// holding it): editing it changes what the link's readers get.
    TargetOf(Vec<u8>),
    /// A protected shell script (this path) reads it in with `source` or `.`.
    SourcedBy(Vec<u8>),
}

/// Which MCP content signature a file carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// JSON with a top-level `mcpServers` key.
    JsonMcpServers,
    /// JSON with a top-level `context_servers` key (Zed).
    JsonContextServers,
    /// TOML with a `[mcp_servers.…]` table (Codex).
    TomlMcpServers,
    /// YAML (`.yaml`/`.yml`) with a top-level `mcpServers:` (or `mcp-servers:`) key.
    YamlMcpServers,
    /// Looks like one of the above (it names an MCP key or hides a key behind
    /// an escape) but does not parse: protected to be safe.
    Unparsed,
    /// Too large to parse (over [`MAX_CONFIG`] for JSON, [`MAX_PARSE`] for
    /// the rest) and names an MCP key: protected unparsed.
    Oversized,
    /// JSON with a top-level `servers` map of MCP server entries (VS Code's
    /// `mcp.json` shape: entries with `command`, `url` or a transport `type`).
    JsonServers,
    /// JSON with a top-level `mcp` object or `mcp.*` key (OpenCode, Crush,
    /// VS Code `settings.json`).
    JsonMcp,
    /// JSON with `amp.mcpServers` (Amp).
    JsonAmpMcpServers,
    /// JSON with an MCP block nested in VS Code settings: a dev container's
    /// `customizations.vscode.mcp` or `customizations.vscode.settings.mcp`,
    /// a `*.code-workspace`'s `settings.mcp`.
    JsonNestedMcp,
    /// JSON that enables project MCP servers for Claude Code
    /// (`enableAllProjectMcpServers`, `enabledMcpjsonServers`).
    JsonClaudeMcpSettings,
    /// A Goose recipe with `extensions` (YAML or JSON, either recipe format).
    GooseExtensions,
    /// Markdown whose front matter defines MCP servers (`mcp-servers:` of a
    /// GitHub Copilot custom agent or agentic workflow, `mcpServers:`).
    FrontMatterMcpServers,
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signature::JsonMcpServers => "JSON with a top-level `mcpServers`",
            Signature::JsonContextServers => "JSON with a top-level `context_servers`",
            Signature::TomlMcpServers => "TOML with `[mcp_servers.…]`",
            Signature::YamlMcpServers => "YAML with a top-level `mcpServers:`",
            Signature::Unparsed => "names an MCP server key but does not parse",
            Signature::Oversized => "too large to parse and names an MCP server key",
            Signature::JsonServers => "JSON with a top-level `servers` map of MCP servers",
            Signature::JsonMcp => "JSON with a top-level `mcp` block",
            Signature::JsonAmpMcpServers => "JSON with `amp.mcpServers`",
            Signature::JsonNestedMcp => "JSON with an `mcp` block in VS Code settings",
            Signature::JsonClaudeMcpSettings => "JSON enabling Claude Code project MCP servers",
            Signature::GooseExtensions => "a Goose recipe with `extensions`",
            Signature::FrontMatterMcpServers => "Markdown front matter defining MCP servers",
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lossy = String::from_utf8_lossy;
        match self {
            Reason::PolicyFile => write!(f, "it is the policy file {POLICY_FILE}"),
            Reason::Glob(pattern) => write!(f, "it matches the protected glob `{pattern}`"),
            Reason::ContentSignature(kind) => write!(f, "its content defines MCP servers ({kind})"),
            Reason::LaunchedBy(config) => write!(f, "the MCP config {} launches it", lossy(config)),
            Reason::SymlinkTo(target) => {
                write!(f, "it is a symlink to the protected {}", lossy(target))
            }
            Reason::TargetOf(link) => {
                write!(f, "the protected symlink {} points at it", lossy(link))
            }
            Reason::SourcedBy(script) => {
                write!(f, "the protected script {} sources it", lossy(script))
            }
        }
    }
}

/// Why `path` (repository-relative, `/`-separated) is protected, or `None`.
/// `content` is the file's new content (staged blob), when the caller has it;
/// without it no content signature is looked for. Launched scripts need the
/// configs: see [`protected_with`].
pub fn protected(policy: &Protect, path: &[u8], content: Option<&[u8]>) -> Option<Reason> {
    protected_with(policy, path, content, &Launched::default())
}

/// [`protected`], also protecting the scripts that the configs in `launched`
/// start, the files its scripts source and its symlinks' targets.
pub fn protected_with(
    policy: &Protect,
    path: &[u8],
    content: Option<&[u8]>,
    launched: &Launched,
) -> Option<Reason> {
    protected_by(policy, path, launched, || content.and_then(|c| content_signature(path, c)))
}

/// [`protected_with`] for a file whose content signature the caller already
/// has (from [`content_signature`], or from a [`crate::ContentScan`] of
/// content too large to hold); `None` when it has none or knows no content.
pub fn protected_with_signature(
    policy: &Protect,
    path: &[u8],
    signature: Option<Signature>,
    launched: &Launched,
) -> Option<Reason> {
    protected_by(policy, path, launched, || signature)
}

/// The decision of [`protected_with`], the content signature looked for
/// (`signature` called) only when nothing else decides.
fn protected_by(
    policy: &Protect,
    path: &[u8],
    launched: &Launched,
    signature: impl FnOnce() -> Option<Signature>,
) -> Option<Reason> {
    if path == POLICY_FILE.as_bytes() {
        return Some(Reason::PolicyFile);
    }
    if let Some(pattern) = policy.extra_match(path) {
        return Some(Reason::Glob(pattern.to_owned()));
    }
    if policy.is_ignored(path) {
        return None;
    }
    if let Some(pattern) = default_match(path)
        && !is_changelog(path)
    {
        return Some(Reason::Glob(pattern.to_owned()));
    }
    if let Some(reason) = launched.reason(path) {
        return Some(reason);
    }
    if !policy.content_signatures() {
        return None;
    }
    signature().map(Reason::ContentSignature)
}

/// For a symlink at `link` whose target (the blob git stores for it) is
/// `target`: why the link is protected — because of its own path, or because
/// it points at a protected path ([`Reason::SymlinkTo`]). A protected link's
/// target is protected too once the caller registers the link with
/// [`Launched::add_symlink`].
pub fn protected_symlink(
    policy: &Protect,
    link: &[u8],
    target: &[u8],
    launched: &Launched,
) -> Option<Reason> {
    if let Some(reason) = protected_with(policy, link, None, launched) {
        return Some(reason);
    }
    // A link that stands for a protected directory (`.continue -> tools`,
    // `lib/mcp -> ../tools`): what is inside it is protected.
    if let Some(reason) = protected_with(policy, &inside(link), None, launched) {
        return Some(reason);
    }
    // A link that stands for a directory a protected glob reaches into
    // (`.claude -> tools/claude` for `**/.claude/settings.json`, `.cursor ->
    // x` for `.cursor/hooks.json`), or that holds a launched script
    // (`scripts -> lib` with `scripts/run.sh` launched): like a submodule
    // there, what it stands for is protected.
    if let Some(reason) = protected_gitlink_with(policy, link, launched) {
        return Some(reason);
    }
    let resolved = symlink_target(link, target)?;
    protected_with(policy, &resolved, None, launched)
        .or_else(|| protected_with(policy, &inside(&resolved), None, launched))
        .map(|_| Reason::SymlinkTo(resolved))
}

/// Why a submodule (gitlink) at `path` is protected, or `None`. Its content
/// is a commit id, not a file, so what matters is what a checkout puts
/// there: it is protected when its own path is, when it lies in a protected
/// directory (`scripts/mcp` under `**/mcp/**`, `.continue` under
/// `.continue/**`), or when a protected glob could match a path inside it
/// (`.vscode` because of `.vscode/mcp.json`; `.kiro` and `.kiro/settings`
/// because of `.kiro/settings/mcp.json`; `.devcontainer/py` because of
/// `.devcontainer/**/devcontainer.json`; `tools/.claude` because of
/// `**/.claude/settings.json`). A leading `**/` stands only for directories
/// above what follows it, so `**/mcp.json` alone does not make every
/// submodule protected. Comparisons fold ASCII case, like the globs.
pub fn protected_gitlink(policy: &Protect, path: &[u8]) -> Option<Reason> {
    protected_gitlink_with(policy, path, &Launched::default())
}

/// [`protected_gitlink`], also protecting a submodule that holds a script a
/// config in `launched` starts (`node tools/sub/server.js` with `tools/sub`
/// a submodule: updating it changes what runs).
pub fn protected_gitlink_with(
    policy: &Protect,
    path: &[u8],
    launched: &Launched,
) -> Option<Reason> {
    if let Some(reason) = protected_with(policy, path, None, launched)
        .or_else(|| protected_with(policy, &inside(path), None, launched))
    {
        return Some(reason);
    }
    if let Some(pattern) = policy.paths().iter().find(|p| glob::could_match_under(p, path)) {
        return Some(Reason::Glob(pattern.clone()));
    }
    // `ignore` narrows the defaults: they count unless what the submodule
    // holds is ignored.
    if !policy.is_ignored(&inside(path))
        && let Some(pattern) = DEFAULT_PROTECTED.iter().find(|p| glob::could_match_under(p, path))
    {
        return Some(Reason::Glob((*pattern).to_owned()));
    }
    launched.reason_inside(path)
}

/// Whether the directory `dir` lies in (or is) `root`, folding ASCII case.
fn contains(root: &[u8], dir: &[u8]) -> bool {
    let (root, dir) = (glob::fold_case(root), glob::fold_case(dir));
    dir == root || (dir.starts_with(&root) && dir.get(root.len()) == Some(&b'/'))
}

/// A path inside directory `dir`, to ask whether the directory's files are protected.
fn inside(dir: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    path.extend_from_slice(b"/x");
    path
}

/// Whether `path` is a `CHANGELOG.md`, which trail itself writes into every
/// directory a commit touches: the built-in globs leave it out (a
/// protected directory's changelog would otherwise make every authorized
/// commit there unauthorized); the team's `paths` can still name it.
pub(crate) fn is_changelog(path: &[u8]) -> bool {
    path.rsplit(|&b| b == b'/').next() == Some(b"CHANGELOG.md".as_slice())
}

/// The repository-relative path a symlink at `link` pointing to `target`
/// names, or `None` when it is absolute or leaves the repository.
pub fn symlink_target(link: &[u8], target: &[u8]) -> Option<Vec<u8>> {
    if target.starts_with(b"/") {
        return None;
    }
    glob::join(glob::parent(link), target)
}

/// The MCP content signature of a file at `path` with `content`, if any.
///
/// - content whose first significant byte (after blanks and `//`/`/* */`
///   comments) is `{` is read as JSON or JSONC (comments, trailing commas):
///   the client shapes of [`Signature`] — `mcpServers`, `context_servers`,
///   `servers` (VS Code), `mcp` (OpenCode, Crush, VS Code settings),
///   `amp.mcpServers`, `customizations.vscode…mcp`, `settings.mcp`,
///   `enableAllProjectMcpServers`/`enabledMcpjsonServers`, Goose `extensions`;
/// - `.yaml`/`.yml` files: a top-level key `mcpServers:` or `mcp-servers:`,
///   or a Goose recipe's `extensions:`;
/// - `.md` files: front matter with `mcp-servers:` or `mcpServers:`;
/// - anything naming `mcp_servers` (or holding a `\u`/`\U` escape, which could
///   spell it) is read as TOML: a top-level `mcp_servers` table.
///
/// A JSON file that does not parse even as JSONC but names an MCP key or
/// holds a `\u` escape, and a `.toml` file that does not parse but has an
/// `mcp_servers` table header, are [`Signature::Unparsed`]: protected.
pub fn content_signature(path: &[u8], content: &[u8]) -> Option<Signature> {
    let content = jsonc::strip_bom(content);
    let ext = extension(path);
    let ext = ext.as_deref();
    let config_like = matches!(ext, Some("json" | "jsonc" | "json5" | "toml" | "yaml" | "yml"));
    if jsonc::looks_like_object(content) {
        if content.len() > MAX_CONFIG {
            return oversized(content, true);
        }
        return json_signature(content);
    }
    if content.len() > MAX_PARSE {
        return oversized(content, config_like);
    }
    let text = std::str::from_utf8(content).ok();
    if matches!(ext, Some("yaml" | "yml"))
        && let Some(signature) = text.and_then(yaml_signature)
    {
        return Some(signature);
    }
    if matches!(ext, Some("md" | "markdown" | "mdx"))
        && let Some(front) = text.and_then(yaml::front_matter)
        && yaml::top_keys(front).iter().any(|k| matches!(*k, "mcp-servers" | "mcpServers" | "\\"))
    {
        return Some(Signature::FrontMatterMcpServers);
    }
    toml_signature(content, ext == Some("toml"))
}

/// Bytes that name an MCP key in one of the shapes above (case matters: these
/// are the spellings clients read).
pub(crate) const MARKERS: [&[u8]; 9] = [
    b"mcpServers",
    b"McpServers",
    b"Mcpjson",
    b"context_servers",
    b"mcp_servers",
    b"mcp-servers",
    b"\"servers\"",
    b"\"mcp\"",
    b"\"mcp.",
];

fn has_mcp_marker(content: &[u8]) -> bool {
    MARKERS.iter().any(|m| memmem::find(content, m).is_some())
        || (memmem::find(content, b"extensions").is_some()
            && memmem::find(content, b"cmd").is_some())
}

fn has_escape(content: &[u8]) -> bool {
    memmem::find(content, b"\\u").is_some() || memmem::find(content, b"\\U").is_some()
}

/// Content too large to parse: protected when it names an MCP key (or, when
/// it is config-like, holds an escape that could spell one).
fn oversized(content: &[u8], config_like: bool) -> Option<Signature> {
    let marked = has_mcp_marker(content) || (config_like && has_escape(content));
    marked.then_some(Signature::Oversized)
}

/// The lowercased extension of the last path component.
pub(crate) fn extension(path: &[u8]) -> Option<String> {
    let name = &path[path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1)..];
    let dot = name.iter().rposition(|&b| b == b'.')?;
    std::str::from_utf8(&name[dot + 1..]).ok().map(str::to_ascii_lowercase)
}

/// The client shapes of a JSON object's top-level members, read streaming:
/// the values of keys that do not matter are skipped unread, so a large
/// JSON file costs a scan, not a document in memory.
#[derive(Default)]
struct TopShapes(BTreeSet<JsonShape>);

impl<'de> serde::Deserialize<'de> for TopShapes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shapes;
        impl<'de> Visitor<'de> for Shapes {
            type Value = TopShapes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopShapes, A::Error> {
                let mut shapes = TopShapes::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if clients::needs_value(&key) {
                        let value: Value = map.next_value()?;
                        shapes.0.extend(clients::json_shape(&key, &value));
                    } else {
                        // Every member is looked at, duplicates included: a
                        // reader that keeps the last one still sees the MCP one.
                        shapes.0.extend(clients::json_shape(&key, &Value::Null));
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(shapes)
            }
        }
        deserializer.deserialize_map(Shapes)
    }
}

fn json_signature(content: &[u8]) -> Option<Signature> {
    match jsonc::parse::<TopShapes>(content) {
        Some(TopShapes(shapes)) => shapes.first().map(|shape| match shape {
            JsonShape::McpServers => Signature::JsonMcpServers,
            JsonShape::ContextServers => Signature::JsonContextServers,
            JsonShape::Amp => Signature::JsonAmpMcpServers,
            JsonShape::Servers => Signature::JsonServers,
            JsonShape::Mcp => Signature::JsonMcp,
            JsonShape::Nested => Signature::JsonNestedMcp,
            JsonShape::ClaudeSettings => Signature::JsonClaudeMcpSettings,
            JsonShape::Goose => Signature::GooseExtensions,
        }),
        None if content.len() > MAX_PARSE => oversized(content, true),
        None => (has_mcp_marker(content) || has_escape(content)).then_some(Signature::Unparsed),
    }
}

fn yaml_signature(text: &str) -> Option<Signature> {
    let keys = yaml::top_keys(text);
    if keys.iter().any(|k| matches!(*k, "mcpServers" | "mcp-servers")) {
        return Some(Signature::YamlMcpServers);
    }
    // A Goose recipe: `extensions:` beside the recipe's own keys, or nested
    // under `recipe:` (the desktop format). The recipe keys keep other tools'
    // top-level `extensions:` (Codeception's, say) out.
    let recipe = keys.iter().any(|k| matches!(*k, "title" | "instructions" | "prompt"));
    if (keys.contains(&"extensions") && recipe)
        || (keys.contains(&"recipe") && yaml::any_key_at_any_depth(text, "extensions"))
    {
        return Some(Signature::GooseExtensions);
    }
    // A quoted top-level key with an escape could spell `mcpServers`.
    keys.contains(&"\\").then_some(Signature::Unparsed)
}

fn toml_signature(content: &[u8], is_toml: bool) -> Option<Signature> {
    if memmem::find(content, b"mcp_servers").is_none() && !has_escape(content) {
        return None;
    }
    let parsed = std::str::from_utf8(content).ok().map(toml::from_str::<toml::Table>);
    match parsed {
        Some(Ok(table)) => match table.get("mcp_servers") {
            Some(toml::Value::Table(_)) => Some(Signature::TomlMcpServers),
            _ => None,
        },
        _ if is_toml => {
            let header = content.split(|&b| b == b'\n').any(|line| {
                let line = line.trim_ascii_start();
                line.starts_with(b"[") && memmem::find(line, b"mcp_servers").is_some()
                    || line.starts_with(b"mcp_servers")
            });
            header.then_some(Signature::Unparsed)
        }
        _ => None,
    }
}

/// The repository-relative paths of the scripts a protected MCP config at
/// `config_path` launches. See [`launched_scripts_checked`], which this is
/// with a config over [`MAX_CONFIG`] yielding nothing — use that one (or
/// [`Launched::too_large`]) where such a config must be refused.
pub fn launched_scripts(config_path: &[u8], content: &[u8]) -> Vec<Vec<u8>> {
    launched_scripts_checked(config_path, content).unwrap_or_default()
}

/// The repository-relative paths of the scripts a protected MCP config at
/// `config_path` with `content` launches, or [`ConfigTooLarge`] over
/// [`MAX_CONFIG`] bytes (the caller refuses the change: what it launches
/// cannot be known).
///
/// Read: every server entry of every client shape (JSON or JSONC:
/// `mcpServers`, `context_servers`, `servers`, `mcp`, `mcp.servers`,
/// `amp.mcpServers`, dev-container and workspace `…mcp.servers`, Goose
/// `extensions`; TOML `[mcp_servers.*]`; YAML `cmd`/`command`/`args`), the
/// shell commands of hooks and helpers (`hooks`, `statusLine`,
/// `apiKeyHelper`, Codex's `notify`), OpenCode's local `plugin` directories,
/// and — for a shell-script config (`crushrc`, a `*.sh` wrapper) — the
/// commands it runs. Each word is resolved against the config's directory,
/// the repository root, and the entry's `cwd` under either; the launch idioms
/// of docs/protection.md ("What counts as protected") add module files, `uv --directory` paths and
/// `cd` chains. Flags' values (`--config=./x`) count; URLs, absolute paths,
/// `~` and unknown variables do not; `${workspaceFolder}/`,
/// `${workspaceRoot}/` and `${CLAUDE_PROJECT_DIR}/` mean the root.
///
/// A path ending in `/` is a directory that counts whole (a local package:
/// `uvx --from ./pkg`, `uv --directory srv`, `node ./srv`).
///
/// It over-approximates on purpose: a name like `npx` yields the path `npx`,
/// which only matters if a file of that name is changed. The result is
/// sorted and has no duplicates.
pub fn launched_scripts_checked(
    config_path: &[u8],
    content: &[u8],
) -> Result<Vec<Vec<u8>>, ConfigTooLarge> {
    let found = launches(config_path, content)?;
    let dirs = found.dirs.into_iter().map(|mut dir| {
        dir.push(b'/');
        dir
    });
    let mut all: Vec<Vec<u8>> = found.files.into_iter().chain(dirs).collect();
    all.sort();
    all.dedup();
    Ok(all)
}

/// What the config at `config_path` launches, files and directories apart.
fn launches(config_path: &[u8], content: &[u8]) -> Result<Found, ConfigTooLarge> {
    if content.len() > MAX_CONFIG {
        return Err(ConfigTooLarge::Bytes { size: content.len(), limit: MAX_CONFIG });
    }
    let content = jsonc::strip_bom(content);
    let config_dir = glob::parent(config_path).to_vec();
    let mut bases: Bases = vec![config_dir, Vec::new()];
    bases.dedup();
    let mut found = Found::default();
    let name = config_path.rsplit(|&b| b == b'/').next().unwrap_or(config_path);
    let ext = extension(config_path);
    if matches!(ext.as_deref(), Some("sh" | "bash" | "zsh"))
        || name.eq_ignore_ascii_case(b"crushrc")
        || name.eq_ignore_ascii_case(b".crushrc")
    {
        launch::script_text(content, &bases, Mode::Commands, &mut found, 0);
        return checked(found);
    }
    let document: Option<Value> = if jsonc::looks_like_object(content) {
        jsonc::parse(content)
    } else if matches!(ext.as_deref(), Some("yaml" | "yml")) {
        let text = String::from_utf8_lossy(content);
        for entry in yaml::entries(&text) {
            let bases = match &entry.cwd {
                Some(cwd) => launch::under(&bases, cwd),
                None => bases.clone(),
            };
            launch::argv(&entry.argv, &bases, Mode::AllWords, &mut found, 0);
        }
        None
    } else {
        std::str::from_utf8(content)
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(text).ok())
            .and_then(|table| serde_json::to_value(table).ok())
    };
    let Some(Value::Object(top)) = document else {
        return checked(found);
    };
    for entry in clients::entries(&top) {
        let bases = match entry.cwd {
            Some(cwd) => launch::under(&bases, cwd),
            None => bases.clone(),
        };
        for argv in &entry.argvs {
            launch::argv(argv, &bases, Mode::AllWords, &mut found, 0);
        }
        for command in &entry.shell {
            launch::script_text(command.as_bytes(), &bases, Mode::AllWords, &mut found, 0);
        }
        for file in &entry.files {
            found.file(file, &bases);
        }
    }
    for plugin in clients::plugin_dirs(&top) {
        found.dir(plugin, &bases);
    }
    checked(found)
}

/// `found`, or the error when it overflowed (read in part, it would skip).
fn checked(found: Found) -> Result<Found, ConfigTooLarge> {
    match found.overflow {
        true => Err(ConfigTooLarge::Paths { limit: launch::MAX_LAUNCHED }),
        false => Ok(found),
    }
}

/// Why a path is in a [`Launched`] set: what registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Config(Vec<u8>),
    Sourced(Vec<u8>),
    Target(Vec<u8>),
}

impl Source {
    fn path(&self) -> &[u8] {
        match self {
            Source::Config(p) | Source::Sourced(p) | Source::Target(p) => p,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            Source::Config(p) => Reason::LaunchedBy(p.clone()),
            Source::Sourced(p) => Reason::SourcedBy(p.clone()),
            Source::Target(p) => Reason::TargetOf(p.clone()),
        }
    }
}

/// The paths protected by what other protected files do with them: the
/// scripts a set of protected MCP configs launch ([`Launched::add_config`]),
/// the files protected scripts source ([`Launched::add_sourced`]), and the
/// targets of protected symlinks ([`Launched::add_symlink`]), each with the
/// file that protects it. The caller feeds it the protected files it knows
/// of (at HEAD and staged) before asking [`protected_with`].
///
/// Paths are compared folding ASCII case (ASCII letters only), exactly as
/// the protected globs match: on a case-insensitive file system
/// `Scripts/Run.sh` is the `scripts/run.sh` a config launches.
#[derive(Debug, Clone, Default)]
pub struct Launched {
    /// Folded path → (the path as found, what protects it).
    files: BTreeMap<Vec<u8>, (Vec<u8>, Source)>,
    /// Folded directory → (the directory as found, what protects it):
    /// everything under it is protected.
    dirs: BTreeMap<Vec<u8>, (Vec<u8>, Source)>,
    /// Configs too large to read, with why.
    too_large: Vec<(Vec<u8>, ConfigTooLarge)>,
}

impl Launched {
    pub fn new() -> Launched {
        Launched::default()
    }

    /// Add the scripts the config at `config_path` with `content` launches.
    /// A script launched by several configs is attributed to the first added.
    /// A config over [`MAX_CONFIG`] is recorded in [`Launched::too_large`]
    /// (use [`Launched::add_config_checked`] to get the error at once).
    pub fn add_config(&mut self, config_path: &[u8], content: &[u8]) {
        if let Err(error) = self.add_config_checked(config_path, content) {
            self.too_large.push((config_path.to_vec(), error));
        }
    }

    /// [`Launched::add_config`], returning [`ConfigTooLarge`] for a config
    /// whose launched scripts cannot be read (nothing is added then).
    pub fn add_config_checked(
        &mut self,
        config_path: &[u8],
        content: &[u8],
    ) -> Result<(), ConfigTooLarge> {
        let found = launches(config_path, content)?;
        let own = glob::fold_case(config_path);
        let source = Source::Config(config_path.to_vec());
        for script in found.files {
            if glob::fold_case(&script) != own {
                insert(&mut self.files, script, &source);
            }
        }
        for dir in found.dirs {
            insert(&mut self.dirs, dir, &source);
        }
        Ok(())
    }

    /// Add the files the protected shell script at `script_path` with
    /// `content` sources ([`crate::sourced_scripts`]), protected by that script.
    pub fn add_sourced(&mut self, script_path: &[u8], content: &[u8]) {
        let source = Source::Sourced(script_path.to_vec());
        for file in launch::sourced_scripts(script_path, content) {
            insert(&mut self.files, file, &source);
        }
    }

    /// Register the protected symlink at `link` whose target (the blob git
    /// stores for it) is `target`: the path it resolves to is protected from
    /// then on ([`Reason::TargetOf`]) — as a file, and as a directory when it
    /// is one (`.continue -> tools` protects `tools/**`). Returns that path,
    /// or `None` when the target is absolute or leaves the repository (there
    /// is nothing in the repository to protect then). The caller registers
    /// every symlink it found protected, a launched script that is a symlink
    /// included, and may repeat with the result for chains of links.
    pub fn add_symlink(&mut self, link: &[u8], target: &[u8]) -> Option<Vec<u8>> {
        let resolved = symlink_target(link, target)?;
        let source = Source::Target(link.to_vec());
        insert(&mut self.files, resolved.clone(), &source);
        insert(&mut self.dirs, resolved.clone(), &source);
        Some(resolved)
    }

    /// The config (or script, or symlink) that protects `path` through this
    /// set, if any.
    pub fn launched_by(&self, path: &[u8]) -> Option<&[u8]> {
        self.source(path).map(Source::path)
    }

    /// Why this set protects `path`: [`Reason::LaunchedBy`],
    /// [`Reason::SourcedBy`] or [`Reason::TargetOf`].
    pub(crate) fn reason(&self, path: &[u8]) -> Option<Reason> {
        self.source(path).map(Source::reason)
    }

    fn source(&self, path: &[u8]) -> Option<&Source> {
        let folded = glob::fold_case(path);
        if let Some((_, source)) = self.files.get(&folded) {
            return Some(source);
        }
        // A launched directory protects what is in it, except the
        // CHANGELOG.md trail writes into every directory (see `is_changelog`).
        if is_changelog(path) {
            return None;
        }
        folded
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'/')
            .find_map(|(at, _)| self.dirs.get(&folded[..at]))
            .map(|(_, source)| source)
    }

    /// Why this set protects something inside the directory `dir` (a
    /// submodule's path), if it does.
    fn reason_inside(&self, dir: &[u8]) -> Option<Reason> {
        let within = |(key, (_, source)): (&Vec<u8>, &(Vec<u8>, Source))| {
            contains(dir, key).then(|| source.reason())
        };
        self.files.iter().find_map(within).or_else(|| self.dirs.iter().find_map(within))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty() && self.too_large.is_empty()
    }

    /// Every protected file path, with the config (or script, or symlink)
    /// that protects it.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.files.values().map(|(path, source)| (path.as_slice(), source.path()))
    }

    /// Every protected directory (everything under it is protected), with
    /// what protects it.
    pub fn dirs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.dirs.values().map(|(path, source)| (path.as_slice(), source.path()))
    }

    /// The configs [`Launched::add_config`] could not read because they are
    /// too large ([`ConfigTooLarge`]): a change that brings one must be
    /// refused, since what it launches is unknown.
    pub fn too_large(&self) -> impl Iterator<Item = (&[u8], &ConfigTooLarge)> {
        self.too_large.iter().map(|(path, error)| (path.as_slice(), error))
    }
}

fn insert(map: &mut BTreeMap<Vec<u8>, (Vec<u8>, Source)>, path: Vec<u8>, source: &Source) {
    map.entry(glob::fold_case(&path)).or_insert_with(|| (path, source.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy(text: &str) -> Protect {
        Protect::from_toml(text).expect("valid policy")
    }

    #[test]
    fn the_policy_file_is_always_protected() {
        let p =
            policy("[protect]\nignore = [\"trail.toml\", \"**\"]\ncontent_signatures = false\n");
        assert_eq!(protected(&p, b"trail.toml", None), Some(Reason::PolicyFile));
        assert_eq!(protected(&p, b"sub/trail.toml", None), None, "only the root's is the policy");
    }

    #[test]
    fn ignore_narrows_the_defaults_but_not_the_teams_paths() {
        let p =
            policy("[protect]\npaths = [\"ops/*.sh\"]\nignore = [\"examples/**\", \"ops/**\"]\n");
        assert_eq!(protected(&p, b"examples/mcp.json", None), None);
        assert_eq!(protected(&p, b"mcp.json", None), Some(Reason::Glob("**/mcp.json".into())));
        assert_eq!(protected(&p, b"ops/deploy.sh", None), Some(Reason::Glob("ops/*.sh".into())));
        let json = br#"{"mcpServers": {}}"#;
        assert_eq!(protected(&p, b"examples/any.json", Some(json)), None);
    }

    #[test]
    fn a_changelog_in_a_protected_directory_is_left_to_the_teams_paths() {
        let defaults = Protect::default();
        assert_eq!(protected(&defaults, b"scripts/mcp/CHANGELOG.md", None), None);
        assert_eq!(protected(&defaults, b".continue/CHANGELOG.md", None), None);
        assert!(protected(&defaults, b"scripts/mcp/run.sh", None).is_some());
        let p = policy("[protect]\npaths = [\"scripts/mcp/**\"]\n");
        assert!(protected(&p, b"scripts/mcp/CHANGELOG.md", None).is_some());
        // Launched as a script, it is protected like any other file.
        let mut launched = Launched::new();
        launched.add_config(
            b".mcp.json",
            br#"{"mcpServers":{"x":{"command":"sh","args":["scripts/mcp/CHANGELOG.md"]}}}"#,
        );
        assert!(protected_with(&defaults, b"scripts/mcp/CHANGELOG.md", None, &launched).is_some());
    }

    // Issue 17 review: a symlinked client directory, and a launched script
    // behind a symlinked directory, were not protected.
    #[test]
    fn a_symlink_standing_for_a_client_directory_or_a_launched_scripts_directory_is_protected() {
        let p = Protect::default();
        let none = Launched::new();
        assert!(protected_symlink(&p, b".claude", b"tools/claude", &none).is_some());
        assert!(protected_symlink(&p, b".cursor", b"x", &none).is_some());
        assert!(protected_symlink(&p, b"docs", b"site", &none).is_none());
        let mut launched = Launched::new();
        launched.add_config(
            b".mcp.json",
            br#"{"mcpServers": {"a": {"command": "bash", "args": ["scripts/run.sh"]}}}"#,
        );
        assert!(protected_symlink(&p, b"scripts", b"lib", &launched).is_some());
        assert!(protected_symlink(&p, b"scripts", b"lib", &none).is_none());
    }

    #[test]
    fn a_symlink_standing_for_a_protected_directory_is_protected() {
        let p = Protect::default();
        let none = Launched::new();
        assert!(protected_symlink(&p, b".continue", b"tools", &none).is_some());
        assert!(protected_symlink(&p, b"lib/mcp", b"../tools", &none).is_some());
        assert!(protected_symlink(&p, b"tools-link", b".continue", &none).is_some());
        assert_eq!(protected_symlink(&p, b"docs-link", b"docs", &none), None);
    }

    #[test]
    fn content_signatures_protect_any_path() {
        let p = Protect::default();
        let cases: &[(&str, &[u8], Signature)] = &[
            ("a/b.json", br#" {"mcpServers": {"x": {"command": "y"}}}"#, Signature::JsonMcpServers),
            ("notes.txt", br#"{"context_servers": {}}"#, Signature::JsonContextServers),
            ("x.json", br#"{"mcp\u0053ervers": {}}"#, Signature::JsonMcpServers),
            (
                "cfg/agent.toml",
                b"model = \"x\"\n[mcp_servers.docs]\ncommand = \"npx\"\n",
                Signature::TomlMcpServers,
            ),
            ("weird", b"mcp_servers.docs.command = \"npx\"\n", Signature::TomlMcpServers),
            ("c.yaml", b"name: x\nmcpServers:\n  - name: a\n", Signature::YamlMcpServers),
            ("c.yml", b"\"mcpServers\" :\n", Signature::YamlMcpServers),
            ("c.jsonc", b"{ // comment\n \"mcpServers\": {} }", Signature::JsonMcpServers),
            ("broken.json", b"{ \"mcpServers\": {", Signature::Unparsed),
            ("broken.toml", b"[mcp_servers.x\ncommand = 1", Signature::Unparsed),
        ];
        for (path, content, kind) in cases {
            assert_eq!(
                protected(&p, path.as_bytes(), Some(content)),
                Some(Reason::ContentSignature(*kind)),
                "{path}"
            );
        }
        let off = policy("[protect]\ncontent_signatures = false\n");
        assert_eq!(protected(&off, b"a/b.json", Some(cases[0].1)), None);
    }

    #[test]
    fn lookalikes_are_not_signatures() {
        let p = Protect::default();
        let cases: &[(&str, &[u8])] = &[
            ("a.json", br#"{"settings": {"mcpServers": {}}}"#),
            ("tsconfig.json", b"{ // comments\n \"compilerOptions\": {} }"),
            ("README.md", b"```yaml\nmcpServers:\n```\n"),
            ("c.yaml", b"  mcpServers:\n"),
            ("app.py", b"mcp_servers = load()\n"),
            ("Cargo.toml", b"[package]\nname = \"x\"\n"),
            ("x.toml", b"mcp_servers = [1]\n"),
            ("bin", b"\x00\xff\xfe{"),
        ];
        for (path, content) in cases {
            assert_eq!(protected(&p, path.as_bytes(), Some(content)), None, "{path}");
        }
    }

    #[test]
    fn oversized_content_is_not_parsed_but_still_protected_when_it_names_a_key() {
        let mut big = b"{\"mcpServers\": {}, \"pad\": \"".to_vec();
        big.resize(MAX_PARSE + 10, b'a');
        assert_eq!(content_signature(b"big.json", &big), Some(Signature::Oversized));
        let plain = vec![b'a'; MAX_PARSE + 10];
        assert_eq!(content_signature(b"big.json", &plain), None);
        assert!(launched_scripts(b".mcp.json", &big).is_empty(), "not JSON: nothing to read");
        let mut yaml = b"name: x\nmcpServers:\n".to_vec();
        yaml.resize(MAX_PARSE + 10, b'#');
        assert_eq!(content_signature(b"c.yaml", &yaml), Some(Signature::Oversized));
    }

    #[test]
    fn scripts_launched_by_a_json_config() {
        let config = br#"{
          "mcpServers": {
            "a": {"command": "./scripts/a.sh", "args": []},
            "b": {"command": "node", "args": ["server.js", "--config=./b.json", "https://x.invalid/y"]},
            "c": {"command": "uv", "args": ["run", "${workspaceFolder}/tools/c.py"], "cwd": "svc"},
            "d": {"command": "/usr/bin/env", "args": ["~/x.sh", "$HOME/y.sh", "../../out.sh"]},
            "e": "not an object"
          }
        }"#;
        let scripts = launched_scripts(b"cfg/.mcp.json", config);
        let has = |p: &str| scripts.iter().any(|s| s == p.as_bytes());
        for path in [
            "scripts/a.sh",
            "cfg/scripts/a.sh",
            "server.js",
            "cfg/server.js",
            "b.json",
            "cfg/b.json",
            "tools/c.py",
            "svc/run",
            "cfg/svc/run",
            "node",
        ] {
            assert!(has(path), "{path} in {scripts:?}");
        }
        for path in ["cfg/tools/c.py", "usr/bin/env", "x.sh", "out.sh", "y.sh"] {
            assert!(!has(path), "{path} in {scripts:?}");
        }
        let mut sorted = scripts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, scripts);
    }

    #[test]
    fn scripts_launched_by_other_clients_configs() {
        let zed = br#"{"context_servers": {"z": {"command": {"path": "bin/zed-mcp", "args": ["z.js"]}}}}"#;
        assert!(launched_scripts(b".zed/settings.json", zed).contains(&b"bin/zed-mcp".to_vec()));
        let vscode =
            br#"{"servers": {"v": {"type": "stdio", "command": "python", "args": ["srv/v.py"]}}}"#;
        assert!(launched_scripts(b".vscode/mcp.json", vscode).contains(&b"srv/v.py".to_vec()));
        let opencode = br#"{"mcp": {"o": {"type": "local", "command": ["bash", "o.sh"]}}}"#;
        assert!(launched_scripts(b"opencode.json", opencode).contains(&b"o.sh".to_vec()));
        let settings = br#"{"mcp": {"servers": {"s": {"command": "sh -c ./s.sh"}}}}"#;
        assert!(launched_scripts(b".vscode/settings.json", settings).contains(&b"s.sh".to_vec()));
        let codex = b"[mcp_servers.docs]\ncommand = \"python3\"\nargs = [\"tools/docs.py\"]\n";
        assert!(
            launched_scripts(b".codex/config.toml", codex).contains(&b"tools/docs.py".to_vec())
        );
        assert!(launched_scripts(b"x.json", b"not a config").is_empty());
    }

    #[test]
    fn a_launched_script_is_protected_by_its_config() {
        let p = Protect::default();
        let mut launched = Launched::new();
        launched.add_config(b".mcp.json", br#"{"mcpServers": {"a": {"command": "bin/serve"}}}"#);
        assert_eq!(
            protected_with(&p, b"bin/serve", None, &launched),
            Some(Reason::LaunchedBy(b".mcp.json".to_vec()))
        );
        assert_eq!(protected(&p, b"bin/serve", None), None);
    }

    #[test]
    fn a_symlink_to_a_protected_path_is_protected() {
        let p = Protect::default();
        let none = Launched::new();
        assert_eq!(
            protected_symlink(&p, b"docs/config.json", b"../.mcp.json", &none),
            Some(Reason::SymlinkTo(b".mcp.json".to_vec()))
        );
        assert_eq!(protected_symlink(&p, b"docs/readme", b"../README.md", &none), None);
        assert_eq!(protected_symlink(&p, b"a", b"/etc/passwd", &none), None);
        assert!(matches!(
            protected_symlink(&p, b".mcp.json", b"elsewhere.json", &none),
            Some(Reason::Glob(_))
        ));
    }

    #[test]
    fn reasons_explain_themselves() {
        assert_eq!(
            Reason::Glob("**/mcp.json".into()).to_string(),
            "it matches the protected glob `**/mcp.json`"
        );
        assert_eq!(
            Reason::LaunchedBy(b".mcp.json".to_vec()).to_string(),
            "the MCP config .mcp.json launches it"
        );
    }

    proptest! {
        #[test]
        fn decisions_never_panic_on_garbage(
            path in proptest::collection::vec(any::<u8>(), 0..40),
            content in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let p = Protect::default();
            let _ = protected(&p, &path, Some(&content));
            let _ = launched_scripts(&path, &content);
            let _ = protected_symlink(&p, &path, &content, &Launched::new());
        }

        #[test]
        fn decisions_never_panic_on_config_shaped_text(
            text in "[{}\\[\\]\":, a-z0-9._/\\\\=\\n-]{0,300}",
            ext in "(json|toml|yaml|yml|jsonc|sh)",
        ) {
            let path = format!("dir/file.{ext}");
            let p = Protect::default();
            let _ = protected(&p, path.as_bytes(), Some(text.as_bytes()));
            let _ = launched_scripts(path.as_bytes(), text.as_bytes());
            let wrapped = format!("{{\"mcpServers\": {{\"x\": {{\"command\": \"{text}\"}}}}}}");
            let _ = launched_scripts(b".mcp.json", wrapped.as_bytes());
        }
    }

    // ---- Case 13: every client's project config (deliverable 4's table) ----

    /// What makes a client's config protected: a default glob, or a content
    /// signature (the path alone would not protect it).
    #[derive(Debug, Clone, Copy)]
    enum Expect {
        Glob(&'static str),
        Sig(Signature),
    }

    /// One row per client of docs/protection.md ("What counts as protected"): client, path,
    /// content (after the client's own documentation), and why it is protected.
    const CLIENTS: &[(&str, &str, &str, Expect)] = &[
        (
            "Claude Code",
            ".mcp.json",
            r#"{"mcpServers": {"docs": {"command": "npx", "args": ["-y", "docs-mcp"]}}}"#,
            Expect::Glob(".mcp.json"),
        ),
        (
            "Claude Code settings",
            ".claude/settings.json",
            r#"{"enableAllProjectMcpServers": true, "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/check.sh"}]}]}}"#,
            Expect::Glob("**/.claude/settings.json"),
        ),
        (
            "Claude Code local settings",
            ".claude/settings.local.json",
            r#"{"enabledMcpjsonServers": ["docs"]}"#,
            Expect::Glob("**/.claude/settings.local.json"),
        ),
        (
            "Claude Code settings (elsewhere)",
            "tools/claude-settings.json",
            r#"{"enabledMcpjsonServers": ["docs"], "permissions": {}}"#,
            Expect::Sig(Signature::JsonClaudeMcpSettings),
        ),
        (
            "Claude Desktop",
            "cfg/claude_desktop_config.json",
            r#"{"mcpServers": {}}"#,
            Expect::Glob("**/claude_desktop_config.json"),
        ),
        (
            "Cursor",
            ".cursor/mcp.json",
            r#"{"mcpServers": {"a": {"command": "node", "args": ["a.js"]}}}"#,
            Expect::Glob("**/mcp.json"),
        ),
        (
            "Cursor hooks",
            ".cursor/hooks.json",
            r#"{"version": 1, "hooks": {"afterFileEdit": [{"command": "./hooks/format.sh"}]}}"#,
            Expect::Glob("**/.cursor/hooks.json"),
        ),
        (
            "VS Code",
            ".vscode/mcp.json",
            "// servers for this workspace\n{\"servers\": {\"a\": {\"type\": \"stdio\", \"command\": \"node\", \"args\": [\"a.js\"],},},}",
            Expect::Glob("**/mcp.json"),
        ),
        (
            "VS Code (servers shape elsewhere)",
            "config/vs.json",
            "/* shared */ {\"inputs\": [], \"servers\": {\"gh\": {\"type\": \"http\", \"url\": \"https://api.githubcopilot.com/mcp/\"}}}",
            Expect::Sig(Signature::JsonServers),
        ),
        (
            "VS Code settings",
            ".vscode/settings.json",
            "{\n  // MCP\n  \"editor.tabSize\": 2,\n  \"mcp\": {\"servers\": {\"a\": {\"command\": \"node\"}}},\n}",
            Expect::Sig(Signature::JsonMcp),
        ),
        (
            "VS Code workspace",
            "team.code-workspace",
            r#"{"folders": [{"path": "."}], "settings": {"mcp": {"servers": {"a": {"command": "node", "args": ["srv.js"]}}}}}"#,
            Expect::Sig(Signature::JsonNestedMcp),
        ),
        (
            "Dev container",
            ".devcontainer/devcontainer.json",
            r#"{"image": "x", "customizations": {"vscode": {"mcp": {"servers": {"a": {"command": "node"}}}}}}"#,
            Expect::Glob(".devcontainer/**/devcontainer.json"),
        ),
        (
            "Dev container (variant)",
            ".devcontainer/python/devcontainer.json",
            r#"{"image": "x"}"#,
            Expect::Glob(".devcontainer/**/devcontainer.json"),
        ),
        (
            "Dev container (settings.mcp, elsewhere)",
            "env/dc.json",
            r#"{"customizations": {"vscode": {"settings": {"mcp": {"servers": {}}}}}}"#,
            Expect::Sig(Signature::JsonNestedMcp),
        ),
        (
            "Dev container (root file)",
            ".devcontainer.json",
            r#"{"image": "x"}"#,
            Expect::Glob(".devcontainer.json"),
        ),
        (
            "Gemini CLI",
            ".gemini/settings.json",
            r#"{"mcpServers": {}}"#,
            Expect::Glob(".gemini/settings.json"),
        ),
        (
            "Gemini CLI extension",
            ".gemini/extensions/x/gemini-extension.json",
            r#"{"name": "x", "version": "1", "mcpServers": {"x": {"command": "node", "args": ["s.js"]}}}"#,
            Expect::Sig(Signature::JsonMcpServers),
        ),
        (
            "Codex",
            ".codex/config.toml",
            "[mcp_servers.docs]\ncommand = \"npx\"\n",
            Expect::Glob(".codex/config.toml"),
        ),
        (
            "Codex (subdirectory)",
            "svc/.codex/config.toml",
            "model = \"x\"\n",
            Expect::Glob("**/.codex/config.toml"),
        ),
        (
            "Zed",
            ".zed/settings.json",
            r#"{"context_servers": {}}"#,
            Expect::Glob(".zed/settings.json"),
        ),
        (
            "Continue",
            ".continue/mcpServers/db.yaml",
            "name: db\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: db\n    command: npx\n",
            Expect::Glob(".continue/**"),
        ),
        ("Roo Code", ".roo/mcp.json", r#"{"mcpServers": {}}"#, Expect::Glob("**/mcp.json")),
        ("Kilo Code", ".kilocode/mcp.json", r#"{"mcpServers": {}}"#, Expect::Glob("**/mcp.json")),
        ("Kiro", ".kiro/settings/mcp.json", r#"{"mcpServers": {}}"#, Expect::Glob("**/mcp.json")),
        (
            "Cline",
            "cline_mcp_settings.json",
            r#"{"mcpServers": {}}"#,
            Expect::Glob("**/*mcp_settings.json"),
        ),
        (
            "Windsurf",
            ".codeium/windsurf/mcp_config.json",
            r#"{"mcpServers": {}}"#,
            Expect::Glob("**/mcp_config.json"),
        ),
        (
            "Copilot CLI",
            ".copilot/mcp-config.json",
            r#"{"mcpServers": {}}"#,
            Expect::Glob("**/mcp-config.json"),
        ),
        (
            "Copilot custom agent",
            ".github/agents/db.agent.md",
            "---\nname: db\ndescription: 'x'\nmcp-servers:\n  db:\n    type: local\n    command: ./tools/db.sh\n---\nYou query the database.\n",
            Expect::Sig(Signature::FrontMatterMcpServers),
        ),
        (
            "OpenCode",
            "opencode.json",
            r#"{"$schema": "https://opencode.ai/config.json", "mcp": {"a": {"type": "local", "command": ["bun", "x"]}}}"#,
            Expect::Glob("opencode.json*"),
        ),
        (
            "OpenCode (.opencode)",
            ".opencode/opencode.jsonc",
            "{\n  // local tools\n  \"mcp\": {\"a\": {\"type\": \"local\", \"command\": [\"./run.sh\"]}},\n}",
            Expect::Glob("**/opencode.{json,jsonc}"),
        ),
        (
            "OpenCode (nested)",
            "packages/web/opencode.json",
            r#"{"mcp": {}}"#,
            Expect::Glob("**/opencode.{json,jsonc}"),
        ),
        (
            "OpenCode plugin",
            ".opencode/plugins/guard.ts",
            "export const Guard = async () => ({})\n",
            Expect::Glob("**/.opencode/{plugin,plugins}/**"),
        ),
        (
            "Amp",
            ".amp/settings.json",
            r#"{"amp.mcpServers": {"pw": {"command": "npx", "args": ["-y", "@playwright/mcp@latest"]}}}"#,
            Expect::Glob("**/.amp/settings.{json,jsonc}"),
        ),
        (
            "Amp (elsewhere)",
            "conf/amp.json",
            r#"{"amp.mcpServers": {}}"#,
            Expect::Sig(Signature::JsonAmpMcpServers),
        ),
        (
            "Crush",
            "crush.json",
            r#"{"$schema": "https://charm.land/crush.json", "mcp": {"fs": {"type": "stdio", "command": "node", "args": ["srv.js"]}}}"#,
            Expect::Glob("**/{crush.json,.crush.json,crushrc,.crushrc}"),
        ),
        (
            "Crush (hidden)",
            "svc/.crush.json",
            r#"{"mcp": {}}"#,
            Expect::Glob("**/{crush.json,.crush.json,crushrc,.crushrc}"),
        ),
        (
            "Crush crushrc",
            ".crushrc",
            "mcp add fs --command ./srv.sh\n",
            Expect::Glob("**/{crush.json,.crush.json,crushrc,.crushrc}"),
        ),
        (
            "Crush plugin",
            ".crush/plugins/p.sh",
            "provider add x\n",
            Expect::Glob("**/.crush/plugins/**"),
        ),
        (
            "Crush (elsewhere)",
            "conf/tools.json",
            r#"{"mcp": {"fs": {"type": "stdio", "command": "node"}}}"#,
            Expect::Sig(Signature::JsonMcp),
        ),
        (
            "Goose recipe",
            "recipes/review.yaml",
            "version: 1.0.0\ntitle: Review\ndescription: x\ninstructions: review\nextensions:\n  - type: stdio\n    name: local\n    cmd: ./tools/srv.sh\n    args: []\n",
            Expect::Sig(Signature::GooseExtensions),
        ),
        (
            "Goose recipe (desktop format)",
            "recipes/desk.yml",
            "name: Review\nrecipe:\n  title: Review\n  extensions:\n    - type: builtin\n      name: developer\n",
            Expect::Sig(Signature::GooseExtensions),
        ),
        (
            "Goose recipe (JSON)",
            "recipes/r.json",
            r#"{"title": "t", "instructions": "i", "extensions": [{"type": "stdio", "name": "x", "cmd": "uv", "args": ["run", "s.py"]}]}"#,
            Expect::Sig(Signature::GooseExtensions),
        ),
        (
            "Qwen Code / any mcpServers JSON",
            ".qwen/settings.json",
            r#"{"mcpServers": {}}"#,
            Expect::Sig(Signature::JsonMcpServers),
        ),
        ("Junie", ".junie/mcp/mcp.json", r#"{"mcpServers": {}}"#, Expect::Glob("**/mcp.json")),
        (
            "Any client: an mcp/ directory",
            "tools/mcp/server.py",
            "print('server')\n",
            Expect::Glob("**/mcp/**"),
        ),
        (
            "Any client: a wrapper script",
            "scripts/run-mcp.sh",
            "#!/bin/sh\nexec node dist/server.js\n",
            Expect::Glob("**/*mcp*.{sh,py,js,mjs,ts,ps1}"),
        ),
        (
            "Any client: TOML",
            "config/agent.toml",
            "model = \"x\"\n[mcp_servers.docs]\ncommand = \"npx\"\n",
            Expect::Sig(Signature::TomlMcpServers),
        ),
        (
            "Any client: YAML",
            "config/agent.yaml",
            "name: agent\nmcpServers:\n  - name: docs\n    command: npx\n",
            Expect::Sig(Signature::YamlMcpServers),
        ),
    ];

    /// The content of `client`'s row of [`CLIENTS`].
    fn content_of(client: &str) -> &'static str {
        CLIENTS.iter().find(|row| row.0 == client).map(|row| row.2).expect("a row of CLIENTS")
    }

    #[test]
    fn every_clients_project_config_is_protected() {
        let p = Protect::default();
        for (client, path, content, expect) in CLIENTS {
            let got = protected(&p, path.as_bytes(), Some(content.as_bytes()));
            let want = match expect {
                Expect::Glob(pattern) => Reason::Glob((*pattern).to_owned()),
                Expect::Sig(signature) => Reason::ContentSignature(*signature),
            };
            assert_eq!(got, Some(want), "{client}: {path}");
            // Protected by content alone: the path must not be what did it.
            if let Expect::Sig(signature) = expect {
                assert_eq!(protected(&p, path.as_bytes(), None), None, "{client}: {path}");
                assert_eq!(
                    content_signature(path.as_bytes(), content.as_bytes()),
                    Some(*signature)
                );
            }
        }
    }

    #[test]
    fn client_configs_are_read_for_what_they_launch() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                ".claude/settings.json",
                content_of("Claude Code settings"),
                &[".claude/hooks/check.sh"],
            ),
            (
                ".cursor/hooks.json",
                content_of("Cursor hooks"),
                &[".cursor/hooks/format.sh", "hooks/format.sh"],
            ),
            (".vscode/mcp.json", content_of("VS Code"), &["a.js", ".vscode/a.js"]),
            ("team.code-workspace", content_of("VS Code workspace"), &["srv.js"]),
            (
                ".opencode/opencode.jsonc",
                content_of("OpenCode (.opencode)"),
                &["run.sh", ".opencode/run.sh"],
            ),
            (
                ".amp/settings.json",
                r#"{"amp.mcpServers": {"local": {"command": "node", "args": ["tools/amp-srv.js"]}}}"#,
                &["tools/amp-srv.js"],
            ),
            ("crush.json", content_of("Crush"), &["srv.js"]),
            (".crushrc", content_of("Crush crushrc"), &["srv.sh"]),
            (
                "recipes/review.yaml",
                content_of("Goose recipe"),
                &["tools/srv.sh", "recipes/tools/srv.sh"],
            ),
            ("recipes/r.json", content_of("Goose recipe (JSON)"), &["s.py"]),
            (
                ".devcontainer/devcontainer.json",
                r#"{"initializeCommand": "bash .devcontainer/init.sh", "postCreateCommand": {"deps": ["sh", "-c", "cd tools && ./setup.sh"]}, "customizations": {"vscode": {"settings": {"mcp": {"servers": {"a": {"command": "python", "args": ["${containerWorkspaceFolder}/srv/a.py"]}}}}}}}"#,
                &["srv/a.py", ".devcontainer/init.sh", "tools/setup.sh"],
            ),
            (
                ".codex/config.toml",
                "notify = [\"python3\", \".codex/notify.py\"]\n[mcp_servers.x]\ncommand = \"bash\"\nargs = [\"-c\", \"cd tools && ./x.sh\"]\n",
                &[".codex/notify.py", "tools/x.sh"],
            ),
        ];
        for (path, content, want) in cases {
            let got = launched_scripts(path.as_bytes(), content.as_bytes());
            for w in *want {
                assert!(got.iter().any(|g| g == w.as_bytes()), "{path}: {w} in {:?}", show(&got));
            }
        }
    }

    fn show(paths: &[Vec<u8>]) -> Vec<String> {
        paths.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect()
    }

    #[test]
    fn jsonc_that_starts_with_a_comment_is_read() {
        // Regression (issue 17, case 13): a leading comment hid the servers.
        let text = b"// team servers\n/* keep sorted */\n{\"mcpServers\": {\"a\": {\"command\": \"./srv.sh\",},},}\n";
        assert_eq!(content_signature(b"tools/x.json", text), Some(Signature::JsonMcpServers));
        assert_eq!(
            launched_scripts(b"tools/x.json", text),
            vec![b"srv.sh".to_vec(), b"tools/srv.sh".to_vec()]
        );
    }

    #[test]
    fn no_client_glob_protects_a_changelog() {
        let p = Protect::default();
        for dir in [
            ".continue",
            ".opencode/plugins",
            ".opencode/plugin",
            ".crush/plugins",
            ".devcontainer",
            ".devcontainer/py",
            "scripts/mcp",
            ".claude",
            ".cursor",
            ".amp",
            ".codex",
            ".vscode",
            ".kiro/settings",
            ".gemini",
            ".zed",
            ".roo",
        ] {
            let path = format!("{dir}/CHANGELOG.md");
            assert_eq!(protected(&p, path.as_bytes(), None), None, "{path}");
        }
        for path in [
            ".crush/plugins/CHANGELOG.md",
            ".opencode/plugins/CHANGELOG.md",
            "a/.opencode/plugin/CHANGELOG.md",
        ] {
            assert_eq!(protected(&p, path.as_bytes(), None), None, "{path}");
        }
    }

    #[test]
    fn lookalikes_of_the_new_shapes_are_not_signatures() {
        let p = Protect::default();
        let cases: &[(&str, &[u8])] = &[
            ("openapi.json", br#"{"openapi": "3.1.0", "servers": [{"url": "https://api.example.invalid"}]}"#),
            ("db.json", br#"{"servers": {"primary": {"host": "db1", "port": 5432}}}"#),
            ("codeception.yml", b"actor: Tester\nextensions:\n  enabled:\n    - Codeception\\Extension\\RunFailed\n"),
            (".vscode/settings.json", b"{ // editor\n \"editor.tabSize\": 2, }"),
            (".vscode/extensions.json", b"{\"recommendations\": [\"a.b\"]}"),
            ("README.md", b"# mcp-servers:\n\n```yaml\nmcp-servers:\n```\n"),
            ("docs/agent.md", b"---\ntitle: x\n---\nmcp-servers: not front matter\n"),
        ];
        for (path, content) in cases {
            assert_eq!(protected(&p, path.as_bytes(), Some(content)), None, "{path}");
        }
    }

    // ---- Case 11: launch idioms; case-insensitive launched scripts ----

    #[test]
    fn launch_idioms_are_followed() {
        let config = br#"{"mcpServers": {
          "py": {"command": "python", "args": ["-m", "pkg.server"]},
          "uv": {"command": "uv", "args": ["--directory", "tools/srv", "run", "main.py"]},
          "uvp": {"command": "uv", "args": ["run", "--project", "svc", "python", "-m", "app"]},
          "uvx": {"command": "uvx", "args": ["--from", "./pkgs/srv", "mcp-srv"]},
          "node": {"command": "npx", "args": ["-y", "./packages/js"]},
          "deno": {"command": "deno", "args": ["run", "-A", "./deno/mod.ts"]},
          "sh": {"command": "bash", "args": ["-c", "cd tools && ./start.sh"]},
          "shell": {"command": "sh scripts/go.sh"}
        }}"#;
        let got = show(&launched_scripts(b".mcp.json", config));
        for want in [
            "pkg/server.py",
            "pkg/server/__main__.py",
            "tools/srv/main.py",
            "tools/srv/",
            "svc/app.py",
            "svc/",
            "pkgs/srv/",
            "packages/js/",
            "deno/mod.ts",
            "tools/start.sh",
            "scripts/go.sh",
        ] {
            assert!(got.contains(&want.to_owned()), "{want} in {got:?}");
        }
        let mut launched = Launched::new();
        launched.add_config(b".mcp.json", config);
        let p = Protect::default();
        for path in
            ["pkg/server.py", "tools/srv/lib/util.py", "pkgs/srv/src/x.py", "tools/start.sh"]
        {
            assert_eq!(
                protected_with(&p, path.as_bytes(), None, &launched),
                Some(Reason::LaunchedBy(b".mcp.json".to_vec())),
                "{path}"
            );
        }
        // A directory's CHANGELOG.md is trail's, as under a protected glob.
        assert_eq!(protected_with(&p, b"tools/srv/CHANGELOG.md", None, &launched), None);
    }

    #[test]
    fn launched_scripts_match_case_insensitively_like_the_globs() {
        let p = Protect::default();
        let mut launched = Launched::new();
        launched
            .add_config(b".mcp.json", br#"{"mcpServers": {"a": {"command": "scripts/run.sh"}}}"#);
        assert!(p.glob_protects(b".MCP.json"), "the globs fold case");
        assert_eq!(
            protected_with(&p, b"Scripts/RUN.sh", None, &launched),
            Some(Reason::LaunchedBy(b".mcp.json".to_vec()))
        );
        assert_eq!(launched.launched_by(b"SCRIPTS/run.SH"), Some(&b".mcp.json"[..]));
        assert_eq!(launched.iter().next().map(|(s, _)| s), Some(&b"scripts/run.sh"[..]));
    }

    #[test]
    fn files_a_protected_script_sources_are_protected() {
        let p = Protect::default();
        let mut launched = Launched::new();
        launched.add_sourced(
            b"scripts/serve/run.sh",
            b". ./lib.sh\nsource \"$(dirname \"$0\")/env.sh\"\n",
        );
        assert_eq!(
            protected_with(&p, b"scripts/serve/env.sh", None, &launched),
            Some(Reason::SourcedBy(b"scripts/serve/run.sh".to_vec()))
        );
        assert_eq!(
            protected_with(&p, b"lib.sh", None, &launched),
            Some(Reason::SourcedBy(b"scripts/serve/run.sh".to_vec()))
        );
        // A wrapper script given as a config: what it execs is launched.
        let got = show(&launched_scripts(b"scripts/serve/run.sh", b"#!/bin/sh\ncd \"$(dirname \"$0\")\"\nexec uv run server.py \"$@\"\necho see README.md\n"));
        assert!(got.contains(&"scripts/serve/server.py".to_owned()), "{got:?}");
        assert!(!got.iter().any(|g| g.contains("README")), "{got:?}");
    }

    // ---- Case 10: symlinks ----

    #[test]
    fn the_target_of_a_protected_symlink_is_protected() {
        let p = Protect::default();
        let mut launched = Launched::new();
        assert_eq!(protected(&p, b"config/vs.json", None), None);
        assert_eq!(
            launched.add_symlink(b".vscode/mcp.json", b"../config/vs.json"),
            Some(b"config/vs.json".to_vec())
        );
        assert_eq!(
            protected_with(&p, b"config/vs.json", None, &launched),
            Some(Reason::TargetOf(b".vscode/mcp.json".to_vec()))
        );
        // A link that stands for a directory protects what is in it.
        launched.add_symlink(b".continue", b"tools/continue");
        assert_eq!(
            protected_with(&p, b"tools/continue/config.yaml", None, &launched),
            Some(Reason::TargetOf(b".continue".to_vec()))
        );
        assert_eq!(launched.add_symlink(b"a", b"/etc/passwd"), None);
        assert_eq!(launched.add_symlink(b"a", b"../../out"), None);
    }

    #[test]
    fn a_launched_script_that_is_a_symlink_protects_its_target() {
        let p = Protect::default();
        let mut launched = Launched::new();
        launched
            .add_config(b".mcp.json", br#"{"mcpServers": {"r": {"command": "scripts/run.sh"}}}"#);
        // The caller finds scripts/run.sh is a symlink it protects, and registers it.
        assert!(protected_symlink(&p, b"scripts/run.sh", b"../lib/real.sh", &launched).is_some());
        launched.add_symlink(b"scripts/run.sh", b"../lib/real.sh");
        assert_eq!(
            protected_with(&p, b"lib/real.sh", None, &launched),
            Some(Reason::TargetOf(b"scripts/run.sh".to_vec()))
        );
        assert_eq!(
            Reason::TargetOf(b"scripts/run.sh".to_vec()).to_string(),
            "the protected symlink scripts/run.sh points at it"
        );
    }

    // ---- Case 6: submodules ----

    #[test]
    fn a_submodule_is_protected_where_a_protected_file_could_come_from_it() {
        let p = Protect::default();
        let glob_reason = |path: &str| match protected_gitlink(&p, path.as_bytes()) {
            Some(Reason::Glob(pattern)) => Some(pattern),
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(glob_reason("scripts/mcp").as_deref(), Some("**/mcp/**"));
        assert_eq!(glob_reason(".continue").as_deref(), Some(".continue/**"));
        assert_eq!(glob_reason(".vscode").as_deref(), Some(".vscode/mcp.json"));
        assert_eq!(glob_reason(".KIRO").as_deref(), Some(".kiro/settings/mcp.json"));
        assert_eq!(glob_reason(".kiro/settings").as_deref(), Some(".kiro/settings/mcp.json"));
        assert_eq!(
            glob_reason(".devcontainer").as_deref(),
            Some(".devcontainer/**/devcontainer.json")
        );
        assert_eq!(
            glob_reason(".devcontainer/py").as_deref(),
            Some(".devcontainer/**/devcontainer.json")
        );
        assert_eq!(glob_reason(".claude").as_deref(), Some("**/.claude/settings.json"));
        assert_eq!(glob_reason("tools/.amp").as_deref(), Some("**/.amp/settings.{json,jsonc}"));
        assert!(protected_gitlink(&p, b".mcp.json").is_some(), "its own path");
        // `**/` globs name no directory: an ordinary submodule stays unprotected.
        for path in ["vendor/lib", "docs", ".github", ".vscode-extras", "kiro"] {
            assert_eq!(protected_gitlink(&p, path.as_bytes()), None, "{path}");
        }
        let team = policy("[protect]\npaths = [\"ops/deploy/**\"]\nignore = [\".vscode/**\"]\n");
        assert_eq!(protected_gitlink(&team, b"ops"), Some(Reason::Glob("ops/deploy/**".into())));
        assert_eq!(protected_gitlink(&team, b".vscode"), None, "ignored");
        // A submodule holding a launched script.
        let mut launched = Launched::new();
        launched.add_config(
            b".mcp.json",
            br#"{"mcpServers": {"a": {"command": "node", "args": ["tools/sub/server.js"]}}}"#,
        );
        assert_eq!(protected_gitlink(&p, b"tools/sub"), None);
        assert_eq!(
            protected_gitlink_with(&p, b"tools/sub", &launched),
            Some(Reason::LaunchedBy(b".mcp.json".to_vec()))
        );
    }

    // ---- Case 12: large configs ----

    /// `{"mcpServers": {"a": {"command": "bash", "args": ["scripts/evil.sh"]}}, "pad": "…"}`
    /// padded to `size` bytes.
    fn padded_config(size: usize) -> Vec<u8> {
        let head =
            br#"{"mcpServers": {"a": {"command": "bash", "args": ["scripts/evil.sh"]}}, "pad": ""#;
        let mut config = head.to_vec();
        config.resize(size - 2, b' ');
        config.extend_from_slice(b"\"}");
        config
    }

    #[test]
    fn a_config_padded_past_a_mebibyte_is_still_read() {
        // Regression (issue 17, case 12): past MAX_PARSE nothing was launched.
        let config = padded_config(MAX_PARSE + 4096);
        assert_eq!(content_signature(b"x.json", &config), Some(Signature::JsonMcpServers));
        assert!(launched_scripts(b".mcp.json", &config).contains(&b"scripts/evil.sh".to_vec()));
        let mut launched = Launched::new();
        launched.add_config(b".mcp.json", &config);
        assert_eq!(
            protected_with(&Protect::default(), b"scripts/evil.sh", None, &launched),
            Some(Reason::LaunchedBy(b".mcp.json".to_vec()))
        );
    }

    #[test]
    fn a_config_over_the_hard_cap_is_an_error_never_skipped() {
        let config = padded_config(MAX_CONFIG + 1);
        let error = launched_scripts_checked(b".mcp.json", &config).expect_err("too large");
        assert_eq!(error, ConfigTooLarge::Bytes { size: MAX_CONFIG + 1, limit: MAX_CONFIG });
        let mut launched = Launched::new();
        assert_eq!(launched.add_config_checked(b".mcp.json", &config), Err(error.clone()));
        launched.add_config(b".mcp.json", &config);
        assert_eq!(launched.too_large().collect::<Vec<_>>(), vec![(&b".mcp.json"[..], &error)]);
        assert!(!launched.is_empty());
        assert_eq!(content_signature(b"x.json", &config), Some(Signature::Oversized));
    }

    #[test]
    fn a_config_naming_too_many_paths_is_refused_not_read_in_part() {
        // Four bases (the config's directory, the root, and `cwd` under each)
        // make four paths a word.
        let words: Vec<String> = (0..300_000).map(|i| format!("w{i}")).collect();
        let config =
            serde_json::json!({"mcpServers": {"a": {"command": "x", "args": words, "cwd": "svc"}}});
        let config = serde_json::to_vec(&config).expect("serializes");
        assert!(config.len() < MAX_CONFIG);
        let error = launched_scripts_checked(b"cfg/.mcp.json", &config).expect_err("too many");
        assert!(matches!(error, ConfigTooLarge::Paths { .. }), "{error}");
        let mut launched = Launched::new();
        launched.add_config(b"cfg/.mcp.json", &config);
        assert_eq!(launched.too_large().count(), 1);
        assert_eq!(launched.iter().count(), 0, "nothing is read in part");
    }
}
