//! An idle daemon uses no CPU: none of its threads wakes up while nothing
//! happens (issue 5: "0 % CPU idle, no polling").

mod common;

use std::time::Duration;

use common::Repo;
use trail_journal::LogStore as _;
use trail_service::Client;

/// Voluntary context switches of this process's threads whose name starts
/// with `trail-` (the server's: run, accept, writer, one per connection).
fn server_wakeups() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task").flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
        let field = |name: &str| {
            status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned())
        };
        let name = field("Name:").unwrap_or_default();
        if name.starts_with("trail-") {
            let switches = field("voluntary_ctxt_switches:").and_then(|v| v.parse().ok());
            out.push((
                format!("{name} ({})", task.file_name().to_string_lossy()),
                switches.unwrap_or(0),
            ));
        }
    }
    out.sort();
    out
}

// The run loop slept 250 ms between looks at a stop flag, and an idle
// connection read with a 50 ms timeout: a few dozen wake-ups a second.
#[test]
fn an_idle_server_with_an_idle_connection_never_wakes_up() {
    let repo = Repo::new();
    let daemon = repo.serve();
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    client.head().expect("head");
    std::thread::sleep(Duration::from_millis(100));
    let before = server_wakeups();
    assert!(
        ["trail-run", "trail-accept", "trail-writer", "trail-conn"]
            .iter()
            .all(|t| before.iter().any(|(name, _)| name.starts_with(t))),
        "every server thread is there: {before:?}"
    );
    std::thread::sleep(Duration::from_millis(700));
    let after = server_wakeups();
    assert_eq!(before, after, "no server thread woke up while idle");
    // And the stop still reaches every one of them at once.
    let asked = std::time::Instant::now();
    daemon.stop();
    assert!(asked.elapsed() < Duration::from_secs(2), "stopped in {:?}", asked.elapsed());
    assert!(client.head().is_err(), "the idle connection was closed by the stop");
}
