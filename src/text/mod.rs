//! Text: paragraphs and sentences with their positions, language codes and identification.

pub mod lang;
pub mod lexicon;
pub mod segment;

pub use segment::{split, Sentence};

use std::borrow::Cow;

/// Text as the embedding model should see it: Arabic vowel marks (harakat, Quranic annotation
/// signs) and tatweel removed. Fully vocalised Arabic is rare in the text the models were trained
/// on and its marks split words into many rare tokens; news text rarely carries them, so this only
/// changes texts that would otherwise embed poorly.
pub fn for_embedding(text: &str) -> Cow<'_, str> {
    let strip = |c: char| matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0640);
    if text.chars().any(strip) {
        Cow::Owned(text.chars().filter(|&c| !strip(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` ends with a sentence-final mark (full stop, question or exclamation mark in any
/// script, ellipsis), closing quotes and brackets aside.
pub fn closes_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches([
            '"', '\'', '”', '’', '»', '›', ')', ']', '）', '」', '』', '】', ' ',
        ])
        .ends_with(['.', '!', '?', '…', '。', '！', '？', '؟', '۔', '।'])
}

/// Length in characters, with CJK characters counted as the ~3 Latin characters they replace.
pub fn weighted_len(s: &str) -> f32 {
    s.chars()
        .map(|c| if is_wide_char(c) { 3.0 } else { 1.0 })
        .sum()
}

/// Kana, CJK ideographs (with compatibility ideographs) and Hangul syllables: characters that
/// each stand for about a word or syllable. Ranges rather than Unicode script properties on
/// purpose: the prolonged sound mark and the middle dot (U+30FB, U+30FC) are script Common but
/// count here, and changing that would change lengths, alignments and reports.
pub fn is_wide_char(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sentence_closings_through_quotes_and_brackets() {
        for closed in [
            "Done.",
            "(See below.)",
            "«Vraiment ?»",
            "终于。",
            "هل؟",
            "He said “yes.”",
        ] {
            assert!(super::closes_sentence(closed), "{closed}");
        }
        for open in [
            "Die Art der Bildung zu wählen",
            "see (Section 2",
            "",
            "Title:",
        ] {
            assert!(!super::closes_sentence(open), "{open}");
        }
    }

    #[test]
    fn arabic_diacritics_are_removed_for_embedding_only() {
        assert_eq!(super::for_embedding("بَلۡ جَآءَ بِٱلۡحَقِّ"), "بل جآء بٱلحق");
        assert!(matches!(
            super::for_embedding("plain text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
