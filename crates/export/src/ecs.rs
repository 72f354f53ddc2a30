//! Records as Elastic Common Schema 9.4.0 documents
//! (https://www.elastic.co/docs/reference/ecs).
//!
//! `@timestamp` is the record's time (milliseconds, UTC), `event.id` its
//! `hash` (unique across every journal), `event.sequence` its seq,
//! `event.action` its kind; `event.kind`, `event.category` and `event.type`
//! take ECS's allowed values ([`categorize`]). The record itself is `trail`,
//! a field set of trail's own (ECS keeps custom fields out of its own sets).

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};
use trail_journal::{Record, kinds};

use crate::paths::{self, FileKind};

/// `event.dataset`: what a shipper routes trail's documents by.
pub const DATASET: &str = "trail.journal";

/// ECS's `event.kind`, `event.category`, `event.type` and `event.outcome`
/// of a record of `kind`. Each type is one ECS expects for its category.
pub fn categorize(
    kind: &str,
) -> (&'static str, &'static [&'static str], &'static [&'static str], Option<&'static str>) {
    match kind {
        kinds::FS_CREATE | kinds::CHANGELOG_CREATED => ("event", &["file"], &["creation"], None),
        kinds::FS_MODIFY | kinds::FS_RENAME | kinds::FS_OPERATION => {
            ("event", &["file"], &["change"], None)
        }
        kinds::FS_DELETE => ("event", &["file"], &["deletion"], None),
        kinds::FS_RESCAN => ("event", &["file"], &["info"], None),
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => {
            ("event", &["file"], &["change"], Some("success"))
        }
        kinds::COMMIT_BLOCKED => ("event", &["intrusion_detection"], &["denied"], Some("failure")),
        kinds::POLICY_VIOLATION => ("alert", &["intrusion_detection"], &["info"], None),
        kinds::REF_UPDATE | kinds::HISTORY_REWRITE => {
            ("event", &["configuration"], &["change"], Some("success"))
        }
        kinds::AUTH_USED => ("event", &["iam"], &["info"], Some("success")),
        kinds::POLICY_BOOTSTRAP => ("event", &["iam"], &["creation"], Some("success")),
        kinds::STORE_CREATED => ("event", &["configuration"], &["creation"], Some("success")),
        kinds::WATCH_START => ("event", &["process"], &["start"], None),
        kinds::WATCH_STOP => ("event", &["process"], &["end"], None),
        _ => ("event", &["configuration"], &["info"], None),
    }
}

/// ECS `event.severity` (a number, higher is worse): OCSF's severity id.
fn severity(kind: &str) -> u32 {
    crate::ocsf::class_of(kind).severity_id
}

/// The ECS document of `record`.
pub fn document(record: &Record) -> Value {
    let (event_kind, categories, types, outcome) = categorize(&record.kind);
    let source = serde_json::to_value(record.source).unwrap_or(Value::Null);
    let mut event = json!({
        "kind": event_kind,
        "category": categories,
        "type": types,
        "action": record.kind,
        "id": record.hash,
        "sequence": record.seq,
        "dataset": DATASET,
        "module": "trail",
        "provider": source,
        "severity": severity(&record.kind),
    });
    if let Some(outcome) = outcome {
        event["outcome"] = json!(outcome);
    }
    if let Some(reason) =
        record.detail.as_ref().and_then(|d| d.get("reason")).and_then(|v| v.as_str())
    {
        event["reason"] = json!(reason);
    }
    let mut doc = Map::new();
    doc.insert(
        "@timestamp".into(),
        json!(record.time.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
    );
    doc.insert("ecs".into(), json!({ "version": crate::ECS_VERSION }));
    doc.insert("message".into(), json!(crate::message(record)));
    doc.insert("event".into(), event);
    if let Some(actor) = &record.actor {
        let mut user = Map::new();
        let name = [&actor.user, &actor.name, &actor.email].into_iter().find(|s| !s.is_empty());
        if let Some(name) = name {
            user.insert("name".into(), json!(name));
        }
        if !actor.name.is_empty() {
            user.insert("full_name".into(), json!(actor.name));
        }
        if !actor.email.is_empty() {
            user.insert("email".into(), json!(actor.email));
        }
        if !user.is_empty() {
            let related: Vec<&String> =
                user.get("name").and_then(Value::as_str).map_or(Vec::new(), |_| {
                    [&actor.user, &actor.name].into_iter().filter(|s| !s.is_empty()).collect()
                });
            doc.insert("related".into(), json!({ "user": related }));
            doc.insert("user".into(), Value::Object(user));
        }
        if !actor.host.is_empty() {
            doc.insert("host".into(), json!({ "name": actor.host, "hostname": actor.host }));
        }
    }
    if let Some(file) = file(record) {
        doc.insert("file".into(), file);
    }
    if let Some(commit) = &record.commit {
        let related = doc.entry("related").or_insert_with(|| json!({}));
        related["hash"] = json!([commit]);
    }
    doc.insert("trail".into(), crate::record_value(record));
    Value::Object(doc)
}

/// ECS's `file`: the record's first path (where a rename went;
/// `file.target_path`... is for links, so a rename's source stays in
/// `trail.paths`). Every path, `path_b64` included, is in `trail.paths`.
fn file(record: &Record) -> Option<Value> {
    let entry = record.paths.first()?;
    let view = paths::destination(entry)?;
    let mut file = json!({ "path": view.path, "name": view.name });
    if !view.directory.is_empty() {
        file["directory"] = json!(view.directory);
    }
    let kind = match view.kind {
        FileKind::Regular => Some("file"),
        FileKind::Directory | FileKind::Submodule => Some("dir"),
        FileKind::Symlink => Some("symlink"),
        FileKind::Unknown => None,
    };
    if let Some(kind) = kind {
        file["type"] = json!(kind);
    }
    if let Some(size) = entry.size {
        file["size"] = json!(size);
    }
    if let Some(sha256) = &entry.sha256 {
        file["hash"] = json!({ "sha256": sha256 });
    }
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_records::record;

    #[test]
    fn the_fields_a_pipeline_reads_come_from_the_record() {
        let r = record(
            "fs.modify",
            json!({
                "source": "watcher",
                "actor": {"name": "Ada L", "email": "ada@example.org", "user": "ada", "host": "box"},
                "paths": [{"path": "src/lib.rs", "status": "M", "mode": "100644", "size": 12, "sha256": "e".repeat(64)}],
            }),
        );
        let d = document(&r);
        assert_eq!(d["@timestamp"], json!("2026-11-26T22:40:11.123Z"));
        assert_eq!(d["ecs"]["version"], json!("9.4.0"));
        assert_eq!(d["event"]["kind"], json!("event"));
        assert_eq!(d["event"]["category"], json!(["file"]));
        assert_eq!(d["event"]["type"], json!(["change"]));
        assert_eq!(d["event"]["action"], json!("fs.modify"));
        assert_eq!(d["event"]["id"], json!("ab".repeat(32)));
        assert_eq!(d["event"]["sequence"], json!(7));
        assert_eq!(d["event"]["dataset"], json!("trail.journal"));
        assert_eq!(d["event"]["provider"], json!("watcher"));
        assert_eq!(d["user"]["name"], json!("ada"));
        assert_eq!(d["user"]["email"], json!("ada@example.org"));
        assert_eq!(d["host"]["hostname"], json!("box"));
        assert_eq!(d["file"]["path"], json!("src/lib.rs"));
        assert_eq!(d["file"]["directory"], json!("src"));
        assert_eq!(d["file"]["type"], json!("file"));
        assert_eq!(d["file"]["hash"]["sha256"], json!("e".repeat(64)));
        assert_eq!(d["message"], json!("modified src/lib.rs"));
        assert_eq!(d["trail"]["seq"], json!(7));
    }

    #[test]
    fn a_path_that_is_not_utf8_is_lossy_in_file_and_whole_in_trail() {
        let r = record(
            "fs.create",
            json!({"paths": [{"path_b64": "ZGF0YS9ub3QtdXRmOC3/LmJpbg==", "status": "A"}]}),
        );
        let d = document(&r);
        assert_eq!(d["file"]["path"], json!("data/not-utf8-\u{fffd}.bin"));
        assert_eq!(d["trail"]["paths"][0]["path_b64"], json!("ZGF0YS9ub3QtdXRmOC3/LmJpbg=="));
        assert!(d.get("user").is_none());
    }

    #[test]
    fn a_blocked_commit_is_a_denied_failure_and_a_violation_an_alert() {
        let d = document(&record("commit.blocked", json!({"detail": {"reason": "no why"}})));
        assert_eq!(d["event"]["type"], json!(["denied"]));
        assert_eq!(d["event"]["outcome"], json!("failure"));
        assert_eq!(d["event"]["reason"], json!("no why"));
        let d = document(&record("policy.violation", json!({"commit": "c".repeat(40)})));
        assert_eq!(d["event"]["kind"], json!("alert"));
        assert_eq!(d["related"]["hash"], json!(["c".repeat(40)]));
    }
}
