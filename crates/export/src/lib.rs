//! trail-export: journal records as security tooling reads them.
//!
//! Maps each record of the journal (store/FORMAT.md) onto one event of the
//! Open Cybersecurity Schema Framework ([`ocsf`], OCSF 1.8.0) or one document
//! of the Elastic Common Schema ([`ecs`], ECS 9.4.0): one JSON object per
//! record, for `trail export --format ocsf|ecs` and `trail log --format`.
//! docs/export.md documents the mapping kind by kind; the schemas the tests
//! check the output against are in tests/fixtures/schemas/.
//!
//! Both formats carry the record itself, unchanged, under trail's own name
//! (`unmapped.trail` in OCSF, `trail` in ECS): the standard fields are a
//! lossy view (a path that is not UTF-8 becomes a string with U+FFFD in
//! `file.path`), the record beside them keeps every byte (`path_b64`).
//!
//! It owns the mapping only. Reading the journal, following it and writing
//! lines are the CLI's; this crate does not talk to the user, read the
//! environment or open a store.

mod describe;
pub mod ecs;
pub mod ocsf;
mod paths;

use trail_journal::Record;

pub use describe::message;

/// The OCSF version the events follow (`metadata.version`).
pub const OCSF_VERSION: &str = "1.8.0";

/// The ECS version the documents follow (`ecs.version`).
pub const ECS_VERSION: &str = "9.4.0";

/// trail's version, as the events name their producer.
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A format a record can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OCSF 1.8.0 events ([`ocsf::event`]).
    Ocsf,
    /// Elastic Common Schema 9.4.0 documents ([`ecs::document`]).
    Ecs,
}

/// A stored record that the mapping cannot read.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("record {seq} cannot be read as a format v1 record")]
    Unreadable {
        seq: u64,
        #[source]
        source: serde_json::Error,
    },
}

/// The event of `record` in `format`.
pub fn event(format: Format, record: &Record) -> serde_json::Value {
    match format {
        Format::Ocsf => ocsf::event(record),
        Format::Ecs => ecs::document(record),
    }
}

/// The event of the stored record `bytes` (record `seq`, for the error).
pub fn event_from_bytes(
    format: Format,
    seq: u64,
    bytes: &[u8],
) -> Result<serde_json::Value, ExportError> {
    let record: Record =
        serde_json::from_slice(bytes).map_err(|source| ExportError::Unreadable { seq, source })?;
    Ok(event(format, &record))
}

/// The record as it is stored (every member, `path_b64` included): what
/// both formats carry under trail's own name.
fn record_value(record: &Record) -> serde_json::Value {
    // A `Record` is plain data (strings, integers, maps of JSON values):
    // serializing it cannot fail.
    serde_json::to_value(record).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
pub(crate) mod test_records {
    use serde_json::json;
    use trail_journal::Record;

    /// A record of `kind` from JSON members over a valid minimum.
    pub fn record(kind: &str, members: serde_json::Value) -> Record {
        let mut value = json!({
            "v": 1,
            "seq": 7,
            "time": "2026-11-26T22:40:11.123456789Z",
            "kind": kind,
            "source": "hook",
            "prev": "0".repeat(64),
            "hash": "ab".repeat(32),
        });
        if let (Some(base), Some(extra)) = (value.as_object_mut(), members.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        serde_json::from_value(value).expect("a valid record")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_that_is_not_format_v1_is_an_error_naming_its_seq() {
        let err = event_from_bytes(Format::Ecs, 12, br#"{"seq":12}"#).expect_err("refused");
        assert!(err.to_string().contains("record 12"), "{err}");
    }

    #[test]
    fn stored_bytes_map_like_the_record() {
        let record = test_records::record("commit", serde_json::json!({"commit": "c".repeat(40)}));
        let bytes = serde_json::to_vec(&record).expect("bytes");
        for format in [Format::Ocsf, Format::Ecs] {
            let from_bytes = event_from_bytes(format, 7, &bytes).expect("mapped");
            assert_eq!(from_bytes, event(format, &record));
        }
    }
}
