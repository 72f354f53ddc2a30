#!/usr/bin/env python3
"""An independent implementation of trail's authorization tokens.

Written from docs/tokens.md alone (not from trail's Rust code), with the
Python 3.11 standard library only: a pure-Python Ed25519 (RFC 8032), strict
base64url, the canonical payload, key ids, public key lines, globs, the
staged digest and the verification order of docs/tokens.md §8. Its purpose
is to show that the document is enough to interoperate with trail: it
verifies the tokens trail mints and mints tokens trail must accept.

Usage (stdout: the result; stderr: why not; exit 1 on a refusal, 2 on bad
input):

    trail_token.py keygen (--seed HEX | --key-file FILE) [--name NAME]
    trail_token.py mint (--seed HEX | --key-file FILE) --repo ID --path GLOB [--path GLOB ...]
                        [--digest HEX] [--ttl-seconds N] [--issued TIME]
                        [--reason TEXT] [--reuse] [--id HEX]
    trail_token.py verify --token T --authorizer LINE [--authorizer LINE ...]
                          --repo ID --now TIME [--path P ...] [--digest HEX]
    trail_token.py digest < lines of PATH<TAB>STATUS<TAB>BLOB-or-empty
    trail_token.py inspect --token T        (the payload, after the format check)
    trail_token.py ed25519-sign --seed HEX --message HEX
    trail_token.py ed25519-verify --public HEX --message HEX --signature HEX
    trail_token.py glob-match --glob G PATH...

This is test support: the pure-Python scalar multiplication is neither
constant-time nor fast. Never use it for real keys.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass

# ---------------------------------------------------------------------------
# Ed25519 (RFC 8032 §5.1, after the reference code of §6)
# ---------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the group order
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _inv(x: int) -> int:
    return pow(x, P - 2, P)


# Points in extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z.
Point = tuple[int, int, int, int]
IDENTITY: Point = (0, 1, 1, 0)


def _add(a: Point, b: Point) -> Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _neg(a: Point) -> Point:
    x, y, z, t = a
    return (-x % P, y, z, -t % P)


def _mul(s: int, a: Point) -> Point:
    q = IDENTITY
    while s > 0:
        if s & 1:
            q = _add(q, a)
        a = _add(a, a)
        s >>= 1
    return q


def _equal(a: Point, b: Point) -> bool:
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= P:
        return None  # RFC 8032 §5.1.3: a non-canonical y does not decode
    x2 = (y * y - 1) * _inv(D * y * y + 1) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = P - x
    return x


_GY = 4 * _inv(5) % P
_GX = _recover_x(_GY, 0)
assert _GX is not None
B: Point = (_GX, _GY, 1, _GX * _GY % P)


def compress(a: Point) -> bytes:
    x, y, z, _ = a
    zi = _inv(z)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def decompress(data: bytes) -> Point | None:
    """RFC 8032 §5.1.3 decoding; None when the bytes are no point."""
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def is_small_order(a: Point) -> bool:
    """True for the 8 points whose order divides the cofactor (identity included)."""
    return _equal(_mul(8, a), IDENTITY)


def _sha512_int(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def _expand(seed: bytes) -> tuple[int, bytes]:
    if len(seed) != 32:
        raise ValueError("an Ed25519 secret key is 32 bytes")
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def public_key(seed: bytes) -> bytes:
    a, _ = _expand(seed)
    return compress(_mul(a, B))


def sign(seed: bytes, message: bytes) -> bytes:
    """RFC 8032 §5.1.6."""
    a, prefix = _expand(seed)
    pub = compress(_mul(a, B))
    r = _sha512_int(prefix + message) % L
    rs = compress(_mul(r, B))
    k = _sha512_int(rs + pub + message) % L
    s = (r + k * a) % L
    return rs + s.to_bytes(32, "little")


def verify_strict(pub: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7 plus the strictness of docs/tokens.md §5.

    Refuses: a public key or R that does not decode (including a
    non-canonical y >= p), a public key or R of small order, S >= L; and
    checks the cofactorless equation by comparing encodings:
    encode([S]B - [k]A) == R.
    """
    if len(pub) != 32 or len(signature) != 64:
        return False
    a = decompress(pub)
    if a is None or is_small_order(a):
        return False
    r_bytes, s_bytes = signature[:32], signature[32:]
    r = decompress(r_bytes)
    if r is None or is_small_order(r):
        return False
    s = int.from_bytes(s_bytes, "little")
    if s >= L:
        return False
    k = _sha512_int(r_bytes + pub + message) % L
    check = _add(_mul(s, B), _neg(_mul(k, a)))
    return compress(check) == r_bytes


# ---------------------------------------------------------------------------
# Encodings (§1)
# ---------------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_VALUE = {c: i for i, c in enumerate(_B64)}
_HEX = re.compile(r"[0-9a-f]*\Z")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z\Z")


def b64url_encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 3):
        chunk = data[i : i + 3]
        n = int.from_bytes(chunk + b"\0" * (3 - len(chunk)), "big")
        chars = [_B64[(n >> shift) & 63] for shift in (18, 12, 6, 0)]
        out.append("".join(chars[: len(chunk) + 1]))
    return "".join(out)


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding: every byte string has one encoding."""
    if len(text) % 4 == 1:
        raise ValueError("a base64url length that is 1 mod 4")
    out = bytearray()
    for i in range(0, len(text), 4):
        chunk = text[i : i + 4]
        n = 0
        for c in chunk:
            v = _B64_VALUE.get(c)
            if v is None:
                raise ValueError(f"{c!r} is not a base64url character")
            n = (n << 6) | v
        bits = 6 * len(chunk)
        nbytes = bits // 8
        unused = bits - 8 * nbytes
        if n & ((1 << unused) - 1):
            raise ValueError("base64url with nonzero unused trailing bits")
        out += (n >> unused).to_bytes(nbytes, "big")
    return bytes(out)


def is_hex(text: str, digits: int) -> bool:
    return len(text) == digits and _HEX.match(text) is not None


def parse_time(text: str) -> _dt.datetime:
    """§1 time: exactly YYYY-MM-DDTHH:MM:SSZ (a real date and time)."""
    m = _TIME.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"{text!r} is not a time YYYY-MM-DDTHH:MM:SSZ")
    try:
        return _dt.datetime(*(int(g) for g in m.groups()), tzinfo=_dt.timezone.utc)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a valid time: {e}") from None


def format_time(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> _dt.datetime:
    """A command-line time: RFC 3339 with `Z` or an offset (fractions allowed)."""
    try:
        t = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an RFC 3339 time") from None
    if t.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return t.astimezone(_dt.timezone.utc)


# ---------------------------------------------------------------------------
# Keys (§2)
# ---------------------------------------------------------------------------


def key_id(pub: bytes) -> str:
    return hashlib.sha256(pub).hexdigest()[:16]


@dataclass(frozen=True)
class Authorizer:
    public: bytes
    name: str | None

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def line(self) -> str:
        text = "ed25519:" + b64url_encode(self.public)
        return text if self.name is None else f"{text} {self.name}"


_LINE_WS = " \t\r\n\f"


def parse_public_key_line(line: str) -> Authorizer:
    """`ed25519:<43 base64url>[ <name>]`, surrounding whitespace ignored."""
    text = line.strip(_LINE_WS)
    if not text.startswith("ed25519:"):
        raise ValueError("a public key line starts with `ed25519:`")
    encoded, rest = text[8:51], text[51:]
    if len(encoded) != 43:
        raise ValueError("a public key is 43 base64url characters")
    pub = b64url_decode(encoded)
    name = None
    if rest:
        if rest[0] not in _LINE_WS:
            raise ValueError("the key must be followed by whitespace before its name")
        name = rest.strip(_LINE_WS)
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
            raise ValueError("a key name holds no control characters")
    point = decompress(pub)
    if point is None:
        raise ValueError("the public key is not a point on the curve")
    if is_small_order(point):
        raise ValueError("the public key is a weak key (a point of small order)")
    return Authorizer(pub, name or None)


def parse_policy(lines: list[str]) -> list[Authorizer]:
    keys = [parse_public_key_line(line) for line in lines]
    seen = set()
    for key in keys:
        if key.public in seen:
            raise ValueError(f"the key {key.key_id} is listed twice")
        seen.add(key.public)
    return keys


PRIVATE_KEY_HEADER = "trail-ed25519-private-v1"


def parse_private_key_file(text: str) -> bytes:
    """§2 private key file: the header line, then base64url of the 32-byte seed.

    Lines end in `\\n`; `\\r\\n` and a missing final newline are accepted.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if len(lines) != 2 or lines[0] != PRIVATE_KEY_HEADER:
        raise ValueError(f"a private key file is `{PRIVATE_KEY_HEADER}` and one key line")
    seed = b64url_decode(lines[1])
    if len(seed) != 32:
        raise ValueError("a private key is 32 bytes")
    return seed


def parse_seed(text: str) -> bytes:
    if not is_hex(text, 64):
        raise ValueError("a seed is 32 bytes as 64 lowercase hex digits")
    return bytes.fromhex(text)


# ---------------------------------------------------------------------------
# Globs (§6)
# ---------------------------------------------------------------------------


class GlobError(ValueError):
    pass


def _byte_escape(data: bytes) -> bytes:
    return b"".join(b"\\x%02x" % b for b in data)


def compile_glob(glob: str) -> re.Pattern[bytes]:
    """Translate a §6 glob into an anchored regular expression over bytes.

    Where §6 is silent this reads it literally: `**` that is not a whole
    path component is two `*` (so one `*`); `{…}` may nest and may hold `**`
    components; `^` after `[` is an ordinary byte; `\\` escapes in a class too.
    """
    if not isinstance(glob, str) or glob == "":
        raise GlobError("an empty glob")
    out: list[bytes] = []
    i, n = 0, len(glob)
    # Open braces: [whether the current alternative is empty, the boundary
    # state at the `{`].
    braces: list[list] = []
    # The boundary state before the next glob character: "start" (the start of
    # the path), "slash" (just after an unescaped `/`), or None (mid-component).
    # `**` is special only as a whole component.
    boundary: str | None = "start"

    def filled() -> None:
        if braces:
            braces[-1][0] = False

    while i < n:
        c = glob[i]
        before, boundary = boundary, None
        if c == "\\":
            if i + 1 >= n:
                raise GlobError("a trailing `\\`")
            out.append(_byte_escape(glob[i + 1].encode()))
            i += 2
            filled()
            continue
        if c == "*":
            run = 1
            while i + run < n and glob[i + run] == "*":
                run += 1
            nxt = glob[i + run] if i + run < n else ""
            ends = nxt in ("", "/") or (bool(braces) and nxt in (",", "}"))
            if run == 2 and before is not None and ends:
                if nxt == "/":
                    # `**/` matches any number (zero included) of components.
                    out.append(b"(?:.*/)?")
                    i += 3
                    boundary = "slash"
                else:
                    # `**` alone matches everything; `a/**` everything inside `a`.
                    out.append(b".*" if before == "start" else b".+")
                    i += 2
            else:
                out.append(b"[^/]*")
                i += run
            filled()
            continue
        if c == "?":
            out.append(b"[^/]")
            i += 1
            filled()
            continue
        if c == "[":
            i, piece = _compile_class(glob, i)
            out.append(piece)
            filled()
            continue
        if c == "{":
            filled()
            braces.append([True, before])
            out.append(b"(?:")
            i += 1
            boundary = before
            continue
        if c == "," and braces:
            if braces[-1][0]:
                raise GlobError("an empty `{…}` alternative")
            out.append(b"|")
            braces[-1][0] = True
            boundary = braces[-1][1]
            i += 1
            continue
        if c == "}" and braces:
            if braces.pop()[0]:
                raise GlobError("an empty `{…}` alternative")
            out.append(b")")
            i += 1
            continue
        if c == "/":
            boundary = "slash"
        out.append(_byte_escape(c.encode()))
        i += 1
        filled()
    if braces:
        raise GlobError("an unclosed `{`")
    return re.compile(b"".join(out) + rb"\Z", re.DOTALL)


def _compile_class(glob: str, start: int) -> tuple[int, bytes]:
    i = start + 1
    negate = False
    if i < len(glob) and glob[i] in "!^":
        negate = True
        i += 1
    items: list[tuple[int, int]] = []
    first = True
    while True:
        if i >= len(glob):
            raise GlobError("an unclosed `[`")
        c = glob[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c in "\\[":
            raise GlobError("a class holds only ASCII characters other than `\\` and `[`")
        lo = c
        i += 1
        hi = lo
        if i + 1 < len(glob) and glob[i] == "-" and glob[i + 1] != "]":
            hi = glob[i + 1]
            if hi in "\\[":
                raise GlobError("a class holds only ASCII characters other than `\\` and `[`")
            i += 2
        if ord(lo) > 0x7F or ord(hi) > 0x7F:
            raise GlobError("a class matches one byte: non-ASCII in `[…]`")
        if ord(lo) > ord(hi):
            raise GlobError(f"a reversed range {lo}-{hi}")
        items.append((ord(lo), ord(hi)))
    body = b"".join(
        _byte_escape(bytes([lo])) + (b"-" + _byte_escape(bytes([hi])) if hi != lo else b"")
        for lo, hi in items
    )
    if negate:
        return i, b"[^" + body + b"/]"
    return i, b"(?!/)[" + body + b"]"


def glob_matches(glob: str, path: bytes) -> bool:
    return compile_glob(glob).match(path) is not None


# ---------------------------------------------------------------------------
# Payload (§4) and token text (§3)
# ---------------------------------------------------------------------------

REQUIRED = {"exp", "iat", "id", "key", "paths", "reason", "repo", "v"}
OPTIONAL = {"digest", "reuse"}
MAX_TOKEN_BYTES = 8192
_TOKEN_WS = " \t\r\n\f"


class Refusal(Exception):
    """A token refused at one of the §8 checks."""

    def __init__(self, check: str, detail: str):
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail


def canonical_payload(claims: dict) -> bytes:
    """RFC 8785 for this restricted content (§4; Python's json does it)."""
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate member {k!r}")
        obj[k] = v
    return obj


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def validate_claims(claims: object) -> dict:
    """The member rules of §4 (not the canonical form); raise ValueError."""
    if not isinstance(claims, dict):
        raise ValueError("the payload is not a JSON object")
    keys = set(claims)
    if REQUIRED - keys:
        raise ValueError(f"missing members {sorted(REQUIRED - keys)}")
    if keys - REQUIRED - OPTIONAL:
        raise ValueError(f"unknown members {sorted(keys - REQUIRED - OPTIONAL)}")
    v = claims["v"]
    if type(v) is not int or v != 1:
        raise ValueError("`v` is not the integer 1")
    if "reuse" in claims and claims["reuse"] is not True:
        raise ValueError("`reuse` is present but not `true`")
    if "digest" in claims and not (isinstance(claims["digest"], str) and is_hex(claims["digest"], 64)):
        raise ValueError("`digest` is not 64 lowercase hex digits")
    if not (isinstance(claims["id"], str) and is_hex(claims["id"], 32)):
        raise ValueError("`id` is not 32 lowercase hex digits")
    if not (isinstance(claims["key"], str) and is_hex(claims["key"], 16)):
        raise ValueError("`key` is not 16 lowercase hex digits")
    if not isinstance(claims["reason"], str):
        raise ValueError("`reason` is not a string")
    if not (isinstance(claims["repo"], str) and claims["repo"]):
        raise ValueError("`repo` is not a non-empty string")
    iat, exp = parse_time(claims["iat"]), parse_time(claims["exp"])
    if not exp > iat:
        raise ValueError("`exp` is not later than `iat`")
    paths = claims["paths"]
    if not (isinstance(paths, list) and paths):
        raise ValueError("`paths` is not a non-empty array")
    for glob in paths:
        if not isinstance(glob, str):
            raise ValueError("`paths` holds a non-string")
        try:
            compile_glob(glob)
        except GlobError as e:
            raise ValueError(f"invalid glob {glob!r}: {e}") from None
    return claims


@dataclass
class Token:
    text: str
    payload: bytes
    signature: bytes
    claims: dict


def parse_token(text: str) -> Token:
    """Check 1 of §8, format; raise Refusal("format", …)."""
    try:
        if len(text.encode("utf-8", "surrogateescape")) > MAX_TOKEN_BYTES:
            raise ValueError(f"longer than {MAX_TOKEN_BYTES} bytes")
        body = text.strip(_TOKEN_WS)
        parts = body.split(".")
        if len(parts) != 3:
            raise ValueError("a token has exactly two dots")
        prefix, payload_b64, signature_b64 = parts
        if prefix != "trail1":
            raise ValueError("a token starts with `trail1.`")
        payload = b64url_decode(payload_b64)
        signature = b64url_decode(signature_b64)
        if len(signature) != 64:
            raise ValueError("the signature is not 64 bytes")
        try:
            decoded = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the payload is not UTF-8") from None
        try:
            claims = json.loads(
                decoded, object_pairs_hook=_no_duplicates, parse_constant=_no_constants
            )
        except json.JSONDecodeError as e:
            raise ValueError(f"the payload is not JSON: {e}") from None
        validate_claims(claims)
        try:
            canonical = canonical_payload(claims)
        except UnicodeEncodeError:
            raise ValueError("the payload escapes a lone surrogate") from None
        if canonical != payload:
            raise ValueError("the payload is not in canonical form (RFC 8785)")
    except ValueError as e:
        raise Refusal("format", str(e)) from None
    return Token(body, payload, signature, claims)


def mint(
    seed: bytes,
    repo: str,
    paths: list[str],
    issued: _dt.datetime,
    ttl_seconds: int,
    reason: str = "",
    digest: str | None = None,
    reuse: bool = False,
    token_id: str | None = None,
) -> str:
    pub = public_key(seed)
    issued = issued.replace(microsecond=0)
    claims: dict = {
        "exp": format_time(issued + _dt.timedelta(seconds=ttl_seconds)),
        "iat": format_time(issued),
        "id": token_id if token_id is not None else os.urandom(16).hex(),
        "key": key_id(pub),
        "paths": list(paths),
        "reason": reason,
        "repo": repo,
        "v": 1,
    }
    if digest is not None:
        claims["digest"] = digest
    if reuse:
        claims["reuse"] = True
    validate_claims(claims)
    payload = canonical_payload(claims)
    text = "trail1." + b64url_encode(payload) + "." + b64url_encode(sign(seed, payload))
    parse_token(text)  # what we mint, we accept
    return text


# ---------------------------------------------------------------------------
# Staged digest (§7)
# ---------------------------------------------------------------------------

EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def staged_digest(changes: list[tuple[bytes, str, str | None]]) -> str:
    lines = []
    for path, status, blob in changes:
        if status not in ("A", "M", "D", "T"):
            raise ValueError(f"status {status!r} is not one of A M D T")
        if status == "D":
            if blob:
                raise ValueError(f"a deletion has no blob id ({path!r})")
            blob = ""
        elif not (blob and (is_hex(blob, 40) or is_hex(blob, 64))):
            raise ValueError(f"{path!r}: a blob id is 40 or 64 lowercase hex digits")
        if not path or b"\0" in path:
            raise ValueError("a path is non-empty and holds no NUL")
        lines.append(path + b"\0" + status.encode() + b"\0" + blob.encode() + b"\n")
    return hashlib.sha256(b"".join(sorted(lines))).hexdigest()


# ---------------------------------------------------------------------------
# Verification (§8)
# ---------------------------------------------------------------------------

SKEW = _dt.timedelta(seconds=60)


def verify(
    text: str,
    authorizers: list[Authorizer],
    now: _dt.datetime,
    repo: str,
    paths: list[bytes],
    digest: str | None,
) -> Token:
    """§8 checks 1-7 in order; raise Refusal at the first failure.

    Check 8 (single use) needs the repository's journal and is not made here.
    """
    token = parse_token(text)
    claims = token.claims
    candidates = [a for a in authorizers if a.key_id == claims["key"]]
    if not candidates:
        raise Refusal("known key", f"no authorizer has key id {claims['key']}")
    if not any(verify_strict(a.public, token.payload, token.signature) for a in candidates):
        raise Refusal("signature", "the signature does not verify with that key")
    iat, exp = parse_time(claims["iat"]), parse_time(claims["exp"])
    if not (iat - SKEW <= now <= exp + SKEW):
        raise Refusal("time window", f"{format_time(now)} is outside {claims['iat']}..{claims['exp']} ±60 s")
    if claims["repo"] != repo:
        raise Refusal("repository", f"the token is for {claims['repo']!r}, not {repo!r}")
    globs = [compile_glob(g) for g in claims["paths"]]
    for path in paths:
        if not any(g.match(path) for g in globs):
            raise Refusal("paths covered", f"no glob of the token matches {path!r}")
    if "digest" in claims and claims["digest"] != digest:
        raise Refusal("digest", f"the token binds {claims['digest']}, the change is {digest}")
    return token


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trail_token.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("keygen", help="print the public key line and key id of a seed")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--seed", help="the 32-byte secret key, hex")
    key.add_argument("--key-file", help="a private key file (§2), e.g. trail's")
    p.add_argument("--name")

    p = sub.add_parser("mint", help="print a token")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--seed", help="the 32-byte secret key, hex")
    key.add_argument("--key-file", help="a private key file (§2), e.g. trail's")
    p.add_argument("--repo", required=True)
    p.add_argument("--path", action="append", required=True)
    p.add_argument("--digest")
    p.add_argument("--ttl-seconds", type=int, default=7200)
    p.add_argument("--issued", help="RFC 3339 (default: now)")
    p.add_argument("--reason", default="")
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--id", dest="token_id")

    p = sub.add_parser("verify", help="check a token in the order of §8")
    p.add_argument("--token", required=True)
    p.add_argument("--authorizer", action="append", default=[])
    p.add_argument("--repo", required=True)
    p.add_argument("--now", required=True)
    p.add_argument("--path", action="append", default=[])
    p.add_argument("--digest")

    sub.add_parser("digest", help="the staged digest of PATH<TAB>STATUS<TAB>BLOB lines on stdin")

    p = sub.add_parser("inspect", help="print the payload of a well-formed token")
    p.add_argument("--token", required=True)

    p = sub.add_parser("ed25519-sign", help="public key and signature, hex")
    p.add_argument("--seed", required=True)
    p.add_argument("--message", default="")

    p = sub.add_parser("ed25519-verify", help="strict verification, hex arguments")
    p.add_argument("--public", required=True)
    p.add_argument("--message", default="")
    p.add_argument("--signature", required=True)

    p = sub.add_parser("glob-match", help="say which PATHs a glob matches")
    p.add_argument("--glob", required=True)
    p.add_argument("paths", nargs="*")
    return parser


def _hex_arg(text: str, what: str) -> bytes:
    if not is_hex(text, len(text)) or len(text) % 2:
        raise ValueError(f"{what} is not lowercase hex")
    return bytes.fromhex(text)


def _secret(args: argparse.Namespace) -> bytes:
    if args.key_file is not None:
        with open(args.key_file, encoding="utf-8") as f:
            return parse_private_key_file(f.read())
    return parse_seed(args.seed)


def _run(args: argparse.Namespace) -> int:
    if args.command == "keygen":
        pub = public_key(_secret(args))
        print(Authorizer(pub, args.name).line())
        print(key_id(pub))
        return 0
    if args.command == "mint":
        issued = (
            parse_rfc3339(args.issued)
            if args.issued
            else _dt.datetime.now(_dt.timezone.utc)
        )
        if args.ttl_seconds <= 0:
            raise ValueError("--ttl-seconds must be positive")
        print(
            mint(
                _secret(args),
                args.repo,
                args.path,
                issued,
                args.ttl_seconds,
                reason=args.reason,
                digest=args.digest,
                reuse=args.reuse,
                token_id=args.token_id,
            )
        )
        return 0
    if args.command == "verify":
        authorizers = parse_policy(args.authorizer)
        now = parse_rfc3339(args.now)
        paths = [p.encode("utf-8", "surrogateescape") for p in args.path]
        try:
            token = verify(args.token, authorizers, now, args.repo, paths, args.digest)
        except Refusal as r:
            print(f"refused: {r.check}", file=sys.stderr)
            print(f"  {r.detail}", file=sys.stderr)
            return 1
        print(f"ok {token.claims['id']}")
        return 0
    if args.command == "digest":
        changes = []
        for raw in sys.stdin.buffer.read().split(b"\n"):
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw:
                continue
            fields = raw.split(b"\t")
            if len(fields) != 3:
                raise ValueError(f"not PATH<TAB>STATUS<TAB>BLOB: {raw!r}")
            path, status, blob = fields
            changes.append((path, status.decode("ascii"), blob.decode("ascii") or None))
        print(staged_digest(changes))
        return 0
    if args.command == "inspect":
        try:
            token = parse_token(args.token)
        except Refusal as r:
            print(f"refused: {r.check}", file=sys.stderr)
            print(f"  {r.detail}", file=sys.stderr)
            return 1
        sys.stdout.buffer.write(token.payload + b"\n")
        return 0
    if args.command == "ed25519-sign":
        seed = parse_seed(args.seed)
        print(public_key(seed).hex())
        print(sign(seed, _hex_arg(args.message, "--message")).hex())
        return 0
    if args.command == "ed25519-verify":
        ok = verify_strict(
            _hex_arg(args.public, "--public"),
            _hex_arg(args.message, "--message"),
            _hex_arg(args.signature, "--signature"),
        )
        if not ok:
            print("refused: signature", file=sys.stderr)
            return 1
        print("ok")
        return 0
    if args.command == "glob-match":
        pattern = compile_glob(args.glob)
        for path in args.paths:
            hit = pattern.match(path.encode("utf-8", "surrogateescape")) is not None
            print(f"{'match' if hit else 'no'}\t{path}")
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ValueError as e:
        print(f"trail_token.py: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
