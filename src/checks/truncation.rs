//! Truncation: a target that renders only part of its source sentence. A length rule alone misses
//! cuts that keep 50-70% of a sentence (their similarity stays high), so candidates found by a
//! length ratio (calibrated on the document itself, so CJK and Latin need no table) are confirmed
//! by embedding the source's leading and trailing parts: a truncated target matches one part as
//! well as the whole sentence and the other part clearly worse.

use serde_json::json;

use super::util::{is_cjk_char, round3};
use super::{Finding, Kind, PairContext, Severity};

/// Links whose target is shorter than this fraction of the length the document's ratio predicts
/// are examined.
pub const CANDIDATE_RATIO: f32 = 0.65;

/// Enough text to have two halves worth comparing.
pub fn long_enough(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| is_cjk_char(c)).count();
    cjk >= 16 || text.split_whitespace().count() >= 8
}

/// Splits a sentence into a leading and a trailing part at the clause boundary (comma, semicolon,
/// colon, dash, Arabic or CJK comma) nearest its middle, or at the middle word boundary.
pub fn split_halves(text: &str) -> Option<(String, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    if n < 8 {
        return None;
    }
    let mid = n / 2;
    let is_clause = |c: char| {
        matches!(
            c,
            ',' | ';' | ':' | '،' | '؛' | '，' | '；' | '、' | '—' | '–'
        )
    };
    let in_window = |k: usize| k >= n / 4 && k <= 3 * n / 4;
    let clause = (0..n)
        .filter(|&k| in_window(k) && is_clause(chars[k].1))
        .min_by_key(|&k| k.abs_diff(mid));
    let cut = clause.map(|k| k + 1).or_else(|| {
        let space = (0..n)
            .filter(|&k| in_window(k) && chars[k].1.is_whitespace())
            .min_by_key(|&k| k.abs_diff(mid));
        // Scripts without spaces (CJK) are cut at the middle character.
        space.or(Some(mid))
    })?;
    let byte = chars.get(cut).map_or(text.len(), |&(b, _)| b);
    let (a, b) = (text[..byte].trim(), text[byte..].trim());
    (!a.is_empty() && !b.is_empty()).then(|| (a.to_string(), b.to_string()))
}

/// Cosines of the target against the whole source and its two parts, and the link's length ratio
/// relative to the document's (1.0 = as long as expected).
pub struct Evidence {
    pub full: f32,
    pub lead: f32,
    pub trail: f32,
    pub length_ratio: f32,
    /// The document's spread of similarities, to express gaps in z units.
    pub sigma: f32,
}

/// Judges one candidate link.
pub fn judge(pair: &PairContext, e: &Evidence) -> Option<Finding> {
    let (kept, lost, which) = if e.lead >= e.trail {
        (e.lead, e.trail, "end")
    } else {
        (e.trail, e.lead, "beginning")
    };
    // The kept part explains the target as well as the whole source does...
    let kept_vs_full = (kept - e.full) / e.sigma;
    // ...and the other part clearly less.
    let gap = (kept - lost) / e.sigma;
    if kept_vs_full < -0.5 || gap < 1.0 || e.length_ratio >= CANDIDATE_RATIO {
        return None;
    }
    // Cuts in the development set keep 40-70% of a sentence; complete translations rarely fall
    // under 55% of the document's length ratio. (Examining links up to 75% found a few more cuts
    // but also flagged faithful, concise translations, e.g. "ehrenamtliche Helferinnen und
    // Helfer" → "volunteers".)
    let severity = if e.length_ratio < 0.55 {
        Severity::Error
    } else {
        Severity::Warning
    };
    let message = format!(
        "the target renders only part of the source: it is {:.0}% of the expected length and matches the source without its {which} (similarity {:.3}) as well as the whole sentence ({:.3})",
        100.0 * e.length_ratio,
        kept,
        e.full
    );
    Some(pair.finding(
        Kind::Truncation,
        severity,
        message,
        json!({
            "length_ratio": round3(e.length_ratio as f64),
            "similarity_full": round3(e.full as f64),
            "similarity_lead": round3(e.lead as f64),
            "similarity_trail": round3(e.trail as f64),
            "missing": which,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_clause_nearest_the_middle() {
        let (a, b) = split_halves("Al-Kindi said that building new plants alone is not enough, calling for investment in pipe maintenance.").unwrap();
        assert!(a.ends_with("enough,"), "{a}");
        assert!(b.starts_with("calling"), "{b}");
    }

    #[test]
    fn splits_cjk_without_spaces() {
        let (a, b) = split_halves("東京で大きな会議が開かれ、参加者は三十人だった。").unwrap();
        assert!(a.ends_with('、') && b.starts_with('参'), "{a} | {b}");
    }

    #[test]
    fn short_sentences_are_not_candidates() {
        assert!(!long_enough("Yes, he said."));
        assert!(long_enough(
            "The plant uses reverse osmosis, which consumes less energy than distillation."
        ));
    }

    use crate::checks::testing::{pair, sentence};

    #[test]
    fn a_target_matching_only_the_first_half_is_truncated() {
        let (s, t) = ([sentence("a b c d e f g h")], [sentence("a b c d")]);
        let e = Evidence {
            full: 0.86,
            lead: 0.90,
            trail: 0.78,
            length_ratio: 0.5,
            sigma: 0.03,
        };
        let f = judge(&pair(&s, "en", &t, "de", 2.0), &e).unwrap();
        assert_eq!((f.kind, f.severity), (Kind::Truncation, Severity::Error));
        assert!(f.message.contains("without its end"));
    }

    #[test]
    fn a_short_but_complete_translation_is_not_truncated() {
        let (s, t) = ([sentence("a b c d e f g h")], [sentence("a b c d")]);
        // Both halves explain the target less than the whole: it renders everything, tersely.
        let e = Evidence {
            full: 0.92,
            lead: 0.84,
            trail: 0.83,
            length_ratio: 0.6,
            sigma: 0.03,
        };
        assert!(judge(&pair(&s, "en", &t, "de", 2.0), &e).is_none());
        // Long enough: no candidate at all.
        let e = Evidence {
            full: 0.86,
            lead: 0.90,
            trail: 0.78,
            length_ratio: 0.95,
            sigma: 0.03,
        };
        assert!(judge(&pair(&s, "en", &t, "de", 2.0), &e).is_none());
    }

    // --- Seven-language coverage: ar, zh, ja, de, fr, ru, hi -----------------------------------

    #[track_caller]
    fn halves(text: &str) -> (String, String) {
        let (a, b) = split_halves(text).unwrap();
        // Nothing is lost or added: the halves are the sentence cut once.
        assert_eq!(
            format!("{a}{b}").replace(char::is_whitespace, ""),
            text.replace(char::is_whitespace, ""),
            "{text}"
        );
        (a, b)
    }

    #[test]
    fn splits_arabic_at_the_arabic_comma() {
        let (a, b) = halves(
            "قال الوزير إن المحطة الجديدة ستوفر المياه لمئة ألف منزل، وأضاف أن العمل سيبدأ في الربيع المقبل.",
        );
        assert!(a.ends_with('،') && b.starts_with("وأضاف"), "{a} | {b}");
        assert!(long_enough(&a) || long_enough(&format!("{a} {b}")));
    }

    #[test]
    fn splits_chinese_at_the_full_width_comma() {
        let text = "新的海水淡化厂已经投入使用，每天可以为十万户家庭供水。";
        let (a, b) = halves(text);
        assert!(a.ends_with('，') && b.starts_with('每'), "{a} | {b}");
        assert!(long_enough(text));
        assert!(!long_enough("工厂已经投入使用。"), "8 characters");
    }

    #[test]
    fn japanese_without_commas_is_cut_in_the_middle() {
        let text = "新しい橋は来年の春に完成する予定です";
        let (a, b) = halves(text);
        assert_eq!(a.chars().count(), text.chars().count() / 2, "{a} | {b}");
        assert!(long_enough(text));
        assert!(!long_enough("東京で会議が開かれた。"));
    }

    #[test]
    fn splits_russian_at_the_comma_and_counts_words() {
        let text =
            "Новая станция будет построена к концу года, а её мощность составит сто мегаватт.";
        let (a, b) = halves(text);
        assert!(a.ends_with(',') && b.starts_with("а её"), "{a} | {b}");
        // A comma too near the start is not a middle: the cut falls at a space.
        let text = "Министр заявил, что строительство новой станции начнётся в следующем году.";
        let (a, _) = halves(text);
        assert!(!a.ends_with(','), "{a}");
        assert!(long_enough(text));
        assert!(!long_enough("Да, конечно, он прав."));
    }

    #[test]
    fn hindi_splits_at_a_comma_or_a_space_never_inside_a_word() {
        // Hindi ends sentences with । and uses ordinary commas inside them.
        let text =
            "मंत्री ने कहा कि नया संयंत्र अगले साल तक तैयार हो जाएगा, और इससे एक लाख घरों को पानी मिलेगा।";
        let (a, b) = halves(text);
        assert!(a.ends_with(',') && b.starts_with("और"), "{a} | {b}");
        assert!(long_enough(text));
        let text = "नई रेल लाइन से दिल्ली और मुंबई के बीच यात्रा का समय कम हो जाएगा।";
        let (a, b) = halves(text);
        // Cut at a space: both halves are whole words (vowel signs stay with their letters).
        assert!(
            text.contains(&format!("{a} {b}")),
            "cut inside a word: {a} | {b}"
        );
        assert!(long_enough(text));
        assert!(!long_enough("हाँ, उसने कहा।"));
    }

    #[test]
    fn splits_french_at_a_spaced_colon_and_german_at_a_dash() {
        let (a, b) = halves(
            "Le ministre a été très clair\u{202f}: la nouvelle usine ouvrira ses portes l'année prochaine.",
        );
        assert!(
            a.ends_with(':') && b.starts_with("la nouvelle"),
            "{a} | {b}"
        );
        let (a, b) = halves(
            "Die neue Anlage ist seit Montag in Betrieb – sie versorgt hunderttausend Haushalte.",
        );
        assert!(a.ends_with('–') && b.starts_with("sie"), "{a} | {b}");
    }

    #[test]
    fn judging_does_not_depend_on_the_script() {
        let (s, t) = (
            [sentence(
                "新的海水淡化厂已经投入使用，每天可以为十万户家庭供水。",
            )],
            [sentence("Die neue Entsalzungsanlage ist in Betrieb.")],
        );
        let e = Evidence {
            full: 0.80,
            lead: 0.84,
            trail: 0.70,
            length_ratio: 0.6,
            sigma: 0.04,
        };
        let f = judge(&pair(&s, "zh", &t, "de", 2.0), &e).unwrap();
        assert_eq!((f.kind, f.severity), (Kind::Truncation, Severity::Warning));
        assert!(f.message.contains("without its end"), "{}", f.message);
        // The trailing half explains it: the beginning is missing.
        let e = Evidence {
            lead: 0.70,
            trail: 0.84,
            ..e
        };
        let f = judge(&pair(&t, "de", &s, "zh", 2.0), &e).unwrap();
        assert!(f.message.contains("without its beginning"), "{}", f.message);
    }
}
