//! From raw bytes to UTF-8 text with line numbers.
//!
//! The chain, innermost first:
//!
//! 1. [`Counting`] counts raw bytes read (for progress bars);
//! 2. gzip is detected by its magic bytes and undone with `MultiGzDecoder`;
//! 3. [`Decoded`] detects the encoding (byte-order mark, the first bytes, the
//!    XML declaration) and turns the text into UTF-8: UTF-8 passes through,
//!    UTF-16 and single/multi-byte legacy encodings go through `encoding_rs`,
//!    UTF-32 is decoded by hand;
//! 4. [`Input`] buffers the result for quick-xml and counts lines as bytes are
//!    consumed, so every event knows its line without a second pass.
//!
//! Everything streams: no layer holds more than a fixed-size buffer. This
//! module must not parse XML beyond the declaration it needs for the encoding.

use std::io::{self, BufRead, Read};

use encoding_rs::{DecoderResult, Encoding};
use flate2::read::MultiGzDecoder;

const BUF_SIZE: usize = 64 * 1024;

/// How many bytes at most are inspected for a BOM and XML declaration.
const SNIFF_LIMIT: usize = 1024;

/// Counts the raw bytes pulled from the caller's reader.
pub(crate) struct Counting {
    inner: Box<dyn Read + Send>,
    count: u64,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

type Replayed = io::Chain<io::Cursor<Vec<u8>>, Counting>;

/// The raw stream after gzip detection.
pub(crate) enum Source {
    Plain(Replayed),
    Gzip(Box<MultiGzDecoder<Replayed>>),
}

impl Source {
    /// Open `inner`, looking at its first two bytes for the gzip magic number.
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> io::Result<Self> {
        let mut counting = Counting { inner, count: 0 };
        let mut magic = Vec::with_capacity(2);
        while magic.len() < 2 {
            let mut b = [0u8; 2];
            let want = 2 - magic.len();
            match counting.read(&mut b[..want]) {
                Ok(0) => break,
                Ok(n) => magic.extend_from_slice(&b[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let gzip = magic == [0x1f, 0x8b];
        let replayed = io::Cursor::new(magic).chain(counting);
        Ok(if gzip {
            Self::Gzip(Box::new(MultiGzDecoder::new(replayed)))
        } else {
            Self::Plain(replayed)
        })
    }

    pub(crate) fn is_gzip(&self) -> bool {
        matches!(self, Self::Gzip(_))
    }

    pub(crate) fn raw_bytes(&self) -> u64 {
        match self {
            Self::Plain(c) => c.get_ref().1.count,
            Self::Gzip(g) => g.get_ref().get_ref().1.count,
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(buf),
            Self::Gzip(r) => r.read(buf),
        }
    }
}

/// Why the bytes cannot be turned into text. Carried inside an `io::Error`
/// (kind `InvalidData`) through quick-xml and recovered by the reader.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DecodeError(pub(crate) String);

fn decode_error(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, DecodeError(msg))
}

/// The outcome of looking at the first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// Decodable; `note` explains a declaration that was overridden.
    Text {
        encoding: &'static str,
        note: Option<String>,
    },
    /// An encoding Vaka cannot read.
    Unsupported(String),
}

enum Mode {
    Utf8,
    /// No BOM, no declared encoding: UTF-8, unless the very first non-ASCII
    /// byte does not start valid UTF-8, in which case the file is read as
    /// windows-1252 (the usual encoding of such files). The decision does not
    /// depend on how the input is chunked.
    Undeclared,
    Transcode(Box<encoding_rs::Decoder>),
    Utf32 {
        big_endian: bool,
    },
}

/// Turns the source into UTF-8.
pub(crate) struct Decoded {
    source: Source,
    mode: Mode,
    raw: Box<[u8]>,
    raw_pos: usize,
    raw_len: usize,
    eof: bool,
    /// Transcoder flushed with `last = true`.
    finished: bool,
    /// Decoded bytes that did not fit the caller's buffer.
    pending: Vec<u8>,
    encoding: &'static str,
    sniffed: Sniffed,
    fell_back: bool,
}

impl Decoded {
    pub(crate) fn new(source: Source) -> io::Result<Self> {
        let mut d = Decoded {
            source,
            mode: Mode::Utf8,
            raw: vec![0; BUF_SIZE].into_boxed_slice(),
            raw_pos: 0,
            raw_len: 0,
            eof: false,
            finished: false,
            pending: Vec::new(),
            encoding: "UTF-8",
            sniffed: Sniffed::Text {
                encoding: "UTF-8",
                note: None,
            },
            fell_back: false,
        };
        // Enough bytes to see the BOM and the whole XML declaration.
        while !d.eof
            && d.raw_len < SNIFF_LIMIT
            && (d.raw_len < 4 || !d.raw[..d.raw_len].contains(&b'>'))
        {
            d.fill_more()?;
        }
        let (mode, bom_len, sniffed) = sniff(&d.raw[..d.raw_len]);
        d.raw_pos = bom_len;
        if let Sniffed::Text { encoding, .. } = &sniffed {
            d.encoding = encoding;
        }
        d.mode = mode;
        d.sniffed = sniffed;
        Ok(d)
    }

    pub(crate) fn sniffed(&self) -> &Sniffed {
        &self.sniffed
    }

    /// The encoding in use now (changes once if an undeclared file turns out
    /// not to be UTF-8).
    pub(crate) fn encoding(&self) -> &'static str {
        self.encoding
    }

    pub(crate) fn fell_back_to_windows_1252(&self) -> bool {
        self.fell_back
    }

    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// True when no bytes at all came out of the source (after decompression).
    pub(crate) fn source_was_empty(&self) -> bool {
        self.eof && self.raw_len == 0
    }

    /// Read more raw bytes, keeping the unconsumed tail.
    fn fill_more(&mut self) -> io::Result<()> {
        if self.raw_pos > 0 {
            self.raw.copy_within(self.raw_pos..self.raw_len, 0);
            self.raw_len -= self.raw_pos;
            self.raw_pos = 0;
        }
        if self.raw_len == self.raw.len() {
            return Ok(());
        }
        loop {
            match self.source.read(&mut self.raw[self.raw_len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.raw_len += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn decode_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.raw_pos == self.raw_len && !self.eof {
                self.fill_more()?;
            }
            let avail = &self.raw[self.raw_pos..self.raw_len];
            match &mut self.mode {
                Mode::Utf8 => {
                    let n = avail.len().min(out.len());
                    out[..n].copy_from_slice(&avail[..n]);
                    self.raw_pos += n;
                    return Ok(n);
                }
                Mode::Undeclared => {
                    let ascii = avail.iter().position(|&b| b >= 0x80).unwrap_or(avail.len());
                    if ascii > 0 || avail.is_empty() {
                        let n = ascii.min(out.len());
                        out[..n].copy_from_slice(&avail[..n]);
                        self.raw_pos += n;
                        return Ok(n);
                    }
                    let need = utf8_sequence_len(avail[0]);
                    if avail.len() < need.max(1) && !self.eof {
                        self.fill_more()?;
                        continue;
                    }
                    let valid = need > 0
                        && avail.len() >= need
                        && std::str::from_utf8(&avail[..need]).is_ok();
                    if valid {
                        self.mode = Mode::Utf8;
                    } else {
                        self.mode = Mode::Transcode(Box::new(
                            encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
                        ));
                        self.encoding = "windows-1252";
                        self.fell_back = true;
                    }
                }
                Mode::Transcode(decoder) => {
                    if self.finished {
                        return Ok(0);
                    }
                    let last = self.eof;
                    let (result, read, written) =
                        decoder.decode_to_utf8_without_replacement(avail, out, last);
                    self.raw_pos += read;
                    match result {
                        DecoderResult::InputEmpty => {
                            if last {
                                self.finished = true;
                            }
                            if written > 0 || last {
                                return Ok(written);
                            }
                        }
                        DecoderResult::OutputFull => return Ok(written),
                        DecoderResult::Malformed(_, _) => {
                            return Err(decode_error(format!(
                                "bytes that are not valid {} (check the declared encoding)",
                                self.encoding
                            )));
                        }
                    }
                }
                Mode::Utf32 { big_endian } => {
                    let big_endian = *big_endian;
                    let mut written = 0;
                    let mut i = 0;
                    while i + 4 <= avail.len() && written + 4 <= out.len() {
                        let b = [avail[i], avail[i + 1], avail[i + 2], avail[i + 3]];
                        let n = if big_endian {
                            u32::from_be_bytes(b)
                        } else {
                            u32::from_le_bytes(b)
                        };
                        let c = char::from_u32(n).ok_or_else(|| {
                            decode_error(format!(
                                "a value ({n:#x}) that is not a Unicode character in UTF-32"
                            ))
                        })?;
                        written += c.encode_utf8(&mut out[written..]).len();
                        i += 4;
                    }
                    self.raw_pos += i;
                    if written > 0 {
                        return Ok(written);
                    }
                    if self.eof {
                        if self.raw_pos < self.raw_len {
                            return Err(decode_error(
                                "a UTF-32 stream that ends in the middle of a character".into(),
                            ));
                        }
                        return Ok(0);
                    }
                    if out.len() < 4 {
                        return Err(io::Error::other(
                            "output buffer too small for UTF-32 decoding",
                        ));
                    }
                    self.fill_more()?;
                }
            }
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = self.pending.len().min(out.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        if out.len() >= 16 {
            return self.decode_into(out);
        }
        // Tiny buffers: decode into scratch so multi-byte output always fits.
        let mut scratch = [0u8; 16];
        let n = self.decode_into(&mut scratch)?;
        let k = n.min(out.len());
        out[..k].copy_from_slice(&scratch[..k]);
        self.pending.extend_from_slice(&scratch[k..n]);
        Ok(k)
    }
}

/// Length of the UTF-8 sequence a lead byte announces; 0 if it cannot lead one.
fn utf8_sequence_len(b: u8) -> usize {
    match b {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// Detect the encoding from the first bytes: BOM, the XML spec's
/// autodetection table (Appendix F), then the declared `encoding`.
fn sniff(head: &[u8]) -> (Mode, usize, Sniffed) {
    const UTF8: &str = "UTF-8";
    let text =
        |mode, bom, encoding: &'static str, note| (mode, bom, Sniffed::Text { encoding, note });
    let utf16 = |be: bool| {
        let enc = if be {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        Mode::Transcode(Box::new(enc.new_decoder_without_bom_handling()))
    };
    let unit_family = |be: bool, width: usize, bom: usize| {
        let declared = declared_encoding_wide(&head[bom..], width, be);
        let name = match (width, be) {
            (2, false) => "UTF-16LE",
            (2, true) => "UTF-16BE",
            (_, false) => "UTF-32LE",
            (_, true) => "UTF-32BE",
        };
        let note = declared.filter(|d| !declared_matches_width(d, width)).map(|d| {
            format!("the file declares encoding `{d}` but its bytes are {name}; it was read as {name}")
        });
        let mode = if width == 2 {
            utf16(be)
        } else {
            Mode::Utf32 { big_endian: be }
        };
        text(mode, bom, name, note)
    };
    match head {
        [0x00, 0x00, 0xFE, 0xFF, ..] => unit_family(true, 4, 4),
        [0xFF, 0xFE, 0x00, 0x00, ..] => unit_family(false, 4, 4),
        [0xEF, 0xBB, 0xBF, ..] => {
            let note = declared_encoding(&head[3..])
                .filter(|d| Encoding::for_label(d.as_bytes()) != Some(encoding_rs::UTF_8))
                .map(|d| format!("the file declares encoding `{d}` but starts with a UTF-8 byte-order mark; it was read as UTF-8"));
            text(Mode::Utf8, 3, UTF8, note)
        }
        [0xFE, 0xFF, ..] => unit_family(true, 2, 2),
        [0xFF, 0xFE, ..] => unit_family(false, 2, 2),
        [0x00, 0x00, 0x00, b'<', ..] => unit_family(true, 4, 0),
        [b'<', 0x00, 0x00, 0x00, ..] => unit_family(false, 4, 0),
        [0x00, b'<', 0x00, b'?', ..] => unit_family(true, 2, 0),
        [b'<', 0x00, b'?', 0x00, ..] => unit_family(false, 2, 0),
        [0x4C, 0x6F, 0xA7, 0x94, ..] => (
            Mode::Utf8,
            0,
            Sniffed::Unsupported(
                "the file is in EBCDIC, which Vaka cannot read; convert it to UTF-8".into(),
            ),
        ),
        _ => match declared_encoding(head) {
            None => text(Mode::Undeclared, 0, UTF8, None),
            Some(label) => match Encoding::for_label_no_replacement(label.trim().as_bytes()) {
                Some(enc) if enc == encoding_rs::UTF_8 => text(Mode::Utf8, 0, UTF8, None),
                Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => text(
                    Mode::Undeclared,
                    0,
                    UTF8,
                    Some(format!(
                        "the file declares encoding `{label}` but its bytes are 8-bit; it was read as UTF-8"
                    )),
                ),
                Some(enc) => {
                    let mode = Mode::Transcode(Box::new(enc.new_decoder_without_bom_handling()));
                    text(mode, 0, enc.name(), None)
                }
                None if declared_matches_width(&label, 4) => text(
                    Mode::Undeclared,
                    0,
                    UTF8,
                    Some(format!(
                        "the file declares encoding `{label}` but its bytes are 8-bit; it was read as UTF-8"
                    )),
                ),
                None => (
                    Mode::Utf8,
                    0,
                    Sniffed::Unsupported(format!(
                        "the file declares encoding `{label}`, which Vaka cannot read; convert it to UTF-8"
                    )),
                ),
            },
        },
    }
}

fn declared_matches_width(label: &str, width: usize) -> bool {
    let l = label.trim().to_ascii_lowercase();
    match width {
        2 => {
            l.starts_with("utf-16")
                || l.starts_with("utf16")
                || l == "iso-10646-ucs-2"
                || l == "ucs-2"
        }
        _ => {
            l.starts_with("utf-32")
                || l.starts_with("utf32")
                || l == "iso-10646-ucs-4"
                || l == "ucs-4"
        }
    }
}

/// The `encoding` pseudo-attribute of an XML declaration written in an
/// ASCII-compatible encoding, if any.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head[start..].strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    encoding_pseudo_attr(&String::from_utf8_lossy(&decl[..end]))
}

/// Same for UTF-16/32 input: take every `width`-th byte of ASCII code units.
fn declared_encoding_wide(head: &[u8], width: usize, big_endian: bool) -> Option<String> {
    let narrowed: Vec<u8> = head
        .chunks_exact(width)
        .map(|unit| {
            let (low, rest) = if big_endian {
                (unit[width - 1], &unit[..width - 1])
            } else {
                (unit[0], &unit[1..])
            };
            if rest.iter().all(|&b| b == 0) && low.is_ascii() {
                low
            } else {
                b'?'
            }
        })
        .collect();
    declared_encoding(&narrowed)
}

fn encoding_pseudo_attr(decl: &str) -> Option<String> {
    let i = decl.find("encoding")?;
    let rest = decl[i + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].to_owned())
}

/// Where in the decoded text something is: 1-based line and column (column in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Position {
    pub(crate) line: u64,
    pub(crate) column: u64,
}

/// The decoded text, buffered for quick-xml, with line counting.
///
/// Each buffer fill is scanned once: the offsets of its newlines are listed
/// (memchr, vectorised) and the first character XML forbids is noted. Asking
/// for the position of the parser then only walks past the newlines consumed
/// since the last time, so line numbers cost next to nothing per event.
pub(crate) struct Input {
    inner: Decoded,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// Offsets in `buf[..filled]` of every `\n`.
    newlines: Vec<u32>,
    /// `newlines[..next_newline]` are behind the line counter.
    next_newline: usize,
    /// Offset in `buf` of the first forbidden control character, if any.
    bad_offset: Option<usize>,
    /// Decoded bytes consumed before `buf[0]`.
    base: u64,
    line: u64,
    /// Offset (in decoded bytes) where the current line starts.
    line_start: u64,
    /// First character that XML 1.0 forbids (C0 controls other than tab, CR, LF).
    bad_char: Option<(Position, u8)>,
}

impl Input {
    pub(crate) fn new(inner: Decoded) -> Self {
        Input {
            inner,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            filled: 0,
            newlines: Vec::new(),
            next_newline: 0,
            bad_offset: None,
            base: 0,
            line: 1,
            line_start: 0,
            bad_char: None,
        }
    }

    pub(crate) fn decoded(&self) -> &Decoded {
        &self.inner
    }

    /// Where the next unconsumed byte is.
    pub(crate) fn position(&mut self) -> Position {
        self.advance_lines(self.pos);
        let consumed = self.base + self.pos as u64;
        Position {
            line: self.line,
            column: consumed - self.line_start + 1,
        }
    }

    /// The first forbidden control character among the bytes consumed so far.
    pub(crate) fn bad_char(&mut self) -> Option<(Position, u8)> {
        if self.bad_char.is_none()
            && let Some(off) = self.bad_offset
            && off < self.pos
        {
            self.advance_lines(off);
            let column = self.base + off as u64 - self.line_start + 1;
            self.bad_char = Some((
                Position {
                    line: self.line,
                    column,
                },
                self.buf[off],
            ));
        }
        self.bad_char
    }

    /// Count the newlines before `end` (an offset in `buf`).
    fn advance_lines(&mut self, end: usize) {
        while let Some(&nl) = self.newlines.get(self.next_newline) {
            if nl as usize >= end {
                break;
            }
            self.line += 1;
            self.line_start = self.base + u64::from(nl) + 1;
            self.next_newline += 1;
        }
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            // Pin down a forbidden character of this chunk before it goes.
            self.bad_char();
            self.bad_offset = None;
            self.advance_lines(self.filled);
            self.base += self.filled as u64;
            self.pos = 0;
            self.filled = 0;
            self.newlines.clear();
            self.next_newline = 0;
            loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => {
                        self.filled = n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            let chunk = &self.buf[..self.filled];
            self.newlines
                .extend(memchr::memchr_iter(b'\n', chunk).map(|i| i as u32));
            if self.bad_char.is_none() {
                // Vectorised over the whole chunk; the exact offset only when needed.
                let forbidden = chunk.iter().fold(0u8, |acc, &b| {
                    acc | (u8::from(b < 0x20)
                        & u8::from(b != b'\n')
                        & u8::from(b != b'\r')
                        & u8::from(b != b'\t'))
                });
                if forbidden != 0 {
                    self.bad_offset = chunk
                        .iter()
                        .position(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'));
                }
            }
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (Sniffed, io::Result<String>) {
        let src = Source::new(Box::new(io::Cursor::new(bytes.to_vec()))).unwrap();
        let mut d = Decoded::new(src).unwrap();
        let sniffed = d.sniffed().clone();
        let mut out = Vec::new();
        let r = d
            .read_to_end(&mut out)
            .map(|_| String::from_utf8(out).unwrap());
        (sniffed, r)
    }

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>Nuku‘alofa</a>";
        for (be, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let (s, text) = decode_all(&utf16(doc, be, bom));
            assert!(matches!(s, Sniffed::Text { note: None, .. }), "{s:?}");
            assert_eq!(text.unwrap(), doc);
        }
    }

    #[test]
    fn utf32_is_decoded() {
        let doc = "<?xml version=\"1.0\"?><a>Ŧ</a>";
        let mut bytes = vec![0xFF, 0xFE, 0, 0];
        for c in doc.chars() {
            bytes.extend_from_slice(&(c as u32).to_le_bytes());
        }
        let (s, text) = decode_all(&bytes);
        assert_eq!(
            s,
            Sniffed::Text {
                encoding: "UTF-32LE",
                note: None
            }
        );
        assert_eq!(text.unwrap(), doc);
    }

    #[test]
    fn declared_legacy_encoding_and_undeclared_fallback() {
        let mut bytes = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>".to_vec();
        bytes.push(0xE9);
        bytes.extend_from_slice(b"</a>");
        let (s, text) = decode_all(&bytes);
        assert_eq!(
            s,
            Sniffed::Text {
                encoding: "windows-1252",
                note: None
            }
        );
        assert_eq!(
            text.unwrap(),
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>é</a>"
        );

        // Undeclared and not UTF-8 from the first non-ASCII byte: windows-1252.
        let (_, text) = decode_all(b"<a>\x9f</a>");
        assert_eq!(text.unwrap(), "<a>Ÿ</a>");
        // Undeclared, valid UTF-8 first: stays UTF-8 (quick-xml then rejects later bad bytes).
        let (_, text) = decode_all("<a>é</a>".as_bytes());
        assert_eq!(text.unwrap(), "<a>é</a>");
    }

    #[test]
    fn unsupported_and_mismatched_declarations() {
        let (s, _) = decode_all(b"<?xml version=\"1.0\" encoding=\"x-no-such\"?><a/>");
        assert!(
            matches!(s, Sniffed::Unsupported(ref m) if m.contains("x-no-such")),
            "{s:?}"
        );
        let (s, _) = decode_all(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>");
        assert!(
            matches!(
                s,
                Sniffed::Text {
                    encoding: "UTF-8",
                    note: Some(_)
                }
            ),
            "{s:?}"
        );
    }

    #[test]
    fn lines_are_counted_on_consume() {
        let src = Source::new(Box::new(io::Cursor::new(b"a\nbc\n\nd\x01".to_vec()))).unwrap();
        let mut input = Input::new(Decoded::new(src).unwrap());
        let n = input.fill_buf().unwrap().len();
        input.consume(3);
        assert_eq!(input.position(), Position { line: 2, column: 2 });
        input.consume(n - 3);
        assert_eq!(input.position(), Position { line: 4, column: 3 });
        assert_eq!(input.bad_char(), Some((Position { line: 4, column: 2 }, 1)));
    }
}
