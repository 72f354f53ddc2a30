//! The tools the tests run trail against — the hook managers (lefthook,
//! husky, the pre-commit framework) and the checkers of the changelogs trail
//! writes (markdownlint-cli, the `keepachangelog` Python parser) — installed
//! once at pinned versions by `.ci/install-test-tools` into
//! `target/test-tools` (or `$TRAIL_TEST_TOOLS`).
//! The first test that needs them runs the script, under a file lock, when
//! they are missing; a tool still missing afterwards fails the test with the
//! script's output. Never a silent skip.

#![allow(dead_code, reason = "each test file uses a different part of the tools")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the tools are.
pub struct Tools {
    pub dir: PathBuf,
}

impl Tools {
    pub fn lefthook(&self) -> PathBuf {
        self.dir.join("node_modules/.bin/lefthook")
    }

    /// husky's package folder (its `index.js` is what `npx husky` runs).
    pub fn husky_package(&self) -> PathBuf {
        self.dir.join("node_modules/husky")
    }

    pub fn pre_commit(&self) -> PathBuf {
        self.dir.join("venv/bin/pre-commit")
    }

    /// markdownlint-cli's `markdownlint` command.
    pub fn markdownlint(&self) -> PathBuf {
        self.dir.join("node_modules/.bin/markdownlint")
    }

    /// The virtualenv's Python, which can `import keepachangelog`.
    pub fn python(&self) -> PathBuf {
        self.dir.join("venv/bin/python")
    }

    /// The folder of the `node` that ran npm (husky is run with it).
    pub fn node(&self) -> PathBuf {
        which("node").unwrap_or_else(|| panic!("node is not on PATH: the husky tests need it"))
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn complete(dir: &Path) -> bool {
    // The versions file is written last, and lists every tool the script installs.
    let versions = std::fs::read_to_string(dir.join("versions")).unwrap_or_default();
    ["lefthook ", "husky ", "pre-commit ", "markdownlint-cli ", "keepachangelog "]
        .iter()
        .all(|tool| versions.lines().any(|l| l.starts_with(tool)))
        && dir.join("node_modules/.bin/markdownlint").exists()
        && dir.join("node_modules/.bin/lefthook").exists()
        && dir.join("node_modules/husky/index.js").is_file()
        && dir.join("venv/bin/pre-commit").exists()
}

/// The installed tools; installs them first when needed (once per process,
/// and once across processes: `flock` on a file beside them).
pub fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = std::env::var_os("TRAIL_TEST_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest_dir().join("target/test-tools"));
        std::fs::create_dir_all(&dir).expect("create the test-tools directory");
        if !complete(&dir) {
            let script = manifest_dir().join(".ci/install-test-tools");
            let lock = dir.join(".install.lock");
            // flock(1) serialises the test processes that get here together.
            let out = std::process::Command::new("flock")
                .arg(&lock)
                .arg("bash")
                .arg(&script)
                .arg(&dir)
                .output()
                .expect("run flock bash .ci/install-test-tools");
            assert!(
                out.status.success() && complete(&dir),
                "the test tools could not be installed into {} by {}:\n--- stdout ---\n{}\n--- stderr ---\n{}",
                dir.display(),
                script.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Tools { dir }
    })
}
