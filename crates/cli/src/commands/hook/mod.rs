//! `trail hook NAME [ARGS…]`: the work behind each git hook shim.

mod commit_msg;
pub(crate) mod post_commit;
mod pre_commit;
mod prepare_msg;
mod refs;
mod server;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use trail_git::ObjectId;
use trail_journal::Actor;

use crate::config::Config;
use crate::context::Repo;
use crate::error::CommandError;
use crate::pending::Pending;

/// Run the work of one git hook (the shims `trail hooks install` writes call it).
///
/// pre-commit writes this commit's CHANGELOG.md entries and stages them;
/// commit-msg adds the Change-Id, Why and Impact trailers; post-commit records
/// the commit in the journal; post-rewrite, post-merge and post-checkout record
/// history rewrites and branch movements; pre-push refuses to push while the
/// journal fails `trail verify`. You do not need to run this yourself.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// Which hook git is running.
    #[arg(value_enum)]
    pub name: HookName,
    /// The arguments git passed to the hook, unchanged.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookName {
    PreCommit,
    PrepareCommitMsg,
    CommitMsg,
    PostCommit,
    ApplypatchMsg,
    PreApplypatch,
    PostApplypatch,
    PostRewrite,
    PostMerge,
    PostCheckout,
    PrePush,
    PreReceive,
    Update,
    ReferenceTransaction,
}

impl HookName {
    /// The hooks of a server-side (bare) repository: `trail hooks install --server`.
    pub const SERVER: [HookName; 2] = [HookName::PreReceive, HookName::Update];

    /// The hooks of a repository people commit in (`reference-transaction`
    /// comes on top with `[protect] strict = true`).
    pub const CLIENT: [HookName; 11] = [
        HookName::PreCommit,
        HookName::PrepareCommitMsg,
        HookName::CommitMsg,
        HookName::PostCommit,
        HookName::ApplypatchMsg,
        HookName::PreApplypatch,
        HookName::PostApplypatch,
        HookName::PostRewrite,
        HookName::PostMerge,
        HookName::PostCheckout,
        HookName::PrePush,
    ];

    /// Every hook trail can install a shim for: the client hooks, the
    /// strict mode's reference-transaction, the server hooks.
    pub fn all() -> impl Iterator<Item = HookName> {
        HookName::CLIENT.into_iter().chain([HookName::ReferenceTransaction]).chain(HookName::SERVER)
    }

    /// The file name git looks for.
    pub fn file_name(self) -> &'static str {
        match self {
            HookName::PreCommit => "pre-commit",
            HookName::PrepareCommitMsg => "prepare-commit-msg",
            HookName::ApplypatchMsg => "applypatch-msg",
            HookName::PreApplypatch => "pre-applypatch",
            HookName::PostApplypatch => "post-applypatch",
            HookName::CommitMsg => "commit-msg",
            HookName::PostCommit => "post-commit",
            HookName::PostRewrite => "post-rewrite",
            HookName::PostMerge => "post-merge",
            HookName::PostCheckout => "post-checkout",
            HookName::PrePush => "pre-push",
            HookName::PreReceive => "pre-receive",
            HookName::Update => "update",
            HookName::ReferenceTransaction => "reference-transaction",
        }
    }
}

pub fn run(args: HookArgs) -> Result<(), CommandError> {
    // trail's own amend of a commit git made without pre-commit (post-commit
    // puts its CHANGELOG.md entries right): the commit is recorded by the
    // post-commit that made the amend. The variable holds a nonce that
    // post-commit keeps in a file for the amend's duration only, so setting
    // it by hand skips nothing (`git commit --no-verify` is the bypass
    // git has, and trail records its commits as unverified).
    if matches!(
        args.name,
        HookName::PrepareCommitMsg | HookName::PostCommit | HookName::PostRewrite
    ) && let Some(nonce) = std::env::var_os("TRAIL_REWRITING")
        && let Ok(repo) = Repo::discover()
        && post_commit::rewriting(&repo, &nonce.to_string_lossy())
    {
        return Ok(());
    }
    // A hook manager may have put some of trail's hooks out of action: the
    // hooks git still runs say so (HookContext::new, for the hooks that have
    // one; pre-push has none).
    if args.name == HookName::PrePush
        && let Ok(repo) = Repo::discover()
    {
        crate::commands::hooks::health::warn_if_off(&repo, args.name);
    }
    match args.name {
        HookName::PreCommit => pre_commit::run(),
        HookName::CommitMsg => commit_msg::run(&args.args),
        HookName::PrepareCommitMsg => prepare_msg::prepare_commit_msg(&args.args),
        HookName::ApplypatchMsg => prepare_msg::applypatch_msg(&args.args),
        HookName::PreApplypatch => prepare_msg::pre_applypatch(),
        // `git am` runs no post-commit: post-applypatch records its commits.
        HookName::PostApplypatch => post_commit::run(HookName::PostApplypatch),
        HookName::PostCommit => post_commit::run(HookName::PostCommit),
        HookName::PostRewrite => refs::post_rewrite(&args.args),
        HookName::PostMerge => refs::post_merge(&args.args),
        HookName::PostCheckout => refs::post_checkout(&args.args),
        HookName::PrePush => pre_push(&args.args),
        HookName::PreReceive => server::pre_receive(),
        HookName::Update => server::update(&args.args),
        HookName::ReferenceTransaction => server::reference_transaction(&args.args),
    }
}

/// What every hook needs: the repository, its work tree, pending state, policy.
pub(crate) struct HookContext {
    pub repo: Repo,
    pub workdir: PathBuf,
    pub pending: Pending,
    pub config: Config,
}

impl HookContext {
    /// The context of client hook `hook`; it also says, once per commit,
    /// which of trail's hooks a hook manager has put out of action.
    pub fn new(hook: HookName) -> Result<Self, CommandError> {
        Self::of(Repo::discover()?, hook)
    }

    /// [`HookContext::new`] for `repo`, already found.
    pub fn of(mut repo: Repo, hook: HookName) -> Result<Self, CommandError> {
        crate::commands::hooks::health::warn_if_off(&repo, hook);
        trail_git::skip_index_checksum(&mut repo.git);
        // post-commit reads the commit's trees for its record, its
        // pre-commit check and its protected configs: decoded once.
        repo.git.object_cache_size_if_unset(4 << 20);
        let Some(workdir) = repo.location.workdir.clone() else {
            return Err(CommandError::usage(
                "this hook runs in a repository with a work tree; this one is bare",
            ));
        };
        let config = crate::config::load(&workdir.join("trail.toml"))?;
        let pending = Pending::new(&repo.location);
        Ok(HookContext { repo, workdir, pending, config })
    }

    /// The index git is committing: `GIT_INDEX_FILE` (relative to the hook's
    /// working directory, the top of the work tree) or the repository's own.
    pub fn index_path(&self) -> PathBuf {
        match std::env::var_os("GIT_INDEX_FILE") {
            Some(path) if !path.is_empty() => {
                let path = PathBuf::from(path);
                if path.is_absolute() { path } else { self.repo.cwd.join(path) }
            }
            _ => self.repo.git.index_path(),
        }
    }

    pub fn head(&self) -> Option<ObjectId> {
        self.repo.git.head_id().ok().map(|id| id.detach())
    }

    /// trail.toml's settings as the commit flow reads them.
    pub fn settings<'a>(
        &self,
        excluded: &'a dyn Fn(&[u8]) -> bool,
        sections: &'a trail_changelog::Sections,
    ) -> trail_hooks::hook::Settings<'a> {
        trail_hooks::hook::Settings {
            rationale_required: self.config.rationale.required,
            excluded,
            sections,
            root_summary: self.config.changelog.root_summary,
            on_malformed: match self.config.changelog.malformed {
                crate::config::Malformed::Skip => trail_hooks::changelogs::OnMalformed::Skip,
                crate::config::Malformed::Refuse => trail_hooks::changelogs::OnMalformed::Refuse,
            },
        }
    }

    /// Run `f` with the [`trail_hooks::hook::Hook`] of this context (the
    /// environment, trail.toml's settings, this `git` invocation).
    pub fn with_hook<R>(
        &self,
        f: impl FnOnce(&trail_hooks::hook::Hook<'_>) -> R,
    ) -> Result<R, CommandError> {
        self.with_hook_env(trail_hooks::hook::HookEnv::from_process(), f)
    }

    /// [`HookContext::with_hook`] with `env` as the hook's environment
    /// (pre-commit adds what the CLI knows: an AI agent's commit rationale).
    pub fn with_hook_env<R>(
        &self,
        env: trail_hooks::hook::HookEnv,
        f: impl FnOnce(&trail_hooks::hook::Hook<'_>) -> R,
    ) -> Result<R, CommandError> {
        self.with_hook_as(env, self.head(), GitInvocation::current(), f)
    }

    /// [`HookContext::with_hook_env`] for the hook of `git` process
    /// `invocation` with HEAD at `head`: what a post-commit run after the
    /// commit is given (trail_hooks::deferred).
    pub fn with_hook_as<R>(
        &self,
        env: trail_hooks::hook::HookEnv,
        head: Option<ObjectId>,
        invocation: Option<GitInvocation>,
        f: impl FnOnce(&trail_hooks::hook::Hook<'_>) -> R,
    ) -> Result<R, CommandError> {
        let exclusions =
            self.config.changelog.exclusions().map_err(|e| {
                CommandError::usage(format!("trail.toml: [changelog] exclude: {e}"))
            })?;
        let excluded = |dir: &[u8]| exclusions.is_excluded(dir);
        let sections = self
            .config
            .changelog
            .sections()
            .map_err(|e| CommandError::usage(format!("trail.toml: [changelog] {e}")))?;
        let settings = self.settings(&excluded, &sections);
        let site = self.repo.site();
        let hook = self.hook(&site, head, invocation.as_ref(), &env, &settings);
        Ok(f(&hook))
    }

    /// What trail-hooks' commit flow is given.
    pub fn hook<'a>(
        &'a self,
        site: &'a trail_hooks::judge::Site<'a>,
        head: Option<ObjectId>,
        invocation: Option<&'a GitInvocation>,
        env: &'a trail_hooks::hook::HookEnv,
        settings: &'a trail_hooks::hook::Settings<'a>,
    ) -> trail_hooks::hook::Hook<'a> {
        trail_hooks::hook::Hook {
            site,
            git_dir: &self.repo.location.git_dir,
            workdir: &self.workdir,
            head,
            invocation,
            pending: &self.pending,
            env,
            settings,
        }
    }
}

/// Who is acting, for records that are not about one commit's author: git's
/// committer identity plus the local account and host.
pub(crate) fn local_actor(repo: &trail_git::Repository) -> Actor {
    let (name, email) = trail_git::committer_name_email(repo).unwrap_or_default();
    Actor { name, email, user: local_user(), host: local_host() }
}

pub(crate) fn local_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default()
}

pub(crate) fn local_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

pub(crate) use trail_hooks::invocation::GitInvocation;
pub(crate) use trail_hooks::message::one_line;

/// pre-push: refuse to push while the journal fails verification, or
/// commits that change protected paths without a valid authorization.
fn pre_push(args: &[OsString]) -> Result<(), CommandError> {
    // What `trail verify` checks: the store, and the store against the
    // signed checkpoints on refs/trail/journal.
    let intact = || -> Result<(), CommandError> {
        let repo = Repo::discover()?;
        let store = repo.open_store()?;
        let checked = crate::sync::verify_store(&repo, &store)?;
        if checked.report.ok() {
            return Ok(());
        }
        crate::sync::print_findings(&checked.report);
        Err(crate::sync::not_intact(&checked.report))
    };
    intact().map_err(
        |e| {
            let mut refused = CommandError::refused(format!("push refused: {}", e.message));
            refused.hints = e.hints;
            refused.hint("`git push --no-verify` skips this check; do so only once you know why the journal fails")
        },
    )?;
    server::pre_push_protection(args)?;
    auto_sync(args);
    Ok(())
}

/// `[sync] auto = true`: the journal's checkpoints go to the same remote as
/// the branches. A failure is said, never fatal: the push itself is fine.
fn auto_sync(args: &[OsString]) {
    let Some(remote) = args.first() else { return };
    let Ok(repo) = Repo::discover() else { return };
    let Some(workdir) = repo.location.workdir.as_ref() else { return };
    let Ok(config) = crate::config::load(&workdir.join("trail.toml")) else { return };
    if !config.sync.auto {
        return;
    }
    if let Err(e) = crate::commands::sync::push(&repo, remote) {
        crate::output::say(format_args!(
            "warning: the journal's checkpoints were not pushed ([sync] auto): {}",
            e.message
        ));
    }
}
