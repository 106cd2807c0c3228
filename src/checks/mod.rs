//! Findings over aligned links: the `Finding` type every report renders, and the checks that
//! produce them (one file per check).

pub mod semantic;

use serde::Serialize;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a finding is about. Serialised in snake case (`omission`, `mistranslation`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Omission => "omission",
            Kind::Addition => "addition",
            Kind::Mistranslation => "mistranslation",
            Kind::SameLanguage => "same_language",
            Kind::LongSentence => "long_sentence",
        }
    }
}

/// One problem found in a document pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
