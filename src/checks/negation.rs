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
        ("pt", "não") => next == "só",
        ("nl", "niet") => next == "alleen",
        _ => false,
    }
}

/// The negation words found in `text`, in order.
fn negations(lang: &str, text: &str) -> Option<Vec<String>> {
    let list = words(lang)?;
    let lower: Vec<String> = tokens(text).iter().map(|t| t.text.to_lowercase()).collect();
    let mut found: Vec<String> = (0..lower.len())
        .filter(|&i| list.contains(&lower[i].as_str()) && !neutralised(lang, &lower, i))
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
}
