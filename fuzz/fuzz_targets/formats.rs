//! Fuzz target `formats`: every file-format reader on arbitrary bytes. One target for all readers
//! (so one 10-minute run covers them): the first byte picks the reader (XLIFF 1.2, XLIFF 2.0, TMX,
//! PO, TSV, JSONL, SRT, WebVTT) and whether languages are given; the rest goes through
//! `formats::decode` (BOMs, UTF-16, binary detection) and then the reader, as a file would.
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

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
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
