//! Language codes (BCP 47) and document-level language identification.
//!
//! Identification uses `whatlang`: pure Rust, no model files, trigram + script based, 70 languages,
//! and it reports a confidence so short or mixed segments can be treated as uncertain.

/// ISO 639-3 (whatlang) to the BCP 47 primary subtag users write.
const ISO3_TO_BCP47: &[(&str, &str)] = &[
    ("epo", "eo"),
    ("eng", "en"),
    ("rus", "ru"),
    ("cmn", "zh"),
    ("spa", "es"),
    ("por", "pt"),
    ("ita", "it"),
    ("ben", "bn"),
    ("fra", "fr"),
    ("deu", "de"),
    ("ukr", "uk"),
    ("kat", "ka"),
    ("ara", "ar"),
    ("hin", "hi"),
    ("jpn", "ja"),
    ("heb", "he"),
    ("yid", "yi"),
    ("pol", "pl"),
    ("amh", "am"),
    ("jav", "jv"),
    ("kor", "ko"),
    ("nob", "nb"),
    ("dan", "da"),
    ("swe", "sv"),
    ("fin", "fi"),
    ("tur", "tr"),
    ("nld", "nl"),
    ("hun", "hu"),
    ("ces", "cs"),
    ("ell", "el"),
    ("bul", "bg"),
    ("bel", "be"),
    ("mar", "mr"),
    ("kan", "kn"),
    ("ron", "ro"),
    ("slv", "sl"),
    ("hrv", "hr"),
    ("srp", "sr"),
    ("mkd", "mk"),
    ("lit", "lt"),
    ("lav", "lv"),
    ("est", "et"),
    ("tam", "ta"),
    ("vie", "vi"),
    ("urd", "ur"),
    ("tha", "th"),
    ("guj", "gu"),
    ("uzb", "uz"),
    ("pan", "pa"),
    ("aze", "az"),
    ("ind", "id"),
    ("tel", "te"),
    ("pes", "fa"),
    ("mal", "ml"),
    ("ori", "or"),
    ("mya", "my"),
    ("nep", "ne"),
    ("sin", "si"),
    ("khm", "km"),
    ("tuk", "tk"),
    ("aka", "ak"),
    ("zul", "zu"),
    ("sna", "sn"),
    ("afr", "af"),
    ("lat", "la"),
    ("slk", "sk"),
    ("cat", "ca"),
    ("tgl", "tl"),
    ("hye", "hy"),
    ("cym", "cy"),
];

/// The primary language subtag of a BCP 47 code, lower-cased: `zh-CN` → `zh`, `pt_BR` → `pt`.
pub fn primary(code: &str) -> String {
    code.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// True when `code` looks like a BCP 47 tag (2-3 letter primary subtag, optional subtags).
pub fn is_valid_tag(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A detected language with whatlang's confidence (0-1).
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    pub lang: String,
    pub confidence: f64,
    /// whatlang's own verdict that the guess is safe (confidence above its threshold); sentence
    /// checks need it because one sentence is often too short to tell related languages apart.
    pub reliable: bool,
}

/// Detects the language of `text` (a whole document or a sentence).
pub fn detect(text: &str) -> Option<Detected> {
    // whatlang's cost grows with the input; a few kilobytes decide a document.
    let mut end = text.len().min(4000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    let code = info.lang().code();
    let lang = ISO3_TO_BCP47
        .iter()
        .find(|(iso3, _)| *iso3 == code)
        .map_or(code, |(_, bcp)| bcp);
    Some(Detected {
        lang: lang.to_string(),
        confidence: info.confidence(),
        reliable: info.is_reliable(),
    })
}

/// Scripts where a character carries about a word of meaning (no spaces between words), which
/// matters for length ratios and segmentation.
pub fn is_cjk(lang: &str) -> bool {
    matches!(
        primary(lang).as_str(),
        "zh" | "ja" | "ko" | "th" | "lo" | "km" | "my"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_subtag() {
        assert_eq!(primary("zh-CN"), "zh");
        assert_eq!(primary("pt_BR"), "pt");
        assert!(is_valid_tag("zh-Hant-TW") && !is_valid_tag("english!"));
    }

    #[test]
    fn detects_arabic_and_german() {
        assert_eq!(
            detect("قال وزير الطاقة إن المحطة الجديدة ستوفر المياه لنحو مئة ألف منزل.")
                .unwrap()
                .lang,
            "ar"
        );
        assert_eq!(
            detect(
                "Das Museum öffnet am Samstag eine neue Ausstellung über die Geschichte der Stadt."
            )
            .unwrap()
            .lang,
            "de"
        );
    }
}
