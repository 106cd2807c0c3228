//! Criterion benchmarks of alignment without a model: deterministic pseudo-random unit vectors for
//! a document of n = 100, 500 and 2,000 sentences and a translation with omissions and additions
//! (2,000 × 1,983 for the largest), three groups, each with the source sentences as its throughput:
//!
//! - `similarity/N`: building the [`SimilarityModel`] (cosine matrix and per-sentence
//!   background statistics);
//! - `dp/N`: the banded DP over a similarity model built beforehand;
//! - `align/N`: both, which is what a check spends on alignment once the embeddings are known.
//!
//! `cargo bench --bench align` (about a minute; 10 samples of 3 s after 1 s of warm-up each);
//! criterion's options go after `--`, e.g. `cargo bench --bench align -- --quick 'dp/2000'`.
//! Results are kept in `target/criterion/` and compared with the previous run.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtcheck::align::{align, Params};
use mtcheck::similarity::SimilarityModel;

const SIZES: [usize; 3] = [100, 500, 2000];
const DIM: usize = 384;

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
            mtcheck::util::vector::normalized(v)
        })
        .collect()
}

/// A document of `n` sentences and its "translation", with token counts and lengths.
struct Pair {
    src: Vec<Vec<f32>>,
    tgt: Vec<Vec<f32>>,
    src_tokens: Vec<usize>,
    tgt_tokens: Vec<usize>,
    src_len: Vec<f32>,
    tgt_len: Vec<f32>,
}

impl Pair {
    fn new(n: usize) -> Self {
        let src = vectors(n, DIM, 1);
        // The target: each source vector plus noise, every 50th dropped, one unrelated every 70.
        let noise = vectors(n, DIM, 2);
        let mut tgt = Vec::new();
        for (i, v) in src.iter().enumerate() {
            if i % 50 == 25 {
                continue;
            }
            tgt.push(mtcheck::util::vector::normalized(
                v.iter().zip(&noise[i]).map(|(a, b)| a + 0.6 * b).collect(),
            ));
            if i % 70 == 35 {
                tgt.push(noise[(i * 7) % n].clone());
            }
        }
        let m = tgt.len();
        Pair {
            src,
            tgt,
            src_tokens: vec![30; n],
            tgt_tokens: vec![30; m],
            src_len: vec![100.0; n],
            tgt_len: vec![100.0; m],
        }
    }

    fn similarity(&self) -> SimilarityModel {
        SimilarityModel::new(
            &self.src,
            &self.tgt,
            &self.src_tokens,
            &self.tgt_tokens,
            &self.src_len,
            &self.tgt_len,
        )
    }
}

fn dp(pair: &Pair, sim: &SimilarityModel) -> Vec<mtcheck::align::Link> {
    align(
        pair.src.len(),
        pair.tgt.len(),
        &|s, t| sim.link_score(s, t),
        &Params::default(),
    )
}

fn benches(c: &mut Criterion) {
    let pairs: Vec<Pair> = SIZES.iter().map(|&n| Pair::new(n)).collect();
    for pair in &pairs {
        let links = dp(pair, &pair.similarity());
        let unaligned = links
            .iter()
            .filter(|l| l.source.is_empty() || l.target.is_empty())
            .count();
        println!(
            "align {:>5} x {:>5}: {} links, {unaligned} unaligned",
            pair.src.len(),
            pair.tgt.len(),
            links.len()
        );
    }

    let mut group = c.benchmark_group("similarity");
    for pair in &pairs {
        let n = pair.src.len();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), pair, |b, pair| {
            b.iter(|| black_box(pair.similarity()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("dp");
    for pair in &pairs {
        let n = pair.src.len();
        let sim = pair.similarity();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), pair, |b, pair| {
            b.iter(|| black_box(dp(pair, &sim)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("align");
    for pair in &pairs {
        let n = pair.src.len();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), pair, |b, pair| {
            b.iter(|| black_box(dp(pair, &pair.similarity())))
        });
    }
    group.finish();
}

criterion_group! {
    name = align_benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(align_benches);
