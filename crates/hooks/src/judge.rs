//! The glue between a real repository and trail-policy's [`Gate`]: a
//! [`History`] read with gix, the server's ledger of the tokens it accepted,
//! and the refusal messages. The decision itself is trail-policy's.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use trail_git::{Importer, ObjectId};
use trail_policy::{
    Accepted, Gate, History, POLICY_FILE, Protect, ProtectedChange, Refused, Update, When,
};

use crate::HookError;
use crate::protect;

/// Where a protection check runs: the repository, its trail directory
/// (caches, the server's ledger), the directory `git` commands run in, and
/// the clone's journal as the memory of tokens used and commits recorded.
pub struct Site<'a> {
    pub git: &'a trail_git::Repository,
    pub trail_dir: PathBuf,
    pub cwd: PathBuf,
    pub journal: &'a dyn JournalMemory,
}

/// What a local check asks of the clone's journal (the CLI opens it; this
/// crate never does).
pub trait JournalMemory {
    /// When the journal recorded `commit` (its `commit` or `auth.used`
    /// record), if it did.
    fn recorded_at(&self, commit: ObjectId) -> Result<Option<When>, HookError>;
    /// The commits the journal and the spool hold `auth.used` records of
    /// token `id` for (`None`: a record naming no commit).
    fn token_users(&self, id: &str) -> Result<Vec<Option<String>>, HookError>;
}

/// Where a [`GitHistory`] learns which tokens were used, and when commits
/// were accepted.
pub enum Memory {
    /// A server: its ledger (`<git dir>/trail/ledger.jsonl`).
    Ledger(Ledger),
    /// A clone: its journal (`auth.used` records; commit records' times).
    Journal,
}

/// [`History`] over a repository.
pub struct GitHistory<'r> {
    repo: &'r Site<'r>,
    importer: Importer<'r>,
    policies: HashMap<ObjectId, Protect>,
    /// The configs a glob protects in a commit (path, blob), keyed by the
    /// commit and the policy's globs, so a walk reads each tree once.
    configs: HashMap<(ObjectId, String), protect::Configs>,
    pub memory: Memory,
}

fn env_error(e: impl std::fmt::Display) -> HookError {
    HookError::environment(e.to_string())
}

impl<'r> GitHistory<'r> {
    /// `git` must be a clone of `repo.git` that outlives the history.
    pub fn new(
        repo: &'r Site<'r>,
        git: &'r mut trail_git::Repository,
        memory: Memory,
    ) -> Result<Self, HookError> {
        let importer = Importer::new(git).map_err(env_error)?;
        Ok(GitHistory { repo, importer, policies: HashMap::new(), configs: HashMap::new(), memory })
    }

    fn globs_key(policy: &Protect) -> String {
        format!("{:?}{:?}", policy.paths(), policy.ignore())
    }

    fn configs_of(
        &mut self,
        policy: &Protect,
        commit: Option<ObjectId>,
    ) -> Result<protect::Configs, HookError> {
        let Some(commit) = commit else { return Ok(protect::Configs::default()) };
        let key = (commit, Self::globs_key(policy));
        if let Some(configs) = self.configs.get(&key) {
            return Ok(configs.clone());
        }
        let configs = protect::Configs::of_commit(self.repo.git, policy, commit)?;
        self.configs.insert(key, configs.clone());
        Ok(configs)
    }
}

impl History for GitHistory<'_> {
    type Id = ObjectId;
    type Error = HookError;

    fn parents(&mut self, commit: &ObjectId) -> Result<Vec<ObjectId>, HookError> {
        let commit = self
            .repo
            .git
            .find_commit(*commit)
            .map_err(|e| HookError::environment(format!("cannot read commit {commit}: {e}")))?;
        Ok(commit.parent_ids().map(|p| p.detach()).collect())
    }

    fn policy(&mut self, commit: &ObjectId) -> Result<Protect, HookError> {
        if let Some(policy) = self.policies.get(commit) {
            return Ok(policy.clone());
        }
        let (policy, _) = protect::policy_named(self.repo.git, Some(*commit), "commit")?;
        self.policies.insert(*commit, policy.clone());
        Ok(policy)
    }

    fn policy_text(&mut self, commit: &ObjectId) -> Result<Option<Vec<u8>>, HookError> {
        trail_git::blob_in_commit(self.repo.git, *commit, POLICY_FILE.as_bytes()).map_err(env_error)
    }

    fn protected_changes(
        &mut self,
        policy: &Protect,
        base: Option<&ObjectId>,
        commit: &ObjectId,
    ) -> Result<Vec<ProtectedChange>, HookError> {
        let base = base.copied();
        let changes = self.importer.changes_between(base, *commit).map_err(env_error)?;
        let configs = protect::overlay(policy, self.configs_of(policy, base)?, &changes);
        self.configs.insert((*commit, Self::globs_key(policy)), configs.clone());
        let snapshot = protect::Snapshot::Configs(configs);
        protect::protected_changes(self.repo.git, policy, base, &changes, Some(&snapshot))
    }

    fn token(&mut self, commit: &ObjectId) -> Result<Option<String>, HookError> {
        trailer(self.repo.git, *commit, "Trail-Authorization")
    }

    fn repo_id(&mut self, commit: &ObjectId) -> Result<String, HookError> {
        protect::repository_id(self.repo.git, &self.repo.trail_dir, *commit)
    }

    fn commits(&mut self, tip: &ObjectId, hide: &[ObjectId]) -> Result<Vec<ObjectId>, HookError> {
        trail_git::commits_between(self.repo.git, *tip, hide).map_err(env_error)
    }

    fn is_ancestor(
        &mut self,
        ancestor: &ObjectId,
        descendant: &ObjectId,
    ) -> Result<bool, HookError> {
        if ancestor == descendant {
            return Ok(true);
        }
        let status = std::process::Command::new("git")
            .args(["merge-base", "--is-ancestor"])
            .arg(ancestor.to_string())
            .arg(descendant.to_string())
            .current_dir(&self.repo.cwd)
            .status()
            .map_err(|e| {
                HookError::environment(format!("cannot run `git merge-base`: {e}"))
                    .hint("is git installed and on PATH?")
            })?;
        match status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(HookError::environment(format!(
                "`git merge-base --is-ancestor {ancestor} {descendant}` failed ({status})"
            ))),
        }
    }

    fn received(&mut self, commit: &ObjectId) -> Result<Option<When>, HookError> {
        match &self.memory {
            Memory::Ledger(ledger) => Ok(ledger.received.get(commit).copied()),
            Memory::Journal => self.repo.journal.recorded_at(*commit),
        }
    }

    fn token_used(&mut self, id: &str, commit: &ObjectId) -> Result<bool, HookError> {
        match &self.memory {
            // Every use the ledger holds counts, even of a commit whose push
            // failed after the check (or is landing right now): the token
            // is spent; the same commit may be pushed again.
            Memory::Ledger(ledger) => Ok(ledger
                .used_by
                .get(id)
                .is_some_and(|commits| commits.iter().any(|c| c != commit))),
            // A use by a commit no ref reaches any more (amended, rebased,
            // dropped) does not count: rewriting unpushed commits keeps their
            // tokens. A use by a commit still on a branch, a tag or a
            // remote-tracking branch does.
            Memory::Journal => token_spent(self.repo, id, Some(*commit)),
        }
    }
}

/// Whether this clone's journal has token `id` used by a commit other than
/// `except` that a branch, tag or remote-tracking branch still reaches. A
/// use by a commit no ref reaches any more (amended, rebased, reset away)
/// does not count: rewriting unpushed commits keeps their tokens.
pub fn token_spent(repo: &Site<'_>, id: &str, except: Option<ObjectId>) -> Result<bool, HookError> {
    let except = except.map(|e| e.to_string());
    for user in repo.journal.token_users(id)? {
        let Some(user) = user else { return Ok(true) };
        if Some(&user) != except.as_ref() && reachable(repo, &user)? {
            return Ok(true);
        }
    }
    // The journal is this clone's memory, and it can be replaced (a fresh
    // store, an older copy): git's history is the other witness. A commit a
    // ref reaches whose `Trail-Authorization:` trailer carries the token has
    // used it, whatever the journal says.
    Ok(authorized_in_history(repo, id, except.as_deref())?.is_some())
}

/// A commit other than `except` that a branch, tag or remote-tracking
/// branch reaches and whose `Trail-Authorization:` trailer carries token `id`.
pub fn authorized_in_history(
    repo: &Site<'_>,
    id: &str,
    except: Option<&str>,
) -> Result<Option<String>, HookError> {
    let output = std::process::Command::new("git")
        .args(["log", "--branches", "--tags", "--remotes", "--fixed-strings"])
        // No colon: git also reads `Trail-Authorization : TOKEN` as the trailer.
        .args(["--grep=Trail-Authorization", "-i"])
        .arg("--format=%H%x1f%(trailers:key=Trail-Authorization,valueonly,separator=%x1e)%x00")
        .current_dir(&repo.cwd)
        .output()
        .map_err(|e| {
            HookError::environment(format!("cannot run `git log`: {e}"))
                .hint("is git installed and on PATH?")
        })?;
    if !output.status.success() {
        // Fail closed: a use git's history might show is not waved through.
        return Err(HookError::environment(format!(
            "cannot search the history for earlier uses of token {id}: `git log` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    for entry in output.stdout.split(|&b| b == 0) {
        let entry = String::from_utf8_lossy(entry);
        let Some((commit, tokens)) = entry.trim_start_matches('\n').split_once('\x1f') else {
            continue;
        };
        if Some(commit) == except {
            continue;
        }
        let carries = tokens
            .split('\x1e')
            .filter_map(|t| trail_policy::Token::parse(t.trim()).ok())
            .any(|t| t.id() == id);
        if carries {
            return Ok(Some(commit.to_owned()));
        }
    }
    Ok(None)
}

/// Whether a branch, tag or remote-tracking branch reaches `commit`.
pub fn reachable(repo: &Site<'_>, commit: &str) -> Result<bool, HookError> {
    if ObjectId::from_hex(commit.as_bytes()).map_or(true, |id| !repo.git.has_object(id)) {
        return Ok(false);
    }
    let output = std::process::Command::new("git")
        .args(["for-each-ref", "--count=1", "--format=%(refname)", "--contains", commit])
        .args(["refs/heads", "refs/tags", "refs/remotes"])
        .current_dir(&repo.cwd)
        .output()
        .map_err(|e| {
            HookError::environment(format!("cannot run `git for-each-ref`: {e}"))
                .hint("is git installed and on PATH?")
        })?;
    if !output.status.success() {
        return Err(HookError::environment(format!(
            "`git for-each-ref --contains {commit}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(!output.stdout.trim_ascii().is_empty())
}

/// The last value of trailer `name` of `commit`.
pub fn trailer(
    git: &trail_git::Repository,
    commit: ObjectId,
    name: &str,
) -> Result<Option<String>, HookError> {
    let commit = git
        .find_commit(commit)
        .map_err(|e| HookError::environment(format!("cannot read commit {commit}: {e}")))?;
    let raw = commit.message_raw().map_err(env_error)?;
    let (_, trailers) = trail_git::parse_trailers(raw);
    Ok(trailers
        .into_iter()
        .rev()
        .find(|(t, _)| t.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned()))
}

// ---------------------------------------------------------------------------
// The server's ledger
// ---------------------------------------------------------------------------

/// `<git dir>/trail/ledger.jsonl`: one line per commit a token authorized
/// when this server received it. It is what makes single use span the
/// server's whole history, and what lets a merge of a branch pushed days ago
/// be judged at the moment that branch arrived. No pusher can write it.
/// Missing, it is rebuilt from every commit the server's refs reach
/// (outside `refs/trail/`), with no receive time: the baseline.
pub struct Ledger {
    path: PathBuf,
    received: HashMap<ObjectId, When>,
    used_by: HashMap<String, Vec<ObjectId>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct LedgerLine {
    commit: String,
    token_id: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    reuse: bool,
    /// RFC 3339 UTC; `null` for history the ledger began with.
    received: Option<String>,
}

impl Ledger {
    /// Hold `<git dir>/trail/ledger.lock` exclusively until the guard is
    /// dropped: pushes are judged and recorded one at a time.
    pub fn lock(repo: &Site<'_>) -> Result<std::fs::File, HookError> {
        let dir = repo.trail_dir.clone();
        let path = dir.join("ledger.lock");
        let fail = |e: std::io::Error| {
            HookError::environment(format!("cannot lock {}: {e}", path.display()))
        };
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(file)
    }

    pub fn open(repo: &Site<'_>) -> Result<Ledger, HookError> {
        let path = repo.trail_dir.clone().join("ledger.jsonl");
        let mut ledger = Ledger { path, received: HashMap::new(), used_by: HashMap::new() };
        match std::fs::read(&ledger.path) {
            Ok(bytes) => {
                for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let line: LedgerLine = serde_json::from_slice(line).map_err(|e| {
                        HookError::environment(format!(
                            "{} line {} does not read: {e}",
                            ledger.path.display(),
                            n + 1
                        ))
                        .hint("the ledger is written only by trail's server hooks; move it aside and the next push rebuilds it from history (receive times are then lost)")
                    })?;
                    ledger.add(&line);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ledger.seed(repo)?,
            Err(e) => {
                return Err(HookError::environment(format!(
                    "cannot read {}: {e}",
                    ledger.path.display()
                )));
            }
        }
        Ok(ledger)
    }

    fn add(&mut self, line: &LedgerLine) {
        let Ok(commit) = ObjectId::from_hex(line.commit.as_bytes()) else { return };
        let when = match &line.received {
            Some(text) => match DateTime::parse_from_rfc3339(text) {
                Ok(t) => When::At(t.with_timezone(&Utc)),
                Err(_) => return,
            },
            None => When::Unknown,
        };
        self.received.entry(commit).or_insert(when);
        self.used_by.entry(line.token_id.clone()).or_default().push(commit);
    }

    /// Every commit reachable from a ref outside `refs/trail/` whose
    /// trailer holds a token: used, at an unknown time.
    fn seed(&mut self, repo: &Site<'_>) -> Result<(), HookError> {
        let refs = repo.git.references().map_err(env_error)?;
        let mut tips = Vec::new();
        for reference in refs.all().map_err(env_error)?.flatten() {
            if reference.name().as_bstr().starts_with(b"refs/trail/") {
                continue;
            }
            let mut reference = reference;
            if let Ok(id) = reference.peel_to_id() {
                tips.push(id.detach());
            }
        }
        let mut lines = Vec::new();
        if !tips.is_empty() {
            let walk = repo.git.rev_walk(tips).all().map_err(env_error)?;
            for info in walk {
                let info = info.map_err(env_error)?;
                let Some(token) = trailer(repo.git, info.id, "Trail-Authorization")? else {
                    continue;
                };
                let Ok(parsed) = trail_policy::Token::parse(&token) else { continue };
                lines.push(LedgerLine {
                    commit: info.id.to_string(),
                    token_id: parsed.id().to_owned(),
                    issuer: parsed.key_id().to_string(),
                    reuse: parsed.claims().reuse,
                    received: None,
                });
            }
        }
        for line in &lines {
            self.add(line);
        }
        self.write(&lines)
    }

    /// Add the commits a push had authorized, once it is accepted.
    pub fn record(
        &mut self,
        accepted: &[Accepted<ObjectId>],
        now: DateTime<Utc>,
    ) -> Result<(), HookError> {
        let lines: Vec<LedgerLine> = accepted
            .iter()
            .filter(|a| !self.received.contains_key(&a.commit))
            .map(|a| LedgerLine {
                commit: a.commit.to_string(),
                token_id: a.token_id.clone(),
                issuer: a.issuer.clone(),
                reuse: a.reuse,
                received: Some(now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            })
            .collect();
        for line in &lines {
            self.add(line);
        }
        self.write(&lines)
    }

    /// Append `lines` (creating the file), durably: one `write` per call on
    /// an `O_APPEND` file, so concurrent pushes never interleave within a line.
    fn write(&self, lines: &[LedgerLine]) -> Result<(), HookError> {
        let fail = |e: std::io::Error| {
            HookError::environment(format!("cannot write {}: {e}", self.path.display()))
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut text = String::new();
        for line in lines {
            let json = serde_json::to_string(line)
                .map_err(|e| HookError::environment(format!("cannot encode a ledger line: {e}")))?;
            text.push_str(&json);
            text.push('\n');
        }
        let mut file =
            std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)
    }
}

// ---------------------------------------------------------------------------
// Judging and refusing
// ---------------------------------------------------------------------------

/// Judge `updates` with `gate`; a refusal listing every refused commit and
/// update, or nothing.
pub fn judge_all<H: History<Id = ObjectId, Error = HookError>>(
    gate: &mut Gate<'_, H>,
    updates: &[Update<ObjectId>],
    what: &str,
) -> Result<(), HookError> {
    let mut refused: Vec<Refused<ObjectId>> = Vec::new();
    for update in updates {
        refused.extend(gate.judge(update)?);
    }
    match refusal(&refused, what) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The error naming every refusal (`None` when there is none).
pub fn refusal(refused: &[Refused<ObjectId>], what: &str) -> Option<HookError> {
    if refused.is_empty() {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for r in refused {
        let line = match &r.commit {
            Some(id) => format!(
                "commit {}: {} ({} check){}",
                id.to_hex_with_len(12),
                r.denial.message,
                r.denial.check,
                protect::describe_changes(&r.changes)
            ),
            None => format!("{} ({} check)", r.denial.message, r.denial.check),
        };
        if seen.insert(line.clone()) {
            lines.push(line);
        }
    }
    let commits = refused.iter().filter(|r| r.commit.is_some()).count();
    let mut error = HookError::refused(format!(
        "{what} refused: {}:\n{}",
        if commits == 0 {
            "a protected branch's history is kept".to_owned()
        } else {
            format!(
                "{commits} commit{} change{} protected paths without a valid authorization",
                if commits == 1 { "" } else { "s" },
                if commits == 1 { "s" } else { "" }
            )
        },
        lines.join("\n")
    ));
    let mut hints: Vec<&str> = Vec::new();
    for r in refused {
        for hint in &r.denial.hints {
            if !hints.contains(&hint.as_str()) {
                hints.push(hint);
            }
        }
    }
    for hint in hints {
        error = error.hint(hint.to_owned());
    }
    if commits > 0 {
        error = error
            .hint("each commit that changes an MCP configuration or trail.toml needs a `Trail-Authorization:` trailer with a valid token: recommit it with TRAIL_TOKEN=<token> (`git commit --amend`, or an interactive rebase that edits it)")
            .hint("`trail policy check` before committing says what is protected and the `trail authorize` command an authorizer runs");
    }
    Some(error)
}

/// Parse a hook's hex id; the null id (all zeros) is `None`.
pub fn parse_id(text: &str) -> Option<ObjectId> {
    ObjectId::from_hex(text.as_bytes()).ok().filter(|id| !id.is_null())
}

/// The default branch of a server, as the gate needs it.
pub struct DefaultBranch {
    /// The branch whose tip is trusted, and the tip.
    pub name: Option<String>,
    pub tip: Option<ObjectId>,
    /// The branch HEAD names when it does not exist yet (and another stood
    /// in for it).
    pub unborn_head: Option<String>,
}

/// The default branch of a server: the branch HEAD names; while that does
/// not exist, `main` or `master` if one does. A server with branches but
/// none of these has no trusted tip: it refuses to judge (fail closed)
/// rather than judge every new ref as if it were empty.
pub fn default_branch(repo: &Site<'_>) -> Result<DefaultBranch, HookError> {
    let name = repo.git.head_name().ok().flatten().map(|n| n.as_bstr().to_string());
    if let Ok(tip) = repo.git.head_id() {
        return Ok(DefaultBranch { name, tip: Some(tip.detach()), unborn_head: None });
    }
    for fallback in ["refs/heads/main", "refs/heads/master"] {
        if let Ok(mut reference) = repo.git.find_reference(fallback)
            && let Ok(tip) = reference.peel_to_id()
        {
            return Ok(DefaultBranch {
                name: Some(fallback.to_owned()),
                tip: Some(tip.detach()),
                unborn_head: name,
            });
        }
    }
    let has_history = repo
        .git
        .references()
        .map_err(env_error)?
        .all()
        .map_err(env_error)?
        .flatten()
        .any(|r| !r.name().as_bstr().starts_with(b"refs/trail/"));
    if has_history {
        return Err(HookError::refused(format!(
            "this server's HEAD names {}, which does not exist, and there is no main or master: \
             without a default branch there is no trusted policy to judge a push against",
            name.as_deref().unwrap_or("nothing")
        ))
        .hint("point HEAD at the branch the team uses, on the server: `git symbolic-ref HEAD refs/heads/<branch>`"));
    }
    Ok(DefaultBranch { name, tip: None, unborn_head: None })
}

/// `id` peeled to the commit it names: a commit stays, an annotated tag
/// gives its commit, and anything else (a tag of a tree or a blob) `None`.
pub fn peel_to_commit(repo: &Site<'_>, id: ObjectId) -> Result<Option<ObjectId>, HookError> {
    trail_git::peel_to_commit(repo.git, id)
        .map_err(|e| HookError::environment(format!("cannot read object {id}: {e}")))
}

/// What post-commit learns of one commit: why it is refused, or the token
/// that authorized it.
pub struct CommitJudgement {
    pub refused: Vec<Refused<ObjectId>>,
    pub accepted: Option<Accepted<ObjectId>>,
}

/// One commit judged as post-commit does: the update of its branch from its
/// first parent to it.
pub fn judge_commit(
    repo: &Site<'_>,
    commit: ObjectId,
    first_parent: Option<ObjectId>,
    branch: &str,
) -> Result<CommitJudgement, HookError> {
    let mut git = repo.git.clone();
    let mut history = GitHistory::new(repo, &mut git, Memory::Journal)?;
    let mut gate = Gate::new(&mut history, None, None, Utc::now(), false);
    let update = Update { name: branch.to_owned(), old: first_parent, new: Some(commit) };
    let refused = gate.judge(&update)?.into_iter().filter(|r| r.commit == Some(commit)).collect();
    let accepted = gate.accepted().iter().find(|a| a.commit == commit).cloned();
    Ok(CommitJudgement { refused, accepted })
}
