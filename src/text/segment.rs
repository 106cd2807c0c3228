//! Paragraph and sentence segmentation with byte offsets and line numbers, for Latin, Cyrillic,
//! Greek, Arabic, Hebrew, Devanagari and CJK text.
//!
//! Rules, in order: blank lines end paragraphs; a line break ends a sentence unless the paragraph
//! is hard-wrapped prose; `。！？` end a sentence with no space after them; `. ! ? … ؟ ۔ । ॥` end one
//! when followed by whitespace and a character that can start a sentence, unless the word before a
//! full stop is an abbreviation, an initial or (in languages that write ordinals with a dot) a number.

use serde::Serialize;

/// One sentence of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// The sentence with runs of whitespace (line breaks included) collapsed to one space.
    pub text: String,
    /// Byte range in the input text: `&input[start..end]` is the sentence as written.
    pub start: usize,
    pub end: usize,
    /// 1-based line of the sentence's first character.
    pub line: usize,
    /// 0-based paragraph index.
    pub paragraph: usize,
}

/// Abbreviations after which a full stop does not end a sentence (lower case, without the dot).
/// Titles and Latin forms are shared across languages; entries with inner dots match the whole
/// token (`e.g`, `z.b`, `u.s`).
const ABBREVIATIONS: &[&str] = &[
    // English
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gen", "col", "capt", "lt", "sgt", "st", "mt",
    "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "no", "nos", "vol",
    "pp", "fig", "approx", "cf", "al", "inc", "co", "ltd", "corp", "dept", "est", "gov", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue",
    "wed", "thu", "fri", "sat", "sun", "ave", "blvd", "rd", "hon", "rev", "gov", "ph.d", "min",
    "max", // German
    "z.b", "z", "b", "d.h", "u.a", "usw", "bzw", "ca", "vgl", "nr", "abs", "art", "hr", "fr",
    "dipl", "ing", "evtl", "ggf", "inkl", "bzgl", "sog", "mio", "mrd", "tel", "str", "s", "u",
    "o.ä", "z.t", // French, Spanish, Italian, Portuguese
    "m", "mm", "mme", "mlle", "me", "sra", "sres", "srta", "dña", "d", "av", "pág", "núm", "dott",
    "sig", "sig.ra", "ecc", "pag", "cap", "p.ex", "ex", "env", // Russian, Polish
    "г", "гг", "т.е", "т.д", "т.п", "им", "ул", "стр", "см", "тыс", "млн", "млрд", "ok", "np",
    "tzn", "ul", "tj", "prof", "mgr", "inż",
];

/// Languages that write ordinal numbers with a full stop ("7. März"), so "7. " does not end a
/// sentence.
const ORDINAL_DOT_LANGS: &[&str] = &[
    "de", "da", "nb", "nn", "no", "fi", "cs", "sk", "pl", "hu", "hr", "sl", "sr", "bs", "et", "lv",
    "lt", "is", "tr",
];

fn is_cjk_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡')
}

fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | '؟' | '۔' | '।' | '॥' | '‼' | '⁇' | '⁈' | '⁉'
    ) || is_cjk_terminator(c)
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〉'
            | '》'
            | '〕'
            | '］'
            | '＂'
            | '｣'
    )
}

/// Splits `text` into sentences. `lang` (a BCP 47 code, may be empty) selects language rules.
pub fn split(text: &str, lang: &str) -> Vec<Sentence> {
    let lang = super::lang::primary(lang);
    let ordinal_dot = ORDINAL_DOT_LANGS.contains(&lang.as_str());
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);

    let mut out = Vec::new();
    for (paragraph, (p_start, p_end)) in paragraphs(text).into_iter().enumerate() {
        let para = &text[p_start..p_end];
        let wrapped = is_hard_wrapped(para);
        for (b_start, b_end) in blocks(para, wrapped) {
            for (s, e) in sentence_spans(&para[b_start..b_end], ordinal_dot) {
                let (start, end) = (p_start + b_start + s, p_start + b_start + e);
                let raw = &text[start..end];
                if !raw.chars().any(char::is_alphanumeric) {
                    continue; // separators such as "***" or "—" carry nothing to align
                }
                out.push(Sentence {
                    text: collapse_whitespace(raw),
                    start,
                    end,
                    line: line_of(start),
                    paragraph,
                });
            }
        }
    }
    out
}

/// Byte ranges of paragraphs: runs of non-blank lines.
pub fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (true, Some(s)) => {
                out.push((s, offset));
                start = None;
            }
            (false, None) => start = Some(offset),
            _ => {}
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out.into_iter()
        .map(|(s, e)| trim_span(text, s, e))
        .filter(|(s, e)| s < e)
        .collect()
}

/// Hard-wrapped prose: several lines of similar, moderate length, some ending mid-sentence.
fn is_hard_wrapped(para: &str) -> bool {
    let lines: Vec<&str> = para.lines().map(str::trim).collect();
    if lines.len() < 2 {
        return false;
    }
    let body = &lines[..lines.len() - 1];
    let lens: Vec<usize> = body.iter().map(|l| l.chars().count()).collect();
    let longest = lens.iter().copied().max().unwrap_or(0);
    let open_ended = body
        .iter()
        .filter(|l| !l.ends_with(|c: char| is_terminator(c) || is_closing(c) || c == ':'))
        .count();
    longest <= 110 && lens.iter().all(|&l| l * 10 >= longest * 6 && l >= 30) && open_ended > 0
}

/// Spans of a paragraph between hard breaks (every line break unless the paragraph is wrapped).
fn blocks(para: &str, wrapped: bool) -> Vec<(usize, usize)> {
    if wrapped {
        return vec![(0, para.len())];
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for line in para.split_inclusive('\n') {
        let (s, e) = trim_span(para, offset, offset + line.len());
        if s < e {
            out.push((s, e));
        }
        offset += line.len();
    }
    out
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

/// Sentence byte ranges within one block of text.
fn sentence_spans(block: &str, ordinal_dot: bool) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = block.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !is_terminator(c) {
            i += 1;
            continue;
        }
        // Take the whole run of terminators ("?!", "...") and closing quotes/brackets.
        let mut j = i + 1;
        while j < chars.len() && is_terminator(chars[j].1) {
            j += 1;
        }
        while j < chars.len() && is_closing(chars[j].1) {
            j += 1;
        }
        let end_byte = chars.get(j).map_or(block.len(), |&(b, _)| b);
        // A CJK terminator, or a Latin one run straight into CJK text ("compulsory.高等教育…").
        // The Latin sentence may end in a quote or bracket ("a “technical committee”.技術…").
        let before = chars[..i]
            .iter()
            .rev()
            .map(|&(_, c)| c)
            .find(|&c| !is_closing(c));
        let glued_to_cjk = chars.get(j).is_some_and(|&(_, c)| super::is_wide_char(c))
            && before.is_some_and(char::is_alphanumeric);
        let cjk = glued_to_cjk || chars[i..j].iter().any(|&(_, c)| is_cjk_terminator(c));
        let boundary = if j >= chars.len() || cjk {
            true
        } else {
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            // French puts a space before a closing guillemet: « Oui. » Il …
            let mut end_byte = end_byte;
            if k > j && k < chars.len() && matches!(chars[k].1, '»' | '›') {
                k += 1;
                end_byte = chars.get(k).map_or(block.len(), |&(b, _)| b);
                while k < chars.len() && chars[k].1.is_whitespace() {
                    k += 1;
                }
            }
            if k == j || k >= chars.len() {
                k >= chars.len() && k > j
            } else if ends_sentence(&chars, start, i, j - i, chars[k].1, ordinal_dot) {
                out.push((start, end_byte));
                start = chars[k].0;
                i = k;
                continue;
            } else {
                false
            }
        };
        if boundary {
            out.push((start, end_byte));
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            start = chars.get(k).map_or(block.len(), |&(b, _)| b);
            i = k;
        } else {
            i = j;
        }
    }
    if start < block.len() {
        let (s, e) = trim_span(block, start, block.len());
        if s < e {
            out.push((s, e));
        }
    }
    out
}

/// Decides a boundary at the terminator run starting at char `i` (`run` terminators long), given
/// the next non-space character `next`.
fn ends_sentence(
    chars: &[(usize, char)],
    start: usize,
    i: usize,
    run: usize,
    next: char,
    ordinal_dot: bool,
) -> bool {
    if next.is_lowercase() {
        return false; // "e.g. the", "... and then", "Dr. med."
    }
    let c = chars[i].1;
    if c != '.' || run > 1 {
        return true;
    }
    // The word before the full stop, back to whitespace or an opening bracket/quote.
    let mut w = i;
    while w > 0
        && chars[w - 1].0 >= start
        && !chars[w - 1].1.is_whitespace()
        && !matches!(chars[w - 1].1, '(' | '[' | '"' | '«' | '“' | '„')
    {
        w -= 1;
    }
    let word: String = chars[w..i]
        .iter()
        .map(|&(_, c)| c)
        .collect::<String>()
        .to_lowercase();
    if word.is_empty() {
        return true;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() == 1 && word.chars().count() <= 2 && word.chars().all(|c| c.is_alphabetic()) {
        return false; // an initial: "J. K. Rowling", "M. Macron"
    }
    if ABBREVIATIONS.contains(&word.as_str()) {
        return false;
    }
    // Dotted acronyms "U.S." / "z.B.": every part a single letter.
    if word.contains('.')
        && word.split('.').all(|p| p.chars().count() <= 2)
        && !word.chars().any(|c| c.is_numeric())
    {
        return false;
    }
    if ordinal_dot && word.chars().all(|c| c.is_ascii_digit()) && word.len() <= 3 {
        return false; // "am 7. März"
    }
    true
}

/// Collapses runs of whitespace to single spaces and trims.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str, lang: &str) -> Vec<String> {
        split(t, lang).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn english_abbreviations_decimals_and_quotes() {
        let t = "Mr. Smith paid $3.14 for v2.0 of the app. \"It works,\" he said. The U.S. team won! Did it? Yes... mostly.";
        assert_eq!(
            texts(t, "en"),
            vec![
                "Mr. Smith paid $3.14 for v2.0 of the app.",
                "\"It works,\" he said.",
                "The U.S. team won!",
                "Did it?",
                "Yes... mostly."
            ]
        );
    }

    #[test]
    fn closing_quote_after_full_stop_stays_with_its_sentence() {
        assert_eq!(
            texts("He said \"no.\" Then he left.", "en"),
            vec!["He said \"no.\"", "Then he left."]
        );
        assert_eq!(
            texts("(See below.) Next one.", "en"),
            vec!["(See below.)", "Next one."]
        );
    }

    #[test]
    fn german_abbreviations_and_ordinals() {
        let t = "Am 7. März kommt z. B. Dr. Meier. Der Preis beträgt 3,5 Mio. Euro. Das ist gut.";
        assert_eq!(
            texts(t, "de"),
            vec![
                "Am 7. März kommt z. B. Dr. Meier.",
                "Der Preis beträgt 3,5 Mio. Euro.",
                "Das ist gut."
            ]
        );
    }

    #[test]
    fn arabic_question_mark_and_full_stop() {
        let t = "هل تكفي المحطة؟ يقول الخبراء إنها لا تكفي. وأضاف الوزير، في بيان، أن العمل مستمر.";
        assert_eq!(split(t, "ar").len(), 3);
    }

    #[test]
    fn cjk_terminators_need_no_space() {
        let t = "東京で会議が開かれた。「参加者は三十人だ。」と彼は言った！本当か？";
        assert_eq!(
            texts(t, "ja"),
            vec![
                "東京で会議が開かれた。",
                "「参加者は三十人だ。」",
                "と彼は言った！",
                "本当か？"
            ]
        );
    }

    #[test]
    fn latin_sentence_run_into_cjk_text_is_split() {
        assert_eq!(
            texts(
                "Elementary education shall be compulsory.高等教育应平等开放。",
                "zh"
            ),
            vec![
                "Elementary education shall be compulsory.",
                "高等教育应平等开放。"
            ]
        );
        assert_eq!(split("版本3.5发布了。", "zh").len(), 1);
        // An untranslated sentence ending in a quote, glued to the Japanese that follows it.
        assert_eq!(
            texts(
                "The constitution also defines a “technical committee”.技術委員会の役割は決裁です。",
                "ja"
            ),
            vec![
                "The constitution also defines a “technical committee”.",
                "技術委員会の役割は決裁です。"
            ]
        );
    }

    #[test]
    fn devanagari_danda() {
        assert_eq!(split("यह पहला वाक्य है। यह दूसरा है।", "hi").len(), 2);
    }

    #[test]
    fn headline_without_punctuation_is_its_own_sentence() {
        let t = "Port expansion opens\nThe new quay opened on Monday. It cost $30 million.\n\nSecond paragraph here.";
        let s = split(t, "en");
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].text, "Port expansion opens");
        assert_eq!((s[1].line, s[3].line, s[3].paragraph), (2, 4, 1));
    }

    #[test]
    fn hard_wrapped_lines_are_joined() {
        let t = "This manual page describes the program and the options that it accepts when\nit is started from a shell, together with the files it reads at start-up.\nA second sentence follows.";
        let s = split(t, "en");
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].text.contains("accepts when it is started"));
    }

    #[test]
    fn spans_point_back_into_the_input() {
        let t = "Erste Zeile.\r\nZweite Zeile!  Dritte?\n\n  Vierte.";
        for s in split(t, "de") {
            assert_eq!(collapse_whitespace(&t[s.start..s.end]), s.text);
        }
    }

    #[test]
    fn french_guillemets_with_inner_space() {
        assert_eq!(
            texts("Il a dit « Oui. » Puis il est parti.", "fr"),
            vec!["Il a dit « Oui. »", "Puis il est parti."]
        );
    }

    #[test]
    fn separators_without_letters_are_dropped() {
        assert_eq!(texts("One.\n\n***\n\nTwo.", "en"), vec!["One.", "Two."]);
    }
}
