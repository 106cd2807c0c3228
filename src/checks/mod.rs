//! Findings over aligned links: the `Finding` type every report renders, and the checks that
//! produce them (one file per check).

pub mod entities;
pub mod glossary;
pub mod language;
pub mod negation;
pub mod numbers;
pub mod punctuation;
pub mod rules;
pub mod semantic;
pub mod truncation;
pub mod untranslated;
pub mod util;

use std::ops::Range;

use serde::Serialize;

use crate::text::Sentence;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a finding is about. Serialised in snake case (`omission`, `mistranslation`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Source sentences without a counterpart in the target.
    Omission,
    /// Target sentences without a source.
    Addition,
    /// An aligned pair that does not say the same thing.
    Mistranslation,
    /// Source and target appear to be in the same language.
    SameLanguage,
    /// A sentence longer than the model's window, embedded in parts.
    LongSentence,
    /// Numbers missing, changed or extra in the target.
    NumberMismatch,
    /// A target sentence identical to its source or still in the source language.
    Untranslated,
    /// Text in a language other than the expected one.
    WrongLanguage,
    /// The target renders only part of its source.
    Truncation,
    /// Names, URLs, e-mail addresses, hashtags, code spans or placeholders missing or altered.
    EntityMismatch,
    /// Unbalanced quotes or brackets, question turned statement, doubled spaces or words.
    Punctuation,
    /// A segment of a translation file without a translation, marked fuzzy or not yet reviewed.
    Unfinished,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 12] = [
        Kind::Omission,
        Kind::Addition,
        Kind::Mistranslation,
        Kind::SameLanguage,
        Kind::LongSentence,
        Kind::NumberMismatch,
        Kind::Untranslated,
        Kind::WrongLanguage,
        Kind::Truncation,
        Kind::EntityMismatch,
        Kind::Punctuation,
        Kind::Unfinished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Omission => "omission",
            Kind::Addition => "addition",
            Kind::Mistranslation => "mistranslation",
            Kind::SameLanguage => "same_language",
            Kind::LongSentence => "long_sentence",
            Kind::NumberMismatch => "number_mismatch",
            Kind::Untranslated => "untranslated",
            Kind::WrongLanguage => "wrong_language",
            Kind::Truncation => "truncation",
            Kind::EntityMismatch => "entity_mismatch",
            Kind::Punctuation => "punctuation",
            Kind::Unfinished => "unfinished",
        }
    }

    /// Every kind, in declaration order (the order of rule tables such as SARIF's `rules`).
    pub fn all() -> &'static [Kind] {
        &Self::ALL
    }

    /// One sentence saying what a finding of this kind means, for rule descriptions.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Omission => "Source sentences have no counterpart in the target.",
            Kind::Addition => "Target sentences have no counterpart in the source.",
            Kind::Mistranslation => "An aligned sentence pair does not say the same thing.",
            Kind::SameLanguage => "Source and target appear to be in the same language.",
            Kind::LongSentence => {
                "A sentence is longer than the model's window and was embedded in parts."
            }
            Kind::NumberMismatch => "Numbers are missing, changed or extra in the target.",
            Kind::Untranslated => {
                "A target sentence is identical to its source or still in the source language."
            }
            Kind::WrongLanguage => "Text is in a language other than the expected one.",
            Kind::Truncation => "The target renders only part of its source sentence.",
            Kind::EntityMismatch => {
                "Names, URLs, e-mail addresses, hashtags, code spans or placeholders are missing or altered."
            }
            Kind::Punctuation => {
                "Unbalanced quotes or brackets, a question turned statement, doubled spaces or words."
            }
            Kind::Unfinished => {
                "A segment of a translation file has no translation, is marked fuzzy or is not yet reviewed."
            }
        }
    }
}

/// One problem found in a document pair.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// Source sentence indices concerned (0-based).
    pub source: Vec<usize>,
    /// Target sentence indices concerned (0-based).
    pub target: Vec<usize>,
    pub source_text: String,
    pub target_text: String,
    pub source_line: Option<usize>,
    pub target_line: Option<usize>,
    pub message: String,
    /// Numbers behind the decision (similarity, margin, z, …).
    pub evidence: serde_json::Value,
}

/// The sentences a finding is about: their document indices and the sentences themselves.
pub type Side<'a> = (Range<usize>, &'a [Sentence]);

impl Finding {
    /// A finding about `source` and `target` sentences (either may be empty), with their texts
    /// joined and their first lines filled in.
    pub fn new(
        kind: Kind,
        severity: Severity,
        source: Side,
        target: Side,
        message: String,
        evidence: serde_json::Value,
    ) -> Self {
        let text = |s: &[Sentence]| {
            s.iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        Finding {
            kind,
            severity,
            source: source.0.collect(),
            target: target.0.collect(),
            source_text: text(source.1),
            target_text: text(target.1),
            source_line: source.1.first().map(|s| s.line),
            target_line: target.1.first().map(|s| s.line),
            message,
            evidence,
        }
    }
}

/// One aligned link (both sides non-empty) as the per-link checks see it.
pub struct PairContext<'a> {
    /// The link's source sentences and their indices in the document.
    pub src: &'a [Sentence],
    pub src_index: Range<usize>,
    pub tgt: &'a [Sentence],
    pub tgt_index: Range<usize>,
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
            src_lang: sl,
            tgt_lang: tl,
            similarity: 0.9,
            z,
        }
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
