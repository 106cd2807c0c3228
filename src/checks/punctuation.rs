//! Punctuation and typing slips in the target (`punctuation`): brackets or quotes left
//! unbalanced where the source balances them, a question rendered as a statement, and doubled
//! words ("the the"). Never an error: punctuation conventions differ between languages.
//!
//! Doubled spaces are not checked: `Sentence::text` has its whitespace collapsed and the raw
//! document text is not part of `PairContext`.

use serde_json::json;

use super::util::{quote, tokens};
use super::{Finding, Kind, LinkCheck, PairContext, Severity};
use crate::text::lang::{is_cjk, primary};

/// The `punctuation` check.
pub struct Punctuation;

impl LinkCheck for Punctuation {
    fn name(&self) -> &'static str {
        "punctuation"
    }

    fn run(&self, pair: &PairContext) -> Vec<Finding> {
        let (src, tgt) = (pair.src_text(), pair.tgt_text());
        let mut parts = Vec::new();
        parts.extend(unbalanced(&src, &tgt));
        parts.extend(question(&src, &tgt, pair.tgt_lang));
        // Hindi and its neighbours repeat words on purpose ("धीरे धीरे", slowly).
        let reduplicating = matches!(
            primary(pair.tgt_lang).as_str(),
            "hi" | "ur" | "mr" | "ne" | "bn"
        );
        if !is_cjk(pair.tgt_lang) && !reduplicating {
            parts.extend(doubled_words(&src, &tgt));
        }
        if parts.is_empty() {
            return Vec::new();
        }
        let evidence = json!({ "problems": parts.iter().map(|(k, _)| k).collect::<Vec<_>>() });
        let message = parts
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join("; ");
        vec![pair.finding(Kind::Punctuation, Severity::Warning, message, evidence)]
    }
}

/// Bracket pairs compared by count (« » too: Danish writes them the other way round).
const PAIRS: &[(char, char)] = &[
    ('(', ')'),
    ('[', ']'),
    ('{', '}'),
    ('（', '）'),
    ('【', '】'),
    ('「', '」'),
    ('『', '』'),
    ('«', '»'),
    ('《', '》'),
];

fn count(text: &str, c: char) -> usize {
    text.chars().filter(|&x| x == c).count()
}

/// Typographic double quotes: “…” (English), „…“ (German), „…” (Polish) all pair up, so an
/// even number means balanced whatever the convention.
fn curly_quotes(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c, '“' | '”' | '„'))
        .count()
}

fn unbalanced(src: &str, tgt: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for &(open, close) in PAIRS {
        let (so, sc, to, tc) = (
            count(src, open),
            count(src, close),
            count(tgt, open),
            count(tgt, close),
        );
        if so == sc && to != tc {
            out.push((
                "unbalanced_bracket",
                format!("unbalanced {open}{close} in the target: {to} opening, {tc} closing"),
            ));
        }
    }
    // The target may use either kind of quote mark, so they are counted together.
    let (s, t) = (
        count(src, '"') + curly_quotes(src),
        count(tgt, '"') + curly_quotes(tgt),
    );
    if s % 2 == 0 && t % 2 == 1 {
        out.push((
            "unbalanced_quote",
            format!("unbalanced quotation marks in the target: {t} of them"),
        ));
    }
    out
}

const QUESTION_MARKS: &[char] = &['?', '؟', '？', '⁇', '‽', '¿'];

fn question(src: &str, tgt: &str, tgt_lang: &str) -> Option<(&'static str, String)> {
    // The mark may be followed by closing quotes or brackets: «Vraiment ?»
    let end = src.trim_end_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '”' | '’' | '»' | '«' | ')' | ']' | '」' | '』' | '）'
            )
    });
    if !end.ends_with(QUESTION_MARKS) {
        return None;
    }
    // Greek writes its question mark like a semicolon.
    let greek = primary(tgt_lang) == "el" && tgt.contains([';', '\u{37e}']);
    // Formal Japanese may end a question with the particle か and a full stop.
    let japanese = primary(tgt_lang) == "ja"
        && tgt
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '。' | '」' | '』' | '）'))
            .ends_with('か');
    if tgt.contains(QUESTION_MARKS) || greek || japanese {
        return None;
    }
    Some((
        "question_as_statement",
        format!(
            "the source is a question (\"{}\") but the target has no question mark",
            quote(end.trim(), 60)
        ),
    ))
}

/// Words that are legitimately written twice in a row ("that that", "nous nous", "die die").
const DOUBLE_OK: &[&str] = &[
    "that", "had", "is", "so", "very", "no", "yes", "ha", "bye", "knock", "well", "nous", "vous",
    "die", "der", "das", "sie", "es", "dat", "que", "si", "più", "muy", "da", "да", "нет", "все",
    "très",
];

/// Adjacent repeated words separated by whitespace only ("the, the" is a list, not a slip).
fn doubles(text: &str) -> Vec<(&str, &str)> {
    let toks = tokens(text);
    let mut out = Vec::new();
    for w in toks.windows(2) {
        let (a, b) = (w[0], w[1]);
        let between = &text[a.start + a.text.len()..b.start];
        if !between.chars().all(char::is_whitespace) || !a.text.chars().all(char::is_alphabetic) {
            continue;
        }
        if a.text.to_lowercase() != b.text.to_lowercase() {
            continue;
        }
        // The second is the start of a hyphenated word: "что что-то" (that something).
        if text[b.start + b.text.len()..].starts_with(['-', '\u{2010}']) {
            continue;
        }
        out.push((a.text, b.text));
    }
    out
}

fn doubled_words(src: &str, tgt: &str) -> Vec<(&'static str, String)> {
    // A source that repeats a word for emphasis ("very very") licenses the target to do so.
    if !doubles(src).is_empty() {
        return Vec::new();
    }
    doubles(tgt)
        .into_iter()
        // Names written twice ("Bora Bora", "Duran Duran") are capitalised both times.
        .filter(|(a, b)| {
            !b.chars().next().is_some_and(char::is_uppercase)
                && !DOUBLE_OK.contains(&a.to_lowercase().as_str())
        })
        .map(|(a, b)| {
            (
                "doubled_word",
                format!("doubled word in the target: \"{a} {b}\""),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, sl: &str, tgt: &str, tl: &str) -> Vec<Finding> {
        crate::checks::testing::run(&Punctuation, src, sl, tgt, tl, 3.0)
    }

    fn message(src: &str, sl: &str, tgt: &str, tl: &str) -> Option<String> {
        let f = run(src, sl, tgt, tl);
        assert!(
            f.iter().all(|f| f.severity == Severity::Warning),
            "never an error"
        );
        f.first().map(|f| f.message.clone())
    }

    #[test]
    fn unbalanced_bracket_in_target() {
        let m = message(
            "The plant (in Sohar) opened.",
            "en",
            "Die Anlage (in Sohar eröffnete.",
            "de",
        )
        .unwrap();
        assert_eq!(m, "unbalanced () in the target: 1 opening, 0 closing");
    }

    #[test]
    fn unbalanced_quotes_in_target() {
        let m = message(
            "She said: “It is a guarantee.”",
            "en",
            "Sie sagte: „Es ist eine Garantie.",
            "de",
        )
        .unwrap();
        assert!(m.contains("unbalanced quotation marks"), "{m}");
    }

    #[test]
    fn quote_styles_that_differ_but_balance_are_fine() {
        assert_eq!(
            message(
                "She said: “It is a guarantee.”",
                "en",
                "Sie sagte: „Es ist eine Garantie.“",
                "de"
            ),
            None
        );
        assert_eq!(
            message("She said: “Yes.”", "en", "Elle a dit : « Oui. »", "fr"),
            None
        );
        assert_eq!(
            message("She said: \"Yes.\"", "en", "他说：“是的。”", "zh"),
            None
        );
        assert_eq!(message("See (a)", "en", "参见（a）", "zh"), None);
    }

    #[test]
    fn brackets_unbalanced_in_the_source_too_are_not_blamed_on_the_target() {
        assert_eq!(
            message("a) first option", "en", "a) erste Option", "de"),
            None
        );
    }

    #[test]
    fn question_turned_statement() {
        let m = message(
            "But will this increase be enough?",
            "en",
            "Mais cette augmentation suffira.",
            "fr",
        )
        .unwrap();
        assert!(
            m.starts_with("the source is a question (\"But will this increase be enough?\")"),
            "{m}"
        );
        assert!(message(
            "لكن هل ستكفي هذه الزيادة؟",
            "ar",
            "But will this increase be enough.",
            "en"
        )
        .is_some());
    }

    #[test]
    fn questions_kept_as_questions_are_fine() {
        assert_eq!(
            message(
                "But will this increase be enough?",
                "en",
                "¿Pero bastará este aumento?",
                "es"
            ),
            None
        );
        assert_eq!(message("Really?»", "fr", "真的吗？", "zh"), None);
        assert_eq!(message("Is it enough?", "en", "Είναι αρκετό;", "el"), None);
    }

    #[test]
    fn doubled_word_in_target() {
        let m = message(
            "The plant opened.",
            "en",
            "Die Anlage wurde wurde eröffnet.",
            "de",
        )
        .unwrap();
        assert_eq!(m, "doubled word in the target: \"wurde wurde\"");
    }

    #[test]
    fn german_es_es_is_grammar_not_a_doubled_word() {
        // TED en-de, rated without a major error: "…, so wie es es schon immer getan hat."
        assert_eq!(
            message(
                "It smells as it always has.",
                "en",
                "Sie riecht, so wie es es schon immer getan hat.",
                "de"
            ),
            None
        );
    }

    #[test]
    fn legitimate_repetitions_are_fine() {
        assert_eq!(
            message("We met.", "en", "Nous nous sommes rencontrés.", "fr"),
            None
        );
        assert_eq!(
            message(
                "He said that that was wrong.",
                "en",
                "He said that that was wrong.",
                "en"
            ),
            None
        );
        assert_eq!(
            message(
                "He flew to Bora Bora.",
                "en",
                "Er flog nach Bora Bora.",
                "de"
            ),
            None
        );
        assert_eq!(
            message(
                "Die Frau, die die Regierung leitet.",
                "de",
                "The woman who leads the government.",
                "en"
            ),
            None
        );
        assert_eq!(
            message("它们天天看看。", "zh", "They look every day.", "en"),
            None
        );
        assert_eq!(
            message("very very good", "en", "sehr sehr gut", "de"),
            None,
            "the source repeats a word too"
        );
    }

    // --- Seven-language coverage: ar, zh, ja, de, fr, ru, hi -----------------------------------

    #[test]
    fn japanese_corner_brackets() {
        assert_eq!(
            message(
                "He said: “I will go tomorrow.”",
                "en",
                "彼は「明日行く」と言った。",
                "ja"
            ),
            None
        );
        let m = message(
            "He said: “I will go tomorrow.”",
            "en",
            "彼は「明日行くと言った。",
            "ja",
        )
        .unwrap();
        assert_eq!(m, "unbalanced 「」 in the target: 1 opening, 0 closing");
    }

    #[test]
    fn japanese_question_ending_in_ka_is_a_question() {
        // Formal Japanese often ends a question with か and a full stop.
        assert_eq!(
            message("Is this enough?", "en", "これで十分ですか。", "ja"),
            None
        );
        assert_eq!(
            message("Is this enough?", "en", "これで十分ですか？", "ja"),
            None
        );
        assert!(message("Is this enough?", "en", "これで十分です。", "ja").is_some());
    }

    #[test]
    fn chinese_question_without_mark_is_flagged() {
        assert!(message("Is this enough?", "en", "这就够了。", "zh").is_some());
        assert_eq!(message("Is this enough?", "en", "这够吗？", "zh"), None);
    }

    #[test]
    fn russian_slips_and_guillemets() {
        assert_eq!(
            message(
                "He arrived in Moscow.",
                "en",
                "Он приехал в в Москву.",
                "ru"
            ),
            Some("doubled word in the target: \"в в\"".to_string())
        );
        assert_eq!(
            message("She said: “Yes.”", "en", "Она сказала: «Да».", "ru"),
            None
        );
        assert!(message("She said: “Yes.”", "en", "Она сказала: «Да.", "ru").is_some());
        assert!(message("Is this enough?", "en", "Этого достаточно.", "ru").is_some());
        assert_eq!(
            message("Is this enough?", "en", "Этого достаточно?", "ru"),
            None
        );
        // Hyphenated reduplication is one word.
        assert_eq!(
            message(
                "She came a little later.",
                "en",
                "Она пришла чуть-чуть позже.",
                "ru"
            ),
            None
        );
    }

    #[test]
    fn russian_chto_before_chto_to_is_not_a_doubled_word() {
        // "что что-то": the conjunction followed by the pronoun "что-то" (something).
        assert_eq!(
            message(
                "I know that something is wrong.",
                "en",
                "Я знаю, что что-то не так.",
                "ru"
            ),
            None
        );
    }

    #[test]
    fn hindi_brackets_and_questions() {
        assert!(message(
            "The plant (in Delhi) opened.",
            "en",
            "संयंत्र (दिल्ली में शुरू हुआ।",
            "hi"
        )
        .is_some());
        assert_eq!(
            message(
                "The plant (in Delhi) opened.",
                "en",
                "संयंत्र (दिल्ली में) शुरू हुआ।",
                "hi"
            ),
            None
        );
        assert_eq!(
            message("Is this enough?", "en", "क्या यह पर्याप्त है?", "hi"),
            None
        );
        assert!(message("Is this enough?", "en", "यह पर्याप्त है।", "hi").is_some());
    }

    #[test]
    fn hindi_reduplication_is_not_a_doubled_word() {
        // Hindi repeats words to mean "gradually", "again and again", "various":
        // धीरे धीरे, बार बार, अलग अलग. Doubled words are not checked in Hindi.
        for (src, tgt) in [
            ("He walks slowly.", "वह धीरे धीरे चलता है।"),
            ("He called again and again.", "उसने बार बार फोन किया।"),
            ("People came from various cities.", "अलग अलग शहरों से लोग आए।"),
        ] {
            assert_eq!(message(src, "en", tgt, "hi"), None, "{tgt}");
        }
    }

    #[test]
    fn arabic_question_mark_guillemets_and_doubled_words() {
        assert_eq!(message("Is this enough?", "en", "هل هذا كافٍ؟", "ar"), None);
        assert!(message("Is this enough?", "en", "هل هذا كافٍ.", "ar").is_some());
        assert!(message(
            "He said: “It is a guarantee.”",
            "en",
            "قال: «هذا ضمان.",
            "ar"
        )
        .is_some());
        assert_eq!(
            message(
                "He said: “It is a guarantee.”",
                "en",
                "قال: «هذا ضمان».",
                "ar"
            ),
            None
        );
        assert_eq!(
            message(
                "The plant opened in Sohar.",
                "en",
                "افتتحت المحطة في في صحار.",
                "ar"
            ),
            Some("doubled word in the target: \"في في\"".to_string())
        );
    }

    #[test]
    fn french_spaced_question_mark_and_german_quotes() {
        assert_eq!(message("Really?", "en", "Vraiment ?", "fr"), None);
        assert_eq!(
            message("Ist das genug?", "de", "Est-ce suffisant\u{202f}?", "fr"),
            None
        );
        assert!(message("Ist das genug?", "de", "C'est suffisant.", "fr").is_some());
        assert!(message("Elle a dit : « Oui. »", "fr", "Sie sagte: „Ja.", "de").is_some());
    }
}
