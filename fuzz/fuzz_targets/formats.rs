//! Fuzz target `formats`: every file-format reader on arbitrary bytes. One target for all readers
//! (so one 10-minute run covers them): the first byte picks the reader (XLIFF 1.2, XLIFF 2.0, TMX,
//! PO, TSV, JSONL, SRT, WebVTT; with bit 0x20 set, the article readers HTML, Markdown and DOCX)
//! and whether languages are given; the rest goes through `formats::decode` (BOMs, UTF-16, binary
//! detection) and then the reader, as a file would (DOCX: the bytes are the zip).
//! Readers must return segments or a one-line error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtcheck::formats::{self, FileFormat, ReadOptions};

const FORMATS: &[FileFormat] = &[
    FileFormat::Xliff12,
    FileFormat::Xliff20,
    FileFormat::Tmx,
    FileFormat::Po,
    FileFormat::Tsv,
    FileFormat::Jsonl,
    FileFormat::Srt,
    FileFormat::WebVtt,
];

const ARTICLES: &[FileFormat] = &[
    FileFormat::Html,
    FileFormat::Markdown,
    FileFormat::Docx,
    FileFormat::Docx,
];

/// An article's blocks lie in its text, and map back into the original within its bounds.
fn article(format: FileFormat, bytes: &[u8]) {
    // A small expansion limit, so that the zip-bomb refusal is reached too.
    match formats::parse_article(format, bytes, 1 << 20) {
        Ok(a) => {
            for b in &a.blocks {
                assert!(b.range.start < b.range.end && b.range.end <= a.text.len(), "{b:?}");
                assert!(a.text.is_char_boundary(b.range.start) && a.text.is_char_boundary(b.range.end));
                if let Some(origin) = &a.origin {
                    let (s, e) = (origin.start_of(b.range.start), origin.end_of(b.range.end));
                    let r = origin.region(s..e.max(s));
                    assert!(r.start_line >= 1 && r.start_column >= 1, "{r:?}");
                    assert!((r.start_line, r.start_column) <= (r.end_line, r.end_column), "{r:?}");
                }
            }
            for v in &a.verbatim {
                assert!(v.at <= a.text.len(), "{v:?}");
            }
        }
        Err(msg) => assert!(!msg.contains('\n'), "multi-line error: {msg:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if first & 0x20 != 0 {
        article(ARTICLES[(first & 3) as usize], rest);
        return;
    }
    let format = FORMATS[(first & 7) as usize];
    let Ok(text) = formats::decode(rest) else {
        return;
    };
    let opts = ReadOptions {
        src_lang: (first & 8 != 0).then(|| "en".to_string()),
        tgt_lang: (first & 16 != 0).then(|| "de".to_string()),
        ..ReadOptions::default()
    };
    // Detection looks at the same text when a file has no telling extension.
    let _ = formats::detect_format(std::path::Path::new("input"), &text);
    let result = match format {
        FileFormat::Srt | FileFormat::WebVtt => formats::parse_cues(format, &text).map(|_| ()),
        _ => formats::parse_bilingual(format, &text, &opts).map(|b| {
            for s in &b.segments {
                assert!(s.line >= 1, "{s:?}");
            }
        }),
    };
    if let Err(msg) = result {
        // Errors end up on one line of stderr after the file name.
        assert!(!msg.contains('\n'), "multi-line error: {msg:?}");
    }
});
