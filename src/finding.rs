//! What checks find and reports render: `Finding` with its `Kind` and `Severity`, and the
//! `Verdict` of a pair. The only currency between checks and reports; it knows nothing of how
//! findings are made.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::text::Sentence;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a finding is about. Serialised in snake case (`omission`, `mistranslation`, …).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    IntoStaticStr,
    EnumString,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// The name used in reports, flags and configuration (`number_mismatch`): serde's and
    /// strum's renames agree, so there is one spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every kind, in declaration order (the order of rule tables such as SARIF's `rules`).
    pub fn all() -> &'static [Kind] {
        Self::VARIANTS
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// The words in the source that carry the error (a number, a name, a negator, a word
    /// without a good partner); empty when the finding is about whole sentences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_spans: Vec<Span>,
    /// The same in the target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_spans: Vec<Span>,
}

/// Words a finding points at, in one sentence of its side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// The sentence's index in its document (one of the finding's `source` or `target`).
    pub sentence: usize,
    /// Byte range in that sentence's text as the report gives it (`source_sentences[i].text`).
    pub start: usize,
    pub end: usize,
    /// Byte offset of `start` in the input file, where the input is plain text and the sentence
    /// stands in it exactly as reported (no runs of whitespace collapsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_offset: Option<usize>,
    pub text: String,
}

impl Span {
    /// A span of `text` bytes `range` of sentence `sentence`'s text, before the pipeline places it
    /// in the input file.
    pub fn in_sentence(sentence: usize, range: Range<usize>, text: &str) -> Self {
        Span {
            sentence,
            start: range.start,
            end: range.end,
            file_offset: None,
            text: text.get(range).unwrap_or_default().to_string(),
        }
    }
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
            source_spans: Vec::new(),
            target_spans: Vec::new(),
        }
    }
}

/// Pass, warn or fail: the outcome of one document pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Rank for "worst first" orderings: failing pairs, then warnings, then passes.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Fail => 0,
            Verdict::Warn => 1,
            Verdict::Pass => 2,
        }
    }
}

impl Severity {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
