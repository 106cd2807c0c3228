//! Fuzz target `segment`: `mtcheck::text::split` on arbitrary UTF-8, asserting what `Sentence`
//! promises (byte spans in bounds, on character boundaries, in order and disjoint; `text` is the
//! span with whitespace collapsed; `line` is the span's first line; paragraphs never go back) and
//! that no word is lost (every alphanumeric character lies in exactly one span: only spans
//! without any, such as "***", are dropped).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The first byte picks the language: each selects different rules (ordinal dots, CJK, RTL).
const LANGS: &[&str] = &[
    "", "en", "de", "fr", "ar", "zh", "ja", "ru", "hi", "tr", "xx-YY",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = LANGS[first as usize % LANGS.len()];
    let sentences = mtcheck::text::split(text, lang);
    let mut prev_end = 0;
    let mut prev_paragraph = 0;
    for s in &sentences {
        assert!(s.start < s.end && s.end <= text.len(), "{s:?}");
        assert!(s.start >= prev_end, "overlap or disorder at {s:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        let raw = &text[s.start..s.end];
        assert_eq!(s.text, raw.split_whitespace().collect::<Vec<_>>().join(" "));
        assert_eq!(s.line, text[..s.start].matches('\n').count() + 1);
        assert!(s.paragraph >= prev_paragraph);
        prev_end = s.end;
        prev_paragraph = s.paragraph;
    }
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            let inside = sentences
                .iter()
                .filter(|s| s.start <= i && i < s.end)
                .count();
            assert_eq!(
                inside, 1,
                "character {c:?} at byte {i} is in {inside} sentences"
            );
        }
    }
});
