//! The event loop under the reader: one element at a time, with everything
//! that must hold for *every* element.
//!
//! [`Cursor`] pulls quick-xml events and turns them into three steps — a child
//! starts, the current element ends, the file ends — while it
//!
//! - enforces well-formedness quick-xml leaves to its user: unclosed elements
//!   at the end, a single root, no text outside it, defined entities only,
//!   bound namespace prefixes, legal element names and characters;
//! - skips elements of other namespaces (IATI extensions) silently;
//! - collects the text of the open element (direct text, entities, CDATA);
//! - inside an activity, checks each element against the 2.03 schema
//!   ([`crate::schema`]) and each coded attribute against its codelist
//!   ([`crate::mapping`]), recording [`Diagnostic`]s and remembering which
//!   attribute values failed so the extractor leaves them out.
//!
//! It must not know what the elements *mean*: that is [`crate::extract`].

use quick_xml::events::{BytesStart, Event};

use crate::codelists::{self, CodeStatus};
use crate::input::{DecodeError, Input, Position};
use crate::lexical;
use crate::mapping::{Mapping, NodeId};
use crate::model::IatiVersion;
use crate::reader::{ReadError, ReadErrorKind};
use crate::schema::{Content, Schema, SimpleType, TypeId};
use crate::tags::Tag;
use crate::{Diagnostic, DiagnosticKind, Severity};

/// What [`Cursor::step`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// An element started; its frame is now the current one.
    Start(Tag),
    /// The current element ended; its text is in [`Cursor::closed_text`].
    End,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SchemaPos {
    Type(TypeId),
    Simple(SimpleType),
    /// Not checked (outside activities, unknown elements, 1.0x files).
    Unchecked,
}

#[derive(Debug)]
struct Frame {
    name: String,
    tag: Tag,
    line: u64,
    text: String,
    has_text: bool,
    foreign: bool,
    schema: SchemaPos,
    map: Option<NodeId>,
    counts_base: usize,
    ns_mark: usize,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            name: String::new(),
            tag: Tag::Other,
            line: 0,
            text: String::new(),
            has_text: false,
            foreign: false,
            schema: SchemaPos::Unchecked,
            map: None,
            counts_base: 0,
            ns_mark: 0,
        }
    }
}

/// The attributes of the latest start tag, in one reusable arena.
#[derive(Debug, Default)]
struct Attrs {
    arena: String,
    items: Vec<AttrItem>,
}

#[derive(Debug, Clone, Copy)]
struct AttrItem {
    name: (u32, u32),
    value: (u32, u32),
    /// `false` when the value failed its codelist check (it is then left out).
    ok: bool,
}

impl Attrs {
    fn clear(&mut self) {
        self.arena.clear();
        self.items.clear();
    }

    fn push(&mut self, name: &str, value: &str) {
        let n0 = self.arena.len() as u32;
        self.arena.push_str(name);
        let n1 = self.arena.len() as u32;
        self.arena.push_str(value);
        let v1 = self.arena.len() as u32;
        self.items.push(AttrItem {
            name: (n0, n1),
            value: (n1, v1),
            ok: true,
        });
    }

    fn name(&self, i: usize) -> &str {
        let (a, b) = self.items[i].name;
        &self.arena[a as usize..b as usize]
    }

    fn value(&self, i: usize) -> &str {
        let (a, b) = self.items[i].value;
        &self.arena[a as usize..b as usize]
    }

    fn find(&self, name: &str) -> Option<usize> {
        (0..self.items.len()).find(|&i| self.name(i) == name)
    }

    /// Replace the value of item `i` (appends to the arena; fine for a few per tag).
    fn set_value(&mut self, i: usize, value: &str) {
        let v0 = self.arena.len() as u32;
        self.arena.push_str(value);
        self.items[i].value = (v0, self.arena.len() as u32);
    }
}

struct NsBinding {
    prefix: String,
    /// Bound to a non-empty namespace name (everything IATI is in no namespace).
    foreign: bool,
}

/// The text and place of the element that just ended (its name stays in
/// its frame slot until the next start tag).
#[derive(Debug, Default)]
struct Closed {
    line: u64,
    text: String,
}

pub(crate) struct Cursor {
    xml: quick_xml::Reader<Input>,
    buf: Vec<u8>,
    frames: Vec<Frame>,
    depth: usize,
    attrs: Attrs,
    ns: Vec<NsBinding>,
    pending_end: bool,
    closed: Closed,
    /// Where the event being read started.
    event_pos: Position,
    root_seen: bool,
    root_done: bool,
    /// Only whitespace has been seen so far (an XML declaration may come).
    at_start: bool,
    /// Index of the `iati-activity` frame while inside one.
    activity: Option<usize>,
    version: IatiVersion,
    validate: bool,
    counts: Vec<u32>,
    /// Findings of the current activity (or of the root element, before any).
    pub(crate) diags: Vec<Diagnostic>,
    schema: &'static Schema,
    mapping: &'static Mapping,
}

fn is_xml_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// XML names, checked cheaply: ASCII name characters, any non-ASCII, and a
/// start character that is not a digit, `-` or `.`. `Some(has_colon)` when valid.
fn xml_name(name: &str) -> Option<bool> {
    const fn table() -> [u8; 256] {
        // 0: not a name character, 1: name character, 2: the colon.
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let c = i as u8;
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c >= 0x80 {
                t[i] = 1;
            } else if c == b':' {
                t[i] = 2;
            }
            i += 1;
        }
        t
    }
    static NAME_CHAR: [u8; 256] = table();
    let b = name.as_bytes();
    if b.is_empty() || matches!(b[0], b'0'..=b'9' | b'-' | b'.') {
        return None;
    }
    let mut all = 3u8;
    let mut colon = 0u8;
    for &c in b {
        let k = NAME_CHAR[c as usize];
        all &= k | (k >> 1);
        colon |= k & 2;
    }
    (all & 1 == 1).then_some(colon != 0)
}

impl Cursor {
    pub(crate) fn new(input: Input) -> Self {
        let mut xml = quick_xml::Reader::from_reader(input);
        let config = xml.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.trim_text(false);
        config.expand_empty_elements = false;
        Cursor {
            xml,
            buf: Vec::with_capacity(4096),
            frames: Vec::new(),
            depth: 0,
            attrs: Attrs::default(),
            ns: Vec::new(),
            pending_end: false,
            closed: Closed::default(),
            event_pos: Position { line: 1, column: 1 },
            root_seen: false,
            root_done: false,
            at_start: true,
            activity: None,
            version: IatiVersion::default(),
            validate: false,
            counts: Vec::new(),
            diags: Vec::new(),
            schema: Schema::v203(),
            mapping: Mapping::get(),
        }
    }

    pub(crate) fn input(&self) -> &Input {
        self.xml.get_ref()
    }

    fn position(&mut self) -> Position {
        self.xml.get_mut().position()
    }

    pub(crate) fn set_version(&mut self, version: IatiVersion) {
        self.version = version;
    }

    pub(crate) fn version(&self) -> IatiVersion {
        self.version
    }

    /// Number of open elements.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Line of the current element's start tag.
    pub(crate) fn line(&self) -> u64 {
        self.depth.checked_sub(1).map_or(0, |i| self.frames[i].line)
    }

    /// The current element belongs to another XML namespace (an extension).
    pub(crate) fn is_foreign(&self) -> bool {
        self.depth
            .checked_sub(1)
            .is_some_and(|i| self.frames[i].foreign)
    }

    pub(crate) fn name(&self) -> &str {
        self.depth
            .checked_sub(1)
            .map_or("", |i| self.frames[i].name.as_str())
    }

    /// Trimmed text of the element that just ended.
    pub(crate) fn closed_text(&self) -> &str {
        lexical::trim_xml(&self.closed.text)
    }

    /// Drop buffers that one huge element made large.
    pub(crate) fn shrink_buffers(&mut self) {
        const LIMIT: usize = 1 << 20;
        if self.buf.capacity() > LIMIT {
            self.buf = Vec::with_capacity(4096);
        }
        if self.closed.text.capacity() > LIMIT {
            self.closed.text = String::new();
        }
        for f in &mut self.frames {
            if f.text.capacity() > LIMIT {
                f.text = String::new();
            }
        }
    }

    // ----- attributes of the current start tag ---------------------------------

    /// An attribute of the current element, trimmed; `Some("")` when empty.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .find(name)
            .map(|i| lexical::trim_xml(self.attrs.value(i)))
    }

    /// An attribute that is present, non-empty and passed its codelist check.
    pub(crate) fn code(&self, name: &str) -> Option<&str> {
        let i = self.attrs.find(name)?;
        let v = lexical::trim_xml(self.attrs.value(i));
        (self.attrs.items[i].ok && !v.is_empty()).then_some(v)
    }

    /// `xml:lang` of the current element, if non-empty.
    pub(crate) fn lang(&self) -> Option<&str> {
        self.attr("xml:lang").filter(|l| !l.is_empty())
    }

    // ----- diagnostics ----------------------------------------------------------

    /// `frames[activity+1 ..= idx]` joined by `/`, then `suffix`.
    fn path_at(&self, idx: usize, suffix: &str) -> String {
        let mut path = String::new();
        if let Some(a) = self.activity {
            for f in self.frames.iter().take(idx + 1).skip(a + 1) {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(&f.name);
            }
        } else if let Some(f) = self.frames.get(idx) {
            path.push_str(&f.name);
        }
        if !suffix.is_empty() {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(suffix);
        }
        path
    }

    fn push_diag(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        line: u64,
        path: String,
        message: String,
    ) {
        self.diags.push(Diagnostic {
            severity,
            kind,
            activity: None,
            line,
            path,
            message,
        });
    }

    /// A finding about the current element (`suffix`: `@attr` or a child name).
    pub(crate) fn diag(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        suffix: &str,
        message: String,
    ) {
        let Some(idx) = self.depth.checked_sub(1) else {
            return;
        };
        let path = self.path_at(idx, suffix);
        let line = self.frames[idx].line;
        self.push_diag(severity, kind, line, path, message);
    }

    /// A finding about the element that just ended.
    pub(crate) fn diag_closed(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        suffix: &str,
        message: String,
    ) {
        // The closed element's frame is still intact in slot `depth`.
        let path = self.path_at(self.depth, suffix);
        let line = self.closed.line;
        self.push_diag(severity, kind, line, path, message);
    }

    // ----- moving through the document -------------------------------------------

    pub(crate) fn error(
        &self,
        kind: ReadErrorKind,
        pos: Position,
        message: impl Into<String>,
    ) -> ReadError {
        ReadError {
            kind,
            line: Some(pos.line),
            column: Some(pos.column),
            message: message.into(),
        }
    }

    fn malformed(&self, message: impl Into<String>) -> ReadError {
        self.error(ReadErrorKind::Malformed, self.event_pos, message)
    }

    fn map_xml_error(&mut self, e: quick_xml::Error) -> ReadError {
        use quick_xml::Error as E;
        match e {
            E::Io(io) => {
                let pos = self.position();
                if let Some(d) = io
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<DecodeError>())
                {
                    return self.error(
                        ReadErrorKind::Encoding,
                        pos,
                        format!("the text contains {d}"),
                    );
                }
                self.error(
                    ReadErrorKind::Io,
                    pos,
                    format!("cannot read the file: {io}"),
                )
            }
            E::Encoding(enc) => self.error(
                ReadErrorKind::Encoding,
                self.event_pos,
                format!(
                    "the text is not valid {}: {enc}",
                    self.input().decoded().encoding()
                ),
            ),
            E::IllFormed(ill) => self.malformed(format!("not well-formed XML: {ill}")),
            E::Syntax(s) => self.malformed(format!("not well-formed XML: {s}")),
            other => self.malformed(format!("not well-formed XML: {other}")),
        }
    }

    /// Read the next start, end or end of file, handling everything in between.
    pub(crate) fn step(&mut self) -> Result<Step, ReadError> {
        if self.pending_end {
            self.pending_end = false;
            self.pop();
            return Ok(Step::End);
        }
        let mut buf = std::mem::take(&mut self.buf);
        let result = loop {
            buf.clear();
            match self.event(&mut buf) {
                Ok(Some(step)) => break Ok(step),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
        };
        self.buf = buf;
        result
    }

    /// Handle one quick-xml event; `Some` when it is a step for the caller.
    fn event(&mut self, buf: &mut Vec<u8>) -> Result<Option<Step>, ReadError> {
        self.event_pos = self.position();
        let event = match self.xml.read_event_into(buf) {
            Ok(ev) => ev,
            Err(e) => return Err(self.map_xml_error(e)),
        };
        if let Some((pos, byte)) = self.xml.get_mut().bad_char() {
            return Err(self.error(
                ReadErrorKind::Malformed,
                pos,
                format!(
                    "not well-formed XML: control character U+{byte:04X} is not allowed in XML 1.0"
                ),
            ));
        }
        match event {
            Event::Start(e) => {
                let tag = self.push(&e)?;
                Ok(Some(Step::Start(tag)))
            }
            Event::Empty(e) => {
                let tag = self.push(&e)?;
                self.pending_end = true;
                Ok(Some(Step::Start(tag)))
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                self.pop();
                if self.depth == 0 {
                    self.root_done = true;
                }
                Ok(Some(Step::End))
            }
            Event::Text(t) => {
                // Fast path: indentation between elements, and extension content.
                if let Some(f) = self.depth.checked_sub(1).map(|i| &self.frames[i])
                    && (f.foreign || (f.text.is_empty() && is_xml_ws(&t)))
                {
                    self.at_start = false;
                    return Ok(None);
                }
                let content = t.xml10_content();
                self.text(&content, false)?;
                Ok(None)
            }
            Event::CData(c) => {
                if self.depth == 0 {
                    return Err(
                        self.malformed("not well-formed XML: CDATA outside the root element")
                    );
                }
                let content = c.xml10_content();
                self.text(&content, true)?;
                Ok(None)
            }
            Event::GeneralRef(r) => {
                let mut tmp = [0u8; 4];
                let resolved: &str = match r.resolve_char_ref() {
                    Ok(Some(c)) => {
                        let legal = matches!(c, '\t' | '\n' | '\r')
                            || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'));
                        if !legal {
                            return Err(self.malformed(format!(
                                "not well-formed XML: character reference `&{};` is not a legal XML 1.0 character",
                                &*r
                            )));
                        }
                        c.encode_utf8(&mut tmp)
                    }
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s,
                        None => {
                            return Err(self.malformed(format!(
                                "not well-formed XML: entity `&{};` is not defined (only &amp; &lt; &gt; &quot; &apos; and character references are)",
                                &*r
                            )));
                        }
                    },
                    Err(e) => {
                        return Err(self.malformed(format!(
                            "not well-formed XML: bad character reference: {e}"
                        )));
                    }
                };
                let owned = resolved.to_owned();
                self.text(&owned, true)?;
                Ok(None)
            }
            Event::Decl(_) => {
                if !self.at_start {
                    return Err(
                        self.malformed("not well-formed XML: the XML declaration must come first")
                    );
                }
                self.at_start = false;
                Ok(None)
            }
            Event::DocType(_) => {
                self.at_start = false;
                if self.root_seen {
                    return Err(
                        self.malformed("not well-formed XML: DOCTYPE after the root element")
                    );
                }
                Ok(None)
            }
            Event::Comment(_) | Event::PI(_) => {
                self.at_start = false;
                Ok(None)
            }
            Event::Eof => {
                let pos = self.position();
                if let Some(open) = self.depth.checked_sub(1).map(|i| &self.frames[i]) {
                    let msg = format!(
                        "not well-formed XML: the file ends before `<{}>` (line {}) is closed; it may be truncated",
                        open.name, open.line
                    );
                    return Err(self.error(ReadErrorKind::Malformed, pos, msg));
                }
                if !self.root_seen {
                    return Err(self.malformed("not well-formed XML: there is no root element"));
                }
                Ok(Some(Step::Eof))
            }
        }
    }

    fn text(&mut self, content: &str, is_ref: bool) -> Result<(), ReadError> {
        let ws = !is_ref && is_xml_ws(content);
        if self.depth == 0 {
            if ws {
                return Ok(());
            }
            let shown: String = content.trim().chars().take(30).collect();
            // Point at the text itself, not the whitespace before it.
            let lead = &content[..content.len() - content.trim_start().len()];
            let mut pos = self.event_pos;
            for b in lead.bytes() {
                if b == b'\n' {
                    pos = Position {
                        line: pos.line + 1,
                        column: 1,
                    };
                } else {
                    pos.column += 1;
                }
            }
            let (kind, message) = if self.root_seen {
                (
                    ReadErrorKind::Malformed,
                    format!("not well-formed XML: text `{shown}` after the root element"),
                )
            } else {
                (
                    ReadErrorKind::NotXml,
                    format!("not XML: the file starts with text (`{shown}`) instead of an element"),
                )
            };
            return Err(self.error(kind, pos, message));
        }
        self.at_start = false;
        // Text outside activities is never used; not keeping it bounds memory
        // by the largest activity even if the file has huge junk elements.
        if self.activity.is_none() {
            return Ok(());
        }
        let f = &mut self.frames[self.depth - 1];
        if f.foreign || (ws && f.text.is_empty()) {
            return Ok(());
        }
        f.text.push_str(content);
        f.has_text |= !ws;
        Ok(())
    }

    /// A start tag: names, namespaces, attributes, then the checks.
    fn push(&mut self, e: &BytesStart) -> Result<Tag, ReadError> {
        self.at_start = false;
        if self.depth == 0 {
            if self.root_done {
                return Err(self.malformed(
                    "not well-formed XML: a second root element after the first one closed",
                ));
            }
            self.root_seen = true;
        }
        let qname = e.name().0;
        let Some(qname_colon) = xml_name(qname) else {
            return Err(self.malformed(format!(
                "not well-formed XML: `{qname}` is not a valid element name"
            )));
        };
        let ns_mark = self.ns.len();
        let mut prefixed_attrs = false;
        self.attrs.clear();
        // quick-xml's own duplicate check allocates per tag; the arena below
        // does the same check without allocating.
        let mut attributes = e.attributes();
        attributes.with_checks(false);
        for a in attributes {
            let a = a.map_err(|err| {
                self.malformed(format!("not well-formed XML: in `<{qname}>`: {err}"))
            })?;
            let key = a.key.0;
            let Some(key_colon) = xml_name(key) else {
                return Err(self.malformed(format!(
                    "not well-formed XML: `{key}` is not a valid attribute name"
                )));
            };
            if a.value.bytes().any(|b| b == b'<') {
                return Err(self.malformed(format!(
                    "not well-formed XML: `<` in the value of attribute `{key}`"
                )));
            }
            let ns_prefix = if key == "xmlns" {
                Some("")
            } else {
                key.strip_prefix("xmlns:")
            };
            let duplicate = match ns_prefix {
                Some(p) => self.ns[ns_mark..].iter().any(|b| b.prefix == p),
                None => self.attrs.find(key).is_some(),
            };
            if duplicate {
                return Err(self.malformed(format!(
                    "not well-formed XML: in `<{qname}>`: duplicated attribute `{key}`"
                )));
            }
            if let Some(prefix) = ns_prefix {
                self.ns.push(NsBinding {
                    prefix: prefix.to_owned(),
                    foreign: !a.value.trim().is_empty(),
                });
                continue;
            }
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| {
                    self.malformed(format!("not well-formed XML: in attribute `{key}`: {err}"))
                })?;
            prefixed_attrs |= key_colon;
            self.attrs.push(key, &value);
        }
        // Namespace well-formedness: every prefix used must be bound.
        let (prefix, local) = match qname_colon.then(|| qname.split_once(':')).flatten() {
            Some((p, l)) => (Some(p), l),
            None => (None, qname),
        };
        let element_foreign = match prefix {
            Some("xml") => true,
            // Every bound prefix names some namespace, and IATI uses none.
            Some(p) => match self.resolve(p) {
                Some(_) => true,
                None => {
                    return Err(self.malformed(format!(
                        "not namespace-well-formed XML: prefix `{p}` of element `<{qname}>` is not bound to a namespace"
                    )));
                }
            },
            None => !self.ns.is_empty() && self.resolve("").unwrap_or(false),
        };
        for i in 0..if prefixed_attrs {
            self.attrs.items.len()
        } else {
            0
        } {
            let name = self.attrs.name(i);
            if let Some((p, _)) = name.split_once(':')
                && p != "xml"
                && self.resolve(p).is_none()
            {
                let msg = format!(
                    "not namespace-well-formed XML: prefix `{p}` of attribute `{name}` on `<{qname}>` is not bound to a namespace"
                );
                return Err(self.malformed(msg));
            }
        }

        let parent_foreign = self.depth > 0 && self.frames[self.depth - 1].foreign;
        let foreign = parent_foreign || element_foreign;
        let tag = if foreign { Tag::Other } else { Tag::of(local) };
        if self.frames.len() == self.depth {
            self.frames.push(Frame::default());
        }
        let line = self.event_pos.line;
        let idx = self.depth;
        let f = &mut self.frames[idx];
        f.name.clear();
        f.name.push_str(local);
        f.tag = tag;
        f.line = line;
        f.text.clear();
        f.has_text = false;
        f.foreign = foreign;
        f.schema = SchemaPos::Unchecked;
        f.map = None;
        f.counts_base = self.counts.len();
        f.ns_mark = ns_mark;
        self.depth += 1;
        if !foreign && self.activity.is_some_and(|a| idx > a) {
            self.enter(idx);
        }
        Ok(tag)
    }

    /// `Some(foreign)` when `prefix` is bound ("" = default namespace).
    fn resolve(&self, prefix: &str) -> Option<bool> {
        self.ns
            .iter()
            .rev()
            .find(|b| b.prefix == prefix)
            .map(|b| b.foreign)
    }

    fn pop(&mut self) {
        let Some(idx) = self.depth.checked_sub(1) else {
            return;
        };
        if !self.frames[idx].foreign && self.activity.is_some_and(|a| idx >= a) {
            self.exit(idx);
        }
        let f = &mut self.frames[idx];
        std::mem::swap(&mut self.closed.text, &mut f.text);
        self.closed.line = f.line;
        let (ns_mark, counts_base) = (f.ns_mark, f.counts_base);
        self.ns.truncate(ns_mark);
        self.counts.truncate(counts_base);
        self.depth = idx;
    }

    /// Skip the rest of the current element, children included.
    pub(crate) fn skip(&mut self) -> Result<(), ReadError> {
        let target = self.depth;
        loop {
            match self.step()? {
                Step::Start(_) => {}
                Step::End if self.depth < target => return Ok(()),
                Step::End => {}
                Step::Eof => return Err(self.malformed("unexpected end of file")),
            }
        }
    }

    /// The next child element of the current element (extension elements are
    /// skipped), or `None` once the current element has ended.
    pub(crate) fn next_child(&mut self) -> Result<Option<Tag>, ReadError> {
        let parent = self.depth;
        loop {
            match self.step()? {
                Step::Start(tag) => {
                    if self.depth > parent + 1 {
                        // A child the caller did not consume: skip its subtree.
                        continue;
                    }
                    if self.frames[self.depth - 1].foreign {
                        self.skip()?;
                        continue;
                    }
                    return Ok(Some(tag));
                }
                Step::End if self.depth < parent => return Ok(None),
                Step::End => {}
                Step::Eof => return Err(self.malformed("unexpected end of file")),
            }
        }
    }

    /// Read to the end of the current element and return its trimmed text
    /// (children are skipped).
    pub(crate) fn text_to_end(&mut self) -> Result<String, ReadError> {
        self.skip()?;
        Ok(self.closed_text().to_owned())
    }

    // ----- activity checks -----------------------------------------------------------

    /// The current element is an `iati-activity`: start checking.
    pub(crate) fn begin_activity(&mut self) {
        let Some(idx) = self.depth.checked_sub(1) else {
            return;
        };
        self.activity = Some(idx);
        self.validate = !self.version.is_v1() && self.schema.activity.is_some();
        let f = &mut self.frames[idx];
        f.map = Some(Mapping::ROOT);
        f.schema = match self.schema.activity {
            Some(t) if self.validate => SchemaPos::Type(t),
            _ => SchemaPos::Unchecked,
        };
        f.counts_base = self.counts.len();
        self.enter(idx);
    }

    /// The activity has been read; stop checking until the next one.
    pub(crate) fn end_activity(&mut self) {
        self.activity = None;
        self.validate = false;
    }

    /// A finding at an explicit line and path (relative to the activity).
    pub(crate) fn diag_at(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        line: u64,
        path: &str,
        message: String,
    ) {
        self.push_diag(severity, kind, line, path.to_owned(), message);
    }

    /// Checks when element `idx` starts (its frame is filled, attributes read).
    fn enter(&mut self, idx: usize) {
        let is_activity = self.activity == Some(idx);
        if !is_activity {
            let parent = &self.frames[idx - 1];
            let (pmap, pschema) = (parent.map, parent.schema);
            let counts_base = parent.counts_base;
            let mapping: &'static Mapping = self.mapping;
            let (name, tag) = (&self.frames[idx].name, self.frames[idx].tag);
            let map = pmap.and_then(|n| mapping.child_by(n, name, tag));
            self.frames[idx].map = map;
            if self.validate {
                self.frames[idx].schema = self.place_in_schema(idx, pschema, counts_base);
            }
        }
        if let SchemaPos::Type(t) = self.frames[idx].schema {
            let n = self.schema.get(t).particles.len();
            self.frames[idx].counts_base = self.counts.len();
            self.counts.resize(self.counts.len() + n, 0);
        }
        self.normalise_and_check_codes(idx);
        if let SchemaPos::Type(t) = self.frames[idx].schema {
            self.check_attributes(idx, t);
        } else if let SchemaPos::Simple(_) = self.frames[idx].schema {
            // Simple-typed elements take no attributes of their own.
            for i in 0..self.attrs.items.len() {
                if !self.attrs.name(i).contains(':') {
                    let attr = self.attrs.name(i).to_owned();
                    let el = self.frames[idx].name.clone();
                    let path = self.path_at(idx, &format!("@{attr}"));
                    let line = self.frames[idx].line;
                    self.push_diag(
                        Severity::Error,
                        DiagnosticKind::Structure,
                        line,
                        path,
                        format!("attribute `{attr}` is not allowed on `{el}` in IATI 2.03"),
                    );
                }
            }
        }
    }

    fn place_in_schema(
        &mut self,
        idx: usize,
        parent: SchemaPos,
        parent_counts: usize,
    ) -> SchemaPos {
        let line = self.frames[idx].line;
        match parent {
            SchemaPos::Unchecked => SchemaPos::Unchecked,
            SchemaPos::Simple(_) => {
                let parent_name = self.frames[idx - 1].name.clone();
                let path = self.path_at(idx, "");
                self.push_diag(
                    Severity::Error,
                    DiagnosticKind::Structure,
                    line,
                    path,
                    format!("`{parent_name}` holds only text; it must not contain elements"),
                );
                SchemaPos::Unchecked
            }
            SchemaPos::Type(t) => {
                let schema: &'static Schema = self.schema;
                let ty = schema.get(t);
                match ty.particle(&self.frames[idx].name, self.frames[idx].tag) {
                    Some(pi) => {
                        let particle = &ty.particles[pi as usize];
                        let slot = parent_counts + pi as usize;
                        let count = self.counts.get_mut(slot).map(|c| {
                            *c += 1;
                            *c
                        });
                        if count.is_some_and(|c| c > particle.max) {
                            let (name, max) = (particle.name.clone(), particle.max);
                            let parent_name = self.parent_label(idx);
                            let path = self.path_at(idx, "");
                            self.push_diag(
                                Severity::Error,
                                DiagnosticKind::Cardinality,
                                line,
                                path,
                                format!(
                                    "`{name}` occurs more than {max} time{} in {parent_name}; the extra one is ignored",
                                    if max == 1 { "" } else { "s" }
                                ),
                            );
                        }
                        match particle.content {
                            Content::Complex(id) => SchemaPos::Type(id),
                            Content::Simple(s) => SchemaPos::Simple(s),
                        }
                    }
                    None => {
                        let name = self.frames[idx].name.clone();
                        let parent_name = self.parent_label(idx);
                        let path = self.path_at(idx, "");
                        self.push_diag(
                            Severity::Error,
                            DiagnosticKind::Structure,
                            line,
                            path,
                            format!(
                                "`{name}` is not an element of {parent_name} in IATI 2.03 (extensions must use their own XML namespace)"
                            ),
                        );
                        SchemaPos::Unchecked
                    }
                }
            }
        }
    }

    fn parent_label(&self, idx: usize) -> String {
        format!("`{}`", self.frames[idx - 1].name)
    }

    /// 1.0x text codes to 2.0x codes, case fixes, then codelist checks.
    fn normalise_and_check_codes(&mut self, idx: usize) {
        let n = self.attrs.items.len();
        if n == 0 {
            return;
        }
        if self.version.is_v1() {
            let tag = self.frames[idx].tag;
            for i in 0..n {
                if let Some(code) = normalise_v1(
                    tag,
                    self.attrs.name(i),
                    lexical::trim_xml(self.attrs.value(i)),
                ) {
                    self.attrs.set_value(i, code);
                }
            }
        }
        let mapping: &'static Mapping = self.mapping;
        let rules = self.frames[idx]
            .map
            .map_or(&[][..], |node| mapping.rules(node));
        for i in 0..n {
            let rule = {
                let name = self.attrs.name(i);
                rules
                    .iter()
                    .chain(mapping.global.iter())
                    .filter(|r| r.attr.as_deref() == Some(name))
                    .find(|r| r.condition.holds(|a| self.attr(a)))
            };
            let Some(rule) = rule else { continue };
            let list: &'static str = &rule.list;
            let raw = lexical::trim_xml(self.attrs.value(i));
            let fixed = match list {
                "Currency" | "Country" if raw.bytes().any(|b| b.is_ascii_lowercase()) => {
                    Some(raw.to_ascii_uppercase())
                }
                "Language" if raw.bytes().any(|b| b.is_ascii_uppercase()) => {
                    Some(raw.to_ascii_lowercase())
                }
                _ => None,
            };
            if let Some(fixed) = fixed {
                self.attrs.set_value(i, &fixed);
            }
            let verdict = code_verdict_in(
                rule.codelist(),
                list,
                lexical::trim_xml(self.attrs.value(i)),
            );
            if verdict != Verdict::Active {
                let value = lexical::trim_xml(self.attrs.value(i)).to_owned();
                let suffix = format!("@{}", self.attrs.name(i));
                self.attrs.items[i].ok = self.report_code(idx, list, &value, &suffix, verdict);
            }
        }
    }

    /// Check a code found in text (a `text()` mapping).
    fn check_code(&mut self, idx: usize, list: &str, value: &str, suffix: &str) -> bool {
        match code_verdict(list, value) {
            Verdict::Active => true,
            verdict => self.report_code(idx, list, value, suffix, verdict),
        }
    }

    /// Record a diagnostic for a code that is not plainly valid; `false` if the value must be left out.
    fn report_code(
        &mut self,
        idx: usize,
        list: &str,
        value: &str,
        suffix: &str,
        verdict: Verdict,
    ) -> bool {
        let (severity, ok, message) = match verdict {
            Verdict::Active | Verdict::Empty => return verdict == Verdict::Active,
            Verdict::Withdrawn => (
                Severity::Warning,
                true,
                format!(
                    "`{value}` is withdrawn from the IATI `{list}` codelist; use a current code"
                ),
            ),
            Verdict::NotCountryLike => (
                Severity::Error,
                false,
                format!(
                    "`{value}` is not an ISO 3166-1 alpha-2 country code (two letters, e.g. `TO`)"
                ),
            ),
            Verdict::NotInIncompleteList => (
                Severity::Warning,
                true,
                format!("`{value}` is not in the IATI `{list}` codelist (which is incomplete)"),
            ),
            Verdict::Invalid => (
                Severity::Error,
                false,
                format!("`{value}` is not a code in the IATI `{list}` codelist"),
            ),
        };
        let path = self.path_at(idx, suffix);
        let line = self.frames[idx].line;
        self.push_diag(severity, DiagnosticKind::InvalidCode, line, path, message);
        ok
    }

    fn check_attributes(&mut self, idx: usize, t: TypeId) {
        let schema: &'static Schema = self.schema;
        let ty = schema.get(t);
        let line = self.frames[idx].line;
        for i in 0..self.attrs.items.len() {
            let name = self.attrs.name(i);
            if name.contains(':') {
                continue; // Namespaced attributes (xml:lang, extensions) are allowed everywhere.
            }
            let Some(decl) = ty.attr(name) else {
                let (name, el) = (name.to_owned(), self.frames[idx].name.clone());
                let path = self.path_at(idx, &format!("@{name}"));
                self.push_diag(
                    Severity::Error,
                    DiagnosticKind::Structure,
                    line,
                    path,
                    format!("attribute `{name}` is not allowed on `{el}` in IATI 2.03 (extensions must use their own XML namespace)"),
                );
                continue;
            };
            if let Some((kind, why)) =
                check_simple(decl.ty, self.attrs.value(i), name == "percentage")
            {
                let value = self.attrs.value(i).to_owned();
                let path = self.path_at(idx, &format!("@{name}"));
                self.push_diag(
                    Severity::Error,
                    kind,
                    line,
                    path,
                    format!("`{value}` is not {why}"),
                );
            }
        }
        for decl in &ty.attrs {
            if decl.required && self.attrs.find(&decl.name).is_none() {
                let el = self.frames[idx].name.clone();
                let path = self.path_at(idx, &format!("@{}", decl.name));
                self.push_diag(
                    Severity::Error,
                    DiagnosticKind::MissingAttribute,
                    line,
                    path,
                    format!("`{el}` has no `{}` attribute, which is required", decl.name),
                );
            }
        }
    }

    /// Checks when element `idx` ends: required children, text.
    fn exit(&mut self, idx: usize) {
        let schema: &'static Schema = self.schema;
        let (line, pos, counts_base, has_text) = {
            let f = &self.frames[idx];
            (f.line, f.schema, f.counts_base, f.has_text)
        };
        match pos {
            SchemaPos::Type(t) => {
                let ty = schema.get(t);
                let is_activity = self.activity == Some(idx);
                for &pi in &ty.required {
                    let (pi, p) = (pi as usize, &ty.particles[pi as usize]);
                    let count = self.counts.get(counts_base + pi).copied().unwrap_or(0);
                    if count < p.min {
                        let critical =
                            is_activity && matches!(&*p.name, "iati-identifier" | "reporting-org");
                        let el = if is_activity {
                            "the activity".to_owned()
                        } else {
                            format!("`{}`", self.frames[idx].name)
                        };
                        let message =
                            format!("{el} has no `{}` element, which is required", p.name);
                        let path = self.path_at(idx, &p.name);
                        let severity = if critical {
                            Severity::Critical
                        } else {
                            Severity::Error
                        };
                        self.push_diag(
                            severity,
                            DiagnosticKind::MissingElement,
                            line,
                            path,
                            message,
                        );
                    }
                }
                match ty.text {
                    None if has_text => {
                        let f = &self.frames[idx];
                        let shown: String = lexical::trim_xml(&f.text).chars().take(40).collect();
                        let message =
                            format!("`{}` must not contain text (found `{shown}`)", f.name);
                        let path = self.path_at(idx, "");
                        self.push_diag(
                            Severity::Error,
                            DiagnosticKind::Structure,
                            line,
                            path,
                            message,
                        );
                    }
                    Some(st) => self.check_text(idx, st),
                    None => {}
                }
            }
            SchemaPos::Simple(st) => self.check_text(idx, st),
            SchemaPos::Unchecked => {}
        }
        // `text()` codelist rules (e.g. crs-add/channel-code).
        if let Some(node) = self.frames[idx].map {
            let mapping: &'static Mapping = self.mapping;
            if let Some(rule) = mapping.rules(node).iter().find(|r| r.attr.is_none()) {
                let value = lexical::trim_xml(&self.frames[idx].text).to_owned();
                self.check_code(idx, &rule.list, &value, "");
            }
        }
    }

    fn check_text(&mut self, idx: usize, st: SimpleType) {
        let f = &self.frames[idx];
        if let Some((kind, why)) = check_simple(st, &f.text, false) {
            let shown: String = lexical::trim_xml(&f.text).chars().take(40).collect();
            let line = f.line;
            let path = self.path_at(idx, "");
            self.push_diag(
                Severity::Error,
                kind,
                line,
                path,
                format!("`{shown}` is not {why}"),
            );
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Active,
    Empty,
    Withdrawn,
    /// Country codes must at least look like ISO 3166-1 alpha-2.
    NotCountryLike,
    NotInIncompleteList,
    Invalid,
}

fn code_verdict(list: &str, value: &str) -> Verdict {
    code_verdict_in(codelists::codelist(list), list, value)
}

fn code_verdict_in(cl: Option<&codelists::Codelist>, list: &str, value: &str) -> Verdict {
    let Some(cl) = cl else { return Verdict::Active };
    match cl.get(value) {
        Some(item) if item.status() == CodeStatus::Active => Verdict::Active,
        Some(_) => Verdict::Withdrawn,
        None if value.is_empty() => Verdict::Empty,
        None if list == "Country"
            && !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())) =>
        {
            Verdict::NotCountryLike
        }
        None if !cl.is_complete() => Verdict::NotInIncompleteList,
        None => Verdict::Invalid,
    }
}

/// Lexical check of a value of an XSD simple type: the diagnostic kind and
/// the completion of "`value` is not …" when it fails.
fn check_simple(
    ty: SimpleType,
    value: &str,
    is_percentage: bool,
) -> Option<(DiagnosticKind, &'static str)> {
    let decimal_kind = if is_percentage {
        DiagnosticKind::InvalidPercentage
    } else {
        DiagnosticKind::InvalidDecimal
    };
    match ty {
        SimpleType::String | SimpleType::Unchecked => None,
        SimpleType::Decimal => lexical::check_decimal(value)
            .err()
            .map(|w| (decimal_kind, w)),
        SimpleType::Date => lexical::check_date(value)
            .err()
            .map(|w| (DiagnosticKind::InvalidDate, w)),
        SimpleType::DateTime => lexical::check_datetime(value)
            .err()
            .map(|w| (DiagnosticKind::InvalidDate, w)),
        SimpleType::Boolean => lexical::parse_bool(value)
            .err()
            .map(|w| (DiagnosticKind::InvalidBoolean, w)),
        SimpleType::Int => lexical::parse_int(value)
            .err()
            .map(|w| (DiagnosticKind::InvalidDecimal, w)),
        SimpleType::PositiveInteger => match lexical::parse_int(value) {
            Ok(n) if n > 0 => None,
            _ => Some((DiagnosticKind::InvalidDecimal, "a positive integer")),
        },
        SimpleType::NonNegativeInteger => match lexical::parse_int(value) {
            Ok(n) if n >= 0 => None,
            _ => Some((DiagnosticKind::InvalidDecimal, "a non-negative integer")),
        },
    }
}

/// 1.0x used words and letters where 2.0x uses numeric codes. Only applied to
/// files declaring a 1.0x version (or none): in a 2.0x file `Funding` stays
/// what it is, an invalid code.
fn normalise_v1(tag: Tag, attr: &str, value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    let v = lower.as_str();
    Some(match (tag, attr) {
        (Tag::ParticipatingOrg, "role") => match v {
            "funding" => "1",
            "accountable" => "2",
            "extending" => "3",
            "implementing" => "4",
            _ => return None,
        },
        (Tag::TransactionType, "code") => match v {
            "if" => "1",
            "c" => "2",
            "d" => "3",
            "e" => "4",
            "ir" => "5",
            "lr" => "6",
            "r" => "7",
            "qp" => "8",
            "qs" => "9",
            "cg" => "10",
            _ => return None,
        },
        (Tag::ActivityDate, "type") => match v {
            "start-planned" => "1",
            "start-actual" => "2",
            "end-planned" => "3",
            "end-actual" => "4",
            _ => return None,
        },
        (Tag::Budget, "type") => match v {
            "original" => "1",
            "revised" => "2",
            _ => return None,
        },
        (Tag::PolicyMarker, "vocabulary") => match v {
            "dac" => "1",
            "ro" => "99",
            _ => return None,
        },
        (Tag::Sector, "vocabulary") => match v {
            "dac" => "1",
            "dac-3" => "2",
            "cofog" => "3",
            "nace" => "4",
            "ntee" => "5",
            "adt" => "6",
            "ro" => "99",
            "ro2" => "98",
            _ => return None,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_normalisation_table() {
        assert_eq!(normalise_v1(Tag::TransactionType, "code", "D"), Some("3"));
        assert_eq!(normalise_v1(Tag::TransactionType, "code", "CG"), Some("10"));
        assert_eq!(
            normalise_v1(Tag::ParticipatingOrg, "role", "FUNDING"),
            Some("1")
        );
        assert_eq!(
            normalise_v1(Tag::ActivityDate, "type", "end-actual"),
            Some("4")
        );
        assert_eq!(
            normalise_v1(Tag::PolicyMarker, "vocabulary", "RO"),
            Some("99")
        );
        assert_eq!(normalise_v1(Tag::Budget, "type", "Revised"), Some("2"));
        assert_eq!(normalise_v1(Tag::Sector, "vocabulary", "DAC-3"), Some("2"));
        assert_eq!(normalise_v1(Tag::TransactionType, "code", "3"), None);
        assert_eq!(normalise_v1(Tag::Sector, "code", "DAC"), None);
    }

    #[test]
    fn names() {
        assert_eq!(xml_name("iati-activity"), Some(false));
        assert_eq!(xml_name("xml:lang"), Some(true));
        assert_eq!(xml_name("Nuku‘alofa"), Some(false));
        assert_eq!(xml_name("1abc"), None);
        assert_eq!(xml_name(""), None);
        assert_eq!(xml_name("a b"), None);
        assert_eq!(xml_name("a\"b"), None);
    }
}
