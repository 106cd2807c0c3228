//! The XML layer under the XLIFF and TMX readers: a flat event stream over quick-xml with line
//! numbers, a nesting limit, no entity declarations, and inline markup turned into placeholders.
//!
//! Nothing here recurses over the document: open elements live in an explicit stack, so a file
//! nested 100,000 levels deep is refused at `MAX_DEPTH` instead of overflowing the stack.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Deeper than any real XLIFF or TMX (a handful of levels plus inline markup).
pub(super) const MAX_DEPTH: usize = 256;

/// A start tag with its local name (namespace prefix dropped) and unescaped attributes.
#[derive(Debug, Clone)]
pub(super) struct Tag {
    pub name: String,
    /// Attribute names as written (`xml:lang` keeps its prefix).
    pub attrs: Vec<(String, String)>,
    pub line: usize,
}

impl Tag {
    /// The value of attribute `key`, matching the name as written or, failing that, its local part.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| {
                self.attrs
                    .iter()
                    .find(|(k, _)| k.rsplit(':').next() == Some(key))
            })
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub(super) enum Ev {
    /// Also sent for `<empty/>` elements, which are followed by their `End`.
    Start(Tag),
    End,
    Text(String),
}

/// Pull parser: `next()` gives events until the end of the document or the first error, a one-line
/// message starting with the line number.
pub(super) struct XmlStream<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    /// Open elements: local name and the line of the start tag (for "not closed" messages).
    open: Vec<(String, usize)>,
    /// Line counting is incremental: `counted_to` bytes of `text` contain `newlines` newlines.
    counted_to: usize,
    newlines: usize,
    pending_end: bool,
}

impl<'a> XmlStream<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut reader = Reader::from_str(text);
        // Whitespace is content in translation units; end tags must match their start tags.
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        XmlStream {
            reader,
            text,
            open: Vec::new(),
            counted_to: 0,
            newlines: 0,
            pending_end: false,
        }
    }

    /// 1-based line of byte offset `pos`.
    pub fn line_at(&mut self, pos: u64) -> usize {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if pos < self.counted_to {
            self.counted_to = 0;
            self.newlines = 0;
        }
        let bytes = self.text.as_bytes();
        self.newlines += bytes[self.counted_to..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted_to = pos;
        self.newlines + 1
    }

    pub fn depth(&self) -> usize {
        self.open.len()
    }

    pub fn next(&mut self) -> Result<Option<Ev>, String> {
        if self.pending_end {
            self.pending_end = false;
            self.open.pop();
            return Ok(Some(Ev::End));
        }
        loop {
            let start = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let line = self.line_at(self.reader.error_position());
                    return Err(format!("line {line}: not well-formed XML ({e})"));
                }
            };
            match event {
                Event::Start(e) => {
                    let tag = self.tag(&e, start)?;
                    self.open.push((tag.name.clone(), tag.line));
                    return Ok(Some(Ev::Start(tag)));
                }
                Event::Empty(e) => {
                    let tag = self.tag(&e, start)?;
                    self.open.push((tag.name.clone(), tag.line));
                    self.pending_end = true;
                    return Ok(Some(Ev::Start(tag)));
                }
                Event::End(_) => {
                    // quick-xml has already checked that the name matches the open element.
                    self.open.pop();
                    return Ok(Some(Ev::End));
                }
                Event::Text(t) => {
                    let text = t.unescape().map_err(|e| self.escape_error(&e, start))?;
                    if self.open.is_empty() {
                        continue;
                    }
                    return Ok(Some(Ev::Text(text.into_owned())));
                }
                Event::CData(c) => {
                    let text = String::from_utf8_lossy(&c).into_owned();
                    return Ok(Some(Ev::Text(text)));
                }
                Event::DocType(d) => {
                    // quick-xml never expands DTD entities, but a file that declares them expects
                    // them expanded (or is an attack: billion laughs, external entities), so refuse.
                    let decl = String::from_utf8_lossy(&d).to_ascii_uppercase();
                    if decl.contains("<!ENTITY") {
                        let line = self.line_at(start);
                        return Err(format!(
                            "line {line}: the DOCTYPE declares entities (<!ENTITY>); entity declarations are not supported"
                        ));
                    }
                }
                Event::Eof => {
                    if let Some((name, opened)) = self.open.last().cloned() {
                        let line = self.line_at(self.text.len() as u64);
                        return Err(format!(
                            "line {line}: XML ends early (truncated?): <{name}> opened at line {opened} is not closed"
                        ));
                    }
                    return Ok(None);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }

    /// Entities other than the five XML ones are unknown: none are ever declared (see DocType).
    fn escape_error(&mut self, e: &quick_xml::Error, start: u64) -> String {
        use quick_xml::escape::EscapeError;
        match e {
            quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(range, name)) => {
                let line = self.line_at(start + range.start as u64);
                format!("line {line}: unknown entity &{name}; (only &lt; &gt; &amp; &quot; &apos; and &#...; are allowed)")
            }
            quick_xml::Error::Escape(EscapeError::UnterminatedEntity(range)) => {
                let line = self.line_at(start + range.start as u64);
                format!("line {line}: `&` starts no entity (write &amp;)")
            }
            e => {
                let line = self.line_at(start);
                format!("line {line}: {e}")
            }
        }
    }

    fn tag(&mut self, e: &BytesStart<'_>, start: u64) -> Result<Tag, String> {
        let line = self.line_at(start);
        if self.open.len() >= MAX_DEPTH {
            return Err(format!(
                "line {line}: elements nested more than {MAX_DEPTH} levels deep"
            ));
        }
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr =
                attr.map_err(|err| format!("line {line}: bad attribute in <{name}> ({err})"))?;
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let value = attr
                .unescape_value()
                .map_err(|err| format!("line {line}: bad attribute {key} in <{name}> ({err})"))?;
            attrs.push((key, value.into_owned()));
        }
        Ok(Tag { name, attrs, line })
    }
}

/// What an element's end tag adds to the text.
#[derive(Debug)]
enum Close {
    Nothing,
    Emit(String),
    /// A native-code element (`<ph>`, `<bpt>`, `<ept>`, `<it>`, `<ut>`): its content was captured;
    /// the placeholder is that code, or `fallback` when it has none.
    Code(String),
}

/// The text of one `<source>`, `<target>` or `<seg>` with inline markup replaced by placeholders:
/// paired tags (`<g>`, `<pc>`, `<bx/>`/`<ex/>`, `<sc/>`/`<ec/>`, `<bpt>`/`<ept>`) give `{id}` and
/// `{/id}`, standalone ones (`<x/>`, `<ph/>`) give `{id}`, and code elements that carry the
/// original code (`<ph>%s</ph>`, `<bpt>&lt;b&gt;</bpt>`) give that code. Both sides of a unit use
/// the same ids, so equal markup gives equal placeholder strings.
#[derive(Debug, Default)]
pub(super) struct Inline {
    pub text: String,
    stack: Vec<Close>,
    /// Captured native code and the stack depth of the element capturing it.
    code: Option<(usize, String)>,
}

impl Inline {
    /// `data`: XLIFF 2.0 `<originalData>` (id, native code), which `dataRef` attributes point to.
    pub fn start(&mut self, tag: &Tag, data: &[(String, String)]) {
        if self.code.is_some() {
            // Markup inside native code (`<sub>`) is part of the code.
            self.stack.push(Close::Nothing);
            return;
        }
        let key = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| tag.attr(n))
                .unwrap_or("?")
                .to_string()
        };
        // The native code an XLIFF 2.0 element stands for, when <originalData> has it.
        let code = |attr: &str| {
            let r = tag.attr(attr)?;
            data.iter()
                .find(|(id, c)| id == r && !c.trim().is_empty())
                .map(|(_, c)| c.clone())
        };
        let close = match tag.name.as_str() {
            "pc" if code("dataRefStart").is_some() => {
                let id = key(&["id"]);
                self.text
                    .push_str(&code("dataRefStart").unwrap_or_default());
                Close::Emit(code("dataRefEnd").unwrap_or_else(|| format!("{{/{id}}}")))
            }
            "ph" | "sc" | "ec" if code("dataRef").is_some() => {
                self.text.push_str(&code("dataRef").unwrap_or_default());
                Close::Nothing
            }
            "g" | "pc" => {
                let id = key(&["id"]);
                self.text.push_str(&format!("{{{id}}}"));
                Close::Emit(format!("{{/{id}}}"))
            }
            "x" | "sc" => {
                self.text.push_str(&format!("{{{}}}", key(&["id"])));
                Close::Nothing
            }
            "bx" => {
                self.text.push_str(&format!("{{{}}}", key(&["rid", "id"])));
                Close::Nothing
            }
            "ex" => {
                self.text.push_str(&format!("{{/{}}}", key(&["rid", "id"])));
                Close::Nothing
            }
            "ec" => {
                self.text
                    .push_str(&format!("{{/{}}}", key(&["startRef", "id"])));
                Close::Nothing
            }
            "ph" => self.capture(format!("{{{}}}", key(&["id", "x", "i"]))),
            "ut" => self.capture(format!("{{{}}}", key(&["x", "id"]))),
            "bpt" => self.capture(format!("{{{}}}", key(&["rid", "i", "id", "x"]))),
            "ept" => self.capture(format!("{{/{}}}", key(&["rid", "i", "id"]))),
            "it" => {
                let k = key(&["rid", "x", "i", "id"]);
                match tag.attr("pos") {
                    Some("close") | Some("end") => self.capture(format!("{{/{k}}}")),
                    _ => self.capture(format!("{{{k}}}")),
                }
            }
            "cp" => {
                // XLIFF 2.0 escapes characters XML cannot carry as <cp hex="0007"/>.
                if let Some(c) = tag
                    .attr("hex")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    self.text.push(c);
                }
                Close::Nothing
            }
            // <mrk>, <hi>, <sm/>, <em/>, unknown extensions: their text counts, the tag does not.
            _ => Close::Nothing,
        };
        self.stack.push(close);
    }

    fn capture(&mut self, fallback: String) -> Close {
        self.code = Some((self.stack.len(), String::new()));
        Close::Code(fallback)
    }

    pub fn end(&mut self) {
        match self.stack.pop() {
            Some(Close::Emit(s)) => self.text.push_str(&s),
            Some(Close::Code(fallback)) => {
                let code = self.code.take().map(|(_, c)| c).unwrap_or_default();
                if code.trim().is_empty() {
                    self.text.push_str(&fallback);
                } else {
                    self.text.push_str(&code);
                }
            }
            Some(Close::Nothing) | None => {}
        }
    }

    pub fn push_text(&mut self, s: &str) {
        match &mut self.code {
            Some((_, code)) => code.push_str(s),
            None => self.text.push_str(s),
        }
    }

    /// The text, or `None` when there is nothing but whitespace (an empty target).
    pub fn into_text(self) -> Option<String> {
        if self.text.trim().is_empty() {
            None
        } else {
            Some(self.text)
        }
    }
}

/// A note shortened for reports: whitespace collapsed, at most 200 characters.
pub(super) fn short_note(s: &str) -> Option<String> {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    if collapsed.chars().count() <= 200 {
        return Some(collapsed);
    }
    let mut short: String = collapsed.chars().take(199).collect();
    short.push('…');
    Some(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(text: &str) -> Result<usize, String> {
        let mut xml = XmlStream::new(text);
        let mut n = 0;
        while xml.next()?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let depth = 100_000;
        let text = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let t = std::time::Instant::now();
        let err = drain(&text).unwrap_err();
        assert!(err.contains("nested more than 256"), "{err}");
        assert!(t.elapsed().as_secs_f64() < 1.0);
    }

    #[test]
    fn mismatched_and_truncated_name_the_line() {
        let err = drain("<a>\n<b>\n</c>\n</a>").unwrap_err();
        assert!(
            err.starts_with("line 3:") && err.contains("not well-formed"),
            "{err}"
        );
        let err = drain("<a>\n<b>text</b>\n").unwrap_err();
        assert!(err.contains("<a> opened at line 1 is not closed"), "{err}");
    }

    #[test]
    fn entities_and_cdata() {
        let mut xml = XmlStream::new("<a>&lt;b&gt; &amp; &#x263A;&#65;<![CDATA[<raw>]]></a>");
        let mut text = String::new();
        while let Some(ev) = xml.next().unwrap() {
            if let Ev::Text(t) = ev {
                text.push_str(&t);
            }
        }
        assert_eq!(text, "<b> & \u{263A}A<raw>");
        let err = drain("<a>\n&lol;</a>").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
