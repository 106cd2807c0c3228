//! Antonyms: a word of an English target turned into its opposite ("a weak economy" for a strong
//! one, "prices decreased" for increased). The sentence embedding barely moves for it, so the
//! check probes: a word with a WordNet antonym is swapped for it, the target embedded again, and
//! where the swap brings it clearly closer to the source, the word may say the opposite of its
//! source. Which word of a link is probed, if any, a cheaper first estimate decides: the word and
//! its antonym embedded alone. A warning: the probe is a measurement, not a reading.

use serde_json::json;

use std::ops::Range;

use super::util::{round3, tokens};
use super::{Finding, Kind, PairContext, Severity};
use crate::text::lang::primary;
use crate::text::lexicon;
use crate::util::vector::dot;

/// One probe: a word of the English target, its antonym, and the target's text with the word
/// swapped for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The word's bytes in the link's target text.
    pub range: Range<usize>,
    pub word: String,
    pub antonym: String,
    /// The target's text with the word swapped.
    pub variant: String,
}

/// Whether the check probes a pair of documents in these languages: an English target (the word
/// list is English) and a source in another language. An English source is not probed: each
/// probe costs an embedding, and an antonym is an error the translation makes.
pub fn probes(src_lang: &str, tgt_lang: &str) -> bool {
    primary(tgt_lang) == "en" && primary(src_lang) != "en"
}

/// The words of `text` with an antonym, as (bytes, word, antonym in the word's case). Words
/// capitalised inside the sentence are left to the entity check ("North Korea").
fn swaps(text: &str) -> Vec<(Range<usize>, &str, String)> {
    tokens(text)
        .iter()
        .enumerate()
        .filter(|(i, t)| *i == 0 || !t.is_capitalised())
        .filter_map(|(_, t)| {
            let a = lexicon::antonym(&t.text.to_lowercase())?;
            let antonym = if t.is_capitalised() {
                let mut c = a.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            } else {
                a.to_string()
            };
            Some((t.start..t.start + t.text.len(), t.text, antonym))
        })
        .collect()
}

/// The probes of a link whose languages the check [`probes`]: each word of the target with an
/// antonym.
pub fn candidates(pair: &PairContext) -> Vec<Candidate> {
    if !probes(pair.src_lang, pair.tgt_lang) {
        return Vec::new();
    }
    let text = pair.tgt_text();
    swaps(&text)
        .into_iter()
        .map(|(range, word, antonym)| Candidate {
            variant: format!("{}{}{}", &text[..range.start], antonym, &text[range.end..]),
            range,
            word: word.to_string(),
            antonym,
        })
        .collect()
}

/// A swap must bring the target at least this much closer (cosine) to its source than to the
/// source document as a whole (the mean of its sentence vectors): some antonyms move a sentence
/// towards every sentence ("unpopular" → "popular"), which says nothing about this link.
/// Chosen on MLQE-PE dev post-edits into English with a WordNet antonym swapped in, against their
/// untouched twins (docs/quality.md, "Antonyms").
pub const MIN_PROBE_GAIN: f32 = 0.01;

/// A link's word is probed in its sentence only when the antonym alone, against the word alone,
/// leans towards the link's source more than towards the source document (the same net gain,
/// from vectors of the lone words). On the data of [`MIN_PROBE_GAIN`] it left 29% of the good
/// translations to probe (79% have a word with an antonym) and found 149 swaps of 471 where
/// probing each link's best word by that estimate, without the bar, found 157.
pub const MIN_LONE_GAIN: f32 = 0.0;

/// The net gain of swapping `word` for `antonym` estimated from their lone vectors, against the
/// link's source sentence `source` and the source document's mean vector `document`.
pub fn lone_gain(word: &[f32], antonym: &[f32], source: &[f32], document: &[f32]) -> f32 {
    let towards = |x: &[f32]| dot(antonym, x) - dot(word, x);
    towards(source) - towards(document)
}

/// The candidate of a link worth probing: the one with the largest lone gain (`lone[i]` is
/// candidate `i`'s), if it reaches [`MIN_LONE_GAIN`].
pub fn pick(lone: &[f32]) -> Option<usize> {
    let (i, &g) = lone.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    (g >= MIN_LONE_GAIN).then_some(i)
}

/// One probe's measurements: `gain`, how much closer (cosine) the variant is to the source
/// sentence than the target as written, and `drift`, how much closer it is to the mean of the
/// source document's sentence vectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    pub gain: f32,
    pub drift: f32,
}

impl Probe {
    /// The gain on this link beyond the drift towards every sentence.
    pub fn net(&self) -> f32 {
        self.gain - self.drift
    }
}

/// Judges the probed candidate `c` of a link (`lone`: its lone gain, kept as evidence): a warning
/// when the probe's net gain reaches [`MIN_PROBE_GAIN`].
pub fn judge(pair: &PairContext, c: &Candidate, p: Probe, lone: f32) -> Option<Finding> {
    if p.net() < MIN_PROBE_GAIN {
        return None;
    }
    let mut f = pair.finding(
        Kind::Mistranslation,
        Severity::Warning,
        format!(
            "\u{201c}{}\u{201d} in the target may say the opposite of the source: with \u{201c}{}\u{201d} instead it reads closer to it",
            c.word, c.antonym
        ),
        json!({
            "antonym": {"word": c.word, "opposite": c.antonym},
            "probe_gain": round3(p.gain),
            "probe_drift": round3(p.drift),
            "lone_gain": round3(lone),
        }),
    );
    f.target_spans = vec![pair.tgt_span(c.range.clone())];
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{pair as link, sentence};

    fn pair<'a>(
        s: &'a [crate::text::Sentence],
        sl: &'a str,
        t: &'a [crate::text::Sentence],
        tl: &'a str,
    ) -> PairContext<'a> {
        link(s, sl, t, tl, 1.0)
    }

    #[test]
    fn words_of_the_english_side_with_antonyms_are_probed() {
        let src = [sentence("Die Preise stiegen stark.")];
        let tgt = [sentence(
            "Strong growth, but prices fell in a weak market in Paris.",
        )];
        let c = candidates(&pair(&src, "de", &tgt, "en"));
        let words: Vec<_> = c
            .iter()
            .map(|c| (c.word.as_str(), c.antonym.as_str()))
            .collect();
        assert!(words.contains(&("Strong", "Weak")), "{words:?}");
        assert!(words.contains(&("weak", "strong")), "{words:?}");
        let weak = c.iter().find(|c| c.word == "weak").unwrap();
        assert_eq!(
            weak.variant,
            "Strong growth, but prices fell in a strong market in Paris."
        );
        // Only an English target is probed: not a German one, not an English source, not English
        // on both sides.
        assert!(candidates(&pair(&src, "de", &src, "fr")).is_empty());
        assert!(candidates(&pair(&tgt, "en", &src, "de")).is_empty());
        assert!(candidates(&pair(&tgt, "en", &tgt, "en")).is_empty());
    }

    #[test]
    fn a_swap_is_reported_only_when_it_gains_enough_beyond_its_drift() {
        let src = [sentence("Die Wirtschaft ist stark.")];
        let tgt = [sentence("The economy is weak.")];
        let p = pair(&src, "de", &tgt, "en");
        let c = candidates(&p);
        assert_eq!(c.len(), 1);
        let probe = |gain, drift| Probe { gain, drift };
        assert!(judge(&p, &c[0], probe(MIN_PROBE_GAIN - 0.001, 0.0), 0.1).is_none());
        // A swap that brings the target as close to every sentence of the source document is no
        // evidence about this link.
        assert!(judge(&p, &c[0], probe(MIN_PROBE_GAIN + 0.01, 0.015), 0.1).is_none());
        let f = judge(&p, &c[0], probe(MIN_PROBE_GAIN + 0.01, 0.005), 0.1).expect("a warning");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.target_spans.len(), 1);
        assert_eq!(f.target_spans[0].text, "weak");
        assert_eq!(f.evidence["antonym"]["opposite"], "strong");
    }

    #[test]
    fn the_lone_words_choose_which_swap_is_probed() {
        // The antonym alone leans towards the link's source (first axis), not towards the
        // document (second axis).
        let (word, antonym) = ([0.0, 1.0], [1.0, 0.0]);
        let (source, document) = ([1.0, 0.0], [0.5, 0.5]);
        assert!(lone_gain(&word, &antonym, &source, &document) > 0.0);
        assert!(lone_gain(&antonym, &word, &source, &document) < 0.0);
        assert_eq!(pick(&[-0.2, 0.3, 0.1]), Some(1));
        assert_eq!(pick(&[-0.2, MIN_LONE_GAIN - 0.01]), None);
        assert_eq!(pick(&[]), None);
    }
}
