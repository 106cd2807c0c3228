//! The learned quality estimate of a link: its features (similarity, word alignment, what the
//! checks found in it) and a logistic model over them, loaded from a weights file tied to the
//! encoder that made the features. Training lives in `tools::train_qe`; this module only reads
//! and applies weights.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::finding::{Finding, Kind, Severity};
use crate::wordalign::{AlignedWord, WordAlignment};

/// Name of a weights file inside a model directory (overrides the built-in one).
pub const FILE_NAME: &str = "mtcheck-qe.json";
/// Version of the weights file's shape.
pub const FORMAT_VERSION: u32 = 1;

/// Weights shipped in the binary, by the model's repository id.
pub const BUILT_IN: &[(&str, &str)] = &[(
    "intfloat/multilingual-e5-small",
    // `mtcheck train-qe` (docs/qe.md) with the `models/fetch` copy of the weights.
    include_str!("qe/multilingual-e5-small.json"),
)];

/// The features, in the order `features` returns them and weights files list them.
pub const FEATURES: &[&str] = &[
    "cosine",
    "z",
    "reference_clean_percentile",
    "length_ratio_off",
    "merged",
    "aligned_share",
    "source_unpartnered",
    "target_unpartnered",
    "weakest_source",
    "weakest_target",
    "mean_confidence",
    "content_words",
    "source_unpartnered_run",
    "target_unpartnered_run",
    "target_names_unpartnered",
    "source_names_unpartnered",
    "number_finding",
    "entity_finding",
    "negation_finding",
    "untranslated_finding",
    "truncation_finding",
    "addition_finding",
];

/// What the pipeline knows of one link with both sides, the estimator's input.
pub struct LinkEvidence<'a> {
    pub similarity: f32,
    pub z: f32,
    /// Where the cosine falls among the reference's clean links (0-1), when the model has one.
    pub reference_clean_percentile: Option<f64>,
    /// The link's length ratio against the document's, as |ln|.
    pub length_ratio_off: f32,
    pub merged: bool,
    pub words: Option<&'a WordAlignment>,
    /// Findings about this link (its sentences on both sides).
    pub findings: &'a [&'a Finding],
}

/// 0 without a finding of that kind on the link, 0.5 for a warning (or info), 1 for an error.
fn finding_level(findings: &[&Finding], is: impl Fn(&Finding) -> bool) -> f32 {
    findings
        .iter()
        .filter(|f| is(f))
        .map(|f| {
            if f.severity == Severity::Error {
                1.0
            } else {
                0.5
            }
        })
        .fold(0.0, f32::max)
}

/// A feature vector by name, as the report's `qe_features` holds it.
pub fn by_name(x: &[f32]) -> BTreeMap<String, f32> {
    FEATURES
        .iter()
        .map(|n| n.to_string())
        .zip(x.iter().copied())
        .collect()
}

/// A feature vector in `FEATURES` order from one by name (NaN for a feature it lacks).
pub fn in_order(m: &BTreeMap<String, f32>) -> Vec<f32> {
    FEATURES
        .iter()
        .map(|n| m.get(*n).copied().unwrap_or(f32::NAN))
        .collect()
}

/// The feature vector of a link, in `FEATURES` order.
pub fn features(e: &LinkEvidence) -> Vec<f32> {
    fn content(side: &[AlignedWord]) -> Vec<&AlignedWord> {
        side.iter().filter(|w| w.is_content()).collect()
    }
    let (src, tgt) = e
        .words
        .map(|w| (content(&w.source), content(&w.target)))
        .unwrap_or_default();
    let unpartnered = |side: &[&AlignedWord]| {
        if side.is_empty() {
            0.0
        } else {
            side.iter().filter(|w| w.partners.is_empty()).count() as f32 / side.len() as f32
        }
    };
    let weakest = |side: &[&AlignedWord]| side.iter().map(|w| w.confidence).fold(1.0, f32::min);
    let all: Vec<f32> = src.iter().chain(&tgt).map(|w| w.confidence).collect();
    let mean = if all.is_empty() {
        1.0
    } else {
        all.iter().sum::<f32>() / all.len() as f32
    };
    let level = |is: &dyn Fn(&Finding) -> bool| finding_level(e.findings, is);
    // The longest run of consecutive content words without a partner, as a share of the side's
    // content words: an added or dropped phrase, where scattered gaps are ordinary paraphrase.
    let run = |side: &[&AlignedWord]| {
        let (mut best, mut cur) = (0usize, 0usize);
        for w in side {
            cur = if w.partners.is_empty() { cur + 1 } else { 0 };
            best = best.max(cur);
        }
        if side.is_empty() {
            0.0
        } else {
            best as f32 / side.len() as f32
        }
    };
    // Names (capitalised words after the first word) without a partner: a swapped name.
    let names = |side: &[&AlignedWord]| {
        side.iter()
            .skip(1)
            .filter(|w| {
                w.partners.is_empty() && w.text.chars().next().is_some_and(char::is_uppercase)
            })
            .count() as f32
    };
    vec![
        e.similarity,
        e.z.clamp(-5.0, 5.0),
        e.reference_clean_percentile.unwrap_or(0.5) as f32,
        e.length_ratio_off.min(3.0),
        f32::from(u8::from(e.merged)),
        e.words.map_or(1.0, |w| w.aligned_share() as f32),
        unpartnered(&src),
        unpartnered(&tgt),
        weakest(&src),
        weakest(&tgt),
        mean,
        ((src.len() + tgt.len()) as f32).ln_1p(),
        run(&src),
        run(&tgt),
        names(&tgt).min(3.0),
        names(&src).min(3.0),
        level(&|f| f.kind == Kind::NumberMismatch),
        level(&|f| f.kind == Kind::EntityMismatch),
        level(&|f| f.kind == Kind::Mistranslation && f.evidence.get("negation").is_some()),
        level(&|f| matches!(f.kind, Kind::Untranslated | Kind::WrongLanguage)),
        level(&|f| f.kind == Kind::Truncation),
        level(&|f| matches!(f.kind, Kind::Addition | Kind::Omission)),
    ]
}

/// The encoder whose features the weights were fitted on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Encoder {
    pub id: String,
    /// Number format of the encoder's layers (`f32`, `q8`, …) the features came from.
    pub dtype: String,
    /// The layer the word alignment read.
    pub word_layer: usize,
}

/// Decision thresholds on the estimate for one language pair.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Thresholds {
    /// At or above: a `mistranslation` error.
    pub error: f64,
    /// At or above (and under `error`): a warning.
    pub warning: f64,
}

/// A weights file: a logistic model over standardised features.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Estimator {
    pub format_version: u32,
    pub encoder: Encoder,
    pub features: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// For running text (articles, subtitles): by language pair (`en-de`), `*` for any other.
    pub thresholds: BTreeMap<String, Thresholds>,
    /// For segment files (XLIFF, TMX, PO, TSV, JSONL), calibrated apart: a segment's z is
    /// measured against a file of unrelated segments, not an article's neighbours, and its
    /// estimates run higher. Empty: the running-text ones apply.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub segment_thresholds: BTreeMap<String, Thresholds>,
    /// Where the weights come from (data, command, validation figures).
    #[serde(default)]
    pub provenance: serde_json::Value,
}

/// The weights a check uses, or why links go without them (said in the report).
#[derive(Debug, Clone)]
pub enum Weights {
    Used(std::sync::Arc<Estimator>),
    Off(String),
}

impl Default for Weights {
    fn default() -> Self {
        Weights::Off("no quality-estimate weights loaded".into())
    }
}

impl Weights {
    pub fn estimator(&self) -> Option<&Estimator> {
        match self {
            Weights::Used(e) => Some(e),
            Weights::Off(_) => None,
        }
    }
}

/// The estimate of one link with the features that pushed it up most.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub probability: f64,
    /// Feature names with their contribution to the log-odds, largest first (positive only).
    pub reasons: Vec<(String, f64)>,
}

impl Estimator {
    /// Parses and validates a weights file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let e: Estimator = serde_json::from_str(text).map_err(|err| {
            Error::input(
                origin,
                format!("not a quality-estimate weights file: {err}"),
            )
        })?;
        let n = FEATURES.len();
        let bad = |what: String| Err(Error::input(origin, what));
        if e.format_version != FORMAT_VERSION {
            return bad(format!(
                "weights format {} is not {FORMAT_VERSION}",
                e.format_version
            ));
        }
        if e.features != FEATURES {
            return bad(format!(
                "lists features {:?}; this mtcheck computes {FEATURES:?}",
                e.features
            ));
        }
        if e.mean.len() != n || e.scale.len() != n || e.weights.len() != n {
            return bad(format!("mean, scale and weights must each have {n} values"));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !finite(&e.mean) || !finite(&e.weights) || !e.bias.is_finite() {
            return bad("holds a value that is not a finite number".into());
        }
        if e.scale.iter().any(|s| !s.is_finite() || *s <= 0.0) {
            return bad("scale values must be positive".into());
        }
        if !e.thresholds.contains_key("*") {
            return bad("has no `*` thresholds".into());
        }
        if !e.segment_thresholds.is_empty() && !e.segment_thresholds.contains_key("*") {
            return bad("has segment thresholds but no `*` among them".into());
        }
        if e.thresholds
            .values()
            .chain(e.segment_thresholds.values())
            .any(|t| !(0.0..=1.0).contains(&t.warning) || t.error < t.warning || t.error > 1.0)
        {
            return bad("thresholds must satisfy 0 <= warning <= error <= 1".into());
        }
        Ok(e)
    }

    /// The id weights record for a model: a known model's repository id however it was named
    /// (`models/multilingual-e5-small` is `intfloat/multilingual-e5-small`), else as given.
    pub fn encoder_id(model_id: &str) -> String {
        crate::model::config::known_model(model_id)
            .map_or_else(|| model_id.to_string(), |k| k.id.to_string())
    }

    /// The weights for this encoder: `explicit` (`--qe FILE`), else the model folder's own file,
    /// else the built-in one of a known model. `Err` for a file that is there but wrong; `Ok(None)`
    /// when nothing fits (with why, for the report).
    pub fn find(
        explicit: Option<&Path>,
        model_dir: &Path,
        model_id: &str,
        dtype: &str,
    ) -> Result<Weights> {
        let read = |p: &Path| -> Result<Self> {
            let text = std::fs::read_to_string(p).map_err(|e| Error::input(p, e.to_string()))?;
            Self::parse(&text, p)
        };
        let model_id = Self::encoder_id(model_id);
        let model_id = model_id.as_str();
        let found = if let Some(p) = explicit {
            Some(read(p)?)
        } else if model_dir.join(FILE_NAME).is_file() {
            Some(read(&model_dir.join(FILE_NAME))?)
        } else {
            match BUILT_IN.iter().find(|(id, _)| *id == model_id) {
                Some((id, text)) => Some(Self::parse(text, Path::new(&format!("built-in:{id}")))?),
                None => None,
            }
        };
        let Some(e) = found else {
            return Ok(Weights::Off(format!(
                "no quality-estimate weights for {model_id}: links are judged by similarity alone"
            )));
        };
        if e.encoder.id != model_id || e.encoder.dtype != dtype {
            return Ok(Weights::Off(format!(
                "quality-estimate weights were fitted on {} ({}) features, not {model_id} ({dtype}): \
                 not used",
                e.encoder.id, e.encoder.dtype
            )));
        }
        Ok(Weights::Used(std::sync::Arc::new(e)))
    }

    /// The estimate for a feature vector in `FEATURES` order.
    pub fn estimate(&self, x: &[f32]) -> Estimate {
        let parts: Vec<f64> = x
            .iter()
            .zip(self.mean.iter().zip(&self.scale).zip(&self.weights))
            .map(|(&v, ((m, s), w))| w * ((v as f64 - m) / s))
            .collect();
        let logit = self.bias + parts.iter().sum::<f64>();
        let mut reasons: Vec<(String, f64)> = parts
            .iter()
            .zip(&self.features)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, n)| (n.clone(), crate::util::round3(*p)))
            .collect();
        reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
        reasons.truncate(3);
        Estimate {
            probability: sigmoid(logit),
            reasons,
        }
    }

    /// The thresholds for a language pair (`en-de`), else the pooled ones; those of segment
    /// files for `segments` when the weights have them.
    pub fn thresholds_for(&self, lang_pair: &str, segments: bool) -> Thresholds {
        let table = if segments && !self.segment_thresholds.is_empty() {
            &self.segment_thresholds
        } else {
            &self.thresholds
        };
        table
            .get(lang_pair)
            .or_else(|| table.get("*"))
            .copied()
            .unwrap_or(Thresholds {
                error: 1.0,
                warning: 1.0,
            })
    }
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimator() -> Estimator {
        let n = FEATURES.len();
        let mut weights = vec![0.0; n];
        weights[0] = -2.0; // lower cosine → more likely an error
        weights[16] = 1.5; // a number finding
        Estimator {
            format_version: FORMAT_VERSION,
            encoder: Encoder {
                id: "m".into(),
                dtype: "f32".into(),
                word_layer: 7,
            },
            features: FEATURES.iter().map(|s| s.to_string()).collect(),
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights,
            bias: 0.0,
            thresholds: [(
                "*".to_string(),
                Thresholds {
                    error: 0.9,
                    warning: 0.7,
                },
            )]
            .into(),
            segment_thresholds: BTreeMap::new(),
            provenance: serde_json::Value::Null,
        }
    }

    #[test]
    fn estimate_rises_with_the_features_weighted_up_and_names_them() {
        let e = estimator();
        let mut x = vec![0.0f32; FEATURES.len()];
        x[0] = 0.5;
        let low = e.estimate(&x);
        x[16] = 1.0;
        let high = e.estimate(&x);
        assert!(high.probability > low.probability);
        assert_eq!(high.reasons[0].0, "number_finding");
        assert!((low.probability - sigmoid(-1.0)).abs() < 1e-12);
    }

    #[test]
    fn segment_files_use_their_own_thresholds_when_the_weights_have_them() {
        let mut e = estimator();
        assert_eq!(e.thresholds_for("en-de", true).error, 0.9);
        e.segment_thresholds.insert(
            "*".into(),
            Thresholds {
                error: 0.99,
                warning: 0.95,
            },
        );
        assert_eq!(e.thresholds_for("en-de", true).error, 0.99);
        assert_eq!(e.thresholds_for("en-de", false).error, 0.9);
    }

    #[test]
    fn weights_for_other_features_or_bad_thresholds_are_refused_naming_the_file() {
        let good = serde_json::to_string(&estimator()).unwrap();
        assert!(Estimator::parse(&good, Path::new("w.json")).is_ok());
        let mut e = estimator();
        e.features.pop();
        let err = Estimator::parse(&serde_json::to_string(&e).unwrap(), Path::new("w.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("w.json"), "{err}");
        let mut e = estimator();
        e.thresholds.insert(
            "*".into(),
            Thresholds {
                error: 0.2,
                warning: 0.5,
            },
        );
        assert!(
            Estimator::parse(&serde_json::to_string(&e).unwrap(), Path::new("w.json")).is_err()
        );
        assert!(Estimator::parse("{", Path::new("w.json")).is_err());
    }

    #[test]
    fn weights_of_another_encoder_or_dtype_are_not_used_silently() {
        let dir = std::env::temp_dir().join(format!("mtcheck-qe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("w.json");
        std::fs::write(&file, serde_json::to_string(&estimator()).unwrap()).unwrap();
        let off = |w: Weights| match w {
            Weights::Off(why) => why,
            Weights::Used(_) => String::new(),
        };
        let found = Estimator::find(Some(&file), &dir, "m", "f32").unwrap();
        assert!(found.estimator().is_some());
        let why = off(Estimator::find(Some(&file), &dir, "m", "q8").unwrap());
        assert!(why.contains("not used"), "{why}");
        let why = off(Estimator::find(None, &dir, "other/model", "f32").unwrap());
        assert!(why.contains("no quality-estimate weights"), "{why}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn features_count_unpartnered_words_and_findings_by_kind() {
        let w = |t: &str, p: Vec<usize>, c: f32| AlignedWord {
            text: t.into(),
            start: 0,
            end: t.len(),
            partners: p,
            confidence: c,
        };
        let wa = WordAlignment {
            source: vec![w("travelled", vec![0], 0.8), w("Korea", vec![], 0.4)],
            target: vec![
                w("reiste", vec![0], 0.8),
                w("Iran", vec![], 0.3),
                w("in", vec![], 0.2),
            ],
        };
        let f = Finding::new(
            Kind::EntityMismatch,
            Severity::Error,
            (0..1, &[]),
            (0..1, &[]),
            "x".into(),
            serde_json::json!({}),
        );
        let fs = [&f];
        let x = features(&LinkEvidence {
            similarity: 0.8,
            z: 9.0,
            reference_clean_percentile: None,
            length_ratio_off: 0.1,
            merged: false,
            words: Some(&wa),
            findings: &fs,
        });
        assert_eq!(x.len(), FEATURES.len());
        let at = |name: &str| x[FEATURES.iter().position(|n| *n == name).unwrap()];
        assert_eq!(at("z"), 5.0);
        assert_eq!(at("source_unpartnered"), 0.5);
        assert_eq!(at("target_unpartnered"), 0.5); // "in" is not a content word
        assert!((at("weakest_target") - 0.3).abs() < 1e-6);
        assert_eq!(at("entity_finding"), 1.0);
        assert_eq!(at("number_finding"), 0.0);
        assert_eq!(at("reference_clean_percentile"), 0.5);
        // "Korea" and "Iran" are names without partners; the target's run is "Iran" alone
        // ("in" is not a content word).
        assert_eq!(at("source_names_unpartnered"), 1.0);
        assert_eq!(at("target_names_unpartnered"), 1.0);
        assert_eq!(at("target_unpartnered_run"), 0.5);
    }
}
