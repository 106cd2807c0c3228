//! Untranslated targets (`untranslated`): a target identical or nearly identical to its source,
//! written in the source language's script, or identified as the source language — except text
//! that is rightly left as it is (code, URLs, numbers, product and proper names).

use serde_json::json;

use super::entities;
use super::util::{
    dominant_script, edit_similarity, is_cjk_char, lang_script, looks_like_code, quote, related,
    round3, script_of, tokens, Script,
};
use super::{Finding, Kind, LinkCheck, PairContext, Severity};
use crate::text::lang::{detect, primary};

/// The `untranslated` check.
pub struct Untranslated;

/// Edit similarity from which a target is a copy of its source with small edits.
const NEAR_IDENTICAL: f64 = 0.9;

impl LinkCheck for Untranslated {
    fn name(&self) -> &'static str {
        "untranslated"
    }

    fn run(&self, pair: &PairContext) -> Vec<Finding> {
        check(pair).into_iter().collect()
    }
}

/// Lower case, letters and digits only, single spaces: what "the same text" means here.
fn normalise(text: &str) -> String {
    tokens(text)
        .iter()
        .map(|t| t.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` without identifiers and options (`op_verify_result`, `--https-only`, `KEY=VALUE`):
/// code, not words a translator translates.
fn prose(text: &str) -> String {
    text.split_whitespace()
        .filter(|t| !(t.contains(['_', '=']) || t.starts_with('-') && t.len() > 1))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text that is legitimately the same in both languages: nothing but numbers and symbols, code,
/// or a short run of names ("Microsoft Visual Studio", "Barcelona 2 – Real Madrid 1"), judged
/// on its `prose`.
pub fn left_as_is(text: &str) -> bool {
    let prose = prose(text);
    let text = prose.as_str();
    let words: Vec<_> = tokens(text)
        .into_iter()
        .filter(|t| t.has_letters())
        .collect();
    if words.is_empty() || looks_like_code(text) {
        return true;
    }
    let name_like =
        |t: &super::util::Token| t.is_capitalised() || t.text.chars().any(|c| c.is_ascii_digit());
    if words.len() <= 3 && words.iter().all(name_like) {
        return true;
    }
    // A content word: four letters or more, in lower case (or in a script without case). The
    // first word may be capitalised when another word is in lower case: "Unmatched ( or \\(" is
    // a message, not a name.
    let lower = |t: &str| {
        t.chars().all(|c| {
            !c.is_alphabetic() || c.is_lowercase() || !(c.is_uppercase() || c.is_lowercase())
        })
    };
    let sentence_case = words.iter().skip(1).any(|t| lower(t.text));
    let content = words.iter().enumerate().any(|(k, t)| {
        let rest = t
            .text
            .char_indices()
            .nth(1)
            .map_or("", |(b, _)| &t.text[b..]);
        t.text.chars().count() >= 4 && (lower(t.text) || (k == 0 && sentence_case && lower(rest)))
    });
    !content
}

/// Field labels beside format directives (`Device: %Hd,%Ld Inode: %-10i Links: %h`), which
/// translators often keep on purpose: at least two directives and two `Label:` words.
fn labels_and_directives(text: &str) -> bool {
    let directives = text
        .split('%')
        .skip(1)
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_alphanumeric() || "-+#.(".contains(c)))
        .count();
    let labels = tokens(text)
        .iter()
        .filter(|t| t.has_letters() && text[t.start + t.text.len()..].starts_with(':'))
        .count();
    directives >= 2 && labels >= 2
}

/// A full sentence rather than a label (`words`: its tokens with letters): leaving it
/// untranslated is an error.
fn full_sentence(text: &str, words: usize) -> bool {
    words >= 5 || text.chars().filter(|&c| is_cjk_char(c)).count() >= 10
}

fn check(pair: &PairContext) -> Option<Finding> {
    if primary(pair.src_lang) == primary(pair.tgt_lang) {
        return None; // same-language documents are reported once, by the document check
    }
    let src = entities::strip(&pair.src_text());
    let tgt = entities::strip(&pair.tgt_text());
    if left_as_is(&tgt) {
        return None;
    }
    // The source's script where the target language uses another one (Arabic letters in an
    // English target) is no product name or label from three words on: a Qur'an verse of three
    // words copied into the English was only a warning.
    let (ss, ts) = (lang_script(pair.src_lang), lang_script(pair.tgt_lang));
    // One Chinese character or Hangul syllable carries a word: two of them in the target's own
    // script ("setsockopt SO_RCVBUF 失败：%s") are a translation, however many Latin letters
    // the kept command names add.
    let dense = matches!(ts, Script::Han | Script::Hangul);
    let own = tgt
        .chars()
        .filter(|&c| {
            script_of(c).is_some_and(|s| s == ts || (ts == Script::Han && s == Script::Kana))
        })
        .count();
    let foreign = (ss != ts && ss != Script::Other && ts != Script::Other && !(dense && own >= 2))
        .then(|| dominant_script(&prose(&tgt)))
        .flatten()
        .filter(|&(dom, share)| dom == ss && share >= 0.8);
    let words = tokens(&tgt).iter().filter(|t| t.has_letters()).count();
    let labels = labels_and_directives(&pair.src_text());
    let severity = if labels {
        Severity::Warning
    } else if full_sentence(&tgt, words) || (foreign.is_some() && words >= 3) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let shown = quote(pair.tgt_text().trim(), 80);

    // 1. A copy of the source, maybe with small edits. Long texts are compared on their first
    // thousand characters: the edit distance is quadratic and a copy shows from the start.
    let (ns, nt) = (normalise(&src), normalise(&tgt));
    let (ls, lt) = (ns.chars().count(), nt.chars().count());
    if ls.min(lt) as f64 >= NEAR_IDENTICAL * ls.max(lt) as f64 {
        let cut = |s: &str| s.chars().take(1000).collect::<String>();
        let sim = if ns == nt {
            1.0
        } else {
            edit_similarity(&cut(&ns), &cut(&nt))
        };
        if sim >= NEAR_IDENTICAL {
            let message = if sim == 1.0 {
                format!("target is identical to the source: \"{shown}\"")
            } else {
                format!(
                    "target is nearly identical to the source (edit similarity {:.2}): \"{shown}\"",
                    sim
                )
            };
            return Some(pair.finding(
                Kind::Untranslated,
                severity,
                message,
                json!({"edit_similarity": round3(sim), "z": round3(pair.z as f64)}),
            ));
        }
    }

    // 2. The source's script where the target language uses another one (Arabic source, Arabic
    // letters in an English target): decisive even for short text.
    if ss != ts && ss != Script::Other && ts != Script::Other {
        let (dom, share) = foreign?; // else the target is in its own script
        let message = format!(
            "target is written in the source's script ({dom:?}), not in {}: \"{shown}\"",
            pair.tgt_lang
        );
        return Some(pair.finding(
            Kind::Untranslated,
            severity,
            message,
            json!({"script": format!("{dom:?}"), "share": round3(share)}),
        ));
    }

    // 3. Same script: ask the identifier. Related languages (es/pt, da/no) are too close to tell
    // one sentence apart, so they are left alone.
    if related(pair.src_lang, pair.tgt_lang) {
        return None;
    }
    let d = detect(&tgt)?;
    if primary(&d.lang) != primary(pair.src_lang) || related(&d.lang, pair.tgt_lang) {
        return None;
    }
    let severity = if d.reliable && severity == Severity::Error {
        Severity::Error
    } else if d.confidence >= 0.5 {
        Severity::Warning
    } else {
        return None;
    };
    let message = format!(
        "target is in {} (the source language), not {}: \"{shown}\"",
        d.lang, pair.tgt_lang
    );
    Some(pair.finding(
        Kind::Untranslated,
        severity,
        message,
        json!({"detected": d.lang, "confidence": round3(d.confidence), "reliable": d.reliable}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, sl: &str, tgt: &str, tl: &str) -> Vec<Finding> {
        crate::checks::testing::run(&Untranslated, src, sl, tgt, tl, 3.0)
    }

    #[track_caller]
    fn severity(src: &str, sl: &str, tgt: &str, tl: &str) -> Option<Severity> {
        let f = run(src, sl, tgt, tl);
        assert!(f.len() <= 1);
        f.first().map(|f| f.severity)
    }

    const DE: &str =
        "Das Museum öffnet am Samstag eine neue Ausstellung über die Geschichte der Stadt.";
    const EN: &str = "The museum opens a new exhibition on the history of the city on Saturday.";

    #[test]
    fn copied_sentence_is_an_error() {
        let f = run(DE, "de", DE, "en");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target is identical to the source"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn gettext_copied_message_with_translatable_words_is_untranslated() {
        // grep's regex message kept in English in a German catalogue.
        let f = run("Unmatched ( or \\(", "en", "Unmatched ( or \\(", "de");
        assert_eq!(
            f.len(),
            1,
            "a copied message with translatable words is reported"
        );
        assert_eq!(f[0].kind, Kind::Untranslated);
        // Names and codes stay as they are.
        assert_eq!(
            severity(
                "GPGME op_verify_result: NULL",
                "en",
                "GPGME op_verify_result: NULL",
                "de"
            ),
            None
        );
        assert_eq!(severity("GNU Emacs", "en", "GNU Emacs", "de"), None);
        assert_eq!(
            severity(
                "Microsoft Visual Studio",
                "en",
                "Microsoft Visual Studio",
                "de"
            ),
            None
        );
    }

    #[test]
    fn gettext_kept_command_names_beside_chinese_are_not_untranslated() {
        // wget's zh_CN catalogue keeps option and function names and translates the rest.
        for (src, tgt) in [
            (
                "setsockopt SO_RCVBUF failed: %s",
                "setsockopt SO_RCVBUF 失败：%s",
            ),
            (
                "--no-cookies                don't use cookies",
                "--no-cookies                不使用 cookies。",
            ),
            (
                "POSIX 1003.1-1988 (ustar) format",
                "POSIX 1003.1-1988 (ustar) 格式",
            ),
        ] {
            assert_eq!(severity(src, "en", tgt, "zh-CN"), None, "{tgt}");
        }
        // A message left in English in a Chinese catalogue is still found.
        let src = "Cannot open the file because the disk is full.";
        assert_eq!(severity(src, "en", src, "zh-CN"), Some(Severity::Error));
    }

    #[test]
    fn gettext_field_labels_beside_format_directives_are_at_most_a_warning() {
        // coreutils `stat` format kept unchanged in a real Japanese catalogue.
        let src = "Device: %Hd,%Ld\tInode: %-10i  Links: %-5h Device type: %Hr,%Lr\n";
        assert_eq!(severity(src, "en", src, "ja"), Some(Severity::Warning));
        // A sentence with one directive is still an error when copied.
        let msg = "Cannot open the file %s because the disk is full.";
        assert_eq!(severity(msg, "en", msg, "de"), Some(Severity::Error));
    }

    #[test]
    fn nearly_identical_copy_is_caught() {
        let tgt =
            "Das Museum öffnet am Sonntag eine neue Ausstellung über die Geschichte der Stadt.";
        let f = run(DE, "de", tgt, "en");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message.contains("nearly identical"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn target_in_the_source_language_is_caught() {
        let other =
            "Der Bürgermeister sagte, dass die Bauarbeiten im nächsten Jahr beginnen werden.";
        assert_eq!(severity(DE, "de", other, "en"), Some(Severity::Error));
    }

    #[test]
    fn source_script_in_the_target_is_caught_even_when_short() {
        assert_eq!(
            severity("قال الوزير", "ar", "قال الوزير", "en"),
            Some(Severity::Warning)
        );
        let ar = "قال وزير الطاقة إن المحطة الجديدة ستوفر المياه لنحو مئة ألف منزل.";
        assert_eq!(severity(ar, "ar", ar, "en"), Some(Severity::Error));
        // A three-word verse copied as it is: an error whichever of the two checks sees it.
        let verse = "فَعَّالٞ لِّمَا يُرِيدُ";
        assert_eq!(severity(verse, "ar", verse, "en"), Some(Severity::Error));
        assert_eq!(
            severity("قال وزير الطاقة", "ar", "وزير الطاقة قال", "en"),
            Some(Severity::Error)
        );
    }

    #[test]
    fn real_translation_is_not_flagged() {
        assert_eq!(severity(DE, "de", EN, "en"), None);
        assert_eq!(
            severity(
                "قال وزير الطاقة إن المحطة الجديدة ستوفر المياه.",
                "ar",
                "The energy minister said the new plant would supply water.",
                "en"
            ),
            None
        );
    }

    #[test]
    fn code_urls_numbers_and_names_may_stay_as_they_are() {
        assert_eq!(
            severity(
                "apt-get install -y libssl-dev",
                "en",
                "apt-get install -y libssl-dev",
                "de"
            ),
            None
        );
        assert_eq!(
            severity(
                "https://example.com/docs",
                "en",
                "https://example.com/docs",
                "de"
            ),
            None
        );
        assert_eq!(severity("2024 – 2027", "en", "2024 – 2027", "ar"), None);
        assert_eq!(
            severity(
                "Microsoft Visual Studio Code",
                "en",
                "Microsoft Visual Studio Code",
                "fr"
            ),
            None
        );
        assert_eq!(
            severity(
                "Barcelona 2 – Real Madrid 1",
                "es",
                "Barcelona 2 – Real Madrid 1",
                "en"
            ),
            None
        );
        assert_eq!(severity("Windows 10", "en", "Windows 10", "ja"), None);
    }

    #[test]
    fn related_languages_are_not_judged_by_the_identifier() {
        let es =
            "El presidente anunció hoy un nuevo plan para mejorar la educación pública en el país.";
        let pt =
            "O presidente anunciou hoje um novo plano para melhorar a educação pública no país.";
        assert_eq!(severity(es, "es", pt, "pt"), None);
    }

    #[test]
    fn same_language_documents_are_left_to_the_document_check() {
        assert_eq!(severity(EN, "en", EN, "en-GB"), None);
    }

    // --- Seven-language coverage: ar, zh, ja, de, fr, ru, hi -----------------------------------

    const HI: &str = "प्रधानमंत्री ने कहा कि नई रेल लाइन अगले साल शुरू हो जाएगी।";
    const HI_EN: &str = "The prime minister said the new railway line would open next year.";

    #[test]
    fn hindi_left_in_an_english_target_is_an_error() {
        // Copied as it is.
        assert_eq!(severity(HI, "hi", HI, "en"), Some(Severity::Error));
        // Another Hindi sentence, not a copy: caught by its script.
        let other = "मुख्यमंत्री ने बताया कि पुल का काम दिसंबर तक पूरा हो जाएगा।";
        let f = run(HI, "hi", other, "en");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains("(Devanagari)"), "{}", f[0].message);
        // Two words may be a name or a label: only a warning; from three words on, an error.
        assert_eq!(
            severity("रेल लाइन", "hi", "रेल लाइन", "en"),
            Some(Severity::Warning)
        );
        assert_eq!(
            severity("नई रेल लाइन", "hi", "नई रेल लाइन", "en"),
            Some(Severity::Error)
        );
    }

    #[test]
    fn hindi_translations_and_transliterated_names_are_fine() {
        assert_eq!(severity(HI, "hi", HI_EN, "en"), None);
        assert_eq!(severity(HI_EN, "en", HI, "hi"), None);
        // A name in its own script is left as it is.
        assert_eq!(severity("मोदी", "hi", "Modi", "en"), None);
    }

    #[test]
    fn chinese_left_in_an_english_target_is_an_error() {
        let zh = "新的海水淡化厂已经投入使用，每天可以为十万户家庭供水。";
        assert_eq!(severity(zh, "zh", zh, "en"), Some(Severity::Error));
        assert_eq!(
            severity(
                zh,
                "zh",
                "The new desalination plant is in service and supplies 100,000 homes a day.",
                "en"
            ),
            None
        );
    }

    #[test]
    fn japanese_sharing_kanji_with_chinese_is_not_untranslated() {
        // Same script, related languages: the identifier is not asked.
        assert_eq!(
            severity(
                "日本政府宣布了新的经济政策。",
                "zh",
                "日本政府は新しい経済政策を発表した。",
                "ja"
            ),
            None
        );
        let ja = "日本政府は来年度から新しい経済政策を実施すると発表した。";
        assert_eq!(severity(ja, "ja", ja, "en"), Some(Severity::Error));
        assert_eq!(
            severity(
                ja,
                "ja",
                "The Japanese government announced a new economic policy from next year.",
                "en"
            ),
            None
        );
    }

    #[test]
    fn russian_left_in_a_target_is_caught() {
        let ru = "Министр заявил, что строительство новой станции начнётся в следующем году.";
        assert_eq!(severity(ru, "ru", ru, "en"), Some(Severity::Error));
        let f = run(
            ru,
            "ru",
            "Мэр сообщил, что ремонт моста закончится в декабре этого года.",
            "fr",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains("(Cyrillic)"), "{}", f[0].message);
        assert_eq!(
            severity(
                ru,
                "ru",
                "Le ministre a déclaré que la construction de la nouvelle centrale commencerait l'année prochaine.",
                "fr"
            ),
            None
        );
        // A transliterated name kept in Cyrillic is a name, not an untranslated sentence.
        assert_eq!(severity("Путин", "ru", "Путин", "en"), None);
    }

    #[test]
    fn french_left_in_a_target_is_caught_by_the_identifier() {
        let fr =
            "Le musée ouvre samedi une nouvelle exposition consacrée à l'histoire de la ville.";
        let other =
            "La mairie a annoncé que les travaux de rénovation commenceront l'année prochaine.";
        let f = run(fr, "fr", other, "en");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message
                .starts_with("target is in fr (the source language), not en"),
            "{}",
            f[0].message
        );
        assert_eq!(severity(fr, "fr", EN, "en"), None);
        assert_eq!(severity(fr, "fr", DE, "de"), None);
    }

    #[test]
    fn arabic_and_german_targets_in_their_own_language_are_fine() {
        assert_eq!(
            severity(
                DE,
                "de",
                "يفتتح المتحف يوم السبت معرضاً جديداً عن تاريخ المدينة.",
                "ar"
            ),
            None
        );
        assert_eq!(severity(DE, "de", DE, "ar"), Some(Severity::Error));
    }
}
