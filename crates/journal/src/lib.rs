//! trail-journal: the journal itself.
//!
//! Owns the record model (format v1), its canonical encoding (RFC 8785), the
//! SHA-256 hash chain, the [`LogStore`] trait with its sled backend and indexes,
//! queries and verification. store/FORMAT.md is the normative description of
//! what this crate writes.
//!
//! It must not talk to the user, read the environment or know about git: callers
//! hand it [`Draft`]s and get typed results back.

pub mod canonical;
pub mod chain;
pub mod index;
pub mod query;
pub mod record;
pub mod scan;
pub mod store;
pub mod timeparse;
pub mod verify;

pub use query::{Query, ResolveError, Resolved};
pub use record::{
    Actor, Authorization, Draft, FORMAT_VERSION, GENESIS_PREV, PathChange, Record, Source, Status,
    Timestamp, kinds,
};
pub use store::{
    AppendError, Appended, Head, LogStore, OpenError, ReadError, RestoreError, SledStore,
};
pub use verify::{Finding, Problem, Report, verify};
