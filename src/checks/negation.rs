//! Negation: one side of a link negates and the other does not ("depends on cutting losses" →
//! "sufficient even without any cuts"). A flipped polarity is among the worst translation errors
//! and moves a sentence embedding very little. Word lists per language; languages whose negation
//! is a verb affix or hides inside ordinary words (Persian, Chinese, Japanese) are not checked.
//! Always a warning: languages also negate by other means (lexically, "fail to").

use serde_json::json;

use super::util::tokens;
use super::{Finding, Kind, LinkCheck, PairContext, Severity};
use crate::text::lang::primary;

pub struct Negation;

/// Negation words per language (lower case).
fn words(lang: &str) -> Option<&'static [&'static str]> {
    Some(match lang {
        "en" => &[
            "not", "no", "never", "without", "none", "nothing", "nobody", "neither", "nor",
            "cannot", "nowhere",
        ],
        "de" => &[
            "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
            "ohne", "nichts", "niemand", "weder",
        ],
        "fr" => &[
            "pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "nul", "nulle", "guère",
        ],
        "es" => &[
            "no", "nunca", "sin", "ningún", "ninguna", "ninguno", "nada", "nadie", "ni", "jamás",
            "tampoco",
        ],
        "it" => &[
            "non", "mai", "senza", "nessun", "nessuno", "nessuna", "niente", "nulla", "né",
        ],
        "pt" => &[
            "não", "nunca", "sem", "nenhum", "nenhuma", "nada", "ninguém", "nem", "jamais",
        ],
        "nl" => &[
            "niet", "geen", "nooit", "zonder", "niets", "niemand", "noch",
        ],
        "ru" => &[
            "не",
            "нет",
            "ни",
            "без",
            "никогда",
            "ничего",
            "никто",
            "нельзя",
        ],
        "pl" => &[
            "nie", "bez", "nigdy", "nic", "nikt", "żaden", "żadna", "żadne", "ani",
        ],
        "ar" => &[
            "لا",
            "لم",
            "لن",
            "ليس",
            "ليست",
            "غير",
            "دون",
            "بدون",
            "بلا",
            "ولا",
            "ولم",
            "ولن",
            "وليس",
            "ودون",
            "وبدون",
            "لسنا",
            "ليسوا",
        ],
        "he" => &[
            "לא", "אין", "בלי", "ללא", "ולא", "ואין", "אינו", "אינה", "אינם", "אף",
        ],
        _ => return None,
    })
}

/// Negation words that do not negate in these phrases ("sin embargo" = however).
fn neutralised(lang: &str, words: &[String], i: usize) -> bool {
    let next = words.get(i + 1).map(String::as_str).unwrap_or_default();
    match (lang, words[i].as_str()) {
        ("en", "not") => matches!(next, "only" | "just" | "merely"),
        ("ar", "ليس" | "ليست" | "لا") => matches!(next, "مجرد" | "فقط"),
        ("es", "sin") => next == "embargo",
        ("de", "nicht") => next == "nur",
        ("fr", "ni") | ("es", "ni") => false,
        ("it", "non") => next == "solo",
        ("ru", "не") => next == "только",
        ("pt", "não") => next == "só",
        ("nl", "niet") => next == "alleen",
        _ => false,
    }
}

/// French "plus" (more) and "personne" (person) negate after "ne": "il n'y a plus de billets".
fn ne_plus(lang: &str, words: &[String], i: usize) -> bool {
    lang == "fr"
        && matches!(words[i].as_str(), "plus" | "personne")
        && words[i.saturating_sub(4)..i]
            .iter()
            .any(|w| w == "n" || w == "ne")
}

/// The negation words found in `text`, in order.
fn negations(lang: &str, text: &str) -> Option<Vec<String>> {
    let list = words(lang)?;
    let lower: Vec<String> = tokens(text).iter().map(|t| t.text.to_lowercase()).collect();
    let mut found: Vec<String> = (0..lower.len())
        .filter(|&i| {
            (list.contains(&lower[i].as_str()) || ne_plus(lang, &lower, i))
                && !neutralised(lang, &lower, i)
        })
        .map(|i| lower[i].clone())
        .collect();
    if lang == "en" && (text.contains("n't") || text.contains("n’t")) {
        found.push("n't".into());
    }
    Some(found)
}

impl LinkCheck for Negation {
    fn name(&self) -> &'static str {
        "negation"
    }

    fn run(&self, pair: &PairContext) -> Vec<Finding> {
        let (sl, tl) = (primary(pair.src_lang), primary(pair.tgt_lang));
        let (Some(s), Some(t)) = (
            negations(&sl, &pair.src_text()),
            negations(&tl, &pair.tgt_text()),
        ) else {
            return Vec::new();
        };
        let (side, other, words) = match (s.is_empty(), t.is_empty()) {
            (true, false) => ("target", "source", &t),
            (false, true) => ("source", "target", &s),
            _ => return Vec::new(),
        };
        let message = format!(
            "the {side} negates (\u{201c}{}\u{201d}) but the {other} does not: check that the meaning is not reversed",
            words.join("\u{201d}, \u{201c}")
        );
        vec![pair.finding(
            Kind::Mistranslation,
            Severity::Warning,
            message,
            json!({"negation": words, "side": side}),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, sl: &str, tgt: &str, tl: &str) -> Vec<Finding> {
        crate::checks::testing::run(&Negation, src, sl, tgt, tl, 2.0)
    }

    #[test]
    fn a_negation_added_in_the_target_is_a_warning() {
        let f = run(
            "يرى الخبراء أن الإجابة تتوقف إلى حد كبير على ترشيد الاستهلاك والحد من الفاقد.",
            "ar",
            "Experts believe the increase will be more than sufficient, even without any cuts in consumption.",
            "en",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("without"));
    }

    #[test]
    fn negation_on_both_sides_is_fine() {
        assert!(run(
            "No one shall be held in slavery.",
            "en",
            "لا يجوز استرقاق أحد.",
            "ar"
        )
        .is_empty());
        assert!(run("Das ist nicht genug.", "de", "That isn't enough.", "en").is_empty());
    }

    #[test]
    fn phrases_that_do_not_negate_are_ignored() {
        assert!(run(
            "Sin embargo, el museo abre el sábado.",
            "es",
            "However, the museum opens on Saturday.",
            "en"
        )
        .is_empty());
        assert!(run(
            "It is not only cheap but also fast.",
            "en",
            "Es ist schnell und billig.",
            "de"
        )
        .is_empty());
    }

    #[test]
    fn not_merely_is_not_a_negation_in_arabic_either() {
        assert!(run(
            "هذه المحطة ليست مجرد منشأة صناعية.",
            "ar",
            "This plant is more than an industrial facility.",
            "en"
        )
        .is_empty());
    }

    #[test]
    fn languages_without_word_lists_are_not_checked() {
        assert!(run("これは良くない。", "ja", "This is good.", "en").is_empty());
    }

    // --- Seven-language coverage: ar, zh, ja, de, fr, ru, hi -----------------------------------

    #[test]
    fn french_pas_is_a_negation_but_ne_que_is_not() {
        let f = run(
            "Le musée n'ouvre pas le dimanche.",
            "fr",
            "The museum opens on Sunday.",
            "en",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message
                .starts_with("the source negates (\u{201c}pas\u{201d})"),
            "{}",
            f[0].message
        );
        assert!(run(
            "Le musée n'ouvre pas le dimanche.",
            "fr",
            "The museum is not open on Sundays.",
            "en"
        )
        .is_empty());
        // "ne … que" means "only".
        assert!(run(
            "Le musée n'ouvre que le samedi.",
            "fr",
            "The museum only opens on Saturdays.",
            "en"
        )
        .is_empty());
    }

    #[test]
    fn french_ne_plus_is_a_negation() {
        // "ne … plus" (no longer) and "ne … personne" (nobody) have no "pas".
        assert!(run(
            "Il n'y a plus de billets pour le concert.",
            "fr",
            "There are no tickets left for the concert.",
            "en"
        )
        .is_empty());
        assert!(run(
            "Je ne connais personne ici.",
            "fr",
            "I don't know anybody here.",
            "en"
        )
        .is_empty());
        let f = run(
            "Il n'y a plus de billets pour le concert.",
            "fr",
            "There are tickets left for the concert.",
            "en",
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("\u{201c}plus\u{201d}"),
            "{}",
            f[0].message
        );
        // Without "ne", "plus" is "more" and "personne" a person.
        assert!(run(
            "Il y a plus de billets que prévu.",
            "fr",
            "There are more tickets than expected.",
            "en"
        )
        .is_empty());
        assert!(run(
            "Une personne attend devant le musée.",
            "fr",
            "A person is waiting outside the museum.",
            "en"
        )
        .is_empty());
    }

    #[test]
    fn german_nicht_against_french() {
        let f = run(
            "Das Museum ist sonntags nicht geöffnet.",
            "de",
            "Le musée est ouvert le dimanche.",
            "fr",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("nicht"), "{}", f[0].message);
        assert!(run(
            "Das Museum ist sonntags nicht geöffnet.",
            "de",
            "Le musée n'est pas ouvert le dimanche.",
            "fr"
        )
        .is_empty());
    }

    #[test]
    fn russian_negation_is_checked() {
        let f = run(
            "Музей не работает по воскресеньям.",
            "ru",
            "The museum is open on Sundays.",
            "en",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message.contains("\u{201c}не\u{201d}"),
            "{}",
            f[0].message
        );
        assert!(run(
            "Музей не работает по воскресеньям.",
            "ru",
            "The museum doesn't open on Sundays.",
            "en"
        )
        .is_empty());
        let f = run(
            "The plant works without interruption.",
            "en",
            "Станция работает с перерывами.",
            "ru",
        );
        assert_eq!(f.len(), 1, "the target dropped \"without\"");
    }

    #[test]
    fn russian_ne_tolko_is_not_a_negation() {
        // "не только … но и" is "not only … but also".
        assert!(run(
            "Это не только дёшево, но и быстро.",
            "ru",
            "It is cheap and fast.",
            "en"
        )
        .is_empty());
    }

    #[test]
    fn arabic_negation_against_french() {
        let f = run(
            "لم يفتتح المتحف المعرض الجديد.",
            "ar",
            "Le musée a inauguré la nouvelle exposition.",
            "fr",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("لم"), "{}", f[0].message);
        assert!(run(
            "لم يفتتح المتحف المعرض الجديد.",
            "ar",
            "Le musée n'a pas inauguré la nouvelle exposition.",
            "fr"
        )
        .is_empty());
    }

    #[test]
    fn chinese_japanese_and_hindi_are_not_checked() {
        // No word lists: Chinese 不 and Japanese ない hide inside ordinary words (不过 "but",
        // 少ない "few"), and Hindi is not covered. Neither side is judged, whatever the other says.
        for (src, sl, tgt, tl) in [
            (
                "博物馆周日不开放。",
                "zh",
                "The museum is open on Sundays.",
                "en",
            ),
            (
                "The museum is not open on Sundays.",
                "en",
                "博物馆周日开放。",
                "zh",
            ),
            (
                "博物馆周日不开放。",
                "zh",
                "Das Museum ist sonntags geöffnet.",
                "de",
            ),
            (
                "美術館は日曜日には開いていない。",
                "ja",
                "The museum is open on Sundays.",
                "en",
            ),
            (
                "The museum is not open on Sundays.",
                "en",
                "美術館は日曜日に開いている。",
                "ja",
            ),
            (
                "संग्रहालय रविवार को नहीं खुलता।",
                "hi",
                "The museum is open on Sundays.",
                "en",
            ),
            (
                "The museum is not open on Sundays.",
                "en",
                "संग्रहालय रविवार को खुलता है।",
                "hi",
            ),
        ] {
            assert!(run(src, sl, tgt, tl).is_empty(), "{src} / {tgt}");
        }
        // The same English sentence against a checked language is flagged, so the skip above is
        // the language's, not the sentence's.
        assert_eq!(
            run(
                "The museum is not open on Sundays.",
                "en",
                "Das Museum ist sonntags geöffnet.",
                "de"
            )
            .len(),
            1
        );
    }
}
