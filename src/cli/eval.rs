//! `mtcheck eval`: detection quality on a labelled set (one table per model), or on labelled
//! segment files as the WMT quality-estimation tasks measure it.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use mtcheck::pipeline::check::CheckOptions;
use mtcheck::tools::{eval, plot, segments};
use mtcheck::util::fs::write_atomic;

use super::{
    configure_threads, load_model, model_sources, models_to_compare, one_model, EvalFormat,
    ModelArgs,
};

#[derive(Args)]
pub struct EvalArgs {
    /// Folder of labelled pairs, or segment files (`.tsv` with a `label` column, `.jsonl` with a
    /// `label` key; OK/BAD, or scores with `--bad-below`) measured by ROC AUC, MCC, precision
    /// and recall (and with scores, Pearson and Spearman correlations).
    #[arg(required = true)]
    pub set: Vec<PathBuf>,
    /// Source language of segment files that do not declare one.
    #[arg(long)]
    pub src_lang: Option<String>,
    /// Target language of segment files that do not declare one.
    #[arg(long)]
    pub tgt_lang: Option<String>,
    /// Segment files whose labels are quality scores (higher is better, as direct assessments):
    /// segments scoring under this count as BAD.
    #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
    pub bad_below: Option<f64>,
    /// Segment files: write each segment's label and quality-estimate features here (TSV;
    /// `mtcheck train-qe` reads it).
    #[arg(long, value_name = "FILE.tsv")]
    pub features: Option<PathBuf>,
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
    if args.set.iter().any(|p| p.is_file()) {
        return run_segments(args);
    }
    if args.set.len() > 1 {
        anyhow::bail!("eval takes one folder of labelled pairs (or several segment files)");
    }
    let mut pairs = eval::load_set(&args.set[0])?;
    if let Some(f) = &args.filter {
        pairs.retain(|p| p.name.contains(f.as_str()));
    }
    let models = models_to_compare(&args.model)?;
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut base = CheckOptions {
        // The features are computed with the word alignment `--details` asks for.
        details: args.features.is_some(),
        ..CheckOptions::default()
    };
    for t in &args.tune {
        eval::tune(&mut base, t)?;
    }
    let mut results = Vec::new();
    for settings in &models {
        // One model in memory at a time.
        let loaded = load_model(&args.model, settings)?;
        let opts = CheckOptions {
            reference: loaded.reference,
            qe: loaded.qe,
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
    if let Some(out) = &args.features {
        let rows: Vec<_> = results
            .iter()
            .flat_map(|r| r.feature_rows.clone())
            .collect();
        write_atomic(out, segments::features_tsv(&rows).as_bytes())?;
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

/// `eval` on labelled segment files: one row per file, with one model.
fn run_segments(args: EvalArgs) -> anyhow::Result<i32> {
    one_model(&args.model, "eval on segment files")?;
    let settings = model_sources(&args.model)?.resolve(None)?;
    let loaded = load_model(&args.model, &settings)?;
    let mut opts = CheckOptions {
        reference: loaded.reference,
        qe: loaded.qe,
        src_lang: args.src_lang.clone(),
        tgt_lang: args.tgt_lang.clone(),
        // The features are computed with the word alignment `--details` asks for.
        details: args.features.is_some(),
        ..CheckOptions::default()
    };
    for t in &args.tune {
        eval::tune(&mut opts, t)?;
    }
    let mut results = Vec::new();
    for path in &args.set {
        if !path.is_file() {
            return Err(mtcheck::Error::input(path, "is not a segment file").into());
        }
        results.push(segments::evaluate(
            &loaded.embedder,
            path,
            &opts,
            args.bad_below,
        )?);
    }
    if let Some(out) = &args.features {
        let rows: Vec<_> = results.iter().flat_map(|r| r.feature_rows()).collect();
        write_atomic(out, segments::features_tsv(&rows).as_bytes())?;
    }
    match args.format {
        EvalFormat::Text => print!("{}", segments::table(&results)),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
    }
    Ok(0)
}
