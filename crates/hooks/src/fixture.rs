//! Test fixtures: a real git repository in a temporary directory (real
//! `git`, no mocks), and a journal memory that remembers nothing.

use std::path::PathBuf;
use std::process::Command;

use trail_git::ObjectId;
use trail_policy::When;

use crate::HookError;
use crate::changelogs::OnMalformed;
use crate::hook::{Hook, HookEnv, Settings};
use crate::judge::{JournalMemory, Site};
use crate::pending::Pending;

/// A journal with no records: no token used, no commit recorded.
pub(crate) struct NoJournal;

impl JournalMemory for NoJournal {
    fn recorded_at(&self, _commit: ObjectId) -> Result<Option<When>, HookError> {
        Ok(None)
    }
    fn token_users(&self, _id: &str) -> Result<Vec<Option<String>>, HookError> {
        Ok(Vec::new())
    }
}

pub(crate) struct Repo {
    _dir: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) git_dir: PathBuf,
}

impl Repo {
    /// `git init` with an identity, and trail's directory.
    pub(crate) fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("r");
        std::fs::create_dir_all(&root).expect("mkdir");
        let git_dir = root.join(".git");
        let repo = Repo { _dir: dir, root, git_dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Tess Ter"]);
        repo.git(&["config", "user.email", "tess@example.com"]);
        std::fs::create_dir_all(repo.root.join(".git/trail/pending")).expect("mkdir");
        repo
    }

    /// Run git here; its stdout, trimmed. Panics when git fails.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.root.parent().expect("a parent"))
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub(crate) fn write(&self, path: &str, text: &str) {
        let file = self.root.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }

    /// Stage everything and commit (no hooks are installed here).
    pub(crate) fn commit(&self, message: &str) -> ObjectId {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head().expect("a commit")
    }

    pub(crate) fn head(&self) -> Option<ObjectId> {
        let out = Command::new("git")
            .args(["rev-parse", "--verify", "-q", "HEAD"])
            .current_dir(&self.root)
            .output()
            .ok()?;
        ObjectId::from_hex(String::from_utf8_lossy(&out.stdout).trim().as_bytes()).ok()
    }

    pub(crate) fn open(&self) -> trail_git::Repository {
        trail_git::discover(&self.root, &[]).expect("a repository").1
    }

    pub(crate) fn pending(&self) -> Pending {
        let location = trail_git::RepoLocation {
            git_dir: self.git_dir.clone(),
            common_dir: self.git_dir.clone(),
            workdir: Some(self.root.clone()),
        };
        Pending::new(&location)
    }

    pub(crate) fn site<'a>(&self, git: &'a trail_git::Repository) -> Site<'a> {
        Site {
            git,
            trail_dir: self.git_dir.join("trail"),
            cwd: self.root.clone(),
            journal: &NoJournal,
        }
    }
}

fn nothing_excluded(_: &[u8]) -> bool {
    false
}

/// The settings of a trail.toml that requires a rationale.
pub(crate) fn settings() -> Settings<'static> {
    Settings {
        rationale_required: true,
        excluded: &nothing_excluded,
        root_summary: true,
        on_malformed: OnMalformed::Refuse,
        sections: default_sections(),
    }
}

fn default_sections() -> &'static trail_changelog::Sections {
    static SECTIONS: std::sync::OnceLock<trail_changelog::Sections> = std::sync::OnceLock::new();
    SECTIONS.get_or_init(trail_changelog::Sections::default)
}

/// A hook of `repo` as git would run it (no invocation known).
pub(crate) fn hook<'a>(
    repo: &'a Repo,
    site: &'a Site<'a>,
    pending: &'a Pending,
    env: &'a HookEnv,
    settings: &'a Settings<'a>,
) -> Hook<'a> {
    Hook {
        site,
        git_dir: &repo.git_dir,
        workdir: &repo.root,
        head: repo.head(),
        invocation: None,
        pending,
        env,
        settings,
    }
}
