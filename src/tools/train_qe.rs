//! Fits the quality estimator (`qe::Estimator`): an L2-regularised logistic regression over the
//! standardised link features that `mtcheck eval --features` writes, by Newton's method (a fixed
//! number of steps in a fixed order, so the same features give the same weights bit for bit),
//! and thresholds calibrated per language pair on development rows by the share of good
//! segments they flag.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use crate::error::{Error, Result};
use crate::qe::{self, Encoder, Estimator, Thresholds};
use crate::util::round3;

/// One labelled row of a features file.
#[derive(Debug, Clone)]
pub struct Row {
    pub pair: String,
    pub bad: bool,
    pub x: Vec<f64>,
}

/// Reads a features file (`eval --features`): columns file, pair, line, label, then
/// `qe::FEATURES` by name.
pub fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e.to_string()))?;
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, h)| h.split('\t').collect())
        .unwrap_or_default();
    let col = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| {
            Error::input(
                path,
                format!("has no `{name}` column (write it with `mtcheck eval --features`)"),
            )
        })
    };
    let (pair_col, label_col) = (col("pair")?, col("label")?);
    let cols = qe::FEATURES
        .iter()
        .map(|n| col(n))
        .collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    for (i, line) in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let bad_row = || Error::input(path, format!("line {}: not a features row", i + 1));
        let x = cols
            .iter()
            .map(|&c| {
                cells
                    .get(c)
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(bad_row)
            })
            .collect::<Result<Vec<f64>>>()?;
        let bad = match cells.get(label_col) {
            Some(&"BAD") => true,
            Some(&"OK") => false,
            _ => return Err(bad_row()),
        };
        let pair = cells.get(pair_col).ok_or_else(bad_row)?.to_string();
        rows.push(Row { pair, bad, x });
    }
    Ok(rows)
}

/// Settings of a fit.
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    /// L2 penalty on the standardised weights (not the bias).
    pub l2: f64,
    /// Newton steps.
    pub steps: usize,
    /// The error threshold flags at most this share of good development segments.
    pub error_fpr: f64,
    /// The warning threshold flags at most this share.
    pub warning_fpr: f64,
    /// A language pair gets thresholds of its own with at least this many good dev segments.
    pub min_pair_rows: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            l2: 1.0,
            steps: 30,
            error_fpr: 0.005,
            warning_fpr: 0.03,
            min_pair_rows: 300,
        }
    }
}

/// Solves `a x = b` (a small symmetric positive-definite system) by Gaussian elimination with
/// partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-300 {
            continue;
        }
        for r in c + 1..n {
            let f = a[r][c] / d;
            if f == 0.0 {
                continue;
            }
            let pivot = a[c].clone();
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-300 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

/// Standardisation (mean, scale) of each feature over `rows`; constant features get scale 1.
pub fn standardise(rows: &[Row]) -> (Vec<f64>, Vec<f64>) {
    let d = qe::FEATURES.len();
    let n = rows.len().max(1) as f64;
    let mean: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r.x[j]).sum::<f64>() / n)
        .collect();
    let scale = (0..d)
        .map(|j| {
            let v = rows.iter().map(|r| (r.x[j] - mean[j]).powi(2)).sum::<f64>() / n;
            if v.sqrt() > 1e-9 {
                v.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    (mean, scale)
}

/// Fits weights and bias of a logistic model on standardised rows.
pub fn fit(rows: &[Row], mean: &[f64], scale: &[f64], opts: &FitOptions) -> (Vec<f64>, f64) {
    let d = mean.len();
    // Column 0 is the bias.
    let z: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            std::iter::once(1.0)
                .chain((0..d).map(|j| (r.x[j] - mean[j]) / scale[j]))
                .collect()
        })
        .collect();
    let mut w = vec![0.0; d + 1];
    for _ in 0..opts.steps {
        let mut grad = vec![0.0; d + 1];
        let mut hess = vec![vec![0.0; d + 1]; d + 1];
        for (zi, r) in z.iter().zip(rows) {
            let p = qe::sigmoid(zi.iter().zip(&w).map(|(a, b)| a * b).sum());
            let y = f64::from(u8::from(r.bad));
            let s = (p * (1.0 - p)).max(1e-12);
            for ((g, h), &za) in grad.iter_mut().zip(hess.iter_mut()).zip(zi) {
                *g += (p - y) * za;
                for (hab, &zb) in h.iter_mut().zip(zi) {
                    *hab += s * za * zb;
                }
            }
        }
        // The bias (column 0) is not penalised.
        for a in 1..=d {
            grad[a] += opts.l2 * w[a];
            hess[a][a] += opts.l2;
        }
        let step = solve(hess, grad);
        for (wa, sa) in w.iter_mut().zip(step) {
            *wa -= sa;
        }
    }
    (w[1..].to_vec(), w[0])
}

/// The lowest threshold that flags at most `fpr` of the good rows' estimates.
fn threshold_at_fpr(good: &[f64], fpr: f64) -> f64 {
    let mut g = good.to_vec();
    g.sort_by(|a, b| b.total_cmp(a));
    let allowed = (fpr * g.len() as f64).floor() as usize;
    // Flagging is `estimate >= t`: t just above the (allowed+1)-th highest good estimate.
    match g.get(allowed) {
        Some(&v) => ((v * 1e4).floor() + 1.0) / 1e4,
        None => 0.0,
    }
    .min(1.0)
}

/// Calibrates thresholds per language pair (and `*` pooled) on development rows' estimates.
pub fn calibrate(dev: &[(String, bool, f64)], opts: &FitOptions) -> BTreeMap<String, Thresholds> {
    let mut by_pair: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (pair, bad, p) in dev {
        if !bad {
            by_pair.entry(pair.clone()).or_default().push(*p);
            by_pair.entry("*".into()).or_default().push(*p);
        }
    }
    let at = |g: &[f64]| {
        let error = threshold_at_fpr(g, opts.error_fpr);
        let warning = threshold_at_fpr(g, opts.warning_fpr).min(error);
        Thresholds { error, warning }
    };
    let pooled = at(by_pair.get("*").map_or(&[][..], Vec::as_slice));
    // A pair's own thresholds are never below the pooled ones: where its development text is
    // more literal than most (post-edited sentences), lower ones would make a freer translation
    // of it look wrong.
    by_pair
        .iter()
        .filter(|(k, g)| *k == "*" || g.len() >= opts.min_pair_rows)
        .map(|(k, g)| {
            let own = at(g);
            let error = own.error.max(pooled.error);
            let warning = own.warning.max(pooled.warning).min(error);
            (k.clone(), Thresholds { error, warning })
        })
        .collect()
}

/// What a fit was measured at on development rows, per language pair.
pub fn dev_metrics(
    dev: &[(String, bool, f64)],
    thresholds: &BTreeMap<String, Thresholds>,
) -> serde_json::Value {
    let mut pairs: Vec<String> = dev.iter().map(|(p, ..)| p.clone()).collect();
    pairs.sort();
    pairs.dedup();
    let mut out = serde_json::Map::new();
    for pair in pairs.iter().map(String::as_str).chain(["*"]) {
        let rows: Vec<&(String, bool, f64)> = dev
            .iter()
            .filter(|(p, ..)| pair == "*" || p == pair)
            .collect();
        let t = thresholds
            .get(pair)
            .or_else(|| thresholds.get("*"))
            .copied()
            .unwrap_or(Thresholds {
                error: 1.0,
                warning: 1.0,
            });
        let scores: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let bad: Vec<bool> = rows.iter().map(|r| r.1).collect();
        let flags = super::segments::Confusion::of(rows.iter().map(|r| (r.2 >= t.warning, r.1)));
        let errors = super::segments::Confusion::of(rows.iter().map(|r| (r.2 >= t.error, r.1)));
        out.insert(
            pair.to_string(),
            json!({
                "segments": rows.len(),
                "bad": bad.iter().filter(|&&b| b).count(),
                "roc_auc": super::segments::roc_auc(&scores, &bad).map(round3),
                "mcc_warning": round3(flags.mcc()),
                "mcc_error": round3(errors.mcc()),
                "recall_warning": flags.recall().map(round3),
                "precision_warning": flags.precision().map(round3),
            }),
        );
    }
    serde_json::Value::Object(out)
}

/// Fits an estimator on `train` rows and calibrates its running-text thresholds on `dev` rows
/// and its segment-file thresholds on `dev_segments` rows (none: the running-text ones apply).
pub fn train(
    train: &[Row],
    (dev, dev_segments): (&[Row], &[Row]),
    encoder: Encoder,
    opts: &FitOptions,
    provenance: serde_json::Value,
) -> Result<Estimator> {
    if !train.iter().any(|r| r.bad) || !train.iter().any(|r| !r.bad) {
        return Err(Error::Usage(
            "train-qe: the training rows need both OK and BAD labels".into(),
        ));
    }
    if !dev.iter().any(|r| !r.bad) {
        return Err(Error::Usage(
            "train-qe: the development rows (--dev) need OK rows to calibrate thresholds on".into(),
        ));
    }
    let (mean, scale) = standardise(train);
    let (weights, bias) = fit(train, &mean, &scale, opts);
    let mut e = Estimator {
        format_version: qe::FORMAT_VERSION,
        encoder,
        features: qe::FEATURES.iter().map(|s| s.to_string()).collect(),
        mean,
        scale,
        weights,
        bias,
        thresholds: BTreeMap::new(),
        segment_thresholds: BTreeMap::new(),
        provenance: serde_json::Value::Null,
    };
    let estimates_of = |rows: &[Row]| -> Vec<(String, bool, f64)> {
        rows.iter()
            .map(|r| {
                let x: Vec<f32> = r.x.iter().map(|&v| v as f32).collect();
                (r.pair.clone(), r.bad, e.estimate(&x).probability)
            })
            .collect()
    };
    let estimates = estimates_of(dev);
    let segment_estimates = estimates_of(dev_segments);
    let thresholds = calibrate(&estimates, opts);
    let segment_thresholds = if segment_estimates.iter().any(|r| !r.1) {
        calibrate(&segment_estimates, opts)
    } else {
        BTreeMap::new()
    };
    e.thresholds = thresholds;
    e.segment_thresholds = segment_thresholds;
    let mut prov = provenance;
    if let Some(obj) = prov.as_object_mut() {
        obj.insert("train_rows".into(), json!(train.len()));
        obj.insert(
            "train_bad".into(),
            json!(train.iter().filter(|r| r.bad).count()),
        );
        obj.insert("dev_rows".into(), json!(dev.len()));
        obj.insert("dev".into(), dev_metrics(&estimates, &e.thresholds));
        if !e.segment_thresholds.is_empty() {
            obj.insert("dev_segment_rows".into(), json!(dev_segments.len()));
            obj.insert(
                "dev_segments".into(),
                dev_metrics(&segment_estimates, &e.segment_thresholds),
            );
        }
        obj.insert(
            "fit".into(),
            json!({"l2": opts.l2, "steps": opts.steps, "error_fpr": opts.error_fpr, "warning_fpr": opts.warning_fpr}),
        );
    }
    e.provenance = prov;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Row> {
        // Bad rows have a low cosine (feature 0) and a number finding (feature 16); a
        // deterministic spread keeps the classes overlapping a little.
        (0..n)
            .map(|i| {
                let bad = i % 4 == 0;
                let jitter = ((i * 37) % 11) as f64 / 100.0;
                let mut x = vec![0.5; qe::FEATURES.len()];
                x[0] = if bad { 0.78 + jitter } else { 0.84 + jitter };
                x[16] = if bad && i % 8 == 0 { 1.0 } else { 0.0 };
                Row {
                    pair: if i % 2 == 0 { "en-de" } else { "en-ja" }.into(),
                    bad,
                    x,
                }
            })
            .collect()
    }

    fn encoder() -> Encoder {
        Encoder {
            id: "m".into(),
            dtype: "f32".into(),
            word_layer: 7,
        }
    }

    /// `train` with the default options and no provenance.
    fn fitted(t: &[Row], dev: &[Row], dev_segments: &[Row]) -> Result<Estimator> {
        train(
            t,
            (dev, dev_segments),
            encoder(),
            &FitOptions::default(),
            json!({}),
        )
    }

    #[test]
    fn the_fit_weighs_the_separating_features_and_ranks_bad_rows_higher() {
        let t = rows(400);
        let e = fitted(&t, &rows(200), &[]).unwrap();
        assert!(e.weights[0] < 0.0, "{:?}", e.weights);
        assert!(e.weights[16] > 0.0, "{:?}", e.weights);
        let auc = e.provenance["dev"]["*"]["roc_auc"].as_f64().unwrap();
        assert!(auc > 0.9, "{auc}");
        // The file it writes is one `qe::Estimator::parse` accepts.
        let text = serde_json::to_string(&e).unwrap();
        assert!(Estimator::parse(&text, Path::new("w.json")).is_ok());
        assert!(e.segment_thresholds.is_empty());
        // Segment rows give the segment files their own thresholds.
        let with = fitted(&t, &rows(200), &rows(120)).unwrap();
        assert!(with.segment_thresholds.contains_key("*"));
        assert!(with.provenance["dev_segments"]["*"]["roc_auc"].is_number());
    }

    #[test]
    fn the_same_rows_give_the_same_weights_bit_for_bit() {
        let t = rows(300);
        let a = fitted(&t, &rows(100), &[]).unwrap();
        let b = fitted(&t, &rows(100), &[]).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }

    #[test]
    fn thresholds_flag_at_most_the_allowed_share_of_good_rows() {
        let good: Vec<(String, bool, f64)> = (0..1000)
            .map(|i| ("en-de".to_string(), false, i as f64 / 1000.0))
            .collect();
        let t = calibrate(&good, &FitOptions::default());
        let flagged = |th: f64| good.iter().filter(|r| r.2 >= th).count();
        assert!(flagged(t["*"].error) <= 5, "{:?}", t["*"]);
        assert!(flagged(t["*"].warning) <= 30, "{:?}", t["*"]);
        assert!(flagged(t["*"].warning) >= 25, "{:?}", t["*"]);
        assert!(t.contains_key("en-de"));
    }

    #[test]
    fn a_pairs_own_thresholds_are_never_below_the_pooled_ones() {
        // en-de's good rows all score low, ja's high: en-de alone would flag much lower.
        let rows: Vec<(String, bool, f64)> = (0..1000)
            .map(|i| ("en-de".to_string(), false, i as f64 / 10_000.0))
            .chain((0..1000).map(|i| ("en-ja".to_string(), false, 0.5 + i as f64 / 2000.0)))
            .collect();
        let t = calibrate(&rows, &FitOptions::default());
        assert!(t["en-de"].error >= t["*"].error, "{t:?}");
        assert!(t["en-de"].warning >= t["*"].warning, "{t:?}");
        assert!(t["en-ja"].error >= t["*"].error, "{t:?}");
    }

    #[test]
    fn training_without_both_labels_is_refused() {
        let only_ok: Vec<Row> = rows(40).into_iter().filter(|r| !r.bad).collect();
        assert!(fitted(&only_ok, &only_ok, &[]).is_err());
    }
}
