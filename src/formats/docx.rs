//! Word documents (DOCX: a zip of WordprocessingML parts), read with the same XML layer as XLIFF
//! and TMX: body paragraphs and tables, footnotes, endnotes, headers and footers, in that order
//! (the body first, so that its paragraphs are numbered as a reader counts them).
//! Tracked changes are read as accepted (insertions kept, deletions dropped); comments are not
//! text, only counted. Encrypted and corrupt files, zip bombs and entity declarations are refused.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use super::article::{Article, ArticleBuilder, VerbatimKind};
use super::xml::{Ev, Tag, XmlStream};
use super::FileFormat;

/// Reads a DOCX file's bytes. `max_expanded` bounds what its parts may decompress to in all: a
/// zip bomb stops there, whatever sizes the archive declares.
pub(super) fn read(bytes: &[u8], max_expanded: u64) -> Result<Article, String> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // Word saves password-protected documents as an OLE compound file around the package.
        let name: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        return Err(if bytes.windows(name.len()).any(|w| w == name) {
            "is an encrypted (password-protected) Word document; save it without a password first"
                .into()
        } else {
            "is an OLE compound file (a Word 97-2003 .doc?), not DOCX; save it as .docx first"
                .into()
        });
    }
    if !bytes.starts_with(b"PK") {
        return Err("is not a DOCX file (not a zip archive)".into());
    }
    let mut package = Package {
        zip: ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_message(&e))?,
        budget: max_expanded,
        limit: max_expanded,
    };
    let main = package.main_part()?;
    let Some(body) = package.part(&main)? else {
        return Err(format!(
            "is a zip archive without {main}: not a Word document"
        ));
    };
    let rels = package.relationships(&main)?;
    let mut r = Reader {
        b: ArticleBuilder::new(),
        links: rels
            .iter()
            .filter(|r| r.kind == "hyperlink")
            .map(|r| (r.id.clone(), r.target.clone()))
            .collect(),
        insertions: 0,
        deletions: 0,
        marks: 0,
    };
    let parts_of = |kind: &str| {
        let mut v: Vec<String> = rels
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| part_path(&main, &r.target))
            .collect();
        v.sort_by_key(|p| (p.len(), p.clone()));
        v.dedup();
        v
    };
    r.read_part(&main, &body, Section::Body)?;
    for (kind, section) in [
        ("footnotes", Section::Footnote),
        ("endnotes", Section::Endnote),
        ("header", Section::Header),
        ("footer", Section::Footer),
    ] {
        for part in parts_of(kind) {
            if let Some(xml) = package.part(&part)? {
                r.read_part(&part, &xml, section)?;
            }
        }
    }
    let mut comments = 0;
    for part in parts_of("comments") {
        if let Some(xml) = package.part(&part)? {
            comments += count_elements(&part, &xml, "comment")?;
        }
    }
    let mut notes = Vec::new();
    if comments > 0 {
        notes.push(format!("has {}", plural(comments, "comment")));
    }
    if r.insertions + r.deletions > 0 {
        notes.push(format!(
            "has tracked changes ({}, {}), read as accepted",
            plural(r.insertions, "insertion"),
            plural(r.deletions, "deletion")
        ));
    } else if r.marks > 0 {
        notes.push("has tracked changes (of paragraph marks), read as accepted".into());
    }
    let mut article = r.b.finish(FileFormat::Docx, None);
    article.notes = notes;
    Ok(article)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One-line messages for the zip layer's errors.
fn zip_message(e: &ZipError) -> String {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            "is an encrypted zip archive; save the document without a password first".into()
        }
        ZipError::CompressionMethodNotSupported(m) => {
            format!("is a zip archive compressed with method {m}, which DOCX does not use")
        }
        e => format!("is a corrupt DOCX file (zip archive: {e})"),
    }
}

fn bomb(limit: u64) -> String {
    format!("expands to more than {limit} bytes when unzipped (a zip bomb?); refused")
}

/// The zip archive and what its parts may still expand to.
struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    limit: u64,
}

/// A relationship of a part: its id, its kind (the last segment of its type URI) and target.
struct Relationship {
    id: String,
    kind: String,
    target: String,
}

impl Package<'_> {
    /// The text of part `name` (`None` when the archive has no such part).
    fn part(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(format!("{name}: {}", zip_message(&e))),
        };
        if file.size() > self.budget {
            return Err(bomb(self.limit));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(self.budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("is a corrupt DOCX file ({name}: {e})"))?;
        if bytes.len() as u64 > self.budget {
            return Err(bomb(self.limit));
        }
        self.budget -= bytes.len() as u64;
        super::decode(&bytes)
            .map(Some)
            .map_err(|msg| format!("{name} {msg}"))
    }

    /// The main document part, as the package's relationships name it.
    fn main_part(&mut self) -> Result<String, String> {
        let rels = self.relationships("")?;
        Ok(rels
            .into_iter()
            .find(|r| r.kind == "officeDocument")
            .map(|r| r.target.trim_start_matches('/').to_string())
            .unwrap_or_else(|| "word/document.xml".into()))
    }

    /// The relationships of `part` (`""`: of the package), from its `_rels/NAME.rels` part.
    fn relationships(&mut self, part: &str) -> Result<Vec<Relationship>, String> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let name = if dir.is_empty() {
            format!("_rels/{file}.rels")
        } else {
            format!("{dir}/_rels/{file}.rels")
        };
        let Some(xml) = self.part(&name)? else {
            return Ok(Vec::new());
        };
        let mut xml_stream = XmlStream::new(&xml);
        let mut out = Vec::new();
        while let Some(ev) = xml_stream.next().map_err(|e| format!("{name}: {e}"))? {
            if let Ev::Start(tag) = ev {
                if tag.name == "Relationship" {
                    let get = |k: &str| tag.attr(k).unwrap_or_default().to_string();
                    out.push(Relationship {
                        id: get("Id"),
                        kind: get("Type").rsplit('/').next().unwrap_or_default().into(),
                        target: get("Target"),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// A relationship target resolved against the folder of the part that names it.
fn part_path(from: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Elements named `local` in a part.
fn count_elements(name: &str, xml: &str, local: &str) -> Result<usize, String> {
    let mut stream = XmlStream::new(xml);
    let mut n = 0;
    while let Some(ev) = stream.next().map_err(|e| format!("{name}: {e}"))? {
        if matches!(&ev, Ev::Start(t) if t.name == local) {
            n += 1;
        }
    }
    Ok(n)
}

/// Which part of the document a paragraph is in, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Header,
    Body,
    Footnote,
    Endnote,
    Footer,
}

struct Reader {
    b: ArticleBuilder,
    /// Hyperlink relationship ids of the main part and their targets.
    links: HashMap<String, String>,
    insertions: usize,
    deletions: usize,
    /// Inserted or deleted paragraph marks.
    marks: usize,
}

/// Where the reader is inside a part.
#[derive(Default)]
struct State {
    /// Open elements (local names).
    open: Vec<String>,
    /// Depth at which content stops being read (deleted text, drawings, math), if any.
    skip_from: Option<usize>,
    /// Numbered tables open: (table, row, cell).
    tables: Vec<(usize, usize, usize)>,
    table_count: usize,
    /// Footnotes or endnotes read.
    notes: usize,
    /// The current paragraph's mark is deleted: it runs on into the next paragraph.
    mark_deleted: bool,
    /// The last paragraph ran on: the next one continues its block.
    continuing: bool,
}

/// Elements whose content is not text to check: `del` and `moveFrom` hold deleted text; drawings
/// and pictures hold DrawingML and text boxes (not read; `AlternateContent` repeats a drawing as
/// Word's choice and a fallback); `instrText` is field code; `oMath` is a formula.
const SKIPPED: &[&str] = &[
    "del",
    "moveFrom",
    "drawing",
    "pict",
    "object",
    "instrText",
    "delText",
    "oMath",
    "oMathPara",
    "AlternateContent",
    "footnoteReference",
    "endnoteReference",
];

impl Reader {
    fn read_part(&mut self, name: &str, xml: &str, section: Section) -> Result<(), String> {
        let mut xml_stream = XmlStream::new(xml);
        let mut st = State::default();
        while let Some(ev) = xml_stream.next().map_err(|e| format!("{name}: {e}"))? {
            match ev {
                Ev::Start(tag) => self.start(&tag, &mut st, section),
                Ev::End => self.end(&mut st),
                Ev::Text(t) => {
                    if st.skip_from.is_none() && st.open.last().is_some_and(|n| n == "t") {
                        self.b.push_str(&t, 0..0);
                    }
                }
            }
        }
        self.b.end_block();
        Ok(())
    }

    fn start(&mut self, tag: &Tag, st: &mut State, section: Section) {
        let name = tag.name.as_str();
        let in_run_props = st.open.last().is_some_and(|n| n == "rPr");
        st.open.push(name.to_string());
        if in_run_props {
            // A change mark in run properties marks a paragraph mark (or a run's formatting),
            // not text. A deleted paragraph mark joins the paragraph to the next one.
            if matches!(name, "del" | "ins" | "moveFrom" | "moveTo") {
                self.marks += 1;
            }
            if name == "del" && st.open.iter().rev().nth(2).is_some_and(|n| n == "pPr") {
                st.mark_deleted = true;
            }
            return;
        }
        match name {
            "ins" | "moveTo" => self.insertions += 1,
            "del" | "moveFrom" => self.deletions += 1,
            _ => {}
        }
        if name == "docPr" {
            // An image's alt text, in a drawing (skipped for its DrawingML) that is not deleted.
            let in_drawing = st
                .skip_from
                .and_then(|d| st.open.get(d - 1))
                .is_some_and(|n| n == "drawing" || n == "AlternateContent");
            if let Some(alt) = tag.attr("descr").filter(|d| !d.trim().is_empty()) {
                if in_drawing {
                    self.b.side_block("image alt text", alt, 0..0);
                }
            }
        }
        if st.skip_from.is_some() {
            return;
        }
        if SKIPPED.contains(&name) {
            st.skip_from = Some(st.open.len());
            return;
        }
        match name {
            "p" => {
                if !st.continuing {
                    self.b.end_block();
                    let label = self.label(st, section);
                    self.b.set_label(&label);
                }
                st.mark_deleted = false;
            }
            "tbl" => {
                st.table_count += 1;
                st.tables.push((st.table_count, 0, 0));
            }
            "tr" => {
                if let Some(t) = st.tables.last_mut() {
                    t.1 += 1;
                    t.2 = 0;
                }
            }
            "tc" => {
                if let Some(t) = st.tables.last_mut() {
                    t.2 += 1;
                }
            }
            "footnote" | "endnote" => {
                // Separators are layout, not notes.
                if tag.attr("type").is_some_and(|t| t != "normal") {
                    st.skip_from = Some(st.open.len());
                } else {
                    st.notes += 1;
                }
            }
            "tab" | "ptab" => self.b.push_char(' ', 0..0),
            "br" | "cr" => self.b.line_break(0..0),
            "noBreakHyphen" => self.b.push_char('-', 0..0),
            "hyperlink" => {
                let target = tag.attr("id").and_then(|id| self.links.get(id));
                if let Some(target) = target {
                    self.b.verbatim(VerbatimKind::Link, target);
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, st: &mut State) {
        let depth = st.open.len();
        let name = st.open.pop().unwrap_or_default();
        if st.skip_from == Some(depth) {
            st.skip_from = None;
            return;
        }
        if st.skip_from.is_some() || st.open.last().is_some_and(|n| n == "rPr") {
            return;
        }
        match name.as_str() {
            "p" => {
                st.continuing = st.mark_deleted;
                if !st.continuing {
                    self.b.end_block();
                }
            }
            "tbl" => {
                self.b.end_block();
                st.tables.pop();
            }
            _ => {}
        }
    }

    /// Where a new paragraph is, besides its number (which the pipeline counts over all blocks).
    fn label(&self, st: &State, section: Section) -> String {
        if let Some(&(t, r, c)) = st.tables.last() {
            return format!("table {t}, row {r}, cell {c}");
        }
        match section {
            Section::Body => String::new(),
            Section::Header => "header".into(),
            Section::Footer => "footer".into(),
            Section::Footnote => format!("footnote {}", st.notes),
            Section::Endnote => format!("endnote {}", st.notes),
        }
    }
}
