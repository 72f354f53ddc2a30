//! Authorizer keys: ed25519 key pairs, the public key line that goes into
//! `trail.toml` (`[protect] authorizers`), the private key file, and key ids.
//!
//! The secret half never leaves [`PrivateKey`] except through
//! [`encode_private_key`] (whose result wipes itself when dropped) and
//! [`write_private_key`]; no `Debug` or error message of this module prints it.

use std::fmt;
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

/// The algorithm tag that starts a public key line.
pub const PUBLIC_KEY_PREFIX: &str = "ed25519:";
/// The first line of a private key file.
pub const PRIVATE_KEY_HEADER: &str = "trail-ed25519-private-v1";

/// What is wrong with a key line or key file. The messages never quote the
/// secret: a private key file's content is not repeated back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a public key line starts with `{PUBLIC_KEY_PREFIX}`")]
    UnknownAlgorithm,
    #[error("the key is not 32 bytes of unpadded base64url (A-Z a-z 0-9 - _)")]
    BadEncoding,
    #[error("the key is not a valid ed25519 public key")]
    NotAPoint,
    #[error("the key is a weak (small-order) ed25519 key, which signs nothing trustworthy")]
    Weak,
    #[error("a key name cannot contain control characters (a newline, a tab)")]
    BadName,
    #[error("this is not a trail private key file (its first line is not `{PRIVATE_KEY_HEADER}`)")]
    NotAPrivateKey,
    #[error(
        "the private key file is damaged: it must hold the header line and one line of 32 bytes of unpadded base64url"
    )]
    DamagedPrivateKey,
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// A key id: the first 16 lowercase hex digits of SHA-256 over the 32 public
/// key bytes. Tokens name their issuer by it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn of(public_key_bytes: &[u8; 32]) -> KeyId {
        let digest = Sha256::digest(public_key_bytes);
        KeyId(hex::encode(&digest[..8]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key id as a token carries it: exactly 16 lowercase hex digits.
    pub(crate) fn parse(text: &str) -> Option<KeyId> {
        is_lower_hex(text, 16).then(|| KeyId(text.to_owned()))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// An authorizer's public key, as listed in `[protect] authorizers`:
/// `ed25519:<base64url, no padding, of the 32 key bytes>[ <name>]`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: ed25519_dalek::VerifyingKey,
    id: KeyId,
    name: Option<String>,
}

impl PublicKey {
    /// Parse a public key line. Surrounding whitespace is ignored; the name is
    /// everything after the first run of whitespace (it may contain spaces).
    pub fn parse_line(line: &str) -> Result<PublicKey, KeyError> {
        let line = line.trim();
        let rest = line.strip_prefix(PUBLIC_KEY_PREFIX).ok_or(KeyError::UnknownAlgorithm)?;
        let (encoded, name) = match rest.find(char::is_whitespace) {
            Some(at) => (&rest[..at], Some(rest[at..].trim())),
            None => (rest, None),
        };
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| KeyError::BadEncoding)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadEncoding)?;
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::NotAPoint)?;
        // A y coordinate at or above the field's prime decodes to the same
        // point as its canonical form: one key, two encodings, two key ids.
        if key.to_edwards().compress().to_bytes() != bytes {
            return Err(KeyError::NotAPoint);
        }
        if key.is_weak() {
            return Err(KeyError::Weak);
        }
        let name = match name {
            Some(name) if name.chars().any(char::is_control) => return Err(KeyError::BadName),
            Some(name) => Some(name.to_owned()),
            None => None,
        };
        Ok(PublicKey { key, id: KeyId::of(&bytes), name })
    }

    /// The line to paste into `[protect] authorizers`.
    pub fn to_line(&self) -> String {
        let encoded = URL_SAFE_NO_PAD.encode(self.key.as_bytes());
        match &self.name {
            Some(name) => format!("{PUBLIC_KEY_PREFIX}{encoded} {name}"),
            None => format!("{PUBLIC_KEY_PREFIX}{encoded}"),
        }
    }

    pub fn id(&self) -> &KeyId {
        &self.id
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// The same key under another name (`None`: no name).
    pub fn with_name(mut self, name: Option<&str>) -> Result<PublicKey, KeyError> {
        self.name = match name.map(str::trim) {
            Some("") | None => None,
            Some(name) if name.chars().any(char::is_control) => return Err(KeyError::BadName),
            Some(name) => Some(name.to_owned()),
        };
        Ok(self)
    }

    /// `verify_strict`: refuses non-canonical and small-order components, so
    /// one signature has one encoding.
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("id", &self.id.0).field("line", &self.to_line()).finish()
    }
}

/// An authorizer's private (signing) key. It is wiped from memory when
/// dropped (ed25519-dalek's `zeroize`), has no `Display`, and its `Debug`
/// shows only the key id.
pub struct PrivateKey {
    key: ed25519_dalek::SigningKey,
    id: KeyId,
}

impl PrivateKey {
    /// The key whose 32-byte secret (RFC 8032 "private key", the seed) is
    /// `secret`. For tests and fixed examples; [`generate`] makes real keys.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> PrivateKey {
        let key = ed25519_dalek::SigningKey::from_bytes(secret);
        let id = KeyId::of(key.verifying_key().as_bytes());
        PrivateKey { key, id }
    }

    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// The public half, unnamed.
    pub fn public(&self) -> PublicKey {
        PublicKey { key: self.key.verifying_key(), id: self.id.clone(), name: None }
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey").field("id", &self.id.0).field("secret", &"<redacted>").finish()
    }
}

/// A new key from the operating system's random number generator, and its
/// public key line (named `name` unless it is empty).
///
/// ed25519-dalek's `SigningKey::generate` is `fill_bytes` into 32 bytes and
/// then `from_bytes`; doing that with `getrandom` directly avoids its
/// `rand_core` 0.6 feature, which the workspace's `rand` 0.9 cannot feed.
pub fn generate(name: &str) -> Result<(PrivateKey, String), KeyError> {
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = PrivateKey::from_secret_bytes(&secret);
    let line = key.public().with_name(Some(name))?.to_line();
    Ok((key, line))
}

/// The text of a private key file: the header line, then the 32 secret bytes
/// as unpadded base64url, each line ending in `\n`. The result wipes itself
/// when dropped.
pub fn encode_private_key(key: &PrivateKey) -> Zeroizing<String> {
    let secret = Zeroizing::new(key.key.to_bytes());
    let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(secret.as_ref()));
    let mut text = Zeroizing::new(String::with_capacity(PRIVATE_KEY_HEADER.len() + 45));
    text.push_str(PRIVATE_KEY_HEADER);
    text.push('\n');
    text.push_str(&encoded);
    text.push('\n');
    text
}

/// Read a private key file's text (as [`encode_private_key`] writes it; the
/// final newline may be missing, `\r\n` is accepted).
pub fn decode_private_key(text: &str) -> Result<PrivateKey, KeyError> {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some(PRIVATE_KEY_HEADER) {
        return Err(KeyError::NotAPrivateKey);
    }
    let encoded = lines.next().map(str::trim_end).ok_or(KeyError::DamagedPrivateKey)?;
    if lines.any(|line| !line.trim().is_empty()) {
        return Err(KeyError::DamagedPrivateKey);
    }
    let bytes =
        Zeroizing::new(URL_SAFE_NO_PAD.decode(encoded).map_err(|_| KeyError::DamagedPrivateKey)?);
    let secret: Zeroizing<[u8; 32]> =
        Zeroizing::new(bytes.as_slice().try_into().map_err(|_| KeyError::DamagedPrivateKey)?);
    Ok(PrivateKey::from_secret_bytes(&secret))
}

/// Write `key` to a new file at `path` with mode 0600. Refuses to overwrite
/// (`io::ErrorKind::AlreadyExists`); the directory must exist. A file left
/// half-written by a failed write is removed.
pub fn write_private_key(path: &Path, key: &PrivateKey) -> io::Result<()> {
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    let text = encode_private_key(key);
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: [u8; 32] = [7; 32];

    #[test]
    fn a_public_line_round_trips_and_names_its_key() {
        let key = PrivateKey::from_secret_bytes(&SECRET);
        let line = key.public().with_name(Some("Ada Lovelace")).expect("name").to_line();
        assert!(line.starts_with("ed25519:"));
        let parsed = PublicKey::parse_line(&format!("  {line}\n")).expect("parses");
        assert_eq!(parsed.name(), Some("Ada Lovelace"));
        assert_eq!(parsed.id(), key.id());
        assert_eq!(parsed.to_line(), line);
        assert_eq!(key.id().as_str().len(), 16);
        let unnamed = PublicKey::parse_line(&key.public().to_line()).expect("parses");
        assert_eq!(unnamed.name(), None);
    }

    #[test]
    fn the_key_id_is_the_first_16_hex_of_sha256_of_the_key_bytes() {
        let key = PrivateKey::from_secret_bytes(&SECRET);
        let full = hex::encode(Sha256::digest(key.public().bytes()));
        assert_eq!(key.id().as_str(), &full[..16]);
    }

    #[test]
    fn bad_public_lines_are_refused_with_the_reason() {
        let good = PrivateKey::from_secret_bytes(&SECRET).public().to_line();
        let b64 = &good["ed25519:".len()..];
        assert_eq!(PublicKey::parse_line(&format!("rsa:{b64}")), Err(KeyError::UnknownAlgorithm));
        assert_eq!(PublicKey::parse_line("ed25519:abc"), Err(KeyError::BadEncoding));
        assert_eq!(PublicKey::parse_line(&format!("ed25519:{b64}=")), Err(KeyError::BadEncoding));
        // The identity point (small order) is a weak key: anything "verifies".
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = format!("ed25519:{}", URL_SAFE_NO_PAD.encode(identity));
        assert_eq!(PublicKey::parse_line(&weak), Err(KeyError::Weak));
        assert_eq!(
            PublicKey::parse_line(&format!("ed25519:{b64} a\u{7}b")),
            Err(KeyError::BadName)
        );
    }

    #[test]
    fn a_private_key_file_round_trips() {
        let key = PrivateKey::from_secret_bytes(&SECRET);
        let text = encode_private_key(&key);
        assert!(text.starts_with("trail-ed25519-private-v1\n"));
        assert!(text.ends_with('\n'));
        assert_eq!(text.lines().count(), 2);
        let back = decode_private_key(&text).expect("decodes");
        assert_eq!(back.id(), key.id());
        let no_final_newline = text.trim_end();
        assert_eq!(decode_private_key(no_final_newline).expect("decodes").id(), key.id());
        assert_eq!(decode_private_key(&text.replace('\n', "\r\n")).expect("crlf").id(), key.id());
    }

    #[test]
    fn damaged_private_key_files_are_refused_without_quoting_them() {
        let text = encode_private_key(&PrivateKey::from_secret_bytes(&SECRET));
        let body = text.lines().nth(1).expect("two lines").to_owned();
        for bad in [
            "".to_owned(),
            body.clone(),
            format!("{PRIVATE_KEY_HEADER}\n"),
            format!("{PRIVATE_KEY_HEADER}\n{}\n", &body[1..]),
            format!("{PRIVATE_KEY_HEADER}\n{body}\nmore\n"),
        ] {
            let e = decode_private_key(&bad).expect_err("refused");
            assert!(!e.to_string().contains(&body[4..20]), "{e}");
            assert!(!format!("{e:?}").contains(&body[4..20]), "{e:?}");
        }
    }

    #[test]
    fn the_key_file_is_created_0600_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ada.key");
        let (key, _line) = generate("ada").expect("random");
        write_private_key(&path, &key).expect("written");
        let mode = std::fs::metadata(&path).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(decode_private_key(&text).expect("decodes").id(), key.id());
        let other = PrivateKey::from_secret_bytes(&SECRET);
        let e = write_private_key(&path, &other).expect_err("refuses to overwrite");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).expect("unchanged"), text);
    }

    #[test]
    fn generated_keys_differ_and_carry_their_name() {
        let (a, line_a) = generate("ci bot").expect("random");
        let (b, _) = generate("").expect("random");
        assert_ne!(a.id(), b.id());
        assert!(line_a.ends_with(" ci bot"));
        assert_eq!(PublicKey::parse_line(&line_a).expect("valid").id(), a.id());
    }

    fn secret_renderings(secret: &[u8; 32]) -> Vec<String> {
        vec![
            hex::encode(secret),
            hex::encode_upper(secret),
            URL_SAFE_NO_PAD.encode(secret),
            base64::engine::general_purpose::STANDARD.encode(secret),
            format!("{secret:?}"),
            format!("{:?}", &secret[..8]),
        ]
    }

    #[test]
    fn a_non_canonical_encoding_of_a_point_is_refused() {
        // y = p + 1 (p = 2^255 - 19) encodes the point of y = 1, the identity,
        // non-canonically; y = 1 itself is refused as weak.
        let mut bytes = [0xffu8; 32];
        bytes[0] = 0xee; // p + 1 = 2^255 - 18, little-endian
        bytes[31] = 0x7f;
        let line = format!("ed25519:{}", URL_SAFE_NO_PAD.encode(bytes));
        assert!(PublicKey::parse_line(&line).is_err(), "accepted {line}");
        // y = p + 4: the non-canonical form of y = 4 (whose x may or may not exist).
        let mut found = false;
        for small in 2u8..19 {
            let mut canonical = [0u8; 32];
            canonical[0] = small;
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&canonical) else { continue };
            if key.is_weak() {
                continue;
            }
            let mut alias = [0xffu8; 32];
            alias[0] = 0xed + small;
            alias[31] = 0x7f;
            if ed25519_dalek::VerifyingKey::from_bytes(&alias).is_err() {
                continue;
            }
            found = true;
            let canonical_line = format!("ed25519:{}", URL_SAFE_NO_PAD.encode(canonical));
            let alias_line = format!("ed25519:{}", URL_SAFE_NO_PAD.encode(alias));
            assert!(PublicKey::parse_line(&canonical_line).is_ok(), "{canonical_line}");
            assert!(PublicKey::parse_line(&alias_line).is_err(), "accepted {alias_line}");
            break;
        }
        assert!(found, "no small y with a non-canonical alias found");
    }

    proptest! {
        #[test]
        fn debug_never_prints_the_secret(secret in any::<[u8; 32]>()) {
            let key = PrivateKey::from_secret_bytes(&secret);
            let shown = format!("{key:?} {key:#?} {:?}", key.public());
            for rendering in secret_renderings(&secret) {
                prop_assert!(!shown.contains(&rendering), "{shown} shows {rendering}");
            }
        }

        #[test]
        fn the_public_line_parser_never_panics(line in any::<String>()) {
            let _ = PublicKey::parse_line(&line);
            let _ = PublicKey::parse_line(&format!("ed25519:{line}"));
        }

        #[test]
        fn the_private_key_parser_never_panics(text in any::<String>()) {
            let _ = decode_private_key(&text);
            let _ = decode_private_key(&format!("{PRIVATE_KEY_HEADER}\n{text}"));
        }
    }
}
