//! trail-failpoint: kill the running process at a named point, so that a test
//! can inject `kill -9` exactly where a crash hurts most (between an append and
//! its acknowledgement, in the middle of `trail recover`'s swap, ...).
//!
//! A failpoint exists only in debug builds (what `cargo test` drives): in a
//! release build [`hit`] is an empty function and the environment is never
//! read. In a debug build, `TRAIL_FAILPOINT` holds a comma-separated list of
//! names; reaching a listed name sends SIGKILL to this process. A name may be
//! followed by `@N` to fire only on its N-th hit in this process (1-based), e.g.
//! `TRAIL_FAILPOINT=journal.append.flushed@2`.
//!
//! Every name in use is listed in docs/architecture.md ("Faults and what
//! survives them").

/// Kill this process with SIGKILL if `name` is armed in `TRAIL_FAILPOINT`
/// (debug builds only; a no-op in release builds).
#[inline]
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    armed::hit(name);
    #[cfg(not(debug_assertions))]
    let _ = name;
}

#[cfg(debug_assertions)]
mod armed {
    use std::collections::HashMap;
    use std::sync::Mutex;

    static HITS: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

    pub(super) fn hit(name: &str) {
        let Some(spec) = std::env::var_os("TRAIL_FAILPOINT") else { return };
        let spec = spec.to_string_lossy();
        for item in spec.split(',').map(str::trim) {
            let (armed, nth) = match item.split_once('@') {
                Some((armed, n)) => (armed, n.parse::<u64>().ok()),
                None => (item, None),
            };
            if armed != name {
                continue;
            }
            let count = {
                let mut hits = HITS.lock().unwrap_or_else(|p| p.into_inner());
                let count =
                    hits.get_or_insert_with(HashMap::new).entry(name.to_owned()).or_insert(0);
                *count += 1;
                *count
            };
            if nth.is_none_or(|n| n == count) {
                eprintln!("trail: failpoint {name}: killed");
                let _ = rustix::process::kill_process(
                    rustix::process::getpid(),
                    rustix::process::Signal::KILL,
                );
                // SIGKILL cannot be caught; should the signal fail, stop anyway.
                std::process::abort();
            }
        }
    }
}
