//! commit-msg: add the `Change-Id:`, `Why:` and `Impact:` trailers pre-commit
//! decided on, unless the message already has them, and the
//! `Trail-Authorization:` trailer of an authorized protected change.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use trail_hooks::message::{cleaned, is_empty_message};

use super::HookContext;
use crate::error::CommandError;

pub fn run(args: &[OsString]) -> Result<(), CommandError> {
    let Some(file) = args.first() else {
        return Err(CommandError::usage("commit-msg: git passes the message file; none was given"));
    };
    let ctx = HookContext::new(super::HookName::CommitMsg)?;
    let Some(pending) = ctx.pending.commit()? else { return Ok(()) };
    // Only the state this `git commit` left: not an aborted attempt's, and not
    // for a `git merge`, which runs commit-msg without pre-commit.
    let invocation = super::GitInvocation::current();
    if !pending.same_invocation(invocation.as_ref().map(|i| i.id.as_str())) {
        return Ok(());
    }
    // Only the pending state of *this* commit: its base must be the new
    // commit's parent (HEAD, or HEAD's parent when amending).
    let head = ctx.head();
    let expected = if pending.amend {
        head.and_then(|h| ctx.repo.git.find_commit(h).ok())
            .and_then(|c| c.parent_ids().next().map(|p| p.detach()))
    } else {
        head
    };
    if pending.base != expected.map(|id| id.to_string()) {
        return Ok(());
    }
    let path = PathBuf::from(file);
    let message = std::fs::read(&path).map_err(|e| {
        CommandError::environment(format!("cannot read the commit message {}: {e}", path.display()))
    })?;
    let comment = trail_git::comment_prefix(&ctx.repo.git);
    if is_empty_message(&message, &comment) {
        // git aborts an empty commit; trailers would make it non-empty.
        return Ok(());
    }
    // git also aborts when the message is the untouched `commit.template`.
    if let Some(template) = commit_template(&ctx)
        && cleaned(&template, &comment) == cleaned(&message, &comment)
    {
        return Ok(());
    }
    // `-m S -m 'Why: …' -m 'Impact: …'` gives trailers as paragraphs of
    // their own; git reads only the last paragraph as trailers, so they
    // become one block (and are not added a second time below).
    let mut joined = trail_hooks::message::join_trailer_paragraphs(&message, &comment);
    // The commit's change id is the one pre-commit wrote its entries under:
    // a Change-Id the message already carries (copied with `-C`, kept from a
    // pick's MERGE_MSG, forged, or two of them) gives way to it, so that no
    // two commits share an id and no entry names an id no commit carries.
    let ids = trail_hooks::message::trailer_lines(&joined, &comment, "Change-Id");
    if ids.len() > 1 || ids.first().is_some_and(|id| *id != pending.change_id) {
        joined = trail_hooks::message::take_first_trailers(&joined, &comment, &["Change-Id"]).0;
    }
    if joined != message {
        std::fs::write(&path, &joined).map_err(|e| {
            CommandError::environment(format!(
                "cannot write the commit message {}: {e}",
                path.display()
            ))
        })?;
    }
    let mut trailers = vec![format!("Change-Id: {}", pending.change_id)];
    if let Some(why) = &pending.why {
        trailers.push(format!("Why: {why}"));
    }
    if let Some(impact) = &pending.impact {
        trailers.push(format!("Impact: {impact}"));
    }
    let token = pending.authorization.as_ref().and_then(|a| a.token.as_deref());
    add_trailers(&ctx, &path, &trailers, "doNothing", token)
}

/// Add `trailers` to the message in `path` with git's own trailer code: it
/// knows where the trailer block is, how comments and the scissors line are
/// handled; `if_exists` says what happens to a trailer the message already
/// has (`doNothing` keeps it, `replace` replaces it). The token of an
/// authorized change travels with the commit, so a server can verify it with
/// the public key alone; a different one (an amend with a new token) replaces it.
pub(crate) fn add_trailers(
    ctx: &HookContext,
    path: &std::path::Path,
    trailers: &[String],
    if_exists: &str,
    token: Option<&str>,
) -> Result<(), CommandError> {
    let mut git = Command::new("git");
    git.current_dir(&ctx.workdir).args([
        "interpret-trailers",
        "--in-place",
        "--if-exists",
        if_exists,
        "--if-missing",
        "add",
    ]);
    for trailer in trailers {
        git.arg("--trailer").arg(trailer);
    }
    if let Some(token) = token {
        git.args(["--if-exists", "replace", "--trailer"]);
        git.arg(format!("Trail-Authorization: {token}"));
    }
    git.arg(path);
    let output = git.output().map_err(|e| {
        CommandError::environment(format!("cannot run `git interpret-trailers`: {e}"))
    })?;
    if !output.status.success() {
        return Err(CommandError::environment(format!(
            "`git interpret-trailers` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// The file `commit.template` names, if set and readable (`~/` expanded;
/// a relative path is taken from the top of the work tree, where hooks run).
fn commit_template(ctx: &HookContext) -> Option<Vec<u8>> {
    let value = ctx.repo.git.config_snapshot().string("commit.template")?.to_string();
    let path = match value.strip_prefix("~/") {
        Some(rest) => std::path::PathBuf::from(std::env::var_os("HOME")?).join(rest),
        None => ctx.workdir.join(value),
    };
    std::fs::read(path).ok()
}
