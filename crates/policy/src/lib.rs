//! trail-policy: what in a repository is protected, and who may change it.
//!
//! Owns the `[protect]` table of `trail.toml` ([`Protect`]) with the
//! compiled-in default protected set of DESIGN.md §6 ([`DEFAULT_PROTECTED`]);
//! the decision whether a path is protected and why ([`protected`],
//! [`Reason`]): globs, MCP content signatures, scripts a protected config
//! launches, symlinks to protected paths, and `trail.toml` itself; authorizer
//! keys ([`keys`]); and authorization tokens: minting, parsing, verification
//! in the order of DESIGN.md §6, and the digest of a staged change ([`token`]).
//! docs/tokens.md specifies the token format normatively.
//!
//! It must not do terminal I/O, read the environment or touch git: callers
//! pass bytes, paths, the current time and the repository id in, and decide
//! what a [`Refusal`] means for the user. The only file it writes is a new
//! private key, through [`keys::write_private_key`], when asked to.
//!
//! What it leaves to the caller: reading the policy **at HEAD** (never the
//! staged `trail.toml`), feeding [`Launched`] the protected configs it knows
//! of, listing the protected paths of a change (both ends of a rename), and
//! the single-use check (the caller keeps the used token ids).

mod clients;
mod decide;
pub mod gate;
mod glob;
mod jsonc;
pub mod keys;
mod launch;
mod policy;
mod scan;
pub mod token;
mod yaml;

pub use decide::{
    ConfigTooLarge, MAX_CONFIG, launched_scripts_checked, protected_gitlink, protected_gitlink_with,
};
pub use decide::{
    Launched, MAX_PARSE, Reason, Signature, content_signature, launched_scripts, protected,
    protected_symlink, protected_with, protected_with_signature, symlink_target,
};
pub use gate::{
    Accepted, Change, Clock, Decision, Denial, Failed, Gate, History, ProtectedChange, Refused,
    Update, When, decide, digest,
};
pub use keys::{KeyError, KeyId, PrivateKey, PublicKey};
pub use launch::sourced_scripts;
pub use policy::{
    DEFAULT_PROTECTED, DEFAULT_RECEIVE_GRACE_SECS, POLICY_FILE, PolicyError, Protect,
};
pub use scan::{ContentScan, Scanned};
pub use token::{Check, Claims, Refusal, Token, TokenError, Verified, staged_digest, verify};
