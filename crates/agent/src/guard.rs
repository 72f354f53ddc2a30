//! The decision for a tool call that would write paths: is one protected by
//! the committed policy (trail.toml at HEAD, as pre-commit reads it), and if
//! so, does a pending token (`trail note --token`) let this one edit through.
//!
//! The protection test is pre-commit's ([`trail_hooks::protect::reason_of`]):
//! the path's globs, the MCP content signature of the content the tool
//! leaves and of the content on disk, and the scripts a protected config
//! launches (the configs of HEAD when the hooks' config cache knows them,
//! else the configs the call itself writes).
//!
//! A token is verified as pre-commit verifies one (format, authorizer of the
//! committed policy, signature, time, repository, paths covered), without a
//! staged digest: a token bound to one (`--digest`, `--staged`) names a
//! staged change, not a tool call, and is refused here. A single-use token
//! lets one tool call through (its id is kept in
//! `.git/trail/agents/tokens-used`); the commit still needs it, and pre-commit
//! and the server check it again.

use std::path::Path;

use trail_git::{ObjectId, RepoLocation};
use trail_hooks::protect::{self, Snapshot};
use trail_policy::{POLICY_FILE, Protect, Reason, Refusal};

use crate::state_dir;

/// What the guard needs of the repository.
pub struct Repo<'a> {
    pub git: &'a trail_git::Repository,
    pub location: &'a RepoLocation,
    pub workdir: &'a Path,
}

impl Repo<'_> {
    pub fn trail_dir(&self) -> std::path::PathBuf {
        self.location.trail_dir()
    }

    pub fn head(&self) -> Option<ObjectId> {
        self.git.head_id().ok().map(|id| id.detach())
    }
}

/// A path a tool call writes: repository-relative, with the content it will
/// have when the call says (a Write), and what is on disk now.
#[derive(Debug, Clone)]
pub struct Write {
    pub path: Vec<u8>,
    pub new: Option<Vec<u8>>,
    pub old: Option<Vec<u8>>,
}

/// The protected paths among a call's writes, with why.
pub type Protected = Vec<(Vec<u8>, Reason)>;

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing protected.
    Allow,
    /// Protected paths, let through by the pending token `token_id`.
    Authorized { token_id: String, paths: Vec<Vec<u8>> },
    /// Refused: the reason for the model (and the user).
    Deny(String),
}

/// The policy at HEAD and where it came from; the error is a message.
pub fn policy(repo: &Repo<'_>) -> Result<(Protect, String), String> {
    protect::policy_named(repo.git, repo.head(), "HEAD").map_err(|e| e.message)
}

/// Which of `writes` the committed policy protects.
pub fn protected(repo: &Repo<'_>, policy: &Protect, writes: &[Write]) -> Result<Protected, String> {
    let changed: Vec<protect::Contents> =
        writes.iter().map(|w| (w.path.clone(), w.new.clone(), w.old.clone())).collect();
    let configs = repo.head().and_then(|head| protect::cached_configs(&repo.trail_dir(), head));
    let snapshot = configs.map(Snapshot::Configs);
    let launched = protect::launched(repo.git, policy, snapshot.as_ref(), &changed, &[])
        .map_err(|e| e.message)?;
    Ok(writes
        .iter()
        .filter_map(|w| {
            let reason = protect::reason_of(policy, &w.path, false, &[&w.new, &w.old], &launched)?;
            Some((w.path.clone(), reason))
        })
        .collect())
}

/// Decide on a call that writes `writes`.
pub fn decide(repo: &Repo<'_>, writes: &[Write]) -> Result<Verdict, String> {
    if writes.is_empty() {
        return Ok(Verdict::Allow);
    }
    let (policy, _source) = policy(repo)?;
    let found = protected(repo, &policy, writes)?;
    if found.is_empty() {
        return Ok(Verdict::Allow);
    }
    let pending = trail_hooks::pending::Pending::new(repo.location);
    let token = pending.note().ok().flatten().and_then(|note| note.token);
    let refusal = match token {
        None => None,
        Some(token) => match check_token(repo, &policy, &token, &found)? {
            Ok(token_id) => {
                return Ok(Verdict::Authorized {
                    token_id,
                    paths: found.into_iter().map(|(p, _)| p).collect(),
                });
            }
            Err(why) => Some(why),
        },
    };
    Ok(Verdict::Deny(deny_reason(&policy, &found, refusal.as_deref())))
}

fn used_path(repo: &Repo<'_>) -> std::path::PathBuf {
    state_dir(&repo.trail_dir()).join("tokens-used")
}

/// `Ok(Ok(id))` when `token` lets the call through (and is now spent when
/// single use), `Ok(Err(why))` when it does not.
fn check_token(
    repo: &Repo<'_>,
    policy: &Protect,
    token: &str,
    found: &Protected,
) -> Result<Result<String, String>, String> {
    let Some(head) = repo.head() else {
        return Ok(Err("the repository has no commit yet, so no token can name it".to_owned()));
    };
    let repo_id =
        protect::repository_id(repo.git, &repo.trail_dir(), head).map_err(|e| e.message)?;
    let staged: Vec<trail_policy::token::StagedPath> =
        found.iter().map(|(p, r)| (p.clone(), Some(r.clone()))).collect();
    let verified =
        match trail_policy::verify(token, policy, chrono::Utc::now(), &repo_id, &staged, None) {
            Ok(v) => v,
            Err(Refusal::DigestMismatch { .. }) => {
                return Ok(Err("the pending token is bound to a staged change (`--digest` or \
                     `--staged`), not to an agent's edit: mint one without them"
                    .to_owned()));
            }
            Err(refusal) => return Ok(Err(format!("{refusal}; {}", refusal.hint()))),
        };
    let id = verified.token.id().to_owned();
    if !verified.token.claims().reuse {
        let used = used_path(repo);
        let text = std::fs::read_to_string(&used).unwrap_or_default();
        if text.lines().any(|line| line.trim() == id) {
            return Ok(Err(format!(
                "the pending token {id} is single use and already let an agent's edit through"
            )));
        }
        append_line(&used, &id).map_err(|e| format!("cannot write {}: {e}", used.display()))?;
    }
    Ok(Ok(id))
}

fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(file, "{line}")
}

/// `path` as a glob matching only itself (`trail authorize --path`): the
/// escaping pre-commit's refusal uses, so that both name the same token.
pub use trail_hooks::protect::literal_glob;
use trail_hooks::protect::shell_word;

/// The `trail authorize` command for these paths.
pub fn authorize_command(paths: &[Vec<u8>]) -> String {
    let mut cmd = "trail authorize".to_owned();
    for path in paths {
        cmd.push_str(" --path ");
        cmd.push_str(&shell_word(&literal_glob(path)));
    }
    cmd.push_str(" --ttl 1h --reason 'WHY THE AGENT MAY CHANGE IT'");
    cmd
}

/// The reason the model reads: what is protected and why, that a person
/// must authorize it, and the exact commands.
pub fn deny_reason(policy: &Protect, found: &Protected, refusal: Option<&str>) -> String {
    let mut text = String::from("trail: refused: ");
    let names: Vec<String> =
        found.iter().map(|(p, _)| String::from_utf8_lossy(p).into_owned()).collect();
    text.push_str(&names.join(", "));
    text.push_str(if found.len() == 1 { " is" } else { " are" });
    text.push_str(" protected by this repository's policy (trail.toml as committed at HEAD):");
    for (path, reason) in found {
        text.push_str(&format!("\n  {}: {reason}", String::from_utf8_lossy(path)));
    }
    text.push_str(
        "\nA protected file (an MCP server configuration, an agent's hook settings, \
         the policy itself) can only be changed with a person's authorization. \
         Do not try another way to write it; stop and ask the user.",
    );
    if let Some(why) = refusal {
        text.push_str(&format!("\nThe pending token does not allow this edit: {why}"));
    }
    let paths: Vec<Vec<u8>> = found.iter().map(|(p, _)| p.clone()).collect();
    if policy.authorizers().is_empty() {
        text.push_str(&format!(
            "\nThis repository names no authorizer yet ([protect] authorizers in {POLICY_FILE}): \
             the user can make this change themselves, or name an authorizer (`trail keygen --add`) \
             and then authorize it with:\n  {}\n  trail note --token TOKEN",
            authorize_command(&paths)
        ));
    } else {
        text.push_str(&format!(
            "\nTo allow it, an authorizer runs, in this repository:\n  {}\n\
             then gives the token to this worktree:\n  trail note --token TOKEN\n\
             after which the same edit may be retried once.",
            authorize_command(&paths)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_names_path_cause_and_command() {
        let policy = Protect::default();
        let found = vec![(b".mcp.json".to_vec(), Reason::Glob(".mcp.json".into()))];
        let text = deny_reason(&policy, &found, None);
        assert!(text.contains(".mcp.json is protected"), "{text}");
        assert!(text.contains("matches the protected glob `.mcp.json`"), "{text}");
        assert!(text.contains("trail authorize --path .mcp.json --ttl 1h"), "{text}");
        assert!(text.contains("trail note --token TOKEN"), "{text}");
        assert_eq!(
            authorize_command(&[b"a b/[x].json".to_vec()]),
            "trail authorize --path 'a b/\\[x\\].json' --ttl 1h --reason 'WHY THE AGENT MAY CHANGE IT'"
        );
    }
}
