//! What a record says, in one line of words: OCSF's and ECS's `message`.

use trail_journal::{Record, kinds};

/// One line saying what `record` records. Paths are quoted as git quotes
/// them (a path that is not UTF-8 shows its odd bytes in octal).
pub fn message(record: &Record) -> String {
    let commit = record.commit.as_deref().map(short);
    let detail = |key: &str| {
        record.detail.as_ref().and_then(|d| d.get(key)).and_then(|v| v.as_str()).map(one_line)
    };
    let subject = record.subject().map(one_line);
    let paths = paths(record);
    let git_ref = record.git_ref.as_deref().unwrap_or("HEAD");
    match record.kind.as_str() {
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => {
            let mut text = format!("commit {}", commit.unwrap_or_default());
            if let Some(subject) = subject {
                text.push_str(&format!(": {subject}"));
            }
            if record.kind == kinds::COMMIT_UNVERIFIED {
                text.push_str(" (made without trail's pre-commit check)");
            }
            text
        }
        kinds::COMMIT_BLOCKED => match detail("reason") {
            Some(reason) => format!("commit refused: {reason}"),
            None => "commit refused".to_owned(),
        },
        kinds::POLICY_VIOLATION => {
            let mut text = String::from("protected paths changed without authorization");
            if let Some(commit) = commit {
                text.push_str(&format!(" in commit {commit}"));
            }
            if let Some(reason) = detail("reason") {
                text.push_str(&format!(": {reason}"));
            }
            text
        }
        kinds::POLICY_BOOTSTRAP => {
            format!("first authorizers named by commit {}", commit.unwrap_or_default())
        }
        kinds::AUTH_USED => {
            let token = record.authorization.as_ref().map(|a| a.token_id.as_str());
            format!(
                "authorization token {} used for commit {}",
                token.unwrap_or("?"),
                commit.unwrap_or_default()
            )
        }
        kinds::REF_UPDATE => {
            let from = detail("from").map(|c| short(&c).to_owned());
            let to = detail("to").map(|c| short(&c).to_owned());
            let how = detail("operation").map(|op| format!(" ({op})")).unwrap_or_default();
            match (from, to) {
                (Some(from), Some(to)) => format!("{git_ref} moved from {from} to {to}{how}"),
                (None, Some(to)) => format!("{git_ref} set to {to}{how}"),
                _ => format!("{git_ref} moved{how}"),
            }
        }
        kinds::HISTORY_REWRITE => {
            let count = record
                .detail
                .as_ref()
                .and_then(|d| d.get("rewritten"))
                .and_then(|v| v.as_array())
                .map_or(0, Vec::len);
            let how = detail("operation").unwrap_or_else(|| "a rewrite".to_owned());
            format!("{how} rewrote {} on {git_ref}", plural(count, "commit"))
        }
        kinds::CHANGELOG_CREATED => format!("created {paths}"),
        kinds::FS_CREATE => format!("created {paths}"),
        kinds::FS_MODIFY => format!("modified {paths}"),
        kinds::FS_DELETE => format!("deleted {paths}"),
        kinds::FS_RENAME => {
            let from = record.paths.first().and_then(|p| p.display_from());
            match from {
                Some(from) if record.paths.len() == 1 => format!("renamed {from} to {paths}"),
                _ => format!("renamed {paths}"),
            }
        }
        kinds::FS_RESCAN => format!("rescan found {} changed", plural(record.paths.len(), "path")),
        kinds::FS_OPERATION => {
            let op = detail("operation").unwrap_or_else(|| "a git operation".to_owned());
            format!("{op} changed {}", plural(record.paths.len(), "path"))
        }
        kinds::WATCH_START => "watcher started".to_owned(),
        kinds::WATCH_STOP => "watcher stopped".to_owned(),
        kinds::STORE_CREATED => {
            subject.unwrap_or_else(|| "a new journal store was created".to_owned())
        }
        other => match (subject, record.paths.is_empty()) {
            (Some(subject), _) => format!("{other}: {subject}"),
            (None, false) => format!("{other}: {paths}"),
            (None, true) => other.to_owned(),
        },
    }
}

/// The paths in a few words: the first, and how many more.
fn paths(record: &Record) -> String {
    match record.paths.as_slice() {
        [] => "no path".to_owned(),
        [one] => one.display_path(),
        [first, rest @ ..] => format!("{} and {} more", first.display_path(), rest.len()),
    }
}

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// Text from a record on one line: control characters (a newline in a
/// reason) become spaces, so a message never breaks a log line's reader.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_records::record;
    use serde_json::json;

    #[test]
    fn each_kind_says_what_happened() {
        let c = "0123456789abcdef".repeat(2) + "01234567";
        let cases = [
            (
                record("commit", json!({"commit": c, "detail": {"subject": "Add a"}})),
                "commit 0123456789: Add a",
            ),
            (
                record("commit.blocked", json!({"detail": {"reason": "no rationale\ngiven"}})),
                "commit refused: no rationale given",
            ),
            (
                record(
                    "ref.update",
                    json!({"ref": "refs/heads/main", "detail": {"from": c, "to": "f".repeat(40), "operation": "merge"}}),
                ),
                "refs/heads/main moved from 0123456789 to ffffffffff (merge)",
            ),
            (
                record(
                    "history.rewrite",
                    json!({"ref": "refs/heads/main", "detail": {"operation": "rebase", "rewritten": [{"from": "a", "to": "b"}]}}),
                ),
                "rebase rewrote 1 commit on refs/heads/main",
            ),
            (
                record(
                    "fs.rename",
                    json!({"paths": [{"path": "b.txt", "from": "a.txt", "status": "R"}]}),
                ),
                "renamed a.txt to b.txt",
            ),
            (
                record(
                    "fs.modify",
                    json!({"paths": [{"path_b64": "ZGF0YS9ub3QtdXRmOC3/LmJpbg==", "status": "M"}]}),
                ),
                "modified \"data/not-utf8-\\377.bin\"",
            ),
            (record("watch.start", json!({})), "watcher started"),
            (
                record(
                    "auth.used",
                    json!({"commit": c, "authorization": {"issuer": "k", "token_id": "t1"}}),
                ),
                "authorization token t1 used for commit 0123456789",
            ),
            (record("some.future.kind", json!({})), "some.future.kind"),
        ];
        for (record, expected) in cases {
            assert_eq!(message(&record), expected, "{}", record.kind);
        }
    }
}
