//! The committed completion scripts (docs/completions/) and manual pages
//! (docs/man/) are what the binary prints: a change to a command, an option or
//! a --help text fails here until `docs/generate.sh` is run and its output
//! committed. (.ci/run checks the same with `diff -r`.)

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{TestEnv, manifest_dir, trail_bin};

#[test]
fn committed_completions_and_man_pages_are_current() {
    let env = TestEnv::new();
    let fresh = env.dir("generated");
    let mut cmd = env.command("bash", &manifest_dir());
    cmd.arg(manifest_dir().join("docs/generate.sh")).arg(trail_bin()).arg(&fresh);
    let out = common::run(cmd, common::PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "docs/generate.sh failed:\n{out}");

    let mut stale = Vec::new();
    for dir in ["completions", "man"] {
        let committed = files(&manifest_dir().join("docs").join(dir));
        let generated = files(&fresh.join(dir));
        for (name, bytes) in &generated {
            match committed.get(name) {
                None => stale.push(format!("docs/{dir}/{name} is missing")),
                Some(old) if old != bytes => stale.push(format!("docs/{dir}/{name} differs")),
                Some(_) => {}
            }
        }
        for name in committed.keys().filter(|name| !generated.contains_key(*name)) {
            stale.push(format!("docs/{dir}/{name} is no longer generated"));
        }
    }
    assert!(
        stale.is_empty(),
        "the committed completions and man pages are out of date; run `cargo build && docs/generate.sh` and commit the result:\n  {}",
        stale.join("\n  ")
    );
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.expect("read a directory entry");
            let bytes = std::fs::read(entry.path()).expect("read a generated file");
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}
