//! `trail keygen`

use std::io::Write as _;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};

use clap::Args;
use trail_policy::{PublicKey, keys};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};

/// Make an authorizer key for protected changes (MCP server configurations).
///
/// Writes a new ed25519 private key to `$XDG_CONFIG_HOME/trail/keys/NAME.key`
/// (mode 0600; `$XDG_CONFIG_HOME` defaults to `~/.config`) and prints its
/// public key line on stdout, to paste into `[protect] authorizers` of the
/// repository's `trail.toml`. An existing key file is never overwritten. The
/// private key is never printed.
///
/// With `--add`, inside a repository, the public key line is also appended to
/// `[protect] authorizers` of the work tree's `trail.toml`; if NAME.key exists
/// already, its public key is added instead of a new key being made. Commit
/// the change: while the committed policy names no authorizer, that first
/// commit is the bootstrap (see `trail docs protection`).
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The key's name: its file name and the name on its public key line
    /// (default: your user name, or "default").
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Also add the public key to `[protect] authorizers` in this repository's trail.toml.
    #[arg(long)]
    pub add: bool,

    /// Print one JSON object instead of the public key line: name,
    /// public_key (the line), key_id, path (the private key file), created
    /// (false when --add used an existing key) and added_to (the trail.toml
    /// the key was added to, or null). Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: KeygenArgs) -> Result<(), CommandError> {
    let name = match args.name {
        Some(name) => name,
        None => default_name(),
    };
    check_name(&name)?;
    let dir = keys_dir()?;
    let path = dir.join(format!("{name}.key"));
    // With --add, check the repository's policy before making anything, so a
    // refusal leaves no key behind.
    let target = if args.add { Some(PolicyTarget::find()?) } else { None };

    let (line, key_id, created) = if args.add && path.exists() {
        let key = read_key(&path)?;
        let line = key.public().with_name(Some(&name)).map_err(key_error)?.to_line();
        say(format_args!("using the existing key {} (key id {})", path.display(), key.id()));
        (line, key.id().to_string(), false)
    } else {
        create_dir_private(&dir)?;
        let (key, line) = keys::generate(&name).map_err(key_error)?;
        keys::write_private_key(&path, &key).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CommandError::refused(format!("{} exists already; trail never overwrites a key", path.display()))
                    .hint("pick another name with `trail keygen --name NAME`, or remove the old key if you mean to replace it (its public key stays in every trail.toml that lists it)")
                    .hint("`trail keygen --name NAME --add` adds an existing key's public line to this repository's trail.toml")
            } else {
                CommandError::environment(format!("cannot write {}: {e}", path.display()))
            }
        })?;
        say(format_args!(
            "wrote the private key {} (key id {}); keep it to yourself",
            path.display(),
            key.id()
        ));
        (line, key.id().to_string(), true)
    };

    let added_to = match target {
        Some(target) => Some(target.add(&line)?),
        None => {
            if !args.json {
                say(
                    "paste this line into [protect] authorizers of trail.toml (or rerun with --add):",
                );
            }
            None
        }
    };
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "name": name,
            "public_key": line,
            "key_id": key_id,
            "path": path.display().to_string(),
            "created": created,
            "added_to": added_to.map(|p| p.display().to_string()),
        }))?;
        return Ok(());
    }
    let mut out = Out::new();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// `$XDG_CONFIG_HOME/trail/keys` (`~/.config/trail/keys` when it is unset,
/// empty or relative, as the XDG base directory specification says).
pub(crate) fn keys_dir() -> Result<PathBuf, CommandError> {
    let config = match std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => match std::env::var_os("HOME").map(PathBuf::from) {
            Some(home) if home.is_absolute() => home.join(".config"),
            _ => {
                return Err(CommandError::environment(
                    "cannot tell where keys live: neither XDG_CONFIG_HOME nor HOME is an absolute path",
                )
                .hint("set XDG_CONFIG_HOME (keys go to $XDG_CONFIG_HOME/trail/keys)"));
            }
        },
    };
    Ok(config.join("trail").join("keys"))
}

/// Read a private key file, refusing one others could read.
pub(crate) fn read_key(path: &Path) -> Result<trail_policy::PrivateKey, CommandError> {
    use std::os::unix::fs::PermissionsExt as _;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CommandError::environment(format!("cannot read {}: {e}", path.display())))?;
    let text = zeroize::Zeroizing::new(text);
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        say(format_args!(
            "warning: {} can be read by others (mode {:o}); `chmod 600` it",
            path.display(),
            meta.permissions().mode() & 0o777
        ));
    }
    keys::decode_private_key(&text).map_err(|e| {
        CommandError::usage(format!("{} is not a trail private key: {e}", path.display())).hint(
            "`trail keygen` writes key files; a damaged one cannot be repaired, make a new key",
        )
    })
}

fn key_error(e: trail_policy::KeyError) -> CommandError {
    CommandError::usage(format!("cannot make the key: {e}"))
}

fn default_name() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
    if check_name(&user).is_ok() { user } else { "default".to_owned() }
}

/// A key name is a file name: letters, digits, `.`, `_`, `-`, not starting with `.`.
fn check_name(name: &str) -> Result<(), CommandError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(CommandError::usage(format!("{name:?} is not a usable key name"))
            .hint("use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')"))
    }
}

fn create_dir_private(dir: &Path) -> Result<(), CommandError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| CommandError::environment(format!("cannot create {}: {e}", dir.display())))
}

/// The work tree's trail.toml, checked, ready to take a key.
struct PolicyTarget {
    path: PathBuf,
    text: String,
}

impl PolicyTarget {
    fn find() -> Result<Self, CommandError> {
        let repo = Repo::discover()?;
        let Some(workdir) = &repo.location.workdir else {
            return Err(CommandError::usage(
                "--add needs a repository with a work tree; this one is bare",
            ));
        };
        let path = workdir.join(trail_policy::POLICY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(CommandError::environment(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        crate::config::parse(&text).map_err(|e| invalid(&path, &e))?;
        Ok(PolicyTarget { path, text })
    }

    /// Add the key; returns the file it was added to.
    fn add(self, line: &str) -> Result<PathBuf, CommandError> {
        let key = PublicKey::parse_line(line).map_err(key_error)?;
        let policy = trail_policy::Protect::from_toml(&self.text)
            .map_err(|e| invalid(&self.path, &e.to_string()))?;
        if policy.authorizer(key.id()).is_some() {
            return Err(CommandError::refused(format!(
                "key {} is already in [protect] authorizers of {}",
                key.id(),
                self.path.display()
            ))
            .hint("nothing to add; commit trail.toml if you have not yet"));
        }
        let edited = add_authorizer(&self.text, line).map_err(|why| {
            CommandError::refused(format!("cannot add the key to {}: {why}", self.path.display()))
                .hint(format!("add this line to [protect] authorizers by hand: \"{line}\""))
        })?;
        // The edit must leave a valid policy with exactly this key more.
        let after = trail_policy::Protect::from_toml(&edited)
            .ok()
            .filter(|p| {
                p.authorizers().len() == policy.authorizers().len() + 1
                    && p.authorizer(key.id()).is_some()
            })
            .and_then(|p| crate::config::parse(&edited).ok().map(|_| p));
        if after.is_none() {
            return Err(CommandError::refused(format!(
                "cannot add the key to {} safely (its layout is unusual)",
                self.path.display()
            ))
            .hint(format!("add this line to [protect] authorizers by hand: \"{line}\"")));
        }
        std::fs::write(&self.path, edited).map_err(|e| {
            CommandError::environment(format!("cannot write {}: {e}", self.path.display()))
        })?;
        say(format_args!(
            "added key {} to [protect] authorizers of {}",
            key.id(),
            self.path.display()
        ));
        if policy.authorizers().is_empty() {
            say(
                "commit trail.toml: while the committed policy names no authorizer, the commit that adds the first ones is the bootstrap (`trail docs protection`)",
            );
        } else {
            say(
                "commit trail.toml: the change needs a token from an authorizer already listed at HEAD",
            );
        }
        Ok(self.path)
    }
}

fn invalid(path: &Path, why: &str) -> CommandError {
    CommandError::usage(format!(
        "{} is not a valid trail policy: {}",
        path.display(),
        why.trim_end()
    ))
    .hint("fix the file, or compare it with the defaults in `trail docs configuration`")
}

/// The keys of `[protect]` whose positions the edit needs.
#[derive(serde::Deserialize)]
struct Spans {
    protect: Option<toml::Spanned<ProtectSpans>>,
}

#[derive(serde::Deserialize)]
struct ProtectSpans {
    authorizers: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
}

/// `text` with `line` appended to `[protect] authorizers`, every other byte
/// unchanged. Positions come from the TOML parser's spans, so comments,
/// layout and quoting elsewhere survive; the caller re-parses the result.
/// (A format-preserving editor such as `toml_edit` would do the same for one
/// more dependency; this is the only edit trail makes to trail.toml.)
fn add_authorizer(text: &str, line: &str) -> Result<String, &'static str> {
    let quoted = toml_string(line);
    let spans: Spans = toml::from_str(text).map_err(|_| "it does not parse")?;
    let Some(protect) = spans.protect else {
        // No [protect] at all: append the table.
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("[protect]\nauthorizers = [\n    {quoted},\n]\n"));
        return Ok(out);
    };
    match protect.into_inner().authorizers {
        Some(array) => {
            let span = array.span();
            let items = array.into_inner();
            match items.last() {
                None => {
                    // `[]` (perhaps with comments inside): right after the `[`.
                    if text.as_bytes().get(span.start) != Some(&b'[') {
                        return Err("its authorizers are not written as an array");
                    }
                    let mut out = text.to_owned();
                    out.insert_str(span.start + 1, &quoted);
                    Ok(out)
                }
                Some(last) => {
                    let end = last.span().end;
                    let mut out = text.to_owned();
                    let line_end = text[end..].find('\n').map(|i| end + i);
                    let rest = &text[end..line_end.unwrap_or(text.len())];
                    let code = rest.split('#').next().unwrap_or("").trim();
                    match line_end {
                        // One element per line: a new line below the last
                        // element's, with its indentation, keeping the
                        // comma style and the comment where they are.
                        Some(line_end) if code == "," || code.is_empty() => {
                            let line_start =
                                text[..last.span().start].rfind('\n').map_or(0, |i| i + 1);
                            let indent: String = text[line_start..last.span().start]
                                .chars()
                                .take_while(|c| *c == ' ' || *c == '\t')
                                .collect();
                            if code == "," {
                                out.insert_str(line_end + 1, &format!("{indent}{quoted},\n"));
                            } else {
                                out.insert_str(line_end + 1, &format!("{indent}{quoted}\n"));
                                out.insert(end, ',');
                            }
                        }
                        _ => out.insert_str(end, &format!(", {quoted}")),
                    }
                    Ok(out)
                }
            }
        }
        None => {
            // A `[protect]` header line: the key goes right below it.
            let mut offset = 0;
            for l in text.split_inclusive('\n') {
                let t = l.trim();
                let header = t
                    .strip_prefix("[protect]")
                    .is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'));
                if header {
                    let at = offset + l.len();
                    let mut out = text.to_owned();
                    let prefix = if l.ends_with('\n') { "" } else { "\n" };
                    out.insert_str(at, &format!("{prefix}authorizers = [\n    {quoted},\n]\n"));
                    return Ok(out);
                }
                offset += l.len();
            }
            Err("its [protect] table is not written as a `[protect]` section")
        }
    }
}

/// A TOML basic string. Key lines hold no control characters (trail-policy
/// refuses them), so only `"` and `\` need escaping.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "ed25519:A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg ada";

    fn added(text: &str) -> String {
        let out = add_authorizer(text, LINE).expect("added");
        let policy = trail_policy::Protect::from_toml(&out).expect("still valid");
        assert_eq!(policy.authorizers().last().map(|k| k.to_line()), Some(LINE.to_owned()));
        out
    }

    #[test]
    fn the_key_is_added_keeping_everything_else() {
        let base = "# top\n[rationale]\nrequired = true # keep\n";
        assert_eq!(
            added(base),
            format!("{base}\n[protect]\nauthorizers = [\n    \"{LINE}\",\n]\n")
        );
        assert_eq!(added(""), format!("[protect]\nauthorizers = [\n    \"{LINE}\",\n]\n"));
        assert_eq!(
            added("[protect] # mine\nstrict = false\n"),
            format!("[protect] # mine\nauthorizers = [\n    \"{LINE}\",\n]\nstrict = false\n")
        );
        assert_eq!(
            added("[protect]\nauthorizers = [] # none\n"),
            format!("[protect]\nauthorizers = [\"{LINE}\"] # none\n")
        );
        let one = trail_policy::keys::generate("x").expect("key").1;
        assert_eq!(
            added(&format!("[protect]\nauthorizers = [\"{one}\"]\n")),
            format!("[protect]\nauthorizers = [\"{one}\", \"{LINE}\"]\n")
        );
        assert_eq!(
            added(&format!("[protect]\nauthorizers = [\n  \"{one}\", # bob\n]\n")),
            format!("[protect]\nauthorizers = [\n  \"{one}\", # bob\n  \"{LINE}\",\n]\n")
        );
        assert_eq!(
            added(&format!("[protect]\nauthorizers = [\n  \"{one}\"\n]\n")),
            format!("[protect]\nauthorizers = [\n  \"{one}\",\n  \"{LINE}\"\n]\n")
        );
    }
}
