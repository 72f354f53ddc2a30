//! prepare-commit-msg and applypatch-msg: the commits pre-commit never sees
//! (`git revert`, `git cherry-pick`, a rebase's picks, `git merge`, `git am`,
//! `git rebase --apply`) get a Change-Id and a rationale in their message —
//! carried from the original commit's trailers, a revert's from the commit
//! it reverts, else from `TRAIL_WHY`/`TRAIL_IMPACT` — or are refused. A
//! `git commit` is left to pre-commit and commit-msg (or skipped on purpose
//! with `--no-verify`).

use std::ffi::OsString;
use std::path::PathBuf;

use trail_hooks::message::{
    given_message, one_line, reverted_commit, take_first_trailers, trailer, trailing_trailers,
};

use super::{GitInvocation, HookContext};
use crate::error::CommandError;

/// The git command making a commit without pre-commit
/// ([`trail_hooks::hook::committing_command`]).
fn git_command(ctx: &HookContext, invocation: Option<&GitInvocation>) -> Option<String> {
    let pending = ctx.pending.commit().ok().flatten();
    trail_hooks::hook::committing_command(&ctx.repo.location.git_dir, invocation, pending)
}

pub fn prepare_commit_msg(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage(
            "prepare-commit-msg: git passes the message file; none was given",
        ));
    };
    let invocation = GitInvocation::current();
    // The common case, a plain `git commit`, costs a few stats: pre-commit
    // and commit-msg do its work.
    if invocation.as_ref().and_then(|i| i.command()).is_some_and(|(c, _)| c == b"commit")
        && let Some(git_dir) = quick_git_dir()
        && !["REVERT_HEAD", "CHERRY_PICK_HEAD", "rebase-merge"]
            .iter()
            .any(|f| git_dir.join(f).exists())
    {
        // pre-commit ran for this commit (its state names this git process):
        // all is as it should be. Otherwise a hook manager may have taken
        // pre-commit's place, and this may be the one trail hook git still
        // runs: it says which are off.
        let state = trail_hooks::pending::Pending::main_commit_file(&git_dir);
        let id = invocation.as_ref().map(|i| format!("\"invocation\":\"{}\"", i.id));
        let ran = std::fs::read_to_string(&state)
            .is_ok_and(|text| id.is_some_and(|id| text.contains(&id)));
        if !ran && let Ok(repo) = crate::context::Repo::discover() {
            crate::commands::hooks::health::warn_if_off(&repo, super::HookName::PrepareCommitMsg);
        }
        return Ok(());
    }
    let ctx = HookContext::new(super::HookName::PrepareCommitMsg)?;
    let Some(command) = git_command(&ctx, invocation.as_ref()) else { return Ok(()) };
    let given = invocation
        .as_ref()
        .filter(|_| command == "merge")
        .and_then(|i| i.command())
        .map(|(_, a)| trail_hooks::invocation::CommitOptions::parse(a));
    let given =
        given.and_then(|o| given_message(&o, invocation.as_ref().and_then(|i| i.cwd()).as_deref()));
    complete_message(&ctx, &PathBuf::from(file), &command, given.as_deref(), true)
}

pub fn applypatch_msg(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage(
            "applypatch-msg: git passes the message file; none was given",
        ));
    };
    let ctx = HookContext::new(super::HookName::ApplypatchMsg)?;
    let invocation = GitInvocation::current();
    let command = git_command(&ctx, invocation.as_ref()).unwrap_or_else(|| "am".to_owned());
    // git am has not applied the patch yet: a refusal here would leave
    // nothing for `git am --continue` to commit. pre-applypatch refuses.
    complete_message(&ctx, &PathBuf::from(file), &command, None, false)
}

/// pre-applypatch: the patch is applied to the index, the commit not made.
/// A message without a rationale (applypatch-msg found none to carry) and no
/// `TRAIL_WHY` is refused here, so that `TRAIL_WHY=… git am --continue`
/// commits what is staged (post-applypatch then adds the trailers).
pub fn pre_applypatch() -> Result<(), CommandError> {
    let ctx = HookContext::new(super::HookName::PreApplypatch)?;
    if !ctx.config.rationale.required
        || std::env::var("TRAIL_WHY").ok().and_then(|v| one_line(&v)).is_some()
    {
        return Ok(());
    }
    let message_file = ctx.repo.location.git_dir.join("rebase-apply/final-commit");
    let Ok(message) = std::fs::read(&message_file) else { return Ok(()) };
    let comment = trail_git::comment_prefix(&ctx.repo.git);
    let trailers = trailing_trailers(&message, &comment);
    if trailer(&trailers, "Why").and_then(one_line).is_some() {
        return Ok(());
    }
    let invocation = GitInvocation::current();
    let command = git_command(&ctx, invocation.as_ref()).unwrap_or_else(|| "am".to_owned());
    Err(refusal(&command))
}

/// The refusal of a commit `git COMMAND` makes without a rationale.
fn refusal(command: &str) -> CommandError {
    let retry = match command {
        "merge" => "TRAIL_WHY=\"the reason for this merge\" git commit   (the merge waits, its result staged)".to_owned(),
        "am" => "git am --abort, then TRAIL_WHY=\"the problem this patch solves\" git am PATCH…   (or TRAIL_WHY=… git am --continue, which leaves the patch's CHANGELOG.md entries to `trail changelog sync`)".to_owned(),
        other => format!("TRAIL_WHY=\"the problem this solves\" git {other} --continue"),
    };
    let refusal = CommandError::refused(format!(
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
    ctx: &HookContext,
    path: &std::path::Path,
    command: &str,
    given: Option<&[u8]>,
    refuse: bool,
) -> Result<(), CommandError> {
    let message = std::fs::read(path).map_err(|e| {
        CommandError::environment(format!("cannot read the commit message {}: {e}", path.display()))
    })?;
    let comment = trail_git::comment_prefix(&ctx.repo.git);
    if trail_hooks::message::is_empty_message(&message, &comment) {
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
    let env = |name: &str| std::env::var(name).ok();
    let Some(decided) = trail_hooks::rationale::for_carried_message(
        command,
        &kept,
        env("TRAIL_WHY").as_deref(),
        env("TRAIL_IMPACT").as_deref(),
        reverted.as_deref().map(|id| trail_hooks::hook::revert_why(&ctx.repo.git, id)),
        ctx.config.rationale.required,
        refuse,
    ) else {
        return Err(refusal(command));
    };
    if text != message {
        std::fs::write(path, &text).map_err(|e| {
            CommandError::environment(format!(
                "cannot write the commit message {}: {e}",
                path.display()
            ))
        })?;
    }
    let mut trailers = vec![format!("Change-Id: {}", decided.change_id)];
    if let Some(why) = decided.why {
        trailers.push(format!("Why: {why}"));
    }
    if let Some(impact) = decided.impact {
        trailers.push(format!("Impact: {impact}"));
    }
    super::commit_msg::add_trailers(ctx, path, &trailers, "replace", None)
}

/// The git dir of the work tree a hook runs at the top of, without
/// discovering the repository: `$GIT_DIR`, `.git`, or the `gitdir:` a
/// linked worktree's `.git` file names. `None` when unsure.
fn quick_git_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GIT_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dot_git = PathBuf::from(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let dir = text.strip_prefix("gitdir:")?.trim();
    Some(PathBuf::from(dir))
}
