//! Thresholds on the z-scaled margin, link and document scores, and the verdict.

use serde::Serialize;

use crate::align::Link;
use crate::finding::{Finding, Severity, Verdict};
use crate::reference::Judgement;
use crate::similarity::PartGain;

/// Thresholds on the z-scaled margin (see `similarity`), shared by every model because z is
/// document-relative. Chosen on the development set (see docs/quality.md).
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// z at which a link scores 50/100.
    pub z_mid: f32,
    /// z distance from 50 to ~73/100.
    pub z_scale: f32,
    /// Links below this z are mistranslations (error).
    pub mistranslation_error_z: f32,
    /// Links below this z are doubtful (warning).
    pub mistranslation_warning_z: f32,
    /// Only links under this z can be flagged as outliers within their document.
    pub outlier_max_z: f32,
    /// An unaligned sentence that raises a neighbouring link's similarity by this much (z units)
    /// when joined to it is probably part of that translation (warning, not error).
    pub absorbed_gain: f32,
    /// A sentence in a merged link must raise the link's similarity by this much (in z units).
    pub min_merge_gain: f32,
    /// A link the model's reference calls a mistranslation is an error only under this z: a link
    /// as typical of its document as this is a short or terse translation, and stays a warning.
    pub reference_error_max_z: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            z_mid: 1.0,
            z_scale: 0.6,
            mistranslation_error_z: 0.2,
            mistranslation_warning_z: 0.9,
            absorbed_gain: -0.8,
            outlier_max_z: 2.5,
            min_merge_gain: -0.5,
            reference_error_max_z: 2.0,
        }
    }
}

impl Thresholds {
    /// Maps a z-scaled margin to 0-100 (logistic). A NaN margin (a model that produced NaN, or a
    /// document without spread) scores 0: a link that cannot be measured earns nothing, and a NaN
    /// would otherwise reach the report as `null` and poison the document score.
    pub fn score(&self, z: f32) -> f64 {
        if z.is_nan() {
            return 0.0;
        }
        let s = 100.0 / (1.0 + (-(z - self.z_mid) / self.z_scale).exp());
        (s as f64 * 10.0).round() / 10.0
    }

    /// The link score: from z alone, or with a reference the mean of that and the reference's
    /// score of the raw similarity, so that a link can score well only if it stands out in its
    /// document *and* looks like a translation to this model (an unrelated article's best links
    /// stand out by chance; a uniform document has no spread to stand out from).
    pub fn link_score(&self, z: f32, reference: Option<&Judgement>) -> f64 {
        let s = self.score(z);
        match reference {
            Some(j) => ((s + j.score) / 2.0 * 10.0).round() / 10.0,
            None => s,
        }
    }
}

/// An alignment link with its similarity and score.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredLink {
    #[serde(skip)]
    pub link: Link,
    /// Cosine of the link's texts (merged spans embedded as one text).
    pub similarity: f32,
    /// Margin over the neighbourhood, in units of the document's spread.
    pub z: f32,
    /// 0-100.
    pub score: f64,
    /// For merged links: how much each end sentence of the merged side adds to the similarity.
    pub parts: Vec<PartGain>,
    /// The model's reference distributions on the raw similarity, when the model has them.
    #[serde(skip)]
    pub reference: Option<Judgement>,
}

/// Mean link score over all sentences of both sides; unaligned sentences count as 0.
pub fn document_score(links: &[ScoredLink]) -> f64 {
    let mut total = 0.0;
    let mut weight = 0.0;
    for l in links {
        let (a, b) = l.link.kind();
        let w = (a + b) as f64;
        let s = if a == 0 || b == 0 { 0.0 } else { l.score };
        total += s * w;
        weight += w;
    }
    if weight == 0.0 {
        0.0
    } else {
        (total / weight * 10.0).round() / 10.0
    }
}

/// `fail` on any error finding or a score under `min_score`, `warn` on any warning, else `pass`.
pub fn verdict(score: f64, findings: &[Finding], min_score: f64) -> Verdict {
    let worst = findings.iter().map(|f| f.severity).max();
    if worst == Some(Severity::Error) || score < min_score {
        Verdict::Fail
    } else if worst == Some(Severity::Warning) {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_monotone_and_bounded() {
        let c = Thresholds::default();
        let mut last = -1.0;
        for z in -50..50 {
            let s = c.score(z as f32 * 0.5);
            assert!((0.0..=100.0).contains(&s) && s >= last);
            last = s;
        }
        assert_eq!(c.score(c.z_mid), 50.0);
    }

    #[test]
    fn nan_margin_scores_zero() {
        let c = Thresholds::default();
        assert_eq!(c.score(f32::NAN), 0.0);
        assert_eq!(c.score(f32::INFINITY), 100.0);
        assert_eq!(c.score(f32::NEG_INFINITY), 0.0);
        let link = ScoredLink {
            link: Link {
                source: 0..1,
                target: 0..1,
            },
            similarity: f32::NAN,
            z: f32::NAN,
            score: c.score(f32::NAN),
            parts: Vec::new(),
            reference: None,
        };
        assert_eq!(document_score(&[link]), 0.0);
    }
}
