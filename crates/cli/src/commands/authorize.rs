//! `trail authorize`

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use trail_policy::{Claims, Token, TokenError};

use crate::commands::keygen::{keys_dir, read_key};
use crate::commands::policy;
use crate::context::Repo;
use crate::error::CommandError;
use crate::output::{Out, say};

/// Mint an authorization token for a protected change (you must be an authorizer).
///
/// Signs, with your key from `$XDG_CONFIG_HOME/trail/keys/`, a token for this
/// repository that allows changes to the paths matching the `--path` globs,
/// for `--ttl` from now. Bind it to the exact staged content with `--digest`
/// (the digest `trail policy check` prints) or `--staged` (this index's
/// protected changes). The token alone is printed on stdout, so
/// `TRAIL_TOKEN=$(trail authorize …)` works; it is not a secret.
///
/// The token verifies only while your key is in `[protect] authorizers` of
/// trail.toml as committed at HEAD.
#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// A glob of paths the token covers (repeat; e.g. `.mcp.json`, `scripts/mcp/**`).
    #[arg(long = "path", value_name = "GLOB", required = true)]
    pub paths: Vec<String>,

    /// Approve only the change with this staged digest (64 hex digits, from `trail policy check`).
    #[arg(long, value_name = "HEX", conflicts_with = "staged")]
    pub digest: Option<String>,

    /// Approve only the protected changes staged in this repository now.
    #[arg(long)]
    pub staged: bool,

    /// How long the token is valid: a number and s, m, h or d (e.g. 30m, 2h, 1d; at most 30d).
    #[arg(long, value_name = "DURATION", default_value = "2h", value_parser = parse_ttl)]
    pub ttl: chrono::Duration,

    /// Why the change is allowed (recorded in the token).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,

    /// Let the token authorize more than one commit (default: single use).
    #[arg(long)]
    pub reuse: bool,

    /// The key to sign with: NAME for `$XDG_CONFIG_HOME/trail/keys/NAME.key`
    /// (default: the only key there).
    #[arg(long, value_name = "NAME")]
    pub key: Option<String>,

    /// Print one JSON object instead of the bare token: token, id, key_id,
    /// repo, paths, issued_at, expires_at (RFC 3339 UTC), reuse, digest
    /// (or null) and reason. Messages stay on stderr.
    #[arg(long)]
    pub json: bool,
}

/// `30s`, `30m`, `2h`, `1d`: a whole positive number and one unit, at most 30 days.
fn parse_ttl(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 =
        number.parse().map_err(|_| "expected a number and a unit, e.g. 2h".to_owned())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err("the unit must be s, m, h or d (e.g. 30m, 2h, 1d)".to_owned()),
    };
    let total = number.checked_mul(seconds).filter(|t| *t > 0 && *t <= 30 * 86_400);
    total
        .map(chrono::Duration::seconds)
        .ok_or_else(|| "must be more than 0 and at most 30d".to_owned())
}

pub fn run(args: AuthorizeArgs) -> Result<(), CommandError> {
    let mut repo = Repo::discover()?;
    trail_git::skip_index_checksum(&mut repo.git);
    let key_path = choose_key(args.key.as_deref())?;
    let key = read_key(&key_path)?;
    let repo_id = repository_id(&repo)?;

    let staged = if args.staged { Some(policy::staged(&repo)?) } else { None };
    let digest = match &staged {
        Some(staged) if staged.changes.is_empty() => {
            return Err(CommandError::usage("--staged: no staged change touches a protected path")
                .hint("stage the change first (git add), or leave out --staged"));
        }
        Some(staged) => Some(staged.digest()),
        None => args.digest.clone(),
    };

    let (policy, source) = policy::policy_at(&repo, policy::head_of(&repo))?;
    if policy.authorizer(key.id()).is_none() {
        say(format_args!(
            "warning: key {} is not in [protect] authorizers of {source}; the token will be refused until it is",
            key.id()
        ));
    }

    let now = chrono::Utc::now();
    let id = Claims::new_id().map_err(token_error)?;
    let claims = Claims {
        id,
        repo: repo_id.clone(),
        issued_at: now,
        expires_at: now + args.ttl,
        paths: args.paths.clone(),
        reason: args.reason.clone(),
        digest,
        reuse: args.reuse,
    };
    let token = Token::mint(&key, &claims).map_err(token_error)?;
    let parsed = Token::parse(&token).map_err(token_error)?;
    let claims = parsed.claims();
    for change in staged.iter().flat_map(|s| &s.changes) {
        if !parsed.covers(&change.path) {
            say(format_args!(
                "warning: no --path glob covers the staged {} ({}); the token will not authorize this change",
                String::from_utf8_lossy(&change.path),
                change.reason
            ));
        }
    }
    say(format_args!(
        "token {} by key {} for repository {}: {} until {} ({}){}",
        claims.id,
        key.id(),
        repo_id,
        claims.paths.join(", "),
        claims.expires_at.format("%Y-%m-%dT%H:%M:%SZ"),
        if claims.reuse { "reusable" } else { "single use" },
        match &claims.digest {
            Some(d) => format!(", digest {d}"),
            None => ", any content".to_owned(),
        }
    ));
    if args.json {
        let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        crate::output::print_json(&serde_json::json!({
            "token": token,
            "id": claims.id,
            "key_id": key.id().to_string(),
            "repo": claims.repo,
            "paths": claims.paths,
            "issued_at": time(claims.issued_at),
            "expires_at": time(claims.expires_at),
            "reuse": claims.reuse,
            "digest": claims.digest,
            "reason": claims.reason,
        }))?;
        return Ok(());
    }
    let mut out = Out::new();
    writeln!(out, "{token}")?;
    out.flush()?;
    Ok(())
}

/// The repository id tokens name (docs/tokens.md): the root commit reached
/// from HEAD through first parents.
fn repository_id(repo: &Repo) -> Result<String, CommandError> {
    let Some(head) = policy::head_of(repo) else {
        return Err(CommandError::usage(
            "this repository has no commits yet, so it has no repository id for a token",
        )
        .hint("the repository id is its first commit: commit something (trail.toml) first"));
    };
    Ok(crate::protect::repository_id(&repo.git, &repo.location.trail_dir(), head)?)
}

fn token_error(e: TokenError) -> CommandError {
    match e {
        TokenError::Random(_) => CommandError::environment(format!("cannot mint the token: {e}")),
        e => CommandError::usage(format!("cannot mint the token: {e}"))
            .hint("--path takes globs such as .mcp.json or scripts/mcp/**; --digest takes the 64 hex digits `trail policy check` prints"),
    }
}

/// `--key NAME`, or the only key in the keys directory.
fn choose_key(name: Option<&str>) -> Result<PathBuf, CommandError> {
    let dir = keys_dir()?;
    if let Some(name) = name {
        // A path to a key file works too; a name given with its .key is the name.
        if name.contains('/') && Path::new(name).is_file() {
            return Ok(PathBuf::from(name));
        }
        let name = name.strip_suffix(".key").unwrap_or(name);
        let path = dir.join(format!("{name}.key"));
        if !path.is_file() {
            return Err(CommandError::usage(format!(
                "no key {name}: {} does not exist",
                path.display()
            ))
            .hint("`trail keygen --name NAME` makes one; --key takes a key's name (NAME for NAME.key in the keys directory) or a path to a key file"));
        }
        return Ok(path);
    }
    let mut keys: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "key"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(CommandError::environment(format!("cannot read {}: {e}", dir.display())));
        }
    };
    keys.sort();
    match keys.len() {
        0 => Err(CommandError::environment(format!("no authorizer key in {}", dir.display()))
            .hint("`trail keygen` makes one; its public line must be in [protect] authorizers at HEAD")),
        1 => Ok(keys.remove(0)),
        _ => {
            let names: Vec<String> = keys
                .iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect();
            Err(CommandError::usage(format!("several keys in {}: {}", dir.display(), names.join(", ")))
                .hint("choose one with --key NAME"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn ttl_parses_small_durations_only() {
        assert_eq!(parse_ttl("30m"), Ok(chrono::Duration::minutes(30)));
        assert_eq!(parse_ttl("2h"), Ok(chrono::Duration::hours(2)));
        assert_eq!(parse_ttl("1d"), Ok(chrono::Duration::days(1)));
        assert_eq!(parse_ttl("45s"), Ok(chrono::Duration::seconds(45)));
        for bad in ["", "2", "h", "0h", "-1h", "2 h", "1w", "31d", "99999999999999999999d"] {
            assert!(parse_ttl(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
