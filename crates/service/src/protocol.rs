//! The wire protocol between [`crate::Client`] and [`crate::Server`].
//!
//! **Frames.** Each message is a frame: a 4-byte big-endian length, then that many
//! bytes of JSON (one [`Request`] from the client, one [`Response`] from the
//! server). A frame longer than [`MAX_FRAME`] is refused: the server answers
//! [`Response::Error`] and closes the connection (it cannot find the next frame
//! without reading the announced bytes). A frame that is not a valid request gets
//! [`Response::Error`] and the connection stays usable.
//!
//! **Exchange.** Strictly one response per request, in order, except that
//! [`Request::Shutdown`] is answered twice: [`Response::Done`] at once, and
//! [`Response::Stopped`] once the daemon has answered every in-flight request,
//! flushed its last batch and removed its socket. A client opens with
//! [`Request::Hello`] to check the [`PROTOCOL`] version.
//!
//! **Bytes.** Stored records are UTF-8 JSON and travel as JSON strings; should a
//! damaged record not be UTF-8 it travels as `{"b64": …}` instead, so a `verify`
//! through the daemon sees exactly the stored bytes. Index keys and `meta`
//! values are binary and travel as standard base64.
//!
//! **Streams.** `scan_raw`, `index_keys`, `index_prefix` and `index_range` open a
//! cursor on the server and come back in pages of at most [`PAGE_ITEMS`] items
//! (and about [`PAGE_BYTES`] bytes); [`Request::Next`] fetches the next page, and
//! a page without a cursor is the last. The server runs the store's own iterator,
//! so items (errors in the middle of a scan included) are the ones a direct call
//! yields. A connection holds at most [`MAX_CURSORS`] open cursors; they die with
//! the connection.
//!
//! **Errors.** Read errors keep their variant where the journal has one that can
//! cross a process boundary (`Damaged`, `StaleIndex`, `Meta`, and `Conflict` for
//! appends); the others arrive as their message and become
//! `ReadError::Remote` / `AppendError::Remote`.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use trail_journal::{AppendError, Appended, Draft, Head, ReadError};

/// Bumped on any incompatible change of [`Request`] or [`Response`].
pub const PROTOCOL: u32 = 1;
/// The largest frame either side accepts, in bytes (64 MiB).
pub const MAX_FRAME: u32 = 64 * 1024 * 1024;
/// Items per page of a stream.
pub const PAGE_ITEMS: usize = 1000;
/// A page is closed once its records pass this many bytes (at least one item).
pub const PAGE_BYTES: usize = 8 * 1024 * 1024;
/// Open cursors per connection.
pub const MAX_CURSORS: usize = 64;

/// What a client asks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Hello {
        protocol: u32,
    },
    Append {
        drafts: Vec<Draft>,
    },
    Head,
    GetRaw {
        seq: u64,
    },
    /// Several records at once; answered with [`Response::Many`], which may
    /// hold fewer than asked (the first ones, up to about [`PAGE_BYTES`]):
    /// ask again for the rest.
    GetRawMany {
        seqs: Vec<u64>,
    },
    /// Opens a cursor over records `start..=end`.
    ScanRaw {
        start: u64,
        end: u64,
        reverse: bool,
    },
    /// Opens a cursor over the keys of `tree` that start with `prefix`.
    IndexPrefix {
        tree: String,
        prefix: B64,
    },
    /// Opens a cursor over the keys of `tree` in `[from, to)`.
    IndexRange {
        tree: String,
        from: B64,
        to: B64,
    },
    /// Opens a cursor over every key of `tree`.
    IndexKeys {
        tree: String,
    },
    /// The next page of an open cursor.
    Next {
        cursor: u64,
    },
    /// Drop an open cursor before its end.
    Close {
        cursor: u64,
    },
    Reindex,
    IndexesComplete,
    Acknowledged,
    Meta {
        key: String,
    },
    SetMeta {
        key: String,
        value: B64,
    },
    Status,
    Shutdown,
}

/// What the server answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "r", rename_all = "snake_case")]
pub enum Response {
    Hello {
        protocol: u32,
        pid: u32,
    },
    Appended {
        records: Vec<WireAppended>,
    },
    /// `head` (always `Some`) and `acknowledged`.
    Head {
        head: Option<WireHead>,
    },
    /// `get_raw` (record bytes) and `meta` (base64 always).
    Bytes {
        bytes: Option<Bytes>,
    },
    /// [`Request::GetRawMany`]: the bytes of the first `bytes.len()` seqs asked for.
    Many {
        bytes: Vec<Option<Bytes>>,
    },
    /// One page of a stream; `cursor` is `None` on the last page.
    Page {
        items: Vec<Item>,
        cursor: Option<u64>,
    },
    Count {
        count: u64,
    },
    Bool {
        value: bool,
    },
    Done,
    Status {
        status: serde_json::Value,
    },
    /// The second answer to [`Request::Shutdown`]: the daemon has stopped serving.
    Stopped,
    ReadError {
        error: WireReadError,
    },
    AppendError {
        error: WireAppendError,
    },
    /// The request could not be served at all (malformed, too large, unknown cursor).
    Error {
        message: String,
    },
}

/// One item of a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Record { seq: u64, bytes: Bytes },
    Key(B64),
    Error(WireReadError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireHead {
    pub seq: u64,
    pub hash: String,
}

impl From<Head> for WireHead {
    fn from(h: Head) -> Self {
        WireHead { seq: h.seq, hash: h.hash }
    }
}

impl From<WireHead> for Head {
    fn from(h: WireHead) -> Self {
        Head { seq: h.seq, hash: h.hash }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireAppended {
    pub seq: u64,
    pub hash: String,
}

impl From<Appended> for WireAppended {
    fn from(a: Appended) -> Self {
        WireAppended { seq: a.seq, hash: a.hash }
    }
}

impl From<WireAppended> for Appended {
    fn from(a: WireAppended) -> Self {
        Appended { seq: a.seq, hash: a.hash }
    }
}

/// A [`ReadError`] on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireReadError {
    Damaged { seq: u64, detail: String },
    StaleIndex { seq: u64 },
    Meta { detail: String },
    Other { message: String },
}

impl From<&ReadError> for WireReadError {
    fn from(e: &ReadError) -> Self {
        match e {
            ReadError::Damaged { seq, detail } => {
                WireReadError::Damaged { seq: *seq, detail: detail.clone() }
            }
            ReadError::StaleIndex { seq } => WireReadError::StaleIndex { seq: *seq },
            ReadError::Meta(detail) => WireReadError::Meta { detail: detail.clone() },
            other => WireReadError::Other { message: other.to_string() },
        }
    }
}

impl From<WireReadError> for ReadError {
    fn from(e: WireReadError) -> Self {
        match e {
            WireReadError::Damaged { seq, detail } => ReadError::Damaged { seq, detail },
            WireReadError::StaleIndex { seq } => ReadError::StaleIndex { seq },
            WireReadError::Meta { detail } => ReadError::Meta(detail),
            WireReadError::Other { message } => ReadError::Remote(message),
        }
    }
}

/// An [`AppendError`] on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireAppendError {
    Conflict { seq: u64 },
    Head { error: WireReadError },
    Other { message: String },
}

impl From<&AppendError> for WireAppendError {
    fn from(e: &AppendError) -> Self {
        match e {
            AppendError::Conflict { seq } => WireAppendError::Conflict { seq: *seq },
            AppendError::Head(read) => WireAppendError::Head { error: read.into() },
            other => WireAppendError::Other { message: other.to_string() },
        }
    }
}

impl From<WireAppendError> for AppendError {
    fn from(e: WireAppendError) -> Self {
        match e {
            WireAppendError::Conflict { seq } => AppendError::Conflict { seq },
            WireAppendError::Head { error } => AppendError::Head(error.into()),
            WireAppendError::Other { message } => AppendError::Remote(message),
        }
    }
}

/// Binary data as standard base64 (RFC 4648 §4, padded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct B64(pub Vec<u8>);

impl Serialize for B64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(B64)
            .map_err(|e| serde::de::Error::custom(format!("bad base64: {e}")))
    }
}

/// Bytes that are almost always UTF-8 text: a JSON string when they are, else
/// `{"b64": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bytes {
    Text(String),
    Binary { b64: B64 },
}

impl Bytes {
    /// Text when `bytes` are UTF-8, else base64.
    pub fn text_or_binary(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Bytes::Text(text),
            Err(e) => Bytes::Binary { b64: B64(e.into_bytes()) },
        }
    }

    /// Always base64 (for `meta` values, which are binary).
    pub fn binary(bytes: Vec<u8>) -> Self {
        Bytes::Binary { b64: B64(bytes) }
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Bytes::Text(text) => text.into_bytes(),
            Bytes::Binary { b64 } => b64.0,
        }
    }
}

/// Reading a frame failed.
#[derive(Debug)]
pub enum FrameError {
    /// The peer closed the connection cleanly, between frames.
    Closed,
    /// The length prefix announces more than [`MAX_FRAME`] bytes.
    TooLarge(u32),
    Io(io::Error),
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        FrameError::Io(e)
    }
}

/// Write one frame. Refuses (without writing) a body over [`MAX_FRAME`].
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> io::Result<()> {
    // One write: two would cost the peer two wake-ups.
    w.write_all(&frame(body)?)?;
    w.flush()
}

/// [`write_frame`] on a socket, with `MSG_NOSIGNAL`: a peer that hung up is an
/// `EPIPE` error here, never a `SIGPIPE` that kills a process which restored the
/// default signal disposition (as CLIs that stop quietly on a closed pipe do).
pub fn send_frame(stream: &UnixStream, body: &[u8]) -> io::Result<()> {
    let frame = frame(body)?;
    let mut sent = 0;
    while sent < frame.len() {
        match rustix::net::send(stream, &frame[sent..], no_sigpipe()) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn frame(body: &[u8]) -> io::Result<Vec<u8>> {
    let len = u32::try_from(body.len()).ok().filter(|len| *len <= MAX_FRAME).ok_or_else(|| {
        io::Error::other(format!("a message of {} bytes is too large", body.len()))
    })?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    Ok(frame)
}

#[cfg(not(any(target_os = "macos", target_os = "ios")))]
fn no_sigpipe() -> rustix::net::SendFlags {
    rustix::net::SendFlags::NOSIGNAL
}

/// Apple systems have no `MSG_NOSIGNAL`; Rust binaries ignore SIGPIPE there by default.
#[cfg(any(target_os = "macos", target_os = "ios"))]
fn no_sigpipe() -> rustix::net::SendFlags {
    rustix::net::SendFlags::empty()
}

/// Read one frame, blocking (the caller's socket timeouts apply).
pub fn read_frame(r: &mut impl Read) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let len = u32::from_be_bytes(header);
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = Vec::new();
    r.take(u64::from(len)).read_to_end(&mut body)?;
    if body.len() != len as usize {
        return Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_travel_as_text_unless_they_are_not_utf8() {
        let text = serde_json::to_string(&Bytes::text_or_binary(b"{\"a\":1}".to_vec()))
            .expect("serializes");
        assert_eq!(text, r#""{\"a\":1}""#);
        let binary =
            serde_json::to_string(&Bytes::text_or_binary(vec![0xff, 0x00])).expect("serializes");
        assert_eq!(binary, r#"{"b64":"/wA="}"#);
        for json in [text, binary] {
            let back: Bytes = serde_json::from_str(&json).expect("parses");
            let again = serde_json::to_string(&back).expect("serializes");
            assert_eq!(json, again);
        }
    }

    #[test]
    fn an_oversized_length_prefix_is_refused_before_reading() {
        let mut input: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        assert!(matches!(read_frame(&mut input), Err(FrameError::TooLarge(u32::MAX))));
    }

    #[test]
    fn a_truncated_frame_is_an_error() {
        let mut input: &[u8] = &[0, 0, 0, 10, b'{'];
        assert!(matches!(read_frame(&mut input), Err(FrameError::Io(_))));
        let mut empty: &[u8] = &[];
        assert!(matches!(read_frame(&mut empty), Err(FrameError::Closed)));
    }
}
