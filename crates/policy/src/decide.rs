//! Decisions: is this path protected, and why.
//!
//! A path is protected, checking in this order, when it is
//! 1. `trail.toml` itself ([`Reason::PolicyFile`]) — always, whatever
//!    `[protect]` says;
//! 2. matched by the team's `[protect] paths` ([`Reason::Glob`]);
//! 3. — unless matched by `[protect] ignore`, which narrows what follows —
//!    matched by the default set ([`crate::DEFAULT_PROTECTED`], [`Reason::Glob`]);
//! 4. a script a protected MCP config launches ([`Reason::LaunchedBy`]);
//! 5. a file whose content defines MCP servers ([`Reason::ContentSignature`],
//!    unless `content_signatures = false`).
//!
//! Everything here is bounded: content is parsed only up to [`MAX_PARSE`]
//! bytes. Past that, [`content_signature`] errs on the side of protection
//! (any MCP marker in the bytes protects the file) and [`launched_scripts`]
//! reads nothing (the oversized config itself is still protected).

use std::collections::BTreeMap;
use std::fmt;

use memchr::memmem;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::glob;
use crate::policy::{POLICY_FILE, Protect, default_match};

/// The most content this module parses (1 MiB). MCP configs are a few KiB;
/// a bigger file is not parsed, so a hook's time stays bounded.
pub const MAX_PARSE: usize = 1 << 20;

/// Why a path is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The policy file, `trail.toml`.
    PolicyFile,
    /// A protected glob (a default one or the team's `paths`) matches it.
    Glob(String),
    /// Its content defines MCP servers.
    ContentSignature(Signature),
    /// A protected MCP config (this path) launches it through `command`/`args`.
    LaunchedBy(Vec<u8>),
    /// It is a symlink to this protected path.
    SymlinkTo(Vec<u8>),
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
    /// YAML (`.yaml`/`.yml`) with a top-level `mcpServers:` line.
    YamlMcpServers,
    /// Looks like one of the above (it names an MCP key or hides a key behind
    /// an escape) but does not parse: protected to be safe.
    Unparsed,
    /// Larger than [`MAX_PARSE`] and names an MCP key: protected unparsed.
    Oversized,
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signature::JsonMcpServers => "JSON with a top-level `mcpServers`",
            Signature::JsonContextServers => "JSON with a top-level `context_servers`",
            Signature::TomlMcpServers => "TOML with `[mcp_servers.…]`",
            Signature::YamlMcpServers => "YAML with a top-level `mcpServers:`",
            Signature::Unparsed => "names an MCP server key but does not parse",
            Signature::Oversized => "over 1 MiB and names an MCP server key",
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::PolicyFile => write!(f, "it is the policy file {POLICY_FILE}"),
            Reason::Glob(pattern) => write!(f, "it matches the protected glob `{pattern}`"),
            Reason::ContentSignature(kind) => write!(f, "its content defines MCP servers ({kind})"),
            Reason::LaunchedBy(config) => {
                write!(f, "the MCP config {} launches it", String::from_utf8_lossy(config))
            }
            Reason::SymlinkTo(target) => {
                write!(f, "it is a symlink to the protected {}", String::from_utf8_lossy(target))
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
/// start.
pub fn protected_with(
    policy: &Protect,
    path: &[u8],
    content: Option<&[u8]>,
    launched: &Launched,
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
    if let Some(config) = launched.launched_by(path) {
        return Some(Reason::LaunchedBy(config.to_vec()));
    }
    match content {
        Some(content) if policy.content_signatures() => {
            content_signature(path, content).map(Reason::ContentSignature)
        }
        _ => None,
    }
}

/// For a symlink at `link` whose target (the blob git stores for it) is
/// `target`: why the link is protected — because of its own path, or because
/// it points at a protected path ([`Reason::SymlinkTo`]).
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
    let resolved = symlink_target(link, target)?;
    protected_with(policy, &resolved, None, launched)
        .or_else(|| protected_with(policy, &inside(&resolved), None, launched))
        .map(|_| Reason::SymlinkTo(resolved))
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
/// - content whose first non-blank byte is `{` is read as JSON: top-level
///   `mcpServers` or `context_servers`;
/// - `.yaml`/`.yml` files: a line at column 0 that is the key `mcpServers:`
///   (bare or quoted);
/// - anything naming `mcp_servers` (or holding a `\u`/`\U` escape, which could
///   spell it) is read as TOML: a top-level `mcp_servers` table.
///
/// A JSON file that does not parse (JSONC comments, say) but names an MCP key
/// or holds a `\u` escape, and a `.toml` file that does not parse but has an
/// `mcp_servers` table header, are [`Signature::Unparsed`]: protected.
pub fn content_signature(path: &[u8], content: &[u8]) -> Option<Signature> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let ext = extension(path);
    let first = content.iter().copied().find(|b| !b.is_ascii_whitespace());
    if content.len() > MAX_PARSE {
        let config_like = first == Some(b'{')
            || matches!(ext.as_deref(), Some("json" | "jsonc" | "json5" | "toml" | "yaml" | "yml"));
        let marked = has_mcp_marker(content) || (config_like && has_escape(content));
        return marked.then_some(Signature::Oversized);
    }
    if first == Some(b'{') {
        return json_signature(content);
    }
    if matches!(ext.as_deref(), Some("yaml" | "yml"))
        && let Some(signature) = yaml_signature(content)
    {
        return Some(signature);
    }
    toml_signature(content, ext.as_deref() == Some("toml"))
}

const MARKERS: [&[u8]; 3] = [b"mcpServers", b"context_servers", b"mcp_servers"];

fn has_mcp_marker(content: &[u8]) -> bool {
    MARKERS.iter().any(|m| memmem::find(content, m).is_some())
}

fn has_escape(content: &[u8]) -> bool {
    memmem::find(content, b"\\u").is_some() || memmem::find(content, b"\\U").is_some()
}

/// The lowercased extension of the last path component.
fn extension(path: &[u8]) -> Option<String> {
    let name = &path[path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1)..];
    let dot = name.iter().rposition(|&b| b == b'.')?;
    std::str::from_utf8(&name[dot + 1..]).ok().map(str::to_ascii_lowercase)
}

/// The top-level keys of a JSON object that matter here, read without
/// building the document (values are skipped).
#[derive(Default)]
struct TopKeys {
    mcp_servers: bool,
    context_servers: bool,
}

impl<'de> serde::Deserialize<'de> for TopKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = TopKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopKeys, A::Error> {
                let mut keys = TopKeys::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "mcpServers" => keys.mcp_servers = true,
                        "context_servers" => keys.context_servers = true,
                        _ => {}
                    }
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(keys)
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

fn json_signature(content: &[u8]) -> Option<Signature> {
    match serde_json::from_slice::<TopKeys>(content) {
        Ok(keys) if keys.mcp_servers => Some(Signature::JsonMcpServers),
        Ok(keys) if keys.context_servers => Some(Signature::JsonContextServers),
        Ok(_) => None,
        Err(_) => (has_mcp_marker(content) || has_escape(content)).then_some(Signature::Unparsed),
    }
}

fn yaml_signature(content: &[u8]) -> Option<Signature> {
    for line in content.split(|&b| b == b'\n') {
        let rest = match line {
            [b'"', rest @ ..] => rest.strip_prefix(b"mcpServers\"".as_slice()),
            [b'\'', rest @ ..] => rest.strip_prefix(b"mcpServers'".as_slice()),
            line => line.strip_prefix(b"mcpServers".as_slice()),
        };
        if let Some(rest) = rest
            && rest.iter().copied().find(|&b| b != b' ' && b != b'\t') == Some(b':')
        {
            return Some(Signature::YamlMcpServers);
        }
        // A quoted top-level key with an escape could spell `mcpServers`.
        if line.first() == Some(&b'"') && line.contains(&b'\\') {
            return Some(Signature::Unparsed);
        }
    }
    None
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
/// `config_path` launches: every `command` and `args` string of every server
/// entry (`mcpServers`, `context_servers`, `servers`, `mcp.servers`, `mcp`
/// entries in JSON; `[mcp_servers.*]` in TOML), split on whitespace, each
/// resolved against the config's directory, the repository root, and the
/// entry's `cwd` under either. Flags' values (`--config=./x`) count; URLs,
/// absolute paths, `~` and unknown variables do not; `${workspaceFolder}/`,
/// `${workspaceRoot}/` and `${CLAUDE_PROJECT_DIR}/` mean the root.
///
/// It over-approximates on purpose: a name like `npx` yields the path `npx`,
/// which only matters if a file of that name is changed. YAML configs are not
/// read (no YAML parser; `.continue/**` is protected whole). Content over
/// [`MAX_PARSE`] yields nothing. The result is sorted and has no duplicates.
pub fn launched_scripts(config_path: &[u8], content: &[u8]) -> Vec<Vec<u8>> {
    if content.len() > MAX_PARSE {
        return Vec::new();
    }
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let first = content.iter().copied().find(|b| !b.is_ascii_whitespace());
    let document: Option<Value> = if first == Some(b'{') {
        serde_json::from_slice(content).ok()
    } else {
        std::str::from_utf8(content)
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(text).ok())
            .and_then(|table| serde_json::to_value(table).ok())
    };
    let Some(Value::Object(top)) = document else {
        return Vec::new();
    };
    let mut entries: Vec<&Map<String, Value>> = Vec::new();
    for key in ["mcpServers", "context_servers", "servers", "mcp_servers", "mcp"] {
        entries.extend(objects(top.get(key)));
    }
    if let Some(Value::Object(mcp)) = top.get("mcp") {
        entries.extend(objects(mcp.get("servers")));
    }

    let config_dir = glob::parent(config_path);
    let mut found = std::collections::BTreeSet::new();
    for entry in entries {
        let mut words: Vec<&str> = Vec::new();
        match entry.get("command") {
            Some(Value::String(command)) => words.push(command),
            Some(Value::Array(parts)) => words.extend(parts.iter().filter_map(Value::as_str)),
            Some(Value::Object(command)) => {
                words.extend(command.get("path").and_then(Value::as_str));
                words.extend(strings(command.get("args")));
            }
            _ => {}
        }
        words.extend(strings(entry.get("args")));
        let mut bases: Vec<Vec<u8>> = vec![config_dir.to_vec(), Vec::new()];
        if let Some(cwd) = entry.get("cwd").and_then(Value::as_str).and_then(relative_word) {
            let (cwd, root_only) = cwd;
            if !root_only {
                bases.extend(glob::join(config_dir, cwd.as_bytes()));
            }
            bases.extend(glob::normalize(cwd.as_bytes()));
        }
        for word in words.iter().flat_map(|w| w.split_whitespace()) {
            let Some((rel, root_only)) = relative_word(word) else { continue };
            for base in &bases {
                if root_only && !base.is_empty() {
                    continue;
                }
                found.extend(glob::join(base, rel.as_bytes()));
            }
        }
    }
    found.into_iter().collect()
}

/// The object values of `value` when it is an object (a map of server entries).
fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|map| map.values())
        .filter_map(Value::as_object)
}

fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

/// A command-line word as a relative path, and whether it is relative to the
/// root only (it started with a workspace variable). `None`: not a path.
fn relative_word(word: &str) -> Option<(String, bool)> {
    let word = word.trim_matches(|c| matches!(c, '"' | '\'' | ';' | ','));
    let word = match word.strip_prefix('-') {
        Some(flag) => flag.split_once('=')?.1,
        None => word,
    };
    let mut root_only = false;
    let mut word = word;
    for var in [
        "${workspaceFolder}/",
        "${workspaceRoot}/",
        "${CLAUDE_PROJECT_DIR}/",
        "$CLAUDE_PROJECT_DIR/",
    ] {
        if let Some(rest) = word.strip_prefix(var) {
            word = rest;
            root_only = true;
        }
    }
    if word.is_empty()
        || word.contains("://")
        || word.starts_with(['/', '~', '$', '\\'])
        || word.as_bytes().get(1) == Some(&b':')
    {
        return None;
    }
    Some((word.replace('\\', "/"), root_only))
}

/// The scripts launched by a set of protected MCP configs, each with the
/// config that launches it. The caller feeds it the protected configs it
/// knows of (at HEAD and staged) before asking [`protected_with`].
#[derive(Debug, Clone, Default)]
pub struct Launched {
    by: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Launched {
    pub fn new() -> Launched {
        Launched::default()
    }

    /// Add the scripts the config at `config_path` with `content` launches.
    /// A script launched by several configs is attributed to the first added.
    pub fn add_config(&mut self, config_path: &[u8], content: &[u8]) {
        for script in launched_scripts(config_path, content) {
            if script != config_path {
                self.by.entry(script).or_insert_with(|| config_path.to_vec());
            }
        }
    }

    /// The config that launches `path`, if any.
    pub fn launched_by(&self, path: &[u8]) -> Option<&[u8]> {
        self.by.get(path).map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
    }

    /// Every launched script path, with its config.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.by.iter().map(|(s, c)| (s.as_slice(), c.as_slice()))
    }
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
            ("c.jsonc", b"{ // comment\n \"mcpServers\": {} }", Signature::Unparsed),
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
        assert!(launched_scripts(b".mcp.json", &big).is_empty());
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
}
