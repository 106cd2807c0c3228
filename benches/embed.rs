//! Criterion benchmark of embedding with the default model (`models/multilingual-e5-small`):
//! `embed/lines/N` embeds the first N lines of the shared bench corpus in one call, without the
//! embedding cache (throughput in sentences). Skips, with a message, when the model or the corpus
//! is absent.
//!
//! `cargo bench --bench embed` (the model loads once, then 10 samples of at least one pass each:
//! about a minute on 2 loaded vCPUs, 2-3 s a pass). Environment: MTCHECK_BENCH_LINES (64),
//! MTCHECK_BENCH_BUDGET (the CLI's default token budget), MTCHECK_BENCH_FILE
//! (`../shared/bench/corpus-10k.txt` beside the checkout).
//! Throughput at scale, load time and peak memory are `mtcheck bench`'s job.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtcheck::model::{Embedder, LoadOptions};
use mtcheck::tools::bench;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = root.join("models/multilingual-e5-small");
    if !model.join("model.safetensors").is_file() {
        println!(
            "embed bench skipped: {} is absent (run models/fetch)",
            model.display()
        );
        return;
    }
    let file = std::env::var_os("MTCHECK_BENCH_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(bench::DEFAULT_CORPUS));
    let texts = match bench::read_lines(&file, env_usize("MTCHECK_BENCH_LINES", 64).max(1)) {
        Ok(texts) => texts,
        Err(e) => {
            println!("embed bench skipped: {e}");
            return;
        }
    };
    let opts = LoadOptions {
        token_budget: env_usize("MTCHECK_BENCH_BUDGET", LoadOptions::default().token_budget),
        ..LoadOptions::default()
    };
    let embedder = match Embedder::load(&model.to_string_lossy(), &opts) {
        Ok(embedder) => embedder,
        Err(e) => {
            println!("embed bench skipped: cannot load {}: {e}", model.display());
            return;
        }
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tokens = embedder
        .embed_uncached(&refs)
        .expect("embedding the bench corpus")
        .tokens;
    println!(
        "embed: {} lines of {}, {tokens} tokens, token budget {}",
        refs.len(),
        file.display(),
        embedder.token_budget()
    );

    let mut group = c.benchmark_group("embed");
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_with_input(BenchmarkId::new("lines", refs.len()), &refs, |b, refs| {
        b.iter(|| {
            black_box(
                embedder
                    .embed_uncached(refs)
                    .expect("embedding the bench corpus"),
            )
        })
    });
    group.finish();
}

criterion_group! {
    name = embed_benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    targets = benches
}
criterion_main!(embed_benches);
