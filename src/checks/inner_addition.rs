//! Additions inside a link: a clause or sentence in the target whose words have no partner in the
//! source, glued to a sentence that is otherwise translated (after a colon, an abbreviation, or
//! in a merged link). The link's similarity hardly drops, so the evidence is the word alignment
//! (a long run of target words without partners) and a deletion probe (without the run, the
//! target is closer to its source).

use std::ops::Range;

use serde_json::json;

use super::util::round3;
use super::{Finding, Kind, PairContext, Severity};
use crate::wordalign::{AlignedWord, WordAlignment};

/// Links whose target is at least this much longer than the document's ratio predicts are
/// candidates (an added clause lengthens the target).
pub const CANDIDATE_RATIO: f32 = 1.3;

/// A run needs this many words with letters or digits, none with a partner in the source…
pub const MIN_RUN_WORDS: usize = 5;

/// …and this share of the target's words.
pub const MIN_RUN_SHARE: f32 = 0.2;

/// Deleting the run must bring the target at least this much closer (cosine) to the source.
pub const MIN_PROBE_GAIN: f32 = 0.015;

/// A gain this large is an error, when the run is also clearly unlike the neighbouring source
/// sentences (by `ERROR_NEIGHBOUR_GAP` below the link's similarity): the run is not in the source.
pub const ERROR_PROBE_GAIN: f32 = 0.05;
pub const ERROR_NEIGHBOUR_GAP: f32 = 0.05;

fn is_word(w: &AlignedWord) -> bool {
    w.text.chars().any(char::is_alphanumeric)
}

/// The longest run of target words without a partner (punctuation inside it allowed), as a byte
/// range of the link's target text, when it is long enough to be added content.
pub fn unaligned_run(words: &WordAlignment) -> Option<Range<usize>> {
    let target = &words.target;
    let total = target.iter().filter(|w| is_word(w)).count();
    let mut best: Option<(usize, Range<usize>)> = None;
    let mut k = 0;
    while k < target.len() {
        if !target[k].partners.is_empty() || !is_word(&target[k]) {
            k += 1;
            continue;
        }
        let first = k;
        let mut last = k;
        let mut n = 0;
        while k < target.len() && (target[k].partners.is_empty() || !is_word(&target[k])) {
            if is_word(&target[k]) {
                n += 1;
                last = k;
            }
            k += 1;
        }
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, target[first].start..target[last].end));
        }
    }
    let (n, range) = best?;
    (n >= MIN_RUN_WORDS && n as f32 >= MIN_RUN_SHARE * total as f32).then_some(range)
}

/// The target text with `run` deleted, for the probe.
pub fn without_run(target: &str, run: &Range<usize>) -> String {
    let kept = format!("{} {}", &target[..run.start], &target[run.end..]);
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the probe measured for a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// Cosine of the link's source and target.
    pub with: f32,
    /// Cosine of the source and the target without the run.
    pub without: f32,
    /// The run's best cosine with the source sentences just before and after the link (`None`
    /// at the document's edges).
    pub neighbour: Option<f32>,
}

/// A run at least as similar to a neighbouring source sentence as the link's source is to its
/// target (less this margin) translates that sentence: the aligner merged it here. Measured on
/// devset/meaning.py's glued sentences (docs/quality.md).
pub const NEIGHBOUR_MARGIN: f32 = 0.0;

/// The finding for `run` of the link's target; `None` when deleting the run does not bring the
/// target closer to the source, or when the run translates a neighbouring source sentence.
pub fn judge(pair: &PairContext, run: Range<usize>, probe: &Probe) -> Option<Finding> {
    let gain = probe.without - probe.with;
    let merged = probe
        .neighbour
        .is_some_and(|n| n >= probe.with - NEIGHBOUR_MARGIN);
    if gain < MIN_PROBE_GAIN || merged {
        return None;
    }
    let span = pair.tgt_span(run);
    let apart = probe
        .neighbour
        .is_none_or(|n| n <= probe.with - ERROR_NEIGHBOUR_GAP);
    let severity = if gain >= ERROR_PROBE_GAIN && apart {
        Severity::Error
    } else {
        Severity::Warning
    };
    let message = format!(
        "\u{201c}{}\u{201d} has no counterpart in the source: the target adds it to a translated sentence",
        span.text
    );
    let mut f = pair.finding(
        Kind::Addition,
        severity,
        message,
        json!({
            "inside_link": true,
            "similarity": round3(probe.with),
            "similarity_without": round3(probe.without),
            "probe_gain": round3(gain),
            "neighbour_similarity": probe.neighbour.map(round3),
        }),
    );
    f.target_spans = vec![span];
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wa(target: &[(&str, bool)]) -> WordAlignment {
        let mut at = 0;
        let target = target
            .iter()
            .map(|(t, aligned)| {
                let w = AlignedWord {
                    text: t.to_string(),
                    start: at,
                    end: at + t.len(),
                    partners: if *aligned { vec![0] } else { vec![] },
                    confidence: 0.5,
                };
                at += t.len() + 1;
                w
            })
            .collect();
        WordAlignment {
            source: Vec::new(),
            target,
        }
    }

    #[test]
    fn a_glued_clause_without_partners_is_a_run_but_scattered_function_words_are_not() {
        let glued = wa(&[
            ("Prices", true),
            ("rose", true),
            (":", false),
            ("the", false),
            ("minister", false),
            (",", false),
            ("who", false),
            ("resigned", false),
            ("yesterday", false),
        ]);
        let text = "Prices rose : the minister , who resigned yesterday";
        let run = unaligned_run(&glued).unwrap();
        assert_eq!(&text[run.clone()], "the minister , who resigned yesterday");
        assert_eq!(without_run(text, &run), "Prices rose :");
        let scattered = wa(&[
            ("The", false),
            ("price", true),
            ("of", false),
            ("the", false),
            ("bread", true),
            ("has", false),
            ("risen", true),
        ]);
        assert!(unaligned_run(&scattered).is_none());
    }

    #[test]
    fn the_probe_decides_and_sets_the_severity() {
        let s = [crate::checks::testing::sentence("Prices rose.")];
        let t = [crate::checks::testing::sentence(
            "Prices rose: the minister, who resigned yesterday.",
        )];
        let pair = crate::checks::testing::pair(&s, "en", &t, "en", 2.0);
        let run = 13..49;
        let probe = |with, without, neighbour| Probe {
            with,
            without,
            neighbour,
        };
        assert!(judge(&pair, run.clone(), &probe(0.80, 0.805, None)).is_none());
        // The run translates the next source sentence: a merge, not an addition.
        assert!(judge(&pair, run.clone(), &probe(0.80, 0.82, Some(0.81))).is_none());
        assert!(judge(&pair, run.clone(), &probe(0.80, 0.81, Some(0.70))).is_none());
        let w = judge(&pair, run.clone(), &probe(0.80, 0.82, Some(0.70))).unwrap();
        assert_eq!(w.severity, Severity::Warning);
        assert_eq!(w.kind, Kind::Addition);
        assert_eq!(
            w.target_spans[0].text,
            "the minister, who resigned yesterday"
        );
        let e = judge(&pair, run.clone(), &probe(0.80, 0.86, None)).unwrap();
        assert_eq!(e.severity, Severity::Error);
        // As large a gain, but the run is close to a neighbour: only a warning.
        let w = judge(&pair, run, &probe(0.80, 0.86, Some(0.78))).unwrap();
        assert_eq!(w.severity, Severity::Warning);
    }
}
