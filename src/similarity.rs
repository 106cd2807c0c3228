//! Link similarity from sentence embeddings: cosine of (approximately) merged spans, margin over
//! each sentence's typical (median) similarity to the other document, and a document-relative
//! z-scale, so that thresholds do not depend on a model's cosine floor (e5 gives ~0.75 to unrelated
//! sentences, LaBSE ~0.2). Medians, unlike nearest-neighbour means, are not pulled up by the true
//! match itself, which in a short or repetitive document made true links look marginal.

use std::ops::Range;

use serde::Serialize;

use rayon::prelude::*;

use crate::util::vector::dot;

/// What one sentence of a merged link contributes: the link's similarity minus the similarity
/// without it, in z units. Near zero or negative: the sentence was absorbed, not translated.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PartGain {
    /// True for a source sentence, false for a target sentence.
    pub is_source: bool,
    pub index: usize,
    pub gain_z: f32,
    /// z of the sentence alone against the link's other side: low when it is unrelated to it.
    pub alone_z: f32,
}

/// Matrices with fewer cosines than this take their spread from the non-matching entries only.
const SMALL_MATRIX: usize = 64;
/// Smallest spread used for the z-scale: keeps z finite for near-identical documents.
const MIN_SIGMA: f32 = 0.01;

/// Pairwise similarities of one document pair.
pub struct SimilarityModel {
    n: usize,
    m: usize,
    /// `n × m` cosines, row-major.
    cos: Vec<f32>,
    /// Dot products of each source sentence with the next two (for merged spans).
    src_next: Vec<[f32; 2]>,
    tgt_next: Vec<[f32; 2]>,
    /// Token counts, the weights of a merged span's mean.
    src_w: Vec<f32>,
    tgt_w: Vec<f32>,
    /// Median similarity of each sentence to the other side: its background.
    bg_src: Vec<f32>,
    bg_tgt: Vec<f32>,
    /// Robust spread of all cosines: the unit of the z-scale.
    pub sigma: f32,
    src_len: Vec<f32>,
    tgt_len: Vec<f32>,
    /// Target length per source length over the whole document.
    ratio: f32,
}

fn next_dots(v: &[Vec<f32>]) -> Vec<[f32; 2]> {
    (0..v.len())
        .map(|i| {
            let d = |k: usize| v.get(i + k).map_or(0.0, |w| dot(&v[i], w));
            [d(1), d(2)]
        })
        .collect()
}

/// Median of a sentence's similarities to the other side without its best one (its likely
/// match), so that in a short document the match does not become its own background.
/// Cosines the document's spread is estimated from, at most (see `from_cosines`).
const SPREAD_SAMPLE: usize = 1 << 18;

fn background(mut xs: Vec<f32>) -> f32 {
    if xs.len() < 2 {
        return 0.0; // nothing to compare with: a one-sentence side has no background
    }
    let best = (0..xs.len())
        .max_by(|&a, &b| xs[a].total_cmp(&xs[b]))
        .unwrap_or(0);
    xs.swap_remove(best);
    median(xs)
}

fn median(mut xs: Vec<f32>) -> f32 {
    if xs.is_empty() {
        return 0.0;
    }
    let mid = xs.len() / 2;
    *xs.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// A document's target length over its source length (lengths in weighted characters).
pub fn document_length_ratio(src_len: &[f32], tgt_len: &[f32]) -> f32 {
    let total = |v: &[f32]| v.iter().sum::<f32>().max(1.0);
    total(tgt_len) / total(src_len)
}

/// A link's target length over the length `document_ratio` predicts from its source (1.0 =
/// typical).
pub fn relative_length(src_len: f32, tgt_len: f32, document_ratio: f32) -> f32 {
    tgt_len.max(1.0) / (src_len.max(1.0) * document_ratio)
}

impl SimilarityModel {
    /// `src`, `tgt`: unit vectors; `*_tokens`: token counts; `*_len`: lengths in characters
    /// (already weighted for scripts where one character is a word).
    pub fn new(
        src: &[Vec<f32>],
        tgt: &[Vec<f32>],
        src_tokens: &[usize],
        tgt_tokens: &[usize],
        src_len: &[f32],
        tgt_len: &[f32],
    ) -> Self {
        let (n, m) = (src.len(), tgt.len());
        let cos = crate::model::cosine_matrix(src, tgt);
        let mut model = Self::from_cosines(n, m, cos, src_tokens, tgt_tokens, src_len, tgt_len);
        model.src_next = next_dots(src);
        model.tgt_next = next_dots(tgt);
        model
    }

    /// The model for an `n × m` cosine matrix (row-major), treating neighbouring sentences of one
    /// side as orthogonal until `new` fills in their dot products.
    pub fn from_cosines(
        n: usize,
        m: usize,
        cos: Vec<f32>,
        src_tokens: &[usize],
        tgt_tokens: &[usize],
        src_len: &[f32],
        tgt_len: &[f32],
    ) -> Self {
        let bg_src = (0..n)
            .into_par_iter()
            .map(|i| background(cos[i * m..(i + 1) * m].to_vec()))
            .collect();
        let bg_tgt = (0..m)
            .into_par_iter()
            .map(|j| background((0..n).map(|i| cos[i * m + j]).collect()))
            .collect();
        // The spread is taken over all cosines. In a small matrix the true matches are a large
        // share of the entries and would inflate it, so there each row's best entry is left out.
        let spread_of: Vec<f32> = if n * m > SPREAD_SAMPLE {
            // A large matrix's median and MAD are read from an evenly strided sample: as exact
            // as the whole to three decimals, and selecting in 4 million cosines costs more than
            // the whole alignment of a 2,000-sentence document.
            let stride = (n * m).div_ceil(SPREAD_SAMPLE);
            cos.iter().step_by(stride).copied().collect()
        } else if n * m >= SMALL_MATRIX {
            cos.clone()
        } else {
            (0..n)
                .flat_map(|i| {
                    let row = &cos[i * m..(i + 1) * m];
                    let best = (0..m)
                        .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                        .unwrap_or(0);
                    row.iter()
                        .enumerate()
                        .filter(move |&(j, _)| j != best)
                        .map(|(_, &c)| c)
                })
                .collect()
        };
        let med = median(spread_of.clone());
        let mad = median(spread_of.iter().map(|c| (c - med).abs()).collect());
        Self {
            n,
            m,
            src_next: vec![[0.0; 2]; n],
            tgt_next: vec![[0.0; 2]; m],
            src_w: src_tokens.iter().map(|&t| t.max(1) as f32).collect(),
            tgt_w: tgt_tokens.iter().map(|&t| t.max(1) as f32).collect(),
            bg_src,
            bg_tgt,
            sigma: (mad * 1.4826).max(MIN_SIGMA),
            ratio: document_length_ratio(src_len, tgt_len),
            src_len: src_len.to_vec(),
            tgt_len: tgt_len.to_vec(),
            cos,
        }
    }

    pub fn dims(&self) -> (usize, usize) {
        (self.n, self.m)
    }

    /// Cosine of single sentences.
    pub fn cos1(&self, i: usize, j: usize) -> f32 {
        self.cos[i * self.m + j]
    }

    /// Cosine of the token-weighted means of two spans, from pairwise dot products only: a close,
    /// free approximation of embedding the concatenated text.
    pub fn cos(&self, src: Range<usize>, tgt: Range<usize>) -> f32 {
        let mut num = 0.0;
        for i in src.clone() {
            for j in tgt.clone() {
                num += self.src_w[i] * self.tgt_w[j] * self.cos1(i, j);
            }
        }
        num / (span_norm(&src, &self.src_w, &self.src_next)
            * span_norm(&tgt, &self.tgt_w, &self.tgt_next))
    }

    /// Mean neighbourhood similarity of a link's sentences.
    fn neighbourhood(&self, src: &Range<usize>, tgt: &Range<usize>) -> f32 {
        let avg = |r: &Range<usize>, v: &[f32]| {
            r.clone().map(|i| v[i]).sum::<f32>() / r.len().max(1) as f32
        };
        (avg(src, &self.bg_src) + avg(tgt, &self.bg_tgt)) / 2.0
    }

    /// Margin of a cosine over the link's neighbourhood, in units of the document's spread.
    pub fn z(&self, cos: f32, src: &Range<usize>, tgt: &Range<usize>) -> f32 {
        (cos - self.neighbourhood(src, tgt)) / self.sigma
    }

    /// How far the link's length ratio strays from the document's (0 when within ±50%).
    pub fn length_mismatch(&self, src: &Range<usize>, tgt: &Range<usize>) -> f32 {
        (self.length_ratio(src, tgt).ln().abs() - 0.4).max(0.0)
    }

    /// The link's target length over the length the document's ratio predicts (1.0 = typical).
    pub fn length_ratio(&self, src: &Range<usize>, tgt: &Range<usize>) -> f32 {
        let ls: f32 = src.clone().map(|i| self.src_len[i]).sum();
        let lt: f32 = tgt.clone().map(|j| self.tgt_len[j]).sum();
        relative_length(ls, lt, self.ratio)
    }

    /// What the aligner maximises: the z-scaled margin, less a length term.
    pub fn link_score(&self, src: Range<usize>, tgt: Range<usize>) -> f32 {
        let c = self.cos(src.clone(), tgt.clone());
        self.z(c, &src, &tgt) - self.length_mismatch(&src, &tgt)
    }

    /// For a merged link with similarity `full` (the merged texts embedded as one), what each end
    /// sentence of the merged side adds: `full` minus the similarity without it, in z units.
    pub fn part_gains(&self, src: &Range<usize>, tgt: &Range<usize>, full: f32) -> Vec<PartGain> {
        let mut out = Vec::new();
        for is_source in [true, false] {
            let side = if is_source { src } else { tgt };
            if side.len() < 2 {
                continue;
            }
            for (index, rest) in [
                (side.start, side.start + 1..side.end),
                (side.end - 1, side.start..side.end - 1),
            ] {
                let (s, t) = if is_source {
                    (rest, tgt.clone())
                } else {
                    (src.clone(), rest)
                };
                let rest_cos = if s.len() == 1 && t.len() == 1 {
                    self.cos1(s.start, t.start)
                } else {
                    self.cos(s, t)
                };
                let alone = index..index + 1;
                let alone_z = if is_source {
                    self.z(self.cos(alone.clone(), tgt.clone()), &alone, tgt)
                } else {
                    self.z(self.cos(src.clone(), alone.clone()), src, &alone)
                };
                out.push(PartGain {
                    is_source,
                    index,
                    gain_z: (full - rest_cos) / self.sigma,
                    alone_z,
                });
            }
        }
        out
    }

    /// The best z any single target sentence reaches for source `i` (and its index).
    pub fn best_for_source(&self, i: usize) -> Option<(usize, f32)> {
        (0..self.m)
            .map(|j| (j, self.z(self.cos1(i, j), &(i..i + 1), &(j..j + 1))))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The best z any single source sentence reaches for target `j`.
    pub fn best_for_target(&self, j: usize) -> Option<(usize, f32)> {
        (0..self.n)
            .map(|i| (i, self.z(self.cos1(i, j), &(i..i + 1), &(j..j + 1))))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Norm of the weighted sum of a span's unit vectors.
fn span_norm(r: &Range<usize>, w: &[f32], next: &[[f32; 2]]) -> f32 {
    let mut sq = 0.0;
    for a in r.clone() {
        sq += w[a] * w[a];
        for b in a + 1..r.end {
            let d = next[a].get(b - a - 1).copied().unwrap_or(0.0);
            sq += 2.0 * w[a] * w[b] * d;
        }
    }
    sq.max(1e-12).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_of_a_large_matrix_from_a_sample_matches_the_exact_one() {
        let (n, m) = (700, 650);
        let mut x = 7u64;
        let cos: Vec<f32> = (0..n * m)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Skewed like real cosines: mostly 0.7-0.8, a long upper tail.
                let u = (x >> 40) as f32 / (1u64 << 24) as f32;
                0.7 + 0.1 * u * u
            })
            .collect();
        let med = median(cos.clone());
        let mad = median(cos.iter().map(|c| (c - med).abs()).collect());
        let (ones, lens) = (vec![10; n.max(m)], vec![50.0; n.max(m)]);
        let model = SimilarityModel::from_cosines(
            n,
            m,
            cos,
            &ones[..n],
            &ones[..m],
            &lens[..n],
            &lens[..m],
        );
        let exact = mad * 1.4826;
        assert!(
            (model.sigma - exact).abs() < 0.01 * exact,
            "{} vs {exact}",
            model.sigma
        );
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        crate::util::vector::normalized(v.to_vec())
    }

    #[test]
    fn merged_cosine_matches_the_mean_vector() {
        let src = vec![
            unit(&[1.0, 0.2, 0.0]),
            unit(&[0.1, 1.0, 0.3]),
            unit(&[0.0, 0.0, 1.0]),
        ];
        let tgt = vec![unit(&[0.7, 0.8, 0.1]), unit(&[0.0, 0.1, 1.0])];
        let model = SimilarityModel::new(
            &src,
            &tgt,
            &[3, 5, 2],
            &[4, 4],
            &[10.0, 10.0, 10.0],
            &[20.0, 10.0],
        );
        let mean: Vec<f32> = (0..3).map(|k| 3.0 * src[0][k] + 5.0 * src[1][k]).collect();
        let expected = dot(&unit(&mean), &tgt[0]);
        assert!((model.cos(0..2, 0..1) - expected).abs() < 1e-5);
    }

    #[test]
    fn z_is_invariant_to_a_cosine_floor() {
        // The same geometry seen by a model whose cosines never drop below 0.7 gives the same z.
        let base: Vec<f32> = vec![
            0.9, 0.1, 0.0, 0.2, 0.1, 0.85, 0.05, 0.1, 0.0, 0.1, 0.95, 0.0, 0.3, 0.0, 0.1, 0.8,
        ];
        let make = |floor: f32| {
            let cos = base.iter().map(|c| floor + (1.0 - floor) * c).collect();
            SimilarityModel::from_cosines(4, 4, cos, &[1; 4], &[1; 4], &[1.0; 4], &[1.0; 4])
        };
        let (a, b) = (make(0.0), make(0.7));
        for (i, j) in [(0, 0), (1, 1), (0, 1), (3, 3)] {
            let za = a.z(a.cos1(i, j), &(i..i + 1), &(j..j + 1));
            let zb = b.z(b.cos1(i, j), &(i..i + 1), &(j..j + 1));
            assert!((za - zb).abs() < 1e-3, "{i},{j}: {za} vs {zb}");
        }
        assert!(a.z(a.cos1(0, 0), &(0..1), &(0..1)) > 1.0);
        // An unrelated pair sits at or below its background.
        assert!(a.z(a.cos1(0, 2), &(0..1), &(2..3)) < 0.0);
        assert!(a.z(a.cos1(0, 1), &(0..1), &(1..2)).abs() < 1e-3);
    }
}
