//! Records as OCSF 1.8.0 events (https://schema.ocsf.io/1.8.0/).
//!
//! Each kind maps to one event class and activity ([`class_of`]); every
//! event has the base event's required attributes (`class_uid`,
//! `category_uid`, `activity_id`, `type_uid` = `class_uid` × 100 +
//! `activity_id`, `severity_id`, `time` in milliseconds since the epoch,
//! `metadata` with `product` and `version`) and those of its class. The
//! record's `hash`, unique across every journal, is `metadata.uid`; its seq
//! is `metadata.sequence`. The record itself is `unmapped.trail`.

use serde_json::{Map, Value, json};
use trail_journal::{Record, kinds};

use crate::paths::{self, FileKind, FileView};

/// An OCSF event class, and the activity and severity a kind has in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub class_uid: u32,
    pub class_name: &'static str,
    pub category_uid: u32,
    pub category_name: &'static str,
    pub activity_id: u32,
    pub activity_name: &'static str,
    pub severity_id: u32,
}

impl Class {
    /// `class_uid` × 100 + `activity_id`, as OCSF defines it.
    pub fn type_uid(&self) -> u64 {
        u64::from(self.class_uid) * 100 + u64::from(self.activity_id)
    }
}

const FILE_ACTIVITY: (u32, &str) = (1001, "File System Activity");
const ENTITY_MANAGEMENT: (u32, &str) = (3004, "Entity Management");
const DETECTION_FINDING: (u32, &str) = (2004, "Detection Finding");
const APPLICATION_LIFECYCLE: (u32, &str) = (6002, "Application Lifecycle");
const BASE_EVENT: (u32, &str) = (0, "Base Event");

const INFORMATIONAL: u32 = 1;
const LOW: u32 = 2;
const MEDIUM: u32 = 3;
const HIGH: u32 = 4;

/// The class, activity and severity of a record of `kind` (docs/export.md
/// has the same table, with the reasons).
pub fn class_of(kind: &str) -> Class {
    let ((class_uid, class_name), activity_id, activity_name, severity_id) = match kind {
        kinds::FS_CREATE => (FILE_ACTIVITY, 1, "Create", INFORMATIONAL),
        kinds::FS_MODIFY => (FILE_ACTIVITY, 3, "Update", INFORMATIONAL),
        kinds::FS_DELETE => (FILE_ACTIVITY, 4, "Delete", INFORMATIONAL),
        kinds::FS_RENAME => (FILE_ACTIVITY, 5, "Rename", INFORMATIONAL),
        kinds::FS_OPERATION => (FILE_ACTIVITY, 99, "Git Operation", INFORMATIONAL),
        kinds::FS_RESCAN => (FILE_ACTIVITY, 99, "Rescan", INFORMATIONAL),
        kinds::CHANGELOG_CREATED => (FILE_ACTIVITY, 1, "Create", INFORMATIONAL),
        kinds::COMMIT => (ENTITY_MANAGEMENT, 1, "Create", INFORMATIONAL),
        // Made without trail's checks (--no-verify, a rebase): worth a look.
        kinds::COMMIT_UNVERIFIED => (ENTITY_MANAGEMENT, 1, "Create", LOW),
        // Refused: status Failure; someone tried what the policy forbids.
        kinds::COMMIT_BLOCKED => (ENTITY_MANAGEMENT, 1, "Create", MEDIUM),
        kinds::REF_UPDATE => (ENTITY_MANAGEMENT, 3, "Update", INFORMATIONAL),
        kinds::HISTORY_REWRITE => (ENTITY_MANAGEMENT, 3, "Update", LOW),
        kinds::AUTH_USED => (ENTITY_MANAGEMENT, 99, "Use", INFORMATIONAL),
        // Trust on first use: who may authorize is decided here.
        kinds::POLICY_BOOTSTRAP => (ENTITY_MANAGEMENT, 1, "Create", MEDIUM),
        // A second store where one existed: the journal may have been replaced.
        kinds::STORE_CREATED => (ENTITY_MANAGEMENT, 1, "Create", MEDIUM),
        kinds::POLICY_VIOLATION => (DETECTION_FINDING, 1, "Create", HIGH),
        kinds::WATCH_START => (APPLICATION_LIFECYCLE, 3, "Start", INFORMATIONAL),
        kinds::WATCH_STOP => (APPLICATION_LIFECYCLE, 4, "Stop", INFORMATIONAL),
        // `checkpoint` is reserved (never written) and kinds are an open set:
        // what this build does not know is a base event.
        _ => (BASE_EVENT, 99, "Other", INFORMATIONAL),
    };
    Class {
        class_uid,
        class_name,
        category_uid: class_uid / 1000,
        category_name: category_name(class_uid / 1000),
        activity_id,
        activity_name,
        severity_id,
    }
}

fn category_name(uid: u32) -> &'static str {
    match uid {
        1 => "System Activity",
        2 => "Findings",
        3 => "Identity & Access Management",
        6 => "Application Activity",
        _ => "Uncategorized",
    }
}

fn severity_name(id: u32) -> &'static str {
    match id {
        1 => "Informational",
        2 => "Low",
        3 => "Medium",
        4 => "High",
        _ => "Unknown",
    }
}

/// The OCSF event of `record`.
pub fn event(record: &Record) -> Value {
    let class = class_of(&record.kind);
    let mut event = Map::new();
    let mut put = |key: &str, value: Value| {
        event.insert(key.to_owned(), value);
    };
    put("class_uid", json!(class.class_uid));
    put("class_name", json!(class.class_name));
    put("category_uid", json!(class.category_uid));
    put("category_name", json!(class.category_name));
    put("activity_id", json!(class.activity_id));
    put("activity_name", json!(class.activity_name));
    put("type_uid", json!(class.type_uid()));
    put("type_name", json!(format!("{}: {}", class.class_name, class.activity_name)));
    put("severity_id", json!(class.severity_id));
    put("severity", json!(severity_name(class.severity_id)));
    put("time", json!(record.time.0.timestamp_millis()));
    put("message", json!(crate::message(record)));
    put("metadata", metadata(record));
    put("actor", actor(record));
    if let Some(device) = device(record, class.category_uid == 1) {
        put("device", device);
    }
    match record.kind.as_str() {
        kinds::COMMIT_BLOCKED => {
            put("status_id", json!(2));
            put("status", json!("Failure"));
            if let Some(reason) = detail_str(record, "reason") {
                put("status_detail", json!(reason));
            }
        }
        // A finding's status is the finding's state (New, Resolved...), not an outcome.
        _ if class.category_uid == 2 => {}
        _ => {
            put("status_id", json!(1));
            put("status", json!("Success"));
        }
    }
    match class.class_uid {
        1001 => file_activity(record, &mut put),
        3004 => entity_management(record, &mut put),
        2004 => put("finding_info", finding_info(record)),
        6002 => put(
            "app",
            json!({"name": "trail watcher", "vendor_name": "trail", "version": crate::PRODUCT_VERSION}),
        ),
        _ => {}
    }
    put("unmapped", json!({ "trail": crate::record_value(record) }));
    Value::Object(event)
}

fn metadata(record: &Record) -> Value {
    json!({
        "version": crate::OCSF_VERSION,
        "product": {
            "name": "trail",
            "vendor_name": "trail",
            "version": crate::PRODUCT_VERSION,
        },
        "uid": record.hash,
        "sequence": record.seq,
        "event_code": record.kind,
        "log_name": "journal",
        "log_provider": format!("trail {}", source_name(record)),
        "original_time": record.time.to_rfc3339(),
    })
}

fn source_name(record: &Record) -> String {
    serde_json::to_value(record.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Who: the person (git identity, local account) and the part of trail that
/// wrote the record (`app_name`, so an actor is never empty).
fn actor(record: &Record) -> Value {
    let mut actor = json!({ "app_name": format!("trail {}", source_name(record)) });
    if let Some(user) = user(record) {
        actor["user"] = user;
    }
    actor
}

/// OCSF's user: `name` the account name (the local account when known,
/// else the git name), `full_name` the git name, `email_addr` the git email.
fn user(record: &Record) -> Option<Value> {
    let a = record.actor.as_ref()?;
    let name = [&a.user, &a.name, &a.email].into_iter().find(|s| !s.is_empty())?;
    let mut user = json!({ "name": name, "type_id": 1, "type": "User" });
    if !a.name.is_empty() {
        user["full_name"] = json!(a.name);
    }
    if !a.email.is_empty() {
        user["email_addr"] = json!(a.email);
    }
    Some(user)
}

/// The machine, when the record names it; System Activity classes require
/// one, so they get a device of unknown name when it does not.
fn device(record: &Record, required: bool) -> Option<Value> {
    let host = record.actor.as_ref().map(|a| a.host.as_str()).filter(|h| !h.is_empty());
    match host {
        Some(host) => Some(json!({ "hostname": host, "type_id": 0, "type": "Unknown" })),
        None if required => Some(json!({ "name": "unknown", "type_id": 0, "type": "Unknown" })),
        None => None,
    }
}

fn file(view: &FileView, entry: &trail_journal::PathChange) -> Value {
    let (type_id, type_name) = match view.kind {
        FileKind::Regular => (1, "Regular File"),
        FileKind::Directory => (2, "Folder"),
        FileKind::Symlink => (7, "Symbolic Link"),
        FileKind::Submodule => (99, "Git Submodule"),
        FileKind::Unknown => (0, "Unknown"),
    };
    let mut file = json!({
        "name": view.name,
        "path": view.path,
        "type_id": type_id,
        "type": type_name,
    });
    if !view.directory.is_empty() {
        file["parent_folder"] = json!(view.directory);
    }
    if let Some(size) = entry.size {
        file["size"] = json!(size);
    }
    if let Some(sha256) = &entry.sha256 {
        file["hashes"] = json!([{ "algorithm_id": 3, "algorithm": "SHA-256", "value": sha256 }]);
    }
    file
}

/// File System Activity: `file` is the record's first path (for a rename,
/// its source, and `file_result` where it went); a record of several paths
/// lists them all in `unmapped.trail.paths`. A record without a path (a
/// rescan that found nothing) names the repository's top folder.
fn file_activity(record: &Record, put: &mut impl FnMut(&str, Value)) {
    let Some(entry) = record.paths.first() else {
        put("file", json!({ "name": ".", "path": ".", "type_id": 2, "type": "Folder" }));
        return;
    };
    let destination = paths::destination(entry);
    match (paths::source(entry), &destination) {
        (Some(from), Some(to)) if record.kind == kinds::FS_RENAME => {
            put("file", file(&from, entry));
            put("file_result", file(to, entry));
        }
        (_, Some(to)) => put("file", file(to, entry)),
        (_, None) => put("file", json!({ "name": "?", "type_id": 0, "type": "Unknown" })),
    }
}

/// Entity Management: the git object or trail fact the record is about.
fn entity_management(record: &Record, put: &mut impl FnMut(&str, Value)) {
    let git_ref = record.git_ref.clone().unwrap_or_else(|| "HEAD".to_owned());
    let detail = |keys: &[&str]| -> Value {
        let mut data = Map::new();
        for key in keys {
            if let Some(v) = record.detail.as_ref().and_then(|d| d.get(*key)) {
                data.insert((*key).to_owned(), v.clone());
            }
        }
        Value::Object(data)
    };
    let entity = match record.kind.as_str() {
        kinds::COMMIT | kinds::COMMIT_UNVERIFIED => {
            let mut e = json!({ "type": "Git Commit" });
            if let Some(commit) = &record.commit {
                e["uid"] = json!(commit);
            }
            e["name"] = json!(record.subject().or(record.commit.as_deref()).unwrap_or("commit"));
            e
        }
        kinds::COMMIT_BLOCKED => json!({ "type": "Git Commit", "name": "refused commit" }),
        kinds::REF_UPDATE => json!({
            "type": "Git Ref",
            "name": git_ref,
            "data": detail(&["from", "to", "operation"]),
        }),
        kinds::HISTORY_REWRITE => json!({
            "type": "Git History",
            "name": git_ref,
            "data": detail(&["operation", "rewritten"]),
        }),
        kinds::AUTH_USED => {
            let token = record.authorization.as_ref();
            json!({
                "type": "Authorization Token",
                "name": token.map_or("?", |t| t.token_id.as_str()),
                "uid": token.map_or("?", |t| t.token_id.as_str()),
                "data": { "issuer": token.map(|t| t.issuer.as_str()), "commit": record.commit },
            })
        }
        kinds::POLICY_BOOTSTRAP => json!({
            "type": "Authorizers",
            "name": "trail.toml authorizers",
            "data": detail(&["authorizers"]),
        }),
        kinds::STORE_CREATED => json!({
            "type": "Journal Store",
            "name": "trail journal",
            "data": detail(&["previous", "seen"]),
        }),
        other => json!({ "type": "Trail Record", "name": other }),
    };
    put("entity", entity);
    if let Some(why) = &record.why {
        put("comment", json!(why));
    }
}

/// Detection Finding of a `policy.violation`: the finding is this record.
fn finding_info(record: &Record) -> Value {
    let mut info = json!({
        "uid": record.hash,
        "title": "Protected paths changed without authorization",
        "created_time": record.time.0.timestamp_millis(),
    });
    if let Some(reason) = detail_str(record, "reason") {
        info["desc"] = json!(reason);
    }
    if let Some(check) = detail_str(record, "check") {
        info["types"] = json!([check]);
    }
    info
}

fn detail_str<'a>(record: &'a Record, key: &str) -> Option<&'a str> {
    record.detail.as_ref()?.get(key)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_records::record;
    use trail_journal::kinds::ALL;

    #[test]
    fn every_kind_has_a_class_and_type_uid_is_class_times_100_plus_activity() {
        for kind in ALL.iter().chain(&["fs.future", "x"]) {
            let class = class_of(kind);
            assert_eq!(
                class.type_uid(),
                u64::from(class.class_uid) * 100 + u64::from(class.activity_id)
            );
            assert_eq!(class.category_uid, class.class_uid / 1000, "{kind}");
            let event = event(&record(kind, json!({})));
            assert_eq!(event["type_uid"], json!(class.type_uid()), "{kind}");
            assert_eq!(event["class_uid"], json!(class.class_uid), "{kind}");
        }
        assert_eq!(class_of("fs.modify").class_uid, 1001);
        assert_eq!(class_of("commit").class_uid, 3004);
        assert_eq!(class_of("policy.violation").class_uid, 2004);
        assert_eq!(class_of("watch.stop").type_uid(), 600204);
        assert_eq!(class_of("checkpoint").class_uid, 0);
    }

    #[test]
    fn captions_agree_with_their_ids() {
        for kind in ALL {
            let e = event(&record(kind, json!({})));
            let name = format!(
                "{}: {}",
                e["class_name"].as_str().expect("class"),
                e["activity_name"].as_str().expect("activity")
            );
            assert_eq!(e["type_name"], json!(name), "{kind}");
            let severity = ["Unknown", "Informational", "Low", "Medium", "High"];
            let id = e["severity_id"].as_u64().expect("severity_id") as usize;
            assert_eq!(e["severity"], json!(severity[id]), "{kind}");
            let status = e.get("status_id").and_then(|s| s.as_u64());
            let caption = e.get("status").and_then(|s| s.as_str());
            assert!(
                matches!(
                    (status, caption),
                    (None, None) | (Some(1), Some("Success")) | (Some(2), Some("Failure"))
                ),
                "{kind}"
            );
            let category =
                ["Uncategorized", "System Activity", "Findings", "Identity & Access Management"];
            let uid = e["category_uid"].as_u64().expect("category") as usize;
            let want = if uid == 6 { "Application Activity" } else { category[uid] };
            assert_eq!(e["category_name"], json!(want), "{kind}");
        }
    }

    #[test]
    fn the_base_attributes_come_from_the_record() {
        let r = record(
            "commit",
            json!({
                "actor": {"name": "Ada L", "email": "ada@example.org", "user": "ada", "host": "box"},
                "commit": "c".repeat(40),
                "why": "because",
                "detail": {"subject": "Add a"},
            }),
        );
        let e = event(&r);
        assert_eq!(e["time"], json!(1_795_732_811_123_i64));
        assert_eq!(e["metadata"]["uid"], json!("ab".repeat(32)));
        assert_eq!(e["metadata"]["sequence"], json!(7));
        assert_eq!(e["metadata"]["version"], json!("1.8.0"));
        assert_eq!(e["metadata"]["product"]["name"], json!("trail"));
        assert_eq!(e["actor"]["user"]["name"], json!("ada"));
        assert_eq!(e["actor"]["user"]["full_name"], json!("Ada L"));
        assert_eq!(e["actor"]["user"]["email_addr"], json!("ada@example.org"));
        assert_eq!(e["actor"]["app_name"], json!("trail hook"));
        assert_eq!(e["device"]["hostname"], json!("box"));
        assert_eq!(e["entity"]["uid"], json!("c".repeat(40)));
        assert_eq!(e["entity"]["name"], json!("Add a"));
        assert_eq!(e["comment"], json!("because"));
        assert_eq!(e["status_id"], json!(1));
        assert_eq!(e["unmapped"]["trail"]["why"], json!("because"));
    }

    #[test]
    fn a_rename_names_source_and_result_and_a_non_utf8_path_stays_lossless() {
        let r = record(
            "fs.rename",
            json!({"paths": [{"path_b64": "ZGF0YS9ub3QtdXRmOC3/LmJpbg==", "from": "data/a.bin", "status": "R", "mode": "100644", "size": 3}]}),
        );
        let e = event(&r);
        assert_eq!(e["activity_id"], json!(5));
        assert_eq!(e["file"]["path"], json!("data/a.bin"));
        assert_eq!(e["file_result"]["path"], json!("data/not-utf8-\u{fffd}.bin"));
        assert_eq!(e["file_result"]["type_id"], json!(1));
        assert_eq!(e["file_result"]["size"], json!(3));
        assert_eq!(
            e["unmapped"]["trail"]["paths"][0]["path_b64"],
            json!("ZGF0YS9ub3QtdXRmOC3/LmJpbg==")
        );
        // System Activity requires a device: one of unknown name without a host.
        assert_eq!(e["device"]["name"], json!("unknown"));
    }

    #[test]
    fn a_blocked_commit_fails_with_its_reason() {
        let e = event(&record("commit.blocked", json!({"detail": {"reason": "no rationale"}})));
        assert_eq!(e["status_id"], json!(2));
        assert_eq!(e["status_detail"], json!("no rationale"));
        assert_eq!(e["severity_id"], json!(3));
    }

    #[test]
    fn a_violation_is_a_finding_and_watch_records_are_lifecycle() {
        let e = event(&record(
            "policy.violation",
            json!({"detail": {"check": "protected", "reason": "no token"}}),
        ));
        assert_eq!(e["finding_info"]["uid"], json!("ab".repeat(32)));
        assert_eq!(e["finding_info"]["desc"], json!("no token"));
        assert!(e.get("status_id").is_none());
        let e = event(&record("watch.start", json!({})));
        assert_eq!(e["app"]["name"], json!("trail watcher"));
        assert!(e.get("device").is_none());
    }
}
