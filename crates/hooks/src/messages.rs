//! The hooks that write a commit's message: commit-msg (the trailers
//! pre-commit decided on, for a `git commit`) and prepare-commit-msg,
//! applypatch-msg and pre-applypatch (the commits pre-commit never sees:
//! `git revert`, `git cherry-pick`, a rebase's picks, `git merge`, `git am`,
//! `git rebase --apply` — their Change-Id and rationale carried from the
//! original commit's trailers, a revert's from the commit it reverts, else
//! from `TRAIL_WHY`/`TRAIL_IMPACT`, or the commit refused).

use std::path::Path;
use std::process::Command;

use crate::hook::Hook;
use crate::invocation::CommitOptions;
use crate::message::{
    cleaned, given_message, is_empty_message, join_trailer_paragraphs, one_line, reverted_commit,
    take_first_trailers, trailer, trailer_lines, trailing_trailers,
};
use crate::pending::PendingCommit;
pub use crate::trailers::{IfExists, NewTrailer};
use crate::{HookError, rationale};

fn read_message(path: &Path) -> Result<Vec<u8>, HookError> {
    std::fs::read(path).map_err(|e| {
        HookError::environment(format!("cannot read the commit message {}: {e}", path.display()))
    })
}

fn write_message(path: &Path, text: &[u8]) -> Result<(), HookError> {
    std::fs::write(path, text).map_err(|e| {
        HookError::environment(format!("cannot write the commit message {}: {e}", path.display()))
    })
}

/// commit-msg of a `git commit` pre-commit prepared: the message file at
/// `path` gets its Change-Id (the one pre-commit wrote entries under: any
/// other gives way), Why, Impact and the token of an authorized change.
/// Nothing happens for a commit pre-commit did not prepare, an empty
/// message or an untouched `commit.template` (git aborts those).
pub fn commit_msg(hook: &Hook<'_>, path: &Path) -> Result<(), HookError> {
    let Some(pending) = hook.pending.commit()? else { return Ok(()) };
    // Only the state this `git commit` left: not an aborted attempt's, and not
    // for a `git merge`, which runs commit-msg without pre-commit.
    if !pending.same_invocation(hook.invocation.map(|i| i.id.as_str())) {
        return Ok(());
    }
    // Only the pending state of *this* commit: its base must be the new
    // commit's parent (HEAD, or HEAD's parent when amending).
    let git = hook.git();
    let expected = if pending.amend {
        hook.head
            .and_then(|h| git.find_commit(h).ok())
            .and_then(|c| c.parent_ids().next().map(|p| p.detach()))
    } else {
        hook.head
    };
    if pending.base != expected.map(|id| id.to_string()) {
        return Ok(());
    }
    let message = read_message(path)?;
    let comment = trail_git::comment_prefix(git);
    if is_empty_message(&message, &comment) {
        // git aborts an empty commit; trailers would make it non-empty.
        return Ok(());
    }
    // git also aborts when the message is the untouched `commit.template`.
    if let Some(template) = commit_template(hook)
        && cleaned(&template, &comment) == cleaned(&message, &comment)
    {
        return Ok(());
    }
    // `-m S -m 'Why: …' -m 'Impact: …'` gives trailers as paragraphs of
    // their own; git reads only the last paragraph as trailers, so they
    // become one block (and are not added a second time below).
    let mut joined = join_trailer_paragraphs(&message, &comment);
    // The commit's change id is the one pre-commit wrote its entries under:
    // a Change-Id the message already carries (copied with `-C`, kept from a
    // pick's MERGE_MSG, forged, or two of them) gives way to it, so that no
    // two commits share an id and no entry names an id no commit carries.
    let ids = trailer_lines(&joined, &comment, "Change-Id");
    if ids.len() > 1 || ids.first().is_some_and(|id| *id != pending.change_id) {
        joined = take_first_trailers(&joined, &comment, &["Change-Id"]).0;
    }
    if joined != message {
        write_message(path, &joined)?;
    }
    let token = pending.authorization.as_ref().and_then(|a| a.token.as_deref());
    add_trailers(git, hook.workdir, path, &commit_trailers(&pending), IfExists::DoNothing, token)
}

/// The trailers commit-msg adds to a commit pre-commit prepared (the
/// authorization token's aside).
fn commit_trailers(pending: &PendingCommit) -> Vec<String> {
    let mut trailers = vec![format!("Change-Id: {}", pending.change_id)];
    if let Some(why) = &pending.why {
        trailers.push(format!("Why: {why}"));
    }
    if let Some(impact) = &pending.impact {
        trailers.push(format!("Impact: {impact}"));
    }
    trailers
}

/// The first line of what [`shim_trailers`] returns; the rest is the
/// trailer block.
pub const SHIM_TRAILERS_HEADER: &str = "trail-trailers v1";

/// What the commit-msg shim (hooks/shim.sh) may append by itself to the
/// message of the commit pre-commit just prepared, sparing a trail process
/// on an ordinary commit: `trail-trailers v1 PID:START` (the `git` process
/// it is for), then the trailer block exactly as [`commit_msg`] would add
/// it to a message with no trailer block of its own. The shim appends it
/// (after a blank line) only to such a message: every line but the first
/// free of `:`, no comment, `---`, `(cherry picked from commit` or
/// `Change-Id` line, the last line holding a letter or digit. Anything
/// else goes to `trail hook commit-msg`.
///
/// `None` where commit-msg has more to decide than the shim can: an
/// authorization token to add, `trailer.*`, comment or `commit.template`
/// settings, no invocation known, a value on more than one line, or a
/// block [`crate::trailers::add`] would not answer for.
pub fn shim_trailers(hook: &Hook<'_>, pending: &PendingCommit) -> Option<String> {
    let invocation = pending.invocation.as_deref()?;
    if pending.authorization.as_ref().is_some_and(|a| a.token.is_some()) {
        return None;
    }
    let git = hook.git();
    if !plain_trailer_settings(git) || git.config_snapshot().string("commit.template").is_some() {
        return None;
    }
    let trailers = commit_trailers(pending);
    if trailers.iter().any(|t| t.contains(['\n', '\r'])) {
        return None;
    }
    let new: Vec<NewTrailer<'_>> = trailers
        .iter()
        .map(|t| NewTrailer { trailer: t, if_exists: IfExists::DoNothing })
        .collect();
    const PROBE: &[u8] = b"subject\n";
    let done = crate::trailers::add(PROBE, &new)?;
    let block = done.strip_prefix(PROBE)?.strip_prefix(b"\n")?;
    let block = std::str::from_utf8(block).ok()?;
    (!block.is_empty() && block.ends_with('\n') && !block.starts_with('\n'))
        .then(|| format!("{SHIM_TRAILERS_HEADER} {invocation}\n{block}"))
}

/// prepare-commit-msg for a commit git makes without pre-commit
/// (`command`: `revert`, `cherry-pick`, `rebase`, `merge`, …, as
/// [`Hook::committing_command`] names it): complete the message, or refuse.
pub fn prepare_commit_msg(hook: &Hook<'_>, path: &Path, command: &str) -> Result<(), HookError> {
    // A merge's `-m`/`-F` message: its trailers count as given.
    let given = hook
        .invocation
        .filter(|_| command == "merge")
        .and_then(|i| i.command())
        .map(|(_, a)| CommitOptions::parse(a));
    let given =
        given.and_then(|o| given_message(&o, hook.invocation.and_then(|i| i.cwd()).as_deref()));
    complete_message(hook, path, command, given.as_deref(), true)
}

/// applypatch-msg: git am has not applied the patch yet, and a refusal here
/// would leave nothing for `git am --continue` to commit: the message is
/// completed where it can be; pre-applypatch refuses.
pub fn applypatch_msg(hook: &Hook<'_>, path: &Path, command: &str) -> Result<(), HookError> {
    complete_message(hook, path, command, None, false)
}

/// pre-applypatch: the patch is applied to the index, the commit not made.
/// A message without a rationale (applypatch-msg found none to carry) and no
/// `TRAIL_WHY` is refused here, so that `TRAIL_WHY=… git am --continue`
/// commits what is staged (post-applypatch then adds the trailers).
pub fn pre_applypatch(hook: &Hook<'_>, command: &str) -> Result<(), HookError> {
    if !hook.settings.rationale_required || hook.env.why.as_deref().and_then(one_line).is_some() {
        return Ok(());
    }
    let Ok(message) = std::fs::read(hook.git_dir.join("rebase-apply/final-commit")) else {
        return Ok(());
    };
    let comment = trail_git::comment_prefix(hook.git());
    let trailers = trailing_trailers(&message, &comment);
    if trailer(&trailers, "Why").and_then(one_line).is_some() {
        return Ok(());
    }
    Err(refusal(command))
}

/// The refusal of a commit `git COMMAND` makes without a rationale.
pub fn refusal(command: &str) -> HookError {
    let retry = match command {
        "merge" => "TRAIL_WHY=\"the reason for this merge\" git commit   (the merge waits, its result staged)".to_owned(),
        "am" => "git am --abort, then TRAIL_WHY=\"the problem this patch solves\" git am PATCH…   (or TRAIL_WHY=… git am --continue, which leaves the patch's CHANGELOG.md entries to `trail changelog sync`)".to_owned(),
        other => format!("TRAIL_WHY=\"the problem this solves\" git {other} --continue"),
    };
    let refusal = HookError::refused(format!(
        "commit refused: `git {command}` is making a commit that has no rationale (no Why: trailer, no TRAIL_WHY), and this repository's trail.toml requires one"
    ))
    .hint(retry);
    match command {
        "merge" => refusal
            .hint("or give it with the merge: git merge -m \"MESSAGE\" -m \"Why: the reason\" …"),
        _ => refusal.hint(
            "a commit that carries a `Why:` trailer keeps it when it is picked, rebased or applied",
        ),
    }
}

/// Give the message in `path` one Change-Id, a Why and an Impact, or
/// (`refuse`) refuse it when no Why can be found.
fn complete_message(
    hook: &Hook<'_>,
    path: &Path,
    command: &str,
    given: Option<&[u8]>,
    refuse: bool,
) -> Result<(), HookError> {
    let message = read_message(path)?;
    let comment = trail_git::comment_prefix(hook.git());
    if is_empty_message(&message, &comment) {
        return Ok(());
    }
    // A squash joins several messages: the first commit's trailers are the change's.
    let (text, mut kept) = take_first_trailers(&message, &comment, &["Change-Id", "Why", "Impact"]);
    if let Some(given) = given {
        for (token, value) in trailing_trailers(given, &comment) {
            if ["Change-Id", "Why", "Impact"].iter().any(|t| t.eq_ignore_ascii_case(&token)) {
                kept.retain(|(t, _)| !t.eq_ignore_ascii_case(&token));
                kept.push((token, value));
            }
        }
    }
    let reverted = (command == "revert").then(|| reverted_commit(&message)).flatten();
    let Some(decided) = rationale::for_carried_message(
        command,
        &kept,
        hook.env.why.as_deref(),
        hook.env.impact.as_deref(),
        reverted.as_deref().map(|id| crate::hook::revert_why(hook.git(), id)),
        hook.settings.rationale_required,
        refuse,
    ) else {
        return Err(refusal(command));
    };
    if text != message {
        write_message(path, &text)?;
    }
    let mut trailers = vec![format!("Change-Id: {}", decided.change_id)];
    if let Some(why) = decided.why {
        trailers.push(format!("Why: {why}"));
    }
    if let Some(impact) = decided.impact {
        trailers.push(format!("Impact: {impact}"));
    }
    add_trailers(hook.git(), hook.workdir, path, &trailers, IfExists::Replace, None)
}

/// Add `trailers` to the message in `path` the way `git interpret-trailers
/// --in-place --if-exists IF_EXISTS --if-missing add` does: it knows where
/// the trailer block is, how comments and the scissors line are handled;
/// `if_exists` says what happens to a trailer the message already has. The
/// token of an authorized change travels with the commit, so a server can
/// verify it with the public key alone; a different one (an amend with a
/// new token) replaces it.
///
/// A plain message in a repository with no `trailer.*` or comment settings
/// is completed here ([`crate::trailers::add`], which answers only where
/// git's result is certain); any other goes to git itself.
pub fn add_trailers(
    git: &trail_git::Repository,
    workdir: &Path,
    path: &Path,
    trailers: &[String],
    if_exists: IfExists,
    token: Option<&str>,
) -> Result<(), HookError> {
    let authorization = token.map(|t| format!("Trail-Authorization: {t}"));
    let mut new: Vec<NewTrailer<'_>> =
        trailers.iter().map(|t| NewTrailer { trailer: t, if_exists }).collect();
    if let Some(line) = &authorization {
        new.push(NewTrailer { trailer: line, if_exists: IfExists::Replace });
    }
    if plain_trailer_settings(git) {
        let message = read_message(path)?;
        if let Some(done) = crate::trailers::add(&message, &new) {
            return write_message(path, &done);
        }
    }
    let mut command = Command::new("git");
    command.current_dir(workdir).args(["interpret-trailers", "--in-place", "--if-missing", "add"]);
    for n in &new {
        command.args(["--if-exists", n.if_exists.as_git(), "--trailer", n.trailer]);
    }
    command.arg(path);
    let output = command
        .output()
        .map_err(|e| HookError::environment(format!("cannot run `git interpret-trailers`: {e}")))?;
    if !output.status.success() {
        return Err(HookError::environment(format!(
            "`git interpret-trailers` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// No `trailer.*` setting (separators, where, ifExists, keys, commands)
/// and git's default comment character: what [`crate::trailers::add`]
/// assumes.
fn plain_trailer_settings(git: &trail_git::Repository) -> bool {
    // `git -c trailer.…=… commit` passes its settings to the hook's git in
    // the environment: any setting that may touch trailers goes to git.
    let given_in_env = std::env::vars_os().any(|(name, value)| {
        let name = name.to_string_lossy();
        (name == "GIT_CONFIG_PARAMETERS" || name.starts_with("GIT_CONFIG_KEY_")) && {
            let value = value.to_string_lossy().to_ascii_lowercase();
            value.contains("trailer.") || value.contains("core.comment")
        }
    });
    if given_in_env {
        return false;
    }
    let config = git.config_snapshot();
    let plumbing = config.plumbing();
    plumbing.sections_by_name("trailer").is_none_or(|mut s| s.next().is_none())
        && config.string("core.commentChar").is_none()
        && config.string("core.commentString").is_none()
}

/// The file `commit.template` names, if set and readable (`~/` expanded;
/// a relative path is taken from the top of the work tree, where hooks run).
fn commit_template(hook: &Hook<'_>) -> Option<Vec<u8>> {
    let value = hook.git().config_snapshot().string("commit.template")?.to_string();
    let path = match value.strip_prefix("~/") {
        Some(rest) => std::path::PathBuf::from(std::env::var_os("HOME")?).join(rest),
        None => hook.workdir.join(value),
    };
    std::fs::read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, Repo};
    use crate::hook::HookEnv;

    fn pending(why: &str) -> PendingCommit {
        PendingCommit {
            change_id: "0123456789abcdef".into(),
            base: None,
            amend: false,
            merge: false,
            why: Some(why.into()),
            impact: Some("none".into()),
            time: "2026-12-07T00:00:00Z".into(),
            index: std::path::PathBuf::new(),
            changelogs: Vec::new(),
            invocation: Some("42:4242".into()),
            used_note: false,
            stale_elsewhere: None,
            authorization: None,
        }
    }

    #[test]
    fn the_shim_gets_the_block_git_would_add_and_nothing_trail_must_decide() {
        let repo = Repo::new();
        repo.write("README", "hello\n");
        repo.commit("first");
        let git = repo.open();
        let site = repo.site(&git);
        let state = repo.pending();
        let env = HookEnv::default();
        let settings = fixture::settings();
        let hook = fixture::hook(&repo, &site, &state, &env, &settings);

        let plain = pending("  two  spaces around  ");
        let text = shim_trailers(&hook, &plain).expect("a plain commit's block");
        let (header, block) = text.split_once('\n').expect("a header line");
        assert_eq!(header, "trail-trailers v1 42:4242");
        // What git itself appends to a message with no trailer block.
        let message = repo.root.join("MESSAGE");
        std::fs::write(&message, "subject\n").expect("write");
        let mut args = vec!["interpret-trailers", "--in-place", "--if-exists", "doNothing"];
        let trailers = commit_trailers(&plain);
        for t in &trailers {
            args.extend(["--trailer", t.as_str()]);
        }
        args.push("MESSAGE");
        repo.git(&args);
        let by_git = std::fs::read_to_string(&message).expect("read");
        assert_eq!(format!("subject\n\n{block}"), by_git);

        // What commit-msg must decide itself.
        let mut unknown = pending("w");
        unknown.invocation = None;
        assert_eq!(shim_trailers(&hook, &unknown), None, "no invocation to tie it to");
        let mut authorized = pending("w");
        authorized.authorization = Some(crate::pending::PendingAuth {
            token: Some("trail1.token".into()),
            token_id: None,
            issuer: None,
            bootstrap: Vec::new(),
            paths: Vec::new(),
        });
        assert_eq!(shim_trailers(&hook, &authorized), None, "a token to add");
        assert_eq!(shim_trailers(&hook, &pending("two\nlines")), None, "a value on two lines");
        // Settings, read as a hook started after they were made reads them.
        let fresh = |p: &PendingCommit| {
            let git = repo.open();
            let site = repo.site(&git);
            shim_trailers(&fixture::hook(&repo, &site, &state, &env, &settings), p)
        };
        repo.git(&["config", "commit.template", "template.txt"]);
        assert_eq!(fresh(&plain), None, "commit.template");
        repo.git(&["config", "--unset", "commit.template"]);
        assert!(fresh(&plain).is_some());
        repo.git(&["config", "trailer.where", "start"]);
        assert_eq!(fresh(&plain), None, "a trailer setting");
        repo.git(&["config", "--unset", "trailer.where"]);
        repo.git(&["config", "core.commentChar", ";"]);
        assert_eq!(fresh(&plain), None, "a comment setting");
    }
}
