//! Properties of the journal (STYLE.md "Property tests where there is an
//! invariant"): the canonical encoding round-trips and matches an independent
//! encoder, a sealed record checks, and any damage to a stored journal makes
//! `verify` fail naming the right seq.

use chrono::DateTime;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};
use trail_journal::chain;
use trail_journal::{
    Actor, Authorization, Draft, GENESIS_PREV, LogStore, PathChange, Record, SledStore, Source,
    Status, Timestamp, kinds,
};

// ------------------------------------------------------------------ strategies

/// Any char, with the ones the encoding treats specially made frequent: control
/// characters, `"`, `\`, DEL, line separators, and characters outside the BMP.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => (0u8..0x20).prop_map(char::from),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{fb01}', '\u{fffd}', '😀', 'é']),
        2 => proptest::char::range('a', 'z'),
    ]
}

fn any_string() -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..12).prop_map(String::from_iter)
}

/// Any JSON value a record may hold: everything but floating-point numbers.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        any_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any_string(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn any_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((any_string(), any_value()), 0..5)
        .prop_map(|members| members.into_iter().collect())
}

fn any_timestamp() -> impl Strategy<Value = Timestamp> {
    // 1900 to 2200: inside the range the time index can key exactly.
    (-2_208_988_800_000_000_000i64..7_258_118_400_000_000_000)
        .prop_map(|ns| Timestamp(DateTime::from_timestamp_nanos(ns)))
}

fn any_source() -> impl Strategy<Value = Source> {
    prop::sample::select(vec![
        Source::Hook,
        Source::Watcher,
        Source::Import,
        Source::Cli,
        Source::Service,
    ])
}

fn any_status() -> impl Strategy<Value = Status> {
    prop::sample::select(vec![Status::A, Status::M, Status::D, Status::R, Status::T])
}

fn any_kind() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            kinds::COMMIT, kinds::COMMIT_BLOCKED, kinds::COMMIT_UNVERIFIED,
            kinds::POLICY_VIOLATION, kinds::AUTH_USED, kinds::REF_UPDATE,
            kinds::HISTORY_REWRITE, kinds::CHANGELOG_CREATED, kinds::FS_CREATE,
            kinds::FS_MODIFY, kinds::FS_DELETE, kinds::FS_RENAME, kinds::FS_RESCAN,
            kinds::WATCH_START, kinds::WATCH_STOP, kinds::CHECKPOINT,
        ]).prop_map(str::to_owned),
        1 => "[a-z]{1,8}(\\.[a-z]{1,8})?",
    ]
}

/// Path bytes: mostly text, sometimes not UTF-8 at all (then stored as `path_b64`).
fn any_path_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any_string().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..16),
    ]
}

fn any_path_change() -> impl Strategy<Value = PathChange> {
    (
        any_path_bytes(),
        any_status(),
        proptest::option::of(any_path_bytes()),
        proptest::option::of("[0-9a-f]{40}"),
        proptest::option::of("[0-9a-f]{64}"),
        proptest::option::of(any::<u64>()),
        proptest::option::of("[0-7]{6}"),
    )
        .prop_map(|(path, status, from, blob, sha256, size, mode)| {
            let mut change = PathChange::new(&path, status);
            if let Some(from) = from {
                change = change.with_from(&from);
            }
            change.blob = blob;
            change.sha256 = sha256;
            change.size = size;
            change.mode = mode;
            change
        })
}

fn any_actor() -> impl Strategy<Value = Actor> {
    (any_string(), any_string(), any_string(), any_string())
        .prop_map(|(name, email, user, host)| Actor { name, email, user, host })
}

fn any_draft() -> impl Strategy<Value = Draft> {
    let head = (
        any_kind(),
        any_source(),
        any_timestamp(),
        proptest::option::of(any_actor()),
        proptest::option::of(any_string()),
        proptest::option::of("[0-9a-f]{40}"),
        prop::collection::vec("[0-9a-f]{40}", 0..3),
    );
    let tail = (
        proptest::option::of(any_string()),
        prop::collection::vec(any_path_change(), 0..4),
        proptest::option::of(any_string()),
        proptest::option::of(any_string()),
        proptest::option::of((any_string(), any_string())),
        proptest::option::of(any_object()),
    );
    (head, tail).prop_map(
        |(
            (kind, source, time, actor, git_ref, commit, parents),
            (change_id, paths, why, impact, authorization, detail),
        )| {
            let mut draft = Draft::new(&kind, source, time);
            draft.actor = actor;
            draft.git_ref = git_ref;
            draft.commit = commit;
            draft.parents = parents;
            draft.change_id = change_id;
            draft.paths = paths;
            draft.why = why;
            draft.impact = impact;
            draft.authorization =
                authorization.map(|(token_id, issuer)| Authorization { token_id, issuer });
            draft.detail = detail;
            draft
        },
    )
}

// ------------------------------------------------------------------ an independent encoder

/// RFC 8785 as store/FORMAT.md §3 states it, written char by char and sorting
/// names by UTF-16 code units, to compare the crate's byte-level encoder against.
fn oracle(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => oracle_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                oracle(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut names: Vec<&String> = map.keys().collect();
            names.sort_by_key(|name| name.encode_utf16().collect::<Vec<u16>>());
            out.push('{');
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                oracle_string(name, out);
                out.push(':');
                oracle(&map[name], out);
            }
            out.push('}');
        }
    }
}

fn oracle_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// FORMAT.md §4: SHA-256 of the canonical bytes of the record without `hash`.
fn hash_of(value: &Value) -> (String, String) {
    let Value::Object(map) = value else { panic!("a record is an object") };
    let mut map = map.clone();
    let Some(Value::String(stored)) = map.remove("hash") else { panic!("hash is a string") };
    let mut text = String::new();
    oracle(&Value::Object(map), &mut text);
    (stored, hex::encode(Sha256::digest(text.as_bytes())))
}

fn new_store() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, existed) = SledStore::create(&dir.path().join("journal")).expect("create");
    assert!(!existed);
    (dir, store)
}

// ------------------------------------------------------------------ properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_encoding_round_trips(value in any_value()) {
        let bytes = trail_journal::canonical::to_vec(&value).expect("no floats");
        let parsed: Value = serde_json::from_slice(&bytes).expect("canonical bytes are JSON");
        prop_assert_eq!(&parsed, &value);
        let again = trail_journal::canonical::to_vec(&parsed).expect("no floats");
        prop_assert_eq!(&again, &bytes);
    }

    #[test]
    fn canonical_encoding_matches_the_specification(value in any_value()) {
        let bytes = trail_journal::canonical::to_vec(&value).expect("no floats");
        let mut expected = String::new();
        oracle(&value, &mut expected);
        prop_assert_eq!(String::from_utf8(bytes).expect("UTF-8"), expected);
    }

    #[test]
    fn floats_have_no_canonical_encoding(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        let value = Value::Array(vec![Value::Number(Number::from_f64(x).expect("finite"))]);
        prop_assert!(trail_journal::canonical::to_vec(&value).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn an_appended_draft_is_sealed_canonically(draft in any_draft()) {
        let (_dir, store) = new_store();
        let appended = store.append(vec![draft.clone()]).expect("append");
        prop_assert_eq!(appended.len(), 1);
        let bytes = store.get_raw(1).expect("read").expect("present");

        let checked = chain::check(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(checked.seq, 1);
        prop_assert_eq!(checked.prev.as_str(), GENESIS_PREV);
        prop_assert_eq!(&checked.hash, &appended[0].hash);

        let value: Value = serde_json::from_slice(&bytes).expect("JSON");
        let mut text = String::new();
        oracle(&value, &mut text);
        prop_assert_eq!(text.as_bytes(), bytes.as_slice(), "stored bytes are canonical");
        let (stored, computed) = hash_of(&value);
        prop_assert_eq!(stored, computed);

        // The record says what the draft said, with empty fields left out.
        let record: Record = serde_json::from_value(value).expect("a v1 record");
        prop_assert_eq!(&record.kind, &draft.kind);
        prop_assert_eq!(record.time, draft.time);
        prop_assert_eq!(record.source, draft.source);
        // Empty members are omitted inside path entries too (FORMAT §2.1).
        let keep = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let expected: Vec<_> = draft
            .paths
            .iter()
            .map(|p| trail_journal::PathChange {
                blob: keep(&p.blob),
                from: keep(&p.from),
                from_b64: keep(&p.from_b64),
                mode: keep(&p.mode),
                sha256: keep(&p.sha256),
                ..p.clone()
            })
            .collect();
        prop_assert_eq!(&record.paths, &expected);
        for (change, original) in record.paths.iter().zip(&expected) {
            prop_assert_eq!(change.path_bytes(), original.path_bytes());
            prop_assert_eq!(change.from_bytes(), original.from_bytes());
        }
        let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        prop_assert_eq!(record.why, non_empty(&draft.why));
        prop_assert_eq!(record.detail, draft.detail.filter(|d| !d.is_empty()));
    }

    #[test]
    fn damage_is_found_at_the_right_seq(
        drafts in prop::collection::vec(any_draft(), 2..20),
        batch in 1usize..6,
        damage in any_damage(),
    ) {
        let (_dir, store) = new_store();
        let n = drafts.len() as u64;
        for chunk in drafts.chunks(batch) {
            store.append(chunk.to_vec()).expect("append");
        }
        let before = trail_journal::verify(&store).expect("readable");
        prop_assert!(before.ok(), "{:?}", before.findings);

        let records = store.tree("records").expect("the records tree");
        let key = |seq: u64| seq.to_be_bytes();
        let value = |seq: u64| records.get(key(seq)).expect("read").expect("present");
        let expected = match damage {
            Damage::Byte { record, at, xor } => {
                let seq = record.index(n as usize) as u64 + 1;
                let mut bytes = value(seq).to_vec();
                let at = at.index(bytes.len());
                bytes[at] ^= xor;
                records.insert(key(seq), bytes).expect("write");
                seq
            }
            Damage::Delete { record } => {
                let seq = record.index(n as usize) as u64 + 1;
                records.remove(key(seq)).expect("write");
                seq
            }
            Damage::Swap { a, b } => {
                let a = a.index(n as usize) as u64 + 1;
                let mut b = b.index(n as usize - 1) as u64 + 1;
                if b >= a {
                    b += 1; // any record but `a`
                }
                let (va, vb) = (value(a), value(b));
                records.insert(key(a), vb).expect("write");
                records.insert(key(b), va).expect("write");
                a.min(b)
            }
            Damage::Truncate { count } => {
                let count = count.index(n as usize) as u64 + 1; // 1..=n
                for seq in n - count + 1..=n {
                    records.remove(key(seq)).expect("write");
                }
                n - count + 1
            }
            Damage::Forge { like } => {
                // A well-formed record n+1, correctly chained to n, written behind
                // the store's back: only meta's head tells it was never appended.
                let mut forged: Record = serde_json::from_slice(&value(like.index(n as usize) as u64 + 1))
                    .expect("a v1 record");
                forged.seq = n + 1;
                forged.prev = store.head().expect("head").hash;
                let bytes = chain::seal(&mut forged).expect("integers only");
                records.insert(key(n + 1), bytes).expect("write");
                n + 1
            }
        };

        let report = trail_journal::verify(&store).expect("readable");
        prop_assert!(!report.ok(), "{:?} went unnoticed", damage);
        prop_assert_eq!(
            report.first_bad_seq(),
            Some(expected),
            "{:?} of {} records: {:?}",
            damage,
            n,
            report.findings
        );
    }
}

#[derive(Debug, Clone)]
enum Damage {
    /// XOR one byte of a record's stored value with a non-zero mask.
    Byte {
        record: Index,
        at: Index,
        xor: u8,
    },
    Delete {
        record: Index,
    },
    /// Exchange the values of two different records.
    Swap {
        a: Index,
        b: Index,
    },
    /// Remove the last `count` records (1 to all of them).
    Truncate {
        count: Index,
    },
    /// Add a correctly chained record after the last one, leaving `meta` alone.
    Forge {
        like: Index,
    },
}

fn any_damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        2 => (any::<Index>(), any::<Index>(), 1u8..=255)
            .prop_map(|(record, at, xor)| Damage::Byte { record, at, xor }),
        1 => any::<Index>().prop_map(|record| Damage::Delete { record }),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Damage::Swap { a, b }),
        1 => any::<Index>().prop_map(|count| Damage::Truncate { count }),
        1 => any::<Index>().prop_map(|like| Damage::Forge { like }),
    ]
}

/// verify named seq n (a good record) instead of n+1 when a chained record sat
/// beyond meta's head; found by the `Forge` case above.
#[test]
fn regression_record_beyond_the_head_is_the_first_bad_seq() {
    let (_dir, store) = new_store();
    let time = Timestamp(DateTime::from_timestamp_nanos(1_795_732_811_000_000_000));
    let drafts = (0..3).map(|_| Draft::new(kinds::FS_MODIFY, Source::Watcher, time)).collect();
    store.append(drafts).expect("append");

    let records = store.tree("records").expect("the records tree");
    let mut forged: Record =
        serde_json::from_slice(&store.get_raw(3).expect("read").expect("present")).expect("v1");
    forged.seq = 4;
    forged.prev = store.head().expect("head").hash;
    let bytes = chain::seal(&mut forged).expect("integers only");
    records.insert(4u64.to_be_bytes(), bytes).expect("write");

    let report = trail_journal::verify(&store).expect("readable");
    assert_eq!(report.first_bad_seq(), Some(4), "{:?}", report.findings);
}
