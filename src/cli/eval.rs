//! `mtcheck eval`: detection quality on a labelled set, one table per model.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use mtcheck::pipeline::check::CheckOptions;
use mtcheck::tools::{eval, plot};
use mtcheck::util::fs::write_atomic;

use super::{configure_threads, load_model, models_to_compare, EvalFormat, ModelArgs};

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
    /// Override a threshold or alignment parameter for this run, e.g. `--tune threshold=1.2`
    /// (repeatable; names as in `tools::eval::tune`: score::Thresholds, align::Params).
    #[arg(long, hide = true)]
    pub tune: Vec<String>,
}

/// Runs `eval`; returns the exit code.
pub fn run(args: EvalArgs) -> anyhow::Result<i32> {
    configure_threads(args.model.threads)?;
    let mut pairs = eval::load_set(&args.set)?;
    if let Some(f) = &args.filter {
        pairs.retain(|p| p.name.contains(f.as_str()));
    }
    let models = models_to_compare(&args.model)?;
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut base = CheckOptions::default();
    for t in &args.tune {
        eval::tune(&mut base, t)?;
    }
    let mut results = Vec::new();
    for settings in &models {
        // One model in memory at a time.
        let loaded = load_model(&args.model, settings)?;
        let opts = CheckOptions {
            reference: loaded.reference,
            ..base.clone()
        };
        let reports = args.reports.as_ref().map(|d| {
            if models.len() > 1 {
                d.join(eval::safe_name(&settings.model))
            } else {
                d.clone()
            }
        });
        if let Some(d) = &reports {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        results.push(eval::evaluate(
            &loaded.embedder,
            &pairs,
            &opts,
            reports.as_deref(),
        )?);
    }
    if let Some(path) = &args.plot {
        write_atomic(path, plot::svg(&results).as_bytes())?;
    }
    match args.format {
        EvalFormat::Text => {
            for res in &results {
                print!("{}", eval::table(res));
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
                print!("\n{}", eval::comparison(&results));
            }
        }
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
    }
    Ok(0)
}
