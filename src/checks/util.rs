//! Text helpers shared by the rule checks: word tokens with offsets, the script of a character
//! and of a text, the script a language is written in, related-language groups, and a
//! normalised edit similarity.

use crate::text::lang::primary;

/// Writing systems the checks need to tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Thai,
    Hangul,
    /// Hiragana and katakana: only Japanese uses them.
    Kana,
    /// Chinese characters (also Japanese kanji).
    Han,
    Other,
}

/// The script of a letter; `None` for digits, punctuation, spaces and symbols.
pub fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        // 〇 and 々 are not alphabetic in Unicode but are written inside Han words.
        return matches!(c, '〇' | '々').then_some(Script::Han);
    }
    let u = c as u32;
    Some(match u {
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFF21..=0xFF5A => {
            Script::Latin
        }
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0900..=0x097F => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => Script::Han,
        _ => Script::Other,
    })
}

/// True for characters of scripts written without spaces between words (Han, kana, Thai); one
/// such character carries about a word.
pub fn is_cjk_char(c: char) -> bool {
    matches!(
        script_of(c),
        Some(Script::Han | Script::Kana | Script::Thai)
    )
}

/// The script most letters of `text` are in, with its share of all letters (0-1).
pub fn dominant_script(text: &str) -> Option<(Script, f64)> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    let mut total = 0usize;
    for s in text.chars().filter_map(script_of) {
        // Japanese mixes kanji and kana: count both as one system so it is not "mixed".
        let s = if s == Script::Kana { Script::Han } else { s };
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    let (s, n) = counts.into_iter().max_by_key(|&(_, n)| n)?;
    Some((s, n as f64 / total as f64))
}

/// The script a language is normally written in (by primary subtag); Latin for unknown codes.
pub fn lang_script(lang: &str) -> Script {
    match primary(lang).as_str() {
        "ar" | "fa" | "ur" | "ps" | "ug" | "ckb" | "sd" => Script::Arabic,
        "ru" | "uk" | "bg" | "be" | "mk" | "kk" | "ky" | "mn" | "tg" | "sr" => Script::Cyrillic,
        "el" => Script::Greek,
        "he" | "yi" => Script::Hebrew,
        "hi" | "mr" | "ne" | "sa" => Script::Devanagari,
        "th" => Script::Thai,
        "ko" => Script::Hangul,
        "zh" | "ja" => Script::Han,
        "und" | "" => Script::Other,
        _ => Script::Latin,
    }
}

/// Groups of languages a trigram identifier confuses on single sentences, and that translators
/// legitimately mix (a Galician name in a Spanish text). A confusion inside a group is never an
/// error.
const RELATED: &[&[&str]] = &[
    &["no", "nb", "nn", "da", "sv"],
    &["es", "pt", "gl", "ca"],
    &["hr", "sr", "bs", "sl", "mk"],
    &["ms", "id"],
    &["zh", "ja"],
    &["cs", "sk"],
    &["ru", "uk", "be", "bg"],
    &["hi", "mr", "ne"],
    &["nl", "af"],
    &["fa", "ur", "ar"],
];

/// True when `a` and `b` are the same language or closely related (see `RELATED`).
pub fn related(a: &str, b: &str) -> bool {
    let (a, b) = (primary(a), primary(b));
    a == b
        || RELATED
            .iter()
            .any(|g| g.contains(&a.as_str()) && g.contains(&b.as_str()))
}

/// Whether a word after `before` (the text before it) opens a clause or a quotation: nothing
/// or a sentence end, colon, quotation mark, bracket or dash precedes it. A capital there says
/// nothing about a name.
pub fn opens_clause(before: &str) -> bool {
    let before = before.trim_end();
    before.is_empty()
        || before.ends_with([
            '.', '!', '?', ':', '"', '“', '«', '„', '(', '-', '—', '\'', '‘', '¿', '¡',
        ])
}

/// A word: a maximal run of letters, digits and marks, with its byte offset in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
}

impl Token<'_> {
    /// Starts with an upper-case letter (only bicameral scripts have one).
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
    pub fn has_letters(&self) -> bool {
        self.text.chars().any(char::is_alphabetic)
    }
}

fn is_word_char(c: char) -> bool {
    // Combining marks (Arabic harakat, Devanagari vowel signs) stay inside their word.
    c.is_alphanumeric()
        || matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x0900..=0x0903 | 0x093A..=0x094F)
}

/// Words of `text`: runs of letters, digits and combining marks. Apostrophes and hyphens split
/// words ("l'eau" → "l", "eau"), which is what the rules that compare words want.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Token {
                    text: &text[s..i],
                    start: s,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &text[s..],
            start: s,
        });
    }
    out
}

/// Levenshtein distance over characters, normalised to a similarity in 0-1 (1 = identical).
pub fn edit_similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

/// Two spellings of one word allowing inflection and transliteration: a common beginning of three
/// letters, or half of the letters in place. Case is the caller's to fold.
pub fn similar_spelling(a: &str, b: &str) -> bool {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count() >= 3
        || edit_similarity(a, b) >= 0.5
}

/// Common shell commands that start a copied command line.
const COMMANDS: &[&str] = &[
    "apt",
    "apt-get",
    "aptitude",
    "dpkg",
    "sudo",
    "su",
    "git",
    "cargo",
    "npm",
    "pip",
    "pip3",
    "make",
    "cmake",
    "cd",
    "ls",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "chmod",
    "chown",
    "systemctl",
    "service",
    "curl",
    "wget",
    "python",
    "python3",
    "docker",
    "kubectl",
    "ssh",
    "scp",
    "tar",
    "grep",
    "sed",
    "awk",
    "cat",
    "echo",
    "export",
    "yum",
    "dnf",
    "brew",
    "man",
    "mount",
    "umount",
];

/// Text that is code, a command or a path rather than prose: most of its tokens carry code
/// punctuation ("apt-get install -y libssl-dev", "x = f(y);", "/etc/ssh/sshd_config").
pub fn looks_like_code(text: &str) -> bool {
    let toks: Vec<&str> = text.split_whitespace().collect();
    if toks.is_empty() {
        return false;
    }
    // Bare punctuation ("(" in "Unmatched ( or \\(") is neither code nor prose.
    let worded: Vec<&&str> = toks
        .iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .collect();
    let codey = worded
        .iter()
        .filter(|t| {
            // Words in brackets are prose: "Date (without time)"; "f(x)" and "main()" are code.
            let inner = t
                .trim_end_matches(['.', ',', ':', ';', '!', '?'])
                .trim_start_matches(['(', '['])
                .trim_end_matches([')', ']']);
            inner.contains([
                '/', '_', '=', '(', ')', '{', '}', '[', ']', '<', '>', '$', '\\', '|', '`',
            ]) || inner.starts_with('-')
                || inner.contains("::")
                || inner.trim_matches('.').contains('.')
                    && !inner.chars().any(char::is_whitespace)
                    && inner.chars().any(|c| c.is_ascii_lowercase())
        })
        .count();
    let first = toks[0];
    let prompt =
        matches!(first, "$" | "#" | ">" | "%") || first.ends_with('$') || first.ends_with('#');
    // A command line copied into the text starts with the command.
    let command =
        COMMANDS.contains(&first) && toks.len() >= 2 && !text.trim_end().ends_with(['.', '!', '?']);
    prompt || command || codey * 2 >= worded.len()
}

/// Removes from both lists the items they share, as multisets (each item of `a` cancels at most
/// one equal item of `b`); what is left keeps its order.
pub fn drop_common<T>(a: &mut Vec<T>, b: &mut Vec<T>, same: impl Fn(&T, &T) -> bool) {
    let mut k = 0;
    while k < a.len() {
        if let Some(j) = b.iter().position(|y| same(&a[k], y)) {
            b.remove(j);
            a.remove(k);
        } else {
            k += 1;
        }
    }
}

pub use crate::util::round3;

/// "sentence 3" or "sentences 3-4" for a range of sentence indices, as messages name them.
pub fn describe(r: &std::ops::Range<usize>) -> String {
    if r.len() == 1 {
        format!("sentence {}", r.start + 1)
    } else {
        format!("sentences {}-{}", r.start + 1, r.end)
    }
}

/// Shortens `s` to at most `max` characters for quoting in a message.
pub fn quote(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_letters_and_texts() {
        assert_eq!(script_of('é'), Some(Script::Latin));
        assert_eq!(script_of('ж'), Some(Script::Cyrillic));
        assert_eq!(script_of('ب'), Some(Script::Arabic));
        assert_eq!(script_of('の'), Some(Script::Kana));
        assert_eq!(script_of('7'), None);
        let (s, share) = dominant_script("東京で会議が開かれた").unwrap();
        assert_eq!(s, Script::Han);
        assert!(share > 0.99, "kana and kanji count as one system");
    }

    #[test]
    fn tokens_keep_offsets_and_split_on_apostrophes() {
        let t = tokens("l'eau, 3,5 Mio.");
        let words: Vec<&str> = t.iter().map(|t| t.text).collect();
        assert_eq!(words, vec!["l", "eau", "3", "5", "Mio"]);
        assert_eq!(t[1].start, 2);
    }

    #[test]
    fn edit_similarity_bounds() {
        assert_eq!(edit_similarity("abc", "abc"), 1.0);
        assert_eq!(edit_similarity("", "abc"), 0.0);
        assert!((edit_similarity("kitten", "sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-9);
    }

    #[test]
    fn code_and_prose() {
        assert!(looks_like_code("apt-get install -y libssl-dev"));
        assert!(looks_like_code("$ ls /etc/ssh"));
        assert!(looks_like_code("x = f(y);"));
        assert!(!looks_like_code("The plant opened on Tuesday in Sohar."));
        assert!(!looks_like_code("Date (without time)"));
        assert!(!looks_like_code("Unmatched ( or \\("));
        assert!(looks_like_code("call main() then exit(1)"));
        assert!(!looks_like_code(
            "Die Anlage wurde am Dienstag eröffnet, z.B. in Sohar."
        ));
    }

    #[test]
    fn related_languages() {
        assert!(related("pt-BR", "es") && related("zh-CN", "ja") && related("de", "de-AT"));
        assert!(!related("en", "de"));
    }
}
