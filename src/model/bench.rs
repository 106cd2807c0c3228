//! Embedding throughput measurement shared by `mtcheck bench` and `cargo bench` (benches/embed.rs).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::{DeviceKind, Embedder, LoadOptions};
use crate::error::{Error, Result};

/// The benchmark corpus relative to the repository (or the working directory).
pub const DEFAULT_CORPUS: &str = "../shared/bench/corpus-10k.txt";

/// `--file` when none is given: `../shared/bench/corpus-10k.txt` from the working directory, else
/// beside the source checkout this binary was built from.
pub fn default_corpus() -> PathBuf {
    let here = PathBuf::from(DEFAULT_CORPUS);
    if here.is_file() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS)
}

/// The first `n` non-empty lines of `path`.
pub fn read_lines(path: &Path, n: usize) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(n)
        .map(String::from)
        .collect();
    if lines.is_empty() {
        return Err(Error::Usage(format!(
            "{} has no text lines",
            path.display()
        )));
    }
    Ok(lines)
}

/// One timed pass over the corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub seconds: f64,
    pub sentences_per_s: f64,
    pub tokens_per_s: f64,
}

/// What `mtcheck bench` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub model: String,
    pub device: DeviceKind,
    pub dtype: &'static str,
    /// Threads of rayon's global pool (tokenisation, GELU) and of candle's CPU kernels.
    pub threads: usize,
    pub candle_threads: usize,
    pub token_budget: usize,
    pub file: String,
    pub sentences: usize,
    /// Tokens per pass, model prefix and special tokens included.
    pub tokens: usize,
    pub load_s: f64,
    pub runs: Vec<Run>,
    /// Best pass.
    pub sentences_per_s: f64,
    pub tokens_per_s: f64,
    /// Peak resident set size (VmHWM), MiB.
    pub peak_rss_mib: Option<f64>,
}

/// Peak resident set size of this process in KiB, from /proc/self/status (Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Loads `model`, then embeds `texts` `runs` times.
pub fn bench(
    model: &str,
    opts: &LoadOptions,
    file: &Path,
    texts: &[String],
    runs: usize,
) -> Result<BenchReport> {
    let started = Instant::now();
    let embedder = Embedder::load(model, opts)?;
    let load_s = started.elapsed().as_secs_f64();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut results = Vec::new();
    let mut tokens = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = embedder.embed(&refs)?;
        let seconds = t.elapsed().as_secs_f64();
        tokens = out.tokens;
        results.push(Run {
            seconds,
            sentences_per_s: texts.len() as f64 / seconds,
            tokens_per_s: out.tokens as f64 / seconds,
        });
    }
    let best = results
        .iter()
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
        .cloned()
        .expect("at least one run");
    Ok(BenchReport {
        model: embedder.info.id.clone(),
        device: embedder.info.device,
        dtype: embedder.info.dtype,
        threads: rayon::current_num_threads(),
        candle_threads: candle_core::utils::get_num_threads(),
        token_budget: embedder.token_budget(),
        file: file.display().to_string(),
        sentences: texts.len(),
        tokens,
        load_s,
        runs: results,
        sentences_per_s: best.sentences_per_s,
        tokens_per_s: best.tokens_per_s,
        peak_rss_mib: peak_rss_kib().map(|k| k as f64 / 1024.0),
    })
}

impl BenchReport {
    /// Human-readable summary.
    pub fn text(&self) -> String {
        let mut s = format!(
            "model        {}\ndevice       {:?} ({}), {} threads (candle {})\ntoken budget {}\ncorpus       {} ({} sentences, {} tokens)\nload         {:.3} s\n",
            self.model,
            self.device,
            self.dtype,
            self.threads,
            self.candle_threads,
            self.token_budget,
            self.file,
            self.sentences,
            self.tokens,
            self.load_s,
        );
        for (i, r) in self.runs.iter().enumerate() {
            s += &format!(
                "run {:<8} {:.3} s  {:.1} sentences/s  {:.0} tokens/s\n",
                i + 1,
                r.seconds,
                r.sentences_per_s,
                r.tokens_per_s
            );
        }
        s += &format!(
            "best         {:.1} sentences/s  {:.0} tokens/s\n",
            self.sentences_per_s, self.tokens_per_s
        );
        if let Some(m) = self.peak_rss_mib {
            s += &format!("peak RSS     {m:.0} MiB\n");
        }
        s
    }
}
