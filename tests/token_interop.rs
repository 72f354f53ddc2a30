//! Interoperability of trail's authorization tokens with an independent
//! implementation written from docs/tokens.md alone: `tests/support/trail_token.py`
//! (Python standard library only, its own Ed25519). It must reproduce the
//! document's example byte for byte, verify the tokens the real `trail`
//! mints, and mint tokens the real `trail` accepts at commit time.
//!
//! Nothing here uses `trail_policy`: the point is that the document suffices.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The secret key of docs/tokens.md §9 (the bytes 00 01 … 1f).
const DOC_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const DOC_KEY_LINE: &str = "ed25519:A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg";
const DOC_KEY_ID: &str = "56475aa75463474c";
const DOC_DIGEST: &str = "53e9657187eb5d96803a4b609fca37ff0423ec38cd6c77ab1cad12303953c882";
const DOC_PAYLOAD: &str = "{\"digest\":\"53e9657187eb5d96803a4b609fca37ff0423ec38cd6c77ab1cad12303953c882\",\"exp\":\"2026-11-27T12:00:00Z\",\"iat\":\"2026-11-27T10:00:00Z\",\"id\":\"0123456789abcdef0123456789abcdef\",\"key\":\"56475aa75463474c\",\"paths\":[\".mcp.json\",\"scripts/mcp/**\"],\"reason\":\"add the docs MCP server \u{2014} reviewed by Ada\",\"repo\":\"example-repository\",\"v\":1}";
const DOC_SIGNATURE: &str = "5baf5b6572259ae9cb397d99bd77bd1d7ff701c39b9b29dd0bca2456640151df4a7e11d324cc46c374b11ab54fe2070a713152c704e94cfa22002af722e5b302";
const DOC_TOKEN: &str = "trail1.eyJkaWdlc3QiOiI1M2U5NjU3MTg3ZWI1ZDk2ODAzYTRiNjA5ZmNhMzdmZjA0MjNlYzM4Y2Q2Yzc3YWIxY2FkMTIzMDM5NTNjODgyIiwiZXhwIjoiMjAyNi0xMS0yN1QxMjowMDowMFoiLCJpYXQiOiIyMDI2LTExLTI3VDEwOjAwOjAwWiIsImlkIjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJrZXkiOiI1NjQ3NWFhNzU0NjM0NzRjIiwicGF0aHMiOlsiLm1jcC5qc29uIiwic2NyaXB0cy9tY3AvKioiXSwicmVhc29uIjoiYWRkIHRoZSBkb2NzIE1DUCBzZXJ2ZXIg4oCUIHJldmlld2VkIGJ5IEFkYSIsInJlcG8iOiJleGFtcGxlLXJlcG9zaXRvcnkiLCJ2IjoxfQ.W69bZXIlmunLOX2ZvXe9HX_3AcObmyndC8okVmQBUd9KfhHTJMxGw3SxGrVP4gcKcTFSxwTpTPoiACr3IuWzAg";

/// The seed of the authorizer the Python side plays in the commit tests.
const PY_SEED: &str = "4242424242424242424242424242424242424242424242424242424242424242";
/// A seed whose key no policy lists.
const STRANGER_SEED: &str = "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e";

/// RFC 8032 §7.1 TEST 1–3: secret key, public key, message, signature (hex).
const RFC8032: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

/// The Ed25519 group order L, little-endian.
const GROUP_ORDER_LE: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

// ---------------------------------------------------------------------------
// Helpers

fn python_module() -> PathBuf {
    manifest_dir().join("tests/support/trail_token.py")
}

/// `python3 tests/support/trail_token.py ARGS` in `cwd`.
fn py(env: &TestEnv, cwd: &Path, args: &[&str]) -> Output {
    let mut cmd = env.command("python3", cwd);
    cmd.arg(python_module()).args(args);
    run(cmd, PROCESS_TIMEOUT)
}

/// Like [`py`], with `input` on stdin.
fn py_with_input(env: &TestEnv, cwd: &Path, args: &[&str], input: &str) -> Output {
    let mut cmd = env.command("python3", cwd);
    cmd.arg(python_module()).args(args);
    run_with_input(cmd, input.as_bytes().to_vec(), PROCESS_TIMEOUT)
}

/// Run the Python CLI; panic unless it exits 0; its stdout, trimmed.
fn py_ok(env: &TestEnv, cwd: &Path, args: &[&str]) -> String {
    let out = py(env, cwd, args);
    assert_eq!(out.status, Some(0), "the Python implementation failed:\n{out}");
    out.stdout_str().trim_end().to_owned()
}

/// Assert that `out` is a refusal at `check` (exit 1, `refused: CHECK`).
#[track_caller]
fn assert_refused(out: &Output, check: &str) {
    assert_eq!(out.status, Some(1), "expected a refusal at {check:?}:\n{out}");
    assert!(
        out.stderr.lines().any(|line| line == format!("refused: {check}")),
        "expected `refused: {check}`:\n{out}"
    );
}

/// `verify` through the Python CLI.
fn py_verify(
    env: &TestEnv,
    token: &str,
    authorizer: &str,
    repo_id: &str,
    now: &str,
    paths: &[&str],
    digest: Option<&str>,
) -> Output {
    let mut args = vec![
        "verify",
        "--token",
        token,
        "--authorizer",
        authorizer,
        "--repo",
        repo_id,
        "--now",
        now,
    ];
    for path in paths {
        args.extend(["--path", path]);
    }
    if let Some(digest) = digest {
        args.extend(["--digest", digest]);
    }
    py(env, &env.root, &args)
}

/// The public key line of a seed, from the Python `keygen` (line 1 of 2).
fn py_key_line(env: &TestEnv, seed: &str, name: &str) -> String {
    let out = py_ok(env, &env.root, &["keygen", "--seed", seed, "--name", name]);
    out.lines().next().expect("a public key line").to_owned()
}

/// The current time as docs/tokens.md §1 writes it.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The repository id of docs/protection.md: the root commit reached from
/// HEAD by following first parents, full lowercase hex.
fn repo_id(env: &TestEnv, repo: &Path) -> String {
    env.git_ok(repo, ["rev-list", "--max-parents=0", "--first-parent", "HEAD"])
}

fn new_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

/// A repository with one commit (hooks not installed).
fn repo_with_a_commit(env: &TestEnv) -> PathBuf {
    let repo = new_repo(env, "app");
    std::fs::write(repo.join("README.md"), "app\n").expect("write README.md");
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "first"]);
    repo
}

/// Split a token into its three dot-separated parts.
fn parts(token: &str) -> (&str, &str, &str) {
    let mut it = token.split('.');
    let parts = (
        it.next().expect("a prefix"),
        it.next().expect("a payload"),
        it.next().expect("a signature"),
    );
    assert!(it.next().is_none(), "exactly two dots in {token}");
    parts
}

/// `text` with the character at `index` replaced by another base64url character.
fn flip_char(text: &str, index: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("still ASCII")
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (docs/tokens.md §1).
fn b64url_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            n |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(char::from(B64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// base64url without padding; panics on anything else (test input is trusted).
fn b64url_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let value = B64URL.iter().position(|b| *b == c).expect("a base64url character");
        bits = (bits << 6) | value as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    out
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The payload of a token, decoded and parsed (after the Python format check).
fn payload(env: &TestEnv, token: &str) -> serde_json::Value {
    let text = py_ok(env, &env.root, &["inspect", "--token", token]);
    serde_json::from_str(&text).expect("the payload is JSON")
}

/// Seconds between two §1 times.
fn seconds_between(from: &serde_json::Value, to: &serde_json::Value) -> i64 {
    let parse = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time string"))
            .expect("an RFC 3339 time")
    };
    (parse(to) - parse(from)).num_seconds()
}

/// The staged digest (§7) computed by the Python module from git's own view of
/// the index, for the given protected paths.
fn py_digest_from_git(env: &TestEnv, repo: &Path, protected: &[&str]) -> String {
    let raw = env.git_ok(repo, ["diff", "--cached", "--raw", "--no-renames", "--no-abbrev"]);
    let mut input = String::new();
    for line in raw.lines() {
        let (meta, path) = line.split_once('\t').expect("a raw diff line");
        if !protected.contains(&path) {
            continue;
        }
        let fields: Vec<&str> = meta.split(' ').collect();
        let status = &fields[4][..1];
        let blob = if status == "D" { "" } else { fields[3] };
        input.push_str(&format!("{path}\t{status}\t{blob}\n"));
    }
    assert_eq!(input.lines().count(), protected.len(), "every protected path is staged:\n{raw}");
    let out = py_with_input(env, repo, &["digest"], &input);
    assert_eq!(out.status, Some(0), "{out}");
    out.stdout_str().trim_end().to_owned()
}

/// `trail policy check --json` in `repo`: its one JSON object.
fn policy_check_json(env: &TestEnv, repo: &Path) -> serde_json::Value {
    let out = env.trail(repo, ["policy", "check", "--json"]);
    out.assert_code(1);
    out.json_lines().into_iter().next().expect("one JSON object")
}

// ---------------------------------------------------------------------------
// (a) The Ed25519 of the Python module and the example of docs/tokens.md §9

#[test]
fn python_ed25519_passes_the_rfc_8032_vectors() {
    let env = TestEnv::new();
    for (secret, public, message, signature) in RFC8032 {
        let out = py_ok(&env, &env.root, &["ed25519-sign", "--seed", secret, "--message", message]);
        assert_eq!(out, format!("{public}\n{signature}"), "RFC 8032 vector with secret {secret}");
        let verify = |public: &str, message: &str, signature: &str| {
            py(
                &env,
                &env.root,
                &[
                    "ed25519-verify",
                    "--public",
                    public,
                    "--message",
                    message,
                    "--signature",
                    signature,
                ],
            )
        };
        let ok = verify(public, message, signature);
        assert_eq!((ok.status, ok.stdout_str().as_str()), (Some(0), "ok\n"), "{ok}");
        assert_refused(&verify(public, "00", signature), "signature");
        assert_refused(&verify(RFC8032[0].1, "ff", RFC8032[1].3), "signature");

        // S + L: the same equation, but S is not canonical (RFC 8032 §5.1.7).
        let mut sig = hex_decode(signature);
        let mut carry = 0u16;
        for (byte, l) in sig[32..].iter_mut().zip(GROUP_ORDER_LE) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0);
        assert_refused(&verify(public, message, &hex_encode(&sig)), "signature");
    }

    // The identity as public key and as R, with S = 0, satisfies the
    // equation for every message: verify_strict refuses small-order points.
    let identity = format!("01{}", "00".repeat(31));
    let forged = format!("{identity}{}", "00".repeat(32));
    assert_refused(
        &py(
            &env,
            &env.root,
            &["ed25519-verify", "--public", &identity, "--message", "", "--signature", &forged],
        ),
        "signature",
    );
}

#[test]
fn python_reproduces_the_docs_example_byte_for_byte() {
    let env = TestEnv::new();
    let keygen = py_ok(&env, &env.root, &["keygen", "--seed", DOC_SEED]);
    assert_eq!(keygen, format!("{DOC_KEY_LINE}\n{DOC_KEY_ID}"));
    let named = py_ok(&env, &env.root, &["keygen", "--seed", DOC_SEED, "--name", "ada"]);
    assert_eq!(named, format!("{DOC_KEY_LINE} ada\n{DOC_KEY_ID}"));

    // The staged digest of the example change, and of no change.
    let lines = ".mcp.json\tM\t8f4e2b1c0d9a7e6f5a4b3c2d1e0f9a8b7c6d5e4f\n\
                 scripts/mcp/docs.sh\tA\t1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c\n";
    let digest = py_with_input(&env, &env.root, &["digest"], lines);
    assert_eq!(digest.stdout_str(), format!("{DOC_DIGEST}\n"), "{digest}");
    let empty = py_with_input(&env, &env.root, &["digest"], "");
    assert_eq!(
        empty.stdout_str(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
        "{empty}"
    );

    // Minting the example's claims gives the example's token.
    let token = py_ok(
        &env,
        &env.root,
        &[
            "mint",
            "--seed",
            DOC_SEED,
            "--repo",
            "example-repository",
            "--path",
            ".mcp.json",
            "--path",
            "scripts/mcp/**",
            "--digest",
            DOC_DIGEST,
            "--issued",
            "2026-11-27T10:00:00Z",
            "--ttl-seconds",
            "7200",
            "--reason",
            "add the docs MCP server \u{2014} reviewed by Ada",
            "--id",
            "0123456789abcdef0123456789abcdef",
        ],
    );
    assert_eq!(token, DOC_TOKEN);
    let (prefix, payload_b64, signature_b64) = parts(DOC_TOKEN);
    assert_eq!(prefix, "trail1");
    let payload_bytes = b64url_decode(payload_b64);
    assert_eq!(payload_bytes.len(), 328);
    assert_eq!(payload_bytes, DOC_PAYLOAD.as_bytes());
    assert_eq!(hex_encode(&b64url_decode(signature_b64)), DOC_SIGNATURE);
    let inspected = py_ok(&env, &env.root, &["inspect", "--token", DOC_TOKEN]);
    assert_eq!(inspected, DOC_PAYLOAD);
    // The bare Ed25519 signature over the payload bytes is the documented one.
    let signed = py_ok(
        &env,
        &env.root,
        &["ed25519-sign", "--seed", DOC_SEED, "--message", &hex_encode(DOC_PAYLOAD.as_bytes())],
    );
    assert_eq!(signed.lines().nth(1), Some(DOC_SIGNATURE));

    // It verifies from 09:59:00Z to 12:01:00Z, bounds included, and not outside.
    let changed = [".mcp.json", "scripts/mcp/docs.sh"];
    let verify = |token: &str, now: &str, paths: &[&str], digest: Option<&str>, repo: &str| {
        py_verify(&env, token, DOC_KEY_LINE, repo, now, paths, digest)
    };
    let example =
        |now: &str| verify(DOC_TOKEN, now, &changed, Some(DOC_DIGEST), "example-repository");
    for now in ["2026-11-27T09:59:00Z", "2026-11-27T11:00:00Z", "2026-11-27T12:01:00Z"] {
        let out = example(now);
        assert_eq!(out.stdout_str(), "ok 0123456789abcdef0123456789abcdef\n", "{out}");
    }
    for now in ["2026-11-27T09:58:59Z", "2026-11-27T12:01:01Z"] {
        assert_refused(&example(now), "time window");
    }
    let at = "2026-11-27T11:00:00Z";
    assert_refused(&verify(DOC_TOKEN, at, &changed, Some(DOC_DIGEST), "other"), "repository");
    assert_refused(
        &verify(
            DOC_TOKEN,
            at,
            &[".mcp.json", "scripts/docs.sh"],
            Some(DOC_DIGEST),
            "example-repository",
        ),
        "paths covered",
    );
    let other_digest = "0".repeat(64);
    assert_refused(
        &verify(DOC_TOKEN, at, &changed, Some(&other_digest), "example-repository"),
        "digest",
    );
    // Surrounding ASCII whitespace is ignored.
    let padded = format!(" \t{DOC_TOKEN}\r\n");
    let out = verify(&padded, at, &changed, Some(DOC_DIGEST), "example-repository");
    assert_eq!(out.status, Some(0), "{out}");
}

#[test]
fn python_refuses_malformed_tokens_at_format() {
    let env = TestEnv::new();
    let at = "2026-11-27T11:00:00Z";
    let check = |token: &str| {
        py_verify(&env, token, DOC_KEY_LINE, "example-repository", at, &[".mcp.json"], None)
    };
    let (_, payload_b64, signature_b64) = parts(DOC_TOKEN);
    let payload_of =
        |json: &str| format!("trail1.{}.{signature_b64}", b64url_encode(json.as_bytes()));
    for bad in [
        format!("trail2.{payload_b64}.{signature_b64}"),
        format!("{DOC_TOKEN}="),
        format!("{DOC_TOKEN}.x"),
        format!("trail1.{payload_b64}.{}", &signature_b64[..84]),
        // Over 8192 bytes (checked before the signature).
        payload_of(&DOC_PAYLOAD.replacen("reviewed by Ada", &"x".repeat(6200), 1)),
        // Not canonical: a space, members out of order, an escaped `/`, `v` as 1.0.
        payload_of(&DOC_PAYLOAD.replacen(":", ": ", 1)),
        payload_of(&DOC_PAYLOAD.replacen(
            "\"exp\":\"2026-11-27T12:00:00Z\",\"iat\":\"2026-11-27T10:00:00Z\"",
            "\"iat\":\"2026-11-27T10:00:00Z\",\"exp\":\"2026-11-27T12:00:00Z\"",
            1,
        )),
        payload_of(&DOC_PAYLOAD.replacen("scripts/mcp", "scripts\\/mcp", 1)),
        payload_of(&DOC_PAYLOAD.replacen("\"v\":1", "\"v\":1.0", 1)),
        // An unknown member, `exp` not after `iat`, an invalid glob.
        payload_of(&DOC_PAYLOAD.replacen("\"v\":1", "\"v\":1,\"w\":1", 1)),
        payload_of(&DOC_PAYLOAD.replacen("12:00:00Z", "10:00:00Z", 1)),
        payload_of(&DOC_PAYLOAD.replacen("scripts/mcp/**", "scripts/mcp/[", 1)),
    ] {
        assert_refused(&check(&bad), "format");
    }
}

// ---------------------------------------------------------------------------
// (b) The Python module verifies the tokens the real trail mints

#[test]
fn python_verifies_the_tokens_trail_mints() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    let keygen = env.trail_ok(&repo, ["keygen", "--name", "ada"]);
    let line = keygen.stdout_str().trim_end().to_owned();
    assert!(line.starts_with("ed25519:") && line.ends_with(" ada"), "{keygen}");
    // trail's private key file (§2) read by the Python side: the same public
    // key line, and the key id the tokens name.
    let key_file = env.config_home.join("trail/keys/ada.key");
    let key_file = key_file.to_str().expect("a UTF-8 path");
    let derived = py_ok(&env, &env.root, &["keygen", "--key-file", key_file, "--name", "ada"]);
    let (derived_line, key_id) = derived.split_once('\n').expect("a line and a key id");
    assert_eq!(derived_line, line);
    let id = repo_id(&env, &repo);
    let digest = "5".repeat(64);
    let base = ["authorize", "--path", ".mcp.json", "--ttl", "2h", "--reason", "r"];
    let mint = |extra: &[&str]| {
        let out = env.trail_ok(&repo, base.iter().chain(extra));
        let token = out.stdout_str();
        assert_eq!(token.lines().count(), 1, "the token alone on stdout:\n{out}");
        token.trim_end().to_owned()
    };

    for (extra, bound) in [
        (&[][..], None),
        (&["--digest", digest.as_str()][..], Some(digest.as_str())),
        (&["--reuse"][..], None),
    ] {
        let token = mint(extra);
        let claims = payload(&env, &token);
        assert_eq!(claims["paths"], serde_json::json!([".mcp.json"]), "{claims}");
        assert_eq!(claims["reason"], "r");
        assert_eq!(claims["repo"], id.as_str());
        assert_eq!(claims["v"], 1);
        assert_eq!(claims["key"], key_id);
        assert_eq!(seconds_between(&claims["iat"], &claims["exp"]), 7200, "{claims}");
        assert_eq!(claims.get("digest").and_then(|d| d.as_str()), bound, "{claims}");
        let reuse = extra.contains(&"--reuse");
        assert_eq!(claims.get("reuse"), reuse.then_some(&serde_json::Value::Bool(true)));
        let token_id = claims["id"].as_str().expect("an id");

        let verify = |token: &str, authorizer: &str| {
            py_verify(&env, token, authorizer, &id, &now(), &[".mcp.json"], bound)
        };
        let ok = verify(&token, &line);
        assert_eq!(ok.stdout_str(), format!("ok {token_id}\n"), "{ok}");

        // One character of the signature flipped.
        let (prefix, payload_b64, signature_b64) = parts(&token);
        let bad_signature = format!("{prefix}.{payload_b64}.{}", flip_char(signature_b64, 10));
        assert_refused(&verify(&bad_signature, &line), "signature");
        // One character of the payload changed, still canonical: `"r"` → `"R"`.
        let text = String::from_utf8(b64url_decode(payload_b64)).expect("UTF-8");
        assert_eq!(text.matches("\"reason\":\"r\"").count(), 1, "{text}");
        let altered = text.replace("\"reason\":\"r\"", "\"reason\":\"R\"");
        let bad_payload = format!("{prefix}.{}.{signature_b64}", b64url_encode(altered.as_bytes()));
        assert_refused(&verify(&bad_payload, &line), "signature");
        // One character of the payload's base64 flipped: refused, whatever the check.
        let flipped = format!("{prefix}.{}.{signature_b64}", flip_char(payload_b64, 20));
        let out = verify(&flipped, &line);
        assert_eq!(out.status, Some(1), "{out}");
        assert!(out.stderr.starts_with("refused: "), "{out}");
        // A policy that lists another key.
        let stranger = py_key_line(&env, STRANGER_SEED, "eve");
        assert_refused(&verify(&token, &stranger), "known key");
        // Another repository.
        let elsewhere = py_verify(&env, &token, &line, "elsewhere", &now(), &[".mcp.json"], bound);
        assert_refused(&elsewhere, "repository");
        // A path the glob does not cover.
        let uncovered = py_verify(&env, &token, &line, &id, &now(), &["sub/.mcp.json"], bound);
        assert_refused(&uncovered, "paths covered");
    }
}

#[test]
fn python_digest_matches_trail_policy_check() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    let servers = "{\"mcpServers\": {\"docs\": {\"command\": \"node\"}}}\n";
    std::fs::write(repo.join(".mcp.json"), "{\"mcpServers\": {}}\n").expect("write");
    std::fs::write(repo.join("servers.json"), servers).expect("write");
    env.git_ok(&repo, ["add", "-A"]);
    env.git_ok(&repo, ["commit", "-q", "--no-verify", "-m", "MCP servers"]);
    // Modified, deleted, added, and one unprotected file.
    std::fs::write(repo.join(".mcp.json"), servers).expect("write");
    env.git_ok(&repo, ["rm", "-q", "servers.json"]);
    std::fs::write(repo.join("trail.toml"), "[rationale]\nrequired = false\n").expect("write");
    std::fs::write(repo.join("notes.txt"), "not protected\n").expect("write");
    env.git_ok(&repo, ["add", "-A"]);

    let check = policy_check_json(&env, &repo);
    let protected: Vec<String> = check["protected"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["path"].as_str().expect("a path").to_owned())
        .collect();
    let statuses: Vec<&str> = check["protected"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["status"].as_str().expect("a status"))
        .collect();
    assert_eq!(protected, [".mcp.json", "servers.json", "trail.toml"], "{check}");
    assert_eq!(statuses, ["M", "D", "A"], "{check}");
    let protected: Vec<&str> = protected.iter().map(String::as_str).collect();
    let digest = py_digest_from_git(&env, &repo, &protected);
    assert_eq!(check["digest"], digest.as_str(), "{check}");

    // A token bound with --staged carries that digest and verifies for it.
    let line = env.trail_ok(&repo, ["keygen", "--name", "ada"]).stdout_str().trim_end().to_owned();
    let mut args = vec!["authorize", "--staged", "--reason", "staged"];
    for path in &protected {
        args.extend(["--path", path]);
    }
    let token = env.trail_ok(&repo, &args).stdout_str().trim_end().to_owned();
    let claims = payload(&env, &token);
    assert_eq!(claims["digest"], digest.as_str(), "{claims}");
    let id = repo_id(&env, &repo);
    let ok = py_verify(&env, &token, &line, &id, &now(), &protected, Some(&digest));
    assert_eq!(ok.status, Some(0), "{ok}");
    let other = "f".repeat(64);
    assert_refused(
        &py_verify(&env, &token, &line, &id, &now(), &protected, Some(&other)),
        "digest",
    );
}

// ---------------------------------------------------------------------------
// (c) The real trail accepts the tokens the Python module mints

/// A repository where `trail init` installed the hooks and whose first
/// commit holds a trail.toml naming the Python authorizer (the bootstrap of
/// docs/protection.md: the commit that adds the first authorizers needs no
/// token). Returns the repository and the authorizer's public key line.
fn python_bootstrapped(env: &TestEnv) -> (PathBuf, String) {
    let repo = new_repo(env, "app");
    let line = py_key_line(env, PY_SEED, "python");
    std::fs::write(
        repo.join("trail.toml"),
        format!("[rationale]\nrequired = false\n\n[protect]\nauthorizers = [\"{line}\"]\n"),
    )
    .expect("write trail.toml");
    std::fs::write(repo.join("README.md"), "app\n").expect("write README.md");
    env.trail_ok(&repo, ["init"]);
    assert_eq!(
        std::fs::read_to_string(repo.join("trail.toml"))
            .expect("read trail.toml")
            .matches(&line)
            .count(),
        1,
        "trail init keeps the policy"
    );
    env.git_ok(&repo, ["add", "-A"]);
    let out = git_commit(env, &repo, "bootstrap", None);
    assert_eq!(out.status, Some(0), "the bootstrap commit is accepted without a token:\n{out}");
    assert_eq!(env.git_ok(&repo, ["show", "HEAD:trail.toml"]).matches(&line).count(), 1);
    (repo, line)
}

/// Stage a new `.mcp.json`.
fn stage_mcp_json(env: &TestEnv, repo: &Path) {
    std::fs::write(repo.join(".mcp.json"), "{\"mcpServers\": {}}\n").expect("write .mcp.json");
    env.git_ok(repo, ["add", ".mcp.json"]);
}

/// `git commit -m MESSAGE` with the hooks, and `TRAIL_TOKEN` when given.
fn git_commit(env: &TestEnv, repo: &Path, message: &str, token: Option<&str>) -> Output {
    let mut cmd = env.command("git", repo);
    cmd.args(["commit", "-m", message]).env("TRAIL_WHY", "a test").env("TRAIL_IMPACT", "none");
    if let Some(token) = token {
        cmd.env("TRAIL_TOKEN", token);
    }
    let out = run(cmd, PROCESS_TIMEOUT);
    out.assert_no_panic();
    out
}

/// A token minted by the Python module for `repo`, issued now.
fn py_mint(env: &TestEnv, repo: &Path, seed: &str, globs: &[&str], extra: &[&str]) -> String {
    let id = repo_id(env, repo);
    let mut args = vec![
        "mint",
        "--seed",
        seed,
        "--repo",
        &id,
        "--ttl-seconds",
        "3600",
        "--reason",
        "reviewed by the Python authorizer",
        "--id",
        "00112233445566778899aabbccddeeff",
    ];
    for glob in globs {
        args.extend(["--path", glob]);
    }
    args.extend(extra);
    py_ok(env, &env.root, &args)
}

/// The commit went in, with the token as a `Trail-Authorization:` trailer.
#[track_caller]
fn assert_committed_with(env: &TestEnv, repo: &Path, out: &Output, token: &str) {
    assert_eq!(out.status, Some(0), "the commit is accepted:\n{out}");
    let message = env.git_ok(repo, ["log", "-1", "--format=%B"]);
    assert!(
        message.lines().any(|l| l == format!("Trail-Authorization: {token}")),
        "the commit message carries the trailer:\n{message}"
    );
    let files = env.git_ok(repo, ["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.lines().any(|f| f == ".mcp.json"), "{files}");
}

/// The commit was refused at `check`, and HEAD did not move.
#[track_caller]
fn assert_commit_refused(env: &TestEnv, repo: &Path, out: &Output, head: &str, check: &str) {
    assert_ne!(out.status, Some(0), "the commit is refused:\n{out}");
    out.assert_stderr_has(check);
    assert_eq!(env.git_ok(repo, ["rev-parse", "HEAD"]), head, "no commit was made");
}

#[test]

fn trail_accepts_a_python_token() {
    let env = TestEnv::new();
    let (repo, _) = python_bootstrapped(&env);
    stage_mcp_json(&env, &repo);
    let token = py_mint(&env, &repo, PY_SEED, &[".mcp.json"], &[]);
    let out = git_commit(&env, &repo, "add the MCP configuration", Some(&token));
    assert_committed_with(&env, &repo, &out, &token);
}

#[test]

fn trail_refuses_a_python_token_from_a_key_not_in_the_policy() {
    let env = TestEnv::new();
    let (repo, _) = python_bootstrapped(&env);
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    stage_mcp_json(&env, &repo);
    let token = py_mint(&env, &repo, STRANGER_SEED, &[".mcp.json"], &[]);
    let out = git_commit(&env, &repo, "add the MCP configuration", Some(&token));
    assert_commit_refused(&env, &repo, &out, &head, "known key");
}

#[test]

fn trail_refuses_a_python_token_whose_globs_miss_the_change() {
    let env = TestEnv::new();
    let (repo, _) = python_bootstrapped(&env);
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    stage_mcp_json(&env, &repo);
    let token = py_mint(&env, &repo, PY_SEED, &["sub/.mcp.json", "scripts/mcp/**"], &[]);
    let out = git_commit(&env, &repo, "add the MCP configuration", Some(&token));
    assert_commit_refused(&env, &repo, &out, &head, "paths covered");
}

#[test]

fn trail_accepts_a_python_token_bound_to_the_staged_digest() {
    let env = TestEnv::new();
    let (repo, _) = python_bootstrapped(&env);
    stage_mcp_json(&env, &repo);
    let digest = policy_check_json(&env, &repo)["digest"].as_str().expect("a digest").to_owned();
    assert_eq!(digest, py_digest_from_git(&env, &repo, &[".mcp.json"]));
    let token = py_mint(&env, &repo, PY_SEED, &["**/.mcp.json"], &["--digest", &digest]);
    let out = git_commit(&env, &repo, "add the MCP configuration", Some(&token));
    assert_committed_with(&env, &repo, &out, &token);
}

/// The glob edge cases an earlier reading of docs/tokens.md §6 left open:
/// trail and the independent implementation now agree on which globs are
/// valid, and on what the valid ones match.
#[test]
fn both_sides_agree_on_the_glob_edge_cases() {
    let env = TestEnv::new();
    let repo = repo_with_a_commit(&env);
    env.trail_ok(&repo, ["keygen", "--name", "ada"]);
    for (glob, valid) in [
        ("{a,}", false),
        ("{,a}", false),
        ("x{a,,b}", false),
        ("[\\]]", false),
        ("[é]", false),
        ("[[:alpha:]]", false),
        ("[^a]", true),
        ("[!a]", true),
        ("[]a]", true),
        ("{a,b}", true),
    ] {
        let trail = env.trail(&repo, ["authorize", "--path", glob]);
        let python = py(&env, &repo, &["glob-match", "--glob", glob, "b"]);
        assert_eq!(trail.status == Some(0), valid, "trail on {glob}: {trail}");
        assert_eq!(python.status == Some(0), valid, "python on {glob}: {python}");
    }
    // `[^a]` negates on both sides.
    let out = py_ok(&env, &repo, &["glob-match", "--glob", "[^a]", "a", "b"]);
    assert_eq!(out, "no\ta\nmatch\tb", "{out}");
}
