//! Criterion benchmarks of the model-free stages on the shared bench corpus
//! (`../shared/bench/corpus-10k.txt` beside the checkout, or `MTCHECK_BENCH_FILE`):
//!
//! - `segment/corpus`: sentence segmentation of the whole corpus as articles of 30 lines, each line
//!   a paragraph (throughput in sentences);
//! - `checks/<rule>` and `checks/all`: each per-link rule check, and all of them, over the first
//!   500 1-1 links made of each corpus line and the next as its "translation", so that every rule
//!   has text to read (throughput in links).
//!
//! `cargo bench --bench text` (about a minute; 10 samples of 3 s after 1 s of warm-up each);
//! criterion's options go after `--`, e.g. `cargo bench --bench text -- --quick checks/`. Skips,
//! with a message, when the corpus is absent. Results are kept in `target/criterion/`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtcheck::checks::{link_checks, LinkCheck, PairContext};
use mtcheck::text::segment::{split, Sentence};

/// Links the checks are measured on (all 10,499 take seconds per pass).
const CHECK_LINKS: usize = 500;

fn corpus_path() -> PathBuf {
    std::env::var_os("MTCHECK_BENCH_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/corpus-10k.txt")
        })
}

/// Runs `checks` over every link; returns the number of findings.
fn run_checks(checks: &[&dyn LinkCheck], links: &[(&[Sentence], &[Sentence])]) -> usize {
    let mut findings = 0;
    for &(src, tgt) in links {
        let ctx = PairContext {
            src,
            src_index: 0..1,
            tgt,
            tgt_index: 0..1,
            src_carried: None,
            src_lang: "en",
            tgt_lang: "de",
            similarity: 0.85,
            z: 2.0,
        };
        findings += checks.iter().map(|c| c.run(&ctx).len()).sum::<usize>();
    }
    findings
}

fn benches(c: &mut Criterion) {
    let path = corpus_path();
    let Ok(corpus) = std::fs::read_to_string(&path) else {
        println!("text bench skipped: no corpus at {}", path.display());
        return;
    };
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();

    // Segmentation: the corpus as articles of 30 lines, each line a paragraph.
    let docs: Vec<String> = lines.chunks(30).map(|c| c.join("\n\n")).collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let sentences: usize = docs.iter().map(|d| split(d, "en").len()).sum();
    println!(
        "segment: {} documents, {:.1} MB, {sentences} sentences",
        docs.len(),
        bytes as f64 / 1e6
    );
    let mut group = c.benchmark_group("segment");
    group.throughput(Throughput::Elements(sentences as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| black_box(split(d, "en")).len())
                .sum::<usize>()
        })
    });
    group.finish();

    // Checks: each line's first sentence against the next line's as its "translation".
    let sents: Vec<Vec<Sentence>> = lines.iter().map(|l| split(l, "en")).collect();
    let links: Vec<(&[Sentence], &[Sentence])> = sents
        .windows(2)
        .filter(|pair| !pair[0].is_empty() && !pair[1].is_empty())
        .map(|pair| (&pair[0][..1], &pair[1][..1]))
        .take(CHECK_LINKS)
        .collect();
    let checks = link_checks();
    let all: Vec<&dyn LinkCheck> = checks.iter().map(Box::as_ref).collect();
    println!(
        "checks: {} links, {} rules, {} findings",
        links.len(),
        all.len(),
        run_checks(&all, &links)
    );
    let mut group = c.benchmark_group("checks");
    group.throughput(Throughput::Elements(links.len() as u64));
    for &check in &all {
        group.bench_with_input(
            BenchmarkId::from_parameter(check.name()),
            &check,
            |b, &check| b.iter(|| run_checks(&[check], &links)),
        );
    }
    group.bench_function("all", |b| b.iter(|| run_checks(&all, &links)));
    group.finish();
}

criterion_group! {
    name = text_benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(text_benches);
