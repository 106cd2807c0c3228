//! Detection quality on a labelled set: one folder per pair (`source.txt`, `target.txt`,
//! `labels.json`), findings matched to labels by kind and overlapping sentence text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::{self, CheckOptions};
use crate::checks::{Finding, Kind, Severity};
use crate::error::{Error, Result};
use crate::model::Embedder;
use crate::report::Report;
use crate::score::Verdict;

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
    findings
        .iter()
        .filter(|f| f.severity >= min && kinds.contains(&f.kind))
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
    /// Error-severity findings on clean pairs, and those pairs' target sentences.
    pub clean_errors: usize,
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
            self.recall_all.add(hit);
        }
        let clean = pair.labels.errors.is_empty();
        if clean {
            self.clean_errors += report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
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
    let joined = |ids: &[usize], side: &[crate::report::SentenceOut]| {
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

/// Reads a labelled pair's two documents in their labelled languages.
pub fn load_pair(
    pair: &LabelledPair,
    opts: &CheckOptions,
) -> Result<(check::Document, check::Document)> {
    let load = |file: &str, lang: &str| {
        check::load_document(&pair.dir.join(file), Some(lang), opts.max_input_bytes)
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

/// An SVG of the score distributions per model: clean links against links with injected errors,
/// as histograms over 0-100 in 5-point bins, one panel per model. Self-contained (no fonts or
/// scripts), so it renders on GitHub and in any browser.
pub fn plot_svg(results: &[EvalResult]) -> String {
    const W: f64 = 640.0;
    const PANEL: f64 = 220.0;
    const BINS: usize = 20;
    let (left, right, top) = (50.0, 20.0, 30.0);
    let height = top + PANEL * results.len() as f64 + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"18\" font-size=\"13\">Link scores: clean links (blue) vs injected errors (red), share of each class per 5-point bin</text>\n"
    );
    let plot_w = W - left - right;
    for (k, r) in results.iter().enumerate() {
        let y0 = top + PANEL * k as f64;
        let base = y0 + PANEL - 40.0;
        let h = PANEL - 70.0;
        let hist = |xs: &[f64]| {
            let mut b = [0f64; BINS];
            for &x in xs {
                let i = ((x / 100.0 * BINS as f64) as usize).min(BINS - 1);
                b[i] += 1.0;
            }
            let n = xs.len().max(1) as f64;
            b.map(|c| c / n)
        };
        let (clean, injected) = (hist(&r.link_scores.clean), hist(&r.link_scores.injected));
        let peak = clean.iter().chain(&injected).cloned().fold(0.01, f64::max);
        svg += &format!(
            "<text x=\"{left}\" y=\"{}\">{} — {} clean links, {} with injected errors</text>\n",
            y0 + 16.0,
            crate::report::junit::escape(&r.model),
            r.link_scores.clean.len(),
            r.link_scores.injected.len()
        );
        let bw = plot_w / BINS as f64;
        for (i, (c, e)) in clean.iter().zip(&injected).enumerate() {
            let x = left + bw * i as f64;
            for (v, colour, dx) in [(c, "#3b6fb6", 0.0), (e, "#c8453b", bw / 2.0)] {
                let bh = v / peak * h;
                svg += &format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.8\"/>\n",
                    x + dx + 1.0,
                    base - bh,
                    bw / 2.0 - 1.0,
                    bh
                );
            }
        }
        svg += &format!(
            "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"black\"/>\n",
            left + plot_w
        );
        for t in (0..=100).step_by(10) {
            let x = left + plot_w * t as f64 / 100.0;
            svg += &format!(
                "<line x1=\"{x:.1}\" y1=\"{base}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"black\"/><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{t}</text>\n",
                base + 4.0,
                base + 16.0
            );
        }
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">link score</text>\n",
            left + plot_w / 2.0,
            base + 30.0
        );
    }
    svg + "</svg>\n"
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
            crate::report::write_atomic(
                &dir.join(format!("{}.json", pair.name)),
                report.to_json().as_bytes(),
            )?;
        }
        let lang = format!("{}-{}", pair.labels.src_lang, pair.labels.tgt_lang);
        res.by_lang
            .entry(lang)
            .or_default()
            .add(pair, &report, secs);
        res.all.add(pair, &report, secs);
        collect_scores(pair, &report, &mut res.link_scores);
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
    let mut o = String::new();
    o.push_str(&format!("model {}\n", res.model));
    o.push_str(&format!("{:<8} {:>5} ", "pair", "pairs"));
    for t in ERROR_TYPES {
        o.push_str(&format!("{:>6}", &t[..t.len().min(6)]));
    }
    o.push_str("    all  FA/100 verdict  sent/s\n");
    let rows = res
        .by_lang
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain(std::iter::once(("ALL", &res.all)));
    for (name, m) in rows {
        o.push_str(&format!("{:<8} {:>5} ", name, m.pairs));
        for t in ERROR_TYPES {
            o.push_str(&format!(
                " {}",
                pct(m.recall.get(*t).and_then(Ratio::value))
            ));
        }
        o.push_str(&format!(
            "  {}  {:>6} {}  {:>6.1}\n",
            pct(m.recall_all.value()),
            m.false_alarms_text(),
            pct(m.verdict.value()),
            m.sentences_per_s()
        ));
    }
    o.push_str("recall % of labelled errors found (warning or error); FA/100: error findings per 100 target sentences of clean pairs; verdict: accuracy %\n");
    o
}

#[cfg(test)]
mod plot_tests {
    use super::*;

    #[test]
    fn the_plot_is_well_formed_svg_with_a_panel_per_model_and_bars_where_scores_are() {
        let mut a = EvalResult {
            model: "m<1>".into(),
            ..Default::default()
        };
        a.link_scores.clean = vec![95.0, 97.0, 99.9, 100.0];
        a.link_scores.injected = vec![3.0, 12.0];
        let b = EvalResult {
            model: "m2".into(),
            ..Default::default()
        };
        let svg = plot_svg(&[a, b]);
        // Well-formed XML, and the model name escaped.
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut rects = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Empty(e)) if e.name().as_ref() == b"rect" => {
                    rects += 1
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{svg}"),
            }
        }
        assert!(svg.contains("m&lt;1&gt; — 4 clean links, 2 with injected errors"));
        // Background plus two bars per bin per panel.
        assert_eq!(rects, 1 + 2 * 20 * 2);
        // The tallest clean bar is the 95-100 bin (4 of 4 clean scores), full height.
        assert!(svg.contains("height=\"150.0\" fill=\"#3b6fb6\""), "{svg}");
    }
}
