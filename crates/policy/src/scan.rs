//! [`content_signature`] of content too large to hold in memory, read a
//! piece at a time.
//!
//! Past [`MAX_PARSE`] bytes (or [`MAX_CONFIG`] for a JSON object),
//! [`content_signature`] parses nothing: it looks for MCP markers anywhere in
//! the bytes ([`Signature::Oversized`]). That needs only what a scan gathers —
//! whether the content opens as a JSON object, its size, and which markers
//! and escapes occur — so a 2 GiB staged file is checked in constant memory.
//! Below those sizes the content is parsed, and the caller reads it whole
//! ([`Scanned::Parse`]; it is then at most [`MAX_CONFIG`] bytes).

use memchr::memmem;

use crate::decide::{MARKERS, Signature, extension};
use crate::{MAX_CONFIG, MAX_PARSE};

/// What [`ContentScan::finish`] concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scanned {
    /// [`content_signature`]'s answer for this content.
    Signature(Option<Signature>),
    /// [`content_signature`] would parse this content: read it whole and
    /// call it (the content is at most [`MAX_CONFIG`] bytes).
    Parse,
}

/// Beyond [`MARKERS`]: `extensions` and `cmd` together mark a Goose recipe;
/// `\u` and `\U` escapes could spell a key in a config-like file.
const EXTENSIONS: usize = MARKERS.len();
const CMD: usize = MARKERS.len() + 1;
const ESCAPE_LOWER: usize = MARKERS.len() + 2;
const ESCAPE_UPPER: usize = MARKERS.len() + 3;
const NEEDLES: usize = MARKERS.len() + 4;

fn needle(i: usize) -> &'static [u8] {
    match i {
        EXTENSIONS => b"extensions",
        CMD => b"cmd",
        ESCAPE_LOWER => b"\\u",
        ESCAPE_UPPER => b"\\U",
        _ => MARKERS[i],
    }
}

/// The longest needle less one: the bytes of one piece kept to find a
/// needle that straddles two pieces.
const OVERLAP: usize = 14;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the search for the content's first significant byte stands
/// (`jsonc::first_significant`: blanks and `//`/`/* */` comments skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    Blank,
    /// A `/` that may open a comment.
    Slash,
    LineComment,
    /// Inside `/* */`; `true` just after a `*`.
    BlockComment(bool),
    /// The first significant byte.
    Found(u8),
}

/// [`content_signature`] of content fed in order, a piece at a time.
#[derive(Debug, Clone)]
pub struct ContentScan {
    /// The first bytes, held until the byte-order marks are known (up to
    /// two are stripped, as `content_signature` then `looks_like_object` do).
    head: Vec<u8>,
    head_done: bool,
    /// Size after the first byte-order mark (what `content_signature` measures).
    size: u64,
    lead: Lead,
    found: [bool; NEEDLES],
    /// The last [`OVERLAP`] bytes seen.
    tail: Vec<u8>,
}

impl Default for ContentScan {
    fn default() -> Self {
        ContentScan::new()
    }
}

impl ContentScan {
    pub fn new() -> ContentScan {
        ContentScan {
            head: Vec::new(),
            head_done: false,
            size: 0,
            lead: Lead::Blank,
            found: [false; NEEDLES],
            tail: Vec::with_capacity(2 * OVERLAP),
        }
    }

    /// The next piece of the content.
    pub fn feed(&mut self, piece: &[u8]) {
        if piece.is_empty() {
            return;
        }
        self.search(piece);
        if self.head_done {
            self.size += piece.len() as u64;
            self.advance_lead(piece);
            return;
        }
        let wanted = 2 * BOM.len() - self.head.len();
        let (head, rest) = piece.split_at(wanted.min(piece.len()));
        self.head.extend_from_slice(head);
        if self.head.len() == 2 * BOM.len() {
            self.settle_head();
            self.size += rest.len() as u64;
            self.advance_lead(rest);
        }
    }

    /// What [`content_signature`] says of the content at `path` fed so far.
    pub fn finish(mut self, path: &[u8]) -> Scanned {
        let json = self.first_significant() == Some(b'{');
        let ext = extension(path);
        let config_like =
            matches!(ext.as_deref(), Some("json" | "jsonc" | "json5" | "toml" | "yaml" | "yml"));
        let (limit, config_like) = if json { (MAX_CONFIG, true) } else { (MAX_PARSE, config_like) };
        if self.size <= limit as u64 {
            return Scanned::Parse;
        }
        let marked = self.found[..MARKERS.len()].iter().any(|&f| f)
            || (self.found[EXTENSIONS] && self.found[CMD]);
        let escape = self.found[ESCAPE_LOWER] || self.found[ESCAPE_UPPER];
        Scanned::Signature((marked || (config_like && escape)).then_some(Signature::Oversized))
    }

    /// The content's first significant byte (see [`Lead`]), once all is fed.
    fn first_significant(&mut self) -> Option<u8> {
        if !self.head_done {
            self.settle_head();
        }
        match self.lead {
            Lead::Found(b) => Some(b),
            // A lone `/` at the very end is significant.
            Lead::Slash => Some(b'/'),
            _ => None,
        }
    }

    fn search(&mut self, piece: &[u8]) {
        // Needles straddling the previous piece and this one.
        let mut seam = std::mem::take(&mut self.tail);
        let joined = seam.len();
        seam.extend_from_slice(&piece[..OVERLAP.min(piece.len())]);
        for i in 0..NEEDLES {
            if !self.found[i] {
                let n = needle(i);
                self.found[i] = (joined > 0 && memmem::find(&seam, n).is_some())
                    || memmem::find(piece, n).is_some();
            }
        }
        // The new tail: the last OVERLAP bytes of the old tail and this piece.
        if piece.len() >= OVERLAP {
            seam.clear();
            seam.extend_from_slice(&piece[piece.len() - OVERLAP..]);
        } else {
            seam.truncate(joined + piece.len());
            let excess = seam.len().saturating_sub(OVERLAP);
            seam.drain(..excess);
        }
        self.tail = seam;
    }

    /// Strip the byte-order marks from the first bytes and start looking
    /// for the first significant byte.
    fn settle_head(&mut self) {
        self.head_done = true;
        let head = std::mem::take(&mut self.head);
        let once = head.strip_prefix(BOM).unwrap_or(&head);
        self.size += once.len() as u64;
        let twice = once.strip_prefix(BOM).unwrap_or(once);
        self.advance_lead(twice);
    }

    fn advance_lead(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.lead = match self.lead {
                Lead::Found(_) => return,
                Lead::Blank if b.is_ascii_whitespace() => Lead::Blank,
                Lead::Blank if b == b'/' => Lead::Slash,
                Lead::Blank => Lead::Found(b),
                Lead::Slash if b == b'/' => Lead::LineComment,
                Lead::Slash if b == b'*' => Lead::BlockComment(false),
                Lead::Slash => Lead::Found(b'/'),
                Lead::LineComment if b == b'\n' => Lead::Blank,
                Lead::LineComment => Lead::LineComment,
                Lead::BlockComment(true) if b == b'/' => Lead::Blank,
                Lead::BlockComment(_) => Lead::BlockComment(b == b'*'),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_signature;
    use crate::jsonc::{first_significant, strip_bom};
    use proptest::prelude::*;

    /// The scan's answer for `content` fed in pieces of `piece` bytes.
    fn scanned(path: &[u8], content: &[u8], piece: usize) -> Scanned {
        let mut scan = ContentScan::new();
        for chunk in content.chunks(piece) {
            scan.feed(chunk);
        }
        scan.finish(path)
    }

    /// Whatever the piece size, the scan agrees with `content_signature`
    /// (or asks for the content to be parsed, where that parses it).
    fn agrees(path: &[u8], content: &[u8]) {
        let whole = content_signature(path, content);
        for piece in [4093, 65536, content.len().max(1)] {
            match scanned(path, content, piece) {
                Scanned::Signature(signature) => assert_eq!(
                    signature,
                    whole,
                    "{} of {} bytes in pieces of {piece}",
                    String::from_utf8_lossy(path),
                    content.len()
                ),
                Scanned::Parse => {
                    let stripped = content.strip_prefix(BOM).unwrap_or(content);
                    assert!(stripped.len() <= MAX_CONFIG, "parse only what may be parsed");
                }
            }
        }
    }

    fn padded(prefix: &[u8], fill: u8, len: usize, suffix: &[u8]) -> Vec<u8> {
        let mut content = prefix.to_vec();
        content.resize(len - suffix.len(), fill);
        content.extend_from_slice(suffix);
        content
    }

    #[test]
    fn a_marker_anywhere_in_large_content_is_found_across_pieces() {
        let len = MAX_PARSE + 100;
        for marker in MARKERS {
            for at in [0, 1, 4093 - 3, 4093 * 7 - 1, 65536 - 5, len / 2, len - marker.len()] {
                let mut content = vec![b'a'; len];
                content[at..at + marker.len()].copy_from_slice(marker);
                assert_eq!(
                    scanned(b"big.bin", &content, 65536),
                    Scanned::Signature(Some(Signature::Oversized)),
                    "{} at {at}",
                    String::from_utf8_lossy(marker)
                );
                agrees(b"big.bin", &content);
            }
        }
        agrees(b"big.bin", &vec![b'a'; len]);
    }

    #[test]
    fn goose_keys_and_escapes_count_as_content_signature_counts_them() {
        let len = MAX_PARSE + 100;
        let both = padded(b"extensions ", b' ', len, b" cmd");
        agrees(b"recipe.txt", &both);
        agrees(b"recipe.txt", &padded(b"extensions ", b' ', len, b""));
        // An escape counts in a config-like file only.
        agrees(b"x.toml", &padded(b"\\u006d", b' ', len, b""));
        agrees(b"x.bin", &padded(b"\\U006d", b' ', len, b""));
    }

    proptest! {
        /// Every needle is found wherever the pieces split it.
        #[test]
        fn needles_are_found_across_pieces(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"mcpServers"[..]), Just(&b"context_servers"[..]), Just(&b"\"mcp."[..]),
                    Just(&b"mcp"[..]), Just(&b"Servers"[..]), Just(&b"extens"[..]),
                    Just(&b"ions"[..]), Just(&b"cm"[..]), Just(&b"d"[..]), Just(&b"\\"[..]),
                    Just(&b"u"[..]), Just(&b"U"[..]), Just(&b"\""[..]), Just(&b" "[..]),
                ],
                0..16,
            ),
            piece in 1usize..20,
        ) {
            let content = parts.concat();
            let mut scan = ContentScan::new();
            for chunk in content.chunks(piece) {
                scan.feed(chunk);
            }
            for i in 0..NEEDLES {
                prop_assert_eq!(
                    scan.found[i],
                    memmem::find(&content, needle(i)).is_some(),
                    "{}", String::from_utf8_lossy(needle(i))
                );
            }
        }

        /// The first significant byte, whatever the pieces: as `content_signature`
        /// finds it (one byte-order mark stripped, then another).
        #[test]
        fn the_first_significant_byte_is_found_across_pieces(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b" "[..]), Just(&b"\n"[..]), Just(&b"/"[..]), Just(&b"*"[..]),
                    Just(&b"{"[..]), Just(&b"x"[..]), Just(&b"\xEF\xBB\xBF"[..]),
                    Just(&b"\xEF"[..]), Just(&b"//"[..]), Just(&b"/*"[..]), Just(&b"*/"[..]),
                ],
                0..12,
            ),
            piece in 1usize..8,
        ) {
            let content = parts.concat();
            let mut scan = ContentScan::new();
            for chunk in content.chunks(piece) {
                scan.feed(chunk);
            }
            prop_assert_eq!(
                scan.first_significant(),
                first_significant(strip_bom(strip_bom(&content)))
            );
        }
    }

    #[test]
    fn json_past_max_config_is_scanned_for_markers_and_escapes() {
        let len = MAX_CONFIG + 100;
        for lead in [&b"// c\n{"[..], b"\xEF\xBB\xBF/* c */ {"] {
            let escaped = padded(lead, b' ', len, b"\"\\u0041\"");
            let plain = padded(lead, b' ', len, b"}");
            for content in [escaped, plain] {
                let whole = content_signature(b"x.bin", &content);
                assert_eq!(scanned(b"x.bin", &content, 1 << 20), Scanned::Signature(whole));
            }
        }
        let escaped = padded(b"{", b' ', len, b"\\u");
        assert_eq!(
            scanned(b"x.bin", &escaped, 1 << 20),
            Scanned::Signature(Some(Signature::Oversized)),
            "JSON is config-like whatever its name"
        );
    }

    #[test]
    fn content_small_enough_to_parse_is_left_to_be_parsed() {
        assert_eq!(scanned(b"a.json", b"{\"mcpServers\": {}}", 4), Scanned::Parse);
        assert_eq!(scanned(b"a.txt", b"", 4), Scanned::Parse);
        let content = padded(b"{", b' ', MAX_PARSE + 100, b"}");
        assert_eq!(scanned(b"a.json", &content, 4096), Scanned::Parse);
        let text = vec![b'a'; MAX_PARSE];
        assert_eq!(scanned(b"a.txt", &text, 4096), Scanned::Parse);
        let mut with_mark = b"\xEF\xBB\xBF".to_vec();
        with_mark.extend_from_slice(&text);
        assert_eq!(scanned(b"a.txt", &with_mark, 4096), Scanned::Parse, "the mark is not counted");
        with_mark.push(b'a');
        assert_eq!(scanned(b"a.txt", &with_mark, 4096), Scanned::Signature(None));
    }
}
