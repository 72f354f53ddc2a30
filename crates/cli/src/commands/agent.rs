//! `trail agent`: AI coding agents' hooks (trail-agent holds the logic).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use trail_agent::Agent;
use trail_agent::settings::{self, Uninstalled};

use crate::context::Repo;
use crate::error::CommandError;
use crate::output::say;

/// Hook AI coding agents (Claude Code, Cursor, Gemini CLI) into trail.
///
/// Installed hooks refuse a tool call that would write a path the committed
/// policy protects (an MCP configuration, an agent's hook settings,
/// trail.toml), telling the agent what is protected and the `trail
/// authorize` command a person runs; and record every file the agent
/// changes as an `agent.edit` record with the session and the user's
/// latest prompt as its rationale, and each prompt as an `agent.prompt`
/// record. `trail log --agent NAME` and `trail show --session ID` read them
/// back; `trail docs agents` has the details.
///
/// Examples:
///   trail agent install claude-code
///   trail agent status
///   trail agent uninstall cursor
#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: AgentCommand,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Merge trail's hooks into the agent's project settings
    /// (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json),
    /// keeping everything already there.
    Install(InstallArgs),
    /// Take trail's hooks out again: the file is restored byte for byte when
    /// nobody changed it since the install, else only trail's entries go.
    Uninstall(AgentName),
    /// Which agents have trail's hooks, and whether they were changed.
    Status(StatusArgs),
    /// Run one hook: read the agent's payload on stdin and answer in its
    /// format (what the installed hooks call; exit codes in `trail docs agents`).
    Hook(HookArgs),
}

#[derive(Debug, Args)]
pub struct AgentName {
    /// claude-code, cursor or gemini.
    #[arg(value_name = "AGENT", value_parser = parse_agent)]
    pub agent: Agent,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// claude-code, cursor or gemini.
    #[arg(value_name = "AGENT", value_parser = parse_agent)]
    pub agent: Agent,
    /// The trail the hooks run (default: `trail` when it is on PATH and is
    /// this program, else this program's absolute path).
    #[arg(long, value_name = "PATH")]
    pub program: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One JSON object per agent on stdout: agent, path, exists, installed,
    /// altered, hooked, missing, unreadable.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// claude-code, cursor or gemini.
    #[arg(value_name = "AGENT", value_parser = parse_agent)]
    pub agent: Agent,
    /// The agent's event name (PreToolUse, afterFileEdit, BeforeTool, …).
    #[arg(value_name = "EVENT")]
    pub event: String,
}

fn parse_agent(text: &str) -> Result<Agent, String> {
    Agent::parse(text).ok_or_else(|| "expected claude-code, cursor or gemini".to_owned())
}

pub fn run(args: AgentArgs) -> Result<(), CommandError> {
    match args.command {
        AgentCommand::Install(a) => install(a),
        AgentCommand::Uninstall(a) => uninstall(a.agent),
        AgentCommand::Status(a) => status(a),
        AgentCommand::Hook(a) => hook(a),
    }
}

fn workdir(repo: &Repo) -> Result<PathBuf, CommandError> {
    repo.location.workdir.clone().ok_or_else(|| {
        CommandError::usage("this repository has no work tree: agents' settings live in one")
    })
}

fn settings_error(e: settings::SettingsError) -> CommandError {
    match e {
        settings::SettingsError::Read { .. } | settings::SettingsError::Write { .. } => {
            CommandError::environment(e.to_string())
        }
        _ => CommandError::usage(e.to_string())
            .hint("fix the file (or move it away), then run the command again"),
    }
}

/// `trail` when PATH finds this very program under that name, else its path.
fn default_program() -> String {
    let Ok(me) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        return "trail".to_owned();
    };
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("trail"))
            .find(|candidate| candidate.is_file())
    });
    match on_path.and_then(|p| std::fs::canonicalize(p).ok()) {
        Some(found) if found == me => "trail".to_owned(),
        _ => me.to_string_lossy().into_owned(),
    }
}

fn install(args: InstallArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let workdir = workdir(&repo)?;
    let program = args.program.unwrap_or_else(default_program);
    let done = settings::install(&workdir, &repo.location.trail_dir(), args.agent, &program)
        .map_err(settings_error)?;
    let shown = args.agent.settings_path();
    say(format_args!(
        "{} {shown}: trail's hooks for {} ({}) run `{}`",
        if done.created {
            "created"
        } else if done.again {
            "updated"
        } else {
            "merged into"
        },
        args.agent,
        args.agent.events().join(", "),
        settings::hook_command(&program, args.agent, "EVENT"),
    ));
    say(format_args!(
        "{shown} is protected by default: committing it needs an authorization (`trail docs protection`); `trail agent uninstall {}` takes the hooks out",
        args.agent
    ));
    Ok(())
}

fn uninstall(agent: Agent) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let workdir = workdir(&repo)?;
    let shown = agent.settings_path();
    match settings::uninstall(&workdir, &repo.location.trail_dir(), agent)
        .map_err(settings_error)?
    {
        Uninstalled::Restored(_) => {
            say(format_args!("{shown} is back to what it was before `trail agent install {agent}`"))
        }
        Uninstalled::Removed(_) => say(format_args!(
            "{shown} changed since the install: took out trail's hooks only, kept the rest"
        )),
        Uninstalled::NotInstalled(_) => {
            say(format_args!("{shown} holds no trail hook for {agent}"))
        }
    }
    Ok(())
}

fn status(args: StatusArgs) -> Result<(), CommandError> {
    let repo = Repo::discover()?;
    let workdir = workdir(&repo)?;
    let trail_dir = repo.location.trail_dir();
    for agent in Agent::ALL {
        let st = settings::status(&workdir, &trail_dir, agent);
        if args.json {
            crate::output::print_json(&serde_json::json!({
                "agent": agent.name(),
                "path": agent.settings_path(),
                "exists": st.exists,
                "installed": st.installed,
                "altered": st.altered,
                "hooked": st.hooked,
                "missing": st.missing,
                "unreadable": st.unreadable,
            }))?;
            continue;
        }
        let state = if let Some(e) = &st.unreadable {
            format!("cannot be read as JSON ({e})")
        } else if st.hooked.is_empty() {
            "not hooked".to_owned()
        } else if st.missing.is_empty() {
            format!("hooked ({} events)", st.hooked.len())
        } else {
            format!("hooks missing for {}", st.missing.join(", "))
        };
        let altered = if st.altered { "; changed since `trail agent install`" } else { "" };
        let line = format!("{:<12} {:<24} {state}{altered}\n", agent.name(), agent.settings_path());
        let mut out = std::io::stdout().lock();
        if out.write_all(line.as_bytes()).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// The most payload read from stdin (16 MiB): a Write of a large file
/// carries its content.
const MAX_PAYLOAD: u64 = 16 << 20;

fn hook(args: HookArgs) -> Result<(), CommandError> {
    let (agent, event) = (args.agent, args.event.clone());
    // Never a panic in an agent's tool loop: a bug allows the call (the
    // panic hook has said what happened on stderr).
    let answer = std::panic::catch_unwind(move || answer(args))
        .unwrap_or_else(|_| trail_agent::hook::allow(agent, &event));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(answer.stdout.as_bytes());
    if !answer.stdout.is_empty() {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
    if !answer.stderr.is_empty() {
        crate::output::to_stderr(format_args!("{}\n", answer.stderr));
    }
    if answer.exit != 0 {
        std::process::exit(i32::from(answer.exit));
    }
    Ok(())
}

fn answer(args: HookArgs) -> trail_agent::hook::Answer {
    use trail_agent::hook;
    let (agent, event) = (args.agent, args.event.as_str());
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().take(MAX_PAYLOAD).read_to_end(&mut bytes) {
        return hook::malformed(
            agent,
            event,
            &trail_agent::payload::PayloadError::NotJson(format!("cannot read stdin: {e}")),
        );
    }
    let call = match trail_agent::payload::parse(agent, event, &bytes) {
        Ok(call) => call,
        Err(e) => return hook::malformed(agent, event, &e),
    };
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let cwd = call.cwd.clone().filter(|dir| dir.is_dir()).unwrap_or(here);
    let Some(repo) = discover(&cwd) else { return hook::no_repository(agent, event, &cwd) };
    let Some(workdir) = repo.location.workdir.clone() else {
        return hook::no_repository(agent, event, &cwd);
    };
    let guard_repo =
        trail_agent::guard::Repo { git: &repo.git, location: &repo.location, workdir: &workdir };
    let mut answer = hook::respond(&call, &guard_repo, &cwd);
    if let Some(mut draft) = answer.draft.take() {
        draft.actor = Some(crate::commands::hook::local_actor(&repo.git));
        let trail_dir = repo.location.trail_dir();
        let session = call.session.as_deref().unwrap_or("unknown");
        if draft.kind == trail_journal::kinds::AGENT_PROMPT {
            prompt_record(&repo, &mut answer, session, draft);
            return answer;
        }
        // The session waits for the commit that takes these paths, with the
        // prompt the edit followed.
        let paths: Vec<String> = draft.paths.iter().filter_map(|p| p.path.clone()).collect();
        let prompt = trail_agent::session::load(&trail_dir, session).and_then(|s| s.prompt_seq);
        if let Err(e) =
            trail_agent::ledger::note_edits_after(&trail_dir, agent.name(), session, prompt, &paths)
        {
            answer.stderr.push_str(&format!("\ntrail: cannot note the session's edits: {e}"));
        }
        // Handed over like post-commit's records (durable in the spool when
        // this returns; a background drainer appends them): the hook runs
        // on every tool call and must not pay for opening the store.
        let handed = crate::pending::hand_over(&repo, vec![draft], None, |_| Vec::new(), |_| {});
        if let Err(e) = handed {
            let message = format!("trail: cannot record the agent's edit: {}", e.message);
            answer.stderr = if answer.stderr.is_empty() {
                message
            } else {
                format!("{}\n{message}", answer.stderr)
            };
        }
    }
    answer
}

/// Deliver a prompt's `agent.prompt` record and keep the seq it got in the
/// session file (a spooled record has none yet: the session then names no
/// seq for this prompt).
fn prompt_record(
    repo: &Repo,
    answer: &mut trail_agent::hook::Answer,
    session: &str,
    draft: trail_journal::Draft,
) {
    let number = draft.detail.as_ref().and_then(|d| d.get("prompt")).and_then(|v| v.as_u64());
    let id = draft.id.clone();
    let mut seq = None;
    let delivered = crate::pending::append_or_spool_then(repo, vec![draft], None, |store| {
        seq = id.as_deref().and_then(|id| draft_seq(store, id));
    });
    let mut say = |message: String| {
        if !answer.stderr.is_empty() {
            answer.stderr.push('\n');
        }
        answer.stderr.push_str(&message);
    };
    if let Err(e) = delivered {
        say(format!("trail: cannot record the prompt: {}", e.message));
    }
    if let (Some(seq), Some(number)) = (seq, number)
        && let Err(e) =
            trail_agent::session::note_prompt_seq(&repo.location.trail_dir(), session, number, seq)
    {
        say(format!("trail: cannot keep the prompt's seq: {e}"));
    }
}

/// The seq of the record appended from draft `id` (the store's draft index).
fn draft_seq(store: &crate::context::Store, id: &str) -> Option<u64> {
    use trail_journal::LogStore as _;
    let mut prefix = id.as_bytes().to_vec();
    prefix.push(0);
    let keys = store.index_prefix(trail_journal::index::DRAFT, &prefix).ok()?;
    keys.first().and_then(|k| trail_journal::index::seq_of(k))
}

/// The repository `dir` is in, found as `Repo::discover` finds it from the
/// current directory.
fn discover(dir: &Path) -> Option<Repo> {
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| std::env::split_paths(&v).filter(|p| p.is_absolute()).collect())
        .unwrap_or_default();
    let (location, git) = trail_git::discover(dir, &ceilings).ok()?;
    let repo = Repo { location, git, cwd: dir.to_path_buf() };
    // As every trail process: a commit whose post-commit waits is recorded
    // before the agent's edit is noted (that edit is not the commit's).
    crate::commands::hook::post_commit::settle_deferred(&repo);
    Some(repo)
}
