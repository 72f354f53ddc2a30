//! The `--help` texts are the contract with someone who has never seen trail:
//! snapshot them, so a change to any of them is a reviewed change.

mod common;

use common::TestEnv;

#[test]
fn help_texts() {
    let env = TestEnv::new();
    for command in [
        "",
        "init",
        "import",
        "log",
        "show",
        "verify",
        "export",
        "reindex",
        "status",
        "hooks",
        "hooks install",
        "hooks uninstall",
        "hooks status",
        "changelog",
        "changelog check",
        "changelog sync",
        "changelog release",
        "changelog merge",
        "note",
        "commit",
        "keygen",
        "policy",
        "policy check",
        "authorize",
        "timeline",
        "restore",
        "watch",
        "daemon",
        "daemon start",
        "daemon stop",
        "daemon status",
        "daemon unit",
        "sync",
        "sync push",
        "sync pull",
        "sync checkpoint",
        "recover",
        "doctor",
        "completions",
        "man",
        "docs",
        "agent",
        "agent install",
        "agent uninstall",
        "agent status",
        "agent hook",
    ] {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let out = env.trail_ok(&env.root, &args);
        let name = if command.is_empty() {
            "trail".to_owned()
        } else {
            format!("trail-{}", command.replace(' ', "-"))
        };
        insta::assert_snapshot!(name, out.stdout_str());
    }
}
