//! Every kind of record, mapped, against the published schemas vendored in
//! tests/fixtures/schemas/ (OCSF 1.8.0 classes, ECS 9.4.0 fields; their
//! README says where they come from). The end-to-end check of what the
//! binary writes is tests/export_siem.rs.

use std::path::PathBuf;

use serde_json::{Value, json};
use trail_export::{Format, event};
use trail_journal::{Record, kinds};

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schemas")
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(schemas().join(path)).expect("a vendored schema");
    serde_json::from_str(&text).expect("schema JSON")
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the vendored schema compiles")
}

fn ocsf_schema_file(class_uid: u64) -> &'static str {
    match class_uid {
        0 => "ocsf-1.8.0/base_event.json",
        1001 => "ocsf-1.8.0/file_activity.json",
        2004 => "ocsf-1.8.0/detection_finding.json",
        3004 => "ocsf-1.8.0/entity_management.json",
        6002 => "ocsf-1.8.0/application_lifecycle.json",
        other => panic!("no vendored schema for class {other}"),
    }
}

fn record(kind: &str, members: Value) -> Record {
    let mut value = json!({
        "v": 1, "seq": 3, "time": "2026-11-26T22:40:11.000000000Z", "kind": kind,
        "source": "hook", "prev": "0".repeat(64), "hash": "cd".repeat(32),
    });
    for (k, v) in members.as_object().expect("members") {
        value[k] = v.clone();
    }
    serde_json::from_value(value).expect("a valid record")
}

/// Records of every kind v1 defines, as their producers write them, plus the
/// edges: no actor, no paths, a path that is not UTF-8, a kind from the future.
fn records() -> Vec<Record> {
    let commit = "c".repeat(40);
    let actor = json!({"name": "Ada L", "email": "ada@example.org", "user": "ada", "host": "box"});
    let path = json!([{"path": "src/a.rs", "status": "M", "mode": "100644", "size": 3, "sha256": "e".repeat(64), "blob": "b".repeat(40)}]);
    let mut out = Vec::new();
    for kind in kinds::ALL {
        out.push(record(
            kind,
            json!({"actor": actor, "commit": commit, "paths": path, "why": "w", "detail": {"subject": "s", "reason": "r", "operation": "rebase", "from": commit, "to": commit}}),
        ));
        out.push(record(kind, json!({})));
    }
    out.push(record(
        kinds::FS_RENAME,
        json!({"source": "watcher", "paths": [{"path_b64": "ZGF0YS9ub3QtdXRmOC3/LmJpbg==", "from_b64": "/w==", "status": "R", "mode": "120000"}]}),
    ));
    out.push(record(
        kinds::AUTH_USED,
        json!({"actor": {"email": "only@example.org"}, "commit": commit, "authorization": {"issuer": "k1", "token_id": "t1"}}),
    ));
    out.push(record(
        kinds::HISTORY_REWRITE,
        json!({"ref": "refs/heads/main", "detail": {"operation": "amend", "rewritten": [{"from": commit, "to": commit}]}}),
    ));
    out.push(record("deploy.future", json!({"actor": {"host": "box"}})));
    out
}

#[test]
fn every_kind_is_a_valid_event_of_its_ocsf_class() {
    for record in records() {
        let e = event(Format::Ocsf, &record);
        let class = e["class_uid"].as_u64().expect("class_uid");
        let schema = load(ocsf_schema_file(class));
        let errors: Vec<String> = validator(&schema)
            .iter_errors(&e)
            .map(|err| format!("{err} at {}", err.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{} as OCSF:\n{}\n{e:#}", record.kind, errors.join("\n"));
        assert_eq!(
            e["type_uid"].as_u64(),
            Some(class * 100 + e["activity_id"].as_u64().expect("activity_id"))
        );
    }
}

#[test]
fn every_kind_is_a_valid_ecs_document_with_expected_types() {
    let schema = load("ecs-9.4.0/ecs.json");
    let check = validator(&schema);
    let expected = load("ecs-9.4.0/expected_event_types.json");
    for record in records() {
        let d = event(Format::Ecs, &record);
        let errors: Vec<String> =
            check.iter_errors(&d).map(|err| format!("{err} at {}", err.instance_path())).collect();
        assert!(errors.is_empty(), "{} as ECS:\n{}\n{d:#}", record.kind, errors.join("\n"));
        for category in d["event"]["category"].as_array().expect("categories") {
            let allowed = expected[category.as_str().expect("a name")].as_array().expect("known");
            for t in d["event"]["type"].as_array().expect("types") {
                assert!(
                    allowed.contains(t),
                    "{}: type {t} is not one ECS expects for {category}",
                    record.kind
                );
            }
        }
    }
}

/// The schemas catch what they should: a test that cannot fail checks nothing.
#[test]
fn the_schemas_refuse_events_missing_what_they_require() {
    let r = record(kinds::FS_MODIFY, json!({"paths": [{"path": "a", "status": "M"}]}));
    let mut e = event(Format::Ocsf, &r);
    let schema = load("ocsf-1.8.0/file_activity.json");
    assert!(validator(&schema).is_valid(&e));
    e.as_object_mut().expect("object").remove("file");
    assert!(!validator(&schema).is_valid(&e), "file is required");
    let mut e = event(Format::Ocsf, &r);
    e["metadata"]["product"] = json!({"vendor_name": "trail"});
    assert!(!validator(&schema).is_valid(&e), "a product needs a name or uid");
    let mut e = event(Format::Ocsf, &r);
    e["type_uid"] = json!(300401);
    assert!(!validator(&schema).is_valid(&e), "type_uid belongs to the class");
    let mut e = event(Format::Ocsf, &r);
    e["file"]["path_b64"] = json!("YQ==");
    assert!(!validator(&schema).is_valid(&e), "OCSF objects take only their attributes");
    let mut e = event(Format::Ocsf, &r);
    e["unmapped"]["anything"] = json!({"at": ["all"]});
    assert!(validator(&schema).is_valid(&e), "unmapped takes anything");

    let ecs = load("ecs-9.4.0/ecs.json");
    let mut d = event(Format::Ecs, &r);
    assert!(validator(&ecs).is_valid(&d));
    d["event"]["kind"] = json!("happening");
    assert!(!validator(&ecs).is_valid(&d), "event.kind is a closed set");
    let mut d = event(Format::Ecs, &r);
    d.as_object_mut().expect("object").remove("ecs");
    assert!(!validator(&ecs).is_valid(&d), "ecs.version is required");
    let mut d = event(Format::Ecs, &r);
    d["file"]["path_bytes"] = json!("x");
    assert!(!validator(&ecs).is_valid(&d), "no made-up fields inside an ECS field set");
}
