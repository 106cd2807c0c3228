//! The report of one document pair, and its renderings (one file per format). Reports are written
//! atomically: to a temporary file beside the destination, then renamed.

pub mod text;

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::checks::{Finding, Severity};
use crate::error::{Error, Result};
use crate::model::ModelInfo;
use crate::score::Verdict;

/// Version of the JSON report's shape; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub path: String,
    pub lang: String,
    /// True when the language was identified from the text rather than given.
    pub lang_detected: bool,
    pub sentences: usize,
}

/// One alignment link as reported.
#[derive(Debug, Clone, Serialize)]
pub struct Alignment {
    pub source: Vec<usize>,
    pub target: Vec<usize>,
    /// Cosine similarity of the linked texts; null for omissions and additions.
    pub similarity: Option<f64>,
    /// 0-100; 0 for omissions and additions.
    pub score: f64,
    /// Margin over the neighbourhood in units of the document's spread.
    pub z: Option<f64>,
    /// For merged links: what each end sentence adds to the similarity (z units).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<crate::score::PartGain>,
}

/// A sentence as reported (so that renderings need no access to the input files).
#[derive(Debug, Clone, Serialize)]
pub struct SentenceOut {
    pub text: String,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    /// Embedded as several windows because it exceeds the model's maximum length.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub windowed: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Timing {
    pub load_s: f64,
    pub embed_s: f64,
    /// The content checks (numbers, language, entities, …, truncation with its extra embeddings).
    pub checks_s: f64,
    pub total_s: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Everything mtcheck found about one document pair.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub source: DocumentInfo,
    pub target: DocumentInfo,
    pub model: ModelInfo,
    pub score: f64,
    pub verdict: Verdict,
    pub counts: Counts,
    pub alignments: Vec<Alignment>,
    pub findings: Vec<Finding>,
    pub source_sentences: Vec<SentenceOut>,
    pub target_sentences: Vec<SentenceOut>,
    pub timing: Timing,
}

impl Report {
    pub fn count(findings: &[Finding]) -> Counts {
        let n = |s| findings.iter().filter(|f| f.severity == s).count();
        Counts {
            errors: n(Severity::Error),
            warnings: n(Severity::Warning),
            infos: n(Severity::Info),
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising plain data cannot fail; an empty string would only hide a bug in a test.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// Output formats of `mtcheck check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: aligned pairs, findings highlighted, colour on a terminal.
    Text,
    /// Machine-readable, stable field names (see README).
    Json,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Json => report.to_json(),
    }
}

/// Writes `content` to `path` atomically (temporary file in the same directory, then rename).
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::output(path, format!("cannot create a file here: {e}")))?;
    tmp.write_all(content)
        .map_err(|e| Error::output(path, e.to_string()))?;
    tmp.persist(path)
        .map_err(|e| Error::output(path, e.error.to_string()))?;
    Ok(())
}
