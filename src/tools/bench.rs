//! Embedding throughput measurement of `mtcheck bench`, and the learned quality estimate's own
//! throughput apart (word alignment, features, estimate); `cargo bench --bench embed`
//! (benches/embed.rs) reads its corpus with [`read_lines`] from [`DEFAULT_CORPUS`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{DeviceKind, Embedder, LoadOptions, StageTimes};
use crate::qe::{self, Estimator, LinkEvidence, Weights};
use crate::util::vector::dot;
use crate::wordalign::{self, Method, WordAlignment, Words};

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

/// Checks on the vectors of a bench's last pass: a dump for another run to compare against, and
/// such a comparison. CUDA and reduced-precision runs are verified this way against CPU f32.
#[derive(Debug, Clone, Default)]
pub struct VectorChecks {
    /// Write the vectors here: f32 little-endian, row-major, one row of `dim` values per line.
    pub dump: Option<PathBuf>,
    /// Compare the vectors with this dump (of the same lines) row by row.
    pub reference: Option<PathBuf>,
}

/// Row-wise cosine of a bench's vectors with a reference dump.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub reference: String,
    pub rows: usize,
    /// A row with a non-finite cosine counts as -1, the worst possible, so that NaN is never
    /// hidden by `min` ignoring it.
    pub min_cosine: f64,
    pub mean_cosine: f64,
}

/// Writes `vectors` as f32 little-endian rows (atomically, so that a reader never sees half).
pub fn write_vectors(path: &Path, vectors: &[Vec<f32>]) -> Result<()> {
    let mut bytes = Vec::with_capacity(vectors.iter().map(Vec::len).sum::<usize>() * 4);
    for v in vectors {
        for x in v {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    crate::util::fs::write_atomic(path, &bytes)
}

/// Reads a dump of `rows` vectors of `dim` values written by [`write_vectors`].
pub fn read_vectors(path: &Path, rows: usize, dim: usize) -> Result<Vec<Vec<f32>>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    if dim == 0 || bytes.len() != rows * dim * 4 {
        return Err(Error::Usage(format!(
            "{} holds {} bytes, not {rows} vectors of {dim} f32 values: was it dumped from the same lines and model?",
            path.display(),
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(dim * 4)
        .map(|row| {
            row.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        })
        .collect())
}

/// Row-wise cosine of `a` with `b` (same shape).
pub fn agreement(reference: &Path, a: &[Vec<f32>], b: &[Vec<f32>]) -> Agreement {
    let cosines: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            let dot: f64 = x.iter().zip(y).map(|(p, q)| *p as f64 * *q as f64).sum();
            let nx: f64 = x.iter().map(|p| (*p as f64).powi(2)).sum::<f64>().sqrt();
            let ny: f64 = y.iter().map(|q| (*q as f64).powi(2)).sum::<f64>().sqrt();
            let c = dot / (nx * ny);
            if c.is_finite() {
                c
            } else {
                -1.0
            }
        })
        .collect();
    let rows = cosines.len();
    Agreement {
        reference: reference.display().to_string(),
        rows,
        min_cosine: cosines.iter().copied().fold(1.0, f64::min),
        mean_cosine: cosines.iter().sum::<f64>() / rows.max(1) as f64,
    }
}

/// One timed pass over the corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub seconds: f64,
    pub sentences_per_s: f64,
    pub tokens_per_s: f64,
    /// Where the pass's time went, and its tokens with padding.
    pub stages: StageTimes,
}

/// What `mtcheck bench` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub model: String,
    pub device: DeviceKind,
    pub dtype: String,
    /// Threads of rayon's global pool (tokenisation, GELU) and of candle's CPU kernels.
    pub threads: usize,
    pub candle_threads: usize,
    pub token_budget: usize,
    pub file: String,
    pub sentences: usize,
    /// Tokens per pass, model prefix and special tokens included.
    pub tokens: usize,
    /// Tokens including the padding of length-sorted batches, per pass.
    pub padded_tokens: u64,
    pub load_s: f64,
    pub runs: Vec<Run>,
    /// Best pass: its seconds, throughput and stage times.
    pub embed_s: f64,
    pub sentences_per_s: f64,
    pub tokens_per_s: f64,
    pub stages: StageTimes,
    /// Peak resident set size (VmHWM), MiB (`peak_rss_mb` in the JSON report).
    #[serde(rename = "peak_rss_mb")]
    pub peak_rss_mib: Option<f64>,
    /// Values of the last pass's vectors that are NaN or infinite (0 for a sound run).
    pub nonfinite_values: usize,
    /// Cosine with `--reference-embeddings`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    /// The learned quality estimate's work on links, timed apart from embedding.
    pub quality_estimate: QeRun,
}

/// The quality estimate's throughput: consecutive corpus lines paired as links (at most
/// [`QE_LINKS`]), each aligned word by word from the encoder's token states, its features
/// computed and the estimate taken, as `check` does for every link. In `check` the token states
/// come out of the embedding pass; here they are a pass of their own, so `align_s` is an upper
/// bound on what the estimate adds.
#[derive(Debug, Clone, Serialize)]
pub struct QeRun {
    /// `learned`, or `off` with why (no weights for this model and dtype).
    pub weights: String,
    pub links: usize,
    /// Token states to the word-alignment layer and the alignments.
    pub align_s: f64,
    /// Features and the logistic estimate.
    pub estimate_s: f64,
    pub links_per_s: f64,
    /// Estimates that came out NaN or infinite (0 for a sound run).
    pub nonfinite: usize,
}

/// How many links the estimate's throughput is measured on.
pub const QE_LINKS: usize = 512;

/// Times the quality estimate on consecutive pairs of `texts` with `vectors` their embeddings.
fn time_quality_estimate(
    embedder: &Embedder,
    dtype: &str,
    texts: &[&str],
    vectors: &[Vec<f32>],
) -> Result<QeRun> {
    let estimator = match Estimator::find(None, embedder.dir(), &embedder.info.id, dtype)? {
        Weights::Used(e) => e,
        Weights::Off(why) => {
            return Ok(QeRun {
                weights: format!("off ({why})"),
                links: 0,
                align_s: 0.0,
                estimate_s: 0.0,
                links_per_s: 0.0,
                nonfinite: 0,
            })
        }
    };
    let n = (texts.len() / 2).min(QE_LINKS);
    let flat = &texts[..2 * n];
    let t = Instant::now();
    let layer = wordalign::default_layer(embedder.num_layers());
    let states = embedder.token_spans(flat, layer)?;
    let alignments: Vec<WordAlignment> = flat
        .chunks(2)
        .zip(states.chunks(2))
        .map(|(pair, st)| {
            WordAlignment::build(
                (pair[0], &st[0].spans, &st[0].states),
                (pair[1], &st[1].spans, &st[1].states),
                Words::Natural,
                Method::Argmax,
            )
        })
        .collect();
    let align_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut nonfinite = 0;
    for (k, wa) in alignments.iter().enumerate() {
        let features = qe::features(&LinkEvidence {
            similarity: dot(&vectors[2 * k], &vectors[2 * k + 1]),
            z: 0.0,
            reference_clean_percentile: None,
            length_ratio_off: 0.0,
            merged: false,
            words: Some(wa),
            findings: &[],
        });
        nonfinite += usize::from(!estimator.estimate(&features).probability.is_finite());
    }
    let estimate_s = t.elapsed().as_secs_f64();
    Ok(QeRun {
        weights: "learned".into(),
        links: n,
        align_s,
        estimate_s,
        links_per_s: n as f64 / (align_s + estimate_s).max(1e-9),
        nonfinite,
    })
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
    bench_checked(model, opts, file, texts, runs, &VectorChecks::default())
}

/// [`bench`], then `checks` on the last pass's vectors.
pub fn bench_checked(
    model: &str,
    opts: &LoadOptions,
    file: &Path,
    texts: &[String],
    runs: usize,
    checks: &VectorChecks,
) -> Result<BenchReport> {
    let started = Instant::now();
    let embedder = Embedder::load(model, opts)?;
    let load_s = started.elapsed().as_secs_f64();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut results = Vec::new();
    let mut tokens = 0;
    let mut vectors = Vec::new();
    for _ in 0..runs.max(1) {
        let before = embedder.stage_times();
        let t = Instant::now();
        let out = embedder.embed(&refs)?;
        let seconds = t.elapsed().as_secs_f64();
        let after = embedder.stage_times();
        let stages = StageTimes {
            tokenise_s: after.tokenise_s - before.tokenise_s,
            forward_s: after.forward_s - before.forward_s,
            pool_s: after.pool_s - before.pool_s,
            padded_tokens: after.padded_tokens - before.padded_tokens,
            state_tokens: after.state_tokens - before.state_tokens,
        };
        tokens = out.tokens;
        vectors = out.vectors;
        results.push(Run {
            seconds,
            sentences_per_s: texts.len() as f64 / seconds,
            tokens_per_s: out.tokens as f64 / seconds,
            stages,
        });
    }
    let best = results
        .iter()
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
        .cloned()
        .expect("at least one run");
    if let Some(path) = &checks.dump {
        write_vectors(path, &vectors)?;
    }
    let agreement = match &checks.reference {
        None => None,
        Some(path) => {
            let dim = vectors.first().map_or(0, Vec::len);
            let reference = read_vectors(path, vectors.len(), dim)?;
            Some(agreement(path, &vectors, &reference))
        }
    };
    let nonfinite_values = vectors.iter().flatten().filter(|x| !x.is_finite()).count();
    let quality_estimate = time_quality_estimate(&embedder, opts.dtype.name(), &refs, &vectors)?;
    Ok(BenchReport {
        model: embedder.info.id.clone(),
        device: embedder.info.device,
        dtype: embedder.info.dtype.to_string(),
        threads: rayon::current_num_threads(),
        candle_threads: candle_core::utils::get_num_threads(),
        token_budget: embedder.token_budget(),
        file: file.display().to_string(),
        sentences: texts.len(),
        tokens,
        padded_tokens: best.stages.padded_tokens,
        load_s,
        embed_s: best.seconds,
        sentences_per_s: best.sentences_per_s,
        tokens_per_s: best.tokens_per_s,
        stages: best.stages,
        runs: results,
        peak_rss_mib: peak_rss_kib().map(|k| k as f64 / 1024.0),
        nonfinite_values,
        agreement,
        quality_estimate,
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
        let st = &self.stages;
        s += &format!(
            "best         {:.1} sentences/s  {:.0} tokens/s\nstages       tokenise {:.3} s, forward {:.3} s, pool {:.3} s; {} padded tokens\n",
            self.sentences_per_s,
            self.tokens_per_s,
            st.tokenise_s,
            st.forward_s,
            st.pool_s,
            st.padded_tokens
        );
        if let Some(m) = self.peak_rss_mib {
            s += &format!("peak RSS     {m:.0} MiB\n");
        }
        s += &format!("non-finite   {}\n", self.nonfinite_values);
        let q = &self.quality_estimate;
        if q.links > 0 {
            s += &format!(
                "estimate     {:.1} links/s over {} links: align {:.3} s (a pass of its own here), estimate {:.3} s\n",
                q.links_per_s, q.links, q.align_s, q.estimate_s
            );
        } else {
            s += &format!("estimate     {}\n", q.weights);
        }
        if let Some(a) = &self.agreement {
            s += &format!(
                "agreement    min cosine {:.6}, mean {:.6} over {} rows vs {}\n",
                a.min_cosine, a.mean_cosine, a.rows, a.reference
            );
        }
        s
    }

    /// Whether the vectors are sound: all finite and, when compared, at least `min_cosine` to the
    /// reference in every row.
    pub fn passes(&self, min_cosine: f64) -> bool {
        self.nonfinite_values == 0
            && self.quality_estimate.nonfinite == 0
            && self
                .agreement
                .as_ref()
                .is_none_or(|a| a.min_cosine >= min_cosine)
    }
}
