//! Names and codes a translation carries over unchanged ("Linux", "GPG", "SMTP", "Falcot"), and
//! one of them moved into the wrong sentence: a target sentence that names what its source does
//! not, but another sentence of the source document does, while a name of its own source is
//! missing ("DNS servers" → "Linux サーバ"). Read from the texts, anchored by the document.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::util::{lang_script, opens_clause, script_of, Script};
use super::PairContext;
use crate::text::lang::primary;
use crate::text::Sentence;

/// A word written in Latin letters, digits and inner joiners ("GPL-2", "GRUB_CMDLINE_LINUX",
/// "Ctrl-R"), with its byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
    /// Part of a path, a call, an address or a placeholder ("etc" of "/etc/hosts", "TCP" of
    /// "TCP/UDP"): not compared, but a sentence elsewhere may name it alone.
    pub code: bool,
}

/// Characters that join the parts of one identifier when letters or digits stand on both sides.
const JOINERS: &[char] = &['-', '_', '.', '+', '\''];
/// Next to these a word is part of a path, a call, an address or a placeholder, which the
/// verbatim comparisons of `entities` read.
const BEFORE_CODE: &[char] = &['/', '\\', '@', '#', '$', '%', '<', '{', '~'];
const AFTER_CODE: &[char] = &['/', '\\', '(', '@', '{'];

fn latin_letter(c: char) -> bool {
    script_of(c) == Some(Script::Latin)
}

fn word_char(c: char) -> bool {
    latin_letter(c) || c.is_ascii_digit()
}

/// The Latin-script words of `text` (starting with a letter), those next to code marked.
fn scan(text: &str) -> Vec<Carried<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        if !word_char(c) {
            k += 1;
            continue;
        }
        let mut end = k + 1;
        loop {
            while end < chars.len() && word_char(chars[end].1) {
                end += 1;
            }
            let joined = end + 1 < chars.len()
                && JOINERS.contains(&chars[end].1)
                && word_char(chars[end + 1].1);
            if !joined {
                break;
            }
            end += 1;
        }
        let stop = chars.get(end).map_or(text.len(), |&(i, _)| i);
        let before = k.checked_sub(1).map(|p| chars[p].1);
        let after = chars.get(end).map(|&(_, c)| c);
        let code = before.is_some_and(|c| BEFORE_CODE.contains(&c))
            || after.is_some_and(|c| AFTER_CODE.contains(&c));
        if latin_letter(c) {
            out.push(Carried {
                text: &text[start..stop],
                range: start..stop,
                code,
            });
        }
        k = end;
    }
    out
}

/// The Latin-script words of `text` that are compared: not parts of paths or code.
fn words(text: &str) -> Vec<Carried<'_>> {
    scan(text).into_iter().filter(|w| !w.code).collect()
}

/// Whether `w` reads as a name or code in `text`: in a language not written in Latin letters any
/// Latin word of two letters or more does; in one that is, a word with a digit, an acronym
/// ("GPG", "IPv6"), or a capitalised word inside a clause, where the language capitalises only
/// names (German capitalises every noun).
fn name_like(w: &Carried, text: &str, lang: &str) -> bool {
    if w.text.chars().count() < 2 {
        return false;
    }
    if lang_script(lang) != Script::Latin {
        return true;
    }
    // An acronym has two capitals in one part: "GPG", "IPv6", "GPL-2", not "E-Mail".
    let acronym = w
        .text
        .split(JOINERS)
        .any(|p| p.chars().filter(|c| c.is_uppercase()).count() >= 2);
    if acronym || w.text.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    if matches!(primary(lang).as_str(), "de" | "lb") || !w.text.starts_with(char::is_uppercase) {
        return false;
    }
    !opens_clause(&text[..w.range.start])
}

/// The same carried word, allowing for case, a part of a compound ("RC" in "RC-bugs"), an
/// acronym inside a word ("VPN" in "OpenVPN"), a plural ("VGs") and an inflected ending.
fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.chars().filter(|c| c.is_uppercase()).count() >= 2 && long.contains(short) {
        return true;
    }
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    let parts = |w: &str| -> Vec<String> {
        w.split(JOINERS)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    if a == b || parts(&b).contains(&a) || parts(&a).contains(&b) {
        return true;
    }
    if a.trim_end_matches('s') == b.trim_end_matches('s') {
        return true;
    }
    let n = a.chars().count().min(b.chars().count());
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    (n >= 3 && common == n) || common >= (n.saturating_sub(2)).max(4)
}

/// Where each carried word of a document stands (its sentences, in order), whole and by the
/// parts its joiners separate ("Debian" of "Debian-Handbuch"): built once per document, so a
/// link asks in constant time what the rest of the document names.
#[derive(Debug, Default)]
pub struct CarriedIndex {
    at: HashMap<String, Vec<usize>>,
    /// Words that read as names somewhere in the document (inside a clause, an acronym) and that
    /// it never writes in lower case: such a word is a name at the start of a sentence too
    /// ("Postfix provides …").
    names: HashSet<String>,
}

impl CarriedIndex {
    /// The index of a document in language `lang`.
    pub fn new(sentences: &[Sentence], lang: &str) -> Self {
        let mut at: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names = HashSet::new();
        let mut lower = HashSet::new();
        for (i, s) in sentences.iter().enumerate() {
            for w in scan(&s.text) {
                // Code is indexed (a sentence elsewhere may name it) but read as no name.
                if !w.code && name_like(&w, &s.text, lang) {
                    names.insert(w.text.to_string());
                } else if !w.code && w.text.starts_with(char::is_lowercase) {
                    lower.insert(w.text.to_string());
                }
                let parts = w.text.split(JOINERS).filter(|p| *p != w.text);
                for key in std::iter::once(w.text).chain(parts) {
                    let list = at.entry(key.to_string()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        // A word the document also writes in lower case is a common word capitalised somewhere
        // ("You" after ":-)"), not a name.
        names.retain(|n| !lower.contains(&n.to_lowercase()));
        CarriedIndex { at, names }
    }

    /// The first sentence outside `skip` that has word `w` as written.
    fn first_outside(&self, w: &str, skip: &Range<usize>) -> Option<usize> {
        self.at.get(w)?.iter().copied().find(|i| !skip.contains(i))
    }
}

/// A name of the link's source the target does not have, and a name of the target its source
/// does not have but another sentence of the source document does (1-based, the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub source: String,
    pub source_range: Range<usize>,
    pub target: String,
    pub target_range: Range<usize>,
    pub elsewhere: usize,
}

/// Names carried into the target of `pair` from another sentence of the source document (its
/// `src_carried` index; none without one), each paired with a name of its own source the target
/// lacks, in order. `src` and `tgt` are the link's texts; words inside the ranges `skip_src` /
/// `skip_tgt` (names compared by what they stand for) are left out.
pub fn moved(
    pair: &PairContext,
    src: &str,
    tgt: &str,
    skip_src: &[Range<usize>],
    skip_tgt: &[Range<usize>],
) -> Vec<Moved> {
    let inside = |r: &Range<usize>, skip: &[Range<usize>]| {
        skip.iter().any(|s| s.start <= r.start && r.end <= s.end)
    };
    let Some(index) = pair.src_carried else {
        return Vec::new();
    };
    let (sw, tw) = (words(src), words(tgt));
    // Each name once, where it first stands.
    let (mut seen_new, mut seen_missing) = (HashSet::new(), HashSet::new());
    let elsewhere = |w: &str| index.first_outside(w, &pair.src_index).map(|i| i + 1);
    let new: Vec<(&Carried, usize)> = tw
        .iter()
        .filter(|w| name_like(w, tgt, pair.tgt_lang) && !inside(&w.range, skip_tgt))
        .filter(|w| !sw.iter().any(|s| same_word(s.text, w.text)))
        .filter(|w| seen_new.insert(w.text.to_string()))
        .filter_map(|w| Some((w, elsewhere(w.text)?)))
        .collect();
    if new.is_empty() {
        return Vec::new();
    }
    let missing = sw
        .iter()
        .filter(|w| {
            (name_like(w, src, pair.src_lang) || index.names.contains(w.text))
                && !inside(&w.range, skip_src)
        })
        .filter(|w| !tw.iter().any(|t| same_word(t.text, w.text)))
        .filter(|w| seen_missing.insert(w.text.to_string()));
    missing
        .zip(new)
        .map(|(a, (b, at))| Moved {
            source: a.text.to_string(),
            source_range: a.range.clone(),
            target: b.text.to_string(),
            target_range: b.range.clone(),
            elsewhere: at,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::sentence;
    use crate::checks::{LinkCheck, Severity};

    /// Link `at` (1-1) of a source document and a one-sentence target.
    fn pair<'a>(
        doc: &'a [crate::text::Sentence],
        index: &'a CarriedIndex,
        at: usize,
        tgt: &'a [crate::text::Sentence],
        tl: &'a str,
    ) -> PairContext<'a> {
        PairContext {
            src: &doc[at..at + 1],
            src_index: at..at + 1,
            tgt,
            tgt_index: at..at + 1,
            src_carried: Some(index),
            src_lang: "en",
            tgt_lang: tl,
            similarity: 0.9,
            z: 2.0,
        }
    }

    /// The moved names of a target sentence checked against the last sentence of `doc`.
    fn moved_into(doc: &[crate::text::Sentence], tgt: &str, tl: &str) -> Vec<Moved> {
        let (index, t) = (CarriedIndex::new(doc, "en"), [sentence(tgt)]);
        let at = doc.len() - 1;
        moved(&pair(doc, &index, at, &t, tl), &doc[at].text, tgt, &[], &[])
    }

    fn texts<'a>(ws: &'a [Carried<'a>]) -> Vec<&'a str> {
        ws.iter().map(|w| w.text).collect()
    }

    #[test]
    fn carried_words_keep_their_joiners_and_skip_paths_and_calls() {
        let w = words(
            "Set GRUB_CMDLINE_LINUX, press Ctrl-R, see /etc/hosts and strace(1) under GPL-2.",
        );
        assert_eq!(
            texts(&w),
            [
                "Set",
                "GRUB_CMDLINE_LINUX",
                "press",
                "Ctrl-R",
                "see",
                "and",
                "under",
                "GPL-2"
            ]
        );
        assert_eq!(texts(&words("この Linux サーバ")), ["Linux"]);
    }

    #[test]
    fn same_word_allows_compounds_acronyms_plurals_and_endings() {
        for (a, b) in [
            ("RC", "RC-bugs"),
            ("VPN", "OpenVPN"),
            ("VGs", "VG"),
            ("NAT", "NATing"),
            ("Debian", "debian"),
            ("Unix", "Unix-like"),
        ] {
            assert!(same_word(a, b), "{a} / {b}");
        }
        for (a, b) in [("DNS", "Linux"), ("Perl", "GPL-2"), ("GPG", "Debian")] {
            assert!(!same_word(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn a_name_moved_in_from_another_sentence_replaces_the_sources_name() {
        // Held-out meaning set: "DNS servers" became "Linux サーバ", a name the article uses
        // elsewhere; the sentence embedding barely moved.
        let doc = [
            sentence("Linux resolves host names in several ways."),
            sentence("This file is available even when DNS servers are unreachable."),
        ];
        let tgt = [sentence(
            "このファイルは Linux サーバに到達できない場合にも利用できます。",
        )];
        let m = moved_into(&doc, &tgt[0].text, "ja");
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].source.as_str(), m[0].target.as_str(), m[0].elsewhere),
            ("DNS", "Linux", 1)
        );
        let f = crate::checks::entities::Entities.run(&pair(
            &doc,
            &CarriedIndex::new(&doc, "en"),
            1,
            &tgt,
            "ja",
        ));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(
            crate::checks::testing::span_texts(&f[0]),
            (vec!["DNS"], vec!["Linux"])
        );
        // A name written twice is one moved name, not one for each name the source lacks.
        let doc2 = [
            sentence("Linux resolves host names in several ways."),
            sentence("It works even when DNS and NTP servers are unreachable."),
        ];
        let m = moved_into(
            &doc2,
            "Linux サーバと Linux の時刻サーバに到達できなくても動作します。",
            "ja",
        );
        assert_eq!(m.len(), 1, "{m:?}");
    }

    #[test]
    fn a_name_that_starts_its_sentence_is_still_a_name_the_document_knows() {
        // Held-out meaning set (en-ar): "Postfix provides such a customization …" became
        // "يقدم Sendmail …"; "Postfix" opens the sentence, but the document names it inside a
        // sentence elsewhere, and "TCP" of "TCP/UDP" is a word the index knows.
        let doc = [
            sentence("Milters were introduced by Sendmail, but Postfix soon followed suit."),
            sentence("Postfix provides such a customization of filters."),
        ];
        let m = moved_into(&doc, "يقدم Sendmail ميزة تخصيص للمرشحات.", "ar");
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].source.as_str(), m[0].target.as_str()),
            ("Postfix", "Sendmail")
        );
        let ports = [sentence("Similarly, TCP/UDP ports are labeled.")];
        assert_eq!(
            CarriedIndex::new(&ports, "en").first_outside("TCP", &(5..6)),
            Some(0)
        );
        // "Milters" opens its sentence and is a name nowhere in the document; "You" is one
        // after ":-)", but the document also writes "you" (meaning set, en-zh clean twin: "You
        // are expected to …" → "Debian 期望你 …" was a moved name).
        assert!(!CarriedIndex::new(&doc, "en").names.contains("Milters"));
        let chat = [
            sentence("It is hard :-) You do need to know a little."),
            sentence("If you were a rookie, you would not read this."),
        ];
        assert!(!CarriedIndex::new(&chat, "en").names.contains("You"));
    }

    #[test]
    fn a_name_the_source_document_never_has_is_not_a_moved_name() {
        // A translator naming what the source calls "it", or keeping an acronym the source spells
        // out, carries nothing over from elsewhere.
        let doc = [
            sentence("The system boots quickly."),
            sentence("This file is available even when DNS servers are unreachable."),
        ];
        assert!(moved_into(
            &doc,
            "このファイルは Debian サーバに到達できない場合にも利用できます。",
            "ja"
        )
        .is_empty());
    }

    #[test]
    fn german_nouns_and_clause_initial_words_are_not_names() {
        // German capitalises every noun: "E-Mail" is one even where the source elsewhere says
        // "E-Mail" too; a capital after a full stop starts a sentence.
        let doc = [
            sentence("Send an E-Mail to the list."),
            sentence("The Subject line matters."),
        ];
        assert!(moved_into(&doc, "Die E-Mail ist wichtig.", "de").is_empty());
    }
}
