//! Authorization tokens: `trail1.<base64url(payload)>.<base64url(signature)>`,
//! their minting, parsing and verification, and the digest of the staged
//! protected changes a token may bind. docs/tokens.md is the normative
//! description; a test keeps its example equal to what this module mints.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::decide::Reason;
use crate::glob;
use crate::keys::{KeyId, PrivateKey, PublicKey, is_lower_hex};
use crate::policy::Protect;

/// The text before the first dot of every token (format version 1).
pub const TOKEN_PREFIX: &str = "trail1";
/// The longest token accepted, in bytes: anything longer is refused before
/// it is decoded.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// The clock skew allowed on both ends of a token's validity, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 60;

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// What a token says: who may change what, where, until when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The token id: 16 random bytes as 32 lowercase hex digits
    /// ([`Claims::new_id`]). Single use is tracked by it.
    pub id: String,
    /// The repository the token is for (the caller's repository id).
    pub repo: String,
    /// Issue time (UTC; sub-seconds are dropped when minting).
    pub issued_at: DateTime<Utc>,
    /// Expiry time (UTC; sub-seconds are dropped when minting).
    pub expires_at: DateTime<Utc>,
    /// Globs (docs/tokens.md, "Globs") every protected path must match one of.
    pub paths: Vec<String>,
    /// Why the authorizer allows the change.
    pub reason: String,
    /// The [`staged_digest`] of the exact change approved, if bound.
    pub digest: Option<String>,
    /// May be used for more than one commit.
    pub reuse: bool,
}

impl Claims {
    /// A fresh token id from the operating system's random number generator.
    pub fn new_id() -> Result<String, TokenError> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| TokenError::Random(e.to_string()))?;
        Ok(hex::encode(id))
    }
}

/// Why a text is not a well-formed token (the "format" check), or why claims
/// cannot be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("it is {len} bytes long; a token is at most {MAX_TOKEN_LEN}")]
    TooLong { len: usize },
    #[error("it does not start with `{TOKEN_PREFIX}.`")]
    NotATrailToken,
    #[error("it is not three dot-separated parts `{TOKEN_PREFIX}.<payload>.<signature>`")]
    Shape,
    #[error("its {part} is not unpadded base64url")]
    Base64 { part: &'static str },
    #[error("its signature is {len} bytes, not 64")]
    SignatureLength { len: usize },
    #[error("its payload is not a JSON object of the token fields: {message}")]
    Payload { message: String },
    #[error("its payload's `{field}` must be {expected}")]
    Field { field: &'static str, expected: &'static str },
    #[error("it is version {v}; this trail reads version 1")]
    UnsupportedVersion { v: u64 },
    #[error("its path glob `{pattern}` is invalid: {message}")]
    Glob { pattern: String, message: String },
    #[error("it expires before it is issued")]
    ExpiresBeforeIssued,
    #[error("its payload is not in canonical form (sorted keys, compact, `trail docs tokens`)")]
    NotCanonical,
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// A well-formed token: its claims, its issuer's key id, and the exact bytes
/// that were signed. Well-formed is not valid: see [`verify`].
#[derive(Debug, Clone)]
pub struct Token {
    claims: Claims,
    key: KeyId,
    payload: Vec<u8>,
    signature: [u8; 64],
    globs: globset::GlobSet,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayload {
    v: u64,
    id: String,
    key: String,
    repo: String,
    iat: String,
    exp: String,
    paths: Vec<String>,
    reason: String,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    reuse: bool,
}

impl Token {
    /// Sign `claims` with `key` and return the token text. The claims are
    /// checked as [`Token::parse`] would check them, so whatever this mints
    /// parses.
    pub fn mint(key: &PrivateKey, claims: &Claims) -> Result<String, TokenError> {
        let payload = canonical_payload(key.id(), claims);
        decode_payload(payload.as_bytes())?;
        let signature = key.sign(payload.as_bytes());
        let token = format!(
            "{TOKEN_PREFIX}.{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(signature)
        );
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong { len: token.len() });
        }
        Ok(token)
    }

    /// Check the format only: size, prefix, three parts, base64url, a
    /// 64-byte signature, a canonical JSON payload of the right shape.
    /// Surrounding ASCII whitespace (a trailer's newline) is ignored.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        if text.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong { len: text.len() });
        }
        let text = text.trim_ascii();
        let mut parts = text.split('.');
        if parts.next() != Some(TOKEN_PREFIX) {
            return Err(TokenError::NotATrailToken);
        }
        let (Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Shape);
        };
        let payload =
            URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Base64 { part: "payload" })?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Base64 { part: "signature" })?;
        let signature: [u8; 64] = signature
            .as_slice()
            .try_into()
            .map_err(|_| TokenError::SignatureLength { len: signature.len() })?;
        let (claims, key, globs) = decode_payload(&payload)?;
        Ok(Token { claims, key, payload, signature, globs })
    }

    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The token id (for single use).
    pub fn id(&self) -> &str {
        &self.claims.id
    }

    /// The issuer's key id.
    pub fn key_id(&self) -> &KeyId {
        &self.key
    }

    /// The signed bytes: the canonical JSON payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Whether one of the token's globs matches `path`.
    pub fn covers(&self, path: &[u8]) -> bool {
        self.globs.is_match(glob::path(path))
    }
}

/// Decode and check a payload: shape, field formats, canonical form.
fn decode_payload(payload: &[u8]) -> Result<(Claims, KeyId, globset::GlobSet), TokenError> {
    let raw: RawPayload = serde_json::from_slice(payload)
        .map_err(|e| TokenError::Payload { message: e.to_string() })?;
    if raw.v != 1 {
        return Err(TokenError::UnsupportedVersion { v: raw.v });
    }
    if !is_lower_hex(&raw.id, 32) {
        return Err(TokenError::Field { field: "id", expected: "32 lowercase hex digits" });
    }
    let key = KeyId::parse(&raw.key)
        .ok_or(TokenError::Field { field: "key", expected: "16 lowercase hex digits" })?;
    if raw.repo.is_empty() {
        return Err(TokenError::Field { field: "repo", expected: "a non-empty string" });
    }
    let issued_at = parse_time(&raw.iat).ok_or(TokenError::Field {
        field: "iat",
        expected: "a UTC time like 2026-01-31T09:00:00Z",
    })?;
    let expires_at = parse_time(&raw.exp).ok_or(TokenError::Field {
        field: "exp",
        expected: "a UTC time like 2026-01-31T09:00:00Z",
    })?;
    if expires_at <= issued_at {
        return Err(TokenError::ExpiresBeforeIssued);
    }
    if raw.paths.is_empty() {
        return Err(TokenError::Field { field: "paths", expected: "a non-empty list of globs" });
    }
    let globs = glob::set(raw.paths.iter().map(String::as_str), false)
        .map_err(|(pattern, message)| TokenError::Glob { pattern, message })?;
    if let Some(digest) = &raw.digest
        && !is_lower_hex(digest, 64)
    {
        return Err(TokenError::Field { field: "digest", expected: "64 lowercase hex digits" });
    }
    let claims = Claims {
        id: raw.id,
        repo: raw.repo,
        issued_at,
        expires_at,
        paths: raw.paths,
        reason: raw.reason,
        digest: raw.digest,
        reuse: raw.reuse,
    };
    // One payload, one encoding: what an independent minter signs is exactly
    // what this would write, so two verifiers never read one token two ways.
    if canonical_payload(&key, &claims).as_bytes() != payload {
        return Err(TokenError::NotCanonical);
    }
    Ok((claims, key, globs))
}

/// `YYYY-MM-DDTHH:MM:SSZ`, exactly.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let time = NaiveDateTime::parse_from_str(text, TIME_FORMAT).ok()?.and_utc();
    // chrono reads `:60` as a leap second; docs/tokens.md §1 allows 00-59.
    use chrono::Timelike as _;
    (format_time(time) == text && time.nanosecond() < 1_000_000_000).then_some(time)
}

fn format_time(time: DateTime<Utc>) -> String {
    time.format(TIME_FORMAT).to_string()
}

/// The payload's canonical JSON (RFC 8785 for this subset): keys in
/// byte order, no whitespace, `digest` omitted when absent, `reuse` omitted
/// when false, times to the second.
fn canonical_payload(key: &KeyId, claims: &Claims) -> String {
    let mut out = String::with_capacity(256);
    let mut fields: Vec<(&str, String)> = Vec::with_capacity(10);
    if let Some(digest) = &claims.digest {
        fields.push(("digest", json_string(digest)));
    }
    fields.push(("exp", json_string(&format_time(claims.expires_at))));
    fields.push(("iat", json_string(&format_time(claims.issued_at))));
    fields.push(("id", json_string(&claims.id)));
    fields.push(("key", json_string(key.as_str())));
    let paths: Vec<String> = claims.paths.iter().map(|p| json_string(p)).collect();
    fields.push(("paths", format!("[{}]", paths.join(","))));
    fields.push(("reason", json_string(&claims.reason)));
    fields.push(("repo", json_string(&claims.repo)));
    if claims.reuse {
        fields.push(("reuse", "true".to_owned()));
    }
    fields.push(("v", "1".to_owned()));
    debug_assert!(fields.windows(2).all(|w| w[0].0 < w[1].0), "keys in byte order");
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json_string(name));
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

/// A JSON string as RFC 8785 writes it: `"` and `\` escaped, the control
/// characters U+0000–U+001F as `\b \t \n \f \r` or `\u00xx` (lowercase hex),
/// everything else as itself in UTF-8.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One protected change for [`staged_digest`]: path, status letter, new blob
/// id (hex; `None` for a deletion).
pub type StagedChange = (Vec<u8>, char, Option<String>);

/// One changed path for [`verify`]: the path and why it is protected
/// (`None`: not protected, needs no glob).
pub type StagedPath = (Vec<u8>, Option<Reason>);

/// The digest of a set of staged protected changes, which a token may bind
/// (`trail authorize --digest`). `changes` holds, for every protected path
/// the change touches: the path, its status letter (`A` added, `M`
/// modified, `D` deleted, `T` type changed; a rename is its source as `D`
/// and its destination as `A`), and its new blob id (lowercase hex; `None`
/// for a deletion).
///
/// Digest = lowercase hex SHA-256 over, for each change in bytewise order of
/// (path, status, blob): path bytes, NUL, status letter (UTF-8), NUL, blob id
/// or nothing, `\n`. Blob ids are lowercased first.
pub fn staged_digest(changes: &[StagedChange]) -> String {
    let mut lines: Vec<Vec<u8>> = changes
        .iter()
        .map(|(path, status, blob)| {
            let mut line = path.clone();
            line.push(0);
            line.extend_from_slice(status.encode_utf8(&mut [0u8; 4]).as_bytes());
            line.push(0);
            if let Some(blob) = blob {
                line.extend_from_slice(blob.to_ascii_lowercase().as_bytes());
            }
            line.push(b'\n');
            line
        })
        .collect();
    // Sorting whole lines sorts by path first: NUL sorts below every byte a
    // path can hold, so a path that is a prefix of another comes first.
    lines.sort();
    let mut hasher = Sha256::new();
    for line in &lines {
        hasher.update(line);
    }
    hex::encode(hasher.finalize())
}

/// A token that passed every check [`verify`] makes.
#[derive(Debug, Clone)]
pub struct Verified {
    pub token: Token,
    /// The authorizer (from the policy) whose key signed it.
    pub authorizer: PublicKey,
}

/// The checks of docs/tokens.md, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Format,
    Key,
    Signature,
    Time,
    Repository,
    Coverage,
    Digest,
    /// Made by the caller, who keeps the record of used token ids.
    SingleUse,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::Format => "format",
            Check::Key => "known key",
            Check::Signature => "signature",
            Check::Time => "time window",
            Check::Repository => "repository",
            Check::Coverage => "paths covered",
            Check::Digest => "digest",
            Check::SingleUse => "single use",
        })
    }
}

/// Why a token does not authorize a change: the failed check, what failed
/// (`Display`) and what to do ([`Refusal::hint`]). Nothing secret is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Format(TokenError),
    UnknownKey {
        key: KeyId,
    },
    BadSignature {
        key: KeyId,
    },
    NotYetValid {
        issued_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    Expired {
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    WrongRepository {
        token: String,
        expected: String,
    },
    /// The protected paths no glob of the token matches, with why each is
    /// protected.
    NotCovered {
        paths: Vec<(Vec<u8>, Reason)>,
    },
    /// `staged` is `None` when the caller computed no digest.
    DigestMismatch {
        token: String,
        staged: Option<String>,
    },
    /// Never returned by [`verify`]: for the caller's single-use check.
    AlreadyUsed {
        id: String,
    },
}

impl Refusal {
    pub fn check(&self) -> Check {
        match self {
            Refusal::Format(_) => Check::Format,
            Refusal::UnknownKey { .. } => Check::Key,
            Refusal::BadSignature { .. } => Check::Signature,
            Refusal::NotYetValid { .. } | Refusal::Expired { .. } => Check::Time,
            Refusal::WrongRepository { .. } => Check::Repository,
            Refusal::NotCovered { .. } => Check::Coverage,
            Refusal::DigestMismatch { .. } => Check::Digest,
            Refusal::AlreadyUsed { .. } => Check::SingleUse,
        }
    }

    /// What the person refused should do about it.
    pub fn hint(&self) -> String {
        match self {
            Refusal::Format(_) => "pass the whole token exactly as `trail authorize` printed it: \
                trail1.<payload>.<signature>, one line"
                .to_owned(),
            Refusal::UnknownKey { .. } => "ask an authorizer listed in [protect] authorizers of \
                trail.toml as committed at HEAD for a token; a key added by the change itself \
                cannot authorize it"
                .to_owned(),
            Refusal::BadSignature { .. } => {
                "the token was altered or forged: ask the authorizer for a new one".to_owned()
            }
            Refusal::NotYetValid { .. } => {
                "check this machine's clock (and the authorizer's), or wait until the token is valid"
                    .to_owned()
            }
            Refusal::Expired { .. } => {
                "ask the authorizer for a new token (`trail authorize --ttl` sets its lifetime)"
                    .to_owned()
            }
            Refusal::WrongRepository { expected, .. } => {
                format!("ask for a token minted for this repository ({expected})")
            }
            Refusal::NotCovered { .. } => "ask for a token whose --path globs cover these paths \
                (`trail policy check` lists them and the command to run)"
                .to_owned(),
            Refusal::DigestMismatch { .. } => "stage exactly the content the token approves, or \
                ask for a token for the current digest (`trail policy check` prints it)"
                .to_owned(),
            Refusal::AlreadyUsed { .. } => "a token authorizes one commit unless it was minted \
                with --reuse: ask the authorizer for a new one"
                .to_owned(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authorization refused ({} check): ", self.check())?;
        match self {
            Refusal::Format(e) => write!(f, "the token is malformed: {e}"),
            Refusal::UnknownKey { key } => write!(
                f,
                "the token is signed by key {key}, which is not an authorizer in the committed policy"
            ),
            Refusal::BadSignature { key } => {
                write!(f, "the token's signature does not verify with key {key}")
            }
            Refusal::NotYetValid { issued_at, now } => write!(
                f,
                "the token is issued at {} and it is now {} (60 s of clock skew allowed)",
                format_time(*issued_at),
                format_time(*now)
            ),
            Refusal::Expired { expires_at, now } => write!(
                f,
                "the token expired at {} and it is now {}",
                format_time(*expires_at),
                format_time(*now)
            ),
            Refusal::WrongRepository { token, .. } => {
                write!(f, "the token is for another repository ({token})")
            }
            Refusal::NotCovered { paths } => {
                write!(f, "the token does not cover ")?;
                for (i, (path, reason)) in paths.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{} ({reason})", String::from_utf8_lossy(path))?;
                }
                Ok(())
            }
            Refusal::DigestMismatch { token, staged: Some(staged) } => write!(
                f,
                "the token approves changes with digest {token}, the staged ones have digest {staged}"
            ),
            Refusal::DigestMismatch { token, staged: None } => {
                write!(f, "the token approves changes with digest {token}; none was computed")
            }
            Refusal::AlreadyUsed { id } => write!(f, "token {id} was used before"),
        }
    }
}

/// Verify `text` as the authorization of a change, in this order: format,
/// known key (one of `policy`'s authorizers — the policy at HEAD), signature
/// (`verify_strict` over the payload bytes), time window (`now` within
/// [iat − 60 s, exp + 60 s]), repository (`repo`), every protected path of
/// `staged` matched by a token glob (pass both ends of a rename), and the
/// digest when the token binds one (`digest` is the [`staged_digest`] of the
/// change). Single use is the caller's: it gets the token id in [`Verified`].
pub fn verify(
    text: &str,
    policy: &Protect,
    now: DateTime<Utc>,
    repo: &str,
    staged: &[StagedPath],
    digest: Option<&str>,
) -> Result<Verified, Refusal> {
    let token = Token::parse(text).map_err(Refusal::Format)?;
    let authorizer = policy
        .authorizer(&token.key)
        .ok_or_else(|| Refusal::UnknownKey { key: token.key.clone() })?;
    if !authorizer.verify_strict(&token.payload, &token.signature) {
        return Err(Refusal::BadSignature { key: token.key.clone() });
    }
    let skew = chrono::Duration::seconds(CLOCK_SKEW_SECS);
    let claims = &token.claims;
    if now < claims.issued_at - skew {
        return Err(Refusal::NotYetValid { issued_at: claims.issued_at, now });
    }
    if now > claims.expires_at + skew {
        return Err(Refusal::Expired { expires_at: claims.expires_at, now });
    }
    if claims.repo != repo {
        return Err(Refusal::WrongRepository {
            token: claims.repo.clone(),
            expected: repo.to_owned(),
        });
    }
    let uncovered: Vec<(Vec<u8>, Reason)> = staged
        .iter()
        .filter_map(|(path, reason)| match reason {
            Some(reason) if !token.covers(path) => Some((path.clone(), reason.clone())),
            _ => None,
        })
        .collect();
    if !uncovered.is_empty() {
        return Err(Refusal::NotCovered { paths: uncovered });
    }
    if let Some(bound) = &claims.digest
        && digest != Some(bound.as_str())
    {
        return Err(Refusal::DigestMismatch {
            token: bound.clone(),
            staged: digest.map(str::to_owned),
        });
    }
    let authorizer = authorizer.clone();
    Ok(Verified { token, authorizer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;
    use proptest::prelude::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text).expect("valid time")
    }

    /// The example of docs/tokens.md: a fixed key (secret bytes 0x00..0x1f),
    /// fixed claims, and the staged change the digest binds.
    fn example() -> (PrivateKey, Claims, Vec<StagedChange>) {
        let secret: [u8; 32] = std::array::from_fn(|i| i as u8);
        let key = PrivateKey::from_secret_bytes(&secret);
        let changes = vec![
            (
                b"scripts/mcp/docs.sh".to_vec(),
                'A',
                Some("1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c".to_owned()),
            ),
            (
                b".mcp.json".to_vec(),
                'M',
                Some("8f4e2b1c0d9a7e6f5a4b3c2d1e0f9a8b7c6d5e4f".to_owned()),
            ),
        ];
        let claims = Claims {
            id: "0123456789abcdef0123456789abcdef".to_owned(),
            repo: "example-repository".to_owned(),
            issued_at: at("2026-11-27T10:00:00Z"),
            expires_at: at("2026-11-27T12:00:00Z"),
            paths: vec![".mcp.json".to_owned(), "scripts/mcp/**".to_owned()],
            reason: "add the docs MCP server — reviewed by Ada".to_owned(),
            digest: Some(staged_digest(&changes)),
            reuse: false,
        };
        (key, claims, changes)
    }

    fn policy_with(keys: &[&PrivateKey]) -> Protect {
        let lines: Vec<String> =
            keys.iter().map(|k| format!("\"{}\"", k.public().to_line())).collect();
        Protect::from_toml(&format!("[protect]\nauthorizers = [{}]\n", lines.join(", ")))
            .expect("valid policy")
    }

    fn staged_of(changes: &[StagedChange]) -> Vec<StagedPath> {
        changes.iter().map(|(p, _, _)| (p.clone(), Some(Reason::Glob("test".into())))).collect()
    }

    /// A token over arbitrary payload bytes, signed by `key`.
    fn sign_raw(key: &PrivateKey, payload: &str) -> String {
        format!(
            "trail1.{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(key.sign(payload.as_bytes()))
        )
    }

    #[test]
    fn the_docs_example_is_what_this_code_mints() {
        let doc = include_str!("../../../docs/tokens.md");
        let (key, claims, changes) = example();
        let token = Token::mint(&key, &claims).expect("mints");
        let parsed = Token::parse(&token).expect("parses");
        let payload = std::str::from_utf8(parsed.payload()).expect("utf-8");
        let secret: [u8; 32] = std::array::from_fn(|i| i as u8);
        let facts = [
            ("secret", hex::encode(secret)),
            ("public key line", key.public().to_line()),
            ("key id", key.id().to_string()),
            ("digest", staged_digest(&changes)),
            ("payload", payload.to_owned()),
            ("signature", hex::encode(parsed.signature)),
            ("token", token.clone()),
            ("payload size", format!("The payload ({} bytes, one line)", payload.len())),
        ];
        let mut missing = Vec::new();
        for (what, value) in &facts {
            if !doc.contains(value.as_str()) {
                missing.push(format!("{what}: {value}"));
            }
        }
        assert!(
            missing.is_empty(),
            "docs/tokens.md is stale; it should hold:\n{}",
            missing.join("\n")
        );
        // The doc holds one token, and it is this one.
        let tokens: Vec<&str> =
            doc.split_whitespace().filter(|w| w.starts_with("trail1.") && w.len() > 100).collect();
        assert_eq!(tokens, vec![token.as_str()]);
        // And it verifies.
        let policy = policy_with(&[&key]);
        let verified = verify(
            &token,
            &policy,
            at("2026-11-27T11:00:00Z"),
            "example-repository",
            &staged_of(&changes),
            Some(&staged_digest(&changes)),
        )
        .expect("the example verifies");
        assert_eq!(verified.token.id(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn the_payload_is_canonical_json() {
        let (key, claims, _) = example();
        let token = Token::mint(&key, &claims).expect("mints");
        let parsed = Token::parse(&token).expect("parses");
        // serde_json's Map is a BTreeMap here: sorted keys, compact output.
        let value: serde_json::Value = serde_json::from_slice(parsed.payload()).expect("json");
        assert_eq!(serde_json::to_vec(&value).expect("encodes"), parsed.payload());
        let text = std::str::from_utf8(parsed.payload()).expect("utf-8");
        assert!(text.starts_with("{\"digest\":\""), "{text}");
        assert!(text.ends_with(",\"v\":1}"), "{text}");
        assert!(!text.contains("reuse"), "reuse is omitted when false");
        assert!(text.contains("— reviewed"), "non-ASCII is written as itself");
        let reusable = Claims { reuse: true, digest: None, ..claims };
        let text = canonical_payload(key.id(), &reusable);
        assert!(text.contains(",\"reuse\":true,\"v\":1}"), "{text}");
        assert!(!text.contains("digest"));
        assert_eq!(parsed.claims(), &example().1);
    }

    #[test]
    fn json_strings_are_escaped_as_rfc_8785_does() {
        assert_eq!(json_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(json_string("\u{8}\t\n\u{c}\r"), r#""\b\t\n\f\r""#);
        assert_eq!(json_string("\u{1}\u{1f}\u{7f}/é€"), "\"\\u0001\\u001f\u{7f}/é€\"");
        for s in ["\u{0}x", "tab\there", "quote\"", "é\u{2028}"] {
            assert_eq!(json_string(s), serde_json::to_string(s).expect("encodes"), "{s:?}");
        }
    }

    #[test]
    fn the_staged_digest_is_defined_byte_for_byte() {
        let changes = vec![
            (b"b".to_vec(), 'D', None),
            (b"a/x".to_vec(), 'A', Some("ABCDEF".to_owned())),
            (b"a".to_vec(), 'M', Some("0123".to_owned())),
        ];
        let expected = Sha256::digest(b"a\0M\x000123\na/x\0A\0abcdef\nb\0D\0\n");
        assert_eq!(staged_digest(&changes), hex::encode(expected));
        let mut reversed = changes.clone();
        reversed.reverse();
        assert_eq!(staged_digest(&reversed), staged_digest(&changes), "order does not matter");
        assert_eq!(staged_digest(&[]), hex::encode(Sha256::digest(b"")));
        let changed = vec![(b"a".to_vec(), 'M', Some("0124".to_owned()))];
        assert_ne!(staged_digest(&changed), staged_digest(&changes[2..]));
    }

    #[test]
    fn a_valid_token_verifies_and_names_its_authorizer() {
        let (key, claims, changes) = example();
        let other = PrivateKey::from_secret_bytes(&[9; 32]);
        let policy = policy_with(&[&other, &key]);
        let token = Token::mint(&key, &claims).expect("mints");
        let digest = staged_digest(&changes);
        let mut staged = staged_of(&changes);
        staged.push((b"src/main.rs".to_vec(), None)); // unprotected: needs no glob
        let ok = verify(
            &token,
            &policy,
            at("2026-11-27T10:00:00Z"),
            "example-repository",
            &staged,
            Some(&digest),
        )
        .expect("valid");
        assert_eq!(ok.authorizer.id(), key.id());
        assert!(!ok.token.claims().reuse);
        // At both ends of the window, skew included.
        for now in ["2026-11-27T09:59:00Z", "2026-11-27T12:01:00Z"] {
            assert!(
                verify(&token, &policy, at(now), "example-repository", &staged, Some(&digest))
                    .is_ok(),
                "{now}"
            );
        }
    }

    #[test]
    fn each_check_refuses_what_it_should_in_order() {
        let (key, claims, changes) = example();
        let policy = policy_with(&[&key]);
        let token = Token::mint(&key, &claims).expect("mints");
        let staged = staged_of(&changes);
        let digest = staged_digest(&changes);
        let now = at("2026-11-27T11:00:00Z");
        let check = |token: &str,
                     policy: &Protect,
                     now,
                     repo: &str,
                     staged: &[(Vec<u8>, Option<Reason>)],
                     digest: Option<&str>| {
            verify(token, policy, now, repo, staged, digest).map(|_| ()).map_err(|r| {
                assert!(!r.hint().is_empty());
                assert!(r.to_string().contains(&format!("({} check)", r.check())), "{r}");
                r
            })
        };
        let repo = "example-repository";

        // format
        for bad in [
            "",
            "garbage",
            "trail1.",
            "trail1..",
            "trail2.e30.e30",
            &token[..token.len() - 3],
            &format!("{token}.x"),
        ] {
            assert!(
                matches!(
                    check(bad, &policy, now, repo, &staged, Some(&digest)),
                    Err(Refusal::Format(_))
                ),
                "{bad}"
            );
        }
        let huge = format!("trail1.{}.x", "A".repeat(1 << 20));
        let started = std::time::Instant::now();
        assert_eq!(
            check(&huge, &policy, now, repo, &staged, Some(&digest)),
            Err(Refusal::Format(TokenError::TooLong { len: huge.len() }))
        );
        assert!(
            started.elapsed() < std::time::Duration::from_millis(50),
            "a 1 MB token is refused fast"
        );

        // known key: a key not in the policy (as at HEAD)
        let stranger = PrivateKey::from_secret_bytes(&[3; 32]);
        let foreign = Token::mint(&stranger, &claims).expect("mints");
        assert_eq!(
            check(&foreign, &policy, now, repo, &staged, Some(&digest)),
            Err(Refusal::UnknownKey { key: stranger.id().clone() })
        );

        // signature: the listed key's id, someone else's signature
        let forged = sign_raw(&stranger, &canonical_payload(key.id(), &claims));
        assert_eq!(
            check(&forged, &policy, now, repo, &staged, Some(&digest)),
            Err(Refusal::BadSignature { key: key.id().clone() })
        );

        // time window (checked before the repository: both are wrong here)
        let elsewhere = "another-repository";
        assert!(matches!(
            check(&token, &policy, at("2026-11-27T09:58:59Z"), elsewhere, &staged, None),
            Err(Refusal::NotYetValid { .. })
        ));
        assert!(matches!(
            check(&token, &policy, at("2026-11-27T12:01:01Z"), elsewhere, &staged, None),
            Err(Refusal::Expired { .. })
        ));

        // repository
        assert_eq!(
            check(&token, &policy, now, elsewhere, &[], None),
            Err(Refusal::WrongRepository {
                token: repo.to_owned(),
                expected: elsewhere.to_owned()
            })
        );

        // coverage: a rename out of a protected path passes both ends
        let mut renamed = staged.clone();
        renamed
            .push((b"tools/launch.sh".to_vec(), Some(Reason::LaunchedBy(b".mcp.json".to_vec()))));
        let refusal =
            check(&token, &policy, now, repo, &renamed, Some(&digest)).expect_err("uncovered");
        assert_eq!(refusal.check(), Check::Coverage);
        assert!(
            refusal.to_string().contains("tools/launch.sh (the MCP config .mcp.json launches it)"),
            "{refusal}"
        );
        // Globs are case-sensitive and anchored: `.mcp.json` covers only the root's.
        let odd = vec![(b"sub/.mcp.json".to_vec(), Some(Reason::Glob("x".into())))];
        assert_eq!(
            check(&token, &policy, now, repo, &odd, Some(&digest)).map_err(|r| r.check()),
            Err(Check::Coverage)
        );

        // digest
        let mut edited = changes.clone();
        edited[1].2 = Some("0000000000000000000000000000000000000000".to_owned());
        let refusal = check(&token, &policy, now, repo, &staged, Some(&staged_digest(&edited)))
            .expect_err("mismatch");
        assert_eq!(refusal.check(), Check::Digest);
        assert!(matches!(
            check(&token, &policy, now, repo, &staged, None),
            Err(Refusal::DigestMismatch { staged: None, .. })
        ));
        // A token without a digest does not care.
        let unbound = Token::mint(&key, &Claims { digest: None, ..claims.clone() }).expect("mints");
        assert!(check(&unbound, &policy, now, repo, &staged, Some("ff")).is_ok());
    }

    #[test]
    fn non_canonical_or_ill_formed_payloads_are_refused_even_when_signed() {
        let (key, claims, _) = example();
        let canonical = canonical_payload(key.id(), &claims);
        let spaced = canonical.replacen(":", ": ", 1);
        let reordered = {
            let v: serde_json::Value = serde_json::from_str(&canonical).expect("json");
            let map = v.as_object().expect("object");
            let mut fields: Vec<String> =
                map.iter().map(|(k, v)| format!("{}:{}", json_string(k), v)).collect();
            fields.reverse();
            format!("{{{}}}", fields.join(","))
        };
        let explicit_false = canonical.replace(",\"v\":1}", ",\"reuse\":false,\"v\":1}");
        let null_digest = canonical_payload(key.id(), &Claims { digest: None, ..claims.clone() })
            .replacen('{', "{\"digest\":null,", 1);
        let float_v = canonical.replace("\"v\":1}", "\"v\":1.0}");
        for (what, payload, expected) in [
            ("spaced", spaced, TokenError::NotCanonical),
            ("reordered", reordered, TokenError::NotCanonical),
            ("explicit reuse false", explicit_false, TokenError::NotCanonical),
            ("null digest", null_digest, TokenError::NotCanonical),
        ] {
            assert_eq!(
                Token::parse(&sign_raw(&key, &payload)).map(|_| ()),
                Err(expected),
                "{what}"
            );
        }
        let refused = |payload: &str| Token::parse(&sign_raw(&key, payload)).is_err();
        assert!(refused(&float_v));
        assert!(refused(&canonical.replace("\"v\":1}", "\"v\":2}")));
        assert!(refused(&canonical.replace("\"v\":1}", "\"v\":1,\"x\":1}")));
        assert!(refused(&canonical.replace("2026-11-27T10:00:00Z", "2026-11-27T10:00:00+00:00")));
        assert!(refused(&canonical.replace("2026-11-27T10:00:00Z", "2026-11-27T10:00:00.5Z")));
        assert!(refused(&canonical.replace("2026-11-27T10:00:00Z", "2026-11-27T13:00:00Z")));
        assert!(refused(&canonical.replace(".mcp.json\",", "a[\",")));
        assert!(refused(
            &canonical
                .replace("0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF")
        ));
        assert!(refused("[]"));
        // Minting refuses what parsing would.
        let bad = Claims { paths: vec![], ..claims.clone() };
        assert!(Token::mint(&key, &bad).is_err());
        let long = Claims { reason: "x".repeat(MAX_TOKEN_LEN), ..claims };
        assert!(matches!(Token::mint(&key, &long), Err(TokenError::TooLong { .. })));
    }

    #[test]
    fn fresh_token_ids_are_32_hex_and_differ() {
        let a = Claims::new_id().expect("random");
        let b = Claims::new_id().expect("random");
        assert!(is_lower_hex(&a, 32));
        assert_ne!(a, b);
    }

    #[test]
    fn refusals_never_mention_the_private_key() {
        let (key, claims, _) = example();
        let token = Token::mint(&key, &claims).expect("mints");
        let secret: [u8; 32] = std::array::from_fn(|i| i as u8);
        let r = verify(&token, &Protect::default(), claims.issued_at, "x", &[], None)
            .expect_err("no keys");
        let shown = format!("{r} {r:?} {}", r.hint());
        assert!(
            !shown.contains(&hex::encode(secret))
                && !shown.contains(&URL_SAFE_NO_PAD.encode(secret))
        );
    }

    #[test]
    fn a_leap_second_is_not_a_time() {
        assert!(parse_time("2026-11-27T10:00:59Z").is_some());
        assert!(parse_time("2026-06-30T23:59:60Z").is_none());
        assert!(parse_time("2026-02-30T10:00:00Z").is_none());
    }

    proptest! {
        #[test]
        fn the_token_parser_never_panics(text in any::<String>()) {
            let _ = Token::parse(&text);
            let _ = Token::parse(&format!("trail1.{text}"));
        }

        #[test]
        fn the_token_parser_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Token::parse(&String::from_utf8_lossy(&bytes));
            let text = format!("trail1.{}.{}", URL_SAFE_NO_PAD.encode(&bytes), URL_SAFE_NO_PAD.encode([0u8; 64]));
            prop_assert!(Token::parse(&text).is_err() || serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        }

        #[test]
        fn any_changed_byte_of_a_valid_token_is_refused(index in any::<proptest::sample::Index>(), replacement in 0x21u8..0x7f) {
            let (key, claims, changes) = example();
            let policy = policy_with(&[&key]);
            let token = Token::mint(&key, &claims).expect("mints");
            let i = index.index(token.len());
            prop_assume!(token.as_bytes()[i] != replacement);
            let mut bytes = token.into_bytes();
            bytes[i] = replacement;
            let mutated = String::from_utf8(bytes).expect("ascii");
            let result = verify(&mutated, &policy, at("2026-11-27T11:00:00Z"), "example-repository", &staged_of(&changes), Some(&staged_digest(&changes)));
            prop_assert!(result.is_err(), "accepted {mutated}");
        }

        #[test]
        fn a_truncated_token_is_refused(cut in 0usize..400) {
            let (key, claims, _) = example();
            let token = Token::mint(&key, &claims).expect("mints");
            let cut = cut.min(token.len() - 1);
            prop_assert!(Token::parse(&token[..cut]).is_err());
        }

        #[test]
        fn only_listed_keys_are_trusted(secret in any::<[u8; 32]>(), listed in any::<[u8; 32]>()) {
            prop_assume!(secret != listed);
            let (_, claims, _) = example();
            let signer = PrivateKey::from_secret_bytes(&secret);
            let trusted = PrivateKey::from_secret_bytes(&listed);
            let policy = policy_with(&[&trusted]);
            let now = at("2026-11-27T11:00:00Z");
            let own = Token::mint(&signer, &claims).expect("mints");
            let refused = verify(&own, &policy, now, &claims.repo, &[], None).map(|_| ()).map_err(|r| r.check());
            prop_assert_eq!(refused, Err(Check::Key));
            let forged = sign_raw(&signer, &canonical_payload(trusted.id(), &claims));
            let refused = verify(&forged, &policy, now, &claims.repo, &[], None).map(|_| ()).map_err(|r| r.check());
            prop_assert_eq!(refused, Err(Check::Signature));
        }
    }
}
