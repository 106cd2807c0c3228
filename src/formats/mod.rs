//! Reading input files: encodings, byte-order marks, binary detection and size limits; the
//! bilingual formats (XLIFF, TMX, PO, TSV, JSONL) and subtitles (SRT, WebVTT) read into one model;
//! and articles (HTML, Markdown, DOCX) read into blocks of text that point back into the file.
//! Every reader reports problems naming the file, and the line where it can.

use std::path::Path;

use crate::error::{Error, Result};

mod article;
mod docx;
mod html;
mod jsonl;
mod markdown;
mod po;
mod subtitles;
mod tmx;
mod tsv;
mod xliff;
mod xml;

pub use article::{Article, Block, Origin, Region, Verbatim, VerbatimKind};
pub use subtitles::Cue;

/// The file formats mtcheck reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xliff12,
    Xliff20,
    Tmx,
    Po,
    Srt,
    WebVtt,
    Tsv,
    Jsonl,
    Html,
    Markdown,
    Docx,
    Text,
}

impl FileFormat {
    /// The name users know the format by, for messages.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Xliff12 => "XLIFF 1.2",
            FileFormat::Xliff20 => "XLIFF 2.0",
            FileFormat::Tmx => "TMX",
            FileFormat::Po => "PO",
            FileFormat::Srt => "SRT",
            FileFormat::WebVtt => "WebVTT",
            FileFormat::Tsv => "TSV",
            FileFormat::Jsonl => "JSON Lines",
            FileFormat::Html => "HTML",
            FileFormat::Markdown => "Markdown",
            FileFormat::Docx => "DOCX",
            FileFormat::Text => "plain text",
        }
    }
}

impl std::fmt::Display for FileFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One source text and its translation from a bilingual file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// XLIFF unit id (`unit#segment` when a unit has several segments), PO `msgctxt|msgid`
    /// (`[N]` appended for plural forms), TMX tuid or `tu N`, TSV/JSONL id or line number.
    pub id: String,
    /// Plain text; inline markup replaced by placeholders such as `{1}`…`{/1}` or the original
    /// code (`%s`), the same on both sides for the same markup.
    pub source: String,
    /// `None` when the translation is missing or empty.
    pub target: Option<String>,
    /// 1-based line where the segment starts (PO: its msgid; XLIFF: `<trans-unit>`, `<segment>`
    /// or the segment's `<mrk>`; TMX: `<tu>`).
    pub line: usize,
    /// Where users find it: "unit u12 segment s1", "msgid at line 40 (src/app.c:120)", "row 3".
    pub location: String,
    /// XLIFF `state` ("translated", "final", …; `approved="yes"` gives "approved"), PO "fuzzy".
    pub state: Option<String>,
    /// PO `#:` references, XLIFF and TMX notes (shortened).
    pub notes: Vec<String>,
}

/// The segments of a bilingual file and its languages (as declared in the file, else as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub format: FileFormat,
    pub src_lang: Option<String>,
    pub tgt_lang: Option<String>,
    pub segments: Vec<Segment>,
}

/// How to read a bilingual file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Larger files are refused (`--max-input-bytes`).
    pub max_bytes: u64,
    /// Languages to pick (TMX, TSV headers, JSONL keys) or to report when the file declares none;
    /// `en` matches `en-US`.
    pub src_lang: Option<String>,
    pub tgt_lang: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_INPUT_BYTES,
            src_lang: None,
            tgt_lang: None,
        }
    }
}

/// A translation file by its extension alone (XLIFF, TMX, gettext PO): one that `batch` can take
/// as a pair by itself, as a pre-commit hook passes them.
pub fn is_translation_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    ext.as_deref()
        .is_some_and(|e| XLIFF_EXTENSIONS.contains(&e) || matches!(e, "tmx" | "po"))
}

/// Extensions of XLIFF files, the CAT tools' variants included.
const XLIFF_EXTENSIONS: &[&str] = &["xlf", "xliff", "sdlxliff", "mxliff", "mqxliff"];

/// Extensions of the article formats and what they are.
const ARTICLE_EXTENSIONS: &[(&str, FileFormat)] = &[
    ("html", FileFormat::Html),
    ("htm", FileFormat::Html),
    ("xhtml", FileFormat::Html),
    ("md", FileFormat::Markdown),
    ("markdown", FileFormat::Markdown),
    ("docx", FileFormat::Docx),
];

/// The article format of `path` by its extension (HTML, Markdown, DOCX), if it has one.
pub fn article_format(path: &Path) -> Option<FileFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    ARTICLE_EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|&(_, f)| f)
}

/// What a DOCX file's parts may expand to, as a multiple of `--max-input-bytes`: WordprocessingML
/// compresses about 4-10 times; a zip bomb compresses thousands of times.
const DOCX_EXPANSION: u64 = 10;

/// Reads an article (HTML, Markdown or DOCX, as `format` says) into blocks of text.
pub fn read_article(path: &Path, format: FileFormat, max_bytes: u64) -> Result<Article> {
    let bytes = read_bytes(path, max_bytes)?;
    let article = parse_article(format, &bytes, max_bytes.saturating_mul(DOCX_EXPANSION))
        .map_err(|msg| Error::input(path, msg))?;
    if article.blocks.is_empty() {
        return Err(Error::input(
            path,
            format!("is a {format} file without text to check"),
        ));
    }
    Ok(article)
}

/// Parses the bytes of an article file of a known `format`: HTML and Markdown are decoded as text
/// files are ([`decode`]); DOCX parts may expand to `max_expanded` bytes in all. The one parsing
/// path behind [`read_article`], public for fuzzers and embedders; the error is one line without
/// the file name.
pub fn parse_article(
    format: FileFormat,
    bytes: &[u8],
    max_expanded: u64,
) -> std::result::Result<Article, String> {
    match format {
        FileFormat::Html => decode(bytes).and_then(|t| html::parse(&t)),
        FileFormat::Markdown => decode(bytes).and_then(|t| markdown::parse(&t)),
        FileFormat::Docx => docx::read(bytes, max_expanded),
        other => Err(format!(
            "is {other}, not an article (HTML, Markdown or DOCX)"
        )),
    }
    .map_err(one_line)
}

/// The format of `path`: by extension first, then by looking at the text.
pub fn detect_format(path: &Path, text: &str) -> FileFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some(e) if XLIFF_EXTENSIONS.contains(&e) => return xliff_version(text),
        Some("tmx") => return FileFormat::Tmx,
        Some("po" | "pot") => return FileFormat::Po,
        Some("srt") => return FileFormat::Srt,
        Some("vtt") => return FileFormat::WebVtt,
        Some("tsv" | "tab") => return FileFormat::Tsv,
        Some("jsonl" | "ndjson") => return FileFormat::Jsonl,
        _ => {}
    }
    if let Some(format) = article_format(path) {
        return format;
    }
    let head: String = text.chars().take(4096).collect();
    let trimmed = head.trim_start();
    if trimmed.starts_with("WEBVTT") {
        return FileFormat::WebVtt;
    }
    if head.contains("<xliff") {
        return xliff_version(&head);
    }
    if head.contains("<tmx") {
        return FileFormat::Tmx;
    }
    if head.lines().any(|l| l.starts_with("msgid \"")) {
        return FileFormat::Po;
    }
    let mut lines = trimmed.lines().map(str::trim);
    if let (Some(first), Some(second)) = (lines.next(), lines.next()) {
        if first.parse::<u64>().is_ok() && second.contains("-->") {
            return FileFormat::Srt;
        }
    }
    if trimmed.starts_with('{')
        && trimmed.lines().next().is_some_and(|l| {
            serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.is_object())
        })
    {
        return FileFormat::Jsonl;
    }
    FileFormat::Text
}

/// XLIFF 2.x declares `version="2.0"` (or the 2.0 namespace) on its root; anything else is 1.2.
fn xliff_version(text: &str) -> FileFormat {
    let head: String = text.chars().take(4096).collect();
    let root = head
        .find("<xliff")
        .map(|i| &head[i..])
        .map(|r| &r[..r.find('>').unwrap_or(r.len())])
        .unwrap_or("");
    if root.contains("version=\"2")
        || root.contains("version='2")
        || root.contains("xliff:document:2")
    {
        FileFormat::Xliff20
    } else {
        FileFormat::Xliff12
    }
}

/// Reads a bilingual file (XLIFF, TMX, PO, TSV, JSONL) into segments. Subtitles and plain text
/// hold one side only and are a usage error here (see [`read_cues`] and [`read_text`]).
pub fn read_bilingual(path: &Path, opts: &ReadOptions) -> Result<Bilingual> {
    if let Some(format) = article_format(path) {
        return Err(Error::Usage(format!(
            "{}: is a {format} article, which holds one language; give the source and the translation as two files",
            path.display()
        )));
    }
    let text = read_text(path, opts.max_bytes)?;
    let format = detect_format(path, &text);
    match format {
        FileFormat::Srt | FileFormat::WebVtt => {
            return Err(Error::Usage(format!(
                "{}: is a {format} subtitle file, which holds one language; give the source and the translated subtitles as two files",
                path.display()
            )))
        }
        FileFormat::Text => {
            return Err(Error::Usage(format!(
                "{}: is not a bilingual file (XLIFF, TMX, PO, TSV or JSONL); give the source and the translation as two files",
                path.display()
            )))
        }
        _ => {}
    }
    parse_bilingual(format, &text, opts).map_err(|msg| Error::input(path, msg))
}

/// Parses the text of a bilingual file of a known `format` (already decoded, see [`decode`]).
/// This is the one parsing path behind [`read_bilingual`], public so that fuzzers and embedders
/// can parse text they hold in memory. The error is one line without the file name ("line 4:
/// unterminated string"); the size limit of `opts` is not applied here (it is about files).
pub fn parse_bilingual(
    format: FileFormat,
    text: &str,
    opts: &ReadOptions,
) -> std::result::Result<Bilingual, String> {
    match format {
        FileFormat::Xliff12 | FileFormat::Xliff20 => xliff::parse(text, opts),
        FileFormat::Tmx => tmx::parse(text, opts),
        FileFormat::Po => po::parse(text, opts),
        FileFormat::Tsv => tsv::parse(text, opts),
        FileFormat::Jsonl => jsonl::parse(text, opts),
        other => Err(format!(
            "is {other}, not a bilingual file (XLIFF, TMX, PO, TSV or JSONL)"
        )),
    }
    .map_err(one_line)
}

/// Reads the cues of one SRT or WebVTT file (one side of a subtitle pair).
pub fn read_cues(path: &Path, max_bytes: u64) -> Result<Vec<Cue>> {
    let text = read_text(path, max_bytes)?;
    let format = match detect_format(path, &text) {
        // A subtitle file without a telling extension or first cue is read as SRT.
        FileFormat::Text => FileFormat::Srt,
        other => other,
    };
    parse_cues(format, &text).map_err(|msg| Error::input(path, msg))
}

/// Parses the text of a subtitle file: `FileFormat::Srt` or `FileFormat::WebVtt`; other formats
/// are an error. The one parsing path behind [`read_cues`], public for fuzzers and embedders.
pub fn parse_cues(format: FileFormat, text: &str) -> std::result::Result<Vec<Cue>, String> {
    match format {
        FileFormat::WebVtt => subtitles::parse_vtt(text),
        FileFormat::Srt => subtitles::parse_srt(text),
        other => Err(format!("is {other}, not a subtitle file (SRT or WebVTT)")),
    }
    .map_err(one_line)
}

/// Longest reader error message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 400;

/// Reader errors quote the input (an element name, a bad line, the XML parser's view of a tag).
/// A line break or control character in such a quote would split the one-line error (found by the
/// `formats` fuzz target: quick-xml quotes a mismatched end tag up to its `>`, newlines included)
/// and a huge quote would flood the terminal, so controls are escaped and long messages shortened.
fn one_line(msg: String) -> String {
    if msg.chars().count() <= MAX_MESSAGE_CHARS && !msg.chars().any(char::is_control) {
        return msg;
    }
    let mut out = String::new();
    for (k, c) in msg.chars().enumerate() {
        if k == MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether language tag `want` (as given by the user) names `have` (as written in a file):
/// case-insensitive, and a tag without a region matches any region (`en` matches `en-US`).
pub(crate) fn lang_matches(want: &str, have: &str) -> bool {
    let norm = |s: &str| s.trim().replace('_', "-").to_ascii_lowercase();
    let (want, have) = (norm(want), norm(have));
    if want == have {
        return true;
    }
    let primary = |s: &str| s.split('-').next().unwrap_or("").to_string();
    !want.contains('-') && primary(&want) == primary(&have)
}

/// Default `--max-input-bytes`: generous for an article or a catalogue, small enough that a stray
/// log file or dump is refused before minutes of embedding.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 10 * 1024 * 1024;

/// Reads `path` as text: skips a UTF-8 BOM, decodes UTF-16 with a BOM, refuses directories, empty,
/// binary, oversized and invalid UTF-8 files with a message saying what is wrong.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String> {
    let bytes = read_bytes(path, max_bytes)?;
    let text = decode(&bytes).map_err(|msg| Error::input(path, msg))?;
    if text.trim().is_empty() {
        return Err(Error::input(path, "is empty (no text to check)"));
    }
    Ok(text)
}

/// Reads `path`'s bytes: refuses directories and files over `max_bytes`, naming the file.
fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::input(path, io_message(&e)))?;
    if meta.is_dir() {
        return Err(Error::input(path, "is a directory, not a text file"));
    }
    if meta.len() > max_bytes {
        return Err(Error::input(
            path,
            format!(
                "is {} bytes, over the limit of {max_bytes} bytes (raise it with --max-input-bytes)",
                meta.len()
            ),
        ));
    }
    std::fs::read(path).map_err(|e| Error::input(path, io_message(&e)))
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Decodes file bytes to text; the error says what kind of data it is instead. Lone carriage
/// returns (classic Mac line ends, or mixed with LF) become line feeds, so every reader sees lines
/// and paragraphs where the author put them; the byte length is unchanged, so offsets still hold.
pub fn decode(bytes: &[u8]) -> std::result::Result<String, String> {
    decode_raw(bytes).map(lone_cr_to_lf)
}

fn decode_raw(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.contains(&0) {
        if let Some(order) = utf16_without_bom(bytes) {
            return Err(format!(
                "looks like {order} text without a byte-order mark; convert it to UTF-8 first, e.g. `iconv -f {order} -t UTF-8`"
            ));
        }
        return Err("looks like a binary file (it contains NUL bytes); expected UTF-8 text".into());
    }
    utf8(bytes)
}

/// "UTF-16LE" or "UTF-16BE" when `bytes` read as text in that byte order: NUL bytes common (the
/// high byte of every ASCII character, spaces and line breaks included) and all on the high-byte
/// side of their code unit (binary data has them on both), and decodable with few control
/// characters. A stray NUL in UTF-8 text is binary, not UTF-16.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static str> {
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) || nuls * 16 < bytes.len() {
        return None;
    }
    let nul_at = |parity: usize| {
        bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == 0 && i % 2 == parity)
    };
    let (order, unit): (&str, fn([u8; 2]) -> u16) = match (nul_at(0), nul_at(1)) {
        (false, true) => ("UTF-16LE", u16::from_le_bytes),
        (true, false) => ("UTF-16BE", u16::from_be_bytes),
        _ => return None,
    };
    let text = utf16(bytes, unit).ok()?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !c.is_whitespace())
        .count();
    (controls * 20 <= text.chars().count()).then_some(order)
}

/// Replaces every carriage return not followed by a line feed with a line feed.
fn lone_cr_to_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

fn utf8(bytes: &[u8]) -> std::result::Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "is not valid UTF-8 (byte {} on line {line}); convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8`",
            e.valid_up_to()
        )
    })?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 20 > text.chars().count().max(1) {
        return Err("looks like a binary file (many control characters); expected text".into());
    }
    Ok(text.to_string())
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> std::result::Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("is not valid UTF-16 (odd number of bytes)".into());
    }
    let units = bytes.chunks_exact(2).map(|b| unit([b[0], b[1]]));
    char::decode_utf16(units)
        .collect::<std::result::Result<String, _>>()
        .map_err(|e| format!("is not valid UTF-16 ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_bom_is_decoded_both_byte_orders() {
        let s = "Grüße, مرحبا";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap(), s);
        assert_eq!(decode(&be).unwrap(), s);
    }

    #[test]
    fn utf8_bom_is_skipped() {
        assert_eq!(decode(b"\xEF\xBB\xBFHello.").unwrap(), "Hello.");
    }

    #[test]
    fn latin1_bytes_name_the_line() {
        let err = decode(b"ok\nna\xefve\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn format_by_extension_then_content() {
        let p = |s: &str| std::path::PathBuf::from(s);
        let x2 = "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\">";
        assert_eq!(detect_format(&p("a.xlf"), x2), FileFormat::Xliff20);
        assert_eq!(
            detect_format(&p("a.XLIFF"), "<xliff version=\"1.2\">"),
            FileFormat::Xliff12
        );
        assert_eq!(
            detect_format(&p("a.sdlxliff"), "<xliff version='1.2'>"),
            FileFormat::Xliff12
        );
        assert_eq!(detect_format(&p("export.xml"), x2), FileFormat::Xliff20);
        assert_eq!(
            detect_format(&p("mem.xml"), "<?xml?><tmx version=\"1.4\">"),
            FileFormat::Tmx
        );
        assert_eq!(detect_format(&p("de.pot"), ""), FileFormat::Po);
        assert_eq!(
            detect_format(&p("de"), "# c\nmsgid \"\"\nmsgstr \"\"\n"),
            FileFormat::Po
        );
        assert_eq!(
            detect_format(&p("subs"), "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n"),
            FileFormat::WebVtt
        );
        assert_eq!(
            detect_format(&p("subs.txt"), "1\n00:00:01,000 --> 00:00:02,000\nHi\n"),
            FileFormat::Srt
        );
        assert_eq!(
            detect_format(&p("rows"), "{\"source\": \"a\"}\n"),
            FileFormat::Jsonl
        );
        assert_eq!(detect_format(&p("a.tsv"), "a\tb\n"), FileFormat::Tsv);
        assert_eq!(
            detect_format(&p("a.txt"), "Just prose. msgid \"x\""),
            FileFormat::Text
        );
    }

    #[test]
    fn languages_match_without_region() {
        assert!(lang_matches("en", "en-US"));
        assert!(lang_matches("EN_us", "en-US"));
        assert!(lang_matches("pt-BR", "pt-br"));
        assert!(!lang_matches("pt-BR", "pt-PT"));
        assert!(!lang_matches("en", "de-DE"));
    }

    #[test]
    fn read_bilingual_names_the_file_and_refuses_what_it_cannot_pair() {
        let dir = tempfile::tempdir().unwrap();
        let po = dir.path().join("de.po");
        std::fs::write(&po, "msgid \"Hello\"\nmsgstr \"Hallo\"\n").unwrap();
        let b = read_bilingual(&po, &ReadOptions::default()).unwrap();
        assert_eq!(b.format, FileFormat::Po);
        assert_eq!(b.segments[0].target.as_deref(), Some("Hallo"));

        let opts = ReadOptions {
            max_bytes: 10,
            ..ReadOptions::default()
        };
        let err = read_bilingual(&po, &opts).unwrap_err().to_string();
        assert!(
            err.contains("de.po") && err.contains("over the limit of 10 bytes"),
            "{err}"
        );

        let bad = dir.path().join("bad.po");
        std::fs::write(&bad, "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"c\n").unwrap();
        let err = read_bilingual(&bad, &ReadOptions::default()).unwrap_err();
        assert!(err.is_user_error());
        let msg = err.to_string();
        assert!(msg.contains("bad.po: line 4: unterminated string"), "{msg}");

        let srt = dir.path().join("film.srt");
        std::fs::write(&srt, "1\n00:00:01,000 --> 00:00:02,000\nHi\n").unwrap();
        let err = read_bilingual(&srt, &ReadOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        assert!(err.to_string().contains("two files"), "{err}");
        let cues = read_cues(&srt, DEFAULT_MAX_INPUT_BYTES).unwrap();
        assert_eq!(
            (cues[0].number, cues[0].end_ms, cues[0].text.as_str()),
            (1, 2000, "Hi")
        );

        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, "Plain prose.\n").unwrap();
        let err = read_bilingual(&txt, &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("not a bilingual file"), "{err}");

        let xlf = dir.path().join("a.xlf");
        std::fs::write(&xlf, "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"fr\"><body><trans-unit id=\"1\"><source>Hi</source><target>Salut</target></trans-unit></body></file></xliff>").unwrap();
        let err = read_cues(&xlf, DEFAULT_MAX_INPUT_BYTES).unwrap_err();
        assert!(err.to_string().contains("not a subtitle file"), "{err}");
        let b = read_bilingual(&xlf, &ReadOptions::default()).unwrap();
        assert_eq!(
            (b.src_lang.as_deref(), b.tgt_lang.as_deref()),
            (Some("en"), Some("fr"))
        );
    }

    #[test]
    fn utf16_without_bom_is_named_with_its_byte_order() {
        let s = "The cat sat. مرحبا";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let err = decode(&le).unwrap_err();
        assert!(
            err.contains("UTF-16LE") && err.contains("byte-order mark"),
            "{err}"
        );
        assert!(decode(&be).unwrap_err().contains("UTF-16BE"));
        // NULs on both sides of the code units: binary, not UTF-16.
        assert!(decode(b"\x00\x00ab\x00\x00")
            .unwrap_err()
            .contains("binary"));
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds() {
        assert_eq!(decode(b"a\rb\r\nc\r").unwrap(), "a\nb\r\nc\n");
        let le: Vec<u8> = [0xFF, 0xFE, b'x', 0, b'\r', 0, b'y', 0].to_vec();
        assert_eq!(decode(&le).unwrap(), "x\ny");
    }

    #[test]
    fn xml_error_quoting_a_line_break_stays_on_one_line() {
        // Found by the `formats` fuzz target: a mismatched end tag quoted with its newlines.
        let doc = "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"fr\"><body>\n<trans-unit id=\"a\"><source>One.</source1\" x=\"\">\nBackwards\nseg\">Two.</trans-unit></body></file></xliff>";
        let err = parse_bilingual(FileFormat::Xliff12, doc, &ReadOptions::default()).unwrap_err();
        assert!(!err.contains('\n') && err.starts_with("line 2:"), "{err:?}");
        let long = format!("msgid \"{}", "x".repeat(5000));
        let err = parse_bilingual(FileFormat::Po, &long, &ReadOptions::default()).unwrap_err();
        assert!(err.chars().count() <= MAX_MESSAGE_CHARS + 1, "{err}");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(decode(b"\x7fELF\x02\x01\x01\x00\x00")
            .unwrap_err()
            .contains("binary"));
    }
}
