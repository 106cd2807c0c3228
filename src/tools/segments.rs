//! Segment-level quality estimation measured as the WMT shared tasks do: a bilingual segment file
//! (TSV or JSONL) whose rows carry a gold `label` (OK/BAD, or a quality score with a threshold
//! saying which scores are BAD), checked as one file; ROC AUC of the per-segment estimate, MCC,
//! precision and recall of mtcheck's own flags, and with scores the estimate's Pearson and
//! Spearman correlations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::model::Embedder;
use crate::pipeline::check::{self, CheckOptions};
use crate::pipeline::input::load_segments;
use crate::report::Report;

/// Reads a gold label: OK/BAD as WMT writes them (also NOT/ERR, 0/1, true/false, good/bad).
fn parse_label(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "ok" | "not" | "0" | "false" | "good" => Some(false),
        "bad" | "err" | "1" | "true" => Some(true),
        _ => None,
    }
}

/// A segment's gold label: BAD or not, and the score it came from when the file gives scores.
pub type Gold = (bool, Option<f64>);

/// The gold label of every row of a segment file, by line number (as the readers number
/// segments). TSV: a header row with a `label` column; JSONL: a `label` key per object. Labels
/// are OK/BAD (`parse_label`), or quality scores (any number; higher is better, as direct
/// assessments): then `bad_below` says which are BAD, and a file of scores without it is refused
/// with an error naming `--bad-below`.
pub fn read_labels(path: &Path, bad_below: Option<f64>) -> Result<BTreeMap<usize, Gold>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e.to_string()))?;
    let err = |what: String| Error::input(path, what);
    let jsonl = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jsonl" | "ndjson"));
    // Each labelled line's label as written.
    let mut cells: Vec<(usize, String)> = Vec::new();
    if jsonl {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| err(format!("line {}: not valid JSON ({e})", i + 1)))?;
            let label = match v.get("label") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let label = label.ok_or_else(|| {
                err(format!(
                    "line {}: needs a \"label\" (OK or BAD, or a score) for `mtcheck eval`",
                    i + 1
                ))
            })?;
            cells.push((i + 1, label));
        }
    } else {
        let mut rows = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let column = rows
            .next()
            .and_then(|(_, h)| {
                h.trim_end_matches('\r')
                    .split('\t')
                    .position(|c| c.trim().eq_ignore_ascii_case("label"))
            })
            .ok_or_else(|| {
                err("has no `label` column in its header row (needed by `mtcheck eval`)".into())
            })?;
        for (i, row) in rows {
            let cell = row.trim_end_matches('\r').split('\t').nth(column);
            cells.push((i + 1, cell.unwrap_or("").to_string()));
        }
    }
    if cells.is_empty() {
        return Err(err("has no labelled segments".into()));
    }
    // Scores as soon as one label is a number other than 0 and 1 (0 and 1 alone are OK/BAD).
    let score = |c: &str| c.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let scores = cells
        .iter()
        .any(|(_, c)| parse_label(c).is_none() && score(c).is_some());
    let mut out = BTreeMap::new();
    for (line, cell) in cells {
        let gold = if scores {
            let v = score(&cell).ok_or_else(|| {
                err(format!(
                    "line {line}: label {cell:?} is not a score like the others"
                ))
            })?;
            let below = bad_below.ok_or_else(|| {
                err(format!(
                    "line {line}: label {cell:?} is a score; give --bad-below SCORE to count \
                     segments scoring under SCORE as BAD"
                ))
            })?;
            (v < below, Some(v))
        } else {
            let bad = parse_label(&cell)
                .ok_or_else(|| err(format!("line {line}: label {cell:?} is not OK or BAD")))?;
            (bad, None)
        };
        out.insert(line, gold);
    }
    Ok(out)
}

/// One segment's gold label and what mtcheck said about it.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentRow {
    pub line: usize,
    pub bad: bool,
    /// The gold score, when the file gives scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Higher is worse: the learned estimate when the model has one, else 1 - score/100.
    pub estimate: f64,
    /// A warning or an error on the segment.
    pub flagged: bool,
    /// An error on the segment.
    pub error: bool,
    /// The estimator's features (`qe::FEATURES` order), when the check computed them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<f32>>,
}

/// Binary classification counts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

impl Confusion {
    pub fn of(pairs: impl Iterator<Item = (bool, bool)>) -> Self {
        let mut c = Confusion::default();
        for (predicted, bad) in pairs {
            match (predicted, bad) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// Matthews correlation coefficient (0 when a margin is empty).
    pub fn mcc(&self) -> f64 {
        let (tp, fp, tn, fn_) = (
            self.tp as f64,
            self.fp as f64,
            self.tn as f64,
            self.fn_ as f64,
        );
        let d = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
        if d == 0.0 {
            0.0
        } else {
            (tp * tn - fp * fn_) / d
        }
    }

    pub fn precision(&self) -> Option<f64> {
        (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64)
    }

    pub fn recall(&self) -> Option<f64> {
        (self.tp + self.fn_ > 0).then(|| self.tp as f64 / (self.tp + self.fn_) as f64)
    }
}

/// Area under the ROC curve of `scores` (higher = more likely bad) against `bad`: the chance a
/// random bad segment scores above a random good one, ties counting half. `None` without both.
pub fn roc_auc(scores: &[f64], bad: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (n_bad, n_good) = (
        bad.iter().filter(|&&b| b).count(),
        bad.iter().filter(|&&b| !b).count(),
    );
    if n_bad == 0 || n_good == 0 {
        return None;
    }
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += idx[i..=j].iter().filter(|&&k| bad[k]).count() as f64 * rank;
        i = j + 1;
    }
    let u = rank_sum - (n_bad * (n_bad + 1)) as f64 / 2.0;
    Some(u / (n_bad * n_good) as f64)
}

/// Pearson's correlation of `x` and `y`; `None` with fewer than two pairs or no spread.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mean = |v: &[f64]| v[..n].iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for k in 0..n {
        let (dx, dy) = (x[k] - mx, y[k] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        for &k in &idx[i..=j] {
            out[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation of `x` and `y` (Pearson's on their ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Pearson's and Spearman's correlations of the rows' quality (1 − estimate) with their gold
/// scores; `None` where the rows have no scores.
fn correlations(rows: &[SegmentRow]) -> (Option<f64>, Option<f64>) {
    let (quality, score): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .filter_map(|r| Some((1.0 - r.estimate, r.score?)))
        .unzip();
    (pearson(&quality, &score), spearman(&quality, &score))
}

/// The measurement of one segment file.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentResult {
    pub file: PathBuf,
    pub language_pair: String,
    pub segments: usize,
    pub bad: usize,
    /// "learned" when the estimate is the quality estimator's, "similarity" otherwise.
    pub estimate: String,
    pub roc_auc: Option<f64>,
    /// With gold scores: Pearson's and Spearman's correlations of 1 − estimate with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pearson: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spearman: Option<f64>,
    /// mtcheck's warnings and errors as the flag.
    pub flags: Confusion,
    /// Errors alone as the flag.
    pub errors: Confusion,
    pub seconds: f64,
    #[serde(skip)]
    pub rows: Vec<SegmentRow>,
}

/// Pairs each labelled segment with the report's link and findings for it.
pub fn rows(report: &Report, lines: &[usize], labels: &BTreeMap<usize, Gold>) -> Vec<SegmentRow> {
    let mut out = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        let Some(&(bad, score)) = labels.get(line) else {
            continue;
        };
        let link = report
            .alignments
            .iter()
            .find(|a| a.source.contains(&k) && !a.target.is_empty());
        let estimate = link.map_or(1.0, |a| a.qe.unwrap_or(1.0 - a.score / 100.0));
        let on = |min: Severity| {
            report
                .findings
                .iter()
                .any(|f| f.severity >= min && (f.source.contains(&k) || f.target.contains(&k)))
        };
        let features = link
            .and_then(|a| a.qe_features.as_ref())
            .map(crate::qe::in_order);
        out.push(SegmentRow {
            line: *line,
            bad,
            score,
            estimate,
            flagged: on(Severity::Warning),
            error: on(Severity::Error),
            features,
        });
    }
    out
}

/// Checks a labelled segment file and measures the estimate and the flags against its labels
/// (`bad_below`: see `read_labels`).
pub fn evaluate(
    embedder: &Embedder,
    path: &Path,
    opts: &CheckOptions,
    bad_below: Option<f64>,
) -> Result<SegmentResult> {
    let started = std::time::Instant::now();
    let labels = read_labels(path, bad_below)?;
    let pair = load_segments(
        path,
        opts.src_lang.as_deref(),
        opts.tgt_lang.as_deref(),
        opts.max_input_bytes,
    )?;
    let report = check::check_segments(embedder, &pair, opts)?;
    let lines: Vec<usize> = pair.src.sentences.iter().map(|s| s.line).collect();
    let rows = rows(&report, &lines, &labels);
    Ok(SegmentResult::measure(
        path.to_path_buf(),
        crate::reference::lang_key(&pair.src.lang, &pair.tgt.lang),
        report.quality_estimate.method.replace("off", "similarity"),
        started.elapsed().as_secs_f64(),
        rows,
    ))
}

fn num(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

/// All files' segments as one (the table's `ALL` row).
pub fn pool(results: &[SegmentResult]) -> SegmentResult {
    let mut pairs: Vec<&str> = results.iter().map(|r| r.language_pair.as_str()).collect();
    pairs.dedup();
    SegmentResult::measure(
        PathBuf::from("ALL"),
        if pairs.len() == 1 {
            pairs[0].to_string()
        } else {
            "*".into()
        },
        results
            .first()
            .map_or_else(String::new, |r| r.estimate.clone()),
        results.iter().map(|r| r.seconds).sum(),
        results.iter().flat_map(|r| r.rows.clone()).collect(),
    )
}

/// A plain-text table, one row per file, and an `ALL` row pooling them when there are several.
pub fn table(results: &[SegmentResult]) -> String {
    let mut o = format!(
        "{:<36} {:>5} {:>8} {:>5} {:>6} {:>10} {:>6} {:>6} {:>6} {:>10} {:>6}\n",
        "file", "pair", "segments", "BAD", "AUC", "estimate", "MCC", "P", "R", "MCC(err)", "seg/s"
    );
    let pooled = (results.len() > 1).then(|| pool(results));
    for r in results.iter().chain(pooled.as_ref()) {
        let name = r.file.file_name().map_or_else(
            || r.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        o += &format!(
            "{:<36} {:>5} {:>8} {:>5} {:>6} {:>10} {:>6.3} {:>6} {:>6} {:>10.3} {:>6.1}\n",
            name,
            r.language_pair,
            r.segments,
            r.bad,
            num(r.roc_auc),
            r.estimate,
            r.flags.mcc(),
            num(r.flags.precision()),
            num(r.flags.recall()),
            r.errors.mcc(),
            r.segments as f64 / r.seconds.max(1e-9)
        );
    }
    o.push_str("AUC: ROC AUC of the estimate (higher = worse) against the gold label; MCC, P, R: mtcheck's warnings and errors as the flag; MCC(err): errors alone; ALL: every file's segments pooled\n");
    for r in results.iter().chain(pooled.as_ref()) {
        if r.pearson.is_some() || r.spearman.is_some() {
            o += &format!(
                "{}: 1 - estimate against the gold score: Pearson {}, Spearman {}\n",
                r.file.display(),
                num(r.pearson),
                num(r.spearman)
            );
        }
    }
    o
}

/// One labelled link's features, a row of a features file.
#[derive(Debug, Clone)]
pub struct FeatureRow {
    /// The segment file or labelled pair it comes from.
    pub file: String,
    pub pair: String,
    /// The segment's line, or the link's index in a pair's report.
    pub line: usize,
    pub bad: bool,
    pub features: Vec<f32>,
}

impl SegmentResult {
    /// The measurement of `rows`: the estimate's AUC and correlations, the flags' counts.
    fn measure(
        file: PathBuf,
        language_pair: String,
        estimate: String,
        seconds: f64,
        rows: Vec<SegmentRow>,
    ) -> Self {
        let scores: Vec<f64> = rows.iter().map(|r| r.estimate).collect();
        let bad: Vec<bool> = rows.iter().map(|r| r.bad).collect();
        let (pearson, spearman) = correlations(&rows);
        SegmentResult {
            file,
            language_pair,
            segments: rows.len(),
            bad: bad.iter().filter(|&&b| b).count(),
            estimate,
            roc_auc: roc_auc(&scores, &bad),
            pearson,
            spearman,
            flags: Confusion::of(rows.iter().map(|r| (r.flagged, r.bad))),
            errors: Confusion::of(rows.iter().map(|r| (r.error, r.bad))),
            seconds,
            rows,
        }
    }

    /// The rows with features (checked with `details`).
    pub fn feature_rows(&self) -> Vec<FeatureRow> {
        let name = self
            .file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        self.rows
            .iter()
            .filter_map(|row| {
                Some(FeatureRow {
                    file: name.clone(),
                    pair: self.language_pair.clone(),
                    line: row.line,
                    bad: row.bad,
                    features: row.features.clone()?,
                })
            })
            .collect()
    }
}

/// Writes labelled feature rows as TSV (`train-qe` reads it): file, pair, line, label, then
/// `qe::FEATURES` by name.
pub fn features_tsv(rows: &[FeatureRow]) -> String {
    let mut o = String::from("file\tpair\tline\tlabel");
    for n in crate::qe::FEATURES {
        o.push('\t');
        o.push_str(n);
    }
    o.push('\n');
    for row in rows {
        o += &format!(
            "{}\t{}\t{}\t{}",
            row.file,
            row.pair,
            row.line,
            if row.bad { "BAD" } else { "OK" }
        );
        for v in &row.features {
            o += &format!("\t{v}");
        }
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_auc_counts_ties_half_and_needs_both_classes() {
        assert_eq!(
            roc_auc(&[0.9, 0.8, 0.1, 0.2], &[true, true, false, false]),
            Some(1.0)
        );
        assert_eq!(
            roc_auc(&[0.1, 0.2, 0.9, 0.8], &[true, true, false, false]),
            Some(0.0)
        );
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        // One of the two bad ones above both good ones, the other between them.
        assert_eq!(
            roc_auc(&[0.9, 0.5, 0.6, 0.1], &[true, true, false, false]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[0.5, 0.4], &[true, true]), None);
    }

    #[test]
    fn the_all_row_pools_the_segments_of_every_file() {
        let row = |bad: bool, estimate: f64| SegmentRow {
            line: 1,
            bad,
            score: None,
            estimate,
            flagged: estimate > 0.5,
            error: false,
            features: None,
        };
        let result = |name: &str, rows: Vec<SegmentRow>| SegmentResult {
            file: PathBuf::from(name),
            language_pair: "en-de".into(),
            segments: rows.len(),
            bad: rows.iter().filter(|r| r.bad).count(),
            estimate: "learned".into(),
            roc_auc: None,
            pearson: None,
            spearman: None,
            flags: Confusion::default(),
            errors: Confusion::default(),
            seconds: 1.0,
            rows,
        };
        let a = result("a.tsv", vec![row(true, 0.9), row(false, 0.1)]);
        let b = result("b.tsv", vec![row(true, 0.2), row(false, 0.3)]);
        let all = pool(&[a.clone(), b.clone()]);
        assert_eq!((all.segments, all.bad), (4, 2));
        assert_eq!(all.roc_auc, Some(0.75));
        assert_eq!((all.flags.tp, all.flags.fn_), (1, 1));
        let t = table(&[a, b]);
        assert!(t.lines().any(|l| l.starts_with("ALL ")), "{t}");
        assert_eq!(
            table(&[all])
                .lines()
                .filter(|l| l.starts_with("ALL "))
                .count(),
            1
        );
    }

    #[test]
    fn mcc_is_one_for_perfect_flags_and_zero_without_predictions() {
        let c = Confusion::of([(true, true), (false, false)].into_iter());
        assert!((c.mcc() - 1.0).abs() < 1e-12);
        let none = Confusion::of([(false, true), (false, false)].into_iter());
        assert_eq!(none.mcc(), 0.0);
        assert_eq!(none.precision(), None);
        assert_eq!(none.recall(), Some(0.0));
    }

    #[test]
    fn labels_come_from_the_label_column_or_key_and_bad_ones_name_the_line() {
        let dir = std::env::temp_dir().join(format!("mtcheck-seglabels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tsv = dir.join("a.tsv");
        std::fs::write(&tsv, "source\ttarget\tlabel\na\tb\tOK\n\nc\td\tBAD\n").unwrap();
        let l = read_labels(&tsv, None).unwrap();
        assert_eq!(
            l.into_iter().collect::<Vec<_>>(),
            [(2, (false, None)), (4, (true, None))]
        );
        let jsonl = dir.join("a.jsonl");
        std::fs::write(
            &jsonl,
            "{\"source\":\"a\",\"target\":\"b\",\"label\":\"ERR\"}\n{\"source\":\"a\",\"target\":\"b\",\"label\":0}\n",
        )
        .unwrap();
        let l = read_labels(&jsonl, None).unwrap();
        assert_eq!(
            l.into_iter().collect::<Vec<_>>(),
            [(1, (true, None)), (2, (false, None))]
        );
        std::fs::write(&tsv, "source\ttarget\tlabel\na\tb\tmaybe\n").unwrap();
        let e = read_labels(&tsv, None).unwrap_err().to_string();
        assert!(e.contains("a.tsv") && e.contains("line 2"), "{e}");
        std::fs::write(&tsv, "source\ttarget\na\tb\n").unwrap();
        let e = read_labels(&tsv, None).unwrap_err().to_string();
        assert!(e.contains("label"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn score_labels_need_a_threshold_and_are_measured_by_correlation() {
        // Issue 16: `eval` takes a gold label of OK/BAD "or a score" (direct assessments).
        let dir = std::env::temp_dir().join(format!("mtcheck-segscores-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tsv = dir.join("da.tsv");
        std::fs::write(
            &tsv,
            "source\ttarget\tlabel\na\tb\t-1.25\nc\td\t0.5\ne\tf\t1\n",
        )
        .unwrap();
        let e = read_labels(&tsv, None).unwrap_err().to_string();
        assert!(e.contains("da.tsv") && e.contains("--bad-below"), "{e}");
        let l = read_labels(&tsv, Some(0.0)).unwrap();
        assert_eq!(
            l.into_iter().collect::<Vec<_>>(),
            [
                (2, (true, Some(-1.25))),
                (3, (false, Some(0.5))),
                (4, (false, Some(1.0)))
            ]
        );
        std::fs::write(&tsv, "source\ttarget\tlabel\na\tb\t0.3\nc\td\tBAD\n").unwrap();
        let e = read_labels(&tsv, Some(0.0)).unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), None);
        // Monotonic but not linear: Spearman 1, Pearson below it.
        let (x, y) = ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 40.0]);
        assert_eq!(spearman(&x, &y), Some(1.0));
        assert!(pearson(&x, &y).is_some_and(|r| r < 0.9));
        // Ties share their rank.
        assert_eq!(ranks(&[3.0, 1.0, 3.0]), [2.5, 1.0, 2.5]);
        // The estimate is higher for worse segments: a perfect one correlates +1 with scores.
        let row = |estimate: f64, score: f64| SegmentRow {
            line: 1,
            bad: score < 0.0,
            score: Some(score),
            estimate,
            flagged: false,
            error: false,
            features: None,
        };
        let rows = [row(0.9, -2.0), row(0.5, 0.0), row(0.1, 1.5)];
        assert_eq!(correlations(&rows).1, Some(1.0));
    }
}
