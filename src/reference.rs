//! Per-model reference distributions of raw link similarity as data: load, validate, look up and
//! judge a cosine. `tools::calibrate` builds them; this module knows nothing of that command.
//! They give absolute evidence where the document-relative z (see `similarity`) is blind.
//!
//! z measures a link against its own document, so a target that is wholly another article (every
//! link poor) or a document with no spread looks like any other. A model's raw cosines, compared
//! with what the same model gives real translations and injected mistranslations of a labelled
//! set, can tell those apart. Cosines are model-specific (e5 gives ~0.75 to unrelated sentences,
//! LaBSE ~0.2), which is why a reference belongs to one model and unknown models go without.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::lang;

/// Name of a reference file inside a model directory (overrides the built-in one).
pub const FILE_NAME: &str = "mtcheck-calibration.json";
/// Version of the file's shape.
pub const FORMAT_VERSION: u32 = 1;
/// Cumulative probabilities at which every distribution is recorded (0 and 1: min and max).
pub const PROBABILITIES: &[f64] = &[
    0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0,
];
/// Distributions with fewer links than this are not recorded at all.
pub const MIN_LINKS: usize = 5;

/// Reference distributions shipped in the binary, by the known model's repository id.
pub const BUILT_IN: &[(&str, &str)] = &[(
    "intfloat/multilingual-e5-small",
    // `mtcheck calibrate` on a dev set generated with seed 7, 8 pairs per language pair
    // (docs/calibration.md), with the `models/fetch` copy of the weights.
    include_str!("reference/multilingual-e5-small.json"),
)];

/// Quantiles of one set of links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Distribution {
    pub links: usize,
    /// Raw cosine at each of `probabilities`.
    pub cosine: Vec<f32>,
    /// Document-relative z at each of `probabilities`.
    pub z: Vec<f32>,
}

/// The distributions of one language pair.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LangDistributions {
    pub clean: Distribution,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Distribution>,
}

/// Which model the distributions were measured with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelIdentity {
    pub id: String,
    pub dimensions: usize,
    pub pooling: String,
    pub prefix: String,
}

/// Where the distributions come from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// The set's folder name (not its full path, which would leak a home directory into a
    /// committed file).
    pub set: String,
    /// FNV-1a of the set's pair names and files, hex: the same hash means the same set.
    pub set_hash: String,
    pub pairs: usize,
    pub links: usize,
    pub mtcheck_version: String,
}

/// A model's reference distributions, as stored in a calibration file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reference {
    pub format: u32,
    pub model: ModelIdentity,
    pub provenance: Provenance,
    pub probabilities: Vec<f64>,
    /// Links of the set that carry no labelled error.
    pub clean: Distribution,
    /// Links carrying an injected mistranslation (a sentence replaced by an unrelated one).
    pub error: Distribution,
    /// For every clean 1-1 link, the best cosine of its source sentence to any other target
    /// sentence of the document: what the aligner can find in a target that is another text.
    pub nearest_other: Distribution,
    /// Per language pair (`en-de`), where the set has enough links.
    #[serde(default)]
    pub by_lang: BTreeMap<String, LangDistributions>,
}

/// Which reference a check uses, and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedReference {
    pub reference: Arc<Reference>,
    /// "built in for intfloat/multilingual-e5-small", or the file's path.
    pub origin: String,
}

impl LoadedReference {
    /// A calibration file, its path as the origin.
    pub fn from_file(path: &Path) -> Result<Self> {
        Ok(Self {
            reference: Arc::new(Reference::load(path)?),
            origin: path.display().to_string(),
        })
    }
}

/// Quantile `p` of sorted `xs` by linear interpolation.
fn quantile(xs: &[f32], p: f64) -> f32 {
    if xs.is_empty() {
        return f32::NAN;
    }
    let pos = p * (xs.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let t = (pos - lo as f64) as f32;
    xs[lo] + (xs[hi] - xs[lo]) * t
}

impl Distribution {
    /// `None` for fewer than `MIN_LINKS` samples or any non-finite value.
    pub fn of(samples: &[(f32, f32)]) -> Option<Self> {
        let mut cos: Vec<f32> = samples.iter().map(|s| s.0).collect();
        let mut z: Vec<f32> = samples.iter().map(|s| s.1).collect();
        if cos.len() < MIN_LINKS || cos.iter().chain(&z).any(|x| !x.is_finite()) {
            return None;
        }
        cos.sort_by(f32::total_cmp);
        z.sort_by(f32::total_cmp);
        let q = |xs: &[f32]| {
            PROBABILITIES
                .iter()
                .map(|&p| (quantile(xs, p) * 1e4).round() / 1e4)
                .collect()
        };
        Some(Self {
            links: cos.len(),
            cosine: q(&cos),
            z: q(&z),
        })
    }

    /// Share of the distribution at or below `cos` (piecewise linear between the quantiles).
    pub fn cdf(&self, probs: &[f64], cos: f32) -> f64 {
        let q = &self.cosine;
        let (Some(&first), Some(&last)) = (q.first(), q.last()) else {
            return 0.5;
        };
        if cos < first {
            return 0.0;
        }
        if cos >= last {
            return 1.0;
        }
        for k in 1..q.len() {
            if cos < q[k] {
                let span = q[k] - q[k - 1];
                let t = if span > 0.0 {
                    ((cos - q[k - 1]) / span) as f64
                } else {
                    1.0
                };
                return probs[k - 1] + t * (probs[k] - probs[k - 1]);
            }
        }
        1.0
    }

    /// The cosine at cumulative probability `p` (one of `probs`, else the next recorded one).
    pub fn cosine_at(&self, probs: &[f64], p: f64) -> f32 {
        let k = probs
            .iter()
            .position(|&x| x >= p)
            .unwrap_or(probs.len() - 1);
        self.cosine.get(k).copied().unwrap_or(f32::NAN)
    }

    fn validate(&self, what: &str, n: usize) -> std::result::Result<(), String> {
        for (name, q) in [("cosine", &self.cosine), ("z", &self.z)] {
            if q.len() != n {
                return Err(format!(
                    "{what}.{name} has {} quantiles, probabilities has {n}",
                    q.len()
                ));
            }
            if q.iter().any(|x| !x.is_finite()) || q.windows(2).any(|w| w[1] < w[0]) {
                return Err(format!(
                    "{what}.{name} is not a non-decreasing list of numbers"
                ));
            }
        }
        if self.links == 0 {
            return Err(format!("{what} has no links"));
        }
        Ok(())
    }
}

/// The language-pair key of a reference: primary subtags, so that `zh-CN` finds `zh`.
pub fn lang_key(src: &str, tgt: &str) -> String {
    format!("{}-{}", lang::primary(src), lang::primary(tgt))
}

/// How the reference judges one link's raw cosine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// Share of clean links (of the language pair when the reference has it) at or below.
    pub clean_percentile: f64,
    /// Share of injected mistranslations at or above.
    pub error_percentile: f64,
    /// 0-100: how much more the cosine looks like a translation than like a mistranslation.
    pub score: f64,
    /// Below every clean link (by a margin, see `FLOOR_MARGIN`) and inside the mistranslations.
    pub poor: bool,
    /// The cosine under which a link is poor.
    pub floor: f32,
    /// The clean distribution was the language pair's own, not the pooled one.
    pub own_lang: bool,
}

/// Prior odds of a link being a translation rather than a mistranslation, for the reference score.
const CLEAN_PRIOR: f64 = 10.0;

/// A link is poor when its cosine is below the lowest clean link by this share of the clean
/// links' lowest quarter (lowest to first quartile)...
const FLOOR_MARGIN: f32 = 0.25;
/// ...and at least this share of injected mistranslations are as high.
const POOR_ERROR: f64 = 0.25;

impl Reference {
    /// Reads and checks a calibration file; every problem names the file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e.to_string()))?;
        Self::parse(&text)
            .map_err(|msg| Error::input(path, format!("not a calibration file: {msg}")))
    }

    /// Parses and checks a calibration file's text.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let r: Reference = serde_json::from_str(text).map_err(|e| e.to_string())?;
        r.validate()?;
        Ok(r)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.format != FORMAT_VERSION {
            return Err(format!(
                "format {} (this mtcheck reads format {FORMAT_VERSION})",
                self.format
            ));
        }
        let p = &self.probabilities;
        let in_range = p.iter().all(|x| (0.0..=1.0).contains(x));
        if p.len() < 2 || !in_range || p.windows(2).any(|w| w[1] <= w[0]) {
            return Err("probabilities must rise strictly within 0-1".into());
        }
        let n = p.len();
        self.clean.validate("clean", n)?;
        self.error.validate("error", n)?;
        self.nearest_other.validate("nearest_other", n)?;
        for (k, l) in &self.by_lang {
            l.clean.validate(&format!("by_lang.{k}.clean"), n)?;
            if let Some(e) = &l.error {
                e.validate(&format!("by_lang.{k}.error"), n)?;
            }
        }
        Ok(())
    }

    /// Judges a link of language pair `lang` (see `lang_key`) with raw cosine `cos`.
    pub fn judge(&self, lang: &str, cos: f32) -> Judgement {
        let p = &self.probabilities;
        let own = self.by_lang.get(lang);
        let clean = own.map_or(&self.clean, |l| &l.clean);
        let error = own.and_then(|l| l.error.as_ref()).unwrap_or(&self.error);
        let below = clean.cdf(p, cos);
        let above = 1.0 - error.cdf(p, cos);
        // The share of clean links this low against the share of mistranslations this high,
        // with translations `CLEAN_PRIOR` times as likely a priori. A cosine in the bulk of
        // translations scores 100 whatever its z. With equal priors, a faithful en-ja article
        // (whose cosines sit low in the pooled range) fell under the passing score on one set.
        let (b, a) = (CLEAN_PRIOR * below, above);
        let score = if b + a > 0.0 {
            100.0 * b / (b + a)
        } else {
            50.0
        };
        // Under the lowest translation, not merely among the lowest: on e5 a faithful but loose
        // rendering can score as low as a replaced sentence, and the lowest 0.5% of clean links
        // (the first rule tried) cost 0.7 false alarms per 100 sentences on a fresh set. The
        // margin scales with the distribution's own low tail, so it means the same for any model.
        let (lowest, quartile) = (
            clean.cosine.first().copied().unwrap_or(f32::NAN),
            clean.cosine_at(p, 0.25),
        );
        let floor = lowest - FLOOR_MARGIN * (quartile - lowest);
        Judgement {
            clean_percentile: below,
            error_percentile: above,
            score: (score * 10.0).round() / 10.0,
            poor: cos < floor && above >= POOR_ERROR,
            floor,
            own_lang: own.is_some(),
        }
    }

    /// The summary a report states: "reference: <model>, N links".
    pub fn describe(&self) -> String {
        format!(
            "reference: {}, {} links",
            self.model.id, self.provenance.links
        )
    }

    /// The built-in reference of a known model (by any name the known-model table accepts),
    /// if it has one.
    pub fn built_in(model_id: &str) -> Result<Option<Self>> {
        let Some(known) = crate::model::config::known_model(model_id) else {
            return Ok(None);
        };
        let Some((_, text)) = BUILT_IN.iter().find(|(id, _)| *id == known.id) else {
            return Ok(None);
        };
        Self::parse(text)
            .map(Some)
            .map_err(|e| Error::Internal(format!("built-in calibration of {model_id}: {e}")))
    }

    /// The reference for a model: `explicit` (a `--calibration` file), else `FILE_NAME` in the
    /// model directory, else the built-in one for a known model (by id or folder name).
    pub fn find(
        explicit: Option<&Path>,
        model_dir: &Path,
        model_id: &str,
    ) -> Result<Option<LoadedReference>> {
        if let Some(path) = explicit {
            return LoadedReference::from_file(path).map(Some);
        }
        let in_dir = model_dir.join(FILE_NAME);
        if in_dir.is_file() {
            return LoadedReference::from_file(&in_dir).map(Some);
        }
        let dir_name = model_dir.file_name().and_then(|n| n.to_str());
        for id in std::iter::once(model_id).chain(dir_name) {
            if let Some(r) = Self::built_in(id)? {
                return Ok(Some(LoadedReference {
                    origin: format!("built in for {}", r.model.id),
                    reference: Arc::new(r),
                }));
            }
        }
        Ok(None)
    }

    /// JSON as written by `mtcheck calibrate`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(cos: &[f32]) -> Distribution {
        let samples: Vec<(f32, f32)> = cos.iter().map(|&c| (c, c * 10.0)).collect();
        Distribution::of(&samples).unwrap()
    }

    #[test]
    fn quantiles_interpolate_and_the_cdf_inverts_them() {
        let xs: Vec<f32> = (0..=100).map(|k| k as f32 / 100.0).collect();
        let d = dist(&xs);
        assert_eq!(d.cosine.first(), Some(&0.0));
        assert_eq!(d.cosine.last(), Some(&1.0));
        assert!((d.cosine_at(PROBABILITIES, 0.5) - 0.5).abs() < 1e-6);
        for c in [0.003, 0.2, 0.5, 0.77, 0.999] {
            assert!((d.cdf(PROBABILITIES, c) - c as f64).abs() < 1e-3, "{c}");
        }
        assert_eq!(d.cdf(PROBABILITIES, -1.0), 0.0);
        assert_eq!(d.cdf(PROBABILITIES, 2.0), 1.0);
    }

    fn reference() -> Reference {
        let clean: Vec<f32> = (0..200).map(|k| 0.85 + k as f32 * 0.0005).collect();
        let error: Vec<f32> = (0..20).map(|k| 0.72 + k as f32 * 0.003).collect();
        Reference {
            format: FORMAT_VERSION,
            model: ModelIdentity {
                id: "m".into(),
                dimensions: 4,
                pooling: "mean".into(),
                prefix: String::new(),
            },
            provenance: Provenance {
                set: "s".into(),
                set_hash: "0".into(),
                pairs: 1,
                links: 220,
                mtcheck_version: "0".into(),
            },
            probabilities: PROBABILITIES.to_vec(),
            clean: dist(&clean),
            error: dist(&error),
            nearest_other: dist(&error),
            by_lang: BTreeMap::new(),
        }
    }

    #[test]
    fn a_translation_cosine_scores_high_and_an_unrelated_one_is_poor() {
        let r = reference();
        let good = r.judge("en-de", 0.9);
        assert!(!good.poor && good.score > 99.0, "{good:?}");
        let bad = r.judge("en-de", 0.75);
        assert!(bad.poor && bad.score < 1.0 && !bad.own_lang, "{bad:?}");
        // Between the two: neither poor nor certain.
        let mid = r.judge("en-de", 0.84);
        assert!(!mid.poor && mid.score < good.score && mid.score > bad.score);
    }

    #[test]
    fn a_known_model_loads_its_built_in_reference_and_an_unknown_one_has_none() {
        assert!(!BUILT_IN.is_empty());
        for (id, text) in BUILT_IN {
            let r = Reference::parse(text).unwrap();
            assert_eq!(r.model.id, *id, "a reference is tied to its own model");
            let known = crate::model::config::known_model(id).unwrap();
            assert_eq!(known.id, *id, "built-in references belong to known models");
        }
        // By folder name, as a local copy is found.
        let nowhere = Path::new("/nonexistent/multilingual-e5-small");
        let found = Reference::find(None, nowhere, "models/multilingual-e5-small")
            .unwrap()
            .unwrap();
        assert_eq!(found.origin, "built in for intfloat/multilingual-e5-small");
        let r = &found.reference;
        assert!(r.by_lang.contains_key("en-de") && r.clean.links > 1000);
        assert!(
            r.clean.cosine_at(&r.probabilities, 0.5) > r.error.cosine_at(&r.probabilities, 0.5)
        );
        let unknown = Reference::find(None, Path::new("/nonexistent/x"), "someone/unknown");
        assert!(unknown.unwrap().is_none());
    }

    #[test]
    fn parse_round_trips_and_rejects_unordered_quantiles() {
        let r = reference();
        assert_eq!(Reference::parse(&r.to_json()).unwrap(), r);
        let mut broken = r.clone();
        broken.clean.cosine.swap(2, 10);
        let e = Reference::parse(&broken.to_json()).unwrap_err();
        assert!(e.contains("clean.cosine"), "{e}");
        let mut short = r;
        short.error.z.pop();
        assert!(Reference::parse(&short.to_json()).is_err());
        assert!(Reference::parse("{").is_err());
    }
}
