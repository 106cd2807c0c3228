//! `same_language`: source and target in the same language, so that scores compare paraphrases
//! rather than a translation (usually swapped files or a wrong language flag).

use serde_json::json;

use crate::finding::{Finding, Kind, Severity};
use crate::text::lang;

/// A warning when both sides are in the same (known) language. `detected` says whether either
/// language was identified from the text rather than given.
pub fn check(src_lang: &str, tgt_lang: &str, detected: bool) -> Option<Finding> {
    if lang::primary(src_lang) != lang::primary(tgt_lang) || src_lang == "und" {
        return None;
    }
    let message = format!(
        "source and target are both {src_lang}{}; scores compare paraphrases, not a translation",
        if detected {
            " (detected; pass --src-lang/--tgt-lang if wrong)"
        } else {
            ""
        }
    );
    let evidence = json!({"source_lang": src_lang, "target_lang": tgt_lang});
    Some(Finding::new(
        Kind::SameLanguage,
        Severity::Warning,
        (0..0, &[]),
        (0..0, &[]),
        message,
        evidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_primary_language_warns_and_names_the_flags_when_detected() {
        let f = check("en-GB", "en", true).unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (Kind::SameLanguage, Severity::Warning)
        );
        assert!(f.message.contains("--src-lang"), "{}", f.message);
        assert!(!check("en", "en", false)
            .unwrap()
            .message
            .contains("--src-lang"));
        assert!(check("en", "de", true).is_none());
        // Unidentified text is not evidence of anything.
        assert!(check("und", "und", true).is_none());
    }
}
