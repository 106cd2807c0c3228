//! The report of one document pair, and its renderings (one file per format). Reports are written
//! atomically: to a temporary file beside the destination, then renamed.

pub mod github;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Verdict};
use crate::formats::Region;

#[cfg(test)]
pub(crate) mod testing;

/// Version of the JSON report's shape; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DocumentInfo {
    pub path: String,
    pub lang: String,
    /// True when the language was identified from the text rather than given.
    pub lang_detected: bool,
    pub sentences: usize,
}

/// One alignment link as reported.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<MergedPart>,
    /// The link's word alignment (with `--details`): each word of both sides with its byte range
    /// in the link's text, its partners on the other side and the similarity to the best one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<crate::wordalign::WordAlignment>,
    /// The learned quality estimate (0-1): the probability that the link carries a critical
    /// error. Absent for omissions and additions, and when the model has no estimator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qe: Option<f64>,
    /// The estimator's input, by feature name (with `--details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qe_features: Option<std::collections::BTreeMap<String, f32>>,
}

/// What one sentence of a merged link contributes: the link's similarity minus the similarity
/// without it, in z units. Near zero or negative: the sentence was absorbed, not translated.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MergedPart {
    /// True for a source sentence, false for a target sentence.
    pub is_source: bool,
    pub index: usize,
    pub gain_z: f32,
    /// z of the sentence alone against the link's other side: low when it is unrelated to it.
    pub alone_z: f32,
}

/// A sentence as reported (so that renderings need no access to the input files).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SentenceOut {
    pub text: String,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    /// Embedded as several windows because it exceeds the model's maximum length.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub windowed: bool,
    /// Where the sentence is in a segmented file ("trans-unit 12", "cue 7") or an article ("line
    /// 12, column 5 (<p>)", "paragraph 4").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// HTML and Markdown: the sentence's exact span in the file (`start`/`end` are then bytes of
    /// the file, markup included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// HTML and Markdown: the sentence's block as written in the file, markup included (the HTML
    /// report quotes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
pub struct Timing {
    pub load_s: f64,
    pub embed_s: f64,
    /// The content checks (numbers, language, entities, …, truncation with its extra embeddings).
    pub checks_s: f64,
    pub total_s: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// The model that embedded the pair, as the report records it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ModelUsed {
    /// Hugging Face repository id or local folder, as given.
    pub id: String,
    pub device: Device,
    /// `f32`, `q8`, `f16` or `bf16`.
    pub dtype: String,
    /// `bert` or `xlm-roberta`.
    pub architecture: String,
    pub settings: SentenceSettingsUsed,
}

/// Where the model ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Cpu,
    Cuda,
}

/// As a person writes it: "CPU", "CUDA".
impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Cpu => "CPU",
            Device::Cuda => "CUDA",
        })
    }
}

/// How token vectors became the sentence vector.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SentenceSettingsUsed {
    /// `mean` or `cls`.
    pub pooling: String,
    /// A sentence-transformers Dense layer after pooling, if the model has one.
    pub dense: Option<DenseUsed>,
    pub normalize: bool,
    /// Prepended to every text before tokenisation (e5: "passage: ").
    pub prefix: String,
    /// Where these settings came from: "model files", "known-model table" or "defaults".
    pub origin: String,
}

/// A Dense layer after pooling (LaBSE).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DenseUsed {
    pub in_features: usize,
    pub out_features: usize,
    pub bias: bool,
    /// Tanh activation (LaBSE); identity otherwise.
    pub tanh: bool,
    /// Folder of the Dense module, relative to the model directory.
    pub dir: String,
}

/// Which reference distributions turned raw similarities into scores (see `reference`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReferenceUsed {
    /// "reference" or "document-relative".
    pub method: String,
    /// "reference: <model>, N links" or "document-relative: no reference distribution for
    /// model X".
    pub summary: String,
    /// The reference's file, or "built in for <model>"; absent without a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The language pair the reference was read for, and whether it has distributions of its
    /// own (otherwise the pooled ones apply, and only warnings come from them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_pair: Option<String>,
    pub language_pair_measured: bool,
}

/// Which quality-estimate weights judged the links (see `qe`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct QualityEstimateUsed {
    /// "learned" or "off".
    pub method: String,
    /// What was used, or why nothing was ("no quality-estimate weights for X").
    pub summary: String,
}

/// Everything mtcheck found about one document pair.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub version: u32,
    pub source: DocumentInfo,
    pub target: DocumentInfo,
    pub model: ModelUsed,
    /// How raw similarities became scores and verdicts: with the model's reference
    /// distributions, or relative to the document alone. (Named `calibration` since report
    /// version 1.)
    pub calibration: ReferenceUsed,
    /// Which quality-estimate weights judged the links, or why none did.
    #[serde(default)]
    pub quality_estimate: QualityEstimateUsed,
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

/// How much the text report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// The verdict line only (`-q`).
    Quiet,
    /// The summary and the findings, with their sentences (the default).
    #[default]
    Findings,
    /// Also every aligned pair, clean or not (`--alignment`, `-v`).
    Alignment,
}

/// How the text report is drawn (other formats ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextOptions {
    /// ANSI colours (only on a terminal; see `cli::check`).
    pub color: bool,
    pub detail: Detail,
}

/// The JSON Schema of the JSON report (draft 2020-12), generated from these types: what
/// `mtcheck schema` prints and docs/report.schema.json holds.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Report);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Output formats of `mtcheck check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: aligned pairs, findings highlighted, colour on a terminal.
    Text,
    /// Machine-readable, stable field names (see README); JSON Lines for several reports.
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// JUnit XML: one test case per document pair, for CI test-report views.
    Junit,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// A Markdown summary for a pull-request comment.
    Markdown,
    /// One self-contained HTML page with the alignments side by side.
    Html,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, opts: TextOptions) -> String {
    match format {
        Format::Text => text::render(report, opts),
        // One report stays pretty-printed; JSON Lines is only for several.
        Format::Json => report.to_json(),
        _ => render_many(std::slice::from_ref(report), format, opts),
    }
}

/// Renders several reports (batch mode) as one document in `format`: the text renderings one
/// after another, JSON Lines (one compact report per line), one SARIF run, one JUnit suite, one
/// stream of workflow commands, one Markdown summary, one HTML page.
pub fn render_many(reports: &[Report], format: Format, opts: TextOptions) -> String {
    match format {
        Format::Text => {
            let mut out = String::new();
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&text::render(r, opts));
            }
            out
        }
        Format::Json => {
            let mut out = String::new();
            for r in reports {
                // Serialising plain data cannot fail (see `to_json`).
                out.push_str(&serde_json::to_string(r).unwrap_or_default());
                out.push('\n');
            }
            out
        }
        Format::Sarif => sarif::render(reports),
        Format::Junit => junit::render(reports),
        Format::Github => github::render(reports),
        Format::Markdown => markdown::render(reports),
        Format::Html => html::render(reports),
    }
}

/// The reports ordered worst first: by verdict, then by score, then by errors and warnings
/// (more first); the sort is stable, so equal pairs keep their input order.
pub(crate) fn worst_first(reports: &[Report]) -> Vec<&Report> {
    let mut v: Vec<&Report> = reports.iter().collect();
    v.sort_by(|a, b| {
        a.verdict
            .rank()
            .cmp(&b.verdict.rank())
            .then(a.score.total_cmp(&b.score))
            .then(b.counts.errors.cmp(&a.counts.errors))
            .then(b.counts.warnings.cmp(&a.counts.warnings))
    });
    v
}

/// At most `max` characters of `s`, whitespace runs (line breaks included) collapsed, with "…"
/// when cut.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        flat.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// The words a finding's spans point at, quoted and joined (`“Iran”, “not”`); empty when it has
/// none. Source spans first.
pub(crate) fn quoted_spans(f: &Finding) -> String {
    f.source_spans
        .iter()
        .chain(&f.target_spans)
        .map(|s| format!("\u{201c}{}\u{201d}", s.text))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A finding's text on one side cut into pieces, `true` for those its spans cover (the side's
/// sentences joined by one space, as `source_text`/`target_text` are).
pub(crate) fn span_pieces<'a>(
    text: &'a str,
    ids: &[usize],
    sentences: &[SentenceOut],
    spans: &[crate::finding::Span],
) -> Vec<(&'a str, bool)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for sp in spans {
        let Some(pos) = ids.iter().position(|&i| i == sp.sentence) else {
            continue;
        };
        // The sentences before it in the joined text, each with its space.
        let before: usize = ids[..pos]
            .iter()
            .filter_map(|&i| sentences.get(i))
            .map(|s| s.text.len() + 1)
            .sum();
        let (a, b) = (before + sp.start, before + sp.end);
        if a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b) {
            ranges.push((a, b));
        }
    }
    ranges.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b) in ranges {
        if a < at {
            continue;
        }
        if a > at {
            out.push((&text[at..a], false));
        }
        out.push((&text[a..b], true));
        at = b;
    }
    if at < text.len() {
        out.push((&text[at..], false));
    }
    out
}

/// Where a finding points first: the target sentence when it has one, else the source sentence
/// (omissions), else the whole target document (document-level findings).
pub(crate) struct Anchor<'a> {
    pub path: &'a str,
    pub line: Option<usize>,
    pub on_source: bool,
}

pub(crate) fn anchor<'a>(r: &'a Report, f: &Finding) -> Anchor<'a> {
    match (f.target_line, f.source_line) {
        (Some(line), _) => Anchor {
            path: &r.target.path,
            line: Some(line),
            on_source: false,
        },
        (None, Some(line)) => Anchor {
            path: &r.source.path,
            line: Some(line),
            on_source: true,
        },
        (None, None) => Anchor {
            path: &r.target.path,
            line: None,
            on_source: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{passing_rtl_report, sample_report};
    use super::*;
    use crate::finding::Kind;

    fn schema_errors(report: &serde_json::Value) -> Vec<String> {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        validator
            .iter_errors(report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    #[test]
    fn the_committed_schema_is_the_one_the_types_generate() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(
            committed == json_schema(),
            "docs/report.schema.json is stale: run `cargo run --release -- schema > {path}`"
        );
    }

    #[test]
    fn reports_validate_against_the_schema_and_broken_ones_do_not() {
        for r in [sample_report(), passing_rtl_report()] {
            let v = serde_json::to_value(&r).unwrap();
            let errors = schema_errors(&v);
            assert!(errors.is_empty(), "{}", errors.join("\n"));
        }
        let mut v = serde_json::to_value(sample_report()).unwrap();
        v["verdict"] = "maybe".into();
        v["findings"][0]["kind"] = "typo".into();
        v.as_object_mut().unwrap().remove("alignments");
        assert_eq!(schema_errors(&v).len(), 3, "{:?}", schema_errors(&v));
    }

    #[test]
    fn kind_all_lists_every_kind_once() {
        // The match fails to compile when a kind is added, as a reminder to list it in `all`.
        let position = |k: Kind| match k {
            Kind::Omission => 0,
            Kind::Addition => 1,
            Kind::Mistranslation => 2,
            Kind::SameLanguage => 3,
            Kind::LongSentence => 4,
            Kind::NumberMismatch => 5,
            Kind::Untranslated => 6,
            Kind::WrongLanguage => 7,
            Kind::Truncation => 8,
            Kind::EntityMismatch => 9,
            Kind::Punctuation => 10,
            Kind::Unfinished => 11,
        };
        let all = Kind::all();
        assert_eq!(all.len(), 12);
        for (i, &k) in all.iter().enumerate() {
            assert_eq!(position(k), i);
            assert!(k.description().ends_with('.'));
        }
    }

    #[test]
    fn json_for_many_reports_is_json_lines() {
        let out = render_many(
            &[sample_report(), passing_rtl_report()],
            Format::Json,
            TextOptions::default(),
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["version"], REPORT_VERSION);
        }
        // One report alone stays pretty-printed, as before.
        assert!(
            render(&sample_report(), Format::Json, TextOptions::default())
                .contains("\n  \"version\": 1")
        );
    }

    #[test]
    fn text_for_many_reports_is_the_renders_in_order() {
        let (a, b) = (sample_report(), passing_rtl_report());
        let out = render_many(
            &[a.clone(), b.clone()],
            Format::Text,
            TextOptions::default(),
        );
        assert_eq!(
            out,
            format!(
                "{}\n{}",
                text::render(&a, TextOptions::default()),
                text::render(&b, TextOptions::default())
            )
        );
    }

    #[test]
    fn one_report_renders_as_a_batch_of_one() {
        let r = sample_report();
        for f in [
            Format::Sarif,
            Format::Junit,
            Format::Github,
            Format::Markdown,
            Format::Html,
        ] {
            assert_eq!(
                render(&r, f, TextOptions::default()),
                render_many(std::slice::from_ref(&r), f, TextOptions::default())
            );
        }
    }

    #[test]
    fn worst_pairs_come_first() {
        let mut warn = passing_rtl_report();
        warn.verdict = Verdict::Warn;
        warn.score = 95.0;
        let reports = [passing_rtl_report(), warn, sample_report()];
        let order: Vec<Verdict> = worst_first(&reports).iter().map(|r| r.verdict).collect();
        assert_eq!(order, [Verdict::Fail, Verdict::Warn, Verdict::Pass]);
    }

    #[test]
    fn excerpts_collapse_whitespace_and_cut() {
        assert_eq!(excerpt("a \n b", 10), "a b");
        assert_eq!(excerpt("abcdef", 4), "abc…");
    }
}
