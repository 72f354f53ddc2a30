//! `checkpoint.json`: the signed statement of one checkpoint (FORMAT.md §10.2).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use trail_policy::{PrivateKey, PublicKey};

/// The file of a checkpoint commit's tree holding the statement.
pub const FILE: &str = "checkpoint.json";
/// The file holding the segment: the records `first..=seq`, one canonical
/// line each, every line ending in `\n`.
pub const RECORDS_FILE: &str = "records.jsonl";
/// What the signature covers: these bytes, then the canonical statement
/// without `sig`. The prefix keeps a checkpoint signature from ever being
/// mistaken for a signature over anything else.
pub const SIGNING_CONTEXT: &[u8] = b"trail-checkpoint-v1\n";
/// The value of the statement's `type` member.
pub const TYPE: &str = "trail.checkpoint";

/// One signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The store id (32 hex) whose chain this is.
    pub store: String,
    /// The first seq of the segment.
    pub first: u64,
    /// The last seq of the segment: the journal's head when it was written.
    pub seq: u64,
    /// The hash of record `first - 1` (64 zeros when `first` is 1).
    pub prev: String,
    /// The hash of record `seq`.
    pub hash: String,
    /// Lowercase hex SHA-256 of the `records.jsonl` blob.
    pub records: String,
    /// When it was written, RFC 3339 UTC.
    pub time: String,
    /// The store's public key, `ed25519:<base64url>`.
    pub key: String,
    /// base64url (no padding) of the 64-byte ed25519 signature.
    pub sig: String,
}

/// A `checkpoint.json` that does not stand up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a JSON object: {0}")]
    Json(String),
    #[error("not in canonical form (RFC 8785, one line ending in a newline)")]
    NotCanonical,
    #[error("member `{0}` is missing or has the wrong type")]
    Field(&'static str),
    #[error("unsupported checkpoint version {0}")]
    Version(u64),
    #[error("the key is not an ed25519 public key: {0}")]
    Key(String),
    #[error("the signature does not verify with the key it names")]
    Signature,
}

impl Checkpoint {
    /// Sign a checkpoint over the segment `records` (the exact blob bytes).
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        key: &PrivateKey,
        store: &str,
        first: u64,
        seq: u64,
        prev: &str,
        hash: &str,
        records: &[u8],
        time: &str,
    ) -> Checkpoint {
        let mut checkpoint = Checkpoint {
            store: store.to_owned(),
            first,
            seq,
            prev: prev.to_owned(),
            hash: hash.to_owned(),
            records: hex::encode(Sha256::digest(records)),
            time: time.to_owned(),
            key: key.public().to_line(),
            sig: String::new(),
        };
        let signature = key.sign(&checkpoint.signed_message());
        checkpoint.sig = URL_SAFE_NO_PAD.encode(signature);
        checkpoint
    }

    fn members(&self, with_sig: bool) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("v".into(), Value::from(1u64));
        map.insert("type".into(), Value::from(TYPE));
        map.insert("store".into(), Value::from(self.store.as_str()));
        map.insert("first".into(), Value::from(self.first));
        map.insert("seq".into(), Value::from(self.seq));
        map.insert("prev".into(), Value::from(self.prev.as_str()));
        map.insert("hash".into(), Value::from(self.hash.as_str()));
        map.insert("records".into(), Value::from(self.records.as_str()));
        map.insert("time".into(), Value::from(self.time.as_str()));
        map.insert("key".into(), Value::from(self.key.as_str()));
        if with_sig {
            map.insert("sig".into(), Value::from(self.sig.as_str()));
        }
        map
    }

    fn signed_message(&self) -> Vec<u8> {
        let mut message = SIGNING_CONTEXT.to_vec();
        let body = trail_journal::canonical::to_vec(&Value::Object(self.members(false)))
            .expect("a checkpoint holds only strings and integers");
        message.extend_from_slice(&body);
        message
    }

    /// The bytes of `checkpoint.json`: canonical JSON and a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = trail_journal::canonical::to_vec(&Value::Object(self.members(true)))
            .expect("a checkpoint holds only strings and integers");
        bytes.push(b'\n');
        bytes
    }

    /// Read `checkpoint.json`, insisting on its canonical form (one statement,
    /// one encoding), and check the signature against the key it names. Who
    /// that key belongs to is the caller's question (see [`crate::chain`]).
    pub fn parse(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| CheckpointError::Json(e.to_string()))?;
        let Value::Object(map) = &value else {
            return Err(CheckpointError::Json("not an object".into()));
        };
        let canonical =
            trail_journal::canonical::to_vec(&value).map_err(|_| CheckpointError::NotCanonical)?;
        if bytes.len() != canonical.len() + 1
            || bytes[..canonical.len()] != canonical[..]
            || bytes[canonical.len()] != b'\n'
        {
            return Err(CheckpointError::NotCanonical);
        }
        let text = |name: &'static str| {
            map.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(CheckpointError::Field(name))
        };
        let number = |name: &'static str| {
            map.get(name).and_then(Value::as_u64).ok_or(CheckpointError::Field(name))
        };
        let version = number("v")?;
        if version != 1 {
            return Err(CheckpointError::Version(version));
        }
        if map.get("type").and_then(Value::as_str) != Some(TYPE) {
            return Err(CheckpointError::Field("type"));
        }
        let hex64 = |name: &'static str| {
            let s = text(name)?;
            if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                Ok(s)
            } else {
                Err(CheckpointError::Field(name))
            }
        };
        let store = text("store")?;
        if !crate::is_store_id(&store) {
            return Err(CheckpointError::Field("store"));
        }
        let checkpoint = Checkpoint {
            store,
            first: number("first")?,
            seq: number("seq")?,
            prev: hex64("prev")?,
            hash: hex64("hash")?,
            records: hex64("records")?,
            time: text("time")?,
            key: text("key")?,
            sig: text("sig")?,
        };
        if checkpoint.first == 0 || checkpoint.seq < checkpoint.first {
            return Err(CheckpointError::Field("first"));
        }
        if trail_journal::Timestamp::parse(&checkpoint.time).is_none() {
            return Err(CheckpointError::Field("time"));
        }
        checkpoint.verify_signature()?;
        Ok(checkpoint)
    }

    /// The key the statement names, once its signature is checked with it.
    pub fn verify_signature(&self) -> Result<PublicKey, CheckpointError> {
        let key =
            PublicKey::parse_line(&self.key).map_err(|e| CheckpointError::Key(e.to_string()))?;
        if key.name().is_some() {
            return Err(CheckpointError::Key("a checkpoint's key carries no name".into()));
        }
        let sig = URL_SAFE_NO_PAD.decode(&self.sig).map_err(|_| CheckpointError::Signature)?;
        let sig: [u8; 64] = sig.try_into().map_err(|_| CheckpointError::Signature)?;
        if !key.verify_strict(&self.signed_message(), &sig) {
            return Err(CheckpointError::Signature);
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(key: &PrivateKey) -> Checkpoint {
        Checkpoint::sign(
            key,
            "0123456789abcdef0123456789abcdef",
            1,
            2,
            &"0".repeat(64),
            &"a".repeat(64),
            b"line one\nline two\n",
            "2026-11-27T07:00:00.000000000Z",
        )
    }

    #[test]
    fn a_signed_checkpoint_round_trips() {
        let key = PrivateKey::from_secret_bytes(&[3; 32]);
        let checkpoint = sample(&key);
        let bytes = checkpoint.to_bytes();
        assert!(bytes.ends_with(b"}\n"));
        assert_eq!(Checkpoint::parse(&bytes), Ok(checkpoint.clone()));
        assert_eq!(checkpoint.verify_signature().expect("verifies").id(), key.id());
    }

    #[test]
    fn any_changed_member_breaks_the_signature() {
        let key = PrivateKey::from_secret_bytes(&[3; 32]);
        let good = sample(&key);
        let mut changed = good.clone();
        changed.seq = 3;
        assert_eq!(Checkpoint::parse(&changed.to_bytes()), Err(CheckpointError::Signature));
        let mut changed = good.clone();
        changed.hash = "b".repeat(64);
        assert_eq!(Checkpoint::parse(&changed.to_bytes()), Err(CheckpointError::Signature));
        // Someone else's key, signing the same statement, is a valid signature
        // by another key: parse accepts it, the chain's key pinning refuses it.
        let other = PrivateKey::from_secret_bytes(&[4; 32]);
        let theirs = sample(&other);
        assert_ne!(theirs.key, good.key);
    }

    #[test]
    fn only_the_canonical_form_is_read() {
        let key = PrivateKey::from_secret_bytes(&[3; 32]);
        let bytes = sample(&key).to_bytes();
        let spaced = String::from_utf8(bytes.clone()).expect("utf-8").replace(",\"", ", \"");
        assert_eq!(Checkpoint::parse(spaced.as_bytes()), Err(CheckpointError::NotCanonical));
        assert_eq!(
            Checkpoint::parse(&bytes[..bytes.len() - 1]),
            Err(CheckpointError::NotCanonical)
        );
        assert!(matches!(Checkpoint::parse(b"[1]\n"), Err(CheckpointError::Json(_))));
    }
}
