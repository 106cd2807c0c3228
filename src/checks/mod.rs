//! The checks: one file per finding kind, each turning aligned links (or the documents) into
//! `Finding`s. Per-link rule checks implement `LinkCheck` and are listed in `link_checks`.

pub mod antonym;
pub mod carried;
pub mod entities;
pub mod glossary;
pub mod inner_addition;
pub mod language;
pub mod long_sentence;
pub mod names;
pub mod negation;
pub mod numbers;
pub mod punctuation;
pub mod quality_estimate;
pub mod rendered;
pub mod rules;
pub mod same_language;
pub mod semantic;
pub mod spelled;
pub mod truncation;
pub mod unfinished;
pub mod untranslated;
pub mod util;
pub mod verbatim;

use std::ops::Range;

pub use crate::finding::{Finding, Kind, Severity, Side, Span};
use crate::text::Sentence;

/// One aligned link (both sides non-empty) as the per-link checks see it.
pub struct PairContext<'a> {
    /// The link's source sentences and their indices in the document.
    pub src: &'a [Sentence],
    pub src_index: Range<usize>,
    pub tgt: &'a [Sentence],
    pub tgt_index: Range<usize>,
    /// The carried words of the whole source document (`carried`), for what the rest of it
    /// names; `None` where a link stands alone.
    pub src_carried: Option<&'a carried::CarriedIndex>,
    /// BCP 47 codes of the documents (given or detected).
    pub src_lang: &'a str,
    pub tgt_lang: &'a str,
    /// Cosine of the link's texts and its z-scaled margin (see `similarity`).
    pub similarity: f32,
    pub z: f32,
}

impl PairContext<'_> {
    /// The link's source text (sentences joined by a space).
    pub fn src_text(&self) -> String {
        self.src
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
    pub fn tgt_text(&self) -> String {
        self.tgt
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The span of bytes `range` of the link's source text (`src_text()`), in the sentence it
    /// falls in (a range across a sentence boundary is cut at the boundary).
    pub fn src_span(&self, range: Range<usize>) -> Span {
        span_of(self.src, &self.src_index, range)
    }
    /// The same for the target text (`tgt_text()`).
    pub fn tgt_span(&self, range: Range<usize>) -> Span {
        span_of(self.tgt, &self.tgt_index, range)
    }

    /// The inverse of [`PairContext::src_span`] / [`PairContext::tgt_span`]: a span's byte range
    /// in the link's joined text of its side.
    pub fn link_range(&self, span: &Span, on_source: bool) -> Range<usize> {
        let (sentences, index) = if on_source {
            (self.src, &self.src_index)
        } else {
            (self.tgt, &self.tgt_index)
        };
        let before: usize = sentences[..span
            .sentence
            .saturating_sub(index.start)
            .min(sentences.len())]
            .iter()
            .map(|s| s.text.len() + 1)
            .sum();
        before + span.start..before + span.end
    }

    /// A finding about this link, with texts and lines filled in.
    pub fn finding(
        &self,
        kind: Kind,
        severity: Severity,
        message: String,
        evidence: serde_json::Value,
    ) -> Finding {
        Finding::new(
            kind,
            severity,
            (self.src_index.clone(), self.src),
            (self.tgt_index.clone(), self.tgt),
            message,
            evidence,
        )
    }
}

/// Places bytes `range` of sentences joined by one space in the sentence they start in.
fn span_of(sentences: &[Sentence], index: &Range<usize>, range: Range<usize>) -> Span {
    let mut at = 0;
    for (k, s) in sentences.iter().enumerate() {
        let end = at + s.text.len();
        if range.start < end || k + 1 == sentences.len() {
            let a = range.start.saturating_sub(at).min(s.text.len());
            let b = range.end.saturating_sub(at).clamp(a, s.text.len());
            return Span::in_sentence(index.start + k, a..b, &s.text);
        }
        at = end + 1;
    }
    Span::in_sentence(index.start, 0..0, "")
}

/// A rule over one aligned link. Adding a check is adding one file and one line in `link_checks`.
pub trait LinkCheck: Sync {
    /// The finding kind's name, for `--disable` style configuration.
    fn name(&self) -> &'static str;
    fn run(&self, pair: &PairContext) -> Vec<Finding>;
}

/// Every per-link rule check, in report order.
pub fn link_checks() -> Vec<Box<dyn LinkCheck>> {
    vec![
        Box::new(numbers::Numbers),
        Box::new(untranslated::Untranslated),
        Box::new(language::Language),
        Box::new(entities::Entities),
        Box::new(punctuation::Punctuation),
        Box::new(negation::Negation),
    ]
}

/// Test support shared by the checks' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Finding, LinkCheck, PairContext};
    use crate::text::Sentence;

    /// A word alignment of `src` and `tgt` where each word is listed with its partners and
    /// confidence: `(text, partners, confidence)`, in order, one space apart.
    pub fn aligned(
        src: &[(&str, Vec<usize>, f32)],
        tgt: &[(&str, Vec<usize>, f32)],
    ) -> crate::wordalign::WordAlignment {
        let side = |ws: &[(&str, Vec<usize>, f32)]| {
            let mut at = 0;
            ws.iter()
                .map(|(t, p, c)| {
                    let w = crate::wordalign::AlignedWord {
                        text: t.to_string(),
                        start: at,
                        end: at + t.len(),
                        partners: p.clone(),
                        confidence: *c,
                    };
                    at += t.len() + 1;
                    w
                })
                .collect()
        };
        crate::wordalign::WordAlignment {
            source: side(src),
            target: side(tgt),
        }
    }

    /// A one-line sentence spanning all of `text`.
    pub fn sentence(text: &str) -> Sentence {
        Sentence {
            text: text.to_string(),
            start: 0,
            end: text.len(),
            line: 1,
            paragraph: 0,
        }
    }

    /// A 1-1 link of `src` and `tgt` with the given z-scaled margin.
    pub fn pair<'a>(
        s: &'a [Sentence],
        sl: &'a str,
        t: &'a [Sentence],
        tl: &'a str,
        z: f32,
    ) -> PairContext<'a> {
        PairContext {
            src: s,
            src_index: 0..1,
            tgt: t,
            tgt_index: 0..1,
            src_carried: None,
            src_lang: sl,
            tgt_lang: tl,
            similarity: 0.9,
            z,
        }
    }

    /// The texts of a finding's source and target spans.
    pub fn span_texts(f: &Finding) -> (Vec<&str>, Vec<&str>) {
        fn texts(spans: &[super::Span]) -> Vec<&str> {
            spans.iter().map(|s| s.text.as_str()).collect()
        }
        (texts(&f.source_spans), texts(&f.target_spans))
    }

    /// Runs `check` on a 1-1 link.
    pub fn run(
        check: &dyn LinkCheck,
        src: &str,
        sl: &str,
        tgt: &str,
        tl: &str,
        z: f32,
    ) -> Vec<Finding> {
        let (s, t) = ([sentence(src)], [sentence(tgt)]);
        check.run(&pair(&s, sl, &t, tl, z))
    }
}
