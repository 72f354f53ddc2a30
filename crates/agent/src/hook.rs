//! `trail agent hook AGENT EVENT`: one payload in, one answer out, in the
//! agent's own format (docs/agents.md, "Answers and exit codes").
//!
//! | agent | allow | deny |
//! |---|---|---|
//! | Claude Code | exit 0, nothing on stdout | exit 2, the reason on stderr, and `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":…}}` on stdout |
//! | Gemini CLI | exit 0, `{}` on stdout | exit 2, the reason on stderr, and `{"decision":"deny","reason":…}` on stdout |
//! | Cursor | exit 0, `{}` (`{"continue":true}` for beforeSubmitPrompt) | exit 0, `{"permission":"deny","user_message":…,"agent_message":…}` |
//!
//! Anything trail cannot do (a payload that is not a JSON object, a
//! directory outside a git repository, a policy that does not parse, a file
//! it cannot read) allows the call and says why on stderr: trail's commit
//! and server checks remain the guarantee, and a broken hook must not stop
//! an agent from working.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use trail_journal::Draft;

use crate::guard::{self, Repo, Verdict, Write};
use crate::payload::{self, Call, NewContent, Step, Target};
use crate::{Agent, claim, edit, repo_relative, session, shell};

/// What the CLI writes and exits with, and the record it delivers.
#[derive(Debug, Default)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub exit: u8,
    pub draft: Option<Draft>,
}

impl Answer {
    fn note(mut self, message: impl AsRef<str>) -> Self {
        if !self.stderr.is_empty() {
            self.stderr.push('\n');
        }
        self.stderr.push_str(message.as_ref());
        self
    }
}

/// The answer that lets the call go on.
pub fn allow(agent: Agent, event: &str) -> Answer {
    let stdout = match agent {
        Agent::ClaudeCode => String::new(),
        Agent::Gemini => "{}".to_owned(),
        Agent::Cursor if event == "beforeSubmitPrompt" => json!({"continue": true}).to_string(),
        Agent::Cursor => "{}".to_owned(),
    };
    Answer { stdout, ..Answer::default() }
}

/// The answer that refuses the call, `reason` for the model.
pub fn deny(agent: Agent, event: &str, reason: &str) -> Answer {
    match agent {
        Agent::ClaudeCode => Answer {
            stdout: json!({"hookSpecificOutput": {
                "hookEventName": event,
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }})
            .to_string(),
            stderr: reason.to_owned(),
            exit: 2,
            draft: None,
        },
        Agent::Gemini => Answer {
            stdout: json!({"decision": "deny", "reason": reason}).to_string(),
            stderr: reason.to_owned(),
            exit: 2,
            draft: None,
        },
        Agent::Cursor => Answer {
            stdout: json!({
                "permission": "deny",
                "user_message": first_line(reason),
                "agent_message": reason,
            })
            .to_string(),
            stderr: String::new(),
            exit: 0,
            draft: None,
        },
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// A payload that cannot be read: allowed, with a message.
pub fn malformed(agent: Agent, event: &str, error: &payload::PayloadError) -> Answer {
    allow(agent, event)
        .note(format!("trail: {error}; the call is allowed (trail's commit checks still apply)"))
}

/// Outside a git repository: allowed, with a message.
pub fn no_repository(agent: Agent, event: &str, dir: &Path) -> Answer {
    allow(agent, event).note(format!(
        "trail: {} is not in a git repository; nothing to check or record",
        dir.display()
    ))
}

/// The file's current content, when it is a regular file of at most
/// [`edit::MAX_BLOB`] bytes.
fn on_disk(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= edit::MAX_BLOB).then(|| std::fs::read(path).ok()).flatten()
}

fn full_path(workdir: &Path, rel: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt as _;
    workdir.join(std::ffi::OsStr::from_bytes(rel))
}

/// What `targets` write, inside the work tree.
fn writes(repo: &Repo<'_>, cwd: &Path, targets: &[Target]) -> Vec<Write> {
    targets
        .iter()
        .filter_map(|t| {
            let path = repo_relative(repo.workdir, cwd, &t.path)?;
            let old = on_disk(&full_path(repo.workdir, &path));
            let new = match &t.content {
                NewContent::Whole(text) => Some(text.as_bytes().to_vec()),
                NewContent::Replace(replacements) => {
                    let current = old.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
                    payload::apply(&current, replacements).map(String::into_bytes)
                }
                NewContent::Unknown => None,
            };
            Some(Write { path, new, old })
        })
        .collect()
}

/// Answer `call` in `repo`; `cwd` resolves relative paths.
pub fn respond(call: &Call, repo: &Repo<'_>, cwd: &Path) -> Answer {
    let agent = call.agent;
    let event = call.event.as_str();
    let trail_dir = repo.trail_dir();
    let session_id = call.session.clone().unwrap_or_else(|| "unknown".to_owned());
    match &call.step {
        Step::Prompt(prompt) => {
            let (mode, warning) = session::prompt_mode(repo.workdir);
            let mut answer = allow(agent, event);
            if let Some(warning) = warning {
                answer = answer.note(format!("trail: {warning}"));
            }
            // The prompt is a record too (`agent.prompt`), kept as the
            // setting allows; the CLI notes the seq it gets.
            match session::record_prompt(&trail_dir, agent, &session_id, prompt, mode) {
                Ok(kept) => {
                    answer.draft = Some(session::prompt_draft(call, &kept));
                    answer
                }
                Err(e) => answer.note(format!("trail: cannot keep the session's prompt: {e}")),
            }
        }
        Step::BeforeWrite(targets) => {
            let writes = writes(repo, cwd, targets);
            let paths: Vec<Vec<u8>> = writes.iter().map(|w| w.path.clone()).collect();
            let answer = guard_answer(call, repo, writes);
            // Allowed: a claim on the paths, so that the watcher, seeing the
            // same save, leaves the record to the post-tool hook (claim.rs).
            if is_denial(&answer) {
                return answer;
            }
            match claim::claim(&trail_dir, repo.workdir, call, &paths) {
                Ok(()) => answer,
                Err(e) => answer.note(format!("trail: cannot claim the paths for the edit: {e}")),
            }
        }
        Step::BeforeShell(command) => {
            let targets: Vec<Target> = shell::written_paths(command, cwd)
                .into_iter()
                .map(|path| Target { path, content: NewContent::Unknown })
                .collect();
            let answer = guard_answer(call, repo, writes(repo, cwd, &targets));
            // A commit the agent is about to make: its session is noted for
            // pre-commit (docs/agents.md, "In commits").
            if !is_denial(&answer)
                && shell::runs_commit(command)
                && let Err(e) = crate::committing::note(&trail_dir, agent, &session_id)
            {
                return answer.note(format!("trail: cannot note the agent's commit: {e}"));
            }
            answer
        }
        Step::AfterWrite(targets) => {
            let paths: Vec<Vec<u8>> =
                targets.iter().filter_map(|t| repo_relative(repo.workdir, cwd, &t.path)).collect();
            let kept = session::load(&trail_dir, &session_id);
            let mut answer = allow(agent, event);
            let mut extra = Map::new();
            // Cursor reports an edit only afterwards: say so when it touched
            // a protected path (the commit will need an authorization).
            if agent == Agent::Cursor {
                let ws: Vec<Write> = paths
                    .iter()
                    .map(|p| Write {
                        path: p.clone(),
                        new: on_disk(&full_path(repo.workdir, p)),
                        old: None,
                    })
                    .collect();
                if let Ok((policy, _)) = guard::policy(repo)
                    && let Ok(found) = guard::protected(repo, &policy, &ws)
                    && !found.is_empty()
                {
                    let names: Vec<Value> = found
                        .iter()
                        .map(|(p, _)| Value::String(String::from_utf8_lossy(p).into_owned()))
                        .collect();
                    extra.insert("protected".to_owned(), Value::Array(names));
                    answer = answer.note(guard::deny_reason(&policy, &found, None));
                }
            }
            match edit::draft(repo, call, &paths, kept.as_ref(), extra) {
                Ok(draft) => {
                    // The claim settled with what is recorded (claim.rs).
                    let settled = match &draft {
                        Some(d) => {
                            claim::settle(&trail_dir, repo.workdir, call, &d.paths, d.id.as_deref())
                        }
                        None => claim::release(&trail_dir, repo.workdir, call, &paths),
                    };
                    answer.draft = draft;
                    match settled {
                        Ok(()) => answer,
                        Err(e) => {
                            answer.note(format!("trail: cannot settle the edit's claim: {e}"))
                        }
                    }
                }
                Err(e) => {
                    let _ = claim::release(&trail_dir, repo.workdir, call, &paths);
                    answer.note(format!("trail: cannot record the agent's edit: {e}"))
                }
            }
        }
        Step::SessionStart | Step::SessionEnd => {
            let ended = call.step == Step::SessionEnd;
            let answer = allow(agent, event);
            match call.session.as_deref() {
                Some(id) => match session::mark(&trail_dir, agent, id, ended) {
                    Ok(()) => answer,
                    Err(e) => answer.note(format!("trail: cannot keep the session: {e}")),
                },
                None => answer,
            }
        }
        Step::Other => allow(agent, event),
    }
}

/// Whether `answer` refuses the call (Cursor refuses with exit 0).
fn is_denial(answer: &Answer) -> bool {
    answer.exit != 0
        || serde_json::from_str::<Value>(&answer.stdout)
            .is_ok_and(|v| v.get("permission").and_then(Value::as_str) == Some("deny"))
}

fn guard_answer(call: &Call, repo: &Repo<'_>, writes: Vec<Write>) -> Answer {
    let (agent, event) = (call.agent, call.event.as_str());
    match guard::decide(repo, &writes) {
        Ok(Verdict::Allow) => allow(agent, event),
        Ok(Verdict::Authorized { token_id, paths }) => {
            let names: Vec<String> =
                paths.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect();
            allow(agent, event).note(format!(
                "trail: the pending token {token_id} authorizes this edit of {}",
                names.join(", ")
            ))
        }
        Ok(Verdict::Deny(reason)) => deny(agent, event, &reason),
        Err(e) => allow(agent, event).note(format!(
            "trail: cannot check the tool call against the protection policy: {e}; it is allowed (the commit check still applies)"
        )),
    }
}
