//! Sentences in an unexpected language (`wrong_language`): a target sentence identified, with
//! whatlang's confidence, as a third language (neither the target's nor the source's — that is
//! `untranslated`), and, as information, source sentences not in the source language.
//!
//! Sentence-level identification is fragile, so only long, single-script sentences with a
//! reliable guess count, and confusions within a family of close languages (no/da/sv, es/pt,
//! hr/sr, ms/id, zh/ja) are at most information.

use serde_json::json;

use super::entities;
use super::util::{
    dominant_script, is_cjk_char, looks_like_code, quote, related, round3, script_of, tokens,
    Script,
};
use super::{Finding, Kind, LinkCheck, PairContext, Severity};
use crate::text::lang::{detect, primary, Detected};
use crate::text::Sentence;

/// The `wrong_language` check.
pub struct Language;

impl LinkCheck for Language {
    fn name(&self) -> &'static str {
        "wrong_language"
    }

    fn run(&self, pair: &PairContext) -> Vec<Finding> {
        let mut parts = Vec::new();
        let mut evidence = Vec::new();
        let mut severity = Severity::Info;
        let src_text = pair.src_text();
        for (is_target, sentences, first) in [
            (true, pair.tgt, pair.tgt_index.start),
            (false, pair.src, pair.src_index.start),
        ] {
            let (lang, other) = if is_target {
                (pair.tgt_lang, pair.src_lang)
            } else {
                (pair.src_lang, pair.tgt_lang)
            };
            for (k, s) in sentences.iter().enumerate() {
                let Some((d, sev)) = judge(s, lang, other, is_target, &src_text) else {
                    continue;
                };
                let side = if is_target { "target" } else { "source" };
                parts.push(format!(
                    "{side} sentence {} is in {}, not {}: \"{}\"",
                    first + k + 1,
                    d.lang,
                    lang,
                    quote(&s.text, 80)
                ));
                evidence.push(json!({"side": side, "sentence": first + k, "detected": d.lang, "confidence": round3(d.confidence), "severity": sev}));
                severity = severity.max(sev);
            }
        }
        if parts.is_empty() {
            return Vec::new();
        }
        vec![pair.finding(
            Kind::WrongLanguage,
            severity,
            parts.join("; "),
            json!({ "sentences": evidence }),
        )]
    }
}

/// Long enough for a trigram identifier to be trusted on one sentence.
fn long_enough(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| is_cjk_char(c)).count();
    cjk >= 20 || tokens(text).iter().filter(|t| t.has_letters()).count() >= 6
}

/// whatlang's guess for a sentence, with Japanese recognised by its kana: kanji-heavy Japanese
/// is often identified as Mandarin.
fn identify(text: &str) -> Option<Detected> {
    let mut d = detect(text)?;
    if d.lang == "zh" && text.chars().any(|c| script_of(c) == Some(Script::Kana)) {
        d.lang = "ja".to_string();
    }
    Some(d)
}

/// The language a sentence is in, and how sure a finding is, when it is not `lang`.
fn judge(
    s: &Sentence,
    lang: &str,
    other: &str,
    is_target: bool,
    src_text: &str,
) -> Option<(Detected, Severity)> {
    let text = entities::strip(&s.text);
    if !long_enough(&text) || looks_like_code(&text) {
        return None;
    }
    // Mixed scripts (a quotation, a name in its own script) defeat trigram statistics.
    if dominant_script(&text).is_none_or(|(_, share)| share < 0.8) {
        return None;
    }
    let d = identify(&text)?;
    if !d.reliable || primary(&d.lang) == primary(lang) {
        return None;
    }
    if is_target {
        if primary(&d.lang) == primary(other) {
            return None; // left in the source language: `untranslated` reports it
        }
        // A passage in a third language that the source has too (a quotation kept as written).
        if identify(&entities::strip(src_text)).is_some_and(|sd| sd.reliable && sd.lang == d.lang) {
            return None;
        }
    }
    let severity = if !is_target || related(&d.lang, lang) {
        Severity::Info
    } else {
        Severity::Error
    };
    Some((d, severity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, sl: &str, tgt: &str, tl: &str) -> Vec<Finding> {
        crate::checks::testing::run(&Language, src, sl, tgt, tl, 3.0)
    }

    const EN: &str = "The museum opens a new exhibition on the history of the city on Saturday.";
    const DE: &str =
        "Das Museum öffnet am Samstag eine neue Ausstellung über die Geschichte der Stadt.";
    const FR: &str =
        "Le musée ouvre samedi une nouvelle exposition consacrée à l'histoire de la ville.";

    #[test]
    fn third_language_in_the_target_is_an_error() {
        let f = run(EN, "en", FR, "de");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in fr, not de"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn correct_target_is_not_flagged() {
        assert!(run(EN, "en", DE, "de").is_empty());
        assert!(run(
            EN,
            "en",
            "博物馆周六将开设一个关于城市历史的新展览，展出许多珍贵的文物和照片。",
            "zh-CN"
        )
        .is_empty());
    }

    #[test]
    fn source_language_in_the_target_is_left_to_untranslated() {
        assert!(run(EN, "en", EN, "de").is_empty());
    }

    #[test]
    fn short_and_mixed_script_sentences_are_not_judged() {
        assert!(run(EN, "en", "Le musée ouvre.", "de").is_empty());
        assert!(run(
            EN,
            "en",
            "Das Museum zeigt «Москва и Петербург в истории»",
            "de"
        )
        .is_empty());
    }

    #[test]
    fn japanese_with_kanji_is_not_called_chinese() {
        let ja = "東京都は来年度から新しい交通計画を実施すると発表し、市民の意見を募集している。";
        assert!(run(EN, "en", ja, "ja").is_empty());
    }

    #[test]
    fn related_language_confusion_is_information_only() {
        let pt =
            "O presidente anunciou hoje um novo plano para melhorar a educação pública no país.";
        let f = run(EN, "en", pt, "es");
        assert!(
            f.iter().all(|f| f.severity == Severity::Info),
            "{:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn quotation_in_a_third_language_kept_from_the_source_is_fine() {
        // Only the source's own foreign sentence is mentioned, as information.
        let f = run(FR, "en", FR, "de");
        assert!(
            f.iter()
                .all(|f| f.severity == Severity::Info && !f.message.contains("target")),
            "{:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn foreign_source_sentence_is_information() {
        let f = run(FR, "en", DE, "de");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(
            f[0].message
                .starts_with("source sentence 1 is in fr, not en"),
            "{}",
            f[0].message
        );
    }

    // --- Seven-language coverage: ar, zh, ja, de, fr, ru, hi -----------------------------------

    const RU: &str =
        "Музей в субботу открывает новую выставку, посвящённую истории города и его жителей.";
    const HI: &str = "संग्रहालय शनिवार को शहर के इतिहास पर एक नई प्रदर्शनी खोलेगा।";
    // whatlang is not sure of a shorter Arabic sentence (Persian and Urdu share its letters):
    // an unsure guess is never reported.
    const AR: &str =
        "قال وزير الطاقة إن المحطة الجديدة ستوفر المياه لنحو مئة ألف منزل في العام المقبل.";

    #[test]
    fn german_sentence_in_a_french_target_is_wrong_language() {
        let f = run(EN, "en", DE, "fr");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in de, not fr"),
            "{}",
            f[0].message
        );
        assert!(run(EN, "en", FR, "fr").is_empty());
        assert!(run(DE, "de", FR, "fr-CA").is_empty());
    }

    #[test]
    fn russian_targets_and_sources() {
        assert!(run(EN, "en", RU, "ru").is_empty());
        assert!(run(RU, "ru", FR, "fr").is_empty());
        let f = run(EN, "en", DE, "ru");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in de, not ru"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn hindi_targets_and_sources() {
        assert!(run(EN, "en", HI, "hi").is_empty());
        assert!(run(HI, "hi", EN, "en").is_empty());
        let f = run(HI, "hi", FR, "en");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in fr, not en"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn arabic_targets_and_sources() {
        assert!(run(EN, "en", AR, "ar").is_empty());
        assert!(run(AR, "ar", FR, "fr").is_empty());
        let f = run(EN, "en", AR, "fr");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in ar, not fr"),
            "{}",
            f[0].message
        );
        // A source sentence in another language is information only.
        let f = run(AR, "ru", RU, "ru-RU");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(
            f[0].message
                .starts_with("source sentence 1 is in ar, not ru"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn chinese_and_japanese_in_the_wrong_target() {
        let zh = "博物馆周六将开设一个关于城市历史的新展览，展出许多珍贵的文物和照片。";
        let ja = "東京都は来年度から新しい交通計画を実施すると発表し、市民の意見を募集している。";
        // Chinese and Japanese are related: a confusion is at most information.
        let f = run(EN, "en", ja, "zh");
        assert!(
            f.iter().all(|f| f.severity == Severity::Info),
            "{:?}",
            f.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        // Japanese with kanji in a French target is named as Japanese (by its kana).
        let f = run(EN, "en", ja, "fr");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in ja, not fr"),
            "{}",
            f[0].message
        );
        // But Chinese in a German target is an error.
        let f = run(EN, "en", zh, "de");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target sentence 1 is in zh, not de"),
            "{}",
            f[0].message
        );
    }
}
