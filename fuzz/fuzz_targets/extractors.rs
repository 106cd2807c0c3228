//! Fuzz target `extractors`: the number extractor (`checks::numbers::numbers_in`: locale formats,
//! digit sets, number words, CJK numerals) and the entity extractor (`checks::entities::extract`:
//! URLs, e-mail addresses, placeholders, tags, …) on arbitrary text. The first byte picks the
//! language; entity spans must lie in the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtcheck::checks::{entities, numbers};

const LANGS: &[&str] = &[
    "", "en", "de", "fr", "es", "ar", "fa", "hi", "zh", "ja", "ko", "ru", "pt", "it", "tr", "nl",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = LANGS[first as usize % LANGS.len()];
    let _ = numbers::numbers_in(text, lang);
    for e in entities::extract(text) {
        assert!(e.start <= e.end && e.end <= text.len(), "{e:?}");
        assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
    }
    let _ = entities::strip(text);
});
