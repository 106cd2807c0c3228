//! Detection quality on a labelled set: one folder per pair (`source.txt`, `target.txt`,
//! `labels.json`), findings matched to labels by kind and overlapping sentence text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::finding::{Finding, Kind, Severity, Verdict};
use crate::model::Embedder;
use crate::pipeline::check::{self, CheckOptions};
use crate::pipeline::input::{load_document, Document};
use crate::report::{Report, SentenceOut};

/// Labelled error types, in table order.
pub const ERROR_TYPES: &[&str] = &[
    "omission",
    "addition",
    "mistranslation",
    "number",
    "untranslated",
    "truncation",
];

#[derive(Debug, Clone, Deserialize)]
pub struct LabelledError {
    #[serde(rename = "type")]
    pub kind: String,
    /// A finer label (`negation`, `antonym`, `entity`, `number`, `role`, …): recall is also
    /// reported per subtype.
    #[serde(default)]
    pub subtype: Option<String>,
    pub source_text: Option<String>,
    pub target_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    pub src_lang: String,
    pub tgt_lang: String,
    #[serde(default)]
    pub errors: Vec<LabelledError>,
    pub verdict: Option<String>,
}

/// One labelled pair of a set.
#[derive(Debug, Clone)]
pub struct LabelledPair {
    pub name: String,
    pub dir: PathBuf,
    pub labels: Labels,
}

/// Reads every `*/labels.json` folder of `set`, sorted by name.
pub fn load_set(set: &Path) -> Result<Vec<LabelledPair>> {
    let entries = std::fs::read_dir(set).map_err(|e| Error::input(set, e.to_string()))?;
    let mut pairs = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        let path = dir.join("labels.json");
        if !path.is_file() {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::input(&path, e.to_string()))?;
        let labels: Labels = serde_json::from_str(&text)
            .map_err(|e| Error::input(&path, format!("not a labels file: {e}")))?;
        pairs.push(LabelledPair {
            name: entry.file_name().to_string_lossy().into_owned(),
            dir,
            labels,
        });
    }
    if pairs.is_empty() {
        return Err(Error::input(
            set,
            "holds no pair folders with a labels.json",
        ));
    }
    pairs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(pairs)
}

/// Finding kinds that count as detecting a labelled error type, and which side's text must overlap.
fn compatible(kind: &str) -> (&'static [Kind], bool, bool) {
    use Kind::*;
    match kind {
        "omission" => (&[Omission], true, false),
        "addition" => (&[Addition], false, true),
        "mistranslation" => (&[Mistranslation, Omission, Addition], true, true),
        "number" => (&[NumberMismatch, Mistranslation], true, true),
        "untranslated" => (&[Untranslated, Mistranslation, WrongLanguage], true, true),
        "truncation" => (&[Truncation, Mistranslation, Omission], true, true),
        _ => (&[], false, false),
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn overlaps(a: Option<&str>, b: &str) -> bool {
    let (a, b) = (norm(a.unwrap_or_default()), norm(b));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

/// Whether some finding (of any severity at or above `min`) detects `err`.
pub fn detected(err: &LabelledError, findings: &[Finding], min: Severity) -> bool {
    let (kinds, by_source, by_target) = compatible(&err.kind);
    // A swapped name is found as much by the entity check as by a mistranslation.
    let entity = err.subtype.as_deref() == Some("entity");
    findings
        .iter()
        .filter(|f| {
            f.severity >= min
                && (kinds.contains(&f.kind) || (entity && f.kind == Kind::EntityMismatch))
        })
        .any(|f| {
            (by_source && overlaps(err.source_text.as_deref(), &f.source_text))
                || (by_target && overlaps(err.target_text.as_deref(), &f.target_text))
        })
}

/// Hits over totals.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Ratio {
    pub hit: usize,
    pub total: usize,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hit += usize::from(hit);
    }
    pub fn value(&self) -> Option<f64> {
        (self.total > 0).then(|| self.hit as f64 / self.total as f64)
    }
}

/// Metrics for one language pair (or all).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub pairs: usize,
    /// Recall per labelled type (warning or error findings count).
    pub recall: BTreeMap<String, Ratio>,
    pub recall_all: Ratio,
    /// Recall per labelled subtype (labels without one are not counted here).
    pub recall_subtype: BTreeMap<String, Ratio>,
    /// Error-severity findings on clean pairs, and those pairs' target sentences.
    pub clean_errors: usize,
    /// Warning-severity findings on clean pairs.
    pub clean_warnings: usize,
    pub clean_target_sentences: usize,
    pub verdict: Ratio,
    pub sentences: usize,
    pub seconds: f64,
}

impl Metrics {
    fn false_alarms_text(&self) -> String {
        self.false_alarms_per_100()
            .map_or("-".into(), |v| format!("{v:.2}"))
    }

    pub fn sentences_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.sentences as f64 / self.seconds
        } else {
            0.0
        }
    }

    pub fn false_alarms_per_100(&self) -> Option<f64> {
        (self.clean_target_sentences > 0)
            .then(|| 100.0 * self.clean_errors as f64 / self.clean_target_sentences as f64)
    }

    fn add(&mut self, pair: &LabelledPair, report: &Report, seconds: f64) {
        self.pairs += 1;
        for err in &pair.labels.errors {
            let hit = detected(err, &report.findings, Severity::Warning);
            self.recall.entry(err.kind.clone()).or_default().add(hit);
            if let Some(sub) = &err.subtype {
                self.recall_subtype.entry(sub.clone()).or_default().add(hit);
            }
            self.recall_all.add(hit);
        }
        let clean = pair.labels.errors.is_empty();
        if clean {
            self.clean_errors += report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            self.clean_warnings += report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            self.clean_target_sentences += report.target.sentences;
        }
        let expected_fail = match pair.labels.verdict.as_deref() {
            Some(v) => v == "fail",
            None => !clean,
        };
        self.verdict
            .add((report.verdict == Verdict::Fail) == expected_fail);
        self.sentences += report.source.sentences + report.target.sentences;
        self.seconds += seconds;
    }
}

/// Results per language pair plus `ALL`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalResult {
    pub model: String,
    pub by_lang: BTreeMap<String, Metrics>,
    pub all: Metrics,
    /// Per pair: name, verdict, and the labelled errors missed (for error analysis).
    pub misses: Vec<(String, String, String)>,
    /// Scores (0-100) of links that involve no labelled error, and of links (or unaligned
    /// sentences) that carry one: the two distributions a threshold has to separate.
    #[serde(skip)]
    pub link_scores: LinkScores,
    /// Each link's quality-estimate features, labelled BAD when it carries a labelled error
    /// (checked with `details`; `eval --features`).
    #[serde(skip)]
    pub feature_rows: Vec<super::segments::FeatureRow>,
}

/// Link scores split by whether the link carries an injected error.
#[derive(Debug, Clone, Default)]
pub struct LinkScores {
    pub clean: Vec<f64>,
    pub injected: Vec<f64>,
}

/// For every alignment link of `report`, the labelled error types it carries (by the labels'
/// sentence texts); empty for a clean link.
pub fn labelled_kinds<'a>(pair: &'a LabelledPair, report: &Report) -> Vec<Vec<&'a str>> {
    let joined = |ids: &[usize], side: &[SentenceOut]| {
        ids.iter()
            .filter_map(|&i| side.get(i))
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    report
        .alignments
        .iter()
        .map(|a| {
            let src = joined(&a.source, &report.source_sentences);
            let tgt = joined(&a.target, &report.target_sentences);
            pair.labels
                .errors
                .iter()
                .filter(|e| {
                    (!src.is_empty() && overlaps(e.source_text.as_deref(), &src))
                        || (!tgt.is_empty() && overlaps(e.target_text.as_deref(), &tgt))
                })
                .map(|e| e.kind.as_str())
                .collect()
        })
        .collect()
}

/// Sorts every alignment link of `report` into clean or injected by the labels' sentence texts.
fn collect_scores(pair: &LabelledPair, report: &Report, into: &mut LinkScores) {
    for (a, kinds) in report.alignments.iter().zip(labelled_kinds(pair, report)) {
        if kinds.is_empty() {
            into.clean.push(a.score);
        } else {
            into.injected.push(a.score);
        }
    }
}

/// Every link of `report` that has quality-estimate features, labelled by the pair's labels.
fn collect_features(
    pair: &LabelledPair,
    lang: &str,
    report: &Report,
    into: &mut Vec<super::segments::FeatureRow>,
) {
    for (k, (a, kinds)) in report
        .alignments
        .iter()
        .zip(labelled_kinds(pair, report))
        .enumerate()
    {
        let Some(m) = &a.qe_features else { continue };
        into.push(super::segments::FeatureRow {
            file: pair.name.clone(),
            pair: lang.to_string(),
            line: k,
            bad: !kinds.is_empty(),
            features: crate::qe::in_order(m),
        });
    }
}

/// Reads a labelled pair's two documents in their labelled languages.
pub fn load_pair(pair: &LabelledPair, opts: &CheckOptions) -> Result<(Document, Document)> {
    let load = |file: &str, lang: &str| {
        load_document(&pair.dir.join(file), Some(lang), opts.max_input_bytes)
    };
    Ok((
        load("source.txt", &pair.labels.src_lang)?,
        load("target.txt", &pair.labels.tgt_lang)?,
    ))
}

/// Several models side by side: the ALL row of each model's table.
pub fn comparison(results: &[EvalResult]) -> String {
    let mut o = format!(
        "{:<44} {:>6} {:>7} {:>7} {:>8}\n",
        "model", "recall", "FA/100", "verdict", "sent/s"
    );
    for r in results {
        let m = &r.all;
        o += &format!(
            "{:<44} {:>6} {:>7} {:>7} {:>8.1}\n",
            r.model,
            pct(m.recall_all.value()),
            m.false_alarms_text(),
            pct(m.verdict.value()),
            m.sentences_per_s()
        );
    }
    o
}

/// Runs the checker on every pair of `pairs`; `report_dir` keeps each JSON report when given.
pub fn evaluate(
    embedder: &Embedder,
    pairs: &[LabelledPair],
    opts: &CheckOptions,
    report_dir: Option<&Path>,
) -> Result<EvalResult> {
    let mut res = EvalResult {
        model: embedder.info.id.clone(),
        ..Default::default()
    };
    for pair in pairs {
        let started = std::time::Instant::now();
        let (src, tgt) = load_pair(pair, opts)?;
        let report = check::check_documents(embedder, &src, &tgt, opts)?;
        let secs = started.elapsed().as_secs_f64();
        if let Some(dir) = report_dir {
            crate::util::fs::write_atomic(
                &dir.join(format!("{}.json", pair.name)),
                report.to_json().as_bytes(),
            )?;
        }
        let lang = format!("{}-{}", pair.labels.src_lang, pair.labels.tgt_lang);
        res.by_lang
            .entry(lang.clone())
            .or_default()
            .add(pair, &report, secs);
        res.all.add(pair, &report, secs);
        collect_scores(pair, &report, &mut res.link_scores);
        collect_features(pair, &lang, &report, &mut res.feature_rows);
        for err in &pair.labels.errors {
            if !detected(err, &report.findings, Severity::Warning) {
                let text = err
                    .target_text
                    .clone()
                    .or(err.source_text.clone())
                    .unwrap_or_default();
                res.misses.push((pair.name.clone(), err.kind.clone(), text));
            }
        }
    }
    Ok(res)
}

fn pct(r: Option<f64>) -> String {
    r.map_or("    -".into(), |v| format!("{:5.1}", 100.0 * v))
}

/// A plain-text table: recall per type, false alarms per 100 clean target sentences, verdict accuracy.
pub fn table(res: &EvalResult) -> String {
    // Each type's column is as wide as its name, so headers never run together.
    let width = |t: &str| t.len().max(6);
    let mut o = String::new();
    o.push_str(&format!("model {}\n", res.model));
    o.push_str(&format!("{:<8} {:>5}", "pair", "pairs"));
    for t in ERROR_TYPES {
        o.push_str(&format!(" {t:>w$}", w = width(t)));
    }
    o.push_str(&format!(
        "  {:>5}  {:>6} {:>7}  {:>6}\n",
        "all", "FA/100", "verdict", "sent/s"
    ));
    let rows = res
        .by_lang
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain(std::iter::once(("ALL", &res.all)));
    for (name, m) in rows {
        o.push_str(&format!("{:<8} {:>5}", name, m.pairs));
        for t in ERROR_TYPES {
            let cell = pct(m.recall.get(*t).and_then(Ratio::value));
            o.push_str(&format!(" {cell:>w$}", w = width(t)));
        }
        o.push_str(&format!(
            "  {:>5}  {:>6} {:>7}  {:>6.1}\n",
            pct(m.recall_all.value()),
            m.false_alarms_text(),
            pct(m.verdict.value()),
            m.sentences_per_s()
        ));
    }
    o.push_str("recall % of labelled errors found (warning or error); FA/100: error findings per 100 target sentences of clean pairs; verdict: accuracy %\n");
    if !res.all.recall_subtype.is_empty() {
        o.push_str("recall by subtype:");
        for (sub, r) in &res.all.recall_subtype {
            o.push_str(&format!(
                " {sub} {} ({}/{})",
                pct(r.value()).trim(),
                r.hit,
                r.total
            ));
        }
        o.push('\n');
    }
    let m = &res.all;
    if m.clean_target_sentences > 0 {
        o.push_str(&format!(
            "warnings on clean pairs: {} ({:.2} per 100 target sentences)\n",
            m.clean_warnings,
            100.0 * m.clean_warnings as f64 / m.clean_target_sentences as f64
        ));
    }
    o
}

/// Overrides one threshold or alignment parameter, `NAME=VALUE` (`eval --tune`), for tuning
/// runs on a development set.
pub fn tune(opts: &mut CheckOptions, spec: &str) -> Result<()> {
    let usage = |what: &str| Error::Usage(format!("--tune {spec}: {what}"));
    let (k, v) = spec
        .split_once('=')
        .ok_or_else(|| usage("expected NAME=VALUE"))?;
    let v: f32 = v.parse().map_err(|_| usage("not a number"))?;
    let t = &mut opts.thresholds;
    let a = &mut opts.align;
    match k {
        "threshold" => a.threshold = v,
        "merge_cost" => a.merge_cost = v,
        "wide_merge_cost" => a.wide_merge_cost = v,
        "z_mid" => t.z_mid = v,
        "z_scale" => t.z_scale = v,
        "mistranslation_error_z" => t.mistranslation_error_z = v,
        "mistranslation_warning_z" => t.mistranslation_warning_z = v,
        "absorbed_gain" => t.absorbed_gain = v,
        "outlier_max_z" => t.outlier_max_z = v,
        "min_merge_gain" => t.min_merge_gain = v,
        _ => return Err(Error::Usage(format!("--tune {k}: unknown parameter"))),
    }
    Ok(())
}

/// A model id as a folder name (`intfloat/multilingual-e5-small` →
/// `intfloat_multilingual-e5-small`).
pub fn safe_name(model: &str) -> String {
    model
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_table_headers_are_whole_words_over_their_columns() {
        let mut res = EvalResult {
            model: "m".into(),
            ..Default::default()
        };
        res.all.pairs = 3;
        let t = table(&res);
        let lines: Vec<&str> = t.lines().collect();
        for name in ERROR_TYPES {
            assert!(
                lines[1].split_whitespace().any(|w| w == *name),
                "{}",
                lines[1]
            );
        }
        // Every row is as long as the header up to the last column.
        assert_eq!(
            lines[1].find("sent/s").map(|i| i + "sent/s".len()),
            Some(lines[2].len()),
            "{t}"
        );
    }

    #[test]
    fn tune_sets_a_named_parameter_and_names_the_flag_on_mistakes() {
        let mut opts = CheckOptions::default();
        tune(&mut opts, "z_mid=1.5").unwrap();
        tune(&mut opts, "threshold=0.25").unwrap();
        assert_eq!(opts.thresholds.z_mid, 1.5);
        assert_eq!(opts.align.threshold, 0.25);
        for bad in ["z_mid", "z_mid=x", "nope=1"] {
            let e = tune(&mut opts, bad).unwrap_err().to_string();
            assert!(e.starts_with("--tune "), "{e}");
        }
    }

    #[test]
    fn model_ids_become_single_folder_names() {
        assert_eq!(
            safe_name("intfloat/multilingual-e5-small"),
            "intfloat_multilingual-e5-small"
        );
        assert_eq!(safe_name("../x y"), ".._x_y");
    }
}
