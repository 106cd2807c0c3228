//! Alignment speed without a model: random unit vectors for a 2,000-sentence document and a
//! translation with omissions and additions, aligned by the banded DP. `cargo bench --bench align`.

use std::time::Instant;

use mtcheck::align::{align, Params};
use mtcheck::similarity::SimilarityModel;

/// Deterministic pseudo-random unit vectors.
fn vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let v: Vec<f32> = (0..dim)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
                })
                .collect();
            mtcheck::model::normalized(v)
        })
        .collect()
}

fn main() {
    for n in [100usize, 500, 2000] {
        let dim = 384;
        let src = vectors(n, dim, 1);
        // The target: each source vector plus noise, every 50th dropped, one unrelated every 70.
        let noise = vectors(n, dim, 2);
        let mut tgt = Vec::new();
        for (i, v) in src.iter().enumerate() {
            if i % 50 == 25 {
                continue;
            }
            tgt.push(mtcheck::model::normalized(
                v.iter().zip(&noise[i]).map(|(a, b)| a + 0.6 * b).collect(),
            ));
            if i % 70 == 35 {
                tgt.push(noise[(i * 7) % n].clone());
            }
        }
        let (st, tt) = (vec![30usize; n], vec![30usize; tgt.len()]);
        let (sl, tl) = (vec![100f32; n], vec![100f32; tgt.len()]);
        let started = Instant::now();
        let sim = SimilarityModel::new(&src, &tgt, &st, &tt, &sl, &tl);
        let built = started.elapsed();
        let links = align(
            n,
            tgt.len(),
            &|s, t| sim.link_score(s, t),
            &Params::default(),
        );
        let total = started.elapsed();
        let skipped = links
            .iter()
            .filter(|l| l.source.is_empty() || l.target.is_empty())
            .count();
        println!(
            "align {n:>5} x {:>5}: similarity {:>7.1} ms, DP {:>7.1} ms, total {:>7.1} ms ({} links, {} unaligned)",
            tgt.len(),
            built.as_secs_f64() * 1e3,
            (total - built).as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            links.len(),
            skipped
        );
    }
}
