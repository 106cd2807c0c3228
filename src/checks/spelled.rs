//! Whether a name of a Latin-script target is spelled somewhere in its source, in any script:
//! letter for letter, or in ASCII transliteration compared by consonant skeleton, so that
//! "Navalny" is found in "Навального", "Kyiv" in "Киеве", "Merkel" in "メルケル".

use super::util::{edit_similarity, script_of, similar_spelling, Script};
use crate::text::for_embedding;

/// The words of a source text in lower-case ASCII, with their consonant skeletons.
pub struct Spellings {
    words: Vec<(String, String)>,
}

/// Prefixes of an Arabic word that are words of their own in English: the article with the
/// conjunctions and prepositions written onto it ("التوراة" is "the Torah"), also with the alef
/// wasla (ٱ) of Quranic text.
const ARABIC_ARTICLES: &[&str] = &[
    "وال", "بال", "فال", "كال", "لل", "ال", "وٱل", "بٱل", "فٱل", "كٱل", "ٱل",
];

impl Spellings {
    /// The words of `text`, transliterated to ASCII chunk by chunk (so that marks stay in their
    /// word) and cut at everything but letters and digits. Arabic vowel marks are left out (the
    /// names they spell are written without them), and an Arabic word also counts without its
    /// article. Japanese, written without spaces, is cut where kanji, hiragana and katakana
    /// meet: a katakana run is mostly one foreign name.
    pub fn of(text: &str) -> Self {
        let class = |c: char| match c as u32 {
            0x3040..=0x309F => 1,                                     // hiragana
            0x30A0..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => 2, // katakana
            _ if script_of(c) == Some(Script::Han) => 3,
            _ => 0,
        };
        let mut cut = String::with_capacity(text.len());
        let mut last = 0;
        for c in for_embedding(text).chars() {
            let k = class(c);
            if k != last && k != 0 && last != 0 {
                cut.push(' ');
            }
            cut.push(c);
            last = k;
        }
        let mut words = Vec::new();
        for chunk in cut.split_whitespace() {
            let bare = ARABIC_ARTICLES
                .iter()
                .find_map(|a| chunk.strip_prefix(a).filter(|r| r.chars().count() >= 2));
            // Arabic and Hebrew write long vowels with the letters for w and y ("موسى" is
            // "mwsy", Moses): their skeletons also count without w.
            let abjad = matches!(
                chunk.chars().find_map(script_of),
                Some(Script::Arabic | Script::Hebrew)
            );
            for form in std::iter::once(chunk).chain(bare) {
                let ascii = any_ascii::any_ascii(form).to_ascii_lowercase();
                for w in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
                    if w.is_empty() {
                        continue;
                    }
                    words.push((w.to_string(), skeleton(w)));
                    if abjad && w.contains('w') {
                        words.push((w.to_string(), skeleton(&w.replace('w', ""))));
                    }
                }
            }
        }
        Spellings { words }
    }

    /// Whether `name` is spelled by a word: a common beginning of three letters or half of its
    /// letters in place (inflection: "Navalny" / "navalnogo"), the name inside a longer word
    /// ("Duma" in "gosduma"), or the same consonants (transliteration schemes differ in vowels
    /// and in k/c, v/w, l/r: "Volodymyr" / "vladimir", "Kyiv" / "kiev", "Merkel" / "merukeru").
    pub fn spells(&self, name: &str) -> bool {
        let n = any_ascii::any_ascii(name).to_ascii_lowercase();
        let n = n.strip_suffix("'s").unwrap_or(&n);
        let sk = skeleton(n);
        // Without its last letter, which inflection changes ("Duma" in "gosdumy").
        let stem = &n[..n.len().saturating_sub(1)];
        self.words.iter().any(|(w, wsk)| {
            similar_spelling(n, w)
                || (stem.len() >= 3 && w.contains(stem))
                || (sk.len() >= 2 && sk == *wsk)
                || (sk.len() >= 3 && wsk.len() >= 3 && edit_similarity(&sk, wsk) >= 0.75)
                || (sk.len() >= 3
                    && wsk.len() >= 3
                    && (wsk.starts_with(&sk) || sk.starts_with(wsk.as_str())))
                || (sk.len() >= 4 && wsk.contains(&sk))
        })
    }
}

/// The consonants of a lower-case ASCII word, with the letters transliterations disagree on
/// merged (c, k, q → k; w → v; z → s; l → r; ph → f) and doubled consonants once.
fn skeleton(w: &str) -> String {
    let w = w.replace("ph", "f");
    let mut out = String::new();
    for c in w.chars() {
        let c = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'j' | 'h' => continue,
            'c' | 'q' => 'k',
            'w' => 'v',
            'z' => 's',
            'l' => 'r',
            c if c.is_ascii_alphabetic() => c,
            _ => continue,
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterated_and_inflected_names_are_spelled() {
        for (src, name) in [
            ("Алексей Навальный впервые призвал к бойкоту", "Navalny"),
            ("Сторонники Навального вышли на улицы", "Navalny"),
            ("Переговоры в Киеве отложены", "Kyiv"),
            ("Владимир Зеленский выступил", "Volodymyr"),
            ("Депутаты Госдумы одобрили закон", "Duma"),
            ("Аннексия Крыма", "Crimea"),
            ("メルケル首相が訪問した", "Merkel"),
            ("मोदी ने दिल्ली में", "Modi"),
            ("ウィキペディアの記事", "Wikipedia"),
            ("وَمَا تِلۡكَ بِيَمِينِكَ يَٰمُوسَىٰ", "Moses"),
            ("أنزلنا التوراة فيها هدى", "Torah"),
            ("مَآ أَنزَلۡنَا عَلَيۡكَ ٱلۡقُرۡءَانَ لِتَشۡقَىٰٓ", "Qur"),
            ("قال ترامب إن", "Trump"),
        ] {
            assert!(Spellings::of(src).spells(name), "{name} in {src}");
        }
    }

    #[test]
    fn a_name_the_source_does_not_have_is_not_spelled() {
        for (src, name) in [
            ("Алексей Навальный впервые призвал к бойкоту", "Muhammad"),
            ("Переговоры в Киеве отложены", "Warsaw"),
            ("メルケル首相が訪問した", "Macron"),
        ] {
            assert!(!Spellings::of(src).spells(name), "{name} in {src}");
        }
    }
}
