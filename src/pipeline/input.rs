//! Reading the inputs of one check: two documents (plain text, articles or subtitles) or one
//! bilingual file, segmented into sentences with their languages given or detected.

use std::path::{Path, PathBuf};

use crate::align::Link;
use crate::checks::unfinished;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::formats::{self, Article, Region, Verbatim};
use crate::text::{self, lang, Sentence};

/// Refuses documents over `max` sentences, naming the file and the flag.
pub fn check_size(docs: [&Document; 2], max: usize) -> Result<()> {
    for d in docs {
        if d.sentences.len() > max {
            return Err(Error::input(
                &d.path,
                format!(
                    "has {} sentences or segments, over the limit of {max} (raise it with --max-sentences; memory grows with the product of both sides' counts)",
                    d.sentences.len()
                ),
            ));
        }
    }
    Ok(())
}

/// A document read and segmented.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub path: PathBuf,
    pub lang: String,
    pub lang_detected: bool,
    pub sentences: Vec<Sentence>,
    /// Where each sentence is in a segmented file ("unit u12", "cue 7") or an article ("line 12,
    /// column 5 (<p>)", "paragraph 4 (table 1, row 2, cell 1)"); empty for plain text.
    pub locations: Vec<String>,
    /// HTML and Markdown: each sentence's exact span in the file; empty for other formats.
    pub regions: Vec<Region>,
    /// Articles: the inline code and link targets of each sentence, compared verbatim; empty for
    /// other formats.
    pub verbatim: Vec<Vec<Verbatim>>,
    /// What the reader noticed about the file besides its text ("has 2 comments").
    pub notes: Vec<String>,
    /// HTML and Markdown articles: each sentence's block as written in the file, markup included
    /// (at most `MAX_ORIGINAL_BYTES`), for reports to quote; empty for other formats.
    pub originals: Vec<String>,
}

/// The longest original block kept for a sentence; longer ones are cut with "…".
pub const MAX_ORIGINAL_BYTES: usize = 2_000;

/// `text` cut to at most `max` bytes at a character boundary, with "…" when cut.
fn clipped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

impl Document {
    /// Sentences `r` as one text, the way the model sees a merged span: joined by a space, or by
    /// nothing in scripts written without spaces.
    pub fn join(&self, r: std::ops::Range<usize>) -> String {
        let sep = if lang::is_cjk(&self.lang) { "" } else { " " };
        self.sentences[r]
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// Reads and segments `path`, an article (HTML, Markdown, DOCX: by its extension) or plain text;
/// `lang` is a BCP 47 code or `None` to take the one the file declares or detect it.
pub fn load_document(path: &Path, lang: Option<&str>, max_input_bytes: u64) -> Result<Document> {
    if let Some(format) = formats::article_format(path) {
        let article = formats::read_article(path, format, max_input_bytes)?;
        return article_document(path, &article, lang);
    }
    let text = formats::read_text(path, max_input_bytes)?;
    let (lang, lang_detected) = given_or_detected(lang, &text);
    let sentences = text::split(&text, &lang);
    if sentences.is_empty() {
        return Err(Error::input(
            path,
            "has no sentences (only punctuation or symbols)",
        ));
    }
    Ok(Document {
        path: path.to_path_buf(),
        lang,
        lang_detected,
        sentences,
        ..Document::default()
    })
}

/// An article segmented as plain text of its blocks (one paragraph each), every sentence then
/// located in the original file: line and column in HTML and Markdown (its byte range and line
/// become the original's), paragraph number in DOCX (its "line" is that number).
fn article_document(path: &Path, article: &Article, lang: Option<&str>) -> Result<Document> {
    let declared = lang.map(str::to_string).or_else(|| article.lang.clone());
    let (lang, lang_detected) = given_or_detected(declared.as_deref(), &article.text);
    let mut sentences = text::split(&article.text, &lang);
    if sentences.is_empty() {
        return Err(Error::input(
            path,
            "has no sentences (only punctuation or symbols)",
        ));
    }
    // Inline code and link targets go with the sentence they stand in (the last one starting at
    // or before them).
    let mut verbatim = vec![Vec::new(); sentences.len()];
    for v in &article.verbatim {
        let k = sentences
            .partition_point(|s| s.start <= v.at)
            .saturating_sub(1);
        verbatim[k].push(v.clone());
    }
    let labels: Vec<(usize, &str)> = sentences
        .iter()
        .map(|s| {
            let k = article
                .blocks
                .partition_point(|b| b.range.start <= s.start)
                .saturating_sub(1);
            (k, article.blocks.get(k).map_or("", |b| b.label.as_str()))
        })
        .collect();
    let mut originals = Vec::new();
    let (locations, regions) = match &article.origin {
        Some(origin) => {
            originals = labels
                .iter()
                .map(|&(k, _)| {
                    article.blocks.get(k).map_or(String::new(), |b| {
                        let range = origin.start_of(b.range.start)..origin.end_of(b.range.end);
                        clipped(origin.original(range).trim(), MAX_ORIGINAL_BYTES)
                    })
                })
                .collect();
            for s in &mut sentences {
                (s.start, s.end) = (origin.start_of(s.start), origin.end_of(s.end));
            }
            let spans: Vec<_> = sentences.iter().map(|s| s.start..s.end).collect();
            let regions = origin.regions(&spans);
            let mut locations = Vec::with_capacity(sentences.len());
            for ((s, r), (_, label)) in sentences.iter_mut().zip(&regions).zip(&labels) {
                s.line = r.start_line;
                locations.push(format!(
                    "line {}, column {} ({label})",
                    r.start_line, r.start_column
                ));
            }
            (locations, regions)
        }
        None => {
            let mut locations = Vec::with_capacity(sentences.len());
            for (s, &(k, label)) in sentences.iter_mut().zip(&labels) {
                s.line = k + 1;
                locations.push(match label {
                    "" => format!("paragraph {}", k + 1),
                    _ => format!("paragraph {} ({label})", k + 1),
                });
            }
            (locations, Vec::new())
        }
    };
    Ok(Document {
        path: path.to_path_buf(),
        lang,
        lang_detected,
        sentences,
        locations,
        regions,
        verbatim,
        notes: article.notes.clone(),
        originals,
    })
}

/// The given language, else the one identified in `text` ("und" when none is): and whether it
/// was identified.
fn given_or_detected(given: Option<&str>, text: &str) -> (String, bool) {
    match given {
        Some(l) => (l.to_string(), false),
        None => (
            lang::detect(text)
                .map(|d| d.lang)
                .unwrap_or_else(|| "und".into()),
            true,
        ),
    }
}

/// A segmented bilingual file as two documents (one sentence per translated segment) linked
/// one to one, with what the file itself says is unfinished.
#[derive(Debug, Clone)]
pub struct SegmentedPair {
    pub format: formats::FileFormat,
    pub src: Document,
    pub tgt: Document,
    pub links: Vec<Link>,
    /// Segments without a translation, fuzzy or not yet reviewed.
    pub findings: Vec<Finding>,
    /// Every segment with source text, translated or not, in file order: the source side of the
    /// whole-document check of running text. `translated[k]` is segment k's index in `src`.
    pub all_src: Document,
    pub translated: Vec<Option<usize>>,
}

/// Reads a bilingual file. `src_lang`/`tgt_lang` pick TMX languages and stand in for languages
/// the file does not declare; languages neither declares are detected from the text.
pub fn load_segments(
    path: &Path,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    max_input_bytes: u64,
) -> Result<SegmentedPair> {
    let file = formats::read_bilingual(
        path,
        &formats::ReadOptions {
            max_bytes: max_input_bytes,
            src_lang: src_lang.map(str::to_string),
            tgt_lang: tgt_lang.map(str::to_string),
        },
    )?;
    let mut src_sentences = Vec::new();
    let mut tgt_sentences = Vec::new();
    let mut locations = Vec::new();
    let mut findings = Vec::new();
    let mut all_sentences = Vec::new();
    let mut all_locations = Vec::new();
    let mut translated = Vec::new();
    let sentence = |text: &str, line: usize, k: usize| Sentence {
        text: text.trim().to_string(),
        start: 0,
        end: 0,
        line,
        paragraph: k,
    };
    for seg in &file.segments {
        if seg.source.trim().is_empty() {
            continue;
        }
        let target = seg.target.as_deref().filter(|t| !t.trim().is_empty());
        all_sentences.push(sentence(&seg.source, seg.line, all_sentences.len()));
        all_locations.push(seg.location.clone());
        let Some(target) = target else {
            findings.push(unfinished::untranslated(seg, all_sentences.len() - 1));
            translated.push(None);
            continue;
        };
        translated.push(Some(src_sentences.len()));
        findings.extend(unfinished::by_state(seg, target));
        let k = src_sentences.len();
        src_sentences.push(sentence(&seg.source, seg.line, k));
        tgt_sentences.push(sentence(target, seg.line, k));
        locations.push(seg.location.clone());
    }
    if src_sentences.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "{} file has no translated segments to check ({} segments)",
                file.format.name(),
                file.segments.len()
            ),
        ));
    }
    let document = |sentences: Vec<Sentence>, locations: &[String], declared: Option<String>| {
        let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
        let (lang, lang_detected) = given_or_detected(declared.as_deref(), &text.join("\n"));
        Document {
            path: path.to_path_buf(),
            lang,
            lang_detected,
            sentences,
            locations: locations.to_vec(),
            ..Document::default()
        }
    };
    let n = src_sentences.len();
    let src_lang = file.src_lang.or(src_lang.map(str::to_string));
    let tgt_lang = file.tgt_lang.or(tgt_lang.map(str::to_string));
    let src = document(src_sentences, &locations, src_lang);
    let all_src = Document {
        sentences: all_sentences,
        locations: all_locations,
        ..src.clone()
    };
    Ok(SegmentedPair {
        format: file.format,
        all_src,
        translated,
        src,
        tgt: document(tgt_sentences, &locations, tgt_lang),
        links: (0..n)
            .map(|k| Link {
                source: k..k + 1,
                target: k..k + 1,
            })
            .collect(),
        findings,
    })
}

/// Two subtitle files, paired cue by cue when they share their timings, else by content.
// One is made per pair checked and moved once: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum SubtitlePair {
    /// Same number of cues at the same times: each cue is a link of its own.
    ByCue(SegmentedPair),
    /// Timings differ (re-timed, merged or split cues): cues are aligned like sentences.
    ByContent(Document, Document),
}

/// Reads two subtitle files (SRT or WebVTT). When both have the same cues at overlapping times
/// (at least 90% of them), the cue numbers pair them; otherwise the aligner links cues by
/// content, so merged or split cues are handled like merged or split sentences.
pub fn load_subtitle_pair(
    src_path: &Path,
    tgt_path: &Path,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    max_input_bytes: u64,
) -> Result<SubtitlePair> {
    let read = |path: &Path| -> Result<Vec<formats::Cue>> {
        let cues: Vec<formats::Cue> = formats::read_cues(path, max_input_bytes)?
            .into_iter()
            .filter(|c| !c.text.trim().is_empty())
            .collect();
        if cues.is_empty() {
            return Err(Error::input(path, "has no subtitle cues with text"));
        }
        Ok(cues)
    };
    let (a, b) = (read(src_path)?, read(tgt_path)?);
    let src = subtitle_document(src_path, &a, src_lang);
    let tgt = subtitle_document(tgt_path, &b, tgt_lang);
    let overlapping = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.start_ms.max(y.start_ms) < x.end_ms.min(y.end_ms))
        .count();
    if a.len() != b.len() || overlapping * 10 < a.len() * 9 {
        return Ok(SubtitlePair::ByContent(src, tgt));
    }
    let n = a.len();
    Ok(SubtitlePair::ByCue(SegmentedPair {
        format: formats::detect_format(src_path, ""),
        all_src: src.clone(),
        translated: (0..n).map(Some).collect(),
        src,
        tgt,
        links: (0..n)
            .map(|k| Link {
                source: k..k + 1,
                target: k..k + 1,
            })
            .collect(),
        findings: Vec::new(),
    }))
}

/// Cues as a document: one sentence per cue, its lines joined, located by cue number.
fn subtitle_document(path: &Path, cues: &[formats::Cue], lang: Option<&str>) -> Document {
    let sentences: Vec<Sentence> = cues
        .iter()
        .enumerate()
        .map(|(k, c)| Sentence {
            text: c.text.split_whitespace().collect::<Vec<_>>().join(" "),
            start: 0,
            end: 0,
            line: c.line,
            paragraph: k,
        })
        .collect();
    let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let (lang, lang_detected) = given_or_detected(lang, &text.join("\n"));
    Document {
        path: path.to_path_buf(),
        lang,
        lang_detected,
        sentences,
        locations: cues.iter().map(|c| format!("cue {}", c.number)).collect(),
        ..Document::default()
    }
}

/// What one check reads: two documents (text or subtitles) or one segmented bilingual file.
// One is made per pair checked and moved once: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Input {
    Documents(Document, Document),
    Segments(SegmentedPair),
}

/// Subtitle files are paired cue by cue (see `load_subtitle_pair`).
fn is_subtitle(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    matches!(ext.to_ascii_lowercase().as_str(), "srt" | "vtt")
}

impl Input {
    /// Reads a pair: `target` absent means `source` is a bilingual file (XLIFF, TMX, PO, TSV,
    /// JSONL); two subtitle files are paired by cue when their timings agree.
    pub fn read(
        source: &Path,
        target: Option<&Path>,
        src_lang: Option<&str>,
        tgt_lang: Option<&str>,
        max_input_bytes: u64,
    ) -> Result<Self> {
        let max = max_input_bytes;
        Ok(match target {
            None => Input::Segments(load_segments(source, src_lang, tgt_lang, max)?),
            Some(t) if is_subtitle(source) && is_subtitle(t) => {
                match load_subtitle_pair(source, t, src_lang, tgt_lang, max)? {
                    SubtitlePair::ByCue(p) => Input::Segments(p),
                    SubtitlePair::ByContent(s, t) => Input::Documents(s, t),
                }
            }
            Some(t) => Input::Documents(
                load_document(source, src_lang, max)?,
                load_document(t, tgt_lang, max)?,
            ),
        })
    }

    /// The source and target documents.
    pub fn documents(&self) -> (&Document, &Document) {
        match self {
            Input::Documents(s, t) => (s, t),
            Input::Segments(p) => (&p.src, &p.tgt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_text_file_is_split_into_sentences_and_its_language_identified() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "a.txt",
            "Museum opens\n\nThe museum opens on Saturday. It shows old maps of the river.\n",
        );
        let d = load_document(&p, None, 1 << 20).unwrap();
        assert_eq!((d.lang.as_str(), d.lang_detected), ("en", true));
        assert_eq!(d.sentences.len(), 3, "{:?}", d.sentences);
        assert_eq!(d.sentences[1].line, 3);
        assert_eq!(
            d.join(1..3),
            "The museum opens on Saturday. It shows old maps of the river."
        );
        let given = load_document(&p, Some("en-GB"), 1 << 20).unwrap();
        assert_eq!((given.lang.as_str(), given.lang_detected), ("en-GB", false));
    }

    #[test]
    fn an_article_keeps_its_code_and_links_with_their_sentences() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "guide.md",
            "# Build

Install Rust first. Then run `cargo build` and read [the guide](https://x.org/guide).
",
        );
        let d = load_document(&p, Some("en"), 1 << 20).unwrap();
        let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Build",
                "Install Rust first.",
                "Then run cargo build and read the guide."
            ]
        );
        let items: Vec<Vec<&str>> = d
            .verbatim
            .iter()
            .map(|v| v.iter().map(|v| v.text.as_str()).collect())
            .collect();
        assert_eq!(
            items,
            [vec![], vec![], vec!["cargo build", "https://x.org/guide"]]
        );
        assert_eq!(d.locations[2], "line 3, column 21 (paragraph)");
        assert_eq!(d.regions[2].start_column, 21);
        // Both sentences of the paragraph quote it as written, markup included.
        assert_eq!(
            d.originals[2],
            "Install Rust first. Then run `cargo build` and read [the guide](https://x.org/guide)."
        );
        assert_eq!(d.originals[1], d.originals[2]);
        assert_eq!(d.originals[0], "Build");
        // `start`/`end` are bytes of the file, markup included.
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            &text[d.sentences[2].start..d.sentences[2].end],
            "Then run `cargo build` and read [the guide](https://x.org/guide)."
        );
    }

    #[test]
    fn a_file_of_symbols_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "dots.txt", "... --- !!!\n");
        let e = load_document(&p, Some("en"), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains("dots.txt") && e.contains("no sentences"), "{e}");
    }

    #[test]
    fn a_bilingual_file_links_segments_one_to_one_and_reports_missing_translations() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "ui.tsv",
            "source\ttarget\nOpen the file.\tDatei öffnen.\nSave it.\t\nClose it.\tSchließen.\n",
        );
        let Input::Segments(pair) = Input::read(&p, None, Some("en"), Some("de"), 1 << 20).unwrap()
        else {
            panic!("a TSV file is segmented");
        };
        assert_eq!(pair.src.sentences.len(), 2);
        assert_eq!(pair.all_src.sentences.len(), 3);
        assert_eq!(pair.translated, vec![Some(0), None, Some(1)]);
        assert_eq!(pair.links.len(), 2);
        assert!(pair.links.iter().all(|l| l.source == l.target));
        assert_eq!(pair.findings.len(), 1);
        assert!(unfinished::is_untranslated_segment(&pair.findings[0], 1));
    }

    #[test]
    fn subtitles_pair_by_cue_when_timings_agree_and_by_content_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let cue = |n: usize, start: usize, text: &str| {
            format!(
                "{n}\n00:00:0{start},000 --> 00:00:0{},000\n{text}\n\n",
                start + 1
            )
        };
        let en = file(
            &dir,
            "a.en.srt",
            &(cue(1, 1, "Hello there.") + &cue(2, 3, "Goodbye.")),
        );
        let de = file(
            &dir,
            "a.de.srt",
            &(cue(1, 1, "Hallo.") + &cue(2, 3, "Tschüss.")),
        );
        let shifted = file(
            &dir,
            "b.de.srt",
            &(cue(1, 5, "Hallo.") + &cue(2, 7, "Tschüss.")),
        );
        let read = |t: &Path| Input::read(&en, Some(t), Some("en"), Some("de"), 1 << 20).unwrap();
        match read(&de) {
            Input::Segments(p) => assert_eq!(p.tgt.locations, ["cue 1", "cue 2"]),
            Input::Documents(..) => panic!("same timings pair by cue"),
        }
        assert!(matches!(read(&shifted), Input::Documents(..)));
    }

    #[test]
    fn documents_over_the_sentence_limit_are_refused_naming_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "a.txt", "One. Two. Three.");
        let d = load_document(&p, Some("en"), 1 << 20).unwrap();
        assert!(check_size([&d, &d], 3).is_ok());
        let e = check_size([&d, &d], 2).unwrap_err().to_string();
        assert!(e.contains("--max-sentences"), "{e}");
    }
}
