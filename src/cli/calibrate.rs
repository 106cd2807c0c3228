//! `mtcheck calibrate`: a model's reference distributions from a labelled set.

use std::path::PathBuf;

use clap::Args;

use mtcheck::pipeline::check::CheckOptions;
use mtcheck::tools::{calibrate, eval};
use mtcheck::util::fs::write_atomic;

use super::{configure_threads, load_model, model_sources, one_model, EvalFormat, ModelArgs};

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

/// Runs `calibrate`; returns the exit code.
pub fn run(args: CalibrateArgs) -> anyhow::Result<i32> {
    one_model(&args.model, "calibrate")?;
    configure_threads(args.model.threads)?;
    let pairs = eval::load_set(&args.set)?;
    let settings = model_sources(&args.model)?.resolve(None)?;
    let loaded = load_model(&args.model, &settings)?;
    let opts = CheckOptions {
        reference: loaded.reference,
        ..CheckOptions::default()
    };
    let reference = calibrate::calibrate(&loaded.embedder, &args.set, &pairs, &opts)?;
    let json = reference.to_json();
    if let Some(path) = &args.output {
        write_atomic(path, json.as_bytes())?;
    }
    match args.format {
        EvalFormat::Text => print!("{}", calibrate::table(&reference)),
        EvalFormat::Json => print!("{json}"),
    }
    Ok(0)
}
