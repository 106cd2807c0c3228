//! `mtcheck train-qe`: fits the quality estimator on features files and writes its weights.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use mtcheck::qe::Encoder;
use mtcheck::tools::train_qe::{self, FitOptions};
use mtcheck::util::fs::write_atomic;

use super::{load_model, model_sources, one_model, ModelArgs};

#[derive(Args)]
pub struct TrainQeArgs {
    /// Features files to fit on (`mtcheck eval SEGMENTS… --features FILE`).
    #[arg(long, required = true, num_args = 1..)]
    pub train: Vec<PathBuf>,
    /// Features files of running text (articles: `eval SETDIR --features`) to calibrate the
    /// thresholds on and report figures for (never the training rows).
    #[arg(long, required = true, num_args = 1..)]
    pub dev: Vec<PathBuf>,
    /// Features files of segment files (`eval SEGMENTS… --features`) to calibrate the thresholds
    /// that segment files (XLIFF, TMX, PO, TSV, JSONL) use; without them those use `--dev`'s.
    #[arg(long, num_args = 1..)]
    pub dev_segments: Vec<PathBuf>,
    /// Where to write the weights (atomically); `mtcheck-qe.json` in a model directory, or
    /// `--qe FILE`, puts them to use.
    #[arg(long, short)]
    pub output: PathBuf,
    /// L2 penalty on the standardised weights.
    #[arg(long, default_value_t = FitOptions::default().l2)]
    pub l2: f64,
    /// The error threshold flags at most this share of good development segments.
    #[arg(long, default_value_t = FitOptions::default().error_fpr)]
    pub error_fpr: f64,
    /// The warning threshold flags at most this share of good development segments.
    #[arg(long, default_value_t = FitOptions::default().warning_fpr)]
    pub warning_fpr: f64,
    /// The model whose features the files hold (the weights are tied to it and its dtype).
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Runs `train-qe`; returns the exit code.
pub fn run(args: TrainQeArgs) -> anyhow::Result<i32> {
    one_model(&args.model, "train-qe")?;
    let settings = model_sources(&args.model)?.resolve(None)?;
    let loaded = load_model(&args.model, &settings)?;
    let read = |files: &[PathBuf]| -> mtcheck::Result<Vec<train_qe::Row>> {
        let mut rows = Vec::new();
        for f in files {
            rows.extend(train_qe::read_rows(f)?);
        }
        Ok(rows)
    };
    let (train, dev) = (read(&args.train)?, read(&args.dev)?);
    let dev_segments = read(&args.dev_segments)?;
    let names = |files: &[PathBuf]| {
        files
            .iter()
            .map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
    };
    let opts = FitOptions {
        l2: args.l2,
        error_fpr: args.error_fpr,
        warning_fpr: args.warning_fpr,
        ..FitOptions::default()
    };
    let encoder = Encoder {
        id: mtcheck::qe::Estimator::encoder_id(&loaded.embedder.info.id),
        dtype: args.model.load_options().dtype.name().to_string(),
        word_layer: mtcheck::wordalign::default_layer(loaded.embedder.num_layers()),
    };
    let provenance = json!({
        "train_files": names(&args.train),
        "dev_files": names(&args.dev),
        "dev_segment_files": names(&args.dev_segments),
        "mtcheck_version": env!("CARGO_PKG_VERSION"),
    });
    let e = train_qe::train(&train, (&dev, &dev_segments), encoder, &opts, provenance)?;
    let text = serde_json::to_string_pretty(&e)? + "\n";
    write_atomic(&args.output, text.as_bytes())?;
    println!(
        "{} training rows, {} development rows; development figures:",
        train.len(),
        dev.len()
    );
    println!("{}", serde_json::to_string_pretty(&e.provenance["dev"])?);
    if !dev_segments.is_empty() {
        println!("segment files:");
        println!(
            "{}",
            serde_json::to_string_pretty(&e.provenance["dev_segments"])?
        );
    }
    Ok(0)
}
