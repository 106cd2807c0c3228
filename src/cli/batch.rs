//! `mtcheck batch`: many pairs with one model load (the work is `pipeline::batch`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use mtcheck::pipeline::batch::{self, BatchOptions, Plan, Shard};
use mtcheck::pipeline::config::Sources;
use mtcheck::report::Format;

use super::{
    check_lang, configure_threads, gate_layer, load_model, one_model, GateArgs, ModelArgs,
};

#[derive(Args)]
pub struct BatchArgs {
    /// Pairs to check: a .jsonl file of {"source", "target", "src_lang", "tgt_lang", "id"}
    /// objects, a .tsv file with those column names in a header, or a directory holding `src/`
    /// and `tgt/` trees or NAME.SRC.EXT / NAME.TGT.EXT files. Paths are relative to the manifest
    /// and may not leave its folder, unless --root is given. Or translation files (.po, .xlf,
    /// .xliff, .tmx), each one pair, as `mtcheck batch locale/*.po` or a pre-commit hook gives them.
    #[arg(value_name = "MANIFEST|FILE", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Allow manifest paths that are absolute or leave the manifest's folder, as long as they
    /// resolve inside DIR (for manifests written by `find` or a pipeline).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
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
    pub shard: Option<Shard>,
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

/// Runs `batch`; returns the exit code (2 when a pair could not be read, else 1 when one fails).
pub fn run(args: BatchArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    one_model(&args.model, "batch")?;
    configure_threads(args.model.threads)?;
    check_lang("--src-lang", &args.src_lang)?;
    check_lang("--tgt-lang", &args.tgt_lang)?;
    let sources = Sources::load(
        gate_layer(&args.gate, &args.model)?,
        args.model.config.as_deref(),
    )?;
    let (src_lang, tgt_lang) = (args.src_lang.as_deref(), args.tgt_lang.as_deref());
    let jobs = match args.inputs.as_slice() {
        [one] if !mtcheck::formats::is_translation_file(one) => {
            batch::read_manifest(one, src_lang, tgt_lang, args.root.as_deref())?
        }
        files => batch::file_jobs(files, src_lang, tgt_lang)?,
    };
    let options = BatchOptions {
        workers: args.jobs,
        output: args.output.clone(),
        resume: args.resume,
        shard: args.shard,
        report: args.report.clone().map(|p| (p, args.format)),
        limits: args.gate.limits(),
        reference: None,
        qe: Default::default(),
        progress: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
    };
    // The plan reads what an interrupted run left before the model loads.
    let plan = Plan::new(jobs, options)?;
    let top = sources.resolve(None)?;
    let loaded = load_model(&args.model, &top)?;
    let run = plan
        .with_reference(loaded.reference)
        .with_quality_estimate(loaded.qe)
        .run(&sources, &loaded.embedder, &mut std::io::stdout())?;
    let summary = batch::summary(
        &run.outcomes,
        run.skipped,
        started.elapsed().as_secs_f64(),
        args.worst,
    );
    // The summary goes where it does not mix with the JSONL records.
    if args.output.is_some() {
        print!("{summary}");
    } else {
        eprint!("{summary}");
    }
    Ok(run.exit_code())
}
