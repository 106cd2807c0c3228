//! HTML articles, parsed by html5ever as a browser parses them (malformed markup included):
//! the text of block elements, alt and title attributes, within `<article>` or `<main>` when the
//! page has one; scripts, styles, navigation, page headers and footers and hidden elements are
//! skipped. Inline code and link targets are kept aside to be compared verbatim.
//!
//! html5ever's tree has no source positions, so every text node is found again in the page's
//! character data (the source with markup skipped and character references decoded, see
//! [`CharacterData`]), searched in document order: each extracted character then points at its
//! exact place in the file.

use std::ops::Range;
use std::rc::Rc;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use super::article::{Article, ArticleBuilder, OffsetMap, VerbatimKind};
use super::xml::MAX_DEPTH;
use super::FileFormat;

/// Elements whose content the tokenizer reads as raw text: not character data, never shown.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Elements whose content is text with character references but no markup.
const RCDATA: &[&str] = &["title", "textarea"];

/// Inline elements: their text continues the block around them. Every other element starts and
/// ends a block.
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "q", "rb", "rp", "rt", "rtc",
    "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "wbr",
];

/// Elements never read: code, metadata, embedded content, forms' controls and navigation.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "template", "noscript", "pre", "nav", "iframe", "object", "embed",
    "canvas", "video", "audio", "select", "textarea", "button", "dialog",
];

/// Reads an HTML document.
pub(super) fn parse(text: &str) -> Result<Article, String> {
    let dom = parse_tree(text)?;
    let data = CharacterData::scan(text);
    let (root, lang) = content_root(&dom.document);
    let mut walk = Walk {
        b: ArticleBuilder::new(),
        finder: Finder::new(&data),
        labels: Vec::new(),
        tables: Vec::new(),
        table_count: 0,
    };
    walk.run(&dom.document, &root, text)?;
    let mut article = walk.b.finish(FileFormat::Html, Some(text));
    article.lang = lang;
    Ok(article)
}

/// Input fed to html5ever at a time, between two depth checks.
const CHUNK: usize = 4096;

/// Parses `text` with html5ever in chunks, refusing it as soon as the tree is nested deeper than
/// `MAX_DEPTH`: the tree builder's scope checks walk the stack of open elements, so a page nested
/// 50,000 levels deep would take minutes (browsers cap the depth for the same reason).
fn parse_tree(text: &str) -> Result<RcDom, String> {
    let mut parser = parse_document(RcDom::default(), ParseOpts::default());
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + CHUNK).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        parser.process(StrTendril::from_slice(&text[start..end]));
        if open_depth(&parser.tokenizer.sink.sink.document) > MAX_DEPTH {
            return Err(format!(
                "line {}: elements nested more than {MAX_DEPTH} levels deep",
                line_at(text, end)
            ));
        }
        start = end;
    }
    Ok(parser.finish())
}

/// Depth of the last node of the tree built so far (where parsing goes on).
fn open_depth(document: &Handle) -> usize {
    let mut node = document.clone();
    let mut depth = 0;
    loop {
        let last = node.children.borrow().last().cloned();
        match last {
            Some(child) => {
                node = child;
                depth += 1;
            }
            None => return depth,
        }
    }
}

/// The text a page shows: `<article>` (the one with the most text when there are several),
/// else `<main>`, else `<body>`; and its language, from the nearest `lang` attribute.
fn content_root(document: &Handle) -> (Handle, Option<String>) {
    let mut articles: Vec<(Handle, Option<String>, usize)> = Vec::new();
    let mut main: Option<(Handle, Option<String>)> = None;
    let mut body: Option<(Handle, Option<String>)> = None;
    // Depth-first with the inherited language; articles inside articles belong to the outer one.
    let mut stack = vec![(document.clone(), None::<String>, false)];
    while let Some((node, inherited, in_article)) = stack.pop() {
        let NodeData::Element { name, .. } = &node.data else {
            for child in node.children.borrow().iter().rev() {
                stack.push((child.clone(), inherited.clone(), in_article));
            }
            continue;
        };
        let lang = attr(&node, "lang")
            .or_else(|| attr(&node, "xml:lang"))
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .or(inherited);
        let tag = &*name.local;
        let is_article = tag == "article" && !in_article;
        if is_article {
            articles.push((node.clone(), lang.clone(), text_len(&node)));
        } else if main.is_none()
            && (tag == "main" || attr(&node, "role").as_deref() == Some("main"))
        {
            main = Some((node.clone(), lang.clone()));
        } else if tag == "body" && body.is_none() {
            body = Some((node.clone(), lang.clone()));
        }
        for child in node.children.borrow().iter().rev() {
            stack.push((child.clone(), lang.clone(), in_article || is_article));
        }
    }
    let article = articles
        .into_iter()
        .rev()
        .max_by_key(|(_, _, len)| *len)
        .map(|(n, l, _)| (n, l));
    article
        .or(main)
        .or(body)
        .unwrap_or_else(|| (document.clone(), None))
}

/// Characters of text under `node`, scripts and styles aside (to pick the main article).
fn text_len(node: &Handle) -> usize {
    let mut n = 0;
    let mut stack = vec![node.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => n += contents.borrow().trim().len(),
            NodeData::Element { name, .. } if RAW_TEXT.contains(&&*name.local) => {}
            _ => stack.extend(node.children.borrow().iter().cloned()),
        }
    }
    n
}

/// The value of attribute `key` of an element.
fn attr(node: &Handle, key: &str) -> Option<String> {
    let NodeData::Element { attrs, .. } = &node.data else {
        return None;
    };
    let attrs = attrs.borrow();
    attrs
        .iter()
        .find(|a| {
            let local: &str = &a.name.local;
            match &a.name.prefix {
                Some(p) => key.split_once(':') == Some((&**p, local)),
                None => local == key,
            }
        })
        .map(|a| a.value.to_string())
}

/// Hidden from readers: `hidden`, `aria-hidden="true"`, `display: none`, `visibility: hidden`.
fn is_hidden(node: &Handle) -> bool {
    if attr(node, "hidden").is_some() || attr(node, "aria-hidden").as_deref() == Some("true") {
        return true;
    }
    let style: String = attr(node, "style")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    style.contains("display:none") || style.contains("visibility:hidden")
}

/// One step of the walk: an element's children come between its `Enter` and its `Exit`.
enum Step {
    Enter(Handle, usize),
    Exit(Handle),
}

/// How the walk treats an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Read, continuing the block around it.
    Inline,
    /// Read as blocks of its own.
    Block,
    /// Not read (but its text is still found in the source, to keep the search in step).
    Skipped,
    /// Raw text (scripts, styles): neither read nor character data.
    Raw,
}

struct Walk<'a> {
    b: ArticleBuilder,
    finder: Finder<'a>,
    /// Labels of the open block elements, innermost last.
    labels: Vec<String>,
    /// Open tables: their number and the current row and cell.
    tables: Vec<(usize, usize, usize)>,
    table_count: usize,
}

impl Walk<'_> {
    fn run(&mut self, document: &Handle, root: &Handle, text: &str) -> Result<(), String> {
        let mut stack = vec![Step::Enter(document.clone(), 0)];
        // Depth at which reading stops (a skipped element), and whether the walk is in the root.
        let mut skip_from: Option<usize> = None;
        let mut raw_from: Option<usize> = None;
        let mut in_root = false;
        // Depths of open elements, for `Exit`.
        let mut depths: Vec<usize> = Vec::new();
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(node, depth) => {
                    if depth > MAX_DEPTH {
                        let line = line_at(text, self.finder.source_offset());
                        return Err(format!(
                            "line {line}: elements nested more than {MAX_DEPTH} levels deep"
                        ));
                    }
                    match &node.data {
                        NodeData::Text { contents } => {
                            if raw_from.is_some() {
                                continue;
                            }
                            let contents = contents.borrow();
                            let found = self.finder.find(&contents);
                            if in_root && skip_from.is_none() {
                                self.push_text(&contents, found);
                            }
                            continue;
                        }
                        NodeData::Element { .. } => {}
                        NodeData::Document => {
                            push_children(&mut stack, &node, depth);
                            continue;
                        }
                        _ => continue,
                    }
                    if Rc::ptr_eq(&node, root) {
                        in_root = true;
                    }
                    let role = self.role(&node);
                    match role {
                        Role::Raw => {
                            raw_from.get_or_insert(depth);
                            skip_from.get_or_insert(depth);
                        }
                        Role::Skipped => {
                            skip_from.get_or_insert(depth);
                        }
                        _ => {}
                    }
                    if in_root && skip_from.is_none() {
                        self.enter(&node, role, text);
                    }
                    depths.push(depth);
                    stack.push(Step::Exit(node.clone()));
                    push_children(&mut stack, &node, depth);
                }
                Step::Exit(node) => {
                    let depth = depths.pop().unwrap_or(0);
                    if in_root && skip_from.is_none() {
                        self.exit(&node);
                    }
                    if skip_from == Some(depth) {
                        skip_from = None;
                    }
                    if raw_from == Some(depth) {
                        raw_from = None;
                    }
                    if Rc::ptr_eq(&node, root) {
                        in_root = false;
                    }
                }
            }
        }
        Ok(())
    }

    fn role(&self, node: &Handle) -> Role {
        let NodeData::Element { name, .. } = &node.data else {
            return Role::Inline;
        };
        let tag = &*name.local;
        if RAW_TEXT.contains(&tag) {
            return Role::Raw;
        }
        // SVG and MathML are pictures and formulas, not prose.
        let foreign = name.ns != ns!(html);
        let page_boilerplate = matches!(tag, "header" | "footer") && !self.in_section()
            || matches!(
                attr(node, "role").as_deref(),
                Some("navigation" | "banner" | "contentinfo")
            );
        if foreign || SKIPPED.contains(&tag) || page_boilerplate || is_hidden(node) {
            Role::Skipped
        } else if INLINE.contains(&tag) {
            Role::Inline
        } else {
            Role::Block
        }
    }

    /// Inside `<article>` or `<section>`, a header or footer is that section's own (its headline,
    /// its byline), not the page's boilerplate.
    fn in_section(&self) -> bool {
        self.labels
            .iter()
            .any(|l| l == "<article>" || l == "<section>")
    }

    fn enter(&mut self, node: &Handle, role: Role, text: &str) {
        let NodeData::Element { name, .. } = &node.data else {
            return;
        };
        let tag = &*name.local;
        if role == Role::Block {
            self.b.end_block();
            let label = match tag {
                "table" => {
                    self.table_count += 1;
                    self.tables.push((self.table_count, 0, 0));
                    "<table>".to_string()
                }
                "tr" => {
                    if let Some(t) = self.tables.last_mut() {
                        t.1 += 1;
                        t.2 = 0;
                    }
                    "<tr>".to_string()
                }
                "td" | "th" => match self.tables.last_mut() {
                    Some(t) => {
                        t.2 += 1;
                        format!("table {}, row {}, cell {}", t.0, t.1, t.2)
                    }
                    None => format!("<{tag}>"),
                },
                _ => format!("<{tag}>"),
            };
            self.labels.push(label);
        }
        let at = self.finder.source_offset();
        if name.local == local_name!("br") {
            self.b.line_break(at..at);
        }
        if name.local == local_name!("a") {
            let href = attr(node, "href").unwrap_or_default();
            let shown = descendant_text(node);
            let href_trimmed = href.trim();
            if !href_trimmed.is_empty()
                && !href_trimmed.starts_with("javascript:")
                && shown.trim() != href_trimmed
            {
                self.b.verbatim(VerbatimKind::Link, href_trimmed);
            }
        }
        if name.local == local_name!("code") {
            self.b.verbatim(VerbatimKind::Code, &descendant_text(node));
        }
        if matches!(tag, "img" | "area" | "input") {
            if let Some(alt) = attr(node, "alt").filter(|a| !a.trim().is_empty()) {
                let orig = attribute_source(text, at, &alt);
                self.b
                    .side_block(&format!("alt text of <{tag}>"), &alt, orig);
            }
        }
        if let Some(title) = attr(node, "title").filter(|a| !a.trim().is_empty()) {
            let orig = attribute_source(text, at, &title);
            self.b
                .side_block(&format!("title of <{tag}>"), &title, orig);
        }
    }

    fn exit(&mut self, node: &Handle) {
        if self.role(node) != Role::Block {
            return;
        }
        self.b.end_block();
        if let Some(label) = self.labels.pop() {
            if label == "<table>" {
                self.tables.pop();
            }
        }
    }

    /// A text node's characters, each with its place in the source when the node was found there
    /// (else all at the search position).
    fn push_text(&mut self, contents: &str, found: Option<usize>) {
        if let Some(label) = self.labels.last() {
            self.b.set_label(label);
        }
        match found {
            Some(at) => {
                let map = &self.finder.data.map;
                for (k, c) in contents.char_indices() {
                    let (s, e) = (at + k, at + k + c.len_utf8());
                    self.b.push_char(c, map.start_of(s)..map.end_of(e));
                }
            }
            None => {
                let at = self.finder.source_offset();
                self.b.push_str(contents, at..at);
            }
        }
    }
}

fn push_children(stack: &mut Vec<Step>, node: &Handle, depth: usize) {
    for child in node.children.borrow().iter().rev() {
        stack.push(Step::Enter(child.clone(), depth + 1));
    }
}

/// The text of an element's descendants, joined (a code span, a link's text).
fn descendant_text(node: &Handle) -> String {
    let mut out = String::new();
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        if let NodeData::Text { contents } = &n.data {
            out.push_str(&contents.borrow());
        }
        for child in n.children.borrow().iter().rev() {
            stack.push(child.clone());
        }
    }
    out
}

/// Where an attribute's value is in the source: searched for as written just after `from` (the
/// position of the element's tag), else the whole value stands at `from`.
fn attribute_source(text: &str, from: usize, value: &str) -> Range<usize> {
    let from = floor_boundary(text, from.min(text.len()));
    let window_end = floor_boundary(text, (from + 8192).min(text.len()));
    match text[from..window_end].find(value) {
        Some(i) => from + i..from + i + value.len(),
        None => from..from,
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The page's character data: its source with tags, comments, doctypes and raw text (scripts,
/// styles) left out, character references decoded and line ends normalised, as the HTML
/// tokenizer reads it; with where each character came from.
struct CharacterData {
    text: String,
    map: OffsetMap,
}

impl CharacterData {
    fn scan(src: &str) -> Self {
        let mut out = CharacterData {
            text: String::new(),
            map: OffsetMap::default(),
        };
        let bytes = src.as_bytes();
        let mut i = 0;
        // Inside an RCDATA element (`<title>`): text up to its end tag, no markup.
        let mut rcdata: Option<&str> = None;
        while i < bytes.len() {
            let rest = &src[i..];
            if bytes[i] == b'<' {
                if let Some(name) = rcdata {
                    if end_tag_named(rest, name) {
                        rcdata = None;
                    } else {
                        out.push('<', i..i + 1);
                        i += 1;
                        continue;
                    }
                }
                if rest.starts_with("<!--") {
                    i = comment_end(src, i);
                    continue;
                }
                let next = bytes.get(i + 1).copied().unwrap_or(0);
                if next == b'!' || next == b'?' {
                    i = src[i..].find('>').map_or(src.len(), |j| i + j + 1);
                    continue;
                }
                let closing = next == b'/';
                let name_at = i + 1 + usize::from(closing);
                if bytes.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
                    let name: String = src[name_at..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    i = tag_end(bytes, name_at);
                    if closing {
                        continue;
                    }
                    if let Some(&raw) = RAW_TEXT.iter().find(|&&r| r == name) {
                        i = raw_text_end(src, i, raw);
                    } else if let Some(&rc) = RCDATA.iter().find(|&&r| r == name) {
                        rcdata = Some(rc);
                    } else if name == "plaintext" {
                        // Everything after <plaintext> is text, markup included.
                        for (k, c) in src[i..].char_indices() {
                            out.push(c, i + k..i + k + c.len_utf8());
                        }
                        break;
                    }
                    continue;
                }
                if closing && next == b'/' && bytes.get(i + 2) == Some(&b'>') {
                    i += 3; // `</>` is ignored
                    continue;
                }
            }
            if bytes[i] == b'&' {
                if let Some((decoded, len)) = char_ref(rest) {
                    for c in decoded.into_iter().flatten() {
                        out.push(c, i..i + len);
                    }
                    i += len;
                    continue;
                }
            }
            if rest.starts_with("\r\n") {
                out.push('\n', i..i + 2);
                i += 2;
                continue;
            }
            let c = rest.chars().next().unwrap_or('\u{fffd}');
            out.push(c, i..i + c.len_utf8());
            i += c.len_utf8();
        }
        out
    }

    fn push(&mut self, c: char, orig: Range<usize>) {
        let verbatim = orig.len() == c.len_utf8();
        self.map.push(self.text.len(), orig, verbatim);
        self.text.push(c);
    }
}

/// Whether `s` starts with the end tag `</name` followed by a delimiter.
fn end_tag_named(s: &str, name: &str) -> bool {
    // Bytes, not characters: what follows `</` may be any text.
    let b = s.as_bytes();
    b.len() > name.len() + 2
        && s.starts_with("</")
        && b[2..2 + name.len()].eq_ignore_ascii_case(name.as_bytes())
        && matches!(
            b[2 + name.len()],
            b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
        )
}

/// Byte after the comment starting at `i` (`<!-->` and `<!--->` are empty comments).
fn comment_end(src: &str, i: usize) -> usize {
    let body = i + 4;
    for short in [">", "->"] {
        if src[body..].starts_with(short) {
            return body + short.len();
        }
    }
    src[body..].find("-->").map_or(src.len(), |j| body + j + 3)
}

/// Byte after the `>` ending the tag whose name starts at `from`; quoted attribute values may
/// hold `>`.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            b'=' => after_equals = true,
            q @ (b'"' | b'\'') if after_equals => {
                i = bytes[i + 1..]
                    .iter()
                    .position(|&b| b == q)
                    .map_or(bytes.len(), |j| i + 1 + j);
                after_equals = false;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    bytes.len()
}

/// Byte where the raw text of element `name` ends: its end tag, or the end of the file.
fn raw_text_end(src: &str, from: usize, name: &str) -> usize {
    let mut i = from;
    while let Some(j) = src[i..].find("</") {
        if end_tag_named(&src[i + j..], name) {
            return i + j;
        }
        i += j + 2;
    }
    src.len()
}

/// Decodes the character reference at the start of `s` (`&amp;`, `&#233;`, `&#x263A;`, `&not`):
/// its one or two characters and its length, as the tokenizer reads it in text.
fn char_ref(s: &str) -> Option<([Option<char>; 2], usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let digits_at = if hex { 3 } else { 2 };
        let digits = b[digits_at..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let end = digits_at + digits;
        let value =
            u32::from_str_radix(&s[digits_at..end], if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let len = end + usize::from(b.get(end) == Some(&b';'));
        return Some(([Some(numeric_char(value)), None], len));
    }
    let name_len = b[1..]
        .iter()
        .take(40)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    let with_semicolon = b.get(1 + name_len) == Some(&b';');
    // The longest name with its semicolon, else the longest legacy name without one.
    let candidates = std::iter::once(with_semicolon.then(|| &s[1..name_len + 2]))
        .flatten()
        .chain((1..=name_len).rev().map(|k| &s[1..1 + k]));
    for key in candidates {
        if let Some(&(a, b2)) = html5ever::data::NAMED_ENTITIES.get(key) {
            if a != 0 {
                let second = (b2 != 0).then(|| char::from_u32(b2)).flatten();
                return Some(([char::from_u32(a), second], 1 + key.len()));
            }
        }
    }
    None
}

/// A numeric character reference's character, with the tokenizer's replacements.
fn numeric_char(n: u32) -> char {
    match n {
        0 | 0xD800..=0xDFFF | 0x110000.. => '\u{fffd}',
        0x80..=0x9F => html5ever::data::C1_REPLACEMENTS[(n - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(n).unwrap_or('\u{fffd}')),
        n => char::from_u32(n).unwrap_or('\u{fffd}'),
    }
}

/// Finds text nodes in the character data, in document order.
struct Finder<'a> {
    data: &'a CharacterData,
    /// Where the next text node is searched from.
    cursor: usize,
    /// Bytes of character data the searches may still scan: a page whose tree differs much from
    /// its source (text moved out of tables) must not make the search quadratic.
    budget: usize,
}

impl<'a> Finder<'a> {
    fn new(data: &'a CharacterData) -> Self {
        Finder {
            data,
            cursor: 0,
            budget: data.text.len().saturating_mul(8) + (1 << 16),
        }
    }

    /// Where text node `s` starts in the character data, searching from the last node found.
    /// Whitespace-only nodes are not searched (they match anywhere and are never read).
    fn find(&mut self, s: &str) -> Option<usize> {
        if s.trim().is_empty() || self.budget == 0 {
            return None;
        }
        let hay = &self.data.text[self.cursor..];
        match hay.find(s) {
            Some(i) => {
                self.budget = self.budget.saturating_sub(i + s.len());
                let at = self.cursor + i;
                self.cursor = at + s.len();
                Some(at)
            }
            None => {
                self.budget = self.budget.saturating_sub(hay.len());
                None
            }
        }
    }

    /// The source offset of the search position (where elements met now are, near enough).
    fn source_offset(&self) -> usize {
        self.data.map.end_of(self.cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_is_read_and_boilerplate_skipped() {
        let html = r#"<!DOCTYPE html>
<html lang="de"><head><title>Site</title><style>p{}</style></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><article>
<h1>Museum &amp; park</h1>
<p>The museum opens<br>on <b>Saturday</b>.
<script>var x = "<p>no</p>";</script>
<p hidden>Hidden text.</p>
<figure><img src="m.png" alt="A map"><figcaption>Old maps</figcaption></figure>
<table><tr><td>Bonn</td><td>300</td></tr></table>
</article>
<aside><article><p>Short teaser.</p></article></aside></main>
<footer>Copyright</footer></body></html>"#;
        let a = parse(html).unwrap();
        assert_eq!(a.lang.as_deref(), Some("de"));
        assert_eq!(
            a.labelled_blocks(),
            [
                ("<h1>", "Museum & park"),
                ("<p>", "The museum opens\non Saturday."),
                ("alt text of <img>", "A map"),
                ("<figcaption>", "Old maps"),
                ("table 1, row 1, cell 1", "Bonn"),
                ("table 1, row 1, cell 2", "300"),
            ]
        );
        let o = a.origin.as_ref().unwrap();
        let t = a.text.find("Saturday").unwrap();
        let s = o.start_of(t);
        assert_eq!(&html[s..s + 8], "Saturday");
        assert_eq!(o.line_column(s), (6, 30));
        // The decoded `&amp;` stands for its five bytes.
        let amp = a.text.find('&').unwrap();
        assert_eq!(&html[o.start_of(amp)..o.end_of(amp + 1)], "&amp;");
        let alt = a.blocks[2].range.start;
        assert_eq!(&html[o.start_of(alt)..o.end_of(alt + 5)], "A map");
    }

    #[test]
    fn malformed_html_is_read_as_a_browser_reads_it() {
        // Unclosed paragraphs and list items, a stray end tag, an unquoted attribute.
        let a = parse("<p>One<p>Two</span><ul><li>Three<li>Four</ul><p class=x>Five").unwrap();
        let texts: Vec<&str> = a.labelled_blocks().into_iter().map(|(_, t)| t).collect();
        assert_eq!(texts, ["One", "Two", "Three", "Four", "Five"]);
    }

    #[test]
    fn links_and_code_are_verbatim_unless_the_text_is_the_target() {
        let a = parse(
            r#"<p>Run <code>make</code>, read <a href="https://x.org/a" title="Docs">the docs</a> or <a href="https://x.org">https://x.org</a>.</p>"#,
        )
        .unwrap();
        let v = a.verbatim_items();
        assert_eq!(
            v,
            [
                (VerbatimKind::Code, "make"),
                (VerbatimKind::Link, "https://x.org/a")
            ]
        );
        assert_eq!(
            a.labelled_blocks(),
            [
                ("<p>", "Run make, read the docs or https://x.org."),
                ("title of <a>", "Docs")
            ]
        );
    }

    #[test]
    fn character_references_decode_as_the_tokenizer_does() {
        let d = CharacterData::scan("a&lt;b &#x41;&#66 &notit; &bogus; &#128;\r\nz<!-- c -->y");
        assert_eq!(d.text, "a<b AB ¬it; &bogus; €\nzy");
    }

    #[test]
    fn an_end_tag_of_other_characters_in_raw_text_is_text() {
        // Found by the `formats` fuzz target: `</` followed by a multi-byte character.
        let d = CharacterData::scan("<title>a</！!>b</title><p>c</p>");
        assert_eq!(d.text, "a</！!>bc");
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let html = "<div>".repeat(50_000);
        let t = std::time::Instant::now();
        let err = parse(&html).unwrap_err();
        assert!(
            err.starts_with("line 1: elements nested more than"),
            "{err}"
        );
        assert!(t.elapsed().as_secs_f64() < 1.0);
        // As deep as real pages get is fine.
        assert!(parse(&"<div>x".repeat(200)).is_ok());
    }
}
