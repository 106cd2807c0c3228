//! Sentence alignment: dynamic programming over two sentence sequences with 1-1, 1-2, 2-1, 1-3,
//! 3-1, 1-0 and 0-1 links (no 2-2: it lets an omission and an addition hide in one link), banded around the diagonal (the band widens until the path no
//! longer touches its edge). Pure: link quality comes from a caller-supplied scoring function, so
//! the aligner is tested with hand-made scores and benchmarked without a model.

use std::ops::Range;

use serde::Serialize;

/// One alignment link: consecutive source sentences matched to consecutive target sentences.
/// Either side may be empty (an omission or an addition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub source: Range<usize>,
    pub target: Range<usize>,
}

impl Link {
    pub fn kind(&self) -> (usize, usize) {
        (self.source.len(), self.target.len())
    }
}

/// Costs of the link types.
#[derive(Debug, Clone)]
pub struct Params {
    /// Score at which a link is worth as much as leaving its sentences unaligned. A link's gain is
    /// `score − threshold` minus its shape cost and an unaligned sentence gains nothing, so a merge
    /// (2-1) wins over a 1-1 link plus a skip only when the merged text scores `merge_cost` higher:
    /// absorbing a neighbour earns nothing by itself.
    pub threshold: f32,
    /// Extra cost of a 1-2 or 2-1 link over its score.
    pub merge_cost: f32,
    /// Extra cost of 1-3 and 3-1 links.
    pub wide_merge_cost: f32,
    /// Initial half-width of the band around the diagonal, in sentences.
    pub band: usize,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            threshold: 0.6,
            merge_cost: 0.3,
            wide_merge_cost: 0.8,
            band: 24,
        }
    }
}

/// Link shapes the DP considers, with their extra cost selector.
const SHAPES: &[(usize, usize)] = &[(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3)];

/// Aligns `n` source with `m` target sentences. `score(src, tgt)` rates a non-empty link (higher is
/// better); the total cost `Σ (−score + shape cost)` is minimised.
pub fn align(
    n: usize,
    m: usize,
    score: &dyn Fn(Range<usize>, Range<usize>) -> f32,
    params: &Params,
) -> Vec<Link> {
    // With one side empty every sentence of the other is unaligned. The band below is centred on
    // a diagonal that does not exist then, and used to miss the end cell when the other side was
    // longer than the band (found by the `align` fuzz target: 0 source, 40 target sentences).
    if n == 0 || m == 0 {
        let source = (0..n).map(|i| Link {
            source: i..i + 1,
            target: 0..0,
        });
        let target = (0..m).map(|j| Link {
            source: 0..0,
            target: j..j + 1,
        });
        return source.chain(target).collect();
    }
    let mut band = params.band.max(4);
    loop {
        let full = band >= n.max(m);
        let (links, touched_edge) =
            align_banded(n, m, score, params, if full { usize::MAX } else { band });
        if full || !touched_edge {
            return links;
        }
        band *= 2;
    }
}

fn shape_cost(a: usize, b: usize, p: &Params) -> f32 {
    match (a, b) {
        (1, 1) => 0.0,
        (1, 0) | (0, 1) => 0.0,
        (2, 1) | (1, 2) => p.merge_cost,
        _ => p.wide_merge_cost,
    }
}

/// Largest link score magnitude the DP takes: far beyond any real score (cosines, z units), small
/// enough that sums over any document stay finite.
const SCORE_LIMIT: f32 = 1e6;

/// A link score as the DP uses it. Non-finite scores (a model that produced NaN or overflowed)
/// used to make costs infinite; cells reached only through them looked unreachable and the whole
/// alignment came back empty (found by the property test in tests/properties.rs). NaN means "no
/// such link"; infinities are clamped, so every cell stays reachable through gap links.
fn usable(score: f32) -> Option<f32> {
    (!score.is_nan()).then(|| score.clamp(-SCORE_LIMIT, SCORE_LIMIT))
}

/// Centre of the band for source position `i`.
fn diagonal(i: usize, n: usize, m: usize) -> usize {
    (i * m + n / 2).checked_div(n).unwrap_or(0)
}

fn align_banded(
    n: usize,
    m: usize,
    score: &dyn Fn(Range<usize>, Range<usize>) -> f32,
    p: &Params,
    band: usize,
) -> (Vec<Link>, bool) {
    // Row i covers columns lo(i)..=hi(i); cells outside are unreachable.
    let lo = |i: usize| diagonal(i, n, m).saturating_sub(band);
    let hi = |i: usize| diagonal(i, n, m).saturating_add(band).min(m);
    let width = |i: usize| hi(i) - lo(i) + 1;
    let mut cost: Vec<Vec<f32>> = (0..=n).map(|i| vec![f32::INFINITY; width(i)]).collect();
    let mut back: Vec<Vec<u8>> = (0..=n).map(|i| vec![u8::MAX; width(i)]).collect();
    let get = |cost: &Vec<Vec<f32>>, i: usize, j: usize| -> f32 {
        if j < lo(i) || j > hi(i) {
            f32::INFINITY
        } else {
            cost[i][j - lo(i)]
        }
    };
    cost[0][0] = 0.0;
    for i in 0..=n {
        for j in lo(i)..=hi(i) {
            if i == 0 && j == 0 {
                continue;
            }
            let mut best = f32::INFINITY;
            let mut arg = u8::MAX;
            for (s, &(a, b)) in SHAPES.iter().enumerate() {
                if a > i || b > j {
                    continue;
                }
                let prev = get(&cost, i - a, j - b);
                if !prev.is_finite() {
                    continue;
                }
                let link = if a == 0 || b == 0 {
                    0.0
                } else {
                    match usable(score(i - a..i, j - b..j)) {
                        Some(s) => p.threshold - s,
                        None => continue,
                    }
                };
                let c = prev + link + shape_cost(a, b, p);
                if c < best {
                    best = c;
                    arg = s as u8;
                }
            }
            cost[i][j - lo(i)] = best;
            back[i][j - lo(i)] = arg;
        }
    }
    let mut links = Vec::new();
    let mut touched = false;
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        // Outside the band there is no back pointer: treated like an unreachable cell.
        let s = if (lo(i)..=hi(i)).contains(&j) {
            back[i][j - lo(i)]
        } else {
            u8::MAX
        };
        let Some(&(a, b)) = SHAPES.get(s as usize) else {
            // Unreachable within the band (can only happen when the band is too narrow).
            return (Vec::new(), true);
        };
        if band != usize::MAX && (j == lo(i) && lo(i) > 0 || j == hi(i) && hi(i) < m) {
            touched = true;
        }
        links.push(Link {
            source: i - a..i,
            target: j - b..j,
        });
        i -= a;
        j -= b;
    }
    links.reverse();
    (links, touched)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores 3 for the pairs in `truth`, 0 otherwise.
    fn scorer(
        truth: Vec<(Range<usize>, Range<usize>)>,
    ) -> impl Fn(Range<usize>, Range<usize>) -> f32 {
        move |s, t| {
            if truth.iter().any(|(a, b)| *a == s && *b == t) {
                3.0
            } else {
                0.0
            }
        }
    }

    #[test]
    fn empty_side_longer_than_the_band_does_not_panic() {
        let f = |_: Range<usize>, _: Range<usize>| 1.0;
        for (n, m) in [(0, 40), (40, 0), (0, 0), (0, 1), (1000, 0)] {
            let links = align(n, m, &f, &Params::default());
            assert_eq!(links.len(), n + m);
            assert!(links
                .iter()
                .all(|l| l.kind() == (1, 0) || l.kind() == (0, 1)));
            assert_eq!(links.iter().map(|l| l.source.len()).sum::<usize>(), n);
        }
    }

    #[test]
    fn non_finite_scores_still_link_every_sentence() {
        let weird = [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1.0, -2.0];
        let f = |s: Range<usize>, t: Range<usize>| weird[(s.start * 7 + t.start * 3 + s.len()) % 5];
        for (n, m) in [(10, 23), (23, 10), (1, 1), (60, 60), (3, 40)] {
            for f in [
                &f as &dyn Fn(Range<usize>, Range<usize>) -> f32,
                &|_, _| f32::INFINITY,
                &|_, _| f32::NAN,
            ] {
                let links = align(n, m, f, &Params::default());
                let (mut i, mut j) = (0, 0);
                for l in &links {
                    assert_eq!((l.source.start, l.target.start), (i, j), "{links:?}");
                    (i, j) = (l.source.end, l.target.end);
                }
                assert_eq!((i, j), (n, m), "{n}x{m}: {links:?}");
            }
        }
    }

    #[test]
    fn finds_omission_and_addition() {
        // source 0 1 2 3; target 0 1' X 3  (2 omitted, X added)
        let f = scorer(vec![(0..1, 0..1), (1..2, 1..2), (3..4, 3..4)]);
        let links = align(4, 4, &f, &Params::default());
        assert!(
            links
                .iter()
                .any(|l| l.source == (2..3) && l.target.is_empty()),
            "{links:?}"
        );
        assert!(
            links
                .iter()
                .any(|l| l.target == (2..3) && l.source.is_empty()),
            "{links:?}"
        );
    }

    #[test]
    fn merges_when_the_merged_pair_scores_best() {
        let f = scorer(vec![(0..2, 0..1), (2..3, 1..2)]);
        let links = align(3, 2, &f, &Params::default());
        assert_eq!(
            links,
            vec![
                Link {
                    source: 0..2,
                    target: 0..1
                },
                Link {
                    source: 2..3,
                    target: 1..2
                }
            ]
        );
    }

    #[test]
    fn band_widens_for_a_large_shift() {
        // 60 source sentences, the first 40 omitted from the target: path far off the diagonal.
        let f = |s: Range<usize>, t: Range<usize>| {
            if s.len() == 1 && t.len() == 1 && s.start == t.start + 40 {
                3.0
            } else {
                -1.0
            }
        };
        let links = align(
            60,
            20,
            &f,
            &Params {
                band: 4,
                ..Params::default()
            },
        );
        let ones: Vec<_> = links.iter().filter(|l| l.kind() == (1, 1)).collect();
        assert_eq!(ones.len(), 20);
        assert!(ones.iter().all(|l| l.source.start == l.target.start + 40));
    }

    #[test]
    fn every_sentence_appears_once_and_links_are_monotone() {
        let f = |s: Range<usize>, t: Range<usize>| ((s.start * 7 + t.start * 3) % 5) as f32 - 1.0;
        for (n, m) in [(0, 0), (0, 3), (5, 0), (7, 11), (30, 17)] {
            let links = align(n, m, &f, &Params::default());
            let (mut i, mut j) = (0, 0);
            for l in &links {
                assert_eq!((l.source.start, l.target.start), (i, j));
                i = l.source.end;
                j = l.target.end;
            }
            assert_eq!((i, j), (n, m));
        }
    }
}
