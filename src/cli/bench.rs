//! `mtcheck bench`: embedding throughput, and vector checks against another run's dump.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use mtcheck::tools::bench;

use super::{configure_threads, models_to_compare, EvalFormat, ModelArgs};

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

/// Runs `bench`; returns the exit code.
pub fn run(args: BenchArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    if args.lines == 0 || args.runs == 0 {
        bail!("--lines and --runs must be at least 1");
    }
    let file = args.file.unwrap_or_else(bench::default_corpus);
    let texts = bench::read_lines(&file, args.lines)?;
    let settings = models_to_compare(&args.model)?;
    if settings.len() > 1 && (args.dump_embeddings.is_some() || args.reference_embeddings.is_some())
    {
        bail!("--dump-embeddings and --reference-embeddings take one --model");
    }
    let checks = bench::VectorChecks {
        dump: args.dump_embeddings.clone(),
        reference: args.reference_embeddings.clone(),
    };
    let mut reports = Vec::new();
    for settings in settings {
        reports.push(bench::bench_checked(
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
