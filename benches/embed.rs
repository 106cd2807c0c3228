//! `cargo bench`: embedding throughput of the default model on the shared benchmark corpus, through
//! the library (the same measurement as `mtcheck bench`). Skips, with a message, when the model or
//! the corpus is absent. Environment: MTCHECK_BENCH_LINES (512), MTCHECK_BENCH_RUNS (2),
//! MTCHECK_BENCH_BUDGET (the CLI default), MTCHECK_BENCH_FILE.

use std::path::{Path, PathBuf};

use mtcheck::model::{bench, LoadOptions};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
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
    if !file.is_file() {
        println!("embed bench skipped: {} is absent", file.display());
        return;
    }
    let texts = bench::read_lines(&file, env_usize("MTCHECK_BENCH_LINES", 512)).unwrap();
    let opts = LoadOptions {
        token_budget: env_usize("MTCHECK_BENCH_BUDGET", LoadOptions::default().token_budget),
        ..LoadOptions::default()
    };
    let report = bench::bench(
        model.to_str().unwrap(),
        &opts,
        &file,
        &texts,
        env_usize("MTCHECK_BENCH_RUNS", 2),
    )
    .unwrap();
    print!("{}", report.text());
}
